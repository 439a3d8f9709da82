//! Chart specs built from core results: what the frontier and fit charts show.

use roofscale::model::device::Device;
use roofscale::model::law::{Law, PaperLaw};
use roofscale::model::precision::Precision;
use roofscale::model::search::{
    search, Constraints, Objective, SearchSettings, SearchSpace, SearchSpaceSpec,
};
use roofscale::model::workload::Workload;
use roofscale::views::{color_key, frontier_chart, ColorBy, ReferencePoint};
use std::ops::ControlFlow;

fn small_report() -> roofscale::model::search::SearchReport {
    let spec = SearchSpaceSpec {
        layers: vec![4, 8, 16],
        hidden: vec![768, 1024, 2048],
        ..SearchSpaceSpec::default()
    };
    let space = SearchSpace::new(spec).unwrap();
    search(
        &space,
        &Law::Paper(PaperLaw::published()),
        &Device::default(),
        &[Precision::FP16, Precision::INT8],
        &Workload::default(),
        &SearchSettings::default(),
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap()
}

#[test]
fn frontier_chart_has_a_cloud_and_a_frontier_per_precision_in_milliseconds() {
    let report = small_report();
    let reference = ReferencePoint {
        key: "ref".into(),
        name: "ref (FP16)".into(),
        latency_s: 0.05,
        loss: 3.5,
    };
    // A reference the law cannot score is left out, never plotted.
    let unscored = ReferencePoint {
        key: "bad".into(),
        name: "bad".into(),
        latency_s: 0.05,
        loss: f64::INFINITY,
    };
    let fc = frontier_chart(
        &report,
        Objective::Decode,
        ColorBy::Experts,
        Some(0.02),
        &[reference, unscored],
        true,
        &Constraints::default(),
    );
    // Two clouds, two frontiers, and the reference models as a hoverable series.
    assert_eq!(fc.chart.series.len(), 5);
    assert_eq!(fc.reference_series, Some(4));
    assert_eq!(fc.chart.series[4].points, vec![(50.0, 3.5)]);
    assert_eq!(fc.reference_keys, vec!["ref".to_string()]);
    assert_eq!(fc.chart.markers.len(), 1);
    assert_eq!(fc.chart.markers[0].label, "ref (FP16)");
    for p in 0..2 {
        let frontier = report.frontier(Objective::Decode, p, &Constraints::default());
        let line = &fc.chart.series[fc.layout.frontier(p)];
        assert_eq!(line.points.len(), frontier.len());
        assert_eq!(
            fc.candidates[fc.layout.frontier(p)],
            frontier.iter().map(|q| q.candidate).collect::<Vec<_>>()
        );
        for (pt, q) in line.points.iter().zip(&frontier) {
            assert_eq!(*pt, (q.latency_s * 1e3, q.loss));
        }
        let cloud = &fc.chart.series[fc.layout.cloud(p)];
        assert_eq!(cloud.points.len(), fc.candidates[fc.layout.cloud(p)].len());
        // Every cloud point is the candidate's latency (ms) and loss in that precision.
        for (pt, &i) in cloud
            .points
            .iter()
            .zip(&fc.candidates[fc.layout.cloud(p)])
            .take(50)
        {
            let m = report.evaluations.metrics(i, p);
            assert_eq!(pt.0, m.decode_s as f64 * 1e3);
            assert_eq!(pt.1, report.evaluations.candidates[i].loss);
        }
    }
    assert_eq!(fc.chart.rules.len(), 1);
    assert_eq!(fc.chart.markers[0].x, 50.0);
    assert!(fc.chart.x.log);
}

#[test]
fn colour_key_lists_each_expert_count_once() {
    let report = small_report();
    let key = color_key(&report, ColorBy::Experts);
    assert_eq!(
        key.iter().map(|k| k.0).collect::<Vec<_>>(),
        vec![1.0, 8.0, 16.0]
    );
    assert_ne!(key[0].1, key[1].1);
}

#[test]
fn candidate_csv_has_a_row_per_candidate_and_marks_the_frontier() {
    let report = small_report();
    let csv = roofscale::views::candidates_csv(
        &report,
        Objective::Decode,
        false,
        &Constraints::default(),
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), report.evaluated() + 1);
    assert!(lines[0].starts_with("index,layers,hidden"));
    assert!(lines[0].ends_with("INT8_fits,INT8_on_frontier"));
    let frontier =
        roofscale::views::candidates_csv(&report, Objective::Decode, true, &Constraints::default());
    let fp16 = report
        .frontier(Objective::Decode, 0, &Constraints::default())
        .len();
    let int8 = report
        .frontier(Objective::Decode, 1, &Constraints::default())
        .len();
    let rows = frontier.lines().count() - 1;
    assert!(
        rows >= fp16.max(int8) && rows <= fp16 + int8,
        "{rows} frontier rows for {fp16} + {int8}"
    );
}

