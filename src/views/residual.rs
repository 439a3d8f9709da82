//! The residual chart of a fit: predicted − observed against observed loss.

use super::fit::train_and_held_out;
use crate::chart::{AxisSpec, Rule, RuleAt, Series, XyChart, PALETTE};
use crate::model::fit::FitReport;

/// Residuals (predicted − observed) against observed loss, with the zero line.
pub fn residual_chart(report: &FitReport) -> XyChart {
    let (train, held) = train_and_held_out(report, |p| (p.observed, p.predicted - p.observed));
    XyChart {
        title: "Residuals".into(),
        x: AxisSpec::linear("observed loss"),
        y: AxisSpec::linear("predicted − observed"),
        series: vec![
            Series::points("train", PALETTE[0], train),
            Series::points("held-out", PALETTE[1], held),
        ],
        rules: vec![Rule {
            at: RuleAt::Y(0.0),
            label: String::new(),
            color: PALETTE[7],
        }],
        ..XyChart::default()
    }
}
