//! Policy: raw changes in, findings out. It decides each finding's category, severity and status
//! (drift, expected, ignored, baselined) and adds what no diff can show: guards about one
//! environment and secrets shared between environments.
//!
//! The built-in rules need no configuration; each is a [`RuleId`] named in the findings it decides.

mod classify;
mod guards;
mod substitution;

use std::fmt;

use rayon::prelude::*;

use crate::diff::{ChangeKind, Diff};
use crate::environment::{self, Family};
use crate::model::{Domain, Entity, EntityId, Location, Node, Snapshot};
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
}

impl RuleId {
    /// Every built-in rule.
    pub const ALL: [RuleId; 9] = [
        RuleId::EnvSubstitution,
        RuleId::SecretsDiffer,
        RuleId::SecretNotComparable,
        RuleId::SecretReuse,
        RuleId::ProductionSwitch,
        RuleId::PointsAtOtherEnvironment,
        RuleId::PointsAtLocalhost,
        RuleId::SandboxHost,
        RuleId::TestCredential,
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
}

impl Default for Policy {
    fn default() -> Self {
        Policy { substitutions: true, guards: true }
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
        || diff.changes().par_iter().map(|change| judge(change, &names, policy)).collect::<Vec<_>>(),
        || {
            let mut out = Vec::new();
            if policy.guards {
                if environment::is_production(names.right) {
                    guard(right, Some(left), names.right, names.left_family, Side::Right, &mut out);
                }
                if environment::is_production(names.left) && !environment::is_production(names.right) {
                    guard(left, Some(right), names.left, names.right_family, Side::Left, &mut out);
                }
            }
            out
        },
    );
    findings.extend(guarded);
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
    let side = |s: &Snapshot| report::Side { name: s.name().to_owned(), inputs: s.inputs().to_vec() };
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
    reason: Option<String>,
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
        rule: rule.map(str::to_owned),
        reason: d.reason,
        location: d.location,
    }
}

/// How a setting is named in messages: its path, or the entity when the path is empty.
fn setting_label(entity: &EntityId, path: &Path) -> String {
    if path.is_root() { entity.to_string() } else { path.to_string() }
}

fn judge(change: &crate::diff::Change<'_>, names: &Names<'_>, policy: &Policy) -> Finding {
    let entity = change.entity();
    let path = change.path();
    let label = setting_label(entity, path);
    let name = classify::setting_name(path).unwrap_or(entity.address()).to_owned();
    let (l, r) = (change.left(), change.right());
    let category = if path.is_root() { Category::Other } else { classify::category(&name, l, r) };
    let mut status = Status::Drift;
    let mut rule = None;
    let mut reason = None;
    let (kind, base, message) = match change.kind() {
        ChangeKind::Added => {
            (FindingKind::Added, Severity::Medium, format!("{label} is only in {}: {}", names.right, shown(r)))
        }
        ChangeKind::Removed => (
            FindingKind::Removed,
            Severity::High,
            format!("{label} is missing in {} ({} in {})", names.right, shown(l), names.left),
        ),
        ChangeKind::Incomparable => {
            status = Status::Expected;
            rule = Some(RuleId::SecretNotComparable);
            reason = Some(
                "secret not comparable: a snapshot was saved without DRIFT_FINGERPRINT_KEY, or with another key"
                    .to_owned(),
            );
            (FindingKind::Changed, Severity::Info, format!("{label}: secret not comparable"))
        }
        ChangeKind::Changed => {
            let message = format!("{label} differs: {} ({}) vs {} ({})", shown(l), names.left, shown(r), names.right);
            if let (Some(Node::Secret(a)), Some(Node::Secret(b))) = (l, r) {
                let explained = match (a.redacted(), b.redacted()) {
                    (Some(x), Some(y)) => x == y || substituted(x, y, names, policy),
                    _ => true,
                };
                if explained {
                    status = Status::Expected;
                    rule = Some(RuleId::SecretsDiffer);
                    reason = Some("secret values differ between environments, as they should".to_owned());
                }
                (FindingKind::Changed, Severity::Medium, message)
            } else {
                if let (Some(Node::String(a)), Some(Node::String(b))) = (l, r)
                    && substituted(a, b, names, policy)
                {
                    status = Status::Expected;
                    rule = Some(RuleId::EnvSubstitution);
                    reason = Some(format!("differs only by the environment's name ({} → {})", names.left, names.right));
                }
                (FindingKind::Changed, Severity::Medium, message)
            }
        }
    };
    let severity =
        if change.kind() == ChangeKind::Incomparable { base } else { classify::severity(&name, category, base) };
    finish(Draft {
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
    })
}

fn substituted(a: &str, b: &str, names: &Names<'_>, policy: &Policy) -> bool {
    match (policy.substitutions, names.left_family, names.right_family) {
        (true, Some(from), Some(to)) => substitution::only_environment_differs(a, b, from, to),
        _ => false,
    }
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
fn for_each_setting<'a>(entity: &'a Entity, mut f: impl FnMut(&dyn Fn() -> Path, &'a str, &'a Node, u32)) {
    if let (Domain::Env, Node::Map(map)) = (entity.id().domain(), entity.body()) {
        for field in map.fields() {
            let path = || Path::from_segments(vec![Segment::Key(field.key().into())]);
            f(&path, field.key(), field.node(), field.line());
        }
    }
}

/// Runs the production guards over one environment.
fn guard(
    snapshot: &Snapshot,
    other: Option<&Snapshot>,
    env: &str,
    other_family: Option<&'static Family>,
    side: Side,
    out: &mut Vec<Finding>,
) {
    for entity in snapshot.entities() {
        let other_entity = other.and_then(|o| o.entity(entity.id()));
        for_each_setting(entity, |path, name, node, line| {
            for violation in guards::check(name, node, env, other_family) {
                let path = path();
                let other_node = other_entity.and_then(|e| lookup(e.body(), &path));
                let here: Location = entity.location(line);
                let (left, right, location) = match side {
                    Side::Right => (other_node, Some(node), Locations { left: None, right: Some(here) }),
                    Side::Left => (Some(node), other_node, Locations { left: Some(here), right: None }),
                };
                out.push(finish(Draft {
                    entity: entity.id(),
                    path,
                    change: FindingKind::Guard,
                    left,
                    right,
                    category: Category::Guard,
                    severity: violation.severity,
                    status: Status::Drift,
                    message: violation.message,
                    rule: Some(violation.rule),
                    reason: None,
                    location,
                }));
            }
        });
    }
}

/// The node at a path made only of map keys.
fn lookup<'a>(node: &'a Node, path: &Path) -> Option<&'a Node> {
    let mut node = node;
    for segment in path.segments() {
        match segment {
            Segment::Key(key) => node = node.as_map()?.get(key)?,
            _ => return None,
        }
    }
    Some(node)
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
        report.findings.into_iter().map(|f| (f.path.to_string(), f.change, f.status, f.rule)).collect()
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
