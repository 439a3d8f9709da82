//! Thinning of million-candidate clouds to the places a dot can be seen, for drawing and
//! hover.

use crate::model::search::{Evaluations, Objective};

/// Candidate clouds larger than this are thinned for drawing and hover.
pub const THIN_ABOVE: usize = 200_000;

/// Thins a large cloud to the first point of each colour slot (0–7) in each cell of a fine
/// grid over the data's range (log latency when the axis is log). A million candidates
/// collapse to the places a dot can be seen, which keeps drawing, hover indexing and memory
/// fast. Cells are 1/1024 of the latency range and 1/640 of the loss range: about a pixel of a
/// chart on a laptop screen, and within a dot's radius after zooming in 2×.
pub(crate) struct CloudGrid {
    x: (f64, f64),
    y: (f64, f64),
    log_x: bool,
    /// Colour slots seen in each cell, one bit each.
    seen: Vec<u8>,
}

const THIN_CELLS: (usize, usize) = (1024, 640);

impl CloudGrid {
    /// Over every candidate's finite point in precision `pi` (a slightly wider range than the
    /// admitted ones, found without testing constraints twice).
    pub(crate) fn over(e: &Evaluations, pi: usize, objective: Objective, log_x: bool) -> CloudGrid {
        let (mut x, mut y) = ((f64::MAX, f64::MIN), (f64::MAX, f64::MIN));
        for (i, c) in e.candidates.iter().enumerate() {
            let px = axis_x(e.metrics(i, pi).latency(objective) * 1e3, log_x);
            if px.is_finite() && c.loss.is_finite() {
                x = (x.0.min(px), x.1.max(px));
                y = (y.0.min(c.loss), y.1.max(c.loss));
            }
        }
        CloudGrid {
            x,
            y,
            log_x,
            seen: vec![0; THIN_CELLS.0 * THIN_CELLS.1],
        }
    }

    /// Whether `(x, y)` is the first point of colour `slot` in its cell.
    pub(crate) fn first(&mut self, (x, y): (f64, f64), slot: u8) -> bool {
        let x = axis_x(x, self.log_x);
        if !x.is_finite() {
            return true;
        }
        // Float → int casts saturate (negative → 0), so only the top needs clamping.
        let cell = |v: f64, (lo, hi): (f64, f64), n: usize| -> usize {
            let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
            ((t * (n - 1) as f64 + 0.5) as usize).min(n - 1)
        };
        let k = cell(y, self.y, THIN_CELLS.1) * THIN_CELLS.0 + cell(x, self.x, THIN_CELLS.0);
        let bit = 1u8 << (slot & 7);
        let fresh = self.seen[k] & bit == 0;
        self.seen[k] |= bit;
        fresh
    }
}

/// The latency as the grid bins it: log₂ when the axis is log, approximated from the float's
/// exponent and mantissa (monotonic, within 0.09 of log₂): binning needs no exact logarithm,
/// and the exact one is the slowest step of thinning a million points in wasm.
fn axis_x(x: f64, log_x: bool) -> f64 {
    if !log_x {
        return x;
    }
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
    let mantissa = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52)); // in [1, 2)
    exponent + (mantissa - 1.0)
}
