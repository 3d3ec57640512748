//! Policy: raw changes in, findings out. It decides each finding's category, severity and status
//! (drift, expected, ignored, baselined) and adds what no diff can show: guards about one
//! environment and secrets shared between environments.
//!
//! The built-in rules need no configuration; each is a [`RuleId`] named in the findings it decides.

mod classify;
pub(crate) mod config;
mod guards;
pub(crate) mod init;
mod k8s;
mod rules;
mod substitution;
mod terraform;

use std::borrow::Cow;
use std::fmt;

use rayon::prelude::*;

use crate::diff::{ChangeKind, Diff};
use crate::environment::{self, Family};
use crate::model::{Domain, Entity, EntityId, Node, Snapshot};
use crate::path::{Path, Segment};
use crate::report::{self, Category, Finding, FindingKind, Locations, Report, Severity, Status};

/// The built-in rules, as named in findings' `rule` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// A value differs only by the environments' names: expected.
    EnvSubstitution,
    /// Secret values differ between environments, as they should: expected.
    SecretsDiffer,
    /// A secret cannot be compared (a snapshot saved without the fingerprint key).
    SecretNotComparable,
    /// The same secret value in both environments.
    SecretReuse,
    /// A sandbox / debug / test-mode / dry-run / mock switch is on in production.
    ProductionSwitch,
    /// A production value holds another environment's name.
    PointsAtOtherEnvironment,
    /// A production endpoint points at localhost.
    PointsAtLocalhost,
    /// A production endpoint points at a sandbox or test host.
    SandboxHost,
    /// A production value is a test-mode credential (`sk_test_…`).
    TestCredential,
    /// Kubernetes bookkeeping or a server-defaulted value: ignored.
    K8sNoise,
    /// A production container runs `:latest` or an untagged image.
    UnpinnedImage,
    /// A production container has no resource limits.
    MissingLimits,
    /// A production certificate has expired.
    CertificateExpired,
    /// A production certificate expires soon.
    CertificateExpiring,
    /// Terraform identifiers that differ per environment: ignored or expected.
    TfIdentifier,
    /// An ingress rule open to 0.0.0.0/0 only in the right environment.
    OpenToWorld,
    /// A production database is publicly accessible.
    PubliclyAccessible,
}

