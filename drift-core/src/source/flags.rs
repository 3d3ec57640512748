//! Feature-flag exports: flagd / OpenFeature flag definitions, Unleash exports, LaunchDarkly flag
//! data, and plain flag maps (`flags.json`, `features.yaml`, `flags.toml`).
//!
//! Every format becomes entities `flag:<key>` with one normalized body, so that flags compare by
//! what they serve, not how a vendor spells it:
//!
//! - `enabled`: whether the flag is on (flagd `DISABLED` is off, as flagd treats it as absent);
//! - `default`: the value served when on and no rule matches (through `defaultVariant`, the
//!   fallthrough variation), `off`: the value served when off (LaunchDarkly);
//! - `variants`: the set of values the flag can serve (names are labels: a renamed variant that
//!   serves the same value is no drift);
//! - `targeting`: the rules, with flagd `$evaluators` references resolved, variant names replaced
//!   by the values they serve, `{"var": "x"}` and `{"var": ["x"]}` made one, `in` lists as sets;
//! - `rollout`: percentages by served value (`50` is 50%);
//! - `strategies`, `prerequisites`, `metadata` where the vendor has them.
//!
//! Exports that hold several environments (Unleash state exports, LaunchDarkly REST exports) need
//! one chosen: `export.json@production`.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::{Domain, Entity, EntityId, Field, List, Map, Node, Number};

use super::LoadOptions;

/// Which flag format a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Flagd,
    Unleash,
    LaunchDarkly,
    Plain,
}

/// The format of a parsed document, by its shape.
pub(crate) fn kind_of(root: &Node, plain_name: bool) -> Option<Kind> {
    let map = root.as_map()?;
    let definitions: Vec<&Node> = match map.get("flags") {
        Some(Node::Map(flags)) => flags.fields().iter().map(Field::node).collect(),
        Some(Node::List(flags)) => flags.items().iter().collect(),
        _ => Vec::new(),
    };
    if !definitions.is_empty() {
        let flagd = definitions.iter().any(|f| has(f, "variants") && (has(f, "state") || has(f, "defaultVariant")));
        let ld = definitions.iter().any(|f| has(f, "variations") || has(f, "fallthrough"));
        if flagd || map.get("$schema").and_then(Node::as_str).is_some_and(|s| s.contains("flagd")) {
            return Some(Kind::Flagd);
        }
        if ld {
            return Some(Kind::LaunchDarkly);
        }
    }
    if map.get("flagValues").is_some() {
        return Some(Kind::LaunchDarkly);
    }
    let features = map.get("features").and_then(Node::as_list);
    if features.is_some()
        && (map.get("featureStrategies").is_some()
            || map.get("strategies").is_some()
            || features.is_some_and(|l| l.items().iter().any(|f| has(f, "strategies") && has(f, "name"))))
    {
        return Some(Kind::Unleash);
    }
    let ld_items = map
        .get("items")
        .and_then(Node::as_list)
        .is_some_and(|l| l.items().iter().any(|i| has(i, "variations") && has(i, "environments")));
    if ld_items || (has(root, "variations") && has(root, "environments") && has(root, "key")) {
        return Some(Kind::LaunchDarkly);
    }
    plain_name.then_some(Kind::Plain)
}

/// An Unleash constraint with its `values` as a set: `IN`, `NOT_IN` and the `STR_*` operators
/// take any of them, so their order is not configuration.
fn constraint(node: &Node) -> Node {
    let Some(map) = node.as_map() else { return node.clone() };
    let fields = map
        .fields()
        .iter()
        .map(|f| match (f.key(), f.node()) {
            ("values", Node::List(values)) => Field::new(f.key(), f.line(), set(values.items().to_vec())),
            _ => f.clone(),
        })
        .collect();
    Node::map(fields)
}

fn has(node: &Node, key: &str) -> bool {
    node.as_map().is_some_and(|m| m.get(key).is_some())
}

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.as_map()?.get(key)
}

