//! A search run on the page's thread in time slices: a few milliseconds of candidates, then
//! the thread goes back to the browser, so the page never blocks. The main search and the
//! device comparison both run this way.

use super::latest::Ticket;
use super::search_state::yield_to_browser;
use crate::model::search::{SearchProgress, SearchReport, SearchRun};

/// Time one slice of a search may take before the browser gets the thread back.
const SLICE_MS: f64 = 25.0;

/// Milliseconds from the page's clock (std::time panics on wasm).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs `run` to the end a slice at a time, telling `on_progress` after each slice but the
/// last; the report and the milliseconds of compute it took, or `None` once `ticket` is stale
/// (a newer request won).
pub async fn run_in_slices(
    mut run: SearchRun,
    ticket: Ticket,
    mut on_progress: impl FnMut(SearchProgress),
) -> Option<(SearchReport, f64)> {
    let mut batch = 2048usize;
    let mut compute = 0.0;
    loop {
        if !ticket.is_current() {
            return None;
        }
        let t0 = now_ms();
        let progress = run.step(batch);
        let spent = (now_ms() - t0).max(0.1);
        compute += spent;
        // Size the next slice so it takes about SLICE_MS.
        batch = ((batch as f64 * SLICE_MS / spent) as usize).clamp(256, 1 << 20);
        if run.is_done() {
            break;
        }
        on_progress(progress);
        yield_to_browser().await;
    }
    Some((run.finish(), compute))
}
