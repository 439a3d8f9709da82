//! How close the roofline comes to published runs: every measured phase predicted on the
//! rated device, on a device calibrated from its group's rows (same rated device and
//! runtime), and held out (calibrated without the rows of its own model), with the mean
//! absolute percentage error per group and over all. A run faster than the rated roofline
//! is flagged: a roofline is a bound, so such a row means a wrong spec or a wrong row.

use super::runs::PublishedRun;
use crate::model::calibrate::{calibrate, calibrated_device, Calibration, CalibrationReport};
use crate::model::device::Device;
use crate::model::roofline::Phase;

/// A group needs this many measured phases for its calibration to be offered as a preset and
/// its accuracy to count against the targets (issue 16: "at least 3 rows").
pub const MIN_GROUP_PHASES: usize = 3;

/// One measured phase of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseScore {
    /// Index into the runs validated.
    pub run: usize,
    /// Index into [`Validation::groups`].
    pub group: usize,
    pub phase: Phase,
    pub measured_s: f64,
    /// On the rated device: the roofline's lower bound on the time.
    pub rated_s: f64,
    /// Calibrated on every row of the group.
    pub calibrated_s: f64,
    /// Calibrated on the group's rows of other models; `None` when the group has one model.
    pub held_out_s: Option<f64>,
}

impl PhaseScore {
    /// Measured faster than the rated roofline allows.
    pub fn above_bound(&self) -> bool {
        self.measured_s < self.rated_s
    }

    /// Percentage error of a prediction against the measurement.
    pub fn error_pct(&self, predicted_s: f64) -> f64 {
        100.0 * (predicted_s - self.measured_s) / self.measured_s
    }
}

/// Mean absolute percentage errors of one phase kind.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mape {
    pub phases: usize,
    pub rated: f64,
    pub calibrated: f64,
    /// Over the phases that have a held-out prediction, and how many those are.
    pub held_out: Option<f64>,
    pub held_out_phases: usize,
}

impl Mape {
    fn of<'a>(scores: impl Iterator<Item = &'a PhaseScore>) -> Mape {
        let (mut n, mut rated, mut cal, mut held, mut nh) = (0, 0.0, 0.0, 0.0, 0);
        for s in scores {
            n += 1;
            rated += s.error_pct(s.rated_s).abs();
            cal += s.error_pct(s.calibrated_s).abs();
            if let Some(h) = s.held_out_s {
                held += s.error_pct(h).abs();
                nh += 1;
            }
        }
        if n == 0 {
            return Mape::default();
        }
        Mape {
            phases: n,
            rated: rated / n as f64,
            calibrated: cal / n as f64,
            held_out: (nh > 0).then(|| held / nh as f64),
            held_out_phases: nh,
        }
    }
}

/// A rated device and a runtime, calibrated from the set's rows of that pair.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupScore {
    /// The rated device (a `devices.csv` row).
    pub device: Device,
    /// "llama.cpp · CUDA".
    pub runtime: String,
    /// Distinct models among the rows.
    pub models: usize,
    pub report: CalibrationReport,
    pub prefill: Mape,
    pub decode: Mape,
    /// The leave-one-model-out fits: each model left out and the calibration fitted
    /// without it (`None` when the other rows could not be fitted). Printed so a large
    /// held-out error can be traced to its fit.
    pub held_out_fits: Vec<(String, Option<Calibration>)>,
}

impl GroupScore {
    /// Measured phases the calibration was fitted to.
    pub fn phases(&self) -> usize {
        self.prefill.phases + self.decode.phases
    }

    /// The device with the fitted fractions and per-layer overhead, named for its runtime
    /// ("Jetson Orin Nano Super 8GB · llama.cpp · CUDA (measured)").
    pub fn calibrated_device(&self) -> Device {
        let name = format!(
            "{} · {}{}",
            self.device.name(),
            self.runtime,
            super::presets::MEASURED_SUFFIX
        );
        calibrated_device(&self.device, &self.report, &name)
    }
}

/// The whole set scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    pub groups: Vec<GroupScore>,
    pub phases: Vec<PhaseScore>,
}

impl Validation {
    /// Over every phase of `kind`.
    pub fn overall(&self, kind: Phase) -> Mape {
        Mape::of(self.phases.iter().filter(|s| s.phase == kind))
    }

