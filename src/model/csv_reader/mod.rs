//! The one CSV front end of every import (loss data, measurements, devices), so a user meets
//! one set of rules and one message style whichever file they load.
//!
//! The rules:
//! * at most [`CsvLimits::max_bytes`] bytes and [`CsvLimits::max_rows`] data rows;
//! * a leading UTF-8 byte-order mark is dropped (spreadsheets write one);
//! * the delimiter is `,`, `;` or tab, whichever occurs most on the first content line;
//! * lines starting with `#` are comments; comments and blank lines are skipped;
//! * the first other line is the header; headers and cells are trimmed; two headers with the
//!   same text are refused; [`normalise_header`] is how importers recognise a header;
//! * a row with another number of fields than the header is a [`RowIssue`], left out;
//! * a file whose data rows all have problems is refused, naming the first;
//! * lines are numbered as in the file: 1-based, header, comments and blank lines counted.
//!
//! Each importer keeps only its own rules: which columns, what they mean, its own problems
//! ([`OwnProblem`]).
//!
//! Where the three former readers disagreed, the stricter or clearer rule was kept for all:
//! the device CSV had no size limit, no BOM or delimiter handling, numbered "rows" without the
//! file name, refused a ragged row with its own wording, said "no devices" for a header alone
//! and listed every bad row of a file with no good one; it now follows the rules above. Headers
//! are read as the measurements import read them ([`normalise_header`]). A lone `\r` now ends a
//! line, as it ends a record.

mod cell;
mod error;
mod header;
mod text;

pub use cell::{number, positive_number};
pub(crate) use error::write_at;
pub use error::{CsvError, CsvErrorKind, Located, OwnProblem, RowIssue};
pub use header::normalise_header;

use std::marker::PhantomData;
use text::{detect_delimiter, LineCounter};

/// How much an import accepts: far above any real file, small enough for a browser tab and for
/// what the import does with each row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvLimits {
    pub max_bytes: usize,
    pub max_rows: usize,
}

/// A data row: its line in the file and its trimmed cells, as many as the header has.
pub struct CsvRow<'r> {
    pub line: usize,
    record: &'r csv::StringRecord,
}

impl CsvRow<'_> {
    /// The trimmed cell of column `i`; empty when the column does not exist.
    pub fn cell(&self, i: usize) -> &str {
        self.record.get(i).unwrap_or("")
    }

    pub fn cells(&self) -> impl Iterator<Item = &str> {
        self.record.iter()
    }
}

/// What [`CsvReader::rows`] read: the good rows and those left out, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvRows<T> {
    pub good: Vec<T>,
    pub issues: Vec<RowIssue>,
}

/// A CSV file read up to its header; `K` is the import's own kind of problem.
pub struct CsvReader<'t, K> {
    file_name: String,
    delimiter: u8,
    headers: Vec<String>,
    header_line: usize,
    limits: CsvLimits,
    records: csv::StringRecordsIntoIter<&'t [u8]>,
    lines: LineCounter<'t>,
    own: PhantomData<K>,
}

