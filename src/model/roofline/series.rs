//! Exact sums of an operator's decode time over consecutive contexts.
//!
//! An operator's FLOPs and bytes are both linear in the context c, so its time
//! max(F(c)/π, M(c)/β) is the upper envelope of two lines. Summed over c = lo..=hi it is two
//! arithmetic series split at the lines' crossover: O(1) instead of one evaluation per token
//! (method.md §3, the Σ over S_out steps).

/// Σ_{c=p..=q} (a + b·c); 0 when q < p. `p`, `q` are integers held in `f64`.
#[inline(always)]
fn arithmetic(a: f64, b: f64, p: f64, q: f64) -> f64 {
    if q < p {
        return 0.0;
    }
    let n = q - p + 1.0;
    n * (a + b * 0.5 * (p + q))
}

/// Σ_{c=lo..=hi} max(a1 + b1·c, a2 + b2·c) for integers lo ≤ hi (held in `f64`).
#[inline(always)]
pub(crate) fn sum_max_of_lines(a1: f64, b1: f64, a2: f64, b2: f64, lo: f64, hi: f64) -> f64 {
    if hi < lo {
        return 0.0;
    }
    if b1 == b2 {
        return arithmetic(a1.max(a2), b1, lo, hi);
    }
    // Line 1 is on top where (a1 − a2) + (b1 − b2)·c ≥ 0, a half-line ending at x.
    let x = (a2 - a1) / (b1 - b2);
    if b1 > b2 {
        let k = x.ceil().clamp(lo, hi + 1.0);
        arithmetic(a2, b2, lo, k - 1.0) + arithmetic(a1, b1, k, hi)
    } else {
        let k = x.floor().clamp(lo - 1.0, hi);
        arithmetic(a1, b1, lo, k) + arithmetic(a2, b2, k + 1.0, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn looped(a1: f64, b1: f64, a2: f64, b2: f64, lo: u32, hi: u32) -> f64 {
        (lo..=hi)
            .map(|c| (a1 + b1 * c as f64).max(a2 + b2 * c as f64))
            .sum()
    }

    #[test]
    fn crossing_lines_sum_like_the_loop() {
        // Crossover at c = 10.5 (b1 > b2) and at c = 7 exactly (b1 < b2, equal there).
        let cases = [
            (0.0, 2.0, 21.0, 0.0, 1, 30),
            (14.0, 0.0, 0.0, 2.0, 1, 30),
            (5.0, 1.0, 5.0, 1.0, 3, 9),
            (1.0, 3.0, 2.0, 0.5, 40, 41),
            (1.0, 3.0, 2.0, 0.5, 40, 40),
        ];
        for (a1, b1, a2, b2, lo, hi) in cases {
            let closed = sum_max_of_lines(a1, b1, a2, b2, lo as f64, hi as f64);
            let want = looped(a1, b1, a2, b2, lo, hi);
            assert!(
                (closed - want).abs() <= 1e-12 * want.abs(),
                "{closed} vs {want}"
            );
        }
        assert_eq!(sum_max_of_lines(1.0, 1.0, 2.0, 2.0, 5.0, 4.0), 0.0);
    }
}
