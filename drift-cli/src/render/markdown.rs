//! `--format markdown`: a pull-request comment. A summary table by severity and category, then one
//! collapsible section per entity; never longer than GitHub's 65,536-character limit for comments.

use std::fmt::{self, Write as _};

use drift_core::{Category, Report, Severity, Status};

use super::{path_label, values};

pub(super) struct Markdown<'a> {
    pub(super) report: &'a Report,
    /// The gate's threshold: the first line says pass or fail against it.
    pub(super) fail_on: Severity,
}

/// GitHub refuses comments longer than 65,536 characters; leave room for the closing note.
const LIMIT: usize = 64_000;

/// Text in a table cell: no line breaks, no column breaks, no inline HTML.
fn cell(text: &str) -> String {
    super::safe(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl fmt::Display for Markdown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.report;
        let (left, right) = (&report.left.name, &report.right.name);
        let drift: Vec<_> = report.findings().iter().filter(|x| x.status == Status::Drift).collect();
        let mut out = String::new();
        // The first line says pass or fail, with the counts that decide it.
        let failing: Vec<_> = drift.iter().filter(|x| x.severity >= self.fail_on).collect();
        let verdict = if failing.is_empty() {
            format!("✅ pass: no drift at or above {}", self.fail_on)
        } else {
            let counts: Vec<String> = Severity::ALL
                .iter()
                .filter(|s| **s >= self.fail_on)
                .map(|s| (s, failing.iter().filter(|x| x.severity == *s).count()))
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| format!("{n} {s}"))
                .collect();
            format!("❌ fail: {} at or above {}", counts.join(", "), self.fail_on)
        };
        let _ = writeln!(out, "## drift: {} → {} — {verdict}\n", cell(left), cell(right));
        let s = &report.summary.by_status;
        let guards = super::guards_line(report);
        if report.guards.enabled {
            let _ = writeln!(out, "{}\n", cell(&guards));
        } else {
            let _ = writeln!(out, "> [!WARNING]\n> {}\n", cell(&guards));
        }
        let notes: Vec<String> = super::input_notes(report, 20).into_iter().filter(|n| *n != guards).collect();
        if !notes.is_empty() {
            for note in &notes {
                let _ = writeln!(out, "> {}", cell(note));
            }
            out.push('\n');
        }
        if drift.is_empty() {
            let _ = writeln!(
                out,
                "**No drift.** {} expected, {} ignored, {} baselined.",
                s.expected, s.ignored, s.baselined
            );
            return f.write_str(&out);
        }
        let _ = writeln!(
            out,
            "**{} drift finding{}** · {} expected · {} ignored · {} baselined\n",
            drift.len(),
            if drift.len() == 1 { "" } else { "s" },
            s.expected,
            s.ignored,
            s.baselined
        );
        // Summary: categories × severities.
        let mut categories: Vec<Category> = drift.iter().map(|x| x.category).collect();
        categories.sort();
        categories.dedup();
        let _ = writeln!(out, "| category | {} |", Severity::ALL.map(|s| s.as_str()).join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(Severity::ALL.len()));
        for category in categories {
            let counts: Vec<String> = Severity::ALL
                .iter()
                .map(|sev| drift.iter().filter(|x| x.category == category && x.severity == *sev).count())
                .map(|n| if n == 0 { String::new() } else { n.to_string() })
                .collect();
            let _ = writeln!(out, "| {category} | {} |", counts.join(" | "));
        }
        out.push('\n');
        let mut i = 0;
        let mut shown = 0;
        let mut full = false;
        while i < drift.len() && !full {
            let entity = &drift[i].entity;
            let group: Vec<_> = drift[i..].iter().take_while(|x| &x.entity == entity).copied().collect();
            i += group.len();
            let worst = group.iter().map(|x| x.severity).max().unwrap_or(Severity::Info);
            // Critical and high findings are open; the rest are a click away.
            let open = if worst >= Severity::High { " open" } else { "" };
            let _ = writeln!(
                out,
                "<details{open}><summary><b>{}</b> — {} finding{} (worst: {worst})</summary>\n",
                cell(&entity.to_string()),
                group.len(),
                if group.len() == 1 { "" } else { "s" }
            );
            let _ = writeln!(out, "| severity | change | path | {} → {} | why |", cell(left), cell(right));
            let _ = writeln!(out, "|---|---|---|---|---|");
            let related = drift_core::follows_from_above(&group);
            for (x, related) in group.iter().zip(related) {
                // The rule's reason is always shown: a guard's message says what must hold.
                let why = match (x.change, x.reason.as_deref()) {
                    (drift_core::FindingKind::Guard | drift_core::FindingKind::Reuse, Some(reason)) => {
                        format!("{} ({reason})", x.message)
                    }
                    (drift_core::FindingKind::Guard | drift_core::FindingKind::Reuse, None) => x.message.clone(),
                    (_, reason) => super::with_provenance(reason.unwrap_or_default(), report, x),
                };
                // A finding that follows from the one above it (its root cause) is marked ↳.
                let row = format!(
                    "| {} | {} | {}`{}` | {} | {} |\n",
                    x.severity,
                    x.change,
                    if related { "↳ " } else { "" },
                    cell(&path_label(x)).replace('`', "'"),
                    cell(&values(x, 60)),
                    cell(&why)
                );
                // Room for the closing tag and the truncation note.
                if out.len() + row.len() > LIMIT - 400 {
                    full = true;
                    break;
                }
                out.push_str(&row);
                shown += 1;
            }
            out.push_str("\n</details>\n\n");
        }
        if shown < drift.len() {
            let rest = drift.len() - shown;
            let _ = writeln!(
                out,
                "_… {rest} more finding{} not shown (the comment would be too long); see the full report._",
                if rest == 1 { "" } else { "s" }
            );
        }
        f.write_str(&out)
    }
}
