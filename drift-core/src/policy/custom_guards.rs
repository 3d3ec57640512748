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
                let list_key = match path.last() {
                    Some(Segment::Key(key)) => key.to_string(),
                    _ => String::new(),
                };
                let labels = matches!(list.kind(), crate::model::ListKind::Set)
                    .then(|| crate::label::member_labels(list.items(), &list_key));
                for (i, item) in list.items().iter().enumerate() {
                    path.push(match &labels {
                        Some(labels) => Segment::Member(labels.get(i).map_or("", String::as_str).into()),
                        None => crate::diff::item_segment(list, i, item, &list_key),
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
    let on_text = guard.must_equal.is_some()
        || guard.must_match.is_some()
        || guard.must_not_match.is_some()
        || guard.one_of.is_some();
    if text.is_none() && on_text {
        // Never a silent pass: drift keeps only a secret's fingerprint, so a condition on its
        // text cannot hold or fail.
        return Some(
            "is a secret: drift keeps only its fingerprint, so a condition on its text cannot be checked".to_owned(),
        );
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

/// Whether a guard states what a value must be (so that an absent value fails it, unless the
/// guard is `optional`). `must_not_match` and `must_differ` say what it must not be: absent passes.
fn wants_value(guard: &config::Guard) -> bool {
    guard.must_equal.is_some()
        || guard.must_match.is_some()
        || guard.one_of.is_some()
        || guard.min.is_some()
        || guard.max.is_some()
        || guard.compare.is_some()
}

/// Runs one configured guard over one environment.
///
/// An absent value fails `must_exist`, and the value conditions unless the guard is `optional`:
/// in each entity the `entity` glob selects, or, for a guard with no `entity`, when no entity has
/// it at all. A guard with no `path` is about whole entities: `must_exist` fails when nothing
/// matches the glob, `must_not_exist` once per entity that does.
pub(super) fn config_guard(
    guard: &config::Guard,
    snapshot: &Snapshot,
    other: &Snapshot,
    env: &str,
    side: Side,
    out: &mut Vec<Finding>,
) -> bool {
    let absent_fails = guard.must_exist || (wants_value(guard) && !guard.optional);
    let (mut matched, mut found) = (0usize, false);
    let mut lacking = None;
    for entity in snapshot.entities() {
        if !guard.entity.is_match(&entity.id().to_string()) {
            continue;
        }
        matched += 1;
        let other_entity = other.entity(entity.id());
        let mut violations: Vec<(Path, Option<&Node>, String)> = Vec::new();
        if guard.whole_entity && (guard.must_exist || guard.must_not_exist) {
            // About the entity itself: it exists, which is all `must_exist` asks.
            found = true;
            if guard.must_not_exist {
                violations.push((Path::default(), None, "must not exist".to_owned()));
            }
        } else {
            let nodes = guard_nodes(guard, entity.body());
            found |= !nodes.is_empty();
            if nodes.is_empty() && absent_fails {
                if guard.any_entity {
                    lacking.get_or_insert(entity);
                } else {
                    violations.push((guard.exact_path.clone().unwrap_or_default(), None, absent(guard)));
                }
            }
            for (path, node) in nodes {
                let there = other_entity.and_then(|e| e.body().at(&path));
                if let Some(why) = guard_violation(guard, node, there) {
                    violations.push((path, Some(node), why));
                }
            }
        }
        push(guard, entity, other_entity, env, side, violations, out);
    }
    // Whether the guard applied to anything: it selected a value, or it failed for lack of one.
    if found || !absent_fails {
        return found;
    }
    if !guard.any_entity {
        // Each selected entity said what it lacks; only an empty selection is left to say.
        if matched == 0 {
            out.push(missing_entity(guard, env, side));
        }
        return true;
    }
    match (lacking, matched) {
        // One entity (a `.env` file) and it lacks the setting: the finding is about it.
        (Some(entity), 1) => {
            let violation = vec![(guard.exact_path.clone().unwrap_or_default(), None, absent(guard))];
            push(guard, entity, other.entity(entity.id()), env, side, violation, out);
        }
        _ => out.push(missing_entity(guard, env, side)),
    }
    true
}

/// Why an absent value fails the guard.
fn absent(guard: &config::Guard) -> String {
    if guard.must_exist {
        "must exist".to_owned()
    } else {
        "is absent (set `optional = true` to allow that)".to_owned()
    }
}

/// The findings of one entity's violations.
fn push(
    guard: &config::Guard,
    entity: &crate::model::Entity,
    other_entity: Option<&crate::model::Entity>,
    env: &str,
    side: Side,
    violations: Vec<(Path, Option<&Node>, String)>,
    out: &mut Vec<Finding>,
) {
    for (path, node, why) in violations {
        let label = if path.is_root() { entity.id().to_string() } else { setting_label(entity.id(), &path) };
        let message = match &guard.message {
            Some(message) => format!("{message} ({label} in {env} {why})"),
            None => format!("{label} in {env} {why}"),
        };
        let line = line_of(entity.body(), &path);
        let failed = Guard { category: Category::Guard, severity: guard.severity, message };
        out.push(guard_finding(entity, other_entity, side, (path, node), line, failed, &guard.name));
    }
}

/// A finding about an entity that a `must_exist` guard wants and the environment does not have:
/// its entity is the glob as written.
fn missing_entity(guard: &config::Guard, env: &str, side: Side) -> Finding {
    let entity: crate::model::EntityId = guard
        .entity_glob
        .parse()
        .unwrap_or_else(|_| crate::model::EntityId::new(crate::model::Domain::Cfg, guard.entity_glob.as_str()));
    let path = guard.exact_path.clone().unwrap_or_default();
    let what = if path.is_root() { guard.entity_glob.clone() } else { format!("{} {path}", guard.entity_glob) };
    let why = format!("{what} in {env} {}: nothing has it", absent(guard));
    let message = match &guard.message {
        Some(message) => format!("{message} ({why})"),
        None => why,
    };
    let mut finding = super::finding::finish(super::finding::Draft {
        entity: &entity,
        path: path.clone(),
        change: report::FindingKind::Guard,
        left: None,
        right: None,
        category: Category::Guard,
        severity: guard.severity,
        status: report::Status::Drift,
        message,
        rule: None,
        reason: None,
        location: report::Locations::default(),
    });
    finding.id = super::production::guard_id(&entity, &path, &guard.name, side);
    finding.rule = Some(std::borrow::Cow::Owned(guard.name.clone()));
    finding
}
