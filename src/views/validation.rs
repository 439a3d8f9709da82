//! The validation chart: every published run's time against the page's prediction of it
//! (log–log), one colour per runtime, with y = x and the ±10 % and ±30 % bands.

use super::identity_line;
use crate::chart::{AxisSpec, Series, XyChart, PALETTE};
use crate::model::published::{PhaseScore, PublishedRun, Validation, USER_RUNTIME};
use crate::model::roofline::Phase;

/// Which prediction the chart puts against the published time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Predicted {
    /// The rated roofline (fractions 1, no overhead): a lower bound on the time.
    Rated,
    /// Calibrated on every row of the run's device and runtime.
    Calibrated,
    /// Calibrated without the rows of the run's own model (leave one model out).
    HeldOut,
}

impl Predicted {
    pub const ALL: [Predicted; 3] = [Predicted::Rated, Predicted::Calibrated, Predicted::HeldOut];

    pub fn name(self) -> &'static str {
        match self {
            Predicted::Rated => "rated roofline",
            Predicted::Calibrated => "calibrated",
            Predicted::HeldOut => "held out (leave one model out)",
        }
    }

    /// The predicted time of a phase; `None` for held out where the group has one model.
    pub fn of(self, s: &PhaseScore) -> Option<f64> {
        match self {
            Predicted::Rated => Some(s.rated_s),
            Predicted::Calibrated => Some(s.calibrated_s),
            Predicted::HeldOut => s.held_out_s,
        }
    }
}

/// The chart and, per series, the phase index (into `v.phases`) of each point, for hover.
pub struct ValidationChart {
    pub chart: XyChart,
    pub points: Vec<Vec<usize>>,
}

/// Published against predicted time (ms) of `phase` for every scored run, a series per
/// runtime (named with its MAPE), then y = x and the ±10 % and ±30 % bands.
pub fn validation_chart(
    v: &Validation,
    runs: &[PublishedRun],
    which: Predicted,
    phase: Phase,
) -> ValidationChart {
    let mut runtimes: Vec<&str> = v
        .phases
        .iter()
        .map(|s| runs[s.run].row.runtime.as_str())
        .collect();
    runtimes.sort_unstable();
    runtimes.dedup();
    let ms = |s: f64| s * 1e3;
    let (mut series, mut points) = (Vec::new(), Vec::new());
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (k, runtime) in runtimes.iter().enumerate() {
        let mut xy = Vec::new();
        let mut ids = Vec::new();
        let mut error = 0.0;
        for (i, s) in v.phases.iter().enumerate() {
            if s.phase != phase || runs[s.run].row.runtime != *runtime {
                continue;
            }
            let Some(p) = which.of(s) else { continue };
            xy.push((ms(s.measured_s), ms(p)));
            error += s.error_pct(p).abs();
            ids.push(i);
            lo = lo.min(ms(s.measured_s)).min(ms(p));
            hi = hi.max(ms(s.measured_s)).max(ms(p));
        }
        if xy.is_empty() {
            continue;
        }
        let name = format!(
            "{runtime}: {} runs, MAPE {:.1} %",
            xy.len(),
            error / xy.len() as f64
        );
        series.push(Series::points(name, PALETTE[k % PALETTE.len()], xy));
        points.push(ids);
    }
    if hi > lo {
        series.extend(identity_line([lo, hi].into_iter()));
        for (f, label) in [(0.1, "±10 %"), (0.3, "±30 %")] {
            for (sign, named) in [(1.0, true), (-1.0, false)] {
                let k = 1.0 + sign * f;
                let mut s = Series::line(
                    if named {
                        label.to_string()
                    } else {
                        String::new()
                    },
                    PALETTE[7],
                    vec![(lo, lo * k), (hi, hi * k)],
                );
                s.dashed = true;
                series.push(s);
            }
        }
    }
    let phase_name = phase.name();
    ValidationChart {
        chart: XyChart {
            title: format!(
                "Published vs predicted {phase_name} time — {}",
                which.name()
            ),
            subtitle: format!(
                "each point a published run (public/data/measurements.csv) on its rated device{}",
                if runtimes.contains(&USER_RUNTIME) {
                    "; your measurements on the device you calibrated"
                } else {
                    ""
                }
            ),
            x: AxisSpec::log("published (ms)"),
            y: AxisSpec::log("predicted (ms)"),
            series,
            ..XyChart::default()
        },
        points,
    }
}
