//! The published measurement set shipped with the page (public/data/measurements.csv; schema
//! and sources in public/data/README.md) and its reader.

use roofscale::model::published::{parse_published_csv, PUBLISHED_CSV, PUBLISHED_FILE};
use std::collections::BTreeSet;

#[test]
fn the_shipped_set_reads_whole_and_covers_what_issue_16_asks() {
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV).unwrap();
    assert!(rows.issues.is_empty(), "{:?}", rows.issues);
    let devices: BTreeSet<&str> = rows.good.iter().map(|r| r.device.as_str()).collect();
    let runtimes: BTreeSet<&str> = rows.good.iter().map(|r| r.runtime.as_str()).collect();
    assert!(rows.good.len() >= 150, "{} rows", rows.good.len());
    assert!(devices.len() >= 25, "{} devices", devices.len());
    assert!(runtimes.len() >= 4, "{runtimes:?}");
    for r in &rows.good {
        assert!(
            r.source_url.starts_with("http"),
            "line {}: {}",
            r.line,
            r.source_url
        );
        assert_eq!(r.batch, 1, "line {}: single stream only", r.line);
    }
    // One measurement per row: no two rows say the same thing.
    let keys: BTreeSet<String> = rows
        .good
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{}",
                r.device,
                r.runtime_label(),
                r.model,
                r.model_hf_id,
                r.weight_format,
                r.prompt_tokens,
                r.gen_tokens,
                r.prefill_tok_s,
                r.decode_tok_s,
                r.source_url
            )
        })
        .collect();
    assert_eq!(keys.len(), rows.good.len());
}

#[test]
fn a_published_rate_becomes_the_time_of_its_run() {
    // Row 1: XiongjieDai/GPU-Benchmarks-on-LLM-Inference (commit aa72e0e), RTX 3070 8GB,
    // Meta-Llama-3-8B Q4_K_M, "tg 512" = 72.79 tokens/s: 512 decode steps in 7.034 s.
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV).unwrap();
    let r = &rows.good[0];
    assert_eq!(
        (r.device.as_str(), r.weight_format.as_str()),
        ("RTX 3070 8GB", "Q4_K_M")
    );
    assert_eq!((r.prompt_tokens, r.gen_tokens), (Some(0), Some(512)));
    assert_eq!(r.decode_tok_s, Some(72.79));
    assert!((r.decode_s().unwrap() - 512.0 / 72.79).abs() < 1e-12);
    assert_eq!(r.prefill_s(), None);
    assert_eq!(r.runtime_label(), "llama.cpp · CUDA");
    assert_eq!(r.line, 2);
}

const HEADER: &str = "id,device,device_spec,device_variant_notes,runtime,backend,runtime_version_or_commit,model,model_hf_id,weight_format,prompt_tokens,gen_tokens,batch,prefill_tok_s,decode_tok_s,source_url,source_detail,notes";

#[test]
fn bad_rows_are_listed_by_line_and_column_and_good_rows_kept() {
    let text = format!(
        "{HEADER}\n\
         1,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,512,0,1,14000,,https://example.org/a,,\n\
         2,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,0,128,1,,fast,https://example.org/a,,\n\
         3,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,0,128,1,,150,,,\n\
         4,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,0,128,1,,,https://example.org/a,,\n\
         5,RTX 4090 24GB,RTX 4090,,llama.cpp,CUDA,,Llama-2-7B,meta-llama/Llama-2-7b-hf,Q4_0,12.5,128,1,,150,https://example.org/a,,\n"
    );
    let rows = parse_published_csv("mine.csv", &text).unwrap();
    assert_eq!(rows.good.len(), 1);
    assert!((rows.good[0].prefill_s().unwrap() - 512.0 / 14000.0).abs() < 1e-15);
    let said: Vec<String> = rows.issues.iter().map(|i| i.in_file("mine.csv")).collect();
    assert_eq!(
        said,
        [
            "mine.csv line 3, column \"decode_tok_s\": expected a number, found \"fast\"",
            "mine.csv line 4, column \"source_url\": empty: every row needs it",
            "mine.csv line 5, column \"decode_tok_s\": no speed: give prefill_tok_s, decode_tok_s or both",
            "mine.csv line 6, column \"prompt_tokens\": expected a whole number of tokens, found \"12.5\"",
        ]
    );
}

#[test]
fn a_file_without_the_sets_columns_is_refused_with_the_missing_one() {
    let err = parse_published_csv("speeds.csv", "device,runtime\nx,y\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "speeds.csv: no column \"id\"; the set's columns are {}",
            HEADER.replace(',', ", ")
        )
    );
}

/// The rated devices shipped beside the set (public/data/devices.csv; sources per row in
/// public/data/devices.md): read by the page's own device import, note columns read past.
const DEVICES_CSV: &str = include_str!("../public/data/devices.csv");

