//! # roofscale
//!
//! Hardware co-design scaling laws via roofline modelling, for choosing an on-device LLM
//! architecture. The crate has two halves:
//!
//! * [`model`] — the pure core: architectures, devices, precisions, the roofline latency and
//!   memory model, scaling laws and their fitting, search and Pareto frontiers. It knows
//!   nothing of the browser and is tested natively with `cargo test`.
//! * [`chart`] — chart drawing over any plotters backend (canvas in the page, SVG in tests),
//!   with the pixel↔data projection and a nearest-point index for hover.
//! * [`bench`] — benchmark workloads shared by the native examples and the browser benchmark.
//! * [`jobs`] — long computations as JSON jobs for the Web Worker.
//! * [`session`] — the whole session as one validated value (storage, links, files).
//! * [`views`] — chart specs built from core results (what each chart shows).
//! * `app` — the thin Leptos UI (compiled for `wasm32` only): holds state, calls the core, draws.
//!
//! The method is described in `public/docs/method.md` (a copy of the project's method notes).

pub mod bench;
pub mod chart;
pub mod jobs;
pub mod model;
pub mod session;
pub mod views;

#[cfg(target_arch = "wasm32")]
pub mod app;
