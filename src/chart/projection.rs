//! The pixel ↔ data mapping of a chart, kept apart from drawing so the UI can hit-test,
//! zoom and pan without touching plotters (as chartistry's `projection.rs` does).
//!
//! Pixels are backend pixels (the canvas backing store, i.e. CSS pixels × device pixel
//! ratio), `x` grows rightwards and `y` downwards. The mapping is the one plotters uses for
//! its own axes: the data range `lo..hi` spans the plot from its first to its last pixel,
//! linearly in the value or, on log axes, in its logarithm.

/// One axis: the data range shown and whether it is logarithmic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

/// A rectangle in backend pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelRect {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl PixelRect {
    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// Closed containment, so points on the edge count as inside.
    pub fn contains(&self, px: f64, py: f64) -> bool {
        px >= self.left && px <= self.right() && py >= self.top && py <= self.bottom()
    }

    /// The rectangle spanned by two corners in any order (a drag box).
    pub fn from_corners(a: (f64, f64), b: (f64, f64)) -> PixelRect {
        PixelRect {
            left: a.0.min(b.0),
            top: a.1.min(b.1),
            width: (a.0 - b.0).abs(),
            height: (a.1 - b.1).abs(),
        }
    }
}

/// Default ranges when there is nothing to fit: a unit interval, or one decade.
const EMPTY_LINEAR: (f64, f64) = (0.0, 1.0);
const EMPTY_LOG: (f64, f64) = (1.0, 10.0);

impl Axis {
    /// An axis if the range is usable: finite, increasing, positive on log axes, and wide
    /// enough that `f64` can still tell its ends apart (deep zooms stop there).
    pub fn checked(lo: f64, hi: f64, log: bool) -> Option<Axis> {
        let axis = Axis { lo, hi, log };
        let (ulo, uhi) = (axis.forward(lo), axis.forward(hi));
        let resolvable = uhi - ulo > 1e-12 * ulo.abs().max(uhi.abs()).max(f64::MIN_POSITIVE);
        (lo.is_finite() && hi.is_finite() && ulo.is_finite() && uhi.is_finite() && resolvable)
            .then_some(axis)
    }

