//! The operator table of method.md §3: FLOPs and bytes of every operator of a layer (and of
//! the embedding, final norm and LM head), for prefill or one decode step.
//!
//! Every quantity is written as c0 + c1·S_kv so that one description serves the prefill
//! (S_kv = S_in), a decode step at context c (S_kv = c) and the closed-form decode sum. Weight
//! counts come from `params.rs`, so the weight traffic agrees with the parameter totals.

use super::super::arch::{Architecture, Attention, FfnKind};
use super::super::device::Device;
use super::super::params::{attention_weights, param_counts, ParamCounts};
use super::super::precision::Precision;
use super::super::weight_bytes::{stored_from, weight_bytes, WeightBytes};
use super::super::workload::{OperatorSet, Workload};

/// What units an operator runs on, hence which peak applies (method.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpClass {
    /// Weight matmuls: [`Precision::matmul_format`].
    Matmul,
    /// Q·Kᵀ and scores·V: [`Precision::attention_format`].
    Attention,
    /// Element-wise and non-linear ops: [`Precision::vector_format`].
    Vector,
}

impl OpClass {
    #[inline(always)]
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// A quantity linear in the attended context: c0 + c1·S_kv.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Lin {
    pub c0: f64,
    pub c1: f64,
}

impl Lin {
    #[inline(always)]
    fn k(c0: f64) -> Lin {
        Lin { c0, c1: 0.0 }
    }
    #[inline(always)]
    fn new(c0: f64, c1: f64) -> Lin {
        Lin { c0, c1 }
    }
    #[inline(always)]
    pub fn at(self, s_kv: f64) -> f64 {
        self.c0 + self.c1 * s_kv
    }
}

/// One operator of a phase, for any context.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinOp {
    pub name: &'static str,
    pub class: OpClass,
    /// Instances per step: the layers it appears in, or 1 outside the layers.
    pub count: u32,
    pub per_layer: bool,
    /// Largest context the operator attends to (sliding window), else infinity.
    pub window: f64,
    pub flops: Lin,
    pub weight_bytes: f64,
    pub act_bytes: Lin,
    pub kv_bytes: Lin,
}

impl LinOp {
    #[inline(always)]
    fn layer(name: &'static str, class: OpClass, count: u32) -> LinOp {
        LinOp {
            name,
            class,
            count,
            per_layer: true,
            window: f64::INFINITY,
            flops: Lin::default(),
            weight_bytes: 0.0,
            act_bytes: Lin::default(),
            kv_bytes: Lin::default(),
        }
    }
    #[inline(always)]
    fn flops(mut self, f: Lin) -> Self {
        self.flops = f;
        self
    }
    #[inline(always)]
    fn weights(mut self, w: f64) -> Self {
        self.weight_bytes = w;
        self
    }
    #[inline(always)]
    fn act(mut self, a: Lin) -> Self {
        self.act_bytes = a;
        self
    }
    #[inline(always)]
    fn kv(mut self, k: Lin) -> Self {
        self.kv_bytes = k;
        self
    }
    #[inline(always)]
    fn global(mut self) -> Self {
        self.per_layer = false;
        self
    }
}

/// Attention dimensions and per-projection weights (matrix, plus biases and norms).
#[derive(Clone, Copy, Debug)]
enum AttnShape {
    Standard {
        h: f64,
        g: f64,
        dh: f64,
        q: (f64, f64),
        k: (f64, f64),
        v: (f64, f64),
        o: f64,
    },
    Mla {
        h: f64,
        c: f64,
        rope: f64,
        nope: f64,
        dv: f64,
        q_rank: f64,
        q: (f64, f64),
        kv_a: (f64, f64),
        kv_b: f64,
        o: f64,
    },
}

