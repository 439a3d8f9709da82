//! llama-bench or Ollama `--verbose` output, pasted or dropped, as measurement rows for the
//! model chosen among the page's models (presets, configs and GGUF headers). The core reads
//! the text ([`parse_bench_output`]) and maps each run onto the roofline
//! ([`bench_measurements`]); runs it cannot map are listed with their reason.

use leptos::prelude::*;

use super::file_drop::FileDrop;
use super::state::Inputs;
use super::weight_format_fields::format_options;
use crate::model::calibrate::{bench_measurements, parse_bench_output, Measurement};
use crate::model::precision::Precision;
use crate::model::weight_format::WeightFormat;

/// Label of pasted text in messages: it has no file name.
const PASTED: &str = "pasted output";

/// Rows read from one benchmark output: its label, the rows and the runs left out.
pub struct BenchRows {
    pub label: String,
    pub rows: Vec<Measurement>,
    pub issues: Vec<String>,
}

/// The text box, file drop and model choice; `on_rows` gets the rows of each output read.
#[component]
pub fn BenchPaste(on_rows: Callback<BenchRows>) -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The model the runs were of: the page's selected model until the user picks another.
    let model = RwSignal::new(None::<usize>);
    let model_index = move || model.get().unwrap_or_else(|| inputs.model_index.get());
    // Weights of runs whose output names none (Ollama's timings, a llama-bench table without
    // its type column): the workload's precision until the user picks a format.
    let format = RwSignal::new(None::<WeightFormat>);
    let fallback = move || match format.get_untracked() {
        Some(f) => Precision::weight_only(f),
        None => inputs.precision.get_untracked(),
    };

    let read = move |label: String, body: String| {
        let index = model
            .get_untracked()
            .unwrap_or_else(|| inputs.model_index.get_untracked());
        let Some(m) = inputs.models.with_untracked(|l| l.get(index).cloned()) else {
            error.set(Some(format!("{label}: choose the model the runs were of")));
            return;
        };
        let out = match parse_bench_output(&label, &body) {
            Ok(out) => out,
            Err(e) => {
                error.set(Some(e.to_string()));
                return;
            }
        };
        let (rows, left_out) = bench_measurements(&out, &m.name, m.arch.spec(), Some(fallback()));
        let issues: Vec<String> = out
            .issues
            .iter()
            .chain(left_out.iter())
            .map(|i| i.in_file(&label))
            .collect();
        if rows.is_empty() {
            error.set(Some(if issues.is_empty() {
                format!("{label}: no runs found")
            } else {
                issues.join("; ")
            }));
            return;
        }
        error.set(None);
        on_rows.run(BenchRows {
            label: format!("{label} ({})", m.name),
            rows,
            issues,
        });
    };
    let on_text = Callback::new(move |(name, body): (String, String)| read(name, body));
    let on_error = Callback::new(move |m: String| error.set(Some(m)));

    view! {
        <details class="bench-paste" data-testid="bench-paste">
            <summary>"Paste llama-bench or Ollama --verbose output"</summary>
            <label title="The architecture the runs were of: a preset, an imported config.json or a GGUF header (Reference model panel)">
                "Model of the runs "
                <select data-testid="bench-model"
                    prop:value=move || model_index().to_string()
                    on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            model.set(Some(i));
                        }
                    }>
                    {move || inputs.models.get().into_iter().enumerate().map(|(i, m)| {
                        view! { <option value=i.to_string() selected=move || model_index() == i>{m.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label title="llama-bench's type column names each run's format; Ollama's timings name none (its default tags are Q4_K_M: check `ollama show`)">
                "Weights of runs that name no format "
                <select data-testid="bench-format"
                    prop:value=move || format.get().map(|f| f.key()).unwrap_or_default()
                    on:change=move |ev| format.set(event_target_value(&ev).parse::<WeightFormat>().ok())>
                    <option value="">{move || format!("the workload's ({})", inputs.precision.get().name())}</option>
                    {format_options(WeightFormat::offered(), None)}
                </select>
            </label>
            <textarea rows="6" data-testid="bench-text"
                aria-label="llama-bench output (markdown, -o json, -o jsonl or -o csv) or ollama run --verbose timings"
                placeholder="| model | size | params | backend | ngl | test | t/s |\n…\n\nor: prompt eval rate: 53.77 tokens/s\neval rate: 24.61 tokens/s"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="button" data-testid="bench-add"
                title="pp512 = one prefill of 512 tokens; tg128 = 128 decode steps from an empty context; the precision comes from the type column, else the format chosen above"
                on:click=move |_| read(PASTED.into(), text.get_untracked())>"Add the runs to the measurements"</button>
            <FileDrop label="Benchmark output (text, JSON, JSON lines or CSV)" accept=".txt,.md,.json,.jsonl,.csv,text/plain"
                test_id="bench-file" on_text=on_text on_error=on_error />
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="bench-error">{e}</p> })}
        </details>
    }
}
