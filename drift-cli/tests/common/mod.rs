//! What the integration tests of the binary share: the repository, scratch folders, files, and
//! the binary run with a fixed fingerprint key.

// Each test crate uses some of these.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root.
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An empty folder for one test, `group/name` under the tests' temporary folder.
pub(crate) fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(group).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// Writes a file, creating its folders.
pub(crate) fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Runs `drift` in `dir` with a fixed fingerprint key.
pub(crate) fn drift(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drift"))
        .args(args)
        .current_dir(dir)
        .env("DRIFT_FINGERPRINT_KEY", "k")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}
