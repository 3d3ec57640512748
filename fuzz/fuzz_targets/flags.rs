//! Feature flags (flagd, Unleash, LaunchDarkly, plain maps). The first byte chooses the file name,
//! and so the syntax: `f` flags.json, `F` flags.yaml, `g` flags.toml.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((input, bytes)) = drift_fuzz::select(drift_fuzz::FLAGS, data) else { return };
    drift_fuzz::parse(input.format, &format!("production/{}", input.name), bytes);
});
