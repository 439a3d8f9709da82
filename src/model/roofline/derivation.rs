//! How a predicted latency is computed, with every number filled in (issue 16, point 5).
//!
//! [`derive`] walks the same operator table as [`evaluate`](super::evaluate) and returns, for
//! the prefill and for decode, each operator's FLOPs and bytes (weights, KV cache,
//! activations), its compute time F/π and memory time M/β, which of the two binds, and the
//! sums that give the latency (method.md §3). The totals are computed in the order `evaluate`
//! computes them, so they equal its `prefill_s` and `decode_s` (tested in
//! `tests/derivation.rs`): a user can check the page's number by hand, line by line.
//!
//! Decode is S_out steps whose attended context grows from S_in + 1 to S_in + S_out. The
//! derivation shows each operator at the first and the last step and the exact sum over all
//! steps (the closed form `evaluate` uses, `series.rs`): an operator's time is the larger of
//! two lines in the context, so it may change bound once between the two ends.

use std::fmt;

use serde::Serialize;

use super::ops::{for_each_op, Ctx, LinOp, OpSink, Step};
use super::{op_decode_sum, Bound, OpClass, Phase};
use crate::model::arch::Architecture;
use crate::model::device::Device;
use crate::model::precision::{NumFormat, Precision};
use crate::model::workload::Workload;

/// Unit of a [`Quantity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Bytes,
    Flops,
    BytesPerSecond,
    FlopsPerSecond,
    Seconds,
    /// Tokens or instances: a plain count.
    Count,
    /// A dimensionless number (a fraction).
    Ratio,
}

/// A number with its unit; `Display` gives it with an SI prefix and 4 significant digits
/// ("1.234 GB", "12.35 ms", "67.50 TFLOP/s").
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quantity {
    pub value: f64,
    pub unit: Unit,
}

impl Quantity {
    pub fn new(value: f64, unit: Unit) -> Quantity {
        Quantity { value, unit }
    }
}

/// `v` with 4 significant digits and an SI prefix (decimal: G = 1e9, as specs are stated).
fn prefixed(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    let (scale, prefix) = [
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
    ]
    .into_iter()
    .find(|(s, _)| a >= *s)
    .unwrap_or((1.0, ""));
    let x = v / scale;
    format!("{} {prefix}{unit}", significant(x))
}

/// `x` with 4 significant digits, without a trailing ".0…" for whole numbers below 1000.
fn significant(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}

fn seconds(s: f64) -> String {
    if !s.is_finite() {
        return "—".into();
    }
    let a = s.abs();
    let (scale, unit) = if a == 0.0 || a >= 1.0 {
        (1.0, "s")
    } else if a >= 1e-3 {
        (1e-3, "ms")
    } else if a >= 1e-6 {
        (1e-6, "µs")
    } else {
        (1e-9, "ns")
    };
    format!("{} {unit}", significant(s / scale))
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value;
        let s = match self.unit {
            Unit::Bytes => prefixed(v, "B"),
            Unit::Flops => prefixed(v, "FLOP"),
            Unit::BytesPerSecond => prefixed(v, "B/s"),
            Unit::FlopsPerSecond => prefixed(v, "FLOP/s"),
            Unit::Seconds => seconds(v),
            Unit::Count if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
            Unit::Count | Unit::Ratio => significant(v),
        };
        f.write_str(&s)
    }
}

/// One line of a derivation: what it is, how it is computed with the numbers substituted,
/// and its value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    pub label: String,
    pub formula: String,
    pub value: Quantity,
}

fn line(label: impl Into<String>, formula: impl Into<String>, value: f64, unit: Unit) -> Line {
    Line {
        label: label.into(),
        formula: formula.into(),
        value: Quantity::new(value, unit),
    }
}

/// One instance of an operator at one attended context.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OpAt {
    /// Context attended to, capped at the operator's window.
    pub context: u64,
    pub flops: f64,
    pub weight_bytes: f64,
    pub kv_bytes: f64,
    pub act_bytes: f64,
    /// Weights + KV cache + activations.
    pub bytes: f64,
    /// FLOPs ÷ π of the operator's format.
    pub compute_s: f64,
    /// Bytes ÷ β.
    pub memory_s: f64,
    /// max(compute_s, memory_s).
    pub time_s: f64,
    pub bound: Bound,
}

