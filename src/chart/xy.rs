//! Scatter, line and staircase charts (loss vs latency, Pareto frontiers, rooflines), and
//! the pieces the heatmap reuses: frame (title, legend, axes), series, rules, markers.
//!
//! plotters draws the axes and grid, with its own `log_scale` mapping on log axes; all
//! data is then drawn in backend pixels through the [`Projection`] read back from the
//! plot area, which is the same mapping to within the one-pixel rounding plotters applies.
//! That keeps down-sampling and clipping in our hands and gives the UI the exact mapping
//! used for the picture.
//!
//! Down-sampling: a points series with more points than a quarter of the plot's pixels
//! keeps one point per pixel (the first; alpha then stops accumulating there), so a
//! million points cost at most one circle per pixel. Lines drop consecutive vertices
//! that land on the same pixel. Everything is clipped to the plot; non-finite values,
//! and non-positive ones on log axes, are never drawn (they break a line in two).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::projection::{Axis, PixelRect, Projection, Ticks};
use super::{mix, rgb, rgba, Rgb, Scale, Theme};

/// One axis of a chart as the UI describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSpec {
    /// With units, e.g. "decode latency (ms)".
    pub label: String,
    pub log: bool,
    /// A fixed range (after a zoom, or typed by the user); `None` fits the data.
    pub range: Option<(f64, f64)>,
}

impl AxisSpec {
    pub fn linear(label: impl Into<String>) -> AxisSpec {
        AxisSpec {
            label: label.into(),
            log: false,
            range: None,
        }
    }

    pub fn log(label: impl Into<String>) -> AxisSpec {
        AxisSpec {
            label: label.into(),
            log: true,
            range: None,
        }
    }

    pub fn with_range(mut self, lo: f64, hi: f64) -> AxisSpec {
        self.range = Some((lo, hi));
        self
    }

    /// The axis to draw: the fixed range if set (an error names an unusable one), else
    /// the data's range with 4 % padding.
    pub(crate) fn resolve(
        &self,
        name: &str,
        data: impl IntoIterator<Item = f64>,
    ) -> Result<Axis, String> {
        self.resolve_or(name, || Axis::auto(data, self.log, 0.04))
    }

    /// The fixed range if set, else `fit()`.
    pub(crate) fn resolve_or(
        &self,
        name: &str,
        fit: impl FnOnce() -> Axis,
    ) -> Result<Axis, String> {
        match self.range {
            Some((lo, hi)) => Axis::checked(lo, hi, self.log).ok_or_else(|| {
                let hint = if self.log {
                    "it needs 0 < low < high"
                } else {
                    "it needs finite low < high"
                };
                format!(
                    "{name} axis range {lo}..{hi} cannot be drawn{}: {hint}",
                    if self.log { " on a log scale" } else { "" }
                )
            }),
            None => Ok(fit()),
        }
    }
}

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
}

impl Shape {
    /// One shape per index (e.g. per precision), cycling.
    pub fn nth(i: usize) -> Shape {
        [Shape::Disc, Shape::Ring, Shape::Square][i % 3]
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

/// Where a rule crosses the plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RuleAt {
    /// A vertical line, e.g. a latency budget on the x axis.
    X(f64),
    /// A horizontal line, e.g. a memory budget on the y axis.
    Y(f64),
}

/// A labelled dashed line across the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub at: RuleAt,
    pub label: String,
    pub color: Rgb,
}

/// A labelled highlighted point (a reference model, the ridge point, the best design).
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub color: Rgb,
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LegendPlacement {
    /// Right of the plot when that takes at most 30 % of the width, else above it.
    #[default]
    Auto,
    Right,
    Top,
    Hidden,
}

/// What the colours of per-point coloured series mean, shown in the legend after the series
/// (so a picture exported without the page still explains its colours).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColorKey {
    /// The attribute, e.g. "colour: experts E".
    pub title: String,
    /// Each value's label and colour.
    pub entries: Vec<(String, Rgb)>,
}

/// Everything an xy chart shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XyChart {
    pub title: String,
    /// A smaller line or two under the title (settings the picture depends on), wrapped to
    /// the width.
    pub subtitle: String,
    pub key: Option<ColorKey>,
    pub x: AxisSpec,
    pub y: AxisSpec,
    pub series: Vec<Series>,
    pub rules: Vec<Rule>,
    pub markers: Vec<Marker>,
    pub legend: LegendPlacement,
}

impl Default for AxisSpec {
    fn default() -> AxisSpec {
        AxisSpec::linear("")
    }
}

/// What the UI keeps from a static redraw: the mapping for hover, zoom and pan, and where
/// each series' legend entry is (backend pixels) to toggle it on click.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnChart {
    pub projection: Projection,
    /// `(index into the chart's series, entry rectangle)`, unnamed series have no entry.
    pub legend: Vec<(usize, PixelRect)>,
}

