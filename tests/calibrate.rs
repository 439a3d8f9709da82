//! Device calibration: the tabulated roofline equals `evaluate`, known fractions and overhead
//! are recovered, thin or contradictory data give warnings, every CSV error is worded exactly,
//! the shipped example calibrates back to the numbers it was generated from, and the parser
//! survives mutated input.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::calibrate::{
    calibrate, calibrated_device, parse_measurements_csv, Calibration, CalibrationError,
    CalibrationRecord, CalibrationWarning, Measurement, MeasurementSpec, MeasurementsErrorKind,
    Param, EXAMPLE_MEASUREMENTS_CSV, MEASUREMENTS_TEMPLATE_CSV,
};
use roofscale::model::device::{device_presets, parse_devices_json, Device};
use roofscale::model::format_fractions::FormatFractions;
use roofscale::model::hf_config::{import_hf_config, reference_presets};
use roofscale::model::precision::Precision;
use roofscale::model::roofline::{evaluate, Phase};
use roofscale::model::workload::{OperatorSet, WorkloadSpec};

// ---------------------------------------------------------------------------------------------
// Builders

fn device(name: &str) -> Device {
    device_presets()
        .into_iter()
        .find(|d| d.name() == name)
        .unwrap()
}

fn nano() -> Device {
    device("Jetson Orin Nano Super 8GB")
}

/// A run of a preset model with placeholder times (both phases when it generates tokens).
fn run(model: &str, precision: Precision, batch: u32, prompt: u32, generated: u32) -> Measurement {
    let json = reference_presets()
        .into_iter()
        .find(|(n, _)| *n == model)
        .unwrap()
        .1;
    Measurement::new(MeasurementSpec {
        line: 0,
        device: None,
        model: model.to_string(),
        arch: import_hf_config(json).unwrap().arch.spec().clone(),
        precision,
        workload: WorkloadSpec {
            batch,
            prompt_tokens: prompt,
            generated_tokens: generated,
            operators: OperatorSet::Full,
            activation_sparsity: 0.0,
            fused_attention: false,
        },
        prefill_s: Some(1.0),
        decode_s: (generated > 0).then_some(1.0),
    })
    .unwrap()
}

/// The same run with the times `truth` predicts on `device`, scaled by `noise()` each.
fn measured(
    m: &Measurement,
    device: &Device,
    truth: Calibration,
    mut noise: impl FnMut() -> f64,
) -> Measurement {
    let p = truth.predict(device, m);
    let mut spec = m.spec().clone();
    spec.prefill_s = p.prefill_s.map(|t| t * noise());
    spec.decode_s = p.decode_s.map(|t| t * noise());
    Measurement::new(spec).unwrap()
}

/// A varied set of runs: four models (one with a sliding window), four precisions, batch 1
/// and 4, short and long prompts.
fn varied_runs() -> Vec<Measurement> {
    use Precision as P;
    vec![
        run("Qwen2.5-0.5B", P::FP16, 1, 128, 64),
        run("Qwen2.5-0.5B", P::FP16, 1, 1024, 256),
        run("Qwen2.5-0.5B", P::INT8, 1, 512, 128),
        run("Qwen2.5-0.5B", P::FP16, 4, 512, 128),
        run("Llama-3.2-1B", P::FP16, 1, 2048, 64),
        run("Llama-3.2-1B", P::W4A16, 1, 256, 128),
        run("SmolLM2-360M", P::W8A16, 1, 1024, 32),
        run("SmolLM2-360M", P::INT8, 1, 64, 512),
        run("Gemma-3-1B", P::FP16, 1, 300, 400),
    ]
}

const TRUTH: Calibration = Calibration {
    bandwidth_fraction: 0.58,
    compute_fraction: 0.57,
    layer_overhead_s: 0.0001,
    format_bandwidth: FormatFractions::NONE,
};

/// [`varied_runs`] measured at [`TRUTH`] on `d`, the k-th on line k + 2 of a file.
fn truth_runs_with_lines(d: &Device) -> Vec<Measurement> {
    varied_runs()
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut spec = measured(m, d, TRUTH, || 1.0).spec().clone();
            spec.line = i + 2;
            Measurement::new(spec).unwrap()
        })
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn has_warning(warnings: &[CalibrationWarning], f: impl Fn(&CalibrationWarning) -> bool) -> bool {
    warnings.iter().any(f)
}

/// `m` without its prefill time: a decode-only row.
fn decode_only(m: &Measurement) -> Measurement {
    let mut spec = m.spec().clone();
    spec.prefill_s = None;
    Measurement::new(spec).unwrap()
}

/// The first warning `f` accepts; the test fails, listing them all, when there is none.
fn warning(
    warnings: &[CalibrationWarning],
    f: impl Fn(&CalibrationWarning) -> bool,
) -> &CalibrationWarning {
    warnings
        .iter()
        .find(|w| f(w))
        .unwrap_or_else(|| panic!("{warnings:?}"))
}

// ---------------------------------------------------------------------------------------------
// The tabulated roofline

#[test]
fn tabulated_phases_equal_evaluate_at_the_devices_fractions() {
    let mut devices = vec![nano(), device("Raspberry Pi 5 8GB"), Device::default()];
    devices.push(
        devices[2]
            .with_bandwidth_fraction(0.37)
            .unwrap()
            .with_compute_fraction(0.08)
            .unwrap(),
    );
    // Gemma 3's window is 512: these decode ranges end before it, straddle it, start beyond it.
    let workloads = [
        (1, 128, 64),
        (1, 400, 300),
        (4, 1024, 16),
        (1, 700, 1),
        (2, 1, 2000),
        (1, 511, 2),
    ];
    for (name, _) in reference_presets() {
        for precision in Precision::PRESETS {
            for (b, s_in, s_out) in workloads {
                let m = run(name, precision, b, s_in, s_out);
                for d in &devices {
                    let want = evaluate(m.arch(), d, precision, m.workload());
                    let got = Calibration::of_device(d).predict(d, &m);
                    let label = format!("{name} {precision} {b} {s_in} {s_out} on {}", d.name());
                    assert!(
                        rel(got.prefill_s.unwrap(), want.prefill_s) < 1e-12,
                        "prefill {label}"
                    );
                    assert!(
                        rel(got.decode_s.unwrap(), want.decode_s) < 1e-10,
                        "decode {label}: {} vs {}",
                        got.decode_s.unwrap(),
                        want.decode_s
                    );
                }
            }
        }
    }
}

