//! Measurements: the CSV import reads units, aliases and architectures, every error is worded
//! exactly, and the parser survives mutated input.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::calibrate::{
    parse_measurements_csv, MeasurementsErrorKind, MEASUREMENTS_TEMPLATE_CSV,
};
use roofscale::model::precision::Precision;

// ---------------------------------------------------------------------------------------------
// CSV import

fn csv_err(text: &str) -> String {
    parse_measurements_csv("runs.csv", text)
        .unwrap_err()
        .to_string()
}

/// The first row issue, as the UI lists it.
fn row_issue(text: &str) -> String {
    let t = parse_measurements_csv("runs.csv", text).unwrap();
    t.issues[0].in_file("runs.csv")
}

const HEADER: &str = "model,precision,batch,prompt_tokens,generated_tokens,prefill_ms,decode_ms";
const GOOD_ROW: &str = "Qwen2.5-0.5B,fp16,1,512,128,60,2400";

#[test]
fn reads_units_aliases_comments_and_semicolons() {
    let text = "# runs on my board\n\
                \n\
                Model;Precision;B;S_in;S_out;Prefill (s);Decode tokens/s;Notes\n\
                qwen2.5-0.5b;int8;2;512;100;0.05;40;warm\n\
                # a comment between rows\n\
                Llama-3.2-1B;W4A16;;256;50;;25;\n";
    let t = parse_measurements_csv("runs.csv", text).unwrap();
    assert_eq!(t.delimiter, ';');
    assert_eq!(t.ignored, ["Notes"]);
    assert_eq!(t.issues, []);
    let (a, b) = (&t.measurements[0], &t.measurements[1]);
    assert_eq!((a.line(), b.line()), (4, 6));
    assert_eq!(a.spec().model, "Qwen2.5-0.5B");
    assert_eq!(a.precision(), Precision::INT8);
    assert_eq!(a.prefill_s(), Some(0.05));
    // 40 tokens/s over the 2 × 100 generated tokens.
    assert_eq!(a.decode_s(), Some(5.0));
    assert_eq!(b.precision(), Precision::W4A16);
    assert_eq!(b.workload().batch(), 1);
    assert_eq!((b.prefill_s(), b.decode_s()), (None, Some(2.0)));
    assert_eq!(b.label(), "Llama-3.2-1B, W4A16, B=1, 256→50");
}

#[test]
fn reads_an_architecture_from_its_columns() {
    let text = "layers,hidden_size,ffn_ratio,num_attention_heads,num_key_value_heads,vocab_size,\
                experts,top_k,precision,prompt_tokens,generated_tokens,decode_ms\n\
                24,896,5.428571,14,2,151936,,,fp16,512,128,2400\n\
                16,1024,2,8,8,32000,8,2,fp16,512,128,900\n";
    let t = parse_measurements_csv("runs.csv", text).unwrap();
    assert_eq!(t.issues, []);
    let dense = t.measurements[0].arch().spec();
    assert_eq!((dense.hidden, dense.intermediate), (896, 4864));
    assert_eq!(t.measurements[0].spec().model, "l=24 d=896");
    let moe = t.measurements[1].arch().spec().moe.unwrap();
    // ffn_ratio is the width of the active experts together: 2 × 1024 over 2 experts.
    assert_eq!(
        (moe.experts, moe.active, moe.expert_intermediate),
        (8, 2, 1024)
    );
    assert_eq!(t.measurements[1].spec().model, "l=16 d=1024 E=8 K=2");
}

#[test]
fn unknown_model_name_names_file_line_and_column() {
    assert_eq!(
        row_issue(&format!(
            "{HEADER}\n{GOOD_ROW}\nQwen-7B,fp16,1,512,128,60,2400\n"
        )),
        "runs.csv line 3, column \"model\": unknown model \"Qwen-7B\" (presets: Qwen2.5-0.5B, \
         Llama-3.2-1B, SmolLM2-360M, Gemma-3-1B, MobileLLM-125M, PLM-1.8B; or give the \
         architecture columns)"
    );
}

