//! The rows a fit sees and which of them train (method.md §2, "fitting practice"): the
//! table's rows with every variable the law reads, in the law's fitting form, and the
//! held-out choice, from the file's split column or a seeded random fraction.

use super::options::Holdout;
use super::{FitError, FitWarning};
use crate::model::law::{Law, Variable};
use crate::model::loss_csv::{LossTable, Split};
use rand::rngs::SmallRng;
use rand::Rng;

/// The rows a fit sees: variables (row-major, `m` per row), observed losses and their logs.
#[derive(Clone, Debug)]
pub(crate) struct Data {
    pub m: usize,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub ln_y: Vec<f64>,
}

impl Data {
    pub(crate) fn len(&self) -> usize {
        self.y.len()
    }

    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.m..(i + 1) * self.m]
    }
}

/// Rows with every variable the law needs, in the law's fitting form, with their file lines.
pub(super) fn gather(
    law: &Law,
    table: &LossTable,
) -> Result<(Data, Vec<usize>, Vec<FitWarning>), FitError> {
    let vars = law.variables();
    let mut columns = Vec::with_capacity(vars.len());
    for v in &vars {
        let values = table.values(v).ok_or_else(|| FitError::MissingVariable {
            file: table.file_name.clone(),
            variable: v.clone(),
            meaning: Variable::from_symbol(v)
                .map_or("a column the formula uses", |s| s.meaning())
                .to_string(),
        })?;
        columns.push(values);
    }
    let logs = law.reads_logs();
    let mut warnings = Vec::new();
    let mut keep = vec![true; table.rows.len()];
    for (v, col) in vars.iter().zip(&columns) {
        let bad: Vec<usize> = (0..table.rows.len())
            .filter(|i| keep[*i] && !matches!(col[*i], Some(x) if !logs || x > 0.0))
            .collect();
        if !bad.is_empty() {
            for i in &bad {
                keep[*i] = false;
            }
            warnings.push(FitWarning::RowsLeftOut {
                variable: v.clone(),
                lines: bad.iter().map(|i| table.rows[*i].line).collect(),
            });
        }
    }
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut lines = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        for col in &columns {
            let v = col[i].unwrap_or(f64::NAN);
            x.push(if logs { v.ln() } else { v });
        }
        y.push(row.loss);
        lines.push(row.line);
    }
    if y.is_empty() {
        return Err(FitError::NoRows {
            file: table.file_name.clone(),
        });
    }
    let ln_y = y.iter().map(|v| v.ln()).collect();
    Ok((
        Data {
            m: vars.len(),
            x,
            y,
            ln_y,
        },
        lines,
        warnings,
    ))
}

/// Which rows are held out: the file's split column (Auto, when it has one), or the first
/// `fraction` of a seeded shuffle.
pub(super) fn choose_held_out(
    table: &LossTable,
    lines: &[usize],
    holdout: Holdout,
    rng: &mut SmallRng,
) -> Vec<bool> {
    let n = lines.len();
    let fraction = match holdout {
        Holdout::None => return vec![false; n],
        Holdout::Auto { .. } if table.has_split() => {
            let split: std::collections::HashMap<usize, Option<Split>> =
                table.rows.iter().map(|r| (r.line, r.split)).collect();
            return lines
                .iter()
                .map(|l| split.get(l) == Some(&Some(Split::Test)))
                .collect();
        }
        Holdout::Auto { fraction } | Holdout::Random { fraction } => fraction,
    };
    let k = (n as f64 * fraction).floor() as usize;
    // Partial Fisher–Yates: the first k of a seeded shuffle are held out.
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = rng.random_range(i..n);
        order.swap(i, j);
    }
    let mut held = vec![false; n];
    for i in &order[..k] {
        held[*i] = true;
    }
    held
}
