//! Property tests of the engine and the parsers: no input makes them panic, an environment never
//! drifts from itself, swapping the sides swaps what was added and removed, and each entity's JSON
//! Patch turns its left document into its right one.

use std::sync::Arc;

use drift_core::{
    ChangeKind, Decimal, Domain, Entity, EntityId, Field, Fingerprinter, Format, List, ListKind, LoadOptions, Node,
    Number, Path, Snapshot,
};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = Node> {
    prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        (-1000i64..1000, 0u32..3).prop_map(|(n, scale)| {
            // The same value written several ways: 5, 5.0, 5.00.
            let text = if scale == 0 { n.to_string() } else { format!("{n}.{}", "0".repeat(scale as usize)) };
            Node::Number(Box::new(Number::parse(&text).unwrap_or_else(|| Number::from_i64(n))))
        }),
        "[a-c]{0,3}".prop_map(Node::string),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::btree_map("[a-e]", inner.clone(), 0..5)
                .prop_map(|m| { Node::map(m.into_iter().map(|(k, v)| Field::new(k, 0, v)).collect()) }),
            prop::collection::vec(leaf(), 0..5).prop_map(|items| Node::List(List::set(items))),
            prop::collection::vec(inner.clone(), 0..5).prop_map(|items| Node::List(List::sequence(items))),
            prop::collection::btree_map("[a-e]", inner.clone(), 0..4).prop_map(|m| {
                let items = m
                    .into_iter()
                    .map(|(name, v)| Node::map(vec![Field::new("name", 0, Node::string(name)), Field::new("v", 0, v)]))
                    .collect();
                Node::List(List::keyed(&["name"], items))
            }),
            // Ordered keyed lists (init containers), in any order of their names.
            (prop::collection::btree_map("[a-e]", inner, 0..4), any::<u64>()).prop_map(|(m, seed)| {
                let mut items: Vec<Node> = m
                    .into_iter()
                    .map(|(name, v)| Node::map(vec![Field::new("name", 0, Node::string(name)), Field::new("v", 0, v)]))
                    .collect();
                let len = items.len().max(1);
                items.rotate_left((seed as usize) % len);
                if seed & 1 == 1 {
                    items.reverse();
                }
                Node::List(List::with_kind(ListKind::OrderedKeyed(Box::new([Box::from("name")])), items))
            }),
        ]
    })
}

/// A tree without sequences: matching is then fully determined, so the diff is exactly symmetric.
fn unordered_node() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::btree_map("[a-e]", inner.clone(), 0..5)
                .prop_map(|m| { Node::map(m.into_iter().map(|(k, v)| Field::new(k, 0, v)).collect()) }),
            prop::collection::vec(leaf(), 0..5).prop_map(|items| Node::List(List::set(items))),
        ]
    })
}

/// `node` with a source line on every map field (as YAML and `.env` sources give).
fn lined_node() -> impl Strategy<Value = Node> {
    node().prop_map(|n| with_lines(n, &mut 1))
}

fn with_lines(node: Node, next: &mut u32) -> Node {
    match node {
        Node::Map(map) => Node::map(
            map.fields()
                .iter()
                .map(|f| {
                    *next += 1;
                    let line = *next;
                    Field::new(f.key(), line, with_lines(f.node().clone(), next))
                })
                .collect(),
        ),
        other => other,
    }
}

/// A set item shaped like a rule: a firewall rule's, a NetworkPolicy rule's or a statement's
/// fields, or others, with values from small alphabets (so that items often look alike).
fn rule_item() -> impl Strategy<Value = Node> {
    let key = prop_oneof![
        Just("protocol"),
        Just("from_port"),
        Just("to_port"),
        Just("cidr_blocks"),
        Just("description"),
        Just("Effect"),
        Just("Action"),
        Just("name"),
        Just("from"),
        Just("ports"),
        Just("x"),
    ];
    let value = prop_oneof![
        leaf(),
        "[a-c ]{0,120}".prop_map(Node::string),
        prop::collection::vec("[0-9./]{1,6}".prop_map(Node::string), 0..12).prop_map(|v| Node::List(List::set(v))),
        prop::collection::vec(
            prop::collection::btree_map(prop_oneof![Just("podSelector"), Just("port"), Just("ipBlock")], leaf(), 1..3)
                .prop_map(|m| Node::map(m.into_iter().map(|(k, v)| Field::new(k, 0, v)).collect())),
            0..3
        )
        .prop_map(|v| Node::List(List::set(v))),
    ];
    prop::collection::btree_map(key, value, 0..6)
        .prop_map(|m| Node::map(m.into_iter().map(|(k, v)| Field::new(k, 0, v)).collect()))
}

