//! Times the default fits natively: the paper law on 170 rows of its grid and Chinchilla on
//! 250 rows, each with the default multi-start (best of three), then with the default
//! bootstrap. The same workloads run in the browser, in the page's worker (`e2e/bench.mjs`).
//! Run with `cargo run --release --example bench_fit`.

use roofscale::bench::{fit_cases, time_fit};
use std::time::Instant;

fn main() {
    let origin = Instant::now();
    let now = || origin.elapsed().as_secs_f64();
    for (name, law, table) in fit_cases() {
        println!("native {}", time_fit(&now, &law, &table, 3).line(name));
    }
}
