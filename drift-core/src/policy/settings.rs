//! Which values of an entity are settings that guards look at: `.env` keys, ConfigMap data,
//! container env values, a flag's served value, every leaf of a configuration file; and the
//! containers of a Kubernetes object.

use crate::model::{Domain, Entity, Node};
use crate::path::{Path, Segment};

use super::k8s;

/// Calls `f` with each setting of an entity that guards look at: a lazily built path (most settings
/// pass every guard, and their paths are never needed), the setting's name, its value and its line.
/// Settings are `.env` keys, ConfigMap data and container env values.
pub(super) fn for_each_setting<'a>(entity: &'a Entity, mut f: impl FnMut(&dyn Fn() -> Path, &str, &'a Node, u32)) {
    match (entity.id().domain(), entity.body()) {
        (Domain::Env, Node::Map(map)) => {
            for field in map.fields() {
                let path = || Path::from_segments(vec![Segment::Key(field.key().into())]);
                f(&path, field.key(), field.node(), field.line());
            }
        }
        (Domain::Flag, Node::Map(map)) => {
            // A flag is a setting named by its key: what it serves when on, `false` when off.
            let enabled = matches!(map.get("enabled"), Some(Node::Bool(true)));
            if let Some(default) = map.field("default") {
                let value = if enabled { default.node() } else { &Node::Bool(false) };
                let path = || Path::from_segments(vec![Segment::Key("default".into())]);
                f(&path, entity.id().address(), value, default.line());
            } else if let Some(on) = map.field("enabled") {
                // A toggle with no served value (Unleash): on or off is the value.
                let path = || Path::from_segments(vec![Segment::Key("enabled".into())]);
                let value = if enabled { &Node::Bool(true) } else { &Node::Bool(false) };
                f(&path, entity.id().address(), value, on.line());
            }
        }
        (Domain::K8s, body) => {
            if matches!(k8s::kind_of(entity.id().address()), "ConfigMap" | "Secret")
                && let Some(data) = body.as_map().and_then(|m| m.field("data"))
                && let Some(map) = data.node().as_map()
            {
                for field in map.fields() {
                    let path =
                        || Path::from_segments(vec![Segment::Key("data".into()), Segment::Key(field.key().into())]);
                    f(&path, field.key(), field.node(), field.line());
                }
            }
            for container in containers(body) {
                let env = container.node.as_map().and_then(|m| m.get("env")).and_then(Node::as_list);
                for item in env.map(|l| l.items()).unwrap_or_default() {
                    let Some(map) = item.as_map() else { continue };
                    let (Some(name), Some(value)) = (map.get("name").and_then(Node::as_str), map.field("value")) else {
                        continue;
                    };
                    let path = || {
                        let env = container.path().child(Segment::Key("env".into()));
                        env.child(Segment::Keyed(format!("name={}", path_value(name)).into()))
                            .child(Segment::Key("value".into()))
                    };
                    f(&path, name, value.node(), value.line());
                }
            }
        }
        (Domain::Cfg, body) => {
            // Every leaf of a configuration file is a setting named by its dotted path
            // (`payment.sandbox`), as the runtimes that read such files name them; inside lists too
            // (`providers[name=stripe].sandbox` is `providers.sandbox`, `env: [{name: X, value: Y}]`
            // is `X`), and in every document of a multi-document file.
            config_leaves(body, &mut Vec::new(), &mut Vec::new(), &mut f);
        }
        _ => {}
    }
}

/// A step into a configuration file, kept borrowed until a finding needs its path.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Keyed(&'a [Box<str>], &'a Node),
    Index(usize),
}

