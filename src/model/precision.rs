//! Number formats of weights, activations and KV cache, and the format a matmul runs in.
//!
//! method.md §1 and §3: b_w, b_a and b_kv are independent, and the compute peak that applies is
//! the device's peak for the format the multiply actually runs in, which is not always the
//! storage format (W4A16 dequantises to FP16 and runs at the FP16 peak).

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Precision {
    pub weights: NumFormat,
    pub activations: NumFormat,
    pub kv: NumFormat,
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
    pub const W8A16: Precision = Precision {
        weights: NumFormat::Int8,
        activations: NumFormat::Fp16,
        kv: NumFormat::Fp16,
    };
    /// INT4 weights dequantised to FP16 (GPTQ/AWQ-style weight-only quantisation).
    pub const W4A16: Precision = Precision {
        weights: NumFormat::Int4,
        activations: NumFormat::Fp16,
        kv: NumFormat::Fp16,
    };

    /// The presets offered in the UI, in display order.
    pub const PRESETS: [Precision; 4] = [
        Precision::FP16,
        Precision::INT8,
        Precision::W8A16,
        Precision::W4A16,
    ];

    pub const fn uniform(f: NumFormat) -> Precision {
        Precision {
            weights: f,
            activations: f,
            kv: f,
        }
    }

    /// Format of the weight matmuls (projections, FFN, router, LM head): method.md §3.
    pub fn matmul_format(&self) -> NumFormat {
        self.weights.matmul_with(self.activations)
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

    /// Display name: "FP16", "INT8", "W4A16", or "W:INT4 A:FP8 KV:FP16" when nothing shorter fits.
    pub fn name(&self) -> String {
        let (w, a, kv) = (self.weights, self.activations, self.kv);
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

    /// A preset name ("fp16", "int8", "w8a16", "w4a16", case-insensitive) or a single format
    /// used for all three ("bf16").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase();
        match key.as_str() {
            "w8a16" => Ok(Precision::W8A16),
            "w4a16" => Ok(Precision::W4A16),
            "w8a8" => Ok(Precision::INT8),
            _ => key
                .parse::<NumFormat>()
                .map(Precision::uniform)
                .map_err(|_| PrecisionError {
                    input: s.to_string(),
                    what: "precision",
                    expected: "fp16, int8, w8a16, w4a16 or one number format",
                }),
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
