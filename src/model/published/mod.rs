//! The published measurement set shipped with the page (`public/data/measurements.csv`): single-
//! stream prefill and decode speeds of LLMs on real devices, each row with its source. It is
//! what presets are calibrated from and what predictions are validated against (issue 16), so
//! a user can see how far the roofline's latencies are from published runs.
//!
//! [`rows`] reads the file's own schema (documented in `public/data/README.md`): speeds in
//! tokens per second as published, never converted in the file.

mod caveats;
mod models;
mod presets;
mod rows;
mod runs;
mod validation;

pub use caveats::{GroupCaveat, LengthInversion, INVERSION_TOLERANCE, PRIOR_UNLIKE};
pub use models::{published_model, MODEL_CONFIGS};
pub use presets::{
    budget_margin_note, default_variant, device_variants, fit_measured_devices, held_out_note,
    is_measured, measured_devices, page_device_groups, page_devices, rated_name, HeldOutNote,
    MEASURED_DEVICES_JSON, MEASURED_SUFFIX,
};
pub use runs::{
    bandwidth_only_devices, published_devices, published_runs, user_runs, validation_devices,
    PublishedRun, PUBLISHED_DEVICES_CSV, PUBLISHED_DEVICES_FILE, USER_RUNTIME,
};
pub use validation::{
    group_keys, held_out_target_pct, validate, GroupPriors, GroupScore, HeldOutFit, Mape,
    OverheadPrior, PhaseScore, Validation, DECODE_TARGET_PCT, MIN_GROUP_PHASES, MIN_PRIOR_DEVICES,
    PREFILL_TARGET_PCT, PRIOR_SPREAD,
};

pub use rows::{
    parse_published_csv, PublishedProblem, PublishedRow, PUBLISHED_COLUMNS, PUBLISHED_CSV,
    PUBLISHED_FILE,
};
