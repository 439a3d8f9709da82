//! The CSV import of measurements.
//!
//! The file is read by the shared [`CsvReader`] (delimiter, comments, lines, messages): a bad
//! row becomes a [`RowIssue`] naming its line and column and is left out, and only problems
//! with the whole file are errors ([`MeasurementsError`]). Units are part of the column names
//! (`prefill_ms`, `decode_tokens_per_s`), so a number never changes meaning silently.

use super::measurements::{Measurement, MeasurementSpec, MAX_TIME_S, MIN_TIME_S};
use crate::model::arch::{ArchSpec, Architecture, Attention, FfnKind, Moe};
use crate::model::csv_reader::{
    normalise_header, positive_number, CsvError, CsvErrorKind, CsvLimits, CsvReader, CsvRow,
    Located, OwnProblem,
};
use crate::model::hf_config::{import_hf_config, reference_presets};
use crate::model::loss_csv::{ColumnRole, RowIssue};
use crate::model::precision::{Precision, PrecisionError};
use crate::model::workload::{OperatorSet, WorkloadSpec};

/// Largest file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most data rows accepted: every row is tabulated through the roofline and the fit evaluates
/// each one thousands of times.
pub const MAX_ROWS: usize = 10_000;
const LIMITS: CsvLimits = CsvLimits {
    max_bytes: MAX_BYTES,
    max_rows: MAX_ROWS,
};

/// The imported file: good measurements, and the rows left out with why.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasurementTable {
    pub file_name: String,
    pub delimiter: char,
    pub headers: Vec<String>,
    /// Headers that name nothing the import reads; they are ignored.
    pub ignored: Vec<String>,
    pub measurements: Vec<Measurement>,
    pub issues: Vec<RowIssue>,
}

impl MeasurementTable {
    /// Distinct devices named by a `device` column, in file order; empty without one.
    pub fn devices(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in &self.measurements {
            if let Some(d) = &m.spec().device {
                if !out.contains(d) {
                    out.push(d.clone());
                }
            }
        }
        out
    }

    /// The measurements of one device (by the `device` column, case-insensitive).
    pub fn for_device(&self, device: &str) -> Vec<Measurement> {
        self.measurements
            .iter()
            .filter(|m| {
                m.spec()
                    .device
                    .as_deref()
                    .is_some_and(|d| d.eq_ignore_ascii_case(device))
            })
            .cloned()
            .collect()
    }
}

/// Why a whole file was refused.
pub type MeasurementsError = CsvError<MeasurementsProblem>;
/// The problems every CSV can have, and [`MeasurementsProblem`].
pub type MeasurementsErrorKind = CsvErrorKind<MeasurementsProblem>;

/// Problems only a measurements CSV has: its columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeasurementsProblem {
    /// Two columns give the same quantity (`prefill_ms` and `prefill_s`).
    SameQuantity { first: String, second: String },
    /// A prefill or decode column without a unit the import knows.
    NoUnit {
        line: usize,
        header: String,
        expected: &'static str,
    },
    MissingColumn {
        line: usize,
        column: &'static str,
        hint: &'static str,
    },
}

impl OwnProblem for MeasurementsProblem {
    fn located(&self) -> Located<'_> {
        match self {
            MeasurementsProblem::SameQuantity { first, second } => Located {
                line: None,
                column: None,
                message: format!(
                    "columns \"{first}\" and \"{second}\" give the same quantity; keep one"
                ),
            },
            MeasurementsProblem::NoUnit {
                line,
                header,
                expected,
            } => Located {
                line: Some(*line),
                column: Some(header),
                message: format!("no unit the import knows; name the column {expected}"),
            },
            MeasurementsProblem::MissingColumn { line, column, hint } => Located {
                line: Some(*line),
                column: None,
                message: format!("missing column \"{column}\" ({hint})"),
            },
        }
    }
}

