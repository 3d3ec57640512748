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

pub(crate) mod assignments;
pub(crate) mod command;
pub(crate) mod embedded;
pub(crate) mod names;
pub(crate) mod shapes;
pub(crate) mod urls;

use aho_corasick::AhoCorasick;

use crate::fingerprint::Fingerprinter;
use crate::model::{Domain, Key, Node, Secret, SecretHints};

pub(crate) use names::Context;

/// Prefixes of credentials that only work in a provider's test mode.
const TEST_CREDENTIAL_PREFIXES: &[&str] = &["sk_test_", "rk_test_", "pk_test_", "whsec_test_", "sandbox_"];

/// Keys whose lists (or strings) are command lines.
/// Levels of documents inside strings that are read for secrets (a JSON document in a ConfigMap
/// key holding another JSON document in a string: two).
const EMBEDDED_LEVELS: u8 = 2;

fn is_command_key(key: &str) -> bool {
    // Every command key ends in one of these letters: most keys are ruled out by one byte.
    if !key.as_bytes().last().is_some_and(|b| matches!(b | 0x20, b's' | b'd' | b't' | b'v' | b'e')) {
        return false;
    }
    if matches!(key, "args" | "command" | "cmd" | "entrypoint" | "entryPoint" | "arguments" | "argv" | "flags") {
        return true;
    }
    // `extraArgs`, `additionalArguments`, `extra_args`, `containerArgs`, `extraFlags`, `cli_flags`:
    // command lines under a chart's or a tool's name for them. Runs for every key: no allocation.
    let bytes = key.as_bytes();
    ["args", "arguments", "argv", "flags", "cmdline", "commandline"].iter().any(|end| {
        let at = bytes.len().saturating_sub(end.len());
        at > 0
            && bytes[at..].eq_ignore_ascii_case(end.as_bytes())
            && (matches!(bytes[at - 1], b'_' | b'-' | b'.') || bytes[at].is_ascii_uppercase())
    })
}

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

    /// Whether a team's `[secrets]` fragments add names to the defaults.
    pub(crate) fn has_extra_fragments(&self) -> bool {
        self.extra.is_some()
    }

    /// Whether a setting's name marks its value secret (`DB_PASSWORD`, `STRIPE_API_KEY`, `KEY`).
    pub fn is_secret_name(&self, name: &str) -> bool {
        self.is_secret_in(name, Context::Setting)
    }

    pub(crate) fn is_secret_in(&self, name: &str, context: Context) -> bool {
        self.configured(name).unwrap_or_else(|| names::is_secret(name, context))
    }

    /// The node for a setting: a [`Secret`] when its name or its value says so, else a string.
    pub fn protect(&self, fingerprinter: &Fingerprinter, name: &str, value: String) -> Node {
        let mut node = Node::String(value.into());
        let by_name = self.is_secret_in(name, Context::Setting);
        Walk { rules: self, fingerprinter, embedded: EMBEDDED_LEVELS, plain: &[] }.scalar(
            &mut node,
            by_name,
            None,
            Some(name),
        );
        node
    }

    /// A secret from a value known to be secret (a Kubernetes Secret's data, a sensitive attribute).
    pub fn always(&self, fingerprinter: &Fingerprinter, value: &[u8]) -> Node {
        let text = std::str::from_utf8(value).ok();
        let redacted = text.and_then(|t| self.url_display(t));
        let hints = SecretHints {
            empty: value.is_empty(),
            test_credential: text.is_some_and(is_test_credential),
            switch: text.is_some_and(|t| is_flag_word(t.trim())),
        };
        Node::Secret(Box::new(Secret::new(Some(fingerprinter.fingerprint(value)), redacted, hints)))
    }

    /// Protects every secret in an entity's body in place: by name at any depth, by command-line
    /// form, by value shape. `name` is the entity's own setting name where it has one (a flag's
    /// key, a Terraform output's name): when it is a secret's, every value in the body is.
    pub(crate) fn protect_tree(
        &self,
        fingerprinter: &Fingerprinter,
        domain: Domain,
        address: &str,
        name: Option<&str>,
        body: &mut Node,
    ) {
        self.walk(fingerprinter, domain, address, name, body, EMBEDDED_LEVELS);
    }

    /// [`SecretRules::protect_tree`] for a document found inside a string: `levels` more levels of
    /// documents in its strings are read (JSON in a string in a JSON document in a ConfigMap).
    pub(crate) fn protect_tree_nested(
        &self,
        fingerprinter: &Fingerprinter,
        domain: Domain,
        address: &str,
        body: &mut Node,
        levels: u8,
    ) {
        self.walk(fingerprinter, domain, address, None, body, levels);
    }

    fn walk(
        &self,
        fingerprinter: &Fingerprinter,
        domain: Domain,
        address: &str,
        name: Option<&str>,
        body: &mut Node,
        embedded: u8,
    ) {
        // A secret manager's resources name their secret by `secret_id` (AWS Secrets Manager,
        // Google Secret Manager); Vault AppRole's `secret_id` is a credential.
        let secret_manager =
            domain == Domain::Terraform && (address.contains("secretsmanager") || address.contains("secret_manager"));
        let plain: &'static [&'static str] = if secret_manager { &["secret_id"] } else { &[] };
        let walk = Walk { rules: self, fingerprinter, embedded, plain };
        let all = name.is_some_and(|n| self.is_secret_in(n, Context::Setting));
        // Settings files: every key names a setting (`[api] key = …` is a credential).
        let flat = domain == Domain::Env
            || (domain == Domain::Cfg && [".ini", ".cfg", ".properties", ".toml"].iter().any(|e| address.ends_with(e)));
        // External Secrets and sealed secrets only *refer* to secrets (`secretKey: password`);
        // node-config's `custom-environment-variables` maps settings to variables' names.
        let references = (domain == Domain::K8s
            && ["external-secrets.io/", "bitnami.com/SealedSecret/", "secrets-store.csi"]
                .iter()
                .any(|p| address.starts_with(p)))
            || (domain == Domain::Cfg
                && address.rsplit('/').next().is_some_and(|f| f.starts_with("custom-environment-variables.")));
        let branch = Branch {
            fields: if flat { Context::Setting } else { Context::Field },
            flat,
            names: !references,
            all,
            inherited: false,
            tool: None,
            data: domain == Domain::K8s,
        };
        walk.node(body, None, branch, 0);
    }

    /// For a secret that is a URL or a connection string with credentials, its display form with
    /// them masked (the rest is configuration that still compares).
    fn url_display(&self, text: &str) -> Option<String> {
        let url = text.find("://").is_some_and(|scheme| {
            scheme > 0 && text[..scheme].bytes().all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
        });
        let connection_string = text.contains(';') && text.contains('=');
        if !url && !connection_string {
            return None;
        }
        shapes::mask(text, self, None).filter(|m| m.trim() != shapes::MASK)
    }
}

