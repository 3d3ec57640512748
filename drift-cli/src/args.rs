//! Command-line arguments (clap derive). CLI types stay here: drift-core knows nothing of clap.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use drift_cli::render::OutputFormat;

/// Find the configuration differences between two environments that break production.
#[derive(Debug, Parser)]
#[command(name = "drift", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Report the differences between two environments (exit 0 when it ran).
    Diff(Compare),
    /// CI gate: exit 1 when drift at or above --fail-on remains.
    Check {
        #[command(flatten)]
        compare: Compare,
        /// Fail on drift at or above this severity.
        #[arg(long, value_enum, default_value_t = Threshold::High)]
        fail_on: Threshold,
    },
    /// Save an environment's normalized model (secrets as fingerprints) to compare later.
    Snapshot {
        /// A file, a directory, or - for stdin.
        env: PathBuf,
        /// Where to write the snapshot (- for stdout).
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
        /// The environment's name (default: the environment token nearest the leaf of its path).
        #[arg(long, value_parser = clap::builder::NonEmptyStringValueParser::new())]
        name: Option<String>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Record the current drift so that CI fails only on new drift (`--baseline FILE`).
    Baseline {
        #[command(flatten)]
        compare: Compare,
        /// Where to write the baseline.
        #[arg(short = 'o', long = "to", default_value = "drift.baseline.json")]
        to: PathBuf,
    },
    /// Write a commented starter drift.toml from what the comparison shows.
    Init {
        #[command(flatten)]
        compare: Compare,
        /// Where to write it (- for stdout).
        #[arg(short = 'o', long = "to", default_value = "drift.toml")]
        to: PathBuf,
    },
    /// Explain one finding: what decided it, and every drift.toml rule whose globs match it,
    /// with why it applied or not (`drift explain ID LEFT RIGHT --config drift.toml`).
    Explain {
        /// The finding's id (from `--format json`, or a unique prefix of it).
        id: String,
        #[command(flatten)]
        compare: Compare,
    },
    /// List the rules: the built-in ones, then those of drift.toml.
    Rules {
        /// Only the built-in rules.
        #[arg(long)]
        defaults: bool,
        /// The policy file (default: ./drift.toml when it exists).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, ClapArgs)]
pub(crate) struct Compare {
    /// The left environment (e.g. staging): a file, a directory, - for stdin, or a snapshot.
    pub(crate) left: PathBuf,
    /// The right environment (e.g. production): a file, a directory, - for stdin, or a snapshot.
    pub(crate) right: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) format: OutputFormat,
    /// Name of the left environment (default: the environment token nearest the leaf of its path,
    /// else its directory's name; README, "Names and roles").
    #[arg(long, value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub(crate) left_name: Option<String>,
    /// Name of the right environment (default: as for the left).
    #[arg(long, value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub(crate) right_name: Option<String>,
    /// Also show findings with these statuses in the text report.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub(crate) show: Vec<Shown>,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
    /// The policy file (default: ./drift.toml when it exists).
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// A run in which no side is production (so no built-in guard ran) is an error (exit 2), not
    /// a warning; drift.toml's `[environments] require_guards = true` says the same.
    #[arg(long)]
    pub(crate) require_guards: bool,
    /// Findings accepted in this baseline (written by `drift baseline`) are not drift.
    #[arg(long)]
    pub(crate) baseline: Option<PathBuf>,
    /// Also write FORMAT to PATH (repeatable), e.g. `--output sarif=drift.sarif`; PATH `-` writes
    /// it to stdout instead of --format's.
    #[arg(long, value_name = "FORMAT=PATH")]
    pub(crate) output: Vec<Output>,
    /// Print only the summary line (text).
    #[arg(long)]
    pub(crate) summary: bool,
    /// Never cut values in the text report.
    #[arg(long)]
    pub(crate) no_truncate: bool,
    /// Show each finding's whole old and new values under it, multi-line, the differing lines
    /// marked (text).
    #[arg(long)]
    pub(crate) detail: bool,
    /// Print nothing on stdout: the exit code says it all.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub(crate) load: LoadArgs,
}

/// Limits on the inputs (README, Limits).
#[derive(Debug, ClapArgs)]
pub(crate) struct LoadArgs {
    /// Largest file (or stdin) read, e.g. 512M, 2G.
    #[arg(long, value_name = "SIZE", value_parser = size, default_value = "1G")]
    pub(crate) max_input_size: u64,
    /// What YAML aliases and flagd `$ref`s may add to one file (bytes of text plus 16 per node).
    #[arg(long, value_name = "SIZE", value_parser = size, default_value = "64M")]
    pub(crate) max_expansion: u64,
    /// Nothing may be skipped: a file that is not configuration, or a link out of the
    /// environment's folder, is an error.
    #[arg(long)]
    pub(crate) strict: bool,
}

impl LoadArgs {
    pub(crate) fn limits(&self) -> drift_core::Limits {
        let mut limits = drift_core::Limits::default();
        limits.max_input_size = self.max_input_size;
        limits.max_expansion = self.max_expansion;
        limits
    }
}

/// A size: bytes, or a number with K, M or G (powers of 1024; `KiB`, `MB`… accepted too).
fn size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| format!("`{text}` is not a size (e.g. 512M, 2G)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("`{text}` is not a size (e.g. 512M, 2G)")),
    };
    number.checked_mul(1 << shift).ok_or_else(|| format!("`{text}` is too large"))
}

/// `FORMAT=PATH` for `--output`.
#[derive(Clone, Debug)]
pub(crate) struct Output {
    pub(crate) format: OutputFormat,
    pub(crate) path: PathBuf,
}

impl std::str::FromStr for Output {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (format, path) = s.split_once('=').ok_or_else(|| format!("expected FORMAT=PATH, not `{s}`"))?;
        let format = OutputFormat::from_str(format, true).map_err(|_| {
            format!("unknown format `{format}` (text, json, markdown, junit, sarif, github, patch, html)")
        })?;
        Ok(Output { format, path: PathBuf::from(path) })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shown {
    Expected,
    Ignored,
    Baselined,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Threshold {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Threshold {
    pub(crate) fn severity(self) -> drift_core::Severity {
        use drift_core::Severity;
        match self {
            Threshold::Critical => Severity::Critical,
            Threshold::High => Severity::High,
            Threshold::Medium => Severity::Medium,
            Threshold::Low => Severity::Low,
            Threshold::Info => Severity::Info,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn arguments_are_consistent() {
        super::Args::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(super::size("512M"), Ok(512 << 20));
        assert_eq!(super::size("2G"), Ok(2 << 30));
        assert_eq!(super::size("64KiB"), Ok(64 << 10));
        assert_eq!(super::size("1000"), Ok(1000));
        assert!(super::size("lots").is_err() && super::size("5T").is_err() && super::size("").is_err());
    }
}
