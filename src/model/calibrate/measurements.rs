//! One measured run: the raw record and its validation.
//!
//! As elsewhere in the core, a raw [`MeasurementSpec`] (serde, public fields) becomes a
//! [`Measurement`] only through [`Measurement::new`], so the fit never re-checks.

use crate::model::arch::{ArchError, ArchSpec, Architecture};
use crate::model::precision::Precision;
use crate::model::workload::{Workload, WorkloadError, WorkloadSpec};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Shortest and longest measured time accepted, seconds: beyond them a unit is wrong.
pub const MIN_TIME_S: f64 = 1e-9;
pub const MAX_TIME_S: f64 = 1e7;

/// One measured run as a file or a form gives it, times in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasurementSpec {
    /// Line in the file it came from (1-based); 0 when it did not come from a file.
    #[serde(default)]
    pub line: usize,
    /// Device the run was measured on, when the file says.
    #[serde(default)]
    pub device: Option<String>,
    /// A preset name, or a label for an architecture given by its fields.
    pub model: String,
    pub arch: ArchSpec,
    pub precision: Precision,
    pub workload: WorkloadSpec,
    /// Time of the prefill (one pass over the prompt).
    #[serde(default)]
    pub prefill_s: Option<f64>,
    /// Time of the S_out decode steps together.
    #[serde(default)]
    pub decode_s: Option<f64>,
}

/// Why a [`MeasurementSpec`] was refused; `field` names the spec field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasurementError {
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for MeasurementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for MeasurementError {}

impl From<ArchError> for MeasurementError {
    fn from(e: ArchError) -> Self {
        MeasurementError {
            field: e.field,
            problem: e.problem,
        }
    }
}

impl From<WorkloadError> for MeasurementError {
    fn from(e: WorkloadError) -> Self {
        MeasurementError {
            field: e.field,
            problem: e.problem,
        }
    }
}

/// A validated measurement. Construct with [`Measurement::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MeasurementSpec", into = "MeasurementSpec")]
pub struct Measurement {
    spec: MeasurementSpec,
    arch: Architecture,
    workload: Workload,
}

fn check_time(field: &'static str, t: Option<f64>) -> Result<(), MeasurementError> {
    match t {
        Some(t) if !(MIN_TIME_S..=MAX_TIME_S).contains(&t) => Err(MeasurementError {
            field,
            problem: format!(
                "{t:e} s is outside the accepted range {MIN_TIME_S:e} to {MAX_TIME_S:e} s"
            ),
        }),
        _ => Ok(()),
    }
}

impl Measurement {
    /// Validates the architecture and the workload, and the times: at least one given, each
    /// between [`MIN_TIME_S`] and [`MAX_TIME_S`]; a decode time needs a generated token.
    pub fn new(spec: MeasurementSpec) -> Result<Self, MeasurementError> {
        let arch = Architecture::new(spec.arch.clone())?;
        let workload = Workload::new(spec.workload)?;
        check_time("prefill_s", spec.prefill_s)?;
        check_time("decode_s", spec.decode_s)?;
        if spec.prefill_s.is_none() && spec.decode_s.is_none() {
            return Err(MeasurementError {
                field: "prefill_s",
                problem: "no time measured: give the prefill or the decode time".to_string(),
            });
        }
        if spec.decode_s.is_some() && workload.generated_tokens() == 0 {
            return Err(MeasurementError {
                field: "generated_tokens",
                problem: "a decode time needs at least 1 generated token".to_string(),
            });
        }
        Ok(Measurement {
            spec,
            arch,
            workload,
        })
    }

    pub fn spec(&self) -> &MeasurementSpec {
        &self.spec
    }

    pub fn arch(&self) -> &Architecture {
        &self.arch
    }

    pub fn workload(&self) -> &Workload {
        &self.workload
    }

    pub fn precision(&self) -> Precision {
        self.spec.precision
    }

    pub fn line(&self) -> usize {
        self.spec.line
    }

    pub fn prefill_s(&self) -> Option<f64> {
        self.spec.prefill_s
    }

    pub fn decode_s(&self) -> Option<f64> {
        self.spec.decode_s
    }

    /// "Qwen2.5-0.5B, FP16, B=1, 512→128": what a table row shows.
    pub fn label(&self) -> String {
        let w = &self.workload;
        format!(
            "{}, {}, B={}, {}→{}",
            self.spec.model,
            self.spec.precision,
            w.batch(),
            w.prompt_tokens(),
            w.generated_tokens()
        )
    }
}

impl TryFrom<MeasurementSpec> for Measurement {
    type Error = MeasurementError;
    fn try_from(spec: MeasurementSpec) -> Result<Self, Self::Error> {
        Measurement::new(spec)
    }
}

impl From<Measurement> for MeasurementSpec {
    fn from(m: Measurement) -> Self {
        m.spec
    }
}
