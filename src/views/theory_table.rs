//! The theory table: the closed forms ρ*(d) and l*(d) at each width of a region.

use crate::model::law::Law;
use crate::model::theory::{rho_star, Binding, FeasibleRegion, Regime};

/// The closed forms at one width, for the theory table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TheoryRow {
    pub hidden: u32,
    /// ρ*(d) within [ρ_min, 1]; `None` when the law is not the paper's form.
    pub rho_star: Option<f64>,
    /// l*(d), continuous.
    pub depth: f64,
    pub binding: Binding,
    /// The law's loss at (l*, d); infinite when l* < 1.
    pub loss: f64,
    /// The region's smallest and largest layer count when l* lies outside them: the closed
    /// form is continuous and unbounded, the search grid is not, so such a depth is never a
    /// candidate (an optimum of 542.5 layers beside a grid that stops at 32).
    pub outside_grid: Option<(u32, u32)>,
}

/// ρ*(d) and l*(d) at every width of the region the slice can build. ρ* follows the
/// regime of η; without a decode budget there is no η and memory (with any prefill budget,
/// the dual case) sets ρ*, so the memory-only formula applies, as [`rho_star`] does for
/// the dual regime.
pub fn theory_rows(region: &FeasibleRegion, law: &Law, rho_min: f64) -> Vec<TheoryRow> {
    let regime = region.budgets.regime.unwrap_or(Regime::MemoryBound);
    let grid = region
        .layers
        .iter()
        .min()
        .zip(region.layers.iter().max())
        .map(|(&lo, &hi)| (lo, hi));
    region
        .theory
        .iter()
        .map(|t| TheoryRow {
            hidden: t.hidden,
            rho_star: match law {
                Law::Paper(p) => Some(rho_star(regime, p, t.hidden as f64, rho_min)),
                _ => None,
            },
            depth: t.depth,
            binding: t.limits.binding().1,
            loss: t.loss,
            outside_grid: grid.filter(|&(lo, hi)| !(lo as f64..=hi as f64).contains(&t.depth)),
        })
        .collect()
}

/// The budgets that limit depth across the table's rows, each once, in the order
/// prefill, decode, memory: what the regime heading says about depth, so heading and rows
/// cannot disagree.
pub fn depth_bindings(rows: &[TheoryRow]) -> Vec<Binding> {
    [Binding::Prefill, Binding::Decode, Binding::Memory]
        .into_iter()
        .filter(|b| rows.iter().any(|r| r.binding == *b))
        .collect()
}
