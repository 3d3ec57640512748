//! Terraform: addresses, set semantics, JSON inside strings, sensitive values, both state formats,
//! errors, and real states from `fixtures/realworld`.

use std::path::{Path, PathBuf};

use drift_core::{
    Category, Finding, FindingKind, Fingerprinter, Format, LoadOptions, Policy, Report, Snapshot, Status,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn options() -> LoadOptions {
    LoadOptions::new(Fingerprinter::with_key(b"tf-tests"))
}

fn state(name: &str, text: &str) -> Result<Snapshot, String> {
    drift_core::parse(Format::Terraform, name, text.as_bytes(), &options()).map_err(|e| e.to_string())
}

fn fixtures() -> Report {
    let options = options();
    let load = |side: &str| {
        drift_core::load(&root().join("fixtures").join(side).join("terraform.tfstate"), &options)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (mut staging, mut production) = (load("staging"), load("production"));
    staging.set_name("staging");
    production.set_name("production");
    drift_core::report(&drift_core::diff(&staging, &production), &Policy::default())
}

fn drift(report: &Report) -> Vec<&Finding> {
    report.findings().iter().filter(|f| f.status == Status::Drift).collect()
}

#[test]
fn the_fixtures_real_changes_appear_once() {
    let report = fixtures();
    let found: Vec<(String, String, FindingKind, Category)> =
        drift(&report).iter().map(|f| (f.entity.to_string(), f.path.to_string(), f.change, f.category)).collect();
    let expect = |entity: &str, path: &str, change: FindingKind, category: Category| {
        let n = found.iter().filter(|f| f.0 == entity && f.1 == path).count();
        assert_eq!(n, 1, "{entity} {path} in {found:#?}");
        assert!(found.contains(&(entity.to_owned(), path.to_owned(), change, category)), "{entity} {path}: {found:#?}");
    };
    expect("tf:module.data.aws_db_instance.main", "engine_version", FindingKind::Changed, Category::Version);
    expect("tf:module.data.aws_db_instance.main", "instance_class", FindingKind::Changed, Category::Resources);
    expect(
        "tf:aws_sqs_queue.jobs[\"orders\"]",
        "redrive_policy.maxReceiveCount",
        FindingKind::Changed,
        Category::Config,
    );
    expect("tf:aws_sqs_queue.jobs[\"refunds\"]", "", FindingKind::Removed, Category::Other);
    expect("tf:aws_instance.worker[2]", "", FindingKind::Added, Category::Other);
    let ingress: Vec<&Finding> = drift(&report)
        .into_iter()
        .filter(|f| {
            f.entity.to_string() == "tf:module.network.aws_security_group.db"
                && f.path.to_string().starts_with("ingress")
        })
        .collect();
    let (guards, changes): (Vec<&Finding>, Vec<&Finding>) =
        ingress.into_iter().partition(|f| f.change == FindingKind::Guard);
    assert_eq!(changes.len(), 1, "one added rule, the reordered ones are not drift: {changes:#?}");
    assert_eq!((changes[0].change, changes[0].rule.as_deref()), (FindingKind::Added, Some("open-to-world")));
    assert_eq!(changes[0].severity, drift_core::Severity::High);
    // And production's rule is a guard with its port: SSH open to the internet is critical.
    assert_eq!(guards.len(), 1, "{guards:#?}");
    assert_eq!(guards[0].severity, drift_core::Severity::Critical);
    assert!(guards[0].message.contains("tcp 22"), "{}", guards[0].message);
    // The state's own version is one info finding; serial and lineage are nothing.
    let state: Vec<&Finding> = report.findings().iter().filter(|f| f.entity.to_string() == "tf:state").collect();
    assert_eq!(state.len(), 1);
    assert_eq!(state[0].severity, drift_core::Severity::Info);
}

#[test]
fn identifiers_and_environment_names_are_not_drift() {
    let report = fixtures();
    let drift_paths: Vec<String> = drift(&report).iter().map(|f| format!("{} {}", f.entity, f.path)).collect();
    for noise in [
        "arn",
        "id",
        "owner_id",
        "vpc_id",
        "tags.Environment",
        "tags_all",
        "name",
        "identifier",
        "deadLetterTargetArn",
        "Principal",
    ] {
        assert!(
            !drift_paths.iter().any(|p| p.rsplit(' ').next().is_some_and(|path| path == noise
                || path.contains(&format!(".{noise}"))
                || path.starts_with(noise) && noise.len() > 4)),
            "{noise} is not drift: {drift_paths:#?}"
        );
    }
    let ignored = report.findings().iter().filter(|f| f.status == Status::Ignored).count();
    let expected = report.findings().iter().filter(|f| f.status == Status::Expected).count();
    assert!(ignored >= 10 && expected >= 10, "{ignored} ignored, {expected} expected");
    assert!(report.findings().iter().filter(|f| f.status != Status::Drift).all(|f| f.reason.is_some()));
}

#[test]
fn addresses_as_terraform_prints_them() {
    let s = state(
        "a.tfstate",
        r#"{"version": 4, "terraform_version": "1.6.0", "serial": 1, "lineage": "x", "outputs": {},
            "resources": [
              {"module": "module.a.module.b", "mode": "managed", "type": "aws_instance", "name": "web", "instances": [{"index_key": 0, "attributes": {"id": "i-1"}}]},
              {"mode": "managed", "type": "aws_s3_bucket", "name": "assets", "instances": [{"index_key": "eu", "attributes": {"id": "b"}}]},
              {"mode": "data", "type": "aws_caller_identity", "name": "current", "instances": [{"attributes": {"id": "1"}}]},
              {"mode": "managed", "type": "aws_instance", "name": "old", "instances": [{"status": "tainted", "attributes": {"id": "i-2"}}, {"deposed": "1a2b3c4d", "attributes": {"id": "i-3"}}]}
            ]}"#,
    );
    let ids: Vec<String> = state_ids(&s);
    assert_eq!(
        ids,
        [
            "tf:aws_instance.old",
            "tf:aws_instance.old (deposed object 1a2b3c4d)",
            "tf:aws_s3_bucket.assets[\"eu\"]",
            "tf:data.aws_caller_identity.current",
            "tf:module.a.module.b.aws_instance.web[0]",
            "tf:state",
        ]
    );
    let tainted =
        s.ok().and_then(|s| s.entities().find(|e| e.id().address() == "aws_instance.old").map(|e| e.body().clone()));
    assert_eq!(
        tainted.and_then(|b| b.as_map().and_then(|m| m.get("@status")).cloned()),
        Some(drift_core::Node::string("tainted"))
    );
}

fn state_ids(s: &Result<Snapshot, String>) -> Vec<String> {
    match s {
        Ok(s) => s.entities().map(|e| e.id().to_string()).collect(),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn sensitive_values_never_appear() {
    let raw = r#"{"version": 4, "terraform_version": "1.6.0", "outputs": {"pw": {"value": "hunter2-output", "type": "string", "sensitive": true}},
        "resources": [{"mode": "managed", "type": "aws_db_instance", "name": "db", "instances": [{"attributes": {"id": "db-1", "password": "hunter2-attr", "settings": {"token": "hunter2-nested"}},
          "sensitive_attributes": [[{"type": "get_attr", "value": "password"}], [{"type": "get_attr", "value": "settings"}, {"type": "get_attr", "value": "token"}]]}]}]}"#;
    let show = r#"{"format_version": "1.0", "terraform_version": "1.6.0", "values": {"outputs": {"pw": {"sensitive": true, "value": "hunter2-output"}},
        "root_module": {"resources": [{"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
          "values": {"id": "db-1", "password": "hunter2-attr", "settings": {"token": "hunter2-nested"}}, "sensitive_values": {"password": true, "settings": {"token": true}}}]}}}"#;
    let (a, b) = (state("raw.tfstate", raw).unwrap_or_default(), state("show.json", show).unwrap_or_default());
    let report = drift_core::report(&drift_core::diff(&a, &b), &Policy::default());
    assert!(drift(&report).is_empty(), "both formats of one state agree: {:#?}", drift(&report));
    let snapshot = drift_core::snapshot_json(&a, &Fingerprinter::with_key(b"tf-tests"));
    let json = serde_json::to_string(&report).unwrap_or_default();
    assert!(!json.contains("hunter2") && !snapshot.contains("hunter2"));
}