#[test]
fn every_device_spec_of_the_set_names_a_shipped_device_the_page_reads_or_says_why_not() {
    use roofscale::model::device::import_devices_csv;
    let import = import_devices_csv("data/devices.csv", DEVICES_CSV);
    // Rows without a compute peak cannot be a device yet (issue 16): each is named with its
    // line and the missing field, never dropped silently.
    for e in &import.errors {
        let e = e.to_string();
        assert!(
            e.contains("column \"fp16_tflops\": give fp16_tflops or fp32_tflops")
                || e.contains("column \"bandwidth_gbps\": missing"),
            "{e}"
        );
    }
    let names: BTreeSet<String> = csv::Reader::from_reader(DEVICES_CSV.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let readable: BTreeSet<&str> = import.devices.iter().map(|d| d.name()).collect();
    assert!(readable.len() >= 30, "{} devices read", readable.len());
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
        .unwrap()
        .good;
    let mapped: Vec<_> = rows.iter().filter(|r| !r.device_spec.is_empty()).collect();
    assert!(
        mapped.len() * 4 >= rows.len() * 3,
        "{} of {} rows mapped",
        mapped.len(),
        rows.len()
    );
    for r in &mapped {
        assert!(
            names.contains(&r.device_spec),
            "line {}: {}",
            r.line,
            r.device_spec
        );
    }
    let predictable = mapped
        .iter()
        .filter(|r| readable.contains(r.device_spec.as_str()))
        .count();
    println!(
        "published set: {} rows, {} mapped to a rated device, {} to one the page can read",
        rows.len(),
        mapped.len(),
        predictable
    );
}

/// Every config shipped in public/data/models/ is listed (by its id) and imports.
#[test]
fn every_shipped_model_config_is_listed_and_imports() {
    use roofscale::model::published::{published_model, MODEL_CONFIGS};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/public/data/models");
    let files: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".json"))
        .map(|f| f.trim_end_matches(".json").replacen("--", "/", 1))
        .collect();
    let listed: BTreeSet<String> = MODEL_CONFIGS.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(files, listed);
    // A config the page cannot model says which field, and its rows are left out with it.
    let mut imported = 0;
    for id in listed
        .iter()
        .map(String::as_str)
        .chain(["meta-llama/Llama-3.2-1B"])
    {
        match published_model(id).expect("shipped") {
            Ok(_) => imported += 1,
            Err(e) => assert!(e.contains(": expected"), "{id}: {e}"),
        }
    }
    assert!(
        imported + 1 >= listed.len(),
        "{imported} of {} import",
        listed.len() + 1
    );
    assert!(published_model("no/such-model").is_none());
}

/// The shipped set's rows as the page predicts them on `devices`, and the rows left out.
fn shipped_runs(
    devices: &[roofscale::model::device::Device],
) -> (
    Vec<roofscale::model::published::PublishedRun>,
    Vec<roofscale::model::csv_reader::RowIssue>,
) {
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
        .unwrap()
        .good;
    roofscale::model::published::published_runs(&rows, devices)
}

mod validation {
    use roofscale::model::calibrate::{Calibration, Measurement, MeasurementSpec};
    use roofscale::model::device::device_presets;
    use roofscale::model::precision::Precision;
    use roofscale::model::published::{
        parse_published_csv, published_devices, published_model, validate, PublishedRun,
        PRIOR_SPREAD, PUBLISHED_CSV, PUBLISHED_FILE,
    };
    use roofscale::model::roofline::Phase;
    use roofscale::model::workload::{OperatorSet, WorkloadSpec};

    /// A run of `model` on the Orin Nano Super whose times are the roofline at `truth`.
    fn synthetic(
        model: &str,
        prompt: u32,
        gen: u32,
        truth: Calibration,
        line: usize,
    ) -> PublishedRun {
        let device = device_presets()
            .into_iter()
            .find(|d| d.name() == "Jetson Orin Nano Super 8GB")
            .unwrap();
        let arch = published_model(model).unwrap().unwrap().arch;
        let spec = |prefill_s, decode_s| MeasurementSpec {
            line,
            device: None,
            model: model.to_string(),
            arch: arch.spec().clone(),
            precision: "q4_k_m".parse::<Precision>().unwrap(),
            workload: WorkloadSpec {
                batch: 1,
                prompt_tokens: prompt,
                generated_tokens: gen,
                operators: OperatorSet::Full,
                activation_sparsity: 0.0,
                fused_attention: false,
            },
            prefill_s,
            decode_s,
        };
        // A pp run measures the prefill only, a tg run the decode only.
        let probe = Measurement::new(if gen == 0 {
            spec(Some(1.0), None)
        } else {
            spec(None, Some(1.0))
        })
        .unwrap();
        let t = truth.predict(&device, &probe);
        let measurement = Measurement::new(spec(t.prefill_s, t.decode_s)).unwrap();
        let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
            .unwrap()
            .good;
        let mut row = rows[0].clone();
        row.line = line;
        row.model_hf_id = model.to_string();
        row.device_spec = device.name().to_string();
        row.runtime = "llama.cpp".into();
        row.backend = "CUDA".into();
        PublishedRun {
            row,
            device,
            measurement,
            assumed: Vec::new(),
        }
    }

