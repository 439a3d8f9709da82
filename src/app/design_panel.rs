//! Pinned designs side by side (up to four): shape, size, memory, latency per precision, loss;
//! and for the one chosen, its roofline chart and per-operator table.

use std::sync::Arc;

use leptos::prelude::*;

use super::chart_canvas::ChartCanvas;
use super::derivation_view::{DerivationInputs, DerivationView};
use super::format;
use super::latency_panel::breakdown_table;
use super::search_state::SearchState;
use super::state::Inputs;
use crate::model::arch::Architecture;
use crate::model::params::param_counts;
use crate::model::published::held_out_note;
use crate::model::roofline::{decode_breakdown, prefill_breakdown};
use crate::model::search::score_reference;
use crate::views::roofline_chart;

/// A one-line shape of an architecture.
fn shape(a: &Architecture) -> String {
    let s = a.spec();
    let moe = s.moe.map_or("dense".to_string(), |m| {
        format!("{} experts top-{}", m.experts, m.active)
    });
    format!(
        "l={} d={} r={:.2} n_h={} {}",
        s.layers,
        s.hidden,
        a.ffn_ratio(),
        a.heads(),
        moe
    )
}

/// What a column of the comparison is: a searched candidate or a reference model.
#[derive(Clone, Debug, PartialEq)]
enum Pinned {
    Candidate(u64),
    Reference(String),
}

impl Pinned {
    /// A column heading that says what the design is, not an index: "l=24 d=2048 16×top-1"
    /// or "Qwen2.5-0.5B (reference)".
    fn label(&self, a: &Architecture) -> String {
        match self {
            Pinned::Reference(name) => format!("{name} (reference)"),
            Pinned::Candidate(_) => {
                let s = a.spec();
                let (e, k) = s.moe.map_or((1, 1), |m| (m.experts, m.active));
                crate::views::design_label(s.layers, s.hidden, e, k)
            }
        }
    }
}

