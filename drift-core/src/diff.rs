//! The diff engine: two snapshots in, raw changes out. It knows nothing of formats and holds no
//! opinion; deciding what a change means is the policy's job.
//!
//! Entities match by identity, map fields by key, keyed-list items by their key fields, set items by
//! value, and sequence items by alignment (Myers), so that one insertion is one change.

use std::cmp::Ordering;

use rayon::prelude::*;
use similar::DiffOp;
use similar::algorithms::{Capture, DiffHook, Replace, myers};

use crate::label;
use crate::model::node::compare_keys;
use crate::model::{Entity, EntityId, ListKind, Location, Node, Snapshot};
use crate::path::{Path, Segment};

/// One step of a merge of two sequences sorted by the same order.
pub(crate) enum Joined<T> {
    /// Only in the left sequence.
    Left(T),
    /// Only in the right sequence.
    Right(T),
    /// In both.
    Both(T, T),
}

/// Merges two sorted slices: the one walk behind entities, map fields, keyed lists and sets (and
/// the patch's map walk). Indices rather than peekable iterators: this is the engine's hot loop.
pub(crate) fn merge_join<'a, T>(
    left: &'a [T],
    right: &'a [T],
    mut order: impl FnMut(&T, &T) -> Ordering,
) -> impl Iterator<Item = Joined<&'a T>> {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let joined = match (left.get(i), right.get(j)) {
            (None, None) => return None,
            (Some(l), None) => Joined::Left(l),
            (None, Some(r)) => Joined::Right(r),
            (Some(l), Some(r)) => match order(l, r) {
                Ordering::Less => Joined::Left(l),
                Ordering::Greater => Joined::Right(r),
                Ordering::Equal => Joined::Both(l, r),
            },
        };
        match joined {
            Joined::Left(_) => i += 1,
            Joined::Right(_) => j += 1,
            Joined::Both(..) => (i, j) = (i + 1, j + 1),
        }
        Some(joined)
    })
}

/// What happened at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// Only in the right environment.
    Added,
    /// Only in the left environment.
    Removed,
    /// In both, with different values.
    Changed,
    /// Secrets on both sides whose fingerprints cannot be compared (a snapshot saved without a
    /// configured fingerprint key, or with another key).
    Incomparable,
    /// A list whose order matters (init containers) has its common items in another order; the
    /// change's values are the two lists.
    Reordered,
}

/// One raw difference between the two snapshots.
#[derive(Clone, Debug)]
pub struct Change<'a> {
    entity: &'a EntityId,
    path: Path,
    kind: ChangeKind,
    left: Option<&'a Node>,
    right: Option<&'a Node>,
    left_location: Option<Location>,
    right_location: Option<Location>,
}

impl<'a> Change<'a> {
    /// The entity.
    pub fn entity(&self) -> &'a EntityId {
        self.entity
    }

    /// The path inside the entity (empty when the whole entity was added or removed).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What happened.
    pub fn kind(&self) -> ChangeKind {
        self.kind
    }

    /// The left value, absent when added.
    pub fn left(&self) -> Option<&'a Node> {
        self.left
    }

    /// The right value, absent when removed.
    pub fn right(&self) -> Option<&'a Node> {
        self.right
    }

    /// Where the left value is (or, when added, where its parent is in the left environment).
    pub fn left_location(&self) -> Option<&Location> {
        self.left_location.as_ref()
    }

    /// Where the right value is (or, when removed, where its parent is in the right environment).
    pub fn right_location(&self) -> Option<&Location> {
        self.right_location.as_ref()
    }
}

/// The same secret value at the same place in both environments.
#[derive(Clone, Debug)]
pub struct SharedSecret<'a> {
    /// The entity.
    pub entity: &'a EntityId,
    /// The path inside it.
    pub path: Path,
    /// The secret (either side's: they are equal).
    pub secret: &'a Node,
    /// Where it is on the left.
    pub left_location: Location,
    /// Where it is on the right.
    pub right_location: Location,
}

