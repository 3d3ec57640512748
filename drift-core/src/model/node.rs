//! The typed tree every source produces: scalars compared by meaning, maps without order, and
//! lists that say how their items match (by key, by value, or by position).

use std::cmp::Ordering;
use std::fmt;

use std::sync::{Mutex, PoisonError};

use compact_str::CompactString;
use thin_vec::ThinVec;

use super::decimal::Decimal;
use super::key::Key;
use super::quantity::Quantity;

/// One value of an entity's body.
///
/// Equality and ordering are semantic: numbers and quantities by value, maps without key order,
/// sets and keyed lists without item order (they are stored canonically sorted).
#[derive(Clone, Debug)]
pub enum Node {
    /// An explicit null (or a `.env` key declared without a value).
    Null,
    /// A boolean.
    Bool(bool),
    /// An exact decimal number, with the text as written.
    Number(Box<Number>),
    /// A string (short ones stored inline, without an allocation).
    String(CompactString),
    /// A Kubernetes resource quantity.
    Quantity(Box<Quantity>),
    /// A secret: only a keyed fingerprint of the value is kept.
    Secret(Box<Secret>),
    /// A map with unique keys.
    Map(Map),
    /// A list with keyed, set or sequence semantics.
    List(List),
}

/// A number: the text it was written as (`1.0`, `1e3`), which always parses as a [`Decimal`].
///
/// Only the text is stored (24 bytes, inline for up to 24 characters): a state holds hundreds of
/// thousands of numbers, and most comparisons are between equal texts. The exact value is parsed
/// when two different texts are compared.
#[derive(Clone, Debug)]
pub struct Number {
    text: CompactString,
}

impl Number {
    /// Parses a decimal literal; `None` when the text is not one.
    pub fn parse(text: &str) -> Option<Self> {
        Decimal::parse(text).map(|_| Number { text: text.into() })
    }

    /// A number from the text of a JSON integer (`-?[0-9]+`, any length), which is always a decimal.
    pub(crate) fn from_integer_text(text: &str) -> Self {
        Number { text: text.into() }
    }

    /// A number from an integer.
    pub fn from_i64(value: i64) -> Self {
        Number { text: compact_str::ToCompactString::to_compact_string(&value) }
    }

    /// A number from an unsigned integer.
    pub fn from_u64(value: u64) -> Self {
        Number { text: compact_str::ToCompactString::to_compact_string(&value) }
    }

    /// The exact value.
    pub fn value(&self) -> Decimal {
        // The text was checked when the number was made.
        Decimal::parse(&self.text).unwrap_or_else(Decimal::zero)
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.text == other.text { Ordering::Equal } else { self.value().cmp(&other.value()) }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

/// A secret value, reduced to what may be shown.
///
/// The plain value is never stored. `fingerprint` is a keyed hash that tells equal from different
/// within one report (DESIGN §8); it is `None` when it cannot be compared (a snapshot saved without a
/// configured key). `redacted` is a display form with the credentials removed, for values such as
/// `postgres://app:****@db.internal/app` whose other parts are configuration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Secret {
    fingerprint: Option<Box<str>>,
    redacted: Option<Box<str>>,
    hints: SecretHints,
}

/// Facts about a secret's plain value, computed before it is discarded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretHints {
    /// The value is empty.
    pub empty: bool,
    /// The value starts with a test-mode credential prefix such as `sk_test_`.
    pub test_credential: bool,
    /// The value is a switch word (`true`, `off`, `enabled`): the same in two environments, it is
    /// not a reused credential.
    pub switch: bool,
}

impl Secret {
    /// Builds a secret from its parts (used by sources and snapshot files).
    pub fn new(fingerprint: Option<String>, redacted: Option<String>, hints: SecretHints) -> Self {
        Secret { fingerprint: fingerprint.map(Into::into), redacted: redacted.map(Into::into), hints }
    }

    /// The keyed fingerprint, when comparable.
    pub fn fingerprint(&self) -> Option<&str> {
        self.fingerprint.as_deref()
    }

    /// A display form without credentials, when the value has a non-secret shape (a URL).
    pub fn redacted(&self) -> Option<&str> {
        self.redacted.as_deref()
    }

    /// Facts about the plain value.
    pub fn hints(&self) -> SecretHints {
        self.hints
    }
}

