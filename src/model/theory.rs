//! Feasible design regions and the closed-form optima of method.md §5.
//!
//! The closed forms use the paper's large-d approximations of §3 (projections and FFN only):
//! ξ_F = 4 + 4/gqa + 6r, ξ_W = 2 + 2/gqa + 3r, ξ_all = 2 + 2/gqa + 3r/ρ. The region grid
//! ([`feasible_region`]) uses the real roofline instead, so the chart shows where the
//! approximations hold.

use crate::model::device::{device_presets, Device};
use crate::model::law::{ArchCounts, Law, LawInputs, PaperLaw};
use crate::model::params::param_counts;
use crate::model::precision::Precision;
use crate::model::roofline::{evaluate, LatencyReport};
use crate::model::search::{Constraints, ExpertChoice, GridPoint, KvHeads, Objective, SearchSpace};
use crate::model::workload::{OperatorSet, Workload, WorkloadSpec};
use serde::Serialize;

/// η below this: memory-bound, as method.md §5 labels it (η ≪ 1).
pub const MEMORY_BOUND_BELOW: f64 = 0.5;
/// η above this: latency-bound (η ≫ 1). In between both budgets bind.
pub const LATENCY_BOUND_ABOVE: f64 = 2.0;

/// Which budget shapes the design, with the labels of method.md §5 (η ≪ 1 memory-bound).
/// Caveat: a design cannot read more bytes per token than it stores, so for η ≥ 1 every
/// design that fits in memory meets the decode budget and only memory binds; for η ≪ 1 the
/// decode budget limits the active weights. [`feasible_region`] shows which budget really
/// binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// η < [`MEMORY_BOUND_BELOW`]: ρ* from the memory-only formula.
    MemoryBound,
    /// Both budgets bind.
    Dual,
    /// η > [`LATENCY_BOUND_ABOVE`]: ρ* = ρ_min.
    LatencyBound,
}

impl Regime {
    pub fn of(eta: f64) -> Regime {
        if eta < MEMORY_BOUND_BELOW {
            Regime::MemoryBound
        } else if eta > LATENCY_BOUND_ABOVE {
            Regime::LatencyBound
        } else {
            Regime::Dual
        }
    }
}

/// Budgets in the units the closed forms use (method.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NormalisedBudgets {
    /// F̄_p = T_pre·π/(B·S_in): FLOPs allowed per prompt token; `None` without a prefill
    /// budget.
    pub flops_per_prompt_token: Option<f64>,
    /// M̄_d = T_dec·β/S_out: bytes allowed per generated token; `None` without a decode
    /// budget or without generated tokens.
    pub bytes_per_token: Option<f64>,
    /// M_budget: the memory limit, or the device's memory.
    pub memory_bytes: f64,
    /// η = M̄_d/M_budget.
    pub eta: Option<f64>,
    pub regime: Option<Regime>,
    /// A calibrated device's per-layer overhead in the units of F̄_p (o_L·π/(B·S_in)) and
    /// of M̄_d (o_L·β): each layer costs this much on top of its FLOPs and bytes, so the
    /// depth limits divide by the sum. 0 for a rated device.
    pub layer_flops: f64,
    pub layer_bytes: f64,
}

/// F̄_p, M̄_d and η of the prefill and decode budgets of `constraints` on `device`, with the
/// peak of the precision's matmul format.
pub fn normalised_budgets(
    device: &Device,
    precision: Precision,
    workload: &Workload,
    constraints: &Constraints,
) -> NormalisedBudgets {
    let pi = device.peak_flops(precision.matmul_format());
    let prompt = workload.batch() as f64 * workload.prompt_tokens() as f64;
    let out = workload.generated_tokens() as f64;
    // A calibrated device's constant per-step overhead is spent before the roofline's share
    // of a budget: one step for the prefill, one per generated token (0 for rated devices).
    // Its per-layer overhead grows with depth, so it joins each layer's cost instead.
    let o = device.step_overhead_s(0);
    let o_layer = device.spec().layer_overhead_ms * 1e-3;
    let beta = device.bandwidth_for(&precision.weights);
    let flops_per_prompt_token = constraints
        .budget(Objective::Prefill)
        .map(|t| (t - o).max(0.0) * pi / prompt);
    let bytes_per_token = constraints
        .budget(Objective::Decode)
        .filter(|_| out > 0.0)
        .map(|t| (t - out * o).max(0.0) * beta / out);
    let memory_bytes = constraints
        .max_memory_bytes()
        .unwrap_or(device.usable_memory_bytes());
    let eta = bytes_per_token.map(|m| m / memory_bytes);
    NormalisedBudgets {
        flops_per_prompt_token,
        bytes_per_token,
        memory_bytes,
        eta,
        regime: eta.map(Regime::of),
        layer_flops: o_layer * pi / prompt,
        layer_bytes: o_layer * beta,
    }
}

