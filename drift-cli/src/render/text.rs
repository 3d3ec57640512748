//! `--format text`: the report for people. Grouped by entity, one line per finding (severity,
//! what happened, path, left → right, why, where), then a summary line. Colour only when asked.

use std::fmt;

use unicode_width::UnicodeWidthChar;

use drift_core::{Finding, FindingKind, Report, Severity, Status};

use super::{path_label, safe, values};

/// Plain text or ANSI colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// No escape codes (a pipe, a file, CI logs).
    Plain,
    /// ANSI colours by severity.
    Color,
}

/// What the text report shows besides drift.
#[derive(Clone, Copy, Debug)]
pub struct TextOptions {
    /// Colours or not.
    pub style: Style,
    /// Also show expected findings (with their reasons).
    pub expected: bool,
    /// Also show ignored findings (with their reasons).
    pub ignored: bool,
    /// Also show baselined findings.
    pub baselined: bool,
    /// Only the summary line.
    pub summary_only: bool,
    /// The terminal's width: long values are cut to fit; `None` without a terminal.
    pub width: Option<usize>,
    /// Values are never cut (`--no-truncate`).
    pub full_values: bool,
    /// Each finding's whole old and new values under it, multi-line (`--detail`).
    pub detail: bool,
}

pub(super) struct Text<'a> {
    pub(super) report: &'a Report,
    pub(super) options: &'a TextOptions,
}

const MAX_VALUE: usize = 80;
const MAX_PATH: usize = 40;
/// Where the path column starts: two spaces, severity (8), a space, change (8), two spaces.
const INDENT: usize = 21;

impl Text<'_> {
    fn shown(&self, finding: &Finding) -> bool {
        match finding.status {
            Status::Drift => true,
            Status::Expected => self.options.expected,
            Status::Ignored => self.options.ignored,
            Status::Baselined => self.options.baselined,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        match self.options.style {
            Style::Color => format!("\x1b[{code}m{text}\x1b[0m"),
            Style::Plain => text.to_owned(),
        }
    }
}

/// A path cut into lines of at most `room` characters, before a `.` or `[` between segments or after
/// a `,`, `+` or blank between a label's fields, values or words where it can (a part longer than a
/// line is cut where it must).
fn wrap_path(path: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut count = 0;
    let mut segment = String::new();
    let flush_segment = |segment: &mut String, line: &mut String, count: &mut usize, lines: &mut Vec<String>| {
        let len = columns(segment);
        if *count > 0 && *count + len > room {
            lines.push(std::mem::take(line));
            *count = 0;
        }
        for c in segment.drain(..) {
            let w = UnicodeWidthChar::width(c).unwrap_or(0);
            if *count + w > room && *count > 0 {
                lines.push(std::mem::take(line));
                *count = 0;
            }
            line.push(c);
            *count += w;
        }
    };
    // Breaks only between segments: never inside `[…]` (a label holds dots: `0.0.0.0/0`) or quotes.
    let (mut depth, mut quoted) = (0usize, false);
    for c in path.chars() {
        if matches!(c, '.' | '[') && !segment.is_empty() && depth == 0 && !quoted {
            flush_segment(&mut segment, &mut line, &mut count, &mut lines);
        }
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
        segment.push(c);
        // A label's fields, values (`10.0.0.0/8+10.1.0.0/16`) and words may each start a line.
        if matches!(c, ',' | '+' | ' ') && depth == 1 && !quoted {
            flush_segment(&mut segment, &mut line, &mut count, &mut lines);
        }
    }
    flush_segment(&mut segment, &mut line, &mut count, &mut lines);
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Each line of `text` at most `width` visible columns (colour codes take none): a wider line is
/// cut at blanks, its continuation lines indented two more than it (a finding's, under its path);
/// a word wider than a line is cut where it must.
fn fit_lines(text: &str, width: usize) -> String {
    // A very narrow terminal: continuation lines indented less, never wider than it.
    let width = width.max(8);
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let (line, newline) = match line.strip_suffix('\n') {
            Some(l) => (l, "\n"),
            None => (line, ""),
        };
        if visible(line) <= width {
            out.push_str(line);
            out.push_str(newline);
            continue;
        }
        let lead = line.chars().take_while(|c| *c == ' ').count();
        // A finding's line (`  critical guard …`) continues under its path; others four further in.
        let indent = if lead == 2 { INDENT } else { lead + 4 }.min(width / 2);
        let mut count = 0;
        let mut fresh = false;
        let newline_at = |out: &mut String, count: &mut usize| {
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            *count = indent;
        };
        for (i, word) in line.split(' ').enumerate() {
            let len = visible(word);
            if len == 0 && !word.is_empty() {
                // A colour code alone (a reset after a blank): it takes no room and starts no line.
                out.push_str(word);
                continue;
            }
            if i > 0 {
                if fresh && word.is_empty() {
                    // The blanks that separated columns do not start a continuation line.
                    continue;
                }
                if count + 1 + len <= width {
                    out.push(' ');
                    count += 1;
                    fresh = false;
                } else {
                    newline_at(&mut out, &mut count);
                    fresh = true;
                    if word.is_empty() {
                        continue;
                    }
                }
            }
            // A word wider than what is left of a line: cut.
            let mut rest = word;
            while count + visible(rest) > width && count < width {
                let (head, tail) = split_visible(rest, width - count);
                if head.is_empty() && count <= indent {
                    // Not even one character fits a fresh line.
                    break;
                }
                out.push_str(head);
                newline_at(&mut out, &mut count);
                rest = tail;
            }
            out.push_str(rest);
            count += visible(rest);
            fresh = fresh && rest.is_empty();
        }
        while out.ends_with(' ') {
            out.pop();
        }
        out.push_str(newline);
    }
    out
}