impl OpAt {
    fn new(cx: &Ctx, op: &LinOp, context: f64) -> OpAt {
        let s_kv = context.min(op.window);
        let flops = op.flops.at(s_kv);
        let (weight_bytes, kv_bytes, act_bytes) =
            (op.weight_bytes, op.kv_bytes.at(s_kv), op.act_bytes.at(s_kv));
        // Summed in the order `op_time` sums them, so the time is the one `evaluate` uses.
        let bytes = weight_bytes + act_bytes + kv_bytes;
        let compute_s = flops * cx.inv_peak[op.class.index()];
        let memory_s = bytes * cx.inv_bw;
        OpAt {
            context: s_kv as u64,
            flops,
            weight_bytes,
            kv_bytes,
            act_bytes,
            bytes,
            compute_s,
            memory_s,
            time_s: compute_s.max(memory_s),
            // The test of `Operator::bound`: compute-bound when F/π exceeds M/β.
            bound: if compute_s > memory_s {
                Bound::Compute
            } else {
                Bound::Memory
            },
        }
    }
}

/// One operator of a phase: where it runs, what it moves, and its time summed over the
/// phase.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpDerivation {
    pub name: &'static str,
    pub class: OpClass,
    /// Instances per step: the layers it runs in, or 1 outside the layers.
    pub count: u32,
    pub per_layer: bool,
    /// Format it computes in (the peak π it uses).
    pub format: NumFormat,
    /// Bits per stored weight it reads, `None` without weights.
    pub weight_bits: Option<f64>,
    /// The sliding window it attends within, if any.
    pub window: Option<u64>,
    /// The prefill pass, or the first decode step.
    pub first: OpAt,
    /// The last decode step (`None` for the prefill and for a single decode step).
    pub last: Option<OpAt>,
    /// count × time for the prefill; count × Σ over the decode steps of the time.
    pub total_s: f64,
}

/// Prefill or decode, derived.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseDerivation {
    pub phase: Phase,
    /// Forward steps: 1 for the prefill, S_out for decode.
    pub steps: u64,
    /// Attended context of the first and the last step.
    pub first_context: u64,
    pub last_context: u64,
    pub ops: Vec<OpDerivation>,
    /// Bytes, FLOPs and time, step by step, ending with the latency.
    pub lines: Vec<Line>,
    /// Σ over operators (and steps) of count × max(compute, memory), seconds.
    pub operators_s: f64,
    /// steps × the device's per-step overhead, seconds.
    pub overhead_s: f64,
    /// operators_s + overhead_s: `evaluate`'s `prefill_s` or `decode_s`.
    pub total_s: f64,
}

/// The whole derivation of a latency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derivation {
    /// The device's achievable bandwidth and peaks and its per-step overhead.
    pub device: Vec<Line>,
    pub prefill: PhaseDerivation,
    pub decode: PhaseDerivation,
    /// prefill + decode, seconds.
    pub total_s: f64,
}

/// Which units an operator class runs on, for the peak lines.
fn class_role(class: OpClass) -> &'static str {
    match class {
        OpClass::Matmul => "weight matmuls",
        OpClass::Attention => "Q·Kᵀ and scores·V",
        OpClass::Vector => "element-wise ops",
    }
}

fn bytes(b: f64) -> String {
    Quantity::new(b, Unit::Bytes).to_string()
}

fn flops(f: f64) -> String {
    Quantity::new(f, Unit::Flops).to_string()
}

fn secs(s: f64) -> String {
    Quantity::new(s, Unit::Seconds).to_string()
}

/// Collects the operators of a phase with their times, summing as `evaluate` sums.
struct Derive<'a> {
    cx: &'a Ctx,
    precision: Precision,
    decode: bool,
    /// Prefill: S_in. Decode: first and last context.
    lo: f64,
    hi: f64,
    operators_s: f64,
    ops: Vec<OpDerivation>,
}

