//! How a list item is named in a path (DESIGN §5), so that a person can tell which item it is
//! without opening the file.
//!
//! A keyed item is named by its key fields (`name=api`, `containerPort=80,protocol=TCP`,
//! `Effect=Allow,Principal=AWS:arn:aws:iam::1:root`). A set item is named by what identifies it:
//!
//! - a firewall rule by protocol, ports and peers: `tcp/22 from 0.0.0.0/0`, `all to sg-0a1b`,
//!   `100 allow tcp/443 from 10.0.0.0/8` (a network ACL entry);
//! - a NetworkPolicy rule by ports and peer selectors: `ports=9090/TCP from namespace=monitoring`,
//!   a peer `namespace=monitoring&pod:app=prometheus`, a port `9090/TCP`;
//! - a policy statement by `Sid`, else effect and actions: `Allow s3:GetObject on arn:aws:s3:::b/*`;
//! - an item with a name (`name=AllowSSH`, `Sid=ReadBucket`) by it;
//! - anything else by its fields (`key=dedicated,effect=NoSchedule`), the most distinctive short
//!   ones first when all would not fit;
//! - a scalar by itself, a long one cut in its middle.
//!
//! Labels are unique within their list: an item whose label another item shares is named by all
//! its fields, and only if that is still not enough (two items that differ only in a secret) does a
//! short content hash tell them apart. An item with nothing readable is a hash (`#1f2e3d4c`).
//! The shapes are recognized by field names wherever they appear, never by format or domain.

use std::borrow::Borrow;
use std::collections::HashMap;

use crate::model::node::key_value;
use crate::model::{Map, Node};
use crate::path;

mod fields;
mod network;
mod statement;

use fields::{fields_label, full_label};
use network::{firewall_rule, network_policy_peer, network_policy_port, network_policy_rule};
use statement::statement;

/// Labels longer than this are shortened (a set item) or a hash (a key value).
const LABEL_MAX: usize = 100;

/// A keyed item's segment text: `name=api`, `containerPort=80,protocol=TCP`. Key fields the item
/// lacks are left out; a map value reads `AWS:arn:…` (its keys and values), a list its values
/// joined with `+`.
pub(crate) fn keyed_text(key: &[Box<str>], item: &Node) -> String {
    let mut out = String::new();
    for field in key {
        let Some(value) = key_value(item, field) else { continue };
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(field);
        out.push('=');
        match inline(value) {
            // Whole where it can be read (a long host name, a few ARNs): key values tell items apart.
            Some(text) if text.len() <= 4 * LABEL_MAX => path::push_value(&mut out, &text),
            // Longer: cut in the middle, with a short hash so that two such values stay apart.
            Some(text) => {
                let cut = crate::report::elide(&text, LABEL_MAX);
                path::push_value(&mut out, &format!("{cut}#{}", &content_hash(value)[..4]));
            }
            None => {
                out.push('#');
                out.push_str(&content_hash(value));
            }
        }
    }
    if out.is_empty() {
        // No key field at all (one such item is still unique): the first, empty.
        out.push_str(key.first().map_or("", |k| &**k));
        out.push_str("=\"\"");
    }
    out
}

/// The label of item `index` of a set (`list_key` is the set's own name, `ingress`).
pub(crate) fn member_label<N: Borrow<Node>>(items: &[N], index: usize, list_key: &str) -> String {
    match items.get(index).map(|item| exact(item.borrow())) {
        Some(Some(label)) if single(items, index) => label,
        Some(_) => member_labels(items, list_key).swap_remove(index),
        None => String::new(),
    }
}

/// An item's label when it is its whole value (a short scalar), which no other item of a set can
/// share: no need to look at the others.
pub(crate) fn exact(item: &Node) -> Option<String> {
    match item {
        Node::Map(_) | Node::List(_) | Node::Secret(_) => None,
        scalar => {
            let text = scalar.to_string();
            (text.len() <= LABEL_MAX).then(|| quoted(&text))
        }
    }
}

