//! Sources: bytes in, [`Snapshot`] out. One module per format; this one finds the files, parses
//! each one in its syntax, decides its format from the parsed document (`detect.rs`), and merges
//! what the files define into one snapshot.

pub(crate) mod certificate;
pub(crate) mod cfg;
pub(crate) mod crd;
pub(crate) mod detect;
pub(crate) mod env;
pub(crate) mod flags;
pub(crate) mod hcl;
pub(crate) mod ini;
pub(crate) mod json;
pub(crate) mod k8s;
pub(crate) mod kustomize;
pub(crate) mod properties;
pub(crate) mod snapshot;
pub(crate) mod tfstate;
pub(crate) mod toml;
pub(crate) mod yaml;

use std::fmt;
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::environment;
use crate::error::{Error, Result};
use crate::fingerprint::Fingerprinter;
use crate::layers;
use crate::model::{Diagnostic, Domain, Entity, EntityId, Node, Skipped, Snapshot};
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
    /// Any other structured configuration: YAML, JSON, TOML, INI, `.properties`, HCL (`cfg:`).
    Config,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Env => ".env",
            Format::Kubernetes => "Kubernetes manifest",
            Format::Terraform => "Terraform state",
            Format::Flags => "feature flags",
            Format::Snapshot => "snapshot",
            Format::Config => "configuration file",
        })
    }
}

/// How to load: the fingerprint key, which settings are secret, and the limits on what an input
/// may cost.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Hashes secret values.
    pub fingerprinter: Fingerprinter,
    /// Decides which settings are secret.
    pub secrets: SecretRules,
    /// Bounds on one input's size and expansions.
    pub limits: Limits,
    /// Nothing may be skipped: a file that is not configuration, or a link that leaves the
    /// environment's root, is an error instead of a listed skip.
    pub strict: bool,
    /// Layer sets declared in drift.toml (`[[layers]]`), merged before the runtimes' conventions.
    pub layers: Vec<crate::layers::Declared>,
}

impl LoadOptions {
    /// Options with this fingerprinter, the default secret rules and the default limits.
    pub fn new(fingerprinter: Fingerprinter) -> Self {
        LoadOptions { fingerprinter, ..LoadOptions::default() }
    }
}

/// Bounds on what one input may cost, so that a hostile file fails quickly with an error instead of
/// exhausting memory or time. Inputs drift reads are far below them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Bytes one file (or stdin) may hold. Default: 1 GiB.
    pub max_input_size: u64,
    /// What expansions (YAML aliases and the merge keys that use them, flagd `$ref`s) may add to
    /// one file: bytes of text plus 16 per node. Default: 64 MiB.
    pub max_expansion: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_input_size: 1 << 30, max_expansion: 64 << 20 }
    }
}

impl Limits {
    /// A size for people: `64 MiB`, `2 GiB`, `1500 bytes`.
    pub fn bytes(size: u64) -> String {
        match size {
            s if s >= 1 << 30 && s % (1 << 30) == 0 => format!("{} GiB", s >> 30),
            s if s >= 1 << 20 && s % (1 << 20) == 0 => format!("{} MiB", s >> 20),
            s if s >= 1 << 10 && s % (1 << 10) == 0 => format!("{} KiB", s >> 10),
            s => format!("{s} bytes"),
        }
    }
}

/// What a parser needs besides the bytes.
pub(crate) struct Context<'a> {
    pub(crate) options: &'a LoadOptions,
    /// The environment chosen in a multi-environment export (`export.json@production`).
    pub(crate) env: Option<&'a str>,
}

/// Nesting deeper than this is refused by every reader (and written by none): no configuration
/// needs it, and it would only exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 256;

/// A document of a file: its root node and the line it starts on.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) node: Node,
    pub(crate) line: u32,
}

/// A key set twice in one mapping (the last value wins).
#[derive(Debug)]
pub(crate) struct Duplicate {
    pub(crate) key: String,
    pub(crate) line: u32,
}

/// Byte offsets to 1-based lines, for parsers that report offsets.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub(crate) fn line(&self, offset: usize) -> u32 {
        let line = self.starts.partition_point(|&start| start <= offset);
        u32::try_from(line).unwrap_or(u32::MAX)
    }
}

