//! Labels of any other item by its fields: all of them when they fit, else its name, else the
//! most distinctive short ones.

use super::{LABEL_MAX, fit, named, quoted};
use crate::model::{Map, Node};
use crate::path;

/// Any other item by its fields: all of them (`key=dedicated,effect=NoSchedule`) when they fit,
/// else by its name (`name=AllowSSH`), else the most distinctive short ones: names first, free
/// text (a description) last, nested keys by their shortest unambiguous tail
/// (`kubernetes.io/metadata.name=fraud`).
pub(super) fn fields_label(map: &Map) -> Option<String> {
    let leaves = leaves(map);
    if leaves.is_empty() {
        return None;
    }
    let whole: Vec<String> = leaves.iter().map(|l| field_text(&l.path.join("."), &l.values)).collect();
    let joined = whole.join(",");
    if joined.len() <= LABEL_MAX {
        return Some(joined);
    }
    if let Some(name) = named(map, &["name", "Name", "id", "Id", "ID"]) {
        return Some(name);
    }
    let mut ranked: Vec<(u8, String, &[String])> =
        leaves.iter().map(|leaf| (rank(leaf), display_key(leaf, &leaves), leaf.values.as_slice())).collect();
    ranked.sort_by_key(|(rank, ..)| *rank);
    let mut out = String::new();
    for (_, key, values) in &ranked {
        let room = LABEL_MAX.saturating_sub(out.len() + 1);
        let whole = field_text(key, values);
        let field = if whole.len() <= room {
            whole
        } else if values.len() > 1 && key.len() + values[0].len() + 10 <= room {
            // A long list: its first values, then how many more.
            let quoted: Vec<String> = values.iter().map(|v| quoted(v)).collect();
            format!("{key}={}", fit(&quoted, room - key.len() - 1))
        } else {
            continue;
        };
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&field);
    }
    if out.is_empty() {
        // No field fits: the first, cut.
        let (_, key, values) = &ranked[0];
        out = crate::report::elide(&field_text(key, values), LABEL_MAX);
    }
    Some(out)
}

/// A scalar at the end of a nested key path; values of one path (a list's items) together.
struct Leaf {
    path: Vec<String>,
    values: Vec<String>,
}

fn leaves(map: &Map) -> Vec<Leaf> {
    let mut out = Vec::new();
    let mut prefix = Vec::new();
    collect_fields(map, &mut prefix, &mut out);
    out
}

fn collect_fields(map: &Map, prefix: &mut Vec<String>, out: &mut Vec<Leaf>) {
    for field in map.fields() {
        prefix.push(field.key().to_owned());
        collect(field.node(), prefix, out);
        prefix.pop();
    }
}

fn collect(node: &Node, prefix: &mut Vec<String>, out: &mut Vec<Leaf>) {
    match node {
        Node::Map(map) => collect_fields(map, prefix, out),
        Node::List(list) => {
            for item in list.items() {
                collect(item, prefix, out);
            }
        }
        Node::Secret(_) | Node::Null | Node::Bool(false) => {}
        Node::String(s) if s.is_empty() => {}
        other => {
            let value = other.to_string();
            match out.iter_mut().find(|leaf| leaf.path == *prefix) {
                Some(leaf) => leaf.values.push(value),
                None => out.push(Leaf { path: prefix.clone(), values: vec![value] }),
            }
        }
    }
}

fn field_text(key: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(key.len() + 16);
    out.push_str(key);
    out.push('=');
    path::push_value(&mut out, &values.join("+"));
    out
}

/// A nested key by its shortest tail that no other field's path ends with.
fn display_key(leaf: &Leaf, leaves: &[Leaf]) -> String {
    for n in 1..=leaf.path.len() {
        let tail = &leaf.path[leaf.path.len() - n..];
        let shared = leaves.iter().any(|other| other.path != leaf.path && other.path.ends_with(tail));
        if !shared {
            return tail.join(".");
        }
    }
    leaf.path.join(".")
}

/// How identifying a field is: names first, then short values, long values, free text last.
fn rank(leaf: &Leaf) -> u8 {
    let last = leaf.path.last().map(|k| k.to_ascii_lowercase().replace(['_', '-'], "")).unwrap_or_default();
    let long = leaf.values.iter().map(String::len).sum::<usize>() > 40;
    match last.as_str() {
        "sid" | "name" | "id" | "key" | "path" | "pathpattern" | "host" | "hosts" => 0,
        _ if last.ends_with("name") || last.ends_with("id") => 0,
        "description" | "comment" | "comments" | "note" | "notes" | "title" | "summary" | "message" | "reason"
        | "help" => 3,
        _ if long => 2,
        _ => 1,
    }
}

/// An item named by all its readable fields, when its own label is another item's too.
pub(super) fn full_label(item: &Node) -> Option<String> {
    let map = item.as_map()?;
    let leaves = leaves(map);
    let text = leaves.iter().map(|l| field_text(&l.path.join("."), &l.values)).collect::<Vec<_>>().join(",");
    (!text.is_empty() && text.len() <= 4 * LABEL_MAX && path::is_member_text(&text)).then_some(text)
}