/// The labels of every item of a set, unique within it.
pub(crate) fn member_labels<N: Borrow<Node>>(items: &[N], list_key: &str) -> Vec<String> {
    let items: Vec<&Node> = items.iter().map(Borrow::borrow).collect();
    let own: Vec<Own> = items.iter().map(|item| own_label(item, list_key)).collect();
    let mut labels: Vec<String> = own.iter().map(|o| o.text().to_owned()).collect();
    // Only labels that leave something out can meet another item's, or a value the list holds
    // twice (a set read from a list with duplicates).
    if own.iter().all(|o| matches!(o, Own::Exact(_))) && shared(&labels).is_empty() {
        return labels;
    }
    for i in shared(&labels) {
        if let Some(full) = full_label(items[i]) {
            labels[i] = full;
        }
    }
    // Items whose every readable field is alike: a short content hash where it tells them apart;
    // where it does not, they differ only in a secret (the content hash counts every secret alike,
    // so that paths do not change with the fingerprint key), and a hash of their secrets'
    // fingerprints does, as stable as the fingerprints themselves (DRIFT_FINGERPRINT_KEY).
    let alike = shared(&labels);
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for &i in &alike {
        groups.entry(labels[i].clone()).or_default().push(i);
    }
    for (label, group) in groups {
        let hashes: Vec<String> = group.iter().map(|&i| content_hash(items[i])).collect();
        let distinct = hashes.iter().any(|h| *h != hashes[0]);
        for (&i, hash) in group.iter().zip(hashes) {
            let tail = if distinct {
                format!("#{}", &hash[..4])
            } else if items[i].contains_secret() {
                format!("secret:{}", secrets_hash(items[i]))
            } else {
                // The same value twice: numbered below.
                continue;
            };
            labels[i] = if label == "secret" { tail } else { format!("{label},{tail}") };
        }
    }
    // Still alike (the same value twice, secrets without fingerprints): numbered in the order the
    // file has them.
    let mut alike = shared(&labels);
    alike.sort_by_key(|&i| (first_line(items[i]), i));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in alike {
        let n = seen.entry(labels[i].clone()).or_default();
        *n += 1;
        labels[i] = format!("{} ({n})", labels[i]);
    }
    labels
}

/// Whether item `index` of a sorted set is a value the set holds only once (a set read from a
/// list with duplicates holds them side by side): then its exact label is its label.
pub(crate) fn single<N: Borrow<Node>>(items: &[N], index: usize) -> bool {
    let same = |other: Option<&N>| other.is_some_and(|o| o.borrow() == items[index].borrow());
    index.checked_sub(1).is_none_or(|before| !same(items.get(before))) && !same(items.get(index + 1))
}

/// A secret's fingerprint (its first 8 digits, as the report shows it), or a short hash of the
/// fingerprints of the secrets in an item, in order.
fn secrets_hash(item: &Node) -> String {
    use sha2::{Digest, Sha256};
    if let Node::Secret(secret) = item
        && let Some(fingerprint) = secret.fingerprint()
    {
        return fingerprint.chars().take(8).collect();
    }
    fn collect(node: &Node, out: &mut String) {
        match node {
            Node::Secret(secret) => {
                out.push_str(secret.fingerprint().unwrap_or("?"));
                out.push(',');
            }
            Node::Map(map) => map.fields().iter().for_each(|f| collect(f.node(), out)),
            Node::List(list) => list.items().iter().for_each(|i| collect(i, out)),
            _ => {}
        }
    }
    let mut text = String::new();
    collect(item, &mut text);
    crate::report::hex(&Sha256::digest(text.as_bytes())[..4])
}

/// The first source line of an item's fields (0 when it has none).
fn first_line(item: &Node) -> u32 {
    item.as_map().and_then(|m| m.fields().iter().map(|f| f.line()).filter(|&l| l > 0).min()).unwrap_or(0)
}