impl RuleId {
    /// Every built-in rule.
    pub const ALL: [RuleId; 17] = [
        RuleId::EnvSubstitution,
        RuleId::SecretsDiffer,
        RuleId::SecretNotComparable,
        RuleId::SecretReuse,
        RuleId::ProductionSwitch,
        RuleId::PointsAtOtherEnvironment,
        RuleId::PointsAtLocalhost,
        RuleId::SandboxHost,
        RuleId::TestCredential,
        RuleId::K8sNoise,
        RuleId::UnpinnedImage,
        RuleId::MissingLimits,
        RuleId::CertificateExpired,
        RuleId::CertificateExpiring,
        RuleId::TfIdentifier,
        RuleId::OpenToWorld,
        RuleId::PubliclyAccessible,
    ];

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::EnvSubstitution => "env-substitution",
            RuleId::SecretsDiffer => "secrets-differ",
            RuleId::SecretNotComparable => "secret-not-comparable",
            RuleId::SecretReuse => "secret-reuse",
            RuleId::ProductionSwitch => "production-switch",
            RuleId::PointsAtOtherEnvironment => "points-at-other-environment",
            RuleId::PointsAtLocalhost => "points-at-localhost",
            RuleId::SandboxHost => "sandbox-host",
            RuleId::TestCredential => "test-credential",
            RuleId::K8sNoise => "k8s-noise",
            RuleId::UnpinnedImage => "unpinned-image",
            RuleId::MissingLimits => "missing-limits",
            RuleId::CertificateExpired => "certificate-expired",
            RuleId::CertificateExpiring => "certificate-expiring",
            RuleId::TfIdentifier => "tf-identifier",
            RuleId::OpenToWorld => "open-to-world",
            RuleId::PubliclyAccessible => "publicly-accessible",
        }
    }

    /// What the rule does, for `drift rules`.
    pub fn description(self) -> &'static str {
        match self {
            RuleId::EnvSubstitution => "a value that differs only by the environments' names is expected",
            RuleId::SecretsDiffer => "secret values that differ between environments are expected",
            RuleId::SecretNotComparable => {
                "a secret from a snapshot saved without the fingerprint key cannot be compared"
            }
            RuleId::SecretReuse => "the same secret value in both environments is a finding",
            RuleId::ProductionSwitch => {
                "sandbox, debug, test-mode, dry-run, mock and fake switches must be off in production"
            }
            RuleId::PointsAtOtherEnvironment => "a production value must not name the other environment",
            RuleId::PointsAtLocalhost => "a production endpoint must not point at localhost",
            RuleId::SandboxHost => "a production endpoint must not point at a sandbox or test host",
            RuleId::TestCredential => "a production credential must not be a test-mode one (sk_test_…)",
            RuleId::K8sNoise => {
                "Kubernetes status, bookkeeping, cluster-assigned fields and server defaults are ignored"
            }
            RuleId::UnpinnedImage => "a production container must run a pinned image (not :latest, not untagged)",
            RuleId::MissingLimits => "a production container must have resource limits",
            RuleId::CertificateExpired => "a production certificate must not have expired",
            RuleId::CertificateExpiring => {
                "a production certificate must not expire within the warning period (30 days)"
            }
            RuleId::TfIdentifier => {
                "ids, ARNs (up to the account id) and tags_all differ per environment and are not drift"
            }
            RuleId::OpenToWorld => "an ingress rule open to 0.0.0.0/0 in the right environment only is high",
            RuleId::PubliclyAccessible => "a production database must not be publicly accessible",
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the policy applies. The default needs no configuration.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Treat values that differ only by the environments' names as expected.
    pub substitutions: bool,
    /// Check production environments with the built-in guards.
    pub guards: bool,
    /// A production certificate that expires within this many days is a finding.
    pub certificate_days: u32,
    /// The time certificates and waivers are checked against, in seconds since the Unix epoch
    /// (default: now).
    pub now: Option<i64>,
    /// A team's rules (`drift.toml`), applied after the built-in ones.
    pub config: Option<std::sync::Arc<config::Config>>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { substitutions: true, guards: true, certificate_days: 30, now: None, config: None }
    }
}

impl Policy {
    /// A policy with a team's `drift.toml` (which may also set the certificate warning period).
    pub fn with_config(config: config::Config) -> Self {
        let days = config.certificate_days.unwrap_or(30);
        let substitutions = config.default_substitutions || !config.substitute.is_empty();
        Policy { certificate_days: days, substitutions, config: Some(std::sync::Arc::new(config)), ..Policy::default() }
    }

