//! Kubernetes manifests: source YAML or JSON, `helm template` and `kustomize build` output, and live
//! `kubectl get -o yaml` exports.
//!
//! Each object becomes an entity `k8s:<group>/<Kind>/<namespace>/<name>` (the API version is not
//! identity; cluster-scoped kinds use `_`; a namespaced object without a namespace is in `default`).
//! The body is normalized so that equivalent spellings compare equal:
//!
//! - lists get the semantics of the Kubernetes API's merge keys (`containers` by `name`, container
//!   `ports` by `containerPort`+`protocol`, …), sets where order means nothing (NetworkPolicy rules,
//!   tolerations, RBAC verbs, …), sequences where it does (`args`, `command`, `envFrom`); unknown
//!   kinds key lists of named objects by `name`;
//! - resource quantities compare by value, resource lists rounded up to milli units as the API
//!   server stores them;
//! - a Secret's `data` (base64-decoded) and `stringData` become one map of fingerprints;
//! - kustomize's hash suffix (`web-config-5f7h9k2m4t`) is removed from ConfigMap and Secret names
//!   and from the references to them;
//! - `protocol: TCP`, the default, is filled into ports so that ports key the same on both sides.
//!
//! Controller bookkeeping and server defaults stay in the body: the policy marks them ignored,
//! visibly and with a reason, rather than this module hiding them.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::{Diagnostic, Domain, Entity, EntityId, Field, List, ListKind, Location, Map, Node, Quantity};

use super::Context;
use super::Document;
use super::certificate::certificates;

/// Kinds without a namespace (`+genclient:nonNamespaced` in k8s.io/api, plus CRDs and APIServices).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ComponentStatus",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "VolumeAttributesClass",
    "PriorityClass",
    "IngressClass",
    "IPAddress",
    "ServiceCIDR",
    "RuntimeClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "CertificateSigningRequest",
    "ClusterTrustBundle",
    "DeviceClass",
    "ResourceSlice",
    "DeviceTaintRule",
    "StorageVersionMigration",
    "CustomResourceDefinition",
    "APIService",
    "ClusterIssuer",
];

/// What a file held: its objects and what it could not use.
pub(crate) struct Objects {
    pub(crate) entities: Vec<Entity>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Kubernetes' own groups are `core`, one word (`apps`, `batch`) or `….k8s.io`; any other is a
/// custom resource's (the API server refuses a CRD for a group without a dot).
pub(crate) fn is_custom_group(group: &str) -> bool {
    group.contains('.') && !group.ends_with(".k8s.io")
}

/// Whether a parsed document is a Kubernetes object, whatever the order of its keys: a string
/// `apiVersion` and `kind`, and a `metadata.name` (or `generateName`), or a `…List` of `items`.
/// Other documents with an `apiVersion` and a `kind` (a kustomization, a k3d or skaffold config, a
/// kubeconfig, an app's own settings) are configuration, compared as such.
pub(crate) fn is_object(node: &Node) -> bool {
    let Some(map) = node.as_map() else { return false };
    let (Some(api_version), Some(kind)) = (text(map, "apiVersion"), text(map, "kind")) else { return false };
    if api_version.starts_with("kustomize.config.k8s.io/") {
        return false;
    }
    let list = kind.ends_with("List") && map.get("items").and_then(Node::as_list).is_some();
    let named = map
        .get("metadata")
        .and_then(Node::as_map)
        .is_some_and(|m| text(m, "name").is_some_and(|n| !n.is_empty()) || text(m, "generateName").is_some());
    list || named
}

/// Reads every object of a file's documents (YAML, or JSON).
pub(crate) fn objects(file: &Arc<str>, documents: Vec<Document>, ctx: &Context<'_>) -> Result<Objects> {
    let mut out = Objects { entities: Vec::new(), warnings: Vec::new() };
    for (index, document) in documents.into_iter().enumerate() {
        object(file, document, index + 1, ctx, &mut out)?;
    }
    Ok(out)
}

fn warning(file: &Arc<str>, line: u32, message: String) -> Diagnostic {
    Diagnostic { location: Location { file: file.clone(), line: (line > 0).then_some(line) }, message }
}

fn text<'a>(map: &'a Map, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Node::as_str)
}