#[test]
fn a_parameter_range_keeps_only_candidates_inside_it() {
    let report = small_report();
    let c = Constraints::default()
        .with_param_range(Some(3e8), Some(1e9))
        .unwrap();
    let fc = frontier_chart(
        &report,
        Objective::Total,
        ColorBy::Layers,
        None,
        &[],
        false,
        &c,
    );
    assert!(!fc.candidates[0].is_empty());
    for &i in fc.candidates[0]
        .iter()
        .chain(&fc.candidates[fc.layout.frontier(0)])
    {
        let n = report.evaluations.candidates[i].params_total as f64;
        assert!((3e8..=1e9).contains(&n), "candidate {i} has {n} parameters");
    }
}

#[test]
fn colouring_by_precision_gives_each_cloud_one_colour() {
    let report = small_report();
    let fc = frontier_chart(
        &report,
        Objective::Decode,
        ColorBy::Precision,
        None,
        &[],
        true,
        &Constraints::default(),
    );
    let (a, b) = (
        &fc.chart.series[fc.layout.cloud(0)],
        &fc.chart.series[fc.layout.cloud(1)],
    );
    assert!(a.point_colors.is_none() && b.point_colors.is_none());
    assert_ne!(a.color, b.color);
    assert_eq!(color_key(&report, ColorBy::Precision).len(), 2);
}