    fn now(&self) -> i64 {
        self.now.unwrap_or_else(|| {
            let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            since.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
    }

    /// Whether the built-in environment families substitute (a config can turn them off).
    fn default_substitutions(&self) -> bool {
        self.substitutions && self.config.as_ref().is_none_or(|c| c.default_substitutions)
    }

    /// The times certificate guards compare with: now, and now plus the warning period.
    fn certificate_window(&self) -> (String, String) {
        let now = self.now();
        let soon = now.saturating_add(i64::from(self.certificate_days) * 86_400);
        (crate::source::certificate::rfc3339(now), crate::source::certificate::rfc3339(soon))
    }
}

/// Applies a policy to a diff.
pub fn report(diff: &Diff<'_>, policy: &Policy) -> Report {
    let (left, right) = (diff.left(), diff.right());
    let names = Names {
        left: left.name(),
        right: right.name(),
        left_family: environment::family_of(left.name()),
        right_family: environment::family_of(right.name()),
    };
    // Judging the changes and guarding the production side are independent: run them side by side.
    let (mut findings, guarded) = rayon::join(
        || diff.changes().par_iter().map(|change| judge(change, diff, &names, policy)).collect::<Vec<_>>(),
        || {
            let mut out = Vec::new();
            if policy.guards {
                if environment::is_production(names.right) {
                    guard(right, Some(left), names.right, names.left_family, Side::Right, policy, &mut out);
                }
                if environment::is_production(names.left) && !environment::is_production(names.right) {
                    guard(left, Some(right), names.left, names.right_family, Side::Left, policy, &mut out);
                }
            }
            out
        },
    );
    findings.extend(guarded);
    if policy.default_substitutions()
        && let (Some(from), Some(to)) = (names.left_family, names.right_family)
    {
        pair_renamed(&mut findings, from, to, &names);
    }
    if let Some(config) = &policy.config {
        for guard in &config.guards {
            if matches!(guard.side, config::Side::Right | config::Side::Both) {
                config_guard(guard, right, left, names.right, Side::Right, &mut findings);
            }
            if matches!(guard.side, config::Side::Left | config::Side::Both) {
                config_guard(guard, left, right, names.left, Side::Left, &mut findings);
            }
        }
        let today = crate::source::certificate::rfc3339(policy.now());
        rules::apply(&mut findings, config, &today[..10]);
    }
    // Reuse means something only between two different environments: a snapshot of staging
    // compared with today's staging shares every secret, as it should.
    let distinct =
        names.left != names.right && !matches!((names.left_family, names.right_family), (Some(a), Some(b)) if a == b);
    for shared in diff.shared_secrets().iter().filter(|_| distinct) {
        let empty = shared.secret.as_secret().is_some_and(|s| s.hints().empty);
        if empty {
            continue;
        }
        let name = setting_label(shared.entity, &shared.path);
        findings.push(finish(Draft {
            entity: shared.entity,
            path: shared.path.clone(),
            change: FindingKind::Reuse,
            left: Some(shared.secret),
            right: Some(shared.secret),
            category: Category::Secret,
            severity: Severity::High,
            status: Status::Drift,
            message: format!("{name} has the same secret value in {} and {}", names.left, names.right),
            rule: Some(RuleId::SecretReuse),
            reason: None,
            location: Locations {
                left: Some(shared.left_location.clone()),
                right: Some(shared.right_location.clone()),
            },
        }));
    }
    let side = |s: &Snapshot| report::Side {
        name: s.name().to_owned(),
        inputs: s.inputs().to_vec(),
        read: s.files().to_vec(),
        skipped: s.skipped().to_vec(),
        notes: s.notes().to_vec(),
    };
    Report::new(side(left), side(right), findings)
}

#[derive(Clone, Copy)]
struct Names<'a> {
    left: &'a str,
    right: &'a str,
    left_family: Option<&'static Family>,
    right_family: Option<&'static Family>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// A finding before its id and JSON values are computed.
struct Draft<'a> {
    entity: &'a EntityId,
    path: Path,
    change: FindingKind,
    left: Option<&'a Node>,
    right: Option<&'a Node>,
    category: Category,
    severity: Severity,
    status: Status,
    message: String,
    rule: Option<RuleId>,
    reason: Option<Cow<'static, str>>,
    location: Locations,
}

fn finish(d: Draft<'_>) -> Finding {
    let rule = d.rule.map(RuleId::as_str);
    // Guards and reuse are about a rule, not a difference: two guards on one setting are two findings.
    let id_rule = if matches!(d.change, FindingKind::Guard) { rule } else { None };
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
    }
}

/// How a setting is named in messages: its path, or the entity when the path is empty.
fn setting_label(entity: &EntityId, path: &Path) -> String {
    if path.is_root() { entity.to_string() } else { path.to_string() }
}

