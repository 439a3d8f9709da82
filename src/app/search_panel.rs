//! Sidebar panel for the search: the space (lists as typed, candidate count live), precisions,
//! the latency objective and budget (the paper's application budgets as presets), progress.

use leptos::prelude::*;

use super::format;
use super::search_state::SearchState;
use super::state::Inputs;
use super::weight_format_fields::format_options;
use crate::model::arch::FfnKind;
use crate::model::lists::{format_param_count, parse_param_count};
use crate::model::precision::Precision;
use crate::model::search::{
    search_precisions, BudgetBasis, LatencyBudget, Objective, SearchSpaceSpec, APPLICATION_BUDGETS,
    ENUMERATION_LIMIT, MAX_PRECISIONS,
};
use crate::model::weight_format::WeightFormat;

/// The basis a budget is typed on: its own, or decode total when there is none.
fn basis_of(b: Option<LatencyBudget>) -> BudgetBasis {
    b.map_or(BudgetBasis::DecodeTotal, |b| b.basis())
}

#[component]
pub fn SearchPanel() -> impl IntoView {
    let search = expect_context::<SearchState>();
    let t = search.text;
    let budget_text = RwSignal::new(String::new());
    let params_error = RwSignal::new(None::<String>);
    let params_text = RwSignal::new((String::new(), String::new()));
    let set_params = move |lo: String, hi: String| {
        params_text.set((lo.clone(), hi.clone()));
        let range = parse_param_count("parameters from", &lo)
            .and_then(|a| parse_param_count("parameters to", &hi).map(|b| (a, b)));
        match range {
            Ok((a, b)) if a.zip(b).is_some_and(|(a, b)| a > b) => params_error.set(Some(
                "parameters: the lower end is above the upper end".into(),
            )),
            Ok((a, b)) => params_error.set(search.set_param_range(a, b).err()),
            Err(e) => params_error.set(Some(e)),
        }
    };
    // A range set from elsewhere (a restored session, a reset) shows in the fields.
    Effect::new(move |_| {
        let (lo, hi) = search.param_range();
        if params_error.get_untracked().is_some() {
            return;
        }
        let (tlo, thi) = params_text.get_untracked();
        let read = |t: &str| parse_param_count("", t).ok().flatten();
        if (read(&tlo), read(&thi)) != (lo, hi) {
            params_text.set((
                lo.map(format_param_count).unwrap_or_default(),
                hi.map(format_param_count).unwrap_or_default(),
            ));
        }
    });
    // The basis shown in the unit selector: the budget's, else the last chosen.
    let basis = RwSignal::new(basis_of(search.budget.get_untracked()));
    // A budget set from elsewhere (a restored session, a preset, a reset) shows in the field,
    // unless the field holds text being corrected.
    Effect::new(move |_| {
        let b = search.budget.get();
        if let Some(b) = b {
            basis.set(b.basis());
        }
        if search.budget_error.get_untracked().is_some() {
            return;
        }
        let typed = LatencyBudget::parse(&budget_text.get_untracked(), basis_of(b))
            .ok()
            .flatten();
        if typed != b {
            budget_text.set(b.map(|b| format!("{}", b.ms())).unwrap_or_default());
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
        match LatencyBudget::parse(&text, basis.get_untracked()) {
            Ok(b) => {
                if let Some(b) = b {
                    basis.set(b.basis());
                }
                search.set_budget(b);
            }
            Err(e) => search.refuse_budget(e.to_string()),
        }
    };
    let set_basis = move |key: String| {
        let Some(b) = BudgetBasis::from_key(&key) else {
            return;
        };
        basis.set(b);
        set_budget(budget_text.get_untracked());
    };
    let workload = expect_context::<Inputs>().workload;
    let primary = expect_context::<Inputs>().precision;
    // The precision checkboxes: the presets, the page's own when it is none of them, then the
    // formats added to the comparison, in the order added.
    let shown = move || {
        let mut v = Precision::PRESETS.to_vec();
        for p in std::iter::once(primary.get()).chain(search.precisions.get()) {
            if !v.contains(&p) {
                v.push(p);
            }
        }
        v
    };
    let full = move || {
        search
            .precisions
            .with(|c| search_precisions(primary.get(), c).len())
            >= MAX_PRECISIONS
    };
    let toggle = move |p: Precision, on: bool| {
        search.precisions.update(|v| {
            v.retain(|q| *q != p);
            if on {
                v.push(p);
            }
            // Presets first, in their order; added formats after, in the order added.
            let rank = |q: &Precision| {
                Precision::PRESETS
                    .iter()
                    .position(|x| x == q)
                    .unwrap_or(Precision::PRESETS.len())
            };
            v.sort_by_key(rank);
        });
    };
    let budget_meaning = move || {
        let b = search.budget.get()?;
        let text = workload.with(|w| b.describe(w));
        let stale = if search.budget_error.get().is_some() {
            " — the last valid budget; the text above was not read"
        } else {
            ""
        };
        Some(
            view! { <p class="hint" data-testid="budget-meaning">{format!("In use: {text}{stale}")}</p> },
        )
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
                        aria-invalid=move || params_error.get().is_some().to_string() aria-describedby="params-error"
                        on:change=move |ev| set_params(event_target_value(&ev), params_text.get_untracked().1) />
                </label>
                <label>"to "
                    <input type="text" data-testid="space-params-max" placeholder="e.g. 2B" prop:value=move || params_text.get().1
                        aria-invalid=move || params_error.get().is_some().to_string() aria-describedby="params-error"
                        on:change=move |ev| set_params(params_text.get_untracked().0, event_target_value(&ev)) />
                </label>
            </div>
            {move || params_error.get().map(|e| view! { <p class="error" role="alert" id="params-error" data-testid="space-params-error">{e}</p> })}
            <button type="button" data-testid="space-reset" on:click=move |_| t.set_from_spec(&SearchSpaceSpec::default())>"Paper grid"</button>
            {count}
            <fieldset>
                <legend>"Precisions on the frontier"</legend>
                <p class="hint" data-testid="search-precision-primary">{move || format!(
                    "{} is the precision every figure uses (set under Workload and precision); tick others to compare them on the chart.",
                    primary.get().name())}</p>
                {move || shown().into_iter().map(|p| {
                    let bits = p.weights.nominal_bytes() * 8.0;
                    view! {
                        <label class="check" title=format!("{}: weights at {bits:.2} bits per weight", p.name())>
                            <input type="checkbox" data-testid=format!("search-precision-{}", p.name())
                                prop:checked=move || primary.get() == p || search.precisions.with(|v| v.contains(&p))
                                prop:disabled=move || primary.get() == p
                                    || (full() && !search.precisions.with(|v| v.contains(&p)))
                                on:change=move |ev| toggle(p, event_target_checked(&ev)) />
                            {move || if primary.get() == p { format!(" {} (the page's)", p.name()) } else { format!(" {}", p.name()) }}
                        </label>
                    }
                }).collect_view()}
                <label title="Any weight format the page models (GGUF, MLC, AWQ/GPTQ, NF4), run weight-only with FP16 activations and KV cache, as its own frontier">
                    "Add a format "
                    <select data-testid="search-precision-add" prop:disabled=full
                        prop:value=move || { search.precisions.track(); String::new() }
                        on:change=move |ev| {
                            if let Ok(f) = event_target_value(&ev).parse::<WeightFormat>() {
                                toggle(Precision::weight_only(f), true);
                            }
                        }>
                        <option value="">"choose…"</option>
                        {move || {
                            let on = shown();
                            let left = WeightFormat::offered().into_iter()
                                .filter(|f| !on.contains(&Precision::weight_only(*f)))
                                .collect();
                            format_options(left, None)
                        }}
                    </select>
                </label>
                {move || full().then(|| view! {
                    <p class="hint" data-testid="search-precision-full">{format!("One search compares at most {MAX_PRECISIONS} precisions: untick one to add another.")}</p>
                })}
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
            <div class="budget-row">
                <label>"Latency budget (empty: none) "
                    <input type="text" inputmode="decimal" data-testid="search-budget" prop:value=move || budget_text.get()
                        placeholder="e.g. 25 or 40 tok/s"
                        aria-invalid=move || (search.budget_error.get().is_some() || search.budget_constraints.get().is_err()).to_string()
                        aria-describedby="budget-error"
                        on:change=move |ev| set_budget(event_target_value(&ev)) />
                </label>
                <label>"unit "
                    <select data-testid="search-budget-basis" on:change=move |ev| set_basis(event_target_value(&ev))>
                        {BudgetBasis::ALL.iter().map(|b| {
                            let b = *b;
                            view! { <option value=b.key() selected=move || basis.get() == b>{b.unit()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {move || search.budget_error.get().or_else(|| search.budget_constraints.get().err()).map(|e| view! { <p class="error" role="alert" id="budget-error" data-testid="search-budget-error">{e}</p> })}
            {budget_meaning}
            <div class="presets" role="group" aria-label="Application budgets of the paper">
                {APPLICATION_BUDGETS.iter().map(|b| {
                    let b = *b;
                    let preset_basis = BudgetBasis::for_objective(b.objective);
                    let title = move || {
                        let budget = LatencyBudget::new(preset_basis, b.seconds * 1e3).ok()?;
                        Some(format!("{}: {} for the current workload", b.name, workload.with(|w| budget.describe(w))))
                    };
                    view! {
                        <button type="button" title=title
                            on:click=move |_| {
                                basis.set(preset_basis);
                                set_budget(format!("{}", b.seconds * 1e3));
                            }>
                            {format!("{} ({} {})", b.name, format::seconds(b.seconds), b.objective.name())}
                        </button>
                    }
                }).collect_view()}
            </div>
            <p class="hint">"The paper's budgets are totals over the workload: decode over all S_out generated tokens, total = prefill + decode. Hover a preset to see what it means for the current workload."</p>

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
