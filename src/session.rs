//! A whole working session as one value: what the page restores from local storage, from a
//! shared URL or from a downloaded JSON file. Everything is re-validated on the way in (each
//! part through its own constructor), so a corrupt or hand-edited file is reported, never
//! half-applied.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::model::arch::{ArchSpec, Architecture};
use crate::model::device::{Device, DeviceSpec};
use crate::model::fit::{Concern, DataRange};
use crate::model::law::Law;
use crate::model::loss_csv::{parse_loss_csv, ColumnMapping, LossTable};
use crate::model::precision::Precision;
use crate::model::search::{BudgetBasis, Constraints, LatencyBudget, SearchSettings};
use crate::model::search::{Objective, SearchSpace, SearchSpaceSpec};
use crate::model::workload::{Workload, WorkloadSpec};

/// Format version written into every session; older or newer versions are refused by name.
pub const SESSION_VERSION: u32 = 1;

/// Largest session text accepted (a URL or a file); far above any real session.
pub const MAX_SESSION_BYTES: usize = 2 * 1024 * 1024;

/// A model the user imported, kept by name with its validated shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    pub name: String,
    pub arch: ArchSpec,
}

/// Everything a user chose. Presets are referred to by name; uploads are stored whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    /// Devices the user uploaded or calibrated (presets are built in).
    #[serde(default)]
    pub custom_devices: Vec<DeviceSpec>,
    /// Name of the selected device.
    pub device: String,
    /// Models the user imported (presets are built in).
    #[serde(default)]
    pub custom_models: Vec<SavedModel>,
    /// Name of the selected reference model.
    pub model: String,
    pub precision: Precision,
    pub workload: WorkloadSpec,
    pub law: Law,
    pub law_source: String,
    pub space: SearchSpaceSpec,
    pub precisions: Vec<Precision>,
    pub objective: Objective,
    /// Budget of version-1 sessions written before budgets had a basis: seconds on
    /// `objective`. Read only when `budget` is absent; never written.
    #[serde(default, skip_serializing)]
    pub budget_s: Option<f64>,
    /// The latency budget as stated (per token, decode, first token or total).
    #[serde(default)]
    pub budget: Option<LatencyBudget>,
    /// Total-parameter range of the designs shown (either end optional).
    #[serde(default)]
    pub param_range: (Option<f64>, Option<f64>),
    /// Pinned designs, as candidate indices in `space`.
    #[serde(default)]
    pub pins: Vec<u64>,
    /// The loss file loaded for fitting, whole, with the column mapping the user chose.
    #[serde(default)]
    pub loss_data: Option<SavedLossData>,
    /// D, training tokens per candidate for laws that read it.
    #[serde(default = "default_training_tokens")]
    pub training_tokens: f64,
    /// What the fit of the law in use left doubtful, and its data's ranges.
    #[serde(default)]
    pub law_concerns: Vec<Concern>,
    #[serde(default)]
    pub law_ranges: Vec<DataRange>,
    /// Reference models pinned, and drawn on the frontier besides the selected one (names).
    #[serde(default)]
    pub ref_pins: Vec<String>,
    #[serde(default)]
    pub chart_refs: Vec<String>,
}

fn default_training_tokens() -> f64 {
    SearchSettings::default().training_tokens()
}

/// A loaded loss file as stored: re-parsed on the way in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedLossData {
    pub file_name: String,
    pub text: String,
    #[serde(default)]
    pub mapping: ColumnMapping,
}

/// Why a session was refused; names the part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionError(pub String);

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SessionError {}

/// A session whose every part passed its constructor.
#[derive(Clone, Debug)]
pub struct ValidSession {
    pub session: Session,
    /// The budget in use: `budget`, else a version-1 `budget_s` on the session's objective.
    pub budget: Option<LatencyBudget>,
    pub loss_table: Option<LossTable>,
    pub custom_devices: Vec<Device>,
    pub custom_models: Vec<(String, Architecture)>,
    pub workload: Workload,
    pub space: SearchSpace,
    /// The search settings (training tokens) the session states.
    pub settings: SearchSettings,
    /// The session's parameter range as constraints (no budget: that is `budget`).
    pub param_constraints: Constraints,
}