    /// Runs generated from one calibration: the group's fit recovers it, so calibrated and
    /// held-out errors vanish while the rated roofline is off by the fractions; nothing is
    /// faster than the rated bound. A run made faster than the bound is flagged.
    #[test]
    fn runs_made_from_a_calibration_are_predicted_exactly_once_calibrated() {
        let truth = Calibration {
            bandwidth_fraction: 0.6,
            compute_fraction: 0.45,
            layer_overhead_s: 0.0001,
            format_bandwidth: Default::default(),
        };
        let models = [
            "Qwen/Qwen3-0.6B",
            "meta-llama/Llama-3.2-1B",
            "Qwen/Qwen2.5-1.5B-Instruct",
            "google/gemma-2-2b-it",
        ];
        let mut runs = Vec::new();
        for (k, m) in models.iter().enumerate() {
            runs.push(synthetic(m, 512, 0, truth, 10 * k + 2));
            runs.push(synthetic(m, 1, 128, truth, 10 * k + 3));
        }
        let v = validate(&runs);
        assert_eq!(v.groups.len(), 1);
        let g = &v.groups[0];
        assert_eq!((g.models, g.phases()), (4, 8));
        assert!(
            (g.report.bandwidth_fraction - 0.6).abs() < 0.01,
            "{:?}",
            g.report
        );
        assert!(
            (g.report.layer_overhead_s - 0.0001).abs() < 1e-5,
            "{:?}",
            g.report
        );
        for m in [g.decode, g.prefill] {
            assert!(m.calibrated < 0.5, "{m:?}");
            assert!(m.held_out.unwrap() < 1.0, "{m:?}");
            assert!(m.rated > 20.0, "{m:?}");
        }
        // Both phases meet the held-out targets, and count.
        assert_eq!(g.meets_target(Phase::Decode), Some(true));
        assert_eq!(g.meets_target(Phase::Prefill), Some(true));
        assert_eq!(v.targets_met(|_| true), (2, 2));
        assert_eq!(v.targets_met(|_| false), (0, 0));
        // One fit per model left out, each recovering the truth from the other three.
        assert_eq!(g.held_out_fits.len(), 4);
        for f in &g.held_out_fits {
            let model = &f.model;
            let fit = f
                .calibration
                .unwrap_or_else(|| panic!("no fit without {model}"));
            assert!(
                f.overhead_fitted && f.models == 3 && f.prior.is_none(),
                "{f:?}"
            );
            assert!(
                (fit.bandwidth_fraction - 0.6).abs() < 0.01,
                "{model}: {fit:?}"
            );
        }
        assert_eq!(v.above_bound().count(), 0);
        // Every phase's rated time is the roofline's: below the measured time here.
        assert!(v.phases.iter().all(|s| s.rated_s < s.measured_s));
        let device = g.calibrated_device();
        assert_eq!(
            device.name(),
            "Jetson Orin Nano Super 8GB · llama.cpp · CUDA (measured)"
        );
        assert_eq!(
            device.spec().layer_overhead_ms,
            g.report.layer_overhead_s * 1e3
        );
        assert!((device.step_overhead_s(28) - 28.0 * g.report.layer_overhead_s).abs() < 1e-12);
        // A run twice as fast as the rated roofline allows.
        let fast = Calibration {
            bandwidth_fraction: 1.0,
            compute_fraction: 1.0,
            layer_overhead_s: 0.0,
            format_bandwidth: Default::default(),
        };
        let mut odd = synthetic(models[0], 1, 128, fast, 99);
        let t = odd.measurement.decode_s().unwrap() / 2.0;
        let mut spec = odd.measurement.spec().clone();
        spec.decode_s = Some(t);
        odd.measurement = Measurement::new(spec).unwrap();
        runs.push(odd);
        let v = validate(&runs);
        let flagged: Vec<_> = v.above_bound().collect();
        assert_eq!(flagged.len(), 1);
        assert_eq!(runs[flagged[0].run].row.line, 99);
        assert_eq!(flagged[0].phase, Phase::Decode);
        assert!((flagged[0].error_pct(flagged[0].rated_s) - 100.0).abs() < 1e-6);
    }