    /// Over the phases of `kind` in the groups `keep` accepts (by index into `groups`).
    pub fn overall_where(&self, kind: Phase, keep: impl Fn(usize) -> bool) -> Mape {
        Mape::of(
            self.phases
                .iter()
                .filter(|s| s.phase == kind && keep(s.group)),
        )
    }

    /// Phases measured faster than their rated roofline.
    pub fn above_bound(&self) -> impl Iterator<Item = &PhaseScore> {
        self.phases.iter().filter(|s| s.above_bound())
    }
}

/// The times of `run` predicted with `calibration` on its rated device, by phase.
fn predict(c: &Calibration, run: &PublishedRun) -> [(Phase, Option<f64>); 2] {
    let p = c.predict(&run.device, &run.measurement);
    [(Phase::Prefill, p.prefill_s), (Phase::Decode, p.decode_s)]
}

/// The groups of `runs` (rated device, runtime) in order of first appearance.
pub fn group_keys(runs: &[PublishedRun]) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for r in runs {
        if !keys.contains(&r.group()) {
            keys.push(r.group());
        }
    }
    keys
}

/// Scores `runs` (each group calibrated with the page's own [`calibrate`]).
pub fn validate(runs: &[PublishedRun]) -> Validation {
    let mut v = Validation {
        groups: Vec::new(),
        phases: Vec::new(),
    };
    for key in group_keys(runs) {
        v.add_group(runs, &key);
    }
    v
}

impl Validation {
    /// Scores the runs of group `key` and appends them: a few milliseconds, so a page can
    /// score a group per task and stay responsive.
    pub fn add_group(&mut self, runs: &[PublishedRun], key: &(String, String)) {
        let (groups, phases) = (&mut self.groups, &mut self.phases);
        let members: Vec<usize> = (0..runs.len())
            .filter(|&i| runs[i].group() == *key)
            .collect();
        let Some(&first_run) = members.first() else {
            return;
        };
        let device = runs[first_run].device.clone();
        let all: Vec<_> = members
            .iter()
            .map(|&i| runs[i].measurement.clone())
            .collect();
        let Ok(report) = calibrate(&device, &all) else {
            return;
        };
        let fitted = report.calibration();
        let rated = Calibration::RATED;
        let mut models: Vec<&str> = members
            .iter()
            .map(|&i| runs[i].row.model_hf_id.as_str())
            .collect();
        models.sort_unstable();
        models.dedup();
        // Leave one model out: one fit per model, on the other models' rows.
        let per_model: Vec<Option<Calibration>> = models
            .iter()
            .map(|model| {
                let others: Vec<_> = members
                    .iter()
                    .filter(|&&j| runs[j].row.model_hf_id != *model)
                    .map(|&j| runs[j].measurement.clone())
                    .collect();
                calibrate(&device, &others).ok().map(|r| r.calibration())
            })
            .collect();
        let held: Vec<Option<Calibration>> = members
            .iter()
            .map(|&i| {
                let k = models
                    .binary_search(&runs[i].row.model_hf_id.as_str())
                    .ok()?;
                per_model[k]
            })
            .collect();
        let g = groups.len();
        let first = phases.len();
        for (k, &i) in members.iter().enumerate() {
            let run = &runs[i];
            let measured = [
                (Phase::Prefill, run.measurement.prefill_s()),
                (Phase::Decode, run.measurement.decode_s()),
            ];
            let (r, c) = (predict(&rated, run), predict(&fitted, run));
            let h = held[k].map(|h| predict(&h, run));
            for p in 0..2 {
                let (Some(m), Some(rated_s), Some(cal_s)) = (measured[p].1, r[p].1, c[p].1) else {
                    continue;
                };
                phases.push(PhaseScore {
                    run: i,
                    group: g,
                    phase: measured[p].0,
                    measured_s: m,
                    rated_s,
                    calibrated_s: cal_s,
                    held_out_s: h.and_then(|h| h[p].1),
                });
            }
        }
        let mine = &phases[first..];
        groups.push(GroupScore {
            device,
            runtime: key.1.clone(),
            models: models.len(),
            report,
            prefill: Mape::of(mine.iter().filter(|s| s.phase == Phase::Prefill)),
            decode: Mape::of(mine.iter().filter(|s| s.phase == Phase::Decode)),
            held_out_fits: if models.len() > 1 {
                models
                    .iter()
                    .map(|m| m.to_string())
                    .zip(per_model)
                    .collect()
            } else {
                Vec::new()
            },
        });
    }
}
