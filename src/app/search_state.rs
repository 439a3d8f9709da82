//! The search: the space as typed, the precisions, budgets and objective, and the running or
//! finished search. The search runs on the page's thread in time slices (a few milliseconds of
//! candidates, then back to the browser), so it keeps its million-candidate results here for
//! the charts without copying them between threads, and the page never blocks.

use std::sync::Arc;

use leptos::prelude::*;

use super::latest::Latest;
use super::law_state::LawState;
use super::search_slices::{now_ms, run_in_slices};
use super::state::{Derived, Inputs};
use crate::model::arch::FfnKind;
use crate::model::precision::Precision;
use crate::model::search::{
    search_precisions, Constraints, LatencyBudget, Objective, SearchProgress, SearchReport,
    SearchRun, SearchSettings, SearchSpace, SearchSpaceSpec, SearchSpaceText,
};
use crate::model::workload::Workload;

/// Designs that can be pinned and compared side by side.
pub const MAX_PINS: usize = 4;

/// The space editor's fields, as typed.
#[derive(Clone, Copy)]
pub struct SpaceText {
    pub layers: RwSignal<String>,
    pub hidden: RwSignal<String>,
    pub ffn_ratios: RwSignal<String>,
    pub experts: RwSignal<String>,
    pub kv_heads: RwSignal<String>,
    pub head_dims: RwSignal<String>,
    pub attention: RwSignal<String>,
}

impl SpaceText {
    pub fn from_spec(s: &SearchSpaceSpec) -> Self {
        let t = SearchSpaceText::from_spec(s);
        SpaceText {
            layers: RwSignal::new(t.layers),
            hidden: RwSignal::new(t.hidden),
            ffn_ratios: RwSignal::new(t.ffn_ratios),
            experts: RwSignal::new(t.experts),
            kv_heads: RwSignal::new(t.kv_heads),
            head_dims: RwSignal::new(t.head_dims),
            attention: RwSignal::new(t.attention),
        }
    }

    pub fn set_from_spec(&self, s: &SearchSpaceSpec) {
        let t = SearchSpaceText::from_spec(s);
        self.layers.set(t.layers);
        self.hidden.set(t.hidden);
        self.ffn_ratios.set(t.ffn_ratios);
        self.experts.set(t.experts);
        self.kv_heads.set(t.kv_heads);
        self.head_dims.set(t.head_dims);
        self.attention.set(t.attention);
    }

    /// The typed space, validated by the core; the message names the list and the item.
    pub fn parse(&self, ffn_kind: FfnKind) -> Result<SearchSpace, String> {
        SearchSpaceText {
            layers: self.layers.get(),
            hidden: self.hidden.get(),
            ffn_ratios: self.ffn_ratios.get(),
            experts: self.experts.get(),
            kv_heads: self.kv_heads.get(),
            head_dims: self.head_dims.get(),
            attention: self.attention.get(),
        }
        .parse(ffn_kind)
        .map_err(|e| e.to_string())
    }
}

/// Search inputs and results, provided as a context.
#[derive(Clone, Copy)]
pub struct SearchState {
    pub text: SpaceText,
    /// The last valid space (an invalid edit keeps it and shows why).
    pub space: Memo<Result<SearchSpace, String>>,
    /// Precisions compared on the frontier; the workload's precision (the one every figure
    /// uses) is always searched, first.
    pub precisions: RwSignal<Vec<Precision>>,
    pub objective: RwSignal<Objective>,
    /// The latency budget as the user stated it (per token, decode, first token or total);
    /// set by [`SearchState::set_budget`].
    pub budget: ReadSignal<Option<LatencyBudget>>,
    set_budget: WriteSignal<Option<LatencyBudget>>,
    /// Typed budget text that did not parse: the message, shown by the field and by every
    /// sentence that quotes the budget (the last valid budget stays in use).
    pub budget_error: ReadSignal<Option<String>>,
    set_budget_error: WriteSignal<Option<String>>,
    /// The budget on the chosen objective's latency, in seconds, for the current workload;
    /// `None` without a budget or when the budget is on another objective.
    pub budget_s: Memo<Option<f64>>,
    /// The budget as constraints on its own objective (a per-token budget is a decode total
    /// for the workload), or why the workload turns it into no valid time; readers keep the
    /// last valid constraints and the budget field shows the message.
    pub budget_constraints: Memo<Result<Constraints, String>>,
    // What the running or finished search says: written only by the search below.
    pub progress: ReadSignal<Option<SearchProgress>>,
    set_progress: WriteSignal<Option<SearchProgress>>,
    pub report: ReadSignal<Option<Arc<SearchReport>>>,
    set_report: WriteSignal<Option<Arc<SearchReport>>>,
    pub error: ReadSignal<Option<String>>,
    set_error: WriteSignal<Option<String>>,
    /// Time of the last finished search: (compute ms, wall ms).
    pub timing: ReadSignal<Option<(f64, f64)>>,
    set_timing: WriteSignal<Option<(f64, f64)>>,
    /// The parameter range of the designs shown, validated ([`SearchState::set_param_range`]).
    param_constraints: RwSignal<Constraints>,
    /// FFN kind of every candidate.
    pub ffn_kind: RwSignal<FfnKind>,
    /// Reference models pinned for comparison (names in the model list), beside `pins`.
    pub ref_pins: ReadSignal<Vec<String>>,
    set_ref_pins: WriteSignal<Vec<String>>,
    /// Reference models drawn on the frontier besides the selected one (names).
    pub chart_refs: ReadSignal<Vec<String>>,
    set_chart_refs: WriteSignal<Vec<String>>,
    /// The search's settings, validated: D, the training tokens every candidate is assumed
    /// to get, for laws that read D ([`SearchState::set_training_tokens`]).
    settings: RwSignal<SearchSettings>,
    /// Pinned designs (candidate indices in the space), at most [`MAX_PINS`].
    pub pins: ReadSignal<Vec<u64>>,
    set_pins: WriteSignal<Vec<u64>>,
    /// The search running now: a new one, or a cancel, stops the slice loop of the last.
    latest: Latest,
}

