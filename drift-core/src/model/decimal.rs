//! Exact decimal numbers: `1.0 == 1`, `1e3 == 1000`, and no binary floating point anywhere.

use std::cmp::Ordering;
use std::fmt;

use compact_str::CompactString;

/// An exact decimal number: `(-1)^neg × digits × 10^exp`.
///
/// `digits` holds the significant digits with no leading or trailing zeros, so every value has one
/// representation and derived equality is numeric equality. Zero has no digits and is never negative.
/// The digits are stored as bytes 0–9 in a compact string (inline up to 24 digits, so most numbers
/// need no allocation).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    neg: bool,
    digits: CompactString,
    exp: i64,
}

impl Decimal {
    /// Zero.
    pub fn zero() -> Self {
        Decimal { neg: false, digits: CompactString::default(), exp: 0 }
    }

    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (at least one mantissa digit, `1.` and `.5` allowed).
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if let Some(&sign @ (b'+' | b'-')) = bytes.first() {
            neg = sign == b'-';
            i = 1;
        }
        let mut mantissa = Vec::with_capacity(bytes.len());
        let mut frac_len: i64 = 0;
        let mut seen_digit = false;
        let mut seen_dot = false;
        while i < bytes.len() {
            match bytes[i] {
                b @ b'0'..=b'9' => {
                    seen_digit = true;
                    mantissa.push(b - b'0');
                    if seen_dot {
                        frac_len += 1;
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => break,
            }
            i += 1;
        }
        if !seen_digit {
            return None;
        }
        let mut exp: i64 = 0;
        if i < bytes.len() {
            if !matches!(bytes[i], b'e' | b'E') {
                return None;
            }
            exp = parse_exponent(&text[i + 1..])?;
        }
        Some(Self::from_parts(neg, mantissa, exp.checked_sub(frac_len)?))
    }

    /// Builds a value from raw base-10 digits (most significant first, any zeros) and an exponent.
    pub(crate) fn from_parts(neg: bool, mut digits: Vec<u8>, mut exp: i64) -> Self {
        let lead = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..lead);
        while digits.last() == Some(&0) {
            digits.pop();
            exp += 1;
        }
        if digits.is_empty() {
            return Self::zero();
        }
        // Bytes 0–9 are valid (control-character) UTF-8.
        let digits = String::from_utf8(digits).map(CompactString::from).unwrap_or_default();
        Decimal { neg, digits, exp }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.neg
    }

    /// The value multiplied by a small factor (exactly).
    pub(crate) fn mul_small(&self, factor: u64) -> Self {
        let mut out: Vec<u8> = Vec::with_capacity(self.digits.len() + 20);
        let mut carry: u128 = 0;
        for &d in self.digits.as_bytes().iter().rev() {
            let v = u128::from(d) * u128::from(factor) + carry;
            out.push((v % 10) as u8);
            carry = v / 10;
        }
        while carry > 0 {
            out.push((carry % 10) as u8);
            carry /= 10;
        }
        out.reverse();
        Self::from_parts(self.neg, out, self.exp)
    }

    /// The value multiplied by `10^shift` (exactly).
    pub(crate) fn shift(&self, shift: i64) -> Self {
        if self.is_zero() {
            return self.clone();
        }
        Decimal { neg: self.neg, digits: self.digits.clone(), exp: self.exp.saturating_add(shift) }
    }

    /// Rounds away from zero to a multiple of `10^scale` (`scale = -3` rounds up to milli units),
    /// as Kubernetes' `inf.RoundUp` does.
    pub(crate) fn round_up(&self, scale: i64) -> Self {
        if self.is_zero() || self.exp >= scale {
            return self.clone();
        }
        // Digits below 10^scale are dropped; since trailing zeros are trimmed they are never all zero.
        let drop = usize::try_from(scale - self.exp).unwrap_or(usize::MAX);
        let keep = self.digits.len().saturating_sub(drop);
        let mut kept: Vec<u8> = self.digits.as_bytes()[..keep].to_vec();
        // Add one unit at 10^scale.
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
        Self::from_parts(self.neg, kept, scale)
    }

    /// Position of the most significant digit: the value lies in `[10^(m-1), 10^m)`.
    fn magnitude(&self) -> i64 {
        self.exp.saturating_add(self.digits.len() as i64)
    }

    /// The value as an `f64` approximation, for display of ratios only.
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// The value as an `i64` when it is an integer in range.
    pub fn to_i64(&self) -> Option<i64> {
        if self.exp < 0 || self.magnitude() > 19 {
            return None;
        }
        let mut v: i128 = 0;
        for &d in self.digits.as_bytes() {
            v = v * 10 + i128::from(d);
        }
        for _ in 0..self.exp {
            v *= 10;
        }
        if self.neg {
            v = -v;
        }
        i64::try_from(v).ok()
    }

