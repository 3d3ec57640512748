//! Renderers: one module per output format. Each presents a `Report` and decides nothing.

mod github;
mod html;
mod json;
mod junit;
mod markdown;
mod patch;
mod sarif;
mod text;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use drift_core::{EntityPatch, Finding, FindingKind, Report, Severity, Status};
use serde_json::Value;

pub use text::{Style, TextOptions};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A report for people, grouped by entity.
    Text,
    /// The `drift/report/v1` JSON document.
    Json,
    /// A pull-request comment.
    Markdown,
    /// JUnit XML: a suite per entity, a test case per drift finding, failed at or above --fail-on.
    Junit,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// An RFC 6902 JSON Patch per entity, left to right.
    Patch,
    /// One self-contained HTML page: findings by entity, filters, whole values.
    Html,
}

/// What a renderer gets: the report, the entities' patches (for `patch`), and the gate's threshold
/// (for formats that mark failures).
pub struct Document<'a> {
    pub report: &'a Report,
    pub patches: &'a [EntityPatch],
    pub fail_on: Severity,
}

/// Writes the report in the chosen format.
pub fn write(out: &mut impl Write, doc: &Document<'_>, format: OutputFormat, text: &TextOptions) -> io::Result<()> {
    let report = doc.report;
    match format {
        OutputFormat::Text => write!(out, "{}", text::Text { report, options: text }),
        OutputFormat::Json => json::write(out, report),
        OutputFormat::Markdown => write!(out, "{}", markdown::Markdown { report, fail_on: doc.fail_on }),
        OutputFormat::Junit => write!(out, "{}", junit::Junit { report, fail_on: doc.fail_on }),
        OutputFormat::Sarif => sarif::write(out, report),
        OutputFormat::Github => write!(out, "{}", github::Github(report)),
        OutputFormat::Patch => patch::write(out, doc.patches),
        OutputFormat::Html => write!(out, "{}", html::Html { report, fail_on: doc.fail_on }),
    }
}

/// Text from the inputs (a file name, a key, a value, an environment's name) made safe to print:
/// control characters (line breaks, ESC, C1), bidirectional overrides and line separators are
/// written as escapes (`\n`, `\u{1b}`), so no input can start a line of its own (a GitHub
/// workflow command) or drive a terminal.
pub fn safe(text: &str) -> Cow<'_, str> {
    // Control characters, bidi overrides, line separators, and the characters that show as nothing
    // (zero-width spaces and joiners, soft hyphens, fillers, variation selectors, tags): `ab` and
    // `a\u{200b}b` must not read alike.
    let unsafe_char = |c: char| {
        c.is_control()
            || (c >= '\u{ad}'
                && matches!(
                c,
                '\u{ad}'
                    | '\u{34f}'
                    | '\u{61c}'
                    | '\u{115f}'
                    | '\u{1160}'
                    | '\u{17b4}'
                    | '\u{17b5}'
                    | '\u{180b}'..='\u{180f}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{2060}'..='\u{206f}'
                    | '\u{3164}'
                    | '\u{fe00}'..='\u{fe0f}'
                    | '\u{feff}'
                    | '\u{ffa0}'
                    | '\u{1d173}'..='\u{1d17a}'
                    | '\u{e0000}'..='\u{e0fff}'
                ))
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What a reader must know about the inputs, one line each: notes (a Terraform plan was compared)
/// and the files that were skipped as not configuration (at most `max`, then how many more).
pub(crate) fn input_notes(report: &Report, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if !report.guards.enabled {
        out.push(guards_line(report));
    }
    out.extend(report.notes.iter().map(|n| safe(n).into_owned()));
    for side in [&report.left, &report.right] {
        out.extend(side.notes.iter().map(|n| safe(n).into_owned()));
    }
    let skipped: Vec<&drift_core::Skipped> = report.left.skipped.iter().chain(&report.right.skipped).collect();
    for skip in skipped.iter().take(max) {
        out.push(format!("skipped {} ({})", safe(&skip.file), safe(&skip.reason)));
    }
    if skipped.len() > max {
        out.push(format!("skipped {} more files that are not configuration", skipped.len() - max));
    }
    out
}

/// Whether guards ran and why, for every format (DESIGN §6): `guards: on for production (…)`, or
/// `guards: OFF: neither side is production (…)`.
pub(crate) fn guards_line(report: &Report) -> String {
    let guards = &report.guards;
    let same = if report.same_environment {
        "; one environment on both sides: equal secrets are not reuse, changed ones are rotations"
    } else {
        ""
    };
    match (&guards.environment, guards.enabled) {
        (Some(env), true) => format!("guards: on for {} ({}){same}", safe(env), safe(&guards.reason)),
        _ => format!("guards: OFF: {}{same}", safe(&guards.reason)),
    }
}

/// A reason with where an effective value came from on the side that has it, when layers were
/// merged (`production: set by values-production.yaml:2 (production) over values.yaml:1 (base)`);
/// guards say it in their message.
pub(crate) fn with_provenance(reason: &str, report: &Report, x: &drift_core::Finding) -> String {
    let note = x.provenance.as_ref().and_then(|p| {
        let right = drift_core::Provenance::describe(&p.right, &report.right.name)
            .map(|t| format!("{}: {t}", report.right.name));
        right.or_else(|| {
            drift_core::Provenance::describe(&p.left, &report.left.name).map(|t| format!("{}: {t}", report.left.name))
        })
    });
    match (reason, note) {
        (reason, None) => reason.to_owned(),
        ("", Some(note)) => note,
        (reason, Some(note)) => format!("{reason}; {note}"),
    }
}

/// A value on one line: strings bare unless empty or spaced, secrets as their fingerprint.
pub(crate) fn value(value: Option<&Value>, max: usize) -> String {
    let Some(value) = value else {
        return "(absent)".to_owned();
    };
    safe(&drift_core::elide(&plain(value), max)).into_owned()
}

/// A value as the reports write it, whole: a string as itself (quoted when empty or holding
/// blanks), a secret as its fingerprint (and redacted form), anything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() || s.contains(char::is_whitespace) => Value::from(s.as_str()).to_string(),
        Value::String(s) => s.clone(),
        Value::Object(map) if map.contains_key("secret") => {
            let fp = map.get("secret").and_then(Value::as_str).map_or("?".to_owned(), str::to_owned);
            match map.get("redacted").and_then(Value::as_str) {
                Some(redacted) => format!("{redacted} (secret:{fp})"),
                None => format!("secret:{fp}"),
            }
        }
        other => other.to_string(),
    }
}