fn snapshot(name: &str, entities: Vec<(String, Node)>) -> Snapshot {
    let mut snapshot = Snapshot::new(name);
    for (address, body) in entities {
        let id = EntityId::new(Domain::K8s, address);
        let _ = snapshot.insert(Entity::new(id, Arc::from("x.yaml"), 1, body));
    }
    snapshot
}

fn entities(strategy: impl Strategy<Value = Node>) -> impl Strategy<Value = Vec<(String, Node)>> {
    prop::collection::btree_map("[p-s]", strategy, 0..4).prop_map(|m| m.into_iter().collect())
}

/// `node` with one leaf in `every` changed, one map field in `every` dropped and a field added to
/// one map in `every`: a right side close to the left, as real environments are.
fn perturb(node: &Node, counter: &mut u32, every: u32) -> Node {
    *counter += 1;
    let hit = *counter % every == 0;
    match node {
        Node::Map(map) => {
            let mut fields: Vec<Field> = Vec::new();
            for field in map.fields() {
                *counter += 1;
                if *counter % every == 1 {
                    continue;
                }
                fields.push(Field::new(field.key(), 0, perturb(field.node(), counter, every)));
            }
            if hit {
                fields.push(Field::new("zz", 0, Node::string("new")));
            }
            Node::map(fields)
        }
        Node::Number(_) if hit => Node::Number(Box::new(Number::from_i64(i64::from(*counter) + 5000))),
        Node::String(text) if hit => Node::string(format!("{text}x")),
        Node::Bool(b) if hit => Node::Bool(!b),
        Node::Null if hit => Node::string("was null"),
        other => other.clone(),
    }
}

/// Applies each entity's patch to its left document and compares with its right document.
fn patches_apply(a: &Snapshot, b: &Snapshot) -> Result<(), TestCaseError> {
    for p in drift_core::patches(&drift_core::diff(a, b)) {
        let doc = |s: &Snapshot| s.entity(&p.entity).map(|e| drift_core::value_json(e.body())).unwrap_or_default();
        let mut applied = doc(a);
        prop_assert!(json_patch::patch(&mut applied, &p.patch).is_ok(), "{:?}", p.patch);
        prop_assert_eq!(applied, doc(b));
    }
    Ok(())
}

fn summary(left: &Snapshot, right: &Snapshot) -> Vec<(String, String, ChangeKind)> {
    drift_core::diff(left, right)
        .changes()
        .iter()
        .map(|c| (c.entity().to_string(), c.path().to_string(), c.kind()))
        .collect()
}

