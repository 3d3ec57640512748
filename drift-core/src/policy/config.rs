//! `drift.toml`: a team's judgement, read strictly. An unknown key, a wrong type, a bad glob, regex
//! or date is an error naming the file and line (and, for unknown keys, the allowed ones).
//!
//! ```toml
//! [environments]
//! left = "staging"
//! right = "production"
//! production = ["eu-main", "blue-*"]   # names whose role is production, beside prod/production/live…
//! require_guards = true        # a run where no side is production is an error (exit 2)
//!
//! default_substitutions = true
//! [substitute]                 # extra token pairs: a left value that equals the right one after
//! "eu1" = "eu2"                # these replacements only differs by the environment;
//! "re:db-(\\d+)" = "database-$1"  # `re:` makes the key a regex (the value may use $1)
//!
//! [[ignore]]                   # status `ignored`
//! entity = "k8s:*/Deployment/**"
//! path = "metadata.annotations.*"
//! reason = "set by our deploy tooling"
//!
//! [[expect]]                   # status `expected`, optionally only for these values
//! entity = "k8s:apps/Deployment/*/api"
//! path = "spec.replicas"
//! right_match = "^[3-9]$"
//! reason = "production runs more replicas"
//! owner = "team-api"
//! until = "2027-01-31"         # a waiver: after this date the finding is drift again
//!
//! [[severity]]
//! path = "*PAYMENT*"
//! level = "critical"
//!
//! [[category]]
//! path = "*_QUEUE"
//! set = "config"
//!
//! [secrets]
//! extra = ["license"]          # name fragments that mark a value secret
//! not_secret = ["_public_"]
//! ```
//!
//! Globs: `*` matches within one segment (of an entity address split at `/`, of a path split at
//! `.` and `[…]`), `**` matches any number of segments.

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::model::Domain;
use crate::report::{Category, FindingKind, Severity};

pub(crate) use super::rule_set::{Pattern, RuleSet, Selector};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    environments: Option<Environments>,
    default_substitutions: Option<bool>,
    #[serde(default)]
    substitute: BTreeMap<String, String>,
    #[serde(default)]
    ignore: Vec<Spanned<RuleSpec>>,
    #[serde(default)]
    expect: Vec<Spanned<RuleSpec>>,
    #[serde(default)]
    severity: Vec<Spanned<SeveritySpec>>,
    #[serde(default)]
    category: Vec<Spanned<CategorySpec>>,
    secrets: Option<SecretsSpec>,
    certificate_days: Option<u32>,
    #[serde(default)]
    map: Vec<Spanned<MapSpec>>,
    #[serde(default)]
    guard: Vec<Spanned<GuardSpec>>,
    #[serde(default)]
    layers: Vec<Spanned<LayersSpec>>,
}

/// `[[layers]] files = ["base.yaml", "{env}.yaml"], merge = "deep"`: a layer set of its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayersSpec {
    files: Vec<String>,
    merge: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapSpec {
    /// `namespace`, `prefix`, `suffix` (of Kubernetes names) or `module` (Terraform module paths).
    kind: MapKind,
    left: String,
    right: String,
}

/// How a `[[map]]` rule renames the right environment's entities to match the left's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MapKind {
    Namespace,
    Prefix,
    Suffix,
    Module,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GuardSpec {
    environment: Option<Side>,
    entity: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    must_equal: Option<String>,
    must_match: Option<Spanned<String>>,
    must_not_match: Option<Spanned<String>>,
    one_of: Option<Vec<String>>,
    #[serde(default)]
    must_exist: bool,
    #[serde(default)]
    must_not_exist: bool,
    /// An absent value passes the value conditions (`must_equal`, `must_match`, `one_of`, `min`,
    /// `max`, `compare`); by default it fails them.
    #[serde(default)]
    optional: bool,
    min: Option<f64>,
    max: Option<f64>,
    #[serde(default)]
    must_differ: bool,
    /// Compares the right value with the left: `>=`, `>`, `<=`, `<`, `==`, `!=`.
    compare: Option<Spanned<String>>,
    message: Option<String>,
    severity: Option<Severity>,
}

