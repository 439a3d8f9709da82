//! Running a search: enumeration or sampling in chunks, progress for an observer that may
//! stop it, and the report with its frontiers.

use super::eval::{Evaluations, Evaluator, Objective};
use super::sample::{Sampler, Stage};
use super::{Constraints, SearchError, SearchSettings, SearchSpace, CHUNK, MAX_PRECISIONS};
use crate::model::arch::Architecture;
use crate::model::device::Device;
use crate::model::law::{Law, PowerCache};
use crate::model::pareto::{self, FrontierPoint};
use crate::model::precision::Precision;
use crate::model::workload::Workload;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

/// What a search is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchPhase {
    Enumerating,
    /// Sampling: the Latin hypercube.
    LatinHypercube,
    /// Sampling: neighbours of the current frontiers.
    Refining,
    Done,
}

/// Progress passed to the observer after each chunk.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SearchProgress {
    pub phase: SearchPhase,
    pub evaluated: usize,
    /// Candidates the search will evaluate at most: the space, or the sampling budget.
    pub planned: u64,
    /// Refinement rounds so far (sampling only).
    pub rounds: u32,
}

impl SearchProgress {
    /// Fraction done in [0, 1] (a sampled search may finish before its budget).
    pub fn fraction(&self) -> f64 {
        if self.phase == SearchPhase::Done {
            1.0
        } else {
            (self.evaluated as f64 / self.planned.max(1) as f64).min(1.0)
        }
    }
}

#[derive(Clone, Debug)]
enum Mode {
    Enumerate { next: u64 },
    Sample(Box<Sampler>),
}

/// A search that runs chunk by chunk, so a single-threaded UI can interleave it with drawing.
/// [`search`] drives one to the end.
#[derive(Clone, Debug)]
pub struct SearchRun {
    space: SearchSpace,
    law: Law,
    device: Device,
    workload: Workload,
    settings: SearchSettings,
    precisions: Vec<Precision>,
    evals: Evaluations,
    mode: Mode,
    done: bool,
    powers: PowerCache,
}

impl SearchRun {
    /// Checks the precisions (1 ..= [`MAX_PRECISIONS`], none twice) and that the law can rank
    /// architectures; draws the hypercube when the space is sampled.
    pub fn new(
        space: &SearchSpace,
        law: &Law,
        device: &Device,
        precisions: &[Precision],
        workload: &Workload,
        settings: &SearchSettings,
    ) -> Result<SearchRun, SearchError> {
        if precisions.is_empty() {
            return Err(SearchError::NoPrecision);
        }
        if precisions.len() > MAX_PRECISIONS {
            return Err(SearchError::TooManyPrecisions(precisions.len()));
        }
        for (i, p) in precisions.iter().enumerate() {
            if precisions[..i].contains(p) {
                return Err(SearchError::RepeatedPrecision(*p));
            }
        }
        if let Law::Custom(c) = law {
            if !c.predicts_architectures() {
                return Err(SearchError::LawCannotRank);
            }
        }
        let mode = if space.is_sampled() {
            Mode::Sample(Box::new(Sampler::new(
                space,
                settings.sample_budget,
                settings.seed,
                precisions.len(),
            )))
        } else {
            Mode::Enumerate { next: 0 }
        };
        let mut evals = Evaluations::new(precisions);
        if !space.is_sampled() {
            // Exact capacity: doubling would briefly need up to twice the memory.
            let n = space.count() as usize;
            evals.candidates.reserve_exact(n);
            evals.metrics.reserve_exact(n * precisions.len());
        }
        Ok(SearchRun {
            space: space.clone(),
            law: law.clone(),
            device: device.clone(),
            workload: *workload,
            settings: *settings,
            precisions: precisions.to_vec(),
            evals,
            mode,
            done: false,
            powers: PowerCache::default(),
        })
    }

    /// Evaluates up to `max` more candidates and says where the search is.
    pub fn step(&mut self, max: usize) -> SearchProgress {
        let ev = Evaluator {
            space: &self.space,
            law: &self.law,
            device: &self.device,
            precisions: &self.precisions,
            workload: &self.workload,
            training_tokens: self.settings.training_tokens,
        };
        match &mut self.mode {
            Mode::Enumerate { next } => {
                let end = (*next + max as u64).min(self.space.count());
                for i in *next..end {
                    ev.push(i, &mut self.evals, &mut self.powers);
                }
                *next = end;
                self.done = end == self.space.count();
            }
            Mode::Sample(s) => {
                for &i in s.next(max) {
                    ev.push(i, &mut self.evals, &mut self.powers);
                }
                // Refill now, so the chunk that ends the search reports Done.
                s.after_batch(&self.space, &self.evals);
                self.done = s.stage == Stage::Done;
            }
        }
        self.progress()
    }