/// Whether a value is a test-mode credential (`sk_test_…`).
pub(crate) fn is_test_credential(value: &str) -> bool {
    TEST_CREDENTIAL_PREFIXES.iter().any(|p| value.starts_with(p))
}

/// A reference or template, not a value: `${DB_PASSWORD}`, `$DB_PASSWORD`, `{{ .Values.password }}`,
/// `%DB_PASSWORD%`, `<your-api-token>`. Only the forms templates and placeholders take: a password
/// that happens to start with `$` (`$Ecr3tPass`) is not a reference.
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    let variable = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && s.bytes().next().is_some_and(|b| !b.is_ascii_digit())
    };
    let placeholder = |s: &str| {
        s.contains(['-', '_', ' '])
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b' '))
    };
    // A reference with a literal default (`${DB_PASSWORD:hunter2}`, `${X:-y}`, `{{ .Values.x |
    // default "y" }}`) holds that literal: not only a reference.
    if reference_default(v).is_some_and(|d| !d.is_empty() && !is_reference(d)) {
        return false;
    }
    (v.starts_with("${") && v.ends_with('}'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || v.strip_prefix('$').is_some_and(variable)
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%') && variable(&v[1..v.len() - 1]))
        || (v.len() > 2 && v.starts_with('<') && v.ends_with('>') && placeholder(&v[1..v.len() - 1]))
}

/// The literal default of a reference: Spring's `${NAME:default}`, the shell's and Compose's
/// `${NAME:-default}`, `${NAME-default}`, `${NAME:=default}`, Helm's `| default "…"`.
fn reference_default(v: &str) -> Option<&str> {
    if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        let name_end =
            inner.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))).unwrap_or(inner.len());
        let rest = &inner[name_end..];
        // `${NAME-default}`: a shell variable's name is upper case (`${app.api-key}` is a name).
        let shell = inner.split_once('-').filter(|(n, _)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        });
        let rest = match (rest.is_empty(), shell) {
            (true, Some((_, default))) => return Some(default.trim()),
            _ => rest,
        };
        let default = rest
            .strip_prefix(":-")
            .or_else(|| rest.strip_prefix(":="))
            .or_else(|| rest.strip_prefix(':'))
            .or_else(|| rest.strip_prefix('-'))
            .or_else(|| rest.strip_prefix('='))?;
        return Some(default.trim());
    }
    let inner = v.strip_prefix("{{").and_then(|r| r.strip_suffix("}}"))?;
    let (_, default) = inner.split_once("default")?;
    let default = default.trim();
    let quoted = default.strip_prefix('"').and_then(|d| d.split_once('"')).map(|(d, _)| d);
    Some(quoted.unwrap_or(default.split_whitespace().next().unwrap_or_default()))
}

