//! The Hugging Face `config.json` importer: the reference models of public/docs/reference.md
//! (shipped as presets) to their published parameter counts and KV-cache sizes, real MoE and
//! sliding-window checkpoints counted by hand, every error message word for word, and a seeded
//! fuzz that must never panic.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::arch::{Architecture, Attention, FfnKind, Moe, SlidingWindow};
use roofscale::model::hf_config::{
    import_hf_config, reference_presets, ConfigError, ImportedModel,
};
use roofscale::model::params::param_counts;
use serde_json::{json, Value};

fn import(json: &str) -> ImportedModel {
    import_hf_config(json).unwrap_or_else(|e| panic!("refused: {e}"))
}

fn preset(name: &str) -> &'static str {
    reference_presets()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, json)| json)
        .unwrap_or_else(|| panic!("no preset {name}"))
}

fn total(model: &ImportedModel) -> u64 {
    param_counts(&model.arch).total()
}

/// KV-cache bytes per token at FP16 over all layers.
fn kv_bytes_fp16(arch: &Architecture) -> u64 {
    arch.kv_elems_per_token_layer() * arch.spec().layers as u64 * 2
}

/// `base` with fields replaced (or added) and removed.
fn edited(base: &str, set: &[(&str, Value)], remove: &[&str]) -> String {
    let mut v: Value = serde_json::from_str(base).expect("base is JSON");
    let map = v.as_object_mut().expect("base is an object");
    for (key, value) in set {
        map.insert(key.to_string(), value.clone());
    }
    for key in remove {
        map.remove(*key);
    }
    v.to_string()
}

fn refused(json: &str) -> ConfigError {
    match import_hf_config(json) {
        Ok(m) => panic!("accepted: {:?}", m.arch),
        Err(e) => e,
    }
}

fn message(json: &str) -> String {
    refused(json).to_string()
}

const MIXTRAL_8X7B: &str = r#"{
  "architectures": ["MixtralForCausalLM"],
  "model_type": "mixtral",
  "vocab_size": 32000,
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "num_hidden_layers": 32,
  "num_attention_heads": 32,
  "num_key_value_heads": 8,
  "num_local_experts": 8,
  "num_experts_per_tok": 2,
  "hidden_act": "silu",
  "sliding_window": null,
  "tie_word_embeddings": false,
  "rope_theta": 1000000.0
}"#;

const QWEN1_5_MOE_A2_7B: &str = r#"{
  "architectures": ["Qwen2MoeForCausalLM"],
  "model_type": "qwen2_moe",
  "vocab_size": 151936,
  "hidden_size": 2048,
  "intermediate_size": 5632,
  "moe_intermediate_size": 1408,
  "shared_expert_intermediate_size": 5632,
  "num_experts": 60,
  "num_experts_per_tok": 4,
  "decoder_sparse_step": 1,
  "num_hidden_layers": 24,
  "num_attention_heads": 16,
  "num_key_value_heads": 16,
  "hidden_act": "silu",
  "tie_word_embeddings": false,
  "use_sliding_window": false,
  "sliding_window": 32768,
  "max_window_layers": 21
}"#;

const DEEPSEEK_V2_LITE: &str = r#"{
  "architectures": ["DeepseekV2ForCausalLM"],
  "model_type": "deepseek_v2",
  "vocab_size": 102400,
  "hidden_size": 2048,
  "intermediate_size": 10944,
  "moe_intermediate_size": 1408,
  "num_hidden_layers": 27,
  "num_attention_heads": 16,
  "num_key_value_heads": 16,
  "n_shared_experts": 2,
  "n_routed_experts": 64,
  "num_experts_per_tok": 6,
  "first_k_dense_replace": 1,
  "moe_layer_freq": 1,
  "kv_lora_rank": 512,
  "q_lora_rank": null,
  "qk_rope_head_dim": 64,
  "qk_nope_head_dim": 128,
  "v_head_dim": 128,
  "hidden_act": "silu",
  "tie_word_embeddings": false
}"#;

const GEMMA_2_2B: &str = r#"{
  "model_type": "gemma2",
  "vocab_size": 256000,
  "hidden_size": 2304,
  "intermediate_size": 9216,
  "num_hidden_layers": 26,
  "num_attention_heads": 8,
  "num_key_value_heads": 4,
  "head_dim": 256,
  "hidden_activation": "gelu_pytorch_tanh",
  "sliding_window": 4096
}"#;

const MISTRAL_7B_V0_1: &str = r#"{
  "model_type": "mistral",
  "vocab_size": 32000,
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "num_hidden_layers": 32,
  "num_attention_heads": 32,
  "num_key_value_heads": 8,
  "hidden_act": "silu",
  "sliding_window": 4096,
  "tie_word_embeddings": false
}"#;

const QWEN3_0_6B: &str = r#"{
  "model_type": "qwen3",
  "vocab_size": 151936,
  "hidden_size": 1024,
  "intermediate_size": 3072,
  "num_hidden_layers": 28,
  "num_attention_heads": 16,
  "num_key_value_heads": 8,
  "head_dim": 128,
  "hidden_act": "silu",
  "tie_word_embeddings": true
}"#;