#[test]
fn a_large_cloud_is_thinned_to_one_dot_per_cell_and_colour_but_frontiers_stay_whole() {
    let spec = SearchSpaceSpec {
        layers: (1..=80).collect(),
        hidden: (4..=32).map(|k| 128 * k).collect(),
        ..SearchSpaceSpec::default()
    };
    let space = SearchSpace::new(spec).unwrap();
    assert!(
        space.count() > roofscale::views::THIN_ABOVE as u64,
        "{}",
        space.count()
    );
    let report = search(
        &space,
        &Law::Paper(PaperLaw::published()),
        &Device::default(),
        &[Precision::FP16],
        &Workload::default(),
        &SearchSettings::default(),
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap();
    let none = Constraints::default();
    let fc = frontier_chart(
        &report,
        Objective::Decode,
        ColorBy::Experts,
        None,
        &[],
        true,
        &none,
    );
    let (drawn, admitted) = fc.cloud_drawn;
    let cloud = &fc.chart.series[fc.layout.cloud(0)];
    assert_eq!(cloud.points.len(), drawn);
    assert!(
        drawn * 3 < admitted,
        "{drawn} of {admitted} drawn: not thinned"
    );
    // Every drawn point is an admitted candidate at its own coordinates, drawn once.
    let ids = &fc.candidates[fc.layout.cloud(0)];
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    for (pt, &i) in cloud.points.iter().zip(ids) {
        let m = report.evaluations.metrics(i, 0);
        assert_eq!(
            *pt,
            (
                m.decode_s as f64 * 1e3,
                report.evaluations.candidates[i].loss
            )
        );
    }
    // Every admitted candidate has a drawn dot of its colour within a cell or two of it.
    let xs: Vec<f64> = cloud.points.iter().map(|p| p.0.log10()).collect();
    let (x0, x1) = xs
        .iter()
        .fold((f64::MAX, f64::MIN), |a, &x| (a.0.min(x), a.1.max(x)));
    let (y0, y1) = cloud
        .points
        .iter()
        .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    let colors = cloud.point_colors.as_ref().unwrap();
    let mut cells = std::collections::HashSet::new();
    let cell = |x: f64, y: f64| {
        (
            ((x - x0) / (x1 - x0) * 1023.0).round() as i64,
            ((y - y0) / (y1 - y0) * 639.0).round() as i64,
        )
    };
    for (k, p) in cloud.points.iter().enumerate() {
        cells.insert((cell(p.0.log10(), p.1), colors[k]));
    }
    let key = color_key(&report, ColorBy::Experts);
    for (i, c) in report.evaluations.candidates.iter().enumerate().step_by(97) {
        let m = report.evaluations.metrics(i, 0);
        if !(m.fits && c.loss.is_finite()) {
            continue;
        }
        let color = key.iter().find(|(v, _)| *v == c.experts as f64).unwrap().1;
        let (cx, cy) = cell((m.decode_s as f64 * 1e3).log10(), c.loss);
        // The grid bins an approximate log, so its cells are up to 1.5× these along x.
        let near =
            (-2..=2).any(|dx| (-1..=1).any(|dy| cells.contains(&((cx + dx, cy + dy), color))));
        assert!(near, "candidate {i} has no dot of its colour near it");
    }
    // The frontier is not thinned.
    let frontier = report.frontier(Objective::Decode, 0, &none);
    assert_eq!(
        fc.chart.series[fc.layout.frontier(0)].points.len(),
        frontier.len()
    );
}

/// Qwen2.5-0.5B's prefill and first decode step on `device` in FP16.
fn qwen_steps(
    device: &Device,
) -> (
    roofscale::model::roofline::PhaseBreakdown,
    roofscale::model::roofline::PhaseBreakdown,
) {
    use roofscale::model::hf_config::{import_hf_config, reference_presets};
    use roofscale::model::roofline::{decode_breakdown, prefill_breakdown};
    let json = reference_presets()
        .into_iter()
        .find(|(n, _)| n.starts_with("Qwen2.5-0.5B"))
        .unwrap()
        .1;
    let arch = import_hf_config(json).unwrap().arch;
    let w = Workload::default();
    (
        prefill_breakdown(&arch, device, Precision::FP16, &w),
        decode_breakdown(&arch, device, Precision::FP16, &w, 1025),
    )
}

#[test]
fn roofline_chart_has_a_roof_per_listed_format_and_rated_roofs_only_when_derated() {
    use roofscale::views::roofline_chart;
    let orin = Device::default();
    let (pre, dec) = qwen_steps(&orin);
    let chart = roofline_chart(&orin, &pre, &dec);
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    // Orin lists FP16 and INT8 (ops run in FP16): two roofs, no rated ones at fraction 1.
    assert_eq!(
        names,
        [
            "prefill operators",
            "decode operators",
            "INT8 roof",
            "FP16 roof"
        ]
    );
    let fp16 = &chart.series[3].points;
    let peak = orin.peak_flops(roofscale::model::precision::NumFormat::Fp16);
    assert_eq!(fp16.last().unwrap().1, peak, "flat at the FP16 peak");
    let (x0, y0) = fp16[0];
    assert!(
        (y0 / x0 / orin.bandwidth() - 1.0).abs() < 1e-12,
        "slope is the bandwidth"
    );
    // Two ridge markers, then operator labels: the slowest operator of each phase first, with
    // its share of the step, then others where their labels do not sit on one placed before.
    let ops = &chart.markers[2..];
    assert!(
        ops.len() >= 2 && ops.len() <= 8,
        "{} operator labels",
        ops.len()
    );
    assert_eq!(chart.markers[1].label, "ridge FP16 (208 FLOP/B)");
    for (phase, b) in [("prefill", &pre), ("decode", &dec)] {
        let slowest = b
            .ops
            .iter()
            .max_by(|x, y| x.total_s().total_cmp(&y.total_s()))
            .unwrap();
        let share = format!("{phase} {:.0} %", 100.0 * slowest.total_s() / b.total_s());
        assert!(
            ops.iter()
                .any(|m| m.label.starts_with(slowest.op.name) && m.label.contains(&share)),
            "no label \"{}: {share}\" in {:?}",
            slowest.op.name,
            ops.iter().map(|m| &m.label).collect::<Vec<_>>()
        );
    }
    // Only the two phases' slowest may share a place (both are always labelled).
    for (i, a) in ops.iter().enumerate().skip(2) {
        for b in ops[..i].iter().chain(&chart.markers[..2]) {
            let apart = (a.x / b.x).log10().abs() >= 0.9 || (a.y / b.y).log10().abs() >= 0.3;
            assert!(apart, "labels {} and {} collide", a.label, b.label);
        }
    }

    // At 60 % of rated bandwidth and 80 % of rated compute, each roof has a rated twin.
    let mut spec = orin.spec().clone();
    spec.bandwidth_fraction = 0.6;
    spec.compute_fraction = 0.8;
    let derated = Device::new(spec).unwrap();
    let (pre, dec) = qwen_steps(&derated);
    let chart = roofline_chart(&derated, &pre, &dec);
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names[2..],
        [
            "INT8 roof, achievable",
            "INT8 roof, rated",
            "FP16 roof, achievable",
            "FP16 roof, rated"
        ]
    );
    let achievable = chart.series[4].points.last().unwrap().1;
    let rated = chart.series[5].points.last().unwrap().1;
    assert!((rated / achievable - 1.0 / 0.8).abs() < 1e-12);
    let (x, y) = chart.series[5].points[0];
    assert!(
        (y / x / (orin.bandwidth()) - 1.0).abs() < 1e-12,
        "rated slope is the rated bandwidth"
    );
}