fn judge(change: &crate::diff::Change<'_>, diff: &Diff<'_>, names: &Names<'_>, policy: &Policy) -> Finding {
    let entity = change.entity();
    let path = change.path();
    let label = setting_label(entity, path);
    let name = classify::setting_name(path).or(path.last_key()).unwrap_or_default().to_owned();
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
        _ => classify::category(&name, l, r),
    };
    let mut status = Status::Drift;
    let mut rule = None;
    let mut reason = None;
    if let Some(kind) = k8s_kind {
        // Noise: bookkeeping anywhere, server defaults where only one side has the field.
        let (one_sided, body) = match change.kind() {
            ChangeKind::Added => (r, diff.right().entity(entity).map(Entity::body)),
            ChangeKind::Removed => (l, diff.left().entity(entity).map(Entity::body)),
            _ => (None, None),
        };
        if let Some(why) = k8s::noise(kind, path, one_sided, body) {
            status = Status::Ignored;
            rule = Some(RuleId::K8sNoise);
            reason = Some(Cow::Borrowed(why));
        }
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
                if explained && status == Status::Drift {
                    status = Status::Expected;
                    rule = Some(RuleId::SecretsDiffer);
                    reason = Some(Cow::Borrowed("secret values differ between environments, as they should"));
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
        _ if entity.address() == "state" && tf_kind.is_some() => Severity::Info,
        _ if entity.domain() == Domain::Flag => base,
        _ => classify::severity(&name, category, base),
    };
    let mut message = message;
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

/// The keys of a keyed list's items, in order (`wait-db`, `migrate`; `name=a,port=1` for a
/// composite key).
fn item_keys(list: Option<&Node>) -> Vec<String> {
    let Some(Node::List(list)) = list else { return Vec::new() };
    let Some(key) = list.kind().key() else { return Vec::new() };
    list.items()
        .iter()
        .map(|item| match (key, crate::model::node::key_value(item, &key[0])) {
            ([_], Some(Node::String(name))) => name.to_string(),
            _ => crate::diff::keyed_text(key, item),
        })
        .collect()
}

/// An item removed and an item added at the same place that differ only by the environments'
/// names (an Ingress rule for `shop.staging.example.com` and one for `shop.example.com`) are one
/// expected difference, not a removal and an addition.
fn pair_renamed(findings: &mut [Finding], from: &Family, to: &Family, names: &Names<'_>) {
    use std::collections::HashMap;
    let parent = |f: &Finding| {
        let segments = f.path.segments();
        (f.entity.clone(), Path::from_segments(segments[..segments.len().saturating_sub(1)].to_vec()))
    };
    let mut removed: HashMap<(EntityId, Path), Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.change == FindingKind::Removed && f.status == Status::Drift && !f.path.is_root() {
            removed.entry(parent(f)).or_default().push(i);
        }
    }
    if removed.is_empty() {
        return;
    }
    let mut pairs = Vec::new();
    for (j, f) in findings.iter().enumerate() {
        if f.change != FindingKind::Added || f.status != Status::Drift || f.path.is_root() {
            continue;
        }
        let Some(candidates) = removed.get_mut(&parent(f)) else { continue };
        let right = f.right.as_ref();
        if let Some(k) = candidates.iter().position(
            |&i| matches!((findings[i].left.as_ref(), right), (Some(a), Some(b)) if json_renamed(a, b, from, to)),
        ) {
            pairs.push((candidates.remove(k), j));
        }
    }
    let reason = format!(
        "differs only by the environment's name ({} → {}) or by identifiers assigned in each environment",
        names.left, names.right
    );
    for (i, j) in pairs {
        for k in [i, j] {
            findings[k].status = Status::Expected;
            findings[k].rule = Some(Cow::Borrowed(RuleId::EnvSubstitution.as_str()));
            findings[k].reason = Some(Cow::Owned(reason.clone()));
        }
    }
}

/// Two JSON values equal up to swapping the environments' name tokens in strings.
fn json_renamed(a: &serde_json::Value, b: &serde_json::Value, from: &Family, to: &Family) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            x == y
                || substitution::only_environment_differs(x, y, from, to)
                || terraform::same_but_account(x, y, Some((from, to)))
                || (terraform::is_resource_id(x)
                    && terraform::is_resource_id(y)
                    && x.split('-').next() == y.split('-').next())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_renamed(p, q, from, to))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_renamed(v, w, from, to)))
        }
        _ => a == b,
    }
}

