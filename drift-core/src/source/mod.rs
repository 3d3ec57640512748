//! Sources: bytes in, [`Snapshot`] out. One module per format; this one finds the files, detects
//! each one's format (content first, then name) and merges what they define into one snapshot.

pub(crate) mod certificate;
pub(crate) mod crd;
pub(crate) mod env;
pub(crate) mod flags;
pub(crate) mod json;
pub(crate) mod k8s;
pub(crate) mod snapshot;
pub(crate) mod tfstate;
pub(crate) mod yaml;

use std::fmt;
use std::io::Read;
use std::path::{Component, Path};
use std::sync::Arc;

use rayon::prelude::*;

use crate::environment;
use crate::error::{Error, Result};
use crate::fingerprint::Fingerprinter;
use crate::model::{Domain, Entity, EntityId, Snapshot};
use crate::secrets::SecretRules;

/// An input format drift understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// A `.env` file.
    Env,
    /// Kubernetes objects in YAML or JSON (manifests, Helm or kustomize output, live exports).
    Kubernetes,
    /// A Terraform (or OpenTofu) state, raw (version 4) or `terraform show -json`.
    Terraform,
    /// Feature flags: flagd / OpenFeature, Unleash, LaunchDarkly, or a plain flag map.
    Flags,
    /// A snapshot saved by `drift snapshot` (`drift/snapshot/v1`).
    Snapshot,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Env => ".env",
            Format::Kubernetes => "Kubernetes manifest",
            Format::Terraform => "Terraform state",
            Format::Flags => "feature flags",
            Format::Snapshot => "snapshot",
        })
    }
}

/// How to load: the fingerprint key and which settings are secret.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Hashes secret values.
    pub fingerprinter: Fingerprinter,
    /// Decides which settings are secret.
    pub secrets: SecretRules,
}

impl LoadOptions {
    /// Options with this fingerprinter and the default secret rules.
    pub fn new(fingerprinter: Fingerprinter) -> Self {
        LoadOptions { fingerprinter, secrets: SecretRules::default() }
    }
}

/// What a parser needs besides the bytes.
pub(crate) struct Context<'a> {
    pub(crate) options: &'a LoadOptions,
    /// The environment chosen in a multi-environment export (`export.json@production`).
    pub(crate) env: Option<&'a str>,
}

/// Loads an environment: a file, a directory (walked recursively), `-` for stdin, or a snapshot
/// saved by `drift snapshot`. The snapshot's name is the directory's name (for a file, the
/// environment named in the file name, e.g. `.env.production`, else its directory's name).
///
/// # Errors
///
/// A missing or unreadable path, a malformed file, or a single file (or stdin) in no known format.
/// Unknown files inside a directory are not errors: they are listed in [`Snapshot::skipped`].
pub fn load(input: &Path, options: &LoadOptions) -> Result<Snapshot> {
    let mut snapshot = read_input(input, options)?;
    // Custom resources are compared as the environment's own CRDs say.
    crd::apply(&crd::shapes(&[&snapshot]), &mut snapshot);
    Ok(snapshot)
}

/// Applies the CRDs of both environments to the custom resources of both, so that a kind is
/// compared the same way on each side even when only one of them holds its CRD.
pub(crate) fn apply_crds(left: &mut Snapshot, right: &mut Snapshot) {
    let shapes = crd::shapes(&[left, right]);
    crd::apply(&shapes, left);
    crd::apply(&shapes, right);
}

