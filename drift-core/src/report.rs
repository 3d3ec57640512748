//! The report (DESIGN §6, contract `drift/report/v1`): findings and a summary, as plain serde types.
//! Renderers in drift-cli present it; they decide nothing.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Domain, EntityId, Location, Node};
use crate::path::Path;

/// The schema tag of JSON reports.
pub(crate) const SCHEMA: &str = "drift/report/v1";

/// How much a finding matters. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For the record.
    Info,
    /// Worth a look.
    Low,
    /// Likely to change behaviour.
    Medium,
    /// Likely to break production.
    High,
    /// Known to break production.
    Critical,
}

impl Severity {
    /// All severities, highest first.
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One level up (critical stays critical).
    pub fn raised(self) -> Self {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| format!("unknown severity `{s}` (critical, high, medium, low, info)"))
    }
}

/// Whether a finding counts as drift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A difference (or a failed guard) nobody said was intended.
    Drift,
    /// A rule or an environment-name substitution says this difference is intended.
    Expected,
    /// A rule says this is noise.
    Ignored,
    /// Accepted earlier in a baseline file.
    Baselined,
}

impl Status {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Drift => "drift",
            Status::Expected => "expected",
            Status::Ignored => "ignored",
            Status::Baselined => "baselined",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// Only in the right environment.
    Added,
    /// Only in the left environment.
    Removed,
    /// Different values.
    Changed,
    /// A rule about one environment failed.
    Guard,
    /// The same secret value in both environments.
    Reuse,
}

impl FindingKind {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Added => "added",
            FindingKind::Removed => "removed",
            FindingKind::Changed => "changed",
            FindingKind::Guard => "guard",
            FindingKind::Reuse => "reuse",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of configuration a finding concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// General configuration.
    Config,
    /// A feature flag or switch.
    FeatureFlag,
    /// A URL, host or address of another service.
    Endpoint,
    /// CPU, memory and other resource requests or limits.
    Resources,
    /// Replica counts.
    Replicas,
    /// Network policy, ports, security groups.
    Network,
    /// Storage classes and sizes.
    Storage,
    /// Versions of dependencies.
    Version,
    /// Container images.
    Image,
    /// Secrets.
    Secret,
    /// Certificates.
    Certificate,
    /// A rule about one environment.
    Guard,
    /// Anything else.
    Other,
}

impl Category {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Config => "config",
            Category::FeatureFlag => "feature-flag",
            Category::Endpoint => "endpoint",
            Category::Resources => "resources",
            Category::Replicas => "replicas",
            Category::Network => "network",
            Category::Storage => "storage",
            Category::Version => "version",
            Category::Image => "image",
            Category::Secret => "secret",
            Category::Certificate => "certificate",
            Category::Guard => "guard",
            Category::Other => "other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is, on each side.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locations {
    /// In the left environment.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub left: Option<Location>,
    /// In the right environment.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub right: Option<Location>,
}

/// One thing the report says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable across runs for the same entity, path and change (baselines refer to it).
    pub id: CompactString,
    /// The entity's domain.
    pub domain: Domain,
    /// The entity's address.
    pub entity: EntityId,
    /// The path inside the entity (empty for the whole entity).
    pub path: Path,
    /// What happened.
    pub change: FindingKind,
    /// The left value; a secret is `{"secret": "<fingerprint>"}`, never its value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub left: Option<Value>,
    /// The right value, likewise.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub right: Option<Value>,
    /// What kind of configuration.
    pub category: Category,
    /// How much it matters.
    pub severity: Severity,
    /// Whether it counts as drift.
    pub status: Status,
    /// One line for a person.
    pub message: String,
    /// The rule that decided the status or raised the finding, if any.
    pub rule: Option<Cow<'static, str>>,
    /// Why the status is what it is (for expected and ignored findings).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<Cow<'static, str>>,
    /// Where.
    pub location: Locations,
    /// Where each side's effective value came from, when layers were merged (DESIGN §6, §10).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provenance: Option<Box<Provenance>>,
    /// The id of the finding this one follows from, its root cause in the same entity: a guard on
    /// an added or changed item, a value inside a removed item, a certificate's expiry under the
    /// certificate (see [`follows_from_above`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub follows: Option<CompactString>,
}

