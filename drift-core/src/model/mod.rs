//! The normalized model (DESIGN §4): a [`Snapshot`] of one environment is a set of [`Entity`]s,
//! each with an identity, a location and a typed [`Node`] body.

pub(crate) mod decimal;
pub(crate) mod key;
pub(crate) mod node;
pub(crate) mod quantity;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use decimal::Decimal;
pub use key::Key;
pub use node::{Field, List, ListKind, Map, Node, Number, Secret, SecretHints};
pub use quantity::Quantity;

use crate::error::{Error, Result};

/// The family of configuration an entity belongs to; the prefix of its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    /// Any other configuration file: `cfg:<scope>`.
    Cfg,
    /// `.env` files: `env:<scope>`.
    Env,
    /// Feature flags: `flag:<key>`.
    Flag,
    /// Kubernetes objects: `k8s:<group>/<Kind>/<namespace>/<name>`.
    K8s,
    /// Terraform resource instances and outputs: `tf:<address>`.
    #[serde(rename = "tf")]
    Terraform,
}

impl Domain {
    /// The address prefix (`cfg`, `env`, `flag`, `k8s`, `tf`).
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Env => "env",
            Domain::Flag => "flag",
            Domain::K8s => "k8s",
            Domain::Terraform => "tf",
            Domain::Cfg => "cfg",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An entity's identity: a domain and an address inside it (DESIGN §5), e.g. `env:.env`.
///
/// Ordering follows the rendered form, so sorted entities read alphabetically.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId {
    domain: Domain,
    // Shared: every finding about the entity holds a copy of its identity.
    address: Arc<str>,
}

impl EntityId {
    /// An identity.
    pub fn new(domain: Domain, address: impl Into<Arc<str>>) -> Self {
        EntityId { domain, address: address.into() }
    }

    /// The domain.
    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// The address inside the domain (`.env`, `apps/Deployment/shop/web`).
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.domain, self.address)
    }
}

impl FromStr for EntityId {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (domain, address) = s.split_once(':').ok_or_else(|| format!("entity `{s}` has no domain prefix"))?;
        let domain = match domain {
            "env" => Domain::Env,
            "flag" => Domain::Flag,
            "k8s" => Domain::K8s,
            "tf" => Domain::Terraform,
            "cfg" => Domain::Cfg,
            other => return Err(format!("unknown domain `{other}` in entity `{s}`")),
        };
        Ok(EntityId::new(domain, address))
    }
}

impl Serialize for EntityId {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EntityId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where something was written: a file (as given on the command line) and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The file, relative to where drift was run when it was given so.
    pub file: Arc<str>,
    /// The 1-based line; `None` when the format has no lines (or it is unknown).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One configuration object: a `.env` file, a Kubernetes object, a Terraform instance, a flag.
#[derive(Clone, Debug)]
pub struct Entity {
    id: EntityId,
    file: Arc<str>,
    line: u32,
    body: Node,
    /// The layers an effective configuration was merged from (DESIGN §10), for provenance.
    layers: Option<Arc<crate::layers::Layered>>,
}

impl Entity {
    /// An entity read from `file` starting at `line` (1-based; 0 when unknown).
    pub fn new(id: EntityId, file: Arc<str>, line: u32, body: Node) -> Self {
        Entity { id, file, line, body, layers: None }
    }

    /// An effective configuration merged from layers (the first one's file is the entity's).
    pub(crate) fn layered(id: EntityId, line: u32, body: Node, layers: crate::layers::Layered) -> Self {
        let file = layers.base_file();
        Entity { id, file, line, body, layers: Some(Arc::new(layers)) }
    }

    /// The layers this entity was merged from, if it is an effective configuration.
    pub(crate) fn layers(&self) -> Option<&crate::layers::Layered> {
        self.layers.as_deref()
    }

    /// The identity.
    pub fn id(&self) -> &EntityId {
        &self.id
    }

