//! Import of a Hugging Face `config.json` into a validated [`Architecture`].
//!
//! Two steps, as ripgrep turns `LowArgs` into `HiArgs`: [`RawConfig`] mirrors the file (every
//! field optional and of any JSON type, so a wrong type gets our message rather than serde's),
//! then one conversion reads it for its family. The conversion applies the defaults the Hugging
//! Face config classes give absent fields, and adds what every checkpoint of a family has though
//! no config says so (qwen2's QKV bias, Gemma's four norms per layer). Each such choice, and each
//! approximation `ArchSpec` forces (uniform layers), becomes a note for the user to check.
//!
//! The result is a whole [`Architecture`] or a [`ConfigError`] naming the field: nothing is
//! half-imported, and no input panics (`tests/hf_import.rs` feeds it mutated and random text).

use super::arch::{
    ArchError, ArchSpec, Architecture, Attention, FfnKind, Moe, SlidingWindow, MAX_DIM,
};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::fmt;

/// A config turned into an architecture, with what the import had to assume.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedModel {
    /// `_name_or_path` (or `name_or_path`) when the file has one: the model's own name.
    pub name_or_path: Option<String>,
    /// The first of `architectures` (a class such as "Qwen2ForCausalLM", not a model name).
    pub architecture: Option<String>,
    pub arch: Architecture,
    /// Family defaults applied and approximations made, one sentence each: parameter counts
    /// and latencies depend on them, so the user should see them.
    pub notes: Vec<String>,
}

/// Why a config was refused. Each message names the field, what was expected and what was found.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// Not JSON; `line` and `column` are serde_json's (1-based).
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not an object.
    NotAnObject { found: String },
    /// A field the architecture needs is absent.
    Missing {
        field: String,
        expected: &'static str,
    },
    /// A field of the wrong type or out of range.
    Invalid {
        field: String,
        expected: String,
        found: String,
    },
    /// Fields that cannot hold together.
    Contradiction { field: String, problem: String },
    /// `model_type` names no supported family, and a llama-like reading is not possible.
    UnsupportedFamily {
        model_type: Option<String>,
        reason: String,
    },
    /// [`Architecture::new`] refused the result; `field` is the config field behind it.
    Architecture { field: String, source: ArchError },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax {
                line,
                column,
                message,
            } => write!(f, "invalid JSON at line {line}, column {column}: {message}"),
            ConfigError::NotAnObject { found } => {
                write!(f, "expected a JSON object at the top level, found {found}")
            }
            ConfigError::Missing { field, expected } => {
                write!(f, "{field}: expected {expected}, but the field is missing")
            }
            ConfigError::Invalid {
                field,
                expected,
                found,
            } => write!(f, "{field}: expected {expected}, found {found}"),
            ConfigError::Contradiction { field, problem } => write!(f, "{field}: {problem}"),
            ConfigError::UnsupportedFamily { model_type, reason } => {
                match model_type {
                    Some(t) => write!(f, "model_type: {} is not a supported family", quoted(t))?,
                    None => write!(f, "model_type: missing, so the family is unknown")?,
                }
                let names: Vec<&str> = FAMILIES.iter().map(|(name, _)| *name).collect();
                write!(f, " (supported: {}); {reason}", names.join(", "))
            }
            ConfigError::Architecture { field, source } => write!(f, "{field}: {}", source.problem),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Architecture { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `global_every` for a window on every layer: no layer index is a multiple of it.
const NO_GLOBAL_LAYER: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Llama,
    MobileLlm,
    Mistral,
    Mixtral,
    Qwen2,
    Qwen2Moe,
    Qwen3,
    Qwen3Moe,
    Gemma,
    Gemma2,
    Gemma3,
    DeepseekV2,
    DeepseekV3,
    Plm,
    /// An unknown `model_type` that has every field a llama needs.
    LlamaLike,
}

/// `model_type` values read natively, in the order error messages list them.
const FAMILIES: [(&str, Family); 15] = [
    ("llama", Family::Llama),
    ("mistral", Family::Mistral),
    ("mixtral", Family::Mixtral),
    ("qwen2", Family::Qwen2),
    ("qwen2_moe", Family::Qwen2Moe),
    ("qwen3", Family::Qwen3),
    ("qwen3_moe", Family::Qwen3Moe),
    ("gemma", Family::Gemma),
    ("gemma2", Family::Gemma2),
    ("gemma3", Family::Gemma3),
    ("gemma3_text", Family::Gemma3),
    ("deepseek_v2", Family::DeepseekV2),
    ("deepseek_v3", Family::DeepseekV3),
    ("plm", Family::Plm),
    ("mobilellm", Family::MobileLlm),
];

/// `q_lora_rank` of `DeepseekV2Config` and `DeepseekV3Config` when the field is absent.
const DEEPSEEK_Q_LORA_RANK: u32 = 1536;

impl Family {
    fn is_gemma(self) -> bool {
        matches!(self, Family::Gemma | Family::Gemma2 | Family::Gemma3)
    }

    fn is_mla(self) -> bool {
        matches!(self, Family::DeepseekV2 | Family::DeepseekV3 | Family::Plm)
    }

    /// `tie_word_embeddings` of the family's config class (PLM's class says false, though the
    /// published PLM checkpoints state true).
    fn tied_default(self) -> bool {
        self.is_gemma() || self == Family::MobileLlm
    }

