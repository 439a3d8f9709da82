//! Charts as SVG text (plotters' SVG backend), for export: the same drawing code as the
//! canvas, at a fixed width so a file does not depend on the window it was saved from.

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};

/// Width of an exported SVG, in pixels.
pub const SVG_WIDTH: u32 = 1200;

/// The SVG of `draw` on a canvas [`SVG_WIDTH`] wide with the aspect ratio `height / width`
/// of the chart on screen.
pub fn render_svg<T>(
    aspect: f64,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<T, String>,
) -> Result<String, String> {
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect.clamp(0.1, 10.0)
    } else {
        0.6
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(
            &mut svg,
            (SVG_WIDTH, (f64::from(SVG_WIDTH) * aspect).round() as u32),
        )
        .into_drawing_area();
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
