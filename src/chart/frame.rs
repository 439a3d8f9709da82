//! The frame every chart kind draws first: background, title and subtitle, legend, axes with
//! ticks, labels and grid. It returns the plot's [`Projection`], through which the data is
//! then drawn.
//!
//! plotters draws the axes and grid, with its own `log_scale` mapping on log axes; all
//! data is then drawn in backend pixels through the [`Projection`] read back from the
//! plot area, which is the same mapping to within the one-pixel rounding plotters applies.
//! That keeps down-sampling and clipping in our hands and gives the UI the exact mapping
//! used for the picture.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::legend::{draw_legend_item, LegendItem};
use super::projection::{Axis, PixelRect, Projection, Ticks};
use super::text::{text_size, text_style, wrap, DESC_FONT, LEGEND_FONT, TICK_FONT, TITLE_FONT};
use super::{fail, rgb, rgba, Scale, Theme};

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

impl Default for AxisSpec {
    fn default() -> AxisSpec {
        AxisSpec::linear("")
    }
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
    // Right of the plot: as many columns as the height needs (a frontier chart comparing
    // eight formats has over twenty entries), each as wide as its widest entry.
    let rows_per_column = (((h - top - 2.0 * pad) / row_h).floor() as usize).max(1);
    let columns: Vec<f64> = widths
        .chunks(rows_per_column)
        .map(|c| c.iter().cloned().fold(0.0, f64::max) + pad)
        .collect();
    let right_width = pad + columns.iter().sum::<f64>();
    let placement = match spec.placement {
        _ if spec.legend.is_empty() => LegendPlacement::Hidden,
        LegendPlacement::Auto if right_width <= 0.3 * w => LegendPlacement::Right,
        LegendPlacement::Auto => LegendPlacement::Top,
        other => other,
    };
    let mut rects = Vec::with_capacity(spec.legend.len());
    let mut legend_width = 0.0;
    match placement {
        LegendPlacement::Right => {
            legend_width = right_width;
            let mut left = w - right_width + pad;
            for (c, column) in widths.chunks(rows_per_column).enumerate() {
                let mut y = top + pad;
                for width in column {
                    rects.push(PixelRect {
                        left,
                        top: y,
                        width: *width,
                        height: row_h,
                    });
                    y += row_h;
                }
                left += columns[c];
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
        axis_style: rgba(theme.foreground, 1.0).stroke_width(scale.stroke(1.0)),
        bold_style: grid.mix(0.16).stroke_width(scale.stroke(1.0)),
        light_style: grid.mix(0.06).stroke_width(scale.stroke(1.0)),
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

impl<R> Ticked<R> {
    /// `inner` with `ticks`; the minor ones only with a grid (they place its light lines).
    fn new(inner: R, ticks: &Ticks, grid: bool) -> Ticked<R> {
        Ticked {
            inner,
            major: ticks.major.clone(),
            minor: if grid {
                ticks.minor.clone()
            } else {
                Vec::new()
            },
        }
    }
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
    let x = Ticked::new(x, spec.x_ticks, spec.grid);
    let y = Ticked::new(y, spec.y_ticks, spec.grid);
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

#[cfg(test)]
mod tests {
    use super::*;

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
