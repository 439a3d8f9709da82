//! The roofline against the closed forms of method.md §3, reference KV sizes, and properties
//! that hold for any input: the closed-form decode sum equals the per-step loop, the fast path
//! equals the breakdown, latency never falls as work grows.

mod common;

use common::{gemma_3_1b, llama_3_2_1b, plm_1_8b, qwen2_5_0_5b, smollm2_360m};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::arch::{ArchSpec, Architecture, Attention, FfnKind, Moe, SlidingWindow};
use roofscale::model::device::{device_presets, Device, DeviceSpec};
use roofscale::model::params::param_counts;
use roofscale::model::precision::{NumFormat, Precision};
use roofscale::model::roofline::{
    decode_breakdown, evaluate, prefill_breakdown, Bound, PhaseBreakdown,
};
use roofscale::model::weight_format::WeightFormat;
use roofscale::model::workload::{OperatorSet, Workload, WorkloadSpec};

// ---------------------------------------------------------------------------------------------
// Builders

/// An architecture of the paper's grid (method.md §4): d_h = 128, SwiGLU, r the active total.
fn grid_arch(
    layers: u32,
    d: u32,
    kv_heads: u32,
    r: f64,
    experts: u32,
    active: u32,
) -> Architecture {
    let width = (r * d as f64 / active as f64).round() as u32;
    Architecture::new(ArchSpec {
        layers,
        hidden: d,
        vocab: 32_000,
        tied_embeddings: true,
        attention: Attention::Standard {
            heads: d / 128,
            kv_heads,
            head_dim: 128,
            qkv_bias: false,
            qk_norm: false,
        },
        sliding_window: None,
        ffn_kind: FfnKind::SwiGlu,
        intermediate: width,
        moe: (experts > 1).then_some(Moe {
            experts,
            active,
            expert_intermediate: width,
            shared_experts: 0,
            shared_intermediate: 0,
        }),
        norms_per_layer: 2,
        final_norm: true,
    })
    .unwrap()
}

fn device(fp16_tflops: f64, bandwidth_gbps: f64) -> Device {
    Device::new(DeviceSpec {
        name: "test".into(),
        memory_gb: 64.0,
        bandwidth_gbps,
        fp32_tflops: None,
        fp16_tflops: Some(fp16_tflops),
        bf16_tflops: None,
        fp8_tflops: None,
        int8_tops: None,
        int4_tops: None,
        bandwidth_fraction: 1.0,
        compute_fraction: 1.0,
        measured_bandwidth_fraction: None,
        source: String::new(),
        memory_kind: None,
        usable_memory_gb: None,
        step_overhead_ms: 0.0,
        layer_overhead_ms: 0.0,
        format_bandwidth_fractions: Default::default(),
        held_out_decode_pct: None,
        held_out_prefill_pct: None,
    })
    .unwrap()
}

