//! The GGUF file types llama-quantize writes (`Q4_K_M`, `Q4_0`, …) and the ggml type each of
//! their tensors gets.
//!
//! A file type names a default tensor type, but llama.cpp's `src/llama-quant.cpp`
//! (`llama_tensor_get_type_impl`) gives some tensors more bits: `output.weight` becomes Q6_K
//! in every quantised type but Q8_0, and the "_M" mixes put Q6_K on `attn_v` and `ffn_down`
//! in the layers of `use_more_bits` (the first and last eighth, and every third between).
//! 1-D tensors (norms, biases) and the MoE router are never quantised: the converter writes
//! them in F32 (`convert_hf_to_gguf.py`). A row length that is not a whole number of blocks
//! falls back to a type with smaller blocks (`tensor_type_fallback`). These rules are
//! reproduced for the no-imatrix case and the families this page models (method.md §3,
//! "Weight formats"); Falcon's and the 70B-specific rules are not.

use super::ggml_type::GgmlType;
use std::fmt;

/// A GGUF file type, as `llama-quantize` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(non_camel_case_types)]
pub enum GgufScheme {
    F32,
    F16,
    BF16,
    Q8_0,
    Q6_K,
    Q5_K_M,
    Q5_K_S,
    Q5_0,
    Q5_1,
    Q4_K_M,
    Q4_K_S,
    Q4_0,
    Q4_1,
    Q3_K_M,
    Q2_K,
    IQ4_XS,
    IQ4_NL,
}

/// The role of a weight tensor in llama.cpp's rules (its `tensor_category`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorRole {
    /// `token_embd.weight`.
    Embedding,
    /// `output.weight`.
    LmHead,
    AttnQ,
    AttnK,
    /// `attn_v`, and what llama.cpp treats like it: fused `attn_qkv` and MLA's `attn_kv_b`.
    AttnV,
    AttnOut,
    FfnGate,
    FfnUp,
    /// `ffn_down` of dense FFNs, routed and shared experts.
    FfnDown,
    /// Any other matrix (MLA's `attn_q_a`, `attn_q_b`, `attn_kv_a_mqa`): the default type.
    OtherMatrix,
    /// MoE router (`ffn_gate_inp`): kept in F32.
    Router,
    /// 1-D tensors (norms, biases): kept in F32.
    Vector,
}

/// What the rules read about the model besides the tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MixContext {
    pub layers: u32,
    /// Query heads per KV head (`n_gqa`); 1 for MLA.
    pub gqa: u32,
    /// Routed experts (0 or 1 for dense).
    pub experts: u32,
    /// No separate `output.weight`: the embedding gets the output's rule.
    pub tied_embeddings: bool,
}

impl MixContext {
    /// The context with only what [`GgufScheme::tensor_type`] distinguishes: it reads the
    /// GQA factor only as "4 or more" and the expert count only as "exactly 8". Equal
    /// answers for far fewer keys, so a cache of per-layer types stays small.
    pub fn canonical(self) -> MixContext {
        MixContext {
            layers: self.layers,
            gqa: if self.gqa >= 4 { 4 } else { 1 },
            experts: if self.experts == 8 { 8 } else { 0 },
            tied_embeddings: self.tied_embeddings,
        }
    }
}

impl GgufScheme {
    pub const ALL: [GgufScheme; 17] = [
        GgufScheme::F32,
        GgufScheme::F16,
        GgufScheme::BF16,
        GgufScheme::Q8_0,
        GgufScheme::Q6_K,
        GgufScheme::Q5_K_M,
        GgufScheme::Q5_K_S,
        GgufScheme::Q5_0,
        GgufScheme::Q5_1,
        GgufScheme::Q4_K_M,
        GgufScheme::Q4_K_S,
        GgufScheme::Q4_0,
        GgufScheme::Q4_1,
        GgufScheme::Q3_K_M,
        GgufScheme::Q2_K,
        GgufScheme::IQ4_XS,
        GgufScheme::IQ4_NL,
    ];

