//! Kubernetes: quantities against the Kubernetes test vectors, list semantics, YAML 1.1, noise and
//! defaults of live exports, the fixtures' real changes, and real manifests from
//! `fixtures/realworld`.

use std::path::{Path, PathBuf};

use drift_core::{
    Category, Decimal, Finding, FindingKind, Fingerprinter, Format, LoadOptions, Policy, Quantity, Report, Snapshot,
    Status,
};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn options() -> LoadOptions {
    LoadOptions::new(Fingerprinter::with_key(b"k8s-tests"))
}

fn yaml(name: &str, text: &str) -> Snapshot {
    drift_core::parse(Format::Kubernetes, name, text.as_bytes(), &options()).unwrap_or_else(|e| panic!("{e}"))
}

fn compare(left: &Snapshot, right: &Snapshot) -> Report {
    drift_core::report(&drift_core::diff(left, right), &Policy::default())
}

fn drift(report: &Report) -> Vec<&Finding> {
    report.findings().iter().filter(|f| f.status == Status::Drift).collect()
}

fn paths(report: &Report) -> Vec<String> {
    drift(report).iter().map(|f| format!("{} {}", f.path, f.change)).collect()
}

#[test]
fn quantity_vectors_from_kubernetes() {
    let file = root().join("fixtures/realworld/k8s-apimachinery-quantity/quantity_vectors.json");
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap_or_default()).unwrap_or_default();
    let value = |text: &str| Quantity::parse(text).map(|q| q.value().clone());
    let decimal = |text: &str| Decimal::parse(text).unwrap_or_else(|| panic!("{text}"));
    let mut checked = 0;
    for case in vectors["parse"]["cases"].as_array().into_iter().flatten() {
        let (input, want) = (case["input"].as_str().unwrap_or_default(), case["value"].as_str().unwrap_or_default());
        assert_eq!(value(input), Some(decimal(want)), "parse {input}");
        // Every input also parses with a sign.
        assert_eq!(value(&format!("+{input}")), Some(decimal(want)), "parse +{input}");
        let negated = if want == "0" { "0".to_owned() } else { format!("-{want}") };
        assert_eq!(value(&format!("-{input}")), Some(decimal(&negated)), "parse -{input}");
        checked += 1;
    }
    for input in vectors["parse"]["invalid"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        assert_eq!(value(input), None, "{input:?} is invalid");
        checked += 1;
    }
    for case in vectors["canonical_string"]["cases"].as_array().into_iter().flatten() {
        let canonical = case["canonical"].as_str().unwrap_or_default();
        assert_eq!(value(canonical), Some(decimal(case["value"].as_str().unwrap_or_default())), "{canonical}");
        if let Some(alternate) = case["alternate_input"].as_str() {
            assert_eq!(value(alternate), value(canonical), "{alternate} == {canonical}");
        }
        checked += 1;
    }
    for case in vectors["parse_emit"]["cases"].as_array().into_iter().flatten() {
        let (input, canonical) =
            (case["input"].as_str().unwrap_or_default(), case["canonical"].as_str().unwrap_or_default());
        assert_eq!(value(input), value(canonical), "{input} == {canonical}");
        checked += 1;
    }
    for case in vectors["cmp"]["cases"].as_array().into_iter().flatten() {
        let (x, y) = (value(case["x"].as_str().unwrap_or_default()), value(case["y"].as_str().unwrap_or_default()));
        let want = case["cmp"].as_i64().unwrap_or(9).cmp(&0);
        assert_eq!(x.cmp(&y), want, "{case}");
        checked += 1;
    }
    assert!(checked >= 150, "only {checked} vectors");
}

#[test]
fn a_live_export_matches_its_manifest() {
    let dir = root().join("fixtures/cases/k8s-live-export");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_default();
    let options = options();
    let manifest = drift_core::parse(Format::Kubernetes, "manifest.yaml", &read("manifest.yaml"), &options);
    let live = drift_core::parse(Format::Kubernetes, "live.yaml", &read("live.yaml"), &options);
    let (Ok(mut manifest), Ok(mut live)) = (manifest, live) else { panic!("both parse") };
    // One environment: its manifests in Git and what runs.
    manifest.set_name("production");
    live.set_name("production");
    assert_eq!(live.entities().len(), 3, "the List is flattened");
    let report = compare(&manifest, &live);
    assert!(drift(&report).is_empty(), "no drift: {:#?}", paths(&report));
    // The noise is visible, each finding with its reason.
    let ignored: Vec<&Finding> = report.findings().iter().filter(|f| f.status == Status::Ignored).collect();
    assert!(ignored.len() >= 20, "{} ignored", ignored.len());
    assert!(ignored.iter().all(|f| f.reason.as_deref().is_some_and(|r| !r.is_empty())));
    assert!(ignored.iter().any(|f| f.path.to_string() == "status"));
    // The secret's value appears nowhere, not even in the last-applied annotation.
    let json = serde_json::to_string(&report).unwrap_or_default();
    assert!(!json.contains("hunter2"));
}

