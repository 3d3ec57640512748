//! The leak harness (DESIGN §8): a corpus with a distinctive canary in every place a real team keeps
//! a secret — by source marking, by name at any depth, by command-line form, by value shape, and in
//! the inputs of error paths and warnings — is run through every command and output format. The
//! test fails on any canary in stdout, stderr or a written file.
//!
//! Canaries are built at run time (no token-shaped literal in the repository); each one is unique,
//! so a failure names the place that leaked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A canary: letters and digits only, so it fits every token format's alphabet.
fn canary(n: usize) -> String {
    format!("Cnry{n:02}Zq8Lw3Xv9Pk4Tb7")
}

/// The canaries of a corpus, by the place they sit.
struct Corpus {
    canaries: BTreeMap<String, &'static str>,
}

impl Corpus {
    fn new() -> Self {
        Corpus { canaries: BTreeMap::new() }
    }

    /// A new canary for `place`, `len` characters long (repeated to length), as it will appear.
    fn plant(&mut self, place: &'static str, len: usize) -> String {
        let base = canary(self.canaries.len());
        let text: String = base.chars().cycle().take(len.max(base.len())).collect();
        self.canaries.insert(base, place);
        text
    }

    /// A lower-case hex canary of 32 digits (a Sentry DSN's key).
    fn plant_hex(&mut self, place: &'static str) -> String {
        let text = format!("c0ffee{:02}5a1b2c3d4e5f6a7b8c9d0e1f2", self.canaries.len());
        self.canaries.insert(text.clone(), place);
        text
    }

    /// An upper-case canary (AWS key ids).
    fn plant_upper(&mut self, place: &'static str) -> String {
        let base = canary(self.canaries.len()).to_ascii_uppercase();
        let text: String = base.chars().take(16).collect();
        self.canaries.insert(text.clone(), place);
        text
    }
}

fn base64(bytes: &[u8], url: bool) -> String {
    const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let table = if url { URL } else { STD };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(table[(n >> (18 - 6 * i)) as usize & 63]));
        }
        if !url {
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
    }
    out
}

