//! YAML documents into [`Node`] trees, with source lines, read the way Kubernetes reads them.
//!
//! Kubernetes parses manifests with go-yaml v2 (YAML 1.1 scalars), so plain scalars resolve as
//! there: `0644` is the octal integer 420, `0x1F` is 31, `1_000` is 1000, `yes`/`no`/`on`/`off`/
//! `y`/`n` are booleans, `~` and `null` are null. Quoted and block scalars are always strings.
//! Merge keys (`<<: *base`) are applied. Aliases are expanded within a budget, so an alias bomb
//! ("billion laughs") is refused quickly instead of expanded. The event parser is saphyr-parser,
//! which reports the line of every event; nodes are built straight from its events.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use crate::error::{Error, Result};
use crate::model::{Field, List, Map, Node, Number};

/// What alias expansion may add to a file of embedded text (a document inside a string), in the
/// units of [`super::Limits::max_expansion`].
pub(crate) const EMBEDDED_BUDGET: u64 = 16 << 20;

/// The cost of a node in expansion units: its text's bytes plus this for the node itself.
const NODE_COST: u64 = 16;

pub(crate) use super::{Document, Duplicate, MAX_DEPTH};

/// How plain scalars resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Schema {
    /// YAML 1.1 as go-yaml v2 reads it (Kubernetes): `0644` is octal, `on`/`yes`/`y` are booleans.
    Yaml11,
    /// The YAML 1.2 core schema (flagd and most other tools): only `true`/`false` are booleans.
    Yaml12,
}

/// Reads every document of a YAML stream with YAML 1.1 scalars (as Kubernetes does). Empty and
/// comment-only documents are skipped.
pub(crate) fn documents(file: &str, text: &str, budget: u64) -> Result<(Vec<Document>, Vec<Duplicate>)> {
    documents_with(file, text, Schema::Yaml11, budget)
}

/// Reads every document of a YAML stream with the given scalar schema. Aliases (and the merge keys
/// that use them) may add at most `budget` to the file: bytes of text plus 16 per node.
pub(crate) fn documents_with(
    file: &str,
    text: &str,
    schema: Schema,
    budget: u64,
) -> Result<(Vec<Document>, Vec<Duplicate>)> {
    let mut reader = Reader {
        schema,
        file,
        events: Parser::new_from_str(text),
        anchors: HashMap::new(),
        budget,
        limit: budget,
        duplicates: Vec::new(),
        last_line: 1,
    };
    let mut documents = Vec::new();
    loop {
        let (event, _) = reader.next()?;
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                reader.anchors.clear();
                let (event, span) = reader.next()?;
                // The document's first line of content (not its `---` marker).
                let line = line_of(&span);
                let node = match event {
                    Event::DocumentEnd => None,
                    event => {
                        let node = reader.node(event, span, 0)?;
                        let (end, _) = reader.next()?;
                        if !matches!(end, Event::DocumentEnd) {
                            return Err(reader.error("expected the end of the document"));
                        }
                        Some(node)
                    }
                };
                if let Some(node) = node.filter(|n| !matches!(n, Node::Null)) {
                    documents.push(Document { node, line });
                }
            }
            _ => {}
        }
    }
    Ok((documents, reader.duplicates))
}

fn line_of(span: &Span) -> u32 {
    u32::try_from(span.start.line()).unwrap_or(u32::MAX)
}

struct Reader<'t> {
    schema: Schema,
    file: &'t str,
    events: Parser<'t, saphyr_parser::StrInput<'t>>,
    /// Each anchor's node and its cost (bytes of text plus [`NODE_COST`] per node).
    anchors: HashMap<usize, (Node, u64)>,
    /// What aliases may still add.
    budget: u64,
    limit: u64,
    duplicates: Vec<Duplicate>,
    last_line: u32,
}

impl<'t> Reader<'t> {
    fn next(&mut self) -> Result<(Event<'t>, Span)> {
        match self.events.next() {
            Some(Ok((event, span))) => {
                self.last_line = line_of(&span);
                Ok((event, span))
            }
            Some(Err(err)) => {
                let line = u32::try_from(err.marker().line()).unwrap_or(0);
                Err(Error::input(
                    self.file,
                    line,
                    format!("invalid YAML: {}", crate::error::without_values(err.info())),
                ))
            }
            None => Err(self.error("unexpected end of the YAML stream")),
        }
    }

