//! Benchmark output as people have it: llama-bench's markdown table (`-o md`, the default),
//! `-o json`, `-o jsonl` and `-o csv` (tools/llama-bench/README.md), and Ollama's
//! `--verbose` timings. Each becomes [`BenchRun`]s; `bench_measure.rs` turns them into
//! measurement rows.
//!
//! The layout is recognised from the text; one that is none of these gets a message
//! listing the forms understood. A bad row is left out with a [`RowIssue`], as in the CSV
//! import.

use crate::model::csv_reader::{CsvLimits, CsvReader, RowIssue};
use crate::model::gguf_mix::GgufScheme;
use serde_json::Value;
use std::fmt;

/// The forms read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchForm {
    LlamaBenchMarkdown,
    LlamaBenchJson,
    LlamaBenchJsonl,
    LlamaBenchCsv,
    OllamaVerbose,
}

/// One benchmark result.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchRun {
    /// Line in the text the result starts on (1-based).
    pub line: usize,
    /// llama.cpp's model description ("llama 7B mostly Q4_0"); empty for Ollama.
    pub model_type: String,
    /// The file type its description names, when the page models it.
    pub file_type: Option<GgufScheme>,
    /// Model size, bytes (markdown: from the printed GiB/MiB, rounded).
    pub model_size: Option<f64>,
    /// Parameters (markdown: from the printed B/M, rounded).
    pub params: Option<f64>,
    /// Backend ("CUDA", "Metal", "CPU", …); empty when not given.
    pub backend: String,
    /// The device llama-bench names (`gpu_info`, else `cpu_info`), when given.
    pub device: Option<String>,
    /// Prompt tokens processed (`pp512`: 512).
    pub n_prompt: u32,
    /// Tokens generated (`tg128`: 128).
    pub n_gen: u32,
    /// Tokens already in the cache before the test (`@ d512`).
    pub n_depth: u32,
    /// Mean tokens per second and its standard deviation; Ollama reports times instead.
    pub avg_ts: Option<f64>,
    pub stddev_ts: Option<f64>,
    /// Ollama: prompt evaluation and generation times, seconds.
    pub prompt_s: Option<f64>,
    pub gen_s: Option<f64>,
}

/// The parsed text.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchOutput {
    pub form: BenchForm,
    pub runs: Vec<BenchRun>,
    pub issues: Vec<RowIssue>,
}

/// Why the whole text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{} line {}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for BenchError {}

/// The message for text in none of the forms.
pub const FORMS_UNDERSTOOD: &str = "not a benchmark output this page reads (expected \
llama-bench's markdown table, -o json, -o jsonl or -o csv, or the timings ollama run \
--verbose prints: \"prompt eval rate\", \"eval rate\")";

/// Largest text accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most results accepted.
pub const MAX_RUNS: usize = 10_000;

/// Reads llama-bench or Ollama output. `file` only labels messages.
pub fn parse_bench_output(file: &str, text: &str) -> Result<BenchOutput, BenchError> {
    let err = |line, message: String| BenchError {
        file: file.to_string(),
        line,
        message,
    };
    if text.len() > MAX_BYTES {
        return Err(err(None, format!("larger than {MAX_BYTES} bytes")));
    }
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    let first = trimmed.lines().next().unwrap_or("");
    let out = if trimmed.starts_with('[') {
        json_array(text).map_err(|(l, m)| err(l, m))?
    } else if trimmed.starts_with('{') {
        jsonl(text)
    } else if text.lines().any(is_table_header) {
        markdown(text)
    } else if first.contains("avg_ts") && first.contains("n_prompt") {
        csv(file, text).map_err(|m| err(None, m))?
    } else if text.contains("eval rate:") {
        ollama(text).map_err(|(l, m)| err(l, m))?
    } else {
        return Err(err(None, FORMS_UNDERSTOOD.to_string()));
    };
    if out.runs.len() > MAX_RUNS {
        return Err(err(None, format!("more than {MAX_RUNS} results")));
    }
    if out.runs.is_empty() {
        let why = match out.issues.first() {
            Some(i) => format!("no result could be read; first problem: {i}"),
            None => "no result in it".to_string(),
        };
        return Err(err(None, why));
    }
    Ok(out)
}