impl OpSink for Derive<'_> {
    fn op(&mut self, op: LinOp) {
        let first = OpAt::new(self.cx, &op, self.lo);
        let (last, total_s) = if self.decode {
            let last = (self.hi > self.lo).then(|| OpAt::new(self.cx, &op, self.hi));
            let sum = op.count as f64 * op_decode_sum(self.cx, &op, self.lo, self.hi);
            (last, sum)
        } else {
            (None, op.count as f64 * first.time_s)
        };
        self.operators_s += total_s;
        let format = match op.class {
            OpClass::Matmul => self.precision.matmul_format(),
            OpClass::Attention => self.precision.attention_format(),
            OpClass::Vector => self.precision.vector_format(),
        };
        self.ops.push(OpDerivation {
            name: op.name,
            class: op.class,
            count: op.count,
            per_layer: op.per_layer,
            format,
            weight_bits: (op.weight_bytes > 0.0)
                .then(|| self.cx.wb.bits_of_operator(op.name))
                .flatten(),
            window: op.window.is_finite().then_some(op.window as u64),
            first,
            last,
            total_s,
        });
    }
}

/// Σ over operators of count × `of` at one step.
fn step_sum(ops: &[OpDerivation], at: impl Fn(&OpDerivation) -> OpAt, of: fn(&OpAt) -> f64) -> f64 {
    ops.iter().map(|o| o.count as f64 * of(&at(o))).sum()
}

/// The byte and FLOP lines of one step (`what` names it: "prefill", "first step").
fn step_lines(
    ops: &[OpDerivation],
    what: &str,
    at: impl Fn(&OpDerivation) -> OpAt + Copy,
) -> Vec<Line> {
    let w = step_sum(ops, at, |a| a.weight_bytes);
    let kv = step_sum(ops, at, |a| a.kv_bytes);
    let act = step_sum(ops, at, |a| a.act_bytes);
    let total = step_sum(ops, at, |a| a.bytes);
    let f = step_sum(ops, at, |a| a.flops);
    vec![
        line(
            format!("Weights read, {what}"),
            "Σ instances × weight bytes of each operator (its weights × their bits per weight ÷ 8)",
            w,
            Unit::Bytes,
        ),
        line(
            format!("KV cache read and written, {what}"),
            "Σ instances × KV-cache bytes of each operator",
            kv,
            Unit::Bytes,
        ),
        line(
            format!("Activations read and written, {what}"),
            "Σ instances × activation bytes of each operator",
            act,
            Unit::Bytes,
        ),
        line(
            format!("Bytes moved, {what}"),
            format!("{} + {} + {}", bytes(w), bytes(kv), bytes(act)),
            total,
            Unit::Bytes,
        ),
        line(
            format!("FLOPs, {what}"),
            "Σ instances × FLOPs of each operator",
            f,
            Unit::Flops,
        ),
    ]
}

/// "12 memory-bound, 3 compute-bound" over the operators' bounds at one step.
fn bound_counts(ops: &[OpDerivation], at: impl Fn(&OpDerivation) -> OpAt) -> String {
    let compute = ops.iter().filter(|o| at(o).bound == Bound::Compute).count();
    format!(
        "{} memory-bound, {} compute-bound operators",
        ops.len() - compute,
        compute
    )
}

