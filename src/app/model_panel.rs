//! Reference model choice: the shipped presets, a `.gguf` file's header, or a Hugging Face
//! `config.json` uploaded or pasted. A config that does not import changes nothing and says why.

use leptos::prelude::*;

use super::file_drop::FileDrop;
use super::format;
use super::gguf_import::GgufImport;
use super::state::{Derived, Inputs, NamedModel};
use crate::model::hf_config::import_hf_config;
use crate::model::params::param_counts;

/// Origin of a pasted config: it has no file name to name the model by.
const PASTED: &str = "pasted config";

#[component]
pub fn ModelPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let derived = expect_context::<Derived>();
    let error = RwSignal::new(None::<String>);
    let pasted = RwSignal::new(String::new());

    let import = move |origin: String, text: String| match import_hf_config(&text) {
        Ok(m) => {
            let file = (origin != PASTED).then_some(origin.as_str());
            let name = m.display_name(file);
            let model = NamedModel {
                name,
                arch: m.arch,
                origin,
                notes: m.notes,
            };
            inputs.add_model(model);
            error.set(None);
        }
        Err(e) => error.set(Some(format!("{origin}: {e}"))),
    };
    let on_text = Callback::new(move |(name, text): (String, String)| import(name, text));
    let on_error = Callback::new(move |m: String| error.set(Some(m)));

    view! {
        <section class="panel" aria-labelledby="model-h">
            <h2 id="model-h">"Reference model"</h2>
            <label>
                "Model "
                <select
                    data-testid="model-select"
                    on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            inputs.select_model(i);
                        }
                    }
                    prop:value=move || inputs.model_index.get().to_string()
                >
                    {move || {
                        inputs
                            .models
                            .get()
                            .iter()
                            .enumerate()
                            .map(|(i, m)| view! { <option value=i.to_string()>{m.name.clone()}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            {move || {
                derived
                    .model
                    .get()
                    .map(|m| {
                        let c = param_counts(&m.arch);
                        let s = m.arch.spec().clone();
                        let kv_fp16 = m.arch.kv_elems_per_token_layer() as f64 * s.layers as f64 * 2.0;
                        view! {
                            <table class="facts" data-testid="model-facts">
                                <tr><td>"Parameters"</td><td data-testid="model-params">{format::grouped(c.total())}</td></tr>
                                <tr><td>"Active per token"</td><td>{format::grouped(c.active())}</td></tr>
                                <tr><td>"Layers × hidden"</td><td>{format!("{} × {}", s.layers, s.hidden)}</td></tr>
                                <tr><td>"FFN ratio r, ρ"</td><td>{format!("{:.2}, {:.3}", m.arch.ffn_ratio(), m.arch.rho())}</td></tr>
                                <tr><td>"KV cache per token (FP16)"</td><td data-testid="model-kv-per-token">{format::bytes(kv_fp16)}</td></tr>
                            </table>
                            <ul class="notes">
                                {m.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                            </ul>
                        }
                    })
            }}
            <GgufImport />
            <FileDrop label="A Hugging Face config.json" accept=".json,application/json"
                test_id="model-file" on_text=on_text on_error=on_error />
            <details>
                <summary>"Paste a config.json"</summary>
                <textarea rows="5" data-testid="model-paste" aria-label="config.json text"
                    prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <button type="button" data-testid="model-paste-import"
                    on:click=move |_| import(PASTED.into(), pasted.get_untracked())>"Import"</button>
            </details>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="model-error">{e}</p> })}
        </section>
    }
}
