//! Compares two environments and prints every finding: the README's library example.
//!
//! ```sh
//! cargo run -p drift-core --example diff_dirs -- fixtures/staging fixtures/production
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use drift_core::{Fingerprinter, LoadOptions, Policy, Status};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [left, right] = args.as_slice() else {
        eprintln!("usage: diff_dirs LEFT RIGHT");
        return ExitCode::from(2);
    };
    // One set of options for both sides, so that their secrets' fingerprints compare.
    let options = LoadOptions::new(Fingerprinter::from_env());
    let (left, mut right) = match drift_core::load_pair(left, right, &options) {
        Ok(pair) => pair,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    // Objects whose namespace or name differ only by the environment compare.
    drift_core::match_entities(&left, &mut right, None);
    let diff = drift_core::diff(&left, &right);
    let report = drift_core::report(&diff, &Policy::default());
    for finding in report.findings() {
        let mark = if finding.status == Status::Drift { "!" } else { " " };
        println!("{mark} {:<8} {} {} — {}", finding.severity, finding.entity, finding.path, finding.message);
    }
    println!("{} findings, {} drift", report.summary.findings, report.summary.by_status.drift);
    ExitCode::SUCCESS
}