/// Loads an environment: a file, a directory (walked recursively), `-` for stdin, or a snapshot
/// saved by `drift snapshot`. The snapshot's name is the environment token nearest the leaf of
/// the path (`.env.production`, `envs/production/app`), else the directory's name (README, "Names
/// and roles").
///
/// # Errors
///
/// A missing or unreadable path, a malformed or empty configuration file, or a single file (or
/// stdin) in no format drift reads. Files that are not configuration (a README, an image) are not
/// errors: they are listed in [`Snapshot::skipped`] with the reason.
pub fn load(input: &Path, options: &LoadOptions) -> Result<Snapshot> {
    let mut snapshot = read_input(input, options)?;
    // Custom resources are compared as the environment's own CRDs say.
    crd::apply(&crd::shapes(&[&snapshot]), &mut snapshot);
    Ok(snapshot)
}

/// Two files compared directly are one file in two environments: when each side is one `.env` or
/// configuration file (or stdin), the right one takes the left one's address (`app-a.yaml` vs
/// `app-b.yaml`).
pub(crate) fn pair_single_files(left: &Snapshot, right: &mut Snapshot) {
    let single = |s: &Snapshot| {
        let mut ids = s.entities.keys();
        match (ids.next(), ids.next(), s.files.len()) {
            (Some(id), None, 0 | 1) if matches!(id.domain(), Domain::Env | Domain::Cfg) => Some(id.clone()),
            _ => None,
        }
    };
    if let (Some(l), Some(r)) = (single(left), single(right))
        && l != r
        && l.domain() == r.domain()
        && let Some(entity) = right.entities.remove(&r)
    {
        let entity = Entity::new(l.clone(), entity.file().clone(), entity.line(), entity.body().clone());
        right.entities.insert(l, entity);
    }
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
        let limit = options.limits.max_input_size;
        std::io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Error::read("-", e))?;
        if bytes.len() as u64 > limit {
            return Err(too_large("-", limit));
        }
        let scope = Scope { address: ".env", in_folder: false };
        let mut snapshot = match read_file("-", &scope, &bytes, detect::sniff_stdin(&bytes), options, None)? {
            Read::Parsed(snapshot) => *snapshot,
            Read::Skipped(why) => return Err(unknown("-", why)),
        };
        if snapshot.name.is_empty() {
            snapshot.name = "stdin".to_owned();
        }
        snapshot.inputs = vec![shown];
        return Ok(snapshot);
    }
    // `chart@production`: one environment's selection of a tree that holds several.
    if !input.exists()
        && let Some((dir, env)) = shown.rsplit_once('@')
        && !env.is_empty()
        && Path::new(dir).is_dir()
    {
        let selection = layers::plan::Selection { environment: env, explicit: true };
        let mut snapshot = load_tree(Path::new(dir), &shown, selection, options)?;
        snapshot.name = env.to_owned();
        snapshot.inputs = vec![shown];
        return Ok(snapshot);
    }
    // `export.json@production`: one environment of a multi-environment flag export.
    if !input.exists()
        && let Some((file, env)) = shown.rsplit_once('@')
        && Path::new(file).is_file()
    {
        let bytes = read_regular(Path::new(file), &options.limits)?;
        let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
        let scope = Scope { address: name, in_folder: false };
        let mut snapshot = match read_file(file, &scope, &bytes, detect::plan(name, false, &bytes), options, Some(env))?
        {
            Read::Parsed(snapshot) if snapshot.entities().all(|e| e.id().domain() == Domain::Flag) => *snapshot,
            _ => return Err(unknown_env(file)),
        };
        snapshot.name = env.to_owned();
        snapshot.inputs = vec![shown];
        return Ok(snapshot);
    }
    let metadata = std::fs::metadata(input).map_err(|e| Error::read(input, e))?;
    let mut snapshot = if metadata.is_dir() {
        let name = environment::name::from_path(input, false);
        let selection = layers::plan::Selection { environment: &name, explicit: false };
        let mut snapshot = load_tree(input, &shown, selection, options)?;
        snapshot.name = name;
        snapshot
    } else {
        check_regular(input, &metadata, &options.limits)?;
        let mut file = std::fs::File::open(input).map_err(|e| Error::read(input, e))?;
        // A saved snapshot can be several times its environment's size: read it as a stream (our
        // own format, which drift always writes with its schema first).
        let mut head = Vec::with_capacity(512);
        (&mut file).take(512).read_to_end(&mut head).map_err(|e| Error::read(input, e))?;
        if is_snapshot_head(&head) {
            let mut snapshot = snapshot::read_stream(&shown, head.as_slice().chain(file), options)?;
            protect(&mut snapshot, options);
            snapshot
        } else {
            let mut bytes = head;
            file.read_to_end(&mut bytes).map_err(|e| Error::read(input, e))?;
            let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            // A file named on the command line is meant to be compared: a name that says "not
            // configuration" (`template.txt`) only means its content decides.
            let plan = match detect::plan(&name, false, &bytes) {
                detect::Plan::Skip(_) => detect::sniff(&bytes),
                plan => plan,
            };
            let scope = single_scope(&name);
            match read_file(&shown, &Scope { address: &scope, in_folder: false }, &bytes, plan, options, None)? {
                Read::Parsed(snapshot) => {
                    let mut snapshot = *snapshot;
                    snapshot.name = environment::name::from_path(input, true);
                    snapshot
                }
                Read::Skipped(why) => return Err(unknown(&shown, why)),
            }
        }
    };
    snapshot.inputs = vec![shown];
    Ok(snapshot)
}

