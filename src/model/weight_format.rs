//! How weights are stored, as engineers name it: `fp16`, a GGUF file type (`q4_k_m`), MLC's
//! `q4f16_1`, AWQ/GPTQ int4 with groups of 128, bitsandbytes NF4, or `custom:4.25` bits.
//!
//! A format gives the effective bits of each kind of weight tensor (scales and zero points
//! included, from the published block layouts; reference.md, "Weight formats") and the
//! format its matmuls run in (method.md §3, "Weight formats and the compute path"). One
//! parser ([`WeightFormat::from_str`]) reads every spelling, for forms, URLs and files.

use super::ggml_type::GgmlType;
use super::gguf_mix::{GgufScheme, MixContext, TensorRole};
use super::precision::{NumFormat, PrecisionError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Largest number of bits a custom format may give a weight.
pub const MAX_CUSTOM_BITS: f64 = 32.0;

/// Bits per weight of a custom format: finite, above 0 and at most [`MAX_CUSTOM_BITS`].
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct CustomBits(f64);

impl CustomBits {
    /// `None` unless 0 < bits ≤ [`MAX_CUSTOM_BITS`].
    pub fn new(bits: f64) -> Option<CustomBits> {
        (bits.is_finite() && bits > 0.0 && bits <= MAX_CUSTOM_BITS).then_some(CustomBits(bits))
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

// NaN is refused by the constructor, so equality is reflexive and hashing by bits is sound.
impl Eq for CustomBits {}

impl Hash for CustomBits {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// Which int4 group-quantisation tool wrote the checkpoint (same layout, different names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Int4Tool {
    Awq,
    Gptq,
}

/// MLC-LLM quantisation modes (`mlc_llm/quantization/quantization.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MlcScheme {
    /// Symmetric int4, groups of 32 with an FP16 scale, embedding and LM head too.
    Q4f16_1,
    /// FasterTransformer int4: one FP16 scale per output channel; embedding in groups of 32.
    Q4f16Ft,
}

/// The storage format of a model's weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum WeightFormat {
    /// Every weight, norms included, in one number format at whole bytes (INT4: half a
    /// byte): the page's original model. FP8 E4M3 and INT8 per-channel are these (their one
    /// scale per tensor or per row is under 0.01 bit per weight: method.md §3).
    Plain(NumFormat),
    /// A GGUF file type with llama.cpp's per-tensor rules.
    Gguf(GgufScheme),
    Mlc(MlcScheme),
    /// 4-bit weights in groups of 128 with an FP16 scale and a 4-bit zero point per group;
    /// embedding and LM head stay FP16.
    Int4G128(Int4Tool),
    /// bitsandbytes NF4 in blocks of 64 with an FP32 absmax (4.5 bits), or with double
    /// quantisation (8-bit absmax, FP32 per 256 blocks: 4.127 bits).
    Nf4 {
        double_quant: bool,
    },
    /// A stated number of bits for every weight.
    Custom(CustomBits),
}

/// Which kind of device runs a format's matmuls when the format leaves it open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatmulPath {
    /// GPUs and NPUs: quantised weights are dequantised to the activations' float format.
    #[default]
    Accelerator,
    /// CPUs: llama.cpp quantises activations to 8-bit blocks and multiplies in integers, so
    /// a quantised GGUF matmul runs at the INT8 peak.
    Cpu,
    /// The user's choice: every weight matmul at this format's peak.
    Format(NumFormat),
}

impl MatmulPath {
    pub fn is_default(&self) -> bool {
        *self == MatmulPath::Accelerator
    }
}

impl From<NumFormat> for WeightFormat {
    fn from(f: NumFormat) -> Self {
        WeightFormat::Plain(f)
    }
}

const EXPECTED: &str = "fp32, fp16, bf16, fp8, int8, int4, a GGUF type (f16, q8_0, q6_k, \
q5_k_m, q5_k_s, q5_0, q5_1, q4_k_m, q4_k_s, q4_0, q4_1, q3_k_m, q2_k, iq4_xs, iq4_nl), \
q4f16_1, q4f16_ft, awq-int4-g128, gptq-int4-g128, nf4, nf4-dq or custom:N bits per weight";

impl WeightFormat {
    /// The formats a form offers, in display order (custom bits are typed).
    pub fn offered() -> Vec<WeightFormat> {
        let mut v: Vec<WeightFormat> = NumFormat::ALL.map(WeightFormat::Plain).to_vec();
        v.extend(GgufScheme::ALL.map(WeightFormat::Gguf));
        v.extend([
            WeightFormat::Mlc(MlcScheme::Q4f16_1),
            WeightFormat::Mlc(MlcScheme::Q4f16Ft),
            WeightFormat::Int4G128(Int4Tool::Awq),
            WeightFormat::Int4G128(Int4Tool::Gptq),
            WeightFormat::Nf4 {
                double_quant: false,
            },
            WeightFormat::Nf4 { double_quant: true },
        ]);
        v
    }

    /// The number format when the weights are [`WeightFormat::Plain`].
    pub fn plain(self) -> Option<NumFormat> {
        match self {
            WeightFormat::Plain(f) => Some(f),
            _ => None,
        }
    }

