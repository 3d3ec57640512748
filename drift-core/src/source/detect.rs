//! What a file is, before and after parsing it.
//!
//! A file's **syntax** comes from its name (`.yaml`, `.json`, `.tfstate`, `.toml`, `.ini`,
//! `.properties`, `.hcl`/`.tfvars`, `.env*`) or, for a name that says nothing, from its content. Its
//! **format** (Kubernetes, Terraform, flags, a snapshot, or generic configuration) is decided from
//! the parsed document's top-level keys, never from a window of its first bytes: `kubectl get -o
//! yaml` sorts keys, so `kind` may come after megabytes of `data`.
//!
//! A file that is not configuration at all (a README, an image, a script, a Helm template) is
//! skipped with the reason; a file whose name says it is configuration is read, or is an error.

use std::path::{Component, Path};

use crate::environment;

/// How a file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    Env,
    Yaml,
    Json,
    Toml,
    Ini,
    Properties,
    Hcl,
}

/// What to do with a file, from its name (and, when the name says nothing, its content).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Read it in this syntax; a failure is an error (the name says it is configuration).
    Read(Syntax),
    /// Content that reads as this syntax, under a name that says nothing: if it does not parse,
    /// it is skipped, not an error.
    Try(Syntax),
    /// Not configuration: listed as skipped, with the reason.
    Skip(&'static str),
}

/// Extensions of files that are not configuration (documentation, images, code, archives).
const NOT_CONFIG: &[(&str, &str)] = &[
    ("md", "documentation"),
    ("markdown", "documentation"),
    ("rst", "documentation"),
    ("txt", "text, not configuration"),
    ("adoc", "documentation"),
    ("html", "documentation"),
    ("png", "an image"),
    ("jpg", "an image"),
    ("jpeg", "an image"),
    ("gif", "an image"),
    ("svg", "an image"),
    ("ico", "an image"),
    ("webp", "an image"),
    ("pdf", "a document"),
    ("sh", "a script"),
    ("bash", "a script"),
    ("ps1", "a script"),
    ("py", "source code"),
    ("go", "source code"),
    ("rs", "source code"),
    ("js", "source code"),
    ("ts", "source code"),
    ("java", "source code"),
    ("rb", "source code"),
    ("tf", "Terraform configuration (compare its state or plan: `terraform show -json`)"),
    ("tpl", "a template (compare what it renders)"),
    ("gotmpl", "a template (compare what it renders)"),
    ("j2", "a template (compare what it renders)"),
    ("lock", "a lock file"),
    ("sum", "a checksum file"),
    ("backup", "a backup copy"),
    ("bak", "a backup copy"),
    ("orig", "a backup copy"),
    ("swp", "an editor's swap file"),
    ("zip", "an archive"),
    ("gz", "an archive"),
    ("tgz", "an archive"),
    ("tar", "an archive"),
    ("jar", "an archive"),
    ("pem", "a certificate or key file (compare the Secret or ConfigMap that holds it)"),
    ("crt", "a certificate file (compare the Secret or ConfigMap that holds it)"),
    ("key", "a key file (never read: drift does not print or hash key files outside a Secret)"),
    ("csv", "data, not configuration"),
    ("log", "a log"),
];

/// File names that are not configuration.
const NOT_CONFIG_NAMES: &[(&str, &str)] = &[
    ("Dockerfile", "a Dockerfile"),
    ("Makefile", "a Makefile"),
    ("LICENSE", "a licence"),
    ("LICENCE", "a licence"),
    ("COPYING", "a licence"),
    ("NOTICE", "a notice"),
    ("OWNERS", "an owners file"),
    ("CODEOWNERS", "an owners file"),
    (".gitignore", "a VCS file"),
    (".gitattributes", "a VCS file"),
    (".gitkeep", "a VCS file"),
    (".helmignore", "a Helm ignore file"),
    (".dockerignore", "a Docker ignore file"),
    (".terraform.lock.hcl", "a lock file"),
];

