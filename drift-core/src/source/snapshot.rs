//! Saved snapshots (`drift/snapshot/v1`): the normalized model of one environment as JSON, so that
//! last week's environment can be compared with today's files.
//!
//! Values keep their types: strings, booleans and nulls are plain JSON; `{"number": "1.0"}`,
//! `{"quantity": "500m", "value": "0.5"}`, `{"secret": "<fingerprint>"|null}`,
//! `{"map": {…}, "lines": {key: line}}`, `{"seq": […]}`, `{"set": […]}`,
//! `{"keyed": […], "key": ["name"]}` (with `"ordered": true` when the order matters too).
//! A snapshot saved without a configured fingerprint key records that each secret exists, not its
//! fingerprint (DESIGN §8).

use std::sync::Arc;

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use compact_str::CompactString;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

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
    /// The files skipped (with why) and the notes of the saved environment, so a comparison with
    /// the snapshot still says what it left out.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    skipped: &'a [crate::model::Skipped],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [String],
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
                if secret.hints().switch {
                    map.serialize_entry("switch", &true)?;
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
                    ListKind::Keyed(key) | ListKind::OrderedKeyed(key) => {
                        map.serialize_entry("keyed", &items)?;
                        map.serialize_entry("key", &key.iter().map(|k| &**k).collect::<Vec<_>>())?;
                        if matches!(list.kind(), ListKind::OrderedKeyed(_)) {
                            map.serialize_entry("ordered", &true)?;
                        }
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
        skipped: snapshot.skipped(),
        notes: snapshot.notes(),
        entities: Entities(snapshot, keep_fingerprints),
    }
}

/// Reads a snapshot file. Fingerprints made with another key than `options`' are dropped, so such
/// secrets compare as "not comparable" rather than as different.
///
/// Streamed: nodes are built as the JSON is read (no `serde_json::Value` of the whole file), so a
/// snapshot of a 100 MB state reads back in about the time and memory the state itself takes.
pub(crate) fn read(origin: &str, bytes: &[u8], options: &LoadOptions) -> Result<Snapshot> {
    read_with(origin, serde_json::Deserializer::from_slice(bytes), options)
}

/// Reads a snapshot file from a stream, so that a large snapshot is never held whole in memory.
pub(crate) fn read_stream(origin: &str, reader: impl std::io::Read, options: &LoadOptions) -> Result<Snapshot> {
    let reader = std::io::BufReader::with_capacity(1 << 16, reader);
    read_with(origin, serde_json::Deserializer::from_reader(reader), options)
}

fn read_with<'de, R: serde_json::de::Read<'de>>(
    origin: &str,
    mut de: serde_json::Deserializer<R>,
    options: &LoadOptions,
) -> Result<Snapshot> {
    let bad = |line: usize, message: String| {
        Error::input(origin, u32::try_from(line).unwrap_or(0), format!("invalid drift snapshot: {message}"))
    };
    // The readers count nesting themselves (one limit, `MAX_DEPTH` nodes, on input and output
    // alike); serde_json's own limit (128 JSON levels, two per node) would refuse what drift wrote.
    de.disable_recursion_limit();
    let current = options.fingerprinter.key_id();
    let reader = FileSeed { origin, configured: options.fingerprinter.is_configured(), current: &current };
    let file = serde::de::DeserializeSeed::deserialize(reader, &mut de)
        .and_then(|file| de.end().map(|()| file))
        .map_err(|e| bad(e.line(), crate::error::without_values(&e.to_string())))?;
    if file.schema.as_deref() != Some(SCHEMA) {
        return Err(bad(1, format!("expected \"schema\": \"{SCHEMA}\"")));
    }
    let Some(entities) = file.entities else { return Err(bad(1, "no \"entities\" list".into())) };
    let keep = options.fingerprinter.is_configured() && file.fingerprint_key.as_deref() == Some(current.as_str());
    let mut snapshot = Snapshot::new(file.name.unwrap_or_default());
    snapshot.key_id = Some(current);
    snapshot.skipped = file.skipped;
    snapshot.notes = file.notes;
    for entity in entities.items {
        // Fingerprints were kept while reading when the key was not known yet (it comes first in
        // the files drift writes): drop them now if they belong to another key.
        let entity = if keep || !entities.kept { entity } else { entity.map_body(forget_fingerprints) };
        snapshot.insert(entity)?;
    }
    Ok(snapshot)
}

/// The depth every reader accepts: a snapshot reads back whatever drift read.
use super::MAX_DEPTH;

