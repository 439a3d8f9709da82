//! What the charts show, built from core results: pure functions from reports to chart specs,
//! tested natively. The UI only draws what these return.

use crate::chart::{
    AxisSpec, Cell, ColorKey, Heatmap, LegendPlacement, Marker, Rgb, Rule, RuleAt, Series,
    SeriesKind, Shape, XyChart, PALETTE,
};
use crate::model::fit::FitReport;
use crate::model::law::Law;
use crate::model::search::Evaluations;
use crate::model::search::{trends, TrendPoint};
use crate::model::search::{
    Candidate, Constraints, ExpertChoice, KvHeads, Objective, SearchReport, SearchSpace,
};
use crate::model::theory::{rho_star, Binding, DepthLimits, FeasibleRegion, Regime, RegionSlice};

/// Attribute that colours the candidate cloud of the frontier chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorBy {
    Experts,
    Active,
    Layers,
    Hidden,
    FfnRatio,
    KvHeads,
    /// One colour per attention kind of the space (full, each sliding window).
    Attention,
    /// One colour per precision (the clouds of all precisions told apart).
    Precision,
}

impl ColorBy {
    pub const ALL: [ColorBy; 8] = [
        ColorBy::Experts,
        ColorBy::Active,
        ColorBy::Layers,
        ColorBy::Hidden,
        ColorBy::FfnRatio,
        ColorBy::KvHeads,
        ColorBy::Attention,
        ColorBy::Precision,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ColorBy::Experts => "experts E",
            ColorBy::Active => "active experts K",
            ColorBy::Layers => "layers l",
            ColorBy::Hidden => "hidden size d",
            ColorBy::FfnRatio => "FFN ratio r",
            ColorBy::KvHeads => "KV heads",
            ColorBy::Attention => "attention",
            ColorBy::Precision => "precision",
        }
    }

    fn value(self, c: &Candidate) -> f64 {
        match self {
            ColorBy::Experts => c.experts as f64,
            ColorBy::Active => c.active as f64,
            ColorBy::Layers => c.layers as f64,
            ColorBy::Hidden => c.hidden as f64,
            ColorBy::FfnRatio => c.ffn_ratio as f64,
            ColorBy::KvHeads => c.kv_heads as f64,
            ColorBy::Attention => c.attention as f64,
            ColorBy::Precision => 0.0,
        }
    }
}

/// The distinct values of the colouring attribute, sorted, each with its palette colour
/// (values beyond the palette's ten share its last colour). Also the chart's colour legend.
pub fn color_key(report: &SearchReport, by: ColorBy) -> Vec<(f64, Rgb)> {
    if by == ColorBy::Precision {
        // Values are precision indices into the report's precisions.
        return (0..report.evaluations.precisions.len())
            .map(|p| (p as f64, CLOUD[p % CLOUD.len()]))
            .collect();
    }
    // A million candidates hold a few dozen distinct values: keep them sorted as they come
    // (neighbours usually share a value, so most candidates cost one comparison).
    let mut values: Vec<f64> = Vec::new();
    let mut last = f64::NAN;
    for c in &report.evaluations.candidates {
        let v = by.value(c);
        if v.to_bits() == last.to_bits() {
            continue;
        }
        last = v;
        if let Err(at) = values.binary_search_by(|x| x.total_cmp(&v)) {
            values.insert(at, v);
        }
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (v, CLOUD[i.min(CLOUD.len() - 1)]))
        .collect()
}

