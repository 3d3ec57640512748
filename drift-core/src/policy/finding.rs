//! Findings as the policy builds them: the environments' names, a draft finding and how it is
//! finished (its stable id, its values as JSON), and how settings and values read in messages.

use std::borrow::Cow;

use crate::environment::Family;
use crate::model::{EntityId, Node};
use crate::path::Path;
use crate::report::{self, Category, Finding, FindingKind, Locations, Severity, Status};

use super::RuleId;

#[derive(Clone, Copy)]
pub(super) struct Names<'a> {
    pub(super) left: &'a str,
    pub(super) right: &'a str,
    pub(super) left_family: Option<&'static Family>,
    pub(super) right_family: Option<&'static Family>,
    /// The sides are known to be different environments (`environment::role`): equal secrets
    /// are reuse, changed ones expected; otherwise a changed secret is a rotation.
    pub(super) distinct: bool,
    /// Workloads (`group/Kind/namespace/name`) that a HorizontalPodAutoscaler scales in either
    /// environment, with the autoscaler's name: their replicas are not configuration.
    pub(super) scaled: &'a std::collections::HashMap<String, String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Left,
    Right,
}

/// A finding before its id and JSON values are computed.
pub(super) struct Draft<'a> {
    pub(super) entity: &'a EntityId,
    pub(super) path: Path,
    pub(super) change: FindingKind,
    pub(super) left: Option<&'a Node>,
    pub(super) right: Option<&'a Node>,
    pub(super) category: Category,
    pub(super) severity: Severity,
    pub(super) status: Status,
    pub(super) message: String,
    pub(super) rule: Option<RuleId>,
    pub(super) reason: Option<Cow<'static, str>>,
    pub(super) location: Locations,
}

pub(super) fn finish(d: Draft<'_>) -> Finding {
    let rule = d.rule.map(RuleId::as_str);
    // Guards and reuse are about a rule, not a difference: two guards on one setting are two findings.
    // A guard on the left side (production on the left, or both sides production) has an id of
    // its own: the same rule on the right is another finding.
    let left_guard = d.location.right.is_none() && d.location.left.is_some();
    let sided = rule.filter(|_| left_guard).map(|r| format!("{r}@left"));
    let id_rule = if matches!(d.change, FindingKind::Guard) { sided.as_deref().or(rule) } else { None };
    Finding {
        id: report::finding_id(d.entity, &d.path, d.change, id_rule),
        domain: d.entity.domain(),
        entity: d.entity.clone(),
        path: d.path,
        change: d.change,
        left: d.left.map(report::value_json),
        right: d.right.map(report::value_json),
        category: d.category,
        severity: d.severity,
        status: d.status,
        message: d.message,
        rule: rule.map(Cow::Borrowed),
        reason: d.reason,
        location: d.location,
        provenance: None,
        follows: None,
    }
}

/// How a setting is named in messages: its path, or the entity when the path is empty.
pub(super) fn setting_label(entity: &EntityId, path: &Path) -> String {
    if path.is_root() { entity.to_string() } else { path.to_string() }
}

/// A value for a message: one line, long values elided in the middle.
pub(super) fn shown(node: Option<&Node>) -> String {
    let Some(node) = node else {
        return "absent".to_owned();
    };
    let text = match node {
        Node::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    report::elide(&text, 80)
}

/// The keys of a keyed list's items, in order (`wait-db`, `migrate`; `name=a,port=1` for a
/// composite key).
pub(super) fn item_keys(list: Option<&Node>) -> Vec<String> {
    let Some(Node::List(list)) = list else { return Vec::new() };
    let Some(key) = list.kind().key() else { return Vec::new() };
    list.items()
        .iter()
        .map(|item| match (key, crate::model::node::key_value(item, &key[0])) {
            ([_], Some(Node::String(name))) => name.to_string(),
            _ => crate::label::keyed_text(key, item),
        })
        .collect()
}