    /// A group whose rows are of one model cannot separate its overhead per layer: its fit
    /// holds the median of the same runtime's other devices that fitted theirs from two or
    /// more models, and a held-out fit left with one model takes the median of those fitted
    /// without the model it predicts, on any device. Generated runs: each group is the
    /// roofline at b = 0.6, c = 0.45 and its own overhead.
    #[test]
    fn one_model_fits_hold_the_runtimes_median_overhead_learnt_without_that_model() {
        let (qwen, llama, gemma) = (
            "Qwen/Qwen3-0.6B",
            "meta-llama/Llama-3.2-1B",
            "google/gemma-2-2b-it",
        );
        let groups: [(&str, &[&str], f64); 5] = [
            ("Board A", &[qwen, llama], 80e-6),
            ("Board B", &[qwen, llama], 100e-6),
            ("Board C", &[llama, gemma], 90e-6),
            ("Board E", &[llama, gemma], 110e-6),
            // The median of the four above: its fit at that overhead is exact.
            ("Board D", &[gemma], 95e-6),
        ];
        let mut runs = Vec::new();
        for (g, (name, models, overhead)) in groups.iter().enumerate() {
            let truth = Calibration {
                bandwidth_fraction: 0.6,
                compute_fraction: 0.45,
                layer_overhead_s: *overhead,
                format_bandwidth: Default::default(),
            };
            for (k, m) in models.iter().enumerate() {
                for (prompt, gen) in [(512, 0), (1, 128)] {
                    let mut r = synthetic(m, prompt, gen, truth, 100 * g + 10 * k + gen as usize);
                    r.row.device_spec = name.to_string();
                    runs.push(r);
                }
            }
        }
        let v = validate(&runs);
        let by = |name: &str| v.groups.iter().find(|g| g.key.0 == name).unwrap();
        // Groups of two models fit their own overhead, exactly.
        for (name, _, overhead) in &groups[..4] {
            let g = by(name);
            assert!(g.overhead_prior.is_none(), "{name}: {g:?}");
            assert!(
                (g.report.layer_overhead_s - overhead).abs() < 1e-7,
                "{name}: {:?}",
                g.report
            );
        }
        // One model: held at the median of the four, and then exact; no held-out figure, so
        // it does not count against the targets.
        let d = by("Board D");
        assert_eq!(d.meets_target(Phase::Decode), None);
        let prior = d.overhead_prior.expect("a prior from four devices");
        assert_eq!(prior.devices, 4);
        assert!((prior.layer_overhead_s - 95e-6).abs() < 1e-7, "{prior:?}");
        assert!((d.report.layer_overhead_s / prior.layer_overhead_s - 1.0).abs() < 1e-12);
        assert!(
            (d.report.bandwidth_fraction - 0.6).abs() < 1e-3,
            "{:?}",
            d.report
        );
        assert!(
            d.decode.calibrated < 0.1 && d.prefill.calibrated < 0.1,
            "{d:?}"
        );
        // Board A without Qwen3 keeps Llama alone: its prior comes from C and E, which never ran
        // Qwen3, and not from B, whose fit without Qwen3 is of one model too.
        let a = by("Board A");
        let fold = a.held_out_fits.iter().find(|f| f.model == qwen).unwrap();
        assert_eq!(fold.models, 1);
        let p = fold.prior.expect("C and E give a prior");
        assert_eq!(p.devices, 2);
        assert!((p.layer_overhead_s - 100e-6).abs() < 1e-7, "{p:?}");
        assert!(
            (fold.calibration.unwrap().layer_overhead_s / p.layer_overhead_s - 1.0).abs() < 1e-12
        );
        // Board C without Llama keeps Gemma: A and B ran Llama and their folds without it are
        // of one model, D is of one model, E without Llama is of one model: no prior.
        let c = by("Board C");
        let fold = c.held_out_fits.iter().find(|f| f.model == llama).unwrap();
        assert!(fold.prior.is_none(), "{fold:?}");
        // One device five times slower per layer does not spoil the others: the prior is
        // still the median, now of five.
        let slow_board = |runs: &mut Vec<PublishedRun>, name: &str, overhead: f64, line: usize| {
            let truth = Calibration {
                bandwidth_fraction: 0.6,
                compute_fraction: 0.45,
                layer_overhead_s: overhead,
                format_bandwidth: Default::default(),
            };
            for (k, m) in [qwen, llama].iter().enumerate() {
                for (prompt, gen) in [(512, 0), (1, 128)] {
                    let mut r = synthetic(m, prompt, gen, truth, line + 10 * k + gen as usize);
                    r.row.device_spec = name.into();
                    runs.push(r);
                }
            }
        };
        slow_board(&mut runs, "Board F", 400e-6, 900);
        let v = validate(&runs);
        let d = v.groups.iter().find(|g| g.key.0 == "Board D").unwrap();
        let p = d.overhead_prior.expect("four devices agree");
        assert_eq!(p.devices, 5);
        assert!((p.layer_overhead_s - 100e-6).abs() < 1e-7, "{p:?}");
        // A second slow one: the middle half of the runtime's devices no longer agrees
        // within PRIOR_SPREAD, so there is no typical value and Board D keeps the device's 0.
        slow_board(&mut runs, "Board G", 500e-6, 1900);
        let v = validate(&runs);
        let d = v.groups.iter().find(|g| g.key.0 == "Board D").unwrap();
        assert!(d.overhead_prior.is_none(), "{d:?}");
        assert_eq!(d.report.layer_overhead_s, 0.0);
        // Two devices must agree within PRIOR_SPREAD themselves: Board E's times doubled (its
        // overhead 220 µs, C's 90) leave Board A's fold without Qwen3, whose prior comes from C
        // and E alone, with none.
        for r in runs.iter_mut().filter(|r| r.row.device_spec == "Board E") {
            let twice = |t: Option<f64>| t.map(|t| t * 2.0);
            let mut spec = r.measurement.spec().clone();
            spec.prefill_s = twice(spec.prefill_s);
            spec.decode_s = twice(spec.decode_s);
            r.measurement = Measurement::new(spec).unwrap();
        }
        runs.retain(|r| !["Board F", "Board G"].contains(&r.row.device_spec.as_str()));
        let v = validate(&runs);
        let by = |name: &str| v.groups.iter().find(|g| g.key.0 == name).unwrap();
        let ratio = by("Board E").report.layer_overhead_s / by("Board C").report.layer_overhead_s;
        assert!(ratio > PRIOR_SPREAD, "{ratio}");
        let fold = by("Board A")
            .held_out_fits
            .iter()
            .find(|f| f.model == qwen)
            .unwrap();
        assert!(fold.prior.is_none(), "{fold:?}");
    }

    /// The shipped set: every row is predicted or left out with its line and column;
    /// calibration lowers the error; held-out errors exist where a group has two models.
    #[test]
    fn the_shipped_set_is_predicted_or_each_row_says_why_not() {
        let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
            .unwrap()
            .good;
        let (runs, left_out) = super::shipped_runs(&published_devices());
        assert_eq!(runs.len() + left_out.len(), rows.len());
        assert!(runs.len() >= 100, "{} rows predicted", runs.len());
        for e in &left_out {
            assert!(e.column.is_some() && !e.message.is_empty(), "{e:?}");
            assert!(rows.iter().any(|r| r.line == e.line));
        }
        let v = validate(&runs);
        for kind in [Phase::Decode, Phase::Prefill] {
            let m = v.overall(kind);
            assert!(m.phases > 50, "{kind:?}: {m:?}");
            assert!(m.calibrated < m.rated, "{kind:?}: {m:?}");
            assert!(m.held_out.is_some(), "{kind:?}: {m:?}");
        }
        for s in &v.phases {
            let run = &runs[s.run];
            let measured = match s.phase {
                Phase::Prefill => run.measurement.prefill_s(),
                Phase::Decode => run.measurement.decode_s(),
            };
            assert_eq!(Some(s.measured_s), measured);
            assert!(s.rated_s > 0.0 && s.calibrated_s > 0.0);
        }
    }

