//! The latency a frontier is drawn against: one of the three a [`LatencyReport`] gives.

use super::LatencyReport;
use serde::{Deserialize, Serialize};

/// The latency a frontier is drawn against (method.md §4: one frontier per objective).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    Prefill,
    Decode,
    Total,
}

impl Objective {
    pub const ALL: [Objective; 3] = [Objective::Prefill, Objective::Decode, Objective::Total];

    pub fn name(self) -> &'static str {
        match self {
            Objective::Prefill => "prefill",
            Objective::Decode => "decode",
            Objective::Total => "total",
        }
    }

    /// This objective's latency in a roofline report, seconds.
    pub fn of(self, r: &LatencyReport) -> f64 {
        self.pick(r.prefill_s, r.decode_s, r.total_s)
    }

    /// The one of a report's three latencies, in any store (a [`LatencyReport`], or the search's
    /// compact metrics), that this objective means: the only place that says so.
    #[inline]
    pub fn pick<T>(self, prefill: T, decode: T, total: T) -> T {
        match self {
            Objective::Prefill => prefill,
            Objective::Decode => decode,
            Objective::Total => total,
        }
    }
}
