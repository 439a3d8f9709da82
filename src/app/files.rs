//! Browser file plumbing: read an uploaded or dropped file as text, offer text as a download.
//! Nothing leaves the page: files are read locally and downloads are made from in-memory blobs.

use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Largest file the page reads, the loss importer's limit (README: limits); larger files are
/// refused before reading.
pub const MAX_UPLOAD_BYTES: f64 = crate::model::loss_csv::MAX_BYTES as f64;

const MIB: f64 = 1024.0 * 1024.0;

/// A file's name and text, or a message naming the file.
pub type FileText = Result<(String, String), String>;

/// Reads `file` as UTF-8 text and hands the result to `done` (asynchronously).
pub fn read_text(file: web_sys::File, done: impl FnOnce(FileText) + 'static) {
    let name = file.name();
    if file.size() > MAX_UPLOAD_BYTES {
        done(Err(format!(
            "{name}: {:.1} MiB is larger than the limit of {:.0} MiB; nothing was loaded",
            file.size() / MIB,
            MAX_UPLOAD_BYTES / MIB
        )));
        return;
    }
    let file = gloo_file::File::from(file);
    spawn_local(async move {
        let result = gloo_file::futures::read_as_text(&file)
            .await
            .map(|text| (name.clone(), text))
            .map_err(|e| format!("{name}: could not be read ({e})"));
        done(result);
    });
}

/// The first file of an `<input type=file>` change event.
pub fn first_file_of_input(ev: &web_sys::Event) -> Option<web_sys::File> {
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    let file = input.files()?.get(0);
    // Clear so that choosing the same file again fires another change event.
    input.set_value("");
    file
}

/// The first file of a drop event.
pub fn first_file_of_drop(ev: &web_sys::DragEvent) -> Option<web_sys::File> {
    ev.data_transfer()?.files()?.get(0)
}

/// Offers `contents` as a file download named `file_name`.
pub fn download_text(file_name: &str, mime: &str, contents: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    download_blob(file_name, &blob);
}

/// Offers a blob as a file download named `file_name`.
pub fn download_blob(file_name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(anchor) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers what a canvas shows as a PNG download named `file_name`.
pub fn download_canvas_png(canvas: &web_sys::HtmlCanvasElement, file_name: &str) {
    let name = file_name.to_string();
    let done = wasm_bindgen::closure::Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        if let Some(b) = blob {
            download_blob(&name, &b);
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
}
