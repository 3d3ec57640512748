//! The environment each production container runs with, as the kubelet builds it (DESIGN §10;
//! LAYERS.md §6, `kubelet_pods.go` `makeEnvironmentVariables`): `envFrom` sources in order (every
//! key of a ConfigMap or Secret, after its `prefix`), then `env` in order (`value`, or `valueFrom`
//! a ConfigMap or Secret key; field and resource references stay references); a later name wins.
//!
//! Two guards come from it:
//! - a variable that takes its value from a ConfigMap or Secret under another name
//!   (`PAYMENT_SANDBOX` from key `sandbox`, `APP_` + `DEBUG`) is guarded under the name the
//!   container sees, where the key's own name would not fail the guard;
//! - a reference production cannot satisfy where the other environment can — a key production's
//!   ConfigMap or Secret lacks and the other's has, or an object only the other environment has —
//!   is a finding: the container would not start (`CreateContainerConfigError`), unless the
//!   reference is `optional`.

use std::collections::BTreeMap;

use crate::environment::Family;
use crate::model::{Domain, Entity, EntityId, Node, Snapshot};
use crate::path::Segment;
use crate::report::{Category, Finding, Severity};

use super::RuleId;
use super::finding::Side;
use super::production::{Guard, guard_finding};
use super::settings::{containers, line_of, path_value};

/// Where a container's variable comes from: a ConfigMap's or Secret's key, through `envFrom` (its
/// index) or `env[].valueFrom`. Variables set otherwise are not kept: they are guarded where set.
#[derive(Clone, Copy)]
enum Source<'a> {
    Object { kind: &'static str, name: &'a str, key: &'a str, env_from: Option<usize> },
}

/// What the guards need of a production workload.
pub(super) struct Context<'a> {
    pub(super) snapshot: &'a Snapshot,
    pub(super) other: Option<&'a Snapshot>,
    pub(super) env: &'a str,
    pub(super) others: &'a [&'static Family],
    pub(super) side: Side,
}