impl DrawnChart {
    /// The series whose legend entry contains the pixel, for click-to-toggle.
    pub fn legend_hit(&self, px: f64, py: f64) -> Option<usize> {
        self.legend
            .iter()
            .find(|(_, r)| r.contains(px, py))
            .map(|&(i, _)| i)
    }
}

/// Draws the static layer of an xy chart onto `root` (filled with the theme background)
/// and returns its projection and legend. Axes fit all series, visible or not (so
/// toggling one does not rescale), plus markers and rules, unless a range is fixed.
///
/// Errors: an unusable fixed range, an area too small for a plot, or a backend failure.
pub fn draw_xy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &XyChart,
    theme: &Theme,
    scale: Scale,
) -> Result<DrawnChart, String> {
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(chart.markers.iter().map(|m| m.x))
        .chain(chart.rules.iter().filter_map(|r| match r.at {
            RuleAt::X(x) => Some(x),
            RuleAt::Y(_) => None,
        }));
    let ys = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(chart.markers.iter().map(|m| m.y))
        .chain(chart.rules.iter().filter_map(|r| match r.at {
            RuleAt::Y(y) => Some(y),
            RuleAt::X(_) => None,
        }));
    let x = chart.x.resolve("x", xs)?;
    let y = chart.y.resolve("y", ys)?;
    let mut legend = series_legend(&chart.series);
    if let Some(key) = &chart.key {
        legend.extend(key_legend(key));
    }
    let frame = draw_frame(
        root,
        &FrameSpec {
            title: &chart.title,
            subtitle: &chart.subtitle,
            x: AxisFrame {
                axis: x,
                label: &chart.x.label,
                ticks: None,
            },
            y: AxisFrame {
                axis: y,
                label: &chart.y.label,
                ticks: None,
            },
            grid: true,
            legend: &legend,
            placement: chart.legend,
            right_reserve: 0.0,
        },
        theme,
        scale,
    )?;
    let screen = root.use_screen_coord();
    let projection = frame.projection;
    for series in chart.series.iter().filter(|s| s.visible) {
        draw_series(&screen, &projection, series, scale)?;
    }
    draw_rules(root, &screen, &projection, &chart.rules, theme, scale)?;
    draw_markers(root, &screen, &projection, &chart.markers, theme, scale)?;
    Ok(DrawnChart {
        projection,
        legend: frame.legend,
    })
}

/// Draws hovered or pinned points (data coordinates, each with its colour) and an
/// optional crosshair (data coordinates) on an overlay area laid exactly over the static
/// chart, using the projection that chart returned. It does not clear the area: the UI
/// clears the overlay canvas first, so the static layer shows through.
pub fn draw_highlight<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    projection: &Projection,
    points: &[Highlight],
    crosshair: Option<(f64, f64)>,
    theme: &Theme,
    scale: Scale,
) -> Result<(), String> {
    let screen = root.use_screen_coord();
    let plot = projection.plot;
    if let Some((x, y)) = crosshair {
        let (px, py) = projection.to_pixel(x, y);
        let style = ShapeStyle {
            color: rgba(theme.foreground, 0.45),
            filled: false,
            stroke_width: scale.stroke(1.0),
        };
        if px.is_finite() && px >= plot.left && px <= plot.right() {
            let px = px.round() as i32;
            let line = vec![(px, plot.top as i32), (px, plot.bottom() as i32)];
            screen.draw(&PathElement::new(line, style)).map_err(fail)?;
        }
        if py.is_finite() && py >= plot.top && py <= plot.bottom() {
            let py = py.round() as i32;
            let line = vec![(plot.left as i32, py), (plot.right() as i32, py)];
            screen.draw(&PathElement::new(line, style)).map_err(fail)?;
        }
    }
    let ring = ShapeStyle {
        color: rgba(theme.foreground, 1.0),
        filled: false,
        stroke_width: scale.stroke(2.0),
    };
    for h in points {
        let (x, y, color) = (h.x, h.y, h.color);
        let Some((px, py)) = on_plot(projection, x, y) else {
            continue;
        };
        // A pinned point says what it is ("pin 1 · l=24 d=2048"), so the chart and the
        // comparison table can be matched by eye.
        if let Some(label) = h.label.as_deref().filter(|l| !l.is_empty()) {
            let style = text_style(theme, NOTE_FONT, theme.foreground, scale);
            let at = (px + scale.stroke(9.0) as i32, py - scale.stroke(9.0) as i32);
            let right = at.0 as f64 + label.chars().count() as f64 * scale.px(NOTE_FONT) * 0.6;
            let at = if right > plot.right() {
                (px - scale.stroke(9.0) as i32, at.1)
            } else {
                at
            };
            let anchor = if right > plot.right() {
                Pos::new(HPos::Right, VPos::Bottom)
            } else {
                Pos::new(HPos::Left, VPos::Bottom)
            };
            screen
                .draw(&Text::new(label, at, style.pos(anchor)))
                .map_err(fail)?;
        }
        screen
            .draw(&Circle::new((px, py), scale.stroke(7.0), ring))
            .map_err(fail)?;
        screen
            .draw(&Circle::new(
                (px, py),
                scale.stroke(4.0),
                rgb(color).filled(),
            ))
            .map_err(fail)?;
    }
    Ok(())
}

