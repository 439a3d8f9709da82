//! A latency budget as engineers state it: per generated token, for the whole decode, to the
//! first token, or end to end. The frontier and the theory compare each candidate's latency for
//! one objective (method.md §3: decode is the sum over all S_out generated tokens), so a
//! per-token budget becomes a decode total for the current workload: 25 ms/token over 16
//! tokens is 400 ms of decode. Typed text is read here, with a message for anything else.

use super::eval::Objective;
use crate::model::workload::Workload;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a budget's number is measured over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetBasis {
    /// Mean time per generated token (the decode total divided by S_out).
    PerToken,
    /// All S_out decode steps together (the paper's "decode" budget).
    #[default]
    DecodeTotal,
    /// Time to first token: the prefill of the prompt.
    FirstToken,
    /// Prefill plus all decode steps.
    Total,
}

impl BudgetBasis {
    pub const ALL: [BudgetBasis; 4] = [
        BudgetBasis::PerToken,
        BudgetBasis::DecodeTotal,
        BudgetBasis::FirstToken,
        BudgetBasis::Total,
    ];

    /// The latency the frontier is drawn against for this basis.
    pub fn objective(self) -> Objective {
        match self {
            BudgetBasis::PerToken | BudgetBasis::DecodeTotal => Objective::Decode,
            BudgetBasis::FirstToken => Objective::Prefill,
            BudgetBasis::Total => Objective::Total,
        }
    }

    /// Stable key (forms, sessions).
    pub fn key(self) -> &'static str {
        match self {
            BudgetBasis::PerToken => "per_token",
            BudgetBasis::DecodeTotal => "decode_total",
            BudgetBasis::FirstToken => "first_token",
            BudgetBasis::Total => "total",
        }
    }

    pub fn from_key(key: &str) -> Option<BudgetBasis> {
        BudgetBasis::ALL.into_iter().find(|b| b.key() == key)
    }

    /// The unit as shown in fields and sentences.
    pub fn unit(self) -> &'static str {
        match self {
            BudgetBasis::PerToken => "ms per generated token",
            BudgetBasis::DecodeTotal => "ms of decode, all generated tokens",
            BudgetBasis::FirstToken => "ms to the first token (prefill)",
            BudgetBasis::Total => "ms in total (prefill + decode)",
        }
    }

    /// The basis that reads an objective's own latency (the paper's budgets).
    pub fn for_objective(o: Objective) -> BudgetBasis {
        match o {
            Objective::Decode => BudgetBasis::DecodeTotal,
            Objective::Prefill => BudgetBasis::FirstToken,
            Objective::Total => BudgetBasis::Total,
        }
    }
}

/// A positive, finite budget in milliseconds on a basis.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyBudget {
    basis: BudgetBasis,
    ms: f64,
}

/// Why typed budget text was refused; the message names the field and gives examples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetError {
    pub found: String,
    pub problem: &'static str,
}

impl fmt::Display for BudgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "latency budget: {}, found \"{}\" (examples: 25, 25 ms, 0.4 s, 25 ms/token, 40 tok/s; empty for none)",
            self.problem, self.found
        )
    }
}

impl std::error::Error for BudgetError {}

impl LatencyBudget {
    pub fn new(basis: BudgetBasis, ms: f64) -> Result<LatencyBudget, BudgetError> {
        if !(ms.is_finite() && ms > 0.0) {
            return Err(BudgetError {
                found: format!("{ms}"),
                problem: "expected a time above 0",
            });
        }
        Ok(LatencyBudget { basis, ms })
    }

