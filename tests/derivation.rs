//! The filled-in derivation of a latency (issue 16, point 5): its totals are `evaluate`'s, its
//! byte lines add up, and each operator's bound is the larger of its two times.

mod common;

use common::{dense, gemma_3_1b, plm_1_8b, qwen2_5_0_5b, smollm2_360m, standard};
use roofscale::model::arch::{Architecture, FfnKind, Moe};
use roofscale::model::device::{device_presets, Device};
use roofscale::model::gguf_mix::GgufScheme;
use roofscale::model::precision::{NumFormat, Precision};
use roofscale::model::roofline::{
    derive, evaluate, prefill_breakdown, Bound, Derivation, OpAt, PhaseDerivation, Quantity, Unit,
};
use roofscale::model::weight_format::WeightFormat;
use roofscale::model::workload::{OperatorSet, Workload, WorkloadSpec};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}

fn moe() -> Architecture {
    let mut spec = dense(8, 1024, 32000, standard(8, 2, 128), FfnKind::SwiGlu, 512);
    spec.moe = Some(Moe {
        experts: 8,
        active: 2,
        expert_intermediate: 512,
        shared_experts: 1,
        shared_intermediate: 1024,
    });
    Architecture::new(spec).unwrap()
}

fn architectures() -> Vec<(&'static str, Architecture)> {
    vec![
        ("Qwen2.5-0.5B", qwen2_5_0_5b()),
        ("SmolLM2-360M", smollm2_360m()),
        ("Gemma-3-1B (sliding window)", gemma_3_1b()),
        ("PLM-1.8B (MLA, ReLU²)", plm_1_8b()),
        ("MoE 8×top-2 + shared", moe()),
    ]
}

/// Presets, one with fractions below 1, one with a calibrated per-layer overhead, and one with
/// both a constant and a per-layer overhead (a device file may give both).
fn devices() -> Vec<Device> {
    let presets = device_presets();
    let first = presets[0].clone();
    let last = presets[presets.len() - 1].clone();
    let derated = first
        .with_bandwidth_fraction(0.7)
        .unwrap()
        .with_compute_fraction(0.45)
        .unwrap();
    let both = last
        .with_step_overhead_ms(3.5)
        .unwrap()
        .with_layer_overhead_ms(0.02)
        .unwrap();
    let calibrated = last
        .with_bandwidth_fraction(0.8)
        .unwrap()
        .with_layer_overhead_ms(0.1)
        .unwrap();
    vec![first, last, derated, both, calibrated]
}

fn precisions() -> Vec<Precision> {
    vec![
        Precision::FP16,
        Precision::INT8,
        Precision::W4A16,
        Precision::weight_only(WeightFormat::Gguf(GgufScheme::Q4_K_M)),
        Precision::weight_only(WeightFormat::Gguf(GgufScheme::Q8_0)),
    ]
}

fn workloads() -> Vec<Workload> {
    let w = |batch, prompt, generated, operators, fused| {
        Workload::new(WorkloadSpec {
            batch,
            prompt_tokens: prompt,
            generated_tokens: generated,
            operators,
            fused_attention: fused,
            ..WorkloadSpec::default()
        })
        .unwrap()
    };
    vec![
        Workload::new(WorkloadSpec::default()).unwrap(),
        w(1, 1, 1, OperatorSet::Full, false),
        w(1, 512, 0, OperatorSet::Full, false),
        w(4, 2048, 300, OperatorSet::Full, true),
        w(1, 1024, 16, OperatorSet::Paper, false),
    ]
}

/// Every combination, with a name for failure messages.
fn cases() -> Vec<(String, Derivation, f64, f64)> {
    let mut out = Vec::new();
    for (name, arch) in architectures() {
        for device in devices() {
            for p in precisions() {
                for w in workloads() {
                    let d = derive(&arch, &device, p, &w);
                    let r = evaluate(&arch, &device, p, &w);
                    let what = format!("{name} on {} in {} with {:?}", device.name(), p.name(), w);
                    out.push((what, d, r.prefill_s, r.decode_s));
                }
            }
        }
    }
    out
}

#[test]
fn totals_equal_evaluate() {
    for (what, d, prefill_s, decode_s) in cases() {
        assert!(
            close(d.prefill.total_s, prefill_s),
            "{what}: prefill {} vs {prefill_s}",
            d.prefill.total_s
        );
        assert!(
            close(d.decode.total_s, decode_s),
            "{what}: decode {} vs {decode_s}",
            d.decode.total_s
        );
        assert!(close(d.total_s, prefill_s + decode_s), "{what}: total");
        // The last line of each phase is its latency.
        let last = d.prefill.lines.last().unwrap();
        assert_eq!(last.label, "Prefill latency");
        assert_eq!(last.value.value, d.prefill.total_s);
        let last = d.decode.lines.iter().find(|l| l.label == "Decode latency");
        assert_eq!(last.unwrap().value.value, d.decode.total_s, "{what}");
    }
}