/// A point drawn on the overlay: hovered or pinned, with an optional label.
#[derive(Clone, Debug, PartialEq)]
pub struct Highlight {
    pub x: f64,
    pub y: f64,
    pub color: Rgb,
    pub label: Option<String>,
}

impl Highlight {
    pub fn new(x: f64, y: f64, color: Rgb) -> Highlight {
        Highlight {
            x,
            y,
            color,
            label: None,
        }
    }

    pub fn labelled(mut self, label: impl Into<String>) -> Highlight {
        self.label = Some(label.into());
        self
    }
}

/// The pixel of a data point if it is drawable and on the plot.
fn on_plot(projection: &Projection, x: f64, y: f64) -> Option<(i32, i32)> {
    let (px, py) = projection.to_pixel(x, y);
    let inside = px.is_finite() && py.is_finite() && projection.plot.contains(px, py);
    inside.then(|| (px.round() as i32, py.round() as i32))
}

pub(crate) fn fail<E: std::fmt::Display>(e: E) -> String {
    format!("drawing failed: {e}")
}

// ---------------------------------------------------------------------------------------
// Frame: title, legend, axes. Shared with the heatmap.

/// A legend entry; only series entries are reported back as clickable.
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
    pub active: bool,
    pub series: Option<usize>,
}

pub(crate) enum Swatch {
    /// The series' mark; without a colour (points coloured one by one) in the foreground
    /// colour, since no single colour stands for them.
    Mark(Shape, Option<Rgb>),
    /// A short bar (line series), dashed like the line when it is.
    Stroke { color: Rgb, dashed: bool },
    /// No swatch: a heading (the colour key's attribute).
    Heading,
    /// A washed-out square with a diagonal (the heatmap's infeasible cells).
    Hatched(Rgb),
}

pub(crate) fn series_legend(series: &[Series]) -> Vec<LegendItem> {
    series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.name.is_empty())
        .map(|(i, s)| LegendItem {
            label: s.name.clone(),
            swatch: match s.kind {
                SeriesKind::Points { .. } if s.point_colors.is_some() => {
                    Swatch::Mark(s.shape, None)
                }
                SeriesKind::Points { .. } => Swatch::Mark(s.shape, Some(s.color)),
                SeriesKind::Line { .. } | SeriesKind::Step { .. } => Swatch::Stroke {
                    color: s.color,
                    dashed: s.dashed,
                },
            },
            active: s.visible,
            series: Some(i),
        })
        .collect()
}

/// The colour key's legend entries: its heading, then one disc per value (not clickable).
pub(crate) fn key_legend(key: &ColorKey) -> Vec<LegendItem> {
    std::iter::once(LegendItem {
        label: key.title.clone(),
        swatch: Swatch::Heading,
        active: true,
        series: None,
    })
    .chain(key.entries.iter().map(|(label, c)| LegendItem {
        label: label.clone(),
        swatch: Swatch::Mark(Shape::Disc, Some(*c)),
        active: true,
        series: None,
    }))
    .collect()
}

pub(crate) struct AxisFrame<'a> {
    pub axis: Axis,
    pub label: &'a str,
    /// Fixed ticks (e.g. grid values); `None` picks them from the axis and plot size.
    pub ticks: Option<Ticks>,
}

pub(crate) struct FrameSpec<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub x: AxisFrame<'a>,
    pub y: AxisFrame<'a>,
    pub grid: bool,
    pub legend: &'a [LegendItem],
    pub placement: LegendPlacement,
    /// Backend pixels kept free right of the plot (the heatmap's colour bar).
    pub right_reserve: f64,
}

pub(crate) struct Frame {
    pub projection: Projection,
    pub legend: Vec<(usize, PixelRect)>,
    /// The reserved strip right of the plot, in backend pixels.
    pub reserve: PixelRect,
}

/// Font sizes in CSS pixels.
const TITLE_FONT: f64 = 15.0;
const DESC_FONT: f64 = 13.0;
const TICK_FONT: f64 = 11.0;
pub(crate) const LEGEND_FONT: f64 = 12.0;
pub(crate) const NOTE_FONT: f64 = 11.0;

pub(crate) fn text_style(theme: &Theme, css: f64, color: Rgb, scale: Scale) -> TextStyle<'static> {
    TextStyle {
        font: (theme.font, scale.px(css)).into_font(),
        color: rgb(color).to_backend_color(),
        pos: Pos::default(),
    }
}

