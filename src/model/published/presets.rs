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
use crate::model::roofline::{Objective, Phase};

/// How far to trust a device's latencies, from the held-out errors its calibration carries.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldOutNote {
    /// "decode 9.0 %, prefill 10.4 %", a ▲ after an error above its target: for a table cell.
    pub short: String,
    /// The same in a sentence.
    pub text: String,
    /// Whether a held-out target is missed.
    pub missed: bool,
}

/// The [`HeldOutNote`] of a device; `None` when it carries no held-out error (rated numbers,
/// a user's own calibration, a measured device whose rows are of one model).
pub fn held_out_note(spec: &DeviceSpec) -> Option<HeldOutNote> {
    let parts: Vec<(Phase, f64)> = [
        (Phase::Decode, spec.held_out_decode_pct),
        (Phase::Prefill, spec.held_out_prefill_pct),
    ]
    .into_iter()
    .filter_map(|(p, v)| Some((p, v?)))
    .collect();
    if parts.is_empty() {
        return None;
    }
    let (mut each, mut short, mut missed) = (Vec::new(), Vec::new(), false);
    for (p, v) in parts {
        let t = held_out_target_pct(p);
        let over = v > t;
        missed |= over;
        let error = format!("{} {v:.1} %", p.name());
        short.push(if over {
            format!("{error} ▲")
        } else {
            error.clone()
        });
        each.push(if over {
            format!("{error} (above the {t:.0} % target)")
        } else {
            error
        });
    }
    Some(HeldOutNote {
        short: short.join(", "),
        text: format!(
            "Off by {} on average on published runs of models left out of its calibration{}",
            each.join(", "),
            if missed {
                ": trust its latencies of other models less (the validation view says why)."
            } else {
                "."
            }
        ),
        missed,
    })
}

/// Whether a design at `latency_s` under `budget_s` keeps a margin as large as the device's
/// held-out error of `objective` (for the total, the larger of decode's and prefill's): a
/// design closer to the budget than the predictions' typical error may miss it on the board.
/// A sentence and whether the margin is too thin; `None` when the device carries no error.
pub fn budget_margin_note(
    spec: &DeviceSpec,
    objective: Objective,
    latency_s: f64,
    budget_s: f64,
) -> Option<(String, bool)> {
    let (d, p) = (spec.held_out_decode_pct, spec.held_out_prefill_pct);
    let larger = match (d, p) {
        (Some(d), Some(p)) => Some(d.max(p)),
        (d, p) => d.or(p),
    };
    let error = objective.pick(p, d, larger)?;
    let margin = 100.0 * (1.0 - latency_s / budget_s);
    let thin = margin < error;
    Some((
        format!(
            "It is {margin:.1} % under the budget; this device's predictions of published {} runs \
             were off by {error:.1} % on average{}",
            objective.name(),
            if thin {
                ", so it may miss the budget on the board: leave a wider margin."
            } else {
                "."
            }
        ),
        thin,
    ))
}

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
    let counted = |m: &Mape| m.held_out.filter(|_| g.counts());
    Device::new(DeviceSpec {
        held_out_decode_pct: counted(&g.decode),
        held_out_prefill_pct: counted(&g.prefill),
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
