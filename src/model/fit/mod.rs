//! Fitting a [`Law`] to a [`LossTable`] (method.md §2, "fitting practice").
//!
//! Options, data, problem, solver, report, as in argmin and levenberg-marquardt, one file each:
//! * the options (`options.rs`, [`FitOptions`]) are what a user may set, checked when set;
//! * the data (`data.rs`) are the table's rows in the law's fitting form and the held-out
//!   choice;
//! * the problem (`objective.rs`) is the Huber loss (δ = 1e-3 by default) of log residuals
//!   `ln L̂ − ln L`, summed over training rows, or their plain squares, in unconstrained
//!   coordinates (`transform.rs`). The law supplies its value and gradient
//!   ([`Law::value_and_gradient`]); the loss is shared with the calibration;
//! * the solver (`solve.rs`) screens a grid of starting exponents with the scales solved by
//!   variable projection (`varpro.rs`; paper law and Chinchilla), refines the best few over the
//!   exponents alone with argmin's Nelder–Mead, and polishes every parameter together with
//!   argmin's L-BFGS on exact gradients. Custom formulas skip the projection: their starts are
//!   the user's values and seeded perturbations of them;
//! * the report ([`FitReport`]) carries the fitted law, the stop reason, R²/RMSE/MAE on
//!   training and held-out rows, bootstrap intervals (`bootstrap.rs`) and warnings.
//!
//! Everything is deterministic for a seed. The fitter never prints and never reads a clock
//! (wasm32 has none); it reports progress to the caller's observer between starts and between
//! bootstrap resamples, and stops when the observer says so.

mod bootstrap;
mod data;
mod objective;
mod options;
mod report;
mod solve;
mod transform;
pub mod trust;
mod varpro;

pub use options::{FitOptions, FitOptionsText, FitTextError, Holdout, OptionError};
pub use report::{FitPoint, FitReport, FitWarning, ParamInterval, Quality, TerminationReason};
pub use trust::{data_ranges, extrapolation, fit_concerns, Concern, DataRange};

use crate::model::law::Law;
use crate::model::loss_csv::LossTable;
use crate::model::robust_loss::Loss;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use solve::{Context, ILL_CONDITIONED};
use std::cell::Cell;
use std::fmt;
use std::ops::ControlFlow;
use transform::Transform;

/// Where a fit is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FitProgress {
    /// `done` of `total` starts refined; the lowest objective so far.
    Start {
        done: usize,
        total: usize,
        best_objective: f64,
    },
    /// `done` of `total` bootstrap resamples fitted.
    Bootstrap { done: usize, total: usize },
}

/// Why no fit could be made at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FitError {
    /// The law reads a variable the table does not give.
    MissingVariable {
        file: String,
        variable: String,
        meaning: String,
    },
    /// Every row lacks a value the law needs.
    NoRows { file: String },
    /// Every row is held out.
    NoTrainingRows { file: String },
    /// The observer stopped the fit before the first start was refined.
    Cancelled,
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::MissingVariable {
                file,
                variable,
                meaning,
            } => write!(
                f,
                "fit: {file} gives no {variable} ({meaning}), which the law needs"
            ),
            FitError::NoRows { file } => {
                write!(f, "fit: no row of {file} has every value the law needs")
            }
            FitError::NoTrainingRows { file } => {
                write!(
                    f,
                    "fit: every row of {file} is held out; mark some rows train"
                )
            }
            FitError::Cancelled => write!(f, "fit: cancelled before the first start finished"),
        }
    }
}

impl std::error::Error for FitError {}

