//! Items removed and added at one place that differ only by the environments' names are one
//! expected difference.

use std::borrow::Cow;

use crate::environment::Family;
use crate::model::EntityId;
use crate::path::Path;
use crate::report::{Finding, FindingKind, Status};

use super::finding::Names;
use super::{RuleId, substitution, terraform};

/// An item removed and an item added at the same place that differ only by the environments'
/// names (an Ingress rule for `shop.staging.example.com` and one for `shop.example.com`) are one
/// expected difference, not a removal and an addition.
pub(super) fn pair_renamed(findings: &mut [Finding], from: &Family, to: &Family, names: &Names<'_>) {
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
            // Identical values are an item moved within a sequence (a reorder), not a rename: the
            // order of a plain list is configuration, and stays drift.
            |&i| matches!((findings[i].left.as_ref(), right), (Some(a), Some(b)) if a != b && json_renamed(a, b, from, to)),
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
