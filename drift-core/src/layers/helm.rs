//! Helm values, as `helm install -f values-production.yaml` merges them over the chart's
//! `values.yaml` (LAYERS.md §1.2; `helm/helm:pkg/chart/common/util/coalesce.go`):
//!
//! - the user's files merge with each other first (`MergeMaps`): maps key by key, anything else
//!   replaces, and a `null` is a value;
//! - the result is coalesced over the chart's defaults: maps deep-merge, lists and scalars replace,
//!   the user's value wins a type conflict, and a user `null` deletes a key whose default is not
//!   null (since Helm 3.20.1 / 4.1.3 a `null` for a key the chart lacks, or defaults to null, stays
//!   as an explicit null).

use crate::model::Node;

use super::deep;

/// Merges the chart's values (first) with the user's files, lowest first (the tests' entry; a
/// layer set merges into its chart's values in place, [`merge_into`]).
#[cfg(test)]
pub(crate) fn merge(bodies: &[&Node]) -> Node {
    let Some((chart, users)) = bodies.split_first() else { return Node::Null };
    merge_into((*chart).clone(), users, &mut Vec::new())
}

/// The user's files (merged with each other first; a null between them is a value) coalesced
/// into the chart's values in place; `replaced` gets where a chart default was replaced or deleted.
pub(crate) fn merge_into(mut chart: Node, users: &[&Node], replaced: &mut deep::Replaced) -> Node {
    let merged_users;
    let user = match users {
        [] => return chart,
        [only] => *only,
        _ => {
            merged_users = deep::merge(users);
            &merged_users
        }
    };
    deep::over_in_place(&mut chart, user, deep::Nulls::DeleteDefault, &mut Vec::new(), replaced, &|_| true);
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::tests::yaml;

    /// LAYERS.md §1.6 H1, from Helm's "Deleting a Default Key" (values_files page) and
    /// `TestCoalesceValues`: nested maps merge, lists replace, `null` and `~` delete.
    #[test]
    fn h1_nested_merge_list_replace_null_delete() {
        let chart = yaml(
            "image: {repo: shop/api, tag: \"1.4\"}\nlimits: {cpu: 500m, memory: 256Mi}\ntolerations: [{key: spot}, {key: arm}]\nannotations: {scrape: \"true\"}\n",
        );
        let prod = yaml("image: {tag: \"1.5\"}\nlimits: {cpu: null}\ntolerations: [{key: gpu}]\nannotations: ~\n");
        let merged = merge(&[&chart, &prod]);
        let expected =
            yaml("image: {repo: shop/api, tag: \"1.5\"}\nlimits: {memory: 256Mi}\ntolerations: [{key: gpu}]\n");
        assert_eq!(merged, expected);
    }

    /// `TestCoalesceValues`: an empty string is a value, not a deletion; a null for a key the
    /// chart lacks stays (`TestCoalesceValuesEmptyMapWithNils`).
    #[test]
    fn empty_strings_stay_and_unknown_nulls_are_kept() {
        let merged = merge(&[&yaml("back: x\nkeep: 1"), &yaml("back: \"\"\nnew: null")]);
        assert_eq!(merged, yaml("back: \"\"\nkeep: 1\nnew: null"));
    }

    /// Between the user's files a null is a value (MergeMaps): the later file's null overwrites,
    /// then deletes the chart's default.
    #[test]
    fn user_files_merge_first() {
        let merged = merge(&[&yaml("a: {b: 1, c: 2}"), &yaml("a: {b: 5}"), &yaml("a: {c: null}")]);
        assert_eq!(merged, yaml("a: {b: 5}"));
    }
}
