//! Bootstrap confidence intervals (method.md §2): refit on training rows resampled with
//! replacement, starting from the full fit, and read percentiles of each parameter.

use rand::rngs::SmallRng;
use rand::Rng;

/// Row weights of one resample: how often each training row was drawn (held-out rows stay 0).
pub(crate) fn resample_weights(train: &[usize], n_rows: usize, rng: &mut SmallRng) -> Vec<f64> {
    let mut w = vec![0.0; n_rows];
    for _ in 0..train.len() {
        w[train[rng.random_range(0..train.len())]] += 1.0;
    }
    w
}

/// The `q` quantile of sorted values, interpolating between order statistics (Hyndman & Fan
/// type 7, the default of R and NumPy).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.975), 4.9);
    }

    #[test]
    fn resamples_draw_only_training_rows_and_keep_the_count() {
        let mut rng = SmallRng::seed_from_u64(1);
        let w = resample_weights(&[0, 2, 3], 5, &mut rng);
        assert_eq!(w.iter().sum::<f64>(), 3.0);
        assert_eq!((w[1], w[4]), (0.0, 0.0));
    }
}