    /// What a group's rows and fits show is read off them, phase by phase: the M1 Max's two
    /// models leave each held-out fit one model and no Metal prior; the A100 SXM's two F16
    /// prefill anomalies are set aside but counted (in its prefill only), and its own overhead
    /// is far from the CUDA prior its held-out fits hold (its decode miss); the desktop MLC rows
    /// come from two builds; the Hexagon NPU fits need the whole rated bandwidth. A group with
    /// three or more models whose fit stays inside its bounds shows neither of the last two.
    #[test]
    fn each_group_says_what_in_its_rows_makes_held_out_errors_larger() {
        use roofscale::model::published::{validation_devices, GroupCaveat};
        let (runs, _) = super::shipped_runs(&validation_devices());
        let v = validate(&runs);
        let group = |device: &str, runtime: &str| {
            v.groups
                .iter()
                .find(|g| g.device.name() == device && g.runtime == runtime)
                .unwrap_or_else(|| panic!("{device} · {runtime}"))
        };
        let (decode, prefill) = (Phase::Decode, Phase::Prefill);
        let m1 = group("Apple M1 Max (64GB)", "llama.cpp · Metal").caveats(decode);
        assert!(
            m1.contains(&GroupCaveat::OneModelFolds { folds: 2, of: 2 }),
            "{m1:?}"
        );
        let sxm = group("A100 80GB SXM", "llama.cpp · CUDA");
        let (sxm_decode, sxm_prefill) = (sxm.caveats(decode), sxm.caveats(prefill));
        assert!(
            sxm_prefill.contains(&GroupCaveat::OutliersCounted { phases: 2 }),
            "{sxm_prefill:?}"
        );
        assert!(
            !sxm_decode.iter().any(|c| matches!(
                c,
                GroupCaveat::OutliersCounted { .. } | GroupCaveat::Inverted { .. }
            )),
            "{sxm_decode:?}"
        );
        // Its fitted 127 µs per layer against the runtime's median, about 85.
        assert!(
            sxm_decode.iter().any(|c| matches!(c,
                GroupCaveat::PriorUnlike { prior_s, own_s } if *own_s > 1.3 * *prior_s)),
            "{sxm_decode:?}"
        );
        let mlc = group("RTX 4090", "MLC-LLM · CUDA").caveats(decode);
        assert!(
            mlc.iter()
                .any(|c| matches!(c, GroupCaveat::Builds { builds } if builds.len() == 2)),
            "{mlc:?}"
        );
        let npu = group(
            "Snapdragon 8 Elite (Hexagon NPU, 24GB)",
            "Qualcomm Genie (QNN) · QNN HTP (Hexagon NPU)",
        )
        .caveats(decode);
        assert!(npu.contains(&GroupCaveat::AtBandwidthBound), "{npu:?}");
        // Rows that contradict each other: a longer prompt or generation run faster per token.
        let a40 = group("A40 48GB", "llama.cpp · CUDA");
        assert_eq!(a40.inversions.len(), 1, "{:?}", a40.inversions);
        let inv = &a40.inversions[0];
        // XiongjieDai's A40 Llama-3-70B Q4_K_M: pp512 209.38 tok/s (line 92), pp4096 268.89
        // (line 93).
        assert_eq!(inv.phase, prefill);
        assert_eq!(
            (inv.shorter.as_str(), inv.longer.as_str()),
            ("line 92", "line 93")
        );
        assert_eq!((inv.shorter_tokens, inv.longer_tokens), (512, 4096));
        assert!((inv.ratio - 268.89 / 209.38).abs() < 1e-9, "{inv:?}");
        assert!(a40
            .caveats(prefill)
            .iter()
            .any(|c| matches!(c, GroupCaveat::Inverted { .. })));
        assert!(!a40
            .caveats(decode)
            .iter()
            .any(|c| matches!(c, GroupCaveat::Inverted { .. })));
        // The M1 (7-core) tg4096 above its tg512 (11.77 against 10.20 tok/s), noted in the
        // data README, is found too.
        let m1_7 = group("Apple M1 7-core GPU (8GB)", "llama.cpp · Metal");
        assert!(
            m1_7.inversions
                .iter()
                .any(|i| i.phase == decode && (i.ratio - 11.77 / 10.20).abs() < 1e-9),
            "{:?}",
            m1_7.inversions
        );
        // Every other llama.cpp CUDA pp4096 of the set is slower per token than its pp512.
        for g in v.groups.iter().filter(|g| g.runtime == "llama.cpp · CUDA") {
            let known = ["A40 48GB", "L40S 48GB", "A100 80GB SXM"].contains(&g.device.name());
            assert_eq!(
                g.inversions.len(),
                usize::from(known),
                "{}: {:?}",
                g.device.name(),
                g.inversions
            );
        }
        let orin = group("Jetson Orin Nano 8GB", "MLC-LLM · CUDA");
        assert!(orin.models >= 3);
        assert!(
            !orin.caveats(decode).iter().any(|c| matches!(
                c,
                GroupCaveat::OneModelFolds { .. } | GroupCaveat::AtBandwidthBound
            )),
            "{:?}",
            orin.caveats(decode)
        );
        for c in m1.iter().chain(&sxm_prefill).chain(&mlc).chain(&npu) {
            assert!(c.text().len() > 40, "{c:?}");
        }
        // A measured device says in its source whether its group met the targets, and why not.
        let measured = roofscale::model::published::fit_measured_devices();
        let source = |name: &str| {
            measured
                .iter()
                .find(|d| d.name() == name)
                .unwrap_or_else(|| panic!("{name}"))
                .spec()
                .source
                .clone()
        };
        let m1 = source("Apple M1 Max (64GB) · llama.cpp · Metal (measured)");
        assert!(
            m1.contains("Above the held-out target (decode ≤ 10 %, prefill ≤ 20 %)")
                && m1.contains("leave-one-model-out fits keep one model"),
            "{m1}"
        );
        let orin = source("Jetson Orin Nano Super 8GB · llama.cpp · CUDA (measured)");
        assert!(!orin.contains("Above the held-out target"), "{orin}");
        // ... and carries the figures for the design panel.
        let orin = measured
            .iter()
            .find(|d| d.name() == "Jetson Orin Nano Super 8GB · llama.cpp · CUDA (measured)")
            .unwrap();
        let g = group("Jetson Orin Nano Super 8GB", "llama.cpp · CUDA");
        assert_eq!(orin.spec().held_out_decode_pct, g.decode.held_out);
        assert_eq!(orin.spec().held_out_prefill_pct, g.prefill.held_out);
        assert!(orin.spec().held_out_decode_pct.unwrap() <= 10.0);
    }