/// Everything the formulas need, derived once per evaluation from validated inputs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx {
    pub full: bool,
    pub d: f64,
    pub vocab: f64,
    pub layers: u32,
    /// Layers attending to the whole context, and local (sliding-window) layers.
    pub n_global: u32,
    pub n_local: u32,
    pub window: f64,
    attn: AttnShape,
    pub heads: f64,
    /// KV-cache elements per token and layer.
    pub kv_elems: f64,
    ffn: FfnKind,
    /// Weights of one matrix of one routed expert (or of the dense FFN): d·I_e.
    expert_matrix: f64,
    pub expert_width: f64,
    pub experts: f64,
    pub active: f64,
    shared_params: f64,
    pub shared_width: f64,
    router_params: f64,
    norms: f64,
    norm_params: f64,
    final_norm_params: f64,
    pub params: ParamCounts,
    /// Bytes per weight of each tensor kind (method.md §3, "Weight formats").
    pub wb: WeightBytes,
    pub ba: f64,
    pub bkv: f64,
    pub bv: f64,
    /// 1/π per [`OpClass`] and 1/β.
    pub inv_peak: [f64; 3],
    pub inv_bw: f64,
    pub batch: f64,
    pub prompt: f64,
    pub generated: f64,
    pub sparsity: f64,
    /// Fused attention: no score matrix in memory.
    pub fused: bool,
}

impl Ctx {
    pub fn new(arch: &Architecture, device: &Device, p: Precision, w: &Workload) -> Ctx {
        let s = arch.spec();
        let params = param_counts(arch);
        let aw = attention_weights(arch);
        let d = s.hidden as f64;
        let attn = match s.attention {
            Attention::Standard {
                heads,
                kv_heads,
                head_dim,
                qkv_bias,
                qk_norm,
            } => {
                let qw = heads as u64 * head_dim as u64;
                let kw = kv_heads as u64 * head_dim as u64;
                let norm = if qk_norm { head_dim as u64 } else { 0 };
                let q_small = if qkv_bias { qw } else { 0 } + norm;
                let k_small = if qkv_bias { kw } else { 0 } + norm;
                // Whatever `params` counts beyond Q and K (the V bias) belongs to V.
                let v_small = aw.small - q_small - k_small;
                AttnShape::Standard {
                    h: heads as f64,
                    g: kv_heads as f64,
                    dh: head_dim as f64,
                    q: (aw.q as f64, q_small as f64),
                    k: (aw.k as f64, k_small as f64),
                    v: (aw.v as f64, v_small as f64),
                    o: aw.o as f64,
                }
            }
            Attention::Mla {
                heads,
                q_lora_rank,
                kv_lora_rank,
                qk_rope_dim,
                qk_nope_dim,
                v_head_dim,
            } => {
                let q_small = q_lora_rank.unwrap_or(0) as u64;
                AttnShape::Mla {
                    h: heads as f64,
                    c: kv_lora_rank as f64,
                    rope: qk_rope_dim as f64,
                    nope: qk_nope_dim as f64,
                    dv: v_head_dim as f64,
                    q_rank: q_small as f64,
                    q: (aw.q as f64, q_small as f64),
                    kv_a: (aw.kv_a as f64, (aw.small - q_small) as f64),
                    kv_b: aw.kv_b as f64,
                    o: aw.o as f64,
                }
            }
        };
        let (n_global, n_local, window) = match s.sliding_window {
            Some(sw) => {
                let g = s.layers / sw.global_every;
                (g, s.layers - g, sw.window as f64)
            }
            None => (s.layers, 0, f64::INFINITY),
        };
        let wb = weight_bytes(arch, &p);
        let mats = s.ffn_kind.matrices() as u64;
        let (expert_width, shared_params, shared_width) = match s.moe {
            Some(m) => (
                m.expert_intermediate as f64,
                params.shared_ffn_per_layer as f64,
                m.shared_experts as f64 * m.shared_intermediate as f64,
            ),
            None => (s.intermediate as f64, 0.0, 0.0),
        };
        let full = w.operators() == OperatorSet::Full;
        let inv_peak = [p.matmul_format(), p.attention_format(), p.vector_format()]
            .map(|f| 1.0 / device.peak_flops(f));
        Ctx {
            full,
            d,
            vocab: s.vocab as f64,
            layers: s.layers,
            n_global,
            n_local,
            window,
            attn,
            heads: arch.heads() as f64,
            kv_elems: arch.kv_elems_per_token_layer() as f64,
            ffn: s.ffn_kind,
            expert_matrix: (params.expert_per_layer / mats) as f64,
            expert_width,
            experts: params.experts as f64,
            active: params.active_experts as f64,
            shared_params,
            shared_width,
            router_params: params.router_per_layer as f64,
            norms: s.norms_per_layer as f64,
            norm_params: params.norms_per_layer as f64,
            final_norm_params: params.final_norm as f64,
            params,
            wb,
            ba: p.activations.bytes(),
            bkv: p.kv.bytes(),
            bv: p.vector_format().bytes(),
            inv_peak,
            // The fraction of this model's weight format (a calibrated device may measure it
            // apart from the others).
            inv_bw: 1.0 / device.bandwidth_for(&p.weights),
            batch: w.batch() as f64,
            prompt: w.prompt_tokens() as f64,
            generated: w.generated_tokens() as f64,
            sparsity: w.activation_sparsity(),
            fused: w.fused_attention(),
        }
    }