#[test]
fn reference_models_import_to_their_published_parameter_counts() {
    let expected = [
        ("Qwen2.5-0.5B", 494_032_768),
        ("Llama-3.2-1B", 1_235_814_400),
        ("SmolLM2-360M", 361_821_120),
        ("Gemma-3-1B", 999_885_952),
        ("MobileLLM-125M", 124_635_456),
        ("PLM-1.8B", 1_825_458_176),
    ];
    assert_eq!(reference_presets().len(), expected.len());
    for (name, params) in expected {
        assert_eq!(total(&import(preset(name))), params, "{name}");
    }
}

#[test]
fn reference_models_have_their_published_kv_cache_per_token() {
    let expected = [
        // 24 layers × 2·2·64 elements × 2 bytes
        ("Qwen2.5-0.5B", 12 * 1024),
        // 16 layers × 2·8·64 × 2
        ("Llama-3.2-1B", 32 * 1024),
        // 32 layers × 2·5·64 × 2
        ("SmolLM2-360M", 40 * 1024),
        // 32 layers × (512 + 64) × 2: the MLA latent and the shared RoPE key
        ("PLM-1.8B", 36 * 1024),
    ];
    for (name, bytes) in expected {
        assert_eq!(kv_bytes_fp16(&import(preset(name)).arch), bytes, "{name}");
    }
}

#[test]
fn preset_index_lists_the_compiled_in_presets_with_their_counts() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/public/presets/models");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/index.json")).unwrap())
            .unwrap();
    let entries = index.as_array().unwrap();
    let presets = reference_presets();
    assert_eq!(entries.len(), presets.len());
    for (entry, (name, json)) in entries.iter().zip(presets) {
        assert_eq!(entry["name"], name);
        let file = std::fs::read_to_string(format!("{dir}/{}", entry["file"].as_str().unwrap()));
        assert_eq!(file.unwrap(), json, "{name}");
        assert_eq!(
            entry["params"].as_u64(),
            Some(total(&import(json))),
            "{name}"
        );
        assert!(entry["source"].as_str().unwrap().contains("config.json"));
    }
}

#[test]
fn qwen2_gets_its_unstated_qkv_bias() {
    let m = import(preset("Qwen2.5-0.5B"));
    assert_eq!(
        m.notes,
        ["qwen2: QKV bias assumed (every qwen2 model has it)"]
    );
}

/// Regression (issue "Honest answers", 13d): an imported config was named by its class
/// ("Qwen2ForCausalLM"). The config's own name wins, then the file name without extension,
/// and only then the class.
#[test]
fn imported_config_is_named_by_its_model_name_then_file_then_class() {
    let plain = import(preset("Qwen2.5-0.5B"));
    assert_eq!(plain.name_or_path, None);
    assert_eq!(plain.architecture.as_deref(), Some("Qwen2ForCausalLM"));
    assert_eq!(plain.display_name(Some("my-qwen.json")), "my-qwen");
    assert_eq!(
        plain.display_name(Some("dir/qwen2.5-0.5b.json")),
        "qwen2.5-0.5b"
    );
    // Every hub repository calls the file config.json: that is no name.
    assert_eq!(plain.display_name(Some("config.json")), "Qwen2ForCausalLM");
    assert_eq!(plain.display_name(None), "Qwen2ForCausalLM");
    for key in ["_name_or_path", "name_or_path"] {
        let named = import(&edited(
            preset("Qwen2.5-0.5B"),
            &[(key, json!("Qwen/Qwen2.5-0.5B"))],
            &[],
        ));
        assert_eq!(
            named.name_or_path.as_deref(),
            Some("Qwen/Qwen2.5-0.5B"),
            "{key}"
        );
        assert_eq!(
            named.display_name(Some("my-qwen.json")),
            "Qwen/Qwen2.5-0.5B"
        );
    }
    // A local checkpoint path keeps its last part.
    let local = import(&edited(
        preset("Qwen2.5-0.5B"),
        &[("_name_or_path", json!("/home/me/ckpt/qwen-tuned/"))],
        &[],
    ));
    assert_eq!(local.display_name(None), "qwen-tuned");
    let bare = import(&edited(preset("Qwen2.5-0.5B"), &[], &["architectures"]));
    assert_eq!(bare.display_name(Some("config.json")), "imported model");
}

#[test]
fn llama_smollm_mobilellm_and_plm_import_without_assumptions() {
    for name in ["Llama-3.2-1B", "SmolLM2-360M", "MobileLLM-125M", "PLM-1.8B"] {
        assert_eq!(import(preset(name)).notes, Vec::<String>::new(), "{name}");
    }
    let plm = import(preset("PLM-1.8B"));
    assert_eq!(plm.arch.spec().ffn_kind, FfnKind::ReluSquared);
    assert!(plm.arch.spec().tied_embeddings);
    assert_eq!(
        plm.arch.spec().attention,
        Attention::Mla {
            heads: 16,
            q_lora_rank: None,
            kv_lora_rank: 512,
            qk_rope_dim: 64,
            qk_nope_dim: 128,
            v_head_dim: 128,
        }
    );
}

