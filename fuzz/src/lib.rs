//! What the fuzz targets share: the options every input is loaded with, the file names a selector
//! byte chooses, how one input is split into two environments, and the properties checked on what
//! parses.
//!
//! An `Err` from drift-core is always fine: only panics, hangs, running out of memory, and the
//! properties below (each `assert!` message starts with `property:`) are bugs.

use std::collections::HashMap;
use std::sync::OnceLock;

use drift_core::{
    Baseline, BaselineEntry, Diff, Error, Fingerprinter, Format, LoadOptions, Node, Policy, Report, Snapshot, Status,
};

/// The fingerprint key of every target.
pub const KEY: &[u8] = b"fuzz";

/// "Now" for the policy (2026-01-01T00:00:00Z), so that certificate and waiver dates give the same
/// result on every run and a crash replays.
pub const NOW: i64 = 1_767_225_600;

/// Separates the two environments in the input of the `engine` target (and of the `drift_toml`
/// seeds' environments). Without it, the input is cut in half.
pub const SEPARATOR: &[u8] = b"\n--8<--\n";

/// The load options of every target: `LoadOptions::new(Fingerprinter::with_key(b"fuzz"))`.
pub fn options() -> &'static LoadOptions {
    static OPTIONS: OnceLock<LoadOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| LoadOptions::new(Fingerprinter::with_key(KEY)))
}

/// Whether a reported, not yet fixed property violation is let pass, so that a long run can look
/// past it: `DRIFT_FUZZ_KNOWN=baseline-null,…` (see docs/fuzzing.md). Panics are never let pass.
pub fn known(name: &str) -> bool {
    static KNOWN: OnceLock<Vec<String>> = OnceLock::new();
    KNOWN
        .get_or_init(|| {
            let list = std::env::var("DRIFT_FUZZ_KNOWN").unwrap_or_default();
            list.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        })
        .iter()
        .any(|k| k == name)
}

/// The default policy, with a fixed "now".
pub fn policy() -> Policy {
    Policy { now: Some(NOW), ..Policy::default() }
}

/// A format and the file name it is parsed under (the name decides the syntax of flags and
/// configuration files), chosen by a selector byte: a printable letter names one (so that seeds
/// stay readable), any other byte picks one by its value.
pub struct Input {
    /// The selector letter.
    pub selector: u8,
    /// The format passed to `drift_core::parse`.
    pub format: Format,
    /// The file name (in a `staging/` or `production/` folder).
    pub name: &'static str,
}

const fn input(selector: u8, format: Format, name: &'static str) -> Input {
    Input { selector, format, name }
}

/// Every reader, for the `engine` target.
pub const ALL: &[Input] = &[
    input(b'e', Format::Env, ".env"),
    input(b'k', Format::Kubernetes, "deploy.yaml"),
    input(b't', Format::Terraform, "terraform.tfstate"),
    input(b'f', Format::Flags, "flags.json"),
    input(b'F', Format::Flags, "flags.yaml"),
    input(b'g', Format::Flags, "flags.toml"),
    input(b's', Format::Snapshot, "snapshot.json"),
    input(b'y', Format::Config, "values.yaml"),
    input(b'j', Format::Config, "appsettings.json"),
    input(b'T', Format::Config, "config.toml"),
    input(b'i', Format::Config, "settings.ini"),
    input(b'p', Format::Config, "application.properties"),
    input(b'h', Format::Config, "terraform.tfvars"),
    input(b'H', Format::Config, "config.hcl"),
    input(b'c', Format::Config, "config"),
];

/// The flag file names (`flags` target).
pub const FLAGS: &[Input] = &[
    input(b'f', Format::Flags, "flags.json"),
    input(b'F', Format::Flags, "flags.yaml"),
    input(b'g', Format::Flags, "flags.toml"),
];

/// The configuration file names (`config` target); `config` has no extension, so its syntax is
/// sniffed from the content.
pub const CONFIG: &[Input] = &[
    input(b'y', Format::Config, "values.yaml"),
    input(b'j', Format::Config, "appsettings.json"),
    input(b'T', Format::Config, "config.toml"),
    input(b'i', Format::Config, "settings.ini"),
    input(b'p', Format::Config, "application.properties"),
    input(b'h', Format::Config, "terraform.tfvars"),
    input(b'H', Format::Config, "config.hcl"),
    input(b'c', Format::Config, "config"),
];

/// Splits off the selector byte and picks the input it names; `None` for empty data.
pub fn select<'a>(table: &'static [Input], data: &'a [u8]) -> Option<(&'static Input, &'a [u8])> {
    let (&selector, rest) = data.split_first()?;
    let chosen =
        table.iter().find(|i| i.selector == selector).unwrap_or_else(|| &table[usize::from(selector) % table.len()]);
    Some((chosen, rest))
}

/// Splits one input into two at the first [`SEPARATOR`], else in the middle.
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(at) => (&data[..at], &data[at + SEPARATOR.len()..]),
        None => data.split_at(data.len() / 2),
    }
}

/// Parses one file, checking the properties of what comes back: an error is one line; a parsed
/// snapshot is written and read back (as `drift snapshot` and a later `drift diff` would) without
/// error and without a difference.
pub fn parse(format: Format, origin: &str, bytes: &[u8]) -> Option<Snapshot> {
    match drift_core::parse(format, origin, bytes, options()) {
        Ok(snapshot) => {
            check_round_trip(&snapshot);
            Some(snapshot)
        }
        Err(error) => {
            check_error(&error);
            None
        }
    }
}

/// Parses one file without checking the round trip (the second side of a pair, whose first side
/// is checked already).
pub fn parse_only(format: Format, origin: &str, bytes: &[u8]) -> Option<Snapshot> {
    drift_core::parse(format, origin, bytes, options()).inspect_err(check_error).ok()
}