fn read_input(input: &Path, options: &LoadOptions) -> Result<Snapshot> {
    let shown = input.to_string_lossy().into_owned();
    if shown == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes).map_err(|e| Error::read("-", e))?;
        let mut snapshot = parse_detected("-", &bytes, ".env", options)?.ok_or_else(|| unknown("-"))?;
        if snapshot.name.is_empty() {
            snapshot.name = "stdin".to_owned();
        }
        snapshot.inputs = vec![shown];
        return Ok(snapshot);
    }
    // `export.json@production`: one environment of a multi-environment flag export.
    if !input.exists()
        && let Some((file, env)) = shown.rsplit_once('@')
        && Path::new(file).is_file()
    {
        let bytes = std::fs::read(file).map_err(|e| Error::read(file, e))?;
        let mut snapshot =
            parse_with(Format::Flags, file, &bytes, options, Some(env))?.ok_or_else(|| unknown_env(file))?;
        snapshot.name = env.to_owned();
        snapshot.inputs = vec![shown];
        return Ok(snapshot);
    }
    let metadata = std::fs::metadata(input).map_err(|e| Error::read(input, e))?;
    let mut snapshot = if metadata.is_dir() {
        let mut snapshot = load_dir(input, options)?;
        snapshot.name = dir_name(input);
        snapshot
    } else {
        let mut file = std::fs::File::open(input).map_err(|e| Error::read(input, e))?;
        // A saved snapshot can be several times its environment's size: read it as a stream.
        let mut head = Vec::with_capacity(512);
        (&mut file).take(512).read_to_end(&mut head).map_err(|e| Error::read(input, e))?;
        if detect(&shown, &head) == Some(Format::Snapshot) {
            let mut snapshot = snapshot::read_stream(&shown, head.as_slice().chain(file), options)?;
            protect(&mut snapshot, options);
            snapshot
        } else {
            let mut bytes = head;
            file.read_to_end(&mut bytes).map_err(|e| Error::read(input, e))?;
            parse_detected(&shown, &bytes, ".env", options)?.ok_or_else(|| unknown(&shown))?
        }
    };
    snapshot.inputs = vec![shown];
    Ok(snapshot)
}

/// Parses one file's bytes in a known format. `origin` names the file in locations and errors, and
/// the environment (as [`load`] does for a file: `staging/.env` is `staging`).
///
/// # Errors
///
/// The bytes are not valid in that format.
pub fn parse(format: Format, origin: &str, bytes: &[u8], options: &LoadOptions) -> Result<Snapshot> {
    let mut snapshot = parse_with(format, origin, bytes, options, None)?
        .ok_or_else(|| Error::UnknownFormat { origin: origin.to_owned(), message: format!("not {format}") })?;
    crd::apply(&crd::shapes(&[&snapshot]), &mut snapshot);
    Ok(snapshot)
}

fn unknown_env(origin: &str) -> Error {
    Error::UnknownFormat {
        origin: origin.to_owned(),
        message: "FILE@ENVIRONMENT is for flag exports that hold several environments (Unleash, LaunchDarkly)"
            .to_owned(),
    }
}

/// Parses in a known format; `None` when the bytes turn out not to be in it (a JSON file that is no
/// flag export). `env` chooses one environment of a multi-environment export.
fn parse_with(
    format: Format,
    origin: &str,
    bytes: &[u8],
    options: &LoadOptions,
    env: Option<&str>,
) -> Result<Option<Snapshot>> {
    let file: Arc<str> = origin.into();
    let ctx = Context { options, env };
    let named = |origin: &str| if origin == "-" { String::new() } else { file_env_name(Path::new(origin)) };
    let mut snapshot = match format {
        Format::Env => {
            let name = if origin == "-" { String::new() } else { file_env_name(Path::new(origin)) };
            let mut snapshot = Snapshot::new(name);
            snapshot.key_id = Some(options.fingerprinter.key_id());
            let (body, warnings) = env::parse(&file, bytes)?;
            // A .env entity is the whole file: no line of its own, so a key missing on one side
            // points at the file.
            snapshot.insert(Entity::new(EntityId::new(Domain::Env, ".env"), file, 0, body))?;
            snapshot.warnings = warnings;
            snapshot
        }
        Format::Kubernetes => {
            let mut snapshot =
                Snapshot::new(if origin == "-" { String::new() } else { file_env_name(Path::new(origin)) });
            snapshot.key_id = Some(options.fingerprinter.key_id());
            let objects = k8s::parse(&file, bytes, &ctx)?;
            for entity in objects.entities {
                snapshot.insert(entity)?;
            }
            snapshot.warnings = objects.warnings;
            snapshot
        }
        Format::Terraform => {
            let mut snapshot =
                Snapshot::new(if origin == "-" { String::new() } else { file_env_name(Path::new(origin)) });
            snapshot.key_id = Some(options.fingerprinter.key_id());
            for entity in tfstate::parse(&file, bytes, &ctx)? {
                snapshot.insert(entity)?;
            }
            snapshot
        }
        Format::Flags => {
            let Some((root, kind)) = flag_document(origin, bytes, env.is_some())? else { return Ok(None) };
            let mut snapshot = Snapshot::new(named(origin));
            snapshot.key_id = Some(options.fingerprinter.key_id());
            for entity in flags::parse(&file, root, kind, ctx.env)? {
                snapshot.insert(entity)?;
            }
            snapshot
        }
        Format::Snapshot => snapshot::read(origin, bytes, options)?,
    };
    protect(&mut snapshot, options);
    Ok(Some(snapshot))
}