#[test]
fn real_changes_in_the_fixtures() {
    let options = options();
    let load =
        |side: &str| drift_core::load(&root().join("fixtures").join(side), &options).unwrap_or_else(|e| panic!("{e}"));
    let (staging, production) = (load("staging"), load("production"));
    let report = compare(&staging, &production);
    let find = |entity: &str, path: &str| -> Vec<&Finding> {
        report.findings().iter().filter(|f| f.entity.to_string() == entity && f.path.to_string() == path).collect()
    };
    let deploy = "k8s:apps/Deployment/shop/checkout";
    let container = "spec.template.spec.containers[name=checkout]";
    for (entity, path, change, category) in [
        (deploy, "spec.replicas".to_owned(), FindingKind::Changed, Category::Replicas),
        (deploy, format!("{container}.image"), FindingKind::Changed, Category::Image),
        (deploy, format!("{container}.resources.limits.memory"), FindingKind::Changed, Category::Resources),
        (deploy, format!("{container}.env[name=LOG_LEVEL].value"), FindingKind::Changed, Category::Config),
        (
            "k8s:networking.k8s.io/NetworkPolicy/shop/checkout",
            "spec.ingress[=ports=9090/TCP from namespace=monitoring]".to_owned(),
            FindingKind::Removed,
            Category::Network,
        ),
        (
            "k8s:core/PersistentVolumeClaim/shop/checkout-data",
            "spec.storageClassName".to_owned(),
            FindingKind::Changed,
            Category::Storage,
        ),
        (
            "k8s:core/ConfigMap/shop/checkout-config",
            "data.FEATURE_RECOMMENDATIONS".to_owned(),
            FindingKind::Changed,
            Category::FeatureFlag,
        ),
    ] {
        let found = find(entity, &path);
        assert_eq!(found.len(), 1, "{entity} {path}: {found:#?}");
        assert_eq!((found[0].change, found[0].category, found[0].status), (change, category, Status::Drift), "{path}");
    }
    // Equivalent spellings are not drift: quantities, octal modes, port protocols, order, moved
    // documents, stringData versus data, kustomize hashes.
    let noise: Vec<String> = drift(&report)
        .iter()
        .filter(|f| f.domain == drift_core::Domain::K8s)
        // The path's keys, not the labels of its list items (a NetworkPolicy rule's label names
        // its ports).
        .map(|f| {
            let keys = f.path.segments().iter().filter_map(|s| match s {
                drift_core::Segment::Key(k) => Some(k.to_string()),
                _ => None,
            });
            keys.collect::<Vec<_>>().join(".")
        })
        .filter(|p| p.contains("cpu") || p.contains("requests") || p.contains("defaultMode") || p.contains("ports"))
        .collect();
    assert!(noise.is_empty(), "{noise:?}");
    // Production guards fire on containers and env.
    let guards: Vec<&str> =
        drift(&report).iter().filter(|f| f.change == FindingKind::Guard).filter_map(|f| f.rule.as_deref()).collect();
    assert!(guards.contains(&"missing-limits") && guards.contains(&"production-switch"), "{guards:?}");
}

