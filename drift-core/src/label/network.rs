//! Labels of network rules: firewall rules (AWS security groups and network ACLs, GCP and Azure
//! rules) by protocol, ports and peers, the internet always shown; NetworkPolicy rules, peers and
//! ports by ports and peer selectors.

use super::{LABEL_MAX, first_text, fit, scalar, texts};
use crate::model::{Map, Node};

/// Whether a set's items go out of their resource (egress, outbound) rather than in.
fn outbound(map: &Map, list_key: &str) -> bool {
    let key = list_key.to_ascii_lowercase();
    let direction = first_text(map, &["direction", "type", "Direction"]).unwrap_or_default().to_ascii_lowercase();
    key.contains("egress") || key.contains("outbound") || direction == "egress" || direction == "outbound"
}

const PROTOCOL: &[&str] = &["protocol", "ip_protocol", "IpProtocol", "Protocol"];
/// The other end of a rule, whichever its direction (AWS, GCP, CloudFormation).
const PEERS: &[&str] = &[
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "cidr_block",
    "ipv6_cidr_block",
    "cidr_ipv4",
    "cidr_ipv6",
    "CidrIp",
    "CidrIpv6",
    "security_groups",
    "source_security_group_id",
    "referenced_security_group_id",
    "SourceSecurityGroupId",
    "prefix_list_ids",
    "prefix_list_id",
];
/// Where inbound traffic comes from (GCP, Azure).
const SOURCES: &[&str] = &[
    "source_ranges",
    "source_address_prefix",
    "source_address_prefixes",
    "source_tags",
    "source_service_accounts",
    "source_application_security_group_ids",
];
/// Where outbound traffic goes (GCP, Azure).
const DESTINATIONS: &[&str] = &[
    "destination_ranges",
    "destination_address_prefix",
    "destination_address_prefixes",
    "destination_application_security_group_ids",
];

/// Whether a peer is the whole internet, which a label must never leave out.
fn is_world(peer: &str) -> bool {
    matches!(peer, "0.0.0.0/0" | "::/0" | "*" | "Internet" | "any" | "Any")
}

/// A firewall rule (an AWS security group or network ACL rule, a GCP or Azure rule):
/// `tcp/22 from 0.0.0.0/0 "ssh"`, `all to sg-0a1b…`, `100 deny udp/53 from 10.0.0.0/8`.
pub(super) fn firewall_rule(map: &Map, list_key: &str) -> Option<String> {
    let protocol = first_text(map, PROTOCOL)?;
    let all = matches!(protocol.as_str(), "-1" | "all" | "*" | "ALL" | "All" | "Any");
    let icmp = matches!(protocol.to_ascii_lowercase().as_str(), "icmp" | "icmpv6" | "1" | "58");
    let ports = if icmp { icmp_type(map) } else { ports(map, all) };
    let out_bound = outbound(map, list_key);
    let ends = if out_bound { DESTINATIONS } else { SOURCES };
    let mut peers: Vec<String> = PEERS.iter().chain(ends).flat_map(|k| texts(map.get(k))).collect();
    if map.get("self").is_some_and(|s| matches!(s, Node::Bool(true))) {
        peers.push("self".to_owned());
    }
    // The internet first: it is what makes a rule dangerous, and it must show whatever else is cut.
    peers.sort_by_key(|p| !is_world(p));
    if ports.is_none() && peers.is_empty() {
        return None;
    }
    let mut out = String::new();
    if let Some(number) = first_text(map, &["rule_no", "rule_number", "RuleNumber", "priority"]) {
        out.push_str(&number);
        out.push(' ');
    }
    if let Some(action) = first_text(map, &["action", "rule_action", "RuleAction", "access"]) {
        out.push_str(&action.to_ascii_lowercase());
        out.push(' ');
    }
    out.push_str(if all { "all" } else { &protocol });
    if let Some(ports) = ports {
        out.push(if icmp { ' ' } else { '/' });
        out.push_str(&ports);
    }
    if !peers.is_empty() {
        out.push_str(if out_bound { " to " } else { " from " });
        let budget = LABEL_MAX.saturating_sub(out.len());
        out.push_str(&fit(&peers, budget));
    }
    if let Some(description) = first_text(map, &["description", "Description"])
        && out.len() + description.len() + 3 <= LABEL_MAX
        && !description.contains([']', '"', '\\'])
        && !description.chars().any(char::is_control)
    {
        out.push_str(" \"");
        out.push_str(&description);
        out.push('"');
    }
    Some(out)
}

/// An ICMP rule's type and code (AWS keeps them in `from_port` and `to_port`): `type 8 code 0`,
/// `None` for every type.
fn icmp_type(map: &Map) -> Option<String> {
    let kind = first_text(map, &["from_port", "FromPort", "icmp_type"]).filter(|t| t != "-1")?;
    match first_text(map, &["to_port", "ToPort", "icmp_code"]).filter(|c| c != "-1") {
        Some(code) => Some(format!("type {kind} code {code}")),
        None => Some(format!("type {kind}")),
    }
}

/// A rule's ports: `22`, `8000-8080`, `80+443`; `None` for every port.
fn ports(map: &Map, all_protocols: bool) -> Option<String> {
    let from = first_text(map, &["from_port", "FromPort"]);
    let to = first_text(map, &["to_port", "ToPort"]);
    match (from, to) {
        (Some(from), Some(to)) => {
            let every = (from == "0" && (to == "0" || to == "65535")) || (from == "-1" && to == "-1");
            if all_protocols && every {
                None
            } else if from == to {
                Some(from)
            } else {
                Some(format!("{from}-{to}"))
            }
        }
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => {
            let listed: Vec<String> =
                ["port_range", "destination_port_range", "destination_port_ranges", "ports", "port"]
                    .iter()
                    .flat_map(|k| texts(map.get(k)))
                    .filter(|p| p != "*")
                    .collect();
            (!listed.is_empty()).then(|| fit(&listed, LABEL_MAX / 3))
        }
    }
}

