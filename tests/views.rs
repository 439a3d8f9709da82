//! Chart specs built from core results: what the frontier, fit, roofline, trend and
//! calibration charts show, and the candidates export.

use roofscale::chart::SeriesKind;
use roofscale::model::calibrate::{
    calibrate, parse_measurements_csv, CalibrationReport, Fitted, RowFit, EXAMPLE_MEASUREMENTS_CSV,
};
use roofscale::model::device::{device_presets, Device};
use roofscale::model::law::{Law, PaperLaw};
use roofscale::model::precision::Precision;
use roofscale::model::roofline::Phase;
use roofscale::model::search::{
    search, Constraints, Objective, SearchSettings, SearchSpace, SearchSpaceSpec,
};
use roofscale::model::workload::Workload;
use roofscale::views::{calibration_chart, color_key, frontier_chart, ColorBy, ReferencePoint};
use std::ops::ControlFlow;

/// The paper law's search of a grid of `layers` × `hidden` in `precisions` on the default
/// device and workload.
fn grid_report(
    layers: &[u32],
    hidden: &[u32],
    precisions: &[Precision],
) -> roofscale::model::search::SearchReport {
    let spec = SearchSpaceSpec {
        layers: layers.to_vec(),
        hidden: hidden.to_vec(),
        ..SearchSpaceSpec::default()
    };
    let space = SearchSpace::new(spec).unwrap();
    search(
        &space,
        &Law::Paper(PaperLaw::published()),
        &Device::default(),
        precisions,
        &Workload::default(),
        &SearchSettings::default(),
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap()
}

fn small_report() -> roofscale::model::search::SearchReport {
    grid_report(
        &[4, 8, 16],
        &[768, 1024, 2048],
        &[Precision::FP16, Precision::INT8],
    )
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
    let lines: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
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
    let rows = frontier.lines().filter(|l| !l.starts_with('#')).count() - 1;
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

/// Rated and achievable roofs had the same legend swatch (one colour, only the width told
/// them apart): the rated roof is dashed, the achievable one solid, in the same colour; the
/// legend draws them the same way (tests/chart.rs).
#[test]
fn rated_roofs_are_dashed_and_achievable_roofs_solid() {
    let orin = Device::default();
    let mut spec = orin.spec().clone();
    spec.bandwidth_fraction = 0.6;
    let derated = Device::new(spec).unwrap();
    let (pre, dec) = qwen_steps(&derated);
    let chart = roofscale::views::roofline_chart(&derated, &pre, &dec);
    let roofs: Vec<_> = chart
        .series
        .iter()
        .filter(|s| s.name.contains(" roof"))
        .collect();
    assert_eq!(roofs.len(), 4);
    for pair in roofs.chunks(2) {
        let (achievable, rated) = (pair[0], pair[1]);
        assert!(achievable.name.ends_with("achievable") && !achievable.dashed);
        assert!(rated.name.ends_with("rated") && rated.dashed);
        assert_eq!(achievable.color, rated.color);
    }
}

/// Exported CSVs said nothing of their settings, were in enumeration order and had only the
/// whole decode: the settings come as `#` lines, rows are sorted by the objective's latency,
/// and the decode per generated token is a column (the whole decode over the tokens).
#[test]
fn csv_export_carries_its_settings_is_sorted_by_latency_and_has_per_token_decode() {
    let report = small_report();
    let csv = roofscale::views::candidates_csv(
        &report,
        Objective::Decode,
        false,
        &Constraints::default(),
    );
    let comments: Vec<&str> = csv.lines().take_while(|l| l.starts_with('#')).collect();
    let header = comments.join("\n");
    for wanted in [
        format!("# device: {}", report.device.name()),
        "# workload: batch 1, prompt 1024, 16 generated tokens, all operators".to_string(),
        "# precisions: FP16; INT8".to_string(),
        "# objective: decode latency".to_string(),
        "# law: architecture law (arXiv 2602.10377)".to_string(),
        "# constraints: memory ≤ device memory".to_string(),
    ] {
        assert!(
            comments.contains(&wanted.as_str()),
            "{wanted} not in\n{header}"
        );
    }
    let mut rows = csv.lines().skip(comments.len());
    let columns: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = |name: &str| columns.iter().position(|c| *c == name).unwrap();
    let (decode, per_token) = (col("FP16_decode_ms"), col("FP16_decode_ms_per_token"));
    let values: Vec<Vec<f64>> = rows
        .map(|r| {
            let cells: Vec<&str> = r.split(',').collect();
            vec![
                cells[decode].parse().unwrap(),
                cells[per_token].parse().unwrap(),
            ]
        })
        .collect();
    assert_eq!(values.len(), report.evaluated());
    assert!(
        values.windows(2).all(|w| w[0][0] <= w[1][0]),
        "not sorted by FP16 decode latency"
    );
    assert!(values[0][0] < values[values.len() - 1][0]);
    for v in &values {
        assert!((v[1] * 16.0 - v[0]).abs() <= 1e-9 * v[0].max(1.0), "{v:?}");
    }
}

/// Downloads were all "frontier.csv" / "frontier.png": names say what and for which device
/// and objective.
#[test]
fn export_file_names_say_what_they_hold() {
    use roofscale::views::export_file_name;
    assert_eq!(
        export_file_name(
            "frontier",
            "NVIDIA Jetson AGX Orin (64GB)",
            Objective::Decode,
            "csv"
        ),
        "frontier-nvidia-jetson-agx-orin-64gb-decode.csv"
    );
    assert_eq!(
        export_file_name("candidates", "Raspberry Pi 5", Objective::Total, "png"),
        "candidates-raspberry-pi-5-total.png"
    );
}

/// The legend said "FP16 candidates" in blue and "INT8 candidates" in orange while the dots
/// were coloured by expert count: the clouds' swatches are shapes (disc, ring) with no colour
/// of their own, the chart carries a key whose colours are the dots' colours, and a subtitle
/// names device, workload, precisions, objective and law (exports carry both).
#[test]
fn frontier_legend_agrees_with_the_dot_colours() {
    use roofscale::chart::Shape;
    let report = small_report();
    let fc = frontier_chart(
        &report,
        Objective::Decode,
        ColorBy::Experts,
        None,
        &[],
        true,
        &Constraints::default(),
    );
    let chart = &fc.chart;
    let (fp16, int8) = (
        &chart.series[fc.layout.cloud(0)],
        &chart.series[fc.layout.cloud(1)],
    );
    assert_eq!((fp16.shape, int8.shape), (Shape::Disc, Shape::Ring));
    let key = chart.key.as_ref().expect("a colour key");
    assert_eq!(key.title, "colour: experts E");
    let colours: Vec<_> = key.entries.iter().map(|e| e.1).collect();
    for cloud in [fp16, int8] {
        let dots = cloud.point_colors.as_ref().expect("per-point colours");
        assert!(
            dots.iter().all(|c| colours.contains(c)),
            "a dot colour missing from the key"
        );
    }
    let labels: Vec<&str> = key.entries.iter().map(|e| e.0.as_str()).collect();
    let experts = color_key(&report, ColorBy::Experts);
    assert_eq!(labels.len(), experts.len().min(7));
    assert_eq!(labels[0], "1");
    for part in [
        report.device.name(),
        "batch 1",
        "FP16; INT8",
        "objective: decode",
        "law: architecture law",
    ] {
        assert!(
            chart.subtitle.contains(part),
            "{part} not in {}",
            chart.subtitle
        );
    }
    // Coloured by precision, the series' own colours are the key.
    let by_precision = frontier_chart(
        &report,
        Objective::Decode,
        ColorBy::Precision,
        None,
        &[],
        true,
        &Constraints::default(),
    );
    assert!(by_precision.chart.key.is_none());
    assert!(by_precision.chart.series[0].point_colors.is_none());
}

/// The trend chart's lines flickered from step to step: attributes sharing a value (E = K =
/// r = 1) lay on top of each other, so the colour seen there changed with whichever ones
/// coincided. Every attribute keeps its colour and width whatever the frontier, and its own
/// lane, in legend order from top to bottom.
#[test]
fn trend_lines_keep_their_colour_width_and_lane() {
    use roofscale::views::{trend_chart, TrendAttribute};
    let report = small_report();
    let charts = [
        trend_chart(&report, Objective::Decode, 0),
        trend_chart(&report, Objective::Prefill, 1),
        trend_chart(&report, Objective::Total, 0),
    ];
    let style = |c: &roofscale::chart::XyChart| -> Vec<_> {
        c.series
            .iter()
            .map(|s| (s.name.clone(), s.color, s.kind, s.lane))
            .collect()
    };
    for c in &charts[1..] {
        assert_eq!(style(c), style(&charts[0]));
    }
    let first = &charts[0];
    let names: Vec<&str> = first.series.iter().map(|s| s.name.as_str()).collect();
    let expected: Vec<&str> = TrendAttribute::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(names, expected);
    assert!(first
        .series
        .windows(2)
        .all(|w| w[0].lane + 2.0 <= w[1].lane));
    assert!(first.series.windows(2).all(|w| w[0].kind == w[1].kind));
    // Where E = K (dense designs and top-1 routing of one expert) both lines are drawn.
    let (e, k) = (&first.series[2], &first.series[3]);
    assert!(e.points.iter().zip(&k.points).any(|(a, b)| a.1 == b.1));
}

/// The export written in slices (so the page's thread is never held long) is the same file as
/// the one written whole.
#[test]
fn candidates_csv_in_slices_is_the_whole_file() {
    let report = small_report();
    let whole =
        roofscale::views::candidates_csv(&report, Objective::Total, false, &Constraints::default());
    let mut out = String::new();
    let mut w = roofscale::views::CandidatesCsv::start(
        &report,
        Objective::Total,
        false,
        &Constraints::default(),
        &mut out,
    );
    let mut slices = 0;
    while !w.write_rows(&mut out, 7) {
        slices += 1;
    }
    assert_eq!(w.progress(), (report.evaluated(), report.evaluated()));
    assert!(slices >= report.evaluated() / 7 - 1);
    assert_eq!(out, whole);
}

// ---------------------------------------------------------------------------------------------
// Calibration chart

fn row(measured_s: f64, predicted_before_s: f64, predicted_after_s: f64) -> RowFit {
    RowFit {
        line: 4,
        label: "run".into(),
        phase: Phase::Decode,
        measured_s,
        predicted_before_s,
        predicted_after_s,
        error_before_pct: 100.0 * (predicted_before_s - measured_s) / measured_s,
        error_after_pct: 100.0 * (predicted_after_s - measured_s) / measured_s,
    }
}

#[test]
fn calibration_chart_puts_both_predictions_against_the_measurement_in_ms() {
    let report = CalibrationReport {
        bandwidth_fraction: 0.5,
        compute_fraction: 0.5,
        layer_overhead_s: 0.0,
        format_bandwidth: Default::default(),
        fitted: Fitted {
            bandwidth_fraction: true,
            compute_fraction: true,
            overhead: false,
        },
        rows: vec![row(0.0625, 0.03125, 0.0625), row(0.5, 0.25, 0.5)],
        mape_before: 50.0,
        mape_after: 0.04,
        termination: None,
        warnings: Vec::new(),
    };
    let chart = calibration_chart(&report);
    assert_eq!(chart.title, "Predicted vs measured time");
    assert_eq!((chart.x.log, chart.y.log), (true, true));
    assert_eq!(
        (chart.x.label.as_str(), chart.y.label.as_str()),
        ("measured (ms)", "predicted (ms)")
    );
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "rated roofline (MAPE 50.0 %)",
            "calibrated (MAPE 0.0 %)",
            "y = x"
        ]
    );
    assert_eq!(chart.series[0].points, vec![(62.5, 31.25), (500.0, 250.0)]);
    assert_eq!(chart.series[1].points, vec![(62.5, 62.5), (500.0, 500.0)]);
    // The y = x line spans every time on the chart, measured or predicted.
    assert_eq!(chart.series[2].points, vec![(31.25, 31.25), (500.0, 500.0)]);
    assert!(matches!(chart.series[2].kind, SeriesKind::Line { .. }));
}