/// Writes both environments of the corpus; returns (staging, production).
fn write_corpus(dir: &Path, corpus: &mut Corpus) -> (PathBuf, PathBuf) {
    let (staging, production) = (dir.join("staging"), dir.join("production"));
    for side in [&staging, &production] {
        std::fs::create_dir_all(side.join("k8s")).unwrap_or_else(|e| panic!("{e}"));
    }
    // Every environment gets its own canaries: a secret of either side must not leak.
    for side in [&staging, &production] {
        let c = &mut *corpus;
        let jwt = format!(
            "{}.{}.{}",
            base64(br#"{"alg":"HS256","typ":"JWT"}"#, true),
            base64(br#"{"sub":"svc"}"#, true),
            c.plant("JWT value", 30)
        );
        let pem_body = c.plant("PEM private key body", 64);
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\nMIIE{pem_body}\n-----END RSA PRIVATE KEY-----\n");
        let basic = base64(format!("svc:{}", c.plant("Basic credentials", 20)).as_bytes(), false);
        let env = format!(
            "DB_PASSWORD={}\n\
             dbPassword={}\n\
             DATABASE_URL=postgres://app:{}@db.internal:5432/app\n\
             REDIS_URL=redis://:{}/x#y@cache.internal:6379/0\n\
             AMQP_URL=amqps://svc:{}@mq.internal:5671/vhost\n\
             JDBC_URL=jdbc:postgresql://db.internal/app?user=app&password={}&ssl=true\n\
             SQLSERVER=jdbc:sqlserver://db:1433;databaseName=x;user=app;password={};encrypt=true\n\
             ORACLE=jdbc:oracle:thin:app/{}@//db:1521/svc\n\
             CALLBACK=https://app.example.com/cb#access_token={}&state=x\n\
             MIRRORS=https://u:{}@a.example.com,https://u:{}@b.example.com\n\
             GIT_REMOTE=https://{}@github.com/org/repo.git\n\
             PAYMENT_PROVIDER=sk_live_{}\n\
             UPLOADER_ID=AKIA{}\n\
             CI_BOT=ghp_{}\n\
             NOTIFIER=xoxb-123456789012-1234567890123-{}\n\
             SESSION_SAMPLE={jwt}\n\
             UPSTREAM_HEADER=Bearer {}\n\
             PROXY_HEADER=Basic {basic}\n\
             ALERTS=https://hooks.slack.com/services/T0123ABCD/B0123ABCD/{}\n\
             GITLAB=glpat-{}\n\
             MAPS=AIza{}\n\
             STORAGE=DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}==;EndpointSuffix=core.windows.net\n\
             CONN=Server=db01;Database=app;User Id=svc;Password='{};x';TrustServerCertificate=True\n\
             JAVA_OPTS=-Xmx1g -Dspring.datasource.password={} -Dfile.encoding=UTF-8\n\
             PRIMARY_KEY=id\nSORT_KEY=name\nMONKEY=banana\n\
             REQUEST_ID=550e8400-e29b-41d4-a716-446655440000\n\
             COMMIT=9fceb02d0ae598e95dc970b74767f19372d61af8\n\
             ghp_{}\n",
            c.plant(".env secret by name", 20),
            c.plant(".env camelCase name", 20),
            c.plant("URL password", 20),
            c.plant("URL password with / and #", 20),
            c.plant("amqps password", 20),
            c.plant("JDBC query password", 20),
            c.plant("SQL Server JDBC password", 20),
            c.plant("Oracle JDBC password", 20),
            c.plant("URL fragment token", 20),
            c.plant("first URL of a list", 20),
            c.plant("second URL of a list", 20),
            c.plant("token as URL user", 40),
            c.plant("Stripe live key", 24),
            c.plant_upper("AWS access key id"),
            c.plant("GitHub token", 36),
            c.plant("Slack bot token", 24),
            c.plant("Bearer value", 30),
            c.plant("Slack webhook", 24),
            c.plant("GitLab token", 20),
            c.plant("Google API key", 35),
            c.plant("Azure account key", 86),
            c.plant("connection string password", 20),
            c.plant("-D property password", 20),
            c.plant("token pasted alone on a line", 36),
        );
        std::fs::write(side.join(".env"), env).unwrap_or_else(|e| panic!("{e}"));

        let k8s = format!(
            r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: shop
  annotations:
    example.com/api-token: "{}"
    example.com/upstream: "https://svc:{}@upstream.internal/"
data:
  db_password: "{}"
  LOG_LEVEL: info
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db/app
    spring.datasource.password={}
    server.port=8080
  settings.json: '{{"name": "DB_PASSWORD", "value": "{}"}}'
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.0.0
          args: ["--db-password={}", "--token", "{}", "--verbose"]
          command: ["sh", "-c", "mysql -u root -p{} shop"]
          env:
            - name: API_SECRET
              value: "{}"
            - name: LOG_LEVEL
              value: info
---
apiVersion: example.com/v1
kind: Database
metadata:
  name: orders
  namespace: shop
spec:
  engine: postgres
  password: "{}"
  auth:
    credentials:
      - user: app
        password: "{}"
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
  namespace: shop
stringData:
  tls.key: |
{}
"#,
            c.plant("annotation named like a secret", 20),
            c.plant("annotation URL password", 20),
            c.plant("ConfigMap key named like a secret", 20),
            c.plant("properties file in a ConfigMap", 20),
            c.plant("JSON name/value pair in a ConfigMap", 20),
            c.plant("--db-password= argument", 20),
            c.plant("value after --token", 20),
            c.plant("-p argument in a shell command", 20),
            c.plant("container env by name", 20),
            c.plant("custom resource spec.password", 20),
            c.plant("nested list password", 20),
            pem.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n"),
        );
        std::fs::write(side.join("k8s/app.yaml"), k8s).unwrap_or_else(|e| panic!("{e}"));

        let lambda_var = c.plant("sensitive attribute through a list index", 20);
        let state = serde_json::json!({
            "version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "x",
            "outputs": {
                "admin_password": {"value": c.plant("non-sensitive output named like a secret", 20), "type": "string"},
                "db_url": {"value": format!("postgres://app:{}@db.internal/app", c.plant("output URL password", 20)), "type": "string"},
                "api_token": {"value": c.plant("sensitive output", 20), "type": "string", "sensitive": true}
            },
            "resources": [
                {"mode": "managed", "type": "aws_lambda_function", "name": "api", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"schema_version": 0, "attributes": {
                     "function_name": "api",
                     "environment": [{"variables": {"UPSTREAM": lambda_var, "REGION": "eu-west-1"}}]
                 }, "sensitive_attributes": [[
                     {"type": "get_attr", "value": "environment"},
                     {"type": "index", "value": {"value": 0, "type": "number"}},
                     {"type": "get_attr", "value": "variables"}
                 ]]}]},
                {"mode": "managed", "type": "aws_db_instance", "name": "main", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"schema_version": 2, "attributes": {
                     "identifier": "main", "engine": "postgres",
                     "replica": [{"settings": [{"master_password": c.plant("password in a nested block", 20)}]}]
                 }, "sensitive_attributes": []}]},
                {"mode": "managed", "type": "aws_ecs_task_definition", "name": "api", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"schema_version": 1, "attributes": {
                     "family": "api",
                     "container_definitions": serde_json::json!([{"name": "api", "image": "api:1", "environment": [
                         {"name": "DB_PASSWORD", "value": c.plant("ECS environment by name", 20)},
                         {"name": "LOG_LEVEL", "value": "info"}
                     ], "command": ["--api-key", c.plant("ECS command after --api-key", 20)]}]).to_string()
                 }, "sensitive_attributes": []}]},
                {"mode": "managed", "type": "local_file", "name": "key", "provider": "provider[\"registry.terraform.io/hashicorp/local\"]",
                 "instances": [{"schema_version": 0, "attributes": {"filename": "key.pem", "content": pem.clone()}, "sensitive_attributes": []}]}
            ]
        });
        std::fs::write(side.join("terraform.tfstate"), serde_json::to_string_pretty(&state).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));

        let flags = serde_json::json!({"flags": {
            "db-password": {"state": "ENABLED", "defaultVariant": "on", "variants": {"on": c.plant("flag named like a secret", 20), "off": "none"}},
            "checkout": {"state": "ENABLED", "defaultVariant": "on", "variants": {"on": true, "off": false},
                         "metadata": {"api_token": c.plant("flag metadata named like a secret", 20)}}
        }});
        std::fs::write(side.join("flags.json"), serde_json::to_string_pretty(&flags).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            side.join("features.yaml"),
            format!("db_password: {}\nnew_checkout: true\n", c.plant("plain flag file key", 20)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        write_variants(side, c);
        write_round_two(side, c);
        write_round_three(side, c);
    }
    (staging, production)
}

