//! `drift.toml` (a team's rules): read and compiled, then applied to the demo environments (its
//! secret rules when loading, its entity maps, its ignore/expect/severity/category rules and guards).
#![no_main]

use drift_core::{Config, Format, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = match Config::parse("drift.toml", text) {
        Ok(config) => config,
        Err(error) => return drift_fuzz::check_error(&error),
    };
    let _ = (config.left_name(), config.right_name(), config.describe());
    let mut options = drift_fuzz::options().clone();
    options.secrets = config.secret_rules();
    let parse = |origin, bytes| drift_core::parse(Format::Env, origin, bytes, &options);
    let (Ok(staging), Ok(mut production)) =
        (parse("staging/.env", drift_fuzz::DEMO_STAGING), parse("production/.env", drift_fuzz::DEMO_PRODUCTION))
    else {
        return;
    };
    config.map_entities(&mut production);
    let policy = Policy { now: Some(drift_fuzz::NOW), ..Policy::with_config(config) };
    drift_core::report(&drift_core::diff(&staging, &production), &policy);
});
