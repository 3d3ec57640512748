//! `--format junit`: one test case per entity, a failure per drift finding at or above
//! `--fail-on`. Readable by GitLab, Jenkins and the GitHub test reporters.

use std::fmt::{self, Write as _};

use drift_core::{Report, Severity, Status};

use super::{path_label, primary_location, safe, values};

pub(super) struct Junit<'a> {
    pub(super) report: &'a Report,
    pub(super) fail_on: Severity,
}

/// XML text: the five entities escaped, characters XML 1.0 forbids replaced (text from the inputs
/// has been through `safe` first).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

impl fmt::Display for Junit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.report;
        let failing = |x: &&drift_core::Finding| x.status == Status::Drift && x.severity >= self.fail_on;
        let mut entities: Vec<&drift_core::EntityId> = report.findings().iter().map(|x| &x.entity).collect();
        entities.dedup();
        let failures = report.findings().iter().filter(failing).count();
        let suite = format!("{} → {}", report.left.name, report.right.name);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(out, "<testsuites name=\"drift\" tests=\"{}\" failures=\"{failures}\">", entities.len());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
            xml(&safe(&suite)),
            entities.len()
        );
        // Findings are sorted by entity: one group per test case.
        for group in report.findings().chunk_by(|a, b| a.entity == b.entity) {
            let entity = &group[0].entity;
            let findings: Vec<_> = group.iter().filter(failing).collect();
            let _ = write!(
                out,
                "    <testcase classname=\"drift.{}\" name=\"{}\"",
                entity.domain(),
                xml(&safe(&entity.to_string()))
            );
            if findings.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for x in findings {
                let place = primary_location(x).map(|l| format!("\n{}", safe(&l.to_string()))).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{} {} {}: {}{}</failure>",
                    x.severity,
                    xml(&safe(&x.message)),
                    x.severity,
                    x.change,
                    xml(&path_label(x)),
                    xml(&values(x, 200)),
                    xml(&place)
                );
            }
            out.push_str("    </testcase>\n");
        }
        let notes = super::input_notes(report, 50);
        if !notes.is_empty() {
            let _ = writeln!(out, "    <system-out>{}</system-out>", xml(&notes.join("\n")));
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        f.write_str(&out)
    }
}
