//! Rules (labelled dashed lines across the plot) and markers (labelled diamonds), drawn over
//! the data of an xy chart or a heatmap.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::geometry::{on_plot, place_label};
use super::projection::{PixelRect, Projection};
use super::text::{draw_note, text_size, text_style, NOTE_FONT};
use super::{fail, rgb, rgba, Rgb, Scale, Theme};

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
        let style = rgba(rule.color, 1.0).stroke_width(scale.stroke(1.5));
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
    let outline = rgba(theme.foreground, 1.0).stroke_width(scale.stroke(1.5));
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
            let thin = rgba(theme.foreground, 0.5).stroke_width(scale.stroke(1.0));
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
