//! `--format json`: the `drift/report/v1` document (DESIGN §6), pretty-printed and streamed.

use std::io::{self, Write};

use drift_core::Report;

pub(super) fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
