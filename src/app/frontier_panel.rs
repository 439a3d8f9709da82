//! Main-area panel for the search results: frontier sizes per objective and precision, the best
//! design under the budget, the findings a reviewer looks for (method.md §4), and the
//! matched-latency comparison with the reference model (the paper's headline structure).

use leptos::prelude::*;

use super::chart_canvas::ChartCanvas;
use super::format;
use super::latest::Latest;
use super::law_state::LawState;
use super::search_state::{yield_to_browser, SearchState};
use super::state::{Derived, Inputs, NamedModel};
use crate::chart::Highlight;
use crate::model::fit::extrapolation;
use crate::model::headline::headline_lines;
use crate::model::pareto::best_under_budget;
use crate::model::published::budget_margin_note;
use crate::model::search::{
    edge_warning, findings, matched_latency, score_reference, AttentionKind, Candidate, Objective,
    SearchReport,
};
use crate::views::{
    color_key_labels, design_label, export_file_name, CandidatesCsv, ColorBy, FrontierChart,
    FrontierChartBuilder, ReferencePoint,
};

/// One line describing a candidate's shape; `kinds` are its space's attention kinds.
pub fn describe(c: &Candidate, kinds: &[AttentionKind]) -> String {
    let moe = if c.experts > 1 {
        format!(", {} experts top-{}", c.experts, c.active)
    } else {
        ", dense".into()
    };
    let attention = match kinds.get(c.attention as usize) {
        Some(AttentionKind::Full) | None => String::new(),
        Some(kind) => format!(", {kind}"),
    };
    format!(
        "l={} d={} r={} n_kv={}/{}{}{} · {} params",
        c.layers,
        c.hidden,
        c.ffn_ratio,
        c.kv_heads,
        c.heads,
        attention,
        moe,
        format::si(c.params_total as f64)
    )
}

/// Rows of a CSV export written per task (a few milliseconds each).
const EXPORT_ROWS_PER_TASK: usize = 2000;

/// The reference models drawn on the frontier: the selected one, then the others ticked,
/// each once, in the model list's order.
fn shown_references(
    selected: Option<NamedModel>,
    models: Vec<NamedModel>,
    ticked: Vec<String>,
) -> Vec<NamedModel> {
    let mut out: Vec<NamedModel> = selected.into_iter().collect();
    for m in models {
        if ticked.contains(&m.name) && !out.iter().any(|o| o.name == m.name) {
            out.push(m);
        }
    }
    out
}

/// Memory of a quoted design against what the device leaves for it: "5.21 GB of 6.00 GB
/// usable (weights + KV cache)".
fn memory_fact(report: &SearchReport, candidate: usize, precision: usize) -> String {
    let m = report.evaluations.metrics(candidate, precision);
    format!(
        "{} of {} usable (weights + KV cache)",
        format::bytes(m.memory_bytes as f64),
        format::bytes(report.device.usable_memory_bytes())
    )
}

/// The built frontier chart, shared cheaply between the memo and the hover handler.
#[derive(Clone)]
struct ChartData(std::sync::Arc<FrontierChart>);