/// Whether text reads as a setting's name (`DEBUG`, `log_level`, `app.port`) rather than a value
/// pasted where a name should be: a credential by its shape, or a random-looking word.
pub(crate) fn is_plain_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    let name_chars = bytes.first().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && bytes.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && bytes.len() <= 128;
    name_chars && !text.split(['_', '.', '-']).any(random_word) && !looks_like_credential(text)
}

/// Whether a `.env` key reads as a value pasted where a key should be (a token, base64): such a
/// line never becomes a key, since keys are printed in every report.
pub(crate) fn is_pasted_value(key: &str) -> bool {
    let b64 = key.len() >= 16
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/-_".contains(&b))
        && key.bytes().any(|b| b.is_ascii_digit())
        && key.bytes().any(|b| b.is_ascii_uppercase())
        && key.bytes().any(|b| b.is_ascii_lowercase())
        && !key.contains('_');
    b64 || key.split(['_', '.', '-']).any(random_word) || looks_like_credential(key)
}

/// A value that reads as generated, not chosen: one word of 16 or more characters from a token
/// alphabet (base64, hex, a UUID) with both letters and digits.
fn is_generated_token(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() >= 16
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"-_+/=.%~".contains(b))
        && bytes.iter().any(u8::is_ascii_digit)
        && bytes.iter().any(u8::is_ascii_alphabetic)
        && !bytes.contains(&b'.')
        || bytes.len() >= 8 && value.split(['_', '.', '-']).any(random_word)
}

/// An HTTP header's name (`X-Api-Key`, `Authorization`): what an `AUTH_HEADER` setting names when
/// it holds no value.
fn is_header_name(value: &str) -> bool {
    let named = value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && value.len() <= 64;
    named && (value.contains('-') || value.eq_ignore_ascii_case("authorization")) && !looks_like_credential(value)
}

/// A path to a file holding the secret (`GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json`),
/// not the secret: absolute, in plain path characters, ending in a file type.
fn is_file_path(value: &str) -> bool {
    const TYPES: &[&str] = &[
        "json",
        "pem",
        "key",
        "crt",
        "cer",
        "p12",
        "pfx",
        "jks",
        "txt",
        "yaml",
        "yml",
        "env",
        "conf",
        "cfg",
        "ini",
        "properties",
        "toml",
        "keytab",
        "gpg",
        "asc",
        "der",
    ];
    let plain = value.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b));
    let typed = value.rsplit_once('.').is_some_and(|(_, ext)| TYPES.contains(&ext));
    plain && value.starts_with('/') && value.matches('/').count() >= 2 && typed && !value.contains("//")
}

/// A word with letters and digits interleaved (`Ab3dE6gH9jK2`): generated, not named.
fn random_word(word: &str) -> bool {
    let bytes = word.as_bytes();
    let switches = bytes.windows(2).filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit()).count();
    let cases = bytes.windows(2).filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase()).count();
    bytes.len() >= 8 && (switches >= 4 || (switches >= 2 && cases >= 2))
}

/// Whether text holds a credential by its shape alone.
pub(crate) fn looks_like_credential(text: &str) -> bool {
    !shapes::find(text, &SecretRules::default(), None).is_empty()
}

