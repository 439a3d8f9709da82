//! Fitting on data generated from known laws: exact recovery without noise, bootstrap
//! coverage with noise, custom formulas, warnings and errors (method.md §2, §4).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::fit::{
    fit, FitOptions, FitProgress, FitReport, FitWarning, Holdout, TerminationReason,
};
use roofscale::model::law::{Chinchilla, CustomLaw, Law, PaperLaw};
use roofscale::model::loss_csv::{parse_loss_csv, LossTable};
use std::ops::ControlFlow;

/// `n` architectures drawn from the paper's grid (method.md §4: l, d, (E, K), n_kv, r; d_h = 128).
fn paper_grid_rows(n: usize, seed: u64) -> Vec<[f64; 8]> {
    let mut grid = Vec::new();
    for l in (4..=32).step_by(4) {
        for d in [768, 1024, 1280, 1536, 1792, 2048, 2304, 2560, 3072] {
            let heads = d / 128;
            for (e, k) in [(1, 1), (8, 1), (8, 2), (16, 1), (16, 2)] {
                for kv in [1, 2, 4, 8, heads] {
                    if heads % kv != 0 || (kv == heads && kv <= 8) {
                        continue;
                    }
                    for r in [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0] {
                        grid.push([
                            l as f64,
                            d as f64,
                            r,
                            heads as f64,
                            kv as f64,
                            128.0,
                            e as f64,
                            k as f64,
                        ]);
                    }
                }
            }
        }
    }
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n)
        .map(|_| grid.swap_remove(rng.random_range(0..grid.len())))
        .collect()
}

fn paper_csv(law: &PaperLaw, n: usize, noise: f64, seed: u64) -> LossTable {
    let mut rng = SmallRng::seed_from_u64(seed + 1);
    let mut text = "layers,hidden_size,ffn_ratio,num_attention_heads,num_key_value_heads,head_dim,experts,top_k,loss\n".to_string();
    for [l, d, r, h, kv, hd, e, k] in paper_grid_rows(n, seed) {
        let x = roofscale::model::law::LawInputs {
            layers: l,
            hidden: d,
            ffn_ratio: r,
            rho: k / e,
            kv_width: kv * hd,
            params: 1.0,
            tokens: 1.0,
            counts: roofscale::model::law::ArchCounts::unknown(),
        };
        let loss = law.predict(&x) * (1.0 + noise * gaussian(&mut rng));
        text += &format!("{l},{d},{r},{h},{kv},{hd},{e},{k},{loss:?}\n");
    }
    parse_loss_csv("paper.csv", &text, None).unwrap()
}

fn chinchilla_csv(law: &Chinchilla, n: usize, noise: f64, seed: u64) -> LossTable {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut text = "N,D,loss\n".to_string();
    for _ in 0..n {
        let params = 10f64.powf(rng.random_range(7.0..10.0));
        let tokens = 10f64.powf(rng.random_range(9.0..11.0));
        let [e, a, b, alpha, beta] = law.values();
        let loss = (e + a / params.powf(alpha) + b / tokens.powf(beta))
            * (1.0 + noise * gaussian(&mut rng));
        text += &format!("{params:?},{tokens:?},{loss:?}\n");
    }
    parse_loss_csv("chinchilla.csv", &text, None).unwrap()
}

