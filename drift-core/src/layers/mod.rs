//! Effective configuration (DESIGN §10): where a runtime merges layers (a Helm chart's
//! `values.yaml` under `values-production.yaml`, Spring's `application.yml` under
//! `application-prod.yml`, `.env` under `.env.production`…), drift compares and guards the merged
//! result, as that runtime merges it, and keeps which layer set each value.
//!
//! - `plan.rs` finds the layer sets among an environment's files and picks each set's layers for
//!   the environment being loaded (a tree holding every environment is one selection of it).
//! - One file per merge: `helm.rs` (maps deep-merge, lists replace, a `null` deletes a chart
//!   default), `deep.rs` (node-config, dotenv and declared sets: later layers win, maps merge),
//!   `spring.rs` (property by property, relaxed names, a list wholly from the highest layer that
//!   has it), `dotnet.rs` (`:` key paths, case-insensitive, per index); `flat.rs` is the flat key
//!   model Spring and .NET share.
//!
//! Provenance is not recorded while merging: the layers are kept beside the merged body, and a
//! finding's path is looked up in each of them when the report is built (a few findings, not every
//! value).

pub(crate) mod deep;
pub(crate) mod dotnet;
pub(crate) mod flat;
pub(crate) mod helm;
pub(crate) mod plan;
pub(crate) mod spring;

use std::sync::Arc;

use crate::error::Result;
use crate::model::{Domain, Entity, EntityId, Node, Snapshot};
use crate::path::{Path, Segment};
use crate::report::Origin;

/// How a set of layers is merged: each runtime's own rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    /// Helm values: maps deep-merge, lists replace, a `null` over a chart default deletes it.
    Helm,
    /// Spring Boot: property by property with relaxed names; a list from the highest layer with it.
    Spring,
    /// .NET configuration: `:` key paths, case-insensitive, arrays merged per index.
    DotNet,
    /// node-config: maps deep-merge, everything else (lists, `null`) replaces.
    NodeConfig,
    /// dotenv conventions: by key, later files win.
    Dotenv,
    /// A set declared in drift.toml: maps deep-merge, everything else replaces.
    Deep,
}

impl Merge {
    /// The name drift.toml uses (`merge = "helm"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Merge::Helm => "helm",
            Merge::Spring => "spring",
            Merge::DotNet => "dotnet",
            Merge::NodeConfig => "node-config",
            Merge::Dotenv => "dotenv",
            Merge::Deep => "deep",
        }
    }

    /// The merge a drift.toml name means.
    pub fn from_name(name: &str) -> Option<Merge> {
        [Merge::Helm, Merge::Spring, Merge::DotNet, Merge::NodeConfig, Merge::Dotenv, Merge::Deep]
            .into_iter()
            .find(|m| m.as_str() == name)
    }
}

/// A layer set declared in drift.toml: files relative to the environment's root, lowest first;
/// `{env}` stands for the environment's name (or any token of its family: `prod` for production).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The files, in order.
    pub files: Vec<String>,
    /// How they merge.
    pub merge: Merge,
}

/// What became of a layer set.
pub(crate) enum Outcome {
    /// One snapshot holding the effective entity and the layers' files, warnings and notes, with a
    /// description of the set for the report's notes (`values.yaml < values-production.yaml (helm)`).
    Merged(String, Box<Snapshot>),
    /// The parts as read: a layer is not one entity of the set's kind (a `values.yaml` holding
    /// Kubernetes objects), or a lone Spring file has no profile documents; compared file by file.
    Unmerged(Vec<Snapshot>),
}

