//! Environment identity (issue 14): names from the path, roles, whether guards ran, and
//! comparisons of one environment with itself.

mod common;

use std::path::{Path, PathBuf};

use common::{drift, write};

fn scratch(name: &str) -> PathBuf {
    common::scratch("environments", name)
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = drift(dir, &all);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

const ENV: &str = "PAYMENT_SANDBOX=true\nAPI_TOKEN=tok-4f9a8b7c6d5e\nAPP_ENV=production\n";

/// `envs/staging/app` vs `envs/production/app`: the names come from the token nearest the leaf,
/// not from the last folder, so the sandbox switch is guarded.
#[test]
fn names_come_from_the_nearest_environment_token() {
    let dir = scratch("nested");
    for env in ["staging", "production"] {
        write(&dir.join("envs").join(env).join("app/.env"), ENV);
        write(&dir.join("clusters").join(format!("{env}-eu")).join("apps/web/.env"), ENV);
    }
    for (left, right, name) in [
        ("envs/staging/app", "envs/production/app", "production"),
        ("clusters/staging-eu/apps/web", "clusters/production-eu/apps/web", "production-eu"),
        ("envs/staging/app/.env", "envs/production/app/.env", "production"),
    ] {
        let output = drift(&dir, &["check", left, right]);
        assert_eq!(output.status.code(), Some(1), "{left} vs {right}");
        let report = json(&dir, &[left, right]);
        assert_eq!(report["right"]["name"], name);
        assert_eq!(report["right"]["role"], "production");
        assert_eq!(report["left"]["role"], "non-production");
        assert_eq!(report["guards"]["enabled"], true);
        assert_eq!(report["guards"]["sides"], serde_json::json!(["right"]));
        let guard = report["findings"].as_array().into_iter().flatten().find(|f| f["change"] == "guard");
        assert!(guard.is_some_and(|g| g["severity"] == "critical"), "{report}");
    }
}

/// No side named like production: the gate says guards are off (report, stderr), and
/// `--require-guards` or drift.toml makes that an error.
#[test]
fn guards_off_is_said_and_can_be_required() {
    let dir = scratch("guards-off");
    write(&dir.join("a/app/.env"), ENV);
    write(&dir.join("b/app/.env"), ENV);
    let output = drift(&dir, &["check", "a/app", "b/app"]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: guards are off: neither side is production"), "{stderr}");
    let report = json(&dir, &["a/app", "b/app"]);
    assert_eq!(report["guards"]["enabled"], false);
    assert!(report["guards"]["reason"].as_str().is_some_and(|r| r.contains("--right-name")), "{report}");
    for format in ["text", "markdown", "sarif", "github", "junit"] {
        let output = drift(&dir, &["diff", "a/app", "b/app", "--format", format]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("guards: OFF"), "{format}: {stdout}");
    }
    let output = drift(&dir, &["check", "a/app", "b/app", "--require-guards"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: guards are off") && stderr.lines().count() == 1, "{stderr}");
    write(&dir.join("drift.toml"), "[environments]\nrequire_guards = true\n");
    let output = drift(&dir, &["check", "a/app", "b/app", "--config", "drift.toml"]);
    assert_eq!(output.status.code(), Some(2));
    // Naming a side, by flag or by drift.toml's list, turns them on.
    let output = drift(&dir, &["check", "a/app", "b/app", "--right-name", "prod"]);
    assert_eq!(output.status.code(), Some(1));
    write(&dir.join("drift.toml"), "[environments]\nright = \"blue\"\nproduction = [\"blue\", \"green\"]\n");
    let report = json(&dir, &["a/app", "b/app", "--config", "drift.toml"]);
    assert_eq!(report["right"]["name"], "blue");
    assert_eq!(report["guards"]["enabled"], true, "{report}");
}

/// Production against itself (a snapshot from last week, git against live, two regions): no
/// reuse, no "points at production", a changed secret is a rotation; both sides guarded.
#[test]
fn one_environment_on_both_sides() {
    let dir = scratch("same");
    write(&dir.join("production/.env"), ENV);
    write(&dir.join("prod-eu/.env"), ENV);
    write(&dir.join("prod-us/.env"), ENV.replace("tok-4f9a8b7c6d5e", "tok-rotated-000111"));
    let output = drift(&dir, &["snapshot", "production", "-o", "last-week.json", "--name", "last-week"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    for (left, right) in [("last-week.json", "production"), ("production", "production")] {
        let report = json(&dir, &[left, right]);
        let kinds: Vec<(&str, &str)> = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| (f["change"].as_str().unwrap_or_default(), f["path"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(kinds, [("guard", "PAYMENT_SANDBOX")], "{left} vs {right}: {report}");
    }
    let report = json(&dir, &["prod-eu", "prod-us"]);
    assert_eq!(report["same_environment"], true);
    assert_eq!(report["guards"]["sides"], serde_json::json!(["left", "right"]));
    let rotated = report["findings"].as_array().into_iter().flatten().find(|f| f["path"] == "API_TOKEN").cloned();
    let rotated = rotated.unwrap_or_else(|| panic!("{report}"));
    assert_eq!((rotated["rule"].as_str(), rotated["severity"].as_str()), (Some("secret-rotated"), Some("info")));
    // The switch is on in both regions: one finding, not one per side.
    let guards = report["findings"].as_array().into_iter().flatten().filter(|f| f["change"] == "guard").count();
    assert_eq!(guards, 1, "{report}");
    // On only in the left region: the left side is guarded too.
    write(&dir.join("prod-us/.env"), "PAYMENT_SANDBOX=false\n");
    let report = json(&dir, &["prod-eu", "prod-us"]);
    let guard = report["findings"].as_array().into_iter().flatten().find(|f| f["change"] == "guard").cloned();
    let guard = guard.unwrap_or_else(|| panic!("{report}"));
    assert_eq!(guard["location"]["left"]["file"], "prod-eu/.env", "{guard}");
}

/// Namespaces and names that differ only by environment tokens match, with a note; drift.toml's
/// `[[map]]` still decides when it says otherwise.
#[test]
fn objects_match_across_environment_tokens() {
    let dir = scratch("identity");
    let deployment = |ns: &str, name: &str, replicas: u32| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  replicas: {replicas}\n---\n"
        )
    };
    write(
        &dir.join("staging/app.yaml"),
        &(deployment("shop-stg", "web", 2) + &deployment("api-staging", "worker-staging", 1)),
    );
    write(
        &dir.join("production/app.yaml"),
        &(deployment("shop-prd", "web", 3) + &deployment("api-production", "worker-prod", 1)),
    );
    let report = json(&dir, &["staging", "production"]);
    let drift: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["status"] == "drift")
        .map(|f| {
            (
                f["entity"].as_str().unwrap_or_default(),
                f["path"].as_str().unwrap_or_default(),
                f["change"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(drift, [("k8s:apps/Deployment/shop-stg/web", "spec.replicas", "changed")], "{report}");
    let notes = report["right"]["notes"].to_string();
    assert!(
        notes.contains("matched by environment tokens")
            && notes.contains("worker-prod with")
            && notes.contains("web with"),
        "{notes}"
    );
    // A map in drift.toml wins: the namespace is mapped elsewhere, so nothing is matched by tokens.
    write(&dir.join("drift.toml"), "[[map]]\nkind = \"namespace\"\nleft = \"other\"\nright = \"shop-prd\"\n");
    let report = json(&dir, &["staging", "production", "--config", "drift.toml"]);
    let removed = report["findings"].as_array().into_iter().flatten().any(|f| f["change"] == "removed");
    assert!(removed, "{report}");
}

/// Rules that do not apply say so: unused rules on stderr and in JSON, and `drift explain` shows
/// which rules were considered for a finding and why each applied or not.
#[test]
fn rules_say_when_they_do_not_apply() {
    let dir = scratch("explain");
    write(&dir.join("staging/.env"), "LOG_LEVEL=debug\nWORKERS=2\n");
    write(&dir.join("production/.env"), "LOG_LEVEL=info\nWORKERS=4\n");
    write(
        &dir.join("drift.toml"),
        "[[expect]]\npath = \"LOG_LEVEL\"\nreason = \"quieter in production\"\n\n\
         [[expect]]\npath = \"WORKERS\"\nright = \"8\"\nreason = \"more workers\"\n\n\
         [[ignore]]\npath = \"LOG_LEVLE\"\nreason = \"typo\"\n",
    );
    let output = drift(&dir, &["check", "staging", "production", "--config", "drift.toml", "--fail-on", "low"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: drift.toml:10 (ignore) matched nothing in this run"), "{stderr}");
    let report = json(&dir, &["staging", "production", "--config", "drift.toml"]);
    // The WORKERS rule matches the path, but its value condition holds for no finding.
    assert_eq!(
        report["unused_rules"],
        serde_json::json!(["drift.toml:10 (ignore)", "drift.toml:5 (expect)"]),
        "{report}"
    );
    let workers = report["findings"].as_array().into_iter().flatten().find(|f| f["path"] == "WORKERS").cloned();
    let id = workers.and_then(|f| f["id"].as_str().map(str::to_owned)).unwrap_or_default();
    let output = drift(&dir, &["explain", &id[..8], "staging", "production", "--config", "drift.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("decided by the built-in judgement"), "{text}");
    assert!(
        text.contains("drift.toml:5 (expect)") && text.contains("the right value does not meet its condition"),
        "{text}"
    );
    let output = drift(&dir, &["explain", "ffffffffffff", "staging", "production"]);
    assert_eq!(output.status.code(), Some(2));
}

/// What a hostile tester found: a bare file name, `pre-prod` and `non-prod`, a production value
/// naming staging when both sides are production, a drift.toml guard on a secret's text.
#[test]
fn names_and_roles_edge_cases() {
    let dir = scratch("edges");
    write(&dir.join("p/staging/.env"), "PAYMENT_SANDBOX=true\n");
    write(&dir.join("p/production/.env"), "PAYMENT_SANDBOX=true\n");
    // A bare file name is in the current folder, whose name says production.
    let output = drift(&dir.join("p/production"), &["check", "../staging/.env", ".env"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stdout));
    // pre-prod and non-prod are not production: a secret they share with production is reuse.
    for other in ["pre-prod", "non-prod", "nonprod"] {
        write(&dir.join(other).join(".env"), "DB_PASSWORD=hunter2-canary-1\n");
        write(&dir.join("prod/.env"), "DB_PASSWORD=hunter2-canary-1\n");
        let report = json(&dir, &[other, "prod"]);
        assert_eq!(report["left"]["role"], "non-production", "{other}");
        assert!(
            report["findings"].as_array().into_iter().flatten().any(|f| f["change"] == "reuse"),
            "{other}: {report}"
        );
        assert!(!report.to_string().contains("hunter2-canary"));
    }
    // Production against itself still must not point at staging.
    write(&dir.join("production/.env"), "ORDERS_URL=https://orders.staging.internal\n");
    let output = drift(&dir, &["snapshot", "production", "-o", "snap.json"]);
    assert_eq!(output.status.code(), Some(0));
    let output = drift(&dir, &["check", "snap.json", "production"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stdout));
    // A drift.toml condition on a secret's text is never a silent pass.
    write(&dir.join("drift.toml"), "[[guard]]\npath = \"DB_PASSWORD\"\nmust_not_match = \"^hunter\"\n");
    let output = drift(&dir, &["check", "pre-prod", "prod", "--config", "drift.toml", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let guard = report["findings"].as_array().into_iter().flatten().find(|f| f["change"] == "guard").cloned();
    assert!(guard.is_some_and(|g| g["message"].as_str().is_some_and(|m| m.contains("is a secret"))), "{report}");
    // An empty name is refused.
    let output = drift(&dir, &["diff", "pre-prod", "prod", "--left-name", ""]);
    assert_eq!(output.status.code(), Some(2));
}
