//! RFC 6902 JSON Patches that turn each left entity into the right one.
//!
//! Entities are rendered as the report renders values (secrets as `{"secret": "<fingerprint>"}`,
//! sets and keyed lists in their canonical order), so applying an entity's patch to its left
//! document (`value_json` of its body) yields its right document exactly.
//!
//! Maps are walked here, field by field, so that the unchanged part of a large entity (a
//! 1,000,000-key `.env` file) is compared in place and never converted to JSON; a subtree that
//! differs and is not a map on both sides is handed to `json_patch::diff`.

use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, Patch, PatchOperation, RemoveOperation};
use serde::Serialize;

use crate::diff::{Diff, Joined, merge_join};
use crate::model::{EntityId, Node};
use crate::report::value_json;

/// The patch of one entity.
#[derive(Clone, Debug, Serialize)]
pub struct EntityPatch {
    /// The entity.
    pub entity: EntityId,
    /// The operations that turn the left document into the right one.
    pub patch: Patch,
}

/// One patch per entity that differs, sorted by entity.
pub fn patches(diff: &Diff<'_>) -> Vec<EntityPatch> {
    let mut ids: Vec<&EntityId> = diff.changes().iter().map(|c| c.entity()).collect();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            const NULL: &Node = &Node::Null;
            let left = diff.left().entity(id).map_or(NULL, |e| e.body());
            let right = diff.right().entity(id).map_or(NULL, |e| e.body());
            let mut patch = Patch::default();
            diff_node(left, right, &mut PointerBuf::new(), &mut patch);
            EntityPatch { entity: id.clone(), patch }
        })
        .collect()
}

fn diff_node(left: &Node, right: &Node, at: &mut PointerBuf, patch: &mut Patch) {
    match (left, right) {
        (Node::Map(l), Node::Map(r)) => {
            for joined in merge_join(l.fields(), r.fields(), |a, b| a.key().cmp(b.key())) {
                match joined {
                    Joined::Left(a) => {
                        at.push_back(a.key());
                        patch.0.push(PatchOperation::Remove(RemoveOperation { path: at.clone() }));
                        at.pop_back();
                    }
                    Joined::Right(b) => {
                        at.push_back(b.key());
                        let value = value_json(b.node());
                        patch.0.push(PatchOperation::Add(AddOperation { path: at.clone(), value }));
                        at.pop_back();
                    }
                    Joined::Both(a, b) if !same_json(a.node(), b.node()) => {
                        at.push_back(a.key());
                        diff_node(a.node(), b.node(), at, patch);
                        at.pop_back();
                    }
                    Joined::Both(..) => {}
                }
            }
        }
        _ if same_json(left, right) => {}
        _ => {
            let sub = json_patch::diff(&value_json(left), &value_json(right));
            patch.0.extend(sub.0.into_iter().map(|op| prefixed(op, at)));
        }
    }
}

/// Whether two nodes render to the same JSON text (stricter than the model's semantic equality:
/// `1000m` and `1` are equal quantities but different documents).
fn same_json(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Null, Node::Null) => true,
        (Node::Bool(x), Node::Bool(y)) => x == y,
        (Node::Number(x), Node::Number(y)) => x.as_str() == y.as_str(),
        (Node::String(x), Node::String(y)) => x == y,
        (Node::Quantity(x), Node::Quantity(y)) => x.as_str() == y.as_str(),
        (Node::Secret(x), Node::Secret(y)) => x.fingerprint() == y.fingerprint() && x.redacted() == y.redacted(),
        (Node::Map(x), Node::Map(y)) => {
            x.fields().len() == y.fields().len()
                && x.fields().iter().zip(y.fields()).all(|(f, g)| f.key() == g.key() && same_json(f.node(), g.node()))
        }
        (Node::List(x), Node::List(y)) => {
            x.items().len() == y.items().len() && x.items().iter().zip(y.items()).all(|(p, q)| same_json(p, q))
        }
        _ => false,
    }
}

/// The operation of a subtree's patch, moved under `at`.
fn prefixed(op: PatchOperation, at: &PointerBuf) -> PatchOperation {
    match op {
        PatchOperation::Add(mut o) => {
            o.path = at.concat(&o.path);
            PatchOperation::Add(o)
        }
        PatchOperation::Remove(mut o) => {
            o.path = at.concat(&o.path);
            PatchOperation::Remove(o)
        }
        PatchOperation::Replace(mut o) => {
            o.path = at.concat(&o.path);
            PatchOperation::Replace(o)
        }
        PatchOperation::Move(mut o) => {
            o.path = at.concat(&o.path);
            o.from = at.concat(&o.from);
            PatchOperation::Move(o)
        }
        PatchOperation::Copy(mut o) => {
            o.path = at.concat(&o.path);
            o.from = at.concat(&o.from);
            PatchOperation::Copy(o)
        }
        PatchOperation::Test(mut o) => {
            o.path = at.concat(&o.path);
            PatchOperation::Test(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Fingerprinter, Format, LoadOptions, Snapshot};

    fn parse(format: Format, name: &str, text: &str) -> Snapshot {
        let options = LoadOptions::new(Fingerprinter::with_key(b"t"));
        crate::parse(format, name, text.as_bytes(), &options).unwrap_or_default()
    }

    /// Applies every entity's patch to its left document and checks that it yields the right one.
    fn round_trip(left: &Snapshot, right: &Snapshot) -> Vec<super::EntityPatch> {
        let diff = crate::diff(left, right);
        let patches = super::patches(&diff);
        for p in &patches {
            let doc = |s: &Snapshot| s.entity(&p.entity).map(|e| crate::value_json(e.body())).unwrap_or_default();
            let mut applied = doc(left);
            json_patch::patch(&mut applied, &p.patch).unwrap_or_else(|e| panic!("{}: {e}", p.entity));
            assert_eq!(applied, doc(right), "{}", p.entity);
        }
        patches
    }

    #[test]
    fn applying_the_patch_yields_the_right_entity() {
        let left = parse(
            Format::Kubernetes,
            "x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {A: x, B: y}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: one}\n",
        );
        let right = parse(
            Format::Kubernetes,
            "x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {A: z, C: y}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: two}\n",
        );
        let patches = round_trip(&left, &right);
        assert_eq!(patches.len(), 2);
        let text = serde_json::to_string(&patches).unwrap_or_default();
        assert!(!text.contains("one") && !text.contains("two"), "secrets only as fingerprints: {text}");
        assert!(text.contains(r#"{"op":"remove","path":"/data/B"}"#), "{text}");
    }

    #[test]
    fn nested_lists_escaped_keys_spellings_and_whole_entities() {
        let deployment = |cpu: &str, image: &str, extra: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {{a/b~c: x{extra}}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: {image}\n        args: [--a, --b{extra}]\n        resources: {{limits: {{cpu: {cpu}}}}}\n      - name: side\n        image: side:1\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q}}\nspec: {{hard: {{cpu: {cpu}, pods: 10{extra}}}}}\n"
            )
        };
        let left = parse(Format::Kubernetes, "d.yaml", &deployment("1000m", "app:1", ""));
        let right = parse(
            Format::Kubernetes,
            "d.yaml",
            &(deployment("1", "app:2", "2")
                + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\ndata: {k: v}\n"),
        );
        let patches = round_trip(&left, &right);
        let text = serde_json::to_string(&patches).unwrap_or_default();
        assert!(text.contains("/metadata/annotations/a~1b~0c"), "JSON Pointer escaping: {text}");
        // Entities only on one side, both ways.
        round_trip(&right, &left);
        round_trip(&Snapshot::default(), &right);
    }
}