#[test]
fn certificates_compare_by_content_and_expiry_is_guarded() {
    let options = options();
    let load =
        |side: &str| drift_core::load(&root().join("fixtures").join(side), &options).unwrap_or_else(|e| panic!("{e}"));
    let (staging, production) = (load("staging"), load("production"));
    let diff = drift_core::diff(&staging, &production);
    let tls = |report: &Report| -> Vec<(String, FindingKind, Status, Option<String>)> {
        report
            .findings()
            .iter()
            .filter(|f| f.entity.to_string() == "k8s:core/Secret/shop/checkout-tls")
            .map(|f| (f.path.to_string(), f.change, f.status, f.rule.as_deref().map(str::to_owned)))
            .collect()
    };
    let report = drift_core::report(&diff, &Policy::default());
    let got = tls(&report);
    let expired = ("[\"tls.crt\"]", FindingKind::Guard, Status::Drift, Some("certificate-expired".to_owned()));
    assert!(
        got.iter().any(|g| (g.0.ends_with(expired.0), g.1, g.2, &g.3) == (true, expired.1, expired.2, &expired.3)),
        "{got:#?}"
    );
    // The certificate is compared by what it says: a subject that differs only by the
    // environment's name is expected; an extra SAN and another expiry are drift.
    let drift_paths: Vec<&str> =
        got.iter().filter(|g| g.2 == Status::Drift && g.1 != FindingKind::Guard).map(|g| g.0.as_str()).collect();
    assert_eq!(drift_paths, ["data[\"tls.crt\"].not_after", "data[\"tls.crt\"].sans[=DNS:www.checkout.example.com]"]);
    let cert = report.findings().iter().find(|f| f.path.to_string() == "data[\"tls.crt\"].not_after");
    assert_eq!(cert.map(|f| f.category), Some(Category::Certificate));
    // Dates always differ between environments: info (the expiry guard covers the risk).
    assert_eq!(cert.map(|f| f.severity), Some(drift_core::Severity::Info));
    // Two weeks before it expired, the same certificate was expiring.
    let before = Policy { now: Some(1_747_267_200), ..Policy::default() }; // 2025-05-15
    let rules: Vec<Option<String>> = tls(&drift_core::report(&diff, &before)).into_iter().map(|g| g.3).collect();
    assert!(rules.contains(&Some("certificate-expiring".to_owned())), "{rules:?}");
    assert!(!rules.contains(&Some("certificate-expired".to_owned())));
}

#[test]
fn list_semantics() {
    // Container ports key by port and protocol: TCP and UDP on one port are two ports.
    let pod = |ports: &str, args: &str, tolerations: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  tolerations: {tolerations}\n  containers:\n  - name: c\n    image: x:1\n    args: {args}\n    ports: {ports}\n"
        )
    };
    let base = yaml(
        "a.yaml",
        &pod("[{containerPort: 53}, {containerPort: 53, protocol: UDP}]", "[a, b, c]", "[{key: x}, {key: y}]"),
    );
    let same = yaml(
        "b.yaml",
        &pod(
            "[{containerPort: 53, protocol: UDP}, {containerPort: 53, protocol: TCP}]",
            "[a, b, c]",
            "[{key: y}, {key: x}]",
        ),
    );
    assert!(drift(&compare(&base, &same)).is_empty());
    let changed = yaml("c.yaml", &pod("[{containerPort: 53}]", "[a, new, b, c]", "[{key: x}]"));
    let got = paths(&compare(&base, &changed));
    assert_eq!(
        got,
        [
            "spec.containers[name=c].args[1] added",
            "spec.containers[name=c].ports[containerPort=53,protocol=UDP] removed",
            "spec.tolerations[=key=true] removed",
        ]
        .map(String::from)
        .to_vec(),
        "{got:?}"
    );
}

#[test]
fn custom_resources_key_named_items() {
    let crd = |items: &str| {
        format!(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w, namespace: ns}}\nspec:\n  parts: {items}\n"
        )
    };
    let a = yaml("a.yaml", &crd("[{name: left, size: 1}, {name: right, size: 2}]"));
    let b = yaml("b.yaml", &crd("[{name: right, size: 3}, {name: left, size: 1}]"));
    let report = compare(&a, &b);
    // Named items match by name; with no CRD to say the list is a map, its order is compared too
    // (a custom resource's list is atomic by default).
    assert_eq!(paths(&report), ["spec.parts changed", "spec.parts[name=right].size changed"]);
    assert_eq!(report.findings()[0].entity.to_string(), "k8s:example.com/Widget/ns/w");
}

#[test]
fn identity() {
    let s = yaml(
        "ids.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config-5f7h9k2m4t, namespace: x}\n",
    );
    let ids: Vec<String> = s.entities().map(|e| e.id().to_string()).collect();
    assert_eq!(ids, ["k8s:apps/Deployment/default/d", "k8s:core/ConfigMap/x/app-config", "k8s:core/Namespace/_/shop"]);
}

#[test]
fn yaml_1_1_as_kubernetes_reads_it() {
    let manifest = |mode: &str, optional: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: [{{name: c, image: x:1}}]\n  volumes:\n  - name: v\n    configMap: {{name: m, defaultMode: {mode}, optional: {optional}}}\n"
        )
    };
    let octal = yaml("a.yaml", &manifest("0644", "yes"));
    let decimal = yaml("b.yaml", &manifest("420", "true"));
    assert!(drift(&compare(&octal, &decimal)).is_empty());
    let string = yaml("c.yaml", &manifest("\"0644\"", "\"yes\""));
    assert_eq!(drift(&compare(&octal, &string)).len(), 2, "quoted values are strings");
}