/// Width and height of `text` in backend pixels.
///
/// In the browser plotters measures text with an inline-block `<span>` in the page, which
/// wraps at the viewport's width: on a phone a long title measured as narrow and several lines
/// tall (so it was never wrapped, and was clipped). Text with spaces is therefore measured
/// word by word, and a line is as tall as its tallest word.
pub(crate) fn text_size<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> Result<(f64, f64), String> {
    if !text.contains(' ') {
        return measure(root, text, style);
    }
    let words: Vec<&str> = text.split(' ').collect();
    let space = space_width(root, style)?;
    let (mut w, mut h) = (space * (words.len() - 1) as f64, 0.0f64);
    for word in words.iter().filter(|w| !w.is_empty()) {
        let (ww, wh) = measure(root, word, style)?;
        w += ww;
        h = h.max(wh);
    }
    Ok((w, h))
}

/// What the backend says, for text without spaces.
fn measure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> Result<(f64, f64), String> {
    let (w, h) = root.estimate_text_size(text, style).map_err(fail)?;
    Ok((w as f64, h as f64))
}

/// The width of a space: "x x" less "xx".
fn space_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &TextStyle,
) -> Result<f64, String> {
    let spaced = root.estimate_text_size("x x", style).map_err(fail)?.0 as f64;
    let joined = measure(root, "xx", style)?.0;
    Ok((spaced - joined).max(0.0))
}

