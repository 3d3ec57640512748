//! JSON read straight into [`Node`]s, for every source whose input is JSON (Terraform states and
//! plans, flag exports, Kubernetes exports, config files).
//!
//! A small reader of its own rather than serde_json, for what a configuration differ needs and
//! serde_json's visitors do not give: the **line** of every field (findings point at it), numbers
//! as their **exact text** (`0.1000000000000000001` is not `0.1`, and two 30-digit integers that
//! differ in the last digit differ), **duplicate keys** reported (the last one wins, as in
//! JavaScript and Go, with a warning as for YAML), one nesting limit shared with the other readers,
//! and error messages that quote positions, never values. RFC 8259: a leading UTF-8 BOM is skipped;
//! anything after the document but whitespace is an error.

use crate::error::{Error, Result};
use crate::model::key::Key;
use crate::model::{Field, List, Map, Node, Number};

use super::{Document, Duplicate, MAX_DEPTH};

/// Parses a JSON document, and the keys set twice in one of its objects; errors name the file and
/// line and say `invalid {what}`.
/// JSON with comments and trailing commas (.NET's `appsettings.json`, which its reader accepts) as
/// plain JSON: each comment and trailing comma becomes blanks, line breaks kept so lines stay
/// right. `None` when there is none.
pub(crate) fn without_comments(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.contains(&b'/') && !bytes.contains(&b',') {
        return None;
    }
    let mut out = bytes.to_vec();
    let mut changed = false;
    let mut i = 0;
    let mut in_string = false;
    while i < out.len() {
        let b = out[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, out.get(i + 1).copied()) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                while i < out.len() && out[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                changed = true;
                continue;
            }
            (b'/', Some(b'*')) => {
                let start = i;
                i += 2;
                while i + 1 < out.len() && !(out[i] == b'*' && out[i + 1] == b'/') {
                    i += 1;
                }
                let end = (i + 2).min(out.len());
                for byte in &mut out[start..end] {
                    if *byte != b'\n' {
                        *byte = b' ';
                    }
                }
                i = end;
                changed = true;
                continue;
            }
            (b',', _) => {
                let next = out[i + 1..].iter().position(|c| !c.is_ascii_whitespace()).map(|p| out[i + 1 + p]);
                if matches!(next, Some(b'}' | b']')) {
                    out[i] = b' ';
                    changed = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    changed.then_some(out)
}

pub(crate) fn document(file: &str, bytes: &[u8], what: &str) -> Result<(Document, Vec<Duplicate>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let line = line_at(&bytes[..err.valid_up_to()]);
            return Err(Error::input(file, line, format!("invalid {what}: not valid UTF-8")));
        }
    };
    let mut reader = Reader { text, bytes, pos: 0, line: 1, lines: true, duplicates: Vec::new() };
    let bad =
        |reader: &Reader<'_>, message: &str| Error::input(file, reader.line, format!("invalid {what}: {message}"));
    reader.blanks();
    let line = reader.line;
    if reader.pos == bytes.len() {
        return Err(bad(&reader, "the file is empty"));
    }
    let node = reader.value(0).map_err(|message| bad(&reader, message))?;
    reader.blanks();
    if reader.pos < bytes.len() {
        return Err(bad(&reader, "unexpected text after the document"));
    }
    Ok((Document { node, line }, reader.duplicates))
}

/// Parses a JSON document held in a string value (an IAM policy in a Terraform attribute): its
/// fields carry no lines of their own (the value's line is where they are), and what does not
/// parse is `None` (the value stays a string).
pub(crate) fn parse_embedded(text: &str) -> Option<Node> {
    let mut reader = Reader { text, bytes: text.as_bytes(), pos: 0, line: 1, lines: false, duplicates: Vec::new() };
    reader.blanks();
    let node = reader.value(0).ok()?;
    reader.blanks();
    (reader.pos == text.len()).then_some(node)
}

fn line_at(prefix: &[u8]) -> u32 {
    u32::try_from(prefix.iter().filter(|&&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

struct Reader<'b> {
    /// The input (UTF-8 is checked once, before reading; strings are sliced at `"` and `\\`).
    text: &'b str,
    bytes: &'b [u8],
    pos: usize,
    line: u32,
    /// Whether fields get their line (not for a document inside a string).
    lines: bool,
    duplicates: Vec<Duplicate>,
}

type Step<T> = std::result::Result<T, &'static str>;

impl<'b> Reader<'b> {
    fn blanks(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => self.line = self.line.saturating_add(1),
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, message: &'static str) -> Step<()> {
        self.blanks();
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(message)
        }
    }

    fn value(&mut self, depth: usize) -> Step<Node> {
        if depth > MAX_DEPTH {
            return Err("nested deeper than drift reads (256 levels)");
        }
        self.blanks();
        match self.bytes.get(self.pos) {
            None => Err("unexpected end of the file"),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Node::String),
            Some(b't') => self.word("true", Node::Bool(true)),
            Some(b'f') => self.word("false", Node::Bool(false)),
            Some(b'n') => self.word("null", Node::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err("expected a value"),
        }
    }

    fn word(&mut self, word: &'static str, node: Node) -> Step<Node> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(node)
        } else {
            Err("expected a value")
        }
    }

    fn object(&mut self, depth: usize) -> Step<Node> {
        self.pos += 1; // `{`
        let mut fields = Vec::new();
        self.blanks();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::map(fields));
        }
        loop {
            self.blanks();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err("expected a key in double quotes");
            }
            let line = if self.lines { self.line } else { 0 };
            let key = self.key()?;
            self.expect(b':', "expected `:` after a key")?;
            let value = self.value(depth + 1)?;
            fields.push(Field::with_key(key, line, value));
            self.blanks();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                None => return Err("unexpected end of the file in an object"),
                Some(_) => return Err("expected `,` or `}` in an object"),
            }
        }
        let (map, duplicates) = Map::from_fields(fields);
        for duplicate in duplicates {
            self.duplicates.push(Duplicate { key: duplicate.key().to_owned(), line: duplicate.line() });
        }
        Ok(Node::Map(map))
    }

    fn array(&mut self, depth: usize) -> Step<Node> {
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.blanks();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::List(List::sequence(items)));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.blanks();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                None => return Err("unexpected end of the file in an array"),
                Some(_) => return Err("expected `,` or `]` in an array"),
            }
        }
        Ok(Node::List(List::sequence(items)))
    }

    /// A key, shared with every equal key read on this thread (`model/key.rs`).
    fn key(&mut self) -> Step<Key> {
        match self.raw_string()? {
            Text::Plain(text) => Ok(Key::new(text)),
            Text::Decoded(text) => Ok(Key::new(&text)),
        }
    }

    fn string(&mut self) -> Step<compact_str::CompactString> {
        match self.raw_string()? {
            Text::Plain(text) => Ok(text.into()),
            Text::Decoded(text) => Ok(text.into()),
        }
    }

    /// The string at `pos` (an opening quote): borrowed when it has no escapes.
    fn raw_string(&mut self) -> Step<Text<'b>> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut i = start;
        while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\\' && bytes[i] >= 0x20 {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                // `"` is never inside a character: both ends are character boundaries.
                Ok(Text::Plain(self.text.get(start..i).ok_or("not valid UTF-8")?))
            }
            Some(b'\\') => {
                let mut out = String::from(self.text.get(start..i).ok_or("not valid UTF-8")?);
                self.pos = i;
                self.escaped(&mut out)?;
                Ok(Text::Decoded(out))
            }
            None => Err("unexpected end of the file in a string"),
            Some(_) => Err("control character in a string (escape it)"),
        }
    }

    /// The rest of a string with escapes, from `pos`, decoded into `out`.
    fn escaped(&mut self, out: &mut String) -> Step<()> {
        let bytes = self.bytes;
        loop {
            let run = self.pos;
            while self.pos < bytes.len()
                && bytes[self.pos] != b'"'
                && bytes[self.pos] != b'\\'
                && bytes[self.pos] >= 0x20
            {
                self.pos += 1;
            }
            out.push_str(self.text.get(run..self.pos).ok_or("not valid UTF-8")?);
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let escape = *bytes.get(self.pos + 1).ok_or("unexpected end of the file in a string")?;
                    self.pos += 2;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode()?,
                        _ => return Err("invalid escape in a string"),
                    });
                }
                None => return Err("unexpected end of the file in a string"),
                Some(_) => return Err("control character in a string (escape it)"),
            }
        }
    }

    /// `\uXXXX` (after the `u`), with a surrogate pair when it takes two.
    fn unicode(&mut self) -> Step<char> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err("invalid \\u escape (a lone surrogate)");
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err("invalid \\u escape (a lone surrogate)");
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or("invalid \\u escape (a lone surrogate)")
    }

    fn hex4(&mut self) -> Step<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or("invalid \\u escape")?;
        let text = std::str::from_utf8(digits).map_err(|_| "invalid \\u escape")?;
        let value = u32::from_str_radix(text, 16).map_err(|_| "invalid \\u escape")?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err("invalid \\u escape");
        }
        self.pos += 4;
        Ok(value)
    }

    /// A number, kept as its exact text: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Step<Node> {
        let bytes = self.bytes;
        let start = self.pos;
        let mut i = start;
        if bytes[i] == b'-' {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let from = *i;
            while *i < bytes.len() && bytes[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - from
        };
        let int_start = i;
        let int_digits = digits(&mut i);
        if int_digits == 0 || (int_digits > 1 && bytes[int_start] == b'0') {
            return Err("invalid number");
        }
        let mut integer = true;
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            integer = false;
            if digits(&mut i) == 0 {
                return Err("invalid number");
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            integer = false;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return Err("invalid number");
            }
        }
        if bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.') {
            return Err("invalid number");
        }
        self.pos = i;
        let text = self.text.get(start..i).ok_or("invalid number")?;
        let number = if integer { Some(Number::from_integer_text(text)) } else { Number::parse(text) };
        number.map(|n| Node::Number(Box::new(n))).ok_or("number out of range")
    }
}