/// Documents beside the objects that are not Kubernetes objects (no `kind`, or an `apiVersion` and
/// `kind` without a name: a kustomization, a tool's config) are compared as configuration, never
/// dropped.
#[test]
fn documents_that_are_not_objects_are_compared_as_configuration() {
    let stream = |sandbox: bool| {
        format!(
            "# Source: chart/templates/empty.yaml\n---\nfoo: bar\npayment: {{sandbox: {sandbox}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\n---\napiVersion: k3d.io/v1alpha5\nkind: Simple\nservers: 1\n"
        )
    };
    let (a, b) = (yaml("mixed.yaml", &stream(false)), yaml("mixed.yaml", &stream(true)));
    let ids: Vec<String> = b.entities().map(|e| e.id().to_string()).collect();
    assert_eq!(ids, ["cfg:mixed.yaml", "k8s:core/ConfigMap/default/c"]);
    assert!(b.warnings().is_empty(), "{:?}", b.warnings());
    assert_eq!(paths(&compare(&a, &b)), ["[0].payment.sandbox changed"]);
}

#[test]
fn malformed_yaml_names_file_and_line() {
    let err = drift_core::parse(
        Format::Kubernetes,
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: [p\n",
        &options(),
    )
    .map(|_| ())
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("bad.yaml:5: invalid YAML"), "{err}");
    let err = drift_core::parse(
        Format::Kubernetes,
        "secret.yaml",
        b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: not base64!\n",
        &options(),
    )
    .map(|_| ())
    .unwrap_err()
    .to_string();
    assert_eq!(err, "secret.yaml:5: Secret data `password` is not valid base64");
}

