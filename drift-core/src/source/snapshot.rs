//! Saved snapshots (`drift/snapshot/v1`): the normalized model of one environment as JSON, so that
//! last week's environment can be compared with today's files.
//!
//! Values keep their types: strings, booleans and nulls are plain JSON; `{"number": "1.0"}`,
//! `{"quantity": "500m", "value": "0.5"}`, `{"secret": "<fingerprint>"|null}`,
//! `{"map": {…}, "lines": {key: line}}`, `{"seq": […]}`, `{"set": […]}`, `{"keyed": […], "key": ["name"]}`.
//! A snapshot saved without a configured fingerprint key records that each secret exists, not its
//! fingerprint (DESIGN §8).

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{
    Decimal, Entity, EntityId, Field, List, ListKind, Map, Node, Number, Quantity, Secret, SecretHints, Snapshot,
};

use super::LoadOptions;

/// The schema tag of snapshot files.
pub(crate) const SCHEMA: &str = "drift/snapshot/v1";

/// The file's top level, in the order it is written: the schema first, so that a reader can tell a
/// snapshot from its first bytes. Serialized as a stream: a 100 MB state is never copied into a
/// JSON tree.
#[derive(serde::Serialize)]
pub(crate) struct File<'a> {
    schema: &'static str,
    name: &'a str,
    inputs: &'a [String],
    fingerprint_key: Option<&'a str>,
    entities: Entities<'a>,
}

struct Entities<'a>(&'a Snapshot, bool);

#[derive(serde::Serialize)]
struct EntityOut<'a> {
    id: String,
    file: &'a str,
    line: u32,
    body: Out<'a>,
}

/// A node in the snapshot encoding (module docs); `bool`: keep fingerprints.
struct Out<'a>(&'a Node, bool);

impl Serialize for Entities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.entities().map(|e| EntityOut {
            id: e.id().to_string(),
            file: e.file(),
            line: e.line(),
            body: Out(e.body(), self.1),
        }))
    }
}

impl Serialize for Out<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let keep = self.1;
        match self.0 {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::String(s) => serializer.serialize_str(s),
            Node::Number(n) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("number", n.as_str())?;
                map.end()
            }
            Node::Quantity(q) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("quantity", q.as_str())?;
                map.serialize_entry("value", &q.value().to_string())?;
                map.end()
            }
            Node::Secret(secret) => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("secret", &if keep { secret.fingerprint() } else { None })?;
                if let Some(redacted) = secret.redacted() {
                    map.serialize_entry("redacted", redacted)?;
                }
                if secret.hints().empty {
                    map.serialize_entry("empty", &true)?;
                }
                if secret.hints().test_credential {
                    map.serialize_entry("test_credential", &true)?;
                }
                map.end()
            }
            Node::Map(fields) => {
                struct Fields<'a>(&'a crate::model::Map, bool);
                impl Serialize for Fields<'_> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                        serializer.collect_map(self.0.fields().iter().map(|f| (f.key(), Out(f.node(), self.1))))
                    }
                }
                struct Lines<'a>(&'a crate::model::Map);
                impl Serialize for Lines<'_> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                        serializer
                            .collect_map(self.0.fields().iter().filter(|f| f.line() > 0).map(|f| (f.key(), f.line())))
                    }
                }
                let has_lines = fields.fields().iter().any(|f| f.line() > 0);
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("map", &Fields(fields, keep))?;
                if has_lines {
                    map.serialize_entry("lines", &Lines(fields))?;
                }
                map.end()
            }
            Node::List(list) => {
                struct Items<'a>(&'a [Node], bool);
                impl Serialize for Items<'_> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                        serializer.collect_seq(self.0.iter().map(|n| Out(n, self.1)))
                    }
                }
                let items = Items(list.items(), keep);
                let mut map = serializer.serialize_map(None)?;
                match list.kind() {
                    ListKind::Sequence => map.serialize_entry("seq", &items)?,
                    ListKind::Set => map.serialize_entry("set", &items)?,
                    ListKind::Keyed(key) => {
                        map.serialize_entry("keyed", &items)?;
                        map.serialize_entry("key", &key.iter().map(|k| &**k).collect::<Vec<_>>())?;
                    }
                }
                map.end()
            }
        }
    }
}

/// Serializes a snapshot; secrets keep their fingerprints only when `keep_fingerprints`.
pub(crate) fn to_json(snapshot: &Snapshot, keep_fingerprints: bool) -> File<'_> {
    File {
        schema: SCHEMA,
        name: snapshot.name(),
        inputs: snapshot.inputs(),
        fingerprint_key: if keep_fingerprints { snapshot.key_id.as_deref() } else { None },
        entities: Entities(snapshot, keep_fingerprints),
    }
}