/// ARCHITECTURE: every error renders as one line naming the file (and line).
pub fn check_error(error: &Error) {
    let shown = error.to_string();
    assert!(!shown.contains(['\n', '\r']), "property: an error renders as one line, got {shown:?}");
}

/// A snapshot written with `snapshot_json` reads back, with the same entities and no difference.
pub fn check_round_trip(snapshot: &Snapshot) {
    let fingerprinter = &options().fingerprinter;
    let json = drift_core::snapshot_json(snapshot, fingerprinter);
    let back = match drift_core::parse(Format::Snapshot, "saved/snapshot.json", json.as_bytes(), options()) {
        Ok(back) => back,
        Err(error) => panic!("property: a written snapshot reads back, got: {error}"),
    };
    let ids = |s: &Snapshot| s.entities().map(|e| e.id().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(snapshot), ids(&back), "property: a snapshot read back has the same entities");
    let diff = drift_core::diff(snapshot, &back);
    // Secrets without a fingerprint (a snapshot saved without the key) cannot be compared, even
    // with themselves: `Incomparable` is the diff's answer, not a difference.
    let differs = |c: &&drift_core::Change<'_>| c.kind() != drift_core::ChangeKind::Incomparable;
    if let Some(change) = diff.changes().iter().find(differs) {
        panic!(
            "property: a snapshot read back does not differ from what was written, got {} changes, first: {:?} {} {}: {:?} -> {:?}",
            diff.changes().iter().filter(differs).count(),
            change.kind(),
            change.entity(),
            change.path(),
            change.left(),
            change.right(),
        );
    }
}

/// Everything after a diff: the report (and its JSON), the patches (each of which turns its left
/// document into the right one, as `patch.rs` promises), and a baseline of the report, which
/// reads back and accepts every drift finding it recorded.
pub fn check_engine(diff: &Diff<'_>, policy: &Policy) -> Report {
    let report = drift_core::report(diff, policy);
    let json = serde_json::to_string(&report);
    assert!(json.is_ok(), "property: a report serializes, got {:?}", json.err());

    for patch in drift_core::patches(diff) {
        let document = |s: &Snapshot| s.entity(&patch.entity).map_or(Node::Null, |e| e.body().clone());
        let (left, right) = (document(diff.left()), document(diff.right()));
        let mut value = drift_core::value_json(&left);
        let applied = json_patch::patch(&mut value, &patch.patch);
        assert!(applied.is_ok(), "property: the patch of {} applies, got {:?}", patch.entity, applied.err());
        assert!(
            value == drift_core::value_json(&right),
            "property: the patch of {} turns the left document into the right one",
            patch.entity
        );
    }

    let baseline = Baseline::from_report(&report);
    let read = Baseline::parse("drift.baseline.json", baseline.to_json().as_bytes());
    let read = match read {
        Ok(read) => read,
        Err(error) => panic!("property: a written baseline reads back, got: {error}"),
    };
    // Known: a value that is JSON null is written as `null` and read back as no value.
    let null = known("baseline-null");
    let tolerant = |value: &Option<serde_json::Value>| value.clone().filter(|v| !(null && v.is_null()));
    let same = |a: &BaselineEntry, b: &BaselineEntry| {
        (&a.id, &a.entity, &a.path, tolerant(&a.left), tolerant(&a.right))
            == (&b.id, &b.entity, &b.path, tolerant(&b.left), tolerant(&b.right))
    };
    assert_eq!(read.entries.len(), baseline.entries.len(), "property: a baseline reads back as written");
    if let Some((written, back)) = baseline.entries.iter().zip(&read.entries).find(|(a, b)| !same(a, b)) {
        panic!("property: a baseline reads back as written, got {back:?} for {written:?}");
    }
    let mut applied = report.clone();
    let stale = read.apply(&mut applied, "drift.baseline.json");
    assert!(stale.is_empty(), "property: a report's own baseline has no stale entries, got {}", stale.len());
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for finding in report.findings().iter().filter(|f| f.status == Status::Drift) {
        *ids.entry(finding.id.as_str()).or_default() += 1;
    }
    let has_null =
        |f: &drift_core::Finding| [&f.left, &f.right].into_iter().any(|v| v.as_ref().is_some_and(|v| v.is_null()));
    for (before, after) in report.findings().iter().zip(applied.findings()) {
        if before.status == Status::Drift && ids[before.id.as_str()] == 1 && !(null && has_null(before)) {
            assert!(
                after.status == Status::Baselined,
                "property: a report's own baseline accepts its drift, not {} {}",
                before.entity,
                before.path
            );
        }
    }
    report
}

/// The demo `.env` files, parsed once: the environments the `baseline` and `drift_toml` targets
/// apply their input to.
pub fn demo_pair() -> &'static (Snapshot, Snapshot) {
    static PAIR: OnceLock<(Snapshot, Snapshot)> = OnceLock::new();
    PAIR.get_or_init(|| {
        let parse = |origin, bytes| match drift_core::parse(Format::Env, origin, bytes, options()) {
            Ok(snapshot) => snapshot,
            Err(error) => panic!("the demo fixture does not parse: {error}"),
        };
        (parse("staging/.env", DEMO_STAGING), parse("production/.env", DEMO_PRODUCTION))
    })
}

/// `fixtures/staging/.env`.
pub const DEMO_STAGING: &[u8] = include_bytes!("../../fixtures/staging/.env");
/// `fixtures/production/.env`.
pub const DEMO_PRODUCTION: &[u8] = include_bytes!("../../fixtures/production/.env");
