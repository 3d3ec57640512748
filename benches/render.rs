//! Rendering benchmarks (criterion): a report of 100,000 drift findings in every output format.
//! Inputs are generated here, never read from disk.
//!
//! ```sh
//! cargo bench -p drift-cli --bench render
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use drift_cli::render::{self, Document, OutputFormat, Style, TextOptions};
use drift_core::{Policy, Severity};

#[path = "gen/mod.rs"]
mod r#gen;

fn formats(c: &mut Criterion) {
    let left = r#gen::model_changing("staging", 100_000, 1);
    let right = r#gen::model_changing("production", 100_000, 1);
    let diff = drift_core::diff(&left, &right);
    let report = drift_core::report(&diff, &Policy::default());
    let drift = report.findings().iter().filter(|f| f.status == drift_core::Status::Drift).count();
    assert!(drift >= 100_000, "{drift} drift findings");
    let patches = drift_core::patches(&diff);
    let doc = Document { report: &report, patches: &patches, fail_on: Severity::Low };
    let text = TextOptions {
        style: Style::Plain,
        expected: false,
        ignored: false,
        baselined: false,
        summary_only: false,
        width: Some(120),
        full_values: false,
        detail: false,
    };
    let mut group = c.benchmark_group("render 100k findings");
    group.sample_size(10);
    let mut out = Vec::with_capacity(64 << 20);
    for format in [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Markdown,
        OutputFormat::Junit,
        OutputFormat::Sarif,
        OutputFormat::Github,
        OutputFormat::Patch,
        OutputFormat::Html,
    ] {
        group.bench_function(format!("{format:?}").to_lowercase(), |b| {
            b.iter(|| {
                out.clear();
                render::write(&mut out, &doc, format, &text).map(|()| out.len())
            });
        });
    }
    group.bench_function("patch, computing the patches too", |b| {
        b.iter(|| {
            out.clear();
            let patches = drift_core::patches(&diff);
            let doc = Document { report: &report, patches: &patches, fail_on: Severity::Low };
            render::write(&mut out, &doc, OutputFormat::Patch, &text).map(|()| out.len())
        });
    });
    group.finish();
}

criterion_group!(benches, formats);
criterion_main!(benches);
