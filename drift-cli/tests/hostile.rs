//! Hostile input (issue 13): every case ends in a correct report or a one-line exit-2 error, and
//! nothing from an input can forge a line of output or drive a terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod sarif_schema;

fn drift(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drift"))
        .args(args)
        .current_dir(dir)
        .env("DRIFT_FINGERPRINT_KEY", "hostile-tests")
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| panic!("drift {args:?}: {e}"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 2 and exactly one line on stderr, `error: …` holding `needle`.
fn assert_one_line_error(output: &Output, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
    assert!(output.stdout.is_empty(), "no partial report: {}", stdout(output));
}

/// `drift check … | head -1`: the reader goes away, the verdict stays.
#[test]
fn a_broken_pipe_keeps_the_verdict() {
    let dir = scratch("pipe");
    let lines: String = (0..5000).map(|i| format!("KEY_{i}=staging-{i}\n")).collect();
    write(&dir.join("staging/.env"), format!("{lines}DEBUG=false\n"));
    write(&dir.join("production/.env"), format!("{}DEBUG=true\n", lines.replace("staging-", "other-")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_drift"))
        .args(["check", "staging", "production"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Close the reading end before drift writes anything.
    drop(child.stdout.take());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(1));
}

/// Line breaks, ESC, C1 and `::` in file names, keys, values and environment names reach no
/// format raw: no line of output can be a GitHub workflow command drift did not write, and no
/// terminal escape gets through.
#[test]
fn control_characters_are_escaped_in_every_format() {
    let dir = scratch("control");
    let name = "x\n::error::forged\u{1b}[2J\u{9b}2J\u{202e}.env";
    let key = "K\u{1b}]0;title\u{7}";
    write(&dir.join("staging").join(name), format!("{key}=1\nDEBUG=false\n"));
    write(&dir.join("production").join(name), format!("{key}=2\nDEBUG=\"a\\n::error::forged\u{1b}[31m\"\n"));
    for format in ["text", "json", "markdown", "junit", "sarif", "github", "patch", "html"] {
        let output = drift(
            &dir,
            &["diff", "staging", "production", "--format", format, "--right-name", "prod\n::error::forged\u{1b}[1m"],
        );
        assert_eq!(output.status.code(), Some(0), "{format}: {}", stderr(&output));
        let text = stdout(&output);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{9b}') && !text.contains('\u{202e}'), "{format}: {text}");
        if format == "sarif" {
            // File names with control characters are still valid URIs (percent-encoded).
            sarif_schema::assert_valid(&serde_json::from_str(&text).unwrap_or_default());
        }
        let forged = text.lines().find(|l| l.trim_start().starts_with("::error::forged"));
        assert!(forged.is_none(), "{format}: {text}");
        assert!(text.contains("forged"), "{format}: the text is still shown, escaped: {text}");
    }
    // Warnings and errors on stderr too.
    let output = drift(&dir, &["diff", "staging/x\n::error::forged", "production"]);
    assert_one_line_error(&output, "forged");
}

#[test]
fn devices_pipes_and_large_files_are_refused() {
    let dir = scratch("devices");
    write(&dir.join("production/.env"), "A=1\n");
    let output = drift(&dir, &["diff", "/dev/zero", "production"]);
    assert_one_line_error(&output, "not a regular file");
    let fifo = dir.join("fifo.env");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    if made {
        assert_one_line_error(&drift(&dir, &["diff", "fifo.env", "production"]), "not a regular file");
        // In a folder: listed, never opened (opening a pipe blocks).
        let folder = dir.join("staging");
        write(&folder.join(".env"), "A=1\n");
        std::fs::rename(&fifo, folder.join("pipe.env")).unwrap_or_else(|e| panic!("{e}"));
        let output = drift(&dir, &["diff", "staging", "production", "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(stdout(&output).contains("not a regular file"));
    }
    write(&dir.join("big/.env"), format!("A={}\n", "x".repeat(4096)));
    assert_one_line_error(&drift(&dir, &["diff", "big", "production", "--max-input-size", "1K"]), "--max-input-size");
}

/// Expansions are bounded by what they produce: a long string aliased a few hundred times, a
/// flagd evaluator that fans out through `$ref`s, and one that refers to itself.
#[test]
fn expansions_are_bounded() {
    let dir = scratch("expansions");
    write(&dir.join("b/values.yaml"), "a: 1\n");
    write(&dir.join("a/values.yaml"), format!("a: &big {}\nitems:\n{}", "x".repeat(1 << 20), "  - *big\n".repeat(200)));
    assert_one_line_error(&drift(&dir, &["diff", "a", "b"]), "alias");
    let fanout: serde_json::Map<String, serde_json::Value> = (0..8)
        .map(|i| {
            let body = if i == 7 {
                serde_json::json!({"in": [1, [1, 2]]})
            } else {
                serde_json::json!({"or": vec![serde_json::json!({"$ref": format!("e{}", i + 1)}); 12]})
            };
            (format!("e{i}"), body)
        })
        .collect();
    for (name, evaluators) in [
        ("fanout", serde_json::Value::Object(fanout)),
        ("self", serde_json::json!({"s": {"or": [{"$ref": "s"}, {"$ref": "s"}]}})),
    ] {
        let flags = serde_json::json!({"$evaluators": evaluators, "flags": {"f": {"state": "ENABLED", "defaultVariant": "on",
            "variants": {"on": true}, "targeting": {"$ref": if name == "self" { "s" } else { "e0" }}}}});
        write(&dir.join(name).join("l/flags.json"), flags.to_string());
        write(&dir.join(name).join("r/flags.json"), flags.to_string());
        let output = drift(&dir.join(name), &["diff", "l", "r"]);
        assert_one_line_error(&output, "$ref");
    }
}

/// Two long sequences with nothing in common: compared position by position, with a note.
#[test]
fn long_unlike_sequences_are_compared_with_a_note() {
    let dir = scratch("sequences");
    let list =
        |prefix: &str| serde_json::json!({"items": (0..5_000).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>()});
    write(&dir.join("a/list.json"), list("a").to_string());
    write(&dir.join("b/list.json"), list("b").to_string());
    let output = drift(&dir, &["diff", "a", "b", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(report["summary"]["by_status"]["drift"], 5_000);
    let notes = report["notes"].to_string();
    assert!(notes.contains("position by position"), "{notes}");
    // A small insertion in a long list is still one change.
    let mut items: Vec<String> = (0..5_000).map(|i| format!("a{i}")).collect();
    items.insert(2_500, "new".into());
    write(&dir.join("c/list.json"), serde_json::json!({"items": items}).to_string());
    let output = drift(&dir, &["diff", "a", "c", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(report["summary"]["by_status"]["drift"], 1, "{}", stdout(&output));
}

/// Many rules, an Unleash export of many features, a snapshot of many keyed lists: all read in
/// near-linear time (these took minutes before; here they take well under a second).
#[test]
fn many_rules_features_and_keyed_lists() {
    let dir = scratch("many");
    write(&dir.join("a/.env"), "KEY_7=1\nOTHER=1\n");
    write(&dir.join("b/.env"), "KEY_7=2\nOTHER=2\n");
    let rules: String = (0..5_000)
        .map(|i| format!("[[expect]]\nentity = \"env:*\"\npath = \"KEY_{i}\"\nreason = \"r{i}\"\n\n"))
        .collect();
    write(&dir.join("drift.toml"), rules);
    let output = drift(&dir, &["diff", "a", "b", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let statuses: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| format!("{} {}", f["path"].as_str().unwrap_or(""), f["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(statuses, ["KEY_7 expected", "OTHER drift"], "{}", stderr(&output));

    let features: Vec<serde_json::Value> =
        (0..3_000).map(|i| serde_json::json!({"name": format!("f{i}"), "type": "release"})).collect();
    let rows = |flip: bool| -> Vec<serde_json::Value> {
        (0..3_000)
            .map(|i| serde_json::json!({"featureName": format!("f{i}"), "environment": "production", "enabled": (i == 2_999) == flip}))
            .collect()
    };
    for (side, flip) in [("s", false), ("p", true)] {
        let export = serde_json::json!({"features": features, "featureStrategies": [], "featureEnvironments": rows(flip), "tagTypes": []});
        write(&dir.join(side).join("unleash.json"), export.to_string());
    }
    let output = drift(&dir, &["diff", "s", "p", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(report["summary"]["by_status"]["drift"], 3_000, "{}", stderr(&output));

    // A snapshot whose keyed lists each name another key field.
    let entities: Vec<serde_json::Value> = (0..5_000)
        .map(|i| {
            serde_json::json!({"id": format!("cfg:c{i}"), "file": "c", "line": 1,
                "body": {"map": {"l": {"keyed": [{"map": {format!("k{i}"): "a"}}], "key": [format!("k{i}")]}}}})
        })
        .collect();
    // The schema first, as drift writes it (a reader tells a snapshot by its first bytes).
    let snapshot = format!(
        r#"{{"schema": "drift/snapshot/v1", "name": "old", "inputs": [], "entities": {}}}"#,
        serde_json::Value::Array(entities)
    );
    write(&dir.join("snap.json"), snapshot);
    let output = drift(&dir, &["diff", "snap.json", "snap.json", "--summary"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// JSON numbers keep their digits; duplicate keys warn; a snapshot reads back at any depth drift
/// accepts on input.
#[test]
fn exact_numbers_duplicate_keys_and_deep_snapshots() {
    let dir = scratch("exact");
    write(&dir.join("a/config.json"), r#"{"a": 0.1000000000000000001, "b": 123456789012345678901234567890, "c": 1}"#);
    write(&dir.join("b/config.json"), r#"{"a": 0.1, "b": 123456789012345678901234567891, "c": 1, "c": 1.0}"#);
    let output = drift(&dir, &["diff", "a", "b", "--format", "json"]);
    assert!(stderr(&output).contains("`c` is set twice"), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("0.1000000000000000001") && text.contains("123456789012345678901234567891"), "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(report["summary"]["by_status"]["drift"], 2, "{text}");

    let mut deep = serde_json::json!(1);
    for i in 0..255 {
        deep = if i % 2 == 0 { serde_json::json!({"k": deep}) } else { serde_json::json!([deep]) };
    }
    write(&dir.join("deep/config.json"), deep.to_string());
    let output = drift(&dir, &["snapshot", "deep", "-o", "deep.snapshot.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = drift(&dir, &["diff", "deep.snapshot.json", "deep", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("\"findings\": 0"), "{}", stdout(&output));
}

/// A link out of the environment's folder is not followed: listed as skipped, or an error with
/// `--strict`; its target is never read.
#[test]
fn links_out_of_the_root_are_not_followed() {
    let dir = scratch("links");
    write(&dir.join("outside/secret.env"), "LEAKED_PASSWORD=hunter2hunter2\n");
    write(&dir.join("outside/dir/app.env"), "LEAKED_TOKEN=ghp_0123456789abcdefghij\n");
    write(&dir.join("staging/.env"), "A=1\n");
    write(&dir.join("staging/inside.env"), "B=1\n");
    std::os::unix::fs::symlink(dir.join("outside/secret.env"), dir.join("staging/linked.env"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(dir.join("outside/dir"), dir.join("staging/linked-dir"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("inside.env", dir.join("staging/alias.env")).unwrap_or_else(|e| panic!("{e}"));
    write(&dir.join("production/.env"), "A=2\n");
    let output = drift(&dir, &["diff", "staging", "production", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let skipped = report["left"]["skipped"].to_string();
    assert!(skipped.contains("linked.env") && skipped.contains("linked-dir"), "{skipped}");
    let read = report["left"]["read"].to_string();
    assert!(read.contains("alias.env"), "a link inside the folder is followed: {read}");
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!all.contains("LEAKED") && !all.contains("hunter2"), "{all}");
    assert_one_line_error(&drift(&dir, &["diff", "staging", "production", "--strict"]), "--strict");
}

/// Arguments and drift.toml errors are one line.
#[test]
fn argument_and_policy_errors_are_one_line() {
    let dir = scratch("args");
    write(&dir.join("a/.env"), "A=1\n");
    assert_one_line_error(&drift(&dir, &["diff", "a"]), "");
    assert_one_line_error(&drift(&dir, &["diff", "a", "a", "--format", "yaml"]), "yaml");
    assert_one_line_error(&drift(&dir, &["diff", "a", "a", "--bogus"]), "--bogus");
    for (toml, needle) in [
        ("[[expect]]\npath = \"A\"\nreason = \"r\"\nuntil = \"2027-02-30\"\n", "drift.toml:4"),
        ("[[expect]]\npath = \"A\"\nreason = \n", "drift.toml:3"),
        ("[[expect]]\npath = \"A\"\nreason = \"r\"\nbogus = 1\n", "drift.toml:"),
    ] {
        write(&dir.join("drift.toml"), toml);
        assert_one_line_error(&drift(&dir, &["diff", "a", "a"]), needle);
    }
}
