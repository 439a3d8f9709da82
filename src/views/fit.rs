//! The fit chart: predicted against observed loss.

use super::identity_line;
use crate::chart::{AxisSpec, Series, XyChart, PALETTE};
use crate::model::fit::{FitPoint, FitReport};

/// Predicted against observed loss, training and held-out rows in two colours, the y = x line,
/// R² in the legend names (the analogue of the paper's fit figure).
pub fn fit_chart(report: &FitReport) -> XyChart {
    let (train, held) = train_and_held_out(report, |p| (p.observed, p.predicted));
    let r2 = |q: Option<f64>| q.map_or("—".to_string(), |v| format!("{v:.3}"));
    let mut series = vec![
        Series::points(
            format!("train (R² {})", r2(report.train.r2)),
            PALETTE[0],
            train,
        ),
        Series::points(
            format!("held-out (R² {})", r2(report.held_out.and_then(|q| q.r2))),
            PALETTE[1],
            held,
        ),
    ];
    series.extend(identity_line(
        report.points.iter().flat_map(|p| [p.observed, p.predicted]),
    ));
    XyChart {
        title: "Predicted vs observed loss".into(),
        x: AxisSpec::linear("observed loss"),
        y: AxisSpec::linear("predicted loss"),
        series,
        ..XyChart::default()
    }
}

/// Points of a chart, in data coordinates.
type Points = Vec<(f64, f64)>;

/// The training and the held-out points of a fit, each placed by `at`.
pub(super) fn train_and_held_out(
    report: &FitReport,
    at: impl Fn(&FitPoint) -> (f64, f64),
) -> (Points, Points) {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for p in &report.points {
        if p.held_out { &mut held } else { &mut train }.push(at(p));
    }
    (train, held)
}
