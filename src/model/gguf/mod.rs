//! Import of a GGUF file's header: metadata, tensor infos with exact bytes, and the model's
//! architecture, from a prefix of the file.
//!
//! The page reads growing prefixes of a multi-GB file (`Blob.slice`) and calls
//! [`import_gguf`] on each: it answers [`GgufImport::NeedMore`] with the smallest prefix
//! that gets further, until the header is complete. Tensor data is never needed.
//!
//! A small parser of our own (method.md §3, "GGUF import"): the Rust GGUF crates read from
//! a file path or a `Read + Seek` source, or parse a whole buffer without saying how many
//! bytes a truncated prefix lacks, and none names the key or tensor in its errors.

mod arch;
mod error;
mod header;
mod prefix;

pub use arch::{gguf_model, GgufModel, ARCHITECTURES};
pub use error::{GgufError, GgufProblem};
pub use header::{
    read_header, GgufHeader, GgufValue, HeaderRead, TensorInfo, MAX_ARRAY, MAX_COUNT, MAX_STRING,
};
pub use prefix::{first_read, next_read, FIRST_READ, MAX_HEADER_READ};

/// The outcome of reading a prefix of a GGUF file.
#[derive(Clone, Debug, PartialEq)]
pub enum GgufImport {
    /// The prefix ends inside the header: read at least this many bytes from the start.
    NeedMore { at_least: u64 },
    /// The header is complete and maps to an architecture.
    Model(Box<GgufModel>),
}

/// Reads the header in `bytes` (a prefix of the file named `file`) and maps it to an
/// architecture. Truncated: [`GgufImport::NeedMore`]; not GGUF, an unknown version, a
/// missing key or a corrupt field: a [`GgufError`] naming it.
pub fn import_gguf(file: &str, bytes: &[u8]) -> Result<GgufImport, GgufError> {
    match read_header(file, bytes)? {
        HeaderRead::NeedMore { at_least } => Ok(GgufImport::NeedMore { at_least }),
        HeaderRead::Done(h) => Ok(GgufImport::Model(Box::new(gguf_model(file, &h)?))),
    }
}
