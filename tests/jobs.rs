//! The worker's job protocol, natively: a fit request on the shipped example comes back fitted
//! with progress first; a benchmark request comes back with one line per workload; a broken
//! request comes back as a message, never a panic.

use roofscale::bench::Repeats;
use roofscale::jobs::{run_json, JobReply, JobRequest};
use roofscale::model::fit::FitOptions;
use roofscale::model::law::{Law, PaperLaw};
use std::cell::Cell;

fn replies(request: &str) -> Vec<JobReply> {
    let mut out = Vec::new();
    // A clock that advances 1 ms per reading: timings are deterministic here.
    let t = Cell::new(0.0);
    let now = || {
        t.set(t.get() + 1e-3);
        t.get()
    };
    run_json(request, &now, &mut |json| {
        out.push(serde_json::from_str(&json).expect("replies are valid JSON"))
    });
    out
}

#[test]
fn a_fit_request_reports_progress_then_the_fitted_law() {
    let request = JobRequest::Fit {
        id: 7,
        law: Law::Paper(PaperLaw::published()),
        file_name: "synthetic-losses.csv".into(),
        csv: include_str!("../public/examples/synthetic-losses.csv").into(),
        mapping: None,
        options: FitOptions::default().with_bootstrap(10).unwrap(),
    };
    let out = replies(&serde_json::to_string(&request).unwrap());
    assert!(out.len() >= 2);
    assert!(out.iter().all(|r| r.id() == 7));
    assert!(matches!(out[0], JobReply::Progress { .. }));
    let JobReply::Fitted { report, .. } = out.last().unwrap() else {
        panic!("last reply is not a fit: {:?}", out.last());
    };
    assert!(report.train.r2.unwrap() > 0.9);
    assert_eq!(report.intervals.len(), 11);
}

#[test]
fn an_unreadable_request_is_answered_with_a_message() {
    let out = replies("{\"Fit\": 3}");
    assert_eq!(out.len(), 1);
    let JobReply::Failed { id, message } = &out[0] else {
        panic!("expected a failure");
    };
    assert_eq!(*id, 0);
    assert!(
        message.starts_with("worker: unreadable request ("),
        "{message}"
    );
}

#[test]
fn a_bad_csv_fails_with_the_file_named() {
    let request = JobRequest::Fit {
        id: 1,
        law: Law::Paper(PaperLaw::published()),
        file_name: "empty.csv".into(),
        csv: String::new(),
        mapping: None,
        options: FitOptions::default(),
    };
    let out = replies(&serde_json::to_string(&request).unwrap());
    let JobReply::Failed { message, .. } = &out[0] else {
        panic!("expected a failure");
    };
    assert!(message.starts_with("empty.csv"), "{message}");
}

#[test]
fn a_bench_request_times_every_workload_and_reports_one_line_each() {
    let request = JobRequest::Bench {
        id: 4,
        repeats: Repeats {
            paper_grid: 1,
            wide_grid: 1,
            fit: 1,
        },
    };
    let out = replies(&serde_json::to_string(&request).unwrap());
    let stages: Vec<(&str, usize, usize)> = out
        .iter()
        .filter_map(|r| match r {
            JobReply::Progress {
                stage, done, total, ..
            } => Some((stage.as_str(), *done, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("paper grid", 0, 4),
            ("wide grid", 1, 4),
            ("paper law, 170 rows", 2, 4),
            ("Chinchilla, 250 rows", 3, 4)
        ]
    );
    let JobReply::Benchmarked { id, lines } = out.last().unwrap() else {
        panic!("last reply is not a benchmark: {:?}", out.last());
    };
    assert_eq!(*id, 4);
    assert_eq!(lines.len(), 4, "{lines:?}");
    // Each search is two clock readings apart: 1 ms with the test clock.
    assert!(
        lines[0].starts_with(
            "paper grid: 9520 candidates × 2 precisions in 1.0 ms = 9.52 M candidates/s"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("wide grid: 1004032 candidates"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("paper law, 170 rows: fit 1.0 ms"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("Chinchilla, 250 rows: fit 1.0 ms"),
        "{}",
        lines[3]
    );
}

#[test]
fn a_bench_request_without_repeats_uses_the_default_counts() {
    let JobRequest::Bench { id, repeats } =
        serde_json::from_str::<JobRequest>(r#"{"Bench":{"id":2}}"#).unwrap()
    else {
        panic!("not a bench request");
    };
    assert_eq!((id, repeats), (2, Repeats::default()));
    assert_eq!(
        (repeats.paper_grid, repeats.wide_grid, repeats.fit),
        (20, 2, 3)
    );
}

/// A thin fit whose bootstrap leaves some parameters unidentified (NaN or infinite interval
/// ends) still comes back as a fit: such numbers used to be written as JSON `null` and the
/// page reported "unreadable reply from the worker".
#[test]
fn a_fit_with_non_finite_intervals_comes_back_readable() {
    let mut csv =
        "layers,hidden_size,ffn_ratio,num_attention_heads,num_key_value_heads,head_dim,loss\n"
            .to_string();
    let mut n = 0;
    'rows: for l in [4, 8, 12, 16, 20, 24, 28, 32] {
        for d in [768, 1024, 1536, 2048] {
            for r in [0.5f64, 1.0, 2.0, 4.0] {
                if n == 30 {
                    break 'rows;
                }
                let loss = 2.5
                    + 3.0 / (l as f64).powf(0.4)
                    + 40.0 / (r.powf(0.3) * (d as f64).sqrt())
                    + 0.01 * (n as f64).sin();
                csv += &format!("{l},{d},{r},{},2,128,{loss:.5}\n", d / 128);
                n += 1;
            }
        }
    }
    let request = JobRequest::Fit {
        id: 9,
        law: Law::Paper(PaperLaw::published()),
        file_name: "thin.csv".into(),
        csv,
        mapping: None,
        options: FitOptions::default().with_bootstrap(20).unwrap(),
    };
    let out = replies(&serde_json::to_string(&request).unwrap());
    let last = out.last().unwrap();
    assert!(matches!(last, JobReply::Fitted { .. }), "{last:?}");
}