fn issue(line: usize, column: Option<&str>, message: impl Into<String>) -> RowIssue {
    RowIssue {
        line,
        column: column.map(str::to_string),
        message: message.into(),
    }
}

/// "qwen2 7B Q4_K - Medium" → Q4_K_M: the description after the family and size words.
fn file_type_of(model_type: &str) -> Option<GgufScheme> {
    let mut words = model_type.splitn(3, ' ');
    let (_family, _size, rest) = (words.next()?, words.next()?, words.next()?);
    GgufScheme::from_ftype_name(rest)
}

// ---------------------------------------------------------------------------------------
// JSON and JSON lines

fn json_run(line: usize, v: &Value) -> Result<BenchRun, RowIssue> {
    let obj = v
        .as_object()
        .ok_or_else(|| issue(line, None, "expected an object with llama-bench's fields"))?;
    let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let num = |k: &str| obj.get(k).and_then(Value::as_f64);
    let count = |k: &str, required: bool| -> Result<u32, RowIssue> {
        match obj.get(k) {
            None if !required => Ok(0),
            None => Err(issue(line, Some(k), "missing")),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| issue(line, Some(k), format!("expected a whole number, found {v}"))),
        }
    };
    let avg =
        num("avg_ts").ok_or_else(|| issue(line, Some("avg_ts"), "missing or not a number"))?;
    let model_type = text("model_type");
    let device = [text("gpu_info"), text("cpu_info")]
        .into_iter()
        .find(|s| !s.is_empty());
    Ok(BenchRun {
        line,
        file_type: file_type_of(&model_type),
        model_type,
        model_size: num("model_size"),
        params: num("model_n_params"),
        backend: text("backends"),
        device,
        n_prompt: count("n_prompt", true)?,
        n_gen: count("n_gen", true)?,
        n_depth: count("n_depth", false)?,
        avg_ts: Some(avg),
        stddev_ts: num("stddev_ts"),
        prompt_s: None,
        gen_s: None,
    })
}

fn json_array(text: &str) -> Result<BenchOutput, (Option<usize>, String)> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| (Some(e.line()), format!("not valid JSON: {e}")))?;
    let items = v
        .as_array()
        .ok_or((Some(1), "expected an array of results".to_string()))?;
    // Line of each object: the n-th line that opens an object at the array's depth.
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('{'))
        .map(|(i, _)| i + 1)
        .collect();
    let (mut runs, mut issues) = (Vec::new(), Vec::new());
    for (k, item) in items.iter().enumerate() {
        let line = starts.get(k).copied().unwrap_or(1);
        match json_run(line, item) {
            Ok(r) => runs.push(r),
            Err(i) => issues.push(i),
        }
    }
    Ok(BenchOutput {
        form: BenchForm::LlamaBenchJson,
        runs,
        issues,
    })
}

fn jsonl(text: &str) -> BenchOutput {
    let (mut runs, mut issues) = (Vec::new(), Vec::new());
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(l) {
            Ok(v) => match json_run(i + 1, &v) {
                Ok(r) => runs.push(r),
                Err(e) => issues.push(e),
            },
            Err(e) => issues.push(issue(i + 1, None, format!("not valid JSON: {e}"))),
        }
    }
    BenchOutput {
        form: BenchForm::LlamaBenchJsonl,
        runs,
        issues,
    }
}

// ---------------------------------------------------------------------------------------
// CSV

