//! Weight formats: bits from the published block layouts, file sizes llama.cpp prints, the
//! one parser's names and messages, the compute path, per-tensor precision of the embedding
//! and LM head, and sessions saved before formats existed.

mod common;

use common::{dense, standard};
use roofscale::model::arch::{ArchSpec, Architecture, FfnKind};
use roofscale::model::device::device_presets;
use roofscale::model::ggml_type::GgmlType;
use roofscale::model::gguf_mix::GgufScheme;
use roofscale::model::params::param_counts;
use roofscale::model::precision::{NumFormat, Precision};
use roofscale::model::roofline::{decode_breakdown, evaluate};
use roofscale::model::weight_bytes::stored_weights;
use roofscale::model::weight_format::{CustomBits, Int4Tool, MatmulPath, MlcScheme, WeightFormat};
use roofscale::model::workload::{OperatorSet, Workload};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn llama(layers: u32, hidden: u32, intermediate: u32, kv_heads: u32, vocab: u32) -> Architecture {
    let attention = standard(hidden / 128, kv_heads, 128);
    let spec = dense(
        layers,
        hidden,
        vocab,
        attention,
        FfnKind::SwiGlu,
        intermediate,
    );
    Architecture::new(ArchSpec {
        tied_embeddings: false,
        ..spec
    })
    .unwrap()
}

/// meta-llama/Llama-2-7b-hf config.json.
fn llama2_7b() -> Architecture {
    llama(32, 4096, 11008, 32, 32000)
}

/// meta-llama/Llama-3.1-8B config.json.
fn llama31_8b() -> Architecture {
    llama(32, 4096, 14336, 8, 128256)
}

fn gguf(s: GgufScheme) -> Precision {
    Precision::weight_only(WeightFormat::Gguf(s))
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b
}

#[test]
fn bits_per_weight_come_from_the_block_layouts() {
    // ggml-common.h: block_q4_0 = fp16 + 16 bytes per 32; block_q8_0 = fp16 + 32 bytes per 32;
    // block_q6_K = 128 + 64 + 16 + 2 bytes per 256; block_q4_K = 2·2 + 12 + 128 per 256.
    let cases = [
        (GgmlType::Q4_0, 4.5),
        (GgmlType::Q4_1, 5.0),
        (GgmlType::Q5_0, 5.5),
        (GgmlType::Q5_1, 6.0),
        (GgmlType::Q8_0, 8.5),
        (GgmlType::Q2_K, 2.625),
        (GgmlType::Q3_K, 3.4375),
        (GgmlType::Q4_K, 4.5),
        (GgmlType::Q5_K, 5.5),
        (GgmlType::Q6_K, 6.5625),
        (GgmlType::IQ4_NL, 4.5),
        (GgmlType::IQ4_XS, 4.25),
        (GgmlType::F16, 16.0),
        (GgmlType::BF16, 16.0),
        (GgmlType::F32, 32.0),
    ];
    for (t, bits) in cases {
        assert_eq!(t.bits_per_weight(), bits, "{t}");
    }
    assert_eq!(GgmlType::Q4_0.row_bytes(4096), Some(4096 / 32 * 18));
    assert_eq!(GgmlType::Q4_K.row_bytes(896), None);
}

#[test]
fn other_formats_count_their_scales() {
    let bits = |f: WeightFormat| f.matrix_bits(4096);
    assert_eq!(bits(WeightFormat::Mlc(MlcScheme::Q4f16_1)), 4.5);
    assert_eq!(
        bits(WeightFormat::Mlc(MlcScheme::Q4f16Ft)),
        4.0 + 16.0 / 4096.0
    );
    assert_eq!(bits(WeightFormat::Int4G128(Int4Tool::Awq)), 4.15625);
    assert_eq!(bits(WeightFormat::Int4G128(Int4Tool::Gptq)), 4.15625);
    assert_eq!(
        bits(WeightFormat::Nf4 {
            double_quant: false
        }),
        4.5
    );
    // QLoRA §3: double quantisation costs 8/64 + 32/(64·256) = 0.127 bits.
    let dq = bits(WeightFormat::Nf4 { double_quant: true });
    assert!((dq - 4.127).abs() < 5e-4, "{dq}");
    assert_eq!(bits("custom:4.25".parse().unwrap()), 4.25);
    assert_eq!(bits("fp8-e4m3".parse().unwrap()), 8.0);
    assert_eq!(bits("int8-per-channel".parse().unwrap()), 8.0);
}

