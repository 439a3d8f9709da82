//! Exact parameter counts of the reference models (public/docs/reference.md), written by hand
//! from their configs in `common` so the counting code is tested apart from the config importer.

mod common;

use common::{dense, standard};
use roofscale::model::arch::{Architecture, FfnKind};
use roofscale::model::params::param_counts;

fn total(arch: Architecture) -> u64 {
    param_counts(&arch).total()
}

#[test]
fn qwen2_5_0_5b_has_494_032_768_parameters() {
    assert_eq!(total(common::qwen2_5_0_5b()), 494_032_768);
}

#[test]
fn llama_3_2_1b_has_1_235_814_400_parameters() {
    assert_eq!(total(common::llama_3_2_1b()), 1_235_814_400);
}

#[test]
fn smollm2_360m_has_361_821_120_parameters() {
    assert_eq!(total(common::smollm2_360m()), 361_821_120);
}

#[test]
fn mobilellm_125m_has_124_635_456_parameters() {
    assert_eq!(total(common::mobilellm_125m()), 124_635_456);
}

#[test]
fn gemma_3_1b_has_999_885_952_parameters() {
    assert_eq!(total(common::gemma_3_1b()), 999_885_952);
}

#[test]
fn plm_1_8b_has_1_825_458_176_parameters() {
    assert_eq!(total(common::plm_1_8b()), 1_825_458_176);
}

#[test]
fn moe_active_parameters_drop_the_idle_experts() {
    let mut spec = dense(4, 1024, 1000, standard(8, 2, 128), FfnKind::SwiGlu, 512);
    spec.moe = Some(roofscale::model::arch::Moe {
        experts: 8,
        active: 2,
        expert_intermediate: 512,
        shared_experts: 0,
        shared_intermediate: 0,
    });
    let c = param_counts(&Architecture::new(spec).unwrap());
    let expert = 3 * 1024 * 512;
    assert_eq!(c.total() - c.active(), 4 * 6 * expert);
    assert_eq!(c.router_per_layer, 1024 * 8);
}

#[test]
fn absurd_sizes_are_refused_before_counting_can_overflow() {
    let mut spec = dense(
        1 << 20,
        1 << 20,
        1000,
        standard(8, 2, 128),
        FfnKind::SwiGlu,
        1 << 20,
    );
    spec.moe = Some(roofscale::model::arch::Moe {
        experts: 4096,
        active: 1,
        expert_intermediate: 1 << 20,
        shared_experts: 0,
        shared_intermediate: 0,
    });
    let e = Architecture::new(spec).unwrap_err();
    assert_eq!(e.field, "layers");
    assert!(
        e.problem.starts_with("the architecture would have about "),
        "{}",
        e.problem
    );
    assert!(
        e.problem.ends_with("parameters, beyond the limit 1e15"),
        "{}",
        e.problem
    );
}
