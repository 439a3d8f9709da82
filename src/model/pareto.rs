//! Loss–latency Pareto frontiers (method.md §4): which points are on one, and the best point
//! under a budget. A leaf: it knows points, not searches (what a search's frontier says is in
//! `search/findings.rs`).
//!
//! Tie rule: a point is on the frontier when no other point has latency ≤ and loss ≤ with at
//! least one strictly lower (Pareto dominance). So exact duplicates of a frontier point are
//! all on the frontier, and of several points with equal latency only those with the lowest
//! loss can be.

use serde::Serialize;

/// Indices of the frontier points of `(latency, loss)` pairs, sorted by latency, then loss,
/// then index. Points with a non-finite coordinate are ignored; infeasible points must be
/// filtered by the caller. O(n log n): sort, then one sweep keeping strictly falling loss.
pub fn frontier(points: &[(f64, f64)]) -> Vec<usize> {
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    if points.len() <= PREFILTER_ABOVE {
        let ids: Vec<usize> = (0..points.len()).filter(|&i| finite(&points[i])).collect();
        return sweep(points, &ids);
    }
    // Exact shortcut for large sets: drop every point dominated by the frontier of a strided
    // sample. Sample-frontier points dominate each other in no case, so they survive, and
    // anything a dropped point dominates is dominated by a survivor (dominance is transitive):
    // the frontier of the survivors is the frontier of all. Only the survivors are sorted.
    let sample: Vec<usize> = (0..points.len())
        .step_by(points.len() / PREFILTER_SAMPLE)
        .filter(|&i| finite(&points[i]))
        .collect();
    let guide: Vec<(f64, f64)> = sweep(points, &sample)
        .into_iter()
        .map(|g| points[g])
        .collect();
    let mut survivors = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        if !finite(&p) {
            continue;
        }
        // The guide point with the largest latency ≤ p's has the lowest loss among them
        // (binary search written out: the release profile optimises for size and would not
        // inline `partition_point`'s closure).
        let (mut lo, mut hi) = (0, guide.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if guide[mid].0 <= p.0 {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let dominated = lo > 0 && {
            let q = guide[lo - 1];
            q.1 <= p.1 && (q.0 < p.0 || q.1 < p.1)
        };
        if !dominated {
            survivors.push(i);
        }
    }
    sweep(points, &survivors)
}

/// Sets larger than this are prefiltered (below it, sorting is already fast).
const PREFILTER_ABOVE: usize = 1 << 14;
/// Points in the prefilter's sample.
const PREFILTER_SAMPLE: usize = 1 << 12;

/// The frontier of `points[ids]` (all finite) by sorting and one sweep.
fn sweep(points: &[(f64, f64)], ids: &[usize]) -> Vec<usize> {
    // Sorting integer keys in place is several times faster than comparing floats through
    // an index.
    let mut keyed: Vec<(u64, u64, usize)> = ids
        .iter()
        .map(|&i| (order_key(points[i].0), order_key(points[i].1), i))
        .collect();
    keyed.sort_unstable();
    let mut out = Vec::new();
    let mut best = u64::MAX;
    let mut k = 0;
    while k < keyed.len() {
        // A run of equal latency: its first point has the run's lowest loss.
        let (latency, lowest, _) = keyed[k];
        let mut end = k + 1;
        while end < keyed.len() && keyed[end].0 == latency {
            end += 1;
        }
        if lowest < best {
            out.extend(
                keyed[k..end]
                    .iter()
                    .take_while(|p| p.1 == lowest)
                    .map(|p| p.2),
            );
            best = lowest;
        }
        k = end;
    }
    out
}

/// Maps a finite f64 to a u64 with the same order (−0.0 and 0.0 equal).
#[inline]
fn order_key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// A frontier point of a search: the candidate (index into the report's evaluations) and its
/// coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FrontierPoint {
    pub candidate: usize,
    pub latency_s: f64,
    pub loss: f64,
}

/// The lowest-loss point of a frontier (sorted by latency, as a search report's frontiers
/// are) with latency ≤ `budget_s`; `None` when every point is slower.
pub fn best_under_budget(frontier: &[FrontierPoint], budget_s: f64) -> Option<&FrontierPoint> {
    let n = frontier.partition_point(|p| p.latency_s <= budget_s);
    let last = frontier[..n].last()?;
    // Duplicates share the lowest loss; return the first of them.
    frontier[..n].iter().find(|p| p.loss == last.loss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_and_duplicates_follow_the_dominance_rule() {
        let pts = [
            (1.0, 5.0), // 0: frontier
            (1.0, 6.0), // 1: same latency, higher loss: dominated by 0
            (2.0, 4.0), // 2: frontier
            (2.0, 4.0), // 3: duplicate of 2: also frontier
            (3.0, 4.0), // 4: same loss, slower: dominated by 2
            (f64::NAN, 1.0),
            (4.0, f64::INFINITY),
            (5.0, 3.0), // 7: frontier
        ];
        assert_eq!(frontier(&pts), [0, 2, 3, 7]);
        assert!(frontier(&[]).is_empty());
    }

    #[test]
    fn prefiltered_frontier_equals_the_plain_sweep() {
        use rand::rngs::SmallRng;
        use rand::{Rng, SeedableRng};
        let mut rng = SmallRng::seed_from_u64(5);
        for coarse in [true, false] {
            let pts: Vec<(f64, f64)> = (0..60_000)
                .map(|_| {
                    let (a, b): (f64, f64) = (rng.random(), rng.random());
                    let (lat, loss) = if coarse {
                        ((a * 50.0).floor(), ((1.0 - a) * 30.0 + b * 20.0).floor())
                    } else {
                        (a, 2.0 + b / (a + 0.01))
                    };
                    if rng.random_range(0..100) == 0 {
                        (f64::NAN, loss)
                    } else {
                        (lat, loss)
                    }
                })
                .collect();
            let finite: Vec<usize> = (0..pts.len())
                .filter(|&i| pts[i].0.is_finite() && pts[i].1.is_finite())
                .collect();
            assert!(pts.len() > PREFILTER_ABOVE);
            let f = frontier(&pts);
            assert!(f.len() > 10, "{}", f.len());
            assert_eq!(f, sweep(&pts, &finite));
        }
    }

    #[test]
    fn order_keys_sort_like_the_numbers() {
        let xs = [-3.5, -1e-300, -0.0, 0.0, 1e-300, 2.0, 1e300];
        for w in xs.windows(2) {
            assert!(order_key(w[0]) <= order_key(w[1]), "{w:?}");
            assert_eq!(order_key(w[0]) == order_key(w[1]), w[0] == w[1], "{w:?}");
        }
    }

    #[test]
    fn best_under_budget_is_the_last_point_within_it() {
        let f = [(0, 1.0, 5.0), (1, 2.0, 4.0), (2, 2.0, 4.0), (3, 5.0, 3.0)].map(
            |(candidate, latency_s, loss)| FrontierPoint {
                candidate,
                latency_s,
                loss,
            },
        );
        assert_eq!(best_under_budget(&f, 0.5), None);
        assert_eq!(best_under_budget(&f, 1.0).unwrap().candidate, 0);
        assert_eq!(best_under_budget(&f, 4.9).unwrap().candidate, 1);
        assert_eq!(best_under_budget(&f, 5.0).unwrap().candidate, 3);
    }
}
