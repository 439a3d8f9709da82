//! The solver (method.md §2, "fitting practice"): screen starting points (the exponent grid
//! with scales from variable projection, or perturbed user values), refine the best few with
//! argmin's Nelder–Mead, polish each with argmin's L-BFGS in whitened coordinates, keep the
//! lowest; then the bootstrap's refits. It sees the law only through the objective.

use super::bootstrap;
use super::data::Data;
use super::objective::{Argmin, Loss, Objective, Whitened};
use super::transform::Transform;
use super::varpro::Separable;
use super::{FitProgress, TerminationReason};
use crate::model::law::Law;
use argmin::core::{CostFunction, Error, Executor, State, TerminationReason as ArgminReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;
use nalgebra::{DMatrix, DVector};
use rand::rngs::SmallRng;
use rand::Rng;
use std::cell::Cell;
use std::ops::ControlFlow;

/// Iterations of each bootstrap polish: resamples start at the full fit, and the few that
/// crawl along a flat valley would otherwise dominate the time.
const BOOTSTRAP_ITERATIONS: u64 = 200;

/// Condition number (of the Jacobian of log predictions in relative parameter changes) above
/// which parameters are reported as trading off: a relative change of one parameter can then
/// be undone by others to within 1e-8 of its effect.
pub(super) const ILL_CONDITIONED: f64 = 1e8;

/// One refined start.
pub(super) struct Solution {
    pub params: Vec<f64>,
    pub objective: f64,
    pub termination: TerminationReason,
}

/// The best of the refined starts.
pub(super) struct MultiStart {
    pub best: Option<Solution>,
    pub refined: usize,
    pub cancelled: bool,
}

/// Parameters of each resample that fitted.
pub(super) struct Bootstrap {
    pub samples: Vec<Vec<f64>>,
    pub failed: usize,
    pub cancelled: bool,
}

/// What every solver run of one fit shares.
pub(super) struct Context<'a> {
    pub law: &'a Law,
    pub data: &'a Data,
    pub loss: Loss,
    pub transforms: &'a [Transform],
    pub max_iterations: u64,
    pub evaluations: Cell<u64>,
}

impl<'a> Context<'a> {
    fn objective<'s>(&'s self, weights: &'s [f64]) -> Objective<'s> {
        Objective::new(self.law, self.data, weights, self.loss, self.transforms)
    }

    /// Screens starting points, refines the best `starts`, keeps the lowest objective.
    pub(super) fn multi_start(
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
    pub(super) fn bootstrap(
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
    pub(super) fn condition(&self, params: &[f64], weights: &[f64]) -> Option<f64> {
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
