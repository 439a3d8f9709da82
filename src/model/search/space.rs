//! The candidate space: lists of values per dimension, validated once, indexed without
//! enumeration (method.md §4).
//!
//! A candidate index is a mixed-radix number with digits, most significant first:
//! layers, attention choice, (experts, active) pair, FFN ratio. An attention choice is a
//! valid (hidden, head dim, KV heads) triple with one of the attention kinds (full, or a
//! sliding window): head dims that do not divide the hidden size,
//! KV-head counts that do not divide the query heads, and the "n_h" token when it repeats a
//! listed count are dropped once, at validation. So [`SearchSpace::count`] is exact and
//! [`SearchSpace::candidate`] decodes any index in O(1).

use super::eval::Candidate;
use crate::model::arch::{
    ArchError, ArchSpec, Architecture, Attention, FfnKind, Moe, SlidingWindow, MAX_DIM,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Spaces with more candidates than this are sampled rather than enumerated (method.md §4:
/// "exhaustive enumeration is fine when it is fast"; a million evaluations take about a
/// second natively).
pub const ENUMERATION_LIMIT: u64 = 2_000_000;

/// Spaces with more candidates than this are refused: sampling them would leave most of the
/// space unseen, and the record of evaluated indices would grow past a few megabytes.
pub const HARD_LIMIT: u64 = 10_000_000;

/// Largest FFN ratio accepted (real models stay below 8).
pub const MAX_FFN_RATIO: f64 = 64.0;

/// Longest list accepted for one dimension (digits are stored in 16 bits).
pub const MAX_LIST: usize = 4096;

/// KV heads of a candidate: a count, or as many as the query heads (MHA, "n_h").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "KvHeadsRepr", into = "KvHeadsRepr")]
pub enum KvHeads {
    Count(u32),
    /// n_kv = n_h: multi-head attention, whatever the width.
    Mha,
}

impl KvHeads {
    /// The count for a model with `heads` query heads.
    pub fn resolve(self, heads: u32) -> u32 {
        match self {
            KvHeads::Count(n) => n,
            KvHeads::Mha => heads,
        }
    }
}

impl fmt::Display for KvHeads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvHeads::Count(n) => write!(f, "{n}"),
            KvHeads::Mha => f.write_str("n_h"),
        }
    }
}

/// How [`KvHeads`] is written in files: a number or the string "n_h".
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum KvHeadsRepr {
    Count(u32),
    Token(String),
}

impl TryFrom<KvHeadsRepr> for KvHeads {
    type Error = String;
    fn try_from(r: KvHeadsRepr) -> Result<Self, String> {
        match r {
            KvHeadsRepr::Count(n) => Ok(KvHeads::Count(n)),
            KvHeadsRepr::Token(t) if t.trim() == "n_h" => Ok(KvHeads::Mha),
            KvHeadsRepr::Token(t) => Err(format!(
                "KV heads: expected a number or \"n_h\", found \"{t}\""
            )),
        }
    }
}

impl From<KvHeads> for KvHeadsRepr {
    fn from(k: KvHeads) -> Self {
        match k {
            KvHeads::Count(n) => KvHeadsRepr::Count(n),
            KvHeads::Mha => KvHeadsRepr::Token("n_h".to_string()),
        }
    }
}

/// Routed experts E and experts per token K; (1, 1) is a dense FFN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExpertChoice {
    pub experts: u32,
    pub active: u32,
}

impl ExpertChoice {
    pub const DENSE: ExpertChoice = ExpertChoice {
        experts: 1,
        active: 1,
    };

    pub fn is_moe(self) -> bool {
        self.experts > 1
    }
}