#[test]
fn calibration_chart_of_the_shipped_example_has_a_point_per_measured_phase() {
    let t = parse_measurements_csv("orin-nano-measurements.csv", EXAMPLE_MEASUREMENTS_CSV).unwrap();
    let nano = device_presets()
        .into_iter()
        .find(|d| d.name() == "Jetson Orin Nano Super 8GB")
        .unwrap();
    let report = calibrate(&nano, &t.measurements).unwrap();
    let chart = calibration_chart(&report);
    assert_eq!(chart.series.len(), 3);
    for (k, s) in chart.series[..2].iter().enumerate() {
        assert_eq!(s.points.len(), report.rows.len());
        for (p, r) in s.points.iter().zip(&report.rows) {
            let predicted = [r.predicted_before_s, r.predicted_after_s][k];
            assert_eq!(*p, (r.measured_s * 1e3, predicted * 1e3));
        }
    }
    // Calibrated predictions lie on y = x to within the example's 1 µs rounding.
    for &(x, y) in &chart.series[1].points {
        assert!((y - x).abs() < 1e-3 * x.max(1.0), "({x}, {y})");
    }
    let [lo, hi] = [chart.series[2].points[0], chart.series[2].points[1]];
    let all = || {
        chart.series[..2]
            .iter()
            .flat_map(|s| s.points.iter().flat_map(|p| [p.0, p.1]))
    };
    assert_eq!(lo.0, all().fold(f64::INFINITY, f64::min));
    assert_eq!(hi.0, all().fold(0.0, f64::max));
    assert_eq!((lo.0, hi.0), (lo.1, hi.1));
}

