//! Every parser of user input, fed 100,000 generated inputs each (seeded mutations of valid
//! files and random text, from `tests/fuzz/mod.rs`): none may panic, and each input gives a
//! value or a typed error. `ROOFSCALE_FUZZ_ITERATIONS` changes the count; the long-running
//! fuzz target is `cargo run --release --example fuzz_parsers -- <seconds per parser>`.

mod fuzz;

use rand::rngs::SmallRng;
use rand::SeedableRng;

fn iterations() -> usize {
    std::env::var("ROOFSCALE_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// Fuzzes the parser `name` with a fixed seed.
fn check(name: &str) {
    let targets = fuzz::targets();
    let (k, target) = targets
        .iter()
        .enumerate()
        .find(|(_, t)| t.name == name)
        .expect("a fuzz target of that name");
    let mut rng = SmallRng::seed_from_u64(k as u64 + 1);
    let (mut accepted, mut refused) = (0usize, 0usize);
    for i in 0..iterations() {
        let input = target.input(&mut rng, i);
        if (target.parse)(&input) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // Mutations of valid files must still be accepted sometimes, and refused sometimes:
    // otherwise the generator is not exercising the parser.
    assert!(
        accepted > 0 && refused > 0,
        "{name}: {accepted} accepted, {refused} refused"
    );
}

#[test]
fn every_parser_is_fuzzed() {
    let names: Vec<&str> = fuzz::targets().iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "loss csv",
            "device json",
            "device csv",
            "config.json",
            "measurements csv",
            "session json",
            "session link",
            "formula",
            "lists",
            "param count",
            "fit options",
            "space editor",
            "weight format",
            "bench output",
            "gguf header",
            "csv reader"
        ]
    );
}

#[test]
fn loss_csv_parser_never_panics() {
    check("loss csv");
}

#[test]
fn shared_csv_reader_never_panics_and_numbers_lines_in_order() {
    check("csv reader");
}

#[test]
fn device_json_and_csv_parsers_never_panic() {
    check("device json");
    check("device csv");
}

#[test]
fn model_config_parser_never_panics() {
    check("config.json");
}

#[test]
fn measurement_csv_parser_never_panics() {
    check("measurements csv");
}

#[test]
fn session_json_and_link_parsers_never_panic() {
    check("session json");
    check("session link");
}

#[test]
fn weight_format_names_never_panic_and_read_back_from_their_keys() {
    check("weight format");
}

#[test]
fn bench_output_parser_never_panics() {
    check("bench output");
}

#[test]
fn gguf_header_reader_never_panics_and_asks_for_more_than_it_has() {
    check("gguf header");
}

#[test]
fn formula_and_list_parsers_never_panic() {
    check("formula");
    check("lists");
}

#[test]
fn form_field_parsers_never_panic() {
    check("param count");
    check("fit options");
    check("space editor");
}