    /// Display name: "FP16", "Q4_K_M", "q4f16_1", "AWQ INT4 g128", "NF4", "custom 4.25 bpw".
    pub fn name(self) -> String {
        match self {
            WeightFormat::Plain(f) => f.name().to_string(),
            WeightFormat::Gguf(s) if !s.is_quantized() => format!("GGUF {}", s.name()),
            WeightFormat::Gguf(s) => s.name().to_string(),
            WeightFormat::Mlc(MlcScheme::Q4f16_1) => "q4f16_1".to_string(),
            WeightFormat::Mlc(MlcScheme::Q4f16Ft) => "q4f16_ft".to_string(),
            WeightFormat::Int4G128(Int4Tool::Awq) => "AWQ INT4 g128".to_string(),
            WeightFormat::Int4G128(Int4Tool::Gptq) => "GPTQ INT4 g128".to_string(),
            WeightFormat::Nf4 {
                double_quant: false,
            } => "NF4".to_string(),
            WeightFormat::Nf4 { double_quant: true } => "NF4 double-quant".to_string(),
            WeightFormat::Custom(b) => format!("custom {} bpw", b.get()),
        }
    }

    /// Key used in files and URLs; [`WeightFormat::from_str`] reads it back.
    pub fn key(self) -> String {
        match self {
            WeightFormat::Plain(f) => f.key().to_string(),
            WeightFormat::Gguf(s) if !s.is_quantized() => {
                format!("gguf-{}", s.name().to_ascii_lowercase())
            }
            WeightFormat::Gguf(s) => s.name().to_ascii_lowercase(),
            WeightFormat::Mlc(MlcScheme::Q4f16_1) => "q4f16_1".to_string(),
            WeightFormat::Mlc(MlcScheme::Q4f16Ft) => "q4f16_ft".to_string(),
            WeightFormat::Int4G128(Int4Tool::Awq) => "awq-int4-g128".to_string(),
            WeightFormat::Int4G128(Int4Tool::Gptq) => "gptq-int4-g128".to_string(),
            WeightFormat::Nf4 {
                double_quant: false,
            } => "nf4".to_string(),
            WeightFormat::Nf4 { double_quant: true } => "nf4-dq".to_string(),
            WeightFormat::Custom(b) => format!("custom:{}", b.get()),
        }
    }

    /// Bits of one weight of a tensor of `role` in layer `layer` whose rows hold `row_len`
    /// weights (the input dimension; per-row scales and block fallbacks depend on it).
    pub fn tensor_bits(self, role: TensorRole, layer: u32, cx: &MixContext, row_len: u64) -> f64 {
        let edge = matches!(role, TensorRole::Embedding | TensorRole::LmHead);
        let vector = matches!(role, TensorRole::Vector);
        match self {
            WeightFormat::Plain(f) => f.bytes() * 8.0,
            WeightFormat::Gguf(s) => s.tensor_type(role, layer, cx, row_len).bits_per_weight(),
            WeightFormat::Mlc(_) if vector => 16.0,
            WeightFormat::Mlc(MlcScheme::Q4f16_1) => 4.5,
            WeightFormat::Mlc(MlcScheme::Q4f16Ft) if role == TensorRole::Embedding => 4.5,
            WeightFormat::Mlc(MlcScheme::Q4f16Ft) => 4.0 + 16.0 / row_len.max(1) as f64,
            WeightFormat::Int4G128(_) | WeightFormat::Nf4 { .. } if edge || vector => 16.0,
            // A row that is not a whole number of groups is left in FP16 (DECISION).
            WeightFormat::Int4G128(_) if !row_len.is_multiple_of(128) => 16.0,
            // 4 bits + (FP16 scale + 4-bit zero) per 128.
            WeightFormat::Int4G128(_) => 4.0 + 20.0 / 128.0,
            WeightFormat::Nf4 {
                double_quant: false,
            } => 4.0 + 32.0 / 64.0,
            WeightFormat::Nf4 { double_quant: true } => 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0),
            WeightFormat::Custom(b) => b.get(),
        }
    }

    /// Bits of a weight of an ordinary matrix (a layer's Q projection with rows of
    /// `row_len`), the figure to show beside the name.
    pub fn matrix_bits(self, row_len: u64) -> f64 {
        let cx = MixContext {
            layers: 1,
            gqa: 1,
            experts: 0,
            tied_embeddings: false,
        };
        self.tensor_bits(TensorRole::AttnQ, 0, &cx, row_len)
    }

    /// Bytes per weight for the closed forms that take one b_w (method.md §5): the bits of an
    /// ordinary matrix whose rows tile every block (4096 weights).
    pub fn nominal_bytes(self) -> f64 {
        self.matrix_bits(4096) / 8.0
    }

    /// The format a weight matmul runs in with activations in `activations` (method.md §3):
    /// plain formats by [`NumFormat::matmul_with`]; float GGUF files like their float; other
    /// formats are dequantised to the activations' float format (FP16 at least), except
    /// quantised GGUF on a CPU, which multiplies in INT8. [`MatmulPath::Format`] overrides.
    pub fn matmul_format(self, activations: NumFormat, path: MatmulPath) -> NumFormat {
        if let MatmulPath::Format(f) = path {
            return f;
        }
        let dequantised = activations.matmul_with(NumFormat::Fp16);
        match self {
            WeightFormat::Plain(f) => f.matmul_with(activations),
            WeightFormat::Gguf(s) => match s.default_type() {
                GgmlType::F32 => NumFormat::Fp32.matmul_with(activations),
                GgmlType::BF16 => NumFormat::Bf16.matmul_with(activations),
                GgmlType::F16 => NumFormat::Fp16.matmul_with(activations),
                _ if path == MatmulPath::Cpu => NumFormat::Int8,
                _ => dequantised,
            },
            _ => dequantised,
        }
    }
}

