//! llama-bench and Ollama output as measurement rows, on the published samples in
//! `tests/fixtures/bench/` (sources in its README.md).

use roofscale::model::arch::{ArchSpec, Attention, FfnKind};
use roofscale::model::calibrate::{
    bench_measurements, parse_bench_output, BenchForm, BenchOutput, Measurement,
};
use roofscale::model::gguf_mix::GgufScheme;
use roofscale::model::precision::Precision;
use roofscale::model::weight_format::{MatmulPath, WeightFormat};

fn text(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/bench/{name}")).unwrap()
}

fn parse(name: &str) -> BenchOutput {
    parse_bench_output(name, &text(name)).unwrap()
}

/// Qwen/Qwen2.5-7B-Instruct config.json.
fn qwen2_5_7b() -> ArchSpec {
    ArchSpec {
        layers: 28,
        hidden: 3584,
        vocab: 152064,
        tied_embeddings: false,
        attention: Attention::Standard {
            heads: 28,
            kv_heads: 4,
            head_dim: 128,
            qkv_bias: true,
            qk_norm: false,
        },
        sliding_window: None,
        ffn_kind: FfnKind::SwiGlu,
        intermediate: 18944,
        moe: None,
        norms_per_layer: 2,
        final_norm: true,
    }
}

fn rows(name: &str) -> Vec<Measurement> {
    let (good, issues) = bench_measurements(&parse(name), "Qwen2.5-7B", &qwen2_5_7b(), None);
    assert_eq!(issues, vec![], "{name}");
    good
}

fn q4_k_m() -> Precision {
    Precision::weight_only(WeightFormat::Gguf(GgufScheme::Q4_K_M))
}

#[test]
fn json_gives_one_prefill_and_one_decode_row() {
    let out = parse("llama-bench.json");
    assert_eq!(out.form, BenchForm::LlamaBenchJson);
    assert_eq!(out.runs[0].model_size, Some(4677120000.0));
    assert_eq!(out.runs[0].params, Some(7615616512.0));
    let r = rows("llama-bench.json");
    assert_eq!(r.len(), 2);
    let (pp, tg) = (r[0].spec(), r[1].spec());
    assert_eq!(pp.precision, q4_k_m());
    assert_eq!(pp.device.as_deref(), Some("NVIDIA GeForce RTX 4080"));
    // pp512: one prefill of 512 tokens at 7100.002165 t/s.
    assert_eq!(
        (
            pp.workload.batch,
            pp.workload.prompt_tokens,
            pp.workload.generated_tokens
        ),
        (1, 512, 0)
    );
    assert_eq!(
        (pp.prefill_s, pp.decode_s),
        (Some(512.0 / 7100.002165), None)
    );
    // tg128: 128 decode steps from an empty context (a 1-token prompt, method.md §3).
    assert_eq!(
        (tg.workload.prompt_tokens, tg.workload.generated_tokens),
        (1, 128)
    );
    assert_eq!(
        (tg.prefill_s, tg.decode_s),
        (None, Some(128.0 / 118.881588))
    );
    assert_eq!(r[1].label(), "Qwen2.5-7B, Q4_K_M, B=1, 1→128");
}

/// The same results as JSON, JSON lines and markdown give the same measurement rows (the
/// markdown's rates are rounded to 2 decimals).
#[test]
fn json_jsonl_and_markdown_round_trip_to_the_same_rows() {
    let json = rows("llama-bench.json");
    let jsonl = rows("llama-bench.jsonl");
    let md = rows("llama-bench-json-as-md.txt");
    assert_eq!(parse("llama-bench.jsonl").form, BenchForm::LlamaBenchJsonl);
    assert_eq!(
        parse("llama-bench-json-as-md.txt").form,
        BenchForm::LlamaBenchMarkdown
    );
    let without_line = |m: &Measurement| {
        let mut s = m.spec().clone();
        s.line = 0;
        s
    };
    assert_eq!(
        json.iter().map(without_line).collect::<Vec<_>>(),
        jsonl.iter().map(without_line).collect::<Vec<_>>()
    );
    assert_eq!(json.len(), md.len());
    for (j, m) in json.iter().zip(&md) {
        let (j, m) = (j.spec(), m.spec());
        assert_eq!((j.precision, j.workload), (m.precision, m.workload));
        assert_eq!(j.model, m.model);
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            // t/s printed to 2 decimals: at most 0.005 off rates above 100, 5e-5 relative.
            (Some(a), Some(b)) => (a - b).abs() / a < 5e-5,
            (None, None) => true,
            _ => false,
        };
        assert!(close(j.prefill_s, m.prefill_s) && close(j.decode_s, m.decode_s));
    }
}

#[test]
fn csv_reads_through_the_shared_reader() {
    let out = parse("llama-bench.csv");
    assert_eq!(out.form, BenchForm::LlamaBenchCsv);
    let r = rows("llama-bench.csv");
    assert_eq!(r[0].spec().prefill_s, Some(512.0 / 7285.676949));
    assert_eq!(r[1].spec().decode_s, Some(128.0 / 119.915244));
    assert_eq!(r[0].line(), 2);
    assert_eq!(r[0].precision(), q4_k_m());
}