/// One document: an object, a `List` of objects, or something that is not a Kubernetes object.
fn object(file: &Arc<str>, document: Document, index: usize, ctx: &Context<'_>, out: &mut Objects) -> Result<()> {
    let Document { node, line } = document;
    let Node::Map(map) = node else {
        out.warnings.push(warning(file, line, format!("document {index} is not a mapping: not a Kubernetes object")));
        return Ok(());
    };
    let (Some(api_version), Some(kind)) = (text(&map, "apiVersion"), text(&map, "kind")) else {
        out.warnings.push(warning(
            file,
            line,
            format!("document {index} has no apiVersion and kind: not a Kubernetes object"),
        ));
        return Ok(());
    };
    if kind == "List" || (kind.ends_with("List") && map.get("items").is_some()) {
        let items = match map.into_fields().into_iter().find(|f| f.key() == "items").map(|f| f.into_parts().2) {
            Some(Node::List(list)) => list.into_items(),
            _ => Vec::new(),
        };
        for item in items {
            let line = first_line(&item).unwrap_or(line);
            object(file, Document { node: item, line }, index, ctx, out)?;
        }
        return Ok(());
    }
    let (api_version, kind) = (api_version.to_owned(), kind.to_owned());
    let group = match api_version.split_once('/') {
        Some((group, _)) => group.to_owned(),
        None => "core".to_owned(),
    };
    if api_version.starts_with("kustomize.config.k8s.io/") {
        let message =
            format!("{kind} is a kustomize build file, not an object: compare the output of `kustomize build`");
        out.warnings.push(warning(file, line, message));
        return Ok(());
    }
    let metadata = map.get("metadata").and_then(Node::as_map);
    let Some(name) = metadata.and_then(|m| text(m, "name")).map(str::to_owned) else {
        let generated = metadata.is_some_and(|m| m.get("generateName").is_some());
        let why = if generated { "has only a generateName, so no stable identity" } else { "has no metadata.name" };
        out.warnings.push(warning(file, line, format!("{kind} in document {index} {why}; skipped")));
        return Ok(());
    };
    let namespace = if CLUSTER_SCOPED.contains(&kind.as_str()) {
        "_".to_owned()
    } else {
        metadata.and_then(|m| text(m, "namespace")).unwrap_or("default").to_owned()
    };
    let hashed = matches!(kind.as_str(), "ConfigMap" | "Secret");
    let name = if hashed { strip_hash(&name).to_owned() } else { name };
    let custom = is_custom_group(&group);
    let normalizer = Normalizer { kind: &kind, custom, file, ctx };
    let mut body = normalizer.object(map)?;
    if hashed {
        body = set_name(body, &name);
    }
    let id = EntityId::new(Domain::K8s, format!("{group}/{kind}/{namespace}/{name}"));
    out.entities.push(Entity::new(id, file.clone(), line, body));
    Ok(())
}

fn first_line(node: &Node) -> Option<u32> {
    node.as_map().and_then(|m| m.fields().iter().map(Field::line).filter(|&l| l > 0).min())
}

/// Replaces `metadata.name` (after the hash suffix was removed from it).
fn set_name(body: Node, name: &str) -> Node {
    let Node::Map(map) = body else { return body };
    Node::Map(map.map_values(|key, node| match node {
        Node::Map(metadata) if key == "metadata" => {
            Node::Map(metadata.map_values(|k, v| if k == "name" { Node::string(name) } else { v }))
        }
        other => other,
    }))
}

/// `web-config-5f7h9k2m4t` → `web-config`: kustomize appends `-` and ten characters of its hash
/// alphabet (hex digits with `0 1 3 a e` replaced by `g h k m t`).
pub(crate) fn strip_hash(name: &str) -> &str {
    const ALPHABET: &[u8] = b"2456789bcdfghkmt";
    match name.len().checked_sub(11) {
        Some(cut)
            if name.as_bytes()[cut] == b'-' && name.as_bytes()[cut + 1..].iter().all(|b| ALPHABET.contains(b)) =>
        {
            &name[..cut]
        }
        _ => name,
    }
}

/// Where a node is: the map keys from the object's root, innermost first, without allocating.
#[derive(Clone, Copy)]
struct Trail<'p> {
    key: &'p str,
    up: Option<&'p Trail<'p>>,
}