/// Exports in deployment formats: names with commas and colons ("Q4_0, head Q8_0, CPU") stay
/// one CSV field each; every row has as many fields as the header; each format's memory column
/// is that format's own figure (Q4_0 below Q8_0 below FP16).
#[test]
fn candidates_csv_in_deployment_formats_keeps_its_columns() {
    use roofscale::model::gguf_mix::GgufScheme;
    use roofscale::model::precision::NumFormat;
    use roofscale::model::weight_format::{MatmulPath, MlcScheme, WeightFormat};
    let gguf = |s| WeightFormat::Gguf(s);
    let precisions = [
        Precision::weight_only(gguf(GgufScheme::Q4_0))
            .with_lm_head(Some(gguf(GgufScheme::Q8_0)))
            .with_matmul(MatmulPath::Cpu),
        Precision::weight_only(gguf(GgufScheme::Q8_0)),
        Precision::weight_only(WeightFormat::Mlc(MlcScheme::Q4f16_1)),
        Precision::new(gguf(GgufScheme::Q4_K_M), NumFormat::Fp8, NumFormat::Fp16),
        Precision::FP16,
    ];
    let report = grid_report(&[4, 8], &[768, 1024], &precisions);
    let csv = roofscale::views::candidates_csv(
        &report,
        Objective::Decode,
        false,
        &Constraints::default(),
    );
    let settings: Vec<&str> = csv.lines().filter(|l| l.starts_with('#')).collect();
    assert!(
        settings.contains(
            &"# precisions: Q4_0, head Q8_0, CPU; Q8_0; q4f16_1; W:Q4_K_M A:FP8 KV:FP16; FP16"
        ),
        "{settings:?}"
    );
    let body: String = csv
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.len(), 13 + 7 * precisions.len());
    let prefixes: Vec<String> = precisions
        .iter()
        .map(roofscale::views::column_prefix)
        .collect();
    assert_eq!(
        prefixes,
        [
            "Q4_0_head_Q8_0_CPU",
            "Q8_0",
            "q4f16_1",
            "W_Q4_K_M_A_FP8_KV_FP16",
            "FP16"
        ]
    );
    let column = |name: String| header.iter().position(|h| h == name).unwrap();
    let memory: Vec<usize> = prefixes
        .iter()
        .map(|p| column(format!("{p}_memory_bytes")))
        .collect();
    let index = column("index".into());
    let mut rows = 0;
    for record in reader.records() {
        let r = record.unwrap();
        assert_eq!(r.len(), header.len());
        let i: u64 = r[index].parse().unwrap();
        let row = report
            .evaluations
            .candidates
            .iter()
            .position(|c| c.index as u64 == i)
            .unwrap();
        let mem: Vec<f32> = memory.iter().map(|&m| r[m].parse().unwrap()).collect();
        for (p, m) in mem.iter().enumerate() {
            assert_eq!(*m, report.evaluations.metrics(row, p).memory_bytes);
        }
        assert!(mem[0] < mem[1] && mem[1] < mem[4], "{mem:?}");
        rows += 1;
    }
    assert_eq!(rows, report.evaluated());
}