#[test]
fn json_inside_strings_is_compared_structurally() {
    let queue = |policy: &str| {
        let state = serde_json::json!({"version": 4, "terraform_version": "1.6.0", "resources": [{"mode": "managed", "type": "aws_sqs_queue", "name": "q",
            "instances": [{"attributes": {"id": "q", "redrive_policy": policy}}]}]});
        drift_core::parse(Format::Terraform, "q.tfstate", state.to_string().as_bytes(), &options()).unwrap_or_default()
    };
    let a = queue(r#"{"deadLetterTargetArn":"arn:x","maxReceiveCount":5}"#);
    let same = queue("{\n  \"maxReceiveCount\": 5,\n  \"deadLetterTargetArn\": \"arn:x\"\n}");
    let changed = queue(r#"{"deadLetterTargetArn":"arn:x","maxReceiveCount":3}"#);
    assert!(drift_core::diff(&a, &same).is_empty());
    let diff = drift_core::diff(&a, &changed);
    let paths: Vec<String> = diff.changes().iter().map(|c| c.path().to_string()).collect();
    assert_eq!(paths, ["redrive_policy.maxReceiveCount"]);
}

#[test]
fn bad_states_exit_with_the_file_named() {
    let cases = [
        (
            r#"{"version": 3, "terraform_version": "0.11.14", "lineage": "x", "modules": []}"#,
            "old.tfstate:1: invalid Terraform state: state version 3 is not supported",
        ),
        (
            r#"{"version": 4, "terraform_version": "1.6.0", "resources": [{"mode": "man"#,
            "truncated.tfstate:1: invalid Terraform state: unexpected end of the file",
        ),
        (
            r#"{"meta": {}, "encrypted_data": "abc", "encryption_version": "v0", "terraform_version": "x"}"#,
            "encrypted.tfstate:1: invalid Terraform state: the state is encrypted",
        ),
    ];
    for (text, want) in cases {
        let name = want.split(':').next().unwrap_or_default();
        let err = state(name, text).map(|_| ()).unwrap_err();
        assert!(err.starts_with(want), "{err}");
    }
    // JSON that is no state is not taken for one.
    let options = options();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("not-state");
    let _ = std::fs::create_dir_all(&dir);
    std::fs::write(dir.join("package.json"), r#"{"name": "x", "version": "1.0.0"}"#).unwrap_or_default();
    let snapshot = drift_core::load(&dir.join("package.json"), &options).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = snapshot.entities().map(|e| e.id().to_string()).collect();
    assert_eq!(ids, ["cfg:package.json"], "read as generic configuration, not as a state");
}

#[test]
fn real_states_parse() {
    let dir = root().join("fixtures/realworld/terraform-json-testdata");
    let options = options();
    for file in [
        "110_sensitive_values/terraform.tfstate",
        "110_sensitive_values/state.json",
        "config_resource_depends_on/terraform.tfstate",
        "no_changes/terraform.tfstate",
        "no_changes/state.json",
        "has_checks/state.json",
        "identity/state.json",
        "action_reason_prior_state_tainted.json",
    ] {
        let snapshot = drift_core::load(&dir.join(file), &options).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(snapshot.entities().len() > 1, "{file}");
    }
    let checks = drift_core::load(&dir.join("has_checks/state.json"), &options).unwrap_or_default();
    assert!(checks.entities().any(|e| e.id().to_string() == "tf:module.files.local_file.foo[\"file1.txt\"]"));
    // The raw state and its show -json rendering are the same infrastructure.
    for pair in ["110_sensitive_values", "no_changes"] {
        let raw = drift_core::load(&dir.join(pair).join("terraform.tfstate"), &options).unwrap_or_default();
        let show = drift_core::load(&dir.join(pair).join("state.json"), &options).unwrap_or_default();
        let report = drift_core::report(&drift_core::diff(&raw, &show), &Policy::default());
        assert!(drift(&report).is_empty(), "{pair}: {:#?}", drift(&report));
    }
    let invalid = drift_core::load(&dir.join("invalid/state.json"), &options).map(|_| ()).unwrap_err().to_string();
    assert!(invalid.contains("invalid/state.json:"), "{invalid}");
}

/// AWS as real states have it (issue 15): references to provider-assigned identities that differ
/// only by account, region, environment or generated suffix are not drift; a security switch
/// production turned off is high; `*_enabled` is a setting, not a feature flag; every shape of an
/// ingress rule open to the internet is a production guard.
#[test]
fn aws_references_switches_and_exposure() {
    let state_of = |name: &str, account: &str, region: &str, env: &str, encrypted: bool, suffix: &str| {
        let resources = serde_json::json!([
            {"mode": "managed", "type": "aws_lb_listener", "name": "https", "instances": [{"attributes": {
                "port": 443,
                "certificate_arn": format!("arn:aws:acm:{region}:{account}:certificate/{suffix}-4b4c-9a1e-0f2b3c4d5e6f"),
                "load_balancer_arn": format!("arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/web-{env}/{suffix}9188"),
                "default_action": [{"type": "forward", "target_group_arn": format!("arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/web-{env}/{suffix}a067")}]
            }}]},
            {"mode": "managed", "type": "aws_db_instance", "name": "main", "instances": [{"attributes": {
                "storage_encrypted": encrypted,
                "kms_key_id": format!("arn:aws:kms:{region}:{account}:key/{suffix}-1111-2222-3333-444455556666"),
                "performance_insights_enabled": !encrypted
            }}]},
            {"mode": "managed", "type": "aws_vpc_security_group_ingress_rule", "name": "ssh", "instances": [{"attributes": {
                "from_port": 22, "to_port": 22, "ip_protocol": "tcp", "cidr_ipv4": if env == "prod" { "0.0.0.0/0" } else { "10.0.0.0/8" }
            }}]}
        ]);
        let text = serde_json::json!({"version": 4, "terraform_version": "1.6.0", "resources": resources}).to_string();
        let mut s = state(&format!("{name}/terraform.tfstate"), &text).unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let staging = state_of("staging", "111111111111", "eu-west-1", "stg", true, "0a1b2c3d");
    let production = state_of("production", "222222222222", "eu-central-1", "prod", false, "9f8e7d6c");
    let report = drift_core::report(&drift_core::diff(&staging, &production), &Policy::default());
    let drift: Vec<(String, String, drift_core::Severity, Category)> =
        drift(&report).iter().map(|f| (f.entity.to_string(), f.path.to_string(), f.severity, f.category)).collect();
    for reference in ["certificate_arn", "load_balancer_arn", "target_group_arn", "kms_key_id"] {
        assert!(!drift.iter().any(|d| d.1.contains(reference)), "{reference} is an identifier: {drift:#?}");
    }
    let encrypted = drift.iter().find(|d| d.1 == "storage_encrypted").cloned();
    assert_eq!(encrypted.map(|e| e.2), Some(drift_core::Severity::High), "{drift:#?}");
    let insights = drift.iter().find(|d| d.1 == "performance_insights_enabled").cloned();
    assert!(insights.is_some_and(|i| i.3 != Category::FeatureFlag && i.2 < drift_core::Severity::High), "{drift:#?}");
    let exposure = report.findings().iter().find(|f| {
        f.change == FindingKind::Guard && f.entity.to_string() == "tf:aws_vpc_security_group_ingress_rule.ssh"
    });
    assert!(
        exposure.is_some_and(|g| g.severity == drift_core::Severity::Critical && g.message.contains("tcp 22")),
        "{drift:#?}"
    );
}

/// IAM policy documents (issue 15): statements matched by `Sid` (else by effect, principal and
/// resources), so a statement that gained an action is one finding inside it; a wildcard grant
/// only production has is high.
#[test]
fn iam_statements_change_inside() {
    let policy_state = |name: &str, production: bool| {
        let mut actions = vec!["s3:GetObject", "s3:ListBucket"];
        if production {
            actions.push("s3:PutObject");
        }
        let mut unnamed = vec![
            serde_json::json!({"Effect": "Allow", "Action": actions, "Resource": "arn:aws:s3:::b/*"}),
            serde_json::json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}),
        ];
        if production {
            unnamed.push(serde_json::json!({"Effect": "Allow", "Action": "*", "Resource": "*"}));
        }
        let named = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Logs", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"},
            {"Sid": "ReadBucket", "Effect": "Allow", "Action": actions, "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}
        ]});
        let unnamed = serde_json::json!({"Version": "2012-10-17", "Statement": unnamed});
        let text = serde_json::json!({"version": 4, "terraform_version": "1.6.0", "resources": [
            {"mode": "managed", "type": "aws_iam_policy", "name": "named", "instances": [{"attributes": {"policy": named.to_string()}}]},
            {"mode": "managed", "type": "aws_iam_policy", "name": "unnamed", "instances": [{"attributes": {"policy": unnamed.to_string()}}]}
        ]})
        .to_string();
        let mut s = state(&format!("{name}/terraform.tfstate"), &text).unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let report = drift_core::report(
        &drift_core::diff(&policy_state("staging", false), &policy_state("production", true)),
        &Policy::default(),
    );
    let found: Vec<(String, drift_core::Severity)> =
        drift(&report).iter().map(|f| (format!("{} {} {}", f.entity, f.path, f.change), f.severity)).collect();
    assert!(
        found
            .iter()
            .any(|f| f.0 == "tf:aws_iam_policy.named policy.Statement[Sid=ReadBucket].Action[=s3:PutObject] added"),
        "{found:#?}"
    );
    let message = drift(&report)
        .iter()
        .find(|f| f.path.to_string() == "policy.Statement[Sid=ReadBucket].Action[=s3:PutObject]")
        .map(|f| f.message.clone())
        .unwrap_or_default();
    assert_eq!(message, "s3:PutObject added to statement ReadBucket (Action) in production");
    let named = found.iter().filter(|f| f.0.starts_with("tf:aws_iam_policy.named")).count();
    assert_eq!(named, 1, "one change inside the statement: {found:#?}");
    let unnamed: Vec<&(String, drift_core::Severity)> =
        found.iter().filter(|f| f.0.starts_with("tf:aws_iam_policy.unnamed")).collect();
    assert_eq!(unnamed.len(), 2, "{found:#?}");
    assert!(unnamed.iter().any(|f| f.0.ends_with("Action[=s3:PutObject] added")), "{found:#?}");
    assert!(unnamed.iter().any(|f| f.1 == drift_core::Severity::High), "the wildcard grant is high: {found:#?}");
}

