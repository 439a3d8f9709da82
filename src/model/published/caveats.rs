//! Why a group's held-out predictions may be poor, read off its rows and fits rather than
//! written by hand: shown where a group misses its target (the validation view, a measured
//! device's source), so that a user knows how far to trust it and what more data would help.

use super::runs::{PublishedRun, USER_RUNTIME};
use super::validation::GroupScore;
use crate::model::calibrate::Calibration;
use crate::model::roofline::Phase;

/// How much faster per token a longer run may be (relative to the rated roofline's speed-up,
/// where it predicts one) before the pair is flagged: timing noise.
pub const INVERSION_TOLERANCE: f64 = 1.10;

/// A group's fitted per-layer overhead and the runtime prior its held-out fits were held at
/// differ by more than this factor: the device is not typical of its runtime.
pub const PRIOR_UNLIKE: f64 = 1.3;

/// Two rows of one model, format and batch, from one source and build, where the longer run
/// is faster per token than the shorter by more than [`INVERSION_TOLERANCE`] (times the
/// speed-up the rated roofline predicts, where it predicts one). Once the shorter run keeps the device busy, a
/// longer prompt or generation only adds attention work (llama.cpp runs a long prompt in
/// batches of the short one's size), so one of the two rows is likely wrong. The published
/// A40, L40S and A100 SXM prefill anomalies and the M1 (7-core) tg4096 are of this kind.
#[derive(Clone, Debug, PartialEq)]
pub struct LengthInversion {
    pub phase: Phase,
    /// Where the shorter and the longer run are ("line 92", or the user's file and line).
    pub shorter: String,
    pub longer: String,
    /// Their prompt (prefill) or generated (decode) tokens.
    pub shorter_tokens: u32,
    pub longer_tokens: u32,
    /// Tokens per second of the longer run over the shorter's, measured.
    pub ratio: f64,
}

/// Where a run's row is, as the page names it.
fn place(run: &PublishedRun) -> String {
    if run.row.runtime == USER_RUNTIME {
        run.row.source_detail.clone()
    } else {
        format!("line {}", run.row.line)
    }
}

/// The inverted pairs among `members` of `runs` (one group).
pub(super) fn length_inversions(runs: &[PublishedRun], members: &[usize]) -> Vec<LengthInversion> {
    // The rated roofline's times of each member, once: every pair reads two of them.
    let rated: Vec<_> = members
        .iter()
        .map(|&i| Calibration::RATED.predict(&runs[i].device, &runs[i].measurement))
        .collect();
    let mut out = Vec::new();
    for (ka, &a) in members.iter().enumerate() {
        for (kb, &b) in members.iter().enumerate().skip(ka + 1) {
            let (ra, rb) = (&runs[a].row, &runs[b].row);
            let comparable = runs[a].measurement.arch() == runs[b].measurement.arch()
                && ra.weight_format == rb.weight_format
                && ra.batch == rb.batch
                && ra.source_url == rb.source_url
                && ra.runtime_version == rb.runtime_version;
            if !comparable {
                continue;
            }
            let (pa, pb) = (&rated[ka], &rated[kb]);
            // (phase, tokens, measured tokens per second, rated seconds) of each row.
            let phases = [
                (
                    Phase::Prefill,
                    (ra.prompt_tokens, ra.prefill_tok_s, pa.prefill_s),
                    (rb.prompt_tokens, rb.prefill_tok_s, pb.prefill_s),
                ),
                (
                    Phase::Decode,
                    (ra.gen_tokens, ra.decode_tok_s, pa.decode_s),
                    (rb.gen_tokens, rb.decode_tok_s, pb.decode_s),
                ),
            ];
            for (phase, x, y) in phases {
                let ((Some(lx), Some(sx), Some(tx)), (Some(ly), Some(sy), Some(ty))) = (x, y)
                else {
                    continue;
                };
                // Decode runs compare only from the same prompt.
                if phase == Phase::Decode && ra.prompt_tokens != rb.prompt_tokens {
                    continue;
                }
                let ((short, ls, ss, ts), (long, ll, sl, tl)) = match lx.cmp(&ly) {
                    std::cmp::Ordering::Less => ((a, lx, sx, tx), (b, ly, sy, ty)),
                    std::cmp::Ordering::Greater => ((b, ly, sy, ty), (a, lx, sx, tx)),
                    std::cmp::Ordering::Equal => continue,
                };
                // No speed-up from the longer run, unless the rated roofline predicts one
                // (weight reads shared by more tokens while the short run leaves the device
                // idle). Where it predicts a slow-down, 1 is kept: its attention cost at long
                // prompts is an upper bound, not a runtime's kernels.
                let expected = ((ll as f64 / tl) / (ls as f64 / ts)).max(1.0);
                let measured = sl / ss;
                if measured > INVERSION_TOLERANCE * expected {
                    out.push(LengthInversion {
                        phase,
                        shorter: place(&runs[short]),
                        longer: place(&runs[long]),
                        shorter_tokens: ls,
                        longer_tokens: ll,
                        ratio: measured,
                    });
                }
            }
        }
    }
    out
}

