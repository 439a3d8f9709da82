#!/usr/bin/env python3
"""Writes the GGUF header fixtures of tests/gguf_import.rs into tests/fixtures/gguf/.

Uses the `gguf` package from PyPI (llama.cpp's own Python writer, version 0.19.0 when the
fixtures were made): `python3 -m pip install gguf==0.19.0`. Each file is a real GGUF header
(metadata and tensor infos) with the tensor data left out, as the page reads it. Tensor
shapes are those of the models named; byte sizes come from the package's own
GGML_QUANT_SIZES table, independent of the Rust code under test.

Run from the repository root: python3 scripts/gguf_fixtures.py
"""

from pathlib import Path

import numpy as np
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType as T, GGUFWriter

OUT = Path("tests/fixtures/gguf")


def nbytes(shape, qtype):
    block, size = GGML_QUANT_SIZES[qtype]
    elements = int(np.prod(shape))
    assert shape[-1] % block == 0, (shape, qtype)
    return elements // block * size


def write(name, arch, keys, tensors, tokens=0, file_type=None):
    """tensors: (name, numpy-order shape, ggml type). Writes the header only."""
    w = GGUFWriter(str(OUT / name), arch)
    w.add_name(name.removesuffix(".gguf"))
    for key, value in keys.items():
        full = key if key.startswith("general.") else f"{arch}.{key}"
        if isinstance(value, bool):
            w.add_bool(full, value)
        elif isinstance(value, int):
            w.add_uint32(full, value)
        elif isinstance(value, float):
            w.add_float32(full, value)
        else:
            w.add_string(full, value)
    if file_type is not None:
        w.add_file_type(file_type)
    if tokens:
        w.add_tokenizer_model("llama")
        w.add_token_list([f"tok{i}" for i in range(tokens)])
        w.add_token_scores([0.0] * tokens)
    for tname, shape, qtype in tensors:
        w.add_tensor_info(tname, shape, np.dtype(np.float32), nbytes(shape, qtype), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()


def llama_tensors(layers, d, inter, heads, kv, head_dim, vocab, main, head, tied=False, bias=False,
                  qk_norm=False, norms=2, small=T.F32):
    t = [("token_embd.weight", (vocab, d), head if tied else main)]
    for i in range(layers):
        b = f"blk.{i}."
        t += [
            (b + "attn_norm.weight", (d,), small),
            (b + "attn_q.weight", (heads * head_dim, d), main),
            (b + "attn_k.weight", (kv * head_dim, d), main),
            (b + "attn_v.weight", (kv * head_dim, d), main),
            (b + "attn_output.weight", (d, heads * head_dim), main),
            (b + "ffn_norm.weight", (d,), small),
            (b + "ffn_gate.weight", (inter, d), main),
            (b + "ffn_up.weight", (inter, d), main),
            (b + "ffn_down.weight", (d, inter), main),
        ]
        if bias:
            t += [(b + "attn_q.bias", (heads * head_dim,), small),
                  (b + "attn_k.bias", (kv * head_dim,), small),
                  (b + "attn_v.bias", (kv * head_dim,), small)]
        if qk_norm:
            t += [(b + "attn_q_norm.weight", (head_dim,), small),
                  (b + "attn_k_norm.weight", (head_dim,), small)]
        if norms == 4:
            t += [(b + "post_attention_norm.weight", (d,), small),
                  (b + "post_ffw_norm.weight", (d,), small)]
    t.append(("output_norm.weight", (d,), small))
    if not tied:
        t.append(("output.weight", (vocab, d), head))
    return t


def llama_keys(layers, d, inter, heads, kv, head_dim=None):
    k = {"block_count": layers, "embedding_length": d, "feed_forward_length": inter,
         "attention.head_count": heads, "attention.head_count_kv": kv,
         "context_length": 4096, "rope.freq_base": 10000.0,
         "attention.layer_norm_rms_epsilon": 1e-5}
    if head_dim:
        k["attention.key_length"] = head_dim
        k["attention.value_length"] = head_dim
    return k


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # meta-llama/Llama-2-7b-hf shapes in the three file types llama-bench sizes are quoted for
    # (llama_ftype: F16 = 1, Q4_0 = 2, Q8_0 = 7; output.weight Q6_K in Q4_0, Q8_0 in Q8_0).
    for name, main_t, head_t, ftype in [("llama2-7b-f16", T.F16, T.F16, 1),
                                        ("llama2-7b-q8_0", T.Q8_0, T.Q8_0, 7),
                                        ("llama2-7b-q4_0", T.Q4_0, T.Q6_K, 2)]:
        write(f"{name}.gguf", "llama", llama_keys(32, 4096, 11008, 32, 32),
              llama_tensors(32, 4096, 11008, 32, 32, 128, 32000, main_t, head_t), file_type=ftype)
    # A tiny llama with a vocabulary (string arrays) and general.alignment 64.
    write("tiny-llama-q4_k_m.gguf", "llama",
          {**llama_keys(2, 256, 512, 4, 2), "general.alignment": 64},
          llama_tensors(2, 256, 512, 4, 2, 64, 320, T.Q4_K, T.Q6_K), tokens=320, file_type=15)
    # Qwen2.5-0.5B: QKV bias, tied embeddings, rows of 896 (Q8_0 tiles them).
    write("qwen2.5-0.5b-q8_0.gguf", "qwen2", llama_keys(24, 896, 4864, 14, 2),
          llama_tensors(24, 896, 4864, 14, 2, 64, 151936, T.Q8_0, T.Q8_0, tied=True, bias=True),
          file_type=7)
    # Gemma-3-1B: head_dim 256, q/k norms, four norms per layer, 512-token window, tied.
    write("gemma-3-1b-f16.gguf", "gemma3",
          {**llama_keys(26, 1152, 6912, 4, 1, head_dim=256), "attention.sliding_window": 512},
          llama_tensors(26, 1152, 6912, 4, 1, 256, 262144, T.F16, T.F16, tied=True,
                        qk_norm=True, norms=4), file_type=1)
    # A small DeepSeek-V2-Lite-like MLA MoE: full-rank q, kv latent 64 + rope 16, 4 experts
    # (2 active) + 1 shared, first layer dense.
    d, h, c, rope, nope, dv, e_i, experts = 128, 4, 64, 16, 32, 32, 64, 4
    t = [("token_embd.weight", (256, d), T.F16)]
    for i in range(2):
        b = f"blk.{i}."
        t += [(b + "attn_norm.weight", (d,), T.F32),
              (b + "attn_q.weight", (h * (nope + rope), d), T.F16),
              (b + "attn_kv_a_mqa.weight", (c + rope, d), T.F16),
              (b + "attn_kv_a_norm.weight", (c,), T.F32),
              (b + "attn_kv_b.weight", (h * (nope + dv), c), T.F16),
              (b + "attn_output.weight", (d, h * dv), T.F16),
              (b + "ffn_norm.weight", (d,), T.F32)]
        if i == 0:
            t += [(b + "ffn_gate.weight", (256, d), T.F16), (b + "ffn_up.weight", (256, d), T.F16),
                  (b + "ffn_down.weight", (d, 256), T.F16)]
        else:
            t += [(b + "ffn_gate_inp.weight", (experts, d), T.F32),
                  (b + "ffn_gate_exps.weight", (experts, e_i, d), T.F16),
                  (b + "ffn_up_exps.weight", (experts, e_i, d), T.F16),
                  (b + "ffn_down_exps.weight", (experts, d, e_i), T.F16),
                  (b + "ffn_gate_shexp.weight", (e_i, d), T.F16),
                  (b + "ffn_up_shexp.weight", (e_i, d), T.F16),
                  (b + "ffn_down_shexp.weight", (d, e_i), T.F16)]
    t += [("output_norm.weight", (d,), T.F32), ("output.weight", (256, d), T.F16)]
    write("deepseek2-tiny-f16.gguf", "deepseek2",
          {"block_count": 2, "embedding_length": d, "feed_forward_length": 256,
           "attention.head_count": h, "attention.head_count_kv": h,
           "attention.kv_lora_rank": c, "rope.dimension_count": rope,
           "attention.key_length": nope + rope, "attention.value_length": dv,
           "expert_count": experts, "expert_used_count": 2, "expert_shared_count": 1,
           "expert_feed_forward_length": e_i, "leading_dense_block_count": 1},
          t, file_type=1)


if __name__ == "__main__":
    main()
