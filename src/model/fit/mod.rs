//! Fitting a [`Law`] to a [`LossTable`] (method.md §2, "fitting practice").
//!
//! Problem, solver, report, as in argmin and levenberg-marquardt:
//! * the problem (`objective.rs`) is the Huber loss (δ = 1e-3 by default) of log residuals
//!   `ln L̂ − ln L`, summed over training rows, or their plain squares. The law supplies its
//!   value and gradient ([`Law::value_and_gradient`]);
//! * the solver screens a grid of starting exponents with the scales solved by variable
//!   projection (`varpro.rs`; paper law and Chinchilla), refines the best few over the
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
mod objective;
mod report;
pub mod trust;
mod varpro;

pub use report::{FitPoint, FitReport, FitWarning, ParamInterval, Quality, TerminationReason};
pub use trust::{data_ranges, extrapolation, fit_concerns, Concern, DataRange};

use crate::model::law::{Law, Variable};
use crate::model::loss_csv::{LossTable, Split};
use argmin::core::{CostFunction, Error, Executor, State, TerminationReason as ArgminReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;
use nalgebra::{DMatrix, DVector};
use objective::{Argmin, Data, Loss, Objective, Transform, Whitened};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::cell::Cell;
use std::fmt;
use std::ops::ControlFlow;
use varpro::Separable;

/// How training and held-out rows are chosen.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Holdout {
    /// The file's split column if it has one, else a seeded random fraction.
    Auto { fraction: f64 },
    /// A seeded random fraction, ignoring any split column.
    Random { fraction: f64 },
    /// Every row trains.
    None,
}

/// Settings of a fit. Values a user types go through the `with_*` setters, which refuse
/// nonsense with a message.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitOptions {
    huber_delta: Option<f64>,
    holdout: Holdout,
    starts: usize,
    bootstrap: usize,
    seed: u64,
    max_iterations: u64,
    confidence: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            huber_delta: Some(1e-3),
            holdout: Holdout::Auto { fraction: 0.2 },
            starts: 8,
            bootstrap: 200,
            seed: 0,
            max_iterations: 1000,
            confidence: 0.95,
        }
    }
}

/// A setting refused, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError(pub String);

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fit option: {}", self.0)
    }
}

impl std::error::Error for OptionError {}

fn refuse<T>(msg: String) -> Result<T, OptionError> {
    Err(OptionError(msg))
}

impl FitOptions {
    /// Huber loss with threshold δ on log residuals (δ > 0).
    pub fn with_huber_delta(mut self, delta: f64) -> Result<Self, OptionError> {
        if !(delta > 0.0 && delta.is_finite()) {
            return refuse(format!("Huber δ must be a positive number, found {delta}"));
        }
        self.huber_delta = Some(delta);
        Ok(self)
    }

    /// Plain least squares on log residuals.
    pub fn with_least_squares(mut self) -> Self {
        self.huber_delta = None;
        self
    }

    pub fn with_holdout(mut self, holdout: Holdout) -> Result<Self, OptionError> {
        if let Holdout::Auto { fraction } | Holdout::Random { fraction } = holdout {
            if !(0.0..0.9).contains(&fraction) {
                return refuse(format!(
                    "the held-out fraction must be at least 0 and below 0.9, found {fraction}"
                ));
            }
        }
        self.holdout = holdout;
        Ok(self)
    }

    /// Starts refined after screening (1 to 64).
    pub fn with_starts(mut self, starts: usize) -> Result<Self, OptionError> {
        if !(1..=64).contains(&starts) {
            return refuse(format!("starts must be between 1 and 64, found {starts}"));
        }
        self.starts = starts;
        Ok(self)
    }