/// The raw differences between two snapshots, sorted by entity and path.
#[derive(Clone, Debug)]
pub struct Diff<'a> {
    left: &'a Snapshot,
    right: &'a Snapshot,
    changes: Vec<Change<'a>>,
    shared_secrets: Vec<SharedSecret<'a>>,
    notes: Vec<String>,
}

impl<'a> Diff<'a> {
    /// The left snapshot.
    pub fn left(&self) -> &'a Snapshot {
        self.left
    }

    /// The right snapshot.
    pub fn right(&self) -> &'a Snapshot {
        self.right
    }

    /// The changes, sorted by entity, then path.
    pub fn changes(&self) -> &[Change<'a>] {
        &self.changes
    }

    /// Secrets with the same value on both sides, sorted by entity, then path.
    pub fn shared_secrets(&self) -> &[SharedSecret<'a>] {
        &self.shared_secrets
    }

    /// What the reader of a report must know about how the comparison was made (a sequence too
    /// different to align within the budget was compared position by position).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Whether the two snapshots are semantically equal.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares two snapshots.
///
/// ```
/// let fp = drift_core::Fingerprinter::with_key(b"doc");
/// let options = drift_core::LoadOptions::new(fp);
/// let a = drift_core::parse(drift_core::Format::Env, "a/.env", b"PORT=80\nHOST=x\n", &options)?;
/// let b = drift_core::parse(drift_core::Format::Env, "b/.env", b"HOST=x\nPORT=8080\n", &options)?;
/// let diff = drift_core::diff(&a, &b);
/// assert_eq!(diff.changes().len(), 1);
/// assert_eq!(diff.changes()[0].path().to_string(), "PORT");
/// # Ok::<(), drift_core::Error>(())
/// ```
pub fn diff<'a>(left: &'a Snapshot, right: &'a Snapshot) -> Diff<'a> {
    let comparable_secrets = left.key_id == right.key_id;
    // Match entities by identity (a merge of two sorted maps), then compare the pairs in parallel:
    // comparing is bound by memory latency, so two cores nearly halve it.
    let (lefts, rights): (Vec<&'a Entity>, Vec<&'a Entity>) =
        (left.entities.values().collect(), right.entities.values().collect());
    let pairs: Vec<(Option<&'a Entity>, Option<&'a Entity>)> = merge_join(&lefts, &rights, |l, r| l.id().cmp(r.id()))
        .map(|joined| match joined {
            Joined::Left(&l) => (Some(l), None),
            Joined::Right(&r) => (None, Some(r)),
            Joined::Both(&l, &r) => (Some(l), Some(r)),
        })
        .collect();
    let (mut changes, mut shared_secrets, mut notes) = pairs
        .par_iter()
        .with_min_len(256)
        .fold(
            || (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
            |(mut changes, mut shared, mut notes, stack), pair| {
                let stack = match *pair {
                    (Some(l), None) => {
                        changes.push(whole(l, ChangeKind::Removed));
                        stack
                    }
                    (None, Some(r)) => {
                        changes.push(whole(r, ChangeKind::Added));
                        stack
                    }
                    (Some(l), Some(r)) => {
                        let mut walker = Walker {
                            left: l,
                            right: r,
                            stack,
                            labels: Vec::new(),
                            comparable_secrets,
                            changes: &mut changes,
                            shared: &mut shared,
                            notes: &mut notes,
                        };
                        walker.node(l.body(), r.body(), 0, 0);
                        walker.stack
                    }
                    (None, None) => stack,
                };
                (changes, shared, notes, stack)
            },
        )
        .map(|(changes, shared, notes, _)| (changes, shared, notes))
        .reduce(
            || (Vec::new(), Vec::new(), Vec::new()),
            |(mut changes, mut shared, mut notes), (more_changes, more_shared, more_notes)| {
                changes.extend(more_changes);
                shared.extend(more_shared);
                notes.extend(more_notes);
                (changes, shared, notes)
            },
        );
    changes.sort_by(|a, b| (a.entity, &a.path, a.kind).cmp(&(b.entity, &b.path, b.kind)));
    shared_secrets.sort_by(|a, b| (a.entity, &a.path).cmp(&(b.entity, &b.path)));
    notes.sort();
    Diff { left, right, changes, shared_secrets, notes }
}

fn whole(entity: &Entity, kind: ChangeKind) -> Change<'_> {
    let (left, right) = match kind {
        ChangeKind::Removed => (Some(entity), None),
        _ => (None, Some(entity)),
    };
    Change {
        entity: entity.id(),
        path: Path::root(),
        kind,
        left: left.map(Entity::body),
        right: right.map(Entity::body),
        left_location: left.map(|e| e.location(0)),
        right_location: right.map(|e| e.location(0)),
    }
}

