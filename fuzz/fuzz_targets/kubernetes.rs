//! Kubernetes objects (YAML and JSON, with the YAML reader, CRDs and Secrets).
#![no_main]

use drift_core::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drift_fuzz::parse(Format::Kubernetes, "production/deploy.yaml", data);
});
