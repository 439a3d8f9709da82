//! Lists of values as people type them in the search-space editor: `4, 8, 12`, ranges
//! `4..32/4` (from 4 to 32 in steps of 4), pairs `8:1` (experts : active), and the word `n_h`.
//! Parsing is total: every input gives values or a message that points at the bad item.

use std::fmt;

/// Most values one list may expand to (a range typo such as `1..1000000` is refused).
pub const MAX_ITEMS: usize = 4096;

/// Why a list was refused: the list's name, the item (1-based) and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListError {
    pub list: String,
    pub item: usize,
    pub problem: String,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, item {}: {}", self.list, self.item, self.problem)
    }
}

impl std::error::Error for ListError {}

/// The items of a list as typed, numbered from 1: separated by commas, semicolons or white space.
pub(crate) fn items(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split([',', ';', ' ', '\t', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(i, s)| (i + 1, s))
}

/// Positive whole numbers with `a..b/step` ranges, sorted and without duplicates.
pub fn parse_counts(list: &str, text: &str) -> Result<Vec<u32>, ListError> {
    let fail = |item: usize, problem: String| ListError {
        list: list.to_string(),
        item,
        problem,
    };
    let mut out = Vec::new();
    for (i, item) in items(text) {
        let one = |s: &str| -> Result<u32, ListError> {
            match s.parse::<u32>() {
                Ok(0) => Err(fail(i, "0 is not allowed; values start at 1".into())),
                Ok(v) => Ok(v),
                Err(_) => Err(fail(i, format!("expected a whole number, found \"{s}\""))),
            }
        };
        if let Some((from, rest)) = item.split_once("..") {
            let (to, step) = rest.split_once('/').unwrap_or((rest, "1"));
            let (from, to, step) = (one(from)?, one(to)?, one(step)?);
            if to < from {
                return Err(fail(i, format!("range {item} ends before it starts")));
            }
            if ((to - from) / step) as usize >= MAX_ITEMS {
                return Err(fail(
                    i,
                    format!("range {item} has more than {MAX_ITEMS} values"),
                ));
            }
            out.extend((from..=to).step_by(step as usize));
        } else {
            out.push(one(item)?);
        }
        if out.len() > MAX_ITEMS {
            return Err(fail(i, format!("more than {MAX_ITEMS} values")));
        }
    }
    if out.is_empty() {
        return Err(fail(1, "the list is empty".into()));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Positive finite numbers (e.g. FFN ratios), sorted and without duplicates.
pub fn parse_positive(list: &str, text: &str) -> Result<Vec<f64>, ListError> {
    let mut out = Vec::new();
    for (i, item) in items(text) {
        match item.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => out.push(v),
            _ => {
                return Err(ListError {
                    list: list.to_string(),
                    item: i,
                    problem: format!("expected a positive number, found \"{item}\""),
                })
            }
        }
        if out.len() > MAX_ITEMS {
            return Err(ListError {
                list: list.to_string(),
                item: i,
                problem: format!("more than {MAX_ITEMS} values"),
            });
        }
    }
    if out.is_empty() {
        return Err(ListError {
            list: list.to_string(),
            item: 1,
            problem: "the list is empty".into(),
        });
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    Ok(out)
}

/// Pairs `a:b` of positive whole numbers (experts : active), in the order given, deduplicated.
pub fn parse_pairs(list: &str, text: &str) -> Result<Vec<(u32, u32)>, ListError> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (i, item) in items(text) {
        let fail = |problem: String| ListError {
            list: list.to_string(),
            item: i,
            problem,
        };
        let (a, b) = item
            .split_once(':')
            .ok_or_else(|| fail(format!("expected a pair such as 8:1, found \"{item}\"")))?;
        let num = |s: &str| match s.trim().parse::<u32>() {
            Ok(v) if v > 0 => Ok(v),
            _ => Err(fail(format!(
                "expected a pair of whole numbers from 1, found \"{item}\""
            ))),
        };
        let pair = (num(a)?, num(b)?);
        if !out.contains(&pair) {
            out.push(pair);
        }
        if out.len() > MAX_ITEMS {
            return Err(fail(format!("more than {MAX_ITEMS} values")));
        }
    }
    if out.is_empty() {
        return Err(ListError {
            list: list.to_string(),
            item: 1,
            problem: "the list is empty".into(),
        });
    }
    Ok(out)
}

/// Counts written back compactly: `4..32/4` when evenly spaced (4 or more values), else a list.
pub fn format_counts(values: &[u32]) -> String {
    if values.len() >= 4 {
        let step = values[1] - values[0];
        if step > 0 && values.windows(2).all(|w| w[1] - w[0] == step) {
            let (a, b) = (values[0], values[values.len() - 1]);
            return if step == 1 {
                format!("{a}..{b}")
            } else {
                format!("{a}..{b}/{step}")
            };
        }
    }
    values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a parameter count as people write it: `350M`, `1.5B` (or `1.5G`), `2e9`, `500k`;
/// empty is no limit. The message names the field (`label`).
pub fn parse_param_count(label: &str, text: &str) -> Result<Option<f64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1e3),
        Some('M') => (&t[..t.len() - 1], 1e6),
        Some('B') | Some('G') => (&t[..t.len() - 1], 1e9),
        Some('T') => (&t[..t.len() - 1], 1e12),
        _ => (t, 1.0),
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && (v * mult).is_finite() => Ok(Some(v * mult)),
        _ => Err(format!(
            "{label}: expected a parameter count such as 350M or 1.5B, found \"{t}\""
        )),
    }
}

