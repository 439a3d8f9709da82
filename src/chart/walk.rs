//! Moving between a chart's points with the keyboard: Left and Right step along a series in
//! x order (along a frontier), Up and Down switch to the next series at the nearest x. Pure,
//! so the page's key handler only maps keys to [`Move`]s.

use super::{Series, SeriesKind, XyChart};

/// One key press.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Next,
    Previous,
    NextSeries,
    PreviousSeries,
}

/// The (series, point) a key press moves to from `from`, among the visible series listed in
/// `series` (in that order) and their finite points. Without a current point (or one no longer
/// there), any move starts at the first series: Previous at its last point, the others at its
/// first. At a series' ends Next and Previous stay; series switches wrap around. `None` when
/// no listed series has a point.
pub fn walk(
    chart: &XyChart,
    series: &[usize],
    from: Option<(usize, usize)>,
    step: Move,
) -> Option<(usize, usize)> {
    let usable = listed(chart, series, |s, x| {
        x.visible && !ordered(chart, s).is_empty()
    });
    let first = *usable.first()?;
    let current = from.filter(|(s, i)| usable.contains(s) && ordered(chart, *s).contains(i));
    let Some((s, i)) = current else {
        let order = ordered(chart, first);
        let at = if step == Move::Previous {
            *order.last()?
        } else {
            order[0]
        };
        return Some((first, at));
    };
    match step {
        Move::Next | Move::Previous => {
            let order = ordered(chart, s);
            let k = order.iter().position(|&p| p == i)?;
            let k = if step == Move::Next {
                (k + 1).min(order.len() - 1)
            } else {
                k.saturating_sub(1)
            };
            Some((s, order[k]))
        }
        Move::NextSeries | Move::PreviousSeries => {
            let k = usable.iter().position(|&x| x == s)?;
            let n = usable.len();
            let to = usable[if step == Move::NextSeries {
                (k + 1) % n
            } else {
                (k + n - 1) % n
            }];
            let x0 = axis_x(chart, chart.series[s].points[i].0);
            let nearest = ordered(chart, to).into_iter().min_by(|&a, &b| {
                let da = (axis_x(chart, chart.series[to].points[a].0) - x0).abs();
                let db = (axis_x(chart, chart.series[to].points[b].0) - x0).abs();
                da.total_cmp(&db)
            })?;
            Some((to, nearest))
        }
    }
}

/// The series of `hover` the arrow keys walk: its lines and staircases (a frontier, not the
/// cloud under it), or all of them when none is a line.
pub fn walkable(chart: &XyChart, hover: &[usize]) -> Vec<usize> {
    let lines = listed(chart, hover, |_, x| {
        !matches!(x.kind, SeriesKind::Points { .. })
    });
    if lines.is_empty() {
        hover.to_vec()
    } else {
        lines
    }
}

/// The indices in `series` of the chart's series that pass `keep`, in that order.
fn listed(chart: &XyChart, series: &[usize], keep: impl Fn(usize, &Series) -> bool) -> Vec<usize> {
    series
        .iter()
        .copied()
        .filter(|&s| chart.series.get(s).is_some_and(|x| keep(s, x)))
        .collect()
}

/// Indices of a series' drawable points, by x (ties in index order).
fn ordered(chart: &XyChart, series: usize) -> Vec<usize> {
    let Some(s) = chart.series.get(series) else {
        return Vec::new();
    };
    let mut order: Vec<usize> = (0..s.points.len())
        .filter(|&i| {
            let (x, y) = s.points[i];
            x.is_finite() && y.is_finite() && (!chart.x.log || x > 0.0) && (!chart.y.log || y > 0.0)
        })
        .collect();
    order.sort_by(|&a, &b| s.points[a].0.total_cmp(&s.points[b].0).then(a.cmp(&b)));
    order
}

/// x as the axis spaces it: distances on a log axis are ratios.
fn axis_x(chart: &XyChart, x: f64) -> f64 {
    if chart.x.log {
        x.ln()
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{AxisSpec, Series, PALETTE};

    fn chart() -> XyChart {
        XyChart {
            x: AxisSpec::log("latency (ms)"),
            series: vec![
                Series::points("cloud", PALETTE[0], vec![(1.0, 1.0)]),
                // Out of x order, with an undrawable point.
                Series::step(
                    "FP16",
                    PALETTE[1],
                    vec![(30.0, 2.0), (10.0, 3.0), (f64::NAN, 1.0), (90.0, 1.5)],
                ),
                Series::step("INT8", PALETTE[2], vec![(5.0, 3.1), (40.0, 2.1)]),
                Series::step("hidden", PALETTE[3], vec![(5.0, 3.1)]).hidden(),
            ],
            ..XyChart::default()
        }
    }

    /// Keyboard users could not reach a point: Left/Right walk a frontier in latency order
    /// and stop at its ends, skipping undrawable points.
    #[test]
    fn left_and_right_walk_a_frontier_in_latency_order() {
        let c = chart();
        let keys = [1, 2, 3];
        let mut at = walk(&c, &keys, None, Move::Next);
        assert_eq!(at, Some((1, 1)));
        let mut seen = vec![at.unwrap()];
        for _ in 0..4 {
            at = walk(&c, &keys, at, Move::Next);
            seen.push(at.unwrap());
        }
        assert_eq!(seen, [(1, 1), (1, 0), (1, 3), (1, 3), (1, 3)]);
        assert_eq!(walk(&c, &keys, Some((1, 0)), Move::Previous), Some((1, 1)));
        assert_eq!(walk(&c, &keys, Some((1, 1)), Move::Previous), Some((1, 1)));
        assert_eq!(walk(&c, &keys, None, Move::Previous), Some((1, 3)));
    }

    /// Up/Down switch frontiers at the nearest latency (log distance), wrapping, and skip
    /// hidden series.
    #[test]
    fn up_and_down_switch_series_at_the_nearest_latency() {
        let c = chart();
        let keys = [1, 2, 3];
        for (from, step, to) in [
            // From 30 ms: 40 ms is nearer than 5 ms.
            ((1, 0), Move::NextSeries, (2, 1)),
            // From 10 ms: 5 ms (×2) is nearer than 40 ms (×4).
            ((1, 1), Move::NextSeries, (2, 0)),
            // The hidden series is skipped: INT8 wraps round to FP16.
            ((2, 0), Move::NextSeries, (1, 1)),
            ((1, 1), Move::PreviousSeries, (2, 0)),
        ] {
            assert_eq!(
                walk(&c, &keys, Some(from), step),
                Some(to),
                "{from:?} {step:?}"
            );
        }
        // A point that is gone restarts at the first series.
        assert_eq!(walk(&c, &keys, Some((3, 0)), Move::Next), Some((1, 1)));
        assert_eq!(walk(&c, &[3], None, Move::Next), None);
    }

    /// On the frontier chart the arrows walk the frontiers, not the clouds under them; a
    /// chart of points only walks its points.
    #[test]
    fn the_keys_walk_lines_when_there_are_any() {
        let c = chart();
        assert_eq!(walkable(&c, &[0, 1, 2, 3, 9]), vec![1, 2, 3]);
        assert_eq!(walkable(&c, &[0]), vec![0]);
    }
}
