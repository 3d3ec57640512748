//! Feature flags: flagd (with `$evaluators`, fractional rollouts, renamed and reordered variants),
//! plain maps (JSON, YAML, TOML), Unleash and LaunchDarkly exports with several environments, and
//! the real samples in `fixtures/realworld`.

use std::path::{Path, PathBuf};

use drift_core::{Category, FindingKind, Fingerprinter, Format, LoadOptions, Policy, Report, Snapshot, Status};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn realworld() -> PathBuf {
    root().join("fixtures/realworld")
}

fn options() -> LoadOptions {
    LoadOptions::new(Fingerprinter::with_key(b"flag-tests"))
}

fn flags(name: &str, text: &str) -> Snapshot {
    drift_core::parse(Format::Flags, name, text.as_bytes(), &options()).unwrap_or_else(|e| panic!("{e}"))
}

fn report(left: &Snapshot, right: &Snapshot) -> Report {
    drift_core::report(&drift_core::diff(left, right), &Policy::default())
}

/// `entity path change` of every drift finding.
fn drift(report: &Report) -> Vec<String> {
    report
        .findings()
        .iter()
        .filter(|f| f.status == Status::Drift)
        .map(|f| format!("{} {} {}", f.entity, f.path, f.change))
        .collect()
}

#[test]
fn the_fixtures_flag_changes_appear_once() {
    let options = options();
    let load = |side: &str| {
        drift_core::load(&root().join("fixtures").join(side).join("flags.json"), &options).unwrap_or_default()
    };
    let (mut staging, mut production) = (load("staging"), load("production"));
    staging.set_name("staging");
    production.set_name("production");
    let report = report(&staging, &production);
    let got = drift(&report);
    assert_eq!(
        got,
        [
            "flag:legacy-cart  removed",
            "flag:new-checkout default changed",
            "flag:payment-sandbox default guard",
            "flag:recommendations-v2 targeting.fractional.rollout changed",
            "flag:search-ranking targeting.if[0].in[1][=cy@example.com] added",
        ]
    );
    // A renamed and reordered variant (header-color) and `$evaluators` indirection (search-ranking
    // in staging) are no drift; a flipped default is high; the rollout shows both numbers.
    let find = |path: &str| report.findings().iter().find(|f| f.path.to_string() == path);
    assert_eq!(
        find("default").map(|f| (f.severity, f.category)),
        Some((drift_core::Severity::High, Category::FeatureFlag))
    );
    let rollout = find("targeting.fractional.rollout").map(|f| f.message.clone()).unwrap_or_default();
    assert!(rollout.contains("v2: 50%") && rollout.contains("v2: 5%"), "{rollout}");
}

#[test]
fn flagd_semantics() {
    let flag = |variants: &str, default: &str, targeting: &str| {
        format!(
            r#"{{"flags": {{"f": {{"state": "ENABLED", "variants": {variants}, "defaultVariant": "{default}", "targeting": {targeting}}}}},
                "$evaluators": {{"beta": {{"in": [{{"var": "email"}}, ["a@x", "b@x"]]}}}}}}"#
        )
    };
    let a = flags(
        "a/flags.json",
        &flag(r#"{"on": true, "off": false}"#, "off", r#"{"if": [{"$ref": "beta"}, "on", "off"]}"#),
    );
    // Variants renamed and reordered, the evaluator inlined with its list reordered, `var` as a list.
    let b = flags(
        "b/flags.json",
        &flag(
            r#"{"no": false, "yes": true}"#,
            "no",
            r#"{"if": [{"in": [{"var": ["email"]}, ["b@x", "a@x"]]}, "yes", "no"]}"#,
        ),
    );
    assert!(drift(&report(&a, &b)).is_empty(), "{:?}", drift(&report(&a, &b)));
    // A disabled flag is off, whatever it would serve.
    let disabled =
        flags("c/flags.json", &flag(r#"{"on": true, "off": false}"#, "off", "null").replace("ENABLED", "DISABLED"));
    assert!(drift(&report(&a, &disabled)).contains(&"flag:f enabled changed".to_owned()));
}

#[test]
fn plain_flag_maps_in_json_yaml_and_toml() {
    let json = flags("a/flags.json", r#"{"dark-mode": true, "max-items": 50, "beta": {"enabled": false}}"#);
    let yaml = flags("b/features.yaml", "beta:\n  enabled: false\nmax-items: 50\ndark-mode: true\n");
    let toml = flags("c/flags.toml", "dark-mode = true\nmax-items = 60\n[beta]\nenabled = false\n");
    assert!(drift(&report(&json, &yaml)).is_empty());
    assert_eq!(drift(&report(&json, &toml)), ["flag:max-items default changed"]);
}

#[test]
fn unleash_export_with_several_environments() {
    let export = realworld().join("unleash/variantsexport_v3.json");
    let options = options();
    let env = |name: &str| drift_core::load(Path::new(&format!("{}@{name}", export.display())), &options);
    let (development, production) = (env("development").unwrap_or_default(), env("production").unwrap_or_default());
    assert_eq!((development.name(), production.name()), ("development", "production"));
    let report = report(&development, &production);
    let got = drift(&report);
    // UX-toggle1: `default` + `userWithId` in development, `flexibleRollout` 50% in production.
    assert!(got.contains(&"flag:UX-toggle1 rollout added".to_owned()), "{got:?}");
    assert!(got.iter().any(|g| g.starts_with("flag:UX-toggle1 strategies[")), "{got:?}");
    let missing = env("staging").map(|_| ()).unwrap_err().to_string();
    assert!(
        missing.ends_with("no environment `staging` in this export (it has: development, production)"),
        "{missing}"
    );
    let unchosen = drift_core::load(&export, &options).map(|_| ()).unwrap_err().to_string();
    assert!(unchosen.contains("choose one with FILE@ENVIRONMENT"), "{unchosen}");
}

/// Older Unleash state exports (version 1 and 2) keep `enabled` and `strategies` on the feature.
#[test]
fn unleash_export_with_state_on_the_feature() {
    let export = |enabled: bool, rollout: &str| {
        format!(
            r#"{{"version": 1, "features": [
                {{"name": "checkout", "enabled": {enabled}, "strategies": [{{"name": "flexibleRollout", "parameters": {{"rollout": "{rollout}"}}}}]}},
                {{"name": "search", "enabled": true, "strategies": [{{"name": "default", "parameters": {{}}}}]}}],
              "strategies": [{{"name": "default", "parameters": []}}]}}"#
        )
    };
    let staging = flags("staging/unleash.json", &export(false, "10"));
    let production = flags("production/unleash.json", &export(true, "10"));
    assert_eq!(drift(&report(&staging, &production)), ["flag:checkout enabled changed"]);
    let wider = flags("production/unleash.json", &export(false, "50"));
    assert_eq!(drift(&report(&staging, &wider)), ["flag:checkout rollout changed"]);
}

