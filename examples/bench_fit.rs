//! Times the default fits natively: the paper law on 170 rows of its grid and Chinchilla on
//! 250 rows, each with the default multi-start, then the default bootstrap separately.
//! Run with `cargo run --release --example bench_fit`.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::fit::{fit, FitOptions, FitReport};
use roofscale::model::law::{Chinchilla, Law, PaperLaw};
use roofscale::model::loss_csv::{parse_loss_csv, LossTable};
use std::ops::ControlFlow;
use std::time::Instant;

fn main() {
    let synthetic = include_str!("../public/examples/synthetic-losses.csv");
    let paper =
        parse_loss_csv("synthetic-losses.csv", synthetic, None).expect("committed CSV parses");
    bench(
        "paper law, 170 rows",
        &Law::Paper(PaperLaw::published()),
        &paper,
    );
    let chinchilla = chinchilla_table(250);
    bench(
        "Chinchilla, 250 rows",
        &Law::Chinchilla(Chinchilla::epoch_refit()),
        &chinchilla,
    );
}

fn bench(name: &str, law: &Law, table: &LossTable) {
    let run = |options: &FitOptions| -> (f64, FitReport) {
        let t = Instant::now();
        let report = fit(law, table, options, &mut |_| ControlFlow::Continue(())).expect("fits");
        (t.elapsed().as_secs_f64(), report)
    };
    let no_bootstrap = FitOptions::default().with_bootstrap(0).expect("valid");
    // Best of three runs, so a busy machine does not inflate the figure.
    let (fit_s, report) = (0..3)
        .map(|_| run(&no_bootstrap))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("ran");
    let (with_boot_s, boot_report) = run(&FitOptions::default());
    println!(
        "{name}: fit {:.1} ms ({} starts, {} evaluations, {}), bootstrap of {} resamples {:.1} ms; train R² {:.4}, held-out R² {:.4}",
        fit_s * 1e3,
        report.starts,
        report.evaluations,
        report.termination,
        boot_report.bootstrap_resamples,
        (with_boot_s - fit_s).max(0.0) * 1e3,
        report.train.r2.unwrap_or(f64::NAN),
        report.held_out.and_then(|q| q.r2).unwrap_or(f64::NAN),
    );
}

/// Chinchilla losses with 0.5 % noise, N in [1e7, 1e10], D in [1e9, 1e11].
fn chinchilla_table(n: usize) -> LossTable {
    let mut rng = SmallRng::seed_from_u64(3);
    let law = Chinchilla::epoch_refit();
    let mut text = "N,D,loss\n".to_string();
    for _ in 0..n {
        let params = 10f64.powf(rng.random_range(7.0..10.0));
        let tokens = 10f64.powf(rng.random_range(9.0..11.0));
        let noise = 1.0 + 0.005 * (rng.random_range(-1.0..1.0) + rng.random_range(-1.0..1.0));
        let x = roofscale::model::law::LawInputs {
            layers: 1.0,
            hidden: 1.0,
            ffn_ratio: 1.0,
            rho: 1.0,
            kv_width: 1.0,
            params,
            tokens,
        };
        text += &format!("{params:?},{tokens:?},{:?}\n", law.predict(&x) * noise);
    }
    parse_loss_csv("chinchilla.csv", &text, None).expect("generated CSV parses")
}
