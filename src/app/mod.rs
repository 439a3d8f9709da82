//! The thin UI: holds state in signals, calls [`crate::model`], draws. Browser-only.

mod bench_paste;
mod calibration_panel;
mod canvas_backend;
mod canvas_size;
mod chart_canvas;
mod chart_export;
mod derivation_view;
mod design_panel;
mod device_panel;
mod devices_panel;
mod file_drop;
mod files;
mod fit_panel;
mod format;
mod frontier_panel;
mod gguf_import;
mod gguf_read;
mod heatmap_canvas;
mod jobs;
mod latency_panel;
mod latest;
mod law_panel;
mod law_state;
mod model_panel;
mod paper_panel;
mod paper_undo;
mod search_panel;
mod search_slices;
mod search_state;
mod session_sync;
mod shell;
mod state;
mod theme;
mod theory_panel;
mod validation_panel;
mod weight_format_fields;
mod workload_panel;

use leptos::prelude::*;

use calibration_panel::CalibrationPanel;
use design_panel::DesignPanel;
use device_panel::DevicePanel;
use devices_panel::DevicesPanel;
use fit_panel::FitPanel;
use frontier_panel::FrontierPanel;
use jobs::Jobs;
use latency_panel::LatencyPanel;
use law_panel::LawPanel;
use law_state::LawState;
use model_panel::ModelPanel;
use paper_panel::PaperPanel;
use search_panel::SearchPanel;
pub use search_state::yield_to_browser;
use search_state::{run_search_on_change, SearchState};
pub use shell::{Footer, Header};
use state::{Derived, Inputs};
use theory_panel::TheoryPanel;
use validation_panel::ValidationPanel;
use workload_panel::WorkloadPanel;

/// Groups of panels, each mounted in a task of its own (see [`App`]).
const MOUNT_STAGES: u8 = 7;

/// The app root: provides the input state and its derived results, lays out the panels.
#[component]
pub fn App() -> impl IntoView {
    provide_context(theme::use_dark_mode());
    let inputs = Inputs::new();
    provide_context(inputs);
    provide_context(Derived::new(inputs));
    provide_context(LawState::new());
    provide_context(Jobs::new());
    provide_context(calibration_panel::YourRuns(RwSignal::new(None)));
    let search = SearchState::new(inputs.workload);
    provide_context(search);
    provide_context(theory_panel::WorkedExampleView(RwSignal::new(false)));
    let session_message = RwSignal::new(None::<String>);
    session_sync::restore_and_autosave(session_message);
    run_search_on_change(search);
    // The page mounts a group of panels per task, the first screen first: mounting the whole
    // page at once blocks the thread for a few hundred ms (building the DOM, and compiling the
    // wasm functions each panel calls for the first time: V8 compiles them lazily, on the main
    // thread). The frame (header, footer, empty columns) comes with the app itself.
    let mounted = RwSignal::new(0u8);
    leptos::task::spawn_local(async move {
        for _ in 0..MOUNT_STAGES {
            search_state::yield_to_browser().await;
            mounted.update(|n| *n += 1);
        }
    });
    let stage = move |n: u8| move || mounted.get() >= n;
    view! {
        <div class="app" data-testid="app-root">
            <Header/>
            <div class="layout">
                <aside class="sidebar" id="inputs" aria-label="Inputs" data-testid="sidebar">
                    <Show when=stage(1)>
                        <section class="panel" aria-label="Session">
                            <session_sync::SessionControls message=session_message/>
                        </section>
                        <DevicePanel/>
                        <SearchPanel/>
                    </Show>
                    <Show when=stage(3)><WorkloadPanel/><ModelPanel/></Show>
                    <Show when=stage(5)><LawPanel/><CalibrationPanel/></Show>
                </aside>
                <main class="main" id="results" tabindex="-1" data-testid="main-area">
                    <a class="back-link" href="#inputs">"↑ Back to the inputs"</a>
                    <Show when=stage(2)><PaperPanel/><FrontierPanel/></Show>
                    <Show when=stage(4)><DesignPanel/><DevicesPanel/></Show>
                    <Show when=stage(6)><TheoryPanel/><ValidationPanel/></Show>
                    <Show when=stage(7)><LatencyPanel/><FitPanel/></Show>
                </main>
            </div>
            <Footer/>
        </div>
    }
}