/// How a candidate's layers attend: all to the full context, most to a window of recent
/// tokens with every `global_every`-th layer global (Gemma 2/3, Mistral), or multi-head latent
/// attention (DeepSeek-V2, PLM: the cache holds a latent of `kv_lora_rank` plus one shared
/// RoPE key of `rope_dim` per token; query and value heads keep the head dim). A window bounds
/// the KV cache those layers read and keep, so it changes decode latency and memory; the
/// scaling laws here do not see it. For MLA the law's d_m is `kv_lora_rank + rope_dim`, and
/// the space's KV-head list does not apply (one MLA candidate per width and head dim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AttentionKind {
    Full,
    Sliding { window: u32, global_every: u32 },
    Mla { kv_lora_rank: u32, rope_dim: u32 },
}

/// RoPE key width of `mla:R` when none is given (DeepSeek-V2's 64).
pub const MLA_ROPE_DIM: u32 = 64;

impl AttentionKind {
    pub fn is_mla(self) -> bool {
        matches!(self, AttentionKind::Mla { .. })
    }

    pub fn sliding_window(self) -> Option<SlidingWindow> {
        match self {
            AttentionKind::Full | AttentionKind::Mla { .. } => None,
            AttentionKind::Sliding {
                window,
                global_every,
            } => Some(SlidingWindow {
                window,
                global_every,
            }),
        }
    }

    /// Parses "full", "swa:W/k" (window W tokens, every k-th layer global; "swa:W" is
    /// k = 1 000 000, i.e. every layer local) or "mla:R/r" (latent rank R, RoPE key width r;
    /// "mla:R" is r = [`MLA_ROPE_DIM`]).
    pub fn parse(text: &str) -> Result<AttentionKind, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("full") {
            return Ok(AttentionKind::Full);
        }
        let number = |v: &str, what: &str| -> Result<u32, String> {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0 && *n <= MAX_DIM)
                .ok_or_else(|| format!("{what} in \"{t}\" must be a whole number in 1..={MAX_DIM}"))
        };
        let lower = t.to_ascii_lowercase();
        if let Some(body) = lower.strip_prefix("swa:") {
            let (w, k) = body.split_once('/').unwrap_or((body, "1000000"));
            return Ok(AttentionKind::Sliding {
                window: number(w, "the window")?,
                global_every: number(k, "the global-layer period")?,
            });
        }
        if let Some(body) = lower.strip_prefix("mla:") {
            let rope = MLA_ROPE_DIM.to_string();
            let (rank, r) = body.split_once('/').unwrap_or((body, &rope));
            return Ok(AttentionKind::Mla {
                kv_lora_rank: number(rank, "the latent rank")?,
                rope_dim: number(r, "the RoPE key width")?,
            });
        }
        Err(format!(
            "expected \"full\", \"swa:W/k\" or \"mla:R\", found \"{t}\""
        ))
    }
}

impl fmt::Display for AttentionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttentionKind::Full => f.write_str("full"),
            AttentionKind::Sliding {
                window,
                global_every: 1_000_000,
            } => write!(f, "swa:{window}"),
            AttentionKind::Sliding {
                window,
                global_every,
            } => write!(f, "swa:{window}/{global_every}"),
            AttentionKind::Mla {
                kv_lora_rank,
                rope_dim: MLA_ROPE_DIM,
            } => write!(f, "mla:{kv_lora_rank}"),
            AttentionKind::Mla {
                kv_lora_rank,
                rope_dim,
            } => write!(f, "mla:{kv_lora_rank}/{rope_dim}"),
        }
    }
}

fn full_attention() -> Vec<AttentionKind> {
    vec![AttentionKind::Full]
}

/// A search space as a user or a URL gives it, before validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchSpaceSpec {
    /// l
    pub layers: Vec<u32>,
    /// d
    pub hidden: Vec<u32>,
    /// r: the active FFN width over d (for MoE, K experts of width r·d/K each).
    pub ffn_ratios: Vec<f64>,
    /// (E, K) pairs.
    pub experts: Vec<ExpertChoice>,
    /// n_kv, a count or "n_h".
    pub kv_heads: Vec<KvHeads>,
    /// d_h; n_h = d/d_h.
    pub head_dims: Vec<u32>,
    /// Full attention and/or sliding windows (default: full only, the paper's grid).
    #[serde(default = "full_attention")]
    pub attention: Vec<AttentionKind>,
    pub ffn_kind: FfnKind,
    /// Vocabulary of every candidate. Default 151,936 (Qwen2.5's tokenizer, the paper's
    /// baseline family); it matters because the full operator set reads the LM head.
    pub vocab: u32,
    /// Input embedding and LM head share one matrix (default true, as in Qwen2.5-0.5B).
    pub tied_embeddings: bool,
}

