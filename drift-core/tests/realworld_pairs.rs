//! Real samples in staging/production pairs (`fixtures/cases/realworld-pairs/`, issue 15): each
//! case's `expected.json` lists the drift a platform engineer expects, written before drift ran;
//! drift must report exactly those (entity, path, change) as drift, at least that severe.

use std::path::Path;

use drift_core::{Fingerprinter, LoadOptions, Policy, Severity, Status};

#[test]
fn real_pairs_report_what_an_engineer_expects() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cases/realworld-pairs");
    let options = LoadOptions::new(Fingerprinter::with_key(b"pairs"));
    let mut cases = 0;
    for case in ["helm-live", "launchdarkly", "terraform", "unleash"] {
        let dir = root.join(case);
        let (left, right) = drift_core::load_pair(&dir.join("staging"), &dir.join("production"), &options)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let report = drift_core::report(&drift_core::diff(&left, &right), &Policy::default());
        let expected: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap_or_default()).unwrap_or_default();
        assert!(!expected.is_empty(), "{case}: no expectations");
        let mut want: Vec<(String, String, String)> = expected
            .iter()
            .map(|e| {
                let field = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
                (field("entity"), field("path"), field("change"))
            })
            .collect();
        let drift: Vec<&drift_core::Finding> = report.findings().iter().filter(|f| f.status == Status::Drift).collect();
        let mut got: Vec<(String, String, String)> =
            drift.iter().map(|f| (f.entity.to_string(), f.path.to_string(), f.change.as_str().to_owned())).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{case}");
        for e in &expected {
            let min: Severity = e["min_severity"].as_str().unwrap_or("info").parse().unwrap_or(Severity::Info);
            let finding = drift.iter().find(|f| {
                f.entity.to_string() == e["entity"].as_str().unwrap_or_default()
                    && f.path.to_string() == e["path"].as_str().unwrap_or_default()
                    && f.change.as_str() == e["change"].as_str().unwrap_or_default()
            });
            assert!(finding.is_some_and(|f| f.severity >= min), "{case}: {e} at least {min:?}");
        }
        cases += 1;
    }
    assert_eq!(cases, 4);
}
