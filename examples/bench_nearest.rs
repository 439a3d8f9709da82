//! Hover lookup cost: builds a `NearestIndex` over 100,000 pixel positions and times
//! queries, which must stay far under a 16 ms frame.
//!
//! Run with `cargo run --release --example bench_nearest`.

use std::hint::black_box;
use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::chart::NearestIndex;

const POINTS: usize = 100_000;
const QUERIES: usize = 100_000;
/// A 1600 × 1000 backing store (800 × 500 CSS pixels at ratio 2).
const WIDTH: f64 = 1600.0;
const HEIGHT: f64 = 1000.0;
const CELL: f64 = 24.0;
const HOVER_RADIUS: f64 = 24.0;

fn run(name: &str, points: &[(f64, f64)], queries: &[(f64, f64)]) {
    let start = Instant::now();
    let index = NearestIndex::new(points, CELL);
    let build = start.elapsed();

    let start = Instant::now();
    let mut hits = 0usize;
    for &(px, py) in queries {
        hits += black_box(index.nearest(px, py, HOVER_RADIUS)).is_some() as usize;
    }
    let bounded = start.elapsed();
    let start = Instant::now();
    for &(px, py) in queries {
        black_box(index.nearest(px, py, f64::INFINITY));
    }
    let unbounded = start.elapsed();

    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / queries.len() as f64;
    println!(
        "{name:>22}: build {:>6.2} ms; query within {HOVER_RADIUS} px {:>6.3} µs ({hits} hits), \
         unbounded {:>6.3} µs",
        build.as_secs_f64() * 1e3,
        per(bounded),
        per(unbounded),
    );
}

fn main() {
    let mut rng = SmallRng::seed_from_u64(7);
    println!("{POINTS} points on {WIDTH} × {HEIGHT} px, cell {CELL} px, {QUERIES} random queries");

    let mut anywhere = |n: usize| -> Vec<(f64, f64)> {
        (0..n)
            .map(|_| (rng.random_range(0.0..WIDTH), rng.random_range(0.0..HEIGHT)))
            .collect()
    };
    let uniform = anywhere(POINTS);
    let queries = anywhere(QUERIES);
    run("uniform", &uniform, &queries);

    // Most points piled in a 40 px blob, as a frontier's neighbourhood can be.
    let clustered: Vec<(f64, f64)> = (0..POINTS)
        .map(|i| {
            if i % 10 == 0 {
                (rng.random_range(0.0..WIDTH), rng.random_range(0.0..HEIGHT))
            } else {
                (
                    800.0 + rng.random_range(-20.0..20.0),
                    500.0 + rng.random_range(-20.0..20.0),
                )
            }
        })
        .collect();
    run("clustered", &clustered, &queries);
    // The worst case: the pointer over the blob, ~20,000 points per cell to scan.
    let in_blob: Vec<(f64, f64)> = (0..QUERIES / 100)
        .map(|_| {
            (
                800.0 + rng.random_range(-20.0..20.0),
                500.0 + rng.random_range(-20.0..20.0),
            )
        })
        .collect();
    run("clustered, in the blob", &clustered, &in_blob);
}