/// A dimension on which a candidate is at the grid's largest value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GridEdge {
    Layers(u32),
    Hidden(u32),
    FfnRatio(f64),
    Experts(u32),
}

impl GridEdge {
    /// "l = 32 (the most layers in the grid)".
    pub fn describe(self) -> String {
        match self {
            GridEdge::Layers(l) => format!("l = {l} (the most layers in the grid)"),
            GridEdge::Hidden(d) => format!("d = {d} (the widest in the grid)"),
            GridEdge::FfnRatio(r) => format!("r = {r} (the largest FFN ratio in the grid)"),
            GridEdge::Experts(e) => format!("E = {e} (the most experts in the grid)"),
        }
    }

    /// The list to widen: "layers", "hidden sizes".
    pub fn list(self) -> &'static str {
        match self {
            GridEdge::Layers(_) => "layers",
            GridEdge::Hidden(_) => "hidden sizes",
            GridEdge::FfnRatio(_) => "FFN ratios",
            GridEdge::Experts(_) => "experts",
        }
    }
}

/// One sentence for a design on the grid's edge, or `None` inside it.
pub fn edge_warning(edges: &[GridEdge]) -> Option<String> {
    if edges.is_empty() {
        return None;
    }
    let at: Vec<String> = edges.iter().map(|e| e.describe()).collect();
    let lists: Vec<&str> = edges.iter().map(|e| e.list()).collect();
    Some(format!(
        "On the edge of the search grid: {}. A better design may lie beyond it: widen the {} list{} and search again.",
        at.join(", "),
        lists.join(" and "),
        if lists.len() > 1 { "s" } else { "" }
    ))
}

impl Default for SearchSpaceSpec {
    /// The paper's grid (method.md §4, its Table 5, with the DECISIONs for r and d_h).
    fn default() -> Self {
        SearchSpaceSpec {
            layers: (4..=32).step_by(4).collect(),
            hidden: vec![768, 1024, 1280, 1536, 1792, 2048, 2304, 2560, 3072],
            ffn_ratios: vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0],
            experts: [(1, 1), (8, 1), (8, 2), (16, 1), (16, 2)]
                .map(|(experts, active)| ExpertChoice { experts, active })
                .to_vec(),
            kv_heads: vec![
                KvHeads::Count(1),
                KvHeads::Count(2),
                KvHeads::Count(4),
                KvHeads::Count(8),
                KvHeads::Mha,
            ],
            head_dims: vec![128],
            attention: full_attention(),
            ffn_kind: FfnKind::SwiGlu,
            vocab: 151_936,
            tied_embeddings: true,
        }
    }
}

/// Why a [`SearchSpaceSpec`] was refused; the message names the list and says what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchSpaceError {
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for SearchSpaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for SearchSpaceError {}

fn err(field: &'static str, problem: impl Into<String>) -> SearchSpaceError {
    SearchSpaceError {
        field,
        problem: problem.into(),
    }
}

/// A valid (hidden, head dim, KV heads) combination: indices into the spec's lists and the
/// resolved head counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AttnChoice {
    pub hidden: u16,
    pub head_dim: u16,
    pub kv: u16,
    /// Index into the spec's attention kinds.
    pub kind: u16,
    pub heads: u32,
    pub kv_heads: u32,
}

/// Indices of a candidate into each list of the spec (`attn` into the valid triples).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Digits {
    pub layer: usize,
    pub attn: usize,
    pub expert: usize,
    pub ratio: usize,
}

