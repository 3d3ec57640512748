//! Spring Boot's config data (LAYERS.md §2; Spring Boot reference, "Externalized Configuration"):
//! `application.{yml,yaml,properties}` under `application-<profile>.*`, property by property.
//!
//! - Names bind relaxed: `webhook-secret`, `webhookSecret` and `webhook_secret` are one property
//!   (compared in the uniform form: lower case, letters and digits only; a bracketed `[a.b]` key
//!   keeps its text). The merged tree spells each name in Spring's canonical kebab case.
//! - A multi-document file's documents apply in order; one with `spring.config.activate.on-profile`
//!   (or the legacy `spring.profiles`) only when its profile expression holds for the environment,
//!   after the file's other documents; profile-specific files come after the plain ones.
//! - YAML `null`, `~` and `[]` bind as an empty string (they override); `{}` adds nothing
//!   (`OriginTrackedYamlLoader`).
//! - A list comes whole from the highest layer that has any element of it (the binder's view,
//!   `IndexedElementsBinder`): `hosts: [p.int]` in production replaces `[a.int, b.int, c.int]`.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Node;

use super::flat::{Entry, Seg};

/// A flat key in the uniform form, for matching.
type Uniform = Vec<Seg>;

/// Merges layers (each a document or a list of documents), lowest first, for `environment` and its
/// active `profile` (the profile file's name: `prod` for `application-prod.yml`).
pub(crate) fn merge_for(bodies: &[&Node], environment: &str, profile: Option<&str>) -> Node {
    let mut merged: BTreeMap<Uniform, Entry> = BTreeMap::new();
    for body in bodies {
        let documents: Vec<&Node> = match body {
            Node::List(list) => list.items().iter().collect(),
            other => vec![other],
        };
        let mut plain = Vec::new();
        let mut activated = Vec::new();
        for document in documents {
            let mut entries = Vec::new();
            flatten(document, &mut Vec::new(), 0, &mut entries, 0);
            match activation(&entries) {
                None => plain.push(entries),
                Some(expression) if holds(&expression, environment, profile) => activated.push(entries),
                Some(_) => {}
            }
        }
        for entries in plain.into_iter().chain(activated) {
            apply(&mut merged, entries);
        }
    }
    let entries = merged.into_values().filter(|e| !is_activation(&e.path)).collect();
    super::flat::rebuild(entries, false)
}

/// One document's entries over what is merged so far: lists it has replace the lower ones whole.
fn apply(merged: &mut BTreeMap<Uniform, Entry>, entries: Vec<Entry>) {
    let mut roots: BTreeSet<Uniform> = BTreeSet::new();
    for entry in &entries {
        let key = uniform_path(&entry.path);
        for (i, seg) in key.iter().enumerate() {
            if matches!(seg, Seg::Index(_)) {
                roots.insert(key[..i].to_vec());
            }
        }
        roots.insert(key);
    }
    merged.retain(|key, _| {
        !key.iter().enumerate().any(|(i, seg)| matches!(seg, Seg::Index(_)) && roots.contains(&key[..i]))
    });
    for mut entry in entries {
        let key = uniform_path(&entry.path);
        if let Some(old) = merged.get(&key) {
            entry.path = old.path.clone();
        }
        merged.insert(key, entry);
    }
}

fn flatten(node: &Node, path: &mut Vec<Seg>, line: u32, out: &mut Vec<Entry>, depth: usize) {
    if depth > crate::source::MAX_DEPTH {
        return;
    }
    match node {
        Node::Map(map) => {
            for field in map.fields() {
                let before = path.len();
                path.extend(segments(field.key()).into_iter().map(|s| match s {
                    Seg::Name(name) => Seg::Name(kebab(&name)),
                    index => index,
                }));
                flatten(field.node(), path, field.line(), out, depth + 1);
                path.truncate(before);
            }
        }
        Node::List(list) if list.items().is_empty() => {
            out.push(Entry { path: path.clone(), node: Node::string(""), line });
        }
        Node::List(list) => {
            for (i, item) in list.items().iter().enumerate() {
                path.push(Seg::Index(i));
                flatten(item, path, line, out, depth + 1);
                path.pop();
            }
        }
        Node::Null => out.push(Entry { path: path.clone(), node: Node::string(""), line }),
        other => out.push(Entry { path: path.clone(), node: other.clone(), line }),
    }
}

