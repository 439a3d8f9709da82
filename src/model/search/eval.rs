//! Evaluating candidates: loss from the law (method.md §2), latency and memory from the
//! roofline (§3), stored compactly so a million candidates fit in about 100 MB.

use super::space::{AttentionKind, SearchSpace};
use crate::model::device::Device;
use crate::model::law::{ArchCounts, Law, LawInputs, PowerCache};
use crate::model::params::param_counts;
use crate::model::precision::Precision;
use crate::model::roofline::evaluate;
use crate::model::workload::Workload;
use serde::Serialize;
use std::ops::Range;

pub use crate::model::roofline::Objective;

/// A candidate's shape, size and predicted loss (64 bytes). Latency and memory per precision
/// are in [`Metrics`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// Index in the space ([`SearchSpace::candidate`] rebuilds the architecture).
    pub index: u32,
    pub layers: u32,
    pub hidden: u32,
    pub heads: u32,
    pub kv_heads: u32,
    pub head_dim: u32,
    pub experts: u16,
    pub active: u16,
    /// Index into the space's attention kinds ([`SearchSpaceSpec::attention`]).
    ///
    /// [`SearchSpaceSpec::attention`]: super::SearchSpaceSpec::attention
    pub attention: u16,
    /// r as listed in the space (the law reads the exact width after rounding).
    pub ffn_ratio: f32,
    pub params_total: u64,
    pub params_active: u64,
    /// Predicted loss; infinite when the law cannot rank the candidate.
    pub loss: f64,
}

impl Candidate {
    pub fn is_moe(&self) -> bool {
        self.experts > 1
    }

    /// The law's view of the candidate from its stored shape (r as listed, d_m from the
    /// attention kind), for range checks over a whole report without rebuilding
    /// architectures; the search itself reads the exact architecture.
    pub fn law_inputs(&self, attention: &[AttentionKind], tokens: f64) -> LawInputs {
        let kv_width = match attention.get(self.attention as usize) {
            Some(AttentionKind::Mla {
                kv_lora_rank,
                rope_dim,
            }) => (*kv_lora_rank + *rope_dim) as f64,
            _ => self.kv_heads as f64 * self.head_dim as f64,
        };
        LawInputs {
            layers: self.layers as f64,
            hidden: self.hidden as f64,
            ffn_ratio: self.ffn_ratio as f64,
            rho: self.active as f64 / self.experts as f64,
            kv_width,
            params: self.params_total as f64,
            tokens,
            counts: ArchCounts {
                heads: self.heads as f64,
                kv_heads: self.kv_heads as f64,
                head_dim: self.head_dim as f64,
                experts: self.experts as f64,
                top_k: self.active as f64,
            },
        }
    }
}

/// Latency and memory of a candidate in one precision (20 bytes; `f32` keeps 7 digits,
/// plenty for a model whose inputs are known to a few percent).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub prefill_s: f32,
    pub decode_s: f32,
    pub total_s: f32,
    /// Weights + KV cache at the final context (the constraint of method.md §5 and the
    /// search's default memory limit; peak activations are left out, as the paper does).
    pub memory_bytes: f32,
    /// `memory_bytes` fits in the device's memory.
    pub fits: bool,
}

impl Metrics {
    /// This objective's latency, seconds ([`Objective::pick`] says which field that is).
    pub fn latency(&self, objective: Objective) -> f64 {
        objective.pick(self.prefill_s, self.decode_s, self.total_s) as f64
    }
}

/// Evaluated candidates, struct-of-arrays: `metrics[i·P + p]` is candidate `i` in precision
/// `p` of `precisions` (P of them).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evaluations {
    pub precisions: Vec<Precision>,
    pub candidates: Vec<Candidate>,
    pub metrics: Vec<Metrics>,
}

impl Evaluations {
    pub fn new(precisions: &[Precision]) -> Evaluations {
        Evaluations {
            precisions: precisions.to_vec(),
            candidates: Vec::new(),
            metrics: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Candidate `i` in precision `p` (index into `precisions`).
    #[inline]
    pub fn metrics(&self, i: usize, p: usize) -> &Metrics {
        &self.metrics[i * self.precisions.len() + p]
    }

    /// Appends another batch evaluated in the same precisions.
    pub fn append(&mut self, mut other: Evaluations) {
        assert_eq!(self.precisions, other.precisions, "precisions differ");
        self.candidates.append(&mut other.candidates);
        self.metrics.append(&mut other.metrics);
    }
}

/// What a candidate is evaluated against. Borrowed, so chunks cost no clones.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Evaluator<'a> {
    pub space: &'a SearchSpace,
    pub law: &'a Law,
    pub device: &'a Device,
    pub precisions: &'a [Precision],
    pub workload: &'a Workload,
    pub training_tokens: f64,
}

impl Evaluator<'_> {
    /// Evaluates candidate `index` (< count) and appends it to `out`; `powers` carries the
    /// law's powers from the previous candidate.
    pub fn push(&self, index: u64, out: &mut Evaluations, powers: &mut PowerCache) {
        let digits = self.space.digits(index);
        let point = self.space.point_of(digits);
        let arch = self
            .space
            .architecture(&point)
            .expect("validation makes every candidate a valid architecture");
        let counts = param_counts(&arch);
        let params_total = counts.total();
        let inputs = LawInputs::from_arch(&arch, params_total as f64, self.training_tokens);
        let memory_limit = self.device.usable_memory_bytes();
        for &precision in self.precisions {
            let r = evaluate(&arch, self.device, precision, self.workload);
            let memory = r.weights_bytes + r.kv_cache_bytes;
            out.metrics.push(Metrics {
                prefill_s: r.prefill_s as f32,
                decode_s: r.decode_s as f32,
                total_s: r.total_s as f32,
                memory_bytes: memory as f32,
                fits: memory <= memory_limit,
            });
        }
        out.candidates.push(Candidate {
            index: index as u32,
            layers: point.layers,
            hidden: point.hidden,
            heads: arch.heads(),
            kv_heads: point.kv_heads,
            head_dim: point.head_dim,
            experts: point.experts.experts as u16,
            active: point.experts.active as u16,
            attention: self.space.attention_index(digits),
            ffn_ratio: point.ffn_ratio as f32,
            params_total,
            params_active: counts.active(),
            loss: self.law.predict_cached(&inputs, powers),
        });
    }
}

/// Evaluates the candidates with indices in `range` (clipped to the space) in every
/// precision: loss with `training_tokens` for laws that read D (method.md §2), roofline
/// latency and memory on `device`. The unit of work a UI can schedule between frames.
pub fn evaluate_chunk(
    space: &SearchSpace,
    range: Range<u64>,
    law: &Law,
    device: &Device,
    precisions: &[Precision],
    workload: &Workload,
    training_tokens: f64,
) -> Evaluations {
    let ev = Evaluator {
        space,
        law,
        device,
        precisions,
        workload,
        training_tokens,
    };
    let range = range.start.min(space.count())..range.end.min(space.count());
    let mut out = Evaluations::new(precisions);
    let n = (range.end.saturating_sub(range.start)) as usize;
    out.candidates.reserve(n);
    out.metrics.reserve(n * precisions.len());
    let mut powers = PowerCache::default();
    for i in range {
        ev.push(i, &mut out, &mut powers);
    }
    out
}