/// A path segment that borrows from the tree; rendered only when a change is recorded.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
    Keyed(&'a [Box<str>], &'a Node),
    /// A set item, by its label in the walker's `labels`.
    Member(usize),
}

struct Walker<'a, 'w> {
    left: &'a Entity,
    right: &'a Entity,
    stack: Vec<Step<'a>>,
    /// The labels of the set items on the stack.
    labels: Vec<String>,
    comparable_secrets: bool,
    changes: &'w mut Vec<Change<'a>>,
    shared: &'w mut Vec<SharedSecret<'a>>,
    notes: &'w mut Vec<String>,
}

impl<'a> Walker<'a, '_> {
    fn path(&self) -> Path {
        Path::from_segments(self.stack.iter().map(|step| self.render(*step)).collect())
    }

    fn render(&self, step: Step<'_>) -> Segment {
        match step {
            Step::Key(key) => Segment::Key(key.into()),
            Step::Index(index) => Segment::Index(index),
            Step::Keyed(key, item) => Segment::Keyed(label::keyed_text(key, item).into()),
            Step::Member(i) => Segment::Member(self.labels.get(i).map_or("", String::as_str).into()),
        }
    }

    /// The name of the list being walked (`ingress`), for its items' labels.
    fn list_key(&self) -> &'a str {
        match self.stack.last() {
            Some(Step::Key(key)) => key,
            _ => "",
        }
    }

    fn record(&mut self, kind: ChangeKind, left: Option<&'a Node>, right: Option<&'a Node>, lines: (u32, u32)) {
        self.changes.push(Change {
            entity: self.left.id(),
            path: self.path(),
            kind,
            left,
            right,
            left_location: Some(self.left.location(lines.0)),
            right_location: Some(self.right.location(lines.1)),
        });
    }

    fn within(&mut self, step: Step<'a>, l: &'a Node, r: &'a Node, lines: (u32, u32)) {
        self.stack.push(step);
        self.node(l, r, lines.0, lines.1);
        self.stack.pop();
    }

    fn only(&mut self, step: Step<'a>, kind: ChangeKind, node: &'a Node, lines: (u32, u32)) {
        self.stack.push(step);
        let (l, r) = if kind == ChangeKind::Removed { (Some(node), None) } else { (None, Some(node)) };
        self.record(kind, l, r, lines);
        self.stack.pop();
    }

    fn node(&mut self, l: &'a Node, r: &'a Node, ll: u32, rl: u32) {
        match (l, r) {
            (Node::Map(a), Node::Map(b)) => {
                for joined in merge_join(a.fields(), b.fields(), |x, y| x.key().cmp(y.key())) {
                    match joined {
                        Joined::Both(x, y) => {
                            self.within(Step::Key(x.key()), x.node(), y.node(), (x.line(), y.line()));
                        }
                        Joined::Left(x) => {
                            self.only(Step::Key(x.key()), ChangeKind::Removed, x.node(), (x.line(), rl));
                        }
                        Joined::Right(y) => {
                            self.only(Step::Key(y.key()), ChangeKind::Added, y.node(), (ll, y.line()));
                        }
                    }
                }
            }
            (Node::List(a), Node::List(b)) => match (a.kind(), b.kind()) {
                (ListKind::Keyed(ka), ListKind::Keyed(kb)) if ka == kb => {
                    let (a, b): (Vec<&Node>, Vec<&Node>) = (a.items().iter().collect(), b.items().iter().collect());
                    self.keyed(ka, &a, &b, (ll, rl));
                }
                (ListKind::OrderedKeyed(ka), ListKind::OrderedKeyed(kb)) if ka == kb => {
                    let sorted = |items: &'a [Node]| {
                        let mut sorted: Vec<&'a Node> = items.iter().collect();
                        sorted.sort_by(|x, y| compare_keys(ka, x, y));
                        sorted
                    };
                    let (sa, sb) = (sorted(a.items()), sorted(b.items()));
                    self.keyed(ka, &sa, &sb, (ll, rl));
                    // The items both sides have, each in its side's order.
                    let common = |items: &'a [Node], other: &[&Node]| -> Vec<&'a Node> {
                        let found = |x: &Node| other.binary_search_by(|y| compare_keys(ka, y, x)).is_ok();
                        items.iter().filter(|x| found(x)).collect()
                    };
                    let (ca, cb) = (common(a.items(), &sb), common(b.items(), &sa));
                    if ca.iter().zip(&cb).any(|(x, y)| compare_keys(ka, x, y) != std::cmp::Ordering::Equal) {
                        self.record(ChangeKind::Reordered, Some(l), Some(r), (ll, rl));
                    }
                }
                (ListKind::Set, ListKind::Set) => {
                    let (a, b): (Vec<&Node>, Vec<&Node>) = (a.items().iter().collect(), b.items().iter().collect());
                    self.set(&a, &b, (ll, rl));
                }
                // Unordered on both sides but not alike (statements keyed by `Sid` on one side, a
                // set on the other, where a statement has none): compared as sets, by value.
                (ListKind::Set | ListKind::Keyed(_), ListKind::Set | ListKind::Keyed(_)) => {
                    let sorted = |items: &'a [Node]| {
                        let mut sorted: Vec<&'a Node> = items.iter().collect();
                        sorted.sort();
                        sorted
                    };
                    self.set(&sorted(a.items()), &sorted(b.items()), (ll, rl));
                }
                _ => self.sequence(a.items(), b.items(), (ll, rl)),
            },
            (Node::Secret(a), Node::Secret(b)) => match (a.fingerprint(), b.fingerprint()) {
                (Some(x), Some(y)) if self.comparable_secrets => {
                    if x == y {
                        self.shared.push(SharedSecret {
                            entity: self.left.id(),
                            path: self.path(),
                            secret: l,
                            left_location: self.left.location(ll),
                            right_location: self.right.location(rl),
                        });
                    } else {
                        self.record(ChangeKind::Changed, Some(l), Some(r), (ll, rl));
                    }
                }
                _ => self.record(ChangeKind::Incomparable, Some(l), Some(r), (ll, rl)),
            },
            _ => {
                if l != r {
                    self.record(ChangeKind::Changed, Some(l), Some(r), (ll, rl));
                }
            }
        }
    }

    /// Records every item of `items[range]` as added or removed at its index.
    fn run(&mut self, kind: ChangeKind, items: &'a [Node], range: std::ops::Range<usize>, lines: (u32, u32)) {
        let start = range.start;
        for (k, item) in items[range].iter().enumerate() {
            self.only(Step::Index(start + k), kind, item, lines);
        }
    }

    /// Matches items by key; `a` and `b` are sorted by it.
    fn keyed(&mut self, key: &'a [Box<str>], a: &[&'a Node], b: &[&'a Node], lines: (u32, u32)) {
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        for joined in merge_join(a, b, |x, y| compare_keys(key, x, y)) {
            match joined {
                Joined::Both(&x, &y) => self.within(Step::Keyed(key, x), x, y, lines),
                Joined::Left(&x) => removed.push(x),
                Joined::Right(&y) => added.push(y),
            }
        }
        // A composite key (`containerPort`+`protocol`) or a path-like one (`mountPath`) can itself
        // change; an item whose key changed but whose other fields mostly did not is that item,
        // changed. Items keyed by `name` alone are different items.
        let pairable = !(key.len() == 1 && &*key[0] == "name");
        let pairs = if pairable { pair_similar(&removed, &added) } else { Vec::new() };
        for (k, item) in removed.iter().enumerate() {
            match pairs.iter().find(|(r, _)| *r == k) {
                // Named as the right side has it, like a changed set item.
                Some(&(_, m)) => self.within(Step::Keyed(key, added[m]), item, added[m], lines),
                None => self.only(Step::Keyed(key, item), ChangeKind::Removed, item, lines),
            }
        }
        for (m, item) in added.iter().enumerate() {
            if !pairs.iter().any(|(_, p)| *p == m) {
                self.only(Step::Keyed(key, item), ChangeKind::Added, item, lines);
            }
        }
    }

    /// Matches items by value; `a` and `b` are sorted.
    fn set(&mut self, a: &[&'a Node], b: &[&'a Node], lines: (u32, u32)) {
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        let (mut i, mut j) = (0, 0);
        let (mut left_labels, mut right_labels) = (None, None);
        let list_key = self.list_key();
        for joined in merge_join(a, b, |x, y| x.cmp(y)) {
            match joined {
                Joined::Both(x, y) => {
                    if x.contains_secret() {
                        let step = self.member(&mut left_labels, a, i, list_key);
                        self.within(step, x, y, lines);
                        self.labels.pop();
                    }
                    (i, j) = (i + 1, j + 1);
                }
                Joined::Left(_) => {
                    removed.push(i);
                    i += 1;
                }
                Joined::Right(_) => {
                    added.push(j);
                    j += 1;
                }
            }
        }
        // A member that changed in one field (a toleration's seconds, a rule's port) is that member,
        // changed: pair it with its most similar counterpart and compare the two. Scalars have no
        // parts, so a different scalar is a different member.
        let (gone, new): (Vec<&Node>, Vec<&Node>) =
            (removed.iter().map(|&i| a[i]).collect(), added.iter().map(|&j| b[j]).collect());
        let pairs = pair_similar(&gone, &new);
        // A changed member is named as the right side has it (as a guard on it is).
        for (k, &index) in removed.iter().enumerate() {
            match pairs.iter().find(|(r, _)| *r == k) {
                Some(&(_, m)) => {
                    let step = self.member(&mut right_labels, b, added[m], list_key);
                    self.within(step, a[index], new[m], lines);
                }
                None => {
                    let step = self.member(&mut left_labels, a, index, list_key);
                    self.only(step, ChangeKind::Removed, a[index], lines);
                }
            }
            self.labels.pop();
        }
        for (m, &index) in added.iter().enumerate() {
            if !pairs.iter().any(|(_, p)| *p == m) {
                let step = self.member(&mut right_labels, b, index, list_key);
                self.only(step, ChangeKind::Added, b[index], lines);
                self.labels.pop();
            }
        }
    }

    /// Pushes the label of `items[index]` (the set's labels made on first need) and returns its step.
    fn member(&mut self, labels: &mut Option<Vec<String>>, items: &[&Node], index: usize, list_key: &str) -> Step<'a> {
        let exact = items.get(index).and_then(|item| label::exact(item)).filter(|_| label::single(items, index));
        let text = match (labels.as_ref(), exact) {
            (None, Some(exact)) => exact,
            _ => labels
                .get_or_insert_with(|| label::member_labels(items, list_key))
                .get(index)
                .cloned()
                .unwrap_or_default(),
        };
        self.labels.push(text);
        Step::Member(self.labels.len() - 1)
    }

    fn sequence(&mut self, a: &'a [Node], b: &'a [Node], lines: (u32, u32)) {
        // Fast path: same length and pairwise equal needs no alignment.
        if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y) {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                if x.contains_secret() {
                    self.within(Step::Index(i), x, y, lines);
                }
            }
            return;
        }
        let ops = align(a, b).unwrap_or_else(|| {
            self.notes.push(format!(
                "{} {}: sequences of {} and {} items too different to align within the budget; compared position by position",
                self.left.id(),
                self.path(),
                a.len(),
                b.len()
            ));
            vec![DiffOp::Replace { old_index: 0, old_len: a.len(), new_index: 0, new_len: b.len() }]
        });
        for op in ops {
            match op {
                DiffOp::Equal { old_index, new_index, len } => {
                    for k in 0..len {
                        if a[old_index + k].contains_secret() {
                            self.within(Step::Index(old_index + k), &a[old_index + k], &b[new_index + k], lines);
                        }
                    }
                }
                DiffOp::Delete { old_index, old_len, .. } => {
                    self.run(ChangeKind::Removed, a, old_index..old_index + old_len, lines);
                }
                DiffOp::Insert { new_index, new_len, .. } => {
                    self.run(ChangeKind::Added, b, new_index..new_index + new_len, lines);
                }
                DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                    let paired = old_len.min(new_len);
                    for k in 0..paired {
                        self.within(Step::Index(old_index + k), &a[old_index + k], &b[new_index + k], lines);
                    }
                    self.run(ChangeKind::Removed, a, old_index + paired..old_index + old_len, lines);
                    self.run(ChangeKind::Added, b, new_index + paired..new_index + new_len, lines);
                }
            }
        }
    }
}

