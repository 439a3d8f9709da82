//! Nearest drawn point to the pointer, for hover and click.
//!
//! Built once per static redraw from the points' pixel positions, then queried on every
//! pointer move, so a query must cost far less than a frame. A uniform grid of square
//! cells suits points drawn on a screen: a query visits the pointer's cell, then rings of
//! cells around it, and stops as soon as no unvisited cell can hold anything closer.
//! [`HoverIndex`] feeds it the points of a drawn xy chart, one per device pixel.

use super::projection::{PixelRect, Projection};
use super::xy::XyChart;

/// The hoverable points of a drawn xy chart, and the (series, point) each answer stands for.
///
/// One point per device pixel: co-located points cannot be told apart by the pointer, and a
/// million-candidate cloud shrinks to the pixels it covers. Later series are drawn on top
/// (frontiers over clouds), so they win a pixel; within a series, the first point does.
#[derive(Clone, Debug)]
pub struct HoverIndex {
    index: NearestIndex,
    /// (series, point) of each indexed pixel position.
    owners: Vec<(usize, usize)>,
}

impl HoverIndex {
    /// The visible points of `series` (indices into `chart.series`, as shown: hidden ones are
    /// skipped) that land on the plot of `projection`, indexed in cells of `cell` pixels.
    pub fn new(chart: &XyChart, projection: &Projection, series: &[usize], cell: f64) -> Self {
        let plot = projection.plot;
        let cols = plot.width.max(0.0) as usize + 1;
        let rows = plot.height.max(0.0) as usize + 1;
        let mut taken = vec![false; cols * rows];
        let mut pixels = Vec::new();
        let mut owners = Vec::new();
        for &s in series.iter().rev() {
            let Some(shown) = chart.series.get(s).filter(|x| x.visible) else {
                continue;
            };
            for (i, p) in shown.points.iter().enumerate() {
                let (px, py) = projection.to_pixel(p.0, p.1);
                let (col, row) = ((px - plot.left).round(), (py - plot.top).round());
                if !(col >= 0.0 && row >= 0.0) {
                    continue;
                }
                let (col, row) = (col as usize, row as usize);
                if col >= cols || row >= rows {
                    continue;
                }
                let cell = &mut taken[row * cols + col];
                if !*cell {
                    *cell = true;
                    pixels.push((px, py));
                    owners.push((s, i));
                }
            }
        }
        HoverIndex {
            index: NearestIndex::within(&pixels, cell, plot),
            owners,
        }
    }

    /// How many points can be hovered (at most one per device pixel of the plot).
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The (series, point) nearest to `(px, py)` within `max_dist` pixels, as
    /// [`NearestIndex::nearest`] finds it.
    pub fn nearest(&self, px: f64, py: f64, max_dist: f64) -> Option<(usize, usize)> {
        self.index
            .nearest(px, py, max_dist)
            .and_then(|k| self.owners.get(k).copied())
    }
}

/// Uniform-grid index over pixel positions; answers keep the caller's point indices.
#[derive(Clone, Debug)]
pub struct NearestIndex {
    origin: (f64, f64),
    cell: f64,
    cols: usize,
    rows: usize,
    /// `entries[starts[c]..starts[c + 1]]` are the points of cell `c` (row-major).
    starts: Vec<usize>,
    entries: Vec<Entry>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    x: f64,
    y: f64,
    index: usize,
}

/// Farther than any screen; keeps grid arithmetic finite.
const MAX_COORD: f64 = 1e150;

/// Cell size used when the caller passes an unusable one.
const DEFAULT_CELL: f64 = 16.0;

impl NearestIndex {
    /// Index `points` (pixels) in square cells of `cell` pixels; about the hover radius is
    /// a good size. Non-finite positions are left out (e.g. values a log axis cannot
    /// show), and so are those beyond ±1e150 pixels, which no screen shows. When the points spread over many more cells than there are points (say, far
    /// off-screen after a zoom), cells are enlarged to keep memory linear in the points;
    /// [`NearestIndex::within`] avoids that by keeping only points on the plot.
    pub fn new(points: &[(f64, f64)], cell: f64) -> NearestIndex {
        Self::build(points, cell, |x, y| x.is_finite() && y.is_finite())
    }

