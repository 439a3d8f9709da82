//! The page frame around every panel: product name, purpose, a link to the results, and where
//! the science comes from.

use leptos::prelude::*;

/// Product name and one-line purpose.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="header">
            <h1 data-testid="app-title">"roofscale"</h1>
            <p class="tagline">
                "Which LLM architecture for your device? A fitted scaling law predicts loss, a roofline model predicts latency and memory; their Pareto frontier answers. Everything runs in your browser."
            </p>
            // The first link: the results follow every input, thousands of pixels down on a
            // phone (shown there, and to keyboard users when focused).
            <a class="skip-link" href="#results" data-testid="skip-to-results">"Jump to results"</a>
        </header>
    }
}

/// Links to the method and the sources of the reference data.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="footer">
            <span>"Method: "</span>
            <a href="docs/method.md">"method notes"</a>
            <span>" after “Hardware Co-Design Scaling Laws via Roofline Modelling for On-Device LLMs” (arXiv 2602.10377) and PLM (arXiv 2503.12167). "</span>
            <span>"Reference models and devices: "</span>
            <a href="docs/reference.md">"sources"</a>
            <span>". Nothing you load leaves this page."</span>
        </footer>
    }
}