/// A switch or a mode written as a word, not a secret (`AUTH=true`, `http_tokens = "required"`).
pub(crate) fn is_flag_word(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "enabled",
        "disabled",
        "required",
        "optional",
        "none",
        "null",
        "default",
        "auto",
        "always",
        "never",
        "custom",
        "aws_iam",
        "cognito_user_pools",
        "seconds",
        "minutes",
        "hours",
        "days",
        "ldap",
        "oidc",
        "oauth",
        "oauth2",
        "saml",
        "basic",
        "jwt",
        "kerberos",
        "mtls",
        "anonymous",
        "internal",
        "external",
        "static",
        "dynamic",
    ];
    WORDS.iter().any(|w| value.eq_ignore_ascii_case(w))
}

/// How the walk treats a subtree.
#[derive(Clone, Copy)]
struct Branch<'a> {
    /// How the keys of the map here read (a bare `KEY` is a secret only among settings).
    fields: Context,
    /// Every map is a map of settings (`.env`, INI and properties files).
    flat: bool,
    /// Names decide (not inside a resource that only refers to secrets).
    names: bool,
    /// Every scalar here is secret (the entity, or a `{name, value}` pair, is named like a secret).
    all: bool,
    /// Under a map named like a secret (`secrets: {stripe: …}`): its strings are secret, except
    /// fields about a secret (`secretName`, `username`).
    inherited: bool,
    /// The command whose words these are (`redis-cli`, `sh`), for a command line.
    tool: Option<&'a str>,
    /// A Kubernetes object's root: its `data` fields are settings.
    data: bool,
}

/// Keys whose value names a `{name, value}` pair's setting, and keys that hold the pair's value.
fn is_pair_name(key: &str) -> bool {
    matches!(key, "name" | "key" | "Name" | "Key" | "attribute" | "contextName" | "property")
}

fn is_pair_value(key: &str) -> bool {
    matches!(key, "value" | "Value" | "values" | "Values")
}

struct Walk<'a> {
    rules: &'a SecretRules,
    fingerprinter: &'a Fingerprinter,
    /// How many levels of documents inside strings are still read (JSON in a string in a ConfigMap).
    embedded: u8,
    /// Names that are never a secret's in this entity (a secret manager's `secret_id` is its name).
    plain: &'static [&'static str],
}

/// Deeper than any input drift accepts (the parsers stop at 256 levels).
const MAX_DEPTH: usize = 512;