/// A key of the encoding's objects, read without an allocation when short.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Name(CompactString);

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Name, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = Name;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E>(self, v: &str) -> std::result::Result<Name, E> {
                Ok(Name(v.into()))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// What the top level holds once read.
struct FileParts {
    schema: Option<String>,
    name: Option<String>,
    fingerprint_key: Option<String>,
    skipped: Vec<crate::model::Skipped>,
    notes: Vec<String>,
    entities: Option<EntitiesRead>,
}

/// The entities, and whether their fingerprints were kept while reading.
struct EntitiesRead {
    items: Vec<Entity>,
    kept: bool,
}

struct FileSeed<'a> {
    origin: &'a str,
    configured: bool,
    current: &'a str,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = FileParts;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<FileParts, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = FileParts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a drift snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<FileParts, A::Error> {
        let mut parts = FileParts {
            schema: None,
            name: None,
            fingerprint_key: None,
            skipped: Vec::new(),
            notes: Vec::new(),
            entities: None,
        };
        let mut key_seen = false;
        while let Some(key) = map.next_key::<Name>()? {
            match key.0.as_str() {
                "schema" => {
                    let schema: String = map.next_value()?;
                    if schema != SCHEMA {
                        // The input's text on one printable line: control characters escaped.
                        let schema = schema.escape_debug();
                        return Err(de::Error::custom(format!(
                            "schema `{schema}` is not supported (drift reads {SCHEMA})"
                        )));
                    }
                    parts.schema = Some(schema);
                }
                "name" => parts.name = map.next_value()?,
                "skipped" => parts.skipped = map.next_value()?,
                "notes" => parts.notes = map.next_value()?,
                "fingerprint_key" => {
                    parts.fingerprint_key = map.next_value()?;
                    key_seen = true;
                }
                "entities" => {
                    if parts.schema.as_deref() != Some(SCHEMA) {
                        return Err(de::Error::custom(format!("expected \"schema\": \"{SCHEMA}\" first")));
                    }
                    // Known key: keep fingerprints only if they are ours. Unknown yet: keep them
                    // and decide at the end.
                    let keep = self.configured && (!key_seen || parts.fingerprint_key.as_deref() == Some(self.current));
                    let items = map.next_value_seed(EntitiesSeed { origin: self.origin, keep })?;
                    parts.entities = Some(EntitiesRead { items, kept: keep });
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parts)
    }
}

struct EntitiesSeed<'a> {
    origin: &'a str,
    keep: bool,
}

impl<'de> DeserializeSeed<'de> for EntitiesSeed<'_> {
    type Value = Vec<Entity>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Vec<Entity>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntitiesSeed<'_> {
    type Value = Vec<Entity>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of entities")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<Entity>, A::Error> {
        let mut entities = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        // Entities of one input share its file name.
        let mut files: HashSet<Arc<str>> = HashSet::new();
        while let Some(entity) =
            seq.next_element_seed(EntitySeed { seed: &self, index: entities.len(), files: &mut files })?
        {
            entities.push(entity);
        }
        Ok(entities)
    }
}

struct EntitySeed<'s, 'a> {
    seed: &'s EntitiesSeed<'a>,
    index: usize,
    files: &'s mut HashSet<Arc<str>>,
}

