//! The feasible-region chart (method.md §5) and the region slice through a design.

use crate::chart::{AxisSpec, Cell, Heatmap, LegendPlacement, Marker, Rgb, Series, PALETTE};
use crate::model::search::{Candidate, ExpertChoice, KvHeads, SearchSpace};
use crate::model::theory::{DepthLimits, FeasibleRegion, RegionSlice};

/// The feasible-region chart (method.md §5) of `region`: one cell per region cell, in the
/// same order, coloured by loss (cells the slice cannot build stay blank), infeasible ones
/// hatched; each budget's depth limit l(d) as a line; markers at the best enumerated cell
/// and at the theory's prediction (the width whose l*(d) gives the lowest loss).
pub fn feasible_chart(region: &FeasibleRegion, slice: &RegionSlice, device: &str) -> Heatmap {
    let cells = region
        .cells
        .iter()
        .map(|c| Cell {
            x: c.hidden as f64,
            y: c.layers as f64,
            value: if c.valid { c.loss } else { f64::NAN },
            feasible: c.feasible(),
        })
        .collect();
    let limit = |name: &str, color: Rgb, of: fn(&DepthLimits) -> Option<f64>| {
        let line: Vec<(f64, f64)> = region
            .theory
            .iter()
            .filter_map(|t| Some((t.hidden as f64, of(&t.limits)?)))
            .filter(|p| p.1.is_finite() && p.1 > 0.0)
            .collect();
        (!line.is_empty()).then(|| Series::line(name, color, line))
    };
    let boundaries = [
        limit(BOUNDARY_NAMES[0], PALETTE[6], |l| l.prefill),
        limit(BOUNDARY_NAMES[1], PALETTE[3], |l| l.decode),
        limit(BOUNDARY_NAMES[2], PALETTE[1], |l| Some(l.memory)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut markers = Vec::new();
    if let Some(best) = region.best.map(|i| region.cells[i]) {
        markers.push(Marker {
            x: best.hidden as f64,
            y: best.layers as f64,
            label: "best enumerated".into(),
            color: PALETTE[0],
        });
    }
    if let Some(t) = region.theory_best.map(|i| region.theory[i]) {
        markers.push(Marker {
            x: t.hidden as f64,
            y: t.depth,
            label: format!("theory l* = {:.1}", t.depth),
            color: PALETTE[9],
        });
    }
    Heatmap {
        title: format!(
            "Feasible designs — {device}, r = {}, E:K = {}:{}, n_kv = {}",
            slice.ffn_ratio, slice.experts.experts, slice.experts.active, slice.kv_heads
        ),
        x: AxisSpec::linear("hidden size d"),
        y: AxisSpec::linear("layers l"),
        xs: region.hidden.iter().map(|&d| d as f64).collect(),
        ys: region.layers.iter().map(|&l| l as f64).collect(),
        cells,
        value_label: "predicted loss".into(),
        contour_levels: Vec::new(),
        boundaries,
        markers,
        legend: LegendPlacement::Top,
    }
}

/// Legend names of the budget lines of [`feasible_chart`], in the order they appear when
/// present.
pub const BOUNDARY_NAMES: [&str; 3] = [
    "prefill budget l = F̄p/(ξF·d²)",
    "decode budget l = M̄d/(ξW·d²·bw)",
    "memory l = M/(ξall·d²·bw)",
];

/// The region slice through candidate `c`: its r, experts, KV heads and head dim held fixed
/// while (d, l) vary. KV heads are kept as the space lists them, so a multi-head candidate
/// keeps n_kv = n_h at every width; r is the space's listed value nearest the candidate's
/// (candidates store it as f32).
pub fn design_slice(space: &SearchSpace, c: &Candidate) -> RegionSlice {
    let spec = space.spec();
    let r = c.ffn_ratio as f64;
    let ffn_ratio = spec
        .ffn_ratios
        .iter()
        .copied()
        .min_by(|a, b| (a - r).abs().total_cmp(&(b - r).abs()))
        .unwrap_or(r);
    let kv_heads = if spec.kv_heads.contains(&KvHeads::Count(c.kv_heads)) {
        KvHeads::Count(c.kv_heads)
    } else {
        KvHeads::Mha
    };
    RegionSlice {
        ffn_ratio,
        experts: ExpertChoice {
            experts: c.experts as u32,
            active: c.active as u32,
        },
        kv_heads,
        head_dim: c.head_dim,
    }
}
