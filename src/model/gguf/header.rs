//! The GGUF header as bytes: magic, version, counts, metadata key/value pairs and tensor
//! infos (ggml `docs/gguf.md`), read from a prefix of the file.
//!
//! Reading stops with [`HeaderRead::NeedMore`] as soon as a field runs past the bytes given,
//! naming the smallest prefix that would get further, so the page can read growing
//! `Blob.slice`s and never the tensor data.

use super::error::{GgufError, GgufProblem};
use crate::model::ggml_type::GgmlType;
use std::collections::BTreeMap;

/// Most tensors or metadata pairs a header may declare.
pub const MAX_COUNT: u64 = 1 << 20;
/// Longest string (key, value or tensor name) accepted, bytes.
pub const MAX_STRING: u64 = 1 << 24;
/// Most elements of one metadata array (a 256k-token vocabulary fits).
pub const MAX_ARRAY: u64 = 1 << 24;
/// Numeric arrays up to this length are kept (per-layer values); longer ones are counted.
const KEEP_ARRAY: u64 = 4096;

/// A metadata value. Strings inside arrays and long arrays are not kept, only counted.
#[derive(Clone, Debug, PartialEq)]
pub enum GgufValue {
    /// Any integer type (u8 … i64), widened.
    Int(i128),
    Float(f64),
    Bool(bool),
    Text(String),
    /// An array: its element type id, its length, and its numbers when short and numeric.
    Array {
        elem_type: u32,
        len: u64,
        numbers: Option<Vec<f64>>,
    },
}

/// One tensor as the header describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    /// ggml order: `dims[0]` is the row length.
    pub dims: Vec<u64>,
    pub ggml_type: GgmlType,
    /// Offset of its data from the start of the data section.
    pub offset: u64,
    /// Exact bytes of its data: rows × row length / block size × block bytes.
    pub bytes: u64,
}

impl TensorInfo {
    pub fn elements(&self) -> u64 {
        self.dims.iter().product()
    }
}

/// A parsed header.
#[derive(Clone, Debug, PartialEq)]
pub struct GgufHeader {
    pub version: u32,
    pub metadata: BTreeMap<String, GgufValue>,
    pub tensors: Vec<TensorInfo>,
    /// `general.alignment`, 32 when absent.
    pub alignment: u64,
    /// Bytes of the header up to the end of the tensor infos: what had to be read.
    pub header_bytes: u64,
    /// Where the tensor data starts (the header padded to the alignment).
    pub data_offset: u64,
}

impl GgufHeader {
    /// Bytes of all tensor data.
    pub fn tensor_bytes(&self) -> u64 {
        self.tensors.iter().map(|t| t.bytes).sum()
    }

    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

/// The outcome of reading a prefix.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderRead {
    /// The prefix ends inside the header: read at least this many bytes from the start.
    NeedMore {
        at_least: u64,
    },
    Done(GgufHeader),
}

