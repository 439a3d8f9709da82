//! Calibrating a device from measured latencies (method.md §3: "achievable fractions … which
//! users can calibrate from their own measured latencies").
//!
//! The user supplies a CSV of runs on one device: the model (a preset name or its architecture
//! columns), the precision, batch, prompt and generated tokens, and the measured prefill time,
//! decode time or decode tokens/s ([`parse_measurements_csv`]; the template is
//! [`MEASUREMENTS_TEMPLATE_CSV`]). [`calibrate`] fits:
//!
//! * b, the achievable fraction of rated bandwidth, and c, of rated compute, both in (0, 1];
//! * b_f, a bandwidth fraction of its own for up to three weight formats the rows measure
//!   apart from the most measured one (a runtime's kernels for each format reach their own
//!   share of the bandwidth; see [`own_formats`]);
//! * o ≥ 0, seconds added to each forward step per layer of the model (the prefill is one
//!   step, decode S_out steps): runtimes launch kernels layer by layer, so an 80-layer model
//!   pays 2.5 times a 32-layer one's overhead, and a fit on one model size carries to another
//!   (a constant per-step overhead did not: issue 16's leave-one-model-out errors).
//!
//! so that a phase of n steps of a model of L layers takes Σ_ops max(F/(π·c), M/(β·b)) + n·L·o,
//! with b_f in place of b for a model in a format measured apart.
//! How the fit works and why is in `fit.rs`; how the roofline is tabulated once per measurement, in `timing.rs`.
//! [`calibrated_device`] makes a device with the fitted fractions, and [`CalibrationRecord`]
//! keeps it together with the measurements and the fit, as JSON.
//!
//! ```
//! use roofscale::model::calibrate::{
//!     calibrate, calibrated_device, parse_measurements_csv, EXAMPLE_MEASUREMENTS_CSV,
//! };
//! use roofscale::model::device::device_presets;
//!
//! // Illustrative data: the roofline at b = 0.58, c = 0.57, o = 0.1 ms per layer, not real
//! // measurements.
//! let table = parse_measurements_csv("orin-nano-measurements.csv", EXAMPLE_MEASUREMENTS_CSV)
//!     .unwrap();
//! let nano = device_presets()
//!     .into_iter()
//!     .find(|d| d.name() == "Jetson Orin Nano Super 8GB")
//!     .unwrap();
//! let report = calibrate(&nano, &table.measurements).unwrap();
//! assert!((report.bandwidth_fraction - 0.58).abs() < 0.005);
//! assert!((report.compute_fraction - 0.57).abs() < 0.005);
//! assert!(report.mape_after < 0.1 && report.mape_before > 30.0);
//! let device = calibrated_device(&nano, &report, "");
//! assert_eq!(device.name(), "Jetson Orin Nano Super 8GB (calibrated)");
//! ```

mod bench_measure;
mod bench_output;
mod fit;
mod import;
mod measurements;
mod report;
mod timing;

pub use bench_measure::{bench_measurements, run_precision};
pub use bench_output::{
    parse_bench_output, BenchError, BenchForm, BenchOutput, BenchRun, FORMS_UNDERSTOOD,
};
pub use fit::{HUBER_DELTA, MIN_FRACTION};
pub use import::{
    parse_measurements_csv, MeasurementTable, MeasurementsError, MeasurementsErrorKind,
    MeasurementsProblem, MAX_BYTES, MAX_ROWS,
};
pub use measurements::{Measurement, MeasurementError, MeasurementSpec, MAX_TIME_S, MIN_TIME_S};
pub use report::{CalibrationReport, CalibrationWarning, Fitted, Param, RowFit};

use crate::model::arch::Architecture;
use crate::model::device::{Device, DeviceSpec, MAX_LAYER_OVERHEAD_MS};
use crate::model::fit::TerminationReason;
use crate::model::format_fractions::{FormatFraction, FormatFractions, MAX_FORMAT_FRACTIONS};
use crate::model::roofline::Phase;
use crate::model::weight_format::WeightFormat;
use fit::{Free, Observation, Point};
use serde::{Deserialize, Serialize};
use std::fmt;
use timing::PhaseTable;