/// One entry of a [`Map`]: a key, the source line where it was written (0 when unknown), a value.
///
/// 40 bytes: keys are interned (one pointer), so a large state's millions of fields cost little
/// more than their values.
#[derive(Clone, Debug)]
pub struct Field {
    key: Key,
    line: u32,
    node: Node,
}

impl Field {
    /// A field; `line` is 1-based, 0 when unknown.
    pub fn new(key: impl AsRef<str>, line: u32, node: Node) -> Self {
        Field { key: Key::new(key.as_ref()), line, node }
    }

    /// A field with an already interned key.
    pub(crate) fn with_key(key: Key, line: u32, node: Node) -> Self {
        Field { key, line, node }
    }

    /// The key.
    pub fn key(&self) -> &str {
        self.key.as_str()
    }

    /// The 1-based source line, 0 when unknown.
    pub fn line(&self) -> u32 {
        self.line
    }

    pub(crate) fn set_line(&mut self, line: u32) {
        self.line = line;
    }

    /// The value, to replace it (the key, and so the map's order, stay).
    pub(crate) fn node_mut(&mut self) -> &mut Node {
        &mut self.node
    }

    /// The value.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The key and a mutable value (the key, and so the map's order, cannot change).
    pub(crate) fn parts_mut(&mut self) -> (&Key, &mut Node) {
        (&self.key, &mut self.node)
    }

    pub(crate) fn into_parts(self) -> (Key, u32, Node) {
        (self.key, self.line, self.node)
    }
}

/// A map: fields sorted by key, keys unique.
#[derive(Clone, Debug, Default)]
pub struct Map {
    fields: Box<[Field]>,
}

impl Map {
    /// Builds a map; the last of several fields with one key wins (the others are returned, in
    /// source order, so that sources can warn about them).
    pub fn from_fields(mut fields: Vec<Field>) -> (Self, Vec<Field>) {
        if !fields.is_sorted_by(|a, b| a.key <= b.key) {
            fields = sorted_by_key(fields);
        }
        let mut duplicates = Vec::new();
        let mut unique: Vec<Field> = Vec::with_capacity(fields.len());
        for field in fields {
            match unique.last_mut() {
                Some(last) if last.key == field.key => duplicates.push(std::mem::replace(last, field)),
                _ => unique.push(field),
            }
        }
        (Map { fields: unique.into_boxed_slice() }, duplicates)
    }

    /// The fields, sorted by key.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The field with this key.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.binary_search_by(|f| f.key.as_str().cmp(key)).ok().map(|i| &self.fields[i])
    }

    /// The value at this key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.field(key).map(Field::node)
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the map has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub(crate) fn into_fields(self) -> Vec<Field> {
        self.fields.into_vec()
    }

    /// The fields, to change values in place.
    pub(crate) fn fields_mut(&mut self) -> &mut [Field] {
        &mut self.fields
    }

    /// The same keys (and lines) with each value replaced by `f(key, value)`.
    pub(crate) fn map_values(self, mut f: impl FnMut(&str, Node) -> Node) -> Map {
        let fields = self
            .fields
            .into_vec()
            .into_iter()
            .map(|field| {
                let Field { key, line, node } = field;
                let node = f(key.as_str(), node);
                Field { key, line, node }
            })
            .collect();
        // Keys are unchanged, so the order (and uniqueness) still holds.
        Map { fields }
    }
}

/// The fields sorted by key, source order kept among equal keys (a stable sort).
///
/// Keys live behind pointers: a large map (a `.env` file of a million names) is sorted through
/// (24-byte key prefix, position) pairs, which compare without touching the key strings unless two
/// keys share their first 24 bytes.
fn sorted_by_key(mut fields: Vec<Field>) -> Vec<Field> {
    if fields.len() <= 64 {
        fields.sort_by(|a, b| a.key.cmp(&b.key));
        return fields;
    }
    let prefix = |key: &str| {
        let mut bytes = [0u8; 24];
        let head = &key.as_bytes()[..key.len().min(24)];
        bytes[..head.len()].copy_from_slice(head);
        bytes
    };
    let mut order: Vec<([u8; 24], usize)> = fields.iter().enumerate().map(|(i, f)| (prefix(f.key()), i)).collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| fields[a.1].key().cmp(fields[b.1].key())).then(a.1.cmp(&b.1))
    });
    let mut slots: Vec<Option<Field>> = fields.into_iter().map(Some).collect();
    order.iter().filter_map(|&(_, i)| slots[i].take()).collect()
}

