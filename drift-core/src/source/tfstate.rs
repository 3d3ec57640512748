//! Terraform state: raw state files (format version 4, written by Terraform ≥ 0.12 and OpenTofu;
//! `terraform state pull` output) and `terraform show -json` documents.
//!
//! Each resource instance becomes an entity `tf:<address>` addressed as Terraform prints it
//! (`module.a["x"].aws_instance.web[0]`, `data.aws_caller_identity.current`), each root output
//! `tf:output.<name>`, and the state itself `tf:state` (its `terraform_version`). Sensitive values
//! (`sensitive_attributes`, `sensitive_values`, sensitive outputs, and attributes named like
//! secrets) are fingerprinted before anything else sees them. Attributes are normalized:
//!
//! - blocks without a natural key (security-group `ingress`/`egress`, NACL entries, `setting`…) and
//!   lists the providers treat as sets (`cidr_blocks`, `vpc_security_group_ids`, …) are sets;
//! - strings that hold JSON documents (IAM and bucket policies, `redrive_policy`,
//!   `container_definitions`, …) are parsed, so key order and whitespace are not drift and a
//!   finding's path continues into the document (`redrive_policy.maxReceiveCount`);
//! - the legacy `attributes_flat` form is read as a flat map.
//!
//! Bookkeeping (`serial`, `lineage`, `private`, `dependencies`, `schema_version`) is not kept.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{Domain, Entity, EntityId, Field, List, ListKind, Node};

use super::Context;
use super::json::JsonNode;

/// Attribute names whose lists are sets in the providers' schemas (a table that is easy to extend).
const SET_ATTRIBUTES: &[&str] = &[
    "ingress",
    "egress",
    "entry",
    "setting",
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "prefix_list_ids",
    "security_groups",
    "security_group_ids",
    "vpc_security_group_ids",
    "source_security_group_ids",
    "subnet_ids",
    "subnets",
    "availability_zones",
    "managed_policy_arns",
    "aliases",
    "ebs_block_device",
    "ephemeral_block_device",
    "enabled_cloudwatch_logs_exports",
    "tag",
    "statement",
    "rule",
    "origin",
    "ordered_cache_behavior",
    "lifecycle_rule",
    "allowed_methods",
    "cached_methods",
    "allowed_origins",
    "allowed_headers",
    "expose_headers",
    "target_group_arns",
    "load_balancers",
    "vpc_zone_identifier",
    "replication_group_ids",
    "tags_list",
];

/// JSON-document keys whose lists are sets (IAM policy grammar).
const POLICY_SETS: &[&str] =
    &["Statement", "Action", "NotAction", "Resource", "NotResource", "AWS", "Service", "Federated"];

/// Whether bytes look like a Terraform state (either format).
pub(crate) fn looks_like_state(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    head.trim_ascii_start().starts_with(b"{")
        && (has(b"\"terraform_version\"") || has(b"\"format_version\"") || has(b"\"encryption_version\""))
        && (has(b"\"lineage\"")
            || has(b"\"resources\"")
            || has(b"\"values\"")
            || has(b"\"format_version\"")
            || has(b"\"encryption_version\""))
}

/// `index_key`: a number for `count`, a string for `for_each`.
#[derive(Deserialize)]
#[serde(untagged)]
enum IndexKey {
    Int(i64),
    Float(f64),
    Text(String),
}

impl IndexKey {
    fn render(&self) -> String {
        match self {
            IndexKey::Int(i) => format!("[{i}]"),
            IndexKey::Float(f) => format!("[{f}]"),
            IndexKey::Text(s) => format!("[{}]", quote(s)),
        }
    }
}

