//! Bytes of every kind of weight tensor of an architecture stored in a [`Precision`].
//!
//! The roofline's weight traffic and the stored-weights memory both read these, so a Q4_K_M
//! model's `ffn_down` costs Q6_K bytes in the layers llama.cpp gives Q6_K (`gguf_mix.rs`).
//! Layer-dependent types are averaged over the layers, which is exact for the totals because
//! a kind of tensor has the same shape in every layer.

use super::arch::{Architecture, Attention};
use super::gguf_layers::layer_averages;
use super::gguf_mix::{MixContext, TensorRole};
use super::params::{attention_weights, param_counts, ParamCounts};
use super::precision::Precision;
use super::weight_format::WeightFormat;

/// Bytes per weight of each kind of tensor (matrices of one layer averaged over layers).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightBytes {
    pub embedding: f64,
    /// The LM head; equal to `embedding` when the two share one table.
    pub lm_head: f64,
    /// Q projection (MLA: full-rank `attn_q`, or `q_a` then `q_b`).
    pub q: f64,
    /// MLA's low-rank query up-projection `q_b` (rows of `q_lora_rank`).
    pub q_b: f64,
    /// The "Q proj" operator as a whole: `q`, or with MLA's low rank `q_a` and `q_b`
    /// averaged by their weights (the operator table's bits for that row).
    pub q_operator: f64,
    pub k: f64,
    pub v: f64,
    pub o: f64,
    /// MLA's `attn_kv_a_mqa`.
    pub kv_a: f64,
    /// MLA's `attn_kv_b` (llama.cpp treats it like `attn_v`).
    pub kv_b: f64,
    pub ffn_gate: f64,
    pub ffn_up: f64,
    pub ffn_down: f64,
    pub shared_gate: f64,
    pub shared_up: f64,
    pub shared_down: f64,
    pub router: f64,
    /// Norms and biases.
    pub vector: f64,
    /// Every kind takes the same bytes (a plain format with nothing overridden): the
    /// roofline then keeps its original single-b_w arithmetic.
    pub uniform: Option<f64>,
}

impl WeightBytes {
    /// Bits per stored weight of the tensors the roofline operator `name` reads (scales
    /// included; averaged over layers where a mixed scheme varies by layer), so the operator
    /// tables can say which format each row moves. `None` for an operator without weights.
    pub fn bits_of_operator(&self, name: &str) -> Option<f64> {
        let bytes = match name {
            "Q proj" => self.q_operator,
            "K proj" => self.k,
            "V proj" => self.v,
            "KV-A proj" => self.kv_a,
            "KV-B proj" | "KV-B absorbed" => self.kv_b,
            "O proj" => self.o,
            "router" => self.router,
            "FFN up" => self.ffn_up,
            "FFN gate" => self.ffn_gate,
            "FFN down" => self.ffn_down,
            // One fused operator over the three (or two) shared matrices: the format of most.
            "shared experts" => self.shared_up,
            "embedding" => self.embedding,
            "LM head" => self.lm_head,
            "norms" | "final norm" => self.vector,
            _ => return None,
        };
        Some(bytes * 8.0)
    }
}

/// What llama.cpp's rules read about `arch`.
pub fn mix_context(arch: &Architecture) -> MixContext {
    let s = arch.spec();
    let gqa = match s.attention {
        Attention::Standard {
            heads, kv_heads, ..
        } => heads / kv_heads.max(1),
        Attention::Mla { .. } => 1,
    };
    MixContext {
        layers: s.layers,
        gqa,
        experts: s.moe.map_or(0, |m| m.experts),
        tied_embeddings: s.tied_embeddings,
    }
}

