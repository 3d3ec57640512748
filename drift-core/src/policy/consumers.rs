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
    let text = |node: &Node, k: &str| node.as_map().and_then(|m| m.get(k)).and_then(Node::as_str).map(str::to_owned);
    let get = |node: &Node, k: &str| node.as_map().and_then(|m| m.get(k)).cloned();
    let mut out = Vec::new();
    for entity in snapshot.entities().filter(|e| e.id().domain() == Domain::K8s) {
        let address = entity.id().address();
        let kind = kind_of(address);
        if address.split('/').nth(2) != Some(namespace) || matches!(kind, "ConfigMap" | "Secret") {
            continue;
        }
        let workload = address.rsplit('/').next().unwrap_or_default();
        for container in containers(entity.body()) {
            let env_items: Vec<Node> = match get(container.node, "env") {
                Some(Node::List(list)) => list.items().to_vec(),
                _ => Vec::new(),
            };
            let sets = |variable: &str| {
                env_items.iter().any(|e| {
                    text(e, "name").as_deref() == Some(variable)
                        && get(e, "valueFrom")
                            .and_then(|v| get(&v, "configMapKeyRef"))
                            .is_none_or(|r| text(&r, "name").as_deref() != Some(name))
                })
            };
            let label = format!("{kind}/{workload} (container {})", container.name);
            let from = match get(container.node, "envFrom") {
                Some(Node::List(list)) => list.items().to_vec(),
                _ => Vec::new(),
            };
            for source in &from {
                let Some(reference) = get(source, "configMapRef") else { continue };
                if text(&reference, "name").as_deref() != Some(name) {
                    continue;
                }
                let variable = format!("{}{key}", text(source, "prefix").unwrap_or_default());
                out.push(Consumer { label: label.clone(), overrides: sets(&variable) });
            }
            for item in &env_items {
                let reference = get(item, "valueFrom").and_then(|v| get(&v, "configMapKeyRef"));
                if reference
                    .as_ref()
                    .is_some_and(|r| text(r, "name").as_deref() == Some(name) && text(r, "key").as_deref() == Some(key))
                {
                    out.push(Consumer { label: label.clone(), overrides: false });
                }
            }
        }
    }
    out
}
