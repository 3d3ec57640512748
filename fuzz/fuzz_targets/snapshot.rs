//! Saved snapshots (`drift/snapshot/v1`): the reader `parse` uses (after drift's JSON reader), and
//! the streaming reader `load` uses for a snapshot file.
#![no_main]

use std::io::Write as _;
use std::sync::OnceLock;

use drift_core::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drift_fuzz::parse(Format::Snapshot, "saved/snapshot.json", data);
    // `load` streams a file whose first 512 bytes name the schema, without drift's JSON reader.
    if data.len() <= 512 * 1024 && data[..data.len().min(512)].windows(16).any(|w| w == b"\"drift/snapshot/") {
        let path = file();
        let written = std::fs::File::create(path).and_then(|mut f| f.write_all(data));
        if written.is_ok() {
            match drift_core::load(path, drift_fuzz::options()) {
                Ok(snapshot) => drift_fuzz::check_round_trip(&snapshot),
                Err(error) => drift_fuzz::check_error(&error),
            }
        }
    }
});

/// One scratch file per process.
fn file() -> &'static std::path::Path {
    static FILE: OnceLock<std::path::PathBuf> = OnceLock::new();
    FILE.get_or_init(|| std::env::temp_dir().join(format!("drift-fuzz-{}.snapshot.json", std::process::id())))
}
