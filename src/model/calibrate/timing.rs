//! Phase times as functions of the two achievable fractions, tabulated once per measurement.
//!
//! An operator takes max(F/(π·c), M/(β·b)) (method.md §3). With f = F/π and m = M/β taken once
//! at the device's rated numbers, a phase takes Σ max(f·u, m·v) with u = 1/c and v = 1/b, so
//! the fit evaluates any (b, c) without re-running the roofline. Decode sums its S_out steps in
//! closed form: within a stretch of contexts where every operator's FLOPs and bytes are linear
//! in the context (the stretch breaks at the sliding window, beyond which windowed operators
//! stop growing), an operator contributes Σ_k max(u·(f0 + f1·k), v·(m0 + m1·k)), two
//! arithmetic series split where the lines cross. The same split as `roofline/series.rs`, so
//! the result equals [`crate::model::roofline::evaluate`] (tested in `tests/calibrate.rs`).

use crate::model::arch::Architecture;
use crate::model::device::Device;
use crate::model::precision::Precision;
use crate::model::roofline::{decode_breakdown, prefill_breakdown, PhaseBreakdown};
use crate::model::workload::Workload;

/// Seconds of a phase spent in compute-bound and in memory-bound operators. The first scales
/// with 1/c, the second with 1/b: their sum is the time, and they are the derivatives the fit
/// needs (with respect to ln c and ln b, up to sign).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Split {
    pub compute: f64,
    pub memory: f64,
}

impl Split {
    pub fn total(self) -> f64 {
        self.compute + self.memory
    }
}

/// One operator over a stretch: rated compute and memory seconds at the stretch's first
/// context, and their change per token of context.
#[derive(Clone, Copy, Debug)]
struct Line {
    f0: f64,
    f1: f64,
    m0: f64,
    m1: f64,
}

/// Consecutive steps whose operators are all linear in the context.
#[derive(Clone, Debug)]
struct Stretch {
    steps: f64,
    ops: Vec<Line>,
}

/// A phase of one measured run: the prefill (one step) or the S_out decode steps.
#[derive(Clone, Debug)]
pub(crate) struct PhaseTable {
    stretches: Vec<Stretch>,
}

/// Rated compute and memory seconds of every operator of a step (all its instances).
fn rated(breakdown: &PhaseBreakdown, rated: &Device) -> Vec<(f64, f64)> {
    breakdown
        .ops
        .iter()
        .map(|o| {
            let n = o.count as f64;
            (
                n * o.op.flops / rated.peak_flops(o.format),
                n * o.op.bytes() / rated.bandwidth(),
            )
        })
        .collect()
}

/// The device with fractions 1, its formats' too: its rated numbers.
pub(crate) fn rated_device(device: &Device) -> Device {
    let mut spec = device.spec().clone();
    spec.bandwidth_fraction = 1.0;
    spec.compute_fraction = 1.0;
    spec.format_bandwidth_fractions = Default::default();
    Device::new(spec).expect("a valid device stays valid with fractions of 1")
}

impl PhaseTable {
    /// The prefill: one step, nothing varies.
    pub fn prefill(
        arch: &Architecture,
        rated_device: &Device,
        precision: Precision,
        workload: &Workload,
    ) -> PhaseTable {
        let step = rated(
            &prefill_breakdown(arch, rated_device, precision, workload),
            rated_device,
        );
        let ops = step
            .into_iter()
            .map(|(f, m)| Line {
                f0: f,
                f1: 0.0,
                m0: m,
                m1: 0.0,
            })
            .collect();
        PhaseTable {
            stretches: vec![Stretch { steps: 1.0, ops }],
        }
    }

