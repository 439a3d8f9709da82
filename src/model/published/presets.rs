//! Devices calibrated from the published set, one per rated device and runtime with enough
//! rows ("Jetson Orin Nano Super 8GB · MLC-LLM · CUDA (measured)"): the rated numbers of
//! `public/data/devices.csv` with the fractions and the overhead per layer and step the page's own
//! calibration fits to that group's rows, the fit's error in the source.
//!
//! Fitting them takes the whole set through the calibration, too slow for page load, so
//! they are shipped fitted in `public/data/measured-devices.json` (written by
//! `examples/write_measured_devices.rs`); `tests/published.rs` checks that file equals a
//! fresh fit.

use super::rows::{parse_published_csv, PUBLISHED_CSV, PUBLISHED_FILE};
use super::runs::{published_devices, published_runs, validation_devices};
use super::validation::{held_out_target_pct, validate, GroupScore, Mape, MIN_GROUP_PHASES};
use crate::model::device::{import_devices_json, Device, DeviceSpec};

/// The fitted devices as shipped.
pub const MEASURED_DEVICES_JSON: &str = include_str!("../../../public/data/measured-devices.json");

fn held_out(name: &str, m: &Mape) -> Option<String> {
    m.held_out.map(|h| {
        format!(
            "{name} {h:.1} % over {} held-out phase{}",
            m.held_out_phases,
            if m.held_out_phases == 1 { "" } else { "s" }
        )
    })
}

/// The calibrated device of a group, its source extended with the held-out error.
fn measured_device(g: &GroupScore) -> Device {
    let d = g.calibrated_device();
    let held: Vec<String> = [
        held_out("decode", &g.decode),
        held_out("prefill", &g.prefill),
    ]
    .into_iter()
    .flatten()
    .collect();
    let held = if held.is_empty() {
        format!(
            "No held-out error: the rows are of {} model (leave-one-model-out needs two).",
            g.models
        )
    } else {
        format!(
            "Held-out MAPE (calibrated without the predicted model's rows): {}.",
            held.join(", ")
        )
    };
    let missed = g.missed_targets();
    let missed = if missed.is_empty() {
        String::new()
    } else {
        let which: Vec<String> = missed
            .iter()
            .map(|&p| format!("{} ≤ {:.0} %", p.name(), held_out_target_pct(p)))
            .collect();
        format!(
            " Above the held-out target ({}): trust its predictions of other models less. {}",
            which.join(", "),
            g.missed_summary()
        )
    };
    let prior = g
        .overhead_prior
        .map(|p| {
            format!(
                " Overhead per layer held at {:.1} µs, the median of {} other {} devices' fits: \
                 these rows cannot separate it from the bandwidth fraction (rows of one model).",
                p.layer_overhead_s * 1e6,
                p.devices,
                g.runtime
            )
        })
        .unwrap_or_default();
    let spec = d.spec().clone();
    Device::new(DeviceSpec {
        source: format!(
            "Published runs of {} on {} ({} model{}; public/data/measurements.csv). {held}{missed}{prior} {}",
            g.runtime,
            g.device.name(),
            g.models,
            if g.models == 1 { "" } else { "s" },
            spec.source
        ),
        ..spec
    })
    .expect("a calibrated device stays valid with a longer source")
}

/// Fits every group of the shipped set with at least [`MIN_GROUP_PHASES`] measured phases.
pub fn fit_measured_devices() -> Vec<Device> {
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
        .expect("the shipped set reads")
        .good;
    let (runs, _) = published_runs(&rows, &validation_devices());
    validate(&runs)
        .groups
        .iter()
        // A bandwidth-only group is scored, not offered: its compute peak is a placeholder.
        .filter(|g| g.phases() >= MIN_GROUP_PHASES && !g.device.is_bandwidth_only())
        .map(measured_device)
        .collect()
}

/// The shipped measured devices (every one valid: tested).
pub fn measured_devices() -> Vec<Device> {
    import_devices_json(MEASURED_DEVICES_JSON).devices
}

/// The groups of devices the page offers before any upload, in list order: the rated
/// presets, the other rated devices of `public/data/devices.csv` (each row with its source),
/// and the measured ones.
pub fn page_device_groups() -> Vec<(&'static str, Vec<Device>)> {
    // Parsed once: the session's autosave asks for the list on every change.
    static GROUPS: std::sync::OnceLock<Vec<(&'static str, Vec<Device>)>> =
        std::sync::OnceLock::new();
    GROUPS
        .get_or_init(|| {
            let presets = crate::model::device::device_presets();
            let table: Vec<Device> = published_devices()
                .into_iter()
                .filter(|d| !presets.iter().any(|p| p.name() == d.name()))
                .collect();
            vec![
                ("Rated presets (data sheets: the pure roofline)", presets),
                (
                    "Rated, from public/data/devices.csv (the pure roofline)",
                    table,
                ),
                (
                    "Measured (calibrated from published runs, with their overhead per layer and step)",
                    measured_devices(),
                ),
            ]
        })
        .clone()
}

/// The devices the page offers before any upload, the groups of [`page_device_groups`] in
/// order.
pub fn page_devices() -> Vec<Device> {
    page_device_groups()
        .into_iter()
        .flat_map(|(_, d)| d)
        .collect()
}

/// What a measured device's name ends with ("RTX 4090 · llama.cpp · CUDA (measured)").
pub const MEASURED_SUFFIX: &str = " (measured)";

/// Whether `name` is a measured device (calibrated from published runs).
pub fn is_measured(name: &str) -> bool {
    name.ends_with(MEASURED_SUFFIX)
}

/// The rated device a name belongs to: the part before " · " of a measured name, the name
/// itself otherwise.
pub fn rated_name(name: &str) -> &str {
    if is_measured(name) {
        name.split(" · ").next().unwrap_or(name)
    } else {
        name
    }
}

/// The other variants of device `index` in `names`, in list order: its rated device and its
/// measured devices (one per runtime), itself left out.
pub fn device_variants(names: &[&str], index: usize) -> Vec<usize> {
    let Some(&me) = names.get(index) else {
        return Vec::new();
    };
    let rated = rated_name(me);
    names
        .iter()
        .enumerate()
        .filter(|&(i, n)| i != index && rated_name(n) == rated && *n != me)
        .map(|(i, _)| i)
        .collect()
}

/// The device a pick of `index` in the list selects: a rated device with measured variants
/// selects its first measured one (issue 16: "the default is measured where it exists"); its
/// rated numbers stay one click away ([`device_variants`]). Anything else selects itself.
pub fn default_variant(names: &[&str], index: usize) -> usize {
    match names.get(index) {
        Some(n) if !is_measured(n) => device_variants(names, index)
            .into_iter()
            .find(|&i| is_measured(names[i]))
            .unwrap_or(index),
        _ => index,
    }
}