/// One point of a grid with every value resolved; [`SearchSpace::architecture`] builds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridPoint {
    pub layers: u32,
    pub hidden: u32,
    pub head_dim: u32,
    pub kv_heads: u32,
    pub attention: AttentionKind,
    pub experts: ExpertChoice,
    pub ffn_ratio: f64,
}

/// A validated search space. Construct with [`SearchSpace::new`]; the default is the paper's
/// grid of 9,520 candidates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SearchSpaceSpec", into = "SearchSpaceSpec")]
pub struct SearchSpace {
    spec: SearchSpaceSpec,
    attn: Vec<AttnChoice>,
    /// `attn[groups[g]..groups[g + 1]]` are the triples of (hidden h, head dim j),
    /// g = h·|head_dims| + j.
    groups: Vec<u32>,
    count: u64,
}

impl Default for SearchSpace {
    fn default() -> Self {
        SearchSpace::new(SearchSpaceSpec::default()).expect("the paper grid is valid")
    }
}

impl TryFrom<SearchSpaceSpec> for SearchSpace {
    type Error = SearchSpaceError;
    fn try_from(spec: SearchSpaceSpec) -> Result<Self, SearchSpaceError> {
        SearchSpace::new(spec)
    }
}

impl From<SearchSpace> for SearchSpaceSpec {
    fn from(s: SearchSpace) -> Self {
        s.spec
    }
}

fn check_list<T: PartialEq + fmt::Display>(
    field: &'static str,
    values: &[T],
) -> Result<(), SearchSpaceError> {
    if values.is_empty() {
        return Err(err(field, "give at least one value"));
    }
    if values.len() > MAX_LIST {
        return Err(err(
            field,
            format!("{} values, more than the limit {MAX_LIST}", values.len()),
        ));
    }
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(err(field, format!("{v} is listed twice")));
        }
    }
    Ok(())
}

fn check_dims(field: &'static str, values: &[u32]) -> Result<(), SearchSpaceError> {
    check_list(field, values)?;
    for &v in values {
        if v == 0 || v > MAX_DIM {
            return Err(err(field, format!("{v} is not in 1..={MAX_DIM}")));
        }
    }
    Ok(())
}

impl fmt::Display for ExpertChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.experts, self.active)
    }
}

