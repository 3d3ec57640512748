//! Java `.properties` files, read as `java.util.Properties.load` reads them: `key=value`,
//! `key:value` and `key value`; `#` and `!` comments; a line ending in an odd number of
//! backslashes continues on the next (whose leading blanks are dropped); `\t \n \r \f \uXXXX`
//! escapes, and `\` before any other character is that character. Keys keep their dots
//! (`spring.datasource.url`); values are strings. The last of duplicate keys wins, with a warning.

use crate::error::{Error, Result};
use crate::model::{Field, Node};

use super::Duplicate;

/// Parses a properties file into a flat map; a file split into documents by Spring Boot's `#---`
/// (or `!---`) lines, alone on their line, is a list of them, as a multi-document YAML file is.
pub(crate) fn parse(file: &str, text: &str) -> Result<(Node, Vec<Duplicate>)> {
    let mut fields = Vec::new();
    let mut documents: Vec<Vec<Field>> = Vec::new();
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((index, first)) = lines.next() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let first = first.strip_suffix('\r').unwrap_or(first);
        if matches!(first.trim_end(), "#---" | "!---") {
            documents.push(std::mem::take(&mut fields));
            continue;
        }
        let start = first.trim_start_matches([' ', '\t', '\u{c}']);
        if start.is_empty() || start.starts_with('#') || start.starts_with('!') {
            continue;
        }
        // The logical line: natural lines joined while one ends in an odd number of backslashes.
        let mut logical = String::from(start);
        while ends_in_odd_backslashes(&logical) {
            logical.pop();
            match lines.next() {
                Some((_, next)) => {
                    let next = next.strip_suffix('\r').unwrap_or(next);
                    logical.push_str(next.trim_start_matches([' ', '\t', '\u{c}']));
                }
                None => break,
            }
        }
        let (key, value) = split(&logical);
        let key = unescape(key).map_err(|m| Error::input(file, line, m))?;
        let value = unescape(value).map_err(|m| Error::input(file, line, m))?;
        fields.push(Field::new(key, line, Node::string(value)));
    }
    if documents.is_empty() {
        return Ok(super::cfg::flat_map(fields));
    }
    documents.push(fields);
    let mut duplicates = Vec::new();
    let mut nodes = Vec::with_capacity(documents.len());
    for fields in documents {
        let (node, mut dups) = super::cfg::flat_map(fields);
        duplicates.append(&mut dups);
        nodes.push(node);
    }
    Ok((Node::List(crate::model::List::sequence(nodes)), duplicates))
}

fn ends_in_odd_backslashes(text: &str) -> bool {
    text.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The key (up to an unescaped `=`, `:` or blank) and the value (after the separator and blanks).
fn split(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'=' | b':' | b' ' | b'\t' | b'\x0c' => break,
            _ => i += 1,
        }
    }
    let i = i.min(bytes.len());
    let key = &line[..i];
    let mut j = i;
    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
        j += 1;
    }
    if j < bytes.len() && matches!(bytes[j], b'=' | b':') {
        j += 1;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
            j += 1;
        }
    }
    (key, &line[j..])
}

fn unescape(text: &str) -> std::result::Result<String, &'static str> {
    if !text.contains('\\') {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).map_err(|_| "malformed \\uXXXX escape")?;
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &str, key: &str) -> Option<String> {
        let (node, _) = parse("a.properties", text).ok()?;
        node.as_map()?.get(key)?.as_str().map(str::to_owned)
    }

    /// The cases of `java.util.Properties.load`'s documentation.
    #[test]
    fn java_semantics() {
        let text = "# comment\n! also\nTruth = Beauty\n  Truth:Beauty\nTruth                  :Beauty\nfruits  apple, banana, pear, \\\n        cantaloupe, watermelon, \\\n        kiwi, mango\ncheeses\nkey\\ with\\ spaces=x\nuni=\\u00e9\\tz\n";
        assert_eq!(get(text, "Truth").as_deref(), Some("Beauty"));
        assert_eq!(get(text, "fruits").as_deref(), Some("apple, banana, pear, cantaloupe, watermelon, kiwi, mango"));
        assert_eq!(get(text, "cheeses").as_deref(), Some(""));
        assert_eq!(get(text, "key with spaces").as_deref(), Some("x"));
        assert_eq!(get(text, "uni").as_deref(), Some("é\tz"));
        let (_, duplicates) = parse("a.properties", text).unwrap_or((Node::Null, Vec::new()));
        assert_eq!(duplicates.len(), 2);
    }
}
