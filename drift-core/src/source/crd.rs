//! Custom resources compared as their CustomResourceDefinitions say: when an environment holds the
//! CRD of a kind, the lists its schema marks `x-kubernetes-list-type: map` are keyed by their
//! `x-kubernetes-list-map-keys`, and `set` lists are sets (the API server's own list semantics for
//! server-side apply). Without the CRD, a custom resource's lists of named objects are keyed by
//! `name` and other lists are sequences (`k8s.rs`).
//!
//! `atomic` lists are left as read: their order is kept only where `k8s.rs` did not already key
//! them by name.

use std::collections::{BTreeMap, HashMap};

use crate::model::{Domain, Entity, List, ListKind, Map, Node, Snapshot};

/// What a schema says about the lists under one place of a custom resource.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Shape {
    /// The semantics of the list at this place, when the schema gives one.
    list: Option<ListKind>,
    /// Object properties.
    fields: BTreeMap<String, Shape>,
    /// Array items.
    items: Option<Box<Shape>>,
}

impl Shape {
    fn is_empty(&self) -> bool {
        self.list.is_none() && self.fields.is_empty() && self.items.is_none()
    }
}

/// Deep enough for any real schema; a hand-made recursive one stops here.
const MAX_DEPTH: usize = 64;

/// The list semantics of custom resources, by `group/Kind`.
pub(crate) type Shapes = HashMap<String, Shape>;

/// The list semantics of every CRD in `snapshots` (a later snapshot's CRD of a kind wins).
pub(crate) fn shapes(snapshots: &[&Snapshot]) -> Shapes {
    let mut shapes = Shapes::new();
    for snapshot in snapshots {
        for entity in snapshot.entities() {
            if let Some((kind, shape)) = crd_shape(entity) {
                shapes.insert(kind, shape);
            }
        }
    }
    shapes
}

/// Applies `shapes` to the custom resources of `snapshot`.
pub(crate) fn apply(shapes: &Shapes, snapshot: &mut Snapshot) {
    if shapes.is_empty() {
        return;
    }
    for entity in snapshot.entities_mut() {
        if entity.id().domain() != Domain::K8s {
            continue;
        }
        // `group/Kind/namespace/name`: the CRD is found by `group/Kind`.
        let mut parts = entity.id().address().split('/');
        let (Some(group), Some(kind)) = (parts.next(), parts.next()) else { continue };
        if let Some(shape) = shapes.get(&format!("{group}/{kind}")) {
            let body = std::mem::replace(entity.body_mut(), Node::Null);
            *entity.body_mut() = reshape(body, shape);
        }
    }
}

/// The kind (`group/Kind`) a CRD defines and the list semantics of its storage version's schema.
fn crd_shape(entity: &Entity) -> Option<(String, Shape)> {
    if !entity.id().address().starts_with("apiextensions.k8s.io/CustomResourceDefinition/") {
        return None;
    }
    let spec = entity.body().as_map()?.get("spec")?.as_map()?;
    let group = spec.get("group")?.as_str()?;
    // A CRD that claims a built-in kind (`apps/Deployment`) would change how every real one
    // compares; the API server would not accept it either.
    if !super::k8s::is_custom_group(group) {
        return None;
    }
    let kind = spec.get("names")?.as_map()?.get("kind")?.as_str()?;
    // apiextensions.k8s.io/v1: a schema per version (the stored one is what the server keeps);
    // v1beta1 could also give one for all versions under `validation`.
    let versions = spec.get("versions").and_then(Node::as_list).map(List::items).unwrap_or_default();
    let stored = |v: &&Node| v.as_map().and_then(|m| m.get("storage")) == Some(&Node::Bool(true));
    let version = versions.iter().find(stored).or_else(|| versions.first()).and_then(Node::as_map);
    let schema = version
        .and_then(|v| v.get("schema"))
        .or_else(|| spec.get("validation"))?
        .as_map()?
        .get("openAPIV3Schema")?
        .as_map()?;
    let shape = shape_of(schema, 0);
    (!shape.is_empty()).then(|| (format!("{group}/{kind}"), shape))
}

fn shape_of(schema: &Map, depth: usize) -> Shape {
    let mut shape = Shape::default();
    if depth > MAX_DEPTH {
        return shape;
    }
    if let Some(properties) = schema.get("properties").and_then(Node::as_map) {
        for field in properties.fields() {
            if let Some(inner) = field.node().as_map() {
                let child = shape_of(inner, depth + 1);
                if !child.is_empty() {
                    shape.fields.insert(field.key().to_owned(), child);
                }
            }
        }
    }
    if let Some(items) = schema.get("items").and_then(Node::as_map) {
        let child = shape_of(items, depth + 1);
        if !child.is_empty() {
            shape.items = Some(Box::new(child));
        }
    }
    shape.list = match schema.get("x-kubernetes-list-type").and_then(Node::as_str) {
        Some("set") => Some(ListKind::Set),
        Some("map") => {
            let keys: Vec<Box<str>> = schema
                .get("x-kubernetes-list-map-keys")
                .and_then(Node::as_list)
                .map(|l| l.items().iter().filter_map(Node::as_str).map(Box::from).collect())
                .unwrap_or_default();
            (!keys.is_empty()).then(|| ListKind::Keyed(keys.into_boxed_slice()))
        }
        _ => None,
    };
    shape
}

/// The node with the schema's list semantics applied.
fn reshape(node: Node, shape: &Shape) -> Node {
    match node {
        Node::Map(map) if !shape.fields.is_empty() => {
            Node::Map(map.map_values(|key, value| match shape.fields.get(key) {
                Some(child) => reshape(value, child),
                None => value,
            }))
        }
        Node::List(list) => {
            let list = match &shape.items {
                Some(child) => list.map_items(|_, item| reshape(item, child)),
                None => list,
            };
            match &shape.list {
                Some(kind) => Node::List(List::with_kind(kind.clone(), list.into_items())),
                None => Node::List(list),
            }
        }
        other => other,
    }
}
