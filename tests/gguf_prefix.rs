//! How much of a GGUF file the page reads (model::gguf::next_read): the loop of
//! app/gguf_read.rs run here over files in memory, so the rule is tested natively.

use roofscale::model::gguf::{
    first_read, import_gguf, next_read, GgufImport, GgufModel, FIRST_READ, MAX_HEADER_READ,
};

const MIB: u64 = 1024 * 1024;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/gguf/{name}")).unwrap()
}

/// The page's loop: prefixes of `file` until the header is read; the model, the bytes of
/// the last prefix and the number of reads.
fn read_by_prefixes(name: &str, file: &[u8]) -> Result<(GgufModel, u64, usize), String> {
    let size = file.len() as u64;
    let mut end = first_read(size);
    let mut reads = 0;
    loop {
        reads += 1;
        let bytes = &file[..end as usize];
        match import_gguf(name, bytes).map_err(|e| e.to_string())? {
            GgufImport::Model(m) => return Ok((*m, end, reads)),
            GgufImport::NeedMore { at_least } => end = next_read(name, end, at_least, size)?,
        }
    }
}

#[test]
fn a_large_file_costs_one_mib_when_its_header_fits() {
    // The Q4_0 header with 5 MiB of "tensor data" after it: one read of 1 MiB.
    let mut file = fixture("llama2-7b-q4_0.gguf");
    file.resize(file.len() + 5 * MIB as usize, 0);
    let (m, read, reads) = read_by_prefixes("big.gguf", &file).unwrap();
    assert_eq!((read, reads), (FIRST_READ, 1));
    assert_eq!(m.arch.layers, 32);
}

#[test]
fn a_file_smaller_than_the_first_read_is_read_once_whole() {
    let file = fixture("qwen2.5-0.5b-q8_0.gguf");
    let (_, read, reads) = read_by_prefixes("qwen.gguf", &file).unwrap();
    assert_eq!((read, reads), (file.len() as u64, 1));
    assert_eq!(first_read(5000), 5000);
}

#[test]
fn a_file_cut_inside_its_header_is_named_as_truncated() {
    let file = fixture("gemma-3-1b-f16.gguf");
    let cut = &file[..file.len() / 2];
    let err = read_by_prefixes("cut.gguf", cut).unwrap_err();
    let size = cut.len();
    assert!(
        err.starts_with(&format!(
            "cut.gguf: truncated: the file ends at byte {size}, inside its header (reading it \
             needs at least "
        )),
        "{err}"
    );
    assert!(err.ends_with("bytes); nothing was loaded"), "{err}");
}

#[test]
fn more_is_read_in_whole_mib_and_never_past_the_limit() {
    let gb = 10 * 1024 * MIB;
    // The header needs 1.5 MiB after the first MiB: 2 MiB next.
    assert_eq!(next_read("f", MIB, MIB + MIB / 2, gb), Ok(2 * MIB));
    // Always more than what was read, never more than the file.
    assert_eq!(next_read("f", 2 * MIB, MIB, gb), Ok(2 * MIB + 1));
    assert_eq!(next_read("f", MIB, 3 * MIB, 2 * MIB + 7), Ok(2 * MIB + 7));
    assert_eq!(
        next_read("huge.gguf", MIB, MAX_HEADER_READ + 1, gb),
        Err(format!(
            "huge.gguf: the header needs at least {} bytes, more than the 64 MiB this page \
             reads; nothing was loaded",
            MAX_HEADER_READ + 1
        ))
    );
}