/// The colour key as the chart and the page show it: one entry per colour, labelled with its
/// value (precision and attention kind by name). Values past the sixth share the last colour,
/// so they get one entry naming the first and last of them.
pub fn color_key_labels(report: &SearchReport, by: ColorBy) -> Vec<(String, Rgb)> {
    let name = |v: f64| match by {
        ColorBy::Precision => report
            .evaluations
            .precisions
            .get(v as usize)
            .map(|p| p.name())
            .unwrap_or_default(),
        ColorBy::Attention => report
            .space
            .spec()
            .attention
            .get(v as usize)
            .map(|k| k.to_string())
            .unwrap_or_default(),
        _ => trim(v),
    };
    let key = color_key(report, by);
    let shared = CLOUD.len() - 1;
    let mut out: Vec<(String, Rgb)> = key
        .iter()
        .take(shared)
        .map(|&(v, c)| (name(v), c))
        .collect();
    match &key[shared.min(key.len())..] {
        [] => {}
        [(v, c)] => out.push((name(*v), *c)),
        [(first, c), .., (last, _)] => {
            out.push((format!("{} … {}", name(*first), name(*last)), *c))
        }
    }
    out
}

/// The settings a search's charts and exports depend on, in one line: device, workload,
/// precisions, objective and law.
pub fn search_caption(report: &SearchReport, objective: Objective) -> String {
    format!(
        "{} · {} · {} · objective: {} latency · law: {}",
        report.device.name(),
        workload_text(&report.workload),
        precisions_text(report),
        objective.name(),
        report.law.kind_name()
    )
}

fn workload_text(w: &crate::model::workload::Workload) -> String {
    let operators = match w.operators() {
        crate::model::workload::OperatorSet::Paper => "paper operators",
        crate::model::workload::OperatorSet::Full => "all operators",
    };
    format!(
        "batch {}, prompt {}, {} generated tokens, {operators}",
        w.batch(),
        w.prompt_tokens(),
        w.generated_tokens()
    )
}