    /// The type of every tensor the rules do not change (`llama_ftype_get_default_type`).
    pub fn default_type(self) -> GgmlType {
        use GgufScheme::*;
        match self {
            F32 => GgmlType::F32,
            F16 => GgmlType::F16,
            BF16 => GgmlType::BF16,
            Q8_0 => GgmlType::Q8_0,
            Q6_K => GgmlType::Q6_K,
            Q5_K_M | Q5_K_S => GgmlType::Q5_K,
            Q5_0 => GgmlType::Q5_0,
            Q5_1 => GgmlType::Q5_1,
            Q4_K_M | Q4_K_S => GgmlType::Q4_K,
            Q4_0 => GgmlType::Q4_0,
            Q4_1 => GgmlType::Q4_1,
            Q3_K_M => GgmlType::Q3_K,
            Q2_K => GgmlType::Q2_K,
            IQ4_XS => GgmlType::IQ4_XS,
            IQ4_NL => GgmlType::IQ4_NL,
        }
    }

    /// Name as llama-quantize takes it ("Q4_K_M", "F16").
    pub fn name(self) -> &'static str {
        use GgufScheme::*;
        match self {
            F32 => "F32",
            F16 => "F16",
            BF16 => "BF16",
            Q8_0 => "Q8_0",
            Q6_K => "Q6_K",
            Q5_K_M => "Q5_K_M",
            Q5_K_S => "Q5_K_S",
            Q5_0 => "Q5_0",
            Q5_1 => "Q5_1",
            Q4_K_M => "Q4_K_M",
            Q4_K_S => "Q4_K_S",
            Q4_0 => "Q4_0",
            Q4_1 => "Q4_1",
            Q3_K_M => "Q3_K_M",
            Q2_K => "Q2_K",
            IQ4_XS => "IQ4_XS",
            IQ4_NL => "IQ4_NL",
        }
    }

    /// The file type a `general.file_type` value names (`llama_ftype` in include/llama.h),
    /// for the types above.
    pub fn from_file_type(v: u32) -> Option<GgufScheme> {
        use GgufScheme::*;
        Some(match v {
            0 => F32,
            1 => F16,
            2 => Q4_0,
            3 => Q4_1,
            7 => Q8_0,
            8 => Q5_0,
            9 => Q5_1,
            10 => Q2_K,
            12 => Q3_K_M,
            14 => Q4_K_S,
            15 => Q4_K_M,
            16 => Q5_K_S,
            17 => Q5_K_M,
            18 => Q6_K,
            25 => IQ4_NL,
            30 => IQ4_XS,
            32 => BF16,
            _ => return None,
        })
    }

    /// The file type of a llama.cpp model description ("Q4_K - Medium", "Q8_0", "F16",
    /// "all F32": `llama_model_ftype_name`), as llama-bench prints it in its `type` column.
    pub fn from_ftype_name(s: &str) -> Option<GgufScheme> {
        use GgufScheme::*;
        let s = s.trim().trim_start_matches("mostly ").trim();
        Some(match s {
            "all F32" | "F32" => F32,
            "F16" => F16,
            "BF16" => BF16,
            "Q8_0" => Q8_0,
            "Q6_K" => Q6_K,
            "Q5_K - Medium" => Q5_K_M,
            "Q5_K - Small" => Q5_K_S,
            "Q5_0" => Q5_0,
            "Q5_1" => Q5_1,
            "Q4_K - Medium" => Q4_K_M,
            "Q4_K - Small" => Q4_K_S,
            "Q4_0" => Q4_0,
            "Q4_1" => Q4_1,
            "Q3_K - Medium" => Q3_K_M,
            "Q2_K - Medium" | "Q2_K" => Q2_K,
            "IQ4_XS - 4.25 bpw" | "IQ4_XS" => IQ4_XS,
            "IQ4_NL - 4.5 bpw" | "IQ4_NL" => IQ4_NL,
            _ => return None,
        })
    }

    /// Quantised (the per-tensor rules apply), as opposed to a float file.
    pub fn is_quantized(self) -> bool {
        self.default_type().is_quantized()
    }

    /// The type llama.cpp gives a tensor of `role` in layer `layer` (0-based; ignored outside
    /// the layers) whose rows hold `row_len` weights.
    pub fn tensor_type(
        self,
        role: TensorRole,
        layer: u32,
        cx: &MixContext,
        row_len: u64,
    ) -> GgmlType {
        use GgmlType as T;
        use GgufScheme::*;
        if matches!(role, TensorRole::Vector | TensorRole::Router) {
            return T::F32;
        }
        let default = self.default_type();
        if !self.is_quantized() {
            return default;
        }
        let n = cx.layers;
        let more_bits =
            |i: u32| i < n / 8 || i >= 7 * n / 8 || (i as i64 - (n / 8) as i64) % 3 == 2;
        let eight = cx.experts == 8;
        let output_like =
            role == TensorRole::LmHead || (cx.tied_embeddings && role == TensorRole::Embedding);
        let chosen = if output_like {
            if !row_len.is_multiple_of(default.block_size() as u64) || default == T::Q8_0 {
                T::Q8_0
            } else {
                T::Q6_K
            }
        } else {
            match role {
                TensorRole::AttnV => {
                    let t = match self {
                        Q2_K if cx.gqa >= 4 => T::Q4_K,
                        Q2_K => T::Q3_K,
                        IQ4_NL | IQ4_XS if cx.gqa >= 4 => T::Q5_K,
                        Q3_K_M if layer < 2 => T::Q5_K,
                        Q3_K_M => T::Q4_K,
                        Q4_K_M | Q5_K_M if more_bits(layer) => T::Q6_K,
                        Q4_K_S if layer < 4 => T::Q5_K,
                        _ => default,
                    };
                    if eight {
                        T::Q8_0
                    } else {
                        t
                    }
                }
                TensorRole::AttnK if eight => T::Q8_0,
                TensorRole::FfnDown => match self {
                    Q2_K => T::Q3_K,
                    Q3_K_M if layer < n / 16 => T::Q5_K,
                    Q3_K_M => T::Q4_K,
                    Q4_K_M | Q5_K_M if more_bits(layer) => T::Q6_K,
                    IQ4_NL | IQ4_XS if layer < n / 8 => T::Q5_K,
                    Q4_K_S if layer < n / 8 => T::Q5_K,
                    _ => default,
                },
                TensorRole::AttnOut => match self {
                    Q2_K | Q3_K_M | IQ4_NL | Q4_K_S | Q4_K_M | IQ4_XS if eight => T::Q5_K,
                    Q2_K => T::Q3_K,
                    Q3_K_M => T::Q4_K,
                    _ => default,
                },
                _ => default,
            }
        };
        fallback(chosen, row_len)
    }
}

