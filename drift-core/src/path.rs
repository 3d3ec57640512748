//! Paths inside an entity (DESIGN §5): `spec.template.spec.containers[name=api].image`,
//! `metadata.annotations["app.kubernetes.io/version"]`, `args[3]`, `ingress[=#1f2e3d4c]`.
//!
//! A path renders and parses back identically.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Key;

/// One step into a node.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A map key: `image`, or `["app.kubernetes.io/name"]` when it is not `[A-Za-z0-9_-]+` (the
    /// tree's own key string, shared).
    Key(Key),
    /// A sequence item by position: `[3]`.
    Index(usize),
    /// A keyed-list item by its key fields, rendered `name=api` (or `containerPort=80,protocol=TCP`).
    Keyed(Box<str>),
    /// A set item by a short rendering of its value: `10.0.0.0/8`, or `#1f2e3d4c` for a compound value.
    Member(Box<str>),
}

/// A path: segments from the entity's root.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(Vec<Segment>);

impl Path {
    /// The empty path: the entity itself.
    pub fn root() -> Self {
        Path(Vec::new())
    }

    /// A path from segments.
    pub fn from_segments(segments: Vec<Segment>) -> Self {
        Path(segments)
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this is the entity itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last map key on the path, if any.
    pub fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Segment::Key(k) => Some(&**k),
            _ => None,
        })
    }

    /// The path with one more segment.
    pub fn child(&self, segment: Segment) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment);
        Path(segments)
    }
}

/// Whether a string can stand unquoted as a map key.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether a value can stand unquoted inside `[...]`.
pub(crate) fn is_plain_value(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with(['"', '#'])
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-/:@+*".contains(&b))
}

/// Appends a value for use inside brackets: plain when unambiguous, else JSON-quoted.
pub(crate) fn push_value(out: &mut String, value: &str) {
    if is_plain_value(value) {
        out.push_str(value);
    } else {
        push_quoted(out, value);
    }
}

fn push_quoted(out: &mut String, value: &str) {
    // serde_json's string escaping is the contract for quoted parts.
    out.push_str(&serde_json::Value::from(value).to_string());
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Key(key) => {
                    out.push('[');
                    push_quoted(&mut out, key);
                    out.push(']');
                }
                Segment::Index(index) => {
                    let _ = write!(out, "[{index}]");
                }
                Segment::Keyed(inner) => {
                    let _ = write!(out, "[{inner}]");
                }
                Segment::Member(inner) => {
                    let _ = write!(out, "[={inner}]");
                }
            }
        }
        f.write_str(&out)
    }
}

/// Why a path did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid path `{path}`: {message}")]
pub struct PathError {
    path: String,
    message: &'static str,
}

impl FromStr for Path {
    type Err = PathError;

    fn from_str(s: &str) -> Result<Self, PathError> {
        let fail = |message| PathError { path: s.to_owned(), message };
        let bytes = s.as_bytes();
        let mut segments = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'[' {
                let (inner, next) = bracket(s, i + 1).ok_or_else(|| fail("unclosed `[`"))?;
                segments.push(parse_bracket(inner).ok_or_else(|| fail("bad bracket segment"))?);
                i = next;
            } else {
                if !segments.is_empty() {
                    if bytes[i] != b'.' {
                        return Err(fail("expected `.` or `[` between segments"));
                    }
                    i += 1;
                }
                let start = i;
                while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
                    i += 1;
                }
                let key = &s[start..i];
                if !is_plain_key(key) {
                    return Err(fail("a key that is not [A-Za-z0-9_-]+ must be quoted as [\"…\"]"));
                }
                segments.push(Segment::Key(key.into()));
            }
        }
        Ok(Path(segments))
    }
}

/// Whether a set item's label stands in `[=…]` and parses back as itself: no `]` outside a
/// quoted part, quotes closed.
pub(crate) fn is_member_text(text: &str) -> bool {
    let closed = format!("{text}]");
    bracket(&closed, 0).is_some_and(|(inner, next)| inner.len() == text.len() && next == closed.len())
}

/// Finds the `]` closing a bracket opened just before `start`, skipping quoted strings.
fn bracket(s: &str, start: usize) -> Option<(&str, usize)> {
    let bytes = s.as_bytes();
    let mut i = start;
    let mut quoted = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b']' if !quoted => return Some((&s[start..i], i + 1)),
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse_bracket(inner: &str) -> Option<Segment> {
    if let Some(member) = inner.strip_prefix('=') {
        return Some(Segment::Member(member.into()));
    }
    if inner.starts_with('"') {
        let key: String = serde_json::from_str(inner).ok()?;
        return Some(Segment::Key(key.into()));
    }
    if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
        return inner.parse().ok().map(Segment::Index);
    }
    inner.contains('=').then(|| Segment::Keyed(inner.into()))
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_parses_back() {
        for text in [
            "",
            "PAYMENT_SANDBOX",
            "spec.template.spec.containers[name=api].resources.limits.cpu",
            "metadata.annotations[\"app.kubernetes.io/version\"]",
            "[\"my.key\"]",
            "args[3]",
            "ingress[=#1f2e3d4c]",
            "cidr_blocks[=10.0.0.0/8]",
            "ports[containerPort=8080,protocol=TCP]",
            "env[name=\"a b\"].value",
            "x[\"quote \\\" and ] bracket\"].y",
        ] {
            let path: Path = text.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn rejects_malformed() {
        for text in ["a..b", "a[", "a[]", "a.b c", "a]"] {
            assert!(text.parse::<Path>().is_err(), "{text} must not parse");
        }
    }

    #[test]
    fn segments() {
        let path: Path = "a[\"b.c\"][2][name=x][=y]".parse().unwrap_or_default();
        assert_eq!(
            path.segments(),
            [
                Segment::Key("a".into()),
                Segment::Key("b.c".into()),
                Segment::Index(2),
                Segment::Keyed("name=x".into()),
                Segment::Member("y".into()),
            ]
        );
    }
}
