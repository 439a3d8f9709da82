//! The overlay layer: hovered and pinned points and the crosshair, redrawn on every pointer
//! move over the static layer through the projection that layer returned.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::geometry::on_plot;
use super::projection::Projection;
use super::text::{text_style, NOTE_FONT};
use super::{fail, rgb, rgba, Rgb, Scale, Theme};

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
        let style = rgba(theme.foreground, 0.45).stroke_width(scale.stroke(1.0));
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
    let ring = rgba(theme.foreground, 1.0).stroke_width(scale.stroke(2.0));
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
