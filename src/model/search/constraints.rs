//! Limits a design must meet to count: memory, parameters, latency budgets, and the paper's
//! application budgets (method.md §4). Applied when frontiers are drawn, not while evaluating.

use super::eval::{Candidate, Metrics, Objective};
use super::{positive_finite, setting, SearchError};
use serde::{Deserialize, Serialize};

/// Limits a design must meet to be on a frontier: memory (weights + KV cache), parameter
/// range and latency budgets. Every limit is inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ConstraintsSpec", into = "ConstraintsSpec")]
pub struct Constraints {
    max_memory_bytes: Option<f64>,
    min_params: Option<f64>,
    max_params: Option<f64>,
    max_prefill_s: Option<f64>,
    max_decode_s: Option<f64>,
    max_total_s: Option<f64>,
}

/// [`Constraints`] as stored; `None` is no limit (memory: the device's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConstraintsSpec {
    #[serde(default)]
    pub max_memory_bytes: Option<f64>,
    #[serde(default)]
    pub min_params: Option<f64>,
    #[serde(default)]
    pub max_params: Option<f64>,
    #[serde(default)]
    pub max_prefill_s: Option<f64>,
    #[serde(default)]
    pub max_decode_s: Option<f64>,
    #[serde(default)]
    pub max_total_s: Option<f64>,
}

impl TryFrom<ConstraintsSpec> for Constraints {
    type Error = SearchError;
    fn try_from(s: ConstraintsSpec) -> Result<Self, SearchError> {
        let mut c = Constraints::default()
            .with_max_memory_bytes(s.max_memory_bytes)?
            .with_param_range(s.min_params, s.max_params)?;
        for (objective, budget) in [
            (Objective::Prefill, s.max_prefill_s),
            (Objective::Decode, s.max_decode_s),
            (Objective::Total, s.max_total_s),
        ] {
            c = c.with_budget(objective, budget)?;
        }
        Ok(c)
    }
}

impl From<Constraints> for ConstraintsSpec {
    fn from(c: Constraints) -> Self {
        ConstraintsSpec {
            max_memory_bytes: c.max_memory_bytes,
            min_params: c.min_params,
            max_params: c.max_params,
            max_prefill_s: c.max_prefill_s,
            max_decode_s: c.max_decode_s,
            max_total_s: c.max_total_s,
        }
    }
}

fn optional(field: &'static str, v: Option<f64>) -> Result<Option<f64>, SearchError> {
    v.map(|v| positive_finite(field, v)).transpose()
}

impl Constraints {
    /// Memory limit for weights + KV cache; `None`: the device's memory.
    pub fn with_max_memory_bytes(self, bytes: Option<f64>) -> Result<Self, SearchError> {
        Ok(Constraints {
            max_memory_bytes: optional("max_memory_bytes", bytes)?,
            ..self
        })
    }

    /// Total parameters within [min, max] (either side optional).
    pub fn with_param_range(self, min: Option<f64>, max: Option<f64>) -> Result<Self, SearchError> {
        let (min, max) = (optional("min_params", min)?, optional("max_params", max)?);
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(setting(
                    "min_params",
                    format!("{lo:e} is above the maximum {hi:e}"),
                ));
            }
        }
        Ok(Constraints {
            min_params: min,
            max_params: max,
            ..self
        })
    }

    /// Latency budget (seconds) of one objective; `None` removes it.
    pub fn with_budget(
        self,
        objective: Objective,
        seconds: Option<f64>,
    ) -> Result<Self, SearchError> {
        let mut c = self;
        match objective {
            Objective::Prefill => c.max_prefill_s = optional("max_prefill_s", seconds)?,
            Objective::Decode => c.max_decode_s = optional("max_decode_s", seconds)?,
            Objective::Total => c.max_total_s = optional("max_total_s", seconds)?,
        }
        Ok(c)
    }

    /// The budget of an application preset, nothing else.
    pub fn for_application(app: &ApplicationBudget) -> Constraints {
        Constraints::default()
            .with_budget(app.objective, Some(app.seconds))
            .expect("presets are positive")
    }

    pub fn max_memory_bytes(&self) -> Option<f64> {
        self.max_memory_bytes
    }

    pub fn param_range(&self) -> (Option<f64>, Option<f64>) {
        (self.min_params, self.max_params)
    }

    pub fn budget(&self, objective: Objective) -> Option<f64> {
        match objective {
            Objective::Prefill => self.max_prefill_s,
            Objective::Decode => self.max_decode_s,
            Objective::Total => self.max_total_s,
        }
    }

    /// Whether a candidate meets every limit; `device_memory` stands in when no memory limit
    /// is set.
    /// The limits as exact bit patterns (`None` as a NaN no validated limit can be), for
    /// caching results per set of constraints.
    pub fn key(&self) -> [u64; 6] {
        [
            self.max_memory_bytes,
            self.min_params,
            self.max_params,
            self.max_prefill_s,
            self.max_decode_s,
            self.max_total_s,
        ]
        .map(|v| v.map_or(u64::MAX, f64::to_bits))
    }

    pub fn admits(&self, c: &Candidate, m: &Metrics, device_memory: f64) -> bool {
        let params = c.params_total as f64;
        m.memory_bytes as f64 <= self.max_memory_bytes.unwrap_or(device_memory)
            && self.min_params.is_none_or(|lo| params >= lo)
            && self.max_params.is_none_or(|hi| params <= hi)
            && Objective::ALL
                .iter()
                .all(|&o| self.budget(o).is_none_or(|b| m.latency(o) <= b))
    }
}

/// A latency budget of one of the paper's applications (method.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ApplicationBudget {
    pub name: &'static str,
    pub objective: Objective,
    pub seconds: f64,
}

/// The paper's application budgets: embodied AI < 20 ms decode; autonomous driving < 100 ms
/// total; smart home < 500 ms total; private serving < 2 s total.
pub const APPLICATION_BUDGETS: [ApplicationBudget; 4] = [
    ApplicationBudget {
        name: "Embodied AI",
        objective: Objective::Decode,
        seconds: 0.020,
    },
    ApplicationBudget {
        name: "Autonomous driving",
        objective: Objective::Total,
        seconds: 0.100,
    },
    ApplicationBudget {
        name: "Smart home",
        objective: Objective::Total,
        seconds: 0.500,
    },
    ApplicationBudget {
        name: "Private serving",
        objective: Objective::Total,
        seconds: 2.0,
    },
];
