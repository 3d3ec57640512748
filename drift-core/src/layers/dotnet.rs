//! .NET configuration (LAYERS.md §3; `Microsoft.Extensions.Configuration`): `appsettings.json`
//! under `appsettings.<Environment>.json`, each flattened to `:`-separated keys, compared without
//! case, the last file with a key supplying it.
//!
//! - No deletion: a later file shadows keys, never removes a lower file's siblings or children.
//! - Arrays are keys per index (`Hosts:0`), so a shorter array in a later file leaves the base's
//!   tail alive: `[a, b, c]` under `[p]` is `[p, b, c]` (`ArrayTests.cs`).
//! - `null` shadows its key with an empty value; `{}` and `[]` add nothing that shows.
//! - Lists of named objects (drift matches them by `Name`, in any order) merge item by item by
//!   name rather than by position: drift does not keep their order, and an override keeps its
//!   base's items in the same order in practice.

use std::collections::BTreeMap;

use crate::model::Node;

use super::flat::{Entry, Seg};

/// Merges layers, lowest first.
pub(crate) fn merge(bodies: &[&Node]) -> Node {
    let mut merged: BTreeMap<Vec<String>, Entry> = BTreeMap::new();
    for body in bodies {
        let mut entries = Vec::new();
        flatten(body, &mut Vec::new(), 0, &mut entries, 0);
        for mut entry in entries {
            let key: Vec<String> = entry
                .path
                .iter()
                .map(|s| match s {
                    Seg::Name(n) => n.to_lowercase(),
                    Seg::Index(i) => i.to_string(),
                })
                .collect();
            if let Some(old) = merged.get(&key) {
                entry.path = old.path.clone();
            }
            merged.insert(key, entry);
        }
    }
    super::flat::rebuild(merged.into_values().collect(), true)
}

fn flatten(node: &Node, path: &mut Vec<Seg>, line: u32, out: &mut Vec<Entry>, depth: usize) {
    if depth > crate::source::MAX_DEPTH {
        return;
    }
    match node {
        Node::Map(map) => {
            for field in map.fields() {
                let before = path.len();
                path.extend(segments(field.key()));
                flatten(field.node(), path, field.line(), out, depth + 1);
                path.truncate(before);
            }
        }
        // A list of named objects (drift matches them by `Name`, in any order): item by item by
        // name, each item's keys merged, so a later file's shorter list leaves the others alive.
        Node::List(list) if list.kind().key().is_some() => {
            let key = list.kind().key().and_then(|k| k.first()).map(|k| k.to_string()).unwrap_or_default();
            for item in list.items() {
                let name = item.as_map().and_then(|m| m.get(&key)).and_then(Node::as_str).unwrap_or_default();
                path.push(Seg::Name(format!("{}{name}", super::flat::ITEM)));
                flatten(item, path, line, out, depth + 1);
                path.pop();
            }
        }
        Node::List(list) => {
            for (i, item) in list.items().iter().enumerate() {
                path.push(Seg::Name(i.to_string()));
                flatten(item, path, line, out, depth + 1);
                path.pop();
            }
        }
        Node::Null => out.push(Entry { path: path.clone(), node: Node::string(""), line }),
        other => out.push(Entry { path: path.clone(), node: other.clone(), line }),
    }
}

/// The segments of a .NET key: `Logging:LogLevel:Default` is three.
pub(crate) fn segments(key: &str) -> Vec<Seg> {
    key.split(':').filter(|s| !s.is_empty()).map(|s| Seg::Name(s.to_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::json;

    fn json(text: &str) -> Node {
        json::document("t.json", text.as_bytes(), "JSON").map(|(d, _)| d.node).unwrap_or(Node::Null)
    }

    /// LAYERS.md §3.5 N1 (the files; environment variables are another source): keys match without
    /// case, the base's casing is kept, and the array's tail survives.
    #[test]
    fn n1_array_tail_survives() {
        let base = json(r#"{"Payment": {"Sandbox": true, "Hosts": ["a", "b", "c"], "Retry": {"Count": 3}}}"#);
        let prod = json(r#"{"payment": {"sandbox": false, "hosts": ["p"]}}"#);
        let merged = merge(&[&base, &prod]);
        let expected = json(r#"{"Payment": {"Sandbox": false, "Hosts": ["p", "b", "c"], "Retry": {"Count": 3}}}"#);
        assert_eq!(merged, expected);
    }

    /// N2 and N3: `[]` cannot clear the base's array; `null` shadows with an empty value.
    #[test]
    fn n2_n3_no_clearing_null_shadows() {
        let base = json(r#"{"Payment": {"Hosts": ["a", "b", "c"], "Retry": {"Count": 3}}}"#);
        let prod = json(r#"{"Payment": {"Hosts": [], "Retry": {"Count": null}}}"#);
        let expected = json(r#"{"Payment": {"Hosts": ["a", "b", "c"], "Retry": {"Count": ""}}}"#);
        assert_eq!(merge(&[&base, &prod]), expected);
    }

    /// Keys with `:` are paths (`"Logging:LogLevel": {...}`).
    #[test]
    fn colon_keys_are_paths() {
        let base = json(r#"{"Logging": {"LogLevel": {"Default": "Information"}}}"#);
        let prod = json(r#"{"Logging:LogLevel:Default": "Warning"}"#);
        assert_eq!(merge(&[&base, &prod]), json(r#"{"Logging": {"LogLevel": {"Default": "Warning"}}}"#));
    }
}