/// How a time column states its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Seconds,
    Millis,
    /// Decode only: generated tokens of all sequences per second, B·S_out / decode time (the
    /// roofline's `decode_tokens_per_s`).
    TokensPerSecond,
}

/// What a column gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Device,
    Model,
    Layers,
    Hidden,
    Intermediate,
    FfnRatio,
    Heads,
    KvHeads,
    HeadDim,
    Vocab,
    Experts,
    TopK,
    Precision,
    Batch,
    Prompt,
    Generated,
    Prefill(Unit),
    Decode(Unit),
}

impl Col {
    /// Slot in the column table: the two time columns take one slot each whatever the unit.
    fn slot(self) -> usize {
        match self {
            Col::Device => 0,
            Col::Model => 1,
            Col::Layers => 2,
            Col::Hidden => 3,
            Col::Intermediate => 4,
            Col::FfnRatio => 5,
            Col::Heads => 6,
            Col::KvHeads => 7,
            Col::HeadDim => 8,
            Col::Vocab => 9,
            Col::Experts => 10,
            Col::TopK => 11,
            Col::Precision => 12,
            Col::Batch => 13,
            Col::Prompt => 14,
            Col::Generated => 15,
            Col::Prefill(_) => 16,
            Col::Decode(_) => 17,
        }
    }
}

const SLOTS: usize = 18;

const PREFILL_EXPECTED: &str = "prefill_ms or prefill_s";
const DECODE_EXPECTED: &str = "decode_ms, decode_s or decode_tokens_per_s";

/// The column a header names; `Err` for a time column without a known unit.
fn recognise(header: &str) -> Result<Option<Col>, &'static str> {
    let n = normalise_header(header);
    let col = match n.as_str() {
        "device" | "device_name" | "hardware" => Col::Device,
        "model" | "model_name" | "preset" => Col::Model,
        "vocab_size" | "vocab" | "n_vocab" => Col::Vocab,
        "precision" | "dtype" | "quantization" | "quant" | "format" => Col::Precision,
        "batch" | "batch_size" | "b" => Col::Batch,
        "prompt_tokens" | "s_in" | "input_tokens" | "prompt_len" | "prompt_length" | "prompt" => {
            Col::Prompt
        }
        "generated_tokens" | "s_out" | "output_tokens" | "new_tokens" | "gen_tokens"
        | "max_new_tokens" | "generated" => Col::Generated,
        "prefill_s" | "prefill_time_s" | "prefill_latency_s" => Col::Prefill(Unit::Seconds),
        "prefill_ms" | "prefill_time_ms" | "prefill_latency_ms" => Col::Prefill(Unit::Millis),
        "decode_s" | "decode_time_s" | "decode_latency_s" => Col::Decode(Unit::Seconds),
        "decode_ms" | "decode_time_ms" | "decode_latency_ms" => Col::Decode(Unit::Millis),
        "decode_tokens_per_s"
        | "decode_tokens_s"
        | "decode_tok_s"
        | "decode_tps"
        | "decode_tokens_per_second"
        | "tokens_per_s"
        | "tok_s"
        | "tps" => Col::Decode(Unit::TokensPerSecond),
        _ if n.starts_with("prefill") => return Err(PREFILL_EXPECTED),
        _ if n.starts_with("decode") => return Err(DECODE_EXPECTED),
        _ => match ColumnRole::recognise(header) {
            Some(ColumnRole::Layers) => Col::Layers,
            Some(ColumnRole::Hidden) => Col::Hidden,
            Some(ColumnRole::Intermediate) => Col::Intermediate,
            Some(ColumnRole::FfnRatio) => Col::FfnRatio,
            Some(ColumnRole::Heads) => Col::Heads,
            Some(ColumnRole::KvHeads) => Col::KvHeads,
            Some(ColumnRole::HeadDim) => Col::HeadDim,
            Some(ColumnRole::Experts) => Col::Experts,
            Some(ColumnRole::TopK) => Col::TopK,
            _ => return Ok(None),
        },
    };
    Ok(Some(col))
}