/// Visible columns of a text: characters outside colour codes (`\x1b[…m`).
fn visible(text: &str) -> usize {
    let mut count = 0;
    let mut escape = false;
    for c in text.chars() {
        match (escape, c) {
            (false, '\x1b') => escape = true,
            (true, c) if c.is_ascii_alphabetic() => escape = false,
            (true, _) => {}
            (false, c) => count += UnicodeWidthChar::width(c).unwrap_or(0),
        }
    }
    count
}

/// A text split after `n` visible columns (colour codes stay whole).
fn split_visible(text: &str, n: usize) -> (&str, &str) {
    let mut count = 0;
    let mut escape = false;
    for (i, c) in text.char_indices() {
        match (escape, c) {
            (false, '\x1b') => escape = true,
            (true, c) if c.is_ascii_alphabetic() => escape = false,
            (true, _) => {}
            (false, c) => {
                let w = UnicodeWidthChar::width(c).unwrap_or(0);
                if count + w > n {
                    return (&text[..i], &text[i..]);
                }
                count += w;
            }
        }
    }
    (text, "")
}

/// The columns a text takes on a terminal: wide characters (CJK, most emoji) two, combining and
/// zero-width ones none.
fn columns(text: &str) -> usize {
    text.chars().map(|c| UnicodeWidthChar::width(c).unwrap_or(0)).sum()
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.options.width {
            // On a terminal, every line fits its width: what is still wider (a reason, locations,
            // values beside a long path, the summary) wraps at blanks, under itself.
            Some(width) => f.write_str(&fit_lines(&Body(self).to_string(), width)),
            None => Body(self).fmt(f),
        }
    }
}

/// The report as composed, before it is fitted to a terminal.
struct Body<'a, 'r>(&'a Text<'r>);

