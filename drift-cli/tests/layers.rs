//! Effective configuration (issue 16, DESIGN §10): the reference incident — a dangerous default in
//! a base layer that production never overrides — in every layer convention, in one tree selected
//! with `PATH@ENV` and in two trees; with the override, no guard. Merge semantics themselves are
//! tested beside the code, from the runtimes' documentation examples (`drift-core/src/layers/`).

mod common;

use std::path::{Path, PathBuf};

use common::{drift, repo, write};

fn scratch(name: &str) -> PathBuf {
    common::scratch("layers", name)
}

/// Copies a fixture tree.
fn copy(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{e}"));
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

fn report(dir: &Path, left: &str, right: &str) -> serde_json::Value {
    let output = drift(dir, &["diff", left, right, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn findings_at<'a>(report: &'a serde_json::Value, entity: &str, path: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .map(|all| all.iter().filter(|f| f["entity"] == entity && f["path"] == path).collect())
        .unwrap_or_default()
}

/// Each convention's fixture (one tree holding every environment), the effective configuration's
/// entity, the sandbox switch's path, and a production layer that overrides it (file, text).
const CONVENTIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "helm/chart",
        "cfg:values.yaml",
        "payment.sandbox",
        "values-production.yaml",
        "replicaCount: 6\npayment:\n  sandbox: false\n",
    ),
    (
        "helm-folders/chart",
        "cfg:values.yaml",
        "payment.sandbox",
        "production/values.yaml",
        "payment:\n  sandbox: false\n",
    ),
    (
        "spring",
        "cfg:src/main/resources/application.yml",
        "payment.sandbox",
        "src/main/resources/application-prod.properties",
        "server.port=80\npayment.sandbox=false\n",
    ),
    (
        "dotnet",
        "cfg:api/appsettings.json",
        "Payment.Sandbox",
        "api/appsettings.Production.json",
        "{\"payment\": {\"sandbox\": false}}\n",
    ),
    (
        "node-config",
        "cfg:config/default.json",
        "payment.sandbox",
        "config/production.yaml",
        "payment:\n  sandbox: false\nport: 8080\n",
    ),
    ("dotenv", "env:.env", "PAYMENT_SANDBOX", ".env.production", "LOG_LEVEL=warn\nPAYMENT_SANDBOX=false\n"),
];

/// The reference incident in every convention: the base layer's `sandbox: true` that production
/// never overrides is a critical guard, saying where the value was set.
#[test]
fn a_default_production_never_overrides_is_guarded_in_every_convention() {
    let fixtures = repo().join("fixtures/layers");
    for &(tree, entity, path, _, _) in CONVENTIONS {
        let (left, right) = (format!("{tree}@staging"), format!("{tree}@production"));
        let report = report(&fixtures, &left, &right);
        let found = findings_at(&report, entity, path);
        let guard = found
            .iter()
            .find(|f| f["change"] == "guard")
            .unwrap_or_else(|| panic!("{tree}: no guard on {entity} {path}: {:#}", report["findings"]));
        assert_eq!(guard["severity"], "critical", "{tree}");
        let provenance = guard["provenance"]["right"].as_array().cloned().unwrap_or_default();
        assert_eq!(provenance.len(), 1, "{tree}: {guard:#}");
        assert_eq!(provenance[0]["layer"], "base", "{tree}");
        assert!(provenance[0]["line"].as_u64().is_some_and(|l| l > 0), "{tree}: {guard:#}");
        let message = guard["message"].as_str().unwrap_or_default();
        assert!(message.contains("(base), not overridden for production"), "{tree}: {message}");
        // The location is the line that set the value.
        assert_eq!(guard["location"]["right"]["file"], provenance[0]["file"], "{tree}");
        assert_eq!(guard["location"]["right"]["line"], provenance[0]["line"], "{tree}");
        // The text report says it too.
        let text = drift(&fixtures, &["diff", &left, &right]);
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("not overridden for production"), "{tree}: {text}");
        // `check` fails on it.
        assert_eq!(drift(&fixtures, &["check", &left, &right]).status.code(), Some(1), "{tree}");
    }
}

/// With production's override the guard is gone; the difference is drift, set by production's
/// layer.
#[test]
fn an_override_in_production_clears_the_guard() {
    for &(tree, entity, path, file, text) in CONVENTIONS {
        let dir = scratch(&tree.replace('/', "-"));
        std::fs::create_dir_all(dir.join("tree")).unwrap_or_else(|e| panic!("{e}"));
        copy(&repo().join("fixtures/layers").join(tree), &dir.join("tree"));
        write(&dir.join("tree").join(file), text);
        let report = report(&dir, "tree@staging", "tree@production");
        let found = findings_at(&report, entity, path);
        assert!(!found.iter().any(|f| f["change"] == "guard"), "{tree}: {found:#?}");
        let changed = found
            .iter()
            .find(|f| f["change"] == "changed")
            .unwrap_or_else(|| panic!("{tree}: no change at {path}: {:#}", report["findings"]));
        let right = changed["provenance"]["right"].as_array().cloned().unwrap_or_default();
        assert_ne!(right.last().map(|o| &o["layer"]), Some(&serde_json::json!("base")), "{tree}: {changed:#}");
        assert!(
            right.last().and_then(|o| o["file"].as_str()).is_some_and(|f| f.ends_with(file)),
            "{tree}: {changed:#}"
        );
        // The text and Markdown reports say which layer set production's value.
        for format in ["text", "markdown"] {
            let output = drift(&dir, &["diff", "tree@staging", "tree@production", "--format", format]);
            let shown = String::from_utf8_lossy(&output.stdout);
            assert!(shown.contains("production: set by") && shown.contains(file), "{tree} {format}: {shown}");
        }
    }
}