/// A folder loaded as one environment (its layer sets merged for `selection`), which must hold
/// something drift reads.
fn load_tree(
    root: &Path,
    shown: &str,
    selection: layers::plan::Selection<'_>,
    options: &LoadOptions,
) -> Result<Snapshot> {
    let snapshot = load_dir(root, selection, options)?;
    // An empty checkout or a wrong path must not pass as an environment with nothing in it.
    if snapshot.files.is_empty() {
        let skipped = match snapshot.skipped.len() {
            0 => String::new(),
            n => format!(" ({n} skipped: {})", snapshot.skipped[0].reason),
        };
        return Err(Error::UnknownFormat {
            origin: shown.to_owned(),
            message: format!("holds no file drift reads{skipped}: nothing to compare"),
        });
    }
    if options.strict
        && let Some(skipped) = snapshot.skipped.first()
    {
        return Err(Error::UnknownFormat {
            origin: skipped.file.clone(),
            message: format!("skipped ({}), and nothing may be skipped with --strict", skipped.reason),
        });
    }
    Ok(snapshot)
}

/// Refuses what is not a regular file (a device such as `/dev/zero`, a pipe, a socket: reading one
/// would never end or block) and a file larger than the limit.
fn check_regular(path: &Path, metadata: &std::fs::Metadata, limits: &Limits) -> Result<()> {
    if !metadata.is_file() {
        return Err(Error::Read {
            path: path.to_path_buf(),
            message: "not a regular file (a device, a pipe or a socket); drift reads files".to_owned(),
            kind: std::io::ErrorKind::InvalidInput,
        });
    }
    if metadata.len() > limits.max_input_size {
        return Err(too_large(&path.to_string_lossy(), limits.max_input_size));
    }
    Ok(())
}

/// The whole of a regular file within the size limit.
fn read_regular(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    check_regular(path, &metadata, limits)?;
    let file = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // A file that grows while it is read still stops at the limit.
    file.take(limits.max_input_size.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| Error::read(path, e))?;
    if bytes.len() as u64 > limits.max_input_size {
        return Err(too_large(&path.to_string_lossy(), limits.max_input_size));
    }
    Ok(bytes)
}

fn too_large(origin: &str, limit: u64) -> Error {
    Error::UnknownFormat {
        origin: origin.to_owned(),
        message: format!("larger than {} (--max-input-size)", Limits::bytes(limit)),
    }
}

/// The scope of a file compared on its own: `.env` for any `.env` file, the name without its
/// environment token for a configuration file (`values-production.yaml` → `values.yaml`).
fn single_scope(name: &str) -> String {
    if detect::is_env_name(name) { ".env".to_owned() } else { detect::scope(Path::new(name), false) }
}

/// The head of a file drift wrote with `drift snapshot`.
fn is_snapshot_head(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.trim_ascii_start().starts_with(b"{") && head.windows(16).any(|w| w == b"\"drift/snapshot/")
}

