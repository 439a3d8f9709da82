//! The roofline latency and memory model (method.md §3).
//!
//! Each operator moves F FLOPs and M bytes and takes max(F/π, M/β), π being the device's
//! usable peak for the format the operator runs in and β its usable bandwidth. A prefill is
//! one pass over B·S_in tokens; decode step t (1 ≤ t ≤ S_out) processes B tokens attending to
//! a context of S_in + t. Two paths give the same numbers from one operator table (`ops.rs`):
//!
//! * [`evaluate`] — totals for the search: no allocation, the decode sum in closed form
//!   (`series.rs`), millions of evaluations per second.
//! * [`prefill_breakdown`] and [`decode_breakdown`] — every operator of a step, for tables.

mod derivation;
mod objective;
mod ops;
mod series;

pub use derivation::{
    bound_name, derive, Derivation, Line, OpAt, OpDerivation, PhaseDerivation, Quantity, Unit,
};
pub use objective::Objective;
pub use ops::OpClass;

use super::arch::Architecture;
use super::device::Device;
use super::precision::{NumFormat, Precision};
use super::weight_format::WeightFormat;
use super::workload::Workload;
use ops::{for_each_op, Ctx, LinOp, OpSink, Step};
use serde::Serialize;

/// Which of the two is the binding limit of an operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Compute,
    Memory,
}

/// FLOPs and bytes of one instance of an operator (one layer, one step).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Operator {
    pub name: &'static str,
    pub class: OpClass,
    pub flops: f64,
    pub weight_bytes: f64,
    /// Activations read and written.
    pub act_bytes: f64,
    /// KV cache read and written.
    pub kv_bytes: f64,
}

impl Operator {
    pub fn bytes(&self) -> f64 {
        self.weight_bytes + self.act_bytes + self.kv_bytes
    }

    /// FLOPs per byte moved.
    pub fn intensity(&self) -> f64 {
        self.flops / self.bytes()
    }

    /// max(F/π, M/β) with the device's peak for `format` and its bandwidth for `weights`
    /// (method.md §3).
    pub fn time(&self, device: &Device, format: NumFormat, weights: &WeightFormat) -> f64 {
        (self.flops / device.peak_flops(format)).max(self.bytes() / device.bandwidth_for(weights))
    }

    /// Compute-bound when the intensity exceeds the ridge point π/β.
    pub fn bound(&self, device: &Device, format: NumFormat, weights: &WeightFormat) -> Bound {
        if self.flops / device.peak_flops(format) > self.bytes() / device.bandwidth_for(weights) {
            Bound::Compute
        } else {
            Bound::Memory
        }
    }
}

/// An operator of a step with its format, its time and how many times the step runs it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OpCost {
    pub op: Operator,
    /// True for an operator of the layers, false for the embedding, final norm and LM head.
    pub per_layer: bool,
    /// Instances per step: layers it runs in (global or local layers when a sliding window
    /// splits them), 1 outside the layers.
    pub count: u32,
    /// Format the operator computes in (the peak it uses).
    pub format: NumFormat,
    /// Bits per stored weight it reads (its storage format), `None` when it reads no weights.
    pub weight_bits: Option<f64>,
    /// Time of one instance, seconds.
    pub time_s: f64,
    pub bound: Bound,
}

impl OpCost {
    /// Time of all instances in the step.
    pub fn total_s(&self) -> f64 {
        self.time_s * self.count as f64
    }
}

/// Prefill, or one decode step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Prefill,
    Decode,
}

impl Phase {
    /// "prefill" or "decode", as the page writes it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Prefill => "prefill",
            Phase::Decode => "decode",
        }
    }
}

/// Every operator of one step, for tables and charts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseBreakdown {
    pub phase: Phase,
    /// Context attended to: S_in for the prefill, S_in + t for decode step t.
    pub context: u64,
    pub ops: Vec<OpCost>,
    /// The weight format the operators were timed in: it picks the device's bandwidth
    /// fraction ([`Device::bandwidth_for`]).
    pub weights: WeightFormat,
}

impl PhaseBreakdown {
    /// Time of the step, seconds.
    pub fn total_s(&self) -> f64 {
        self.ops.iter().map(OpCost::total_s).sum()
    }

    /// Time of all layers.
    pub fn layers_s(&self) -> f64 {
        self.ops
            .iter()
            .filter(|o| o.per_layer)
            .map(OpCost::total_s)
            .sum()
    }

    /// Time of the embedding, final norm and LM head.
    pub fn non_layer_s(&self) -> f64 {
        self.total_s() - self.layers_s()
    }

    /// FLOPs of the whole step.
    pub fn flops(&self) -> f64 {
        self.ops.iter().map(|o| o.op.flops * o.count as f64).sum()
    }

    /// Bytes moved by the whole step.
    pub fn bytes(&self) -> f64 {
        self.ops.iter().map(|o| o.op.bytes() * o.count as f64).sum()
    }

    /// Weight bytes read by the whole step (all instances): the table's total row puts each
    /// kind of bytes under its own column, so the three add up to [`PhaseBreakdown::bytes`].
    pub fn weight_bytes(&self) -> f64 {
        self.sum(|o| o.weight_bytes)
    }