/// llama-bench prints model size (GiB) and params for LLaMA-2-7B files (tools/llama-bench
/// README, reference.md): F16 12.55 GiB, Q8_0 6.67 GiB, Q4_0 3.56 GiB, 6.74 B params.
#[test]
fn llama2_7b_weight_bytes_match_the_sizes_llama_bench_prints() {
    let arch = llama2_7b();
    let params = param_counts(&arch).total() as f64;
    assert!(rel(params, 6.74e9) < 0.001, "{params}");
    for (scheme, gib) in [
        (GgufScheme::F16, 12.55),
        (GgufScheme::Q8_0, 6.67),
        (GgufScheme::Q4_0, 3.56),
    ] {
        let bytes = stored_weights(&arch, &gguf(scheme)).total();
        assert!(
            rel(bytes / GIB, gib) < 0.01,
            "{scheme}: {} GiB",
            bytes / GIB
        );
        // The roofline's stored weights are the same bytes.
        let report = evaluate(
            &arch,
            &device_presets()[0],
            gguf(scheme),
            &Workload::paper(OperatorSet::Full),
        );
        assert!(rel(report.weights_bytes, bytes) < 1e-12);
    }
}

/// tools/quantize README, Llama-3.1-8B: bits per weight of whole files.
#[test]
fn llama31_8b_mixes_match_the_bits_per_weight_llama_quantize_reports() {
    let arch = llama31_8b();
    let params = param_counts(&arch).total() as f64;
    for (scheme, bpw) in [
        (GgufScheme::Q4_K_M, 4.8944),
        (GgufScheme::Q4_K_S, 4.6672),
        (GgufScheme::Q5_K_M, 5.7036),
        (GgufScheme::Q5_K_S, 5.5704),
        (GgufScheme::Q6_K, 6.5633),
        (GgufScheme::Q8_0, 8.5008),
        (GgufScheme::F16, 16.0005),
    ] {
        let bits = stored_weights(&arch, &gguf(scheme)).total() * 8.0 / params;
        // The README prints four decimals: the per-tensor rules reproduce all of them.
        assert!((bits - bpw).abs() < 5e-5, "{scheme}: {bits} bpw");
    }
}

#[test]
fn q4_0_keeps_the_lm_head_at_q6_k_and_overrides_replace_it() {
    let arch = llama2_7b();
    let wl = Workload::paper(OperatorSet::Full);
    let device = &device_presets()[0];
    let head = |p: Precision| {
        decode_breakdown(&arch, device, p, &wl, 1025)
            .ops
            .into_iter()
            .find(|o| o.op.name == "LM head")
            .unwrap()
            .op
            .weight_bytes
    };
    let lm = 32000.0 * 4096.0;
    assert_eq!(head(gguf(GgufScheme::Q4_0)), lm * 210.0 / 256.0);
    let q8_head = gguf(GgufScheme::Q4_0).with_lm_head(Some(WeightFormat::Gguf(GgufScheme::Q8_0)));
    assert_eq!(head(q8_head), lm * 34.0 / 32.0);
    // The embedding table: Q4_0 by the rule, FP16 when overridden; memory follows.
    let fp16_embedding = gguf(GgufScheme::Q4_0).with_embedding(Some(NumFormat::Fp16.into()));
    let a = stored_weights(&arch, &gguf(GgufScheme::Q4_0));
    let b = stored_weights(&arch, &fp16_embedding);
    assert_eq!(a.embedding, lm * 18.0 / 32.0);
    assert_eq!(b.embedding, lm * 2.0);
    assert_eq!(b.total() - a.total(), lm * (2.0 - 18.0 / 32.0));
    let mem = |p| evaluate(&arch, device, p, &wl).weights_bytes;
    assert_eq!(
        mem(fp16_embedding) - mem(gguf(GgufScheme::Q4_0)),
        lm * (2.0 - 18.0 / 32.0)
    );
}

