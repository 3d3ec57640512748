//! Production guards: rules about one environment that hold whatever the other says. The reference
//! incident, `PAYMENT_SANDBOX=true` on both sides, differs nowhere and is caught only here.

use crate::environment::{self, Family};
use crate::model::Node;
use crate::report::Severity;
use crate::secrets::is_test_credential;

use super::RuleId;
use super::classify::{is, is_critical_name, name_words};

/// A failed guard on one setting.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) rule: RuleId,
    pub(crate) severity: Severity,
    pub(crate) message: String,
}

/// Checks one setting of a production environment. `other` is the family of the environment it is
/// compared with (its tokens in a production value mean the value points there).
pub(crate) fn check(name: &str, node: &Node, env: &str, others: &[&Family]) -> Vec<Violation> {
    let mut out = Vec::new();
    let critical = is_critical_name(name);
    // A secret offers only its redacted form (a URL without credentials), never its value.
    let text = match node {
        Node::String(s) => Some(&**s),
        Node::Bool(b) => Some(if *b { "true" } else { "false" }),
        Node::Number(n) => Some(n.as_str()),
        Node::Secret(s) => s.redacted(),
        _ => None,
    };

    if let Some(switch) = switch_word(name)
        && text.is_some_and(is_truthy)
    {
        let severity = if switch == "SANDBOX" || critical { Severity::Critical } else { Severity::High };
        let value = text.unwrap_or_default();
        out.push(Violation {
            rule: RuleId::ProductionSwitch,
            severity,
            message: format!(
                "{name} is on in {env} ({value}): {} switches must be off in production",
                switch.to_lowercase()
            ),
        });
    }

    let test_credential = match node {
        Node::Secret(s) => s.hints().test_credential,
        _ => text.is_some_and(is_test_credential),
    };
    if test_credential {
        out.push(Violation {
            rule: RuleId::TestCredential,
            severity: Severity::Critical,
            message: format!("{name} holds a test-mode credential in {env}"),
        });
    }

    let Some(text) = text.filter(|t| t.len() <= 4096) else {
        return out;
    };
    if let Some((other, token)) = others.iter().find_map(|other| {
        environment::words(text)
            .map(|(_, w)| w)
            .find(|w| other.tokens.iter().any(|t| t.eq_ignore_ascii_case(w)))
            .map(|token| (other, token))
    }) {
        out.push(Violation {
            rule: RuleId::PointsAtOtherEnvironment,
            severity: if critical { Severity::Critical } else { Severity::High },
            message: format!("{name} in {env} points at {}: the value names `{token}`", other.name),
        });
    }
    let endpoint = is_endpoint_name(name) || text.contains("://");
    if let Some(host) = host(text).filter(|_| endpoint) {
        if is_local(host) && !is_bind_name(name) {
            out.push(Violation {
                rule: RuleId::PointsAtLocalhost,
                severity: if critical { Severity::Critical } else { Severity::High },
                message: format!("{name} in {env} points at {host}"),
            });
        } else if let Some(word) = environment::words(host)
            .map(|(_, w)| w)
            .find(|w| w.eq_ignore_ascii_case("sandbox") || w.eq_ignore_ascii_case("test"))
        {
            out.push(Violation {
                rule: RuleId::SandboxHost,
                severity: if critical { Severity::Critical } else { Severity::High },
                message: format!("{name} in {env} points at a {} host ({host})", word.to_lowercase()),
            });
        }
    }
    out
}

