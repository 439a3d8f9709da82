//! Published rows as runs the roofline can predict: the rated device of `device_spec`, the
//! architecture of `model_hf_id`, the weight format, and the measured prefill and decode
//! times. A row the page cannot build is kept out with its line, column and reason.

use super::models::published_model;
use super::rows::PublishedRow;
use crate::model::calibrate::{Measurement, MeasurementSpec};
use crate::model::csv_reader::RowIssue;
use crate::model::device::{
    import_bandwidth_only_devices_csv, import_devices_csv, Device, DeviceImportError, ImportPlace,
};
use crate::model::precision::Precision;
use crate::model::weight_format::MatmulPath;
use crate::model::workload::{OperatorSet, WorkloadSpec};
use std::cell::OnceCell;

/// The rated devices the set's `device_spec` names, as shipped.
pub const PUBLISHED_DEVICES_CSV: &str = include_str!("../../../public/data/devices.csv");
pub const PUBLISHED_DEVICES_FILE: &str = "data/devices.csv";

/// The devices of `public/data/devices.csv` that have a compute peak (the others:
/// [`bandwidth_only_devices`]).
pub fn published_devices() -> Vec<Device> {
    import_devices_csv(PUBLISHED_DEVICES_FILE, PUBLISHED_DEVICES_CSV).devices
}

/// The rows of `public/data/devices.csv` without a published compute peak (Apple M3/M4 and
/// phone GPUs, NPUs), as bandwidth-only devices: their decode rows can still be predicted
/// and validated (decode moves the weights once a step: bandwidth bounds it), their prefill
/// rows cannot. Never offered as devices to design for.
pub fn bandwidth_only_devices() -> Vec<Device> {
    import_bandwidth_only_devices_csv(PUBLISHED_DEVICES_FILE, PUBLISHED_DEVICES_CSV)
}

/// Every device the published rows are predicted on: the rated ones, then the
/// bandwidth-only ones.
pub fn validation_devices() -> Vec<Device> {
    let mut all = published_devices();
    all.extend(bandwidth_only_devices());
    all
}

/// A published row ready for the roofline.
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedRun {
    pub row: PublishedRow,
    /// The rated device of `row.device_spec`.
    pub device: Device,
    pub measurement: Measurement,
    /// What the prediction had to assume because the source does not say it (a format
    /// spelled with a question mark, token counts not stated), one sentence each.
    pub assumed: Vec<String>,
}

impl PublishedRun {
    /// What a calibration is fitted per: the rated device and the runtime with its backend.
    pub fn group(&self) -> (String, String) {
        (self.row.device_spec.clone(), self.row.runtime_label())
    }
}

/// Why `name` is not among the usable devices: its row's import error in `errors` (a row
/// without a compute peak cannot be modelled), or that no row has that name.
fn device_problem(name: &str, errors: &[DeviceImportError]) -> String {
    let line = PUBLISHED_DEVICES_CSV
        .lines()
        .position(|l| l.starts_with(&format!("{name},")) || l.starts_with(&format!("\"{name}\",")))
        .map(|i| i + 1);
    let Some(line) = line else {
        return format!("\"{name}\" is no row of {PUBLISHED_DEVICES_FILE}");
    };
    match errors.iter().find(|e| e.place == ImportPlace::Line(line)) {
        Some(e) => format!(
            "the rated device \"{name}\" cannot be modelled: {}",
            e.in_file(PUBLISHED_DEVICES_FILE)
        ),
        None => format!("\"{name}\" ({PUBLISHED_DEVICES_FILE} line {line}) was not read"),
    }
}

fn issue(row: &PublishedRow, column: &str, message: String) -> RowIssue {
    RowIssue {
        line: row.line,
        column: Some(column.to_string()),
        message,
    }
}

