//! Accuracy of the roofline on the shipped measurement set (issue 16, point 6): for each
//! rated device and runtime, the mean absolute percentage error of decode and prefill times
//! on the rated device, calibrated on the group's rows, and held out (calibrated without
//! the rows of the predicted model), beside the targets; then the rows measured faster than
//! the rated roofline allows, and the rows the page cannot build. Figures only: nothing
//! here passes or fails.
//!
//! Run: `cargo run --release --example validate_published`.

use roofscale::model::published::{
    held_out_target_pct, parse_published_csv, published_runs, validate, validation_devices, Mape,
    DECODE_TARGET_PCT as DECODE_TARGET, MIN_GROUP_PHASES, PREFILL_TARGET_PCT as PREFILL_TARGET,
    PUBLISHED_CSV, PUBLISHED_FILE,
};
use roofscale::model::roofline::Phase;

fn cell(m: &Mape, target: f64, counted: bool) -> String {
    if m.phases == 0 {
        return "-".into();
    }
    let held = match m.held_out {
        Some(h) => {
            let mark = if !counted {
                ""
            } else if h <= target {
                " ok"
            } else {
                " OVER"
            };
            format!("{h:.1}% ({}){mark}", m.held_out_phases)
        }
        None => "n/a (one model)".into(),
    };
    format!(
        "n={} rated {:.1}% · calibrated {:.1}% · held out {held}",
        m.phases, m.rated, m.calibrated
    )
}

fn main() {
    let rows = parse_published_csv(PUBLISHED_FILE, PUBLISHED_CSV).expect("the shipped set reads");
    let devices = validation_devices();
    let (runs, left_out) = published_runs(&rows.good, &devices);
    let v = validate(&runs);
    println!(
        "published set: {} rows read, {} predicted, {} left out (listed below); {} groups (rated device × runtime)",
        rows.good.len(),
        runs.len(),
        left_out.len(),
        v.groups.len()
    );
    println!(
        "targets: held-out decode MAPE <= {DECODE_TARGET}% and prefill <= {PREFILL_TARGET}% in each group with >= {MIN_GROUP_PHASES} measured phases"
    );
    for g in &v.groups {
        let counts = g.counts();
        println!(
            "{}{} · {} ({} models; b = {:.3}{}, c = {:.3}, overhead {:.1} µs per layer{})",
            g.device.name(),
            if g.device.is_bandwidth_only() {
                " [bandwidth only: no compute peak published, decode rows only]"
            } else {
                ""
            },
            g.runtime,
            g.models,
            g.report.bandwidth_fraction,
            g.report
                .format_bandwidth
                .iter()
                .map(|f| format!(", {} {:.3}", f.format, f.fraction))
                .collect::<String>(),
            g.report.compute_fraction,
            g.report.layer_overhead_s * 1e6,
            if counts {
                ""
            } else {
                "; too few rows to count"
            }
        );
        println!("    decode:  {}", cell(&g.decode, DECODE_TARGET, counts));
        println!("    prefill: {}", cell(&g.prefill, PREFILL_TARGET, counts));
        for p in g.missed_targets() {
            println!("        {} over target: {}", p.name(), g.caveat_summary(p));
        }
        for (line, label, ratio) in g.report.set_aside() {
            println!(
                "        set aside from the fit: line {line} ({label}), measured {ratio:.2}× the others' prediction"
            );
        }
        if let Some(p) = g.overhead_prior {
            println!(
                "        overhead held at the runtime's median over {} other devices (rows of one model)",
                p.devices
            );
        }
        for f in &g.held_out_fits {
            let model = &f.model;
            let held = match (f.overhead_fitted, f.prior) {
                (true, _) => String::new(),
                (false, Some(p)) => format!(" (held: median of {} other devices)", p.devices),
                (false, None) => " (held: no prior)".to_string(),
            };
            match f.calibration {
                Some(c) => println!(
                    "        without {model}: b = {:.3}{}, c = {:.3}, overhead {:.1} µs per layer{held}",
                    c.bandwidth_fraction,
                    c.format_bandwidth
                        .iter()
                        .map(|f| format!(", {} {:.3}", f.format, f.fraction))
                        .collect::<String>(),
                    c.compute_fraction,
                    c.layer_overhead_s * 1e6
                ),
                None => println!("        without {model}: no fit"),
            }
        }
    }
    for (name, kind) in [("decode", Phase::Decode), ("prefill", Phase::Prefill)] {
        let target = held_out_target_pct(kind);
        println!("overall {name}: {}", cell(&v.overall(kind), target, false));
    }
    let (met, counted) = v.targets_met(|_| true);
    println!("held-out targets met in {met} of {counted} group phases with a held-out figure");
    let above: Vec<_> = v.above_bound().collect();
    println!(
        "measured faster than the rated roofline (a wrong spec or a wrong row): {} phases",
        above.len()
    );
    for s in above {
        let r = &runs[s.run].row;
        println!(
            "    line {} ({} · {} · {} {}): {:?} measured {:.4} s, rated bound {:.4} s ({:+.1}%)",
            r.line,
            r.device,
            r.runtime_label(),
            r.model,
            r.weight_format,
            s.phase,
            s.measured_s,
            s.rated_s,
            s.error_pct(s.rated_s)
        );
    }
    let assumed: Vec<_> = runs.iter().filter(|r| !r.assumed.is_empty()).collect();
    println!("rows predicted with an assumption ({}):", assumed.len());
    for r in assumed {
        println!("    line {}: {}", r.row.line, r.assumed.join("; "));
    }
    println!("rows left out:");
    for e in &left_out {
        println!(
            "    line {}, column {}: {}",
            e.line,
            e.column.as_deref().unwrap_or("-"),
            e.message
        );
    }
}