/// Eight formats compared: each cloud has its own mark and each frontier its own colour;
/// the first four clouds are drawn and the rest start switched off (their legend entries
/// stay, greyed), while every frontier is drawn.
#[test]
fn eight_formats_get_eight_marks_and_the_later_clouds_start_hidden() {
    use roofscale::chart::Shape;
    use roofscale::model::gguf_mix::GgufScheme;
    use roofscale::model::weight_format::WeightFormat;
    use roofscale::views::CLOUDS_SHOWN;
    let precisions: Vec<Precision> = [
        GgufScheme::Q4_0,
        GgufScheme::Q8_0,
        GgufScheme::Q6_K,
        GgufScheme::Q5_K_M,
        GgufScheme::Q4_K_M,
        GgufScheme::IQ4_XS,
        GgufScheme::Q3_K_M,
    ]
    .map(|s| Precision::weight_only(WeightFormat::Gguf(s)))
    .into_iter()
    .chain([Precision::FP16])
    .collect();
    let report = grid_report(&[4, 8], &[768, 1024], &precisions);
    let fc = frontier_chart(
        &report,
        Objective::Decode,
        ColorBy::Experts,
        None,
        &[],
        true,
        &Constraints::default(),
    );
    let clouds: Vec<_> = (0..8)
        .map(|p| &fc.chart.series[fc.layout.cloud(p)])
        .collect();
    let shapes: std::collections::BTreeSet<String> =
        clouds.iter().map(|c| format!("{:?}", c.shape)).collect();
    assert_eq!(shapes.len(), 8, "{shapes:?}");
    assert_eq!(clouds[0].shape, Shape::Disc);
    for (p, c) in clouds.iter().enumerate() {
        assert_eq!(c.visible, p < CLOUDS_SHOWN, "cloud {p} ({})", c.name);
        let f = &fc.chart.series[fc.layout.frontier(p)];
        assert!(f.visible, "{}", f.name);
    }
    let names = fc.chart.legend_names();
    assert!(names.contains(&"Q3_K_M candidates"), "{names:?}");
}