/// Runs the secret classifier over every entity: what a source did not mark itself (by name at any
/// depth, by command-line form, by value shape) becomes a fingerprint before the snapshot leaves
/// `source/`. Snapshots read back are classified again, so a file saved by an older drift, or
/// under other rules, never brings a plain secret in.
pub(crate) fn protect(snapshot: &mut Snapshot, options: &LoadOptions) {
    let (rules, fingerprinter) = (&options.secrets, &options.fingerprinter);
    snapshot.entities.par_iter_mut().for_each(|(id, entity)| {
        let name = match id.domain() {
            Domain::Flag => Some(id.address()),
            Domain::Terraform => id.address().strip_prefix("output."),
            _ => None,
        };
        rules.protect_tree(fingerprinter, id.domain(), name, entity.body_mut());
    });
}

/// A flag file's document and format; `None` when it is no flag export.
fn flag_document(origin: &str, bytes: &[u8], chosen_env: bool) -> Result<Option<(crate::model::Node, flags::Kind)>> {
    let name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    let plain = is_flag_name(name);
    let trimmed = bytes.trim_ascii_start();
    let root = if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        json::parse(origin, bytes, "JSON")?
    } else if name.ends_with(".toml") {
        toml_document(origin, bytes)?
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| Error::input(origin, 0, "not valid UTF-8"))?;
        // Flag tools read YAML 1.2: `on` is a string there (a variant's name), not a boolean.
        match yaml::documents_with(origin, text, yaml::Schema::Yaml12)?.0.into_iter().next() {
            Some(document) => document.node,
            None => return Ok(None),
        }
    };
    Ok(flags::kind_of(&root, plain || chosen_env).map(|kind| (root, kind)))
}

fn toml_document(origin: &str, bytes: &[u8]) -> Result<crate::model::Node> {
    use crate::model::{Field, List, Node, Number};
    fn convert(value: toml::Value) -> Node {
        match value {
            toml::Value::String(s) => Node::string(s),
            toml::Value::Integer(i) => Node::Number(Box::new(Number::from_i64(i))),
            toml::Value::Float(f) => {
                Number::parse(&f.to_string()).map_or_else(|| Node::string(f.to_string()), |n| Node::Number(Box::new(n)))
            }
            toml::Value::Boolean(b) => Node::Bool(b),
            toml::Value::Datetime(d) => Node::string(d.to_string()),
            toml::Value::Array(items) => Node::List(List::sequence(items.into_iter().map(convert).collect())),
            toml::Value::Table(table) => {
                Node::map(table.into_iter().map(|(k, v)| Field::new(k, 0, convert(v))).collect())
            }
        }
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Error::input(origin, 0, "not valid UTF-8"))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map_or(0, |span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        Error::input(
            origin,
            u32::try_from(line).unwrap_or(0),
            format!("invalid TOML: {}", crate::error::without_values(e.message())),
        )
    })?;
    Ok(convert(toml::Value::Table(table)))
}

