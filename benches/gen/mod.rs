//! Generators shared by the benches and the `gen` example: large `.env` files, Kubernetes manifests,
//! Terraform states, flag files and synthetic models with known drift. Deterministic, standard library only.

#![allow(dead_code)]

use std::sync::Arc;

use drift_core::{Domain, Entity, EntityId, Field, List, Node, Number, Snapshot};

/// One side's `.env` lines, about 40 bytes each: every 997th key is missing in production, every
/// 101st setting changed, a tenth of the keys are endpoints (differing only by environment name) and
/// a tenth are secrets (every 7th of those is the same on both sides).
pub(crate) fn env_lines(side: &str, keys: usize) -> impl Iterator<Item = String> + '_ {
    let production = side == "production";
    (0..keys).filter_map(move |i| {
        if production && i % 997 == 0 {
            return None;
        }
        let host = if production { "production" } else { "staging" };
        Some(match i % 10 {
            0 => format!("SERVICE_{i:07}_URL=https://s{i}.{host}.internal\n"),
            1 => format!("SERVICE_{i:07}_TOKEN=tok-{}-{i:07}\n", if production && i % 7 != 0 { "p" } else { "s" }),
            _ if production && i % 101 == 0 => format!("SETTING_{i:07}=value-{i:07}-changed\n"),
            _ => format!("SETTING_{i:07}=value-{i:07}-abcdefgh\n"),
        })
    })
}

/// One side's whole `.env` text.
pub(crate) fn env_text(side: &str, keys: usize) -> String {
    env_lines(side, keys).collect()
}

/// Writes `env_lines` for both sides as `out/staging/.env` and `out/production/.env`; returns
/// the bytes written per side.
pub(crate) fn write_env(out: &std::path::Path, keys: usize) -> std::io::Result<u64> {
    write_sides(out, ".env", |side| env_text(side, keys))
}

/// Writes one file per side (`out/staging/NAME`, `out/production/NAME`); returns the bytes per side.
fn write_sides(out: &std::path::Path, name: &str, text: impl Fn(&str) -> String) -> std::io::Result<u64> {
    let mut size = 0;
    for side in ["staging", "production"] {
        let dir = out.join(side);
        std::fs::create_dir_all(&dir)?;
        let text = text(side);
        size += text.len() as u64;
        std::fs::write(dir.join(name), text)?;
    }
    Ok(size / 2)
}

/// A synthetic snapshot of `entities` Kubernetes-like objects: a few scalars, a keyed list of
/// containers and a set; on the right, 1% of the entities carry a change.
pub(crate) fn model(side: &str, entities: usize) -> Snapshot {
    model_changing(side, entities, 100)
}

/// Like [`model`], with one entity in `every` changed on the right (1 changes them all).
pub(crate) fn model_changing(side: &str, entities: usize, every: usize) -> Snapshot {
    let right = side == "production";
    let file: Arc<str> = Arc::from(format!("{side}/all.yaml"));
    let mut snapshot = Snapshot::new(side);
    for i in 0..entities {
        let changed = right && i % every.max(1) == 0;
        let replicas = if changed { 3 } else { 2 };
        let container = |name: &str, image: String| {
            Node::map(vec![
                Field::new("name", 0, Node::string(name)),
                Field::new("image", 0, Node::string(image)),
                Field::new(
                    "args",
                    0,
                    Node::List(List::sequence(vec![Node::string("--port=8080"), Node::string("--verbose")])),
                ),
                Field::new(
                    "resources",
                    0,
                    Node::map(vec![Field::new("limits", 0, Node::map(vec![Field::new("cpu", 0, Node::string("1"))]))]),
                ),
            ])
        };
        let body = Node::map(vec![
            Field::new("replicas", 1, Node::Number(Box::new(Number::from_i64(replicas)))),
            Field::new("app", 2, Node::string(format!("app-{i}"))),
            Field::new(
                "containers",
                3,
                Node::List(List::keyed(
                    &["name"],
                    vec![
                        container("api", format!("registry/app-{i}:1.{}", u8::from(right && i % 100 == 0))),
                        container("sidecar", "envoy:1.30".into()),
                    ],
                )),
            ),
            Field::new(
                "cidrs",
                9,
                Node::List(List::set(vec![Node::string("10.0.0.0/8"), Node::string("192.168.0.0/16")])),
            ),
        ]);
        let id = EntityId::new(Domain::K8s, format!("apps/Deployment/ns-{}/app-{i}", i % 50));
        let _ = snapshot.insert(Entity::new(id, file.clone(), (i * 40 + 1) as u32, body));
    }
    snapshot
}

