//! drift.toml: every rule kind, value conditions, waivers, precedence, substitutions, secrets, and
//! the error messages of bad files (insta snapshots).

use drift_core::{Category, Config, Fingerprinter, Format, LoadOptions, Policy, Report, Severity, Snapshot, Status};

fn env(name: &str, text: &str, options: &LoadOptions) -> Snapshot {
    let mut s = drift_core::parse(Format::Env, "x/.env", text.as_bytes(), options).unwrap_or_else(|e| panic!("{e}"));
    s.set_name(name);
    s
}

/// 2026-06-01, so that waivers compare with a fixed day.
const NOW: i64 = 1_780_272_000;

fn report(config: &str, left: &str, right: &str) -> Report {
    let config = Config::parse("drift.toml", config).unwrap_or_else(|e| panic!("{e}"));
    let mut options = LoadOptions::new(Fingerprinter::with_key(b"p"));
    options.secrets = config.secret_rules();
    let (l, r) = (env("staging", left, &options), env("production", right, &options));
    let policy = Policy { now: Some(NOW), ..Policy::with_config(config) };
    drift_core::report(&drift_core::diff(&l, &r), &policy)
}

/// `path status rule` per finding.
fn statuses(report: &Report) -> Vec<(String, Status, Option<String>)> {
    report.findings().iter().map(|f| (f.path.to_string(), f.status, f.rule.as_deref().map(str::to_owned))).collect()
}

#[test]
fn ignore_and_expect_with_reasons() {
    let r = report(
        "[[ignore]]\npath = \"BUILD_*\"\nreason = \"CI stamps it\"\n\n[[expect]]\npath = \"POOL\"\nreason = \"bigger in production\"\nowner = \"team-db\"\n",
        "BUILD_ID=1\nPOOL=10\nLOG=info\n",
        "BUILD_ID=2\nPOOL=50\nLOG=debug\n",
    );
    assert_eq!(
        statuses(&r),
        [
            ("BUILD_ID".into(), Status::Ignored, Some("drift.toml:1 (ignore)".into())),
            ("LOG".into(), Status::Drift, None),
            ("POOL".into(), Status::Expected, Some("drift.toml:5 (expect)".into())),
        ]
    );
    assert_eq!(r.findings()[2].reason.as_deref(), Some("bigger in production (owner team-db)"));
}

#[test]
fn value_conditions_expect_only_the_intended_difference() {
    let config = "[[expect]]\npath = \"POOL\"\nleft = \"10\"\nright_match = \"^(50|100)$\"\n";
    assert_eq!(report(config, "POOL=10\n", "POOL=50\n").findings()[0].status, Status::Expected);
    assert_eq!(report(config, "POOL=10\n", "POOL=5\n").findings()[0].status, Status::Drift);
    assert_eq!(report(config, "POOL=20\n", "POOL=50\n").findings()[0].status, Status::Drift);
}

#[test]
fn expired_waivers_are_drift_again_and_say_so() {
    let live = report("[[expect]]\npath = \"POOL\"\nuntil = \"2026-12-31\"\n", "POOL=10\n", "POOL=50\n");
    assert_eq!(live.findings()[0].status, Status::Expected);
    let expired =
        report("[[expect]]\npath = \"POOL\"\nowner = \"ana\"\nuntil = \"2026-01-31\"\n", "POOL=10\n", "POOL=50\n");
    let finding = &expired.findings()[0];
    assert_eq!(finding.status, Status::Drift);
    assert!(
        finding.message.contains("waiver drift.toml:1 (expect) (owner ana) expired on 2026-01-31"),
        "{}",
        finding.message
    );
}

#[test]
fn precedence_ignore_over_expect_and_most_specific_first() {
    let config = "[[expect]]\npath = \"POOL\"\nreason = \"exact\"\n\n[[ignore]]\npath = \"*\"\nreason = \"everything\"\n\n[[severity]]\npath = \"*\"\nlevel = \"low\"\n\n[[severity]]\npath = \"POOL\"\nlevel = \"critical\"\n";
    let r = report(config, "POOL=10\nX=1\n", "POOL=50\nX=2\n");
    // ignore beats expect, whatever their specificity.
    assert!(r.findings().iter().all(|f| f.status == Status::Ignored));
    // Among severity rules the more specific one wins.
    let severity: Vec<Severity> = r.findings().iter().map(|f| f.severity).collect();
    assert_eq!(severity, [Severity::Critical, Severity::Low]);
}

