//! Scaling laws: loss as a function of architecture, size and data (method.md §2).
//!
//! [`Law`] is the paper's architecture law ([`PaperLaw`]), Chinchilla's ([`Chinchilla`]) or a
//! user formula ([`CustomLaw`]). All read the same [`LawInputs`]. Parameters are checked once at
//! construction (finite numbers), so [`Law::predict`] only guards its inputs.
//!
//! Domain: every feature a law reads must be positive and finite (layers, widths, ratios,
//! counts). Outside it, and whenever the result is not finite, `predict` returns
//! `f64::INFINITY`, which every caller (search, Pareto) treats as "unusable candidate"; it
//! never returns NaN.
//!
//! What a fitter needs from a law, its value and gradient in the parameters at a row of data,
//! each law supplies itself (`law/gradient.rs`, [`Law::value_and_gradient`]).

use super::arch::Architecture;
use super::formula::{self, Formula, FormulaError};
use serde::{Deserialize, Serialize};
use std::fmt;

mod gradient;

/// The features a law reads (method.md §1). Unused ones may be anything.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LawInputs {
    /// l
    pub layers: f64,
    /// d
    pub hidden: f64,
    /// r: active FFN width over d.
    pub ffn_ratio: f64,
    /// ρ = K/E.
    pub rho: f64,
    /// d_m = n_kv·d_h.
    pub kv_width: f64,
    /// N: parameters.
    pub params: f64,
    /// D: training tokens.
    pub tokens: f64,
    /// Raw counts a loss file's columns may name (read only by custom laws bound to them).
    #[serde(default = "ArchCounts::unknown")]
    pub counts: ArchCounts,
}

/// Head and expert counts of a candidate, for custom laws whose formula names a loss-file
/// column such as `num_key_value_heads` or `experts` (method.md §2.3). NaN where the source
/// has no such count (closed-form theory), which such a law reads as outside its domain.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchCounts {
    pub heads: f64,
    pub kv_heads: f64,
    pub head_dim: f64,
    /// E: routed experts (1 for dense).
    pub experts: f64,
    /// K: experts per token (1 for dense).
    pub top_k: f64,
}

impl ArchCounts {
    pub fn unknown() -> ArchCounts {
        ArchCounts {
            heads: f64::NAN,
            kv_heads: f64::NAN,
            head_dim: f64::NAN,
            experts: f64::NAN,
            top_k: f64::NAN,
        }
    }

    pub fn from_arch(arch: &Architecture) -> ArchCounts {
        let (kv_heads, head_dim) = match arch.spec().attention {
            super::arch::Attention::Standard {
                kv_heads, head_dim, ..
            } => (kv_heads as f64, head_dim as f64),
            // MLA caches one latent, not heads: no count a loss file's column could mean.
            super::arch::Attention::Mla { .. } => (f64::NAN, f64::NAN),
        };
        let (experts, top_k) = arch
            .spec()
            .moe
            .map_or((1.0, 1.0), |m| (m.experts as f64, m.active as f64));
        ArchCounts {
            heads: arch.heads() as f64,
            kv_heads,
            head_dim,
            experts,
            top_k,
        }
    }
}

impl LawInputs {
    pub fn from_arch(arch: &Architecture, params: f64, tokens: f64) -> LawInputs {
        LawInputs {
            layers: arch.spec().layers as f64,
            hidden: arch.spec().hidden as f64,
            ffn_ratio: arch.ffn_ratio(),
            rho: arch.rho(),
            kv_width: arch.law_kv_width(),
            params,
            tokens,
            counts: ArchCounts::from_arch(arch),
        }
    }

    /// The value of a quantity a formula variable is bound to.
    pub fn quantity(&self, q: Quantity) -> f64 {
        match q {
            Quantity::Law(v) => self.get(v),
            Quantity::Intermediate => self.ffn_ratio * self.hidden,
            Quantity::Heads => self.counts.heads,
            Quantity::KvHeads => self.counts.kv_heads,
            Quantity::HeadDim => self.counts.head_dim,
            Quantity::Experts => self.counts.experts,
            Quantity::TopK => self.counts.top_k,
        }
    }

