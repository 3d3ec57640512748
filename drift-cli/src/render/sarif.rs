//! `--format sarif`: SARIF 2.1.0 for code scanning. A rule per category (and per guard rule),
//! results with the file and line on the right environment's side, severity mapped to levels.

use std::collections::BTreeMap;
use std::io::{self, Write};

use drift_core::{Report, Severity, Status};
use serde_json::{Value, json};

use super::{path_label, primary_location, values};

fn rule_id(finding: &drift_core::Finding) -> String {
    match (&finding.rule, finding.change) {
        (Some(rule), drift_core::FindingKind::Guard) => format!("drift/guard/{rule}"),
        _ => format!("drift/{}", finding.category),
    }
}

pub(super) fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let drift: Vec<_> = report.findings().iter().filter(|x| x.status == Status::Drift).collect();
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    for x in &drift {
        let id = rule_id(x);
        rules.entry(id.clone()).or_insert_with(|| {
            let text = match x.change {
                drift_core::FindingKind::Guard => format!("guard {}", x.rule.as_deref().unwrap_or_default()),
                _ => format!("{} drift between environments", x.category),
            };
            json!({ "id": id, "name": id.replace('/', "-"), "shortDescription": { "text": text } })
        });
    }
    let index: BTreeMap<&String, usize> = rules.keys().enumerate().map(|(i, k)| (k, i)).collect();
    let results: Vec<Value> = drift
        .iter()
        .map(|x| {
            let id = rule_id(x);
            let level = match x.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "note",
            };
            let mut result = json!({
                "ruleId": id,
                "ruleIndex": index.get(&id).copied().unwrap_or(0),
                "level": level,
                "message": { "text": format!("{} ({})", x.message, values(x, 200)) },
                "partialFingerprints": { "driftFindingId/v1": x.id },
                "properties": { "entity": x.entity.to_string(), "path": path_label(x), "severity": x.severity, "change": x.change },
            });
            if let Some(location) = primary_location(x) {
                let mut physical = json!({ "artifactLocation": { "uri": &*location.file } });
                if let Some(line) = location.line {
                    physical["region"] = json!({ "startLine": line });
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "drift",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/drift/drift",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "automationDetails": { "id": format!("drift/{}-{}/", report.left.name, report.right.name) },
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}
