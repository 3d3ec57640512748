//! The `.env` reader.
#![no_main]

use drift_core::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drift_fuzz::parse(Format::Env, "production/.env", data);
});