/// Kubernetes manifests for one side: `objects` objects (Deployments and ConfigMaps, about 4 KB
/// each) in files of 50 documents. On the right, 1% of objects carry a real change, and every
/// object is written with equivalent spellings (quantities, key order) that must not be drift.
pub(crate) fn k8s_files(side: &str, objects: usize) -> Vec<(String, String)> {
    let right = side == "production";
    let mut files = Vec::new();
    let mut text = String::new();
    for i in 0..objects {
        let ns = format!("team-{}", i % 40);
        if i % 2 == 0 {
            let changed = right && i % 100 == 0;
            let replicas = if changed { 4 } else { 2 };
            let (cpu, memory) = if right { ("0.5", "268435456") } else { ("500m", "256Mi") };
            let env: String =
                (0..60).map(|k| format!("        - name: SETTING_{k}\n          value: \"value-{k}-{i}\"\n")).collect();
            text.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: app-{i}\n    app.kubernetes.io/part-of: shop\n    team: team-{t}\n  annotations:\n    owner: team-{t}@example.com\n    description: \"service {i} of the benchmark\"\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app-{i}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: app-{i}\n    spec:\n      serviceAccountName: app-{i}\n      containers:\n      - name: app\n        image: registry.example.com/shop/app-{i}:1.{v}.0\n        args: [\"--port=8080\", \"--log-format=json\", \"--metrics\"]\n        ports:\n        - containerPort: 8080\n          name: http\n        - containerPort: 9090\n          name: metrics\n        env:\n{env}        resources:\n          requests:\n            cpu: {cpu}\n            memory: {memory}\n          limits:\n            cpu: \"1\"\n            memory: 512Mi\n        readinessProbe:\n          httpGet:\n            path: /ready\n            port: 8080\n          periodSeconds: 5\n        livenessProbe:\n          httpGet:\n            path: /live\n            port: 8080\n          initialDelaySeconds: 10\n        volumeMounts:\n        - name: config\n          mountPath: /etc/app\n        - name: cache\n          mountPath: /var/cache/app\n      - name: proxy\n        image: envoyproxy/envoy:v1.30.1\n        resources:\n          limits:\n            cpu: 200m\n            memory: 128Mi\n      volumes:\n      - name: config\n        configMap:\n          name: app-{i}-config\n          defaultMode: 0644\n      - name: cache\n        emptyDir:\n          sizeLimit: 1Gi\n      tolerations:\n      - key: dedicated\n        operator: Equal\n        value: shop\n        effect: NoSchedule\n",
                t = i % 40,
                v = u8::from(changed),
            ));
        } else {
            let level = if right && i % 100 == 1 { "warn" } else { "info" };
            text.push_str(&format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{p}-config\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: app-{p}\ndata:\n  LOG_LEVEL: {level}\n  CACHE_TTL: \"300\"\n  application.yaml: |\n    server:\n      port: 8080\n      shutdown: graceful\n    datasource:\n      url: jdbc:postgresql://db.internal:5432/app_{p}\n      pool: 10\n    features:\n      recommendations: true\n      reviews: false\n    logging:\n      level: {level}\n      format: json\n{extra}",
                p = i - 1,
                extra = (0..110).map(|k| format!("    limit_{k}: {}\n", k * 10 + i % 7)).collect::<String>(),
            ));
        }
        if (i + 1) % 50 == 0 || i + 1 == objects {
            files.push((format!("bundle-{:04}.yaml", files.len()), std::mem::take(&mut text)));
        }
    }
    files
}

/// Writes `k8s_files` for both sides under `out/staging` and `out/production`; returns the bytes
/// written per side.
pub(crate) fn write_k8s(out: &std::path::Path, objects: usize) -> std::io::Result<u64> {
    let mut size = 0;
    for side in ["staging", "production"] {
        let dir = out.join(side);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        for (name, text) in k8s_files(side, objects) {
            size += text.len() as u64;
            std::fs::write(dir.join(name), text)?;
        }
    }
    Ok(size / 2)
}