    /// The decode steps at contexts S_in + 1 ..= S_in + S_out, split at the sliding window.
    pub fn decode(
        arch: &Architecture,
        rated_device: &Device,
        precision: Precision,
        workload: &Workload,
    ) -> PhaseTable {
        let lo = workload.prompt_tokens() as u64 + 1;
        let hi = workload.final_context();
        let mut bounds = Vec::new();
        match arch.spec().sliding_window {
            Some(sw) if (lo..hi).contains(&(sw.window as u64)) => {
                let w = sw.window as u64;
                bounds.push((lo, w));
                bounds.push((w + 1, hi));
            }
            _ if hi >= lo => bounds.push((lo, hi)),
            _ => {}
        }
        let at = |c: u64| {
            rated(
                &decode_breakdown(arch, rated_device, precision, workload, c),
                rated_device,
            )
        };
        let stretches = bounds
            .into_iter()
            .map(|(p, q)| {
                let first = at(p);
                let last = if q > p { at(q) } else { first.clone() };
                let span = (q - p).max(1) as f64;
                let ops = first
                    .iter()
                    .zip(&last)
                    .map(|(&(f0, m0), &(fq, mq))| Line {
                        f0,
                        f1: (fq - f0) / span,
                        m0,
                        m1: (mq - m0) / span,
                    })
                    .collect();
                Stretch {
                    steps: (q - p + 1) as f64,
                    ops,
                }
            })
            .collect();
        PhaseTable { stretches }
    }

    /// Compute-bound and memory-bound seconds at compute fraction 1/u and bandwidth
    /// fraction 1/v.
    pub fn split(&self, u: f64, v: f64) -> Split {
        let mut out = Split::default();
        for s in &self.stretches {
            for l in &s.ops {
                let (c, m) = sum_max_split(u * l.f0, u * l.f1, v * l.m0, v * l.m1, s.steps);
                out.compute += c;
                out.memory += m;
            }
        }
        out
    }
}

/// Σ_{k=p..=q} (a + b·k); 0 when q < p.
fn arithmetic(a: f64, b: f64, p: f64, q: f64) -> f64 {
    if q < p {
        return 0.0;
    }
    (q - p + 1.0) * (a + b * 0.5 * (p + q))
}

/// Σ_{k=0..n-1} max(a1 + b1·k, a2 + b2·k), split into the part where the first line is on
/// top (ties go to it) and the rest.
fn sum_max_split(a1: f64, b1: f64, a2: f64, b2: f64, n: f64) -> (f64, f64) {
    let last = n - 1.0;
    if b1 == b2 {
        return if a1 >= a2 {
            (arithmetic(a1, b1, 0.0, last), 0.0)
        } else {
            (0.0, arithmetic(a2, b2, 0.0, last))
        };
    }
    // Line 1 is on top where (a1 − a2) + (b1 − b2)·k ≥ 0, a half-line ending at x.
    let x = (a2 - a1) / (b1 - b2);
    if b1 > b2 {
        let k = x.ceil().clamp(0.0, n);
        (
            arithmetic(a1, b1, k, last),
            arithmetic(a2, b2, 0.0, k - 1.0),
        )
    } else {
        let k = x.floor().clamp(-1.0, last);
        (
            arithmetic(a1, b1, 0.0, k),
            arithmetic(a2, b2, k + 1.0, last),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_sums_like_the_loop() {
        let cases = [
            (0.0, 2.0, 21.0, 0.0, 30.0),
            (14.0, 0.0, 0.0, 2.0, 30.0),
            (5.0, 1.0, 5.0, 1.0, 7.0),
            (1.0, 3.0, 2.0, 0.5, 2.0),
            (1.0, 3.0, 2.0, 0.5, 1.0),
            (3.0, 0.0, 2.0, 0.0, 4.0),
        ];
        for (a1, b1, a2, b2, n) in cases {
            let (mut top, mut rest) = (0.0, 0.0);
            for k in 0..n as u32 {
                let (l1, l2) = (a1 + b1 * k as f64, a2 + b2 * k as f64);
                if l1 >= l2 {
                    top += l1;
                } else {
                    rest += l2;
                }
            }
            let (c, m) = sum_max_split(a1, b1, a2, b2, n);
            assert!(
                (c + m - top - rest).abs() <= 1e-12 * (top + rest),
                "{a1} {b1} {a2} {b2}"
            );
            // At an exact crossing both lines are equal, so only the total is pinned there.
            if (a2 - a1) / (b1 - b2) != ((a2 - a1) / (b1 - b2)).round() {
                let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * (top + rest);
                assert!(close(c, top) && close(m, rest), "{a1} {b1} {a2} {b2}");
            }
        }
    }
}
