//! The fit: bandwidth fraction b, compute fraction c, overhead o per layer and step, and the
//! bandwidth fractions b_f of up to [`MAX_FORMAT_FRACTIONS`] weight formats measured apart.
//!
//! A measured phase of n steps of an L-layer model is predicted as T(b, c) + n·L·o, T from
//! [`PhaseTable`], with b_f in place of b for a phase in a format of its own; an
//! [`Observation`]'s `steps` is n·L. The loss is
//! the Huber loss (δ = 0.1, about 10 %) of log residuals ln(predicted/measured), summed: scale
//! free, so a 2 s decode and a 20 ms prefill weigh alike, and quadratic for the few-per-cent
//! scatter of real timings while a bad row pulls only linearly. It is the law fit's loss, from
//! `robust_loss.rs`.
//!
//! Solver, deterministic: a log-spaced grid over the free fractions, with the overhead at each
//! point solved in closed form from the linearised (relative-error) problem; then projected
//! Levenberg–Marquardt in (ln b, ln c, o, ln b_f) from the best grid point (each b_f starting
//! at b), on the exact Jacobian: the
//! compute-bound and memory-bound parts of T are its derivatives with respect to −ln c and −ln b
//! ([`Split`]). Bounds: fractions in [`MIN_FRACTION`, 1], overhead ≥ 0. A problem of at most
//! six parameters needs no general optimiser; argmin's would add iterations, not accuracy. It says why
//! it stopped ([`TerminationReason`], as the law fit does), so a run cut off by the iteration
//! limit is reported rather than passed off as a fit.

use super::timing::{PhaseTable, Split};
use crate::model::fit::TerminationReason;
use crate::model::format_fractions::MAX_FORMAT_FRACTIONS;
use crate::model::robust_loss::Loss;
use nalgebra::{DMatrix, DVector};

/// Smallest fraction the fit considers: a device a thousand times below its rated numbers is a
/// unit mistake, not a calibration.
pub const MIN_FRACTION: f64 = 1e-3;
/// Huber threshold on ln(predicted/measured).
pub const HUBER_DELTA: f64 = 0.1;
/// Grid points per fraction, log-spaced over [`MIN_FRACTION`, 1] (about 15 % apart).
const GRID: usize = 49;
/// Levenberg–Marquardt iterations allowed; a good start converges in a few dozen.
pub(crate) const MAX_ITERATIONS: usize = 500;
/// The loss on log residuals.
const LOSS: Loss = Loss::Huber(HUBER_DELTA);
/// Parameters: ln b, ln c, o, then ln b_f of each format of its own.
const P: usize = 3 + MAX_FORMAT_FRACTIONS;

/// One measured phase.
#[derive(Clone, Debug)]
pub(crate) struct Observation {
    pub table: PhaseTable,
    /// Layer-steps the overhead is paid for: L for a prefill, S_out·L for a decode.
    pub steps: f64,
    pub measured_s: f64,
    /// 0: read at b; k ≥ 1: in the k-th format of its own, read at b_f[k − 1].
    pub format: usize,
}

/// A point of the parameter space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Point {
    pub bandwidth: f64,
    pub compute: f64,
    pub overhead_s: f64,
    /// Fractions of the formats of their own (unused entries: anything).
    pub formats: [f64; MAX_FORMAT_FRACTIONS],
}

impl Point {
    /// The bandwidth fraction a phase in `format` (as [`Observation::format`]) reads at.
    pub fn bandwidth_of(&self, format: usize) -> f64 {
        if format == 0 {
            self.bandwidth
        } else {
            self.formats[format - 1]
        }
    }
}

/// Which parameters move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Free {
    pub bandwidth: bool,
    pub compute: bool,
    pub overhead: bool,
    /// The first `formats` formats of their own have a free fraction.
    pub formats: usize,
}