/// Pairs removed and added maps that are one item changed, most similar first; returns `(removed
/// index, added index)` pairs. An item is another one changed when both have the same name of
/// their own (`Sid`, `name`, `id`), or when they share more than half of their fields (by key and
/// value) that say something: fields empty on both sides (`ipv6_cidr_blocks: []`, `self: false`,
/// which every rule of a kind has) count for nothing, so two unrelated rules do not pair.
fn pair_similar(removed: &[&Node], added: &[&Node]) -> Vec<(usize, usize)> {
    if removed.is_empty() || added.is_empty() || removed.len() * added.len() > 10_000 {
        return Vec::new();
    }
    let named = |x: &crate::model::Map, y: &crate::model::Map| {
        ["Sid", "sid", "name", "id"].iter().any(|k| match (x.get(k), y.get(k)) {
            (Some(Node::String(a)), Some(Node::String(b))) => !a.is_empty() && a == b,
            _ => false,
        })
    };
    let empty = |n: Option<&Node>| match n {
        None | Some(Node::Null | Node::Bool(false)) => true,
        Some(Node::String(s)) => s.is_empty(),
        Some(Node::List(l)) => l.items().is_empty(),
        Some(Node::Map(m)) => m.fields().is_empty(),
        Some(_) => false,
    };
    let mut scored = Vec::new();
    for (r, x) in removed.iter().enumerate() {
        let Some(x) = x.as_map() else { continue };
        for (a, y) in added.iter().enumerate() {
            let Some(y) = y.as_map() else { continue };
            let said = |key: &str| !(empty(x.get(key)) && empty(y.get(key)));
            let shared = x.fields().iter().filter(|f| said(f.key()) && y.get(f.key()) == Some(f.node())).count();
            let keys = x
                .fields()
                .iter()
                .map(|f| f.key())
                .chain(y.fields().iter().map(|f| f.key()).filter(|k| x.get(k).is_none()));
            let total = keys.filter(|k| said(k)).count();
            if named(x, y) {
                scored.push((std::cmp::Reverse(usize::MAX), r, a));
            } else if shared > 0 && shared * 2 > total {
                // Most shared fields first; ties by position, so the pairing is deterministic.
                scored.push((std::cmp::Reverse(shared * 1000 / total.max(1)), r, a));
            }
        }
    }
    scored.sort();
    let (mut used_r, mut used_a) = (vec![false; removed.len()], vec![false; added.len()]);
    let mut pairs = Vec::new();
    for (_, r, a) in scored {
        if !used_r[r] && !used_a[a] {
            used_r[r] = true;
            used_a[a] = true;
            pairs.push((r, a));
        }
    }
    pairs
}