/// The shortest row length that [`GgufScheme::tensor_type`] treats like `row_len`: the rules
/// read a row only through which block sizes tile it, and every ggml block holds 1, 32 or
/// 256 weights. Lets a cache of per-layer types key on 3 classes instead of every width.
pub fn row_class(row_len: u64) -> u64 {
    if row_len.is_multiple_of(256) {
        256
    } else if row_len.is_multiple_of(32) {
        32
    } else {
        1
    }
}

/// `tensor_type_fallback`: a type whose blocks do not tile the row gives way to one with
/// 32-weight blocks, and F16 when even those do not fit.
fn fallback(t: GgmlType, row_len: u64) -> GgmlType {
    use GgmlType as T;
    if row_len.is_multiple_of(t.block_size() as u64) {
        return t;
    }
    let next = match t {
        T::IQ4_XS => T::IQ4_NL,
        T::Q2_K | T::Q3_K => T::Q4_0,
        T::Q4_K => T::Q5_0,
        T::Q5_K => T::Q5_1,
        T::Q6_K => T::Q8_0,
        _ => T::F16,
    };
    if row_len.is_multiple_of(next.block_size() as u64) {
        next
    } else {
        T::F16
    }
}

impl fmt::Display for GgufScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_context_gets_the_same_types() {
        for s in GgufScheme::ALL {
            for layers in [1, 2, 7, 16, 33, 80] {
                for gqa in [1, 2, 3, 4, 5, 8, 16] {
                    for experts in [0, 1, 4, 7, 8, 9, 64] {
                        for tied_embeddings in [false, true] {
                            let cx = MixContext {
                                layers,
                                gqa,
                                experts,
                                tied_embeddings,
                            };
                            for role in [
                                TensorRole::Embedding,
                                TensorRole::LmHead,
                                TensorRole::AttnK,
                                TensorRole::AttnV,
                                TensorRole::AttnOut,
                                TensorRole::FfnDown,
                            ] {
                                for layer in 0..layers {
                                    assert_eq!(
                                        s.tensor_type(role, layer, &cx, 4096),
                                        s.tensor_type(role, layer, &cx.canonical(), 4096),
                                        "{s} {role:?} {cx:?}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_row_class_gets_the_types_of_every_row_in_it() {
        for t in GgmlType::ALL {
            assert!(
                [1, 32, 256].contains(&t.block_size()),
                "{t:?} has blocks of {}",
                t.block_size()
            );
        }
        let roles = [
            TensorRole::Embedding,
            TensorRole::LmHead,
            TensorRole::AttnV,
            TensorRole::AttnOut,
            TensorRole::FfnDown,
            TensorRole::OtherMatrix,
        ];
        let cx = MixContext {
            layers: 24,
            gqa: 4,
            experts: 8,
            tied_embeddings: true,
        };
        for s in GgufScheme::ALL {
            for role in roles {
                for row in (1..3000).chain([4096, 11008, 14336, 18944]) {
                    for layer in [0, 5, 23] {
                        assert_eq!(
                            s.tensor_type(role, layer, &cx, row),
                            s.tensor_type(role, layer, &cx, row_class(row)),
                            "{s} {role:?} row {row}"
                        );
                    }
                }
            }
        }
    }

    const LLAMA2_7B: MixContext = MixContext {
        layers: 32,
        gqa: 1,
        experts: 0,
        tied_embeddings: false,
    };

    #[test]
    fn q4_k_m_gives_q6_k_to_the_use_more_bits_layers_only() {
        let v: Vec<GgmlType> = (0..32)
            .map(|i| GgufScheme::Q4_K_M.tensor_type(TensorRole::AttnV, i, &LLAMA2_7B, 4096))
            .collect();
        let q6 = v.iter().filter(|t| **t == GgmlType::Q6_K).count();
        // Layers 0..4, 28..32 and 4 + 3k + 2 for k = 0..7 (6, 9, …, 27): 4 + 4 + 8.
        assert_eq!(q6, 16);
        assert_eq!(v[0], GgmlType::Q6_K);
        assert_eq!(v[4], GgmlType::Q4_K);
        assert_eq!(v[6], GgmlType::Q6_K);
    }

    #[test]
    fn output_gets_q6_k_unless_q8_0_and_rows_that_do_not_tile_fall_back() {
        let cx = LLAMA2_7B;
        let head = |s: GgufScheme| s.tensor_type(TensorRole::LmHead, 0, &cx, 4096);
        assert_eq!(head(GgufScheme::Q4_0), GgmlType::Q6_K);
        assert_eq!(head(GgufScheme::Q8_0), GgmlType::Q8_0);
        assert_eq!(head(GgufScheme::F16), GgmlType::F16);
        // Qwen2.5-0.5B: 896 = 3.5 blocks of 256.
        assert_eq!(
            GgufScheme::Q4_K_M.tensor_type(TensorRole::AttnQ, 5, &cx, 896),
            GgmlType::Q5_0
        );
        assert_eq!(
            GgufScheme::Q4_K_M.tensor_type(TensorRole::LmHead, 0, &cx, 896),
            GgmlType::Q8_0
        );
        assert_eq!(fallback(GgmlType::Q4_0, 100), GgmlType::F16);
    }
}