    pub fn get(&self, v: Variable) -> f64 {
        match v {
            Variable::Layers => self.layers,
            Variable::Hidden => self.hidden,
            Variable::FfnRatio => self.ffn_ratio,
            Variable::Rho => self.rho,
            Variable::KvWidth => self.kv_width,
            Variable::Params => self.params,
            Variable::Tokens => self.tokens,
        }
    }
}

/// One feature of [`LawInputs`], by the symbol formulas use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Variable {
    Layers,
    Hidden,
    FfnRatio,
    Rho,
    KvWidth,
    Params,
    Tokens,
}

impl Variable {
    pub const ALL: [Variable; 7] = [
        Variable::Layers,
        Variable::Hidden,
        Variable::FfnRatio,
        Variable::Rho,
        Variable::KvWidth,
        Variable::Params,
        Variable::Tokens,
    ];

    /// The name in formulas: `l, d, r, rho, d_m, N, D`.
    pub fn symbol(self) -> &'static str {
        match self {
            Variable::Layers => "l",
            Variable::Hidden => "d",
            Variable::FfnRatio => "r",
            Variable::Rho => "rho",
            Variable::KvWidth => "d_m",
            Variable::Params => "N",
            Variable::Tokens => "D",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Variable::Layers => "layers",
            Variable::Hidden => "hidden size",
            Variable::FfnRatio => "FFN ratio (active intermediate size / hidden size)",
            Variable::Rho => "active experts / experts (1 for dense)",
            Variable::KvWidth => "KV width per layer, KV heads × head dim",
            Variable::Params => "parameters",
            Variable::Tokens => "training tokens",
        }
    }

    /// By symbol (exact case: `d` and `D` differ), or `ρ`.
    pub fn from_symbol(name: &str) -> Option<Variable> {
        if name == "ρ" {
            return Some(Variable::Rho);
        }
        Variable::ALL.into_iter().find(|v| v.symbol() == name)
    }
}

/// What a candidate architecture supplies for a formula variable: a law feature, or a raw
/// count that a loss-file column names (a column recognised as `intermediate_size` means the
/// active FFN width r·d, the same reading the loss file's r is derived with).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    Law(Variable),
    Intermediate,
    Heads,
    KvHeads,
    HeadDim,
    Experts,
    TopK,
}

impl Quantity {
    /// Plain words for the page ("layers", "KV heads").
    pub fn meaning(self) -> &'static str {
        match self {
            Quantity::Law(v) => v.meaning(),
            Quantity::Intermediate => "active FFN width, r·d",
            Quantity::Heads => "query heads",
            Quantity::KvHeads => "KV heads",
            Quantity::HeadDim => "head dimension",
            Quantity::Experts => "experts E (1 for dense)",
            Quantity::TopK => "active experts K (1 for dense)",
        }
    }
}

/// A loss-file column a custom formula names, and the candidate quantity it stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnBinding {
    pub column: String,
    pub quantity: Quantity,
}

/// Why law parameters were refused.
#[derive(Clone, Debug, PartialEq)]
pub enum LawError {
    /// A parameter is NaN or infinite.
    NotFinite {
        name: String,
        value: f64,
    },
    /// The wrong number of values for the law.
    WrongCount {
        expected: usize,
        found: usize,
    },
    Formula(FormulaError),
    /// A bound of a custom parameter is NaN or the lower bound is above the upper.
    BadBounds {
        name: String,
    },
}

impl fmt::Display for LawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LawError::NotFinite { name, value } => {
                write!(
                    f,
                    "law parameter {name}: expected a finite number, found {value}"
                )
            }
            LawError::WrongCount { expected, found } => {
                write!(
                    f,
                    "law: expected {expected} parameter values, found {found}"
                )
            }
            LawError::Formula(e) => e.fmt(f),
            LawError::BadBounds { name } => write!(
                f,
                "law parameter {name}: bounds must be numbers with lower ≤ upper"
            ),
        }
    }
}

impl std::error::Error for LawError {}

impl From<FormulaError> for LawError {
    fn from(e: FormulaError) -> Self {
        LawError::Formula(e)
    }
}

fn check_finite(names: &[&str], values: &[f64]) -> Result<(), LawError> {
    if names.len() != values.len() {
        return Err(LawError::WrongCount {
            expected: names.len(),
            found: values.len(),
        });
    }
    for (n, v) in names.iter().zip(values) {
        if !v.is_finite() {
            return Err(LawError::NotFinite {
                name: n.to_string(),
                value: *v,
            });
        }
    }
    Ok(())
}