/// A Terraform state for one side with `instances` resource instances (about 3 KB each): security
/// groups with ingress rules, queues with JSON policies, databases with a sensitive password. On the
/// right, 1% of instances carry a change, rules and keys are reordered, ids and account ids differ.
pub(crate) fn tf_state(side: &str, instances: usize) -> String {
    let right = side == "production";
    let account = if right { "444455556666" } else { "111122223333" };
    let mut out = String::with_capacity(instances * 3200);
    out.push_str(&format!(
        "{{\"version\": 4, \"terraform_version\": \"1.7.5\", \"serial\": {}, \"lineage\": \"{side}\", \"outputs\": {{}}, \"resources\": [\n",
        if right { 900 } else { 12 }
    ));
    let per_resource = 10;
    for r in 0..instances.div_ceil(per_resource) {
        let (kind, module) = match r % 3 {
            0 => ("aws_security_group", format!("module.network_{}", r % 7)),
            1 => ("aws_sqs_queue", format!("module.queues[\\\"q{}\\\"]", r % 5)),
            _ => ("aws_db_instance", "module.data".to_owned()),
        };
        if r > 0 {
            out.push_str(",\n");
        }
        out.push_str(&format!(
            "{{\"module\": \"{module}\", \"mode\": \"managed\", \"type\": \"{kind}\", \"name\": \"r{r}\", \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\", \"instances\": ["
        ));
        for i in 0..per_resource {
            let n = r * per_resource + i;
            if n >= instances {
                break;
            }
            if i > 0 {
                out.push(',');
            }
            let changed = right && n % 100 == 0;
            let id = format!("{}-{:016x}", &kind[4..6], n as u64 * if right { 7 } else { 3 });
            let attributes = match kind {
                "aws_security_group" => {
                    let mut rules: Vec<String> = (0..8)
                        .map(|k| {
                            let port = 1000 + k * 10 + usize::from(changed && k == 0);
                            let cidrs = if right { format!("[\"10.{k}.1.0/24\", \"10.{k}.0.0/24\"]") } else { format!("[\"10.{k}.0.0/24\", \"10.{k}.1.0/24\"]") };
                            format!("{{\"cidr_blocks\": {cidrs}, \"description\": \"rule {k}\", \"from_port\": {port}, \"ipv6_cidr_blocks\": [], \"prefix_list_ids\": [], \"protocol\": \"tcp\", \"security_groups\": [], \"self\": false, \"to_port\": {port}}}")
                        })
                        .collect();
                    if right {
                        rules.reverse();
                    }
                    format!(
                        "\"arn\": \"arn:aws:ec2:eu-west-1:{account}:security-group/{id}\", \"description\": \"group {n}\", \"id\": \"{id}\", \"ingress\": [{}], \"egress\": [], \"name\": \"sg-{n}-{side}\", \"owner_id\": \"{account}\", \"tags\": {{\"Environment\": \"{side}\", \"Team\": \"t{}\"}}, \"tags_all\": {{\"Environment\": \"{side}\", \"Team\": \"t{}\", \"ManagedBy\": \"terraform\"}}, \"vpc_id\": \"vpc-{:012x}\"",
                        rules.join(", "),
                        n % 9,
                        n % 9,
                        if right { 2 } else { 1 }
                    )
                }
                "aws_sqs_queue" => {
                    let receive = if changed { 3 } else { 5 };
                    let policy = format!(
                        "{{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{{\\\"AWS\\\":\\\"arn:aws:iam::{account}:root\\\"}},\\\"Action\\\":[\\\"sqs:SendMessage\\\",\\\"sqs:ReceiveMessage\\\"],\\\"Resource\\\":\\\"*\\\"}}]}}"
                    );
                    format!(
                        "\"arn\": \"arn:aws:sqs:eu-west-1:{account}:queue-{n}-{side}\", \"delay_seconds\": 0, \"id\": \"https://sqs.eu-west-1.amazonaws.com/{account}/queue-{n}-{side}\", \"max_message_size\": 262144, \"message_retention_seconds\": 345600, \"name\": \"queue-{n}-{side}\", \"policy\": \"{policy}\", \"redrive_policy\": \"{{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:eu-west-1:{account}:dlq-{n}-{side}\\\",\\\"maxReceiveCount\\\":{receive}}}\", \"tags\": {{\"Environment\": \"{side}\"}}, \"visibility_timeout_seconds\": 30"
                    )
                }
                _ => format!(
                    "\"allocated_storage\": {}, \"arn\": \"arn:aws:rds:eu-west-1:{account}:db:db-{n}-{side}\", \"engine\": \"postgres\", \"engine_version\": \"{}\", \"id\": \"db-{n}\", \"instance_class\": \"db.r6g.large\", \"password\": \"pw-{side}-{n}\", \"publicly_accessible\": false, \"storage_type\": \"gp3\", \"tags\": {{\"Environment\": \"{side}\"}}, \"username\": \"app\", \"vpc_security_group_ids\": [\"sg-{:016x}\"]",
                    if right { "100.0" } else { "100" },
                    if changed { "15.6" } else { "16.2" },
                    n as u64 * if right { 7 } else { 3 }
                ),
            };
            let sensitive =
                if kind == "aws_db_instance" { "[[{\"type\": \"get_attr\", \"value\": \"password\"}]]" } else { "[]" };
            out.push_str(&format!(
                "{{\"index_key\": {i}, \"schema_version\": 1, \"attributes\": {{{attributes}}}, \"sensitive_attributes\": {sensitive}, \"private\": \"bnVsbA==\", \"dependencies\": [\"module.network_0.aws_security_group.r0\"]}}"
            ));
        }
        out.push_str("]}");
    }
    out.push_str("\n]}\n");
    out
}

