//! The one reading of a header, so a column is recognised by the same name in every import.

/// Trimmed, lower case, and every run of characters other than letters and digits read as one
/// `_`: "Val Loss" → "val_loss", "num-heads" → "num_heads", "Prefill (ms)" → "prefill_ms".
///
/// The loss import used to read only spaces and dashes as `_` and the device import compared
/// headers exactly; the measurements' rule is kept for all three because units in brackets are
/// common and it reads every header the others recognised the same way.
pub fn normalise_header(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}
