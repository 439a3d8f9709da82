//! Main-area panel for the fit: quality, coefficients with intervals, warnings, "use this law",
//! and the loaded data (preview, derived columns, row issues, column mapping).

use std::sync::Arc;

use leptos::prelude::*;

use super::chart_canvas::ChartCanvas;
use super::format;
use super::law_state::{LawState, LossData};
use crate::model::fit::{data_ranges, fit_concerns};
use crate::model::law::{Law, Variable};
use crate::model::loss_csv::{ColumnMapping, ColumnRole};
use crate::views::{fit_chart, residual_chart};

/// Rows shown in the preview table.
const PREVIEW_ROWS: usize = 12;

fn r2_text(r2: Option<f64>) -> String {
    r2.map_or("—".into(), |v| format::fixed(v, 4))
}

#[component]
fn FitReportView() -> impl IntoView {
    let state = expect_context::<LawState>();
    let use_error = RwSignal::new(None::<String>);
    let confirmed = RwSignal::new(false);
    move || {
        state.report.get().map(|r| {
            confirmed.set(false);
            let concerns = fit_concerns(&r);
            let doubtful = !concerns.is_empty();
            let concerns_for_use = concerns.clone();
            let names = r.law.param_names();
            let meanings = r.law.param_meanings();
            let values = r.law.params();
            let intervals = r.intervals.clone();
            let held = r.held_out;
            let law_for_use = r.law.clone();
            let file = state.data.with(|d| d.as_ref().map(|d| d.file_name.clone()).unwrap_or_default());
            view! {
                <div class="fit-report" data-testid="fit-report">
                    <p>
                        <strong>{r.law.kind_name()}</strong>" law · "
                        {format!("{} ({} evaluations, {} starts)", r.termination, r.evaluations, r.starts)}
                    </p>
                    <div class="cards">
                        <div class="card"><span>{format!("R² train ({} rows)", r.train.rows)}</span><strong data-testid="fit-r2-train">{r2_text(r.train.r2)}</strong></div>
                        <div class="card"><span>{format!("R² held-out ({} rows)", held.map_or(0, |q| q.rows))}</span><strong data-testid="fit-r2-heldout">{r2_text(held.and_then(|q| q.r2))}</strong></div>
                        <div class="card"><span>"RMSE train / held-out"</span><strong>{format!("{} / {}", format::fixed(r.train.rmse, 4), held.map_or("—".into(), |q| format::fixed(q.rmse, 4)))}</strong></div>
                        <div class="card"><span>"MAE train / held-out"</span><strong>{format!("{} / {}", format::fixed(r.train.mae, 4), held.map_or("—".into(), |q| format::fixed(q.mae, 4)))}</strong></div>
                    </div>
                    <table class="coefficients" data-testid="fit-coefficients">
                        <thead><tr><th scope="col">"parameter"</th><th scope="col">"meaning"</th><th scope="col">"value"</th>
                            <th scope="col">{format!("{:.0} % interval ({} resamples)", 95.0, r.bootstrap_resamples)}</th></tr></thead>
                        <tbody>
                            {names.into_iter().enumerate().map(|(i, name)| {
                                let ci = intervals.get(i).map_or("—".to_string(), |c| format!("[{}, {}]", sig(c.lower), sig(c.upper)));
                                view! {
                                    <tr>
                                        <td>{name}</td>
                                        <td class="meaning">{meanings.get(i).cloned().unwrap_or_default()}</td>
                                        <td data-testid=format!("fit-param-{i}")>{sig(values[i])}</td>
                                        <td data-testid=format!("fit-ci-{i}")>{ci}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <ul class="warnings" data-testid="fit-warnings">
                        {r.warnings.iter().map(|w| view! { <li>{w.to_string()}</li> }).collect_view()}
                    </ul>
                    {doubtful.then(|| view! {
                        <div class="trust" data-testid="fit-concerns">
                            <p><strong>"Before you use this law for the search:"</strong></p>
                            <ul class="warnings">
                                {concerns.iter().map(|c| view! { <li>{c.to_string()}</li> }).collect_view()}
                            </ul>
                            <label class="check"><input type="checkbox" data-testid="fit-use-confirm"
                                prop:checked=move || confirmed.get()
                                on:change=move |ev| confirmed.set(event_target_checked(&ev)) />
                                " I understand; use it anyway"</label>
                        </div>
                    })}
                    <button type="button" class="primary" data-testid="fit-use"
                        disabled=move || doubtful && !confirmed.get()
                        on:click=move |_| {
                            // A formula over column names is bound to what candidates supply;
                            // a law that cannot rank them is refused, never shown "in use".
                            let law = match &law_for_use {
                                Law::Custom(c) => state.data.with_untracked(|d| match d {
                                    Some(d) => d.table.bind_law(c).map(Law::Custom).map_err(|e| e.to_string()),
                                    None => Err("load the loss file again: the law's columns are bound through it".to_string()),
                                }),
                                other => Ok(other.clone()),
                            };
                            match law {
                                Ok(law) => {
                                    use_error.set(None);
                                    let ranges = state.data.with_untracked(|d| d.as_ref().map(|d| data_ranges(&law, &d.table)).unwrap_or_default());
                                    state.use_law(law, format!("fitted to {file}"), concerns_for_use.clone(), ranges);
                                }
                                Err(e) => use_error.set(Some(e)),
                            }
                        }>"Use this law for the search"</button>
                    {move || use_error.get().map(|e| view! { <p class="error" role="alert" data-testid="fit-use-error">{e}</p> })}
                </div>
            }
        })
    }
}

/// Four significant digits, plain or scientific, "—" when not finite.
fn sig(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}

#[component]
fn DataView() -> impl IntoView {
    let state = expect_context::<LawState>();
    let remap_error = RwSignal::new(None::<String>);
    let remap = move |header: String, role: Option<ColumnRole>| {
        let Some(d) = state.data.get_untracked() else {
            return;
        };
        let mapping: ColumnMapping = d.mapping.clone().with(&header, role);
        match LossData::parse(&d.file_name, d.text.clone(), mapping) {
            Ok(new) => {
                remap_error.set(None);
                state.set_data(Some(new));
            }
            Err(e) => remap_error.set(Some(e)),
        }
    };
    move || {
        state.data.get().map(|d| {
            let t = &d.table;
            let synthetic = d.is_synthetic();
            let header_row = t.headers.clone();
            // Derived law features (r, ρ, d_m) shown next to the raw columns they come from.
            let derived = [Variable::FfnRatio, Variable::Rho, Variable::KvWidth];
            let rows: Vec<Vec<String>> = t.rows.iter().take(PREVIEW_ROWS).map(|r| {
                let mut cells: Vec<String> = r.raw.iter().map(|v| v.map_or("—".into(), |x| format!("{x}"))).collect();
                for v in derived {
                    cells.push(r.feature(v).map_or("—".into(), |x| format::fixed(x, 3)));
                }
                cells.push(format::fixed(r.loss, 4));
                cells
            }).collect();
            let unrecognised = t.unrecognised.clone();
            view! {
                <div class="data-view" data-testid="loss-data">
                    <p>
                        <strong data-testid="loss-file-name">{d.file_name.clone()}</strong>
                        {format!(": {} good rows, {} with issues", t.rows.len(), t.issues.len())}
                        {synthetic.then(|| view! { <span class="badge" data-testid="loss-synthetic">"SYNTHETIC: generated from the published law, not real training results"</span> })}
                    </p>
                    <ul class="notes">{t.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
                    <ul class="errors" data-testid="loss-issues">
                        {t.issues.iter().map(|i| view! { <li class="error">{i.in_file(&d.file_name)}</li> }).collect_view()}
                    </ul>
                    {(!unrecognised.is_empty()).then(|| view! {
                        <div class="mapping" data-testid="loss-mapping">
                            <p>"Columns not recognised — say what they are:"</p>
                            {unrecognised.into_iter().map(|h| {
                                let header = h.clone();
                                view! {
                                    <label>{h.clone()}" "
                                        <select on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            let role = ColumnRole::ALL.into_iter().find(|r| r.name() == v);
                                            remap(header.clone(), role);
                                        }>
                                            <option value="">"(not used)"</option>
                                            {ColumnRole::ALL.iter().map(|r| view! { <option value=r.name()>{r.name()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    })}
                    {move || remap_error.get().map(|e| view! { <p class="error">{e}</p> })}
                    <details>
                        <summary>{format!("Preview (first {} rows)", rows.len())}</summary>
                        <div class="scroll">
                            <table class="preview" data-testid="loss-preview">
                                <thead><tr>{header_row.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}{derived.iter().map(|v| view! { <th scope="col" class="derived" title=v.meaning()>{format!("{} (derived)", v.symbol())}</th> }).collect_view()}<th scope="col">"loss (used)"</th></tr></thead>
                                <tbody>{rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                            </table>
                        </div>
                    </details>
                </div>
            }
        })
    }
}

#[component]
fn FitCharts() -> impl IntoView {
    let state = expect_context::<LawState>();
    let fit = Signal::derive(move || {
        state
            .report
            .with(|r| r.as_ref().map(|r| Arc::new(fit_chart(r))))
    });
    let residuals = Signal::derive(move || {
        state
            .report
            .with(|r| r.as_ref().map(|r| Arc::new(residual_chart(r))))
    });
    // Point k of series 0 (train) or 1 (held-out) is the k-th such row of the report.
    let describe = Callback::new(move |(series, point): (usize, usize)| {
        state.report.with_untracked(|r| {
            let Some(r) = r else { return String::new() };
            r.points
                .iter()
                .filter(|p| p.held_out == (series == 1))
                .nth(point)
                .map(|p| {
                    format!(
                        "line {}: observed {:.4}, predicted {:.4}",
                        p.line, p.observed, p.predicted
                    )
                })
                .unwrap_or_default()
        })
    });
    move || {
        state.report.with(|r| r.is_some()).then(|| view! {
            <div class="fit-charts">
                <ChartCanvas chart=fit hover_series=vec![0, 1] describe=describe test_id="fit-chart" file_stem="fit" height=340.0 />
                <ChartCanvas chart=residuals hover_series=vec![0, 1] describe=describe test_id="residual-chart" file_stem="residuals" height=340.0 />
            </div>
        })
    }
}

#[component]
pub fn FitPanel() -> impl IntoView {
    let state = expect_context::<LawState>();
    view! {
        <section class="panel" aria-labelledby="fit-h" class:hidden=move || state.data.with(|d| d.is_none()) && state.report.with(|r| r.is_none())>
            <h2 id="fit-h">"Scaling-law fit"</h2>
            <FitReportView/>
            <FitCharts/>
            <DataView/>
        </section>
    }
}
