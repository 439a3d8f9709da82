//! The fitting problem: the robust objective of method.md §2 (Huber on log residuals, summed)
//! over the training rows, in the solver's unconstrained coordinates (`transform.rs`), in the
//! shape argmin's solvers take. The law supplies its value and gradient
//! ([`Law::value_and_gradient`]); the objective only chains them with the loss and the bounds.

use super::data::Data;
use super::transform::Transform;
use crate::model::law::Law;
pub(crate) use crate::model::robust_loss::Loss;
use argmin::core::{CostFunction, Error, Gradient};
use nalgebra::{DMatrix, DVector};
use std::cell::{Cell, RefCell};

/// Σ w_i·ρ(ln L̂_i − ln L_i) over the rows, as a function of the solver's coordinates.
/// Counts evaluations and remembers the best point seen, so a solver that stops on an error
/// still leaves its progress behind.
pub(crate) struct Objective<'a> {
    pub law: &'a Law,
    pub data: &'a Data,
    /// Row weights: 0 leaves a row out (held out), counts resample it (bootstrap).
    pub weights: &'a [f64],
    pub loss: Loss,
    pub transforms: &'a [Transform],
    pub evaluations: Cell<u64>,
    best: RefCell<(f64, Vec<f64>)>,
    cache: RefCell<(Vec<f64>, f64, Vec<f64>)>,
    scratch: RefCell<(Vec<f64>, Vec<f64>, Vec<f64>)>,
}

impl<'a> Objective<'a> {
    pub(crate) fn new(
        law: &'a Law,
        data: &'a Data,
        weights: &'a [f64],
        loss: Loss,
        transforms: &'a [Transform],
    ) -> Objective<'a> {
        Objective {
            law,
            data,
            weights,
            loss,
            transforms,
            evaluations: Cell::new(0),
            best: RefCell::new((f64::INFINITY, Vec::new())),
            cache: RefCell::new((Vec::new(), f64::NAN, Vec::new())),
            scratch: RefCell::new((Vec::new(), Vec::new(), Vec::new())),
        }
    }

    pub(crate) fn params(&self, u: &[f64]) -> Vec<f64> {
        u.iter()
            .zip(self.transforms)
            .map(|(u, t)| t.value(*u))
            .collect()
    }

    pub(crate) fn coordinates(&self, p: &[f64]) -> Vec<f64> {
        p.iter()
            .zip(self.transforms)
            .map(|(p, t)| t.coordinate(*p))
            .collect()
    }

    /// The objective at law parameters `p` (not coordinates); `INFINITY` when a prediction is
    /// not positive and finite.
    pub(crate) fn at_params(&self, p: &[f64]) -> f64 {
        let mut total = 0.0;
        for i in 0..self.data.len() {
            let w = self.weights[i];
            if w == 0.0 {
                continue;
            }
            let l = self.law.value_at(p, self.data.row(i));
            if !(l > 0.0 && l.is_finite()) {
                return f64::INFINITY;
            }
            total += w * self.loss.rho(l.ln() - self.data.ln_y[i]);
        }
        total
    }

    /// Objective and gradient at coordinates `u`; cached, so argmin's separate cost and
    /// gradient calls at one point cost one pass.
    pub(crate) fn eval(&self, u: &[f64]) -> (f64, Vec<f64>) {
        {
            let c = self.cache.borrow();
            if c.0.as_slice() == u {
                return (c.1, c.2.clone());
            }
        }
        self.evaluations.set(self.evaluations.get() + 1);
        let k = u.len();
        let mut guard = self.scratch.borrow_mut();
        let (p, g, scratch) = &mut *guard;
        p.clear();
        p.extend(u.iter().zip(self.transforms).map(|(u, t)| t.value(*u)));
        g.resize(k, 0.0);
        let mut grad = vec![0.0; k];
        let mut total = 0.0;
        let mut ok = true;
        for i in 0..self.data.len() {
            let w = self.weights[i];
            if w == 0.0 {
                continue;
            }
            let l = self.law.value_and_gradient(p, self.data.row(i), g, scratch);
            if !(l > 0.0 && l.is_finite()) {
                ok = false;
                break;
            }
            let (rho, psi) = self.loss.rho_psi(l.ln() - self.data.ln_y[i]);
            total += w * rho;
            let f = w * psi / l;
            for (gj, dj) in grad.iter_mut().zip(g.iter()) {
                *gj += f * dj;
            }
        }
        if !ok || !total.is_finite() || grad.iter().any(|g| !g.is_finite()) {
            total = f64::INFINITY;
            grad.fill(0.0);
        } else {
            for ((gj, t), uj) in grad.iter_mut().zip(self.transforms).zip(u) {
                *gj *= t.slope(*uj);
            }
        }
        let mut best = self.best.borrow_mut();
        if total < best.0 {
            *best = (total, u.to_vec());
        }
        *self.cache.borrow_mut() = (u.to_vec(), total, grad.clone());
        (total, grad)
    }

    /// Gauss–Newton approximation of the Hessian at `u`: Σ w_i·ω_i·∇r_i∇r_iᵀ with the IRLS
    /// weight ω = ψ(r)/r of the loss (1 inside Huber's δ). `None` where a prediction fails.
    pub(crate) fn gauss_newton(&self, u: &[f64]) -> Option<DMatrix<f64>> {
        let k = u.len();
        let p = self.params(u);
        let slopes: Vec<f64> = u
            .iter()
            .zip(self.transforms)
            .map(|(u, t)| t.slope(*u))
            .collect();
        let mut g = vec![0.0; k];
        let mut scratch = Vec::new();
        let mut h = DMatrix::<f64>::zeros(k, k);
        for i in 0..self.data.len() {
            let w = self.weights[i];
            if w == 0.0 {
                continue;
            }
            let l = self
                .law
                .value_and_gradient(&p, self.data.row(i), &mut g, &mut scratch);
            if !(l > 0.0 && l.is_finite()) {
                return None;
            }
            let r = l.ln() - self.data.ln_y[i];
            let omega = self.loss.weight(r);
            for (gj, s) in g.iter_mut().zip(&slopes) {
                *gj *= s / l;
            }
            let f = w * omega;
            for a in 0..k {
                for b in 0..=a {
                    h[(a, b)] += f * g[a] * g[b];
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                h[(b, a)] = h[(a, b)];
            }
        }
        h.iter().all(|v| v.is_finite()).then_some(h)
    }

    /// Lowest objective seen and its coordinates.
    pub(crate) fn best(&self) -> (f64, Vec<f64>) {
        self.best.borrow().clone()
    }
}