/// A CSV template: the columns, units stated in a comment line.
pub const MEASUREMENTS_TEMPLATE_CSV: &str =
    include_str!("../../../public/templates/measurements-template.csv");
/// Illustrative measurements for the Jetson Orin Nano Super, generated from the roofline (see
/// the file's comment): for trying the feature, not evidence about the device.
pub const EXAMPLE_MEASUREMENTS_CSV: &str =
    include_str!("../../../public/examples/orin-nano-measurements.csv");

/// A fraction below this share of every predicted time is not determined by the data.
pub const MIN_SHARE: f64 = 0.01;
/// Mean absolute percentage error after calibration above which the rows are called
/// inconsistent.
pub const INCONSISTENT_MAPE: f64 = 25.0;
/// Correlation of two estimates above which they are called confounded.
pub const CONFOUNDED_CORRELATION: f64 = 0.995;
/// A measured phase more than this factor slower or faster than the fit predicts is set
/// aside as an outlier and the rest refitted (when outliers are at most a third of the phases).
pub const OUTLIER_FACTOR: f64 = 2.0;
/// Holding the overhead (at the device's value) when the fit put the bandwidth fraction at 1
/// is accepted while the loss stays within this factor of the free fit's.
const UNSEPARATED_LOSS_RATIO: f64 = 1.25;

/// The calibrated numbers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Of every weight format without a fraction of its own.
    pub bandwidth_fraction: f64,
    pub compute_fraction: f64,
    /// Seconds per layer per forward step.
    pub layer_overhead_s: f64,
    /// The weight formats measured apart, each with its own bandwidth fraction.
    #[serde(default)]
    pub format_bandwidth: FormatFractions,
}

/// Predicted times of a measured run, seconds; `None` where the run measured no such phase.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Prediction {
    pub prefill_s: Option<f64>,
    pub decode_s: Option<f64>,
}

impl Calibration {
    /// The rated roofline: whole bandwidth and compute, no overhead. Every real run is at
    /// least this slow.
    pub const RATED: Calibration = Calibration {
        bandwidth_fraction: 1.0,
        compute_fraction: 1.0,
        layer_overhead_s: 0.0,
        format_bandwidth: FormatFractions::NONE,
    };

    /// The device's own fractions and per-layer overhead. A constant per-step overhead (a
    /// device file may give one) is not part of the fit and is left out.
    pub fn of_device(device: &Device) -> Calibration {
        Calibration {
            bandwidth_fraction: device.spec().bandwidth_fraction,
            compute_fraction: device.spec().compute_fraction,
            layer_overhead_s: device.spec().layer_overhead_ms * 1e-3,
            format_bandwidth: device.spec().format_bandwidth_fractions,
        }
    }

    /// Times of the phases `m` measured, on `device`'s rated numbers with these fractions
    /// (the device's own fractions are ignored) plus the overhead per layer and step. With
    /// [`Calibration::of_device`] they equal [`crate::model::roofline::evaluate`] on a device
    /// without a constant per-step overhead.
    pub fn predict(&self, device: &Device, m: &Measurement) -> Prediction {
        let mut out = Prediction {
            prefill_s: None,
            decode_s: None,
        };
        let formats: Vec<WeightFormat> = self.format_bandwidth.iter().map(|f| f.format).collect();
        let (obs, meta) = observations(device, std::slice::from_ref(m), &formats);
        for (o, meta) in obs.iter().zip(meta) {
            let t = Some(o.predict(self.point()));
            match meta.phase {
                Phase::Prefill => out.prefill_s = t,
                Phase::Decode => out.decode_s = t,
            }
        }
        out
    }

    fn point(&self) -> Point {
        let mut formats = [self.bandwidth_fraction; MAX_FORMAT_FRACTIONS];
        for (slot, f) in formats.iter_mut().zip(self.format_bandwidth.iter()) {
            *slot = f.fraction;
        }
        Point {
            bandwidth: self.bandwidth_fraction,
            compute: self.compute_fraction,
            overhead_s: self.layer_overhead_s,
            formats,
        }
    }
}

