//! The attribute that colours the frontier chart's candidate cloud, and its colour key.

use super::{trim, CLOUD};
use crate::chart::Rgb;
use crate::model::search::{Candidate, SearchReport};

/// Attribute that colours the candidate cloud of the frontier chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorBy {
    Experts,
    Active,
    Layers,
    Hidden,
    FfnRatio,
    KvHeads,
    /// One colour per attention kind of the space (full, each sliding window).
    Attention,
    /// One colour per precision (the clouds of all precisions told apart).
    Precision,
}

impl ColorBy {
    pub const ALL: [ColorBy; 8] = [
        ColorBy::Experts,
        ColorBy::Active,
        ColorBy::Layers,
        ColorBy::Hidden,
        ColorBy::FfnRatio,
        ColorBy::KvHeads,
        ColorBy::Attention,
        ColorBy::Precision,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ColorBy::Experts => "experts E",
            ColorBy::Active => "active experts K",
            ColorBy::Layers => "layers l",
            ColorBy::Hidden => "hidden size d",
            ColorBy::FfnRatio => "FFN ratio r",
            ColorBy::KvHeads => "KV heads",
            ColorBy::Attention => "attention",
            ColorBy::Precision => "precision",
        }
    }

    pub(crate) fn value(self, c: &Candidate) -> f64 {
        match self {
            ColorBy::Experts => c.experts as f64,
            ColorBy::Active => c.active as f64,
            ColorBy::Layers => c.layers as f64,
            ColorBy::Hidden => c.hidden as f64,
            ColorBy::FfnRatio => c.ffn_ratio as f64,
            ColorBy::KvHeads => c.kv_heads as f64,
            ColorBy::Attention => c.attention as f64,
            ColorBy::Precision => 0.0,
        }
    }
}

/// The distinct values of the colouring attribute, sorted, each with its palette colour
/// (values beyond the palette's ten share its last colour). Also the chart's colour legend.
pub fn color_key(report: &SearchReport, by: ColorBy) -> Vec<(f64, Rgb)> {
    if by == ColorBy::Precision {
        // Values are precision indices into the report's precisions.
        return (0..report.evaluations.precisions.len())
            .map(|p| (p as f64, CLOUD[p % CLOUD.len()]))
            .collect();
    }
    // A million candidates hold a few dozen distinct values: keep them sorted as they come
    // (neighbours usually share a value, so most candidates cost one comparison).
    let mut values: Vec<f64> = Vec::new();
    let mut last = f64::NAN;
    for c in &report.evaluations.candidates {
        let v = by.value(c);
        if v.to_bits() == last.to_bits() {
            continue;
        }
        last = v;
        if let Err(at) = values.binary_search_by(|x| x.total_cmp(&v)) {
            values.insert(at, v);
        }
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (v, CLOUD[i.min(CLOUD.len() - 1)]))
        .collect()
}

/// The colour key as the chart and the page show it: one entry per colour, labelled with its
/// value (precision and attention kind by name). Values past the sixth share the last colour,
/// so they get one entry naming the first and last of them.
pub fn color_key_labels(report: &SearchReport, by: ColorBy) -> Vec<(String, Rgb)> {
    let name = |v: f64| match by {
        ColorBy::Precision => report
            .evaluations
            .precisions
            .get(v as usize)
            .map(|p| p.name())
            .unwrap_or_default(),
        ColorBy::Attention => report
            .space
            .spec()
            .attention
            .get(v as usize)
            .map(|k| k.to_string())
            .unwrap_or_default(),
        _ => trim(v),
    };
    let key = color_key(report, by);
    let shared = CLOUD.len() - 1;
    let mut out: Vec<(String, Rgb)> = key
        .iter()
        .take(shared)
        .map(|&(v, c)| (name(v), c))
        .collect();
    match &key[shared.min(key.len())..] {
        [] => {}
        [(v, c)] => out.push((name(*v), *c)),
        [(first, c), .., (last, _)] => {
            out.push((format!("{} … {}", name(*first), name(*last)), *c))
        }
    }
    out
}