/// How the items of a list correspond between two environments.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListKind {
    /// Order matters (`args`, `command`): items are aligned, so one insertion is one change.
    Sequence,
    /// Order carries no meaning: items match by value.
    Set,
    /// Items are maps matched by the values of these fields (`containers` by `name`).
    Keyed(Box<[Box<str>]>),
    /// Items are maps matched by these fields, and their order matters too: Kubernetes runs init
    /// containers one after another, and a custom resource's list is ordered unless its CRD says
    /// otherwise. Stored in source order.
    OrderedKeyed(Box<[Box<str>]>),
}

impl ListKind {
    /// The fields that match items, for keyed kinds.
    pub fn key(&self) -> Option<&[Box<str>]> {
        match self {
            ListKind::Keyed(key) | ListKind::OrderedKeyed(key) => Some(key),
            ListKind::Sequence | ListKind::Set => None,
        }
    }
}

/// A list and its semantics; set and keyed items are stored in canonical order.
///
/// 16 bytes, held inline in its [`Node`]: the items are a thin vector (an empty list allocates
/// nothing; a large Terraform state has hundreds of thousands of them) and the kind a reference to
/// one shared copy of each [`ListKind`].
#[derive(Clone, Debug)]
pub struct List {
    items: ThinVec<Node>,
    kind: &'static ListKind,
}

static SEQUENCE: ListKind = ListKind::Sequence;
static SET: ListKind = ListKind::Set;

/// The keyed kinds met so far, one shared copy each: usually a few dozen (the Kubernetes merge
/// keys, the configured ones), kept for the life of the process, found by hash (a snapshot may name
/// thousands).
static KEYED: Mutex<Option<rustc_hash::FxHashSet<&'static ListKind>>> = Mutex::new(None);

/// The shared copy of a kind.
fn shared_kind(kind: ListKind) -> &'static ListKind {
    match kind {
        ListKind::Sequence => &SEQUENCE,
        ListKind::Set => &SET,
        keyed => {
            // A poisoned registry still holds only complete entries: keep using it.
            let mut known = KEYED.lock().unwrap_or_else(PoisonError::into_inner);
            let known = known.get_or_insert_with(Default::default);
            if let Some(&shared) = known.get(&keyed) {
                return shared;
            }
            let shared: &'static ListKind = Box::leak(Box::new(keyed));
            known.insert(shared);
            shared
        }
    }
}

impl List {
    /// An ordered list.
    pub fn sequence(items: Vec<Node>) -> Self {
        List { kind: &SEQUENCE, items: ThinVec::from(items) }
    }

    /// An unordered list of values (duplicates are kept: it is a multiset).
    pub fn set(mut items: Vec<Node>) -> Self {
        items.sort();
        List { kind: &SET, items: ThinVec::from(items) }
    }

    /// A list of maps matched by the given key fields. When an item is not a map or two items share
    /// a key, there is no identity to match by and the list stays a sequence.
    pub fn keyed(key: &[&str], items: Vec<Node>) -> Self {
        let key: Box<[Box<str>]> = key.iter().map(|k| Box::<str>::from(*k)).collect();
        Self::with_kind(ListKind::Keyed(key), items)
    }

    /// A list of the given kind (items are put in canonical order).
    pub fn with_kind(kind: ListKind, mut items: Vec<Node>) -> Self {
        match &kind {
            ListKind::Sequence => Self::sequence(items),
            ListKind::Set => Self::set(items),
            ListKind::Keyed(key) => {
                if !items.iter().all(|item| matches!(item, Node::Map(_))) {
                    return Self::sequence(items);
                }
                let mut order: Vec<usize> = (0..items.len()).collect();
                order.sort_by(|&a, &b| compare_keys(key, &items[a], &items[b]));
                let unique = order.windows(2).all(|w| compare_keys(key, &items[w[0]], &items[w[1]]) != Ordering::Equal);
                if !unique {
                    return Self::sequence(items);
                }
                items.sort_by(|a, b| compare_keys(key, a, b));
                List { kind: shared_kind(kind), items: ThinVec::from(items) }
            }
            ListKind::OrderedKeyed(key) => {
                let mut sorted: Vec<&Node> = items.iter().collect();
                sorted.sort_by(|a, b| compare_keys(key, a, b));
                let unique = sorted.windows(2).all(|w| compare_keys(key, w[0], w[1]) != Ordering::Equal);
                if !unique || !items.iter().all(|item| matches!(item, Node::Map(_))) {
                    return Self::sequence(items);
                }
                List { kind: shared_kind(kind), items: ThinVec::from(items) }
            }
        }
    }