/// Why nothing could be fitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalibrationError {
    NoMeasurements,
}

impl fmt::Display for CalibrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalibrationError::NoMeasurements => f.write_str("no measurements to calibrate from"),
        }
    }
}

impl std::error::Error for CalibrationError {}

/// What the report shows of a measured phase.
struct Meta {
    line: usize,
    label: String,
    phase: Phase,
    /// The run's weight format: the device's own fraction for it gives the "before" time.
    weights: WeightFormat,
}

/// Every measured phase, tabulated on `device`'s rated numbers; a phase whose weights are in
/// the k-th of `formats` reads at that format's fraction.
fn observations(
    device: &Device,
    measurements: &[Measurement],
    formats: &[WeightFormat],
) -> (Vec<Observation>, Vec<Meta>) {
    let rated = timing::rated_device(device);
    let (mut obs, mut meta) = (Vec::new(), Vec::new());
    for m in measurements {
        let (arch, precision, workload) = (m.arch(), m.precision(), m.workload());
        let format = formats
            .iter()
            .position(|f| *f == precision.weights)
            .map_or(0, |k| k + 1);
        // The overhead is paid per layer of every step.
        let layers = arch.spec().layers as f64;
        if let Some(t) = m.prefill_s() {
            obs.push(Observation {
                table: PhaseTable::prefill(arch, &rated, precision, workload),
                steps: layers,
                measured_s: t,
                format,
            });
            meta.push(Meta {
                line: m.line(),
                label: format!("{}, prefill", m.label()),
                phase: Phase::Prefill,
                weights: precision.weights,
            });
        }
        if let Some(t) = m.decode_s() {
            obs.push(Observation {
                table: PhaseTable::decode(arch, &rated, precision, workload),
                steps: workload.generated_tokens() as f64 * layers,
                measured_s: t,
                format,
            });
            meta.push(Meta {
                line: m.line(),
                label: format!("{}, decode", m.label()),
                phase: Phase::Decode,
                weights: precision.weights,
            });
        }
    }
    (obs, meta)
}

fn mape<'a>(rows: impl IntoIterator<Item = &'a RowFit>, after: bool) -> f64 {
    let (mut sum, mut n) = (0.0, 0);
    for r in rows {
        sum += if after {
            r.error_after_pct.abs()
        } else {
            r.error_before_pct.abs()
        };
        n += 1;
    }
    sum / n as f64
}

/// A fit of `obs` and what the user should know about it.
struct PhaseFit {
    point: Point,
    termination: TerminationReason,
    free: Free,
    warnings: Vec<CalibrationWarning>,
}