/// `text` cut into lines no wider than `width` at spaces (a word wider than that gets a
/// line of its own). Each word is measured once (see [`text_size`]).
pub(crate) fn wrap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: f64,
) -> Result<Vec<String>, String> {
    let space = space_width(root, style)?;
    let mut lines: Vec<String> = Vec::new();
    let (mut line, mut line_w) = (String::new(), 0.0);
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = measure(root, word, style)?.0;
        if !line.is_empty() && line_w + space + w > width {
            lines.push(std::mem::take(&mut line));
            line_w = 0.0;
        }
        if line.is_empty() {
            line = word.to_string();
            line_w = w;
        } else {
            line.push(' ');
            line.push_str(word);
            line_w += space + w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// Fills the background, lays out and draws title, legend and axes (with grid), and
/// returns the plot's projection.
pub(crate) fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &FrameSpec,
    theme: &Theme,
    scale: Scale,
) -> Result<Frame, String> {
    root.fill(&rgb(theme.background)).map_err(fail)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as f64, h as f64);
    let base = root.get_base_pixel();
    let base = (base.0 as f64, base.1 as f64);
    let pad = scale.px(8.0);

    // Title and subtitle, wrapped to the width so a phone shows all of them.
    let mut top = pad;
    for (text, font) in [(spec.title, TITLE_FONT), (spec.subtitle, DESC_FONT)] {
        if text.is_empty() {
            continue;
        }
        let style = text_style(theme, font, theme.foreground, scale);
        for line in wrap(root, text, &style, w - 2.0 * pad)? {
            let (_, th) = text_size(root, &line, &style)?;
            let centred = style.clone().pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(
                line.as_str(),
                ((w / 2.0) as i32, top as i32),
                centred,
            ))
            .map_err(fail)?;
            top += th + pad * 0.25;
        }
        top += pad * 0.25;
    }

    // Legend layout.
    let legend_style = text_style(theme, LEGEND_FONT, theme.foreground, scale);
    let swatch = scale.px(12.0);
    let gap = scale.px(6.0);
    let mut widths = Vec::with_capacity(spec.legend.len());
    let mut text_h: f64 = 0.0;
    for item in spec.legend {
        let (tw, th) = text_size(root, &item.label, &legend_style)?;
        widths.push(swatch + gap + tw);
        text_h = text_h.max(th);
    }
    let row_h = text_h.max(swatch) + scale.px(6.0);
    let column = pad * 2.0 + widths.iter().cloned().fold(0.0, f64::max);
    let placement = match spec.placement {
        _ if spec.legend.is_empty() => LegendPlacement::Hidden,
        LegendPlacement::Auto if column <= 0.3 * w => LegendPlacement::Right,
        LegendPlacement::Auto => LegendPlacement::Top,
        other => other,
    };
    let mut rects = Vec::with_capacity(spec.legend.len());
    let mut legend_width = 0.0;
    match placement {
        LegendPlacement::Right => {
            legend_width = column;
            let mut y = top + pad;
            for width in &widths {
                rects.push(PixelRect {
                    left: w - column + pad,
                    top: y,
                    width: *width,
                    height: row_h,
                });
                y += row_h;
            }
        }
        LegendPlacement::Top => {
            let (mut x, mut y) = (pad, top);
            for width in &widths {
                if x > pad && x + width > w - pad {
                    x = pad;
                    y += row_h;
                }
                rects.push(PixelRect {
                    left: x,
                    top: y,
                    width: *width,
                    height: row_h,
                });
                x += width + scale.px(16.0);
            }
            top = y + row_h + pad * 0.5;
        }
        LegendPlacement::Auto | LegendPlacement::Hidden => {}
    }
    for (item, rect) in spec.legend.iter().zip(&rects) {
        draw_legend_item(root, item, rect, theme, scale)?;
    }

    // Axes: size the label areas from the ticks they will hold.
    let tick = scale.px(4.0).round();
    let label_style = text_style(theme, TICK_FONT, theme.foreground, scale);
    let desc_style = text_style(theme, DESC_FONT, theme.foreground, scale);
    let (_, label_h) = text_size(root, "0", &label_style)?;
    let desc_h = |label: &str| -> Result<f64, String> {
        Ok(if label.is_empty() {
            0.0
        } else {
            text_size(root, label, &desc_style)?.1 + scale.px(4.0)
        })
    };
    let x_area = (2.0 * tick + label_h + desc_h(spec.x.label)? + scale.px(4.0)).ceil();
    let mut margin = [pad * 0.5, pad, pad * 0.5, pad * 0.5]; // top, right, bottom, left
    let region_w = w - legend_width - spec.right_reserve;
    let region_h = h - top;
    let plot_h = region_h - margin[0] - margin[2] - x_area;
    let y_ticks = fit_ticks(&spec.y, plot_h / scale.px(40.0));
    let mut widest: f64 = 0.0;
    for &v in &y_ticks.major {
        widest = widest.max(text_size(root, &y_ticks.label(v), &label_style)?.0);
    }
    let y_area = (2.0 * tick + widest + desc_h(spec.y.label)? + scale.px(6.0)).ceil();
    let plot_w = region_w - margin[1] - margin[3] - y_area;
    if !(plot_w >= scale.px(20.0) && plot_h >= scale.px(20.0)) {
        return Err(format!(
            "the chart area ({w}×{h} px) is too small to draw a plot in"
        ));
    }
    let x_ticks = fit_ticks(&spec.x, plot_w / scale.px(90.0));
    // The last x label is centred on its tick: room for its right half, or a phone clips
    // "1000" to "100".
    if let Some(&last) = x_ticks.major.iter().max_by(|a, b| a.total_cmp(b)) {
        let half = text_size(root, &x_ticks.label(last), &label_style)?.0 / 2.0;
        let beyond = half - (1.0 - spec.x.axis.fraction(last)) * plot_w;
        if beyond.is_finite() && beyond + scale.px(2.0) > margin[1] {
            margin[1] = (beyond + scale.px(2.0)).ceil();
        }
    }

    let region = root.clone().shrink(
        (0, top.round() as i32),
        (region_w.round() as u32, region_h.round() as u32),
    );
    let grid = rgb(theme.grid);
    let mesh = MeshSpec {
        margin: margin.map(|m| m.round() as u32),
        x_area: x_area as u32,
        y_area: y_area as u32,
        x_label: spec.x.label,
        y_label: spec.y.label,
        x_ticks: &x_ticks,
        y_ticks: &y_ticks,
        grid: spec.grid,
        tick: tick as i32,
        label_style,
        desc_style,
        axis_style: ShapeStyle {
            color: rgba(theme.foreground, 1.0),
            filled: false,
            stroke_width: scale.stroke(1.0),
        },
        bold_style: ShapeStyle {
            color: grid.mix(0.16),
            filled: false,
            stroke_width: scale.stroke(1.0),
        },
        light_style: ShapeStyle {
            color: grid.mix(0.06),
            filled: false,
            stroke_width: scale.stroke(1.0),
        },
    };
    let (x_px, y_px) = match (spec.x.axis.log, spec.y.axis.log) {
        (false, false) => draw_mesh(&region, linear(&spec.x.axis), linear(&spec.y.axis), &mesh),
        (true, false) => draw_mesh(&region, log(&spec.x.axis), linear(&spec.y.axis), &mesh),
        (false, true) => draw_mesh(&region, linear(&spec.x.axis), log(&spec.y.axis), &mesh),
        (true, true) => draw_mesh(&region, log(&spec.x.axis), log(&spec.y.axis), &mesh),
    }?;
    // plotters maps `lo` to the first pixel of the plot and `hi` to the last one.
    let plot = PixelRect {
        left: x_px.start as f64,
        top: y_px.start as f64,
        width: (x_px.end - 1 - x_px.start) as f64,
        height: (y_px.end - 1 - y_px.start) as f64,
    };
    let projection = Projection {
        x: spec.x.axis,
        y: spec.y.axis,
        plot,
    };
    let legend = spec
        .legend
        .iter()
        .zip(&rects)
        .filter_map(|(item, r)| {
            item.series.map(|i| {
                let rect = PixelRect {
                    left: r.left + base.0,
                    top: r.top + base.1,
                    ..*r
                };
                (i, rect)
            })
        })
        .collect();
    let reserve = PixelRect {
        left: base.0 + region_w,
        top: plot.top,
        width: spec.right_reserve,
        height: plot.height,
    };
    Ok(Frame {
        projection,
        legend,
        reserve,
    })
}

