//! Bytes per weight of a GGUF layer tensor averaged over the layers, kept per (scheme, model
//! context).
//!
//! llama.cpp's mixed schemes (Q4_K_M, Q3_K_M, …) give some layers more bits, so a tensor kind's
//! bytes are an average over layers: a walk of every layer. A search asks it for millions of
//! candidates that share a few contexts (layer count, GQA, experts, tied head), and the rules
//! read a row only through its class (`row_class`) and the context through its canonical
//! form (`MixContext::canonical`), so one small table per context serves
//! every candidate: one lookup instead of a walk per tensor kind.

use super::gguf_mix::{row_class, GgufScheme, MixContext, TensorRole};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// The layer tensor kinds whose type may depend on the layer or the row.
const ROLES: [TensorRole; 8] = [
    TensorRole::AttnQ,
    TensorRole::AttnK,
    TensorRole::AttnV,
    TensorRole::AttnOut,
    TensorRole::FfnGate,
    TensorRole::FfnUp,
    TensorRole::FfnDown,
    TensorRole::OtherMatrix,
];

/// Row classes, in the order of the table's columns.
const CLASSES: [u64; 3] = [1, 32, 256];

/// Bytes per weight averaged over layers, by role (as in `ROLES`) and row class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerAverages {
    bytes: [[f64; 3]; ROLES.len()],
}

impl LayerAverages {
    fn compute(scheme: GgufScheme, cx: &MixContext) -> LayerAverages {
        let n = cx.layers.max(1);
        let mut bytes = [[0.0; 3]; ROLES.len()];
        for (r, role) in ROLES.iter().enumerate() {
            for (c, &row) in CLASSES.iter().enumerate() {
                let bits: f64 = (0..n)
                    .map(|i| scheme.tensor_type(*role, i, cx, row).bits_per_weight())
                    .sum();
                bytes[r][c] = bits / n as f64 / 8.0;
            }
        }
        LayerAverages { bytes }
    }

    /// Bytes per weight of a tensor of `role` (a layer matrix) whose rows hold `row_len`
    /// weights, averaged over the layers.
    pub fn bytes(&self, role: TensorRole, row_len: u64) -> f64 {
        let r = ROLES
            .iter()
            .position(|&x| x == role)
            .expect("a layer matrix role");
        let c = match row_class(row_len) {
            1 => 0,
            32 => 1,
            _ => 2,
        };
        self.bytes[r][c]
    }
}

/// Tables kept before the cache starts again (about 1 MB). A search meets one per scheme,
/// layer count and canonical context: about 600 per scheme on the million-candidate grid.
const KEPT: usize = 4096;

/// A scheme and a canonical context.
type Key = (GgufScheme, MixContext);

thread_local! {
    /// FxHash: SipHash's cost per lookup was a large part of a GGUF search.
    static KEPT_AVERAGES: RefCell<FxHashMap<Key, LayerAverages>> =
        RefCell::new(FxHashMap::default());
    /// The last tables asked for, one slot per scheme a search compares (up to 8):
    /// consecutive candidates mostly share a context.
    static RECENT: RefCell<[Option<(Key, LayerAverages)>; 8]> =
        const { RefCell::new([None; 8]) };
}

/// The averages of `scheme` in a model with context `cx` (a pure function of the two, kept).
pub fn layer_averages(scheme: GgufScheme, cx: &MixContext) -> LayerAverages {
    let key = (scheme, cx.canonical());
    let slot = scheme as usize % 8;
    if let Some((k, t)) = RECENT.with(|r| r.borrow()[slot]) {
        if k == key {
            return t;
        }
    }
    let t = kept(key);
    RECENT.with(|r| r.borrow_mut()[slot] = Some((key, t)));
    t
}

fn kept(key: Key) -> LayerAverages {
    let (scheme, cx) = (key.0, &key.1);
    if let Some(t) = KEPT_AVERAGES.with(|m| m.borrow().get(&key).copied()) {
        return t;
    }
    let t = LayerAverages::compute(scheme, cx);
    KEPT_AVERAGES.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= KEPT {
            m.clear();
        }
        m.insert(key, t);
    });
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept table, read for any row, equals a walk over every layer with that row.
    #[test]
    fn kept_averages_equal_a_walk_over_the_layers() {
        for scheme in GgufScheme::ALL {
            for (layers, gqa, experts, tied) in [
                (32, 1, 0, false),
                (28, 4, 0, true),
                (61, 1, 8, false),
                (7, 8, 64, false),
            ] {
                let cx = MixContext {
                    layers,
                    gqa,
                    experts,
                    tied_embeddings: tied,
                };
                // Twice: computed, then kept.
                for _ in 0..2 {
                    let t = layer_averages(scheme, &cx);
                    for role in ROLES {
                        for row in [896, 1000, 1536, 4096, 11008, 14336, 18944, 100] {
                            let walk = (0..layers)
                                .map(|i| scheme.tensor_type(role, i, &cx, row).bits_per_weight())
                                .sum::<f64>()
                                / layers as f64
                                / 8.0;
                            assert!(
                                (t.bytes(role, row) - walk).abs() < 1e-12,
                                "{scheme} {role:?} row {row} in {cx:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
