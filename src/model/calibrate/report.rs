//! What a calibration returns: the fitted parameters, each measured phase before and after,
//! and warnings instead of failures when the data cannot say everything.

use super::fit::MIN_FRACTION;
use crate::model::fit::TerminationReason;
use crate::model::format_fractions::FormatFractions;
use crate::model::roofline::Phase;
use crate::model::weight_format::WeightFormat;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A parameter of the calibration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Param {
    BandwidthFraction,
    ComputeFraction,
    Overhead,
}

impl Param {
    pub fn name(self) -> &'static str {
        match self {
            Param::BandwidthFraction => "bandwidth fraction",
            Param::ComputeFraction => "compute fraction",
            Param::Overhead => "per-layer overhead",
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which parameters the measurements determined; the others kept the device's fraction or an
/// overhead of 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fitted {
    pub bandwidth_fraction: bool,
    pub compute_fraction: bool,
    pub overhead: bool,
}

/// One measured phase (a CSV row with both times gives two).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowFit {
    /// Line of the measurement in its file.
    pub line: usize,
    /// "Qwen2.5-0.5B, FP16, B=1, 512→128, decode".
    pub label: String,
    #[serde(deserialize_with = "phase")]
    pub phase: Phase,
    pub measured_s: f64,
    /// The roofline with the device as it was (its fractions, no overhead).
    pub predicted_before_s: f64,
    /// With the fitted fractions and overhead.
    pub predicted_after_s: f64,
    /// (predicted − measured) / measured × 100: positive when the model is too slow.
    pub error_before_pct: f64,
    pub error_after_pct: f64,
}

/// [`Phase`] is only `Serialize` in the roofline; reports are read back from files.
fn phase<'de, D: Deserializer<'de>>(d: D) -> Result<Phase, D::Error> {
    match String::deserialize(d)?.as_str() {
        "prefill" => Ok(Phase::Prefill),
        "decode" => Ok(Phase::Decode),
        other => Err(serde::de::Error::custom(format!(
            "unknown phase \"{other}\" (expected prefill or decode)"
        ))),
    }
}

/// Something the user should know about a calibration that still produced a device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CalibrationWarning {
    /// Fewer measured phases than parameters: only as many were fitted.
    FewMeasurements { phases: usize, kept: Vec<Param> },
    /// No measured phase depends on this fraction (its operators make at most `largest_share`
    /// of any predicted time), so it kept the device's value.
    NotDetermined {
        param: Param,
        largest_share: f64,
        kept: f64,
    },
    /// A fraction ended on a bound of (0, 1]: the optimum may lie beyond it.
    AtBound { param: Param, bound: f64 },
    /// The bandwidth fraction of a weight format measured apart ended on a bound of (0, 1].
    FormatAtBound { format: WeightFormat, bound: f64 },
    /// Two estimates move together: the measurements cannot tell them apart well.
    Confounded {
        first: Param,
        second: Param,
        correlation: f64,
    },
    /// The measurements cannot tell the per-layer overhead from the bandwidth fraction (one
    /// model size: both scale every decode step alike), so the overhead kept the device's
    /// value, `kept_s` per layer, and the fraction alone explains the times. A fit that put
    /// the time into overhead would not carry to another model size.
    OverheadNotSeparated { kept_s: f64 },
    /// Phases more than [`super::OUTLIER_FACTOR`] off the fit of all phases, set aside and
    /// the rest refitted; each is (line, label, measured ÷ predicted by the refit). They still
    /// count in the errors.
    OutliersSetAside { rows: Vec<(usize, String, f64)> },
    /// The roofline cannot follow these measurements even after calibration.
    Inconsistent { mape_after: f64 },
    /// The solver stopped before converging (at its iteration limit).
    NotConverged { reason: TerminationReason },
    /// Phases measured faster than the rated roofline (fractions 1, no overhead) allows: a
    /// roofline is a bound, so the device's rated numbers or these rows are wrong. Each is
    /// (line, label, how much faster in %).
    FasterThanRoofline { rows: Vec<(usize, String, f64)> },
}