/// The switch word in a name like `PAYMENT_SANDBOX`, `DEBUG`, `TEST_MODE`, `DRY_RUN`, `USE_MOCKS`.
fn switch_word(name: &str) -> Option<&'static str> {
    const SINGLE: &[(&str, &str)] = &[
        ("SANDBOX", "SANDBOX"),
        ("DEBUG", "DEBUG"),
        ("MOCK", "MOCK"),
        ("MOCKS", "MOCK"),
        ("MOCKED", "MOCK"),
        ("FAKE", "FAKE"),
        ("FAKES", "FAKE"),
        ("TESTMODE", "TEST_MODE"),
        ("DRYRUN", "DRY_RUN"),
        ("KILLSWITCH", "KILL_SWITCH"),
    ];
    const PAIRS: &[(&str, &str, &str)] =
        &[("TEST", "MODE", "TEST_MODE"), ("DRY", "RUN", "DRY_RUN"), ("KILL", "SWITCH", "KILL_SWITCH")];
    let mut words = name_words(name).peekable();
    while let Some(word) = words.next() {
        if let Some((_, switch)) = SINGLE.iter().find(|(w, _)| is(word, w)) {
            return Some(switch);
        }
        let next = words.peek().copied();
        if let Some((_, _, switch)) = PAIRS.iter().find(|(a, b, _)| is(word, a) && next.is_some_and(|n| is(n, b))) {
            return Some(switch);
        }
    }
    None
}

/// `true`, `1`, `yes`, `on` in any case.
pub(crate) fn is_truthy(value: &str) -> bool {
    ["true", "1", "yes", "on", "y", "enabled"].iter().any(|t| value.trim().eq_ignore_ascii_case(t))
}

fn is_endpoint_name(name: &str) -> bool {
    const LAST: &[&str] =
        &["URL", "URI", "HOST", "HOSTNAME", "ENDPOINT", "ADDR", "ADDRESS", "DSN", "SERVER", "SERVERS"];
    name_words(name).count() > 1 && name_words(name).last().is_some_and(|w| LAST.iter().any(|l| is(w, l)))
}

fn is_bind_name(name: &str) -> bool {
    name_words(name).any(|w| is(w, "BIND") || is(w, "LISTEN"))
}

/// The host of a URL (`scheme://user@host:port/…`) or of a bare `host[:port]`.
fn host(value: &str) -> Option<&str> {
    let rest = match value.find("://") {
        Some(i) => &value[i + 3..],
        None => value,
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if authority.starts_with('[') {
        authority.find(']').map_or(authority, |i| &authority[..=i])
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    let plain = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    plain.then_some(host)
}

fn is_local(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "[::1]"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(name: &str, value: &str) -> Vec<RuleId> {
        let other: Vec<&Family> = environment::family_of("staging").into_iter().collect();
        check(name, &Node::string(value), "production", &other).into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn switches() {
        assert_eq!(rules("PAYMENT_SANDBOX", "true"), [RuleId::ProductionSwitch]);
        assert_eq!(rules("PAYMENT_SANDBOX", "TRUE"), [RuleId::ProductionSwitch]);
        assert_eq!(rules("DEBUG", "1"), [RuleId::ProductionSwitch]);
        assert_eq!(rules("STRIPE_TEST_MODE", "yes"), [RuleId::ProductionSwitch]);
        assert_eq!(rules("DRY_RUN", "on"), [RuleId::ProductionSwitch]);
        assert_eq!(rules("USE_MOCKS", "true"), [RuleId::ProductionSwitch]);
        assert!(rules("PAYMENT_SANDBOX", "false").is_empty());
        assert!(rules("DEBUG_LEVEL_NAME", "warn").is_empty());
        let critical = check("PAYMENT_SANDBOX", &Node::string("true"), "production", &[]);
        assert_eq!(critical[0].severity, Severity::Critical);
    }

    #[test]
    fn endpoints() {
        assert_eq!(rules("ORDERS_API_URL", "https://orders.staging.internal"), [RuleId::PointsAtOtherEnvironment]);
        assert_eq!(rules("REDIS_HOST", "localhost"), [RuleId::PointsAtLocalhost]);
        assert_eq!(rules("CACHE_URL", "redis://127.0.0.1:6379/0"), [RuleId::PointsAtLocalhost]);
        assert_eq!(rules("PAYPAL_API_URL", "https://api.sandbox.paypal.com"), [RuleId::SandboxHost]);
        assert!(rules("BIND_ADDR", "0.0.0.0:8080").is_empty());
        assert!(rules("ORDERS_API_URL", "https://orders.production.internal").is_empty());
        assert!(rules("GREETING", "hello world").is_empty());
        assert_eq!(rules("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"), [RuleId::TestCredential]);
    }
}