/// A NetworkPolicy ingress or egress rule: `ports=9090/TCP from namespace=monitoring`.
pub(super) fn network_policy_rule(map: &Map, list_key: &str) -> Option<String> {
    if !map.fields().iter().all(|f| matches!(f.key(), "ports" | "from" | "to")) {
        return None;
    }
    let mut out = String::new();
    if let Some(Node::List(ports)) = map.get("ports")
        && !ports.items().is_empty()
    {
        let texts: Vec<String> = ports.items().iter().map(|p| p.as_map().and_then(port_text)).collect::<Option<_>>()?;
        out.push_str("ports=");
        out.push_str(&fit(&texts, LABEL_MAX / 3));
    }
    let (word, peers) = match (map.get("from"), map.get("to")) {
        (Some(from), _) => ("from", Some(from)),
        (None, Some(to)) => ("to", Some(to)),
        (None, None) => (if outbound(map, list_key) { "to" } else { "from" }, None),
    };
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
    out.push(' ');
    match peers {
        Some(Node::List(peers)) if !peers.items().is_empty() => {
            let texts: Vec<String> =
                peers.items().iter().map(|p| p.as_map().and_then(peer_text)).collect::<Option<_>>()?;
            let budget = LABEL_MAX.saturating_sub(out.len());
            out.push_str(&fit(&texts, budget));
        }
        // No peers: every source (or destination).
        _ => out.push_str("any"),
    }
    Some(out)
}

/// A NetworkPolicy peer as an item of `from` or `to`.
pub(super) fn network_policy_peer(map: &Map, list_key: &str) -> Option<String> {
    matches!(list_key, "from" | "to").then(|| peer_text(map)).flatten()
}

/// A NetworkPolicy port as an item of `ports`: `9090/TCP`.
pub(super) fn network_policy_port(map: &Map, list_key: &str) -> Option<String> {
    (list_key == "ports").then(|| port_text(map)).flatten()
}

/// `9090/TCP`, `8000-9000/TCP`, `http`, `UDP` (every UDP port).
fn port_text(map: &Map) -> Option<String> {
    if !map.fields().iter().all(|f| matches!(f.key(), "port" | "protocol" | "endPort")) {
        return None;
    }
    let port = map.get("port").and_then(scalar);
    let end = map.get("endPort").and_then(scalar);
    let protocol = map.get("protocol").and_then(scalar);
    let mut out = match (port, end) {
        (Some(port), Some(end)) => format!("{port}-{end}"),
        (Some(port), None) => port,
        (None, _) => return protocol,
    };
    if let Some(protocol) = protocol {
        out.push('/');
        out.push_str(&protocol);
    }
    Some(out)
}

/// A NetworkPolicy peer: `namespace=monitoring`, `pod:app=web`, `namespace=*&pod:app=prom`,
/// `10.0.0.0/8 except 10.1.0.0/16`.
fn peer_text(map: &Map) -> Option<String> {
    if map.fields().is_empty()
        || !map.fields().iter().all(|f| matches!(f.key(), "podSelector" | "namespaceSelector" | "ipBlock"))
    {
        return None;
    }
    let mut parts = Vec::new();
    if let Some(block) = map.get("ipBlock").and_then(Node::as_map) {
        let mut text = block.get("cidr").and_then(scalar)?;
        let except = texts(block.get("except"));
        if !except.is_empty() {
            text.push_str(" except ");
            text.push_str(&except.join(","));
        }
        parts.push(text);
    }
    // A null selector is no selector (Kubernetes reads it as unset).
    if let Some(selector) = map.get("namespaceSelector").filter(|s| !matches!(s, Node::Null)) {
        parts.push(selector_text("namespace", selector)?);
    }
    if let Some(selector) = map.get("podSelector").filter(|s| !matches!(s, Node::Null)) {
        parts.push(selector_text("pod", selector)?);
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("&"))
}

/// A label selector: `namespace=monitoring` (a namespace by its name label), `pod:app=web,tier=db`,
/// `pod:env in (a,b)`, `any namespace` (an empty selector: every one; words, not `*`, which a
/// glob would read as a wildcard).
fn selector_text(what: &str, selector: &Node) -> Option<String> {
    let Node::Map(map) = selector else { return None };
    let mut terms = Vec::new();
    if let Some(labels) = map.get("matchLabels").and_then(Node::as_map) {
        if let [only] = labels.fields()
            && what == "namespace"
            && matches!(only.key(), "kubernetes.io/metadata.name" | "name")
        {
            return Some(format!("namespace={}", scalar(only.node())?));
        }
        for field in labels.fields() {
            terms.push(format!("{}={}", field.key(), scalar(field.node()).unwrap_or_default()));
        }
    }
    if let Some(Node::List(expressions)) = map.get("matchExpressions") {
        for expression in expressions.items() {
            let e = expression.as_map()?;
            let key = e.get("key").and_then(scalar)?;
            let operator = e.get("operator").and_then(scalar)?;
            let values = texts(e.get("values")).join(",");
            terms.push(match operator.as_str() {
                "Exists" => format!("{key} exists"),
                "DoesNotExist" => format!("!{key}"),
                "In" => format!("{key} in ({values})"),
                "NotIn" => format!("{key} notin ({values})"),
                other => format!("{key} {other} ({values})"),
            });
        }
    }
    if terms.is_empty() {
        return Some(format!("any {what}"));
    }
    Some(format!("{what}:{}", terms.join(",")))
}
