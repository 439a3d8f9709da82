//! Variable projection for the laws whose scales enter linearly (method.md §2, "fitting
//! practice"): for fixed exponents θ, the paper law is `L = Σ_j c_j·φ_j(θ)` with
//! c = (κ_l, κ_ρ, κ_d, κ_m, L_∞), Chinchilla with c = (E, A, B). The c minimising the
//! relative squared error Σ w_i·((Φc − L)_i / L_i)² (a first-order stand-in for the log
//! residuals) is found exactly by non-negative least squares, so the outer search only moves θ.
//!
//! Non-negativity: every scale and L_∞/E is ≥ 0 (losses and their parts are positive). The
//! NNLS problem has at most 5 unknowns, so it is solved exactly by trying every support set
//! (≤ 31 Cholesky solves of ≤ 5×5 normal equations on unit-scaled columns); the best feasible
//! one is the NNLS optimum. Variable projection is exact only for plain least squares on
//! linear residuals, so its result is a starting point: the fitter then polishes all
//! parameters together on the Huber-log objective. The split and the terms φ_j come from the
//! law ([`Law::basis`]); only the grid of starting exponents is this solver's choice.

use super::data::Data;
use crate::model::law::Law;
use nalgebra::{DMatrix, DVector};

/// Which parameters of a separable law enter linearly.
pub(crate) struct Separable {
    /// Indices of the linear parameters, in basis order.
    pub linear: &'static [usize],
    /// Indices of the exponents, searched by the outer solver.
    pub nonlinear: &'static [usize],
    /// Starting values tried for each exponent (a full grid is screened).
    pub grid: &'static [&'static [f64]],
}

impl Separable {
    /// The split of `law` (from the law) with this solver's grid of starting exponents;
    /// `None` for a custom formula.
    pub(crate) fn of(law: &Law) -> Option<Separable> {
        let (linear, nonlinear) = law.linear_params()?;
        let grid: &'static [&'static [f64]] = match law {
            Law::Paper(_) => &[
                &[0.5, 1.0, 2.0],
                &[0.5, 1.0, 2.0],
                &[-0.5, 0.0, 0.5],
                &[0.3, 0.7, 1.2],
                &[0.1, 0.3, 0.8],
                &[0.05, 0.2, 0.5],
            ],
            _ => &[
                &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
                &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
            ],
        };
        debug_assert_eq!(grid.len(), nonlinear.len());
        Some(Separable {
            linear,
            nonlinear,
            grid,
        })
    }

    /// Every point of the exponent grid, as full parameter vectors (scales zero).
    pub(crate) fn grid_points(&self, n_params: usize) -> Vec<Vec<f64>> {
        let mut points = vec![vec![0.0; n_params]];
        for (axis, values) in self.nonlinear.iter().zip(self.grid) {
            let mut next = Vec::with_capacity(points.len() * values.len());
            for p in &points {
                for v in *values {
                    let mut q = p.clone();
                    q[*axis] = *v;
                    next.push(q);
                }
            }
            points = next;
        }
        points
    }

    /// Fills the linear parameters of `p` (exponents as given) with the weighted NNLS optimum.
    /// Returns false when no basis column is usable (all weights zero or basis not finite).
    pub(crate) fn project(&self, law: &Law, data: &Data, weights: &[f64], p: &mut [f64]) -> bool {
        let k = self.linear.len();
        let mut gram = [[0.0f64; 5]; 5];
        let mut h = [0.0f64; 5];
        let mut phi = [0.0f64; 5];
        for (i, &w) in weights.iter().enumerate().take(data.len()) {
            if w == 0.0 {
                continue;
            }
            law.basis(p, data.row(i), &mut phi[..k]);
            let inv_y = 1.0 / data.y[i];
            for a in 0..k {
                let fa = phi[a] * inv_y;
                h[a] += w * fa;
                for b in 0..=a {
                    gram[a][b] += w * fa * phi[b] * inv_y;
                }
            }
        }
        let scale: Vec<f64> = (0..k)
            .map(|a| {
                if gram[a][a] > 0.0 && gram[a][a].is_finite() {
                    1.0 / gram[a][a].sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        if scale.iter().all(|s| *s == 0.0) {
            return false;
        }
        let mut best: Option<(f64, Vec<f64>)> = None;
        for set in 1u32..(1 << k) {
            let cols: Vec<usize> = (0..k)
                .filter(|a| set & (1 << a) != 0 && scale[*a] > 0.0)
                .collect();
            if cols.len() != set.count_ones() as usize {
                continue;
            }
            let n = cols.len();
            let g = DMatrix::from_fn(n, n, |r, c| {
                let (a, b) = (cols[r].max(cols[c]), cols[r].min(cols[c]));
                gram[a][b] * scale[cols[r]] * scale[cols[c]]
            });
            let rhs = DVector::from_fn(n, |r, _| h[cols[r]] * scale[cols[r]]);
            let Some(chol) = g.cholesky() else { continue };
            let c = chol.solve(&rhs);
            if c.iter().any(|v| *v < 0.0 || !v.is_finite()) {
                continue;
            }
            // Residual up to the constant Σw: −2cᵀh + cᵀGc = −cᵀh at the solution.
            let value = -c.dot(&rhs);
            if best.as_ref().is_none_or(|(b, _)| value < *b) {
                let mut full = vec![0.0; k];
                for (r, a) in cols.iter().enumerate() {
                    full[*a] = c[r] * scale[*a];
                }
                best = Some((value, full));
            }
        }
        let Some((_, c)) = best else { return false };
        for (j, idx) in self.linear.iter().enumerate() {
            p[*idx] = c[j];
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::law::Chinchilla;

    #[test]
    fn projection_recovers_the_scales_exactly_for_known_exponents() {
        let law = Law::Chinchilla(Chinchilla::epoch_refit());
        let truth = Chinchilla::epoch_refit().values();
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..40 {
            let (n, d) = (1e7 * 1.2f64.powi(i), 1e9 * 1.1f64.powi(40 - i));
            let row = [n.ln(), d.ln()];
            y.push(law.value_at(&truth, &row));
            x.extend(row);
        }
        let ln_y = y.iter().map(|v: &f64| v.ln()).collect();
        let data = Data { m: 2, x, y, ln_y };
        let sep = Separable::of(&law).unwrap();
        let mut p = vec![0.0, 0.0, 0.0, truth[3], truth[4]];
        assert!(sep.project(&law, &data, &[1.0; 40], &mut p));
        for j in 0..3 {
            assert!(
                (p[j] - truth[j]).abs() < 1e-6 * truth[j],
                "{j}: {} vs {}",
                p[j],
                truth[j]
            );
        }
        // A negative best fit for one scale is clamped to zero, not returned negative.
        let mut wrong = vec![0.0, 0.0, 0.0, 3.0, 0.01];
        assert!(sep.project(&law, &data, &[1.0; 40], &mut wrong));
        assert!(wrong[..3].iter().all(|c| *c >= 0.0));
    }
}
