//! Find the configuration differences between two environments that make "CI green, production
//! broken" happen.
//!
//! Data flows one way: inputs are loaded into a [`Snapshot`] per environment (the normalized model),
//! [`diff`] compares two snapshots into raw changes, and [`report`] applies a [`Policy`] to turn
//! them into findings with a category, a severity and a status. Secret values never enter the
//! model: sources replace them with keyed fingerprints.
//!
//! ```
//! use drift_core::{Fingerprinter, Format, LoadOptions, Policy};
//!
//! let options = LoadOptions::new(Fingerprinter::with_key(b"example"));
//! let staging = drift_core::parse(Format::Env, "staging/.env", b"PORT=80\nDB_HOST=db.staging.internal\n", &options)?;
//! let production = drift_core::parse(Format::Env, "production/.env", b"PORT=8080\nDB_HOST=db.production.internal\n", &options)?;
//! let diff = drift_core::diff(&staging, &production);
//! let report = drift_core::report(&diff, &Policy::default());
//! let drift: Vec<String> = report
//!     .findings()
//!     .iter()
//!     .filter(|f| f.status == drift_core::Status::Drift)
//!     .map(|f| f.path.to_string())
//!     .collect();
//! assert_eq!(drift, ["PORT"]); // DB_HOST differs only by the environment's name: expected
//! # Ok::<(), drift_core::Error>(())
//! ```
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod baseline;
mod diff;
mod environment;
mod error;
mod fingerprint;
mod label;
mod layers;
mod model;
mod patch;
mod path;
mod policy;
mod report;
mod secrets;
mod source;

pub use crate::{
    baseline::{Baseline, BaselineEntry},
    diff::{Change, ChangeKind, Diff, SharedSecret, diff},
    environment::{
        Role,
        identity::{match_by_environment, match_entities},
    },
    error::{Error, Result},
    fingerprint::{Fingerprinter, KEY_VARIABLE},
    layers::{Declared, Merge},
    model::{
        Decimal, Diagnostic, Domain, Entity, EntityId, Field, Key, List, ListKind, Location, Map, Node, Number,
        Quantity, Secret, SecretHints, Skipped, Snapshot,
    },
    patch::{EntityPatch, patches},
    path::{Path, PathError, Segment},
    policy::{Policy, RuleId, config::Config, explain::explain, init::starter_config, report},
    report::{
        Category, Finding, FindingKind, GuardedSide, Guards, Locations, Origin, Provenance, Report, Severity,
        SeverityCounts, Side, Status, StatusCounts, Summary, elide, follows_from_above, value_json,
    },
    secrets::SecretRules,
    source::{Format, Limits, LoadOptions, load, parse},
};

/// Serializes a snapshot as a `drift/snapshot/v1` JSON document.
///
/// Secrets keep their fingerprints only when `fingerprinter` has a configured key (from
/// `DRIFT_FINGERPRINT_KEY`) and is the one the snapshot was loaded with; otherwise the file records
/// that each secret exists, not its fingerprint (DESIGN §8).
pub fn snapshot_json(snapshot: &Snapshot, fingerprinter: &Fingerprinter) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and every node serializes.
    let _ = write_snapshot(&mut out, snapshot, fingerprinter);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes a snapshot as a `drift/snapshot/v1` JSON document, streamed (see [`snapshot_json`]).
///
/// # Errors
///
/// The writer fails.
pub fn write_snapshot(
    out: &mut impl std::io::Write,
    snapshot: &Snapshot,
    fingerprinter: &Fingerprinter,
) -> std::io::Result<()> {
    let keep = fingerprinter.is_configured() && snapshot.key_id.as_deref() == Some(fingerprinter.key_id().as_str());
    serde_json::to_writer_pretty(&mut *out, &source::snapshot::to_json(snapshot, keep))?;
    out.write_all(b"\n")
}

/// Loads both environments (in parallel) with one set of options, so their secrets compare.
///
/// # Errors
///
/// Either side fails to load, or both are stdin.
pub fn load_pair(
    left: &std::path::Path,
    right: &std::path::Path,
    options: &LoadOptions,
) -> Result<(Snapshot, Snapshot)> {
    if left.as_os_str() == "-" && right.as_os_str() == "-" {
        return Err(Error::UnknownFormat {
            origin: "-".to_owned(),
            message: "stdin can be only one of the two environments".to_owned(),
        });
    }
    std::thread::scope(|scope| {
        let right_job = scope.spawn(|| load(right, options));
        let left = load(left, options);
        let right = right_job.join().unwrap_or_else(|_| {
            Err(Error::UnknownFormat { origin: right.display().to_string(), message: "loader panicked".to_owned() })
        });
        let (mut left, mut right) = (left?, right?);
        source::apply_crds(&mut left, &mut right);
        source::pair_single_files(&left, &mut right);
        Ok((left, right))
    })
}
