//! Terraform states (raw v4 and `show -json`) and plans, with drift's JSON reader.
#![no_main]

use drift_core::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drift_fuzz::parse(Format::Terraform, "production/terraform.tfstate", data);
});