/// Variants a hostile tester found: the same places in other spellings, and places the first corpus
/// did not have (documents inside values, command-line tools, flag variant names, schema-sensitive
/// Terraform attributes, keys that are tokens).
fn write_variants(side: &Path, c: &mut Corpus) {
    let write =
        |name: &str, text: String| std::fs::write(side.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let sa_json = format!(
        r#"{{"type": "service_account", "project_id": "p", "private_key_id": "{}", "client_email": "a@b.iam.gserviceaccount.com"}}"#,
        c.plant("service account private_key_id", 20)
    );
    let env = format!(
        "AUTH_HEADER=\"Authorization: Bearer {}\"\n\
         REPO=https://ghp_{}:x-oauth-basic@github.com/o/r.git\n\
         PG=postgres://app:{}@Q7/x9@db.internal/app\n\
         MYSQL_DSN=app:{}@tcp(db:3306)/app\n\
         PROXY=proxyuser:{}@proxy.internal:3128\n\
         PIN_CODE={}\n\
         API_KEY_OLD={}\n\
         JWT_SECRET_2024_01={}\n\
         VAULT_SECRET_ID={}\n\
         PAGERDUTY_ROUTING_KEY={}\n\
         ADMIN_PASSWORD=${}\n\
         AWS_DEFAULT_SECRET=wJa{}/K7MDENG\n\
         TWILIO=SK0123456789abcdef0123456789abcdef\n\
         GITHUB_HEADER=\"token {}\"\n\
         GCP_JSON_B64={}\n\
         CURL_ARGS=\"--user admin:{}\"\n\
         ConnectionStrings__Default=\"Server=db;Password={},tail;\"\n\
         SESSION={}\n\
         AUTH_COOKIE={}\n\
         JSESSIONID={}\n\
         SENTRY_DSN_BACKEND=https://{}@o77.ingest.sentry.io/42\n",
        c.plant("Bearer after an Authorization name", 30),
        c.plant("token user with a password", 36),
        c.plant("password holding @ and /", 12),
        c.plant("Go DSN password", 16),
        c.plant("proxy password without scheme", 16),
        c.plant("PIN_CODE", 12),
        c.plant("qualified key name", 20),
        c.plant("dated secret name", 20),
        c.plant("Vault secret_id", 20),
        c.plant("vendor routing key", 20),
        c.plant("password starting with $", 20),
        c.plant("AWS secret access key by shape", 27),
        c.plant("token auth scheme", 30),
        base64(sa_json.as_bytes(), false),
        c.plant("--user admin:password", 16),
        c.plant("connection string with a comma", 16),
        c.plant("SESSION alone", 24),
        c.plant("a cookie", 24),
        c.plant("JSESSIONID", 24),
        c.plant_hex("Sentry DSN key as the URL's user"),
    );
    write("hostile.env", env);
    let properties =
        format!("mail.password={} with spaces\nserver.port=8080\n", c.plant("properties value with spaces", 16));
    let k8s = format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: hostile
  namespace: shop
  annotations:
    checksum/secret: 0123456789abcdef
data:
  KEY: "{}"
  application.yaml: |
    app:
      credentials:
        username: bob
        value: {}
      secrets:
        stripe: {}
      passwords:
        - {}
  app.ini: |
    [auth]
    key = {}
  settings.toml: |
    [api]
    key = "{}"
  web.config: |
    <add key="DbPassword" value="{}"/>
    <entry key="password">{}</entry>
  env.json: '{{"value": "{}", "name": "DB_PASSWORD"}}'
  redis.conf: |
    requirepass {}
  netrc: |
    machine example.com login me password {}
  nginx.conf: |
    proxy_set_header X-Api-Key {};
  tokens.json: '{{"tokens": ["{}"]}}'
binaryData:
  app.properties: {}
---
apiVersion: v1
kind: Secret
metadata:
  name: copied
  namespace: shop
  annotations:
    kapp.k14s.io/original: '{{"kind": "Secret", "stringData": {{"pw": "{}"}}}}'
stringData:
  pw: x
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tools
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7
          command: ["redis-cli"]
          args: ["-a", "{}", "ping"]
        - name: entry
          image: app:1
          args: ["-p", "{}", "--user", "admin:{}", "--token=", "{}"]
        - name: script
          image: busybox
          command: ["sh", "-c", "curl -u admin:{} http://x && docker login -p {} r && sshpass -p {} ssh h && htpasswd -b f u {} && vault login {} && echo {} | docker login --password-stdin"]
---
apiVersion: example.com/v1
kind: Keyring
metadata:
  name: keys
  namespace: shop
spec:
  apiKeys:
    ghp_{}: bot
"#,
        c.plant("ConfigMap KEY", 20),
        c.plant("nested value under credentials in embedded YAML", 20),
        c.plant("secrets map in embedded YAML", 20),
        c.plant("passwords list in embedded YAML", 20),
        c.plant("INI key in a section", 20),
        c.plant("TOML key in a table", 20),
        c.plant("XML add key value", 20),
        c.plant("XML entry element", 20),
        c.plant("JSON pair with value first", 20),
        c.plant("redis.conf requirepass", 20),
        c.plant("netrc password", 20),
        c.plant("nginx header value", 20),
        c.plant("JSON array under a secret name", 20),
        base64(properties.as_bytes(), false),
        c.plant("kapp original annotation on a Secret", 20),
        c.plant("redis-cli -a", 20),
        c.plant("-p with no command", 20),
        c.plant("--user in args", 20),
        c.plant("--token= then the value", 20),
        c.plant("curl -u", 20),
        c.plant("docker login -p", 20),
        c.plant("sshpass -p", 20),
        c.plant("htpasswd -b", 20),
        c.plant("vault login", 20),
        c.plant("echo into --password-stdin", 20),
        c.plant("token as a map key", 36),
    );
    write("k8s/hostile.yaml", k8s);
    let kubeconfig = format!(
        "apiVersion: v1\nusers:\n- name: u\n  user:\n    client-key-data: {}\n",
        c.plant("kubeconfig in an attribute", 20)
    );
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "y",
        "resources": [
            {"mode": "managed", "type": "random_password", "name": "db", "provider": "provider[\"registry.terraform.io/hashicorp/random\"]",
             "instances": [{"schema_version": 3, "attributes": {"length": 24, "result": c.plant("random_password.result", 24)}, "sensitive_attributes": []}]},
            {"mode": "managed", "type": "aws_ssm_parameter", "name": "p", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 0, "attributes": {"name": "/app/db", "type": "SecureString", "value": c.plant("SSM SecureString value", 20)}, "sensitive_attributes": []}]},
            {"mode": "managed", "type": "x_thing", "name": "marks", "provider": "provider[\"registry.terraform.io/x/x\"]",
             "instances": [{"schema_version": 0, "attributes": {"alpha": c.plant("sensitive_attributes as marks", 20), "beta": "plain"}, "sensitive_attributes": {"alpha": true}}]},
            {"mode": "managed", "type": "x_cluster", "name": "k", "provider": "provider[\"registry.terraform.io/x/x\"]",
             "instances": [{"schema_version": 0, "attributes": {"kube_config_raw": kubeconfig}, "sensitive_attributes": []}]}
        ]
    });
    std::fs::create_dir_all(side.join("tf2")).unwrap_or_else(|e| panic!("{e}"));
    write("tf2/extra.tfstate", serde_json::to_string_pretty(&state).unwrap_or_default());
    let flagd = serde_json::json!({"flags": {
        "upstream": {"state": "ENABLED", "defaultVariant": "apiToken", "variants": {"apiToken": c.plant("flagd variant named like a secret", 20), "none": ""}},
        "vip": {"state": "ENABLED", "defaultVariant": "off", "variants": {"on": true, "off": false},
                "targeting": {"if": [{"in": [{"var": "apiKey"}, [c.plant("flagd in over a secret attribute", 20)]]}, "on", "off"]}}
    }});
    write("flags-extra.json", serde_json::to_string_pretty(&flagd).unwrap_or_default());
    let ld = serde_json::json!({"flags": {"svc": {"key": "svc", "on": true,
        "variations": [{"name": "password", "value": c.plant("LaunchDarkly variation named password", 20)}, "x"],
        "fallthrough": {"variation": 0}, "offVariation": 1,
        "rules": [{"clauses": [{"attribute": "apiKey", "op": "in", "values": [c.plant("LaunchDarkly clause over apiKey", 20)]}], "variation": 0}]}}});
    write("ld.json", serde_json::to_string_pretty(&ld).unwrap_or_default());
}

