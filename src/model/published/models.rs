//! Architectures of the published set's models: the `config.json` of each `model_hf_id`,
//! shipped in `public/data/models/` (file name = the id with `/` as `--`) or, for
//! `meta-llama/Llama-3.2-1B`, the reference preset of the same checkpoint (and, for an
//! instruction-tuned fine-tune, its base model's config: the same architecture).

use crate::model::hf_config::{import_hf_config, reference_presets, ImportedModel};

/// (Hugging Face id, `config.json` text) of every file in `public/data/models/`.
/// `tests/published.rs` checks the list against the directory.
pub const MODEL_CONFIGS: &[(&str, &str)] = &[
    (
        "HuggingFaceTB/SmolLM2-135M",
        include_str!("../../../public/data/models/HuggingFaceTB--SmolLM2-135M.json"),
    ),
    (
        "Qwen/Qwen2-7B-Instruct",
        include_str!("../../../public/data/models/Qwen--Qwen2-7B-Instruct.json"),
    ),
    (
        "Qwen/Qwen2.5-1.5B-Instruct",
        include_str!("../../../public/data/models/Qwen--Qwen2.5-1.5B-Instruct.json"),
    ),
    (
        "Qwen/Qwen2.5-7B-Instruct",
        include_str!("../../../public/data/models/Qwen--Qwen2.5-7B-Instruct.json"),
    ),
    (
        "Qwen/Qwen3-0.6B",
        include_str!("../../../public/data/models/Qwen--Qwen3-0.6B.json"),
    ),
    (
        "Qwen/Qwen3-30B-A3B-Instruct-2507",
        include_str!("../../../public/data/models/Qwen--Qwen3-30B-A3B-Instruct-2507.json"),
    ),
    (
        "allenai/OLMo-1B-hf",
        include_str!("../../../public/data/models/allenai--OLMo-1B-hf.json"),
    ),
    (
        "google/gemma-2-2b-it",
        include_str!("../../../public/data/models/google--gemma-2-2b-it.json"),
    ),
    (
        "google/gemma-2-9b-it",
        include_str!("../../../public/data/models/google--gemma-2-9b-it.json"),
    ),
    (
        "google/gemma-3-1b-it",
        include_str!("../../../public/data/models/google--gemma-3-1b-it.json"),
    ),
    (
        "meta-llama/Llama-2-13b-chat-hf",
        include_str!("../../../public/data/models/meta-llama--Llama-2-13b-chat-hf.json"),
    ),
    (
        "meta-llama/Llama-2-13b-hf",
        include_str!("../../../public/data/models/meta-llama--Llama-2-13b-hf.json"),
    ),
    (
        "meta-llama/Llama-2-70b-hf",
        include_str!("../../../public/data/models/meta-llama--Llama-2-70b-hf.json"),
    ),
    (
        "meta-llama/Llama-2-7b-chat-hf",
        include_str!("../../../public/data/models/meta-llama--Llama-2-7b-chat-hf.json"),
    ),
    (
        "meta-llama/Llama-2-7b-hf",
        include_str!("../../../public/data/models/meta-llama--Llama-2-7b-hf.json"),
    ),
    (
        "meta-llama/Llama-3.1-8B-Instruct",
        include_str!("../../../public/data/models/meta-llama--Llama-3.1-8B-Instruct.json"),
    ),
    (
        "meta-llama/Llama-3.1-8B",
        include_str!("../../../public/data/models/meta-llama--Llama-3.1-8B.json"),
    ),
    (
        "meta-llama/Llama-3.2-1B-Instruct-QLORA_INT4_EO8",
        include_str!(
            "../../../public/data/models/meta-llama--Llama-3.2-1B-Instruct-QLORA_INT4_EO8.json"
        ),
    ),
    (
        "meta-llama/Llama-3.2-1B-Instruct-SpinQuant_INT4_EO8",
        include_str!(
            "../../../public/data/models/meta-llama--Llama-3.2-1B-Instruct-SpinQuant_INT4_EO8.json"
        ),
    ),
    (
        "meta-llama/Llama-3.2-1B-Instruct",
        include_str!("../../../public/data/models/meta-llama--Llama-3.2-1B-Instruct.json"),
    ),
    (
        "meta-llama/Llama-3.2-3B-Instruct-QLORA_INT4_EO8",
        include_str!(
            "../../../public/data/models/meta-llama--Llama-3.2-3B-Instruct-QLORA_INT4_EO8.json"
        ),
    ),
    (
        "meta-llama/Llama-3.2-3B-Instruct-SpinQuant_INT4_EO8",
        include_str!(
            "../../../public/data/models/meta-llama--Llama-3.2-3B-Instruct-SpinQuant_INT4_EO8.json"
        ),
    ),
    (
        "meta-llama/Llama-3.2-3B-Instruct",
        include_str!("../../../public/data/models/meta-llama--Llama-3.2-3B-Instruct.json"),
    ),
    (
        "meta-llama/Llama-3.2-3B",
        include_str!("../../../public/data/models/meta-llama--Llama-3.2-3B.json"),
    ),
    (
        "meta-llama/Meta-Llama-3-70B",
        include_str!("../../../public/data/models/meta-llama--Meta-Llama-3-70B.json"),
    ),
    (
        "meta-llama/Meta-Llama-3-8B-Instruct",
        include_str!("../../../public/data/models/meta-llama--Meta-Llama-3-8B-Instruct.json"),
    ),
    (
        "meta-llama/Meta-Llama-3-8B",
        include_str!("../../../public/data/models/meta-llama--Meta-Llama-3-8B.json"),
    ),
    (
        "microsoft/Phi-3.5-mini-instruct",
        include_str!("../../../public/data/models/microsoft--Phi-3.5-mini-instruct.json"),
    ),
    (
        "mistralai/Mistral-7B-Instruct-v0.3",
        include_str!("../../../public/data/models/mistralai--Mistral-7B-Instruct-v0.3.json"),
    ),
    (
        "nvidia/Nemotron-Mini-4B-Instruct",
        include_str!("../../../public/data/models/nvidia--Nemotron-Mini-4B-Instruct.json"),
    ),
    (
        "togethercomputer/RedPajama-INCITE-Chat-3B-v1",
        include_str!(
            "../../../public/data/models/togethercomputer--RedPajama-INCITE-Chat-3B-v1.json"
        ),
    ),
];