impl Walk<'_> {
    /// Protects what `node` (found under `key`) holds; whether it changed.
    fn node(&self, node: &mut Node, key: Option<&Key>, branch: Branch<'_>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node {
            Node::Map(map) => {
                // `{name: DB_PASSWORD, value: …}`: the pair's name names its value. Fields are sorted,
                // so the name fields come before `value`/`values` (upper case sorts first).
                let mut pair_secret = false;
                // One look at the keys: a pair's value, a command line.
                let (mut has_pair_value, mut has_command) = (false, false);
                let mut shape = MapShape::default();
                for field in map.fields() {
                    has_pair_value |= is_pair_value(field.key());
                    has_command |= is_command_key(field.key());
                    shape.see(field);
                }
                let mut credential_keys = false;
                let tool = if has_command { command_tool(map).map(str::to_owned) } else { None };
                // `{name: db, key: password}`, `{secretName: db, password: password}`: a reference
                // to a Secret's key (Prometheus Operator, Strimzi…), not a secret.
                let reference = (shape.reference || shape.compose_reference) && is_secret_reference(map);
                // `{value: …, sensitive: true}`: Terraform's marking, wherever the document came from.
                let marked = shape.sensitive;
                // A JSON Web Key's private parts (`k`, `d`, `p`, `q`…).
                let jwk = shape.jwk;
                for field in map.fields_mut() {
                    let (key, child) = field.parts_mut();
                    let name = key.as_str();
                    let verdict = names::key_verdict(key, branch.fields);
                    credential_keys |= verdict.credential;
                    if has_pair_value
                        && is_pair_name(name)
                        && let Node::String(text) = &*child
                    {
                        pair_secret |= branch.names && self.rules.is_secret_in(text, Context::Setting);
                    }
                    // kustomize's `secretGenerator`: every literal (`key=value`) becomes Secret data.
                    if name == "secretGenerator" {
                        self.generator_literals(child);
                    }
                    // Terraform's `set_sensitive` blocks (helm_release): each `value` is secret.
                    if name.ends_with("_sensitive") {
                        self.sensitive_values(child);
                    }
                    let secret_name = branch.names
                        && !reference
                        && !self.plain.contains(&name)
                        && self.rules.configured(name).unwrap_or(verdict.secret);
                    let settings = branch.flat || (branch.data && matches!(name, "data" | "binaryData" | "stringData"));
                    let command = has_command && is_command_key(name);
                    let child_branch = Branch {
                        fields: if settings { Context::Setting } else { Context::Field },
                        flat: branch.flat,
                        names: branch.names,
                        all: branch.all
                            || (pair_secret && is_pair_value(name))
                            || (secret_name
                                && !child.is_map()
                                && !is_list_of_maps(child)
                                && !is_name_list(name, child))
                            // (At an entity's root, a Kubernetes Secret's data is the source's.)
                            || (shape.secret_object && depth > 0 && matches!(name, "data" | "stringData"))
                            || (marked && name == "value")
                            || (jwk && matches!(name, "k" | "d" | "p" | "q" | "dp" | "dq" | "qi")),
                        // Into maps only: a list of objects under a secret's name (volume
                        // `items`, `imagePullSecrets`) names things, and keys them.
                        inherited: child.is_map()
                            && ((branch.inherited && !names::is_about(name))
                                || (secret_name && names::holds_secrets(name))),
                        tool: if command { tool.as_deref().or(Some("")) } else { None },
                        data: false,
                    };
                    match child {
                        Node::String(_) | Node::Number(_) => {
                            let by_name = child_branch.all
                                || (branch.inherited
                                    && !reference
                                    && matches!(child, Node::String(_))
                                    && !names::is_about(name));
                            self.scalar(child, by_name, child_branch.tool, Some(name));
                        }
                        _ => {
                            self.node(child, Some(key), child_branch, depth + 1);
                        }
                    }
                }
                if credential_keys {
                    self.rename_credential_keys(map);
                }
                false
            }
            Node::List(list) => {
                let mut changed = false;
                if branch.tool.is_some() {
                    changed |= self.command_line(list.items_mut(), branch.tool);
                }
                // JsonLogic `{"in": [{"var": "apiKey"}, [...]]}`: values compared with a secret.
                let compared_with_secret = list.items().iter().any(|item| self.is_secret_var(item));
                let item_branch = Branch { data: false, ..branch };
                for item in list.items_mut() {
                    changed |= match item {
                        Node::String(_) | Node::Number(_) => self.scalar(
                            item,
                            branch.all || compared_with_secret || branch.inherited,
                            branch.tool,
                            key.map(Key::as_str),
                        ),
                        Node::List(inner) if compared_with_secret => {
                            let mut any = false;
                            for value in inner.items_mut() {
                                any |= self.scalar(value, true, None, None);
                            }
                            if any {
                                inner.recanonicalize();
                            }
                            any
                        }
                        _ => self.node(item, key, item_branch, depth + 1),
                    };
                }
                if changed {
                    list.recanonicalize();
                }
                changed
            }
            Node::String(_) | Node::Number(_) => self.scalar(node, branch.all, branch.tool, key.map(Key::as_str)),
            _ => false,
        }
    }

    /// The `literals` of kustomize `secretGenerator` items: each `key=value` keeps its key.
    fn generator_literals(&self, generators: &mut Node) {
        let Node::List(generators) = generators else { return };
        for generator in generators.items_mut() {
            let Node::Map(generator) = generator else { continue };
            for field in generator.fields_mut() {
                let (key, literals) = field.parts_mut();
                let Node::List(literals) = literals else { continue };
                if key.as_str() != "literals" {
                    continue;
                }
                for literal in literals.items_mut() {
                    if let Node::String(text) = &*literal {
                        let shown = text.split_once('=').map(|(k, _)| format!("{k}={}", shapes::MASK));
                        let secret = self.whole(text, shown);
                        *literal = Node::Secret(Box::new(secret));
                    }
                }
                literals.recanonicalize();
            }
        }
        generators.recanonicalize();
    }

    /// The `value` of each item of a `*_sensitive` block list.
    fn sensitive_values(&self, blocks: &mut Node) {
        let Node::List(blocks) = blocks else { return };
        for block in blocks.items_mut() {
            let Node::Map(block) = block else { continue };
            for field in block.fields_mut() {
                let (key, value) = field.parts_mut();
                if key.as_str() == "value"
                    && let Node::String(text) = &*value
                {
                    let secret = self.whole(text, None);
                    *value = Node::Secret(Box::new(secret));
                }
            }
        }
        blocks.recanonicalize();
    }

    /// `{"var": "apiKey"}` (or `["apiKey"]`): a JsonLogic reference to a secret-named attribute.
    fn is_secret_var(&self, item: &Node) -> bool {
        let Some(map) = item.as_map().filter(|m| m.len() == 1) else { return false };
        let name = match map.get("var") {
            Some(Node::String(s)) => Some(s.as_str()),
            Some(Node::List(l)) => l.items().first().and_then(Node::as_str),
            _ => None,
        };
        name.is_some_and(|n| self.rules.is_secret_in(n, Context::Setting))
    }

    /// A map whose keys are credentials (`apiKeys: {ghp_…: bot}`): the keys become fingerprints,
    /// since a key is printed in every path.
    fn rename_credential_keys(&self, map: &mut crate::model::Map) {
        let fields = std::mem::take(map).into_fields();
        let fields = fields
            .into_iter()
            .map(|field| {
                let (key, line, node) = field.into_parts();
                if names::key_verdict(&key, Context::Field).credential {
                    let label = format!("secret:{}", self.fingerprinter.fingerprint(key.as_bytes()));
                    crate::model::Field::new(label, line, node)
                } else {
                    crate::model::Field::with_key(key, line, node)
                }
            })
            .collect();
        *map = crate::model::Map::from_fields(fields).0;
    }

    /// A string or number: secret by name (`by_name`), else masked by shape (and, for a document
    /// held in the string, by what its structure says; `hint` is the name it is stored under).
    /// References (`${DB_PASSWORD}`) and switches (`true`) are never secrets.
    fn scalar(&self, node: &mut Node, by_name: bool, tool: Option<&str>, hint: Option<&str>) -> bool {
        let secret = match node {
            Node::String(s) if by_name => {
                let header_name = hint.is_some_and(|h| h.to_ascii_lowercase().ends_with("header")) && is_header_name(s);
                if !s.is_empty() && (is_reference(s) || is_flag_word(s) || is_file_path(s) || header_name) {
                    return false;
                }
                Some(self.whole(s, self.rules.url_display(s)))
            }
            // `SESSION=…`, `AUTH_COOKIE=…`: a session or a cookie is a secret when its value is a
            // generated token (`SESSION=redis` is a choice of store).
            Node::String(s) if hint.is_some_and(names::is_session_name) && is_generated_token(s) => {
                Some(self.whole(s, None))
            }
            Node::String(s) => {
                let mut spans = shapes::find(s, self.rules, tool);
                let document = s.contains('\n') || s.trim_start().starts_with(['{', '[']);
                if self.embedded > 0 && document && embedded::may_name_secrets(s, self.rules) {
                    let values = embedded::secret_values(s, hint, self.rules, self.embedded - 1);
                    if !values.is_empty() {
                        spans.extend(embedded::spans(s, &values));
                        spans = shapes::merge(spans);
                    }
                }
                shapes::apply(s, spans).map(|masked| {
                    let redacted = (masked.trim() != shapes::MASK).then_some(masked);
                    self.whole(s, redacted)
                })
            }
            Node::Number(n) if by_name => Some(self.whole(n.as_str(), None)),
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
        let hints = SecretHints {
            empty: value.is_empty(),
            test_credential: is_test_credential(value),
            switch: is_flag_word(value.trim()),
        };
        Secret::new(Some(self.fingerprinter.fingerprint(value.as_bytes())), redacted, hints)
    }

    /// A command line as a list of words (`args`, `command`): the words that command-line rules say
    /// are secret (the word after `--token`, `redis-cli -a X`…) become secrets whole. Words with a
    /// secret inside (`--db-password=…`, `-p…`) are masked by `scalar`.
    fn command_line(&self, items: &mut [Node], tool: Option<&str>) -> bool {
        let words: Vec<&str> = items.iter().map(|i| i.as_str().unwrap_or("")).collect();
        let secret: Vec<usize> = command::secret_words(&words, tool, self.rules)
            .into_iter()
            .filter(|&i| items.get(i).is_some_and(|n| matches!(n, Node::String(_))))
            .collect();
        for &i in &secret {
            if let Node::String(value) = &items[i] {
                let secret = self.whole(value, None);
                items[i] = Node::Secret(Box::new(secret));
            }
        }
        !secret.is_empty()
    }
}

