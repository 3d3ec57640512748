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

/// Prose from the inputs (a name, a message that quotes a value), inert in a comment and in a
/// table cell: no line breaks, no column breaks, no HTML, no emphasis, links or images (Markdown's
/// characters backslash-escaped, `_` where it could start or end emphasis: `PAYMENT_SANDBOX` stays
/// as it is), and no @mention (a word joiner after `@`: posting the comment notifies nobody).
fn cell(text: &str) -> String {
    inert(text, true)
}

/// Text in an HTML block (the `<summary>` of a section), where Markdown escapes are not read: HTML
/// escaped, and no @mention.
fn heading(text: &str) -> String {
    inert(text, false)
}

/// Input text made inert: one line, HTML escaped, no @mention, and with `markdown` Markdown's
/// characters escaped too.
fn inert(text: &str, markdown: bool) -> String {
    let text = super::safe(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let word = |at: Option<&char>| at.is_some_and(|c| c.is_alphanumeric());
        match c {
            '\r' | '\n' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{2060}"),
            _ if !markdown => out.push(c),
            '_' if word(i.checked_sub(1).and_then(|j| chars.get(j))) && word(chars.get(i + 1)) => out.push('_'),
            '\\' | '|' | '*' | '_' | '[' | ']' | '!' | '`' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A path or a value as code: shown exactly as it is (a code span decodes nothing), with no
/// mention, link or emphasis; only `|` escaped, which a table would otherwise split on.
fn code(text: &str) -> String {
    let text = super::safe(text).replace(['\r', '\n'], " ").replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
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
            // Notes name files (skipped inputs): each cut, all within a tenth of the comment.
            for note in &notes {
                let line = format!("> {}\n", cell(&drift_core::elide(note, 300)));
                if out.len() + line.len() > LIMIT / 10 {
                    out.push_str("> …\n");
                    break;
                }
                out.push_str(&line);
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
        // Entities worst first (what fails the gate is never what a long comment leaves out), each
        // entity's findings in path order, a root cause's followers under it.
        let mut groups: Vec<Vec<&drift_core::Finding>> = Vec::new();
        for x in &drift {
            match groups.last_mut() {
                Some(group) if group[0].entity == x.entity => group.push(x),
                _ => groups.push(vec![x]),
            }
        }
        let worst = |group: &[&drift_core::Finding]| group.iter().map(|x| x.severity).max().unwrap_or(Severity::Info);
        groups.sort_by_key(|group| std::cmp::Reverse(worst(group)));
        let mut shown = 0;
        for group in &groups {
            let worst = worst(group);
            // Critical and high findings are open; the rest are a click away.
            let open = if worst >= Severity::High { " open" } else { "" };
            let mut section = format!(
                "<details{open}><summary><b>{}</b> — {} finding{} (worst: {worst})</summary>\n\n\
                 | severity | change | path | {} → {} | why |\n|---|---|---|---|---|\n",
                heading(&drift_core::elide(&group[0].entity.to_string(), 300)),
                group.len(),
                if group.len() == 1 { "" } else { "s" },
                cell(left),
                cell(right)
            );
            let mut rows = 0;
            // Within an entity too, the worst first: each root cause with what follows from it (↳).
            for (x, related) in super::worst_first(group) {
                // The rule's reason is always shown: a guard's message says what must hold.
                let why = match (x.change, x.reason.as_deref()) {
                    (drift_core::FindingKind::Guard | drift_core::FindingKind::Reuse, Some(reason))
                        if !x.message.contains(reason) =>
                    {
                        format!("{} ({reason})", x.message)
                    }
                    (drift_core::FindingKind::Guard | drift_core::FindingKind::Reuse, _) => x.message.clone(),
                    (_, reason) => super::with_provenance(reason.unwrap_or_default(), report, x),
                };
                // A finding that follows from the one above it (its root cause) is marked ↳.
                let row = format!(
                    "| {} | {} | {}{} | {} | {} |\n",
                    x.severity,
                    x.change,
                    if related { "↳ " } else { "" },
                    code(&drift_core::elide(&path_label(x), 400)),
                    code(&values(x, 60)),
                    cell(&drift_core::elide(&why, 600))
                );
                // Room for the closing tags and the truncation note.
                if out.len() + section.len() + row.len() > LIMIT - 400 {
                    break;
                }
                section.push_str(&row);
                rows += 1;
            }
            // A section whose rows do not fit is not written at all.
            if rows == 0 {
                break;
            }
            out.push_str(&section);
            out.push_str("\n</details>\n\n");
            shown += rows;
            if rows < group.len() {
                break;
            }
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
