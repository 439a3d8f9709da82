//! The candidates export: every evaluated candidate (or the frontier designs) as CSV, with
//! the settings in `#` lines.

use std::fmt::Write;

use super::labels::{precisions_text, workload_text};
use super::trim;
use crate::model::precision::Precision;
use crate::model::search::{Constraints, Objective, SearchReport};

/// The candidates CSV, written a slice of rows at a time so a million-row export never
/// holds the page's thread for long ([`candidates_csv`] writes it whole). Rows are sorted by
/// the first precision's latency of the objective; `#` lines carry the settings.
pub struct CandidatesCsv<'a> {
    report: &'a SearchReport,
    frontiers: Vec<Vec<usize>>,
    rows: Vec<usize>,
    next: usize,
}

impl<'a> CandidatesCsv<'a> {
    /// Chooses and sorts the rows, and returns the writer with the settings and header lines
    /// already in `out`.
    pub fn start(
        report: &'a SearchReport,
        objective: Objective,
        only_frontier: bool,
        constraints: &Constraints,
        out: &mut String,
    ) -> CandidatesCsv<'a> {
        let e = &report.evaluations;
        let frontiers: Vec<Vec<usize>> = (0..e.precisions.len())
            .map(|p| {
                let mut f: Vec<usize> = report
                    .frontier(objective, p, constraints)
                    .iter()
                    .map(|q| q.candidate)
                    .collect();
                f.sort_unstable();
                f
            })
            .collect();
        let mut rows: Vec<usize> = (0..e.candidates.len())
            .filter(|&i| !only_frontier || frontiers.iter().any(|f| f.binary_search(&i).is_ok()))
            .collect();
        if !e.precisions.is_empty() {
            rows.sort_by(|&a, &b| {
                let (la, lb) = (
                    e.metrics(a, 0).latency(objective),
                    e.metrics(b, 0).latency(objective),
                );
                la.total_cmp(&lb).then(a.cmp(&b))
            });
        }
        let generated = report.workload.generated_tokens();
        let first = e.precisions.first().map(|p| p.name()).unwrap_or_default();
        let what = if only_frontier {
            format!(
                "designs on the {} frontier of some precision",
                objective.name()
            )
        } else {
            "every evaluated candidate".to_string()
        };
        let _ = writeln!(out, "# roofscale export: {what}");
        let _ = writeln!(out, "# device: {}", report.device.name());
        let _ = writeln!(out, "# workload: {}", workload_text(&report.workload));
        let _ = writeln!(out, "# precisions: {}", precisions_text(report));
        let _ = writeln!(out, "# objective: {} latency", objective.name());
        let _ = writeln!(out, "# law: {}", report.law.kind_name());
        let _ = writeln!(out, "# constraints: {}", constraints_text(constraints));
        let _ = writeln!(
            out,
            "# candidates: {} evaluated{}; rows sorted by {first} {} latency",
            report.evaluated(),
            if report.sampled { " (sampled)" } else { "" },
            objective.name()
        );
        let _ = writeln!(
            out,
            "# *_decode_ms is the whole decode of {generated} generated tokens; *_decode_ms_per_token is one step of it"
        );
        out.push_str(
            "index,layers,hidden,heads,kv_heads,head_dim,attention,experts,active,ffn_ratio,params_total,params_active,loss",
        );
        for p in &e.precisions {
            let n = column_prefix(p);
            let _ = write!(
                out,
                ",{n}_prefill_ms,{n}_decode_ms,{n}_decode_ms_per_token,{n}_total_ms,{n}_memory_bytes,{n}_fits,{n}_on_frontier"
            );
        }
        out.push('\n');
        CandidatesCsv {
            report,
            frontiers,
            rows,
            next: 0,
        }
    }

    /// Rows written so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.rows.len())
    }

    /// Appends up to `max` rows; `true` once every row is written.
    pub fn write_rows(&mut self, out: &mut String, max: usize) -> bool {
        let e = &self.report.evaluations;
        let kinds = &self.report.space.spec().attention;
        let generated = self.report.workload.generated_tokens();
        let end = (self.next + max).min(self.rows.len());
        for &i in &self.rows[self.next..end] {
            let c = &e.candidates[i];
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                c.index,
                c.layers,
                c.hidden,
                c.heads,
                c.kv_heads,
                c.head_dim,
                kinds
                    .get(c.attention as usize)
                    .map_or_else(String::new, |k| k.to_string()),
                c.experts,
                c.active,
                c.ffn_ratio,
                c.params_total,
                c.params_active,
                c.loss
            );
            for (p, f) in self.frontiers.iter().enumerate() {
                let m = e.metrics(i, p);
                let decode_ms = m.decode_s as f64 * 1e3;
                let per_token = if generated > 0 {
                    (decode_ms / generated as f64).to_string()
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    ",{},{},{},{},{},{},{}",
                    m.prefill_s as f64 * 1e3,
                    decode_ms,
                    per_token,
                    m.total_s as f64 * 1e3,
                    m.memory_bytes,
                    m.fits,
                    f.binary_search(&i).is_ok()
                );
            }
            out.push('\n');
        }
        self.next = end;
        self.next == self.rows.len()
    }
}

/// A precision's name as the prefix of its columns: runs of anything but letters, digits and
/// `_` become one `_`, so "Q4_0, head Q8_0, CPU" or "W:INT4 A:FP8 KV:FP16" stay one field
/// ("Q4_0_head_Q8_0_CPU").
pub fn column_prefix(p: &Precision) -> String {
    let mut out = String::new();
    for ch in p.name().chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            out.push(ch);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Every candidate (or only those on some precision's frontier) as CSV, whole.
pub fn candidates_csv(
    report: &SearchReport,
    objective: Objective,
    only_frontier: bool,
    constraints: &Constraints,
) -> String {
    let mut out = String::new();
    let mut w = CandidatesCsv::start(report, objective, only_frontier, constraints, &mut out);
    while !w.write_rows(&mut out, usize::MAX) {}
    out
}

/// The limits of a constraint set in words ("device memory" when none is set).
fn constraints_text(c: &Constraints) -> String {
    let mut parts = vec![match c.max_memory_bytes() {
        Some(b) => format!("memory ≤ {} GB", trim(b / 1e9)),
        None => "memory ≤ device memory".to_string(),
    }];
    match c.param_range() {
        (Some(lo), Some(hi)) => parts.push(format!(
            "parameters {}–{} M",
            trim(lo / 1e6),
            trim(hi / 1e6)
        )),
        (Some(lo), None) => parts.push(format!("parameters ≥ {} M", trim(lo / 1e6))),
        (None, Some(hi)) => parts.push(format!("parameters ≤ {} M", trim(hi / 1e6))),
        (None, None) => {}
    }
    for o in Objective::ALL {
        if let Some(b) = c.budget(o) {
            parts.push(format!("{} ≤ {} ms", o.name(), trim(b * 1e3)));
        }
    }
    parts.join(", ")
}
