//! Pixel geometry of drawing data: which points can be drawn, staircases, clipping to the
//! plot, dashes and label placement. Pure functions over backend pixels, tested here.

use super::projection::{PixelRect, Projection};

/// The pixel of a data point if it is drawable and on the plot.
pub(crate) fn on_plot(projection: &Projection, x: f64, y: f64) -> Option<(i32, i32)> {
    let (px, py) = projection.to_pixel(x, y);
    let inside = px.is_finite() && py.is_finite() && projection.plot.contains(px, py);
    inside.then(|| (px.round() as i32, py.round() as i32))
}

/// A data point's pixel if it can be drawn.
pub(crate) fn pixel(projection: &Projection, x: f64, y: f64) -> Option<(f64, f64)> {
    let (px, py) = projection.to_pixel(x, y);
    (px.is_finite() && py.is_finite()).then_some((px, py))
}

/// Staircase vertices through the finite points sorted by x: (x₀,y₀) (x₁,y₀) (x₁,y₁) …
pub(crate) fn staircase(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::with_capacity(sorted.len() * 2);
    for (i, &(x, y)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push((x, sorted[i - 1].1));
        }
        out.push((x, y));
    }
    out
}

/// A run cut into dashes `on` pixels long with gaps of `off`, the pattern carried across
/// its vertices (a staircase's short steps do not restart it).
pub(crate) fn dashes(run: &[(i32, i32)], on: f64, off: f64) -> Vec<Vec<(i32, i32)>> {
    let (on, off) = (on.max(1.0), off.max(1.0));
    let mut out = Vec::new();
    let mut current: Vec<(i32, i32)> = Vec::new();
    // Distance into the current period of on + off.
    let mut phase = 0.0;
    for pair in run.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
        let length = (dx * dx + dy * dy).sqrt();
        let at = |d: f64| {
            let t = if length > 0.0 { d / length } else { 0.0 };
            (
                (a.0 as f64 + t * dx).round() as i32,
                (a.1 as f64 + t * dy).round() as i32,
            )
        };
        let mut d = 0.0;
        while d < length {
            if phase < on {
                if current.is_empty() {
                    current.push(at(d));
                }
                let step = (on - phase).min(length - d);
                d += step;
                phase += step;
                let end = at(d);
                if current.last() != Some(&end) {
                    current.push(end);
                }
                if phase >= on && current.len() >= 2 {
                    out.push(std::mem::take(&mut current));
                }
                if phase >= on {
                    current.clear();
                }
            } else {
                let step = (on + off - phase).min(length - d);
                d += step;
                phase += step;
                if phase >= on + off {
                    phase = 0.0;
                }
            }
        }
    }
    if current.len() >= 2 {
        out.push(current);
    }
    out
}

/// Cuts a polyline into the runs visible in `rect`, rounded to pixels without repeats.
/// `None` vertices (undrawable points) break the line.
pub(crate) fn clipped_runs(
    vertices: impl Iterator<Item = Option<(f64, f64)>>,
    rect: &PixelRect,
) -> Vec<Vec<(i32, i32)>> {
    fn round(p: (f64, f64)) -> (i32, i32) {
        (p.0.round() as i32, p.1.round() as i32)
    }
    fn flush(run: &mut Vec<(i32, i32)>, runs: &mut Vec<Vec<(i32, i32)>>) {
        if run.len() >= 2 {
            runs.push(std::mem::take(run));
        } else {
            run.clear();
        }
    }
    let mut runs = Vec::new();
    let mut run: Vec<(i32, i32)> = Vec::new();
    let mut previous: Option<(f64, f64)> = None;
    for vertex in vertices {
        match (previous, vertex) {
            (Some(a), Some(b)) => match clip_segment(a, b, rect) {
                Some((ca, cb)) => {
                    if ca != a || run.is_empty() {
                        flush(&mut run, &mut runs);
                        run.push(round(ca));
                    }
                    let end = round(cb);
                    if run.last() != Some(&end) {
                        run.push(end);
                    }
                    if cb != b {
                        flush(&mut run, &mut runs);
                    }
                }
                None => flush(&mut run, &mut runs),
            },
            _ => flush(&mut run, &mut runs),
        }
        previous = vertex;
    }
    flush(&mut run, &mut runs);
    runs
}

