//! Exposure to the internet in every shape a firewall rule takes in Terraform: a production guard
//! that names the port and protocol.
//!
//! AWS security groups (inline `ingress`, `aws_security_group_rule`,
//! `aws_vpc_security_group_ingress_rule`), network ACLs (inline entries and `aws_network_acl_rule`),
//! GCP `google_compute_firewall`, Azure `azurerm_network_security_rule` and the `security_rule`
//! blocks of `azurerm_network_security_group`. Severity by what is open: every port, or an admin
//! or database port, is critical; web ports (80, 443) alone are medium (a public load balancer);
//! anything else is high. A network ACL is one layer in front of the security groups: one level
//! lower.

use crate::model::{List, Node};
use crate::path::{Path, Segment};
use crate::report::Severity;

/// Ports whose exposure to the internet is an incident: remote shells, databases, caches,
/// search engines, container and cluster APIs.
const SENSITIVE_PORTS: &[i64] = &[
    21, 22, 23, 445, 1433, 1521, 2375, 2376, 2379, 3306, 3389, 5432, 5601, 5984, 6379, 6443, 9200, 9300, 11211, 27017,
];

/// One rule open to the internet: where it is, what it opens, how bad.
pub(crate) struct Opening {
    pub(crate) path: Path,
    pub(crate) message: String,
    pub(crate) severity: Severity,
}

