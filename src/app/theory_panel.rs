//! Main-area panel for the theory of method.md §5: the normalised budgets and the regime they
//! put the design in, ρ*(d) and l*(d) per width, the feasible region over (d, l) with the
//! best enumerated design next to the theory's prediction, and the shape of the frontier
//! designs along latency (the paper's trend figure).
//!
//! The closed forms run on the page's device, precision, workload and budget, or on the
//! paper's worked example. DECISION: the example is shown inside this panel rather than
//! pushed into the page's inputs, because the workload and budget fields keep their typed
//! text and would no longer show what is in use.

use std::sync::Arc;

use leptos::prelude::*;

use super::chart_canvas::ChartCanvas;
use super::format;
use super::frontier_panel::describe;
use super::heatmap_canvas::HeatmapCanvas;
use super::law_state::LawState;
use super::search_state::SearchState;
use super::state::{Derived, Inputs};
use crate::model::device::Device;
use crate::model::law::Law;
use crate::model::precision::Precision;
use crate::model::search::{Constraints, ExpertChoice, KvHeads, Objective};
use crate::model::theory::{
    feasible_region, paper_worked_example, Binding, NormalisedBudgets, Regime, RegionCell,
    RegionSlice, LATENCY_BOUND_ABOVE, MEMORY_BOUND_BELOW,
};
use crate::model::workload::Workload;
use crate::views::{
    depth_bindings, design_slice, feasible_chart, theory_rows, trend_chart, TrendAttribute,
};

/// Largest region grid evaluated and drawn: each cell is a roofline evaluation and a
/// rectangle on the canvas, and the page must stay responsive while typing lists.
const REGION_CELL_LIMIT: usize = 40_000;

const WORKED_EXAMPLE_LABEL: &str =
    "Paper worked example (10 TOPS, 50 GB/s, 4 GB, 100 ms over 10 tokens)";

/// Whether the panel shows the paper's worked example instead of the page's inputs; a context
/// so the "Reproduce the paper" panel can open it and its undo can close it again.
#[derive(Clone, Copy)]
pub struct WorkedExampleView(pub RwSignal<bool>);

/// What the closed forms are evaluated for.
#[derive(Clone, Debug, PartialEq)]
struct Setting {
    device: Device,
    precision: Precision,
    workload: Workload,
    constraints: Constraints,
}

impl Setting {
    /// One line naming the device, workload and budgets in use.
    fn summary(&self) -> String {
        let d = &self.device;
        let w = &self.workload;
        let format = self.precision.matmul_format();
        let budgets: Vec<String> = Objective::ALL
            .iter()
            .filter_map(|&o| {
                let b = self.constraints.budget(o)?;
                let n = w.generated_tokens();
                let per_token = if o == Objective::Decode && n > 0 {
                    format!(" ({} per generated token)", format::seconds(b / n as f64))
                } else {
                    String::new()
                };
                Some(format!("{} ≤ {}{per_token}", o.name(), format::seconds(b)))
            })
            .collect();
        format!(
            "{}: {} OP/s ({}), {:.1} GB/s, {} usable memory · B = {}, S_in = {}, S_out = {}, {} · latency budget: {}",
            d.name(),
            format::si(d.peak_flops(format)),
            format.name(),
            d.bandwidth_for(&self.precision.weights) / 1e9,
            format::bytes(d.usable_memory_bytes()),
            w.batch(),
            w.prompt_tokens(),
            w.generated_tokens(),
            self.precision.name(),
            if budgets.is_empty() {
                "none".to_string()
            } else {
                budgets.join(", ")
            }
        )
    }
}

