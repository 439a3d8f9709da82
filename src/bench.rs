//! Benchmark workloads shared by the native examples (`examples/bench_*.rs`) and the browser
//! benchmark (a [`crate::jobs::JobRequest::Bench`] run in the shipped page's Web Worker by
//! `e2e/bench.mjs`), so the wasm/native speed ratio compares the same work timed the same way
//! (best of several runs) and the wasm figure is that of the release build users get. The clock
//! is passed in: `std::time::Instant` panics on wasm32, where `performance.now()` is used.

use crate::model::device::Device;
use crate::model::fit::{fit, FitOptions, FitReport};
use crate::model::law::{Chinchilla, Law, LawInputs, PaperLaw};
use crate::model::loss_csv::{parse_loss_csv, LossTable};
use crate::model::precision::Precision;
use crate::model::search::{
    search, Constraints, ExpertChoice, Objective, SearchReport, SearchSettings, SearchSpace,
    SearchSpaceSpec,
};
use crate::model::workload::Workload;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::ops::ControlFlow;

/// A clock in seconds from an arbitrary origin.
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// The precisions the paper's default view searches.
pub const PRECISIONS: [Precision; 2] = [Precision::FP16, Precision::INT8];

/// Best-of-n timing of one search with its frontiers.
#[derive(Clone, Copy, Debug)]
pub struct SearchFigure {
    pub evaluated: usize,
    pub search_s: f64,
    pub frontier_s: f64,
    pub frontier_points: usize,
}

impl SearchFigure {
    /// Millions of candidates (each in every precision of [`PRECISIONS`]) per second.
    pub fn rate_m_per_s(&self) -> f64 {
        self.evaluated as f64 / self.search_s / 1e6
    }

    /// One line: what was searched, how fast, and the frontiers.
    pub fn line(&self, name: &str) -> String {
        format!(
            "{name}: {} candidates × {} precisions in {:.1} ms = {:.2} M candidates/s; \
             6 frontiers ({} points) in {:.1} ms",
            self.evaluated,
            PRECISIONS.len(),
            self.search_s * 1e3,
            self.rate_m_per_s(),
            self.frontier_points,
            self.frontier_s * 1e3,
        )
    }
}

