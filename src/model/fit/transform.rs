//! Parameter bounds as smooth transforms between the solver's unconstrained coordinate `u` and
//! the law's value `p` (`p = lo + e^u`, `p = lo + (hi − lo)·σ(u)`), so argmin's unconstrained
//! solvers can be used. A side effect is that positive parameters are searched on a log scale,
//! which suits scales as different as κ_d ≈ 500 and α_m ≈ 0.05.

use crate::model::law::Bounds;

/// One parameter's map between the solver's coordinate `u` and the law's value `p`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Transform {
    Free,
    Lower(f64),
    Upper(f64),
    Both(f64, f64),
}

/// Closest a bounded parameter is placed to its bound, relative to the bound's scale, so
/// that its coordinate stays finite.
const BOUND_GAP: f64 = 1e-12;

impl Transform {
    pub(crate) fn of(b: Bounds) -> Transform {
        match (b.lower, b.upper) {
            (None, None) => Transform::Free,
            (Some(lo), None) => Transform::Lower(lo),
            (None, Some(hi)) => Transform::Upper(hi),
            (Some(lo), Some(hi)) if hi > lo => Transform::Both(lo, hi),
            // Equal bounds pin the value; a free coordinate around it never moves far.
            (Some(lo), Some(_)) => Transform::Both(lo, lo + BOUND_GAP * (1.0 + lo.abs())),
        }
    }

    #[inline]
    pub(crate) fn value(self, u: f64) -> f64 {
        match self {
            Transform::Free => u,
            Transform::Lower(lo) => lo + u.exp(),
            Transform::Upper(hi) => hi - u.exp(),
            Transform::Both(lo, hi) => lo + (hi - lo) / (1.0 + (-u).exp()),
        }
    }

    /// dp/du.
    #[inline]
    pub(crate) fn slope(self, u: f64) -> f64 {
        match self {
            Transform::Free => 1.0,
            Transform::Lower(_) => u.exp(),
            Transform::Upper(_) => -u.exp(),
            Transform::Both(lo, hi) => {
                let s = 1.0 / (1.0 + (-u).exp());
                (hi - lo) * s * (1.0 - s)
            }
        }
    }

    /// The coordinate of `p`, moved inside the bounds first.
    pub(crate) fn coordinate(self, p: f64) -> f64 {
        let gap = |b: f64| BOUND_GAP * (1.0 + b.abs());
        match self {
            Transform::Free => p,
            Transform::Lower(lo) => (p - lo).max(gap(lo)).ln(),
            Transform::Upper(hi) => (hi - p).max(gap(hi)).ln(),
            Transform::Both(lo, hi) => {
                let g = gap(lo.abs().max(hi.abs())).min(0.25 * (hi - lo));
                let s = ((p - lo) / (hi - lo)).clamp(g / (hi - lo), 1.0 - g / (hi - lo));
                (s / (1.0 - s)).ln()
            }
        }
    }

    /// Whether `p` sits on a bound (within a millionth of the bound's scale).
    pub(crate) fn at_bound(self, p: f64) -> Option<f64> {
        let near = |b: f64| (p - b).abs() <= 1e-6 * (1.0 + b.abs());
        match self {
            Transform::Free => None,
            Transform::Lower(lo) => near(lo).then_some(lo),
            Transform::Upper(hi) => near(hi).then_some(hi),
            Transform::Both(lo, hi) => {
                if near(lo) {
                    Some(lo)
                } else if near(hi) {
                    Some(hi)
                } else {
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_round_trip_and_respect_bounds() {
        for (t, p) in [
            (Transform::Free, -3.5),
            (Transform::Lower(0.0), 0.031),
            (Transform::Upper(2.0), 1.5),
            (Transform::Both(-1.0, 4.0), 0.3),
        ] {
            let u = t.coordinate(p);
            assert!((t.value(u) - p).abs() < 1e-12);
            let h = 1e-6;
            let fd = (t.value(u + h) - t.value(u - h)) / (2.0 * h);
            assert!((t.slope(u) - fd).abs() < 1e-6);
        }
        assert!(Transform::Lower(0.0).value(Transform::Lower(0.0).coordinate(-5.0)) > 0.0);
        assert_eq!(Transform::Lower(0.0).at_bound(0.0), Some(0.0));
    }
}