    /// The semantics.
    pub fn kind(&self) -> &ListKind {
        self.kind
    }

    /// The items (canonical order for sets and keyed lists, source order for sequences).
    pub fn items(&self) -> &[Node] {
        &self.items
    }

    /// The items, to change in place; call [`List::recanonicalize`] after a change that may move
    /// an item in a set's or keyed list's order.
    pub(crate) fn items_mut(&mut self) -> &mut [Node] {
        &mut self.items
    }

    /// Puts the items back in canonical order after they changed in place.
    pub(crate) fn recanonicalize(&mut self) {
        if !matches!(self.kind, ListKind::Sequence) {
            let list = std::mem::replace(self, List::sequence(Vec::new()));
            *self = list.map_items(|_, item| item);
        }
    }

    pub(crate) fn into_items(self) -> Vec<Node> {
        self.items.into_iter().collect()
    }

    /// The same kind of list with each item replaced by `f(index, item)` (re-sorted when the kind
    /// orders its items).
    pub(crate) fn map_items(self, mut f: impl FnMut(usize, Node) -> Node) -> List {
        let List { kind, items } = self;
        let items: Vec<Node> = items.into_iter().enumerate().map(|(i, item)| f(i, item)).collect();
        match kind {
            ListKind::Sequence => List::sequence(items),
            ListKind::Set => List::set(items),
            ListKind::Keyed(_) | ListKind::OrderedKeyed(_) => List::with_kind(kind.clone(), items),
        }
    }
}

/// Compares two keyed-list items by their key fields (a missing field sorts first).
pub(crate) fn compare_keys(key: &[Box<str>], a: &Node, b: &Node) -> Ordering {
    for field in key {
        let ordering = key_value(a, field).cmp(&key_value(b, field));
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

pub(crate) fn key_value<'a>(item: &'a Node, field: &str) -> Option<&'a Node> {
    match item {
        Node::Map(map) => map.get(field),
        _ => None,
    }
}

impl Node {
    /// Whether this is a map.
    pub(crate) fn is_map(&self) -> bool {
        matches!(self, Node::Map(_))
    }

    /// A string node.
    pub fn string(value: impl Into<CompactString>) -> Self {
        Node::String(value.into())
    }

    /// A map node from fields (duplicates: last wins).
    pub fn map(fields: Vec<Field>) -> Self {
        Node::Map(Map::from_fields(fields).0)
    }

    /// The string, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// The map, when this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Node::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The list, when this is a list.
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Node::List(list) => Some(list),
            _ => None,
        }
    }

    /// The secret, when this is a secret.
    pub fn as_secret(&self) -> Option<&Secret> {
        match self {
            Node::Secret(secret) => Some(secret),
            _ => None,
        }
    }

    /// Whether the node holds a secret anywhere inside.
    pub fn contains_secret(&self) -> bool {
        match self {
            Node::Secret(_) => true,
            Node::Map(map) => map.fields().iter().any(|f| f.node().contains_secret()),
            Node::List(list) => list.items().iter().any(Node::contains_secret),
            _ => false,
        }
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "bool",
            Node::Number(_) => "number",
            Node::String(_) => "string",
            Node::Quantity(_) => "quantity",
            Node::Secret(_) => "secret",
            Node::Map(_) => "map",
            Node::List(_) => "list",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Node::Null => 0,
            Node::Bool(_) => 1,
            Node::Number(_) => 2,
            Node::String(_) => 3,
            Node::Quantity(_) => 4,
            Node::Secret(_) => 5,
            Node::Map(_) => 6,
            Node::List(_) => 7,
        }
    }
}