fn text<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    get(node, key)?.as_str()
}

fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_list).map_or(&[], |l| l.items())
}

fn set(items: Vec<Node>) -> Node {
    Node::List(List::set(items))
}

fn number(text: &str) -> Option<Node> {
    Number::parse(text).map(|n| Node::Number(Box::new(n)))
}

/// A split of traffic as one value: `false: 95%, true: 5%`, labels sorted. One distribution is one
/// value, so a changed split is one change that shows both numbers.
fn distribution(mut shares: Vec<(String, f64)>) -> Node {
    let total: f64 = shares.iter().map(|(_, w)| *w).sum();
    shares.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(String, f64)> = Vec::new();
    for (label, weight) in shares {
        match merged.last_mut() {
            Some(last) if last.0 == label => last.1 += weight,
            _ => merged.push((label, weight)),
        }
    }
    let text: Vec<String> = merged
        .into_iter()
        .map(|(label, weight)| {
            let percent = if total > 0.0 { weight * 100.0 / total } else { 0.0 };
            format!("{label}: {}%", (percent * 100.0).round() / 100.0)
        })
        .collect();
    Node::string(text.join(", "))
}

/// A served value as a label (strings bare, others as JSON).
fn label(value: &Node) -> String {
    match value {
        Node::String(s) => s.to_string(),
        other => crate::report::value_json(other).to_string(),
    }
}

/// One flag's normalized fields, in any order (a map sorts them).
struct Flag {
    key: String,
    fields: Vec<Field>,
}

impl Flag {
    fn new(key: &str) -> Self {
        Flag { key: key.to_owned(), fields: Vec::new() }
    }

    fn with(mut self, key: &str, node: Node) -> Self {
        self.fields.push(Field::new(key, 0, node));
        self
    }

    fn maybe(self, key: &str, node: Option<Node>) -> Self {
        match node {
            Some(node) => self.with(key, node),
            None => self,
        }
    }
}

/// Reads the flags of a document for one environment (`env` chooses it in multi-environment
/// exports).
pub(crate) fn parse(
    file: &Arc<str>,
    mut root: Node,
    kind: Kind,
    env: Option<&str>,
    options: &LoadOptions,
) -> Result<Vec<Entity>> {
    // Variant names are labels that normalization drops: a value served under a secret's name
    // (`variants: {apiToken: …}`) is protected while its name is still known.
    protect_named_variants(&mut root, options, 0);
    let flags = match kind {
        Kind::Flagd => {
            single_environment(file, env, "flagd flag definitions")?;
            flagd(file, &root, options)?
        }
        Kind::Plain => {
            single_environment(file, env, "plain flag maps")?;
            plain(&root)
        }
        Kind::Unleash => unleash(file, &root, env)?,
        Kind::LaunchDarkly => launchdarkly(file, &root, env)?,
    };
    Ok(flags
        .into_iter()
        .map(|flag| Entity::new(EntityId::new(Domain::Flag, flag.key), file.clone(), 0, Node::map(flag.fields)))
        .collect())
}

/// Protects the values of flagd variants and LaunchDarkly variations named like secrets.
fn protect_named_variants(node: &mut Node, options: &LoadOptions, depth: usize) {
    if depth > super::MAX_DEPTH {
        return;
    }
    let secret = |value: &mut Node| {
        let text = match &*value {
            Node::String(s) => s.to_string(),
            Node::Bool(_) | Node::Null | Node::Secret(_) => return,
            other => crate::report::value_json(other).to_string(),
        };
        *value = options.secrets.always(&options.fingerprinter, text.as_bytes());
    };
    let named = |name: &str| options.secrets.is_secret_name(name);
    match node {
        Node::Map(map) => {
            for field in map.fields_mut() {
                let (key, child) = field.parts_mut();
                match (key.as_str(), child) {
                    ("variants", Node::Map(variants)) => {
                        for variant in variants.fields_mut() {
                            let (name, value) = variant.parts_mut();
                            if named(name) {
                                secret(value);
                            }
                        }
                    }
                    ("variations", Node::List(list)) => {
                        for item in list.items_mut() {
                            let Node::Map(variation) = item else { continue };
                            let name_secret = variation.get("name").and_then(Node::as_str).is_some_and(named);
                            for field in variation.fields_mut() {
                                let (key, value) = field.parts_mut();
                                if name_secret && key.as_str() == "value" {
                                    secret(value);
                                }
                            }
                        }
                    }
                    (_, child) => protect_named_variants(child, options, depth + 1),
                }
            }
        }
        Node::List(list) => {
            for item in list.items_mut() {
                protect_named_variants(item, options, depth + 1);
            }
        }
        _ => {}
    }
}