/// Every rule of a resource that lets the whole internet in.
pub(crate) fn openings(kind: &str, body: &Node) -> Vec<Opening> {
    let Some(map) = body.as_map() else { return Vec::new() };
    let text =
        |node: &Node, key: &str| node.as_map().and_then(|m| m.get(key)).and_then(Node::as_str).map(str::to_owned);
    let number = |node: &Node, key: &str| match node.as_map().and_then(|m| m.get(key)) {
        Some(Node::Number(n)) => n.value().to_i64(),
        Some(Node::String(s)) => s.parse().ok(),
        _ => None,
    };
    let mut out = Vec::new();
    let key_path = |key: &str| Path::from_segments(vec![Segment::Key(key.into())]);
    match kind {
        "aws_security_group" | "aws_network_acl" | "aws_default_security_group" | "aws_default_network_acl" => {
            let acl = kind.contains("network_acl");
            if let Some((list, items)) = map.get("ingress").and_then(list_of) {
                for (i, item) in items.iter().enumerate() {
                    let allowed = !acl || text(item, "action").is_none_or(|a| a.eq_ignore_ascii_case("allow"));
                    let cidrs =
                        if acl { ["cidr_block", "ipv6_cidr_block"] } else { ["cidr_blocks", "ipv6_cidr_blocks"] };
                    if allowed && cidrs.iter().any(|k| item.as_map().and_then(|m| m.get(k)).is_some_and(is_world)) {
                        let ports = (number(item, "from_port"), number(item, "to_port"));
                        let protocol = text(item, "protocol").unwrap_or_default();
                        let path = Path::from_segments(vec![
                            Segment::Key("ingress".into()),
                            crate::diff::item_segment(list, i, item, "ingress"),
                        ]);
                        out.push(opening(path, &protocol, ports, acl));
                    }
                }
            }
        }
        "aws_security_group_rule" if text(body, "type").as_deref() == Some("ingress") => {
            for key in ["cidr_blocks", "ipv6_cidr_blocks"] {
                if map.get(key).is_some_and(is_world) {
                    let ports = (number(body, "from_port"), number(body, "to_port"));
                    out.push(opening(key_path(key), &text(body, "protocol").unwrap_or_default(), ports, false));
                    break;
                }
            }
        }
        "aws_vpc_security_group_ingress_rule" => {
            for key in ["cidr_ipv4", "cidr_ipv6"] {
                if map.get(key).is_some_and(is_world) {
                    let ports = (number(body, "from_port"), number(body, "to_port"));
                    out.push(opening(key_path(key), &text(body, "ip_protocol").unwrap_or_default(), ports, false));
                    break;
                }
            }
        }
        "aws_network_acl_rule" => {
            let inbound = !matches!(map.get("egress"), Some(Node::Bool(true)));
            let allowed = text(body, "rule_action").is_some_and(|a| a.eq_ignore_ascii_case("allow"));
            for key in ["cidr_block", "ipv6_cidr_block"] {
                if inbound && allowed && map.get(key).is_some_and(is_world) {
                    let ports = (number(body, "from_port"), number(body, "to_port"));
                    out.push(opening(key_path(key), &text(body, "protocol").unwrap_or_default(), ports, true));
                    break;
                }
            }
        }
        "google_compute_firewall" => {
            let ingress = text(body, "direction").is_none_or(|d| d.eq_ignore_ascii_case("INGRESS"));
            let disabled = matches!(map.get("disabled"), Some(Node::Bool(true)));
            if ingress && !disabled && map.get("source_ranges").is_some_and(is_world) {
                let allows: Vec<&Node> =
                    map.get("allow").and_then(list_of).map(|(_, i)| i.iter().collect()).unwrap_or_default();
                for allow in allows {
                    let protocol = text(allow, "protocol").unwrap_or_default();
                    let ports: Vec<String> = allow
                        .as_map()
                        .and_then(|m| m.get("ports"))
                        .and_then(list_of)
                        .map(|(_, p)| p.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
                        .unwrap_or_default();
                    let ranges =
                        if ports.is_empty() { vec![(None, None)] } else { ports.iter().map(|p| range(p)).collect() };
                    for r in ranges {
                        out.push(opening(key_path("source_ranges"), &protocol, r, false));
                    }
                }
            }
        }
        "azurerm_network_security_rule" => out.extend(azure_rule(body, Path::default())),
        "azurerm_network_security_group" => {
            if let Some((list, items)) = map.get("security_rule").and_then(list_of) {
                for (i, item) in items.iter().enumerate() {
                    let path = Path::from_segments(vec![
                        Segment::Key("security_rule".into()),
                        crate::diff::item_segment(list, i, item, "security_rule"),
                    ]);
                    out.extend(azure_rule(item, path));
                }
            }
        }
        _ => {}
    }
    merge_by_path(out)
}

/// Openings at one path (a GCP rule's ports, an Azure rule's port ranges) are one finding naming
/// every port, at the worst severity: one guard per rule, not one per port with the same id.
fn merge_by_path(openings: Vec<Opening>) -> Vec<Opening> {
    let mut out: Vec<Opening> = Vec::with_capacity(openings.len());
    for opening in openings {
        match out.iter_mut().find(|o| o.path == opening.path) {
            Some(first) => {
                let what = opening.message.split_once(" the internet on ").map_or("", |(_, what)| what);
                let known = first.message.split_once(" the internet on ").map_or("", |(_, w)| w);
                if !what.is_empty() && !known.split(", ").any(|w| w == what) {
                    first.message.push_str(", ");
                    first.message.push_str(what);
                }
                first.severity = first.severity.max(opening.severity);
            }
            None => out.push(opening),
        }
    }
    out
}

/// An Azure security rule that allows inbound traffic from anywhere.
fn azure_rule(rule: &Node, at: Path) -> Vec<Opening> {
    let Some(map) = rule.as_map() else { return Vec::new() };
    let text = |key: &str| map.get(key).and_then(Node::as_str).unwrap_or_default();
    let inbound = text("direction").eq_ignore_ascii_case("Inbound");
    let allowed = text("access").eq_ignore_ascii_case("Allow");
    let anywhere = |node: &Node| match node {
        Node::String(s) => matches!(s.as_str(), "*" | "0.0.0.0/0" | "::/0" | "Internet" | "Any"),
        Node::List(l) => {
            l.items().iter().any(|i| matches!(i.as_str(), Some("*" | "0.0.0.0/0" | "::/0" | "Internet" | "Any")))
        }
        _ => false,
    };
    let source =
        ["source_address_prefix", "source_address_prefixes"].into_iter().find(|k| map.get(k).is_some_and(anywhere));
    let Some(source) = source.filter(|_| inbound && allowed) else { return Vec::new() };
    let protocol = text("protocol").to_owned();
    let mut ports: Vec<String> = Vec::new();
    // Terraform writes `destination_port_range = ""` beside a list of ranges.
    if let Some(p) = map.get("destination_port_range").and_then(Node::as_str).filter(|p| !p.trim().is_empty()) {
        ports.push(p.to_owned());
    }
    if let Some(Node::List(list)) = map.get("destination_port_ranges") {
        ports.extend(list.items().iter().filter_map(|p| p.as_str().map(str::to_owned)));
    }
    if ports.is_empty() {
        ports.push("*".to_owned());
    }
    let path = at.child(Segment::Key(source.into()));
    ports.iter().map(|p| opening(path.clone(), &protocol, range(p), false)).collect()
}

/// `22`, `8000-8080`, `*`: a port range (`None` for every port).
fn range(text: &str) -> (Option<i64>, Option<i64>) {
    match text.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok(), b.trim().parse().ok()),
        None => {
            let port = text.trim().parse().ok();
            (port, port)
        }
    }
}

fn opening(path: Path, protocol: &str, (from, to): (Option<i64>, Option<i64>), acl: bool) -> Opening {
    // ICMP has no ports (AWS keeps its type and code in them): reachable by ping, not every port.
    if matches!(protocol.to_ascii_lowercase().as_str(), "icmp" | "icmpv6" | "1" | "58") {
        let layer = if acl { "a network ACL lets" } else { "open to" };
        return Opening { path, message: format!("{layer} the internet on icmp"), severity: Severity::Low };
    }
    // AWS's `-1` (with ports 0–0) means every protocol and port; Azure's `*` with a port range
    // means any protocol on those ports.
    let aws_all = matches!(protocol, "-1" | "all" | "ALL") && from.unwrap_or(0) == 0 && to.unwrap_or(0) == 0;
    let (from, to) = (from.unwrap_or(0), to.unwrap_or(65535));
    let every_port = aws_all || (from <= 0 && to >= 65535);
    let sensitive = SENSITIVE_PORTS.iter().any(|p| (from..=to).contains(p));
    let web = from == to && matches!(from, 80 | 443);
    let severity = if every_port || sensitive {
        Severity::Critical
    } else if web {
        Severity::Low
    } else {
        Severity::High
    };
    let severity = if acl { lower(severity) } else { severity };
    let what = if every_port {
        "every port".to_owned()
    } else if from == to {
        format!("{} {from}", protocol_name(protocol))
    } else {
        format!("{} {from}-{to}", protocol_name(protocol))
    };
    let layer = if acl { "a network ACL lets" } else { "open to" };
    Opening { path, message: format!("{layer} the internet on {what}"), severity }
}

fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        other => other,
    }
}

fn protocol_name(protocol: &str) -> String {
    match protocol {
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        "*" | "-1" | "all" | "ALL" | "Any" | "" => "any protocol, port".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}

/// `0.0.0.0/0` or `::/0`, alone or in a list.
fn is_world(node: &Node) -> bool {
    match node {
        Node::String(s) => matches!(s.as_str(), "0.0.0.0/0" | "::/0"),
        Node::List(list) => list.items().iter().any(is_world),
        _ => false,
    }
}

fn list_of(node: &Node) -> Option<(&List, &[Node])> {
    match node {
        Node::List(list) => Some((list, list.items())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Node {
        crate::source::json::parse_embedded(json).unwrap_or(Node::Null)
    }

    fn found(kind: &str, json: &str) -> Vec<(String, Severity)> {
        openings(kind, &parse(json)).into_iter().map(|o| (o.message, o.severity)).collect()
    }

    #[test]
    fn every_rule_shape() {
        let ssh = found(
            "aws_security_group_rule",
            r#"{"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}"#,
        );
        assert_eq!(ssh, [("open to the internet on tcp 22".to_owned(), Severity::Critical)]);
        let https = found(
            "aws_vpc_security_group_ingress_rule",
            r#"{"from_port": 443, "to_port": 443, "ip_protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"}"#,
        );
        assert_eq!(https[0].1, Severity::Low);
        let app = found(
            "aws_security_group",
            r#"{"ingress": [{"from_port": 8080, "to_port": 8080, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}, {"from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}]}"#,
        );
        assert_eq!(app, [("open to the internet on tcp 8080".to_owned(), Severity::High)]);
        let all = found(
            "aws_security_group_rule",
            r#"{"type": "ingress", "from_port": 0, "to_port": 0, "protocol": "-1", "ipv6_cidr_blocks": ["::/0"]}"#,
        );
        assert_eq!(all[0].1, Severity::Critical);
        assert!(
            found(
                "aws_security_group_rule",
                r#"{"type": "egress", "from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}"#
            )
            .is_empty()
        );
        let acl = found(
            "aws_network_acl_rule",
            r#"{"egress": false, "rule_action": "allow", "protocol": "6", "from_port": 22, "to_port": 22, "cidr_block": "0.0.0.0/0"}"#,
        );
        assert_eq!(acl, [("a network ACL lets the internet on tcp 22".to_owned(), Severity::High)]);
        let gcp = found(
            "google_compute_firewall",
            r#"{"direction": "INGRESS", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["3389"]}]}"#,
        );
        assert_eq!(gcp[0].1, Severity::Critical);
        // Several ports of one rule: one guard naming them all, at the worst severity.
        let ports = found(
            "google_compute_firewall",
            r#"{"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["80", "443", "22"]}, {"protocol": "udp", "ports": ["53"]}]}"#,
        );
        assert_eq!(ports, [("open to the internet on tcp 80, tcp 443, tcp 22, udp 53".to_owned(), Severity::Critical)]);
        // ICMP is not every port.
        let ping = found(
            "google_compute_firewall",
            r#"{"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "icmp", "ports": []}, {"protocol": "tcp", "ports": ["443"]}]}"#,
        );
        assert_eq!(ping, [("open to the internet on icmp, tcp 443".to_owned(), Severity::Low)]);
        let azure = found(
            "azurerm_network_security_rule",
            r#"{"direction": "Inbound", "access": "Allow", "protocol": "Tcp", "source_address_prefix": "*", "destination_port_range": "8000-8080"}"#,
        );
        assert_eq!(azure, [("open to the internet on tcp 8000-8080".to_owned(), Severity::High)]);
        // Terraform's empty single range beside a list, and `*` as any protocol on one port.
        let listed = found(
            "azurerm_network_security_rule",
            r#"{"direction": "Inbound", "access": "Allow", "protocol": "*", "source_address_prefix": "Internet", "destination_port_range": "", "destination_port_ranges": ["8443"]}"#,
        );
        assert_eq!(listed, [("open to the internet on any protocol, port 8443".to_owned(), Severity::High)]);
        let nsg = found(
            "azurerm_network_security_group",
            r#"{"security_rule": [{"direction": "Inbound", "access": "Deny", "protocol": "*", "source_address_prefix": "*", "destination_port_range": "*"}]}"#,
        );
        assert!(nsg.is_empty());
    }
}