impl Free {
    pub fn count(self) -> usize {
        self.bandwidth as usize + self.compute as usize + self.overhead as usize + self.formats
    }

    fn mask(self) -> [bool; P] {
        let mut m = [false; P];
        m[0] = self.bandwidth;
        m[1] = self.compute;
        m[2] = self.overhead;
        for k in 0..self.formats.min(MAX_FORMAT_FRACTIONS) {
            m[3 + k] = true;
        }
        m
    }
}

impl Observation {
    pub fn split(&self, p: Point) -> Split {
        self.table
            .split(1.0 / p.compute, 1.0 / p.bandwidth_of(self.format))
    }

    pub fn predict(&self, p: Point) -> f64 {
        self.split(p).total() + self.steps * p.overhead_s
    }
}

/// The summed Huber loss of log residuals.
pub(crate) fn objective(obs: &[Observation], p: Point) -> f64 {
    obs.iter()
        .map(|o| LOSS.rho((o.predict(p) / o.measured_s).ln()))
        .sum()
}

/// Overhead minimising Σ ((T + n·o − y)/y)², at least 0: the log loss linearised.
fn overhead_for(obs: &[Observation], times: &[f64]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (o, t) in obs.iter().zip(times) {
        let a = o.steps / o.measured_s;
        num += a * (o.measured_s - t) / o.measured_s;
        den += a * a;
    }
    if den > 0.0 {
        (num / den).max(0.0)
    } else {
        0.0
    }
}

/// Fractions of the grid, 1 first, so that on a flat stretch the largest wins.
fn grid(free: bool, fixed: f64) -> Vec<f64> {
    if !free {
        return vec![fixed];
    }
    let lo = MIN_FRACTION.log10();
    (0..GRID)
        .map(|k| 10f64.powf(lo * k as f64 / (GRID - 1) as f64))
        .collect()
}

/// Best grid point; fixed parameters keep their value in `start`.
fn screen(obs: &[Observation], free: Free, start: Point) -> Point {
    let mut best = (f64::INFINITY, start);
    let mut times = vec![0.0; obs.len()];
    for &bandwidth in &grid(free.bandwidth, start.bandwidth) {
        for &compute in &grid(free.compute, start.compute) {
            let mut p = Point {
                bandwidth,
                compute,
                overhead_s: start.overhead_s,
                // Free formats start where b is; fixed ones keep theirs.
                formats: std::array::from_fn(|k| {
                    if k < free.formats {
                        bandwidth
                    } else {
                        start.formats[k]
                    }
                }),
            };
            for (t, o) in times.iter_mut().zip(obs) {
                *t = o.split(p).total();
            }
            if free.overhead {
                p.overhead_s = overhead_for(obs, &times);
            }
            let phi: f64 = obs
                .iter()
                .zip(&times)
                .map(|(o, t)| LOSS.rho(((t + o.steps * p.overhead_s) / o.measured_s).ln()))
                .sum();
            if phi < best.0 {
                best = (phi, p);
            }
        }
    }
    best.1
}

/// Parameters in the solver's coordinates: ln b, ln c, o, ln b_f.
fn to_x(p: Point) -> [f64; P] {
    let mut x = [0.0; P];
    x[0] = p.bandwidth.ln();
    x[1] = p.compute.ln();
    x[2] = p.overhead_s;
    for k in 0..MAX_FORMAT_FRACTIONS {
        x[3 + k] = p.formats[k].ln();
    }
    x
}

fn from_x(x: [f64; P]) -> Point {
    Point {
        bandwidth: x[0].exp(),
        compute: x[1].exp(),
        overhead_s: x[2],
        formats: std::array::from_fn(|k| x[3 + k].exp()),
    }
}

/// Whether parameter `i` is a fraction (in log coordinates), not the overhead.
fn is_fraction(i: usize) -> bool {
    i != 2
}

