//! What the charts show, built from core results: pure functions from reports to chart specs,
//! tested natively. The UI only draws what these return. One file per chart spec; the
//! colour key, the thinning of large clouds, the captions and the candidates export are
//! their own files too.

mod calibration;
mod candidates_csv;
mod color_key;
mod devices;
mod feasible;
mod fit;
mod frontier;
mod labels;
mod residual;
mod roofline;
mod theory_table;
mod thinning;
mod trend;
mod validation;

pub use calibration::calibration_chart;
pub use candidates_csv::{candidates_csv, column_prefix, CandidatesCsv};
pub use color_key::{color_key, color_key_labels, ColorBy};
pub use devices::{device_frontier, devices_chart, DeviceFrontier};
pub use feasible::{design_slice, feasible_chart, BOUNDARY_NAMES};
pub use fit::fit_chart;
pub use frontier::{
    frontier_chart, frontier_color, FrontierChart, FrontierChartBuilder, FrontierLayout,
    ReferencePoint, CLOUDS_SHOWN,
};
pub use labels::{design_label, export_file_name, search_caption};
pub use residual::residual_chart;
pub use roofline::roofline_chart;
pub use theory_table::{depth_bindings, theory_rows, TheoryRow};
pub use thinning::THIN_ABOVE;
pub use trend::{trend_chart, TrendAttribute};
pub use validation::{validation_chart, Predicted, ValidationChart};

use crate::chart::{Rgb, Series, PALETTE};

/// Colours of the candidate cloud's attribute values; the frontier colours are kept out of it
/// so a frontier never reads as a group of candidates.
pub(crate) const CLOUD: [Rgb; 7] = [
    PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[9], PALETTE[8], PALETTE[5], PALETTE[7],
];

/// A number as a label shows it: at most three decimals, without trailing zeros.
pub(crate) fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The y = x line across the finite `values`, the reference of a predicted-against-observed
/// chart; `None` when they span no range.
pub(crate) fn identity_line(values: impl Iterator<Item = f64>) -> Option<Series> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    (lo.is_finite() && hi > lo).then(|| Series::line("y = x", PALETTE[7], vec![(lo, lo), (hi, hi)]))
}