/// The validation chart has a point per scored phase of the kind (held out: per phase with a
/// held-out prediction), published time on x, the prediction on y, a series per runtime
/// named with its MAPE, then y = x and the dashed ±10 % / ±30 % bands.
#[test]
fn validation_chart_puts_every_published_run_against_its_prediction() {
    use roofscale::model::published::{
        parse_published_csv, published_devices, published_runs, validate, PUBLISHED_CSV,
        PUBLISHED_FILE,
    };
    use roofscale::views::{validation_chart, Predicted};
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
        .unwrap()
        .good;
    let (runs, _) = published_runs(&rows, &published_devices());
    let v = validate(&runs);
    for phase in [Phase::Decode, Phase::Prefill] {
        for which in Predicted::ALL {
            let vc = validation_chart(&v, &runs, which, phase);
            let expected = v
                .phases
                .iter()
                .filter(|s| s.phase == phase && which.of(s).is_some())
                .count();
            let shown: usize = vc.points.iter().map(Vec::len).sum();
            assert_eq!(shown, expected, "{which:?} {phase:?}");
            for (series, ids) in vc.chart.series.iter().zip(&vc.points) {
                assert!(series.name.contains("MAPE"), "{}", series.name);
                for (&(x, y), &i) in series.points.iter().zip(ids) {
                    let s = &v.phases[i];
                    assert!((x - s.measured_s * 1e3).abs() < 1e-9 * x);
                    assert!((y - which.of(s).unwrap() * 1e3).abs() < 1e-9 * y);
                }
            }
            let names = vc.chart.legend_names();
            for wanted in ["y = x", "±10 %", "±30 %"] {
                assert!(names.contains(&wanted), "{names:?}");
            }
            assert_eq!(
                vc.chart.series.iter().filter(|s| s.dashed).count(),
                4,
                "two bands, above and below"
            );
        }
    }
}
