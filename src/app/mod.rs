//! The thin UI: holds state in signals, calls [`crate::model`], draws. Browser-only.

mod calibration_panel;
mod canvas_size;
mod chart_canvas;
mod chart_export;
mod design_panel;
mod device_panel;
mod devices_panel;
mod file_drop;
mod files;
mod fit_panel;
mod format;
mod frontier_panel;
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
use search_state::{run_search_on_change, SearchState};
pub use shell::{Footer, Header};
use state::{Derived, Inputs};
use theory_panel::TheoryPanel;
use workload_panel::WorkloadPanel;

/// Groups of panels mounted after the first screen, one per task.
const MOUNT_STAGES: u8 = 5;

/// The app root: provides the input state and its derived results, lays out the panels.
#[component]
pub fn App() -> impl IntoView {
    provide_context(theme::use_dark_mode());
    let inputs = Inputs::new();
    provide_context(inputs);
    provide_context(Derived::new(inputs));
    provide_context(LawState::new());
    provide_context(Jobs::new());
    let search = SearchState::new(inputs.workload);
    provide_context(search);
    provide_context(theory_panel::WorkedExampleView(RwSignal::new(false)));
    let session_message = RwSignal::new(None::<String>);
    session_sync::restore_and_autosave(session_message);
    run_search_on_change(search);
    // The panels below the first screen (in the sidebar and in the main area) mount in a task
    // of their own after the first has painted: mounting the whole page at once blocks the
    // thread for a few hundred ms.
    // One group per task keeps each under 100 ms.
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
                    <section class="panel" aria-label="Session">
                        <session_sync::SessionControls message=session_message/>
                    </section>
                    <DevicePanel/>
                    <SearchPanel/>
                    <Show when=stage(1)><WorkloadPanel/><ModelPanel/></Show>
                    <Show when=stage(3)><LawPanel/><CalibrationPanel/></Show>
                </aside>
                <main class="main" id="results" tabindex="-1" data-testid="main-area">
                    <a class="back-link" href="#inputs">"↑ Back to the inputs"</a>
                    <PaperPanel/>
                    <FrontierPanel/>
                    <Show when=stage(2)><DesignPanel/><DevicesPanel/></Show>
                    <Show when=stage(4)><TheoryPanel/></Show>
                    <Show when=stage(5)><LatencyPanel/><FitPanel/></Show>
                </main>
            </div>
            <Footer/>
        </div>
    }
}
