//! How much of a GGUF file to read: 1 MiB first, then what [`super::import_gguf`] says it
//! needs, rounded up to whole MiB, never past [`MAX_HEADER_READ`]. The page reads these
//! prefixes through `Blob.slice`, so a multi-GB file costs a few MiB at most.

const MIB: u64 = 1024 * 1024;
/// The first prefix read: enough for the header of every model file seen so far.
pub const FIRST_READ: u64 = MIB;
/// The largest prefix read; a header needing more is refused.
pub const MAX_HEADER_READ: u64 = 64 * MIB;

/// The first prefix of a file of `size` bytes.
pub fn first_read(size: u64) -> u64 {
    FIRST_READ.min(size)
}

/// The next prefix to read after `read` bytes when the header needs `at_least`, or the
/// message when the file (of `size` bytes) ends first or the header is too large.
pub fn next_read(file: &str, read: u64, at_least: u64, size: u64) -> Result<u64, String> {
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
