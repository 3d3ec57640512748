//! A raw change judged: its category, severity and status (drift, expected by substitution,
//! ignored as noise or as an identifier), and the message a person reads.

use std::borrow::Cow;

use crate::diff::{ChangeKind, Diff};
use crate::model::{Domain, Entity, EntityId, Node, Snapshot};
use crate::path::Segment;
use crate::report::{Category, Finding, FindingKind, Locations, Severity, Status};

use super::finding::{Draft, Names, finish, item_keys, setting_label, shown};
use super::{Policy, RuleId, classify, k8s, substitution, terraform};

pub(super) fn judge(change: &crate::diff::Change<'_>, diff: &Diff<'_>, names: &Names<'_>, policy: &Policy) -> Finding {
    let entity = change.entity();
    let path = change.path();
    let label = setting_label(entity, path);
    let name = setting_name(entity, path);
    let (l, r) = (change.left(), change.right());
    let k8s_kind = (entity.domain() == Domain::K8s).then(|| k8s::kind_of(entity.address()));
    let tf_kind = (entity.domain() == Domain::Terraform).then(|| terraform::resource_type(entity.address()));
    let k8s_category = k8s_kind
        .and_then(|kind| k8s::category(kind, path))
        .or_else(|| tf_kind.and_then(|kind| terraform::category(kind, path)));
    let category = match k8s_category {
        _ if entity.domain() == Domain::Flag => Category::FeatureFlag,
        Some(category) if !matches!((l, r), (Some(Node::Secret(_)), _) | (_, Some(Node::Secret(_)))) => category,
        _ if path.is_root() => Category::Other,
        // `performance_insights_enabled` is a resource setting, not a feature flag.
        _ if tf_kind.is_some() => match classify::category(&name, l, r) {
            Category::FeatureFlag => Category::Config,
            other => other,
        },
        _ => classify::category(&name, l, r),
    };
    let mut status = Status::Drift;
    let mut rule = None;
    let mut reason = None;
    if let Some(kind) = k8s_kind
        && let Some(why) = k8s_noise(kind, change, diff, names)
    {
        status = Status::Ignored;
        rule = Some(RuleId::K8sNoise);
        reason = Some(why);
    }
    // An object matched to the other environment's under another namespace or name: that
    // difference is how it was matched, not drift.
    if k8s_kind.is_some()
        && change.kind() == ChangeKind::Changed
        && status == Status::Drift
        && matches!(path.to_string().as_str(), "metadata.namespace" | "metadata.name")
        && let Some(how) = diff.right().renamed.get(entity)
    {
        status = Status::Expected;
        rule = Some(RuleId::IdentityMap);
        reason = Some(Cow::Borrowed(*how));
    }
    if tf_kind.is_some() {
        let families = names.left_family.zip(names.right_family).filter(|_| policy.substitutions);
        let tags_differ = |key: &str| {
            fn tag<'s>(side: &'s Snapshot, entity: &EntityId, key: &str) -> Option<&'s Node> {
                side.entity(entity)?.body().as_map()?.get("tags")?.as_map()?.get(key)
            }
            tag(diff.left(), entity, key) != tag(diff.right(), entity, key)
        };
        if let Some((ignored, why)) = terraform::not_drift(entity.address(), path, (l, r), families, &tags_differ) {
            status = if ignored { Status::Ignored } else { Status::Expected };
            rule = Some(RuleId::TfIdentifier);
            reason = Some(Cow::Borrowed(why));
        }
    }
    let (kind, base, message) = match change.kind() {
        ChangeKind::Added => {
            (FindingKind::Added, Severity::Medium, format!("{label} is only in {}: {}", names.right, shown(r)))
        }
        ChangeKind::Removed => (
            FindingKind::Removed,
            Severity::High,
            format!("{label} is missing in {} ({} in {})", names.right, shown(l), names.left),
        ),
        ChangeKind::Reordered => (
            FindingKind::Changed,
            Severity::Medium,
            format!(
                "{label} is in another order: {} ({}) vs {} ({})",
                item_keys(l).join(", "),
                names.left,
                item_keys(r).join(", "),
                names.right
            ),
        ),
        ChangeKind::Incomparable => {
            status = Status::Expected;
            rule = Some(RuleId::SecretNotComparable);
            reason = Some(Cow::Borrowed(
                "secret not comparable: a snapshot was saved without DRIFT_FINGERPRINT_KEY, or with another key",
            ));
            (FindingKind::Changed, Severity::Info, format!("{label}: secret not comparable"))
        }
        ChangeKind::Changed => {
            let message = format!("{label} differs: {} ({}) vs {} ({})", shown(l), names.left, shown(r), names.right);
            if let (Some(Node::Secret(a)), Some(Node::Secret(b))) = (l, r) {
                let explained = match (a.redacted(), b.redacted()) {
                    (Some(x), Some(y)) => x == y || substituted(x, y, names, policy),
                    _ => true,
                };
                if explained && status == Status::Drift && names.distinct {
                    status = Status::Expected;
                    rule = Some(RuleId::SecretsDiffer);
                    reason = Some(Cow::Borrowed("secret values differ between environments, as they should"));
                } else if explained && status == Status::Drift {
                    // One environment on both sides (over time, git and live): a rotation.
                    rule = Some(RuleId::SecretRotated);
                    reason = Some(Cow::Borrowed("the same environment on both sides: the secret was rotated"));
                }
                (FindingKind::Changed, Severity::Medium, message)
            } else {
                if let (Some(Node::String(a)), Some(Node::String(b))) = (l, r)
                    && status == Status::Drift
                    && substituted(a, b, names, policy)
                {
                    status = Status::Expected;
                    rule = Some(RuleId::EnvSubstitution);
                    reason = Some(Cow::Owned(format!(
                        "differs only by the environment's name ({} → {})",
                        names.left, names.right
                    )));
                }
                (FindingKind::Changed, Severity::Medium, message)
            }
        }
    };
    let domain_severity = match entity.domain() {
        Domain::Terraform => terraform::severity(category),
        // A flag on one side only, or serving another default, changes what users get.
        Domain::Flag => Some(match path.segments().first() {
            Some(Segment::Key(k)) if matches!(&**k, "enabled" | "default" | "off") => Severity::High,
            Some(Segment::Key(k)) if &**k == "metadata" => Severity::Low,
            _ => Severity::Medium,
        }),
        _ => k8s::severity(category),
    };
    let base = match (change.kind(), domain_severity) {
        (ChangeKind::Changed, Some(severity)) => severity,
        _ => base,
    };
    let mut severity = match (change.kind(), rule) {
        (ChangeKind::Incomparable, _) | (_, Some(RuleId::K8sNoise | RuleId::TfIdentifier)) => Severity::Info,
        // The state's own bookkeeping (`state`, or `network/state` for a state in a subfolder).
        _ if tf_kind.is_some() && crate::source::tfstate::unprefixed(entity.address()) == "state" => Severity::Info,
        (_, Some(RuleId::SecretRotated)) => Severity::Info,
        _ if entity.domain() == Domain::Flag => base,
        _ => classify::severity(&name, category, base),
    };
    // A certificate's dates always differ between environments; its expiry is a guard of its own.
    if category == Category::Certificate && matches!(path.last_key(), Some("not_after" | "not_before")) {
        severity = Severity::Info;
    }
    let mut message = message;
    if tf_kind.is_some()
        && status == Status::Drift
        && let Some(why) = terraform::raises(path, l, r)
    {
        severity = severity.max(Severity::High);
        message = format!("{message}: {why} in {}", names.right);
    }
    if tf_kind.is_some()
        && matches!(change.kind(), ChangeKind::Added | ChangeKind::Removed)
        && let Some(iam) = terraform::iam_message(path, change.kind() == ChangeKind::Added)
    {
        message = format!("{iam} in {}", names.right);
    }
    if rule == Some(RuleId::SecretRotated) {
        message = format!("{label} was rotated ({} → {})", names.left, names.right);
    }
    if entity.domain() == Domain::Flag && path.last_key() == Some("rollout") && change.kind() == ChangeKind::Changed {
        let percent = |n: Option<&Node>| match n {
            Some(Node::Number(n)) => format!("{}%", n.as_str()),
            Some(Node::String(s)) => s.to_string(),
            other => shown(other),
        };
        message =
            format!("{} rollout: {} → {} ({} → {})", entity.address(), percent(l), percent(r), names.left, names.right);
    }
    if let (Some(_), ChangeKind::Added, Some(added)) = (tf_kind, change.kind(), r)
        && status == Status::Drift
        && terraform::opens_to_world(path, added)
    {
        severity = Severity::High;
        rule = Some(RuleId::OpenToWorld);
        message = format!("{label} opens ingress to the internet (0.0.0.0/0) in {} only", names.right);
    }
    let mut finding = finish(Draft {
        entity,
        path: path.clone(),
        change: kind,
        left: l,
        right: r,
        category,
        severity,
        status,
        message,
        rule,
        reason,
        location: Locations { left: change.left_location().cloned(), right: change.right_location().cloned() },
    });
    if change.kind() == ChangeKind::Reordered {
        // The order is the difference: show it, not two copies of every item.
        let order = |node| serde_json::Value::from(item_keys(node));
        (finding.left, finding.right) = (Some(order(l)), Some(order(r)));
    }
    finding
}

