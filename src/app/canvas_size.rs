//! Browser plumbing shared by the canvas charts: the container's CSS width (observed, never
//! forced), the device pixel ratio that scales the backing store, and legend toggles.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The device pixel ratio, at least 1: the backing store is CSS size × this, so charts stay
/// crisp on high-DPI screens.
pub fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0)
}

/// The CSS width of `container`, kept current by a `ResizeObserver`.
///
/// Reading `clientWidth` while the page is being built forces a synchronous layout of the whole
/// page, once per chart: it was most of the long tasks at load (91 ms of a 115 ms task) and the
/// long task the old fit test saw. The observer reports sizes after the browser's own layout,
/// batched, and also sees changes a window resize does not (a panel appearing, a scroll bar).
pub fn use_element_width(container: NodeRef<Div>) -> RwSignal<f64> {
    let width = RwSignal::new(0.0f64);
    type Observing = (web_sys::ResizeObserver, Closure<dyn Fn(js_sys::Array)>);
    let observing = StoredValue::new_local(None::<Observing>);
    let stop = move || {
        if let Some((observer, _handler)) = observing.try_update_value(|o| o.take()).flatten() {
            observer.disconnect();
        }
    };
    Effect::new(move |_| {
        let Some(div) = container.get() else { return };
        stop();
        let on_resize = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() else {
                return;
            };
            let w = entry.content_rect().width();
            if width
                .try_get_untracked()
                .is_some_and(|old| (old - w).abs() >= 0.5)
            {
                width.set(w);
            }
        });
        let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else {
            return;
        };
        observer.observe(&div);
        observing.set_value(Some((observer, on_resize)));
    });
    on_cleanup(stop);
    width
}

/// Shows a legend entry that is hidden, hides one that is shown (a legend click).
pub fn toggle_hidden(hidden: RwSignal<Vec<usize>>, series: usize) {
    hidden.update(|h| {
        if let Some(k) = h.iter().position(|x| *x == series) {
            h.remove(k);
        } else {
            h.push(series);
        }
    });
}
