//! The built-in production guards run over one environment: settings (switches, other
//! environments, localhost, test credentials), certificates, exposure, containers.

use std::borrow::Cow;

use crate::environment::Family;
use crate::model::{Domain, Entity, Node, Snapshot};
use crate::path::{Path, Segment};
use crate::report::{self, Category, Finding, FindingKind, Locations, Severity, Status};

use super::finding::{Draft, Side, finish};
use super::settings::{containers, for_each_setting, line_of};
use super::{Policy, RuleId, guards, k8s, terraform};

/// Runs the production guards over one environment.
pub(super) fn guard(
    snapshot: &Snapshot,
    other: Option<&Snapshot>,
    env: &str,
    other_families: &[&'static Family],
    side: Side,
    policy: &Policy,
    out: &mut Vec<Finding>,
) {
    let (now, soon) = policy.certificate_window();
    let containers_cx = super::container_env::Context { snapshot, other, env, others: other_families, side };
    for entity in snapshot.entities() {
        // A Helm hook (a test pod, an install job) is not what the release runs.
        if entity.id().domain() == Domain::K8s && k8s::is_helm_hook(entity.body()) {
            continue;
        }
        let other_entity = other.and_then(|o| o.entity(entity.id()));
        // A ConfigMap's keys are guarded as what its consumers run with (consumers.rs).
        let config_map = (entity.id().domain() == Domain::K8s && k8s::kind_of(entity.id().address()) == "ConfigMap")
            .then(|| {
                let mut parts = entity.id().address().split('/').skip(2);
                (parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
            });
        for_each_setting(entity, |path, name, node, line| {
            let certificate = k8s::is_certificate(node)
                .then(|| k8s::certificate(name, node, env, &now, &soon, policy.certificate_days))
                .flatten()
                .map(|(rule, severity, message)| guards::Violation { rule, severity, message });
            let violations: Vec<guards::Violation> =
                guards::check(name, node, env, other_families).into_iter().chain(certificate).collect();
            if violations.is_empty() {
                return;
            }
            // Consumers are looked up only for a key that fails a guard: a scan of the snapshot.
            let consumers = config_map
                .map(|(namespace, map)| super::consumers::of_config_map_key(snapshot, namespace, map, name))
                .unwrap_or_default();
            // Every consumer sets the variable itself: the key is not what anything runs with.
            if !consumers.is_empty() && consumers.iter().all(|c| c.overrides) {
                return;
            }
            let used_by = consumers.iter().filter(|c| !c.overrides).map(|c| c.label.as_str()).collect::<Vec<_>>();
            for mut violation in violations {
                if !used_by.is_empty() {
                    violation.message = format!("{} (used by {})", violation.message, used_by.join(", "));
                }
                let category = match violation.rule {
                    RuleId::CertificateExpired | RuleId::CertificateExpiring => Category::Certificate,
                    _ => Category::Guard,
                };
                let guard = Guard { category, severity: violation.severity, message: violation.message };
                out.push(guard_finding(
                    entity,
                    other_entity,
                    side,
                    (path(), Some(node)),
                    line,
                    guard,
                    violation.rule.as_str(),
                ));
            }
        });
        if entity.id().domain() == Domain::Terraform
            && let Some((field, message)) =
                terraform::exposure(terraform::resource_type(entity.id().address()), entity.body())
        {
            let path = Path::from_segments(vec![Segment::Key(field.into())]);
            let node = entity.body().at(&path);
            let guard =
                Guard { category: Category::Network, severity: Severity::High, message: format!("{message} in {env}") };
            out.push(guard_finding(
                entity,
                other_entity,
                side,
                (path, node),
                0,
                guard,
                RuleId::PubliclyAccessible.as_str(),
            ));
        }
        if entity.id().domain() == Domain::Terraform {
            let kind = terraform::resource_type(entity.id().address());
            for opening in super::exposure::openings(kind, entity.body()) {
                let node = entity.body().at(&opening.path);
                let line = line_of(entity.body(), &opening.path);
                let guard = Guard {
                    category: Category::Network,
                    severity: opening.severity,
                    message: format!("{kind} {} in {env}", opening.message),
                };
                out.push(guard_finding(
                    entity,
                    other_entity,
                    side,
                    (opening.path, node),
                    line,
                    guard,
                    RuleId::OpenToWorld.as_str(),
                ));
            }
        }
        if entity.id().domain() == Domain::K8s {
            super::container_env::guard(&containers_cx, entity, other_entity, out);
            for container in containers(entity.body()) {
                for violation in k8s::container(container.name, container.node, env) {
                    let path = container.path().child(Segment::Key(violation.field.into()));
                    let line = line_of(entity.body(), &path);
                    let node = entity.body().at(&path);
                    let guard =
                        Guard { category: Category::Guard, severity: violation.severity, message: violation.message };
                    out.push(guard_finding(
                        entity,
                        other_entity,
                        side,
                        (path, node),
                        line,
                        guard,
                        violation.rule.as_str(),
                    ));
                }
            }
        }
    }
}

/// What a failed guard says.
pub(super) struct Guard {
    pub(super) category: Category,
    pub(super) severity: Severity,
    pub(super) message: String,
}

/// A guard finding about `path` in `entity` (on `side`), with the other environment's value beside it.
pub(super) fn guard_finding(
    entity: &Entity,
    other_entity: Option<&Entity>,
    side: Side,
    (path, here_node): (Path, Option<&Node>),
    line: u32,
    guard: Guard,
    rule: &str,
) -> Finding {
    let other_node = other_entity.and_then(|e| e.body().at(&path));
    let here = entity.location(line);
    let (left, right, location) = match side {
        Side::Right => (other_node, here_node, Locations { left: None, right: Some(here) }),
        Side::Left => (here_node, other_node, Locations { left: Some(here), right: None }),
    };
    let mut finding = finish(Draft {
        entity: entity.id(),
        path,
        change: FindingKind::Guard,
        left,
        right,
        category: guard.category,
        severity: guard.severity,
        status: Status::Drift,
        message: guard.message,
        rule: None,
        reason: None,
        location,
    });
    finding.id = guard_id(entity.id(), &finding.path, rule, side);
    finding.rule = Some(Cow::Owned(rule.to_owned()));
    finding
}

/// A configured guard's finding id: its rule, and the side when it is the left one (a guard on
/// both sides is two findings).
pub(super) fn guard_id(
    entity: &crate::model::EntityId,
    path: &Path,
    rule: &str,
    side: Side,
) -> compact_str::CompactString {
    match side {
        Side::Right => report::finding_id(entity, path, FindingKind::Guard, Some(rule)),
        Side::Left => report::finding_id(entity, path, FindingKind::Guard, Some(&format!("{rule}@left"))),
    }
}
