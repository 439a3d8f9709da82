//! "Reproduce the paper": the method paper's figures, each opening the matching view in one
//! click, with what it shows and where our defaults differ from the paper (method.md §6).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::law_state::{LawState, LossData, EXAMPLE_CSV, EXAMPLE_NAME};
use super::search_state::SearchState;
use super::state::Inputs;
use crate::model::law::{Law, PaperLaw};
use crate::model::loss_csv::ColumnMapping;
use crate::model::precision::Precision;
use crate::model::search::{Objective, SearchSpaceSpec};
use crate::model::workload::Workload;

/// Scrolls to the element with `test_id` and, for buttons, clicks it.
fn reach(test_id: &str, click: bool) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(Some(el)) = doc.query_selector(&format!("[data-testid=\"{test_id}\"]")) {
        el.scroll_into_view();
        if click {
            if let Ok(button) = el.dyn_into::<web_sys::HtmlElement>() {
                button.click();
            }
        }
    }
}

struct Figure {
    id: &'static str,
    title: &'static str,
    shows: &'static str,
    differs: &'static str,
}

const FIGURES: [Figure; 5] = [
    Figure {
        id: "fit",
        title: "Fit quality of the loss law",
        shows: "Predicted against observed loss with R² on training and held-out rows.",
        differs: "The paper fits 170 trained models (its split is 138/32 in the figure, 120/17 in the text); we ship synthetic losses generated from its published law, so the fit recovers that law.",
    },
    Figure {
        id: "frontiers",
        title: "Loss–latency frontiers: prefill, decode, total at FP16 and INT8",
        shows: "Every candidate of the paper's grid and the Pareto frontier per precision; switch the objective to see all three.",
        differs: "Jetson AGX Orin 64GB is our default (the paper names only “Jetson Orin”); the FFN-ratio grid and d_h = 128 are our decisions; the full operator set adds embeddings, LM head and norms (choose “paper operators only” to drop them). Our grid has 9,520 candidates, not the paper's 1,942.",
    },
    Figure {
        id: "trends",
        title: "Architecture along the frontier",
        shows: "Layers, width, experts, active experts, FFN ratio and KV heads of the frontier designs as the latency grows.",
        differs: "Same setting as the frontiers.",
    },
    Figure {
        id: "qwen",
        title: "Frontier with Qwen2.5-0.5B marked (the headline claim)",
        shows: "Qwen2.5-0.5B's predicted loss and latency, and the best frontier design at no more latency.",
        differs: "The paper reports measured WikiText-2 perplexity of trained models (63.14 → 50.88, −19.42 %); we predict training loss with the law at its 10 B tokens and show exp(loss), a different quantity. Both are shown side by side under the frontier.",
    },
    Figure {
        id: "worked",
        title: "Feasible design region: the worked example",
        shows: "10 TOPS, 50 GB/s, 4 GB, 100 ms decode over 10 tokens: η = 0.125, the regime, ρ*(d) and l*(d).",
        differs: "The paper's text gives ρ* = 0.25 and 0.15 at d = 1024 and 2048; its own formula and coefficients give 0.40 and 0.17, which we show.",
    },
];

#[component]
pub fn PaperPanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let law = expect_context::<LawState>();
    let search = expect_context::<SearchState>();

    // The paper's setting: AGX Orin, its workload, the published law, its grid, FP16 and INT8.
    let paper_setting = move |objective: Objective| {
        inputs.device_index.set(0);
        inputs.workload.set(Workload::default());
        inputs.precision.set(Precision::FP16);
        inputs.model_index.set(0);
        law.law.set(Law::Paper(PaperLaw::published()));
        law.source.set(LawState::new().source.get_untracked());
        search.text.set_from_spec(&SearchSpaceSpec::default());
        search
            .precisions
            .set(vec![Precision::FP16, Precision::INT8]);
        search.objective.set(objective);
    };
    let open = move |id: &'static str| match id {
        "fit" => {
            if let Ok(d) =
                LossData::parse(EXAMPLE_NAME, EXAMPLE_CSV.into(), ColumnMapping::default())
            {
                law.data.set(Some(d));
            }
            // The Fit button enables once the data's render has run.
            set_timeout(
                || reach("fit-run", true),
                std::time::Duration::from_millis(100),
            );
        }
        "frontiers" => {
            paper_setting(Objective::Decode);
            reach("frontier-chart", false);
        }
        "trends" => {
            paper_setting(Objective::Decode);
            reach("trend-chart", false);
        }
        "qwen" => {
            paper_setting(Objective::Decode);
            reach("matched-latency", false);
        }
        _ => reach("theory-worked-example", true),
    };

    view! {
        <details class="panel paper" data-testid="paper-view">
            <summary><h2>"Reproduce the paper"</h2></summary>
            <p class="hint">"Figures of “Hardware Co-Design Scaling Laws via Roofline Modelling for On-Device LLMs” (arXiv 2602.10377); each button opens the matching view."</p>
            <ol class="figures">
                {FIGURES.iter().map(|f| view! {
                    <li>
                        <button type="button" data-testid=format!("paper-{}", f.id) on:click=move |_| open(f.id)>{f.title}</button>
                        <p>{f.shows}</p>
                        <p class="hint">"Differs: "{f.differs}</p>
                    </li>
                }).collect_view()}
            </ol>
        </details>
    }
}