#[test]
fn launchdarkly_exports() {
    let rest = r#"{"items": [{"key": "checkout", "variations": [{"value": true}, {"value": false}],
        "environments": {
          "staging": {"on": true, "offVariation": 1, "fallthrough": {"rollout": {"variations": [{"variation": 0, "weight": 50000}, {"variation": 1, "weight": 50000}]}},
                      "rules": [{"_id": "r1", "clauses": [{"_id": "c1", "attribute": "country", "op": "in", "values": ["NL", "DE"]}], "variation": 0}], "targets": [], "prerequisites": []},
          "production": {"on": true, "offVariation": 1, "fallthrough": {"rollout": {"variations": [{"variation": 1, "weight": 95000}, {"variation": 0, "weight": 5000}]}},
                      "rules": [{"_id": "r9", "clauses": [{"_id": "c9", "attribute": "country", "op": "in", "values": ["DE", "NL"]}], "variation": 0}], "targets": [], "prerequisites": []}}}]}"#;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ld");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("export.json");
    std::fs::write(&file, rest).unwrap_or_default();
    let options = options();
    let env =
        |name: &str| drift_core::load(Path::new(&format!("{}@{name}", file.display())), &options).unwrap_or_default();
    let report = report(&env("staging"), &env("production"));
    // Rule and clause ids differ and values are reordered: only the fallthrough's rollout, what
    // the flag serves by default, differs.
    let got = drift(&report);
    assert_eq!(got, ["flag:checkout default changed"]);
    let rollout = report.findings().iter().find(|f| f.path.to_string() == "default").map(|f| f.message.clone());
    let rollout = rollout.unwrap_or_default();
    assert!(rollout.contains("false: 50%, true: 50%") && rollout.contains("false: 95%, true: 5%"), "{rollout}");
    // The SDK data file of the real sample.
    let sdk = drift_core::load(&realworld().join("launchdarkly/all-properties.json"), &options).unwrap_or_default();
    let ids: Vec<String> = sdk.entities().map(|e| e.id().to_string()).collect();
    assert_eq!(ids, ["flag:flag1", "flag:flag2"]);
    let flag1 = sdk.entities().next().map(|e| e.body().clone()).unwrap_or(drift_core::Node::Null);
    assert_eq!(flag1.as_map().and_then(|m| m.get("default")), Some(&drift_core::Node::string("on")));
}

