//! The thin UI: holds state in signals, calls [`crate::model`], draws. Browser-only.

mod shell;

use leptos::prelude::*;

pub use shell::{Footer, Header};

/// The app root: the shell (header, sidebar for inputs, main area for charts, footer).
#[component]
pub fn App() -> impl IntoView {
    view! {
        <div class="app" data-testid="app-root">
            <Header/>
            <div class="layout">
                <aside class="sidebar" aria-label="Inputs" data-testid="sidebar">
                    <section class="panel">
                        <h2>"Inputs"</h2>
                        <p class="hint">"Device, workload, scaling law and search space are set here."</p>
                    </section>
                </aside>
                <main class="main" data-testid="main-area">
                    <section class="panel">
                        <h2>"Loss–latency frontier"</h2>
                        <p class="hint">"Charts appear here."</p>
                    </section>
                </main>
            </div>
            <Footer/>
        </div>
    }
}