/// Published spellings that name a format with a doubt the set's notes record, the format
/// the prediction takes, and why. Anything vaguer ("4-bit (exact type not stated)") is left
/// out.
const READ_AS: [(&str, &str, &str); 3] = [
    (
        "MLC INT4 (q4f16_ft?)",
        "q4f16_ft",
        "format taken as q4f16_ft: the source says MLC INT4 without the scheme",
    ),
    (
        "MLC INT4 (q4f16_1?)",
        "q4f16_1",
        "format taken as q4f16_1: the source says MLC INT4; its benchmark script runs this \
         model with q4f16_1, as MLC has no q4f16_ft for it",
    ),
    (
        "GPTQ 4-bit",
        "gptq-int4-g128",
        "format taken as GPTQ INT4 with groups of 128: the source does not state the group size",
    ),
];

/// The precision of a row: its weight format as the page's one parser reads it (or as
/// [`READ_AS`] says), run weight-only (FP16 activations and KV cache, as llama.cpp, MLC and
/// Ollama run), on the CPU's integer path when the backend is a CPU one.
fn precision(row: &PublishedRow, assumed: &mut Vec<String>) -> Result<Precision, RowIssue> {
    let published = row.weight_format.trim();
    let read = match READ_AS.iter().find(|(p, _, _)| *p == published) {
        Some((_, format, why)) => {
            assumed.push(why.to_string());
            format
        }
        None => published,
    };
    let p = read
        .parse::<Precision>()
        .map_err(|e| issue(row, "weight_format", e.to_string()))?;
    let cpu = row.backend.to_ascii_uppercase().contains("CPU");
    Ok(if cpu {
        p.with_matmul(MatmulPath::Cpu)
    } else {
        p
    })
}

fn run(
    row: &PublishedRow,
    devices: &[Device],
    errors: &OnceCell<Vec<DeviceImportError>>,
) -> Result<PublishedRun, RowIssue> {
    if row.device_spec.is_empty() {
        return Err(issue(
            row,
            "device_spec",
            "no rated device describes this one (variant not stated or no spec row)".into(),
        ));
    }
    let device = devices
        .iter()
        .find(|d| d.name() == row.device_spec)
        .cloned()
        .ok_or_else(|| {
            let errors = errors.get_or_init(|| {
                import_devices_csv(PUBLISHED_DEVICES_FILE, PUBLISHED_DEVICES_CSV).errors
            });
            issue(row, "device_spec", device_problem(&row.device_spec, errors))
        })?;
    if row.model_hf_id.is_empty() {
        return Err(issue(
            row,
            "model_hf_id",
            "the source does not identify the checkpoint".into(),
        ));
    }
    let model = match published_model(&row.model_hf_id) {
        None => {
            return Err(issue(
                row,
                "model_hf_id",
                format!("no config shipped for \"{}\"", row.model_hf_id),
            ))
        }
        Some(Err(e)) => return Err(issue(row, "model_hf_id", e)),
        Some(Ok(m)) => m,
    };
    let mut assumed = Vec::new();
    let precision = precision(row, &mut assumed)?;
    let bandwidth_only = device.is_bandwidth_only();
    // A prefill speed needs its prompt length; a decode speed its token count. llama-bench's
    // tg runs start from an empty context: one token of prompt is the closest the workload
    // can say (as for pasted llama-bench output). A decode rate with no lengths at all is
    // taken as one step from a one-token context: the cache read it leaves out is small
    // beside the weights for short chats, and the row says it was assumed.
    let mut prefill_s = row.prefill_s();
    let mut gen_tokens = row.gen_tokens;
    let decode_s = match (
        row.decode_s(),
        row.decode_tok_s,
        row.gen_tokens,
        row.prompt_tokens,
    ) {
        (Some(t), ..) => Some(t),
        (None, Some(rate), None, None) => {
            assumed.push(
                "prompt and generated lengths not stated: one decode step from a one-token \
                 context"
                    .to_string(),
            );
            gen_tokens = Some(1);
            Some(1.0 / rate)
        }
        _ => None,
    };
    if bandwidth_only {
        if decode_s.is_none() {
            return Err(issue(
                row,
                "device_spec",
                format!(
                    "\"{}\" has no published compute peak: only a decode speed can be \
                     predicted (from bandwidth alone), and this row has none",
                    row.device_spec
                ),
            ));
        }
        if prefill_s.take().is_some() {
            assumed.push(
                "no compute peak published for this device: its decode predicted from \
                 bandwidth alone, its prefill left out"
                    .to_string(),
            );
        }
    }
    if prefill_s.is_none() && decode_s.is_none() {
        let column = if row.prefill_tok_s.is_some() {
            "prompt_tokens"
        } else {
            "gen_tokens"
        };
        return Err(issue(
            row,
            column,
            "the token count of the measured phase is not stated".into(),
        ));
    }
    if row.batch != 1 {
        return Err(issue(
            row,
            "batch",
            "only single-stream runs are modelled".into(),
        ));
    }
    let measurement = Measurement::new(MeasurementSpec {
        line: row.line,
        device: Some(row.device.clone()),
        model: row.model.clone(),
        arch: model.arch.spec().clone(),
        precision,
        workload: WorkloadSpec {
            batch: 1,
            prompt_tokens: row.prompt_tokens.unwrap_or(0).max(1),
            generated_tokens: if decode_s.is_some() {
                gen_tokens.unwrap_or(0)
            } else {
                0
            },
            operators: OperatorSet::Full,
            activation_sparsity: 0.0,
            fused_attention: false,
        },
        prefill_s,
        decode_s,
    })
    .map_err(|e| issue(row, "model_hf_id", e.to_string()))?;
    Ok(PublishedRun {
        row: row.clone(),
        device,
        measurement,
        assumed,
    })
}

