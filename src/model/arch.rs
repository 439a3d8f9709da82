//! A decoder-only transformer, described once and validated once.
//!
//! [`ArchSpec`] mirrors what a user or a config file says (public fields, serde); it becomes an
//! [`Architecture`] only through [`Architecture::new`], which checks every field, so the roofline,
//! the laws and the search never re-check. Parameter counts live in `params.rs`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Attention block of one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attention {
    /// Multi-head, grouped-query or multi-query attention (MHA when `kv_heads == heads`,
    /// MQA when `kv_heads == 1`). `head_dim` is given apart from `hidden / heads` because
    /// real models (Gemma 3, Llama 3.2) differ.
    Standard {
        heads: u32,
        kv_heads: u32,
        head_dim: u32,
        /// Bias on the Q, K and V projections (every qwen2 model has it).
        #[serde(default)]
        qkv_bias: bool,
        /// RMSNorm on each query and key head (Gemma 3, Qwen 3): `head_dim` weights each.
        #[serde(default)]
        qk_norm: bool,
    },
    /// Multi-head latent attention (DeepSeek-V2, PLM): the cache holds a latent of width
    /// `kv_lora_rank` plus one shared RoPE key of width `qk_rope_dim` per token and layer.
    Mla {
        heads: u32,
        /// `None`: full-rank query projection `d × heads·(nope+rope)`.
        #[serde(default)]
        q_lora_rank: Option<u32>,
        kv_lora_rank: u32,
        qk_rope_dim: u32,
        qk_nope_dim: u32,
        v_head_dim: u32,
    },
}

/// Some layers attend only to a window of recent tokens (Gemma 3: 5 of every 6 layers use 512).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlidingWindow {
    /// Tokens a local layer attends to.
    pub window: u32,
    /// Every `global_every`-th layer is global (full context); the others are local.
    pub global_every: u32,
}

/// Shape of the feed-forward block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FfnKind {
    /// Gated, SiLU: gate, up and down matrices.
    SwiGlu,
    /// Gated, GELU (Gemma): gate, up and down matrices.
    GeGlu,
    /// Plain two-matrix MLP with squared ReLU (PLM); its activations are sparse.
    ReluSquared,
    /// Plain two-matrix MLP with GELU.
    Gelu,
}

impl FfnKind {
    /// Matrices of `intermediate × hidden` weights per expert.
    pub fn matrices(self) -> u32 {
        match self {
            FfnKind::SwiGlu | FfnKind::GeGlu => 3,
            FfnKind::ReluSquared | FfnKind::Gelu => 2,
        }
    }
}

/// Mixture of experts replacing the dense FFN. Dense models have `moe: None`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moe {
    /// Routed experts E.
    pub experts: u32,
    /// Experts each token is routed to, K.
    pub active: u32,
    /// Intermediate size of one routed expert.
    pub expert_intermediate: u32,
    /// Always-active shared experts (DeepSeek, Qwen-MoE); 0 when none.
    #[serde(default)]
    pub shared_experts: u32,
    /// Intermediate size of one shared expert.
    #[serde(default)]
    pub shared_intermediate: u32,
}

/// Everything a user or a config file says about an architecture, before validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchSpec {
    pub layers: u32,
    pub hidden: u32,
    pub vocab: u32,
    /// Input embedding and LM head share one matrix.
    pub tied_embeddings: bool,
    pub attention: Attention,
    #[serde(default)]
    pub sliding_window: Option<SlidingWindow>,
    pub ffn_kind: FfnKind,
    /// Dense FFN intermediate size (ignored for the routed part when `moe` is set).
    pub intermediate: u32,
    #[serde(default)]
    pub moe: Option<Moe>,
    /// RMSNorm/LayerNorm vectors per layer (2 usually, 4 in Gemma 2/3).
    pub norms_per_layer: u32,
    /// A final norm before the LM head.
    #[serde(default = "yes")]
    pub final_norm: bool,
}

fn yes() -> bool {
    true
}

/// Why an [`ArchSpec`] was refused; the message names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchError {
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for ArchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for ArchError {}

