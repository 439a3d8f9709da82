//! Legend entries and their swatches, shared by the xy chart and the heatmap; the frame
//! lays them out (right of the plot or above it) and draws each one here.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::projection::PixelRect;
use super::series::{draw_mark, Series, SeriesKind, Shape};
use super::text::{text_style, LEGEND_FONT};
use super::xy::ColorKey;
use super::{fail, mix, rgb, rgba, Rgb, Scale, Theme};

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

pub(crate) fn draw_legend_item<DB: DrawingBackend>(
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
            let style = muted.stroke_width(scale.stroke(1.0));
            root.draw(&PathElement::new(line, style)).map_err(fail)?;
        }
        (_, false) => {
            let style = muted.stroke_width(scale.stroke(1.0));
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

/// The washed-out look of something unavailable (hidden entries, infeasible cells).
pub(crate) fn washed(color: Rgb, theme: &Theme) -> Rgb {
    mix(color, theme.background, 0.65)
}
