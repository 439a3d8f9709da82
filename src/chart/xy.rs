//! Scatter, line and staircase charts (loss vs latency, Pareto frontiers, rooflines): what an
//! xy chart shows, and its static layer drawn from the frame, series, rules and markers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::annotations::{draw_markers, draw_rules, Marker, Rule, RuleAt};
use super::frame::{draw_frame, AxisFrame, AxisSpec, DrawnChart, FrameSpec, LegendPlacement};
use super::legend::{key_legend, series_legend};
use super::series::{draw_series, Series};
use super::{Rgb, Scale, Theme};

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

impl XyChart {
    /// The names the legend lists, in its order: what a screen reader hears of the colours.
    pub fn legend_names(&self) -> Vec<&str> {
        self.series
            .iter()
            .map(|s| s.name.as_str())
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// The values the x axis (`along_x`) or the y axis must show: that coordinate of every
    /// point, visible or not, and of every marker, and the rules across that axis.
    fn extent(&self, along_x: bool) -> impl Iterator<Item = f64> + '_ {
        let of = move |(x, y): (f64, f64)| if along_x { x } else { y };
        self.series
            .iter()
            .flat_map(move |s| s.points.iter().map(move |&p| of(p)))
            .chain(self.markers.iter().map(move |m| of((m.x, m.y))))
            .chain(
                self.rules
                    .iter()
                    .filter_map(move |r| match (r.at, along_x) {
                        (RuleAt::X(v), true) | (RuleAt::Y(v), false) => Some(v),
                        _ => None,
                    }),
            )
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
    let x = chart.x.resolve("x", chart.extent(true))?;
    let y = chart.y.resolve("y", chart.extent(false))?;
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