/// Writes `tf_state` for both sides as `out/staging/terraform.tfstate` and
/// `out/production/terraform.tfstate`, indented as Terraform writes a state (Go's
/// `json.MarshalIndent` with two spaces) or compact as OpenTofu stores one in a remote backend;
/// returns the bytes written per side.
pub(crate) fn write_tf(out: &std::path::Path, instances: usize, indented: bool) -> std::io::Result<u64> {
    write_sides(out, "terraform.tfstate", |side| {
        let compact = tf_state(side, instances);
        if indented { indent_json(&compact) } else { compact }
    })
}

/// Re-lays out a JSON document one value per line, two spaces per level, keeping key order (as
/// Go's `json.MarshalIndent(v, "", "  ")` does; empty objects and arrays stay `{}` and `[]`).
pub(crate) fn indent_json(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * 2));
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if in_string {
            out.push(b);
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'{' | b'[' => {
                out.push(b);
                let next = bytes[i..].iter().find(|c| !c.is_ascii_whitespace());
                if matches!(next, Some(b'}' | b']')) {
                    continue; // empty: the closing byte follows directly
                }
                depth += 1;
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                if !matches!(out.last(), Some(b'{' | b'[')) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            b' ' | b'\n' | b'\t' | b'\r' => {}
            _ => out.push(b),
        }
    }
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// flagd flag definitions for one side: `flags` flags with targeting, fractional rollouts and a
/// shared evaluator; on the right 1% of flags change their default, variants are reordered.
pub(crate) fn flagd(side: &str, flags: usize) -> String {
    let right = side == "production";
    let mut out = String::from("{\"$schema\": \"https://flagd.dev/schema/v0/flags.json\", \"flags\": {\n");
    for i in 0..flags {
        if i > 0 {
            out.push_str(",\n");
        }
        let default = if right && i % 100 == 0 { "off" } else { "on" };
        let variants = if right { "{\"off\": false, \"on\": true}" } else { "{\"on\": true, \"off\": false}" };
        let targeting = match i % 3 {
            0 => "{\"if\": [{\"$ref\": \"beta\"}, \"on\", \"off\"]}".to_owned(),
            1 => format!("{{\"fractional\": [[\"on\", {}], [\"off\", {}]]}}", 10 + i % 50, 90 - i % 50),
            _ => format!(
                "{{\"if\": [{{\"ends_with\": [{{\"var\": \"email\"}}, \"@team{}.example.com\"]}}, \"on\", \"off\"]}}",
                i % 20
            ),
        };
        out.push_str(&format!(
            "  \"flag-{i:06}\": {{\"state\": \"ENABLED\", \"variants\": {variants}, \"defaultVariant\": \"{default}\", \"targeting\": {targeting}, \"metadata\": {{\"owner\": \"team-{}\"}}}}",
            i % 20
        ));
    }
    out.push_str(
        "\n}, \"$evaluators\": {\"beta\": {\"in\": [{\"var\": \"email\"}, [\"a@example.com\", \"b@example.com\"]]}}}\n",
    );
    out
}

/// Writes `flagd` for both sides as `out/staging/flags.json` and `out/production/flags.json`.
pub(crate) fn write_flags(out: &std::path::Path, flags: usize) -> std::io::Result<u64> {
    write_sides(out, "flags.json", |side| flagd(side, flags))
}

