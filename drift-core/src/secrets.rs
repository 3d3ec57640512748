//! Which values are secret, and how a plain value becomes a [`Secret`] before anything stores it.
//!
//! Sources call [`SecretRules::protect`] on every setting (a `.env` key, a ConfigMap key, a container
//! env var) so that the model never holds a secret's plain value: only its keyed fingerprint and
//! facts computed from it (empty, a test-mode credential), and for URLs a form without credentials.

use crate::fingerprint::Fingerprinter;
use crate::model::{Node, Secret, SecretHints};

/// Name fragments that mark a setting secret (matched case-insensitively).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "apikey",
    "api_key",
    "api-key",
    "privatekey",
    "private_key",
    "private-key",
    "access_key",
    "accesskey",
    "signing_key",
    "encryption_key",
];

/// Name endings that mark a setting secret.
const SECRET_SUFFIXES: &[&str] = &["_key", "-key", ".key", "_pass", "_pwd", "_salt"];

/// Name endings that say the setting is about a secret but is not one (`TOKEN_TTL`, `JWT_SECRET_FILE`).
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "_id",
    "_ids",
    "_url",
    "_uri",
    "_endpoint",
    "_host",
    "_hosts",
    "_path",
    "_file",
    "_dir",
    "_ttl",
    "_expiry",
    "_expires",
    "_expiration",
    "_timeout",
    "_length",
    "_len",
    "_size",
    "_enabled",
    "_name",
    "_header",
    "_type",
    "_version",
    "_count",
    "_min",
    "_max",
    "_seconds",
    "_minutes",
    "_ms",
    "_interval",
    "_algorithm",
    "_alg",
    "_field",
    "_format",
    "_mode",
    "_ref",
    "_env",
];

/// Prefixes of credentials that only work in a provider's test mode.
const TEST_CREDENTIAL_PREFIXES: &[&str] = &["sk_test_", "rk_test_", "pk_test_", "whsec_test_", "sandbox_"];

/// Query parameters of a URL whose values are credentials.
const SECRET_QUERY_WORDS: &[&str] = &["password", "passwd", "secret", "token", "key", "sig", "signature", "credential"];

/// Which settings are secret.
///
/// Name fragments are found in one pass over the name (Aho-Corasick, ASCII case-insensitive): this
/// runs on every setting of every environment.
#[derive(Clone, Debug)]
pub struct SecretRules {
    /// Fragments in priority order: not-secret ones, then extra secret ones, then the defaults.
    /// `None` only if the automaton could not be built (it always can for a sane number of patterns).
    fragments: Option<aho_corasick::AhoCorasick>,
    not_secret: usize,
    extra: usize,
}

/// Fragments that say a name is about something public.
const PUBLIC_WORDS: &[&str] = &["public", "publishable"];

impl Default for SecretRules {
    fn default() -> Self {
        Self::new(Vec::new(), Vec::new())
    }
}

impl SecretRules {
    /// The defaults plus extra name fragments that mark a setting secret, and fragments that never do
    /// (both matched case-insensitively as substrings of the name; a not-secret fragment wins).
    pub fn new(extra: Vec<String>, not_secret: Vec<String>) -> Self {
        let (n, e) = (not_secret.len(), extra.len());
        let patterns: Vec<String> = not_secret
            .into_iter()
            .chain(extra)
            .chain(PUBLIC_WORDS.iter().chain(SECRET_WORDS).map(|w| (*w).to_owned()))
            .collect();
        let fragments = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(&patterns).ok();
        SecretRules { fragments, not_secret: n, extra: e }
    }

    /// Whether a setting's name marks its value secret (`DB_PASSWORD`, `STRIPE_API_KEY`).
    pub fn is_secret_name(&self, name: &str) -> bool {
        let public_end = self.not_secret + self.extra + PUBLIC_WORDS.len();
        let (mut not_secret, mut extra, mut public, mut secret_word) = (false, false, false, false);
        for found in self.fragments.iter().flat_map(|f| f.find_overlapping_iter(name)) {
            let i = found.pattern().as_usize();
            match i {
                _ if i < self.not_secret => not_secret = true,
                _ if i < self.not_secret + self.extra => extra = true,
                _ if i < public_end => public = true,
                _ => secret_word = true,
            }
        }
        if not_secret {
            return false;
        }
        if extra {
            return true;
        }
        if public {
            return false;
        }
        let ends = |suffixes: &[&str]| {
            let name = name.as_bytes();
            suffixes
                .iter()
                .any(|s| name.len() >= s.len() && name[name.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes()))
        };
        if ends(NOT_SECRET_SUFFIXES) {
            return false;
        }
        secret_word || name.eq_ignore_ascii_case("key") || ends(SECRET_SUFFIXES)
    }

    /// The node for a setting: a [`Secret`] when its name or its value says so, else a string.
    pub fn protect(&self, fingerprinter: &Fingerprinter, name: &str, value: String) -> Node {
        let by_name = self.is_secret_name(name);
        let redacted = redact_url(&value);
        let private_key = value.len() > 30 && value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----");
        if by_name || redacted.is_some() || private_key {
            Node::Secret(Box::new(secret(fingerprinter, &value, redacted)))
        } else {
            Node::String(value.into())
        }
    }