/// Fits `law` (its current values are the starting point of custom formulas) to `table`.
/// `observer` is called between starts and between bootstrap resamples; returning
/// `ControlFlow::Break(())` stops the fit and returns what has been found.
///
/// ```
/// use roofscale::model::fit::{fit, FitOptions};
/// use roofscale::model::law::{Chinchilla, Law};
/// use roofscale::model::loss_csv::parse_loss_csv;
/// use std::ops::ControlFlow;
///
/// let truth = Chinchilla::epoch_refit();
/// let mut csv = String::from("N,D,loss\n");
/// for (n, d) in [(1e7, 1e9), (1e8, 1e9), (1e9, 1e10), (1e10, 1e10), (3e8, 1e11), (3e9, 3e10), (1e7, 1e11)] {
///     let loss = 1.82 + 482.0 / f64::powf(n, 0.348) + 2085.4 / f64::powf(d, 0.366);
///     csv += &format!("{n},{d},{loss}\n");
/// }
/// let table = parse_loss_csv("runs.csv", &csv, None).unwrap();
/// let options = FitOptions::default().with_bootstrap(0).unwrap();
/// let report = fit(&Law::Chinchilla(truth), &table, &options, &mut |_| ControlFlow::Continue(())).unwrap();
/// assert!(report.termination.was_successful());
/// assert!((report.law.params()[3] - 0.348).abs() < 1e-3);
/// ```
pub fn fit(
    law: &Law,
    table: &LossTable,
    options: &FitOptions,
    observer: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
) -> Result<FitReport, FitError> {
    let (data, lines, mut warnings) = data::gather(law, table)?;
    let mut rng = SmallRng::seed_from_u64(options.seed);
    let held_out = data::choose_held_out(table, &lines, options.holdout, &mut rng);
    let train: Vec<usize> = (0..data.len()).filter(|i| !held_out[*i]).collect();
    if train.is_empty() {
        return Err(FitError::NoTrainingRows {
            file: table.file_name.clone(),
        });
    }
    let weights: Vec<f64> = held_out
        .iter()
        .map(|h| if *h { 0.0 } else { 1.0 })
        .collect();
    let transforms: Vec<Transform> = law.bounds().into_iter().map(Transform::of).collect();
    let loss = options.huber_delta.map_or(Loss::Squares, Loss::Huber);
    let names = law.param_names();

    let ctx = Context {
        law,
        data: &data,
        loss,
        transforms: &transforms,
        max_iterations: options.max_iterations,
        evaluations: Cell::new(0),
    };
    let found = ctx.multi_start(&weights, options.starts, &mut rng, observer);
    let Some(best) = found.best else {
        return Err(FitError::Cancelled);
    };
    let termination = if found.cancelled {
        TerminationReason::Cancelled
    } else {
        best.termination
    };
    let fitted = law
        .with_params(&best.params)
        .expect("the objective is finite only at finite parameters");

    let first_loss = data.y[train[0]];
    if train.len() < names.len() {
        warnings.push(FitWarning::FewerRowsThanParameters {
            rows: train.len(),
            params: names.len(),
        });
    }
    if train.iter().all(|i| data.y[*i] == first_loss) {
        warnings.push(FitWarning::ConstantLoss { value: first_loss });
    }
    if termination == TerminationReason::MaxIterations {
        warnings.push(FitWarning::NotConverged {
            reason: termination,
        });
    }
    for ((name, t), p) in names.iter().zip(&transforms).zip(&best.params) {
        if let Some(bound) = t.at_bound(*p) {
            warnings.push(FitWarning::AtBound {
                name: name.clone(),
                bound,
            });
        }
    }
    if let Some(condition) = ctx.condition(&best.params, &weights) {
        if condition > ILL_CONDITIONED {
            warnings.push(FitWarning::IllConditioned { condition });
        }
    }

    let points: Vec<FitPoint> = (0..data.len())
        .map(|i| FitPoint {
            line: lines[i],
            observed: data.y[i],
            predicted: law.value_at(&best.params, data.row(i)),
            held_out: held_out[i],
        })
        .collect();
    let pairs = |held: bool| -> Vec<(f64, f64)> {
        points
            .iter()
            .filter(|p| p.held_out == held)
            .map(|p| (p.observed, p.predicted))
            .collect()
    };
    let train_quality = Quality::of(&pairs(false)).expect("training rows exist");
    let held_out_quality = Quality::of(&pairs(true));

    let mut intervals = Vec::new();
    let mut resamples = 0;
    if options.bootstrap > 0 && !found.cancelled {
        let boot = ctx.bootstrap(&best.params, &train, options.bootstrap, &mut rng, observer);
        resamples = boot.samples.len();
        if boot.cancelled {
            warnings.push(FitWarning::BootstrapCancelled {
                done: boot.samples.len(),
                total: options.bootstrap,
            });
        } else {
            if boot.failed > 0 {
                warnings.push(FitWarning::BootstrapFailures {
                    failed: boot.failed,
                    total: options.bootstrap,
                });
            }
            if boot.samples.len() >= 2 {
                let tail = (1.0 - options.confidence) / 2.0;
                for (j, name) in names.iter().enumerate() {
                    let mut v: Vec<f64> = boot.samples.iter().map(|s| s[j]).collect();
                    v.sort_by(f64::total_cmp);
                    intervals.push(ParamInterval {
                        name: name.clone(),
                        value: best.params[j],
                        lower: bootstrap::quantile(&v, tail),
                        upper: bootstrap::quantile(&v, 1.0 - tail),
                    });
                }
            }
        }
    }

    Ok(FitReport {
        law: fitted,
        objective: best.objective,
        evaluations: ctx.evaluations.get(),
        starts: found.refined,
        termination,
        train: train_quality,
        held_out: held_out_quality,
        intervals,
        bootstrap_resamples: resamples,
        points,
        warnings,
    })
}
