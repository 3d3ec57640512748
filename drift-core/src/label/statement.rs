//! Labels of policy statements without a `Sid`: effect, actions, resources and principals.

use super::{LABEL_MAX, first_text, fit, scalar, texts};
use crate::model::{Map, Node};

/// A policy statement without a `Sid`: `Allow s3:GetObject+s3:PutObject on arn:aws:s3:::b/*`,
/// `Deny not iam:* for AWS:*` (IAM JSON, or a Terraform policy document's `statement` block).
pub(super) fn statement(map: &Map) -> Option<String> {
    let effect = first_text(map, &["Effect", "effect"])?;
    let (negated, actions) = [("", "Action"), ("", "actions"), ("not ", "NotAction"), ("not ", "not_actions")]
        .iter()
        .find_map(|(negated, key)| {
        let values = texts(map.get(key));
        (!values.is_empty()).then_some((*negated, values))
    })?;
    let mut out = format!("{effect} {negated}");
    out.push_str(&fit(&actions, LABEL_MAX / 2));
    let resources = [("", "Resource"), ("", "resources"), ("not ", "NotResource"), ("not ", "not_resources")]
        .iter()
        .find_map(|(negated, key)| {
            let values = texts(map.get(key));
            (!values.is_empty()).then_some((*negated, values))
        });
    if let Some((negated, resources)) = resources {
        let resources: Vec<String> = resources.iter().map(|r| crate::report::elide(r, 48)).collect();
        out.push_str(" on ");
        out.push_str(negated);
        let budget = LABEL_MAX.saturating_sub(out.len());
        out.push_str(&fit(&resources, budget));
    }
    let principals = principals(map);
    if !principals.is_empty() && out.len() + 5 + principals[0].len() <= LABEL_MAX {
        out.push_str(" for ");
        let budget = LABEL_MAX.saturating_sub(out.len());
        out.push_str(&fit(&principals, budget));
    }
    Some(out)
}

/// A statement's principals: `AWS:arn:…`, `*`; IAM's `Principal` map or a Terraform `principals`
/// block (`type`, `identifiers`).
fn principals(map: &Map) -> Vec<String> {
    let mut out = Vec::new();
    match map.get("Principal") {
        Some(Node::Map(principal)) => {
            for field in principal.fields() {
                out.extend(texts(Some(field.node())).into_iter().map(|t| format!("{}:{}", field.key(), t)));
            }
        }
        other => out.extend(texts(other)),
    }
    if let Some(Node::List(blocks)) = map.get("principals") {
        for block in blocks.items().iter().filter_map(Node::as_map) {
            let kind = block.get("type").and_then(scalar).unwrap_or_default();
            out.extend(texts(block.get("identifiers")).into_iter().map(|t| format!("{kind}:{t}")));
        }
    }
    out.into_iter().map(|p| crate::report::elide(&p, 48)).collect()
}
