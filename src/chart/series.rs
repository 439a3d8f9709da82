//! A named set of points and how it is drawn: points, lines and staircases.
//!
//! Down-sampling: a points series with more points than a quarter of the plot's pixels
//! keeps one point per pixel (the first; alpha then stops accumulating there), so a
//! million points cost at most one circle per pixel. Lines drop consecutive vertices
//! that land on the same pixel. Everything is clipped to the plot; non-finite values,
//! and non-positive ones on log axes, are never drawn (they break a line in two).

use std::borrow::Cow;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::geometry::{clipped_runs, dashes, on_plot, pixel, staircase};
use super::projection::Projection;
use super::{fail, rgba, Rgb, Scale};

/// How a series is drawn. Sizes are CSS pixels (scaled by [`Scale`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SeriesKind {
    /// Filled circles; `alpha` < 1 lets dense clouds show density.
    Points { radius: f64, alpha: f64 },
    /// Vertices joined in the given order.
    Line { width: f64 },
    /// A staircase through the points sorted by x, holding each y until the next x: the
    /// attainable region's edge of a Pareto frontier where both axes are minimised.
    Step { width: f64 },
}

/// A named set of points of one kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: Rgb,
    pub kind: SeriesKind,
    pub points: Vec<(f64, f64)>,
    /// Per-point colours (a cloud coloured by an attribute); missing entries use `color`.
    pub point_colors: Option<Vec<Rgb>>,
    /// Hidden series are not drawn but stay in the legend, greyed, so they can be shown
    /// again.
    pub visible: bool,
    /// Lines and staircases: drawn dashed (and so is their legend swatch), to tell apart two
    /// lines of one colour (a rated roof from its achievable one).
    pub dashed: bool,
    /// Points: the mark of each point (and of the legend swatch), so a second attribute
    /// (precision) can be told apart by shape while colour shows the chosen one.
    pub shape: Shape,
    /// Lines and staircases: drawn this many CSS pixels below their place (negative: above),
    /// so series that share values run side by side in a fixed order instead of covering
    /// each other in whatever order they happen to be drawn.
    pub lane: f64,
}

/// The mark of a points series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    /// A filled disc.
    #[default]
    Disc,
    /// An outlined circle.
    Ring,
    /// A filled square.
    Square,
    /// A filled triangle, point up.
    Triangle,
    /// A filled diamond.
    Diamond,
    /// An outlined square.
    OpenSquare,
    /// An outlined triangle, point up.
    OpenTriangle,
    /// An upright cross (+).
    Cross,
}

impl Shape {
    /// Eight marks told apart at a glance, so a search comparing up to eight precisions
    /// gives each its own.
    pub const ALL: [Shape; 8] = [
        Shape::Disc,
        Shape::Ring,
        Shape::Square,
        Shape::Triangle,
        Shape::Diamond,
        Shape::OpenSquare,
        Shape::OpenTriangle,
        Shape::Cross,
    ];

    /// One shape per index (e.g. per precision), cycling after eight.
    pub fn nth(i: usize) -> Shape {
        Shape::ALL[i % Shape::ALL.len()]
    }
}

impl Series {
    pub fn points(name: impl Into<String>, color: Rgb, points: Vec<(f64, f64)>) -> Series {
        Series::new(
            name,
            color,
            SeriesKind::Points {
                radius: 2.5,
                alpha: 0.8,
            },
            points,
        )
    }

    pub fn line(name: impl Into<String>, color: Rgb, points: Vec<(f64, f64)>) -> Series {
        Series::new(name, color, SeriesKind::Line { width: 2.0 }, points)
    }

    pub fn step(name: impl Into<String>, color: Rgb, points: Vec<(f64, f64)>) -> Series {
        Series::new(name, color, SeriesKind::Step { width: 2.0 }, points)
    }

    pub fn new(
        name: impl Into<String>,
        color: Rgb,
        kind: SeriesKind,
        points: Vec<(f64, f64)>,
    ) -> Series {
        Series {
            name: name.into(),
            color,
            kind,
            points,
            point_colors: None,
            visible: true,
            dashed: false,
            shape: Shape::Disc,
            lane: 0.0,
        }
    }

    pub fn in_lane(mut self, css_px: f64) -> Series {
        self.lane = css_px;
        self
    }

    pub fn dashed(mut self) -> Series {
        self.dashed = true;
        self
    }

    pub fn with_shape(mut self, shape: Shape) -> Series {
        self.shape = shape;
        self
    }

    pub fn with_point_colors(mut self, colors: Vec<Rgb>) -> Series {
        self.point_colors = Some(colors);
        self
    }

    pub fn hidden(mut self) -> Series {
        self.visible = false;
        self
    }
}

/// Draws one series on `screen` (an area in absolute backend pixels).
pub(crate) fn draw_series<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    series: &Series,
    scale: Scale,
) -> Result<(), String> {
    // A staircase is a line through its stair vertices.
    let (width, vertices) = match series.kind {
        SeriesKind::Points { radius, alpha } => {
            return draw_points(
                screen,
                projection,
                series,
                scale.stroke(radius),
                alpha,
                scale,
            );
        }
        SeriesKind::Line { width } => (width, Cow::Borrowed(series.points.as_slice())),
        SeriesKind::Step { width } => (width, Cow::Owned(staircase(&series.points))),
    };
    let lane = scale.px(series.lane);
    let vertices = vertices
        .iter()
        .map(|&(x, y)| pixel(projection, x, y).map(|(px, py)| (px, py + lane)));
    let dash = series.dashed.then(|| dash_pattern(scale));
    draw_polyline(
        screen,
        projection,
        vertices,
        series.color,
        scale.stroke(width),
        dash,
    )
}

