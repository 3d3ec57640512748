//! `drift explain`: which rules were considered for a finding, and why each applied or not.

use super::Policy;
use super::config::{Rule, glob_matches};
use super::rule_set::Selector;
use crate::report::Finding;

/// A rule of any kind: its selector, its name, and for ignore/expect the rule's conditions.
type Considered<'a> = (&'a Selector, &'a str, Option<&'a Rule>);

/// Lines that explain a finding: what decided it, then every drift.toml rule whose entity or
/// path glob matches it (with why it applied or not), then how many rules matched neither.
pub fn explain(finding: &Finding, policy: &Policy) -> Vec<String> {
    let today = crate::source::certificate::rfc3339(policy.now());
    let today = &today[..10];
    let mut out = vec![
        format!(
            "{} {} {}: {} {} {}",
            finding.id,
            finding.entity,
            finding.path,
            finding.change.as_str(),
            finding.severity.as_str(),
            finding.status.as_str()
        ),
        format!("  {}", finding.message),
        match (&finding.rule, &finding.reason) {
            (Some(rule), Some(reason)) => format!("decided by {rule}: {reason}"),
            (Some(rule), None) => format!("decided by {rule}"),
            _ => "decided by the built-in judgement (no rule)".to_owned(),
        },
    ];
    let Some(config) = &policy.config else {
        out.push("no drift.toml: only built-in rules (`drift rules --defaults`)".to_owned());
        return out;
    };
    let entity = finding.entity.to_string();
    let path = finding.path.to_string();
    let mut unrelated = 0;
    let mut considered = Vec::new();
    let kinds: [Vec<Considered<'_>>; 4] = [
        config.ignore.rules.iter().map(|(s, r)| (s, r.name.as_str(), Some(r))).collect(),
        config.expect.rules.iter().map(|(s, r)| (s, r.name.as_str(), Some(r))).collect(),
        config.severity.rules.iter().map(|(s, (n, _))| (s, n.as_str(), None)).collect(),
        config.category.rules.iter().map(|(s, (n, _))| (s, n.as_str(), None)).collect(),
    ];
    for rules in kinds {
        for (selector, name, rule) in rules {
            let (entity_glob, path_glob) = (selector.globs.0.as_deref(), selector.globs.1.as_deref());
            let entity_ok = glob_matches(entity_glob, false, &entity);
            let path_ok = glob_matches(path_glob, true, &path);
            // Related: a glob it has matches (a rule with no entity glob is about paths only).
            let related = (entity_glob.is_some() && entity_ok) || (path_glob.is_some() && path_ok);
            if !related {
                unrelated += 1;
                continue;
            }
            let why = why_not(finding, selector, rule, today, (entity_ok, entity_glob), (path_ok, path_glob));
            let decided = finding.rule.as_deref() == Some(name);
            let verdict = match (why, decided) {
                (None, true) => "applies, and decided the finding".to_owned(),
                (None, false) => "applies (a more specific or stronger rule decided)".to_owned(),
                (Some(why), _) => format!("does not apply: {why}"),
            };
            considered.push(format!("  {name:<28} {verdict}"));
        }
    }
    for guard in &config.guards {
        if guard.name == finding.rule.as_deref().unwrap_or_default() {
            considered.push(format!("  {:<28} the guard that failed", guard.name));
        }
    }
    if considered.is_empty() {
        out.push("no drift.toml rule's globs match this finding".to_owned());
    } else {
        out.push("drift.toml rules whose entity or path glob matches:".to_owned());
        out.extend(considered);
    }
    if unrelated > 0 {
        out.push(format!("{unrelated} other rule(s) match neither its entity nor its path"));
    }
    out
}

/// Why a rule whose entity or path glob matched does not apply, if it does not.
fn why_not(
    finding: &Finding,
    selector: &Selector,
    rule: Option<&Rule>,
    today: &str,
    (entity_ok, entity_glob): (bool, Option<&str>),
    (path_ok, path_glob): (bool, Option<&str>),
) -> Option<String> {
    if !entity_ok {
        return Some(format!("entity {} does not match `{}`", finding.entity, entity_glob.unwrap_or("*")));
    }
    if !path_ok {
        let glob = path_glob.unwrap_or("*");
        let hint =
            if glob.contains('*') { " (`*` stays within one key or one list item, `**` crosses them)" } else { "" };
        return Some(format!("path {} does not match `{glob}`{hint}", finding.path));
    }
    if let Some(domain) = selector.domain.filter(|d| *d != finding.domain) {
        return Some(format!("domain is {}, not {domain}", finding.domain));
    }
    if let Some(category) = selector.category.filter(|c| *c != finding.category) {
        return Some(format!("category is {}, not {category}", finding.category.as_str()));
    }
    if let Some(change) = selector.change.filter(|c| *c != finding.change) {
        return Some(format!("change is {}, not {}", finding.change.as_str(), change.as_str()));
    }
    let rule = rule?;
    if rule.left.as_ref().is_some_and(|c| !c.holds(finding.left.as_ref())) {
        return Some("the left value does not meet its condition".to_owned());
    }
    if rule.right.as_ref().is_some_and(|c| !c.holds(finding.right.as_ref())) {
        return Some("the right value does not meet its condition".to_owned());
    }
    match &rule.until {
        Some(until) if until.as_str() < today => Some(format!("its waiver expired on {until}")),
        _ => None,
    }
}
