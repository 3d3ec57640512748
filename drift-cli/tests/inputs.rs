//! Every input is compared or refused (issue 12): detection by the whole document, generic
//! configuration files, Terraform plans, corrupt and empty files, skipped files in every format.

mod common;

use std::path::{Path, PathBuf};

use std::process::Command;

use common::{drift, repo as root, write};

fn scratch(name: &str) -> PathBuf {
    let dir = common::scratch("inputs", name);
    for side in ["staging", "production"] {
        std::fs::create_dir_all(dir.join(side)).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

fn json(dir: &Path) -> serde_json::Value {
    let output = drift(dir, &["diff", "staging", "production", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn paths(report: &serde_json::Value, entity: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["entity"] == entity && f["status"] == "drift")
        .map(|f| format!("{} {}", f["path"].as_str().unwrap_or_default(), f["change"].as_str().unwrap_or_default()))
        .collect()
}

/// `kubectl get -o yaml|json` sorts keys: `kind` comes after a ConfigMap's `data`, however large.
#[test]
fn kind_after_large_data_is_still_kubernetes() {
    let dir = scratch("sorted-keys");
    let data: String = (0..400).map(|i| format!("  SETTING_{i:04}: \"{}\"\n", "x".repeat(40))).collect();
    for (side, debug, image) in [("staging", "false", "1.2.3"), ("production", "true", "latest")] {
        let yaml = format!(
            "apiVersion: v1\ndata:\n{data}  DEBUG: \"{debug}\"\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: shop\n"
        );
        write(&dir.join(side).join("cm.yaml"), yaml);
        let deployment = serde_json::json!({
            "apiVersion": "apps/v1",
            "metadata": {"name": "api", "namespace": "shop", "annotations": {"notes": "y".repeat(9000)}},
            "spec": {"template": {"spec": {"containers": [{"name": "api", "image": format!("registry.example.com/api:{image}"),
                "resources": {"limits": {"memory": "1Gi", "cpu": "1"}}}]}}},
            "kind": "Deployment"
        });
        write(&dir.join(side).join("deploy.json"), serde_json::to_string_pretty(&deployment).unwrap_or_default());
    }
    let report = json(&dir);
    assert!(paths(&report, "k8s:core/ConfigMap/shop/app").contains(&"data.DEBUG guard".to_owned()), "{report}");
    let deploy = paths(&report, "k8s:apps/Deployment/shop/api");
    assert!(deploy.iter().any(|p| p.contains("image guard")), "{deploy:?}");
    let check = drift(&dir, &["check", "staging", "production"]);
    assert_eq!(check.status.code(), Some(1), "the gate fails");
}

/// Flag exports whose telling keys come late: an Unleash export of many features, a flagd file with
/// a large `$evaluators` block first; given in a folder and directly.
#[test]
fn flag_exports_are_recognised_whole() {
    let dir = scratch("flags");
    for (side, enabled) in [("staging", false), ("production", true)] {
        let features: Vec<serde_json::Value> = (0..40)
            .map(|i| serde_json::json!({"name": format!("feature-{i}"), "enabled": i == 7 && enabled, "description": "x".repeat(200), "type": "release"}))
            .collect();
        let strategies: Vec<serde_json::Value> = (0..40)
            .map(|i| serde_json::json!({"featureName": format!("feature-{i}"), "name": "default", "parameters": {}}))
            .collect();
        let export = serde_json::json!({"version": 1, "features": features, "strategies": strategies, "featureStrategies": strategies});
        write(&dir.join(side).join("unleash.json"), serde_json::to_string_pretty(&export).unwrap_or_default());
        let evaluators: serde_json::Map<String, serde_json::Value> = (0..200)
            .map(|i| (format!("rule{i}"), serde_json::json!({"in": ["@example.com", {"var": "email"}]})))
            .collect();
        let flagd = serde_json::json!({"$evaluators": evaluators, "flags": {"checkout": {"state": "ENABLED", "defaultVariant": if enabled { "on" } else { "off" }, "variants": {"on": true, "off": false}}}});
        write(&dir.join(side).join("flagd.json"), serde_json::to_string_pretty(&flagd).unwrap_or_default());
    }
    let report = json(&dir);
    assert!(!paths(&report, "flag:feature-7").is_empty(), "{report}");
    assert!(!paths(&report, "flag:checkout").is_empty(), "{report}");
    let direct = drift(&dir, &["diff", "staging/unleash.json", "production/unleash.json"]);
    assert_eq!(direct.status.code(), Some(0), "{}", String::from_utf8_lossy(&direct.stderr));
    assert!(String::from_utf8_lossy(&direct.stdout).contains("flag:feature-7"));
}

/// A state behind a byte-order mark, and a plan compared by its planned values (with a note).
#[test]
fn states_with_a_bom_and_plans() {
    let dir = scratch("terraform");
    let state = |version: &str| {
        serde_json::json!({"version": 4, "terraform_version": "1.7.0", "serial": 3, "lineage": "l", "outputs": {},
            "resources": [{"mode": "managed", "type": "aws_db_instance", "name": "main", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                "instances": [{"schema_version": 2, "attributes": {"engine_version": version, "identifier": "orders"}, "sensitive_attributes": []}]}]})
    };
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(serde_json::to_vec_pretty(&state("15.4")).unwrap_or_default());
    write(&dir.join("staging/terraform.tfstate"), bom);
    let plan = serde_json::json!({"format_version": "1.2", "terraform_version": "1.7.0",
        "planned_values": {"root_module": {"resources": [{"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance", "name": "main",
            "values": {"engine_version": "16.1", "identifier": "orders"}, "sensitive_values": {}}]}},
        "resource_changes": [], "configuration": {}});
    write(&dir.join("production/plan.json"), serde_json::to_string_pretty(&plan).unwrap_or_default());
    let report = json(&dir);
    assert_eq!(paths(&report, "tf:aws_db_instance.main"), ["engine_version changed"], "{report}");
    let notes = report["right"]["notes"].as_array().cloned().unwrap_or_default();
    assert!(notes.iter().any(|n| n.as_str().is_some_and(|n| n.contains("Terraform plan"))), "{report}");
    let text = drift(&dir, &["diff", "staging", "production"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("is a Terraform plan"));
}

/// Files whose name says configuration are read or are an error, in a folder as when named directly.
#[test]
fn corrupt_or_empty_configuration_is_an_error() {
    for (name, bytes) in [
        ("k8s/deploy.yaml", &b"\x00\x9f\x92\x96garbage\xff"[..]),
        ("terraform.tfstate", &b""[..]),
        (
            "terraform.tfstate",
            &b"{\"version\": 4, \"terraform_version\": \"1.6.0\", \"resources\": [{\"mode\": \"man"[..],
        ),
        ("values.yaml", &b"a: [1, 2\n"[..]),
        ("config.json", &b"{\"a\": }"[..]),
        ("settings.toml", &b"[broken\n"[..]),
        (".env", &b"   \n"[..]),
    ] {
        let dir = scratch("corrupt");
        write(&dir.join("staging/.env"), "A=1\n");
        write(&dir.join("production").join(name), bytes);
        let output = drift(&dir, &["check", "staging", "production"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(name), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
        assert!(output.stdout.is_empty(), "{name}: no partial report");
        let direct = drift(&dir, &["diff", "staging/.env", &format!("production/{name}")]);
        assert_eq!(direct.status.code(), Some(2), "{name} named directly");
    }
}

/// `flags.toml` starting with a table header is TOML, whatever its first byte.
#[test]
fn toml_flags_with_a_table_header() {
    let dir = scratch("toml");
    write(&dir.join("staging/flags.toml"), "[flags]\nnew_checkout = false\n");
    write(&dir.join("production/flags.toml"), "[flags]\nnew_checkout = true\n");
    let report = json(&dir);
    assert!(paths(&report, "flag:new_checkout").contains(&"default changed".to_owned()), "{report}");
}

/// Real trees of Helm values, Spring profiles, .NET appsettings, tfvars, properties and INI files:
/// compared by key with lines, guarded like settings, with non-configuration files listed.
#[test]
fn configuration_files_are_compared_and_guarded() {
    let output = Command::new(env!("CARGO_BIN_EXE_drift"))
        .args(["diff", "fixtures/cases/config/staging", "fixtures/cases/config/production", "--format", "json"])
        .current_dir(root())
        .env("DRIFT_FINGERPRINT_KEY", "k")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let finding = |entity: &str, path: &str, change: &str| {
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["entity"] == entity && f["path"] == path && f["change"] == change)
            .cloned()
            .unwrap_or_else(|| panic!("{entity} {path} {change}: {report}"))
    };
    let sandbox = finding("cfg:values.yaml", "payment.sandbox", "guard");
    assert_eq!(sandbox["severity"], "critical");
    assert_eq!(sandbox["location"]["right"]["line"], 7);
    let replicas = finding("cfg:values.yaml", "replicaCount", "changed");
    assert_eq!(replicas["location"]["left"]["line"], 2);
    finding("cfg:application.yml", "spring.datasource.hikari.maximum-pool-size", "changed");
    finding("cfg:appsettings.json", "Payments.UseSandbox", "changed");
    finding("cfg:{env}.tfvars", "instance_class", "changed");
    finding("cfg:config.properties", "[\"feature.checkout.v2\"]", "changed");
    assert_eq!(finding("cfg:settings.ini", "debug.enabled", "guard")["severity"], "high");
    // A secret in a connection string stays masked; the rest compares.
    let orders = finding("cfg:appsettings.json", "ConnectionStrings.Orders", "changed");
    assert!(orders["right"]["redacted"].as_str().is_some_and(|r| r.contains("Password=****")), "{orders}");
    assert!(!report.to_string().contains("prod-pass-9"));
    // The README is listed as skipped, with the reason, in the report itself.
    let skipped = report["right"]["skipped"].as_array().cloned().unwrap_or_default();
    assert!(
        skipped
            .iter()
            .any(|s| s["file"].as_str().is_some_and(|f| f.ends_with("README.md")) && s["reason"] == "documentation")
    );
    for format in ["text", "markdown", "sarif", "github"] {
        let output = Command::new(env!("CARGO_BIN_EXE_drift"))
            .args(["diff", "fixtures/cases/config/staging", "fixtures/cases/config/production", "--format", format])
            .current_dir(root())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(String::from_utf8_lossy(&output.stdout).contains("README.md"), "{format} lists the skipped file");
    }
}

/// A YAML stream of Kubernetes objects and other documents (a kustomization, a profile): the
/// objects compare as objects, the rest as configuration; nothing is dropped.
#[test]
fn documents_beside_objects_are_compared_as_configuration() {
    let dir = scratch("mixed-documents");
    for (side, sandbox) in [("staging", "true"), ("production", "true")] {
        let env = if side == "staging" { "staging" } else { "production" };
        write(
            &dir.join(side).join("app.yaml"),
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app, namespace: shop}}\ndata: {{LOG: info}}\n---\n\
                 spring:\n  profiles: {env}\npayment:\n  sandbox: {sandbox}\n"
            ),
        );
    }
    let report = json(&dir);
    let guards: Vec<&serde_json::Value> =
        report["findings"].as_array().into_iter().flatten().filter(|f| f["change"] == "guard").collect();
    assert!(
        guards.iter().any(|f| f["path"] == "payment.sandbox" && f["severity"] == "critical"),
        "the non-object document is guarded: {report}"
    );
    assert!(report["left"]["skipped"].as_array().is_none_or(|s| s.is_empty()), "{report}");
}

/// Lists of `{name, value}` pairs (container env in Helm values, Spring lists) are guarded by the
/// pair's name: `PAYMENT_SANDBOX` in a list is the same guard as in a `.env` file.
#[test]
fn name_value_pairs_in_lists_are_guarded_by_name() {
    let dir = scratch("name-value-pairs");
    for side in ["staging", "production"] {
        write(
            &dir.join(side).join(format!("values-{side}.yaml")),
            "app:\n  env:\n    - name: LOG_LEVEL\n      value: info\n    - name: PAYMENT_SANDBOX\n      value: \"true\"\n",
        );
    }
    let report = json(&dir);
    let guard = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["change"] == "guard")
        .cloned()
        .unwrap_or_else(|| panic!("no guard: {report}"));
    assert_eq!(guard["severity"], "critical", "{guard}");
    assert!(guard["path"].as_str().is_some_and(|p| p.contains("PAYMENT_SANDBOX")), "{guard}");
}

/// A folder with nothing drift reads (an empty checkout, a wrong path) is an error, not "no drift".
#[test]
fn a_folder_with_nothing_to_read_is_an_error() {
    let dir = scratch("nothing-to-read");
    write(&dir.join("staging").join(".env"), "A=1\n");
    write(&dir.join("production").join("README.md"), "# notes\n");
    let output = drift(&dir, &["check", "staging", "production"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: production") && stderr.contains("nothing to compare"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// A snapshot keeps the files its environment skipped, so a later comparison still lists them.
#[test]
fn snapshots_keep_what_was_skipped() {
    let dir = scratch("snapshot-skipped");
    for side in ["staging", "production"] {
        write(&dir.join(side).join(".env"), "A=1\n");
        write(&dir.join(side).join("README.md"), "# notes\n");
    }
    let output = drift(&dir, &["snapshot", "production", "-o", "saved.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let output = drift(&dir, &["diff", "staging", "saved.json", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let skipped = report["right"]["skipped"].as_array().cloned().unwrap_or_default();
    assert!(skipped.iter().any(|s| s["file"].as_str().is_some_and(|f| f.ends_with("README.md"))), "{report}");
}

/// Variants a tester found: a plain list reordered is drift (not "expected"), HCL heredocs compare
/// by their text (indentation of `<<-` and CRLF line endings are not drift), and a LaunchDarkly
/// export of one environment needs no `@ENV`.
#[test]
fn reorders_heredocs_and_single_environment_exports() {
    let dir = scratch("variants");
    write(&dir.join("staging/values.yaml"), "hosts:\n  - a.example.com\n  - b.example.com\n");
    write(&dir.join("production/values.yaml"), "hosts:\n  - b.example.com\n  - a.example.com\n");
    write(&dir.join("staging/main.tfvars"), "policy = <<-EOT\n    {\n      \"a\": 1\n    }\n    EOT\n");
    write(&dir.join("production/main.tfvars"), "policy = <<-EOT\r\n  {\r\n    \"a\": 1\r\n  }\r\n  EOT\r\n");
    let report = json(&dir);
    let drift = paths(&report, "cfg:values.yaml");
    assert_eq!(drift.len(), 2, "a reorder is drift: {report}");
    assert!(paths(&report, "cfg:main.tfvars").is_empty(), "{report}");
    let ld = |on: bool| {
        format!(
            "{{\"items\": [{{\"key\": \"checkout\", \"variations\": [{{\"value\": true}}, {{\"value\": false}}], \
             \"environments\": {{\"production\": {{\"on\": {on}, \"fallthrough\": {{\"variation\": 0}}, \"offVariation\": 1}}}}}}]}}"
        )
    };
    let dir = scratch("ld-one-env");
    write(&dir.join("staging/flags.json"), ld(false));
    write(&dir.join("production/flags.json"), ld(true));
    let report = json(&dir);
    assert!(!paths(&report, "flag:checkout").is_empty(), "{report}");
}

/// Generic YAML on stdin is configuration (`helm get values … | drift diff - values.yaml`), and
/// warnings about the inputs (a key set twice) are in the report, not only on stderr.
#[test]
fn yaml_on_stdin_and_warnings_in_the_report() {
    use std::io::Write as _;
    let dir = scratch("stdin-yaml");
    write(&dir.join("production/values.yaml"), "payment:\n  sandbox: false\nreplicas: 3\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_drift"))
        .args(["diff", "-", "production/values.yaml", "--format", "json"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"payment:\n  sandbox: true\nreplicas: 2\n").unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let changed: Vec<&str> =
        report["findings"].as_array().into_iter().flatten().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(changed, ["payment.sandbox", "replicas"], "{report}");
    write(&dir.join("staging/app.json"), "{\"a\": 1, \"a\": 2}\n");
    write(&dir.join("production/app.json"), "{\"a\": 2}\n");
    let report = json(&dir);
    assert!(report["left"]["notes"].to_string().contains("is set twice"), "{report}");
}