fn single_environment(file: &str, env: Option<&str>, what: &str) -> Result<()> {
    match env {
        Some(env) => Err(Error::input(file, 0, format!("{what} hold one environment; `@{env}` chooses nothing"))),
        None => Ok(()),
    }
}

/// The environment of a multi-environment export: the one asked for, which must be present.
fn choose(file: &str, env: Option<&str>, present: &[String]) -> Result<String> {
    let list = present.join(", ");
    match env {
        Some(env) if present.iter().any(|p| p == env) => Ok(env.to_owned()),
        // An export of one environment needs no choice.
        None if present.len() == 1 => Ok(present[0].clone()),
        Some(env) => Err(Error::input(file, 0, format!("no environment `{env}` in this export (it has: {list})"))),
        None => Err(Error::input(
            file,
            0,
            format!("this export holds several environments ({list}): choose one with FILE@ENVIRONMENT"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// flagd / OpenFeature

fn flagd(file: &str, root: &Node, options: &LoadOptions) -> Result<Vec<Flag>> {
    let evaluators = get(root, "$evaluators").and_then(Node::as_map);
    let mut budget = options.limits.max_expansion;
    // `flags` is a map by key, or (flagd's import format) a list of flags with a `key` each.
    let definitions: Vec<(&str, &Node)> = match get(root, "flags") {
        Some(Node::Map(map)) => map.fields().iter().map(|f| (f.key(), f.node())).collect(),
        Some(Node::List(list)) => list.items().iter().filter_map(|f| Some((text(f, "key")?, f))).collect(),
        _ => Vec::new(),
    };
    let flags_line = root.as_map().and_then(|m| m.field("flags")).map_or(0, Field::line);
    definitions
        .into_iter()
        .map(|(key, def)| {
            let variants = get(def, "variants").and_then(Node::as_map);
            let value_of = |name: &str| variants.and_then(|v| v.get(name)).cloned();
            let enabled = text(def, "state") != Some("DISABLED");
            let default = text(def, "defaultVariant").and_then(value_of);
            let variant_values = variants.map(|v| set(v.fields().iter().map(|f| f.node().clone()).collect()));
            let targeting = match def.as_map().and_then(|m| m.field("targeting")) {
                Some(field) => {
                    let resolved =
                        resolve_refs(field.node(), evaluators, &mut Vec::new(), &mut budget, 0).map_err(|why| {
                            let line = if field.line() > 0 { field.line() } else { flags_line };
                            Error::input(file, line, format!("flag `{key}`: {why}"))
                        })?;
                    Some(json_logic(&resolved, &|name| value_of(name)))
                }
                None => None,
            };
            Ok(Flag::new(key)
                .with("enabled", Node::Bool(enabled))
                .with("default", default.unwrap_or(Node::Null))
                .maybe("variants", variant_values)
                .maybe("targeting", targeting.filter(|t| !matches!(t, Node::Null)))
                .maybe("metadata", get(def, "metadata").cloned()))
        })
        .collect()
}

/// Replaces `{"$ref": "name"}` with the shared evaluator it names (refs may nest). What the
/// references add is bounded by `budget` (bytes of text plus 16 per node, shared by the whole
/// file); a reference to an evaluator being expanded is a cycle. Both are errors.
fn resolve_refs<'e>(
    node: &Node,
    evaluators: Option<&'e Map>,
    expanding: &mut Vec<&'e str>,
    budget: &mut u64,
    depth: usize,
) -> std::result::Result<Node, String> {
    if depth > super::MAX_DEPTH {
        return Err(format!("targeting nested deeper than {} levels", super::MAX_DEPTH));
    }
    let cost = 16 + node.as_str().map_or(0, |s| s.len() as u64);
    if !expanding.is_empty() {
        // Only what references add counts: the file's own text is paid for already.
        *budget = budget.checked_sub(cost).ok_or("`$ref`s expand to more than the limit (--max-expansion)")?;
    }
    match node {
        Node::Map(map) => {
            if let (1, Some(name)) = (map.len(), map.get("$ref").and_then(Node::as_str))
                && let Some(evaluators) = evaluators
                && let Some(field) = evaluators.field(name)
            {
                let name = field.key();
                if expanding.contains(&name) {
                    return Err(format!("evaluator `{name}` refers to itself through `$ref`"));
                }
                expanding.push(name);
                let resolved = resolve_refs(field.node(), Some(evaluators), expanding, budget, depth + 1);
                expanding.pop();
                return resolved;
            }
            let fields = map
                .fields()
                .iter()
                .map(|f| {
                    Ok(Field::new(f.key(), f.line(), resolve_refs(f.node(), evaluators, expanding, budget, depth + 1)?))
                })
                .collect::<std::result::Result<Vec<_>, String>>()?;
            Ok(Node::map(fields))
        }
        Node::List(list) => {
            let items = list
                .items()
                .iter()
                .map(|i| resolve_refs(i, evaluators, expanding, budget, depth + 1))
                .collect::<std::result::Result<Vec<_>, String>>()?;
            Ok(Node::List(List::with_kind(list.kind().clone(), items)))
        }
        other => Ok(other.clone()),
    }
}

/// Canonical JsonLogic: `var` with one name is a string, `in` over a list is a set, the results
/// of `if` and the buckets of `fractional` are the values served (not the variant names).
fn json_logic(node: &Node, value_of: &dyn Fn(&str) -> Option<Node>) -> Node {
    let served = |n: &Node| match n {
        Node::String(name) => value_of(name).map_or_else(|| n.clone(), |v| Node::map(vec![Field::new("serve", 0, v)])),
        other => json_logic(other, value_of),
    };
    match node {
        Node::Map(map) if map.len() == 1 => {
            let field = &map.fields()[0];
            let (op, args) = (field.key(), field.node());
            let args: Vec<Node> = match args {
                Node::List(list) => list.items().to_vec(),
                other => vec![other.clone()],
            };
            let canonical = match op {
                "var" if args.len() == 1 => args[0].clone(),
                "if" | "?:" => {
                    let list: Vec<Node> = args
                        .iter()
                        .enumerate()
                        .map(|(i, a)| {
                            if i % 2 == 1 || (i == args.len() - 1 && i % 2 == 0 && i > 0) {
                                served(a)
                            } else {
                                json_logic(a, value_of)
                            }
                        })
                        .collect();
                    Node::List(List::sequence(list))
                }
                "in" if args.len() == 2 && matches!(args[1], Node::List(_)) => Node::List(List::sequence(vec![
                    json_logic(&args[0], value_of),
                    set(items(Some(&args[1])).iter().map(|i| json_logic(i, value_of)).collect()),
                ])),
                "fractional" => {
                    // An optional bucketing expression, then [variant, weight] buckets. Bucket order
                    // only assigns hash ranges; what matters is the share of each served value, as
                    // a percentage (`{"v2": 5}` is 5%).
                    let mut by = None;
                    let mut buckets: Vec<(String, f64)> = Vec::new();
                    for a in &args {
                        match a {
                            Node::List(bucket) if !bucket.items().is_empty() => {
                                let b = bucket.items();
                                let served = match &b[0] {
                                    Node::String(name) => value_of(name).unwrap_or_else(|| b[0].clone()),
                                    other => other.clone(),
                                };
                                let weight = match b.get(1) {
                                    Some(Node::Number(n)) => n.value().to_f64(),
                                    _ => 1.0,
                                };
                                buckets.push((label(&served), weight));
                            }
                            other => by = Some(json_logic(other, value_of)),
                        }
                    }
                    let mut fields = vec![Field::new("rollout", 0, distribution(buckets))];
                    if let Some(by) = by {
                        fields.push(Field::new("by", 0, by));
                    }
                    Node::map(fields)
                }
                _ => Node::List(List::sequence(args.iter().map(|a| json_logic(a, value_of)).collect())),
            };
            Node::map(vec![Field::new(op, field.line(), canonical)])
        }
        Node::Map(map) => Node::map(
            map.fields().iter().map(|f| Field::new(f.key(), f.line(), json_logic(f.node(), value_of))).collect(),
        ),
        Node::List(list) => Node::List(List::sequence(list.items().iter().map(|i| json_logic(i, value_of)).collect())),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Plain maps: name → value, or name → {enabled, value, …}

fn plain(root: &Node) -> Vec<Flag> {
    let Some(map) = root.as_map() else { return Vec::new() };
    // A top-level `flags` or `features` map holds the flags.
    let map = ["flags", "features"].iter().find_map(|k| map.get(k).and_then(Node::as_map)).unwrap_or(map);
    map.fields()
        .iter()
        .map(|f| match f.node() {
            Node::Map(def) => {
                let enabled = match def.get("enabled").or_else(|| def.get("on")) {
                    Some(Node::Bool(b)) => *b,
                    _ => true,
                };
                let value = def.get("value").or_else(|| def.get("default")).cloned().unwrap_or(Node::Bool(enabled));
                let mut flag = Flag::new(f.key()).with("enabled", Node::Bool(enabled)).with("default", value);
                for field in def.fields().iter().filter(|x| !matches!(x.key(), "enabled" | "on" | "value" | "default"))
                {
                    flag = flag.with(field.key(), field.node().clone());
                }
                flag
            }
            value => {
                let enabled = !matches!(value, Node::Bool(false) | Node::Null);
                Flag::new(f.key()).with("enabled", Node::Bool(enabled)).with("default", value.clone())
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Unleash

fn unleash(file: &str, root: &Node, env: Option<&str>) -> Result<Vec<Flag>> {
    let strategies = items(get(root, "featureStrategies"));
    let feature_envs = items(get(root, "featureEnvironments"));
    let mut present: Vec<String> =
        feature_envs.iter().chain(strategies).filter_map(|s| text(s, "environment")).map(str::to_owned).collect();
    present.sort();
    present.dedup();
    // The state export (`version`, several environments) needs one chosen; a feature export is one.
    let chosen = if present.len() > 1 || get(root, "environments").is_some() {
        Some(choose(file, env, &present)?)
    } else {
        None
    };
    let env = chosen.as_deref().or(env);
    let in_env = |node: &Node| env.is_none_or(|e| text(node, "environment").is_none_or(|x| x == e));
    let segment_names: std::collections::HashMap<String, String> = items(get(root, "segments"))
        .iter()
        .filter_map(|s| Some((get(s, "id")?.to_string(), text(s, "name")?.to_owned())))
        .collect();
    // Rows by feature, so that an export of many features is read in one pass over each table.
    let mut env_rows: std::collections::HashMap<&str, &Node> = std::collections::HashMap::new();
    for row in feature_envs.iter().filter(|r| in_env(r)) {
        if let Some(feature) = text(row, "featureName") {
            env_rows.entry(feature).or_insert(row);
        }
    }
    let mut strategies_of: std::collections::HashMap<&str, Vec<&Node>> = std::collections::HashMap::new();
    for strategy in strategies.iter().filter(|s| in_env(s)) {
        if let Some(feature) = text(strategy, "featureName") {
            strategies_of.entry(feature).or_default().push(strategy);
        }
    }
    let mut flags = Vec::new();
    for feature in items(get(root, "features")) {
        let Some(name) = text(feature, "name") else { continue };
        let env_row = env_rows.get(name).copied();
        // Older exports (state `version` 1 and 2) carry `enabled` and `strategies` on the feature.
        let enabled = match env_row {
            Some(row) => matches!(get(row, "enabled"), Some(Node::Bool(true))),
            None => matches!(get(feature, "enabled"), Some(Node::Bool(true))),
        };
        let mut rollout = Vec::new();
        let active: Vec<Node> = strategies_of
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .chain(items(get(feature, "strategies")))
            .filter(|s| !matches!(get(s, "disabled"), Some(Node::Bool(true))))
            .map(|s| {
                let strategy = text(s, "strategyName").or_else(|| text(s, "name")).unwrap_or_default();
                let parameters = get(s, "parameters").and_then(Node::as_map).map(|p| {
                    let mut fields: Vec<Field> = p
                        .fields()
                        .iter()
                        .map(|f| {
                            // Parameter values are strings; numbers compare as numbers.
                            let v = f.node().as_str().and_then(number).unwrap_or_else(|| f.node().clone());
                            Field::new(f.key(), 0, v)
                        })
                        .collect();
                    // flexibleRollout defaults: groupId is the feature's name, stickiness `default`.
                    if strategy == "flexibleRollout" {
                        if !fields.iter().any(|f| f.key() == "groupId") {
                            fields.push(Field::new("groupId", 0, Node::string(name)));
                        }
                        if !fields.iter().any(|f| f.key() == "stickiness") {
                            fields.push(Field::new("stickiness", 0, Node::string("default")));
                        }
                    }
                    Node::map(fields)
                });
                if let Some(percent) =
                    parameters.as_ref().and_then(|p| get(p, "rollout").or_else(|| get(p, "percentage")))
                {
                    rollout.push(percent.clone());
                }
                let segments: Vec<Node> = items(get(s, "segments"))
                    .iter()
                    .map(|id| {
                        let id = id.to_string();
                        Node::string(segment_names.get(&id).cloned().unwrap_or(id))
                    })
                    .collect();
                Node::map(vec![
                    Field::new("name", 0, Node::string(strategy)),
                    Field::new("parameters", 0, parameters.unwrap_or_else(|| Node::map(Vec::new()))),
                    Field::new("constraints", 0, set(items(get(s, "constraints")).iter().map(constraint).collect())),
                    Field::new("segments", 0, set(segments)),
                ])
            })
            .collect();
        let variants = env_row.and_then(|r| get(r, "variants")).or_else(|| get(feature, "variants"));
        let variants_node = variants;
        let variants = items(variants)
            .iter()
            .filter_map(|v| {
                let name = text(v, "name")?;
                let weight = get(v, "weight").cloned().unwrap_or(Node::Null);
                Some(Field::new(name, 0, weight))
            })
            .collect::<Vec<_>>();
        // What each variant serves: its payload (a JSON payload compared as a document).
        let payloads = items(variants_node)
            .iter()
            .filter_map(|v| {
                let payload = get(v, "payload")?;
                let value = get(payload, "value")?;
                let is_json = text(payload, "type") == Some("json");
                let served = match value.as_str().filter(|_| is_json).and_then(super::json::parse_embedded) {
                    Some(document) => document,
                    None => value.clone(),
                };
                Some(Field::new(text(v, "name")?, 0, served))
            })
            .collect::<Vec<_>>();
        let mut flag = Flag::new(name)
            .with("enabled", Node::Bool(enabled && !matches!(get(feature, "archived"), Some(Node::Bool(true)))))
            .with("strategies", set(active));
        if !variants.is_empty() {
            flag = flag.with("variants", Node::map(variants));
        }
        if !payloads.is_empty() {
            flag = flag.with("payloads", Node::map(payloads));
        }
        if rollout.len() == 1 {
            // One rollout percentage: shown on its own (`50 → 5`), not twice.
            flag = flag.with("rollout", rollout.remove(0));
            let strategies = flag.fields.iter_mut().find(|f| f.key() == "strategies");
            if let Some(field) = strategies {
                *field = Field::new("strategies", 0, without_rollout(field.node()));
            }
        }
        flags.push(flag);
    }
    Ok(flags)
}

/// Strategies with their rollout parameter removed (it is reported as the flag's `rollout`).
fn without_rollout(strategies: &Node) -> Node {
    let strip = |strategy: &Node| -> Node {
        let Some(map) = strategy.as_map() else { return strategy.clone() };
        Node::map(
            map.fields()
                .iter()
                .map(|f| {
                    let node = match (f.key(), f.node()) {
                        ("parameters", Node::Map(p)) => Node::map(
                            p.fields()
                                .iter()
                                .filter(|x| !matches!(x.key(), "rollout" | "percentage"))
                                .cloned()
                                .collect(),
                        ),
                        (_, other) => other.clone(),
                    };
                    Field::new(f.key(), f.line(), node)
                })
                .collect(),
        )
    };
    set(items(Some(strategies)).iter().map(strip).collect())
}

// ---------------------------------------------------------------------------------------------
// LaunchDarkly

fn launchdarkly(file: &str, root: &Node, env: Option<&str>) -> Result<Vec<Flag>> {
    let mut flags = Vec::new();
    // SDK data (the file data source, relay): one environment, flattened.
    if let Some(sdk) = get(root, "flags").and_then(Node::as_map) {
        single_environment(file, env, "LaunchDarkly SDK flag data")?;
        for f in sdk.fields() {
            flags.push(ld_flag(f.key(), f.node(), f.node()));
        }
        for f in get(root, "flagValues").and_then(Node::as_map).map(Map::fields).unwrap_or_default() {
            flags.push(Flag::new(f.key()).with("enabled", Node::Bool(true)).with("default", f.node().clone()));
        }
        return Ok(flags);
    }
    if get(root, "flagValues").is_some() {
        single_environment(file, env, "LaunchDarkly SDK flag data")?;
        for f in get(root, "flagValues").and_then(Node::as_map).map(Map::fields).unwrap_or_default() {
            flags.push(Flag::new(f.key()).with("enabled", Node::Bool(true)).with("default", f.node().clone()));
        }
        return Ok(flags);
    }
    // REST: one flag or `items`, each with `environments`.
    let list: Vec<&Node> = match get(root, "items") {
        Some(items) => items.as_list().map(|l| l.items().iter().collect()).unwrap_or_default(),
        None => vec![root],
    };
    let mut present: Vec<String> = list
        .iter()
        .filter_map(|f| get(f, "environments").and_then(Node::as_map))
        .flat_map(|e| e.fields().iter().map(|f| f.key().to_owned()))
        .collect();
    present.sort();
    present.dedup();
    let chosen = choose(file, env, &present)?;
    let env = chosen.as_str();
    for flag in list {
        let Some(key) = text(flag, "key") else { continue };
        let Some(state) = get(flag, "environments").and_then(|e| get(e, env)) else { continue };
        flags.push(ld_flag(key, flag, state));
    }
    Ok(flags)
}

/// A LaunchDarkly flag: `variations` from `flag`, the environment's state from `state` (the same
/// node for SDK data).
fn ld_flag(key: &str, flag: &Node, state: &Node) -> Flag {
    let variations: Vec<Node> = items(get(flag, "variations"))
        .iter()
        .map(|v| if has(v, "value") { get(v, "value").cloned().unwrap_or(Node::Null) } else { v.clone() })
        .collect();
    let value_at = |node: Option<&Node>| -> Option<Node> {
        let index = match node? {
            Node::Number(n) => n.value().to_i64()?,
            _ => return None,
        };
        variations.get(usize::try_from(index).ok()?).cloned()
    };
    // A served choice: one variation's value, or a rollout as {value: percent}.
    let serve = |node: &Node| -> Option<Node> {
        if let Some(value) = value_at(get(node, "variation")) {
            return Some(value);
        }
        let rollout = get(node, "rollout")?;
        let shares: Vec<(String, f64)> = items(get(rollout, "variations"))
            .iter()
            .filter_map(|b| {
                let value = value_at(get(b, "variation"))?;
                let weight = match get(b, "weight")? {
                    Node::Number(n) => n.value().to_f64(),
                    _ => return None,
                };
                Some((label(&value), weight))
            })
            .collect();
        Some(Node::map(vec![Field::new("rollout", 0, distribution(shares))]))
    };
    let rules: Vec<Node> = items(get(state, "rules"))
        .iter()
        .map(|r| {
            let clauses: Vec<Node> = items(get(r, "clauses"))
                .iter()
                .map(|c| {
                    let keep = ["attribute", "op", "negate", "contextKind"];
                    let mut fields: Vec<Field> =
                        keep.iter().filter_map(|k| Some(Field::new(*k, 0, get(c, k)?.clone()))).collect();
                    fields.push(Field::new("values", 0, set(items(get(c, "values")).to_vec())));
                    Node::map(fields)
                })
                .collect();
            Node::map(vec![
                Field::new("clauses", 0, set(clauses)),
                Field::new("serve", 0, serve(r).unwrap_or(Node::Null)),
            ])
        })
        .collect();
    let targets: Vec<Node> = items(get(state, "targets"))
        .iter()
        .chain(items(get(state, "contextTargets")))
        .map(|t| {
            Node::map(vec![
                Field::new("values", 0, set(items(get(t, "values")).to_vec())),
                Field::new("serve", 0, value_at(get(t, "variation")).unwrap_or(Node::Null)),
                Field::new("contextKind", 0, get(t, "contextKind").cloned().unwrap_or_else(|| Node::string("user"))),
            ])
        })
        .collect();
    let prerequisites: Vec<Node> = items(get(state, "prerequisites"))
        .iter()
        .map(|p| {
            Node::map(vec![
                Field::new("flag", 0, get(p, "key").cloned().unwrap_or(Node::Null)),
                Field::new("variation", 0, get(p, "variation").cloned().unwrap_or(Node::Null)),
            ])
        })
        .collect();
    // The fallthrough is what the flag serves by default: one variation, or a rollout as one
    // distribution (`false: 50%, true: 50%`), so that a fixed default that became a rollout is one
    // change, as flagd's fractional targeting is.
    let fallthrough = get(state, "fallthrough").and_then(serve);
    let (default, rollout) = match fallthrough {
        Some(Node::Map(map)) if map.get("rollout").is_some() => {
            (map.get("rollout").cloned().unwrap_or(Node::Null), None::<Node>)
        }
        other => (other.unwrap_or(Node::Null), None),
    };
    let mut flag = Flag::new(key)
        .with("enabled", Node::Bool(matches!(get(state, "on"), Some(Node::Bool(true)))))
        .with("default", default)
        .with("off", value_at(get(state, "offVariation")).unwrap_or(Node::Null))
        .with("variants", set(variations.clone()));
    if !rules.is_empty() {
        flag = flag.with("targeting", Node::List(List::sequence(rules)));
    }
    if !targets.is_empty() {
        flag = flag.with("targets", set(targets));
    }
    if !prerequisites.is_empty() {
        flag = flag.with("prerequisites", set(prerequisites));
    }
    flag.maybe("rollout", rollout)
}
