//! Reads a `.gguf` file's header through `Blob.slice`, in growing prefixes, and never the
//! whole (multi-GB) file: how much each time is the core's rule (`model::gguf::next_read`).

use leptos::task::spawn_local;

use crate::model::gguf::{first_read, import_gguf, next_read, GgufImport, GgufModel};

/// A header read: the model it describes and how many bytes of the file were read.
#[derive(Clone, Debug, PartialEq)]
pub struct GgufRead {
    pub file: String,
    pub model: GgufModel,
    pub bytes_read: u64,
}

/// Reads bytes `0..end` of `file`.
async fn prefix(file: &web_sys::File, end: u64) -> Result<Vec<u8>, String> {
    let blob = file
        .slice_with_f64_and_f64(0.0, end as f64)
        .map_err(|_| format!("{}: could not be sliced", file.name()))?;
    gloo_file::futures::read_as_bytes(&gloo_file::Blob::from(blob))
        .await
        .map_err(|e| format!("{}: could not be read ({e})", file.name()))
}

/// Reads the header of `file` and hands the model, or a message naming the file, to `done`.
pub fn read_gguf_header(
    file: web_sys::File,
    done: impl FnOnce(Result<GgufRead, String>) + 'static,
) {
    let name = file.name();
    let size = file.size().max(0.0) as u64;
    spawn_local(async move {
        let mut end = first_read(size);
        let result = loop {
            let bytes = match prefix(&file, end).await {
                Ok(b) => b,
                Err(e) => break Err(e),
            };
            match import_gguf(&name, &bytes) {
                Ok(GgufImport::Model(model)) => {
                    break Ok(GgufRead {
                        file: name.clone(),
                        model: *model,
                        bytes_read: bytes.len() as u64,
                    })
                }
                Ok(GgufImport::NeedMore { at_least }) => {
                    match next_read(&name, bytes.len() as u64, at_least, size) {
                        Ok(next) => end = next,
                        Err(e) => break Err(e),
                    }
                }
                Err(e) => break Err(e.to_string()),
            }
        };
        done(result);
    });
}
