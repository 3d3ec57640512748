//! Runs the real `drift` binary: exit codes, stdin, snapshots, bad input, and secrets.
//!
//! Commands run from the workspace root with relative paths, so reports name `fixtures/…` and the
//! insta snapshots hold no machine paths. A fixed fingerprint key makes fingerprints stable.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const KEY: &str = "drift-tests-fingerprint-key";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn drift(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drift"));
    cmd.args(args).current_dir(root()).env("DRIFT_FINGERPRINT_KEY", KEY).env_remove("NO_COLOR");
    cmd
}

fn run(args: &[&str]) -> Output {
    drift(args).output().unwrap_or_else(|e| panic!("drift {args:?}: {e}"))
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = drift(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input).unwrap_or_else(|e| panic!("{e}"));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// A scratch directory under target/, fresh for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[test]
fn text_report_on_the_fixtures() {
    let output = run(&["diff", "fixtures/staging", "fixtures/production", "--show", "expected"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("PAYMENT_SANDBOX"), "the reference incident is caught");
    assert!(!text.contains('\x1b'), "no colour without a terminal");
    insta::assert_snapshot!("diff_text", text);
}

#[test]
fn json_report_on_the_fixtures() {
    let output = run(&["diff", "fixtures/staging", "fixtures/production", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema"], "drift/report/v1");
    let kinds: Vec<&str> =
        report["findings"].as_array().into_iter().flatten().filter_map(|f| f["change"].as_str()).collect();
    for kind in ["changed", "added", "removed", "guard", "reuse"] {
        assert!(kinds.contains(&kind), "fixtures show a {kind} finding");
    }
    let statuses: Vec<&str> =
        report["findings"].as_array().into_iter().flatten().filter_map(|f| f["status"].as_str()).collect();
    assert!(statuses.contains(&"expected") && statuses.contains(&"drift"));
    insta::assert_snapshot!("diff_json", stdout(&output));
}

#[test]
fn colour_when_forced_and_never_with_no_color_auto() {
    let forced = run(&["diff", "fixtures/staging", "fixtures/production", "--color", "always"]);
    assert!(stdout(&forced).contains("\x1b[1;31m"));
    let auto = drift(&["diff", "fixtures/staging", "fixtures/production"]).env("NO_COLOR", "1").output();
    assert!(!stdout(&auto.unwrap_or_else(|e| panic!("{e}"))).contains('\x1b'));
}

#[test]
fn check_exit_codes() {
    assert_eq!(code(&run(&["check", "fixtures/staging", "fixtures/production"])), 1);
    assert_eq!(code(&run(&["check", "fixtures/staging", "fixtures/staging"])), 0);
    assert_eq!(code(&run(&["check", "fixtures/production", "fixtures/production"])), 1, "production guards hold alone");
    assert_eq!(code(&run(&["check", "--fail-on", "critical", "fixtures/staging", "fixtures/production"])), 1);
    assert_eq!(code(&run(&["diff", "fixtures/staging", "fixtures/production"])), 0);
}

#[test]
fn a_clean_pair_passes_the_gate() {
    let dir = scratch("clean");
    std::fs::create_dir_all(dir.join("staging")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.join("production")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("staging/.env"), "DB_HOST=db.staging.internal\nLOG_LEVEL=info\n").unwrap_or_default();
    std::fs::write(dir.join("production/.env"), "LOG_LEVEL=info\nDB_HOST=db.prod.internal\n").unwrap_or_default();
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let output = run(&["check", &l.to_string_lossy(), &r.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("no drift between staging and production"));
}

#[test]
fn stdin_is_one_side() {
    let production = std::fs::read(root().join("fixtures/production/.env")).unwrap_or_default();
    let output = run_stdin(
        &["diff", "fixtures/staging/.env", "-", "--format", "json", "--right-name", "production"],
        &production,
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let piped = json(&output);
    let direct = json(&run(&["diff", "fixtures/staging/.env", "fixtures/production/.env", "--format", "json"]));
    let ids = |report: &serde_json::Value| -> Vec<String> {
        report["findings"].as_array().into_iter().flatten().map(|f| f["id"].to_string()).collect()
    };
    assert_eq!(ids(&piped), ids(&direct));
    assert_eq!(piped["right"]["inputs"][0], "-");
    let both = run_stdin(&["diff", "-", "-"], b"A=1\n");
    assert_eq!(code(&both), 2);
}

#[test]
fn manifests_on_stdin() {
    // `helm template … | drift diff - production/`
    let manifests = std::fs::read(root().join("fixtures/staging/k8s/all.yaml")).unwrap_or_default();
    let output =
        run_stdin(&["diff", "-", "fixtures/production/k8s", "--left-name", "staging", "--format", "json"], &manifests);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let replicas = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["entity"] == "k8s:apps/Deployment/shop/checkout" && f["path"] == "spec.replicas");
    assert!(replicas);
    assert_eq!(report["left"]["inputs"][0], "-");
}

#[test]
fn one_export_two_environments() {
    let export = root().join("fixtures/realworld/unleash/variantsexport_v3.json");
    let at = |env: &str| format!("{}@{env}", export.display());
    let output = run(&["diff", &at("development"), &at("production")]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("flag:UX-toggle1"));
    let missing = run(&["diff", &at("staging"), &at("production")]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("no environment `staging` in this export (it has: development, production)"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_team_policy_leaves_only_the_rest() {
    // README "Policy": the fixtures' intended differences are expected, the rest still fails.
    let with = json(&run(&[
        "diff",
        "fixtures/staging",
        "fixtures/production",
        "--config",
        "fixtures/drift.toml",
        "--format",
        "json",
    ]));
    let without = json(&run(&["diff", "fixtures/staging", "fixtures/production", "--format", "json"]));
    let drift = |r: &serde_json::Value| r["summary"]["by_status"]["drift"].as_u64().unwrap_or(0);
    assert!(drift(&with) < drift(&without), "{} vs {}", drift(&with), drift(&without));
    let status = |r: &serde_json::Value, path: &str| -> Vec<String> {
        r["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["path"] == path)
            .map(|f| f["status"].to_string())
            .collect()
    };
    assert_eq!(status(&with, "spec.replicas"), ["\"expected\""]);
    assert_eq!(status(&with, "DB_POOL_SIZE"), ["\"expected\""]);
    assert!(status(&with, "PAYMENT_SANDBOX").iter().all(|s| s == "\"drift\""), "guards still fail");
    assert_eq!(code(&run(&["check", "fixtures/staging", "fixtures/production", "--config", "fixtures/drift.toml"])), 1);
    // A bad policy is an error naming its line.
    let dir = scratch("policy");
    std::fs::write(dir.join("drift.toml"), "[[expect]]\npath = \"x\"\nreson = \"typo\"\n").unwrap_or_default();
    let bad = run(&[
        "check",
        "fixtures/staging",
        "fixtures/production",
        "--config",
        &dir.join("drift.toml").to_string_lossy(),
    ]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("drift.toml:3: unknown field `reson`, expected one of"), "{}", stderr(&bad));
    // Baselines: everything accepted today passes the gate tomorrow, except the expired
    // certificate, which no baseline accepts.
    let baseline = dir.join("baseline.json");
    let recorded = run(&["baseline", "fixtures/staging", "fixtures/production", "-o", &baseline.to_string_lossy()]);
    assert_eq!(code(&recorded), 0);
    assert!(stderr(&recorded).contains("1 finding(s) not recorded: an expired certificate"), "{}", stderr(&recorded));
    let gate = run(&[
        "check",
        "fixtures/staging",
        "fixtures/production",
        "--baseline",
        &baseline.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&gate), 1);
    let report: serde_json::Value = serde_json::from_slice(&gate.stdout).unwrap_or_default();
    let drift: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["status"] == "drift")
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(drift, ["certificate-expired"], "{report}");
}

#[test]
fn snapshot_round_trip() {
    let dir = scratch("snapshot");
    let file = dir.join("staging.json");
    let saved = run(&["snapshot", "fixtures/staging", "-o", &file.to_string_lossy()]);
    assert_eq!(code(&saved), 0, "{}", stderr(&saved));
    let snapshot = file.to_string_lossy().into_owned();
    let from_snapshot = json(&run(&["diff", &snapshot, "fixtures/production", "--format", "json"]));
    let from_files = json(&run(&["diff", "fixtures/staging", "fixtures/production", "--format", "json"]));
    assert_eq!(from_snapshot["findings"], from_files["findings"], "a snapshot compares like its files");
    assert_eq!(from_snapshot["left"]["name"], "staging");
    // Both sides may be snapshots.
    let both = json(&run(&["diff", &snapshot, &snapshot, "--format", "json"]));
    assert_eq!(both["summary"]["findings"], 0);
}

#[test]
fn snapshot_without_a_key_keeps_no_fingerprints() {
    let dir = scratch("snapshot-nokey");
    let file = dir.join("staging.json");
    let saved = drift(&["snapshot", "fixtures/staging", "-o", &file.to_string_lossy()])
        .env_remove("DRIFT_FINGERPRINT_KEY")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&saved), 0);
    assert!(stderr(&saved).contains("DRIFT_FINGERPRINT_KEY is not set"));
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(text.contains("\"secret\": null"), "secrets recorded without fingerprints");
    let report = json(&run(&["diff", &file.to_string_lossy(), "fixtures/production", "--format", "json"]));
    let incomparable =
        report["findings"].as_array().into_iter().flatten().filter(|f| f["rule"] == "secret-not-comparable").count();
    assert!(incomparable >= 4, "secrets say they cannot be compared ({incomparable})");
}

#[test]
fn bad_input_exits_2_with_file_and_line() {
    let dir = scratch("bad");
    let cases: &[(&str, &[u8], &str)] = &[
        ("not-assignment.env", b"A=1\nthis is not valid\n", "not-assignment.env:2: expected KEY=VALUE"),
        ("utf8.env", b"A=1\nB=2\nC=\xff\xfe\n", "utf8.env:3: not valid UTF-8"),
        (
            "unterminated.env",
            b"A=1\nDB_PASSWORD=\"hunter2\nB=2\n",
            "unterminated.env:2: unterminated double-quoted value",
        ),
        ("nul.env", b"A=1\0\n", "nul.env:1: NUL byte"),
        (
            "truncated.json",
            b"{\n  \"schema\": \"drift/snapshot/v1\",\n  \"name\": \"staging\",\n  \"entities\": [\n    {\"id\": \"env:.env\", \"body\": {\"map\": {",
            "truncated.json:5: invalid drift snapshot: EOF while parsing",
        ),
        (
            "future.json",
            b"{\"schema\": \"drift/snapshot/v2\", \"entities\": []}",
            "future.json:1: invalid drift snapshot: schema `drift/snapshot/v2` is not supported",
        ),
        (
            "badvalue.json",
            b"{\"schema\": \"drift/snapshot/v1\",\n\"entities\": [{\"id\": \"env:.env\",\n\"body\": {\"map\": {\"A\": {\"number\": \"x1\"}}}}]}",
            "badvalue.json:3: invalid drift snapshot: bad number",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
        let output = run(&["diff", &path.to_string_lossy(), "fixtures/production/.env"]);
        assert_eq!(code(&output), 2, "{name}");
        let err = stderr(&output);
        assert!(err.starts_with("error: ") && err.contains(expected), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(!err.contains("hunter2"), "no secret in errors");
        assert!(stdout(&output).is_empty(), "no partial report");
    }
    let missing = run(&["diff", "fixtures/nowhere", "fixtures/production"]);
    assert_eq!(code(&missing), 2);
    assert_eq!(stderr(&missing).trim(), "error: fixtures/nowhere: no such file or directory");
    let flag = run(&["diff", "--no-such-flag", "a", "b"]);
    assert_eq!(code(&flag), 2);
    assert_eq!(code(&run(&["--help"])), 0);
}

#[test]
fn malformed_yaml_and_alias_bombs_exit_2() {
    let dir = scratch("yaml");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n").unwrap_or_default();
    let output = run(&["diff", &bad.to_string_lossy(), "fixtures/production"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).starts_with(&format!("error: {}:5: invalid YAML", bad.display())), "{}", stderr(&output));
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\nx:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    let mut prev = "a".to_owned();
    for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
        bomb.push_str(&format!(
            "  {name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = name.to_owned();
    }
    let path = dir.join("bomb.yaml");
    std::fs::write(&path, bomb).unwrap_or_default();
    let start = std::time::Instant::now();
    let output = run(&["diff", &path.to_string_lossy(), &path.to_string_lossy()]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("alias bomb"), "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 1);
    assert!(start.elapsed().as_secs() < 10, "refused quickly, not expanded");
}

#[test]
fn unreadable_files_exit_2() {
    let dir = scratch("unreadable");
    std::fs::write(dir.join(".env"), "A=1\n").unwrap_or_default();
    // A link to nothing cannot be read by anyone (file permissions do not stop root).
    std::os::unix::fs::symlink(dir.join("missing-target"), dir.join("app.env")).unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["diff", &dir.to_string_lossy(), "fixtures/production"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("app.env"), "{}", stderr(&output));
}

#[test]
fn unknown_files_are_listed_not_dropped() {
    let dir = scratch("unknown");
    std::fs::write(dir.join(".env"), "A=1\n").unwrap_or_default();
    std::fs::write(dir.join("notes.txt"), "hello world\n").unwrap_or_default();
    let output = run(&["diff", &dir.to_string_lossy(), &dir.to_string_lossy()]);
    assert_eq!(code(&output), 0);
    // The report says so (once: not again on stderr).
    assert!(stdout(&output).contains("note: skipped") && stdout(&output).contains("notes.txt"), "{}", stdout(&output));
    assert!(!stderr(&output).contains("notes.txt"), "{}", stderr(&output));
    let single = run(&["diff", &dir.join("notes.txt").to_string_lossy(), "fixtures/production"]);
    assert_eq!(code(&single), 2);
}

#[test]
fn duplicate_keys_warn() {
    let dir = scratch("dup");
    std::fs::write(dir.join(".env"), "A=1\nA=2\n").unwrap_or_default();
    let output = run(&["diff", &dir.to_string_lossy(), &dir.to_string_lossy()]);
    assert_eq!(code(&output), 0);
    assert!(
        stderr(&output).contains(".env:2: A is set twice (lines 1 and 2); the last value wins"),
        "{}",
        stderr(&output)
    );
}

/// The plain values of every secret in the fixtures: `.env` secrets and Kubernetes Secret data.
fn fixture_secrets() -> Vec<String> {
    let rules = drift_core::SecretRules::default();
    let mut secrets = vec![
        // fixtures/*/k8s: Secret data (base64-decoded) and stringData.
        "stg-db-password-412".to_owned(),
        "prd-db-password-907".to_owned(),
        "tok-shared-8819abc".to_owned(),
        "c3RnLWRiLXBhc3N3b3JkLTQxMg==".to_owned(),
        "cHJkLWRiLXBhc3N3b3JkLTkwNw==".to_owned(),
        "dG9rLXNoYXJlZC04ODE5YWJj".to_owned(),
        // fixtures/*/terraform.tfstate: the sensitive password attribute and output.
        "stg-rds-Pa55w0rd".to_owned(),
        "prd-rds-Zz91-secret".to_owned(),
    ];
    for file in ["staging/k8s/all.yaml", "production/k8s/config.yaml"] {
        // TLS private keys: their base64 and every line of the PEM they decode to.
        let text = std::fs::read_to_string(root().join("fixtures").join(file)).unwrap_or_default();
        for line in text.lines().filter_map(|l| l.trim().strip_prefix("tls.key: ")) {
            secrets.push(line.to_owned());
            let pem = Command::new("base64").args(["-d"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
            if let Ok(mut child) = pem {
                use std::io::Write;
                let _ = child.stdin.take().map(|mut s| s.write_all(line.as_bytes()));
                let out = child.wait_with_output().map(|o| o.stdout).unwrap_or_default();
                let key = String::from_utf8_lossy(&out).into_owned();
                secrets.extend(key.lines().filter(|l| !l.starts_with("-----") && l.len() > 20).map(str::to_owned));
            }
        }
    }
    for side in ["staging", "production"] {
        let text = std::fs::read_to_string(root().join(format!("fixtures/{side}/.env"))).unwrap_or_default();
        for line in text.lines() {
            let line = line.trim_start_matches("export ");
            let Some((key, value)) = line.split_once('=') else { continue };
            let value = value.split(" #").next().unwrap_or(value).trim().trim_matches(['"', '\'']);
            if rules.is_secret_name(key) {
                secrets.push(value.to_owned());
            }
            if let Some(password) =
                value.split_once("://").and_then(|(_, rest)| rest.split_once('@')).and_then(|(u, _)| u.split_once(':'))
            {
                secrets.push(password.1.to_owned());
            }
        }
    }
    secrets
}

#[test]
fn no_secret_in_any_output() {
    let secrets = fixture_secrets();
    assert!(secrets.len() >= 16, "{secrets:?}");
    let dir = scratch("secrets");
    let snapshot = dir.join("s.json").to_string_lossy().into_owned();
    let mut runs: Vec<Output> = vec![
        run(&["diff", "fixtures/staging", "fixtures/production", "--show", "all"]),
        run(&["diff", "fixtures/staging", "fixtures/production", "--format", "json"]),
        run(&["check", "fixtures/staging", "fixtures/production", "--format", "json"]),
        run(&["snapshot", "fixtures/production"]),
        run(&["snapshot", "fixtures/staging", "-o", &snapshot]),
        run(&["diff", &snapshot, "fixtures/production", "--show", "all"]),
    ];
    for format in ["markdown", "junit", "sarif", "github", "patch"] {
        runs.push(run(&["diff", "fixtures/staging", "fixtures/production", "--format", format]));
    }
    let saved = std::fs::read_to_string(&snapshot).unwrap_or_default();
    for output in &runs {
        let all = format!("{}{}{saved}", stdout(output), stderr(output));
        for secret in &secrets {
            assert!(!all.contains(secret.as_str()), "secret {secret:?} leaked");
        }
    }
}