    fn error(&self, message: &str) -> Error {
        Error::input(self.file, self.last_line, message)
    }

    /// Builds the node that starts with `event`.
    fn node(&mut self, event: Event<'t>, span: Span, depth: usize) -> Result<Node> {
        Ok(self.counted(event, span, depth)?.0)
    }

    /// Builds the node that starts with `event`; returns it and its cost.
    fn counted(&mut self, event: Event<'t>, span: Span, depth: usize) -> Result<(Node, u64)> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let (node, size, anchor) = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let cost = NODE_COST + value.len() as u64;
                (scalar(value, style, tag.as_deref(), self.schema), cost, anchor)
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(self.error("alias to an unknown anchor"));
                };
                if *size > self.budget {
                    return Err(self.error(&format!(
                        "aliases expand to more than {} (a YAML alias bomb?); refusing to expand (--max-expansion)",
                        super::Limits::bytes(self.limit)
                    )));
                }
                self.budget -= size;
                return Ok((node.clone(), *size));
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                let mut size = NODE_COST;
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let (item, n) = self.counted(event, span, depth + 1)?;
                    size += n;
                    items.push(item);
                }
                (Node::List(List::sequence(items)), size, anchor)
            }
            Event::MappingStart(anchor, _) => {
                let (map, size) = self.mapping(depth)?;
                (Node::Map(map), size, anchor)
            }
            _ => return Err(Error::input(self.file, line_of(&span), "unexpected YAML event")),
        };
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        Ok((node, size))
    }

    fn mapping(&mut self, depth: usize) -> Result<(Map, u64)> {
        let mut fields: Vec<Field> = Vec::new();
        let mut merged: Vec<Field> = Vec::new();
        let mut size = NODE_COST;
        loop {
            let (event, span) = self.next()?;
            let key = match event {
                Event::MappingEnd => break,
                Event::Scalar(key, _, _, _) => key,
                Event::Alias(_) => {
                    let (node, _) = self.counted(event, span, depth + 1)?;
                    match node {
                        Node::String(s) => Cow::Owned(s.into_string()),
                        _ => return Err(self.error("a mapping key must be a scalar")),
                    }
                }
                _ => return Err(Error::input(self.file, line_of(&span), "a mapping key must be a scalar")),
            };
            let line = line_of(&span);
            let (event, span) = self.next()?;
            let (value, n) = self.counted(event, span, depth + 1)?;
            size += n + NODE_COST + key.len() as u64;
            if key == "<<" {
                // YAML 1.1 merge key: the fields of one map, or of a list of maps, unless set here.
                match value {
                    Node::Map(map) => merged.extend(map.into_fields()),
                    Node::List(list) => {
                        for item in list.into_items() {
                            match item {
                                Node::Map(map) => merged.extend(map.into_fields()),
                                _ => return Err(Error::input(self.file, line, "`<<` merges maps only")),
                            }
                        }
                    }
                    _ => return Err(Error::input(self.file, line, "`<<` merges maps only")),
                }
                continue;
            }
            fields.push(Field::new(&*key, line, value));
        }
        let (map, duplicates) = Map::from_fields(fields);
        for dup in duplicates {
            self.duplicates.push(Duplicate { key: dup.key().to_owned(), line: dup.line() });
        }
        if merged.is_empty() {
            return Ok((map, size));
        }
        // Explicit keys win over merged ones; among merged maps, the first one wins.
        let mut all = map.into_fields();
        for field in merged {
            if !all.iter().any(|f| f.key() == field.key()) {
                all.push(field);
            }
        }
        Ok((Map::from_fields(all).0, size))
    }
}

/// Resolves a scalar as go-yaml v2 does (YAML 1.1): only plain scalars can be anything but strings.
fn scalar(value: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>, schema: Schema) -> Node {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => return Node::string(value.into_owned()),
            "null" => return Node::Null,
            _ => {}
        }
    }
    if style != ScalarStyle::Plain {
        return Node::string(value.into_owned());
    }
    match schema {
        Schema::Yaml11 => resolve_plain(value),
        Schema::Yaml12 => resolve_core(value),
    }
}