impl fmt::Display for Body<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = self.0;
        let report = this.report;
        if this.options.summary_only {
            return this.summary(f);
        }
        let (left, right) = (&report.left, &report.right);
        writeln!(
            f,
            "drift: {} ({}) → {} ({})",
            this.paint("1", &safe(&left.name)),
            safe(&left.inputs.join(", ")),
            this.paint("1", &safe(&right.name)),
            safe(&right.inputs.join(", "))
        )?;
        let guards = super::guards_line(report);
        writeln!(f, "{}", if report.guards.enabled { this.paint("2", &guards) } else { this.paint("1;33", &guards) })?;
        let shown: Vec<&Finding> = report.findings().iter().filter(|x| this.shown(x)).collect();
        let mut i = 0;
        while i < shown.len() {
            let entity = &shown[i].entity;
            let group: Vec<&Finding> = shown[i..].iter().take_while(|x| &x.entity == entity).copied().collect();
            i += group.len();
            writeln!(f)?;
            writeln!(f, "{}", this.paint("1", &safe(&entity.to_string())))?;
            let related = drift_core::follows_from_above(&group);
            let path_width = group
                .iter()
                .zip(&related)
                .map(|(x, &r)| columns(&path_label(x)) + if r { 2 } else { 0 })
                .max()
                .unwrap_or(0)
                .min(MAX_PATH);
            for (finding, related) in group.iter().zip(related) {
                this.line(f, finding, path_width, related)?;
            }
        }
        writeln!(f)?;
        for note in super::input_notes(report, 10).into_iter().filter(|n| *n != guards) {
            writeln!(f, "{}", this.paint("2", &format!("note: {note}")))?;
        }
        this.summary(f)
    }
}