/// Bytes per weight of every tensor kind of `arch` in `precision`.
pub fn weight_bytes(arch: &Architecture, precision: &Precision) -> WeightBytes {
    let f = precision.weights;
    // The search evaluates millions of candidates in plain formats: one number for all.
    if let (WeightFormat::Plain(p), None, None) = (f, precision.embedding, precision.lm_head) {
        let b = p.bytes();
        return WeightBytes {
            embedding: b,
            lm_head: b,
            q: b,
            q_b: b,
            q_operator: b,
            k: b,
            v: b,
            o: b,
            kv_a: b,
            kv_b: b,
            ffn_gate: b,
            ffn_up: b,
            ffn_down: b,
            shared_gate: b,
            shared_up: b,
            shared_down: b,
            router: b,
            vector: b,
            uniform: Some(b),
        };
    }
    let s = arch.spec();
    let cx = mix_context(arch);
    let d = s.hidden as u64;
    // Only GGUF's rules depend on the layer (averaged over layers, a kept table per model
    // context); other formats need one layer's bits.
    let layers = match f {
        WeightFormat::Gguf(scheme) => Some(layer_averages(scheme, &cx)),
        _ => None,
    };
    let avg = |role: TensorRole, row: u64| -> f64 {
        match &layers {
            Some(t) => t.bytes(role, row),
            None => f.tensor_bits(role, 0, &cx, row) / 8.0,
        }
    };
    let once = |role: TensorRole, row: u64| f.tensor_bits(role, 0, &cx, row) / 8.0;
    let (q, q_b, q_operator, k, v, o, kv_a, kv_b) = match s.attention {
        Attention::Standard {
            heads, head_dim, ..
        } => {
            let (q, k, v) = (
                avg(TensorRole::AttnQ, d),
                avg(TensorRole::AttnK, d),
                avg(TensorRole::AttnV, d),
            );
            let o = avg(TensorRole::AttnOut, heads as u64 * head_dim as u64);
            (q, 0.0, q, k, v, o, 0.0, 0.0)
        }
        Attention::Mla {
            heads,
            q_lora_rank,
            kv_lora_rank,
            v_head_dim,
            qk_rope_dim,
            qk_nope_dim,
        } => {
            let (q, q_b, q_operator) = match q_lora_rank {
                Some(r) => {
                    let (q_a, q_b) = (
                        avg(TensorRole::OtherMatrix, d),
                        avg(TensorRole::OtherMatrix, r as u64),
                    );
                    // q_a is d × r, q_b is r × heads·(nope + rope).
                    let (n_a, n_b) = (
                        d as f64 * r as f64,
                        r as f64 * heads as f64 * (qk_rope_dim + qk_nope_dim) as f64,
                    );
                    (q_a, q_b, (n_a * q_a + n_b * q_b) / (n_a + n_b))
                }
                None => {
                    let q = avg(TensorRole::AttnQ, d);
                    (q, 0.0, q)
                }
            };
            let o = avg(TensorRole::AttnOut, heads as u64 * v_head_dim as u64);
            (
                q,
                q_b,
                q_operator,
                0.0,
                0.0,
                o,
                avg(TensorRole::OtherMatrix, d),
                avg(TensorRole::AttnV, kv_lora_rank as u64),
            )
        }
    };
    let (ie, si) = match s.moe {
        Some(m) => (m.expert_intermediate as u64, m.shared_intermediate as u64),
        None => (s.intermediate as u64, 0),
    };
    let down = |row: u64| avg(TensorRole::FfnDown, row);
    let table = |o: Option<WeightFormat>, role: TensorRole| match o {
        Some(o) => o.matrix_bits(d) / 8.0,
        None => once(role, d),
    };
    let (embedding, lm_head) = if s.tied_embeddings {
        let shared = table(
            precision.lm_head.or(precision.embedding),
            TensorRole::LmHead,
        );
        (shared, shared)
    } else {
        (
            table(precision.embedding, TensorRole::Embedding),
            table(precision.lm_head, TensorRole::LmHead),
        )
    };
    let uniform = match (f, precision.embedding, precision.lm_head) {
        (WeightFormat::Plain(p), None, None) => Some(p.bytes()),
        _ => None,
    };
    WeightBytes {
        embedding,
        lm_head,
        q,
        q_b,
        q_operator,
        k,
        v,
        o,
        kv_a,
        kv_b,
        ffn_gate: avg(TensorRole::FfnGate, d),
        ffn_up: avg(TensorRole::FfnUp, d),
        ffn_down: down(ie),
        shared_gate: avg(TensorRole::FfnGate, d),
        shared_up: avg(TensorRole::FfnUp, d),
        shared_down: if si > 0 { down(si) } else { 0.0 },
        router: once(TensorRole::Router, d),
        vector: once(TensorRole::Vector, d),
        uniform,
    }
}