/// Ids whose config is a reference preset of `public/presets/models/` (by its display name).
/// An instruction-tuned checkpoint is a fine-tune of its base model with the same config, so
/// the base model's preset describes it.
const PRESET_IDS: [(&str, &str); 3] = [
    ("meta-llama/Llama-3.2-1B", "Llama-3.2-1B"),
    ("Qwen/Qwen2.5-0.5B-Instruct", "Qwen2.5-0.5B"),
    ("HuggingFaceTB/SmolLM2-360M-Instruct", "SmolLM2-360M"),
];

/// Ids described by another id's shipped config: instruction-tuned fine-tunes of a base model
/// with the same architecture.
const SAME_CONFIG_AS: [(&str, &str); 1] = [(
    "HuggingFaceTB/SmolLM2-135M-Instruct",
    "HuggingFaceTB/SmolLM2-135M",
)];

/// The architecture of `hf_id`: `None` when the set ships no config for it, `Err` with the
/// importer's message when its config cannot be modelled.
pub fn published_model(hf_id: &str) -> Option<Result<ImportedModel, String>> {
    let hf_id = SAME_CONFIG_AS
        .iter()
        .find(|(id, _)| *id == hf_id)
        .map_or(hf_id, |(_, base)| *base);
    let text = MODEL_CONFIGS
        .iter()
        .find(|(id, _)| *id == hf_id)
        .map(|(_, t)| *t)
        .or_else(|| {
            let (_, preset) = PRESET_IDS.iter().find(|(id, _)| *id == hf_id)?;
            reference_presets()
                .into_iter()
                .find(|(name, _)| name == preset)
                .map(|(_, t)| t)
        })?;
    Some(import_hf_config(text).map_err(|e| e.to_string()))
}
