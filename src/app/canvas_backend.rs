//! The plotters canvas backend every chart draws on, with text measured by the canvas itself.
//!
//! plotters measures text in the browser by adding a `<span>` to the page and reading its
//! `offsetWidth` / `offsetHeight`, which forces a layout of the whole page for every word
//! measured. While the page mounts, that layout is expensive: a profile of the first load
//! (e2e/profile_load.mjs) showed 25–40 ms of a 50–70 ms chart task spent in `offsetHeight`.
//! The 2D context's `measureText` needs no layout. Everything else is plotters-canvas.

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// A [`CanvasBackend`] whose `estimate_text_size` uses `measureText`.
pub struct MeasuredCanvas {
    inner: CanvasBackend,
}

impl MeasuredCanvas {
    /// The backend for `canvas`, `None` when it has no 2D context (as `CanvasBackend`).
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        CanvasBackend::with_canvas_object(canvas).map(|inner| MeasuredCanvas { inner })
    }
}

thread_local! {
    /// A detached canvas used only to measure text, so measuring never touches the canvas
    /// being drawn (its font, alignment and transform stay as plotters set them).
    static MEASURE: RefCell<Option<CanvasRenderingContext2d>> = const { RefCell::new(None) };
    /// Sizes already measured, by font and text: every redraw measures the same tick labels,
    /// titles and legend words again.
    static SIZES: RefCell<HashMap<(String, String), (u32, u32)>> = RefCell::new(HashMap::new());
}

/// Entries kept before the size cache starts afresh (a few charts' worth of words).
const MAX_CACHED: usize = 4096;

fn measuring_context() -> Option<CanvasRenderingContext2d> {
    MEASURE.with(|m| {
        if m.borrow().is_none() {
            *m.borrow_mut() = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.create_element("canvas").ok())
                .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
                .and_then(|c| c.get_context("2d").ok().flatten())
                .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
        }
        m.borrow().clone()
    })
}

/// Width and height of `text` in `style`: the advance width and the font's ascent plus
/// descent, which is what an inline-block span with `line-height: normal` measured (the
/// height of a line, not of the glyphs, so lines of different words are equally tall).
fn measure<S: BackendTextStyle>(text: &str, style: &S) -> Option<(u32, u32)> {
    // The same font string plotters-canvas draws with.
    let font = format!(
        "{} {}px {}",
        style.style().as_str(),
        style.size(),
        style.family().as_str()
    );
    let key = (font, text.to_string());
    if let Some(size) = SIZES.with(|s| s.borrow().get(&key).copied()) {
        return Some(size);
    }
    let ctx = measuring_context()?;
    ctx.set_font(&key.0);
    let m = ctx.measure_text(text).ok()?;
    let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
    let height = if height.is_finite() && height > 0.0 {
        height
    } else {
        style.size() * 1.2
    };
    let size = (m.width().ceil() as u32, height.ceil() as u32);
    SIZES.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() >= MAX_CACHED {
            s.clear();
        }
        s.insert(key, size);
    });
    Some(size)
}

impl DrawingBackend for MeasuredCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        match measure(text, style) {
            Some(size) => Ok(size),
            None => self.inner.estimate_text_size(text, style),
        }
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, (w, h), src)
    }
}