/// Bytes of the weights of each component, for memory and reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoredWeights {
    pub embedding: f64,
    /// 0 when tied to the embedding.
    pub lm_head: f64,
    /// Attention of all layers (matrices, biases, q/k norms).
    pub attention: f64,
    /// FFN of all layers: every routed expert, shared experts and routers.
    pub ffn: f64,
    /// Layer norms and the final norm.
    pub norms: f64,
}

impl StoredWeights {
    pub fn total(&self) -> f64 {
        self.embedding + self.lm_head + self.attention + self.ffn + self.norms
    }
}

/// Bytes of every stored weight of `arch` in `precision`: what a checkpoint or a GGUF file
/// holds (within llama.cpp's rules; tensor data only, no header).
pub fn stored_weights(arch: &Architecture, precision: &Precision) -> StoredWeights {
    let wb = weight_bytes(arch, precision);
    stored_from(arch, &wb, &param_counts(arch))
}

/// [`stored_weights`] from already computed bytes per weight.
pub(crate) fn stored_from(arch: &Architecture, wb: &WeightBytes, p: &ParamCounts) -> StoredWeights {
    let s = arch.spec();
    let l = p.layers as f64;
    let aw = attention_weights(arch);
    let attn_matrices = match s.attention {
        Attention::Standard { .. } => {
            aw.q as f64 * wb.q + aw.k as f64 * wb.k + aw.v as f64 * wb.v + aw.o as f64 * wb.o
        }
        Attention::Mla {
            heads,
            q_lora_rank,
            qk_rope_dim,
            qk_nope_dim,
            ..
        } => {
            let q = match q_lora_rank {
                Some(r) => {
                    let q_b = r as f64 * heads as f64 * (qk_rope_dim + qk_nope_dim) as f64;
                    (aw.q as f64 - q_b) * wb.q + q_b * wb.q_b
                }
                None => aw.q as f64 * wb.q,
            };
            q + aw.kv_a as f64 * wb.kv_a + aw.kv_b as f64 * wb.kv_b + aw.o as f64 * wb.o
        }
    };
    let mats = s.ffn_kind.matrices() as f64;
    let matrix = p.expert_per_layer as f64 / mats;
    let per_expert = if mats == 3.0 {
        matrix * (wb.ffn_gate + wb.ffn_up + wb.ffn_down)
    } else {
        matrix * (wb.ffn_up + wb.ffn_down)
    };
    let shared = match s.moe {
        Some(m) if m.shared_experts > 0 => {
            let sm = p.shared_ffn_per_layer as f64 / mats;
            if mats == 3.0 {
                sm * (wb.shared_gate + wb.shared_up + wb.shared_down)
            } else {
                sm * (wb.shared_up + wb.shared_down)
            }
        }
        _ => 0.0,
    };
    let ffn = l * (p.experts as f64 * per_expert + shared + p.router_per_layer as f64 * wb.router);
    StoredWeights {
        embedding: p.embedding as f64 * wb.embedding,
        lm_head: p.lm_head as f64 * wb.lm_head,
        attention: l * (attn_matrices + aw.small as f64 * wb.vector),
        ffn,
        norms: (l * p.norms_per_layer as f64 + p.final_norm as f64) * wb.vector,
    }
}