#[test]
fn real_manifests_parse() {
    let realworld = root().join("fixtures/realworld");
    let mut objects = 0;
    // kubectl-neat's folder holds one Pod twice (raw and neat): a folder may define an object once,
    // so its files are read one by one.
    for file in ["pod-1-raw.yaml", "pod-1-neat.json", "list-1-raw.yaml", "secret1-raw.yaml"] {
        let path = realworld.join("kubectl-neat-fixtures").join(file);
        let snapshot = drift_core::load(&path, &options()).unwrap_or_else(|e| panic!("{file}: {e}"));
        objects += snapshot.entities().len();
    }
    // The Flux repository holds kustomize bases and overlays (patches of the same objects): every
    // file parses on its own.
    let mut files = vec![realworld.join("helm-template-output/template.txt")];
    let mut dirs = vec![realworld.join("flux2-kustomize-helm-example")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    for file in files {
        let snapshot = drift_core::load(&file, &options()).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        objects += snapshot.entities().len();
    }
    assert!(objects >= 30, "{objects} objects");
    let helm = drift_core::load(&realworld.join("helm-template-output/template.txt"), &options());
    assert!(helm.is_ok_and(|s| s.entities().len() >= 5), "helm template output with # Source comments");
    // The staging and production overlays differ as the repository's SOURCE.txt says.
    let flux = realworld.join("flux2-kustomize-helm-example/apps");
    let load = |side: &str| drift_core::load(&flux.join(side), &options()).unwrap_or_else(|e| panic!("{e}"));
    let report = compare(&load("staging"), &load("production"));
    let changed: Vec<String> = drift(&report).iter().map(|f| f.path.to_string()).collect();
    assert!(changed.contains(&"spec.chart.spec.version".to_owned()), "{changed:?}");
}

#[test]
fn init_containers_run_in_order_containers_do_not() {
    let pod = |init: &[(&str, &str)], containers: &[&str]| {
        let mut text = String::from(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      initContainers:\n",
        );
        for (name, image) in init {
            text.push_str(&format!("      - {{name: {name}, image: {image}}}\n"));
        }
        text.push_str("      containers:\n");
        for name in containers {
            text.push_str(&format!("      - {{name: {name}, image: {name}:1}}\n"));
        }
        yaml("deploy.yaml", &text)
    };
    let base = pod(&[("wait-db", "busybox:1"), ("migrate", "app:7")], &["app", "sidecar"]);

    // Containers in another order: not drift. Init containers in another order: one finding at
    // the list, with the two orders as its values.
    let swapped = pod(&[("migrate", "app:7"), ("wait-db", "busybox:1")], &["sidecar", "app"]);
    let report = compare(&base, &swapped);
    assert_eq!(paths(&report), ["spec.template.spec.initContainers changed"]);
    let finding = drift(&report)[0];
    assert_eq!(finding.left, Some(serde_json::json!(["wait-db", "migrate"])));
    assert_eq!(finding.right, Some(serde_json::json!(["migrate", "wait-db"])));
    assert!(finding.message.contains("is in another order: wait-db, migrate"), "{}", finding.message);

    // A changed image in the same order is that item's change only; an init container added at the
    // end keeps the others' order.
    let changed = pod(&[("wait-db", "busybox:1"), ("migrate", "app:8"), ("seed", "app:8")], &["app", "sidecar"]);
    assert_eq!(
        paths(&compare(&base, &changed)),
        [
            "spec.template.spec.initContainers[name=migrate].image changed",
            "spec.template.spec.initContainers[name=seed] added"
        ]
    );

    // A new init container first: added, and the others' order is unchanged.
    let first = pod(&[("seed", "app:8"), ("wait-db", "busybox:1"), ("migrate", "app:7")], &["app", "sidecar"]);
    assert_eq!(paths(&compare(&base, &first)), ["spec.template.spec.initContainers[name=seed] added"]);

    // The same environment never drifts from itself.
    assert!(compare(&base, &base).findings().is_empty());
}

#[test]
fn custom_resources_follow_their_crd_list_types() {
    let crd = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: routes.example.com}
spec:
  group: example.com
  names: {kind: Route, plural: routes}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [port, protocol]
                items:
                  type: object
                  properties:
                    port: {type: integer}
                    protocol: {type: string}
                    targetPort: {type: integer}
              hosts:
                type: array
                x-kubernetes-list-type: set
                items: {type: string}
";
    let route = |ports: &[(u32, u32)], hosts: &[&str]| {
        let mut text = String::from(
            "apiVersion: example.com/v1\nkind: Route\nmetadata: {name: web, namespace: shop}\nspec:\n  ports:\n",
        );
        for (port, target) in ports {
            text.push_str(&format!("  - {{port: {port}, protocol: TCP, targetPort: {target}}}\n"));
        }
        text.push_str(&format!("  hosts: [{}]\n", hosts.join(", ")));
        text
    };
    let base = route(&[(80, 8080), (443, 8443)], &["a.example.com", "b.example.com"]);
    let reordered = route(&[(443, 8443), (80, 8080)], &["b.example.com", "a.example.com"]);
    let retargeted = route(&[(443, 9443), (80, 8080)], &["b.example.com", "a.example.com"]);

    // Without the CRD these lists have no identity: a reorder reads as changes.
    assert!(!drift(&compare(&yaml("a.yaml", &base), &yaml("b.yaml", &reordered))).is_empty());

    // With the CRD in one environment only, both sides are compared by its list types.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crd-list-types");
    let write = |side: &str, files: &[(&str, &str)]| {
        let root = dir.join(side);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in files {
            std::fs::write(root.join(name), text).unwrap_or_else(|e| panic!("{e}"));
        }
        root
    };
    let staging = write("staging", &[("crd.yaml", crd), ("route.yaml", &base)]);
    let pair = |right: &str| {
        let production = write("production", &[("route.yaml", right)]);
        let (l, r) = drift_core::load_pair(&staging, &production, &options()).unwrap_or_else(|e| panic!("{e}"));
        let report = compare(&l, &r);
        drift(&report).iter().map(|f| format!("{} {} {}", f.entity, f.path, f.change)).collect::<Vec<_>>()
    };
    let crd_removed = "k8s:apiextensions.k8s.io/CustomResourceDefinition/_/routes.example.com  removed";
    assert_eq!(pair(&reordered), [crd_removed]);
    assert_eq!(
        pair(&retargeted),
        [crd_removed, "k8s:example.com/Route/shop/web spec.ports[port=443,protocol=TCP].targetPort changed"]
    );
}

/// A CRD that claims a built-in kind does not change how the real ones compare: `args` stays a
/// sequence (order matters) and containers stay keyed by name.
#[test]
fn a_crd_claiming_a_built_in_kind_is_not_applied() {
    let stream = |args: &str| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: deployments.apps}}