/// Merges a set's parsed layers (lowest first, one part per member; an empty file is a part
/// without entities and adds nothing) for `environment`.
///
/// # Errors
///
/// A layer that cannot be one (a Helm values file that is a list or a scalar: the runtime refuses
/// it).
pub(crate) fn merge_set(set: &plan::Set, parts: Vec<Snapshot>, environment: &str) -> Result<Outcome> {
    let domain = if set.merge == Merge::Dotenv { Domain::Env } else { Domain::Cfg };
    let fits = parts.len() == set.members.len()
        && parts.iter().all(|p| p.entities.len() <= 1 && p.entities.keys().all(|id| id.domain() == domain))
        && parts.first().is_some_and(|p| p.entities.len() == 1);
    let non_empty = parts.iter().filter(|p| !p.entities.is_empty()).count();
    // A Spring file alone is merged only for its profile documents.
    let lone_spring = set.merge == Merge::Spring
        && non_empty == 1
        && parts.first().and_then(|p| p.entities.values().next()).is_some_and(|e| matches!(e.body(), Node::List(_)));
    // An empty layer still makes a set (its base "not overridden"); a lone file does not.
    if !fits || non_empty == 0 || (parts.len() < 2 && !lone_spring) {
        return Ok(Outcome::Unmerged(parts));
    }
    let mut rest = Snapshot::new("");
    let mut layers = Vec::with_capacity(parts.len());
    let mut line = 0;
    for (mut part, (_, label)) in parts.into_iter().zip(&set.members) {
        let entities = std::mem::take(&mut part.entities);
        for entity in entities.into_values() {
            if layers.is_empty() {
                line = entity.line();
            }
            let file = entity.file().clone();
            let body = layer_body(set.merge, &file, entity.into_body())?;
            layers.push(Layer { file, label: label.clone(), body });
        }
        rest.key_id = part.key_id.clone();
        rest.absorb(part)?;
    }
    // Spring's active profile is the one its profile file names (`application-prod.yml`); without
    // one, the environment's name and its family's.
    let profile = set
        .members
        .iter()
        .map(|m| m.1.as_str())
        .find(|l| !matches!(*l, "base" | "defaults" | "local") && !l.ends_with(".local"))
        .map(str::to_owned);
    let description = format!(
        "{} ({})",
        layers.iter().map(|l| l.file.to_string()).collect::<Vec<_>>().join(" < "),
        set.merge.as_str()
    );
    // Tree merges take the base and change it in place (a copy of every base would cost more than
    // the merge), keeping only where a later layer replaced a base value, for provenance; the
    // flat merges rebuild the tree from all layers, which they keep.
    let in_place = !matches!(set.merge, Merge::Spring | Merge::DotNet);
    let bodies = || layers.iter().map(|l| &l.body).collect::<Vec<_>>();
    let (body, replaced) = match set.merge {
        Merge::Spring => (spring::merge_for(&bodies(), environment, profile.as_deref()), Vec::new()),
        Merge::DotNet => (dotnet::merge(&bodies()), Vec::new()),
        _ => {
            let base = std::mem::replace(&mut layers[0].body, Node::Null);
            merge_in_place(set.merge, base, &layers[1..])
        }
    };
    let layered =
        Layered { merge: set.merge, layers, environment: environment.to_owned(), profile, in_place, replaced };
    rest.insert(Entity::layered(EntityId::new(domain, set.scope.as_str()), line, body, layered))?;
    Ok(Outcome::Merged(description, Box::new(rest)))
}

/// The base merged with the layers above it in place (Helm, node-config, dotenv, declared sets),
/// with where a layer replaced a base value.
fn merge_in_place(merge: Merge, base: Node, overlays: &[Layer]) -> (Node, deep::Replaced) {
    let (mut body, mut replaced, mut path) = (base, Vec::new(), Vec::new());
    if overlays.is_empty() {
        return (body, replaced);
    }
    if merge == Merge::Helm {
        let users: Vec<&Node> = overlays.iter().map(|l| &l.body).collect();
        return (helm::merge_into(body, &users, &mut replaced), replaced);
    }
    for (k, overlay) in overlays.iter().enumerate() {
        // A value an earlier layer set is not the base's.
        let from_base = |p: &[Segment]| !overlays[..k].iter().any(|l| find(&l.body, p, Keys::Exact, 0, 0).is_some());
        deep::over_in_place(&mut body, &overlay.body, deep::Nulls::Overwrite, &mut path, &mut replaced, &from_base);
    }
    (body, replaced)
}

/// A layer's body as its runtime reads it: Spring keeps its documents; for every other merge a
/// layer is a map (the documents of a multi-document file merged in order, as Helm 4 does), and a
/// node-config `.properties` file's dotted keys nest.
fn layer_body(merge: Merge, file: &str, body: Node) -> Result<Node> {
    if merge == Merge::Spring {
        return Ok(body);
    }
    let body = match body {
        Node::List(list) if list.items().iter().all(|d| matches!(d, Node::Map(_) | Node::Null)) => {
            let documents: Vec<&Node> = list.items().iter().filter(|d| matches!(d, Node::Map(_))).collect();
            deep::merge(&documents)
        }
        Node::Null => Node::Map(crate::model::Map::default()),
        body => body,
    };
    if !matches!(body, Node::Map(_)) {
        return Err(crate::error::Error::input(
            file,
            1,
            format!("a {} layer must be a map of settings, not {}", merge.as_str(), body.type_name()),
        ));
    }
    if merge == Merge::NodeConfig && file.ends_with(".properties") {
        return Ok(deep::nest_dotted(body));
    }
    Ok(body)
}

/// A list for a note: the first three, then how many more.
pub(crate) fn summary(items: &[String]) -> String {
    let mut text = items.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 3 {
        text.push_str(&format!(" and {} more", items.len() - 3));
    }
    text
}

