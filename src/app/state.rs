//! The page's input state, provided as a context, and the core results derived from it as memos.
//!
//! Inputs are signals; results (`report`, breakdowns) are memos over them, so the core runs only
//! when an input changes. A failed upload or an invalid field never touches these signals, so the
//! user keeps everything already loaded.

use leptos::prelude::*;

use crate::model::arch::Architecture;
use crate::model::device::{device_presets, Device};
use crate::model::hf_config::{import_hf_config, reference_presets};
use crate::model::precision::Precision;
use crate::model::roofline::{evaluate, LatencyReport};
use crate::model::workload::Workload;

/// An architecture with the name it is shown under and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedModel {
    pub name: String,
    pub arch: Architecture,
    /// "preset" or the uploaded file's name.
    pub origin: String,
    /// Family defaults applied on import.
    pub notes: Vec<String>,
}

/// The reference models shipped with the page (`public/presets/models/`).
pub fn preset_models() -> Vec<NamedModel> {
    reference_presets()
        .into_iter()
        .filter_map(|(name, json)| {
            import_hf_config(json).ok().map(|m| NamedModel {
                name: name.to_string(),
                arch: m.arch,
                origin: "preset".into(),
                notes: m.notes,
            })
        })
        .collect()
}

/// Everything the user chose: devices and models (presets plus uploads), precision, workload.
#[derive(Clone, Copy)]
pub struct Inputs {
    pub devices: RwSignal<Vec<Device>>,
    pub device_index: RwSignal<usize>,
    pub models: RwSignal<Vec<NamedModel>>,
    pub model_index: RwSignal<usize>,
    pub precision: RwSignal<Precision>,
    pub workload: RwSignal<Workload>,
}

impl Inputs {
    /// The paper's setting: Jetson AGX Orin, Qwen2.5-0.5B, FP16, B = 1, 1024 in, 16 out.
    pub fn new() -> Self {
        Inputs {
            devices: RwSignal::new(device_presets()),
            device_index: RwSignal::new(0),
            models: RwSignal::new(preset_models()),
            model_index: RwSignal::new(0),
            precision: RwSignal::new(Precision::FP16),
            workload: RwSignal::new(Workload::default()),
        }
    }

    pub fn device(&self) -> Memo<Device> {
        let (devices, index) = (self.devices, self.device_index);
        Memo::new(move |_| devices.with(|d| d.get(index.get()).cloned().unwrap_or_default()))
    }

    pub fn model(&self) -> Memo<Option<NamedModel>> {
        let (models, index) = (self.models, self.model_index);
        Memo::new(move |_| models.with(|m| m.get(index.get()).cloned()))
    }
}

/// Results derived from [`Inputs`].
#[derive(Clone, Copy)]
pub struct Derived {
    pub device: Memo<Device>,
    pub model: Memo<Option<NamedModel>>,
    pub report: Memo<Option<LatencyReport>>,
}

impl Derived {
    pub fn new(inputs: Inputs) -> Self {
        let device = inputs.device();
        let model = inputs.model();
        let report = Memo::new(move |_| {
            let d = device.get();
            let p = inputs.precision.get();
            let w = inputs.workload.get();
            model.with(|m| m.as_ref().map(|m| evaluate(&m.arch, &d, p, &w)))
        });
        Derived {
            device,
            model,
            report,
        }
    }
}
