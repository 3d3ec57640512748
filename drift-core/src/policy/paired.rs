//! A set item whose fields changed is one finding that names the fields, not an item removed and
//! another added: a security-group rule whose CIDR became `0.0.0.0/0` reads
//! `… changed: cidr_blocks ["10.0.0.0/8"] → ["0.0.0.0/0"]`.
//!
//! Sets (rules, statements, peers) have no key: the diff can only say which values are on one
//! side. Here a removed and an added item at the same place are paired when they have the same
//! fields and differ in at most half of them, and the pairing is one to one. Members of a set of
//! scalars replaced by others (a CIDR list, a list of actions) are one finding at the set.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use crate::path::{Path, Segment};
use crate::report::{self, Finding, FindingKind, Status};

/// Pairs removed and added set items (in place: the added finding becomes the change, the removed
/// one goes).
pub(super) fn pair_changed_items(findings: &mut Vec<Finding>, right_name: &str) {
    let parent = |f: &Finding| -> Option<(String, Path)> {
        let segments = f.path.segments();
        match segments.last() {
            Some(Segment::Member(_)) => {
                Some((f.entity.to_string(), Path::from_segments(segments[..segments.len() - 1].to_vec())))
            }
            _ => None,
        }
    };
    let object =
        |v: &Option<Value>| v.as_ref().and_then(Value::as_object).filter(|o| !o.contains_key("secret")).cloned();
    let mut removed: HashMap<(String, Path), Vec<usize>> = HashMap::new();
    let mut added: HashMap<(String, Path), Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.status != Status::Drift {
            continue;
        }
        let Some(key) = parent(f) else { continue };
        match (f.change, object(&f.left), object(&f.right)) {
            (FindingKind::Removed, Some(_), None) => removed.entry(key).or_default().push(i),
            (FindingKind::Added, None, Some(_)) => added.entry(key).or_default().push(i),
            _ => {}
        }
    }
    let mut pairs: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for (key, gone) in &removed {
        let Some(new) = added.get(key) else { continue };
        // Every candidate pair with the fields that differ.
        let mut candidates: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for &r in gone {
            for &a in new {
                let (Some(old), Some(now)) = (object(&findings[r].left), object(&findings[a].right)) else { continue };
                if old.len() != now.len() || !old.keys().all(|k| now.contains_key(k)) {
                    continue;
                }
                let differing: Vec<String> = old
                    .iter()
                    .filter(|(k, v)| now.get(*k) != Some(*v))
                    .map(|(k, v)| format!("{k} {} → {}", short(v), now.get(k).map(short).unwrap_or_default()))
                    .collect();
                // Fields empty on both sides (`self: false`, `[]`) say nothing about which item it is.
                let said = old.iter().filter(|(k, v)| !(empty(v) && now.get(*k).is_none_or(empty))).count();
                if !differing.is_empty() && differing.len() * 2 <= said {
                    candidates.push((r, a, differing));
                }
            }
        }
        // One to one only: an item that could pair with two others stays as it is.
        for (r, a, differing) in &candidates {
            let unique = candidates.iter().filter(|(x, y, _)| x == r || y == a).count() == 1;
            if unique {
                pairs.push((*r, *a, differing.clone()));
            }
        }
    }
    let mut drop = vec![false; findings.len()];
    pair_scalar_members(findings, &mut drop, right_name);
    if pairs.is_empty() && !drop.contains(&true) {
        return;
    }
    for (r, a, differing) in pairs {
        let (left, left_location, severity) =
            (findings[r].left.clone(), findings[r].location.left.clone(), findings[r].severity);
        let f = &mut findings[a];
        f.change = FindingKind::Changed;
        f.left = left;
        f.location.left = left_location;
        f.severity = f.severity.max(severity);
        f.message = format!("{} changed in {right_name}: {}", label(&f.path), differing.join("; "));
        let rule = f.rule.as_deref().map(str::to_owned);
        f.id = report::finding_id(&f.entity, &f.path, FindingKind::Changed, rule.as_deref());
        if f.reason.is_none() {
            // What changed inside the item: what the text report shows beside it.
            f.reason = Some(Cow::Owned(differing.join("; ")));
        }
        drop[r] = true;
    }
    let mut index = 0;
    findings.retain(|_| {
        let keep = !drop[index];
        index += 1;
        keep
    });
}

/// Values of a scalar set replaced by others (`cidr_blocks`: `10.0.0.0/8` gone, `0.0.0.0/0` new) are
/// one finding at the set: `cidr_blocks changed in production: 10.0.0.0/8 → 0.0.0.0/0`, its values
/// the removed and the added members. The first added member's finding becomes it; the others go.
fn pair_scalar_members(findings: &mut [Finding], drop: &mut [bool], right_name: &str) {
    let scalar = |v: &Option<Value>| v.as_ref().is_some_and(|v| !v.is_object() && !v.is_array());
    let mut sets: HashMap<(String, Path), (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let segments = f.path.segments();
        if f.status != Status::Drift || !matches!(segments.last(), Some(Segment::Member(_))) {
            continue;
        }
        let key = (f.entity.to_string(), Path::from_segments(segments[..segments.len() - 1].to_vec()));
        match f.change {
            FindingKind::Removed if scalar(&f.left) && f.right.is_none() => sets.entry(key).or_default().0.push(i),
            FindingKind::Added if scalar(&f.right) && f.left.is_none() => sets.entry(key).or_default().1.push(i),
            _ => {}
        }
    }
    for ((_, parent), (gone, new)) in sets {
        let (Some(&first), false) = (new.first(), gone.is_empty()) else { continue };
        let values = |indexes: &[usize], left: bool| -> Vec<Value> {
            indexes
                .iter()
                .filter_map(|&i| if left { findings[i].left.clone() } else { findings[i].right.clone() })
                .collect()
        };
        let (old, now) = (values(&gone, true), values(&new, false));
        let text = |values: &[Value]| {
            values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let severity = gone.iter().chain(&new).map(|&i| findings[i].severity).max().unwrap_or(findings[first].severity);
        let left_location = findings[gone[0]].location.left.clone();
        let f = &mut findings[first];
        f.change = FindingKind::Changed;
        f.message = format!("{parent} changed in {right_name}: {} → {}", text(&old), text(&now));
        f.path = parent;
        f.left = Some(Value::Array(old));
        f.right = Some(Value::Array(now));
        f.location.left = left_location;
        f.severity = severity;
        let rule = f.rule.as_deref().map(str::to_owned);
        f.id = report::finding_id(&f.entity, &f.path, FindingKind::Changed, rule.as_deref());
        for &i in gone.iter().chain(&new[1..]) {
            drop[i] = true;
        }
    }
}

fn empty(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn short(value: &Value) -> String {
    crate::report::elide(&value.to_string(), 60)
}

/// The set's own name (`ingress`) for the message.
fn label(path: &Path) -> String {
    let segments = path.segments();
    let parent = Path::from_segments(segments[..segments.len().saturating_sub(1)].to_vec());
    format!("an item of {parent}")
}
