//! The pure core of roofscale. No browser, no I/O beyond parsing strings handed in, no printing.
//!
//! Module map (one concept per file):
//! * [`arch`] — a validated decoder-only transformer description.
//! * [`params`] — its exact parameter counts by component.
//! * [`hf_config`] — import of a Hugging Face `config.json` into an [`arch::ArchSpec`].
//! * [`precision`] — number formats of weights, activations and KV cache.
//! * [`weight_format`] — weight storage formats (GGUF, MLC, AWQ/GPTQ, NF4, custom bits).
//! * [`ggml_type`] — ggml tensor types and their block layouts.
//! * [`gguf`] — a GGUF file's header: metadata, tensors and exact bytes, and its architecture.
//! * [`gguf_mix`] — llama.cpp's per-tensor types of each GGUF file type.
//! * [`weight_bytes`] — bytes of every kind of weight tensor under a precision.
//! * [`format_fractions`] — achievable bandwidth fractions of particular weight formats.
//! * [`device`] — device specs (memory, bandwidth, peak compute per precision), presets, import.
//! * [`workload`] — batch, prompt and generated tokens, operator set.
//! * [`roofline`] — per-operator FLOPs and bytes, prefill and decode latency, memory.
//! * [`law`] — scaling laws (paper's architecture law, Chinchilla, custom formulas).
//! * [`formula`] — the safe parser and evaluator of user formulas.
//! * [`lists`] — value lists as typed in the search-space editor (`4..32/4`, `8:1`).
//! * [`csv_reader`] — the one CSV front end: limits, delimiters, comments, lines, messages.
//! * [`loss_csv`] — import of training results (loss CSVs).
//! * [`fit`] — robust fitting of a law to loss data, with validation and bootstrap.
//! * [`search`] — the candidate space, its enumeration or sampling, and evaluation.
//! * [`pareto`] — loss–latency Pareto frontiers.
//! * [`headline`] — the paper's measured headline beside the law's prediction of it.
//! * [`theory`] — feasible design regions and closed-form optima (method.md §5).
//! * [`calibrate`] — a device's achievable fractions and overhead per layer and step from measured latencies.

pub mod arch;
pub mod calibrate;
pub mod csv_reader;
pub mod device;
pub mod fit;
pub mod format_fractions;
pub mod formula;
pub mod ggml_type;
pub mod gguf;
pub mod gguf_layers;
pub mod gguf_mix;
pub mod headline;
pub mod hf_config;
pub mod json_float;
pub mod law;
pub mod lists;
pub mod loss_csv;
pub mod params;
pub mod pareto;
pub mod precision;
pub mod published;
mod robust_loss;
pub mod roofline;
pub mod search;
pub mod theory;
pub mod weight_bytes;
pub mod weight_format;
pub mod workload;
