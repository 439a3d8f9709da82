//! Chart specs of the theory panel (method.md §5): the trend chart along the frontier, the
//! feasible-region heatmap, and the table of closed forms.

use plotters::backend::SVGBackend;
use plotters::prelude::*;
use roofscale::chart::{draw_heatmap, Scale, SeriesKind, Theme};
use roofscale::model::device::Device;
use roofscale::model::law::{Chinchilla, Law, PaperLaw};
use roofscale::model::precision::Precision;
use roofscale::model::search::{
    search, trends, Constraints, ExpertChoice, KvHeads, Objective, SearchSettings, SearchSpace,
    SearchSpaceSpec,
};
use roofscale::model::theory::{
    depth_limits, feasible_region, paper_worked_example, rho_star, Binding, FeasibleRegion, Regime,
    RegionSlice,
};
use roofscale::model::workload::Workload;
use roofscale::views::{
    depth_bindings, design_slice, feasible_chart, theory_rows, trend_chart, TrendAttribute,
    BOUNDARY_NAMES,
};
use std::ops::ControlFlow;

fn small_report() -> roofscale::model::search::SearchReport {
    let spec = SearchSpaceSpec {
        layers: vec![4, 8, 16, 24],
        hidden: vec![768, 1024, 2048],
        ..SearchSpaceSpec::default()
    };
    search(
        &SearchSpace::new(spec).unwrap(),
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
fn trend_chart_follows_the_frontier_designs_attribute_by_attribute() {
    let report = small_report();
    for (objective, precision) in [(Objective::Decode, 0), (Objective::Prefill, 1)] {
        let chart = trend_chart(&report, objective, precision);
        let frontier = report.frontier(objective, precision, &Constraints::default());
        let points = trends(&report, &frontier);
        assert!(points.len() > 3, "{} frontier points", points.len());
        assert_eq!(chart.series.len(), TrendAttribute::ALL.len());
        for (series, attribute) in chart.series.iter().zip(TrendAttribute::ALL) {
            assert_eq!(series.name, attribute.name());
            assert!(matches!(series.kind, SeriesKind::Step { .. }));
            assert_eq!(series.points.len(), frontier.len());
            for (p, t) in series.points.iter().zip(&points) {
                assert_eq!(p.0, t.latency_s * 1e3);
                assert_eq!(p.1, attribute.value(t));
            }
        }
        assert!(chart.x.log && chart.y.log);
        assert_eq!(chart.x.label, format!("{} latency (ms)", objective.name()));
    }
    // Spot values: hidden is plotted over 128, r as it is.
    let chart = trend_chart(&report, Objective::Decode, 0);
    let frontier = report.frontier(Objective::Decode, 0, &Constraints::default());
    let first = &report.evaluations.candidates[frontier[0].candidate];
    assert_eq!(chart.series[1].points[0].1, first.hidden as f64 / 128.0);
    assert_eq!(chart.series[4].points[0].1, first.ffn_ratio as f64);
    assert_eq!(chart.series[2].points[0].1, first.experts as f64);
}

const SLICE: RegionSlice = RegionSlice {
    ffn_ratio: 1.0,
    experts: ExpertChoice {
        experts: 8,
        active: 1,
    },
    kv_heads: KvHeads::Count(2),
    head_dim: 128,
};

/// The worked example's region over d = 512…3072 in steps of 128 and l = 1…48.
fn worked_region(law: &Law) -> FeasibleRegion {
    let ex = paper_worked_example();
    let space = SearchSpace::new(SearchSpaceSpec {
        layers: (1..=48).collect(),
        hidden: (4..=24).map(|k| 128 * k).collect(),
        ..SearchSpaceSpec::default()
    })
    .unwrap();
    feasible_region(
        &space,
        &SLICE,
        law,
        &ex.device,
        ex.precision,
        &ex.workload,
        &ex.constraints,
        10e9,
    )
}

#[test]
fn feasible_chart_carries_the_region_cell_for_cell() {
    let region = worked_region(&Law::Paper(PaperLaw::published()));
    let map = feasible_chart(&region, &SLICE, "Paper worked example");
    assert_eq!(map.cells.len(), region.cells.len());
    assert_eq!(
        map.xs,
        region.hidden.iter().map(|&d| d as f64).collect::<Vec<_>>()
    );
    assert_eq!(
        map.ys,
        region.layers.iter().map(|&l| l as f64).collect::<Vec<_>>()
    );
    let mut infeasible = 0;
    for (cell, c) in map.cells.iter().zip(&region.cells) {
        assert_eq!((cell.x, cell.y), (c.hidden as f64, c.layers as f64));
        assert_eq!(cell.feasible, c.feasible());
        if c.valid {
            assert_eq!(cell.value, c.loss);
        } else {
            // 640 = 5 heads: 2 KV heads do not divide them; drawn blank.
            assert!(cell.value.is_nan());
        }
        infeasible += !cell.feasible as usize;
    }
    assert!(infeasible > 0 && infeasible < map.cells.len());
    assert!(map.cells.iter().any(|c| c.x == 640.0 && c.value.is_nan()));
    assert_eq!(
        map.title,
        "Feasible designs — Paper worked example, r = 1, E:K = 8:1, n_kv = 2"
    );
}

#[test]
fn feasible_chart_draws_the_budget_lines_and_the_theory_marker_at_l_star() {
    let ex = paper_worked_example();
    let region = worked_region(&Law::Paper(PaperLaw::published()));
    let map = feasible_chart(&region, &SLICE, "example");
    // A decode budget and the memory limit; no prefill budget, so no prefill line.
    let names: Vec<&str> = map.boundaries.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, [BOUNDARY_NAMES[1], BOUNDARY_NAMES[2]]);
    for (series, t) in map.boundaries[0].points.iter().zip(&region.theory) {
        assert_eq!(*series, (t.hidden as f64, t.limits.decode.unwrap()));
    }
    assert_eq!(map.boundaries[1].points.len(), region.theory.len());

    // Best enumerated: the region's lowest feasible loss.
    let best = region.cells[region.best.unwrap()];
    assert_eq!((map.markers[0].x, map.markers[0].y), (1792.0, 14.0));
    assert_eq!((best.hidden, best.layers), (1792, 14));
    // Theory: l*(d) from the closed form at the width theory picks, recomputed here.
    let budgets = ex.budgets();
    let (heads, kv) = (1792 / 128, 2);
    let limits = depth_limits(
        &budgets,
        1792.0,
        (heads / kv) as f64,
        1.0,
        1.0 / 8.0,
        ex.precision,
        &ex.workload,
    );
    assert_eq!(limits.binding().1, Binding::Decode);
    let theory = &map.markers[1];
    assert_eq!(theory.x, 1792.0);
    assert!((theory.y - limits.depth()).abs() < 1e-12, "{}", theory.y);
    assert_eq!(theory.label, "theory l* = 14.3");

    // Drawn, the best marker sits in the best cell.
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        let drawn = draw_heatmap(&root, &map, &Theme::light(), Scale::default()).unwrap();
        root.present().unwrap();
        drawn
    };
    let (px, py) = drawn.projection.to_pixel(1792.0, 14.0);
    assert_eq!(
        map.cell_at(&drawn.projection, px, py),
        Some(region.best.unwrap())
    );
}