    /// The Jetson AI Lab's MLC runs say only "INT4". Its benchmark script (jetson-containers
    /// packages/llm/mlc/benchmark.sh, Dec 2024) runs Gemma 2 with q4f16_1 and the rest with its
    /// default q4f16_ft, and MLC-LLM cannot build Gemma 2 with q4f16_ft: the rows are read so,
    /// each saying what it assumed, and the two MLC Jetson calibrations give q4f16_1 a lower
    /// bandwidth fraction of its own.
    #[test]
    fn the_jetson_ai_lab_gemma_2_runs_are_read_as_q4f16_1_and_fitted_apart() {
        use roofscale::model::published::{fit_measured_devices, PublishedRun};
        use roofscale::model::weight_format::{MlcScheme, WeightFormat};
        let (runs, _) = super::shipped_runs(&published_devices());
        let jetson_mlc: Vec<_> = runs
            .iter()
            .filter(|r| r.row.runtime == "MLC-LLM" && r.row.device_spec.starts_with("Jetson"))
            .collect();
        let gemma = |r: &PublishedRun| r.row.model_hf_id.starts_with("google/gemma-2-");
        assert_eq!(jetson_mlc.iter().filter(|r| gemma(r)).count(), 4);
        for r in &jetson_mlc {
            let want = if gemma(r) {
                MlcScheme::Q4f16_1
            } else {
                MlcScheme::Q4f16Ft
            };
            assert_eq!(
                r.measurement.precision().weights,
                WeightFormat::Mlc(want),
                "line {}",
                r.row.line
            );
            assert!(
                r.assumed.iter().any(|a| a.starts_with("format taken as")),
                "line {}: {:?}",
                r.row.line,
                r.assumed
            );
        }
        let measured = fit_measured_devices();
        for board in ["Jetson Orin Nano 8GB", "Jetson Orin Nano Super 8GB"] {
            let name = format!("{board} · MLC-LLM · CUDA (measured)");
            let d = measured.iter().find(|d| d.name() == name).expect(&name);
            let q4f16_1 = d.bandwidth_fraction_for(&WeightFormat::Mlc(MlcScheme::Q4f16_1));
            let q4f16_ft = d.bandwidth_fraction_for(&WeightFormat::Mlc(MlcScheme::Q4f16Ft));
            assert_eq!(q4f16_ft, d.spec().bandwidth_fraction, "{name}");
            assert!(q4f16_1 < 0.8 * q4f16_ft, "{name}: {q4f16_1} vs {q4f16_ft}");
        }
    }
}

