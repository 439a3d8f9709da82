//! Browser plumbing shared by the canvas charts: the container's CSS width (re-measured on
//! window resizes), the device pixel ratio that scales the backing store, and legend toggles.

use leptos::html::Div;
use leptos::prelude::*;

/// The device pixel ratio, at least 1: the backing store is CSS size × this, so charts stay
/// crisp on high-DPI screens.
pub fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0)
}

/// The CSS width of `container`, measured when it mounts and on every window resize.
pub fn use_element_width(container: NodeRef<Div>) -> RwSignal<f64> {
    let width = RwSignal::new(0.0f64);
    let measure = move || {
        if let Some(div) = container.get_untracked() {
            width.set(div.client_width() as f64);
        }
    };
    Effect::new(move |_| {
        if container.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
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
