//! Number formats of weights, activations and KV cache, and the format a matmul runs in.
//!
//! method.md §1 and §3: b_w, b_a and b_kv are independent, and the compute peak that applies is
//! the device's peak for the format the multiply actually runs in, which is not always the
//! storage format (W4A16 dequantises to FP16 and runs at the FP16 peak). Weights may be in
//! any [`WeightFormat`] (GGUF, MLC, AWQ, …), with their own format for the embedding table
//! and the LM head, and a stated [`MatmulPath`].

use super::weight_format::{MatmulPath, WeightFormat};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A storage or compute number format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum NumFormat {
    Fp32,
    Fp16,
    Bf16,
    Fp8,
    Int8,
    Int4,
}

impl NumFormat {
    pub const ALL: [NumFormat; 6] = [
        NumFormat::Fp32,
        NumFormat::Fp16,
        NumFormat::Bf16,
        NumFormat::Fp8,
        NumFormat::Int8,
        NumFormat::Int4,
    ];

    /// Bytes per element (b_w, b_a, b_kv of method.md §1).
    pub fn bytes(self) -> f64 {
        match self {
            NumFormat::Fp32 => 4.0,
            NumFormat::Fp16 | NumFormat::Bf16 => 2.0,
            NumFormat::Fp8 | NumFormat::Int8 => 1.0,
            NumFormat::Int4 => 0.5,
        }
    }

    /// Bits per element.
    pub fn bits(self) -> u32 {
        (self.bytes() * 8.0) as u32
    }

    pub fn is_integer(self) -> bool {
        matches!(self, NumFormat::Int8 | NumFormat::Int4)
    }

    /// Display name, e.g. "FP16", "INT8".
    pub fn name(self) -> &'static str {
        match self {
            NumFormat::Fp32 => "FP32",
            NumFormat::Fp16 => "FP16",
            NumFormat::Bf16 => "BF16",
            NumFormat::Fp8 => "FP8",
            NumFormat::Int8 => "INT8",
            NumFormat::Int4 => "INT4",
        }
    }

    /// Lower-case key used in files and URLs ("fp16").
    pub fn key(self) -> &'static str {
        match self {
            NumFormat::Fp32 => "fp32",
            NumFormat::Fp16 => "fp16",
            NumFormat::Bf16 => "bf16",
            NumFormat::Fp8 => "fp8",
            NumFormat::Int8 => "int8",
            NumFormat::Int4 => "int4",
        }
    }

    /// Format a multiply of these two operands runs in (method.md §3): the integer or FP8 peak
    /// applies only when both operands are in it; otherwise the narrower operand is dequantised
    /// and the multiply runs in the wider float format of the two (FP16 at least).
    pub fn matmul_with(self, other: NumFormat) -> NumFormat {
        use NumFormat::*;
        match (self, other) {
            (Int4, Int4) => Int4,
            // W4A8 kernels unpack the 4-bit operand to INT8 and use the INT8 units.
            (Int8 | Int4, Int8 | Int4) => Int8,
            (Fp8, Fp8) => Fp8,
            (Fp32, _) | (_, Fp32) => Fp32,
            (Bf16, _) | (_, Bf16) => Bf16,
            _ => Fp16,
        }
    }
}

impl fmt::Display for NumFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format or precision name that is not recognised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrecisionError {
    pub input: String,
    /// What was expected, e.g. "number format".
    pub what: &'static str,
    /// The accepted names.
    pub expected: &'static str,
}

impl fmt::Display for PrecisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a {} (expected {})",
            self.input, self.what, self.expected
        )
    }
}

impl std::error::Error for PrecisionError {}

/// [`PrecisionError::what`] of a `custom:` format whose number is wrong.
pub const CUSTOM: &str = "custom weight format";

impl FromStr for NumFormat {
    type Err = PrecisionError;