/// Something about a group's rows or fits that makes its held-out errors larger.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupCaveat {
    /// Phases far off the rest, set aside from the fit, still count in the errors.
    OutliersCounted { phases: usize },
    /// Leave-one-model-out fits left with one model and no runtime prior: from one model the
    /// per-layer overhead and the bandwidth fraction are told apart only through its formats
    /// and lengths, which carries to another model size by chance.
    OneModelFolds { folds: usize, of: usize },
    /// The held-out fits hold the runtime's typical overhead, far from the one the group's
    /// own rows give: this device is not typical of its runtime.
    PriorUnlike { prior_s: f64, own_s: f64 },
    /// The fit needed the whole rated bandwidth (a fraction at 1): the times do not scale with
    /// the bytes as a roofline's do.
    AtBandwidthBound,
    /// The rows name more than one build of the runtime, which need not run alike.
    Builds { builds: Vec<String> },
    /// Rows whose speeds contradict each other (see [`LengthInversion`]).
    Inverted { pairs: Vec<LengthInversion> },
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl GroupCaveat {
    /// The caveat as a clause of the sentence [`GroupScore::caveat_summary`] builds.
    pub fn text(&self) -> String {
        match self {
            GroupCaveat::OutliersCounted { phases } => format!(
                "{} far off the others (set aside from the fit) still {} in its errors",
                plural(*phases, "phase", "phases"),
                if *phases == 1 { "counts" } else { "count" }
            ),
            GroupCaveat::OneModelFolds { folds, of } => format!(
                "{folds} of its {} {} one model and no runtime prior: overhead and bandwidth \
                 are then told apart only through that model's formats and lengths (rows of \
                 more models would help)",
                plural(*of, "leave-one-model-out fit", "leave-one-model-out fits"),
                if *folds == 1 { "keeps" } else { "keep" }
            ),
            GroupCaveat::PriorUnlike { prior_s, own_s } => format!(
                "its leave-one-model-out fits hold the runtime's typical overhead of {:.0} µs \
                 per layer, but its own rows give {:.0} µs: this device is not typical of its \
                 runtime",
                prior_s * 1e6,
                own_s * 1e6
            ),
            GroupCaveat::AtBandwidthBound => "its fit needs the whole rated bandwidth \
                 (fraction 1) plus a per-layer overhead: its times do not scale with the bytes \
                 as a roofline's do"
                .to_string(),
            GroupCaveat::Builds { builds } => format!(
                "its rows come from {} builds or engines of the runtime ({}), which need not \
                 run alike",
                builds.len(),
                builds.join("; ")
            ),
            GroupCaveat::Inverted { pairs } => {
                let each: Vec<String> = pairs
                    .iter()
                    .map(|p| {
                        let what = match p.phase {
                            Phase::Prefill => "prompt",
                            Phase::Decode => "generated",
                        };
                        format!(
                            "{} ({} {what} tokens) runs {:.2}× as many {} tokens a second as {} \
                             ({} {what} tokens)",
                            p.longer,
                            p.longer_tokens,
                            p.ratio,
                            p.phase.name(),
                            p.shorter,
                            p.shorter_tokens
                        )
                    })
                    .collect();
                format!(
                    "{}, of the same model and format: a longer run only adds work, so {} \
                     likely wrong",
                    each.join("; "),
                    if pairs.len() == 1 {
                        "one of the two rows is"
                    } else {
                        "one row of each pair is"
                    }
                )
            }
        }
    }
}

