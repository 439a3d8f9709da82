//! The feasible-region chart (method §5): loss over a grid of hidden size × layers, cells
//! that break a budget hatched out, budget boundary curves (e.g. l* = F̄ₚ/(ξ_F·d²)) and
//! markers for the best enumerated design and the theory's prediction.
//!
//! Cells span halfway to their neighbours (in log space on log axes), so an uneven grid
//! such as d ∈ {768, …, 2560, 3072} still tiles the plot. Colours follow viridis, which
//! is perceptually even and reads in greyscale and with colour-blindness. Optional
//! iso-lines come from marching squares over the cell centres. Axes, legend, boundary
//! curves and markers are the code the xy chart uses too.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::annotations::{draw_markers, Marker};
use super::frame::{draw_frame, AxisFrame, AxisSpec, DrawnChart, FrameSpec, LegendPlacement};
use super::geometry::clip_segment;
use super::legend::{series_legend, washed, LegendItem, Swatch};
use super::projection::{Axis, PixelRect, Projection, Ticks};
use super::series::{draw_series, Series};
use super::text::{text_size, text_style, NOTE_FONT};
use super::{fail, rgb, rgba, Rgb, Scale, Theme};

/// One grid point: its coordinates (values from `xs` and `ys`), loss, and whether it
/// meets the budgets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    pub x: f64,
    pub y: f64,
    pub value: f64,
    pub feasible: bool,
}

/// Everything the feasible-region chart shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    pub title: String,
    /// Usually hidden size d; a fixed `range` zooms, otherwise the grid fills the plot.
    pub x: AxisSpec,
    /// Usually layers l.
    pub y: AxisSpec,
    /// Grid values along each axis, in any order.
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// Grid points without a cell, or with a non-finite value, stay blank.
    pub cells: Vec<Cell>,
    /// What the colour means, with units, e.g. "loss (nats)".
    pub value_label: String,
    /// Values at which to draw iso-lines; also marked on the colour bar.
    pub contour_levels: Vec<f64>,
    /// Budget boundaries as line series (legend entries toggle them).
    pub boundaries: Vec<Series>,
    pub markers: Vec<Marker>,
    pub legend: LegendPlacement,
}

/// The grid the cells sit on, checked and sorted.
struct Grid {
    xs: Vec<f64>,
    ys: Vec<f64>,
    x_axis: Axis,
    y_axis: Axis,
    /// Cell boundaries in axis space: `xs.len() + 1` and `ys.len() + 1` of them.
    x_edges: Vec<f64>,
    y_edges: Vec<f64>,
    /// Index into `cells` of each grid point, row-major (`j * xs.len() + i`).
    slots: Vec<Option<usize>>,
}

impl Heatmap {
    fn grid(&self) -> Result<Grid, String> {
        let xs = grid_values("x", &self.xs, self.x.log)?;
        let ys = grid_values("y", &self.ys, self.y.log)?;
        let x_axis = Axis {
            lo: xs[0],
            hi: xs[xs.len() - 1],
            log: self.x.log,
        };
        let y_axis = Axis {
            lo: ys[0],
            hi: ys[ys.len() - 1],
            log: self.y.log,
        };
        let x_edges = edges(&xs, &x_axis);
        let y_edges = edges(&ys, &y_axis);
        let mut slots = vec![None; xs.len() * ys.len()];
        for (k, cell) in self.cells.iter().enumerate() {
            match (position(&xs, cell.x), position(&ys, cell.y)) {
                (Some(i), Some(j)) => slots[j * xs.len() + i] = Some(k),
                _ => {
                    return Err(format!(
                        "cell at ({}, {}) is not on the grid: each cell's x must be one of xs \
                         and its y one of ys",
                        cell.x, cell.y
                    ))
                }
            }
        }
        Ok(Grid {
            xs,
            ys,
            x_axis,
            y_axis,
            x_edges,
            y_edges,
            slots,
        })
    }