    /// Classes whose `head_dim` default is a constant rather than `hidden_size / heads`.
    fn head_dim_default(self) -> Option<u32> {
        match self {
            Family::Gemma | Family::Gemma2 | Family::Gemma3 => Some(256),
            Family::Qwen3 => Some(128),
            _ => None,
        }
    }

    /// Families whose attention reads `attention_bias` (bias on Q, K, V and O).
    fn reads_attention_bias(self) -> bool {
        !matches!(
            self,
            Family::Qwen2 | Family::Qwen2Moe | Family::Mistral | Family::Mixtral
        )
    }

    /// `sliding_window` of the family's config class when the field is absent.
    fn window_default(self) -> Option<u32> {
        match self {
            Family::Mistral
            | Family::Gemma2
            | Family::Gemma3
            | Family::Qwen2
            | Family::Qwen2Moe
            | Family::Qwen3
            | Family::Qwen3Moe => Some(4096),
            _ => None,
        }
    }

    fn experts_field(self) -> &'static str {
        match self {
            Family::Mixtral => "num_local_experts",
            Family::DeepseekV2 | Family::DeepseekV3 => "n_routed_experts",
            _ => "num_experts",
        }
    }
}

/// One field as the file has it. Unlike `Option<Value>` it keeps an explicit `null` apart from
/// an absent field: Hugging Face reads `"q_lora_rank": null` as "full rank" but an absent
/// `q_lora_rank` as the class default.
#[derive(Clone, Debug, Default)]
enum Slot {
    #[default]
    Absent,
    Given(Value),
}

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Slot::Given)
    }
}

impl Slot {
    /// The value, unless absent or `null`.
    fn value(&self) -> Option<&Value> {
        match self {
            Slot::Given(v) if !v.is_null() => Some(v),
            _ => None,
        }
    }

    fn is_absent(&self) -> bool {
        matches!(self, Slot::Absent)
    }
}

/// The fields of a `config.json` the import reads, exactly as written; all others are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawConfig {
    model_type: Slot,
    #[serde(rename = "_name_or_path")]
    name_or_path: Slot,
    #[serde(rename = "name_or_path")]
    name_or_path_plain: Slot,
    architectures: Slot,
    text_config: Slot,
    vocab_size: Slot,
    hidden_size: Slot,
    num_hidden_layers: Slot,
    num_attention_heads: Slot,
    num_key_value_heads: Slot,
    head_dim: Slot,
    intermediate_size: Slot,
    hidden_act: Slot,
    hidden_activation: Slot,
    tie_word_embeddings: Slot,
    share_embedding: Slot,
    attention_bias: Slot,
    mlp_bias: Slot,
    sliding_window: Slot,
    sliding_window_pattern: Slot,
    layer_types: Slot,
    use_sliding_window: Slot,
    max_window_layers: Slot,
    num_local_experts: Slot,
    num_experts: Slot,
    n_routed_experts: Slot,
    num_experts_per_tok: Slot,
    moe_intermediate_size: Slot,
    shared_expert_intermediate_size: Slot,
    n_shared_experts: Slot,
    decoder_sparse_step: Slot,
    mlp_only_layers: Slot,
    first_k_dense_replace: Slot,
    moe_layer_freq: Slot,
    num_nextn_predict_layers: Slot,
    kv_lora_rank: Slot,
    q_lora_rank: Slot,
    qk_rope_head_dim: Slot,
    qk_nope_head_dim: Slot,
    v_head_dim: Slot,
}

/// Parses a `config.json` and converts it for its `model_type`.
///
/// ```
/// use roofscale::model::hf_config::{import_hf_config, reference_presets};
/// use roofscale::model::params::param_counts;
///
/// let (name, json) = reference_presets()[0];
/// let model = import_hf_config(json).unwrap();
/// assert_eq!(name, "Qwen2.5-0.5B");
/// assert_eq!(param_counts(&model.arch).total(), 494_032_768);
/// assert!(model.notes.iter().any(|n| n.contains("QKV bias assumed")));
/// ```
pub fn import_hf_config(json: &str) -> Result<ImportedModel, ConfigError> {
    let value: Value = serde_json::from_str(json).map_err(|e| syntax_error(&e))?;
    let top = raw_config(&value, None)?;
    let model_type = Reader {
        raw: &top,
        prefix: "",
    }
    .text(&top.model_type, "model_type")?;
    let mut notes = Vec::new();
    let known = model_type.and_then(|t| FAMILIES.iter().find(|(name, _)| *name == t));
    let family = match known {
        Some(&(_, family)) => family,
        None => {
            llama_like_check(&top, model_type)?;
            notes.push(match model_type {
                Some(t) => format!("model_type {} is not a supported family", quoted(t)),
                None => "model_type absent".to_string(),
            } + ": read as llama-like (gated FFN, bias only if attention_bias, 2 norms per layer)");
            Family::LlamaLike
        }
    };
    let label = model_type.unwrap_or("llama-like");
    // A multimodal Gemma 3 keeps its language model in `text_config`.
    let nested = match top.text_config.value() {
        Some(text) if family == Family::Gemma3 => Some(raw_config(text, Some("text_config"))?),
        _ => None,
    };
    let reader = match &nested {
        Some(raw) => {
            notes.push(format!(
                "{label}: the language model is read from text_config; the vision tower is not \
                 counted"
            ));
            Reader {
                raw,
                prefix: "text_config.",
            }
        }
        None => Reader {
            raw: &top,
            prefix: "",
        },
    };
    let arch = convert(family, label, &reader, &mut notes)?;
    Ok(ImportedModel {
        name_or_path: name_or_path(&top),
        architecture: architecture_class(&top),
        arch,
        notes,
    })
}

