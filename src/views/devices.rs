//! The cross-device chart: each device's frontier and its best design under a budget.

use super::CLOUD;
use crate::chart::{AxisSpec, Marker, Series, XyChart};
use crate::model::pareto::best_under_budget;
use crate::model::search::{Candidate, Constraints, Objective, SearchReport};

/// One device's frontier for the cross-device chart, and its best design under a budget.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceFrontier {
    pub device: String,
    /// (latency s, loss) along the frontier.
    pub points: Vec<(f64, f64)>,
    /// The best frontier design at or under the budget, if any.
    pub best: Option<Candidate>,
    pub best_latency_s: f64,
    pub best_loss: f64,
}

/// The frontier of `objective` in the report's first precision, and its best design under
/// `budget_s` (the fastest design when no budget is given or none meets it).
pub fn device_frontier(
    report: &SearchReport,
    objective: Objective,
    budget_s: Option<f64>,
) -> DeviceFrontier {
    let f = report.frontier(objective, 0, &Constraints::default());
    let pick = match budget_s {
        Some(b) => best_under_budget(&f, b).copied(),
        None => f.last().copied(),
    };
    DeviceFrontier {
        device: report.device.name().to_string(),
        points: f.iter().map(|p| (p.latency_s, p.loss)).collect(),
        best: pick.map(|p| report.evaluations.candidates[p.candidate]),
        best_latency_s: pick.map_or(f64::NAN, |p| p.latency_s),
        best_loss: pick.map_or(f64::NAN, |p| p.loss),
    }
}

/// Frontiers of several devices on one chart (log latency), each device's pick marked: the
/// paper's point that each device wants its own architecture.
pub fn devices_chart(frontiers: &[DeviceFrontier], objective: Objective) -> XyChart {
    let series = frontiers
        .iter()
        .enumerate()
        .map(|(i, f)| {
            Series::step(
                f.device.clone(),
                CLOUD[i % CLOUD.len()],
                f.points.iter().map(|p| (p.0 * 1e3, p.1)).collect(),
            )
        })
        .collect();
    let markers = frontiers
        .iter()
        .enumerate()
        .filter(|(_, f)| f.best.is_some())
        .map(|(i, f)| Marker {
            x: f.best_latency_s * 1e3,
            y: f.best_loss,
            label: format!(
                "{}: l={} d={} E={}",
                short(&f.device),
                f.best.map_or(0, |c| c.layers),
                f.best.map_or(0, |c| c.hidden),
                f.best.map_or(0, |c| c.experts)
            ),
            color: CLOUD[i % CLOUD.len()],
        })
        .collect();
    XyChart {
        title: format!("Frontiers across devices ({} latency)", objective.name()),
        x: AxisSpec::log(format!("{} latency (ms)", objective.name())),
        y: AxisSpec::linear("predicted loss"),
        series,
        markers,
        ..XyChart::default()
    }
}

/// A device name cut to its first two words, for marker labels.
fn short(name: &str) -> String {
    name.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}