#[test]
fn markdown_reads_sizes_params_and_the_file_type() {
    let out = parse("llama-bench-md.txt");
    let run = &out.runs[0];
    assert_eq!(run.file_type, Some(GgufScheme::Q4_0));
    assert_eq!(run.model_size, Some(3.56 * 1073741824.0));
    assert_eq!(run.params, Some(6.74e9));
    assert_eq!(
        (run.n_prompt, run.n_gen, run.avg_ts, run.stddev_ts),
        (512, 0, Some(2368.80), Some(93.24))
    );
    assert_eq!((out.runs[1].n_gen, out.runs[1].line), (128, 4));
    // On the CPU backend a quantised GGUF matmul runs on integer dot products.
    let cpu = parse("llama-bench-cpu-md.txt");
    let (good, _) = bench_measurements(&cpu, "LLaMA-2-7B", &qwen2_5_7b(), None);
    assert_eq!(
        good[0].precision(),
        Precision::weight_only(WeightFormat::Gguf(GgufScheme::Q4_0)).with_matmul(MatmulPath::Cpu)
    );
    assert_eq!(good.len(), 4);
}

#[test]
fn depth_and_combined_tests_map_or_say_why_not() {
    let out = parse("llama-bench-depth-md.txt");
    let (good, issues) = bench_measurements(&out, "Qwen2.5-7B", &qwen2_5_7b(), None);
    assert_eq!(good.len(), 3);
    // tg128 @ d512: 128 decode steps after 512 cached tokens.
    let tg = good[2].spec();
    assert_eq!(
        (tg.workload.prompt_tokens, tg.workload.generated_tokens),
        (512, 128)
    );
    assert_eq!(tg.decode_s, Some(128.0 / 116.71));
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0].in_file("depth.md"),
        "depth.md line 5: pp512 @ d512: a prefill after cached tokens is not modelled"
    );
    let combined = "| model | size | params | backend | test | t/s |\n|---|---|---|---|---|---|\n\
                    | llama 7B Q8_0 | 6.67 GiB | 6.74 B | Metal | pp512+tg128 | 90.1 ± 0.2 |\n";
    let out = parse_bench_output("pg.md", combined).unwrap();
    let (good, issues) = bench_measurements(&out, "m", &qwen2_5_7b(), None);
    assert!(good.is_empty());
    assert_eq!(
        issues[0].in_file("pg.md"),
        "pg.md line 3: pp512+tg128 gives one rate for both phases; run pp and tg tests apart"
    );
    // A type the page does not model needs a precision from the user.
    let odd = combined
        .replace("Q8_0", "IQ2_XXS - 2.0625 bpw")
        .replace("pp512+tg128", "tg 64");
    let out = parse_bench_output("odd.md", &odd).unwrap();
    let (_, issues) = bench_measurements(&out, "m", &qwen2_5_7b(), None);
    assert_eq!(
        issues[0].message,
        "\"llama 7B IQ2_XXS - 2.0625 bpw\" names no weight format the page models; give the \
         precision"
    );
    let (good, _) = bench_measurements(&out, "m", &qwen2_5_7b(), Some(Precision::W4A16));
    assert_eq!(good[0].precision(), Precision::W4A16);
}

#[test]
fn ollama_verbose_gives_both_phases_of_one_run() {
    let out = parse("ollama-verbose.txt");
    assert_eq!(out.form, BenchForm::OllamaVerbose);
    let (good, issues) = bench_measurements(&out, "Mistral-7B", &qwen2_5_7b(), Some(q4_k_m()));
    assert_eq!(issues, vec![]);
    let s = good[0].spec();
    assert_eq!(
        (s.workload.prompt_tokens, s.workload.generated_tokens),
        (11, 120)
    );
    assert_eq!((s.prefill_s, s.decode_s), (Some(0.204563), Some(4.876787)));
    let out = parse("ollama-verbose-minutes.txt");
    assert_eq!(out.runs[0].gen_s, Some(127.682));
    assert_eq!(out.runs[0].prompt_s, Some(19.747));
}

#[test]
fn unknown_layouts_list_the_forms_understood() {
    let err = parse_bench_output("notes.txt", "tokens per second: 42\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "notes.txt: not a benchmark output this page reads (expected llama-bench's markdown \
         table, -o json, -o jsonl or -o csv, or the timings ollama run --verbose prints: \
         \"prompt eval rate\", \"eval rate\")"
    );
    let err = parse_bench_output("b.json", "[{\"model_type\": \"x\"}]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "b.json: no result could be read; first problem: line 1, column \"avg_ts\": missing or \
         not a number"
    );
    let err = parse_bench_output("o.txt", "eval rate: 5 tokens/s\n").unwrap_err();
    assert_eq!(err.to_string(), "o.txt: missing \"prompt eval count\"");
}