/// Free parameters into their bounds; fixed ones stay as given (a device may hold a fraction
/// below [`MIN_FRACTION`]).
fn clamp(x: [f64; P], mask: [bool; P]) -> [f64; P] {
    let lo = MIN_FRACTION.ln();
    std::array::from_fn(|i| match (mask[i], is_fraction(i)) {
        (false, _) => x[i],
        (true, true) => x[i].clamp(lo, 0.0),
        (true, false) => x[i].max(0.0),
    })
}

/// Log residual of every observation and its gradient in (ln b, ln c, o, ln b_f), with Huber
/// weights.
fn linearise(obs: &[Observation], p: Point) -> Vec<(f64, [f64; P], f64)> {
    obs.iter()
        .map(|o| {
            let s = o.split(p);
            let pred = s.total() + o.steps * p.overhead_s;
            let r = (pred / o.measured_s).ln();
            let w = LOSS.weight(r);
            let mut j = [0.0; P];
            // The memory-bound time moves with the fraction this phase reads at.
            j[if o.format == 0 { 0 } else { 2 + o.format }] = -s.memory / pred;
            j[1] = -s.compute / pred;
            j[2] = o.steps / pred;
            (r, j, w)
        })
        .collect()
}

/// Weighted normal matrix JᵀWJ and gradient JᵀWr over the parameters in `active`.
fn normal_equations(
    rows: &[(f64, [f64; P], f64)],
    active: &[usize],
) -> (DMatrix<f64>, DVector<f64>) {
    let k = active.len();
    let mut h = DMatrix::zeros(k, k);
    let mut g = DVector::zeros(k);
    for (r, j, w) in rows {
        for (a, &pa) in active.iter().enumerate() {
            g[a] += w * j[pa] * r;
            for (b, &pb) in active.iter().enumerate() {
                h[(a, b)] += w * j[pa] * j[pb];
            }
        }
    }
    (h, g)
}

/// Projected Levenberg–Marquardt from `start` over the free parameters, at most
/// `max_iterations` steps; the point and why the search stopped.
fn refine(
    obs: &[Observation],
    free: Free,
    start: Point,
    max_iterations: usize,
) -> (Point, TerminationReason) {
    let mask = free.mask();
    // Overhead steps are judged against the mean measured time per step.
    let per_step =
        obs.iter().map(|o| o.measured_s / o.steps).sum::<f64>() / obs.len().max(1) as f64;
    let scale: [f64; P] = std::array::from_fn(|i| {
        if i == 2 {
            per_step.max(f64::MIN_POSITIVE)
        } else {
            1.0
        }
    });
    let lo = MIN_FRACTION.ln();
    let mut x = clamp(to_x(start), mask);
    let mut phi = objective(obs, from_x(x));
    let mut lambda = 1e-3;
    for _ in 0..max_iterations {
        // An exact fit: nothing left to lower.
        if phi <= 1e-30 {
            return (from_x(x), TerminationReason::Converged);
        }
        let rows = linearise(obs, from_x(x));
        let all: Vec<usize> = (0..P).collect();
        let (h_all, g_all) = normal_equations(&rows, &all);
        // A parameter moves if it is free, has an effect, and is not held by a bound it is
        // pushed against.
        let active: Vec<usize> = (0..P)
            .filter(|&i| {
                let at_lower = x[i] <= if is_fraction(i) { lo } else { 0.0 };
                let at_upper = is_fraction(i) && x[i] >= 0.0;
                // The step goes along −g: outward at a lower bound when g > 0.
                let held = (at_lower && g_all[i] > 0.0) || (at_upper && g_all[i] < 0.0);
                mask[i] && h_all[(i, i)] > 0.0 && !held
            })
            .collect();
        // Every parameter fixed, without effect, or held by its bound: a constrained minimum.
        if active.is_empty() {
            return (from_x(x), TerminationReason::Converged);
        }
        let (h, g) = normal_equations(&rows, &active);
        let mut accepted = false;
        while lambda < 1e12 {
            let mut damped = h.clone();
            for a in 0..active.len() {
                damped[(a, a)] += lambda * h[(a, a)];
            }
            let Some(chol) = damped.cholesky() else {
                lambda *= 10.0;
                continue;
            };
            let step = chol.solve(&(-&g));
            let mut trial = x;
            for (a, &i) in active.iter().enumerate() {
                trial[i] += step[a];
            }
            let trial = clamp(trial, mask);
            let trial_phi = objective(obs, from_x(trial));
            if trial_phi < phi {
                let moved = (0..P)
                    .map(|i| (trial[i] - x[i]).abs() / scale[i])
                    .fold(0.0, f64::max);
                x = trial;
                phi = trial_phi;
                lambda = (lambda / 3.0).max(1e-12);
                accepted = true;
                if moved < 1e-12 {
                    return (from_x(x), TerminationReason::Converged);
                }
                break;
            }
            lambda *= 4.0;
        }
        if !accepted {
            return (from_x(x), TerminationReason::NoFurtherProgress);
        }
    }
    (from_x(x), TerminationReason::MaxIterations)
}