/// Fits the parameters the phases `obs` determine, starting from `before` (which also gives
/// the value of a parameter they do not determine); `one_model`: the phases are all of one
/// architecture and `before` has an overhead, which is held.
fn fit_phases(
    obs: &[Observation],
    before: Point,
    max_iterations: usize,
    one_model: bool,
    formats: usize,
) -> PhaseFit {
    let n = obs.len();
    let mut warnings = Vec::new();
    let mut undetermined = [false; 2];
    let mut unseparated;
    // Shares at the device's own fractions too: a fit may move a fraction until its operators
    // dominate (decode-only rows "explained" by a compute fraction of 0.02), but data that do
    // not depend on it where the device stands cannot determine it.
    let (memory_before, compute_before) = fit::shares(
        obs,
        Point {
            overhead_s: 0.0,
            ..before
        },
    );
    for (i, share, param, kept) in [
        (0, memory_before, Param::BandwidthFraction, before.bandwidth),
        (1, compute_before, Param::ComputeFraction, before.compute),
    ] {
        if share < MIN_SHARE {
            undetermined[i] = true;
            warnings.push(CalibrationWarning::NotDetermined {
                param,
                largest_share: share,
                kept,
            });
        }
    }
    let (point, termination, free, wanted) = loop {
        // Each pass decides afresh whether the overhead is held.
        unseparated = false;
        let wanted = Free {
            bandwidth: !undetermined[0],
            compute: !undetermined[1],
            overhead: true,
            formats,
        };
        let mut free = wanted;
        if free.count() > n {
            free.overhead = false;
        }
        if free.count() > n {
            // Keep the fraction the data depend on most.
            let (memory, compute) = obs.iter().fold((0.0, 0.0), |(m, c), o| {
                let s = o.split(before);
                (m + s.memory / s.total(), c + s.compute / s.total())
            });
            if memory >= compute {
                free.compute = false;
            } else {
                free.bandwidth = false;
            }
        }
        let (mut point, mut termination) = fit::fit(obs, free, before, max_iterations);
        let separation = if free.overhead && free.bandwidth && one_model {
            Separation::Confounded
        } else if free.overhead && free.bandwidth {
            overhead_separation(obs, free, point)
        } else {
            Separation::Separated
        };
        if separation != Separation::Separated {
            // Keep the overhead and let the fraction explain the times (see the warning); at
            // a fraction of 1, only if that fits about as well: else the rows did separate
            // them and the rated bandwidth is what is low.
            let held = Free {
                overhead: false,
                ..free
            };
            let (p, t) = fit::fit(obs, held, before, max_iterations);
            let (with, without) = (fit::objective(obs, point), fit::objective(obs, p));
            if separation == Separation::Confounded
                || without <= with * UNSEPARATED_LOSS_RATIO + 1e-12
            {
                (free, point, termination) = (held, p, t);
                unseparated = true;
            }
        }
        let (memory, compute) = fit::shares(obs, point);
        let mut again = false;
        if free.bandwidth && memory < MIN_SHARE {
            undetermined[0] = true;
            warnings.push(CalibrationWarning::NotDetermined {
                param: Param::BandwidthFraction,
                largest_share: memory,
                kept: before.bandwidth,
            });
            again = true;
        }
        if free.compute && compute < MIN_SHARE {
            undetermined[1] = true;
            warnings.push(CalibrationWarning::NotDetermined {
                param: Param::ComputeFraction,
                largest_share: compute,
                kept: before.compute,
            });
            again = true;
        }
        if !again {
            break (point, termination, free, wanted);
        }
    };
    let kept: Vec<Param> = [
        (
            wanted.bandwidth && !free.bandwidth,
            Param::BandwidthFraction,
        ),
        (wanted.compute && !free.compute, Param::ComputeFraction),
        (
            wanted.overhead && !free.overhead && !unseparated,
            Param::Overhead,
        ),
    ]
    .into_iter()
    .filter_map(|(k, p)| k.then_some(p))
    .collect();
    if !kept.is_empty() {
        warnings.insert(0, CalibrationWarning::FewMeasurements { phases: n, kept });
    }
    if unseparated {
        warnings.push(CalibrationWarning::OverheadNotSeparated {
            kept_s: before.overhead_s,
        });
    }
    for (on, value, param) in [
        (free.bandwidth, point.bandwidth, Param::BandwidthFraction),
        (free.compute, point.compute, Param::ComputeFraction),
    ] {
        if let Some(bound) = bound_reached(value).filter(|_| on) {
            warnings.push(CalibrationWarning::AtBound { param, bound });
        }
    }
    if termination == TerminationReason::MaxIterations {
        warnings.push(CalibrationWarning::NotConverged {
            reason: termination,
        });
    }
    let params = [
        Param::BandwidthFraction,
        Param::ComputeFraction,
        Param::Overhead,
    ];
    for (i, j, correlation) in fit::correlations(obs, free, point) {
        if correlation.abs() > CONFOUNDED_CORRELATION {
            warnings.push(CalibrationWarning::Confounded {
                first: params[i],
                second: params[j],
                correlation,
            });
        }
    }
    PhaseFit {
        point,
        termination,
        free,
        warnings,
    }
}

/// The bound of (0, 1] a fitted fraction ended on, if any: 1 or [`MIN_FRACTION`].
fn bound_reached(fraction: f64) -> Option<f64> {
    if fraction >= 1.0 - 1e-9 {
        Some(1.0)
    } else if fraction <= MIN_FRACTION * (1.0 + 1e-9) {
        Some(MIN_FRACTION)
    } else {
        None
    }
}

