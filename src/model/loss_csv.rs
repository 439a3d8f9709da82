//! Import of training results: a CSV of architectures and their losses (method.md §2).
//!
//! One pass turns the text into a [`LossTable`]: columns are recognised by common names
//! ([`ColumnRole::recognise`]) or by the caller's [`ColumnMapping`]; the law's features r, ρ and
//! d_m are derived (method.md §1) and kept with the rows. A bad row becomes a [`RowIssue`]
//! naming its line (as in the file, 1-based, header included) and column, and is left out of
//! the good rows; only problems with the whole file are errors ([`LossCsvError`]).

use super::csv_reader::{
    normalise_header, number, positive_number, CsvErrorKind, CsvLimits, CsvReader, CsvRow, Located,
    OwnProblem,
};
use super::law::{ColumnBinding, CustomLaw, Quantity, Variable};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest file accepted: far above any real sweep, small enough for a browser tab.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Most data rows accepted.
pub const MAX_ROWS: usize = 200_000;
const LIMITS: CsvLimits = CsvLimits {
    max_bytes: MAX_BYTES,
    max_rows: MAX_ROWS,
};

pub use super::csv_reader::RowIssue;

/// What a column means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    Layers,
    Hidden,
    FfnRatio,
    Intermediate,
    Heads,
    KvHeads,
    HeadDim,
    Experts,
    TopK,
    Loss,
    Params,
    Tokens,
    Split,
}

impl ColumnRole {
    pub const ALL: [ColumnRole; 13] = [
        ColumnRole::Layers,
        ColumnRole::Hidden,
        ColumnRole::FfnRatio,
        ColumnRole::Intermediate,
        ColumnRole::Heads,
        ColumnRole::KvHeads,
        ColumnRole::HeadDim,
        ColumnRole::Experts,
        ColumnRole::TopK,
        ColumnRole::Loss,
        ColumnRole::Params,
        ColumnRole::Tokens,
        ColumnRole::Split,
    ];

    /// The canonical header, used in messages.
    pub fn name(self) -> &'static str {
        self.aliases()[0]
    }

    /// Recognised headers, compared as [`normalise_header`] reads them. The first is the
    /// canonical one.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            ColumnRole::Layers => &[
                "layers",
                "num_hidden_layers",
                "n_layers",
                "n_layer",
                "num_layers",
            ],
            ColumnRole::Hidden => &["hidden_size", "d_model", "hidden", "n_embd"],
            ColumnRole::FfnRatio => &["ffn_ratio", "mlp_ratio"],
            ColumnRole::Intermediate => {
                &["intermediate_size", "d_ff", "ffn_dim", "ffn_hidden_size"]
            }
            ColumnRole::Heads => &["num_attention_heads", "heads", "n_h", "n_heads", "n_head"],
            ColumnRole::KvHeads => &["num_key_value_heads", "kv_heads", "n_kv", "n_kv_heads"],
            ColumnRole::HeadDim => &["head_dim", "d_h"],
            ColumnRole::Experts => &["experts", "num_experts", "n_experts", "num_local_experts"],
            ColumnRole::TopK => &["top_k", "active_experts", "num_experts_per_tok"],
            ColumnRole::Loss => &["loss", "val_loss", "eval_loss", "validation_loss"],
            ColumnRole::Params => &["params", "num_params", "n_params", "parameters"],
            ColumnRole::Tokens => &["tokens", "train_tokens", "num_tokens", "training_tokens"],
            ColumnRole::Split => &["split"],
        }
    }

    /// One-letter symbols of method.md §1, matched with their exact case (`d` is hidden size,
    /// `D` tokens).
    fn symbol(self) -> Option<&'static str> {
        Some(match self {
            ColumnRole::Layers => "l",
            ColumnRole::Hidden => "d",
            ColumnRole::FfnRatio => "r",
            ColumnRole::Experts => "E",
            ColumnRole::TopK => "K",
            ColumnRole::Params => "N",
            ColumnRole::Tokens => "D",
            _ => return None,
        })
    }

    /// The role a header names, if any.
    pub fn recognise(header: &str) -> Option<ColumnRole> {
        let header = header.trim();
        if let Some(role) = ColumnRole::ALL
            .into_iter()
            .find(|r| r.symbol() == Some(header))
        {
            return Some(role);
        }
        let norm = normalise_header(header);
        ColumnRole::ALL
            .into_iter()
            .find(|r| r.aliases().contains(&norm.as_str()))
    }
}

