//! The search space, its evaluation and sampling, Pareto frontiers, and the findings of
//! method.md §4 on the paper's setting (paper law, Jetson AGX Orin 64GB, paper grid,
//! B = 1, S_in = 1024, S_out = 16).

mod common;

use common::qwen2_5_0_5b;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::arch::Attention;
use roofscale::model::device::Device;
use roofscale::model::law::{Law, LawInputs, PaperLaw};
use roofscale::model::params::param_counts;
use roofscale::model::pareto::{best_under_budget, frontier, FrontierPoint};
use roofscale::model::precision::Precision;
use roofscale::model::roofline::evaluate;
use roofscale::model::search::{
    evaluate_chunk, findings, matched_latency, score_reference, search, trends, Constraints,
    ExpertChoice, KvHeads, Objective, SearchPhase, SearchReport, SearchRun, SearchSettings,
    SearchSpace, SearchSpaceSpec, APPLICATION_BUDGETS, CHUNK, ENUMERATION_LIMIT,
};
use roofscale::model::workload::Workload;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Pareto properties

/// Dominance as documented in pareto.rs: ≤ in both, < in one.
fn dominates(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 <= b.0 && a.1 <= b.1 && (a.0 < b.0 || a.1 < b.1)
}

/// Random sets on a coarse grid, so ties in latency, in loss and exact duplicates are common;
/// a few non-finite points.
fn random_points(rng: &mut SmallRng, n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|_| {
            let lat = rng.random_range(0..12) as f64 * 0.5;
            let loss = rng.random_range(0..12) as f64 * 0.25 + 2.0;
            match rng.random_range(0..40) {
                0 => (f64::NAN, loss),
                1 => (lat, f64::INFINITY),
                _ => (lat, loss),
            }
        })
        .collect()
}

#[test]
fn frontier_properties_on_random_sets() {
    let mut rng = SmallRng::seed_from_u64(7);
    for trial in 0..300 {
        let n = rng.random_range(0..80);
        let pts = random_points(&mut rng, n);
        let f = frontier(&pts);
        let on: HashSet<usize> = f.iter().copied().collect();
        let finite = |i: usize| pts[i].0.is_finite() && pts[i].1.is_finite();
        for &i in &f {
            assert!(
                finite(i),
                "trial {trial}: non-finite point {i} on the frontier"
            );
            for &j in &f {
                assert!(
                    !dominates(pts[i], pts[j]),
                    "trial {trial}: {i} dominates {j}"
                );
            }
        }
        for i in (0..n).filter(|&i| finite(i) && !on.contains(&i)) {
            assert!(
                f.iter().any(|&j| dominates(pts[j], pts[i])),
                "trial {trial}: {i} is off the frontier but not dominated"
            );
        }
        // Exact duplicates of a frontier point are on it too (the tie rule).
        for &i in &f {
            for j in (0..n).filter(|&j| pts[j] == pts[i]) {
                assert!(
                    on.contains(&j),
                    "trial {trial}: duplicate {j} of {i} dropped"
                );
            }
        }
        assert!(f
            .windows(2)
            .all(|w| pts[w[0]].0 <= pts[w[1]].0 && pts[w[0]].1 >= pts[w[1]].1));
    }
    assert!(frontier(&[]).is_empty());
    assert!(frontier(&[(f64::NAN, 1.0)]).is_empty());
}