fn substituted(a: &str, b: &str, names: &Names<'_>, policy: &Policy) -> bool {
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

/// A value for a message: one line, long values elided in the middle.
fn shown(node: Option<&Node>) -> String {
    let Some(node) = node else {
        return "absent".to_owned();
    };
    let text = match node {
        Node::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    report::elide(&text, 80)
}

/// Calls `f` with each setting of an entity that guards look at: a lazily built path (most settings
/// pass every guard, and their paths are never needed), the setting's name, its value and its line.
/// Settings are `.env` keys, ConfigMap data and container env values.
fn for_each_setting<'a>(entity: &'a Entity, mut f: impl FnMut(&dyn Fn() -> Path, &'a str, &'a Node, u32)) {
    match (entity.id().domain(), entity.body()) {
        (Domain::Env, Node::Map(map)) => {
            for field in map.fields() {
                let path = || Path::from_segments(vec![Segment::Key(field.key().into())]);
                f(&path, field.key(), field.node(), field.line());
            }
        }
        (Domain::Flag, Node::Map(map)) => {
            // A flag is a setting named by its key: what it serves when on, `false` when off.
            let enabled = matches!(map.get("enabled"), Some(Node::Bool(true)));
            if let Some(default) = map.field("default") {
                let value = if enabled { default.node() } else { &Node::Bool(false) };
                let path = || Path::from_segments(vec![Segment::Key("default".into())]);
                f(&path, entity.id().address(), value, default.line());
            }
        }
        (Domain::K8s, body) => {
            if matches!(k8s::kind_of(entity.id().address()), "ConfigMap" | "Secret")
                && let Some(data) = body.as_map().and_then(|m| m.field("data"))
                && let Some(map) = data.node().as_map()
            {
                for field in map.fields() {
                    let path =
                        || Path::from_segments(vec![Segment::Key("data".into()), Segment::Key(field.key().into())]);
                    f(&path, field.key(), field.node(), field.line());
                }
            }
            for container in containers(body) {
                let env = container.node.as_map().and_then(|m| m.get("env")).and_then(Node::as_list);
                for item in env.map(|l| l.items()).unwrap_or_default() {
                    let Some(map) = item.as_map() else { continue };
                    let (Some(name), Some(value)) = (map.get("name").and_then(Node::as_str), map.field("value")) else {
                        continue;
                    };
                    let path = || {
                        let env = container.path().child(Segment::Key("env".into()));
                        env.child(Segment::Keyed(format!("name={}", path_value(name)).into()))
                            .child(Segment::Key("value".into()))
                    };
                    f(&path, name, value.node(), value.line());
                }
            }
        }
        _ => {}
    }
}

/// A value as it stands inside a path segment.
fn path_value(value: &str) -> String {
    let mut out = String::new();
    crate::path::push_value(&mut out, value);
    out
}

/// A container found in a Kubernetes object: the keys leading to its list, its name, its node.
struct Container<'a> {
    keys: Vec<&'a str>,
    name: &'a str,
    node: &'a Node,
}

impl Container<'_> {
    /// The container's path (built only when a finding needs it).
    fn path(&self) -> Path {
        let mut segments: Vec<Segment> = self.keys.iter().map(|k| Segment::Key((*k).into())).collect();
        segments.push(Segment::Keyed(format!("name={}", path_value(self.name)).into()));
        Path::from_segments(segments)
    }
}