impl Text<'_> {
    /// One finding; `related` marks one under the finding above it (`↳`), its root cause.
    fn line(&self, f: &mut fmt::Formatter<'_>, x: &Finding, width: usize, related: bool) -> fmt::Result {
        let severity = format!("{:<8}", x.severity.as_str());
        let what = match x.status {
            Status::Drift => x.change.as_str(),
            other => other.as_str(),
        };
        let path = if related { format!("↳ {}", path_label(x)) } else { path_label(x) };
        let pad = width.saturating_sub(columns(&path));
        // On a terminal, values share its width with the other columns.
        let max_value = if self.options.full_values || self.options.detail {
            usize::MAX
        } else {
            self.options.width.map_or(MAX_VALUE, |w| (w.saturating_sub(width + 24) / 2).clamp(12, MAX_VALUE))
        };
        let values = values(x, max_value);
        let why = match (x.status, x.change) {
            (Status::Drift, FindingKind::Guard | FindingKind::Reuse) => x.message.clone(),
            (Status::Drift, _) => super::with_provenance(x.reason.as_deref().unwrap_or_default(), self.report, x),
            _ => x.reason.as_deref().unwrap_or(&x.message).to_owned(),
        };
        let why = safe(&why).into_owned();
        let locations = match (&x.location.left, &x.location.right) {
            (Some(l), Some(r)) => format!("{l} ↔ {r}"),
            (Some(l), None) => l.to_string(),
            (None, Some(r)) => r.to_string(),
            (None, None) => String::new(),
        };
        let locations = safe(&locations).into_owned();
        // A path wider than the terminal wraps at its segments, under itself.
        let chunks = match self.options.width {
            Some(w) if INDENT + columns(&path) > w => wrap_path(&path, w.saturating_sub(INDENT).max(8)),
            _ => vec![path.clone()],
        };
        let last = chunks.last().map_or(0, |c| columns(c.trim_end()));
        let pad = if chunks.len() > 1 { width.saturating_sub(last) } else { pad };
        let shown_path =
            chunks.iter().map(|c| self.paint("1", c.trim_end())).collect::<Vec<_>>().join(&format!("\n{:INDENT$}", ""));
        let mut line = format!(
            "  {} {:<8}  {}{}  {values}",
            self.paint(severity_color(x.severity), &severity),
            what,
            shown_path,
            " ".repeat(pad),
        );
        // On a terminal too narrow for one line, the reason and the locations get lines of their
        // own, under the path. Without a terminal a finding is always one line (easy to grep).
        let visible = INDENT + last.max(width) + 2 + columns(&values);
        let why_width = if why.is_empty() { 0 } else { 4 + columns(&why) };
        let wrap = self.options.width.is_some_and(|w| visible + why_width + 2 + columns(&locations) > w);
        let separator = if wrap { format!("\n{:INDENT$}", "") } else { "  ".to_owned() };
        if !why.is_empty() {
            line.push_str(&separator);
            line.push_str("— ");
            line.push_str(&why);
        }
        if !locations.is_empty() {
            line.push_str(&separator);
            line.push_str(&self.paint("2", &locations));
        }
        writeln!(f, "{line}")?;
        if self.options.detail {
            self.detail(f, x)?;
        }
        Ok(())
    }

    /// `--detail`: the whole old and new values, one side per block, JSON documents indented, a
    /// masked secret as its masked text; the lines that differ (a line diff, so a line moved or
    /// repeated elsewhere still counts) are marked `-` and `+` (and coloured on a terminal), like
    /// dyff's view.
    fn detail(&self, f: &mut fmt::Formatter<'_>, x: &Finding) -> fmt::Result {
        let lines = |value: Option<&serde_json::Value>| -> Vec<String> {
            super::whole(value).lines().map(|l| safe(l).into_owned()).collect()
        };
        let (old, new) = (lines(x.left.as_ref()), lines(x.right.as_ref()));
        let (mut old_changed, mut new_changed) = (vec![false; old.len()], vec![false; new.len()]);
        if x.left.is_some() && x.right.is_some() {
            for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
                let (tag, removed, added) = op.as_tag_tuple();
                if tag != similar::DiffTag::Equal {
                    old_changed[removed].iter_mut().for_each(|c| *c = true);
                    new_changed[added].iter_mut().for_each(|c| *c = true);
                }
            }
        }
        let pad = " ".repeat(INDENT + 2);
        for (side, these, changed, mark, color) in [
            (&self.report.left.name, &old, &old_changed, '-', "31"),
            (&self.report.right.name, &new, &new_changed, '+', "32"),
        ] {
            writeln!(f, "{pad}{}:", safe(side))?;
            for (line, changed) in these.iter().zip(changed.iter()) {
                if *changed {
                    writeln!(f, "{pad}{}", self.paint(color, &format!("{mark} {line}")))?;
                } else {
                    writeln!(f, "{pad}  {line}")?;
                }
            }
        }
        Ok(())
    }

    fn summary(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = &self.report.summary;
        let s = &summary.by_status;
        if s.drift == 0 {
            write!(f, "no drift between {} and {}", safe(&self.report.left.name), safe(&self.report.right.name))?;
        } else {
            let drift: Vec<&Finding> = self.report.findings().iter().filter(|x| x.status == Status::Drift).collect();
            let count = |sev: Severity| drift.iter().filter(|x| x.severity == sev).count();
            let parts: Vec<String> = Severity::ALL
                .iter()
                .map(|&sev| (sev, count(sev)))
                .filter(|(_, n)| *n > 0)
                .map(|(sev, n)| self.paint(severity_color(sev), &format!("{n} {sev}")))
                .collect();
            write!(f, "{} drift finding{}: {}", s.drift, plural(s.drift), parts.join(", "))?;
        }
        let mut hidden = Vec::new();
        for (n, name, shown) in [
            (s.expected, "expected", self.options.expected),
            (s.ignored, "ignored", self.options.ignored),
            (s.baselined, "baselined", self.options.baselined),
        ] {
            if n > 0 {
                hidden.push(if shown { format!("{n} {name}") } else { format!("{n} {name} (--show {name})") });
            }
        }
        if !hidden.is_empty() {
            write!(f, " · {}", hidden.join(", "))?;
        }
        writeln!(f)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use drift_core::{Fingerprinter, LoadOptions, Policy};

    use super::{INDENT, Style, Text, TextOptions, wrap_path};

    #[test]
    fn lines_fit_by_columns_wide_characters_and_narrow_terminals() {
        let text = format!(
            "  critical guard     data[\"{}\"]  \"{}\"\n{:21}— {}\n",
            "説明".repeat(30),
            "✓".repeat(50),
            "",
            "値が違います ".repeat(20)
        );
        for width in [40, 60, 80, 100] {
            let fitted = super::fit_lines(&text, width);
            for line in fitted.lines() {
                assert!(super::columns(line) <= width, "{width}: {line:?} is {} columns", super::columns(line));
                assert!(!line.ends_with(' '), "{line:?}");
            }
            // Nothing lost: the same characters, blanks aside.
            let squeeze = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            assert_eq!(squeeze(&fitted), squeeze(&text));
        }
        // A colour reset after a blank takes no room and starts no line.
        let colored = format!("  high     added     \x1b[1m{} \x1b[0m", "x".repeat(60));
        let fitted = super::fit_lines(&colored, 80);
        assert!(fitted.lines().all(|l| super::visible(l) > 0), "{fitted:?}");
    }

    #[test]
    fn long_labels_wrap_between_their_values() {
        let path = "ingress[=tcp/22 from ::/0+10.0.0.0/16+10.1.0.0/16+10.2.0.0/16+10.3.0.0/16+2 more].cidr_blocks";
        let lines = wrap_path(path, 40);
        assert_eq!(lines.concat(), path);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:#?}");
        // Never inside a CIDR: each line ends at a segment, a `+` or a blank.
        for line in &lines[..lines.len() - 1] {
            assert!(line.ends_with(['+', ' ', ',', ']']), "{lines:#?}");
        }
    }

    /// The demo environments' report under a policy.
    fn fixtures(policy: Policy) -> drift_core::Report {
        let options = LoadOptions::new(Fingerprinter::with_key(b"t"));
        let (left, right) = match drift_core::load_pair(
            Path::new("../fixtures/staging"),
            Path::new("../fixtures/production"),
            &options,
        ) {
            Ok(pair) => pair,
            Err(err) => panic!("{err}"),
        };
        drift_core::report(&drift_core::diff(&left, &right), &policy)
    }

    /// The layout at 80, 100 and 160 columns (insta snapshots in `render/snapshots/`).
    #[test]
    fn layouts_by_width() {
        let report = fixtures(Policy { now: Some(1_780_272_000), ..Policy::default() });
        for width in [80, 100, 160] {
            let options = TextOptions {
                style: Style::Plain,
                expected: false,
                ignored: false,
                baselined: false,
                summary_only: false,
                width: Some(width),
                full_values: false,
                detail: false,
            };
            let text = Text { report: &report, options: &options }.to_string();
            // Every line fits the terminal, and none ends in a blank.
            for line in text.lines() {
                assert!(super::columns(line) <= width, "{width} columns: {line:?}");
                assert!(!line.ends_with(' '), "{line:?}");
            }
            insta::assert_snapshot!(format!("text_{width}_columns"), text);
        }
    }

    #[test]
    fn a_narrow_terminal_moves_reasons_and_locations_under_the_path() {
        let report = fixtures(Policy::default());
        let render = |width| {
            let options = TextOptions {
                style: Style::Plain,
                expected: false,
                ignored: false,
                baselined: false,
                summary_only: false,
                width,
                full_values: false,
                detail: false,
            };
            Text { report: &report, options: &options }.to_string()
        };
        let continuation = |text: &str| text.lines().filter(|l| l.starts_with(&" ".repeat(INDENT))).count();
        let (wide, narrow) = (render(None), render(Some(80)));
        assert_eq!(continuation(&wide), 0, "{wide}");
        assert!(continuation(&narrow) > 10, "{narrow}");
        let location = narrow.lines().find(|l| l.trim_start().starts_with("../fixtures/production/.env:16"));
        assert!(location.is_some(), "PAYMENT_SANDBOX's location on its own line:\n{narrow}");
        // Every finding is still there, in the same order.
        let firsts = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
                .map(|l| l.chars().take(30).collect())
                .collect()
        };
        assert_eq!(firsts(&wide), firsts(&narrow));
    }
}