impl fmt::Display for WeightFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

fn refuse(input: &str) -> PrecisionError {
    PrecisionError {
        input: input.to_string(),
        what: "weight format",
        expected: EXPECTED,
    }
}

impl FromStr for WeightFormat {
    type Err = PrecisionError;

    /// Case-insensitive, `-`, `_` and spaces ignored: every [`NumFormat`] spelling, a GGUF file
    /// type (`q4_k_m`; `q4_k`, `q5_k`, `q3_k` as llama-quantize reads them: the `_M` mixes),
    /// `gguf-f16`, `q4f16_1`, `q4f16_ft`, `awq-int4-g128`, `gptq-int4-g128` (or `awq`,
    /// `gptq`), `nf4`, `nf4-dq`, `fp8-e4m3`, `int8-per-channel`, `custom:4.25`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("custom") {
            let number = rest.trim_start_matches([':', '=', ' ']).trim();
            let number = number.strip_suffix("bpw").unwrap_or(number).trim();
            return number
                .parse::<f64>()
                .ok()
                .and_then(CustomBits::new)
                .map(WeightFormat::Custom)
                .ok_or_else(|| PrecisionError {
                    input: s.to_string(),
                    what: super::precision::CUSTOM,
                    expected:
                        "custom:N with N bits per weight above 0 and at most 32, e.g. custom:4.25",
                });
        }
        if let Ok(f) = lower.parse::<NumFormat>() {
            return Ok(WeightFormat::Plain(f));
        }
        let key = lower.replace(['-', '_', ' '], "");
        let gguf = |g| Ok(WeightFormat::Gguf(g));
        match key.as_str() {
            "int8perchannel" | "int8pc" | "w8perchannel" => {
                Ok(WeightFormat::Plain(NumFormat::Int8))
            }
            "gguff32" | "gguf:f32" => gguf(GgufScheme::F32),
            "gguff16" | "gguf:f16" => gguf(GgufScheme::F16),
            "ggufbf16" | "gguf:bf16" => gguf(GgufScheme::BF16),
            "q80" => gguf(GgufScheme::Q8_0),
            "q6k" => gguf(GgufScheme::Q6_K),
            "q5km" | "q5k" => gguf(GgufScheme::Q5_K_M),
            "q5ks" => gguf(GgufScheme::Q5_K_S),
            "q50" => gguf(GgufScheme::Q5_0),
            "q51" => gguf(GgufScheme::Q5_1),
            "q4km" | "q4k" => gguf(GgufScheme::Q4_K_M),
            "q4ks" => gguf(GgufScheme::Q4_K_S),
            "q40" => gguf(GgufScheme::Q4_0),
            "q41" => gguf(GgufScheme::Q4_1),
            "q3km" | "q3k" => gguf(GgufScheme::Q3_K_M),
            "q2k" => gguf(GgufScheme::Q2_K),
            "iq4xs" => gguf(GgufScheme::IQ4_XS),
            "iq4nl" => gguf(GgufScheme::IQ4_NL),
            "q4f161" => Ok(WeightFormat::Mlc(MlcScheme::Q4f16_1)),
            "q4f16ft" => Ok(WeightFormat::Mlc(MlcScheme::Q4f16Ft)),
            "awq" | "awqint4" | "awqint4g128" | "awqw4g128" => {
                Ok(WeightFormat::Int4G128(Int4Tool::Awq))
            }
            "gptq" | "gptqint4" | "gptqint4g128" | "gptqw4g128" => {
                Ok(WeightFormat::Int4G128(Int4Tool::Gptq))
            }
            "nf4" | "bnbnf4" => Ok(WeightFormat::Nf4 {
                double_quant: false,
            }),
            "nf4dq" | "bnbnf4dq" | "nf4doublequant" => Ok(WeightFormat::Nf4 { double_quant: true }),
            _ => Err(refuse(s)),
        }
    }
}

impl TryFrom<String> for WeightFormat {
    type Error = PrecisionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<WeightFormat> for String {
    fn from(f: WeightFormat) -> String {
        f.key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_format_reads_back_from_its_key() {
        for f in WeightFormat::offered() {
            assert_eq!(f.key().parse::<WeightFormat>(), Ok(f), "{}", f.key());
        }
        let custom = WeightFormat::Custom(CustomBits::new(4.25).unwrap());
        assert_eq!(custom.key().parse::<WeightFormat>(), Ok(custom));
    }
}