    /// Whether the value is an integer.
    pub fn is_integer(&self) -> bool {
        self.exp >= 0
    }
}

fn parse_exponent(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Exponents beyond this are not configuration; refuse rather than allocate.
    let value: i64 = digits.parse().ok().filter(|v: &i64| *v <= 1_000_000)?;
    Some(if neg { -value } else { value })
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => return Ordering::Greater,
            (true, false) => return Ordering::Less,
            _ => {}
        }
        let magnitude = match (self.is_zero(), other.is_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self.magnitude().cmp(&other.magnitude()).then_with(|| self.digits.cmp(&other.digits)),
        };
        if self.neg { magnitude.reverse() } else { magnitude }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    /// Plain notation when the exponent is modest (`0.001`, `1500`), scientific otherwise (`1e30`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        if self.neg {
            f.write_str("-")?;
        }
        let digits: String = self.digits.as_bytes().iter().map(|d| char::from(b'0' + d)).collect();
        let magnitude = self.magnitude();
        if self.exp >= 0 && self.exp <= 21 {
            write!(f, "{digits}{}", "0".repeat(self.exp as usize))
        } else if self.exp < 0 && magnitude > 0 {
            let (int, frac) = digits.split_at(magnitude as usize);
            write!(f, "{int}.{frac}")
        } else if self.exp < 0 && magnitude > -21 {
            write!(f, "0.{}{digits}", "0".repeat((-magnitude) as usize))
        } else {
            let (first, rest) = digits.split_at(1);
            let e = magnitude - 1;
            if rest.is_empty() { write!(f, "{first}e{e}") } else { write!(f, "{first}.{rest}e{e}") }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn equal_forms() {
        for (a, b) in [
            ("1", "1.0"),
            ("1", "1.000"),
            ("1000", "1e3"),
            ("1000", "1E+3"),
            ("0.1", ".1"),
            ("0.1", "1e-1"),
            ("0", "-0"),
            ("0", "0.000"),
            ("+5", "5"),
            ("100", "100.0"),
            ("1.", "1"),
            ("123456789012345678901234567890", "1.2345678901234567890123456789e29"),
        ] {
            assert_eq!(d(a), d(b), "{a} == {b}");
            assert_eq!(d(a).cmp(&d(b)), Ordering::Equal);
        }
    }

    #[test]
    fn no_float_error() {
        // 0.1 + 0.2 style: these are different decimals, and 0.3 is exactly 0.3.
        assert_ne!(d("0.30000000000000004"), d("0.3"));
        assert_eq!(d("0.3"), d("3e-1"));
    }

    #[test]
    fn ordering() {
        let mut values: Vec<Decimal> =
            ["10", "-1", "0", "0.5", "-0.5", "2", "1e2", "99.99", "-100"].iter().map(|t| d(t)).collect();
        values.sort();
        let printed: Vec<String> = values.iter().map(ToString::to_string).collect();
        assert_eq!(printed, ["-100", "-1", "-0.5", "0", "0.5", "2", "10", "99.99", "100"]);
    }

    #[test]
    fn rejects() {
        for text in ["", "-", ".", "1.2.3", "1e", "1e+", "abc", "1x", "1 ", " 1", "e5", "1e99999999"] {
            assert!(Decimal::parse(text).is_none(), "{text:?} must not parse");
        }
    }

    #[test]
    fn round_up_to_scale() {
        assert_eq!(d("0.0001").round_up(-3), d("0.001"));
        assert_eq!(d("0.0011").round_up(-3), d("0.002"));
        assert_eq!(d("0.999").round_up(-3), d("0.999"));
        assert_eq!(d("0.9991").round_up(-3), d("1"));
        assert_eq!(d("-0.0001").round_up(-3), d("-0.001"));
        assert_eq!(d("3.001e-9").round_up(-9), d("4e-9"));
        assert_eq!(d("12").round_up(-9), d("12"));
    }

    #[test]
    fn display_and_integers() {
        assert_eq!(d("1.50").to_string(), "1.5");
        assert_eq!(d("1e30").to_string(), "1e30");
        assert_eq!(d("0.00012").to_string(), "0.00012");
        assert_eq!(d("42").to_i64(), Some(42));
        assert_eq!(d("-4.2e1").to_i64(), Some(-42));
        assert_eq!(d("4.5").to_i64(), None);
        assert_eq!(d("1024").mul_small(1024), d("1048576"));
    }
}