#[test]
fn missing_column_names_file_line_and_column() {
    assert_eq!(
        csv_err("# units: ms\nmodel,batch,prompt_tokens,generated_tokens,prefill_ms\nQwen2.5-0.5B,1,512,128,60\n"),
        "runs.csv line 2: missing column \"precision\" (the format the model ran in: fp16, \
         int8, w8a16, w4a16, …)"
    );
    assert_eq!(
        csv_err("precision,prompt_tokens,prefill_ms\nfp16,512,60\n"),
        "runs.csv line 1: missing column \"model\" (a preset name such as Qwen2.5-0.5B, or the \
         architecture columns layers, hidden_size, intermediate_size or ffn_ratio, \
         num_attention_heads and vocab_size)"
    );
    assert_eq!(
        csv_err("model,precision,prompt_tokens,decode_ms\nQwen2.5-0.5B,fp16,512,60\n"),
        "runs.csv line 1: missing column \"generated_tokens\" (decode times need the tokens \
         generated per sequence)"
    );
    assert_eq!(
        csv_err("model,precision,prompt_tokens,generated_tokens\nQwen2.5-0.5B,fp16,512,60\n"),
        "runs.csv line 1: missing column \"prefill_ms\" (a measured time: prefill_ms, prefill_s, \
         decode_ms, decode_s or decode_tokens_per_s)"
    );
}

#[test]
fn bad_number_names_file_line_and_column() {
    let with = |row: &str| row_issue(&format!("{HEADER}\n{GOOD_ROW}\n{row}\n"));
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,abc,2400"),
        "runs.csv line 3, column \"prefill_ms\": expected a number, found \"abc\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,60,-5"),
        "runs.csv line 3, column \"decode_ms\": expected a positive number, found \"-5\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,inf,2400"),
        "runs.csv line 3, column \"prefill_ms\": expected a finite number, found \"inf\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,51.2,128,60,2400"),
        "runs.csv line 3, column \"prompt_tokens\": expected a whole number, found \"51.2\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,1e-12,2400"),
        "runs.csv line 3, column \"prefill_ms\": \"1e-12\" gives 1e-15 s, outside the accepted \
         range 1e-9 to 1e7 s"
    );
}

#[test]
fn unknown_precision_names_file_line_and_column() {
    assert_eq!(
        row_issue(&format!(
            "{HEADER}\nQwen2.5-0.5B,fp12,1,512,128,60,2400\n{GOOD_ROW}\n"
        )),
        "runs.csv line 2, column \"precision\": 'fp12' is not a precision (expected fp16, int8, \
         w8a16, w4a16 or one number format)"
    );
}

#[test]
fn other_row_and_file_problems_are_worded_exactly() {
    let with = |row: &str| row_issue(&format!("{HEADER}\n{GOOD_ROW}\n{row}\n"));
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,0,60,2400"),
        "runs.csv line 3, column \"generated_tokens\": a decode time needs at least 1 generated \
         token"
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,,"),
        "runs.csv line 3: no time measured: the prefill and decode cells are empty"
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512"),
        "runs.csv line 3: expected 7 fields, found 4"
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,0,512,128,60,2400"),
        "runs.csv line 3, column \"batch\": must be at least 1"
    );
    assert_eq!(
        csv_err("model,precision,prompt_tokens,prefill_time\nQwen2.5-0.5B,fp16,512,60\n"),
        "runs.csv line 1, column \"prefill_time\": no unit the import knows; name the column \
         prefill_ms or prefill_s"
    );
    assert_eq!(
        csv_err(
            "model,precision,prompt_tokens,prefill_ms,prefill_s\nQwen2.5-0.5B,fp16,512,60,0.06\n"
        ),
        "runs.csv: columns \"prefill_ms\" and \"prefill_s\" give the same quantity; keep one"
    );
    assert_eq!(
        csv_err(&format!("{HEADER}\nQwen-7B,fp16,1,512,128,60,2400\n")),
        "runs.csv line 2, column \"model\": unknown model \"Qwen-7B\" (presets: Qwen2.5-0.5B, \
         Llama-3.2-1B, SmolLM2-360M, Gemma-3-1B, MobileLLM-125M, PLM-1.8B; or give the \
         architecture columns) (no usable rows: all 1 rows have problems)"
    );
    assert_eq!(
        csv_err(&format!("# only\n{HEADER}\n")),
        "runs.csv: no data rows below the header"
    );
    assert_eq!(
        csv_err("# only a comment\n"),
        "runs.csv: no header line (the file is empty or only comments)"
    );
    let t = parse_measurements_csv("runs.csv", &format!("{HEADER}\n{GOOD_ROW}\nx\n")).unwrap();
    assert_eq!(t.measurements.len(), 1);
    assert_eq!(t.issues.len(), 1);
}