impl<'p> Trail<'p> {
    fn parent(&self) -> &'p str {
        self.up.map_or("", |t| t.key)
    }

    fn contains(&self, key: &str) -> bool {
        self.key == key || self.up.is_some_and(|t| t.contains(key))
    }
}

/// Rebuilds a body with Kubernetes semantics; knows the object's kind.
struct Normalizer<'a> {
    kind: &'a str,
    /// A custom resource (its lists' semantics come from its CRD, when one is loaded: `crd.rs`).
    custom: bool,
    file: &'a Arc<str>,
    ctx: &'a Context<'a>,
}

impl Normalizer<'_> {
    fn object(&self, map: Map) -> Result<Node> {
        let mut fields = Vec::with_capacity(map.len());
        let mut string_data = None;
        for field in map.into_fields() {
            let (key, line, node) = field.into_parts();
            if self.kind == "Secret" && &*key == "stringData" {
                string_data = Some((line, node));
                continue;
            }
            let node = match (&*key, self.kind) {
                ("data", "Secret") => self.secret_data(node, line)?,
                ("data", "ConfigMap") => self.settings(node),
                _ => self.node(node, Trail { key: &key, up: None })?,
            };
            fields.push(Field::with_key(key, line, node));
        }
        if let Some((line, node)) = string_data {
            // `stringData` is merged into `data` on write and never read back: compare one map.
            let mut data = match fields.iter().position(|f| f.key() == "data") {
                Some(i) => fields.remove(i).into_parts(),
                None => ("data".into(), line, Node::Null),
            };
            let mut all = match data.2 {
                Node::Map(map) => map.into_fields(),
                _ => Vec::new(),
            };
            all.extend(self.string_data(node, line)?);
            data.2 = Node::Map(Map::from_fields(all).0);
            fields.push(Field::with_key(data.0, data.1, data.2));
        }
        Ok(Node::Map(Map::from_fields(fields).0))
    }

    fn secret_data(&self, node: Node, line: u32) -> Result<Node> {
        let map = match node {
            Node::Map(map) => map,
            Node::Null => return Ok(Node::map(Vec::new())),
            // Never echoed: whatever a Secret's data holds is secret.
            other => {
                let what = other.type_name();
                return Err(Error::input(self.file, line, format!("Secret `data` must be a mapping, not a {what}")));
            }
        };
        let mut fields = Vec::with_capacity(map.len());
        for field in map.into_fields() {
            let (key, line, value) = field.into_parts();
            let bytes = match &value {
                Node::String(s) => decode_base64(s)
                    .ok_or_else(|| Error::input(self.file, line, format!("Secret data `{key}` is not valid base64")))?,
                Node::Null => Vec::new(),
                _ => return Err(Error::input(self.file, line, format!("Secret data `{key}` must be a string"))),
            };
            let opts = self.ctx.options;
            // A certificate is public and compared by what it says; anything else is secret.
            let node = certificates(&bytes).unwrap_or_else(|| opts.secrets.always(&opts.fingerprinter, &bytes));
            fields.push(Field::with_key(key, line, node));
        }
        Ok(Node::Map(Map::from_fields(fields).0))
    }

    fn string_data(&self, node: Node, line: u32) -> Result<Vec<Field>> {
        let map = match node {
            Node::Map(map) => map,
            Node::Null => return Ok(Vec::new()),
            other => {
                let what = other.type_name();
                return Err(Error::input(
                    self.file,
                    line,
                    format!("Secret `stringData` must be a mapping, not a {what}"),
                ));
            }
        };
        let opts = self.ctx.options;
        Ok(map
            .into_fields()
            .into_iter()
            .map(|field| {
                let (key, line, value) = field.into_parts();
                let text = scalar_text(&value).unwrap_or_default();
                let node = certificates(text.as_bytes())
                    .unwrap_or_else(|| opts.secrets.always(&opts.fingerprinter, text.as_bytes()));
                Field::with_key(key, line, node)
            })
            .collect())
    }

    /// ConfigMap data: settings (certificates compared by what they say).
    fn settings(&self, node: Node) -> Node {
        let Node::Map(map) = node else { return node };
        Node::Map(map.map_values(|_, value| match value {
            Node::String(s) => certificates(s.as_bytes()).unwrap_or(Node::String(s)),
            other => other,
        }))
    }

    /// Normalizes the node found at `trail`.
    fn node(&self, node: Node, trail: Trail<'_>) -> Result<Node> {
        match node {
            Node::Map(map) => {
                let mut fields = Vec::with_capacity(map.len());
                for field in map.into_fields() {
                    let (key, line, value) = field.into_parts();
                    let value = self.field(trail.key, &key, value, trail)?;
                    fields.push(Field::with_key(key, line, value));
                }
                pod_service_account(&mut fields);
                Ok(Node::Map(Map::from_fields(fields).0))
            }
            Node::List(list) => {
                let mut items = Vec::with_capacity(list.items().len());
                for item in list.into_items() {
                    let mut item = self.node(item, trail)?;
                    if trail.key == "ports" {
                        default_protocol(&mut item);
                    }
                    items.push(item);
                }
                let kind = self.list_kind(trail, &items);
                Ok(Node::List(List::with_kind(kind, items)))
            }
            other => Ok(other),
        }
    }

    fn field(&self, parent: &str, key: &str, value: Node, trail: Trail<'_>) -> Result<Node> {
        // Resource lists and quantities.
        let resource_list = matches!(parent, "limits" | "requests" | "hard" | "capacity" | "overhead" | "allocatable")
            || (self.kind == "LimitRange"
                && matches!(parent, "max" | "min" | "default" | "defaultRequest" | "maxLimitRequestRatio"));
        if resource_list {
            return Ok(quantity(value, true));
        }
        if key == "sizeLimit" {
            return Ok(quantity(value, false));
        }
        // References to kustomize-hashed ConfigMaps and Secrets.
        let reference = matches!(
            parent,
            "configMapRef" | "secretRef" | "configMapKeyRef" | "secretKeyRef" | "configMap" | "secret"
        ) && matches!(key, "name" | "secretName");
        if let (true, Node::String(s)) = (reference, &value) {
            return Ok(Node::string(strip_hash(s)));
        }
        // Tools keep copies of a whole object in annotations (kubectl's last applied configuration,
        // kapp's original): a Secret's copy holds its data.
        let object_copy = parent == "annotations"
            && self.kind == "Secret"
            && scalar_text(&value).is_some_and(|t| t.trim_start().starts_with('{') || t.contains("data"));
        if key == "kubectl.kubernetes.io/last-applied-configuration" || object_copy {
            let opts = self.ctx.options;
            let text = scalar_text(&value).unwrap_or_default();
            return Ok(opts.secrets.always(&opts.fingerprinter, text.as_bytes()));
        }
        self.node(value, Trail { key, up: Some(&trail) })
    }

    /// How the items of the list at `trail` correspond between environments.
    fn list_kind(&self, trail: Trail<'_>, items: &[Node]) -> ListKind {
        let (field, parent) = (trail.key, trail.parent());
        let keyed = |keys: &[&str]| ListKind::Keyed(keys.iter().map(|k| Box::<str>::from(*k)).collect());
        match (self.kind, field) {
            // Init containers run one after another: their order is configuration.
            (_, "initContainers") => ListKind::OrderedKeyed(Box::new([Box::from("name")])),
            (_, "containers" | "ephemeralContainers" | "env" | "volumes" | "imagePullSecrets")
            | (_, "schedulingGates" | "resourceClaims") => keyed(&["name"]),
            (_, "volumeMounts") => keyed(&["mountPath"]),
            (_, "volumeDevices") => keyed(&["devicePath"]),
            (_, "hostAliases") => keyed(&["ip"]),
            (_, "topologySpreadConstraints") => keyed(&["topologyKey", "whenUnsatisfiable"]),
            (_, "conditions") => keyed(&["type"]),
            (_, "ownerReferences") => keyed(&["kind", "name"]),
            ("Service", "ports") if parent == "spec" => keyed(&["port", "protocol"]),
            ("NetworkPolicy", "ports") => ListKind::Set,
            (_, "ports") if items.iter().all(|i| has(i, "containerPort")) => keyed(&["containerPort", "protocol"]),
            (_, "args" | "command" | "envFrom" | "sources" | "ipFamilies") => ListKind::Sequence,
            ("Ingress", "rules") => keyed(&["host"]),
            ("Ingress", "paths") => keyed(&["path"]),
            ("NetworkPolicy", "ingress" | "egress" | "from" | "to" | "policyTypes") => ListKind::Set,
            ("Role" | "ClusterRole", "rules" | "resources") => ListKind::Set,
            (_, "verbs" | "apiGroups" | "resourceNames" | "nonResourceURLs" | "subjects" | "finalizers") => {
                ListKind::Set
            }
            (_, "accessModes" | "tolerations" | "externalIPs" | "nodeSelectorTerms" | "matchExpressions") => {
                ListKind::Set
            }
            (_, "add" | "drop" | "tls" | "hosts" | "loadBalancerSourceRanges") => ListKind::Set,
            (_, "values") if trail.contains("matchExpressions") => ListKind::Set,
            (_, "items") if !items.is_empty() && items.iter().all(|i| has(i, "key")) => keyed(&["key"]),
            // A CRD's list without a list type is atomic: the API server keeps its order, and a
            // controller may read it in order (routes, steps). Named items still match by name.
            _ if !items.is_empty() && items.iter().all(|i| has(i, "name")) && self.custom => {
                ListKind::OrderedKeyed(Box::new([Box::from("name")]))
            }
            _ if !items.is_empty() && items.iter().all(|i| has(i, "name")) => keyed(&["name"]),
            _ => ListKind::Sequence,
        }
    }
}