/// A parameter's admissible range when fitting (`None`: unbounded on that side).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Bounds {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl Bounds {
    pub const FREE: Bounds = Bounds {
        lower: None,
        upper: None,
    };
    pub const NON_NEGATIVE: Bounds = Bounds {
        lower: Some(0.0),
        upper: None,
    };
}

/// The paper's law (method.md §2):
/// `L = κ_l/l^α_l + κ_ρ·ρ^α_ρ/(r^α_r·d^β1) + κ_d/(r^α_r·d^β2) + κ_m/d_m^α_m + L_∞`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PaperLawValues", into = "PaperLawValues")]
pub struct PaperLaw {
    p: [f64; 11],
}

/// [`PaperLaw`]'s values by name, as stored and exchanged.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperLawValues {
    pub kappa_l: f64,
    pub alpha_l: f64,
    pub kappa_rho: f64,
    pub alpha_rho: f64,
    pub beta1: f64,
    pub kappa_d: f64,
    pub beta2: f64,
    pub alpha_r: f64,
    pub kappa_m: f64,
    pub alpha_m: f64,
    pub l_inf: f64,
}

impl TryFrom<PaperLawValues> for PaperLaw {
    type Error = LawError;
    fn try_from(v: PaperLawValues) -> Result<Self, LawError> {
        PaperLaw::new([
            v.kappa_l,
            v.alpha_l,
            v.kappa_rho,
            v.alpha_rho,
            v.beta1,
            v.kappa_d,
            v.beta2,
            v.alpha_r,
            v.kappa_m,
            v.alpha_m,
            v.l_inf,
        ])
    }
}

impl From<PaperLaw> for PaperLawValues {
    fn from(law: PaperLaw) -> Self {
        let [kappa_l, alpha_l, kappa_rho, alpha_rho, beta1, kappa_d, beta2, alpha_r, kappa_m, alpha_m, l_inf] =
            law.p;
        PaperLawValues {
            kappa_l,
            alpha_l,
            kappa_rho,
            alpha_rho,
            beta1,
            kappa_d,
            beta2,
            alpha_r,
            kappa_m,
            alpha_m,
            l_inf,
        }
    }
}

impl PaperLaw {
    /// Parameter names in the order of [`PaperLaw::new`] (the paper's table order).
    pub const NAMES: [&'static str; 11] = [
        "κ_l", "α_l", "κ_ρ", "α_ρ", "β1", "κ_d", "β2", "α_r", "κ_m", "α_m", "L_∞",
    ];
    const MEANINGS: [&'static str; 11] = [
        "scale of the depth term",
        "how fast loss falls with depth",
        "scale of the sparsity term",
        "how fast loss falls as fewer experts are active (smaller ρ)",
        "width exponent of the sparsity term (fitted negative in the paper)",
        "scale of the width term",
        "how fast loss falls with width",
        "how fast loss falls with FFN ratio (shared by both width terms)",
        "scale of the KV-width term",
        "how fast loss falls with KV width",
        "irreducible loss",
    ];

    /// From values in [`PaperLaw::NAMES`] order; all must be finite.
    pub fn new(values: [f64; 11]) -> Result<PaperLaw, LawError> {
        check_finite(&Self::NAMES, &values)?;
        Ok(PaperLaw { p: values })
    }

    /// The paper's fit on 170 models trained for 10B tokens (method.md §2 table).
    pub fn published() -> PaperLaw {
        PaperLaw {
            p: [
                9.96, 1.63, 0.031, 1.09, -0.33, 500.0, 0.97, 0.17, 0.20, 0.05, 2.53,
            ],
        }
    }

    pub fn values(&self) -> [f64; 11] {
        self.p
    }

    /// Loss for an architecture (see the module doc for the domain).
    #[inline]
    pub fn predict(&self, x: &LawInputs) -> f64 {
        self.predict_with(x, |_, base, exponent| base.powf(exponent))
    }

    /// [`PaperLaw::predict`] reusing the powers a search's previous candidate computed:
    /// neighbours in a search share most of their shape, and the six powers are most of the
    /// law's cost (wasm has no hardware `pow`). Same result to the last bit.
    #[inline]
    pub fn predict_cached(&self, x: &LawInputs, cache: &mut PowerCache) -> f64 {
        self.predict_with(x, |slot, base, exponent| cache.pow(slot, base, exponent))
    }

