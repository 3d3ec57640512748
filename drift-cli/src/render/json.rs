//! `--format json`: the `drift/report/v1` document (DESIGN §6), pretty-printed and streamed; and
//! the JSON writer every JSON format (json, sarif, patch) uses.

use std::io::{self, Write};

use drift_core::Report;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

pub(super) fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    to_writer(&mut *out, report)?;
    writeln!(out)
}

/// Pretty JSON in which the characters JSON leaves raw but a terminal or a viewer may act on (C1
/// controls such as U+009B, bidirectional overrides, line separators) are `\u` escapes: the same
/// values for a parser, nothing for a terminal.
pub(super) fn to_writer<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Safe(PrettyFormatter::new()));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

struct Safe<'a>(PrettyFormatter<'a>);

fn needs_escape(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

impl Formatter for Safe<'_> {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        if !fragment.chars().any(needs_escape) {
            return writer.write_all(fragment.as_bytes());
        }
        for c in fragment.chars() {
            if needs_escape(c) {
                write!(writer, "\\u{:04x}", u32::from(c))?;
            } else {
                let mut buf = [0; 4];
                writer.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            }
        }
        Ok(())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn terminal_controls_are_escaped_and_values_kept() {
        let value = serde_json::json!({"k\u{9b}": "a\u{1b}[2J\u{202e}b", "n": 1});
        let mut out = Vec::new();
        super::to_writer(&mut out, &value).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(!text.contains(['\u{1b}', '\u{9b}', '\u{202e}']), "{text}");
        assert!(text.contains("\\u009b") && text.contains("\\u001b") && text.contains("\\u202e"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default(), value);
    }
}
