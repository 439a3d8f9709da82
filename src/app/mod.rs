//! The thin UI: holds state in signals, calls [`crate::model`], draws. Browser-only.

mod device_panel;
mod file_drop;
mod files;
mod format;
mod latency_panel;
mod model_panel;
mod shell;
mod state;
mod workload_panel;

use leptos::prelude::*;

use device_panel::DevicePanel;
use latency_panel::LatencyPanel;
use model_panel::ModelPanel;
pub use shell::{Footer, Header};
use state::{Derived, Inputs};
use workload_panel::WorkloadPanel;

/// The app root: provides the input state and its derived results, lays out the panels.
#[component]
pub fn App() -> impl IntoView {
    let inputs = Inputs::new();
    provide_context(inputs);
    provide_context(Derived::new(inputs));
    view! {
        <div class="app" data-testid="app-root">
            <Header/>
            <div class="layout">
                <aside class="sidebar" aria-label="Inputs" data-testid="sidebar">
                    <DevicePanel/>
                    <WorkloadPanel/>
                    <ModelPanel/>
                </aside>
                <main class="main" data-testid="main-area">
                    <LatencyPanel/>
                </main>
            </div>
            <Footer/>
        </div>
    }
}