spec:
  group: apps
  names: {{kind: Deployment, plural: deployments}}
  versions:
  - name: v1
    storage: true
    schema:
      openAPIV3Schema:
        properties:
          spec:
            properties:
              template:
                properties:
                  spec:
                    properties:
                      containers:
                        type: array
                        x-kubernetes-list-type: set
                        items:
                          properties:
                            args: {{type: array, x-kubernetes-list-type: set, items: {{type: string}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  template:
    spec:
      containers:
      - name: web
        image: web:1
        args: [{args}]
"
        )
    };
    let (a, b) = (yaml("a.yaml", &stream("--a, --b")), yaml("b.yaml", &stream("--b, --a")));
    let found = paths(&compare(&a, &b));
    assert!(
        !found.is_empty() && found.iter().all(|p| p.starts_with("spec.template.spec.containers[name=web].args")),
        "{found:?}"
    );
}

#[test]
fn a_v1beta1_crd_in_the_same_file_applies_too() {
    // Helm output: the CRD and its resources in one stream; the older CRD form with one schema.
    let stream = |members: &str| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata: {{name: pools.example.com}}
spec:
  group: example.com
  names: {{kind: Pool, plural: pools}}
  version: v1
  validation:
    openAPIV3Schema:
      properties:
        spec:
          properties:
            members: {{type: array, x-kubernetes-list-type: set, items: {{type: string}}}}
---
apiVersion: example.com/v1
kind: Pool
metadata: {{name: db, namespace: shop}}
spec:
  members: [{members}]
"
        )
    };
    let (a, b) = (yaml("a.yaml", &stream("db-1, db-2, db-3")), yaml("b.yaml", &stream("db-3, db-1, db-2")));
    assert!(drift(&compare(&a, &b)).is_empty(), "{:?}", paths(&compare(&a, &b)));
    let c = yaml("c.yaml", &stream("db-3, db-1, db-4"));
    // A member replaced by another is one finding at the set (issue 17), naming both.
    let report = compare(&a, &c);
    assert_eq!(paths(&report), ["spec.members changed"]);
    let finding = drift(&report)[0];
    assert_eq!(
        (finding.left.clone(), finding.right.clone()),
        (Some(serde_json::json!(["db-2"])), Some(serde_json::json!(["db-4"])))
    );
}

#[test]
fn custom_resource_lists_keep_their_order_unless_their_crd_says_otherwise() {
    // Routes are tried in order: without a CRD saying otherwise, a list keeps its order (the API
    // server's default for custom resources), while its named items still match by name.
    let service = |routes: &[(&str, u32)]| {
        let mut text = String::from(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web, namespace: shop}\nspec:\n  http:\n",
        );
        for (name, weight) in routes {
            text.push_str(&format!(
                "  - {{name: {name}, route: [{{destination: {{host: web}}, weight: {weight}}}]}}\n"
            ));
        }
        text
    };
    let base = yaml("a.yaml", &service(&[("canary", 10), ("default", 90)]));
    let swapped = yaml("b.yaml", &service(&[("default", 90), ("canary", 10)]));
    assert_eq!(paths(&compare(&base, &swapped)), ["spec.http changed"]);
    let reweighted = yaml("c.yaml", &service(&[("canary", 20), ("default", 90)]));
    assert_eq!(paths(&compare(&base, &reweighted)), ["spec.http[name=canary].route[0].weight changed"]);

    // A CRD that declares the list a map by name makes the order irrelevant.
    let crd = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: virtualservices.networking.istio.io}
spec:
  group: networking.istio.io
  names: {kind: VirtualService, plural: virtualservices}
  versions:
  - name: v1
    storage: true
    schema:
      openAPIV3Schema:
        properties:
          spec:
            properties:
              http: {type: array, x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [name]}
---
";
    let with_crd = |routes: &[(&str, u32)]| yaml("d.yaml", &format!("{crd}{}", service(routes)));
    let (a, b) = (with_crd(&[("canary", 10), ("default", 90)]), with_crd(&[("default", 90), ("canary", 10)]));
    assert!(drift(&compare(&a, &b)).is_empty(), "{:?}", paths(&compare(&a, &b)));
}