/// One layer of an effective configuration: its file, what it is (`base`, `production`,
/// `local`…) and its body as read (secrets already protected).
#[derive(Debug)]
pub(crate) struct Layer {
    pub(crate) file: Arc<str>,
    pub(crate) label: String,
    pub(crate) body: Node,
}

/// The layers an effective configuration was merged from, kept for provenance.
#[derive(Debug)]
pub(crate) struct Layered {
    merge: Merge,
    layers: Vec<Layer>,
    /// The environment and (Spring) profile it was merged for: which documents applied.
    environment: String,
    profile: Option<String>,
    /// Merged in place: the base layer's body is the merged entity's (kept as `Null` here), and
    /// `replaced` says where a later layer replaced a base value, with the base's line.
    in_place: bool,
    replaced: deep::Replaced,
}

impl Layered {
    #[cfg(test)]
    pub(crate) fn new(merge: Merge, layers: Vec<Layer>) -> Self {
        Layered { merge, layers, environment: String::new(), profile: None, in_place: false, replaced: Vec::new() }
    }

    /// The first layer's file (the entity's).
    pub(crate) fn base_file(&self) -> Arc<str> {
        self.layers.first().map_or_else(|| Arc::from(""), |l| l.file.clone())
    }

    /// Every layer that sets the value at `path`, lowest first; `merged` is the entity's body.
    pub(crate) fn origins(&self, path: &Path, merged: &Node) -> Vec<Origin> {
        if self.in_place {
            return self.origins_in_place(path, merged);
        }
        let keys = match self.merge {
            Merge::Spring => Keys::Relaxed,
            Merge::DotNet => Keys::CaseInsensitive,
            _ => Keys::Exact,
        };
        self.layers
            .iter()
            .filter_map(|layer| {
                let line = match (&layer.body, self.merge) {
                    // A Spring file's documents: the last one that sets the value.
                    (Node::List(documents), Merge::Spring) => documents
                        .items()
                        .iter()
                        .rev()
                        .filter(|d| spring::applies(d, &self.environment, self.profile.as_deref()))
                        .find_map(|d| find(d, path.segments(), keys, 0, 0))?,
                    (body, _) => find(body, path.segments(), keys, 0, 0)?,
                };
                Some(Origin { file: layer.file.clone(), line: (line > 0).then_some(line), layer: layer.label.clone() })
            })
            .collect()
    }
}

impl Layered {
    fn origins_in_place(&self, path: &Path, merged: &Node) -> Vec<Origin> {
        let segments = path.segments();
        let origin = |layer: &Layer, line: u32| Origin {
            file: layer.file.clone(),
            line: (line > 0).then_some(line),
            layer: layer.label.clone(),
        };
        let above: Vec<Origin> = self.layers[1..]
            .iter()
            .filter_map(|l| find(&l.body, segments, Keys::Exact, 0, 0).map(|line| origin(l, line)))
            .collect();
        // Untouched by the layers above, a value is the base's, where the merged body has it; else
        // the base's line is where a layer replaced it (or the nearest enclosing replacement).
        let base_line = if above.is_empty() {
            find(merged, segments, Keys::Exact, 0, 0)
        } else {
            self.replaced
                .iter()
                .filter(|(p, _)| segments.starts_with(p.segments()))
                .max_by_key(|(p, _)| p.segments().len())
                .map(|(_, line)| *line)
        };
        let base = self.layers.first().zip(base_line).map(|(l, line)| origin(l, line));
        base.into_iter().chain(above).collect()
    }
}

/// How a layer's keys are matched against a path's.
#[derive(Clone, Copy, Debug)]
enum Keys {
    Exact,
    /// .NET: case-insensitive, `:` inside a key separates segments.
    CaseInsensitive,
    /// Spring: relaxed names, `.` inside a key separates segments.
    Relaxed,
}