#[test]
fn category_overrides_and_selectors() {
    let config =
        "[[category]]\npath = \"*_QUEUE\"\nset = \"network\"\n\n[[ignore]]\ndomain = \"env\"\nchange = \"added\"\n";
    let r = report(config, "JOBS_QUEUE=a\n", "JOBS_QUEUE=b\nNEW=1\n");
    assert_eq!(r.findings()[0].category, Category::Network);
    assert_eq!(r.findings()[1].status, Status::Ignored);
}

#[test]
fn substitutions_extend_or_replace_the_defaults() {
    let pairs = "[substitute]\n\"eu1\" = \"eu2\"\n";
    assert_eq!(report(pairs, "DB=db.eu1.internal\n", "DB=db.eu2.internal\n").findings()[0].status, Status::Expected);
    assert_eq!(
        report(pairs, "DB=db.staging.internal\n", "DB=db.production.internal\n").findings()[0].status,
        Status::Expected
    );
    let regex = "[substitute]\n\"re:db-(\\\\d+)\" = \"database-$1\"\n";
    assert_eq!(
        report(regex, "DB=db-12.internal\n", "DB=database-12.internal\n").findings()[0].status,
        Status::Expected
    );
    assert_eq!(report(regex, "DB=db-12.internal\n", "DB=database-13.internal\n").findings()[0].status, Status::Drift);
    let off = "default_substitutions = false\n";
    assert_eq!(
        report(off, "DB=db.staging.internal\n", "DB=db.production.internal\n").findings()[0].status,
        Status::Drift
    );
}

#[test]
fn secret_patterns_from_the_config() {
    let r = report(
        "[secrets]\nextra = [\"license\"]\nnot_secret = [\"jwt_secret\"]\n",
        "LICENSE=abc\nJWT_SECRET=s\n",
        "LICENSE=xyz\nJWT_SECRET=t\n",
    );
    let json = serde_json::to_string(&r).unwrap_or_default();
    assert!(!json.contains("abc") && !json.contains("xyz"), "license values are secret");
    assert!(json.contains("\"left\":\"s\""), "jwt_secret is declared not secret");
}

#[test]
fn bad_files_name_the_line() {
    let cases = [
        ("unknown key", "[[ignore]]\npath = \"x\"\npaht = \"y\"\n"),
        ("unknown table", "[[ignroe]]\npath = \"x\"\n"),
        ("wrong type", "[[ignore]]\npath = 3\n"),
        ("bad severity", "[[severity]]\npath = \"x\"\nlevel = \"urgent\"\n"),
        ("bad regex", "[[expect]]\npath = \"x\"\nright_match = \"(\"\n"),
        ("bad date", "[[ignore]]\npath = \"x\"\nuntil = \"2026-13-01\"\n"),
        ("bad toml", "[[ignore]\npath = \"x\"\n"),
    ];
    let messages: Vec<String> = cases
        .iter()
        .map(|(name, text)| format!("{name}: {}", Config::parse("drift.toml", text).map(|_| ()).unwrap_err()))
        .collect();
    insta::assert_snapshot!("config_errors", messages.join("\n"));
}

#[test]
fn guards_from_the_config() {
    let config = r#"
[[guard]]
path = "*SANDBOX*"
must_not_match = "(?i)^(true|1|yes|on)$"
message = "sandbox switches must be off in production"
severity = "critical"

[[guard]]
path = "REPLICAS"
compare = ">="

[[guard]]
path = "WORKERS"
min = 2
max = 16

[[guard]]
path = "REGION"
one_of = ["eu-west-1", "eu-central-1"]

[[guard]]
environment = "both"
path = "SENTRY_DSN"
must_exist = true
"#;
    let r = report(
        config,
        "MY_SANDBOX=false\nREPLICAS=3\nWORKERS=4\nREGION=eu-west-1\nSENTRY_DSN=x\n",
        "MY_SANDBOX=false\nREPLICAS=2\nWORKERS=32\nREGION=us-east-1\n",
    );
    let guards: Vec<(String, String)> = r
        .findings()
        .iter()
        .filter(|f| f.rule.as_deref().is_some_and(|r| r.ends_with("(guard)")))
        .map(|f| (f.path.to_string(), f.message.clone()))
        .collect();
    let paths: Vec<&str> = guards.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(paths, ["REGION", "REPLICAS", "SENTRY_DSN", "WORKERS"], "{guards:#?}");
    assert!(guards[0].1.contains("must be one of eu-west-1, eu-central-1"));
    assert!(guards[1].1.contains("must be >= the other environment's value"));
    assert!(guards[2].1.contains("SENTRY_DSN in production must exist"), "{guards:#?}");
    assert!(guards[3].1.contains("must be at most 16"));
    // The sandbox guard holds when the switch is on, equal on both sides or not.
    let on = report(config, "MY_SANDBOX=true\n", "MY_SANDBOX=TRUE\n");
    let sandbox = on
        .findings()
        .iter()
        .find(|f| f.rule.as_deref().is_some_and(|r| r.ends_with("(guard)")))
        .map(|f| (f.severity, f.message.clone()));
    assert_eq!(sandbox.map(|s| s.0), Some(Severity::Critical));
}