#[test]
fn device_column_splits_a_file() {
    let text = format!("device,{HEADER}\nnano,{GOOD_ROW}\nPi 5,{GOOD_ROW}\nNano,{GOOD_ROW}\n");
    let t = parse_measurements_csv("runs.csv", &text).unwrap();
    assert_eq!(t.devices(), ["nano", "Pi 5", "Nano"]);
    assert_eq!(t.for_device("NANO").len(), 2);
}

#[test]
fn the_template_states_units_and_its_header_reads() {
    assert!(MEASUREMENTS_TEMPLATE_CSV.starts_with('#'));
    for unit in ["prefill_ms", "decode_tokens_per_s", "prefill_s"] {
        assert!(MEASUREMENTS_TEMPLATE_CSV.contains(unit), "{unit}");
    }
    let e = parse_measurements_csv("template.csv", MEASUREMENTS_TEMPLATE_CSV).unwrap_err();
    assert_eq!(e.kind, MeasurementsErrorKind::NoDataRows);
    let filled = format!(
        "{MEASUREMENTS_TEMPLATE_CSV}Qwen2.5-0.5B,,,,,,,,,,fp16,,512,128,60,2400\n\
         ,24,896,4864,14,2,64,151936,,,int8,1,512,128,40,1500\n"
    );
    let t = parse_measurements_csv("template.csv", &filled).unwrap();
    assert_eq!(t.issues, []);
    assert_eq!(t.ignored, Vec::<String>::new());
    assert_eq!(t.measurements.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// A mutated version of `base`: byte edits, spliced cells and lines, odd numbers.
fn mutate(rng: &mut SmallRng, base: &str) -> String {
    const PIECES: [&str; 24] = [
        ",",
        ";",
        "\t",
        "\"",
        "\n",
        "\r\n",
        "#",
        "",
        "0",
        "-1",
        "1e309",
        "NaN",
        "inf",
        "1e-300",
        "4294967296",
        "65537",
        "1048577",
        "fp12",
        "w4a16",
        "Gemma-3-1B",
        "é",
        "\u{feff}",
        "0.5",
        "decode_tokens_per_s",
    ];
    let mut text: Vec<char> = base.chars().collect();
    for _ in 0..rng.random_range(1..8) {
        let at = rng.random_range(0..=text.len());
        match rng.random_range(0..5) {
            0 if at < text.len() => {
                text.remove(at);
            }
            1 => {
                let piece = PIECES[rng.random_range(0..PIECES.len())];
                for (k, c) in piece.chars().enumerate() {
                    text.insert(at + k, c);
                }
            }
            2 => text.truncate(at),
            3 if !text.is_empty() => {
                let from = rng.random_range(0..text.len());
                let len = rng.random_range(0..40).min(text.len() - from);
                let copy: Vec<char> = text[from..from + len].to_vec();
                for (k, c) in copy.into_iter().enumerate() {
                    text.insert(at + k, c);
                }
            }
            _ => {
                let c = char::from_u32(rng.random_range(0..0x250)).unwrap_or('x');
                text.insert(at, c);
            }
        }
    }
    text.into_iter().collect()
}

#[test]
fn the_parser_never_panics_on_mutated_or_random_input() {
    let custom = "layers,hidden_size,intermediate_size,num_attention_heads,num_key_value_heads,\
                  head_dim,vocab_size,experts,top_k,precision,batch,prompt_tokens,\
                  generated_tokens,prefill_s,decode_tokens_per_s\n\
                  24,896,4864,14,2,64,151936,8,2,int8,2,512,128,0.06,50\n";
    let preset = "model,precision,batch,prompt_tokens,generated_tokens,prefill_ms,decode_ms\n\
                  Qwen2.5-0.5B,fp16,1,512,128,60,2400\n\
                  Gemma-3-1B,w4a16,2,256,64,40,900\n";
    let bases = [preset, MEASUREMENTS_TEMPLATE_CSV, custom];
    let mut rng = SmallRng::seed_from_u64(0x5eed_ca1b);
    let mut parsed = 0;
    for i in 0..20_000 {
        let text = if i % 10 == 9 {
            let len = rng.random_range(0..200);
            (0..len)
                .map(|_| char::from_u32(rng.random_range(0..0x80)).unwrap_or(','))
                .collect()
        } else {
            mutate(&mut rng, bases[i % bases.len()])
        };
        if let Ok(t) = parse_measurements_csv("fuzz.csv", &text) {
            parsed += 1;
            for issue in &t.issues {
                assert!(issue.line >= 1);
            }
        }
    }
    assert!(
        parsed > 500,
        "mutations should often stay readable: {parsed}"
    );
}
