//! HCL files (`*.tfvars`, `*.hcl`: Terragrunt, Packer, Nomad, Vault configuration) into [`Node`]
//! trees with the line of every attribute, through hcl-edit (the maintained HCL parser that keeps
//! source spans).
//!
//! Attributes are fields; a block is a field named by its type, holding its labels as nested maps
//! (`variable "region" { … }` → `variable.region`); repeated blocks of one type without labels are a
//! list. Literals keep their types (numbers their text); an expression drift cannot evaluate (a
//! reference, a function call, a template) is compared as its source text.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{BlockLabel, Body, Structure};

use crate::error::{Error, Result};
use crate::model::{Field, List, Node, Number};

use super::LineIndex;

/// Parses an HCL body.
pub(crate) fn parse(file: &str, text: &str) -> Result<Node> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = LineIndex::new(text);
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let line = u32::try_from(e.location().line()).unwrap_or(0);
        Error::input(file, line, format!("invalid HCL: {}", crate::error::without_values(e.message())))
    })?;
    Ok(Reader { lines }.body(&body, 0))
}

struct Reader {
    lines: LineIndex,
}

/// The bodies of blocks of one type, each with the labels it still has to be nested under.
type Labelled = Vec<(Vec<String>, Node)>;

impl Reader {
    fn line(&self, span: Option<std::ops::Range<usize>>) -> u32 {
        span.map_or(0, |s| self.lines.line(s.start))
    }

    fn body(&self, body: &Body, depth: usize) -> Node {
        let mut fields: Vec<Field> = Vec::new();
        // Blocks of one type, gathered: by label when labelled, else in order.
        let mut blocks: Vec<(String, u32, Labelled)> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let line = self.line(attribute.span());
                    fields.push(Field::new(attribute.key.as_str(), line, self.expression(&attribute.value, depth + 1)));
                }
                Structure::Block(block) => {
                    let kind = block.ident.as_str().to_owned();
                    let labels: Vec<String> = block
                        .labels
                        .iter()
                        .map(|l| match l {
                            BlockLabel::Ident(ident) => ident.as_str().to_owned(),
                            BlockLabel::String(s) => s.value().clone(),
                        })
                        .collect();
                    let node = if depth > super::MAX_DEPTH { Node::Null } else { self.body(&block.body, depth + 1) };
                    match blocks.iter_mut().find(|b| b.0 == kind) {
                        Some(entry) => entry.2.push((labels, node)),
                        None => blocks.push((kind, self.line(block.span()), vec![(labels, node)])),
                    }
                }
            }
        }
        for (kind, line, instances) in blocks {
            let labelled = instances.iter().all(|(labels, _)| !labels.is_empty());
            let node = if labelled {
                nest(instances, line)
            } else if instances.len() == 1 {
                instances.into_iter().next().map_or(Node::Null, |(_, node)| node)
            } else {
                Node::List(List::sequence(instances.into_iter().map(|(_, node)| node).collect()))
            };
            fields.push(Field::new(kind, line, node));
        }
        Node::map(fields)
    }

    fn expression(&self, expression: &Expression, depth: usize) -> Node {
        if depth > super::MAX_DEPTH {
            return Node::Null;
        }
        match expression {
            Expression::Null(_) => Node::Null,
            Expression::Bool(b) => Node::Bool(*b.value()),
            Expression::Number(n) => {
                let written = n.as_repr().map(|r| (**r).trim().to_owned()).filter(|t| !t.is_empty());
                let text = written.unwrap_or_else(|| n.value().to_string());
                Number::parse(&text).map_or_else(|| Node::string(text), |n| Node::Number(Box::new(n)))
            }
            Expression::String(s) => Node::string(s.value().as_str()),
            Expression::Array(array) => {
                Node::List(List::sequence(array.iter().map(|e| self.expression(e, depth + 1)).collect()))
            }
            Expression::Object(object) => {
                let fields = object
                    .iter()
                    .map(|(key, value)| {
                        let name = match key {
                            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                            ObjectKey::Expression(other) => other.to_string().trim().to_owned(),
                        };
                        let line = self.line(value.expr().span());
                        Field::new(name, line, self.expression(value.expr(), depth + 1))
                    })
                    .collect();
                Node::map(fields)
            }
            Expression::Parenthesis(inner) => self.expression(inner.inner(), depth + 1),
            // A heredoc is the string it holds (`<<-` already dedented by the parser), whatever
            // line endings the file was saved with; interpolations stay as written.
            Expression::HeredocTemplate(heredoc) => {
                Node::string(heredoc.template.to_string().replace("\r\n", "\n").as_str())
            }
            other => Node::string(other.to_string().trim()),
        }
    }
}