/// Guards the effective environment of every container of `entity`.
pub(super) fn guard(cx: &Context<'_>, entity: &Entity, other_entity: Option<&Entity>, out: &mut Vec<Finding>) {
    let address = entity.id().address();
    let kind = super::k8s::kind_of(address);
    if matches!(kind, "ConfigMap" | "Secret") {
        return;
    }
    let namespace = address.split('/').nth(2).unwrap_or("_");
    let flag = |node: &Node, k: &str| matches!(node.as_map().and_then(|m| m.get(k)), Some(Node::Bool(true)));
    for container in containers(entity.body()) {
        let mut variables: BTreeMap<String, (&Node, Source<'_>)> = BTreeMap::new();
        let items = |k: &str| container.node.as_map().and_then(|m| m.get(k)).and_then(Node::as_list);
        let mut problems: Vec<(crate::path::Path, String)> = Vec::new();
        let mut missing = |path: crate::path::Path, message: String| problems.push((path, message));
        for (index, source) in items("envFrom").map(|l| l.items()).unwrap_or_default().iter().enumerate() {
            for (field, object_kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                let Some(reference) = source.as_map().and_then(|m| m.get(field)) else { continue };
                let Some(name) = text(reference, "name") else { continue };
                let prefix = text(source, "prefix").unwrap_or_default();
                match data(cx.snapshot, object_kind, namespace, name) {
                    // Without a prefix a variable is its key's name, guarded on the object itself.
                    Some(_) if prefix.is_empty() => {}
                    Some(data) => {
                        for field in data.fields() {
                            let source =
                                Source::Object { kind: object_kind, name, key: field.key(), env_from: Some(index) };
                            variables.insert(format!("{prefix}{}", field.key()), (field.node(), source));
                        }
                    }
                    None if !flag(reference, "optional")
                        && cx.other.is_some_and(|o| data(o, object_kind, namespace, name).is_some()) =>
                    {
                        let path = container.path().child(Segment::Key("envFrom".into())).child(Segment::Index(index));
                        missing(
                            path,
                            format!(
                                "container {} takes every key of {object_kind} {name}, which {} does not have: it would not start",
                                container.name, cx.env
                            ),
                        );
                    }
                    None => {}
                }
            }
        }
        for item in items("env").map(|l| l.items()).unwrap_or_default() {
            let Some(variable) = text(item, "name") else { continue };
            let Some(value_from) = item.as_map().and_then(|m| m.get("valueFrom")) else {
                // The container's own value wins over an `envFrom` one (and is guarded as set).
                variables.remove(variable);
                continue;
            };
            let reference = [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")]
                .into_iter()
                .find_map(|(field, kind)| value_from.as_map().and_then(|m| m.get(field)).map(|r| (r, kind)));
            let Some((reference, object_kind)) = reference else {
                // A field or resource reference: known only in the running pod.
                variables.remove(variable);
                continue;
            };
            let (Some(name), Some(key)) = (text(reference, "name"), text(reference, "key")) else { continue };
            let optional = flag(reference, "optional");
            let path = || {
                container
                    .path()
                    .child(Segment::Key("env".into()))
                    .child(Segment::Keyed(format!("name={}", path_value(variable)).into()))
                    .child(Segment::Key("valueFrom".into()))
            };
            match data(cx.snapshot, object_kind, namespace, name) {
                Some(here) => match here.field(key) {
                    Some(field) => {
                        // The key's own name is guarded on the ConfigMap; borrow the field from
                        // the snapshot, which outlives this pass.
                        let source = Source::Object { kind: object_kind, name, key: field.key(), env_from: None };
                        variables.insert(variable.to_owned(), (field.node(), source));
                    }
                    // An optional reference to a missing key sets nothing: an `envFrom` value stays.
                    None if optional => {}
                    // Missing on both sides: the key comes from elsewhere (an operator, a sealed
                    // secret), or both are broken alike; not a difference between them.
                    None if cx.other.is_some_and(|o| {
                        data(o, object_kind, namespace, name).is_none_or(|d| d.field(key).is_none())
                    }) => {}
                    None => missing(
                        path(),
                        format!(
                            "container {} reads key {key} of {object_kind} {name} into {variable}, and {}'s {name} has no such key: it would not start",
                            container.name, cx.env
                        ),
                    ),
                },
                None if !optional && cx.other.is_some_and(|o| data(o, object_kind, namespace, name).is_some()) => {
                    missing(
                        path(),
                        format!(
                            "container {} reads {variable} from {object_kind} {name}, which {} does not have: it would not start",
                            container.name, cx.env
                        ),
                    );
                }
                None => {}
            }
        }
        for (path, message) in problems {
            let line = line_of(entity.body(), &path);
            let node = entity.body().at(&path);
            let guard = Guard { category: Category::Guard, severity: Severity::High, message };
            out.push(guard_finding(
                entity,
                other_entity,
                cx.side,
                (path, node),
                line,
                guard,
                RuleId::MissingReference.as_str(),
            ));
        }
        // Variables named otherwise than their key, guarded as the container sees them.
        for (variable, (node, source)) in &variables {
            let Source::Object { kind: object_kind, name, key, env_from } = source;
            let node: &Node = node;
            if variable == key {
                continue;
            }
            let by_key: Vec<RuleId> =
                super::guards::check(key, node, cx.env, cx.others).into_iter().map(|v| v.rule).collect();
            for violation in super::guards::check(variable, node, cx.env, cx.others) {
                if by_key.contains(&violation.rule) {
                    continue;
                }
                let path = match env_from {
                    Some(index) => container.path().child(Segment::Key("envFrom".into())).child(Segment::Index(*index)),
                    None => container
                        .path()
                        .child(Segment::Key("env".into()))
                        .child(Segment::Keyed(format!("name={}", path_value(variable)).into()))
                        .child(Segment::Key("valueFrom".into())),
                };
                let line = line_of(entity.body(), &path);
                let message = format!(
                    "{} (container {} takes it from {object_kind} {name} key {key})",
                    violation.message, container.name
                );
                let guard = Guard { category: Category::Guard, severity: violation.severity, message };
                out.push(guard_finding(
                    entity,
                    other_entity,
                    cx.side,
                    (path, Some(node)),
                    line,
                    guard,
                    violation.rule.as_str(),
                ));
            }
        }
    }
}

/// A string field of a map node.
fn text<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.as_map().and_then(|m| m.get(key)).and_then(Node::as_str)
}

/// The `data` of a ConfigMap or Secret of `snapshot`, if it has that object.
fn data<'s>(snapshot: &'s Snapshot, kind: &str, namespace: &str, name: &str) -> Option<&'s crate::model::Map> {
    let id = EntityId::new(Domain::K8s, format!("core/{kind}/{namespace}/{name}"));
    let entity = snapshot.entity(&id)?;
    static EMPTY: std::sync::OnceLock<crate::model::Map> = std::sync::OnceLock::new();
    Some(
        entity
            .body()
            .as_map()?
            .get("data")
            .and_then(Node::as_map)
            .unwrap_or_else(|| EMPTY.get_or_init(crate::model::Map::default)),
    )
}
