//! The frontier chart: loss against latency, every admitted candidate as a cloud, one
//! frontier staircase per precision, the budget and the reference models.

use super::color_key::{color_key, color_key_labels, ColorBy};
use super::labels::search_caption;
use super::thinning::{CloudGrid, THIN_ABOVE};
use super::{trim, CLOUD};

/// Candidate clouds drawn at first; the frontiers of every format always are.
pub const CLOUDS_SHOWN: usize = 4;
use crate::chart::{
    AxisSpec, ColorKey, Marker, Rgb, Rule, RuleAt, Series, SeriesKind, Shape, XyChart, PALETTE,
};
use crate::model::search::{Constraints, Objective, SearchReport, MAX_PRECISIONS};

/// A reference model placed on the chart: its name, latency (s) and predicted loss.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferencePoint {
    /// Identifies the model (its name in the model list).
    pub key: String,
    /// The label drawn beside it.
    pub name: String,
    pub latency_s: f64,
    pub loss: f64,
}

/// Series layout of the frontier chart: for each precision, its candidate cloud at
/// `cloud(p)` and its frontier at `frontier(p)`.
pub struct FrontierLayout {
    pub precisions: usize,
}

impl FrontierLayout {
    pub fn cloud(&self, p: usize) -> usize {
        p
    }
    pub fn frontier(&self, p: usize) -> usize {
        self.precisions + p
    }
    /// (precision, is_frontier) of a series index.
    pub fn of(&self, series: usize) -> (usize, bool) {
        if series < self.precisions {
            (series, false)
        } else {
            (series - self.precisions, true)
        }
    }
}

/// Candidate index behind each point of the frontier chart's series.
pub struct FrontierChart {
    /// Shared: a million-candidate chart is tens of megabytes.
    pub chart: std::sync::Arc<XyChart>,
    pub layout: FrontierLayout,
    /// For every series, the candidate index of each point.
    pub candidates: Vec<Vec<usize>>,
    /// Cloud points drawn and candidates admitted (more admitted than drawn: the clouds
    /// were thinned, see [`THIN_ABOVE`]).
    pub cloud_drawn: (usize, usize),
    /// The series of the reference models, so they can be hovered and pinned like
    /// candidates; `None` without references.
    pub reference_series: Option<usize>,
    /// The reference shown at each point of that series (non-finite ones are left out).
    pub reference_keys: Vec<String>,
}

/// Loss against latency in milliseconds: every candidate that fits, faint and coloured by
/// `by`, one frontier staircase per precision, the budget as a vertical rule, references as
/// labelled markers.
pub fn frontier_chart(
    report: &SearchReport,
    objective: Objective,
    by: ColorBy,
    budget_s: Option<f64>,
    references: &[ReferencePoint],
    log_x: bool,
    constraints: &Constraints,
) -> FrontierChart {
    let mut builder = FrontierChartBuilder::new(report, objective, by, log_x, constraints);
    while builder.add_precision() {}
    builder.finish(budget_s, references)
}

/// [`frontier_chart`] one precision at a time, so a page can build a million-candidate chart
/// in several short tasks.
pub struct FrontierChartBuilder<'a> {
    report: &'a SearchReport,
    objective: Objective,
    by: ColorBy,
    log_x: bool,
    constraints: &'a Constraints,
    key: Vec<(f64, Rgb)>,
    /// Each candidate's colour slot (0–7), shared by all precisions.
    slots: Vec<u8>,
    layout: FrontierLayout,
    clouds: Vec<Series>,
    frontiers: Vec<Series>,
    candidates: Vec<Vec<usize>>,
    admitted: usize,
    kept: usize,
}

impl<'a> FrontierChartBuilder<'a> {
    pub fn new(
        report: &'a SearchReport,
        objective: Objective,
        by: ColorBy,
        log_x: bool,
        constraints: &'a Constraints,
    ) -> Self {
        let e = &report.evaluations;
        let key = color_key(report, by);
        // The key is sorted by value: a binary search per candidate.
        let slots: Vec<u8> = e
            .candidates
            .iter()
            .map(|c| {
                let v = by.value(c);
                key.binary_search_by(|(k, _)| k.total_cmp(&v))
                    .map_or(7, |i| i.min(6) as u8)
            })
            .collect();
        let layout = FrontierLayout {
            precisions: e.precisions.len(),
        };
        FrontierChartBuilder {
            report,
            objective,
            by,
            log_x,
            constraints,
            key,
            slots,
            layout,
            clouds: Vec::new(),
            frontiers: Vec::new(),
            candidates: vec![Vec::new(); 2 * e.precisions.len()],
            admitted: 0,
            kept: 0,
        }
    }