    /// Expected distinct experts hit by `tokens` tokens each picking K of E uniformly:
    /// E·(1 − (1 − K/E)^T), exactly K at T = 1 (method.md §3, DECISION).
    #[inline(always)]
    pub fn experts_touched(&self, tokens: f64) -> f64 {
        if tokens <= 1.0 || self.active == self.experts {
            return self.active;
        }
        let miss = (tokens * (-self.active / self.experts).ln_1p()).exp();
        self.experts * (1.0 - miss)
    }

    #[inline(always)]
    pub fn gated(&self) -> bool {
        self.ffn.matrices() == 3
    }

    /// Weight bytes the operator set stores: every parameter for the full set; for the
    /// paper's set only the layers' attention and FFN weights (method.md §3, ξ_all).
    pub fn stored_weight_bytes(&self, arch: &Architecture) -> f64 {
        let p = &self.params;
        if let Some(bw) = self.wb.uniform {
            let params = if self.full {
                p.total()
            } else {
                p.layers
                    * (p.attention_per_layer
                        + p.experts * p.expert_per_layer
                        + p.shared_ffn_per_layer)
            };
            return params as f64 * bw;
        }
        let stored = stored_from(arch, &self.wb, p);
        if self.full {
            stored.total()
        } else {
            let routers = p.layers as f64 * p.router_per_layer as f64 * self.wb.router;
            stored.attention + stored.ffn - routers
        }
    }

    /// Bytes of `m` matrix weights at `b` bytes each plus `small` norm and bias weights;
    /// with a uniform format the original `(m + small)·b_w`.
    #[inline(always)]
    fn mat(&self, m: f64, b: f64, small: f64) -> f64 {
        match self.wb.uniform {
            Some(u) => (m + small) * u,
            None => m * b + small * self.wb.vector,
        }
    }
}

/// Tokens and query length of a phase step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    pub decode: bool,
    /// Tokens through the projections: B·S_in in prefill, B in decode.
    pub tokens: f64,
    /// Query positions per sequence: S_in in prefill, 1 in decode.
    pub s_q: f64,
}

impl Step {
    #[inline(always)]
    pub fn prefill(cx: &Ctx) -> Step {
        Step {
            decode: false,
            tokens: cx.batch * cx.prompt,
            s_q: cx.prompt,
        }
    }
    #[inline(always)]
    pub fn decode(cx: &Ctx) -> Step {
        Step {
            decode: true,
            tokens: cx.batch,
            s_q: 1.0,
        }
    }
}