fn err(field: &'static str, problem: impl Into<String>) -> ArchError {
    ArchError {
        field,
        problem: problem.into(),
    }
}

fn positive(field: &'static str, v: u32) -> Result<(), ArchError> {
    if v == 0 {
        Err(err(field, "must be at least 1"))
    } else {
        Ok(())
    }
}

/// Upper bound on any one dimension: far beyond real models, low enough that products of
/// dimensions stay exact in `f64` and in `u64` parameter counts.
pub const MAX_DIM: u32 = 1 << 20;

/// Upper bound on the parameter count: a thousand times the largest public models, and low
/// enough that every parameter and byte count stays exact in `u64` and `f64`.
pub const MAX_PARAMS: f64 = 1e15;

/// An upper bound of the parameter count (the formulas of `params.rs` with `n_kv ≤ n_h`), in
/// `f64` so it cannot overflow whatever the sizes; it guards the exact `u64` counts.
fn parameter_bound(s: &ArchSpec) -> f64 {
    let d = f64::from(s.hidden);
    let attention = match s.attention {
        Attention::Standard {
            heads, head_dim, ..
        } => {
            let width = f64::from(heads) * f64::from(head_dim);
            4.0 * d * width + 3.0 * width + 2.0 * f64::from(head_dim)
        }
        Attention::Mla {
            heads,
            q_lora_rank,
            kv_lora_rank,
            qk_rope_dim,
            qk_nope_dim,
            v_head_dim,
        } => {
            let h = f64::from(heads);
            let qk = f64::from(qk_nope_dim) + f64::from(qk_rope_dim);
            let c = f64::from(kv_lora_rank);
            let q = match q_lora_rank {
                Some(rank) => {
                    let rank = f64::from(rank);
                    d * rank + rank * h * qk + rank
                }
                None => d * h * qk,
            };
            q + d * (c + f64::from(qk_rope_dim))
                + c * h * (f64::from(qk_nope_dim) + f64::from(v_head_dim))
                + h * f64::from(v_head_dim) * d
                + c
        }
    };
    let matrices = f64::from(s.ffn_kind.matrices());
    let ffn = match s.moe {
        Some(m) => {
            let widths = f64::from(m.experts) * f64::from(m.expert_intermediate)
                + f64::from(m.shared_experts) * f64::from(m.shared_intermediate);
            widths * matrices * d + d * f64::from(m.experts)
        }
        None => matrices * d * f64::from(s.intermediate),
    };
    let norms = f64::from(s.norms_per_layer) * d;
    2.0 * f64::from(s.vocab) * d + d + f64::from(s.layers) * (attention + ffn + norms)
}

/// A validated architecture. Construct with [`Architecture::new`]; read with [`Architecture::spec`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Architecture(ArchSpec);