const ARCH_HINT: &str = "a preset name such as Qwen2.5-0.5B, or the architecture columns \
     layers, hidden_size, intermediate_size or ffn_ratio, num_attention_heads and vocab_size";

/// Columns found, by [`Col::slot`], with their unit.
struct Columns {
    at: [Option<(usize, Col)>; SLOTS],
}

impl Columns {
    fn has(&self, col: Col) -> bool {
        self.at[col.slot()].is_some()
    }

    fn custom_possible(&self) -> bool {
        [Col::Layers, Col::Hidden, Col::Heads, Col::Vocab]
            .iter()
            .all(|c| self.has(*c))
            && (self.has(Col::Intermediate) || self.has(Col::FfnRatio))
    }
}

/// The reference presets, imported on first use.
struct Presets {
    names: Vec<&'static str>,
    imported: Vec<Option<ArchSpec>>,
}

impl Presets {
    fn new() -> Presets {
        let names: Vec<&'static str> = reference_presets().iter().map(|(n, _)| *n).collect();
        let imported = vec![None; names.len()];
        Presets { names, imported }
    }

    /// Key that ignores case, spaces, dashes and underscores.
    fn key(name: &str) -> String {
        name.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect()
    }

    fn find(&mut self, name: &str) -> Option<(&'static str, ArchSpec)> {
        let key = Presets::key(name);
        let i = self.names.iter().position(|n| Presets::key(n) == key)?;
        if self.imported[i].is_none() {
            let json = reference_presets()[i].1;
            let model = import_hf_config(json).expect("reference presets import");
            self.imported[i] = Some(model.arch.spec().clone());
        }
        Some((self.names[i], self.imported[i].clone()?))
    }
}

/// Parses a CSV of measurements. `file_name` only labels messages.
///
/// Columns (any order; headers compared case-insensitively, units in the name):
/// `model` (a preset name) or the architecture columns; `precision`; `batch` (default 1);
/// `prompt_tokens`; `generated_tokens`; and `prefill_ms`/`prefill_s` and/or
/// `decode_ms`/`decode_s`/`decode_tokens_per_s`. An optional `device` column labels rows. A
/// preset name in `model` wins over the architecture columns; other names label them.
pub fn parse_measurements_csv(
    file_name: &str,
    text: &str,
) -> Result<MeasurementTable, MeasurementsError> {
    let reader = CsvReader::open(file_name, text, LIMITS)?;
    let headers = reader.headers().to_vec();
    let header_line = reader.header_line();
    let fail = |problem| reader.error(CsvErrorKind::Own(problem));
    let mut columns = Columns { at: [None; SLOTS] };
    let mut ignored = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match recognise(h) {
            Err(expected) => {
                return Err(fail(MeasurementsProblem::NoUnit {
                    line: header_line,
                    header: h.clone(),
                    expected,
                }))
            }
            Ok(None) => ignored.push(h.clone()),
            Ok(Some(col)) => {
                if let Some((j, _)) = columns.at[col.slot()] {
                    return Err(fail(MeasurementsProblem::SameQuantity {
                        first: headers[j].clone(),
                        second: h.clone(),
                    }));
                }
                columns.at[col.slot()] = Some((i, col));
            }
        }
    }
    let missing = |column, hint| {
        fail(MeasurementsProblem::MissingColumn {
            line: header_line,
            column,
            hint,
        })
    };
    if !columns.has(Col::Model) && !columns.custom_possible() {
        return Err(missing("model", ARCH_HINT));
    }
    if !columns.has(Col::Precision) {
        return Err(missing(
            "precision",
            "the format the model ran in: fp16, int8, w8a16, w4a16, …",
        ));
    }
    if !columns.has(Col::Prompt) {
        return Err(missing("prompt_tokens", "prompt tokens per sequence"));
    }
    let decode_col = columns.at[Col::Decode(Unit::Seconds).slot()];
    if !columns.has(Col::Prefill(Unit::Seconds)) && decode_col.is_none() {
        return Err(missing(
            "prefill_ms",
            "a measured time: prefill_ms, prefill_s, decode_ms, decode_s or decode_tokens_per_s",
        ));
    }
    if decode_col.is_some() && !columns.has(Col::Generated) {
        return Err(missing(
            "generated_tokens",
            "decode times need the tokens generated per sequence",
        ));
    }

    let mut presets = Presets::new();
    let delimiter = reader.delimiter();
    let read = reader.rows(|record| {
        Row {
            record,
            headers: &headers,
            columns: &columns,
        }
        .read(&mut presets)
    })?;
    Ok(MeasurementTable {
        file_name: file_name.to_string(),
        delimiter,
        headers,
        ignored,
        measurements: read.good,
        issues: read.issues,
    })
}

