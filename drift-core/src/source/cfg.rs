//! Generic configuration (`cfg:` entities, DESIGN §5): any YAML, JSON, TOML, INI, Java
//! `.properties` or HCL file that is not one of the specific formats — Helm values, Spring
//! `application-prod.yml`, .NET `appsettings.Production.json`, node-config, `*.tfvars`.
//!
//! A file is one entity, `cfg:<scope>` (the file's path with the environment token removed from
//! its name), whose body is the document as its format defines it: maps by key, scalars typed as
//! the format types them, every field with its line. Lists of named objects (each item has a
//! unique `name`, `id` or `key`) are matched by that field, so a reordered list of named things is
//! not drift; other lists are sequences.

use std::sync::Arc;

use crate::model::{Domain, Entity, EntityId, Field, List, ListKind, Map, Node};

/// Fields that name the items of a list, most specific first (.NET configuration spells them with
/// a capital).
const ITEM_NAMES: &[&str] = &["name", "id", "key", "Name", "Id", "Key"];

/// The entity of a configuration file: its documents (one is the body; several are a sequence).
pub(crate) fn entity(file: &Arc<str>, scope: &str, mut documents: Vec<(Node, u32)>) -> Entity {
    let (body, line) = if documents.len() == 1 {
        documents.pop().unwrap_or((Node::Null, 0))
    } else {
        let line = documents.first().map_or(0, |d| d.1);
        (Node::List(List::sequence(documents.into_iter().map(|d| d.0).collect())), line)
    };
    Entity::new(EntityId::new(Domain::Cfg, scope), file.clone(), line, shape(body, 0))
}

/// Lists of named objects become keyed by their name; everything else keeps its shape.
pub(crate) fn shape(node: Node, depth: usize) -> Node {
    if depth > super::MAX_DEPTH {
        return node;
    }
    match node {
        Node::Map(map) => Node::Map(map.map_values(|_, v| shape(v, depth + 1))),
        Node::List(list) => {
            let items: Vec<Node> = list.into_items().into_iter().map(|i| shape(i, depth + 1)).collect();
            let key = ITEM_NAMES.iter().find(|k| {
                !items.is_empty() && items.iter().all(|i| i.as_map().and_then(|m| m.get(k)).is_some_and(is_scalar))
            });
            let kind = key.map_or(ListKind::Sequence, |k| ListKind::Keyed(Box::new([Box::from(*k)])));
            // Duplicate names: `with_kind` keeps the list a sequence.
            Node::List(List::with_kind(kind, items))
        }
        other => other,
    }
}

fn is_scalar(node: &Node) -> bool {
    matches!(node, Node::String(_) | Node::Number(_) | Node::Bool(_))
}

/// A flat map from `(key, line, value)` triples (INI sections, properties): duplicates reported.
pub(crate) fn flat_map(fields: Vec<Field>) -> (Node, Vec<super::Duplicate>) {
    let (map, duplicates) = Map::from_fields(fields);
    let duplicates =
        duplicates.into_iter().map(|f| super::Duplicate { key: f.key().to_owned(), line: f.line() }).collect();
    (Node::Map(map), duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_items_are_keyed() {
        let item = |name: &str, port: i64| {
            Node::map(vec![
                Field::new("name", 1, Node::string(name)),
                Field::new("port", 1, Node::Number(Box::new(crate::model::Number::from_i64(port)))),
            ])
        };
        let a = shape(Node::List(List::sequence(vec![item("web", 80), item("api", 81)])), 0);
        let b = shape(Node::List(List::sequence(vec![item("api", 81), item("web", 80)])), 0);
        assert_eq!(a, b);
        let plain = shape(Node::List(List::sequence(vec![Node::string("b"), Node::string("a")])), 0);
        assert_eq!(plain.as_list().map(|l| l.kind().clone()), Some(ListKind::Sequence));
    }
}
