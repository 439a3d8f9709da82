//! Throughput of `roofline::evaluate` over the paper's default grid (method.md §4): prefill,
//! the 16 decode steps in closed form and memory, FP16, on the default device.
//!
//! Run: `cargo run --release --example bench_roofline`.

use roofscale::model::arch::Architecture;
use roofscale::model::device::Device;
use roofscale::model::precision::Precision;
use roofscale::model::roofline::evaluate;
use roofscale::model::search::SearchSpace;
use roofscale::model::workload::Workload;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    // The grid of method.md §4, as the search enumerates it.
    let space = SearchSpace::default();
    let grid: Vec<Architecture> = (0..space.count())
        .map(|i| space.candidate(i).expect("index in range"))
        .collect();
    let device = Device::default();
    let workload = Workload::default();
    let precision = Precision::FP16;
    let start = Instant::now();
    let mut evaluations = 0u64;
    let mut checksum = 0.0;
    while start.elapsed().as_secs_f64() < 1.5 {
        for arch in &grid {
            let report = evaluate(black_box(arch), &device, precision, &workload);
            checksum += black_box(report).total_s;
        }
        evaluations += grid.len() as u64;
    }
    let rate = evaluations as f64 / start.elapsed().as_secs_f64();
    println!(
        "roofline: {} candidates, {:.2} M evaluations/s (one core; {} evaluations, checksum {:.3e})",
        grid.len(),
        rate / 1e6,
        evaluations,
        checksum
    );
}