/// How well the fitted overhead is told apart from the bandwidth fraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separation {
    /// No overhead, or estimates that do not move together.
    Separated,
    /// The estimates are confounded (one model size: both scale every decode step alike), or
    /// the rows are of one architecture.
    Confounded,
    /// The fraction sits at 1 with an overhead above 0: a flat valley whose grid tie-break
    /// chose the largest fraction, or a rated bandwidth set too low; the loss tells which.
    FractionAtOne,
}

fn overhead_separation(obs: &[Observation], free: fit::Free, point: Point) -> Separation {
    if point.overhead_s <= 0.0 {
        return Separation::Separated;
    }
    // At the bound to within the solver's reach of it.
    if point.bandwidth >= 1.0 - 1e-3 {
        return Separation::FractionAtOne;
    }
    let confounded = fit::correlations(obs, free, point)
        .iter()
        .any(|&(i, j, c)| (i, j) == (0, 2) && c.abs() > CONFOUNDED_CORRELATION);
    if confounded {
        Separation::Confounded
    } else {
        Separation::Separated
    }
}

/// The weight formats that get a bandwidth fraction of their own: when the rows are in more
/// than one format, each format but the most measured one (which gets b) that has a decode
/// phase (a prefill is mostly compute-bound and says little about bandwidth), most measured
/// first, at most [`MAX_FORMAT_FRACTIONS`] and no more than the phases beyond b, c and o.
/// Only when the most measured format's rows are of two or more models: they alone then
/// separate the overhead from b, and each other format's fraction is what is left of its
/// times. With one model per format the formats are all the rows have to separate the
/// overhead, so they share b (a fit of one fraction per format would leave it undetermined).
fn own_formats(measurements: &[Measurement]) -> Vec<WeightFormat> {
    /// A format's rows: phases, decode phases, distinct architectures.
    struct Count<'a> {
        format: WeightFormat,
        phases: usize,
        decode: usize,
        archs: Vec<&'a Architecture>,
    }
    let mut counts: Vec<Count> = Vec::new();
    for m in measurements {
        let format = m.precision().weights;
        let i = match counts.iter().position(|c| c.format == format) {
            Some(i) => i,
            None => {
                counts.push(Count {
                    format,
                    phases: 0,
                    decode: 0,
                    archs: Vec::new(),
                });
                counts.len() - 1
            }
        };
        let c = &mut counts[i];
        c.phases += m.prefill_s().is_some() as usize + m.decode_s().is_some() as usize;
        c.decode += m.decode_s().is_some() as usize;
        if !c.archs.contains(&m.arch()) {
            c.archs.push(m.arch());
        }
    }
    if counts.len() < 2 {
        return Vec::new();
    }
    // Most measured first; ties by more models, more decode phases, then the format's key, so
    // the order of the rows does not matter.
    counts.sort_by(|a, b| {
        (b.phases, b.archs.len(), b.decode)
            .cmp(&(a.phases, a.archs.len(), a.decode))
            .then_with(|| a.format.key().cmp(&b.format.key()))
    });
    if counts[0].archs.len() < 2 {
        return Vec::new();
    }
    let phases: usize = counts.iter().map(|c| c.phases).sum();
    counts
        .into_iter()
        .skip(1)
        .filter(|c| c.decode > 0)
        .map(|c| c.format)
        .take(MAX_FORMAT_FRACTIONS.min(phases.saturating_sub(3)))
        .collect()
}

/// Fits the bandwidth fraction (and those of formats measured apart), the compute fraction and
/// the per-layer overhead of `device` to the measured times, starting from its rated numbers
/// (its own fractions serve as "before" and as the value of a fraction the data cannot
/// determine). The calibrated device carries the format fractions this fit gives, and no
/// others: a fraction fitted beside another b does not carry over.
///
/// Never fails on data it can read: a single measured time fits a single parameter, a fraction
/// no measurement depends on keeps the device's value, and rows the roofline cannot follow
/// still give the best fit; each case adds a [`CalibrationWarning`].
pub fn calibrate(
    device: &Device,
    measurements: &[Measurement],
) -> Result<CalibrationReport, CalibrationError> {
    calibrate_within(device, measurements, fit::MAX_ITERATIONS)
}

