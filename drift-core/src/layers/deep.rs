//! The deep merge of node-config (`util.extendDeep`), dotenv files and drift.toml's declared sets:
//! a later layer's value replaces an earlier one's, except that two maps merge key by key. Lists,
//! scalars and `null` replace (a `null` stays: the key is set to null); a scalar over a map wipes
//! the map, and a later map starts afresh (LAYERS.md §4.2, node-config's `1-protected-test.js`).

use crate::model::{Field, Map, Node};

/// Merges layer bodies, lowest first.
pub(crate) fn merge(bodies: &[&Node]) -> Node {
    let Some((first, rest)) = bodies.split_first() else { return Node::Null };
    let mut merged = (*first).clone();
    for body in rest {
        over_in_place(&mut merged, body, Nulls::Overwrite, &mut Vec::new(), &mut Vec::new(), &|_| false);
    }
    merged
}

/// A flat map of dotted keys (`payment.sandbox=true`, a node-config `.properties` file) as the
/// nested maps the runtime reads it as.
pub(crate) fn nest_dotted(body: Node) -> Node {
    let Node::Map(map) = body else { return body };
    let entries = map
        .fields()
        .iter()
        .map(|f| super::flat::Entry {
            path: f.key().split('.').map(|s| super::flat::Seg::Name(s.to_owned())).collect(),
            node: f.node().clone(),
            line: f.line(),
        })
        .collect();
    super::flat::rebuild(entries, false)
}

/// What a `null` in a later layer does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nulls {
    /// It is a value (node-config, dotenv, between Helm's user files).
    Overwrite,
    /// It deletes a non-null value below it (a Helm user value over a chart default).
    DeleteDefault,
}

/// Where a later layer replaced (or deleted) a value of the base, and the base's line there: what
/// provenance needs of the base, which the merge consumes instead of copying.
pub(crate) type Replaced = Vec<(crate::path::Path, u32)>;

/// `upper` merged into `lower` in place: maps merge key by key, anything else replaces (the upper
/// value cloned, the lower dropped, its line recorded in `replaced` when `record`).
pub(crate) fn over_in_place(
    lower: &mut Node,
    upper: &Node,
    nulls: Nulls,
    path: &mut Vec<crate::path::Segment>,
    replaced: &mut Replaced,
    record: &dyn Fn(&[crate::path::Segment]) -> bool,
) {
    let (Node::Map(lower_map), Node::Map(upper_map)) = (&mut *lower, upper) else {
        *lower = upper.clone();
        return;
    };
    let mut added: Vec<Field> = Vec::new();
    let mut deleted: Vec<usize> = Vec::new();
    for field in upper_map.fields() {
        path.push(crate::path::Segment::Key(field.key().into()));
        match lower_map.fields().binary_search_by(|f| f.key().cmp(field.key())) {
            Err(_) => added.push(field.clone()),
            Ok(i) => {
                let below = &mut lower_map.fields_mut()[i];
                let (line, is_null) = (below.line(), matches!(below.node(), Node::Null));
                match (field.node(), nulls) {
                    (Node::Null, Nulls::DeleteDefault) if !is_null => {
                        if record(path) {
                            replaced.push((crate::path::Path::from_segments(path.clone()), line));
                        }
                        deleted.push(i);
                    }
                    (Node::Map(_), _) if matches!(below.node(), Node::Map(_)) => {
                        below.set_line(field.line());
                        over_in_place(below.node_mut(), field.node(), nulls, path, replaced, record);
                    }
                    (value, _) => {
                        if record(path) {
                            replaced.push((crate::path::Path::from_segments(path.clone()), line));
                        }
                        *below.node_mut() = value.clone();
                        below.set_line(field.line());
                    }
                }
            }
        }
        path.pop();
    }
    if added.is_empty() && deleted.is_empty() {
        return;
    }
    let mut fields: Vec<Field> = std::mem::take(lower_map)
        .into_fields()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !deleted.contains(i))
        .map(|(_, f)| f)
        .collect();
    fields.extend(added);
    *lower_map = Map::from_fields(fields).0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::tests::yaml;

    /// node-config's worked example C1 (LAYERS.md §4.4): `default.yml` under `production.yml`.
    #[test]
    fn node_config_c1() {
        let default = yaml(
            "payment:\n  sandbox: true\n  hosts: [a, b, c]\n  timeouts: {connect: 2000, read: 5000}\n  webhook: {url: https://x}\n",
        );
        let production = yaml("payment:\n  sandbox: false\n  hosts: [p]\n  timeouts: {read: 10000}\n  webhook: null\n");
        let merged = merge(&[&default, &production]);
        let expected = yaml(
            "payment:\n  sandbox: false\n  hosts: [p]\n  timeouts: {connect: 2000, read: 10000}\n  webhook: null\n",
        );
        assert_eq!(merged, expected);
    }

    /// node-config's test 'Creates partial objects when mixing objects and non-objects':
    /// `{sub1}`, `{sub2}`, `7`, `{sub3}` → `{sub3}`.
    #[test]
    fn a_scalar_wipes_a_map_and_a_later_map_starts_afresh() {
        let layers = [yaml("e: {sub1: 1}"), yaml("e: {sub2: 2}"), yaml("e: 7"), yaml("e: {sub3: 3}")];
        let merged = merge(&layers.iter().collect::<Vec<_>>());
        assert_eq!(merged, yaml("e: {sub3: 3}"));
        // 'Replaces non-objects': arrays replace.
        let merged = merge(&[&yaml("a: [val2, val3]"), &yaml("a: [val4]")]);
        assert_eq!(merged, yaml("a: [val4]"));
    }
}