/// The plan for a file, from its name and (only for a name that says nothing) its content.
pub(crate) fn plan(name: &str, in_templates: bool, bytes: &[u8]) -> Plan {
    let lower = name.to_ascii_lowercase();
    if let Some((_, why)) = NOT_CONFIG_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Plan::Skip(why);
    }
    if lower.starts_with("readme") || lower.starts_with("changelog") {
        return Plan::Skip("documentation");
    }
    if is_env_name(name) {
        return Plan::Read(Syntax::Env);
    }
    let extension = lower.rsplit_once('.').map_or("", |(_, e)| e);
    // A Helm chart's templates are Go templates, not YAML: compare `helm template` output.
    if in_templates && matches!(extension, "yaml" | "yml" | "json" | "txt" | "tpl") && contains(bytes, b"{{") {
        return Plan::Skip("a Helm template (compare what `helm template` renders)");
    }
    match extension {
        "yaml" | "yml" => return Plan::Read(Syntax::Yaml),
        "json" | "tfstate" | "jsonc" => return Plan::Read(Syntax::Json),
        "toml" => return Plan::Read(Syntax::Toml),
        "ini" | "cfg" => return Plan::Read(Syntax::Ini),
        "properties" => return Plan::Read(Syntax::Properties),
        "hcl" | "tfvars" => return Plan::Read(Syntax::Hcl),
        _ => {}
    }
    if let Some((_, why)) = NOT_CONFIG.iter().find(|(e, _)| *e == extension) {
        return Plan::Skip(why);
    }
    sniff(bytes)
}

/// The syntax content reads as, for a file whose name says nothing (stdin, `config`, `state`).
pub(crate) fn sniff(bytes: &[u8]) -> Plan {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) || std::str::from_utf8(bytes).is_err() {
        return Plan::Skip("a binary file, not configuration");
    }
    let text = bytes.trim_ascii_start();
    if text.is_empty() {
        return Plan::Skip("an empty file with no configuration extension");
    }
    if text.starts_with(b"{") || text.starts_with(b"[") {
        return Plan::Try(Syntax::Json);
    }
    if super::env::looks_like_env(bytes) {
        return Plan::Try(Syntax::Env);
    }
    // YAML that says what it is: a Kubernetes object or a document marker.
    let yaml = text.starts_with(b"---") || contains(bytes, b"apiVersion:") || contains(bytes, b"\nkind:");
    if yaml { Plan::Try(Syntax::Yaml) } else { Plan::Skip("not a configuration format drift reads") }
}

/// What stdin holds: as [`sniff`], and YAML with a `key: value` line is configuration too (stdin
/// has no file name to say so; `helm get values … | drift diff - values.yaml`).
pub(crate) fn sniff_stdin(bytes: &[u8]) -> Plan {
    match sniff(bytes) {
        Plan::Skip(why) if why.starts_with("not a configuration") => {
            let text = std::str::from_utf8(bytes).unwrap_or_default();
            let keyed = text.lines().any(|line| {
                let line = line.trim_start_matches([' ', '-']);
                line.split_once(':').is_some_and(|(key, rest)| {
                    !key.is_empty()
                        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-\"'".contains(&b))
                        && (rest.is_empty() || rest.starts_with(' '))
                })
            });
            if keyed { Plan::Try(Syntax::Yaml) } else { Plan::Skip(why) }
        }
        plan => plan,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `.env`, `.env.*` and `*.env` (in any case: `APP.ENV`).
pub(crate) fn is_env_name(name: &str) -> bool {
    let starts = |prefix: &str| name.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix));
    let ends = name.len() > 4 && name.get(name.len() - 4..).is_some_and(|s| s.eq_ignore_ascii_case(".env"));
    name.eq_ignore_ascii_case(".env") || starts(".env.") || ends
}

/// The entity scope of a file: its path under the root with environment tokens removed from the
/// file name, so that each environment's copy is one entity (`config/.env.production` →
/// `config/.env`, `values-production.yaml` → `values.yaml`, `application-prod.yml` →
/// `application.yml`, `appsettings.Production.json` → `appsettings.json`). A name that is only an
/// environment (`config/production.json`) keeps an `{env}` placeholder, and so does every token
/// when `placeholder` is set: for a file beside its base layer (`values.yaml` and
/// `values-production.yaml` in one folder), `values-{env}.yaml`.
pub(crate) fn scope(relative: &Path, placeholder: bool) -> String {
    let parent: Vec<String> = relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let name = relative.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut scope = parent.join("/");
    if !scope.is_empty() {
        scope.push('/');
    }
    scope.push_str(&without_environment(&name, placeholder));
    scope
}