impl SearchSpace {
    /// Checks every list (not empty, no value twice, values in range, K ≤ E), drops the
    /// invalid attention combinations, and refuses spaces that are empty or have more than
    /// [`HARD_LIMIT`] candidates. Also checks that the largest candidate is a valid
    /// [`Architecture`], so every index decodes to one.
    pub fn new(spec: SearchSpaceSpec) -> Result<SearchSpace, SearchSpaceError> {
        check_dims("layers", &spec.layers)?;
        check_dims("hidden", &spec.hidden)?;
        check_dims("head_dims", &spec.head_dims)?;
        check_list("ffn_ratios", &spec.ffn_ratios)?;
        for &r in &spec.ffn_ratios {
            if !(r.is_finite() && r > 0.0 && r <= MAX_FFN_RATIO) {
                return Err(err(
                    "ffn_ratios",
                    format!("{r} is not a number in (0, {MAX_FFN_RATIO}]"),
                ));
            }
        }
        check_list("experts", &spec.experts)?;
        for &e in &spec.experts {
            if e.active == 0 || e.active > e.experts || e.experts > 4096 {
                return Err(err(
                    "experts",
                    format!("{e}: need 1 ≤ active ≤ experts ≤ 4096"),
                ));
            }
        }
        check_list("attention", &spec.attention)?;
        check_list("kv_heads", &spec.kv_heads)?;
        for &k in &spec.kv_heads {
            if k == KvHeads::Count(0) {
                return Err(err("kv_heads", "0 is not a number of KV heads"));
            }
        }
        if spec.vocab == 0 || spec.vocab > MAX_DIM {
            return Err(err(
                "vocab",
                format!("{} is not in 1..={MAX_DIM}", spec.vocab),
            ));
        }

        let mut attn = Vec::new();
        let mut groups = vec![0u32];
        for (h, &d) in spec.hidden.iter().enumerate() {
            for (j, &dh) in spec.head_dims.iter().enumerate() {
                if d.is_multiple_of(dh) {
                    let heads = d / dh;
                    let start = attn.len();
                    for (k, &kv) in spec.kv_heads.iter().enumerate() {
                        let kv_heads = kv.resolve(heads);
                        let repeated = attn[start..].iter().any(|a: &AttnChoice| {
                            a.kv_heads == kv_heads && !spec.attention[a.kind as usize].is_mla()
                        });
                        if heads.is_multiple_of(kv_heads) && !repeated {
                            // MLA ignores the KV-head list: it comes once, with the first
                            // valid entry, and n_kv = n_h.
                            let first = start == attn.len();
                            for (kind, a) in spec.attention.iter().enumerate() {
                                if a.is_mla() && !first {
                                    continue;
                                }
                                let kv_heads = if a.is_mla() { heads } else { kv_heads };
                                attn.push(AttnChoice {
                                    hidden: h as u16,
                                    head_dim: j as u16,
                                    kv: k as u16,
                                    kind: kind as u16,
                                    heads,
                                    kv_heads,
                                });
                            }
                        }
                    }
                }
                groups.push(attn.len() as u32);
            }
        }
        if attn.is_empty() {
            return Err(err(
                "head_dims",
                "no hidden size is a multiple of a head dim with a KV-head count dividing its \
                 heads; add head dims that divide the hidden sizes, or add \"n_h\" to the KV heads",
            ));
        }
        let count = [
            spec.layers.len(),
            attn.len(),
            spec.experts.len(),
            spec.ffn_ratios.len(),
        ]
        .iter()
        .fold(1u64, |acc, &n| acc.saturating_mul(n as u64));
        if count > HARD_LIMIT {
            return Err(err(
                "space",
                format!(
                    "{count} candidates, more than the limit {HARD_LIMIT}; remove values from \
                     the longest lists"
                ),
            ));
        }
        let space = SearchSpace {
            spec,
            attn,
            groups,
            count,
        };
        space.check_extremes()?;
        Ok(space)
    }