#[test]
fn gemma3_notes_every_family_default_it_applies() {
    let m = import(preset("Gemma-3-1B"));
    assert_eq!(
        m.notes,
        [
            "head_dim 256 × 4 heads differs from hidden_size 1152: the attention projections \
             are rectangular",
            "gemma3_text: RMSNorm on each query and key head",
            "gemma3_text: embeddings tied by default",
            "sliding window of 512 tokens on 22 of 26 layers (every 6th layer is global)",
            "gemma3_text: 4 norms per layer (before and after attention and FFN)",
        ]
    );
    let s = m.arch.spec();
    assert_eq!(s.ffn_kind, FfnKind::GeGlu);
    assert_eq!(s.norms_per_layer, 4);
    assert_eq!(
        s.sliding_window,
        Some(SlidingWindow {
            window: 512,
            global_every: 6
        })
    );
}

#[test]
fn layer_types_agree_with_the_sliding_window_pattern() {
    let types: Vec<&str> = (0..26)
        .map(|i| {
            if (i + 1) % 6 == 0 {
                "full_attention"
            } else {
                "sliding_attention"
            }
        })
        .collect();
    let listed = edited(
        preset("Gemma-3-1B"),
        &[("layer_types", json!(types))],
        &["sliding_window_pattern"],
    );
    let a = import(&listed);
    let b = import(preset("Gemma-3-1B"));
    assert_eq!(a.arch, b.arch);
    assert_eq!(a.notes, b.notes);
}

#[test]
fn irregular_layer_types_are_approximated_and_say_so() {
    // 4 global layers of 26 at layers 1, 2, 3, 26: modelled as every 6th layer global.
    let mut types = vec!["sliding_attention"; 26];
    for i in [0, 1, 2, 25] {
        types[i] = "full_attention";
    }
    let m = import(&edited(
        preset("Gemma-3-1B"),
        &[("layer_types", json!(types))],
        &[],
    ));
    assert_eq!(m.arch.spec().sliding_window.unwrap().global_every, 6);
    assert!(m.notes.contains(
        &"sliding window of 512 tokens on 22 of 26 layers at irregular positions; modelled as \
          every 6th layer global (4 global layers)"
            .to_string()
    ));
}

#[test]
fn multimodal_gemma3_reads_its_text_config() {
    let text: Value = serde_json::from_str(preset("Gemma-3-1B")).unwrap();
    let wrapped = json!({"model_type": "gemma3", "text_config": text}).to_string();
    let m = import(&wrapped);
    assert_eq!(total(&m), 999_885_952);
    assert_eq!(
        m.notes[0],
        "gemma3: the language model is read from text_config; the vision tower is not counted"
    );
}

#[test]
fn gemma2_2b_alternates_local_and_global_layers() {
    // Embedding 256000·2304 = 589,824,000 (tied); per layer: q 2304·2048 = 4,718,592,
    // k and v 2304·1024 = 2,359,296 each, o 4,718,592 (14,155,776), GeGLU 3·2304·9216 =
    // 63,700,992, 4 norms 9,216: 77,865,984 × 26 = 2,024,515,584; + 589,824,000 + final norm
    // 2,304 = 2,614,341,888, the published count.
    let m = import(GEMMA_2_2B);
    assert_eq!(total(&m), 2_614_341_888);
    assert_eq!(
        m.arch.spec().sliding_window,
        Some(SlidingWindow {
            window: 4096,
            global_every: 2
        })
    );
    assert!(m.notes.contains(
        &"sliding window of 4096 tokens on 13 of 26 layers (every 2nd layer is global)".to_string()
    ));
}

#[test]
fn mistral_windows_every_layer() {
    // 2·32000·4096 = 262,144,000 untied; per layer attention 2·4096² + 2·4096·1024 =
    // 41,943,040, SwiGLU 3·4096·14336 = 176,160,768, norms 8,192: 218,112,000 × 32 =
    // 6,979,584,000; + 262,144,000 + 4,096 = 7,241,732,096, the published count.
    let m = import(MISTRAL_7B_V0_1);
    assert_eq!(total(&m), 7_241_732_096);
    assert_eq!(
        m.arch.spec().sliding_window,
        Some(SlidingWindow {
            window: 4096,
            global_every: u32::MAX
        })
    );
    assert_eq!(m.notes, ["sliding window of 4096 tokens on all 32 layers"]);
    let v3 = import(&edited(
        MISTRAL_7B_V0_1,
        &[("sliding_window", Value::Null)],
        &[],
    ));
    assert_eq!(v3.arch.spec().sliding_window, None);
    let absent = import(&edited(MISTRAL_7B_V0_1, &[], &["sliding_window"]));
    assert_eq!(absent.arch, m.arch);
    assert_eq!(
        absent.notes[0],
        "sliding_window absent: 4096 (the mistral default)"
    );
}

