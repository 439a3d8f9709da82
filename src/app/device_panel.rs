//! Device choice: presets with their sources, uploads of JSON or CSV specs, templates.

use leptos::prelude::*;

use super::file_drop::FileDrop;
use super::files::download_text;
use super::format;
use super::state::{Derived, Inputs};
use crate::model::device::MemoryKind;
use crate::model::device::{
    import_devices_csv, import_devices_json, DEVICE_TEMPLATE_CSV, DEVICE_TEMPLATE_JSON,
};
use crate::model::precision::NumFormat;
use crate::model::published::{
    default_variant, device_variants, held_out_note, is_measured, page_device_groups,
};

/// JSON when the text starts like JSON, CSV otherwise (the extension can lie).
fn looks_like_json(text: &str) -> bool {
    matches!(
        text.trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next(),
        Some('{' | '[')
    )
}

#[component]
pub fn DevicePanel() -> impl IntoView {
    let inputs = expect_context::<Inputs>();
    let derived = expect_context::<Derived>();
    let messages = RwSignal::new(Vec::<String>::new());
    let loaded = RwSignal::new(None::<String>);

    let on_text = Callback::new(move |(name, text): (String, String)| {
        let import = if looks_like_json(&text) {
            import_devices_json(&text)
        } else {
            import_devices_csv(&name, &text)
        };
        messages.set(import.errors.iter().map(|e| e.in_file(&name)).collect());
        if import.devices.is_empty() {
            loaded.set(None);
            return;
        }
        let count = import.devices.len();
        inputs.add_devices(import.devices);
        loaded.set(Some(format!("{name}: {count} device(s) added")));
    });
    let on_error = Callback::new(move |message: String| {
        loaded.set(None);
        messages.set(vec![message]);
    });

    let use_measured = move |ev: web_sys::Event| {
        let checked = event_target_checked(&ev);
        let index = inputs.device_index.get_untracked();
        let changed = inputs.devices.with_untracked(|list| {
            let dev = list.get(index)?;
            let fraction = if checked {
                dev.measured_bandwidth_fraction().unwrap_or(1.0)
            } else {
                1.0
            };
            dev.with_bandwidth_fraction(fraction).ok()
        });
        if let Some(d) = changed {
            inputs.replace_device(index, d);
        }
    };

    // Usable memory as typed; a bad value is shown, never applied.
    let usable_text = RwSignal::new(String::new());
    let usable_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let d = derived.device.get();
        if usable_error.get_untracked().is_none() {
            usable_text.set(
                d.spec()
                    .usable_memory_gb
                    .map(|g| format!("{g}"))
                    .unwrap_or_default(),
            );
        }
    });
    let set_usable = move |text: String| {
        usable_text.set(text.clone());
        let t = text.trim();
        let gb = if t.is_empty() {
            None
        } else {
            match t
                .trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ' ')
                .parse::<f64>()
            {
                Ok(v) => Some(v),
                Err(_) => {
                    usable_error.set(Some(format!(
                        "usable memory: expected a number of GB, found \"{t}\""
                    )));
                    return;
                }
            }
        };
        let index = inputs.device_index.get_untracked();
        let result = inputs
            .devices
            .with_untracked(|list| list.get(index).map(|d| d.with_usable_memory_gb(gb)));
        match result {
            Some(Ok(d)) => {
                usable_error.set(None);
                inputs.replace_device(index, d);
            }
            Some(Err(e)) => usable_error.set(Some(format!("usable memory: {e}"))),
            None => {}
        }
    };

    // The list starts with page_devices(): its groups' labels and sizes, then the user's own.
    let groups: Vec<(&'static str, usize)> = page_device_groups()
        .into_iter()
        .map(|(label, d)| (label, d.len()))
        .collect();
    view! {
        <section class="panel" aria-labelledby="device-h">
            <h2 id="device-h">"Device"</h2>
            <label>
                "Device "
                <select
                    data-testid="device-select"
                    on:change=move |ev| {
                        // A rated device that published runs calibrated is used measured;
                        // its rated numbers stay one click away (the variants below).
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            let target = inputs.devices.with_untracked(|list| {
                                let names: Vec<&str> = list.iter().map(|d| d.name()).collect();
                                default_variant(&names, i)
                            });
                            inputs.select_device(target);
                        }
                    }
                    prop:value=move || inputs.device_index.get().to_string()
                >
                    {move || {
                        // The page's groups (rated presets, the rated table, measured), then
                        // the user's own (uploaded or calibrated here).
                        let devices = inputs.devices.get();
                        let group = |label: &'static str, range: std::ops::Range<usize>| {
                            let options = devices
                                .iter()
                                .enumerate()
                                .skip(range.start)
                                .take(range.len())
                                .map(|(i, d)| view! { <option value=i.to_string()>{d.name().to_string()}</option> })
                                .collect_view();
                            (!range.is_empty()).then(|| view! { <optgroup label=label>{options}</optgroup> })
                        };
                        let n = devices.len();
                        let mut start = 0;
                        let mut views = Vec::new();
                        for (label, count) in groups.iter().copied().chain([("Yours", n)]) {
                            let end = (start + count).min(n);
                            views.push(group(label, start..end));
                            start = end;
                        }
                        views.collect_view()
                    }}
                </select>
            </label>
            {move || {
                let d = derived.device.get();
                let s = d.spec().clone();
                let measured = d.measured_bandwidth_fraction();
                view! {
                    <table class="facts" data-testid="device-facts">
                        <tr><td>"Memory"</td><td data-testid="device-memory">{format::bytes(d.memory_bytes())}</td></tr>
                        <tr title="Weights + KV cache must fit here. Default headroom: unified memory keeps 25 %, at least 1.5 GB, for the OS, the runtime and other apps; dedicated memory keeps 5 %, at least 0.5 GB, for the runtime. Set your own below."><td>"Usable for the model"</td>
                            <td data-testid="device-usable-memory">{format!("{}{}", format::bytes(d.usable_memory_bytes()),
                                if d.usable_memory_is_default() {
                                    match d.spec().memory_kind {
                                        Some(MemoryKind::Dedicated) => " (5 % kept for the runtime)",
                                        _ => " (25 % kept for the OS)",
                                    }
                                } else { " (yours)" })}</td></tr>
                        <tr><td>"Bandwidth (used)"</td><td data-testid="device-bandwidth">{format!("{:.1} GB/s", d.bandwidth() / 1e9)}{
                            (!s.format_bandwidth_fractions.is_empty()).then(|| format!(" for other formats; {}",
                                s.format_bandwidth_fractions.iter().map(|f| format!("{} {:.1} GB/s (fraction {:.3})", f.format, s.bandwidth_gbps * f.fraction, f.fraction)).collect::<Vec<_>>().join(", ")))
                        }</td></tr>
                        {held_out_note(&s).map(|n| view! {
                            <tr title=format!("{} Mean absolute percentage error of this calibration's predictions of published runs of models left out of its fit (leave one model out); the validation view lists every run.", n.text)>
                                <td>"Held-out error"</td>
                                <td data-testid="device-held-out" class:warnings=n.missed>{n.short}</td>
                            </tr>
                        })}
                        <tr><td>"FP16 peak (used)"</td><td>{format!("{} FLOP/s", format::si(d.peak_flops(NumFormat::Fp16)))}</td></tr>
                        <tr><td>"INT8 peak (used)"</td><td>{format!("{} OP/s", format::si(d.peak_flops(NumFormat::Int8)))}</td></tr>
                        <tr><td>{if s.format_bandwidth_fractions.is_empty() { "Ridge point FP16" } else { "Ridge point FP16 (other formats)" }}</td><td>{format!("{:.0} FLOP/B", d.ridge_point(NumFormat::Fp16))}</td></tr>
                        <tr title="Time added to every forward step (kernel launches, synchronisation, sampling): once for the prefill, once per generated token. Runtimes launch kernels layer by layer, so calibration fits it per layer: a deeper model pays more. Rated devices have none.">
                            <td>"Per-step overhead"</td>
                            <td data-testid="device-step-overhead">{
                                let (constant_ms, layer_ms) = (s.step_overhead_ms, s.layer_overhead_ms);
                                let per_layer = format!(
                                    "{} per layer per step ({} a step at 32 layers, {} at 80)",
                                    format::seconds(layer_ms * 1e-3),
                                    format::seconds(d.step_overhead_s(32)),
                                    format::seconds(d.step_overhead_s(80)),
                                );
                                match (constant_ms > 0.0, layer_ms > 0.0) {
                                    (false, false) => "none (pure roofline)".to_string(),
                                    (false, true) => format!("{per_layer}, calibrated"),
                                    (true, false) => format!("{} per step", format::seconds(constant_ms * 1e-3)),
                                    (true, true) => format!("{} per step + {per_layer}", format::seconds(constant_ms * 1e-3)),
                                }
                            }</td></tr>
                    </table>
                    {measured.map(|m| view! {
                        <label class="check">
                            <input type="checkbox" data-testid="device-use-measured"
                                prop:checked=move || (s.bandwidth_fraction - m).abs() < 1e-12
                                on:change=use_measured />
                            {format!(" use measured bandwidth ({:.0} % of rated)", m * 100.0)}
                        </label>
                    })}
                    <label>"Usable memory, GB (empty: default) "
                        <input type="text" inputmode="decimal" data-testid="device-usable-input"
                            prop:value=move || usable_text.get()
                            placeholder=format!("{:.1}", d.usable_memory_bytes() / 1e9)
                            aria-invalid=move || usable_error.get().is_some().to_string()
                            on:change=move |ev| set_usable(event_target_value(&ev)) />
                    </label>
                    {move || usable_error.get().map(|e| view! { <p class="error" role="alert" data-testid="device-usable-error">{e}</p> })}
                    <p class="source" data-testid="device-source">"Source: "{d.spec().source.clone()}</p>
                }
            }}
            // Rated or measured: a device with variants in the list (its rated numbers, its
            // calibrations per runtime) offers them, and says which one is in use.
            {move || {
                let index = inputs.device_index.get();
                let devices = inputs.devices.get();
                let names: Vec<&str> = devices.iter().map(|d| d.name()).collect();
                let others: Vec<(usize, String)> = device_variants(&names, index)
                    .into_iter()
                    .map(|i| (i, names[i].to_string()))
                    .collect();
                let measured = names.get(index).is_some_and(|n| is_measured(n));
                (!others.is_empty()).then(|| view! {
                    <p class="hint" data-testid="device-variants">
                        {if measured {
                            "Measured, the default where published runs exist: calibrated from them (their overhead per layer and step included). Also here: "
                        } else if index == 0 {
                            "Rated numbers (the pure roofline): the paper's setting, which the page opens on. Published runs calibrated this device: "
                        } else {
                            "Rated numbers (the pure roofline). Published runs calibrated this device: "
                        }}
                        {others.into_iter().map(|(i, n)| {
                            let measured = is_measured(&n);
                            let (title, text) = if measured {
                                ("Use this calibration", n)
                            } else {
                                ("Use the data-sheet numbers: the pure roofline, no overhead", format!("{n} (rated)"))
                            };
                            view! {
                                <button type="button" data-testid="device-variant" title=title
                                    on:click=move |_| inputs.select_device(i)>
                                    {text}
                                </button>" "
                            }
                        }).collect_view()}
                    </p>
                })
            }}
            <FileDrop label="Your device specs (JSON or CSV)" accept=".json,.csv,text/csv,application/json"
                test_id="device-file" on_text=on_text on_error=on_error />
            // The buttons say what they download: "JSON" alone does not.
            <p class="templates">
                "Download a template: "
                <button type="button" data-testid="device-template-json"
                    on:click=|_| download_text("device-template.json", "application/json", DEVICE_TEMPLATE_JSON)>"device template (JSON)"</button>
                " "
                <button type="button" data-testid="device-template-csv"
                    on:click=|_| download_text("device-template.csv", "text/csv", DEVICE_TEMPLATE_CSV)>"device template (CSV)"</button>
            </p>
            {move || loaded.get().map(|m| view! { <p class="ok" data-testid="device-loaded">{m}</p> })}
            <ul class="errors" data-testid="device-errors">
                {move || messages.get().into_iter().map(|m| view! { <li class="error">{m}</li> }).collect_view()}
            </ul>
        </section>
    }
}