    /// Activation bytes read and written by the whole step.
    pub fn act_bytes(&self) -> f64 {
        self.sum(|o| o.act_bytes)
    }

    /// KV-cache bytes read and written by the whole step.
    pub fn kv_bytes(&self) -> f64 {
        self.sum(|o| o.kv_bytes)
    }

    fn sum(&self, of: impl Fn(&Operator) -> f64) -> f64 {
        self.ops.iter().map(|o| of(&o.op) * o.count as f64).sum()
    }
}

/// Latency and memory of a workload on a device (method.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LatencyReport {
    /// One pass over the B·S_in prompt tokens, seconds.
    pub prefill_s: f64,
    /// The S_out decode steps, seconds.
    pub decode_s: f64,
    pub total_s: f64,
    /// B·S_out / decode_s (all sequences together); 0 when nothing is generated.
    pub decode_tokens_per_s: f64,
    /// Stored weights: every parameter (all experts) × b_w; with the paper's operator set only
    /// the layers' attention and FFN weights (ξ_all of method.md §3).
    pub weights_bytes: f64,
    /// KV cache of B sequences at the final context S_in + S_out; sliding-window layers keep
    /// at most their window.
    pub kv_cache_bytes: f64,
    /// Estimate of the largest live activations, in the prefill of an unfused implementation:
    /// the residual stream plus the largest of attention scores (B·n_h·S_in·S_kv), FFN
    /// intermediates and logits; fused attention holds no scores.
    pub peak_activation_bytes: f64,
    /// Weights + KV cache + peak activations fit in the device's memory.
    pub fits_in_memory: bool,
}

impl LatencyReport {
    /// Weights + KV cache + peak activations, bytes.
    pub fn memory_bytes(&self) -> f64 {
        self.weights_bytes + self.kv_cache_bytes + self.peak_activation_bytes
    }
}

/// Time of an operator at attended context `s_kv` (already capped at its window).
#[inline(always)]
fn op_time(cx: &Ctx, op: &LinOp, s_kv: f64) -> f64 {
    let flops = op.flops.at(s_kv);
    let bytes = op.weight_bytes + op.act_bytes.at(s_kv) + op.kv_bytes.at(s_kv);
    (flops * cx.inv_peak[op.class.index()]).max(bytes * cx.inv_bw)
}

/// Σ over decode contexts c = lo..=hi of the operator's time at min(c, window), exactly.
#[inline(always)]
fn op_decode_sum(cx: &Ctx, op: &LinOp, lo: f64, hi: f64) -> f64 {
    let ip = cx.inv_peak[op.class.index()];
    let (a1, b1) = (op.flops.c0 * ip, op.flops.c1 * ip);
    let a2 = (op.weight_bytes + op.act_bytes.c0 + op.kv_bytes.c0) * cx.inv_bw;
    let b2 = (op.act_bytes.c1 + op.kv_bytes.c1) * cx.inv_bw;
    if b1 == 0.0 && b2 == 0.0 {
        return (hi - lo + 1.0) * a1.max(a2);
    }
    let w = op.window;
    if w >= hi {
        return series::sum_max_of_lines(a1, b1, a2, b2, lo, hi);
    }
    // Beyond the window the attended context, hence the time, stays at its value at w.
    let capped = (hi - lo.max(w + 1.0) + 1.0).max(0.0) * (a1 + b1 * w).max(a2 + b2 * w);
    series::sum_max_of_lines(a1, b1, a2, b2, lo, w.min(hi)) + capped
}

/// Accumulates the prefill time.
struct PrefillSum<'a> {
    cx: &'a Ctx,
    total: f64,
}

impl OpSink for PrefillSum<'_> {
    #[inline(always)]
    fn op(&mut self, op: LinOp) {
        let s_kv = self.cx.prompt.min(op.window);
        self.total += op.count as f64 * op_time(self.cx, &op, s_kv);
    }
}

/// Accumulates the decode time over contexts lo..=hi.
struct DecodeSum<'a> {
    cx: &'a Ctx,
    lo: f64,
    hi: f64,
    total: f64,
}

impl OpSink for DecodeSum<'_> {
    #[inline(always)]
    fn op(&mut self, op: LinOp) {
        self.total += op.count as f64 * op_decode_sum(self.cx, &op, self.lo, self.hi);
    }
}

/// Collects the operators of a step at one context, for tables.
struct Collect<'a> {
    cx: &'a Ctx,
    device: &'a Device,
    precision: Precision,
    context: f64,
    ops: Vec<OpCost>,
}