fn csv(file: &str, text: &str) -> Result<BenchOutput, String> {
    let limits = CsvLimits {
        max_bytes: MAX_BYTES,
        max_rows: MAX_RUNS,
    };
    let reader = CsvReader::<std::convert::Infallible>::open(file, text, limits).map_err(|e| {
        let s = e.to_string();
        s.strip_prefix(file)
            .unwrap_or(&s)
            .trim_start_matches([':', ' '])
            .to_string()
    })?;
    let headers = reader.headers().to_vec();
    let rows = reader
        .rows(|row| {
            let mut obj = serde_json::Map::new();
            for (h, cell) in headers.iter().zip(row.cells()) {
                let v = match cell.parse::<f64>() {
                    Ok(x) if h != "model_type" && h != "gpu_info" && h != "cpu_info" => {
                        if cell.bytes().all(|b| b.is_ascii_digit()) {
                            cell.parse::<u64>()
                                .map(Value::from)
                                .unwrap_or(Value::from(x))
                        } else {
                            Value::from(x)
                        }
                    }
                    _ => Value::from(cell),
                };
                obj.insert(h.clone(), v);
            }
            json_run(row.line, &Value::Object(obj))
        })
        .map_err(|e| {
            let s = e.to_string();
            s.strip_prefix(file)
                .unwrap_or(&s)
                .trim_start_matches([':', ' '])
                .to_string()
        })?;
    Ok(BenchOutput {
        form: BenchForm::LlamaBenchCsv,
        runs: rows.good,
        issues: rows.issues,
    })
}

// ---------------------------------------------------------------------------------------
// Markdown

fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_table_header(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('|') && {
        let c = cells(t);
        c.iter().any(|x| x == "model")
            && c.iter().any(|x| x == "t/s")
            && c.iter().any(|x| x == "test")
    }
}

/// "3.56 GiB" → bytes; "6.74 B" → parameters.
fn with_unit(cell: &str, units: &[(&str, f64)]) -> Option<f64> {
    let (num, unit) = cell.trim().split_once(' ')?;
    let x: f64 = num.parse().ok()?;
    let scale = units.iter().find(|(u, _)| *u == unit.trim())?.1;
    (x.is_finite() && x >= 0.0).then_some(x * scale)
}

/// "pp 512", "tg128", "pp512 @ d512" → (n_prompt, n_gen, n_depth); "pp512+tg128" too.
fn test_shape(cell: &str) -> Option<(u32, u32, u32)> {
    let compact: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    let (test, depth) = match compact.split_once('@') {
        Some((t, d)) => (t.to_string(), d.strip_prefix('d')?.parse().ok()?),
        None => (compact, 0),
    };
    let (mut pp, mut tg) = (0, 0);
    for part in test.split('+') {
        if let Some(n) = part.strip_prefix("pp") {
            pp = n.parse().ok()?;
        } else if let Some(n) = part.strip_prefix("tg") {
            tg = n.parse().ok()?;
        } else {
            return None;
        }
    }
    Some((pp, tg, depth))
}

fn markdown(text: &str) -> BenchOutput {
    let (mut runs, mut issues) = (Vec::new(), Vec::new());
    let mut header: Option<Vec<String>> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let t = line.trim();
        if !t.starts_with('|') {
            header = None;
            continue;
        }
        if is_table_header(t) {
            header = Some(cells(t));
            continue;
        }
        let Some(h) = &header else { continue };
        let c = cells(t);
        if c.iter()
            .all(|x| x.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
        {
            continue;
        }
        if c.len() != h.len() {
            issues.push(issue(
                line_no,
                None,
                format!("expected {} cells, found {}", h.len(), c.len()),
            ));
            continue;
        }
        let get = |name: &str| h.iter().position(|x| x == name).map(|k| c[k].as_str());
        let test = get("test").unwrap_or("");
        let Some((n_prompt, n_gen, n_depth)) = test_shape(test) else {
            issues.push(issue(
                line_no,
                Some("test"),
                format!("expected pp N, tg N or pp N+tg M (optionally @ dN), found \"{test}\""),
            ));
            continue;
        };
        let ts = get("t/s").unwrap_or("");
        let (avg, sd) = match ts.split_once('±') {
            Some((a, s)) => (a.trim().parse::<f64>().ok(), s.trim().parse::<f64>().ok()),
            None => (ts.trim().parse::<f64>().ok(), None),
        };
        let Some(avg) = avg.filter(|a| a.is_finite() && *a > 0.0) else {
            issues.push(issue(
                line_no,
                Some("t/s"),
                format!("expected \"mean ± sd\" tokens per second, found \"{ts}\""),
            ));
            continue;
        };
        let model_type = get("model").unwrap_or("").to_string();
        runs.push(BenchRun {
            line: line_no,
            file_type: file_type_of(&model_type),
            model_type,
            model_size: get("size").and_then(|s| {
                with_unit(
                    s,
                    &[("GiB", 1073741824.0), ("MiB", 1048576.0), ("KiB", 1024.0)],
                )
            }),
            params: get("params").and_then(|s| with_unit(s, &[("B", 1e9), ("M", 1e6), ("K", 1e3)])),
            backend: get("backend").unwrap_or("").to_string(),
            device: None,
            n_prompt,
            n_gen,
            n_depth,
            avg_ts: Some(avg),
            stddev_ts: sd,
            prompt_s: None,
            gen_s: None,
        });
    }
    BenchOutput {
        form: BenchForm::LlamaBenchMarkdown,
        runs,
        issues,
    }
}

