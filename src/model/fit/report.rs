//! What a fit returns: the fitted law, how the search ended, quality on training and
//! held-out rows, bootstrap intervals and warnings. A fit that stops early still has all of it.

use crate::model::law::Law;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why the search stopped (levenberg-marquardt's `TerminationReason`, in our words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminationReason {
    /// The gradient fell below tolerance.
    Converged,
    /// No step lowered the objective any further: the precision limit of the data.
    NoFurtherProgress,
    /// The iteration limit was reached first.
    MaxIterations,
    /// The caller stopped the fit; the best start so far is reported.
    Cancelled,
}

impl TerminationReason {
    /// Whether the parameters are a minimum rather than a point on the way.
    pub fn was_successful(self) -> bool {
        matches!(
            self,
            TerminationReason::Converged | TerminationReason::NoFurtherProgress
        )
    }
}

impl fmt::Display for TerminationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TerminationReason::Converged => "converged",
            TerminationReason::NoFurtherProgress => {
                "converged (no step lowered the objective further)"
            }
            TerminationReason::MaxIterations => "stopped at the iteration limit",
            TerminationReason::Cancelled => "cancelled",
        })
    }
}

/// Fit quality on loss (not log loss).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub rows: usize,
    /// `None` when the observed losses do not vary (or fewer than two rows).
    pub r2: Option<f64>,
    #[serde(with = "crate::model::json_float")]
    pub rmse: f64,
    #[serde(with = "crate::model::json_float")]
    pub mae: f64,
}

impl Quality {
    pub(crate) fn of(pairs: &[(f64, f64)]) -> Option<Quality> {
        if pairs.is_empty() {
            return None;
        }
        let n = pairs.len() as f64;
        let mean = pairs.iter().map(|(y, _)| y).sum::<f64>() / n;
        let ss_tot: f64 = pairs.iter().map(|(y, _)| (y - mean).powi(2)).sum();
        let ss_res: f64 = pairs.iter().map(|(y, p)| (y - p).powi(2)).sum();
        let mae = pairs.iter().map(|(y, p)| (y - p).abs()).sum::<f64>() / n;
        Some(Quality {
            rows: pairs.len(),
            r2: (pairs.len() >= 2 && ss_tot > 0.0).then(|| 1.0 - ss_res / ss_tot),
            rmse: (ss_res / n).sqrt(),
            mae,
        })
    }
}

/// A parameter with its bootstrap percentile interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamInterval {
    pub name: String,
    #[serde(with = "crate::model::json_float")]
    pub value: f64,
    #[serde(with = "crate::model::json_float")]
    pub lower: f64,
    #[serde(with = "crate::model::json_float")]
    pub upper: f64,
}

/// One row as fitted, for a predicted-versus-observed plot.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitPoint {
    /// Line in the file.
    pub line: usize,
    #[serde(with = "crate::model::json_float")]
    pub observed: f64,
    #[serde(with = "crate::model::json_float")]
    pub predicted: f64,
    pub held_out: bool,
}

/// Something the user should know about a fit that still produced a result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FitWarning {
    FewerRowsThanParameters {
        rows: usize,
        params: usize,
    },
    ConstantLoss {
        #[serde(with = "crate::model::json_float")]
        value: f64,
    },
    NotConverged {
        reason: TerminationReason,
    },
    AtBound {
        name: String,
        #[serde(with = "crate::model::json_float")]
        bound: f64,
    },
    IllConditioned {
        #[serde(with = "crate::model::json_float")]
        condition: f64,
    },
    RowsLeftOut {
        variable: String,
        lines: Vec<usize>,
    },
    BootstrapCancelled {
        done: usize,
        total: usize,
    },
    BootstrapFailures {
        failed: usize,
        total: usize,
    },
}

impl fmt::Display for FitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitWarning::FewerRowsThanParameters { rows, params } => write!(
                f,
                "only {rows} training rows for {params} parameters: the fit is not determined; add rows or fix parameters"
            ),
            FitWarning::ConstantLoss { value } => write!(
                f,
                "every training loss is {value}: R² is undefined and the law's shape cannot be learned"
            ),
            FitWarning::NotConverged { reason } => {
                write!(f, "the best start did not converge ({reason}); raise the iteration limit")
            }
            FitWarning::AtBound { name, bound } => {
                write!(f, "{name} is at its bound {bound}: the data push it beyond the range allowed")
            }
            FitWarning::IllConditioned { condition } => write!(
                f,
                "parameters trade off against each other (condition number {condition:.1e}); expect wide intervals"
            ),
            FitWarning::RowsLeftOut { variable, lines } => {
                let shown: Vec<String> = lines.iter().take(10).map(|l| l.to_string()).collect();
                let more = if lines.len() > 10 { ", …" } else { "" };
                write!(
                    f,
                    "{} rows left out: no positive number for {variable} (lines {}{more})",
                    lines.len(),
                    shown.join(", ")
                )
            }
            FitWarning::BootstrapCancelled { done, total } => write!(
                f,
                "bootstrap cancelled after {done} of {total} resamples: no intervals"
            ),
            FitWarning::BootstrapFailures { failed, total } => write!(
                f,
                "{failed} of {total} bootstrap resamples failed to fit and were skipped"
            ),
        }
    }
}

/// The outcome of [`super::fit`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// The law with fitted parameters.
    pub law: Law,
    /// Objective (Huber or squares of log residuals, summed) on the training rows.
    #[serde(with = "crate::model::json_float")]
    pub objective: f64,
    /// Objective and gradient evaluations, bootstrap excluded.
    pub evaluations: u64,
    /// Starts refined.
    pub starts: usize,
    pub termination: TerminationReason,
    pub train: Quality,
    pub held_out: Option<Quality>,
    /// Bootstrap percentile intervals, one per parameter; empty without a bootstrap.
    pub intervals: Vec<ParamInterval>,
    /// Resamples that fitted.
    pub bootstrap_resamples: usize,
    pub points: Vec<FitPoint>,
    pub warnings: Vec<FitWarning>,
}
