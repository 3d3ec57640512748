//! Inputs the fuzzer found (fuzz/regressions/ holds them for the fuzz targets too), as plain tests
//! that run with `cargo test`.

use drift_core::{Fingerprinter, Format, LoadOptions};

fn options() -> LoadOptions {
    LoadOptions::new(Fingerprinter::with_key(b"regressions"))
}

/// A credential used as a map key is stored under `secret:<fingerprint>`; read back from a
/// snapshot, that label named its value a secret, so the snapshot differed from what was written.
#[test]
fn a_credential_key_reads_back_from_a_snapshot_unchanged() {
    let options = options();
    let yaml = "kind: Deployment\nghp_16C7e42F292c6912E7710c838347Ae178B4a: apps/v1\nspec: {replicas: 2}\n";
    let before = drift_core::parse(Format::Config, "staging/values.yaml", yaml.as_bytes(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let json = drift_core::snapshot_json(&before, &options.fingerprinter);
    assert!(!json.contains("ghp_16C7e42F"), "the credential key is not written");
    assert!(json.contains("\"apps/v1\""), "its value is not a secret: {json}");
    let after =
        drift_core::parse(Format::Snapshot, "saved.json", json.as_bytes(), &options).unwrap_or_else(|e| panic!("{e}"));
    let diff = drift_core::diff(&before, &after);
    assert!(diff.changes().is_empty(), "{:?}", diff.changes());
    assert_eq!(drift_core::snapshot_json(&after, &options.fingerprinter), json);
}

/// A form feed between words of a flag's value sent the command-line scanner into an endless loop
/// that filled memory (43 bytes of YAML reached 9 GB).
#[test]
fn form_feeds_in_values_end() {
    let yaml = "checkflags:J  -hncwDe E\nBeL fltVo\x0c\x0c\x0citaron\n";
    for (format, name) in [(Format::Flags, "flags.yaml"), (Format::Config, "values.yaml")] {
        // An error is fine (this is not a flag file); returning is the point.
        let _ = drift_core::parse(format, name, yaml.as_bytes(), &options());
    }
    let env = "RUN=\"redis-cli -a hunter2\x0c\x0c --x\"\n";
    let snapshot =
        drift_core::parse(Format::Env, "production/.env", env.as_bytes(), &options()).unwrap_or_else(|e| panic!("{e}"));
    let json = drift_core::snapshot_json(&snapshot, &options().fingerprinter);
    assert!(!json.contains("hunter2"), "{json}");
}
