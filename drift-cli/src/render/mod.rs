//! Renderers: one module per output format. Each presents a `Report` and decides nothing.

mod json;
mod text;

use std::io::{self, Write};

use drift_core::Report;

use crate::args::OutputFormat;

pub(crate) use text::{Style, TextOptions};

/// Writes the report in the chosen format.
pub(crate) fn write(out: &mut impl Write, report: &Report, format: OutputFormat, text: &TextOptions) -> io::Result<()> {
    match format {
        OutputFormat::Text => write!(out, "{}", text::Text { report, options: text }),
        OutputFormat::Json => json::write(out, report),
    }
}