/// Flops per element of the FFN activation function (approximate: SiLU·gate 5, tanh-GELU·gate
/// 9, ReLU² 2, tanh-GELU 8).
#[inline(always)]
fn activation_flops(ffn: FfnKind) -> f64 {
    match ffn {
        FfnKind::SwiGlu => 5.0,
        FfnKind::GeGlu => 9.0,
        FfnKind::ReluSquared => 2.0,
        FfnKind::Gelu => 8.0,
    }
}

/// Receives the operators of a step. Implementations mark `op` `#[inline(always)]`: inlined at
/// every call site, the constant parts of each formula fold away, even under the crate's
/// size-optimised release profile.
pub(crate) trait OpSink {
    fn op(&mut self, op: LinOp);
}

/// Score ops appear once per attention kind: global layers, then local (windowed) ones.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn scores(
    cx: &Ctx,
    sink: &mut impl OpSink,
    name: &'static str,
    class: OpClass,
    flops: Lin,
    act: Lin,
    kv: Lin,
) {
    if cx.n_global > 0 {
        sink.op(LinOp::layer(name, class, cx.n_global)
            .flops(flops)
            .act(act)
            .kv(kv));
    }
    if cx.n_local > 0 {
        let mut op = LinOp::layer(name, class, cx.n_local)
            .flops(flops)
            .act(act)
            .kv(kv);
        op.window = cx.window;
        sink.op(op);
    }
}

