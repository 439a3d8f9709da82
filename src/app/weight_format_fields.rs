//! The weight-format controls of the workload panel: the weights select (with "Custom…" and
//! its bits-per-weight field) and the embedding-table and LM-head selects. Every choice goes
//! through the core's [`WeightFormat`] parser; a bad number is shown at its field and the
//! last valid format stays in use.

use leptos::prelude::*;

use super::state::Inputs;
use crate::model::precision::Precision;
use crate::model::weight_format::WeightFormat;

/// Value of the "Custom…" option of the weights select.
const CUSTOM: &str = "custom";
/// Value of the "same as weights" option of a per-tensor select.
const SAME: &str = "";

/// The core's reading of the bits field: `4.25` and `custom:4.25` both mean 4.25 bits.
fn parse_custom(text: &str) -> Result<WeightFormat, String> {
    let t = text.trim();
    let spelled = if t.to_ascii_lowercase().starts_with(CUSTOM) {
        t.to_string()
    } else {
        format!("custom:{t}")
    };
    spelled
        .parse::<WeightFormat>()
        .map_err(|e| format!("Custom bits per weight: {e}"))
}

/// The offered formats plus `current` when it is not one of them (a custom number of bits).
fn options_with(current: Option<WeightFormat>) -> Vec<WeightFormat> {
    let mut offered = WeightFormat::offered();
    if let Some(c) = current.filter(|c| !offered.contains(c)) {
        offered.push(c);
    }
    offered
}

/// Which runtime's family a format belongs to, the heading it is listed under (short: a
/// select is as wide as its widest heading, and two sit side by side on a phone).
fn family(f: WeightFormat) -> &'static str {
    match f {
        WeightFormat::Plain(_) => "Numbers",
        WeightFormat::Gguf(_) => "GGUF",
        WeightFormat::Mlc(_) => "MLC",
        WeightFormat::Int4G128(_) | WeightFormat::Nf4 { .. } => "AWQ/GPTQ/NF4",
        WeightFormat::Custom(_) => "Custom",
    }
}

/// The `<option>`s of a weight-format select, grouped by family under `<optgroup>`
/// headings; `selected` is marked. The one list every format select shows.
pub fn format_options(formats: Vec<WeightFormat>, selected: Option<WeightFormat>) -> impl IntoView {
    let mut groups: Vec<(&'static str, Vec<WeightFormat>)> = Vec::new();
    for f in formats {
        match groups.last_mut() {
            Some((name, list)) if *name == family(f) => list.push(f),
            _ => groups.push((family(f), vec![f])),
        }
    }
    groups
        .into_iter()
        .map(|(name, list)| {
            view! {
                <optgroup label=name>
                    {list.into_iter().map(|f| view! {
                        <option value=f.key() selected=selected == Some(f)>{f.name()}</option>
                    }).collect_view()}
                </optgroup>
            }
        })
        .collect_view()
}

/// The weights select, and the bits-per-weight field shown when the select is on "Custom…"
/// (placed on a row of its own by the caller).
pub fn weight_controls() -> (impl IntoView, impl IntoView) {
    let inputs = expect_context::<Inputs>();
    let weights = Memo::new(move |_| inputs.precision.get().weights);
    let current = move || weights.get();
    let is_custom = move || matches!(current(), WeightFormat::Custom(_));
    // "Custom…" chosen but no valid number typed yet: the field shows, the weights stay.
    let picking = RwSignal::new(false);
    let bits = RwSignal::new(String::from("4.25"));
    let error = RwSignal::new(None::<String>);
    // Weights set elsewhere (a session, a link, the paper's setting) show in the controls: a
    // custom number in the field, any other format closes it.
    Effect::new(move |_| {
        match current() {
            WeightFormat::Custom(b) => {
                if parse_custom(&bits.get_untracked()) != Ok(WeightFormat::Custom(b)) {
                    bits.set(b.get().to_string());
                }
            }
            _ => picking.set(false),
        }
        error.set(None);
    });
    let apply_bits = move || match parse_custom(&bits.get_untracked()) {
        Ok(f) => {
            error.set(None);
            let mut p = inputs.precision.get_untracked();
            p.weights = f;
            inputs.set_precision(p);
        }
        Err(e) => error.set(Some(e)),
    };
    let shown = move || picking.get() || is_custom();
    let select = view! {
        <label title="How the weights are stored: bits per weight come from the format's block layout (scales included); see the method, §3">
            "Weights"
            <select data-testid="precision-weights"
                prop:value=move || if shown() { CUSTOM.to_string() } else { current().key() }
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if value == CUSTOM {
                        picking.set(true);
                        apply_bits();
                    } else if let Ok(f) = value.parse::<WeightFormat>() {
                        picking.set(false);
                        error.set(None);
                        let mut p = inputs.precision.get_untracked();
                        p.weights = f;
                        inputs.set_precision(p);
                    }
                }>
                {move || {
                    let chosen = (!shown()).then(current);
                    format_options(WeightFormat::offered(), chosen)
                }}
                <option value=CUSTOM selected=shown>"Custom…"</option>
            </select>
        </label>
    };
    let field = move || {
        shown().then(|| view! {
        <label title="Any storage format stated as its average bits per weight, scales and zero points included (above 0, at most 32)">
            "Custom: N bits per weight "
            <input type="text" inputmode="decimal" size="6" data-testid="precision-custom-bits"
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=move || bits.get()
                on:input=move |ev| {
                    bits.set(event_target_value(&ev));
                    apply_bits();
                } />
            " bpw"
        </label>
        {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="precision-custom-error">{e}</p> })}
    })
    };
    (select, field)
}

/// A select for the format of the embedding table or the LM head: "same as weights" or a
/// format of its own (quantised files often keep these at higher precision).
pub fn tensor_select(
    label: &'static str,
    test_id: &'static str,
    tooltip: &'static str,
    get: fn(&Precision) -> Option<WeightFormat>,
    set: fn(Precision, Option<WeightFormat>) -> Precision,
) -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let current = move || get(&inputs.precision.get());
    view! {
        <label title=tooltip>
            {label}
            <select data-testid=test_id
                prop:value=move || current().map(WeightFormat::key).unwrap_or_default()
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    let chosen = if value == SAME { Some(None) } else { value.parse::<WeightFormat>().ok().map(Some) };
                    if let Some(f) = chosen {
                        inputs.set_precision(set(inputs.precision.get_untracked(), f));
                    }
                }>
                <option value=SAME selected=move || current().is_none()>"same as weights"</option>
                {move || {
                    let c = current();
                    format_options(options_with(c), c)
                }}
            </select>
        </label>
    }
}