/// Whether a file name holds an environment token (`values-production.yaml`, `.env.staging`).
pub(crate) fn names_environment(name: &str) -> bool {
    without_environment(name, true) != name
}

/// A file name without its environment tokens (`values-production.yaml` → `values.yaml`), or with
/// `{env}` in their place.
fn without_environment(name: &str, placeholder: bool) -> String {
    // Tokens with the separator before each: `values`, `-production`, `.yaml`.
    let mut parts: Vec<(Option<char>, String)> = vec![(None, String::new())];
    for c in name.chars() {
        if matches!(c, '.' | '-' | '_') {
            parts.push((Some(c), String::new()));
        } else if let Some(last) = parts.last_mut() {
            last.1.push(c);
        }
    }
    // The extension stays, except in `.env.production` and `staging.env`, where the environment
    // is the last token or the extension is `env` itself.
    let env_file = is_env_name(name);
    let last = parts.len() - 1;
    let is_env = |i: usize, token: &str| {
        (env_file || i != last) && !token.is_empty() && environment::family_of_word(token).is_some()
    };
    let mut kept: Vec<(Option<char>, String)> = Vec::new();
    for (i, (separator, token)) in parts.into_iter().enumerate() {
        if !is_env(i, &token) {
            kept.push((separator, token));
        } else if placeholder || (!env_file && i == 0 && last == 1) {
            kept.push((separator, "{env}".to_owned()));
        }
    }
    let mut out = String::new();
    for (i, (separator, token)) in kept.iter().enumerate() {
        if let Some(separator) = separator.filter(|_| i > 0 || token.is_empty()) {
            out.push(separator);
        }
        out.push_str(token);
    }
    // `staging.env` → `.env`.
    if env_file && (out.is_empty() || out == "env") {
        return ".env".to_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        for (path, scope_) in [
            (".env", ".env"),
            (".env.production", ".env"),
            (".env.staging", ".env"),
            ("staging.env", ".env"),
            ("svc/api/.env.prod", "svc/api/.env"),
            ("app.staging.env", "app.env"),
            (".env.local", ".env.local"),
            ("values-production.yaml", "values.yaml"),
            ("chart/values.staging.yaml", "chart/values.yaml"),
            ("application-prod.yml", "application.yml"),
            ("appsettings.Production.json", "appsettings.json"),
            ("config/production.json", "config/{env}.json"),
            ("terraform.tfvars", "terraform.tfvars"),
            ("prod.tfvars", "{env}.tfvars"),
            ("my-service_values.yaml", "my-service_values.yaml"),
        ] {
            assert_eq!(scope(Path::new(path), false), scope_, "{path}");
        }
        assert_eq!(scope(Path::new("chart/values-production.yaml"), true), "chart/values-{env}.yaml");
        assert_eq!(scope(Path::new(".env.production"), true), ".env.{env}");
        assert!(names_environment("values-prod.yaml"));
        assert!(!names_environment("values.yaml"));
    }

    #[test]
    fn plans() {
        assert_eq!(plan("README.md", false, b"# x"), Plan::Skip("documentation"));
        assert_eq!(plan("deploy.yaml", false, b"\xff\xfe"), Plan::Read(Syntax::Yaml));
        assert_eq!(plan("terraform.tfstate", false, b""), Plan::Read(Syntax::Json));
        assert_eq!(plan("config", false, b"{\"a\": 1}"), Plan::Try(Syntax::Json));
        assert_eq!(plan("logo.png", false, b"\x89PNG"), Plan::Skip("an image"));
        assert_eq!(plan("blob", false, b"\x00\x01"), Plan::Skip("a binary file, not configuration"));
        assert!(matches!(plan("deployment.yaml", true, b"kind: {{ .Values.kind }}"), Plan::Skip(_)));
        assert_eq!(plan("values.yaml", true, b"a: 1"), Plan::Read(Syntax::Yaml));
        assert_eq!(plan(".env.production", false, b""), Plan::Read(Syntax::Env));
    }
}