#[test]
fn the_flagd_sample_parses() {
    let options = options();
    let sample = drift_core::load(&realworld().join("flagd/example_flags.flagd.json"), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(sample.entities().len() >= 8);
    assert!(report(&sample, &sample).findings().is_empty());
    let schema_dir = realworld().join("flagd/schema-tests/flags/positive");
    for entry in std::fs::read_dir(&schema_dir).into_iter().flatten().flatten() {
        let path = entry.path();
        drift_core::load(&path, &options).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn flagd_yaml_reads_like_json() {
    let json = flags(
        "a/flags.json",
        r#"{"flags": {"x": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"}}}"#,
    );
    let yaml = flags(
        "b/flags.yaml",
        "flags:\n  x:\n    state: ENABLED\n    variants:\n      off: false\n      on: true\n    defaultVariant: on\n",
    );
    assert!(drift(&report(&json, &yaml)).is_empty(), "{:?}", drift(&report(&json, &yaml)));
}

#[test]
fn added_and_removed_flags() {
    let a = flags(
        "a/flags.json",
        r#"{"flags": {"x": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}}"#,
    );
    let b = flags(
        "b/flags.json",
        r#"{"flags": {"y": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}}"#,
    );
    let report = report(&a, &b);
    let kinds: Vec<FindingKind> = report.findings().iter().map(|f| f.change).collect();
    assert_eq!(kinds, [FindingKind::Removed, FindingKind::Added]);
}

/// One flag model for guards and distributions (issue 15): an Unleash toggle or a LaunchDarkly
/// flag named like a sandbox switch and on in production is the critical guard flagd's is;
/// Unleash `IN` values are a set; a LaunchDarkly fallthrough that became a rollout is one change.
#[test]
fn every_flag_service_gets_the_production_guards() {
    let named = |name: &str, file: &str, text: &str| {
        let mut s = flags(file, text);
        s.set_name(name);
        s
    };
    let unleash = |values: &str| {
        format!(
            "{{\"version\": 1, \"features\": [{{\"name\": \"payments-sandbox\", \"enabled\": true, \"strategies\": [{{\"name\": \"default\"}}]}},\
             {{\"name\": \"new-checkout\", \"enabled\": true, \"strategies\": [{{\"name\": \"default\", \"constraints\": [{{\"contextName\": \"country\", \"operator\": \"IN\", \"values\": {values}}}]}}]}}]}}"
        )
    };
    let (l, r) = (
        named("staging", "staging/unleash.json", &unleash("[\"DE\", \"FR\"]")),
        named("production", "production/unleash.json", &unleash("[\"FR\", \"DE\"]")),
    );
    let got = report(&l, &r);
    assert_eq!(drift(&got), ["flag:payments-sandbox enabled guard"], "{:#?}", got.findings());
    assert_eq!(got.findings()[0].severity, drift_core::Severity::Critical);
    let ld = |fallthrough: &str, on: bool| {
        format!(
            "{{\"items\": [{{\"key\": \"payments-sandbox\", \"variations\": [{{\"value\": true}}, {{\"value\": false}}], \
             \"environments\": {{\"production\": {{\"on\": {on}, \"fallthrough\": {fallthrough}, \"offVariation\": 1}}}}}}]}}"
        )
    };
    let fixed = "{\"variation\": 0}";
    let rollout = "{\"rollout\": {\"variations\": [{\"variation\": 0, \"weight\": 50000}, {\"variation\": 1, \"weight\": 50000}]}}";
    let (l, r) = (
        named("staging", "staging/flags.json", &ld(fixed, true)),
        named("production", "production/flags.json", &ld(rollout, false)),
    );
    let got = report(&l, &r);
    let changes: Vec<String> =
        got.findings().iter().filter(|f| f.path.to_string() == "default").map(|f| f.message.clone()).collect();
    assert_eq!(changes.len(), 1, "{:#?}", got.findings());
    assert!(changes[0].contains('%') && !changes[0].contains("null"), "{changes:?}");
    let (l, r) = (
        named("staging", "staging/flags.json", &ld(fixed, true)),
        named("production", "production/flags.json", &ld(fixed, true)),
    );
    let guards: Vec<String> = drift(&report(&l, &r));
    assert_eq!(guards, ["flag:payments-sandbox default guard"]);
}

/// Unleash variants are compared by what they serve: a changed payload is a finding (issue 15).
#[test]
fn unleash_variant_payloads() {
    let export = |color: &str| {
        format!(
            "{{\"version\": 1, \"features\": [{{\"name\": \"theme\", \"enabled\": true, \"strategies\": [{{\"name\": \"default\"}}], \
             \"variants\": [{{\"name\": \"blue\", \"weight\": 1000, \"payload\": {{\"type\": \"json\", \"value\": \"{{\\\"color\\\": \\\"{color}\\\"}}\"}}}}]}}]}}"
        )
    };
    let (l, r) = (flags("staging/unleash.json", &export("blue")), flags("production/unleash.json", &export("red")));
    assert_eq!(drift(&report(&l, &r)), ["flag:theme payloads.blue.color changed"]);
}
