//! Parse and diff benchmarks (criterion). Inputs are generated here, never read from disk.
//!
//! ```sh
//! cargo bench -p drift-core --bench diff
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use drift_core::{Fingerprinter, Format, LoadOptions, Policy};

#[path = "gen/mod.rs"]
mod r#gen;

fn env(c: &mut Criterion) {
    let options = LoadOptions::new(Fingerprinter::with_key(b"bench"));
    let mut group = c.benchmark_group("env");
    group.sample_size(10);
    for keys in [10_000usize, 1_000_000] {
        let staging = r#gen::env_text("staging", keys);
        let production = r#gen::env_text("production", keys);
        group.throughput(criterion::Throughput::Bytes((staging.len() + production.len()) as u64));
        group.bench_function(format!("parse+diff+report {keys} keys"), |b| {
            b.iter(|| {
                let left = drift_core::parse(Format::Env, "staging/.env", staging.as_bytes(), &options);
                let right = drift_core::parse(Format::Env, "production/.env", production.as_bytes(), &options);
                let (Ok(left), Ok(right)) = (left, right) else { return 0 };
                let diff = drift_core::diff(&left, &right);
                drift_core::report(&diff, &Policy::default()).findings().len()
            });
        });
    }
    group.finish();
}

fn model(c: &mut Criterion) {
    let mut group = c.benchmark_group("model");
    group.sample_size(10);
    let left = r#gen::model("staging", 100_000);
    let right = r#gen::model("production", 100_000);
    group.bench_function("diff 100k entities", |b| b.iter(|| drift_core::diff(&left, &right).changes().len()));
    let diff = drift_core::diff(&left, &right);
    group.bench_function("report 100k entities", |b| {
        b.iter(|| drift_core::report(&diff, &Policy::default()).findings().len())
    });
    group.finish();
}

criterion_group!(benches, env, model);
criterion_main!(benches);
