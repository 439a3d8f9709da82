//! From a GGUF header's metadata keys and tensor infos to the page's [`ArchSpec`].
//!
//! Keys are llama.cpp's (`src/llama-arch.cpp`, `LLM_KV_*`), prefixed by
//! `general.architecture`: `{arch}.block_count`, `{arch}.embedding_length`,
//! `{arch}.feed_forward_length`, `{arch}.attention.head_count`, … What the keys do not say is
//! read from the tensors: the vocabulary from `token_embd.weight`, a separate LM head from
//! `output.weight`, QKV bias from `blk.0.attn_q.bias` (or `attn_qkv.bias`), q/k norms from
//! `blk.0.attn_q_norm.weight`. Every key read is listed in [`GgufModel::keys_used`].

use super::error::{GgufError, GgufProblem};
use super::header::{GgufHeader, GgufValue};
use crate::model::arch::{ArchSpec, Architecture, Attention, FfnKind, Moe, SlidingWindow};
use crate::model::gguf_mix::GgufScheme;
use crate::model::params::param_counts;
use crate::model::weight_format::WeightFormat;

/// The families mapped, as `general.architecture` names them.
pub const ARCHITECTURES: [&str; 10] = [
    "llama",
    "mistral",
    "qwen2",
    "qwen3",
    "qwen2moe",
    "qwen3moe",
    "gemma2",
    "gemma3",
    "phi3",
    "deepseek2",
];

/// A model read from a GGUF header.
#[derive(Clone, Debug, PartialEq)]
pub struct GgufModel {
    /// `general.architecture`.
    pub architecture: String,
    /// `general.name`, when present.
    pub name: Option<String>,
    pub arch: ArchSpec,
    /// `general.file_type` when it names a type the page models (Q4_K_M, …).
    pub file_type: Option<GgufScheme>,
    /// Every metadata key the mapping read, in the order it read them.
    pub keys_used: Vec<String>,
    /// What the mapping assumed or could not represent.
    pub notes: Vec<String>,
    /// Bytes of the header (what had to be read).
    pub header_bytes: u64,
    /// Exact bytes of all tensor data, by each tensor's ggml type.
    pub tensor_bytes: u64,
    /// Weights in the file (elements of every tensor).
    pub params_in_file: u64,
}

impl GgufModel {
    /// The weight format to model the file with: its file type, else none known.
    pub fn weight_format(&self) -> Option<WeightFormat> {
        self.file_type.map(WeightFormat::Gguf)
    }
}

struct Keys<'a> {
    file: &'a str,
    h: &'a GgufHeader,
    prefix: String,
    used: Vec<String>,
}

impl Keys<'_> {
    fn err(&self, problem: GgufProblem) -> GgufError {
        GgufError {
            file: self.file.to_string(),
            offset: 0,
            problem,
        }
    }

    fn get(&mut self, key: &str) -> Option<&GgufValue> {
        let v = self.h.metadata.get(key);
        if v.is_some() {
            self.used.push(key.to_string());
        }
        v
    }

    /// `{arch}.name` as a count, `None` when absent; a per-layer array must be uniform.
    fn count_opt(&mut self, name: &str) -> Result<Option<u32>, GgufError> {
        let key = format!("{}.{name}", self.prefix);
        let value = self.get(&key).cloned();
        let wrong = |s: &Self| {
            s.err(GgufProblem::WrongKeyType {
                key: key.clone(),
                expected: "a whole number from 0 to 4294967295",
            })
        };
        match value {
            None => Ok(None),
            Some(GgufValue::Int(v)) => u32::try_from(v).map(Some).map_err(|_| wrong(self)),
            Some(GgufValue::Array {
                numbers: Some(n), ..
            }) if !n.is_empty() && n.iter().all(|x| *x == n[0]) => {
                let v = n[0];
                if v >= 0.0 && v <= u32::MAX as f64 && v.fract() == 0.0 {
                    Ok(Some(v as u32))
                } else {
                    Err(wrong(self))
                }
            }
            Some(GgufValue::Array { .. }) => Err(self.err(GgufProblem::Invalid {
                key,
                problem: "values differ between layers; the page models identical layers"
                    .to_string(),
            })),
            Some(_) => Err(wrong(self)),
        }
    }

    fn count(&mut self, name: &str) -> Result<u32, GgufError> {
        self.count_opt(name)?
            .ok_or_else(|| self.err(GgufProblem::MissingKey(format!("{}.{name}", self.prefix))))
    }

    fn has_tensor(&self, name: &str) -> bool {
        self.h.tensor(name).is_some()
    }
}

