//! Exact parameter counts of an [`Architecture`], by component.
//!
//! Counts follow the Hugging Face reference implementations (bias only where the family has it,
//! one vector per norm, MLA's norm on the KV latent), so they reproduce published checkpoint
//! sizes exactly (see `tests/golden_params.rs`). The roofline reads the same per-component
//! counts for its weight traffic, so memory and latency agree with these totals.

use super::arch::{Architecture, Attention};

/// Parameter counts by component. Per-layer fields are for one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ParamCounts {
    /// Token embedding (vocab × hidden).
    pub embedding: u64,
    /// Separate LM head (0 when tied to the embedding).
    pub lm_head: u64,
    /// Attention projections, biases and q/k norms of one layer.
    pub attention_per_layer: u64,
    /// One routed expert's FFN (the dense FFN for dense models).
    pub expert_per_layer: u64,
    /// Routed experts in a layer (1 for dense).
    pub experts: u64,
    /// Experts each token uses (1 for dense).
    pub active_experts: u64,
    /// Always-active shared experts of one layer, all together.
    pub shared_ffn_per_layer: u64,
    /// MoE router of one layer (hidden × experts; 0 for dense).
    pub router_per_layer: u64,
    /// Norm vectors of one layer.
    pub norms_per_layer: u64,
    /// Final norm before the LM head.
    pub final_norm: u64,
    pub layers: u64,
}

impl ParamCounts {
    /// Every parameter stored in the checkpoint.
    pub fn total(&self) -> u64 {
        self.embedding + self.lm_head + self.final_norm + self.layers * self.layer_total()
    }

    /// Parameters one token touches: all but the experts it is not routed to.
    pub fn active(&self) -> u64 {
        let idle = (self.experts - self.active_experts) * self.expert_per_layer;
        self.total() - self.layers * idle
    }

    /// Everything in one layer.
    pub fn layer_total(&self) -> u64 {
        self.attention_per_layer
            + self.experts * self.expert_per_layer
            + self.shared_ffn_per_layer
            + self.router_per_layer
            + self.norms_per_layer
    }

    /// Parameters outside the layers (embedding, LM head, final norm).
    pub fn non_layer(&self) -> u64 {
        self.embedding + self.lm_head + self.final_norm
    }
}

/// Weights of the attention block of one layer, by projection. MLA's `kv_a` includes the
/// shared RoPE key; `q` is `q_a + q_b` when the query is low-rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AttentionWeights {
    pub q: u64,
    pub k: u64,
    pub v: u64,
    pub o: u64,
    /// MLA only: down-projection to the latent plus RoPE key (`d × (d_c + d_r)`).
    pub kv_a: u64,
    /// MLA only: up-projection of the latent to per-head keys and values.
    pub kv_b: u64,
    /// Biases and q/k (or latent) norm vectors.
    pub small: u64,
}

impl AttentionWeights {
    pub fn total(&self) -> u64 {
        self.q + self.k + self.v + self.o + self.kv_a + self.kv_b + self.small
    }
}

/// Attention weights of one layer.
pub fn attention_weights(arch: &Architecture) -> AttentionWeights {
    let d = arch.spec().hidden as u64;
    match arch.spec().attention {
        Attention::Standard {
            heads,
            kv_heads,
            head_dim,
            qkv_bias,
            qk_norm,
        } => {
            let q_width = heads as u64 * head_dim as u64;
            let kv_width = kv_heads as u64 * head_dim as u64;
            let bias = if qkv_bias { q_width + 2 * kv_width } else { 0 };
            let norm = if qk_norm { 2 * head_dim as u64 } else { 0 };
            AttentionWeights {
                q: d * q_width,
                k: d * kv_width,
                v: d * kv_width,
                o: q_width * d,
                small: bias + norm,
                ..Default::default()
            }
        }
        Attention::Mla {
            heads,
            q_lora_rank,
            kv_lora_rank,
            qk_rope_dim,
            qk_nope_dim,
            v_head_dim,
        } => {
            let h = heads as u64;
            let qk_head = qk_nope_dim as u64 + qk_rope_dim as u64;
            let (q, q_norm) = match q_lora_rank {
                Some(r) => (d * r as u64 + r as u64 * h * qk_head, r as u64),
                None => (d * h * qk_head, 0),
            };
            let c = kv_lora_rank as u64;
            AttentionWeights {
                q,
                kv_a: d * (c + qk_rope_dim as u64),
                kv_b: c * h * (qk_nope_dim as u64 + v_head_dim as u64),
                o: h * v_head_dim as u64 * d,
                small: q_norm + c,
                ..Default::default()
            }
        }
    }
}

/// Exact parameter counts by component.
pub fn param_counts(arch: &Architecture) -> ParamCounts {
    let s = arch.spec();
    let d = s.hidden as u64;
    let matrices = s.ffn_kind.matrices() as u64;
    let embedding = s.vocab as u64 * d;
    let (expert, experts, active, shared, router) = match s.moe {
        Some(m) => (
            matrices * d * m.expert_intermediate as u64,
            m.experts as u64,
            m.active as u64,
            m.shared_experts as u64 * matrices * d * m.shared_intermediate as u64,
            d * m.experts as u64,
        ),
        None => (matrices * d * s.intermediate as u64, 1, 1, 0, 0),
    };
    ParamCounts {
        embedding,
        lm_head: if s.tied_embeddings { 0 } else { embedding },
        attention_per_layer: attention_weights(arch).total(),
        expert_per_layer: expert,
        experts,
        active_experts: active,
        shared_ffn_per_layer: shared,
        router_per_layer: router,
        norms_per_layer: s.norms_per_layer as u64 * d,
        final_norm: if s.final_norm { d } else { 0 },
        layers: s.layers as u64,
    }
}
