//! Which workloads take a ConfigMap key into their containers' environment, and whether each
//! overrides it: a guard on a ConfigMap key is about what containers run with (issue 16, part of
//! the effective container environment).
//!
//! A container consumes key `K` of ConfigMap `cm` through `envFrom: [{configMapRef: {name: cm},
//! prefix: P}]` (variable `P` + `K`) or `env: [{name: V, valueFrom: {configMapKeyRef: {name: cm,
//! key: K}}}]`. It overrides an `envFrom` variable when its own `env` sets the same name: `env`
//! wins over `envFrom`, as the kubelet resolves them.

use crate::model::{Domain, Node, Snapshot};

use super::k8s::kind_of;
use super::settings::containers;

/// One consuming container: `Deployment/web (container api)`, and whether its own `env`
/// overrides the key.
pub(super) struct Consumer {
    pub(super) label: String,
    pub(super) overrides: bool,
}

/// The containers of `snapshot` in `namespace` that take `key` of ConfigMap `name`.
pub(super) fn of_config_map_key(snapshot: &Snapshot, namespace: &str, name: &str, key: &str) -> Vec<Consumer> {
    Index::build(snapshot, Some((namespace, name))).consumers(namespace, name, key)
}

/// How one container takes a ConfigMap into its environment.
enum Use {
    /// `envFrom` with a prefix; the variables its own `env` sets (not from this ConfigMap).
    EnvFrom { prefix: String, own: Vec<String> },
    /// `env[].valueFrom.configMapKeyRef` of this key.
    Key(String),
}

/// Every container's use of every ConfigMap, by namespace and ConfigMap: one scan of a snapshot.
pub(super) struct Index {
    uses: std::collections::HashMap<(String, String), Vec<(String, Use)>>,
}

impl Index {
    /// Indexes `snapshot`'s workloads (only their uses of one ConfigMap, with `only`).
    pub(super) fn build(snapshot: &Snapshot, only: Option<(&str, &str)>) -> Index {
        let text =
            |node: &Node, k: &str| node.as_map().and_then(|m| m.get(k)).and_then(Node::as_str).map(str::to_owned);
        let get = |node: &Node, k: &str| node.as_map().and_then(|m| m.get(k)).cloned();
        let mut uses: std::collections::HashMap<(String, String), Vec<(String, Use)>> =
            std::collections::HashMap::new();
        for entity in snapshot.entities().filter(|e| e.id().domain() == Domain::K8s) {
            let address = entity.id().address();
            let kind = kind_of(address);
            let namespace = address.split('/').nth(2).unwrap_or_default();
            if matches!(kind, "ConfigMap" | "Secret") || only.is_some_and(|(ns, _)| ns != namespace) {
                continue;
            }
            let workload = address.rsplit('/').next().unwrap_or_default();
            for container in containers(entity.body()) {
                let env_items: Vec<Node> = match get(container.node, "env") {
                    Some(Node::List(list)) => list.items().to_vec(),
                    _ => Vec::new(),
                };
                let label = format!("{kind}/{workload} (container {})", container.name);
                let from = match get(container.node, "envFrom") {
                    Some(Node::List(list)) => list.items().to_vec(),
                    _ => Vec::new(),
                };
                let mut add = |map: String, used: Use| {
                    if only.is_none_or(|(_, name)| name == map) {
                        uses.entry((namespace.to_owned(), map)).or_default().push((label.clone(), used));
                    }
                };
                for source in &from {
                    let Some(map) = get(source, "configMapRef").and_then(|r| text(&r, "name")) else { continue };
                    // The container's own variables, except those it takes from this ConfigMap.
                    let own = env_items
                        .iter()
                        .filter(|e| {
                            get(e, "valueFrom")
                                .and_then(|v| get(&v, "configMapKeyRef"))
                                .is_none_or(|r| text(&r, "name").as_deref() != Some(map.as_str()))
                        })
                        .filter_map(|e| text(e, "name"))
                        .collect();
                    add(map, Use::EnvFrom { prefix: text(source, "prefix").unwrap_or_default(), own });
                }
                for item in &env_items {
                    let Some(reference) = get(item, "valueFrom").and_then(|v| get(&v, "configMapKeyRef")) else {
                        continue;
                    };
                    if let (Some(map), Some(key)) = (text(&reference, "name"), text(&reference, "key")) {
                        add(map, Use::Key(key));
                    }
                }
            }
        }
        Index { uses }
    }

    /// The containers that take `key` of ConfigMap `name` in `namespace`.
    pub(super) fn consumers(&self, namespace: &str, name: &str, key: &str) -> Vec<Consumer> {
        let Some(uses) = self.uses.get(&(namespace.to_owned(), name.to_owned())) else { return Vec::new() };
        uses.iter()
            .filter_map(|(label, used)| match used {
                Use::EnvFrom { prefix, own } => {
                    let variable = format!("{prefix}{key}");
                    Some(Consumer { label: label.clone(), overrides: own.contains(&variable) })
                }
                Use::Key(k) if k == key => Some(Consumer { label: label.clone(), overrides: false }),
                Use::Key(_) => None,
            })
            .collect()
    }
}

/// Names the workloads that run with a ConfigMap key in every finding about it (DESIGN §10: "a
/// finding on a ConfigMap names the workloads that consume it"); guards name them already.
pub(super) fn name_in_findings(findings: &mut [crate::report::Finding], left: &Snapshot, right: &Snapshot) {
    use crate::path::Segment;
    let about = |f: &crate::report::Finding| {
        let segments = f.path.segments();
        let key = match (segments.first(), segments.get(1)) {
            (Some(Segment::Key(data)), Some(Segment::Key(key))) if &**data == "data" => Some(key.to_string()),
            _ => None,
        };
        (f.change != crate::report::FindingKind::Guard && kind_of(f.entity.address()) == "ConfigMap")
            .then_some(key)
            .flatten()
    };
    if !findings.iter().any(|f| about(f).is_some()) {
        return;
    }
    let (left_index, right_index) = (Index::build(left, None), Index::build(right, None));
    for finding in findings.iter_mut() {
        let Some(key) = about(finding) else { continue };
        let mut parts = finding.entity.address().split('/').skip(2);
        let (namespace, name) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        let index = if finding.location.right.is_some() { &right_index } else { &left_index };
        let used_by: Vec<String> =
            index.consumers(namespace, name, &key).into_iter().filter(|c| !c.overrides).map(|c| c.label).collect();
        if !used_by.is_empty() {
            finding.message = format!("{} (used by {})", finding.message, used_by.join(", "));
        }
    }
}