/// Maps a parsed header to an architecture. `file` only labels messages.
pub fn gguf_model(file: &str, h: &GgufHeader) -> Result<GgufModel, GgufError> {
    let mut k = Keys {
        file,
        h,
        prefix: String::new(),
        used: Vec::new(),
    };
    let architecture = match k.get("general.architecture").cloned() {
        Some(GgufValue::Text(a)) => a,
        Some(_) => {
            return Err(k.err(GgufProblem::WrongKeyType {
                key: "general.architecture".to_string(),
                expected: "a string",
            }))
        }
        None => return Err(k.err(GgufProblem::MissingKey("general.architecture".to_string()))),
    };
    if !ARCHITECTURES.contains(&architecture.as_str()) {
        return Err(k.err(GgufProblem::UnsupportedArchitecture(architecture)));
    }
    let name = match k.get("general.name") {
        Some(GgufValue::Text(n)) => Some(n.clone()),
        _ => None,
    };
    let file_type = match k.get("general.file_type") {
        Some(GgufValue::Int(v)) => u32::try_from(*v).ok().and_then(GgufScheme::from_file_type),
        _ => None,
    };
    k.prefix = architecture.clone();
    let mut notes = Vec::new();
    let a = architecture.as_str();

    let layers = k.count("block_count")?;
    let hidden = k.count("embedding_length")?;
    let heads = k.count("attention.head_count")?;
    let embd = h
        .tensor("token_embd.weight")
        .ok_or_else(|| k.err(GgufProblem::MissingTensor("token_embd.weight".to_string())))?;
    let vocab = match embd.dims.get(1) {
        Some(&v) => u32::try_from(v).unwrap_or(u32::MAX),
        None => {
            return Err(k.err(GgufProblem::Invalid {
                key: "token_embd.weight".to_string(),
                problem: "a 1-D embedding table has no vocabulary dimension".to_string(),
            }))
        }
    };
    let tied = !k.has_tensor("output.weight");
    let gemma = matches!(a, "gemma2" | "gemma3");
    let ffn_kind = if gemma {
        FfnKind::GeGlu
    } else {
        FfnKind::SwiGlu
    };

    let attention = if a == "deepseek2" {
        let kv_lora_rank = k.count("attention.kv_lora_rank")?;
        let q_lora_rank = k.count_opt("attention.q_lora_rank")?.filter(|r| *r > 0);
        let rope = k.count("rope.dimension_count")?;
        // Files converted for absorbed MLA give the per-head sizes under `*_mla`.
        let key_len = match k.count_opt("attention.key_length_mla")? {
            Some(v) => v,
            None => k.count("attention.key_length")?,
        };
        let v_head_dim = match k.count_opt("attention.value_length_mla")? {
            Some(v) => v,
            None => k.count("attention.value_length")?,
        };
        let qk_nope_dim = key_len.checked_sub(rope).ok_or_else(|| {
            k.err(GgufProblem::Invalid {
                key: format!("{a}.attention.key_length"),
                problem: format!("{key_len} is less than rope.dimension_count {rope}"),
            })
        })?;
        Attention::Mla {
            heads,
            q_lora_rank,
            kv_lora_rank,
            qk_rope_dim: rope,
            qk_nope_dim,
            v_head_dim,
        }
    } else {
        let kv_heads = match k.count_opt("attention.head_count_kv")? {
            Some(v) => v,
            None => {
                notes.push(format!("{a}.attention.head_count_kv absent: {heads} (MHA)"));
                heads
            }
        };
        let head_dim = match k.count_opt("attention.key_length")? {
            Some(v) => v,
            None => hidden / heads.max(1),
        };
        Attention::Standard {
            heads,
            kv_heads,
            head_dim,
            qkv_bias: k.has_tensor("blk.0.attn_q.bias") || k.has_tensor("blk.0.attn_qkv.bias"),
            qk_norm: k.has_tensor("blk.0.attn_q_norm.weight"),
        }
    };

    let sliding_window = match k.count_opt("attention.sliding_window")? {
        Some(w) if w > 0 => match a {
            // Gemma 2 alternates local and global layers; Gemma 3 has 5 local per global
            // (llama.cpp's hparams; the pattern is not a key of these files).
            "gemma2" => Some(SlidingWindow {
                window: w,
                global_every: 2,
            }),
            "gemma3" => Some(SlidingWindow {
                window: w,
                global_every: 6,
            }),
            _ => {
                notes.push(format!(
                    "{a}.attention.sliding_window {w}: every layer is modelled with the window"
                ));
                Some(SlidingWindow {
                    window: w,
                    global_every: u32::MAX,
                })
            }
        },
        _ => None,
    };

    let intermediate = k.count_opt("feed_forward_length")?.unwrap_or(0);
    let moe = match k.count_opt("expert_count")? {
        Some(experts) if experts > 1 => {
            let active = k.count("expert_used_count")?;
            let expert_intermediate = k.count("expert_feed_forward_length")?;
            let (shared_experts, shared_intermediate) = match a {
                "qwen2moe" => {
                    let width = k
                        .count_opt("expert_shared_feed_forward_length")?
                        .unwrap_or(0);
                    if k.has_tensor("blk.0.ffn_up_shexp.weight") && width > 0 {
                        (1, width)
                    } else {
                        (0, 0)
                    }
                }
                "deepseek2" => {
                    let n = k.count_opt("expert_shared_count")?.unwrap_or(0);
                    (n, if n > 0 { expert_intermediate } else { 0 })
                }
                _ => (0, 0),
            };
            if let Some(dense) = k.count_opt("leading_dense_block_count")?.filter(|d| *d > 0) {
                notes.push(format!(
                    "{a}.leading_dense_block_count {dense}: the first layers have a dense FFN \
                     in the file but every layer is modelled as MoE"
                ));
            }
            Some(Moe {
                experts,
                active,
                expert_intermediate,
                shared_experts,
                shared_intermediate,
            })
        }
        _ => None,
    };
    if moe.is_none() && intermediate == 0 {
        return Err(k.err(GgufProblem::MissingKey(format!("{a}.feed_forward_length"))));
    }

    let spec = ArchSpec {
        layers,
        hidden,
        vocab,
        tied_embeddings: tied,
        attention,
        sliding_window,
        ffn_kind,
        intermediate: if intermediate == 0 {
            moe.map_or(0, |m| m.expert_intermediate)
        } else {
            intermediate
        },
        moe,
        norms_per_layer: if gemma { 4 } else { 2 },
        final_norm: true,
    };
    let checked = Architecture::new(spec.clone()).map_err(|e| {
        k.err(GgufProblem::Invalid {
            key: format!("{a}.{}", e.field),
            problem: e.problem,
        })
    })?;
    let params_in_file: u64 = h.tensors.iter().map(|t| t.elements()).sum();
    let modelled = param_counts(&checked).total();
    if modelled != params_in_file {
        notes.push(format!(
            "the file holds {params_in_file} weights, the modelled architecture {modelled}"
        ));
    }
    Ok(GgufModel {
        architecture,
        name,
        arch: spec,
        file_type,
        keys_used: k.used,
        notes,
        header_bytes: h.header_bytes,
        tensor_bytes: h.tensor_bytes(),
        params_in_file,
    })
}