#[test]
fn qwen3_has_qk_norms_and_its_own_head_dim_default() {
    // Embedding 151936·1024 = 155,582,464 (tied); per layer q and o 1024·2048 = 2,097,152 each,
    // k and v 1024·1024 = 1,048,576 each, q/k norms 2·128: 6,291,712; SwiGLU 3·1024·3072 =
    // 9,437,184; norms 2,048: 15,730,944 × 28 = 440,466,432; + 155,582,464 + 1,024 = 596,049,920.
    let m = import(QWEN3_0_6B);
    assert_eq!(total(&m), 596_049_920);
    assert_eq!(
        m.notes,
        [
            "head_dim 128 × 16 heads differs from hidden_size 1024: the attention projections \
             are rectangular",
            "qwen3: RMSNorm on each query and key head",
        ]
    );
    let absent = import(&edited(QWEN3_0_6B, &[], &["head_dim"]));
    assert_eq!(absent.arch, m.arch);
    assert_eq!(absent.notes[0], "head_dim absent: 128 (the qwen3 default)");
}

#[test]
fn mixtral_8x7b_counts_eight_experts_two_active() {
    // Embedding and untied head 2·32000·4096 = 262,144,000. Per layer: attention 2·4096² +
    // 2·4096·1024 = 41,943,040; experts 8 × 3·4096·14336 = 8 × 176,160,768 = 1,409,286,144;
    // router 4096·8 = 32,768; norms 8,192: 1,451,270,144 × 32 = 46,440,644,608.
    // Total 46,440,644,608 + 262,144,000 + 4,096 = 46,702,792,704 (the published 46.7B).
    // Active: 6 idle experts × 176,160,768 × 32 layers = 33,822,867,456 fewer: 12,879,925,248.
    let m = import(MIXTRAL_8X7B);
    assert_eq!(
        m.arch.spec().moe,
        Some(Moe {
            experts: 8,
            active: 2,
            expert_intermediate: 14336,
            shared_experts: 0,
            shared_intermediate: 0,
        })
    );
    let c = param_counts(&m.arch);
    assert_eq!(c.total(), 46_702_792_704);
    assert_eq!(c.active(), 12_879_925_248);
    assert_eq!(m.notes, Vec::<String>::new());
}

#[test]
fn qwen2_moe_has_one_shared_expert() {
    // Embedding and untied head 2·151936·2048 = 622,329,856. Per layer: attention 4·2048² =
    // 16,777,216 + QKV bias 3·2048 = 16,783,360; routed 60 × 3·2048·1408 = 60 × 8,650,752 =
    // 519,045,120; shared 3·2048·5632 = 34,603,008; router 2048·60 = 122,880; norms 4,096:
    // 570,558,464 × 24 = 13,693,403,136. Total + 622,329,856 + 2,048 = 14,315,735,040
    // (the checkpoint also has the shared expert's gate, 2048 × 24 = 49,152, noted).
    // Active: 56 idle experts × 8,650,752 × 24 = 11,626,610,688 fewer: 2,689,124,352.
    let m = import(QWEN1_5_MOE_A2_7B);
    assert_eq!(
        m.arch.spec().moe,
        Some(Moe {
            experts: 60,
            active: 4,
            expert_intermediate: 1408,
            shared_experts: 1,
            shared_intermediate: 5632,
        })
    );
    let c = param_counts(&m.arch);
    assert_eq!(c.total(), 14_315_735_040);
    assert_eq!(c.active(), 2_689_124_352);
    assert_eq!(
        m.notes,
        [
            "qwen2_moe: QKV bias assumed (every qwen2_moe model has it)",
            "qwen2_moe: one shared expert; its sigmoid gate (49,152 parameters) is not counted",
        ]
    );
}

#[test]
fn deepseek_v2_lite_is_mla_with_shared_experts_and_one_dense_layer_noted() {
    // Embedding and untied head 2·102400·2048 = 419,430,400. Per layer, MLA: q 2048·16·192 =
    // 6,291,456; kv_a 2048·(512+64) = 1,179,648; kv_b 512·16·256 = 2,097,152; o 16·128·2048 =
    // 4,194,304; latent norm 512: 13,763,072. Routed 64 × 3·2048·1408 = 64 × 8,650,752 =
    // 553,648,128; shared 2 × 8,650,752 = 17,301,504; router 2048·64 = 131,072; norms 4,096:
    // 584,847,872 × 27 = 15,790,892,544; + 419,430,400 + 2,048 = 16,210,324,992.
    // The checkpoint's first layer is dense, 3·2048·10944 = 67,239,936 instead of
    // 553,648,128 + 17,301,504 + 131,072 = 571,080,704: 503,840,768 fewer, 15,706,484,224 (15.7B).
    // Active: 58 idle experts × 8,650,752 × 27 = 13,547,077,632 fewer: 2,663,247,360.
    let m = import(DEEPSEEK_V2_LITE);
    assert_eq!(
        m.arch.spec().moe,
        Some(Moe {
            experts: 64,
            active: 6,
            expert_intermediate: 1408,
            shared_experts: 2,
            shared_intermediate: 1408,
        })
    );
    let c = param_counts(&m.arch);
    assert_eq!(c.total(), 16_210_324_992);
    assert_eq!(c.total() - 503_840_768, 15_706_484_224);
    assert_eq!(c.active(), 2_663_247_360);
    // (512 + 64) × 27 layers × 2 bytes
    assert_eq!(kv_bytes_fp16(&m.arch), 31_104);
    assert_eq!(
        m.notes,
        [
            "first_k_dense_replace: the first layer has a dense FFN (intermediate_size 10944) in \
             the checkpoint but every layer is modelled as MoE, which counts 503,840,768 more \
             parameters than the checkpoint"
        ]
    );
}

