//! A chart on two stacked canvases: the static layer (axes, every point, frontiers) is drawn
//! only when its data, size, pixel ratio or theme change; the overlay (crosshair, hovered and
//! pinned points) is cleared and redrawn on pointer moves and after every static draw (which
//! clears it by resizing), found through a spatial index. A tap or click shows the nearest
//! point's tooltip and selects it (a touch has no hover before it); with focus, Left/Right
//! walk the lines among the hovered series (the frontiers), or their points when none is a
//! line, Up/Down switch series, Enter selects. Wheel and drag-box
//! zoom, Shift+arrow pan, +/- zoom, double-click reset, clickable legend, PNG and SVG export
//! (light unless asked for dark).

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use super::canvas_backend::MeasuredCanvas;
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use plotters::prelude::*;
use wasm_bindgen::JsCast;

use super::canvas_size::{device_pixel_ratio, toggle_hidden, use_element_width};
use super::chart_export::{download_png_of, export_theme, tooltip_position, DarkExportToggle};
use super::files::download_text;
use super::latest::Latest;
use super::search_state::yield_to_browser;
use super::theme::DarkMode;
use crate::chart::{
    draw_highlight, draw_xy, render_svg, walk, walkable, DrawnChart, HoverIndex, Move, PixelRect,
    Scale, XyChart,
};

/// A point to highlight: data coordinates and colour.
pub use crate::chart::Highlight;

/// Hover radius in CSS pixels.
const HOVER_PX: f64 = 12.0;

/// What the static layer left for the pointer handlers.
struct Drawn {
    chart: DrawnChart,
    hover: HoverIndex,
    dpr: f64,
}

/// The chart as shown: zoom ranges applied, series whose legend entry was clicked switched
/// to the other state (a series the chart starts hidden, such as the sixth format's cloud,
/// is shown by a click). Borrowed when nothing changes, since a search's chart can hold two
/// million points.
fn shown<'a>(
    chart: &'a XyChart,
    view: Option<((f64, f64), (f64, f64))>,
    hidden: &[usize],
) -> Cow<'a, XyChart> {
    if view.is_none() && hidden.is_empty() {
        return Cow::Borrowed(chart);
    }
    let mut c = chart.clone();
    if let Some((x, y)) = view {
        c.x.range = Some(x);
        c.y.range = Some(y);
    }
    for i in hidden {
        if let Some(s) = c.series.get_mut(*i) {
            s.visible = !s.visible;
        }
    }
    Cow::Owned(c)
}