/// `flags.json`, `features.yaml`, `feature-flags.toml`, `flags.production.json`…
fn is_flag_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    matches!(stem.as_str(), "flags" | "features" | "feature-flags" | "feature_flags" | "featureflags" | "toggles")
        && [".json", ".yaml", ".yml", ".toml"].iter().any(|e| name.ends_with(e))
}

/// Whether the head of a file suggests a flag export (a cheap look before parsing it).
fn looks_like_flags(origin: &str, bytes: &[u8]) -> bool {
    let name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    if is_flag_name(name) {
        return true;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"\"flags\"")
        || has(b"flags:")
        || has(b"\"featureStrategies\"")
        || has(b"\"flagValues\"")
        || has(b"\"variations\"")
}

fn unknown(origin: &str) -> Error {
    Error::UnknownFormat {
        origin: origin.to_owned(),
        message: "not a format drift reads (.env, Kubernetes YAML or JSON, Terraform state, feature flags, or a drift snapshot)"
            .to_owned(),
    }
}

/// Detects the format (content first, then the file name) and parses; `None` when unrecognised.
/// `scope` is the address of a `.env` entity read from this file.
fn parse_detected(origin: &str, bytes: &[u8], scope: &str, options: &LoadOptions) -> Result<Option<Snapshot>> {
    let Some(format) = detect(origin, bytes) else {
        return Ok(None);
    };
    let Some(mut snapshot) = parse_with(format, origin, bytes, options, None)? else {
        return Ok(None);
    };
    if format == Format::Env && scope != ".env" {
        let entities = std::mem::take(&mut snapshot.entities);
        for entity in entities.into_values() {
            let (file, line) = (entity.file().clone(), entity.line());
            let body = entity.body().clone();
            snapshot.insert(Entity::new(EntityId::new(Domain::Env, scope), file, line, body))?;
        }
    }
    Ok(Some(snapshot))
}