fn precisions_text(report: &SearchReport) -> String {
    report
        .evaluations
        .precisions
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A download's file name saying what it holds: `{what}-{device}-{objective}.{ext}`, the
/// device name in lower case with runs of other characters as one dash.
pub fn export_file_name(what: &str, device: &str, objective: Objective, ext: &str) -> String {
    let mut slug = String::new();
    for ch in device.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    format!("{what}-{slug}-{}.{ext}", objective.name())
}

/// Colours of the candidate cloud's attribute values; the frontier colours are kept out of it
/// so a frontier never reads as a group of candidates.
const CLOUD: [Rgb; 7] = [
    PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[9], PALETTE[8], PALETTE[5], PALETTE[7],
];

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
        self.clouds.push(if by == ColorBy::Precision {
            cloud
        } else {
            cloud.with_point_colors(cols)
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

/// A design's short name, the same on the chart's pins and in the comparison table:
/// "l=24 d=2048 16×top-1" or "l=24 d=2048 dense".
pub fn design_label(layers: u32, hidden: u32, experts: u32, active: u32) -> String {
    let moe = if experts > 1 {
        format!("{experts}×top-{active}")
    } else {
        "dense".to_string()
    };
    format!("l={layers} d={hidden} {moe}")
}

/// Candidate clouds larger than this are thinned for drawing and hover.
pub const THIN_ABOVE: usize = 200_000;

/// Thins a large cloud to the first point of each colour slot (0–7) in each cell of a fine
/// grid over the data's range (log latency when the axis is log). A million candidates
/// collapse to the places a dot can be seen, which keeps drawing, hover indexing and memory
/// fast. Cells are 1/1024 of the latency range and 1/640 of the loss range: about a pixel of a
/// chart on a laptop screen, and within a dot's radius after zooming in 2×.
struct CloudGrid {
    x: (f64, f64),
    y: (f64, f64),
    log_x: bool,
    /// Colour slots seen in each cell, one bit each.
    seen: Vec<u8>,
}

const THIN_CELLS: (usize, usize) = (1024, 640);

impl CloudGrid {
    /// Over every candidate's finite point in precision `pi` (a slightly wider range than the
    /// admitted ones, found without testing constraints twice).
    fn over(e: &Evaluations, pi: usize, objective: Objective, log_x: bool) -> CloudGrid {
        let (mut x, mut y) = ((f64::MAX, f64::MIN), (f64::MAX, f64::MIN));
        for (i, c) in e.candidates.iter().enumerate() {
            let px = axis_x(e.metrics(i, pi).latency(objective) * 1e3, log_x);
            if px.is_finite() && c.loss.is_finite() {
                x = (x.0.min(px), x.1.max(px));
                y = (y.0.min(c.loss), y.1.max(c.loss));
            }
        }
        CloudGrid {
            x,
            y,
            log_x,
            seen: vec![0; THIN_CELLS.0 * THIN_CELLS.1],
        }
    }

    /// Whether `(x, y)` is the first point of colour `slot` in its cell.
    fn first(&mut self, (x, y): (f64, f64), slot: u8) -> bool {
        let x = axis_x(x, self.log_x);
        if !x.is_finite() {
            return true;
        }
        // Float → int casts saturate (negative → 0), so only the top needs clamping.
        let cell = |v: f64, (lo, hi): (f64, f64), n: usize| -> usize {
            let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
            ((t * (n - 1) as f64 + 0.5) as usize).min(n - 1)
        };
        let k = cell(y, self.y, THIN_CELLS.1) * THIN_CELLS.0 + cell(x, self.x, THIN_CELLS.0);
        let bit = 1u8 << (slot & 7);
        let fresh = self.seen[k] & bit == 0;
        self.seen[k] |= bit;
        fresh
    }
}

/// The latency as the grid bins it: log₂ when the axis is log, approximated from the float's
/// exponent and mantissa (monotonic, within 0.09 of log₂): binning needs no exact logarithm,
/// and the exact one is the slowest step of thinning a million points in wasm.
fn axis_x(x: f64, log_x: bool) -> f64 {
    if !log_x {
        return x;
    }
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
    let mantissa = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52)); // in [1, 2)
    exponent + (mantissa - 1.0)
}

/// Frontier colours by precision: strong and distinct from the cloud.
pub fn frontier_color(precision: usize) -> Rgb {
    [PALETTE[4], PALETTE[3], PALETTE[6], (0x55, 0x55, 0xAA)][precision % 4]
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Predicted against observed loss, training and held-out rows in two colours, the y = x line,
/// R² in the legend names (the analogue of the paper's fit figure).
pub fn fit_chart(report: &FitReport) -> XyChart {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for p in &report.points {
        if p.held_out { &mut held } else { &mut train }.push((p.observed, p.predicted));
    }
    let all = report
        .points
        .iter()
        .flat_map(|p| [p.observed, p.predicted])
        .filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
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
    if lo.is_finite() && hi > lo {
        series.push(Series::line("y = x", PALETTE[7], vec![(lo, lo), (hi, hi)]));
    }
    XyChart {
        title: "Predicted vs observed loss".into(),
        x: AxisSpec::linear("observed loss"),
        y: AxisSpec::linear("predicted loss"),
        series,
        ..XyChart::default()
    }
}

/// Residuals (predicted − observed) against observed loss, with the zero line.
pub fn residual_chart(report: &FitReport) -> XyChart {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for p in &report.points {
        if p.held_out { &mut held } else { &mut train }
            .push((p.observed, p.predicted - p.observed));
    }
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

/// The roofline of `device` with the operators of one prefill and one decode step of a design:
/// attainable FLOP/s against intensity on log axes. One roof per number format the operators
/// use or the device lists: the achievable roof (rated × the device's fractions, what the
/// latency model uses, solid) and, when a fraction is below one, the rated roof (dashed, so it
/// reads apart from the achievable one in the same colour, in the legend too). Each
/// roof's ridge point is marked, and the operators are labelled, slowest first, where their
/// labels do not collide.
pub fn roofline_chart(
    device: &crate::model::device::Device,
    prefill: &crate::model::roofline::PhaseBreakdown,
    decode: &crate::model::roofline::PhaseBreakdown,
) -> XyChart {
    use crate::model::precision::NumFormat;
    use crate::model::roofline::{OpCost, PhaseBreakdown};
    let shown = |c: &&OpCost| c.op.flops > 0.0 && c.time_s > 0.0;
    let at = |c: &OpCost| (c.op.intensity(), c.op.flops / c.time_s);
    let point =
        |b: &PhaseBreakdown| -> Vec<(f64, f64)> { b.ops.iter().filter(shown).map(at).collect() };
    let spec = device.spec();
    let listed = |f: NumFormat| match f {
        NumFormat::Fp32 => spec.fp32_tflops.is_some(),
        NumFormat::Fp16 => spec.fp16_tflops.is_some(),
        NumFormat::Bf16 => spec.bf16_tflops.is_some(),
        NumFormat::Fp8 => spec.fp8_tflops.is_some(),
        NumFormat::Int8 => spec.int8_tops.is_some(),
        NumFormat::Int4 => spec.int4_tops.is_some(),
    };
    let used: Vec<NumFormat> = prefill
        .ops
        .iter()
        .chain(&decode.ops)
        .map(|c| c.format)
        .collect();
    // Formats the operators use come last, so their roofs are drawn on top.
    let mut formats: Vec<NumFormat> = NumFormat::ALL
        .into_iter()
        .filter(|f| used.contains(f) || listed(*f))
        .collect();
    formats.sort_by_key(|f| used.contains(f));
    let all: Vec<(f64, f64)> = point(prefill).into_iter().chain(point(decode)).collect();
    let top_ridge = formats
        .iter()
        .map(|f| device.ridge_point(*f))
        .fold(0.0f64, f64::max);
    let lo = all
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min)
        .min(0.5)
        / 2.0;
    let hi = all
        .iter()
        .map(|p| p.0)
        .fold(0.0f64, f64::max)
        .max(2.0 * top_ridge)
        * 2.0;
    let mut series = vec![
        Series::points("prefill operators", PALETTE[0], point(prefill)),
        Series::points("decode operators", PALETTE[1], point(decode)),
    ];
    let mut markers = Vec::new();
    let derated = spec.bandwidth_fraction < 1.0 || spec.compute_fraction < 1.0;
    let rated_bandwidth = spec.bandwidth_gbps * 1e9;
    let roof = |bandwidth: f64, peak: f64| -> Vec<(f64, f64)> {
        [lo, peak / bandwidth, hi]
            .iter()
            .filter(|x| x.is_finite() && **x > 0.0)
            .map(|x| (*x, (bandwidth * x).min(peak)))
            .collect()
    };
    for (k, f) in formats.iter().enumerate() {
        let color = ROOF_COLORS[k % ROOF_COLORS.len()];
        let peak = device.peak_flops(*f);
        let ridge = device.ridge_point(*f);
        let name = if derated {
            format!("{} roof, achievable", f.name())
        } else {
            format!("{} roof", f.name())
        };
        series.push(Series::line(name, color, roof(device.bandwidth(), peak)));
        if derated {
            let rated_peak = peak / spec.compute_fraction;
            // Dashed, here and in the legend: the same colour as its achievable roof.
            let mut rated = Series::line(
                format!("{} roof, rated", f.name()),
                color,
                roof(rated_bandwidth, rated_peak),
            )
            .dashed();
            rated.kind = SeriesKind::Line { width: 1.2 };
            series.push(rated);
        }
        markers.push(Marker {
            x: ridge,
            y: peak,
            label: format!("ridge {} ({:.0} FLOP/B)", f.name(), ridge),
            color: PALETTE[3],
        });
    }
    // Operators labelled by their share of their step: each phase's slowest always, then the
    // others slowest first, skipping any whose label would sit on one already placed (a decode
    // step's matmuls share one intensity; the tooltip names every point). The same operator at
    // the same place in both phases gets one label naming both shares.
    // (phase, operator, share of its step, is the phase's slowest): each phase's slowest
    // first, always labelled; then the rest, slowest first.
    let mut ops: Vec<(&str, &OpCost, f64, bool)> = [("prefill", prefill), ("decode", decode)]
        .into_iter()
        .flat_map(|(phase, b)| {
            let total = b.total_s();
            let slowest = b
                .ops
                .iter()
                .filter(shown)
                .map(OpCost::total_s)
                .fold(0.0, f64::max);
            b.ops.iter().filter(shown).map(move |c| {
                let share = 100.0 * c.total_s() / total;
                (phase, c, share, c.total_s() >= slowest)
            })
        })
        .collect();
    ops.sort_by(|x, y| {
        (y.3, y.2)
            .partial_cmp(&(x.3, x.2))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    // Where labels collide: within 0.9 decade of intensity (a label's width) and 0.3 decade
    // of performance (its height) on a chart of usual size.
    let collides = |a: (f64, f64), b: (f64, f64)| {
        (a.0 / b.0).log10().abs() < 0.9 && (a.1 / b.1).log10().abs() < 0.3
    };
    // The ridge labels are placed already.
    let mut labelled: Vec<(&str, (f64, f64), usize)> = markers
        .iter()
        .enumerate()
        .map(|(k, m)| ("", (m.x, m.y), k))
        .collect();
    for (phase, c, share, forced) in ops {
        let xy = at(c);
        let clash = labelled
            .iter()
            .find(|(name, p, _)| collides(*p, xy) && !(forced && *name != c.op.name));
        match clash {
            Some(&(name, p, k)) if name == c.op.name && (p.0 / xy.0).ln().abs() < 0.3 => {
                let label = &mut markers[k].label;
                if !label.contains(phase) {
                    *label = format!("{label}, {phase} {share:.0} %");
                }
            }
            Some(_) => {}
            None if forced || labelled.len() < formats.len() + MAX_OP_LABELS => {
                labelled.push((c.op.name, xy, markers.len()));
                markers.push(Marker {
                    x: xy.0,
                    y: xy.1,
                    label: format!("{}: {phase} {share:.0} %", c.op.name),
                    color: if phase == "prefill" {
                        PALETTE[0]
                    } else {
                        PALETTE[1]
                    },
                });
            }
            None => {}
        }
    }
    XyChart {
        title: format!("Roofline on {}", device.name()),
        x: AxisSpec::log("arithmetic intensity (FLOP/byte)"),
        y: AxisSpec::log("attainable performance (FLOP/s)"),
        series,
        markers,
        ..XyChart::default()
    }
}

/// Most operators labelled on a roofline chart.
const MAX_OP_LABELS: usize = 8;

/// Roof colours by format, apart from the operator colours.
const ROOF_COLORS: [Rgb; 4] = [PALETTE[7], PALETTE[4], PALETTE[5], PALETTE[6]];

/// The candidates CSV, written a slice of rows at a time so a million-row export never
/// holds the page's thread for long ([`candidates_csv`] writes it whole). Rows are sorted by
/// the first precision's latency of the objective; `#` lines carry the settings.
pub struct CandidatesCsv<'a> {
    report: &'a SearchReport,
    frontiers: Vec<Vec<usize>>,
    rows: Vec<usize>,
    next: usize,
}

impl<'a> CandidatesCsv<'a> {
    /// Chooses and sorts the rows, and returns the writer with the settings and header lines
    /// already in `out`.
    pub fn start(
        report: &'a SearchReport,
        objective: Objective,
        only_frontier: bool,
        constraints: &Constraints,
        out: &mut String,
    ) -> CandidatesCsv<'a> {
        use std::fmt::Write;
        let e = &report.evaluations;
        let frontiers: Vec<Vec<usize>> = (0..e.precisions.len())
            .map(|p| {
                let mut f: Vec<usize> = report
                    .frontier(objective, p, constraints)
                    .iter()
                    .map(|q| q.candidate)
                    .collect();
                f.sort_unstable();
                f
            })
            .collect();
        let mut rows: Vec<usize> = (0..e.candidates.len())
            .filter(|&i| !only_frontier || frontiers.iter().any(|f| f.binary_search(&i).is_ok()))
            .collect();
        if !e.precisions.is_empty() {
            rows.sort_by(|&a, &b| {
                let (la, lb) = (
                    e.metrics(a, 0).latency(objective),
                    e.metrics(b, 0).latency(objective),
                );
                la.total_cmp(&lb).then(a.cmp(&b))
            });
        }
        let generated = report.workload.generated_tokens();
        let first = e.precisions.first().map(|p| p.name()).unwrap_or_default();
        let what = if only_frontier {
            format!(
                "designs on the {} frontier of some precision",
                objective.name()
            )
        } else {
            "every evaluated candidate".to_string()
        };
        let _ = writeln!(out, "# roofscale export: {what}");
        let _ = writeln!(out, "# device: {}", report.device.name());
        let _ = writeln!(out, "# workload: {}", workload_text(&report.workload));
        let _ = writeln!(out, "# precisions: {}", precisions_text(report));
        let _ = writeln!(out, "# objective: {} latency", objective.name());
        let _ = writeln!(out, "# law: {}", report.law.kind_name());
        let _ = writeln!(out, "# constraints: {}", constraints_text(constraints));
        let _ = writeln!(
            out,
            "# candidates: {} evaluated{}; rows sorted by {first} {} latency",
            report.evaluated(),
            if report.sampled { " (sampled)" } else { "" },
            objective.name()
        );
        let _ = writeln!(
            out,
            "# *_decode_ms is the whole decode of {generated} generated tokens; *_decode_ms_per_token is one step of it"
        );
        out.push_str(
            "index,layers,hidden,heads,kv_heads,head_dim,attention,experts,active,ffn_ratio,params_total,params_active,loss",
        );
        for p in &e.precisions {
            let n = p.name();
            let _ = write!(
                out,
                ",{n}_prefill_ms,{n}_decode_ms,{n}_decode_ms_per_token,{n}_total_ms,{n}_memory_bytes,{n}_fits,{n}_on_frontier"
            );
        }
        out.push('\n');
        CandidatesCsv {
            report,
            frontiers,
            rows,
            next: 0,
        }
    }

    /// Rows written so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.rows.len())
    }

    /// Appends up to `max` rows; `true` once every row is written.
    pub fn write_rows(&mut self, out: &mut String, max: usize) -> bool {
        use std::fmt::Write;
        let e = &self.report.evaluations;
        let kinds = &self.report.space.spec().attention;
        let generated = self.report.workload.generated_tokens();
        let end = (self.next + max).min(self.rows.len());
        for &i in &self.rows[self.next..end] {
            let c = &e.candidates[i];
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                c.index,
                c.layers,
                c.hidden,
                c.heads,
                c.kv_heads,
                c.head_dim,
                kinds
                    .get(c.attention as usize)
                    .map_or_else(String::new, |k| k.to_string()),
                c.experts,
                c.active,
                c.ffn_ratio,
                c.params_total,
                c.params_active,
                c.loss
            );
            for (p, f) in self.frontiers.iter().enumerate() {
                let m = e.metrics(i, p);
                let decode_ms = m.decode_s as f64 * 1e3;
                let per_token = if generated > 0 {
                    (decode_ms / generated as f64).to_string()
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    ",{},{},{},{},{},{},{}",
                    m.prefill_s as f64 * 1e3,
                    decode_ms,
                    per_token,
                    m.total_s as f64 * 1e3,
                    m.memory_bytes,
                    m.fits,
                    f.binary_search(&i).is_ok()
                );
            }
            out.push('\n');
        }
        self.next = end;
        self.next == self.rows.len()
    }
}