/// Comparisons of items that aligning one pair of sequences may make (Myers' algorithm costs
/// about (n + m) × d for d differences).
const ALIGN_BUDGET: usize = 20_000_000;

/// Aligns two sequences with Myers' algorithm; adjacent deletions and insertions become
/// replacements. `None` when they differ too much to align within [`ALIGN_BUDGET`].
fn align(a: &[Node], b: &[Node]) -> Option<Vec<DiffOp>> {
    let total = a.len() + b.len();
    if total.saturating_mul(total) > ALIGN_BUDGET && !within_distance(a, b, ALIGN_BUDGET / total.max(1)) {
        return None;
    }
    let mut hook = Replace::new(Capture::new());
    // The hook never fails, and myers only fails when the hook does.
    if myers::diff(&mut hook, a, 0..a.len(), b, 0..b.len()).is_err() || hook.finish().is_err() {
        return Some(vec![DiffOp::Replace { old_index: 0, old_len: a.len(), new_index: 0, new_len: b.len() }]);
    }
    Some(hook.into_inner().into_ops())
}

/// Whether at most `max` insertions and deletions turn `a` into `b` (Myers' greedy forward pass,
/// stopped at `max`: at most (n + m) × `max` comparisons, linear memory).
fn within_distance(a: &[Node], b: &[Node], max: usize) -> bool {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return false;
    }
    let max = max.min(n + m);
    // v[k + offset]: the furthest x on diagonal k = x - y.
    let offset = max + 1;
    let mut v = vec![0usize; 2 * max + 3];
    for d in 0..=max {
        let mut k = -(d as isize);
        while k <= d as isize {
            let at = (k + offset as isize) as usize;
            let mut x = if k == -(d as isize) || (k != d as isize && v[at - 1] < v[at + 1]) {
                v[at + 1]
            } else {
                v[at - 1] + 1
            };
            let mut y = (x as isize - k) as usize;
            while x < n && y < m && a[x] == b[y] {
                x += 1;
                y += 1;
            }
            v[at] = x;
            if x >= n && y >= m {
                return true;
            }
            k += 2;
        }
    }
    false
}

