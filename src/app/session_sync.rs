//! Keeps the session outside the page: autosaves it to local storage, restores it on load
//! (from a shared link first, else from storage), writes shareable links, downloads and loads
//! session files, and resets to defaults. A session that does not validate is reported and set
//! aside under another storage key; the page then starts from defaults, never blank.

use leptos::prelude::*;

use super::file_drop::FileDrop;
use super::files::download_text;
use super::law_state::{LawState, LossData};
use super::search_state::{SearchState, SpaceText};
use super::state::{preset_models, Inputs, NamedModel};
use crate::model::precision::Precision;
use crate::model::published::page_devices;
use crate::model::search::{Constraints, Objective, SearchSettings, SearchSpaceSpec};
use crate::model::workload::Workload;
use crate::session::{SavedLossData, SavedModel, Session, ValidSession, SESSION_VERSION};

const STORAGE_KEY: &str = "roofscale.session";
const CORRUPT_KEY: &str = "roofscale.session.corrupt";
const LINK_PREFIX: &str = "#s=";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The page's state as a [`Session`].
fn snapshot(inputs: Inputs, law: LawState, search: SearchState) -> Session {
    let presets = page_devices();
    let devices = inputs.devices.get();
    let device = devices
        .get(inputs.device_index.get())
        .map(|d| d.name().to_string())
        .unwrap_or_default();
    let models = inputs.models.get();
    Session {
        version: SESSION_VERSION,
        custom_devices: devices
            .iter()
            .filter(|d| !presets.contains(d))
            .map(|d| d.spec().clone())
            .collect(),
        device,
        custom_models: models
            .iter()
            .filter(|m| m.origin != "preset")
            .map(|m| SavedModel {
                name: m.name.clone(),
                arch: m.arch.spec().clone(),
            })
            .collect(),
        model: models
            .get(inputs.model_index.get())
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        precision: inputs.precision.get(),
        workload: *inputs.workload.get().spec(),
        law: law.law.get(),
        law_source: law.source.get(),
        space: search
            .space
            .get()
            .map(|s| s.spec().clone())
            .unwrap_or_default(),
        precisions: search.precisions.get(),
        objective: search.objective.get(),
        budget_s: None,
        budget: search.budget.get(),
        param_range: search.param_range(),
        pins: search.pins.get(),
        training_tokens: search.training_tokens(),
        law_concerns: law.concerns.get(),
        law_ranges: law.ranges.get(),
        ref_pins: search.ref_pins.get(),
        chart_refs: search.chart_refs.get(),
        loss_data: law.data.with(|d| {
            d.as_ref().map(|d| SavedLossData {
                file_name: d.file_name.clone(),
                text: d.text.clone(),
                mapping: d.mapping.clone(),
            })
        }),
    }
}

/// Puts a validated session into the page's signals.
fn apply(v: ValidSession, inputs: Inputs, law: LawState, search: SearchState) {
    let s = v.session;
    let (devices, device_index) =
        Session::merge_devices(page_devices(), v.custom_devices, &s.device);
    inputs.restore_devices(devices, device_index);
    let mut models = preset_models();
    models.extend(v.custom_models.into_iter().map(|(name, arch)| NamedModel {
        name,
        arch,
        origin: "session".into(),
        notes: Vec::new(),
    }));
    let model_index = models.iter().position(|m| m.name == s.model).unwrap_or(0);
    inputs.restore_models(models, model_index);
    inputs.set_precision(s.precision);
    inputs.set_workload(v.workload);
    search.text.set_from_spec(v.space.spec());
    search.ffn_kind.set(v.space.spec().ffn_kind);
    search.precisions.set(s.precisions);
    search.objective.set(s.objective);
    search.restore_budget(v.budget);
    search.restore_param_constraints(v.param_constraints);
    search.restore_settings(v.settings);
    law.use_law(s.law, s.law_source, s.law_concerns, s.law_ranges);
    search.restore_pins(s.pins, s.ref_pins, s.chart_refs);
    law.set_data(
        s.loss_data
            .zip(v.loss_table)
            .map(|(saved, table)| LossData {
                file_name: saved.file_name,
                text: saved.text,
                mapping: saved.mapping,
                table,
            }),
    );
}

