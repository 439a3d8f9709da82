//! Several devices side by side: the same space, law and workload searched on each, their
//! frontiers overlaid, and each device's best design under the budget in a table — each device
//! wants its own architecture.

use std::sync::Arc;

use leptos::prelude::*;

use super::chart_canvas::ChartCanvas;
use super::format;
use super::frontier_panel::describe;
use super::latest::Latest;
use super::law_state::LawState;
use super::search_slices::run_in_slices;
use super::search_state::SearchState;
use super::state::Inputs;
use crate::model::search::{SearchReport, SearchRun};
use crate::views::{device_frontier, devices_chart, DeviceFrontier};

/// Largest space compared across devices (each device is one more full search).
const MAX_COMPARE_CANDIDATES: u64 = 50_000;

#[component]
pub fn DevicesPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let law = expect_context::<LawState>().law;
    let search_state = expect_context::<SearchState>();
    let chosen = RwSignal::new(Vec::<usize>::new());

    // One search per device, each run in time slices like the main search (a newer change
    // stops the ones under way); the frontiers are read from the finished reports, so a new
    // objective or budget needs no new search.
    let reports = RwSignal::new(Ok(Vec::<Arc<SearchReport>>::new()));
    let running = RwSignal::new(None::<(usize, usize)>);
    let latest = Latest::new();
    Effect::new(move |_| {
        let ticket = latest.next();
        running.set(None);
        let picked = chosen.get();
        if picked.len() < 2 {
            reports.set(Ok(Vec::new()));
            return;
        }
        let space = match search_state.space.get() {
            Ok(s) => s,
            Err(e) => {
                reports.set(Err(e));
                return;
            }
        };
        if space.count() > MAX_COMPARE_CANDIDATES {
            reports.set(Err(format!(
                "comparing devices searches the space once per device; it works up to {} candidates (this space has {})",
                format::grouped(MAX_COMPARE_CANDIDATES),
                format::grouped(space.count())
            )));
            return;
        }
        let (law, workload, settings) = (law.get(), inputs.workload.get(), search_state.settings());
        // The precision every figure of the page uses (Workload and precision).
        let precision = inputs.precision.get();
        let devices: Vec<_> = inputs
            .devices
            .with(|all| picked.iter().filter_map(|i| all.get(*i).cloned()).collect());
        let runs: Result<Vec<SearchRun>, String> = devices
            .iter()
            .map(|d| {
                SearchRun::new(&space, &law, d, &[precision], &workload, &settings)
                    .map_err(|e| e.to_string())
            })
            .collect();
        let runs = match runs {
            Ok(r) => r,
            Err(e) => {
                reports.set(Err(e));
                return;
            }
        };
        let total = runs.len();
        leptos::task::spawn_local(async move {
            let mut done = Vec::with_capacity(total);
            for (k, run) in runs.into_iter().enumerate() {
                running.set(Some((k + 1, total)));
                let Some((report, _)) = run_in_slices(run, ticket, |_| {}).await else {
                    return;
                };
                done.push(Arc::new(report));
            }
            if ticket.is_current() {
                running.set(None);
                reports.set(Ok(done));
            }
        });
    });
    let frontiers = Memo::new(move |_| -> Result<Vec<DeviceFrontier>, String> {
        let (objective, budget) = (search_state.objective.get(), search_state.budget_s.get());
        reports.with(|r| match r {
            Ok(list) => Ok(list
                .iter()
                .map(|r| device_frontier(r, objective, budget))
                .collect()),
            Err(e) => Err(e.clone()),
        })
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
            {move || running.get().map(|(k, n)| view! { <p class="hint" role="status" data-testid="devices-progress">{format!("searching device {k} of {n}…")}</p> })}
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