impl SearchState {
    pub fn new(workload: ReadSignal<Workload>) -> Self {
        let text = SpaceText::from_spec(&SearchSpaceSpec::default());
        let ffn_kind = RwSignal::new(FfnKind::SwiGlu);
        let objective = RwSignal::new(Objective::Decode);
        let (budget, set_budget) = signal(None::<LatencyBudget>);
        let (budget_error, set_budget_error) = signal(None);
        let (progress, set_progress) = signal(None);
        let (report, set_report) = signal(None);
        let (error, set_error) = signal(None);
        let (timing, set_timing) = signal(None);
        let (pins, set_pins) = signal(Vec::new());
        let (ref_pins, set_ref_pins) = signal(Vec::new());
        let (chart_refs, set_chart_refs) = signal(Vec::new());
        let budget_s = Memo::new(move |_| {
            let b = budget.get()?;
            (b.objective() == objective.get())
                .then(|| workload.with(|w| b.objective_seconds(w)))
                .flatten()
        });
        let budget_constraints = Memo::new(move |_| {
            let Some(b) = budget.get() else {
                return Ok(Constraints::default());
            };
            let seconds = workload.with(|w| b.objective_seconds(w));
            Constraints::default()
                .with_budget(b.objective(), seconds)
                .map_err(|e| format!("latency budget for this workload: {e}"))
        });
        SearchState {
            text,
            budget_constraints,
            space: Memo::new(move |_| text.parse(ffn_kind.get())),
            precisions: RwSignal::new(vec![Precision::FP16, Precision::INT8]),
            objective,
            budget,
            set_budget,
            budget_error,
            set_budget_error,
            budget_s,
            progress,
            set_progress,
            report,
            set_report,
            error,
            set_error,
            timing,
            set_timing,
            pins,
            set_pins,
            ref_pins,
            set_ref_pins,
            chart_refs,
            set_chart_refs,
            settings: RwSignal::new(SearchSettings::default()),
            param_constraints: RwSignal::new(Constraints::default()),
            ffn_kind,
            latest: Latest::new(),
        }
    }

    /// Pins a design (or unpins it when pinned); the oldest pin goes when there are too many.
    pub fn toggle_pin(&self, index: u64) {
        self.set_pins.update(|p| {
            if let Some(k) = p.iter().position(|x| *x == index) {
                p.remove(k);
            } else {
                if p.len() == MAX_PINS {
                    p.remove(0);
                }
                p.push(index);
            }
        });
    }

    /// Pins a reference model (or unpins it); at most [`MAX_PINS`], the oldest goes.
    pub fn toggle_ref_pin(&self, name: &str) {
        self.set_ref_pins.update(|p| {
            if let Some(k) = p.iter().position(|x| x == name) {
                p.remove(k);
            } else {
                if p.len() == MAX_PINS {
                    p.remove(0);
                }
                p.push(name.to_string());
            }
        });
    }

    /// Draws reference model `name` on the frontier chart, or stops drawing it.
    pub fn show_chart_ref(&self, name: &str, on: bool) {
        self.set_chart_refs.update(|v| {
            v.retain(|x| x != name);
            if on {
                v.push(name.to_string())
            }
        });
    }

    /// Unpins every design (reference models stay pinned).
    pub fn clear_pins(&self) {
        self.set_pins.set(Vec::new());
    }

    /// Puts back pins and chart references saved elsewhere (a session, an undo, a reset).
    pub fn restore_pins(&self, pins: Vec<u64>, ref_pins: Vec<String>, chart_refs: Vec<String>) {
        self.set_pins.set(pins);
        self.set_ref_pins.set(ref_pins);
        self.set_chart_refs.set(chart_refs);
    }

