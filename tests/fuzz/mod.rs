//! Fuzz inputs for every parser of user input, shared by the test (`tests/fuzz_parsers.rs`,
//! 100,000 inputs per parser) and the long-running fuzz target
//! (`examples/fuzz_parsers.rs`, as many as time allows, with fresh seeds).

use rand::rngs::SmallRng;
use rand::Rng;
use roofscale::model::arch::FfnKind;
use roofscale::model::calibrate::{
    parse_bench_output, parse_measurements_csv, EXAMPLE_MEASUREMENTS_CSV,
};
use roofscale::model::csv_reader::{CsvLimits, CsvReader};
use roofscale::model::device::{
    import_devices_csv, import_devices_json, DEVICE_TEMPLATE_CSV, DEVICE_TEMPLATE_JSON,
};
use roofscale::model::fit::FitOptionsText;
use roofscale::model::formula::Formula;
use roofscale::model::gguf::{import_gguf, GgufImport};
use roofscale::model::hf_config::{import_hf_config, reference_presets};
use roofscale::model::lists::{parse_counts, parse_param_count};
use roofscale::model::loss_csv::parse_loss_csv;
use roofscale::model::search::{SearchSpaceSpec, SearchSpaceText};
use roofscale::model::weight_format::WeightFormat;
use roofscale::session::Session;

/// Pieces that break parsers: delimiters, quotes, numbers at the edges, non-ASCII.
const PIECES: [&str; 24] = [
    ",",
    ";",
    "\t",
    "\"",
    "\n",
    "\r\n",
    "#",
    "{",
    "}",
    "[",
    "]",
    ":",
    "-1",
    "0",
    "1e308",
    "NaN",
    "inf",
    "null",
    "\u{feff}",
    "é",
    "9999999999999999999999",
    "..",
    "/",
    "n_h",
];

/// A mutation of `seed`: a few edits (delete, duplicate, insert a piece, truncate).
pub fn mutate(rng: &mut SmallRng, seed: &str) -> String {
    let mut s: Vec<char> = seed.chars().collect();
    for _ in 0..rng.random_range(1..6) {
        let at = if s.is_empty() {
            0
        } else {
            rng.random_range(0..s.len())
        };
        match rng.random_range(0..5) {
            0 if !s.is_empty() => {
                let end = (at + rng.random_range(1..8)).min(s.len());
                s.drain(at..end);
            }
            1 if !s.is_empty() => {
                let end = (at + rng.random_range(1..16)).min(s.len());
                let dup: Vec<char> = s[at..end].to_vec();
                s.splice(at..at, dup);
            }
            2 => s.truncate(at),
            _ => {
                let piece = PIECES[rng.random_range(0..PIECES.len())];
                s.splice(at..at, piece.chars());
            }
        }
    }
    s.into_iter().collect()
}

/// Random short text from the pieces and letters.
pub fn noise(rng: &mut SmallRng) -> String {
    (0..rng.random_range(0..12))
        .map(|_| {
            if rng.random_bool(0.5) {
                PIECES[rng.random_range(0..PIECES.len())].to_string()
            } else {
                char::from(rng.random_range(b' '..=b'~')).to_string()
            }
        })
        .collect()
}

/// One parser under fuzz: valid inputs to mutate, and the parser (true: accepted, false: a
/// typed error).
pub struct Target {
    pub name: &'static str,
    pub seeds: Vec<String>,
    pub parse: Box<dyn Fn(&str) -> bool>,
}

impl Target {
    /// The `i`-th input of a run seeded with `rng`: noise one time in ten, else a mutation.
    pub fn input(&self, rng: &mut SmallRng, i: usize) -> String {
        if i.is_multiple_of(10) {
            noise(rng)
        } else {
            mutate(rng, &self.seeds[i % self.seeds.len()])
        }
    }
}

fn target(
    name: &'static str,
    seeds: Vec<String>,
    parse: impl Fn(&str) -> bool + 'static,
) -> Target {
    Target {
        name,
        seeds,
        parse: Box::new(parse),
    }
}

