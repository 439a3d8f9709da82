//! Throughput of the whole search (method.md §4): every candidate's loss, prefill, decode and
//! memory in FP16 and INT8 on the default device, then the six frontiers (three objectives ×
//! two precisions). On the paper's grid, on a widened grid of about a million candidates, and
//! on a sampled space above the enumeration limit.
//!
//! Run: `cargo run --release --example bench_search`.

use roofscale::bench::{run_search, time_search, wide_space, PRECISIONS};
use roofscale::model::device::Device;
use roofscale::model::gguf_mix::GgufScheme;
use roofscale::model::law::{Law, PaperLaw};
use roofscale::model::precision::Precision;
use roofscale::model::search::{
    search, Candidate, Metrics, SearchSettings, SearchSpace, SearchSpaceSpec,
};
use roofscale::model::weight_format::WeightFormat;
use roofscale::model::workload::Workload;
use std::ops::ControlFlow;
use std::time::Instant;

fn main() {
    let per_candidate =
        std::mem::size_of::<Candidate>() + PRECISIONS.len() * std::mem::size_of::<Metrics>();
    println!("memory: {per_candidate} bytes per candidate with 2 precisions");

    let origin = Instant::now();
    let now = || origin.elapsed().as_secs_f64();
    let bench = |name: &str, space: &SearchSpace, settings: &SearchSettings, repeats: usize| {
        println!(
            "native {}",
            time_search(&now, space, settings, repeats).line(name)
        );
    };
    let settings = SearchSettings::default();
    bench("paper grid", &SearchSpace::default(), &settings, 20);

    bench("wide grid", &wide_space(), &settings, 3);

    let sampled = SearchSpace::new(SearchSpaceSpec {
        layers: (1..=160).collect(),
        hidden: (1..=64).map(|k| 128 * k).collect(),
        ffn_ratios: (1..=16).map(|k| k as f64 / 4.0).collect(),
        ..SearchSpaceSpec::default()
    })
    .expect("valid space");
    let report = run_search(&sampled, &settings);
    println!(
        "sampled space of {} candidates: budget {}, {} evaluated in {} refinement rounds",
        sampled.count(),
        settings.sample_budget(),
        report.evaluated(),
        report.refinement_rounds
    );
    bench("sampled", &sampled, &settings, 3);

    // GGUF formats compared on the frontier: per-tensor bytes (mixed by layer) per candidate.
    let gguf = [GgufScheme::Q4_K_M, GgufScheme::Q4_0]
        .map(|s| Precision::weight_only(WeightFormat::Gguf(s)));
    let wide = wide_space();
    let mut best = f64::INFINITY;
    let mut evaluated = 0;
    for _ in 0..2 {
        let start = now();
        let report = search(
            &wide,
            &Law::Paper(PaperLaw::published()),
            &Device::default(),
            &gguf,
            &Workload::default(),
            &settings,
            &mut |_| ControlFlow::Continue(()),
        )
        .expect("valid search");
        best = best.min(now() - start);
        evaluated = report.evaluated();
    }
    println!(
        "native wide grid in Q4_K_M and Q4_0: {evaluated} candidates × 2 precisions in {:.1} ms = {:.2} M candidates/s (target: within 2× of the FP16/INT8 rate)",
        best * 1e3,
        evaluated as f64 / best / 1e6
    );
}