    /// A budget the user stated (`None`: no budget): it is used from now on, any message
    /// about earlier text goes, and the objective becomes the one the budget limits.
    pub fn set_budget(&self, budget: Option<LatencyBudget>) {
        self.set_budget_error.set(None);
        if let Some(b) = budget {
            self.objective.set(b.objective());
        }
        self.set_budget.set(budget);
    }

    /// Budget text that did not read: the message is shown, the last valid budget stays.
    pub fn refuse_budget(&self, message: String) {
        self.set_budget_error.set(Some(message));
    }

    /// Puts back a budget saved elsewhere, leaving the objective as restored beside it.
    pub fn restore_budget(&self, budget: Option<LatencyBudget>) {
        self.set_budget_error.set(None);
        self.set_budget.set(budget);
    }

    /// The constraints frontiers are drawn under: memory fit (always) and the parameter range.
    pub fn constraints(&self) -> Constraints {
        self.param_constraints.get()
    }

    /// [`SearchState::constraints`] without subscribing to them.
    pub fn constraints_untracked(&self) -> Constraints {
        self.param_constraints.get_untracked()
    }

    /// Total-parameter range of the designs shown (either side optional).
    pub fn param_range(&self) -> (Option<f64>, Option<f64>) {
        self.param_constraints.with(|c| c.param_range())
    }

    /// Sets the parameter range, or says why it cannot be one (the range in use stays).
    pub fn set_param_range(&self, lo: Option<f64>, hi: Option<f64>) -> Result<(), String> {
        let c = Constraints::default()
            .with_param_range(lo, hi)
            .map_err(|e| e.to_string())?;
        self.param_constraints.set(c);
        Ok(())
    }

    /// Puts back constraints validated elsewhere (a restored session, a reset).
    pub fn restore_param_constraints(&self, c: Constraints) {
        self.param_constraints.set(c);
    }

    /// The search's settings (training tokens D).
    pub fn settings(&self) -> SearchSettings {
        self.settings.get()
    }

    /// [`SearchState::settings`] without subscribing to them.
    pub fn settings_untracked(&self) -> SearchSettings {
        self.settings.get_untracked()
    }

    /// D: training tokens every candidate is assumed to get, for laws that read D.
    pub fn training_tokens(&self) -> f64 {
        self.settings.with(|s| s.training_tokens())
    }

    /// Sets D, or says why it cannot be (the value in use stays).
    pub fn set_training_tokens(&self, tokens: f64) -> Result<(), String> {
        let s = self
            .settings
            .get_untracked()
            .with_training_tokens(tokens)
            .map_err(|e| e.to_string())?;
        self.settings.set(s);
        Ok(())
    }

    /// Puts back settings validated elsewhere (a restored session, an undo, a reset).
    pub fn restore_settings(&self, s: SearchSettings) {
        self.settings.set(s);
    }

    /// Stops the running search; the last finished report stays.
    pub fn cancel(&self) {
        self.latest.cancel();
        self.set_progress.set(None);
    }
}

/// Hands the thread back to the browser until its next task.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Re-runs the search whenever its inputs change (space, law, device, precisions, workload).
pub fn run_search_on_change(search: SearchState) {
    let inputs = expect_context::<Inputs>();
    let derived = expect_context::<Derived>();
    let law = expect_context::<LawState>().law;
    Effect::new(move |_| {
        let Ok(space) = search.space.get() else {
            return;
        };
        let law = law.get();
        let device = derived.device.get();
        let workload = inputs.workload.get();
        let precisions = search_precisions(inputs.precision.get(), &search.precisions.get());
        let run = SearchRun::new(
            &space,
            &law,
            &device,
            &precisions,
            &workload,
            &search.settings(),
        );
        let run = match run {
            Ok(r) => r,
            Err(e) => {
                search.set_error.set(Some(e.to_string()));
                return;
            }
        };
        search.set_error.set(None);
        let ticket = search.latest.next();
        leptos::task::spawn_local(async move {
            let started = now_ms();
            let sliced = run_in_slices(run, ticket, |p| search.set_progress.set(Some(p))).await;
            let Some((report, compute)) = sliced else {
                return;
            };
            // The panels read every frontier as soon as the report arrives; computing them
            // here, one per slice, keeps each task short (a million candidates take tens of
            // milliseconds per frontier), and the report's cache serves the panels.
            let precisions = report.evaluations.precisions.len();
            for constraints in [Constraints::default(), search.constraints_untracked()] {
                for objective in Objective::ALL {
                    for p in 0..precisions {
                        if !ticket.is_current() {
                            return;
                        }
                        let t0 = now_ms();
                        report.frontier(objective, p, &constraints);
                        if now_ms() - t0 > 1.0 {
                            yield_to_browser().await;
                        }
                    }
                }
            }
            if ticket.is_current() {
                search.set_progress.set(None);
                search.set_timing.set(Some((compute, now_ms() - started)));
                search.set_report.set(Some(Arc::new(report)));
            }
        });
    });
}