/// The reference models of `public/presets/models/` as (display name, `config.json` text),
/// compiled in so the app has them without a fetch. `index.json` there lists the same models with
/// their parameter counts; `tests/hf_import.rs` checks that the two agree with the import.
pub fn reference_presets() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "Qwen2.5-0.5B",
            include_str!("../../public/presets/models/qwen2.5-0.5b.json"),
        ),
        (
            "Llama-3.2-1B",
            include_str!("../../public/presets/models/llama-3.2-1b.json"),
        ),
        (
            "SmolLM2-360M",
            include_str!("../../public/presets/models/smollm2-360m.json"),
        ),
        (
            "Gemma-3-1B",
            include_str!("../../public/presets/models/gemma-3-1b.json"),
        ),
        (
            "MobileLLM-125M",
            include_str!("../../public/presets/models/mobilellm-125m.json"),
        ),
        (
            "PLM-1.8B",
            include_str!("../../public/presets/models/plm-1.8b.json"),
        ),
    ]
}

fn syntax_error(e: &serde_json::Error) -> ConfigError {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    // serde_json appends the position to its message; we report it in our own words.
    let suffix = format!(" at line {line} column {column}");
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    ConfigError::Syntax {
        line,
        column,
        message,
    }
}

/// Reads an object into a [`RawConfig`]; `field` names a nested object in the error.
fn raw_config(value: &Value, field: Option<&str>) -> Result<RawConfig, ConfigError> {
    let not_object = || match field {
        None => ConfigError::NotAnObject {
            found: describe(value),
        },
        Some(f) => ConfigError::Invalid {
            field: f.to_string(),
            expected: "a JSON object".to_string(),
            found: describe(value),
        },
    };
    if !value.is_object() {
        return Err(not_object());
    }
    RawConfig::deserialize(value).map_err(|_| not_object())
}

/// An unknown `model_type` is read as a llama only when nothing a llama needs is missing and
/// nothing it would drop (experts, a latent KV cache) is there.
fn llama_like_check(raw: &RawConfig, model_type: Option<&str>) -> Result<(), ConfigError> {
    let needed = [
        (&raw.vocab_size, "vocab_size"),
        (&raw.hidden_size, "hidden_size"),
        (&raw.num_hidden_layers, "num_hidden_layers"),
        (&raw.num_attention_heads, "num_attention_heads"),
        (&raw.intermediate_size, "intermediate_size"),
    ];
    let foreign = [
        (&raw.num_local_experts, "num_local_experts"),
        (&raw.num_experts, "num_experts"),
        (&raw.n_routed_experts, "n_routed_experts"),
        (&raw.kv_lora_rank, "kv_lora_rank"),
    ];
    let missing: Vec<&str> = needed
        .iter()
        .filter(|(slot, _)| slot.value().is_none())
        .map(|(_, name)| *name)
        .collect();
    let dropped: Vec<&str> = foreign
        .iter()
        .filter(|(slot, _)| slot.value().is_some_and(|v| v.as_u64() != Some(0)))
        .map(|(_, name)| *name)
        .collect();
    let reason = if !missing.is_empty() {
        let verb = if missing.len() == 1 { "is" } else { "are" };
        format!(
            "a llama-like import needs {}, which {verb} missing",
            missing.join(", ")
        )
    } else if !dropped.is_empty() {
        format!("a llama-like import would ignore {}", dropped.join(", "))
    } else {
        return Ok(());
    };
    Err(ConfigError::UnsupportedFamily {
        model_type: model_type.map(str::to_string),
        reason,
    })
}

/// `_name_or_path`, else `name_or_path`; a local path keeps only its last part (a hub id
/// such as "Qwen/Qwen2.5-0.5B" is kept whole).
fn name_or_path(raw: &RawConfig) -> Option<String> {
    let text = |slot: &Slot| {
        slot.value()
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let path = text(&raw.name_or_path).or_else(|| text(&raw.name_or_path_plain))?;
    let local = path.starts_with(['/', '.', '~']) || path.contains('\\') || path.contains(':');
    if local {
        path.rsplit(['/', '\\'])
            .find(|s| !s.is_empty())
            .map(str::to_string)
    } else {
        Some(path)
    }
}

fn architecture_class(raw: &RawConfig) -> Option<String> {
    raw.architectures
        .value()
        .and_then(|v| v.get(0))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl ImportedModel {
    /// The name the page shows: the config's own model name, else the file's name without its
    /// extension, else the architecture class. DECISION: a file called plain `config.json`
    /// (every Hugging Face repository's name for it) says nothing, so it counts as no name.
    pub fn display_name(&self, file_name: Option<&str>) -> String {
        let stem = file_name
            .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f))
            .map(|f| f.rsplit_once('.').map_or(f, |(stem, _)| stem).trim())
            .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("config"));
        self.name_or_path
            .clone()
            .or_else(|| stem.map(str::to_string))
            .or_else(|| self.architecture.clone())
            .unwrap_or_else(|| "imported model".to_string())
    }
}