fn path_of(steps: &[Step<'_>]) -> Path {
    Path::from_segments(
        steps
            .iter()
            .map(|step| match *step {
                Step::Key(k) => Segment::Key(k.into()),
                Step::Keyed(key, item) => Segment::Keyed(crate::label::keyed_text(key, item).into()),
                Step::Index(i) => Segment::Index(i),
            })
            .collect(),
    )
}

/// The scalar leaves of a configuration file. `names` are the map keys on the way (a setting's
/// dotted name), `steps` the whole path.
fn config_leaves<'a>(
    node: &'a Node,
    names: &mut Vec<&'a str>,
    steps: &mut Vec<Step<'a>>,
    f: &mut impl FnMut(&dyn Fn() -> Path, &str, &'a Node, u32),
) {
    if steps.len() > 64 {
        return;
    }
    match node {
        Node::Map(map) => {
            for field in map.fields() {
                names.push(field.key());
                steps.push(Step::Key(field.key()));
                match field.node() {
                    Node::Map(_) | Node::List(_) => config_leaves(field.node(), names, steps, f),
                    leaf => {
                        let name = names.join(".");
                        f(&|| path_of(steps), &name, leaf, field.line());
                    }
                }
                steps.pop();
                names.pop();
            }
        }
        Node::List(list) => {
            let key = list.kind().key();
            for (i, item) in list.items().iter().enumerate() {
                let Some(map) = item.as_map() else { continue };
                steps.push(match key {
                    Some(key) => Step::Keyed(key, item),
                    None => Step::Index(i),
                });
                // `{name: PAYMENT_SANDBOX, value: "true"}`: a setting named by its pair's name.
                let pair_name = ["name", "key", "Name", "Key"].iter().find_map(|k| map.get(k)).and_then(Node::as_str);
                let pair_value = ["value", "Value"].iter().find_map(|k| map.field(k));
                match (pair_name, pair_value) {
                    (Some(name), Some(value))
                        if map.len() == 2 && !matches!(value.node(), Node::Map(_) | Node::List(_)) =>
                    {
                        steps.push(Step::Key(value.key()));
                        f(&|| path_of(steps), name, value.node(), value.line());
                        steps.pop();
                    }
                    _ => config_leaves(item, names, steps, f),
                }
                steps.pop();
            }
        }
        _ => {}
    }
}

/// A value as it stands inside a path segment.
pub(super) fn path_value(value: &str) -> String {
    let mut out = String::new();
    crate::path::push_value(&mut out, value);
    out
}

/// A container found in a Kubernetes object: the keys leading to its list, its name, its node.
pub(super) struct Container<'a> {
    keys: Vec<&'a str>,
    pub(super) name: &'a str,
    pub(super) node: &'a Node,
}

impl Container<'_> {
    /// The container's path (built only when a finding needs it).
    pub(super) fn path(&self) -> Path {
        let mut segments: Vec<Segment> = self.keys.iter().map(|k| Segment::Key((*k).into())).collect();
        segments.push(Segment::Keyed(format!("name={}", path_value(self.name)).into()));
        Path::from_segments(segments)
    }
}

/// Every container of a Kubernetes object (pods, pod templates, job templates).
pub(super) fn containers(body: &Node) -> Vec<Container<'_>> {
    fn walk<'a>(node: &'a Node, keys: &mut Vec<&'a str>, out: &mut Vec<Container<'a>>) {
        let Some(map) = node.as_map() else { return };
        if keys.len() > 8 {
            return;
        }
        for field in map.fields() {
            match (field.key(), field.node()) {
                ("containers" | "initContainers", Node::List(list)) => {
                    keys.push(field.key());
                    for item in list.items() {
                        if let Some(name) = item.as_map().and_then(|m| m.get("name")).and_then(Node::as_str) {
                            out.push(Container { keys: keys.clone(), name, node: item });
                        }
                    }
                    keys.pop();
                }
                ("spec" | "template" | "jobTemplate", inner) => {
                    keys.push(field.key());
                    walk(inner, keys, out);
                    keys.pop();
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(body, &mut Vec::new(), &mut out);
    out
}

/// The source line of the deepest map field along a path (0 when unknown).
pub(super) fn line_of(body: &Node, path: &Path) -> u32 {
    let segments = path.segments();
    let mut line = 0;
    for i in 1..=segments.len() {
        let parent = body.at(&Path::from_segments(segments[..i - 1].to_vec()));
        if let (Some(Segment::Key(key)), Some(parent)) = (segments.get(i - 1), parent)
            && let Some(field) = parent.as_map().and_then(|m| m.field(key))
            && field.line() > 0
        {
            line = field.line();
        }
    }
    line
}
