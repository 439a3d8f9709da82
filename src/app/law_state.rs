//! The scaling law the search uses, the loss data loaded for fitting, and the last fit.

use leptos::prelude::*;

use crate::model::fit::{Concern, DataRange, FitReport};
use crate::model::law::{Law, PaperLaw};
use crate::model::loss_csv::{parse_loss_csv, ColumnMapping, LossTable};

/// The example shipped with the page: losses generated from the published law (synthetic).
pub const EXAMPLE_CSV: &str = include_str!("../../public/examples/synthetic-losses.csv");
pub const EXAMPLE_NAME: &str = "synthetic-losses.csv";

/// A loaded loss file: its text (kept so a new column mapping can re-parse it) and the table.
#[derive(Clone, Debug, PartialEq)]
pub struct LossData {
    pub file_name: String,
    pub text: String,
    pub mapping: ColumnMapping,
    pub table: LossTable,
}

impl LossData {
    /// Parses `text`; on failure the message names the file and nothing is replaced.
    pub fn parse(file_name: &str, text: String, mapping: ColumnMapping) -> Result<Self, String> {
        let table = parse_loss_csv(file_name, &text, Some(&mapping)).map_err(|e| e.to_string())?;
        Ok(LossData {
            file_name: file_name.to_string(),
            text,
            mapping,
            table,
        })
    }

    /// Whether the file says it is synthetic (the shipped example does, on its first line).
    pub fn is_synthetic(&self) -> bool {
        self.text
            .trim_start_matches('\u{feff}')
            .starts_with("# SYNTHETIC")
    }
}

/// Law, data and fit, provided as a context.
#[derive(Clone, Copy)]
pub struct LawState {
    /// The law the search and the matched-latency comparison use.
    pub law: RwSignal<Law>,
    /// Where `law` comes from, for the page ("published paper law", "fitted to x.csv").
    pub source: RwSignal<String>,
    pub data: RwSignal<Option<LossData>>,
    pub report: RwSignal<Option<FitReport>>,
    /// What the fit of the law in use left doubtful (empty for the published law).
    pub concerns: RwSignal<Vec<Concern>>,
    /// The range of each quantity in the data the law in use was fitted to, so the page can
    /// say where the search extrapolates (empty for the published law).
    pub ranges: RwSignal<Vec<DataRange>>,
}

impl LawState {
    pub fn new() -> Self {
        LawState {
            law: RwSignal::new(Law::Paper(PaperLaw::published())),
            source: RwSignal::new(
                "published law of arXiv 2602.10377 (170 models, 10B tokens each)".into(),
            ),
            data: RwSignal::new(None),
            report: RwSignal::new(None),
            concerns: RwSignal::new(Vec::new()),
            ranges: RwSignal::new(Vec::new()),
        }
    }
}