/// Reading stops: more bytes needed, or an error.
enum Stop {
    More(u64),
    Bad(u64, GgufProblem),
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], Stop> {
        let end = self.pos as u64 + n;
        if end > self.bytes.len() as u64 {
            return Err(Stop::More(end));
        }
        let s = &self.bytes[self.pos..end as usize];
        self.pos = end as usize;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Stop> {
        let s = self.take(N as u64)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u32(&mut self) -> Result<u32, Stop> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, Stop> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn bounded(&mut self, what: impl Fn() -> String, limit: u64) -> Result<u64, Stop> {
        let at = self.pos as u64;
        let v = self.u64()?;
        if v > limit {
            return Err(Stop::Bad(
                at,
                GgufProblem::Implausible {
                    what: what(),
                    value: v,
                    limit,
                },
            ));
        }
        Ok(v)
    }

    fn string(&mut self, what: impl Fn() -> String) -> Result<String, Stop> {
        let len = self.bounded(|| format!("length of {}", what()), MAX_STRING)?;
        let at = self.pos as u64;
        let s = self.take(len)?;
        String::from_utf8(s.to_vec())
            .map_err(|_| Stop::Bad(at, GgufProblem::NotUtf8 { what: what() }))
    }

    /// Skips a string, keeping nothing (array elements).
    fn skip_string(&mut self, what: impl Fn() -> String) -> Result<(), Stop> {
        let len = self.bounded(|| format!("length of {}", what()), MAX_STRING)?;
        self.take(len).map(|_| ())
    }

    fn scalar(&mut self, type_id: u32) -> Result<Option<GgufValue>, Stop> {
        let v = match type_id {
            0 => GgufValue::Int(self.array::<1>()?[0] as i128),
            1 => GgufValue::Int(self.array::<1>()?[0] as i8 as i128),
            2 => GgufValue::Int(u16::from_le_bytes(self.array()?) as i128),
            3 => GgufValue::Int(i16::from_le_bytes(self.array()?) as i128),
            4 => GgufValue::Int(self.u32()? as i128),
            5 => GgufValue::Int(i32::from_le_bytes(self.array()?) as i128),
            6 => GgufValue::Float(f32::from_le_bytes(self.array()?) as f64),
            7 => GgufValue::Bool(self.array::<1>()?[0] != 0),
            10 => GgufValue::Int(self.u64()? as i128),
            11 => GgufValue::Int(i64::from_le_bytes(self.array()?) as i128),
            12 => GgufValue::Float(f64::from_le_bytes(self.array()?)),
            _ => return Ok(None),
        };
        Ok(Some(v))
    }

    fn value(&mut self, key: &str, type_id: u32, at: u64) -> Result<GgufValue, Stop> {
        let bad = |type_id| {
            Stop::Bad(
                at,
                GgufProblem::BadValueType {
                    key: key.to_string(),
                    type_id,
                },
            )
        };
        match type_id {
            8 => Ok(GgufValue::Text(
                self.string(|| format!("the value of key \"{key}\""))?,
            )),
            9 => {
                let elem_at = self.pos as u64;
                let elem_type = self.u32()?;
                let len = self.bounded(|| format!("length of array \"{key}\""), MAX_ARRAY)?;
                let mut numbers = (len <= KEEP_ARRAY).then(Vec::new);
                for i in 0..len {
                    match elem_type {
                        8 => {
                            self.skip_string(|| format!("element {i} of array \"{key}\""))?;
                            numbers = None;
                        }
                        t => match self.scalar(t)? {
                            Some(v) => {
                                if let Some(n) = numbers.as_mut() {
                                    n.push(match v {
                                        GgufValue::Int(x) => x as f64,
                                        GgufValue::Float(x) => x,
                                        GgufValue::Bool(b) => b as u8 as f64,
                                        _ => 0.0,
                                    });
                                }
                            }
                            // Arrays of arrays are not used by llama.cpp's keys.
                            None => {
                                return Err(Stop::Bad(
                                    elem_at,
                                    GgufProblem::BadValueType {
                                        key: key.to_string(),
                                        type_id: t,
                                    },
                                ))
                            }
                        },
                    }
                }
                Ok(GgufValue::Array {
                    elem_type,
                    len,
                    numbers,
                })
            }
            t => self.scalar(t)?.ok_or_else(|| bad(t)),
        }
    }
}

/// Reads the header at the start of `bytes` (a prefix of the file named `file`).
pub fn read_header(file: &str, bytes: &[u8]) -> Result<HeaderRead, GgufError> {
    match parse(bytes) {
        Ok(h) => Ok(HeaderRead::Done(h)),
        Err(Stop::More(n)) => Ok(HeaderRead::NeedMore { at_least: n }),
        Err(Stop::Bad(offset, problem)) => Err(GgufError {
            file: file.to_string(),
            offset,
            problem,
        }),
    }
}

fn parse(bytes: &[u8]) -> Result<GgufHeader, Stop> {
    let mut c = Cursor { bytes, pos: 0 };
    // The magic is checked on whatever bytes there are, so a non-GGUF file fails at once.
    let head = &bytes[..bytes.len().min(4)];
    if head != &b"GGUF"[..head.len()] {
        return Err(Stop::Bad(
            0,
            GgufProblem::NotGguf {
                found: head.to_vec(),
            },
        ));
    }
    c.take(4)?;
    let version = c.u32()?;
    if !(2..=3).contains(&version) {
        return Err(Stop::Bad(4, GgufProblem::UnknownVersion(version)));
    }
    let n_tensors = c.bounded(|| "tensor count".to_string(), MAX_COUNT)?;
    let n_kv = c.bounded(|| "metadata count".to_string(), MAX_COUNT)?;
    let mut metadata = BTreeMap::new();
    for i in 0..n_kv {
        let key = c.string(|| format!("key {i}"))?;
        let at = c.pos as u64;
        let type_id = c.u32()?;
        let value = c.value(&key, type_id, at)?;
        metadata.insert(key, value);
    }
    let mut tensors = Vec::with_capacity(n_tensors.min(4096) as usize);
    for i in 0..n_tensors {
        let at = c.pos as u64;
        let name = c.string(|| format!("the name of tensor {i}"))?;
        let dims_at = c.pos as u64;
        let n_dims = c.u32()?;
        if !(1..=4).contains(&n_dims) {
            return Err(Stop::Bad(
                dims_at,
                GgufProblem::TooManyDims {
                    tensor: name,
                    dims: n_dims,
                },
            ));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for d in 0..n_dims {
            dims.push(c.bounded(|| format!("dimension {d} of tensor \"{name}\""), 1 << 40)?);
        }
        let type_at = c.pos as u64;
        let type_id = c.u32()?;
        let offset = c.u64()?;
        let Some(ggml_type) = GgmlType::from_id(type_id) else {
            return Err(Stop::Bad(
                type_at,
                GgufProblem::UnknownTensorType {
                    tensor: name,
                    type_id,
                },
            ));
        };
        let elements = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
        let rows = elements.map(|e| e.checked_div(dims[0]).unwrap_or(0));
        let bytes = match (ggml_type.row_bytes(dims[0]), rows) {
            (Some(row), Some(rows)) => row.checked_mul(rows),
            _ => None,
        };
        let Some(bytes) = bytes else {
            let (block, _) = ggml_type.layout();
            return Err(Stop::Bad(
                at,
                if elements.is_none() {
                    GgufProblem::Implausible {
                        what: format!("element count of tensor \"{name}\""),
                        value: u64::MAX,
                        limit: u64::MAX,
                    }
                } else {
                    GgufProblem::RowNotBlocks {
                        tensor: name,
                        row: dims[0],
                        block,
                        type_name: ggml_type.name(),
                    }
                },
            ));
        };
        tensors.push(TensorInfo {
            name,
            dims,
            ggml_type,
            offset,
            bytes,
        });
    }
    let alignment = match metadata.get("general.alignment") {
        Some(GgufValue::Int(a)) => *a as u64,
        _ => 32,
    };
    if alignment == 0 || !alignment.is_power_of_two() {
        return Err(Stop::Bad(0, GgufProblem::BadAlignment(alignment)));
    }
    let header_bytes = c.pos as u64;
    Ok(GgufHeader {
        version,
        metadata,
        tensors,
        alignment,
        header_bytes,
        data_offset: header_bytes.div_ceil(alignment) * alignment,
    })
}
