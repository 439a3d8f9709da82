//! What the model is asked to do: batch, prompt and generated tokens (method.md §1, §3), which
//! operators the roofline counts, and the activation sparsity of ReLU² FFNs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Operators the roofline counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorSet {
    /// Only the paper's operators: projections, attention, FFN (method.md §3), to reproduce it.
    Paper,
    /// Also embedding lookup, LM head, norms, RoPE, router, FFN activation and residual adds
    /// (DECISION of method.md §3: they matter for small models with large vocabularies).
    #[default]
    Full,
}

/// A workload as a user or a URL gives it, before validation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadSpec {
    /// Sequences processed together, B.
    pub batch: u32,
    /// Prompt tokens per sequence, S_in.
    pub prompt_tokens: u32,
    /// Generated tokens per sequence, S_out (0: prefill only).
    pub generated_tokens: u32,
    #[serde(default)]
    pub operators: OperatorSet,
    /// Fraction of ReLU² FFN activations that are zero, in [0, 1): decode skips that fraction
    /// of the down-projection weights (method.md §3, PLM). Ignored for other FFNs.
    #[serde(default)]
    pub activation_sparsity: f64,
    /// Attention runs as one fused kernel (FlashAttention; llama.cpp `-fa`, vLLM,
    /// TensorRT-LLM): the score matrix is never written to or read from memory (method.md
    /// §3). Off by default, as in the paper.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fused_attention: bool,
}

impl Default for WorkloadSpec {
    /// The paper's workload: B = 1, S_in = 1024, S_out = 16 (method.md §3), all operators.
    fn default() -> Self {
        WorkloadSpec {
            batch: 1,
            prompt_tokens: 1024,
            generated_tokens: 16,
            operators: OperatorSet::Full,
            activation_sparsity: 0.0,
            fused_attention: false,
        }
    }
}

/// Largest prompt or generation length accepted (2^20 tokens).
pub const MAX_TOKENS: u32 = 1 << 20;
/// Largest batch accepted.
pub const MAX_BATCH: u32 = 1 << 16;

/// Why a [`WorkloadSpec`] was refused; the message names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadError {
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for WorkloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for WorkloadError {}

fn err(field: &'static str, problem: impl Into<String>) -> WorkloadError {
    WorkloadError {
        field,
        problem: problem.into(),
    }
}

fn at_most(field: &'static str, v: u32, limit: u32) -> Result<(), WorkloadError> {
    if v > limit {
        return Err(err(field, format!("{v} is larger than the limit {limit}")));
    }
    Ok(())
}

/// A validated workload. Construct with [`Workload::new`]; the default is the paper's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Workload(WorkloadSpec);

impl Workload {
    /// Checks batch ≥ 1 and prompt ≥ 1 (a decode step needs a context), lengths at most
    /// [`MAX_TOKENS`], batch at most [`MAX_BATCH`], sparsity in [0, 1).
    pub fn new(spec: WorkloadSpec) -> Result<Self, WorkloadError> {
        if spec.batch == 0 {
            return Err(err("batch", "must be at least 1"));
        }
        at_most("batch", spec.batch, MAX_BATCH)?;
        if spec.prompt_tokens == 0 {
            return Err(err("prompt_tokens", "must be at least 1"));
        }
        at_most("prompt_tokens", spec.prompt_tokens, MAX_TOKENS)?;
        at_most("generated_tokens", spec.generated_tokens, MAX_TOKENS)?;
        let s = spec.activation_sparsity;
        if !(0.0..1.0).contains(&s) {
            return Err(err(
                "activation_sparsity",
                format!("must be in [0, 1), got {s}"),
            ));
        }
        Ok(Workload(spec))
    }

    /// The paper's workload (B = 1, S_in = 1024, S_out = 16) with the given operator set.
    pub fn paper(operators: OperatorSet) -> Self {
        Workload(WorkloadSpec {
            operators,
            ..WorkloadSpec::default()
        })
    }

    pub fn spec(&self) -> &WorkloadSpec {
        &self.0
    }

    pub fn batch(&self) -> u32 {
        self.0.batch
    }

    pub fn prompt_tokens(&self) -> u32 {
        self.0.prompt_tokens
    }

    pub fn generated_tokens(&self) -> u32 {
        self.0.generated_tokens
    }

    pub fn operators(&self) -> OperatorSet {
        self.0.operators
    }

    pub fn activation_sparsity(&self) -> f64 {
        self.0.activation_sparsity
    }

    /// Whether attention is fused (no score matrix in memory).
    pub fn fused_attention(&self) -> bool {
        self.0.fused_attention
    }

    /// The same workload with attention fused or not.
    pub fn with_fused_attention(mut self, fused: bool) -> Workload {
        self.0.fused_attention = fused;
        self
    }

    /// Context of the last decode step, S_in + S_out (method.md §3: step t sees S_in + t).
    pub fn final_context(&self) -> u64 {
        self.0.prompt_tokens as u64 + self.0.generated_tokens as u64
    }
}

impl<'de> Deserialize<'de> for Workload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Workload::new(WorkloadSpec::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