    /// Every candidate is a valid architecture when the widest FFN (largest r and d, each
    /// (E, K)) is within the size limits at the largest depth, and the narrowest expert
    /// (smallest r and d, largest K) is at least one unit wide: parameter counts and widths
    /// grow with l, d and r.
    fn check_extremes(&self) -> Result<(), SearchSpaceError> {
        let s = &self.spec;
        let max = |v: &[u32]| v.iter().copied().max().unwrap_or(1);
        let min_d = s.hidden.iter().copied().min().unwrap_or(1) as f64;
        let min_r = s.ffn_ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let max_r = s.ffn_ratios.iter().copied().fold(0.0, f64::max);
        for &e in &s.experts {
            if (min_r * min_d / e.active as f64).round() < 1.0 {
                return Err(err(
                    "ffn_ratios",
                    format!(
                        "r = {min_r} with d = {min_d} and {} active experts gives experts \
                         narrower than one unit",
                        e.active
                    ),
                ));
            }
            let point = GridPoint {
                layers: max(&s.layers),
                hidden: max(&s.hidden),
                head_dim: max(&s.hidden),
                kv_heads: 1,
                attention: s
                    .attention
                    .iter()
                    .copied()
                    .find(|k| !k.is_mla())
                    .unwrap_or(AttentionKind::Full),
                experts: e,
                ffn_ratio: max_r,
            };
            self.architecture(&point)
                .map_err(|e| err("space", format!("the largest candidate is invalid: {e}")))?;
        }
        // MLA widths grow with the number of heads: for each width, its smallest head dim,
        // with the (E, K) pair of most parameters per active width.
        let widest_moe = s
            .experts
            .iter()
            .copied()
            .max_by(|a, b| (a.experts * b.active).cmp(&(b.experts * a.active)))
            .unwrap_or(ExpertChoice::DENSE);
        for &kind in s.attention.iter().filter(|k| k.is_mla()) {
            for (h, &d) in s.hidden.iter().enumerate() {
                let smallest = (0..s.head_dims.len())
                    .filter(|&j| {
                        self.groups[h * s.head_dims.len() + j + 1]
                            > self.groups[h * s.head_dims.len() + j]
                    })
                    .map(|j| s.head_dims[j])
                    .min();
                let Some(head_dim) = smallest else { continue };
                let point = GridPoint {
                    layers: max(&s.layers),
                    hidden: d,
                    head_dim,
                    kv_heads: d / head_dim,
                    attention: kind,
                    experts: widest_moe,
                    ffn_ratio: max_r,
                };
                self.architecture(&point).map_err(|e| {
                    err(
                        "attention",
                        format!("{kind} with d = {d} and d_h = {head_dim} is invalid: {e}"),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// The dimensions where a candidate sits at the grid's largest value (layers, width, FFN
    /// ratio, experts): a best design there may only be best because the grid stops, so the
    /// page says "widen" (an honest-answers check). Empty when it is inside on every one.
    pub fn upper_edges(&self, c: &Candidate) -> Vec<GridEdge> {
        let s = &self.spec;
        let mut out = Vec::new();
        if s.layers.len() > 1 && s.layers.iter().max() == Some(&c.layers) {
            out.push(GridEdge::Layers(c.layers));
        }
        if s.hidden.len() > 1 && s.hidden.iter().max() == Some(&c.hidden) {
            out.push(GridEdge::Hidden(c.hidden));
        }
        let r_max = s.ffn_ratios.iter().cloned().fold(f64::NAN, f64::max);
        if s.ffn_ratios.len() > 1 && (c.ffn_ratio as f64 - r_max).abs() <= 1e-6 * r_max {
            out.push(GridEdge::FfnRatio(r_max));
        }
        let e_max = s.experts.iter().map(|e| e.experts).max().unwrap_or(1);
        let distinct = s.experts.iter().any(|e| e.experts != e_max);
        if distinct && e_max > 1 && c.experts as u32 == e_max {
            out.push(GridEdge::Experts(e_max));
        }
        out
    }

    pub fn spec(&self) -> &SearchSpaceSpec {
        &self.spec
    }

    /// Candidates in the space, exactly (the number [`SearchSpace::candidate`] accepts).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether a search samples this space rather than enumerating it.
    pub fn is_sampled(&self) -> bool {
        self.count > ENUMERATION_LIMIT
    }

    /// The architecture of candidate `index`, or `None` when `index ≥ count()`.
    pub fn candidate(&self, index: u64) -> Option<Architecture> {
        let point = self.point(index)?;
        Some(
            self.architecture(&point)
                .expect("validation makes every candidate a valid architecture"),
        )
    }

    /// The resolved values of candidate `index`, or `None` when out of range.
    pub fn point(&self, index: u64) -> Option<GridPoint> {
        (index < self.count).then(|| self.point_of(self.digits(index)))
    }

    /// Builds an architecture from resolved values with this space's FFN kind and vocabulary:
    /// n_h = d/d_h, SwiGLU (or the space's FFN kind), MoE experts of width r·d/K rounded, so
    /// r is the active total (method.md §4).
    pub fn architecture(&self, p: &GridPoint) -> Result<Architecture, ArchError> {
        Architecture::new(self.arch_spec(p))
    }

    pub(crate) fn arch_spec(&self, p: &GridPoint) -> ArchSpec {
        let e = p.experts;
        let width = (p.ffn_ratio * p.hidden as f64 / e.active as f64).round() as u32;
        ArchSpec {
            layers: p.layers,
            hidden: p.hidden,
            vocab: self.spec.vocab,
            tied_embeddings: self.spec.tied_embeddings,
            attention: match p.attention {
                AttentionKind::Mla {
                    kv_lora_rank,
                    rope_dim,
                } => Attention::Mla {
                    heads: p.hidden / p.head_dim.max(1),
                    q_lora_rank: None,
                    kv_lora_rank,
                    qk_rope_dim: rope_dim,
                    qk_nope_dim: p.head_dim,
                    v_head_dim: p.head_dim,
                },
                _ => Attention::Standard {
                    heads: p.hidden / p.head_dim.max(1),
                    kv_heads: p.kv_heads,
                    head_dim: p.head_dim,
                    qkv_bias: false,
                    qk_norm: false,
                },
            },
            sliding_window: p.attention.sliding_window(),
            ffn_kind: self.spec.ffn_kind,
            intermediate: width,
            moe: e.is_moe().then_some(Moe {
                experts: e.experts,
                active: e.active,
                expert_intermediate: width,
                shared_experts: 0,
                shared_intermediate: 0,
            }),
            norms_per_layer: 2,
            final_norm: true,
        }
    }

    // ---- indexing -------------------------------------------------------------------------

    /// Sizes of the four digits, most significant first.
    pub(crate) fn radices(&self) -> [usize; 4] {
        [
            self.spec.layers.len(),
            self.attn.len(),
            self.spec.experts.len(),
            self.spec.ffn_ratios.len(),
        ]
    }

    pub(crate) fn digits(&self, index: u64) -> Digits {
        let [_, na, ne, nr] = self.radices().map(|n| n as u64);
        let ratio = index % nr;
        let rest = index / nr;
        let expert = rest % ne;
        let rest = rest / ne;
        let attn = rest % na;
        let layer = rest / na;
        Digits {
            layer: layer as usize,
            attn: attn as usize,
            expert: expert as usize,
            ratio: ratio as usize,
        }
    }

    pub(crate) fn index(&self, d: Digits) -> u64 {
        let [_, na, ne, nr] = self.radices().map(|n| n as u64);
        ((d.layer as u64 * na + d.attn as u64) * ne + d.expert as u64) * nr + d.ratio as u64
    }

    pub(crate) fn point_of(&self, d: Digits) -> GridPoint {
        let a = self.attn[d.attn];
        GridPoint {
            layers: self.spec.layers[d.layer],
            hidden: self.spec.hidden[a.hidden as usize],
            head_dim: self.spec.head_dims[a.head_dim as usize],
            kv_heads: a.kv_heads,
            attention: self.spec.attention[a.kind as usize],
            experts: self.spec.experts[d.expert],
            ffn_ratio: self.spec.ffn_ratios[d.ratio],
        }
    }

    /// Index into the spec's attention kinds of a candidate.
    pub(crate) fn attention_index(&self, d: Digits) -> u16 {
        self.attn[d.attn].kind
    }

    /// The attention choice of (hidden `h`, head dim `j`) whose KV entry is nearest to list
    /// position `kv` (the same entry when it is valid there), of the same attention kind, or
    /// `None` if (h, j) has none.
    pub(crate) fn nearest_attn(&self, h: usize, j: usize, kv: usize, kind: u16) -> Option<usize> {
        let g = h * self.spec.head_dims.len() + j;
        let (lo, hi) = (self.groups[g] as usize, self.groups[g + 1] as usize);
        (lo..hi).min_by_key(|&i| {
            let a = self.attn[i];
            (a.kind != kind, (a.kv as i64 - kv as i64).unsigned_abs())
        })
    }

    /// Neighbours of candidate `index` (< count): one step up or down in each dimension
    /// (layers, hidden, head dim, KV heads or attention kind, (E, K), r), keeping the other
    /// values; the KV entry
    /// moves to the nearest valid one when the width changes. Local refinement (method.md §4)
    /// evaluates these around the frontier.
    /// Empty when `index` is out of range.
    pub fn neighbours(&self, index: u64) -> Vec<u64> {
        let mut out = Vec::with_capacity(12);
        if index < self.count {
            self.push_neighbours(index, &mut out);
        }
        out
    }

    pub(crate) fn push_neighbours(&self, index: u64, out: &mut Vec<u64>) {
        let d = self.digits(index);
        let a = self.attn[d.attn];
        let [nl, _, ne, nr] = self.radices();
        let step = |i: usize, n: usize| {
            [i.checked_sub(1), (i + 1 < n).then_some(i + 1)]
                .into_iter()
                .flatten()
        };
        for layer in step(d.layer, nl) {
            out.push(self.index(Digits { layer, ..d }));
        }
        for expert in step(d.expert, ne) {
            out.push(self.index(Digits { expert, ..d }));
        }
        for ratio in step(d.ratio, nr) {
            out.push(self.index(Digits { ratio, ..d }));
        }
        let (h, j, kv) = (a.hidden as usize, a.head_dim as usize, a.kv as usize);
        for attn in step(d.attn, self.attn.len()) {
            let b = self.attn[attn];
            if (b.hidden, b.head_dim) == (a.hidden, a.head_dim) {
                out.push(self.index(Digits { attn, ..d }));
            }
        }
        let moved = step(h, self.spec.hidden.len())
            .filter_map(|h2| self.nearest_attn(h2, j, kv, a.kind))
            .chain(
                step(j, self.spec.head_dims.len())
                    .filter_map(|j2| self.nearest_attn(h, j2, kv, a.kind)),
            );
        for attn in moved {
            out.push(self.index(Digits { attn, ..d }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_grid_drops_non_dividing_and_repeated_kv_heads() {
        let s = SearchSpace::default();
        // n_h = 6: {1, 2, 6}; n_h = 8: {1, 2, 4, 8} ("n_h" repeats 8); n_h = 16: all five.
        let kv_of = |d: u32| -> Vec<u32> {
            s.attn
                .iter()
                .filter(|a| s.spec.hidden[a.hidden as usize] == d)
                .map(|a| a.kv_heads)
                .collect()
        };
        assert_eq!(kv_of(768), [1, 2, 6]);
        assert_eq!(kv_of(1024), [1, 2, 4, 8]);
        assert_eq!(kv_of(2048), [1, 2, 4, 8, 16]);
        assert_eq!(s.attn.len(), 34);
    }

    #[test]
    fn neighbours_step_one_dimension_at_a_time() {
        let s = SearchSpace::default();
        // l = 8, d = 1024 with MHA (8 KV heads), (8, 1), r = 1.
        let attn = s
            .attn
            .iter()
            .position(|a| a.heads == 8 && a.kv_heads == 8)
            .unwrap();
        let i = s.index(Digits {
            layer: 1,
            attn,
            expert: 1,
            ratio: 1,
        });
        let out = s.neighbours(i);
        let here = s.point(i).unwrap();
        let mut seen: Vec<String> = out
            .iter()
            .map(|&n| {
                let p = s.point(n).unwrap();
                format!(
                    "l{} d{} kv{} e{} r{}",
                    p.layers, p.hidden, p.kv_heads, p.experts, p.ffn_ratio
                )
            })
            .collect();
        seen.sort();
        // Width moves keep MHA: d = 768 → 6 KV heads, d = 1280 → 10.
        assert_eq!(
            seen,
            [
                "l12 d1024 kv8 e(8, 1) r1",
                "l4 d1024 kv8 e(8, 1) r1",
                "l8 d1024 kv4 e(8, 1) r1",
                "l8 d1024 kv8 e(1, 1) r1",
                "l8 d1024 kv8 e(8, 1) r0.5",
                "l8 d1024 kv8 e(8, 1) r1.5",
                "l8 d1024 kv8 e(8, 2) r1",
                "l8 d1280 kv10 e(8, 1) r1",
                "l8 d768 kv6 e(8, 1) r1",
            ]
        );
        assert_eq!(here.kv_heads, 8);
    }
}