#[test]
fn theory_rows_follow_the_regime_and_need_the_paper_law_for_rho() {
    let law = PaperLaw::published();
    let region = worked_region(&Law::Paper(law.clone()));
    assert_eq!(region.budgets.regime, Some(Regime::MemoryBound));
    let rows = theory_rows(&region, &Law::Paper(law.clone()), 1.0 / 16.0);
    assert_eq!(rows.len(), region.theory.len());
    for (row, t) in rows.iter().zip(&region.theory) {
        assert_eq!(
            (row.hidden, row.depth, row.loss),
            (t.hidden, t.depth, t.loss)
        );
        assert_eq!(
            row.rho_star,
            Some(rho_star(
                Regime::MemoryBound,
                &law,
                t.hidden as f64,
                1.0 / 16.0
            ))
        );
        assert_eq!(row.binding, Binding::Decode);
    }
    // ρ*(1024) ≈ 0.40 (method.md §5), ρ*(2048) ≈ 0.17.
    let at = |d: u32| {
        rows.iter()
            .find(|r| r.hidden == d)
            .unwrap()
            .rho_star
            .unwrap()
    };
    assert_eq!((at(1024) * 100.0).round(), 40.0);
    assert_eq!((at(2048) * 100.0).round(), 17.0);

    // Another law form: depth and loss still, but no closed form for ρ*.
    let chinchilla = Law::Chinchilla(Chinchilla::epoch_refit());
    let rows = theory_rows(&worked_region(&chinchilla), &chinchilla, 1.0 / 16.0);
    assert!(!rows.is_empty() && rows.iter().all(|r| r.rho_star.is_none()));
}

#[test]
fn without_latency_budgets_memory_sets_depth_and_rho() {
    let ex = paper_worked_example();
    let space = SearchSpace::default();
    let law = PaperLaw::published();
    let region = feasible_region(
        &space,
        &SLICE,
        &Law::Paper(law.clone()),
        &ex.device,
        ex.precision,
        &ex.workload,
        &Constraints::default(),
        10e9,
    );
    assert_eq!(region.budgets.regime, None);
    let map = feasible_chart(&region, &SLICE, "example");
    let names: Vec<&str> = map.boundaries.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, [BOUNDARY_NAMES[2]]);
    let rows = theory_rows(&region, &Law::Paper(law.clone()), 0.125);
    for row in &rows {
        assert_eq!(row.binding, Binding::Memory);
        assert_eq!(
            row.rho_star,
            Some(rho_star(
                Regime::MemoryBound,
                &law,
                row.hidden as f64,
                0.125
            ))
        );
    }
}

