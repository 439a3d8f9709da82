//! Sidebar panel for the accuracy side: the law in use, loss data to fit (upload, paste or the
//! synthetic example), the law form and fit settings, and the fit itself with progress.

use leptos::prelude::*;

use super::file_drop::FileDrop;
use super::jobs::Jobs;
use super::law_state::{LawState, LossData, EXAMPLE_CSV, EXAMPLE_NAME};
use super::search_state::SearchState;
use crate::jobs::{JobReply, JobRequest};
use crate::model::fit::FitOptionsText;
use crate::model::law::{Chinchilla, CustomLaw, Law, PaperLaw, Quantity, Variable};
use crate::model::lists::{format_param_count, parse_param_count};
use crate::model::loss_csv::ColumnMapping;

/// Which law form to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Paper,
    Chinchilla,
    Custom,
}

#[component]
pub fn LawPanel() -> impl IntoView {
    let state = expect_context::<LawState>();
    let jobs = expect_context::<Jobs>();
    let load_error = RwSignal::new(None::<String>);
    let fit_error = RwSignal::new(None::<String>);
    let pasted = RwSignal::new(String::new());
    let form = RwSignal::new(Form::Paper);
    let formula = RwSignal::new("E + A/N^alpha + B/D^beta".to_string());
    let params = RwSignal::new("E, A, B, alpha, beta".to_string());
    let first = FitOptionsText::new();
    let delta = RwSignal::new(first.huber_delta);
    let least_squares = RwSignal::new(first.least_squares);
    let holdout = RwSignal::new(first.holdout_pct);
    let bootstrap = RwSignal::new(first.bootstrap);
    let starts = RwSignal::new(first.starts);

    let load = move |name: String, text: String| match LossData::parse(
        &name,
        text,
        ColumnMapping::default(),
    ) {
        Ok(d) => {
            load_error.set(None);
            state.set_data(Some(d));
        }
        Err(e) => load_error.set(Some(e)),
    };
    let on_text = Callback::new(move |(name, text): (String, String)| load(name, text));
    let on_error = Callback::new(move |m: String| load_error.set(Some(m)));

    // The law form to fit, checked against the loaded columns (custom formulas name them).
    let law_form = Memo::new(move |_| -> Result<Law, String> {
        match form.get() {
            Form::Paper => Ok(Law::Paper(PaperLaw::published())),
            Form::Chinchilla => Ok(Law::Chinchilla(Chinchilla::epoch_refit())),
            Form::Custom => {
                let columns = state.data.with(|d| {
                    d.as_ref()
                        .map(|d| d.table.variable_names())
                        .unwrap_or_default()
                });
                CustomLaw::parse(&formula.get(), &params.get(), &columns)
                    .map(Law::Custom)
                    .map_err(|e| e.to_string())
            }
        }
    });

    let start_fit = move |_| {
        fit_error.set(None);
        let Some(data) = state.data.get_untracked() else {
            fit_error.set(Some("load a loss CSV first".into()));
            return;
        };
        let law = match law_form.get_untracked() {
            Ok(l) => l,
            Err(e) => {
                fit_error.set(Some(e));
                return;
            }
        };
        let typed = FitOptionsText {
            huber_delta: delta.get_untracked(),
            least_squares: least_squares.get_untracked(),
            holdout_pct: holdout.get_untracked(),
            bootstrap: bootstrap.get_untracked(),
            starts: starts.get_untracked(),
        };
        let options = match typed.parse() {
            Ok(o) => o,
            Err(e) => {
                fit_error.set(Some(e.to_string()));
                return;
            }
        };
        jobs.submit(JobRequest::Fit {
            id: jobs.next_id(),
            law,
            file_name: data.file_name.clone(),
            csv: data.text.clone(),
            mapping: Some(data.mapping.clone()),
            options,
        });
    };

    // Replies of fit jobs land here: the report replaces the previous one only on success.
    Effect::new(move |_| {
        if let Some(reply) = jobs.reply.get() {
            match reply {
                JobReply::Fitted { report, .. } => {
                    state.set_report(Some(*report));
                    fit_error.set(None);
                }
                JobReply::Failed { message, .. } => fit_error.set(Some(message)),
                JobReply::Progress { .. } | JobReply::Benchmarked { .. } => {}
            }
        }
    });

    let progress = move || {
        jobs.running.get()?;
        let (stage, done, total) = match jobs.reply.get() {
            Some(JobReply::Progress {
                stage, done, total, ..
            }) => (stage, done, total),
            _ => ("starting".to_string(), 0, 1),
        };
        Some(view! {
            <div class="progress-row">
                <progress data-testid="fit-progress" max=total.max(1) value=done></progress>
                <span>{format!("{stage} {done}/{total}")}</span>
                <button type="button" data-testid="fit-cancel" on:click=move |_| jobs.cancel()>"Cancel"</button>
            </div>
        })
    };
    let text_field = move |label: &'static str, id: &'static str, sig: RwSignal<String>| {
        view! {
            <label>{label}
                <input type="text" data-testid=id prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
            </label>
        }
    };

    // D for laws that read it (Chinchilla, custom formulas over D or a tokens column).
    let search = expect_context::<SearchState>();
    let reads_tokens = Memo::new(move |_| {
        state.law.with(|l| match l {
            Law::Custom(c) => {
                l.variables().iter().any(|v| v == "D")
                    || c.bindings()
                        .iter()
                        .any(|b| b.quantity == Quantity::Law(Variable::Tokens))
            }
            _ => l.variables().iter().any(|v| v == "D"),
        })
    });
    let tokens_text = RwSignal::new(String::new());
    let tokens_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let d = search.training_tokens();
        if tokens_error.get_untracked().is_none() {
            tokens_text.set(format_param_count(d));
        }
    });
    let set_tokens = move |text: String| {
        tokens_text.set(text.clone());
        match parse_param_count("training tokens D", &text) {
            Ok(Some(d)) => tokens_error.set(search.set_training_tokens(d).err()),
            Ok(None) => tokens_error.set(Some(
                "training tokens D: a number is needed, such as 10B or 2e11".into(),
            )),
            Err(e) => tokens_error.set(Some(e.replace("parameter count", "token count"))),
        }
    };

    view! {
        <section class="panel" aria-labelledby="law-h">
            <h2 id="law-h">"Scaling law"</h2>
            <p class="law-in-use" data-testid="law-in-use">
                <code>{move || state.law.with(|l| l.formula())}</code>
            </p>
            <p class="source" data-testid="law-source">"In use: "{move || state.source.get()}</p>
            {move || state.law.with(|l| match l {
                Law::Custom(c) if !c.bindings().is_empty() => Some(view! {
                    <p class="note" data-testid="law-bindings">"Columns read from each candidate: "
                        {c.bindings().iter().map(|b| format!("{} = {}", b.column, b.quantity.meaning())).collect::<Vec<_>>().join("; ")}
                    </p>
                }),
                _ => None,
            })}
            {move || {
                let c = state.concerns.get();
                (!c.is_empty()).then(|| view! {
                    <ul class="warnings" data-testid="law-concerns">
                        {c.iter().map(|c| view! { <li>{c.to_string()}</li> }).collect_view()}
                    </ul>
                })
            }}
            {move || reads_tokens.get().then(|| view! {
                <label title="Chinchilla-style laws need D; every candidate is assumed to be trained on this many tokens">
                    "Training tokens D for every candidate "
                    <input type="text" data-testid="law-training-tokens" prop:value=move || tokens_text.get()
                        aria-invalid=move || tokens_error.get().is_some().to_string()
                        on:change=move |ev| set_tokens(event_target_value(&ev)) />
                </label>
                {move || tokens_error.get().map(|e| view! { <p class="error" role="alert" data-testid="law-training-tokens-error">{e}</p> })}
            })}
            <button type="button" data-testid="law-reset"
                on:click=move |_| {
                    state.use_published();
                }>"Use the published law"</button>
            <h3>"Fit to your training results"</h3>
            <FileDrop label="Loss CSV" accept=".csv,.tsv,.txt,text/csv" test_id="loss-file" on_text=on_text on_error=on_error />
            <button type="button" data-testid="loss-example"
                on:click=move |_| load(EXAMPLE_NAME.into(), EXAMPLE_CSV.into())>"Load the synthetic example"</button>
            <details>
                <summary>"Paste CSV"</summary>
                <textarea rows="5" data-testid="loss-paste" aria-label="loss CSV text"
                    prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <button type="button" on:click=move |_| load("pasted CSV".into(), pasted.get_untracked())>"Load"</button>
            </details>
            {move || load_error.get().map(|e| view! { <p class="error" role="alert" data-testid="loss-error">{e}</p> })}
            <label>"Law form "
                <select data-testid="law-form" on:change=move |ev| form.set(match event_target_value(&ev).as_str() {
                    "chinchilla" => Form::Chinchilla,
                    "custom" => Form::Custom,
                    _ => Form::Paper,
                })>
                    <option value="paper">"paper: architecture law (11 parameters)"</option>
                    <option value="chinchilla">"Chinchilla: E + A/N^α + B/D^β"</option>
                    <option value="custom">"custom formula"</option>
                </select>
            </label>
            {move || (form.get() == Form::Custom).then(|| view! {
                {text_field("Formula over column names", "law-formula", formula)}
                {text_field("Free parameters", "law-params", params)}
            })}
            {move || law_form.get().err().filter(|_| form.get() == Form::Custom && state.data.with(|d| d.is_some()))
                .map(|e| view! { <p class="error" data-testid="law-formula-error">{e}</p> })}
            <details>
                <summary>"Fit settings"</summary>
                <label class="check"><input type="checkbox" prop:checked=move || least_squares.get()
                    on:change=move |ev| least_squares.set(event_target_checked(&ev)) />" plain least squares (instead of Huber)"</label>
                {text_field("Huber δ (log residuals)", "fit-delta", delta)}
                {text_field("Held-out rows, % (a split column wins)", "fit-holdout", holdout)}
                {text_field("Bootstrap resamples", "fit-bootstrap", bootstrap)}
                {text_field("Starts", "fit-starts", starts)}
            </details>
            <button type="button" class="primary" data-testid="fit-run"
                disabled=move || state.data.with(|d| d.is_none())
                on:click=start_fit>"Fit"</button>
            {progress}
            {move || fit_error.get().map(|e| view! { <p class="error" role="alert" data-testid="fit-error">{e}</p> })}
        </section>
    }
}