#[component]
pub fn DesignPanel() -> impl IntoView {
    let search = expect_context::<SearchState>();
    let inputs = expect_context::<Inputs>();
    let chosen = RwSignal::new(0usize);

    // The pinned designs: candidates rebuilt from the space (cheap), then reference models.
    let designs = Memo::new(move |_| {
        let report = search.report.get()?;
        let pins = search.pins.get();
        let mut list: Vec<(Pinned, Architecture)> = pins
            .iter()
            .filter_map(|i| {
                report
                    .space
                    .candidate(*i)
                    .map(|a| (Pinned::Candidate(*i), a))
            })
            .collect();
        let refs = search.ref_pins.get();
        inputs.models.with(|models| {
            for name in &refs {
                if let Some(m) = models.iter().find(|m| &m.name == name) {
                    list.push((Pinned::Reference(name.clone()), m.arch.clone()));
                }
            }
        });
        Some(list)
    });

    let table = move || {
        let report = search.report.get()?;
        let list = designs.get()?;
        if list.is_empty() {
            return None;
        }
        let precisions = report.evaluations.precisions.clone();
        let rows: Vec<(String, Vec<String>)> = {
            let mut rows = vec![
                (
                    "shape".to_string(),
                    list.iter().map(|(_, a)| shape(a)).collect(),
                ),
                (
                    "parameters".into(),
                    list.iter()
                        .map(|(_, a)| format::grouped(param_counts(a).total()))
                        .collect(),
                ),
                (
                    "active per token".into(),
                    list.iter()
                        .map(|(_, a)| format::grouped(param_counts(a).active()))
                        .collect(),
                ),
                (
                    "predicted loss".into(),
                    list.iter()
                        .map(|(_, a)| format::fixed(score_reference(a, &report, 0).loss, 4))
                        .collect(),
                ),
            ];
            for (pi, p) in precisions.iter().enumerate() {
                let reports: Vec<_> = list
                    .iter()
                    .map(|(_, a)| score_reference(a, &report, pi).latency)
                    .collect();
                rows.push((
                    format!("{} prefill", p.name()),
                    reports
                        .iter()
                        .map(|r| format::seconds(r.prefill_s))
                        .collect(),
                ));
                rows.push((
                    format!("{} decode", p.name()),
                    reports
                        .iter()
                        .map(|r| format::seconds(r.decode_s))
                        .collect(),
                ));
                rows.push((
                    format!("{} total", p.name()),
                    reports.iter().map(|r| format::seconds(r.total_s)).collect(),
                ));
                rows.push((
                    format!("{} tokens/s", p.name()),
                    reports
                        .iter()
                        .map(|r| format::fixed(r.decode_tokens_per_s, 1))
                        .collect(),
                ));
                rows.push((
                    format!("{} memory (weights + KV)", p.name()),
                    reports
                        .iter()
                        .map(|r| format::bytes(r.weights_bytes + r.kv_cache_bytes))
                        .collect(),
                ));
            }
            rows
        };
        let headers: Vec<(Pinned, String)> =
            list.iter().map(|(p, a)| (p.clone(), p.label(a))).collect();
        // How far to trust the latencies above, from the device they were computed on.
        let spec = report.device.spec();
        let (trust, missed) = held_out_note(spec).map(|n| (n.text, n.missed)).unwrap_or_else(|| {
            if report.device.has_overhead() || spec.bandwidth_fraction < 1.0 {
                ("Calibrated latencies; no held-out error is known for this calibration (leave-one-model-out needs rows of two models).".to_string(), false)
            } else {
                ("Rated numbers: the pure roofline, a lower bound on real times. Pick a measured device or calibrate yours for realistic latencies.".to_string(), false)
            }
        });
        let trust = format!("How far to trust these latencies ({}): {trust}", spec.name);
        Some(view! {
            <p data-testid="design-trust" class=if missed { "warnings" } else { "hint" }>{trust}</p>
            <div class="scroll">
                <table class="compare" data-testid="design-compare">
                    <thead><tr><th scope="col">""</th>
                        {headers.into_iter().enumerate().map(|(k, (pin, label))| view! {
                            <th scope="col">
                                <button type="button" class:chosen=move || chosen.get() == k on:click=move |_| chosen.set(k)
                                    data-testid=format!("design-head-{k}")
                                    title="show its roofline and operators">{label.clone()}</button>
                                <button type="button" class="unpin" title="unpin" aria-label=format!("unpin {label}")
                                    on:click=move |_| match &pin {
                                        Pinned::Candidate(i) => search.toggle_pin(*i),
                                        Pinned::Reference(n) => search.toggle_ref_pin(n),
                                    }>"×"</button>
                            </th>
                        }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(label, cells)| view! {
                            <tr><td>{label}</td>{cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })
    };

    // The chosen design's breakdowns, for the roofline chart and the operator table.
    let breakdowns = Memo::new(move |_| {
        let report = search.report.get()?;
        let list = designs.get()?;
        let (_, arch) = list
            .get(chosen.get().min(list.len().saturating_sub(1)))?
            .clone();
        let p = inputs.precision.get();
        let w = report.workload;
        let pre = prefill_breakdown(&arch, &report.device, p, &w);
        let dec = decode_breakdown(&arch, &report.device, p, &w, w.prompt_tokens() as u64 + 1);
        Some((report.device.clone(), pre, dec))
    });
    // The chosen design with the search's device, workload and precisions: the latencies the
    // comparison shows, derived line by line.
    let derivation_inputs = Signal::derive(move || {
        let report = search.report.get()?;
        let list = designs.get()?;
        let (_, arch) = list
            .get(chosen.get().min(list.len().saturating_sub(1)))?
            .clone();
        Some(DerivationInputs {
            arch,
            device: report.device.clone(),
            workload: report.workload,
            precisions: report.evaluations.precisions.clone(),
        })
    });
    let chart = Signal::derive(move || {
        breakdowns.with(|b| {
            b.as_ref()
                .map(|(d, pre, dec)| Arc::new(roofline_chart(d, pre, dec)))
        })
    });
    let describe = Callback::new(move |(series, point): (usize, usize)| {
        breakdowns.with_untracked(|b| {
            let Some((_, pre, dec)) = b else {
                return String::new();
            };
            let phase = if series == 0 { pre } else { dec };
            phase
                .ops
                .iter()
                .filter(|c| c.op.flops > 0.0 && c.time_s > 0.0)
                .nth(point)
                .map(|c| {
                    format!(
                        "{} {}: {:.1} FLOP/B, {} FLOP/s, {}-bound, {} × {}",
                        if series == 0 { "prefill" } else { "decode" },
                        c.op.name,
                        c.op.intensity(),
                        format::si(c.op.flops / c.time_s),
                        if c.bound == crate::model::roofline::Bound::Compute {
                            "compute"
                        } else {
                            "memory"
                        },
                        c.count,
                        format::seconds(c.time_s)
                    )
                })
                .unwrap_or_default()
        })
    });

    view! {
        <section class="panel" aria-labelledby="design-h" class:hidden=move || search.pins.with(|p| p.is_empty()) && search.ref_pins.with(|p| p.is_empty())>
            <h2 id="design-h">"Pinned designs"</h2>
            {table}
            {move || breakdowns.with(|b| b.is_some()).then(|| view! {
                <ChartCanvas chart=chart hover_series=vec![0, 1] describe=describe test_id="roofline-chart" file_stem="roofline" height=380.0 />
            })}
            {move || breakdowns.get().map(|(_, pre, dec)| view! {
                <details>
                    <summary>"Prefill operators of the chosen design"</summary>
                    {breakdown_table(pre, "design-ops-prefill")}
                </details>
                <details>
                    <summary>"Decode step operators of the chosen design"</summary>
                    {breakdown_table(dec, "design-ops-decode")}
                </details>
            })}
            <DerivationView design=derivation_inputs />
        </section>
    }
}
