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

/// Where the published law comes from, as the page says it.
const PUBLISHED_SOURCE: &str = "published law of arXiv 2602.10377 (170 models, 10B tokens each)";

/// Law, data and fit, provided as a context. Panels read the signals and change them through
/// the named actions below.
#[derive(Clone, Copy)]
pub struct LawState {
    /// The law the search and the matched-latency comparison use.
    pub law: ReadSignal<Law>,
    set_law: WriteSignal<Law>,
    /// Where `law` comes from, for the page ("published paper law", "fitted to x.csv").
    pub source: ReadSignal<String>,
    set_source: WriteSignal<String>,
    pub data: ReadSignal<Option<LossData>>,
    set_data: WriteSignal<Option<LossData>>,
    pub report: ReadSignal<Option<FitReport>>,
    set_report: WriteSignal<Option<FitReport>>,
    /// What the fit of the law in use left doubtful (empty for the published law).
    pub concerns: ReadSignal<Vec<Concern>>,
    set_concerns: WriteSignal<Vec<Concern>>,
    /// The range of each quantity in the data the law in use was fitted to, so the page can
    /// say where the search extrapolates (empty for the published law).
    pub ranges: ReadSignal<Vec<DataRange>>,
    set_ranges: WriteSignal<Vec<DataRange>>,
}

impl LawState {
    pub fn new() -> Self {
        let (law, set_law) = signal(Law::Paper(PaperLaw::published()));
        let (source, set_source) = signal(PUBLISHED_SOURCE.to_string());
        let (data, set_data) = signal(None);
        let (report, set_report) = signal(None);
        let (concerns, set_concerns) = signal(Vec::new());
        let (ranges, set_ranges) = signal(Vec::new());
        LawState {
            law,
            set_law,
            source,
            set_source,
            data,
            set_data,
            report,
            set_report,
            concerns,
            set_concerns,
            ranges,
            set_ranges,
        }
    }

    /// The search uses `law` from now on, said to come from `source`, with what its fit left
    /// doubtful and the ranges of the data it was fitted to.
    pub fn use_law(
        &self,
        law: Law,
        source: String,
        concerns: Vec<Concern>,
        ranges: Vec<DataRange>,
    ) {
        self.set_ranges.set(ranges);
        self.set_concerns.set(concerns);
        self.set_law.set(law);
        self.set_source.set(source);
    }

    /// The search uses the published law again.
    pub fn use_published(&self) {
        self.use_law(
            Law::Paper(PaperLaw::published()),
            PUBLISHED_SOURCE.to_string(),
            Vec::new(),
            Vec::new(),
        );
    }

    /// Loss data to fit (`None`: none loaded).
    pub fn set_data(&self, data: Option<LossData>) {
        self.set_data.set(data);
    }

    /// The last fit's report (`None`: no fit yet).
    pub fn set_report(&self, report: Option<FitReport>) {
        self.set_report.set(report);
    }
}