impl fmt::Display for CalibrationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalibrationWarning::FewMeasurements { phases, kept } => {
                let kept: Vec<String> = kept
                    .iter()
                    .map(|p| match p {
                        Param::Overhead => "the overhead at the device's value".to_string(),
                        p => format!("the {p} at the device's value"),
                    })
                    .collect();
                let s = if *phases == 1 { "" } else { "s" };
                write!(
                    f,
                    "{phases} measured time{s} cannot determine more than {phases} parameter{s}: \
                     kept {}; measure more models, lengths or phases",
                    kept.join(" and ")
                )
            }
            CalibrationWarning::NotDetermined {
                param,
                largest_share,
                kept,
            } => write!(
                f,
                "the {param} is not determined by these measurements (its operators take at most \
                 {:.1} % of any predicted time): kept at {kept}; {}",
                largest_share * 100.0,
                match param {
                    Param::ComputeFraction => "add prefill times of long prompts",
                    _ => "add decode times",
                }
            ),
            CalibrationWarning::AtBound { param, bound } => {
                if *bound >= 1.0 {
                    write!(
                        f,
                        "the {param} reached 1: the device ran at least as fast as its rated \
                         numbers; check them, and the units of the measurements"
                    )
                } else {
                    write!(
                        f,
                        "the {param} reached its lower limit {MIN_FRACTION}: the device ran more \
                         than a thousand times below its rated numbers; check the units"
                    )
                }
            }
            CalibrationWarning::FormatAtBound { format, bound } => {
                if *bound >= 1.0 {
                    write!(
                        f,
                        "the bandwidth fraction of {format} weights reached 1: those runs were at \
                         least as fast as the rated bandwidth allows; check the rated numbers, the \
                         format and the units of those rows"
                    )
                } else {
                    write!(
                        f,
                        "the bandwidth fraction of {format} weights reached its lower limit \
                         {MIN_FRACTION}: check the format and the units of those rows"
                    )
                }
            }
            CalibrationWarning::Confounded {
                first,
                second,
                correlation,
            } => write!(
                f,
                "the {first} and the {second} cannot be told apart well (correlation \
                 {correlation:.3}); add measurements of other models or lengths"
            ),
            CalibrationWarning::OverheadNotSeparated { kept_s } => write!(
                f,
                "these measurements cannot tell the per-layer overhead from the bandwidth \
                 fraction (one model size, or sizes that vary together), so the overhead was \
                 kept at {:.3} ms per layer and the bandwidth fraction alone explains the times; \
                 add runs of a model of another size to fit both",
                kept_s * 1e3
            ),
            CalibrationWarning::OutliersSetAside { rows } => {
                let rows: Vec<String> = rows
                    .iter()
                    .map(|(line, label, ratio)| {
                        if *ratio >= 1.0 {
                            format!("line {line} ({label}) {ratio:.1}× slower")
                        } else {
                            format!("line {line} ({label}) {:.1}× faster", 1.0 / ratio)
                        }
                    })
                    .collect();
                write!(
                    f,
                    "left out of the fit, as more than twice as slow or fast as it predicts \
                     (measured against the refit of the other rows): {}. Check \
                     these rows (another device or power mode, other settings, a unit slip); \
                     they still count in the errors shown",
                    rows.join("; ")
                )
            }
            CalibrationWarning::Inconsistent { mape_after } => write!(
                f,
                "after calibration the predictions are still off by {mape_after:.1} % on average: \
                 the measurements disagree with each other or with the roofline (another \
                 device, other settings, or a bad row)"
            ),
            CalibrationWarning::NotConverged { reason } => write!(
                f,
                "the fit did not converge ({reason}): the fractions are the best point found, \
                 perhaps not the best fit; check the measurements for a bad row"
            ),
            CalibrationWarning::FasterThanRoofline { rows } => {
                let rows: Vec<String> = rows
                    .iter()
                    .map(|(line, label, pct)| format!("line {line} ({label}) {pct:.1} % faster"))
                    .collect();
                write!(
                    f,
                    "measured faster than the rated roofline allows: {}. A roofline is a \
                     lower bound on the time, so the device's rated numbers (another variant, \
                     power mode or clock?) or these rows are wrong",
                    rows.join("; ")
                )
            }
        }
    }
}

/// Fitted parameters, the fit of every measured phase, and warnings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    pub bandwidth_fraction: f64,
    pub compute_fraction: f64,
    /// Seconds added to every forward step for each layer of the model (one step for the
    /// prefill, S_out for decode): kernel launches, synchronisation, framework time, which a
    /// runtime pays layer by layer. The roofline has no such term. 0 in records written
    /// when the fit had a per-step overhead instead (their device keeps it).
    #[serde(default)]
    pub layer_overhead_s: f64,
    /// The weight formats measured apart, each with its fitted bandwidth fraction; every
    /// other format reads at `bandwidth_fraction`. Empty in records written before.
    #[serde(default)]
    pub format_bandwidth: FormatFractions,
    pub fitted: Fitted,
    pub rows: Vec<RowFit>,
    /// Mean absolute percentage error of the phases, before and after.
    pub mape_before: f64,
    pub mape_after: f64,
    /// Why the solver stopped; `None` in records written before it said so.
    #[serde(default)]
    pub termination: Option<TerminationReason>,
    pub warnings: Vec<CalibrationWarning>,
}

impl CalibrationReport {
    /// The fitted parameters, to predict other runs with [`super::Calibration::predict`].
    pub fn calibration(&self) -> super::Calibration {
        super::Calibration {
            bandwidth_fraction: self.bandwidth_fraction,
            compute_fraction: self.compute_fraction,
            layer_overhead_s: self.layer_overhead_s,
            format_bandwidth: self.format_bandwidth,
        }
    }

    /// Whether a bandwidth fraction, the common one or a format's own, ended at the whole
    /// rated bandwidth: the rows run faster than the roofline allows with the overhead fitted.
    pub fn at_whole_bandwidth(&self) -> bool {
        std::iter::once(self.bandwidth_fraction)
            .chain(self.format_bandwidth.iter().map(|f| f.fraction))
            .any(|f| super::bound_reached(f) == Some(1.0))
    }

    /// The phases left out of the fit as outliers: (line, label, measured ÷ predicted).
    pub fn set_aside(&self) -> impl Iterator<Item = &(usize, String, f64)> {
        self.warnings
            .iter()
            .filter_map(|w| match w {
                CalibrationWarning::OutliersSetAside { rows } => Some(rows),
                _ => None,
            })
            .flatten()
    }
}