/// Reads typed fields out of a [`RawConfig`], naming them as the file does (with a
/// `text_config.` prefix inside a multimodal Gemma 3).
struct Reader<'a> {
    raw: &'a RawConfig,
    prefix: &'static str,
}

impl Reader<'_> {
    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    fn invalid(&self, field: &str, expected: impl Into<String>, found: &Value) -> ConfigError {
        ConfigError::Invalid {
            field: self.name(field),
            expected: expected.into(),
            found: describe(found),
        }
    }

    /// An integer of at least `min`, or `None` when absent or `null`.
    fn uint(&self, slot: &Slot, field: &str, min: u32) -> Result<Option<u32>, ConfigError> {
        let Some(v) = slot.value() else {
            return Ok(None);
        };
        let expected = if min == 0 {
            "a non-negative integer"
        } else {
            "a positive integer"
        };
        match v.as_u64() {
            Some(n) if n > u64::from(u32::MAX) => {
                Err(self.invalid(field, format!("{expected} of at most {}", u32::MAX), v))
            }
            Some(n) if n >= u64::from(min) => Ok(Some(n as u32)),
            _ => Err(self.invalid(field, expected, v)),
        }
    }

    fn positive(&self, slot: &Slot, field: &str) -> Result<Option<u32>, ConfigError> {
        self.uint(slot, field, 1)
    }

    fn count(&self, slot: &Slot, field: &str) -> Result<Option<u32>, ConfigError> {
        self.uint(slot, field, 0)
    }

    fn required(&self, slot: &Slot, field: &str) -> Result<u32, ConfigError> {
        self.positive(slot, field)?
            .ok_or_else(|| self.absent(slot, field, "a positive integer"))
    }

    fn required_count(&self, slot: &Slot, field: &str) -> Result<u32, ConfigError> {
        self.count(slot, field)?
            .ok_or_else(|| self.absent(slot, field, "a non-negative integer"))
    }

    /// The error for a required field that is absent or `null`.
    fn absent(&self, slot: &Slot, field: &str, expected: &'static str) -> ConfigError {
        match slot {
            Slot::Given(v) => self.invalid(field, expected, v),
            Slot::Absent => ConfigError::Missing {
                field: self.name(field),
                expected,
            },
        }
    }

    fn flag(&self, slot: &Slot, field: &str) -> Result<Option<bool>, ConfigError> {
        match slot.value() {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.invalid(field, "true or false", v)),
        }
    }

    fn text<'s>(&self, slot: &'s Slot, field: &str) -> Result<Option<&'s str>, ConfigError> {
        match slot.value() {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.invalid(field, "a string", v)),
        }
    }
}

/// The one conversion step: typed fields, family knowledge, then [`Architecture::new`].
fn convert(
    family: Family,
    label: &str,
    r: &Reader,
    notes: &mut Vec<String>,
) -> Result<Architecture, ConfigError> {
    let raw = r.raw;
    let layers = r.required(&raw.num_hidden_layers, "num_hidden_layers")?;
    if layers > MAX_DIM {
        // Checked before the sliding-window pattern, which holds one flag per layer.
        return Err(ConfigError::Architecture {
            field: r.name("num_hidden_layers"),
            source: ArchError {
                field: "layers",
                problem: format!("{layers} is larger than the limit {MAX_DIM}"),
            },
        });
    }
    let hidden = r.required(&raw.hidden_size, "hidden_size")?;
    let vocab = match r.positive(&raw.vocab_size, "vocab_size")? {
        Some(v) => v,
        None if family == Family::Gemma3 && raw.vocab_size.is_absent() => {
            notes.push(format!("vocab_size absent: 262208 (the {label} default)"));
            262_208
        }
        None => return Err(r.absent(&raw.vocab_size, "vocab_size", "a positive integer")),
    };
    let heads = r.required(&raw.num_attention_heads, "num_attention_heads")?;
    let intermediate = r.required(&raw.intermediate_size, "intermediate_size")?;
    let attention = attention(family, label, r, [layers, hidden, heads], notes)?;
    let ffn_kind = ffn_kind(family, label, r, [layers, hidden, intermediate], notes)?;
    let moe = moe(
        family,
        label,
        r,
        [layers, hidden, intermediate],
        ffn_kind,
        notes,
    )?;
    let tied_embeddings = tied(family, label, r, notes)?;
    let sliding_window = sliding_window(family, label, r, layers, notes)?;
    let four_norms = matches!(family, Family::Gemma2 | Family::Gemma3);
    if four_norms {
        notes.push(format!(
            "{label}: 4 norms per layer (before and after attention and FFN)"
        ));
    }
    let spec = ArchSpec {
        layers,
        hidden,
        vocab,
        tied_embeddings,
        attention,
        sliding_window,
        ffn_kind,
        intermediate,
        moe,
        norms_per_layer: if four_norms { 4 } else { 2 },
        final_norm: true,
    };
    let arch = Architecture::new(spec).map_err(|source| ConfigError::Architecture {
        field: r.name(config_field(family, source.field)),
        source,
    })?;
    Ok(arch)
}