/// Which environment a guard is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Side {
    Left,
    Right,
    Both,
}

/// A compiled guard.
#[derive(Clone, Debug)]
pub(crate) struct Guard {
    pub(crate) name: String,
    pub(crate) side: Side,
    pub(crate) entity: Regex,
    pub(crate) path: Regex,
    /// The path, when the glob has no wildcard (looked up instead of searched for).
    pub(crate) exact_path: Option<crate::path::Path>,
    /// No `path`: the guard is about whole entities (`must_exist`: one matches the entity glob;
    /// `must_not_exist`: none does).
    pub(crate) whole_entity: bool,
    /// The entity glob as written, for a finding about an entity that does not exist.
    pub(crate) entity_glob: String,
    /// No `entity`: the guard is about a setting wherever it is, so an absent value fails it only
    /// when no entity has it (not once per entity that lacks it).
    pub(crate) any_entity: bool,
    pub(crate) optional: bool,
    pub(crate) must_equal: Option<String>,
    pub(crate) must_match: Option<Regex>,
    pub(crate) must_not_match: Option<Regex>,
    pub(crate) one_of: Option<Vec<String>>,
    pub(crate) must_exist: bool,
    pub(crate) must_not_exist: bool,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) must_differ: bool,
    pub(crate) compare: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) severity: Severity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Environments {
    left: Option<String>,
    right: Option<String>,
    /// Names (globs, `*` for any run) whose role is production, beside those whose name says it.
    #[serde(default)]
    production: Vec<String>,
    /// A run in which no side is production is an error, not a warning.
    #[serde(default)]
    require_guards: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    entity: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    domain: Option<Domain>,
    category: Option<Category>,
    change: Option<FindingKind>,
    reason: Option<String>,
    owner: Option<String>,
    until: Option<Spanned<String>>,
    left: Option<String>,
    right: Option<String>,
    left_match: Option<Spanned<String>>,
    right_match: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeveritySpec {
    entity: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    domain: Option<Domain>,
    category: Option<Category>,
    change: Option<FindingKind>,
    level: Severity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategorySpec {
    entity: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    domain: Option<Domain>,
    change: Option<FindingKind>,
    set: Category,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsSpec {
    #[serde(default)]
    extra: Vec<Spanned<String>>,
    #[serde(default)]
    not_secret: Vec<Spanned<String>>,
}

/// One `[substitute]` rewrite of left values.
#[derive(Clone, Debug)]
pub(crate) enum Substitution {
    Literal(String, String),
    Regex(Regex, String),
}

impl Substitution {
    pub(crate) fn apply(&self, text: &str) -> String {
        match self {
            Substitution::Literal(from, to) => text.replace(from.as_str(), to),
            Substitution::Regex(re, to) => re.replace_all(text, to.as_str()).into_owned(),
        }
    }
}

/// A compiled `ignore` or `expect` rule.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) reason: Option<String>,
    pub(crate) owner: Option<String>,
    /// `YYYY-MM-DD`: the rule applies up to and including this day.
    pub(crate) until: Option<String>,
    pub(crate) left: Option<ValueCondition>,
    pub(crate) right: Option<ValueCondition>,
}

/// A condition on one side's value (its text: strings bare, other values as JSON).
#[derive(Clone, Debug)]
pub(crate) enum ValueCondition {
    Equals(String),
    Matches(Regex),
}

impl ValueCondition {
    pub(crate) fn holds(&self, value: Option<&serde_json::Value>) -> bool {
        let text = match value {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => return false,
        };
        match self {
            ValueCondition::Equals(want) => text == *want,
            ValueCondition::Matches(re) => re.is_match(&text),
        }
    }
}

/// A loaded `drift.toml`.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) left_name: Option<String>,
    pub(crate) right_name: Option<String>,
    pub(crate) production: Vec<String>,
    pub(crate) require_guards: bool,
    pub(crate) default_substitutions: bool,
    pub(crate) substitute: Vec<Substitution>,
    pub(crate) ignore: RuleSet<Rule>,
    pub(crate) expect: RuleSet<Rule>,
    pub(crate) severity: RuleSet<(String, Severity)>,
    pub(crate) category: RuleSet<(String, Category)>,
    pub(crate) secrets_extra: Vec<String>,
    pub(crate) secrets_not: Vec<String>,
    pub(crate) certificate_days: Option<u32>,
    pub(crate) maps: Vec<(MapKind, String, String)>,
    pub(crate) guards: Vec<Guard>,
    pub(crate) layers: Vec<crate::layers::Declared>,
}

impl Config {
    /// Reads a `drift.toml`; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// The file is not valid TOML, has an unknown key or a wrong type, or a glob, regex or date
    /// does not parse: the error names the line.
    pub fn parse(origin: &str, text: &str) -> Result<Self> {
        // Where each line starts: a span's line is one binary search (a file of 100,000 rules is
        // not scanned once per rule).
        let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let line_of = |span: Range<usize>| -> u32 {
            let line = line_starts.partition_point(|&start| start <= span.start.min(text.len()));
            u32::try_from(line).unwrap_or(u32::MAX)
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, line_of);
            Error::input(origin, line, one_line(e.message()))
        })?;
        let bad = |span: Range<usize>, message: String| Error::input(origin, line_of(span), printable(&message));
        // A glob always makes a valid regex (everything but `*` is escaped); a glob without `*` is
        // an exact text, looked up by hash.
        let glob = |g: &Option<Spanned<String>>, kind: Glob| -> Result<(Pattern, usize)> {
            Ok(match g {
                Some(g) if !g.get_ref().contains('*') => {
                    (Pattern::Exact(g.get_ref().clone()), g.get_ref().chars().count())
                }
                Some(g) => {
                    let (re, literal) = glob_regex(g.get_ref(), kind);
                    (Pattern::Regex(re), literal)
                }
                None => (Pattern::Regex("(?s).*".to_owned()), 0),
            })
        };
        let regex = |r: &Option<Spanned<String>>| -> Result<Option<Regex>> {
            r.as_ref()
                .map(|r| {
                    Regex::new(r.get_ref())
                        .map_err(|e| bad(r.span(), format!("bad regex `{}`: {}", r.get_ref(), regex_error(&e))))
                })
                .transpose()
        };
        // A rule's selector and its two compiled globs.
        let select = |entity: &Option<Spanned<String>>,
                      path: &Option<Spanned<String>>,
                      domain: Option<Domain>,
                      category: Option<Category>,
                      change: Option<FindingKind>|
         -> Result<(Selector, Pattern, Pattern)> {
            let (e, el) = glob(entity, Glob::Entity)?;
            let (p, pl) = glob(path, Glob::Path)?;
            let selector = Selector { domain, category, change, specificity: el + pl, globs: globs(entity, path) };
            Ok((selector, e, p))
        };
        let compile_rules = |kind: &str, specs: &[Spanned<RuleSpec>]| -> Result<RuleSet<Rule>> {
            let (mut rules, mut entities, mut paths) = (Vec::new(), Vec::new(), Vec::new());
            for spec in specs {
                let line = line_of(spec.span());
                let s = spec.get_ref();
                let (select, e, p) = select(&s.entity, &s.path, s.domain, s.category, s.change)?;
                if let Some(until) = &s.until
                    && !is_date(until.get_ref())
                {
                    return Err(bad(
                        until.span(),
                        format!("`until` must be a date YYYY-MM-DD, not `{}`", until.get_ref()),
                    ));
                }
                let condition =
                    |exact: &Option<String>, re: &Option<Spanned<String>>| -> Result<Option<ValueCondition>> {
                        Ok(match (exact, regex(re)?) {
                            (Some(v), _) => Some(ValueCondition::Equals(v.clone())),
                            (None, Some(re)) => Some(ValueCondition::Matches(re)),
                            (None, None) => None,
                        })
                    };
                rules.push((
                    select,
                    Rule {
                        name: format!("{origin}:{line} ({kind})"),
                        reason: s.reason.clone(),
                        owner: s.owner.clone(),
                        until: s.until.as_ref().map(|u| u.get_ref().clone()),
                        left: condition(&s.left, &s.left_match)?,
                        right: condition(&s.right, &s.right_match)?,
                    },
                ));
                entities.push(e);
                paths.push(p);
            }
            RuleSet::new(rules, entities, paths)
                .map_err(|e| Error::input(origin, 0, format!("too many or too large globs: {e}")))
        };
        let ignore = compile_rules("ignore", &file.ignore)?;
        let expect = compile_rules("expect", &file.expect)?;
        let (mut sev_rules, mut sev_e, mut sev_p) = (Vec::new(), Vec::new(), Vec::new());
        for spec in &file.severity {
            let s = spec.get_ref();
            let (select, e, p) = select(&s.entity, &s.path, s.domain, s.category, s.change)?;
            sev_rules.push((select, (format!("{origin}:{} (severity)", line_of(spec.span())), s.level)));
            sev_e.push(e);
            sev_p.push(p);
        }
        let (mut cat_rules, mut cat_e, mut cat_p) = (Vec::new(), Vec::new(), Vec::new());
        for spec in &file.category {
            let s = spec.get_ref();
            let (select, e, p) = select(&s.entity, &s.path, s.domain, None, s.change)?;
            cat_rules.push((select, (format!("{origin}:{} (category)", line_of(spec.span())), s.set)));
            cat_e.push(e);
            cat_p.push(p);
        }
        let sets = |e: regex::Error| Error::input(origin, 0, format!("too many or too large globs: {e}"));
        // A fragment that matches (nearly) every name would turn secret detection off (`not_secret`)
        // or on for everything (`extra`) without anyone noticing.
        let fragments = |key: &str, list: Vec<Spanned<String>>| -> Result<Vec<String>> {
            list.into_iter()
                .map(|f| {
                    let significant = f.get_ref().chars().filter(|c| c.is_alphanumeric()).count();
                    if significant < 2 {
                        return Err(bad(
                            f.span(),
                            format!(
                                "[secrets] {key} = {:?} would match every name: a fragment needs at least two letters or digits (fragments are matched as parts of names, without wildcards)",
                                f.get_ref()
                            ),
                        ));
                    }
                    Ok(f.into_inner())
                })
                .collect()
        };
        let (secrets_extra, secrets_not) = match file.secrets {
            Some(s) => (fragments("extra", s.extra)?, fragments("not_secret", s.not_secret)?),
            None => (Vec::new(), Vec::new()),
        };
        let mut guards = Vec::new();
        for spec in &file.guard {
            let g = spec.get_ref();
            let compile = |glob_text: &Option<Spanned<String>>, kind: Glob| -> Result<Regex> {
                let (re, _) = match glob_text {
                    Some(t) => glob_regex(t.get_ref(), kind),
                    None => ("(?s).*".to_owned(), 0),
                };
                Regex::new(&re).map_err(|e| bad(spec.span(), format!("bad glob: {}", regex_error(&e))))
            };
            if let Some(op) = &g.compare
                && !matches!(op.get_ref().as_str(), ">=" | ">" | "<=" | "<" | "==" | "!=")
            {
                return Err(bad(
                    op.span(),
                    format!("`compare` must be one of >=, >, <=, <, ==, != (not `{}`)", op.get_ref()),
                ));
            }
            let exact_path = g
                .path
                .as_ref()
                .filter(|p| !p.get_ref().contains('*'))
                .map(|p| p.get_ref().parse::<crate::path::Path>().map_err(|e| bad(p.span(), e.to_string())))
                .transpose()?;
            guards.push(Guard {
                name: format!("{origin}:{} (guard)", line_of(spec.span())),
                side: g.environment.unwrap_or(Side::Right),
                entity: compile(&g.entity, Glob::Entity)?,
                path: compile(&g.path, Glob::Path)?,
                exact_path,
                whole_entity: g.path.is_none(),
                entity_glob: g.entity.as_ref().map_or_else(|| "*".to_owned(), |e| e.get_ref().clone()),
                optional: g.optional,
                any_entity: g.entity.is_none(),
                must_equal: g.must_equal.clone(),
                must_match: regex(&g.must_match)?,
                must_not_match: regex(&g.must_not_match)?,
                one_of: g.one_of.clone(),
                must_exist: g.must_exist,
                must_not_exist: g.must_not_exist,
                min: g.min,
                max: g.max,
                must_differ: g.must_differ,
                compare: g.compare.as_ref().map(|c| c.get_ref().clone()),
                message: g.message.clone(),
                severity: g.severity.unwrap_or(Severity::High),
            });
        }
        let mut substitute = Vec::new();
        for (from, to) in file.substitute {
            substitute.push(match from.strip_prefix("re:") {
                Some(pattern) => Substitution::Regex(
                    Regex::new(pattern).map_err(|e| {
                        Error::input(
                            origin,
                            0,
                            printable(&format!("bad regex `{pattern}` in [substitute]: {}", regex_error(&e))),
                        )
                    })?,
                    to,
                ),
                None => Substitution::Literal(from, to),
            });
        }
        let mut layers = Vec::new();
        for spec in &file.layers {
            let l = spec.get_ref();
            let merge = match l.merge.as_deref() {
                None => crate::layers::Merge::Deep,
                Some(name) => crate::layers::Merge::from_name(name).ok_or_else(|| {
                    bad(
                        spec.span(),
                        format!(
                            "`merge` must be one of deep, helm, spring, dotnet, node-config, dotenv (not `{name}`)"
                        ),
                    )
                })?,
            };
            if l.files.len() < 2 || l.files.iter().any(|f| f.is_empty() || f.starts_with('/') || f.contains("..")) {
                return Err(bad(
                    spec.span(),
                    "`files` lists two or more paths relative to the environment's root".to_owned(),
                ));
            }
            layers.push(crate::layers::Declared { files: l.files.clone(), merge });
        }
        let maps =
            file.map.iter().map(|m| (m.get_ref().kind, m.get_ref().left.clone(), m.get_ref().right.clone())).collect();
        Ok(Config {
            left_name: file.environments.as_ref().and_then(|e| e.left.clone()),
            right_name: file.environments.as_ref().and_then(|e| e.right.clone()),
            production: file.environments.as_ref().map(|e| e.production.clone()).unwrap_or_default(),
            require_guards: file.environments.as_ref().is_some_and(|e| e.require_guards),
            default_substitutions: file.default_substitutions.unwrap_or(true),
            substitute,
            ignore,
            expect,
            severity: RuleSet::new(sev_rules, sev_e, sev_p).map_err(sets)?,
            category: RuleSet::new(cat_rules, cat_e, cat_p).map_err(sets)?,
            secrets_extra,
            secrets_not,
            certificate_days: file.certificate_days,
            maps,
            guards,
            layers,
        })
    }

    /// The layer sets declared with `[[layers]]`, for [`crate::LoadOptions::layers`].
    pub fn layers(&self) -> &[crate::layers::Declared] {
        &self.layers
    }

    /// Renames the right environment's entities so that they match the left's, by the `[[map]]`
    /// rules: a namespace, a name prefix or suffix, a Terraform module path.
    pub fn map_entities(&self, right: &mut crate::model::Snapshot) {
        if self.maps.is_empty() {
            return;
        }
        let entities = std::mem::take(&mut right.entities);
        for (_, entity) in entities {
            let id = entity.id().clone();
            let address = self.mapped(id.domain(), id.address());
            let entity = if address == id.address() {
                entity
            } else {
                let to = crate::model::EntityId::new(id.domain(), address);
                right.renamed.insert(to.clone(), "mapped to the other environment's object by drift.toml [[map]]");
                crate::model::Entity::new(to, entity.file().clone(), entity.line(), entity.body().clone())
            };
            right.entities.insert(entity.id().clone(), entity);
        }
    }

    fn mapped(&self, domain: Domain, address: &str) -> String {
        let mut address = address.to_owned();
        for (kind, left, right) in &self.maps {
            match (kind, domain) {
                (MapKind::Namespace, Domain::K8s) => {
                    let mut parts: Vec<String> = address.split('/').map(str::to_owned).collect();
                    if parts.len() == 4 && parts[2] == *right {
                        parts[2].clone_from(left);
                        address = parts.join("/");
                    }
                }
                (MapKind::Prefix | MapKind::Suffix, Domain::K8s) => {
                    if let Some((head, name)) = address.rsplit_once('/') {
                        let renamed = match kind {
                            MapKind::Prefix => name.strip_prefix(right.as_str()).map(|rest| format!("{left}{rest}")),
                            _ => name.strip_suffix(right.as_str()).map(|rest| format!("{rest}{left}")),
                        };
                        if let Some(renamed) = renamed {
                            address = format!("{head}/{renamed}");
                        }
                    }
                }
                (MapKind::Module, Domain::Terraform) => {
                    if let Some(rest) = address.strip_prefix(right.as_str())
                        && (rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
                    {
                        address = format!("{left}{rest}");
                    }
                }
                _ => {}
            }
        }
        address
    }

    /// The left environment's name, if the file sets one.
    pub fn left_name(&self) -> Option<&str> {
        self.left_name.as_deref()
    }

    /// The right environment's name, if the file sets one.
    pub fn right_name(&self) -> Option<&str> {
        self.right_name.as_deref()
    }

    /// Whether the file says a run with no production side is an error (`require_guards`).
    pub fn require_guards(&self) -> bool {
        self.require_guards
    }

    /// One line per configured rule, for `drift rules`.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (_, rule) in self.ignore.rules.iter().chain(&self.expect.rules) {
            let reason = rule.reason.as_deref().unwrap_or("");
            let until = rule.until.as_deref().map(|u| format!(" until {u}")).unwrap_or_default();
            out.push(format!("{:<30} {reason}{until}", rule.name));
        }
        for (_, (name, level)) in &self.severity.rules {
            out.push(format!("{name:<30} severity {level}"));
        }
        for (_, (name, category)) in &self.category.rules {
            out.push(format!("{name:<30} category {category}"));
        }
        out
    }

    /// Every rule's name (`drift.toml:12 (expect)`), in file order within each kind.
    pub(crate) fn rule_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        out.extend(self.ignore.rules.iter().chain(&self.expect.rules).map(|(_, r)| r.name.as_str()));
        out.extend(self.severity.rules.iter().map(|(_, (name, _))| name.as_str()));
        out.extend(self.category.rules.iter().map(|(_, (name, _))| name.as_str()));
        out.extend(self.guards.iter().map(|g| g.name.as_str()));
        out
    }

    /// The secret rules: the defaults plus the file's `[secrets]`.
    pub fn secret_rules(&self) -> crate::secrets::SecretRules {
        crate::secrets::SecretRules::new(self.secrets_extra.clone(), self.secrets_not.clone())
    }
}