impl Session {
    /// Checks every part; the message names the part and the problem.
    pub fn validate(self) -> Result<ValidSession, SessionError> {
        let bad = |part: &str, e: &dyn fmt::Display| SessionError(format!("session: {part}: {e}"));
        if self.version != SESSION_VERSION {
            return Err(SessionError(format!(
                "session: version {} is not supported (this page reads version {SESSION_VERSION})",
                self.version
            )));
        }
        let custom_devices = self
            .custom_devices
            .iter()
            .map(|d| Device::new(d.clone()).map_err(|e| bad(&format!("device \"{}\"", d.name), &e)))
            .collect::<Result<Vec<_>, _>>()?;
        let custom_models = self
            .custom_models
            .iter()
            .map(|m| {
                Architecture::new(m.arch.clone())
                    .map(|a| (m.name.clone(), a))
                    .map_err(|e| bad(&format!("model \"{}\"", m.name), &e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let workload = Workload::new(self.workload).map_err(|e| bad("workload", &e))?;
        let space = SearchSpace::new(self.space.clone()).map_err(|e| bad("search space", &e))?;
        if self.precisions.is_empty() || self.precisions.len() > 8 {
            return Err(SessionError(
                "session: precisions: between 1 and 8 are needed".into(),
            ));
        }
        if let Some(b) = self.budget_s {
            if !(b.is_finite() && b > 0.0) {
                return Err(SessionError(format!(
                    "session: budget: {b} is not a positive number of seconds"
                )));
            }
        }
        let budget = match (self.budget, self.budget_s) {
            (Some(b), _) => {
                Some(LatencyBudget::new(b.basis(), b.ms()).map_err(|e| bad("budget", &e))?)
            }
            (None, Some(s)) => Some(
                LatencyBudget::new(BudgetBasis::for_objective(self.objective), s * 1e3)
                    .map_err(|e| bad("budget", &e))?,
            ),
            (None, None) => None,
        };
        let settings = SearchSettings::default()
            .with_training_tokens(self.training_tokens)
            .map_err(|e| bad("training tokens", &e))?;
        let (lo, hi) = self.param_range;
        let param_constraints = Constraints::default()
            .with_param_range(lo, hi)
            .map_err(|e| bad("parameter range", &e))?;
        let loss_table = self
            .loss_data
            .as_ref()
            .map(|d| {
                parse_loss_csv(&d.file_name, &d.text, Some(&d.mapping))
                    .map_err(|e| bad("loss file", &e))
            })
            .transpose()?;
        if let Some(p) = self.pins.iter().find(|p| **p >= space.count()) {
            return Err(SessionError(format!(
                "session: pinned design {p} is outside the search space"
            )));
        }
        if self.pins.len() > 4 || self.ref_pins.len() > 4 {
            return Err(SessionError("session: at most 4 pinned designs".into()));
        }
        Ok(ValidSession {
            session: self,
            budget,
            loss_table,
            custom_devices,
            custom_models,
            workload,
            space,
            settings,
            param_constraints,
        })
    }

    /// The devices a session restores: the presets, each replaced by a saved device of the
    /// same name (a preset the user changed, e.g. to measured bandwidth), then the other saved
    /// devices; and the index of the selected one (0 when its name is unknown).
    pub fn merge_devices(
        presets: Vec<Device>,
        saved: Vec<Device>,
        selected: &str,
    ) -> (Vec<Device>, usize) {
        let mut list = presets;
        for d in saved {
            match list.iter().position(|p| p.name() == d.name()) {
                Some(i) => list[i] = d,
                None => list.push(d),
            }
        }
        let index = list.iter().position(|d| d.name() == selected).unwrap_or(0);
        (list, index)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a session file; `origin` names it in messages ("session.json", "the link").
    pub fn from_json(origin: &str, text: &str) -> Result<ValidSession, SessionError> {
        if text.len() > MAX_SESSION_BYTES {
            return Err(SessionError(format!(
                "{origin}: {} bytes is larger than the limit of {MAX_SESSION_BYTES}",
                text.len()
            )));
        }
        let s: Session =
            serde_json::from_str(text).map_err(|e| SessionError(format!("{origin}: {e}")))?;
        s.validate()
            .map_err(|e| SessionError(format!("{origin}: {}", e.0)))
    }

    /// The session as a URL fragment value: base64url of its JSON (compact, no padding).
    pub fn to_url_fragment(&self) -> String {
        use base64::Engine;
        let json = serde_json::to_string(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads [`Session::to_url_fragment`]'s output.
    pub fn from_url_fragment(fragment: &str) -> Result<ValidSession, SessionError> {
        use base64::Engine;
        if fragment.len() > MAX_SESSION_BYTES {
            return Err(SessionError("the link: too long to be a session".into()));
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(fragment.trim())
            .map_err(|e| SessionError(format!("the link: not a session ({e})")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| SessionError("the link: not a session (not UTF-8)".into()))?;
        Session::from_json("the link", &text)
    }
}