    /// The range covering `values`, padded by `pad_fraction` of its span on each side
    /// (in log space on log axes). Non-finite values, and on log axes non-positive ones,
    /// are ignored, since they cannot be drawn. No values: `0..1` (linear) or `1..10`
    /// (log). A single value is widened so it sits in the middle of a real range.
    pub fn auto(values: impl IntoIterator<Item = f64>, log: bool, pad_fraction: f64) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            if v.is_finite() && (!log || v > 0.0) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if lo > hi {
            let (lo, hi) = if log { EMPTY_LOG } else { EMPTY_LINEAR };
            return Axis { lo, hi, log };
        }
        let axis = Axis { lo, hi, log };
        let no_pad = !(pad_fraction.is_finite() && pad_fraction > 0.0);
        if no_pad && Axis::checked(lo, hi, log).is_some() {
            return axis;
        }
        let (mut ulo, mut uhi) = (axis.forward(lo), axis.forward(hi));
        if Axis::checked(lo, hi, log).is_none() {
            // One value (or a range too thin to resolve): a factor of 2 either side on log
            // axes, 10 % of the value (or ±1 around zero) on linear ones.
            let half = if log {
                std::f64::consts::LN_2
            } else if ulo == 0.0 {
                1.0
            } else {
                0.1 * ulo.abs().max(uhi.abs())
            };
            ulo -= half;
            uhi += half;
        }
        let pad = if no_pad {
            0.0
        } else {
            (uhi - ulo) * pad_fraction
        };
        let widened = Axis {
            lo: axis.inverse(ulo - pad),
            hi: axis.inverse(uhi + pad),
            log,
        };
        Axis::checked(widened.lo, widened.hi, log).unwrap_or_else(|| {
            let (lo, hi) = if log { EMPTY_LOG } else { EMPTY_LINEAR };
            Axis { lo, hi, log }
        })
    }

    /// The range as a tuple, e.g. for `AxisSpec::range` after a zoom.
    pub fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// Value → axis space (its logarithm on log axes). Non-positive values on a log axis
    /// give a non-finite result, which callers treat as "not drawable".
    pub fn forward(&self, v: f64) -> f64 {
        if self.log {
            v.ln()
        } else {
            v
        }
    }

    /// Axis space → value.
    pub fn inverse(&self, u: f64) -> f64 {
        if self.log {
            u.exp()
        } else {
            u
        }
    }

    /// Where `v` sits between `lo` (0) and `hi` (1).
    pub fn fraction(&self, v: f64) -> f64 {
        let (ulo, uhi) = (self.forward(self.lo), self.forward(self.hi));
        (self.forward(v) - ulo) / (uhi - ulo)
    }

    /// The value at fraction `t` of the range.
    pub fn at_fraction(&self, t: f64) -> f64 {
        let (ulo, uhi) = (self.forward(self.lo), self.forward(self.hi));
        self.inverse(ulo + t * (uhi - ulo))
    }

    /// The sub-range between fractions `t0` and `t1` (either order), or `None` if it is
    /// not a usable axis (overflow, or too thin to resolve).
    pub fn between_fractions(&self, t0: f64, t1: f64) -> Option<Axis> {
        let (a, b) = (self.at_fraction(t0.min(t1)), self.at_fraction(t0.max(t1)));
        Axis::checked(a, b, self.log)
    }

    /// Tick positions for at most about `max_major` labelled ticks, and never fewer than
    /// [`MIN_TICKS`] (one or two labels cannot tell a reader the scale of a narrow chart), with
    /// unlabelled minor ticks for the light grid. Linear axes step by 1, 2 or 5 × 10ᵏ. Log
    /// axes put labels on powers of ten (every k-th one when there are many decades) and fall
    /// back to 1-2-5 × 10ᵏ, 1-3 × 10ᵏ, every mantissa, then linear steps, when the range is
    /// too short to hold three powers.
    pub fn ticks(&self, max_major: usize) -> Ticks {
        let max_major = max_major.max(MIN_TICKS);
        let linear = linear_ticks(self.lo, self.hi, max_major);
        if !self.log {
            return linear;
        }
        // The first log choice that fits; else the log choice with the fewest labels that has
        // enough, if it is not crowded; linear steps last (on a log axis they bunch at the top
        // end: 1000, 2000 and 3000 on a 20–3000 ms axis).
        let choices = self.log_ticks(max_major);
        let enough = |t: &&Ticks| t.major.len() >= MIN_TICKS;
        let limit = max_major.max(4);
        if let Some(t) = choices
            .iter()
            .filter(enough)
            .find(|t| t.major.len() <= limit)
        {
            return t.clone();
        }
        choices
            .iter()
            .filter(enough)
            .filter(|t| t.major.len() <= 2 * limit)
            .min_by_key(|t| t.major.len())
            .cloned()
            .unwrap_or(linear)
    }

    /// Log tick choices in order of preference: powers of ten (every k-th, then every one),
    /// then mantissas 1-2-5, 1-3 and 1…9 of each decade.
    fn log_ticks(&self, max_major: usize) -> Vec<Ticks> {
        let (ulo, uhi) = (self.lo.log10(), self.hi.log10());
        let eps = 1e-9;
        let first = (ulo - eps).ceil() as i32;
        let last = (uhi + eps).floor() as i32;
        let in_range = |v: f64| v >= self.lo * (1.0 - eps) && v <= self.hi * (1.0 + eps);
        let decades = last - first + 1;
        let mut choices = Vec::new();
        if decades >= 2 {
            // Every `stride`-th power: the widest stride that labels enough of them, then all.
            let wanted = (decades as usize).div_ceil(max_major).max(1) as i32;
            let labelled =
                |stride: i32| (first..=last).filter(|p| p.rem_euclid(stride) == 0).count();
            let widest = (1..=wanted)
                .rev()
                .find(|&s| labelled(s) >= MIN_TICKS)
                .unwrap_or(1);
            for stride in [widest, 1] {
                let mut major = Vec::new();
                let mut minor = Vec::new();
                for p in (first - 1)..=last {
                    if p >= first {
                        if p.rem_euclid(stride) == 0 {
                            major.push(scaled(1, p));
                        } else {
                            minor.push(scaled(1, p));
                        }
                    }
                    if stride == 1 {
                        minor.extend((2..=9).map(|m| scaled(m, p)).filter(|&v| in_range(v)));
                    }
                }
                choices.push(Ticks {
                    major,
                    minor,
                    labels: LabelStyle::Significant,
                });
            }
        }
        for mantissas in [&[1, 2, 5][..], &[1, 3], &[1, 2, 3, 4, 5, 6, 7, 8, 9]] {
            let mut major = Vec::new();
            for p in (first - 2)..=(last + 1) {
                major.extend(
                    mantissas
                        .iter()
                        .map(|&m| scaled(m, p))
                        .filter(|&v| in_range(v)),
                );
            }
            choices.push(Ticks {
                major,
                minor: Vec::new(),
                labels: LabelStyle::Significant,
            });
        }
        choices
    }
}