/// Liang–Barsky: the part of segment `a`–`b` inside `rect`, if any.
pub(crate) fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    rect: &PixelRect,
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - rect.left),
        (dx, rect.right() - a.0),
        (-dy, a.1 - rect.top),
        (dy, rect.bottom() - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

/// The box of a `size` label beside a marker at `spot`: right of it (`offset` away) when it
/// fits in the plot, else left; then moved by whole label heights, nearest first, until it
/// overlaps nothing in `taken` and lies inside the plot. Where no place is free, the first
/// one.
pub(crate) fn place_label(
    spot: (f64, f64),
    size: (f64, f64),
    offset: f64,
    plot: &PixelRect,
    taken: &[PixelRect],
) -> PixelRect {
    let (w, h) = size;
    let right = spot.0 + offset;
    let left = spot.0 - offset - w;
    let sides = if right + w <= plot.right() {
        [right, left]
    } else {
        [left, right]
    };
    let step = h + 2.0;
    let overlaps = |a: &PixelRect, b: &PixelRect| {
        a.left < b.right() && b.left < a.right() && a.top < b.bottom() && b.top < a.bottom()
    };
    let mut first = None;
    for k in 0..=12 {
        let shifts: &[f64] = if k == 0 { &[0.0] } else { &[1.0, -1.0] };
        for sign in shifts {
            for x in sides {
                let rect = PixelRect {
                    left: x,
                    top: spot.1 - h / 2.0 + sign * k as f64 * step,
                    width: w,
                    height: h,
                };
                first.get_or_insert(rect);
                let inside = rect.top >= plot.top
                    && rect.bottom() <= plot.bottom()
                    && rect.left >= plot.left
                    && rect.right() <= plot.right();
                if inside && !taken.iter().any(|t| overlaps(t, &rect)) {
                    return rect;
                }
            }
        }
    }
    first.unwrap_or(PixelRect {
        left: right,
        top: spot.1 - h / 2.0,
        width: w,
        height: h,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect() -> PixelRect {
        PixelRect {
            left: 0.0,
            top: 0.0,
            width: 100.0,
            height: 50.0,
        }
    }

    #[test]
    fn staircase_holds_y_until_the_next_x() {
        let stairs = staircase(&[(3.0, 1.0), (1.0, 3.0), (f64::NAN, 0.0), (2.0, 2.0)]);
        assert_eq!(
            stairs,
            vec![(1.0, 3.0), (2.0, 3.0), (2.0, 2.0), (3.0, 2.0), (3.0, 1.0)]
        );
        assert!(staircase(&[]).is_empty());
    }

    #[test]
    fn clipping_keeps_the_visible_part() {
        assert_eq!(
            clip_segment((-50.0, 25.0), (50.0, 25.0), &rect()),
            Some(((0.0, 25.0), (50.0, 25.0)))
        );
        assert_eq!(clip_segment((-10.0, -10.0), (-1.0, 60.0), &rect()), None);
        assert_eq!(clip_segment((10.0, 60.0), (90.0, 70.0), &rect()), None);
        let (a, b) = clip_segment((-100.0, -50.0), (200.0, 100.0), &rect()).unwrap();
        assert_eq!((a, b), ((0.0, 0.0), (100.0, 50.0)));
    }

    #[test]
    fn runs_break_at_gaps_and_at_the_border() {
        let vertices = [
            Some((10.0, 10.0)),
            Some((20.0, 10.0)),
            None,
            Some((30.0, 10.0)),
            Some((150.0, 10.0)),
            Some((150.0, 20.0)),
            Some((40.0, 20.0)),
            Some((40.4, 20.2)),
        ];
        let runs = clipped_runs(vertices.into_iter(), &rect());
        assert_eq!(
            runs,
            vec![
                vec![(10, 10), (20, 10)],
                vec![(30, 10), (100, 10)],
                vec![(100, 20), (40, 20)],
            ]
        );
    }

    #[test]
    fn dashes_alternate_along_a_run_and_carry_across_vertices() {
        // 20 px right then 10 px down, dashes of 6 with gaps of 4.
        let d = dashes(&[(0, 0), (20, 0), (20, 10)], 6.0, 4.0);
        assert_eq!(
            d,
            vec![
                vec![(0, 0), (6, 0)],
                vec![(10, 0), (16, 0)],
                vec![(20, 0), (20, 6)],
            ]
        );
        // A dash goes round a corner 3 px in.
        let d = dashes(&[(0, 0), (3, 0), (3, 10)], 6.0, 4.0);
        assert_eq!(d, vec![vec![(0, 0), (3, 0), (3, 3)], vec![(3, 7), (3, 10)]]);
        assert!(dashes(&[(0, 0)], 6.0, 4.0).is_empty());
    }

    #[test]
    fn a_label_is_moved_off_labels_already_placed() {
        let plot = PixelRect {
            left: 0.0,
            top: 0.0,
            width: 400.0,
            height: 300.0,
        };
        let first = place_label((100.0, 150.0), (80.0, 12.0), 10.0, &plot, &[]);
        assert_eq!((first.left, first.top), (110.0, 144.0));
        // The other side first, then a label height down.
        let second = place_label((100.0, 150.0), (80.0, 12.0), 10.0, &plot, &[first]);
        assert_eq!((second.left, second.top), (10.0, 144.0));
        let third = place_label((100.0, 150.0), (80.0, 12.0), 10.0, &plot, &[first, second]);
        assert_eq!((third.left, third.top), (110.0, 158.0));
        // No room on the right: the left side; and when the left is taken, up or down rather
        // than off the plot.
        let edge = place_label((390.0, 150.0), (80.0, 12.0), 10.0, &plot, &[]);
        assert_eq!(edge.left, 300.0);
        let moved = place_label((390.0, 150.0), (80.0, 12.0), 10.0, &plot, &[edge]);
        assert_eq!((moved.left, moved.top), (300.0, 158.0));
    }
}
