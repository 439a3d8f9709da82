//! "Reproduce the paper": the method paper's figures, each opening the matching view in one
//! click, with what it shows, where our defaults differ from the paper (method.md §6) and
//! what it replaces. Each button lands on its view (scrolled to the top and focused, so a
//! keyboard user continues from there); before the first one replaces anything the page is
//! kept ([`PageSnapshot`]) and "Back to your work" restores it exactly.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::jobs::Jobs;
use super::latest::{Latest, Ticket};
use super::law_state::{LawState, LossData, EXAMPLE_CSV, EXAMPLE_NAME};
use super::paper_undo::{set_law_form, PageSnapshot};
use super::search_state::{yield_to_browser, SearchState};
use super::state::Inputs;
use super::theory_panel::WorkedExampleView;
use crate::model::loss_csv::ColumnMapping;
use crate::model::precision::Precision;
use crate::model::search::{Objective, SearchSpaceSpec};
use crate::model::workload::Workload;

/// Waits `ms` milliseconds without blocking the page.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Polls of [`land`] and of the Fit button: 50 ms apart, 30 s in all.
const POLL_MS: i32 = 50;
const POLLS: u32 = 600;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The element with `id` when it is laid out (a panel mounted late or hidden has no height).
fn shown(id: &str) -> Option<web_sys::HtmlElement> {
    let el: web_sys::HtmlElement = document()?.get_element_by_id(id)?.dyn_into().ok()?;
    (el.offset_height() > 0).then_some(el)
}

/// Scrolls the element with `id` to the top of the window and focuses it, once it is shown
/// and, with `settle`, once the search has been idle for a few polls (a new setting re-runs
/// it and the panels re-render). A newer press makes `ticket` stale, and wins.
async fn land(id: &'static str, settle: bool, search: SearchState, ticket: Ticket) {
    // Let the new setting's effects start the search before watching it.
    yield_to_browser().await;
    yield_to_browser().await;
    let mut quiet = 0;
    for _ in 0..POLLS {
        if !ticket.is_current() {
            return;
        }
        let idle = search.progress.with_untracked(Option::is_none);
        quiet = if idle { quiet + 1 } else { 0 };
        if let Some(el) = shown(id).filter(|_| !settle || quiet >= 3) {
            el.scroll_into_view_with_bool(true);
            if !el.has_attribute("tabindex") {
                let _ = el.set_attribute("tabindex", "-1");
            }
            let _ = el.focus();
            return;
        }
        sleep(POLL_MS).await;
    }
}

/// The law panel's Fit button once it is mounted and enabled (it enables after the loss
/// data's render has run).
fn fit_button() -> Option<web_sys::HtmlElement> {
    let el = document()?
        .query_selector("[data-testid=\"fit-run\"]")
        .ok()??;
    if el.has_attribute("disabled") {
        return None;
    }
    el.dyn_into().ok()
}

struct Figure {
    id: &'static str,
    title: &'static str,
    shows: &'static str,
    differs: &'static str,
    /// What pressing it replaces on the page.
    replaces: &'static str,
    /// Element id of the view it lands on.
    target: &'static str,
}

/// What the three search figures replace (the paper's setting).
const REPLACES_SETTING: &str = "your device, reference model, precision, workload, law, search lists, FFN type, precisions, objective and pins; your budget and parameter range stay.";

