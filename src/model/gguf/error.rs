//! Why a GGUF header was refused: the file, the byte offset where reading stopped and what
//! was expected there, or the metadata key the architecture needs.

use std::fmt;

/// A refused GGUF header. `offset` is the byte where the problem starts (0 for problems of
/// the whole file, such as a missing key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GgufError {
    pub file: String,
    pub offset: u64,
    pub problem: GgufProblem,
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GgufProblem {
    /// The first four bytes are not `GGUF`.
    NotGguf { found: Vec<u8> },
    /// A version this reader does not know (it reads 2 and 3).
    UnknownVersion(u32),
    /// A count or length too large to be real (a corrupt or hostile file).
    Implausible {
        what: String,
        value: u64,
        limit: u64,
    },
    /// A metadata value type id outside the GGUF spec.
    BadValueType { key: String, type_id: u32 },
    /// A string that is not UTF-8.
    NotUtf8 { what: String },
    /// A tensor of a ggml type id this reader does not know.
    UnknownTensorType { tensor: String, type_id: u32 },
    /// A tensor whose rows are not a whole number of its type's blocks.
    RowNotBlocks {
        tensor: String,
        row: u64,
        block: u32,
        type_name: &'static str,
    },
    /// A tensor with more dimensions than ggml's four.
    TooManyDims { tensor: String, dims: u32 },
    /// `general.alignment` that is not a power of two.
    BadAlignment(u64),
    /// A key the architecture needs is absent.
    MissingKey(String),
    /// A key holds a value of the wrong type.
    WrongKeyType { key: String, expected: &'static str },
    /// A tensor the architecture needs is absent.
    MissingTensor(String),
    /// `general.architecture` names a family this page does not map.
    UnsupportedArchitecture(String),
    /// Values that cannot describe a valid architecture.
    Invalid { key: String, problem: String },
}

impl fmt::Display for GgufError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use GgufProblem::*;
        match &self.problem {
            MissingKey(_)
            | WrongKeyType { .. }
            | MissingTensor(_)
            | UnsupportedArchitecture(_)
            | Invalid { .. } => write!(f, "{}: ", self.file)?,
            _ => write!(f, "{}, byte {}: ", self.file, self.offset)?,
        }
        match &self.problem {
            NotGguf { found } => write!(
                f,
                "not a GGUF file (expected the magic bytes \"GGUF\", found {})",
                shown(found)
            ),
            UnknownVersion(v) => {
                write!(
                    f,
                    "GGUF version {v} is not supported (expected version 2 or 3)"
                )
            }
            Implausible { what, value, limit } => {
                write!(
                    f,
                    "{what} {value} is larger than {limit}; the file is corrupt"
                )
            }
            BadValueType { key, type_id } => write!(
                f,
                "key \"{key}\": value type {type_id} is not a GGUF type (expected 0 to 12)"
            ),
            NotUtf8 { what } => write!(f, "{what} is not UTF-8 text"),
            UnknownTensorType { tensor, type_id } => write!(
                f,
                "tensor \"{tensor}\": ggml type {type_id} is not one this page knows"
            ),
            RowNotBlocks {
                tensor,
                row,
                block,
                type_name,
            } => write!(
                f,
                "tensor \"{tensor}\": rows of {row} weights are not a whole number of \
                 {type_name} blocks of {block}"
            ),
            TooManyDims { tensor, dims } => write!(
                f,
                "tensor \"{tensor}\": {dims} dimensions (ggml tensors have 1 to 4)"
            ),
            BadAlignment(a) => write!(f, "general.alignment {a} is not a power of two"),
            MissingKey(k) => write!(f, "missing key \"{k}\""),
            WrongKeyType { key, expected } => write!(f, "key \"{key}\": expected {expected}"),
            MissingTensor(t) => write!(f, "missing tensor \"{t}\""),
            UnsupportedArchitecture(a) => write!(
                f,
                "general.architecture \"{a}\" is not supported (expected llama, mistral, qwen2, \
                 qwen3, qwen2moe, qwen3moe, gemma2, gemma3, phi3 or deepseek2)"
            ),
            Invalid { key, problem } => write!(f, "key \"{key}\": {problem}"),
        }
    }
}

impl std::error::Error for GgufError {}

/// Bytes as text when printable, else in hex.
fn shown(bytes: &[u8]) -> String {
    if !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("\"{}\"", String::from_utf8_lossy(bytes))
    } else {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}
