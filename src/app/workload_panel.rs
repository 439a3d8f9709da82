//! Workload and precision: batch, prompt and generated tokens, operator set, number formats.
//! The typed text is kept as typed; only a valid whole becomes the workload the page uses.

use leptos::prelude::*;

use super::state::Inputs;
use super::weight_format_fields::{tensor_select, weight_controls};
use crate::model::precision::{NumFormat, Precision};
use crate::model::workload::{OperatorSet, Workload, WorkloadSpec};

/// Parses one integer field, naming it in the message.
fn parse_count(label: &str, text: &str) -> Result<u32, String> {
    text.trim().parse::<u32>().map_err(|_| {
        format!(
            "{label}: expected a whole number, found \"{}\"",
            text.trim()
        )
    })
}

/// A select for the format of one tensor kind; the preset select shows the combination's name.
fn format_select(
    label: &'static str,
    test_id: &'static str,
    get: fn(&Precision) -> NumFormat,
    set: fn(&mut Precision, NumFormat),
) -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    view! {
        <label>
            {label}
            // prop:value as well as `selected`: an option the user picked ignores later
            // changes of its attribute, so a restored precision would not show.
            <select data-testid=test_id
                prop:value=move || get(&inputs.precision.get()).key()
                on:change=move |ev| {
                    if let Ok(f) = event_target_value(&ev).parse::<NumFormat>() {
                        let mut p = inputs.precision.get_untracked();
                        set(&mut p, f);
                        inputs.set_precision(p);
                    }
                }>
                {NumFormat::ALL.iter().map(|f| {
                    let f = *f;
                    view! { <option value=f.key() selected=move || get(&inputs.precision.get()) == f>{f.name()}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn WorkloadPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let start = *inputs.workload.get_untracked().spec();
    let batch = RwSignal::new(start.batch.to_string());
    let prompt = RwSignal::new(start.prompt_tokens.to_string());
    let generated = RwSignal::new(start.generated_tokens.to_string());
    let operators = RwSignal::new(start.operators);
    let sparsity = RwSignal::new(format!("{}", start.activation_sparsity));
    let error = RwSignal::new(None::<String>);
    // A workload set from elsewhere (a restored session, a reset) shows in the fields.
    Effect::new(move |_| {
        let w = *inputs.workload.get().spec();
        let sync = |text: RwSignal<String>, label: &str, v: u32| {
            if parse_count(label, &text.get_untracked()) != Ok(v) {
                text.set(v.to_string());
            }
        };
        sync(batch, "batch", w.batch);
        sync(prompt, "prompt tokens", w.prompt_tokens);
        sync(generated, "generated tokens", w.generated_tokens);
        if operators.get_untracked() != w.operators {
            operators.set(w.operators);
        }
        if sparsity.get_untracked().trim().parse::<f64>().ok() != Some(w.activation_sparsity) {
            sparsity.set(format!("{}", w.activation_sparsity));
        }
    });

    // Re-validate the whole form after any edit; a valid form replaces the workload.
    let apply = move || {
        let spec = (|| -> Result<Workload, String> {
            let spec = WorkloadSpec {
                batch: parse_count("batch", &batch.get_untracked())?,
                prompt_tokens: parse_count("prompt tokens", &prompt.get_untracked())?,
                generated_tokens: parse_count("generated tokens", &generated.get_untracked())?,
                operators: operators.get_untracked(),
                activation_sparsity: sparsity.get_untracked().trim().parse::<f64>().map_err(
                    |_| {
                        format!(
                            "ReLU² sparsity: expected a fraction from 0 to below 1, found \"{}\"",
                            sparsity.get_untracked().trim()
                        )
                    },
                )?,
                fused_attention: inputs.workload.get_untracked().fused_attention(),
            };
            Workload::new(spec).map_err(|e| e.to_string())
        })();
        match spec {
            Ok(w) => {
                error.set(None);
                inputs.set_workload(w);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let field = move |label: &'static str, id: &'static str, text: RwSignal<String>| {
        view! {
            <label>
                {label}
                <input type="text" inputmode="numeric" data-testid=id
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        apply();
                    } />
            </label>
        }
    };

    let (weights, custom_bits) = weight_controls();
    view! {
        <section class="panel" aria-labelledby="workload-h">
            <h2 id="workload-h">"Workload and precision"</h2>
            <div class="grid3">
                {field("Batch B", "workload-batch", batch)}
                {field("Prompt tokens S_in", "workload-prompt", prompt)}
                {field("Generated S_out", "workload-generated", generated)}
            </div>
            <label>
                "Operators "
                <select data-testid="workload-operators"
                    on:change=move |ev| {
                        operators.set(if event_target_value(&ev) == "paper" { OperatorSet::Paper } else { OperatorSet::Full });
                        apply();
                    }>
                    <option value="full" selected=move || operators.get() == OperatorSet::Full>"full (embeddings, LM head, norms, …)"</option>
                    <option value="paper" selected=move || operators.get() == OperatorSet::Paper>"paper operators only"</option>
                </select>
            </label>
            <label title="PLM-style ReLU² FFNs: this fraction of activations is zero, and decode skips those rows of the down projection">
                "ReLU² activation sparsity (decode) "
                <input type="text" inputmode="decimal" data-testid="workload-sparsity"
                    prop:value=move || sparsity.get()
                    on:input=move |ev| {
                        sparsity.set(event_target_value(&ev));
                        apply();
                    } />
            </label>
            <label title="Prefill attention without writing the score matrix to memory, as llama.cpp -fa, vLLM and TensorRT-LLM run it. Off reproduces the paper.">
                <input type="checkbox" data-testid="workload-fused-attention"
                    prop:checked=move || inputs.workload.get().fused_attention()
                    on:change=move |ev| {
                        let fused = event_target_checked(&ev);
                        inputs.set_workload(inputs.workload.get_untracked().with_fused_attention(fused));
                    } />
                " Fused attention (flash attention)"
            </label>
            <label>
                "Precision "
                <select data-testid="precision-select"
                    prop:value=move || {
                        let p = inputs.precision.get();
                        if Precision::PRESETS.contains(&p) { p.name() } else { String::new() }
                    }
                    on:change=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse::<Precision>() {
                            inputs.set_precision(p);
                        }
                    }>
                    {move || {
                        let p = inputs.precision.get();
                        (!Precision::PRESETS.contains(&p)).then(|| view! { <option value="" selected=true>{p.name()}</option> })
                    }}
                    {Precision::PRESETS.iter().map(|p| {
                        let p = *p;
                        view! { <option value=p.name() selected=move || inputs.precision.get() == p>{p.name()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="grid3" role="group" aria-label="Number format per tensor kind">
                {weights}
                {format_select("Activations", "precision-activations", |p| p.activations, |p, f| p.activations = f)}
                {format_select("KV cache", "precision-kv", |p| p.kv, |p, f| p.kv = f)}
            </div>
            {custom_bits}
            <div class="grid3" role="group" aria-label="Formats of the embedding table and the LM head">
                {tensor_select("Embedding table", "precision-embedding",
                    "Format of the token embedding table; quantised files often keep it at higher precision than the other weights",
                    |p| p.embedding, Precision::with_embedding)}
                {tensor_select("LM head", "precision-lm-head",
                    "Format of the output projection (lm_head); llama.cpp keeps it at Q6_K in a Q4_0 or Q4_K_M file",
                    |p| p.lm_head, Precision::with_lm_head)}
            </div>
            <p class="hint" data-testid="precision-matmul">
                {move || {
                    let p = inputs.precision.get();
                    format!("Matmuls run at the {} peak (method §3: integer peaks need integer weights and activations).", p.matmul_format().name())
                }}
            </p>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="workload-error">{e}</p> })}
        </section>
    }
}