impl OpSink for Collect<'_> {
    fn op(&mut self, op: LinOp) {
        let s_kv = self.context.min(op.window);
        let operator = Operator {
            name: op.name,
            class: op.class,
            flops: op.flops.at(s_kv),
            weight_bytes: op.weight_bytes,
            act_bytes: op.act_bytes.at(s_kv),
            kv_bytes: op.kv_bytes.at(s_kv),
        };
        let format = match op.class {
            OpClass::Matmul => self.precision.matmul_format(),
            OpClass::Attention => self.precision.attention_format(),
            OpClass::Vector => self.precision.vector_format(),
        };
        self.ops.push(OpCost {
            op: operator,
            per_layer: op.per_layer,
            count: op.count,
            format,
            weight_bits: (op.weight_bytes > 0.0)
                .then(|| self.cx.wb.bits_of_operator(op.name))
                .flatten(),
            time_s: op_time(self.cx, &op, s_kv),
            bound: operator.bound(self.device, format, &self.precision.weights),
        });
    }
}

/// Latency and memory of `arch` running `workload` on `device` in `precision`.
///
/// The decode sum over the S_out steps is exact and O(1) per operator; equal to summing
/// [`decode_breakdown`] over contexts S_in+1 ..= S_in+S_out (tested).
pub fn evaluate(
    arch: &Architecture,
    device: &Device,
    precision: Precision,
    workload: &Workload,
) -> LatencyReport {
    let cx = Ctx::new(arch, device, precision, workload);
    let mut prefill = PrefillSum {
        cx: &cx,
        total: 0.0,
    };
    for_each_op(&cx, Step::prefill(&cx), &mut prefill);
    // One forward pass over the prompt, then one per generated token, each with the device's
    // per-step overhead (0 for rated devices: the pure roofline).
    let overhead = device.step_overhead_s(arch.spec().layers);
    let prefill_s = prefill.total + overhead;
    let mut decode = DecodeSum {
        cx: &cx,
        lo: cx.prompt + 1.0,
        hi: cx.prompt + cx.generated,
        total: 0.0,
    };
    if cx.generated > 0.0 {
        for_each_op(&cx, Step::decode(&cx), &mut decode);
    }
    let decode_s = decode.total + cx.generated * overhead;
    let weights_bytes = cx.stored_weight_bytes(arch);
    let kv_cache_bytes = kv_cache_bytes(&cx, workload.final_context() as f64);
    let peak_activation_bytes = peak_activation_bytes(&cx);
    let memory = weights_bytes + kv_cache_bytes + peak_activation_bytes;
    LatencyReport {
        prefill_s,
        decode_s,
        total_s: prefill_s + decode_s,
        decode_tokens_per_s: if decode_s > 0.0 {
            cx.batch * cx.generated / decode_s
        } else {
            0.0
        },
        weights_bytes,
        kv_cache_bytes,
        peak_activation_bytes,
        fits_in_memory: memory <= device.usable_memory_bytes(),
    }
}

fn kv_cache_bytes(cx: &Ctx, context: f64) -> f64 {
    let tokens = cx.n_global as f64 * context + cx.n_local as f64 * context.min(cx.window);
    cx.batch * tokens * cx.kv_elems * cx.bkv
}

fn peak_activation_bytes(cx: &Ctx) -> f64 {
    let tokens = cx.batch * cx.prompt;
    let residual = tokens * cx.d * cx.ba;
    let widest_window = if cx.n_global > 0 {
        cx.prompt
    } else {
        cx.prompt.min(cx.window)
    };
    let scores = if cx.fused {
        0.0
    } else {
        cx.batch * cx.heads * cx.prompt * widest_window * cx.bv
    };
    let branches = if cx.gated() { 2.0 } else { 1.0 };
    let ffn =
        tokens * (branches * cx.active * cx.expert_width + branches * cx.shared_width) * cx.ba;
    let logits = if cx.full {
        cx.batch * cx.vocab * cx.ba
    } else {
        0.0
    };
    residual + scores.max(ffn).max(logits)
}

fn breakdown(
    cx: &Ctx,
    device: &Device,
    precision: Precision,
    step: Step,
    context: u64,
) -> PhaseBreakdown {
    let mut collect = Collect {
        cx,
        device,
        precision,
        context: context as f64,
        ops: Vec::new(),
    };
    for_each_op(cx, step, &mut collect);
    let ops = collect.ops;
    PhaseBreakdown {
        phase: if step.decode {
            Phase::Decode
        } else {
            Phase::Prefill
        },
        context,
        ops,
        weights: precision.weights,
    }
}

/// Every operator of the prefill (B·S_in tokens, context S_in).
pub fn prefill_breakdown(
    arch: &Architecture,
    device: &Device,
    precision: Precision,
    workload: &Workload,
) -> PhaseBreakdown {
    let cx = Ctx::new(arch, device, precision, workload);
    breakdown(
        &cx,
        device,
        precision,
        Step::prefill(&cx),
        workload.prompt_tokens() as u64,
    )
}

/// Every operator of one decode step of B tokens attending to `context` tokens (step t has
/// context S_in + t; the workload's S_out does not matter here).
pub fn decode_breakdown(
    arch: &Architecture,
    device: &Device,
    precision: Precision,
    workload: &Workload,
    context: u64,
) -> PhaseBreakdown {
    let cx = Ctx::new(arch, device, precision, workload);
    breakdown(&cx, device, precision, Step::decode(&cx), context)
}
