//! A law's value and gradient with respect to its parameters at one row of fitting data: all a
//! fitter needs from a law (argmin's `CostFunction` + `Gradient`, levenberg-marquardt's
//! residuals + Jacobian). The law supplies them, so each form is written once, here, and the
//! fitter never indexes into a formula.
//!
//! Rows are in the law's fitting form ([`Law::reads_logs`]): the built-in laws read the
//! logarithms of their variables, so that every power is one `exp` (the fit evaluates the law
//! millions of times) and the derivative of `x^−α` in α is `−ln x·x^−α`; a custom formula reads
//! its variables as they are.

use super::{Chinchilla, Law, PaperLaw};

impl PaperLaw {
    /// Parameters that enter linearly (κ_l, κ_ρ, κ_d, κ_m, L_∞), in [`PaperLaw::basis`] order.
    pub const LINEAR: [usize; 5] = [0, 2, 5, 8, 10];
    /// The exponents (α_l, α_ρ, β1, β2, α_r, α_m).
    pub const EXPONENTS: [usize; 6] = [1, 3, 4, 6, 7, 9];

    /// The terms the linear parameters multiply at parameters `p` and a row of logarithms
    /// (ln l, ln d, ln r, ln ρ, ln d_m): `L = Σ_j p[LINEAR[j]]·φ_j`.
    #[inline]
    pub fn basis(p: &[f64], ln_x: &[f64]) -> [f64; 5] {
        let (ll, ld, lr, lrho, ldm) = (ln_x[0], ln_x[1], ln_x[2], ln_x[3], ln_x[4]);
        [
            (-p[1] * ll).exp(),
            (p[3] * lrho - p[7] * lr - p[4] * ld).exp(),
            (-p[7] * lr - p[6] * ld).exp(),
            (-p[9] * ldm).exp(),
            1.0,
        ]
    }

    /// The law at parameters `p` and a row of logarithms.
    #[inline]
    pub fn value_at_logs(p: &[f64], ln_x: &[f64]) -> f64 {
        let [tl, trho, td, tm, _] = Self::basis(p, ln_x);
        p[0] * tl + p[2] * trho + p[5] * td + p[8] * tm + p[10]
    }

    /// The law and its gradient in `p` (into `grad`, 11 long) at a row of logarithms.
    #[inline]
    pub fn value_and_gradient(p: &[f64], ln_x: &[f64], grad: &mut [f64]) -> f64 {
        let (ll, ld, lr, lrho, ldm) = (ln_x[0], ln_x[1], ln_x[2], ln_x[3], ln_x[4]);
        let [tl, trho, td, tm, _] = Self::basis(p, ln_x);
        grad[0] = tl;
        grad[1] = -p[0] * tl * ll;
        grad[2] = trho;
        grad[3] = p[2] * trho * lrho;
        grad[4] = -p[2] * trho * ld;
        grad[5] = td;
        grad[6] = -p[5] * td * ld;
        grad[7] = -(p[2] * trho + p[5] * td) * lr;
        grad[8] = tm;
        grad[9] = -p[8] * tm * ldm;
        grad[10] = 1.0;
        p[0] * tl + p[2] * trho + p[5] * td + p[8] * tm + p[10]
    }
}

impl Chinchilla {
    /// Parameters that enter linearly (E, A, B), in [`Chinchilla::basis`] order.
    pub const LINEAR: [usize; 3] = [0, 1, 2];
    /// The exponents (α, β).
    pub const EXPONENTS: [usize; 2] = [3, 4];

    /// The terms E, A and B multiply at parameters `p` and a row (ln N, ln D).
    #[inline]
    pub fn basis(p: &[f64], ln_x: &[f64]) -> [f64; 3] {
        [1.0, (-p[3] * ln_x[0]).exp(), (-p[4] * ln_x[1]).exp()]
    }

    /// The law at parameters `p` and a row (ln N, ln D).
    #[inline]
    pub fn value_at_logs(p: &[f64], ln_x: &[f64]) -> f64 {
        let [_, tn, td] = Self::basis(p, ln_x);
        p[0] + p[1] * tn + p[2] * td
    }

    /// The law and its gradient in `p` (into `grad`, 5 long) at a row (ln N, ln D).
    #[inline]
    pub fn value_and_gradient(p: &[f64], ln_x: &[f64], grad: &mut [f64]) -> f64 {
        let [_, tn, td] = Self::basis(p, ln_x);
        grad[0] = 1.0;
        grad[1] = tn;
        grad[2] = td;
        grad[3] = -p[1] * tn * ln_x[0];
        grad[4] = -p[2] * td * ln_x[1];
        p[0] + p[1] * tn + p[2] * td
    }
}

impl Law {
    /// Whether fitting rows hold the logarithms of [`Law::variables`] (each must then be
    /// positive) rather than the values.
    pub fn reads_logs(&self) -> bool {
        !matches!(self, Law::Custom(_))
    }

    /// The law's form at parameters `p` (not its own values) and one fitting row.
    #[inline]
    pub fn value_at(&self, p: &[f64], row: &[f64]) -> f64 {
        match self {
            Law::Paper(_) => PaperLaw::value_at_logs(p, row),
            Law::Chinchilla(_) => Chinchilla::value_at_logs(p, row),
            Law::Custom(c) => c.formula.eval(p, row),
        }
    }

    /// [`Law::value_at`] and its gradient in `p` (into `grad`, one per parameter): analytic for
    /// the built-in forms, forward mode through the formula for a custom law, whose `scratch`
    /// working memory is reused between calls.
    #[inline]
    pub fn value_and_gradient(
        &self,
        p: &[f64],
        row: &[f64],
        grad: &mut [f64],
        scratch: &mut Vec<f64>,
    ) -> f64 {
        match self {
            Law::Paper(_) => PaperLaw::value_and_gradient(p, row, grad),
            Law::Chinchilla(_) => Chinchilla::value_and_gradient(p, row, grad),
            Law::Custom(c) => c.formula.eval_grad(p, row, grad, scratch),
        }
    }

