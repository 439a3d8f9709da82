//! Benchmark results ([`BenchRun`]) as measurement rows for calibration.
//!
//! llama-bench's tests map onto the roofline's phases (method.md §3, "Benchmark import"):
//! `pp N` is one prefill of N tokens, taking N / avg_ts seconds; `tg N` is N decode steps
//! from an empty context, taking N / avg_ts seconds (DECISION: modelled as a 1-token prompt,
//! since a decode step needs a context, so step t attends to 1 + t tokens instead of t);
//! `tg N @ dD` is N decode steps after D cached tokens. `pp N @ dD` (a prefill after cached
//! tokens) and `pp N+tg M` (one rate for both phases) have no roofline counterpart and are
//! left out with a reason. Ollama's timings give both phases of one run.

use super::bench_output::{BenchOutput, BenchRun};
use super::measurements::{Measurement, MeasurementSpec};
use crate::model::arch::ArchSpec;
use crate::model::csv_reader::RowIssue;
use crate::model::precision::Precision;
use crate::model::weight_format::{MatmulPath, WeightFormat};
use crate::model::workload::{OperatorSet, WorkloadSpec};

/// The precision a run names: its file type weight-only, on the CPU path when llama.cpp ran
/// on the CPU backend; else `fallback`.
pub fn run_precision(run: &BenchRun, fallback: Option<Precision>) -> Option<Precision> {
    match run.file_type {
        Some(s) => {
            let p = Precision::weight_only(WeightFormat::Gguf(s));
            Some(if run.backend.eq_ignore_ascii_case("CPU") {
                p.with_matmul(MatmulPath::Cpu)
            } else {
                p
            })
        }
        None => fallback,
    }
}

fn row_issue(run: &BenchRun, message: String) -> RowIssue {
    RowIssue {
        line: run.line,
        column: None,
        message,
    }
}

/// Measurement rows of `model` (a preset name or a label) with architecture `arch`, one per
/// run that maps onto the roofline; the others with the reason they were left out. The
/// precision comes from each run's type column, else `fallback`.
pub fn bench_measurements(
    out: &BenchOutput,
    model: &str,
    arch: &ArchSpec,
    fallback: Option<Precision>,
) -> (Vec<Measurement>, Vec<RowIssue>) {
    let (mut good, mut issues) = (Vec::new(), Vec::new());
    for run in &out.runs {
        match measurement(run, model, arch, fallback) {
            Ok(m) => good.push(m),
            Err(message) => issues.push(row_issue(run, message)),
        }
    }
    (good, issues)
}

fn measurement(
    run: &BenchRun,
    model: &str,
    arch: &ArchSpec,
    fallback: Option<Precision>,
) -> Result<Measurement, String> {
    let precision = run_precision(run, fallback).ok_or_else(|| {
        format!(
            "\"{}\" names no weight format the page models; give the precision",
            run.model_type
        )
    })?;
    let (prompt, generated, prefill_s, decode_s) = match (run.prompt_s, run.gen_s, run.avg_ts) {
        (Some(p), Some(g), _) => (run.n_prompt, run.n_gen, Some(p), Some(g)),
        (_, _, Some(rate)) => match (run.n_prompt, run.n_gen, run.n_depth) {
            (0, 0, _) => return Err("a test of no tokens".to_string()),
            (p, 0, 0) => (p, 0, Some(p as f64 / rate), None),
            (p, 0, d) => {
                return Err(format!(
                    "pp{p} @ d{d}: a prefill after cached tokens is not modelled"
                ))
            }
            (0, g, d) => (d.max(1), g, None, Some(g as f64 / rate)),
            (p, g, _) => {
                return Err(format!(
                    "pp{p}+tg{g} gives one rate for both phases; run pp and tg tests apart"
                ))
            }
        },
        _ => return Err("no rate or time given".to_string()),
    };
    Measurement::new(MeasurementSpec {
        line: run.line,
        device: run.device.clone(),
        model: model.to_string(),
        arch: arch.clone(),
        precision,
        workload: WorkloadSpec {
            batch: 1,
            prompt_tokens: prompt,
            generated_tokens: generated,
            operators: OperatorSet::Full,
            activation_sparsity: 0.0,
            fused_attention: false,
        },
        prefill_s,
        decode_s,
    })
    .map_err(|e| e.to_string())
}