pub(super) fn substituted(a: &str, b: &str, names: &Names<'_>, policy: &Policy) -> bool {
    let families = match (policy.default_substitutions(), names.left_family, names.right_family) {
        (true, Some(from), Some(to)) => substitution::only_environment_differs(a, b, from, to),
        _ => false,
    };
    // A team's own pairs (`[substitute]`): the left value with them replaced is the right one.
    let pairs = policy.config.as_ref().is_some_and(|c| {
        let mut replaced = a.to_owned();
        for substitution in &c.substitute {
            replaced = substitution.apply(&replaced);
        }
        !c.substitute.is_empty() && replaced == b
    });
    families || pairs
}

/// Why a Kubernetes change is noise, if it is: bookkeeping anywhere, server defaults where only one
/// side has the field, a Helm hook, replicas an autoscaler owns.
fn k8s_noise(
    kind: &str,
    change: &crate::diff::Change<'_>,
    diff: &Diff<'_>,
    names: &Names<'_>,
) -> Option<Cow<'static, str>> {
    let (entity, path) = (change.entity(), change.path());
    let (one_sided, body) = match change.kind() {
        ChangeKind::Added => (change.right(), diff.right().entity(entity).map(Entity::body)),
        ChangeKind::Removed => (change.left(), diff.left().entity(entity).map(Entity::body)),
        _ => (None, None),
    };
    if let Some(why) = k8s::noise(kind, path, one_sided, body) {
        return Some(Cow::Borrowed(why));
    }
    if [diff.left(), diff.right()].iter().any(|s| s.entity(entity).is_some_and(|e| k8s::is_helm_hook(e.body()))) {
        return Some(Cow::Borrowed("a Helm hook (a test or an install job), not part of what the release runs"));
    }
    if path.to_string() == "spec.replicas"
        && let Some(hpa) = names.scaled.get(entity.address())
    {
        return Some(Cow::Owned(format!(
            "replicas are set by the HorizontalPodAutoscaler {hpa}: its bounds are compared instead"
        )));
    }
    None
}

/// The setting a path names, for categories and severities: a configuration file's setting by
/// its whole key path (`payment.sandbox`), as the runtimes that read it name it (a `{name, value}`
/// pair by its name); elsewhere by its last key (`PAYMENT_SANDBOX`, an env var).
fn setting_name(entity: &EntityId, path: &crate::path::Path) -> String {
    let segments = path.segments();
    let pair_name = match segments {
        [.., Segment::Keyed(inner), Segment::Key(last)] if matches!(&**last, "value" | "Value") => {
            inner.strip_prefix("name=").or_else(|| inner.strip_prefix("key="))
        }
        _ => None,
    };
    if let (Domain::Cfg, Some(pair)) = (entity.domain(), pair_name) {
        pair.to_owned()
    } else if entity.domain() == Domain::Cfg {
        segments
            .iter()
            .filter_map(|s| match s {
                Segment::Key(k) => Some(&**k),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(".")
    } else {
        classify::setting_name(path).or(path.last_key()).unwrap_or_default().to_owned()
    }
}