/// Every container of a Kubernetes object (pods, pod templates, job templates).
fn containers(body: &Node) -> Vec<Container<'_>> {
    fn walk<'a>(node: &'a Node, keys: &mut Vec<&'a str>, out: &mut Vec<Container<'a>>) {
        let Some(map) = node.as_map() else { return };
        if keys.len() > 8 {
            return;
        }
        for field in map.fields() {
            match (field.key(), field.node()) {
                ("containers" | "initContainers", Node::List(list)) => {
                    keys.push(field.key());
                    for item in list.items() {
                        if let Some(name) = item.as_map().and_then(|m| m.get("name")).and_then(Node::as_str) {
                            out.push(Container { keys: keys.clone(), name, node: item });
                        }
                    }
                    keys.pop();
                }
                ("spec" | "template" | "jobTemplate", inner) => {
                    keys.push(field.key());
                    walk(inner, keys, out);
                    keys.pop();
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(body, &mut Vec::new(), &mut out);
    out
}

/// Runs the production guards over one environment.
fn guard(
    snapshot: &Snapshot,
    other: Option<&Snapshot>,
    env: &str,
    other_family: Option<&'static Family>,
    side: Side,
    policy: &Policy,
    out: &mut Vec<Finding>,
) {
    let (now, soon) = policy.certificate_window();
    for entity in snapshot.entities() {
        let other_entity = other.and_then(|o| o.entity(entity.id()));
        for_each_setting(entity, |path, name, node, line| {
            let certificate = k8s::is_certificate(node)
                .then(|| k8s::certificate(name, node, env, &now, &soon, policy.certificate_days))
                .flatten()
                .map(|(rule, severity, message)| guards::Violation { rule, severity, message });
            for violation in guards::check(name, node, env, other_family).into_iter().chain(certificate) {
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
        if entity.id().domain() == Domain::K8s {
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
struct Guard {
    category: Category,
    severity: Severity,
    message: String,
}

/// A guard finding about `path` in `entity` (on `side`), with the other environment's value beside it.
fn guard_finding(
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
    finding.id = report::finding_id(entity.id(), &finding.path, FindingKind::Guard, Some(rule));
    finding.rule = Some(Cow::Owned(rule.to_owned()));
    finding
}

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
fn config_guard(
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

/// The source line of the deepest map field along a path (0 when unknown).
fn line_of(body: &Node, path: &Path) -> u32 {
    let segments = path.segments();
    let mut line = 0;
    for i in 1..=segments.len() {
        let parent = body.at(&Path::from_segments(segments[..i - 1].to_vec()));
        if let (Some(Segment::Key(key)), Some(parent)) = (segments.get(i - 1), parent)
            && let Some(field) = parent.as_map().and_then(|m| m.field(key))
            && field.line() > 0
        {
            line = field.line();
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fingerprinter, Format, LoadOptions};

    /// `(path, change, status, rule)` of every finding between two .env texts.
    fn findings(left: (&str, &str), right: (&str, &str)) -> Vec<(String, FindingKind, Status, Option<String>)> {
        let options = LoadOptions::new(Fingerprinter::with_key(b"t"));
        let parse = |(name, text): (&str, &str)| {
            let mut s = crate::parse(Format::Env, "x/.env", text.as_bytes(), &options).unwrap_or_default();
            s.set_name(name);
            s
        };
        let (l, r) = (parse(left), parse(right));
        let report = report(&crate::diff(&l, &r), &Policy::default());
        report
            .findings
            .into_iter()
            .map(|f| (f.path.to_string(), f.change, f.status, f.rule.map(Cow::into_owned)))
            .collect()
    }

    fn rule(name: &str) -> Option<String> {
        Some(name.to_owned())
    }

    #[test]
    fn substitution_is_expected() {
        let got = findings(("staging", "DB=db.stg.internal\n"), ("production", "DB=db.prod.internal\n"));
        assert_eq!(got, [("DB".into(), FindingKind::Changed, Status::Expected, rule("env-substitution"))]);
        let off = findings(("staging", "DB=db.stg.internal\n"), ("production", "DB=db2.prod.internal\n"));
        assert_eq!(off[0].2, Status::Drift);
    }

    #[test]
    fn guards_fire_even_when_equal() {
        let got = findings(("staging", "PAYMENT_SANDBOX=true\n"), ("production", "PAYMENT_SANDBOX=true\n"));
        assert_eq!(got, [("PAYMENT_SANDBOX".into(), FindingKind::Guard, Status::Drift, rule("production-switch"))]);
        // No guard on a non-production right side.
        assert!(findings(("dev", "DEBUG=true\n"), ("staging", "DEBUG=true\n")).is_empty());
        // A production left side is guarded too.
        let swapped = findings(("production", "DEBUG=true\n"), ("staging", "DEBUG=true\n"));
        assert_eq!(swapped[0].1, FindingKind::Guard);
    }

    #[test]
    fn secrets() {
        let same = findings(("staging", "API_TOKEN=abc\n"), ("production", "API_TOKEN=abc\n"));
        assert_eq!(same, [("API_TOKEN".into(), FindingKind::Reuse, Status::Drift, rule("secret-reuse"))]);
        let differ = findings(("staging", "API_TOKEN=abc\n"), ("production", "API_TOKEN=xyz\n"));
        assert_eq!(differ, [("API_TOKEN".into(), FindingKind::Changed, Status::Expected, rule("secrets-differ"))]);
        // One environment over time shares its secrets, as it should.
        assert!(findings(("staging", "API_TOKEN=abc\n"), ("staging", "API_TOKEN=abc\n")).is_empty());
        // A URL whose non-secret part differs is drift even though the password differs too.
        let url = findings(
            ("staging", "DATABASE_URL=postgres://u:p1@db.stg/app\n"),
            ("production", "DATABASE_URL=postgres://u:p2@db.prod/app2\n"),
        );
        assert_eq!(url[0].2, Status::Drift);
    }
}