    /// The file it was read from.
    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    /// The 1-based line where it starts, 0 when unknown.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The body.
    pub fn body(&self) -> &Node {
        &self.body
    }

    pub(crate) fn body_mut(&mut self) -> &mut Node {
        &mut self.body
    }

    /// The body, taken.
    pub(crate) fn into_body(self) -> Node {
        self.body
    }

    /// The same entity with its body replaced by `f(body)`.
    pub(crate) fn map_body(self, f: impl FnOnce(Node) -> Node) -> Entity {
        Entity { body: f(self.body), ..self }
    }

    /// The location of the entity or, with a non-zero `line`, of one of its fields.
    pub fn location(&self, line: u32) -> Location {
        let line = if line > 0 { line } else { self.line };
        Location { file: self.file.clone(), line: (line > 0).then_some(line) }
    }
}

/// A message about an input that is not an error: a duplicate key, a skipped file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Where.
    pub location: Location,
    /// What, lowercase, no trailing period.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A file of an environment that drift did not read, and why (it is not configuration).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    /// The file, as found under the input.
    pub file: String,
    /// Why it was not read (`documentation`, `an image`, `a Helm template …`).
    pub reason: String,
}

/// The normalized model of one environment.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub(crate) name: String,
    pub(crate) inputs: Vec<String>,
    pub(crate) entities: BTreeMap<EntityId, Entity>,
    /// Identifies the fingerprint key the secrets were hashed with; `None` for a per-run random key.
    pub(crate) key_id: Option<String>,
    pub(crate) warnings: Vec<Diagnostic>,
    /// The files read.
    pub(crate) files: Vec<String>,
    pub(crate) skipped: Vec<Skipped>,
    /// Facts about the inputs a report should state (a Terraform plan was compared).
    pub(crate) notes: Vec<String>,
    /// The format of the one file this snapshot was read from, when it was one file.
    pub(crate) format: Option<crate::source::Format>,
    /// Entities renamed to match the other environment's (by environment tokens or drift.toml
    /// `[[map]]`), with how: their differing namespace or name is expected.
    pub(crate) renamed: BTreeMap<EntityId, &'static str>,
}

impl Snapshot {
    /// An empty snapshot of the named environment.
    pub fn new(name: impl Into<String>) -> Self {
        Snapshot { name: name.into(), ..Snapshot::default() }
    }

    /// The environment's name (`staging`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the environment.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// The inputs it was loaded from, as given.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// The entities, sorted by identity.
    pub fn entities(&self) -> impl ExactSizeIterator<Item = &Entity> {
        self.entities.values()
    }

    /// The entity with this identity.
    pub fn entity(&self, id: &EntityId) -> Option<&Entity> {
        self.entities.get(id)
    }

    /// Non-fatal findings about the inputs (duplicate keys, unportable syntax).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Files in the inputs that are not configuration, skipped with the reason.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The files read.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Facts about the inputs that a report should state (a Terraform plan was compared).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Adds an entity; two definitions of one identity are an error naming both places.
    pub fn insert(&mut self, entity: Entity) -> Result<()> {
        if let Some(existing) = self.entities.get(&entity.id) {
            return Err(Error::Input {
                location: entity.location(0),
                message: format!("{} is defined twice (first at {})", entity.id, existing.location(0)),
            });
        }
        self.entities.insert(entity.id.clone(), entity);
        Ok(())
    }

    /// Adds every entity, warning and skipped file of `other`.
    pub(crate) fn entities_mut(&mut self) -> impl Iterator<Item = &mut Entity> {
        self.entities.values_mut()
    }

    pub(crate) fn absorb(&mut self, other: Snapshot) -> Result<()> {
        for entity in other.entities.into_values() {
            self.insert(entity)?;
        }
        self.warnings.extend(other.warnings);
        self.files.extend(other.files);
        self.skipped.extend(other.skipped);
        self.notes.extend(other.notes);
        Ok(())
    }
}
