//! The browser half of the benchmarks: the same workloads as `examples/bench_search.rs` and
//! `examples/bench_fit.rs` (shared in `roofscale::bench`), timed the same way (best of
//! several runs) with the page's clock, in wasm in headless Chromium. `scripts/test.sh` runs
//! it in release mode and prints the wasm/native ratio.
//!
//! Run: `cargo test --release --target wasm32-unknown-unknown --test web_bench` with the
//! runner variables of `scripts/test.sh`.
#![cfg(target_arch = "wasm32")]

use roofscale::bench::{fit_cases, time_fit, time_search, wide_space};
use roofscale::model::search::{SearchSettings, SearchSpace};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_s() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now() / 1e3)
}

#[wasm_bindgen_test]
fn search_speed_in_wasm() {
    let settings = SearchSettings::default();
    let paper = time_search(&now_s, &SearchSpace::default(), &settings, 20);
    console_log!("wasm {}", paper.line("paper grid"));
    assert_eq!(paper.evaluated, 9520, "the paper grid has 9,520 candidates");
    // About a million candidates: the "one million in under 2 s" workload.
    let wide = wide_space();
    assert_eq!(wide.count(), 1_004_032);
    console_log!(
        "wasm {}",
        time_search(&now_s, &wide, &settings, 2).line("wide grid")
    );
}

#[wasm_bindgen_test]
fn fit_speed_in_wasm() {
    for (name, law, table) in fit_cases() {
        let figure = time_fit(&now_s, &law, &table, 3);
        console_log!("wasm {}", figure.line(name));
        assert!(
            figure.report.train.r2.unwrap_or(0.0) > 0.99,
            "{name}: fit failed"
        );
    }
}