#[test]
fn overhead_is_one_step_for_the_prefill_and_one_per_generated_token() {
    for (what, d, ..) in cases() {
        let per_step = d.device.iter().find(|l| l.label == "Per-step overhead");
        let per_step = per_step.unwrap().value.value;
        assert_eq!(d.prefill.overhead_s, per_step, "{what}");
        assert!(
            close(d.decode.overhead_s, d.decode.steps as f64 * per_step) || per_step == 0.0,
            "{what}"
        );
        assert_eq!(
            d.prefill.total_s,
            d.prefill.operators_s + d.prefill.overhead_s
        );
        assert_eq!(d.decode.total_s, d.decode.operators_s + d.decode.overhead_s);
    }
    // 0.1 ms per layer: 32 layers pay 3.2 ms a step, 80 layers 8 ms.
    let calibrated = devices().pop().unwrap();
    assert!(close(calibrated.step_overhead_s(32), 3.2e-3));
    assert!(close(calibrated.step_overhead_s(80), 8e-3));
    let both = devices()[3].clone();
    assert!(close(both.step_overhead_s(40), 3.5e-3 + 40.0 * 0.02e-3));
}

fn value(phase: &PhaseDerivation, label: &str) -> f64 {
    phase
        .lines
        .iter()
        .find(|l| l.label == label)
        .unwrap_or_else(|| panic!("no line {label:?}"))
        .value
        .value
}

fn check_step(what: &str, phase: &PhaseDerivation, step: &str, at: impl Fn(usize) -> OpAt) {
    let w = value(phase, &format!("Weights read, {step}"));
    let kv = value(phase, &format!("KV cache read and written, {step}"));
    let act = value(phase, &format!("Activations read and written, {step}"));
    let total = value(phase, &format!("Bytes moved, {step}"));
    assert!(close(w + kv + act, total), "{what} {step}: bytes add up");
    let by_op: f64 = (0..phase.ops.len())
        .map(|i| phase.ops[i].count as f64 * at(i).bytes)
        .sum();
    assert!(close(by_op, total), "{what} {step}: operators' bytes");
    for i in 0..phase.ops.len() {
        let a = at(i);
        let o = &phase.ops[i];
        assert!(
            close(a.weight_bytes + a.kv_bytes + a.act_bytes, a.bytes),
            "{what} {step} {}",
            o.name
        );
        assert_eq!(a.time_s, a.compute_s.max(a.memory_s));
        match a.bound {
            Bound::Memory => assert!(a.memory_s >= a.compute_s, "{what} {step} {}", o.name),
            Bound::Compute => assert!(a.compute_s > a.memory_s, "{what} {step} {}", o.name),
        }
        assert_eq!(o.weight_bits.is_some(), a.weight_bytes > 0.0, "{}", o.name);
    }
}

#[test]
fn byte_lines_add_up_and_bounds_follow_the_times() {
    for (what, d, ..) in cases() {
        check_step(&what, &d.prefill, "prefill", |i| d.prefill.ops[i].first);
        let ops: f64 = d.prefill.ops.iter().map(|o| o.total_s).sum();
        assert!(close(ops, d.prefill.operators_s), "{what}");
        if d.decode.steps > 0 {
            check_step(&what, &d.decode, "first step", |i| d.decode.ops[i].first);
            let ops: f64 = d.decode.ops.iter().map(|o| o.total_s).sum();
            assert!(close(ops, d.decode.operators_s), "{what}");
        }
        if d.decode.steps > 1 {
            check_step(&what, &d.decode, "last step", |i| {
                d.decode.ops[i].last.unwrap()
            });
        } else {
            assert!(d.decode.ops.iter().all(|o| o.last.is_none()));
        }
    }
}

/// Each decode operator's total lies between steps × its first and steps × its last time
/// (its time never falls as the context grows).
#[test]
fn decode_sums_lie_between_the_first_and_last_steps() {
    for (what, d, ..) in cases() {
        let n = d.decode.steps as f64;
        for o in &d.decode.ops {
            let c = o.count as f64;
            let first = c * n * o.first.time_s;
            let last = c * n * o.last.unwrap_or(o.first).time_s;
            let tol = 1e-9 * last;
            assert!(
                o.total_s >= first - tol && o.total_s <= last + tol,
                "{what} {}: {first} ≤ {} ≤ {last}",
                o.name,
                o.total_s
            );
        }
    }
}

