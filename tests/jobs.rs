//! The worker's job protocol, natively: a fit request on the shipped example comes back fitted
//! with progress first; a broken request comes back as a message, never a panic.

use roofscale::jobs::{run_json, JobReply, JobRequest};
use roofscale::model::fit::FitOptions;
use roofscale::model::law::{Law, PaperLaw};

fn replies(request: &str) -> Vec<JobReply> {
    let mut out = Vec::new();
    run_json(request, &mut |json| {
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