/// The path segment of item `i` of a list, as the diff names it: by key, by label, or by index
/// (`list_key` is the list's own name, `ingress`).
pub(crate) fn item_segment(list: &crate::model::List, i: usize, item: &Node, list_key: &str) -> Segment {
    match list.kind() {
        ListKind::Keyed(key) | ListKind::OrderedKeyed(key) => Segment::Keyed(label::keyed_text(key, item).into()),
        ListKind::Set => Segment::Member(label::member_label(list.items(), i, list_key).into()),
        ListKind::Sequence => Segment::Index(i),
    }
}

impl Node {
    /// The node at a path (as the diff renders paths), if there is one.
    pub fn at(&self, path: &Path) -> Option<&Node> {
        let mut node = self;
        let mut list_key = "";
        for segment in path.segments() {
            node = match (segment, node) {
                (Segment::Key(key), Node::Map(map)) => {
                    list_key = key;
                    map.get(key)?
                }
                (Segment::Index(i), Node::List(list)) => list.items().get(*i)?,
                (Segment::Keyed(text), Node::List(list)) => {
                    let key = list.kind().key()?;
                    list.items().iter().find(|item| label::keyed_text(key, item) == **text)?
                }
                (Segment::Member(text), Node::List(list)) => {
                    let labels = label::member_labels(list.items(), list_key);
                    list.items().get(labels.iter().position(|label| **label == **text)?)?
                }
                _ => return None,
            };
        }
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Domain, Field, List, Number};
    use std::sync::Arc;