/// The YAML 1.2 core schema: `null`, `true`/`false`, decimal, `0o` octal and `0x` hex integers, floats.
fn resolve_core(value: Cow<'_, str>) -> Node {
    match &*value {
        "" | "~" | "null" | "Null" | "NULL" => return Node::Null,
        "true" | "True" | "TRUE" => return Node::Bool(true),
        "false" | "False" | "FALSE" => return Node::Bool(false),
        _ => {}
    }
    let plain = value.trim_start_matches(['+', '-']);
    // Not YAML 1.1 spellings: underscores, a leading-zero octal, binary.
    let legacy = value.contains('_')
        || (plain.len() > 1 && plain.starts_with('0') && plain.bytes().all(|b| b.is_ascii_digit()))
        || plain.starts_with("0b")
        || plain.starts_with("0B");
    let core_number = !legacy;
    if core_number && let Some(number) = number(&value) {
        return Node::Number(Box::new(number));
    }
    Node::string(value.into_owned())
}

pub(crate) fn resolve_plain(value: Cow<'_, str>) -> Node {
    match &*value {
        "" | "~" | "null" | "Null" | "NULL" => return Node::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Node::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Node::Bool(false);
        }
        _ => {}
    }
    let first = value.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
        if let Some(number) = number(&value) {
            return Node::Number(Box::new(number));
        }
    }
    Node::string(value.into_owned())
}