    /// Bootstrap resamples (0 turns the bootstrap off; at most 10,000).
    pub fn with_bootstrap(mut self, resamples: usize) -> Result<Self, OptionError> {
        if resamples > 10_000 {
            return refuse(format!(
                "at most 10000 bootstrap resamples, found {resamples}"
            ));
        }
        self.bootstrap = resamples;
        Ok(self)
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Iterations of each solver run (10 to 100,000).
    pub fn with_max_iterations(mut self, n: u64) -> Result<Self, OptionError> {
        if !(10..=100_000).contains(&n) {
            return refuse(format!(
                "the iteration limit must be between 10 and 100000, found {n}"
            ));
        }
        self.max_iterations = n;
        Ok(self)
    }

    /// Coverage of the bootstrap intervals (0.5 to 0.999).
    pub fn with_confidence(mut self, level: f64) -> Result<Self, OptionError> {
        if !(0.5..=0.999).contains(&level) {
            return refuse(format!(
                "the confidence level must be between 0.5 and 0.999, found {level}"
            ));
        }
        self.confidence = level;
        Ok(self)
    }

    pub fn huber_delta(&self) -> Option<f64> {
        self.huber_delta
    }

    pub fn bootstrap(&self) -> usize {
        self.bootstrap
    }
}

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
    let (data, lines, mut warnings) = gather(law, table)?;
    let mut rng = SmallRng::seed_from_u64(options.seed);
    let held_out = choose_held_out(table, &lines, options.holdout, &mut rng);
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

/// Iterations of each bootstrap polish: resamples start at the full fit, and the few that
/// crawl along a flat valley would otherwise dominate the time.
const BOOTSTRAP_ITERATIONS: u64 = 200;

/// Condition number (of the Jacobian of log predictions in relative parameter changes) above
/// which parameters are reported as trading off: a relative change of one parameter can then
/// be undone by others to within 1e-8 of its effect.
const ILL_CONDITIONED: f64 = 1e8;

/// Rows with every variable the law needs, in the law's fitting form, with their file lines.
fn gather(law: &Law, table: &LossTable) -> Result<(Data, Vec<usize>, Vec<FitWarning>), FitError> {
    let vars = law.variables();
    let mut columns = Vec::with_capacity(vars.len());
    for v in &vars {
        let values = table.values(v).ok_or_else(|| FitError::MissingVariable {
            file: table.file_name.clone(),
            variable: v.clone(),
            meaning: Variable::from_symbol(v)
                .map_or("a column the formula uses", |s| s.meaning())
                .to_string(),
        })?;
        columns.push(values);
    }
    let logs = law.reads_logs();
    let mut warnings = Vec::new();
    let mut keep = vec![true; table.rows.len()];
    for (v, col) in vars.iter().zip(&columns) {
        let bad: Vec<usize> = (0..table.rows.len())
            .filter(|i| keep[*i] && !matches!(col[*i], Some(x) if !logs || x > 0.0))
            .collect();
        if !bad.is_empty() {
            for i in &bad {
                keep[*i] = false;
            }
            warnings.push(FitWarning::RowsLeftOut {
                variable: v.clone(),
                lines: bad.iter().map(|i| table.rows[*i].line).collect(),
            });
        }
    }
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut lines = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        for col in &columns {
            let v = col[i].unwrap_or(f64::NAN);
            x.push(if logs { v.ln() } else { v });
        }
        y.push(row.loss);
        lines.push(row.line);
    }
    if y.is_empty() {
        return Err(FitError::NoRows {
            file: table.file_name.clone(),
        });
    }
    let ln_y = y.iter().map(|v| v.ln()).collect();
    Ok((
        Data {
            m: vars.len(),
            x,
            y,
            ln_y,
        },
        lines,
        warnings,
    ))
}

fn choose_held_out(
    table: &LossTable,
    lines: &[usize],
    holdout: Holdout,
    rng: &mut SmallRng,
) -> Vec<bool> {
    let n = lines.len();
    let fraction = match holdout {
        Holdout::None => return vec![false; n],
        Holdout::Auto { .. } if table.has_split() => {
            let split: std::collections::HashMap<usize, Option<Split>> =
                table.rows.iter().map(|r| (r.line, r.split)).collect();
            return lines
                .iter()
                .map(|l| split.get(l) == Some(&Some(Split::Test)))
                .collect();
        }
        Holdout::Auto { fraction } | Holdout::Random { fraction } => fraction,
    };
    let k = (n as f64 * fraction).floor() as usize;
    // Partial Fisher–Yates: the first k of a seeded shuffle are held out.
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = rng.random_range(i..n);
        order.swap(i, j);
    }
    let mut held = vec![false; n];
    for i in &order[..k] {
        held[*i] = true;
    }
    held
}