/// A message on one line (errors are one line: `error: FILE:LINE: what is wrong`).
/// A message quoting the file's text on one printable line: control characters (a carriage return
/// inside a pattern, found by the fuzzer) escaped.
fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(": ")
}

/// A regex error's last line (`unclosed group`), without the pointer art above it.
fn regex_error(err: &regex::Error) -> String {
    let text = err.to_string();
    let last = text.lines().rev().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    last.trim_start_matches("error: ").to_owned()
}

/// A rule's entity and path globs as written, for `drift explain`.
fn globs(entity: &Option<Spanned<String>>, path: &Option<Spanned<String>>) -> (Option<String>, Option<String>) {
    (entity.as_ref().map(|e| e.get_ref().clone()), path.as_ref().map(|p| p.get_ref().clone()))
}

/// Whether an entity (`path` false) or path glob as written matches a text; no glob matches all.
pub(crate) fn glob_matches(glob: Option<&str>, path: bool, text: &str) -> bool {
    let Some(glob) = glob else { return true };
    let (re, _) = glob_regex(glob, if path { Glob::Path } else { Glob::Entity });
    Regex::new(&re).is_ok_and(|re| re.is_match(text))
}

#[derive(Clone, Copy)]
enum Glob {
    Entity,
    Path,
}

/// A glob as an anchored regex, and how many literal characters it has (its specificity).
fn glob_regex(glob: &str, kind: Glob) -> (String, usize) {
    let one = match kind {
        Glob::Entity => "[^/]*",
        Glob::Path => r"[^.\[\]]*",
    };
    // Inside a path's brackets `*` is one list item's whole label, whatever it holds: dots in an
    // IP range or a host name (`ingress[*]` matches `ingress[=10.0.0.0/8]`), a `]` in a quoted part.
    let in_item = r#"(?:[^\]"]|"(?:[^"\\]|\\.)*")*"#;
    let mut out = String::from("^(?s:");
    let mut literal = 0;
    let mut brackets = 0usize;
    // Inside brackets, a quoted part (`key="x]"`, `["app.kubernetes.io/*"]`) is one string: its
    // `]` closes nothing, and its `*` stays within it.
    let mut quoted = false;
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '\\' if chars.peek() == Some(&'*') => {
                    chars.next();
                    literal += 1;
                    out.push_str(r"\*");
                }
                '\\' => {
                    literal += 1;
                    out.push_str(r"\\");
                    if let Some(next) = chars.next() {
                        literal += 1;
                        out.push_str(&regex::escape(&next.to_string()));
                    }
                }
                '*' => out.push_str(r#"(?:[^"\\]|\\.)*"#),
                other => {
                    literal += 1;
                    out.push_str(&regex::escape(&other.to_string()));
                    quoted = other != '"';
                }
            }
            continue;
        }
        // `\*` is a literal `*` (an IAM action `s3:\*`, a resource `*`).
        if c == '\\' && chars.peek() == Some(&'*') {
            chars.next();
            literal += 1;
            out.push_str(r"\*");
            continue;
        }
        if c == '*' {
            if chars.peek() == Some(&'*') {
                chars.next();
                out.push_str(".*");
            } else if brackets > 0 && matches!(kind, Glob::Path) {
                out.push_str(in_item);
            } else {
                out.push_str(one);
            }
        } else {
            match c {
                '[' => brackets += 1,
                ']' => brackets = brackets.saturating_sub(1),
                '"' if brackets > 0 => quoted = true,
                _ => {}
            }
            literal += 1;
            out.push_str(&regex::escape(&c.to_string()));
        }
    }
    out.push_str(")$");
    (out, literal)
}