/// `must_exist` / `must_not_exist` on entities and fields; value conditions on an absent field
/// fail unless `optional` (issue 14).
#[test]
fn guards_on_absent_values_and_whole_entities() {
    let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
    let manifests = |kinds: &[&str]| -> Snapshot {
        let text: String = kinds
            .iter()
            .map(|k| {
                format!(
                    "apiVersion: v1\nkind: {k}\nmetadata: {{name: web, namespace: shop}}\ndata: {{LOG: info}}\n---\n"
                )
            })
            .collect();
        let mut s = drift_core::parse(Format::Kubernetes, "x.yaml", text.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("{e}"));
        s.set_name("production");
        s
    };
    let run = |config: &str, right: &Snapshot| -> Vec<String> {
        let config = Config::parse("drift.toml", config).unwrap_or_else(|e| panic!("{e}"));
        let left = manifests(&["ConfigMap"]);
        let policy = Policy { now: Some(NOW), ..Policy::with_config(config) };
        drift_core::report(&drift_core::diff(&left, right), &policy)
            .findings()
            .iter()
            .filter(|f| f.rule.as_deref().is_some_and(|r| r.ends_with("(guard)")))
            .map(|f| format!("{} {} | {}", f.entity, f.path, f.message))
            .collect()
    };
    // A kind of object that must exist: fires when none does, not when one does.
    let policy = "[[guard]]\nentity = \"k8s:networking.k8s.io/NetworkPolicy/*/*\"\nmust_exist = true\n";
    let got = run(policy, &manifests(&["ConfigMap"]));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("in production must exist: nothing has it"), "{got:?}");
    let text =
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {}\n";
    let mut with_policy =
        drift_core::parse(Format::Kubernetes, "x.yaml", text.as_bytes(), &options).unwrap_or_else(|e| panic!("{e}"));
    with_policy.set_name("production");
    assert!(run(policy, &with_policy).is_empty());
    // must_not_exist on a whole entity: one finding per entity, not one per field.
    let got = run("[[guard]]\nentity = \"k8s:core/ConfigMap/**\"\nmust_not_exist = true\n", &manifests(&["ConfigMap"]));
    assert_eq!(got.len(), 1, "{got:?}");
    // must_equal on an absent field fails, unless optional.
    let equal = "[[guard]]\nentity = \"k8s:core/ConfigMap/**\"\npath = \"data.MODE\"\nmust_equal = \"live\"\n";
    let got = run(equal, &manifests(&["ConfigMap"]));
    assert!(got.len() == 1 && got[0].contains("MODE in production is absent"), "{got:?}");
    assert!(run(&format!("{equal}optional = true\n"), &manifests(&["ConfigMap"])).is_empty());
    // must_not_match says what a value must not be: absent passes.
    let not = "[[guard]]\nentity = \"k8s:core/ConfigMap/**\"\npath = \"data.MODE\"\nmust_not_match = \"sandbox\"\n";
    assert!(run(not, &manifests(&["ConfigMap"])).is_empty());
    // With no entity glob, a setting absent from some entities but present in one is fine.
    let anywhere = "[[guard]]\npath = \"data.LOG\"\nmust_equal = \"info\"\n";
    assert!(run(anywhere, &manifests(&["ConfigMap", "Thing"])).is_empty());
    // A text condition on a secret cannot be checked: never a silent pass.
    let got = run(anywhere, &manifests(&["Secret"]));
    assert!(got.len() == 1 && got[0].contains("is a secret"), "{got:?}");
}