impl<'de> DeserializeSeed<'de> for EntitySeed<'_, '_> {
    type Value = Entity;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Entity, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntitySeed<'_, '_> {
    type Value = Entity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an entity")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Entity, A::Error> {
        let what = |m: &str| de::Error::custom(format!("entity {}: {m}", self.index));
        let (mut id, mut file, mut line, mut body) = (None, None, 0u32, None);
        while let Some(key) = map.next_key::<Name>()? {
            match key.0.as_str() {
                "id" => {
                    let text: std::borrow::Cow<'de, str> = map.next_value()?;
                    id = Some(text.parse::<EntityId>().map_err(|e| what(&e))?);
                }
                "file" => {
                    let text: std::borrow::Cow<'de, str> = map.next_value()?;
                    file = Some(match self.files.get(&*text) {
                        Some(known) => known.clone(),
                        None => {
                            let new: Arc<str> = text.into();
                            self.files.insert(new.clone());
                            new
                        }
                    });
                }
                "line" => line = map.next_value::<Option<u32>>()?.unwrap_or(0),
                "body" => body = Some(map.next_value_seed(NodeSeed { keep: self.seed.keep, depth: 0 })?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| what("no \"id\""))?;
        let file = file.unwrap_or_else(|| self.seed.origin.into());
        Ok(Entity::new(id, file, line, body.unwrap_or(Node::Null)))
    }
}

/// Reads one node of the snapshot encoding (module docs).
#[derive(Clone, Copy)]
struct NodeSeed {
    keep: bool,
    depth: usize,
}

impl NodeSeed {
    fn deeper(self) -> NodeSeed {
        NodeSeed { keep: self.keep, depth: self.depth + 1 }
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Node, D::Error> {
        if self.depth > MAX_DEPTH {
            return Err(de::Error::custom(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        deserializer.deserialize_any(self)
    }
}

/// The items of a `seq`, `set` or `keyed` list.
struct ItemsSeed(NodeSeed);

impl<'de> DeserializeSeed<'de> for ItemsSeed {
    type Value = Vec<Node>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Vec<Node>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed {
    type Value = Vec<Node>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<Node>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self.0)? {
            items.push(item);
        }
        Ok(items)
    }
}

/// The fields of a `map`, in file order, without lines yet.
struct FieldsSeed(NodeSeed);

impl<'de> DeserializeSeed<'de> for FieldsSeed {
    type Value = Vec<Field>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Vec<Field>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed {
    type Value = Vec<Field>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Vec<Field>, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(JsonKey(key)) = map.next_key::<JsonKey>()? {
            fields.push(Field::with_key(key, 0, map.next_value_seed(self.0)?));
        }
        Ok(fields)
    }
}

/// The parts of an encoded value, gathered in whatever order the object lists them.
#[derive(Default)]
struct Parts {
    number: Option<String>,
    quantity: Option<String>,
    value: Option<String>,
    secret: Option<Option<String>>,
    redacted: Option<String>,
    empty: bool,
    test_credential: bool,
    switch: bool,
    map: Option<Vec<Field>>,
    lines: Option<BTreeMap<Name, u32>>,
    list: Option<(ListTag, Vec<Node>)>,
    key: Option<Vec<String>>,
    ordered: bool,
}

#[derive(Clone, Copy)]
enum ListTag {
    Seq,
    Set,
    Keyed,
}

impl<'de> Visitor<'de> for NodeSeed {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a snapshot value")
    }

    fn visit_unit<E>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Node, E> {
        Ok(Node::string(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Node, A::Error> {
        let mut parts = Parts::default();
        while let Some(key) = map.next_key::<Name>()? {
            match key.0.as_str() {
                "number" => parts.number = Some(map.next_value()?),
                "quantity" => parts.quantity = Some(map.next_value()?),
                "value" => parts.value = Some(map.next_value()?),
                "secret" => parts.secret = Some(map.next_value()?),
                "redacted" => parts.redacted = map.next_value()?,
                "empty" => parts.empty = map.next_value()?,
                "test_credential" => parts.test_credential = map.next_value()?,
                "switch" => parts.switch = map.next_value()?,
                "map" => parts.map = Some(map.next_value_seed(FieldsSeed(self.deeper()))?),
                "lines" => parts.lines = Some(map.next_value()?),
                "seq" => parts.list = Some((ListTag::Seq, map.next_value_seed(ItemsSeed(self.deeper()))?)),
                "set" => parts.list = Some((ListTag::Set, map.next_value_seed(ItemsSeed(self.deeper()))?)),
                "keyed" => parts.list = Some((ListTag::Keyed, map.next_value_seed(ItemsSeed(self.deeper()))?)),
                "key" => parts.key = Some(map.next_value()?),
                "ordered" => parts.ordered = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        node_from_parts(parts, self.keep).map_err(de::Error::custom)
    }
}

fn node_from_parts(parts: Parts, keep: bool) -> std::result::Result<Node, String> {
    if let Some(number) = parts.number {
        return Number::parse(&number).map(|n| Node::Number(Box::new(n))).ok_or_else(|| "bad number".to_owned());
    }
    if let Some(quantity) = parts.quantity {
        let value = parts.value.as_deref().and_then(Decimal::parse).ok_or_else(|| "bad quantity".to_owned())?;
        return Ok(Node::Quantity(Box::new(Quantity::with_value(&quantity, value))));
    }
    if let Some(fingerprint) = parts.secret {
        let hints = SecretHints { empty: parts.empty, test_credential: parts.test_credential, switch: parts.switch };
        let fingerprint = if keep { fingerprint } else { None };
        return Ok(Node::Secret(Box::new(Secret::new(fingerprint, parts.redacted, hints))));
    }
    if let Some(mut fields) = parts.map {
        if let Some(lines) = parts.lines {
            for field in &mut fields {
                if let Some(&line) = lines.get(field.key()) {
                    field.set_line(line);
                }
            }
        }
        return Ok(Node::Map(Map::from_fields(fields).0));
    }
    match parts.list {
        Some((ListTag::Seq, items)) => Ok(Node::List(List::sequence(items))),
        Some((ListTag::Set, items)) => Ok(Node::List(List::set(items))),
        Some((ListTag::Keyed, items)) => {
            let key: Vec<Box<str>> = parts.key.unwrap_or_default().into_iter().map(Into::into).collect();
            if key.is_empty() {
                return Err("a keyed list needs a \"key\"".into());
            }
            let kind = if parts.ordered { ListKind::OrderedKeyed(key.into()) } else { ListKind::Keyed(key.into()) };
            Ok(Node::List(List::with_kind(kind, items)))
        }
        None => Err("unknown value encoding".into()),
    }
}

/// The same tree with every secret's fingerprint dropped (it was made with another key).
fn forget_fingerprints(node: Node) -> Node {
    match node {
        Node::Secret(secret) => {
            Node::Secret(Box::new(Secret::new(None, secret.redacted().map(str::to_owned), secret.hints())))
        }
        Node::Map(map) => Node::Map(map.map_values(|_, v| forget_fingerprints(v))),
        Node::List(list) => Node::List(list.map_items(|_, item| forget_fingerprints(item))),
        other => other,
    }
}

/// A map key, interned straight from the input's text (no `String` per key when it has no escapes).
struct JsonKey(crate::model::Key);

impl<'de> serde::Deserialize<'de> for JsonKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = JsonKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }

            fn visit_str<E>(self, v: &str) -> std::result::Result<JsonKey, E> {
                Ok(JsonKey(crate::model::Key::new(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