    /// The linear parameters' terms at `p` and a row (into `out`, one per entry of
    /// [`Law::linear_params`]); `false` for a custom formula, which has no known split.
    #[inline]
    pub(crate) fn basis(&self, p: &[f64], row: &[f64], out: &mut [f64]) -> bool {
        match self {
            Law::Paper(_) => out.copy_from_slice(&PaperLaw::basis(p, row)),
            Law::Chinchilla(_) => out.copy_from_slice(&Chinchilla::basis(p, row)),
            Law::Custom(_) => return false,
        }
        true
    }

    /// Which parameters enter linearly and which are exponents, for variable projection;
    /// `None` for a custom formula.
    pub(crate) fn linear_params(&self) -> Option<(&'static [usize], &'static [usize])> {
        match self {
            Law::Paper(_) => Some((&PaperLaw::LINEAR, &PaperLaw::EXPONENTS)),
            Law::Chinchilla(_) => Some((&Chinchilla::LINEAR, &Chinchilla::EXPONENTS)),
            Law::Custom(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::law::{Bounds, CustomLaw, ParamSpec};

    /// Checks `law`'s analytic gradient against central differences of its value at `p` and
    /// each row, and that the value agrees with [`Law::value_at`].
    fn check(law: &Law, p: &[f64], rows: &[Vec<f64>]) {
        let mut g = vec![0.0; p.len()];
        let mut scratch = Vec::new();
        for row in rows {
            let v = law.value_and_gradient(p, row, &mut g, &mut scratch);
            assert_eq!(v.to_bits(), law.value_at(p, row).to_bits());
            for j in 0..p.len() {
                let h = 1e-6 * p[j].abs().max(1e-3);
                let (mut up, mut dn) = (p.to_vec(), p.to_vec());
                up[j] += h;
                dn[j] -= h;
                let fd = (law.value_at(&up, row) - law.value_at(&dn, row)) / (2.0 * h);
                assert!(
                    (g[j] - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                    "{} param {j} at {row:?}: {} vs {fd}",
                    law.kind_name(),
                    g[j]
                );
            }
        }
    }

    fn logs(rows: &[&[f64]]) -> Vec<Vec<f64>> {
        rows.iter()
            .map(|r| r.iter().map(|v| v.ln()).collect())
            .collect()
    }

    #[test]
    fn paper_law_gradient_matches_finite_differences() {
        let law = Law::Paper(PaperLaw::published());
        let rows = logs(&[
            &[16.0, 1536.0, 2.5, 0.125, 256.0],
            &[4.0, 256.0, 0.5, 1.0, 64.0],
            &[48.0, 8192.0, 8.0, 0.03, 1024.0],
        ]);
        check(&law, &PaperLaw::published().values(), &rows);
        let other = [3.0, 0.8, 0.5, 0.4, 0.2, 90.0, 0.6, 0.9, 1.5, 0.3, 1.1];
        check(&law, &other, &rows);
    }

    #[test]
    fn chinchilla_gradient_matches_finite_differences() {
        let law = Law::Chinchilla(Chinchilla::epoch_refit());
        let rows = logs(&[&[3e8, 7e10], &[1e6, 1e8], &[7e10, 1.5e13]]);
        check(&law, &Chinchilla::epoch_refit().values(), &rows);
        check(&law, &[2.5, 40.0, 900.0, 0.2, 0.5], &rows);
    }

    #[test]
    fn custom_formula_gradient_matches_finite_differences() {
        let spec = |name: &str, value: f64| ParamSpec {
            name: name.into(),
            value,
            bounds: Bounds::FREE,
        };
        let custom = CustomLaw::new(
            "E + A*exp(-a*log(N)) + B/D^b + c*sqrt(N/D)",
            vec![
                spec("E", 1.7),
                spec("A", 400.0),
                spec("a", 0.33),
                spec("B", 1800.0),
                spec("b", 0.3),
                spec("c", 0.01),
            ],
            &[],
        )
        .unwrap();
        let law = Law::Custom(custom);
        assert!(!law.reads_logs());
        assert_eq!(law.variables(), ["N", "D"]);
        let rows = vec![vec![3e8, 7e10], vec![1e6, 1e8], vec![7e10, 1.5e13]];
        check(&law, &law.params(), &rows);
        check(&law, &[2.0, 90.0, 0.2, 300.0, 0.45, 0.2], &rows);
    }

    /// The built-in forms, fed logarithms, agree with their `predict` on the values.
    #[test]
    fn fitting_form_agrees_with_predict() {
        use crate::model::law::{ArchCounts, LawInputs};
        let x = LawInputs {
            layers: 16.0,
            hidden: 1536.0,
            ffn_ratio: 2.5,
            rho: 0.125,
            kv_width: 256.0,
            params: 3e8,
            tokens: 7e10,
            counts: ArchCounts::unknown(),
        };
        let paper = Law::Paper(PaperLaw::published());
        let row = [16.0f64, 1536.0, 2.5, 0.125, 256.0].map(f64::ln);
        let rel = |a: f64, b: f64| ((a - b) / b).abs();
        assert!(rel(paper.value_at(&paper.params(), &row), paper.predict(&x)) < 1e-12);
        let chin = Law::Chinchilla(Chinchilla::epoch_refit());
        let row = [3e8f64, 7e10].map(f64::ln);
        assert!(rel(chin.value_at(&chin.params(), &row), chin.predict(&x)) < 1e-12);
    }
}
