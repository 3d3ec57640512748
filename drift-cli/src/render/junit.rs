//! `--format junit`: one test suite per entity, one test case per drift finding, failed when at
//! or above `--fail-on`. Readable by GitLab, Jenkins and the GitHub test reporters.

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
        let failing = |x: &drift_core::Finding| x.status == Status::Drift && x.severity >= self.fail_on;
        // One test case per drift finding (expected, ignored and baselined ones are not tests), in
        // one suite per entity; a run with no drift is one passing case, so that it shows.
        let drift: Vec<&drift_core::Finding> = report.findings().iter().filter(|x| x.status == Status::Drift).collect();
        let failures = drift.iter().filter(|x| failing(x)).count();
        let tests = drift.len().max(1);
        let run = format!("{} → {}", report.left.name, report.right.name);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ =
            writeln!(out, "<testsuites name=\"drift {}\" tests=\"{tests}\" failures=\"{failures}\">", xml(&safe(&run)));
        let notes = super::input_notes(report, 50);
        if drift.is_empty() {
            let _ = writeln!(out, "  <testsuite name=\"drift\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">");
            let _ = writeln!(out, "    <testcase classname=\"drift\" name=\"no drift between {}\"/>", xml(&safe(&run)));
            if !notes.is_empty() {
                let _ = writeln!(out, "    <system-out>{}</system-out>", xml(&notes.join("\n")));
            }
            out.push_str("  </testsuite>\n</testsuites>\n");
            return f.write_str(&out);
        }
        let groups: Vec<&[&drift_core::Finding]> = drift.chunk_by(|a, b| a.entity == b.entity).collect();
        for (i, group) in groups.iter().enumerate() {
            let entity = safe(&group[0].entity.to_string()).into_owned();
            let failed = group.iter().filter(|x| failing(x)).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
                xml(&entity),
                group.len()
            );
            // Test case names are unique within a suite (consumers key results on class and name):
            // findings that share a path and a change (two guards on one value) add their rule.
            let base = |x: &drift_core::Finding| format!("{} {}", path_label(x), x.change);
            let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
            for x in group.iter() {
                *counts.entry(base(x)).or_default() += 1;
            }
            let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
            for x in group.iter() {
                let mut name = base(x);
                if counts.get(&name).copied().unwrap_or(0) > 1 {
                    name = format!("{name} ({})", x.rule.as_deref().unwrap_or(&x.id));
                }
                // Still alike (one rule twice): the finding's id tells them apart.
                if !seen.insert(name.clone()) {
                    name = format!("{name} [{}]", x.id);
                    seen.insert(name.clone());
                }
                let name = safe(&name).into_owned();
                let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", xml(&entity), xml(&name));
                if !failing(x) {
                    out.push_str("/>\n");
                    continue;
                }
                let place = primary_location(x).map(|l| format!("\n{}", safe(&l.to_string()))).unwrap_or_default();
                let reason = x.reason.as_deref().map(|r| format!("\n{}", safe(r))).unwrap_or_default();
                let _ = writeln!(
                    out,
                    ">\n      <failure type=\"{}\" message=\"{}\">{} {} {}: {}{}{}</failure>\n    </testcase>",
                    x.severity,
                    xml(&safe(&x.message)),
                    x.severity,
                    x.change,
                    xml(&path_label(x)),
                    xml(&values(x, 200)),
                    xml(&reason),
                    xml(&place)
                );
            }
            // Skipped inputs, notes and whether guards ran: in the last suite's output.
            if i + 1 == groups.len() && !notes.is_empty() {
                let _ = writeln!(out, "    <system-out>{}</system-out>", xml(&notes.join("\n")));
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        f.write_str(&out)
    }
}