/// ρ* under the memory budget alone (method.md §5):
/// [α_r·κ_d / ((α_ρ − α_r)·κ_ρ)]^(1/α_ρ) · d^((β1−β2)/α_ρ), unclamped. `None` when the law
/// has no interior optimum (α_ρ ≤ α_r, or a non-positive scale), where dense is best.
pub fn rho_star_memory(law: &PaperLaw, hidden: f64) -> Option<f64> {
    let [_, _, kr, arho, b1, kd, b2, ar, ..] = law.values();
    let base = ar * kd / ((arho - ar) * kr);
    (arho > ar && base > 0.0 && arho > 0.0 && hidden > 0.0)
        .then(|| base.powf(1.0 / arho) * hidden.powf((b1 - b2) / arho))
        .filter(|r| r.is_finite())
}

/// ρ* of a regime, within [ρ_min, 1]: ρ_min when latency-bound (decode reads only active
/// experts, so more experts cost no latency and cut loss); the memory-only formula otherwise.
/// DECISION: the dual regime also uses the memory formula (the paper gives none for it; the
/// region grid shows the real optimum).
pub fn rho_star(regime: Regime, law: &PaperLaw, hidden: f64, rho_min: f64) -> f64 {
    match regime {
        Regime::LatencyBound => rho_min,
        _ => rho_star_memory(law, hidden).map_or(1.0, |r| r.clamp(rho_min, 1.0)),
    }
}

/// The per-layer coefficients of method.md §3, in units of d² (of FLOPs per token, or of
/// weights).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Xi {
    /// ξ_F = 4 + 4/gqa + 6r: prefill FLOPs per token.
    pub flops: f64,
    /// ξ_W = 2 + 2/gqa + 3r: weights read per decode step.
    pub weights: f64,
    /// ξ_all = 2 + 2/gqa + 3r/ρ: weights stored.
    pub stored: f64,
}

impl Xi {
    pub fn new(gqa: f64, ffn_ratio: f64, rho: f64) -> Xi {
        Xi {
            flops: 4.0 + 4.0 / gqa + 6.0 * ffn_ratio,
            weights: 2.0 + 2.0 / gqa + 3.0 * ffn_ratio,
            stored: 2.0 + 2.0 / gqa + 3.0 * ffn_ratio / rho,
        }
    }

    /// ξ_W^eff = ξ_W + 2·B·S̄·b_kv/(gqa·d·b_w): the weights plus the KV cache read per step,
    /// S̄ = S_in + (S_out+1)/2 the mean context (method.md §3, T_dec).
    pub fn weights_effective(
        &self,
        gqa: f64,
        hidden: f64,
        precision: Precision,
        w: &Workload,
    ) -> f64 {
        let s_bar = w.prompt_tokens() as f64 + (w.generated_tokens() as f64 + 1.0) / 2.0;
        let (bw, bkv) = (precision.weights.nominal_bytes(), precision.kv.bytes());
        self.weights + 2.0 * w.batch() as f64 * s_bar * bkv / (gqa * hidden * bw)
    }
}

/// The depth each budget allows at width d (method.md §5: depth saturates the binding
/// constraint, l* ∝ d⁻²).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DepthLimits {
    /// F̄_p/(ξ_F·d²).
    pub prefill: Option<f64>,
    /// M̄_d/(ξ_W^eff·d²·b_w).
    pub decode: Option<f64>,
    /// M_budget/(ξ_all·d²·b_w).
    pub memory: f64,
}

/// The budget that sets a depth limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    Prefill,
    Decode,
    Memory,
}

impl DepthLimits {
    /// l* = the smallest limit, and which budget sets it (memory on ties).
    pub fn binding(&self) -> (f64, Binding) {
        let mut best = (self.memory, Binding::Memory);
        for (limit, which) in [
            (self.prefill, Binding::Prefill),
            (self.decode, Binding::Decode),
        ] {
            if let Some(l) = limit.filter(|&l| l < best.0) {
                best = (l, which);
            }
        }
        best
    }

    /// l*: the smallest limit.
    pub fn depth(&self) -> f64 {
        self.binding().0
    }
}