/// The positions of labels that another position has too.
fn shared(labels: &[String]) -> Vec<usize> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for label in labels {
        *counts.entry(label.as_str()).or_default() += 1;
    }
    (0..labels.len()).filter(|&i| counts.get(labels[i].as_str()).copied().unwrap_or(0) > 1).collect()
}

/// An item's own label: `Exact` when it is the item's whole value (a short scalar), which no
/// other item of a set can share; `Short` when it may leave something out.
enum Own {
    Exact(String),
    Short(String),
}

impl Own {
    fn text(&self) -> &str {
        match self {
            Own::Exact(text) | Own::Short(text) => text,
        }
    }
}

fn own_label(item: &Node, list_key: &str) -> Own {
    match item {
        Node::Map(map) => Own::Short(
            map_label(map, list_key)
                .filter(|label| path::is_member_text(label))
                .unwrap_or_else(|| format!("#{}", content_hash(item))),
        ),
        Node::List(_) => Own::Short(match inline(item) {
            Some(text) if text.len() <= LABEL_MAX => quoted(&text),
            _ => format!("#{}", content_hash(item)),
        }),
        // A secret alone has nothing readable: named by its fingerprint only if another is in the set.
        Node::Secret(_) => Own::Short("secret".to_owned()),
        scalar => {
            let text = scalar.to_string();
            if text.len() <= LABEL_MAX {
                Own::Exact(quoted(&text))
            } else {
                Own::Short(quoted(&crate::report::elide(&text, LABEL_MAX - 20)))
            }
        }
    }
}

fn quoted(text: &str) -> String {
    let mut out = String::new();
    path::push_value(&mut out, text);
    out
}

/// A map item's label by the first shape it has, `None` when nothing in it is readable.
fn map_label(map: &Map, list_key: &str) -> Option<String> {
    if map.fields().is_empty() {
        return Some("{}".to_owned());
    }
    named(map, &["Sid", "sid"])
        .or_else(|| network_policy_peer(map, list_key))
        .or_else(|| network_policy_port(map, list_key))
        .or_else(|| firewall_rule(map, list_key))
        .or_else(|| network_policy_rule(map, list_key))
        .or_else(|| statement(map))
        .or_else(|| fields_label(map))
}

/// An item with a name of its own: `Sid=ReadBucket`, `name=AllowSSH`, `id=expire-logs`.
fn named(map: &Map, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| {
        let text = scalar(map.get(key)?)?;
        (!text.is_empty() && text.len() <= LABEL_MAX / 2).then(|| format!("{key}={}", quoted(&text)))
    })
}

/// A scalar's text; `None` for a secret, a map, a list, null or an empty string.
fn scalar(node: &Node) -> Option<String> {
    match node {
        Node::Map(_) | Node::List(_) | Node::Secret(_) | Node::Null => None,
        Node::String(s) if s.is_empty() => None,
        other => Some(other.to_string()),
    }
}

/// The texts of a scalar or a list of scalars (secrets and composites left out).
fn texts(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(Node::List(list)) => list.items().iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    }
}

fn first_text(map: &Map, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| map.get(k).and_then(scalar))
}

/// Values joined with `+`, as many as fit in `budget` (at least one), then `+N more`.
fn fit(values: &[String], budget: usize) -> String {
    let mut out = String::new();
    for (i, value) in values.iter().enumerate() {
        let more = values.len() - i;
        let reserve = if more > 1 { 8 } else { 0 };
        if i > 0 && out.len() + 1 + value.len() + reserve > budget {
            out.push_str(&format!("+{more} more"));
            return out;
        }
        if i > 0 {
            out.push('+');
        }
        out.push_str(value);
    }
    out
}

