//! Whether a fitted law deserves to drive the search: enough rows per parameter, a held-out
//! fit better than a guess, identified parameters, and a search that stays inside the data's
//! range. A law with concerns can still be used, after the user confirms (the page asks).
//! Thresholds are this page's DECISIONs (method.md §2, "Trusting a fit").

use super::report::FitReport;
use crate::model::law::{Law, LawInputs, Quantity, Variable};
use crate::model::loss_csv::LossTable;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Fewer training rows than this per free parameter is a thin fit.
pub const MIN_ROWS_PER_PARAMETER: f64 = 5.0;
/// Held-out R² below this explains too little of the variation to rank designs.
pub const MIN_HELD_OUT_R2: f64 = 0.8;
/// A bootstrap interval wider than this factor (upper/lower, same sign) leaves the
/// parameter unidentified.
pub const MAX_INTERVAL_RATIO: f64 = 1e3;

/// Something that makes a fitted law's ranking doubtful.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Concern {
    FewRowsPerParameter {
        rows: usize,
        params: usize,
    },
    NoHeldOut,
    PoorHeldOut {
        r2: f64,
    },
    Unidentified {
        name: String,
        #[serde(with = "crate::model::json_float")]
        lower: f64,
        #[serde(with = "crate::model::json_float")]
        upper: f64,
    },
    /// The search evaluates the law outside the range its data covered.
    Extrapolates {
        name: String,
        data_min: f64,
        data_max: f64,
        search_min: f64,
        search_max: f64,
    },
}

impl fmt::Display for Concern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Concern::FewRowsPerParameter { rows, params } => write!(
                f,
                "{rows} training rows for {params} parameters ({:.1} per parameter; at least {MIN_ROWS_PER_PARAMETER} are advised)",
                *rows as f64 / *params as f64
            ),
            Concern::NoHeldOut => f.write_str(
                "no held-out rows: nothing shows the law predicts rows it was not fitted to",
            ),
            Concern::PoorHeldOut { r2 } if *r2 < 0.0 => write!(
                f,
                "held-out R² {r2:.2}: the law predicts unseen rows worse than their mean does"
            ),
            Concern::PoorHeldOut { r2 } => write!(
                f,
                "held-out R² {r2:.2} (below {MIN_HELD_OUT_R2}): the law explains little of the unseen rows"
            ),
            Concern::Unidentified { name, lower, upper } => write!(
                f,
                "{name} is not identified by the data: its 95 % interval runs from {} to {}",
                short(*lower),
                short(*upper)
            ),
            Concern::Extrapolates {
                name,
                data_min,
                data_max,
                search_min,
                search_max,
            } => write!(
                f,
                "the search reaches {name} = {}–{}, beyond the data's {}–{}: predictions there are extrapolated",
                short(*search_min),
                short(*search_max),
                short(*data_min),
                short(*data_max)
            ),
        }
    }
}

fn short(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{x:.2e}")
    } else {
        format!("{}", (x * 1e4).round() / 1e4)
    }
}

/// Concerns about the fit itself.
pub fn fit_concerns(report: &FitReport) -> Vec<Concern> {
    let mut out = Vec::new();
    let params = report.law.params().len();
    let rows = report.train.rows;
    if params > 0 && (rows as f64) < MIN_ROWS_PER_PARAMETER * params as f64 {
        out.push(Concern::FewRowsPerParameter { rows, params });
    }
    match report.held_out.and_then(|q| q.r2) {
        None => out.push(Concern::NoHeldOut),
        Some(r2) if r2 < MIN_HELD_OUT_R2 => out.push(Concern::PoorHeldOut { r2 }),
        Some(_) => {}
    }
    for i in &report.intervals {
        let (lo, hi) = (i.lower, i.upper);
        let wide = if lo > 0.0 && hi > 0.0 {
            hi / lo > MAX_INTERVAL_RATIO
        } else if lo < 0.0 && hi < 0.0 {
            lo / hi > MAX_INTERVAL_RATIO
        } else {
            // Spans zero: unidentified when far wider than the value itself.
            (hi - lo) > MAX_INTERVAL_RATIO.sqrt() * i.value.abs().max(1e-12)
        };
        if wide || !lo.is_finite() || !hi.is_finite() {
            out.push(Concern::Unidentified {
                name: i.name.clone(),
                lower: lo,
                upper: hi,
            });
        }
    }
    out
}

/// The span of one quantity a law reads, over the rows it was fitted to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataRange {
    /// As the formula names it (`d`, `hidden_size`).
    pub name: String,
    pub quantity: Quantity,
    pub min: f64,
    pub max: f64,
}

/// The range of every quantity `law` reads, over the table's good rows. A column the law
/// names that has no candidate quantity is skipped (such a law cannot rank anyway).
pub fn data_ranges(law: &Law, table: &LossTable) -> Vec<DataRange> {
    let bindings: Vec<(String, Quantity)> = match law {
        Law::Custom(c) => c
            .bindings()
            .iter()
            .map(|b| (b.column.clone(), b.quantity))
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for name in law.variables() {
        let quantity = match Variable::from_symbol(&name) {
            Some(v) => Quantity::Law(v),
            None => match bindings.iter().find(|(c, _)| *c == name) {
                Some((_, q)) => *q,
                None => continue,
            },
        };
        let Some(values) = table.values(&name) else {
            continue;
        };
        let (min, max) = values
            .iter()
            .flatten()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        if min <= max {
            out.push(DataRange {
                name,
                quantity,
                min,
                max,
            });
        }
    }
    out
}

/// Where the searched candidates leave the data's range. `inputs` are the law inputs of
/// the candidates evaluated (any iterator; a search's report provides them).
pub fn extrapolation<'a>(
    ranges: &[DataRange],
    inputs: impl Iterator<Item = &'a LawInputs>,
) -> Vec<Concern> {
    let mut span = vec![(f64::INFINITY, f64::NEG_INFINITY); ranges.len()];
    for x in inputs {
        for (s, r) in span.iter_mut().zip(ranges) {
            let v = x.quantity(r.quantity);
            if v.is_finite() {
                *s = (s.0.min(v), s.1.max(v));
            }
        }
    }
    // Within half a percent counts as inside (rounded r·d widths, float noise).
    let tol = 5e-3;
    ranges
        .iter()
        .zip(span)
        .filter(|(r, (lo, hi))| {
            lo <= hi && (*hi > r.max * (1.0 + tol) || *lo < r.min * (1.0 - tol))
        })
        .map(|(r, (lo, hi))| Concern::Extrapolates {
            name: r.name.clone(),
            data_min: r.min,
            data_max: r.max,
            search_min: lo,
            search_max: hi,
        })
        .collect()
}
