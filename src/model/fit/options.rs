//! What a user may set about a fit, each setting checked where it is made: the loss (Huber's δ
//! or plain squares), the held-out rows, starts, bootstrap resamples, seed, iteration limit and
//! interval coverage.

use std::fmt;

/// How training and held-out rows are chosen.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Holdout {
    /// The file's split column if it has one, else a seeded random fraction.
    Auto { fraction: f64 },
    /// A seeded random fraction, ignoring any split column.
    Random { fraction: f64 },
    /// Every row trains.
    None,
}

/// Settings of a fit. Values a user types go through the `with_*` setters, which refuse
/// nonsense with a message.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitOptions {
    pub(super) huber_delta: Option<f64>,
    pub(super) holdout: Holdout,
    pub(super) starts: usize,
    pub(super) bootstrap: usize,
    pub(super) seed: u64,
    pub(super) max_iterations: u64,
    pub(super) confidence: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            huber_delta: Some(1e-3),
            holdout: Holdout::Auto { fraction: 0.2 },
            starts: 8,
            bootstrap: 200,
            seed: 0,
            max_iterations: 1000,
            confidence: 0.95,
        }
    }
}

/// A setting refused, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError(pub String);

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fit option: {}", self.0)
    }
}

impl std::error::Error for OptionError {}

fn refuse<T>(msg: String) -> Result<T, OptionError> {
    Err(OptionError(msg))
}

impl FitOptions {
    /// Huber loss with threshold δ on log residuals (δ > 0).
    pub fn with_huber_delta(mut self, delta: f64) -> Result<Self, OptionError> {
        if !(delta > 0.0 && delta.is_finite()) {
            return refuse(format!("Huber δ must be a positive number, found {delta}"));
        }
        self.huber_delta = Some(delta);
        Ok(self)
    }

    /// Plain least squares on log residuals.
    pub fn with_least_squares(mut self) -> Self {
        self.huber_delta = None;
        self
    }

    pub fn with_holdout(mut self, holdout: Holdout) -> Result<Self, OptionError> {
        if let Holdout::Auto { fraction } | Holdout::Random { fraction } = holdout {
            if !(0.0..0.9).contains(&fraction) {
                return refuse(format!(
                    "the held-out fraction must be at least 0 and below 0.9, found {fraction}"
                ));
            }
        }
        self.holdout = holdout;
        Ok(self)
    }

    /// Starts refined after screening (1 to 64).
    pub fn with_starts(mut self, starts: usize) -> Result<Self, OptionError> {
        if !(1..=64).contains(&starts) {
            return refuse(format!("starts must be between 1 and 64, found {starts}"));
        }
        self.starts = starts;
        Ok(self)
    }

    /// Bootstrap resamples (0 turns the bootstrap off; at most 10,000).
    pub fn with_bootstrap(mut self, resamples: usize) -> Result<Self, OptionError> {
        if resamples > 10_000 {
            return refuse(format!(
                "at most 10000 bootstrap resamples, found {resamples}"
            ));
        }
        self.bootstrap = resamples;
        Ok(self)
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Iterations of each solver run (10 to 100,000).
    pub fn with_max_iterations(mut self, n: u64) -> Result<Self, OptionError> {
        if !(10..=100_000).contains(&n) {
            return refuse(format!(
                "the iteration limit must be between 10 and 100000, found {n}"
            ));
        }
        self.max_iterations = n;
        Ok(self)
    }

    /// Coverage of the bootstrap intervals (0.5 to 0.999).
    pub fn with_confidence(mut self, level: f64) -> Result<Self, OptionError> {
        if !(0.5..=0.999).contains(&level) {
            return refuse(format!(
                "the confidence level must be between 0.5 and 0.999, found {level}"
            ));
        }
        self.confidence = level;
        Ok(self)
    }

    pub fn huber_delta(&self) -> Option<f64> {
        self.huber_delta
    }

    pub fn bootstrap(&self) -> usize {
        self.bootstrap
    }
}

/// The fit settings as the form shows them: text as typed, and the least-squares switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FitOptionsText {
    /// Huber's δ (read only without `least_squares`).
    pub huber_delta: String,
    pub least_squares: bool,
    /// Held-out rows, percent.
    pub holdout_pct: String,
    pub bootstrap: String,
    pub starts: String,
}

/// Why the typed fit settings were refused: a field that is not a number, or a number the
/// setter refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FitTextError {
    NotANumber { field: &'static str, found: String },
    NotAWholeNumber { field: &'static str, found: String },
    Refused(OptionError),
}

impl fmt::Display for FitTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitTextError::NotANumber { field, found } => {
                write!(f, "{field}: expected a number, found \"{found}\"")
            }
            FitTextError::NotAWholeNumber { field, found } => {
                write!(f, "{field}: expected a whole number, found \"{found}\"")
            }
            FitTextError::Refused(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FitTextError {}

impl From<OptionError> for FitTextError {
    fn from(e: OptionError) -> Self {
        FitTextError::Refused(e)
    }
}

impl FitOptionsText {
    /// The default options as the form first shows them.
    pub fn new() -> Self {
        FitOptionsText {
            huber_delta: "0.001".into(),
            least_squares: false,
            holdout_pct: "20".into(),
            bootstrap: "200".into(),
            starts: "8".into(),
        }
    }

    /// The options typed, each through its `with_*` setter; the first bad field is named.
    pub fn parse(&self) -> Result<FitOptions, FitTextError> {
        let number = |field: &'static str, t: &str| {
            let t = t.trim();
            t.parse::<f64>().map_err(|_| FitTextError::NotANumber {
                field,
                found: t.to_string(),
            })
        };
        let count = |field: &'static str, t: &str| {
            let t = t.trim();
            t.parse::<usize>()
                .map_err(|_| FitTextError::NotAWholeNumber {
                    field,
                    found: t.to_string(),
                })
        };
        let mut o = FitOptions::default();
        o = if self.least_squares {
            o.with_least_squares()
        } else {
            o.with_huber_delta(number("Huber δ", &self.huber_delta)?)?
        };
        let fraction = number("held-out %", &self.holdout_pct)? / 100.0;
        o = o.with_holdout(Holdout::Auto { fraction })?;
        o = o.with_bootstrap(count("bootstrap resamples", &self.bootstrap)?)?;
        Ok(o.with_starts(count("starts", &self.starts)?)?)
    }
}

impl Default for FitOptionsText {
    fn default() -> Self {
        Self::new()
    }
}