/// Parses one file's bytes in a known format. `origin` names the file in locations and errors, and
/// the environment (as [`load`] does for a file: `staging/.env` is `staging`).
///
/// # Errors
///
/// The bytes are not valid in that format.
pub fn parse(format: Format, origin: &str, bytes: &[u8], options: &LoadOptions) -> Result<Snapshot> {
    let name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    let syntax = match format {
        Format::Env => Some(detect::Syntax::Env),
        Format::Kubernetes => Some(detect::Syntax::Yaml),
        Format::Terraform | Format::Snapshot => Some(detect::Syntax::Json),
        Format::Flags | Format::Config => match detect::plan(name, false, bytes) {
            detect::Plan::Read(syntax) | detect::Plan::Try(syntax) => Some(syntax),
            detect::Plan::Skip(_) => None,
        },
    };
    let not = || Error::UnknownFormat { origin: origin.to_owned(), message: format!("not {format}") };
    let syntax = syntax.ok_or_else(not)?;
    let scope = if format == Format::Env { ".env".to_owned() } else { single_scope(name) };
    let scope = Scope { address: &scope, in_folder: false };
    let mut snapshot = match read_file(origin, &scope, bytes, detect::Plan::Read(syntax), options, None)? {
        Read::Parsed(snapshot) if snapshot.format == Some(format) || snapshot.entities.is_empty() => *snapshot,
        _ => return Err(not()),
    };
    crd::apply(&crd::shapes(&[&snapshot]), &mut snapshot);
    if snapshot.name.is_empty() {
        snapshot.name = environment::name::from_path(Path::new(origin), true);
    }
    if snapshot.name.is_empty() {
        snapshot.name = environment::name::from_path(Path::new(origin), true);
    }
    Ok(snapshot)
}

fn unknown_env(origin: &str) -> Error {
    Error::UnknownFormat {
        origin: origin.to_owned(),
        message: "FILE@ENVIRONMENT is for flag exports that hold several environments (Unleash, LaunchDarkly)"
            .to_owned(),
    }
}

fn unknown(origin: &str, why: &str) -> Error {
    Error::UnknownFormat {
        origin: origin.to_owned(),
        message: format!(
            "{why}: drift reads .env files, Kubernetes manifests, Terraform states and plans, feature flags, YAML, JSON, TOML, INI, .properties and HCL configuration, and its own snapshots"
        ),
    }
}

/// Where a file sits in its environment: the entity address of a `.env` or configuration file, and
/// whether it was found in a folder walk (where several states get their folder as a prefix).
struct Scope<'a> {
    address: &'a str,
    in_folder: bool,
}