/// The depth limits at width `hidden` for a shape (gqa = n_h/n_kv, r, ρ).
pub fn depth_limits(
    budgets: &NormalisedBudgets,
    hidden: f64,
    gqa: f64,
    ffn_ratio: f64,
    rho: f64,
    precision: Precision,
    workload: &Workload,
) -> DepthLimits {
    let xi = Xi::new(gqa, ffn_ratio, rho);
    let d2 = hidden * hidden;
    let bw = precision.weights.nominal_bytes();
    DepthLimits {
        prefill: budgets
            .flops_per_prompt_token
            .map(|f| f / (xi.flops * d2 + budgets.layer_flops)),
        decode: budgets.bytes_per_token.map(|m| {
            m / (xi.weights_effective(gqa, hidden, precision, workload) * d2 * bw
                + budgets.layer_bytes)
        }),
        memory: budgets.memory_bytes / (xi.stored * d2 * bw),
    }
}

/// The dimensions held fixed across a region chart.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RegionSlice {
    pub ffn_ratio: f64,
    pub experts: ExpertChoice,
    pub kv_heads: KvHeads,
    pub head_dim: u32,
}

/// One (d, l) cell, evaluated with the real roofline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RegionCell {
    pub hidden: u32,
    pub layers: u32,
    /// The slice fits this width (its head dim divides d, its KV heads divide n_h) and the
    /// architecture is valid.
    pub valid: bool,
    pub loss: f64,
    pub prefill_s: f64,
    pub decode_s: f64,
    pub total_s: f64,
    /// Weights + KV cache.
    pub memory_bytes: f64,
    pub meets_prefill: bool,
    pub meets_decode: bool,
    pub meets_total: bool,
    pub fits_memory: bool,
}

impl RegionCell {
    pub fn feasible(&self) -> bool {
        self.valid
            && self.meets_prefill
            && self.meets_decode
            && self.meets_total
            && self.fits_memory
    }
}

/// The closed-form depth at one width, and the law's loss there.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TheoryDepth {
    pub hidden: u32,
    pub limits: DepthLimits,
    /// l*, continuous.
    pub depth: f64,
    /// Loss at (l*, d) with the slice's other values; infinite when l* < 1.
    pub loss: f64,
}

/// The feasible-region chart over (d, l).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeasibleRegion {
    pub hidden: Vec<u32>,
    pub layers: Vec<u32>,
    /// Row-major: `cells[h·layers.len() + j]` is (hidden[h], layers[j]).
    pub cells: Vec<RegionCell>,
    /// The lowest-loss feasible cell.
    pub best: Option<usize>,
    pub budgets: NormalisedBudgets,
    /// l*(d) per width (widths where the slice is invalid are skipped).
    pub theory: Vec<TheoryDepth>,
    /// The width whose l* gives the lowest loss (index into `theory`).
    pub theory_best: Option<usize>,
}

