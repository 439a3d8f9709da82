//! The roofline's answer for the chosen model, device, precision and workload: totals, memory,
//! and the per-operator breakdown of prefill and of one decode step.

use leptos::prelude::*;

use super::format;
use super::state::{Derived, Inputs};
use crate::model::roofline::{decode_breakdown, prefill_breakdown, Bound, PhaseBreakdown};

/// One table row per operator: FLOPs, bytes by kind, intensity, bound and time of all instances.
pub(super) fn breakdown_table(b: PhaseBreakdown, test_id: &'static str) -> impl IntoView {
    let total = b.total_s();
    view! {
        <table class="ops" data-testid=test_id>
            <thead>
                <tr>
                    <th scope="col">"operator"</th>
                    <th scope="col">"×"</th>
                    <th scope="col" title="floating-point operations of one instance">"FLOPs"</th>
                    <th scope="col" title="weight bytes read">"weights"</th>
                    <th scope="col" title="bits per stored weight of the tensors it reads, scales included (averaged over layers where a mixed scheme such as Q4_K_M varies by layer)">"bits/weight"</th>
                    <th scope="col" title="the number format the operator computes in, whose peak the roofline uses (method.md §3)">"runs in"</th>
                    <th scope="col" title="activation bytes read and written">"activations"</th>
                    <th scope="col" title="KV-cache bytes read and written">"KV"</th>
                    <th scope="col" title="FLOPs per byte moved">"FLOP/B"</th>
                    <th scope="col">"bound"</th>
                    <th scope="col">"time (all ×)"</th>
                    <th scope="col">"share"</th>
                </tr>
            </thead>
            <tbody>
                {b.ops.iter().map(|c| {
                    let share = if total > 0.0 { c.total_s() / total * 100.0 } else { 0.0 };
                    view! {
                        <tr>
                            <td>{c.op.name}</td>
                            <td>{c.count}</td>
                            <td>{format::si(c.op.flops)}</td>
                            <td>{format::bytes(c.op.weight_bytes)}</td>
                            <td>{c.weight_bits.map(|b| format::fixed(b, 2)).unwrap_or_else(|| "–".into())}</td>
                            <td>{c.format.name()}</td>
                            <td>{format::bytes(c.op.act_bytes)}</td>
                            <td>{format::bytes(c.op.kv_bytes)}</td>
                            <td>{format::fixed(c.op.intensity(), 1)}</td>
                            <td class=match c.bound { Bound::Compute => "compute", Bound::Memory => "memory" }>
                                {match c.bound { Bound::Compute => "compute", Bound::Memory => "memory" }}
                            </td>
                            <td>{format::seconds(c.total_s())}</td>
                            <td>{format!("{share:.1} %")}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot>
                // Each total under its own column header; the rows above are one instance,
                // the totals every instance of the step.
                <tr data-testid=format!("{test_id}-total")>
                    <th scope="row">"total (all ×)"</th><td></td>
                    <td>{format::si(b.flops())}</td>
                    <td>{format::bytes(b.weight_bytes())}</td>
                    <td></td><td></td>
                    <td>{format::bytes(b.act_bytes())}</td>
                    <td>{format::bytes(b.kv_bytes())}</td>
                    <td>{format::fixed(b.flops() / b.bytes(), 1)}</td>
                    <td></td>
                    <td>{format::seconds(total)}</td>
                    <td>"100 %"</td>
                </tr>
            </tfoot>
        </table>
    }
}

#[component]
pub fn LatencyPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let derived = expect_context::<Derived>();
    // Context of the decode step shown in the table; empty = the first generated token.
    let context_text = RwSignal::new(String::new());
    // The step's context and, when the typed text is unusable, why (the first token is shown).
    let decode_context = Memo::new(move |_| {
        let first = inputs.workload.get().prompt_tokens() as u64 + 1;
        let typed = context_text.get();
        match typed.trim() {
            "" => (first, None),
            t => match t.parse::<u64>() {
                Ok(c) if (1..=1 << 24).contains(&c) => (c, None),
                _ => (
                    first,
                    Some(format!(
                        "decode context: expected a whole number of tokens from 1 to 16777216, found \"{t}\"; showing {first}"
                    )),
                ),
            },
        }
    });

    let totals = move || {
        derived.report.get().map(|r| {
            let device = derived.device.get();
            view! {
                <div class="cards">
                    <div class="card"><span>"Prefill (time to first token)"</span><strong data-testid="latency-prefill">{format::seconds(r.prefill_s)}</strong></div>
                    <div class="card"><span>"Decode (all generated tokens)"</span><strong data-testid="latency-decode">{format::seconds(r.decode_s)}</strong></div>
                    <div class="card"><span>"Total"</span><strong data-testid="latency-total">{format::seconds(r.total_s)}</strong></div>
                    <div class="card"><span>"Decode speed"</span><strong data-testid="latency-tokens-per-s">{format!("{} tok/s", format::fixed(r.decode_tokens_per_s, 1))}</strong></div>
                    <div class="card"><span>"Weights"</span><strong data-testid="memory-weights">{format::bytes(r.weights_bytes)}</strong></div>
                    <div class="card"><span>"KV cache (final context)"</span><strong data-testid="memory-kv">{format::bytes(r.kv_cache_bytes)}</strong></div>
                    <div class="card"><span>"Peak activations"</span><strong data-testid="memory-activations">{format::bytes(r.peak_activation_bytes)}</strong></div>
                    <div class="card" class:bad=!r.fits_in_memory>
                        <span>{format!("Fits in {} usable?", format::bytes(device.usable_memory_bytes()))}</span>
                        <strong data-testid="memory-fits">{if r.fits_in_memory { "yes" } else { "no" }}</strong>
                    </div>
                </div>
            }
        })
    };
    let tables = move || {
        let model = derived.model.get()?;
        let device = derived.device.get();
        let p = inputs.precision.get();
        let w = inputs.workload.get();
        let first = w.prompt_tokens() as u64 + 1;
        let context = decode_context.get().0;
        let pre = prefill_breakdown(&model.arch, &device, p, &w);
        let dec = decode_breakdown(&model.arch, &device, p, &w, context);
        Some(view! {
            <details open>
                <summary>{format!("Prefill operators ({} tokens × batch {})", w.prompt_tokens(), w.batch())}</summary>
                {breakdown_table(pre, "ops-prefill")}
            </details>
            <details>
                <summary>{format!("Decode step operators (context {context})")}</summary>
                <label class="inline">
                    "Context of the step "
                    <input type="text" inputmode="numeric" data-testid="decode-context"
                        placeholder=first.to_string()
                        prop:value=move || context_text.get()
                        on:change=move |ev| context_text.set(event_target_value(&ev)) />
                </label>
                {move || decode_context.get().1.map(|e| view! { <p class="error" role="alert">{e}</p> })}
                {breakdown_table(dec, "ops-decode")}
            </details>
        })
    };
    view! {
        <section class="panel" aria-labelledby="latency-h">
            <h2 id="latency-h">
                "Latency and memory: "
                {move || derived.model.get().map(|m| m.name).unwrap_or_default()}
                " on "
                {move || derived.device.get().name().to_string()}
                ", "
                {move || inputs.precision.get().name()}
            </h2>
            {totals}
            {tables}
        </section>
    }
}
