//! `--format sarif`: SARIF 2.1.0 for code scanning. A rule per category (and per guard rule),
//! results with the file and line on the right environment's side, severity mapped to levels.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use drift_core::{Report, Severity, Status};
use serde::Serialize;
use serde_json::{Value, json};

use super::{path_label, primary_location, values};

fn rule_id(finding: &drift_core::Finding) -> String {
    match (&finding.rule, finding.change) {
        (Some(rule), drift_core::FindingKind::Guard) => format!("drift/guard/{rule}"),
        _ => format!("drift/{}", finding.category),
    }
}

/// A SARIF result, serialised straight to the writer (a `serde_json::Value` per result cost
/// 20 µs of allocation each: 2 s for 100,000 findings).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    // Fields in alphabetical order, as `serde_json::Value` wrote them.
    level: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Location<'a>; 1]>,
    message: Message,
    partial_fingerprints: Fingerprints<'a>,
    properties: Properties,
    rule_id: String,
    rule_index: usize,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "driftFindingId/v1")]
    id: &'a str,
}

#[derive(Serialize)]
struct Properties {
    change: drift_core::FindingKind,
    entity: String,
    path: String,
    severity: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: Physical<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical<'a> {
    artifact_location: Artifact<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Artifact<'a> {
    uri: Cow<'a, str>,
}

/// A file's path as a URI reference (SARIF's `artifactLocation.uri`): every byte that may not stand
/// in a URI's path percent-encoded (a space, `%`, `#`, `?`, a control character, non-ASCII), and
/// `:`, which would read as a scheme.
fn uri(path: &str) -> Cow<'_, str> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
    if path.bytes().all(plain) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 8);
    for b in path.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Cow::Owned(out)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    automation_details: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Value>,
    results: Results<'a>,
    tool: Value,
}

/// The results, serialised one by one as the `results` array.
struct Results<'a> {
    drift: &'a [&'a drift_core::Finding],
    index: &'a BTreeMap<String, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.drift.len()))?;
        for x in self.drift {
            let rule_id = rule_id(x);
            let level = match x.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "note",
            };
            let locations = primary_location(x).map(|location| {
                [Location {
                    physical_location: Physical {
                        artifact_location: Artifact { uri: uri(&location.file) },
                        region: location.line.map(|start_line| Region { start_line }),
                    },
                }]
            });
            seq.serialize_element(&SarifResult {
                rule_index: self.index.get(&rule_id).copied().unwrap_or(0),
                rule_id,
                level,
                message: Message { text: format!("{} ({})", x.message, values(x, 200)) },
                partial_fingerprints: Fingerprints { id: &x.id },
                properties: Properties {
                    change: x.change,
                    entity: x.entity.to_string(),
                    path: path_label(x),
                    severity: x.severity,
                },
                locations,
            })?;
        }
        seq.end()
    }
}

pub(super) fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let drift: Vec<_> = report.findings().iter().filter(|x| x.status == Status::Drift).collect();
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    for x in &drift {
        let id = rule_id(x);
        if rules.contains_key(&id) {
            continue;
        }
        let text = match x.change {
            drift_core::FindingKind::Guard => format!("guard {}", x.rule.as_deref().unwrap_or_default()),
            _ => format!("{} drift between environments", x.category),
        };
        let rule = json!({ "id": id, "name": id.replace('/', "-"), "shortDescription": { "text": text } });
        rules.insert(id, rule);
    }
    let index: BTreeMap<String, usize> = rules.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect();
    let sarif = Sarif {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            automation_details: json!({ "id": format!("drift/{}-{}/", report.left.name, report.right.name) }),
            // Skipped inputs and notes: `toolExecutionNotifications`, which code scanning shows
            // with the run.
            invocations: {
                // Whether guards ran: always said (a warning when they did not).
                let guards = super::guards_line(report);
                let mut notes = super::input_notes(report, 100);
                if report.guards.enabled {
                    notes.insert(0, guards.clone());
                }
                if notes.is_empty() {
                    Vec::new()
                } else {
                    let off = !report.guards.enabled;
                    let level = |n: &String| if off && *n == guards { "warning" } else { "note" };
                    let notifications: Vec<Value> =
                        notes.iter().map(|n| json!({ "level": level(n), "message": { "text": n } })).collect();
                    vec![json!({ "executionSuccessful": true, "toolExecutionNotifications": notifications })]
                }
            },
            results: Results { drift: &drift, index: &index },
            tool: json!({ "driver": {
                "name": "drift",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/drift/drift",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }}),
        }],
        version: "2.1.0",
    };
    super::json::to_writer(&mut *out, &sarif)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn file_paths_become_uri_references() {
        assert_eq!(uri("fixtures/production/k8s/all.yaml"), "fixtures/production/k8s/all.yaml");
        assert_eq!(uri("/tmp/prod env/.env"), "/tmp/prod%20env/.env");
        assert_eq!(uri("c:/x#1?.yaml"), "c%3A/x%231%3F.yaml");
        assert_eq!(uri("prod/100%/é\n.env"), "prod/100%25/%C3%A9%0A.env");
    }
}
