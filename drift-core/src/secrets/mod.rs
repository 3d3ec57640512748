//! The secret classifier (DESIGN §8): which values are secret, and how a plain value becomes a
//! [`Secret`] before anything stores it. One classifier serves every source:
//!
//! - **by source**: a Kubernetes Secret's data, a Terraform sensitive attribute or output — the
//!   sources mark these themselves ([`SecretRules::always`]);
//! - **by name**, in every domain and at any depth ([`names`]): a `.env` key, a ConfigMap key, an
//!   annotation, a custom resource's `spec.password`, a Terraform attribute or output, a flag's key
//!   or metadata, a config file's key, the `name` of a `{name, value}` pair (container env, ECS
//!   container definitions);
//! - **by command-line form** inside `args`/`command` lists (`--db-password=…`, `-p…`, the item
//!   after `--token`);
//! - **by value shape**, whatever the name ([`shapes`]): token formats, private keys, JWTs, URLs
//!   with credentials, `Bearer` values, assignments inside larger values. A credential inside a
//!   larger value is masked where it sits: the value becomes a secret whose `redacted` form keeps the
//!   rest (`postgres://app:****@db/app`), so the rest still compares.
//!
//! [`SecretRules::protect_tree`] applies all of it to an entity's body in place; sources call it
//! (through `source::protect`) before a snapshot leaves them, so the model never holds a plain
//! secret. What is secret is fingerprinted with the run's key (`fingerprint.rs`).

pub(crate) mod names;
pub(crate) mod shapes;

use aho_corasick::AhoCorasick;

use crate::fingerprint::Fingerprinter;
use crate::model::{Domain, Key, Node, Secret, SecretHints};

pub(crate) use names::Context;

/// Prefixes of credentials that only work in a provider's test mode.
const TEST_CREDENTIAL_PREFIXES: &[&str] = &["sk_test_", "rk_test_", "pk_test_", "whsec_test_", "sandbox_"];

/// Keys whose lists (or strings) are command lines.
const COMMAND_KEYS: &[&str] = &["args", "command", "cmd", "entrypoint", "entryPoint", "arguments", "argv"];

/// Which values are secret: the default rules plus a team's `[secrets]` name fragments.
#[derive(Clone, Debug, Default)]
pub struct SecretRules {
    /// Fragments that mark a name secret (matched case-insensitively as substrings).
    extra: Option<AhoCorasick>,
    /// Fragments that mark a name not secret; they win over everything else.
    not_secret: Option<AhoCorasick>,
}

impl SecretRules {
    /// The defaults plus extra name fragments that mark a setting secret, and fragments that never do
    /// (both matched case-insensitively as substrings of the name; a not-secret fragment wins).
    ///
    /// Empty fragments are ignored here; `drift.toml` refuses them (they would match every name).
    pub fn new(extra: Vec<String>, not_secret: Vec<String>) -> Self {
        let build = |fragments: Vec<String>| {
            let fragments: Vec<String> = fragments.into_iter().filter(|f| !f.trim().is_empty()).collect();
            if fragments.is_empty() {
                return None;
            }
            AhoCorasick::builder().ascii_case_insensitive(true).build(&fragments).ok()
        };
        SecretRules { extra: build(extra), not_secret: build(not_secret) }
    }

    /// What the team's fragments say of a name: `Some(false)` for a not-secret fragment, `Some(true)`
    /// for an extra one, `None` when neither matches.
    pub(crate) fn configured(&self, name: &str) -> Option<bool> {
        if self.not_secret.as_ref().is_some_and(|a| a.is_match(name)) {
            return Some(false);
        }
        self.extra.as_ref().is_some_and(|a| a.is_match(name)).then_some(true)
    }

    /// Whether a setting's name marks its value secret (`DB_PASSWORD`, `STRIPE_API_KEY`, `KEY`).
    pub fn is_secret_name(&self, name: &str) -> bool {
        self.is_secret_in(name, Context::Setting)
    }

    pub(crate) fn is_secret_in(&self, name: &str, context: Context) -> bool {
        self.configured(name).unwrap_or_else(|| names::is_secret(name, context))
    }