    /// Reads typed text: a number of milliseconds on `basis`, or with a unit that says more
    /// (`s`, `ms`, `ms/token`, `s/token`, `tok/s`, the last three on a per-token basis).
    /// Empty text is no budget.
    pub fn parse(text: &str, basis: BudgetBasis) -> Result<Option<LatencyBudget>, BudgetError> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let err = |problem| BudgetError {
            found: t.to_string(),
            problem,
        };
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
            .unwrap_or(t.len());
        // "e" only belongs to the number when digits follow it (2e3), not in "25 ms".
        let (num, unit) = t.split_at(split);
        let unit: String = unit
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let value: f64 = num
            .parse()
            .map_err(|_| err("expected a number of milliseconds"))?;
        if !value.is_finite() {
            return Err(err("expected a number of milliseconds"));
        }
        if value <= 0.0 {
            return Err(err("expected a time above 0"));
        }
        let (basis, ms) = match unit.as_str() {
            "" | "ms" => (basis, value),
            "s" => (basis, value * 1e3),
            "ms/token" | "ms/tok" | "ms/t" | "mspertoken" => (BudgetBasis::PerToken, value),
            "s/token" | "s/tok" => (BudgetBasis::PerToken, value * 1e3),
            "tok/s" | "tokens/s" | "token/s" | "t/s" => (BudgetBasis::PerToken, 1e3 / value),
            _ => return Err(err("unknown unit (use ms, s, ms/token or tok/s)")),
        };
        LatencyBudget::new(basis, ms).map(Some)
    }

    pub fn basis(&self) -> BudgetBasis {
        self.basis
    }

    /// The number as typed, in milliseconds on [`LatencyBudget::basis`].
    pub fn ms(&self) -> f64 {
        self.ms
    }

    pub fn objective(&self) -> Objective {
        self.basis.objective()
    }

    /// The limit on the objective's latency for `workload`, in seconds; `None` when the
    /// workload generates no tokens and the budget is per token (nothing to limit).
    pub fn objective_seconds(&self, workload: &Workload) -> Option<f64> {
        match self.basis {
            BudgetBasis::PerToken => {
                let n = workload.generated_tokens();
                (n > 0).then(|| self.ms * n as f64 / 1e3)
            }
            _ => Some(self.ms / 1e3),
        }
    }

    /// One phrase naming the budget with its unit, and what it means for the workload:
    /// "25 ms per generated token (400 ms of decode for 16 tokens)".
    pub fn describe(&self, workload: &Workload) -> String {
        let ms = trim_number(self.ms);
        match self.basis {
            BudgetBasis::PerToken => match self.objective_seconds(workload) {
                Some(s) => format!(
                    "{ms} ms per generated token ({} ms of decode for {} tokens)",
                    trim_number(s * 1e3),
                    workload.generated_tokens()
                ),
                None => format!("{ms} ms per generated token (no tokens are generated)"),
            },
            BudgetBasis::DecodeTotal => {
                let n = workload.generated_tokens();
                if n > 0 {
                    format!(
                        "{ms} ms of decode for {n} tokens ({} ms per token)",
                        trim_number(self.ms / n as f64)
                    )
                } else {
                    format!("{ms} ms of decode (no tokens are generated)")
                }
            }
            BudgetBasis::FirstToken => format!("{ms} ms to the first token (prefill)"),
            BudgetBasis::Total => format!("{ms} ms in total (prefill + decode)"),
        }
    }
}

/// Up to four significant decimals, without trailing zeros: 400, 1.25, 0.0625.
fn trim_number(x: f64) -> String {
    let s = if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.4}")
    };
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workload::WorkloadSpec;

    fn paper() -> Workload {
        Workload::default()
    }

    fn parse(t: &str) -> Result<Option<LatencyBudget>, String> {
        LatencyBudget::parse(t, BudgetBasis::DecodeTotal).map_err(|e| e.to_string())
    }

    #[test]
    fn per_token_budget_is_the_decode_total_over_generated_tokens() {
        let b = parse("25 ms/token").unwrap().unwrap();
        assert_eq!(b.basis(), BudgetBasis::PerToken);
        assert_eq!(b.objective(), Objective::Decode);
        // Paper workload: S_out = 16, so 25 ms/token is 400 ms of decode.
        assert!((b.objective_seconds(&paper()).unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(
            b.describe(&paper()),
            "25 ms per generated token (400 ms of decode for 16 tokens)"
        );
        let tps = parse("40 tok/s").unwrap().unwrap();
        assert_eq!(tps.basis(), BudgetBasis::PerToken);
        assert!((tps.ms() - 25.0).abs() < 1e-12);
    }

    #[test]
    fn budget_units_and_bases() {
        assert_eq!(parse("").unwrap(), None);
        let b = parse("20").unwrap().unwrap();
        assert_eq!((b.basis(), b.ms()), (BudgetBasis::DecodeTotal, 20.0));
        assert_eq!(
            b.describe(&paper()),
            "20 ms of decode for 16 tokens (1.25 ms per token)"
        );
        assert_eq!(parse("0.5 s").unwrap().unwrap().ms(), 500.0);
        assert_eq!(parse("2e3").unwrap().unwrap().ms(), 2000.0);
        let ttft = LatencyBudget::parse("80", BudgetBasis::FirstToken)
            .unwrap()
            .unwrap();
        assert_eq!(ttft.objective(), Objective::Prefill);
        assert_eq!(ttft.objective_seconds(&paper()), Some(0.08));
        let none = Workload::new(WorkloadSpec {
            generated_tokens: 0,
            ..WorkloadSpec::default()
        })
        .unwrap();
        let b = parse("25 ms/token").unwrap().unwrap();
        assert_eq!(b.objective_seconds(&none), None);
    }

    #[test]
    fn bad_budget_text_is_refused_with_a_message() {
        let examples = "(examples: 25, 25 ms, 0.4 s, 25 ms/token, 40 tok/s; empty for none)";
        for (text, problem) in [
            ("abc", "expected a number of milliseconds"),
            ("-5", "expected a time above 0"),
            ("0", "expected a time above 0"),
            ("25 parsecs", "unknown unit (use ms, s, ms/token or tok/s)"),
            ("nan", "expected a number of milliseconds"),
            ("1e999", "expected a number of milliseconds"),
        ] {
            assert_eq!(
                parse(text).unwrap_err(),
                format!("latency budget: {problem}, found \"{text}\" {examples}"),
                "{text}"
            );
        }
    }
}