    #[inline(always)]
    fn predict_with(&self, x: &LawInputs, mut pow: impl FnMut(usize, f64, f64) -> f64) -> f64 {
        let (l, d, r, rho, dm) = (x.layers, x.hidden, x.ffn_ratio, x.rho, x.kv_width);
        if !(l > 0.0 && d > 0.0 && r > 0.0 && rho > 0.0 && dm > 0.0) {
            return f64::INFINITY;
        }
        let [kl, al, kr, arho, b1, kd, b2, ar, km, am, linf] = self.p;
        let rr = pow(0, r, -ar);
        let v = kl * pow(1, l, -al)
            + kr * pow(2, rho, arho) * rr * pow(3, d, -b1)
            + kd * rr * pow(4, d, -b2)
            + km * pow(5, dm, -am)
            + linf;
        finite_or_infinity(v)
    }
}

/// The last base, exponent and value of each power a law computed, by slot.
#[derive(Clone, Debug)]
pub struct PowerCache {
    last: [(u64, u64, f64); 8],
}

impl Default for PowerCache {
    fn default() -> Self {
        // NaN bases never match: a NaN's bits are never those of a positive base.
        PowerCache {
            last: [(f64::NAN.to_bits(), 0, f64::NAN); 8],
        }
    }
}

impl PowerCache {
    /// `base^exponent`, from the cache when slot `slot` last computed the same.
    #[inline]
    pub fn pow(&mut self, slot: usize, base: f64, exponent: f64) -> f64 {
        let key = (base.to_bits(), exponent.to_bits());
        let entry = &mut self.last[slot];
        if (entry.0, entry.1) == key {
            return entry.2;
        }
        let value = base.powf(exponent);
        *entry = (key.0, key.1, value);
        value
    }
}

#[inline]
fn finite_or_infinity(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        f64::INFINITY
    }
}

/// Chinchilla's law `L = E + A/N^α + B/D^β` (method.md §2; Hoffmann et al. 2022).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ChinchillaValues", into = "ChinchillaValues")]
pub struct Chinchilla {
    p: [f64; 5],
}

/// [`Chinchilla`]'s values by name.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChinchillaValues {
    pub e: f64,
    pub a: f64,
    pub b: f64,
    pub alpha: f64,
    pub beta: f64,
}

impl TryFrom<ChinchillaValues> for Chinchilla {
    type Error = LawError;
    fn try_from(v: ChinchillaValues) -> Result<Self, LawError> {
        Chinchilla::new([v.e, v.a, v.b, v.alpha, v.beta])
    }
}

impl From<Chinchilla> for ChinchillaValues {
    fn from(law: Chinchilla) -> Self {
        let [e, a, b, alpha, beta] = law.p;
        ChinchillaValues {
            e,
            a,
            b,
            alpha,
            beta,
        }
    }
}

impl Chinchilla {
    pub const NAMES: [&'static str; 5] = ["E", "A", "B", "α", "β"];
    const MEANINGS: [&'static str; 5] = [
        "irreducible loss",
        "scale of the model-size term",
        "scale of the data term",
        "how fast loss falls with parameters",
        "how fast loss falls with training tokens",
    ];

    /// From `[E, A, B, α, β]`; all must be finite.
    pub fn new(values: [f64; 5]) -> Result<Chinchilla, LawError> {
        check_finite(&Self::NAMES, &values)?;
        Ok(Chinchilla { p: values })
    }

    /// Epoch AI's re-fit of Chinchilla (Besiroglu et al. 2024), method.md §2.
    pub fn epoch_refit() -> Chinchilla {
        Chinchilla {
            p: [1.82, 482.0, 2085.4, 0.348, 0.366],
        }
    }

    pub fn values(&self) -> [f64; 5] {
        self.p
    }

    #[inline]
    pub fn predict(&self, x: &LawInputs) -> f64 {
        let (n, d) = (x.params, x.tokens);
        if !(n > 0.0 && d > 0.0) {
            return f64::INFINITY;
        }
        let [e, a, b, alpha, beta] = self.p;
        finite_or_infinity(e + a * n.powf(-alpha) + b * d.powf(-beta))
    }
}

/// A free parameter of a [`CustomLaw`]: its current value (the starting point of a fit) and
/// the range a fit may use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    pub name: String,
    pub value: f64,
    #[serde(default)]
    pub bounds: Bounds,
}