/// The shipped measured devices are what the page's calibration fits to the shipped set
/// today (rewrite with `cargo run --release --example write_measured_devices`), each named
/// for its runtime, with fractions in (0, 1] and its fit's error in the source.
#[test]
fn shipped_measured_devices_equal_a_fresh_fit() {
    use roofscale::model::device::import_devices_json;
    use roofscale::model::published::{fit_measured_devices, MEASURED_DEVICES_JSON};
    let import = import_devices_json(MEASURED_DEVICES_JSON);
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    let fresh = fit_measured_devices();
    assert_eq!(import.devices.len(), fresh.len());
    assert!(fresh.len() >= 10, "{} measured devices", fresh.len());
    for (shipped, fresh) in import.devices.iter().zip(&fresh) {
        assert_eq!(shipped.name(), fresh.name());
        assert!(shipped.name().ends_with(" (measured)"));
        let (a, b) = (shipped.spec(), fresh.spec());
        for (x, y) in [
            (a.bandwidth_fraction, b.bandwidth_fraction),
            (a.compute_fraction, b.compute_fraction),
            (a.step_overhead_ms, b.step_overhead_ms),
        ] {
            assert!(
                (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                "{}: {x} vs {y}",
                a.name
            );
        }
        for (x, y) in [
            (a.held_out_decode_pct, b.held_out_decode_pct),
            (a.held_out_prefill_pct, b.held_out_prefill_pct),
        ] {
            assert_eq!(x.is_some(), y.is_some(), "{}", a.name);
            if let (Some(x), Some(y)) = (x, y) {
                assert!((x - y).abs() <= 1e-9 * y.max(1.0), "{}: {x} vs {y}", a.name);
            }
        }
        assert!(a.bandwidth_fraction > 0.0 && a.bandwidth_fraction <= 1.0);
        assert!(a.source.contains("MAPE"), "{}", a.source);
    }
    assert!(fresh
        .iter()
        .any(|d| d.name() == "Jetson Orin Nano Super 8GB · MLC-LLM · CUDA (measured)"));
}

/// The page offers at least 30 rated devices, each with its source, then the measured ones;
/// no two share a name (a session names its device).
#[test]
fn the_page_offers_thirty_rated_devices_and_the_measured_ones_once_each() {
    use roofscale::model::published::{page_device_groups, page_devices};
    let groups = page_device_groups();
    let rated: Vec<_> = groups[..2].iter().flat_map(|(_, d)| d).collect();
    assert!(rated.len() >= 30, "{} rated devices", rated.len());
    for d in &rated {
        assert!(!d.spec().source.is_empty(), "{} has no source", d.name());
        assert!(
            !d.has_overhead(),
            "{}: a rated device has no overhead",
            d.name()
        );
    }
    assert!(groups[2].1.iter().all(|d| d.name().ends_with("(measured)")));
    let all = page_devices();
    let names: BTreeSet<&str> = all.iter().map(|d| d.name()).collect();
    assert_eq!(names.len(), all.len(), "a name twice");
    assert_eq!(
        all.len(),
        groups.iter().map(|(_, d)| d.len()).sum::<usize>()
    );
}

/// A rated device with measured variants is picked as its first measured one; its rated
/// numbers and other runtimes stay offered; a device without variants picks itself.
#[test]
fn picking_a_device_defaults_to_its_measured_variant_where_one_exists() {
    use roofscale::model::published::{
        default_variant, device_variants, is_measured, page_devices, rated_name,
    };
    let all = page_devices();
    let names: Vec<&str> = all.iter().map(|d| d.name()).collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    let rated = at("RTX 4090");
    let llama = at("RTX 4090 · llama.cpp · CUDA (measured)");
    let mlc = at("RTX 4090 · MLC-LLM · CUDA (measured)");
    assert_eq!(default_variant(&names, rated), llama);
    assert_eq!(device_variants(&names, rated), vec![llama, mlc]);
    assert_eq!(device_variants(&names, mlc), vec![rated, llama]);
    // A measured pick stays; so does a rated device nobody measured.
    assert_eq!(default_variant(&names, mlc), mlc);
    let nx = at("Jetson Orin NX 16GB");
    assert_eq!(default_variant(&names, nx), nx);
    assert!(device_variants(&names, nx).is_empty());
    // The paper's AGX Orin has published llama.cpp runs: picking it uses them.
    let agx = at("Jetson AGX Orin 64GB");
    let agx_llama = at("Jetson AGX Orin 64GB · llama.cpp · CUDA (measured)");
    assert_eq!(default_variant(&names, agx), agx_llama);
    // The Orin Nano Super: MLC first (its rows come first in the set), llama.cpp and Ollama
    // one click away.
    let nano = at("Jetson Orin Nano Super 8GB");
    let variants: Vec<&str> = device_variants(&names, nano)
        .into_iter()
        .map(|i| names[i])
        .collect();
    assert_eq!(
        variants,
        [
            "Jetson Orin Nano Super 8GB · MLC-LLM · CUDA (measured)",
            "Jetson Orin Nano Super 8GB · llama.cpp · CUDA (measured)",
            "Jetson Orin Nano Super 8GB · Ollama · CUDA (measured)"
        ]
    );
    assert_eq!(rated_name(names[mlc]), "RTX 4090");
    assert_eq!(rated_name("RTX 4090 · x"), "RTX 4090 · x");
    // Every measured device in the list has its rated device there too.
    for (i, n) in names.iter().enumerate() {
        if is_measured(n) {
            assert!(
                names.contains(&rated_name(n)),
                "{n}: no rated device {}",
                rated_name(n)
            );
            assert_ne!(
                default_variant(&names, at(rated_name(n))),
                at(rated_name(n))
            );
            assert!(device_variants(&names, i).contains(&at(rated_name(n))));
        }
    }
}

/// A user's measurements join the validation as one group of their own: runs generated at a
/// known calibration on two models are fitted back, held out, and their rates read back.
#[test]
fn your_measurements_join_the_validation_as_their_own_group() {
    use roofscale::model::calibrate::{parse_measurements_csv, EXAMPLE_MEASUREMENTS_CSV};
    use roofscale::model::device::device_presets;
    use roofscale::model::published::{user_runs, validate, USER_RUNTIME};
    use roofscale::model::roofline::Phase;
    let nano = device_presets()
        .into_iter()
        .find(|d| d.name() == "Jetson Orin Nano Super 8GB")
        .unwrap();
    let table = parse_measurements_csv("orin.csv", EXAMPLE_MEASUREMENTS_CSV).unwrap();
    let runs = user_runs(&nano, &table.measurements, "orin.csv");
    assert_eq!(runs.len(), table.measurements.len());
    let first = &runs[0];
    assert_eq!(first.row.runtime_label(), USER_RUNTIME);
    assert_eq!(first.row.device_spec, nano.name());
    assert_eq!(
        first.row.source_detail,
        format!("orin.csv line {}", first.row.line)
    );
    // Rates read back to the measured times.
    for r in &runs {
        if let (Some(t), Some(v)) = (r.measurement.decode_s(), r.row.decode_tok_s) {
            let n = r.row.gen_tokens.unwrap() as f64 * r.row.batch as f64;
            assert!((n / v - t).abs() < 1e-12 * t.max(1.0));
        }
    }
    let v = validate(&runs);
    assert_eq!(v.groups.len(), 1);
    let g = &v.groups[0];
    assert_eq!(g.runtime, USER_RUNTIME);
    assert!(g.models >= 2, "{} models", g.models);
    // The example is the roofline at b = 0.58, c = 0.57, o = 2 ms (its comment): the fit
    // recovers it, and held-out predictions of each model from the others stay close.
    assert!((g.report.bandwidth_fraction - 0.58).abs() < 0.005);
    let d = v.overall_where(Phase::Decode, |k| k == 0);
    assert!(d.calibrated < 0.1 && d.held_out.unwrap() < 1.0, "{d:?}");
    assert_eq!(v.overall_where(Phase::Decode, |_| false).phases, 0);
}

/// Devices without a published compute peak (Apple M3/M4, phone NPUs) still bound decode by
/// bandwidth: their decode rows are scored, their prefill rows left out with the reason, and
/// they are never offered as a device to design for, rated or measured.
#[test]
fn bandwidth_only_devices_score_decode_and_are_never_offered() {
    use roofscale::model::published::{
        bandwidth_only_devices, page_devices, parse_published_csv, published_runs,
        validation_devices, PUBLISHED_CSV, PUBLISHED_FILE,
    };
    let only = bandwidth_only_devices();
    let names: Vec<&str> = only.iter().map(|d| d.name()).collect();
    assert!(names.contains(&"Apple M3 Max (128GB)"), "{names:?}");
    assert!(only.iter().all(|d| d.is_bandwidth_only()));
    let offered = page_devices();
    for d in &only {
        assert!(
            !offered.iter().any(|o| o.name().starts_with(d.name())),
            "{} is offered",
            d.name()
        );
    }
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV)
        .unwrap()
        .good;
    let (runs, left_out) = published_runs(&rows, &validation_devices());
    let m3: Vec<_> = runs
        .iter()
        .filter(|r| r.device.name() == "Apple M3 Max (128GB)")
        .collect();
    assert_eq!(m3.len(), 6, "the six tg rows of the M3 Max");
    for r in &m3 {
        assert!(r.measurement.prefill_s().is_none());
        assert!(r.measurement.decode_s().is_some());
        // Compute is unlimited: the rated decode is the memory time alone, a lower bound.
        let rated =
            roofscale::model::calibrate::Calibration::RATED.predict(&r.device, &r.measurement);
        let t = rated.decode_s.unwrap();
        assert!(
            t > 0.0 && t < r.measurement.decode_s().unwrap(),
            "line {}",
            r.row.line
        );
    }
    // Its pp rows are left out by line and column, with the reason.
    let pp = left_out
        .iter()
        .find(|i| i.line == 176)
        .expect("line 176 (M3 Max pp512) left out");
    assert_eq!(pp.column.as_deref(), Some("device_spec"));
    assert!(
        pp.message.contains("no published compute peak"),
        "{}",
        pp.message
    );
}