/// [`calibrate`] with at most `max_iterations` refining steps per fit (tests cut it short).
fn calibrate_within(
    device: &Device,
    measurements: &[Measurement],
    max_iterations: usize,
) -> Result<CalibrationReport, CalibrationError> {
    let mut formats = own_formats(measurements);
    let (mut obs, meta) = observations(device, measurements, &formats);
    if obs.is_empty() {
        return Err(CalibrationError::NoMeasurements);
    }
    let mut before = Calibration::of_device(device).point();
    for (k, f) in formats.iter().enumerate() {
        before.formats[k] = device.bandwidth_fraction_for(f);
    }
    // Rows of one architecture tell the overhead from the bandwidth fraction only through
    // their formats and lengths, and a format changes the achieved bandwidth too: such a fit
    // extrapolates to other sizes by chance (issue 16's leave-one-model-out folds). So a
    // device that already carries an overhead per layer (a runtime's typical one, an earlier
    // calibration) keeps it; a device without one lets the rows try.
    let one_model =
        before.overhead_s > 0.0 && measurements.windows(2).all(|w| w[0].arch() == w[1].arch());
    let mut fit = fit_phases(&obs, before, max_iterations, one_model, formats.len());
    // A phase off by more than OUTLIER_FACTOR either way is set aside and the rest refitted,
    // when it is a minority: a wrong row (another power mode, a unit slip, a published
    // anomaly) would otherwise pull every fraction. It still counts in the errors shown.
    let off = |o: &Observation, p: Point| (o.predict(p) / o.measured_s).ln().abs();
    let outliers: Vec<usize> = (0..obs.len())
        .filter(|&i| off(&obs[i], fit.point) > OUTLIER_FACTOR.ln())
        .collect();
    let mut outlier_phases: Vec<usize> = Vec::new();
    if !outliers.is_empty() && outliers.len() * 3 <= obs.len() {
        // A format whose decode phases were all set aside has nothing left to fit its
        // fraction, and fewer phases may fit fewer formats: such formats read at b again.
        let kept: Vec<usize> = (0..obs.len()).filter(|i| !outliers.contains(i)).collect();
        let mut stay: Vec<usize> = (1..=formats.len())
            .filter(|&k| {
                kept.iter()
                    .any(|&i| obs[i].format == k && meta[i].phase == Phase::Decode)
            })
            .collect();
        stay.truncate(kept.len().saturating_sub(3));
        if stay.len() < formats.len() {
            for o in obs.iter_mut() {
                o.format = stay
                    .iter()
                    .position(|&k| k == o.format)
                    .map_or(0, |j| j + 1);
            }
            let old = before.formats;
            for (j, &k) in stay.iter().enumerate() {
                before.formats[j] = old[k - 1];
            }
            formats = stay.iter().map(|&k| formats[k - 1]).collect();
        }
        let inliers: Vec<Observation> = kept.iter().map(|&i| obs[i].clone()).collect();
        fit = fit_phases(&inliers, before, max_iterations, one_model, formats.len());
        let rows = outliers
            .iter()
            .map(|&i| {
                let ratio = obs[i].measured_s / obs[i].predict(fit.point);
                (meta[i].line, meta[i].label.clone(), ratio)
            })
            .collect();
        fit.warnings
            .push(CalibrationWarning::OutliersSetAside { rows });
        outlier_phases = outliers;
    }
    let PhaseFit {
        point,
        termination,
        free,
        mut warnings,
    } = fit;
    let rows: Vec<RowFit> = obs
        .iter()
        .zip(meta)
        .map(|(o, m)| {
            // Before: at the device's own fraction for the run's format, fitted apart or not.
            let own = device.bandwidth_fraction_for(&m.weights);
            let at_device = Point {
                bandwidth: own,
                formats: [own; MAX_FORMAT_FRACTIONS],
                ..before
            };
            let (y, b, a) = (o.measured_s, o.predict(at_device), o.predict(point));
            RowFit {
                line: m.line,
                label: m.label,
                phase: m.phase,
                measured_s: y,
                predicted_before_s: b,
                predicted_after_s: a,
                error_before_pct: (b - y) / y * 100.0,
                error_after_pct: (a - y) / y * 100.0,
            }
        })
        .collect();
    // The rated roofline bounds every phase from below.
    let rated = Calibration::RATED.point();
    let faster: Vec<(usize, String, f64)> = obs
        .iter()
        .zip(&rows)
        .filter_map(|(o, r)| {
            let bound = o.predict(rated);
            (r.measured_s < bound * (1.0 - 1e-9)).then(|| {
                (
                    r.line,
                    r.label.clone(),
                    (bound - r.measured_s) / bound * 100.0,
                )
            })
        })
        .collect();
    if !faster.is_empty() {
        warnings.push(CalibrationWarning::FasterThanRoofline { rows: faster });
    }
    let (mape_before, mape_after) = (mape(&rows, false), mape(&rows, true));
    // Whether the rows the fit used agree: the ones set aside are named on their own.
    let kept_rows = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| !outlier_phases.contains(i))
        .map(|(_, r)| r);
    let mape_kept = mape(kept_rows, true);
    if mape_kept > INCONSISTENT_MAPE {
        warnings.push(CalibrationWarning::Inconsistent {
            mape_after: mape_kept,
        });
    }
    for (k, &format) in formats.iter().enumerate() {
        if let Some(bound) = bound_reached(point.formats[k]) {
            warnings.push(CalibrationWarning::FormatAtBound { format, bound });
        }
    }
    let own: Vec<FormatFraction> = formats
        .iter()
        .enumerate()
        .map(|(k, &format)| FormatFraction {
            format,
            fraction: point.formats[k],
        })
        .collect();
    Ok(CalibrationReport {
        bandwidth_fraction: point.bandwidth,
        compute_fraction: point.compute,
        layer_overhead_s: point.overhead_s,
        format_bandwidth: FormatFractions::new(&own)
            .expect("distinct formats, fractions within the fit's bounds"),
        fitted: Fitted {
            bandwidth_fraction: free.bandwidth,
            compute_fraction: free.compute,
            overhead: free.overhead,
        },
        rows,
        mape_before,
        mape_after,
        termination: Some(termination),
        warnings,
    })
}