/// A list of objects (`imagePullSecrets: [{name: regcred}]`): under a secret's name it names
/// things; its items' own fields say what is secret.
fn is_list_of_maps(node: &Node) -> bool {
    node.as_list().is_some_and(|l| !l.items().is_empty() && l.items().iter().all(Node::is_map))
}

/// A `secrets` list of names (a Compose service's `secrets: [db_password]`, a ServiceAccount's):
/// references, not values.
fn is_name_list(key: &str, node: &Node) -> bool {
    key == "secrets"
        && node.as_list().is_some_and(|l| {
            l.items().iter().all(|i| {
                i.is_map()
                    || i.as_str().is_some_and(|s| {
                        s.len() <= 64
                            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                            && !looks_like_credential(s)
                    })
            })
        })
}

/// What the keys of a map say, seen in the one pass over them.
#[derive(Default)]
struct MapShape {
    /// A `secretName` or a `key` field: maybe a reference to a Secret's key.
    reference: bool,
    /// `sensitive: true` (or `"true"`).
    sensitive: bool,
    /// A `kty` field: a JSON Web Key.
    jwk: bool,
    /// `kind: Secret`: a Kubernetes Secret inside another document (Helm's `extraObjects`, a
    /// Terraform `kubernetes_manifest`), whose `data` and `stringData` are secrets.
    secret_object: bool,
    /// `file`, `environment`, `external`, `source`: a Compose secret's definition or use.
    compose_reference: bool,
}

