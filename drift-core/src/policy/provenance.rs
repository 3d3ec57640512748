//! Where each side's value came from, for findings on effective configurations merged from layers
//! (DESIGN §6 `provenance`, §10): every layer that set the value, the last one being what the
//! environment runs with, whose file and line become the finding's location on that side.

use crate::model::{Location, Snapshot};
use crate::report::{Finding, FindingKind, Provenance};

/// Adds provenance to the findings about layered entities.
pub(super) fn attach(findings: &mut [Finding], left: &Snapshot, right: &Snapshot) {
    let layered = |s: &Snapshot| s.entities.values().any(|e| e.layers().is_some());
    if !layered(left) && !layered(right) {
        return;
    }
    for finding in findings {
        let origins = |s: &Snapshot, present: bool| {
            let entity = s.entities.get(&finding.entity).filter(|_| present);
            entity.and_then(|e| Some(e.layers()?.origins(&finding.path, e.body()))).unwrap_or_default()
        };
        let provenance = Provenance {
            left: origins(left, finding.location.left.is_some()),
            right: origins(right, finding.location.right.is_some()),
        };
        if provenance.left.is_empty() && provenance.right.is_empty() {
            continue;
        }
        let at =
            |origins: &[crate::report::Origin]| origins.last().map(|o| Location { file: o.file.clone(), line: o.line });
        if let Some(location) = at(&provenance.left) {
            finding.location.left = Some(location);
        }
        if let Some(location) = at(&provenance.right) {
            finding.location.right = Some(location);
        }
        // A guard says where the value it failed on was set: the reference incident is a base
        // layer's default that production never overrode.
        if finding.change == FindingKind::Guard {
            let (origins, name) = if finding.location.right.is_some() {
                (&provenance.right, right.name())
            } else {
                (&provenance.left, left.name())
            };
            if let Some(text) = Provenance::describe(origins, name) {
                finding.message = format!("{} ({text})", finding.message);
            }
        }
        finding.provenance = Some(Box::new(provenance));
    }
}