    /// As [`NearestIndex::new`], keeping only the points inside `rect` (the plot area):
    /// nothing else can be hovered.
    pub fn within(points: &[(f64, f64)], cell: f64, rect: PixelRect) -> NearestIndex {
        Self::build(points, cell, |x, y| rect.contains(x, y))
    }

    fn build(points: &[(f64, f64)], cell: f64, keep: impl Fn(f64, f64) -> bool) -> NearestIndex {
        let kept: Vec<Entry> = points
            .iter()
            .enumerate()
            .filter(|(_, &(x, y))| x.abs() <= MAX_COORD && y.abs() <= MAX_COORD && keep(x, y))
            .map(|(index, &(x, y))| Entry { x, y, index })
            .collect();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for e in &kept {
            x0 = x0.min(e.x);
            y0 = y0.min(e.y);
            x1 = x1.max(e.x);
            y1 = y1.max(e.y);
        }
        if kept.is_empty() {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let mut cell = if cell.is_finite() && cell > 0.0 {
            cell
        } else {
            DEFAULT_CELL
        };
        let max_cells = 4 * kept.len() + 64;
        let dims = |cell: f64| {
            // Saturating float → int casts keep absurd spreads finite; the loop below then
            // grows the cell until the grid is small.
            let cols = (((x1 - x0) / cell).floor() as usize).saturating_add(1);
            let rows = (((y1 - y0) / cell).floor() as usize).saturating_add(1);
            (cols, rows)
        };
        let (mut cols, mut rows) = dims(cell);
        while cols.saturating_mul(rows) > max_cells {
            cell *= (cols as f64 * rows as f64 / max_cells as f64)
                .sqrt()
                .max(1.5);
            (cols, rows) = dims(cell);
        }

        let mut index = NearestIndex {
            origin: (x0, y0),
            cell,
            cols,
            rows,
            starts: vec![0; cols * rows + 1],
            entries: Vec::with_capacity(kept.len()),
        };
        // Counting sort by cell keeps each cell's points contiguous for fast scans.
        let cells: Vec<usize> = kept.iter().map(|e| index.cell_of(e.x, e.y)).collect();
        for &c in &cells {
            index.starts[c + 1] += 1;
        }
        for c in 0..cols * rows {
            index.starts[c + 1] += index.starts[c];
        }
        let mut next = index.starts.clone();
        let mut sorted = vec![
            Entry {
                x: 0.0,
                y: 0.0,
                index: 0
            };
            kept.len()
        ];
        for (entry, &c) in kept.iter().zip(&cells) {
            sorted[next[c]] = *entry;
            next[c] += 1;
        }
        index.entries = sorted;
        index
    }

    /// How many points were indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn col_row(&self, px: f64, py: f64) -> (usize, usize) {
        let c = ((px - self.origin.0) / self.cell).floor();
        let r = ((py - self.origin.1) / self.cell).floor();
        // Clamping also sends queries outside the grid to its nearest border cell.
        (
            c.clamp(0.0, (self.cols - 1) as f64) as usize,
            r.clamp(0.0, (self.rows - 1) as f64) as usize,
        )
    }

    fn cell_of(&self, px: f64, py: f64) -> usize {
        let (c, r) = self.col_row(px, py);
        r * self.cols + c
    }

    /// Squared distance from a pixel to cell `(c, r)`, a lower bound for its points. The
    /// cell is grown by a hair so rounding in `col_row` can never make it an overestimate.
    fn cell_distance2(&self, px: f64, py: f64, c: usize, r: usize) -> f64 {
        let slack = self.cell * 1e-9;
        let x0 = self.origin.0 + c as f64 * self.cell - slack;
        let y0 = self.origin.1 + r as f64 * self.cell - slack;
        let (x1, y1) = (x0 + self.cell + 2.0 * slack, y0 + self.cell + 2.0 * slack);
        let dx = (x0 - px).max(px - x1).max(0.0);
        let dy = (y0 - py).max(py - y1).max(0.0);
        dx * dx + dy * dy
    }

