//! Objects that are one object in two environments although their namespaces or names differ by
//! the environment (`api-staging` ↔ `api-production`, `shop-stg` ↔ `shop-prd`, namespace
//! `staging` ↔ `production`): matched automatically, with a note, before the diff.
//!
//! Only Kubernetes objects that have no counterpart under their own identity are considered, and
//! only pairs that are unambiguous: one object on each side with the same kind and the same
//! namespace and name once environment tokens are removed. drift.toml's `[[map]]` runs first, so
//! it overrides this.

use std::collections::HashMap;

use crate::model::{Domain, Entity, EntityId, Snapshot};

/// Makes the right environment's entities compare with the left's: drift.toml's `[[map]]` rules
/// first (they win), then [`match_by_environment`]. Call it between loading and diffing.
pub fn match_entities(left: &Snapshot, right: &mut Snapshot, config: Option<&crate::Config>) -> usize {
    if let Some(config) = config {
        config.map_entities(right);
    }
    match_by_environment(left, right)
}

/// Renames the right environment's Kubernetes objects that differ from a left object only by
/// environment tokens in their namespace or name, so that they compare. Returns how many were
/// matched (a note in the right environment says so, with an example).
pub fn match_by_environment(left: &Snapshot, right: &mut Snapshot) -> usize {
    let unmatched = |from: &Snapshot, other: &Snapshot| -> HashMap<String, Vec<EntityId>> {
        let mut by_key: HashMap<String, Vec<EntityId>> = HashMap::new();
        for entity in from.entities() {
            let id = entity.id();
            if id.domain() == Domain::K8s
                && other.entity(id).is_none()
                && let Some(key) = key(id.address())
            {
                by_key.entry(key).or_default().push(id.clone());
            }
        }
        by_key
    };
    let lefts = unmatched(left, right);
    if lefts.is_empty() {
        return 0;
    }
    let rights = unmatched(right, left);
    let mut ambiguous = 0;
    let mut renames: Vec<(EntityId, EntityId)> = rights
        .into_iter()
        .filter_map(|(key, ids)| match (ids.as_slice(), lefts.get(&key).map(Vec::as_slice)) {
            ([right], Some([left])) => Some((right.clone(), left.clone())),
            (_, Some(_)) => {
                ambiguous += ids.len();
                None
            }
            _ => None,
        })
        .collect();
    renames.sort();
    for (from, to) in &renames {
        if let Some(entity) = right.entities.remove(from) {
            let renamed = Entity::new(to.clone(), entity.file().clone(), entity.line(), entity.body().clone());
            right.entities.insert(to.clone(), renamed);
            right.renamed.insert(to.clone(), "matched to the other environment's object by environment tokens");
        }
    }
    if !renames.is_empty() {
        let shown: Vec<String> = renames.iter().take(3).map(|(from, to)| format!("{from} with {to}")).collect();
        let more = match renames.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        right.notes.push(format!(
            "matched by environment tokens in namespace or name: {}{more} (drift.toml [[map]] overrides)",
            shown.join(", ")
        ));
    }
    if ambiguous > 0 {
        right.notes.push(format!(
            "{ambiguous} object(s) differ from several of the other environment's only by environment tokens: not matched (say which with drift.toml [[map]])"
        ));
    }
    renames.len()
}

/// `group/Kind/namespace/name` with environment tokens removed from namespace and name; `None`
/// when neither holds one (nothing to match by).
fn key(address: &str) -> Option<String> {
    let mut parts = address.splitn(4, '/');
    let (group, kind, namespace, name) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let (ns, ns_had) = without_tokens(namespace);
    let (nm, nm_had) = without_tokens(name);
    (ns_had || nm_had).then(|| format!("{group}/{kind}/{ns}/{nm}"))
}

/// A name without its environment tokens (`api-production` → `api`, `shop-stg-1` → `shop-1`), and
/// whether it held one. Parts are split at `-`, `_` and `.`.
fn without_tokens(name: &str) -> (String, bool) {
    let mut had = false;
    let kept: Vec<&str> = name
        .split(['-', '_', '.'])
        .filter(|part| {
            let token = super::family_of_word(part).is_some();
            had |= token;
            !token
        })
        .collect();
    (kept.join("-"), had)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key("apps/Deployment/api-staging/web"), key("apps/Deployment/api-production/web"));
        assert_eq!(key("apps/Deployment/shop-stg/web"), key("apps/Deployment/shop-prd/web"));
        assert_eq!(key("apps/Deployment/staging/web"), key("apps/Deployment/production/web"));
        assert_eq!(key("core/Service/shop/web-staging"), key("core/Service/shop/web-prod"));
        assert_ne!(key("apps/Deployment/api-staging/web"), key("apps/Deployment/api-production/worker"));
        assert_ne!(key("apps/Deployment/api-staging/web"), key("apps/StatefulSet/api-production/web"));
        assert_eq!(key("apps/Deployment/shop/web"), None);
    }
}