/// The segments of a property name: `a.b[0].c`, `map[key.with.dots]` (a bracketed key is one name).
pub(crate) fn segments(key: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !current.is_empty() {
                    out.push(Seg::Name(std::mem::take(&mut current)));
                }
            }
            '[' => {
                if !current.is_empty() {
                    out.push(Seg::Name(std::mem::take(&mut current)));
                }
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                match inner.parse::<usize>() {
                    Ok(i) => out.push(Seg::Index(i)),
                    Err(_) => out.push(Seg::Name(format!("[{inner}]"))),
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(Seg::Name(current));
    }
    out
}

/// The uniform form Spring compares names in: lower case, letters and digits only; a bracketed
/// key as written.
pub(crate) fn uniform(name: &str) -> String {
    if name.starts_with('[') {
        return name.to_owned();
    }
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn uniform_path(path: &[Seg]) -> Uniform {
    path.iter()
        .map(|s| match s {
            Seg::Name(name) => Seg::Name(uniform(name)),
            Seg::Index(i) => Seg::Index(*i),
        })
        .collect()
}

/// Spring's canonical form of a name: lower-case kebab (`webhookSecret`, `webhook_secret` →
/// `webhook-secret`); a bracketed key as written.
fn kebab(name: &str) -> String {
    if name.starts_with('[') {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' {
            out.push('-');
            previous_lower = false;
        } else if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// The profile expression a document is activated by, if any.
fn activation(entries: &[Entry]) -> Option<String> {
    let mut expressions = entries.iter().filter(|e| is_activation(&e.path)).filter_map(|e| {
        let names: Vec<String> = uniform_path(&e.path)
            .iter()
            .filter_map(|s| match s {
                Seg::Name(n) => Some(n.clone()),
                Seg::Index(_) => None,
            })
            .collect();
        let profile = names == ["spring", "config", "activate", "onprofile"] || names == ["spring", "profiles"];
        profile.then(|| e.node.as_str().map(str::to_owned)).flatten()
    });
    let first = expressions.next()?;
    // A list of profiles (`on-profile: [prod, staging]`): any of them.
    Some(expressions.fold(first, |all, next| format!("{all},{next}")))
}

/// Whether a document applies: it has no activation, or its profile expression holds.
pub(crate) fn applies(document: &Node, environment: &str, profile: Option<&str>) -> bool {
    let mut entries = Vec::new();
    flatten(document, &mut Vec::new(), 0, &mut entries, 0);
    activation(&entries).is_none_or(|expression| holds(&expression, environment, profile))
}

/// `spring.config.activate.*` and `spring.profiles`: which documents apply, not configuration.
fn is_activation(path: &[Seg]) -> bool {
    let names: Vec<String> = uniform_path(path)
        .into_iter()
        .filter_map(|s| match s {
            Seg::Name(n) => Some(n),
            Seg::Index(_) => None,
        })
        .collect();
    names.starts_with(&["spring".to_owned(), "config".to_owned(), "activate".to_owned()])
        || names == ["spring", "profiles"]
}

/// Whether a profile expression (`prod`, `prod & !eu`, `prod | staging`, `(a | b) & c`, or a
/// comma list where any may match) holds when `profile` is the one active profile; without one,
/// a profile named like the environment (or a word of its family: `prod` for production) is.
pub(crate) fn holds(expression: &str, environment: &str, profile: Option<&str>) -> bool {
    let active = Active { environment, profile };
    expression.split(',').any(|part| {
        let tokens = tokenize(part);
        let mut at = 0;
        let value = or(&tokens, &mut at, active);
        value && at == tokens.len()
    })
}

/// The active profile.
#[derive(Clone, Copy)]
struct Active<'a> {
    environment: &'a str,
    profile: Option<&'a str>,
}

impl Active<'_> {
    fn is(self, name: &str) -> bool {
        match self.profile {
            Some(profile) => profile == name,
            None => !self.environment.is_empty() && super::plan::names_environment(name, self.environment),
        }
    }
}

fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if matches!(c, '&' | '|' | '!' | '(' | ')') || c.is_whitespace() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn or(tokens: &[String], at: &mut usize, environment: Active<'_>) -> bool {
    let mut value = and(tokens, at, environment);
    while tokens.get(*at).is_some_and(|t| t == "|") {
        *at += 1;
        value |= and(tokens, at, environment);
    }
    value
}

fn and(tokens: &[String], at: &mut usize, environment: Active<'_>) -> bool {
    let mut value = not(tokens, at, environment);
    while tokens.get(*at).is_some_and(|t| t == "&") {
        *at += 1;
        value &= not(tokens, at, environment);
    }
    value
}

fn not(tokens: &[String], at: &mut usize, environment: Active<'_>) -> bool {
    match tokens.get(*at).map(String::as_str) {
        Some("!") => {
            *at += 1;
            !not(tokens, at, environment)
        }
        Some("(") => {
            *at += 1;
            let value = or(tokens, at, environment);
            if tokens.get(*at).is_some_and(|t| t == ")") {
                *at += 1;
            }
            value
        }
        Some(profile) => {
            *at += 1;
            environment.is(profile)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml;

    fn yaml(text: &str) -> Node {
        let documents = yaml::documents("t.yaml", text, 1 << 20).map(|(d, _)| d).unwrap_or_default();
        match documents.len() {
            1 => documents.into_iter().next().map_or(Node::Null, |d| d.node),
            _ => Node::List(crate::model::List::sequence(documents.into_iter().map(|d| d.node).collect())),
        }
    }

    /// LAYERS.md §2.8 S1 (files only; the environment variable is another source): the profile
    /// file's list replaces the base's whole, maps merge by property, `~` binds as "".
    #[test]
    fn s1_profile_file_over_application_yml() {
        let base =
            yaml("payment:\n  sandbox: true\n  hosts: [a.int, b.int, c.int]\n  timeouts: {connect: 2s, read: 5s}\n");
        let prod = yaml("payment:\n  sandbox: false\n  hosts: [p.int]\n  timeouts: {read: 10s}\n  webhook-secret: ~\n");
        let merged = merge_for(&[&base, &prod], "production", Some("prod"));
        let expected = yaml(
            "payment:\n  sandbox: false\n  hosts: [p.int]\n  timeouts: {connect: 2s, read: 10s}\n  webhook-secret: \"\"\n",
        );
        assert_eq!(merged, expected);
    }

    /// Relaxed binding: `webhookSecret` in one layer and `webhook_secret` in another are one
    /// property; properties files' dotted keys meet YAML trees.
    #[test]
    fn relaxed_names_and_properties_meet_yaml() {
        let base = yaml("payment:\n  webhookSecretName: a\n");
        let prod = yaml("payment.webhook_secret_name: b\n");
        assert_eq!(merge_for(&[&base, &prod], "prod", Some("prod")), yaml("payment:\n  webhook-secret-name: b\n"));
    }

    /// §2.8 S4: a document activated for `prod | staging` applies with staging active, after the
    /// file's plain documents; a profile file beats it.
    #[test]
    fn s4_multi_document_activation() {
        let base = yaml(
            "server:\n  port: 8080\n---\nspring:\n  config:\n    activate:\n      on-profile: \"prod | staging\"\nserver:\n  port: 80\n",
        );
        assert_eq!(merge_for(&[&base], "staging", None), yaml("server:\n  port: 80\n"));
        assert_eq!(merge_for(&[&base], "dev", None), yaml("server:\n  port: 8080\n"));
        let staging = yaml("server:\n  port: 81\n");
        assert_eq!(merge_for(&[&base, &staging], "staging", Some("staging")), yaml("server:\n  port: 81\n"));
        // With profile `prod` active, a document for `production` or `live` does not apply.
        let synonyms = yaml("a: 1\n---\nspring.config.activate.on-profile: production\na: 2\n");
        assert_eq!(merge_for(&[&synonyms], "prod", Some("prod")), yaml("a: 1\n"));
    }

    #[test]
    fn profile_expressions() {
        assert!(holds("prod & !eu", "production", None));
        assert!(!holds("!prod", "production", None));
        assert!(holds("(dev | prod) & !eu", "prod", Some("prod")));
        assert!(holds("dev, prod", "production", None));
        assert!(!holds("dev", "production", None));
        assert!(!holds("live", "production", Some("prod")));
    }
}