/// A value whole, as a person reads it (`--detail`, HTML's whole values): a string as itself,
/// lines and all; a masked secret as its masked text and fingerprint; anything else as indented
/// JSON. Not escaped: each format escapes it.
pub(crate) fn whole(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(secret)) if secret.contains_key("secret") => {
            let fingerprint = secret.get("secret").and_then(Value::as_str).unwrap_or("?");
            match secret.get("redacted").and_then(Value::as_str) {
                Some(masked) => format!("{masked}\n(secret:{fingerprint})"),
                None => format!("secret:{fingerprint}"),
            }
        }
        Some(other) => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// The values a finding is about: `left → right`, or the one value a guard or reuse concerns.
/// Two long strings that differ are cut around their first difference, so it stays visible.
pub(crate) fn values(x: &Finding, max: usize) -> String {
    match (x.change, x.left.as_ref(), x.right.as_ref()) {
        (FindingKind::Guard, ..) => {
            value(if x.location.right.is_some() { x.right.as_ref() } else { x.left.as_ref() }, max)
        }
        (FindingKind::Reuse, ..) => value(x.right.as_ref(), max),
        (_, Some(Value::String(a)), Some(Value::String(b))) if a.chars().count() > max || b.chars().count() > max => {
            let common = a.chars().zip(b.chars()).take_while(|(p, q)| p == q).count();
            format!("{} → {}", around(a, common, max), around(b, common, max))
        }
        // Lists and maps likewise (a policy's resources, one ARN of which changed), as JSON.
        (_, Some(a @ (Value::Array(_) | Value::Object(_))), Some(b))
        | (_, Some(a), Some(b @ (Value::Array(_) | Value::Object(_))))
            if !is_secret(a) && !is_secret(b) =>
        {
            let (a, b) = (plain(a), plain(b));
            if a.chars().count() <= max && b.chars().count() <= max {
                return format!("{} → {}", safe(&a), safe(&b));
            }
            let common = a.chars().zip(b.chars()).take_while(|(p, q)| p == q).count();
            format!("{} → {}", window(&a, common, max), window(&b, common, max))
        }
        _ => format!("{} → {}", value(x.left.as_ref(), max), value(x.right.as_ref(), max)),
    }
}