/// Two trees, each one environment's copy of the chart, merge the same way; a different key,
/// deeper nesting and another order of files do not matter.
#[test]
fn two_trees_merge_the_same_way() {
    let dir = scratch("two-trees");
    for (env, overlay) in [
        ("staging", "gateway:\n  payments:\n    url: https://pay.staging.example.com\n"),
        ("production", "replicas: 3\ngateway:\n  payments:\n    url: https://pay.example.com\n"),
    ] {
        write(
            &dir.join(env).join("deploy/values.yaml"),
            "gateway:\n  payments:\n    testMode: true\n    url: https://pay.example.com\n",
        );
        write(&dir.join(env).join(format!("deploy/values.{env}.yaml")), overlay);
    }
    let report = report(&dir, "staging", "production");
    let found = findings_at(&report, "cfg:deploy/values.yaml", "gateway.payments.testMode");
    let guard = found.iter().find(|f| f["change"] == "guard").unwrap_or_else(|| panic!("{:#}", report["findings"]));
    assert_eq!(guard["provenance"]["right"][0]["file"], "production/deploy/values.yaml");
    // One entity per side: the overlays are not compared on their own.
    let entities: std::collections::BTreeSet<&str> =
        report["findings"].as_array().into_iter().flatten().filter_map(|f| f["entity"].as_str()).collect();
    assert_eq!(entities.into_iter().collect::<Vec<_>>(), ["cfg:deploy/values.yaml"]);
}