/// What became of a file.
enum Read {
    Parsed(Box<Snapshot>),
    Skipped(&'static str),
}

/// Reads one file by its plan: parses it in its syntax, then decides its format from the parsed
/// document. `scope` is the entity address of a `.env` or configuration file; `env` chooses one
/// environment of a multi-environment flag export.
fn read_file(
    origin: &str,
    scope: &Scope<'_>,
    bytes: &[u8],
    plan: detect::Plan,
    options: &LoadOptions,
    env: Option<&str>,
) -> Result<Read> {
    let (syntax, tried) = match plan {
        detect::Plan::Skip(why) => return Ok(Read::Skipped(why)),
        detect::Plan::Read(syntax) => (syntax, false),
        detect::Plan::Try(syntax) => (syntax, true),
    };
    let unbommed = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if unbommed.trim_ascii().is_empty() {
        // A truncated `terraform state pull` must not pass as an environment without resources.
        return Err(Error::input(origin, 1, "the file is empty"));
    }
    let file: Arc<str> = origin.into();
    let ctx = Context { options, env };
    // The environment's name is decided once per input, by whoever read it (`read_input`, `parse`).
    let mut snapshot = Snapshot::new(String::new());
    snapshot.key_id = Some(options.fingerprinter.key_id());
    if origin != "-" {
        snapshot.files.push(origin.to_owned());
    }
    let parsed = match syntax {
        detect::Syntax::Env => {
            let (body, warnings) = env::parse(&file, bytes)?;
            // A .env entity is the whole file: no line of its own, so a key missing on one side
            // points at the file.
            snapshot.insert(Entity::new(EntityId::new(Domain::Env, scope.address), file, 0, body))?;
            snapshot.warnings = warnings;
            snapshot.format = Some(Format::Env);
            protect(&mut snapshot, options);
            return Ok(Read::Parsed(Box::new(snapshot)));
        }
        detect::Syntax::Json => {
            // .NET's configuration reader takes comments and trailing commas.
            let file_name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
            let relaxed = file_name.starts_with("appsettings").then(|| json::without_comments(bytes)).flatten();
            let bytes = relaxed.as_deref().unwrap_or(bytes);
            match json::document(origin, bytes, if origin.ends_with(".tfstate") { "Terraform state" } else { "JSON" }) {
                Ok((document, duplicates)) => Parsed::Json(document, duplicates),
                Err(_) if tried => return Ok(Read::Skipped("not a configuration format drift reads")),
                Err(err) => return Err(err),
            }
        }
        detect::Syntax::Yaml => {
            let text = utf8(origin, unbommed)?;
            match yaml::documents(origin, text, options.limits.max_expansion) {
                Ok((documents, duplicates)) => Parsed::Yaml(documents, duplicates),
                Err(_) if tried => return Ok(Read::Skipped("not a configuration format drift reads")),
                Err(err) => return Err(err),
            }
        }
        detect::Syntax::Toml => Parsed::Other(toml::parse(origin, utf8(origin, unbommed)?)?, Vec::new()),
        detect::Syntax::Ini => {
            let (node, duplicates) = ini::parse(origin, utf8(origin, unbommed)?)?;
            Parsed::Other(node, duplicates)
        }
        detect::Syntax::Properties => {
            let (node, duplicates) = properties::parse(origin, utf8(origin, unbommed)?)?;
            Parsed::Other(node, duplicates)
        }
        detect::Syntax::Hcl => Parsed::Other(hcl::parse(origin, utf8(origin, unbommed)?)?, Vec::new()),
    };
    let flag_name = is_flag_name(scope.address.rsplit('/').next().unwrap_or(scope.address));
    match parsed {
        Parsed::Json(document, duplicates) => {
            snapshot.warnings.extend(duplicate_warnings(&file, &duplicates));
            let root = document.node;
            if is_snapshot(&root) {
                let mut saved = snapshot::read(origin, bytes, options)?;
                saved.files = snapshot.files;
                snapshot = saved;
                snapshot.format = Some(Format::Snapshot);
            } else if let Some(kind) = tfstate::kind_of(&root) {
                if kind == tfstate::Kind::Plan {
                    snapshot.notes.push(format!(
                        "{origin} is a Terraform plan: its planned values are compared, as the environment will run after `terraform apply`"
                    ));
                }
                // Several states in one environment (one per root module or stack): each one's
                // addresses are prefixed with where it is (`tf:network/aws_vpc.main`).
                let prefix = scope.in_folder.then(|| tfstate::scope_prefix(scope.address)).flatten();
                for entity in tfstate::entities(&file, root, kind, &ctx)? {
                    let entity = match &prefix {
                        Some(prefix) => {
                            let id = EntityId::new(Domain::Terraform, format!("{prefix}/{}", entity.id().address()));
                            Entity::new(id, entity.file().clone(), entity.line(), entity.body().clone())
                        }
                        None => entity,
                    };
                    snapshot.insert(entity)?;
                }
                snapshot.format = Some(Format::Terraform);
            } else if k8s::is_object(&root) {
                k8s_objects(&mut snapshot, &file, vec![Document { node: root, line: document.line }], &ctx)?;
            } else if let Some(kind) = flags::kind_of(&root, flag_name || env.is_some()) {
                flag_entities(&mut snapshot, &file, root, kind, &ctx)?;
            } else {
                config(&mut snapshot, &file, scope.address, vec![(root, document.line)], env)?;
            }
        }
        Parsed::Yaml(documents, duplicates) => {
            snapshot.warnings.extend(duplicate_warnings(&file, &duplicates));
            let flag_kind = match &documents[..] {
                [only] => flags::kind_of(&only.node, flag_name || env.is_some()),
                _ => None,
            };
            if documents.is_empty() || documents.iter().any(|d| k8s::is_object(&d.node)) {
                // Documents that are not Kubernetes objects (a Spring profile beside a ConfigMap, a
                // kustomization) are compared as configuration, never dropped.
                let (objects, rest): (Vec<Document>, Vec<Document>) =
                    documents.into_iter().partition(|d| k8s::is_object(&d.node));
                if !rest.is_empty() {
                    let rest = rest.into_iter().map(|d| (d.node, d.line)).collect();
                    config(&mut snapshot, &file, scope.address, rest, env)?;
                }
                k8s_objects(&mut snapshot, &file, objects, &ctx)?;
            } else if let Some(kind) = flag_kind {
                // Flag tools read YAML 1.2: `on` is a string there (a variant's name), not a boolean.
                let text = utf8(origin, unbommed)?;
                let root = yaml::documents_with(origin, text, yaml::Schema::Yaml12, options.limits.max_expansion)?
                    .0
                    .into_iter()
                    .next();
                flag_entities(&mut snapshot, &file, root.map_or(Node::Null, |d| d.node), kind, &ctx)?;
            } else {
                let documents = documents.into_iter().map(|d| (d.node, d.line)).collect();
                config(&mut snapshot, &file, scope.address, documents, env)?;
            }
        }
        Parsed::Other(root, duplicates) => {
            snapshot.warnings.extend(duplicate_warnings(&file, &duplicates));
            match flags::kind_of(&root, flag_name || env.is_some()) {
                Some(kind) if syntax == detect::Syntax::Toml => flag_entities(&mut snapshot, &file, root, kind, &ctx)?,
                _ => config(&mut snapshot, &file, scope.address, vec![(root, 1)], env)?,
            }
        }
    }
    protect(&mut snapshot, options);
    Ok(Read::Parsed(Box::new(snapshot)))
}

/// A file parsed in its syntax, before its format is known.
enum Parsed {
    Json(Document, Vec<Duplicate>),
    Yaml(Vec<Document>, Vec<Duplicate>),
    Other(Node, Vec<Duplicate>),
}

fn utf8<'b>(origin: &str, bytes: &'b [u8]) -> Result<&'b str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::input(origin, u32::try_from(line).unwrap_or(0), "not valid UTF-8")
    })
}

