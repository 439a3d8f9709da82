//! Architecture search (method.md §4): a space of candidates, their evaluation (loss from a
//! law, latency and memory from the roofline), and a driver that enumerates the space or,
//! above [`ENUMERATION_LIMIT`], samples it, reporting progress to an observer that can stop it.
//!
//! * [`space`] — [`SearchSpace`]: the lists, validation, exact count, index decoding.
//! * [`eval`] — [`Candidate`], [`Metrics`], [`evaluate_chunk`].
//! * [`findings`] — what a report says beyond its frontiers: trends, [`Findings`], a reference
//!   model's [`ReferenceScore`] and its [`MatchedReport`] against the frontier.
//! * `budget` — [`LatencyBudget`]: a budget per token, decode, first token or total.
//! * `constraints` — [`Constraints`] and the paper's [`APPLICATION_BUDGETS`].
//! * `run` — [`SearchRun`] (chunk by chunk), [`search`] (with an observer), [`SearchReport`].
//! * `sample` — Latin hypercube and local refinement.
//! * `space_text` — [`SearchSpaceText`]: the space as its editor shows it, read and written.
//!
//! Constraints are not applied while evaluating: a report keeps every candidate, and
//! [`SearchReport::frontier`] filters by [`Constraints`], so budgets change without re-running.

pub mod budget;
mod constraints;
pub mod eval;
pub mod findings;
mod run;
mod sample;
pub mod space;
mod space_text;

pub use budget::{BudgetBasis, BudgetError, LatencyBudget};
pub use constraints::{ApplicationBudget, Constraints, ConstraintsSpec, APPLICATION_BUDGETS};
pub use eval::{evaluate_chunk, Candidate, Evaluations, Metrics, Objective};
pub use findings::{
    findings, matched_latency, score_reference, trends, Findings, MatchedReport, ReferenceScore,
    TrendPoint,
};
pub use run::{search, SearchPhase, SearchProgress, SearchReport, SearchRun};
pub use space::{
    edge_warning, AttentionKind, ExpertChoice, GridEdge, GridPoint, KvHeads, SearchSpace,
    SearchSpaceError, SearchSpaceSpec, ENUMERATION_LIMIT, HARD_LIMIT,
};
pub use space_text::{parse_attention_kinds, parse_kv_heads, SearchSpaceText, SpaceTextError};

use crate::model::precision::Precision;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Candidates evaluated between two calls of the observer.
pub const CHUNK: usize = 4096;

/// Most precisions one search evaluates (each adds 20 bytes per candidate).
pub const MAX_PRECISIONS: usize = 8;

/// The precisions a search evaluates: `primary` (the one the page's numbers use) first, then
/// the others compared on the frontier, without repeats, at most [`MAX_PRECISIONS`]. Putting
/// the primary first makes every "precision 0" figure of a report the one the page states.
pub fn search_precisions(primary: Precision, compared: &[Precision]) -> Vec<Precision> {
    let mut out = vec![primary];
    for p in compared {
        if out.len() == MAX_PRECISIONS {
            break;
        }
        if !out.contains(p) {
            out.push(*p);
        }
    }
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_precision_is_searched_first_so_the_numbers_agree() {
        let int8 = Precision::INT8;
        let fp16 = Precision::FP16;
        assert_eq!(search_precisions(int8, &[fp16, int8]), vec![int8, fp16]);
        assert_eq!(search_precisions(fp16, &[]), vec![fp16]);
        let many = vec![fp16; 20];
        assert_eq!(search_precisions(int8, &many).len(), 2);
        let all: Vec<Precision> = Precision::PRESETS.to_vec();
        assert!(search_precisions(int8, &all).len() <= MAX_PRECISIONS);
    }
}

#[cfg(test)]
mod edge_tests {
    use super::*;
    use crate::model::device::device_presets;
    use crate::model::law::{Law, PaperLaw};
    use crate::model::workload::Workload;

    /// The best decode design under 20 ms on the Orin Nano Super sits at l = 32 and d = 3072,
    /// the grid's corner: the page must say so (it used to quote it without a caveat).
    #[test]
    fn best_design_on_the_grid_corner_is_flagged() {
        let space = SearchSpace::new(SearchSpaceSpec::default()).unwrap();
        let n = space.count() as usize;
        let corner = (0..n as u64)
            .filter_map(|i| space.point(i).map(|p| (i, p)))
            .find(|(i, _)| {
                let a = space.candidate(*i).unwrap();
                a.spec().layers == 32 && a.spec().hidden == 3072
            })
            .map(|(i, _)| i)
            .unwrap();
        let device = device_presets()[1].clone();
        let report = search(
            &space,
            &Law::Paper(PaperLaw::published()),
            &device,
            &[Precision::FP16],
            &Workload::default(),
            &SearchSettings::default(),
            &mut |_| std::ops::ControlFlow::Continue(()),
        )
        .unwrap();
        let c = report
            .evaluations
            .candidates
            .iter()
            .find(|c| c.index as u64 == corner)
            .unwrap();
        let edges = space.upper_edges(c);
        assert!(edges.contains(&GridEdge::Layers(32)), "{edges:?}");
        assert!(edges.contains(&GridEdge::Hidden(3072)), "{edges:?}");
        let w = edge_warning(&edges).unwrap();
        assert!(w.starts_with("On the edge of the search grid: l = 32 (the most layers in the grid), d = 3072 (the widest in the grid)"), "{w}");
        // An inside candidate (l = 16, d = 1536, r = 1, dense) has no edge.
        let inside = report
            .evaluations
            .candidates
            .iter()
            .find(|c| {
                c.layers == 16
                    && c.hidden == 1536
                    && c.experts == 1
                    && (c.ffn_ratio - 1.0).abs() < 1e-6
            })
            .unwrap();
        assert_eq!(space.upper_edges(inside), vec![]);
        assert_eq!(edge_warning(&[]), None);
    }
}
