//! A team's rules from `drift.toml`, applied to the findings the built-in rules produced.
//!
//! Precedence: `ignore` beats `expect`, which beats the built-in status; among rules of one kind
//! the most specific wins (the one whose globs have the most literal characters). A waiver
//! (`until`) that has expired no longer applies: the finding is drift again and its message says
//! which waiver expired. `severity` and `category` overrides apply whatever the status.

use std::borrow::Cow;
use std::collections::HashSet;

use rayon::prelude::*;

use super::config::{Config, Rule};
use crate::report::{Finding, Status};

/// Applies the configured rules; `today` is `YYYY-MM-DD`. Returns the names of the rules that
/// applied to some finding (a waiver that matched but expired counts: its finding says so).
pub(crate) fn apply<'c>(findings: &mut [Finding], config: &'c Config, today: &str) -> HashSet<&'c str> {
    if config.ignore.is_empty() && config.expect.is_empty() && config.severity.is_empty() && config.category.is_empty()
    {
        return HashSet::new();
    }
    findings
        .par_iter_mut()
        .fold(HashSet::new, |mut used, finding| {
            apply_one(finding, config, today, &mut used);
            used
        })
        .reduce(HashSet::new, |mut a, b| {
            a.extend(b);
            a
        })
}

fn apply_one<'c>(finding: &mut Finding, config: &'c Config, today: &str, used: &mut HashSet<&'c str>) {
    let entity = finding.entity.to_string();
    let path = finding.path.to_string();
    let mut expired: Vec<String> = Vec::new();
    let decided = [(&config.ignore, Status::Ignored), (&config.expect, Status::Expected)].into_iter().find_map(
        |(set, status)| {
            set.matching(&entity, &path, finding.domain, finding.category, finding.change)
                .into_iter()
                .map(|(_, rule)| rule)
                .filter(|rule| conditions_hold(rule, finding))
                .find(|rule| match &rule.until {
                    Some(until) if until.as_str() < today => {
                        let owner = rule.owner.as_deref().map(|o| format!(" (owner {o})")).unwrap_or_default();
                        expired.push(format!("waiver {}{owner} expired on {until}", rule.name));
                        used.insert(rule.name.as_str());
                        false
                    }
                    _ => true,
                })
                .map(|rule| (rule, status))
        },
    );
    if let Some((rule, status)) = decided {
        used.insert(rule.name.as_str());
        finding.status = status;
        finding.rule = Some(Cow::Owned(rule.name.clone()));
        let reason = rule.reason.clone().unwrap_or_else(|| format!("{} by {}", status, rule.name));
        let owner = rule.owner.as_deref().map(|o| format!(" (owner {o})")).unwrap_or_default();
        finding.reason = Some(Cow::Owned(format!("{reason}{owner}")));
    } else if !expired.is_empty() {
        // The waiver no longer applies: the built-in judgement stands, and says why it is back.
        let note = expired.join("; ");
        finding.message = format!("{}; {note}", finding.message);
        finding.reason = Some(Cow::Owned(note));
    }
    if let Some((_, (name, level))) =
        config.severity.matching(&entity, &path, finding.domain, finding.category, finding.change).first()
    {
        used.insert(name.as_str());
        finding.severity = *level;
    }
    if let Some((_, (name, category))) =
        config.category.matching(&entity, &path, finding.domain, finding.category, finding.change).first()
    {
        used.insert(name.as_str());
        finding.category = *category;
    }
}

fn conditions_hold(rule: &Rule, finding: &Finding) -> bool {
    rule.left.as_ref().is_none_or(|c| c.holds(finding.left.as_ref()))
        && rule.right.as_ref().is_none_or(|c| c.holds(finding.right.as_ref()))
}