/// A JSON root written by `drift snapshot`.
fn is_snapshot(root: &Node) -> bool {
    root.as_map().and_then(|m| m.get("schema")).and_then(Node::as_str).is_some_and(|s| s.starts_with("drift/snapshot/"))
}

fn duplicate_warnings(file: &Arc<str>, duplicates: &[Duplicate]) -> Vec<Diagnostic> {
    duplicates
        .iter()
        .map(|dup| {
            // A key is named only when it reads as a name (a pasted token never is).
            let key =
                if crate::secrets::is_plain_name(&dup.key) { format!("`{}`", dup.key) } else { "a key".to_owned() };
            Diagnostic {
                location: crate::model::Location { file: file.clone(), line: (dup.line > 0).then_some(dup.line) },
                message: format!("{key} is set twice in one mapping; the last value wins"),
            }
        })
        .collect()
}

fn k8s_objects(snapshot: &mut Snapshot, file: &Arc<str>, documents: Vec<Document>, ctx: &Context<'_>) -> Result<()> {
    single_environment(file, ctx.env)?;
    let objects = k8s::objects(file, documents, ctx)?;
    for entity in objects.entities {
        snapshot.insert(entity)?;
    }
    snapshot.warnings.extend(objects.warnings);
    snapshot.format = Some(Format::Kubernetes);
    Ok(())
}

fn flag_entities(
    snapshot: &mut Snapshot,
    file: &Arc<str>,
    root: Node,
    kind: flags::Kind,
    ctx: &Context<'_>,
) -> Result<()> {
    for entity in flags::parse(file, root, kind, ctx.env, ctx.options)? {
        snapshot.insert(entity)?;
    }
    snapshot.format = Some(Format::Flags);
    Ok(())
}

fn config(
    snapshot: &mut Snapshot,
    file: &Arc<str>,
    scope: &str,
    documents: Vec<(Node, u32)>,
    env: Option<&str>,
) -> Result<()> {
    single_environment(file, env)?;
    snapshot.insert(cfg::entity(file, scope, documents))?;
    snapshot.format = Some(Format::Config);
    Ok(())
}