    fn snapshot(name: &str, bodies: Vec<(&str, Node)>) -> Snapshot {
        let mut s = Snapshot::new(name);
        for (address, body) in bodies {
            let id = EntityId::new(Domain::K8s, address);
            s.insert(Entity::new(id, Arc::from(format!("{name}/x.yaml")), 1, body)).unwrap_or_default();
        }
        s
    }

    fn s(v: &str) -> Node {
        Node::string(v)
    }

    fn n(v: &str) -> Node {
        Node::Number(Box::new(Number::parse(v).unwrap_or_else(|| Number::from_i64(0))))
    }

    fn map(fields: Vec<(&str, Node)>) -> Node {
        Node::map(fields.into_iter().enumerate().map(|(i, (k, v))| Field::new(k, i as u32 + 1, v)).collect())
    }

    fn seq(items: Vec<Node>) -> Node {
        Node::List(List::sequence(items))
    }

    /// `(path, kind)` of every change.
    fn changes(a: Node, b: Node) -> Vec<(String, ChangeKind)> {
        let left = snapshot("left", vec![("x", a)]);
        let right = snapshot("right", vec![("x", b)]);
        diff(&left, &right).changes().iter().map(|c| (c.path().to_string(), c.kind())).collect()
    }

    #[test]
    fn identical_is_empty() {
        let body = map(vec![("a", n("1")), ("b", seq(vec![s("x"), s("y")]))]);
        assert!(changes(body.clone(), body).is_empty());
    }

