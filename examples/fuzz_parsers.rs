//! The long-running fuzz target: every parser of user input fed generated inputs for a time
//! budget each (default 30 s), from a fresh seed per run, printing inputs per second. A panic
//! prints the input that caused it (escaped) and its seed, then exits with status 1.
//!
//! Run: `cargo run --release --example fuzz_parsers -- [seconds per parser] [seed]`.
//! The same generators run 100,000 inputs per parser in `cargo test` (tests/fuzz_parsers.rs).

#[path = "../tests/fuzz/mod.rs"]
mod fuzz;

use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(30.0);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    println!("fuzzing every parser for {seconds} s each, seed {seed}");
    // Quiet the default hook: a caught panic is reported below with its input.
    std::panic::set_hook(Box::new(|_| {}));
    let budget = Duration::from_secs_f64(seconds);
    for (k, target) in fuzz::targets().iter().enumerate() {
        let mut rng = SmallRng::seed_from_u64(seed.wrapping_add(k as u64));
        let start = Instant::now();
        let (mut accepted, mut refused, mut i) = (0usize, 0usize, 0usize);
        while start.elapsed() < budget {
            for _ in 0..1000 {
                let input = target.input(&mut rng, i);
                i += 1;
                match catch_unwind(AssertUnwindSafe(|| (target.parse)(&input))) {
                    Ok(true) => accepted += 1,
                    Ok(false) => refused += 1,
                    Err(_) => {
                        println!(
                            "{}: PANIC on input {i} (seed {seed}): {input:?}",
                            target.name
                        );
                        std::process::exit(1);
                    }
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{}: {} inputs in {secs:.1} s ({:.0}/s), {accepted} accepted, {refused} refused",
            target.name,
            accepted + refused,
            (accepted + refused) as f64 / secs
        );
    }
}