/// A chart rendered by `helm template` against its live release (issue 15): Helm's bookkeeping,
/// `checksum/*` annotations, replicas an HPA owns, hook pods and the server-filled
/// `serviceAccount` are ignored with reasons; the ConfigMap change behind the checksum is drift.
#[test]
fn helm_release_bookkeeping_is_noise() {
    let rendered = |data: &str, checksum: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n    helm.sh/chart: web-1.2.0\n    app.kubernetes.io/managed-by: Helm\ndata:\n  LOG_LEVEL: {data}\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n    helm.sh/chart: web-1.2.0\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata:\n      labels: {{app: web}}\n      annotations:\n        checksum/config: {checksum}\n    spec:\n      serviceAccountName: web\n      containers:\n        - name: web\n          image: web:1.2.3\n          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}\n---\n\
             apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web, namespace: shop}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  minReplicas: 2\n  maxReplicas: 10\n---\n"
        )
    };
    let git = rendered("info", "aaa111");
    let live = rendered("debug", "bbb222")
        .replace("  replicas: 2\n", "  replicas: 7\n")
        .replace("      serviceAccountName: web\n", "      serviceAccountName: web\n      serviceAccount: web\n")
        .replace(
            "  namespace: shop\n  labels:\n    helm.sh/chart: web-1.2.0\n    app",
            "  namespace: shop\n  annotations:\n    meta.helm.sh/release-name: web\n    meta.helm.sh/release-namespace: shop\n  labels:\n    helm.sh/chart: web-1.3.0\n    app",
        )
        + "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-test-connection\n  namespace: shop\n  annotations: {helm.sh/hook: test}\nspec:\n  containers:\n    - name: wget\n      image: busybox:latest\n";
    let (left, right) = (yaml("git/web.yaml", &git), yaml("live/web.yaml", &live));
    let mut left = left;
    let mut right = right;
    left.set_name("production");
    right.set_name("production");
    let report = compare(&left, &right);
    let drifted: Vec<String> = drift(&report).iter().map(|f| format!("{} {} {}", f.entity, f.path, f.change)).collect();
    assert_eq!(drifted, ["k8s:core/ConfigMap/shop/web data.LOG_LEVEL changed"], "{drifted:#?}");
    let ignored: Vec<String> = report
        .findings()
        .iter()
        .filter(|f| f.status == Status::Ignored)
        .map(|f| format!("{} {}", f.path, f.reason.as_deref().unwrap_or_default()))
        .collect();
    for expected in ["checksum", "HorizontalPodAutoscaler web", "Helm hook", "helm.sh/chart"] {
        assert!(ignored.iter().any(|i| i.contains(expected)), "{expected}: {ignored:#?}");
    }
}

/// `serviceAccount` is the deprecated alias of `serviceAccountName`: a pod spec that says one and
/// a pod spec that says the other (or both, as the API server writes them) are the same.
#[test]
fn service_account_alias() {
    let pod = |spec: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: n}}\nspec:\n  {spec}\n  containers: [{{name: c, image: i:1}}]\n"
        )
    };
    let alias = yaml("a.yaml", &pod("serviceAccount: api-sa"));
    let name = yaml("b.yaml", &pod("serviceAccountName: api-sa"));
    let both = yaml("c.yaml", &pod("serviceAccountName: api-sa\n  serviceAccount: api-sa"));
    let other = yaml("d.yaml", &pod("serviceAccountName: other-sa"));
    assert!(drift(&compare(&alias, &name)).is_empty());
    assert!(drift(&compare(&name, &both)).is_empty());
    assert_eq!(paths(&compare(&alias, &other)), ["spec.serviceAccountName changed"]);
}

/// A ConfigMap key is guarded as what its consumers run with (issue 16): every consumer
/// overriding it in its own `env` raises no guard; otherwise the guard names the workloads.
#[test]
fn config_map_guards_follow_their_consumers() {
    let manifests = |override_env: bool| {
        let env = if override_env { "\n          env: [{name: PAYMENT_SANDBOX, value: \"false\"}]" } else { "" };
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app, namespace: shop}}\ndata: {{PAYMENT_SANDBOX: \"true\"}}\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: web:1.2.3\n          resources: {{limits: {{cpu: 1, memory: 1Gi}}}}\n          envFrom: [{{configMapRef: {{name: app}}}}]{env}\n"
        )
    };
    let guards = |override_env: bool| {
        let mut left = yaml("staging/app.yaml", &manifests(override_env));
        let mut right = yaml("production/app.yaml", &manifests(override_env));
        left.set_name("staging");
        right.set_name("production");
        compare(&left, &right)
            .findings()
            .iter()
            .filter(|f| f.change == FindingKind::Guard)
            .map(|f| (f.entity.to_string(), f.message.clone()))
            .collect::<Vec<_>>()
    };
    assert!(guards(true).is_empty(), "the container runs with false: {:?}", guards(true));
    let fired = guards(false);
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert!(
        fired[0].0 == "k8s:core/ConfigMap/shop/app" && fired[0].1.contains("used by Deployment/web (container api)"),
        "{fired:?}"
    );
}

