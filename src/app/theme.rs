//! Light or dark, following the system setting (and its changes) through `prefers-color-scheme`.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::chart::Theme;

/// Whether the system asks for a dark theme, as a signal.
#[derive(Clone, Copy)]
pub struct DarkMode(pub ReadSignal<bool>);

impl DarkMode {
    pub fn theme(&self) -> Theme {
        if self.0.get() {
            Theme::dark()
        } else {
            Theme::light()
        }
    }
}

/// Watches `prefers-color-scheme: dark`.
pub fn use_dark_mode() -> DarkMode {
    let query = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten());
    let (dark, set_dark) = signal(query.as_ref().is_some_and(|q| q.matches()));
    if let Some(q) = query {
        let on_change = Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(
            move |e: web_sys::MediaQueryListEvent| set_dark.set(e.matches()),
        );
        let _ = q.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        // Lives as long as the page.
        on_change.forget();
    }
    DarkMode(dark)
}
