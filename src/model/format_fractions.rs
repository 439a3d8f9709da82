//! Achievable bandwidth fractions of particular weight formats.
//!
//! A runtime reads each weight format through its own kernels, and they do not reach the same
//! share of the rated bandwidth: in the published runs llama.cpp on an M1 Max streams F16
//! weights at about 0.75 of it and Q4_K_M at about 0.44, and on the Orin Nano Super Q8_0
//! runs about 10 % closer to the bound than Q4_K_M. A calibrated device therefore keeps, beside
//! its bandwidth fraction (for every other format), the fractions of the formats its rows
//! measured apart. At most [`MAX_FORMAT_FRACTIONS`]: a fit of a few dozen rows cannot
//! determine more, and the list stays `Copy` for the search's hot path.

use super::weight_format::WeightFormat;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Formats with a fraction of their own, besides the device's own fraction.
pub const MAX_FORMAT_FRACTIONS: usize = 3;

/// One format's fraction of the rated bandwidth, in (0, 1].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormatFraction {
    pub format: WeightFormat,
    pub fraction: f64,
}

/// Up to [`MAX_FORMAT_FRACTIONS`] formats with their own bandwidth fraction, each format once.
/// Serialised as its text, "q8_0=0.56; fp16=0.75", the same in a device's JSON and CSV.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct FormatFractions([Option<FormatFraction>; MAX_FORMAT_FRACTIONS]);

/// Why a list of format fractions was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum FormatFractionsError {
    TooMany(usize),
    Repeated(WeightFormat),
    /// A fraction outside (0, 1], or not a number.
    OutOfRange(WeightFormat, f64),
    /// "Q8_0=0.56" expected; the text found.
    Malformed(String),
}

impl fmt::Display for FormatFractionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatFractionsError::TooMany(n) => write!(
                f,
                "{n} formats given; at most {MAX_FORMAT_FRACTIONS} may have a fraction of their own"
            ),
            FormatFractionsError::Repeated(w) => write!(f, "{w} is given twice"),
            FormatFractionsError::OutOfRange(w, x) => {
                write!(f, "{w}: {x} is not a fraction in (0, 1]")
            }
            FormatFractionsError::Malformed(s) => write!(
                f,
                "'{s}' is not FORMAT=FRACTION (e.g. Q8_0=0.56; entries separated by ';')"
            ),
        }
    }
}

impl std::error::Error for FormatFractionsError {}

impl FormatFractions {
    pub const NONE: FormatFractions = FormatFractions([None; MAX_FORMAT_FRACTIONS]);

    /// Checked: each format once, fractions in (0, 1], at most [`MAX_FORMAT_FRACTIONS`].
    pub fn new(items: &[FormatFraction]) -> Result<FormatFractions, FormatFractionsError> {
        if items.len() > MAX_FORMAT_FRACTIONS {
            return Err(FormatFractionsError::TooMany(items.len()));
        }
        let mut out = FormatFractions::NONE;
        for (k, it) in items.iter().enumerate() {
            if !(it.fraction.is_finite() && it.fraction > 0.0 && it.fraction <= 1.0) {
                return Err(FormatFractionsError::OutOfRange(it.format, it.fraction));
            }
            if items[..k].iter().any(|o| o.format == it.format) {
                return Err(FormatFractionsError::Repeated(it.format));
            }
            out.0[k] = Some(*it);
        }
        Ok(out)
    }

    /// The fraction of `format`, if it has its own.
    pub fn get(&self, format: &WeightFormat) -> Option<f64> {
        self.iter()
            .find(|f| f.format == *format)
            .map(|f| f.fraction)
    }

    pub fn iter(&self) -> impl Iterator<Item = FormatFraction> + '_ {
        self.0.iter().flatten().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0[0].is_none()
    }

    /// "q8_0=0.56; fp16=0.75" (each format's key, as files and URLs name it), the form a
    /// device CSV cell takes ([`FormatFractions::parse`] also reads display names).
    pub fn to_text(&self) -> String {
        self.iter()
            .map(|f| format!("{}={}", f.format.key(), f.fraction))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Reads [`FormatFractions::to_text`]'s form; empty text is no formats.
    pub fn parse(text: &str) -> Result<FormatFractions, FormatFractionsError> {
        let mut items = Vec::new();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let malformed = || FormatFractionsError::Malformed(part.to_string());
            let (format, fraction) = part.split_once('=').ok_or_else(malformed)?;
            let format: WeightFormat = format.trim().parse().map_err(|_| malformed())?;
            let fraction: f64 = fraction.trim().parse().map_err(|_| malformed())?;
            items.push(FormatFraction { format, fraction });
        }
        FormatFractions::new(&items)
    }
}

impl From<FormatFractions> for String {
    fn from(f: FormatFractions) -> String {
        f.to_text()
    }
}

impl TryFrom<String> for FormatFractions {
    type Error = FormatFractionsError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        FormatFractions::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_round_trip_and_bad_lists_are_refused() {
        let f = FormatFractions::parse("Q8_0=0.56; fp16 = 0.75").unwrap();
        assert_eq!(f.get(&"q8_0".parse().unwrap()), Some(0.56));
        assert_eq!(f.get(&"fp16".parse().unwrap()), Some(0.75));
        assert_eq!(f.get(&"q4_k_m".parse().unwrap()), None);
        assert_eq!(FormatFractions::parse(&f.to_text()).unwrap(), f);
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, "\"q8_0=0.56; fp16=0.75\"");
        assert_eq!(serde_json::from_str::<FormatFractions>(&json).unwrap(), f);
        assert!(FormatFractions::parse("").unwrap().is_empty());
        for (bad, starts) in [
            ("Q8_0=1.5", "Q8_0: 1.5 is not a fraction"),
            ("Q8_0=0.5;Q8_0=0.6", "Q8_0 is given twice"),
            ("Q8_0", "'Q8_0' is not FORMAT=FRACTION"),
            ("Q9_9=0.5", "'Q9_9=0.5' is not FORMAT=FRACTION"),
            ("Q8_0=0.5;F16=0.5;Q4_0=0.5;Q6_K=0.5", "4 formats given"),
        ] {
            let e = FormatFractions::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(starts), "{bad}: {e}");
        }
    }
}