    #[test]
    fn numbers_are_exact() {
        assert!(changes(map(vec![("a", n("1.0"))]), map(vec![("a", n("1"))])).is_empty());
        assert_eq!(
            changes(map(vec![("a", n("0.3"))]), map(vec![("a", n("0.30000000000000004"))])),
            [("a".into(), ChangeKind::Changed)]
        );
    }

    #[test]
    fn one_insertion_is_one_change() {
        let a = seq(vec![s("--a"), s("--b"), s("--c"), s("--d")]);
        let b = seq(vec![s("--a"), s("--new"), s("--b"), s("--c"), s("--d")]);
        assert_eq!(changes(map(vec![("args", a)]), map(vec![("args", b)])), [("args[1]".into(), ChangeKind::Added)]);
    }

    #[test]
    fn keyed_items_match_by_key() {
        let c = |name: &str, image: &str| map(vec![("name", s(name)), ("image", s(image))]);
        let a = Node::List(List::keyed(&["name"], vec![c("api", "api:1"), c("sidecar", "envoy:1")]));
        let b = Node::List(List::keyed(&["name"], vec![c("sidecar", "envoy:1"), c("api", "api:2")]));
        assert_eq!(
            changes(map(vec![("containers", a)]), map(vec![("containers", b)])),
            [("containers[name=api].image".into(), ChangeKind::Changed)]
        );
    }

    #[test]
    fn sets_match_by_value() {
        let a = Node::List(List::set(vec![s("10.0.0.0/8"), s("192.168.0.0/16")]));
        let b = Node::List(List::set(vec![s("192.168.0.0/16"), s("0.0.0.0/0")]));
        assert_eq!(
            changes(map(vec![("cidr", a)]), map(vec![("cidr", b)])),
            [("cidr[=0.0.0.0/0]".into(), ChangeKind::Added), ("cidr[=10.0.0.0/8]".into(), ChangeKind::Removed)]
        );
    }

    #[test]
    fn entities_added_and_removed() {
        let left = snapshot("l", vec![("a", s("1")), ("b", s("1"))]);
        let right = snapshot("r", vec![("b", s("1")), ("c", s("1"))]);
        let d = diff(&left, &right);
        let got: Vec<_> = d.changes().iter().map(|c| (c.entity().to_string(), c.kind())).collect();
        assert_eq!(got, [("k8s:a".into(), ChangeKind::Removed), ("k8s:c".into(), ChangeKind::Added)]);
    }

    #[test]
    fn locations_point_at_field_lines() {
        let left = snapshot("l", vec![("x", map(vec![("a", s("1")), ("b", s("2"))]))]);
        let right = snapshot("r", vec![("x", map(vec![("a", s("1")), ("b", s("3"))]))]);
        let d = diff(&left, &right);
        let change = &d.changes()[0];
        assert_eq!(change.left_location().map(ToString::to_string).as_deref(), Some("l/x.yaml:2"));
        assert_eq!(change.right_location().map(ToString::to_string).as_deref(), Some("r/x.yaml:2"));
    }
}
