//! A `.gguf` file as the reference model: its header only is read (see [`super::gguf_read`]),
//! the model is added and selected, and the page says what it read. A file that does not
//! import changes nothing and its message names it.

use leptos::prelude::*;

use super::file_drop::FilePick;
use super::format;
use super::gguf_read::{read_gguf_header, GgufRead};
use super::state::{Inputs, NamedModel};
use crate::model::arch::Architecture;

/// The model a header describes, named by `general.name` or else the file's name.
fn named_model(read: &GgufRead) -> Result<NamedModel, String> {
    let arch =
        Architecture::new(read.model.arch.clone()).map_err(|e| format!("{}: {e}", read.file))?;
    let stem = read
        .file
        .strip_suffix(".gguf")
        .unwrap_or(&read.file)
        .to_string();
    Ok(NamedModel {
        name: read
            .model
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(stem),
        arch,
        origin: read.file.clone(),
        notes: read.model.notes.clone(),
    })
}

/// What a header read gave: bytes read, header and tensor bytes, file type, keys and notes.
fn report(read: GgufRead) -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let m = read.model;
    let format = m.weight_format();
    let file_type = format.map_or_else(
        || "not stated, or not a type the page models".to_string(),
        |f| {
            format!(
                "{} ({:.2} bits per weight of a layer matrix)",
                f.name(),
                f.matrix_bits(u64::from(m.arch.hidden))
            )
        },
    );
    view! {
        <div data-testid="gguf-report">
            <p class="hint">{format!("Read from {}: {} ({})", read.file, m.architecture, m.name.clone().unwrap_or_default())}</p>
            <table class="facts">
                <tr><td title="Only the header is read, never the tensor data">"Bytes read"</td>
                    <td data-testid="gguf-bytes-read">{format!("{} B", format::grouped(read.bytes_read))}</td></tr>
                <tr><td>"Header"</td><td data-testid="gguf-header-bytes">{format!("{} B", format::grouped(m.header_bytes))}</td></tr>
                <tr><td title="Exact bytes of every tensor by its ggml type, from the tensor infos">"Tensor data"</td>
                    <td data-testid="gguf-tensor-bytes">{format!("{} ({} B)", format::bytes(m.tensor_bytes as f64), format::grouped(m.tensor_bytes))}</td></tr>
                <tr><td>"Weights in the file"</td><td>{format::grouped(m.params_in_file)}</td></tr>
                <tr><td title="general.file_type">"File type"</td><td data-testid="gguf-file-type">{file_type}</td></tr>
            </table>
            {format.map(|f| view! {
                <button type="button" data-testid="gguf-use-format"
                    title="Set the workload's weights format to this file's type"
                    on:click=move |_| {
                        let mut p = inputs.precision.get_untracked();
                        p.weights = f;
                        inputs.set_precision(p);
                    }>{format!("Use {} as the weights format", f.name())}</button>
            })}
            <details>
                <summary>{format!("Keys used ({})", m.keys_used.len())}</summary>
                <p class="hint" data-testid="gguf-keys">{m.keys_used.join(", ")}</p>
            </details>
            <ul class="notes" data-testid="gguf-notes">
                {m.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// A file picker and drop zone for `.gguf` files, with what the last header read gave.
#[component]
pub fn GgufImport() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let last = RwSignal::new(None::<GgufRead>);
    let error = RwSignal::new(None::<String>);
    let reading = RwSignal::new(None::<String>);
    let deliver = move |file: web_sys::File| {
        reading.set(Some(file.name()));
        read_gguf_header(file, move |result| {
            reading.set(None);
            match result.and_then(|r| named_model(&r).map(|m| (r, m))) {
                Ok((r, m)) => {
                    inputs.add_model(m);
                    error.set(None);
                    last.set(Some(r));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <FilePick
            label="A GGUF file (llama.cpp, Ollama): header only"
            accept=".gguf"
            test_id="gguf-file"
            title="Only the header (metadata and tensor infos) is read, in growing slices from 1 MiB, never the tensor data"
            on_file=Callback::new(deliver)
        />
        {move || reading.get().map(|f| view! { <p class="hint" role="status">{format!("Reading the header of {f}…")}</p> })}
        {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="gguf-error">{e}</p> })}
        {move || last.get().map(report)}
    }
}