/// A parameter count as [`parse_param_count`] reads it back: `350M`, `1.5B`.
pub fn format_param_count(n: f64) -> String {
    let (v, unit) = if n >= 1e9 {
        (n / 1e9, "B")
    } else if n >= 1e6 {
        (n / 1e6, "M")
    } else if n >= 1e3 {
        (n / 1e3, "k")
    } else {
        (n, "")
    };
    let s = format!("{v:.6}");
    format!("{}{unit}", s.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_counts_read_and_print_back() {
        assert_eq!(parse_param_count("p", " 1.5B "), Ok(Some(1.5e9)));
        assert_eq!(parse_param_count("p", "350m"), Ok(Some(3.5e8)));
        assert_eq!(parse_param_count("p", "2e9"), Ok(Some(2e9)));
        assert_eq!(parse_param_count("p", ""), Ok(None));
        assert_eq!(
            parse_param_count("parameters from", "-1B"),
            Err(
                "parameters from: expected a parameter count such as 350M or 1.5B, found \"-1B\""
                    .into()
            )
        );
        assert!(parse_param_count("p", "abc").is_err());
        assert!(parse_param_count("p", "1e308T").is_err());
        for n in [1.5e9, 3.5e8, 494_032_768.0, 2e3, 12.0] {
            assert_eq!(
                parse_param_count("p", &format_param_count(n)),
                Ok(Some(n)),
                "{n}"
            );
        }
    }

    #[test]
    fn counts_with_ranges_sort_and_dedupe() {
        assert_eq!(
            parse_counts("layers", "4..32/4").unwrap(),
            vec![4, 8, 12, 16, 20, 24, 28, 32]
        );
        assert_eq!(parse_counts("layers", "12, 4 8;4").unwrap(), vec![4, 8, 12]);
        assert_eq!(parse_counts("d", "1..3").unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn counts_errors_point_at_the_item() {
        assert_eq!(
            parse_counts("layers", "4, x, 8").unwrap_err().to_string(),
            "layers, item 2: expected a whole number, found \"x\""
        );
        assert_eq!(
            parse_counts("layers", "0").unwrap_err().to_string(),
            "layers, item 1: 0 is not allowed; values start at 1"
        );
        assert_eq!(
            parse_counts("layers", " ").unwrap_err().to_string(),
            "layers, item 1: the list is empty"
        );
        assert_eq!(
            parse_counts("layers", "9..3").unwrap_err().to_string(),
            "layers, item 1: range 9..3 ends before it starts"
        );
        assert_eq!(
            parse_counts("layers", "1..100000").unwrap_err().to_string(),
            "layers, item 1: range 1..100000 has more than 4096 values"
        );
    }

    #[test]
    fn positive_numbers_and_pairs() {
        assert_eq!(parse_positive("r", "1, 0.5, 1").unwrap(), vec![0.5, 1.0]);
        assert_eq!(
            parse_positive("r", "1, -2").unwrap_err().to_string(),
            "r, item 2: expected a positive number, found \"-2\""
        );
        assert_eq!(
            parse_positive("r", "NaN").unwrap_err().to_string(),
            "r, item 1: expected a positive number, found \"NaN\""
        );
        assert_eq!(
            parse_pairs("experts", "1:1, 8:1 8:1, 16:2").unwrap(),
            vec![(1, 1), (8, 1), (16, 2)]
        );
        assert_eq!(
            parse_pairs("experts", "8").unwrap_err().to_string(),
            "experts, item 1: expected a pair such as 8:1, found \"8\""
        );
    }

    #[test]
    fn formatting_round_trips() {
        for text in ["4..32/4", "768, 1024, 3072", "1..6", "2, 3"] {
            let v = parse_counts("x", text).unwrap();
            assert_eq!(format_counts(&v), text);
            assert_eq!(parse_counts("x", &format_counts(&v)).unwrap(), v);
        }
    }

    #[test]
    fn garbage_never_panics() {
        use rand::{rngs::SmallRng, Rng, SeedableRng};
        let alphabet: Vec<char> = "0123456789.,:;/ -xn_h\u{e9}".chars().collect();
        let mut rng = SmallRng::seed_from_u64(3);
        for _ in 0..100_000 {
            let len = rng.random_range(0..16);
            let s: String = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let _ = parse_counts("x", &s);
            let _ = parse_positive("x", &s);
            let _ = parse_pairs("x", &s);
        }
    }
}