#[test]
fn overhead_adds_one_step_of_layers_to_prefill_and_s_out_steps_to_decode() {
    // Qwen2.5-0.5B has 24 layers: 0.1 ms per layer is 2.4 ms per step.
    let m = run("Qwen2.5-0.5B", Precision::FP16, 1, 256, 100);
    assert_eq!(m.arch().spec().layers, 24);
    let d = nano();
    let base = Calibration {
        layer_overhead_s: 0.0,
        ..TRUTH
    };
    let (a, b) = (base.predict(&d, &m), TRUTH.predict(&d, &m));
    assert!((b.prefill_s.unwrap() - a.prefill_s.unwrap() - 0.0024).abs() < 1e-12);
    assert!((b.decode_s.unwrap() - a.decode_s.unwrap() - 0.24).abs() < 1e-12);
    // The same overhead on the device: evaluate adds the same.
    let with = d.with_layer_overhead_ms(0.1).unwrap();
    let (e0, e1) = (
        evaluate(m.arch(), &d, Precision::FP16, m.workload()),
        evaluate(m.arch(), &with, Precision::FP16, m.workload()),
    );
    assert!((e1.prefill_s - e0.prefill_s - 0.0024).abs() < 1e-12);
    assert!((e1.decode_s - e0.decode_s - 0.24).abs() < 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Recovery

#[test]
fn recovers_known_fractions_and_overhead_from_noise_free_data() {
    for (d, truth) in [
        (nano(), TRUTH),
        (
            Device::default(),
            Calibration {
                bandwidth_fraction: 0.31,
                compute_fraction: 0.83,
                layer_overhead_s: 0.00002,
                format_bandwidth: Default::default(),
            },
        ),
        (
            device("Raspberry Pi 5 8GB"),
            Calibration {
                bandwidth_fraction: 0.23,
                compute_fraction: 0.12,
                layer_overhead_s: 0.0004,
                format_bandwidth: Default::default(),
            },
        ),
    ] {
        let runs: Vec<Measurement> = varied_runs()
            .iter()
            .map(|m| measured(m, &d, truth, || 1.0))
            .collect();
        let r = calibrate(&d, &runs).unwrap();
        assert!(
            rel(r.bandwidth_fraction, truth.bandwidth_fraction) < 1e-3,
            "{r:?}"
        );
        assert!(
            rel(r.compute_fraction, truth.compute_fraction) < 1e-3,
            "{r:?}"
        );
        assert!(
            rel(r.layer_overhead_s, truth.layer_overhead_s) < 1e-3,
            "{r:?}"
        );
        assert!(r.mape_after < 1e-3, "{}", r.mape_after);
        assert!(r.mape_before > 10.0);
        assert_eq!(r.warnings, [], "{}", d.name());
        assert_eq!(r.rows.len(), 18);
    }
}

#[test]
fn recovers_within_a_few_percent_from_two_percent_noise() {
    let d = nano();
    let mut runs = varied_runs();
    for (model, precision, b, s_in, s_out) in EXAMPLE_RUNS {
        runs.push(run(model, precision.parse().unwrap(), b, s_in, s_out));
    }
    for seed in 0..10 {
        let mut rng = SmallRng::seed_from_u64(0xca1b_0000 + seed);
        // Uniform with a standard deviation of 2 %.
        let mut noise = || 1.0 + 0.02 * 3f64.sqrt() * rng.random_range(-1.0..1.0);
        let noisy: Vec<Measurement> = runs
            .iter()
            .map(|m| measured(m, &d, TRUTH, &mut noise))
            .collect();
        let r = calibrate(&d, &noisy).unwrap();
        assert!(rel(r.bandwidth_fraction, 0.58) < 0.03, "seed {seed}: {r:?}");
        assert!(rel(r.compute_fraction, 0.57) < 0.03, "seed {seed}: {r:?}");
        // 2–3 ms is a tenth of a decode step here, so 2 % noise on the step is 20 % on it.
        assert!(
            rel(r.layer_overhead_s, 0.0001) < 0.2,
            "seed {seed}: {}",
            r.layer_overhead_s
        );
        assert!(r.mape_after < 3.0, "seed {seed}: {}", r.mape_after);
        assert_eq!(r.warnings, [], "seed {seed}");
    }
}

// ---------------------------------------------------------------------------------------------
// Warnings instead of failures

#[test]
fn a_single_decode_time_fits_only_the_bandwidth_fraction() {
    let d = nano();
    let mut m = run("Qwen2.5-0.5B", Precision::FP16, 1, 512, 128)
        .spec()
        .clone();
    m.prefill_s = None;
    m.decode_s = Some(2.0);
    let r = calibrate(&d, &[Measurement::new(m).unwrap()]).unwrap();
    assert!(r.fitted.bandwidth_fraction && !r.fitted.compute_fraction && !r.fitted.overhead);
    assert_eq!((r.compute_fraction, r.layer_overhead_s), (1.0, 0.0));
    assert!(
        r.mape_after < 1e-6,
        "one equation, one unknown: {}",
        r.mape_after
    );
    // Decode does not depend on the compute fraction at the device's numbers (no operator
    // is compute-bound), and one time cannot fit an overhead besides the bandwidth fraction.
    assert_eq!(
        r.warnings,
        [
            CalibrationWarning::FewMeasurements {
                phases: 1,
                kept: vec![Param::Overhead],
            },
            CalibrationWarning::NotDetermined {
                param: Param::ComputeFraction,
                largest_share: 0.0,
                kept: 1.0
            }
        ]
    );
    assert_eq!(
        r.warnings[0].to_string(),
        "1 measured time cannot determine more than 1 parameter: kept the overhead at the device's value; \
         measure more models, lengths or phases"
    );
}

#[test]
fn a_single_row_with_both_phases_fits_both_fractions_and_no_overhead() {
    let d = nano();
    let m = measured(
        &run("Llama-3.2-1B", Precision::FP16, 1, 1024, 64),
        &d,
        Calibration {
            layer_overhead_s: 0.0,
            ..TRUTH
        },
        || 1.0,
    );
    let r = calibrate(&d, &[m]).unwrap();
    assert!(rel(r.bandwidth_fraction, 0.58) < 1e-3, "{r:?}");
    assert!(rel(r.compute_fraction, 0.57) < 1e-3, "{r:?}");
    assert_eq!(
        r.warnings,
        [CalibrationWarning::FewMeasurements {
            phases: 2,
            kept: vec![Param::Overhead],
        }]
    );
}

#[test]
fn decode_only_data_leave_the_compute_fraction_at_the_devices_value() {
    let rated = nano();
    for d in [rated.clone(), rated.with_compute_fraction(0.57).unwrap()] {
        let runs: Vec<Measurement> = varied_runs()
            .iter()
            .map(|m| decode_only(&measured(m, &d, TRUTH, || 1.0)))
            .collect();
        let r = calibrate(&d, &runs).unwrap();
        assert!(!r.fitted.compute_fraction && r.fitted.bandwidth_fraction && r.fitted.overhead);
        let kept = d.spec().compute_fraction;
        assert_eq!(r.compute_fraction, kept);
        // Decode is memory-bound at either compute fraction, so b and o are still exact.
        assert!(rel(r.bandwidth_fraction, 0.58) < 1e-3, "{r:?}");
        assert!(rel(r.layer_overhead_s, 0.0001) < 1e-3, "{r:?}");
        assert!(matches!(
            r.warnings.as_slice(),
            [CalibrationWarning::NotDetermined {
                param: Param::ComputeFraction,
                kept: k,
                ..
            }] if *k == kept
        ));
        assert!(r.warnings[0]
            .to_string()
            .starts_with("the compute fraction is not determined by these measurements"));
    }
}

#[test]
fn contradictory_rows_are_fitted_and_called_inconsistent() {
    let d = nano();
    let mut rng = SmallRng::seed_from_u64(7);
    // Times off by random factors between 1/10 and 10.
    let runs: Vec<Measurement> = varied_runs()
        .iter()
        .map(|m| measured(m, &d, TRUTH, || 10f64.powf(rng.random_range(-1.0..1.0))))
        .collect();
    let r = calibrate(&d, &runs).unwrap();
    assert!(r.mape_after > 25.0);
    assert!(has_warning(&r.warnings, |w| matches!(
        w,
        CalibrationWarning::Inconsistent { mape_after } if *mape_after == r.mape_after
    )));
    for f in [r.bandwidth_fraction, r.compute_fraction] {
        assert!(f > 0.0 && f <= 1.0);
    }
    assert!(r.layer_overhead_s >= 0.0);
}

#[test]
fn a_device_faster_than_rated_ends_on_the_bound() {
    let d = nano();
    // Twice as fast as the rated roofline: the fractions would have to be 2.
    let runs: Vec<Measurement> = varied_runs()
        .iter()
        .map(|m| {
            let calib = Calibration::of_device(&d);
            measured(m, &d, calib, || 0.5)
        })
        .collect();
    let r = calibrate(&d, &runs).unwrap();
    assert_eq!((r.bandwidth_fraction, r.compute_fraction), (1.0, 1.0));
    for param in [Param::BandwidthFraction, Param::ComputeFraction] {
        assert!(has_warning(&r.warnings, |w| *w
            == CalibrationWarning::AtBound { param, bound: 1.0 }));
    }
    assert!(has_warning(&r.warnings, |w| matches!(
        w,
        CalibrationWarning::Inconsistent { .. }
    )));
    // Every phase is 50 % faster than the rated bound, and is named.
    let faster = r
        .warnings
        .iter()
        .find_map(|w| match w {
            CalibrationWarning::FasterThanRoofline { rows } => Some(rows.clone()),
            _ => None,
        })
        .expect("runs faster than the rated roofline are flagged");
    assert_eq!(faster.len(), r.rows.len());
    assert!(faster.iter().all(|(_, _, pct)| (pct - 50.0).abs() < 1e-6));
}

/// Only the rows below the rated bound are flagged: runs at fractions under 1 are slower
/// than it, one run made 20 % faster than it is named by its line.
#[test]
fn one_run_faster_than_the_rated_roofline_is_named_by_its_line() {
    let d = nano();
    let rated = Calibration::RATED;
    let mut runs: Vec<Measurement> = truth_runs_with_lines(&d);
    let r = calibrate(&d, &runs).unwrap();
    assert!(!has_warning(&r.warnings, |w| matches!(
        w,
        CalibrationWarning::FasterThanRoofline { .. }
    )));
    runs[2] = decode_only(&measured(&runs[2], &d, rated, || 0.8));
    let r = calibrate(&d, &runs).unwrap();
    let w = warning(&r.warnings, |w| {
        matches!(w, CalibrationWarning::FasterThanRoofline { .. })
    });
    let CalibrationWarning::FasterThanRoofline { rows } = w else {
        unreachable!()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 4);
    assert!((rows[0].2 - 20.0).abs() < 1e-6, "{rows:?}");
    assert!(w.to_string().contains("line 4 ("), "{w}");
}

#[test]
fn nothing_to_fit_is_an_error() {
    assert_eq!(
        calibrate(&nano(), &[]).unwrap_err(),
        CalibrationError::NoMeasurements
    );
}

// ---------------------------------------------------------------------------------------------
// CSV import

fn csv_err(text: &str) -> String {
    parse_measurements_csv("runs.csv", text)
        .unwrap_err()
        .to_string()
}

/// The first row issue, as the UI lists it.
fn row_issue(text: &str) -> String {
    let t = parse_measurements_csv("runs.csv", text).unwrap();
    t.issues[0].in_file("runs.csv")
}

const HEADER: &str = "model,precision,batch,prompt_tokens,generated_tokens,prefill_ms,decode_ms";
const GOOD_ROW: &str = "Qwen2.5-0.5B,fp16,1,512,128,60,2400";

/// Issue 15: a file that says `q4_0` or `q8_0` is read, not refused.
#[test]
fn reads_gguf_and_other_weight_formats() {
    let text = format!(
        "{HEADER}\nQwen2.5-0.5B,q4_0,1,512,128,60,2400\nQwen2.5-0.5B,Q4_K_M,1,512,128,60,2400\n\
         Qwen2.5-0.5B,q4f16_1,1,512,128,60,2400\nQwen2.5-0.5B,custom:4.25,1,512,128,60,2400\n\
         Qwen2.5-0.5B,q9_0,1,512,128,60,2400\n"
    );
    let t = parse_measurements_csv("runs.csv", &text).unwrap();
    let names: Vec<String> = t
        .measurements
        .iter()
        .map(|m| m.precision().name())
        .collect();
    assert_eq!(names, ["Q4_0", "Q4_K_M", "q4f16_1", "custom 4.25 bpw"]);
    assert_eq!(t.issues.len(), 1);
    assert!(t.issues[0]
        .in_file("runs.csv")
        .contains("'q9_0' is not a precision"));
}

#[test]
fn reads_units_aliases_comments_and_semicolons() {
    let text = "# runs on my board\n\
                \n\
                Model;Precision;B;S_in;S_out;Prefill (s);Decode tokens/s;Notes\n\
                qwen2.5-0.5b;int8;2;512;100;0.05;40;warm\n\
                # a comment between rows\n\
                Llama-3.2-1B;W4A16;;256;50;;25;\n";
    let t = parse_measurements_csv("runs.csv", text).unwrap();
    assert_eq!(t.delimiter, ';');
    assert_eq!(t.ignored, ["Notes"]);
    assert_eq!(t.issues, []);
    let (a, b) = (&t.measurements[0], &t.measurements[1]);
    assert_eq!((a.line(), b.line()), (4, 6));
    assert_eq!(a.spec().model, "Qwen2.5-0.5B");
    assert_eq!(a.precision(), Precision::INT8);
    assert_eq!(a.prefill_s(), Some(0.05));
    // 40 tokens/s over the 2 × 100 generated tokens.
    assert_eq!(a.decode_s(), Some(5.0));
    assert_eq!(b.precision(), Precision::W4A16);
    assert_eq!(b.workload().batch(), 1);
    assert_eq!((b.prefill_s(), b.decode_s()), (None, Some(2.0)));
    assert_eq!(b.label(), "Llama-3.2-1B, W4A16, B=1, 256→50");
}

#[test]
fn reads_an_architecture_from_its_columns() {
    let text = "layers,hidden_size,ffn_ratio,num_attention_heads,num_key_value_heads,vocab_size,\
                experts,top_k,precision,prompt_tokens,generated_tokens,decode_ms\n\
                24,896,5.428571,14,2,151936,,,fp16,512,128,2400\n\
                16,1024,2,8,8,32000,8,2,fp16,512,128,900\n";
    let t = parse_measurements_csv("runs.csv", text).unwrap();
    assert_eq!(t.issues, []);
    let dense = t.measurements[0].arch().spec();
    assert_eq!((dense.hidden, dense.intermediate), (896, 4864));
    assert_eq!(t.measurements[0].spec().model, "l=24 d=896");
    let moe = t.measurements[1].arch().spec().moe.unwrap();
    // ffn_ratio is the width of the active experts together: 2 × 1024 over 2 experts.
    assert_eq!(
        (moe.experts, moe.active, moe.expert_intermediate),
        (8, 2, 1024)
    );
    assert_eq!(t.measurements[1].spec().model, "l=16 d=1024 E=8 K=2");
}

#[test]
fn unknown_model_name_names_file_line_and_column() {
    assert_eq!(
        row_issue(&format!(
            "{HEADER}\n{GOOD_ROW}\nQwen-7B,fp16,1,512,128,60,2400\n"
        )),
        "runs.csv line 3, column \"model\": unknown model \"Qwen-7B\" (presets: Qwen2.5-0.5B, \
         Llama-3.2-1B, SmolLM2-360M, Gemma-3-1B, MobileLLM-125M, PLM-1.8B; or give the \
         architecture columns)"
    );
}

#[test]
fn missing_column_names_file_line_and_column() {
    assert_eq!(
        csv_err("# units: ms\nmodel,batch,prompt_tokens,generated_tokens,prefill_ms\nQwen2.5-0.5B,1,512,128,60\n"),
        "runs.csv line 2: missing column \"precision\" (the format the model ran in: fp16, \
         int8, w8a16, w4a16, …)"
    );
    assert_eq!(
        csv_err("precision,prompt_tokens,prefill_ms\nfp16,512,60\n"),
        "runs.csv line 1: missing column \"model\" (a preset name such as Qwen2.5-0.5B, or the \
         architecture columns layers, hidden_size, intermediate_size or ffn_ratio, \
         num_attention_heads and vocab_size)"
    );
    assert_eq!(
        csv_err("model,precision,prompt_tokens,decode_ms\nQwen2.5-0.5B,fp16,512,60\n"),
        "runs.csv line 1: missing column \"generated_tokens\" (decode times need the tokens \
         generated per sequence)"
    );
    assert_eq!(
        csv_err("model,precision,prompt_tokens,generated_tokens\nQwen2.5-0.5B,fp16,512,60\n"),
        "runs.csv line 1: missing column \"prefill_ms\" (a measured time: prefill_ms, prefill_s, \
         decode_ms, decode_s or decode_tokens_per_s)"
    );
}

#[test]
fn bad_number_names_file_line_and_column() {
    let with = |row: &str| row_issue(&format!("{HEADER}\n{GOOD_ROW}\n{row}\n"));
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,abc,2400"),
        "runs.csv line 3, column \"prefill_ms\": expected a number, found \"abc\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,60,-5"),
        "runs.csv line 3, column \"decode_ms\": expected a positive number, found \"-5\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,inf,2400"),
        "runs.csv line 3, column \"prefill_ms\": expected a finite number, found \"inf\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,51.2,128,60,2400"),
        "runs.csv line 3, column \"prompt_tokens\": expected a whole number, found \"51.2\""
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,1e-12,2400"),
        "runs.csv line 3, column \"prefill_ms\": \"1e-12\" gives 1e-15 s, outside the accepted \
         range 1e-9 to 1e7 s"
    );
}

