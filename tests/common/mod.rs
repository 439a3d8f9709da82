//! Test fixtures shared by the test crates: the reference models of `public/docs/reference.md`
//! written out by hand from their `config.json` files (so counting and the roofline are tested
//! apart from the config importer), and the builders they are written with.
//!
//! Each test crate uses some of them (`mod common;`), so the rest are dead code there.
#![allow(dead_code)]

use roofscale::model::arch::{ArchSpec, Architecture, Attention, FfnKind, SlidingWindow};

/// Standard multi-head attention without biases or q/k norms.
pub fn standard(heads: u32, kv_heads: u32, head_dim: u32) -> Attention {
    Attention::Standard {
        heads,
        kv_heads,
        head_dim,
        qkv_bias: false,
        qk_norm: false,
    }
}

/// A dense decoder with tied embeddings, two norms per layer and a final norm.
pub fn dense(
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

/// Qwen2.5-0.5B, the paper's reference model: GQA 14/2, head 64, QKV bias, tied
/// (494,032,768 parameters).
pub fn qwen2_5_0_5b_spec() -> ArchSpec {
    let attention = Attention::Standard {
        heads: 14,
        kv_heads: 2,
        head_dim: 64,
        qkv_bias: true,
        qk_norm: false,
    };
    dense(24, 896, 151_936, attention, FfnKind::SwiGlu, 4864)
}

pub fn qwen2_5_0_5b() -> Architecture {
    Architecture::new(qwen2_5_0_5b_spec()).unwrap()
}

/// Llama-3.2-1B: GQA 32/8, head 64, tied (1,235,814,400 parameters).
pub fn llama_3_2_1b() -> Architecture {
    let spec = dense(
        16,
        2048,
        128_256,
        standard(32, 8, 64),
        FfnKind::SwiGlu,
        8192,
    );
    Architecture::new(spec).unwrap()
}

/// SmolLM2-360M: GQA 15/5, tied (361,821,120 parameters).
pub fn smollm2_360m() -> Architecture {
    let spec = dense(32, 960, 49_152, standard(15, 5, 64), FfnKind::SwiGlu, 2560);
    Architecture::new(spec).unwrap()
}

/// MobileLLM-125M: deep and thin (124,635,456 parameters).
pub fn mobilellm_125m() -> Architecture {
    let spec = dense(30, 576, 32_000, standard(9, 3, 64), FfnKind::SwiGlu, 1536);
    Architecture::new(spec).unwrap()
}

/// PLM-1.8B: MLA with full-rank q, a 512 kv latent and a 64 rope key, ReLU² MLP, tied
/// (1,825,458,176 parameters).
pub fn plm_1_8b() -> Architecture {
    let attention = Attention::Mla {
        heads: 16,
        q_lora_rank: None,
        kv_lora_rank: 512,
        qk_rope_dim: 64,
        qk_nope_dim: 128,
        v_head_dim: 128,
    };
    let spec = dense(32, 2048, 151_936, attention, FfnKind::ReluSquared, 8192);
    Architecture::new(spec).unwrap()
}

/// Gemma-3-1B: MQA 4/1, head 256, q/k norms, 4 norms per layer, GeGLU, 5 of 6 layers with a
/// 512-token sliding window (999,885,952 parameters).
pub fn gemma_3_1b() -> Architecture {
    let attention = Attention::Standard {
        heads: 4,
        kv_heads: 1,
        head_dim: 256,
        qkv_bias: false,
        qk_norm: true,
    };
    let mut spec = dense(26, 1152, 262_144, attention, FfnKind::GeGlu, 6912);
    spec.norms_per_layer = 4;
    spec.sliding_window = Some(SlidingWindow {
        window: 512,
        global_every: 6,
    });
    Architecture::new(spec).unwrap()
}
