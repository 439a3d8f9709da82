//! Reads a `.gguf` file's header through `Blob.slice`, in growing prefixes, and never the
//! whole (multi-GB) file: 1 MiB first, then what the core says it needs, rounded up to whole
//! MiB, up to [`MAX_HEADER_READ`].

use leptos::task::spawn_local;

use crate::model::gguf::{import_gguf, GgufImport, GgufModel};

const MIB: u64 = 1024 * 1024;
/// The first prefix read.
pub const FIRST_READ: u64 = MIB;
/// The largest prefix read; a header needing more is refused.
pub const MAX_HEADER_READ: u64 = 64 * MIB;

/// A header read: the model it describes and how many bytes of the file were read.
#[derive(Clone, Debug, PartialEq)]
pub struct GgufRead {
    pub file: String,
    pub model: GgufModel,
    pub bytes_read: u64,
}

/// The next prefix to read after `read` bytes when the core needs `at_least`, or the message
/// when the file (of `size` bytes) ends first or the header is too large.
fn next_read(file: &str, read: u64, at_least: u64, size: u64) -> Result<u64, String> {
    if read >= size {
        return Err(format!(
            "{file}: truncated: the file ends at byte {size}, inside its header (reading it needs \
             at least {at_least} bytes); nothing was loaded"
        ));
    }
    if at_least > MAX_HEADER_READ {
        return Err(format!(
            "{file}: the header needs at least {at_least} bytes, more than the {} MiB this page \
             reads; nothing was loaded",
            MAX_HEADER_READ / MIB
        ));
    }
    let rounded = at_least.div_ceil(MIB) * MIB;
    Ok(rounded.max(read + 1).min(size).min(MAX_HEADER_READ))
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
        let mut end = FIRST_READ.min(size);
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