fn is_secret(value: &Value) -> bool {
    value.as_object().is_some_and(|m| m.contains_key("secret"))
}

/// A window of `max` characters of a string that shows the character at `at` (with `…` where
/// cut), quoted.
fn around(text: &str, at: usize, max: usize) -> String {
    if text.chars().count() <= max {
        return safe(&Value::from(text).to_string()).into_owned();
    }
    safe(&Value::from(cut_around(text, at, max)).to_string()).into_owned()
}

/// The same for a text shown as it is (JSON).
fn window(text: &str, at: usize, max: usize) -> String {
    safe(&cut_around(text, at, max)).into_owned()
}

fn cut_around(text: &str, at: usize, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_owned();
    }
    let context = max / 3;
    let start = at.saturating_sub(context).min(chars.len().saturating_sub(max));
    let end = (start + max).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// One entity's findings (in path order) worst first for a reader: each root cause with the
/// findings that follow from it (`true`: shown `↳` under it), these families ordered by their worst
/// drift finding, path order otherwise.
pub(crate) fn worst_first<'r>(group: &[&'r Finding]) -> Vec<(&'r Finding, bool)> {
    let related = drift_core::follows_from_above(group);
    let mut families: Vec<Vec<(&Finding, bool)>> = Vec::new();
    for (&x, under) in group.iter().zip(related) {
        match families.last_mut() {
            Some(family) if under => family.push((x, true)),
            _ => families.push(vec![(x, false)]),
        }
    }
    let rank = |family: &Vec<(&Finding, bool)>| {
        let worst = family.iter().filter(|(x, _)| x.status == Status::Drift).map(|(x, _)| x.severity).max();
        (worst.is_none(), std::cmp::Reverse(worst))
    };
    families.sort_by_key(|family| rank(family));
    families.into_iter().flatten().collect()
}

/// The finding's path, or `(entity)` for a whole entity.
pub(crate) fn path_label(finding: &Finding) -> String {
    if finding.path.is_root() { "(entity)".to_owned() } else { safe(&finding.path.to_string()).into_owned() }
}

/// Where the finding is best shown: the right side's location, else the left's.
pub(crate) fn primary_location(finding: &Finding) -> Option<&drift_core::Location> {
    finding.location.right.as_ref().or(finding.location.left.as_ref())
}

#[cfg(test)]
mod tests {
    use super::around;

    #[test]
    fn the_difference_stays_visible() {
        let a = format!("{}X{}", "a".repeat(100), "b".repeat(100));
        let cut = around(&a, 100, 30);
        assert!(cut.contains('X') && cut.starts_with("\"…") && cut.ends_with("…\""), "{cut}");
        assert_eq!(around("short", 0, 30), "\"short\"");
    }

    #[test]
    fn characters_that_show_as_nothing_are_escaped() {
        for c in ['\u{200b}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{ad}', '\u{3164}', '\u{fe0f}', '\u{e0041}'] {
            let text = format!("a{c}b");
            let shown = super::safe(&text);
            assert_ne!(shown, "ab");
            assert!(shown.starts_with("a\\u{") && !shown.contains(c), "{c:?}: {shown}");
        }
        assert_eq!(super::safe("plain é 漢字 ✓"), "plain é 漢字 ✓");
    }

    #[test]
    fn a_difference_inside_a_list_stays_visible() {
        let arn =
            |bucket: &str| format!("arn:aws:s3:::company-data-lake-{bucket}-ingest-bucket-eu-west-1/partition=x/*");
        let (a, b) = (serde_json::json!([arn("billing")]), serde_json::json!([arn("booking")]));
        let mut x: drift_core::Finding = serde_json::from_value(
            serde_json::json!({"id": "x", "domain": "tf", "entity": "tf:a.b", "path": "Resource",
                "change": "changed", "category": "network", "severity": "high", "status": "drift", "message": "m",
                "rule": null, "location": {}}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        (x.left, x.right) = (Some(a), Some(b));
        let shown = super::values(&x, 40);
        let (old, new) = shown.split_once(" → ").unwrap_or_default();
        assert!(old.contains("billing") && new.contains("booking"), "{shown}");
        assert!(old.chars().count() <= 42 && new.chars().count() <= 42, "{shown}");
    }
}