enum Text<'b> {
    Plain(&'b str),
    Decoded(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> std::result::Result<Node, String> {
        document("t.json", text.as_bytes(), "JSON").map(|(d, _)| d.node).map_err(|e| e.to_string())
    }

    #[test]
    fn values_and_lines() {
        let (doc, _) = document(
            "t.json",
            b"\xEF\xBB\xBF{\n  \"a\": 1,\n  \"b\": [true, null, \"x\\u00e9\\n\"],\n  \"c\": {\"d\": -0.5e3}\n}",
            "JSON",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let map = doc.node.as_map().unwrap_or_else(|| panic!("map"));
        assert_eq!(map.field("a").map(Field::line), Some(2));
        assert_eq!(map.field("c").map(Field::line), Some(4));
        assert_eq!(map.get("b").and_then(Node::as_list).map(|l| l.items()[2].clone()), Some(Node::string("xé\n")));
        assert_eq!(
            map.get("c").and_then(Node::as_map).and_then(|m| m.get("d")).map(ToString::to_string).as_deref(),
            Some("-0.5e3")
        );
    }

    #[test]
    fn numbers_stay_exact() {
        let a = read("[0.1000000000000000001, 123456789012345678901234567890]").unwrap_or(Node::Null);
        let b = read("[0.1, 123456789012345678901234567891]").unwrap_or(Node::Null);
        let (Node::List(a), Node::List(b)) = (a, b) else { panic!("lists") };
        assert_ne!(a.items()[0], b.items()[0]);
        assert_ne!(a.items()[1], b.items()[1]);
        assert_eq!(read("1.0"), read("1"));
    }

    #[test]
    fn duplicates_are_reported() {
        let (doc, duplicates) = document("t.json", b"{\"a\": 1,\n\"a\": 2}", "JSON").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(duplicates.len(), 1);
        assert_eq!(doc.node.as_map().and_then(|m| m.get("a")).map(ToString::to_string).as_deref(), Some("2"));
    }

    #[test]
    fn errors_name_the_line_and_never_a_value() {
        for (text, line, message) in [
            ("{\n\"a\": \"hunter2\"\n\"b\": 1}", 3, "expected `,` or `}`"),
            ("{\"a\": tru}", 1, "expected a value"),
            ("[1, 2", 1, "unexpected end"),
            ("{\"a\": \"x\ny\"}", 1, "control character"),
            ("01", 1, "invalid number"),
            ("{} {}", 1, "after the document"),
            ("", 1, "empty"),
            ("\"\\ud800\"", 1, "surrogate"),
        ] {
            let err = read(text).err().unwrap_or_default();
            assert!(
                err.starts_with(&format!("t.json:{line}: invalid JSON: ")) && err.contains(message),
                "{text:?}: {err}"
            );
            assert!(!err.contains("hunter2"));
        }
        let deep = "[".repeat(300) + &"]".repeat(300);
        assert!(read(&deep).err().unwrap_or_default().contains("nested deeper"));
    }
}
