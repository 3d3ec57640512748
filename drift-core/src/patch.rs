//! RFC 6902 JSON Patches that turn each left entity into the right one.
//!
//! Entities are rendered as the report renders values (secrets as `{"secret": "<fingerprint>"}`,
//! sets and keyed lists in their canonical order), so applying an entity's patch to its left
//! document yields its right document exactly.

use serde::Serialize;
use serde_json::Value;

use crate::diff::Diff;
use crate::model::EntityId;
use crate::report::value_json;

/// The patch of one entity.
#[derive(Clone, Debug, Serialize)]
pub struct EntityPatch {
    /// The entity.
    pub entity: EntityId,
    /// The left document (`null` when the entity is only on the right).
    #[serde(skip)]
    pub left: Value,
    /// The operations that turn the left document into the right one.
    pub patch: json_patch::Patch,
}

/// One patch per entity that differs, sorted by entity.
pub fn patches(diff: &Diff<'_>) -> Vec<EntityPatch> {
    let mut ids: Vec<&EntityId> = diff.changes().iter().map(|c| c.entity()).collect();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let side = |s: &crate::model::Snapshot| s.entity(id).map_or(Value::Null, |e| value_json(e.body()));
            let (left, right) = (side(diff.left()), side(diff.right()));
            let patch = json_patch::diff(&left, &right);
            EntityPatch { entity: id.clone(), left, patch }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::{Fingerprinter, Format, LoadOptions};

    #[test]
    fn applying_the_patch_yields_the_right_entity() {
        let options = LoadOptions::new(Fingerprinter::with_key(b"t"));
        let parse =
            |text: &str| crate::parse(Format::Kubernetes, "x.yaml", text.as_bytes(), &options).unwrap_or_default();
        let left = parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {A: x, B: y}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: one}\n",
        );
        let right = parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {A: z, C: y}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: two}\n",
        );
        let diff = crate::diff(&left, &right);
        let patches = super::patches(&diff);
        assert_eq!(patches.len(), 2);
        for p in patches {
            let mut doc = p.left.clone();
            json_patch::patch(&mut doc, &p.patch).unwrap_or_else(|e| panic!("{e}"));
            let right_doc = right.entity(&p.entity).map(|e| crate::value_json(e.body())).unwrap_or_default();
            assert_eq!(doc, right_doc);
            let text = serde_json::to_string(&p.patch).unwrap_or_default();
            assert!(!text.contains("one") && !text.contains("two"), "secrets only as fingerprints");
        }
    }
}