/// MLA's low-rank query is two matrices with rows of different lengths (q_a: d, q_b: r): in
/// q4f16_ft (4 bits + an FP16 scale per row) they store different bits, and the "Q proj" row
/// shows their average by weight count, which times the weights gives the operator's bytes.
#[test]
fn a_low_rank_mla_query_row_averages_its_two_matrices() {
    use roofscale::model::arch::Attention;
    let (d, r, heads, rope, nope) = (1024u32, 96u32, 8u32, 32u32, 64u32);
    let spec = dense(
        4,
        d,
        32000,
        Attention::Mla {
            heads,
            q_lora_rank: Some(r),
            kv_lora_rank: 128,
            qk_rope_dim: rope,
            qk_nope_dim: nope,
            v_head_dim: 64,
        },
        FfnKind::SwiGlu,
        2816,
    );
    let arch = Architecture::new(spec).unwrap();
    let p = Precision::weight_only(WeightFormat::Mlc(MlcScheme::Q4f16Ft));
    let wl = Workload::paper(OperatorSet::Full);
    let ops = decode_breakdown(&arch, &device_presets()[0], p, &wl, 1025).ops;
    let q = ops.iter().find(|o| o.op.name == "Q proj").unwrap();
    let (n_a, n_b) = (
        d as f64 * r as f64,
        r as f64 * heads as f64 * (rope + nope) as f64,
    );
    let (bits_a, bits_b) = (4.0 + 16.0 / d as f64, 4.0 + 16.0 / r as f64);
    let want = (n_a * bits_a + n_b * bits_b) / (n_a + n_b);
    let got = q.weight_bits.unwrap();
    assert!((got - want).abs() < 1e-12, "Q proj {got} bits, want {want}");
    assert!(got > bits_a && got < bits_b);
    // The bits times the weights are the operator's weight bytes (q_a has a norm of r
    // weights in FP16 beside it).
    let matrices = q.op.weight_bytes - r as f64 * 2.0;
    assert!(
        (matrices - (n_a + n_b) * got / 8.0).abs() < 1e-6 * matrices,
        "{matrices} bytes"
    );
}