/// A calendar date `YYYY-MM-DD` that exists (`2027-02-30` does not; `2028-02-29` does).
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return false;
    }
    let number = |range: Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(glob: &str, kind: Glob, text: &str) -> bool {
        Regex::new(&glob_regex(glob, kind).0).is_ok_and(|re| re.is_match(text))
    }

    #[test]
    fn dates_must_exist() {
        for good in ["2027-02-28", "2028-02-29", "2000-02-29", "2027-12-31", "2027-04-30"] {
            assert!(is_date(good), "{good}");
        }
        for bad in ["2027-02-30", "2027-02-29", "1900-02-29", "2027-04-31", "2027-13-01", "2027-00-10", "2027-1-01"] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn globs() {
        assert!(matches("k8s:*/Deployment/**", Glob::Entity, "k8s:apps/Deployment/shop/web"));
        assert!(!matches("k8s:*/Deployment/*", Glob::Entity, "k8s:apps/Deployment/shop/web"));
        assert!(matches("k8s:apps/Deployment/*/web", Glob::Entity, "k8s:apps/Deployment/shop/web"));
        assert!(matches("*PAYMENT*", Glob::Path, "PAYMENT_SANDBOX"));
        assert!(matches(
            "spec.template.spec.containers[*].image",
            Glob::Path,
            "spec.template.spec.containers[name=api].image"
        ));
        assert!(!matches("spec.*", Glob::Path, "spec.template.spec"));
        // `[*]` is one item, whatever its label holds (dots, slashes, `=`).
        for label in ["=10.0.0.0/8", "name=api.example.com", "=#40963f55", "host=a.b.c:443", "0"] {
            assert!(matches("spec.ingress[*].from", Glob::Path, &format!("spec.ingress[{label}].from")), "{label}");
        }
        assert!(!matches("spec.ingress[*].from", Glob::Path, "spec.ingress[=a].x[=b].from"));
        assert!(matches("spec.ingress[*]", Glob::Path, "spec.ingress[=10.0.0.0/8]"));
        // `\*` is a literal star: an exact path with a wildcard action matches only itself.
        let exact = r"policy.Statement[=Allow s3:\* on \*].Action[=s3:\*]";
        assert!(matches(exact, Glob::Path, "policy.Statement[=Allow s3:* on *].Action[=s3:*]"));
        assert!(!matches(exact, Glob::Path, "policy.Statement[=Allow s3:* on *].Action[=s3:GetObject]"));
        assert!(matches(r"x[\*]", Glob::Path, "x[*]") && !matches(r"x[\*]", Glob::Path, "x[a]"));
        // A quoted `]` inside a label closes nothing: the `*` after it is still within the item.
        let quoted = r#"tolerations[=effect=NoSchedule,key="x\"]",*].value"#;
        assert!(matches(
            quoted,
            Glob::Path,
            r#"tolerations[=effect=NoSchedule,key="x\"]",operator=Equal,value=v.2].value"#
        ));
        assert!(!matches(quoted, Glob::Path, r#"tolerations[=effect=NoSchedule,key="x\"]",operator=Equal].other"#));
        assert!(matches("spec.**", Glob::Path, "spec.template.spec"));
        assert!(matches(
            "metadata.annotations[\"app.kubernetes.io/*\"]",
            Glob::Path,
            "metadata.annotations[\"app.kubernetes.io/version\"]"
        ));
    }

    #[test]
    fn strict_errors_name_the_line() {
        let err = |text: &str| Config::parse("drift.toml", text).map(|_| ()).unwrap_err().to_string();
        let unknown = err("[[ignore]]\npath = \"x\"\npaht = \"y\"\n");
        assert!(unknown.starts_with("drift.toml:3: unknown field `paht`, expected one of"), "{unknown}");
        assert!(unknown.contains("`entity`") && unknown.contains("`path`"), "{unknown}");
        let wrong = err("[[severity]]\npath = \"x\"\nlevel = \"urgent\"\n");
        assert!(wrong.starts_with("drift.toml:3: unknown variant `urgent`"), "{wrong}");
        let regex = err("[[expect]]\npath = \"x\"\nright_match = \"(\"\n");
        assert!(regex.starts_with("drift.toml:3: bad regex `(`"), "{regex}");
        // A pattern's carriage return is shown escaped: an error is one line (found by the fuzzer).
        let control = err("[[expect]]\npath = \"x\"\nright_match = \"[a\\r\"\n");
        assert!(control.contains("bad regex `[a\\r`") && !control.contains('\r'), "{control:?}");
        let date = err("[[ignore]]\npath = \"x\"\nuntil = \"next week\"\n");
        assert!(date.starts_with("drift.toml:3: `until` must be a date"), "{date}");
        let top = err("colour = true\n");
        assert!(top.starts_with("drift.toml:1: unknown field `colour`"), "{top}");
    }
}
