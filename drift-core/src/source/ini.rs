//! INI files (`.ini`, `.cfg`), read as Python's `configparser` reads them by default: `[section]`
//! headers, `key = value` or `key: value`, `#` and `;` comment lines, values continued on indented
//! lines, and keys before the first section at the top level. Values are strings; a section is a
//! map. The last of duplicate keys wins, with a warning.

use crate::error::{Error, Result};
use crate::model::{Field, Node};

use super::Duplicate;

/// Parses an INI file into a map of sections (and top-level keys).
pub(crate) fn parse(file: &str, text: &str) -> Result<(Node, Vec<Duplicate>)> {
    let mut top: Vec<Field> = Vec::new();
    let mut sections: Vec<(String, u32, Vec<Field>)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let current = match sections.last_mut() {
            Some(section) => &mut section.2,
            None => &mut top,
        };
        // A continuation: an indented line after a key extends its value.
        if raw.starts_with([' ', '\t'])
            && let Some(last) = current.last_mut()
        {
            let (key, line, value) = std::mem::replace(last, Field::new("", 0, Node::Null)).into_parts();
            let mut text = value.as_str().unwrap_or_default().to_owned();
            text.push('\n');
            text.push_str(trimmed);
            *last = Field::new(key.as_str(), line, Node::string(text));
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                return Err(Error::input(file, line, "invalid INI: a section header needs a closing `]`"));
            };
            sections.push((name.trim().to_owned(), line, Vec::new()));
            continue;
        }
        let Some(at) = trimmed.find(['=', ':']) else {
            return Err(Error::input(file, line, "invalid INI: expected `key = value` or a `[section]`"));
        };
        let key = trimmed[..at].trim();
        if key.is_empty() {
            return Err(Error::input(file, line, "invalid INI: a key is empty"));
        }
        current.push(Field::new(key, line, Node::string(trimmed[at + 1..].trim())));
    }
    let mut duplicates = Vec::new();
    let mut fields = Vec::new();
    for (name, line, section) in sections {
        let (node, dups) = super::cfg::flat_map(section);
        duplicates.extend(dups);
        fields.push(Field::new(name, line, node));
    }
    fields.extend(top);
    let (node, dups) = super::cfg::flat_map(fields);
    duplicates.extend(dups);
    Ok((node, duplicates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_continuations() {
        let text = "top = 1\n[database]\nhost = db.internal\nport: 5432\n; comment\nnote = first\n  second\n[payment]\nsandbox = true\n";
        let (node, _) = parse("a.ini", text).unwrap_or((Node::Null, Vec::new()));
        let map = node.as_map().unwrap_or_else(|| panic!("map"));
        let db = map.get("database").and_then(Node::as_map).unwrap_or_else(|| panic!("section"));
        assert_eq!(db.get("port"), Some(&Node::string("5432")));
        assert_eq!(db.get("note"), Some(&Node::string("first\nsecond")));
        assert_eq!(db.field("host").map(Field::line), Some(3));
        assert_eq!(map.get("top"), Some(&Node::string("1")));
        assert!(parse("b.ini", "[x\n").is_err());
        assert!(parse("b.ini", "just words\n").err().is_some_and(|e| e.to_string().contains("b.ini:1:")));
    }
}
