//! Architecture search (method.md §4): a space of candidates, their evaluation (loss from a
//! law, latency and memory from the roofline), and a driver that enumerates the space or,
//! above [`ENUMERATION_LIMIT`], samples it, reporting progress to an observer that can stop it.
//!
//! * [`space`] — [`SearchSpace`]: the lists, validation, exact count, index decoding.
//! * [`eval`] — [`Candidate`], [`Metrics`], [`evaluate_chunk`].
//! * `budget` — [`LatencyBudget`]: a budget per token, decode, first token or total.
//! * `constraints` — [`Constraints`] and the paper's [`APPLICATION_BUDGETS`].
//! * `run` — [`SearchRun`] (chunk by chunk), [`search`] (with an observer), [`SearchReport`].
//! * `sample` — Latin hypercube and local refinement.
//!
//! Constraints are not applied while evaluating: a report keeps every candidate, and
//! [`SearchReport::frontier`] filters by [`Constraints`], so budgets change without re-running.

pub mod budget;
mod constraints;
pub mod eval;
mod run;
mod sample;
pub mod space;

pub use budget::{BudgetBasis, BudgetError, LatencyBudget};
pub use constraints::{ApplicationBudget, Constraints, ConstraintsSpec, APPLICATION_BUDGETS};
pub use eval::{evaluate_chunk, Candidate, Evaluations, Metrics, Objective};
pub use run::{search, SearchPhase, SearchProgress, SearchReport, SearchRun};
pub use space::{
    AttentionKind, ExpertChoice, GridPoint, KvHeads, SearchSpace, SearchSpaceError,
    SearchSpaceSpec, ENUMERATION_LIMIT, HARD_LIMIT,
};

use crate::model::precision::Precision;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Candidates evaluated between two calls of the observer.
pub const CHUNK: usize = 4096;

/// Most precisions one search evaluates (each adds 20 bytes per candidate).
pub const MAX_PRECISIONS: usize = 8;

/// Why a setting or a search was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchError {
    /// A setting is out of range; the message names it.
    Setting {
        field: &'static str,
        problem: String,
    },
    NoPrecision,
    RepeatedPrecision(Precision),
    TooManyPrecisions(usize),
    /// A custom law reads a loss-table column that architectures do not have.
    LawCannotRank,
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::Setting { field, problem } => write!(f, "{field}: {problem}"),
            SearchError::NoPrecision => f.write_str("precisions: choose at least one"),
            SearchError::RepeatedPrecision(p) => write!(f, "precisions: {p} is chosen twice"),
            SearchError::TooManyPrecisions(n) => write!(
                f,
                "precisions: {n} chosen, at most {MAX_PRECISIONS} per search"
            ),
            SearchError::LawCannotRank => f.write_str(
                "law: the formula reads a loss-table column that architectures do not have, \
                 so it cannot rank candidates; use only l, d, r, rho, d_m, N and D",
            ),
        }
    }
}

impl std::error::Error for SearchError {}

pub(crate) fn setting(field: &'static str, problem: impl Into<String>) -> SearchError {
    SearchError::Setting {
        field,
        problem: problem.into(),
    }
}

pub(crate) fn positive_finite(field: &'static str, v: f64) -> Result<f64, SearchError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(setting(
            field,
            format!("must be a positive number, got {v}"),
        ))
    }
}

/// Settings of a search run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SearchSettingsSpec", into = "SearchSettingsSpec")]
pub struct SearchSettings {
    training_tokens: f64,
    seed: u64,
    sample_budget: u64,
}

/// [`SearchSettings`] as stored.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchSettingsSpec {
    pub training_tokens: f64,
    pub seed: u64,
    pub sample_budget: u64,
}

impl Default for SearchSettings {
    /// D = 10B tokens (the paper trains every model on 10B, method.md §2), seed 0, and a
    /// sampling budget of 200,000 evaluations (a fraction of a second natively).
    fn default() -> Self {
        SearchSettings {
            training_tokens: 10e9,
            seed: 0,
            sample_budget: 200_000,
        }
    }
}

impl TryFrom<SearchSettingsSpec> for SearchSettings {
    type Error = SearchError;
    fn try_from(s: SearchSettingsSpec) -> Result<Self, SearchError> {
        SearchSettings::default()
            .with_training_tokens(s.training_tokens)?
            .with_sample_budget(s.sample_budget)
            .map(|x| x.with_seed(s.seed))
    }
}

impl From<SearchSettings> for SearchSettingsSpec {
    fn from(s: SearchSettings) -> Self {
        SearchSettingsSpec {
            training_tokens: s.training_tokens,
            seed: s.seed,
            sample_budget: s.sample_budget,
        }
    }
}

impl SearchSettings {
    /// Training tokens D, for laws that read it (Chinchilla).
    pub fn with_training_tokens(self, tokens: f64) -> Result<Self, SearchError> {
        Ok(SearchSettings {
            training_tokens: positive_finite("training_tokens", tokens)?,
            ..self
        })
    }

    /// Seed of the sampler (only used for spaces above [`ENUMERATION_LIMIT`]).
    pub fn with_seed(self, seed: u64) -> Self {
        SearchSettings { seed, ..self }
    }

    /// Most evaluations a sampled search makes, 1 ..= [`ENUMERATION_LIMIT`].
    pub fn with_sample_budget(self, budget: u64) -> Result<Self, SearchError> {
        if !(1..=ENUMERATION_LIMIT).contains(&budget) {
            return Err(setting(
                "sample_budget",
                format!("must be in 1..={ENUMERATION_LIMIT}, got {budget}"),
            ));
        }
        Ok(SearchSettings {
            sample_budget: budget,
            ..self
        })
    }

    pub fn training_tokens(&self) -> f64 {
        self.training_tokens
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn sample_budget(&self) -> u64 {
        self.sample_budget
    }
}
