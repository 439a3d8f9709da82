//! A small GGUF header writer for tests (ggml `docs/gguf.md`, version 3): metadata pairs and
//! tensor infos, no tensor data. The committed fixtures come from llama.cpp's own Python
//! writer (`scripts/gguf_fixtures.py`); this one builds the broken and edge-case headers.

#![allow(dead_code)]

/// Header bytes under construction.
#[derive(Clone, Default)]
pub struct Writer {
    version: u32,
    kv: Vec<Vec<u8>>,
    tensors: Vec<Vec<u8>>,
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.extend((s.len() as u64).to_le_bytes());
    out.extend(s.as_bytes());
}

impl Writer {
    pub fn new() -> Writer {
        Writer {
            version: 3,
            ..Writer::default()
        }
    }

    pub fn version(mut self, v: u32) -> Writer {
        self.version = v;
        self
    }

    fn pair(mut self, key: &str, type_id: u32, value: &[u8]) -> Writer {
        let mut b = Vec::new();
        string(&mut b, key);
        b.extend(type_id.to_le_bytes());
        b.extend(value);
        self.kv.push(b);
        self
    }

    pub fn u32(self, key: &str, v: u32) -> Writer {
        self.pair(key, 4, &v.to_le_bytes())
    }

    pub fn f32(self, key: &str, v: f32) -> Writer {
        self.pair(key, 6, &v.to_le_bytes())
    }

    pub fn str(self, key: &str, v: &str) -> Writer {
        let mut b = Vec::new();
        string(&mut b, v);
        self.pair(key, 8, &b)
    }

    /// An array of u32 (per-layer values).
    pub fn u32s(self, key: &str, v: &[u32]) -> Writer {
        let mut b = Vec::new();
        b.extend(4u32.to_le_bytes());
        b.extend((v.len() as u64).to_le_bytes());
        for x in v {
            b.extend(x.to_le_bytes());
        }
        self.pair(key, 9, &b)
    }

    /// A raw value type id with the given bytes (for broken files).
    pub fn raw(self, key: &str, type_id: u32, value: &[u8]) -> Writer {
        self.pair(key, type_id, value)
    }

    /// A tensor info; `dims` in ggml order (row length first), `type_id` a ggml type.
    pub fn tensor(mut self, name: &str, dims: &[u64], type_id: u32) -> Writer {
        let mut b = Vec::new();
        string(&mut b, name);
        b.extend((dims.len() as u32).to_le_bytes());
        for d in dims {
            b.extend(d.to_le_bytes());
        }
        b.extend(type_id.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        self.tensors.push(b);
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend(self.version.to_le_bytes());
        out.extend((self.tensors.len() as u64).to_le_bytes());
        out.extend((self.kv.len() as u64).to_le_bytes());
        for kv in &self.kv {
            out.extend(kv);
        }
        for t in &self.tensors {
            out.extend(t);
        }
        out
    }
}

/// A two-layer llama in F16 with every key the mapping reads.
pub fn tiny_llama() -> Writer {
    let (d, i, v) = (64u64, 128u64, 96u64);
    let mut w = Writer::new()
        .str("general.architecture", "llama")
        .u32("general.file_type", 1)
        .u32("llama.block_count", 2)
        .u32("llama.embedding_length", d as u32)
        .u32("llama.feed_forward_length", i as u32)
        .u32("llama.attention.head_count", 4)
        .u32("llama.attention.head_count_kv", 2)
        .f32("llama.rope.freq_base", 10000.0)
        .tensor("token_embd.weight", &[d, v], 1);
    for l in 0..2 {
        let b = format!("blk.{l}.");
        w = w
            .tensor(&format!("{b}attn_norm.weight"), &[d], 0)
            .tensor(&format!("{b}attn_q.weight"), &[d, d], 1)
            .tensor(&format!("{b}attn_k.weight"), &[d, d / 2], 1)
            .tensor(&format!("{b}attn_v.weight"), &[d, d / 2], 1)
            .tensor(&format!("{b}attn_output.weight"), &[d, d], 1)
            .tensor(&format!("{b}ffn_norm.weight"), &[d], 0)
            .tensor(&format!("{b}ffn_gate.weight"), &[d, i], 1)
            .tensor(&format!("{b}ffn_up.weight"), &[d, i], 1)
            .tensor(&format!("{b}ffn_down.weight"), &[i, d], 1);
    }
    w.tensor("output_norm.weight", &[d], 0)
        .tensor("output.weight", &[d, v], 1)
}