#[test]
fn best_under_budget_matches_brute_force() {
    let mut rng = SmallRng::seed_from_u64(11);
    for _ in 0..200 {
        let pts = random_points(&mut rng, 40);
        let f: Vec<FrontierPoint> = frontier(&pts)
            .into_iter()
            .map(|i| FrontierPoint {
                candidate: i,
                latency_s: pts[i].0,
                loss: pts[i].1,
            })
            .collect();
        let budget = rng.random_range(-1..14) as f64 * 0.5;
        let want = pts
            .iter()
            .filter(|p| p.0.is_finite() && p.0 <= budget)
            .map(|p| p.1)
            .fold(f64::INFINITY, f64::min);
        match best_under_budget(&f, budget) {
            Some(p) => {
                assert!(p.latency_s <= budget);
                assert_eq!(p.loss, want);
            }
            None => assert!(want.is_infinite()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The space

/// The nested loops of method.md §4, written out: the order `candidate(i)` must follow.
fn enumerate(spec: &SearchSpaceSpec) -> Vec<(u32, u32, u32, u32, ExpertChoice, f64)> {
    let mut out = Vec::new();
    for &l in &spec.layers {
        for &d in &spec.hidden {
            for &dh in &spec.head_dims {
                if !d.is_multiple_of(dh) {
                    continue;
                }
                let heads = d / dh;
                let mut kvs: Vec<u32> = Vec::new();
                for kv in &spec.kv_heads {
                    let n = kv.resolve(heads);
                    if heads.is_multiple_of(n) && !kvs.contains(&n) {
                        kvs.push(n);
                    }
                }
                for &kv in &kvs {
                    for &e in &spec.experts {
                        for &r in &spec.ffn_ratios {
                            out.push((l, d, dh, kv, e, r));
                        }
                    }
                }
            }
        }
    }
    out
}

fn odd_space() -> SearchSpaceSpec {
    SearchSpaceSpec {
        layers: vec![3, 7],
        // 896 = 14·64 is not a multiple of 128.
        hidden: vec![896, 1024, 1536],
        ffn_ratios: vec![0.75, 2.0, 8.0 / 3.0],
        experts: vec![
            ExpertChoice::DENSE,
            ExpertChoice {
                experts: 4,
                active: 3,
            },
        ],
        kv_heads: vec![KvHeads::Mha, KvHeads::Count(2), KvHeads::Count(7)],
        head_dims: vec![64, 128],
        ..SearchSpaceSpec::default()
    }
}

#[test]
fn count_equals_enumeration_and_candidates_decode_in_order() {
    for spec in [SearchSpaceSpec::default(), odd_space()] {
        let space = SearchSpace::new(spec.clone()).unwrap();
        let want = enumerate(&spec);
        assert_eq!(space.count(), want.len() as u64);
        for (i, &(l, d, dh, kv, e, r)) in want.iter().enumerate() {
            let arch = space.candidate(i as u64).unwrap();
            let s = arch.spec();
            let Attention::Standard {
                heads,
                kv_heads,
                head_dim,
                ..
            } = s.attention
            else {
                panic!("standard attention expected");
            };
            assert_eq!(
                (s.layers, s.hidden, head_dim, kv_heads, heads),
                (l, d, dh, kv, d / dh)
            );
            let moe = s.moe.map_or(ExpertChoice::DENSE, |m| ExpertChoice {
                experts: m.experts,
                active: m.active,
            });
            assert_eq!(moe, e);
            // r is the active total: K experts of width round(r·d/K).
            let width = (r * d as f64 / e.active as f64).round();
            assert!((arch.ffn_ratio() - width * e.active as f64 / d as f64).abs() < 1e-12);
            assert_eq!(space.point(i as u64).unwrap().ffn_ratio, r);
        }
        assert!(space.candidate(space.count()).is_none());
    }
    assert_eq!(SearchSpace::default().count(), 9520);
}

#[test]
fn neighbours_are_in_range_and_differ_in_one_dimension() {
    let space = SearchSpace::new(odd_space()).unwrap();
    for i in 0..space.count() {
        let p = space.point(i).unwrap();
        for n in space.neighbours(i) {
            let q = space.point(n).expect("neighbours are in the space");
            // A width or head-dim step may move the KV heads too ("n_h" resolves anew).
            let attention =
                (p.hidden, p.head_dim, p.kv_heads) != (q.hidden, q.head_dim, q.kv_heads);
            let changed = [
                p.layers != q.layers,
                attention,
                p.experts != q.experts,
                p.ffn_ratio != q.ffn_ratio,
            ];
            assert_eq!(changed.iter().filter(|&&c| c).count(), 1, "{p:?} → {q:?}");
            assert!(!(p.hidden != q.hidden && p.head_dim != q.head_dim));
        }
    }
    assert!(space.neighbours(space.count()).is_empty());
}

#[test]
fn space_rejects_bad_lists_with_named_messages() {
    let bad = |f: fn(&mut SearchSpaceSpec)| {
        let mut s = SearchSpaceSpec::default();
        f(&mut s);
        SearchSpace::new(s).unwrap_err().to_string()
    };
    assert_eq!(bad(|s| s.layers.clear()), "layers: give at least one value");
    assert_eq!(bad(|s| s.hidden.push(768)), "hidden: 768 is listed twice");
    assert_eq!(
        bad(|s| s.ffn_ratios.push(f64::NAN)),
        "ffn_ratios: NaN is not a number in (0, 64]"
    );
    assert_eq!(
        bad(|s| s.experts.push(ExpertChoice {
            experts: 2,
            active: 4
        })),
        "experts: (2, 4): need 1 ≤ active ≤ experts ≤ 4096"
    );
    assert_eq!(
        bad(|s| s.kv_heads.push(KvHeads::Count(0))),
        "kv_heads: 0 is not a number of KV heads"
    );
    assert!(bad(|s| s.head_dims = vec![100]).starts_with("head_dims: no hidden size"));
    assert_eq!(
        bad(|s| {
            s.layers = (1..=4000).collect();
            s.ffn_ratios = (1..=16).map(|k| k as f64 / 4.0).collect();
        }),
        "space: 10880000 candidates, more than the limit 10000000; remove values from the \
         longest lists"
    );
    assert!(SearchSpace::new(odd_space()).is_ok());
}

#[test]
fn space_serde_writes_mha_as_n_h_and_revalidates() {
    let json = serde_json::to_string(&SearchSpace::default()).unwrap();
    assert!(json.contains(r#""kv_heads":[1,2,4,8,"n_h"]"#), "{json}");
    let back: SearchSpace = serde_json::from_str(&json).unwrap();
    assert_eq!(back, SearchSpace::default());
    let bad = json.replace(r#""n_h""#, r#""mha""#);
    let e = serde_json::from_str::<SearchSpace>(&bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("data did not match any variant") || e.contains("n_h"),
        "{e}"
    );
    let empty = json.replace("[1,2,4,8,\"n_h\"]", "[]");
    let e = serde_json::from_str::<SearchSpace>(&empty)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("kv_heads: give at least one value"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Evaluation and the driver

fn law() -> Law {
    Law::Paper(PaperLaw::published())
}

const PRECISIONS: [Precision; 2] = [Precision::FP16, Precision::INT8];

fn run(space: &SearchSpace, settings: &SearchSettings) -> SearchReport {
    search(
        space,
        &law(),
        &Device::default(),
        &PRECISIONS,
        &Workload::default(),
        settings,
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap()
}

/// The paper's setting, searched once for all tests.
fn paper() -> &'static SearchReport {
    static REPORT: OnceLock<SearchReport> = OnceLock::new();
    REPORT.get_or_init(|| run(&SearchSpace::default(), &SearchSettings::default()))
}

#[test]
fn chunks_equal_the_driver_and_the_roofline() {
    let r = paper();
    assert!(!r.sampled && !r.cancelled);
    assert_eq!(r.evaluated(), 9520);
    let space = SearchSpace::default();
    let chunk = evaluate_chunk(
        &space,
        5000..5100,
        &law(),
        &Device::default(),
        &PRECISIONS,
        &Workload::default(),
        10e9,
    );
    assert_eq!(chunk.candidates[..], r.evaluations.candidates[5000..5100]);
    assert_eq!(chunk.metrics[..], r.evaluations.metrics[10000..10200]);
    // One candidate by hand.
    let c = &chunk.candidates[37];
    let arch = space.candidate(c.index as u64).unwrap();
    let counts = param_counts(&arch);
    let rep = evaluate(
        &arch,
        &Device::default(),
        Precision::INT8,
        &Workload::default(),
    );
    let m = chunk.metrics(37, 1);
    assert_eq!(m.decode_s, rep.decode_s as f32);
    assert_eq!(
        m.memory_bytes,
        (rep.weights_bytes + rep.kv_cache_bytes) as f32
    );
    assert_eq!(c.params_active, counts.active());
    let loss = law().predict(&LawInputs::from_arch(&arch, counts.total() as f64, 10e9));
    assert_eq!(c.loss, loss);
    // Past the end: clipped.
    let tail = evaluate_chunk(
        &space,
        9500..20000,
        &law(),
        &Device::default(),
        &PRECISIONS,
        &Workload::default(),
        10e9,
    );
    assert_eq!(tail.len(), 20);
}

#[test]
fn observer_sees_progress_and_can_stop() {
    let mut seen = Vec::new();
    let r = search(
        &SearchSpace::default(),
        &law(),
        &Device::default(),
        &PRECISIONS,
        &Workload::default(),
        &SearchSettings::default(),
        &mut |p| {
            seen.push(p);
            ControlFlow::Break(())
        },
    )
    .unwrap();
    assert!(r.cancelled);
    assert_eq!(r.evaluated(), CHUNK);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].phase, SearchPhase::Enumerating);
    assert_eq!((seen[0].evaluated, seen[0].planned), (CHUNK, 9520));

    let mut run = SearchRun::new(
        &SearchSpace::default(),
        &law(),
        &Device::default(),
        &PRECISIONS,
        &Workload::default(),
        &SearchSettings::default(),
    )
    .unwrap();
    let mut last = run.step(5000);
    while !run.is_done() {
        last = run.step(5000);
    }
    assert_eq!(last.phase, SearchPhase::Done);
    assert_eq!(last.fraction(), 1.0);
    assert_eq!(run.finish().evaluations, paper().evaluations);
}

#[test]
fn runs_refuse_bad_precision_lists() {
    let go = |p: &[Precision]| {
        SearchRun::new(
            &SearchSpace::default(),
            &law(),
            &Device::default(),
            p,
            &Workload::default(),
            &SearchSettings::default(),
        )
        .err()
        .map(|e| e.to_string())
    };
    assert_eq!(go(&[]).unwrap(), "precisions: choose at least one");
    assert_eq!(
        go(&[Precision::INT8, Precision::INT8]).unwrap(),
        "precisions: INT8 is chosen twice"
    );
    assert_eq!(go(&PRECISIONS), None);
    assert_eq!(
        SearchSettings::default()
            .with_sample_budget(ENUMERATION_LIMIT + 1)
            .unwrap_err()
            .to_string(),
        "sample_budget: must be in 1..=2000000, got 2000001"
    );
}

/// 160 × 64 widths × … = 2,304,000 candidates: above the enumeration limit.
fn large_space() -> SearchSpace {
    SearchSpace::new(SearchSpaceSpec {
        layers: (1..=160).collect(),
        hidden: (1..=64).map(|k| 128 * k).collect(),
        ffn_ratios: (1..=16).map(|k| k as f64 * 0.25).collect(),
        ..SearchSpaceSpec::default()
    })
    .unwrap()
}

#[test]
fn large_spaces_are_sampled_deterministically_within_budget() {
    let space = large_space();
    assert!(space.count() > ENUMERATION_LIMIT && space.is_sampled());
    let settings = SearchSettings::default()
        .with_sample_budget(6000)
        .unwrap()
        .with_seed(3);
    let a = run(&space, &settings);
    let b = run(&space, &settings);
    let c = run(&space, &settings.with_seed(4));
    assert!(a.sampled && !a.cancelled);
    assert!(a.evaluated() <= 6000 && a.refinement_rounds > 0);
    assert_eq!(a.evaluations, b.evaluations);
    assert_ne!(a.evaluations.candidates, c.evaluations.candidates);
    let distinct: HashSet<u32> = a.evaluations.candidates.iter().map(|c| c.index).collect();
    assert_eq!(distinct.len(), a.evaluated());
}

#[test]
fn refinement_runs_until_frontier_neighbours_are_evaluated() {
    // A budget large enough to converge: then every frontier point is a local optimum.
    let space = large_space();
    let settings = SearchSettings::default()
        .with_sample_budget(400_000)
        .unwrap();
    let r = search(
        &space,
        &law(),
        &Device::default(),
        &[Precision::FP16],
        &Workload::default(),
        &settings,
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert!(r.evaluated() < 400_000, "did not converge");
    let seen: HashSet<u64> = r
        .evaluations
        .candidates
        .iter()
        .map(|c| c.index as u64)
        .collect();
    for o in Objective::ALL {
        for p in r.frontier(o, 0, &Constraints::default()) {
            let index = r.evaluations.candidates[p.candidate].index as u64;
            assert!(space.neighbours(index).iter().all(|n| seen.contains(n)));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Constraints

#[test]
fn frontiers_respect_constraints() {
    let r = paper();
    let e = &r.evaluations;
    for app in APPLICATION_BUDGETS {
        let c = Constraints::for_application(&app);
        for o in Objective::ALL {
            for p in r.frontier(o, 0, &c) {
                assert!(e.metrics(p.candidate, 0).latency(app.objective) <= app.seconds);
            }
        }
    }
    let c = Constraints::default()
        .with_max_memory_bytes(Some(2e9))
        .unwrap()
        .with_param_range(Some(3e8), Some(1.5e9))
        .unwrap();
    let f = r.frontier(Objective::Decode, 1, &c);
    assert!(!f.is_empty());
    for p in &f {
        let (cand, m) = (&e.candidates[p.candidate], e.metrics(p.candidate, 1));
        assert!(m.memory_bytes as f64 <= 2e9);
        assert!((3e8..=1.5e9).contains(&(cand.params_total as f64)));
    }
    assert_eq!(
        Constraints::default()
            .with_param_range(Some(2.0), Some(1.0))
            .unwrap_err()
            .to_string(),
        "min_params: 2e0 is above the maximum 1e0"
    );
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(serde_json::from_str::<Constraints>(&json).unwrap(), c);
    assert!(serde_json::from_str::<Constraints>(r#"{"max_total_s":-1}"#).is_err());
}

// ---------------------------------------------------------------------------------------------
// Findings of method.md §4 on the paper's setting

fn frontier_trends(o: Objective, p: usize) -> Vec<roofscale::model::search::TrendPoint> {
    let r = paper();
    trends(r, &r.frontier(o, p, &Constraints::default()))
}

fn share(
    t: &[roofscale::model::search::TrendPoint],
    f: impl Fn(&&roofscale::model::search::TrendPoint) -> bool,
) -> f64 {
    t.iter().filter(f).count() as f64 / t.len() as f64
}

#[test]
fn finding_almost_every_frontier_point_is_moe() {
    for o in Objective::ALL {
        for p in 0..2 {
            let t = frontier_trends(o, p);
            let moe = share(&t, |x| x.experts > 1);
            // Measured: 0.97 (prefill) to 0.99 (decode, total).
            assert!(moe >= 0.95, "{o:?} {p}: {moe}");
        }
    }
}

#[test]
fn finding_decode_optimal_points_use_the_most_experts_with_top_1() {
    for p in 0..2 {
        let t = frontier_trends(Objective::Decode, p);
        let moe: Vec<_> = t.iter().filter(|x| x.experts > 1).copied().collect();
        assert!(moe.iter().all(|x| x.active == 1), "precision {p}");
        // Measured: 0.88 (FP16) and 0.89 (INT8) of them use E = 16, K = 1.
        let most = share(&moe, |x| x.experts == 16);
        assert!(most >= 0.8, "precision {p}: {most}");
    }
}

#[test]
fn finding_prefill_optimal_points_use_fewer_experts() {
    let mean_experts = |t: &[roofscale::model::search::TrendPoint]| {
        t.iter().map(|x| x.experts as f64).sum::<f64>() / t.len() as f64
    };
    for p in 0..2 {
        let prefill = frontier_trends(Objective::Prefill, p);
        let decode = frontier_trends(Objective::Decode, p);
        // Measured: about 8.4 vs 14.9; prefill reads every expert, so E = 16 is rare there.
        assert!(mean_experts(&prefill) + 4.0 < mean_experts(&decode));
        assert!(share(&prefill, |x| x.experts == 16) < 0.15);
    }
}

#[test]
fn finding_frontier_ffn_ratios_are_small() {
    let median = |t: &[roofscale::model::search::TrendPoint]| {
        let mut r: Vec<f32> = t.iter().map(|x| x.ffn_ratio).collect();
        r.sort_by(f32::total_cmp);
        r[r.len() / 2]
    };
    for o in Objective::ALL {
        for p in 0..2 {
            let t = frontier_trends(o, p);
            // Measured: median 1 everywhere except the INT8 prefill frontier (1.5), and
            // 62–67 % of the decode and total points have r ≤ 1.
            let limit = if (o, p) == (Objective::Prefill, 1) {
                1.5
            } else {
                1.0
            };
            assert!(median(&t) <= limit, "{o:?} {p}: {}", median(&t));
            if o != Objective::Prefill {
                assert!(share(&t, |x| x.ffn_ratio <= 1.0) >= 0.6);
            }
        }
    }
}

#[test]
fn finding_int8_moves_every_frontier_to_lower_latency_by_less_than_2x() {
    let r = paper();
    let e = &r.evaluations;
    // Every candidate: INT8 is faster, by less than 2×, in every objective.
    for i in 0..e.len() {
        for o in Objective::ALL {
            let (fp16, int8) = (e.metrics(i, 0).latency(o), e.metrics(i, 1).latency(o));
            assert!(int8 < fp16 && 2.0 * int8 > fp16, "candidate {i} {o:?}");
        }
    }
    // Frontiers at matched loss: the fastest INT8 design reaching an FP16 frontier point's
    // loss is faster than it, but not twice as fast. Among designs that fit in FP16: INT8
    // halves the weights, so it also fits larger models (up to 58 GB, beyond the 64 GB
    // device in FP16), which reach the top FP16 losses at a lower latency.
    let both: Vec<usize> = (0..e.len())
        .filter(|&i| e.metrics(i, 0).fits && e.metrics(i, 1).fits)
        .collect();
    assert!(both.len() < e.len());
    for o in Objective::ALL {
        let points = |p: usize| -> Vec<(f64, f64)> {
            both.iter()
                .map(|&i| (e.metrics(i, p).latency(o), e.candidates[i].loss))
                .collect()
        };
        let (p16, p8) = (points(0), points(1));
        let (f16, f8) = (frontier(&p16), frontier(&p8));
        assert_eq!(f16.len(), r.frontier(o, 0, &Constraints::default()).len());
        for &a in &f16 {
            let b = *f8
                .iter()
                .find(|&&b| p8[b].1 <= p16[a].1)
                .expect("INT8 reaches it");
            let (fp16, int8) = (p16[a].0, p8[b].0);
            assert!(int8 < fp16 && 2.0 * int8 > fp16, "{o:?}: {fp16} vs {int8}");
        }
    }
}

/// The findings sentence of the frontier panel: shares and median computed by their
/// definition from the frontier's trend points, on every paper frontier.
#[test]
fn findings_follow_their_definition_on_every_paper_frontier() {
    let r = paper();
    let most = r.evaluations.candidates.iter().map(|c| c.experts).max();
    assert_eq!(most, Some(16), "the paper grid's largest expert count");
    for o in Objective::ALL {
        for p in 0..2 {
            let frontier = r.frontier(o, p, &Constraints::default());
            let t = trends(r, &frontier);
            let f = findings(r, &frontier);
            assert_eq!(f.moe_share, share(&t, |x| x.experts > 1), "{o:?} {p}");
            assert_eq!(
                f.most_experts_top1_share,
                share(&t, |x| x.experts == 16 && x.active == 1),
                "{o:?} {p}"
            );
            let mut ratios: Vec<f32> = t.iter().map(|x| x.ffn_ratio).collect();
            ratios.sort_by(f32::total_cmp);
            assert_eq!(f.median_ffn_ratio, ratios[ratios.len() / 2] as f64);
            assert!(f.moe_share >= 0.95, "{o:?} {p}: {}", f.moe_share);
        }
    }
    let empty = findings(r, &[]);
    assert_eq!((empty.moe_share, empty.most_experts_top1_share), (0.0, 0.0));
    assert!(empty.median_ffn_ratio.is_nan());
}

/// A reference model is scored as the candidates are: the report's law at its parameter count
/// and training tokens, the roofline on the report's device, workload and precision.
#[test]
fn a_reference_is_scored_with_the_reports_law_and_roofline() {
    let r = paper();
    let qwen = qwen2_5_0_5b();
    for p in 0..2 {
        let s = score_reference(&qwen, r, p);
        // 494,032,768 parameters (public/docs/reference.md).
        assert_eq!(s.params, 494_032_768.0);
        // Loss 3.475 is the law's sanity value for Qwen2.5-0.5B (method.md §2).
        assert_eq!((s.loss * 1000.0).round(), 3475.0);
        let direct = evaluate(&qwen, &r.device, r.evaluations.precisions[p], &r.workload);
        assert_eq!(s.latency, direct);
        for o in Objective::ALL {
            let m = matched_latency(&qwen, r, o, p, &Constraints::default());
            assert_eq!(m.reference_loss, s.loss);
            assert_eq!(m.reference_latency_s, o.of(&s.latency));
        }
    }
}

/// Each objective means one latency, the same in a roofline report and in the search's
/// compact metrics.
#[test]
fn objectives_read_the_same_latency_from_a_report_and_from_metrics() {
    let r = paper();
    let e = &r.evaluations;
    for i in [0, e.len() / 2, e.len() - 1] {
        let arch = r.architecture(i);
        let lat = evaluate(&arch, &r.device, e.precisions[0], &r.workload);
        let m = e.metrics(i, 0);
        let expected = [
            (Objective::Prefill, lat.prefill_s),
            (Objective::Decode, lat.decode_s),
            (Objective::Total, lat.total_s),
        ];
        for (o, seconds) in expected {
            assert_eq!(o.of(&lat), seconds);
            assert_eq!(m.latency(o), seconds as f32 as f64, "{o:?} candidate {i}");
        }
    }
}

#[test]
fn matched_latency_against_qwen2_5_0_5b() {
    let qwen = qwen2_5_0_5b();
    let r = paper();
    for o in Objective::ALL {
        for p in 0..2 {
            let m = matched_latency(&qwen, r, o, p, &Constraints::default());
            // Loss 3.475 is the law's sanity value for Qwen2.5-0.5B (method.md §2).
            assert_eq!((m.reference_loss * 1000.0).round(), 3475.0);
            let best = m.best.unwrap();
            assert!(best.latency_s <= m.reference_latency_s);
            let ppl = m.best_perplexity.unwrap();
            assert_eq!(ppl, best.loss.exp());
            let pct = m.perplexity_improvement_pct.unwrap();
            assert!((pct - (1.0 - ppl / m.reference_perplexity) * 100.0).abs() < 1e-9);
            // Measured: 24–28 % lower perplexity at matched latency (the paper measures
            // 19.42 % on WikiText-2 with trained models).
            assert!((20.0..30.0).contains(&pct), "{o:?} {p}: {pct}");
        }
    }
}

/// Regression (issue "Honest answers", 8): the page showed only the law's prediction
/// (−25.60 % by default) with "ppl 32.31" as if it were Qwen's perplexity. The headline now
/// puts the paper's measured WikiText-2 numbers (63.14 → 50.88, −19.42 %, method.md §2) next
/// to the prediction and says that 32.31 is exp(predicted loss) at the law's 10 B tokens
/// (Qwen2.5-0.5B's predicted loss ≈ 3.475, method.md §2).
#[test]
fn headline_shows_the_papers_measured_perplexity_beside_the_predicted_one() {
    use roofscale::model::headline::{headline_lines, PAPER_HEADLINE};
    let r = paper();
    let qwen = qwen2_5_0_5b();
    let m = matched_latency(&qwen, r, Objective::Decode, 0, &Constraints::default());
    assert_eq!(r.settings.training_tokens(), 10e9);
    let lines = headline_lines("Qwen2.5-0.5B", &m, r.settings.training_tokens());
    assert!(
        lines
            .measured
            .contains("perplexity 63.14 → 50.88 (−19.42 %)"),
        "{}",
        lines.measured
    );
    assert!(lines.measured.contains("WikiText-2"));
    assert_eq!(PAPER_HEADLINE.reference_ppl, 63.14);
    // exp(3.475) = 32.30; the law's exact loss gives 32.3x.
    assert_eq!((m.reference_loss * 1000.0).round(), 3475.0);
    let ppl = format!("{:.2}", m.reference_loss.exp());
    assert!(ppl.starts_with("32.3"), "{ppl}");
    assert!(
        lines.meaning.starts_with(&format!(
            "“ppl {ppl}” is exp(predicted loss {:.4})",
            m.reference_loss
        )),
        "{}",
        lines.meaning
    );
    assert!(lines.meaning.contains("trained on 10 B tokens"));
    assert!(lines.meaning.contains("not Qwen2.5-0.5B's real perplexity"));
    let predicted = lines.predicted.unwrap();
    let pct = m.perplexity_improvement_pct.unwrap();
    assert_eq!(
        predicted,
        format!(
            "Predicted by the law: perplexity {ppl} → {:.2} (−{pct:.2} %)",
            m.best_perplexity.unwrap()
        )
    );
    // Without a design as fast as the reference there is no predicted line, but the paper's
    // numbers and the meaning stay.
    let none = roofscale::model::search::MatchedReport {
        best: None,
        best_perplexity: None,
        loss_improvement: None,
        perplexity_improvement_pct: None,
        ..m
    };
    let lines = headline_lines("Qwen2.5-0.5B", &none, 10e9);
    assert_eq!(lines.predicted, None);
    assert!(lines.measured.contains("−19.42 %"));
}

#[test]
fn cached_frontiers_are_kept_apart_per_constraints_and_match_a_fresh_computation() {
    let r = paper();
    let ranged = Constraints::default()
        .with_param_range(Some(2e8), Some(6e8))
        .unwrap();
    let all = r.frontier(Objective::Decode, 0, &Constraints::default());
    let within = r.frontier(Objective::Decode, 0, &ranged);
    assert_ne!(
        all, within,
        "a parameter range must change the decode frontier"
    );
    for p in &within {
        let n = r.evaluations.candidates[p.candidate].params_total as f64;
        assert!((2e8..=6e8).contains(&n), "{n} parameters outside the range");
    }
    // Asked again (cached) and on a copy (a fresh cache): the same answers.
    assert_eq!(
        r.frontier(Objective::Decode, 0, &Constraints::default()),
        all
    );
    let copy = r.clone();
    assert_eq!(copy.frontier(Objective::Decode, 0, &ranged), within);
    assert_eq!(
        copy.frontier(Objective::Decode, 0, &Constraints::default()),
        all
    );
    // Another precision is another frontier.
    assert_ne!(
        r.frontier(Objective::Decode, 1, &Constraints::default()),
        all
    );
}

// ---------------------------------------------------------------------------------------------
// Attention kinds

#[test]
fn attention_kinds_parse_and_print_back() {
    use roofscale::model::search::AttentionKind;
    for text in ["full", "swa:512/6", "swa:4096", "mla:512", "mla:256/32"] {
        let kind = AttentionKind::parse(text).unwrap();
        assert_eq!(kind.to_string(), text);
    }
    assert_eq!(
        AttentionKind::parse(" SWA:1024/2 ").unwrap(),
        AttentionKind::Sliding {
            window: 1024,
            global_every: 2
        }
    );
    let e = AttentionKind::parse("local").unwrap_err();
    assert_eq!(
        e,
        "expected \"full\", \"swa:W/k\" or \"mla:R\", found \"local\""
    );
    assert_eq!(
        AttentionKind::parse("MLA:512").unwrap(),
        AttentionKind::Mla {
            kv_lora_rank: 512,
            rope_dim: 64
        }
    );
    assert!(AttentionKind::parse("mla:")
        .unwrap_err()
        .starts_with("the latent rank"));
    let e = AttentionKind::parse("swa:0/6").unwrap_err();
    assert!(
        e.starts_with("the window in \"swa:0/6\" must be a whole number"),
        "{e}"
    );
    let e = AttentionKind::parse("swa:512/x").unwrap_err();
    assert!(e.starts_with("the global-layer period"), "{e}");
}

#[test]
fn a_sliding_window_twin_has_the_same_parameters_and_loss_and_a_faster_long_decode() {
    use roofscale::model::search::AttentionKind;
    let swa = AttentionKind::Sliding {
        window: 512,
        global_every: 6,
    };
    let spec = SearchSpaceSpec {
        layers: vec![12, 24],
        hidden: vec![1024, 2048],
        attention: vec![AttentionKind::Full, swa],
        ..SearchSpaceSpec::default()
    };
    let both = SearchSpace::new(spec.clone()).unwrap();
    let full = SearchSpace::new(SearchSpaceSpec {
        attention: vec![AttentionKind::Full],
        ..spec
    })
    .unwrap();
    assert_eq!(both.count(), 2 * full.count());
    // A long prompt, where the window matters.
    let workload = Workload::new(roofscale::model::workload::WorkloadSpec {
        prompt_tokens: 8192,
        generated_tokens: 64,
        ..Default::default()
    })
    .unwrap();
    let report = search(
        &both,
        &law(),
        &Device::default(),
        &PRECISIONS,
        &workload,
        &SearchSettings::default(),
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap();
    let e = &report.evaluations;
    let mut twins = 0;
    for (i, c) in e.candidates.iter().enumerate() {
        let arch = report.architecture(i);
        if c.attention == 0 {
            assert_eq!(arch.spec().sliding_window, None);
            continue;
        }
        assert_eq!(arch.spec().sliding_window, swa.sliding_window());
        // Its full-attention twin: same shape, the other attention kind.
        let t = e
            .candidates
            .iter()
            .position(|o| {
                o.attention == 0
                    && (
                        o.layers,
                        o.hidden,
                        o.kv_heads,
                        o.experts,
                        o.active,
                        o.ffn_ratio,
                    ) == (
                        c.layers,
                        c.hidden,
                        c.kv_heads,
                        c.experts,
                        c.active,
                        c.ffn_ratio,
                    )
            })
            .unwrap();
        assert_eq!(e.candidates[t].params_total, c.params_total);
        assert_eq!(
            e.candidates[t].loss, c.loss,
            "the law does not see the window"
        );
        assert!(e.metrics(i, 0).decode_s < e.metrics(t, 0).decode_s);
        assert!(e.metrics(i, 0).memory_bytes < e.metrics(t, 0).memory_bytes);
        twins += 1;
    }
    assert_eq!(twins as u64, full.count());
}

#[test]
fn a_space_saved_before_attention_kinds_loads_as_full_attention() {
    let mut json: serde_json::Value = serde_json::to_value(SearchSpaceSpec::default()).unwrap();
    json.as_object_mut().unwrap().remove("attention");
    let spec: SearchSpaceSpec = serde_json::from_value(json).unwrap();
    assert_eq!(spec, SearchSpaceSpec::default());
}

#[test]
fn mla_candidates_come_once_per_width_and_head_dim_with_a_latent_cache() {
    use roofscale::model::arch::Attention;
    use roofscale::model::search::AttentionKind;
    let mla = AttentionKind::Mla {
        kv_lora_rank: 256,
        rope_dim: 64,
    };
    let spec = SearchSpaceSpec {
        layers: vec![8, 16],
        hidden: vec![768, 1024, 2048],
        head_dims: vec![64, 128],
        attention: vec![AttentionKind::Full, mla],
        ..SearchSpaceSpec::default()
    };
    let both = SearchSpace::new(spec.clone()).unwrap();
    let full = SearchSpace::new(SearchSpaceSpec {
        attention: vec![AttentionKind::Full],
        ..spec.clone()
    })
    .unwrap();
    // Every (hidden, head dim) pair divides here: 3 × 2 MLA shapes per (l, E:K, r).
    let per_shape = (spec.layers.len() * spec.experts.len() * spec.ffn_ratios.len()) as u64;
    assert_eq!(both.count(), full.count() + 6 * per_shape);
    let mut seen = HashSet::new();
    let mut mla_count = 0;
    for i in 0..both.count() {
        let p = both.point(i).unwrap();
        if p.attention != mla {
            continue;
        }
        mla_count += 1;
        let key = (
            p.layers,
            p.hidden,
            p.head_dim,
            p.experts,
            p.ffn_ratio.to_bits(),
        );
        assert!(seen.insert(key), "MLA candidate {key:?} twice");
        let arch = both.candidate(i).unwrap();
        let heads = p.hidden / p.head_dim;
        assert_eq!(p.kv_heads, heads);
        assert!(matches!(
            arch.spec().attention,
            Attention::Mla { heads: h, kv_lora_rank: 256, qk_rope_dim: 64, qk_nope_dim, v_head_dim, .. }
                if h == heads && qk_nope_dim == p.head_dim && v_head_dim == p.head_dim
        ));
        let x = LawInputs::from_arch(&arch, 1e9, 1e10);
        assert_eq!(x.kv_width, 256.0 + 64.0, "the law reads d_c + d_r");
    }
    assert_eq!(mla_count as u64, 6 * per_shape);
    // Refinement moves stay in the space; an MLA candidate's width neighbours are MLA too.
    for i in (0..both.count()).step_by(7) {
        let here = both.point(i).unwrap();
        for n in both.neighbours(i) {
            assert!(n < both.count() && n != i);
            let there = both.point(n).unwrap();
            if here.attention == mla && there.hidden != here.hidden {
                assert_eq!(there.attention, mla, "{here:?} -> {there:?}");
            }
        }
    }
    // The latent cache is smaller than the MHA cache of the same shape at 2048 wide.
    let w = Workload::default();
    let d = Device::default();
    let find = |attention: AttentionKind, kv: u32| {
        (0..both.count())
            .find(|&i| {
                let p = both.point(i).unwrap();
                p.attention == attention
                    && p.hidden == 2048
                    && p.head_dim == 128
                    && p.kv_heads == kv
                    && p.layers == 16
            })
            .map(|i| both.candidate(i).unwrap())
            .unwrap()
    };
    let latent = evaluate(&find(mla, 16), &d, Precision::FP16, &w);
    let mha = evaluate(&find(AttentionKind::Full, 16), &d, Precision::FP16, &w);
    assert!(latent.kv_cache_bytes < mha.kv_cache_bytes / 5.0);
}

#[test]
fn an_mla_kind_too_wide_for_the_size_limits_is_refused_by_name() {
    use roofscale::model::search::AttentionKind;
    let e = SearchSpace::new(SearchSpaceSpec {
        hidden: vec![1 << 19],
        head_dims: vec![1],
        kv_heads: vec![KvHeads::Mha],
        attention: vec![AttentionKind::Mla {
            kv_lora_rank: 64,
            rope_dim: 64,
        }],
        ffn_ratios: vec![0.5],
        experts: vec![ExpertChoice::DENSE],
        layers: vec![1],
        ..SearchSpaceSpec::default()
    })
    .unwrap_err();
    assert_eq!(e.field, "attention", "{e}");
}