    /// [`SecretRules::is_secret_in`] for a map key (cached by the shared key's address).
    fn is_secret_key(&self, key: &Key, context: Context) -> bool {
        self.configured(key).unwrap_or_else(|| names::is_secret_key(key, context))
    }

    /// The node for a setting: a [`Secret`] when its name or its value says so, else a string.
    pub fn protect(&self, fingerprinter: &Fingerprinter, name: &str, value: String) -> Node {
        let mut node = Node::String(value.into());
        let by_name = || self.is_secret_in(name, Context::Setting);
        Walk { rules: self, fingerprinter }.scalar(&mut node, by_name, false);
        node
    }

    /// A secret from a value known to be secret (a Kubernetes Secret's data, a sensitive attribute).
    pub fn always(&self, fingerprinter: &Fingerprinter, value: &[u8]) -> Node {
        let text = std::str::from_utf8(value).ok();
        let redacted = text.and_then(|t| self.url_display(t));
        let hints = SecretHints { empty: value.is_empty(), test_credential: text.is_some_and(is_test_credential) };
        Node::Secret(Box::new(Secret::new(Some(fingerprinter.fingerprint(value)), redacted, hints)))
    }

    /// Protects every secret in an entity's body in place: by name at any depth, by command-line
    /// form, by value shape. `name` is the entity's own setting name where it has one (a flag's
    /// key, a Terraform output's name): when it is a secret's, every value in the body is.
    pub(crate) fn protect_tree(
        &self,
        fingerprinter: &Fingerprinter,
        domain: Domain,
        name: Option<&str>,
        body: &mut Node,
    ) {
        let walk = Walk { rules: self, fingerprinter };
        let all = name.is_some_and(|n| self.is_secret_in(n, Context::Setting));
        let context = if domain == Domain::Env { Context::Setting } else { Context::Field };
        walk.node(body, None, Branch { context, all, command: false, data: domain == Domain::K8s }, 0);
    }

    /// For a value that is a URL with credentials, the URL with them masked.
    fn url_display(&self, text: &str) -> Option<String> {
        let scheme = text.find("://")?;
        let plain_scheme =
            scheme > 0 && text[..scheme].bytes().all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b));
        if !plain_scheme {
            return None;
        }
        shapes::mask(text, self, false).filter(|m| m.trim() != shapes::MASK)
    }
}

/// Whether a value is a test-mode credential (`sk_test_…`).
pub(crate) fn is_test_credential(value: &str) -> bool {
    TEST_CREDENTIAL_PREFIXES.iter().any(|p| value.starts_with(p))
}

/// A reference or template, not a value: `${DB_PASSWORD}`, `$DB_PASSWORD`, `{{ .Values.password }}`,
/// `%DB_PASSWORD%`, `<your-token>`.
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    let identifier = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (v.starts_with("${") && v.ends_with('}'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || v.strip_prefix('$').is_some_and(identifier)
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%') && identifier(&v[1..v.len() - 1]))
        || (v.starts_with('<') && v.ends_with('>') && !v.contains(char::is_whitespace))
}

/// Whether text reads as a setting's name (`DEBUG`, `log_level`, `app.port`) rather than a value
/// pasted where a name should be: a credential by its shape, or a long random-looking word.
pub(crate) fn is_plain_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    let name_chars = bytes.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && bytes.len() <= 128;
    let mixed = |b: &[u8]| {
        b.iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase) && b.iter().any(u8::is_ascii_digit)
    };
    let random = bytes.len() >= 16 && mixed(bytes) && !bytes.contains(&b'_');
    name_chars && !random && shapes::find(text, &SecretRules::default(), false).is_empty()
}

/// A switch or a mode written as a word, not a secret (`AUTH=true`, `http_tokens = "required"`).
pub(crate) fn is_flag_word(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "required", "optional", "none", "null",
        "default", "auto", "always", "never",
    ];
    WORDS.iter().any(|w| value.eq_ignore_ascii_case(w))
}