/// Labelled blocks as nested maps: `resource "a" "b" {…}` → `{a: {b: {…}}}`.
fn nest(instances: Labelled, line: u32) -> Node {
    let mut fields: Vec<Field> = Vec::new();
    let mut groups: Vec<(String, Labelled)> = Vec::new();
    for (mut labels, node) in instances {
        let first = labels.remove(0);
        match groups.iter_mut().find(|g| g.0 == first) {
            Some(group) => group.1.push((labels, node)),
            None => groups.push((first, vec![(labels, node)])),
        }
    }
    for (label, rest) in groups {
        let node = if rest.len() == 1 && rest[0].0.is_empty() {
            rest.into_iter().next().map_or(Node::Null, |(_, node)| node)
        } else if rest.iter().all(|(labels, _)| !labels.is_empty()) {
            nest(rest, line)
        } else {
            Node::List(List::sequence(rest.into_iter().map(|(_, node)| node).collect()))
        };
        fields.push(Field::new(label, line, node));
    }
    Node::map(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfvars() {
        let text = "region = \"eu-west-1\"\ncount  = 3\nratio = 0.50\ntags = {\n  team = \"pay\"\n  \"cost-center\" = 42\n}\nzones = [\"a\", \"b\"]\nname = \"${var.prefix}-api\"\nsize = var.size\n\nvariable \"payment\" {\n  sandbox = true\n}\n";
        let node = parse("prod.tfvars", text).unwrap_or(Node::Null);
        let map = node.as_map().unwrap_or_else(|| panic!("map"));
        assert_eq!(map.get("count").map(ToString::to_string).as_deref(), Some("3"));
        assert_eq!(map.get("ratio").map(ToString::to_string).as_deref(), Some("0.50"));
        assert_eq!(map.field("tags").map(Field::line), Some(4));
        let tags = map.get("tags").and_then(Node::as_map).unwrap_or_else(|| panic!("tags"));
        assert!(tags.get("cost-center").is_some());
        assert_eq!(map.get("size"), Some(&Node::string("var.size")));
        let payment = map.get("variable").and_then(Node::as_map).and_then(|m| m.get("payment")).and_then(Node::as_map);
        assert_eq!(payment.and_then(|p| p.get("sandbox")), Some(&Node::Bool(true)));
        let err = parse("bad.tfvars", "a = \"hunter2\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("bad.tfvars:1: invalid HCL") && !err.contains("hunter2"), "{err}");
    }

    #[test]
    fn heredocs_are_their_text() {
        let indented = "policy = <<-EOT\n    {\n      \"a\": 1\n    }\n    EOT\n";
        let crlf = "policy = <<-EOT\r\n  {\r\n    \"a\": 1\r\n  }\r\n  EOT\r\n";
        let plain = "policy = <<EOT\n{\n  \"a\": 1\n}\nEOT\n";
        let value = |text: &str| {
            let node = parse("x.tfvars", text).unwrap_or(Node::Null);
            node.as_map().and_then(|m| m.get("policy")).cloned()
        };
        let want = Some(Node::string("{\n  \"a\": 1\n}\n"));
        assert_eq!(value(indented), want);
        assert_eq!(value(crlf), want);
        assert_eq!(value(plain), want);
    }
}
