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

/// 10,000 Kubernetes objects per side (about 40 MB of YAML each), written to disk once: drift end
/// to end (load both folders, diff, report) against serde_yaml parsing the same files into values.
fn k8s(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-k8s");
    let bytes = match r#gen::write_k8s(&dir, 10_000) {
        Ok(bytes) => bytes,
        Err(err) => panic!("cannot write bench data: {err}"),
    };
    let (left, right) = (dir.join("staging"), dir.join("production"));
    let mut group = c.benchmark_group("k8s");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(bytes * 2));
    group.bench_function("serde_yaml parse 2x10k objects", |b| {
        b.iter(|| {
            let mut documents = 0;
            for side in [&left, &right] {
                for entry in std::fs::read_dir(side).into_iter().flatten().flatten() {
                    let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                    for document in serde_yaml::Deserializer::from_str(&text) {
                        if let Ok(value) = <serde_yaml::Value as serde::Deserialize>::deserialize(document) {
                            documents += usize::from(!value.is_null());
                        }
                    }
                }
            }
            documents
        });
    });
    let options = LoadOptions::new(Fingerprinter::with_key(b"bench"));
    group.bench_function("drift diff 2x10k objects", |b| {
        b.iter(|| {
            let Ok((l, r)) = drift_core::load_pair(&left, &right, &options) else { return 0 };
            let diff = drift_core::diff(&l, &r);
            drift_core::report(&diff, &Policy::default()).findings().len()
        });
    });
    group.finish();
}

/// Two Terraform states of about 100 MB (45,000 instances each, indented as Terraform writes
/// them): drift end to end against
/// serde_json parsing the same files into values.
fn terraform(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-tf");
    let bytes = match r#gen::write_tf(&dir, 45_000, true) {
        Ok(bytes) => bytes,
        Err(err) => panic!("cannot write bench data: {err}"),
    };
    let (left, right) = (dir.join("staging"), dir.join("production"));
    let mut group = c.benchmark_group("terraform");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(bytes * 2));
    group.bench_function("serde_json parse 2x100MB", |b| {
        b.iter(|| {
            let mut keys = 0;
            for side in [&left, &right] {
                let text = std::fs::read(side.join("terraform.tfstate")).unwrap_or_default();
                if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(&text) {
                    keys += map.len();
                }
            }
            keys
        });
    });
    let options = LoadOptions::new(Fingerprinter::with_key(b"bench"));
    group.bench_function("drift diff 2x100MB", |b| {
        b.iter(|| {
            let Ok((l, r)) = drift_core::load_pair(&left, &right, &options) else { return 0 };
            let diff = drift_core::diff(&l, &r);
            drift_core::report(&diff, &Policy::default()).findings().len()
        });
    });
    group.finish();
}

/// 50,000 flagd flags per side, end to end.
fn flags(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-flags");
    if let Err(err) = r#gen::write_flags(&dir, 50_000) {
        panic!("cannot write bench data: {err}");
    }
    let (left, right) = (dir.join("staging"), dir.join("production"));
    let options = LoadOptions::new(Fingerprinter::with_key(b"bench"));
    let mut group = c.benchmark_group("flags");
    group.sample_size(10);
    group.bench_function("drift diff 2x50k flags", |b| {
        b.iter(|| {
            let Ok((l, r)) = drift_core::load_pair(&left, &right, &options) else { return 0 };
            let diff = drift_core::diff(&l, &r);
            drift_core::report(&diff, &Policy::default()).findings().len()
        });
    });
    group.finish();
}

/// A drift.toml of 1,000 rules applied to 100,000 changes.
fn policy(c: &mut Criterion) {
    let left = r#gen::model_changing("staging", 100_000, 1);
    let right = r#gen::model_changing("production", 100_000, 1);
    let diff = drift_core::diff(&left, &right);
    assert!(diff.changes().len() >= 100_000, "{} changes", diff.changes().len());
    let config = match drift_core::Config::parse("drift.toml", &r#gen::rules(1_000)) {
        Ok(config) => config,
        Err(err) => panic!("{err}"),
    };
    let policy = Policy::with_config(config);
    let mut group = c.benchmark_group("policy");
    group.sample_size(10);
    group.bench_function("1000 rules on 100k changes", |b| {
        b.iter(|| drift_core::report(&diff, &policy).findings().len())
    });
    group.bench_function("built-in rules only on 100k changes", |b| {
        b.iter(|| drift_core::report(&diff, &Policy::default()).findings().len())
    });
    group.finish();
}

/// The secret classifier on its own: names and value shapes of 100,000 settings (one automaton
/// pass per value, DESIGN §8), the cost every source pays for every value it reads.
fn secrets(c: &mut Criterion) {
    let rules = drift_core::SecretRules::default();
    let fingerprinter = Fingerprinter::with_key(b"bench");
    let settings = r#gen::settings(100_000);
    let bytes: usize = settings.iter().map(|(k, v)| k.len() + v.len()).sum();
    let mut group = c.benchmark_group("secrets");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(bytes as u64));
    group.bench_function("classify 100k settings", |b| {
        b.iter(|| {
            settings
                .iter()
                .filter(|(name, value)| rules.protect(&fingerprinter, name, value.clone()).as_secret().is_some())
                .count()
        });
    });
    group.finish();
}

/// Layer merging (DESIGN §10) on a tree of 1,000 layered files: 500 Helm charts, each a
/// `values.yaml` and a `values-production.yaml`, loaded as production; against the same files with
/// the overlay named so that it forms no layer set (`overrides-production.yaml`), loaded file by
/// file. The difference is what merging costs.
fn layers(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-layers");
    let layered = root.join("layered/production");
    let flat = root.join("flat/production");
    if !layered.join("charts/app-499/values-production.yaml").exists() {
        let _ = std::fs::remove_dir_all(&root);
        for i in 0..500 {
            let (base, overlay) = (r#gen::helm_values(i, None), r#gen::helm_values(i, Some("production")));
            for (tree, name) in [(&layered, "values-production.yaml"), (&flat, "overrides-production.yaml")] {
                let dir = tree.join(format!("charts/app-{i:03}"));
                let written = std::fs::create_dir_all(&dir)
                    .and_then(|()| std::fs::write(dir.join("values.yaml"), &base))
                    .and_then(|()| std::fs::write(dir.join(name), &overlay));
                if let Err(err) = written {
                    eprintln!("bench-layers: {err}");
                    return;
                }
            }
        }
    }
    let options = LoadOptions::new(Fingerprinter::with_key(b"bench"));
    let mut group = c.benchmark_group("layers");
    group.sample_size(20);
    group.bench_function("load 1,000 files merged into 500 layer sets", |b| {
        b.iter(|| drift_core::load(&layered, &options).map(|s| s.entities().count()).unwrap_or(0))
    });
    group.bench_function("load the same 1,000 files unmerged", |b| {
        b.iter(|| drift_core::load(&flat, &options).map(|s| s.entities().count()).unwrap_or(0))
    });
    group.finish();
}

criterion_group!(benches, env, model, k8s, terraform, flags, policy, secrets, layers);
criterion_main!(benches);