#[test]
fn unknown_precision_names_file_line_and_column() {
    assert_eq!(
        row_issue(&format!(
            "{HEADER}\nQwen2.5-0.5B,fp12,1,512,128,60,2400\n{GOOD_ROW}\n"
        )),
        "runs.csv line 2, column \"precision\": 'fp12' is not a precision (expected fp16, int8, \
         w8a16, w4a16, one number format or a weight format (q8_0, q4_k_m, q4_0, iq4_xs, \
         q4f16_1, awq-int4-g128, nf4, custom:N …))"
    );
}

#[test]
fn other_row_and_file_problems_are_worded_exactly() {
    let with = |row: &str| row_issue(&format!("{HEADER}\n{GOOD_ROW}\n{row}\n"));
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,0,60,2400"),
        "runs.csv line 3, column \"generated_tokens\": a decode time needs at least 1 generated \
         token"
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512,128,,"),
        "runs.csv line 3: no time measured: the prefill and decode cells are empty"
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,1,512"),
        "runs.csv line 3: expected 7 fields, found 4"
    );
    assert_eq!(
        with("Qwen2.5-0.5B,fp16,0,512,128,60,2400"),
        "runs.csv line 3, column \"batch\": must be at least 1"
    );
    assert_eq!(
        csv_err("model,precision,prompt_tokens,prefill_time\nQwen2.5-0.5B,fp16,512,60\n"),
        "runs.csv line 1, column \"prefill_time\": no unit the import knows; name the column \
         prefill_ms or prefill_s"
    );
    assert_eq!(
        csv_err(
            "model,precision,prompt_tokens,prefill_ms,prefill_s\nQwen2.5-0.5B,fp16,512,60,0.06\n"
        ),
        "runs.csv: columns \"prefill_ms\" and \"prefill_s\" give the same quantity; keep one"
    );
    assert_eq!(
        csv_err(&format!("{HEADER}\nQwen-7B,fp16,1,512,128,60,2400\n")),
        "runs.csv line 2, column \"model\": unknown model \"Qwen-7B\" (presets: Qwen2.5-0.5B, \
         Llama-3.2-1B, SmolLM2-360M, Gemma-3-1B, MobileLLM-125M, PLM-1.8B; or give the \
         architecture columns) (no usable rows: all 1 rows have problems)"
    );
    assert_eq!(
        csv_err(&format!("# only\n{HEADER}\n")),
        "runs.csv: no data rows below the header"
    );
    assert_eq!(
        csv_err("# only a comment\n"),
        "runs.csv: no header line (the file is empty or only comments)"
    );
    let t = parse_measurements_csv("runs.csv", &format!("{HEADER}\n{GOOD_ROW}\nx\n")).unwrap();
    assert_eq!(t.measurements.len(), 1);
    assert_eq!(t.issues.len(), 1);
}

