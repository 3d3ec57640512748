//! Baselines: the drift a team has accepted for now, so that CI fails only on new drift.
//!
//! A baseline records each drift finding's stable id with its values. Applied to a later report, a
//! finding with the same id and the same values is `baselined`; one whose values changed since is
//! drift again (its message says so); entries that match no finding any more are stale.
//!
//! An entry records what kind of change it accepted (and the rule that judged it): a finding with
//! the same id but another kind is not accepted. Guards whose truth depends on the day are judged
//! again on every run: an expiring certificate is accepted only while it keeps the same expiry
//! and has not expired (an expired one is another finding), and an expired certificate is never
//! accepted.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::report::{Finding, FindingKind, Report, Status};

/// Rules whose findings a baseline never accepts: they only get worse with time.
const NEVER_ACCEPTED: &[&str] = &["certificate-expired"];

/// Whether a baseline may accept this finding.
fn acceptable(finding: &Finding) -> bool {
    !finding.rule.as_deref().is_some_and(|r| NEVER_ACCEPTED.contains(&r))
}

/// The schema tag of baseline files.
const SCHEMA: &str = "drift/baseline/v1";

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// The finding's stable id.
    pub id: String,
    /// Its entity, for people reading the file.
    pub entity: String,
    /// Its path, for people reading the file.
    pub path: String,
    /// The kind of change accepted (`changed`, `guard`…); entries written before it was recorded
    /// have none and match any kind.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub change: Option<FindingKind>,
    /// The rule that judged the finding, when one did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rule: Option<String>,
    /// The left value when accepted (`None`: the finding had none; `Some(Null)`: a JSON null).
    #[serde(skip_serializing_if = "Option::is_none", default, deserialize_with = "present")]
    pub left: Option<Value>,
    /// The right value when accepted.
    #[serde(skip_serializing_if = "Option::is_none", default, deserialize_with = "present")]
    pub right: Option<Value>,
}

/// A baseline file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    schema: String,
    /// The accepted findings.
    pub entries: Vec<BaselineEntry>,
}

impl Baseline {
    /// Records every finding of a report that is drift (except those no baseline accepts: an
    /// expired certificate).
    pub fn from_report(report: &Report) -> Self {
        let entries = report
            .findings()
            .iter()
            .filter(|f| f.status == Status::Drift && acceptable(f))
            .map(|f| BaselineEntry {
                id: f.id.to_string(),
                entity: f.entity.to_string(),
                path: f.path.to_string(),
                change: Some(f.change),
                rule: f.rule.as_deref().map(str::to_owned),
                left: f.left.as_ref().map(without_fingerprints),
                right: f.right.as_ref().map(without_fingerprints),
            })
            .collect();
        Baseline { schema: SCHEMA.to_owned(), entries }
    }

    /// Reads a baseline file.
    ///
    /// # Errors
    ///
    /// The file is not a `drift/baseline/v1` document.
    pub fn parse(origin: &str, bytes: &[u8]) -> Result<Self> {
        let baseline: Baseline = serde_json::from_slice(bytes).map_err(|e| {
            Error::input(
                origin,
                u32::try_from(e.line()).unwrap_or(0),
                format!("invalid baseline: {}", crate::error::without_values(&e.to_string())),
            )
        })?;
        if baseline.schema != SCHEMA {
            return Err(Error::input(origin, 1, format!("invalid baseline: expected \"schema\": \"{SCHEMA}\"")));
        }
        Ok(baseline)
    }

    /// The file's JSON text.
    pub fn to_json(&self) -> String {
        // A baseline is strings and JSON values: it always serializes.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Marks the report's findings that the baseline accepted (same id, same values) as
    /// `baselined`, and recounts the summary. Returns the stale entries (no finding any more).
    pub fn apply(&self, report: &mut Report, origin: &str) -> Vec<BaselineEntry> {
        let mut by_id: HashMap<&str, &BaselineEntry> = self.entries.iter().map(|e| (e.id.as_str(), e)).collect();
        for finding in &mut report.findings {
            let Some(entry) = by_id.remove(finding.id.as_str()) else { continue };
            if finding.status != Status::Drift {
                continue;
            }
            let same =
                |recorded: &Option<Value>, now: &Option<Value>| *recorded == now.as_ref().map(without_fingerprints);
            let same_kind = entry.change.is_none_or(|c| c == finding.change);
            if !acceptable(finding) {
                finding.message = format!("{}; no baseline accepts it ({origin} lists it)", finding.message);
            } else if same_kind && same(&entry.left, &finding.left) && same(&entry.right, &finding.right) {
                finding.status = Status::Baselined;
                finding.rule = Some(Cow::Borrowed("baseline"));
                finding.reason = Some(Cow::Owned(format!("accepted in {origin}")));
            } else {
                finding.message = format!("{}; changed since {origin} accepted it", finding.message);
            }
        }
        let mut stale: Vec<BaselineEntry> = by_id.into_values().cloned().collect();
        stale.sort_by(|a, b| (&a.entity, &a.path, &a.id).cmp(&(&b.entity, &b.path, &b.id)));
        report.recount();
        stale
    }
}

/// A field that is present is `Some`, even when it is `null` (a setting whose value is null): only
/// an absent field is `None`. Serde's default for `Option` reads `null` as `None`, so an accepted
/// change to or from null never matched its finding again.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// A value with secret fingerprints removed: without a configured key they change every run, and a
/// baseline must still recognise the finding (a secret's change is not drift anyway).
fn without_fingerprints(value: &Value) -> Value {
    match value {
        Value::Object(map) if map.contains_key("secret") => {
            let mut map = map.clone();
            map.insert("secret".to_owned(), Value::Null);
            Value::Object(map)
        }
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), without_fingerprints(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(without_fingerprints).collect()),
        other => other.clone(),
    }
}
