//! How close the roofline comes to published runs: every measured phase predicted on the
//! rated device, on a device calibrated from its group's rows (same rated device and
//! runtime), and held out (calibrated without the rows of its own model), with the mean
//! absolute percentage error per group and over all. A run faster than the rated roofline
//! is flagged: a roofline is a bound, so such a row means a wrong spec or a wrong row.

use super::caveats::{length_inversions, LengthInversion};
use super::runs::PublishedRun;
use crate::model::arch::Architecture;
use crate::model::calibrate::{
    calibrate, calibrated_device, Calibration, CalibrationReport, Measurement,
};
use crate::model::device::Device;
use crate::model::roofline::Phase;

/// A group needs this many measured phases for its calibration to be offered as a preset and
/// its accuracy to count against the targets (issue 16: "at least 3 rows").
pub const MIN_GROUP_PHASES: usize = 3;
/// Held-out accuracy the page aims for in each counted group (issue 16, point 6): mean
/// absolute percentage error of decode, and of prefill.
pub const DECODE_TARGET_PCT: f64 = 10.0;
pub const PREFILL_TARGET_PCT: f64 = 20.0;

/// The held-out target of `phase`, percent.
pub fn held_out_target_pct(phase: Phase) -> f64 {
    match phase {
        Phase::Decode => DECODE_TARGET_PCT,
        Phase::Prefill => PREFILL_TARGET_PCT,
    }
}

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
    /// The runs' group key: (device as the rows name it, runtime).
    pub key: (String, String),
    /// Distinct models among the rows: distinct architectures, so that a base checkpoint and
    /// its Instruct or chat variant (the same config) count once and are left out together.
    pub models: usize,
    /// Their Hugging Face ids, sorted; checkpoints of one architecture joined by " / ".
    pub model_ids: Vec<String>,
    /// Their architectures, in the order of `model_ids`.
    pub model_archs: Vec<Architecture>,
    pub report: CalibrationReport,
    pub prefill: Mape,
    pub decode: Mape,
    /// The leave-one-model-out fits, one per model. Printed so a large held-out error can be
    /// traced to its fit.
    pub held_out_fits: Vec<HeldOutFit>,
    /// The runtime's typical overhead the group's own fit was held at (its rows could not
    /// separate the overhead from the bandwidth fraction); `None` when it fitted its own.
    pub overhead_prior: Option<OverheadPrior>,
    /// The runtime builds its rows name, distinct, in order of first appearance; "not
    /// stated" ones left out.
    pub builds: Vec<String>,
    /// Pairs of its rows whose speeds contradict each other (see [`LengthInversion`]).
    pub inversions: Vec<LengthInversion>,
}

/// The calibration of a group without one model's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldOutFit {
    /// The model left out (its Hugging Face id, or the ids of one architecture joined by
    /// " / ").
    pub model: String,
    /// `None` when the other rows could not be fitted.
    pub calibration: Option<Calibration>,
    /// Whether the rows left fitted the overhead themselves.
    pub overhead_fitted: bool,
    /// Distinct models among the rows left.
    pub models: usize,
    /// The overhead it was held at, when it did not.
    pub prior: Option<OverheadPrior>,
}

/// A runtime's typical overhead per layer: the median of the overheads fitted on other
/// devices with the same runtime, for a fit whose rows cannot separate their own (rows of one
/// model). A per-layer cost is the runtime's kernel launches, much the same from board to
/// board (61–112 µs over thirteen llama.cpp CUDA devices), while holding it at 0 makes a fit
/// on one model size explain every step by bandwidth and miss every other size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverheadPrior {
    /// Seconds per layer per forward step.
    pub layer_overhead_s: f64,
    /// Devices whose fits gave it.
    pub devices: usize,
}

/// A prior needs fits on at least this many other devices.
pub const MIN_PRIOR_DEVICES: usize = 2;
/// ... whose overheads agree within this factor (largest ÷ smallest; with four or more
/// devices, upper quartile ÷ lower quartile).
pub const PRIOR_SPREAD: f64 = 2.0;

