//! Category and severity from what a setting is called (`FEATURE_*` is a feature flag, `*_URL` an
//! endpoint, payment and auth settings matter more).

use crate::model::Node;
use crate::path::{Path, Segment};
use crate::report::{Category, Severity};

/// The name of the setting a path points at: the last map key, or, for `env[name=X].value`, `X`.
pub(crate) fn setting_name(path: &Path) -> Option<&str> {
    let segments = path.segments();
    for (i, segment) in segments.iter().enumerate().rev() {
        match segment {
            Segment::Key(key) if matches!(&**key, "value" | "valueFrom") && i > 0 => {
                if let Some(Segment::Keyed(inner)) = segments.get(i - 1) {
                    return inner.strip_prefix("name=");
                }
                return Some(key);
            }
            Segment::Key(key) => return Some(key),
            Segment::Keyed(inner) => return inner.strip_prefix("name="),
            _ => {}
        }
    }
    None
}

/// The words of a name, without allocating: `paymentSandbox`, `payment-sandbox` and
/// `PAYMENT_SANDBOX` all give `payment`/`PAYMENT` and `Sandbox`/`SANDBOX` (compare them with
/// [`is`]).
pub(crate) fn name_words(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            // camelCase: a capital after a lower-case letter or digit starts a word.
            if bytes[i].is_ascii_uppercase() && (bytes[i - 1].is_ascii_lowercase() || bytes[i - 1].is_ascii_digit()) {
                break;
            }
            i += 1;
        }
        Some(&name[start..i])
    })
}

/// Whether a word is `upper` in any case.
pub(crate) fn is(word: &str, upper: &str) -> bool {
    word.eq_ignore_ascii_case(upper)
}

fn is_any(word: &str, uppers: &[&str]) -> bool {
    uppers.iter().any(|u| is(word, u))
}

const FLAG_PREFIXES: &[&str] = &["FEATURE", "FF", "ENABLE", "FLAG", "FEATURES"];
const ENDPOINT_WORDS: &[&str] =
    &["URL", "URI", "HOST", "HOSTNAME", "ENDPOINT", "ADDR", "ADDRESS", "DSN", "DOMAIN", "BASE"];
const CRITICAL_WORDS: &[&str] = &[
    "PAYMENT", "PAYMENTS", "PAY", "BILLING", "STRIPE", "PAYPAL", "CHECKOUT", "CARD", "AUTH", "OAUTH", "SSO", "INVOICE",
];

/// The category a setting's name suggests, or that its values force (a secret is a secret).
pub(crate) fn category(name: &str, left: Option<&Node>, right: Option<&Node>) -> Category {
    if left.is_some_and(|n| matches!(n, Node::Secret(_))) || right.is_some_and(|n| matches!(n, Node::Secret(_))) {
        return Category::Secret;
    }
    let first = name_words(name).next();
    let last = name_words(name).last();
    if first.is_some_and(|w| is_any(w, FLAG_PREFIXES)) || last.is_some_and(|w| is(w, "ENABLED")) {
        Category::FeatureFlag
    } else if last.is_some_and(|w| is_any(w, ENDPOINT_WORDS)) {
        Category::Endpoint
    } else if last.is_some_and(|w| is(w, "VERSION")) {
        Category::Version
    } else {
        Category::Config
    }
}

/// Whether the name is about money or access (`PAYMENT_*`, `STRIPE_*`, `AUTH_*`).
pub(crate) fn is_critical_name(name: &str) -> bool {
    name_words(name).any(|w| is_any(w, CRITICAL_WORDS))
}

/// The base severity of a difference, raised one level for payment, billing and auth settings.
pub(crate) fn severity(name: &str, category: Category, base: Severity) -> Severity {
    let severity = match category {
        Category::FeatureFlag if base == Severity::Medium => Severity::High,
        _ => base,
    };
    if is_critical_name(name) { severity.raised() } else { severity }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let p = |s: &str| s.parse::<Path>().unwrap_or_default();
        assert_eq!(setting_name(&p("PAYMENT_SANDBOX")), Some("PAYMENT_SANDBOX"));
        assert_eq!(setting_name(&p("spec.containers[name=api].env[name=LOG_LEVEL].value")), Some("LOG_LEVEL"));
        assert_eq!(setting_name(&p("data.LOG_LEVEL")), Some("LOG_LEVEL"));
        assert_eq!(name_words("paymentSandbox").collect::<Vec<_>>(), ["payment", "Sandbox"]);
        assert_eq!(name_words("PAYMENT_SANDBOX").collect::<Vec<_>>(), ["PAYMENT", "SANDBOX"]);
        assert_eq!(name_words("db2Host.v1").collect::<Vec<_>>(), ["db2", "Host", "v1"]);
    }

    #[test]
    fn categories() {
        assert_eq!(category("FEATURE_NEW_CHECKOUT", None, None), Category::FeatureFlag);
        assert_eq!(category("FF_DARK_MODE", None, None), Category::FeatureFlag);
        assert_eq!(category("ENABLE_CACHE", None, None), Category::FeatureFlag);
        assert_eq!(category("ORDERS_API_URL", None, None), Category::Endpoint);
        assert_eq!(category("REDIS_HOST", None, None), Category::Endpoint);
        assert_eq!(category("API_VERSION", None, None), Category::Version);
        assert_eq!(category("LOG_LEVEL", None, None), Category::Config);
        assert_eq!(severity("PAYMENT_TIMEOUT", Category::Config, Severity::Medium), Severity::High);
        assert_eq!(severity("LOG_LEVEL", Category::Config, Severity::Medium), Severity::Medium);
    }
}