#[test]
fn device_column_splits_a_file() {
    let text = format!("device,{HEADER}\nnano,{GOOD_ROW}\nPi 5,{GOOD_ROW}\nNano,{GOOD_ROW}\n");
    let t = parse_measurements_csv("runs.csv", &text).unwrap();
    assert_eq!(t.devices(), ["nano", "Pi 5", "Nano"]);
    assert_eq!(t.for_device("NANO").len(), 2);
}

#[test]
fn the_template_states_units_and_its_header_reads() {
    assert!(MEASUREMENTS_TEMPLATE_CSV.starts_with('#'));
    for unit in ["prefill_ms", "decode_tokens_per_s", "prefill_s"] {
        assert!(MEASUREMENTS_TEMPLATE_CSV.contains(unit), "{unit}");
    }
    let e = parse_measurements_csv("template.csv", MEASUREMENTS_TEMPLATE_CSV).unwrap_err();
    assert_eq!(e.kind, MeasurementsErrorKind::NoDataRows);
    let filled = format!(
        "{MEASUREMENTS_TEMPLATE_CSV}Qwen2.5-0.5B,,,,,,,,,,fp16,,512,128,60,2400\n\
         ,24,896,4864,14,2,64,151936,,,int8,1,512,128,40,1500\n"
    );
    let t = parse_measurements_csv("template.csv", &filled).unwrap();
    assert_eq!(t.issues, []);
    assert_eq!(t.ignored, Vec::<String>::new());
    assert_eq!(t.measurements.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The shipped example

/// Runs of the example file: preset models, FP16, INT8, W8A16 and W4A16, batch 1 and 4.
const EXAMPLE_RUNS: [(&str, &str, u32, u32, u32); 14] = [
    ("Qwen2.5-0.5B", "fp16", 1, 128, 64),
    ("Qwen2.5-0.5B", "fp16", 1, 1024, 256),
    ("Qwen2.5-0.5B", "int8", 1, 512, 128),
    ("Qwen2.5-0.5B", "w4a16", 1, 2048, 128),
    ("Qwen2.5-0.5B", "fp16", 4, 512, 128),
    ("Llama-3.2-1B", "fp16", 1, 256, 128),
    ("Llama-3.2-1B", "fp16", 1, 2048, 64),
    ("Llama-3.2-1B", "int8", 1, 1024, 256),
    ("Llama-3.2-1B", "w4a16", 1, 512, 32),
    ("SmolLM2-360M", "fp16", 1, 512, 512),
    ("SmolLM2-360M", "int8", 1, 128, 128),
    ("SmolLM2-360M", "w8a16", 1, 1024, 64),
    ("Gemma-3-1B", "fp16", 1, 1024, 128),
    ("Gemma-3-1B", "int8", 1, 256, 512),
];

/// The example file as the roofline at b = 0.58, c = 0.57 and 0.1 ms per layer and step gives
/// it.
fn example_text() -> String {
    let d = nano();
    let mut out = String::from(
        "# ILLUSTRATIVE, NOT REAL MEASUREMENTS: generated from the roofline of the Jetson Orin \
         Nano Super 8GB preset with bandwidth fraction 0.58 (the published measured 59.4 of \
         102 GB/s), compute fraction 0.57 (9.56 of 16.75 FP16 TFLOPS, RooflineBench, \
         arXiv 2602.11506) and 0.1 ms overhead per layer per forward step.\n\
         # Written by tests/calibrate.rs. Times in ms; decode_ms covers all generated tokens.\n\
         device,model,precision,batch,prompt_tokens,generated_tokens,prefill_ms,decode_ms\n",
    );
    for (model, precision, b, s_in, s_out) in EXAMPLE_RUNS {
        let m = run(model, precision.parse().unwrap(), b, s_in, s_out);
        let p = TRUTH.predict(&d, &m);
        out += &format!(
            "Jetson Orin Nano Super 8GB,{model},{precision},{b},{s_in},{s_out},{:.3},{:.3}\n",
            p.prefill_s.unwrap() * 1e3,
            p.decode_s.unwrap() * 1e3
        );
    }
    out
}

#[test]
fn the_example_file_is_the_roofline_at_its_stated_fractions() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/public/examples/orin-nano-measurements.csv"
    );
    // ROOFSCALE_BLESS=1 rewrites the file after a deliberate change to the roofline.
    if std::env::var_os("ROOFSCALE_BLESS").is_some() {
        std::fs::write(path, example_text()).unwrap();
    }
    assert_eq!(EXAMPLE_MEASUREMENTS_CSV, example_text());
}