/// "3–5, 7": sorted distinct lines as ranges.
fn line_ranges(rows: &[RowFit]) -> String {
    let mut lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
    lines.sort_unstable();
    lines.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j + 1 < lines.len() && lines[j + 1] == lines[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}–{}", lines[i], lines[j])
        } else {
            lines[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// A fraction usable by [`Device::new`]: a report read from a file may hold anything.
fn usable_fraction(f: f64, fallback: f64) -> f64 {
    if f.is_finite() && f > 0.0 {
        f.min(1.0)
    } else {
        fallback
    }
}

/// A new device: `device`'s rated numbers with the fitted fractions, named `name` (empty:
/// `<device> (calibrated)`), its source recording the calibration. The fitted per-layer
/// overhead is part of the device: every latency the page shows then includes it.
pub fn calibrated_device(device: &Device, report: &CalibrationReport, name: &str) -> Device {
    let name = match name.trim() {
        "" => format!("{} (calibrated)", device.name()),
        n => n.to_string(),
    };
    let name: String = name.chars().take(200).collect();
    let spec = device.spec();
    let fitted = |on: bool| if on { "fitted" } else { "kept" };
    let phases = report.rows.len();
    let set_aside: Vec<String> = report
        .set_aside()
        .map(|(line, label, _)| format!("line {line} {label}"))
        .collect();
    let set_aside = if set_aside.is_empty() {
        String::new()
    } else {
        format!(
            "; {} left out of the fit as far off the others: {}",
            set_aside.len(),
            set_aside.join(", ")
        )
    };
    let own: String = report
        .format_bandwidth
        .iter()
        .map(|f| format!("; {} weights {:.3} (fitted apart)", f.format, f.fraction))
        .collect();
    let source = format!(
        "Calibrated from {phases} measured time{} (lines {}{set_aside}): bandwidth fraction {:.3} \
         ({}){own}, compute fraction {:.3} ({}), overhead {:.4} ms per layer per step ({}); \
         MAPE {:.1} % before, {:.1} % after. Rated numbers: {}",
        if phases == 1 { "" } else { "s" },
        line_ranges(&report.rows),
        report.bandwidth_fraction,
        fitted(report.fitted.bandwidth_fraction),
        report.compute_fraction,
        fitted(report.fitted.compute_fraction),
        report.layer_overhead_s * 1e3,
        fitted(report.fitted.overhead),
        report.mape_before,
        report.mape_after,
        spec.source
    );
    Device::new(DeviceSpec {
        name,
        bandwidth_fraction: usable_fraction(report.bandwidth_fraction, spec.bandwidth_fraction),
        compute_fraction: usable_fraction(report.compute_fraction, spec.compute_fraction),
        // The fit has no constant part: a recalibrated device drops any it had.
        step_overhead_ms: 0.0,
        layer_overhead_ms: (report.layer_overhead_s * 1e3).clamp(0.0, MAX_LAYER_OVERHEAD_MS),
        format_bandwidth_fractions: report.format_bandwidth,
        // A new fit has not been held out: the old one's errors do not describe it.
        held_out_decode_pct: None,
        held_out_prefill_pct: None,
        source,
        ..spec.clone()
    })
    .expect("a valid device with fractions in (0, 1] and a name of 1 to 200 characters")
}

/// A calibrated device with the measurements and the fit behind it: the export format.
/// `device` serialises exactly as a device file does, so it can be imported on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRecord {
    pub device: Device,
    /// Name of the device whose rated numbers were calibrated.
    pub base_device: String,
    pub measurements: Vec<Measurement>,
    pub fit: CalibrationReport,
}

impl CalibrationRecord {
    pub fn new(
        base: &Device,
        measurements: &[Measurement],
        fit: CalibrationReport,
        name: &str,
    ) -> CalibrationRecord {
        CalibrationRecord {
            device: calibrated_device(base, &fit, name),
            base_device: base.name().to_string(),
            measurements: measurements.to_vec(),
            fit,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("structs with string keys always serialise")
    }

    /// Reads a record back; every part is validated as on import.
    pub fn from_json(text: &str) -> Result<CalibrationRecord, String> {
        serde_json::from_str(text).map_err(|e| format!("not a calibration record: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::device::device_presets;

    fn nano_example() -> (Device, Vec<Measurement>) {
        let table =
            parse_measurements_csv("orin-nano-measurements.csv", EXAMPLE_MEASUREMENTS_CSV).unwrap();
        let nano = device_presets()
            .into_iter()
            .find(|d| d.name() == "Jetson Orin Nano Super 8GB")
            .unwrap();
        (nano, table.measurements)
    }

    #[test]
    fn a_converged_calibration_says_so_without_a_warning() {
        let (nano, measurements) = nano_example();
        let r = calibrate(&nano, &measurements).unwrap();
        let reason = r.termination.unwrap();
        assert!(reason.was_successful(), "{reason}");
        assert!(!r
            .warnings
            .iter()
            .any(|w| matches!(w, CalibrationWarning::NotConverged { .. })));
    }

    #[test]
    fn a_calibration_cut_off_by_the_iteration_limit_says_so_and_warns() {
        let (nano, measurements) = nano_example();
        let r = calibrate_within(&nano, &measurements, 1).unwrap();
        assert_eq!(r.termination, Some(TerminationReason::MaxIterations));
        let warning = CalibrationWarning::NotConverged {
            reason: TerminationReason::MaxIterations,
        };
        assert!(r.warnings.contains(&warning), "{:?}", r.warnings);
        assert_eq!(
            warning.to_string(),
            "the fit did not converge (stopped at the iteration limit): the fractions are the \
             best point found, perhaps not the best fit; check the measurements for a bad row"
        );
        // A record from before the solver reported its stop reads back without one.
        let mut json: serde_json::Value = serde_json::to_value(&r).unwrap();
        json.as_object_mut().unwrap().remove("termination");
        let old: CalibrationReport = serde_json::from_value(json).unwrap();
        assert_eq!(old.termination, None);
    }
}