/// The prefill rows are the operator table's: same FLOPs, bytes and bounds.
#[test]
fn prefill_operators_match_the_breakdown() {
    let arch = qwen2_5_0_5b();
    let device = devices().remove(2);
    let p = Precision::weight_only(WeightFormat::Gguf(GgufScheme::Q4_K_M));
    let w = Workload::new(WorkloadSpec::default()).unwrap();
    let d = derive(&arch, &device, p, &w);
    let b = prefill_breakdown(&arch, &device, p, &w);
    assert_eq!(d.prefill.ops.len(), b.ops.len());
    for (o, c) in d.prefill.ops.iter().zip(&b.ops) {
        assert_eq!(o.name, c.op.name);
        assert_eq!(o.count, c.count);
        assert_eq!(o.format, c.format);
        assert_eq!(o.weight_bits, c.weight_bits);
        assert_eq!(o.first.flops, c.op.flops);
        assert_eq!(o.first.bytes, c.op.bytes());
        assert_eq!(o.first.bound, c.bound, "{}", o.name);
        assert!(close(o.first.time_s, c.time_s));
    }
    assert!(close(
        value(&d.prefill, "Weights read, prefill"),
        b.weight_bytes()
    ));
    // Q4_K_M gives tensors different types (Q6_K for some, Q5_0 where rows of 896 do not
    // tile into K-quant blocks): the bits per weight differ between operators.
    let bits: Vec<f64> = d.prefill.ops.iter().filter_map(|o| o.weight_bits).collect();
    assert!(bits.iter().any(|b| *b != bits[0]), "{bits:?}");
}

#[test]
fn device_lines_state_the_rated_numbers_and_the_fractions() {
    let device = devices().remove(2);
    let d = derive(
        &qwen2_5_0_5b(),
        &device,
        Precision::FP16,
        &Workload::new(WorkloadSpec::default()).unwrap(),
    );
    let bw = &d.device[0];
    assert_eq!(bw.label, "Achievable bandwidth β");
    assert_eq!(bw.value.value, device.bandwidth());
    assert!(
        bw.formula.ends_with("× bandwidth fraction 0.7000"),
        "{}",
        bw.formula
    );
    // A fraction measured for the format's own kernels replaces it, and says so; the
    // derived latencies are the roofline's on that device.
    let mut spec = device.spec().clone();
    spec.format_bandwidth_fractions =
        roofscale::model::format_fractions::FormatFractions::parse("FP16=0.35").unwrap();
    let own = Device::new(spec).unwrap();
    let workload = Workload::new(WorkloadSpec::default()).unwrap();
    let d2 = derive(&qwen2_5_0_5b(), &own, Precision::FP16, &workload);
    assert_eq!(d2.device[0].value.value, device.bandwidth() / 2.0);
    assert!(
        d2.device[0]
            .formula
            .ends_with("× bandwidth fraction 0.3500 (measured for FP16 weights)"),
        "{}",
        d2.device[0].formula
    );
    let e = roofscale::model::roofline::evaluate(&qwen2_5_0_5b(), &own, Precision::FP16, &workload);
    assert!(close(value(&d2.decode, "Decode latency"), e.decode_s));
    let peak = &d.device[1];
    assert_eq!(peak.label, "Achievable peak π, FP16 (weight matmuls)");
    assert_eq!(peak.value.value, device.peak_flops(NumFormat::Fp16));
    assert!(
        peak.formula.ends_with("× compute fraction 0.4500"),
        "{}",
        peak.formula
    );
    let text = d.to_text();
    assert!(text.contains("Prefill latency: "), "{text}");
    assert!(text.contains("Decode latency: "), "{text}");
    assert!(text.ends_with("\n"), "{text}");
    assert!(
        text.contains(&format!(
            "Total latency: prefill + decode = {}",
            Quantity::new(d.total_s, Unit::Seconds)
        )),
        "{text}"
    );
}

#[test]
fn quantities_read_with_prefixes_and_units() {
    let q = |v, u| Quantity::new(v, u).to_string();
    assert_eq!(q(1.2346e9, Unit::Bytes), "1.235 GB");
    assert_eq!(q(102.4e9, Unit::BytesPerSecond), "102.4 GB/s");
    assert_eq!(q(67.5e12, Unit::FlopsPerSecond), "67.50 TFLOP/s");
    assert_eq!(q(0.012345, Unit::Seconds), "12.35 ms");
    assert_eq!(q(2.5e-6, Unit::Seconds), "2.500 µs");
    assert_eq!(q(0.0, Unit::Seconds), "0 s");
    assert_eq!(q(512.0, Unit::Count), "512");
    assert_eq!(q(f64::NAN, Unit::Bytes), "—");
}