/// Standard normal by Box–Muller.
fn gaussian(rng: &mut SmallRng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn run(law: &Law, table: &LossTable, options: &FitOptions) -> FitReport {
    fit(law, table, options, &mut |_| ControlFlow::Continue(())).unwrap()
}

fn exact() -> FitOptions {
    FitOptions::default()
        .with_holdout(Holdout::None)
        .unwrap()
        .with_bootstrap(0)
        .unwrap()
}

fn assert_recovers(report: &FitReport, truth: &[f64], tolerance: f64) {
    let fitted = report.law.params();
    for ((name, got), want) in report.law.param_names().iter().zip(&fitted).zip(truth) {
        let rel = (got - want).abs() / want.abs();
        assert!(
            rel < tolerance,
            "{name}: fitted {got}, true {want} (relative error {rel:.2e}); {report:#?}"
        );
    }
}

#[test]
fn paper_law_without_noise_recovers_every_parameter() {
    let truth = PaperLaw::published();
    let table = paper_csv(&truth, 170, 0.0, 11);
    let report = run(&Law::Paper(truth.clone()), &table, &exact());
    assert!(
        report.termination.was_successful(),
        "{:?}",
        report.termination
    );
    assert_recovers(&report, &truth.values(), 1e-3);
}

#[test]
fn chinchilla_without_noise_recovers_every_parameter() {
    let truth = Chinchilla::epoch_refit();
    let table = chinchilla_csv(&truth, 250, 0.0, 5);
    let report = run(&Law::Chinchilla(truth.clone()), &table, &exact());
    assert_recovers(&report, &truth.values(), 1e-3);
    assert!(report.train.r2.unwrap() > 0.999_999);
}

/// Every true value inside its bootstrap interval, and the interval around the estimate.
fn assert_covered(report: &FitReport, truth: &[f64]) {
    assert_eq!(report.intervals.len(), truth.len());
    for (iv, want) in report.intervals.iter().zip(truth) {
        assert!(iv.lower <= iv.value && iv.value <= iv.upper, "{iv:?}");
        assert!(
            iv.lower <= *want && *want <= iv.upper,
            "{}: true {want} outside [{}, {}]",
            iv.name,
            iv.lower,
            iv.upper
        );
    }
}

#[test]
fn noisy_chinchilla_bootstrap_intervals_cover_the_truth() {
    let truth = Chinchilla::epoch_refit();
    let table = chinchilla_csv(&truth, 250, 0.005, 21);
    let options = FitOptions::default().with_holdout(Holdout::None).unwrap();
    let report = run(&Law::Chinchilla(truth.clone()), &table, &options);
    assert_eq!(report.bootstrap_resamples, 200);
    assert_covered(&report, &truth.values());
}

/// 0.1 % noise, not 0.5 %: the direction (κ_m, α_m, L_∞) is barely identified on this grid
/// (κ_m/d_m^α_m varies by about 1 % of the loss across d_m). At 0.5 % noise the data prefer
/// α_m → 0 with κ_m ≈ 2.7, L_∞ ≈ 0, at a lower objective than the true values, and the fit
/// warns that the parameters are ill-conditioned; no interval around that optimum covers
/// the truth.
#[test]
fn noisy_paper_law_bootstrap_intervals_cover_the_truth() {
    let truth = PaperLaw::published();
    let table = paper_csv(&truth, 170, 0.001, 31);
    let options = FitOptions::default().with_holdout(Holdout::None).unwrap();
    let report = run(&Law::Paper(truth.clone()), &table, &options);
    assert_covered(&report, &truth.values());
}

#[test]
fn chinchilla_typed_as_a_formula_recovers_its_parameters() {
    let truth = Chinchilla::epoch_refit();
    let table = chinchilla_csv(&truth, 250, 0.0, 5);
    let custom = CustomLaw::parse(
        "L = E + A/N^alpha + B/D^beta",
        "E, A, B, alpha, beta",
        &table.variable_names(),
    )
    .unwrap();
    let report = run(&Law::Custom(custom), &table, &exact());
    assert_recovers(&report, &truth.values(), 1e-3);
}

#[test]
fn least_squares_objective_recovers_chinchilla_too() {
    let truth = Chinchilla::epoch_refit();
    let table = chinchilla_csv(&truth, 250, 0.0, 8);
    let report = run(
        &Law::Chinchilla(truth.clone()),
        &table,
        &exact().with_least_squares(),
    );
    assert_recovers(&report, &truth.values(), 1e-3);
}

#[test]
fn the_committed_synthetic_csv_parses_cleanly_and_fits_back() {
    let text = include_str!("../public/examples/synthetic-losses.csv");
    assert!(text.starts_with("# SYNTHETIC: generated from the published law of arXiv 2602.10377 with 1% noise; not real training results\n"));
    let table = parse_loss_csv("synthetic-losses.csv", text, None).unwrap();
    assert_eq!(table.issues, []);
    assert_eq!(table.unrecognised, Vec::<String>::new());
    let tests = table
        .rows
        .iter()
        .filter(|r| r.split == Some(roofscale::model::loss_csv::Split::Test))
        .count();
    let options = FitOptions::default().with_bootstrap(0).unwrap();
    let report = run(&Law::Paper(PaperLaw::published()), &table, &options);
    assert_eq!(report.held_out.unwrap().rows, tests);
    assert!(report.train.r2.unwrap() > 0.9, "{:?}", report.train);
    assert!(
        report.held_out.unwrap().r2.unwrap() > 0.9,
        "{:?}",
        report.held_out
    );
}

#[test]
fn random_holdout_is_seeded_and_sized() {
    let table = chinchilla_csv(&Chinchilla::epoch_refit(), 250, 0.005, 2);
    let options = FitOptions::default()
        .with_bootstrap(0)
        .unwrap()
        .with_seed(9);
    let law = Law::Chinchilla(Chinchilla::epoch_refit());
    let a = run(&law, &table, &options);
    let b = run(&law, &table, &options);
    assert_eq!(a, b);
    assert_eq!(a.held_out.unwrap().rows, 50);
    assert_eq!(a.train.rows, 200);
    let other = run(&law, &table, &options.clone().with_seed(10));
    assert_ne!(
        a.points.iter().map(|p| p.held_out).collect::<Vec<_>>(),
        other.points.iter().map(|p| p.held_out).collect::<Vec<_>>()
    );
}

#[test]
fn fewer_rows_than_parameters_is_a_warning() {
    let table = paper_csv(&PaperLaw::published(), 3, 0.0, 4);
    let report = run(&Law::Paper(PaperLaw::published()), &table, &exact());
    let texts: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert!(texts.contains(&"only 3 training rows for 11 parameters: the fit is not determined; add rows or fix parameters".to_string()), "{texts:?}");
    assert!(report.law.params().iter().all(|p| p.is_finite()));
}

#[test]
fn equal_losses_are_reported() {
    let table = parse_loss_csv(
        "flat.csv",
        "N,D,loss\n1e8,1e10,3\n1e9,1e10,3\n1e8,1e11,3\n1e9,1e11,3\n2e9,3e10,3\n4e8,2e10,3\n",
        None,
    )
    .unwrap();
    let report = run(
        &Law::Chinchilla(Chinchilla::epoch_refit()),
        &table,
        &exact(),
    );
    assert!(
        report
            .warnings
            .contains(&FitWarning::ConstantLoss { value: 3.0 }),
        "{:?}",
        report.warnings
    );
    assert_eq!(
        FitWarning::ConstantLoss { value: 3.0 }.to_string(),
        "every training loss is 3: R² is undefined and the law's shape cannot be learned"
    );
    assert_eq!(report.train.r2, None);
}

#[test]
fn warning_and_error_messages() {
    let cases = [
        (FitWarning::NotConverged { reason: TerminationReason::MaxIterations }, "the best start did not converge (stopped at the iteration limit); raise the iteration limit"),
        (FitWarning::AtBound { name: "κ_ρ".into(), bound: 0.0 }, "κ_ρ is at its bound 0: the data push it beyond the range allowed"),
        (FitWarning::IllConditioned { condition: 3.2e9 }, "parameters trade off against each other (condition number 3.2e9); expect wide intervals"),
        (FitWarning::RowsLeftOut { variable: "lr".into(), lines: vec![3, 9] }, "2 rows left out: no positive number for lr (lines 3, 9)"),
        (FitWarning::BootstrapCancelled { done: 4, total: 200 }, "bootstrap cancelled after 4 of 200 resamples: no intervals"),
        (FitWarning::BootstrapFailures { failed: 2, total: 200 }, "2 of 200 bootstrap resamples failed to fit and were skipped"),
    ];
    for (w, text) in cases {
        assert_eq!(w.to_string(), text);
    }
    let paper = paper_csv(&PaperLaw::published(), 20, 0.0, 1);
    let err = fit(
        &Law::Chinchilla(Chinchilla::epoch_refit()),
        &paper,
        &exact(),
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fit: paper.csv gives no N (parameters), which the law needs"
    );
    assert_eq!(
        FitOptions::default()
            .with_huber_delta(0.0)
            .unwrap_err()
            .to_string(),
        "fit option: Huber δ must be a positive number, found 0"
    );
    assert_eq!(
        FitOptions::default()
            .with_holdout(Holdout::Random { fraction: 0.95 })
            .unwrap_err()
            .to_string(),
        "fit option: the held-out fraction must be at least 0 and below 0.9, found 0.95"
    );
    assert_eq!(
        FitOptions::default()
            .with_starts(0)
            .unwrap_err()
            .to_string(),
        "fit option: starts must be between 1 and 64, found 0"
    );
}

#[test]
fn rows_a_formula_cannot_read_are_left_out_with_a_warning() {
    let text =
        "N,D,loss,lr\n1e8,1e10,3.1,0.1\n1e9,1e10,2.9,x\n1e8,1e11,3.0,0.2\n1e9,1e11,2.8,0.3\n";
    let table = parse_loss_csv("lr.csv", text, None).unwrap();
    let law = CustomLaw::parse("E + A*lr", "E A", &table.variable_names()).unwrap();
    let report = run(&Law::Custom(law), &table, &exact());
    assert_eq!(report.train.rows, 3);
    assert!(report.warnings.contains(&FitWarning::RowsLeftOut {
        variable: "lr".into(),
        lines: vec![3]
    }));
}

#[test]
fn the_observer_sees_progress_and_can_cancel() {
    let table = chinchilla_csv(&Chinchilla::epoch_refit(), 100, 0.005, 3);
    let law = Law::Chinchilla(Chinchilla::epoch_refit());
    let options = FitOptions::default().with_bootstrap(20).unwrap();
    let mut seen = Vec::new();
    let report = fit(&law, &table, &options, &mut |p| {
        seen.push(p);
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(seen.len(), 8 + 20);
    assert!(matches!(
        seen[7],
        FitProgress::Start {
            done: 8,
            total: 8,
            ..
        }
    ));
    assert_eq!(
        seen[27],
        FitProgress::Bootstrap {
            done: 20,
            total: 20
        }
    );
    assert_eq!(report.intervals.len(), 5);

    let stopped = fit(&law, &table, &options, &mut |_| ControlFlow::Break(())).unwrap();
    assert_eq!(
        (stopped.starts, stopped.termination),
        (1, TerminationReason::Cancelled)
    );
    assert!(stopped.intervals.is_empty());

    let mut calls = 0;
    let boot_stopped = fit(&law, &table, &options, &mut |p| {
        calls += 1;
        if matches!(p, FitProgress::Bootstrap { done: 3, .. }) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(calls, 8 + 3);
    assert!(boot_stopped
        .warnings
        .contains(&FitWarning::BootstrapCancelled { done: 3, total: 20 }));
    assert!(boot_stopped.intervals.is_empty());
}

/// A thin, noisy fit of the 11-parameter law on 30 rows is flagged (issue: "held-out R² 0.44
/// and an interval from 1e-12 to 43,399 with no warning"); a well-determined Chinchilla fit
/// on 300 rows is not.
#[test]
fn fit_trust_flags_thin_fits_and_passes_good_ones() {
    use roofscale::model::fit::{fit_concerns, Concern};
    let truth = PaperLaw::published();
    let table = paper_csv(&truth, 30, 0.03, 11);
    let options = FitOptions::default()
        .with_holdout(Holdout::Auto { fraction: 0.2 })
        .unwrap()
        .with_bootstrap(40)
        .unwrap();
    let report = run(&Law::Paper(PaperLaw::published()), &table, &options);
    let concerns = fit_concerns(&report);
    assert!(
        concerns.contains(&Concern::FewRowsPerParameter {
            rows: report.train.rows,
            params: 11
        }),
        "{concerns:?}"
    );
    let chin = Chinchilla::epoch_refit();
    let table = chinchilla_csv(&chin, 300, 0.002, 5);
    let report = run(&Law::Chinchilla(chin), &table, &options);
    let concerns = fit_concerns(&report);
    assert!(concerns.is_empty(), "{concerns:?}");
}

/// Data up to d = 2048 and a search to d = 3072: the search is flagged as extrapolating in d
/// (and in nothing the data covers).
#[test]
fn search_beyond_the_data_range_is_flagged_by_dimension() {
    use roofscale::model::fit::{data_ranges, extrapolation, Concern};
    use roofscale::model::law::LawInputs;
    let truth = PaperLaw::published();
    let table = paper_csv(&truth, 400, 0.0, 3);
    let law = Law::Paper(truth);
    let ranges = data_ranges(&law, &table);
    let d = ranges.iter().find(|r| r.name == "d").unwrap();
    assert_eq!((d.min, d.max), (768.0, 3072.0));
    // Keep only rows with d ≤ 2048 and compare with a candidate at d = 3072.
    let narrow_text: String = {
        let mut t = "layers,hidden_size,ffn_ratio,loss\n".to_string();
        for r in table
            .rows
            .iter()
            .filter(|r| r.features[1].unwrap() <= 2048.0)
        {
            t += &format!(
                "{},{},{},{}\n",
                r.features[0].unwrap(),
                r.features[1].unwrap(),
                r.features[2].unwrap(),
                r.loss
            );
        }
        t
    };
    let narrow = parse_loss_csv("narrow.csv", &narrow_text, None).unwrap();
    let ranges = data_ranges(&law, &narrow);
    let inside = LawInputs {
        layers: 16.0,
        hidden: 1024.0,
        ffn_ratio: 1.0,
        rho: 1.0,
        kv_width: 1024.0,
        params: 1e9,
        tokens: 1e10,
        counts: roofscale::model::law::ArchCounts::unknown(),
    };
    let wide = LawInputs {
        hidden: 3072.0,
        ..inside
    };
    let found = extrapolation(&ranges, [inside, wide].iter());
    assert_eq!(found.len(), 1, "{found:?}");
    match &found[0] {
        Concern::Extrapolates {
            name,
            data_max,
            search_max,
            ..
        } => {
            assert_eq!(
                (name.as_str(), *data_max, *search_max),
                ("d", 2048.0, 3072.0)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        found[0].to_string(),
        "the search reaches d = 1024–3072, beyond the data's 768–2048: predictions there are extrapolated"
    );
    assert!(extrapolation(&ranges, [inside].iter()).is_empty());
}
