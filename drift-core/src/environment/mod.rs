//! Environment names and their tokens: `staging` is also `stage` and `stg`, `production` is also
//! `prod`, `prd` and `live`. Sources use them to drop the environment from file names
//! (`.env.production` → `.env`); the policy uses them to recognise values that differ only by the
//! environment's name and values that point at another environment.

pub(crate) mod identity;
pub(crate) mod name;
pub(crate) mod role;

pub use role::Role;

/// A family of names for one kind of environment; the first token is the canonical name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Family {
    /// Canonical name (`production`).
    pub(crate) name: &'static str,
    /// Every token that names it, lowercase (`production`, `prod`, `prd`, `live`).
    pub(crate) tokens: &'static [&'static str],
}

/// The known families.
pub(crate) const FAMILIES: &[Family] = &[
    Family { name: "production", tokens: &["production", "prod", "prd", "live"] },
    Family { name: "staging", tokens: &["staging", "stage", "stg"] },
    Family { name: "development", tokens: &["development", "dev", "devel"] },
    Family { name: "preprod", tokens: &["preprod", "preproduction", "preprd"] },
    Family { name: "non-production", tokens: &["nonprod", "nonproduction", "nonprd"] },
    Family { name: "qa", tokens: &["qa"] },
    Family { name: "uat", tokens: &["uat"] },
    Family { name: "test", tokens: &["test", "testing", "tst"] },
];

/// Splits text into its alphanumeric words (case kept), e.g. `db-stg1.internal` → `db`, `stg`, `1`,
/// `internal`: letters and digits are separate words so that `stg1` holds the token `stg`.
pub(crate) fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        let alpha = bytes[i].is_ascii_alphabetic();
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() && bytes[i].is_ascii_alphabetic() == alpha {
            i += 1;
        }
        Some((start, &text[start..i]))
    })
}

/// The family a word names (`PROD` → production).
pub(crate) fn family_of_word(word: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.tokens.iter().any(|t| t.eq_ignore_ascii_case(word)))
}

/// The family an environment's name says (`prod-eu` → production, `shop-staging` → staging). A
/// production token after `pre` or `non` (`pre-prod`, `non-prod`) is not production.
pub(crate) fn family_of(name: &str) -> Option<&'static Family> {
    let mut previous = "";
    for (_, word) in words(name) {
        if let Some(family) = family_of_word(word) {
            return Some(qualified(previous, family));
        }
        previous = word;
    }
    None
}

/// A family as qualified by the word before its token: `pre` + production is preprod, `non` +
/// production is non-production.
pub(crate) fn qualified(previous: &str, family: &'static Family) -> &'static Family {
    if family.name != "production" {
        return family;
    }
    let named = |name: &str| FAMILIES.iter().find(|f| f.name == name).unwrap_or(family);
    if previous.eq_ignore_ascii_case("pre") {
        named("preprod")
    } else if previous.eq_ignore_ascii_case("non") {
        named("non-production")
    } else {
        family
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family_of("production").map(|f| f.name), Some("production"));
        assert_eq!(family_of("prod-eu-1").map(|f| f.name), Some("production"));
        assert_eq!(family_of("STG").map(|f| f.name), Some("staging"));
        assert_eq!(family_of("shop"), None);
        assert_eq!(family_of("live").map(|f| f.name), Some("production"));
        assert_eq!(family_of("pre-prod").map(|f| f.name), Some("preprod"));
        assert_eq!(family_of("non-prod").map(|f| f.name), Some("non-production"));
        assert_eq!(family_of("nonprod").map(|f| f.name), Some("non-production"));
        assert_eq!(family_of("Pre_Production").map(|f| f.name), Some("preprod"));
    }

    #[test]
    fn splits_words() {
        let got: Vec<&str> = words("db-stg1.internal:5432").map(|(_, w)| w).collect();
        assert_eq!(got, ["db", "stg", "1", "internal", "5432"]);
    }
}