    /// Accepts the usual spellings, case-insensitive: "fp16", "float16", "half", "bf16",
    /// "int8", "i8", "w8", "q4", …
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        Ok(match key.as_str() {
            "fp32" | "f32" | "float32" | "float" | "single" => NumFormat::Fp32,
            "fp16" | "f16" | "float16" | "half" => NumFormat::Fp16,
            "bf16" | "bfloat16" => NumFormat::Bf16,
            "fp8" | "f8" | "float8" | "e4m3" | "fp8e4m3" | "e5m2" | "fp8e5m2" => NumFormat::Fp8,
            "int8" | "i8" | "w8" | "a8" | "q8" | "8bit" => NumFormat::Int8,
            "int4" | "i4" | "w4" | "q4" | "4bit" => NumFormat::Int4,
            _ => {
                return Err(PrecisionError {
                    input: s.to_string(),
                    what: "number format",
                    expected: "fp32, fp16, bf16, fp8, int8 or int4",
                })
            }
        })
    }
}

impl TryFrom<String> for NumFormat {
    type Error = PrecisionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<NumFormat> for String {
    fn from(f: NumFormat) -> String {
        f.key().to_string()
    }
}

/// Formats of the three kinds of data a model moves. Every combination is valid.
///
/// Serialised as before for the original presets: the fields added later are left out when
/// they hold their default, and default when absent, so sessions saved earlier still load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Precision {
    pub weights: WeightFormat,
    pub activations: NumFormat,
    pub kv: NumFormat,
    /// Format of the embedding table when it differs from what `weights` gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<WeightFormat>,
    /// Format of the LM head when it differs from what `weights` gives it (a GGUF Q4_0 file
    /// already keeps it at Q6_K: that is the format's own rule, no override needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lm_head: Option<WeightFormat>,
    /// Where the weight matmuls run, which picks their peak (method.md §3).
    #[serde(default, skip_serializing_if = "MatmulPath::is_default")]
    pub matmul: MatmulPath,
}

impl Default for Precision {
    fn default() -> Self {
        Precision::FP16
    }
}

impl Precision {
    /// Everything in FP16: the paper's baseline.
    pub const FP16: Precision = Precision::uniform(NumFormat::Fp16);
    /// The paper's "INT8" (method.md §3, "FP16 vs INT8"), which it does not define further.
    /// DECISION: W8A8 with an INT8 KV cache, so matmuls run at the INT8 peak; non-linear ops
    /// and attention scores still run in FP16 (see [`Precision::vector_format`]).
    pub const INT8: Precision = Precision::uniform(NumFormat::Int8);
    /// INT8 weights dequantised to FP16 (weight-only quantisation).
    pub const W8A16: Precision = Precision::weight_only(WeightFormat::Plain(NumFormat::Int8));
    /// INT4 weights dequantised to FP16 (GPTQ/AWQ-style weight-only quantisation).
    pub const W4A16: Precision = Precision::weight_only(WeightFormat::Plain(NumFormat::Int4));

    /// The presets offered in the UI, in display order.
    pub const PRESETS: [Precision; 4] = [
        Precision::FP16,
        Precision::INT8,
        Precision::W8A16,
        Precision::W4A16,
    ];

    pub const fn uniform(f: NumFormat) -> Precision {
        Precision::new(WeightFormat::Plain(f), f, f)
    }

    /// Weights, activations and KV cache in the given formats, nothing overridden.
    pub const fn new(weights: WeightFormat, activations: NumFormat, kv: NumFormat) -> Precision {
        Precision {
            weights,
            activations,
            kv,
            embedding: None,
            lm_head: None,
            matmul: MatmulPath::Accelerator,
        }
    }

    /// Weight-only quantisation: `weights` with FP16 activations and KV cache, as GGUF, MLC,
    /// AWQ and GPTQ models run by default.
    pub const fn weight_only(weights: WeightFormat) -> Precision {
        Precision::new(weights, NumFormat::Fp16, NumFormat::Fp16)
    }

    /// The same with the embedding table in `f` (`None`: the weight format's own rule).
    pub fn with_embedding(mut self, f: Option<WeightFormat>) -> Precision {
        self.embedding = f;
        self
    }

    /// The same with the LM head in `f` (`None`: the weight format's own rule).
    pub fn with_lm_head(mut self, f: Option<WeightFormat>) -> Precision {
        self.lm_head = f;
        self
    }

    /// The same with the matmul path `path`.
    pub fn with_matmul(mut self, path: MatmulPath) -> Precision {
        self.matmul = path;
        self
    }

    /// Format of the weight matmuls (projections, FFN, router, LM head): method.md §3.
    pub fn matmul_format(&self) -> NumFormat {
        self.weights.matmul_format(self.activations, self.matmul)
    }