impl ColumnRole {
    /// What a candidate architecture supplies for a column of this role; `None` for the loss
    /// and the split, which describe the training run, not the architecture.
    pub fn quantity(self) -> Option<Quantity> {
        Some(match self {
            ColumnRole::Layers => Quantity::Law(Variable::Layers),
            ColumnRole::Hidden => Quantity::Law(Variable::Hidden),
            ColumnRole::FfnRatio => Quantity::Law(Variable::FfnRatio),
            ColumnRole::Intermediate => Quantity::Intermediate,
            ColumnRole::Heads => Quantity::Heads,
            ColumnRole::KvHeads => Quantity::KvHeads,
            ColumnRole::HeadDim => Quantity::HeadDim,
            ColumnRole::Experts => Quantity::Experts,
            ColumnRole::TopK => Quantity::TopK,
            ColumnRole::Params => Quantity::Law(Variable::Params),
            ColumnRole::Tokens => Quantity::Law(Variable::Tokens),
            ColumnRole::Loss | ColumnRole::Split => return None,
        })
    }
}

/// A custom law names columns no candidate architecture can supply, so it cannot drive the
/// search (issue: a law shown "in use" must be the one used).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnboundColumns {
    /// Each column and why: its role, or that it has none.
    pub columns: Vec<(String, Option<ColumnRole>)>,
}

impl fmt::Display for UnboundColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<String> = self
            .columns
            .iter()
            .map(|(c, role)| match role {
                Some(r) => format!("\"{c}\" ({r}: a property of the training run)"),
                None => format!("\"{c}\" (no role)"),
            })
            .collect();
        write!(
            f,
            "this law cannot rank candidate architectures: a candidate has no value for {}. \
             Map the column to a role (layers, hidden_size, ffn_ratio, intermediate_size, heads, \
             kv_heads, head_dim, experts, top_k, params, tokens) in the data table, or write the \
             formula with l, d, r, rho, d_m, N, D",
            list.join(", ")
        )
    }
}

impl std::error::Error for UnboundColumns {}

impl fmt::Display for ColumnRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The caller's choices of role per header, overriding recognition (`None`: ignore the column
/// as a role; it stays available by name).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub entries: Vec<(String, Option<ColumnRole>)>,
}

impl ColumnMapping {
    pub fn with(mut self, header: &str, role: Option<ColumnRole>) -> Self {
        self.entries.retain(|(h, _)| h != header);
        self.entries.push((header.to_string(), role));
        self
    }

    fn get(&self, header: &str) -> Option<Option<ColumnRole>> {
        self.entries
            .iter()
            .find(|(h, _)| h == header)
            .map(|(_, r)| *r)
    }
}

/// Training or held-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Train,
    Test,
}

/// A good row: its loss, split, law features (`None` when the file cannot give one) and every
/// cell that reads as a finite number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossRow {
    pub line: usize,
    pub loss: f64,
    pub split: Option<Split>,
    /// Indexed like [`Variable::ALL`]: l, d, r, ρ, d_m, N, D.
    pub features: [Option<f64>; 7],
    /// One per header.
    pub raw: Vec<Option<f64>>,
}

impl LossRow {
    pub fn feature(&self, v: Variable) -> Option<f64> {
        self.features[v as usize]
    }
}

/// The imported file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossTable {
    pub file_name: String,
    pub delimiter: char,
    pub headers: Vec<String>,
    /// Role of each header.
    pub roles: Vec<Option<ColumnRole>>,
    /// Headers with no role, for a mapping step.
    pub unrecognised: Vec<String>,
    /// Law features every good row has, derived ones included.
    pub available: Vec<Variable>,
    /// How derived features were obtained and what was assumed, one sentence each.
    pub notes: Vec<String>,
    pub rows: Vec<LossRow>,
    pub issues: Vec<RowIssue>,
}

impl LossTable {
    /// Whether the file had a split column.
    pub fn has_split(&self) -> bool {
        self.roles.contains(&Some(ColumnRole::Split))
    }

    /// Values of `name` for every good row: a law variable (`l, d, r, rho, d_m, N, D`), else a
    /// header (exact, then case-insensitive). `None` when no such column exists; a cell that is
    /// not a number is `None` inside.
    pub fn values(&self, name: &str) -> Option<Vec<Option<f64>>> {
        if let Some(v) = Variable::from_symbol(name) {
            if self.available.contains(&v) {
                return Some(self.rows.iter().map(|r| r.feature(v)).collect());
            }
        }
        let i = self.headers.iter().position(|h| h == name).or_else(|| {
            self.headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })?;
        Some(self.rows.iter().map(|r| r.raw[i]).collect())
    }