fn attention(
    family: Family,
    label: &str,
    r: &Reader,
    [layers, hidden, heads]: [u32; 3],
    notes: &mut Vec<String>,
) -> Result<Attention, ConfigError> {
    let raw = r.raw;
    let bias = r
        .flag(&raw.attention_bias, "attention_bias")?
        .unwrap_or(false);
    if family.is_mla() {
        let kv_lora_rank = r.required(&raw.kv_lora_rank, "kv_lora_rank")?;
        let qk_rope_dim = r.required_count(&raw.qk_rope_head_dim, "qk_rope_head_dim")?;
        let qk_nope_dim = r.required(&raw.qk_nope_head_dim, "qk_nope_head_dim")?;
        let v_head_dim = r.required(&raw.v_head_dim, "v_head_dim")?;
        let q_lora_rank = match r.positive(&raw.q_lora_rank, "q_lora_rank")? {
            Some(rank) => Some(rank),
            // PLM's class defaults to a full-rank query, DeepSeek's to rank 1536.
            None if raw.q_lora_rank.is_absent() && family != Family::Plm => {
                notes.push(format!(
                    "q_lora_rank absent: {DEEPSEEK_Q_LORA_RANK} (the {label} default)"
                ));
                Some(DEEPSEEK_Q_LORA_RANK)
            }
            None => None,
        };
        if bias {
            notes.push("attention_bias: the attention biases are not counted".to_string());
        }
        return Ok(Attention::Mla {
            heads,
            q_lora_rank,
            kv_lora_rank,
            qk_rope_dim,
            qk_nope_dim,
            v_head_dim,
        });
    }
    let kv_heads = match r.positive(&raw.num_key_value_heads, "num_key_value_heads")? {
        Some(k) => k,
        None => {
            notes.push(format!(
                "num_key_value_heads absent: {heads}, one per query head (multi-head attention)"
            ));
            heads
        }
    };
    if !heads.is_multiple_of(kv_heads) {
        return Err(ConfigError::Contradiction {
            field: r.name("num_key_value_heads"),
            problem: format!(
                "{kv_heads} does not divide {} ({heads})",
                r.name("num_attention_heads")
            ),
        });
    }
    let head_dim = match r.positive(&raw.head_dim, "head_dim")? {
        Some(d) => {
            if u64::from(d) * u64::from(heads) != u64::from(hidden) {
                notes.push(format!(
                    "head_dim {d} × {heads} heads differs from hidden_size {hidden}: the \
                     attention projections are rectangular"
                ));
            }
            d
        }
        None => match family.head_dim_default() {
            Some(d) => {
                notes.push(format!("head_dim absent: {d} (the {label} default)"));
                d
            }
            None if hidden.is_multiple_of(heads) => hidden / heads,
            None => {
                return Err(ConfigError::Contradiction {
                    field: r.name("num_attention_heads"),
                    problem: format!(
                        "{heads} does not divide {} ({hidden}), and head_dim is not given",
                        r.name("hidden_size")
                    ),
                })
            }
        },
    };
    let qkv_bias = match family {
        Family::Qwen2 | Family::Qwen2Moe => {
            notes.push(format!(
                "{label}: QKV bias assumed (every {label} model has it)"
            ));
            true
        }
        _ => bias && family.reads_attention_bias(),
    };
    if bias && family.reads_attention_bias() {
        notes.push(format!(
            "attention_bias: the output-projection bias ({} parameters) is not counted",
            group(u128::from(layers) * u128::from(hidden))
        ));
    }
    let qk_norm = matches!(family, Family::Qwen3 | Family::Qwen3Moe | Family::Gemma3);
    if qk_norm {
        notes.push(format!("{label}: RMSNorm on each query and key head"));
    }
    Ok(Attention::Standard {
        heads,
        kv_heads,
        head_dim,
        qkv_bias,
        qk_norm,
    })
}

fn ffn_kind(
    family: Family,
    label: &str,
    r: &Reader,
    [layers, hidden, intermediate]: [u32; 3],
    notes: &mut Vec<String>,
) -> Result<FfnKind, ConfigError> {
    let raw = r.raw;
    // Gemma's classes read `hidden_activation` and keep `hidden_act` only for old configs.
    let gemma_field = family.is_gemma()
        && (raw.hidden_activation.value().is_some() || raw.hidden_act.value().is_none());
    let (slot, field) = if gemma_field {
        (&raw.hidden_activation, "hidden_activation")
    } else {
        (&raw.hidden_act, "hidden_act")
    };
    let plain = family == Family::Plm;
    let expected = if plain {
        format!("relu2 or a gelu variant (the {label} FFN has two matrices)")
    } else {
        format!("silu or a gelu variant (the {label} FFN is gated)")
    };
    let act = match slot.value() {
        Some(Value::String(s)) => s.as_str(),
        Some(v) => return Err(r.invalid(field, expected, v)),
        None => {
            let default = if plain {
                "relu2"
            } else if family.is_gemma() {
                "gelu_pytorch_tanh"
            } else {
                "silu"
            };
            notes.push(format!("{field} absent: {default} (the {label} default)"));
            default
        }
    };
    let kind = match (plain, act) {
        (false, "silu" | "swish" | "swiglu") => FfnKind::SwiGlu,
        (false, a) if a.starts_with("gelu") => FfnKind::GeGlu,
        (true, "relu2") => FfnKind::ReluSquared,
        (true, a) if a.starts_with("gelu") => FfnKind::Gelu,
        _ => {
            return Err(ConfigError::Invalid {
                field: r.name(field),
                expected,
                found: quoted(act),
            })
        }
    };
    let reads_mlp_bias = matches!(
        family,
        Family::Llama | Family::MobileLlm | Family::LlamaLike
    );
    if reads_mlp_bias && r.flag(&raw.mlp_bias, "mlp_bias")? == Some(true) {
        let per_layer = 2 * u128::from(intermediate) + u128::from(hidden);
        notes.push(format!(
            "mlp_bias: the FFN biases ({} parameters) are not counted",
            group(u128::from(layers) * per_layer)
        ));
    }
    Ok(kind)
}