#[test]
fn deepseek_without_routed_experts_is_dense_and_q_lora_rank_defaults_to_1536() {
    let dense = import(&edited(
        DEEPSEEK_V2_LITE,
        &[],
        &["n_routed_experts", "q_lora_rank"],
    ));
    assert_eq!(dense.arch.spec().moe, None);
    assert!(matches!(
        dense.arch.spec().attention,
        Attention::Mla {
            q_lora_rank: Some(1536),
            ..
        }
    ));
    assert_eq!(
        dense.notes,
        [
            "q_lora_rank absent: 1536 (the deepseek_v2 default)",
            "n_routed_experts absent: a dense FFN in every layer",
        ]
    );
}

#[test]
fn deepseek_v3_counts_its_published_671b_after_the_noted_corrections() {
    let json = r#"{
      "model_type": "deepseek_v3", "vocab_size": 129280, "hidden_size": 7168,
      "intermediate_size": 18432, "moe_intermediate_size": 2048, "num_hidden_layers": 61,
      "num_attention_heads": 128, "num_key_value_heads": 128, "n_shared_experts": 1,
      "n_routed_experts": 256, "num_experts_per_tok": 8, "first_k_dense_replace": 3,
      "moe_layer_freq": 1, "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_rope_head_dim": 64,
      "qk_nope_head_dim": 128, "v_head_dim": 128, "hidden_act": "silu",
      "tie_word_embeddings": false, "num_nextn_predict_layers": 1
    }"#;
    // Embedding and untied head 2·129280·7168 = 1,853,358,080. Per layer, MLA: q_a 7168·1536 =
    // 11,010,048, q_b 1536·128·192 = 37,748,736, kv_a 7168·576 = 4,128,768, kv_b 512·128·256 =
    // 16,777,216, o 128·128·7168 = 117,440,512, norms 1536 + 512: 187,107,328. Experts
    // (256 routed + 1 shared) × 3·7168·2048 = 257 × 44,040,192 = 11,318,329,344; router
    // 7168·256 = 1,835,008; norms 14,336: 11,507,286,016 × 61 = 701,944,446,976;
    // + 1,853,358,080 + 7,168 = 703,797,812,224. The first 3 layers are dense in the
    // checkpoint: 3 × (11,318,329,344 + 1,835,008 − 3·7168·18432) = 3 × 10,923,802,624 =
    // 32,771,407,872 fewer; the router bias adds 256 × 58 = 14,848: 671,026,419,200.
    let m = import(json);
    let c = param_counts(&m.arch);
    assert_eq!(c.total(), 703_797_812_224);
    assert_eq!(c.total() - 32_771_407_872 + 14_848, 671_026_419_200);
    assert_eq!(
        m.notes,
        [
            "first_k_dense_replace: the first 3 layers have a dense FFN (intermediate_size \
             18432) in the checkpoint but every layer is modelled as MoE, which counts \
             32,771,407,872 more parameters than the checkpoint",
            "deepseek_v3: the router's per-expert score bias (14,848 parameters) is not counted",
            "num_nextn_predict_layers: the multi-token-prediction layers are not counted",
        ]
    );
}

#[test]
fn gemma_1_reads_the_old_hidden_act_field() {
    // Embedding 256000·2048 = 524,288,000 (tied); per layer q and o 2048·2048 = 4,194,304 each,
    // k and v 2048·256 = 524,288 each (9,437,184), GeGLU 3·2048·16384 = 100,663,296, norms
    // 4,096: 110,104,576 × 18 = 1,981,882,368; + 524,288,000 + 2,048 = 2,506,172,416 (Gemma-2B).
    let json = r#"{
      "model_type": "gemma", "vocab_size": 256000, "hidden_size": 2048,
      "intermediate_size": 16384, "num_hidden_layers": 18, "num_attention_heads": 8,
      "num_key_value_heads": 1, "head_dim": 256, "hidden_act": "gelu",
      "hidden_activation": null
    }"#;
    let m = import(json);
    assert_eq!(total(&m), 2_506_172_416);
    assert_eq!(m.arch.spec().ffn_kind, FfnKind::GeGlu);
    assert_eq!(m.notes, ["gemma: embeddings tied by default"]);
}

