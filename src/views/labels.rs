//! Captions and names that tell what a chart or an export holds: the settings of a search in
//! one line, download file names, a design's short name.

use crate::model::search::{Objective, SearchReport};
use crate::model::workload::{OperatorSet, Workload};

/// The settings a search's charts and exports depend on, in one line: device, workload,
/// precisions, objective and law.
pub fn search_caption(report: &SearchReport, objective: Objective) -> String {
    format!(
        "{} · {} · {} · objective: {} latency · law: {}",
        report.device.name(),
        workload_text(&report.workload),
        precisions_text(report),
        objective.name(),
        report.law.kind_name()
    )
}

pub(crate) fn workload_text(w: &Workload) -> String {
    let operators = match w.operators() {
        OperatorSet::Paper => "paper operators",
        OperatorSet::Full => "all operators",
    };
    format!(
        "batch {}, prompt {}, {} generated tokens, {operators}",
        w.batch(),
        w.prompt_tokens(),
        w.generated_tokens()
    )
}

pub(crate) fn precisions_text(report: &SearchReport) -> String {
    report
        .evaluations
        .precisions
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        // A name may hold commas ("Q4_0, head Q8_0").
        .join("; ")
}

/// A download's file name saying what it holds: `{what}-{device}-{objective}.{ext}`, the
/// device name in lower case with runs of other characters as one dash.
pub fn export_file_name(what: &str, device: &str, objective: Objective, ext: &str) -> String {
    let mut slug = String::new();
    for ch in device.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    format!("{what}-{slug}-{}.{ext}", objective.name())
}

/// A design's short name, the same on the chart's pins and in the comparison table:
/// "l=24 d=2048 16×top-1" or "l=24 d=2048 dense".
pub fn design_label(layers: u32, hidden: u32, experts: u32, active: u32) -> String {
    let moe = if experts > 1 {
        format!("{experts}×top-{active}")
    } else {
        "dense".to_string()
    };
    format!("l={layers} d={hidden} {moe}")
}