    /// The index into `cells` of the cell drawn under pixel `(px, py)`, for hover.
    pub fn cell_at(&self, projection: &Projection, px: f64, py: f64) -> Option<usize> {
        if !projection.plot.contains(px, py) {
            return None;
        }
        let grid = self.grid().ok()?;
        let (x, y) = projection.to_data(px, py);
        let find = |edges: &[f64], u: f64| {
            let k = edges.partition_point(|&e| e <= u);
            (k >= 1 && k < edges.len()).then(|| k - 1)
        };
        let i = find(&grid.x_edges, grid.x_axis.forward(x))?;
        let j = find(&grid.y_edges, grid.y_axis.forward(y))?;
        grid.slots[j * grid.xs.len() + i]
    }
}

/// Sorted distinct grid values, or an error naming the axis.
fn grid_values(name: &str, values: &[f64], log: bool) -> Result<Vec<f64>, String> {
    if values.is_empty() {
        return Err(format!("the {name} grid is empty"));
    }
    if let Some(bad) = values
        .iter()
        .find(|v| !v.is_finite() || (log && **v <= 0.0))
    {
        let need = if log { "positive" } else { "finite" };
        return Err(format!(
            "the {name} grid holds {bad}: a {}axis needs {need} values",
            if log { "log " } else { "" }
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    Ok(sorted)
}

/// Index of the grid value equal to `v` (to 1e-9 relative, so recomputed floats match).
fn position(sorted: &[f64], v: f64) -> Option<usize> {
    let k = sorted.partition_point(|&g| g < v);
    [k.checked_sub(1), Some(k)]
        .into_iter()
        .flatten()
        .filter(|&i| i < sorted.len())
        .find(|&i| (sorted[i] - v).abs() <= 1e-9 * sorted[i].abs().max(v.abs()))
}

/// Cell boundaries in axis space, halfway between neighbours; the outer cells are as
/// wide as their neighbour, and a lone value gets ±0.5 (half a natural-log unit on log
/// axes, a factor of 1.65).
fn edges(sorted: &[f64], axis: &Axis) -> Vec<f64> {
    let u: Vec<f64> = sorted.iter().map(|&v| axis.forward(v)).collect();
    let n = u.len();
    if n == 1 {
        let half = if axis.log {
            0.5
        } else {
            0.5f64.max(0.1 * u[0].abs())
        };
        return vec![u[0] - half, u[0] + half];
    }
    let mut e = Vec::with_capacity(n + 1);
    e.push(u[0] - (u[1] - u[0]) / 2.0);
    e.extend(u.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    e.push(u[n - 1] + (u[n - 1] - u[n - 2]) / 2.0);
    e
}

/// Viridis (matplotlib), eleven stops interpolated linearly: `t` = 0 dark purple,
/// 1 yellow.
pub fn viridis(t: f64) -> Rgb {
    const STOPS: [Rgb; 11] = [
        (0x44, 0x01, 0x54),
        (0x48, 0x24, 0x75),
        (0x41, 0x44, 0x87),
        (0x35, 0x5F, 0x8D),
        (0x2A, 0x78, 0x8E),
        (0x21, 0x91, 0x8C),
        (0x22, 0xA8, 0x84),
        (0x44, 0xBF, 0x70),
        (0x7A, 0xD1, 0x51),
        (0xBD, 0xDF, 0x26),
        (0xFD, 0xE7, 0x25),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let k = (x.floor() as usize).min(STOPS.len() - 2);
    super::mix(STOPS[k], STOPS[k + 1], x - k as f64)
}

/// Draws the feasible-region chart on `root` and returns its projection and the legend
/// entries of the boundary series (indices into `heatmap.boundaries`).
///
/// Errors: an empty or non-finite grid, a cell off the grid, an unusable fixed range, an
/// area too small to draw in, or a backend failure.
pub fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    heatmap: &Heatmap,
    theme: &Theme,
    scale: Scale,
) -> Result<DrawnChart, String> {
    let grid = heatmap.grid()?;
    // Unless a range is fixed, each axis spans its grid's outer cell edges.
    let span = |spec: &AxisSpec, name: &str, edges: &[f64], axis: &Axis| {
        spec.resolve_or(name, || Axis {
            lo: axis.inverse(edges[0]),
            hi: axis.inverse(edges[edges.len() - 1]),
            log: spec.log,
        })
    };
    let x = span(&heatmap.x, "x", &grid.x_edges, &grid.x_axis)?;
    let y = span(&heatmap.y, "y", &grid.y_edges, &grid.y_axis)?;
    let values = Axis::auto(heatmap.cells.iter().map(|c| c.value), false, 0.0);
    let value_ticks = values.ticks(5);

    // Colour bar strip: gap, bar, ticks, labels, rotated value label.
    let label_style = text_style(theme, NOTE_FONT, theme.foreground, scale);
    let mut widest: f64 = 0.0;
    for &v in &value_ticks.major {
        widest = widest.max(text_size(root, &value_ticks.label(v), &label_style)?.0);
    }
    let value_label_h = if heatmap.value_label.is_empty() {
        0.0
    } else {
        text_size(root, &heatmap.value_label, &label_style)?.1 + scale.px(4.0)
    };
    let bar = ColourBar {
        gap: scale.px(12.0),
        width: scale.px(14.0),
        tick: scale.px(4.0),
    };
    let reserve = bar.gap + bar.width + 2.0 * bar.tick + widest + value_label_h + scale.px(8.0);

    let mut legend = series_legend(&heatmap.boundaries);
    if heatmap.cells.iter().any(|c| !c.feasible) {
        legend.push(LegendItem {
            label: "infeasible".into(),
            swatch: Swatch::Hatched(washed(viridis(0.5), theme)),
            active: true,
            series: None,
        });
    }
    let (width, _) = root.dim_in_pixel();
    let room = |n: usize| (width as f64 / scale.px(70.0)).max(2.0).min(n as f64);
    let frame = draw_frame(
        root,
        &FrameSpec {
            title: &heatmap.title,
            subtitle: "",
            x: AxisFrame {
                axis: x,
                label: &heatmap.x.label,
                ticks: Some(thinned(&grid.xs, room(grid.xs.len()))),
            },
            y: AxisFrame {
                axis: y,
                label: &heatmap.y.label,
                ticks: Some(thinned(&grid.ys, room(grid.ys.len()).min(12.0))),
            },
            grid: false,
            legend: &legend,
            placement: heatmap.legend,
            right_reserve: reserve,
        },
        theme,
        scale,
    )?;
    let projection = frame.projection;
    let screen = root.use_screen_coord();

    draw_cells(&screen, &projection, heatmap, &grid, &values, theme, scale)?;
    draw_contours(&screen, &projection, heatmap, &grid, theme, scale)?;
    for series in heatmap.boundaries.iter().filter(|s| s.visible) {
        draw_series(&screen, &projection, series, scale)?;
    }
    draw_markers(root, &screen, &projection, &heatmap.markers, theme, scale)?;
    bar.draw(
        &screen,
        frame.reserve,
        &values,
        &value_ticks,
        &heatmap.contour_levels,
        &heatmap.value_label,
        theme,
        scale,
    )?;
    Ok(DrawnChart {
        projection,
        legend: frame.legend,
    })
}

/// Every k-th grid value, so about `room` labels fit.
fn thinned(values: &[f64], room: f64) -> Ticks {
    let stride = (values.len() as f64 / room.max(1.0)).ceil().max(1.0) as usize;
    Ticks::at(values.iter().copied().step_by(stride).collect())
}

/// The pixel of an axis-space coordinate pair.
fn pixel_of(projection: &Projection, grid: &Grid, ux: f64, uy: f64) -> (f64, f64) {
    projection.to_pixel(grid.x_axis.inverse(ux), grid.y_axis.inverse(uy))
}

fn draw_cells<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    heatmap: &Heatmap,
    grid: &Grid,
    values: &Axis,
    theme: &Theme,
    scale: Scale,
) -> Result<(), String> {
    let plot = projection.plot;
    let hatch = rgba(theme.muted, 1.0).stroke_width(scale.stroke(1.0));
    let spacing = scale.px(8.0);
    let nx = grid.xs.len();
    for (slot, k) in grid.slots.iter().enumerate() {
        let Some(cell) = k.map(|k| heatmap.cells[k]) else {
            continue;
        };
        if !cell.value.is_finite() {
            continue;
        }
        let (i, j) = (slot % nx, slot / nx);
        let (x0, y0) = pixel_of(projection, grid, grid.x_edges[i], grid.y_edges[j]);
        let (x1, y1) = pixel_of(projection, grid, grid.x_edges[i + 1], grid.y_edges[j + 1]);
        // Clip to the plot; y0 is the bottom edge (larger pixel y).
        let left = x0.max(plot.left).round();
        let right = x1.min(plot.right()).round();
        let top = y1.max(plot.top).round();
        let bottom = y0.min(plot.bottom()).round();
        if !(left < right && top < bottom) {
            continue;
        }
        let color = viridis(values.fraction(cell.value));
        let fill = if cell.feasible {
            color
        } else {
            washed(color, theme)
        };
        let corners = [(left as i32, top as i32), (right as i32, bottom as i32)];
        screen
            .draw(&Rectangle::new(corners, rgb(fill).filled()))
            .map_err(fail)?;
        if !cell.feasible {
            let rect = PixelRect {
                left,
                top,
                width: right - left,
                height: bottom - top,
            };
            for line in hatch_lines(&rect, spacing) {
                screen.draw(&PathElement::new(line, hatch)).map_err(fail)?;
            }
        }
    }
    Ok(())
}

/// Diagonal hatching ("/") of a rectangle: the lines x + y = k·`spacing` clipped to it.
/// Aligned to the canvas rather than the cell, so neighbouring cells' hatches join up.
fn hatch_lines(rect: &PixelRect, spacing: f64) -> Vec<Vec<(i32, i32)>> {
    let first = ((rect.left + rect.top) / spacing).ceil() as i64;
    let last = ((rect.right() + rect.bottom()) / spacing).floor() as i64;
    (first..=last)
        .filter_map(|k| {
            let c = k as f64 * spacing;
            let from = (c - rect.bottom(), rect.bottom());
            let to = (c - rect.top, rect.top);
            let (a, b) = clip_segment(from, to, rect)?;
            let (a, b) = (
                (a.0.round() as i32, a.1.round() as i32),
                (b.0.round() as i32, b.1.round() as i32),
            );
            (a != b).then(|| vec![a, b])
        })
        .collect()
}

fn draw_contours<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    heatmap: &Heatmap,
    grid: &Grid,
    theme: &Theme,
    scale: Scale,
) -> Result<(), String> {
    let (nx, ny) = (grid.xs.len(), grid.ys.len());
    let values: Vec<Option<f64>> = grid
        .slots
        .iter()
        .map(|k| k.map(|k| heatmap.cells[k].value))
        .collect();
    let style = rgba(theme.foreground, 0.75).stroke_width(scale.stroke(1.0));
    let ux: Vec<f64> = grid.xs.iter().map(|&v| grid.x_axis.forward(v)).collect();
    let uy: Vec<f64> = grid.ys.iter().map(|&v| grid.y_axis.forward(v)).collect();
    // Fractional grid index → axis space, linear between neighbouring centres.
    let along = |u: &[f64], f: f64| {
        let k = (f.floor() as usize).min(u.len().saturating_sub(2));
        u[k] + (f - k as f64) * (u[k + 1] - u[k])
    };
    for &level in heatmap.contour_levels.iter().filter(|l| l.is_finite()) {
        for (a, b) in contour_segments(&values, nx, ny, level) {
            let pa = pixel_of(projection, grid, along(&ux, a.0), along(&uy, a.1));
            let pb = pixel_of(projection, grid, along(&ux, b.0), along(&uy, b.1));
            if let Some((ca, cb)) = clip_segment(pa, pb, &projection.plot) {
                let line = vec![
                    (ca.0.round() as i32, ca.1.round() as i32),
                    (cb.0.round() as i32, cb.1.round() as i32),
                ];
                screen.draw(&PathElement::new(line, style)).map_err(fail)?;
            }
        }
    }
    Ok(())
}

/// Marching squares: segments of the iso-line at `level` through values on an `nx × ny`
/// grid (row-major, `j * nx + i`), in fractional grid coordinates `(i, j)`. Squares with a
/// missing or non-finite corner are skipped; saddles are split by the centre's average.
pub(crate) fn contour_segments(
    values: &[Option<f64>],
    nx: usize,
    ny: usize,
    level: f64,
) -> Vec<((f64, f64), (f64, f64))> {
    let mut out = Vec::new();
    let value = |i: usize, j: usize| values[j * nx + i].filter(|v| v.is_finite());
    for j in 0..ny.saturating_sub(1) {
        for i in 0..nx.saturating_sub(1) {
            // Corners counter-clockwise from (i, j): a, b, c, d.
            let (Some(a), Some(b), Some(c), Some(d)) = (
                value(i, j),
                value(i + 1, j),
                value(i + 1, j + 1),
                value(i, j + 1),
            ) else {
                continue;
            };
            let (x, y) = (i as f64, j as f64);
            let cross = |p: (f64, f64), vp: f64, q: (f64, f64), vq: f64| {
                let t = (level - vp) / (vq - vp);
                (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))
            };
            let (pa, pb, pc, pd) = ((x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0));
            // Edges: bottom a–b, right b–c, top c–d, left d–a.
            let bottom = || cross(pa, a, pb, b);
            let right = || cross(pb, b, pc, c);
            let top = || cross(pc, c, pd, d);
            let left = || cross(pd, d, pa, a);
            let case = (a >= level) as u8
                | ((b >= level) as u8) << 1
                | ((c >= level) as u8) << 2
                | ((d >= level) as u8) << 3;
            let centre_high = (a + b + c + d) / 4.0 >= level;
            match case {
                0 | 15 => {}
                1 | 14 => out.push((left(), bottom())),
                2 | 13 => out.push((bottom(), right())),
                3 | 12 => out.push((left(), right())),
                4 | 11 => out.push((right(), top())),
                6 | 9 => out.push((bottom(), top())),
                7 | 8 => out.push((left(), top())),
                // a and c high: joined through a high centre, else each cut off alone.
                5 if centre_high => {
                    out.push((bottom(), right()));
                    out.push((top(), left()));
                }
                5 => {
                    out.push((left(), bottom()));
                    out.push((right(), top()));
                }
                // b and d high.
                10 if centre_high => {
                    out.push((left(), bottom()));
                    out.push((right(), top()));
                }
                _ => {
                    out.push((bottom(), right()));
                    out.push((top(), left()));
                }
            }
        }
    }
    out
}

struct ColourBar {
    gap: f64,
    width: f64,
    tick: f64,
}

impl ColourBar {
    #[allow(clippy::too_many_arguments)]
    fn draw<DB: DrawingBackend>(
        &self,
        screen: &DrawingArea<DB, Shift>,
        strip: PixelRect,
        values: &Axis,
        ticks: &Ticks,
        levels: &[f64],
        label: &str,
        theme: &Theme,
        scale: Scale,
    ) -> Result<(), String> {
        let left = strip.left + self.gap;
        let right = left + self.width;
        let (top, bottom) = (strip.top, strip.bottom());
        let stripes = 64;
        for k in 0..stripes {
            let y0 = bottom - (k as f64 / stripes as f64) * strip.height;
            let y1 = bottom - ((k + 1) as f64 / stripes as f64) * strip.height;
            let corners = [
                (left.round() as i32, y1.round() as i32),
                (right.round() as i32, y0.round() as i32),
            ];
            let color = viridis((k as f64 + 0.5) / stripes as f64);
            screen
                .draw(&Rectangle::new(corners, rgb(color).filled()))
                .map_err(fail)?;
        }
        let line = rgba(theme.foreground, 1.0).stroke_width(scale.stroke(1.0));
        let frame = [
            (left.round() as i32, top.round() as i32),
            (right.round() as i32, bottom.round() as i32),
        ];
        screen.draw(&Rectangle::new(frame, line)).map_err(fail)?;
        let at = |v: f64| (bottom - values.fraction(v) * strip.height).round() as i32;
        let label_style = text_style(theme, NOTE_FONT, theme.foreground, scale)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for &v in &ticks.major {
            let y = at(v);
            let from = (right.round() as i32, y);
            let to = ((right + self.tick).round() as i32, y);
            screen
                .draw(&PathElement::new(vec![from, to], line))
                .map_err(fail)?;
            let text_at = ((right + 2.0 * self.tick).round() as i32, y);
            screen
                .draw(&Text::new(ticks.label(v), text_at, label_style.clone()))
                .map_err(fail)?;
        }
        let level_style = ShapeStyle {
            stroke_width: scale.stroke(2.0),
            ..line
        };
        for &v in levels.iter().filter(|v| values.fraction(**v).is_finite()) {
            let t = values.fraction(v);
            if !(0.0..=1.0).contains(&t) {
                continue;
            }
            let y = at(v);
            let across = vec![(left.round() as i32, y), (right.round() as i32, y)];
            screen
                .draw(&PathElement::new(across, level_style))
                .map_err(fail)?;
        }
        if !label.is_empty() {
            // Rotated a quarter turn clockwise, glyph tops facing right: anchored at the
            // strip's right edge like plotters' own right-hand axis descriptions.
            let style = text_style(theme, NOTE_FONT, theme.foreground, scale)
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Center, VPos::Top));
            let x = (strip.right() - scale.px(4.0)).round() as i32;
            let y = ((top + bottom) / 2.0).round() as i32;
            screen
                .draw(&Text::new(label, (x, y), style))
                .map_err(fail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hatching_stays_inside_and_covers_the_cell() {
        let rect = PixelRect {
            left: 10.0,
            top: 20.0,
            width: 40.0,
            height: 30.0,
        };
        let lines = hatch_lines(&rect, 8.0);
        // x + y runs from 30 to 100: multiples of 8 from 32 to 96, less the corners.
        assert!(lines.len() >= 7 && lines.len() <= 9, "{}", lines.len());
        for line in &lines {
            for &(x, y) in line {
                assert!(rect.contains(x as f64, y as f64), "({x}, {y})");
            }
            let (a, b) = (line[0], line[1]);
            assert_eq!(a.0 + a.1, b.0 + b.1, "not a 45° line: {a:?} {b:?}");
        }
    }

    #[test]
    fn viridis_ends_and_middle() {
        assert_eq!(viridis(0.0), (0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), (0xFD, 0xE7, 0x25));
        assert_eq!(viridis(0.5), (0x21, 0x91, 0x8C));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(viridis(7.0), viridis(1.0));
    }

    #[test]
    fn edges_fall_halfway_between_values() {
        let axis = Axis {
            lo: 1.0,
            hi: 4.0,
            log: false,
        };
        assert_eq!(edges(&[1.0, 2.0, 4.0], &axis), vec![0.5, 1.5, 3.0, 5.0]);
        assert_eq!(edges(&[10.0], &axis), vec![9.0, 11.0]);
        let log = Axis { log: true, ..axis };
        let e = edges(&[1.0, 100.0], &log);
        assert!((log.inverse(e[1]) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn grid_values_are_checked_sorted_and_distinct() {
        assert_eq!(
            grid_values("x", &[3.0, 1.0, 3.0], false),
            Ok(vec![1.0, 3.0])
        );
        assert_eq!(
            grid_values("y", &[], false),
            Err("the y grid is empty".to_string())
        );
        assert_eq!(
            grid_values("x", &[4.0, 0.0], true),
            Err("the x grid holds 0: a log axis needs positive values".to_string())
        );
        assert_eq!(position(&[768.0, 1024.0], 1024.0 * (1.0 + 1e-12)), Some(1));
        assert_eq!(position(&[768.0, 1024.0], 1000.0), None);
    }

    #[test]
    fn cells_off_the_grid_are_an_error() {
        let map = Heatmap {
            xs: vec![1.0, 2.0],
            ys: vec![1.0],
            cells: vec![Cell {
                x: 1.5,
                y: 1.0,
                value: 1.0,
                feasible: true,
            }],
            ..Heatmap::default()
        };
        let err = map.grid().err().unwrap();
        assert!(
            err.starts_with("cell at (1.5, 1) is not on the grid"),
            "{err}"
        );
    }

    #[test]
    fn a_linear_ramp_gives_one_straight_iso_line() {
        // v(i, j) = i on a 3 × 2 grid.
        let values: Vec<Option<f64>> = (0..2)
            .flat_map(|_| (0..3).map(|i| Some(i as f64)))
            .collect();
        assert_eq!(
            contour_segments(&values, 3, 2, 0.5),
            vec![((0.5, 0.0), (0.5, 1.0))]
        );
        assert_eq!(
            contour_segments(&values, 3, 2, 1.5),
            vec![((1.5, 0.0), (1.5, 1.0))]
        );
        assert!(contour_segments(&values, 3, 2, 7.0).is_empty());
        assert!(contour_segments(&values, 3, 2, -1.0).is_empty());
    }

    #[test]
    fn a_peak_gives_a_closed_loop() {
        let mut values = vec![Some(0.0); 9];
        values[4] = Some(1.0);
        let segments = contour_segments(&values, 3, 3, 0.5);
        assert_eq!(segments.len(), 4);
        let mut ends: Vec<(f64, f64)> = segments.iter().flat_map(|&(a, b)| [a, b]).collect();
        for &(x, y) in &ends {
            let d = (x - 1.0).abs() + (y - 1.0).abs();
            assert!((d - 0.5).abs() < 1e-12, "({x}, {y})");
        }
        // Closed: every end point is shared by two segments.
        ends.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert!(ends.chunks(2).all(|pair| pair[0] == pair[1]));
    }

    #[test]
    fn saddles_follow_the_centre_and_gaps_are_skipped() {
        // a and c high: 1 0 / 0 1 with centre 0.5.
        let values = vec![Some(1.0), Some(0.0), Some(0.0), Some(1.0)];
        let same = |got: Vec<((f64, f64), (f64, f64))>, want: [[f64; 4]; 2]| {
            assert_eq!(got.len(), 2);
            for (g, w) in got.iter().zip(want) {
                let g = [g.0 .0, g.0 .1, g.1 .0, g.1 .1];
                assert!(
                    g.iter().zip(w).all(|(a, b)| (a - b).abs() < 1e-12),
                    "{g:?} vs {w:?}"
                );
            }
        };
        // Centre above 0.4: a and c join, b and d are cut off.
        let joined = contour_segments(&values, 2, 2, 0.4);
        same(joined, [[0.6, 0.0, 1.0, 0.4], [0.4, 1.0, 0.0, 0.6]]);
        // Centre below 0.6: a and c are cut off on their own.
        let split = contour_segments(&values, 2, 2, 0.6);
        same(split, [[0.0, 0.4, 0.4, 0.0], [1.0, 0.6, 0.6, 1.0]]);
        let holes = vec![Some(1.0), None, Some(0.0), Some(1.0)];
        assert!(contour_segments(&holes, 2, 2, 0.5).is_empty());
    }
}
