//! Calibrating a device from measured latencies (method.md §3: "achievable fractions … which
//! users can calibrate from their own measured latencies").
//!
//! The user supplies a CSV of runs on one device: the model (a preset name or its architecture
//! columns), the precision, batch, prompt and generated tokens, and the measured prefill time,
//! decode time or decode tokens/s ([`parse_measurements_csv`]; the template is
//! [`MEASUREMENTS_TEMPLATE_CSV`]).

mod import;
mod measurements;

pub use import::{
    parse_measurements_csv, MeasurementTable, MeasurementsError, MeasurementsErrorKind, MAX_BYTES,
    MAX_ROWS,
};
pub use measurements::{Measurement, MeasurementError, MeasurementSpec, MAX_TIME_S, MIN_TIME_S};

/// A CSV template: the columns, units stated in a comment line.
pub const MEASUREMENTS_TEMPLATE_CSV: &str =
    include_str!("../../../public/templates/measurements-template.csv");