/// What limits depth l*, read from the table's rows, so the heading and the rows agree.
fn depth_clause(bindings: &[Binding]) -> String {
    match bindings {
        [] => String::new(),
        [one] => format!(
            " Depth l* is set by the {} at every width (column “limits depth”).",
            binding_name(*one)
        ),
        many => format!(
            " Depth l* is set by the {}, depending on the width (column “limits depth”).",
            many.iter()
                .map(|b| binding_name(*b))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// The regime as a sentence with its thresholds (method.md §5). The regime only picks the
/// ρ* formula; the paper calls η ≪ 1 "memory-bound" although there the decode budget
/// usually limits depth, so the heading says both, the second from the rows.
fn regime_text(b: &NormalisedBudgets, c: &Constraints, bindings: &[Binding]) -> String {
    let regime = match b.regime {
        Some(Regime::MemoryBound) => format!(
            "Regime η < {MEMORY_BOUND_BELOW} (the paper's “memory-bound”): ρ* from the \
             memory-only formula."
        ),
        Some(Regime::Dual) => format!(
            "Regime {MEMORY_BOUND_BELOW} ≤ η ≤ {LATENCY_BOUND_ABOVE} (both budgets bind): ρ* \
             from the memory formula; the region shows the real optimum."
        ),
        Some(Regime::LatencyBound) => format!(
            "Regime η > {LATENCY_BOUND_ABOVE} (latency-bound): ρ* = ρ_min, as many experts as \
             the space allows."
        ),
        None if Objective::ALL.iter().all(|&o| c.budget(o).is_none()) => {
            "No latency budget is set, so only memory binds (η needs a decode budget).".into()
        }
        None => "No η without a decode budget (a total budget has no closed form; the region \
                 checks it)."
            .into(),
    };
    format!("{regime}{}", depth_clause(bindings))
}

/// l* with one decimal, marked when the search grid cannot reach it.
fn depth_text(depth: f64, outside_grid: Option<(u32, u32)>) -> String {
    match outside_grid {
        Some((lo, hi)) => format!("{} (outside the grid {lo}–{hi})", format::fixed(depth, 1)),
        None => format::fixed(depth, 1),
    }
}

/// η with three significant figures for the usual range.
fn eta_text(eta: f64) -> String {
    if eta >= 0.01 {
        format::fixed(eta, 3)
    } else {
        format!("{eta:.2e}")
    }
}

fn binding_name(b: Binding) -> &'static str {
    match b {
        Binding::Prefill => "prefill budget",
        Binding::Decode => "decode budget",
        Binding::Memory => "memory",
    }
}

/// Tooltip of one region cell: where it is, its loss, and which budgets it breaks.
fn cell_text(c: &RegionCell) -> String {
    if !c.valid {
        return format!(
            "d = {}: this slice cannot be built at this width (its head dim must divide d and \
             its KV heads the query heads)",
            c.hidden
        );
    }
    let broken: Vec<&str> = [
        (c.meets_prefill, "prefill"),
        (c.meets_decode, "decode"),
        (c.meets_total, "total"),
        (c.fits_memory, "memory"),
    ]
    .into_iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, name)| name)
    .collect();
    let status = if broken.is_empty() {
        "feasible".to_string()
    } else {
        format!("infeasible: over the {} budget", broken.join(", "))
    };
    format!(
        "d = {}, l = {} · loss {} · {status} · prefill {} · decode {} · total {} · memory {}",
        c.hidden,
        c.layers,
        format::fixed(c.loss, 4),
        format::seconds(c.prefill_s),
        format::seconds(c.decode_s),
        format::seconds(c.total_s),
        format::bytes(c.memory_bytes)
    )
}

