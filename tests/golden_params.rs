//! Exact parameter counts of the reference models (../shared/reference/README.md), written by
//! hand from their configs here so the counting code is tested apart from the config importer.

use roofscale::model::arch::{ArchSpec, Architecture, Attention, FfnKind};
use roofscale::model::params::param_counts;

fn standard(heads: u32, kv_heads: u32, head_dim: u32) -> Attention {
    Attention::Standard {
        heads,
        kv_heads,
        head_dim,
        qkv_bias: false,
        qk_norm: false,
    }
}

fn dense(
    layers: u32,
    hidden: u32,
    vocab: u32,
    attention: Attention,
    ffn: FfnKind,
    inter: u32,
) -> ArchSpec {
    ArchSpec {
        layers,
        hidden,
        vocab,
        tied_embeddings: true,
        attention,
        sliding_window: None,
        ffn_kind: ffn,
        intermediate: inter,
        moe: None,
        norms_per_layer: 2,
        final_norm: true,
    }
}

fn total(spec: ArchSpec) -> u64 {
    param_counts(&Architecture::new(spec).expect("valid")).total()
}

#[test]
fn qwen2_5_0_5b_has_494_032_768_parameters() {
    let mut attn = standard(14, 2, 64);
    if let Attention::Standard { qkv_bias, .. } = &mut attn {
        *qkv_bias = true;
    }
    assert_eq!(
        total(dense(24, 896, 151_936, attn, FfnKind::SwiGlu, 4864)),
        494_032_768
    );
}

#[test]
fn llama_3_2_1b_has_1_235_814_400_parameters() {
    assert_eq!(
        total(dense(
            16,
            2048,
            128_256,
            standard(32, 8, 64),
            FfnKind::SwiGlu,
            8192
        )),
        1_235_814_400
    );
}

#[test]
fn smollm2_360m_has_361_821_120_parameters() {
    assert_eq!(
        total(dense(
            32,
            960,
            49_152,
            standard(15, 5, 64),
            FfnKind::SwiGlu,
            2560
        )),
        361_821_120
    );
}

#[test]
fn mobilellm_125m_has_124_635_456_parameters() {
    assert_eq!(
        total(dense(
            30,
            576,
            32_000,
            standard(9, 3, 64),
            FfnKind::SwiGlu,
            1536
        )),
        124_635_456
    );
}

#[test]
fn gemma_3_1b_has_999_885_952_parameters() {
    let attn = Attention::Standard {
        heads: 4,
        kv_heads: 1,
        head_dim: 256,
        qkv_bias: false,
        qk_norm: true,
    };
    let mut spec = dense(26, 1152, 262_144, attn, FfnKind::GeGlu, 6912);
    spec.norms_per_layer = 4;
    assert_eq!(total(spec), 999_885_952);
}

#[test]
fn plm_1_8b_has_1_825_458_176_parameters() {
    let attn = Attention::Mla {
        heads: 16,
        q_lora_rank: None,
        kv_lora_rank: 512,
        qk_rope_dim: 64,
        qk_nope_dim: 128,
        v_head_dim: 128,
    };
    assert_eq!(
        total(dense(32, 2048, 151_936, attn, FfnKind::ReluSquared, 8192)),
        1_825_458_176
    );
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
