//! What a finished search says beyond its frontiers (method.md §4 findings, §2 headline): the
//! shape along a frontier, the share of MoE designs on it, a reference model scored with the
//! report's law and device, and that reference against the best frontier design at its latency.
//!
//! Every panel and chart that quotes these reads them from here, so a reference model's loss
//! or a finding's definition has one home.

use super::{Constraints, Objective, SearchReport};
use crate::model::arch::Architecture;
use crate::model::law::LawInputs;
use crate::model::params::param_counts;
use crate::model::pareto::{best_under_budget, FrontierPoint};
use crate::model::roofline::{evaluate, LatencyReport};
use serde::Serialize;

/// A model outside the search (a reference such as Qwen2.5-0.5B, or a pinned design) seen
/// through a report: the same law, training tokens, device and workload as its candidates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ReferenceScore {
    /// Total parameters N (all experts).
    pub params: f64,
    /// The report's law at N and the report's training tokens.
    pub loss: f64,
    /// The roofline on the report's device and workload in the requested precision.
    pub latency: LatencyReport,
}

/// Scores `reference` as the search scored its candidates, in precision `precision` (index
/// into the report's precisions).
pub fn score_reference(
    reference: &Architecture,
    report: &SearchReport,
    precision: usize,
) -> ReferenceScore {
    let p = report.evaluations.precisions[precision];
    let params = param_counts(reference).total() as f64;
    let inputs = LawInputs::from_arch(reference, params, report.settings.training_tokens());
    ReferenceScore {
        params,
        loss: report.law.predict(&inputs),
        latency: evaluate(reference, &report.device, p, &report.workload),
    }
}

/// The shape of one frontier point, for the trend chart (method.md §4 findings: depth,
/// width, experts and r along the frontier).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TrendPoint {
    pub latency_s: f64,
    pub loss: f64,
    pub layers: u32,
    pub hidden: u32,
    pub experts: u16,
    pub active: u16,
    pub ffn_ratio: f32,
    pub kv_heads: u32,
}

/// The shape of every point of a frontier, in frontier order.
pub fn trends(report: &SearchReport, frontier: &[FrontierPoint]) -> Vec<TrendPoint> {
    frontier
        .iter()
        .map(|p| {
            let c = &report.evaluations.candidates[p.candidate];
            TrendPoint {
                latency_s: p.latency_s,
                loss: p.loss,
                layers: c.layers,
                hidden: c.hidden,
                experts: c.experts,
                active: c.active,
                ffn_ratio: c.ffn_ratio,
                kv_heads: c.kv_heads,
            }
        })
        .collect()
}

/// The statistics a reviewer looks for on a frontier (method.md §4: MoE wins at low latency,
/// with the most experts and top-1, and a narrow FFN).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Findings {
    /// Share of frontier points with more than one expert, 0..=1 (0 on an empty frontier).
    pub moe_share: f64,
    /// Share of frontier points that use the largest expert count evaluated, with top-1.
    pub most_experts_top1_share: f64,
    /// Median r over the frontier (the upper median of an even count); NaN when empty.
    pub median_ffn_ratio: f64,
}

/// The [`Findings`] of `frontier`, one of `report`'s frontiers.
pub fn findings(report: &SearchReport, frontier: &[FrontierPoint]) -> Findings {
    if frontier.is_empty() {
        return Findings {
            moe_share: 0.0,
            most_experts_top1_share: 0.0,
            median_ffn_ratio: f64::NAN,
        };
    }
    let candidates = &report.evaluations.candidates;
    let on_frontier: Vec<_> = frontier.iter().map(|p| &candidates[p.candidate]).collect();
    // "Most experts" is the largest count evaluated, not the largest on the frontier.
    let max_experts = candidates.iter().map(|c| c.experts).max().unwrap_or(1);
    let n = on_frontier.len() as f64;
    let moe = on_frontier.iter().filter(|c| c.experts > 1).count();
    let most_top1 = on_frontier
        .iter()
        .filter(|c| c.experts == max_experts && c.active == 1)
        .count();
    let mut r: Vec<f32> = on_frontier.iter().map(|c| c.ffn_ratio).collect();
    r.sort_by(f32::total_cmp);
    Findings {
        moe_share: moe as f64 / n,
        most_experts_top1_share: most_top1 as f64 / n,
        median_ffn_ratio: r[r.len() / 2] as f64,
    }
}

/// A reference model against the best frontier design at no more latency (the paper's
/// headline comparison with Qwen2.5-0.5B, method.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MatchedReport {
    pub reference_loss: f64,
    /// exp(loss).
    pub reference_perplexity: f64,
    pub reference_latency_s: f64,
    /// The frontier point, `None` when every frontier design is slower than the reference.
    pub best: Option<FrontierPoint>,
    pub best_perplexity: Option<f64>,
    /// Reference loss − best loss (positive: the frontier design is better).
    pub loss_improvement: Option<f64>,
    /// (reference ppl − best ppl) / reference ppl × 100.
    pub perplexity_improvement_pct: Option<f64>,
}

/// Scores `reference` ([`score_reference`]) in precision `precision` (index into the report's
/// precisions), and finds the best frontier design of `objective` under `constraints` whose
/// latency does not exceed the reference's.
pub fn matched_latency(
    reference: &Architecture,
    report: &SearchReport,
    objective: Objective,
    precision: usize,
    constraints: &Constraints,
) -> MatchedReport {
    let score = score_reference(reference, report, precision);
    let reference_loss = score.loss;
    let reference_latency_s = objective.of(&score.latency);
    let frontier = report.frontier(objective, precision, constraints);
    let best = best_under_budget(&frontier, reference_latency_s).copied();
    let reference_perplexity = reference_loss.exp();
    let best_perplexity = best.map(|b| b.loss.exp());
    MatchedReport {
        reference_loss,
        reference_perplexity,
        reference_latency_s,
        best,
        best_perplexity,
        loss_improvement: best.map(|b| reference_loss - b.loss),
        perplexity_improvement_pct: best_perplexity
            .map(|b| (reference_perplexity - b) / reference_perplexity * 100.0),
    }
}