/// The axis's fixed ticks restricted to its range, or ticks picked for `room` labels.
fn fit_ticks(frame: &AxisFrame, room: f64) -> Ticks {
    let axis = frame.axis;
    let inside = |v: &f64| {
        let t = axis.fraction(*v);
        t.is_finite() && (-1e-9..=1.0 + 1e-9).contains(&t)
    };
    let mut ticks = match &frame.ticks {
        Some(t) => t.clone(),
        None => axis.ticks(room.clamp(1.0, 12.0) as usize),
    };
    ticks.major.retain(inside);
    ticks.minor.retain(inside);
    ticks
}

struct MeshSpec<'a> {
    margin: [u32; 4],
    x_area: u32,
    y_area: u32,
    x_label: &'a str,
    y_label: &'a str,
    x_ticks: &'a Ticks,
    y_ticks: &'a Ticks,
    grid: bool,
    tick: i32,
    label_style: TextStyle<'static>,
    desc_style: TextStyle<'static>,
    axis_style: ShapeStyle,
    bold_style: ShapeStyle,
    light_style: ShapeStyle,
}

/// A plotters axis with our ticks: plotters' mapping (linear or `log_scale`), and tick
/// positions chosen by [`Axis::ticks`] rather than plotters' (whose log axes show no tick
/// at all on ranges shorter than a decade).
struct Ticked<R> {
    inner: R,
    major: Vec<f64>,
    minor: Vec<f64>,
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

fn linear(axis: &Axis) -> RangedCoordf64 {
    (axis.lo..axis.hi).into()
}

fn log(axis: &Axis) -> LogCoord<f64> {
    (axis.lo..axis.hi).log_scale().into()
}

/// Builds the plotters chart on `region` and draws axes, ticks, labels and grid; returns
/// the plot's pixel ranges. Generic so the four linear/log combinations share one body.
fn draw_mesh<DB, X, Y>(
    region: &DrawingArea<DB, Shift>,
    x: X,
    y: Y,
    spec: &MeshSpec,
) -> Result<(Range<i32>, Range<i32>), String>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let x = Ticked {
        inner: x,
        major: spec.x_ticks.major.clone(),
        minor: if spec.grid {
            spec.x_ticks.minor.clone()
        } else {
            Vec::new()
        },
    };
    let y = Ticked {
        inner: y,
        major: spec.y_ticks.major.clone(),
        minor: if spec.grid {
            spec.y_ticks.minor.clone()
        } else {
            Vec::new()
        },
    };
    let mut builder = ChartBuilder::on(region);
    builder
        .margin_top(spec.margin[0])
        .margin_right(spec.margin[1])
        .margin_bottom(spec.margin[2])
        .margin_left(spec.margin[3])
        .x_label_area_size(spec.x_area)
        .y_label_area_size(spec.y_area);
    let mut chart = builder.build_cartesian_2d(x, y).map_err(fail)?;
    let x_format = |v: &f64| spec.x_ticks.label(*v);
    let y_format = |v: &f64| spec.y_ticks.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(spec.x_label)
        .y_desc(spec.y_label)
        .axis_desc_style(spec.desc_style.clone())
        .label_style(spec.label_style.clone())
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .axis_style(spec.axis_style)
        .bold_line_style(spec.bold_style)
        .light_line_style(spec.light_style)
        .set_all_tick_mark_size(spec.tick);
    if !spec.grid {
        mesh.disable_mesh();
    }
    mesh.draw().map_err(fail)?;
    Ok(chart.plotting_area().get_pixel_range())
}

fn draw_legend_item<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    item: &LegendItem,
    rect: &PixelRect,
    theme: &Theme,
    scale: Scale,
) -> Result<(), String> {
    let size = scale.px(12.0);
    let cy = rect.top + rect.height / 2.0;
    let (x0, x1) = (rect.left, rect.left + size);
    let square = [
        (x0.round() as i32, (cy - size / 2.0).round() as i32),
        (x1.round() as i32, (cy + size / 2.0).round() as i32),
    ];
    let muted = rgba(theme.muted, 1.0);
    let centre = (((x0 + x1) / 2.0).round() as i32, cy.round() as i32);
    match (&item.swatch, item.active) {
        (Swatch::Heading, _) => {}
        (Swatch::Mark(shape, c), true) => {
            let color = rgba(c.unwrap_or(theme.foreground), 1.0);
            draw_mark(root, centre, scale.stroke(4.0), *shape, color, scale)?;
        }
        (Swatch::Stroke { color, dashed }, true) => {
            let half = scale.px(1.5);
            let pieces = if *dashed {
                vec![(x0, x0 + size * 0.4), (x0 + size * 0.6, x1)]
            } else {
                vec![(x0, x1)]
            };
            for (a, b) in pieces {
                let bar = [
                    (a.round() as i32, (cy - half).round() as i32),
                    (b.round() as i32, (cy + half).round() as i32),
                ];
                root.draw(&Rectangle::new(bar, rgb(*color).filled()))
                    .map_err(fail)?;
            }
        }
        (Swatch::Hatched(c), _) => {
            root.draw(&Rectangle::new(square, rgb(*c).filled()))
                .map_err(fail)?;
            let line = vec![(square[0].0, square[1].1), (square[1].0, square[0].1)];
            let style = ShapeStyle {
                color: muted,
                filled: false,
                stroke_width: scale.stroke(1.0),
            };
            root.draw(&PathElement::new(line, style)).map_err(fail)?;
        }
        (_, false) => {
            let style = ShapeStyle {
                color: muted,
                filled: false,
                stroke_width: scale.stroke(1.0),
            };
            root.draw(&Rectangle::new(square, style)).map_err(fail)?;
        }
    }
    let color = if item.active {
        theme.foreground
    } else {
        theme.muted
    };
    let style =
        text_style(theme, LEGEND_FONT, color, scale).pos(Pos::new(HPos::Left, VPos::Center));
    let text_x = match item.swatch {
        Swatch::Heading => x0,
        _ => x1 + scale.px(6.0),
    };
    let at = (text_x.round() as i32, cy.round() as i32);
    root.draw(&Text::new(item.label.as_str(), at, style))
        .map_err(fail)?;
    Ok(())
}