#[test]
fn design_slice_holds_the_candidate_shape_as_the_space_lists_it() {
    let report = small_report();
    let frontier = report.frontier(Objective::Decode, 0, &Constraints::default());
    let c = report.evaluations.candidates[frontier.last().unwrap().candidate];
    let slice = design_slice(&report.space, &c);
    assert_eq!(slice.ffn_ratio, c.ffn_ratio as f64);
    assert_eq!(
        (slice.experts.experts, slice.experts.active),
        (c.experts as u32, c.active as u32)
    );
    assert_eq!(slice.head_dim, c.head_dim);
    assert_eq!(slice.kv_heads.resolve(c.heads), c.kv_heads);
    // A multi-head candidate whose head count is not listed keeps n_kv = n_h at every width.
    let mha = report
        .evaluations
        .candidates
        .iter()
        .find(|c| c.kv_heads == c.heads && c.heads == 6)
        .unwrap();
    assert_eq!(design_slice(&report.space, mha).kv_heads, KvHeads::Mha);
    // r as listed, not as the f32 the candidate stores.
    let space = SearchSpace::new(SearchSpaceSpec {
        ffn_ratios: vec![1.3],
        ..SearchSpaceSpec::default()
    })
    .unwrap();
    let odd = roofscale::model::search::Candidate {
        ffn_ratio: 1.3f32,
        ..c
    };
    assert_ne!(1.3f32 as f64, 1.3);
    assert_eq!(design_slice(&space, &odd).ffn_ratio, 1.3);
}

/// Regression (issue "Honest answers", 13a): the table showed l* = 542.5 beside a grid that
/// stops at 32 without a word. With memory alone (4 GB, FP16) l* = M/(ξ_all·d²·b_w),
/// ξ_all = 2 + 2/gqa + 3r/ρ (method.md §5): at d = 768 (gqa 3, r = 1, ρ = 1/8) that is
/// 4e9/(26.67·768²·2) ≈ 127 layers, outside the paper grid's 4–32; at d = 3072 (gqa 12)
/// about 8.1, inside it.
#[test]
fn theory_depths_outside_the_layer_grid_are_marked() {
    let ex = paper_worked_example();
    let law = Law::Paper(PaperLaw::published());
    let region = feasible_region(
        &SearchSpace::default(),
        &SLICE,
        &law,
        &ex.device,
        ex.precision,
        &ex.workload,
        &Constraints::default(),
        10e9,
    );
    let rows = theory_rows(&region, &law, 0.125);
    let l_star = |d: f64, gqa: f64| 4e9 / ((2.0 + 2.0 / gqa + 3.0 * 8.0) * d * d * 2.0);
    let row = |d: u32| *rows.iter().find(|r| r.hidden == d).unwrap();
    assert!((row(768).depth - l_star(768.0, 3.0)).abs() < 1e-9);
    assert!((row(768).depth - 127.1).abs() < 0.1, "{}", row(768).depth);
    assert_eq!(row(768).outside_grid, Some((4, 32)));
    assert!((row(3072).depth - l_star(3072.0, 12.0)).abs() < 1e-9);
    assert!((8.0..9.0).contains(&row(3072).depth));
    assert_eq!(row(3072).outside_grid, None);
    for r in &rows {
        let outside = r.depth < 4.0 || r.depth > 32.0;
        assert_eq!(r.outside_grid.is_some(), outside, "d = {}", r.hidden);
    }
}

/// Regression (issue "Honest answers", 13b): a "Memory-bound" heading stood over rows saying
/// the decode budget binds. The heading now names what limits depth from the rows: in the
/// paper's worked example (η = 0.125, the paper's "memory-bound" regime for ρ*) the decode
/// budget sets l* at every width; with no latency budget, memory does.
#[test]
fn regime_heading_names_the_budgets_the_rows_bind() {
    let law = PaperLaw::published();
    let worked = worked_region(&Law::Paper(law.clone()));
    assert_eq!(worked.budgets.regime, Some(Regime::MemoryBound));
    let rows = theory_rows(&worked, &Law::Paper(law.clone()), 1.0 / 16.0);
    assert_eq!(depth_bindings(&rows), [Binding::Decode]);
    let ex = paper_worked_example();
    let free = feasible_region(
        &SearchSpace::default(),
        &SLICE,
        &Law::Paper(law.clone()),
        &ex.device,
        ex.precision,
        &ex.workload,
        &Constraints::default(),
        10e9,
    );
    let rows = theory_rows(&free, &Law::Paper(law), 0.125);
    assert_eq!(depth_bindings(&rows), [Binding::Memory]);
    assert!(depth_bindings(&[]).is_empty());
}
