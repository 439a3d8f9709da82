//! Text on a chart: font sizes, measurement that does not depend on the page's layout, wrapping
//! and notes on a translucent patch. Shared by every chart kind.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{fail, rgb, rgba, Rgb, Scale, Theme};

/// Font sizes in CSS pixels.
pub(crate) const TITLE_FONT: f64 = 15.0;
pub(crate) const DESC_FONT: f64 = 13.0;
pub(crate) const TICK_FONT: f64 = 11.0;
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

/// Text on a translucent background patch, so it reads over a dense cloud.
pub(crate) fn draw_note<DB: DrawingBackend>(
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