fn workload(batch: u32, prompt: u32, generated: u32, operators: OperatorSet) -> Workload {
    Workload::new(WorkloadSpec {
        batch,
        prompt_tokens: prompt,
        generated_tokens: generated,
        operators,
        activation_sparsity: 0.0,
        fused_attention: false,
    })
    .unwrap()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

fn weight_flops(b: &PhaseBreakdown) -> f64 {
    b.ops
        .iter()
        .filter(|o| o.op.weight_bytes > 0.0)
        .map(|o| o.op.flops * o.count as f64)
        .sum()
}

fn weight_bytes(b: &PhaseBreakdown) -> f64 {
    b.ops
        .iter()
        .map(|o| o.op.weight_bytes * o.count as f64)
        .sum()
}

fn op_weight_bytes(b: &PhaseBreakdown, name: &str) -> f64 {
    b.ops
        .iter()
        .find(|o| o.op.name == name)
        .unwrap()
        .op
        .weight_bytes
}

/// (layers, d, kv_heads, r, E, K) covering MHA to MQA, small and large r, dense and MoE.
const SHAPES: [(u32, u32, u32, f64, u32, u32); 5] = [
    (8, 2048, 16, 1.0, 1, 1),
    (4, 1024, 1, 4.0, 1, 1),
    (12, 1536, 4, 0.5, 8, 1),
    (16, 3072, 8, 2.5, 16, 2),
    (32, 768, 2, 1.5, 8, 2),
];

// ---------------------------------------------------------------------------------------------
// Closed forms of method.md §3

#[test]
fn xi_f_is_twice_xi_w_and_both_match_the_closed_forms() {
    let dev = Device::default();
    for (l, d, kv, r, e, k) in SHAPES {
        let arch = grid_arch(l, d, kv, r, e, k);
        let gqa = (d / 128 / kv) as f64;
        let (b, s) = (2.0, 64.0);
        let w = workload(2, 64, 1, OperatorSet::Paper);
        let pre = prefill_breakdown(&arch, &dev, Precision::FP16, &w);
        let xi_f = weight_flops(&pre) / (l as f64 * b * s * (d as f64).powi(2));
        let one = workload(1, 64, 1, OperatorSet::Paper);
        let dec = decode_breakdown(&arch, &dev, Precision::FP16, &one, 65);
        let xi_w = weight_bytes(&dec) / (l as f64 * (d as f64).powi(2) * 2.0);
        assert!(close(xi_f, 4.0 + 4.0 / gqa + 6.0 * r, 1e-3), "ξ_F {xi_f}");
        assert!(close(xi_w, 2.0 + 2.0 / gqa + 3.0 * r, 1e-3), "ξ_W {xi_w}");
        assert!(close(xi_f, 2.0 * xi_w, 1e-12));
    }
}

#[test]
fn stored_weights_are_xi_all_for_paper_ops_and_all_parameters_otherwise() {
    let dev = Device::default();
    for (l, d, kv, r, e, k) in SHAPES {
        let arch = grid_arch(l, d, kv, r, e, k);
        let gqa = (d / 128 / kv) as f64;
        let xi_all = 2.0 + 2.0 / gqa + 3.0 * r / arch.rho();
        let paper = evaluate(
            &arch,
            &dev,
            Precision::W4A16,
            &Workload::paper(OperatorSet::Paper),
        );
        let want = l as f64 * xi_all * (d as f64).powi(2) * 0.5;
        assert!(close(paper.weights_bytes, want, 1e-3), "{l} {d}");
    }
    for arch in [qwen2_5_0_5b(), llama_3_2_1b(), plm_1_8b(), gemma_3_1b()] {
        let full = evaluate(&arch, &dev, Precision::INT8, &Workload::default());
        assert_eq!(full.weights_bytes, param_counts(&arch).total() as f64);
    }
}

#[test]
fn prefill_on_a_compute_bound_device_is_l_xi_f_b_s_d2_over_pi() {
    // Ridge 0.1 FLOP/byte: every operator is compute-bound; d ≫ S makes attention negligible.
    let dev = device(1.0, 10_000.0);
    for (kv, r, e, k) in [(64, 1.0, 1, 1), (8, 4.0, 1, 1), (1, 0.5, 16, 1)] {
        let arch = grid_arch(4, 8192, kv, r, e, k);
        let w = workload(1, 16, 0, OperatorSet::Paper);
        let gqa = 64.0 / kv as f64;
        let xi_f = 4.0 + 4.0 / gqa + 6.0 * r;
        let want = 4.0 * xi_f * 16.0 * 8192f64.powi(2) / 1e12;
        let got = evaluate(&arch, &dev, Precision::FP16, &w).prefill_s;
        assert!(close(got, want, 0.01), "{got} vs {want}");
        let pre = prefill_breakdown(&arch, &dev, Precision::FP16, &w);
        assert!(pre.ops.iter().all(|o| o.bound == Bound::Compute));
    }
}

#[test]
fn decode_on_a_bandwidth_bound_device_is_weights_plus_kv_over_beta() {
    let beta = 100e9;
    let dev = device(100_000.0, 100.0);
    for (l, d, kv, r, e, k) in SHAPES {
        let arch = grid_arch(l, d, kv, r, e, k);
        let w = Workload::paper(OperatorSet::Paper);
        let gqa = (d / 128 / kv) as f64;
        let (d, s_in, s_out) = (d as f64, 1024.0, 16.0);
        let xi_w = 2.0 + 2.0 / gqa + 3.0 * r;
        let s_bar = s_in + (s_out + 1.0) / 2.0;
        let want = l as f64 * s_out / beta * (xi_w * d * d * 2.0 + 2.0 * s_bar * d * 2.0 / gqa);
        let got = evaluate(&arch, &dev, Precision::FP16, &w).decode_s;
        assert!(close(got, want, 0.01), "{l} {d}: {got} vs {want}");
    }
}

// ---------------------------------------------------------------------------------------------
// Reference models

#[test]
fn kv_cache_per_token_matches_the_reference_models() {
    let dev = Device::default();
    let one_token = workload(1, 1, 0, OperatorSet::Full);
    let cases = [
        (qwen2_5_0_5b(), 12),
        (llama_3_2_1b(), 32),
        (smollm2_360m(), 40),
        (plm_1_8b(), 36),
    ];
    for (arch, kib) in cases {
        let r = evaluate(&arch, &dev, Precision::FP16, &one_token);
        assert_eq!(r.kv_cache_bytes, kib as f64 * 1024.0);
    }
    // Batch and context multiply it; INT8 halves it.
    let w = workload(3, 1000, 24, OperatorSet::Full);
    let r = evaluate(&llama_3_2_1b(), &dev, Precision::INT8, &w);
    assert_eq!(r.kv_cache_bytes, 3.0 * 1024.0 * 32.0 * 1024.0 / 2.0);
}

#[test]
fn sliding_window_layers_cap_their_cache_and_attention() {
    let dev = Device::default();
    let gemma = gemma_3_1b();
    let w = workload(1, 4000, 96, OperatorSet::Full);
    let r = evaluate(&gemma, &dev, Precision::FP16, &w);
    // 4 global layers keep 4096 tokens, 22 local ones 512; K and V of one 256-wide head.
    assert_eq!(
        r.kv_cache_bytes,
        (4.0 * 4096.0 + 22.0 * 512.0) * 2.0 * 256.0 * 2.0
    );
    let near = decode_breakdown(&gemma, &dev, Precision::FP16, &w, 600);
    let far = decode_breakdown(&gemma, &dev, Precision::FP16, &w, 9000);
    let qk = |b: &PhaseBreakdown| -> Vec<(u32, f64)> {
        b.ops
            .iter()
            .filter(|o| o.op.name == "Q·Kᵀ")
            .map(|o| (o.count, o.op.flops))
            .collect()
    };
    let (near, far) = (qk(&near), qk(&far));
    assert_eq!((near[0].0, near[1].0), (4, 22));
    assert!(far[0].1 > near[0].1);
    assert_eq!(far[1].1, near[1].1);
}

#[test]
fn mla_decode_reads_the_latent_cache_once() {
    let dev = Device::default();
    let w = workload(1, 1000, 10, OperatorSet::Paper);
    let step = decode_breakdown(&plm_1_8b(), &dev, Precision::FP16, &w, 1005);
    let kv: f64 = step
        .ops
        .iter()
        .map(|o| o.op.kv_bytes * o.count as f64)
        .sum();
    // Reads 1005 latents of 512 + 64 and writes one, FP16, in 32 layers.
    assert_eq!(kv, 1006.0 * 576.0 * 2.0 * 32.0);
}

#[test]
fn lm_head_computes_only_the_last_tokens_logits_in_prefill() {
    let dev = Device::default();
    let w = workload(2, 512, 4, OperatorSet::Full);
    let pre = prefill_breakdown(&qwen2_5_0_5b(), &dev, Precision::FP16, &w);
    let head = pre.ops.iter().find(|o| o.op.name == "LM head").unwrap();
    assert_eq!(head.op.flops, 2.0 * 2.0 * 151_936.0 * 896.0);
    assert_eq!(head.count, 1);
    assert!(!head.per_layer);
    let paper = prefill_breakdown(
        &qwen2_5_0_5b(),
        &dev,
        Precision::FP16,
        &workload(2, 512, 4, OperatorSet::Paper),
    );
    assert!(paper.ops.iter().all(|o| o.per_layer));
    assert!(paper.non_layer_s() == 0.0 && pre.non_layer_s() > 0.0);
}

#[test]
fn moe_touches_k_experts_for_one_token_and_nearly_all_for_long_prompts() {
    let dev = Device::default();
    let arch = grid_arch(4, 1024, 8, 1.0, 16, 2);
    let expert_matrix = 1024.0 * 512.0 * 2.0;
    let one = workload(1, 1024, 1, OperatorSet::Paper);
    let dec = decode_breakdown(&arch, &dev, Precision::FP16, &one, 1025);
    assert_eq!(op_weight_bytes(&dec, "FFN up"), 2.0 * expert_matrix);
    let pre = prefill_breakdown(&arch, &dev, Precision::FP16, &one);
    assert!(close(
        op_weight_bytes(&pre, "FFN up"),
        16.0 * expert_matrix,
        1e-12
    ));
    let four = workload(1, 4, 1, OperatorSet::Paper);
    let pre = prefill_breakdown(&arch, &dev, Precision::FP16, &four);
    let expected = 16.0 * (1.0 - (1.0 - 2.0 / 16.0f64).powi(4));
    assert!(close(
        op_weight_bytes(&pre, "FFN gate"),
        expected * expert_matrix,
        1e-12
    ));
}

#[test]
fn relu2_sparsity_skips_down_projection_weights_in_decode_only() {
    let dev = Device::default();
    let sparse = |arch: &Architecture, s: f64| {
        let w = Workload::new(WorkloadSpec {
            activation_sparsity: s,
            ..WorkloadSpec::default()
        })
        .unwrap();
        (
            decode_breakdown(arch, &dev, Precision::FP16, &w, 1030),
            prefill_breakdown(arch, &dev, Precision::FP16, &w),
        )
    };
    let plm = plm_1_8b();
    let (dec0, pre0) = sparse(&plm, 0.0);
    let (dec, pre) = sparse(&plm, 0.75);
    let down = op_weight_bytes(&dec0, "FFN down");
    assert_eq!(down, 2048.0 * 8192.0 * 2.0);
    assert_eq!(op_weight_bytes(&dec, "FFN down"), 0.25 * down);
    assert_eq!(
        op_weight_bytes(&dec, "FFN up"),
        op_weight_bytes(&dec0, "FFN up")
    );
    assert_eq!(pre.total_s(), pre0.total_s());
    let llama = llama_3_2_1b();
    assert_eq!(sparse(&llama, 0.75).0, sparse(&llama, 0.0).0);
}

/// Fused attention keeps the B·n_h·S_q·S_kv scores on chip: Q·Kᵀ no longer writes them,
/// softmax no longer reads and writes them, scores·V no longer reads them, 4 score matrices
/// per layer in all; FLOPs do not change.
#[test]
fn fused_attention_saves_four_score_matrices_per_layer() {
    let arch = llama_3_2_1b();
    let (layers, heads) = (16.0, 32.0);
    let d = device(100.0, 100.0);
    for ops in [OperatorSet::Full, OperatorSet::Paper] {
        let plain = workload(2, 300, 8, ops);
        let fused = plain.with_fused_attention(true);
        let (b, s) = (2.0, 300.0);
        let p0 = prefill_breakdown(&arch, &d, Precision::FP16, &plain);
        let p1 = prefill_breakdown(&arch, &d, Precision::FP16, &fused);
        assert_eq!(p0.flops(), p1.flops());
        let saved = p0.bytes() - p1.bytes();
        let want = 4.0 * b * heads * s * s * 2.0 * layers;
        assert!(close(saved, want, 1e-12), "{ops:?}: {saved} vs {want}");
        // One decode step at context c: the same with S_q = 1, S_kv = c.
        let c = 305;
        let d0 = decode_breakdown(&arch, &d, Precision::FP16, &plain, c);
        let d1 = decode_breakdown(&arch, &d, Precision::FP16, &fused, c);
        let want = 4.0 * b * heads * c as f64 * 2.0 * layers;
        assert!(close(d0.bytes() - d1.bytes(), want, 1e-12));
        let (r0, r1) = (
            evaluate(&arch, &d, Precision::FP16, &plain),
            evaluate(&arch, &d, Precision::FP16, &fused),
        );
        assert!(r1.prefill_s < r0.prefill_s && r1.decode_s <= r0.decode_s);
        assert!(r1.peak_activation_bytes <= r0.peak_activation_bytes);
    }
    // A long prompt: the unfused score matrix is the largest live activation, fused none.
    let long = workload(1, 4000, 0, OperatorSet::Full);
    let (r0, r1) = (
        evaluate(&arch, &d, Precision::FP16, &long),
        evaluate(&arch, &d, Precision::FP16, &long.with_fused_attention(true)),
    );
    let scores = heads * 4000.0 * 4000.0 * 2.0;
    assert!(close(
        r0.peak_activation_bytes - r1.peak_activation_bytes,
        scores - 4000.0 * 8192.0 * 2.0 * 2.0,
        1e-12
    ));
    // The paper's workload keeps attention unfused.
    assert!(!Workload::paper(OperatorSet::Paper).fused_attention());
}

#[test]
fn int8_is_faster_than_fp16_but_by_less_than_twice_on_the_default_device() {
    let dev = Device::default();
    let archs = [
        qwen2_5_0_5b(),
        llama_3_2_1b(),
        smollm2_360m(),
        plm_1_8b(),
        grid_arch(16, 1536, 4, 1.0, 8, 1),
        grid_arch(24, 2048, 16, 3.0, 1, 1),
    ];
    for ops in [OperatorSet::Paper, OperatorSet::Full] {
        for arch in &archs {
            let w = Workload::paper(ops);
            let fp16 = evaluate(arch, &dev, Precision::FP16, &w);
            let int8 = evaluate(arch, &dev, Precision::INT8, &w);
            for (a, b) in [
                (fp16.prefill_s, int8.prefill_s),
                (fp16.decode_s, int8.decode_s),
                (fp16.total_s, int8.total_s),
            ] {
                let speedup = a / b;
                assert!(speedup > 1.0 && speedup < 2.0, "{ops:?}: {speedup}");
            }
        }
    }
}

#[test]
fn memory_fit_compares_weights_cache_and_activations_with_the_device() {
    let presets = device_presets();
    let pi = presets
        .iter()
        .find(|d| d.name() == "Raspberry Pi 5 8GB")
        .unwrap();
    let w = Workload::default();
    let small = evaluate(&llama_3_2_1b(), pi, Precision::FP16, &w);
    assert!(small.fits_in_memory);
    assert!(small.memory_bytes() > small.weights_bytes + small.kv_cache_bytes);
    let big = grid_arch(32, 3072, 24, 4.0, 16, 1);
    assert!(!evaluate(&big, pi, Precision::FP16, &w).fits_in_memory);
    assert!(close(
        small.decode_tokens_per_s * small.decode_s,
        16.0,
        1e-12
    ));
}

// ---------------------------------------------------------------------------------------------
// Properties over random inputs

fn random_arch(rng: &mut SmallRng) -> Architecture {
    let hidden = 64 * rng.random_range(1..=32u32);
    let attention = if rng.random_bool(0.7) {
        let kv_heads = rng.random_range(1..=4u32);
        Attention::Standard {
            heads: kv_heads * rng.random_range(1..=6u32),
            kv_heads,
            head_dim: [32, 64, 128][rng.random_range(0..3)],
            qkv_bias: rng.random_bool(0.3),
            qk_norm: rng.random_bool(0.3),
        }
    } else {
        Attention::Mla {
            heads: rng.random_range(1..=16),
            q_lora_rank: rng.random_bool(0.5).then(|| rng.random_range(16..=512)),
            kv_lora_rank: rng.random_range(16..=512),
            qk_rope_dim: rng.random_range(0..=64),
            qk_nope_dim: rng.random_range(16..=128),
            v_head_dim: rng.random_range(16..=128),
        }
    };
    let ffn_kind = [
        FfnKind::SwiGlu,
        FfnKind::GeGlu,
        FfnKind::ReluSquared,
        FfnKind::Gelu,
    ][rng.random_range(0..4)];
    let moe = rng.random_bool(0.4).then(|| {
        let experts = rng.random_range(2..=64);
        let shared = rng.random_range(0..=2);
        Moe {
            experts,
            active: rng.random_range(1..=experts.min(8)),
            expert_intermediate: rng.random_range(16..=2048),
            shared_experts: shared,
            shared_intermediate: if shared > 0 {
                rng.random_range(16..=1024)
            } else {
                0
            },
        }
    });
    Architecture::new(ArchSpec {
        layers: rng.random_range(1..=12),
        hidden,
        vocab: rng.random_range(100..=60_000),
        tied_embeddings: rng.random_bool(0.5),
        attention,
        sliding_window: rng.random_bool(0.3).then(|| SlidingWindow {
            window: rng.random_range(1..=600),
            global_every: rng.random_range(1..=7),
        }),
        ffn_kind,
        intermediate: rng.random_range(16..=4096),
        moe,
        norms_per_layer: rng.random_range(0..=4),
        final_norm: rng.random_bool(0.8),
    })
    .unwrap()
}

fn log_uniform(rng: &mut SmallRng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
}

/// Ridge points from 0.1 to 1000 FLOP/byte, around the intensities of decode attention.
fn random_device(rng: &mut SmallRng) -> Device {
    let bandwidth_gbps = log_uniform(rng, 1.0, 10_000.0);
    let fp16 = (log_uniform(rng, 0.1, 1000.0) * bandwidth_gbps / 1000.0).min(20_000.0);
    Device::new(DeviceSpec {
        name: "random".into(),
        memory_gb: log_uniform(rng, 1.0, 100.0),
        bandwidth_gbps,
        fp32_tflops: rng.random_bool(0.3).then_some(fp16 / 2.0),
        fp16_tflops: Some(fp16),
        bf16_tflops: None,
        fp8_tflops: rng.random_bool(0.3).then_some(fp16 * 2.0),
        int8_tops: rng.random_bool(0.5).then_some(fp16 * 2.0),
        int4_tops: rng.random_bool(0.3).then_some(fp16 * 4.0),
        bandwidth_fraction: rng.random_range(0.2..=1.0),
        compute_fraction: rng.random_range(0.2..=1.0),
        measured_bandwidth_fraction: None,
        source: String::new(),
        memory_kind: None,
        usable_memory_gb: None,
        step_overhead_ms: 0.0,
        layer_overhead_ms: 0.0,
        format_bandwidth_fractions: Default::default(),
        held_out_decode_pct: None,
        held_out_prefill_pct: None,
    })
    .unwrap()
}

fn random_precision(rng: &mut SmallRng) -> Precision {
    if rng.random_bool(0.5) {
        Precision::PRESETS[rng.random_range(0..4)]
    } else {
        let formats = WeightFormat::offered();
        let weights = if rng.random_bool(0.3) {
            formats[rng.random_range(0..formats.len())]
        } else {
            NumFormat::ALL[rng.random_range(0..6)].into()
        };
        let mut pick = || NumFormat::ALL[rng.random_range(0..6)];
        Precision::new(weights, pick(), pick())
    }
}

fn random_workload(rng: &mut SmallRng) -> Workload {
    Workload::new(WorkloadSpec {
        batch: rng.random_range(1..=8),
        // Short prompts too: decode attention crosses the ridge within its first tokens.
        prompt_tokens: if rng.random_bool(0.3) {
            rng.random_range(1..=4)
        } else {
            rng.random_range(1..=2000)
        },
        generated_tokens: rng.random_range(0..=200),
        operators: if rng.random_bool(0.5) {
            OperatorSet::Full
        } else {
            OperatorSet::Paper
        },
        activation_sparsity: if rng.random_bool(0.5) {
            rng.random_range(0.0..0.95)
        } else {
            0.0
        },
        fused_attention: rng.random_bool(0.3),
    })
    .unwrap()
}

#[test]
fn closed_form_decode_sum_equals_the_step_by_step_loop() {
    let mut rng = SmallRng::seed_from_u64(0x5eed_0001);
    let mut bound_changes = 0;
    for case in 0..400 {
        let arch = random_arch(&mut rng);
        let dev = random_device(&mut rng);
        let p = random_precision(&mut rng);
        let w = random_workload(&mut rng);
        let report = evaluate(&arch, &dev, p, &w);
        let pre = prefill_breakdown(&arch, &dev, p, &w);
        assert!(close(report.prefill_s, pre.total_s(), 1e-12), "case {case}");
        let (s_in, s_out) = (w.prompt_tokens() as u64, w.generated_tokens() as u64);
        let steps: Vec<PhaseBreakdown> = (s_in + 1..=s_in + s_out)
            .map(|c| decode_breakdown(&arch, &dev, p, &w, c))
            .collect();
        let looped: f64 = steps.iter().map(PhaseBreakdown::total_s).sum();
        assert!(
            close(report.decode_s, looped, 1e-9),
            "case {case}: {} vs {looped}",
            report.decode_s
        );
        if let (Some(first), Some(last)) = (steps.first(), steps.last()) {
            let changed = first
                .ops
                .iter()
                .zip(&last.ops)
                .any(|(a, b)| a.bound != b.bound);
            bound_changes += changed as u32;
        }
    }
    // The crossover branch of the closed form is exercised, not only single-bound sums.
    assert!(
        bound_changes >= 10,
        "only {bound_changes} cases cross the ridge"
    );
}

#[test]
fn latency_never_falls_with_more_layers_prompt_or_generated_tokens() {
    let mut rng = SmallRng::seed_from_u64(0x5eed_0002);
    for case in 0..300 {
        let arch = random_arch(&mut rng);
        let dev = random_device(&mut rng);
        let p = random_precision(&mut rng);
        let w = random_workload(&mut rng);
        let base = evaluate(&arch, &dev, p, &w);
        let deeper = Architecture::new(ArchSpec {
            layers: arch.spec().layers + rng.random_range(1..=3),
            ..arch.spec().clone()
        })
        .unwrap();
        let more = |edit: &dyn Fn(&mut WorkloadSpec)| {
            let mut s = *w.spec();
            edit(&mut s);
            evaluate(&arch, &dev, p, &Workload::new(s).unwrap())
        };
        let grown = [
            evaluate(&deeper, &dev, p, &w),
            more(&|s| s.prompt_tokens += 1),
            more(&|s| s.prompt_tokens += 500),
            more(&|s| s.generated_tokens += 1),
            more(&|s| s.generated_tokens += 100),
        ];
        let tol = 1.0 - 1e-12;
        for (i, g) in grown.iter().enumerate() {
            assert!(
                g.prefill_s >= base.prefill_s * tol,
                "case {case}.{i} prefill"
            );
            assert!(g.decode_s >= base.decode_s * tol, "case {case}.{i} decode");
            assert!(g.total_s >= base.total_s * tol, "case {case}.{i} total");
        }
    }
}

/// Regression (issue "Honest answers", 13c): the operator table's total row showed all bytes
/// under the KV column. Each kind now has its own total; the three add up to the step's bytes,
/// and a decode step's KV total grows by the model's cache per token (Qwen2.5-0.5B: 12 KiB in
/// FP16, reference.md) for every token of context.
#[test]
fn operator_table_totals_split_bytes_by_kind_under_their_columns() {
    let dev = device(100.0, 100.0);
    let w = workload(1, 1024, 16, OperatorSet::Full);
    let qwen = qwen2_5_0_5b();
    for b in [
        prefill_breakdown(&qwen, &dev, Precision::FP16, &w),
        decode_breakdown(&qwen, &dev, Precision::FP16, &w, 1025),
    ] {
        let kinds = b.weight_bytes() + b.act_bytes() + b.kv_bytes();
        assert!(close(kinds, b.bytes(), 1e-12), "{kinds} vs {}", b.bytes());
        assert_eq!(b.weight_bytes(), weight_bytes(&b));
        assert!(b.kv_bytes() > 0.0 && b.act_bytes() > 0.0);
    }
    let near = decode_breakdown(&qwen, &dev, Precision::FP16, &w, 1025);
    let far = decode_breakdown(&qwen, &dev, Precision::FP16, &w, 2049);
    let per_token = (far.kv_bytes() - near.kv_bytes()) / 1024.0;
    assert!(close(per_token, 12.0 * 1024.0, 1e-9), "{per_token}");
}
