//! GGUF header import: real headers written by llama.cpp's Python writer
//! (`scripts/gguf_fixtures.py`, tensor data left out), and broken ones from a small writer.

mod gguf_writer;

use gguf_writer::{tiny_llama, Writer};
use roofscale::model::arch::{ArchSpec, Architecture, Attention, FfnKind, Moe};
use roofscale::model::gguf::{
    import_gguf, read_header, GgufImport, GgufModel, GgufValue, HeaderRead,
};
use roofscale::model::gguf_mix::GgufScheme;
use roofscale::model::hf_config::{import_hf_config, reference_presets};
use roofscale::model::params::param_counts;
use roofscale::model::precision::Precision;
use roofscale::model::weight_bytes::stored_weights;
use roofscale::model::weight_format::WeightFormat;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/gguf/{name}")).unwrap()
}

fn model(name: &str, bytes: &[u8]) -> GgufModel {
    match import_gguf(name, bytes).unwrap() {
        GgufImport::Model(m) => *m,
        other => panic!("{name}: {other:?}"),
    }
}

fn preset(name: &str) -> ArchSpec {
    let (_, json) = reference_presets()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap();
    import_hf_config(json).unwrap().arch.spec().clone()
}

fn error(bytes: &[u8]) -> String {
    import_gguf("model.gguf", bytes).unwrap_err().to_string()
}

/// Exact bytes of every tensor by its ggml type, against the page's format model and the
/// sizes llama-bench prints for LLaMA-2-7B (reference.md).
#[test]
fn llama2_7b_headers_give_the_exact_tensor_bytes_of_their_files() {
    for (file, scheme, gib) in [
        ("llama2-7b-f16.gguf", GgufScheme::F16, 12.55),
        ("llama2-7b-q8_0.gguf", GgufScheme::Q8_0, 6.67),
        ("llama2-7b-q4_0.gguf", GgufScheme::Q4_0, 3.56),
    ] {
        let m = model(file, &fixture(file));
        assert_eq!(m.architecture, "llama");
        assert_eq!(m.file_type, Some(scheme));
        assert_eq!(m.params_in_file, 6_738_415_616);
        assert_eq!(m.notes, Vec::<String>::new(), "{file}");
        let arch = Architecture::new(m.arch.clone()).unwrap();
        assert_eq!(param_counts(&arch).total(), m.params_in_file);
        // The format model gives every tensor the type the file has: the bytes agree exactly.
        let modelled = stored_weights(&arch, &Precision::weight_only(WeightFormat::Gguf(scheme)));
        assert_eq!(modelled.total(), m.tensor_bytes as f64, "{file}");
        let err = (m.tensor_bytes as f64 / GIB - gib).abs() / gib;
        assert!(err < 0.01, "{file}: {} GiB", m.tensor_bytes as f64 / GIB);
    }
    let m = model("llama2-7b-q4_0.gguf", &fixture("llama2-7b-q4_0.gguf"));
    // Q4_0 blocks: 18 bytes per 32; output.weight Q6_K: 210 per 256.
    assert_eq!(
        m.tensor_bytes,
        6_476_005_376 / 32 * 18 + 4096 * 32000 / 32 * 18 + 4096 * 32000 / 256 * 210 + 266_240 * 4
    );
    assert_eq!(
        m.arch,
        ArchSpec {
            layers: 32,
            hidden: 4096,
            vocab: 32000,
            tied_embeddings: false,
            attention: Attention::Standard {
                heads: 32,
                kv_heads: 32,
                head_dim: 128,
                qkv_bias: false,
                qk_norm: false
            },
            sliding_window: None,
            ffn_kind: FfnKind::SwiGlu,
            intermediate: 11008,
            moe: None,
            norms_per_layer: 2,
            final_norm: true,
        }
    );
}