/// Evaluates every (d, l) of `space`'s hidden sizes and layers with the slice's other values,
/// against `constraints`, and the closed-form l*(d) next to it.
#[allow(clippy::too_many_arguments)]
pub fn feasible_region(
    space: &SearchSpace,
    slice: &RegionSlice,
    law: &Law,
    device: &Device,
    precision: Precision,
    workload: &Workload,
    constraints: &Constraints,
    training_tokens: f64,
) -> FeasibleRegion {
    let hidden = space.spec().hidden.clone();
    let layers = space.spec().layers.clone();
    let budgets = normalised_budgets(device, precision, workload, constraints);
    let within =
        |o: Objective, r: &LatencyReport| constraints.budget(o).is_none_or(|b| o.of(r) <= b);
    let mut cells = Vec::with_capacity(hidden.len() * layers.len());
    let mut theory = Vec::new();
    let rho = slice.experts.active as f64 / slice.experts.experts as f64;
    for &d in &hidden {
        let heads = d.checked_div(slice.head_dim).unwrap_or(0);
        let kv = slice.kv_heads.resolve(heads);
        let e = slice.experts;
        let valid = heads > 0
            && d.is_multiple_of(slice.head_dim)
            && kv > 0
            && heads.is_multiple_of(kv)
            && (1..=e.experts).contains(&e.active)
            && slice.ffn_ratio.is_finite()
            && slice.ffn_ratio > 0.0;
        for &l in &layers {
            let point = GridPoint {
                layers: l,
                hidden: d,
                head_dim: slice.head_dim,
                kv_heads: kv,
                // The slice uses the space's first attention kind (full in the paper grid).
                attention: space.spec().attention[0],
                experts: slice.experts,
                ffn_ratio: slice.ffn_ratio,
            };
            let arch = space.architecture(&point).ok().filter(|_| valid);
            cells.push(match arch {
                Some(arch) => {
                    let r = evaluate(&arch, device, precision, workload);
                    let params = param_counts(&arch).total() as f64;
                    let loss = law.predict(&LawInputs::from_arch(&arch, params, training_tokens));
                    let memory = r.weights_bytes + r.kv_cache_bytes;
                    RegionCell {
                        hidden: d,
                        layers: l,
                        valid: true,
                        loss,
                        prefill_s: r.prefill_s,
                        decode_s: r.decode_s,
                        total_s: r.total_s,
                        memory_bytes: memory,
                        meets_prefill: within(Objective::Prefill, &r),
                        meets_decode: within(Objective::Decode, &r),
                        meets_total: within(Objective::Total, &r),
                        fits_memory: memory <= budgets.memory_bytes,
                    }
                }
                None => RegionCell {
                    hidden: d,
                    layers: l,
                    valid: false,
                    loss: f64::INFINITY,
                    prefill_s: f64::NAN,
                    decode_s: f64::NAN,
                    total_s: f64::NAN,
                    memory_bytes: f64::NAN,
                    meets_prefill: false,
                    meets_decode: false,
                    meets_total: false,
                    fits_memory: false,
                },
            });
        }
        if valid {
            let gqa = (heads / kv) as f64;
            let limits = depth_limits(
                &budgets,
                d as f64,
                gqa,
                slice.ffn_ratio,
                rho,
                precision,
                workload,
            );
            let depth = limits.depth();
            let inputs = LawInputs {
                layers: depth,
                hidden: d as f64,
                ffn_ratio: slice.ffn_ratio,
                rho,
                kv_width: (kv * slice.head_dim) as f64,
                // Stored weights of the closed form plus one embedding matrix.
                params: depth * Xi::new(gqa, slice.ffn_ratio, rho).stored * (d as f64).powi(2)
                    + space.spec().vocab as f64 * d as f64,
                tokens: training_tokens,
                counts: ArchCounts {
                    heads: heads as f64,
                    kv_heads: kv as f64,
                    head_dim: slice.head_dim as f64,
                    ..ArchCounts::unknown()
                },
            };
            let loss = if depth >= 1.0 {
                law.predict(&inputs)
            } else {
                f64::INFINITY
            };
            theory.push(TheoryDepth {
                hidden: d,
                limits,
                depth,
                loss,
            });
        }
    }
    let best = lowest(cells.iter().map(|c| (c.feasible(), c.loss)));
    let theory_best = lowest(theory.iter().map(|t| (true, t.loss)));
    FeasibleRegion {
        hidden,
        layers,
        cells,
        best,
        budgets,
        theory,
        theory_best,
    }
}

/// Index of the lowest finite loss among admitted items.
fn lowest(items: impl Iterator<Item = (bool, f64)>) -> Option<usize> {
    items
        .enumerate()
        .filter(|(_, (ok, loss))| *ok && loss.is_finite())
        .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
        .map(|(i, _)| i)
}

/// The paper's worked example (method.md §5): a 10 TOPS, 50 GB/s, 4 GB device and a 100 ms
/// budget to decode 10 tokens, so M̄_d = 0.5 GB and η = 0.125.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkedExample {
    pub device: Device,
    pub precision: Precision,
    /// B = 1, S_out = 10, paper operators. DECISION: S_in = 1024 (the paper's workload; the
    /// example does not need it).
    pub workload: Workload,
    /// 100 ms decode, 4 GB memory.
    pub constraints: Constraints,
}

pub fn paper_worked_example() -> WorkedExample {
    let device = device_presets()
        .into_iter()
        .find(|d| d.name() == "Paper worked example")
        .expect("the preset exists");
    let workload = Workload::new(WorkloadSpec {
        batch: 1,
        prompt_tokens: 1024,
        generated_tokens: 10,
        operators: OperatorSet::Paper,
        activation_sparsity: 0.0,
        fused_attention: false,
    })
    .expect("valid workload");
    let constraints = Constraints::default()
        .with_budget(Objective::Decode, Some(0.1))
        .and_then(|c| c.with_max_memory_bytes(Some(device.usable_memory_bytes())))
        .expect("valid budgets");
    WorkedExample {
        device,
        precision: Precision::FP16,
        workload,
        constraints,
    }
}

impl WorkedExample {
    pub fn budgets(&self) -> NormalisedBudgets {
        normalised_budgets(
            &self.device,
            self.precision,
            &self.workload,
            &self.constraints,
        )
    }
}