    /// Adds the cloud and frontier of the next precision; false when all are in.
    pub fn add_precision(&mut self) -> bool {
        let pi = self.clouds.len();
        let e = &self.report.evaluations;
        let Some(p) = e.precisions.get(pi) else {
            return false;
        };
        let (objective, by) = (self.objective, self.by);
        let memory = self.report.device.usable_memory_bytes();
        let mut grid =
            (e.len() > THIN_ABOVE).then(|| CloudGrid::over(e, pi, objective, self.log_x));
        let mut pts = Vec::new();
        let mut cols = Vec::new();
        let mut ids = Vec::new();
        for (i, c) in e.candidates.iter().enumerate() {
            let m = e.metrics(i, pi);
            if !(self.constraints.admits(c, m, memory) && c.loss.is_finite()) {
                continue;
            }
            self.admitted += 1;
            let xy = (m.latency(objective) * 1e3, c.loss);
            if let Some(g) = grid.as_mut() {
                let slot = if by == ColorBy::Precision {
                    0
                } else {
                    self.slots[i]
                };
                if !g.first(xy, slot) {
                    continue;
                }
            }
            pts.push(xy);
            cols.push(
                self.key
                    .get(self.slots[i] as usize)
                    .map_or(PALETTE[7], |k| k.1),
            );
            ids.push(i);
        }
        self.candidates[self.layout.cloud(pi)] = ids;
        self.kept += pts.len();
        // Precision is told by the mark (disc, ring, square), so colour is free for `by`;
        // rings need a larger radius and more opacity to read as rings.
        let kind = SeriesKind::Points {
            radius: if pi == 0 { 2.0 } else { 2.5 },
            alpha: if pi == 0 { 0.35 } else { 0.5 },
        };
        let cloud = Series::new(
            format!("{} candidates", p.name()),
            CLOUD[pi % CLOUD.len()],
            kind,
            pts,
        )
        .with_shape(Shape::nth(pi));
        let cloud = if by == ColorBy::Precision {
            cloud
        } else {
            cloud.with_point_colors(cols)
        };
        // More than a few overlapping clouds hide each other and the frontiers: the later
        // formats' clouds start switched off (greyed in the legend; a click shows them).
        self.clouds.push(if pi < CLOUDS_SHOWN {
            cloud
        } else {
            cloud.hidden()
        });
        let f = self.report.frontier(objective, pi, self.constraints);
        self.candidates[self.layout.frontier(pi)] = f.iter().map(|q| q.candidate).collect();
        let line: Vec<(f64, f64)> = f.iter().map(|q| (q.latency_s * 1e3, q.loss)).collect();
        let mut s = Series::step(format!("{} frontier", p.name()), frontier_color(pi), line);
        s.kind = SeriesKind::Step { width: 2.5 };
        self.frontiers.push(s);
        true
    }

    /// The chart with the precisions added so far, the budget rule and the references.
    pub fn finish(self, budget_s: Option<f64>, references: &[ReferencePoint]) -> FrontierChart {
        let objective = self.objective;
        let mut series = self.clouds;
        series.extend(self.frontiers);
        let rules = budget_s
            .map(|b| {
                vec![Rule {
                    at: RuleAt::X(b * 1e3),
                    label: format!("budget {} ms", trim(b * 1e3)),
                    color: PALETTE[3],
                }]
            })
            .unwrap_or_default();
        let shown: Vec<&ReferencePoint> = references
            .iter()
            .filter(|r| r.latency_s.is_finite() && r.loss.is_finite())
            .collect();
        let reference_series = (!shown.is_empty()).then(|| {
            series.push(Series::new(
                "reference models",
                PALETTE[6],
                SeriesKind::Points {
                    radius: 5.0,
                    alpha: 1.0,
                },
                shown.iter().map(|r| (r.latency_s * 1e3, r.loss)).collect(),
            ));
            series.len() - 1
        });
        let markers = shown
            .iter()
            .map(|r| Marker {
                x: r.latency_s * 1e3,
                y: r.loss,
                label: r.name.clone(),
                color: PALETTE[6],
            })
            .collect();
        let x_label = format!("{} latency (ms)", objective.name());
        // Colour by precision is told by the series' own swatches; any other attribute needs
        // its key.
        let key = (self.by != ColorBy::Precision).then(|| ColorKey {
            title: format!("colour: {}", self.by.name()),
            entries: color_key_labels(self.report, self.by),
        });
        FrontierChart {
            chart: std::sync::Arc::new(XyChart {
                title: format!(
                    "Predicted loss vs {} latency — {}",
                    objective.name(),
                    self.report.device.name()
                ),
                subtitle: search_caption(self.report, objective),
                key,
                x: if self.log_x {
                    AxisSpec::log(x_label)
                } else {
                    AxisSpec::linear(x_label)
                },
                y: AxisSpec::linear("predicted loss"),
                series,
                rules,
                markers,
                ..XyChart::default()
            }),
            layout: self.layout,
            candidates: self.candidates,
            cloud_drawn: (self.kept, self.admitted),
            reference_series,
            reference_keys: shown.iter().map(|r| r.key.clone()).collect(),
        }
    }
}

/// Frontier colours by precision: strong and distinct from the cloud, one of its own for each
/// of the [`MAX_PRECISIONS`] a search compares, so no two legend entries share a colour.
pub fn frontier_color(precision: usize) -> Rgb {
    const COLORS: [Rgb; MAX_PRECISIONS] = [
        PALETTE[4],
        PALETTE[3],
        PALETTE[6],
        (0x55, 0x55, 0xAA),
        PALETTE[5],
        PALETTE[8],
        PALETTE[9],
        (0xB8, 0x86, 0x0B),
    ];
    COLORS[precision % MAX_PRECISIONS]
}

#[cfg(test)]
mod color_tests {
    use super::*;

    #[test]
    fn every_compared_precision_has_its_own_frontier_colour() {
        let colors: Vec<Rgb> = (0..MAX_PRECISIONS).map(frontier_color).collect();
        for (i, a) in colors.iter().enumerate() {
            assert!(
                !colors[..i].contains(a),
                "precision {i} repeats colour {a:?}"
            );
        }
    }
}
