//! One row of the published set: who measured what, where, with which runtime, and how fast.

use crate::model::csv_reader::{
    normalise_header, number, CsvError, CsvErrorKind, CsvLimits, CsvReader, CsvRows, Located,
    OwnProblem, RowIssue,
};
use serde::{Deserialize, Serialize};

/// The set as shipped, and its name in messages.
pub const PUBLISHED_CSV: &str = include_str!("../../../public/data/measurements.csv");
pub const PUBLISHED_FILE: &str = "data/measurements.csv";

/// The columns every copy of the set has, in the file's order.
pub const PUBLISHED_COLUMNS: [&str; 18] = [
    "id",
    "device",
    "device_spec",
    "device_variant_notes",
    "runtime",
    "backend",
    "runtime_version_or_commit",
    "model",
    "model_hf_id",
    "weight_format",
    "prompt_tokens",
    "gen_tokens",
    "batch",
    "prefill_tok_s",
    "decode_tok_s",
    "source_url",
    "source_detail",
    "notes",
];

/// Far above the set's few hundred rows; small enough for a browser tab.
const LIMITS: CsvLimits = CsvLimits {
    max_bytes: 8 * 1024 * 1024,
    max_rows: 20_000,
};

/// A published measurement, typed. Speeds are tokens per second as the source printed them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishedRow {
    /// Line in the file (1-based, as an editor shows it).
    pub line: usize,
    pub id: String,
    pub device: String,
    /// The `name` of the rated device in `public/data/devices.csv` whose numbers describe
    /// the measured one; empty when none does (the row cannot be predicted).
    pub device_spec: String,
    pub runtime: String,
    pub backend: String,
    /// The build or version as the source names it ("llama.cpp b9292", "not stated").
    #[serde(default)]
    pub runtime_version: String,
    pub model: String,
    /// Empty when the source does not identify the checkpoint.
    pub model_hf_id: String,
    pub weight_format: String,
    /// `None` when the source does not state it.
    pub prompt_tokens: Option<u32>,
    pub gen_tokens: Option<u32>,
    pub batch: u32,
    pub prefill_tok_s: Option<f64>,
    pub decode_tok_s: Option<f64>,
    pub source_url: String,
    pub source_detail: String,
    pub notes: String,
}

impl PublishedRow {
    /// The runtime and its backend, e.g. "llama.cpp · CUDA": calibrations are per runtime.
    pub fn runtime_label(&self) -> String {
        if self.backend.is_empty() {
            self.runtime.clone()
        } else {
            format!("{} · {}", self.runtime, self.backend)
        }
    }

    /// Seconds of the one prefill pass, when both its speed and the prompt length are known.
    pub fn prefill_s(&self) -> Option<f64> {
        match (self.prompt_tokens, self.prefill_tok_s) {
            (Some(n), Some(v)) if n > 0 => Some(n as f64 / v),
            _ => None,
        }
    }

    /// Seconds of all decode steps together, when the speed and the token count are known.
    pub fn decode_s(&self) -> Option<f64> {
        match (self.gen_tokens, self.decode_tok_s) {
            (Some(n), Some(v)) if n > 0 => Some(n as f64 / v),
            _ => None,
        }
    }
}

/// What only this file can lack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishedProblem {
    MissingColumn(&'static str),
}

impl OwnProblem for PublishedProblem {
    fn located(&self) -> Located<'_> {
        match self {
            PublishedProblem::MissingColumn(c) => Located {
                line: None,
                column: None,
                message: format!(
                    "no column \"{c}\"; the set's columns are {}",
                    PUBLISHED_COLUMNS.join(", ")
                ),
            },
        }
    }
}

fn issue(line: usize, column: &str, message: String) -> RowIssue {
    RowIssue {
        line,
        column: Some(column.to_string()),
        message,
    }
}

/// A whole number of tokens, or `None` for an empty cell.
fn tokens(line: usize, column: &str, cell: &str) -> Result<Option<u32>, RowIssue> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse::<u32>().map(Some).map_err(|_| {
        issue(
            line,
            column,
            format!("expected a whole number of tokens, found \"{cell}\""),
        )
    })
}

/// A speed in tokens/s above zero, or `None` for an empty cell.
fn speed(line: usize, column: &str, cell: &str) -> Result<Option<f64>, RowIssue> {
    if cell.is_empty() {
        return Ok(None);
    }
    match number(cell) {
        Ok(v) if v > 0.0 => Ok(Some(v)),
        Ok(_) => Err(issue(
            line,
            column,
            format!("expected a speed above 0 tokens/s, found \"{cell}\""),
        )),
        Err(m) => Err(issue(line, column, m)),
    }
}

/// Reads a copy of the set (the shipped one is [`PUBLISHED_CSV`]). A row without a source,
/// device, model or any speed is left out with its line; the others are kept.
pub fn parse_published_csv(
    file_name: &str,
    text: &str,
) -> Result<CsvRows<PublishedRow>, CsvError<PublishedProblem>> {
    let reader = CsvReader::open(file_name, text, LIMITS)?;
    let headers: Vec<String> = reader
        .headers()
        .iter()
        .map(|h| normalise_header(h))
        .collect();
    let mut at = [0usize; PUBLISHED_COLUMNS.len()];
    for (k, name) in PUBLISHED_COLUMNS.iter().enumerate() {
        match headers.iter().position(|h| h == name) {
            Some(i) => at[k] = i,
            None => {
                return Err(reader.error(CsvErrorKind::Own(PublishedProblem::MissingColumn(name))))
            }
        }
    }
    reader.rows(|row| {
        let cell = |name: &str| {
            let k = PUBLISHED_COLUMNS
                .iter()
                .position(|c| *c == name)
                .unwrap_or(0);
            row.cell(at[k]).to_string()
        };
        let line = row.line;
        for required in ["device", "runtime", "model", "weight_format", "source_url"] {
            if cell(required).is_empty() {
                return Err(issue(
                    line,
                    required,
                    "empty: every row needs it".to_string(),
                ));
            }
        }
        let batch = match tokens(line, "batch", &cell("batch"))? {
            Some(b) if b >= 1 => b,
            Some(_) => return Err(issue(line, "batch", "expected 1 or more".to_string())),
            None => 1,
        };
        let out = PublishedRow {
            line,
            id: cell("id"),
            device: cell("device"),
            device_spec: cell("device_spec"),
            runtime: cell("runtime"),
            backend: cell("backend"),
            runtime_version: cell("runtime_version_or_commit"),
            model: cell("model"),
            model_hf_id: cell("model_hf_id"),
            weight_format: cell("weight_format"),
            prompt_tokens: tokens(line, "prompt_tokens", &cell("prompt_tokens"))?,
            gen_tokens: tokens(line, "gen_tokens", &cell("gen_tokens"))?,
            batch,
            prefill_tok_s: speed(line, "prefill_tok_s", &cell("prefill_tok_s"))?,
            decode_tok_s: speed(line, "decode_tok_s", &cell("decode_tok_s"))?,
            source_url: cell("source_url"),
            source_detail: cell("source_detail"),
            notes: cell("notes"),
        };
        if out.prefill_tok_s.is_none() && out.decode_tok_s.is_none() {
            return Err(issue(
                line,
                "decode_tok_s",
                "no speed: give prefill_tok_s, decode_tok_s or both".to_string(),
            ));
        }
        Ok(out)
    })
}