    /// `law` with each column its formula names bound to the candidate quantity of the
    /// column's role in this table, so it can drive the search; or the columns that have no
    /// such quantity.
    pub fn bind_law(&self, law: &CustomLaw) -> Result<CustomLaw, UnboundColumns> {
        let mut bindings = Vec::new();
        let mut unbound = Vec::new();
        for name in law.formula().variables() {
            if Variable::from_symbol(name).is_some() {
                continue;
            }
            let role = self
                .headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| self.roles[i]);
            match role.and_then(ColumnRole::quantity) {
                Some(quantity) => bindings.push(ColumnBinding {
                    column: name.clone(),
                    quantity,
                }),
                None => unbound.push((name.clone(), role)),
            }
        }
        if !unbound.is_empty() {
            return Err(UnboundColumns { columns: unbound });
        }
        // The formula was parsed against these columns, so every binding names one of them;
        // should it not, the law is reported unusable rather than trusted.
        let names: Vec<(String, Option<ColumnRole>)> =
            bindings.iter().map(|b| (b.column.clone(), None)).collect();
        law.clone()
            .with_bindings(bindings)
            .map_err(|_| UnboundColumns { columns: names })
    }

    /// Names a custom formula may use: available law variables and headers that are names.
    pub fn variable_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .available
            .iter()
            .map(|v| v.symbol().to_string())
            .collect();
        for h in &self.headers {
            if super::formula::is_name(h) && !out.contains(h) {
                out.push(h.clone());
            }
        }
        out
    }
}

/// Why a whole file was refused.
pub type LossCsvError = super::csv_reader::CsvError<LossCsvProblem>;
/// The problems every CSV can have, and [`LossCsvProblem`].
pub type LossCsvErrorKind = CsvErrorKind<LossCsvProblem>;

/// Problems only a loss CSV has: its columns and their roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LossCsvProblem {
    MappingNamesUnknownColumn {
        header: String,
        found: Vec<String>,
    },
    NoLossColumn {
        found: Vec<String>,
    },
    DuplicateRole {
        role: ColumnRole,
        first: String,
        second: String,
    },
}

impl OwnProblem for LossCsvProblem {
    fn located(&self) -> Located<'_> {
        let message = match self {
            LossCsvProblem::MappingNamesUnknownColumn { header, found } => format!(
                "the column mapping names \"{header}\", which is not a column (found: {})",
                found.join(", ")
            ),
            LossCsvProblem::NoLossColumn { found } => format!(
                "no column recognised as loss (found: {})",
                found.join(", ")
            ),
            LossCsvProblem::DuplicateRole {
                role,
                first,
                second,
            } => format!(
                "columns \"{first}\" and \"{second}\" are both recognised as {role}; map one of them to another role"
            ),
        };
        Located {
            line: None,
            column: None,
            message,
        }
    }
}

/// Parses a loss CSV. `file_name` only labels messages.
pub fn parse_loss_csv(
    file_name: &str,
    text: &str,
    mapping: Option<&ColumnMapping>,
) -> Result<LossTable, LossCsvError> {
    let reader = CsvReader::open(file_name, text, LIMITS)?;
    let delimiter = reader.delimiter();
    let headers = reader.headers().to_vec();
    let own = |problem| reader.error(CsvErrorKind::Own(problem));
    let roles = assign_roles(&headers, mapping).map_err(own)?;
    let col = |role: ColumnRole| roles.iter().position(|r| *r == Some(role));
    let Some(loss_col) = col(ColumnRole::Loss) else {
        return Err(own(LossCsvProblem::NoLossColumn {
            found: headers.clone(),
        }));
    };
    let derive = Derivation::plan(&headers, &roles);
    let read = reader.rows(|row| read_row(row, &headers, &roles, loss_col, &derive))?;
    let unrecognised = headers
        .iter()
        .zip(&roles)
        .filter(|(h, r)| r.is_none() && !mapping.is_some_and(|m| m.get(h) == Some(None)))
        .map(|(h, _)| h.clone())
        .collect();
    Ok(LossTable {
        file_name: file_name.to_string(),
        delimiter,
        headers,
        roles,
        unrecognised,
        available: derive.available(),
        notes: derive.notes,
        rows: read.good,
        issues: read.issues,
    })
}