const FIGURES: [Figure; 5] = [
    Figure {
        id: "fit",
        title: "Fit quality of the loss law",
        shows: "Predicted against observed loss with R² on training and held-out rows.",
        differs: "The paper fits 170 trained models (its split is 138/32 in the figure, 120/17 in the text); we ship synthetic losses generated from its published law, so the fit recovers that law.",
        replaces: "your loss data and last fit (the synthetic example is loaded and fitted) and the law form (set to the paper’s). The law in use stays.",
        target: "fit-h",
    },
    Figure {
        id: "frontiers",
        title: "Loss–latency frontiers: prefill, decode, total at FP16 and INT8",
        shows: "Every candidate of the paper's grid and the Pareto frontier per precision; switch the objective to see all three.",
        differs: "Jetson AGX Orin 64GB is our default (the paper names only “Jetson Orin”); the FFN-ratio grid and d_h = 128 are our decisions; the full operator set adds embeddings, LM head and norms (choose “paper operators only” to drop them). Our grid has 9,520 candidates, not the paper's 1,942.",
        replaces: REPLACES_SETTING,
        target: "frontier-h",
    },
    Figure {
        id: "trends",
        title: "Architecture along the frontier",
        shows: "Layers, width, experts, active experts, FFN ratio and KV heads of the frontier designs as the latency grows.",
        differs: "Same setting as the frontiers.",
        replaces: REPLACES_SETTING,
        target: "trend-h",
    },
    Figure {
        id: "qwen",
        title: "Frontier with Qwen2.5-0.5B marked (the headline claim)",
        shows: "Qwen2.5-0.5B's predicted loss and latency, and the best frontier design at no more latency.",
        differs: "The paper reports measured WikiText-2 perplexity of trained models (63.14 → 50.88, −19.42 %); we predict training loss with the law at its 10 B tokens and show exp(loss), a different quantity. Both are shown side by side under the frontier.",
        replaces: REPLACES_SETTING,
        target: "matched-latency",
    },
    Figure {
        id: "worked",
        title: "Feasible design region: the worked example",
        shows: "10 TOPS, 50 GB/s, 4 GB, 100 ms decode over 10 tokens: η = 0.125, the regime, ρ*(d) and l*(d).",
        differs: "The paper's text gives ρ* = 0.25 and 0.15 at d = 1024 and 2048; its own formula and coefficients give 0.40 and 0.17, which we show.",
        replaces: "nothing of yours: the theory panel shows the example on its own device and budgets.",
        target: "theory-h",
    },
];

