//! `f64` fields that may hold NaN or ±∞ (a bootstrap interval of an unidentified parameter,
//! a prediction that overflowed) travel through JSON (worker replies, sessions) as the text
//! "NaN", "inf" or "-inf": plain serde_json writes them as `null`, which then fails to read
//! back as a number, and the whole reply was lost ("unreadable reply from the worker").
//! Use with `#[serde(with = "crate::model::json_float")]`.

use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else if x.is_nan() {
        s.serialize_str("NaN")
    } else if *x > 0.0 {
        s.serialize_str("inf")
    } else {
        s.serialize_str("-inf")
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(f64),
    Text(String),
    Null(()),
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match NumberOrText::deserialize(d)? {
        NumberOrText::Number(x) => Ok(x),
        NumberOrText::Text(t) => match t.as_str() {
            "NaN" => Ok(f64::NAN),
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            _ => Err(serde::de::Error::custom(format!(
                "expected a number, \"NaN\", \"inf\" or \"-inf\", found \"{t}\""
            ))),
        },
        // Written by versions before this module: the value was not finite.
        NumberOrText::Null(()) => Ok(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug)]
    struct T {
        #[serde(with = "super")]
        x: f64,
    }

    #[test]
    fn non_finite_numbers_survive_json() {
        for x in [1.5, f64::INFINITY, f64::NEG_INFINITY, -0.25] {
            let back: T = serde_json::from_str(&serde_json::to_string(&T { x }).unwrap()).unwrap();
            assert_eq!(back.x, x);
        }
        let nan: T =
            serde_json::from_str(&serde_json::to_string(&T { x: f64::NAN }).unwrap()).unwrap();
        assert!(nan.x.is_nan());
        let old: T = serde_json::from_str(r#"{"x":null}"#).unwrap();
        assert!(old.x.is_nan());
        assert!(serde_json::from_str::<T>(r#"{"x":"many"}"#).is_err());
    }
}
