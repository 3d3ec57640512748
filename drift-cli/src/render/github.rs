//! `--format github`: GitHub Actions workflow commands (`::error file=…,line=…,title=…::…`), one per
//! drift finding, so they show on the pull request's files.

use std::fmt;

use drift_core::{Report, Severity, Status};

use super::{path_label, primary_location, values};

pub(super) struct Github<'a>(pub(super) &'a Report);

/// A command's message: `%`, CR and LF escaped (after other control characters are made visible;
/// drift writes no line breaks of its own in a message).
fn data(text: &str) -> String {
    super::safe(text).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A command's property: also `:` and `,` escaped.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

impl fmt::Display for Github<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let guards = super::guards_line(self.0);
        for note in super::input_notes(self.0, 20) {
            if note == guards {
                writeln!(f, "::warning title=drift guards off::{}", data(&note))?;
            } else {
                writeln!(f, "::notice title=drift inputs::{}", data(&note))?;
            }
        }
        for x in self.0.findings().iter().filter(|x| x.status == Status::Drift) {
            let command = match x.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "notice",
            };
            let mut props = Vec::new();
            if let Some(location) = primary_location(x) {
                props.push(format!("file={}", property(&location.file)));
                if let Some(line) = location.line {
                    props.push(format!("line={line}"));
                }
            }
            let title = format!("drift {} {}: {} {}", x.severity, x.category, x.entity, path_label(x));
            props.push(format!("title={}", property(&title)));
            writeln!(f, "::{command} {}::{}", props.join(","), data(&format!("{} ({})", x.message, values(x, 200))))?;
        }
        Ok(())
    }
}
