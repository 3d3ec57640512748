//! The guards a team writes in `drift.toml` (`[[guard]]`): which values they select, and what is
//! wrong with each.

use crate::model::{Node, Snapshot};
use crate::path::{Path, Segment};
use crate::report::{self, Category, Finding};

use super::config;
use super::finding::{Side, setting_label};
use super::production::{Guard, guard_finding};
use super::settings::line_of;

/// The nodes of a body that a guard's path selects: looked up when the path is exact, else found
/// by walking the body and matching each node's path.
fn guard_nodes<'a>(guard: &config::Guard, body: &'a Node) -> Vec<(Path, &'a Node)> {
    if let Some(path) = &guard.exact_path {
        return body.at(path).map(|node| vec![(path.clone(), node)]).unwrap_or_default();
    }
    fn walk<'a>(node: &'a Node, path: &mut Vec<Segment>, guard: &config::Guard, out: &mut Vec<(Path, &'a Node)>) {
        if !path.is_empty() {
            let here = Path::from_segments(path.clone());
            if guard.path.is_match(&here.to_string()) {
                out.push((here, node));
            }
        }
        if path.len() > 64 {
            return;
        }
        match node {
            Node::Map(map) => {
                for field in map.fields() {
                    path.push(Segment::Key(field.key().into()));
                    walk(field.node(), path, guard, out);
                    path.pop();
                }
            }
            Node::List(list) => {
                for (i, item) in list.items().iter().enumerate() {
                    path.push(match list.kind() {
                        crate::model::ListKind::Keyed(key) | crate::model::ListKind::OrderedKeyed(key) => {
                            Segment::Keyed(crate::diff::keyed_text(key, item).into())
                        }
                        crate::model::ListKind::Set => Segment::Member(crate::diff::member_text(item).into()),
                        crate::model::ListKind::Sequence => Segment::Index(i),
                    });
                    walk(item, path, guard, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(body, &mut Vec::new(), guard, &mut out);
    out
}

/// A value as text for guard conditions (a secret has none: conditions on it cannot be checked).
fn guard_text(node: &Node) -> Option<String> {
    match node {
        Node::Secret(_) => None,
        Node::String(s) => Some(s.to_string()),
        Node::Map(_) | Node::List(_) => Some(report::value_json(node).to_string()),
        other => Some(other.to_string()),
    }
}

/// A value as a number: numbers and quantities by value, numeric strings parsed.
fn guard_number(node: &Node) -> Option<f64> {
    match node {
        Node::Number(n) => Some(n.value().to_f64()),
        Node::Quantity(q) => Some(q.value().to_f64()),
        Node::String(s) => crate::model::Quantity::parse(s).map(|q| q.value().to_f64()),
        _ => None,
    }
}

/// What is wrong with one selected value, if anything.
fn guard_violation(guard: &config::Guard, node: &Node, other: Option<&Node>) -> Option<String> {
    let text = guard_text(node);
    if guard.must_not_exist {
        return Some("must not exist".to_owned());
    }
    if let (Some(want), Some(text)) = (&guard.must_equal, &text)
        && text != want
    {
        return Some(format!("must equal `{want}`"));
    }
    if let (Some(re), Some(text)) = (&guard.must_match, &text)
        && !re.is_match(text)
    {
        return Some(format!("must match `{}`", re.as_str()));
    }
    if let (Some(re), Some(text)) = (&guard.must_not_match, &text)
        && re.is_match(text)
    {
        return Some(format!("must not match `{}`", re.as_str()));
    }
    if let (Some(allowed), Some(text)) = (&guard.one_of, &text)
        && !allowed.contains(text)
    {
        return Some(format!("must be one of {}", allowed.join(", ")));
    }
    if guard.min.is_some() || guard.max.is_some() {
        let Some(n) = guard_number(node) else { return Some("must be a number".to_owned()) };
        if let Some(min) = guard.min.filter(|min| n < *min) {
            return Some(format!("must be at least {min}"));
        }
        if let Some(max) = guard.max.filter(|max| n > *max) {
            return Some(format!("must be at most {max}"));
        }
    }
    if guard.must_differ && other.is_some_and(|o| o == node) {
        return Some("must differ from the other environment".to_owned());
    }
    if let Some(op) = &guard.compare {
        let (Some(here), Some(there)) = (guard_number(node), other.and_then(guard_number)) else {
            return Some(format!("must be comparable ({op}) with the other environment"));
        };
        let holds = match op.as_str() {
            ">=" => here >= there,
            ">" => here > there,
            "<=" => here <= there,
            "<" => here < there,
            "==" => here == there,
            _ => here != there,
        };
        if !holds {
            return Some(format!("must be {op} the other environment's value"));
        }
    }
    None
}

/// Runs one configured guard over one environment.
pub(super) fn config_guard(
    guard: &config::Guard,
    snapshot: &Snapshot,
    other: &Snapshot,
    env: &str,
    side: Side,
    out: &mut Vec<Finding>,
) {
    for entity in snapshot.entities() {
        if !guard.entity.is_match(&entity.id().to_string()) {
            continue;
        }
        let other_entity = other.entity(entity.id());
        let nodes = guard_nodes(guard, entity.body());
        let mut violations: Vec<(Path, Option<&Node>, String)> = Vec::new();
        if guard.must_exist && nodes.is_empty() {
            violations.push((guard.exact_path.clone().unwrap_or_default(), None, "must exist".to_owned()));
        }
        for (path, node) in nodes {
            let there = other_entity.and_then(|e| e.body().at(&path));
            if let Some(why) = guard_violation(guard, node, there) {
                violations.push((path, Some(node), why));
            }
        }
        for (path, node, why) in violations {
            let label = setting_label(entity.id(), &path);
            let message = match &guard.message {
                Some(message) => format!("{message} ({label} in {env} {why})"),
                None => format!("{label} in {env} {why}"),
            };
            let line = line_of(entity.body(), &path);
            let failed = Guard { category: Category::Guard, severity: guard.severity, message };
            out.push(guard_finding(entity, other_entity, side, (path, node), line, failed, &guard.name));
        }
    }
}