/// Fewest labelled ticks an axis gets: with two, a reader cannot see whether the scale is
/// linear or logarithmic, and with one not even its direction.
pub const MIN_TICKS: usize = 3;

/// Labelled and unlabelled tick positions of an axis, and how to print the labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    pub major: Vec<f64>,
    pub minor: Vec<f64>,
    labels: LabelStyle,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum LabelStyle {
    /// Each label to three significant digits (log ticks, grid values).
    Significant,
    /// Enough decimals to tell ticks 10^`exponent` apart; scientific beyond 1e5 or below
    /// 1e-3.
    Step { exponent: i32, scientific: bool },
}

impl Ticks {
    /// Ticks at given values (e.g. the grid of a heatmap), labelled to three significant
    /// digits.
    pub fn at(values: Vec<f64>) -> Ticks {
        Ticks {
            major: values,
            minor: Vec::new(),
            labels: LabelStyle::Significant,
        }
    }

    /// The label of a tick value.
    pub fn label(&self, v: f64) -> String {
        match self.labels {
            LabelStyle::Significant => format_significant(v),
            LabelStyle::Step {
                exponent,
                scientific,
            } => format_step(v, exponent, scientific),
        }
    }
}

/// Ticks at multiples of the smallest 1-2-5 step that gives at most `max_major` of them, or
/// of a smaller step when that leaves fewer than [`MIN_TICKS`] in the range (a step of 5
/// over 0.1..9.9 lands once).
fn linear_ticks(lo: f64, hi: f64, max_major: usize) -> Ticks {
    let raw = (hi - lo) / max_major as f64;
    let mut exponent = raw.log10().floor() as i32;
    let mut mantissa = [1, 2, 5, 10]
        .into_iter()
        .find(|&m| scaled(m, exponent) >= raw * (1.0 - 1e-9))
        .unwrap_or(10);
    if mantissa == 10 {
        mantissa = 1;
        exponent += 1;
    }
    let count = |m: i64, e: i32| {
        let step = scaled(m, e);
        ((hi / step + 1e-9).floor() - (lo / step - 1e-9).ceil() + 1.0).max(0.0) as usize
    };
    for _ in 0..4 {
        if count(mantissa, exponent) >= MIN_TICKS {
            break;
        }
        (mantissa, exponent) = match mantissa {
            5 => (2, exponent),
            2 => (1, exponent),
            _ => (5, exponent - 1),
        };
    }
    let step = scaled(mantissa, exponent);
    let (minor_mantissa, minor_exponent) = match mantissa {
        1 => (2, exponent - 1),
        2 => (5, exponent - 1),
        _ => (1, exponent),
    };
    let multiples = |m: i64, e: i32| {
        let step = scaled(m, e);
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        (first..=last).map(move |k| scaled(k * m, e))
    };
    let major: Vec<f64> = multiples(mantissa, exponent).collect();
    let minor = multiples(minor_mantissa, minor_exponent)
        .filter(|v| ((v / step).round() - v / step).abs() > 1e-6)
        .collect();
    let largest = lo.abs().max(hi.abs());
    Ticks {
        major,
        minor,
        labels: LabelStyle::Step {
            exponent,
            scientific: !(1e-3..1e5).contains(&largest),
        },
    }
}

/// `m × 10^e`, rounded once, so ticks print as the decimals they are (`3.3`, not
/// `3.3000000000000003`).
fn scaled(m: i64, e: i32) -> f64 {
    if e < 0 {
        m as f64 / 10f64.powi(-e)
    } else {
        m as f64 * 10f64.powi(e)
    }
}