proptest! {
    #[test]
    fn an_environment_never_drifts_from_itself(bodies in entities(node())) {
        let a = snapshot("a", bodies.clone());
        let b = snapshot("b", bodies);
        prop_assert!(drift_core::diff(&a, &b).is_empty());
    }

    #[test]
    fn diff_is_deterministic(left in entities(node()), right in entities(node())) {
        let (a, b) = (snapshot("a", left), snapshot("b", right));
        prop_assert_eq!(summary(&a, &b), summary(&a, &b));
    }

    #[test]
    fn swapping_sides_swaps_added_and_removed(left in entities(unordered_node()), right in entities(unordered_node())) {
        let (a, b) = (snapshot("a", left), snapshot("b", right));
        let swap = |kind| match kind {
            ChangeKind::Added => ChangeKind::Removed,
            ChangeKind::Removed => ChangeKind::Added,
            other => other,
        };
        let forward: Vec<_> = summary(&a, &b).into_iter().map(|(e, p, k)| (e, p, swap(k))).collect();
        let mut backward = summary(&b, &a);
        backward.sort_by(|x, y| (&x.0, &x.1, x.2).cmp(&(&y.0, &y.1, y.2)));
        let mut forward = forward;
        forward.sort_by(|x, y| (&x.0, &x.1, x.2).cmp(&(&y.0, &y.1, y.2)));
        prop_assert_eq!(forward, backward);
    }

    #[test]
    fn patches_turn_left_into_right(left in entities(node()), right in entities(node())) {
        let (a, b) = (snapshot("a", left), snapshot("b", right));
        patches_apply(&a, &b)?;
    }

    #[test]
    fn patches_turn_left_into_a_close_right(left in entities(node()), every in 2u32..6) {
        let mut counter = 0;
        let right = left.iter().map(|(k, v)| (k.clone(), perturb(v, &mut counter, every))).collect();
        let (a, b) = (snapshot("a", left), snapshot("b", right));
        patches_apply(&a, &b)?;
    }

    #[test]
    fn snapshots_read_back_as_written(bodies in entities(lined_node())) {
        // Read back and written again: the same bytes (kinds, number texts, lines, keyed lists).
        let options = LoadOptions::new(Fingerprinter::with_key(b"props"));
        let read = |text: &str| {
            drift_core::parse(Format::Snapshot, "staging.json", text.as_bytes(), &options)
                .map_err(|e| TestCaseError::fail(e.to_string()))
        };
        let before = snapshot("staging", bodies);
        let after = read(&drift_core::snapshot_json(&before, &options.fingerprinter))?;
        prop_assert!(drift_core::diff(&before, &after).changes().is_empty());
        let text = drift_core::snapshot_json(&after, &options.fingerprinter);
        prop_assert_eq!(drift_core::snapshot_json(&read(&text)?, &options.fingerprinter), text);
    }

    #[test]
    fn changes_are_sorted(left in entities(node()), right in entities(node())) {
        let (a, b) = (snapshot("a", left), snapshot("b", right));
        let diff = drift_core::diff(&a, &b);
        let keys: Vec<_> = diff.changes().iter().map(|c| (c.entity().clone(), c.path().clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
    }

    #[test]
    fn env_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
        let _ = drift_core::parse(Format::Env, "fuzz.env", &bytes, &options);
    }

    #[test]
    fn env_parser_never_panics_on_text(text in "[A-Z_=\"'`#\\\\ \\n\\r\\t$a-z{}:.-]{0,80}") {
        let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
        let _ = drift_core::parse(Format::Env, "fuzz.env", text.as_bytes(), &options);
    }

    #[test]
    fn json_readers_never_panic(
        format in prop_oneof![Just(Format::Snapshot), Just(Format::Terraform), Just(Format::Flags)],
        tail in "[\\[\\]{}:,\"a-z0-9 .-]{0,120}",
    ) {
        // A valid opening for each reader, then JSON-like noise: the readers must fail cleanly.
        let head = match format {
            Format::Snapshot => "{\"schema\": \"drift/snapshot/v1\", \"entities\": [{\"id\": \"env:.env\", \"body\": ",
            Format::Terraform => "{\"version\": 4, \"terraform_version\": \"1.7.5\", \"resources\": [{\"mode\": \"managed\", \"type\": \"a\", \"name\": \"b\", \"instances\": [{\"attributes\": ",
            _ => "{\"flags\": {\"f\": ",
        };
        let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
        let _ = drift_core::parse(format, "fuzz.json", format!("{head}{tail}").as_bytes(), &options);
    }

    #[test]
    fn set_items_have_unique_labels_that_find_them(items in prop::collection::vec(rule_item(), 1..12)) {
        // Every item removed: one change each, at a path that parses back and finds that item.
        let set = Node::List(List::set(items));
        let left = snapshot("l", vec![("e".to_owned(), Node::map(vec![Field::new("ingress", 0, set.clone())]))]);
        let empty = Node::map(vec![Field::new("ingress", 0, Node::List(List::set(Vec::new())))]);
        let right = snapshot("r", vec![("e".to_owned(), empty)]);
        let diff = drift_core::diff(&left, &right);
        let Node::List(list) = &set else { unreachable!() };
        prop_assert_eq!(diff.changes().len(), list.items().len());
        let body = left.entities().next().map(Entity::body).cloned().unwrap_or(Node::Null);
        let mut seen = std::collections::HashSet::new();
        for change in diff.changes() {
            let text = change.path().to_string();
            prop_assert!(seen.insert(text.clone()), "two items named {}", text);
            let parsed: Path = text.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&parsed, change.path());
            prop_assert_eq!(body.at(&parsed), change.left(), "{}", text);
        }
    }

    #[test]
    fn paths_render_and_parse_back(keys in prop::collection::vec("\\PC{1,8}", 1..5), index in 0usize..100) {
        let mut segments: Vec<drift_core::Segment> =
            keys.into_iter().map(|k| drift_core::Segment::Key(k.into())).collect();
        segments.push(drift_core::Segment::Index(index));
        let path = Path::from_segments(segments);
        let text = path.to_string();
        let parsed: Path = text.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(parsed, path);
    }

    #[test]
    fn decimals_compare_by_value(n in any::<i64>(), shift in 0u32..6) {
        let plain = Decimal::parse(&n.to_string());
        let scaled = Decimal::parse(&format!("{n}{}e-{shift}", "0".repeat(shift as usize)));
        prop_assert_eq!(plain, scaled);
    }
}
