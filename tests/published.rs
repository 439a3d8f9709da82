//! The published measurement set shipped with the page (public/data/measurements.csv; schema
//! and sources in public/data/README.md) and its reader.

use roofscale::model::published::{parse_published_csv, PUBLISHED_CSV, PUBLISHED_FILE};
use std::collections::BTreeSet;

#[test]
fn the_shipped_set_reads_whole_and_covers_what_issue_16_asks() {
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV).unwrap();
    assert!(rows.issues.is_empty(), "{:?}", rows.issues);
    let devices: BTreeSet<&str> = rows.good.iter().map(|r| r.device.as_str()).collect();
    let runtimes: BTreeSet<&str> = rows.good.iter().map(|r| r.runtime.as_str()).collect();
    assert!(rows.good.len() >= 150, "{} rows", rows.good.len());
    assert!(devices.len() >= 25, "{} devices", devices.len());
    assert!(runtimes.len() >= 4, "{runtimes:?}");
    for r in &rows.good {
        assert!(
            r.source_url.starts_with("http"),
            "line {}: {}",
            r.line,
            r.source_url
        );
        assert_eq!(r.batch, 1, "line {}: single stream only", r.line);
    }
    // One measurement per row: no two rows say the same thing.
    let keys: BTreeSet<String> = rows
        .good
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{}",
                r.device,
                r.runtime_label(),
                r.model,
                r.model_hf_id,
                r.weight_format,
                r.prompt_tokens,
                r.gen_tokens,
                r.prefill_tok_s,
                r.decode_tok_s,
                r.source_url
            )
        })
        .collect();
    assert_eq!(keys.len(), rows.good.len());
}

#[test]
fn a_published_rate_becomes_the_time_of_its_run() {
    // Row 1: XiongjieDai/GPU-Benchmarks-on-LLM-Inference (commit aa72e0e), RTX 3070 8GB,
    // Meta-Llama-3-8B Q4_K_M, "tg 512" = 72.79 tokens/s: 512 decode steps in 7.034 s.
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV).unwrap();
    let r = &rows.good[0];
    assert_eq!(
        (r.device.as_str(), r.weight_format.as_str()),
        ("RTX 3070 8GB", "Q4_K_M")
    );
    assert_eq!((r.prompt_tokens, r.gen_tokens), (Some(0), Some(512)));
    assert_eq!(r.decode_tok_s, Some(72.79));
    assert!((r.decode_s().unwrap() - 512.0 / 72.79).abs() < 1e-12);
    assert_eq!(r.prefill_s(), None);
    assert_eq!(r.runtime_label(), "llama.cpp · CUDA");
    assert_eq!(r.line, 2);
}

const HEADER: &str = "id,device,device_spec,device_variant_notes,runtime,backend,runtime_version_or_commit,model,model_hf_id,weight_format,prompt_tokens,gen_tokens,batch,prefill_tok_s,decode_tok_s,source_url,source_detail,notes";

#[test]
fn bad_rows_are_listed_by_line_and_column_and_good_rows_kept() {
    let text = format!(
        "{HEADER}\n\
         1,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,512,0,1,14000,,https://example.org/a,,\n\
         2,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,0,128,1,,fast,https://example.org/a,,\n\
         3,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,0,128,1,,150,,,\n\
         4,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,0,128,1,,,https://example.org/a,,\n\
         5,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,12.5,128,1,,150,https://example.org/a,,\n"
    );
    let rows = parse_published_csv("mine.csv", &text).unwrap();
    assert_eq!(rows.good.len(), 1);
    assert!((rows.good[0].prefill_s().unwrap() - 512.0 / 14000.0).abs() < 1e-15);
    let said: Vec<String> = rows.issues.iter().map(|i| i.in_file("mine.csv")).collect();
    assert_eq!(
        said,
        [
            "mine.csv line 3, column \"decode_tok_s\": expected a number, found \"fast\"",
            "mine.csv line 4, column \"source_url\": empty: every row needs it",
            "mine.csv line 5, column \"decode_tok_s\": no speed: give prefill_tok_s, decode_tok_s or both",
            "mine.csv line 6, column \"prompt_tokens\": expected a whole number of tokens, found \"12.5\"",
        ]
    );
}

#[test]
fn a_file_without_the_sets_columns_is_refused_with_the_missing_one() {
    let err = parse_published_csv("speeds.csv", "device,runtime\nx,y\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "speeds.csv: no column \"id\"; the set's columns are {}",
            HEADER.replace(',', ", ")
        )
    );
}

/// The rated devices shipped beside the set (public/data/devices.csv; sources per row in
/// public/data/devices.md): read by the page's own device import, note columns read past.
const DEVICES_CSV: &str = include_str!("../public/data/devices.csv");

#[test]
fn every_device_spec_of_the_set_names_a_shipped_device_the_page_reads_or_says_why_not() {
    use roofscale::model::device::import_devices_csv;
    let import = import_devices_csv("data/devices.csv", DEVICES_CSV);
    // Rows without a compute peak cannot be a device yet (issue 16): each is named with its
    // line and the missing field, never dropped silently.
    for e in &import.errors {
        let e = e.to_string();
        assert!(
            e.contains("column \"fp16_tflops\": give fp16_tflops or fp32_tflops")
                || e.contains("column \"bandwidth_gbps\": missing"),
            "{e}"
        );
    }
    let names: BTreeSet<String> = csv::Reader::from_reader(DEVICES_CSV.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let readable: BTreeSet<&str> = import.devices.iter().map(|d| d.name()).collect();
    assert!(readable.len() >= 30, "{} devices read", readable.len());
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
        .unwrap()
        .good;
    let mapped: Vec<_> = rows.iter().filter(|r| !r.device_spec.is_empty()).collect();
    assert!(
        mapped.len() * 4 >= rows.len() * 3,
        "{} of {} rows mapped",
        mapped.len(),
        rows.len()
    );
    for r in &mapped {
        assert!(
            names.contains(&r.device_spec),
            "line {}: {}",
            r.line,
            r.device_spec
        );
    }
    let predictable = mapped
        .iter()
        .filter(|r| readable.contains(r.device_spec.as_str()))
        .count();
    println!(
        "published set: {} rows, {} mapped to a rated device, {} to one the page can read",
        rows.len(),
        mapped.len(),
        predictable
    );
}