/// Everything back to the built-in defaults (the paper's setting).
fn reset(inputs: Inputs, law: LawState, search: SearchState) {
    inputs.restore_devices(page_devices(), 0);
    inputs.restore_models(preset_models(), 0);
    inputs.set_precision(Precision::FP16);
    inputs.set_workload(Workload::default());
    law.use_published();
    law.set_report(None);
    law.set_data(None);
    search.restore_settings(SearchSettings::default());
    SpaceText::set_from_spec(&search.text, &SearchSpaceSpec::default());
    search.ffn_kind.set(SearchSpaceSpec::default().ffn_kind);
    search.restore_param_constraints(Constraints::default());
    search
        .precisions
        .set(vec![Precision::FP16, Precision::INT8]);
    search.objective.set(Objective::Decode);
    search.restore_budget(None);
    search.restore_pins(Vec::new(), Vec::new(), Vec::new());
}

/// Restores the session (link, else storage) once, then autosaves on every change.
pub fn restore_and_autosave(message: RwSignal<Option<String>>) {
    let inputs = expect_context::<Inputs>();
    let law = expect_context::<LawState>();
    let search = expect_context::<SearchState>();
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if let Some(fragment) = hash.strip_prefix(LINK_PREFIX) {
        match Session::from_url_fragment(fragment) {
            Ok(v) => apply(v, inputs, law, search),
            Err(e) => message.set(Some(format!(
                "{e}; the page starts from your saved session or the defaults"
            ))),
        }
    } else if let Some(saved) = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()) {
        match Session::from_json("saved session", &saved) {
            Ok(v) => apply(v, inputs, law, search),
            Err(e) => {
                if let Some(s) = storage() {
                    let _ = s.set_item(CORRUPT_KEY, &saved);
                    let _ = s.remove_item(STORAGE_KEY);
                }
                message.set(Some(format!(
                    "{e}. It was set aside (local storage key \"{CORRUPT_KEY}\") and the page starts from the defaults."
                )));
            }
        }
    }
    // Autosave: storage is outside the reactive graph, so this is an effect.
    Effect::new(move |_| {
        let json = snapshot(inputs, law, search).to_json();
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, &json);
        }
    });
}

/// Link, download, load and reset controls.
#[component]
pub fn SessionControls(message: RwSignal<Option<String>>) -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let law = expect_context::<LawState>();
    let search = expect_context::<SearchState>();
    let link = RwSignal::new(None::<String>);
    let make_link = move |_| {
        let fragment = snapshot(inputs, law, search).to_url_fragment();
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&format!("s={fragment}"));
            let href = w.location().href().unwrap_or_default();
            let _ = w.navigator().clipboard().write_text(&href);
            link.set(Some(href));
        }
    };
    let download = move |_| {
        download_text(
            "roofscale-session.json",
            "application/json",
            &snapshot(inputs, law, search).to_json(),
        );
    };
    let on_text = Callback::new(move |(name, text): (String, String)| {
        match Session::from_json(&name, &text) {
            Ok(v) => {
                apply(v, inputs, law, search);
                message.set(Some(format!("{name}: session loaded")));
            }
            Err(e) => message.set(Some(e.to_string())),
        }
    });
    let on_error = Callback::new(move |m: String| message.set(Some(m)));
    view! {
        <div class="session-controls">
            <button type="button" data-testid="session-link" on:click=make_link title="Put the whole session in the address bar and copy it">"Copy link"</button>
            <button type="button" data-testid="session-download" on:click=download>"Download session"</button>
            <button type="button" data-testid="session-reset" on:click=move |_| {
                reset(inputs, law, search);
                message.set(Some("reset to the defaults".into()));
            }>"Reset to defaults"</button>
            <FileDrop label="Load a session (JSON)" accept=".json,application/json" test_id="session-file" on_text=on_text on_error=on_error />
            {move || link.get().map(|l| view! { <p class="hint link" data-testid="session-link-text">{l}</p> })}
            {move || message.get().map(|m| view! { <p class="hint" role="status" data-testid="session-message">{m}</p> })}
        </div>
    }
}