/// The operator tables say which format each row moves: Q4_0 matrices at 4.5 bits, its LM
/// head at Q6_K's 6.5625, norms in F32; every operator that reads weights names its bits.
#[test]
fn operator_rows_carry_their_storage_bits() {
    let arch = llama2_7b();
    let wl = Workload::paper(OperatorSet::Full);
    let device = &device_presets()[0];
    let bits = |p: Precision| -> Vec<(&'static str, Option<f64>, f64)> {
        decode_breakdown(&arch, device, p, &wl, 1025)
            .ops
            .into_iter()
            .map(|o| (o.op.name, o.weight_bits, o.op.weight_bytes))
            .collect()
    };
    let of = |rows: &[(&'static str, Option<f64>, f64)], name: &str| {
        rows.iter().find(|r| r.0 == name).unwrap().1
    };
    let q4 = bits(gguf(GgufScheme::Q4_0));
    for (name, b, bytes) in &q4 {
        assert_eq!(
            b.is_some(),
            *bytes > 0.0,
            "{name}: {b:?} with {bytes} weight bytes"
        );
    }
    for name in [
        "Q proj",
        "K proj",
        "V proj",
        "O proj",
        "FFN gate",
        "FFN up",
        "FFN down",
        "embedding",
    ] {
        assert_eq!(of(&q4, name), Some(4.5), "{name}");
    }
    assert_eq!(of(&q4, "LM head"), Some(6.5625));
    assert_eq!(of(&q4, "norms"), Some(32.0));
    assert_eq!(of(&q4, "RoPE"), None);
    let q8_head = gguf(GgufScheme::Q4_0).with_lm_head(Some(WeightFormat::Gguf(GgufScheme::Q8_0)));
    assert_eq!(of(&bits(q8_head), "LM head"), Some(8.5));
    // A plain format: one number everywhere, norms included.
    for (name, b, _) in bits(Precision::FP16) {
        assert!(b.is_none() || b == Some(16.0), "{name}: {b:?}");
    }
    // Q4_K_M gives half the layers' ffn_down Q6_K: the row shows the average over layers.
    let m = of(&bits(gguf(GgufScheme::Q4_K_M)), "FFN down").unwrap();
    assert!(m > 4.5 && m < 6.5625, "Q4_K_M ffn_down {m}");
}

#[test]
fn plain_formats_keep_their_whole_bytes() {
    let arch = llama2_7b();
    let p = param_counts(&arch).total() as f64;
    for (precision, bytes) in [
        (Precision::FP16, 2.0),
        (Precision::INT8, 1.0),
        (Precision::W4A16, 0.5),
    ] {
        assert_eq!(stored_weights(&arch, &precision).total(), p * bytes);
    }
}

#[test]
fn the_compute_path_picks_the_peak() {
    let q4 = gguf(GgufScheme::Q4_K_M);
    assert_eq!(q4.matmul_format(), NumFormat::Fp16);
    assert_eq!(
        q4.with_matmul(MatmulPath::Cpu).matmul_format(),
        NumFormat::Int8
    );
    assert_eq!(
        q4.with_matmul(MatmulPath::Format(NumFormat::Int4))
            .matmul_format(),
        NumFormat::Int4
    );
    assert_eq!(gguf(GgufScheme::BF16).matmul_format(), NumFormat::Bf16);
    assert_eq!(
        gguf(GgufScheme::F16)
            .with_matmul(MatmulPath::Cpu)
            .matmul_format(),
        NumFormat::Fp16
    );
    let awq = Precision::weight_only(WeightFormat::Int4G128(Int4Tool::Awq));
    assert_eq!(
        awq.with_matmul(MatmulPath::Cpu).matmul_format(),
        NumFormat::Fp16
    );
    // Plain formats keep method.md §3's rule whatever the path.
    assert_eq!(
        Precision::INT8.with_matmul(MatmulPath::Cpu).matmul_format(),
        NumFormat::Int8
    );
    assert_eq!(Precision::W4A16.matmul_format(), NumFormat::Fp16);
}

#[test]
fn one_parser_reads_every_spelling() {
    let cases: [(&str, WeightFormat); 12] = [
        ("q4_0", WeightFormat::Gguf(GgufScheme::Q4_0)),
        ("Q4_K_M", WeightFormat::Gguf(GgufScheme::Q4_K_M)),
        ("q4_k", WeightFormat::Gguf(GgufScheme::Q4_K_M)),
        ("IQ4_XS", WeightFormat::Gguf(GgufScheme::IQ4_XS)),
        ("gguf-f16", WeightFormat::Gguf(GgufScheme::F16)),
        ("q4f16_1", WeightFormat::Mlc(MlcScheme::Q4f16_1)),
        ("q4f16_ft", WeightFormat::Mlc(MlcScheme::Q4f16Ft)),
        ("awq-int4-g128", WeightFormat::Int4G128(Int4Tool::Awq)),
        ("GPTQ", WeightFormat::Int4G128(Int4Tool::Gptq)),
        (
            "nf4",
            WeightFormat::Nf4 {
                double_quant: false,
            },
        ),
        ("fp16", WeightFormat::Plain(NumFormat::Fp16)),
        (
            "custom:4.25",
            WeightFormat::Custom(CustomBits::new(4.25).unwrap()),
        ),
    ];
    for (text, f) in cases {
        assert_eq!(text.parse::<WeightFormat>(), Ok(f), "{text}");
        assert_eq!(
            text.parse::<Precision>().map(|p| p.weights),
            Ok(f),
            "{text}"
        );
    }
    assert_eq!(
        "q4_0".parse::<Precision>(),
        Ok(Precision::weight_only(WeightFormat::Gguf(GgufScheme::Q4_0)))
    );
    // The old meanings stay: "q8" is INT8 everywhere, "int4" INT4 everywhere.
    assert_eq!("q8".parse::<Precision>(), Ok(Precision::INT8));
    assert_eq!(
        "q9_0".parse::<WeightFormat>().unwrap_err().to_string(),
        "'q9_0' is not a weight format (expected fp32, fp16, bf16, fp8, int8, int4, a GGUF \
type (f16, q8_0, q6_k, q5_k_m, q5_k_s, q5_0, q5_1, q4_k_m, q4_k_s, q4_0, q4_1, q3_k_m, q2_k, \
iq4_xs, iq4_nl), q4f16_1, q4f16_ft, awq-int4-g128, gptq-int4-g128, nf4, nf4-dq or custom:N \
bits per weight)"
    );
    assert_eq!(
        "custom:0".parse::<Precision>().unwrap_err().to_string(),
        "'custom:0' is not a custom weight format (expected custom:N with N bits per weight \
above 0 and at most 32, e.g. custom:4.25)"
    );
    assert!("custom:NaN".parse::<WeightFormat>().is_err());
    assert!("custom:40".parse::<WeightFormat>().is_err());
}

#[test]
fn sessions_saved_before_formats_still_load_and_save_the_same() {
    let old = r#"{"weights":"int4","activations":"fp16","kv":"fp16"}"#;
    let p: Precision = serde_json::from_str(old).unwrap();
    assert_eq!(p, Precision::W4A16);
    assert_eq!(serde_json::to_string(&p).unwrap(), old);
    let new = gguf(GgufScheme::Q4_K_M)
        .with_lm_head(Some(WeightFormat::Gguf(GgufScheme::Q8_0)))
        .with_matmul(MatmulPath::Cpu);
    let json = serde_json::to_string(&new).unwrap();
    assert_eq!(
        json,
        r#"{"weights":"q4_k_m","activations":"fp16","kv":"fp16","lm_head":"q8_0","matmul":"cpu"}"#
    );
    assert_eq!(serde_json::from_str::<Precision>(&json).unwrap(), new);
    assert_eq!(new.name(), "Q4_K_M, head Q8_0, CPU");
}

/// The search's fast path for plain formats (one b_w for every tensor) and the general
/// per-tensor path agree: 16 custom bits per weight cost what FP16 costs, in every operator.
#[test]
fn plain_formats_fast_path_equals_the_per_tensor_path() {
    let nano = device_presets()
        .into_iter()
        .find(|d| d.name() == "Jetson Orin Nano Super 8GB")
        .unwrap();
    let w = Workload::default();
    for arch in [llama2_7b(), llama31_8b()] {
        let plain = Precision::weight_only(WeightFormat::Plain(NumFormat::Fp16));
        let custom = Precision::weight_only(WeightFormat::Custom(CustomBits::new(16.0).unwrap()));
        let (a, b) = (
            stored_weights(&arch, &plain),
            stored_weights(&arch, &custom),
        );
        assert!(rel(b.total(), a.total()) < 1e-12, "{a:?} vs {b:?}");
        let (ra, rb) = (
            evaluate(&arch, &nano, plain, &w),
            evaluate(&arch, &nano, custom, &w),
        );
        assert!(rel(rb.decode_s, ra.decode_s) < 1e-12);
        assert!(rel(rb.prefill_s, ra.prefill_s) < 1e-12);
        assert!(rel(rb.weights_bytes, ra.weights_bytes) < 1e-12);
    }
}

/// GGUF layer averages are kept between calls (the search asks for the same shapes millions of
/// times): after many shapes in one thread, each equals a fresh computation in a new thread.
#[test]
fn kept_layer_averages_equal_fresh_ones() {
    let shapes: Vec<Architecture> = [(8, 1024), (16, 1024), (8, 2048), (32, 4096), (16, 1536)]
        .iter()
        .flat_map(|&(l, d)| {
            [
                llama(l, d, 4 * d, d / 256, 32000),
                llama(l, d, 3 * d, d / 128, 50000),
            ]
        })
        .collect();
    for scheme in [GgufScheme::Q4_K_M, GgufScheme::Q5_K_S, GgufScheme::Q3_K_M] {
        let p = gguf(scheme);
        let here: Vec<f64> = shapes
            .iter()
            .chain(shapes.iter().rev())
            .map(|a| stored_weights(a, &p).total())
            .collect();
        let fresh: Vec<f64> = shapes
            .iter()
            .chain(shapes.iter().rev())
            .map(|a| {
                let a = a.clone();
                std::thread::spawn(move || stored_weights(&a, &p).total())
                    .join()
                    .unwrap()
            })
            .collect();
        assert_eq!(here, fresh, "{scheme:?}");
    }
}