/// The paper grid widened to about a million candidates (1,004,032): depth 1–74, width
/// 512–5120 by 128, r in quarters to 4, eight (E, K) pairs.
pub fn wide_space() -> SearchSpace {
    SearchSpace::new(SearchSpaceSpec {
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
    .expect("valid space")
}

/// How many times each workload of [`run_all`] runs; the best run counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeats {
    /// The paper grid (9,520 candidates): fast, so many runs.
    pub paper_grid: usize,
    /// The wide grid (1,004,032 candidates).
    pub wide_grid: usize,
    /// Each fit without bootstrap (the bootstrap run is timed once).
    pub fit: usize,
}

impl Default for Repeats {
    fn default() -> Self {
        Repeats {
            paper_grid: 20,
            wide_grid: 2,
            fit: 3,
        }
    }
}

/// Times every workload, the searches then the fits, calling `stage(name, done, total)` before
/// each workload starts and `line` with each figure's line (as the native examples print them,
/// without the "native"/"wasm" prefix).
pub fn run_all(
    now: Clock,
    repeats: Repeats,
    stage: &mut dyn FnMut(&str, usize, usize),
    line: &mut dyn FnMut(String),
) {
    let settings = SearchSettings::default();
    let fits = fit_cases();
    let total = 2 + fits.len();
    stage("paper grid", 0, total);
    let paper = time_search(now, &SearchSpace::default(), &settings, repeats.paper_grid);
    line(paper.line("paper grid"));
    stage("wide grid", 1, total);
    let wide = time_search(now, &wide_space(), &settings, repeats.wide_grid);
    line(wide.line("wide grid"));
    for (k, (name, law, table)) in fits.into_iter().enumerate() {
        stage(name, 2 + k, total);
        line(time_fit(now, &law, &table, repeats.fit).line(name));
    }
}

/// The whole default search: paper law, default device and workload, FP16 and INT8.
pub fn run_search(space: &SearchSpace, settings: &SearchSettings) -> SearchReport {
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

/// The six frontiers (three objectives × two precisions); returns their total size.
pub fn all_frontiers(report: &SearchReport) -> usize {
    let mut points = 0;
    for objective in Objective::ALL {
        for p in 0..PRECISIONS.len() {
            points += report.frontier(objective, p, &Constraints::default()).len();
        }
    }
    points
}

/// Best of `repeats` runs of the search and, timed apart, its frontiers.
pub fn time_search(
    now: Clock,
    space: &SearchSpace,
    settings: &SearchSettings,
    repeats: usize,
) -> SearchFigure {
    let mut figure = SearchFigure {
        evaluated: 0,
        search_s: f64::INFINITY,
        frontier_s: f64::INFINITY,
        frontier_points: 0,
    };
    for _ in 0..repeats.max(1) {
        let start = now();
        let report = black_box(run_search(space, settings));
        figure.search_s = figure.search_s.min(now() - start);
        let start = now();
        figure.frontier_points = black_box(all_frontiers(&report));
        figure.frontier_s = figure.frontier_s.min(now() - start);
        figure.evaluated = report.evaluated();
    }
    figure
}

/// Best-of-n timing of one fit, and of the same fit with the default bootstrap.
#[derive(Clone, Debug)]
pub struct FitFigure {
    pub fit_s: f64,
    pub with_bootstrap_s: f64,
    pub report: FitReport,
    pub resamples: usize,
}

impl FitFigure {
    pub fn line(&self, name: &str) -> String {
        format!(
            "{name}: fit {:.1} ms ({} starts, {} evaluations, {}), with the default bootstrap of \
             {} resamples {:.1} ms; train R² {:.4}, held-out R² {:.4}",
            self.fit_s * 1e3,
            self.report.starts,
            self.report.evaluations,
            self.report.termination,
            self.resamples,
            self.with_bootstrap_s * 1e3,
            self.report.train.r2.unwrap_or(f64::NAN),
            self.report
                .held_out
                .as_ref()
                .and_then(|q| q.r2)
                .unwrap_or(f64::NAN),
        )
    }
}

/// Fits `law` to `table` with the default options (multi-start) but no bootstrap, best of
/// `repeats`; then once with the default bootstrap.
pub fn time_fit(now: Clock, law: &Law, table: &LossTable, repeats: usize) -> FitFigure {
    let run = |options: &FitOptions| -> (f64, FitReport) {
        let start = now();
        let report = fit(law, table, options, &mut |_| ControlFlow::Continue(())).expect("fits");
        (now() - start, report)
    };
    let no_bootstrap = FitOptions::default()
        .with_bootstrap(0)
        .expect("0 resamples is valid");
    let (fit_s, report) = (0..repeats.max(1))
        .map(|_| run(&no_bootstrap))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("ran at least once");
    let (with_bootstrap_s, _) = run(&FitOptions::default());
    FitFigure {
        fit_s,
        with_bootstrap_s,
        report,
        resamples: FitOptions::default().bootstrap(),
    }
}

/// The shipped synthetic example: 170 rows from the paper's law on its grid.
pub fn paper_table() -> LossTable {
    let synthetic = include_str!("../public/examples/synthetic-losses.csv");
    parse_loss_csv("synthetic-losses.csv", synthetic, None).expect("committed CSV parses")
}

/// `n` Chinchilla losses with 0.5 % noise, N in [1e7, 1e10], D in [1e9, 1e11] (seeded).
pub fn chinchilla_table(n: usize) -> LossTable {
    let mut rng = SmallRng::seed_from_u64(3);
    let law = Chinchilla::epoch_refit();
    let mut text = "N,D,loss\n".to_string();
    for _ in 0..n {
        let params = 10f64.powf(rng.random_range(7.0..10.0));
        let tokens = 10f64.powf(rng.random_range(9.0..11.0));
        let noise = 1.0 + 0.005 * (rng.random_range(-1.0..1.0) + rng.random_range(-1.0..1.0));
        let x = LawInputs {
            layers: 1.0,
            hidden: 1.0,
            ffn_ratio: 1.0,
            rho: 1.0,
            kv_width: 1.0,
            params,
            tokens,
            counts: crate::model::law::ArchCounts::unknown(),
        };
        text += &format!("{params:?},{tokens:?},{:?}\n", law.predict(&x) * noise);
    }
    parse_loss_csv("chinchilla.csv", &text, None).expect("generated CSV parses")
}

/// The two fits the law issue times: the paper law on 170 rows and Chinchilla on 250.
pub fn fit_cases() -> [(&'static str, Law, LossTable); 2] {
    [
        (
            "paper law, 170 rows",
            Law::Paper(PaperLaw::published()),
            paper_table(),
        ),
        (
            "Chinchilla, 250 rows",
            Law::Chinchilla(Chinchilla::epoch_refit()),
            chinchilla_table(250),
        ),
    ]
}
