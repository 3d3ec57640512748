//! `.env` files.
//!
//! There is no standard; this parser accepts what the common implementations (Node's dotenv,
//! python-dotenv, Docker Compose, Ruby dotenv, dotenvy, godotenv) agree on, warns where they
//! disagree, and rejects what none accepts. The choices, with the cases they come from, are in the
//! table test at the bottom and in `docs/semantics.md`:
//!
//! - comments: full-line `#`, and inline after an unquoted value when preceded by whitespace
//!   (`A=a#b` is `a#b`, as Python, Compose, Go and Rust read it);
//! - `export ` prefix; whitespace around `=`; `KEY=` and `KEY=""` are empty strings;
//! - double quotes decode `\n \r \t \" \\ \$` and keep any other `\X` as written; single quotes are
//!   literal except `\'`; both may span lines; unquoted values are literal and trimmed;
//! - a bare `KEY` is declared without a value (null), with a warning; `KEY: value` is accepted with
//!   a warning; backticks quote like single quotes, as in Node's dotenv (the only implementation
//!   that gives them a meaning), with a warning;
//! - CRLF and lone CR end lines; one leading UTF-8 BOM is skipped; NUL bytes and invalid UTF-8 are
//!   errors; duplicate keys: the last wins, with a warning;
//! - no variable expansion: `${VAR}` is compared as written.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::{Diagnostic, Field, Location, Map, Node};

/// One assignment as written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Assignment {
    pub(crate) key: String,
    /// `None` for a key declared without `=`.
    pub(crate) value: Option<String>,
    pub(crate) line: u32,
}

/// Parses a `.env` file into its assignments (in file order) and warnings.
pub(crate) fn parse_assignments(file: &str, bytes: &[u8]) -> Result<(Vec<Assignment>, Vec<Diagnostic>)> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let line = line_at(&bytes[..err.valid_up_to()]);
            return Err(Error::input(file, line, "not valid UTF-8 (drift reads .env files as UTF-8)"));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        return Err(Error::input(file, line_at(&text.as_bytes()[..at]), "NUL byte in a .env file"));
    }
    // Normalise CRLF and lone CR to LF once, so every rule below sees one line ending.
    let normalised;
    let text = if text.contains('\r') {
        normalised = text.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        text
    };
    Parser { file, text: text.as_bytes(), src: text, pos: 0, line: 1, out: Vec::new(), warnings: Vec::new() }.run()
}

/// The 1-based line at the end of `prefix` (LF, CRLF and lone CR each end a line).
fn line_at(prefix: &[u8]) -> u32 {
    let mut line: u32 = 1;
    for (i, &b) in prefix.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && prefix.get(i + 1) != Some(&b'\n')) {
            line = line.saturating_add(1);
        }
    }
    line
}