impl GroupScore {
    /// What in its rows and fits makes its held-out errors of `phase` larger.
    pub fn caveats(&self, phase: Phase) -> Vec<GroupCaveat> {
        let mut out = Vec::new();
        let outliers = self
            .report
            .set_aside()
            .filter(|(line, label, _)| {
                self.report
                    .rows
                    .iter()
                    .any(|r| r.line == *line && r.label == *label && r.phase == phase)
            })
            .count();
        if outliers > 0 {
            out.push(GroupCaveat::OutliersCounted { phases: outliers });
        }
        let lone = self
            .held_out_fits
            .iter()
            .filter(|f| f.models == 1 && f.prior.is_none() && f.calibration.is_some())
            .count();
        if lone > 0 {
            out.push(GroupCaveat::OneModelFolds {
                folds: lone,
                of: self.held_out_fits.len(),
            });
        }
        // The priors the held-out fits were held at, against the group's own overhead.
        let own = self.report.layer_overhead_s;
        let unlike = self
            .held_out_fits
            .iter()
            .filter_map(|f| f.prior)
            .map(|p| p.layer_overhead_s)
            .find(|&p| {
                self.report.fitted.overhead && (own > PRIOR_UNLIKE * p || p > PRIOR_UNLIKE * own)
            });
        if let Some(prior_s) = unlike {
            out.push(GroupCaveat::PriorUnlike {
                prior_s,
                own_s: own,
            });
        }
        if self.report.at_whole_bandwidth() {
            out.push(GroupCaveat::AtBandwidthBound);
        }
        if self.builds.len() > 1 {
            out.push(GroupCaveat::Builds {
                builds: self.builds.clone(),
            });
        }
        let pairs: Vec<LengthInversion> = self
            .inversions
            .iter()
            .filter(|i| i.phase == phase)
            .cloned()
            .collect();
        if !pairs.is_empty() {
            out.push(GroupCaveat::Inverted { pairs });
        }
        out
    }

    /// [`GroupScore::caveats`] of `phase` in a sentence, for a group that misses its target.
    pub fn caveat_summary(&self, phase: Phase) -> String {
        let texts: Vec<String> = self.caveats(phase).iter().map(GroupCaveat::text).collect();
        if texts.is_empty() {
            "No cause read off its rows and fits: its models may differ in ways the roofline \
             does not model."
                .to_string()
        } else {
            format!("Its rows and fits show: {}.", texts.join("; "))
        }
    }

    /// What the group's rows and fits show for each phase that misses its target:
    /// "decode: …" per phase, one sentence when the phases share it; empty when none misses.
    pub fn missed_summary(&self) -> String {
        let missed = self.missed_targets();
        let texts: Vec<(Phase, String)> = missed
            .iter()
            .map(|&p| (p, self.caveat_summary(p)))
            .collect();
        match texts.as_slice() {
            [] => String::new(),
            [(_, one)] => one.clone(),
            [(_, a), (_, b)] if a == b => a.clone(),
            _ => texts
                .iter()
                .map(|(p, t)| format!("{}: {t}", p.name()))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}