/// How far to trust a device's latencies: its held-out errors against the targets, and a
/// best design's margin under a budget against the error of the budget's phase.
#[test]
fn held_out_notes_compare_errors_with_targets_and_margins() {
    use roofscale::model::device::device_presets;
    use roofscale::model::published::{budget_margin_note, held_out_note};
    use roofscale::model::roofline::Objective;
    let mut spec = device_presets()[0].spec().clone();
    assert_eq!(held_out_note(&spec), None);
    assert_eq!(
        budget_margin_note(&spec, Objective::Decode, 0.02, 0.025),
        None
    );
    spec.held_out_prefill_pct = Some(10.4);
    // (decode error, target missed, table cell, part of the sentence)
    for (decode, missed, short, text) in [
        (
            9.0,
            false,
            "decode 9.0 %, prefill 10.4 %",
            "Off by decode 9.0 %, prefill 10.4 % on average",
        ),
        (
            31.4,
            true,
            "decode 31.4 % ▲, prefill 10.4 %",
            "decode 31.4 % (above the 10 % target), prefill 10.4 %",
        ),
    ] {
        spec.held_out_decode_pct = Some(decode);
        let n = held_out_note(&spec).unwrap();
        assert_eq!((n.missed, n.short.as_str()), (missed, short));
        assert!(n.text.contains(text), "{n:?}");
    }
    // 23.5 ms under a 25 ms budget: 6 % of margin, thinner than a 9 % decode error.
    spec.held_out_decode_pct = Some(9.0);
    let (note, thin) = budget_margin_note(&spec, Objective::Decode, 0.0235, 0.025).unwrap();
    assert!(thin, "{note}");
    assert!(note.starts_with("It is 6.0 % under the budget"), "{note}");
    let (_, thin) = budget_margin_note(&spec, Objective::Decode, 0.020, 0.025).unwrap();
    assert!(!thin);
    // Prefill uses its own error; the total the larger of the two.
    let (_, thin) = budget_margin_note(&spec, Objective::Prefill, 0.0227, 0.025).unwrap();
    assert!(thin, "9.2 % of margin against a 10.4 % prefill error");
    let (_, thin) = budget_margin_note(&spec, Objective::Prefill, 0.022, 0.025).unwrap();
    assert!(!thin, "12 % of margin against a 10.4 % prefill error");
    let (note, thin) = budget_margin_note(&spec, Objective::Total, 0.0225, 0.025).unwrap();
    assert!(thin && note.contains("off by 10.4 %"), "{note}");
    spec.held_out_prefill_pct = None;
    let (note, _) = budget_margin_note(&spec, Objective::Total, 0.0225, 0.025).unwrap();
    assert!(note.contains("off by 9.0 %"), "{note}");
    assert_eq!(
        budget_margin_note(&spec, Objective::Prefill, 0.02, 0.025),
        None
    );
}