    /// The index (into the caller's `points`) of the point closest to `(px, py)` within
    /// `max_dist` pixels (inclusive), or `None`. Equally close points: the lowest index wins,
    /// so the answer does not depend on the grid.
    pub fn nearest(&self, px: f64, py: f64, max_dist: f64) -> Option<usize> {
        if self.entries.is_empty()
            || !px.is_finite()
            || !py.is_finite()
            || max_dist.is_nan()
            || max_dist < 0.0
        {
            return None;
        }
        let mut best: Option<(f64, usize)> = None;
        let bound = |best: Option<(f64, usize)>| best.map_or(max_dist * max_dist, |b| b.0);
        let (qc, qr) = self.col_row(px, py);
        let (qc, qr) = (qc as isize, qr as isize);
        let (cols, rows) = (self.cols as isize, self.rows as isize);
        let last_ring = cols.max(rows);
        for ring in 0..=last_ring {
            // Cell distances only grow ring by ring (the query cell is the grid cell nearest
            // the query along each axis), so once a whole ring is out of reach, all is.
            let mut ring_min = f64::INFINITY;
            let mut visit = |c: isize, r: isize, best: &mut Option<(f64, usize)>| {
                if c < 0 || r < 0 || c >= cols || r >= rows {
                    return;
                }
                let (c, r) = (c as usize, r as usize);
                let d2 = self.cell_distance2(px, py, c, r);
                ring_min = ring_min.min(d2);
                if d2 > bound(*best) {
                    return;
                }
                let cell = r * self.cols + c;
                for e in &self.entries[self.starts[cell]..self.starts[cell + 1]] {
                    let (dx, dy) = (e.x - px, e.y - py);
                    let d2 = dx * dx + dy * dy;
                    let better = match *best {
                        None => d2 <= max_dist * max_dist,
                        Some((b2, bi)) => d2 < b2 || (d2 == b2 && e.index < bi),
                    };
                    if better {
                        *best = Some((d2, e.index));
                    }
                }
            };
            if ring == 0 {
                visit(qc, qr, &mut best);
            } else {
                for c in (qc - ring)..=(qc + ring) {
                    visit(c, qr - ring, &mut best);
                    visit(c, qr + ring, &mut best);
                }
                for r in (qr - ring + 1)..=(qr + ring - 1) {
                    visit(qc - ring, r, &mut best);
                    visit(qc + ring, r, &mut best);
                }
            }
            if ring_min > bound(best) {
                break;
            }
        }
        best.map(|(_, i)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    /// The reference answer: same distance formula and the same tie rule.
    fn brute(points: &[(f64, f64)], px: f64, py: f64, max_dist: f64) -> Option<usize> {
        let mut best: Option<(f64, usize)> = None;
        for (i, &(x, y)) in points.iter().enumerate() {
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let d2 = (x - px) * (x - px) + (y - py) * (y - py);
            if d2 <= max_dist * max_dist && best.is_none_or(|(b2, _)| d2 < b2) {
                best = Some((d2, i));
            }
        }
        best.map(|(_, i)| i)
    }

    #[test]
    fn empty_input_finds_nothing() {
        let index = NearestIndex::new(&[], 10.0);
        assert!(index.is_empty());
        assert_eq!(index.nearest(0.0, 0.0, f64::INFINITY), None);
        let index = NearestIndex::new(&[(f64::NAN, 1.0), (2.0, f64::INFINITY)], 10.0);
        assert_eq!(index.len(), 0);
        assert_eq!(index.nearest(2.0, 1.0, f64::INFINITY), None);
    }

    #[test]
    fn single_point_within_and_beyond_reach() {
        let index = NearestIndex::new(&[(f64::NAN, 0.0), (100.0, 50.0)], 8.0);
        assert_eq!(index.nearest(100.0, 50.0, 0.0), Some(1));
        assert_eq!(index.nearest(103.0, 54.0, 5.0), Some(1));
        assert_eq!(index.nearest(103.0, 54.0, 4.99), None);
        assert_eq!(index.nearest(-1e6, 1e6, f64::INFINITY), Some(1));
        assert_eq!(index.nearest(f64::NAN, 0.0, f64::INFINITY), None);
        assert_eq!(index.nearest(100.0, 50.0, f64::NAN), None);
    }

    #[test]
    fn points_on_cell_edges_and_grid_borders() {
        // Multiples of the cell size sit exactly on cell boundaries.
        let cell = 10.0;
        let points: Vec<(f64, f64)> = (0..=4)
            .flat_map(|i| (0..=4).map(move |j| (i as f64 * cell, j as f64 * cell)))
            .collect();
        let index = NearestIndex::new(&points, cell);
        for (k, &(x, y)) in points.iter().enumerate() {
            assert_eq!(index.nearest(x, y, 0.0), Some(k));
            assert_eq!(index.nearest(x + 0.4, y - 0.4, 1.0), Some(k));
        }
        // Outside the grid on every side.
        assert_eq!(index.nearest(-7.0, -7.0, 10.0), Some(0));
        assert_eq!(index.nearest(47.0, 47.0, 10.0), Some(points.len() - 1));
        assert_eq!(index.nearest(-100.0, 20.0, 99.0), None);
    }

    #[test]
    fn ties_go_to_the_lowest_index() {
        let points = [
            (10.0, 0.0),
            (0.0, 10.0),
            (-10.0, 0.0),
            (0.0, -10.0),
            (10.0, 0.0),
        ];
        for cell in [1.0, 3.0, 10.0, 50.0] {
            let index = NearestIndex::new(&points, cell);
            assert_eq!(index.nearest(0.0, 0.0, 20.0), Some(0));
            assert_eq!(index.nearest(10.0, 0.0, 20.0), Some(0));
            assert_eq!(index.nearest(-5.0, 5.0, 20.0), Some(1));
        }
    }

    #[test]
    fn agrees_with_brute_force_on_random_points() {
        let mut rng = SmallRng::seed_from_u64(0x5eed);
        let mut points: Vec<(f64, f64)> = (0..10_000)
            .map(|_| (rng.random_range(0.0..800.0), rng.random_range(0.0..500.0)))
            .collect();
        // A dense clump and some duplicates make ties and crowded cells.
        for p in points.iter_mut().take(500) {
            *p = (
                400.0 + rng.random_range(-2.0..2.0),
                250.0 + rng.random_range(-2.0..2.0),
            );
        }
        for i in 500..520 {
            points[i] = points[i - 500];
        }
        for cell in [4.0, 16.0, 64.0] {
            let index = NearestIndex::new(&points, cell);
            for _ in 0..2_000 {
                let (px, py) = (
                    rng.random_range(-50.0..850.0),
                    rng.random_range(-50.0..550.0),
                );
                for max_dist in [3.0, 12.0, f64::INFINITY] {
                    assert_eq!(
                        index.nearest(px, py, max_dist),
                        brute(&points, px, py, max_dist),
                        "query ({px}, {py}) within {max_dist}, cell {cell}"
                    );
                }
            }
        }
    }

    #[test]
    fn positions_beyond_any_screen_are_left_out() {
        let index = NearestIndex::new(&[(-1e300, 0.0), (1.0, f64::MAX), (3.0, 4.0)], 8.0);
        assert_eq!(index.len(), 1);
        assert_eq!(index.nearest(-1e300, 0.0, f64::INFINITY), Some(2));
    }

    #[test]
    fn within_keeps_only_points_on_the_plot() {
        let rect = PixelRect {
            left: 0.0,
            top: 0.0,
            width: 100.0,
            height: 100.0,
        };
        let points = [(50.0, 50.0), (-1e12, 40.0), (100.0, 100.0), (101.0, 50.0)];
        let index = NearestIndex::within(&points, 10.0, rect);
        assert_eq!(index.len(), 2);
        assert_eq!(index.nearest(-1e12, 40.0, 10.0), None);
        // Point 3 (outside) is nearest to this query, point 0 the nearest kept one.
        assert_eq!(index.nearest(95.0, 45.0, 60.0), Some(0));
        assert_eq!(index.nearest(99.0, 99.0, 5.0), Some(2));
    }

    #[test]
    fn huge_spreads_keep_the_grid_small() {
        let points = [(0.0, 0.0), (1e15, 1e15), (-1e140, 3.0), (5.0, 5.0)];
        let index = NearestIndex::new(&points, 1.0);
        assert!(index.starts.len() <= 4 * points.len() + 65);
        for &(px, py) in &[(1.0, 1.0), (1e15, 1e15 - 3.0), (-1e140, 0.0), (4.0, 6.0)] {
            assert_eq!(
                index.nearest(px, py, f64::INFINITY),
                brute(&points, px, py, f64::INFINITY)
            );
        }
    }
}
