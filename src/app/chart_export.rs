//! What the canvas charts share for exports: the theme of an exported picture (light unless
//! the user asks for dark: a dark PNG pasted into a paper or a slide reads as a black box) and
//! drawing a PNG on a canvas of its own, so the export never depends on the page's theme.

use super::canvas_backend::MeasuredCanvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use wasm_bindgen::JsCast;

use super::files::download_canvas_png;
use super::theme::DarkMode;
use crate::chart::Theme;

/// The theme of an export: light, or dark when the page is dark and `keep_dark` is ticked.
pub fn export_theme(dark: DarkMode, keep_dark: bool) -> Theme {
    if keep_dark && dark.0.get_untracked() {
        Theme::dark()
    } else {
        Theme::light()
    }
}

/// "dark export" checkbox, shown only while the page is dark (on a light page exports are
/// light anyway).
#[component]
pub fn DarkExportToggle(keep_dark: RwSignal<bool>, test_id: &'static str) -> impl IntoView {
    let dark = expect_context::<DarkMode>();
    move || {
        dark.0.get().then(|| {
            view! {
                <label class="check" title="Exports are drawn on a light background unless this is ticked">
                    <input type="checkbox" data-testid=format!("{test_id}-dark-export")
                        prop:checked=move || keep_dark.get()
                        on:change=move |ev| keep_dark.set(event_target_checked(&ev)) />
                    " dark export"
                </label>
            }
        })
    }
}

/// Draws `draw` on a detached canvas of `width` × `height` backing pixels and offers it as a
/// PNG named `file_name`. Errors of the drawing are ignored: nothing is offered then.
pub fn download_png_of(
    width: u32,
    height: u32,
    file_name: &str,
    draw: impl FnOnce(&DrawingArea<MeasuredCanvas, Shift>) -> Result<(), String>,
) {
    let Some(canvas) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    canvas.set_width(width.max(1));
    canvas.set_height(height.max(1));
    let Some(backend) = MeasuredCanvas::new(canvas.clone()) else {
        return;
    };
    let root = backend.into_drawing_area();
    if draw(&root).is_ok() && root.present().is_ok() {
        download_canvas_png(&canvas, file_name);
    }
}

/// CSS of a tooltip at (`x`, `y`) in a chart `width` CSS pixels wide: right of the pointer
/// on the chart's left half, left of it on the right half, so it never runs off a phone's
/// screen (and never makes the page scroll sideways).
pub fn tooltip_position(x: f64, y: f64, width: f64) -> (String, String, String) {
    let top = format!("{}px", y + 14.0);
    if x > width / 2.0 {
        (
            "auto".into(),
            format!("{}px", (width - x + 14.0).max(0.0)),
            top,
        )
    } else {
        (format!("{}px", x + 14.0), "auto".into(), top)
    }
}