/// The runtime label of a user's own runs in the validation view: one group of their own.
pub const USER_RUNTIME: &str = "your measurements";

/// A user's measurements on `device` (from `file`, or a pasted benchmark) as runs the
/// validation view scores beside the published ones: one group, [`USER_RUNTIME`] on
/// `device`'s rated numbers, models told apart by name for leave-one-model-out.
pub fn user_runs(device: &Device, measurements: &[Measurement], file: &str) -> Vec<PublishedRun> {
    measurements
        .iter()
        .map(|m| {
            let spec = m.spec();
            let w = &spec.workload;
            let rate =
                |tokens: u32, t: Option<f64>| t.filter(|_| tokens > 0).map(|t| tokens as f64 / t);
            PublishedRun {
                row: PublishedRow {
                    line: spec.line,
                    id: String::new(),
                    device: spec
                        .device
                        .clone()
                        .unwrap_or_else(|| device.name().to_string()),
                    device_spec: device.name().to_string(),
                    runtime: USER_RUNTIME.to_string(),
                    backend: String::new(),
                    runtime_version: String::new(),
                    model: spec.model.clone(),
                    model_hf_id: spec.model.clone(),
                    weight_format: spec.precision.to_string(),
                    prompt_tokens: Some(w.prompt_tokens),
                    gen_tokens: Some(w.generated_tokens),
                    batch: w.batch,
                    prefill_tok_s: rate(w.prompt_tokens * w.batch, m.prefill_s()),
                    decode_tok_s: rate(w.generated_tokens * w.batch, m.decode_s()),
                    source_url: String::new(),
                    source_detail: if spec.line > 0 {
                        format!("{file} line {}", spec.line)
                    } else {
                        file.to_string()
                    },
                    notes: String::new(),
                },
                device: device.clone(),
                measurement: m.clone(),
                assumed: Vec::new(),
            }
        })
        .collect()
}

/// Every row the roofline can predict, and the others with the reason, in file order.
pub fn published_runs(
    rows: &[PublishedRow],
    devices: &[Device],
) -> (Vec<PublishedRun>, Vec<RowIssue>) {
    let (mut good, mut left_out) = (Vec::new(), Vec::new());
    // The shipped table's import errors, read once if a row names a device it refused.
    let errors = OnceCell::new();
    for row in rows {
        match run(row, devices, &errors) {
            Ok(r) => good.push(r),
            Err(e) => left_out.push(e),
        }
    }
    (good, left_out)
}