#[test]
fn the_example_file_calibrates_back_to_its_fractions_and_overhead() {
    let t = parse_measurements_csv("orin-nano-measurements.csv", EXAMPLE_MEASUREMENTS_CSV).unwrap();
    assert_eq!(t.issues, []);
    assert_eq!(t.devices(), ["Jetson Orin Nano Super 8GB"]);
    let d = nano();
    let r = calibrate(&d, &t.measurements).unwrap();
    // Times are rounded to 1 µs, so the fit is exact to about 1e-5.
    assert!(rel(r.bandwidth_fraction, 0.58) < 1e-4, "{r:?}");
    assert!(rel(r.compute_fraction, 0.57) < 1e-4, "{r:?}");
    assert!(rel(r.layer_overhead_s, 0.0001) < 1e-3, "{r:?}");
    assert_eq!(r.warnings, []);
    assert!(r.mape_before > 30.0 && r.mape_after < 0.01);
    let first = &r.rows[0];
    assert_eq!((first.line, first.phase), (4, Phase::Prefill));
    assert_eq!(first.label, "Qwen2.5-0.5B, FP16, B=1, 128→64, prefill");
    assert!(
        first.error_before_pct < 0.0,
        "the rated roofline is too fast"
    );
}

// ---------------------------------------------------------------------------------------------
// The calibrated device and its record

