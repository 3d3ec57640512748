//! Files a kustomization turns into Secrets: a `secretGenerator`'s `envs` (and the older `env`)
//! and `files` are Secret data once built, whatever their names say, so every value they hold is
//! a secret (the generator's `literals` are marked where they stand, by the classifier).

use crate::model::{Domain, Node, Snapshot};

use super::LoadOptions;

/// Marks every value of the files the environment's kustomizations feed to a `secretGenerator`.
pub(crate) fn protect_generated_secrets(snapshot: &mut Snapshot, options: &LoadOptions) {
    let mut files: Vec<String> = Vec::new();
    for entity in snapshot.entities.values().filter(|e| e.id().domain() == Domain::Cfg) {
        let name = entity.file().rsplit(['/', '\\']).next().unwrap_or_default();
        if !matches!(name, "kustomization.yaml" | "kustomization.yml" | "Kustomization") {
            continue;
        }
        let Some(Node::List(generators)) = entity.body().as_map().and_then(|m| m.get("secretGenerator")) else {
            continue;
        };
        let dir = entity.file().rsplit_once(['/', '\\']).map_or("", |(d, _)| d);
        for generator in generators.items() {
            let Some(map) = generator.as_map() else { continue };
            let mut paths: Vec<&str> = Vec::new();
            for key in ["envs", "files"] {
                if let Some(Node::List(list)) = map.get(key) {
                    // `files` entries may be `key=path`.
                    paths.extend(
                        list.items().iter().filter_map(Node::as_str).map(|p| p.rsplit('=').next().unwrap_or(p)),
                    );
                }
            }
            paths.extend(map.get("env").and_then(Node::as_str));
            for path in paths {
                let path = path.trim_start_matches("./");
                files.push(if dir.is_empty() { path.to_owned() } else { format!("{dir}/{path}") });
            }
        }
    }
    if files.is_empty() {
        return;
    }
    for entity in snapshot.entities.values_mut() {
        if files.iter().any(|f| **entity.file() == **f) {
            secret_leaves(entity.body_mut(), options, 0);
        }
    }
}

/// Every string and number under `node` becomes a secret.
fn secret_leaves(node: &mut Node, options: &LoadOptions, depth: usize) {
    if depth > super::MAX_DEPTH {
        return;
    }
    match node {
        Node::String(s) => *node = options.secrets.always(&options.fingerprinter, s.as_bytes()),
        Node::Number(n) => *node = options.secrets.always(&options.fingerprinter, n.as_str().as_bytes()),
        Node::Map(map) => {
            for field in map.fields_mut() {
                secret_leaves(field.node_mut(), options, depth + 1);
            }
        }
        Node::List(list) => {
            for item in list.items_mut() {
                secret_leaves(item, options, depth + 1);
            }
            list.recanonicalize();
        }
        _ => {}
    }
}