/// A YAML 1.1 number: integers in any base Go's `ParseInt(s, 0, 64)` reads (underscores removed),
/// or a decimal float (kept exactly as written).
fn number(text: &str) -> Option<Number> {
    let plain: Cow<'_, str> = if text.contains('_') { Cow::Owned(text.replace('_', "")) } else { Cow::Borrowed(text) };
    let (negative, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, &*plain),
    };
    let radix = if let Some(rest) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some((16, rest))
    } else if let Some(rest) = digits.strip_prefix("0o").or_else(|| digits.strip_prefix("0O")) {
        Some((8, rest))
    } else if let Some(rest) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        Some((2, rest))
    } else if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        Some((8, &digits[1..]))
    } else {
        None
    };
    if let Some((radix, rest)) = radix {
        let value = i64::from_str_radix(rest, radix).ok()?;
        return Some(Number::from_i64(if negative { -value } else { value }));
    }
    // A decimal integer or float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
    let bytes = digits.as_bytes();
    let mut i = 0;
    let int_digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != bytes.len() {
        return None;
    }
    Number::parse(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: u64 = 64 << 20;

    fn one(text: &str) -> Node {
        let (mut docs, _) = documents("t.yaml", text, BUDGET).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(docs.len(), 1, "{text}");
        docs.remove(0).node
    }

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        node.as_map().and_then(|m| m.get(key)).unwrap_or_else(|| panic!("no {key}"))
    }

    fn num(text: &str) -> Node {
        Node::Number(Box::new(Number::parse(text).unwrap_or_else(|| Number::from_i64(0))))
    }

    #[test]
    fn yaml_1_1_scalars() {
        let node = one(
            "octal: 0644\nhex: 0x1F\nunder: 1_000\nyes: yes\non: on\noff: Off\nn: n\nquoted: \"0644\"\nsingle: 'on'\n\
             float: 0.5\nexp: 1e3\nnull1: ~\nnull2:\nstr: hello\nver: 1.2.3\nneg: -12\ndot: .5\nblock: |\n  0644\n",
        );
        assert_eq!(get(&node, "octal"), &num("420"));
        assert_eq!(get(&node, "hex"), &num("31"));
        assert_eq!(get(&node, "under"), &num("1000"));
        assert_eq!(get(&node, "yes"), &Node::Bool(true));
        assert_eq!(get(&node, "on"), &Node::Bool(true));
        assert_eq!(get(&node, "off"), &Node::Bool(false));
        assert_eq!(get(&node, "n"), &Node::Bool(false));
        assert_eq!(get(&node, "quoted"), &Node::string("0644"));
        assert_eq!(get(&node, "single"), &Node::string("on"));
        assert_eq!(get(&node, "float"), &num("0.5"));
        assert_eq!(get(&node, "exp"), &num("1000"));
        assert_eq!(get(&node, "null1"), &Node::Null);
        assert_eq!(get(&node, "null2"), &Node::Null);
        assert_eq!(get(&node, "str"), &Node::string("hello"));
        assert_eq!(get(&node, "ver"), &Node::string("1.2.3"));
        assert_eq!(get(&node, "neg"), &num("-12"));
        assert_eq!(get(&node, "dot"), &num("0.5"));
        assert_eq!(get(&node, "block"), &Node::string("0644\n"));
    }

    #[test]
    fn yaml_1_2_core_schema() {
        let (docs, _) =
            documents_with("t.yaml", "a: on\nb: yes\nc: true\nd: 0644\ne: 0x1F\nf: 1.5\n", Schema::Yaml12, BUDGET)
                .unwrap_or_else(|e| panic!("{e}"));
        let node = &docs[0].node;
        assert_eq!(get(node, "a"), &Node::string("on"));
        assert_eq!(get(node, "b"), &Node::string("yes"));
        assert_eq!(get(node, "c"), &Node::Bool(true));
        assert_eq!(get(node, "d"), &Node::string("0644"));
        assert_eq!(get(node, "e"), &num("31"));
        assert_eq!(get(node, "f"), &num("1.5"));
    }

    #[test]
    fn lines_and_documents() {
        let (docs, _) =
            documents("t.yaml", "# Source: chart/a.yaml\n---\na: 1\nb:\n  c: 2\n---\n# empty\n---\nx: 1\n", BUDGET)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].line, 3);
        let map = docs[0].node.as_map().unwrap_or_else(|| panic!("map"));
        assert_eq!(map.field("b").map(Field::line), Some(4));
        let inner = map.get("b").and_then(Node::as_map).unwrap_or_else(|| panic!("map"));
        assert_eq!(inner.field("c").map(Field::line), Some(5));
    }

    #[test]
    fn merge_keys_and_aliases() {
        let node = one("base: &b\n  x: 1\n  y: 2\nderived:\n  <<: *b\n  y: 3\ncopy: *b\n");
        let derived = get(&node, "derived");
        assert_eq!(get(derived, "x"), &num("1"));
        assert_eq!(get(derived, "y"), &num("3"));
        assert_eq!(get(&node, "copy"), get(&node, "base"));
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut bomb =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for name in names {
            bomb.push_str(&format!(
                "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = name;
        }
        let start = std::time::Instant::now();
        let err = documents("bomb.yaml", &bomb, BUDGET).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("alias bomb"), "{err}");
        assert!(err.starts_with("bomb.yaml:"), "{err}");
        // Generous bound: this only guards against expanding the bomb (which takes minutes).
        assert!(start.elapsed().as_secs() < 5);
    }

    /// A few aliases of one long string: the budget counts bytes, not only nodes.
    #[test]
    fn aliases_of_long_text_are_refused() {
        let text = format!("a: &big {}\nitems:\n{}", "x".repeat(1 << 20), "  - *big\n".repeat(100));
        let err = documents("big.yaml", &text, BUDGET).map(|_| ()).unwrap_err().to_string();
        assert!(err.starts_with("big.yaml:") && err.contains("64 MiB"), "{err}");
        // Within the budget, the same aliases are read.
        let fewer = format!("a: &big {}\nitems:\n{}", "x".repeat(1 << 20), "  - *big\n".repeat(10));
        assert!(documents("big.yaml", &fewer, BUDGET).is_ok());
    }

    #[test]
    fn malformed() {
        for (text, line) in
            [("a: [1, 2\n", 2), ("a: b\n c: d\n  - e\n", 2), ("key: \"unterminated\n", 1), ("a:\n\t- b\n", 2)]
        {
            let err = documents("bad.yaml", text, BUDGET).map(|_| ()).unwrap_err().to_string();
            assert!(err.starts_with(&format!("bad.yaml:{line}: invalid YAML")), "{text:?}: {err}");
        }
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert!(documents("deep.yaml", &deep, BUDGET).is_err());
    }
}