/// Three significant digits, scientific beyond 1e5 or below 1e-3 (`1e6`, `2.5e-5`, `0.002`,
/// `1024`).
fn format_significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".to_string();
    }
    let exponent = v.abs().log10().floor() as i32;
    if !(-3..5).contains(&exponent) {
        trim_scientific(&format!("{:.2e}", v))
    } else {
        trim_decimals(format!("{:.*}", (2 - exponent).max(0) as usize, v))
    }
}

fn format_step(v: f64, step_exponent: i32, scientific: bool) -> String {
    // Snapping near-zero values (and -0) to 0 keeps "-0.0" off the axis.
    let v = if v.abs() < scaled(1, step_exponent) * 1e-6 {
        0.0
    } else {
        v
    };
    if scientific && v == 0.0 {
        "0".to_string()
    } else if scientific {
        let exponent = v.abs().log10().floor() as i32;
        let decimals = (exponent - step_exponent).clamp(0, 15) as usize;
        trim_scientific(&format!("{:.*e}", decimals, v))
    } else {
        format!("{:.*}", (-step_exponent).max(0) as usize, v)
    }
}

fn trim_decimals(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn trim_scientific(s: &str) -> String {
    match s.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{}", trim_decimals(mantissa.into()), exponent),
        None => s.to_string(),
    }
}

/// The mapping between data and backend pixels for one plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    pub x: Axis,
    pub y: Axis,
    /// The plot area: `x.lo` maps to `left`, `x.hi` to `left + width`, `y.lo` to
    /// `top + height` and `y.hi` to `top`.
    pub plot: PixelRect,
}