/// The format of a file, by content first and then by name.
pub(crate) fn detect(origin: &str, bytes: &[u8]) -> Option<Format> {
    let head = &bytes[..bytes.len().min(512)];
    let trimmed = head.trim_ascii_start();
    if trimmed.starts_with(b"{") && contains(head, b"\"drift/snapshot/") {
        return Some(Format::Snapshot);
    }
    if tfstate::looks_like_state(bytes) {
        return Some(Format::Terraform);
    }
    let name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    if k8s::looks_like_k8s(bytes) || (is_yaml_name(name) && is_blank_yaml(bytes)) {
        return Some(Format::Kubernetes);
    }
    if looks_like_flags(origin, bytes) && !is_env_name(name) {
        return Some(Format::Flags);
    }
    if is_env_name(name) {
        return Some(Format::Env);
    }
    if !trimmed.starts_with(b"{") && !trimmed.starts_with(b"[") && env::looks_like_env(bytes) {
        return Some(Format::Env);
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn is_yaml_name(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Only comments, blank lines and document markers: a template that rendered to nothing.
fn is_blank_yaml(bytes: &[u8]) -> bool {
    bytes.split(|&b| b == b'\n').all(|line| {
        let line = line.trim_ascii();
        line.is_empty() || line.starts_with(b"#") || line == b"---" || line == b"..."
    })
}

/// `.env`, `.env.*` and `*.env`.
fn is_env_name(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.") || (name.ends_with(".env") && name.len() > 4)
}

/// The entity scope of a `.env` file: its path under the root with any environment token removed
/// from the file name (`config/.env.production` → `config/.env`, `staging.env` → `.env`).
fn env_scope(relative: &Path) -> String {
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
    let kept: Vec<&str> = name.split('.').filter(|part| environment::family_of_word(part).is_none()).collect();
    let mut file = kept.join(".");
    if file == "env" || file.is_empty() {
        file = ".env".to_owned();
    }
    let mut scope = parent.join("/");
    if !scope.is_empty() {
        scope.push('/');
    }
    scope.push_str(&file);
    scope
}

fn load_dir(root: &Path, options: &LoadOptions) -> Result<Snapshot> {
    let mut snapshot = Snapshot::new("");
    snapshot.key_id = Some(options.fingerprinter.key_id());
    // Links are followed, so that a broken one is an error rather than a file silently missing.
    let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        e.depth() == 0 || !(e.file_type().is_dir() && matches!(e.file_name().to_str(), Some(".git" | ".hg" | ".svn")))
    });
    let mut files = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
            match e.into_io_error() {
                Some(io) => Error::read(path, io),
                None => Error::read(path, std::io::Error::other("filesystem loop")),
            }
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() {
            // Sockets, pipes, devices: listed, never read (a pipe would block).
            snapshot.skipped.push(entry.path().to_string_lossy().into_owned());
            continue;
        }
        files.push(entry.into_path());
    }
    // Files parse in parallel; results are merged in walk order, so the first error is the same
    // on every run.
    let parsed: Vec<(String, Result<Option<Snapshot>>)> = files
        .par_iter()
        .map(|path| {
            let shown = path.to_string_lossy().into_owned();
            let result = std::fs::read(path).map_err(|e| Error::read(path, e)).and_then(|bytes| {
                let relative = path.strip_prefix(root).unwrap_or(path);
                parse_detected(&shown, &bytes, &env_scope(relative), options)
            });
            (shown, result)
        })
        .collect();
    for (shown, result) in parsed {
        match result? {
            Some(part) => {
                if part.entity_ids_are_env() {
                    if let Some(existing) = part.entities().find_map(|e| snapshot.entity(e.id())) {
                        return Err(Error::input(
                            &shown,
                            0,
                            format!(
                                "{} is also defined by {}; compare such files directly, e.g. `drift diff {} {shown}`",
                                existing.id(),
                                existing.file(),
                                existing.file()
                            ),
                        ));
                    }
                }
                snapshot.absorb(part)?;
            }
            None => snapshot.skipped.push(shown),
        }
    }
    Ok(snapshot)
}

/// The last component of a directory, resolving `.` and `..`.
fn dir_name(dir: &Path) -> String {
    let named = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    named
        .filter(|n| n != "." && n != "..")
        .or_else(|| dir.canonicalize().ok()?.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.to_string_lossy().into_owned())
}

/// A file's environment: the token in its name (`.env.production` → `production`), else its
/// directory's name.
fn file_env_name(file: &Path) -> String {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some(token) = name.split('.').find(|part| environment::family_of_word(part).is_some()) {
        return token.to_owned();
    }
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => dir_name(parent),
        _ => dir_name(Path::new(".")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(env_scope(Path::new(".env")), ".env");
        assert_eq!(env_scope(Path::new(".env.production")), ".env");
        assert_eq!(env_scope(Path::new(".env.staging")), ".env");
        assert_eq!(env_scope(Path::new("staging.env")), ".env");
        assert_eq!(env_scope(Path::new("svc/api/.env.prod")), "svc/api/.env");
        assert_eq!(env_scope(Path::new("app.staging.env")), "app.env");
        assert_eq!(env_scope(Path::new(".env.local")), ".env.local");
    }

    #[test]
    fn names() {
        assert!(is_env_name(".env"));
        assert!(is_env_name(".env.production"));
        assert!(is_env_name("app.env"));
        assert!(!is_env_name("env"));
        assert!(!is_env_name("environment.yaml"));
        assert_eq!(file_env_name(Path::new("x/.env.production")), "production");
        assert_eq!(file_env_name(Path::new("x/staging/.env")), "staging");
    }
}