/// Every candidate (or only those on some precision's frontier) as CSV, whole.
pub fn candidates_csv(
    report: &SearchReport,
    objective: Objective,
    only_frontier: bool,
    constraints: &Constraints,
) -> String {
    let mut out = String::new();
    let mut w = CandidatesCsv::start(report, objective, only_frontier, constraints, &mut out);
    while !w.write_rows(&mut out, usize::MAX) {}
    out
}

/// The limits of a constraint set in words ("device memory" when none is set).
fn constraints_text(c: &Constraints) -> String {
    let mut parts = vec![match c.max_memory_bytes() {
        Some(b) => format!("memory ≤ {} GB", trim(b / 1e9)),
        None => "memory ≤ device memory".to_string(),
    }];
    match c.param_range() {
        (Some(lo), Some(hi)) => parts.push(format!(
            "parameters {}–{} M",
            trim(lo / 1e6),
            trim(hi / 1e6)
        )),
        (Some(lo), None) => parts.push(format!("parameters ≥ {} M", trim(lo / 1e6))),
        (None, Some(hi)) => parts.push(format!("parameters ≤ {} M", trim(hi / 1e6))),
        (None, None) => {}
    }
    for o in Objective::ALL {
        if let Some(b) = c.budget(o) {
            parts.push(format!("{} ≤ {} ms", o.name(), trim(b * 1e3)));
        }
    }
    parts.join(", ")
}

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