impl Architecture {
    /// Checks every field: sizes positive and below [`MAX_DIM`], heads divisible by KV heads,
    /// active experts at most the experts.
    pub fn new(spec: ArchSpec) -> Result<Self, ArchError> {
        let dims: [(&'static str, u32); 4] = [
            ("layers", spec.layers),
            ("hidden", spec.hidden),
            ("vocab", spec.vocab),
            ("intermediate", spec.intermediate),
        ];
        for (field, v) in dims {
            positive(field, v)?;
            if v > MAX_DIM {
                return Err(err(
                    field,
                    format!("{v} is larger than the limit {MAX_DIM}"),
                ));
            }
        }
        match spec.attention {
            Attention::Standard {
                heads,
                kv_heads,
                head_dim,
                ..
            } => {
                positive("heads", heads)?;
                positive("kv_heads", kv_heads)?;
                positive("head_dim", head_dim)?;
                if heads % kv_heads != 0 {
                    return Err(err(
                        "kv_heads",
                        format!("{kv_heads} KV heads do not divide {heads} query heads"),
                    ));
                }
                if heads.max(head_dim) > MAX_DIM
                    || (heads as u64) * (head_dim as u64) > MAX_DIM as u64
                {
                    return Err(err("heads", "heads × head_dim is too large"));
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
                positive("heads", heads)?;
                positive("kv_lora_rank", kv_lora_rank)?;
                positive("qk_nope_dim", qk_nope_dim)?;
                positive("v_head_dim", v_head_dim)?;
                if let Some(q) = q_lora_rank {
                    positive("q_lora_rank", q)?;
                }
                let widest = (heads as u64)
                    * (qk_nope_dim as u64 + qk_rope_dim as u64).max(v_head_dim as u64);
                if widest > MAX_DIM as u64 || kv_lora_rank > MAX_DIM {
                    return Err(err("heads", "MLA projection widths are too large"));
                }
            }
        }
        if let Some(w) = spec.sliding_window {
            positive("sliding_window", w.window)?;
            positive("sliding_window_pattern", w.global_every)?;
        }
        if let Some(m) = spec.moe {
            positive("experts", m.experts)?;
            positive("active_experts", m.active)?;
            positive("expert_intermediate", m.expert_intermediate)?;
            if m.active > m.experts {
                return Err(err(
                    "active_experts",
                    format!(
                        "{} active experts exceed the {} experts",
                        m.active, m.experts
                    ),
                ));
            }
            if m.experts > 4096 {
                return Err(err(
                    "experts",
                    format!("{} experts is beyond the limit 4096", m.experts),
                ));
            }
            if m.shared_experts > 0 {
                positive("shared_intermediate", m.shared_intermediate)?;
            }
        }
        if spec.norms_per_layer > 8 {
            return Err(err("norms_per_layer", "at most 8 norms per layer"));
        }
        let bound = parameter_bound(&spec);
        if bound > MAX_PARAMS {
            return Err(err(
                "layers",
                format!("the architecture would have about {bound:.1e} parameters, beyond the limit {MAX_PARAMS:.0e}"),
            ));
        }
        Ok(Architecture(spec))
    }

    pub fn spec(&self) -> &ArchSpec {
        &self.0
    }

    /// Query heads.
    pub fn heads(&self) -> u32 {
        match self.0.attention {
            Attention::Standard { heads, .. } | Attention::Mla { heads, .. } => heads,
        }
    }

    /// KV-cache elements per token per layer, d_m in the method (method.md §1, §3):
    /// K and V for standard attention (`2·n_kv·d_h`), latent plus RoPE key for MLA.
    /// The law's d_m is the width of one of K or V, see [`Architecture::law_kv_width`].
    pub fn kv_elems_per_token_layer(&self) -> u64 {
        match self.0.attention {
            Attention::Standard {
                kv_heads, head_dim, ..
            } => 2 * kv_heads as u64 * head_dim as u64,
            Attention::Mla {
                kv_lora_rank,
                qk_rope_dim,
                ..
            } => kv_lora_rank as u64 + qk_rope_dim as u64,
        }
    }

    /// d_m as the law uses it: `n_kv·d_h` (one of K or V), or `d_c + d_r` for MLA.
    pub fn law_kv_width(&self) -> f64 {
        match self.0.attention {
            Attention::Standard {
                kv_heads, head_dim, ..
            } => kv_heads as f64 * head_dim as f64,
            Attention::Mla {
                kv_lora_rank,
                qk_rope_dim,
                ..
            } => kv_lora_rank as f64 + qk_rope_dim as f64,
        }
    }

    /// FFN ratio r of the law: active intermediate width over hidden (K·r_expert for MoE).
    pub fn ffn_ratio(&self) -> f64 {
        let s = &self.0;
        match s.moe {
            Some(m) => {
                (m.active as f64 * m.expert_intermediate as f64
                    + m.shared_experts as f64 * m.shared_intermediate as f64)
                    / s.hidden as f64
            }
            None => s.intermediate as f64 / s.hidden as f64,
        }
    }

    /// ρ = K/E (1 for dense).
    pub fn rho(&self) -> f64 {
        match self.0.moe {
            Some(m) => m.active as f64 / m.experts as f64,
            None => 1.0,
        }
    }
}