impl Ord for Node {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Node::Null, Node::Null) => Ordering::Equal,
            (Node::Bool(a), Node::Bool(b)) => a.cmp(b),
            (Node::Number(a), Node::Number(b)) => a.cmp(b),
            (Node::String(a), Node::String(b)) => a.cmp(b),
            (Node::Quantity(a), Node::Quantity(b)) => a.value().cmp(b.value()),
            (Node::Secret(a), Node::Secret(b)) => a.cmp(b),
            (Node::Map(a), Node::Map(b)) => {
                let pairs = a.fields().iter().zip(b.fields().iter());
                for (x, y) in pairs {
                    let ordering = x.key.cmp(&y.key).then_with(|| x.node.cmp(&y.node));
                    if ordering != Ordering::Equal {
                        return ordering;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Node::List(a), Node::List(b)) => a.kind.cmp(b.kind).then_with(|| a.items.cmp(&b.items)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Node {}

/// A one-line rendering for messages and paths; secrets show their fingerprint only.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Null => f.write_str("null"),
            Node::Bool(b) => write!(f, "{b}"),
            Node::Number(n) => f.write_str(n.as_str()),
            Node::String(s) => f.write_str(s),
            Node::Quantity(q) => f.write_str(q.as_str()),
            Node::Secret(secret) => match (secret.redacted(), secret.fingerprint()) {
                (Some(redacted), Some(fp)) => write!(f, "{redacted} (secret {fp})"),
                (Some(redacted), None) => write!(f, "{redacted} (secret)"),
                (None, Some(fp)) => write!(f, "secret:{fp}"),
                (None, None) => f.write_str("secret:?"),
            },
            Node::Map(map) => {
                f.write_str("{")?;
                for (i, field) in map.fields().iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{}: {}", field.key(), Quoted(field.node()))?;
                }
                f.write_str("}")
            }
            Node::List(list) => {
                f.write_str("[")?;
                for (i, item) in list.items().iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{}", Quoted(item))?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Renders strings quoted inside maps and lists, so `["a, b"]` and `["a", "b"]` read differently.
struct Quoted<'a>(&'a Node);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Node::String(s) => write!(f, "{s:?}"),
            node => write!(f, "{node}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Node {
        Node::Number(Box::new(Number::parse(text).unwrap_or_else(|| panic!("{text}"))))
    }

    fn item(name: &str, value: &str) -> Node {
        Node::map(vec![Field::new("name", 1, Node::string(name)), Field::new("value", 2, Node::string(value))])
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(num("1.0"), num("1"));
        assert_ne!(num("1"), Node::string("1"));
    }

    #[test]
    fn sets_ignore_order() {
        let a = List::set(vec![Node::string("b"), Node::string("a")]);
        let b = List::set(vec![Node::string("a"), Node::string("b")]);
        assert_eq!(Node::List(a), Node::List(b));
    }

    #[test]
    fn keyed_lists_ignore_order_and_fall_back_on_duplicates() {
        let a = List::keyed(&["name"], vec![item("b", "1"), item("a", "2")]);
        let b = List::keyed(&["name"], vec![item("a", "2"), item("b", "1")]);
        assert_eq!(Node::List(a), Node::List(b));
        let dup = List::keyed(&["name"], vec![item("a", "1"), item("a", "2")]);
        assert_eq!(dup.kind(), &ListKind::Sequence);
    }

    #[test]
    fn large_maps_sort_like_a_stable_sort_by_key() {
        // Long shared prefixes (ties in the first 24 bytes), short keys, and duplicates.
        let keys: Vec<String> = (0..300)
            .map(|i| match i % 3 {
                0 => format!("SERVICE_CONFIGURATION_VALUE_{}", (i * 7919) % 101),
                1 => format!("K{}", (i * 31) % 57),
                _ => format!("K{}\u{0}", (i * 13) % 5),
            })
            .collect();
        let fields = keys.iter().enumerate().map(|(line, k)| Field::new(k, line as u32 + 1, Node::Null)).collect();
        let mut expected: Vec<(&str, u32)> = keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32 + 1)).collect();
        expected.sort_by(|a, b| a.0.cmp(b.0)); // stable
        let (map, duplicates) = Map::from_fields(fields);
        let mut got: Vec<(&str, u32)> = map.fields().iter().map(|f| (f.key(), f.line())).collect();
        got.extend(duplicates.iter().map(|f| (f.key(), f.line())));
        got.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        assert_eq!(got, expected);
        // The last of equal keys wins.
        for field in map.fields() {
            let last = expected.iter().filter(|(k, _)| *k == field.key()).map(|(_, l)| *l).max();
            assert_eq!(Some(field.line()), last, "{}", field.key());
        }
    }

    #[test]
    fn duplicate_map_keys_last_wins() {
        let (map, dups) =
            Map::from_fields(vec![Field::new("A", 1, Node::string("one")), Field::new("A", 2, Node::string("two"))]);
        assert_eq!(map.get("A"), Some(&Node::string("two")));
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].line(), 1);
    }
}
