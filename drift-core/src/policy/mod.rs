//! Policy: raw changes in, findings out. It decides each finding's category, severity and status
//! (drift, expected, ignored, baselined) and adds what no diff can show: guards about one
//! environment and secrets shared between environments.
//!
//! The built-in rules need no configuration; each is a [`RuleId`] named in the findings it decides.

mod classify;
pub(crate) mod config;
mod consumers;
mod container_env;
mod custom_guards;
pub(crate) mod explain;
mod exposure;
mod finding;
mod guards;
pub(crate) mod init;
mod judge;
mod k8s;
mod paired;
mod production;
mod provenance;
mod renamed;
mod rule_id;
mod rule_set;
mod rules;
mod settings;
mod substitution;
mod terraform;

use rayon::prelude::*;

use crate::diff::Diff;
use crate::environment::Role;
use crate::environment::role::Comparison;
use crate::model::Snapshot;
use crate::report::{self, Category, FindingKind, Locations, Report, Severity, Status};

use custom_guards::config_guard;
use finding::{Draft, Names, Side, finish, setting_label};
use judge::judge;
use production::guard;
use renamed::pair_renamed;
pub use rule_id::RuleId;

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
    let production = policy.config.as_ref().map_or(&[][..], |c| c.production.as_slice());
    let comparison = Comparison::new(left.name(), right.name(), production);
    let scaled = k8s::autoscaled(left, right);
    let names = Names {
        left: left.name(),
        right: right.name(),
        left_family: comparison.left.family,
        right_family: comparison.right.family,
        distinct: comparison.distinct(),
        scaled: &scaled,
    };
    // Judging the changes and guarding the production sides are independent: run them side by side.
    let (mut findings, guarded) = rayon::join(
        || diff.changes().par_iter().map(|change| judge(change, diff, &names, policy)).collect::<Vec<_>>(),
        || {
            let mut out = Vec::new();
            if policy.guards {
                // Every production side: both, for two production regions or production over time.
                if comparison.right.role == Role::Production {
                    let others = comparison.other_families(true);
                    guard(right, Some(left), names.right, &others, Side::Right, policy, &mut out);
                }
                if comparison.left.role == Role::Production {
                    let others = comparison.other_families(false);
                    guard(left, Some(right), names.left, &others, Side::Left, policy, &mut out);
                }
            }
            out
        },
    );
    findings.extend(dedupe_guards(guarded));
    if policy.default_substitutions()
        && let (Some(from), Some(to)) = (names.left_family, names.right_family)
    {
        pair_renamed(&mut findings, from, to, &names);
    }
    paired::pair_changed_items(&mut findings, names.right);
    // Reuse means something only between two environments known to differ (found before
    // drift.toml's rules run, which may expect or ignore it like any finding): a snapshot of
    // staging compared with today's staging, or production's manifests in git with the live
    // export, share every secret, as they should.
    for shared in diff.shared_secrets().iter().filter(|_| names.distinct) {
        // An empty value, or a switch word (`true` in a Secret's data), is not a reused credential.
        let plain = shared.secret.as_secret().is_some_and(|s| s.hints().empty || s.hints().switch);
        if plain {
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
    let mut unused_rules = Vec::new();
    if let Some(config) = &policy.config {
        let mut used_guards = std::collections::HashSet::new();
        let mut guarded = Vec::new();
        for guard in &config.guards {
            let mut used = false;
            if matches!(guard.side, config::Side::Right | config::Side::Both) {
                used |= config_guard(guard, right, left, names.right, Side::Right, &mut guarded);
            }
            if matches!(guard.side, config::Side::Left | config::Side::Both) {
                used |= config_guard(guard, left, right, names.left, Side::Left, &mut guarded);
            }
            if used {
                used_guards.insert(guard.name.as_str());
            }
        }
        findings.extend(dedupe_guards(guarded));
        let today = crate::source::certificate::rfc3339(policy.now());
        let used = rules::apply(&mut findings, config, &today[..10]);
        // Rules that matched nothing in this run: a typo, or a rule that outlived its reason.
        unused_rules = config
            .rule_names()
            .into_iter()
            .filter(|name| !used.contains(name) && !used_guards.contains(name))
            .map(str::to_owned)
            .collect();
    }
    provenance::attach(&mut findings, left, right);
    consumers::name_in_findings(&mut findings, left, right);
    let side = |s: &Snapshot, role: Role| report::Side {
        name: s.name().to_owned(),
        role,
        inputs: s.inputs().to_vec(),
        read: s.files().to_vec(),
        skipped: s.skipped().to_vec(),
        // Warnings about the inputs (a key set twice: the last value wins) belong in the report,
        // which CI logs and PR comments show, not only on stderr.
        notes: {
            let mut notes = s.notes().to_vec();
            notes.extend(s.warnings().iter().take(20).map(|w| format!("warning: {w}")));
            if s.warnings().len() > 20 {
                notes.push(format!("warning: {} more warnings about the inputs", s.warnings().len() - 20));
            }
            notes
        },
    };
    let mut report = Report::new(side(left, comparison.left.role), side(right, comparison.right.role), findings);
    report.guards = if policy.guards {
        comparison.guards()
    } else {
        report::Guards { reason: "the built-in guards are turned off".to_owned(), ..report::Guards::default() }
    };
    report.same_environment = comparison.same_environment();
    report.unused_rules = unused_rules;
    report.notes = diff.notes().to_vec();
    report
}

/// A guard that fails on both sides with the same value (both sides production, or a drift.toml
/// guard on `both`) is one finding, on the right, not two.
fn dedupe_guards(mut guarded: Vec<report::Finding>) -> Vec<report::Finding> {
    let on_right: std::collections::HashSet<(&crate::model::EntityId, String, Option<&str>)> = guarded
        .iter()
        .filter(|f| f.location.right.is_some())
        .map(|f| (&f.entity, f.path.to_string(), f.rule.as_deref()))
        .collect();
    let twins: Vec<bool> = guarded
        .iter()
        .map(|f| {
            f.location.right.is_none()
                && f.left == f.right
                && on_right.contains(&(&f.entity, f.path.to_string(), f.rule.as_deref()))
        })
        .collect();
    let mut twin = twins.into_iter();
    guarded.retain(|_| !twin.next().unwrap_or(false));
    guarded
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
            .map(|f| (f.path.to_string(), f.change, f.status, f.rule.map(std::borrow::Cow::into_owned)))
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
    fn one_environment_on_both_sides() {
        // Production against last week's production, git against live, two production regions:
        // no reuse, a changed secret is a rotation, nothing points at production, both guarded.
        for (left, right) in [("production", "production"), ("prod-eu", "prod-us"), ("git", "production")] {
            let same =
                findings((left, "API_TOKEN=abc\nAPP_ENV=production\n"), (right, "API_TOKEN=abc\nAPP_ENV=production\n"));
            assert!(same.is_empty(), "{left} vs {right}: {same:?}");
            let rotated = findings((left, "API_TOKEN=abc\n"), (right, "API_TOKEN=xyz\n"));
            assert_eq!(rotated, [("API_TOKEN".into(), FindingKind::Changed, Status::Drift, rule("secret-rotated"))]);
        }
        let both = findings(("prod-eu", "DEBUG=true\n"), ("prod-us", "DEBUG=true\n"));
        assert_eq!(both.len(), 1, "one finding for a switch on in both: {both:?}");
        let left = findings(("prod-eu", "DEBUG=true\n"), ("prod-us", "DEBUG=false\n"));
        assert_eq!(left.iter().filter(|f| f.1 == FindingKind::Guard).count(), 1, "the left side is guarded: {left:?}");
        // Staging against production: still reuse, and staging's name in production still points.
        let across =
            findings(("staging", "API_TOKEN=abc\n"), ("production", "API_TOKEN=abc\nAPI=https://api.staging.x\n"));
        let rules: Vec<_> = across.iter().filter_map(|f| f.3.clone()).collect();
        assert_eq!(rules, ["points-at-other-environment", "secret-reuse"], "{across:?}");
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
