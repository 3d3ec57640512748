//! JSON read straight into [`Node`]s through serde (no intermediate `serde_json::Value`), for the
//! sources whose inputs are JSON: Terraform states and flag exports.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Result};
use crate::model::key::Key;
use crate::model::{Field, List, Node, Number};

/// A JSON value read straight into a [`Node`] (no intermediate `serde_json::Value`).
pub(crate) struct JsonNode(pub(crate) Node);

impl<'de> Deserialize<'de> for JsonNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor).map(JsonNode)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Node, E> {
        Ok(Node::Number(Box::new(Number::from_i64(v))))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Node, E> {
        Ok(Node::Number(Box::new(Number::from_u64(v))))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Node, E> {
        // Rust prints the shortest text that reads back as the same f64: what was written, for any
        // literal with at most 17 significant digits.
        Ok(match Number::parse(&v.to_string()) {
            Some(n) => Node::Number(Box::new(n)),
            None => Node::string(v.to_string()),
        })
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Node, E> {
        Ok(Node::string(v))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Node, E> {
        Ok(Node::string(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(JsonNode(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(List::sequence(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Node, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((JsonKey(key), JsonNode(value))) = map.next_entry::<JsonKey, JsonNode>()? {
            fields.push(Field::with_key(key, 0, value));
        }
        Ok(Node::map(fields))
    }
}

/// A map key, interned straight from the input's text (no `String` per key when it has no escapes).
pub(crate) struct JsonKey(pub(crate) Key);

impl<'de> Deserialize<'de> for JsonKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = JsonKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<JsonKey, E> {
        Ok(JsonKey(Key::new(v)))
    }
}

/// Parses a JSON document into a node; errors name the file and line.
pub(crate) fn parse(file: &str, bytes: &[u8], what: &str) -> Result<Node> {
    serde_json::from_slice::<JsonNode>(bytes).map(|n| n.0).map_err(|e| {
        Error::input(
            file,
            u32::try_from(e.line()).unwrap_or(0),
            format!("invalid {what}: {}", crate::error::without_values(&e.to_string())),
        )
    })
}
