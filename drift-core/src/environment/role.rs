//! Environment roles and what a comparison of two environments is (README, "Names and roles").
//!
//! A side's role is production when drift.toml's `[environments] production` lists its name or its
//! name holds a production token (`production`, `prod`, `prd`, `live`); another environment's token
//! (`staging`, `dev`, `qa`…) makes it non-production; a name with no token (`app`, `git`,
//! `last-week`) leaves the role unknown. From the two roles follow:
//!
//! - which sides the built-in guards run on: every production side (both, for two production
//!   regions or production against last week's snapshot of itself);
//! - whether the sides are the *same* environment (same name, same family, or both production):
//!   then equal secrets are not reuse, a changed secret is a rotation, and no value "points at"
//!   the other side's environment;
//! - whether they are known to be *different* environments (both roles known, not the same): only
//!   then is an equal secret reuse.

use serde::{Deserialize, Serialize};

use super::{Family, family_of};

/// What an environment is, for the policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Production: the built-in guards run on it.
    Production,
    /// Another known environment (staging, development, QA…).
    NonProduction,
    /// The name says nothing (`app`, `git`, `last-week`).
    #[default]
    Unknown,
}

impl Role {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Production => "production",
            Role::NonProduction => "non-production",
            Role::Unknown => "unknown",
        }
    }
}

/// One side of a comparison.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Env<'a> {
    pub(crate) name: &'a str,
    pub(crate) family: Option<&'static Family>,
    pub(crate) role: Role,
    /// drift.toml's `[environments] production` lists the name.
    pub(crate) listed: bool,
}

impl<'a> Env<'a> {
    /// A side named `name`, with drift.toml's list of production names (globs, `*` for any run).
    pub(crate) fn new(name: &'a str, production: &[String]) -> Self {
        let family = family_of(name);
        let listed = production.iter().any(|p| wildcard(p, name));
        let role = match family {
            _ if listed => Role::Production,
            Some(f) if f.name == "production" => Role::Production,
            Some(_) => Role::NonProduction,
            None => Role::Unknown,
        };
        Env { name, family, role, listed }
    }

    /// Why the side has its role, for the report.
    fn why(&self) -> String {
        match (self.role, self.listed, self.family) {
            (Role::Production, true, _) => format!("{} is listed in drift.toml [environments] production", self.name),
            (Role::Production, false, _) => format!("the name {} says production", self.name),
            (Role::NonProduction, _, Some(f)) => format!("the name {} says {}", self.name, f.name),
            _ => format!("the name {} says no environment", self.name),
        }
    }
}

/// Two sides and what follows from their roles.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Comparison<'a> {
    pub(crate) left: Env<'a>,
    pub(crate) right: Env<'a>,
}

impl<'a> Comparison<'a> {
    pub(crate) fn new(left: &'a str, right: &'a str, production: &[String]) -> Self {
        Comparison { left: Env::new(left, production), right: Env::new(right, production) }
    }

    /// One environment on both sides: the same name, the same family, or both production.
    pub(crate) fn same_environment(&self) -> bool {
        let (l, r) = (&self.left, &self.right);
        l.name.eq_ignore_ascii_case(r.name)
            || matches!((l.family, r.family), (Some(a), Some(b)) if a == b)
            || (l.role == Role::Production && r.role == Role::Production)
    }

    /// Known to be two different environments: only then is an equal secret reuse.
    pub(crate) fn distinct(&self) -> bool {
        self.left.role != Role::Unknown && self.right.role != Role::Unknown && !self.same_environment()
    }

