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