    /// A secret from a value known to be secret (a Kubernetes Secret's data, a sensitive attribute).
    pub fn always(&self, fingerprinter: &Fingerprinter, value: &[u8]) -> Node {
        let text = std::str::from_utf8(value).ok();
        let redacted = text.and_then(redact_url);
        let mut secret = secret_bytes(fingerprinter, value, redacted);
        secret.hints.test_credential = text.is_some_and(is_test_credential);
        Node::Secret(Box::new(secret.build()))
    }
}

/// Whether a value is a test-mode credential (`sk_test_…`).
pub(crate) fn is_test_credential(value: &str) -> bool {
    TEST_CREDENTIAL_PREFIXES.iter().any(|p| value.starts_with(p))
}

struct Parts {
    fingerprint: String,
    redacted: Option<String>,
    hints: SecretHints,
}

impl Parts {
    fn build(self) -> Secret {
        Secret::new(Some(self.fingerprint), self.redacted, self.hints)
    }
}

fn secret_bytes(fingerprinter: &Fingerprinter, value: &[u8], redacted: Option<String>) -> Parts {
    let hints = SecretHints { empty: value.is_empty(), test_credential: false };
    Parts { fingerprint: fingerprinter.fingerprint(value), redacted, hints }
}

fn secret(fingerprinter: &Fingerprinter, value: &str, redacted: Option<String>) -> Secret {
    let mut parts = secret_bytes(fingerprinter, value.as_bytes(), redacted);
    parts.hints.test_credential = is_test_credential(value);
    parts.build()
}

/// For a URL that carries credentials (`scheme://user:password@host/…`, or a secret query
/// parameter), the URL with them replaced by `****`; `None` when the value has no credentials.
pub(crate) fn redact_url(value: &str) -> Option<String> {
    // Most values have no `:` at all; a byte search rules them out cheaply.
    if !value.as_bytes().contains(&b':') {
        return None;
    }
    let scheme_end = value.find("://")?;
    let scheme = &value[..scheme_end];
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b)) {
        return None;
    }
    let rest_start = scheme_end + 3;
    let rest = &value[rest_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let mut out = String::with_capacity(value.len());
    out.push_str(&value[..rest_start]);
    let mut changed = false;
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.split_once(':') {
                Some((user, password)) if !password.is_empty() => {
                    out.push_str(user);
                    out.push_str(":****");
                    changed = true;
                }
                _ => out.push_str(userinfo),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let tail = &rest[authority_end..];
    match tail.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            for (i, pair) in query.split('&').enumerate() {
                if i > 0 {
                    out.push('&');
                }
                match pair.split_once('=') {
                    Some((name, v)) if !v.is_empty() && is_secret_query(name) => {
                        out.push_str(name);
                        out.push_str("=****");
                        changed = true;
                    }
                    _ => out.push_str(pair),
                }
            }
            if let Some(fragment) = fragment {
                out.push('#');
                out.push_str(fragment);
            }
        }
        None => out.push_str(tail),
    }
    changed.then_some(out)
}

fn is_secret_query(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_QUERY_WORDS.iter().any(|w| name.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let rules = SecretRules::default();
        for name in [
            "DB_PASSWORD",
            "JWT_SECRET",
            "GITHUB_TOKEN",
            "STRIPE_API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "ENCRYPTION_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "dbPassword",
            "apiKey",
            "tls.key",
            "SMTP_PASS",
        ] {
            assert!(rules.is_secret_name(name), "{name} is secret");
        }
        for name in [
            "DB_HOST",
            "TOKEN_TTL",
            "JWT_SECRET_FILE",
            "STRIPE_PUBLISHABLE_KEY",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_MIN_LENGTH",
            "LOG_LEVEL",
            "KEYCLOAK_URL",
            "MONKEY",
            "OAUTH_TOKEN_URL",
        ] {
            assert!(!rules.is_secret_name(name), "{name} is not secret");
        }
        let custom = SecretRules::new(vec!["license".into()], vec!["jwt_secret".into()]);
        assert!(custom.is_secret_name("LICENSE"));
        assert!(!custom.is_secret_name("JWT_SECRET"));
    }

    #[test]
    fn urls_with_credentials() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db.staging.internal:5432/app?sslmode=require").as_deref(),
            Some("postgres://app:****@db.staging.internal:5432/app?sslmode=require")
        );
        assert_eq!(
            redact_url("https://api.example.com/v1?token=abc&x=1").as_deref(),
            Some("https://api.example.com/v1?token=****&x=1")
        );
        assert_eq!(redact_url("https://user@example.com/"), None);
        assert_eq!(redact_url("https://example.com/a?b=c"), None);
        assert_eq!(redact_url("not a url"), None);
    }

    #[test]
    fn protect_never_keeps_the_value() {
        let fp = Fingerprinter::with_key(b"test");
        let rules = SecretRules::default();
        let node = rules.protect(&fp, "DB_PASSWORD", "sk_test_hunter2".into());
        let secret = node.as_secret().unwrap_or_else(|| panic!("secret"));
        assert!(secret.hints().test_credential);
        assert!(!format!("{node:?} {node}").contains("hunter2"));
        let dsn = rules.protect(&fp, "DATABASE_URL", "postgres://a:hunter2@h/db".into());
        assert!(!format!("{dsn:?} {dsn}").contains("hunter2"));
        assert_eq!(rules.protect(&fp, "LOG_LEVEL", "info".into()), Node::string("info"));
    }
}
