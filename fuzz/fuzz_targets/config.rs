//! Any other configuration file (`cfg:`). The first byte chooses the file name, and so the syntax:
//! `y` YAML, `j` JSON, `T` TOML, `i` INI, `p` .properties, `h` .tfvars, `H` .hcl, `c` no extension
//! (sniffed from the content).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((input, bytes)) = drift_fuzz::select(drift_fuzz::CONFIG, data) else { return };
    drift_fuzz::parse(input.format, &format!("production/{}", input.name), bytes);
});
