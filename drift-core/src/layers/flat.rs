//! The flat key model Spring and .NET merge in: every value under its key path (`payment.sandbox`,
//! `Payment:Hosts:0`), merged key by key, then rebuilt into a tree so that paths read as in the
//! files (`payment.sandbox`, `Payment.Hosts[0]`).

use std::collections::BTreeMap;

use crate::model::{Field, List, Map, Node};

/// The start of a name that stands for an item of a list of named objects (`Gateways[Name=x]`):
/// rebuilt as a list, whose items `cfg::shape` keys again.
pub(crate) const ITEM: &str = "\u{1}";

/// One segment of a flat key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seg {
    Name(String),
    Index(usize),
}

/// A value under its key path (as displayed), with its line.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) path: Vec<Seg>,
    pub(crate) node: Node,
    pub(crate) line: u32,
}

/// A tree being rebuilt.
enum Build {
    Leaf(Node),
    Map(BTreeMap<String, (u32, Build)>),
    List(BTreeMap<usize, (u32, Build)>),
}

/// Rebuilds a tree from entries: names become maps, indexes lists in index order. With
/// `numeric_lists`, a map whose names are all numbers is a list too (.NET's `Hosts:0`). Where a
/// value and values below it share a path (`a=1` and `a.b=2` in Spring's flat view), the values
/// below win.
pub(crate) fn rebuild(entries: Vec<Entry>, numeric_lists: bool) -> Node {
    let mut root = Build::Map(BTreeMap::new());
    for entry in entries {
        insert(&mut root, &entry.path, entry.node, entry.line);
    }
    let node = finish(root, numeric_lists, 0);
    crate::source::cfg::shape(node, 0)
}

fn insert(at: &mut Build, path: &[Seg], node: Node, line: u32) {
    let Some((first, rest)) = path.split_first() else {
        if matches!(at, Build::Leaf(_)) || is_empty(at) {
            *at = Build::Leaf(node);
        }
        return;
    };
    let child = match first {
        Seg::Name(name) => {
            if !matches!(at, Build::Map(_)) {
                *at = Build::Map(BTreeMap::new());
            }
            let Build::Map(map) = at else { return };
            map.entry(name.clone()).or_insert_with(|| (line, Build::Map(BTreeMap::new())))
        }
        Seg::Index(i) => {
            if !matches!(at, Build::List(_)) {
                *at = Build::List(BTreeMap::new());
            }
            let Build::List(list) = at else { return };
            list.entry(*i).or_insert_with(|| (line, Build::Map(BTreeMap::new())))
        }
    };
    if rest.is_empty() {
        child.0 = line;
    }
    insert(&mut child.1, rest, node, line);
}

fn is_empty(build: &Build) -> bool {
    match build {
        Build::Map(map) => map.is_empty(),
        Build::List(list) => list.is_empty(),
        Build::Leaf(_) => false,
    }
}

fn finish(build: Build, numeric_lists: bool, depth: usize) -> Node {
    if depth > crate::source::MAX_DEPTH {
        return Node::Null;
    }
    match build {
        Build::Leaf(node) => node,
        Build::List(items) => {
            Node::List(List::sequence(items.into_values().map(|(_, b)| finish(b, numeric_lists, depth + 1)).collect()))
        }
        Build::Map(fields) if !fields.is_empty() && fields.keys().all(|k| k.starts_with(ITEM)) => {
            Node::List(List::sequence(fields.into_values().map(|(_, b)| finish(b, numeric_lists, depth + 1)).collect()))
        }
        Build::Map(fields) => {
            let numeric = numeric_lists && !fields.is_empty() && fields.keys().all(|k| k.parse::<usize>().is_ok());
            if numeric {
                let mut items: Vec<(usize, Node)> = fields
                    .into_iter()
                    .map(|(k, (_, b))| (k.parse().unwrap_or(0), finish(b, numeric_lists, depth + 1)))
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                return Node::List(List::sequence(items.into_iter().map(|(_, n)| n).collect()));
            }
            let fields = fields
                .into_iter()
                .map(|(key, (line, b))| Field::new(key, line, finish(b, numeric_lists, depth + 1)))
                .collect();
            Node::Map(Map::from_fields(fields).0)
        }
    }
}
