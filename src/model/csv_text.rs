//! Text-level helpers shared by the CSV importers (loss data, measurements): delimiter
//! detection and line numbers that match what the user sees in the file.

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
pub(crate) fn record_start(bytes: &[u8], mut at: usize) -> usize {
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
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
    pub(crate) line: usize,
}

impl LineCounter<'_> {
    pub(crate) fn line_at(&mut self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        if byte >= self.at {
            self.line += self.bytes[self.at..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        } else {
            self.line -= self.bytes[byte..self.at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        }
        self.at = byte;
        self.line
    }
}
