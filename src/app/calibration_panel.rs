//! Calibration of the selected device from measured latencies (issue: roofline numbers far
//! from what people measure): upload measurements, fit the achievable fractions of bandwidth
//! and compute and an overhead per layer and step, compare before and after, add the calibrated device.
//! llama-bench and Ollama output join the measurements (see [`super::bench_paste`]).

use std::sync::Arc;

use leptos::prelude::*;

use super::bench_paste::{BenchPaste, BenchRows};
use super::chart_canvas::ChartCanvas;
use super::file_drop::FileDrop;
use super::files::download_text;
use super::format;
use super::state::{Derived, Inputs};
use crate::model::calibrate::{
    calibrate, calibrated_device, parse_measurements_csv, CalibrationRecord, CalibrationReport,
    Measurement, EXAMPLE_MEASUREMENTS_CSV, MEASUREMENTS_TEMPLATE_CSV,
};
use crate::model::device::Device;
use crate::views::calibration_chart;

/// The measurements in use for calibration (device, runs, file label): the validation view
/// scores them beside the published runs.
#[derive(Clone, Copy)]
pub struct YourRuns(pub RwSignal<Option<Arc<RunsInUse>>>);

/// The device calibrated, its measurements, and the file (or paste) they came from.
pub type RunsInUse = (Device, Vec<Measurement>, String);

/// The device the illustrative example was generated for.
const EXAMPLE_DEVICE: &str = "Jetson Orin Nano Super 8GB";