/// The feasible-region chart (method.md §5) of `region`: one cell per region cell, in the
/// same order, coloured by loss (cells the slice cannot build stay blank), infeasible ones
/// hatched; each budget's depth limit l(d) as a line; markers at the best enumerated cell
/// and at the theory's prediction (the width whose l*(d) gives the lowest loss).
pub fn feasible_chart(region: &FeasibleRegion, slice: &RegionSlice, device: &str) -> Heatmap {
    let cells = region
        .cells
        .iter()
        .map(|c| Cell {
            x: c.hidden as f64,
            y: c.layers as f64,
            value: if c.valid { c.loss } else { f64::NAN },
            feasible: c.feasible(),
        })
        .collect();
    let limit = |name: &str, color: Rgb, of: fn(&DepthLimits) -> Option<f64>| {
        let line: Vec<(f64, f64)> = region
            .theory
            .iter()
            .filter_map(|t| Some((t.hidden as f64, of(&t.limits)?)))
            .filter(|p| p.1.is_finite() && p.1 > 0.0)
            .collect();
        (!line.is_empty()).then(|| Series::line(name, color, line))
    };
    let boundaries = [
        limit(BOUNDARY_NAMES[0], PALETTE[6], |l| l.prefill),
        limit(BOUNDARY_NAMES[1], PALETTE[3], |l| l.decode),
        limit(BOUNDARY_NAMES[2], PALETTE[1], |l| Some(l.memory)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut markers = Vec::new();
    if let Some(best) = region.best.map(|i| region.cells[i]) {
        markers.push(Marker {
            x: best.hidden as f64,
            y: best.layers as f64,
            label: "best enumerated".into(),
            color: PALETTE[0],
        });
    }
    if let Some(t) = region.theory_best.map(|i| region.theory[i]) {
        markers.push(Marker {
            x: t.hidden as f64,
            y: t.depth,
            label: format!("theory l* = {:.1}", t.depth),
            color: PALETTE[9],
        });
    }
    Heatmap {
        title: format!(
            "Feasible designs — {device}, r = {}, E:K = {}:{}, n_kv = {}",
            slice.ffn_ratio, slice.experts.experts, slice.experts.active, slice.kv_heads
        ),
        x: AxisSpec::linear("hidden size d"),
        y: AxisSpec::linear("layers l"),
        xs: region.hidden.iter().map(|&d| d as f64).collect(),
        ys: region.layers.iter().map(|&l| l as f64).collect(),
        cells,
        value_label: "predicted loss".into(),
        contour_levels: Vec::new(),
        boundaries,
        markers,
        legend: LegendPlacement::Top,
    }
}

/// Legend names of the budget lines of [`feasible_chart`], in the order they appear when
/// present.
pub const BOUNDARY_NAMES: [&str; 3] = [
    "prefill budget l = F̄p/(ξF·d²)",
    "decode budget l = M̄d/(ξW·d²·bw)",
    "memory l = M/(ξall·d²·bw)",
];

/// The closed forms at one width, for the theory table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TheoryRow {
    pub hidden: u32,
    /// ρ*(d) within [ρ_min, 1]; `None` when the law is not the paper's form.
    pub rho_star: Option<f64>,
    /// l*(d), continuous.
    pub depth: f64,
    pub binding: Binding,
    /// The law's loss at (l*, d); infinite when l* < 1.
    pub loss: f64,
    /// The region's smallest and largest layer count when l* lies outside them: the closed
    /// form is continuous and unbounded, the search grid is not, so such a depth is never a
    /// candidate (an optimum of 542.5 layers beside a grid that stops at 32).
    pub outside_grid: Option<(u32, u32)>,
}

/// ρ*(d) and l*(d) at every width of the region the slice can build. ρ* follows the
/// regime of η; without a decode budget there is no η and memory (with any prefill budget,
/// the dual case) sets ρ*, so the memory-only formula applies, as [`rho_star`] does for
/// the dual regime.
pub fn theory_rows(region: &FeasibleRegion, law: &Law, rho_min: f64) -> Vec<TheoryRow> {
    let regime = region.budgets.regime.unwrap_or(Regime::MemoryBound);
    let grid = region
        .layers
        .iter()
        .min()
        .zip(region.layers.iter().max())
        .map(|(&lo, &hi)| (lo, hi));
    region
        .theory
        .iter()
        .map(|t| TheoryRow {
            hidden: t.hidden,
            rho_star: match law {
                Law::Paper(p) => Some(rho_star(regime, p, t.hidden as f64, rho_min)),
                _ => None,
            },
            depth: t.depth,
            binding: t.limits.binding().1,
            loss: t.loss,
            outside_grid: grid.filter(|&(lo, hi)| !(lo as f64..=hi as f64).contains(&t.depth)),
        })
        .collect()
}

/// The budgets that limit depth across the table's rows, each once, in the order
/// prefill, decode, memory: what the regime heading says about depth, so heading and rows
/// cannot disagree.
pub fn depth_bindings(rows: &[TheoryRow]) -> Vec<Binding> {
    [Binding::Prefill, Binding::Decode, Binding::Memory]
        .into_iter()
        .filter(|b| rows.iter().any(|r| r.binding == *b))
        .collect()
}

/// The region slice through candidate `c`: its r, experts, KV heads and head dim held fixed
/// while (d, l) vary. KV heads are kept as the space lists them, so a multi-head candidate
/// keeps n_kv = n_h at every width; r is the space's listed value nearest the candidate's
/// (candidates store it as f32).
pub fn design_slice(space: &SearchSpace, c: &Candidate) -> RegionSlice {
    let spec = space.spec();
    let r = c.ffn_ratio as f64;
    let ffn_ratio = spec
        .ffn_ratios
        .iter()
        .copied()
        .min_by(|a, b| (a - r).abs().total_cmp(&(b - r).abs()))
        .unwrap_or(r);
    let kv_heads = if spec.kv_heads.contains(&KvHeads::Count(c.kv_heads)) {
        KvHeads::Count(c.kv_heads)
    } else {
        KvHeads::Mha
    };
    RegionSlice {
        ffn_ratio,
        experts: ExpertChoice {
            experts: c.experts as u32,
            active: c.active as u32,
        },
        kv_heads,
        head_dim: c.head_dim,
    }
}

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
        Some(b) => crate::model::pareto::best_under_budget(&f, b).copied(),
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
