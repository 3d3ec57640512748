//! TOML documents into [`Node`] trees with the line of every key (toml_edit keeps spans).
//! Integers are exact; floats keep the text they were written as; dates stay text.

use toml_edit::{ImDocument, Item, Table, Value};

use crate::error::{Error, Result};
use crate::model::{Field, List, Node, Number};

use super::LineIndex;

/// Parses a TOML document (a leading BOM is skipped).
pub(crate) fn parse(file: &str, text: &str) -> Result<Node> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = LineIndex::new(text);
    let document = ImDocument::parse(text).map_err(|e| {
        let line = e.span().map_or(0, |span| lines.line(span.start));
        Error::input(file, line, format!("invalid TOML: {}", crate::error::without_values(e.message())))
    })?;
    let reader = Reader { text, lines };
    Ok(match document.as_item() {
        Item::Table(table) => reader.table(table),
        _ => Node::map(Vec::new()),
    })
}

struct Reader<'t> {
    text: &'t str,
    lines: LineIndex,
}

impl Reader<'_> {
    fn table(&self, table: &Table) -> Node {
        let fields = table
            .iter()
            .filter_map(|(key, item)| {
                let line = table.get_key_value(key).and_then(|(k, _)| k.span()).map_or(0, |s| self.lines.line(s.start));
                self.item(item).map(|node| Field::new(key, line, node))
            })
            .collect();
        Node::map(fields)
    }

    fn item(&self, item: &Item) -> Option<Node> {
        match item {
            Item::None => None,
            Item::Value(value) => Some(self.value(value)),
            Item::Table(table) => Some(self.table(table)),
            Item::ArrayOfTables(tables) => {
                Some(Node::List(List::sequence(tables.iter().map(|t| self.table(t)).collect())))
            }
        }
    }

    fn value(&self, value: &Value) -> Node {
        match value {
            Value::String(s) => Node::string(s.value().as_str()),
            Value::Integer(i) => Node::Number(Box::new(Number::from_i64(*i.value()))),
            Value::Float(f) => {
                // The text as written (`1.50`), when the parser kept it.
                let written = f.span().and_then(|s| self.text.get(s)).map(|t| t.trim().replace('_', ""));
                let text = written.unwrap_or_else(|| f.value().to_string());
                Number::parse(&text).map_or_else(|| Node::string(text), |n| Node::Number(Box::new(n)))
            }
            Value::Boolean(b) => Node::Bool(*b.value()),
            Value::Datetime(d) => Node::string(d.value().to_string()),
            Value::Array(array) => Node::List(List::sequence(array.iter().map(|v| self.value(v)).collect())),
            Value::InlineTable(table) => {
                let fields = table
                    .iter()
                    .map(|(key, value)| {
                        let line = table
                            .get_key_value(key)
                            .and_then(|(k, _)| k.span())
                            .map_or(0, |s| self.lines.line(s.start));
                        Field::new(key, line, self.value(value))
                    })
                    .collect();
                Node::map(fields)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_lines() {
        let node =
            parse("a.toml", "title = \"x\"\n[payment]\nsandbox = true\nrate = 1.50\n[[servers]]\nname = \"a\"\n")
                .unwrap_or(Node::Null);
        let map = node.as_map().unwrap_or_else(|| panic!("map"));
        let payment = map.get("payment").and_then(Node::as_map).unwrap_or_else(|| panic!("table"));
        assert_eq!(payment.get("sandbox"), Some(&Node::Bool(true)));
        assert_eq!(payment.field("sandbox").map(Field::line), Some(3));
        assert_eq!(payment.get("rate").map(ToString::to_string).as_deref(), Some("1.50"));
        assert!(map.get("servers").and_then(Node::as_list).is_some());
        let err = parse("b.toml", "a = \"hunter2\nb = 1\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("b.toml:1: invalid TOML") && !err.contains("hunter2"), "{err}");
    }
}
