//! Two environments through the whole engine: parse both, `diff`, `report` (default policy),
//! `patches`, and a baseline of the report. The first byte chooses the format and file name of
//! both sides (see `drift_fuzz::ALL`: `e` .env, `k` Kubernetes, `t` Terraform, `f`/`F`/`g` flags,
//! `s` snapshot, `y`/`j`/`T`/`i`/`p`/`h`/`H`/`c` configuration); the rest is split at the first
//! `\n--8<--\n` (else in the middle) into staging and production.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((input, bytes)) = drift_fuzz::select(drift_fuzz::ALL, data) else { return };
    let (left, right) = drift_fuzz::split(bytes);
    let Some(staging) = drift_fuzz::parse_only(input.format, &format!("staging/{}", input.name), left) else {
        return;
    };
    let Some(production) = drift_fuzz::parse_only(input.format, &format!("production/{}", input.name), right) else {
        return;
    };
    let diff = drift_core::diff(&staging, &production);
    drift_fuzz::check_engine(&diff, &drift_fuzz::policy());
});
