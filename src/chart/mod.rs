//! Charts: pure drawing code, generic over the plotters [`DrawingBackend`], so the app
//! draws on a canvas (plotters-canvas) and `cargo test` draws the same charts to SVG text.
//! Nothing here knows about the browser.
//!
//! * [`projection`] — the pixel ↔ data mapping each drawing returns, ticks, zoom and pan.
//! * [`frame`] — what every chart kind draws first: title, legend, axes and grid; it
//!   returns the projection. Text measurement, legend entries and pixel geometry are the
//!   private `text`, `legend` and `geometry` modules beside it.
//! * [`series`], [`annotations`] — data drawn through the projection: points, lines and
//!   staircases; rules and labelled markers.
//! * [`xy`] — scatter / line / staircase charts: the spec and its static layer.
//! * [`heatmap`] — the feasible-region chart over (hidden size, layers).
//! * [`overlay`] — hovered and pinned points and the crosshair, over the static layer.
//! * [`nearest`] — the point under the pointer: a grid index, and the hover targets of a
//!   drawn xy chart (one per device pixel).
//! * [`walk`] — keyboard moves between a chart's points.
//!
//! The app draws a static layer once per data, size or pixel-ratio change, keeps the
//! returned [`Projection`], and redraws only the overlay ([`overlay::draw_highlight`]) on
//! pointer moves; see "Charts on canvas" in the style notes for why.
//!
//! [`DrawingBackend`]: plotters::prelude::DrawingBackend

pub mod annotations;
pub mod frame;
mod geometry;
pub mod heatmap;
mod legend;
pub mod nearest;
pub mod overlay;
pub mod projection;
pub mod series;
pub mod svg;
mod text;
pub mod walk;
pub mod xy;

pub use annotations::{Marker, Rule, RuleAt};
pub use frame::{AxisSpec, DrawnChart, LegendPlacement};
pub use heatmap::{draw_heatmap, Cell, Heatmap};
pub use nearest::{HoverIndex, NearestIndex};
pub use overlay::{draw_highlight, Highlight};
pub use projection::{Axis, PixelRect, Projection, Ticks};
pub use series::{Series, SeriesKind, Shape};
pub use svg::render_svg;
pub use walk::{walk, walkable, Move};
pub use xy::{draw_xy, ColorKey, XyChart};

use plotters::style::{RGBAColor, RGBColor};

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// Ten categorical colours that read on both themes: each has at least 3:1 contrast
/// against the light and the dark background (the WCAG minimum for graphics), and any two
/// differ by ΔE*ab ≥ 25. Roughly Tableau 10, darkened or lightened to fit.
pub const PALETTE: [Rgb; 10] = [
    (0x2F, 0x7F, 0xC1), // blue
    (0xE0, 0x70, 0x1B), // orange
    (0x2E, 0x9E, 0x4F), // green
    (0xD6, 0x45, 0x50), // red
    (0x8E, 0x6B, 0xC0), // purple
    (0x8A, 0x6A, 0x4F), // brown
    (0xC4, 0x52, 0x9E), // pink
    (0x7A, 0x7F, 0x87), // grey
    (0x92, 0x92, 0x1C), // olive
    (0x1A, 0x9B, 0xA8), // teal
];

/// Colours of everything that is not data.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub background: Rgb,
    /// Text, axes, marker outlines, crosshair.
    pub foreground: Rgb,
    /// Hidden legend entries, hatching of infeasible cells.
    pub muted: Rgb,
    /// Grid lines, drawn with low alpha over the background.
    pub grid: Rgb,
    pub palette: [Rgb; 10],
    /// A CSS generic family, so the browser needs no font files.
    pub font: &'static str,
}

impl Theme {
    pub fn light() -> Theme {
        Theme {
            background: (0xFF, 0xFF, 0xFF),
            foreground: (0x1F, 0x23, 0x28),
            muted: (0x8C, 0x95, 0x9F),
            grid: (0x1F, 0x23, 0x28),
            palette: PALETTE,
            font: "sans-serif",
        }
    }

    pub fn dark() -> Theme {
        Theme {
            background: (0x12, 0x14, 0x18),
            foreground: (0xE6, 0xED, 0xF3),
            muted: (0x6E, 0x76, 0x81),
            grid: (0xE6, 0xED, 0xF3),
            palette: PALETTE,
            font: "sans-serif",
        }
    }