/// The filled-in derivation of `evaluate(arch, device, precision, workload)`'s prefill and
/// decode latency.
pub fn derive(
    arch: &Architecture,
    device: &Device,
    precision: Precision,
    workload: &Workload,
) -> Derivation {
    let cx = Ctx::new(arch, device, precision, workload);
    let overhead = device.step_overhead_s(arch.spec().layers);
    let spec = device.spec();

    let fraction = device.bandwidth_fraction_for(&precision.weights);
    let own = spec
        .format_bandwidth_fractions
        .get(&precision.weights)
        .is_some();
    let mut device_lines = vec![line(
        "Achievable bandwidth β",
        format!(
            "rated {} × bandwidth fraction {}{}",
            Quantity::new(spec.bandwidth_gbps * 1e9, Unit::BytesPerSecond),
            significant(fraction),
            if own {
                format!(" (measured for {} weights)", precision.weights)
            } else {
                String::new()
            }
        ),
        device.bandwidth_for(&precision.weights),
        Unit::BytesPerSecond,
    )];
    for class in [OpClass::Matmul, OpClass::Attention, OpClass::Vector] {
        let format = match class {
            OpClass::Matmul => precision.matmul_format(),
            OpClass::Attention => precision.attention_format(),
            OpClass::Vector => precision.vector_format(),
        };
        let peak = device.peak_flops(format);
        let rated = [
            spec.fp32_tflops,
            spec.fp16_tflops,
            spec.bf16_tflops,
            spec.fp8_tflops,
            spec.int8_tops,
            spec.int4_tops,
        ][format as usize];
        let rated_peak = Quantity::new(peak / spec.compute_fraction, Unit::FlopsPerSecond);
        let rated_text = match rated {
            Some(_) => format!("rated {} peak {rated_peak}", format.name()),
            // The fallbacks of `Device::peak_flops`.
            None => format!(
                "{} not rated, so the peak of the units it falls back to, {rated_peak},",
                format.name()
            ),
        };
        device_lines.push(line(
            format!(
                "Achievable peak π, {} ({})",
                format.name(),
                class_role(class)
            ),
            format!(
                "{rated_text} × compute fraction {}",
                significant(spec.compute_fraction)
            ),
            peak,
            Unit::FlopsPerSecond,
        ));
    }
    let (constant_ms, per_layer_ms) = (spec.step_overhead_ms, spec.layer_overhead_ms);
    let layers = arch.spec().layers;
    device_lines.push(line(
        "Per-step overhead",
        if !device.has_overhead() {
            "0 for rated numbers (the pure roofline)".to_string()
        } else if constant_ms == 0.0 {
            format!(
                "calibrated: {layers} layers × {} per layer, added to every forward step (the \
                 prefill pass, each decode step)",
                secs(per_layer_ms * 1e-3)
            )
        } else {
            format!(
                "{} + {layers} layers × {} per layer, added to every forward step (the \
                 prefill pass, each decode step)",
                secs(constant_ms * 1e-3),
                secs(per_layer_ms * 1e-3)
            )
        },
        overhead,
        Unit::Seconds,
    ));

    // Prefill: one pass over B·S_in tokens at context S_in.
    let mut pre = Derive {
        cx: &cx,
        precision,
        decode: false,
        lo: cx.prompt,
        hi: cx.prompt,
        operators_s: 0.0,
        ops: Vec::new(),
    };
    for_each_op(&cx, Step::prefill(&cx), &mut pre);
    let prefill_s = pre.operators_s + overhead;
    let mut lines = vec![line(
        "Tokens in the pass",
        format!("B × S_in = {} × {}", cx.batch, cx.prompt),
        cx.batch * cx.prompt,
        Unit::Count,
    )];
    lines.extend(step_lines(&pre.ops, "prefill", |o| o.first));
    lines.push(line(
        "Operators",
        format!(
            "Σ instances × max(FLOPs ÷ π, bytes ÷ β): {}",
            bound_counts(&pre.ops, |o| o.first)
        ),
        pre.operators_s,
        Unit::Seconds,
    ));
    lines.push(line(
        "Overhead",
        format!("1 step × {}", secs(overhead)),
        overhead,
        Unit::Seconds,
    ));
    lines.push(line(
        "Prefill latency",
        format!("{} + {}", secs(pre.operators_s), secs(overhead)),
        prefill_s,
        Unit::Seconds,
    ));
    let prefill = PhaseDerivation {
        phase: Phase::Prefill,
        steps: 1,
        first_context: cx.prompt as u64,
        last_context: cx.prompt as u64,
        ops: pre.ops,
        lines,
        operators_s: pre.operators_s,
        overhead_s: overhead,
        total_s: prefill_s,
    };

    // Decode: S_out steps of B tokens at contexts S_in + 1 ..= S_in + S_out.
    let mut dec = Derive {
        cx: &cx,
        precision,
        decode: true,
        lo: cx.prompt + 1.0,
        hi: cx.prompt + cx.generated,
        operators_s: 0.0,
        ops: Vec::new(),
    };
    if cx.generated > 0.0 {
        for_each_op(&cx, Step::decode(&cx), &mut dec);
    }
    let decode_overhead = cx.generated * overhead;
    let decode_s = dec.operators_s + decode_overhead;
    let mut lines = vec![line(
        "Decode steps",
        format!(
            "S_out = {}, each of B = {} tokens, context S_in + 1 = {} to S_in + S_out = {}",
            cx.generated,
            cx.batch,
            cx.prompt + 1.0,
            cx.prompt + cx.generated
        ),
        cx.generated,
        Unit::Count,
    )];
    if cx.generated > 0.0 {
        lines.extend(step_lines(&dec.ops, "first step", |o| o.first));
        lines.push(line(
            "First step, operators",
            format!(
                "Σ instances × max(FLOPs ÷ π, bytes ÷ β): {}",
                bound_counts(&dec.ops, |o| o.first)
            ),
            step_sum(&dec.ops, |o| o.first, |a| a.time_s),
            Unit::Seconds,
        ));
        if cx.generated > 1.0 {
            let last = |o: &OpDerivation| o.last.unwrap_or(o.first);
            lines.extend(step_lines(&dec.ops, "last step", last));
            lines.push(line(
                "Last step, operators",
                format!(
                    "Σ instances × max(FLOPs ÷ π, bytes ÷ β): {}",
                    bound_counts(&dec.ops, last)
                ),
                step_sum(&dec.ops, last, |a| a.time_s),
                Unit::Seconds,
            ));
        }
        lines.push(line(
            "Operators over all steps",
            format!(
                "Σ over the {} steps of each step's operator time (exact sum: every operator's \
                 time is the larger of two lines in the context)",
                cx.generated
            ),
            dec.operators_s,
            Unit::Seconds,
        ));
    }
    lines.push(line(
        "Overhead",
        format!("{} steps × {}", cx.generated, secs(overhead)),
        decode_overhead,
        Unit::Seconds,
    ));
    lines.push(line(
        "Decode latency",
        format!("{} + {}", secs(dec.operators_s), secs(decode_overhead)),
        decode_s,
        Unit::Seconds,
    ));
    if cx.generated > 0.0 {
        lines.push(line(
            "Mean step",
            format!("{} ÷ {} steps", secs(decode_s), cx.generated),
            decode_s / cx.generated,
            Unit::Seconds,
        ));
    }
    let decode = PhaseDerivation {
        phase: Phase::Decode,
        steps: cx.generated as u64,
        first_context: (cx.prompt + 1.0) as u64,
        last_context: (cx.prompt + cx.generated) as u64,
        ops: dec.ops,
        lines,
        operators_s: dec.operators_s,
        overhead_s: decode_overhead,
        total_s: decode_s,
    };

    Derivation {
        device: device_lines,
        total_s: prefill.total_s + decode.total_s,
        prefill,
        decode,
    }
}