fn session_seed() -> Session {
    use roofscale::model::law::{Law, PaperLaw};
    use roofscale::model::precision::Precision;
    use roofscale::model::search::{Objective, SearchSpaceSpec};
    use roofscale::model::workload::WorkloadSpec;
    Session {
        version: roofscale::session::SESSION_VERSION,
        custom_devices: vec![],
        device: "d".into(),
        custom_models: vec![],
        model: "m".into(),
        precision: Precision::FP16,
        workload: WorkloadSpec::default(),
        law: Law::Paper(PaperLaw::published()),
        law_source: String::new(),
        space: SearchSpaceSpec::default(),
        precisions: vec![Precision::FP16],
        objective: Objective::Total,
        budget_s: None,
        budget: Some(
            roofscale::model::search::LatencyBudget::new(
                roofscale::model::search::BudgetBasis::PerToken,
                25.0,
            )
            .unwrap(),
        ),
        param_range: (Some(1e8), None),
        pins: vec![],
        training_tokens: 1e10,
        law_concerns: vec![],
        law_ranges: vec![],
        ref_pins: vec![],
        chart_refs: vec![],
        loss_data: Some(roofscale::session::SavedLossData {
            file_name: "l.csv".into(),
            text: "layers,loss\n4,3.5\n".into(),
            mapping: Default::default(),
        }),
    }
}

/// The shared CSV reader alone, with small limits so they are reached: line numbers must lie
/// past the header, within the text, and rise from row to row.
fn read_csv(text: &str) -> bool {
    let limits = CsvLimits {
        max_bytes: 4096,
        max_rows: 8,
    };
    let Ok(reader) = CsvReader::<std::convert::Infallible>::open("f.csv", text, limits) else {
        return false;
    };
    let bytes = text.as_bytes();
    let breaks = (0..bytes.len())
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    let header = reader.header_line();
    assert!(
        (1..=breaks + 1).contains(&header),
        "header line {header}: {text:?}"
    );
    let mut last = header;
    let Ok(rows) = reader.rows(|row| {
        assert!(
            row.line > last && row.line <= breaks + 1,
            "line {}: {text:?}",
            row.line
        );
        last = row.line;
        Ok(row.line)
    }) else {
        return false;
    };
    for issue in &rows.issues {
        assert!(
            issue.line > header && issue.line <= breaks + 1,
            "{issue}: {text:?}"
        );
    }
    true
}

/// The fit form's text fields joined by `|` (δ, held-out %, bootstrap, starts).
fn fit_options_seed() -> String {
    let t = FitOptionsText::new();
    [t.huber_delta, t.holdout_pct, t.bootstrap, t.starts].join("|")
}

/// The fit form whose fields are `text` split at `|` (missing ones empty); least squares when
/// a fifth field says so.
fn fit_options_text(text: &str) -> FitOptionsText {
    let mut f = text.split('|').map(str::to_string);
    let mut next = || f.next().unwrap_or_default();
    FitOptionsText {
        huber_delta: next(),
        holdout_pct: next(),
        bootstrap: next(),
        starts: next(),
        least_squares: next() == "ls",
    }
}

/// The default space's editor fields joined by `|`, in [`space_text`]'s order.
fn space_text_seed() -> String {
    let t = SearchSpaceText::from_spec(&SearchSpaceSpec::default());
    [
        t.layers,
        t.hidden,
        t.ffn_ratios,
        t.experts,
        t.kv_heads,
        t.head_dims,
        t.attention,
    ]
    .join("|")
}

/// The space editor whose fields are `text` split at `|` (missing ones empty).
fn space_text(text: &str) -> SearchSpaceText {
    let mut f = text.split('|').map(str::to_string);
    let mut next = || f.next().unwrap_or_default();
    SearchSpaceText {
        layers: next(),
        hidden: next(),
        ffn_ratios: next(),
        experts: next(),
        kv_heads: next(),
        head_dims: next(),
        attention: next(),
    }
}

/// A binary file as text the mutator can edit: one char per byte (U+0000 to U+00FF).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// The GGUF header reader on the bytes of `text` (chars above U+00FF keep their low byte):
/// a truncated prefix must ask for more than it has.
fn read_gguf(text: &str) -> bool {
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    match import_gguf("f.gguf", &bytes) {
        Ok(GgufImport::Model(_)) => true,
        Ok(GgufImport::NeedMore { at_least }) => {
            assert!(
                at_least > bytes.len() as u64,
                "asks for {at_least} of {bytes:?}"
            );
            false
        }
        Err(_) => false,
    }
}