#[component]
pub fn ChartCanvas(
    /// The chart to draw; `None` shows an empty frame.
    #[prop(into)]
    chart: Signal<Option<Arc<XyChart>>>,
    /// Series whose points answer hover and click.
    hover_series: Vec<usize>,
    /// Tooltip text of (series, point).
    describe: Callback<(usize, usize), String>,
    /// Called on click with (series, point).
    #[prop(optional)]
    on_select: Option<Callback<(usize, usize)>>,
    /// Points to keep highlighted (pinned designs), in data coordinates with colours.
    #[prop(optional, into)]
    pinned: Option<Signal<Vec<Highlight>>>,
    test_id: &'static str,
    /// File name stem of exports.
    file_stem: &'static str,
    /// A file name stem that says more (device, objective), used instead of `file_stem`.
    #[prop(optional, into)]
    file_name: Option<Signal<String>>,
    #[prop(default = 420.0)] height: f64,
) -> impl IntoView {
    let walk_series = hover_series.clone();
    let stem = move || file_name.map_or_else(|| file_stem.to_string(), |f| f.get_untracked());
    let keep_dark = RwSignal::new(false);
    let dark = expect_context::<DarkMode>();
    // Read once per change and shared: a derived chart signal rebuilds or clones on every read,
    // and the pointer handlers read it on every move.
    let source = chart;
    let chart = RwSignal::new(None::<Arc<XyChart>>);
    Effect::new(move |_| chart.set(source.get()));
    let container = NodeRef::<Div>::new();
    let base = NodeRef::<Canvas>::new();
    let overlay = NodeRef::<Canvas>::new();
    let width = use_element_width(container);
    let view = RwSignal::new(None::<((f64, f64), (f64, f64))>);
    let hidden = RwSignal::new(Vec::<usize>::new());
    let tooltip = RwSignal::new(None::<(f64, f64, String)>);
    let draw_error = RwSignal::new(None::<String>);
    let drawn: Rc<RefCell<Option<Drawn>>> = Rc::new(RefCell::new(None));
    let drag_start = RwSignal::new(None::<(f64, f64)>);
    let hover = RwSignal::new(None::<(usize, usize)>);
    // Static-layer draws so far: tests wait for it to change.
    let draws = RwSignal::new(0u64);

    // Static layer. Drawn in a task of its own after the change that asked for it, so the
    // reactive update (building the chart) and the drawing are two short tasks, not one long
    // one; a newer change makes a pending draw stale.
    let drawn_for_static = drawn.clone();
    let latest = Latest::new();
    Effect::new(move |_| {
        let (Some(canvas), Some(over)) = (base.get(), overlay.get()) else {
            return;
        };
        let css_w = width.get();
        let theme = dark.theme();
        let (zoom, hide) = (view.get(), hidden.get());
        let Some(chart) = chart.get() else {
            *drawn_for_static.borrow_mut() = None;
            return;
        };
        if css_w < 50.0 {
            return;
        }
        let ticket = latest.next();
        let drawn_for_static = drawn_for_static.clone();
        let hover_series = hover_series.clone();
        leptos::task::spawn_local(async move {
            yield_to_browser().await;
            if !ticket.is_current() {
                return;
            }
            let ratio = device_pixel_ratio();
            let (w, h) = (
                (css_w * ratio).round() as u32,
                (height * ratio).round() as u32,
            );
            for c in [&canvas, &over] {
                c.set_width(w);
                c.set_height(h);
            }
            let c = shown(&chart, zoom, &hide);
            let Some(backend) = MeasuredCanvas::new(canvas.clone()) else {
                return;
            };
            let root = backend.into_drawing_area();
            match draw_xy(&root, &c, &theme, Scale::new(ratio)) {
                Ok(d) => {
                    let _ = root.present();
                    draw_error.set(None);
                    let targets =
                        HoverIndex::new(&c, &d.projection, &hover_series, HOVER_PX * ratio * 2.0);
                    *drawn_for_static.borrow_mut() = Some(Drawn {
                        chart: d,
                        hover: targets,
                        dpr: ratio,
                    });
                }
                Err(e) => draw_error.set(Some(e)),
            }
            draws.update(|n| *n += 1);
        });
    });

    // Overlay: hovered and pinned points, crosshair. Cheap, so it follows every pointer move.
    let drawn_for_overlay = drawn.clone();
    Effect::new(move |_| {
        let hovered = hover.get();
        let pins = pinned.map(|p| p.get()).unwrap_or_default();
        let theme = dark.theme();
        let _ = width.get();
        // A static draw resizes, and so clears, the overlay: pins are drawn again after it.
        let _ = draws.get();
        let Some(over) = overlay.get() else { return };
        let Some(ctx) = over
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        ctx.clear_rect(0.0, 0.0, over.width() as f64, over.height() as f64);
        let borrowed = drawn_for_overlay.borrow();
        let Some(d) = borrowed.as_ref() else { return };
        let Some(c) = chart.get_untracked() else {
            return;
        };
        let mut points = pins;
        let mut cross = None;
        if let Some((s, i)) = hovered {
            if let Some(p) = c.series.get(s).and_then(|x| x.points.get(i)) {
                points.push(Highlight::new(p.0, p.1, theme.foreground));
                cross = Some(*p);
            }
        }
        if let Some(backend) = MeasuredCanvas::new(over) {
            let root = backend.into_drawing_area();
            let _ = draw_highlight(
                &root,
                &d.chart.projection,
                &points,
                cross,
                &theme,
                Scale::new(d.dpr),
            );
            let _ = root.present();
        }
    });

    let to_backing = move |ev: &web_sys::MouseEvent| -> (f64, f64, f64, f64) {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let r = device_pixel_ratio();
        (x * r, y * r, x, y)
    };
    // The point under a pointer event, if any: its owner and the CSS position.
    let drawn_near = drawn.clone();
    let nearest_to = move |ev: &web_sys::MouseEvent| -> (Option<(usize, usize)>, f64, f64) {
        let (px, py, cx, cy) = to_backing(ev);
        let borrowed = drawn_near.borrow();
        let owner = borrowed
            .as_ref()
            .and_then(|d| d.hover.nearest(px, py, HOVER_PX * d.dpr));
        (owner, cx, cy)
    };
    let nearest_move = nearest_to.clone();
    let on_move = move |ev: web_sys::PointerEvent| {
        let (owner, cx, cy) = nearest_move(&ev);
        match owner {
            Some(owner) => {
                if hover.get_untracked() != Some(owner) {
                    hover.set(Some(owner));
                }
                tooltip.set(Some((cx, cy, describe.run(owner))));
            }
            None => {
                if hover.get_untracked().is_some() {
                    hover.set(None);
                }
                tooltip.set(None);
            }
        }
    };
    let drawn_click = drawn.clone();
    let on_up = move |ev: web_sys::PointerEvent| {
        let (px, py, _, _) = to_backing(&ev);
        let (near, cx, cy) = nearest_to(&ev);
        let start = drag_start.get_untracked();
        drag_start.set(None);
        let borrowed = drawn_click.borrow();
        let Some(d) = borrowed.as_ref() else { return };
        if let Some(series) = d.chart.legend_hit(px, py) {
            toggle_hidden(hidden, series);
            return;
        }
        if let Some(a) = start {
            if (a.0 - px).abs() > 8.0 && (a.1 - py).abs() > 8.0 {
                if let Some(p) = d
                    .chart
                    .projection
                    .zoomed(PixelRect::from_corners(a, (px, py)))
                {
                    view.set(Some((p.x.range(), p.y.range())));
                }
                return;
            }
        }
        // A tap has no hover before it: the point under the pointer is found here, shown and
        // selected, as a click on a hovered point is.
        match near {
            Some(owner) => {
                hover.set(Some(owner));
                tooltip.set(Some((cx, cy, describe.run(owner))));
                if let Some(select) = on_select {
                    select.run(owner);
                }
            }
            // A tap beside every point puts the tooltip away (a mouse does so by moving).
            None if ev.pointer_type() == "touch" => {
                hover.set(None);
                tooltip.set(None);
            }
            None => {}
        }
    };
    let drawn_wheel = drawn.clone();
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let (px, py, _, _) = to_backing(&ev);
        let borrowed = drawn_wheel.borrow();
        let Some(d) = borrowed.as_ref() else { return };
        let factor = if ev.delta_y() < 0.0 { 0.8 } else { 1.25 };
        let p = d.chart.projection.zoom_at(px, py, factor);
        view.set(Some((p.x.range(), p.y.range())));
    };
    // Shows the tooltip of a point reached by keyboard, at the point.
    let drawn_show = drawn.clone();
    let show_point = move |owner: (usize, usize)| {
        let borrowed = drawn_show.borrow();
        let (Some(d), Some(c)) = (borrowed.as_ref(), chart.get_untracked()) else {
            return;
        };
        let Some(&(x, y)) = c.series.get(owner.0).and_then(|s| s.points.get(owner.1)) else {
            return;
        };
        let (px, py) = d.chart.projection.to_pixel(x, y);
        hover.set(Some(owner));
        tooltip.set(Some((px / d.dpr, py / d.dpr, describe.run(owner))));
    };
    let drawn_key = drawn.clone();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        // Points: arrows walk, Enter or Space selects, Escape hides the tooltip.
        let walk_move = match key.as_str() {
            _ if ev.shift_key() => None,
            "ArrowRight" => Some(Move::Next),
            "ArrowLeft" => Some(Move::Previous),
            "ArrowUp" => Some(Move::NextSeries),
            "ArrowDown" => Some(Move::PreviousSeries),
            _ => None,
        };
        if let Some(step) = walk_move {
            ev.prevent_default();
            let Some(c) = chart.get_untracked() else {
                return;
            };
            let shown_chart = shown(&c, None, &hidden.get_untracked());
            let lines = walkable(&shown_chart, &walk_series);
            if let Some(owner) = walk(&shown_chart, &lines, hover.get_untracked(), step) {
                show_point(owner);
            }
            return;
        }
        match key.as_str() {
            "Enter" | " " => {
                if let (Some(select), Some(owner)) = (on_select, hover.get_untracked()) {
                    ev.prevent_default();
                    select.run(owner);
                }
                return;
            }
            "Escape" => {
                hover.set(None);
                tooltip.set(None);
                return;
            }
            _ => {}
        }
        // View: Shift+arrows pan, +/- zoom, 0 resets.
        let borrowed = drawn_key.borrow();
        let Some(d) = borrowed.as_ref() else { return };
        let p = d.chart.projection;
        let step = p.plot.width.min(p.plot.height) * 0.1;
        let (cx, cy) = (
            p.plot.left + p.plot.width / 2.0,
            p.plot.top + p.plot.height / 2.0,
        );
        let next = match key.as_str() {
            "ArrowLeft" => Some(p.panned(step, 0.0)),
            "ArrowRight" => Some(p.panned(-step, 0.0)),
            "ArrowUp" => Some(p.panned(0.0, step)),
            "ArrowDown" => Some(p.panned(0.0, -step)),
            "+" | "=" => Some(p.zoom_at(cx, cy, 0.8)),
            "-" => Some(p.zoom_at(cx, cy, 1.25)),
            "0" => {
                view.set(None);
                None
            }
            _ => return,
        };
        ev.prevent_default();
        if let Some(p) = next {
            view.set(Some((p.x.range(), p.y.range())));
        }
    };

    // Exports draw the chart again in the export theme, at the size shown.
    let export_png = move |_| {
        let (Some(c), Some(canvas)) = (chart.get_untracked(), base.get_untracked()) else {
            return;
        };
        let c = shown(&c, view.get_untracked(), &hidden.get_untracked());
        let theme = export_theme(dark, keep_dark.get_untracked());
        let ratio = device_pixel_ratio();
        download_png_of(
            canvas.width(),
            canvas.height(),
            &format!("{}.png", stem()),
            |root| draw_xy(root, &c, &theme, Scale::new(ratio)).map(|_| ()),
        );
    };
    let export_svg = move |_| {
        let Some(c) = chart.get_untracked() else {
            return;
        };
        let c = shown(&c, view.get_untracked(), &hidden.get_untracked());
        let aspect = height / width.get_untracked().max(1.0);
        let theme = export_theme(dark, keep_dark.get_untracked());
        let Ok(svg) = render_svg(aspect, |root| draw_xy(root, &c, &theme, Scale::new(1.0))) else {
            return;
        };
        download_text(&format!("{}.svg", stem()), "image/svg+xml", &svg);
    };
    let hint = if on_select.is_some() {
        "click: pin · ←/→, Enter: keys · wheel/drag: zoom · Shift+arrows: pan · 0: reset"
    } else {
        "←/→: points · wheel/drag: zoom · Shift+arrows: pan · 0: reset · legend: toggle"
    };
    let keys_help = if on_select.is_some() {
        "Left and Right arrows move between points, Up and Down between series, Enter pins the point."
    } else {
        "Left and Right arrows move between points, Up and Down between series."
    };

    view! {
        <div class="chart" data-testid=test_id data-draws=move || draws.get()>
            <div class="chart-tools">
                <span class="hint">{hint}</span>
                <button type="button" on:click=move |_| view.set(None) title="Reset zoom">"Reset"</button>
                <DarkExportToggle keep_dark=keep_dark test_id=test_id />
                <button type="button" data-testid=format!("{test_id}-png") on:click=export_png
                    aria-label="Download the chart as PNG">"PNG"</button>
                <button type="button" data-testid=format!("{test_id}-svg") on:click=export_svg
                    aria-label="Download the chart as SVG">"SVG"</button>
            </div>
            <div class="chart-stack" node_ref=container style:height=format!("{height}px")>
                <canvas node_ref=base class="chart-base" style:width="100%" style:height=format!("{height}px")></canvas>
                <canvas node_ref=overlay class="chart-overlay" tabindex="0" role="img"
                    data-testid=format!("{test_id}-canvas")
                    aria-label=move || chart.with(|c| c.as_ref().map(|c| format!("{}{}{}. Legend: {}. {keys_help}", c.title, if c.subtitle.is_empty() { "" } else { " — " }, c.subtitle, c.legend_names().join(", "))).unwrap_or_default())
                    style:width="100%" style:height=format!("{height}px")
                    on:pointermove=on_move
                    on:pointerleave=move |ev: web_sys::PointerEvent| {
                        // A finger leaves as it lifts: a tapped point's tooltip stays.
                        if ev.pointer_type() != "touch" {
                            hover.set(None);
                            tooltip.set(None);
                        }
                    }
                    on:blur=move |_| { hover.set(None); tooltip.set(None); }
                    on:pointerdown=move |ev: web_sys::PointerEvent| {
                        let r = device_pixel_ratio();
                        drag_start.set(Some((ev.offset_x() as f64 * r, ev.offset_y() as f64 * r)));
                    }
                    on:pointerup=on_up
                    on:dblclick=move |_| view.set(None)
                    on:wheel=on_wheel
                    on:keydown=on_key></canvas>
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