impl Projection {
    /// Data → pixel. Values a log axis cannot show (≤ 0) give non-finite pixels.
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.plot.left + self.x.fraction(x) * self.plot.width,
            self.plot.top + (1.0 - self.y.fraction(y)) * self.plot.height,
        )
    }

    /// Pixel → data, the inverse of [`Projection::to_pixel`]; pixels outside the plot give
    /// values outside the axis ranges.
    pub fn to_data(&self, px: f64, py: f64) -> (f64, f64) {
        (
            self.x.at_fraction((px - self.plot.left) / self.plot.width),
            self.y
                .at_fraction(1.0 - (py - self.plot.top) / self.plot.height),
        )
    }

    /// Pixels of many points at once, e.g. to build a
    /// [`NearestIndex`](super::nearest::NearestIndex) after a static redraw.
    pub fn to_pixels(&self, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
        points.iter().map(|&(x, y)| self.to_pixel(x, y)).collect()
    }

    /// The view of a drag box (any pixel rectangle, usually inside the plot). `None` when
    /// the box is thinner than a pixel, i.e. a click rather than a drag, or would zoom
    /// past what `f64` resolves.
    pub fn zoomed(&self, rect: PixelRect) -> Option<Projection> {
        if !(rect.width >= 1.0 && rect.height >= 1.0) {
            return None;
        }
        let fx = |px: f64| (px - self.plot.left) / self.plot.width;
        let fy = |py: f64| 1.0 - (py - self.plot.top) / self.plot.height;
        Some(Projection {
            x: self.x.between_fractions(fx(rect.left), fx(rect.right()))?,
            y: self.y.between_fractions(fy(rect.bottom()), fy(rect.top))?,
            plot: self.plot,
        })
    }

    /// The view after dragging the content by `(dx, dy)` pixels: whatever was drawn at
    /// pixel `p` is drawn at `p + (dx, dy)`. An axis that would overflow stays put.
    pub fn panned(&self, dx: f64, dy: f64) -> Projection {
        let tx = dx / self.plot.width;
        let ty = dy / self.plot.height;
        Projection {
            x: self.x.between_fractions(-tx, 1.0 - tx).unwrap_or(self.x),
            y: self.y.between_fractions(ty, 1.0 + ty).unwrap_or(self.y),
            plot: self.plot,
        }
    }

    /// The view after zooming by `factor` (> 1 zooms in) around pixel `(px, py)`, which
    /// keeps showing the same data point (the wheel zoom). An axis that would become
    /// unusable stays put, so zooming stops at the limit of `f64` resolution.
    pub fn zoom_at(&self, px: f64, py: f64, factor: f64) -> Projection {
        if !(factor.is_finite() && factor > 0.0) {
            return *self;
        }
        let tx = (px - self.plot.left) / self.plot.width;
        let ty = 1.0 - (py - self.plot.top) / self.plot.height;
        let around = |axis: Axis, t: f64| {
            axis.between_fractions(t - t / factor, t + (1.0 - t) / factor)
                .unwrap_or(axis)
        };
        Projection {
            x: around(self.x, tx),
            y: around(self.y, ty),
            plot: self.plot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot() -> PixelRect {
        PixelRect {
            left: 50.0,
            top: 20.0,
            width: 700.0,
            height: 400.0,
        }
    }

    fn projection(xlog: bool, ylog: bool) -> Projection {
        Projection {
            x: Axis::checked(0.5, 2000.0, xlog).unwrap(),
            y: Axis::checked(1.5, 4.0, ylog).unwrap(),
            plot: plot(),
        }
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
    }

    #[test]
    fn round_trip_both_ways_linear_and_log() {
        for (xlog, ylog) in [(false, false), (true, false), (false, true), (true, true)] {
            let p = projection(xlog, ylog);
            for &(x, y) in &[
                (0.5, 1.5),
                (2000.0, 4.0),
                (1.0, 2.0),
                (777.7, 3.25),
                (3e4, 0.9),
            ] {
                let (px, py) = p.to_pixel(x, y);
                let (x2, y2) = p.to_data(px, py);
                assert!(
                    close(x, x2, 1e-9) && close(y, y2, 1e-9),
                    "{x},{y} -> {x2},{y2}"
                );
            }
            for &(px, py) in &[(50.0, 20.0), (750.0, 420.0), (123.4, 321.0), (-10.0, 500.0)] {
                let (x, y) = p.to_data(px, py);
                let (px2, py2) = p.to_pixel(x, y);
                assert!(close(px, px2, 1e-9) && close(py, py2, 1e-9));
            }
        }
    }

    #[test]
    fn corners_map_to_plot_edges_with_y_up() {
        let p = projection(true, false);
        assert_eq!(p.to_pixel(0.5, 1.5), (50.0, 420.0));
        assert_eq!(p.to_pixel(2000.0, 4.0), (750.0, 20.0));
        // Log axis: the geometric mean sits in the middle.
        let mid = (0.5f64 * 2000.0).sqrt();
        assert!(close(p.to_pixel(mid, 2.75).0, 400.0, 1e-12));
        assert!(close(p.to_pixel(mid, 2.75).1, 220.0, 1e-12));
    }

    #[test]
    fn log_axis_gives_non_finite_pixels_for_non_positive_values() {
        let p = projection(true, true);
        assert!(!p.to_pixel(0.0, 2.0).0.is_finite());
        assert!(!p.to_pixel(1.0, -2.0).1.is_finite());
    }

    #[test]
    fn auto_ignores_what_cannot_be_drawn() {
        let a = Axis::auto([f64::NAN, 2.0, f64::INFINITY, 8.0, -3.0, 0.0], true, 0.0);
        assert_eq!((a.lo, a.hi), (2.0, 8.0));
        let a = Axis::auto([f64::NAN, 2.0, 8.0, -3.0], false, 0.0);
        assert_eq!((a.lo, a.hi), (-3.0, 8.0));
    }

    #[test]
    fn auto_pads_in_axis_space() {
        let a = Axis::auto([0.0, 10.0], false, 0.1);
        assert!(close(a.lo, -1.0, 1e-12) && close(a.hi, 11.0, 1e-12));
        let a = Axis::auto([1.0, 100.0], true, 0.5);
        assert!(close(a.lo, 0.1, 1e-12) && close(a.hi, 1000.0, 1e-12));
    }

    #[test]
    fn auto_defaults_when_empty_and_widens_a_single_value() {
        assert_eq!(Axis::auto([], false, 0.05).range(), (0.0, 1.0));
        assert_eq!(
            Axis::auto([f64::NAN, -1.0], true, 0.05).range(),
            (1.0, 10.0)
        );
        let a = Axis::auto([5.0, 5.0], false, 0.0);
        assert!(a.lo < 5.0 && a.hi > 5.0 && close(a.lo + a.hi, 10.0, 1e-12));
        let a = Axis::auto([0.0], false, 0.0);
        assert_eq!(a.range(), (-1.0, 1.0));
        let a = Axis::auto([1e-3], true, 0.0);
        assert!(close(a.lo, 5e-4, 1e-12) && close(a.hi, 2e-3, 1e-12));
    }

    #[test]
    fn checked_rejects_unusable_ranges() {
        assert!(Axis::checked(1.0, 2.0, false).is_some());
        assert!(Axis::checked(-1.0, 2.0, false).is_some());
        assert!(Axis::checked(2.0, 1.0, false).is_none());
        assert!(Axis::checked(1.0, 1.0, false).is_none());
        assert!(Axis::checked(f64::NAN, 1.0, false).is_none());
        assert!(Axis::checked(0.0, 1.0, true).is_none());
        assert!(Axis::checked(1.0, f64::INFINITY, false).is_none());
        assert!(Axis::checked(1.0, 1.0 + 1e-15, false).is_none());
    }

    #[test]
    fn drag_box_zoom_shows_exactly_the_box() {
        for (xlog, ylog) in [(false, false), (true, true)] {
            let p = projection(xlog, ylog);
            let b = PixelRect::from_corners((300.0, 300.0), (100.0, 50.0));
            let z = p.zoomed(b).unwrap();
            let (x0, y0) = p.to_data(b.left, b.bottom());
            let (x1, y1) = p.to_data(b.right(), b.top);
            assert!(close(z.x.lo, x0, 1e-12) && close(z.x.hi, x1, 1e-12));
            assert!(close(z.y.lo, y0, 1e-12) && close(z.y.hi, y1, 1e-12));
        }
        let p = projection(false, false);
        assert!(p
            .zoomed(PixelRect::from_corners((10.0, 10.0), (10.5, 90.0)))
            .is_none());
    }

    #[test]
    fn pan_moves_content_with_the_pointer() {
        for (xlog, ylog) in [(false, false), (true, true)] {
            let p = projection(xlog, ylog);
            let q = p.panned(37.0, -12.5);
            let (x, y) = p.to_data(200.0, 100.0);
            let (px, py) = q.to_pixel(x, y);
            assert!(close(px, 237.0, 1e-9) && close(py, 87.5, 1e-9), "{px},{py}");
        }
    }

    #[test]
    fn wheel_zoom_keeps_the_point_under_the_pointer() {
        for (xlog, ylog) in [(false, false), (true, false), (true, true)] {
            let p = projection(xlog, ylog);
            let (px, py) = (222.0, 333.0);
            let anchor = p.to_data(px, py);
            let q = p.zoom_at(px, py, 2.0);
            let after = q.to_pixel(anchor.0, anchor.1);
            assert!(close(after.0, px, 1e-9) && close(after.1, py, 1e-9));
            let span = |a: Axis| a.forward(a.hi) - a.forward(a.lo);
            assert!(close(span(q.x) * 2.0, span(p.x), 1e-9));
            let back = q.zoom_at(px, py, 0.5);
            assert!(close(back.x.lo, p.x.lo, 1e-9) && close(back.y.hi, p.y.hi, 1e-9));
        }
    }

    #[test]
    fn zoom_stops_at_the_resolution_of_f64() {
        let mut p = projection(false, false);
        for _ in 0..200 {
            p = p.zoom_at(300.0, 200.0, 10.0);
        }
        assert!(p.x.lo < p.x.hi && p.y.lo < p.y.hi);
        assert!(Axis::checked(p.x.lo, p.x.hi, false).is_some());
        assert_eq!(p.zoom_at(1.0, 1.0, f64::NAN), p);
    }

    #[test]
    fn linear_ticks_step_by_one_two_five() {
        let t = Axis::checked(0.0, 10.0, false).unwrap().ticks(6);
        assert_eq!(t.major, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        // Minor every 0.5, less the majors.
        assert_eq!(t.minor.len(), 21 - 6);
        let labels: Vec<String> = t.major.iter().map(|&v| t.label(v)).collect();
        assert_eq!(labels, ["0", "2", "4", "6", "8", "10"]);
        let t = Axis::checked(2.31, 2.36, false).unwrap().ticks(5);
        let labels: Vec<String> = t.major.iter().map(|&v| t.label(v)).collect();
        assert_eq!(labels, ["2.31", "2.32", "2.33", "2.34", "2.35", "2.36"]);
        let t = Axis::checked(-0.3, 0.3, false).unwrap().ticks(4);
        let labels: Vec<String> = t.major.iter().map(|&v| t.label(v)).collect();
        assert_eq!(labels, ["-0.2", "0.0", "0.2"]);
        let t = Axis::checked(0.0, 3e9, false).unwrap().ticks(4);
        let labels: Vec<String> = t.major.iter().map(|&v| t.label(v)).collect();
        assert_eq!(labels, ["0", "1e9", "2e9", "3e9"]);
    }

    #[test]
    fn log_ticks_label_powers_of_ten() {
        let t = Axis::checked(0.5, 2000.0, true).unwrap().ticks(10);
        assert_eq!(t.major, vec![1.0, 10.0, 100.0, 1000.0]);
        assert!(t.minor.contains(&2.0) && t.minor.contains(&0.6) && !t.minor.contains(&1.0));
        let labels: Vec<String> = t.major.iter().map(|&v| t.label(v)).collect();
        assert_eq!(labels, ["1", "10", "100", "1000"]);
        // Thirteen powers, five labels at most: every third power.
        let t = Axis::checked(1e-3, 1e9, true).unwrap().ticks(5);
        let labels: Vec<String> = t.major.iter().map(|&v| t.label(v)).collect();
        assert_eq!(labels, ["0.001", "1", "1000", "1e6", "1e9"]);
    }

    #[test]
    fn short_log_ranges_still_get_ticks() {
        // 2 and 5 are too few: every mantissa.
        let t = Axis::checked(1.2, 8.0, true).unwrap().ticks(8);
        assert_eq!(t.major, vec![2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        let t = Axis::checked(3.1, 3.3, true).unwrap().ticks(5);
        assert!(t.major.len() >= 3 && t.major.iter().all(|&v| (3.1..=3.3).contains(&v)));
    }

    /// The fit charts showed one x tick and the phone's latency axis one: every axis, however
    /// narrow the chart (room for 1 or 2 labels), gets at least three labelled ticks inside
    /// its range, and not many more.
    #[test]
    fn narrow_axes_get_at_least_three_ticks() {
        let ranges = [
            (2.9, 3.6, false),
            (0.05, 0.95, false),
            (3.02, 3.09, false),
            (-1.0, 1e6, false),
            (0.5, 2000.0, true),
            (0.8, 15.0, true),
            (0.11, 95.0, true),
            (1.2, 8.0, true),
            (3.1, 3.3, true),
            (1e-3, 1e9, true),
            (12.0, 480.0, true),
        ];
        for (lo, hi, log) in ranges {
            for room in [0, 1, 2, 3] {
                let t = Axis::checked(lo, hi, log).unwrap().ticks(room);
                let inside = t
                    .major
                    .iter()
                    .filter(|&&v| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9))
                    .count();
                assert!(
                    inside >= MIN_TICKS,
                    "{lo}..{hi} log={log} room {room}: {:?}",
                    t.major
                );
                assert!(
                    t.major.len() <= 8,
                    "{lo}..{hi} log={log} room {room}: {:?}",
                    t.major
                );
            }
        }
        // A log range of two powers and a room of two: 1, 2, 5, 10 rather than 1 and 10.
        let t = Axis::checked(0.8, 15.0, true).unwrap().ticks(2);
        assert_eq!(t.major, vec![1.0, 2.0, 5.0, 10.0]);
        // The phone's device comparison: 1-3 steps, not linear 1000, 2000, 3000 bunched at
        // the top of a log axis.
        let t = Axis::checked(17.0, 3300.0, true).unwrap().ticks(3);
        assert_eq!(t.major, vec![30.0, 100.0, 300.0, 1000.0, 3000.0]);
    }

    #[test]
    fn significant_labels() {
        let t = Ticks::at(vec![]);
        assert_eq!(t.label(2304.0), "2304");
        assert_eq!(t.label(0.5), "0.5");
        assert_eq!(t.label(2.5e-5), "2.5e-5");
        assert_eq!(t.label(1e10), "1e10");
        assert_eq!(t.label(123456.0), "1.23e5");
    }
}