/// A drift.toml with `rules` rules (ignore, expect and severity, with entity and path globs) for the
/// entities of [`model`].
pub(crate) fn rules(rules: usize) -> String {
    let mut out = String::from("[environments]\nleft = \"staging\"\nright = \"production\"\n");
    for i in 0..rules {
        let kind = ["ignore", "expect", "severity"][i % 3];
        out.push_str(&format!("\n[[{kind}]]\nentity = \"k8s:apps/Deployment/ns-{}/app-{i}*\"\n", i % 50));
        out.push_str(match kind {
            "ignore" => "path = \"spec.template.spec.containers[*].image\"\nreason = \"rolled out separately\"\n",
            "expect" => "path = \"replicas\"\nright_match = \"^[3-9]$\"\n",
            _ => "path = \"**\"\nlevel = \"low\"\n",
        });
    }
    out
}

/// `count` settings as a real environment mixes them: mostly ordinary values (names, hosts, image
/// references, ARNs, numbers, config text), some secrets by name, some credentials by shape.
pub(crate) fn settings(count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            let token: String = format!("{:016x}{:016x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15), i * 31)
                .chars()
                .map(|c| if c.is_ascii_digit() && i % 3 == 0 { c } else { c.to_ascii_uppercase() })
                .collect();
            match i % 20 {
                0 => (format!("SERVICE_{i}_PASSWORD"), format!("pw-{token}")),
                1 => (format!("DATABASE_{i}_URL"), format!("postgres://app:{token}@db-{i}.internal:5432/app")),
                2 => (format!("UPSTREAM_{i}"), format!("sk_live_{token}")),
                3 => (
                    format!("APP_{i}_CONFIG"),
                    format!("server.port=8080\nlogging.level=info\nfeature.{i}.enabled=true\n"),
                ),
                4 => (format!("ROLE_{i}_ARN"), format!("arn:aws:iam::123456789012:role/service-{i}")),
                5 => (format!("IMAGE_{i}"), format!("registry.example.com/team/service-{i}:1.{i}.0")),
                6 => (format!("REQUEST_{i}_ID"), "550e8400-e29b-41d4-a716-446655440000".to_owned()),
                7 => (format!("ENDPOINT_{i}"), format!("https://api-{i}.example.com/v1/items?page=1&limit=50")),
                8 => (format!("LOG_LEVEL_{i}"), "info".to_owned()),
                9 => (format!("TIMEOUT_{i}_MS"), format!("{}", i * 10)),
                _ => (format!("SETTING_{i}"), format!("value-{i}-{}", i % 7)),
            }
        })
        .collect()
}

/// A Helm chart's values (`env: None`, about 60 lines) or one environment's overrides of them
/// (about 20 lines), as charts keep them.
pub(crate) fn helm_values(chart: usize, env: Option<&str>) -> String {
    match env {
        None => format!(
            "replicaCount: 1\nimage:\n  repository: registry.example.com/team/app-{chart}\n  tag: \"1.{chart}.0\"\n  pullPolicy: IfNotPresent\nserviceAccount:\n  create: true\n  annotations: {{}}\nservice:\n  type: ClusterIP\n  port: 8080\ningress:\n  enabled: false\n  className: nginx\n  hosts:\n    - host: app-{chart}.example.com\n      paths:\n        - path: /\n          pathType: Prefix\nresources:\n  limits:\n    cpu: 500m\n    memory: 256Mi\n  requests:\n    cpu: 100m\n    memory: 128Mi\nautoscaling:\n  enabled: false\n  minReplicas: 1\n  maxReplicas: 5\n  targetCPUUtilizationPercentage: 80\nconfig:\n  logLevel: info\n  featureX: false\n  payment:\n    provider: stripe\n    sandbox: true\n    timeoutMs: 3000\n  database:\n    host: db.internal\n    port: 5432\n    pool: 10\n  cache:\n    ttlSeconds: 300\n    size: 1000\nnodeSelector: {{}}\ntolerations: []\naffinity: {{}}\npodAnnotations:\n  prometheus.io/scrape: \"true\"\n  prometheus.io/port: \"8080\"\nenv:\n  - name: REGION\n    value: eu-west-1\n  - name: TIER\n    value: web\n"
        ),
        Some(env) => format!(
            "replicaCount: {}\nimage:\n  tag: \"1.{chart}.1\"\ningress:\n  enabled: true\n  hosts:\n    - host: app-{chart}.{env}.example.com\n      paths:\n        - path: /\n          pathType: Prefix\nresources:\n  limits:\n    memory: 1Gi\nconfig:\n  logLevel: warn\n  payment:\n    sandbox: false\n  database:\n    host: db.{env}.internal\n    pool: 50\n",
            2 + chart % 5
        ),
    }
}
