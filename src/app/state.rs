//! The page's input state, provided as a context, and the core results derived from it as memos.
//!
//! Inputs are signals; results (`report`, breakdowns) are memos over them, so the core runs only
//! when an input changes. A failed upload or an invalid field never touches these signals, so the
//! user keeps everything already loaded.

use leptos::prelude::*;

use crate::model::arch::Architecture;
use crate::model::device::Device;
use crate::model::hf_config::{import_hf_config, reference_presets};
use crate::model::precision::Precision;
use crate::model::published::page_devices;
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
/// Panels read the signals and change them through the named actions below.
#[derive(Clone, Copy)]
pub struct Inputs {
    pub devices: ReadSignal<Vec<Device>>,
    set_devices: WriteSignal<Vec<Device>>,
    pub device_index: ReadSignal<usize>,
    set_device_index: WriteSignal<usize>,
    pub models: ReadSignal<Vec<NamedModel>>,
    set_models: WriteSignal<Vec<NamedModel>>,
    pub model_index: ReadSignal<usize>,
    set_model_index: WriteSignal<usize>,
    pub precision: ReadSignal<Precision>,
    set_precision: WriteSignal<Precision>,
    /// The workload, read by the search state too.
    pub workload: ReadSignal<Workload>,
    set_workload: WriteSignal<Workload>,
}

impl Inputs {
    /// The paper's setting: Jetson AGX Orin, Qwen2.5-0.5B, FP16, B = 1, 1024 in, 16 out.
    pub fn new() -> Self {
        let (devices, set_devices) = signal(page_devices());
        let (device_index, set_device_index) = signal(0);
        let (models, set_models) = signal(preset_models());
        let (model_index, set_model_index) = signal(0);
        let (precision, set_precision) = signal(Precision::FP16);
        let (workload, set_workload) = signal(Workload::default());
        Inputs {
            devices,
            set_devices,
            device_index,
            set_device_index,
            models,
            set_models,
            model_index,
            set_model_index,
            precision,
            set_precision,
            workload,
            set_workload,
        }
    }

    /// Makes device `index` of the list the one in use.
    pub fn select_device(&self, index: usize) {
        self.set_device_index.set(index);
    }

    /// Adds devices to the list and selects the first of them (nothing when `devices` is empty).
    pub fn add_devices(&self, devices: Vec<Device>) {
        if devices.is_empty() {
            return;
        }
        let first_new = self.devices.with_untracked(|d| d.len());
        self.set_devices.update(|d| d.extend(devices));
        self.set_device_index.set(first_new);
    }

    /// Replaces device `index` (an edit of its usable memory or bandwidth).
    pub fn replace_device(&self, index: usize, device: Device) {
        self.set_devices.update(|list| {
            if let Some(d) = list.get_mut(index) {
                *d = device;
            }
        });
    }

    /// Puts back a device list and selection saved elsewhere (a session, an undo, a reset).
    pub fn restore_devices(&self, devices: Vec<Device>, index: usize) {
        self.set_devices.set(devices);
        self.set_device_index.set(index);
    }

    /// Makes model `index` of the list the reference model.
    pub fn select_model(&self, index: usize) {
        self.set_model_index.set(index);
    }

    /// Adds an imported model and selects it.
    pub fn add_model(&self, model: NamedModel) {
        let index = self.models.with_untracked(|l| l.len());
        self.set_models.update(|l| l.push(model));
        self.set_model_index.set(index);
    }

    /// Puts back a model list and selection saved elsewhere (a session, an undo, a reset).
    pub fn restore_models(&self, models: Vec<NamedModel>, index: usize) {
        self.set_models.set(models);
        self.set_model_index.set(index);
    }

    pub fn set_precision(&self, precision: Precision) {
        self.set_precision.set(precision);
    }

    /// A workload validated by its field reader.
    pub fn set_workload(&self, workload: Workload) {
        self.set_workload.set(workload);
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