fn moe(
    family: Family,
    label: &str,
    r: &Reader,
    [layers, hidden, intermediate]: [u32; 3],
    ffn_kind: FfnKind,
    notes: &mut Vec<String>,
) -> Result<Option<Moe>, ConfigError> {
    let raw = r.raw;
    match family {
        Family::Mixtral => {
            let experts = r.required(&raw.num_local_experts, "num_local_experts")?;
            Ok(Some(Moe {
                experts,
                active: active_experts(r, experts, "num_local_experts")?,
                // Mixtral's `intermediate_size` is the size of one expert.
                expert_intermediate: intermediate,
                shared_experts: 0,
                shared_intermediate: 0,
            }))
        }
        Family::Qwen2Moe | Family::Qwen3Moe => {
            let experts = r.required_count(&raw.num_experts, "num_experts")?;
            if experts == 0 {
                notes.push("num_experts 0: a dense FFN in every layer".to_string());
                return Ok(None);
            }
            let active = active_experts(r, experts, "num_experts")?;
            let expert_intermediate =
                r.required(&raw.moe_intermediate_size, "moe_intermediate_size")?;
            let mut shared = (0, 0);
            if family == Family::Qwen2Moe {
                let size = r.required_count(
                    &raw.shared_expert_intermediate_size,
                    "shared_expert_intermediate_size",
                )?;
                if size > 0 {
                    shared = (1, size);
                    notes.push(format!(
                        "{label}: one shared expert; its sigmoid gate ({} parameters) is not counted",
                        group(u128::from(layers) * u128::from(hidden))
                    ));
                }
            }
            let step = r
                .positive(&raw.decoder_sparse_step, "decoder_sparse_step")?
                .unwrap_or(1);
            let dense_listed = layer_list(r, &raw.mlp_only_layers, "mlp_only_layers")?;
            if step != 1 || dense_listed > 0 {
                notes.push(format!(
                    "decoder_sparse_step / mlp_only_layers: some layers have a dense FFN \
                     (intermediate_size {intermediate}) in the checkpoint, but every layer is \
                     modelled as MoE"
                ));
            }
            Ok(Some(Moe {
                experts,
                active,
                expert_intermediate,
                shared_experts: shared.0,
                shared_intermediate: shared.1,
            }))
        }
        Family::DeepseekV2 | Family::DeepseekV3 => deepseek_moe(
            family,
            label,
            r,
            [layers, hidden, intermediate],
            ffn_kind,
            notes,
        ),
        _ => Ok(None),
    }
}

fn active_experts(r: &Reader, experts: u32, experts_field: &str) -> Result<u32, ConfigError> {
    let active = r.required(&r.raw.num_experts_per_tok, "num_experts_per_tok")?;
    if active > experts {
        return Err(ConfigError::Contradiction {
            field: r.name("num_experts_per_tok"),
            problem: format!(
                "{active} is more than {} ({experts})",
                r.name(experts_field)
            ),
        });
    }
    Ok(active)
}

/// Length of a list of layer indices, checking each is one.
fn layer_list(r: &Reader, slot: &Slot, field: &str) -> Result<usize, ConfigError> {
    let Some(v) = slot.value() else {
        return Ok(0);
    };
    let Value::Array(items) = v else {
        return Err(r.invalid(field, "an array of layer indices", v));
    };
    for (i, item) in items.iter().enumerate() {
        if item.as_u64().is_none() {
            return Err(r.invalid(
                &format!("{field}[{i}]"),
                "a layer index (a non-negative integer)",
                item,
            ));
        }
    }
    Ok(items.len())
}