/// The places a second hostile tester found (issue 11, round 2): URLs with an empty or encoded
/// host, maps under credential names, command lines under a chart's names for them, vendor
/// primary keys, names with hash/digest words, JSON in JSON in a ConfigMap, kustomize generator
/// literals, JWE and pretty-printed JWTs, a token as a flag's key, a string `sensitive` marking.
fn write_round_two(side: &Path, c: &mut Corpus) {
    let write =
        |name: &str, text: String| std::fs::write(side.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let jwe_header = base64(br#"{"alg":"dir","enc":"A256GCM"}"#, true);
    let pretty_header = base64(b"{\n  \"alg\": \"HS256\",\n  \"typ\": \"JWT\"\n}", true);
    let env = format!(
        "CLOUDSQL_URL=postgresql+psycopg2://app:{}@/appdb?host=/cloudsql/p:r:i\n\
         REDIS_SOCKET=redis://:{}@/0\n\
         PG_SOCKET=postgres://u:{}@%2Fvar%2Frun%2Fpostgresql/app\n\
         PG_PORT_ONLY=postgresql://app:{}@:5432/appdb\n\
         ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY={}\n\
         COSMOS_DB_PRIMARY_KEY={}\n\
         HASH_SALT={}\n\
         DIGEST_AUTH_PASSWORD={}\n\
         WEBHOOK_SIGNING_KEY_SHA256={}\n\
         MQTT_PUB_PASSWORD={}\n\
         SUPABASE_SERVICE_ROLE_KEY={}\n\
         JWE_NOTE={jwe_header}..{}.{}.{}\n\
         PRETTY_JWT_NOTE={pretty_header}.{}.{}\n\
         SIGNED_URL=https://api.example.com/v1?api%5Fkey={}\n",
        c.plant("password with an empty host (Cloud SQL socket)", 16),
        c.plant("password with no user and an empty host", 16),
        c.plant("password before a percent-encoded socket host", 16),
        c.plant("password before an empty host and a port", 16),
        c.plant("vendor primary key (Rails)", 24),
        c.plant("vendor primary key (Cosmos DB)", 24),
        c.plant("HASH_SALT", 24),
        c.plant("DIGEST_AUTH_PASSWORD", 24),
        c.plant("signing key with an algorithm suffix", 24),
        c.plant("a password after pub (publish)", 24),
        c.plant("key named for a role", 24),
        c.plant("JWE initialization vector", 16),
        c.plant("JWE ciphertext", 24),
        c.plant("JWE tag", 16),
        c.plant("pretty-printed JWT payload", 16),
        c.plant("pretty-printed JWT signature", 24),
        c.plant("percent-encoded parameter name", 24),
    );
    write("round2.env", env);
    let values = format!(
        "encryption_key:\n  primary: {}\n  secondary: {}\napi_key:\n  value: {}\nprivate_key:\n  data: {}\nsalt:\n  value: {}\njwt:\n  keys:\n    current: {}\nextraArgs: [\"--admin-password\", \"{}\"]\nadditionalArguments: [\"--api-token\", \"{}\"]\njwks:\n  - kty: oct\n    kid: a\n    k: {}\nterraform:\n  db_conn:\n    value: {}\n    sensitive: \"true\"\n",
        c.plant("map under encryption_key (primary)", 20),
        c.plant("map under encryption_key (secondary)", 20),
        c.plant("api_key.value", 20),
        c.plant("private_key.data", 20),
        c.plant("salt.value", 20),
        c.plant("jwt.keys.current", 20),
        c.plant("extraArgs --admin-password", 20),
        c.plant("additionalArguments --api-token", 20),
        c.plant("JWK symmetric key k", 20),
        c.plant("value marked sensitive as a string", 20),
    );
    write("round2-values.yaml", values);
    let k8s = format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: round2
  namespace: shop
data:
  settings.json: '{{"outer": "{{\"password\": \"{}\"}}"}}'
"#,
        c.plant("JSON in a JSON string in a ConfigMap", 20),
    );
    write("k8s/round2.yaml", k8s);
    let kustomization = format!(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsecretGenerator:\n  - name: app\n    literals:\n      - config={}\n      - hash_salt={}\n",
        c.plant("secretGenerator literal with a plain name", 20),
        c.plant("secretGenerator literal hash_salt", 20),
    );
    std::fs::create_dir_all(side.join("overlay")).unwrap_or_else(|e| panic!("{e}"));
    write("overlay/kustomization.yaml", kustomization);
    let flag_key = format!("ghp_{}", c.plant("a token as a flag's key", 36));
    let flagd = serde_json::json!({"flags": {flag_key: {"state": "ENABLED", "defaultVariant": "on", "variants": {"on": true, "off": false}}}});
    write("flags-round2.json", serde_json::to_string_pretty(&flagd).unwrap_or_default());
}

/// The places a third hostile tester found (issue 11, round 3): a URL whose host is a template, a
/// reference's literal default, files a kustomize `secretGenerator` reads, a Secret inside another
/// document (Helm's `extraObjects`), Terraform's `set_sensitive` blocks.
fn write_round_three(side: &Path, c: &mut Corpus) {
    let write =
        |name: &str, text: String| std::fs::write(side.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let env = format!(
        "TPL_URL=postgres://app:{}@{{{{ .Values.db.host }}}}:5432/app\n\
         VAR_URL=redis://:{}@${{REDIS_HOST}}:6379\n\
         MIXED_URL=postgres://app:{}@db-${{ENV}}.internal/app\n\
         DB_PASSWORD=${{DB_PASSWORD:{}}}\n\
         API_TOKEN=${{API_TOKEN:-{}}}\n",
        c.plant("password before a template host", 16),
        c.plant("password before a variable host", 16),
        c.plant("password before a host with a variable inside", 16),
        c.plant("Spring reference default", 16),
        c.plant("shell reference default", 16),
    );
    write("round3.env", env);
    std::fs::create_dir_all(side.join("kgen")).unwrap_or_else(|e| panic!("{e}"));
    write(
        "kgen/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsecretGenerator:\n  - name: app\n    envs: [app.env]\n".to_owned(),
    );
    write("kgen/app.env", format!("HOSTNAME={}\n", c.plant("a file a secretGenerator reads", 20)));
    let values = format!(
        "extraObjects:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {{name: extra}}\n    stringData:\n      hostname: {}\n",
        c.plant("stringData of a Secret in extraObjects", 20),
    );
    write("round3-values.yaml", values);
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "z",
        "resources": [{"mode": "managed", "type": "helm_release", "name": "app", "provider": "provider[\"registry.terraform.io/hashicorp/helm\"]",
            "instances": [{"schema_version": 1, "attributes": {"name": "app", "set_sensitive": [{"name": "auth.token", "value": c.plant("helm_release set_sensitive value", 20)}]}, "sensitive_attributes": []}]}]
    });
    std::fs::create_dir_all(side.join("tf3")).unwrap_or_else(|e| panic!("{e}"));
    write("tf3/helm.tfstate", serde_json::to_string_pretty(&state).unwrap_or_default());
}