    /// The `i`-th categorical colour, cycling.
    pub fn color(&self, i: usize) -> Rgb {
        self.palette[i % self.palette.len()]
    }
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::light()
    }
}

/// Device pixel ratio: every font size, stroke, radius and margin given in CSS pixels is
/// multiplied by it, so a canvas whose backing store is CSS size × ratio stays sharp and
/// looks the same size (high-DPI is the app's job, plotters issue #164).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub dpr: f64,
}

impl Scale {
    pub fn new(dpr: f64) -> Scale {
        Scale { dpr }
    }

    /// The ratio in use: non-finite or non-positive ratios count as 1, extreme ones are
    /// clamped so a bad value cannot make text vanish or fill the screen.
    pub fn ratio(&self) -> f64 {
        if self.dpr.is_finite() && self.dpr > 0.0 {
            self.dpr.clamp(0.25, 8.0)
        } else {
            1.0
        }
    }

    /// CSS pixels → backend pixels.
    pub fn px(&self, css: f64) -> f64 {
        css * self.ratio()
    }

    /// A stroke width or radius in whole backend pixels, at least 1.
    pub fn stroke(&self, css: f64) -> u32 {
        self.px(css).round().max(1.0) as u32
    }
}

impl Default for Scale {
    fn default() -> Scale {
        Scale { dpr: 1.0 }
    }
}

pub(crate) fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

pub(crate) fn rgba(c: Rgb, alpha: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, alpha.clamp(0.0, 1.0))
}

/// A plotters backend error as the message a chart shows.
pub(crate) fn fail<E: std::fmt::Display>(e: E) -> String {
    format!("drawing failed: {e}")
}

/// Linear blend in sRGB from `a` (t = 0) to `b` (t = 1).
pub(crate) fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    (m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(c: u8) -> f64 {
        let c = c as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    fn luminance(c: Rgb) -> f64 {
        0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2)
    }

    /// WCAG 2 contrast ratio.
    fn contrast(a: Rgb, b: Rgb) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    fn lab(c: Rgb) -> [f64; 3] {
        let (r, g, b) = (linear(c.0), linear(c.1), linear(c.2));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    #[test]
    fn palette_reads_on_both_backgrounds() {
        for theme in [Theme::light(), Theme::dark()] {
            for c in theme.palette {
                let ratio = contrast(c, theme.background);
                assert!(ratio >= 3.0, "{c:?} on {:?}: {ratio:.2}", theme.background);
            }
            assert!(contrast(theme.foreground, theme.background) >= 7.0);
            assert!(contrast(theme.muted, theme.background) >= 2.5);
        }
    }

    #[test]
    fn palette_colours_are_distinguishable() {
        for (i, a) in PALETTE.iter().enumerate() {
            for b in &PALETTE[i + 1..] {
                let (la, lb) = (lab(*a), lab(*b));
                let de =
                    ((la[0] - lb[0]).powi(2) + (la[1] - lb[1]).powi(2) + (la[2] - lb[2]).powi(2))
                        .sqrt();
                assert!(de >= 25.0, "{a:?} vs {b:?}: ΔE {de:.1}");
            }
        }
    }

    #[test]
    fn scale_sanitises_the_ratio() {
        assert_eq!(Scale::new(2.0).px(10.0), 20.0);
        assert_eq!(Scale::new(f64::NAN).px(10.0), 10.0);
        assert_eq!(Scale::new(-1.0).px(10.0), 10.0);
        assert_eq!(Scale::new(100.0).ratio(), 8.0);
        assert_eq!(Scale::new(1.5).stroke(1.0), 2);
        assert_eq!(Scale::new(0.5).stroke(0.4), 1);
    }

    #[test]
    fn mix_blends_endpoints() {
        assert_eq!(mix((0, 0, 0), (255, 255, 255), 0.0), (0, 0, 0));
        assert_eq!(mix((0, 0, 0), (255, 255, 255), 1.0), (255, 255, 255));
        assert_eq!(mix((0, 100, 200), (100, 100, 0), 0.5), (50, 100, 100));
    }
}
