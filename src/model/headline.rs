//! The paper's headline claim next to the law's prediction of the same comparison.
//!
//! The paper measured WikiText-2 perplexity of trained models; the page can only predict
//! training loss with the fitted law, at the law's training length. Both are shown, each
//! named for what it is, so a predicted "perplexity" is never read as Qwen's real one.

use super::search::MatchedReport;

/// A measured result of the paper: perplexity of the reference and of the co-designed model
/// at the reference's latency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeasuredHeadline {
    pub reference_ppl: f64,
    pub codesigned_ppl: f64,
    /// As the paper reports it (rounded to two decimals).
    pub improvement_pct: f64,
    /// Where the numbers are stated.
    pub source: &'static str,
}

/// arXiv 2602.10377: at Qwen2.5-0.5B's latency on Jetson Orin the co-designed model reaches
/// WikiText-2 perplexity 50.88 against 63.14, −19.42 % (method.md §2; the percentage is also
/// in the paper's abstract).
pub const PAPER_HEADLINE: MeasuredHeadline = MeasuredHeadline {
    reference_ppl: 63.14,
    codesigned_ppl: 50.88,
    improvement_pct: 19.42,
    source: "arXiv 2602.10377, abstract (−19.42 %) and method.md §2 (63.14 → 50.88)",
};

impl MeasuredHeadline {
    /// (reference − co-designed)/reference × 100, from the two perplexities.
    pub fn improvement_from_ppl(&self) -> f64 {
        (self.reference_ppl - self.codesigned_ppl) / self.reference_ppl * 100.0
    }
}

/// The three sentences of the headline, numbers formatted.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadlineLines {
    /// The law's prediction; `None` when no frontier design is as fast as the reference.
    pub predicted: Option<String>,
    /// The paper's measurement and its source.
    pub measured: String,
    /// What the predicted "ppl" is and is not.
    pub meaning: String,
}

/// A token count as the page writes it: "10 B", "300 M".
pub fn tokens_text(tokens: f64) -> String {
    let (v, unit) = if tokens >= 1e12 {
        (tokens / 1e12, "T")
    } else if tokens >= 1e9 {
        (tokens / 1e9, "B")
    } else if tokens >= 1e6 {
        (tokens / 1e6, "M")
    } else {
        (tokens, "")
    };
    let v = if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    format!("{v} {unit}").trim_end().to_string()
}

/// The headline for `reference` (its display name) from a matched-latency report whose law
/// predicts loss at `training_tokens`.
pub fn headline_lines(reference: &str, r: &MatchedReport, training_tokens: f64) -> HeadlineLines {
    let m = PAPER_HEADLINE;
    let predicted = r
        .best_perplexity
        .zip(r.perplexity_improvement_pct)
        .map(|(best, pct)| {
            format!(
                "Predicted by the law: perplexity {:.2} → {best:.2} (−{pct:.2} %)",
                r.reference_perplexity
            )
        });
    HeadlineLines {
        predicted,
        measured: format!(
            "Measured in the paper (WikiText-2, trained models, Qwen2.5-0.5B on Jetson Orin): \
             perplexity {:.2} → {:.2} (−{:.2} %) — {}",
            m.reference_ppl, m.codesigned_ppl, m.improvement_pct, m.source
        ),
        meaning: format!(
            "“ppl {:.2}” is exp(predicted loss {:.4}): the law's loss for {reference}'s shape \
             trained on {} tokens (the law's training length), not {reference}'s real \
             perplexity, and not measured on WikiText-2.",
            r.reference_perplexity,
            r.reference_loss,
            tokens_text(training_tokens)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_headline_percentage_follows_from_its_perplexities() {
        // (63.14 − 50.88)/63.14 = 19.417… %, reported as 19.42 %.
        let pct = PAPER_HEADLINE.improvement_from_ppl();
        assert_eq!(
            (pct * 100.0).round() / 100.0,
            PAPER_HEADLINE.improvement_pct
        );
    }

    #[test]
    fn token_counts_read_as_the_page_writes_them() {
        assert_eq!(tokens_text(10e9), "10 B");
        assert_eq!(tokens_text(2.5e12), "2.5 T");
        assert_eq!(tokens_text(300e6), "300 M");
        assert_eq!(tokens_text(512.0), "512");
    }
}
