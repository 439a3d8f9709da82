//! The per-step overhead of a calibrated device (issue 16): latency = roofline + one overhead
//! per forward step, the prefill being one step and each generated token one more.

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
    assert_eq!(rated.step_overhead_s(), 0.0, "rated devices have none");
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