/// The layers that set a finding's value on each side, earliest first: the last one is the value
/// the environment runs with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// In the left environment.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub left: Vec<Origin>,
    /// In the right environment.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub right: Vec<Origin>,
}

/// One layer that set a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The layer's file.
    pub file: Arc<str>,
    /// The line the value is set on.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    /// The layer: `base`, or the environment, `local`, `production.local`… as its file names it.
    pub layer: String,
}

impl Provenance {
    /// For a person: `set by values.yaml:12 (base), not overridden for production`, or `set by
    /// values-production.yaml:3 (production) over values.yaml:12 (base)`. `None` without origins.
    pub fn describe(origins: &[Origin], environment: &str) -> Option<String> {
        let (last, earlier) = origins.split_last()?;
        let at = |o: &Origin| match o.line {
            Some(line) => format!("{}:{line} ({})", o.file, o.layer),
            None => format!("{} ({})", o.file, o.layer),
        };
        let mut text = format!("set by {}", at(last));
        if last.layer == "base" {
            text.push_str(&format!(", not overridden for {environment}"));
        } else if let Some(previous) = earlier.last() {
            text.push_str(&format!(" over {}", at(previous)));
        }
        Some(text)
    }
}

/// One environment as the report names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// The environment's name.
    pub name: String,
    /// Its role, from its name and drift.toml (`production`, `non-production`, `unknown`).
    #[serde(default)]
    pub role: crate::environment::Role,
    /// The inputs it was loaded from, as given.
    pub inputs: Vec<String>,
    /// The files read.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub read: Vec<String>,
    /// The files that are not configuration, with the reason (never silently dropped).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub skipped: Vec<crate::model::Skipped>,
    /// What a reader of the report must know about the inputs (a Terraform plan was compared).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// Whether the built-in guards ran, on which side, and why (DESIGN §6): a run whose guards are
/// off says so in every format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guards {
    /// Some side is production, and the built-in guards ran on it.
    pub enabled: bool,
    /// The guarded environment's name (`production`; `prod-eu and prod-us` for two).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub environment: Option<String>,
    /// The guarded sides.
    #[serde(default)]
    pub sides: Vec<GuardedSide>,
    /// Why: which name says production, or why neither does.
    pub reason: String,
}

/// A side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuardedSide {
    /// The left environment.
    Left,
    /// The right environment.
    Right,
}

/// Counts by severity, highest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Critical findings.
    pub critical: usize,
    /// High findings.
    pub high: usize,
    /// Medium findings.
    pub medium: usize,
    /// Low findings.
    pub low: usize,
    /// Info findings.
    pub info: usize,
}

/// Counts by status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// Drift.
    pub drift: usize,
    /// Expected.
    pub expected: usize,
    /// Ignored.
    pub ignored: usize,
    /// Baselined.
    pub baselined: usize,
}

/// Totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of findings.
    pub findings: usize,
    /// Findings with status `drift`, by severity: the gate's view (DESIGN §6).
    pub by_severity: SeverityCounts,
    /// Every finding, whatever its status, by severity.
    #[serde(default)]
    pub all_by_severity: SeverityCounts,
    /// By status.
    pub by_status: StatusCounts,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The left environment.
    pub left: Side,
    /// The right environment.
    pub right: Side,
    /// Whether the built-in guards ran, and why.
    pub guards: Guards,
    /// Both sides are one environment (the same name, or both production): equal secrets are not
    /// reuse, and no value points at the other side.
    #[serde(default)]
    pub same_environment: bool,
    /// Totals.
    pub summary: Summary,
    /// Findings sorted by entity, then path.
    pub findings: Vec<Finding>,
    /// What a reader must know about how the comparison was made (a sequence too different to
    /// align within the budget was compared position by position). Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// drift.toml rules (`drift.toml:12 (expect)`) that matched nothing in this run. Absent when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unused_rules: Vec<String>,
}