/// The effective container environment (issue 16, part 3): a variable that takes its value from a
/// ConfigMap key of another name is guarded under the variable's name; a reference production
/// cannot satisfy is a finding, unless optional.
#[test]
fn container_environments_are_guarded_as_the_container_sees_them() {
    let manifests = |data: &str, extra_env: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app, namespace: shop}}\ndata: {{{data}}}\n---\n\
             apiVersion: v1\nkind: Secret\nmetadata: {{name: db, namespace: shop}}\ndata: {{password: aHVudGVyMg==}}\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: web:1.2.3\n          resources: {{limits: {{cpu: 1, memory: 1Gi}}}}\n          env:\n            - name: PAYMENT_SANDBOX\n              valueFrom: {{configMapKeyRef: {{name: app, key: provider-mode}}}}\n            - name: DB_PASSWORD\n              valueFrom: {{secretKeyRef: {{name: db, key: password}}}}{extra_env}\n"
        )
    };
    let guards = |staging: &str, production: &str| {
        let mut left = yaml("staging/app.yaml", staging);
        let mut right = yaml("production/app.yaml", production);
        left.set_name("staging");
        right.set_name("production");
        compare(&left, &right)
            .findings()
            .iter()
            .filter(|f| f.change == FindingKind::Guard)
            .map(|f| (f.rule.as_deref().unwrap_or_default().to_owned(), f.path.to_string(), f.message.clone()))
            .collect::<Vec<_>>()
    };
    // `provider-mode: "true"` names no switch; the container runs with PAYMENT_SANDBOX=true.
    let on = manifests("provider-mode: \"true\", TIMEOUT: \"30\"", "");
    let fired = guards(&on, &on);
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0].0, "production-switch");
    assert_eq!(fired[0].1, "spec.template.spec.containers[name=api].env[name=PAYMENT_SANDBOX].valueFrom");
    assert!(fired[0].2.contains("from ConfigMap app key provider-mode"), "{fired:?}");
    let off = manifests("provider-mode: \"false\", TIMEOUT: \"30\"", "");
    assert!(guards(&off, &off).is_empty());
    // A key production's ConfigMap lacks: the pod would not start; optional, it is fine.
    let timeout =
        "\n            - name: TIMEOUT\n              valueFrom: {configMapKeyRef: {name: app, key: TIMEOUT}}";
    let staging = manifests("provider-mode: \"false\", TIMEOUT: \"30\"", timeout);
    let production = manifests("provider-mode: \"false\"", timeout);
    let fired = guards(&staging, &production);
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0].0, "missing-reference");
    assert!(fired[0].2.contains("key TIMEOUT of ConfigMap app"), "{fired:?}");
    let optional = "\n            - name: TIMEOUT\n              valueFrom: {configMapKeyRef: {name: app, key: TIMEOUT, optional: true}}";
    let production = manifests("provider-mode: \"false\"", optional);
    assert!(guards(&manifests("provider-mode: \"false\", TIMEOUT: \"30\"", optional), &production).is_empty());
    // An object only staging has.
    let cache = "\n          envFrom: [{secretRef: {name: cache}}]";
    let staging = format!(
        "{}---\napiVersion: v1\nkind: Secret\nmetadata: {{name: cache, namespace: shop}}\ndata: {{url: eA==}}\n",
        manifests("provider-mode: \"false\"", cache)
    );
    let fired = guards(&staging, &manifests("provider-mode: \"false\"", cache));
    assert!(fired.iter().any(|f| f.0 == "missing-reference" && f.2.contains("Secret cache")), "{fired:?}");
}

/// A set item whose fields changed is one finding naming them, not a rule removed and another
/// added (issue 17): a NetworkPolicy rule whose port changed.
#[test]
fn a_changed_set_item_is_one_finding() {
    let policy = |port: u32| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: api, namespace: shop}}\nspec:\n  podSelector: {{}}\n  ingress:\n    - from: [{{namespaceSelector: {{matchLabels: {{name: web}}}}}}]\n      ports: [{{port: {port}, protocol: TCP}}]\n    - from: [{{namespaceSelector: {{matchLabels: {{name: monitoring}}}}}}]\n      ports: [{{port: 9100, protocol: TCP}}]\n"
        )
    };
    let report = compare(&yaml("a.yaml", &policy(8080)), &yaml("b.yaml", &policy(9090)));
    let found = drift(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].change, FindingKind::Changed);
    // The rule named as production has it, the fields that changed in its reason.
    assert_eq!(found[0].path.to_string(), "spec.ingress[=ports=9090/TCP from namespace=web]");
    let reason = found[0].reason.as_deref().unwrap_or_default();
    assert!(reason.starts_with("ports ") && reason.contains("8080") && reason.contains("9090"), "{reason}");
}
