//! How a residual is scored, for both fits that score log residuals: the law fit
//! (method.md §2, Huber with δ = 1e-3 or plain squares) and the device calibration (Huber with
//! δ = 0.1). One definition, so the two cannot drift apart.
//!
//! Huber's loss is quadratic inside δ and linear outside: small scatter is weighed as least
//! squares would, while a bad row pulls only with a constant force.

/// A robust loss ρ on a residual r.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Loss {
    /// Huber with threshold δ > 0.
    Huber(f64),
    /// ½r², plain least squares.
    Squares,
}

impl Loss {
    /// ρ(r) and ψ(r) = ρ'(r).
    #[inline]
    pub(crate) fn rho_psi(self, r: f64) -> (f64, f64) {
        match self {
            Loss::Huber(delta) if r.abs() > delta => {
                (delta * (r.abs() - 0.5 * delta), delta * r.signum())
            }
            _ => (0.5 * r * r, r),
        }
    }

    /// ρ(r) alone.
    #[inline]
    pub(crate) fn rho(self, r: f64) -> f64 {
        self.rho_psi(r).0
    }

    /// The IRLS weight ω(r) = ψ(r)/r (1 inside Huber's δ, δ/|r| outside): the factor by which
    /// a Gauss–Newton or Levenberg–Marquardt step weighs a row, so that steps see the kinks of
    /// a nearly-L1 objective as curvature.
    #[inline]
    pub(crate) fn weight(self, r: f64) -> f64 {
        match self {
            Loss::Huber(delta) if r.abs() <= delta => 1.0,
            Loss::Huber(delta) => delta / r.abs(),
            Loss::Squares => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huber_is_quadratic_inside_delta_linear_outside_and_smooth_at_delta() {
        let delta = 0.1;
        let h = Loss::Huber(delta);
        // At ±δ both branches give ½δ² and slope ±δ.
        for r in [delta, -delta] {
            let (rho, psi) = h.rho_psi(r);
            assert_eq!(rho, 0.5 * delta * delta);
            assert_eq!(psi, r);
            assert_eq!(h.weight(r), 1.0);
        }
        // Just around δ, value and derivative are continuous.
        let e = 1e-9;
        let (inside, d_in) = h.rho_psi(delta - e);
        let (outside, d_out) = h.rho_psi(delta + e);
        assert!((outside - inside - 2.0 * e * delta).abs() < 1e-15);
        assert!((d_out - d_in).abs() < 2e-9);
        // Inside: ½r², ψ = r. Outside: δ(|r| − ½δ), ψ = δ·sign r, weight δ/|r|.
        assert_eq!(h.rho_psi(0.05), (0.5 * 0.05 * 0.05, 0.05));
        assert_eq!(h.rho_psi(-0.3), (delta * (0.3 - 0.5 * delta), -delta));
        assert_eq!(h.weight(-0.4), delta / 0.4);
        assert_eq!(h.rho(0.3), h.rho_psi(0.3).0);
        // ψ is ρ's derivative on both sides of δ.
        for r in [-0.5, -0.1001, -0.02, 0.0, 0.07, 0.0999, 0.1001, 2.0] {
            let step = 1e-7;
            let fd = (h.rho(r + step) - h.rho(r - step)) / (2.0 * step);
            assert!((h.rho_psi(r).1 - fd).abs() < 1e-7, "r = {r}");
        }
    }

    #[test]
    fn squares_are_half_the_square_everywhere() {
        for r in [-3.0, -0.001, 0.0, 0.5, 40.0] {
            assert_eq!(Loss::Squares.rho_psi(r), (0.5 * r * r, r));
            assert_eq!(Loss::Squares.weight(r), 1.0);
        }
    }
}