impl PartialEq for ChartData {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

#[component]
pub fn FrontierPanel() -> impl IntoView {
    let search = expect_context::<SearchState>();
    let derived = expect_context::<Derived>();
    let inputs = expect_context::<Inputs>();
    let workload = inputs.workload;

    let color_by = RwSignal::new(ColorBy::Experts);
    let log_x = RwSignal::new(true);
    let log_y = RwSignal::new(false);
    // The chart and the candidate behind each point; rebuilt when the report or a view
    // setting changes, never on hover. Built in a task of its own after the change (a
    // million-candidate chart takes tens of milliseconds), so the panels' reactive update and
    // the build are two short tasks; a newer change makes a pending build stale.
    let built = RwSignal::new(None::<ChartData>);
    let latest = Latest::new();
    Effect::new(move |_| {
        let Some(report) = search.report.get() else {
            built.set(None);
            return;
        };
        let objective = search.objective.get();
        // The selected reference model and any others ticked, each a labelled point.
        let shown = shown_references(
            derived.model.get(),
            inputs.models.get(),
            search.chart_refs.get(),
        );
        let references: Vec<ReferencePoint> = shown
            .iter()
            .map(|m| {
                let p = report.evaluations.precisions[0];
                let score = score_reference(&m.arch, &report, 0);
                ReferencePoint {
                    key: m.name.clone(),
                    name: format!("{} ({})", m.name, p.name()),
                    latency_s: objective.of(&score.latency),
                    loss: score.loss,
                }
            })
            .collect();
        let (by, budget, logs, constraints) = (
            color_by.get(),
            search.budget_s.get(),
            (log_x.get(), log_y.get()),
            search.constraints(),
        );
        let ticket = latest.next();
        leptos::task::spawn_local(async move {
            yield_to_browser().await;
            if !ticket.is_current() {
                return;
            }
            // One precision per task.
            let mut builder =
                FrontierChartBuilder::new(&report, objective, by, logs.0, &constraints);
            while builder.add_precision() {
                yield_to_browser().await;
                if !ticket.is_current() {
                    return;
                }
            }
            let mut fc = builder.finish(budget, &references);
            if logs.1 {
                if let Some(chart) = std::sync::Arc::get_mut(&mut fc.chart) {
                    chart.y.log = true;
                }
            }
            built.set(Some(ChartData(std::sync::Arc::new(fc))));
        });
    });
    let chart = Signal::derive(move || built.with(|b| b.as_ref().map(|b| b.0.chart.clone())));
    let hover_series = (0..16).collect::<Vec<usize>>();
    let tooltip = Callback::new(move |(series, point): (usize, usize)| {
        let (Some(report), Some(b)) = (search.report.get_untracked(), built.get_untracked()) else {
            return String::new();
        };
        if Some(series) == b.0.reference_series {
            let Some(name) = b.0.reference_keys.get(point) else {
                return String::new();
            };
            let Some(m) = inputs
                .models
                .with_untracked(|ms| ms.iter().find(|m| &m.name == name).cloned())
            else {
                return String::new();
            };
            let p = report.evaluations.precisions[0];
            let score = score_reference(&m.arch, &report, 0);
            let (n, loss, lat) = (score.params, score.loss, score.latency);
            return format!(
                "reference {}: {} params · loss {:.4} · prefill {} · decode {} · total {} · memory {} ({}) · click to pin",
                m.name,
                format::si(n),
                loss,
                format::seconds(lat.prefill_s),
                format::seconds(lat.decode_s),
                format::seconds(lat.total_s),
                format::bytes(lat.weights_bytes + lat.kv_cache_bytes),
                p.name()
            );
        }
        let Some(&i) = b.0.candidates.get(series).and_then(|c| c.get(point)) else {
            return String::new();
        };
        let (p, on_frontier) = b.0.layout.of(series);
        let c = &report.evaluations.candidates[i];
        let m = report.evaluations.metrics(i, p);
        format!(
            "{}{} · loss {:.4} · prefill {} · decode {} · total {} · memory {} ({})",
            if on_frontier { "frontier: " } else { "" },
            describe(c, &report.space.spec().attention),
            c.loss,
            format::seconds(m.prefill_s as f64),
            format::seconds(m.decode_s as f64),
            format::seconds(m.total_s as f64),
            format::bytes(m.memory_bytes as f64),
            report.evaluations.precisions[p].name()
        )
    });
    let select = Callback::new(move |(series, point): (usize, usize)| {
        let (Some(report), Some(b)) = (search.report.get_untracked(), built.get_untracked()) else {
            return;
        };
        if Some(series) == b.0.reference_series {
            if let Some(name) = b.0.reference_keys.get(point) {
                search.toggle_ref_pin(name);
            }
            return;
        }
        if let Some(&i) = b.0.candidates.get(series).and_then(|c| c.get(point)) {
            search.toggle_pin(report.evaluations.candidates[i].index as u64);
        }
    });
    // Pinned designs drawn on the overlay, at their place in the first precision.
    let pinned = Signal::derive(move || {
        let pins = search.pins.get();
        let ref_pins = search.ref_pins.get();
        let objective = search.objective.get();
        let mut out: Vec<Highlight> = search.report.with(|r| {
            let Some(r) = r else { return Vec::new() };
            r.evaluations
                .candidates
                .iter()
                .enumerate()
                .filter(|(_, c)| pins.contains(&(c.index as u64)))
                .map(|(i, c)| {
                    Highlight::new(
                        r.evaluations.metrics(i, 0).latency(objective) * 1e3,
                        c.loss,
                        crate::chart::PALETTE[6],
                    )
                    .labelled(design_label(
                        c.layers,
                        c.hidden,
                        c.experts as u32,
                        c.active as u32,
                    ))
                })
                .collect()
        });
        // Pinned reference models, where the chart drew them.
        built.with(|b| {
            if let Some(b) = b {
                if let Some(s) = b.0.reference_series {
                    for (k, key) in b.0.reference_keys.iter().enumerate() {
                        if ref_pins.contains(key) {
                            if let Some(&(x, y)) = b.0.chart.series[s].points.get(k) {
                                // Its chart marker already names it.
                                out.push(Highlight::new(x, y, crate::chart::PALETTE[6]));
                            }
                        }
                    }
                }
            }
        });
        out
    });
    // CSV exports are written a slice of rows per task (a million rows took a few hundred
    // ms in one task), with the progress shown, then downloaded.
    let exporting = RwSignal::new(None::<(usize, usize)>);
    let export = move |only_frontier: bool| {
        let Some(r) = search.report.get_untracked() else {
            return;
        };
        if exporting.get_untracked().is_some() {
            return;
        }
        let objective = search.objective.get_untracked();
        let constraints = search.constraints_untracked();
        exporting.set(Some((0, 0)));
        leptos::task::spawn_local(async move {
            let mut csv = String::new();
            let mut w = CandidatesCsv::start(&r, objective, only_frontier, &constraints, &mut csv);
            yield_to_browser().await;
            while !w.write_rows(&mut csv, EXPORT_ROWS_PER_TASK) {
                exporting.set(Some(w.progress()));
                yield_to_browser().await;
            }
            exporting.set(None);
            let what = if only_frontier {
                "frontier"
            } else {
                "candidates"
            };
            let name = export_file_name(what, r.device.name(), objective, "csv");
            super::files::download_text(&name, "text/csv", &csv);
        });
    };
    // The same key the chart draws (one entry per colour), for readers of the page text.
    let key = move || {
        let report = search.report.get()?;
        let by = color_by.get();
        Some(view! {
            <p class="color-key" data-testid="frontier-color-key">{format!("colour: {} — ", by.name())}
                {color_key_labels(&report, by).into_iter().map(|(label, c)| view! {
                    <span class="swatch" style:background-color=format!("rgb({},{},{})", c.0, c.1, c.2)></span>
                    <span>{format!("{label} ")}</span>
                }).collect_view()}
            </p>
        })
    };
    // PNG and SVG names say device and objective.
    let image_name = Signal::derive(move || {
        search.report.with(|r| {
            r.as_ref().map_or_else(
                || "frontier".to_string(),
                |r| {
                    let name =
                        export_file_name("frontier", r.device.name(), search.objective.get(), "");
                    name.trim_end_matches('.').to_string()
                },
            )
        })
    });

    let sizes = move || {
        let constraints = search.constraints();
        search.report.get().map(|report| {
            let precisions = report.evaluations.precisions.clone();
            view! {
                <table class="frontier-sizes">
                    <thead><tr><th scope="col">"frontier size"</th>
                        {precisions.iter().map(|p| view! { <th scope="col">{p.name()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {Objective::ALL.iter().map(|o| {
                            let o = *o;
                            view! {
                                <tr><td>{o.name()}</td>
                                    {precisions.iter().enumerate().map(|(pi, p)| {
                                        let n = report.frontier(o, pi, &constraints).len();
                                        view! { <td data-testid=format!("frontier-size-{}-{}", o.name(), p.name())>{n}</td> }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })
    };

    let details = move || {
        let report = search.report.get()?;
        let objective = search.objective.get();
        let constraints = search.constraints();
        let frontier = report.frontier(objective, 0, &constraints);
        let found = findings(&report, &frontier);
        let precision = report.evaluations.precisions[0].name();
        let budget = search.budget.get();
        let budget_text = budget.map(|b| workload.with(|w| b.describe(w)));
        let stale = search.budget_error.get().map(|_| {
            view! { <p class="error" data-testid="budget-stale">"The budget field has an error (see Search space); the last valid budget is used below."</p> }
        });
        let elsewhere = budget.filter(|b| b.objective() != objective).map(|b| {
            view! { <p class="hint" data-testid="best-under-budget">{format!("The budget ({}) limits {} latency; choose the {} objective to see the best design under it.", budget_text.clone().unwrap_or_default(), b.objective().name(), b.objective().name())}</p> }
        });
        let best = search.budget_s.get().map(|b| {
            let said = budget_text.clone().unwrap_or_default();
            match best_under_budget(&frontier, b) {
                Some(p) => {
                    let c = report.evaluations.candidates[p.candidate];
                    let per_token = (objective == Objective::Decode)
                        .then(|| workload.with(|w| w.generated_tokens()))
                        .filter(|n| *n > 0)
                        .map(|n| format!(" ({} per token)", format::seconds(p.latency_s / n as f64)))
                        .unwrap_or_default();
                    let edge = edge_warning(&report.space.upper_edges(&c));
                    let margin = budget_margin_note(report.device.spec(), objective, p.latency_s, b)
                        .map(|(note, thin)| view! { <p class=if thin { "warnings" } else { "hint" } data-testid="budget-margin">{note}</p> });
                    view! {
                        <p data-testid="best-under-budget">
                            {format!("Best under {said} ({precision}): loss {:.4} at {}{per_token} — {} · {}", p.loss, format::seconds(p.latency_s), describe(&c, &report.space.spec().attention), memory_fact(&report, p.candidate, 0))}
                        </p>
                        {margin}
                        {edge.map(|w| view! { <p class="warnings" data-testid="best-on-grid-edge">{w}</p> })}
                    }.into_any()
                }
                None => view! { <p class="error" data-testid="best-under-budget">{format!("No design meets {said} on this device ({precision}).")}</p> }.into_any(),
            }
        });
        let best = view! { {stale}{elsewhere}{best} };
        let matched = derived.model.get().map(|m| {
            let r = matched_latency(&m.arch, &report, objective, 0, &constraints);
            let best = r.best.map(|b| report.evaluations.candidates[b.candidate]);
            let ref_params = score_reference(&m.arch, &report, 0).params;
            let size = best.map(|c| {
                format!(
                    "{} parameters, {:.1}× {}'s {} · {}",
                    format::si(c.params_total as f64),
                    c.params_total as f64 / ref_params,
                    m.name,
                    format::si(ref_params),
                    r.best.map(|b| memory_fact(&report, b.candidate, 0)).unwrap_or_default()
                )
            });
            let edge = best.and_then(|c| edge_warning(&report.space.upper_edges(&c)));
            let headline = headline_lines(&m.name, &r, report.settings.training_tokens());
            view! {
                <div class="matched" id="matched-latency" data-testid="matched-latency">
                    <h3>{format!("Matched {} latency vs {} ({precision})", objective.name(), m.name)}</h3>
                    <p>
                        {format!("{}: loss ", m.name)}<strong data-testid="matched-ref-loss">{format::fixed(r.reference_loss, 4)}</strong>
                        {format!(" (ppl {}) at {}", format::fixed(r.reference_perplexity, 2), format::seconds(r.reference_latency_s))}
                    </p>
                    {match (r.best, best) {
                        (Some(b), Some(c)) => view! {
                            <p>
                                "Best frontier design at no more latency: loss "<strong data-testid="matched-best-loss">{format::fixed(b.loss, 4)}</strong>
                                {format!(" (ppl {}) at {} — {}", format::fixed(r.best_perplexity.unwrap_or(f64::NAN), 2), format::seconds(b.latency_s), describe(&c, &report.space.spec().attention))}
                            </p>
                            <p data-testid="matched-best-size">{size.clone().unwrap_or_default()}</p>
                            {edge.clone().map(|w| view! { <p class="warnings" data-testid="matched-on-grid-edge">{w}</p> })}
                            <p>"Predicted improvement: loss −"{format::fixed(r.loss_improvement.unwrap_or(f64::NAN), 4)}", perplexity −"
                                <strong data-testid="matched-ppl-improvement">{format!("{} %", format::fixed(r.perplexity_improvement_pct.unwrap_or(f64::NAN), 2))}</strong></p>
                        }.into_any(),
                        _ => view! { <p data-testid="matched-best-loss">"No frontier design is as fast as the reference."</p> }.into_any(),
                    }}
                    // The paper's measured numbers beside the law's prediction (method.md §2).
                    <ul class="headline" data-testid="matched-headline" aria-label="Predicted here and measured in the paper">
                        {headline.predicted.map(|p| view! { <li data-testid="matched-predicted">{p}</li> })}
                        <li data-testid="matched-paper-measured">{headline.measured}" ("<a href="docs/reference.md">"sources"</a>")"</li>
                    </ul>
                    <p class="hint" data-testid="matched-ppl-meaning">{headline.meaning}</p>
                </div>
            }
        });
        Some(view! {
            <p class="findings" data-testid="frontier-findings">
                {format!("{} frontier ({precision}, {} points): {:.0} % MoE; {:.0} % use the most experts with top-1; median FFN ratio r = {}.",
                    objective.name(), frontier.len(), found.moe_share * 100.0, found.most_experts_top1_share * 100.0, format::fixed(found.median_ffn_ratio, 2))}
            </p>
            {best}
            {matched}
        })
    };

    // Where the search takes the law in use beyond the data it was fitted to.
    let law_state = expect_context::<LawState>();
    let extrapolated = Memo::new(move |_| {
        let report = search.report.get()?;
        law_state.ranges.with(|ranges| {
            if ranges.is_empty() {
                return None;
            }
            let kinds = &report.space.spec().attention;
            let tokens = report.settings.training_tokens();
            let inputs: Vec<_> = report
                .evaluations
                .candidates
                .iter()
                .map(|c| c.law_inputs(kinds, tokens))
                .collect();
            let found = extrapolation(ranges, inputs.iter());
            (!found.is_empty()).then_some(found)
        })
    });

    view! {
        <section class="panel" aria-labelledby="frontier-h">
            <h2 id="frontier-h">"Loss–latency frontier"</h2>
            {move || extrapolated.get().map(|found| view! {
                <div class="warnings" data-testid="search-extrapolates">
                    <p>{format!("The law in use ({}) was fitted to a narrower range than this search:", law_state.source.get())}</p>
                    <ul>{found.iter().map(|c| view! { <li>{c.to_string()}</li> }).collect_view()}</ul>
                </div>
            })}
            {move || {
                let c = law_state.concerns.get();
                (!c.is_empty()).then(|| view! {
                    <p class="warnings" data-testid="frontier-law-concerns">
                        {format!("The law in use was used despite {} concern{} about its fit (see Scaling law).", c.len(), if c.len() == 1 { "" } else { "s" })}
                    </p>
                })
            }}
            {move || search.report.get().and_then(|r| {
                // A law can overflow or leave its domain for some shapes: say so, never plot it.
                let lost = r.evaluations.candidates.iter().filter(|c| !c.loss.is_finite()).count();
                (lost > 0).then(|| view! {
                    <p class="warnings" data-testid="search-nonfinite">
                        {format!("{} of {} candidates have no finite predicted loss under this law (it overflows or is outside its domain there); they are left out of the charts.", format::grouped(lost as u64), format::grouped(r.evaluated() as u64))}
                    </p>
                })
            })}
            {move || search.report.get().map(|r| view! {
                <p class="hint">
                    <span data-testid="search-evaluated">{format::grouped(r.evaluated() as u64)}</span>
                    {format!(" candidates evaluated{} on {}", if r.sampled { " (sampled)" } else { "" }, r.device.name())}
                    {search.timing.get().map(|(compute, wall)| {
                        let rate = r.evaluated() as f64 / (compute / 1e3) / 1e6;
                        view! {
                            " in "<span data-testid="search-compute-ms">{format!("{compute:.0}")}</span>" ms of compute ("
                            <span data-testid="search-rate">{format!("{rate:.2}")}</span>
                            {format!(" M candidates/s), {wall:.0} ms with the page kept responsive.")}
                        }
                    })}
                </p>
            })}
            {move || search.report.get().map(|r| {
                let ps = &r.evaluations.precisions;
                let others: Vec<String> = ps.iter().skip(1).map(|p| p.name()).collect();
                let also = if others.is_empty() { String::new() } else { format!("; the chart also shows {}", others.join(", ")) };
                view! {
                    <p class="hint precision-in-use" data-testid="frontier-precision">
                        {format!("Figures use {} (Workload and precision){also}.", ps[0].name())}
                    </p>
                }
            })}
            <fieldset class="chart-refs" data-testid="frontier-references">
                <legend>"Reference models on the chart"</legend>
                {move || {
                    let selected = derived.model.get().map(|m| m.name);
                    inputs.models.get().into_iter().map(|m| {
                        let name = m.name.clone();
                        let is_selected = selected.as_deref() == Some(name.as_str());
                        let key = name.clone();
                        let pin_key = name.clone();
                        let pin_name = name.clone();
                        view! {
                            <span class="ref-row">
                            <label class="check">
                                <input type="checkbox" data-testid=format!("frontier-ref-{name}")
                                    prop:checked={let n = name.clone(); move || is_selected || search.chart_refs.with(|v| v.contains(&n))}
                                    prop:disabled=is_selected
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        search.show_chart_ref(&key, on);
                                    } />
                                {format!(" {name}{}", if is_selected { " (selected)" } else { "" })}
                            </label>
                            <button type="button" class="pin-ref" data-testid=format!("frontier-pin-{name}")
                                aria-pressed=move || search.ref_pins.with(|v| v.contains(&pin_name)).to_string()
                                title="compare it with pinned designs below"
                                on:click=move |_| search.toggle_ref_pin(&pin_key)>
                                {let n = name.clone(); move || if search.ref_pins.with(|v| v.contains(&n)) { "unpin" } else { "pin" }}
                            </button>
                            </span>
                        }
                    }).collect_view()
                }}
            </fieldset>
            <div class="chart-controls">
                <label>"Colour by "
                    <select data-testid="frontier-color-by" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(c) = ColorBy::ALL.into_iter().find(|c| c.name() == v) { color_by.set(c) }
                    }>
                        {ColorBy::ALL.iter().map(|c| view! { <option value=c.name()>{c.name()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="check"><input type="checkbox" prop:checked=move || log_x.get()
                    on:change=move |ev| log_x.set(event_target_checked(&ev)) />" log latency axis"</label>
                <label class="check"><input type="checkbox" data-testid="frontier-log-y" prop:checked=move || log_y.get()
                    on:change=move |ev| log_y.set(event_target_checked(&ev)) />" log loss axis"</label>
            </div>
            <ChartCanvas chart=chart hover_series=hover_series describe=tooltip on_select=select pinned=pinned
                test_id="frontier-chart" file_stem="frontier" file_name=image_name />
            {move || built.with(|b| b.as_ref().and_then(|b| {
                let (drawn, admitted) = b.0.cloud_drawn;
                (drawn < admitted).then(|| view! {
                    <p class="hint" data-testid="frontier-thinned">
                        {format!("{} candidate points (each fitting candidate once per precision) are drawn as {} dots: one per colour where several would cover the same pixel. Frontiers, exports and findings use every candidate.",
                            format::grouped(admitted as u64), format::grouped(drawn as u64))}
                    </p>
                })
            }))}
            <p class="hint">"Click or tap a point, or a reference model, to pin it (up to 4 of each) and compare below; with the chart focused, ←/→ walk the frontier and Enter pins."
                " Export: "
                <button type="button" data-testid="export-frontier-csv" on:click=move |_| export(true)>"frontier CSV"</button>
                " "
                <button type="button" data-testid="export-candidates-csv" on:click=move |_| export(false)>"all candidates CSV"</button>
                {move || exporting.get().map(|(done, all)| view! {
                    <span class="hint" role="status" data-testid="export-progress">{format!(" writing CSV: {} of {} rows", format::grouped(done as u64), format::grouped(all as u64))}</span>
                })}
            </p>
            {key}
            {details}
            {sizes}
        </section>
    }
}
