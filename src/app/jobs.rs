//! Runs [`JobRequest`]s in a Web Worker (one worker per job, so cancelling is terminating) and
//! exposes the replies as a signal. The page never blocks on a fit or a search.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::jobs::{JobReply, JobRequest, READY};

/// Worker script emitted by Trunk next to index.html (relative: works from any sub-path).
const WORKER_URL: &str = "./worker_loader.js";

/// A worker and its message handler, kept alive together while the worker runs.
type RunningWorker = (web_sys::Worker, Closure<dyn Fn(web_sys::MessageEvent)>);

thread_local! {
    static RUNNING: RefCell<Option<RunningWorker>> = const { RefCell::new(None) };
}

/// Handle to the job runner, provided as a context.
#[derive(Clone, Copy)]
pub struct Jobs {
    /// The last reply of the current job.
    pub reply: RwSignal<Option<JobReply>>,
    /// Id of the job running now, if any.
    pub running: RwSignal<Option<u64>>,
    next_id: StoredValue<u64>,
}

impl Jobs {
    pub fn new() -> Self {
        Jobs {
            reply: RwSignal::new(None),
            running: RwSignal::new(None),
            next_id: StoredValue::new(1),
        }
    }

    /// A fresh id for the next request.
    pub fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Starts `request` in a new worker, cancelling any job still running.
    pub fn submit(&self, request: JobRequest) {
        self.cancel();
        let id = request.id();
        let Ok(text) = serde_json::to_string(&request) else {
            self.reply.set(Some(JobReply::Failed {
                id,
                message: "the request could not be encoded".into(),
            }));
            return;
        };
        let worker = match web_sys::Worker::new(WORKER_URL) {
            Ok(w) => w,
            Err(e) => {
                self.reply.set(Some(JobReply::Failed {
                    id,
                    message: format!("the background worker could not start ({e:?})"),
                }));
                return;
            }
        };
        let (reply, running) = (self.reply, self.running);
        let sender = worker.clone();
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let Some(data) = ev.data().as_string() else {
                    return;
                };
                if data == READY {
                    let _ = sender.post_message(&JsValue::from_str(&text));
                    return;
                }
                let parsed =
                    serde_json::from_str::<JobReply>(&data).unwrap_or_else(|e| JobReply::Failed {
                        id,
                        message: format!("unreadable reply from the worker ({e})"),
                    });
                let finished = !matches!(parsed, JobReply::Progress { .. });
                if running.get_untracked() == Some(parsed.id()) || parsed.id() == 0 {
                    reply.set(Some(parsed));
                }
                if finished {
                    running.set(None);
                    finish();
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        RUNNING.with(|r| *r.borrow_mut() = Some((worker, on_message)));
        self.running.set(Some(id));
    }

    /// Stops the running job, if any; its result never arrives.
    pub fn cancel(&self) {
        finish();
        self.running.set(None);
    }
}

/// Terminates the running worker. Deferred so a handler can end its own worker safely.
fn finish() {
    let taken = RUNNING.with(|r| r.borrow_mut().take());
    if let Some((worker, handler)) = taken {
        worker.terminate();
        // Drop the handler after the current event has returned.
        leptos::task::spawn_local(async move {
            drop(handler);
        });
    }
}