impl<'t, K> CsvReader<'t, K> {
    /// Checks the size, finds the delimiter and reads the header. `file_name` only labels
    /// messages.
    pub fn open(file_name: &str, text: &'t str, limits: CsvLimits) -> Result<Self, CsvError<K>> {
        let error = |kind| CsvError {
            file_name: file_name.to_string(),
            kind,
        };
        if text.len() > limits.max_bytes {
            return Err(error(CsvErrorKind::TooLarge {
                bytes: text.len(),
                limit: limits.max_bytes,
            }));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let bytes = text.as_bytes();
        let delimiter = detect_delimiter(text);
        let mut records = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .comment(Some(b'#'))
            .flexible(true)
            .has_headers(false)
            .trim(csv::Trim::All)
            .from_reader(bytes)
            .into_records();
        let mut lines = LineCounter::new(bytes);
        let header = match records.next() {
            None => return Err(error(CsvErrorKind::NoHeader)),
            Some(Err(e)) => return Err(error(malformed(&mut lines, &e))),
            Some(Ok(h)) => h,
        };
        let header_line = lines.line_of_record(byte_of(header.position()));
        let headers: Vec<String> = header.iter().map(str::to_string).collect();
        if headers.iter().all(String::is_empty) {
            return Err(error(CsvErrorKind::NoHeader));
        }
        if let Some(h) = (1..headers.len()).find_map(|i| {
            let h = &headers[i];
            headers[..i].contains(h).then(|| h.clone())
        }) {
            return Err(error(CsvErrorKind::DuplicateHeader { header: h }));
        }
        Ok(CsvReader {
            file_name: file_name.to_string(),
            delimiter,
            headers,
            header_line,
            limits,
            records,
            lines,
            own: PhantomData,
        })
    }

    pub fn delimiter(&self) -> char {
        self.delimiter as char
    }

    /// The headers, trimmed, as written.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The header's line in the file (after comments and blank lines).
    pub fn header_line(&self) -> usize {
        self.header_line
    }

    /// A whole-file error of this file.
    pub fn error(&self, kind: CsvErrorKind<K>) -> CsvError<K> {
        CsvError {
            file_name: self.file_name.clone(),
            kind,
        }
    }

    /// Reads every data row with `read`, keeping the good ones and the issues of the others.
    /// Refuses a file with too many rows, no data rows, or no good row.
    pub fn rows<T>(
        self,
        mut read: impl FnMut(&CsvRow) -> Result<T, RowIssue>,
    ) -> Result<CsvRows<T>, CsvError<K>> {
        let CsvReader {
            file_name,
            headers,
            limits,
            records,
            mut lines,
            ..
        } = self;
        let error = |kind| CsvError {
            file_name: file_name.clone(),
            kind,
        };
        let mut out = CsvRows {
            good: Vec::new(),
            issues: Vec::new(),
        };
        let mut seen = 0usize;
        for record in records {
            let record = record.map_err(|e| error(malformed(&mut lines, &e)))?;
            seen += 1;
            if seen > limits.max_rows {
                let limit = limits.max_rows;
                return Err(error(CsvErrorKind::TooManyRows { limit }));
            }
            let line = lines.line_of_record(byte_of(record.position()));
            if record.len() != headers.len() {
                out.issues.push(RowIssue {
                    line,
                    column: None,
                    message: format!("expected {} fields, found {}", headers.len(), record.len()),
                });
                continue;
            }
            match read(&CsvRow {
                line,
                record: &record,
            }) {
                Ok(row) => out.good.push(row),
                Err(issue) => out.issues.push(issue),
            }
        }
        if seen == 0 {
            return Err(error(CsvErrorKind::NoDataRows));
        }
        if out.good.is_empty() {
            let first = out.issues[0].clone();
            return Err(error(CsvErrorKind::NoGoodRows { rows: seen, first }));
        }
        Ok(out)
    }
}

fn byte_of(position: Option<&csv::Position>) -> usize {
    position.map_or(0, |p| p.byte() as usize)
}

/// A csv error at its line in the file.
fn malformed<K>(lines: &mut LineCounter, e: &csv::Error) -> CsvErrorKind<K> {
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    CsvErrorKind::Malformed {
        line: e
            .position()
            .map(|p| lines.line_of_record(p.byte() as usize)),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text handed in as `&str` cannot fail to decode, so a csv error is made from bytes.
    #[test]
    fn a_csv_error_is_malformed_at_its_line() {
        let bytes = b"a,b\n1,2\n\xff,3\n";
        let e = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..])
            .records()
            .find_map(Result::err)
            .expect("invalid UTF-8 is an error");
        let kind: CsvErrorKind<std::convert::Infallible> =
            malformed(&mut LineCounter::new(bytes), &e);
        let error = CsvError {
            file_name: "f.csv".to_string(),
            kind,
        };
        assert_eq!(
            error.to_string(),
            "f.csv line 3: the file is not valid UTF-8"
        );
    }
}
