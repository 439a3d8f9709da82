//! What can be wrong with a CSV file, in one message style for every import:
//! `file.csv line 3, column "loss": expected a number, found "abc"`, or `file.csv: …` for the
//! file as a whole.

use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::fmt;

/// Writes a problem at its place: the file (may be empty), the line and column when known.
pub(crate) fn write_at(
    f: &mut fmt::Formatter<'_>,
    file: &str,
    line: Option<usize>,
    column: Option<&str>,
    message: &str,
) -> fmt::Result {
    f.write_str(file)?;
    let mut sep = if file.is_empty() { "" } else { " " };
    if let Some(l) = line {
        write!(f, "{sep}line {l}")?;
        sep = ", ";
    }
    if let Some(c) = column {
        write!(f, "{sep}column \"{c}\"")?;
    }
    write!(f, ": {message}")
}

/// A problem and its place in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<'a> {
    /// 1-based, as in the file; `None` for the file as a whole.
    pub line: Option<usize>,
    pub column: Option<&'a str>,
    /// What is wrong, without the file name or the place.
    pub message: String,
}

/// A row left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    /// Line in the file, 1-based, counting the header, comments and blank lines.
    pub line: usize,
    /// Header of the offending column; `None` for the row as a whole.
    pub column: Option<String>,
    pub message: String,
}

impl RowIssue {
    /// The message prefixed with the file name, as shown in a list of problems.
    pub fn in_file(&self, file_name: &str) -> String {
        format!("{file_name} {self}")
    }
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_at(
            f,
            "",
            Some(self.line),
            self.column.as_deref(),
            &self.message,
        )
    }
}

/// Problems of a whole file that only one import has (its columns and their meanings).
pub trait OwnProblem {
    fn located(&self) -> Located<'_>;
}

/// For an import with no problems of its own beyond the shared ones.
impl OwnProblem for Infallible {
    fn located(&self) -> Located<'_> {
        match *self {}
    }
}

/// Why a whole file was refused: a problem every CSV can have, or one of the import's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsvErrorKind<K> {
    TooLarge {
        bytes: usize,
        limit: usize,
    },
    TooManyRows {
        limit: usize,
    },
    NoHeader,
    NoDataRows,
    /// Two headers with the same text (after trimming).
    DuplicateHeader {
        header: String,
    },
    /// Text the csv reader cannot read as records.
    Malformed {
        line: Option<usize>,
        message: String,
    },
    /// Every data row has a problem; the first is shown.
    NoGoodRows {
        rows: usize,
        first: RowIssue,
    },
    Own(K),
}

impl<K: OwnProblem> CsvErrorKind<K> {
    pub fn located(&self) -> Located<'_> {
        let whole = |message: String| Located {
            line: None,
            column: None,
            message,
        };
        const MB: f64 = 1024.0 * 1024.0;
        match self {
            CsvErrorKind::TooLarge { bytes, limit } => whole(format!(
                "the file is {:.1} MB; the limit is {} MB",
                *bytes as f64 / MB,
                *limit as f64 / MB
            )),
            CsvErrorKind::TooManyRows { limit } => {
                whole(format!("more than {limit} data rows; the limit is {limit}"))
            }
            CsvErrorKind::NoHeader => {
                whole("no header line (the file is empty or only comments)".to_string())
            }
            CsvErrorKind::NoDataRows => whole("no data rows below the header".to_string()),
            CsvErrorKind::DuplicateHeader { header } => {
                whole(format!("column \"{header}\" appears twice; rename one"))
            }
            CsvErrorKind::Malformed { line, message } => Located {
                line: *line,
                column: None,
                message: message.clone(),
            },
            CsvErrorKind::NoGoodRows { rows, first } => Located {
                line: Some(first.line),
                column: first.column.as_deref(),
                message: format!(
                    "{} (no usable rows: all {rows} rows have problems)",
                    first.message
                ),
            },
            CsvErrorKind::Own(own) => own.located(),
        }
    }
}

/// A refused file, named in its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError<K> {
    pub file_name: String,
    pub kind: CsvErrorKind<K>,
}

impl<K: OwnProblem> fmt::Display for CsvError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.kind.located();
        write_at(f, &self.file_name, at.line, at.column, &at.message)
    }
}

impl<K: OwnProblem + fmt::Debug> std::error::Error for CsvError<K> {}
