//! Throughput of the whole search (method.md §4): every candidate's loss, prefill, decode and
//! memory in FP16 and INT8 on the default device, then the six frontiers (three objectives ×
//! two precisions). On the paper's grid, on a widened grid of about a million candidates, and
//! on a sampled space above the enumeration limit.
//!
//! Run: `cargo run --release --example bench_search`.

use roofscale::model::device::Device;
use roofscale::model::law::{Law, PaperLaw};
use roofscale::model::precision::Precision;
use roofscale::model::search::{
    search, Candidate, Constraints, ExpertChoice, Metrics, Objective, SearchReport, SearchSettings,
    SearchSpace, SearchSpaceSpec,
};
use roofscale::model::workload::Workload;
use std::hint::black_box;
use std::ops::ControlFlow;
use std::time::Instant;

const PRECISIONS: [Precision; 2] = [Precision::FP16, Precision::INT8];

fn run(space: &SearchSpace, settings: &SearchSettings) -> SearchReport {
    search(
        space,
        &Law::Paper(PaperLaw::published()),
        &Device::default(),
        &PRECISIONS,
        &Workload::default(),
        settings,
        &mut |_| ControlFlow::Continue(()),
    )
    .expect("valid search")
}

fn frontiers(report: &SearchReport) -> usize {
    let mut points = 0;
    for objective in Objective::ALL {
        for p in 0..PRECISIONS.len() {
            points += report.frontier(objective, p, &Constraints::default()).len();
        }
    }
    points
}

/// Best of `repeats` runs: the search and the frontiers timed apart.
fn bench(name: &str, space: &SearchSpace, settings: &SearchSettings, repeats: usize) {
    let (mut search_s, mut frontier_s) = (f64::INFINITY, f64::INFINITY);
    let (mut evaluated, mut points) = (0, 0);
    for _ in 0..repeats {
        let start = Instant::now();
        let report = black_box(run(space, settings));
        search_s = search_s.min(start.elapsed().as_secs_f64());
        let start = Instant::now();
        points = black_box(frontiers(&report));
        frontier_s = frontier_s.min(start.elapsed().as_secs_f64());
        evaluated = report.evaluated();
    }
    println!(
        "{name}: {evaluated} candidates × {} precisions in {:.1} ms = {:.2} M candidates/s; \
         6 frontiers ({points} points) in {:.1} ms",
        PRECISIONS.len(),
        search_s * 1e3,
        evaluated as f64 / search_s / 1e6,
        frontier_s * 1e3,
    );
}

fn main() {
    let per_candidate =
        std::mem::size_of::<Candidate>() + PRECISIONS.len() * std::mem::size_of::<Metrics>();
    println!("memory: {per_candidate} bytes per candidate with 2 precisions");

    let settings = SearchSettings::default();
    bench("paper grid", &SearchSpace::default(), &settings, 20);

    // Widened to about a million: depth 1–74, width 512–5120 by 128, r in quarters to 4,
    // eight (E, K) pairs.
    let wide = SearchSpace::new(SearchSpaceSpec {
        layers: (1..=74).collect(),
        hidden: (4..=40).map(|k| 128 * k).collect(),
        ffn_ratios: (1..=16).map(|k| k as f64 / 4.0).collect(),
        experts: [
            (1, 1),
            (4, 1),
            (8, 1),
            (8, 2),
            (16, 1),
            (16, 2),
            (32, 1),
            (32, 2),
        ]
        .map(|(experts, active)| ExpertChoice { experts, active })
        .to_vec(),
        ..SearchSpaceSpec::default()
    })
    .expect("valid space");
    bench("wide grid", &wide, &settings, 3);

    let sampled = SearchSpace::new(SearchSpaceSpec {
        layers: (1..=160).collect(),
        hidden: (1..=64).map(|k| 128 * k).collect(),
        ffn_ratios: (1..=16).map(|k| k as f64 / 4.0).collect(),
        ..SearchSpaceSpec::default()
    })
    .expect("valid space");
    let report = run(&sampled, &settings);
    println!(
        "sampled space of {} candidates: budget {}, {} evaluated in {} refinement rounds",
        sampled.count(),
        settings.sample_budget(),
        report.evaluated(),
        report.refinement_rounds
    );
    bench("sampled", &sampled, &settings, 3);
}