/// One refined start.
struct Solution {
    params: Vec<f64>,
    objective: f64,
    termination: TerminationReason,
}

struct MultiStart {
    best: Option<Solution>,
    refined: usize,
    cancelled: bool,
}

struct Bootstrap {
    samples: Vec<Vec<f64>>,
    failed: usize,
    cancelled: bool,
}

/// What every solver run of one fit shares.
struct Context<'a> {
    law: &'a Law,
    data: &'a Data,
    loss: Loss,
    transforms: &'a [Transform],
    max_iterations: u64,
    evaluations: Cell<u64>,
}

impl<'a> Context<'a> {
    fn objective<'s>(&'s self, weights: &'s [f64]) -> Objective<'s> {
        Objective::new(self.law, self.data, weights, self.loss, self.transforms)
    }

    /// Screens starting points, refines the best `starts`, keeps the lowest objective.
    fn multi_start(
        &self,
        weights: &[f64],
        starts: usize,
        rng: &mut SmallRng,
        observer: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> MultiStart {
        let obj = self.objective(weights);
        let separable = Separable::of(self.law);
        let k = self.transforms.len();
        // Screening: the exponent grid with projected scales, or perturbed user values.
        let mut candidates: Vec<(f64, Vec<f64>)> = match &separable {
            Some(sep) => sep
                .grid_points(k)
                .into_iter()
                .filter_map(|mut p| {
                    sep.project(self.law, self.data, weights, &mut p)
                        .then(|| (obj.at_params(&p), p))
                })
                .collect(),
            None => {
                let init = self.law.params();
                let mut c = vec![(obj.at_params(&init), init.clone())];
                for _ in 1..starts * 16 {
                    let p: Vec<f64> = init
                        .iter()
                        .zip(self.transforms)
                        .map(|(v, t)| {
                            let moved = if *v == 0.0 {
                                rng.random_range(-1.0..1.0)
                            } else {
                                v * 10f64.powf(rng.random_range(-1.0..1.0))
                            };
                            t.value(t.coordinate(moved))
                        })
                        .collect();
                    c.push((obj.at_params(&p), p));
                }
                c
            }
        };
        self.evaluations
            .set(self.evaluations.get() + candidates.len() as u64);
        candidates.retain(|(v, _)| v.is_finite());
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        if candidates.is_empty() {
            // Nothing finite to start from: try the law's own values.
            candidates.push((f64::INFINITY, self.law.params()));
        }
        let total = starts.min(candidates.len());
        let mut out = MultiStart {
            best: None,
            refined: 0,
            cancelled: false,
        };
        for (_, start) in candidates.into_iter().take(total) {
            let refined = match &separable {
                Some(sep) => self.search_exponents(sep, weights, start),
                None => self.nelder_mead_all(weights, start),
            };
            let solution = self.polish(weights, refined, self.max_iterations);
            out.refined += 1;
            if out
                .best
                .as_ref()
                .is_none_or(|b| solution.objective < b.objective)
            {
                out.best = Some(solution);
            }
            let best_objective = out.best.as_ref().map_or(f64::INFINITY, |b| b.objective);
            let progress = FitProgress::Start {
                done: out.refined,
                total,
                best_objective,
            };
            if observer(progress).is_break() {
                out.cancelled = out.refined < total;
                break;
            }
        }
        out
    }

    /// Nelder–Mead over the exponents, the scales projected at every point.
    fn search_exponents(&self, sep: &Separable, weights: &[f64], start: Vec<f64>) -> Vec<f64> {
        let problem = Projected {
            ctx: self,
            sep,
            weights,
            base: start.clone(),
            objective: self.objective(weights),
        };
        let x0: Vec<f64> = sep
            .nonlinear
            .iter()
            .map(|j| self.transforms[*j].coordinate(start[*j]))
            .collect();
        let best = run_nelder_mead(&problem, x0, self.max_iterations);
        let mut p = start;
        problem.fill(&best, &mut p);
        p
    }

    /// Nelder–Mead over every coordinate (custom laws).
    fn nelder_mead_all(&self, weights: &[f64], start: Vec<f64>) -> Vec<f64> {
        let obj = self.objective(weights);
        let x0 = obj.coordinates(&start);
        let best = run_nelder_mead(Argmin(&obj), x0, self.max_iterations);
        self.evaluations
            .set(self.evaluations.get() + obj.evaluations.get());
        let (value, u) = obj.best();
        if value.is_finite() && !u.is_empty() {
            obj.params(&u)
        } else {
            obj.params(&best)
        }
    }

    /// L-BFGS on every coordinate at once, from law parameters `start`, in rounds: each round
    /// whitens the coordinates by the Gauss–Newton Hessian at the best point so far (with
    /// Huber's IRLS weights, so the kinks of a nearly-L1 objective are seen as curvature) and
    /// runs argmin's L-BFGS for a few iterations. A round ends the search when the Newton
    /// decrement (the squared gradient in whitened coordinates, halved: the gain a Newton step
    /// predicts) falls below 1e-7 of the objective, or when a round gains less than that.
    /// With Huber's small δ the objective is nearly L1 and its last 1e-7 costs hundreds of
    /// iterations while moving parameters far less than their bootstrap spread.
    fn polish(&self, weights: &[f64], start: Vec<f64>, max_iterations: u64) -> Solution {
        const ROUND: u64 = 20;
        let obj = self.objective(weights);
        let mut u = obj.coordinates(&start);
        let mut value = obj.eval(&u).0;
        let mut used = 0u64;
        let mut termination = TerminationReason::MaxIterations;
        while used < max_iterations && value.is_finite() {
            let round = ROUND.min(max_iterations - used);
            let whitened = Whitened {
                objective: &obj,
                map: Whitened::map_for(obj.gauss_newton(&u), u.len()),
                origin: u.clone(),
            };
            let tolerance = (2e-7 * value.max(f64::MIN_POSITIVE)).sqrt();
            let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
                .with_tolerance_grad(tolerance)
                .and_then(|s| s.with_tolerance_cost(0.0))
                .expect("tolerances are non-negative");
            let run = Executor::new(whitened, solver)
                .configure(|s| s.param(DVector::zeros(u.len())).max_iters(round))
                .run();
            let (reason, iterations) = match &run {
                Ok(r) => (
                    r.state().get_termination_reason().cloned(),
                    r.state().get_iter(),
                ),
                Err(_) => (None, round),
            };
            used += iterations.max(1);
            let (best_value, best_u) = obj.best();
            let gained = value - best_value;
            if best_value < value {
                u = best_u;
                value = best_value;
            }
            if reason == Some(ArgminReason::SolverConverged) {
                termination = TerminationReason::Converged;
                break;
            }
            if gained <= 1e-7 * value {
                termination = TerminationReason::NoFurtherProgress;
                break;
            }
        }
        self.evaluations
            .set(self.evaluations.get() + obj.evaluations.get());
        let (objective, params) = if value.is_finite() {
            (value, obj.params(&u))
        } else {
            (f64::INFINITY, start)
        };
        Solution {
            params,
            objective,
            termination,
        }
    }

    /// Percentile bootstrap: each resample starts from the full fit (scales re-projected for
    /// separable laws) and is polished.
    fn bootstrap(
        &self,
        params: &[f64],
        train: &[usize],
        total: usize,
        rng: &mut SmallRng,
        observer: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Bootstrap {
        let separable = Separable::of(self.law);
        let mut out = Bootstrap {
            samples: Vec::with_capacity(total),
            failed: 0,
            cancelled: false,
        };
        let counted = self.evaluations.get();
        for done in 1..=total {
            let weights = bootstrap::resample_weights(train, self.data.len(), rng);
            let mut start = params.to_vec();
            if let Some(sep) = &separable {
                let mut projected = start.clone();
                if sep.project(self.law, self.data, &weights, &mut projected) {
                    let obj = self.objective(&weights);
                    if obj.at_params(&projected) < obj.at_params(&start) {
                        start = projected;
                    }
                }
            }
            let s = self.polish(
                &weights,
                start,
                self.max_iterations.min(BOOTSTRAP_ITERATIONS),
            );
            if s.objective.is_finite() {
                out.samples.push(s.params);
            } else {
                out.failed += 1;
            }
            if observer(FitProgress::Bootstrap { done, total }).is_break() && done < total {
                out.cancelled = true;
                break;
            }
        }
        self.evaluations.set(counted);
        out
    }

    /// Condition number of the training rows' Jacobian of ln L̂ in relative parameter changes
    /// (parameters at a bound left out).
    fn condition(&self, params: &[f64], weights: &[f64]) -> Option<f64> {
        let cols: Vec<usize> = (0..params.len())
            .filter(|j| self.transforms[*j].at_bound(params[*j]).is_none() && params[*j] != 0.0)
            .collect();
        let rows: Vec<usize> = (0..self.data.len()).filter(|i| weights[*i] > 0.0).collect();
        if cols.is_empty() || rows.len() < cols.len() {
            return None;
        }
        let mut g = vec![0.0; params.len()];
        let mut scratch = Vec::new();
        let mut jac = DMatrix::zeros(rows.len(), cols.len());
        for (r, i) in rows.iter().enumerate() {
            let l = self
                .law
                .value_and_gradient(params, self.data.row(*i), &mut g, &mut scratch);
            for (c, j) in cols.iter().enumerate() {
                jac[(r, c)] = g[*j] * params[*j] / l;
            }
        }
        let sv = jac.singular_values();
        let (max, min) = sv
            .iter()
            .fold((0.0f64, f64::INFINITY), |(a, b), s| (a.max(*s), b.min(*s)));
        (max > 0.0 && max.is_finite()).then(|| if min > 0.0 { max / min } else { f64::INFINITY })
    }
}

/// The objective over exponents alone, scales projected (variable projection).
struct Projected<'c, 'a> {
    ctx: &'c Context<'a>,
    sep: &'c Separable,
    weights: &'c [f64],
    base: Vec<f64>,
    objective: Objective<'c>,
}

impl Projected<'_, '_> {
    fn fill(&self, theta: &[f64], p: &mut [f64]) -> bool {
        for (u, j) in theta.iter().zip(self.sep.nonlinear) {
            p[*j] = self.ctx.transforms[*j].value(*u);
        }
        self.sep
            .project(self.ctx.law, self.ctx.data, self.weights, p)
    }
}

impl CostFunction for &Projected<'_, '_> {
    type Param = DVector<f64>;
    type Output = f64;
    fn cost(&self, theta: &DVector<f64>) -> Result<f64, Error> {
        let ctx = self.ctx;
        ctx.evaluations.set(ctx.evaluations.get() + 1);
        let mut p = self.base.clone();
        if !self.fill(theta.as_slice(), &mut p) {
            return Ok(f64::INFINITY);
        }
        Ok(self.objective.at_params(&p))
    }
}

/// argmin's Nelder–Mead from `x0` with a simplex of steps 0.2 along each coordinate (20 % of
/// a log-scaled parameter); returns the best vertex.
fn run_nelder_mead<O>(problem: O, x0: Vec<f64>, max_iterations: u64) -> Vec<f64>
where
    O: CostFunction<Param = DVector<f64>, Output = f64>,
{
    let n = x0.len();
    let start = DVector::from_vec(x0.clone());
    let mut simplex = vec![start.clone()];
    for j in 0..n {
        let mut v = start.clone();
        v[j] += 0.2;
        simplex.push(v);
    }
    // The polish that follows converges fast near a minimum, so the simplex only needs to
    // find the basin: it stops when its values agree to 1e-8 of the starting objective.
    let f0 = problem.cost(&start).unwrap_or(f64::INFINITY);
    let tolerance = if f0.is_finite() { 1e-8 * f0 } else { 0.0 };
    let Ok(solver) = NelderMead::new(simplex).with_sd_tolerance(tolerance) else {
        return x0;
    };
    match Executor::new(problem, solver)
        .configure(|s| s.max_iters(max_iterations))
        .run()
    {
        Ok(result) => result
            .state()
            .get_best_param()
            .map_or(x0, |p| p.as_slice().to_vec()),
        Err(_) => x0,
    }
}