/// How the walk treats a subtree.
#[derive(Clone, Copy)]
struct Branch {
    /// How bare names read here.
    context: Context,
    /// Every scalar below is secret (the entity or the setting is named like a secret).
    all: bool,
    /// The values are command-line words.
    command: bool,
    /// A Kubernetes object's root: its `data` fields are settings.
    data: bool,
}

struct Walk<'a> {
    rules: &'a SecretRules,
    fingerprinter: &'a Fingerprinter,
}

/// Deeper than any input drift accepts (the parsers stop at 256 levels).
const MAX_DEPTH: usize = 512;

impl Walk<'_> {
    /// Protects what `node` (found under `key`) holds; whether it changed.
    fn node(&self, node: &mut Node, key: Option<&Key>, branch: Branch, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node {
            Node::Map(map) => {
                // `{name: DB_PASSWORD, value: …}`: the pair's name names its value. Fields are sorted,
                // so `Key`/`Name` come before `Value`, and `key`/`name` before `value`.
                let mut pair_secret = false;
                for field in map.fields_mut() {
                    let (key, child) = field.parts_mut();
                    let name = key.as_str();
                    if matches!(name, "name" | "key" | "Name" | "Key")
                        && let Node::String(name) = &*child
                    {
                        pair_secret |= self.rules.is_secret_in(name, Context::Setting);
                    }
                    let settings = branch.data && matches!(name, "data" | "binaryData" | "stringData");
                    let value_of_pair = pair_secret && matches!(name, "value" | "Value");
                    let child_branch = Branch {
                        context: if settings { Context::Setting } else { branch.context.nested(depth) },
                        all: branch.all || value_of_pair,
                        command: COMMAND_KEYS.contains(&name),
                        data: false,
                    };
                    self.node(child, Some(key), child_branch, depth + 1);
                }
                false
            }
            Node::List(list) => {
                let mut changed = false;
                if branch.command {
                    changed |= self.command_line(list.items_mut());
                }
                let item_branch = Branch { data: false, ..branch };
                for item in list.items_mut() {
                    changed |= self.node(item, key, item_branch, depth + 1);
                }
                if changed {
                    list.recanonicalize();
                }
                changed
            }
            Node::String(_) | Node::Number(_) => {
                let by_name = || branch.all || key.is_some_and(|k| self.rules.is_secret_key(k, branch.context));
                self.scalar(node, by_name, branch.command)
            }
            _ => false,
        }
    }

    /// A string or number: secret by name (`by_name`), else masked by shape.
    fn scalar(&self, node: &mut Node, by_name: impl FnOnce() -> bool, command: bool) -> bool {
        let secret = match node {
            Node::String(s) => {
                if !s.is_empty() && (is_reference(s) || is_flag_word(s)) {
                    return false;
                }
                if by_name() {
                    Some(self.whole(s, self.rules.url_display(s)))
                } else {
                    shapes::mask(s, self.rules, command).map(|masked| {
                        let redacted = (masked.trim() != shapes::MASK).then_some(masked);
                        self.whole(s, redacted)
                    })
                }
            }
            Node::Number(n) if by_name() => Some(self.whole(n.as_str(), None)),
            _ => None,
        };
        match secret {
            Some(secret) => {
                *node = Node::Secret(Box::new(secret));
                true
            }
            None => false,
        }
    }

    fn whole(&self, value: &str, redacted: Option<String>) -> Secret {
        let hints = SecretHints { empty: value.is_empty(), test_credential: is_test_credential(value) };
        Secret::new(Some(self.fingerprinter.fingerprint(value.as_bytes())), redacted, hints)
    }

    /// A command line as a list of words: the word after a secret flag (`--token`, `-password`) is
    /// secret. Words with a secret inside (`--db-password=…`, `-p…`) are masked by `scalar`.
    fn command_line(&self, items: &mut [Node]) -> bool {
        let mut changed = false;
        for i in 1..items.len() {
            let flag = items[i - 1].as_str().and_then(|w| {
                let name = w.strip_prefix('-')?.trim_start_matches('-');
                (name.len() > 1 && !name.contains(['=', ' '])).then_some(name)
            });
            if flag.is_some_and(|name| self.rules.is_secret_in(name, Context::Field))
                && let Node::String(value) = &items[i]
                && !value.starts_with('-')
            {
                let secret = self.whole(value, None);
                items[i] = Node::Secret(Box::new(secret));
                changed = true;
            }
        }
        changed
    }
}

