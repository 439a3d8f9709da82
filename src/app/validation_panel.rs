//! How far to trust the latencies: the published runs shipped with the page against the
//! page's predictions of them (rated, calibrated, held out), per device and runtime. Scored
//! when the section is first opened, one group per task so the page stays responsive. The
//! user's own measurements (the calibration panel's) join as a group of their own.

use std::sync::Arc;

use leptos::prelude::*;

use super::calibration_panel::{RunsInUse, YourRuns};
use super::chart_canvas::ChartCanvas;
use super::format;
use super::search_state::yield_to_browser;
use crate::model::csv_reader::RowIssue;
use crate::model::published::{
    group_keys, held_out_target_pct, parse_published_csv, published_runs, user_runs,
    validation_devices, GroupScore, Mape, PublishedRun, Validation, DECODE_TARGET_PCT,
    MIN_GROUP_PHASES, PREFILL_TARGET_PCT, PUBLISHED_CSV, PUBLISHED_FILE, USER_RUNTIME,
};
use crate::model::roofline::Phase;
use crate::views::{validation_chart, Predicted};

/// The runs, the rows left out, and the groups scored so far of how many.
#[derive(Clone)]
struct Scored {
    runs: Arc<Vec<PublishedRun>>,
    left_out: Arc<Vec<RowIssue>>,
    validation: Arc<Validation>,
    groups: usize,
    /// Groups of published runs; any after them are the user's.
    published_groups: usize,
    /// The user's file (or pasted benchmark) when their runs are scored too.
    yours: Option<String>,
    /// Every group scored and the runtime priors applied: the figures are final.
    settled: bool,
}

/// The same runs and scores (shared, never edited in place): cheap for a memo to compare.
impl PartialEq for Scored {
    fn eq(&self, o: &Self) -> bool {
        Arc::ptr_eq(&self.runs, &o.runs)
            && Arc::ptr_eq(&self.validation, &o.validation)
            && self.groups == o.groups
            && self.yours == o.yours
            && self.settled == o.settled
    }
}

/// `s` with the user's runs appended and scored as one group (a few milliseconds).
fn with_yours(s: Scored, yours: Option<Arc<RunsInUse>>) -> Scored {
    let Some(y) = yours else { return s };
    let (device, measurements, file) = &*y;
    let mine = user_runs(device, measurements, file);
    if mine.is_empty() {
        return s;
    }
    let mut runs = (*s.runs).clone();
    runs.extend(mine);
    let mut v = (*s.validation).clone();
    let published_groups = v.groups.len();
    v.add_group(
        &runs,
        &(device.name().to_string(), USER_RUNTIME.to_string()),
    );
    Scored {
        runs: Arc::new(runs),
        validation: Arc::new(v),
        groups: s.groups + 1,
        published_groups,
        yours: Some(file.clone()),
        ..s
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.1} %"))
}

/// A row's cells; `target`: whether its held-out error meets the issue's target, and the
/// target, for a group that counts; `why`: what its rows and fits show, for one that misses.
fn mape_cells(m: &Mape, target: Option<(bool, f64)>, why: &str) -> impl IntoView {
    let some = m.phases > 0;
    let (class, title) = match target {
        Some((true, t)) => ("", format!("within the held-out target of {t:.0} %")),
        Some((false, t)) => (
            "over",
            format!("above the held-out target of {t:.0} %: trust this device's predictions of other models less. {why}"),
        ),
        None => ("", String::new()),
    };
    view! {
        <td>{if some { m.phases.to_string() } else { "–".into() }}</td>
        <td>{pct(some.then_some(m.rated))}</td>
        <td>{pct(some.then_some(m.calibrated))}</td>
        <td class=class title=title>{pct(m.held_out)}{(class == "over").then_some(" ▲")}</td>
    }
}

/// [`mape_cells`] of a group's phase, with its target.
fn group_cells(g: &GroupScore, phase: Phase) -> impl IntoView {
    let m = g.mape(phase);
    let target = g.meets_target(phase);
    // Worked out only for a cell that misses its target.
    let why = if target == Some(false) {
        g.caveat_summary(phase)
    } else {
        String::new()
    };
    mape_cells(m, target.map(|ok| (ok, held_out_target_pct(phase))), &why)
}