#[test]
fn families_map_to_the_same_architecture_as_their_hf_config() {
    let qwen = model("qwen", &fixture("qwen2.5-0.5b-q8_0.gguf"));
    assert_eq!(qwen.arch, preset("Qwen2.5-0.5B"));
    assert_eq!(qwen.params_in_file, 494_032_768);
    let gemma = model("gemma", &fixture("gemma-3-1b-f16.gguf"));
    assert_eq!(gemma.arch, preset("Gemma-3-1B"));
    assert_eq!(gemma.params_in_file, 999_885_952);
    assert!(gemma
        .keys_used
        .contains(&"gemma3.attention.sliding_window".to_string()));
}

#[test]
fn deepseek2_maps_mla_and_experts_and_says_what_it_approximates() {
    let m = model("ds", &fixture("deepseek2-tiny-f16.gguf"));
    assert_eq!(
        m.arch.attention,
        Attention::Mla {
            heads: 4,
            q_lora_rank: None,
            kv_lora_rank: 64,
            qk_rope_dim: 16,
            qk_nope_dim: 32,
            v_head_dim: 32
        }
    );
    assert_eq!(
        m.arch.moe,
        Some(Moe {
            experts: 4,
            active: 2,
            expert_intermediate: 64,
            shared_experts: 1,
            shared_intermediate: 64
        })
    );
    let arch = Architecture::new(m.arch.clone()).unwrap();
    // Layer 0 is dense in the file (3·128·256 weights) but modelled as MoE (5 experts of
    // 3·128·64 and a 4 × 128 router).
    let extra = 5 * 3 * 128 * 64 + 4 * 128 - 3 * 128 * 256;
    assert_eq!(param_counts(&arch).total(), m.params_in_file + extra);
    assert_eq!(
        m.notes,
        [
            "deepseek2.leading_dense_block_count 1: the first layers have a dense FFN in the \
             file but every layer is modelled as MoE"
                .to_string(),
            format!(
                "the file holds {} weights, the modelled architecture {}",
                m.params_in_file,
                m.params_in_file + extra
            )
        ]
    );
}

#[test]
fn reports_what_it_read_and_honours_the_alignment() {
    let bytes = fixture("tiny-llama-q4_k_m.gguf");
    let HeaderRead::Done(h) = read_header("tiny", &bytes).unwrap() else {
        panic!()
    };
    assert_eq!(h.version, 3);
    assert_eq!(h.alignment, 64);
    // The file is header only: it ends with the tensor infos; the data would start at the
    // next multiple of 64.
    assert_eq!(h.header_bytes, bytes.len() as u64);
    assert_eq!(h.data_offset, bytes.len().div_ceil(64) as u64 * 64);
    assert_eq!(
        h.metadata.get("tokenizer.ggml.tokens"),
        Some(&GgufValue::Array {
            elem_type: 8,
            len: 320,
            numbers: None
        })
    );
    let m = model("tiny", &bytes);
    assert_eq!(m.file_type, Some(GgufScheme::Q4_K_M));
    assert_eq!(
        m.keys_used,
        [
            "general.architecture",
            "general.name",
            "general.file_type",
            "llama.block_count",
            "llama.embedding_length",
            "llama.attention.head_count",
            "llama.attention.head_count_kv",
            "llama.feed_forward_length"
        ]
    );
    // Q4_K rows of 256: 144 bytes; output Q6_K: 210.
    let q = h.tensor("blk.0.attn_q.weight").unwrap();
    assert_eq!((q.dims.clone(), q.bytes), (vec![256, 256], 256 * 144));
}

/// The page reads growing prefixes: every prefix shorter than the header asks for more,
/// never for less than it has, and following the answers reaches the header.
#[test]
fn prefixes_ask_for_more_until_the_header_is_complete() {
    let bytes = fixture("tiny-llama-q4_k_m.gguf");
    let HeaderRead::Done(h) = read_header("tiny", &bytes).unwrap() else {
        panic!()
    };
    for len in 0..h.header_bytes as usize {
        match read_header("tiny", &bytes[..len]).unwrap() {
            HeaderRead::NeedMore { at_least } => {
                assert!(
                    at_least as usize > len && at_least <= h.header_bytes,
                    "{len}"
                )
            }
            HeaderRead::Done(_) => panic!("done at {len}"),
        }
    }
    let (mut len, mut reads) = (0usize, 0);
    while let HeaderRead::NeedMore { at_least } = read_header("tiny", &bytes[..len]).unwrap() {
        len = at_least as usize;
        reads += 1;
    }
    assert_eq!(len as u64, h.header_bytes);
    assert!(reads > 10);
    // Trailing bytes (the tensor data) change nothing.
    let mut longer = bytes.clone();
    longer.extend([7u8; 1000]);
    assert_eq!(read_header("tiny", &longer).unwrap(), HeaderRead::Done(h));
}