/// The line where `body` sets the value at `segments` (`line` is the line of the field holding
/// `body`); `None` when this layer does not set it. A list sets everything inside it (lists are
/// replaced whole, or matched by position).
fn find(body: &Node, segments: &[Segment], keys: Keys, line: u32, depth: usize) -> Option<u32> {
    let Some((first, rest)) = segments.split_first() else { return Some(line) };
    if depth > crate::source::MAX_DEPTH {
        return None;
    }
    match (body, first) {
        (Node::Map(map), Segment::Key(key)) => match keys {
            Keys::Exact => {
                let field = map.field(key)?;
                find(field.node(), rest, keys, field.line(), depth + 1)
            }
            Keys::CaseInsensitive | Keys::Relaxed => map.fields().iter().find_map(|field| {
                let parts = match keys {
                    Keys::Relaxed => spring::segments(field.key()),
                    _ => dotnet::segments(field.key()),
                };
                let remaining = matched(&parts, segments, keys)?;
                find(field.node(), remaining, keys, field.line(), depth + 1)
            }),
        },
        (Node::List(list), Segment::Index(i)) => find(list.items().get(*i)?, rest, keys, line, depth + 1),
        // .NET spells positions as keys (`Hosts:0`).
        (Node::List(list), Segment::Key(key)) => {
            let i: usize = key.parse().ok()?;
            find(list.items().get(i)?, rest, keys, line, depth + 1)
        }
        // A named item (`[name=api]`): the item with that name, where the key is one field.
        (Node::List(list), Segment::Keyed(label)) if !label.contains(',') => {
            let (field, value) = label.split_once('=')?;
            let value = value.trim_matches('"');
            let item = list.items().iter().find(|item| {
                item.as_map().is_some_and(|m| {
                    m.fields().iter().any(|f| {
                        let same_field = match keys {
                            Keys::Exact => f.key() == field,
                            _ => f.key().eq_ignore_ascii_case(field),
                        };
                        same_field && f.node().as_str() == Some(value)
                    })
                })
            })?;
            find(item, rest, keys, line, depth + 1)
        }
        (Node::List(_), _) => Some(line),
        // Spring's comma-separated list (`hosts=a,b`) sets every position.
        (Node::String(_), Segment::Index(_)) if matches!(keys, Keys::Relaxed) => Some(line),
        _ => None,
    }
}

/// What is left of `segments` after a key made of `parts` (`payment.sandbox` in one Spring key,
/// `Payment:Sandbox` in one .NET key), if the key matches their start.
fn matched<'s>(parts: &[flat::Seg], segments: &'s [Segment], keys: Keys) -> Option<&'s [Segment]> {
    if parts.is_empty() || parts.len() > segments.len() {
        return None;
    }
    for (part, segment) in parts.iter().zip(segments) {
        let same = match (part, segment) {
            (flat::Seg::Name(name), Segment::Key(key)) => match keys {
                Keys::Relaxed => spring::uniform(name) == spring::uniform(key),
                _ => name.eq_ignore_ascii_case(key),
            },
            (flat::Seg::Index(i), Segment::Index(j)) => i == j,
            (flat::Seg::Index(i), Segment::Key(key)) => key.parse::<usize>().ok() == Some(*i),
            _ => false,
        };
        if !same {
            return None;
        }
    }
    Some(&segments[parts.len()..])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Field;

    /// A YAML document's root node, for the merges' tests.
    pub(crate) fn yaml(text: &str) -> Node {
        crate::source::yaml::documents("t.yaml", text, 1 << 20)
            .map(|(d, _)| d.into_iter().next().map(|d| d.node))
            .ok()
            .flatten()
            .unwrap_or(Node::Null)
    }

    fn layer(label: &str, body: Node) -> Layer {
        Layer { file: Arc::from(format!("{label}.yaml")), label: label.to_owned(), body }
    }

    #[test]
    fn origins_name_every_layer_that_sets_a_value() {
        let base = Node::map(vec![Field::new(
            "payment",
            1,
            Node::map(vec![Field::new("sandbox", 2, Node::Bool(true)), Field::new("url", 3, Node::string("x"))]),
        )]);
        let prod = Node::map(vec![Field::new("payment", 1, Node::map(vec![Field::new("url", 2, Node::string("y"))]))]);
        let layered = Layered::new(Merge::Helm, vec![layer("base", base), layer("production", prod)]);
        let path = |p: &str| p.parse::<Path>().unwrap_or_default();
        let sandbox = layered.origins(&path("payment.sandbox"), &Node::Null);
        assert_eq!(sandbox.len(), 1);
        assert_eq!((sandbox[0].layer.as_str(), sandbox[0].line), ("base", Some(2)));
        let url = layered.origins(&path("payment.url"), &Node::Null);
        assert_eq!(url.iter().map(|o| o.layer.as_str()).collect::<Vec<_>>(), ["base", "production"]);
        assert!(layered.origins(&path("payment.missing"), &Node::Null).is_empty());
    }

    #[test]
    fn relaxed_and_case_insensitive_lookups() {
        let spring = Node::map(vec![Field::new("payment.webhook-secret", 4, Node::string("x"))]);
        let layered = Layered::new(Merge::Spring, vec![layer("base", spring)]);
        let path: Path = "payment.webhookSecret".parse().unwrap_or_default();
        assert_eq!(layered.origins(&path, &Node::Null).first().and_then(|o| o.line), Some(4));
        let dotnet =
            Node::map(vec![Field::new("Payment", 1, Node::map(vec![Field::new("Sandbox", 2, Node::Bool(true))]))]);
        let layered = Layered::new(Merge::DotNet, vec![layer("base", dotnet)]);
        let path: Path = "payment.SANDBOX".parse().unwrap_or_default();
        assert_eq!(layered.origins(&path, &Node::Null).first().and_then(|o| o.line), Some(2));
    }
}