/// Every parser of user input.
pub fn targets() -> Vec<Target> {
    let measurements: String = EXAMPLE_MEASUREMENTS_CSV
        .lines()
        .take(6)
        .collect::<Vec<_>>()
        .join("\n");
    let session = session_seed();
    let params = vec!["E".to_string(), "A".to_string(), "alpha".to_string()];
    vec![
        target(
            "loss csv",
            vec![
                "layers,hidden_size,ffn_ratio,experts,top_k,loss,split\n8,1024,2,8,1,3.9,train\n16,2048,1,1,1,3.5,test\n".into(),
                "# c\nl;d;r;loss\n4;768;0.5;4.2\n".into(),
            ],
            |s| parse_loss_csv("f.csv", s, None).is_ok(),
        ),
        target("device json", vec![DEVICE_TEMPLATE_JSON.to_string()], |s| {
            import_devices_json(s).errors.is_empty()
        }),
        target(
            "device csv",
            vec![
                DEVICE_TEMPLATE_CSV.to_string(),
                "\u{feff}# c\nName;Memory GB;bandwidth_gbps;fp16_tflops\n\"a; b\";8;100;1\n".into(),
            ],
            |s| {
                import_devices_csv("d.csv", s).errors.is_empty()
            },
        ),
        target(
            "config.json",
            reference_presets()
                .into_iter()
                .map(|(_, j)| j.to_string())
                .collect(),
            |s| import_hf_config(s).is_ok(),
        ),
        target("measurements csv", vec![measurements], |s| {
            parse_measurements_csv("m.csv", s).is_ok()
        }),
        target("session json", vec![session.to_json()], |t| {
            Session::from_json("s.json", t).is_ok()
        }),
        target("session link", vec![session.to_url_fragment()], |t| {
            Session::from_url_fragment(t).is_ok()
        }),
        target(
            "formula",
            vec!["E + A/N^alpha + max(D, 2)*exp(-N)".into()],
            move |s| Formula::parse(s, &params, &["N", "D"]).is_ok(),
        ),
        target("lists", vec!["4..32/4, 48".into()], |s| {
            parse_counts("layers", s).is_ok()
        }),
        target("param count", vec!["1.5B".into(), " 350m".into()], |s| {
            parse_param_count("parameters from", s).is_ok()
        }),
        target("fit options", vec![fit_options_seed()], |s| {
            fit_options_text(s).parse().is_ok()
        }),
        target("space editor", vec![space_text_seed()], |s| {
            space_text(s).parse(FfnKind::SwiGlu).is_ok()
        }),
        target(
            "weight format",
            vec!["q4_k_m".into(), "custom:4.25".into(), "awq-int4-g128".into(), "nf4-dq".into()],
            |s| match s.parse::<WeightFormat>() {
                // Every accepted name has a key that reads back to the same format.
                Ok(f) => {
                    assert_eq!(f.key().parse::<WeightFormat>(), Ok(f), "{s:?}");
                    true
                }
                Err(_) => false,
            },
        ),
        target(
            "bench output",
            vec![
                include_str!("../fixtures/bench/llama-bench-depth-md.txt").to_string(),
                include_str!("../fixtures/bench/llama-bench.jsonl").to_string(),
                include_str!("../fixtures/bench/llama-bench.csv").to_string(),
                include_str!("../fixtures/bench/ollama-verbose-minutes.txt").to_string(),
            ],
            |s| parse_bench_output("b.txt", s).is_ok(),
        ),
        target(
            "gguf header",
            vec![
                latin1(include_bytes!("../fixtures/gguf/deepseek2-tiny-f16.gguf")),
                latin1(&include_bytes!("../fixtures/gguf/tiny-llama-q4_k_m.gguf")[..2048]),
            ],
            read_gguf,
        ),
        target(
            "csv reader",
            vec![
                "\u{feff}# units\n\na;b;c\n1;\"2\n3\";4\r\n\n# c\n5;6;7\r8;9;10\n".into(),
                "a\tb\n\"x,y\"\t\"say \"\"hi\"\"\"\n".into(),
            ],
            read_csv,
        ),
    ]
}