/// A user formula over [`Variable`] symbols and CSV columns, with named free parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CustomLawText", into = "CustomLawText")]
pub struct CustomLaw {
    formula: Formula,
    params: Vec<ParamSpec>,
    /// Extra variable names (CSV columns) that were allowed when parsing.
    columns: Vec<String>,
    /// Columns the formula names, bound to what a candidate supplies for them.
    bindings: Vec<ColumnBinding>,
    /// Where each formula variable comes from in [`LawInputs`] (`None`: a column no candidate
    /// supplies, so the law can be fitted but cannot rank architectures).
    inputs: Vec<Option<Quantity>>,
    /// The parameter values alone, so prediction does not gather them per call.
    values: Vec<f64>,
}

/// [`CustomLaw`] as stored: the text, the parameters, the allowed extra columns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomLawText {
    pub formula: String,
    pub params: Vec<ParamSpec>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub bindings: Vec<ColumnBinding>,
}

impl TryFrom<CustomLawText> for CustomLaw {
    type Error = LawError;
    fn try_from(t: CustomLawText) -> Result<Self, LawError> {
        CustomLaw::new(&t.formula, t.params, &t.columns)?.with_bindings(t.bindings)
    }
}

impl From<CustomLaw> for CustomLawText {
    fn from(law: CustomLaw) -> Self {
        CustomLawText {
            formula: law.formula.source().to_string(),
            params: law.params,
            columns: law.columns,
            bindings: law.bindings,
        }
    }
}

impl CustomLaw {
    /// Parses `formula` with the given parameters; names that are not parameters must be
    /// [`Variable`] symbols or one of `columns` (headers of a loss table).
    pub fn new(
        formula: &str,
        params: Vec<ParamSpec>,
        columns: &[String],
    ) -> Result<CustomLaw, LawError> {
        let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
        // Re-check names as a declared list would be, so stored laws obey the same rules.
        let listed = formula::parse_param_list(&names.join(", "))?;
        if listed.len() != names.len() {
            return Err(LawError::Formula(FormulaError {
                position: None,
                message: "parameter list: names must be single words".to_string(),
            }));
        }
        for p in &params {
            if !p.value.is_finite() {
                return Err(LawError::NotFinite {
                    name: p.name.clone(),
                    value: p.value,
                });
            }
            let b = p.bounds;
            let bad = b.lower.is_some_and(f64::is_nan)
                || b.upper.is_some_and(f64::is_nan)
                || matches!((b.lower, b.upper), (Some(lo), Some(hi)) if lo > hi);
            if bad {
                return Err(LawError::BadBounds {
                    name: p.name.clone(),
                });
            }
        }
        let mut vars: Vec<&str> = Variable::ALL.iter().map(|v| v.symbol()).collect();
        vars.push("ρ");
        vars.extend(columns.iter().map(String::as_str));
        let formula = Formula::parse(formula, &names, &vars)?;
        let values = params.iter().map(|p| p.value).collect();
        let mut law = CustomLaw {
            formula,
            params,
            columns: columns.to_vec(),
            bindings: Vec::new(),
            inputs: Vec::new(),
            values,
        };
        law.resolve_inputs();
        Ok(law)
    }

    /// The same law with loss-file columns bound to candidate quantities, so a formula written
    /// over the file's headers (`layers`, `hidden_size`) ranks architectures. A binding for a
    /// name the formula does not read, or for a law symbol, is refused.
    pub fn with_bindings(mut self, bindings: Vec<ColumnBinding>) -> Result<CustomLaw, LawError> {
        for (i, b) in bindings.iter().enumerate() {
            let known = self.columns.contains(&b.column)
                && Variable::from_symbol(&b.column).is_none()
                && !bindings[..i].iter().any(|o| o.column == b.column);
            if !known {
                return Err(LawError::Formula(FormulaError {
                    position: None,
                    message: format!(
                        "column binding \"{}\": not a column of the formula's data, or bound twice",
                        b.column
                    ),
                }));
            }
        }
        self.bindings = bindings;
        self.resolve_inputs();
        Ok(self)
    }

    pub fn bindings(&self) -> &[ColumnBinding] {
        &self.bindings
    }