struct Parser<'t> {
    file: &'t str,
    text: &'t [u8],
    src: &'t str,
    pos: usize,
    line: u32,
    out: Vec<Assignment>,
    warnings: Vec<Diagnostic>,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_blanks(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn skip_to_eol(&mut self) {
        while self.peek().is_some_and(|b| b != b'\n') {
            self.pos += 1;
        }
    }

    fn error(&self, line: u32, message: impl Into<String>) -> Error {
        Error::input(self.file, line, message)
    }

    fn warn(&mut self, line: u32, message: String) {
        let location = Location { file: self.file.into(), line: Some(line) };
        self.warnings.push(Diagnostic { location, message });
    }

    fn run(mut self) -> Result<(Vec<Assignment>, Vec<Diagnostic>)> {
        loop {
            self.skip_blanks();
            match self.peek() {
                None => break,
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                }
                Some(b'#') => self.skip_to_eol(),
                Some(_) => self.assignment()?,
            }
        }
        Ok((self.out, self.warnings))
    }

    fn assignment(&mut self) -> Result<()> {
        let line = self.line;
        let rest = &self.text[self.pos..];
        if rest.starts_with(b"export") && rest.get(6).copied().is_some_and(is_blank) {
            self.pos += 6;
            self.skip_blanks();
        }
        let start = self.pos;
        while self.peek().is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'=' | b':' | b'#' | b'"' | b'\'' | b'`'))
        {
            self.pos += 1;
        }
        let key = &self.src[start..self.pos];
        if key.is_empty() {
            return Err(self.error(line, "expected KEY=VALUE"));
        }
        self.skip_blanks();
        match self.peek() {
            None | Some(b'\n' | b'#') => {
                self.skip_to_eol();
                // A line that is only a word: a variable declared without a value (`DEBUG`), or
                // something pasted there (a token, a passphrase) that must never become a key, and
                // so never be printed. Only a conventional variable name is taken for a key.
                let upper = key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
                let snake =
                    key.contains('_') && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                let variable = (upper || snake) && key.bytes().next().is_some_and(|b| !b.is_ascii_digit());
                if !variable || !crate::secrets::is_plain_name(key) {
                    self.warn(line, "this line is not KEY=VALUE; ignored".to_owned());
                    return Ok(());
                }
                self.warn(line, format!("{key} is declared without a value (no `=`); compared as null"));
                self.out.push(Assignment { key: key.to_owned(), value: None, line });
                return Ok(());
            }
            // A key that reads as a value (a base64 line whose padding looks like `=`, a token)
            // is never taken for a key.
            Some(b'=') if crate::secrets::is_pasted_value(key) => {
                self.skip_to_eol();
                self.warn(line, "this line is not KEY=VALUE (its key is not a name); ignored".to_owned());
                return Ok(());
            }
            Some(b'=') => self.pos += 1,
            Some(b':') if self.text.get(self.pos + 1).is_none_or(|&b| is_blank(b) || b == b'\n') => {
                self.pos += 1;
                self.warn(line, format!("{key} uses `:` as separator; only some dotenv libraries accept it"));
            }
            Some(_) => {
                return Err(self.error(line, "expected KEY=VALUE (text follows the key without `=`)"));
            }
        }
        let spaced = self.skip_blanks();
        let value = match self.peek() {
            Some(b'"') => self.quoted(line, b'"')?,
            Some(b'\'') => self.quoted(line, b'\'')?,
            Some(b'`') if self.text[self.pos + 1..].contains(&b'`') => {
                self.warn(line, format!("{key}: backtick quotes are understood only by Node's dotenv"));
                self.quoted(line, b'`')?
            }
            Some(b'#') if spaced => {
                self.skip_to_eol();
                String::new()
            }
            _ => self.unquoted(),
        };
        self.out.push(Assignment { key: key.to_owned(), value: Some(value), line });
        Ok(())
    }

    fn unquoted(&mut self) -> String {
        let start = self.pos;
        let mut end = self.pos;
        while let Some(b) = self.peek() {
            if b == b'\n' || (b == b'#' && self.pos > start && is_blank(self.text[self.pos - 1])) {
                break;
            }
            self.pos += 1;
            if !is_blank(b) {
                end = self.pos;
            }
        }
        self.skip_to_eol();
        self.src[start..end].to_owned()
    }

    fn quoted(&mut self, line: u32, quote: u8) -> Result<String> {
        self.pos += 1; // the opening quote
        let mut value = String::new();
        let mut run = self.pos; // start of the current run of plain characters
        loop {
            let Some(b) = self.peek() else {
                let kind = match quote {
                    b'"' => "double",
                    b'\'' => "single",
                    _ => "backtick",
                };
                return Err(
                    self.error(line, format!("unterminated {kind}-quoted value (no closing {})", quote as char))
                );
            };
            match b {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b'\\' => {
                    let next = self.text.get(self.pos + 1).copied();
                    let decoded = match (quote, next) {
                        (b'"', Some(b'n')) => Some('\n'),
                        (b'"', Some(b'r')) => Some('\r'),
                        (b'"', Some(b't')) => Some('\t'),
                        (b'"', Some(b'"')) => Some('"'),
                        (b'"', Some(b'\\')) => Some('\\'),
                        (b'"', Some(b'$')) => Some('$'),
                        (b'\'', Some(b'\'')) => Some('\''),
                        _ => None,
                    };
                    match decoded {
                        Some(c) => {
                            value.push_str(&self.src[run..self.pos]);
                            value.push(c);
                            self.pos += 2;
                            run = self.pos;
                        }
                        None => self.pos += 1,
                    }
                }
                b if b == quote => {
                    value.push_str(&self.src[run..self.pos]);
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
        // After the closing quote: blanks, then a comment or the end of the line.
        self.skip_blanks();
        match self.peek() {
            None | Some(b'\n') => {}
            Some(b'#') => self.skip_to_eol(),
            Some(_) => return Err(self.error(self.line, "unexpected text after the closing quote")),
        }
        Ok(value)
    }
}

/// Parses a `.env` file into the body of an `env:` entity: a map from key to value (the source
/// protects its secrets before the snapshot leaves it).
pub(crate) fn parse(file: &Arc<str>, bytes: &[u8]) -> Result<(Node, Vec<Diagnostic>)> {
    let (assignments, mut warnings) = parse_assignments(file, bytes)?;
    let fields: Vec<Field> = assignments
        .into_iter()
        .map(|a| {
            let node = match a.value {
                Some(value) => Node::string(value),
                None => Node::Null,
            };
            Field::new(a.key, a.line, node)
        })
        .collect();
    // Sorted by key, file order kept among duplicates (so the last one wins).
    let (map, duplicates) = Map::from_fields(fields);
    for dup in duplicates {
        let winner = map.field(dup.key()).map_or(0, Field::line);
        let location = Location { file: file.clone(), line: Some(winner) };
        let message = format!("{} is set twice (lines {} and {winner}); the last value wins", dup.key(), dup.line());
        warnings.push(Diagnostic { location, message });
    }
    Ok((Node::Map(map), warnings))
}

/// Whether unnamed content reads as a `.env` file: it parses, has assignments, and uses only the
/// portable `KEY=VALUE` form with POSIX-like names.
pub(crate) fn looks_like_env(bytes: &[u8]) -> bool {
    match parse_assignments("-", bytes) {
        Ok((assignments, warnings)) => {
            !assignments.is_empty()
                && warnings.is_empty()
                && assignments.iter().all(|a| {
                    let mut chars = a.key.chars();
                    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                })
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a case must produce: the assignments, or an error at a line.
    enum Expect {
        Values(&'static [(&'static str, Option<&'static str>)]),
        Error(u32),
    }
    use Expect::{Error as Fails, Values};

    fn run(input: &str) -> std::result::Result<Vec<(String, Option<String>)>, String> {
        parse_assignments("t.env", input.as_bytes())
            .map(|(a, _)| a.into_iter().map(|a| (a.key, a.value)).collect())
            .map_err(|e| e.to_string())
    }

    /// The dotenv edge-case table (FORMATS.md §1.2). Where implementations disagree, the comment
    /// says who does what and why drift chose its answer.
    #[test]
    fn edge_cases() {
        let cases: &[(&str, &str, Expect)] = &[
            ("plain", "A=hello", Values(&[("A", Some("hello"))])),
            ("spaces around =", "A = hello", Values(&[("A", Some("hello"))])),
            ("indented, trailing spaces", "   A=hello   ", Values(&[("A", Some("hello"))])),
            ("empty", "A=", Values(&[("A", Some(""))])),
            ("empty double quotes", "A=\"\"", Values(&[("A", Some(""))])),
            ("empty single quotes", "A=''", Values(&[("A", Some(""))])),
            // Bare key: Python gives None, Compose inherits, Node ignores, Rust and Go fail. drift
            // keeps it as declared-without-value (null) and warns.
            ("bare key", "A", Values(&[("A", None)])),
            ("export", "export A=hello", Values(&[("A", Some("hello"))])),
            ("export bare", "export A", Values(&[("A", None)])),
            ("`export` as a key", "export=x", Values(&[("export", Some("x"))])),
            ("exportFOO is a key", "exportFOO=2", Values(&[("exportFOO", Some("2"))])),
            // Rust errors on inner spaces; everyone else keeps them.
            ("unquoted spaces trimmed", "A=  spaced out  ", Values(&[("A", Some("spaced out"))])),
            ("quoted spaces kept", "A=\"  keep  \"", Values(&[("A", Some("  keep  "))])),
            ("inline comment", "A=value # comment", Values(&[("A", Some("value"))])),
            // Node and Ruby end the value at any `#`; Python, Compose, Go, Rust need whitespace.
            ("hash without space", "A=value#tag", Values(&[("A", Some("value#tag"))])),
            ("tab before comment", "A=value\t# comment", Values(&[("A", Some("value"))])),
            // Python and Compose give "# comment"; Node, Ruby, Rust give "".
            ("only a comment", "A= # comment", Values(&[("A", Some(""))])),
            ("hash value", "A=#foo", Values(&[("A", Some("#foo"))])),
            ("hash in quotes", "A=\"quoted # not comment\"", Values(&[("A", Some("quoted # not comment"))])),
            ("comment after quotes", "A=\"quoted\" # comment", Values(&[("A", Some("quoted"))])),
            ("comment right after quotes", "A=\"quoted\"# comment", Values(&[("A", Some("quoted"))])),
            // Ruby 3 keeps `\n` literally; the other five decode it.
            ("\\n in double quotes", "A=\"a\\nb\"", Values(&[("A", Some("a\nb"))])),
            ("\\n in single quotes", "A='a\\nb'", Values(&[("A", Some("a\\nb"))])),
            ("\\n unquoted", "A=a\\nb", Values(&[("A", Some("a\\nb"))])),
            // Node keeps `\t`, Ruby and Go drop the backslash, Rust fails; Python and Compose decode.
            ("\\t in double quotes", "A=\"a\\tb\"", Values(&[("A", Some("a\tb"))])),
            ("escaped quotes", "A=\"say \\\"hi\\\"\"", Values(&[("A", Some("say \"hi\""))])),
            ("escaped backslash", "A=\"C:\\\\path\"", Values(&[("A", Some("C:\\path"))])),
            ("unknown escape kept", "A=\"\\d+\"", Values(&[("A", Some("\\d+"))])),
            ("escaped dollar", "B=\"\\$A\"", Values(&[("B", Some("$A"))])),
            // Python and Compose read it's; Node, Ruby, Go keep the backslash; Rust fails.
            ("\\' in single quotes", "A='it\\'s'", Values(&[("A", Some("it's"))])),
            ("multi-line double", "A=\"line1\nline2\"\nB=2", Values(&[("A", Some("line1\nline2")), ("B", Some("2"))])),
            ("multi-line single", "A='line1\nline2'", Values(&[("A", Some("line1\nline2"))])),
            // Only Node reads backticks as quotes; every other library keeps them in the value.
            ("backticks quote", "A=`tick`", Values(&[("A", Some("tick"))])),
            ("lone backtick literal", "A=`tick", Values(&[("A", Some("`tick"))])),
            ("colon separator", "A: value", Values(&[("A", Some("value"))])),
            ("dotted key", "my.key=1", Values(&[("my.key", Some("1"))])),
            ("dashed key", "my-key=1", Values(&[("my-key", Some("1"))])),
            ("digit key", "1A=x", Values(&[("1A", Some("x"))])),
            ("duplicates kept in order", "DUP=one\nDUP=two", Values(&[("DUP", Some("one")), ("DUP", Some("two"))])),
            ("no expansion", "A=x\nB=${A}", Values(&[("A", Some("x")), ("B", Some("${A}"))])),
            ("no expansion of $A", "A=x\nB=$A", Values(&[("A", Some("x")), ("B", Some("$A"))])),
            ("default syntax kept", "B=${UNSET:-def}", Values(&[("B", Some("${UNSET:-def}"))])),
            ("equals in value", "A=x=y==", Values(&[("A", Some("x=y=="))])),
            ("BOM", "\u{feff}A=1", Values(&[("A", Some("1"))])),
            ("CRLF", "A=1\r\nB=2\r\n", Values(&[("A", Some("1")), ("B", Some("2"))])),
            ("lone CR", "A=1\rB=2", Values(&[("A", Some("1")), ("B", Some("2"))])),
            ("comments and blanks", "# c\n\n  # d\nA=1\n", Values(&[("A", Some("1"))])),
            ("unicode value", "A=héllo wörld", Values(&[("A", Some("héllo wörld"))])),
            ("unterminated double", "A=1\nB=\"open\nC=3", Fails(2)),
            ("unterminated single", "A='open", Fails(1)),
            ("not an assignment", "A=1\nnot a valid line", Fails(2)),
            ("text after quote", "A=\"x\" y", Fails(1)),
            ("only a separator", "=value", Fails(1)),
            ("error line after multi-line value", "A=\"a\nb\"\nbad line here", Fails(3)),
        ];
        let mut failures = Vec::new();
        for (name, input, expect) in cases {
            let got = run(input);
            let ok = match (expect, &got) {
                (Values(want), Ok(got)) => {
                    want.len() == got.len()
                        && want.iter().zip(got).all(|((k, v), (gk, gv))| k == gk && v.map(str::to_owned) == *gv)
                }
                (Fails(line), Err(message)) => message.starts_with(&format!("t.env:{line}: ")),
                _ => false,
            };
            if !ok {
                failures.push(format!("{name}: {input:?} gave {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
        assert!(cases.len() >= 30);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = parse_assignments("x.env", b"A=1\nB=\xff\n").map(|_| ()).unwrap_err();
        assert_eq!(err.to_string(), "x.env:2: not valid UTF-8 (drift reads .env files as UTF-8)");
    }

    #[test]
    fn warnings() {
        let (_, warnings) = parse_assignments("w.env", b"A\nB: 1\nC=`x`\n").unwrap_or_default();
        let lines: Vec<_> = warnings.iter().map(|w| w.location.line).collect();
        assert_eq!(lines, [Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn detection() {
        assert!(looks_like_env(b"# app\nPORT=80\nexport HOST=x\n"));
        assert!(!looks_like_env(b"apiVersion: v1\nkind: Pod\n"));
        assert!(!looks_like_env(b"{\"a\": 1}"));
        assert!(!looks_like_env(b"hello world\n"));
        assert!(!looks_like_env(b""));
    }
}
