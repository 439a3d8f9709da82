//! Several devices side by side: the same space, law and workload searched on each, their
//! frontiers overlaid, and each device's best design under the budget in a table — each device
//! wants its own architecture.

use std::sync::Arc;

use leptos::prelude::*;

use super::chart_canvas::ChartCanvas;
use super::format;
use super::frontier_panel::describe;
use super::law_state::LawState;
use super::search_state::SearchState;
use super::state::Inputs;
use crate::model::search::search;
use crate::views::{device_frontier, devices_chart, DeviceFrontier};

/// Largest space compared across devices (each device is one more full search, run at once).
const MAX_COMPARE_CANDIDATES: u64 = 50_000;

#[component]
pub fn DevicesPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let law = expect_context::<LawState>().law;
    let search_state = expect_context::<SearchState>();
    let chosen = RwSignal::new(Vec::<usize>::new());

    let frontiers = Memo::new(move |_| -> Result<Vec<DeviceFrontier>, String> {
        let picked = chosen.get();
        if picked.len() < 2 {
            return Ok(Vec::new());
        }
        let space = search_state.space.get()?;
        if space.count() > MAX_COMPARE_CANDIDATES {
            return Err(format!(
                "comparing devices searches the space once per device; it works up to {} candidates (this space has {})",
                format::grouped(MAX_COMPARE_CANDIDATES),
                format::grouped(space.count())
            ));
        }
        let (law, workload, objective, budget) = (
            law.get(),
            inputs.workload.get(),
            search_state.objective.get(),
            search_state.budget_s.get(),
        );
        // The precision every figure of the page uses (Workload and precision).
        let precision = inputs.precision.get();
        let devices = inputs.devices.get();
        picked
            .iter()
            .filter_map(|i| devices.get(*i))
            .map(|d| {
                search(
                    &space,
                    &law,
                    d,
                    &[precision],
                    &workload,
                    &search_state.settings(),
                    &mut |_| std::ops::ControlFlow::Continue(()),
                )
                .map(|r| device_frontier(&r, objective, budget))
                .map_err(|e| e.to_string())
            })
            .collect()
    });
    let chart = Signal::derive(move || {
        frontiers.with(|f| match f {
            Ok(list) if !list.is_empty() => {
                Some(Arc::new(devices_chart(list, search_state.objective.get())))
            }
            _ => None,
        })
    });
    let tip = Callback::new(move |(series, point): (usize, usize)| {
        frontiers.with_untracked(|f| {
            f.as_ref()
                .ok()
                .and_then(|l| l.get(series))
                .and_then(|d| {
                    d.points.get(point).map(|p| {
                        format!("{}: {} at loss {:.4}", d.device, format::seconds(p.0), p.1)
                    })
                })
                .unwrap_or_default()
        })
    });

    view! {
        <details class="panel" data-testid="devices-panel">
            <summary><h2 class="inline">"Compare devices"</h2></summary>
            <p class="hint">{move || format!(
                "Tick two or more devices: the same space, law and workload are searched on each, in {} (the page's precision); the table shows each one's best design under {} (or its fastest-loss end without a budget).",
                inputs.precision.get().name(),
                search_state.budget.get().map_or("the budget".to_string(), |b| inputs.workload.with(|w| b.describe(w))))}</p>
            <div class="device-checks">
                {move || inputs.devices.get().iter().enumerate().map(|(i, d)| view! {
                    <label class="check">
                        <input type="checkbox" data-testid=format!("compare-device-{i}")
                            prop:checked=move || chosen.with(|c| c.contains(&i))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { c.retain(|x| *x != i); if on { c.push(i) } });
                            } />
                        {format!(" {}", d.name())}
                    </label>
                }).collect_view()}
            </div>
            {move || frontiers.get().err().map(|e| view! { <p class="error">{e}</p> })}
            {move || chart.with(|c| c.is_some()).then(|| view! {
                <ChartCanvas chart=chart hover_series=(0..16).collect() describe=tip test_id="devices-chart" file_stem="devices" height=360.0 />
            })}
            {move || frontiers.get().ok().filter(|l| !l.is_empty()).map(|list| view! {
                <table class="compare" data-testid="devices-best">
                    <thead><tr><th scope="col">"device"</th><th scope="col">"best design"</th><th scope="col">"latency"</th><th scope="col">"loss"</th></tr></thead>
                    <tbody>
                        {list.iter().map(|f| view! {
                            <tr>
                                <td>{f.device.clone()}</td>
                                <td>{f.best.map(|c| describe(&c, &search_state.space.get_untracked().map(|s| s.spec().attention.clone()).unwrap_or_default())).unwrap_or_else(|| "none meets the budget".into())}</td>
                                <td>{format::seconds(f.best_latency_s)}</td>
                                <td>{format::fixed(f.best_loss, 4)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </details>
    }
}
