//! Baseline files (`drift/baseline/v1`): read, written back, and applied to the demo report.
#![no_main]

use std::sync::OnceLock;

use drift_core::{Baseline, Report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let baseline = match Baseline::parse("drift.baseline.json", data) {
        Ok(baseline) => baseline,
        Err(error) => return drift_fuzz::check_error(&error),
    };
    let read = Baseline::parse("drift.baseline.json", baseline.to_json().as_bytes());
    assert!(matches!(&read, Ok(read) if *read == baseline), "property: a baseline written back reads the same");
    let mut report = demo_report().clone();
    baseline.apply(&mut report, "drift.baseline.json");
});

fn demo_report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let (staging, production) = drift_fuzz::demo_pair();
        drift_core::report(&drift_core::diff(staging, production), &drift_fuzz::policy())
    })
}