#[test]
fn the_calibrated_device_carries_the_fit_and_exports_with_its_record() {
    let t = parse_measurements_csv("orin-nano-measurements.csv", EXAMPLE_MEASUREMENTS_CSV).unwrap();
    let d = nano();
    let r = calibrate(&d, &t.measurements).unwrap();
    let c = calibrated_device(&d, &r, "");
    assert_eq!(c.name(), "Jetson Orin Nano Super 8GB (calibrated)");
    assert_eq!(c.spec().bandwidth_fraction, r.bandwidth_fraction);
    assert_eq!(c.spec().compute_fraction, r.compute_fraction);
    assert_eq!(c.spec().fp16_tflops, d.spec().fp16_tflops);
    assert!(
        c.spec().source.starts_with(
            "Calibrated from 28 measured times (lines 4–17): bandwidth fraction 0.580 (fitted); \
             INT8 weights 0.580 (fitted apart); INT4 weights 0.580 (fitted apart), \
             compute fraction 0.570 (fitted), overhead 0.1000 ms per layer per step (fitted); \
             MAPE "
        ),
        "{}",
        c.spec().source
    );
    assert!(c.spec().source.ends_with(&d.spec().source));
    assert_eq!(calibrated_device(&d, &r, "  My Nano ").name(), "My Nano");
    // A measured device recalibrated drops its held-out errors: they described the old fit.
    let mut measured = d.spec().clone();
    measured.held_out_decode_pct = Some(9.0);
    measured.held_out_prefill_pct = Some(10.4);
    let measured = roofscale::model::device::Device::new(measured).unwrap();
    let again = calibrated_device(&measured, &r, "");
    assert_eq!(
        (
            again.spec().held_out_decode_pct,
            again.spec().held_out_prefill_pct
        ),
        (None, None)
    );
    // The overhead is part of the device (issue 16): the roofline of the calibrated device
    // reproduces the times it was fitted to (the example is the roofline at b = 0.58,
    // c = 0.57 plus 0.1 ms per layer and step), which the fractions alone do not.
    assert!((c.spec().layer_overhead_ms - 0.1).abs() < 1e-4);
    assert_eq!(c.spec().step_overhead_ms, 0.0);
    let fractions_only = c.with_layer_overhead_ms(0.0).unwrap();
    for m in &t.measurements {
        let with = evaluate(m.arch(), &c, m.precision(), m.workload());
        let without = evaluate(m.arch(), &fractions_only, m.precision(), m.workload());
        for (measured, predicted) in [
            (m.prefill_s(), with.prefill_s),
            (m.decode_s(), with.decode_s),
        ] {
            if let Some(t) = measured {
                assert!(
                    (predicted / t - 1.0).abs() < 0.005,
                    "line {}: {predicted} vs {t}",
                    m.line()
                );
            }
        }
        // Decode pays the overhead once per token: without it every decode is > 1 % fast.
        if let Some(t) = m.decode_s() {
            assert!(without.decode_s / t < 0.99, "line {}", m.line());
        }
    }

    let record = CalibrationRecord::new(&d, &t.measurements, r.clone(), "");
    let json = record.to_json();
    let back = CalibrationRecord::from_json(&json).unwrap();
    assert_eq!(back.device.spec(), c.spec());
    assert_eq!(back.base_device, d.name());
    assert_eq!(back.measurements.len(), 14);
    assert_eq!(back.fit.rows.len(), r.rows.len());
    assert_eq!(back.fit.fitted, r.fitted);
    assert!(rel(back.fit.layer_overhead_s, r.layer_overhead_s) < 1e-15);
    // The device part is a device file of its own.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let devices = parse_devices_json(&value["device"].to_string()).unwrap();
    assert_eq!(devices[0].spec(), c.spec());
    // A record whose measurement breaks the rules is refused on reading.
    let broken = json.replacen("\"prompt_tokens\": 128", "\"prompt_tokens\": 0", 1);
    assert_ne!(broken, json);
    assert!(CalibrationRecord::from_json(&broken)
        .unwrap_err()
        .contains("prompt_tokens: must be at least 1"));
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// A mutated version of `base`: byte edits, spliced cells and lines, odd numbers.
fn mutate(rng: &mut SmallRng, base: &str) -> String {
    const PIECES: [&str; 24] = [
        ",",
        ";",
        "\t",
        "\"",
        "\n",
        "\r\n",
        "#",
        "",
        "0",
        "-1",
        "1e309",
        "NaN",
        "inf",
        "1e-300",
        "4294967296",
        "65537",
        "1048577",
        "fp12",
        "w4a16",
        "Gemma-3-1B",
        "é",
        "\u{feff}",
        "0.5",
        "decode_tokens_per_s",
    ];
    let mut text: Vec<char> = base.chars().collect();
    for _ in 0..rng.random_range(1..8) {
        let at = rng.random_range(0..=text.len());
        match rng.random_range(0..5) {
            0 if at < text.len() => {
                text.remove(at);
            }
            1 => {
                let piece = PIECES[rng.random_range(0..PIECES.len())];
                for (k, c) in piece.chars().enumerate() {
                    text.insert(at + k, c);
                }
            }
            2 => text.truncate(at),
            3 if !text.is_empty() => {
                let from = rng.random_range(0..text.len());
                let len = rng.random_range(0..40).min(text.len() - from);
                let copy: Vec<char> = text[from..from + len].to_vec();
                for (k, c) in copy.into_iter().enumerate() {
                    text.insert(at + k, c);
                }
            }
            _ => {
                let c = char::from_u32(rng.random_range(0..0x250)).unwrap_or('x');
                text.insert(at, c);
            }
        }
    }
    text.into_iter().collect()
}

#[test]
fn the_parser_never_panics_on_mutated_or_random_input() {
    let custom = "layers,hidden_size,intermediate_size,num_attention_heads,num_key_value_heads,\
                  head_dim,vocab_size,experts,top_k,precision,batch,prompt_tokens,\
                  generated_tokens,prefill_s,decode_tokens_per_s\n\
                  24,896,4864,14,2,64,151936,8,2,int8,2,512,128,0.06,50\n";
    let bases = [EXAMPLE_MEASUREMENTS_CSV, MEASUREMENTS_TEMPLATE_CSV, custom];
    let mut rng = SmallRng::seed_from_u64(0x5eed_ca1b);
    let (mut parsed, mut calibrated) = (0, 0);
    let d = nano();
    for i in 0..20_000 {
        let text = if i % 10 == 9 {
            let len = rng.random_range(0..200);
            (0..len)
                .map(|_| char::from_u32(rng.random_range(0..0x80)).unwrap_or(','))
                .collect()
        } else {
            mutate(&mut rng, bases[i % bases.len()])
        };
        if let Ok(t) = parse_measurements_csv("fuzz.csv", &text) {
            parsed += 1;
            for issue in &t.issues {
                assert!(issue.line >= 1);
            }
            // The fit must take whatever the parser accepts; a sample keeps the test quick.
            if parsed % 100 == 0 {
                let r = calibrate(&d, &t.measurements).unwrap();
                assert!(r.bandwidth_fraction > 0.0 && r.bandwidth_fraction <= 1.0);
                assert!(r.compute_fraction > 0.0 && r.compute_fraction <= 1.0);
                assert!(r.layer_overhead_s >= 0.0 && r.mape_after.is_finite());
                calibrated += 1;
            }
        }
    }
    assert!(
        parsed > 2_000,
        "mutations should often stay readable: {parsed}"
    );
    assert!(calibrated > 20);
}

/// Runs of one model size cannot tell an overhead per layer from the bandwidth fraction: both
/// scale every decode step alike. The fit keeps the overhead at the device's value (0), lets
/// the fraction explain the times, and says so, rather than trade one for the other along the
/// valley (a fit that moves time into overhead does not carry to another model size).
#[test]
fn one_model_size_keeps_the_overhead_and_says_why() {
    let d = nano();
    let runs: Vec<Measurement> = [(1, 128), (1, 256), (64, 128), (256, 64)]
        .iter()
        .map(|&(s_in, s_out)| {
            let m = run("Llama-3.2-1B", Precision::W4A16, 1, s_in, s_out);
            decode_only(&measured(&m, &d, TRUTH, || 1.0))
        })
        .collect();
    let r = calibrate(&d, &runs).unwrap();
    assert!(r.fitted.bandwidth_fraction && !r.fitted.overhead, "{r:?}");
    assert_eq!(r.layer_overhead_s, 0.0);
    // The fraction alone absorbs the overhead: below the true 0.58, and within a few per cent
    // of every time.
    assert!(r.bandwidth_fraction < 0.58, "{r:?}");
    assert!(r.mape_after < 5.0, "{}", r.mape_after);
    let w = warning(&r.warnings, |w| {
        matches!(w, CalibrationWarning::OverheadNotSeparated { .. })
    });
    assert!(w
        .to_string()
        .starts_with("these measurements cannot tell the per-layer overhead from the bandwidth"));
    // A device that already carries an overhead per layer (a runtime's typical one) keeps
    // it for rows of one model, even rows that vary the format, which would otherwise let the
    // fit trade the two along the valley: at the true overhead the fraction comes out exact.
    let mut formats = runs.clone();
    for precision in [Precision::FP16, Precision::W8A16] {
        let m = run("Llama-3.2-1B", precision, 1, 1, 128);
        formats.push(decode_only(&measured(&m, &d, TRUTH, || 1.0)));
    }
    let with_overhead = d.with_layer_overhead_ms(0.1).unwrap();
    let r = calibrate(&with_overhead, &formats).unwrap();
    assert!(!r.fitted.overhead, "{r:?}");
    assert_eq!(r.layer_overhead_s, 1e-4);
    assert!(rel(r.bandwidth_fraction, 0.58) < 1e-6, "{r:?}");
    assert!(r.mape_after < 1e-6, "{}", r.mape_after);
    assert!(has_warning(&r.warnings, |w| matches!(
        w,
        CalibrationWarning::OverheadNotSeparated { kept_s } if *kept_s == 1e-4
    )));
    // With a second model size the same kind of rows separate them again.
    let mut both = runs.clone();
    for (s_in, s_out) in [(1, 128), (64, 256)] {
        let m = run("Qwen2.5-0.5B", Precision::W4A16, 1, s_in, s_out);
        both.push(decode_only(&measured(&m, &d, TRUTH, || 1.0)));
    }
    let r = calibrate(&d, &both).unwrap();
    assert!(r.fitted.overhead, "{r:?}");
    assert!(rel(r.bandwidth_fraction, 0.58) < 1e-3, "{r:?}");
    assert!(rel(r.layer_overhead_s, 1e-4) < 1e-3, "{r:?}");
}

/// A row three times slower than the rest (another power mode, a unit slip) is set aside and
/// named by its line: the others still recover the truth exactly, and the row still counts
/// in the error shown.
#[test]
fn a_row_far_off_the_others_is_set_aside_and_named() {
    let d = nano();
    let mut runs: Vec<Measurement> = truth_runs_with_lines(&d);
    let mut slow = runs[3].spec().clone();
    slow.decode_s = slow.decode_s.map(|t| 3.0 * t);
    runs[3] = Measurement::new(slow).unwrap();
    let mut fast = runs[7].spec().clone();
    fast.decode_s = fast.decode_s.map(|t| t / 4.0);
    runs[7] = Measurement::new(fast).unwrap();
    let r = calibrate(&d, &runs).unwrap();
    assert!(rel(r.bandwidth_fraction, 0.58) < 1e-3, "{r:?}");
    assert!(rel(r.compute_fraction, 0.57) < 1e-3, "{r:?}");
    assert!(rel(r.layer_overhead_s, 1e-4) < 1e-3, "{r:?}");
    let w = r
        .warnings
        .iter()
        .find_map(|w| match w {
            CalibrationWarning::OutliersSetAside { rows } => Some(rows.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{:?}", r.warnings));
    assert_eq!(w.len(), 2);
    assert_eq!((w[0].0, w[1].0), (5, 9));
    assert!(w[0].1.ends_with("decode"), "{}", w[0].1);
    assert!((w[0].2 - 3.0).abs() < 1e-3, "{}", w[0].2);
    assert!((w[1].2 - 0.25).abs() < 1e-3, "{}", w[1].2);
    let shown: Vec<String> = r.warnings.iter().map(|w| w.to_string()).collect();
    let shown = shown.join(" | ");
    assert!(
        shown.contains("line 5 (") && shown.contains("3.0× slower"),
        "{shown}"
    );
    assert!(
        shown.contains("line 9 (") && shown.contains("4.0× faster"),
        "{shown}"
    );
    // The rest agree: no call of inconsistency, and the calibrated device's source names them.
    assert!(!r
        .warnings
        .iter()
        .any(|w| matches!(w, CalibrationWarning::Inconsistent { .. })));
    let source = calibrated_device(&d, &r, "").spec().source.clone();
    assert!(
        source.contains("2 left out of the fit as far off the others: line 5 "),
        "{source}"
    );
    // It still counts in the errors: predicted a third of its measured time, −66.7 %.
    let row = r
        .rows
        .iter()
        .find(|row| row.line == 5 && row.label.ends_with("decode"))
        .unwrap();
    assert!(
        (row.error_after_pct + 200.0 / 3.0).abs() < 0.1,
        "{}",
        row.error_after_pct
    );
}

/// Outliers are a minority or nothing: when more than a third of the phases are far off the
/// fit, none is set aside, and the rows are called inconsistent instead.
#[test]
fn a_majority_far_off_is_not_set_aside() {
    let d = nano();
    let runs: Vec<Measurement> = varied_runs()
        .iter()
        .take(4)
        .enumerate()
        .map(|(i, m)| {
            let mut spec = measured(m, &d, TRUTH, || 1.0).spec().clone();
            spec.prefill_s = None;
            // Alternately ten times slower and ten times faster.
            let k = if i % 2 == 0 { 10.0 } else { 0.1 };
            spec.decode_s = spec.decode_s.map(|t| k * t);
            Measurement::new(spec).unwrap()
        })
        .collect();
    let r = calibrate(&d, &runs).unwrap();
    assert!(!r
        .warnings
        .iter()
        .any(|w| matches!(w, CalibrationWarning::OutliersSetAside { .. })));
    assert!(r
        .warnings
        .iter()
        .any(|w| matches!(w, CalibrationWarning::Inconsistent { .. })));
}

/// Rows in two weight formats whose kernels reach different shares of the bandwidth (as
/// llama.cpp's Q8_0 and Q4_K_M do on the Orin Nano Super): the most measured format, of three
/// models, separates the overhead and gives b; Q8_0 gets its own fraction, recovered exactly,
/// and the calibrated device reads Q8_0 weights at it and every other format at b. The same
/// rows with Q4_K_M of one model only cannot separate the overhead from per-format fractions,
/// so the formats share one fraction, as before.
#[test]
fn a_format_measured_apart_gets_its_own_bandwidth_fraction() {
    let d = nano();
    let (q4, q8): (Precision, Precision) = ("q4_k_m".parse().unwrap(), "q8_0".parse().unwrap());
    let truth = Calibration {
        format_bandwidth: FormatFractions::parse("Q8_0=0.66").unwrap(),
        ..TRUTH
    };
    let rows = |q4_models: &[&str]| -> Vec<Measurement> {
        let mut out: Vec<Measurement> = q4_models
            .iter()
            .flat_map(|m| [run(m, q4, 1, 512, 128), run(m, q4, 1, 64, 256)])
            .collect();
        out.push(run("Qwen2.5-0.5B", q8, 1, 128, 128));
        out.push(run("SmolLM2-360M", q8, 1, 256, 64));
        out.iter().map(|m| measured(m, &d, truth, || 1.0)).collect()
    };
    let r = calibrate(&d, &rows(&["Qwen2.5-0.5B", "Llama-3.2-1B", "Gemma-3-1B"])).unwrap();
    let own: Vec<_> = r.format_bandwidth.iter().collect();
    assert_eq!(own.len(), 1, "{r:?}");
    assert_eq!(own[0].format.to_string(), "Q8_0");
    assert!(rel(own[0].fraction, 0.66) < 1e-3, "{r:?}");
    assert!(rel(r.bandwidth_fraction, 0.58) < 1e-3, "{r:?}");
    assert!(rel(r.layer_overhead_s, 1e-4) < 1e-3, "{r:?}");
    assert!(r.mape_after < 1e-3, "{}", r.mape_after);
    let device = calibrated_device(&d, &r, "");
    assert_eq!(device.bandwidth_fraction_for(&q8.weights), own[0].fraction);
    assert_eq!(
        device.bandwidth_fraction_for(&q4.weights),
        r.bandwidth_fraction
    );
    assert_eq!(
        device.bandwidth_fraction_for(&Precision::FP16.weights),
        r.bandwidth_fraction
    );
    // The calibrated device predicts the rows as the calibration does.
    let cal = r.calibration();
    for m in &rows(&["Qwen2.5-0.5B"]) {
        let e = evaluate(m.arch(), &device, m.precision(), m.workload());
        let p = cal.predict(&d, m);
        assert!(rel(e.decode_s, p.decode_s.unwrap()) < 1e-9);
    }
    // Q4_K_M of one model, as many phases as Q8_0's two: the format of more models, Q8_0,
    // gives b and Q4_K_M is measured apart, whatever the order of the rows.
    let mut few = rows(&["Llama-3.2-1B"]);
    for order in 0..2 {
        let r = calibrate(&d, &few).unwrap();
        let own: Vec<_> = r.format_bandwidth.iter().collect();
        assert_eq!(own.len(), 1, "{r:?}");
        assert_eq!(own[0].format.to_string(), "Q4_K_M", "order {order}");
        assert!(rel(own[0].fraction, 0.58) < 1e-3, "{r:?}");
        assert!(rel(r.bandwidth_fraction, 0.66) < 1e-3, "{r:?}");
        few.reverse();
    }
    // One model per format: the formats are all the rows have to separate the overhead, so
    // they share one fraction.
    let one_each: Vec<Measurement> = [
        run("Llama-3.2-1B", q4, 1, 512, 128),
        run("Llama-3.2-1B", q4, 1, 64, 256),
        run("Qwen2.5-0.5B", q8, 1, 128, 128),
        run("Qwen2.5-0.5B", q8, 1, 256, 64),
    ]
    .iter()
    .map(|m| measured(m, &d, truth, || 1.0))
    .collect();
    let r = calibrate(&d, &one_each).unwrap();
    assert!(r.format_bandwidth.is_empty(), "{r:?}");
}

/// Q4_K_M runs of three models (a prefill and a decode each, at two lengths) at [`TRUTH`] on
/// `d`: enough to separate the overhead from b on their own.
fn q4_k_m_of_three_models(d: &Device) -> Vec<Measurement> {
    let q4: Precision = "q4_k_m".parse().unwrap();
    ["Qwen2.5-0.5B", "Llama-3.2-1B", "Gemma-3-1B"]
        .iter()
        .flat_map(|m| [run(m, q4, 1, 512, 128), run(m, q4, 1, 64, 256)])
        .map(|m| measured(&m, d, TRUTH, || 1.0))
        .collect()
}

/// A format whose only decode row is set aside as an outlier (here three times faster than
/// the rated roofline allows, so no fraction of its own can explain it) has nothing left to fit
/// its fraction: it reads at b again, and the rest still recovers the truth exactly.
#[test]
fn a_format_whose_only_decode_row_is_set_aside_reads_at_b() {
    let d = nano();
    let q8: Precision = "q8_0".parse().unwrap();
    let mut runs = q4_k_m_of_three_models(&d);
    runs.push(decode_only(&measured(
        &run("SmolLM2-360M", q8, 1, 1, 128),
        &d,
        Calibration::RATED,
        || 1.0 / 3.0,
    )));
    let r = calibrate(&d, &runs).unwrap();
    assert_eq!(r.set_aside().count(), 1, "{r:?}");
    assert!(r.format_bandwidth.is_empty(), "{r:?}");
    assert!(rel(r.bandwidth_fraction, 0.58) < 1e-3, "{r:?}");
    assert!(rel(r.layer_overhead_s, 1e-4) < 1e-3, "{r:?}");
}

/// Q8_0 runs a quarter faster than the rated bandwidth allows (not far enough off to be set
/// aside): its own fraction stops at 1 and the report says so, naming the format.
#[test]
fn a_format_faster_than_rated_is_named_at_its_bound() {
    let d = nano();
    let q8: Precision = "q8_0".parse().unwrap();
    let mut runs = q4_k_m_of_three_models(&d);
    let fast = Calibration {
        bandwidth_fraction: 1.0,
        format_bandwidth: FormatFractions::NONE,
        ..TRUTH
    };
    for (m, s_in, s_out) in [("SmolLM2-360M", 1, 128), ("Qwen2.5-0.5B", 1, 256)] {
        runs.push(decode_only(&measured(
            &run(m, q8, 1, s_in, s_out),
            &d,
            fast,
            || 0.8,
        )));
    }
    let r = calibrate(&d, &runs).unwrap();
    assert_eq!(r.set_aside().count(), 0, "{r:?}");
    let own: Vec<_> = r.format_bandwidth.iter().collect();
    assert_eq!(own.len(), 1, "{r:?}");
    assert!(own[0].fraction >= 1.0 - 1e-9, "{r:?}");
    let w = warning(&r.warnings, |w| {
        matches!(w, CalibrationWarning::FormatAtBound { .. })
    });
    assert!(w
        .to_string()
        .starts_with("the bandwidth fraction of Q8_0 weights reached 1"));
}