impl MapShape {
    fn see(&mut self, field: &crate::model::Field) {
        match field.key() {
            "secretName" | "key" => self.reference = true,
            "file" | "environment" | "external" | "source" => self.compose_reference = true,
            "kty" => self.jwk = true,
            "kind" => self.secret_object = field.node().as_str() == Some("Secret"),
            "sensitive" => {
                self.sensitive = match field.node() {
                    Node::Bool(b) => *b,
                    Node::String(s) => s.eq_ignore_ascii_case("true"),
                    _ => false,
                }
            }
            _ => {}
        }
    }
}

/// A map that names a Secret and one of its keys, with nothing else but scalars:
/// `{name: db, key: password}`, `{secretName: db, password: password}`.
fn is_secret_reference(map: &crate::model::Map) -> bool {
    let scalars = map.fields().iter().all(|f| matches!(f.node(), Node::String(_) | Node::Bool(_) | Node::Number(_)));
    let names_secret = map.get("secretName").is_some() || (map.get("name").is_some() && map.get("key").is_some());
    // Compose: `secrets: {db: {file: ./db.txt}}`, `{environment: DB_PW}`, `{external: true}`; a
    // service's `secrets: [{source: db, target: db_pw, mode: 0440}]`.
    let compose = ["file", "environment", "external", "source"].iter().any(|k| map.get(k).is_some())
        && map.fields().iter().all(|f| {
            matches!(
                f.key(),
                "file" | "environment" | "external" | "source" | "target" | "mode" | "uid" | "gid" | "name"
            )
        });
    scalars && (names_secret || compose) && map.len() <= 5
}

/// The command a container or task runs (`command: [redis-cli]`), by the file name of its first
/// word, for the rules that depend on the tool (`redis-cli -a`, `sshpass -p`).
fn command_tool(map: &crate::model::Map) -> Option<&str> {
    let first = ["command", "cmd", "entrypoint", "entryPoint"].iter().find_map(|k| match map.get(k)? {
        Node::List(list) => list.items().first().and_then(Node::as_str),
        Node::String(s) => s.split_whitespace().next(),
        _ => None,
    })?;
    Some(first.rsplit('/').next().unwrap_or(first))
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
        SecretRules::default().protect_tree(&fp(), Domain::K8s, "apps/Deployment/shop/api", None, &mut body);
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
        SecretRules::default().protect_tree(
            &fp(),
            Domain::Terraform,
            "output.admin_password",
            Some("admin_password"),
            &mut body,
        );
        assert!(body.as_map().and_then(|m| m.get("value")).is_some_and(|v| v.as_secret().is_some()));
        assert_eq!(body.as_map().and_then(|m| m.get("sensitive")), Some(&Node::Bool(false)));
    }
}