fn assign_roles(
    headers: &[String],
    mapping: Option<&ColumnMapping>,
) -> Result<Vec<Option<ColumnRole>>, LossCsvProblem> {
    if let Some(m) = mapping {
        for (h, _) in &m.entries {
            if !headers.contains(h) {
                return Err(LossCsvProblem::MappingNamesUnknownColumn {
                    header: h.clone(),
                    found: headers.to_vec(),
                });
            }
        }
    }
    let roles: Vec<Option<ColumnRole>> = headers
        .iter()
        .map(|h| match mapping.and_then(|m| m.get(h)) {
            Some(chosen) => chosen,
            None => ColumnRole::recognise(h),
        })
        .collect();
    for (i, r) in roles.iter().enumerate() {
        if let Some(role) = r {
            if let Some(j) = roles[..i].iter().position(|q| q == r) {
                return Err(LossCsvProblem::DuplicateRole {
                    role: *role,
                    first: headers[j].clone(),
                    second: headers[i].clone(),
                });
            }
        }
    }
    Ok(roles)
}

/// How the law features are obtained from the columns present (method.md §1).
struct Derivation {
    col: [Option<usize>; 13],
    /// r from the ratio column, else intermediate/hidden.
    ratio: Option<RatioFrom>,
    /// ρ = K/E, 1 for a dense file, unavailable with only one of the two.
    rho: Option<RhoFrom>,
    kv: Option<KvFrom>,
    notes: Vec<String>,
}

#[derive(Clone, Copy)]
enum RatioFrom {
    Column,
    Intermediate,
}

#[derive(Clone, Copy)]
enum RhoFrom {
    Experts,
    Dense,
}

#[derive(Clone, Copy)]
struct KvFrom {
    /// KV heads from their column, else the query heads (MHA); `None`: d_m = hidden.
    heads: Option<bool>,
    /// Head dim from its column, else hidden / heads.
    head_dim_column: bool,
}

impl Derivation {
    fn plan(headers: &[String], roles: &[Option<ColumnRole>]) -> Derivation {
        let mut col = [None; 13];
        for (i, r) in roles.iter().enumerate() {
            if let Some(r) = r {
                col[*r as usize] = Some(i);
            }
        }
        let has = |r: ColumnRole| col[r as usize].is_some();
        let name = |r: ColumnRole| col[r as usize].map_or(r.name(), |i| headers[i].as_str());
        let mut notes = Vec::new();
        let ratio = if has(ColumnRole::FfnRatio) {
            Some(RatioFrom::Column)
        } else if has(ColumnRole::Intermediate) && has(ColumnRole::Hidden) {
            notes.push(format!(
                "r = {} / {}",
                name(ColumnRole::Intermediate),
                name(ColumnRole::Hidden)
            ));
            Some(RatioFrom::Intermediate)
        } else {
            notes.push(
                "r is not available: no FFN ratio column, nor intermediate and hidden sizes"
                    .to_string(),
            );
            None
        };
        let rho = match (has(ColumnRole::Experts), has(ColumnRole::TopK)) {
            (true, true) => {
                notes.push(format!(
                    "ρ = {} / {}",
                    name(ColumnRole::TopK),
                    name(ColumnRole::Experts)
                ));
                Some(RhoFrom::Experts)
            }
            (false, false) => {
                notes.push("ρ = 1 for every row (no experts columns: dense models)".to_string());
                Some(RhoFrom::Dense)
            }
            (true, false) => {
                notes.push(format!(
                    "ρ is not available: \"{}\" gives experts but no column gives active experts (top_k)",
                    name(ColumnRole::Experts)
                ));
                None
            }
            (false, true) => {
                notes.push(format!(
                    "ρ is not available: \"{}\" gives active experts but no column gives experts",
                    name(ColumnRole::TopK)
                ));
                None
            }
        };
        let heads = has(ColumnRole::Heads);
        let kv_heads = has(ColumnRole::KvHeads);
        let head_dim = has(ColumnRole::HeadDim);
        let hidden = has(ColumnRole::Hidden);
        let kv = if !heads && !kv_heads && !head_dim {
            if hidden {
                notes.push(format!(
                    "d_m = {} (no head columns: multi-head attention assumed)",
                    name(ColumnRole::Hidden)
                ));
                Some(KvFrom {
                    heads: None,
                    head_dim_column: false,
                })
            } else {
                notes.push("d_m is not available: no head or hidden-size columns".to_string());
                None
            }
        } else if (kv_heads || heads) && (head_dim || (hidden && heads)) {
            let kv_name = if kv_heads {
                name(ColumnRole::KvHeads).to_string()
            } else {
                notes.push(format!(
                    "no KV-heads column: KV heads = {} (multi-head attention)",
                    name(ColumnRole::Heads)
                ));
                name(ColumnRole::Heads).to_string()
            };
            let hd_name = if head_dim {
                name(ColumnRole::HeadDim).to_string()
            } else {
                format!(
                    "({} / {})",
                    name(ColumnRole::Hidden),
                    name(ColumnRole::Heads)
                )
            };
            notes.push(format!("d_m = {kv_name} × {hd_name}"));
            Some(KvFrom {
                heads: Some(kv_heads),
                head_dim_column: head_dim,
            })
        } else {
            notes.push("d_m is not available: it needs KV heads (or heads) and a head dim (or hidden size and heads)".to_string());
            None
        };
        Derivation {
            col,
            ratio,
            rho,
            kv,
            notes,
        }
    }

