//! The trend chart: the shape of the frontier designs against latency.

use crate::chart::{AxisSpec, Rgb, Series, SeriesKind, XyChart, PALETTE};
use crate::model::search::{trends, TrendPoint};
use crate::model::search::{Constraints, Objective, SearchReport};

/// An architecture attribute the trend chart follows along the frontier, with its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrendAttribute {
    Layers,
    /// d/128, so widths share the axis with the counts.
    HiddenOver128,
    Experts,
    Active,
    FfnRatio,
    KvHeads,
}

impl TrendAttribute {
    /// Series order of [`trend_chart`].
    pub const ALL: [TrendAttribute; 6] = [
        TrendAttribute::Layers,
        TrendAttribute::HiddenOver128,
        TrendAttribute::Experts,
        TrendAttribute::Active,
        TrendAttribute::FfnRatio,
        TrendAttribute::KvHeads,
    ];

    /// The legend entry: what is plotted, in which unit.
    pub fn name(self) -> &'static str {
        match self {
            TrendAttribute::Layers => "layers l",
            TrendAttribute::HiddenOver128 => "hidden d / 128",
            TrendAttribute::Experts => "experts E",
            TrendAttribute::Active => "active experts K",
            TrendAttribute::FfnRatio => "FFN ratio r",
            TrendAttribute::KvHeads => "KV heads n_kv",
        }
    }

    pub fn value(self, t: &TrendPoint) -> f64 {
        match self {
            TrendAttribute::Layers => t.layers as f64,
            TrendAttribute::HiddenOver128 => t.hidden as f64 / 128.0,
            TrendAttribute::Experts => t.experts as f64,
            TrendAttribute::Active => t.active as f64,
            TrendAttribute::FfnRatio => t.ffn_ratio as f64,
            TrendAttribute::KvHeads => t.kv_heads as f64,
        }
    }
}

/// The paper's trend figure: the shape of the frontier designs against latency (ms, log).
/// One staircase per [`TrendAttribute`], in that order, one vertex per frontier point: the
/// best design under a budget b is the last frontier point at or below b, so each attribute
/// of it holds until the next point. All six share one log axis (r = 0.5 to d/128 = 24 stay
/// readable). Frontier of `objective` in precision `precision` (index into the report's
/// precisions), without constraints, as the frontier chart draws it.
///
/// Why the lines flickered: neighbouring frontier designs often come from different families
/// (dense and MoE, 1 and 8 KV heads), so attributes jump at many steps, and where several
/// attributes share a value (E = K = r = 1 for a dense design) the lines lay on top of each
/// other, thinner over thicker, so the colour seen at that value changed from step to step
/// with whichever attributes happened to coincide there. Each attribute now keeps its colour,
/// its width and its own lane (a fixed offset of a few pixels, in [`TrendAttribute::ALL`]
/// order from top to bottom), so coinciding values show as parallel lines in the same order
/// at every step.
pub fn trend_chart(report: &SearchReport, objective: Objective, precision: usize) -> XyChart {
    let frontier = report.frontier(objective, precision, &Constraints::default());
    let points = trends(report, &frontier);
    let middle = (TrendAttribute::ALL.len() - 1) as f64 / 2.0;
    let series = TrendAttribute::ALL
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let line = points
                .iter()
                .map(|t| (t.latency_s * 1e3, a.value(t)))
                .collect();
            Series::new(
                a.name(),
                TREND_COLORS[i],
                SeriesKind::Step { width: 2.0 },
                line,
            )
            .in_lane((i as f64 - middle) * TREND_LANE_PX)
        })
        .collect();
    let precision_name = report
        .evaluations
        .precisions
        .get(precision)
        .map(|p| p.name())
        .unwrap_or_default();
    XyChart {
        title: format!(
            "Shape of the {} frontier designs — {}, {precision_name}",
            objective.name(),
            report.device.name()
        ),
        x: AxisSpec::log(format!("{} latency (ms)", objective.name())),
        y: AxisSpec::log("value (log scale; units in the legend)"),
        series,
        ..XyChart::default()
    }
}

/// CSS pixels between the lanes of two trend attributes: a line's width and a gap.
const TREND_LANE_PX: f64 = 2.5;

/// Trend colours: one per attribute, distinct on both themes.
const TREND_COLORS: [Rgb; 6] = [
    PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4], PALETTE[9],
];
