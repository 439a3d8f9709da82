//! The feasible-region heatmap on a canvas, drawn the way [`super::chart_canvas`] draws xy
//! charts: backing store at CSS size × devicePixelRatio, redrawn only when the heatmap, the
//! width or the theme change. A heatmap has no points to find, so there is no overlay layer:
//! hover maps the pointer through the drawn projection to a cell ([`Heatmap::cell_at`]) and
//! shows it in a tooltip. Legend entries toggle the budget lines; PNG and SVG export (light
//! unless asked for dark, see [`super::chart_export`]).

use std::cell::RefCell;
use std::rc::Rc;

use super::canvas_backend::MeasuredCanvas;
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use plotters::prelude::*;

use super::canvas_size::{device_pixel_ratio, toggle_hidden, use_element_width};
use super::chart_export::{download_png_of, export_theme, tooltip_position, DarkExportToggle};
use super::files::download_text;
use super::theme::DarkMode;
use crate::chart::{draw_heatmap, render_svg, DrawnChart, Heatmap, Scale};

/// What the last draw left for the pointer handlers.
struct Drawn {
    chart: DrawnChart,
    dpr: f64,
}

/// The heatmap as shown: budget lines switched off in the legend are hidden.
fn shown(heatmap: &Heatmap, hidden: &[usize]) -> Heatmap {
    let mut h = heatmap.clone();
    for i in hidden {
        if let Some(s) = h.boundaries.get_mut(*i) {
            s.visible = false;
        }
    }
    h
}

#[component]
pub fn HeatmapCanvas(
    /// The heatmap to draw; `None` draws nothing.
    #[prop(into)]
    heatmap: Signal<Option<Heatmap>>,
    /// Tooltip text of a cell (index into the heatmap's cells).
    describe: Callback<usize, String>,
    test_id: &'static str,
    /// File name stem of the PNG and SVG exports.
    file_stem: &'static str,
    #[prop(default = 440.0)] height: f64,
) -> impl IntoView {
    let dark = expect_context::<DarkMode>();
    let keep_dark = RwSignal::new(false);
    let container = NodeRef::<Div>::new();
    let canvas = NodeRef::<Canvas>::new();
    let width = use_element_width(container);
    let hidden = RwSignal::new(Vec::<usize>::new());
    let tooltip = RwSignal::new(None::<(f64, f64, String)>);
    let draw_error = RwSignal::new(None::<String>);
    // Draws so far and the theme of the last one: tests wait on these instead of sleeping.
    let draws = RwSignal::new(0u64);
    let drawn_theme = RwSignal::new("");
    let drawn: Rc<RefCell<Option<Drawn>>> = Rc::new(RefCell::new(None));

    let drawn_for_draw = drawn.clone();
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        let css_w = width.get();
        let theme = dark.theme();
        let Some(map) = heatmap.get() else {
            *drawn_for_draw.borrow_mut() = None;
            return;
        };
        if css_w < 50.0 {
            return;
        }
        let ratio = device_pixel_ratio();
        el.set_width((css_w * ratio).round() as u32);
        el.set_height((height * ratio).round() as u32);
        let Some(backend) = MeasuredCanvas::new(el) else {
            return;
        };
        let root = backend.into_drawing_area();
        let map = shown(&map, &hidden.get());
        match draw_heatmap(&root, &map, &theme, Scale::new(ratio)) {
            Ok(chart) => {
                let _ = root.present();
                draw_error.set(None);
                *drawn_for_draw.borrow_mut() = Some(Drawn { chart, dpr: ratio });
                draws.update(|n| *n += 1);
                drawn_theme.set(if dark.0.get_untracked() {
                    "dark"
                } else {
                    "light"
                });
            }
            Err(e) => {
                *drawn_for_draw.borrow_mut() = None;
                draw_error.set(Some(e));
            }
        }
        tooltip.set(None);
    });

    let drawn_move = drawn.clone();
    let on_move = move |ev: web_sys::PointerEvent| {
        let (cx, cy) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let borrowed = drawn_move.borrow();
        let Some(d) = borrowed.as_ref() else { return };
        let (px, py) = (cx * d.dpr, cy * d.dpr);
        let cell = heatmap.with_untracked(|h| {
            h.as_ref()
                .and_then(|h| h.cell_at(&d.chart.projection, px, py))
        });
        tooltip.set(cell.map(|k| (cx, cy, describe.run(k))));
    };
    let drawn_click = drawn.clone();
    let on_click = move |ev: web_sys::MouseEvent| {
        let borrowed = drawn_click.borrow();
        let Some(d) = borrowed.as_ref() else { return };
        let (px, py) = (ev.offset_x() as f64 * d.dpr, ev.offset_y() as f64 * d.dpr);
        if let Some(series) = d.chart.legend_hit(px, py) {
            toggle_hidden(hidden, series);
        }
    };
    let export_png = move |_| {
        let (Some(c), Some(map)) = (canvas.get_untracked(), heatmap.get_untracked()) else {
            return;
        };
        let map = shown(&map, &hidden.get_untracked());
        let theme = export_theme(dark, keep_dark.get_untracked());
        let ratio = device_pixel_ratio();
        download_png_of(c.width(), c.height(), &format!("{file_stem}.png"), |root| {
            draw_heatmap(root, &map, &theme, Scale::new(ratio)).map(|_| ())
        });
    };
    let export_svg = move |_| {
        let Some(map) = heatmap.get_untracked() else {
            return;
        };
        let map = shown(&map, &hidden.get_untracked());
        let aspect = height / width.get_untracked().max(1.0);
        if let Ok(svg) = render_svg(aspect, |root| {
            draw_heatmap(
                root,
                &map,
                &export_theme(dark, keep_dark.get_untracked()),
                Scale::new(1.0),
            )
        }) {
            download_text(&format!("{file_stem}.svg"), "image/svg+xml", &svg);
        }
    };

    view! {
        <div class="chart" data-testid=test_id data-draws=move || draws.get() data-theme=move || drawn_theme.get()>
            <div class="chart-tools">
                <span class="hint">"hover: cell details · legend: toggle a budget line"</span>
                <DarkExportToggle keep_dark=keep_dark test_id=test_id />
                <button type="button" data-testid=format!("{test_id}-png") on:click=export_png>"PNG"</button>
                <button type="button" data-testid=format!("{test_id}-svg") on:click=export_svg>"SVG"</button>
            </div>
            <div class="chart-stack" node_ref=container style:height=format!("{height}px")>
                <canvas node_ref=canvas class="chart-base chart-overlay" role="img"
                    aria-label=move || heatmap.with(|h| h.as_ref().map(|h| h.title.clone()).unwrap_or_default())
                    style:width="100%" style:height=format!("{height}px")
                    on:pointermove=on_move
                    on:pointerleave=move |_| tooltip.set(None)
                    on:click=on_click></canvas>
                {move || tooltip.get().map(|(x, y, text)| {
                    let (left, right, top) = tooltip_position(x, y, width.get_untracked());
                    view! {
                        <div class="tooltip" data-testid=format!("{test_id}-tooltip") role="status"
                            style:left=left style:right=right style:top=top>{text}</div>
                    }
                })}
            </div>
            {move || draw_error.get().map(|e| view! { <p class="error">{e}</p> })}
        </div>
    }
}