fn drift(args: &[&std::ffi::OsStr], dir: &Path, key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drift"));
    cmd.args(args).current_dir(dir).env_remove("NO_COLOR");
    match key {
        Some(key) => cmd.env("DRIFT_FINGERPRINT_KEY", key),
        None => cmd.env_remove("DRIFT_FINGERPRINT_KEY"),
    };
    cmd.output().unwrap_or_else(|e| panic!("drift {args:?}: {e}"))
}

/// Every canary found in `text`, with its place.
fn leaks(corpus: &Corpus, channel: &str, text: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(text);
    corpus
        .canaries
        .iter()
        .filter(|(canary, _)| text.contains(canary.as_str()))
        .map(|(canary, place)| format!("{channel}: {place} ({canary})"))
        .collect()
}

#[test]
fn no_secret_reaches_any_output() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("leaks");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut corpus = Corpus::new();
    let (staging, production) = write_corpus(&dir, &mut corpus);
    let (s, p) = (staging.as_os_str(), production.as_os_str());
    let os = |t: &'static str| std::ffi::OsStr::new(t);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    let path = |name: &str| out.join(name).into_os_string();
    let outputs: Vec<std::ffi::OsString> = ["text", "json", "markdown", "junit", "sarif", "github", "patch", "html"]
        .iter()
        .map(|f| {
            let mut arg = std::ffi::OsString::from(format!("{f}="));
            arg.push(path(&format!("report.{f}")));
            arg
        })
        .collect();

    let mut runs: Vec<Vec<std::ffi::OsString>> = Vec::new();
    for format in ["text", "json", "markdown", "junit", "sarif", "github", "patch", "html"] {
        runs.push(vec![
            "diff".into(),
            s.into(),
            p.into(),
            "--format".into(),
            format.into(),
            "--show".into(),
            "all".into(),
        ]);
    }
    let mut with_outputs: Vec<std::ffi::OsString> = vec!["check".into(), s.into(), p.into()];
    for o in &outputs {
        with_outputs.push("--output".into());
        with_outputs.push(o.clone());
    }
    runs.push(with_outputs);
    runs.push(vec!["diff".into(), s.into(), p.into(), "--summary".into()]);
    runs.push(vec![
        "diff".into(),
        p.into(),
        s.into(),
        "--show".into(),
        "all".into(),
        "--color".into(),
        "always".into(),
    ]);
    runs.push(vec!["baseline".into(), s.into(), p.into(), "-o".into(), path("baseline.json")]);
    runs.push(vec![
        "check".into(),
        s.into(),
        p.into(),
        "--baseline".into(),
        path("baseline.json"),
        "--show".into(),
        "all".into(),
    ]);
    runs.push(vec!["init".into(), s.into(), p.into(), "-o".into(), "-".into()]);
    runs.push(vec!["snapshot".into(), p.into(), "-o".into(), path("snapshot.json")]);
    runs.push(vec!["diff".into(), path("snapshot.json"), s.into(), "--format".into(), "json".into()]);
    runs.push(vec!["snapshot".into(), s.into()]);

    let mut found = Vec::new();
    for key in [Some("leak-test-key"), None] {
        for args in &runs {
            let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            let output = drift(&args, &dir, key);
            let label =
                format!("{:?} (key: {})", args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>(), key.is_some());
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{label} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            found.extend(leaks(&corpus, &format!("{label} stdout"), &output.stdout));
            found.extend(leaks(&corpus, &format!("{label} stderr"), &output.stderr));
        }
        for entry in std::fs::read_dir(&out).unwrap_or_else(|e| panic!("{e}")).flatten() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            found.extend(leaks(&corpus, &entry.path().display().to_string(), &bytes));
        }
    }

    // Error paths and warnings: a value in a malformed input is never quoted back.
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).unwrap_or_else(|e| panic!("{e}"));
    let secret = corpus.plant("value in a malformed Terraform state", 20);
    let cases = [
        ("state.tfstate", format!("{{\"version\": \"{secret}\", \"terraform_version\": \"1.0\", \"resources\": []}}")),
        (
            "types.tfstate",
            format!(
                "{{\"version\": 4, \"terraform_version\": \"1.0\", \"resources\": [{{\"mode\": \"{}\", \"type\": 7}}]}}",
                corpus.plant("value in a mistyped state", 20)
            ),
        ),
        ("broken.env", format!("A=1\n{} trailing text\n", corpus.plant("token followed by text on a .env line", 30))),
        (
            "secret.yaml",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata: {}\n",
                corpus.plant("Secret data that is a string", 20)
            ),
        ),
        (
            "badb64.yaml",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: \"{}!!\"\n",
                corpus.plant("Secret data that is not base64", 20)
            ),
        ),
        (
            "flags.json",
            format!(
                "{{\"flags\": {{\"a\": {{\"state\": \"ENABLED\", \"variants\": {{\"on\": \"{}\"}}",
                corpus.plant("value in truncated flags", 20)
            ),
        ),
        (
            "bad.yaml",
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  password: \"{}\n",
                corpus.plant("value in broken YAML", 20)
            ),
        ),
    ];
    for (name, text) in &cases {
        let file = bad.join(name);
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
        let output = drift(&[os("diff"), file.as_os_str(), file.as_os_str()], &dir, None);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name} must be an error: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
        found.extend(leaks(&corpus, &format!("error for {name}"), &output.stderr));
        found.extend(leaks(&corpus, &format!("stdout for {name}"), &output.stdout));
    }
    assert!(found.is_empty(), "{} leak(s):\n{}", found.len(), found.join("\n"));
}

