//! "How this latency is computed": the chosen design's prefill and decode latency derived line
//! by line with the numbers filled in ([`crate::model::roofline::derive`]), so a user can
//! check it by hand. A `<details>` disclosure, hence keyboard accessible; its totals carry
//! stable test ids.

use leptos::prelude::*;

use super::format;
use crate::model::arch::Architecture;
use crate::model::device::Device;
use crate::model::precision::Precision;
use crate::model::roofline::{
    bound_name, derive, Derivation, Line, OpAt, OpDerivation, PhaseDerivation, Quantity, Unit,
};
use crate::model::workload::Workload;

/// What a derivation needs: the design, and the device, workload and precisions of the search
/// whose latencies the design panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct DerivationInputs {
    pub arch: Architecture,
    pub device: Device,
    pub workload: Workload,
    pub precisions: Vec<Precision>,
}

/// Label, formula with the numbers filled in, and value of each line.
fn lines_table(lines: Vec<Line>, test_id: &'static str) -> impl IntoView {
    view! {
        <table class="derivation-lines" data-testid=test_id>
            <tbody>
                {lines.into_iter().map(|l| view! {
                    <tr>
                        <th scope="row">{l.label}</th>
                        <td>{l.formula}</td>
                        <td class="value">{format!("= {}", l.value)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A cell showing `of` at the first step, and "→" its value at the last step when it differs.
fn step_cell(o: &OpDerivation, of: impl Fn(&OpAt) -> String) -> String {
    let first = of(&o.first);
    match o.last.as_ref().map(&of) {
        Some(last) if last != first => format!("{first} → {last}"),
        _ => first,
    }
}

fn secs(s: f64) -> String {
    Quantity::new(s, Unit::Seconds).to_string()
}

fn bytes(b: f64) -> String {
    Quantity::new(b, Unit::Bytes).to_string()
}

fn flops(f: f64) -> String {
    Quantity::new(f, Unit::Flops).to_string()
}

/// One row per operator: instances, format, bits, FLOPs, bytes by kind, both times, bound.
fn ops_table(phase: &PhaseDerivation, test_id: &'static str) -> impl IntoView {
    let decode = phase.steps > 1;
    let total_head = if decode {
        "Σ over steps (all ×)"
    } else {
        "time (all ×)"
    };
    view! {
        <div class="scroll">
            <table class="ops derivation-ops" data-testid=test_id>
                <thead>
                    <tr>
                        <th scope="col">"operator"</th>
                        <th scope="col" title="instances per step: the layers it runs in">"×"</th>
                        <th scope="col" title="the format it computes in, whose peak π applies">"runs in"</th>
                        <th scope="col" title="bits per stored weight it reads, scales included">"bits/weight"</th>
                        <th scope="col" title="FLOPs of one instance">"FLOPs F"</th>
                        <th scope="col" title="weight bytes read by one instance">"weights"</th>
                        <th scope="col" title="KV-cache bytes read and written">"KV cache"</th>
                        <th scope="col" title="activation bytes read and written">"activations"</th>
                        <th scope="col" title="weights + KV cache + activations">"bytes M"</th>
                        <th scope="col" title="compute time of one instance">"F ÷ π"</th>
                        <th scope="col" title="memory time of one instance">"M ÷ β"</th>
                        <th scope="col" title="the larger of the two times">"bound"</th>
                        <th scope="col">{total_head}</th>
                    </tr>
                </thead>
                <tbody>
                    {phase.ops.iter().map(|o| {
                        let bound = step_cell(o, |a| bound_name(a.bound).to_string());
                        view! {
                            <tr>
                                <td>{o.name}{o.window.map(|w| format!(" (window {w})"))}</td>
                                <td>{o.count}</td>
                                <td>{o.format.name()}</td>
                                <td>{o.weight_bits.map(|b| format::fixed(b, 2)).unwrap_or_else(|| "–".into())}</td>
                                <td>{step_cell(o, |a| flops(a.flops))}</td>
                                <td>{bytes(o.first.weight_bytes)}</td>
                                <td>{step_cell(o, |a| bytes(a.kv_bytes))}</td>
                                <td>{step_cell(o, |a| bytes(a.act_bytes))}</td>
                                <td>{step_cell(o, |a| bytes(a.bytes))}</td>
                                <td>{step_cell(o, |a| secs(a.compute_s))}</td>
                                <td>{step_cell(o, |a| secs(a.memory_s))}</td>
                                <td class=bound_name(o.first.bound)>{bound}</td>
                                <td>{secs(o.total_s)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn phase_view(d: &Derivation, decode: bool) -> impl IntoView {
    let phase = if decode { &d.decode } else { &d.prefill };
    let heading = if decode {
        if phase.steps == 0 {
            "Decode: no tokens generated".to_string()
        } else if phase.steps == 1 {
            format!("Decode: one step at context {}", phase.first_context)
        } else {
            format!(
                "Decode: {} steps, context {} → {} (cells show the first → the last step where they differ)",
                phase.steps, phase.first_context, phase.last_context
            )
        }
    } else {
        format!("Prefill: one pass at context {}", phase.first_context)
    };
    let (ops_id, lines_id) = if decode {
        ("derivation-decode-ops", "derivation-decode-lines")
    } else {
        ("derivation-prefill-ops", "derivation-prefill-lines")
    };
    view! {
        <h4>{heading}</h4>
        {(!phase.ops.is_empty()).then(|| ops_table(phase, ops_id))}
        {lines_table(phase.lines.clone(), lines_id)}
    }
}

#[component]
pub fn DerivationView(design: Signal<Option<DerivationInputs>>) -> impl IntoView {
    let which = RwSignal::new(0usize);
    let copied = RwSignal::new(false);
    let derivation = Memo::new(move |_| {
        design.with(|d| {
            let d = d.as_ref()?;
            let i = which.get().min(d.precisions.len().checked_sub(1)?);
            let p = d.precisions[i];
            Some((p.name(), derive(&d.arch, &d.device, p, &d.workload)))
        })
    });
    let choose = move || {
        design.with(|d| {
            d.as_ref().filter(|d| d.precisions.len() > 1).map(|d| {
                let names: Vec<String> = d.precisions.iter().map(Precision::name).collect();
                view! {
                    <label>"Precision "
                        <select data-testid="derivation-precision" on:change=move |ev| {
                            which.set(event_target_value(&ev).parse().unwrap_or(0));
                            copied.set(false);
                        }>
                            {names.into_iter().enumerate().map(|(i, n)| view! {
                                <option value=i.to_string() selected=move || which.get() == i>{n}</option>
                            }).collect_view()}
                        </select>
                    </label>
                }
            })
        })
    };
    let copy = move |_| {
        let text = derivation.with_untracked(|d| {
            d.as_ref()
                .map(|(name, d)| format!("Precision {name}\n{}", d.to_text()))
        });
        if let (Some(text), Some(w)) = (text, web_sys::window()) {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
    };
    let body = move || {
        derivation.get().map(|(name, d)| {
            view! {
                <p data-testid="derivation-totals">
                    {format!("{name}: prefill ")}
                    <strong data-testid="derivation-prefill-total">{format::seconds(d.prefill.total_s)}</strong>
                    ", decode "
                    <strong data-testid="derivation-decode-total">{format::seconds(d.decode.total_s)}</strong>
                    ", total "
                    <strong data-testid="derivation-total">{format::seconds(d.total_s)}</strong>
                </p>
                <h4>"Device"</h4>
                {lines_table(d.device.clone(), "derivation-device")}
                {phase_view(&d, false)}
                {phase_view(&d, true)}
            }
        })
    };
    view! {
        <details class="derivation" data-testid="derivation">
            <summary>"How this latency is computed"</summary>
            <p class="hint">
                "Each operator does F FLOPs and moves M bytes (weights: parameters × bits per weight ÷ 8; "
                "KV cache; activations). It takes max(F ÷ π, M ÷ β): π is the device's peak for the "
                "format it runs in times the compute fraction, β the rated bandwidth times the "
                "bandwidth fraction. A step's time is the sum over operators (× the layers each runs "
                "in), plus the per-step overhead (layers × the device's overhead per layer); decode sums its steps exactly (method.md §3)."
            </p>
            <div class="derivation-controls">
                {choose}
                <button type="button" data-testid="derivation-copy" on:click=copy>"Copy as text"</button>
                <span role="status">{move || copied.get().then_some("copied")}</span>
            </div>
            {body}
        </details>
    }
}
