//! SARIF output checked against the SARIF 2.1.0 JSON schema (shared by the tests that make SARIF).

use std::path::Path;
use std::process::Command;

/// Validates SARIF against the official SARIF 2.1.0 JSON schema (OASIS), as the serde-sarif
/// crate ships it: found through `cargo metadata`, so the test reads the copy Cargo.lock names.
pub(crate) fn assert_valid(sarif: &serde_json::Value) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // This platform's packages only: the others' may not be downloaded.
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .arg("-vV")
        .output()
        .unwrap_or_else(|e| panic!("rustc -vV: {e}"));
    let version = String::from_utf8_lossy(&rustc.stdout).into_owned();
    let host = version.lines().find_map(|l| l.strip_prefix("host: ")).unwrap_or_else(|| panic!("{version}"));
    let metadata = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", host])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap_or_default();
    let manifest = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .unwrap_or_else(|| panic!("serde-sarif not in cargo metadata"));
    let schema_path = Path::new(manifest).with_file_name("src").join("schema.json");
    // The schema's `language` pattern has a stray `]`, a literal in ECMA-262 regexes but an error
    // in Rust's: escaped, the same pattern.
    let schema: serde_json::Value = std::fs::read_to_string(&schema_path)
        .ok()
        .map(|text| text.replace(r#"[a-zA-Z]{2}]?$"#, r#"[a-zA-Z]{2}\\]?$"#))
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| panic!("no SARIF schema at {}", schema_path.display()));
    assert!(schema["title"].as_str().is_some_and(|t| t.contains("SARIF") && t.contains("2.1.0")), "{schema_path:?}");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("the SARIF schema does not compile: {e}"));
    let errors: Vec<String> =
        validator.iter_errors(sarif).take(10).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF output fails the SARIF 2.1.0 schema:\n{}", errors.join("\n"));
    // The check can fail: a result without its required message does not pass.
    let mut broken = sarif.clone();
    if let Some(result) = broken["runs"][0]["results"][0].as_object_mut() {
        result.remove("message");
    }
    assert!(!validator.is_valid(&broken), "the schema check accepts a result without a message");
}