/// A pod spec's service account by one name: `serviceAccount` is the deprecated alias of
/// `serviceAccountName`, which the API server fills from it (and it from the name), so a manifest
/// that says one and a live export that says both are the same pod.
fn pod_service_account(fields: &mut Vec<Field>) {
    if !fields.iter().any(|f| f.key() == "containers") {
        return;
    }
    let position = |fields: &[Field], key: &str| fields.iter().position(|f| f.key() == key);
    let Some(alias) = position(fields, "serviceAccount") else { return };
    match position(fields, "serviceAccountName") {
        Some(name) if fields[name].node() == fields[alias].node() => {
            fields.remove(alias);
        }
        Some(_) => {}
        None => {
            let field = fields.remove(alias);
            let (_, line, value) = field.into_parts();
            fields.push(Field::new("serviceAccountName", line, value));
        }
    }
}

fn has(item: &Node, key: &str) -> bool {
    item.as_map().is_some_and(|m| m.get(key).is_some())
}

/// A port without a protocol uses TCP: fill it in so that both sides key the same.
fn default_protocol(item: &mut Node) {
    let Node::Map(map) = item else { return };
    let is_port = map.get("containerPort").is_some() || map.get("port").is_some();
    if is_port && map.get("protocol").is_none() {
        let mut fields = std::mem::take(map).into_fields();
        fields.push(Field::new("protocol", 0, Node::string("TCP")));
        *map = Map::from_fields(fields).0;
    }
}