    pub fn progress(&self) -> SearchProgress {
        let (phase, planned, rounds) = match &self.mode {
            Mode::Enumerate { .. } => (SearchPhase::Enumerating, self.space.count(), 0),
            Mode::Sample(s) => {
                let phase = match s.stage {
                    Stage::Hypercube => SearchPhase::LatinHypercube,
                    _ => SearchPhase::Refining,
                };
                (phase, self.settings.sample_budget, s.rounds)
            }
        };
        SearchProgress {
            phase: if self.done { SearchPhase::Done } else { phase },
            evaluated: self.evals.len(),
            planned,
            rounds,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The report of what was evaluated so far (all of it once [`SearchRun::is_done`]).
    pub fn finish(self) -> SearchReport {
        let progress = self.progress();
        SearchReport {
            count: self.space.count(),
            sampled: matches!(self.mode, Mode::Sample(_)),
            cancelled: !self.done,
            refinement_rounds: progress.rounds,
            space: self.space,
            law: self.law,
            device: self.device,
            workload: self.workload,
            settings: self.settings,
            evaluations: self.evals,
            frontiers: FrontierCache::default(),
        }
    }
}

/// Runs a whole search in chunks of [`CHUNK`], calling `observer` after each; when it returns
/// `Break` the search stops and the report holds what was evaluated (`cancelled`).
pub fn search(
    space: &SearchSpace,
    law: &Law,
    device: &Device,
    precisions: &[Precision],
    workload: &Workload,
    settings: &SearchSettings,
    observer: &mut dyn FnMut(SearchProgress) -> ControlFlow<()>,
) -> Result<SearchReport, SearchError> {
    let mut run = SearchRun::new(space, law, device, precisions, workload, settings)?;
    while !run.is_done() {
        let progress = run.step(CHUNK);
        if observer(progress).is_break() {
            break;
        }
    }
    Ok(run.finish())
}

/// Everything a search evaluated, with what it was evaluated against.
#[derive(Clone, Debug)]
pub struct SearchReport {
    /// Candidates in the space.
    pub count: u64,
    /// The space was sampled (Latin hypercube + refinement) rather than enumerated.
    pub sampled: bool,
    /// The observer stopped the search before the end.
    pub cancelled: bool,
    pub refinement_rounds: u32,
    pub space: SearchSpace,
    pub law: Law,
    pub device: Device,
    pub workload: Workload,
    pub settings: SearchSettings,
    pub evaluations: Evaluations,
    frontiers: FrontierCache,
}

/// Frontiers already computed for a report, by objective, precision and constraints: several
/// panels ask for the same ones, and each costs a pass over every candidate (tens of
/// milliseconds for a million in wasm), so the page computes each once.
#[derive(Default)]
struct FrontierCache(Mutex<HashMap<FrontierKey, Arc<Vec<FrontierPoint>>>>);

type FrontierKey = (Objective, usize, [u64; 6]);

/// Constraint sets kept per report before the cache starts over (each entry is small).
const FRONTIER_CACHE_LIMIT: usize = 64;

impl Clone for FrontierCache {
    /// A copy starts empty: the cache is only a cache.
    fn clone(&self) -> Self {
        FrontierCache::default()
    }
}

impl fmt::Debug for FrontierCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.lock().map_or(0, |m| m.len());
        write!(f, "FrontierCache({n} frontiers)")
    }
}

impl SearchReport {
    /// Candidates evaluated.
    pub fn evaluated(&self) -> usize {
        self.evaluations.len()
    }

    /// The loss–latency frontier of `objective` in precision `precision` (index into
    /// `evaluations.precisions`) among candidates meeting `constraints`, sorted by latency.
    /// Computed once per (objective, precision, constraints) and then cached.
    pub fn frontier(
        &self,
        objective: Objective,
        precision: usize,
        constraints: &Constraints,
    ) -> Vec<FrontierPoint> {
        let key = (objective, precision, constraints.key());
        if let Some(f) = self
            .frontiers
            .0
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return f.to_vec();
        }
        let f = self.compute_frontier(objective, precision, constraints);
        if let Ok(mut m) = self.frontiers.0.lock() {
            if m.len() >= FRONTIER_CACHE_LIMIT {
                m.clear();
            }
            m.insert(key, Arc::new(f.clone()));
        }
        f
    }

    fn compute_frontier(
        &self,
        objective: Objective,
        precision: usize,
        constraints: &Constraints,
    ) -> Vec<FrontierPoint> {
        let e = &self.evaluations;
        let memory = self.device.usable_memory_bytes();
        // Excluded candidates become NaN, which the frontier ignores.
        let points: Vec<(f64, f64)> = (0..e.len())
            .map(|i| {
                let (c, m) = (&e.candidates[i], e.metrics(i, precision));
                if constraints.admits(c, m, memory) {
                    (m.latency(objective), c.loss)
                } else {
                    (f64::NAN, f64::NAN)
                }
            })
            .collect();
        pareto::frontier(&points)
            .into_iter()
            .map(|i| FrontierPoint {
                candidate: i,
                latency_s: points[i].0,
                loss: points[i].1,
            })
            .collect()
    }

    /// The architecture of evaluated candidate `i`.
    pub fn architecture(&self, i: usize) -> Architecture {
        let index = self.evaluations.candidates[i].index as u64;
        self.space
            .candidate(index)
            .expect("evaluated candidates are in the space")
    }
}