// ---------------------------------------------------------------------------------------
// Ollama --verbose

/// A Go duration as Ollama prints it: "1.376s", "88.765ms", "2m3.5s", "512µs".
fn go_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (mut total, mut rest) = (0.0, s);
    while !rest.is_empty() {
        let n_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let x: f64 = rest[..n_end].parse().ok()?;
        rest = &rest[n_end..];
        let (scale, len) = [
            ("ms", 1e-3),
            ("µs", 1e-6),
            ("us", 1e-6),
            ("ns", 1e-9),
            ("h", 3600.0),
            ("m", 60.0),
            ("s", 1.0),
        ]
        .iter()
        .find(|(u, _)| rest.starts_with(u))
        .map(|(u, k)| (*k, u.len()))?;
        total += x * scale;
        rest = &rest[len..];
    }
    Some(total)
}

fn ollama(text: &str) -> Result<BenchOutput, (Option<usize>, String)> {
    let mut fields: Vec<(usize, &str, &str)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((k, v)) = line.split_once(':') {
            fields.push((i + 1, k.trim(), v.trim()));
        }
    }
    let find = |key: &str| fields.iter().find(|(_, k, _)| *k == key).copied();
    let count = |key: &str| -> Result<(usize, u32), (Option<usize>, String)> {
        let (l, _, v) = find(key).ok_or((None, format!("missing \"{key}\"")))?;
        let n = v.split_whitespace().next().unwrap_or("");
        n.parse().map(|n| (l, n)).map_err(|_| {
            (
                Some(l),
                format!("\"{key}\": expected a token count, found \"{v}\""),
            )
        })
    };
    let duration = |key: &str| -> Result<f64, (Option<usize>, String)> {
        let (l, _, v) = find(key).ok_or((None, format!("missing \"{key}\"")))?;
        go_duration(v).filter(|d| *d > 0.0).ok_or((
            Some(l),
            format!("\"{key}\": expected a duration such as 88.765ms or 1.376s, found \"{v}\""),
        ))
    };
    let (line, n_prompt) = count("prompt eval count")?;
    let (_, n_gen) = count("eval count")?;
    let prompt_s = duration("prompt eval duration")?;
    let gen_s = duration("eval duration")?;
    Ok(BenchOutput {
        form: BenchForm::OllamaVerbose,
        runs: vec![BenchRun {
            line,
            model_type: String::new(),
            file_type: None,
            model_size: None,
            params: None,
            backend: String::new(),
            device: None,
            n_prompt,
            n_gen,
            n_depth: 0,
            avg_ts: None,
            stddev_ts: None,
            prompt_s: Some(prompt_s),
            gen_s: Some(gen_s),
        }],
        issues: Vec::new(),
    })
}