    /// The environments a value on a production side must not name, for "points at another
    /// environment" guards: staging always (one environment on both sides included: production's
    /// snapshot against production still must not point at staging), and the other side's
    /// family when it is known to be another, non-production environment (`qa`, `dev`).
    pub(crate) fn other_families(&self, here_is_right: bool) -> Vec<&'static Family> {
        let other = if here_is_right { &self.left } else { &self.right };
        let mut out: Vec<&'static Family> = super::FAMILIES.iter().filter(|f| f.name == "staging").collect();
        if let Some(family) = other.family.filter(|f| self.distinct() && f.name != "production")
            && !out.iter().any(|f| f.name == family.name)
        {
            out.push(family);
        }
        out
    }

    /// What the report says of the guards.
    pub(crate) fn guards(&self) -> crate::report::Guards {
        let sides: Vec<crate::report::GuardedSide> =
            [(crate::report::GuardedSide::Left, &self.left), (crate::report::GuardedSide::Right, &self.right)]
                .into_iter()
                .filter(|(_, e)| e.role == Role::Production)
                .map(|(s, _)| s)
                .collect();
        let guarded: Vec<&Env<'_>> =
            [&self.left, &self.right].into_iter().filter(|e| e.role == Role::Production).collect();
        let environment = match guarded.as_slice() {
            [one] => Some(one.name.to_owned()),
            [a, b] if a.name == b.name => Some(a.name.to_owned()),
            [a, b] => Some(format!("{} and {}", a.name, b.name)),
            _ => None,
        };
        let reason = match guarded.as_slice() {
            [] => {
                let (left, right) = (self.left.why(), self.right.why());
                let why = if left == right { left } else { format!("{left}; {right}") };
                format!(
                    "neither side is production ({why}): name them with --left-name/--right-name or list production names in drift.toml [environments] production"
                )
            }
            [one] if one.listed => "listed in drift.toml [environments] production".to_owned(),
            [_] => "its name says production".to_owned(),
            [a, b] if !a.listed && !b.listed => "both names say production".to_owned(),
            both => both.iter().map(|e| e.why()).collect::<Vec<_>>().join("; "),
        };
        crate::report::Guards { enabled: !sides.is_empty(), environment, sides, reason }
    }
}

/// `*` matches any run of characters; the rest compares without case.
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == n;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !n.starts_with(first) || !n[first.len()..].ends_with(last) || n.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &n[first.len()..n.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert_eq!(Env::new("production", &[]).role, Role::Production);
        assert_eq!(Env::new("prod-eu", &[]).role, Role::Production);
        assert_eq!(Env::new("staging", &[]).role, Role::NonProduction);
        assert_eq!(Env::new("git", &[]).role, Role::Unknown);
        assert_eq!(Env::new("blue", &["blue".into()]).role, Role::Production);
        assert_eq!(Env::new("EU-Main", &["eu-*".into()]).role, Role::Production);
    }

    #[test]
    fn same_or_distinct() {
        let c = |l, r| Comparison::new(l, r, &[]);
        assert!(c("prod-eu", "prod-us").same_environment());
        assert!(c("production", "production").same_environment());
        assert!(c("stg", "staging").same_environment());
        assert!(!c("staging", "production").same_environment());
        assert!(c("staging", "production").distinct());
        assert!(!c("git", "production").distinct(), "an unknown side is not known to differ");
        assert!(!c("last-week", "production").distinct());
        let names = |c: Comparison<'_>| c.other_families(true).iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names(c("staging", "production")), ["staging"]);
        assert_eq!(names(c("qa", "production")), ["staging", "qa"]);
        assert_eq!(names(c("production", "production")), ["staging"]);
        assert_eq!(names(c("git", "production")), ["staging"]);
    }

    #[test]
    fn guards_say_why() {
        let off = Comparison::new("app", "app", &[]).guards();
        assert!(!off.enabled && off.reason.contains("neither side is production"), "{}", off.reason);
        let both = Comparison::new("prod-eu", "prod-us", &[]).guards();
        assert_eq!(both.sides.len(), 2);
        assert_eq!(both.environment.as_deref(), Some("prod-eu and prod-us"));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("prod-*", "prod-eu"));
        assert!(wildcard("*-live", "eu-live"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*b*c", "axxc"));
        assert!(!wildcard("ab*ba", "aba"));
        assert!(wildcard("blue", "BLUE"));
    }
}
