//! The search space as its editor shows it: one text list per dimension, read into a validated
//! [`SearchSpace`] with a message naming the list and the item, and written back from a spec.
//! Lists of numbers follow `lists.rs`; KV heads add the word `n_h`, attention its kinds.

use super::space::{
    AttentionKind, ExpertChoice, KvHeads, SearchSpace, SearchSpaceError, SearchSpaceSpec,
};
use crate::model::arch::FfnKind;
use crate::model::lists::{
    format_counts, items, parse_counts, parse_pairs, parse_positive, ListError,
};
use std::fmt;

/// The space editor's fields as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchSpaceText {
    pub layers: String,
    pub hidden: String,
    pub ffn_ratios: String,
    /// `experts:active` pairs.
    pub experts: String,
    pub kv_heads: String,
    pub head_dims: String,
    pub attention: String,
}

/// Why the typed space was refused: a list that does not read, or a space that reads but is
/// not valid (both messages name the list).
#[derive(Clone, Debug, PartialEq)]
pub enum SpaceTextError {
    List(ListError),
    Space(SearchSpaceError),
}

impl fmt::Display for SpaceTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpaceTextError::List(e) => e.fmt(f),
            SpaceTextError::Space(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SpaceTextError {}

impl From<ListError> for SpaceTextError {
    fn from(e: ListError) -> Self {
        SpaceTextError::List(e)
    }
}

impl SearchSpaceText {
    /// The text that reads back as `spec`'s lists (ranges where the values are evenly spaced).
    pub fn from_spec(s: &SearchSpaceSpec) -> Self {
        let join = |v: Vec<String>| v.join(", ");
        SearchSpaceText {
            layers: format_counts(&s.layers),
            hidden: format_counts(&s.hidden),
            ffn_ratios: join(s.ffn_ratios.iter().map(|r| r.to_string()).collect()),
            experts: join(
                s.experts
                    .iter()
                    .map(|e| format!("{}:{}", e.experts, e.active))
                    .collect(),
            ),
            kv_heads: join(s.kv_heads.iter().map(|k| k.to_string()).collect()),
            head_dims: format_counts(&s.head_dims),
            attention: join(s.attention.iter().map(|a| a.to_string()).collect()),
        }
    }

    /// The typed space with every candidate's FFN kind `ffn_kind`, validated.
    pub fn parse(&self, ffn_kind: FfnKind) -> Result<SearchSpace, SpaceTextError> {
        let spec = SearchSpaceSpec {
            layers: parse_counts("layers", &self.layers)?,
            hidden: parse_counts("hidden sizes", &self.hidden)?,
            ffn_ratios: parse_positive("FFN ratios", &self.ffn_ratios)?,
            experts: parse_pairs("experts:active", &self.experts)?
                .into_iter()
                .map(|(experts, active)| ExpertChoice { experts, active })
                .collect(),
            kv_heads: parse_kv_heads(&self.kv_heads)?,
            head_dims: parse_counts("head dims", &self.head_dims)?,
            attention: parse_attention_kinds(&self.attention)?,
            ffn_kind,
            ..SearchSpaceSpec::default()
        };
        SearchSpace::new(spec).map_err(SpaceTextError::Space)
    }
}

/// KV heads: whole numbers, ranges as in [`parse_counts`], and `n_h` (or `mha`) for as many
/// as the query heads. Kept in the order typed; validation of the space refuses repeats.
pub fn parse_kv_heads(text: &str) -> Result<Vec<KvHeads>, ListError> {
    let mut out = Vec::new();
    for (i, item) in items(text) {
        if item.eq_ignore_ascii_case("n_h") || item.eq_ignore_ascii_case("mha") {
            out.push(KvHeads::Mha);
        } else {
            let n = parse_counts("KV heads", item).map_err(|_| ListError {
                list: "KV heads".into(),
                item: i,
                problem: format!("expected a whole number or n_h, found \"{item}\""),
            })?;
            out.extend(n.into_iter().map(KvHeads::Count));
        }
    }
    Ok(out)
}

/// Attention kinds as [`AttentionKind::parse`] reads them, one per item.
pub fn parse_attention_kinds(text: &str) -> Result<Vec<AttentionKind>, ListError> {
    items(text)
        .map(|(i, item)| {
            AttentionKind::parse(item).map_err(|problem| ListError {
                list: "attention".into(),
                item: i,
                problem,
            })
        })
        .collect()
}