impl Report {
    /// Builds a report from findings: sorts them and counts them.
    pub fn new(left: Side, right: Side, mut findings: Vec<Finding>) -> Self {
        findings.sort_by(|a, b| {
            (&a.entity, &a.path, a.change, &a.rule, &a.id).cmp(&(&b.entity, &b.path, b.change, &b.rule, &b.id))
        });
        link_roots(&mut findings);
        let mut report = Report {
            schema: SCHEMA.to_owned(),
            left,
            right,
            guards: Guards::default(),
            same_environment: false,
            summary: Summary::default(),
            findings,
            notes: Vec::new(),
            unused_rules: Vec::new(),
        };
        report.recount();
        report
    }

    /// Counts the findings again (after their statuses changed, e.g. by a baseline).
    pub fn recount(&mut self) {
        let findings = &self.findings;
        let mut summary = Summary { findings: findings.len(), ..Summary::default() };
        let count = |s: &mut SeverityCounts, severity: Severity| {
            *match severity {
                Severity::Critical => &mut s.critical,
                Severity::High => &mut s.high,
                Severity::Medium => &mut s.medium,
                Severity::Low => &mut s.low,
                Severity::Info => &mut s.info,
            } += 1;
        };
        for finding in findings {
            count(&mut summary.all_by_severity, finding.severity);
            if finding.status == Status::Drift {
                count(&mut summary.by_severity, finding.severity);
            }
            let s = &mut summary.by_status;
            *match finding.status {
                Status::Drift => &mut s.drift,
                Status::Expected => &mut s.expected,
                Status::Ignored => &mut s.ignored,
                Status::Baselined => &mut s.baselined,
            } += 1;
        }
        self.summary = summary;
    }

    /// The findings, sorted by entity, then path.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether any finding with status drift is at or above `threshold` (the `drift check` gate).
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.status == Status::Drift && f.severity >= threshold)
    }
}

/// A value as the report shows it: plain JSON, quantities as their text, secrets as
/// `{"secret": "<fingerprint>"}` (plus `"redacted"` for a URL whose credentials were removed).
pub fn value_json(node: &Node) -> Value {
    match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Number(n) => serde_json::from_str::<serde_json::Number>(n.as_str())
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(n.as_str().to_owned())),
        Node::String(s) => Value::String(s.to_string()),
        Node::Quantity(q) => Value::String(q.as_str().to_owned()),
        Node::Secret(secret) => {
            let mut out = serde_json::Map::new();
            out.insert("secret".into(), secret.fingerprint().map_or(Value::Null, |f| Value::String(f.to_owned())));
            if let Some(redacted) = secret.redacted() {
                out.insert("redacted".into(), Value::String(redacted.to_owned()));
            }
            Value::Object(out)
        }
        Node::Map(map) => {
            Value::Object(map.fields().iter().map(|f| (f.key().to_owned(), value_json(f.node()))).collect())
        }
        Node::List(list) => Value::Array(list.items().iter().map(value_json).collect()),
    }
}

/// A stable id: 12 hex digits of a hash of what identifies the finding.
pub(crate) fn finding_id(entity: &EntityId, path: &Path, change: FindingKind, rule: Option<&str>) -> CompactString {
    use crate::path::Segment;
    use sha2::{Digest, Sha256};
    // Hashed part by part, without rendering: this runs for every finding.
    let mut hash = Sha256::new();
    hash.update(entity.domain().as_str());
    hash.update([0]);
    hash.update(entity.address());
    for segment in path.segments() {
        let (tag, text): (u8, &str) = match segment {
            Segment::Key(k) => (1, k),
            Segment::Keyed(k) => (2, k),
            Segment::Member(m) => (3, m),
            Segment::Index(i) => {
                hash.update([0, 4]);
                hash.update(i.to_le_bytes());
                continue;
            }
        };
        hash.update([0, tag]);
        hash.update(text);
    }
    hash.update([0]);
    hash.update(change.as_str());
    hash.update([0]);
    hash.update(rule.unwrap_or(""));
    hex(&hash.finalize()[..6]).into()
}

