//! One upload control for every file the page reads: a file picker that is also a drop zone.

use leptos::prelude::*;

use super::files::{first_file_of_drop, first_file_of_input, read_text};

/// A file picker and drop zone. Calls `on_text(file name, text)` after a successful read, or
/// `on_error(message)`; the caller decides what to keep, so a bad file changes nothing.
#[component]
pub fn FileDrop(
    /// What to upload, e.g. "Device specs (JSON or CSV)".
    label: &'static str,
    /// `accept` attribute of the picker, e.g. ".json,.csv".
    accept: &'static str,
    /// `data-testid` of the `<input type=file>`.
    test_id: &'static str,
    on_text: Callback<(String, String)>,
    on_error: Callback<String>,
) -> impl IntoView {
    let on_file = Callback::new(move |file: web_sys::File| {
        read_text(file, move |result| match result {
            Ok(pair) => on_text.run(pair),
            Err(message) => on_error.run(message),
        })
    });
    view! { <FilePick label=label accept=accept test_id=test_id on_file=on_file/> }
}

/// The picker and drop zone itself: hands the chosen or dropped file to `on_file` unread,
/// for files read otherwise than as text (a GGUF header, read in slices).
#[component]
pub fn FilePick(
    label: &'static str,
    accept: &'static str,
    test_id: &'static str,
    on_file: Callback<web_sys::File>,
    /// Tooltip of the zone.
    #[prop(optional)]
    title: Option<&'static str>,
) -> impl IntoView {
    let dragging = RwSignal::new(false);
    view! {
        <label
            class="file-drop"
            class:dragging=move || dragging.get()
            title=title
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(false);
                if let Some(f) = first_file_of_drop(&ev) {
                    on_file.run(f);
                }
            }
        >
            <span>{label}" — choose or drop a file"</span>
            <input
                type="file"
                accept=accept
                data-testid=test_id
                on:change=move |ev| {
                    if let Some(f) = first_file_of_input(&ev) {
                        on_file.run(f);
                    }
                }
            />
        </label>
    }
}