/// What a hostile tester found (issue 15): a production reference to a third environment's
/// object stays drift, an AMI is never an identifier, a UUID is one whatever its letters, a
/// principal that became `*` is high, and a statement with a `Sid` beside one without is still
/// matched by it.
#[test]
fn references_and_statements_edge_cases() {
    let one = |name: &str, attributes: serde_json::Value| {
        let text = serde_json::json!({"version": 4, "terraform_version": "1.6.0", "resources": [
            {"mode": "managed", "type": "aws_thing", "name": "x", "instances": [{"attributes": attributes}]}
        ]})
        .to_string();
        let mut s = state(&format!("{name}/terraform.tfstate"), &text).unwrap_or_else(|e| panic!("{e}"));
        s.set_name(name);
        s
    };
    let compare = |left: serde_json::Value, right: serde_json::Value| {
        let report =
            drift_core::report(&drift_core::diff(&one("staging", left), &one("production", right)), &Policy::default());
        report.findings().iter().map(|f| (f.path.to_string(), f.change, f.status, f.severity)).collect::<Vec<_>>()
    };
    let status = |found: &[(String, FindingKind, Status, drift_core::Severity)], path: &str| {
        found.iter().find(|f| f.0 == path).map(|f| f.2)
    };
    let kms = compare(
        serde_json::json!({"kms_key_id": "arn:aws:kms:eu-west-1:111122223333:alias/orders-staging"}),
        serde_json::json!({"kms_key_id": "arn:aws:kms:eu-west-1:111122223333:alias/orders-dev"}),
    );
    assert_eq!(status(&kms, "kms_key_id"), Some(Status::Drift), "a third environment's key: {kms:?}");
    let own = compare(
        serde_json::json!({"kms_key_id": "arn:aws:kms:eu-west-1:111122223333:alias/orders-staging"}),
        serde_json::json!({"kms_key_id": "arn:aws:kms:us-east-1:444455556666:alias/orders-production"}),
    );
    assert_eq!(status(&own, "kms_key_id"), Some(Status::Ignored), "{own:?}");
    let ami = compare(
        serde_json::json!({"custom_ami_id": "ami-0abcdef1234567890"}),
        serde_json::json!({"custom_ami_id": "ami-0fedcba9876543210"}),
    );
    assert_eq!(status(&ami, "custom_ami_id"), Some(Status::Drift), "{ami:?}");
    let cert = compare(
        serde_json::json!({"certificate_arn": "arn:aws:acm:eu-west-1:111122223333:certificate/3e1b2a4c-9f0d-4b7e-8c21-5a6d7e8f9012"}),
        serde_json::json!({"certificate_arn": "arn:aws:acm:eu-west-1:444455556666:certificate/f8e3c2ab-cdef-4a12-9b3c-0d1e2f3a4b5c"}),
    );
    assert_eq!(status(&cert, "certificate_arn"), Some(Status::Ignored), "{cert:?}");
    let statement = |principal: serde_json::Value, actions: Vec<&str>, queue: &str, unnamed: bool| {
        let mut statements =
            vec![serde_json::json!({"Sid": "Q", "Effect": "Allow", "Principal": principal, "Action": actions,
            "Resource": format!("arn:aws:sqs:eu-west-1:111122223333:jobs-{queue}")})];
        if unnamed {
            statements.push(serde_json::json!({"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}));
        }
        let policy = serde_json::json!({"Version": "2012-10-17", "Statement": statements});
        serde_json::json!({"policy": policy.to_string()})
    };
    let root = serde_json::json!({"AWS": ["arn:aws:iam::111122223333:root"]});
    // A statement with a Sid beside one without: one change inside it (when its resources do not
    // name the environment: a known limit, see `statements` in source/tfstate.rs).
    let iam = compare(
        statement(root.clone(), vec!["sqs:SendMessage"], "orders", true),
        statement(root.clone(), vec!["sqs:SendMessage", "sqs:DeleteMessage"], "orders", true),
    );
    let drift: Vec<&(String, FindingKind, Status, drift_core::Severity)> =
        iam.iter().filter(|f| f.2 == Status::Drift).collect();
    assert_eq!(drift.len(), 1, "{iam:#?}");
    assert!(drift[0].0.contains("Sid=Q") && drift[0].0.ends_with("Action[=sqs:DeleteMessage]"), "{iam:#?}");
    // A principal that became `*` is high.
    let public = compare(
        statement(root, vec!["sqs:SendMessage"], "staging", false),
        statement(serde_json::json!("*"), vec!["sqs:SendMessage"], "production", false),
    );
    let principal = public.iter().find(|f| f.0.contains("Principal") && f.2 == Status::Drift);
    assert!(principal.is_some_and(|f| f.3 == drift_core::Severity::High), "{public:#?}");
}

/// A state in a subfolder of the environment (`network/terraform.tfstate`, one per stack): its
/// addresses carry the folder, and its resources are guarded and its outputs classified as they
/// are at the top (the folder hid every resource type: no open-to-the-internet guard).
#[test]
fn states_in_subfolders_are_guarded_and_classified() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tf-subfolder");
    let _ = std::fs::remove_dir_all(&dir);
    let rule = |cidr: &str| {
        format!(
            r#"{{"version": 4, "terraform_version": "1.6.0", "serial": 1, "lineage": "x",
            "outputs": {{"db_password": {{"value": "Plain-Text-Pw-{cidr}", "type": "string"}}}},
            "resources": [{{"mode": "managed", "type": "aws_security_group", "name": "web",
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": [{{"attributes": {{"id": "sg-1",
            "ingress": [{{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["{cidr}"], "description": "ssh"}}]}}}}]}}]}}"#
        )
    };
    let load = |side: &str, cidr: &str| {
        let file = dir.join(side).join("network").join("terraform.tfstate");
        std::fs::create_dir_all(file.parent().unwrap_or(&dir)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&file, rule(cidr)).unwrap_or_else(|e| panic!("{e}"));
        let mut s = drift_core::load(&dir.join(side), &options()).unwrap_or_else(|e| panic!("{e}"));
        s.set_name(side);
        s
    };
    let (staging, production) = (load("staging", "10.0.0.0/8"), load("production", "0.0.0.0/0"));
    let report = drift_core::report(&drift_core::diff(&staging, &production), &Policy::default());
    let guard = report
        .findings()
        .iter()
        .find(|f| f.change == FindingKind::Guard && f.entity.to_string() == "tf:network/aws_security_group.web")
        .unwrap_or_else(|| panic!("no guard: {:#?}", report.findings()));
    assert_eq!(guard.path.to_string(), "ingress[=tcp/22 from 0.0.0.0/0 \"ssh\"]");
    let text = serde_json::to_string(&report).unwrap_or_default();
    assert!(!text.contains("Plain-Text-Pw"), "an output named as a password is a secret in a subfolder too");
}
