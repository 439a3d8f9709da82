//! Long computations run as jobs, so the page can hand them to a Web Worker and stay responsive.
//!
//! A [`JobRequest`] goes in as JSON, [`JobReply`]s come out as JSON: progress while it runs, then
//! the result or a message. [`run_job`] is plain Rust, tested natively; the worker binary
//! (`src/bin/worker.rs`) only moves the JSON between threads.

use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

use crate::bench::{self, Clock, Repeats};
use crate::model::fit::{fit, FitOptions, FitProgress, FitReport};
use crate::model::law::Law;
use crate::model::loss_csv::{parse_loss_csv, ColumnMapping};

/// What the worker posts once it listens; the page sends its request only after it.
pub const READY: &str = "ready";

/// Work for the worker. `id` comes back on every reply so stale replies can be ignored.
// One request per job, sent once as JSON: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum JobRequest {
    /// Fit `law` (its current parameters seed nothing; forms only) to a loss CSV.
    Fit {
        id: u64,
        law: Law,
        file_name: String,
        csv: String,
        mapping: Option<ColumnMapping>,
        options: FitOptions,
    },
    /// Time the benchmark workloads of [`crate::bench`] (the browser benchmark step sends this
    /// to the shipped worker, so the figures are those of the release build users get).
    /// Without `repeats`, [`Repeats::default`] (the native examples' counts).
    Bench {
        id: u64,
        #[serde(default)]
        repeats: Repeats,
    },
}

impl JobRequest {
    pub fn id(&self) -> u64 {
        match self {
            JobRequest::Fit { id, .. } | JobRequest::Bench { id, .. } => *id,
        }
    }
}

/// What a job says while and after it runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum JobReply {
    Progress {
        id: u64,
        stage: String,
        done: usize,
        total: usize,
    },
    Fitted {
        id: u64,
        report: Box<FitReport>,
    },
    /// One line per benchmark figure, as [`bench::run_all`] writes them.
    Benchmarked {
        id: u64,
        lines: Vec<String>,
    },
    Failed {
        id: u64,
        message: String,
    },
}

impl JobReply {
    pub fn id(&self) -> u64 {
        match self {
            JobReply::Progress { id, .. }
            | JobReply::Fitted { id, .. }
            | JobReply::Benchmarked { id, .. }
            | JobReply::Failed { id, .. } => *id,
        }
    }
}

/// Runs a job to the end, sending progress and the outcome to `post`. `now` is the clock the
/// benchmark job times with (seconds from any origin); the other jobs do not read it.
pub fn run_job(request: JobRequest, now: Clock, post: &mut dyn FnMut(JobReply)) {
    match request {
        JobRequest::Bench { id, repeats } => {
            let mut lines = Vec::new();
            let mut post_stage = |name: &str, done, total| {
                post(JobReply::Progress {
                    id,
                    stage: name.into(),
                    done,
                    total,
                })
            };
            bench::run_all(now, repeats, &mut post_stage, &mut |l| lines.push(l));
            post(JobReply::Benchmarked { id, lines });
        }
        JobRequest::Fit {
            id,
            law,
            file_name,
            csv,
            mapping,
            options,
        } => {
            let table = match parse_loss_csv(&file_name, &csv, mapping.as_ref()) {
                Ok(t) => t,
                Err(e) => {
                    post(JobReply::Failed {
                        id,
                        message: e.to_string(),
                    });
                    return;
                }
            };
            let mut observer = |p: FitProgress| {
                let (stage, done, total) = match p {
                    FitProgress::Start { done, total, .. } => ("fitting", done, total),
                    FitProgress::Bootstrap { done, total } => ("bootstrap", done, total),
                };
                post(JobReply::Progress {
                    id,
                    stage: stage.into(),
                    done,
                    total,
                });
                ControlFlow::Continue(())
            };
            let reply = match fit(&law, &table, &options, &mut observer) {
                Ok(report) => JobReply::Fitted {
                    id,
                    report: Box::new(report),
                },
                Err(e) => JobReply::Failed {
                    id,
                    message: e.to_string(),
                },
            };
            post(reply);
        }
    }
}

/// Parses a request, runs it, and returns every reply as JSON (the worker's whole job).
pub fn run_json(request: &str, now: Clock, post: &mut dyn FnMut(String)) {
    let mut send =
        |r: JobReply| post(serde_json::to_string(&r).unwrap_or_else(|e| fallback(&r, e)));
    match serde_json::from_str::<JobRequest>(request) {
        Ok(req) => run_job(req, now, &mut send),
        Err(e) => send(JobReply::Failed {
            id: 0,
            message: format!("worker: unreadable request ({e})"),
        }),
    }
}

/// A reply that could not be serialised (a non-finite number, say) becomes a failure message.
fn fallback(reply: &JobReply, e: serde_json::Error) -> String {
    let failed = JobReply::Failed {
        id: reply.id(),
        message: format!("worker: the result could not be sent ({e})"),
    };
    serde_json::to_string(&failed).unwrap_or_default()
}