    /// Formula variables that no candidate supplies (unbound columns), in formula order.
    pub fn unbound_columns(&self) -> Vec<String> {
        self.formula
            .variables()
            .iter()
            .zip(&self.inputs)
            .filter(|(_, q)| q.is_none())
            .map(|(v, _)| v.clone())
            .collect()
    }

    fn resolve_inputs(&mut self) {
        self.inputs = self
            .formula
            .variables()
            .iter()
            .map(|v| {
                Variable::from_symbol(v).map(Quantity::Law).or_else(|| {
                    self.bindings
                        .iter()
                        .find(|b| &b.column == v)
                        .map(|b| b.quantity)
                })
            })
            .collect();
    }

    /// Convenience for typed input: `"E, A, B, alpha, beta"`, every value 1 and unbounded.
    pub fn parse(
        formula: &str,
        param_list: &str,
        columns: &[String],
    ) -> Result<CustomLaw, LawError> {
        let params = formula::parse_param_list(param_list)?
            .into_iter()
            .map(|name| ParamSpec {
                name,
                value: 1.0,
                bounds: Bounds::FREE,
            })
            .collect();
        CustomLaw::new(formula, params, columns)
    }

    pub fn formula(&self) -> &Formula {
        &self.formula
    }

    pub fn param_specs(&self) -> &[ParamSpec] {
        &self.params
    }

    /// Whether every variable comes from [`LawInputs`], so the law can rank architectures.
    pub fn predicts_architectures(&self) -> bool {
        self.inputs.iter().all(Option::is_some)
    }

    /// Loss for an architecture; `INFINITY` if the formula reads a CSV-only column, an input
    /// is not positive and finite, or the value is not finite.
    pub fn predict(&self, x: &LawInputs) -> f64 {
        let mut vars = [0.0f64; 16];
        let vars: &mut [f64] = if self.inputs.len() <= 16 {
            &mut vars[..self.inputs.len()]
        } else {
            return f64::INFINITY;
        };
        for (slot, input) in vars.iter_mut().zip(&self.inputs) {
            match input {
                Some(q) => {
                    let value = x.quantity(*q);
                    if !(value > 0.0 && value.is_finite()) {
                        return f64::INFINITY;
                    }
                    *slot = value;
                }
                None => return f64::INFINITY,
            }
        }
        finite_or_infinity(self.formula.eval(&self.values, vars))
    }
}

/// A scaling law of any supported form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Law {
    Paper(PaperLaw),
    Chinchilla(Chinchilla),
    Custom(CustomLaw),
}

impl Law {
    /// Predicted loss; `f64::INFINITY` outside the domain (module doc), never NaN.
    #[inline]
    pub fn predict(&self, x: &LawInputs) -> f64 {
        match self {
            Law::Paper(l) => l.predict(x),
            Law::Chinchilla(l) => l.predict(x),
            Law::Custom(l) => l.predict(x),
        }
    }

    /// [`Law::predict`] for a search, reusing powers between neighbouring candidates where
    /// the form allows (the paper law); the same values.
    #[inline]
    pub fn predict_cached(&self, x: &LawInputs, cache: &mut PowerCache) -> f64 {
        match self {
            Law::Paper(l) => l.predict_cached(x, cache),
            _ => self.predict(x),
        }
    }