#[test]
fn broken_files_get_a_message_that_names_the_problem() {
    assert_eq!(
        error(b"PK\x03\x04 a zip"),
        "model.gguf, byte 0: not a GGUF file (expected the magic bytes \"GGUF\", found bytes \
         50 4b 03 04)"
    );
    assert_eq!(
        error(b"ggml"),
        "model.gguf, byte 0: not a GGUF file (expected the magic bytes \"GGUF\", found \"ggml\")"
    );
    assert_eq!(
        error(&Writer::new().version(1).bytes()),
        "model.gguf, byte 4: GGUF version 1 is not supported (expected version 2 or 3)"
    );
    let no_layers = Writer::new()
        .str("general.architecture", "llama")
        .tensor("token_embd.weight", &[64, 96], 1)
        .bytes();
    assert_eq!(
        error(&no_layers),
        "model.gguf: missing key \"llama.block_count\""
    );
    let rwkv = Writer::new().str("general.architecture", "rwkv6").bytes();
    assert_eq!(
        error(&rwkv),
        "model.gguf: general.architecture \"rwkv6\" is not supported (expected llama, mistral, \
         qwen2, qwen3, qwen2moe, qwen3moe, gemma2, gemma3, phi3 or deepseek2)"
    );
    let bad_type = tiny_llama().tensor("extra", &[32], 4).bytes();
    assert!(error(&bad_type).ends_with("tensor \"extra\": ggml type 4 is not one this page knows"));
    let bad_row = tiny_llama().tensor("odd", &[48, 2], 2).bytes();
    assert!(error(&bad_row).ends_with(
        "tensor \"odd\": rows of 48 weights are not a whole number of Q4_0 blocks of 32"
    ));
    let bad_value = Writer::new().raw("general.x", 13, &[]).bytes();
    assert_eq!(
        error(&bad_value),
        "model.gguf, byte 41: key \"general.x\": value type 13 is not a GGUF type (expected 0 to \
         12)"
    );
    let mut huge = Writer::new().bytes();
    huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(
        error(&huge),
        "model.gguf, byte 8: tensor count 18446744073709551615 is larger than 1048576; the file \
         is corrupt"
    );
}

#[test]
fn per_layer_arrays_that_differ_are_refused_and_uniform_ones_read() {
    let base = |kv: &[u32]| {
        Writer::new()
            .str("general.architecture", "llama")
            .u32("llama.block_count", 2)
            .u32("llama.embedding_length", 64)
            .u32("llama.feed_forward_length", 128)
            .u32("llama.attention.head_count", 4)
            .u32s("llama.attention.head_count_kv", kv)
            .tensor("token_embd.weight", &[64, 96], 1)
            .bytes()
    };
    assert_eq!(
        error(&base(&[2, 1])),
        "model.gguf: key \"llama.attention.head_count_kv\": values differ between layers; the \
         page models identical layers"
    );
    let m = model("m", &base(&[2, 2]));
    assert!(matches!(
        m.arch.attention,
        Attention::Standard { kv_heads: 2, .. }
    ));
    assert!(m.arch.tied_embeddings);
}

#[test]
fn the_written_tiny_llama_round_trips() {
    let m = model("tiny", &tiny_llama().bytes());
    assert_eq!(m.file_type, Some(GgufScheme::F16));
    let arch = Architecture::new(m.arch.clone()).unwrap();
    assert_eq!(param_counts(&arch).total(), m.params_in_file);
    let f16 = Precision::weight_only(WeightFormat::Gguf(GgufScheme::F16));
    assert_eq!(stored_weights(&arch, &f16).total(), m.tensor_bytes as f64);
}