/// A scalar's text as written (numbers keep their literal).
fn scalar_text(node: &Node) -> Option<String> {
    match node {
        Node::String(s) => Some(s.to_string()),
        Node::Number(n) => Some(n.as_str().to_owned()),
        Node::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A quantity field: compared by value; a resource list rounds up to milli units (the API server's
/// defaulting). Text that is no quantity stays as it is (the API server would reject it).
fn quantity(node: Node, milli: bool) -> Node {
    let text = match &node {
        Node::String(s) => s.trim().to_owned(),
        Node::Number(n) => n.as_str().to_owned(),
        _ => return node,
    };
    match Quantity::parse(&text) {
        Some(q) => Node::Quantity(Box::new(if milli { q.rounded_up(-3) } else { q })),
        None => node,
    }
}

/// Standard base64 (RFC 4648, padded, as Kubernetes writes Secret data); whitespace is ignored.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if clean.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for (i, chunk) in clean.chunks(4).enumerate() {
        let last = i == clean.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n: u32 = 0;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kustomize_hash_suffixes() {
        assert_eq!(strip_hash("web-config-5f7h9k2m4t"), "web-config");
        assert_eq!(strip_hash("web-config-production"), "web-config-production");
        assert_eq!(strip_hash("web-config"), "web-config");
        assert_eq!(strip_hash("x-5f7h9k2m4"), "x-5f7h9k2m4");
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aHVudGVyMg==").as_deref(), Some(&b"hunter2"[..]));
        assert_eq!(decode_base64("YWJj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert!(decode_base64("abc").is_none());
        assert!(decode_base64("a=bc").is_none());
        assert!(decode_base64("!!!!").is_none());
    }
}