/// A value inline in a label: a scalar as itself, a list's values joined with `+`, a map's as
/// `key:value`; `None` for anything deeper or a secret.
fn inline(node: &Node) -> Option<String> {
    match node {
        Node::Secret(_) => None,
        Node::List(list) if !list.items().is_empty() => {
            let parts: Vec<String> = list.items().iter().map(inline_scalar).collect::<Option<_>>()?;
            Some(parts.join("+"))
        }
        Node::Map(map) if !map.fields().is_empty() => {
            let mut parts = Vec::new();
            for field in map.fields() {
                match field.node() {
                    Node::List(list) => {
                        for item in list.items() {
                            parts.push(format!("{}:{}", field.key(), inline_scalar(item)?));
                        }
                    }
                    other => parts.push(format!("{}:{}", field.key(), inline_scalar(other)?)),
                }
            }
            Some(parts.join("+"))
        }
        Node::List(_) | Node::Map(_) => None,
        other => inline_scalar(other),
    }
}

fn inline_scalar(node: &Node) -> Option<String> {
    match node {
        Node::Map(_) | Node::List(_) | Node::Secret(_) => None,
        other => Some(other.to_string()),
    }
}

/// A stable (run-independent) hash of a value's canonical rendering; secrets count as one marker so
/// that a per-run fingerprint key does not change paths.
fn content_hash(node: &Node) -> String {
    use sha2::{Digest, Sha256};
    fn canon(node: &Node, out: &mut String) {
        match node {
            Node::Secret(_) => out.push_str("<secret>"),
            Node::Map(map) => {
                out.push('{');
                for field in map.fields() {
                    out.push_str(&serde_json::Value::from(field.key()).to_string());
                    out.push(':');
                    canon(field.node(), out);
                    out.push(',');
                }
                out.push('}');
            }
            Node::List(list) => {
                out.push('[');
                for item in list.items() {
                    canon(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            Node::Number(n) => out.push_str(&n.value().to_string()),
            Node::Quantity(q) => out.push_str(&q.value().to_string()),
            Node::String(s) => out.push_str(&serde_json::Value::from(&**s).to_string()),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    canon(node, &mut text);
    crate::report::hex(&Sha256::digest(text.as_bytes())[..4])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Secret, SecretHints};
    use crate::path::{Path, Segment};

    fn yaml(text: &str) -> Node {
        crate::layers::tests::yaml(text)
    }

    /// The labels of a YAML list's items, as items of a set named `list_key`.
    fn labels(list_key: &str, text: &str) -> Vec<String> {
        match yaml(text) {
            Node::List(list) => member_labels(list.items(), list_key),
            other => panic!("not a list: {other:?}"),
        }
    }

    fn one(list_key: &str, text: &str) -> String {
        labels(list_key, text).remove(0)
    }

    #[test]
    fn firewall_rules_by_protocol_ports_and_peers() {
        let rule = "- {protocol: tcp, from_port: 22, to_port: 22, cidr_blocks: [0.0.0.0/0], ipv6_cidr_blocks: [], \
                    prefix_list_ids: [], security_groups: [], self: false, description: ''}";
        assert_eq!(one("ingress", rule), "tcp/22 from 0.0.0.0/0");
        assert_eq!(one("egress", rule), "tcp/22 to 0.0.0.0/0");
        let all =
            "- {protocol: '-1', from_port: 0, to_port: 0, security_groups: [sg-0a1b], self: true, description: all}";
        assert_eq!(one("ingress", all), "all from sg-0a1b+self \"all\"");
        let range = "- {protocol: udp, from_port: 8000, to_port: 8080, cidr_blocks: [10.0.0.0/8]}";
        assert_eq!(one("ingress", range), "udp/8000-8080 from 10.0.0.0/8");
        let acl =
            "- {rule_no: 100, action: allow, protocol: tcp, from_port: 443, to_port: 443, cidr_block: 10.0.0.0/8}";
        assert_eq!(one("ingress", acl), "100 allow tcp/443 from 10.0.0.0/8");
        let gcp = "- {protocol: tcp, ports: ['80', '443'], source_ranges: [0.0.0.0/0]}";
        assert_eq!(one("allow", gcp), "tcp/80+443 from 0.0.0.0/0");
        // Many peers: as many as fit, then how many more; a description only where it fits.
        let cidrs: Vec<String> = (0..40).map(|i| format!("10.{i}.0.0/16")).collect();
        let many = format!(
            "- {{protocol: tcp, from_port: 443, to_port: 443, cidr_blocks: [{}], description: '{}'}}",
            cidrs.join(", "),
            "d".repeat(80)
        );
        let label = one("ingress", &many);
        assert!(label.starts_with("tcp/443 from 10.0.0.0/16+") && label.ends_with(" more"), "{label}");
        assert!(label.len() <= LABEL_MAX && !label.contains("ddd"), "{label}");
        // ICMP keeps its type and code where AWS keeps ports.
        let icmp = "- {protocol: icmp, from_port: 8, to_port: 0, cidr_blocks: [10.0.0.0/8]}";
        assert_eq!(one("ingress", icmp), "icmp type 8 code 0 from 10.0.0.0/8");
        assert_eq!(
            one("ingress", "- {protocol: icmp, from_port: -1, to_port: -1, cidr_blocks: [10.0.0.0/8]}"),
            "icmp from 10.0.0.0/8"
        );
        // Azure: the source for an inbound rule, the destination for an outbound one.
        let azure = "- {name: ssh, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, \
                     source_address_prefix: Internet, destination_address_prefix: 10.1.2.3, destination_port_range: '22'}";
        assert_eq!(one("security_rule", azure), "100 allow Tcp/22 from Internet");
        let out = azure.replace("Inbound", "Outbound");
        assert_eq!(one("security_rule", &out), "100 allow Tcp/22 to 10.1.2.3");
        // The internet is never among the peers left out.
        let cidrs: Vec<String> = (0..30).map(|i| format!("10.{i}.0.0/16")).collect();
        let hidden = format!(
            "- {{protocol: tcp, from_port: 22, to_port: 22, cidr_blocks: [{}], ipv6_cidr_blocks: ['::/0']}}",
            cidrs.join(", ")
        );
        assert!(one("ingress", &hidden).starts_with("tcp/22 from ::/0+10.0.0.0/16+"), "{}", one("ingress", &hidden));
        // A description that would break the path is left out.
        let odd = "- {protocol: tcp, from_port: 1, to_port: 1, cidr_blocks: [10.0.0.0/8], description: 'a] \"b'}";
        assert_eq!(one("ingress", odd), "tcp/1 from 10.0.0.0/8");
    }

    #[test]
    fn network_policy_rules_by_ports_and_peers() {
        let rule = "- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]\n  \
                    ports: [{port: 9090, protocol: TCP}]";
        assert_eq!(one("ingress", rule), "ports=9090/TCP from namespace=monitoring");
        let peers = "- from:\n  - namespaceSelector: {}\n    podSelector: {matchLabels: {app: prometheus}}\n  \
                     - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n  \
                     - podSelector:\n      matchExpressions: [{key: tier, operator: In, values: [web, api]}]\n";
        assert_eq!(
            one("ingress", peers),
            "from any namespace&pod:app=prometheus+10.0.0.0/8 except 10.1.0.0/16+pod:tier in (web,api)"
        );
        assert_eq!(
            one("egress", "- ports: [{port: 53, protocol: UDP}, {port: 8000, endPort: 9000}]"),
            "ports=53/UDP+8000-9000 to any"
        );
        assert_eq!(one("egress", "- to: [{podSelector: {matchLabels: {app: db}}}]"), "to pod:app=db");
        // A peer or a port as an item of its own set.
        assert_eq!(
            one("from", "- namespaceSelector: {matchLabels: {team: data, env: prod}}"),
            "namespace:env=prod,team=data"
        );
        assert_eq!(one("ports", "- {port: http, protocol: TCP}"), "http/TCP");
        // Allow everything.
        assert_eq!(one("ingress", "- {}"), "{}");
        // A null selector is no selector: the policy's own namespace, not every namespace.
        assert_eq!(
            one("ingress", "- from: [{namespaceSelector: null, podSelector: {matchLabels: {app: b}}}]"),
            "from pod:app=b"
        );
        assert_eq!(one("ingress", "- from: [{namespaceSelector: {}}]"), "from any namespace");
    }

    #[test]
    fn statements_by_sid_else_effect_and_actions() {
        let sid = "- {Sid: ReadBucket, Effect: Allow, Action: [s3:GetObject], Resource: 'arn:aws:s3:::b/*'}";
        assert_eq!(one("Statement", sid), "Sid=ReadBucket");
        let plain = "- {Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: 'arn:aws:s3:::b/*', \
                     Principal: {AWS: 'arn:aws:iam::123456789012:root'}}";
        assert_eq!(
            one("Statement", plain),
            "Allow s3:GetObject+s3:PutObject on arn:aws:s3:::b/* for AWS:arn:aws:iam::123456789012:root"
        );
        assert_eq!(one("Statement", "- {Effect: Deny, NotAction: 'iam:*', Resource: '*'}"), "Deny not iam:* on *");
        // A Terraform policy document's statement block.
        let block = "- sid: ''\n  effect: Allow\n  actions: [sqs:SendMessage]\n  resources: ['arn:aws:sqs:eu-west-1:1:jobs']\n  \
                     principals: [{type: Service, identifiers: [sns.amazonaws.com]}]";
        assert_eq!(
            one("statement", block),
            "Allow sqs:SendMessage on arn:aws:sqs:eu-west-1:1:jobs for Service:sns.amazonaws.com"
        );
    }

    #[test]
    fn other_items_by_their_fields() {
        // Short: every field, as before.
        assert_eq!(
            one("tolerations", "- {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}"),
            "effect=NoSchedule,key=dedicated,operator=Equal,value=gpu"
        );
        // Long with a name: the name.
        let named = format!("- {{name: AllowSSH, priority: 100, direction: Inbound, notes: '{}'}}", "n".repeat(120));
        assert_eq!(one("security_rule", &named), "name=AllowSSH");
        // Long without: names first, free text last, nested keys by their shortest tail.
        let long = format!(
            "- {{key: region, spec: {{zone: {{id: eu-west-1a}}}}, description: '{}', blob: '{}'}}",
            "x".repeat(50),
            "y".repeat(70)
        );
        let label = one("items", &long);
        assert!(label.starts_with("key=region,id=eu-west-1a"), "{label}");
        assert!(label.len() <= LABEL_MAX, "{label}");
    }

    #[test]
    fn labels_are_unique_within_their_list() {
        // Same protocol, port and peers; only the (long) description tells them apart.
        let long = "x".repeat(95);
        let text = format!(
            "- {{protocol: tcp, from_port: 22, to_port: 22, cidr_blocks: [10.0.0.0/8], description: 'a{long}'}}\n\
             - {{protocol: tcp, from_port: 22, to_port: 22, cidr_blocks: [10.0.0.0/8], description: 'b{long}'}}\n\
             - {{protocol: tcp, from_port: 80, to_port: 80, cidr_blocks: [10.0.0.0/8]}}"
        );
        let labels = labels("ingress", &text);
        assert_eq!(labels[2], "tcp/80 from 10.0.0.0/8");
        assert_ne!(labels[0], labels[1]);
        assert!(labels[0].contains("description=") && !labels[0].contains('#'), "{labels:?}");
        // Items alike but for a secret: a short hash, the last resort, and never the secret.
        let secret = |fp: &str| Node::Secret(Box::new(Secret::new(Some(fp.into()), None, SecretHints::default())));
        let item = |fp: &str| {
            Node::map(vec![Field::new("name", 1, Node::string("db")), Field::new("password", 2, secret(fp))])
        };
        let items = [item("fp-one"), item("fp-two")];
        let labels = member_labels(&items, "users");
        assert_ne!(labels[0], labels[1]);
        assert!(labels.iter().all(|l| !l.contains("fp-")), "{labels:?}");
    }

    #[test]
    fn a_value_held_twice_is_numbered() {
        // A list read as a set may hold one value twice (sorted side by side): two labels.
        let hosts = [Node::string("a.example.com"), Node::string("b.example.com"), Node::string("b.example.com")];
        assert_eq!(member_labels(&hosts, "hosts"), ["a.example.com", "b.example.com (1)", "b.example.com (2)"]);
        assert!(single(&hosts, 0) && !single(&hosts, 1) && !single(&hosts, 2));
        assert_eq!(member_label(&hosts, 2, "hosts"), "b.example.com (2)");
        let twice = labels("tolerations", "- {key: gpu, effect: NoSchedule}\n- {key: gpu, effect: NoSchedule}\n");
        assert_eq!(twice, ["effect=NoSchedule,key=gpu (1)", "effect=NoSchedule,key=gpu (2)"]);
    }

    #[test]
    fn labels_parse_back_and_find_their_item() {
        let text = "- {protocol: tcp, from_port: 22, to_port: 22, cidr_blocks: [0.0.0.0/0], description: 'ssh (temp)'}\n\
                    - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: x}}}]\n\
                    - {Effect: Allow, Action: 's3:*', Resource: '*'}\n\
                    - {key: 'a\"b', value: 'c]d'}\n\
                    - plain\n\
                    - 'with space'\n";
        let Node::List(list) = yaml(text) else { panic!("a list") };
        let body =
            Node::map(vec![Field::new("ingress", 1, Node::List(crate::model::List::set(list.items().to_vec())))]);
        let Some(Node::List(set)) = body.as_map().and_then(|m| m.get("ingress")) else { panic!("a set") };
        for (i, label) in member_labels(set.items(), "ingress").iter().enumerate() {
            let rendered = format!("ingress[={label}]");
            let path: Path = rendered.parse().unwrap_or_else(|e| panic!("{rendered}: {e}"));
            assert_eq!(path.to_string(), rendered);
            assert_eq!(path.segments()[1], Segment::Member(label.as_str().into()));
            assert_eq!(body.at(&path), Some(&set.items()[i]), "{rendered}");
            assert!(crate::policy::config::glob_matches(Some("ingress[*]"), true, &rendered), "{rendered}");
        }
        assert!(crate::policy::config::glob_matches(
            Some("ingress[=tcp/22 from 0.0.0.0/0*]"),
            true,
            "ingress[=tcp/22 from 0.0.0.0/0 \"ssh\"]"
        ));
    }

    #[test]
    fn key_fields_leave_out_what_an_item_lacks_and_inline_maps() {
        let key: Vec<Box<str>> = ["Sid", "Effect", "Principal", "Resource"].iter().map(|k| Box::from(*k)).collect();
        let item =
            yaml("{Effect: Allow, Principal: {AWS: ['arn:aws:iam::1:root', 'arn:aws:iam::2:root']}, Resource: '*'}");
        assert_eq!(
            keyed_text(&key, &item),
            "Effect=Allow,Principal=AWS:arn:aws:iam::1:root+AWS:arn:aws:iam::2:root,Resource=*"
        );
        assert_eq!(keyed_text(&key, &yaml("{Action: x}")), "Sid=\"\"");
        let name: Vec<Box<str>> = vec![Box::from("name")];
        assert_eq!(keyed_text(&name, &yaml("{name: api}")), "name=api");
    }
}
