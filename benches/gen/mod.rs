//! Generators shared by the benches and the `gen_env` example: large `.env` files and synthetic
//! models with known drift. Deterministic, standard library only.

#![allow(dead_code)]

use std::sync::Arc;

use drift_core::{Domain, Entity, EntityId, Field, List, Node, Number, Snapshot};

/// One side's `.env` lines, about 40 bytes each: every 997th key is missing in production, every
/// 101st setting changed, a tenth of the keys are endpoints (differing only by environment name) and
/// a tenth are secrets (every 7th of those is the same on both sides).
pub(crate) fn env_lines(side: &str, keys: usize) -> impl Iterator<Item = String> + '_ {
    let production = side == "production";
    (0..keys).filter_map(move |i| {
        if production && i % 997 == 0 {
            return None;
        }
        let host = if production { "production" } else { "staging" };
        Some(match i % 10 {
            0 => format!("SERVICE_{i:07}_URL=https://s{i}.{host}.internal\n"),
            1 => format!("SERVICE_{i:07}_TOKEN=tok-{}-{i:07}\n", if production && i % 7 != 0 { "p" } else { "s" }),
            _ if production && i % 101 == 0 => format!("SETTING_{i:07}=value-{i:07}-changed\n"),
            _ => format!("SETTING_{i:07}=value-{i:07}-abcdefgh\n"),
        })
    })
}

/// One side's whole `.env` text.
pub(crate) fn env_text(side: &str, keys: usize) -> String {
    env_lines(side, keys).collect()
}

/// A synthetic snapshot of `entities` Kubernetes-like objects: a few scalars, a keyed list of
/// containers and a set; on the right, 1% of the entities carry a change.
pub(crate) fn model(side: &str, entities: usize) -> Snapshot {
    let right = side == "production";
    let file: Arc<str> = Arc::from(format!("{side}/all.yaml"));
    let mut snapshot = Snapshot::new(side);
    for i in 0..entities {
        let changed = right && i % 100 == 0;
        let replicas = if changed { 3 } else { 2 };
        let container = |name: &str, image: String| {
            Node::map(vec![
                Field::new("name", 0, Node::string(name)),
                Field::new("image", 0, Node::string(image)),
                Field::new(
                    "args",
                    0,
                    Node::List(Box::new(List::sequence(vec![Node::string("--port=8080"), Node::string("--verbose")]))),
                ),
            ])
        };
        let body = Node::map(vec![
            Field::new("replicas", 1, Node::Number(Box::new(Number::from_i64(replicas)))),
            Field::new("app", 2, Node::string(format!("app-{i}"))),
            Field::new(
                "containers",
                3,
                Node::List(Box::new(List::keyed(
                    &["name"],
                    vec![
                        container("api", format!("registry/app-{i}:1.{}", u8::from(changed))),
                        container("sidecar", "envoy:1.30".into()),
                    ],
                ))),
            ),
            Field::new(
                "cidrs",
                9,
                Node::List(Box::new(List::set(vec![Node::string("10.0.0.0/8"), Node::string("192.168.0.0/16")]))),
            ),
        ]);
        let id = EntityId::new(Domain::K8s, format!("apps/Deployment/ns-{}/app-{i}", i % 50));
        let _ = snapshot.insert(Entity::new(id, file.clone(), (i * 40 + 1) as u32, body));
    }
    snapshot
}
