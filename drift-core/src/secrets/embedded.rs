//! Documents held in a string: an `application.yaml` or `app.ini` in a ConfigMap, a kubeconfig in a
//! Terraform attribute, a JSON document in an annotation. Their structure says what a line-by-line
//! look cannot (`credentials:` / `  value: …`, `[auth]` / `key = …`): the string is parsed as the
//! document it is (by its key's file extension, else by its shape), the classifier runs over the
//! parsed tree, and every value it protects is masked where it sits in the text.

use super::SecretRules;
use crate::fingerprint::Fingerprinter;
use crate::model::{Domain, Node};

/// The secret values of the document `text` holds; `hint` is the name it is stored under
/// (`application.yaml`, `settings.json`, `app.ini`).
pub(crate) fn secret_values(text: &str, hint: Option<&str>, rules: &SecretRules, levels: u8) -> Vec<String> {
    let extension = hint.and_then(|h| h.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
    let trimmed = text.trim_start();
    let (parsed, context_address) = match extension.as_deref() {
        Some("ini" | "cfg" | "conf") => (crate::source::ini::parse("", text).ok().map(|(n, _)| n), "x.ini"),
        Some("properties") => (crate::source::properties::parse("", text).ok().map(|(n, _)| n), "x.properties"),
        Some("toml") => (crate::source::toml::parse("", text).ok(), "x.toml"),
        Some("json") => (crate::source::json::parse_embedded(text), "x.json"),
        _ if trimmed.starts_with('{') || trimmed.starts_with('[') => {
            (crate::source::json::parse_embedded(text), "x.json")
        }
        _ if text.contains('\n') => (yaml(text), "x.yaml"),
        _ => (None, ""),
    };
    let Some(original) = parsed.filter(|n| matches!(n, Node::Map(_) | Node::List(_))) else { return Vec::new() };
    let mut protected = original.clone();
    // Any key serves: the fingerprints are thrown away, only which values turned secret matters.
    let fingerprinter = Fingerprinter::with_key(b"embedded");
    rules.protect_tree_nested(&fingerprinter, Domain::Cfg, context_address, &mut protected, levels);
    let mut out = Vec::new();
    collect(&original, &protected, &mut out, 0);
    // A document in a string of this document (`{"outer": "{\"password\": \"…\"}"}`) stands
    // escaped in the text: its own secret values are what can be found there.
    let nested: Vec<String> = out
        .iter()
        .filter(|v| levels > 0 && (v.contains('\n') || v.trim_start().starts_with(['{', '['])))
        .flat_map(|v| secret_values(v, None, rules, levels - 1))
        .collect();
    out.extend(nested);
    out
}

/// Whether a document could hold a value secret by name: some word in it (a key, a pair's name) is
/// a secret's name or a command's key. Parsing is what costs; a document with no such word holds
/// nothing the walk of its tree could find that the value-shape search of the whole text does not.
pub(crate) fn may_name_secrets(text: &str, rules: &SecretRules) -> bool {
    if rules.has_extra_fragments() {
        // A team's fragment may span characters that split words here.
        return true;
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    text.as_bytes().split(|&b| !word(b)).filter(|w| w.len() >= 2).any(|w| {
        let Ok(w) = std::str::from_utf8(w) else { return false };
        let w = w.trim_matches(['-', '.']);
        super::is_command_key(w)
            || (super::names::has_trigger(w)
                && (rules.is_secret_in(w, super::Context::Setting) || rules.is_secret_in(w, super::Context::Field)))
    })
}

fn yaml(text: &str) -> Option<Node> {
    let (documents, _) = crate::source::yaml::documents_with(
        "",
        text,
        crate::source::yaml::Schema::Yaml11,
        crate::source::yaml::EMBEDDED_BUDGET,
    )
    .ok()?;
    let mut documents = documents.into_iter();
    let first = documents.next()?.node;
    // A single plain scalar is text, not a document.
    Some(first).filter(|n| !matches!(n, Node::String(_)))
}

/// The texts of the scalars of `original` that are secrets in `protected` (the same tree after the
/// classifier ran).
fn collect(original: &Node, protected: &Node, out: &mut Vec<String>, depth: usize) {
    if depth > crate::source::MAX_DEPTH {
        return;
    }
    match (original, protected) {
        (Node::String(s), Node::Secret(_)) => out.push(s.to_string()),
        (Node::Number(n), Node::Secret(_)) => out.push(n.as_str().to_owned()),
        (Node::Map(a), Node::Map(b)) if a.len() == b.len() => {
            for (x, y) in a.fields().iter().zip(b.fields()) {
                if x.key() == y.key() {
                    collect(x.node(), y.node(), out, depth + 1);
                }
            }
        }
        (Node::List(a), Node::List(b)) if a.items().len() == b.items().len() => {
            for (x, y) in a.items().iter().zip(b.items()) {
                collect(x, y, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Every place in `text` where one of `values` stands as a whole word (each line of a multi-line
/// value on its own, since a block scalar is indented in the text).
pub(crate) fn spans(text: &str, values: &[String]) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for value in values {
        for part in value.lines().map(str::trim).filter(|p| p.len() >= 3) {
            for (at, _) in text.match_indices(part) {
                let end = at + part.len();
                let bounded = (at == 0 || !word(bytes[at - 1])) && bytes.get(end).is_none_or(|&b| !word(b));
                if bounded {
                    out.push(at..end);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_in_strings() {
        let rules = SecretRules::default();
        let yaml = "app:\n  credentials:\n    username: bob\n    value: hunter2\n  secrets:\n    stripe: hunter3\n  passwords:\n    - hunter4\n  name: shop\n";
        let mut found = secret_values(yaml, Some("application.yaml"), &rules, 1);
        found.sort();
        assert_eq!(found, ["hunter2", "hunter3", "hunter4"]);
        let ini = "[auth]\nkey = hunter5\nuser = bob\n";
        assert_eq!(secret_values(ini, Some("app.ini"), &rules, 1), ["hunter5"]);
        let kubeconfig = "users:\n- name: u\n  user:\n    client-key-data: hunter6\n";
        assert_eq!(secret_values(kubeconfig, None, &rules, 1), ["hunter6"]);
        assert!(secret_values("worker_processes auto;\nevents {}\n", Some("nginx.conf"), &rules, 1).is_empty());
        // Only documents with a secret's name (or a command) in them are parsed.
        assert!(!may_name_secrets("server:\n  port: 8080\n  keepalive: 30\n", &rules));
        for named in
            [yaml, ini, kubeconfig, "env:\n- name: STRIPE_API_KEY\n  value: x\n", "{\"args\": [\"--x\", \"y\"]}"]
        {
            assert!(may_name_secrets(named, &rules), "{named}");
        }
        let found = spans("a: hunter2\nb: xhunter2\n", &["hunter2".into()]);
        assert_eq!((found.len(), found.first().map(|r| (r.start, r.end))), (1, Some((3, 10))));
    }
}
