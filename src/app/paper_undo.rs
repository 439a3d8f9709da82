//! "Back to your work": what the page held before a "Reproduce the paper" button replaced it,
//! restored exactly by the undo button.
//!
//! DECISION: the snapshot keeps the signals' own values rather than a [`crate::session::Session`]:
//! a session does not carry the loaded loss file, the last fit, the parameter range or the
//! theory panel's worked-example view, and the space lists are kept as typed (even a list
//! the user has not finished), so undo gives back exactly what was on the page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::law_state::{LawState, LossData};
use super::search_state::SearchState;
use super::state::{Inputs, NamedModel};
use super::theory_panel::WorkedExampleView;
use crate::model::arch::FfnKind;
use crate::model::device::Device;
use crate::model::fit::{Concern, DataRange, FitReport};
use crate::model::law::Law;
use crate::model::precision::Precision;
use crate::model::search::{LatencyBudget, Objective, SearchSettings};
use crate::model::workload::Workload;

/// The law panel's "Law form" select (its own state, outside the contexts).
const LAW_FORM: &str = "[data-testid=\"law-form\"]";

fn law_form_select() -> Option<web_sys::HtmlSelectElement> {
    web_sys::window()?
        .document()?
        .query_selector(LAW_FORM)
        .ok()??
        .dyn_into()
        .ok()
}

/// Sets the law panel's form select as a user would (its change handler updates the panel).
pub fn set_law_form(value: &str) {
    if let Some(select) = law_form_select() {
        if select.value() != value {
            select.set_value(value);
            if let Ok(ev) = web_sys::Event::new("change") {
                let _ = select.dispatch_event(&ev);
            }
        }
    }
}

/// Everything a paper button may change.
#[derive(Clone)]
pub struct PageSnapshot {
    devices: Vec<Device>,
    device_index: usize,
    models: Vec<NamedModel>,
    model_index: usize,
    precision: Precision,
    workload: Workload,
    law: Law,
    law_source: String,
    data: Option<LossData>,
    report: Option<FitReport>,
    law_form: Option<String>,
    space_text: [String; 7],
    ffn_kind: FfnKind,
    precisions: Vec<Precision>,
    objective: Objective,
    budget: Option<LatencyBudget>,
    pins: Vec<u64>,
    ref_pins: Vec<String>,
    chart_refs: Vec<String>,
    settings: SearchSettings,
    concerns: Vec<Concern>,
    ranges: Vec<DataRange>,
    worked_example: bool,
}

impl PageSnapshot {
    pub fn take(
        inputs: Inputs,
        law: LawState,
        search: SearchState,
        example: WorkedExampleView,
    ) -> Self {
        let t = search.text;
        PageSnapshot {
            devices: inputs.devices.get_untracked(),
            device_index: inputs.device_index.get_untracked(),
            models: inputs.models.get_untracked(),
            model_index: inputs.model_index.get_untracked(),
            precision: inputs.precision.get_untracked(),
            workload: inputs.workload.get_untracked(),
            law: law.law.get_untracked(),
            law_source: law.source.get_untracked(),
            data: law.data.get_untracked(),
            report: law.report.get_untracked(),
            law_form: law_form_select().map(|s| s.value()),
            space_text: [
                t.layers,
                t.hidden,
                t.ffn_ratios,
                t.experts,
                t.kv_heads,
                t.head_dims,
                t.attention,
            ]
            .map(|s| s.get_untracked()),
            ffn_kind: search.ffn_kind.get_untracked(),
            precisions: search.precisions.get_untracked(),
            objective: search.objective.get_untracked(),
            budget: search.budget.get_untracked(),
            pins: search.pins.get_untracked(),
            ref_pins: search.ref_pins.get_untracked(),
            chart_refs: search.chart_refs.get_untracked(),
            settings: search.settings_untracked(),
            concerns: law.concerns.get_untracked(),
            ranges: law.ranges.get_untracked(),
            worked_example: example.0.get_untracked(),
        }
    }

    /// Puts every value back; the search re-runs on the restored inputs.
    pub fn restore(
        self,
        inputs: Inputs,
        law: LawState,
        search: SearchState,
        example: WorkedExampleView,
    ) {
        inputs.restore_devices(self.devices, self.device_index);
        inputs.restore_models(self.models, self.model_index);
        inputs.set_precision(self.precision);
        inputs.set_workload(self.workload);
        law.use_law(self.law, self.law_source, self.concerns, self.ranges);
        law.set_data(self.data);
        law.set_report(self.report);
        if let Some(form) = self.law_form {
            set_law_form(&form);
        }
        let t = search.text;
        for (signal, text) in [
            t.layers,
            t.hidden,
            t.ffn_ratios,
            t.experts,
            t.kv_heads,
            t.head_dims,
            t.attention,
        ]
        .into_iter()
        .zip(self.space_text)
        {
            signal.set(text);
        }
        search.ffn_kind.set(self.ffn_kind);
        search.precisions.set(self.precisions);
        search.objective.set(self.objective);
        search.restore_budget(self.budget);
        search.restore_pins(self.pins, self.ref_pins, self.chart_refs);
        search.restore_settings(self.settings);
        example.0.set(self.worked_example);
    }
}
