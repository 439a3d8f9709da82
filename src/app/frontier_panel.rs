//! Main-area panel for the search results: frontier sizes per objective and precision, the best
//! design under the budget, the findings a reviewer looks for (method.md §4), and the
//! matched-latency comparison with the reference model (the paper's headline structure).

use leptos::prelude::*;

use super::format;
use super::search_state::SearchState;
use super::state::Derived;
use crate::model::pareto::{best_under_budget, matched_latency, FrontierPoint};
use crate::model::search::{Candidate, Constraints, Objective, SearchReport};

/// One line describing a candidate's shape.
pub fn describe(c: &Candidate) -> String {
    let moe = if c.experts > 1 {
        format!(", {} experts top-{}", c.experts, c.active)
    } else {
        ", dense".into()
    };
    format!(
        "l={} d={} r={} n_kv={}/{}{} · {} params",
        c.layers,
        c.hidden,
        c.ffn_ratio,
        c.kv_heads,
        c.heads,
        moe,
        format::si(c.params_total as f64)
    )
}

/// Share of frontier points that are MoE, that use the most experts with top-1, and the median r.
fn findings(report: &SearchReport, frontier: &[FrontierPoint]) -> (f64, f64, f64) {
    if frontier.is_empty() {
        return (0.0, 0.0, f64::NAN);
    }
    let cands: Vec<&Candidate> = frontier.iter().map(|p| &report.evaluations.candidates[p.candidate]).collect();
    let max_e = report.evaluations.candidates.iter().map(|c| c.experts).max().unwrap_or(1);
    let n = cands.len() as f64;
    let moe = cands.iter().filter(|c| c.experts > 1).count() as f64 / n;
    let most_top1 = cands.iter().filter(|c| c.experts == max_e && c.active == 1).count() as f64 / n;
    let mut r: Vec<f32> = cands.iter().map(|c| c.ffn_ratio).collect();
    r.sort_by(f32::total_cmp);
    (moe, most_top1, r[r.len() / 2] as f64)
}

#[component]
pub fn FrontierPanel() -> impl IntoView {
    let search = expect_context::<SearchState>();
    let derived = expect_context::<Derived>();

    let sizes = move || {
        search.report.get().map(|report| {
            let precisions = report.evaluations.precisions.clone();
            view! {
                <table class="frontier-sizes">
                    <thead><tr><th scope="col">"frontier size"</th>
                        {precisions.iter().map(|p| view! { <th scope="col">{p.name()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {Objective::ALL.iter().map(|o| {
                            let o = *o;
                            view! {
                                <tr><td>{o.name()}</td>
                                    {precisions.iter().enumerate().map(|(pi, p)| {
                                        let n = report.frontier(o, pi, &Constraints::default()).len();
                                        view! { <td data-testid=format!("frontier-size-{}-{}", o.name(), p.name())>{n}</td> }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })
    };

    let details = move || {
        let report = search.report.get()?;
        let objective = search.objective.get();
        let frontier = report.frontier(objective, 0, &Constraints::default());
        let (moe, most_top1, median_r) = findings(&report, &frontier);
        let precision = report.evaluations.precisions[0].name();
        let best = search.budget_s.get().map(|b| {
            match best_under_budget(&frontier, b) {
                Some(p) => {
                    let c = report.evaluations.candidates[p.candidate];
                    view! {
                        <p data-testid="best-under-budget">
                            {format!("Best under {} {} ({precision}): loss {:.4} at {} — {}", format::seconds(b), objective.name(), p.loss, format::seconds(p.latency_s), describe(&c))}
                        </p>
                    }.into_any()
                }
                None => view! { <p class="error" data-testid="best-under-budget">{format!("No design meets {} {} on this device.", format::seconds(b), objective.name())}</p> }.into_any(),
            }
        });
        let matched = derived.model.get().map(|m| {
            let r = matched_latency(&m.arch, &report, objective, 0, &Constraints::default());
            let best = r.best.map(|b| report.evaluations.candidates[b.candidate]);
            view! {
                <div class="matched" data-testid="matched-latency">
                    <h3>{format!("Matched {} latency vs {} ({precision})", objective.name(), m.name)}</h3>
                    <p>
                        {format!("{}: loss ", m.name)}<strong data-testid="matched-ref-loss">{format::fixed(r.reference_loss, 4)}</strong>
                        {format!(" (ppl {}) at {}", format::fixed(r.reference_perplexity, 2), format::seconds(r.reference_latency_s))}
                    </p>
                    {match (r.best, best) {
                        (Some(b), Some(c)) => view! {
                            <p>
                                "Best frontier design at no more latency: loss "<strong data-testid="matched-best-loss">{format::fixed(b.loss, 4)}</strong>
                                {format!(" (ppl {}) at {} — {}", format::fixed(r.best_perplexity.unwrap_or(f64::NAN), 2), format::seconds(b.latency_s), describe(&c))}
                            </p>
                            <p>"Improvement: loss −"{format::fixed(r.loss_improvement.unwrap_or(f64::NAN), 4)}", perplexity −"
                                <strong data-testid="matched-ppl-improvement">{format!("{} %", format::fixed(r.perplexity_improvement_pct.unwrap_or(f64::NAN), 2))}</strong></p>
                        }.into_any(),
                        _ => view! { <p data-testid="matched-best-loss">"No frontier design is as fast as the reference."</p> }.into_any(),
                    }}
                </div>
            }
        });
        Some(view! {
            <p class="findings" data-testid="frontier-findings">
                {format!("{} frontier ({precision}, {} points): {:.0} % MoE; {:.0} % use the most experts with top-1; median FFN ratio r = {}.",
                    objective.name(), frontier.len(), moe * 100.0, most_top1 * 100.0, format::fixed(median_r, 2))}
            </p>
            {best}
            {matched}
        })
    };

    view! {
        <section class="panel" aria-labelledby="frontier-h">
            <h2 id="frontier-h">"Loss–latency frontier"</h2>
            {move || search.report.get().map(|r| view! {
                <p class="hint">
                    <span data-testid="search-evaluated">{format::grouped(r.evaluated() as u64)}</span>
                    {format!(" candidates evaluated{} on {}.", if r.sampled { " (sampled)" } else { "" }, r.device.name())}
                </p>
            })}
            {details}
            {sizes}
        </section>
    }
}