/// One data row being read.
struct Row<'a> {
    record: &'a CsvRow<'a>,
    headers: &'a [String],
    columns: &'a Columns,
}

impl Row<'_> {
    fn index(&self, col: Col) -> Option<usize> {
        self.columns.at[col.slot()].map(|(i, _)| i)
    }

    /// The trimmed cell of a column; `None` when the column is absent or the cell empty.
    fn cell(&self, col: Col) -> Option<&str> {
        let cell = self.record.cell(self.index(col)?);
        (!cell.is_empty()).then_some(cell)
    }

    fn issue(&self, col: Col, message: String) -> RowIssue {
        RowIssue {
            line: self.record.line,
            column: self.index(col).map(|i| self.headers[i].clone()),
            message,
        }
    }

    fn missing(&self, col: Col) -> RowIssue {
        self.issue(col, "missing value".to_string())
    }

    fn required(&self, col: Col) -> Result<&str, RowIssue> {
        self.cell(col).ok_or_else(|| self.missing(col))
    }

    fn number(&self, col: Col) -> Result<Option<f64>, RowIssue> {
        let Some(cell) = self.cell(col) else {
            return Ok(None);
        };
        positive_number(cell)
            .map(Some)
            .map_err(|m| self.issue(col, m))
    }

    fn whole(&self, col: Col) -> Result<Option<u32>, RowIssue> {
        let Some(cell) = self.cell(col) else {
            return Ok(None);
        };
        match cell.parse::<f64>() {
            Ok(v) if v.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&v) => Ok(Some(v as u32)),
            _ => Err(self.issue(col, format!("expected a whole number, found \"{cell}\""))),
        }
    }

    fn read(&self, presets: &mut Presets) -> Result<Measurement, RowIssue> {
        let (model, arch) = self.model(presets)?;
        let precision_cell = self.required(Col::Precision)?;
        let precision: Precision = precision_cell
            .parse()
            .map_err(|e: PrecisionError| self.issue(Col::Precision, e.to_string()))?;
        let batch = self.whole(Col::Batch)?.unwrap_or(1);
        let prompt_tokens = match self.whole(Col::Prompt)? {
            Some(p) => p,
            None => return Err(self.missing(Col::Prompt)),
        };
        let generated_tokens = self.whole(Col::Generated)?;
        let prefill_s = self.time(Col::Prefill(Unit::Seconds), 1, 1)?;
        let decode_col = Col::Decode(Unit::Seconds);
        let decode_s = match (self.number(decode_col)?, generated_tokens) {
            (None, _) => None,
            (Some(_), None) => return Err(self.missing(Col::Generated)),
            (Some(_), Some(0)) => {
                return Err(self.issue(
                    Col::Generated,
                    "a decode time needs at least 1 generated token".to_string(),
                ))
            }
            (Some(_), Some(generated)) => self.time(decode_col, batch, generated)?,
        };
        if prefill_s.is_none() && decode_s.is_none() {
            return Err(RowIssue {
                line: self.record.line,
                column: None,
                message: "no time measured: the prefill and decode cells are empty".to_string(),
            });
        }
        let spec = MeasurementSpec {
            line: self.record.line,
            device: self.cell(Col::Device).map(str::to_string),
            model,
            arch,
            precision,
            workload: WorkloadSpec {
                batch,
                prompt_tokens,
                generated_tokens: generated_tokens.unwrap_or(0),
                operators: OperatorSet::Full,
                activation_sparsity: 0.0,
                fused_attention: false,
            },
            prefill_s,
            decode_s,
        };
        Measurement::new(spec).map_err(|e| {
            let col = match e.field {
                "batch" => Some(Col::Batch),
                "prompt_tokens" => Some(Col::Prompt),
                "generated_tokens" => Some(Col::Generated),
                "prefill_s" => Some(Col::Prefill(Unit::Seconds)),
                "decode_s" => Some(Col::Decode(Unit::Seconds)),
                field => arch_column(field),
            };
            match col {
                Some(col) => self.issue(col, e.problem),
                None => RowIssue {
                    line: self.record.line,
                    column: None,
                    message: e.to_string(),
                },
            }
        })
    }

    /// A time in seconds from a time column; `batch` and `generated` (at least 1) turn a decode
    /// rate into a time.
    fn time(&self, col: Col, batch: u32, generated: u32) -> Result<Option<f64>, RowIssue> {
        let Some((_, Col::Prefill(unit) | Col::Decode(unit))) = self.columns.at[col.slot()] else {
            return Ok(None);
        };
        let Some(v) = self.number(col)? else {
            return Ok(None);
        };
        let seconds = match unit {
            Unit::Seconds => v,
            Unit::Millis => v / 1000.0,
            Unit::TokensPerSecond => batch as f64 * generated as f64 / v,
        };
        if !(MIN_TIME_S..=MAX_TIME_S).contains(&seconds) {
            let cell = self.cell(col).unwrap_or_default();
            return Err(self.issue(
                col,
                format!(
                    "\"{cell}\" gives {seconds:e} s, outside the accepted range {MIN_TIME_S:e} to {MAX_TIME_S:e} s"
                ),
            ));
        }
        Ok(Some(seconds))
    }

    /// The model label and architecture: a preset by name, else the architecture columns.
    fn model(&self, presets: &mut Presets) -> Result<(String, ArchSpec), RowIssue> {
        let name = self.cell(Col::Model);
        if let Some(name) = name {
            if let Some((canonical, spec)) = presets.find(name) {
                return Ok((canonical.to_string(), spec));
            }
        }
        let arch_cols = [
            Col::Layers,
            Col::Hidden,
            Col::Intermediate,
            Col::FfnRatio,
            Col::Heads,
            Col::KvHeads,
            Col::HeadDim,
            Col::Vocab,
            Col::Experts,
            Col::TopK,
        ];
        let any_field = arch_cols.iter().any(|c| self.cell(*c).is_some());
        match name {
            Some(name) if !any_field => Err(self.issue(
                Col::Model,
                format!(
                    "unknown model \"{name}\" (presets: {}; or give the architecture columns)",
                    presets.names.join(", ")
                ),
            )),
            None if !any_field => Err(match self.index(Col::Model) {
                Some(_) => self.missing(Col::Model),
                None => self.missing(Col::Layers),
            }),
            _ => {
                let spec = self.custom_arch()?;
                let label = match name {
                    Some(n) => n.to_string(),
                    None => custom_label(&spec),
                };
                Ok((label, spec))
            }
        }
    }

    /// An architecture from its columns: a dense or MoE SwiGLU decoder with standard attention,
    /// untied embeddings, two norms per layer (the common shape; presets cover the rest).
    fn custom_arch(&self) -> Result<ArchSpec, RowIssue> {
        let need = |col: Col| -> Result<u32, RowIssue> {
            match self.whole(col)? {
                Some(v) => Ok(v),
                None => Err(self.missing(col)),
            }
        };
        let layers = need(Col::Layers)?;
        let hidden = need(Col::Hidden)?;
        let heads = need(Col::Heads)?;
        let vocab = need(Col::Vocab)?;
        let kv_heads = self.whole(Col::KvHeads)?.unwrap_or(heads);
        let head_dim = match self.whole(Col::HeadDim)? {
            Some(h) => h,
            None if heads > 0 && hidden % heads == 0 => hidden / heads,
            None => {
                return Err(self.issue(
                    Col::Heads,
                    format!(
                        "hidden_size {hidden} is not a multiple of {heads} heads: give head_dim"
                    ),
                ))
            }
        };
        let experts = self.whole(Col::Experts)?;
        let top_k = self.whole(Col::TopK)?;
        let moe_active = match (experts, top_k) {
            (None | Some(1), None) => None,
            (Some(e), Some(k)) if e > 1 || k > 1 => Some((e, k)),
            (Some(_), Some(_)) => None,
            (Some(_), None) => return Err(self.missing(Col::TopK)),
            (None, Some(_)) => {
                return Err(self.issue(
                    Col::TopK,
                    "active experts need an experts column".to_string(),
                ))
            }
        };
        // intermediate_size is per expert (Hugging Face's convention); ffn_ratio is the
        // method's r, the width of the K active experts together over hidden (method.md §1).
        let intermediate = match self.whole(Col::Intermediate)? {
            Some(i) => i,
            None => {
                let Some(r) = self.number(Col::FfnRatio)? else {
                    let col = if self.index(Col::Intermediate).is_some() {
                        Col::Intermediate
                    } else {
                        Col::FfnRatio
                    };
                    return Err(self.missing(col));
                };
                let k = moe_active.map_or(1.0, |(_, k)| k.max(1) as f64);
                let width = (r * hidden as f64 / k).round();
                if !(1.0..=u32::MAX as f64).contains(&width) {
                    return Err(self.issue(
                        Col::FfnRatio,
                        format!("gives an FFN width of {width}, which is not usable"),
                    ));
                }
                width as u32
            }
        };
        let spec = ArchSpec {
            layers,
            hidden,
            vocab,
            tied_embeddings: false,
            attention: Attention::Standard {
                heads,
                kv_heads,
                head_dim,
                qkv_bias: false,
                qk_norm: false,
            },
            sliding_window: None,
            ffn_kind: FfnKind::SwiGlu,
            intermediate,
            moe: moe_active.map(|(experts, active)| Moe {
                experts,
                active,
                expert_intermediate: intermediate,
                shared_experts: 0,
                shared_intermediate: 0,
            }),
            norms_per_layer: 2,
            final_norm: true,
        };
        Architecture::new(spec.clone()).map_err(|e| match arch_column(e.field) {
            Some(col) => self.issue(col, e.problem),
            None => RowIssue {
                line: self.record.line,
                column: None,
                message: e.to_string(),
            },
        })?;
        Ok(spec)
    }
}

/// The column behind an [`ArchSpec`] field named in an [`ArchError`].
fn arch_column(field: &str) -> Option<Col> {
    Some(match field {
        "layers" => Col::Layers,
        "hidden" => Col::Hidden,
        "vocab" => Col::Vocab,
        "intermediate" | "expert_intermediate" => Col::Intermediate,
        "heads" => Col::Heads,
        "kv_heads" => Col::KvHeads,
        "head_dim" => Col::HeadDim,
        "experts" => Col::Experts,
        "active_experts" => Col::TopK,
        _ => return None,
    })
}

fn custom_label(spec: &ArchSpec) -> String {
    let mut label = format!("l={} d={}", spec.layers, spec.hidden);
    if let Some(m) = spec.moe {
        label += &format!(" E={} K={}", m.experts, m.active);
    }
    label
}