/// Terraform's quoting of a `for_each` key: `"eu"`, with `"` and `\` escaped.
fn quote(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

#[derive(Deserialize)]
struct RawState {
    version: Value,
    terraform_version: Option<String>,
    #[serde(default)]
    outputs: BTreeMap<String, RawOutput>,
    #[serde(default)]
    resources: Vec<RawResource>,
}

#[derive(Deserialize)]
struct RawOutput {
    value: JsonNode,
    #[serde(default)]
    sensitive: bool,
}

#[derive(Deserialize)]
struct RawResource {
    module: Option<String>,
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    name: String,
    #[serde(default)]
    instances: Vec<RawInstance>,
}

#[derive(Deserialize)]
struct RawInstance {
    index_key: Option<IndexKey>,
    status: Option<String>,
    deposed: Option<String>,
    attributes: Option<JsonNode>,
    attributes_flat: Option<BTreeMap<String, String>>,
    #[serde(default)]
    sensitive_attributes: Value,
    #[serde(default)]
    create_before_destroy: bool,
    #[serde(default)]
    private: IgnoredAny,
}

#[derive(Deserialize)]
struct ShowState {
    format_version: String,
    terraform_version: Option<String>,
    values: Option<ShowValues>,
}

#[derive(Deserialize)]
struct ShowValues {
    #[serde(default)]
    outputs: BTreeMap<String, RawOutput>,
    root_module: Option<ShowModule>,
}

#[derive(Deserialize)]
struct ShowModule {
    address: Option<String>,
    #[serde(default)]
    resources: Vec<ShowResource>,
    #[serde(default)]
    child_modules: Vec<ShowModule>,
}

#[derive(Deserialize)]
struct ShowResource {
    address: String,
    index: Option<IndexKey>,
    values: Option<JsonNode>,
    #[serde(default)]
    sensitive_values: Value,
    #[serde(default)]
    tainted: bool,
    deposed_key: Option<String>,
}

/// Reads a state into entities.
pub(crate) fn parse(file: &Arc<str>, bytes: &[u8], ctx: &Context<'_>) -> Result<Vec<Entity>> {
    let bad = |line: usize, message: String| {
        Error::input(file, u32::try_from(line).unwrap_or(0), format!("invalid Terraform state: {message}"))
    };
    // The formats differ in their first keys; a state is parsed once (it may be 100 MB).
    let head = &bytes[..bytes.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"\"encryption_version\"") {
        return Err(bad(1, "the state is encrypted (OpenTofu); decrypt it first with `tofu show -json`".into()));
    }
    let mut entities = Vec::new();
    if has(b"\"format_version\"") {
        let state: ShowState =
            serde_json::from_slice(bytes).map_err(|e| bad(e.line(), crate::error::without_values(&e.to_string())))?;
        if !state.format_version.starts_with("0.") && !state.format_version.starts_with("1.") {
            return Err(bad(
                1,
                format!("show -json format_version {} is not supported (0.x or 1.x)", state.format_version),
            ));
        }
        entities.push(state_entity(file, state.terraform_version));
        if let Some(values) = state.values {
            outputs(file, values.outputs, ctx, &mut entities);
            let mut modules: Vec<ShowModule> = values.root_module.into_iter().collect();
            while let Some(module) = modules.pop() {
                for resource in module.resources {
                    let mut address = resource.address;
                    // Terraform 0.12's show -json left the module path and the instance key out of
                    // the address.
                    if let Some(module) = module.address.as_deref().filter(|m| !address.starts_with(&format!("{m}."))) {
                        address = format!("{module}.{address}");
                    }
                    if let Some(index) = resource.index.filter(|_| !address.ends_with(']')) {
                        address.push_str(&index.render());
                    }
                    if let Some(deposed) = resource.deposed_key {
                        address = format!("{address} (deposed object {deposed})");
                    }
                    let mut body = resource.values.map_or(Node::map(Vec::new()), |v| v.0);
                    body = protect_marked(body, &resource.sensitive_values, ctx);
                    let body = finish(body, resource.tainted, false);
                    entities.push(Entity::new(EntityId::new(Domain::Terraform, address), file.clone(), 0, body));
                }
                modules.extend(module.child_modules);
            }
        }
        return Ok(entities);
    }
    let state: RawState =
        serde_json::from_slice(bytes).map_err(|e| bad(e.line(), crate::error::without_values(&e.to_string())))?;
    match state.version.as_u64() {
        Some(4) => {}
        Some(version) => {
            return Err(bad(1, format!("state version {version} is not supported: Terraform ≥ 0.12 writes version 4")));
        }
        None => {
            return Err(bad(
                1,
                "neither a state (\"version\") nor `terraform show -json` output (\"format_version\")".into(),
            ));
        }
    }
    entities.push(state_entity(file, state.terraform_version));
    outputs(file, state.outputs, ctx, &mut entities);
    for resource in state.resources {
        let mut prefix = String::new();
        if let Some(module) = resource.module.filter(|m| !m.is_empty()) {
            prefix.push_str(&module);
            prefix.push('.');
        }
        if resource.mode == "data" {
            prefix.push_str("data.");
        }
        prefix.push_str(&resource.kind);
        prefix.push('.');
        prefix.push_str(&resource.name);
        for instance in resource.instances {
            let _ = instance.private;
            let mut address = prefix.clone();
            if let Some(key) = &instance.index_key {
                address.push_str(&key.render());
            }
            if let Some(deposed) = &instance.deposed {
                address = format!("{address} (deposed object {deposed})");
            }
            let body = match (instance.attributes, instance.attributes_flat) {
                (Some(JsonNode(node)), _) => node,
                (None, Some(flat)) => {
                    Node::map(flat.into_iter().map(|(k, v)| Field::new(k, 0, Node::string(v))).collect())
                }
                (None, None) => Node::map(Vec::new()),
            };
            let body = protect_paths(body, &instance.sensitive_attributes, ctx);
            let tainted = instance.status.as_deref() == Some("tainted");
            let body = finish(body, tainted, instance.create_before_destroy);
            entities.push(Entity::new(EntityId::new(Domain::Terraform, address), file.clone(), 0, body));
        }
    }
    Ok(entities)
}

fn state_entity(file: &Arc<str>, version: Option<String>) -> Entity {
    let fields = version.map(|v| vec![Field::new("terraform_version", 0, Node::string(v))]).unwrap_or_default();
    Entity::new(EntityId::new(Domain::Terraform, "state"), file.clone(), 0, Node::map(fields))
}

fn outputs(file: &Arc<str>, outputs: BTreeMap<String, RawOutput>, ctx: &Context<'_>, out: &mut Vec<Entity>) {
    for (name, output) in outputs {
        let value = if output.sensitive { secret(output.value.0, ctx) } else { output.value.0 };
        let body =
            Node::map(vec![Field::new("value", 0, value), Field::new("sensitive", 0, Node::Bool(output.sensitive))]);
        out.push(Entity::new(EntityId::new(Domain::Terraform, format!("output.{name}")), file.clone(), 0, body));
    }
}

/// A sensitive value: a fingerprint of its canonical JSON text (strings of their text).
fn secret(node: Node, ctx: &Context<'_>) -> Node {
    let text = match &node {
        Node::Null => return Node::Null,
        Node::String(s) => s.to_string(),
        other => crate::report::value_json(other).to_string(),
    };
    let opts = ctx.options;
    opts.secrets.always(&opts.fingerprinter, text.as_bytes())
}

/// Applies raw-state `sensitive_attributes`: a list of paths, each a list of
/// `{"type": "get_attr", "value": "name"}` and `{"type": "index", "value": {"value": 0, "type":
/// "number"}}` steps (an index's value is cty JSON: a number for a list or tuple, a string for a
/// map's key, any value for a set's element). A step drift cannot follow (a set element) protects
/// the whole value it starts from: a secret is never left plain because its path was unusual.
fn protect_paths(body: Node, paths: &Value, ctx: &Context<'_>) -> Node {
    let mut body = body;
    for path in paths.as_array().into_iter().flatten() {
        let steps: Vec<Step> = match path.as_array() {
            Some(steps) => steps.iter().map(Step::of).collect(),
            // Another shape (a newer state format): protect what its first key names, else all.
            None => vec![Step::Unknown],
        };
        if !steps.is_empty() {
            body = protect_at(body, &steps, ctx);
        }
    }
    body
}

/// One step of a sensitive path.
enum Step {
    Attribute(String),
    Index(u64),
    Key(String),
    Unknown,
}

impl Step {
    fn of(step: &Value) -> Step {
        let value = step.get("value");
        // cty JSON wraps index values: `{"value": 0, "type": "number"}`.
        let inner = value.and_then(|v| v.get("value").filter(|_| v.get("type").is_some()).or(Some(v)));
        match (step.get("type").and_then(Value::as_str), inner) {
            (Some("get_attr"), Some(Value::String(name))) => Step::Attribute(name.clone()),
            (Some("index") | None, Some(Value::Number(n))) => n.as_u64().map_or(Step::Unknown, Step::Index),
            (Some("index") | None, Some(Value::String(key))) => Step::Key(key.clone()),
            _ => Step::Unknown,
        }
    }
}

fn protect_at(node: Node, steps: &[Step], ctx: &Context<'_>) -> Node {
    let Some((step, rest)) = steps.split_first() else {
        return secret(node, ctx);
    };
    match (node, step) {
        (Node::Map(map), Step::Attribute(key) | Step::Key(key)) => {
            Node::Map(map.map_values(|k, v| if k == key { protect_at(v, rest, ctx) } else { v }))
        }
        (Node::List(list), Step::Index(index)) => {
            let index = usize::try_from(*index).ok();
            Node::List(list.map_items(|i, item| if Some(i) == index { protect_at(item, rest, ctx) } else { item }))
        }
        (Node::Null, _) => Node::Null,
        (other, _) => secret(other, ctx),
    }
}

/// Applies show-json `sensitive_values`: the values' shape with `true` at sensitive parts.
fn protect_marked(node: Node, marks: &Value, ctx: &Context<'_>) -> Node {
    match (node, marks) {
        (node, Value::Bool(true)) => secret(node, ctx),
        (Node::Map(map), Value::Object(marks)) => Node::Map(map.map_values(|k, v| match marks.get(k) {
            Some(mark) => protect_marked(v, mark, ctx),
            None => v,
        })),
        (Node::List(list), Value::Array(marks)) => Node::List(list.map_items(|i, item| match marks.get(i) {
            Some(mark) => protect_marked(item, mark, ctx),
            None => item,
        })),
        (node, _) => node,
    }
}

/// Normalizes an instance's attributes and adds what Terraform records about the instance.
fn finish(body: Node, tainted: bool, create_before_destroy: bool) -> Node {
    let body = normalize(body, "", 0);
    let Node::Map(map) = body else { return body };
    let mut fields = map.into_fields();
    if tainted {
        fields.push(Field::new("@status", 0, Node::string("tainted")));
    }
    if create_before_destroy {
        fields.push(Field::new("@create_before_destroy", 0, Node::Bool(true)));
    }
    Node::map(fields)
}

/// Sets where providers use sets, JSON documents parsed (secrets named or shaped as such are
/// protected afterwards, by the one classifier every source uses).
fn normalize(node: Node, name: &str, depth: usize) -> Node {
    match node {
        Node::Map(map) => Node::Map(map.map_values(|k, v| normalize(v, k, depth + 1))),
        Node::List(list) => {
            let items: Vec<Node> = list.into_items().into_iter().map(|i| normalize(i, name, depth + 1)).collect();
            let kind = if SET_ATTRIBUTES.contains(&name) || POLICY_SETS.contains(&name) {
                ListKind::Set
            } else {
                ListKind::Sequence
            };
            Node::List(List::with_kind(kind, items))
        }
        Node::String(s) if looks_like_json_document(&s) => match serde_json::from_str::<JsonNode>(&s) {
            Ok(JsonNode(parsed)) if depth < 64 => policy_document(normalize(parsed, name, depth + 1)),
            _ => Node::String(s),
        },
        other => other,
    }
}

fn looks_like_json_document(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']') && t.len() > 2)
}

/// IAM grammar: `"Action": "s3:GetObject"` means the same as `["s3:GetObject"]`.
fn policy_document(node: Node) -> Node {
    let Node::Map(map) = node else { return node };
    Node::Map(map.map_values(|k, v| match v {
        Node::String(s) if POLICY_SETS.contains(&k) => Node::List(List::set(vec![Node::String(s)])),
        Node::Map(_) => policy_document(v),
        Node::List(list) => Node::List(list.map_items(|_, item| policy_document(item))),
        other => other,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_quote_keys() {
        assert_eq!(IndexKey::Text("eu".into()).render(), "[\"eu\"]");
        assert_eq!(IndexKey::Text("a\"b".into()).render(), "[\"a\\\"b\"]");
        assert_eq!(IndexKey::Int(3).render(), "[3]");
    }
}