    fn available(&self) -> Vec<Variable> {
        let has = |r: ColumnRole| self.col[r as usize].is_some();
        let mut out = Vec::new();
        for v in Variable::ALL {
            let ok = match v {
                Variable::Layers => has(ColumnRole::Layers),
                Variable::Hidden => has(ColumnRole::Hidden),
                Variable::FfnRatio => self.ratio.is_some(),
                Variable::Rho => self.rho.is_some(),
                Variable::KvWidth => self.kv.is_some(),
                Variable::Params => has(ColumnRole::Params),
                Variable::Tokens => has(ColumnRole::Tokens),
            };
            if ok {
                out.push(v);
            }
        }
        out
    }
}

fn read_row(
    record: &CsvRow,
    headers: &[String],
    roles: &[Option<ColumnRole>],
    loss_col: usize,
    derive: &Derivation,
) -> Result<LossRow, RowIssue> {
    let line = record.line;
    let issue = |i: usize, message: String| RowIssue {
        line,
        column: Some(headers[i].clone()),
        message,
    };
    let mut split = None;
    let mut value = [None::<f64>; 13];
    for (i, role) in roles.iter().enumerate() {
        let Some(role) = role else { continue };
        let cell = record.cell(i);
        if cell.is_empty() {
            return Err(issue(i, "missing value".to_string()));
        }
        if *role == ColumnRole::Split {
            split = Some(match cell.to_ascii_lowercase().as_str() {
                "train" | "training" => Split::Train,
                "test" | "val" | "valid" | "validation" | "heldout" | "held_out" | "held-out" => {
                    Split::Test
                }
                _ => {
                    return Err(issue(
                        i,
                        format!("expected train, test, val or heldout, found \"{cell}\""),
                    ))
                }
            });
            continue;
        }
        value[*role as usize] = Some(positive_number(cell).map_err(|m| issue(i, m))?);
    }
    let get = |r: ColumnRole| value[r as usize];
    let mut features = [None; 7];
    features[Variable::Layers as usize] = get(ColumnRole::Layers);
    features[Variable::Hidden as usize] = get(ColumnRole::Hidden);
    features[Variable::Params as usize] = get(ColumnRole::Params);
    features[Variable::Tokens as usize] = get(ColumnRole::Tokens);
    let hidden = get(ColumnRole::Hidden);
    features[Variable::FfnRatio as usize] = match derive.ratio {
        Some(RatioFrom::Column) => get(ColumnRole::FfnRatio),
        Some(RatioFrom::Intermediate) => {
            Some(get(ColumnRole::Intermediate).unwrap_or(f64::NAN) / hidden.unwrap_or(f64::NAN))
        }
        None => None,
    };
    features[Variable::Rho as usize] = match derive.rho {
        Some(RhoFrom::Dense) => Some(1.0),
        Some(RhoFrom::Experts) => {
            let (e, k) = (
                get(ColumnRole::Experts).unwrap_or(f64::NAN),
                get(ColumnRole::TopK).unwrap_or(f64::NAN),
            );
            if k > e {
                let i = derive.col[ColumnRole::TopK as usize].unwrap_or(loss_col);
                return Err(issue(
                    i,
                    format!("{k} active experts exceed the {e} experts"),
                ));
            }
            Some(k / e)
        }
        None => None,
    };
    features[Variable::KvWidth as usize] = derive.kv.map(|kv| {
        let heads = get(ColumnRole::Heads).unwrap_or(f64::NAN);
        match kv.heads {
            None => hidden.unwrap_or(f64::NAN),
            Some(from_column) => {
                let n_kv = if from_column {
                    get(ColumnRole::KvHeads).unwrap_or(f64::NAN)
                } else {
                    heads
                };
                let d_h = if kv.head_dim_column {
                    get(ColumnRole::HeadDim).unwrap_or(f64::NAN)
                } else {
                    hidden.unwrap_or(f64::NAN) / heads
                };
                n_kv * d_h
            }
        }
    });
    let raw = record.cells().map(|c| number(c).ok()).collect();
    Ok(LossRow {
        line,
        loss: value[ColumnRole::Loss as usize].unwrap_or(f64::NAN),
        split,
        features,
        raw,
    })
}