#[test]
fn unknown_family_with_llama_fields_is_read_as_llama_like() {
    let json = edited(
        preset("SmolLM2-360M"),
        &[("model_type", json!("my_llama"))],
        &[],
    );
    let m = import(&json);
    assert_eq!(total(&m), 361_821_120);
    assert_eq!(
        m.notes,
        [
            "model_type \"my_llama\" is not a supported family: read as llama-like (gated FFN, \
          bias only if attention_bias, 2 norms per layer)"
        ]
    );
}

const SUPPORTED: &str = "llama, mistral, mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe, gemma, \
                         gemma2, gemma3, gemma3_text, deepseek_v2, deepseek_v3, plm, mobilellm";

#[test]
fn error_invalid_json_gives_line_and_column() {
    let e = refused("{\n  \"model_type\": \"llama\",\n}");
    assert_eq!(
        e.to_string(),
        "invalid JSON at line 3, column 1: trailing comma"
    );
    assert!(matches!(
        e,
        ConfigError::Syntax {
            line: 3,
            column: 1,
            ..
        }
    ));
    assert_eq!(
        message(""),
        "invalid JSON at line 1, column 0: EOF while parsing a value"
    );
}

#[test]
fn error_not_an_object() {
    assert_eq!(
        message("[1, 2]"),
        "expected a JSON object at the top level, found an array"
    );
    assert_eq!(
        message("\"llama\""),
        "expected a JSON object at the top level, found \"llama\""
    );
}

#[test]
fn error_missing_field() {
    let json = edited(preset("Qwen2.5-0.5B"), &[], &["vocab_size"]);
    assert_eq!(
        message(&json),
        "vocab_size: expected a positive integer, but the field is missing"
    );
    let json = edited(preset("PLM-1.8B"), &[], &["kv_lora_rank"]);
    assert_eq!(
        message(&json),
        "kv_lora_rank: expected a positive integer, but the field is missing"
    );
}

#[test]
fn error_wrong_type_or_range_names_what_was_found() {
    let base = preset("Llama-3.2-1B");
    let cases = [
        (
            "num_attention_heads",
            json!("abc"),
            "num_attention_heads: expected a positive integer, found \"abc\"",
        ),
        (
            "num_hidden_layers",
            json!(-3),
            "num_hidden_layers: expected a positive integer, found -3",
        ),
        (
            "num_hidden_layers",
            json!(2.5),
            "num_hidden_layers: expected a positive integer, found 2.5",
        ),
        (
            "intermediate_size",
            json!(0),
            "intermediate_size: expected a positive integer, found 0",
        ),
        (
            "hidden_size",
            Value::Null,
            "hidden_size: expected a positive integer, found null",
        ),
        (
            "hidden_size",
            json!(5_000_000_000u64),
            "hidden_size: expected a positive integer of at most 4294967295, found 5000000000",
        ),
        (
            "vocab_size",
            json!([128256]),
            "vocab_size: expected a positive integer, found an array",
        ),
        (
            "tie_word_embeddings",
            json!("yes"),
            "tie_word_embeddings: expected true or false, found \"yes\"",
        ),
        (
            "model_type",
            json!(7),
            "model_type: expected a string, found 7",
        ),
        (
            "hidden_act",
            json!("relu"),
            "hidden_act: expected silu or a gelu variant (the llama FFN is gated), found \"relu\"",
        ),
        (
            "layer_types",
            json!("sliding"),
            "layer_types: expected an array of \"full_attention\" or \"sliding_attention\", \
             found \"sliding\"",
        ),
    ];
    for (field, value, text) in cases {
        assert_eq!(message(&edited(base, &[(field, value)], &[])), text);
    }
    let plm = edited(preset("PLM-1.8B"), &[("hidden_act", json!("silu"))], &[]);
    assert_eq!(
        message(&plm),
        "hidden_act: expected relu2 or a gelu variant (the plm FFN has two matrices), found \
         \"silu\""
    );
    let mut types = vec![json!("sliding_attention"); 16];
    types[3] = json!("linear_attention");
    let bad_entry = edited(base, &[("layer_types", json!(types))], &[]);
    assert_eq!(
        message(&bad_entry),
        "layer_types[3]: expected \"full_attention\" or \"sliding_attention\", found \
         \"linear_attention\""
    );
    let bad_list = edited(
        QWEN1_5_MOE_A2_7B,
        &[("mlp_only_layers", json!([0, "x"]))],
        &[],
    );
    assert_eq!(
        message(&bad_list),
        "mlp_only_layers[1]: expected a layer index (a non-negative integer), found \"x\""
    );
    let text_config = json!({"model_type": "gemma3", "text_config": 5}).to_string();
    assert_eq!(
        message(&text_config),
        "text_config: expected a JSON object, found 5"
    );
    let text: Value = serde_json::from_str(&edited(
        preset("Gemma-3-1B"),
        &[("num_attention_heads", json!("abc"))],
        &[],
    ))
    .unwrap();
    let nested = json!({"model_type": "gemma3", "text_config": text}).to_string();
    assert_eq!(
        message(&nested),
        "text_config.num_attention_heads: expected a positive integer, found \"abc\""
    );
}