fn draw_points<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    series: &Series,
    radius: u32,
    alpha: f64,
    scale: Scale,
) -> Result<(), String> {
    // Dense clouds draw one dot per cell of about a dot's radius: more dots there would
    // cover the same pixels, and each costs a canvas call (a million candidates cover a few
    // tens of thousands of cells).
    let plot = projection.plot;
    let cell = f64::from(radius.max(1));
    let cols = (plot.width.max(0.0) / cell) as usize + 1;
    let rows = (plot.height.max(0.0) / cell) as usize + 1;
    let dedupe = series.points.len() > cols * rows / 4;
    let mut seen = if dedupe {
        vec![0u64; (cols * rows).div_ceil(64)]
    } else {
        Vec::new()
    };
    let colors = series.point_colors.as_deref().unwrap_or(&[]);
    for (i, &(x, y)) in series.points.iter().enumerate() {
        let Some((px, py)) = on_plot(projection, x, y) else {
            continue;
        };
        if dedupe {
            let c = (((px as f64 - plot.left) / cell).round().max(0.0) as usize).min(cols - 1);
            let r = (((py as f64 - plot.top) / cell).round().max(0.0) as usize).min(rows - 1);
            let bit = r * cols + c;
            if seen[bit / 64] & (1 << (bit % 64)) != 0 {
                continue;
            }
            seen[bit / 64] |= 1 << (bit % 64);
        }
        let color = colors.get(i).copied().unwrap_or(series.color);
        draw_mark(
            screen,
            (px, py),
            radius,
            series.shape,
            rgba(color, alpha),
            scale,
        )?;
    }
    Ok(())
}

/// One mark of a points series (or its legend swatch) centred on a pixel.
pub(crate) fn draw_mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    radius: u32,
    shape: Shape,
    color: RGBAColor,
    scale: Scale,
) -> Result<(), String> {
    match shape {
        Shape::Disc => area.draw(&Circle::new((x, y), radius, color.filled())),
        Shape::Ring => area.draw(&Circle::new(
            (x, y),
            radius,
            color.stroke_width(scale.stroke(1.0)),
        )),
        Shape::Square => {
            let r = radius as i32;
            area.draw(&Rectangle::new(
                [(x - r, y - r), (x + r, y + r)],
                color.filled(),
            ))
        }
        Shape::OpenSquare => {
            let r = radius as i32;
            area.draw(&Rectangle::new(
                [(x - r, y - r), (x + r, y + r)],
                color.stroke_width(scale.stroke(1.0)),
            ))
        }
        Shape::Triangle | Shape::OpenTriangle | Shape::Diamond => {
            // Triangles a little larger than the radius so their area matches a disc's.
            let r = radius as f64 * 1.25;
            let at = |dx: f64, dy: f64| (x + dx.round() as i32, y + dy.round() as i32);
            let corners = if shape == Shape::Diamond {
                vec![at(0.0, -r), at(r, 0.0), at(0.0, r), at(-r, 0.0)]
            } else {
                let (h, half) = (r * 0.75, r * 0.866);
                vec![at(0.0, -r), at(half, h * 0.667), at(-half, h * 0.667)]
            };
            if shape == Shape::OpenTriangle {
                let mut closed = corners.clone();
                closed.push(corners[0]);
                area.draw(&PathElement::new(
                    closed,
                    color.stroke_width(scale.stroke(1.0)),
                ))
            } else {
                area.draw(&Polygon::new(corners, color.filled()))
            }
        }
        Shape::Cross => {
            let r = radius as i32 + 1;
            let style = color.stroke_width(scale.stroke(1.5));
            area.draw(&PathElement::new(vec![(x - r, y), (x + r, y)], style))
                .map_err(fail)?;
            area.draw(&PathElement::new(vec![(x, y - r), (x, y + r)], style))
        }
    }
    .map_err(fail)
}

/// Dash and gap lengths of dashed series, in backend pixels.
fn dash_pattern(scale: Scale) -> (f64, f64) {
    (scale.px(7.0), scale.px(4.0))
}

/// Draws a polyline clipped to the plot, solid or with `dash` = (dash, gap) lengths.
pub(crate) fn draw_polyline<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    vertices: impl Iterator<Item = Option<(f64, f64)>>,
    color: Rgb,
    width: u32,
    dash: Option<(f64, f64)>,
) -> Result<(), String> {
    let style = rgba(color, 1.0).stroke_width(width);
    let runs = clipped_runs(vertices, &projection.plot);
    let runs = match dash {
        Some((on, off)) => runs.iter().flat_map(|r| dashes(r, on, off)).collect(),
        None => runs,
    };
    for run in runs {
        screen.draw(&PathElement::new(run, style)).map_err(fail)?;
    }
    Ok(())
}