/// Reads a snapshot file. Fingerprints made with another key than `options`' are dropped, so such
/// secrets compare as "not comparable" rather than as different.
pub(crate) fn read(origin: &str, bytes: &[u8], options: &LoadOptions) -> Result<Snapshot> {
    let bad = |line: u32, message: String| Error::input(origin, line, format!("invalid drift snapshot: {message}"));
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| bad(u32::try_from(e.line()).unwrap_or(0), e.to_string()))?;
    if value.get("schema").and_then(Value::as_str) != Some(SCHEMA) {
        return Err(bad(1, format!("expected \"schema\": \"{SCHEMA}\"")));
    }
    let current = options.fingerprinter.key_id();
    let keep = options.fingerprinter.is_configured()
        && value.get("fingerprint_key").and_then(Value::as_str) == Some(current.as_str());
    let mut snapshot = Snapshot::new(value.get("name").and_then(Value::as_str).unwrap_or_default());
    snapshot.key_id = Some(current);
    let entities =
        value.get("entities").and_then(Value::as_array).ok_or_else(|| bad(1, "no \"entities\" list".into()))?;
    for (i, entity) in entities.iter().enumerate() {
        let what = |m: &str| bad(0, format!("entity {i}: {m}"));
        let id: EntityId = entity
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| what("no \"id\""))?
            .parse()
            .map_err(|e: String| what(&e))?;
        let file: Arc<str> = entity.get("file").and_then(Value::as_str).unwrap_or(origin).into();
        let line = entity.get("line").and_then(Value::as_u64).and_then(|l| u32::try_from(l).ok()).unwrap_or(0);
        let body = node_from_json(entity.get("body").unwrap_or(&Value::Null), keep, 0).map_err(|m| what(&m))?;
        snapshot.insert(Entity::new(id, file, line, body))?;
    }
    Ok(snapshot)
}

/// Deep enough for any configuration, shallow enough never to exhaust the stack.
const MAX_DEPTH: usize = 200;

fn node_from_json(value: &Value, keep: bool, depth: usize) -> std::result::Result<Node, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    let object = match value {
        Value::Null => return Ok(Node::Null),
        Value::Bool(b) => return Ok(Node::Bool(*b)),
        Value::String(s) => return Ok(Node::string(s.as_str())),
        Value::Object(object) => object,
        other => return Err(format!("unexpected value {other}")),
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    let items = |key: &str| -> std::result::Result<Vec<Node>, String> {
        object
            .get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| format!("`{key}` must be a list"))?
            .iter()
            .map(|v| node_from_json(v, keep, depth + 1))
            .collect()
    };
    if let Some(number) = text("number") {
        return Number::parse(number).map(|n| Node::Number(Box::new(n))).ok_or_else(|| format!("bad number {number}"));
    }
    if let Some(quantity) = text("quantity") {
        let value = text("value").and_then(Decimal::parse).ok_or_else(|| format!("bad quantity {quantity}"))?;
        return Ok(Node::Quantity(Box::new(Quantity::with_value(quantity, value))));
    }
    if object.contains_key("secret") {
        let fingerprint = if keep { text("secret").map(str::to_owned) } else { None };
        let flag = |key: &str| object.get(key).and_then(Value::as_bool).unwrap_or(false);
        let hints = SecretHints { empty: flag("empty"), test_credential: flag("test_credential") };
        return Ok(Node::Secret(Box::new(Secret::new(fingerprint, text("redacted").map(str::to_owned), hints))));
    }
    if let Some(fields) = object.get("map").and_then(Value::as_object) {
        let lines = object.get("lines").and_then(Value::as_object);
        let mut out = Vec::with_capacity(fields.len());
        for (key, value) in fields {
            let line = lines.and_then(|l| l.get(key)).and_then(Value::as_u64).and_then(|l| u32::try_from(l).ok());
            out.push(Field::new(key.as_str(), line.unwrap_or(0), node_from_json(value, keep, depth + 1)?));
        }
        return Ok(Node::Map(Map::from_fields(out).0));
    }
    if object.contains_key("seq") {
        return Ok(Node::List(Box::new(List::sequence(items("seq")?))));
    }
    if object.contains_key("set") {
        return Ok(Node::List(Box::new(List::set(items("set")?))));
    }
    if object.contains_key("keyed") {
        let key: Vec<Box<str>> = object
            .get("key")
            .and_then(Value::as_array)
            .map(|k| k.iter().filter_map(Value::as_str).map(Into::into).collect())
            .unwrap_or_default();
        if key.is_empty() {
            return Err("a keyed list needs a \"key\"".into());
        }
        return Ok(Node::List(Box::new(List::with_kind(ListKind::Keyed(key.into()), items("keyed")?))));
    }
    Err("unknown value encoding".into())
}
