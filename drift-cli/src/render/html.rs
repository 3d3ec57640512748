//! `--format html`: one self-contained page (no network: styles and script inline) for people
//! reading a large report. The verdict and whether guards ran at the top; findings grouped by
//! entity, the entities with critical or high drift open; filters by severity and status; each
//! finding's whole old and new values one click away.

use std::fmt::{self, Write as _};

use drift_core::{Finding, FindingKind, Report, Severity, Status};

use super::{path_label, primary_location, safe, values, whole};

/// Each line escaped for display (control characters, bidi overrides), the line breaks kept.
fn safe_lines(text: &str) -> String {
    text.lines().map(|l| safe(l).into_owned()).collect::<Vec<_>>().join("\n")
}

pub(super) struct Html<'a> {
    pub(super) report: &'a Report,
    pub(super) fail_on: Severity,
}

/// Text for HTML: input text through `safe` (control characters), then the five HTML specials.
fn esc(text: &str) -> String {
    let safe = safe(text);
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}\
h1{font-size:1.3em;margin:0 0 .3em}.verdict{font-weight:600}.fail{color:#b00020}.pass{color:#1b5e20}\
.guards{color:#555;margin:.2em 0}.off{color:#b26a00;font-weight:600}\
.filters{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd;z-index:1}\
.filters label{margin-right:1em}details.entity{margin:.4em 0;border:1px solid #ddd;border-radius:4px}\
details.entity>summary{padding:.3em .6em;cursor:pointer;background:#f6f6f6}\
table{border-collapse:collapse;width:100%}td{padding:.25em .6em;border-top:1px solid #eee;vertical-align:top}\
td.path{font-family:ui-monospace,monospace;overflow-wrap:anywhere;min-width:22ch}\
td.values{font-family:ui-monospace,monospace;overflow-wrap:anywhere;min-width:16ch}\
.sev{font-weight:600;text-transform:uppercase;font-size:.8em}.critical .sev{color:#fff;background:#b00020}.high .sev{color:#d84315}\
.medium .sev{color:#b26a00}.low .sev{color:#1565c0}.info .sev{color:#666}\
tr.expected,tr.ignored,tr.baselined{color:#777}pre{margin:.2em 0;white-space:pre-wrap;word-break:break-all}\
.hide{display:none}.notes{color:#555}";

const SCRIPT: &str = "function apply(){var on={};document.querySelectorAll('.filters input').forEach(function(i){on[i.value]=i.checked});\
document.querySelectorAll('tr.finding').forEach(function(r){r.classList.toggle('hide',!(on[r.dataset.severity]&&on[r.dataset.status]))});\
document.querySelectorAll('details.entity').forEach(function(d){d.classList.toggle('hide',!d.querySelector('tr.finding:not(.hide)'))})}\
document.querySelectorAll('.filters input').forEach(function(i){i.addEventListener('change',apply)});apply();var c=document.querySelector('tr.critical:not(.hide)');document.documentElement.dataset.firstCritical=c?Math.round(c.getBoundingClientRect().top):-1;";

impl fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.report;
        let (left, right) = (esc(&report.left.name), esc(&report.right.name));
        let drift: Vec<&Finding> = report.findings().iter().filter(|x| x.status == Status::Drift).collect();
        let failing = drift.iter().filter(|x| x.severity >= self.fail_on).count();
        let mut out = String::with_capacity(4096 + report.findings().len() * 600);
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>drift: {left} → {right}</title>\
             <style>{STYLE}</style></head><body>\n<h1>drift: {left} → {right}</h1>\n"
        );
        let verdict = if failing == 0 {
            format!("<p class=\"verdict pass\">pass: no drift at or above {}</p>", self.fail_on)
        } else {
            format!("<p class=\"verdict fail\">fail: {failing} drift finding(s) at or above {}</p>", self.fail_on)
        };
        out.push_str(&verdict);
        let guards = esc(&super::guards_line(report));
        let class = if report.guards.enabled { "guards" } else { "guards off" };
        let _ = writeln!(out, "<p class=\"{class}\">{guards}</p>");
        let s = &report.summary.by_status;
        let _ = writeln!(
            out,
            "<p>{} drift · {} expected · {} ignored · {} baselined</p>",
            s.drift, s.expected, s.ignored, s.baselined
        );
        for note in super::input_notes(report, 50).iter().filter(|n| !n.starts_with("guards:")) {
            let _ = writeln!(out, "<p class=\"notes\">{}</p>", esc(note));
        }
        // Filters: every severity of drift on; other statuses off.
        out.push_str("<div class=\"filters\">");
        for severity in Severity::ALL {
            let _ = write!(out, "<label><input type=\"checkbox\" value=\"{severity}\" checked> {severity}</label>");
        }
        for (status, on) in [("drift", true), ("expected", false), ("ignored", false), ("baselined", false)] {
            let checked = if on { " checked" } else { "" };
            let _ = write!(out, "<label><input type=\"checkbox\" value=\"{status}\"{checked}> {status}</label>");
        }
        out.push_str("</div>\n");
        // The entities with the worst drift first: critical findings above the fold.
        let mut groups: Vec<&[Finding]> = report.findings().chunk_by(|a, b| a.entity == b.entity).collect();
        let worst_of = |g: &[Finding]| g.iter().filter(|x| x.status == Status::Drift).map(|x| x.severity).max();
        groups.sort_by_key(|g| std::cmp::Reverse(worst_of(g)));
        for group in groups {
            let worst = worst_of(group);
            let open = if worst.is_some_and(|w| w >= Severity::High) { " open" } else { "" };
            let _ = writeln!(
                out,
                "<details class=\"entity\"{open}><summary><b>{}</b> — {} finding(s){}</summary><table>",
                esc(&group[0].entity.to_string()),
                group.len(),
                worst.map(|w| format!(", worst drift: {w}")).unwrap_or_default()
            );
            // The worst first within an entity too, each finding's followers (↳) under it.
            let rows: Vec<&Finding> = group.iter().collect();
            for (x, under) in super::worst_first(&rows) {
                row(&mut out, x, under, &left, &right);
            }
            out.push_str("</table></details>\n");
        }
        let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
        f.write_str(&out)
    }
}

/// One finding's row; `under` marks one that follows from the row above it (`↳`).
fn row(out: &mut String, x: &Finding, under: bool, left: &str, right: &str) {
    let why = match (x.change, x.reason.as_deref()) {
        (FindingKind::Guard | FindingKind::Reuse, Some(reason)) if !x.message.contains(reason) => {
            format!("{} ({reason})", x.message)
        }
        (FindingKind::Guard | FindingKind::Reuse, _) => x.message.clone(),
        (_, Some(reason)) => reason.to_owned(),
        (_, None) => x.message.clone(),
    };
    let place = primary_location(x).map(|l| esc(&l.to_string())).unwrap_or_default();
    let status = x.status.as_str();
    let what = if x.status == Status::Drift { x.change.as_str() } else { status };
    let _ = writeln!(
        out,
        "<tr class=\"finding {sev} {status}\" data-severity=\"{sev}\" data-status=\"{status}\">\
         <td class=\"sev\">{sev}</td><td>{what}</td><td class=\"path\">{mark}{path}</td>\
         <td class=\"values\">{values}<details><summary>whole values</summary>\
         <div>{left}:</div><pre>{old}</pre><div>{right}:</div><pre>{new}</pre></details></td>\
         <td>{why}</td><td class=\"path\">{place}</td></tr>",
        sev = x.severity,
        mark = if under { "↳ " } else { "" },
        path = esc(&path_label(x)),
        values = esc(&values(x, 80)),
        old = esc(&safe_lines(&whole(x.left.as_ref()))),
        new = esc(&safe_lines(&whole(x.right.as_ref()))),
        why = esc(&why),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped() {
        assert_eq!(super::esc("<b a=\"x\">&'</b>"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;&lt;/b&gt;");
    }
}