/// The best point over the free parameters (fixed ones keep their value in `start`), found
/// within `max_iterations` refining steps, and why the refinement stopped.
pub(crate) fn fit(
    obs: &[Observation],
    free: Free,
    start: Point,
    max_iterations: usize,
) -> (Point, TerminationReason) {
    let screened = screen(obs, free, start);
    let (p, termination) = refine(obs, free, screened, max_iterations);
    // Exactly as given, not through exp(ln(·)).
    let point = Point {
        bandwidth: if free.bandwidth {
            p.bandwidth
        } else {
            start.bandwidth
        },
        compute: if free.compute {
            p.compute
        } else {
            start.compute
        },
        overhead_s: if free.overhead {
            p.overhead_s
        } else {
            start.overhead_s
        },
        formats: std::array::from_fn(|k| {
            if k < free.formats {
                p.formats[k]
            } else {
                start.formats[k]
            }
        }),
    };
    (point, termination)
}

/// Largest share of a predicted time spent in memory-bound and in compute-bound operators:
/// near 0, the data say nothing about that fraction.
pub(crate) fn shares(obs: &[Observation], p: Point) -> (f64, f64) {
    obs.iter().fold((0.0, 0.0), |(m, c), o| {
        let s = o.split(p);
        let pred = s.total() + o.steps * p.overhead_s;
        (m.max(s.memory / pred), c.max(s.compute / pred))
    })
}

/// Correlations of the estimates of the free parameters that are off their bounds, from the
/// inverse of JᵀWJ: (i, j, correlation) for each pair of b, c and o (indices 0, 1, 2; the
/// formats' fractions take part in the inverse); ±1 when the matrix is singular.
pub(crate) fn correlations(obs: &[Observation], free: Free, p: Point) -> Vec<(usize, usize, f64)> {
    let x = to_x(p);
    let lo = MIN_FRACTION.ln();
    let mask = free.mask();
    let inner: Vec<usize> = (0..P)
        .filter(|&i| {
            mask[i]
                && if is_fraction(i) {
                    x[i] > lo && x[i] < 0.0
                } else {
                    x[i] > 0.0
                }
        })
        .collect();
    if inner.len() < 2 {
        return Vec::new();
    }
    let rows = linearise(obs, p);
    let (h, _) = normal_equations(&rows, &inner);
    let inverse = h.clone().cholesky().map(|c| c.inverse());
    let mut out = Vec::new();
    for a in 0..inner.len() {
        for b in a + 1..inner.len() {
            if inner[b] > 2 {
                continue;
            }
            let corr = match &inverse {
                Some(c) => c[(a, b)] / (c[(a, a)] * c[(b, b)]).sqrt(),
                None => 1.0,
            };
            out.push((inner[a], inner[b], corr));
        }
    }
    out
}