/// DeepSeek's MoE: routed plus shared experts of one size, the first layers dense.
fn deepseek_moe(
    family: Family,
    label: &str,
    r: &Reader,
    [layers, hidden, intermediate]: [u32; 3],
    ffn_kind: FfnKind,
    notes: &mut Vec<String>,
) -> Result<Option<Moe>, ConfigError> {
    let raw = r.raw;
    let experts = match r.count(&raw.n_routed_experts, "n_routed_experts")? {
        Some(e) if e > 0 => e,
        _ => {
            notes.push("n_routed_experts absent: a dense FFN in every layer".to_string());
            return Ok(None);
        }
    };
    let active = active_experts(r, experts, "n_routed_experts")?;
    let expert_intermediate = r.required(&raw.moe_intermediate_size, "moe_intermediate_size")?;
    let shared_experts = match r.count(&raw.n_shared_experts, "n_shared_experts")? {
        Some(n) => n,
        None if family == Family::DeepseekV3 && raw.n_shared_experts.is_absent() => {
            notes.push(format!("n_shared_experts absent: 1 (the {label} default)"));
            1
        }
        None => 0,
    };
    let first_dense = r
        .count(&raw.first_k_dense_replace, "first_k_dense_replace")?
        .unwrap_or(0);
    if first_dense > layers {
        return Err(ConfigError::Contradiction {
            field: r.name("first_k_dense_replace"),
            problem: format!(
                "{first_dense} dense layers are more than {} ({layers})",
                r.name("num_hidden_layers")
            ),
        });
    }
    if first_dense == layers {
        notes.push(format!(
            "first_k_dense_replace {layers}: a dense FFN in every layer"
        ));
        return Ok(None);
    }
    if first_dense > 0 {
        // What modelling the dense layers as MoE adds: routed and shared experts and the router,
        // minus the dense FFN. Saturating: the sizes are not validated yet.
        let (d, m) = (i128::from(hidden), i128::from(ffn_kind.matrices()));
        let moe_ffn = (i128::from(experts) + i128::from(shared_experts))
            .saturating_mul(m * d * i128::from(expert_intermediate))
            .saturating_add(d * i128::from(experts));
        let extra = i128::from(first_dense)
            .saturating_mul(moe_ffn.saturating_sub(m * d * i128::from(intermediate)));
        let which = if first_dense == 1 {
            "the first layer has".to_string()
        } else {
            format!("the first {first_dense} layers have")
        };
        let more = if extra >= 0 { "more" } else { "fewer" };
        notes.push(format!(
            "first_k_dense_replace: {which} a dense FFN (intermediate_size {intermediate}) in the \
             checkpoint but every layer is modelled as MoE, which counts {} {more} parameters \
             than the checkpoint",
            group(extra.unsigned_abs())
        ));
    }
    let freq = r
        .positive(&raw.moe_layer_freq, "moe_layer_freq")?
        .unwrap_or(1);
    if freq != 1 {
        notes.push(format!(
            "moe_layer_freq {freq}: only every {} layer is MoE in the checkpoint, but every layer \
             is modelled as MoE",
            ordinal(freq)
        ));
    }
    if family == Family::DeepseekV3 {
        let moe_layers = u128::from(layers - first_dense);
        notes.push(format!(
            "{label}: the router's per-expert score bias ({} parameters) is not counted",
            group(moe_layers * u128::from(experts))
        ));
    }
    if r.count(&raw.num_nextn_predict_layers, "num_nextn_predict_layers")?
        .is_some_and(|n| n > 0)
    {
        notes.push(
            "num_nextn_predict_layers: the multi-token-prediction layers are not counted"
                .to_string(),
        );
    }
    Ok(Some(Moe {
        experts,
        active,
        expert_intermediate,
        shared_experts,
        shared_intermediate: if shared_experts > 0 {
            expert_intermediate
        } else {
            0
        },
    }))
}

fn tied(
    family: Family,
    label: &str,
    r: &Reader,
    notes: &mut Vec<String>,
) -> Result<bool, ConfigError> {
    let raw = r.raw;
    if let Some(t) = r.flag(&raw.tie_word_embeddings, "tie_word_embeddings")? {
        return Ok(t);
    }
    if family == Family::MobileLlm {
        if let Some(s) = r.flag(&raw.share_embedding, "share_embedding")? {
            return Ok(s);
        }
    }
    let t = family.tied_default();
    let how = if t { "tied" } else { "untied" };
    notes.push(format!("{label}: embeddings {how} by default"));
    Ok(t)
}

