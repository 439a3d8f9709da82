//! The published measurement set shipped with the page (`public/data/measurements.csv`): single-
//! stream prefill and decode speeds of LLMs on real devices, each row with its source. It is
//! what presets are calibrated from and what predictions are validated against (issue 16), so
//! a user can see how far the roofline's latencies are from published runs.
//!
//! [`rows`] reads the file's own schema (documented in `public/data/README.md`): speeds in
//! tokens per second as published, never converted in the file.

mod rows;

pub use rows::{
    parse_published_csv, PublishedProblem, PublishedRow, PUBLISHED_COLUMNS, PUBLISHED_CSV,
    PUBLISHED_FILE,
};