    /// Format of Q·Kᵀ and scores·V, whose operands are activations and the KV cache.
    pub fn attention_format(&self) -> NumFormat {
        self.kv.matmul_with(self.activations)
    }

    /// Format of element-wise and non-linear ops (norms, softmax, RoPE, activation function,
    /// residual adds) and of attention scores. DECISION: these run in FP16 (or BF16/FP32 when
    /// activations are) even under INT8, because integer kernels dequantise around them; this
    /// is one reason INT8 saves less than 2× (method.md §4).
    pub fn vector_format(&self) -> NumFormat {
        match self.activations {
            NumFormat::Fp32 => NumFormat::Fp32,
            NumFormat::Bf16 => NumFormat::Bf16,
            _ => NumFormat::Fp16,
        }
    }

    /// Display name: "FP16", "INT8", "W4A16", "Q4_K_M", or "W:INT4 A:FP8 KV:FP16" when nothing
    /// shorter fits; overrides follow ("Q4_0, head Q8_0, CPU").
    pub fn name(&self) -> String {
        let mut name = self.base_name();
        if let Some(e) = self.embedding {
            name.push_str(&format!(", embedding {}", e.name()));
        }
        if let Some(h) = self.lm_head {
            name.push_str(&format!(", head {}", h.name()));
        }
        match self.matmul {
            MatmulPath::Accelerator => {}
            MatmulPath::Cpu => name.push_str(", CPU"),
            MatmulPath::Format(f) => name.push_str(&format!(", matmul {}", f.name())),
        }
        name
    }

    fn base_name(&self) -> String {
        let (a, kv) = (self.activations, self.kv);
        let Some(w) = self.weights.plain() else {
            if a == NumFormat::Fp16 && kv == a {
                return self.weights.name();
            }
            return format!("W:{} A:{} KV:{}", self.weights.name(), a.name(), kv.name());
        };
        if w == a && a == kv {
            return w.name().to_string();
        }
        if w.is_integer() && a.is_integer() && kv == a {
            return format!("W{}A{}", w.bits(), a.bits());
        }
        if w.is_integer() && matches!(a, NumFormat::Fp16 | NumFormat::Bf16) && kv == a {
            return format!("W{}A16", w.bits());
        }
        format!("W:{} A:{} KV:{}", w.name(), a.name(), kv.name())
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Precision {
    type Err = PrecisionError;

    /// A preset name ("fp16", "int8", "w8a16", "w4a16", case-insensitive), a single number
    /// format used for all three ("bf16"), or a weight format other than those, run
    /// weight-only with FP16 activations and KV cache ("q4_k_m", "q4f16_1", "custom:4.25").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase();
        match key.as_str() {
            "w8a16" => Ok(Precision::W8A16),
            "w4a16" => Ok(Precision::W4A16),
            "w8a8" => Ok(Precision::INT8),
            _ => {
                if let Ok(f) = key.parse::<NumFormat>() {
                    return Ok(Precision::uniform(f));
                }
                match key.parse::<WeightFormat>() {
                    Ok(w) => Ok(Precision::weight_only(w)),
                    Err(e) if e.what == CUSTOM => Err(PrecisionError {
                        input: s.to_string(),
                        ..e
                    }),
                    Err(_) => Err(PrecisionError {
                        input: s.to_string(),
                        what: "precision",
                        expected: "fp16, int8, w8a16, w4a16, one number format or a weight \
format (q8_0, q4_k_m, q4_0, iq4_xs, q4f16_1, awq-int4-g128, nf4, custom:N …)",
                    }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w4a8_runs_on_int8_units_and_fp8_needs_both_operands() {
        assert_eq!(
            NumFormat::Int4.matmul_with(NumFormat::Int8),
            NumFormat::Int8
        );
        assert_eq!(NumFormat::Fp8.matmul_with(NumFormat::Fp16), NumFormat::Fp16);
        assert_eq!(NumFormat::Fp8.matmul_with(NumFormat::Int8), NumFormat::Fp16);
        assert_eq!(
            NumFormat::Int8.matmul_with(NumFormat::Fp32),
            NumFormat::Fp32
        );
    }
}
