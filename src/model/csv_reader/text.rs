//! Text-level rules of the CSV reader: the delimiter and line numbers that match what the user
//! sees in the file (the csv crate counts records, not the comment and blank lines it skips).

/// Picks the delimiter that occurs most often outside quotes on the first content line.
pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Where a record really starts: csv reports the end of the previous one, before the blank
/// and comment lines it skipped.
fn record_start(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\n' | b'\r' => at += 1,
            b'#' if at == 0 || bytes[at - 1] == b'\n' || bytes[at - 1] == b'\r' => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            _ => break,
        }
    }
    at
}

/// Counts lines incrementally as records advance through the text.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record csv places at `byte` (see [`record_start`]).
    pub(crate) fn line_of_record(&mut self, byte: usize) -> usize {
        let start = record_start(self.bytes, byte);
        self.line_at(start)
    }

    fn line_at(&mut self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        if byte >= self.at {
            self.line += self.breaks(self.at, byte);
        } else {
            self.line -= self.breaks(byte, self.at);
        }
        self.at = byte;
        self.line
    }

    /// Line breaks in `bytes[from..to]`: `\n`, `\r\n` or a lone `\r` (old Mac files; csv reads
    /// it as a record end too).
    fn breaks(&self, from: usize, to: usize) -> usize {
        (from..to)
            .filter(|&i| match self.bytes[i] {
                b'\n' => true,
                b'\r' => self.bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .count()
    }
}