/// argmin sees the objective through a shared reference.
pub(crate) struct Argmin<'o, 'a>(pub &'o Objective<'a>);

impl CostFunction for Argmin<'_, '_> {
    type Param = DVector<f64>;
    type Output = f64;
    fn cost(&self, u: &DVector<f64>) -> Result<f64, Error> {
        Ok(self.0.eval(u.as_slice()).0)
    }
}

impl Gradient for Argmin<'_, '_> {
    type Param = DVector<f64>;
    type Gradient = DVector<f64>;
    fn gradient(&self, u: &DVector<f64>) -> Result<DVector<f64>, Error> {
        Ok(DVector::from_vec(self.0.eval(u.as_slice()).1))
    }
}

/// The objective in whitened coordinates z, `u = u0 + P·z`: with P from the Gauss–Newton
/// Hessian (`P·Pᵀ ≈ H⁻¹`) the problem looks round to L-BFGS, which then needs a few dozen
/// iterations where the raw coordinates (κ_m and L_∞ nearly interchangeable) need hundreds.
pub(crate) struct Whitened<'o, 'a> {
    pub objective: &'o Objective<'a>,
    pub origin: Vec<f64>,
    pub map: DMatrix<f64>,
}

impl Whitened<'_, '_> {
    /// `P = V·Λ^(−1/2)` from `H = V·Λ·Vᵀ`, eigenvalues floored at 1e-12 of the largest so flat
    /// directions get large but finite steps; identity when H is unusable.
    pub(crate) fn map_for(h: Option<DMatrix<f64>>, k: usize) -> DMatrix<f64> {
        let Some(h) = h else {
            return DMatrix::identity(k, k);
        };
        let eig = h.symmetric_eigen();
        let top = eig.eigenvalues.iter().fold(0.0f64, |a, b| a.max(*b));
        if !(top > 0.0 && top.is_finite()) {
            return DMatrix::identity(k, k);
        }
        let mut map = eig.eigenvectors;
        for (j, lambda) in eig.eigenvalues.iter().enumerate() {
            let scale = 1.0 / lambda.max(1e-12 * top).sqrt();
            for i in 0..k {
                map[(i, j)] *= scale;
            }
        }
        map
    }

    pub(crate) fn coordinates(&self, z: &[f64]) -> Vec<f64> {
        let u = &self.map * DVector::from_column_slice(z);
        u.iter().zip(&self.origin).map(|(a, b)| a + b).collect()
    }
}

impl CostFunction for Whitened<'_, '_> {
    type Param = DVector<f64>;
    type Output = f64;
    fn cost(&self, z: &DVector<f64>) -> Result<f64, Error> {
        Ok(self.objective.eval(&self.coordinates(z.as_slice())).0)
    }
}

impl Gradient for Whitened<'_, '_> {
    type Param = DVector<f64>;
    type Gradient = DVector<f64>;
    fn gradient(&self, z: &DVector<f64>) -> Result<DVector<f64>, Error> {
        let g = self.objective.eval(&self.coordinates(z.as_slice())).1;
        Ok(self.map.tr_mul(&DVector::from_vec(g)))
    }
}