    /// Short name of the form.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Law::Paper(_) => "architecture law (arXiv 2602.10377)",
            Law::Chinchilla(_) => "Chinchilla",
            Law::Custom(_) => "custom formula",
        }
    }

    pub fn param_names(&self) -> Vec<String> {
        match self {
            Law::Paper(_) => PaperLaw::NAMES.iter().map(|s| s.to_string()).collect(),
            Law::Chinchilla(_) => Chinchilla::NAMES.iter().map(|s| s.to_string()).collect(),
            Law::Custom(c) => c.params.iter().map(|p| p.name.clone()).collect(),
        }
    }

    /// One line per parameter, for the UI.
    pub fn param_meanings(&self) -> Vec<String> {
        match self {
            Law::Paper(_) => PaperLaw::MEANINGS.iter().map(|s| s.to_string()).collect(),
            Law::Chinchilla(_) => Chinchilla::MEANINGS.iter().map(|s| s.to_string()).collect(),
            Law::Custom(c) => c
                .params
                .iter()
                .map(|p| format!("free parameter {} of the formula", p.name))
                .collect(),
        }
    }

    pub fn params(&self) -> Vec<f64> {
        match self {
            Law::Paper(l) => l.p.to_vec(),
            Law::Chinchilla(l) => l.p.to_vec(),
            Law::Custom(c) => c.params.iter().map(|p| p.value).collect(),
        }
    }

    /// The same form with other parameter values (checked finite).
    pub fn with_params(&self, values: &[f64]) -> Result<Law, LawError> {
        match self {
            Law::Paper(_) => {
                let arr: [f64; 11] = values.try_into().map_err(|_| LawError::WrongCount {
                    expected: 11,
                    found: values.len(),
                })?;
                Ok(Law::Paper(PaperLaw::new(arr)?))
            }
            Law::Chinchilla(_) => {
                let arr: [f64; 5] = values.try_into().map_err(|_| LawError::WrongCount {
                    expected: 5,
                    found: values.len(),
                })?;
                Ok(Law::Chinchilla(Chinchilla::new(arr)?))
            }
            Law::Custom(c) => {
                let names: Vec<&str> = c.params.iter().map(|p| p.name.as_str()).collect();
                check_finite(&names, values)?;
                let mut out = c.clone();
                for (p, v) in out.params.iter_mut().zip(values) {
                    p.value = *v;
                }
                out.values = values.to_vec();
                Ok(Law::Custom(out))
            }
        }
    }

    /// Admissible ranges when fitting: scales and L_∞ non-negative, exponents positive except
    /// the paper's β1 (fitted negative there), custom parameters as the user set them.
    pub fn bounds(&self) -> Vec<Bounds> {
        let positive = Bounds::NON_NEGATIVE;
        match self {
            Law::Paper(_) => {
                let mut b = vec![positive; 11];
                b[4] = Bounds::FREE;
                b
            }
            Law::Chinchilla(_) => vec![positive; 5],
            Law::Custom(c) => c.params.iter().map(|p| p.bounds).collect(),
        }
    }

    /// Names of the features the law reads (formula symbols or CSV columns).
    pub fn variables(&self) -> Vec<String> {
        match self {
            Law::Paper(_) => ["l", "d", "r", "rho", "d_m"].map(String::from).to_vec(),
            Law::Chinchilla(_) => ["N", "D"].map(String::from).to_vec(),
            Law::Custom(c) => c.formula.variables().to_vec(),
        }
    }

    /// Readable formula in plain Unicode.
    pub fn formula(&self) -> String {
        match self {
            Law::Paper(_) => {
                "L = κ_l/l^α_l + κ_ρ·ρ^α_ρ/(r^α_r·d^β1) + κ_d/(r^α_r·d^β2) + κ_m/d_m^α_m + L_∞"
                    .to_string()
            }
            Law::Chinchilla(_) => "L = E + A/N^α + B/D^β".to_string(),
            Law::Custom(c) => format!("L = {}", c.formula.pretty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(l: f64, d: f64, r: f64, rho: f64, dm: f64) -> LawInputs {
        LawInputs {
            layers: l,
            hidden: d,
            ffn_ratio: r,
            rho,
            kv_width: dm,
            params: 1e9,
            tokens: 1e10,
            counts: ArchCounts::unknown(),
        }
    }

    fn round3(v: f64) -> f64 {
        (v * 1000.0).round() / 1000.0
    }

    #[test]
    fn cached_powers_give_the_same_loss_to_the_last_bit_across_laws_and_inputs() {
        let published = Law::Paper(PaperLaw::published());
        let mut other = PaperLaw::published().values();
        other[1] = 1.2; // another depth exponent: the cache must not reuse l^-1.63
        other[7] = 0.3;
        let other = Law::Paper(PaperLaw::new(other).unwrap());
        let mut cache = PowerCache::default();
        let mut checked = 0;
        for l in [4.0, 4.0, 8.0, 32.0] {
            for d in [512.0, 1536.0] {
                for r in [0.5, 1.0, 4.0] {
                    for (rho, dm) in [(1.0, 128.0), (0.125, 64.0), (0.0, 64.0)] {
                        for law in [&published, &other, &published] {
                            let x = inputs(l, d, r, rho, dm);
                            let a = law.predict(&x);
                            let b = law.predict_cached(&x, &mut cache);
                            assert_eq!(a.to_bits(), b.to_bits(), "{x:?}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 216);
    }

    #[test]
    fn published_law_sanity_values() {
        let law = PaperLaw::published();
        assert_eq!(
            round3(law.predict(&inputs(16.0, 1536.0, 1.0, 1.0, 192.0))),
            3.547
        );
        let qwen = inputs(24.0, 896.0, 4864.0 / 896.0, 1.0, 128.0);
        assert_eq!(round3(law.predict(&qwen)), 3.475);
    }

    #[test]
    fn outside_the_domain_is_infinite_never_nan() {
        let law = Law::Paper(PaperLaw::published());
        for bad in [0.0, -1.0, f64::NAN] {
            assert_eq!(
                law.predict(&inputs(bad, 1536.0, 1.0, 1.0, 192.0)),
                f64::INFINITY
            );
            assert_eq!(
                law.predict(&inputs(16.0, 1536.0, 1.0, bad, 192.0)),
                f64::INFINITY
            );
        }
        let c = Law::Chinchilla(Chinchilla::epoch_refit());
        let mut x = inputs(1.0, 1.0, 1.0, 1.0, 1.0);
        x.tokens = 0.0;
        assert_eq!(c.predict(&x), f64::INFINITY);
        let custom = Law::Custom(CustomLaw::parse("log(N - 2e9)", "", &[]).unwrap());
        assert_eq!(
            custom.predict(&inputs(1.0, 1.0, 1.0, 1.0, 1.0)),
            f64::INFINITY
        );
    }

    #[test]
    fn constructors_accept_finite_and_reject_the_rest() {
        assert!(PaperLaw::new(PaperLaw::published().values()).is_ok());
        let mut v = Chinchilla::epoch_refit().values();
        v[3] = f64::NAN;
        assert_eq!(
            Chinchilla::new(v).unwrap_err().to_string(),
            "law parameter α: expected a finite number, found NaN"
        );
        let law = Law::Chinchilla(Chinchilla::epoch_refit());
        assert_eq!(
            law.with_params(&[1.0]).unwrap_err().to_string(),
            "law: expected 5 parameter values, found 1"
        );
        let bad = ParamSpec {
            name: "A".into(),
            value: 1.0,
            bounds: Bounds {
                lower: Some(2.0),
                upper: Some(1.0),
            },
        };
        assert_eq!(
            CustomLaw::new("A", vec![bad], &[]).unwrap_err().to_string(),
            "law parameter A: bounds must be numbers with lower ≤ upper"
        );
    }

    #[test]
    fn custom_chinchilla_agrees_with_the_builtin() {
        let custom =
            CustomLaw::parse("E + A/N^alpha + B/D^beta", "E, A, B, alpha, beta", &[]).unwrap();
        let custom = Law::Custom(custom)
            .with_params(&Chinchilla::epoch_refit().values())
            .unwrap();
        let builtin = Law::Chinchilla(Chinchilla::epoch_refit());
        let x = inputs(1.0, 1.0, 1.0, 1.0, 1.0);
        assert!((custom.predict(&x) - builtin.predict(&x)).abs() < 1e-12);
        assert_eq!(custom.formula(), "L = E + A/N^alpha + B/D^beta");
    }

    #[test]
    fn column_variables_cannot_rank_architectures() {
        let cols = vec!["lr".to_string()];
        let law = CustomLaw::parse("A*lr + d", "A", &cols).unwrap();
        assert!(!law.predicts_architectures());
        assert_eq!(law.predict(&inputs(1.0, 1.0, 1.0, 1.0, 1.0)), f64::INFINITY);
    }

    #[test]
    fn serde_round_trip_revalidates() {
        for law in [
            Law::Paper(PaperLaw::published()),
            Law::Chinchilla(Chinchilla::epoch_refit()),
            Law::Custom(CustomLaw::parse("E + A/N^alpha", "E A alpha", &[]).unwrap()),
        ] {
            let json = serde_json::to_string(&law).unwrap();
            let back: Law = serde_json::from_str(&json).unwrap();
            assert_eq!(back, law);
        }
        let bad = r#"{"kind":"custom","formula":"E + x","params":[{"name":"E","value":1.0}]}"#;
        assert!(serde_json::from_str::<Law>(bad).is_err());
    }
}
