//! Numbers in cells, worded the same in every import.

/// A cell read as a finite number (`inf`, `NaN` and overflowing numbers are refused: no
/// import has a use for them).
pub fn number(cell: &str) -> Result<f64, String> {
    match cell.trim().parse::<f64>() {
        Err(_) => Err(format!("expected a number, found \"{cell}\"")),
        Ok(v) if !v.is_finite() => Err(format!("expected a finite number, found \"{cell}\"")),
        Ok(v) => Ok(v),
    }
}

/// A cell read as a finite number above zero (sizes, losses, times).
pub fn positive_number(cell: &str) -> Result<f64, String> {
    match number(cell)? {
        v if v <= 0.0 => Err(format!("expected a positive number, found \"{cell}\"")),
        v => Ok(v),
    }
}
