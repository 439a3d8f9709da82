//! Sampling a space too large to enumerate, as the paper does (method.md §4): a Latin
//! hypercube over the index digits, then local refinement around the current frontiers
//! (every neighbour of a frontier point, one step in one dimension, until no new neighbour
//! is left or the budget is spent).
//!
//! Deterministic for a seed on a given target: `SmallRng` is Xoshiro256++ on 64-bit targets
//! and Xoshiro128++ on wasm32, so native and browser runs draw different samples.

use super::eval::{Evaluations, Objective};
use super::space::SearchSpace;
use crate::model::pareto;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// One bit per candidate index: evaluated or queued.
#[derive(Clone, Debug)]
struct Bitset(Vec<u64>);

impl Bitset {
    fn new(n: u64) -> Bitset {
        Bitset(vec![0; n.div_ceil(64) as usize])
    }

    /// Sets bit `i`; true if it was clear.
    fn insert(&mut self, i: u64) -> bool {
        let (w, b) = ((i / 64) as usize, 1u64 << (i % 64));
        let fresh = self.0[w] & b == 0;
        self.0[w] |= b;
        fresh
    }
}

/// Where a sampled search is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Hypercube,
    Refining,
    Done,
}

/// The state of a sampled search between chunks.
#[derive(Clone, Debug)]
pub(crate) struct Sampler {
    seen: Bitset,
    queue: Vec<u64>,
    pos: usize,
    pub stage: Stage,
    budget: u64,
    queued: u64,
    /// Current frontier of each (objective, precision): indices into the evaluations.
    frontiers: Vec<Vec<usize>>,
    /// Evaluations already merged into `frontiers`.
    merged: usize,
    pub rounds: u32,
}

impl Sampler {
    /// Draws the hypercube: half the budget (at least one point), duplicates dropped.
    pub fn new(space: &SearchSpace, budget: u64, seed: u64, precisions: usize) -> Sampler {
        let mut rng = SmallRng::seed_from_u64(seed);
        let n = (budget / 2).max(1) as usize;
        let mut index = vec![0u64; n];
        let mut perm: Vec<u32> = Vec::with_capacity(n);
        // Digits, most significant first, so index = Σ digit·weight in mixed radix.
        for m in space.radices() {
            perm.clear();
            perm.extend(0..n as u32);
            perm.shuffle(&mut rng);
            for (slot, &stratum) in index.iter_mut().zip(&perm) {
                let u = (stratum as f64 + rng.random::<f64>()) / n as f64;
                let digit = ((u * m as f64) as u64).min(m as u64 - 1);
                *slot = *slot * m as u64 + digit;
            }
        }
        let mut seen = Bitset::new(space.count());
        index.retain(|&i| seen.insert(i));
        let queued = index.len() as u64;
        Sampler {
            seen,
            queue: index,
            pos: 0,
            stage: Stage::Hypercube,
            budget,
            queued,
            frontiers: vec![Vec::new(); Objective::ALL.len() * precisions],
            merged: 0,
            rounds: 0,
        }
    }

    /// The next indices to evaluate, at most `max`.
    pub fn next(&mut self, max: usize) -> &[u64] {
        let start = self.pos;
        self.pos = (start + max).min(self.queue.len());
        &self.queue[start..self.pos]
    }

    /// Once the queue is evaluated, queues the next refinement round, or ends the search
    /// (stage `Done`) when no unseen neighbour is left or the budget is spent.
    pub fn after_batch(&mut self, space: &SearchSpace, evals: &Evaluations) {
        if self.pos == self.queue.len() && self.stage != Stage::Done {
            self.refill(space, evals);
        }
    }

    /// Merges new evaluations into the frontiers and queues their unseen neighbours.
    fn refill(&mut self, space: &SearchSpace, evals: &Evaluations) {
        self.stage = Stage::Refining;
        self.update_frontiers(evals);
        self.queue.clear();
        self.pos = 0;
        let mut near = Vec::new();
        let room = self.budget - self.queued;
        'fill: for f in &self.frontiers {
            for &c in f {
                near.clear();
                space.push_neighbours(evals.candidates[c].index as u64, &mut near);
                for &n in &near {
                    if self.queue.len() as u64 == room {
                        break 'fill;
                    }
                    if self.seen.insert(n) {
                        self.queue.push(n);
                    }
                }
            }
        }
        self.queued += self.queue.len() as u64;
        if self.queue.is_empty() {
            self.stage = Stage::Done;
        } else {
            self.rounds += 1;
        }
    }

    /// Frontier of (old frontier ∪ new points) = frontier of everything: dropped points stay
    /// dominated. Only candidates that fit in the device's memory count.
    fn update_frontiers(&mut self, evals: &Evaluations) {
        let np = evals.precisions.len();
        let fresh = self.merged..evals.len();
        for (k, f) in self.frontiers.iter_mut().enumerate() {
            let (objective, p) = (Objective::ALL[k / np], k % np);
            let ids: Vec<usize> = f
                .iter()
                .copied()
                .chain(fresh.clone())
                .filter(|&i| evals.metrics(i, p).fits)
                .collect();
            let points: Vec<(f64, f64)> = ids
                .iter()
                .map(|&i| {
                    let latency = evals.metrics(i, p).latency(objective);
                    (latency, evals.candidates[i].loss)
                })
                .collect();
            *f = pareto::frontier(&points)
                .into_iter()
                .map(|j| ids[j])
                .collect();
        }
        self.merged = evals.len();
    }
}
