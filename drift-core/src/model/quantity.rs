//! Kubernetes resource quantities (`500m`, `1Gi`, `1e3`), parsed and compared by exact value the way
//! `k8s.io/apimachinery/pkg/api/resource` does.

use std::fmt;

use super::decimal::Decimal;

/// A Kubernetes quantity: the text as written and its exact value.
///
/// Equality and ordering use the value only: `1000m == 1 == 1.0`, `268435456 == 256Mi`, `1Gi != 1G`.
#[derive(Clone, Debug)]
pub struct Quantity {
    text: Box<str>,
    value: Decimal,
}

/// `2^63 - 1`: the cap Kubernetes applies to binary-SI quantities.
const MAX_INT64: &str = "9223372036854775807";

impl Quantity {
    /// Parses a quantity as `resource.ParseQuantity` does (no surrounding whitespace allowed).
    pub fn parse(text: &str) -> Option<Self> {
        let value = parse_value(text)?;
        Some(Quantity { text: text.into(), value })
    }

    /// Rebuilds a quantity from its text and a value computed earlier (snapshot files).
    pub(crate) fn with_value(text: &str, value: Decimal) -> Self {
        Quantity { text: text.into(), value }
    }

    /// The same quantity with its value rounded up to `10^scale` (the API server rounds every
    /// resource list value up to milli units, `scale = -3`).
    pub fn rounded_up(&self, scale: i64) -> Self {
        Quantity { text: self.text.clone(), value: self.value.round_up(scale) }
    }

    /// The text as written in the source.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The exact value.
    pub fn value(&self) -> &Decimal {
        &self.value
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Quantity {}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_value(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    // The signed number: sign, digits, optional dot, digits.
    let mut end = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let mut digits = 0;
    let mut dot = false;
    while end < bytes.len() {
        match bytes[end] {
            b'0'..=b'9' => digits += 1,
            b'.' if !dot => dot = true,
            _ => break,
        }
        end += 1;
    }
    if digits == 0 {
        return None;
    }
    let number = Decimal::parse(&text[..end])?;
    let suffix = &text[end..];
    let (value, binary) = match suffix {
        "" => (number, false),
        "n" => (number.shift(-9), false),
        "u" => (number.shift(-6), false),
        "m" => (number.shift(-3), false),
        "k" => (number.shift(3), false),
        "M" => (number.shift(6), false),
        "G" => (number.shift(9), false),
        "T" => (number.shift(12), false),
        "P" => (number.shift(15), false),
        "E" => (number.shift(18), false),
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
            let power = match suffix {
                "Ki" => 1,
                "Mi" => 2,
                "Gi" => 3,
                "Ti" => 4,
                "Pi" => 5,
                _ => 6,
            };
            let mut value = number;
            for _ in 0..power {
                value = value.mul_small(1024);
            }
            (value, true)
        }
        _ => {
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let body = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let shift: i64 = exponent.parse().ok()?;
            if shift.abs() > 1_000 {
                return None;
            }
            (number.shift(shift), false)
        }
    };
    // Non-zero values are rounded up (away from zero) to nano units; binary values are capped.
    let mut value = value.round_up(-9);
    if binary {
        let max = Decimal::parse(MAX_INT64)?;
        if value.is_negative() {
            let min = Decimal::parse(&format!("-{MAX_INT64}"))?;
            if value < min {
                value = min;
            }
        } else if value > max {
            value = max;
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> String {
        Quantity::parse(text).unwrap_or_else(|| panic!("{text} should parse")).value().to_string()
    }

    #[test]
    fn kubernetes_equivalences() {
        let q = |t: &str| Quantity::parse(t).unwrap_or_else(|| panic!("{t}"));
        assert_eq!(q("1000m"), q("1"));
        assert_eq!(q("1"), q("1.0"));
        assert_eq!(q("0.1"), q("100m"));
        assert_eq!(q("268435456"), q("256Mi"));
        assert_eq!(q("1e3"), q("1k"));
        assert_ne!(q("1Gi"), q("1G"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("0.5"), q("500m"));
    }

    #[test]
    fn values() {
        assert_eq!(value("5n"), "0.000000005");
        assert_eq!(value("3.001n"), "0.000000004");
        assert_eq!(value("1.1E-9"), "0.000000002");
        assert_eq!(value("9Ei"), MAX_INT64);
        assert_eq!(value("100.035Ki"), "102435.84");
        assert_eq!(value(".001"), "0.001");
        assert_eq!(value("1.G"), "1000000000");
        assert_eq!(value("12E"), "12000000000000000000");
    }

    #[test]
    fn invalid() {
        for text in ["", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 "] {
            assert!(Quantity::parse(text).is_none(), "{text:?} must be invalid");
        }
    }
}
