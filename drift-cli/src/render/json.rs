//! `--format json`: the `drift/report/v1` document (DESIGN §6), pretty-printed.

use std::fmt;

use drift_core::Report;

pub(super) struct Json<'a>(pub(super) &'a Report);

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string_pretty(self.0).map_err(|_| fmt::Error)?;
        writeln!(f, "{text}")
    }
}
