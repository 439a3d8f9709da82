//! Sidebar panel for the search: the space (lists as typed, candidate count live), precisions,
//! the latency objective and budget (the paper's application budgets as presets), progress.

use leptos::prelude::*;

use super::format;
use super::search_state::SearchState;
use crate::model::arch::FfnKind;
use crate::model::precision::Precision;
use crate::model::search::{Objective, SearchSpaceSpec, APPLICATION_BUDGETS, ENUMERATION_LIMIT};

#[component]
pub fn SearchPanel() -> impl IntoView {
    let search = expect_context::<SearchState>();
    let t = search.text;
    let budget_text = RwSignal::new(String::new());
    let params_error = RwSignal::new(None::<String>);
    let params_text = RwSignal::new((String::new(), String::new()));
    // "350M", "1.5B", "2e9" or empty; parameters, not bytes.
    let parse_params = |label: &str, t: &str| -> Result<Option<f64>, String> {
        let t = t.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
            Some('K') => (&t[..t.len() - 1], 1e3),
            Some('M') => (&t[..t.len() - 1], 1e6),
            Some('B') | Some('G') => (&t[..t.len() - 1], 1e9),
            _ => (t, 1.0),
        };
        match num.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(Some(v * mult)),
            _ => Err(format!(
                "{label}: expected a parameter count such as 350M or 1.5B, found \"{t}\""
            )),
        }
    };
    let set_params = move |lo: String, hi: String| {
        params_text.set((lo.clone(), hi.clone()));
        let range = parse_params("parameters from", &lo)
            .and_then(|a| parse_params("parameters to", &hi).map(|b| (a, b)));
        match range {
            Ok((a, b)) if a.zip(b).is_some_and(|(a, b)| a > b) => params_error.set(Some(
                "parameters: the lower end is above the upper end".into(),
            )),
            Ok(r) => {
                params_error.set(None);
                search.param_range.set(r);
            }
            Err(e) => params_error.set(Some(e)),
        }
    };
    let budget_error = RwSignal::new(None::<String>);
    // A budget set from elsewhere (a restored session, a reset) shows in the field.
    Effect::new(move |_| {
        let b = search.budget_s.get();
        let typed = budget_text
            .get_untracked()
            .trim()
            .parse::<f64>()
            .ok()
            .map(|ms| ms / 1e3);
        if typed != b {
            budget_text.set(b.map(|s| format!("{}", s * 1e3)).unwrap_or_default());
        }
    });

    let list =
        move |label: &'static str, hint: &'static str, id: &'static str, sig: RwSignal<String>| {
            view! {
                <label title=hint>{label}
                    <input type="text" data-testid=id prop:value=move || sig.get()
                        on:change=move |ev| sig.set(event_target_value(&ev)) />
                </label>
            }
        };
    let count = move || match search.space.get() {
        Ok(s) => {
            let n = s.count();
            let how = if s.is_sampled() {
                format!(
                    " — more than {} : sampled (Latin hypercube + refinement near the frontier)",
                    format::grouped(ENUMERATION_LIMIT)
                )
            } else {
                " — all enumerated".to_string()
            };
            view! { <p class="count"><strong data-testid="candidate-count">{format::grouped(n)}</strong>" candidates"{how}</p> }.into_any()
        }
        Err(e) => {
            view! { <p class="error" role="alert" data-testid="space-error">{e}</p> }.into_any()
        }
    };
    let set_budget = move |text: String| {
        budget_text.set(text.clone());
        let t = text.trim();
        if t.is_empty() {
            budget_error.set(None);
            search.budget_s.set(None);
            return;
        }
        match t.parse::<f64>() {
            Ok(ms) if ms.is_finite() && ms > 0.0 => {
                budget_error.set(None);
                search.budget_s.set(Some(ms / 1e3));
            }
            _ => budget_error.set(Some(format!(
                "budget: expected a positive number of milliseconds, found \"{t}\""
            ))),
        }
    };

    view! {
        <section class="panel" aria-labelledby="search-h">
            <h2 id="search-h">"Search space"</h2>
            {list("Layers l", "values or ranges such as 4..32/4", "space-layers", t.layers)}
            {list("Hidden sizes d", "e.g. 768, 1024, 1536", "space-hidden", t.hidden)}
            {list("FFN ratios r (active total)", "e.g. 0.5, 1, 2", "space-ffn", t.ffn_ratios)}
            {list("Experts:active (E:K)", "1:1 is dense; e.g. 8:1, 16:2", "space-experts", t.experts)}
            {list("KV heads n_kv", "counts or n_h (MHA); must divide n_h = d/d_h", "space-kv", t.kv_heads)}
            {list("Head dims d_h", "n_h = d/d_h", "space-headdim", t.head_dims)}
            <label>"FFN type "
                <select data-testid="space-ffn-kind" on:change=move |ev| {
                    search.ffn_kind.set(match event_target_value(&ev).as_str() {
                        "geglu" => FfnKind::GeGlu,
                        "relu2" => FfnKind::ReluSquared,
                        "gelu" => FfnKind::Gelu,
                        _ => FfnKind::SwiGlu,
                    })
                }>
                    {[(FfnKind::SwiGlu, "swiglu", "SwiGLU (3 matrices)"), (FfnKind::GeGlu, "geglu", "GeGLU (3 matrices)"),
                      (FfnKind::ReluSquared, "relu2", "ReLU² MLP (2 matrices)"), (FfnKind::Gelu, "gelu", "GELU MLP (2 matrices)")]
                        .into_iter()
                        .map(|(k, v, label)| view! { <option value=v selected=move || search.ffn_kind.get() == k>{label}</option> })
                        .collect_view()}
                </select>
            </label>
            {list("Attention", "full, swa:W/k (window W, every k-th layer global), mla:R (latent rank R)", "space-attention", t.attention)}
            <p class="hint">"full: standard attention (MHA/GQA/MQA by the KV heads). swa:W/k: the same with a sliding window, which bounds the KV cache (decode latency, memory); the laws here do not see it. mla:R or mla:R/r: multi-head latent attention, a cache of R + r (RoPE, default 64) per token and layer; the law reads d_m = R + r, and the KV-head list does not apply."</p>
            <div class="grid2">
                <label>"Parameters from "
                    <input type="text" data-testid="space-params-min" placeholder="e.g. 100M" prop:value=move || params_text.get().0
                        on:change=move |ev| set_params(event_target_value(&ev), params_text.get_untracked().1) />
                </label>
                <label>"to "
                    <input type="text" data-testid="space-params-max" placeholder="e.g. 2B" prop:value=move || params_text.get().1
                        on:change=move |ev| set_params(params_text.get_untracked().0, event_target_value(&ev)) />
                </label>
            </div>
            {move || params_error.get().map(|e| view! { <p class="error" role="alert" data-testid="space-params-error">{e}</p> })}
            <button type="button" data-testid="space-reset" on:click=move |_| t.set_from_spec(&SearchSpaceSpec::default())>"Paper grid"</button>
            {count}
            <fieldset>
                <legend>"Precisions"</legend>
                {Precision::PRESETS.iter().map(|p| {
                    let p = *p;
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("search-precision-{}", p.name())
                                prop:checked=move || search.precisions.with(|v| v.contains(&p))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    search.precisions.update(|v| {
                                        v.retain(|q| *q != p);
                                        if on { v.push(p) }
                                        v.sort_by_key(|q| Precision::PRESETS.iter().position(|x| x == q));
                                    });
                                } />
                            {format!(" {}", p.name())}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label>"Latency objective "
                <select data-testid="search-objective" prop:value=move || search.objective.get().name() on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(o) = Objective::ALL.into_iter().find(|o| o.name() == v) { search.objective.set(o) }
                }>
                    {Objective::ALL.iter().map(|o| {
                        let o = *o;
                        view! { <option value=o.name() selected=move || search.objective.get() == o>{o.name()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Latency budget, ms (empty: none) "
                <input type="text" inputmode="decimal" data-testid="search-budget" prop:value=move || budget_text.get()
                    on:change=move |ev| set_budget(event_target_value(&ev)) />
            </label>
            <div class="presets" role="group" aria-label="Application budgets of the paper">
                {APPLICATION_BUDGETS.iter().map(|b| {
                    let b = *b;
                    view! {
                        <button type="button" title=format!("{} < {} {}", b.name, format::seconds(b.seconds), b.objective.name())
                            on:click=move |_| {
                                search.objective.set(b.objective);
                                set_budget(format!("{}", b.seconds * 1e3));
                            }>
                            {format!("{} ({} {})", b.name, format::seconds(b.seconds), b.objective.name())}
                        </button>
                    }
                }).collect_view()}
            </div>
            {move || budget_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || search.progress.get().map(|p| view! {
                <div class="progress-row">
                    <progress data-testid="search-progress" max="1" value=p.fraction()></progress>
                    <span>{format!("{} of {}", format::grouped(p.evaluated as u64), format::grouped(p.planned))}</span>
                    <button type="button" data-testid="search-cancel" on:click=move |_| search.cancel()>"Cancel"</button>
                </div>
            })}
            {move || search.error.get().map(|e| view! { <p class="error" role="alert" data-testid="search-error">{e}</p> })}
        </section>
    }
}