/// `FILE@ENV` chooses an environment of a flag export; no other file holds several.
fn single_environment(file: &str, env: Option<&str>) -> Result<()> {
    match env {
        Some(_) => Err(unknown_env(file)),
        None => Ok(()),
    }
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
            // `output.x`, or `network/output.x` for a state in a subfolder.
            Domain::Terraform => tfstate::unprefixed(id.address()).strip_prefix("output."),
            _ => None,
        };
        rules.protect_tree(fingerprinter, id.domain(), id.address(), name, entity.body_mut());
    });
    // A credential used as a flag's key (`ghp_…`): the address is printed in every report, so it
    // becomes the credential's fingerprint.
    let credentials: Vec<EntityId> = snapshot
        .entities
        .keys()
        .filter(|id| id.domain() == Domain::Flag && crate::secrets::looks_like_credential(id.address()))
        .cloned()
        .collect();
    for id in credentials {
        if let Some(entity) = snapshot.entities.remove(&id) {
            let label = format!("secret:{}", fingerprinter.fingerprint(id.address().as_bytes()));
            let renamed = Entity::new(
                EntityId::new(Domain::Flag, label),
                entity.file().clone(),
                entity.line(),
                entity.body().clone(),
            );
            snapshot.entities.insert(renamed.id().clone(), renamed);
        }
    }
}

/// `flags.json`, `features.yaml`, `feature-flags.toml`, `flags.production.json`…
fn is_flag_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    matches!(stem.as_str(), "flags" | "features" | "feature-flags" | "feature_flags" | "featureflags" | "toggles")
        && [".json", ".yaml", ".yml", ".toml"].iter().any(|e| name.ends_with(e))
}