#[component]
pub fn CalibrationPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let derived = expect_context::<Derived>();
    let error = RwSignal::new(None::<String>);
    let result = RwSignal::new(None::<(Device, Vec<Measurement>, CalibrationReport, String)>);
    let yours = expect_context::<YourRuns>();
    Effect::new(move |_| {
        let runs = result.with(|r| {
            r.as_ref()
                .map(|(d, ms, _, name)| Arc::new((d.clone(), ms.clone(), name.clone())))
        });
        yours.0.set(runs);
    });

    let run = move |name: String, text: String| {
        let table = match parse_measurements_csv(&name, &text) {
            Ok(t) => t,
            Err(e) => {
                error.set(Some(e.to_string()));
                return;
            }
        };
        let issues: Vec<String> = table.issues.iter().map(|i| i.in_file(&name)).collect();
        let device = derived.device.get_untracked();
        // A file with a device column holds runs of several devices: fit the selected one's.
        let named = table.devices();
        let rows = if named.is_empty() {
            table.measurements.clone()
        } else {
            let mine = table.for_device(device.name());
            if mine.is_empty() {
                error.set(Some(format!(
                    "{name}: its measurements are for {}; select one of those devices to calibrate it",
                    named.join(", ")
                )));
                return;
            }
            mine
        };
        match calibrate(&device, &rows) {
            Ok(report) => {
                error.set((!issues.is_empty()).then(|| issues.join("; ")));
                result.set(Some((device, rows, report, name)));
            }
            Err(e) => error.set(Some(format!("{name}: {e}"))),
        }
    };
    // Benchmark runs join the measurements already in use for the selected device.
    let on_bench = Callback::new(move |b: BenchRows| {
        let device = derived.device.get_untracked();
        let (mut rows, mut label) = result.with_untracked(|r| match r {
            Some((d, ms, _, name)) if d.name() == device.name() => {
                (ms.clone(), format!("{name} + "))
            }
            _ => (Vec::new(), String::new()),
        });
        rows.extend(b.rows);
        label.push_str(&b.label);
        match calibrate(&device, &rows) {
            Ok(report) => {
                error.set((!b.issues.is_empty()).then(|| b.issues.join("; ")));
                result.set(Some((device, rows, report, label)));
            }
            Err(e) => error.set(Some(format!("{}: {e}", b.label))),
        }
    });
    let on_text = Callback::new(move |(name, text): (String, String)| run(name, text));
    let on_error = Callback::new(move |m: String| error.set(Some(m)));
    let load_example = move |_| {
        if let Some(i) = inputs
            .devices
            .with_untracked(|d| d.iter().position(|x| x.name() == EXAMPLE_DEVICE))
        {
            inputs.select_device(i);
        }
        run(
            "orin-nano-measurements.csv".into(),
            EXAMPLE_MEASUREMENTS_CSV.into(),
        );
    };
    let chart = Signal::derive(move || {
        result.with(|r| {
            r.as_ref()
                .map(|(_, _, rep, _)| Arc::new(calibration_chart(rep)))
        })
    });
    let describe = Callback::new(move |(series, point): (usize, usize)| {
        result.with_untracked(|r| {
            r.as_ref()
                .and_then(|(_, _, rep, _)| rep.rows.get(point).map(|x| (series, x.clone())))
                .map(|(s, x)| {
                    let err = if s == 0 {
                        x.error_before_pct
                    } else {
                        x.error_after_pct
                    };
                    format!(
                        "line {}: {} — measured {}, error {:+.1} %",
                        x.line,
                        x.label,
                        format::seconds(x.measured_s),
                        err
                    )
                })
                .unwrap_or_default()
        })
    });
    let add_device = move |_| {
        let Some((base, _, report, _)) = result.get_untracked() else {
            return;
        };
        let dev = calibrated_device(&base, &report, "");
        inputs.add_devices(vec![dev]);
    };
    let export = move |_| {
        let Some((base, ms, report, _)) = result.get_untracked() else {
            return;
        };
        let record = CalibrationRecord::new(&base, &ms, report, "");
        download_text(
            "calibrated-device.json",
            "application/json",
            &record.to_json(),
        );
    };

    view! {
        <section class="panel" aria-labelledby="calib-h">
            <h2 id="calib-h">"Calibrate from measurements"</h2>
            <p class="hint">"Fit the selected device's achievable bandwidth and compute fractions and an overhead per layer and forward step to latencies you measured."</p>
            <FileDrop label="Measurements CSV" accept=".csv,text/csv" test_id="calib-file" on_text=on_text on_error=on_error />
            <button type="button" data-testid="calib-example" on:click=load_example>"Illustrative Orin Nano example"</button>
            " "
            <button type="button" on:click=|_| download_text("measurements-template.csv", "text/csv", MEASUREMENTS_TEMPLATE_CSV)>"Template"</button>
            <BenchPaste on_rows=on_bench />
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="calib-error">{e}</p> })}
            {move || result.get().map(|(base, _, r, name)| view! {
                <div data-testid="calib-report">
                    <p class="hint">{format!("{name} on {}", base.name())}</p>
                    <table class="facts">
                        <tr><td>{if r.format_bandwidth.is_empty() { "Bandwidth fraction" } else { "Bandwidth fraction (other formats)" }}</td><td data-testid="calib-bandwidth">{format::fixed(r.bandwidth_fraction, 3)}</td></tr>
                        {r.format_bandwidth.iter().map(|f| view! {
                            <tr title="This format's rows were fitted with a bandwidth fraction of their own: a runtime reads each weight format through its own kernels, which reach their own share of the rated bandwidth."><td>{format!("Bandwidth fraction, {} weights", f.format)}</td><td data-testid="calib-format-bandwidth">{format::fixed(f.fraction, 3)}</td></tr>
                        }).collect_view()}
                        <tr><td>"Compute fraction"</td><td data-testid="calib-compute">{format::fixed(r.compute_fraction, 3)}</td></tr>
                        <tr title="Added to every forward step for each layer of the model: runtimes launch kernels layer by layer, so a fit on one model size carries to another."><td>"Overhead per layer per step"</td><td data-testid="calib-overhead">{format::seconds(r.layer_overhead_s)}</td></tr>
                        <tr><td>"MAPE before → after"</td><td data-testid="calib-mape">{format!("{:.1} % → {:.1} %", r.mape_before, r.mape_after)}</td></tr>
                    </table>
                    <details>
                        <summary>"Per measurement"</summary>
                        <div class="scroll">
                            <table class="calib-rows" data-testid="calib-rows">
                                <thead><tr><th scope="col">"line"</th><th scope="col">"run"</th><th scope="col">"measured"</th>
                                    <th scope="col">"rated"</th><th scope="col">"error"</th><th scope="col">"calibrated"</th><th scope="col">"error"</th></tr></thead>
                                <tbody>
                                    {r.rows.iter().map(|x| view! {
                                        <tr>
                                            <td>{x.line}</td><td>{x.label.clone()}</td><td>{format::seconds(x.measured_s)}</td>
                                            <td>{format::seconds(x.predicted_before_s)}</td><td>{format!("{:+.1} %", x.error_before_pct)}</td>
                                            <td>{format::seconds(x.predicted_after_s)}</td><td>{format!("{:+.1} %", x.error_after_pct)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </details>
                    <ul class="warnings">{r.warnings.iter().map(|w| view! { <li>{w.to_string()}</li> }).collect_view()}</ul>
                    <button type="button" class="primary" data-testid="calib-add" on:click=add_device>"Use the calibrated device"</button>
                    " "
                    <button type="button" on:click=export>"Export JSON"</button>
                    <p class="hint">"The calibrated device keeps its fractions and the per-layer overhead: every latency on the page (search, frontiers, theory, design) then includes it, for each layer of the design, once for the prefill and once per generated token."</p>
                </div>
            })}
            {move || result.with(|r| r.is_some()).then(|| view! {
                <ChartCanvas chart=chart hover_series=vec![0, 1] describe=describe test_id="calib-chart" file_stem="calibration" height=300.0 />
            })}
        </section>
    }
}