#[test]
fn mapping_lets_named_environments_match() {
    let config = Config::parse(
        "drift.toml",
        "[[map]]\nkind = \"namespace\"\nleft = \"shop-staging\"\nright = \"shop-production\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
    let manifest = |ns: &str, replicas: u32| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  replicas: {replicas}\n"
        )
    };
    let parse = |name: &str, text: &str| {
        let mut s = drift_core::parse(Format::Kubernetes, "x.yaml", text.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let left = parse("staging", &manifest("shop-staging", 2));
    let mut right = parse("production", &manifest("shop-production", 3));
    config.map_entities(&mut right);
    let r = drift_core::report(&drift_core::diff(&left, &right), &Policy::with_config(config));
    let got: Vec<(String, String, Status)> =
        r.findings().iter().map(|f| (f.entity.to_string(), f.path.to_string(), f.status)).collect();
    assert_eq!(
        got,
        [
            ("k8s:apps/Deployment/shop-staging/web".into(), "metadata.namespace".into(), Status::Expected),
            ("k8s:apps/Deployment/shop-staging/web".into(), "spec.replicas".into(), Status::Drift),
        ]
    );
}

#[test]
fn baselines_accept_known_drift_only() {
    let options = LoadOptions::new(Fingerprinter::default());
    let compare = |left: &str, right: &str| {
        let (l, r) = (env("staging", left, &options), env("production", right, &options));
        drift_core::report(&drift_core::diff(&l, &r), &Policy::default())
    };
    let before = compare("A=1\nB=1\nC=1\nAPI_TOKEN=t\n", "A=2\nB=2\nC=2\nAPI_TOKEN=t\n");
    let baseline = drift_core::Baseline::from_report(&before);
    assert_eq!(baseline.entries.len(), 4, "three changes and a reused secret");
    // Another run (another random fingerprint key): A unchanged, B changed again, C gone, D new.
    let mut after = compare("A=1\nB=1\nD=1\nAPI_TOKEN=t\n", "A=2\nB=3\nD=2\nAPI_TOKEN=t\n");
    let text = baseline.to_json();
    let parsed = drift_core::Baseline::parse("drift.baseline.json", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let stale = parsed.apply(&mut after, "drift.baseline.json");
    let got: Vec<(String, Status)> = after.findings().iter().map(|f| (f.path.to_string(), f.status)).collect();
    assert_eq!(
        got,
        [
            ("A".into(), Status::Baselined),
            ("API_TOKEN".into(), Status::Baselined),
            ("B".into(), Status::Drift),
            ("D".into(), Status::Drift),
        ]
    );
    assert!(after.findings()[2].message.contains("changed since drift.baseline.json accepted it"));
    assert_eq!(stale.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["C"]);
    assert_eq!((after.summary.by_status.baselined, after.summary.by_status.drift), (2, 2));
    let bad = drift_core::Baseline::parse("b.json", b"{\"schema\": \"x\", \"entries\": []}").map(|_| ()).unwrap_err();
    assert_eq!(bad.to_string(), "b.json:1: invalid baseline: expected \"schema\": \"drift/baseline/v1\"");
}

#[test]
fn baselines_accept_a_change_to_or_from_null() {
    // Found by the fuzzer (fuzz/regressions/engine): `"right": null` was read back as no value.
    let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
    let parse = |name: &str, text: &str| {
        let mut s = drift_core::parse(Format::Config, &format!("{name}/values.yaml"), text.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let (l, r) = (parse("staging", "a: 1\nb: null\n"), parse("production", "a: null\nb: 2\n"));
    let mut report = drift_core::report(&drift_core::diff(&l, &r), &Policy::default());
    let baseline = drift_core::Baseline::from_report(&report);
    assert_eq!(baseline.entries.len(), 2);
    let text = baseline.to_json();
    let read = drift_core::Baseline::parse("b.json", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read, baseline, "null values read back as null, not as no value");
    let stale = read.apply(&mut report, "b.json");
    assert!(stale.is_empty());
    assert!(report.findings().iter().all(|f| f.status == Status::Baselined), "{:?}", report.findings());
}

/// Baselines record the kind of change; an expired certificate is never accepted, and one that
/// is only expiring is accepted until it expires (the guard is judged again every run).
#[test]
fn baselines_never_accept_an_expired_certificate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
    let (left, right) = drift_core::load_pair(&root.join("staging"), &root.join("production"), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let compare = |now: i64| {
        let policy = Policy { now: Some(now), ..Policy::default() };
        drift_core::report(&drift_core::diff(&left, &right), &policy)
    };
    let rules = |r: &Report, rule: &str| -> Vec<(String, Status)> {
        r.findings()
            .iter()
            .filter(|f| f.rule.as_deref() == Some(rule))
            .map(|f| (f.path.to_string(), f.status))
            .collect()
    };
    let mut report = compare(NOW);
    let expired = rules(&report, "certificate-expired");
    assert!(!expired.is_empty(), "the demo has an expired certificate");
    let baseline = drift_core::Baseline::from_report(&report);
    assert!(baseline.entries.iter().all(|e| e.change.is_some()), "every entry records its kind");
    assert!(!baseline.entries.iter().any(|e| e.rule.as_deref() == Some("certificate-expired")));
    let read = drift_core::Baseline::parse("b.json", baseline.to_json().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    read.apply(&mut report, "b.json");
    assert!(rules(&report, "certificate-expired").iter().all(|(_, s)| *s == Status::Drift));
    assert_eq!(report.summary.by_status.drift, expired.len(), "everything else was accepted");
    // An older baseline that lists the expired certificate does not accept it either.
    let mut listed = baseline.clone();
    let mut again = compare(NOW);
    for f in again.findings().iter().filter(|f| f.rule.as_deref() == Some("certificate-expired")) {
        listed.entries.push(drift_core::BaselineEntry {
            id: f.id.to_string(),
            entity: f.entity.to_string(),
            path: f.path.to_string(),
            change: None,
            rule: None,
            left: f.left.clone(),
            right: f.right.clone(),
        });
    }
    listed.apply(&mut again, "old.json");
    assert!(rules(&again, "certificate-expired").iter().all(|(_, s)| *s == Status::Drift));
}

#[test]
fn init_writes_a_starter_that_parses() {
    let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
    let manifest = |ns: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: web, namespace: {ns}}}\ndata: {{LOG: info}}\n")
    };
    let parse = |name: &str, text: &str| {
        let mut s = drift_core::parse(Format::Kubernetes, "x.yaml", text.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let (l, r) = (parse("staging", &manifest("shop-staging")), parse("production", &manifest("shop-production")));
    let report = drift_core::report(&drift_core::diff(&l, &r), &Policy::default());
    let starter = drift_core::starter_config(&report);
    assert!(
        starter.contains("# kind = \"namespace\"\n# left = \"shop-staging\"\n# right = \"shop-production\""),
        "{starter}"
    );
    let config = Config::parse("drift.toml", &starter).unwrap_or_else(|e| panic!("{e}\n{starter}"));
    assert_eq!((config.left_name(), config.right_name()), (Some("staging"), Some("production")));
    // Uncommented, every suggestion is a valid rule.
    let uncommented: String = starter
        .lines()
        .map(|l| l.strip_prefix("# ").filter(|x| x.starts_with('[') || x.contains(" = ")).unwrap_or(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let uncommented = uncommented
        .replace("[substitute]\n", "")
        .replace("\"eu1\" = \"eu2\"\n", "")
        .replace("default_substitutions = true\n", "");
    Config::parse("drift.toml", &uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
}

/// Every `[[expect]]` that `drift init` proposes, uncommented as written, turns the findings it
/// came from expected; what needs review (critical, reuse, exposure) stays drift (issue 14).
#[test]
fn init_rules_applied_as_written_expect_their_findings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let options = LoadOptions::new(Fingerprinter::with_key(b"p"));
    let (left, right) = drift_core::load_pair(&root.join("staging"), &root.join("production"), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    // A generated pair besides the fixtures: set items labelled by IP ranges and host names,
    // dotted configuration keys, many entities with the same drift.
    let mut gen_left = String::new();
    let mut gen_right = String::new();
    for i in 0..12 {
        for (text, cidr, host, level) in [
            (&mut gen_left, "10.0.0.0/8", "api.stg.example.com", "debug"),
            (&mut gen_right, "10.1.0.0/16", "api.example.com", "info"),
        ] {
            text.push_str(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np-{i}, namespace: shop}}\n\
                 spec:\n  podSelector: {{}}\n  ingress:\n    - from: [{{ipBlock: {{cidr: {cidr}}}}}]\n---\n\
                 apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: shop}}\n\
                 data: {{\"log.level\": {level}, \"upstream.host\": {host}}}\n---\n"
            ));
        }
    }
    let parse = |name: &str, text: &str| {
        let mut s = drift_core::parse(Format::Kubernetes, &format!("{name}/all.yaml"), text.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let generated = (parse("staging", &gen_left), parse("production", &gen_right));
    // Lists of named objects whose names hold dots (host names): `upstreams[name=api.example.com]`.
    let values = |name: &str, timeout: u32| {
        let text: String = (0..12)
            .map(|i| format!("  - name: svc{i}.example.com\n    timeout: {timeout}\n    address: 10.0.{i}.0/24\n"))
            .collect();
        let mut s = drift_core::parse(
            Format::Config,
            &format!("{name}/values.yaml"),
            format!("upstreams:\n{text}").as_bytes(),
            &options,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let config_pair = (values("staging", 5), values("production", 10));
    for (left, right) in [(&left, &right), (&generated.0, &generated.1), (&config_pair.0, &config_pair.1)] {
        let before =
            drift_core::report(&drift_core::diff(left, right), &Policy { now: Some(NOW), ..Policy::default() });
        let starter = drift_core::starter_config(&before);
        // Uncomment the proposed rules exactly as written.
        let mut config = String::new();
        let mut blocks: Vec<(usize, usize)> = Vec::new(); // (line of the rule in `config`, findings)
        let mut in_block = false;
        for line in starter.lines() {
            if let Some(rest) = line.strip_prefix("# [[expect]]  # ") {
                in_block = true;
                let n = rest.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                blocks.push((config.lines().count() + 1, n));
                config.push_str("[[expect]]\n");
            } else if in_block && let Some(rest) = line.strip_prefix("# ") {
                config.push_str(rest);
                config.push('\n');
            } else {
                in_block = false;
                if !line.starts_with('#') && !line.starts_with('[') && !line.contains(" = ") {
                    continue;
                }
                if line.starts_with("[[guard]]") {
                    break;
                }
                config.push_str(line);
                config.push('\n');
            }
        }
        assert!(!blocks.is_empty(), "{starter}");
        let parsed = Config::parse("drift.toml", &config).unwrap_or_else(|e| panic!("{e}\n{config}"));
        let policy = Policy { now: Some(NOW), ..Policy::with_config(parsed) };
        let after = drift_core::report(&drift_core::diff(left, right), &policy);
        for (line, n) in &blocks {
            let name = format!("drift.toml:{line} (expect)");
            let decided = after.findings().iter().filter(|f| f.rule.as_deref() == Some(name.as_str())).count();
            assert!(decided >= *n, "{name} expects {decided} of its {n} findings\n{config}");
        }
        // What needs review is never accepted by a proposed rule.
        for f in after.findings() {
            if f.change == drift_core::FindingKind::Reuse || f.severity == Severity::Critical {
                assert_ne!(f.status, Status::Expected, "{} {} was accepted\n{config}", f.entity, f.path);
            }
        }
    }
}

/// A rule that matched nothing in a run is listed with its file and line (issue 14).
#[test]
fn rules_that_match_nothing_are_listed() {
    let config = "[[expect]]\npath = \"LOG_LEVEL\"\nreason = \"r\"\n\n[[expect]]\npath = \"LOG_LEVLE\"\nreason = \"typo\"\n\n\
                  [[severity]]\npath = \"NOPE_*\"\nlevel = \"low\"\n\n[[guard]]\npath = \"MISSING_SWITCH\"\nmust_not_match = \"true\"\n\n\
                  [[guard]]\npath = \"LOG_LEVEL\"\nmust_not_match = \"trace\"\n";
    let r = report(config, "LOG_LEVEL=debug\n", "LOG_LEVEL=info\n");
    assert_eq!(
        r.unused_rules,
        ["drift.toml:5 (expect)", "drift.toml:9 (severity)", "drift.toml:13 (guard)"],
        "{:?}",
        r.unused_rules
    );
    let json = serde_json::to_value(&r).unwrap_or_default();
    assert_eq!(json["unused_rules"][0], "drift.toml:5 (expect)");
}
