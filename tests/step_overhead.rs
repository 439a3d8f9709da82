//! The per-step overhead of a calibrated device (issue 16): latency = roofline + one overhead
//! per forward step, the prefill being one step and each generated token one more. A step's
//! overhead is a constant part (a device file may give one) plus a part per layer of the
//! model (what calibration fits).

use roofscale::model::device::{device_presets, Device};
use roofscale::model::hf_config::{import_hf_config, reference_presets};
use roofscale::model::precision::Precision;
use roofscale::model::roofline::evaluate;
use roofscale::model::workload::{Workload, WorkloadSpec};

fn nano() -> Device {
    device_presets()
        .into_iter()
        .find(|d| d.name() == "Jetson Orin Nano Super 8GB")
        .unwrap()
}

fn workload(prompt: u32, generated: u32) -> Workload {
    Workload::new(WorkloadSpec {
        prompt_tokens: prompt,
        generated_tokens: generated,
        ..WorkloadSpec::default()
    })
    .unwrap()
}

#[test]
fn overhead_adds_one_step_to_the_prefill_and_one_per_generated_token() {
    let (_, json) = reference_presets()[0];
    let arch = import_hf_config(json).unwrap().arch;
    let rated = nano();
    assert!(!rated.has_overhead(), "rated devices have none");
    assert_eq!(rated.step_overhead_s(arch.spec().layers), 0.0);
    let slow = rated.with_step_overhead_ms(3.5).unwrap();
    for (prompt, generated) in [(512, 0), (1, 128), (1024, 16), (1, 1)] {
        let w = workload(prompt, generated);
        let a = evaluate(&arch, &rated, Precision::default(), &w);
        let b = evaluate(&arch, &slow, Precision::default(), &w);
        assert!((b.prefill_s - a.prefill_s - 3.5e-3).abs() < 1e-12);
        assert!((b.decode_s - a.decode_s - generated as f64 * 3.5e-3).abs() < 1e-12);
        assert!((b.total_s - b.prefill_s - b.decode_s).abs() < 1e-12);
        // Memory does not depend on time.
        assert_eq!(a.weights_bytes, b.weights_bytes);
    }
}

#[test]
fn a_per_layer_overhead_grows_with_the_depth() {
    let (_, json) = reference_presets()[0];
    let arch = import_hf_config(json).unwrap().arch;
    let rated = nano();
    let per_layer = rated.with_layer_overhead_ms(0.1).unwrap();
    assert!(per_layer.has_overhead());
    let w = workload(256, 32);
    for layers in [4, 24, 80] {
        let mut spec = arch.spec().clone();
        spec.layers = layers;
        let deep = roofscale::model::arch::Architecture::new(spec).unwrap();
        let a = evaluate(&deep, &rated, Precision::default(), &w);
        let b = evaluate(&deep, &per_layer, Precision::default(), &w);
        let step = layers as f64 * 1e-4;
        assert!((b.prefill_s - a.prefill_s - step).abs() < 1e-12, "{layers}");
        assert!(
            (b.decode_s - a.decode_s - 32.0 * step).abs() < 1e-12,
            "{layers}"
        );
    }
}

#[test]
fn a_device_file_without_the_overhead_reads_and_writes_as_before() {
    let d = nano();
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("step_overhead_ms"), "{json}");
    let slow = d.with_step_overhead_ms(2.0).unwrap();
    let json = serde_json::to_string(&slow).unwrap();
    assert!(json.contains("\"step_overhead_ms\":2.0"), "{json}");
    let back: Device = serde_json::from_str(&json).unwrap();
    assert_eq!(back, slow);
}

#[test]
fn a_budget_pays_the_overhead_before_the_roofline_gets_its_share() {
    use roofscale::model::search::{Constraints, Objective};
    use roofscale::model::theory::normalised_budgets;
    // 25 ms per token over 16 tokens = 0.4 s of decode; 2 ms per step leaves 23 ms per token
    // for the bytes: M̄_d = 0.023 s × bandwidth.
    let w = workload(1024, 16);
    let c = Constraints::default()
        .with_budget(Objective::Decode, Some(0.4))
        .unwrap();
    let rated = nano();
    let slow = rated.with_step_overhead_ms(2.0).unwrap();
    let a = normalised_budgets(&rated, Precision::default(), &w, &c);
    let b = normalised_budgets(&slow, Precision::default(), &w, &c);
    let bw = rated.bandwidth();
    assert!((a.bytes_per_token.unwrap() - 0.025 * bw).abs() < 1e-3);
    assert!((b.bytes_per_token.unwrap() - 0.023 * bw).abs() < 1e-3);
    // An overhead above the budget leaves nothing, never a negative size.
    let hopeless = rated.with_step_overhead_ms(30.0).unwrap();
    let h = normalised_budgets(&hopeless, Precision::default(), &w, &c);
    assert_eq!(h.bytes_per_token, Some(0.0));
}

/// A per-layer overhead o_L is each layer's cost on top of its bytes and FLOPs: the decode
/// depth limit becomes l* = M̄_d / (bytes per layer + o_L·β), the prefill one
/// F̄_p / (FLOPs per layer and prompt token + o_L·π/(B·S_in)) (method.md, "Per-step overhead");
/// the per-layer bytes and FLOPs are read off the limits without overhead.
#[test]
fn a_per_layer_overhead_shortens_the_depth_limit_by_its_bytes_equivalent() {
    use roofscale::model::search::{Constraints, Objective};
    use roofscale::model::theory::{depth_limits, normalised_budgets};
    let w = workload(1024, 16);
    let c = Constraints::default()
        .with_budget(Objective::Decode, Some(0.4))
        .unwrap()
        .with_budget(Objective::Prefill, Some(0.5))
        .unwrap();
    let rated = nano();
    let per_layer = rated.with_layer_overhead_ms(0.05).unwrap();
    let p = Precision::default();
    let a = normalised_budgets(&rated, p, &w, &c);
    let b = normalised_budgets(&per_layer, p, &w, &c);
    // The budget itself is untouched: the overhead depends on the depth.
    assert_eq!(a.bytes_per_token, b.bytes_per_token);
    assert_eq!(a.flops_per_prompt_token, b.flops_per_prompt_token);
    assert!((b.layer_bytes - 0.05e-3 * rated.bandwidth()).abs() < 1e-6);
    let (d, gqa, r, rho) = (2048.0, 4.0, 3.0, 1.0);
    let la = depth_limits(&a, d, gqa, r, rho, p, &w);
    let lb = depth_limits(&b, d, gqa, r, rho, p, &w);
    // Bytes per layer from the rated limit: M̄_d / l*.
    let per_layer_bytes = a.bytes_per_token.unwrap() / la.decode.unwrap();
    let want = a.bytes_per_token.unwrap() / (per_layer_bytes + b.layer_bytes);
    assert!((lb.decode.unwrap() - want).abs() < 1e-9 * want);
    assert!(lb.decode.unwrap() < la.decode.unwrap());
    let per_layer_flops = a.flops_per_prompt_token.unwrap() / la.prefill.unwrap();
    let want = a.flops_per_prompt_token.unwrap() / (per_layer_flops + b.layer_flops);
    assert!((lb.prefill.unwrap() - want).abs() < 1e-9 * want);
    assert_eq!(la.memory, lb.memory);
}
