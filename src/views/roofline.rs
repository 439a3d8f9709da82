//! The roofline chart of a device with the operators of one prefill and one decode step.

use crate::chart::{AxisSpec, Marker, Rgb, Series, SeriesKind, XyChart, PALETTE};
use crate::model::device::Device;
use crate::model::precision::NumFormat;
use crate::model::roofline::{OpCost, PhaseBreakdown};

/// The roofline of `device` with the operators of one prefill and one decode step of a design:
/// attainable FLOP/s against intensity on log axes. One roof per number format the operators
/// use or the device lists: the achievable roof (rated × the device's fractions, what the
/// latency model uses, solid) and, when a fraction is below one, the rated roof (dashed, so it
/// reads apart from the achievable one in the same colour, in the legend too). Each
/// roof's ridge point is marked, and the operators are labelled, slowest first, where their
/// labels do not collide.
pub fn roofline_chart(
    device: &Device,
    prefill: &PhaseBreakdown,
    decode: &PhaseBreakdown,
) -> XyChart {
    let shown = |c: &&OpCost| c.op.flops > 0.0 && c.time_s > 0.0;
    let at = |c: &OpCost| (c.op.intensity(), c.op.flops / c.time_s);
    let point =
        |b: &PhaseBreakdown| -> Vec<(f64, f64)> { b.ops.iter().filter(shown).map(at).collect() };
    let spec = device.spec();
    let listed = |f: NumFormat| match f {
        NumFormat::Fp32 => spec.fp32_tflops.is_some(),
        NumFormat::Fp16 => spec.fp16_tflops.is_some(),
        NumFormat::Bf16 => spec.bf16_tflops.is_some(),
        NumFormat::Fp8 => spec.fp8_tflops.is_some(),
        NumFormat::Int8 => spec.int8_tops.is_some(),
        NumFormat::Int4 => spec.int4_tops.is_some(),
    };
    let used: Vec<NumFormat> = prefill
        .ops
        .iter()
        .chain(&decode.ops)
        .map(|c| c.format)
        .collect();
    // Formats the operators use come last, so their roofs are drawn on top.
    let mut formats: Vec<NumFormat> = NumFormat::ALL
        .into_iter()
        .filter(|f| used.contains(f) || listed(*f))
        .collect();
    formats.sort_by_key(|f| used.contains(f));
    let all: Vec<(f64, f64)> = point(prefill).into_iter().chain(point(decode)).collect();
    // The bandwidth the operators were timed at: a calibrated device may have measured
    // their weight format apart.
    let bandwidth = device.bandwidth_for(&decode.weights);
    let top_ridge = formats
        .iter()
        .map(|f| device.peak_flops(*f) / bandwidth)
        .fold(0.0f64, f64::max);
    let lo = all
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min)
        .min(0.5)
        / 2.0;
    let hi = all
        .iter()
        .map(|p| p.0)
        .fold(0.0f64, f64::max)
        .max(2.0 * top_ridge)
        * 2.0;
    let mut series = vec![
        Series::points("prefill operators", PALETTE[0], point(prefill)),
        Series::points("decode operators", PALETTE[1], point(decode)),
    ];
    let mut markers = Vec::new();
    let derated = bandwidth < spec.bandwidth_gbps * 1e9 || spec.compute_fraction < 1.0;
    let rated_bandwidth = spec.bandwidth_gbps * 1e9;
    let roof = |bandwidth: f64, peak: f64| -> Vec<(f64, f64)> {
        [lo, peak / bandwidth, hi]
            .iter()
            .filter(|x| x.is_finite() && **x > 0.0)
            .map(|x| (*x, (bandwidth * x).min(peak)))
            .collect()
    };
    for (k, f) in formats.iter().enumerate() {
        let color = ROOF_COLORS[k % ROOF_COLORS.len()];
        let peak = device.peak_flops(*f);
        let ridge = peak / bandwidth;
        let name = if derated {
            format!("{} roof, achievable", f.name())
        } else {
            format!("{} roof", f.name())
        };
        series.push(Series::line(name, color, roof(bandwidth, peak)));
        if derated {
            let rated_peak = peak / spec.compute_fraction;
            // Dashed, here and in the legend: the same colour as its achievable roof.
            let mut rated = Series::line(
                format!("{} roof, rated", f.name()),
                color,
                roof(rated_bandwidth, rated_peak),
            )
            .dashed();
            rated.kind = SeriesKind::Line { width: 1.2 };
            series.push(rated);
        }
        markers.push(Marker {
            x: ridge,
            y: peak,
            label: format!("ridge {} ({:.0} FLOP/B)", f.name(), ridge),
            color: PALETTE[3],
        });
    }
    // Operators labelled by their share of their step: each phase's slowest always, then the
    // others slowest first, skipping any whose label would sit on one already placed (a decode
    // step's matmuls share one intensity; the tooltip names every point). The same operator at
    // the same place in both phases gets one label naming both shares.
    // (phase, operator, share of its step, is the phase's slowest): each phase's slowest
    // first, always labelled; then the rest, slowest first.
    let mut ops: Vec<(&str, &OpCost, f64, bool)> = [("prefill", prefill), ("decode", decode)]
        .into_iter()
        .flat_map(|(phase, b)| {
            let total = b.total_s();
            let slowest = b
                .ops
                .iter()
                .filter(shown)
                .map(OpCost::total_s)
                .fold(0.0, f64::max);
            b.ops.iter().filter(shown).map(move |c| {
                let share = 100.0 * c.total_s() / total;
                (phase, c, share, c.total_s() >= slowest)
            })
        })
        .collect();
    ops.sort_by(|x, y| {
        (y.3, y.2)
            .partial_cmp(&(x.3, x.2))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    // Where labels collide: within 0.9 decade of intensity (a label's width) and 0.3 decade
    // of performance (its height) on a chart of usual size.
    let collides = |a: (f64, f64), b: (f64, f64)| {
        (a.0 / b.0).log10().abs() < 0.9 && (a.1 / b.1).log10().abs() < 0.3
    };
    // The ridge labels are placed already.
    let mut labelled: Vec<(&str, (f64, f64), usize)> = markers
        .iter()
        .enumerate()
        .map(|(k, m)| ("", (m.x, m.y), k))
        .collect();
    for (phase, c, share, forced) in ops {
        let xy = at(c);
        let clash = labelled
            .iter()
            .find(|(name, p, _)| collides(*p, xy) && !(forced && *name != c.op.name));
        match clash {
            Some(&(name, p, k)) if name == c.op.name && (p.0 / xy.0).ln().abs() < 0.3 => {
                let label = &mut markers[k].label;
                if !label.contains(phase) {
                    *label = format!("{label}, {phase} {share:.0} %");
                }
            }
            Some(_) => {}
            None if forced || labelled.len() < formats.len() + MAX_OP_LABELS => {
                labelled.push((c.op.name, xy, markers.len()));
                markers.push(Marker {
                    x: xy.0,
                    y: xy.1,
                    label: format!("{}: {phase} {share:.0} %", c.op.name),
                    color: if phase == "prefill" {
                        PALETTE[0]
                    } else {
                        PALETTE[1]
                    },
                });
            }
            None => {}
        }
    }
    XyChart {
        title: format!("Roofline on {}", device.name()),
        x: AxisSpec::log("arithmetic intensity (FLOP/byte)"),
        y: AxisSpec::log("attainable performance (FLOP/s)"),
        series,
        markers,
        ..XyChart::default()
    }
}

/// Most operators labelled on a roofline chart.
const MAX_OP_LABELS: usize = 8;

/// Roof colours by format, apart from the operator colours.
const ROOF_COLORS: [Rgb; 4] = [PALETTE[7], PALETTE[4], PALETTE[5], PALETTE[6]];