#[test]
fn error_contradictory_fields() {
    let qwen = preset("Qwen2.5-0.5B");
    assert_eq!(
        message(&edited(qwen, &[("num_key_value_heads", json!(3))], &[])),
        "num_key_value_heads: 3 does not divide num_attention_heads (14)"
    );
    assert_eq!(
        message(&edited(
            qwen,
            &[
                ("num_attention_heads", json!(15)),
                ("num_key_value_heads", json!(5))
            ],
            &[]
        )),
        "num_attention_heads: 15 does not divide hidden_size (896), and head_dim is not given"
    );
    assert_eq!(
        message(&edited(
            MIXTRAL_8X7B,
            &[("num_experts_per_tok", json!(9))],
            &[]
        )),
        "num_experts_per_tok: 9 is more than num_local_experts (8)"
    );
    assert_eq!(
        message(&edited(
            DEEPSEEK_V2_LITE,
            &[("first_k_dense_replace", json!(30))],
            &[]
        )),
        "first_k_dense_replace: 30 dense layers are more than num_hidden_layers (27)"
    );
    let short = vec!["full_attention"; 25];
    assert_eq!(
        message(&edited(
            preset("Gemma-3-1B"),
            &[("layer_types", json!(short))],
            &[]
        )),
        "layer_types: has 25 entries, but num_hidden_layers is 26"
    );
    let mut types = vec!["full_attention"; 16];
    types[0] = "sliding_attention";
    types[1] = "sliding_attention";
    assert_eq!(
        message(&edited(
            preset("Llama-3.2-1B"),
            &[("layer_types", json!(types))],
            &[]
        )),
        "sliding_window: 2 layers are sliding_attention in layer_types, but no window size is \
         given"
    );
}

#[test]
fn error_unsupported_family() {
    let gpt2 = r#"{"model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12}"#;
    assert_eq!(
        message(gpt2),
        format!(
            "model_type: \"gpt2\" is not a supported family (supported: {SUPPORTED}); a \
             llama-like import needs hidden_size, num_hidden_layers, num_attention_heads, \
             intermediate_size, which are missing"
        )
    );
    let moe_like = edited(MIXTRAL_8X7B, &[("model_type", json!("minimax"))], &[]);
    assert_eq!(
        message(&moe_like),
        format!(
            "model_type: \"minimax\" is not a supported family (supported: {SUPPORTED}); a \
             llama-like import would ignore num_local_experts"
        )
    );
    assert_eq!(
        message(r#"{"hidden_size": 64}"#),
        format!(
            "model_type: missing, so the family is unknown (supported: {SUPPORTED}); a \
             llama-like import needs vocab_size, num_hidden_layers, num_attention_heads, \
             intermediate_size, which are missing"
        )
    );
}

#[test]
fn error_architecture_limits_name_the_config_field() {
    let llama = preset("Llama-3.2-1B");
    let e = refused(&edited(llama, &[("hidden_size", json!(2_000_000))], &[]));
    assert_eq!(
        e.to_string(),
        "hidden_size: 2000000 is larger than the limit 1048576"
    );
    assert!(matches!(&e, ConfigError::Architecture { source, .. } if source.field == "hidden"));
    assert_eq!(
        message(&edited(
            llama,
            &[("num_hidden_layers", json!(2_000_000))],
            &[]
        )),
        "num_hidden_layers: 2000000 is larger than the limit 1048576"
    );
    assert_eq!(
        message(&edited(
            MIXTRAL_8X7B,
            &[("num_local_experts", json!(5000))],
            &[]
        )),
        "num_local_experts: 5000 experts is beyond the limit 4096"
    );
}

#[test]
fn error_too_many_parameters() {
    // Per layer ≈ 4·d·(heads·head_dim) + 3·d·intermediate = 7e12 with d = 1e6; × 1e6 layers.
    let huge = edited(
        preset("Llama-3.2-1B"),
        &[
            ("num_hidden_layers", json!(1_000_000)),
            ("hidden_size", json!(1_000_000)),
            ("num_attention_heads", json!(1000)),
            ("num_key_value_heads", json!(1000)),
            ("head_dim", json!(1000)),
            ("intermediate_size", json!(1_000_000)),
        ],
        &[],
    );
    assert_eq!(
        message(&huge),
        "num_hidden_layers: the architecture would have about 7.0e18 parameters, beyond the limit 1e15"
    );
}

/// Bases for the fuzz: every preset and every inline config.
fn fuzz_bases() -> Vec<&'static str> {
    let mut bases: Vec<&'static str> = reference_presets().into_iter().map(|(_, j)| j).collect();
    bases.extend([
        MIXTRAL_8X7B,
        QWEN1_5_MOE_A2_7B,
        DEEPSEEK_V2_LITE,
        GEMMA_2_2B,
        MISTRAL_7B_V0_1,
        QWEN3_0_6B,
    ]);
    bases
}