fn load_dir(root: &Path, selection: layers::plan::Selection<'_>, options: &LoadOptions) -> Result<Snapshot> {
    let mut snapshot = Snapshot::new("");
    snapshot.key_id = Some(options.fingerprinter.key_id());
    // Links inside the environment are followed, so that a broken one is an error rather than a
    // file silently missing; a link that leaves the environment's root is not (a file from a pull
    // request must not make drift read `/etc` or a CI secret): it is listed as skipped.
    let real_root = root.canonicalize().map_err(|e| Error::read(root, e))?;
    let outside = std::cell::RefCell::new(Vec::new());
    let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        if e.depth() > 0 && e.path_is_symlink() {
            match e.path().canonicalize() {
                Ok(target) if !target.starts_with(&real_root) => {
                    outside.borrow_mut().push(e.path().to_string_lossy().into_owned());
                    return false;
                }
                // Inside the root, or broken (the walk reports it).
                _ => {}
            }
        }
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
            let file = entry.path().to_string_lossy().into_owned();
            snapshot.skipped.push(Skipped { file, reason: "not a regular file".into() });
            continue;
        }
        files.push(entry.into_path());
    }
    for file in outside.into_inner() {
        snapshot.skipped.push(Skipped { file, reason: "a link out of the environment's folder, not followed".into() });
    }
    // Layer sets (DESIGN §10): which files merge into one effective configuration, and which are
    // other environments' layers, not read for this one.
    let plan = {
        let relative: Vec<&Path> = files.iter().map(|path| path.strip_prefix(root).unwrap_or(path)).collect();
        layers::plan::plan(&relative, selection, &options.layers)
    };
    if !plan.excluded.is_empty() {
        let excluded: std::collections::BTreeSet<usize> = plan.excluded.iter().copied().collect();
        let names: Vec<String> =
            excluded.iter().map(|&i| files[i].strip_prefix(root).unwrap_or(&files[i]).display().to_string()).collect();
        snapshot.notes.push(format!(
            "{} {} of other environments not read for {}: {}",
            names.len(),
            if names.len() == 1 { "layer" } else { "layers" },
            selection.environment,
            layers::summary(&names)
        ));
        let mut index = 0;
        files.retain(|_| {
            index += 1;
            !excluded.contains(&(index - 1))
        });
    }
    snapshot.notes.extend(plan.notes.iter().cloned());
    let plan = if plan.excluded.is_empty() {
        plan
    } else {
        let relative: Vec<&Path> = files.iter().map(|path| path.strip_prefix(root).unwrap_or(path)).collect();
        layers::plan::plan(&relative, selection, &options.layers)
    };
    // Each file's scope (the entity address of a .env or configuration file): its path without the
    // environment token, unless another file of this environment has that scope already (a base
    // layer beside its overlay: `values.yaml`, `values-production.yaml`).
    let relative: Vec<&Path> = files.iter().map(|path| path.strip_prefix(root).unwrap_or(path)).collect();
    let plain: Vec<String> = relative.iter().map(|r| detect::scope(r, false)).collect();
    let mut claims: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for scope in &plain {
        *claims.entry(scope).or_default() += 1;
    }
    let scopes: Vec<String> = relative
        .iter()
        .zip(&plain)
        .map(|(r, scope)| {
            let named = r.file_name().is_some_and(|n| detect::names_environment(&n.to_string_lossy()));
            if claims[scope.as_str()] > 1 && named { detect::scope(r, true) } else { scope.clone() }
        })
        .collect();
    // Files parse in parallel; results are merged in walk order, so the first error is the same
    // on every run.
    let layer_members: std::collections::HashSet<usize> =
        plan.sets.iter().flat_map(|set| set.members.iter().map(|m| m.0)).collect();
    let parsed: Vec<(String, Result<Read>)> = files
        .par_iter()
        .zip(&relative)
        .zip(&scopes)
        .enumerate()
        .map(|(index, ((path, relative), scope))| {
            let shown = path.to_string_lossy().into_owned();
            let in_templates = relative.components().any(|c| c.as_os_str() == "templates");
            let result = read_regular(path, &options.limits).and_then(|bytes| {
                // An empty layer (`values-production.yaml` with nothing to override) is a layer
                // that adds nothing, as the runtimes read it.
                if layer_members.contains(&index) && bytes.trim_ascii().is_empty() {
                    let mut empty = Snapshot::new("");
                    empty.files.push(shown.clone());
                    return Ok(Read::Parsed(Box::new(empty)));
                }
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let scope = Scope { address: scope, in_folder: true };
                read_file(&shown, &scope, &bytes, detect::plan(&name, in_templates, &bytes), options, None)
            });
            (shown, result)
        })
        .collect();
    let member: std::collections::HashMap<usize, usize> =
        plan.sets.iter().enumerate().flat_map(|(s, set)| set.members.iter().map(move |m| (m.0, s))).collect();
    let mut layers: Vec<Vec<Option<Box<Snapshot>>>> =
        plan.sets.iter().map(|set| (0..set.members.len()).map(|_| None).collect()).collect();
    for (index, (shown, result)) in parsed.into_iter().enumerate() {
        match result? {
            Read::Parsed(part) => match member.get(&index) {
                Some(&set) => {
                    let position = plan.sets[set].members.iter().position(|m| m.0 == index).unwrap_or(0);
                    layers[set][position] = Some(part);
                }
                None => snapshot.absorb(*part)?,
            },
            Read::Skipped(reason) => snapshot.skipped.push(Skipped { file: shown, reason: reason.into() }),
        }
    }
    let mut merged = Vec::new();
    for (set, parts) in plan.sets.iter().zip(layers) {
        let parts: Vec<Snapshot> = parts.into_iter().flatten().map(|p| *p).collect();
        match layers::merge_set(set, parts, selection.environment)? {
            layers::Outcome::Merged(description, rest) => {
                merged.push(description);
                snapshot.absorb(*rest)?;
            }
            layers::Outcome::Unmerged(parts) => {
                for part in parts {
                    snapshot.absorb(part)?;
                }
            }
        }
    }
    kustomize::protect_generated_secrets(&mut snapshot, options);
    if !merged.is_empty() {
        snapshot.notes.push(format!(
            "effective configuration merged from layers for {}: {}",
            if selection.environment.is_empty() { "this environment" } else { selection.environment },
            layers::summary(&merged)
        ));
    }
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_offsets() {
        let index = LineIndex::new("a\nbc\n\nd");
        assert_eq!([index.line(0), index.line(2), index.line(3), index.line(5), index.line(6)], [1, 2, 2, 3, 4]);
    }
}