#[component]
pub fn ValidationPanel() -> impl IntoView {
    let scored = RwSignal::new(None::<Scored>);
    let yours = expect_context::<YourRuns>();
    let started = StoredValue::new(false);
    let which = RwSignal::new(Predicted::Calibrated);
    let phase = RwSignal::new(Phase::Decode);
    let start = move || {
        if started.get_value() {
            return;
        }
        started.set_value(true);
        leptos::task::spawn_local(async move {
            yield_to_browser().await;
            let rows = match parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV) {
                Ok(r) => r.good,
                Err(_) => Vec::new(),
            };
            let (runs, left_out) = published_runs(&rows, &validation_devices());
            let (runs, left_out) = (Arc::new(runs), Arc::new(left_out));
            let keys = group_keys(&runs);
            let mut v = Validation {
                groups: Vec::new(),
                phases: Vec::new(),
            };
            // The groups scored so far, shown as they come; `settled` once final.
            let show = |v: &Validation, settled: bool| {
                scored.set(Some(Scored {
                    runs: runs.clone(),
                    left_out: left_out.clone(),
                    validation: Arc::new(v.clone()),
                    groups: keys.len(),
                    published_groups: v.groups.len(),
                    yours: None,
                    settled,
                }))
            };
            for key in &keys {
                yield_to_browser().await;
                v.add_group(&runs, key);
                show(&v, false);
            }
            // Fits that could not separate the overhead, refitted at their runtime's typical
            // one: a group per task, as above.
            let priors = v.overhead_priors();
            for (g, p) in priors.iter().enumerate() {
                yield_to_browser().await;
                v.apply_prior(&runs, g, p);
            }
            show(&v, true);
        });
    };
    // The published runs scored so far, and the user's once those are done.
    let scored = Memo::new(move |_| {
        let s = scored.get()?;
        Some(if s.settled {
            with_yours(s, yours.0.get())
        } else {
            s
        })
    });
    let chart_and_points = Memo::new(move |_| {
        scored.with(|s| {
            s.as_ref().map(|s| {
                let vc = validation_chart(&s.validation, &s.runs, which.get(), phase.get());
                (Arc::new(vc.chart), Arc::new(vc.points))
            })
        })
    });
    let chart = Signal::derive(move || chart_and_points.with(|c| c.as_ref().map(|c| c.0.clone())));
    let hover =
        Signal::derive(move || chart_and_points.with(|c| c.as_ref().map_or(0, |c| c.1.len())));
    let describe = Callback::new(move |(series, point): (usize, usize)| {
        let Some((_, points)) = chart_and_points.get_untracked() else {
            return String::new();
        };
        scored
            .with_untracked(|s| {
                let s = s.as_ref()?;
                let i = *points.get(series)?.get(point)?;
                let p = s.validation.phases.get(i)?;
                let r = &s.runs.get(p.run)?.row;
                let predicted = which.get_untracked().of(p)?;
                Some(format!(
                    "line {}: {} · {} · {} {} — published {}, predicted {} ({:+.1} %) — {}",
                    r.line,
                    r.device,
                    r.runtime_label(),
                    r.model,
                    r.weight_format,
                    format::seconds(p.measured_s),
                    format::seconds(predicted),
                    p.error_pct(predicted),
                    r.source_detail
                ))
            })
            .unwrap_or_default()
    });
    view! {
        <section class="panel" aria-labelledby="validation-h" data-testid="validation">
            <h2 id="validation-h">"How close are the predictions? Published runs"</h2>
            <p class="hint">"Every run of the shipped measurement set (public/data/measurements.csv, each row with its source) that the page can build, predicted on its rated device: by the rated roofline (a lower bound), calibrated on its device and runtime, and held out (calibrated without the runs of its own model). Rows of one model cannot tell the overhead per layer from the bandwidth fraction: such a fit (or any whose rows could not separate them) holds the overhead at the median of the same runtime's other devices that fitted theirs from two or more models, without the predicted model's rows, where at least two have one and they agree within a factor of 2 (the middle half of them, with four or more); marked “held”. The measured devices in the device list are these calibrations. Measurements you load in the calibration panel join as a group of their own, on the device you calibrated."</p>
            // The first toggle is an opening: score then (once).
            <details on:toggle=move |_| start()>
                <summary data-testid="validation-open">"Validate against published runs"</summary>
                {move || match scored.get() {
                    None => view! { <p class="hint" data-testid="validation-progress">"Scoring…"</p> }.into_any(),
                    Some(s) => {
                        let v = s.validation.clone();
                        let done = s.settled;
                        let published = s.published_groups;
                        let overall = |k| v.overall_where(k, |g| g < published);
                        let (dec, pre) = (overall(Phase::Decode), overall(Phase::Prefill));
                        let mine = |k| v.overall_where(k, |g| g >= published);
                        let (my_dec, my_pre) = (mine(Phase::Decode), mine(Phase::Prefill));
                        let your_rows = s.yours.clone().map(|file| view! {
                            <tr data-testid="validation-yours"><td>{format!("decode, yours ({file})")}</td>{mape_cells(&my_dec, None, "")}</tr>
                            <tr><td>{format!("prefill, yours ({file})")}</td>{mape_cells(&my_pre, None, "")}</tr>
                        });
                        let above: Vec<_> = v.above_bound().map(|p| {
                            let r = &s.runs[p.run].row;
                            let place = if r.runtime == USER_RUNTIME { r.source_detail.clone() } else { format!("line {}", r.line) };
                            format!("{place} ({} · {} · {} {}): {} measured {}, the rated roofline allows no less than {}",
                                r.device, r.runtime_label(), r.model, r.weight_format,
                                p.phase.name(),
                                format::seconds(p.measured_s), format::seconds(p.rated_s))
                        }).collect();
                        // Rows each group's calibration set aside (far off the others), by line.
                        let set_aside: Vec<String> = v.groups.iter().flat_map(|g| {
                            let group = format!("{} · {}", g.device.name(), g.runtime);
                            g.report.set_aside().map(move |(line, label, ratio)| {
                                format!("line {line} ({group}: {label}): measured {ratio:.2}× what the group's other rows predict")
                            })
                        }).collect();
                        view! {
                            <p class="hint" data-testid="validation-progress">{if done {
                                let yours = s.yours.as_ref().map_or_else(String::new, |f| format!(" Your measurements ({f}, from the calibration panel) are scored as one more group."));
                                format!("{} runs in {} device × runtime groups; {} rows left out (listed below).{yours}", s.runs.len(), s.groups, s.left_out.len())
                            } else {
                                format!("Scoring… {} of {} groups{}", v.groups.len(), s.groups,
                                    if v.groups.len() >= s.groups { ", then refitting the overheads their rows cannot separate…" } else { "" })
                            }}</p>
                            <table class="facts" data-testid="validation-overall">
                                <thead><tr><th scope="col">"mean abs. % error"</th><th scope="col">"phases"</th><th scope="col">"rated"</th><th scope="col">"calibrated"</th><th scope="col">"held out"</th></tr></thead>
                                <tbody>
                                    <tr><td>"decode"</td>{mape_cells(&dec, None, "")}</tr>
                                    <tr><td>"prefill"</td>{mape_cells(&pre, None, "")}</tr>
                                    {your_rows}
                                </tbody>
                            </table>
                            <p class="hint" data-testid="validation-targets">{
                                let (met, counted) = v.targets_met(|g| g < published);
                                format!("Held-out targets (decode ≤ {DECODE_TARGET_PCT:.0} %, prefill ≤ {PREFILL_TARGET_PCT:.0} %, in each device × runtime group with at least {MIN_GROUP_PHASES} measured phases): met in {met} of {counted} group phases; ▲ in the table below marks the others.")
                            }</p>
                            <div class="controls">
                                <label>"Prediction "
                                    <select data-testid="validation-which" on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some(p) = Predicted::ALL.into_iter().find(|p| p.name() == v) { which.set(p) }
                                    }>
                                        {Predicted::ALL.into_iter().map(|p| view! {
                                            <option value=p.name() selected=move || which.get() == p>{p.name()}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                " "
                                <label>"Phase "
                                    <select data-testid="validation-phase" on:change=move |ev| {
                                        phase.set(if event_target_value(&ev) == "prefill" { Phase::Prefill } else { Phase::Decode })
                                    }>
                                        <option value="decode" selected=move || phase.get() == Phase::Decode>"decode"</option>
                                        <option value="prefill" selected=move || phase.get() == Phase::Prefill>"prefill"</option>
                                    </select>
                                </label>
                            </div>
                            {move || {
                                let series: Vec<usize> = (0..hover.get()).collect();
                                view! { <ChartCanvas chart=chart hover_series=series describe=describe test_id="validation-chart" file_stem="validation" height=360.0 /> }
                            }}
                            <div class="scroll">
                                <table class="calib-rows mape-table" data-testid="validation-groups">
                                    <caption>{format!("Mean absolute percentage error per rated device and runtime; groups with fewer than {MIN_GROUP_PHASES} measured phases are not offered as measured devices.")}</caption>
                                    <thead>
                                        <tr><th scope="col" rowspan="2">"device"</th><th scope="col" rowspan="2">"runtime"</th><th scope="col" rowspan="2">"models"</th>
                                            <th scope="col" colspan="4">"decode"</th><th scope="col" colspan="4">"prefill"</th>
                                            <th scope="col" rowspan="2" title="bandwidth fraction (in brackets: weight formats fitted with a fraction of their own) · compute fraction · overhead per layer and forward step">"fitted b · c · overhead per layer"</th></tr>
                                        <tr><th scope="col">"n"</th><th scope="col">"rated"</th><th scope="col">"calibrated"</th><th scope="col">"held out"</th>
                                            <th scope="col">"n"</th><th scope="col">"rated"</th><th scope="col">"calibrated"</th><th scope="col">"held out"</th></tr>
                                    </thead>
                                    <tbody>
                                        {v.groups.iter().map(|g| view! {
                                            <tr>
                                                <td>{g.device.name().to_string()}{g.device.is_bandwidth_only().then(|| view! { <span class="hint" title="No compute peak is published for this device: its decode rows are predicted from bandwidth alone, its prefill rows are left out, and it is not offered as a measured device."> " (bandwidth only)"</span> })}</td><td>{g.runtime.clone()}</td><td>{g.models}</td>
                                                {group_cells(g, Phase::Decode)}{group_cells(g, Phase::Prefill)}
                                                <td>{format!("{:.2}{} · {:.2} · {}", g.report.bandwidth_fraction,
                                                    g.report.format_bandwidth.iter().map(|f| format!(" ({} {:.2})", f.format, f.fraction)).collect::<String>(),
                                                    g.report.compute_fraction, format::seconds(g.report.layer_overhead_s))}
                                                    {g.overhead_prior.map(|p| view! { <span class="hint" title=format!("These rows cannot separate the overhead from the bandwidth fraction (rows of one model), so it is held at the median of {} other {} devices' fitted overheads.", p.devices, g.runtime)>" (held)"</span> })}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {
                                let over: Vec<String> = v.groups.iter().take(published)
                                    .filter(|g| !g.missed_targets().is_empty())
                                    .map(|g| {
                                        let phases: Vec<&str> = g.missed_targets().iter().map(|p| p.name()).collect();
                                        format!("{} · {} ({}): {}", g.device.name(), g.runtime, phases.join(", "), g.missed_summary())
                                    })
                                    .collect();
                                (!over.is_empty()).then(|| view! {
                                    <details data-testid="validation-caveats">
                                        <summary>{if over.len() == 1 { "Why 1 group misses the held-out target".to_string() } else { format!("Why {} groups miss the held-out target", over.len()) }}</summary>
                                        <ul>{over.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                                    </details>
                                })
                            }
                            <p data-testid="validation-above-bound" class=if above.is_empty() { "hint" } else { "warnings" }>
                                {if above.is_empty() {
                                    "No run is faster than its rated roofline allows.".to_string()
                                } else {
                                    format!("{} measured phase(s) faster than the rated roofline allows — a roofline is a bound, so the device spec or the row is wrong:", above.len())
                                }}
                            </p>
                            <ul>{above.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                            {(!set_aside.is_empty()).then(|| view! {
                                <p class="hint" data-testid="validation-set-aside" title="A phase more than twice as slow or fast as the rest of its group predicts is left out of that group's fit (when such phases are at most a third), so one wrong row does not pull the fractions; it still counts in every error above.">
                                    {format!("{} measured phase(s) left out of their group's fit, far off the others (still counted in the errors):", set_aside.len())}
                                </p>
                                <ul>{set_aside.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                            })}
                            <details>
                                <summary>{format!("Rows the page cannot predict ({})", s.left_out.len())}</summary>
                                <ul data-testid="validation-left-out">
                                    {s.left_out.iter().map(|e| view! {
                                        <li>{format!("{PUBLISHED_FILE} line {}, column {}: {}", e.line, e.column.clone().unwrap_or_default(), e.message)}</li>
                                    }).collect_view()}
                                </ul>
                            </details>
                        }.into_any()
                    }
                }}
            </details>
        </section>
    }
}