#[test]
fn ordinary_values_stay_visible() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("not-secrets");
    let _ = std::fs::remove_dir_all(&dir);
    for (side, suffix) in [("staging", "1"), ("production", "2")] {
        std::fs::create_dir_all(dir.join(side).join("k8s")).unwrap_or_else(|e| panic!("{e}"));
        let env = format!(
            "PRIMARY_KEY=id{suffix}\nSORT_KEY=name{suffix}\nMONKEY=banana{suffix}\nSESSION=redis{suffix}\nSESSION_COOKIE_NAME=sid{suffix}\nCARBON_FOOTPRINT=low{suffix}\nGPIO_PIN=1{suffix}\nPASSWORD_HASHERS=argon{suffix}\nLOCK_KEY=deploy-lock{suffix}\nGOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key{suffix}.json\nREQUEST_ID=550e8400-e29b-41d4-a716-44665544000{suffix}\nCOMMIT=9fceb02d0ae598e95dc970b74767f19372d61af{suffix}\nTOKEN_TTL=360{suffix}\nMAX_TOKENS=409{suffix}\nDB_PASSWORD_FILE=/run/secrets/db{suffix}\n"
        );
        let env = format!("{env}AUTH_HEADER=X-Api-Key\n");
        std::fs::write(dir.join(side).join(".env"), env).unwrap_or_else(|e| panic!("{e}"));
        // References to secrets, the same in both environments: never a reused secret.
        let compose = "services:\n  web:\n    image: app:1\n    secrets:\n      - source: dbpw\n        target: /run/secrets/db\n      - api_key\nsecrets:\n  dbpw:\n    file: ./db.txt\n  api_key:\n    environment: API_KEY\n";
        std::fs::write(dir.join(side).join("docker-compose.yml"), compose).unwrap_or_else(|e| panic!("{e}"));
        let pull = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: pull, namespace: shop}\nspec:\n  template:\n    spec:\n      imagePullSecrets: [{name: regcred}]\n      containers: [{name: a, image: a:1}]\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: flags, namespace: shop}\nstringData: {DEBUG: \"false\"}\n";
        std::fs::write(dir.join(side).join("k8s/pull.yaml"), pull).unwrap_or_else(|e| panic!("{e}"));
        // Names a hostile tester found masked though they only name or configure secrets.
        let k8s = format!(
            r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: shop
  annotations:
    checksum/secret: 0123456789abcde{suffix}
    nginx.ingress.kubernetes.io/auth-secret: basic-auth-{suffix}
    vault.hashicorp.com/agent-inject-secret-db: database/creds/app{suffix}
data:
  nginx.conf: |
    location / {{
        proxy_pass http://app{suffix}:8080;
    }}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: db
  namespace: shop
spec:
  data:
    - secretKey: password{suffix}
      remoteRef:
        key: prod/db
"#
        );
        std::fs::write(dir.join(side).join("k8s/app.yaml"), k8s).unwrap_or_else(|e| panic!("{e}"));
        let values = format!(
            "auth:\n  existingSecret: pg-{suffix}\n  secretKeys:\n    adminPasswordKey: admin-password-{suffix}\n  usePasswordFiles: true\n"
        );
        std::fs::write(dir.join(side).join("values.yaml"), values).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = drift(
        &[
            std::ffi::OsStr::new("diff"),
            "staging".as_ref(),
            "production".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        &dir,
        Some("k"),
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    for path in [
        "PRIMARY_KEY",
        "SORT_KEY",
        "MONKEY",
        "SESSION",
        "SESSION_COOKIE_NAME",
        "CARBON_FOOTPRINT",
        "GPIO_PIN",
        "PASSWORD_HASHERS",
        "LOCK_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "REQUEST_ID",
        "COMMIT",
        "TOKEN_TTL",
        "MAX_TOKENS",
        "DB_PASSWORD_FILE",
        "metadata.annotations[\"checksum/secret\"]",
        "metadata.annotations[\"nginx.ingress.kubernetes.io/auth-secret\"]",
        "metadata.annotations[\"vault.hashicorp.com/agent-inject-secret-db\"]",
        "data[\"nginx.conf\"]",
        "auth.existingSecret",
        "auth.secretKeys.adminPasswordKey",
    ] {
        let finding = findings.iter().find(|f| f["path"] == path).unwrap_or_else(|| panic!("{path}: {findings:?}"));
        assert!(finding["right"].is_string(), "{path} is not a secret: {finding}");
        assert_ne!(finding["change"], "reuse");
    }
    // The ExternalSecret only names the secret's key.
    assert!(!findings.iter().any(|f| f["right"].get("secret").is_some() || f["change"] == "reuse"), "{findings:?}");
}

#[test]
fn match_everything_secret_patterns_are_config_errors() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("secret-config");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(".env"), "A=1\n").unwrap_or_else(|e| panic!("{e}"));
    for (n, pattern) in
        [r#"not_secret = [""]"#, r#"not_secret = ["*"]"#, r#"extra = [".*"]"#, "not_secret = [\"ok\", \" \"]"]
            .iter()
            .enumerate()
    {
        let config = dir.join(format!("drift{n}.toml"));
        std::fs::write(&config, format!("# policy\n\n[secrets]\n{pattern}\n")).unwrap_or_else(|e| panic!("{e}"));
        let output = drift(
            &["diff".as_ref(), ".env".as_ref(), ".env".as_ref(), "--config".as_ref(), config.as_os_str()],
            &dir,
            None,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{pattern}: {stderr}");
        assert!(stderr.contains(&format!("drift{n}.toml:4:")), "{pattern}: the line: {stderr}");
    }
}
