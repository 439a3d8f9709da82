//! Every parser of user input, fed 100,000 generated inputs each (seeded mutations of valid
//! files and random text): none may panic, and each input gives a value or a typed error.
//! A longer run lives behind `ROOFSCALE_FUZZ_ITERATIONS` (e.g. 10000000).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::calibrate::{parse_measurements_csv, EXAMPLE_MEASUREMENTS_CSV};
use roofscale::model::device::{
    import_devices_csv, import_devices_json, DEVICE_TEMPLATE_CSV, DEVICE_TEMPLATE_JSON,
};
use roofscale::model::formula::Formula;
use roofscale::model::hf_config::{import_hf_config, reference_presets};
use roofscale::model::lists::parse_counts;
use roofscale::model::loss_csv::parse_loss_csv;
use roofscale::session::Session;

fn iterations() -> usize {
    std::env::var("ROOFSCALE_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

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
fn mutate(rng: &mut SmallRng, seed: &str) -> String {
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
fn noise(rng: &mut SmallRng) -> String {
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

/// Runs `parse` on `iterations()` inputs: mutations of the seeds and noise.
fn fuzz(name: &str, seeds: &[String], seed: u64, mut parse: impl FnMut(&str) -> bool) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let (mut ok, mut err) = (0usize, 0usize);
    for i in 0..iterations() {
        let input = if i % 10 == 0 {
            noise(&mut rng)
        } else {
            mutate(&mut rng, &seeds[i % seeds.len()])
        };
        if parse(&input) {
            ok += 1;
        } else {
            err += 1;
        }
    }
    // Mutations of valid files must still be accepted sometimes, and refused sometimes:
    // otherwise the generator is not exercising the parser.
    assert!(ok > 0 && err > 0, "{name}: {ok} accepted, {err} refused");
}

fn loss_seed() -> Vec<String> {
    vec![
        "layers,hidden_size,ffn_ratio,experts,top_k,loss,split\n8,1024,2,8,1,3.9,train\n16,2048,1,1,1,3.5,test\n".into(),
        "# c\nl;d;r;loss\n4;768;0.5;4.2\n".into(),
    ]
}

#[test]
fn loss_csv_parser_never_panics() {
    fuzz("loss csv", &loss_seed(), 1, |s| {
        parse_loss_csv("f.csv", s, None).is_ok()
    });
}

#[test]
fn device_json_and_csv_parsers_never_panic() {
    fuzz("device json", &[DEVICE_TEMPLATE_JSON.to_string()], 2, |s| {
        import_devices_json(s).errors.is_empty()
    });
    fuzz("device csv", &[DEVICE_TEMPLATE_CSV.to_string()], 3, |s| {
        import_devices_csv(s).errors.is_empty()
    });
}

#[test]
fn model_config_parser_never_panics() {
    let seeds: Vec<String> = reference_presets()
        .into_iter()
        .map(|(_, j)| j.to_string())
        .collect();
    fuzz("config.json", &seeds, 4, |s| import_hf_config(s).is_ok());
}

#[test]
fn measurement_csv_parser_never_panics() {
    let head: String = EXAMPLE_MEASUREMENTS_CSV
        .lines()
        .take(6)
        .collect::<Vec<_>>()
        .join("\n");
    fuzz("measurements", &[head], 5, |s| {
        parse_measurements_csv("m.csv", s).is_ok()
    });
}

#[test]
fn session_json_and_link_parsers_never_panic() {
    use roofscale::model::law::{Law, PaperLaw};
    use roofscale::model::precision::Precision;
    use roofscale::model::search::{Objective, SearchSpaceSpec};
    use roofscale::model::workload::WorkloadSpec;
    let s = Session {
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
        pins: vec![],
    };
    fuzz("session json", &[s.to_json()], 6, |t| {
        Session::from_json("s.json", t).is_ok()
    });
    fuzz("session link", &[s.to_url_fragment()], 7, |t| {
        Session::from_url_fragment(t).is_ok()
    });
}

#[test]
fn formula_and_list_parsers_never_panic() {
    let params = vec!["E".to_string(), "A".to_string(), "alpha".to_string()];
    let vars = ["N", "D"];
    fuzz(
        "formula",
        &["E + A/N^alpha + max(D, 2)*exp(-N)".into()],
        8,
        |s| Formula::parse(s, &params, &vars).is_ok(),
    );
    fuzz("lists", &["4..32/4, 48".into()], 9, |s| {
        parse_counts("layers", s).is_ok()
    });
}