/// Gives `sink` every operator of one step of a phase: the layer's operators (with the
/// number of layers they run in) then the embedding, final norm and LM head.
#[inline(always)]
pub(crate) fn for_each_op(cx: &Ctx, st: Step, sink: &mut impl OpSink) {
    use OpClass::{Attention as A, Matmul as M, Vector as V};
    let (t, b, s_q, d) = (st.tokens, cx.batch, st.s_q, cx.d);
    let (ba, bkv, bv) = (cx.ba, cx.bkv, cx.bv);
    let wb = &cx.wb;
    let l = cx.layers;
    let k = Lin::k;

    if cx.full && cx.norms > 0.0 {
        sink.op(LinOp::layer("norms", V, l)
            .flops(k(4.0 * cx.norms * t * d))
            .weights(cx.norm_params * wb.vector)
            .act(k(2.0 * cx.norms * t * d * bv)));
    }

    // Projections into attention.
    let (rope_elems, o_weights, o_in) = match cx.attn {
        AttnShape::Standard {
            h,
            g,
            dh,
            q,
            k: kp,
            v,
            o,
        } => {
            let (qw, kw) = (h * dh, g * dh);
            sink.op(LinOp::layer("Q proj", M, l)
                .flops(k(2.0 * t * q.0))
                .weights(cx.mat(q.0, wb.q, q.1))
                .act(k(t * (d + qw) * ba)));
            sink.op(LinOp::layer("K proj", M, l)
                .flops(k(2.0 * t * kp.0))
                .weights(cx.mat(kp.0, wb.k, kp.1))
                .act(k(t * d * ba))
                .kv(k(t * kw * bkv)));
            sink.op(LinOp::layer("V proj", M, l)
                .flops(k(2.0 * t * v.0))
                .weights(cx.mat(v.0, wb.v, v.1))
                .act(k(t * d * ba))
                .kv(k(t * kw * bkv)));
            (t * (h + g) * dh, o, qw)
        }
        AttnShape::Mla {
            h,
            c,
            rope,
            nope,
            dv,
            q_rank,
            q,
            kv_a,
            kv_b,
            o,
        } => {
            sink.op(LinOp::layer("Q proj", M, l)
                .flops(k(2.0 * t * q.0))
                .weights(match wb.uniform {
                    Some(u) => (q.0 + q.1) * u,
                    None => mla_q(q.0, q_rank, h * (nope + rope), wb) + q.1 * wb.vector,
                })
                .act(k(t * (d + h * (nope + rope) + 2.0 * q_rank) * ba)));
            sink.op(LinOp::layer("KV-A proj", M, l)
                .flops(k(2.0 * t * kv_a.0))
                .weights(cx.mat(kv_a.0, wb.kv_a, kv_a.1))
                .act(k(t * d * ba))
                .kv(k(t * (c + rope) * bkv)));
            let kv_b_op = LinOp::layer("KV-B proj", M, l)
                .flops(k(2.0 * t * kv_b))
                .weights(cx.mat(kv_b, wb.kv_b, 0.0));
            if st.decode {
                // Absorbed form (method.md §3): W_UK folds into the query and W_UV into the
                // attention output, with the same multiply-adds as projecting one token.
                sink.op(LinOp {
                    name: "KV-B absorbed",
                    ..kv_b_op.act(k(t * h * (nope + 2.0 * c + dv) * ba))
                });
            } else {
                // Prefill materialises per-head keys and values from the latent cache.
                sink.op(kv_b_op.act(k(t * h * (nope + dv) * ba)).kv(k(t * c * bkv)));
            }
            (t * (h + 1.0) * rope, o, h * dv)
        }
    };
    if cx.full {
        sink.op(LinOp::layer("RoPE", V, l)
            .flops(k(3.0 * rope_elems))
            .act(k(2.0 * rope_elems * bv)));
    }

    // Per head: query width and value width; per attended token: bytes read from the cache
    // and from materialised activations, for keys and for values.
    let (h, q_width, v_width, k_read, v_read, names) = match cx.attn {
        AttnShape::Standard { h, g, dh, .. } => (
            h,
            h * dh,
            h * dh,
            (g * dh * bkv, 0.0),
            (g * dh * bkv, 0.0),
            ("Q·Kᵀ", "scores·V"),
        ),
        // Decode, latent space: per head, query width d_c + d_r and value width d_c; each
        // step reads the latent cache once. DECISION: that read is charged to Q·Kᵀ and
        // scores·V reuses it.
        AttnShape::Mla { h, c, rope, .. } if st.decode => (
            h,
            h * (c + rope),
            h * c,
            ((c + rope) * bkv, 0.0),
            (0.0, 0.0),
            ("Q·Kᵀ (latent)", "scores·V (latent)"),
        ),
        // Prefill: plain attention over the keys and values KV-B materialised (activations)
        // plus the shared RoPE key read from the cache.
        AttnShape::Mla {
            h, rope, nope, dv, ..
        } => (
            h,
            h * (nope + rope),
            h * dv,
            (rope * bkv, h * nope * ba),
            (0.0, h * dv * ba),
            ("Q·Kᵀ", "scores·V"),
        ),
    };
    // Scores written by Q·Kᵀ, read and written by softmax, read by scores·V, per attended
    // token; a fused kernel keeps them on chip (method.md §3, "Fused attention").
    let score_bytes = if cx.fused { 0.0 } else { b * h * s_q * bv };
    scores(
        cx,
        sink,
        names.0,
        A,
        Lin::new(0.0, 2.0 * b * s_q * q_width),
        Lin::new(b * s_q * q_width * ba, b * k_read.1 + score_bytes),
        Lin::new(0.0, b * k_read.0),
    );
    scores(
        cx,
        sink,
        "softmax",
        V,
        Lin::new(0.0, 5.0 * b * h * s_q),
        Lin::new(0.0, 2.0 * score_bytes),
        Lin::default(),
    );
    scores(
        cx,
        sink,
        names.1,
        A,
        Lin::new(0.0, 2.0 * b * s_q * v_width),
        Lin::new(b * s_q * v_width * ba, b * v_read.1 + score_bytes),
        Lin::new(0.0, b * v_read.0),
    );
    sink.op(LinOp::layer("O proj", M, l)
        .flops(k(2.0 * t * o_weights))
        .weights(cx.mat(o_weights, wb.o, 0.0))
        .act(k(t * (o_in + d) * ba)));
    if cx.full {
        sink.op(LinOp::layer("residual adds", V, l)
            .flops(k(2.0 * t * d))
            .act(k(6.0 * t * d * bv)));
        if cx.router_params > 0.0 {
            sink.op(LinOp::layer("router", M, l)
                .flops(k(2.0 * t * cx.router_params))
                .weights(cx.router_params * wb.router)
                .act(k(t * (d + cx.experts) * ba)));
        }
    }

    // FFN: FLOPs of the K active experts, weights of every expert touched (method.md §3).
    let touched = cx.experts_touched(t);
    let (kk, ie, mat) = (cx.active, cx.expert_width, cx.expert_matrix);
    let skip = if st.decode && cx.ffn == FfnKind::ReluSquared {
        cx.sparsity
    } else {
        0.0
    };
    let ffn_in = LinOp::layer("FFN up", M, l)
        .flops(k(2.0 * t * kk * mat))
        .weights(touched * mat * wb.ffn_up)
        .act(k(t * kk * (d + ie) * ba));
    if cx.gated() {
        sink.op(LinOp {
            name: "FFN gate",
            weight_bytes: touched * mat * wb.ffn_gate,
            ..ffn_in
        });
    }
    sink.op(ffn_in);
    if cx.full {
        let reads = if cx.gated() { 2.0 } else { 1.0 };
        sink.op(LinOp::layer("FFN activation", V, l)
            .flops(k(activation_flops(cx.ffn) * t * kk * ie))
            .act(k((reads + 1.0) * t * kk * ie * bv)));
    }
    sink.op(LinOp::layer("FFN down", M, l)
        .flops(k(2.0 * t * kk * mat))
        .weights(touched * mat * wb.ffn_down * (1.0 - skip))
        .act(k(t * kk * (ie + d) * ba)));
    if cx.shared_params > 0.0 {
        // Shared experts as one fused operator; sparsity skips their down third (or half).
        let mats = cx.ffn.matrices() as f64;
        let (sp, sw) = (cx.shared_params, cx.shared_width);
        sink.op(LinOp::layer("shared experts", M, l)
            .flops(k(2.0 * t * sp))
            .weights(match wb.uniform {
                Some(bw) => sp * bw * (1.0 - skip / mats),
                None => {
                    let per = sp / mats;
                    let gate = if mats == 3.0 {
                        per * wb.shared_gate
                    } else {
                        0.0
                    };
                    gate + per * wb.shared_up + per * wb.shared_down * (1.0 - skip)
                }
            })
            .act(k(t * (2.0 * d + 2.0 * mats * sw) * ba)));
    }

    if cx.full {
        // Rows of the embedding actually read, one per token.
        sink.op(LinOp::layer("embedding", V, 1)
            .weights(t * d * wb.embedding)
            .act(k(t * d * ba))
            .global());
        if cx.final_norm_params > 0.0 {
            sink.op(LinOp::layer("final norm", V, 1)
                .flops(k(4.0 * t * d))
                .weights(cx.final_norm_params * wb.vector)
                .act(k(2.0 * t * d * bv))
                .global());
        }
        // DECISION: prefill computes logits only for the last token of each sequence (all a
        // generator needs), so the LM head sees B rows in both phases.
        let lm = cx.vocab * d;
        sink.op(LinOp::layer("LM head", M, 1)
            .flops(k(2.0 * b * lm))
            .weights(lm * wb.lm_head)
            .act(k(b * (d + cx.vocab) * ba))
            .global());
    }
}

/// Bytes of MLA's query projection of `q_params` weights: full rank at `wb.q`, or `q_a`
/// (d × r) at `wb.q` and `q_b` (r × `q_b_width`) at `wb.q_b`.
#[inline(always)]
fn mla_q(q_params: f64, q_rank: f64, q_b_width: f64, wb: &WeightBytes) -> f64 {
    if q_rank > 0.0 {
        let q_b = q_rank * q_b_width;
        (q_params - q_b) * wb.q + q_b * wb.q_b
    } else {
        q_params * wb.q
    }
}