impl OpDerivation {
    /// "2 × 1.2 MFLOP ÷ π, 3.4 MB ÷ β: memory-bound" style summary of one step, for text.
    fn describe(&self, at: &OpAt) -> String {
        let bits = self
            .weight_bits
            .map(|b| format!(", weights at {} bits", significant(b)))
            .unwrap_or_default();
        format!(
            "{}, {} (weights {} + KV cache {} + activations {}{bits}): compute {} vs memory {} \
             → {}-bound, {}",
            flops(at.flops),
            bytes(at.bytes),
            bytes(at.weight_bytes),
            bytes(at.kv_bytes),
            bytes(at.act_bytes),
            secs(at.compute_s),
            secs(at.memory_s),
            bound_name(at.bound),
            secs(at.time_s)
        )
    }
}

/// "compute" or "memory".
pub fn bound_name(b: Bound) -> &'static str {
    match b {
        Bound::Compute => "compute",
        Bound::Memory => "memory",
    }
}

impl Derivation {
    /// The derivation as plain text, one line per step, for copying.
    pub fn to_text(&self) -> String {
        let put = |text: &mut String, l: &Line| {
            text.push_str(&format!("{}: {} = {}\n", l.label, l.formula, l.value));
        };
        let mut text = String::new();
        for l in &self.device {
            put(&mut text, l);
        }
        for phase in [&self.prefill, &self.decode] {
            text.push_str(match phase.phase {
                Phase::Prefill => "\nPrefill\n",
                Phase::Decode => "\nDecode\n",
            });
            for o in &phase.ops {
                text.push_str(&format!(
                    "  {} ×{} in {}: {}",
                    o.name,
                    o.count,
                    o.format.name(),
                    o.describe(&o.first)
                ));
                if let Some(last) = &o.last {
                    text.push_str(&format!("; last step: {}", o.describe(last)));
                }
                text.push_str(&format!("; total {}\n", secs(o.total_s)));
            }
            for l in &phase.lines {
                put(&mut text, l);
            }
        }
        text.push_str(&format!(
            "\nTotal latency: prefill + decode = {}\n",
            secs(self.total_s)
        ));
        text
    }
}
