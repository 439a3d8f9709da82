//! Numbers as people read them: seconds in ms or µs, bytes in MB/GB, counts with SI prefixes.
//! Non-finite values are shown as "—" so no NaN or infinity reaches the screen.

/// Seconds with a unit that keeps 3–4 significant digits.
pub fn seconds(s: f64) -> String {
    if !s.is_finite() {
        return "—".into();
    }
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// Bytes in decimal units (GB = 1e9, as device specs are stated).
pub fn bytes(b: f64) -> String {
    if !b.is_finite() {
        return "—".into();
    }
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

/// A count with an SI prefix: 494.0 M, 1.24 G, 3.5 T.
pub fn si(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let a = x.abs();
    let (v, p) = if a >= 1e15 {
        (x / 1e15, " P")
    } else if a >= 1e12 {
        (x / 1e12, " T")
    } else if a >= 1e9 {
        (x / 1e9, " G")
    } else if a >= 1e6 {
        (x / 1e6, " M")
    } else if a >= 1e3 {
        (x / 1e3, " k")
    } else {
        (x, " ")
    };
    format!("{v:.3}{p}").trim_end().to_string()
}

/// An integer with thin-space thousands separators: 494 032 768.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() * 4 / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// A plain number with `digits` decimals, "—" when not finite.
pub fn fixed(x: f64, digits: usize) -> String {
    if x.is_finite() {
        format!("{x:.digits$}")
    } else {
        "—".into()
    }
}