impl GroupScore {
    /// Measured phases the calibration was fitted to.
    pub fn phases(&self) -> usize {
        self.prefill.phases + self.decode.phases
    }

    /// The errors of `phase`.
    pub fn mape(&self, phase: Phase) -> &Mape {
        match phase {
            Phase::Decode => &self.decode,
            Phase::Prefill => &self.prefill,
        }
    }

    /// The phases whose held-out error misses its target.
    pub fn missed_targets(&self) -> Vec<Phase> {
        [Phase::Decode, Phase::Prefill]
            .into_iter()
            .filter(|&p| self.meets_target(p) == Some(false))
            .collect()
    }

    /// Whether the group has enough phases to count against the targets.
    pub fn counts(&self) -> bool {
        self.phases() >= MIN_GROUP_PHASES
    }

    /// Whether the held-out error of `phase` meets its target: `None` when the group does
    /// not count or has no held-out figure for that phase.
    pub fn meets_target(&self, phase: Phase) -> Option<bool> {
        let h = self.mape(phase).held_out.filter(|_| self.counts())?;
        Some(h <= held_out_target_pct(phase))
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

    /// Of the group phases with a held-out figure in the groups `keep` accepts, how many meet
    /// their target, and how many there are.
    pub fn targets_met(&self, keep: impl Fn(usize) -> bool) -> (usize, usize) {
        let results: Vec<bool> = (0..self.groups.len())
            .filter(|&g| keep(g))
            .flat_map(|g| {
                [Phase::Decode, Phase::Prefill]
                    .map(|p| self.groups[g].meets_target(p))
                    .into_iter()
                    .flatten()
            })
            .collect();
        (results.iter().filter(|m| **m).count(), results.len())
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
    let priors = v.overhead_priors();
    for (g, p) in priors.iter().enumerate() {
        v.apply_prior(runs, g, p);
    }
    v
}

impl Validation {
    /// Scores the runs of group `key` and appends them: a few milliseconds, so a page can
    /// score a group per task and stay responsive. Fits that cannot separate the overhead
    /// hold it at the device's value until [`Validation::apply_prior`].
    pub fn add_group(&mut self, runs: &[PublishedRun], key: &(String, String)) {
        let g = self.groups.len();
        let Some((group, phases)) = score_group(runs, key, g, None) else {
            return;
        };
        self.groups.push(group);
        self.phases.extend(phases);
    }

    /// The runtime priors of every group whose own fit or leave-one-model-out fits held the
    /// overhead, from the groups scored so far (see [`OverheadPrior`]); computed once, before
    /// any group is refitted, so that the result does not depend on the order.
    pub fn overhead_priors(&self) -> Vec<GroupPriors> {
        (0..self.groups.len())
            .map(|g| {
                let group = &self.groups[g];
                GroupPriors {
                    own: (group.models == 1 || !group.report.fitted.overhead)
                        .then(|| self.prior(g, None))
                        .flatten(),
                    held_out: group
                        .held_out_fits
                        .iter()
                        .zip(&group.model_archs)
                        .map(|(f, arch)| {
                            (f.calibration.is_some() && (f.models == 1 || !f.overhead_fitted))
                                .then(|| self.prior(g, Some(arch)))
                                .flatten()
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Group `g` rescored with its priors (a few milliseconds, like [`Validation::add_group`]);
    /// nothing changes when it has none.
    pub fn apply_prior(&mut self, runs: &[PublishedRun], g: usize, priors: &GroupPriors) {
        if priors.own.is_none() && priors.held_out.iter().all(Option::is_none) {
            return;
        }
        let before = &self.groups[g];
        let Some((group, phases)) = score_group(runs, &before.key, g, Some((priors, before)))
        else {
            return;
        };
        let mut new = phases.into_iter();
        for s in self.phases.iter_mut().filter(|s| s.group == g) {
            if let Some(n) = new.next() {
                *s = n;
            }
        }
        self.groups[g] = group;
    }

    /// The median overhead of the other groups of `g`'s runtime that fitted their own from
    /// rows of more than one model, without the rows of architecture `model` when given: a
    /// held-out fit must not learn the model it predicts, from this device or any other.
    fn prior(&self, g: usize, model: Option<&Architecture>) -> Option<OverheadPrior> {
        let runtime = &self.groups[g].runtime;
        let mut values: Vec<f64> = self
            .groups
            .iter()
            .enumerate()
            .filter(|(k, other)| *k != g && other.runtime == *runtime)
            .filter_map(|(_, other)| match model {
                Some(m) if other.model_archs.contains(m) => other
                    .held_out_fits
                    .iter()
                    .zip(&other.model_archs)
                    .find(|(f, a)| *a == m && f.overhead_fitted && f.models > 1)
                    .and_then(|(f, _)| f.calibration)
                    .map(|c| c.layer_overhead_s),
                _ => (other.report.fitted.overhead && other.models > 1)
                    .then_some(other.report.layer_overhead_s),
            })
            .collect();
        if values.len() < MIN_PRIOR_DEVICES {
            return None;
        }
        values.sort_by(f64::total_cmp);
        // Devices that disagree by more than PRIOR_SPREAD have no typical value to share
        // (MLC's CUDA overhead: 9–21 µs a layer on desktop GPUs, 150–460 on Jetsons). With
        // four or more, the middle half must agree: one device off does not spoil the rest.
        let (lo, hi) = if values.len() >= 4 {
            (quantile(&values, 0.25), quantile(&values, 0.75))
        } else {
            (values[0], values[values.len() - 1])
        };
        if hi > PRIOR_SPREAD * lo {
            return None;
        }
        let median = quantile(&values, 0.5);
        // Every source at no overhead: nothing to hold.
        (median > 0.0).then_some(OverheadPrior {
            layer_overhead_s: median,
            devices: values.len(),
        })
    }
}

/// The `q`-quantile of sorted `values`, interpolated linearly between neighbours.
fn quantile(values: &[f64], q: f64) -> f64 {
    let x = q * (values.len() - 1) as f64;
    let (i, t) = (x.floor() as usize, x.fract());
    match values.get(i + 1) {
        Some(next) => values[i] + t * (next - values[i]),
        None => values[i],
    }
}

/// The priors of one group: of its own fit and of each leave-one-model-out fit.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupPriors {
    pub own: Option<OverheadPrior>,
    /// In the order of [`GroupScore::held_out_fits`].
    pub held_out: Vec<Option<OverheadPrior>>,
}

/// `rows` calibrated on `device` with its per-layer overhead held at `prior`'s; `None` when
/// the rows contradict the prior (they are faster than its overhead allows even at the whole
/// rated bandwidth: the fit pins the fraction at 1) or fit their own overhead after all: the
/// runtime's other devices are not this one (MLC on a Jetson pays 150–450 µs a layer, on a
/// desktop GPU 10–20). The fit without the prior then stands.
fn calibrate_with_prior(
    device: &Device,
    rows: &[Measurement],
    prior: OverheadPrior,
) -> Option<CalibrationReport> {
    let d = device
        .with_layer_overhead_ms(prior.layer_overhead_s * 1e3)
        .ok()?;
    let r = calibrate(&d, rows).ok()?;
    (!r.at_whole_bandwidth() && !r.fitted.overhead).then_some(r)
}

/// The score of group `key` (index `g`) and its phases. With `priors` and the group's
/// score without them, the fits the priors name are refitted at the runtime's typical
/// overhead and the others are taken as they were.
fn score_group(
    runs: &[PublishedRun],
    key: &(String, String),
    g: usize,
    priors: Option<(&GroupPriors, &GroupScore)>,
) -> Option<(GroupScore, Vec<PhaseScore>)> {
    let members: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].group() == *key)
        .collect();
    let first_run = *members.first()?;
    let device = runs[first_run].device.clone();
    let all: Vec<_> = members
        .iter()
        .map(|&i| runs[i].measurement.clone())
        .collect();
    let with_own = priors.and_then(|(p, _)| {
        let prior = p.own?;
        Some((calibrate_with_prior(&device, &all, prior)?, prior))
    });
    let (report, own_prior) = match (with_own, priors) {
        (Some((r, prior)), _) => (r, Some(prior)),
        (None, Some((_, before))) => (before.report.clone(), None),
        (None, None) => (calibrate(&device, &all).ok()?, None),
    };
    let fitted = report.calibration();
    let rated = Calibration::RATED;
    // Models are architectures: checkpoints of one config are left out together.
    let mut models: Vec<(Vec<&str>, &Architecture)> = Vec::new();
    for &i in &members {
        let (id, arch) = (runs[i].row.model_hf_id.as_str(), runs[i].measurement.arch());
        match models.iter_mut().find(|(_, a)| *a == arch) {
            Some((ids, _)) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => models.push((vec![id], arch)),
        }
    }
    for (ids, _) in models.iter_mut() {
        ids.sort_unstable();
    }
    models.sort_by(|a, b| a.0.cmp(&b.0));
    let labels: Vec<String> = models.iter().map(|(ids, _)| ids.join(" / ")).collect();
    // Leave one model out: one fit per model, on the other models' rows.
    let per_model: Vec<HeldOutFit> = models
        .iter()
        .enumerate()
        .map(|(k, (_, arch))| {
            let others = || -> Vec<Measurement> {
                members
                    .iter()
                    .filter(|&&j| runs[j].measurement.arch() != *arch)
                    .map(|&j| runs[j].measurement.clone())
                    .collect()
            };
            let fit = |report: Option<CalibrationReport>, prior| HeldOutFit {
                model: labels[k].clone(),
                overhead_fitted: report.as_ref().is_some_and(|r| r.fitted.overhead),
                models: models.len() - 1,
                calibration: report.map(|r| r.calibration()),
                prior,
            };
            let Some((p, before)) = priors else {
                return fit(calibrate(&device, &others()).ok(), None);
            };
            p.held_out
                .get(k)
                .copied()
                .flatten()
                .and_then(|prior| {
                    let r = calibrate_with_prior(&device, &others(), prior)?;
                    Some(fit(Some(r), Some(prior)))
                })
                .or_else(|| before.held_out_fits.get(k).cloned())
                .unwrap_or_else(|| fit(calibrate(&device, &others()).ok(), None))
        })
        .collect();
    let mut phases = Vec::new();
    for &i in &members {
        let run = &runs[i];
        let measured = [
            (Phase::Prefill, run.measurement.prefill_s()),
            (Phase::Decode, run.measurement.decode_s()),
        ];
        let held = models
            .iter()
            .position(|(_, a)| *a == run.measurement.arch())
            .and_then(|k| per_model[k].calibration);
        let (r, c) = (predict(&rated, run), predict(&fitted, run));
        let h = held.map(|h| predict(&h, run));
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
    let group = GroupScore {
        device,
        runtime: key.1.clone(),
        key: key.clone(),
        models: models.len(),
        model_ids: labels,
        model_archs: models.iter().map(|(_, a)| (*a).clone()).collect(),
        report,
        prefill: Mape::of(phases.iter().filter(|s| s.phase == Phase::Prefill)),
        decode: Mape::of(phases.iter().filter(|s| s.phase == Phase::Decode)),
        held_out_fits: if models.len() > 1 {
            per_model
        } else {
            Vec::new()
        },
        overhead_prior: own_prior,
        builds: {
            let mut b: Vec<String> = Vec::new();
            for &i in &members {
                let v = runs[i].row.runtime_version.trim();
                let stated = !v.is_empty() && !v.to_ascii_lowercase().starts_with("not stated");
                if stated && !b.iter().any(|x| x == v) {
                    b.push(v.to_string());
                }
            }
            b
        },
        inversions: length_inversions(runs, &members),
    };
    Some((group, phases))
}