/// drift.toml declares a layer set of its own; `{env}` takes the environment's tokens (`prod`).
#[test]
fn declared_layers() {
    let dir = scratch("declared");
    write(&dir.join("app/conf/base.yaml"), "checkout:\n  sandbox: true\n  currency: EUR\n");
    write(&dir.join("app/conf/staging.yaml"), "checkout:\n  currency: USD\n");
    write(&dir.join("app/conf/prod.yaml"), "checkout:\n  currency: GBP\n");
    write(&dir.join("drift.toml"), "[[layers]]\nfiles = [\"conf/base.yaml\", \"conf/{env}.yaml\"]\nmerge = \"deep\"\n");
    let report = report(&dir, "app@staging", "app@production");
    let found = findings_at(&report, "cfg:conf/base.yaml", "checkout.sandbox");
    let guard = found.iter().find(|f| f["change"] == "guard").unwrap_or_else(|| panic!("{:#}", report["findings"]));
    assert_eq!(guard["provenance"]["right"][0]["layer"], "base");
    assert_eq!(findings_at(&report, "cfg:conf/base.yaml", "checkout.currency").len(), 1);
    // A merge drift does not know is a config error naming its line.
    write(&dir.join("drift.toml"), "[[layers]]\nfiles = [\"a.yaml\", \"b.yaml\"]\nmerge = \"kustomize\"\n");
    let output = drift(&dir, &["diff", "app@staging", "app@production"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("drift.toml:1") && stderr.contains("merge"), "{stderr}");
}

/// A selection names the other environments' layers it did not read; an environment a tree does
/// not hold reads the base alone.
#[test]
fn a_selection_says_what_it_left_out() {
    let fixtures = repo().join("fixtures/layers");
    let report = report(&fixtures, "helm/chart@staging", "helm/chart@qa");
    let notes = report["right"]["notes"].to_string();
    assert!(notes.contains("values-staging.yaml") && notes.contains("values-production.yaml"), "{notes}");
    assert_eq!(report["right"]["name"], "qa");
}

/// Variants a hostile tester found, each as the runtime reads it (LAYERS.md): whether production
/// runs with the sandbox switch on, and so whether the guard fires.
#[test]
fn runtime_variants() {
    struct Case {
        name: &'static str,
        files: &'static [(&'static str, &'static str)],
        entity: &'static str,
        path: &'static str,
        guard: bool,
    }
    let cases = [
        // Spring: `#---` splits a properties file into documents (§2.3); the first applies always.
        Case {
            name: "spring-properties-documents",
            files: &[
                (
                    "app/application.properties",
                    "payment.sandbox=true\n#---\nspring.config.activate.on-profile=staging\nlogging.level.root=DEBUG\n",
                ),
                ("app/application-prod.properties", "server.port=80\n"),
                ("app/application-staging.properties", "server.port=8080\n"),
            ],
            entity: "cfg:app/application.properties",
            path: "payment.sandbox",
            guard: true,
        },
        // Spring: with profile `prod` active, a document for `production` does not apply (§2.2).
        Case {
            name: "spring-exact-profile",
            files: &[
                (
                    "app/application.yml",
                    "payment:\n  sandbox: true\n---\nspring.config.activate.on-profile: production\npayment:\n  sandbox: false\n",
                ),
                ("app/application-prod.yml", "x: 1\n"),
                ("app/application-staging.yml", "x: 2\n"),
            ],
            entity: "cfg:app/application.yml",
            path: "payment.sandbox",
            guard: true,
        },
        // Spring: profile documents in application.yml alone, no profile file.
        Case {
            name: "spring-documents-only",
            files: &[(
                "app/application.yml",
                "payment:\n  sandbox: true\n---\nspring.config.activate.on-profile: prod\npayment:\n  sandbox: false\n",
            )],
            entity: "cfg:app/application.yml",
            path: "payment.sandbox",
            guard: false,
        },
        // Spring: `classpath:/config/` is the same location group as `classpath:/` (§2.1).
        Case {
            name: "spring-config-folder",
            files: &[
                ("res/application.yml", "payment:\n  sandbox: true\n"),
                ("res/config/application-prod.yml", "payment:\n  sandbox: false\n"),
                ("res/config/application-staging.yml", "x: 1\n"),
            ],
            entity: "cfg:res/application.yml",
            path: "payment.sandbox",
            guard: false,
        },
        // .NET: the base's items beyond the override's survive (§3.3).
        Case {
            name: "dotnet-object-array-tail",
            files: &[
                (
                    "api/appsettings.json",
                    "{\"Gateways\": [{\"Name\": \"stripe\", \"TestMode\": true}, {\"Name\": \"adyen\", \"TestMode\": true}]}",
                ),
                (
                    "api/appsettings.Production.json",
                    "// production\n{\"Gateways\": [{\"Name\": \"stripe\", \"TestMode\": false},]}",
                ),
                ("api/appsettings.Staging.json", "{}"),
            ],
            entity: "cfg:api/appsettings.json",
            path: "Gateways[Name=adyen].TestMode",
            guard: true,
        },
        // node-config: a `.properties` file's dotted keys nest (§4.3).
        Case {
            name: "node-config-properties",
            files: &[
                ("web/config/default.yml", "payment:\n  sandbox: true\n"),
                ("web/config/production.properties", "payment.sandbox=false\n"),
                ("web/config/staging.yml", "x: 1\n"),
            ],
            entity: "cfg:web/config/default.yml",
            path: "payment.sandbox",
            guard: false,
        },
        // Helm: an empty overlay overrides nothing.
        Case {
            name: "helm-empty-overlay",
            files: &[
                ("chart/values.yaml", "payment:\n  sandbox: true\n"),
                ("chart/values-production.yaml", ""),
                ("chart/values-staging.yaml", "x: 1\n"),
            ],
            entity: "cfg:chart/values.yaml",
            path: "payment.sandbox",
            guard: true,
        },
        // Helm: a user null deletes the chart's default (§1.2).
        Case {
            name: "helm-null-deletes",
            files: &[
                ("chart/values.yaml", "payment:\n  sandbox: true\n"),
                ("chart/values-production.yaml", "payment:\n  sandbox: ~\n"),
                ("chart/values-staging.yaml", "x: 1\n"),
            ],
            entity: "cfg:chart/values.yaml",
            path: "payment.sandbox",
            guard: false,
        },
        // A layer for a developer's machine or CI is never production's.
        Case {
            name: "helm-local-layer",
            files: &[
                ("chart/values.yaml", "payment:\n  sandbox: false\n"),
                ("chart/values-local.yaml", "payment:\n  sandbox: true\n"),
                ("chart/values-production.yaml", "x: 1\n"),
                ("chart/values-staging.yaml", "x: 2\n"),
            ],
            entity: "cfg:chart/values-local.yaml",
            path: "payment.sandbox",
            guard: false,
        },
    ];
    for case in cases {
        let dir = scratch(case.name);
        for (path, text) in case.files {
            write(&dir.join("tree").join(path), text);
        }
        let report = report(&dir, "tree@staging", "tree@prod");
        let guarded = findings_at(&report, case.entity, case.path).iter().any(|f| f["change"] == "guard");
        assert_eq!(guarded, case.guard, "{}: {:#}", case.name, report["findings"]);
    }
    // A Helm values file that is not a map is refused, as Helm refuses it.
    let dir = scratch("helm-list-overlay");
    write(&dir.join("tree/chart/values.yaml"), "a: 1\n");
    write(&dir.join("tree/chart/values-production.yaml"), "- a\n- b\n");
    let output = drift(&dir, &["diff", "tree@staging", "tree@production"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: tree/chart/values-production.yaml:1: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
}