/// One mark of a points series (or its legend swatch) centred on a pixel.
fn draw_mark<DB: DrawingBackend>(
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
            ShapeStyle {
                color,
                filled: false,
                stroke_width: scale.stroke(1.0),
            },
        )),
        Shape::Square => {
            let r = radius as i32;
            area.draw(&Rectangle::new(
                [(x - r, y - r), (x + r, y + r)],
                color.filled(),
            ))
        }
    }
    .map_err(fail)
}

// ---------------------------------------------------------------------------------------
// Data in backend pixels.

/// Draws one series on `screen` (an area in absolute backend pixels).
pub(crate) fn draw_series<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    series: &Series,
    scale: Scale,
) -> Result<(), String> {
    match series.kind {
        SeriesKind::Points { radius, alpha } => draw_points(
            screen,
            projection,
            series,
            scale.stroke(radius),
            alpha,
            scale,
        ),
        SeriesKind::Line { width } => {
            let lane = scale.px(series.lane);
            let vertices = series
                .points
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
        SeriesKind::Step { width } => {
            let stairs = staircase(&series.points);
            let lane = scale.px(series.lane);
            let vertices = stairs
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
    }
}

/// A data point's pixel if it can be drawn.
fn pixel(projection: &Projection, x: f64, y: f64) -> Option<(f64, f64)> {
    let (px, py) = projection.to_pixel(x, y);
    (px.is_finite() && py.is_finite()).then_some((px, py))
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
    let style = ShapeStyle {
        color: rgba(color, 1.0),
        filled: false,
        stroke_width: width,
    };
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

/// Dashed lines across the plot with their labels.
pub(crate) fn draw_rules<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    rules: &[Rule],
    theme: &Theme,
    scale: Scale,
) -> Result<(), String> {
    let plot = projection.plot;
    let (dash, gap) = (scale.px(6.0), scale.px(4.0));
    for rule in rules {
        let (from, to) = match rule.at {
            RuleAt::X(x) => {
                let px = projection.to_pixel(x, projection.y.lo).0;
                if !(px.is_finite() && px >= plot.left && px <= plot.right()) {
                    continue;
                }
                ((px, plot.bottom()), (px, plot.top))
            }
            RuleAt::Y(y) => {
                let py = projection.to_pixel(projection.x.lo, y).1;
                if !(py.is_finite() && py >= plot.top && py <= plot.bottom()) {
                    continue;
                }
                ((plot.left, py), (plot.right(), py))
            }
        };
        let style = ShapeStyle {
            color: rgba(rule.color, 1.0),
            filled: false,
            stroke_width: scale.stroke(1.5),
        };
        let length = ((to.0 - from.0).powi(2) + (to.1 - from.1).powi(2)).sqrt();
        let mut s = 0.0;
        while s < length {
            let e = (s + dash).min(length);
            let at = |d: f64| {
                let t = d / length;
                let p = (from.0 + t * (to.0 - from.0), from.1 + t * (to.1 - from.1));
                (p.0.round() as i32, p.1.round() as i32)
            };
            screen
                .draw(&PathElement::new(vec![at(s), at(e)], style))
                .map_err(fail)?;
            s += dash + gap;
        }
        if !rule.label.is_empty() {
            let inset = scale.px(4.0);
            let (anchor, at) = match rule.at {
                RuleAt::X(_) => (
                    Pos::new(HPos::Left, VPos::Top),
                    (from.0 + inset, plot.top + inset),
                ),
                RuleAt::Y(_) => (
                    Pos::new(HPos::Right, VPos::Bottom),
                    (plot.right() - inset, from.1 - inset),
                ),
            };
            let style = text_style(theme, NOTE_FONT, rule.color, scale);
            draw_note(root, screen, &rule.label, at, anchor, style, theme)?;
        }
    }
    Ok(())
}

/// Text on a translucent background patch, so it reads over a dense cloud.
fn draw_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    screen: &DrawingArea<DB, Shift>,
    text: &str,
    at: (f64, f64),
    anchor: Pos,
    style: TextStyle,
    theme: &Theme,
) -> Result<(), String> {
    let (w, h) = text_size(root, text, &style)?;
    let left = match anchor.h_pos {
        HPos::Left => at.0,
        HPos::Center => at.0 - w / 2.0,
        HPos::Right => at.0 - w,
    };
    let top = match anchor.v_pos {
        VPos::Top => at.1,
        VPos::Center => at.1 - h / 2.0,
        VPos::Bottom => at.1 - h,
    };
    let patch = [
        ((left - 2.0).round() as i32, (top - 1.0).round() as i32),
        (
            (left + w + 2.0).round() as i32,
            (top + h + 1.0).round() as i32,
        ),
    ];
    screen
        .draw(&Rectangle::new(
            patch,
            rgba(theme.background, 0.75).filled(),
        ))
        .map_err(fail)?;
    let at = (at.0.round() as i32, at.1.round() as i32);
    screen
        .draw(&Text::new(text, at, style.pos(anchor)))
        .map_err(fail)?;
    Ok(())
}

/// Diamonds outlined in the foreground colour, labelled on whichever side has room; a label
/// that would cover an earlier label or a diamond is moved up or down (with a leader line)
/// until it does not, so markers at nearly one place keep readable labels.
pub(crate) fn draw_markers<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    screen: &DrawingArea<DB, Shift>,
    projection: &Projection,
    markers: &[Marker],
    theme: &Theme,
    scale: Scale,
) -> Result<(), String> {
    let half = scale.px(6.0).round() as i32;
    let outline = ShapeStyle {
        color: rgba(theme.foreground, 1.0),
        filled: false,
        stroke_width: scale.stroke(1.5),
    };
    let at: Vec<Option<(i32, i32)>> = markers
        .iter()
        .map(|m| on_plot(projection, m.x, m.y))
        .collect();
    // Diamonds are obstacles for every label; labels become obstacles once placed.
    let mut taken: Vec<PixelRect> = at
        .iter()
        .flatten()
        .map(|&(px, py)| PixelRect {
            left: (px - half) as f64,
            top: (py - half) as f64,
            width: 2.0 * half as f64,
            height: 2.0 * half as f64,
        })
        .collect();
    for (marker, at) in markers.iter().zip(&at) {
        let Some((px, py)) = *at else {
            continue;
        };
        let diamond = vec![
            (px, py - half),
            (px + half, py),
            (px, py + half),
            (px - half, py),
        ];
        screen
            .draw(&Polygon::new(diamond.clone(), rgb(marker.color).filled()))
            .map_err(fail)?;
        let mut closed = diamond;
        closed.push(closed[0]);
        screen
            .draw(&PathElement::new(closed, outline))
            .map_err(fail)?;
        if marker.label.is_empty() {
            continue;
        }
        let style = text_style(theme, NOTE_FONT, theme.foreground, scale);
        let size = text_size(root, &marker.label, &style)?;
        let offset = half as f64 + scale.px(4.0);
        let spot = (px as f64, py as f64);
        let rect = place_label(spot, size, offset, &projection.plot, &taken);
        let centre_y = rect.top + rect.height / 2.0;
        if (centre_y - spot.1).abs() > 0.5 {
            let near_x = if rect.left > spot.0 {
                rect.left
            } else {
                rect.right()
            };
            let leader = vec![(px, py), (near_x.round() as i32, centre_y.round() as i32)];
            let thin = ShapeStyle {
                color: rgba(theme.foreground, 0.5),
                filled: false,
                stroke_width: scale.stroke(1.0),
            };
            screen.draw(&PathElement::new(leader, thin)).map_err(fail)?;
        }
        draw_note(
            root,
            screen,
            &marker.label,
            (rect.left, rect.top),
            Pos::new(HPos::Left, VPos::Top),
            style,
            theme,
        )?;
        taken.push(rect);
    }
    Ok(())
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

/// The washed-out look of something unavailable (hidden entries, infeasible cells).
pub(crate) fn washed(color: Rgb, theme: &Theme) -> Rgb {
    mix(color, theme.background, 0.65)
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

    #[test]
    fn fixed_ranges_are_checked_with_a_hint() {
        let spec = AxisSpec::log("latency (ms)").with_range(0.0, 10.0);
        assert_eq!(
            spec.resolve("x", []),
            Err(
                "x axis range 0..10 cannot be drawn on a log scale: it needs 0 < low < high".into()
            )
        );
        let spec = AxisSpec::linear("loss").with_range(3.0, 2.0);
        assert_eq!(
            spec.resolve("y", []),
            Err("y axis range 3..2 cannot be drawn: it needs finite low < high".into())
        );
    }
}