#[component]
pub fn PaperPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let law = expect_context::<LawState>();
    let search = expect_context::<SearchState>();
    let jobs = expect_context::<Jobs>();
    let example = expect_context::<WorkedExampleView>();
    // The page before the first paper button, the title of the last one pressed, and where
    // the user was (scroll position, focused element).
    let kept = RwSignal::new(None::<PageSnapshot>);
    let pressed = RwSignal::new(None::<&'static str>);
    let before = StoredValue::new_local(None::<(f64, Option<web_sys::HtmlElement>)>);
    let restored = RwSignal::new(false);
    let presses = Latest::new();

    let keep = move || {
        if kept.with_untracked(Option::is_none) {
            kept.set(Some(PageSnapshot::take(inputs, law, search, example)));
            let y = web_sys::window()
                .and_then(|w| w.scroll_y().ok())
                .unwrap_or(0.0);
            let focused = document()
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            before.set_value(Some((y, focused)));
        }
        restored.set(false);
    };

    // The paper's setting: AGX Orin, its workload, the published law, its grid, FP16 and INT8.
    let paper_setting = move |objective: Objective| {
        inputs.select_device(0);
        // Workload::default() is the paper's: attention not fused (the score matrix is written).
        inputs.set_workload(Workload::default());
        inputs.set_precision(Precision::FP16);
        inputs.select_model(0);
        law.use_published();
        search.text.set_from_spec(&SearchSpaceSpec::default());
        search.ffn_kind.set(SearchSpaceSpec::default().ffn_kind);
        search
            .precisions
            .set(vec![Precision::FP16, Precision::INT8]);
        search.objective.set(objective);
        search.clear_pins();
    };
    let open = move |f: &'static Figure| {
        keep();
        pressed.set(Some(f.title));
        let ticket = presses.next();
        match f.id {
            "fit" => {
                if let Ok(d) =
                    LossData::parse(EXAMPLE_NAME, EXAMPLE_CSV.into(), ColumnMapping::default())
                {
                    law.set_data(Some(d));
                }
                leptos::task::spawn_local(async move {
                    for _ in 0..POLLS {
                        if !ticket.is_current() {
                            return;
                        }
                        if let Some(button) = fit_button() {
                            set_law_form("paper");
                            button.click();
                            break;
                        }
                        sleep(POLL_MS).await;
                    }
                    land(f.target, false, search, ticket).await;
                    // The fit panel is the last one: until the report arrives the page may be
                    // too short to bring it to the top, so it is brought up again then, if
                    // the user is still on it.
                    for _ in 0..POLLS {
                        if !ticket.is_current() {
                            return;
                        }
                        if jobs.running.get_untracked().is_none() {
                            // Its report and charts render first.
                            sleep(POLL_MS).await;
                            let focused = document().and_then(|d| d.active_element());
                            if let Some(el) = shown(f.target).filter(|el| {
                                focused.as_ref() == Some(AsRef::<web_sys::Element>::as_ref(el))
                            }) {
                                el.scroll_into_view_with_bool(true);
                            }
                            return;
                        }
                        sleep(POLL_MS).await;
                    }
                });
            }
            "worked" => {
                example.0.set(true);
                leptos::task::spawn_local(land(f.target, false, search, ticket));
            }
            _ => {
                paper_setting(Objective::Decode);
                leptos::task::spawn_local(land(f.target, true, search, ticket));
            }
        }
    };
    let undo = move |_| {
        let Some(snapshot) = kept.get_untracked() else {
            return;
        };
        // A fit a paper button started must not land on the restored page.
        if jobs.running.get_untracked().is_some() {
            jobs.cancel();
        }
        presses.cancel();
        snapshot.restore(inputs, law, search, example);
        kept.set(None);
        pressed.set(None);
        restored.set(true);
        if let Some((y, focused)) = before.get_value() {
            if let Some(el) = focused {
                let _ = el.focus();
            }
            if let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, y);
            }
        }
        before.set_value(None);
    };
    let dismiss = move |_| {
        kept.set(None);
        pressed.set(None);
        before.set_value(None);
    };

    view! {
        <details class="panel paper" data-testid="paper-view">
            <summary><h2>"Reproduce the paper"</h2></summary>
            <p class="hint">"Figures of “Hardware Co-Design Scaling Laws via Roofline Modelling for On-Device LLMs” (arXiv 2602.10377); each button opens the matching view and says what it replaces. Your work is kept: “Back to your work” restores it exactly as it was before the first button."</p>
            <p class="hint" data-testid="paper-fused-attention">"Reproducing the paper keeps fused attention off: its prefill writes the attention score matrix to memory, so a button that applies the paper’s setting turns “Fused attention” off."</p>
            {move || restored.get().then(|| view! { <p class="ok" role="status" data-testid="paper-restored">"Your work is back as it was before “Reproduce the paper”."</p> })}
            <ol class="figures">
                {FIGURES.iter().map(|f| view! {
                    <li>
                        <button type="button" data-testid=format!("paper-{}", f.id) on:click=move |_| open(f)>{f.title}</button>
                        <p>{f.shows}</p>
                        <p class="hint">"Differs: "{f.differs}</p>
                        <p class="hint" data-testid=format!("paper-{}-replaces", f.id)>"Replaces: "{f.replaces}</p>
                    </li>
                }).collect_view()}
            </ol>
        </details>
        // Shown wherever the button landed, until the user goes back or keeps the setting.
        {move || kept.with(Option::is_some).then(|| view! {
            <div class="paper-undo" role="region" aria-label="Paper setting applied" data-testid="paper-undo-bar">
                <span>{move || format!("Paper view: {}. ", pressed.get().unwrap_or_default())}</span>
                <button type="button" class="primary" data-testid="paper-undo" on:click=undo>"Back to your work"</button>
                " "
                <button type="button" data-testid="paper-keep" on:click=dismiss>"Keep the paper setting"</button>
            </div>
        })}
    }
}