/// A select for one dimension of the region slice: the best design's value, or one the
/// space lists.
fn slice_select<T>(
    label: &'static str,
    test_id: &'static str,
    values: Vec<T>,
    name: fn(&T) -> String,
    pick: RwSignal<Option<T>>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let options = values.clone();
    view! {
        <label>{label}" "
            <select data-testid=test_id on:change=move |ev| {
                let chosen = event_target_value(&ev).parse::<usize>().ok();
                pick.set(chosen.and_then(|i| values.get(i).cloned()));
            }>
                <option value="" selected=move || pick.with(Option::is_none)>"best design's"</option>
                {options.into_iter().enumerate().map(|(i, v)| {
                    let text = name(&v);
                    view! { <option value=i.to_string() selected=move || pick.with(|p| p.as_ref() == Some(&v))>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn TheoryPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let derived = expect_context::<Derived>();
    let law = expect_context::<LawState>().law;
    let search = expect_context::<SearchState>();
    let example = use_context::<WorkedExampleView>()
        .unwrap_or(WorkedExampleView(RwSignal::new(false)))
        .0;
    let r_pick = RwSignal::new(None::<f64>);
    let experts_pick = RwSignal::new(None::<ExpertChoice>);
    let kv_pick = RwSignal::new(None::<KvHeads>);

    // The budget on its own objective; a budget the workload makes invalid keeps the last
    // valid constraints (the budget field says why).
    let page_constraints =
        Memo::new(
            move |prev: Option<&Constraints>| match search.budget_constraints.get() {
                Ok(c) => c,
                Err(_) => prev.copied().unwrap_or_default(),
            },
        );
    let setting = Memo::new(move |_| {
        if example.get() {
            let ex = paper_worked_example();
            Setting {
                device: ex.device,
                precision: ex.precision,
                workload: ex.workload,
                constraints: ex.constraints,
            }
        } else {
            Setting {
                device: derived.device.get(),
                precision: inputs.precision.get(),
                workload: inputs.workload.get(),
                constraints: page_constraints.get(),
            }
        }
    });
    // The search's precision matching the page's, else its first.
    let search_precision = Memo::new(move |_| {
        let p = inputs.precision.get();
        search.report.with(|r| {
            r.as_ref()
                .and_then(|r| r.evaluations.precisions.iter().position(|q| *q == p))
                .unwrap_or(0)
        })
    });
    // The search's best design under the page's budgets (the last frontier point admitted).
    let best_design = Memo::new(move |_| {
        let report = search.report.get()?;
        let pi = search_precision.get();
        let frontier = report.frontier(search.objective.get(), pi, &page_constraints.get());
        let best = *frontier.last()?;
        Some((
            report.evaluations.candidates[best.candidate],
            best.latency_s,
            pi,
        ))
    });
    let slice = Memo::new(move |_| {
        let space = search.space.get().ok()?;
        let spec = space.spec();
        let auto = match best_design.get() {
            Some((c, ..)) => design_slice(&space, &c),
            None => RegionSlice {
                ffn_ratio: *spec.ffn_ratios.first()?,
                experts: *spec.experts.first()?,
                kv_heads: *spec.kv_heads.first()?,
                head_dim: *spec.head_dims.first()?,
            },
        };
        Some(RegionSlice {
            ffn_ratio: r_pick
                .get()
                .filter(|r| spec.ffn_ratios.contains(r))
                .unwrap_or(auto.ffn_ratio),
            experts: experts_pick
                .get()
                .filter(|e| spec.experts.contains(e))
                .unwrap_or(auto.experts),
            kv_heads: kv_pick
                .get()
                .filter(|k| spec.kv_heads.contains(k))
                .unwrap_or(auto.kv_heads),
            head_dim: auto.head_dim,
        })
    });
    // Cells of the region grid; the region is skipped above REGION_CELL_LIMIT.
    let grid_cells = Memo::new(move |_| {
        search.space.with(|s| {
            s.as_ref()
                .map_or(0, |s| s.spec().hidden.len() * s.spec().layers.len())
        })
    });
    let region = Memo::new(move |_| {
        let space = search.space.get().ok()?;
        if grid_cells.get() > REGION_CELL_LIMIT {
            return None;
        }
        let slice = slice.get()?;
        let s = setting.get();
        Some(feasible_region(
            &space,
            &slice,
            &law.get(),
            &s.device,
            s.precision,
            &s.workload,
            &s.constraints,
            search.training_tokens(),
        ))
    });
    let heatmap = Memo::new(move |_| {
        let slice = slice.get()?;
        let device = setting.with(|s| s.device.name().to_string());
        region.with(|r| r.as_ref().map(|r| feasible_chart(r, &slice, &device)))
    });
    let describe_cell = Callback::new(move |k: usize| {
        region.with_untracked(|r| {
            r.as_ref()
                .and_then(|r| r.cells.get(k))
                .map(cell_text)
                .unwrap_or_default()
        })
    });

    // The trend chart and the candidate behind each of its vertices (frontier order).
    let trend = Memo::new(move |_| {
        let report = search.report.get()?;
        let objective = search.objective.get();
        let pi = search_precision.get();
        let candidates: Vec<usize> = report
            .frontier(objective, pi, &Constraints::default())
            .iter()
            .map(|q| q.candidate)
            .collect();
        Some((trend_chart(&report, objective, pi), candidates))
    });
    let trend_chart_signal =
        Signal::derive(move || trend.with(|t| t.as_ref().map(|t| Arc::new(t.0.clone()))));
    let describe_trend = Callback::new(move |(series, point): (usize, usize)| {
        let (Some(report), Some((chart, candidates))) =
            (search.report.get_untracked(), trend.get_untracked())
        else {
            return String::new();
        };
        let (Some(&i), Some(&(latency_ms, value))) = (
            candidates.get(point),
            chart.series.get(series).and_then(|s| s.points.get(point)),
        ) else {
            return String::new();
        };
        let attribute = TrendAttribute::ALL[series.min(TrendAttribute::ALL.len() - 1)];
        format!(
            "{} = {value} · {} · loss {} at {}",
            attribute.name(),
            describe(
                &report.evaluations.candidates[i],
                &report.space.spec().attention,
            ),
            format::fixed(report.evaluations.candidates[i].loss, 4),
            format::seconds(latency_ms / 1e3)
        )
    });

    let trend_series: Vec<usize> = (0..TrendAttribute::ALL.len()).collect();

    // The table's rows, its best width and ρ_min; the regime heading reads the same rows.
    let rows = Memo::new(move |_| {
        let rho_min = search.space.with(|s| {
            s.as_ref().ok().map(|s| {
                s.spec()
                    .experts
                    .iter()
                    .map(|e| e.active as f64 / e.experts as f64)
                    .fold(1.0, f64::min)
            })
        })?;
        region.with(|r| {
            let r = r.as_ref()?;
            let best = r.theory_best.map(|i| r.theory[i].hidden);
            Some((law.with(|l| theory_rows(r, l, rho_min)), best, rho_min))
        })
    });

    let budgets_view = move || {
        let b = region.with(|r| r.as_ref().map(|r| r.budgets))?;
        let constraints = setting.with(|s| s.constraints);
        let bindings = rows.with(|r| r.as_ref().map(|r| depth_bindings(&r.0)).unwrap_or_default());
        let eta = b.eta.map_or("— (needs a decode budget)".to_string(), |e| {
            format!("η = {}", eta_text(e))
        });
        Some(view! {
            <p class="regime" data-testid="theory-regime"><strong>{regime_text(&b, &constraints, &bindings)}</strong></p>
            <table class="facts theory-budgets">
                <tr><td>"F̄p = T_pre·π/(B·S_in), FLOPs per prompt token"</td>
                    <td>{b.flops_per_prompt_token.map_or("— (no prefill budget)".to_string(), |f| format!("{}FLOP", format::si(f)))}</td></tr>
                <tr><td>"M̄d = T_dec·β/S_out, bytes per generated token"</td>
                    <td data-testid="theory-bytes-per-token">{b.bytes_per_token.map_or("— (no decode budget)".to_string(), format::bytes)}</td></tr>
                <tr><td>"M_budget, memory for the model"</td><td>{format::bytes(b.memory_bytes)}</td></tr>
                <tr><td>"η = M̄d / M_budget"</td><td data-testid="theory-eta">{eta}</td></tr>
            </table>
            <p class="hint">"η compares the bytes one token may read with the bytes the model may store: for η ≥ 1 every design that fits in memory already meets the decode budget."</p>
        })
    };

    let law_note = move || {
        law.with(|l| match l {
            Law::Paper(_) => None,
            other => Some(view! {
                <p class="warnings" data-testid="theory-law-note">
                    {format!("ρ*(d) needs the paper law's form (κ_ρ·ρ^α_ρ/(r^α_r·d^β1) and κ_d/(r^α_r·d^β2) terms); the law in use is {}. Depth limits and the region below use it for loss only.", other.kind_name())}
                </p>
            }),
        })
    };

    let table = move || {
        let (rows, best_width, rho_min) = rows.get()?;
        let outside = rows.iter().find_map(|r| r.outside_grid);
        Some(view! {
            <div class="scroll">
                <table class="theory-table" data-testid="theory-table">
                    <thead><tr>
                        <th scope="col">"hidden d"</th>
                        <th scope="col">{format!("ρ*(d) in [{}, 1]", format::fixed(rho_min, 3))}</th>
                        <th scope="col">"l*(d)"</th>
                        <th scope="col">"limits depth"</th>
                        <th scope="col">"loss at l*"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! {
                            <tr class:best=Some(row.hidden) == best_width>
                                <td>{row.hidden}</td>
                                <td>{row.rho_star.map_or("— (paper law only)".to_string(), |r| format::fixed(r, 3))}</td>
                                <td class:outside=row.outside_grid.is_some()>{depth_text(row.depth, row.outside_grid)}</td>
                                <td>{binding_name(row.binding)}</td>
                                <td>{format::fixed(row.loss, 4)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="hint">"l*(d) at the slice's r, E:K and KV heads below; the highlighted width gives the lowest loss. Widths the slice cannot build are left out."</p>
            {outside.map(|(lo, hi)| view! {
                <p class="hint" data-testid="theory-outside-note">
                    {format!("l*(d) is the closed form's continuous depth. Values marked “outside the grid” lie beyond the layer counts searched ({lo}–{hi}): no candidate of the search or of the region below has that depth; widen the layers list to reach it.")}
                </p>
            })}
        })
    };

    let slice_controls = move || {
        search.space.get().ok().map(|space| {
            let spec = space.spec().clone();
            view! {
                <div class="chart-controls" role="group" aria-label="Dimensions held fixed in the region">
                    {slice_select("FFN ratio r", "theory-slice-r", spec.ffn_ratios, |r| r.to_string(), r_pick)}
                    {slice_select("experts E:K", "theory-slice-experts", spec.experts, |e| format!("{}:{}", e.experts, e.active), experts_pick)}
                    {slice_select("KV heads", "theory-slice-kv", spec.kv_heads, |k| k.to_string(), kv_pick)}
                </div>
            }
        })
    };

    let comparison = move || {
        let (grid_best, theory) = region.with(|r| {
            let r = r.as_ref()?;
            Some((
                r.best.map(|i| r.cells[i]),
                r.theory_best.map(|i| r.theory[i]),
            ))
        })?;
        let search_line = if example.get() {
            view! { <li>"The search above ran on this page's device; here the grid of the slice stands for the enumeration."</li> }.into_any()
        } else {
            match (best_design.get(), search.report.get()) {
                (Some((c, latency_s, pi)), Some(report)) => view! {
                    <li data-testid="theory-best-search">
                        {format!("Search, best under the budgets ({}, {}): loss {} at {} — {}",
                            search.objective.get().name(), report.evaluations.precisions[pi].name(),
                            format::fixed(c.loss, 4), format::seconds(latency_s), describe(&c, &report.space.spec().attention))}
                    </li>
                }.into_any(),
                _ => view! { <li data-testid="theory-best-search">"Search: no design meets the budgets yet."</li> }.into_any(),
            }
        };
        let grid_line = match grid_best {
            Some(c) => format!(
                "Best enumerated in the region: d = {}, l = {}, loss {}",
                c.hidden,
                c.layers,
                format::fixed(c.loss, 4)
            ),
            None => "Best enumerated in the region: no cell meets the budgets.".into(),
        };
        let theory_line = match theory {
            Some(t) => format!(
                "Theory: d = {}, l* = {} ({} binds), loss {}",
                t.hidden,
                depth_text(
                    t.depth,
                    rows.with(|r| r.as_ref().and_then(|r| r
                        .0
                        .iter()
                        .find(|row| row.hidden == t.hidden)
                        .and_then(|row| row.outside_grid)))
                ),
                binding_name(t.limits.binding().1),
                format::fixed(t.loss, 4)
            ),
            None => "Theory: no width allows a layer within the budgets.".into(),
        };
        Some(view! {
            <ul class="theory-best" data-testid="theory-best">
                {search_line}
                <li data-testid="theory-best-grid">{grid_line}</li>
                <li data-testid="theory-prediction">{theory_line}</li>
            </ul>
        })
    };

    view! {
        <section class="panel" aria-labelledby="theory-h" data-testid="theory-panel">
            <h2 id="theory-h">"Feasible designs (theory)"</h2>
            <div class="presets">
                <button type="button" data-testid="theory-worked-example" class:primary=move || example.get()
                    on:click=move |_| example.set(true)>{WORKED_EXAMPLE_LABEL}</button>
                {move || example.get().then(|| view! {
                    <button type="button" data-testid="theory-page-inputs" on:click=move |_| example.set(false)>"Back to this page's inputs"</button>
                })}
            </div>
            <p class="hint" data-testid="theory-setting">
                {move || format!("{}{}", if example.get() { "Worked example of the paper — " } else { "" }, setting.with(Setting::summary))}
            </p>
            {budgets_view}
            {law_note}
            <h3>"Expert ratio and depth per width"</h3>
            {table}
            <h3>"Feasible region over (d, l)"</h3>
            {slice_controls}
            {move || (grid_cells.get() > REGION_CELL_LIMIT).then(|| view! {
                <p class="warnings" data-testid="theory-region-too-large">
                    {format!("The region grid would have {} cells (hidden sizes × layers); it is evaluated up to {}. Shorten one of the two lists.",
                        format::grouped(grid_cells.get() as u64), format::grouped(REGION_CELL_LIMIT as u64))}
                </p>
            })}
            <HeatmapCanvas heatmap=Signal::derive(move || heatmap.get()) describe=describe_cell
                test_id="theory-heatmap" file_stem="feasible-region" />
            {comparison}
            <h3 id="trend-h">"Shape of the frontier designs along latency"</h3>
            <p class="hint">"Each line holds the value of the best design under a budget of that latency, until the next frontier design; click a legend entry to hide it."</p>
            <ChartCanvas chart=trend_chart_signal hover_series=trend_series
                describe=describe_trend test_id="trend-chart" file_stem="frontier-trends" height=360.0 />
        </section>
    }
}