/// Which layers attend through a window, from `layer_types` or the family's rule, reduced to
/// [`SlidingWindow`] (every `global_every`-th layer global).
fn sliding_window(
    family: Family,
    label: &str,
    r: &Reader,
    layers: u32,
    notes: &mut Vec<String>,
) -> Result<Option<SlidingWindow>, ConfigError> {
    let raw = r.raw;
    let n = layers as usize;
    let listed = raw.layer_types.value();
    let local: Vec<bool> = match (listed, family) {
        (Some(types), _) => layer_types(r, types, layers)?,
        // Gemma 2 alternates, starting with a local layer.
        (None, Family::Gemma2) => (0..n).map(|i| i.is_multiple_of(2)).collect(),
        (None, Family::Gemma3) => {
            let pattern = match r.positive(&raw.sliding_window_pattern, "sliding_window_pattern")? {
                Some(p) => p as usize,
                None => {
                    notes.push(format!(
                        "sliding_window_pattern absent: 6 (the {label} default)"
                    ));
                    6
                }
            };
            (0..n).map(|i| !(i + 1).is_multiple_of(pattern)).collect()
        }
        (None, Family::Mistral | Family::Mixtral) => vec![true; n],
        (None, Family::Qwen2 | Family::Qwen2Moe | Family::Qwen3 | Family::Qwen3Moe) => {
            if r.flag(&raw.use_sliding_window, "use_sliding_window")? != Some(true) {
                return Ok(None);
            }
            // Layers from `max_window_layers` on use the window.
            let first = match r.count(&raw.max_window_layers, "max_window_layers")? {
                Some(m) => m as usize,
                None => {
                    notes.push(format!(
                        "max_window_layers absent: 28 (the {label} default)"
                    ));
                    28
                }
            };
            (0..n).map(|i| i >= first).collect()
        }
        (None, _) => return Ok(None),
    };
    let locals = local.iter().filter(|&&l| l).count();
    if locals == 0 {
        return Ok(None);
    }
    let window = match r.positive(&raw.sliding_window, "sliding_window")? {
        Some(w) => w,
        None => match family.window_default() {
            Some(w) if raw.sliding_window.is_absent() => {
                notes.push(format!("sliding_window absent: {w} (the {label} default)"));
                w
            }
            _ if listed.is_some() => {
                return Err(ConfigError::Contradiction {
                    field: r.name("sliding_window"),
                    problem: format!(
                        "{locals} layers are sliding_attention in layer_types, but no window \
                         size is given"
                    ),
                })
            }
            // An explicit `null` (Mistral v0.2 on, Mixtral): full attention everywhere.
            _ => return Ok(None),
        },
    };
    if locals == n {
        notes.push(format!(
            "sliding window of {window} tokens on all {layers} layers"
        ));
        return Ok(Some(SlidingWindow {
            window,
            global_every: NO_GLOBAL_LAYER,
        }));
    }
    // The first global layer fixes the period, if the layers follow one.
    let period = local.iter().position(|&l| !l).map_or(n, |i| i + 1);
    let periodic = local
        .iter()
        .enumerate()
        .all(|(i, &l)| l != (i + 1).is_multiple_of(period));
    let global_every = if periodic {
        notes.push(format!(
            "sliding window of {window} tokens on {locals} of {layers} layers ({} is global)",
            every(period as u32)
        ));
        period as u32
    } else {
        let spaced = (n / (n - locals)) as u32;
        notes.push(format!(
            "sliding window of {window} tokens on {locals} of {layers} layers at irregular \
             positions; modelled as {} global ({} global layers)",
            every(spaced),
            layers / spaced
        ));
        spaced
    };
    Ok(Some(SlidingWindow {
        window,
        global_every,
    }))
}

/// `layer_types` (newer Hugging Face configs): one entry per layer, true where local.
fn layer_types(r: &Reader, types: &Value, layers: u32) -> Result<Vec<bool>, ConfigError> {
    let field = "layer_types";
    let Value::Array(items) = types else {
        return Err(r.invalid(
            field,
            "an array of \"full_attention\" or \"sliding_attention\"",
            types,
        ));
    };
    if items.len() != layers as usize {
        return Err(ConfigError::Contradiction {
            field: r.name(field),
            problem: format!(
                "has {} entries, but {} is {layers}",
                items.len(),
                r.name("num_hidden_layers")
            ),
        });
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item.as_str() {
            Some("sliding_attention") => Ok(true),
            Some("full_attention") => Ok(false),
            _ => Err(r.invalid(
                &format!("{field}[{i}]"),
                "\"full_attention\" or \"sliding_attention\"",
                item,
            )),
        })
        .collect()
}

/// The config field behind an [`ArchError`] field, so the user sees a name from their file.
fn config_field(family: Family, arch_field: &'static str) -> &'static str {
    match arch_field {
        "layers" => "num_hidden_layers",
        "hidden" => "hidden_size",
        "vocab" => "vocab_size",
        "intermediate" => "intermediate_size",
        "heads" => "num_attention_heads",
        "kv_heads" => "num_key_value_heads",
        "qk_nope_dim" => "qk_nope_head_dim",
        "experts" => family.experts_field(),
        "active_experts" => "num_experts_per_tok",
        "expert_intermediate" if family == Family::Mixtral => "intermediate_size",
        "shared_intermediate" if family == Family::Qwen2Moe => "shared_expert_intermediate_size",
        "expert_intermediate" | "shared_intermediate" => "moe_intermediate_size",
        other => other,
    }
}

/// A found value as a message shows it: scalars as JSON (strings quoted, cut at 40 characters),
/// containers by kind.
fn describe(v: &Value) -> String {
    match v {
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
        Value::String(s) => quoted(s),
        other => other.to_string(),
    }
}

fn quoted(s: &str) -> String {
    const LIMIT: usize = 40;
    if s.chars().count() > LIMIT {
        let cut: String = s.chars().take(LIMIT).collect();
        format!("{}…", Value::String(cut))
    } else {
        Value::String(s.to_string()).to_string()
    }
}

/// 49152 → "49,152".
fn group(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "every 6th layer", or "every layer" for a period of 1.
fn every(period: u32) -> String {
    if period == 1 {
        "every layer".to_string()
    } else {
        format!("every {} layer", ordinal(period))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_way_notes_print_them() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(49_152), "49,152");
        assert_eq!(group(503_840_768), "503,840,768");
        let ordinals: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 102, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            ordinals,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "102nd",
                "111th"
            ]
        );
        assert_eq!(every(1), "every layer");
        assert_eq!(every(6), "every 6th layer");
    }

    #[test]
    fn long_strings_are_cut_in_messages() {
        let long = "x".repeat(100);
        assert_eq!(quoted(&long), format!("\"{}\"…", "x".repeat(40)));
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
        assert_eq!(describe(&serde_json::json!([1])), "an array");
    }
}
