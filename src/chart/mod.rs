//! Charts: pure drawing code, generic over the plotters `DrawingBackend`, so the app
//! draws on a canvas (plotters-canvas) and `cargo test` draws the same charts to SVG text.
//! Nothing here knows about the browser.
//!
//! * [`projection`] — the pixel ↔ data mapping each drawing returns, ticks, zoom and pan.
//! * [`nearest`] — the grid index that finds the point under the pointer.

pub mod nearest;
pub mod projection;

pub use nearest::NearestIndex;
pub use projection::{Axis, PixelRect, Projection, Ticks};