/// Lower-case hex digits of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Sets each finding's `follows` to its root cause's id, in findings sorted as a report holds them.
fn link_roots(findings: &mut [Finding]) {
    let mut start = 0;
    while start < findings.len() {
        let end = start + findings[start..].iter().take_while(|x| x.entity == findings[start].entity).count();
        let group: Vec<&Finding> = findings[start..end].iter().collect();
        let related = follows_from_above(&group);
        let mut root: Option<CompactString> = None;
        let roots: Vec<Option<CompactString>> = group
            .iter()
            .zip(related)
            .map(|(x, under)| {
                if under {
                    root.clone()
                } else {
                    root = Some(x.id.clone());
                    None
                }
            })
            .collect();
        for (x, root) in findings[start..end].iter_mut().zip(roots) {
            x.follows = root;
        }
        start = end;
    }
}

/// Which findings of one entity (sorted by path, as a report holds them) follow from the one
/// above them, their root cause: a finding inside the path of an earlier one (a value inside a
/// removed or changed item, a certificate's expiry under its certificate), or a guard on the very
/// path an earlier change is about.
pub fn follows_from_above(findings: &[&Finding]) -> Vec<bool> {
    let mut root: Option<&Finding> = None;
    findings
        .iter()
        .map(|x| {
            let under = root.is_some_and(|r| {
                let (above, here) = (r.path.segments(), x.path.segments());
                r.entity == x.entity
                    && !above.is_empty()
                    && here.starts_with(above)
                    && (here.len() > above.len() || (x.change == FindingKind::Guard && r.change != FindingKind::Guard))
            });
            if !under {
                root = Some(*x);
            }
            under
        })
        .collect()
}

/// A text cut to at most `max` characters by removing its middle (`abc…xyz`), so that both ends,
/// where values usually differ, stay visible.
pub fn elide(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    // An ARN keeps its resource (`arn:aws:iam::…:role/payments-api`): what tells two apart.
    if let Some(cut) = elide_arn(text, count, max) {
        return cut;
    }
    let keep = max.saturating_sub(1) / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    format!("{head}…{tail}")
}

/// An ARN cut in its partition, service, region and account, its resource whole where it fits.
fn elide_arn(text: &str, count: usize, max: usize) -> Option<String> {
    if !text.starts_with("arn:") || max < 12 {
        return None;
    }
    let (colon, _) = text.match_indices(':').nth(4)?;
    let resource = &text[colon + 1..];
    let length = resource.chars().count();
    if length + 6 <= max {
        let head: String = text.chars().take(max - length - 1).collect();
        return Some(format!("{head}…{resource}"));
    }
    let tail: String = resource.chars().skip(length.min(count) - (max - 5)).collect();
    Some(format!("arn:…{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_keep_their_resource() {
        let arn = "arn:aws:iam::123456789012:role/service-role/payments-api-production";
        let cut = elide(arn, 50);
        assert_eq!(cut.chars().count(), 50);
        assert!(cut.ends_with("role/service-role/payments-api-production") && cut.starts_with("arn:"), "{cut}");
        let cut = elide(arn, 20);
        assert_eq!(cut.chars().count(), 20);
        assert!(cut.starts_with("arn:…") && cut.ends_with("api-production"), "{cut}");
    }

    #[test]
    fn elides_in_the_middle() {
        assert_eq!(elide("short", 10), "short");
        assert_eq!(elide("héllo", 5), "héllo");
        let long = "a".repeat(50) + "XYZ" + &"b".repeat(50);
        let out = elide(&long, 21);
        assert_eq!(out.chars().count(), 21);
        assert!(out.starts_with("aaaa") && out.ends_with("bbbb") && out.contains('…'));
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }
}
