//! The library's one error type.

use std::io;
use std::path::PathBuf;

use crate::model::Location;

/// Everything that can go wrong while loading, parsing or saving.
///
/// Every variant renders as one line that names the file (and line, where there is one), and none
/// ever contains a secret value: parsers quote at most the key of a bad line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("{}: {message}", path.display())]
    Read {
        /// What could not be read.
        path: PathBuf,
        /// Why, from the operating system, lowercase.
        message: String,
        /// The kind of the underlying I/O error.
        kind: io::ErrorKind,
    },
    /// An input is malformed.
    #[error("{location}: {message}")]
    Input {
        /// The file and line.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A file or stdin holds no format drift understands.
    #[error("{origin}: {message}")]
    UnknownFormat {
        /// The file, or `-` for stdin.
        origin: String,
        /// What was expected.
        message: String,
    },
    /// An output could not be written.
    #[error("{}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl Error {
    pub(crate) fn read(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Read { path: path.into(), message: io_message(&source), kind: source.kind() }
    }

    pub(crate) fn input(file: &str, line: u32, message: impl Into<String>) -> Self {
        Error::Input {
            location: Location { file: file.into(), line: (line > 0).then_some(line) },
            message: message.into(),
        }
    }
}

/// `io::Error`'s message without the `(os error 2)` suffix, lowercase.
fn io_message(err: &io::Error) -> String {
    let text = match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::InvalidData => "not valid UTF-8".to_owned(),
        _ => err.to_string(),
    };
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text,
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A parser's message with every quoted piece of the input removed: serde, TOML and YAML errors
/// quote the offending value (`invalid type: string "hunter2", expected a boolean`), and a value in
/// an error message is a value in a CI log (DESIGN §8: errors quote positions and types, never
/// values). What follows `field` or `schema` is kept: the format's keys and its version name.
/// serde_json's own ` at line L column C` is dropped too: the error names the line already.
pub(crate) fn without_values(message: &str) -> String {
    let message = message.lines().next().unwrap_or_default();
    let message = match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    };
    let mut out = String::with_capacity(message.len());
    let mut chars = message.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '`' => {
                let close = if c == '`' { ['`', '\''] } else { ['"', '"'] };
                let mut quoted = String::new();
                let mut escaped = false;
                for (_, q) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if q == '\\' {
                        escaped = true;
                    } else if close.contains(&q) {
                        break;
                    }
                    quoted.push(q);
                }
                let before = message[..i].trim_end();
                if ["field", "fields", "schema"].iter().any(|w| before.ends_with(w)) {
                    out.push(c);
                    out.push_str(&quoted);
                    out.push(if c == '`' { '`' } else { '"' });
                } else if out.ends_with(' ') {
                    out.pop();
                }
            }
            _ => out.push(c),
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn messages_lose_their_values() {
        assert_eq!(
            without_values(r#"invalid type: string "hunter2", expected a boolean at line 3 column 9"#),
            "invalid type: string, expected a boolean"
        );
        assert_eq!(without_values("unknown variant `sk_live_x`, expected `a` or `b`"), "unknown variant, expected or");
        assert_eq!(without_values("missing field `version`"), "missing field `version`");
        assert_eq!(without_values("unexpected character: `#'"), "unexpected character:");
        assert_eq!(without_values(r#"invalid value: string "a\"b", expected x"#), "invalid value: string, expected x");
    }
}