const FUZZ_KEYS: [&str; 40] = [
    "model_type",
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "hidden_act",
    "hidden_activation",
    "tie_word_embeddings",
    "share_embedding",
    "attention_bias",
    "mlp_bias",
    "sliding_window",
    "sliding_window_pattern",
    "layer_types",
    "use_sliding_window",
    "max_window_layers",
    "num_local_experts",
    "num_experts",
    "n_routed_experts",
    "num_experts_per_tok",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "n_shared_experts",
    "decoder_sparse_step",
    "mlp_only_layers",
    "first_k_dense_replace",
    "moe_layer_freq",
    "num_nextn_predict_layers",
    "kv_lora_rank",
    "q_lora_rank",
    "qk_rope_head_dim",
    "qk_nope_head_dim",
    "v_head_dim",
    "text_config",
    "_name_or_path",
    "architectures",
    "unrelated",
];

const FAMILY_NAMES: [&str; 17] = [
    "llama",
    "mistral",
    "mixtral",
    "qwen2",
    "qwen2_moe",
    "qwen3",
    "qwen3_moe",
    "gemma",
    "gemma2",
    "gemma3",
    "gemma3_text",
    "deepseek_v2",
    "deepseek_v3",
    "plm",
    "mobilellm",
    "gpt2",
    "",
];

fn fuzz_value(rng: &mut SmallRng, bases: &[&str]) -> Value {
    match rng.random_range(0..22) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(0),
        3 => json!(-1),
        4 => json!(rng.random_range(1..5000)),
        5 => json!(rng.random_range(1..70)),
        6 => json!(2.5),
        7 => json!(1e300),
        8 => json!(u64::MAX),
        9 => json!(i64::MIN),
        10 => json!(4_294_967_296u64),
        11 => json!(1_048_577),
        12 => json!(1_048_576),
        13 => json!("abc"),
        14 => json!(FAMILY_NAMES[rng.random_range(0..FAMILY_NAMES.len())]),
        15 => json!(["gelu", "silu", "relu2", "gelu_new", "swish"][rng.random_range(0..5)]),
        16 => json!([]),
        17 => json!({}),
        18 => {
            let n = rng.random_range(0..40);
            let types: Vec<&str> = (0..n)
                .map(|_| ["sliding_attention", "full_attention", "other"][rng.random_range(0..3)])
                .collect();
            json!(types)
        }
        19 => serde_json::from_str(bases[rng.random_range(0..bases.len())]).unwrap(),
        20 => json!([rng.random_range(0..30), "x", null]),
        _ => json!("€".repeat(rng.random_range(0..60))),
    }
}

fn fuzz_input(rng: &mut SmallRng, bases: &[&str]) -> String {
    let base = bases[rng.random_range(0..bases.len())];
    match rng.random_range(0..10) {
        // Field edits, the common case: keep the JSON valid so the conversion is exercised.
        0..=5 => {
            let mut v: Value = serde_json::from_str(base).unwrap();
            let map = v.as_object_mut().unwrap();
            for _ in 0..rng.random_range(1..5) {
                let key = FUZZ_KEYS[rng.random_range(0..FUZZ_KEYS.len())];
                if rng.random_bool(0.2) {
                    map.remove(key);
                } else {
                    map.insert(key.to_string(), fuzz_value(rng, bases));
                }
            }
            v.to_string()
        }
        // Truncated text.
        6 => {
            let chars: Vec<char> = base.chars().collect();
            chars[..rng.random_range(0..=chars.len())].iter().collect()
        }
        // Characters replaced with JSON punctuation or digits.
        7 => {
            let mut chars: Vec<char> = base.chars().collect();
            let alphabet: Vec<char> = "{}[]\",:-.e0123456789 n\\".chars().collect();
            for _ in 0..rng.random_range(1..6) {
                let at = rng.random_range(0..chars.len());
                chars[at] = alphabet[rng.random_range(0..alphabet.len())];
            }
            chars.into_iter().collect()
        }
        // Short random text.
        8 => {
            let alphabet: Vec<char> = "{}[]\":,0123456789-.eE truefalsn€".chars().collect();
            (0..rng.random_range(0..60))
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect()
        }
        // Any JSON value at the top level.
        _ => fuzz_value(rng, bases).to_string(),
    }
}

#[test]
fn no_input_panics_and_every_import_is_whole() {
    let bases = fuzz_bases();
    let mut rng = SmallRng::seed_from_u64(0x5eed_2026);
    let (mut ok, mut err) = (0u32, 0u32);
    for i in 0..30_000 {
        let input = fuzz_input(&mut rng, &bases);
        let outcome = std::panic::catch_unwind(|| match import_hf_config(&input) {
            Ok(m) => {
                // A whole architecture: counts are computable and consistent.
                let c = param_counts(&m.arch);
                assert!(c.total() >= c.active() && c.active() > 0);
                assert!(m.arch.kv_elems_per_token_layer() > 0);
                true
            }
            Err(e) => {
                let text = e.to_string();
                assert!(!text.is_empty() && !text.contains('\n'));
                false
            }
        });
        match outcome {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(_) => panic!("input {i} panicked: {input}"),
        }
    }
    // Both paths were exercised, not just the parser's refusals.
    assert!(ok > 3_000 && err > 3_000, "ok {ok}, err {err}");
}