impl Context {
    /// The context of a map's fields: only a `.env` file's top level is settings.
    fn nested(self, depth: usize) -> Context {
        if depth == 0 { self } else { Context::Field }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, List};

    fn fp() -> Fingerprinter {
        Fingerprinter::with_key(b"test")
    }

    #[test]
    fn configured_fragments() {
        let custom = SecretRules::new(vec!["license".into()], vec!["jwt_secret".into()]);
        assert!(custom.is_secret_name("LICENSE"));
        assert!(!custom.is_secret_name("JWT_SECRET"));
        assert!(custom.is_secret_name("DB_PASSWORD"));
    }

    #[test]
    fn protect_never_keeps_the_value() {
        let rules = SecretRules::default();
        let node = rules.protect(&fp(), "DB_PASSWORD", "sk_test_hunter2".into());
        let secret = node.as_secret().unwrap_or_else(|| panic!("secret"));
        assert!(secret.hints().test_credential);
        assert!(!format!("{node:?} {node}").contains("hunter2"));
        let dsn = rules.protect(&fp(), "DATABASE_URL", "postgres://a:hunter2@h/db".into());
        assert!(!format!("{dsn:?} {dsn}").contains("hunter2"));
        assert_eq!(dsn.as_secret().and_then(Secret::redacted), Some("postgres://a:****@h/db"));
        assert_eq!(rules.protect(&fp(), "LOG_LEVEL", "info".into()), Node::string("info"));
        assert_eq!(rules.protect(&fp(), "ENABLE_AUTH", "true".into()), Node::string("true"));
        assert_eq!(rules.protect(&fp(), "DB_PASSWORD", "${DB_PASSWORD}".into()), Node::string("${DB_PASSWORD}"));
        assert_eq!(rules.protect(&fp(), "PRIMARY_KEY", "id".into()), Node::string("id"));
    }

    #[test]
    fn trees_at_any_depth() {
        let env_item = |name: &str, value: &str| {
            Node::map(vec![Field::new("name", 0, Node::string(name)), Field::new("value", 0, Node::string(value))])
        };
        let mut body = Node::map(vec![Field::new(
            "spec",
            0,
            Node::map(vec![
                Field::new("password", 0, Node::string("hunter2")),
                Field::new(
                    "tolerations",
                    0,
                    Node::List(List::set(vec![Node::map(vec![Field::new("key", 0, Node::string("node-role"))])])),
                ),
                Field::new(
                    "env",
                    0,
                    Node::List(List::keyed(
                        &["name"],
                        vec![env_item("DB_PASSWORD", "hunter3"), env_item("LOG", "info")],
                    )),
                ),
                Field::new(
                    "args",
                    0,
                    Node::List(List::sequence(vec![
                        Node::string("--token"),
                        Node::string("hunter4"),
                        Node::string("--db-password=hunter5"),
                    ])),
                ),
                Field::new("note", 0, Node::string("call with Bearer abcdef0123456789")),
            ]),
        )]);
        SecretRules::default().protect_tree(&fp(), Domain::K8s, None, &mut body);
        let shown = format!("{body:?}");
        for secret in ["hunter2", "hunter3", "hunter4", "hunter5", "abcdef0123456789"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("node-role") && shown.contains("info") && shown.contains("--token"));
    }

    #[test]
    fn secret_named_entities() {
        let mut body = Node::map(vec![
            Field::new("value", 0, Node::string("hunter2")),
            Field::new("sensitive", 0, Node::Bool(false)),
        ]);
        SecretRules::default().protect_tree(&fp(), Domain::Terraform, Some("admin_password"), &mut body);
        assert!(body.as_map().and_then(|m| m.get("value")).is_some_and(|v| v.as_secret().is_some()));
        assert_eq!(body.as_map().and_then(|m| m.get("sensitive")), Some(&Node::Bool(false)));
    }
}
