//! `drift`: parse arguments, call drift-core, render, choose an exit code (DESIGN §7).
//!
//! Exit codes: 0 when it ran (and, for `check`, nothing at or above `--fail-on` is drift), 1 when
//! `check` found drift at or above the threshold, 2 on any error.

mod args;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use drift_core::{Baseline, Config, Fingerprinter, LoadOptions, Policy, Report, RuleId, Snapshot};

use drift_cli::render::{self, Document, OutputFormat, Style, TextOptions};

use crate::args::{Args, Color, Command, Compare, Shown};

/// A model is millions of small nodes: mimalloc allocates and frees them faster than the system
/// allocator (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        // Bad arguments: one line (DESIGN §7), not clap's usage block.
        Err(err) if err.use_stderr() => {
            let text = err.to_string();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments");
            eprintln!("error: {} (see drift --help)", render::safe(first.trim_start_matches("error: ")));
            return ExitCode::from(2);
        }
        Err(err) => {
            // --help, --version.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
    };
    match run(args) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // One line, whatever a file name or an argument holds.
            eprintln!("error: {}", render::safe(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

/// The input limits and `--strict` of a command.
fn limit(options: &mut LoadOptions, load: &args::LoadArgs) {
    options.limits = load.limits();
    options.strict = load.strict;
}

/// The policy file: the one given, else `./drift.toml` when it exists.
fn config(path: Option<&std::path::Path>) -> anyhow::Result<Option<Config>> {
    let (path, given) = match path {
        Some(path) => (path.to_path_buf(), true),
        None => (std::path::PathBuf::from("drift.toml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound && !given => return Ok(None),
        Err(err) => anyhow::bail!("{}: {}", path.display(), err.to_string().to_lowercase()),
    };
    Ok(Some(Config::parse(&path.to_string_lossy(), &text)?))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut options = LoadOptions::new(Fingerprinter::from_env());
    match args.command {
        Command::Diff(compare) => {
            limit(&mut options, &compare.load);
            let config = config(compare.config.as_deref())?;
            if let Some(config) = &config {
                options.secrets = config.secret_rules();
                options.layers = config.layers().to_vec();
            }
            compare_and_render(&compare, &options, config, None)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { compare, fail_on } => {
            limit(&mut options, &compare.load);
            let config = config(compare.config.as_deref())?;
            if let Some(config) = &config {
                options.secrets = config.secret_rules();
                options.layers = config.layers().to_vec();
            }
            let fails = compare_and_render(&compare, &options, config, Some(fail_on.severity()))?;
            Ok(if fails { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Snapshot { env, output, name, load } => {
            limit(&mut options, &load);
            let mut snapshot = drift_core::load(&env, &options)?;
            if let Some(name) = name {
                snapshot.set_name(name);
            }
            print_notes(&snapshot);
            if !options.fingerprinter.is_configured() && snapshot.entities().any(|e| e.body().contains_secret()) {
                eprintln!(
                    "note: {} is not set: the snapshot records which secrets exist, not their fingerprints",
                    drift_core::KEY_VARIABLE
                );
            }
            if output.as_os_str() == "-" {
                let mut stdout = io::BufWriter::new(io::stdout().lock());
                drift_core::write_snapshot(&mut stdout, &snapshot, &options.fingerprinter)?;
                stdout.flush()?;
            } else {
                let write = || -> io::Result<()> {
                    let mut file = io::BufWriter::new(std::fs::File::create(&output)?);
                    drift_core::write_snapshot(&mut file, &snapshot, &options.fingerprinter)?;
                    file.flush()
                };
                write().with_context(|| format!("{}: cannot write", output.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Baseline { compare, to: output } => {
            limit(&mut options, &compare.load);
            let config = config(compare.config.as_deref())?;
            if let Some(config) = &config {
                options.secrets = config.secret_rules();
                options.layers = config.layers().to_vec();
            }
            let (report, _) = build_report(&compare, &options, config, false)?;
            let baseline = Baseline::from_report(&report);
            write_output(&output, &baseline.to_json())?;
            eprintln!(
                "note: {} finding(s) recorded in {}",
                baseline.entries.len(),
                render::safe(&output.display().to_string())
            );
            let drift = report.findings().iter().filter(|f| f.status == drift_core::Status::Drift).count();
            if drift > baseline.entries.len() {
                eprintln!(
                    "note: {} finding(s) not recorded: an expired certificate is never accepted by a baseline",
                    drift - baseline.entries.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { id, compare } => {
            limit(&mut options, &compare.load);
            let config = config(compare.config.as_deref())?;
            if let Some(config) = &config {
                options.secrets = config.secret_rules();
                options.layers = config.layers().to_vec();
            }
            let policy_config = config.clone();
            let (report, _) = build_report(&compare, &options, config, false)?;
            let found: Vec<&drift_core::Finding> =
                report.findings().iter().filter(|f| f.id.starts_with(id.as_str()) && !id.is_empty()).collect();
            let finding = match found.as_slice() {
                [one] => *one,
                [] => anyhow::bail!(
                    "no finding has the id {} ({} findings; their ids are in --format json)",
                    render::safe(&id),
                    report.findings().len()
                ),
                many => anyhow::bail!(
                    "{} findings have an id that starts with {}: give more of it",
                    many.len(),
                    render::safe(&id)
                ),
            };
            let policy = policy_config.map_or_else(Policy::default, Policy::with_config);
            let mut stdout = io::stdout().lock();
            for line in drift_core::explain(finding, &policy) {
                writeln!(stdout, "{}", render::safe(&line))?;
            }
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { compare, to: output } => {
            limit(&mut options, &compare.load);
            if output.as_os_str() != "-" && output.exists() {
                anyhow::bail!("{}: exists; not overwriting it (use -o to write elsewhere)", output.display());
            }
            let (report, _) = build_report(&compare, &options, None, false)?;
            write_output(&output, &drift_core::starter_config(&report))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { defaults, config: path } => {
            let mut stdout = io::stdout().lock();
            for rule in RuleId::ALL {
                writeln!(stdout, "{:<30} {}", rule.as_str(), rule.description())?;
            }
            if !defaults && let Some(config) = config(path.as_deref())? {
                for line in config.describe() {
                    writeln!(stdout, "{line}")?;
                }
            }
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads, compares, renders; whether drift at or above `fail_on` remains.
/// Loads both environments, compares them and applies the policy (and a baseline, if given);
/// with `patches`, also the entities' JSON patches.
fn build_report(
    compare: &Compare,
    options: &LoadOptions,
    config: Option<Config>,
    patches: bool,
) -> anyhow::Result<(Report, Vec<drift_core::EntityPatch>)> {
    let (mut left, mut right) = drift_core::load_pair(&compare.left, &compare.right, options)?;
    if let Some(name) = compare.left_name.as_deref().or(config.as_ref().and_then(Config::left_name)) {
        left.set_name(name);
    }
    if let Some(name) = compare.right_name.as_deref().or(config.as_ref().and_then(Config::right_name)) {
        right.set_name(name);
    }
    // drift.toml's maps, then objects whose namespace or name differ only by the environment.
    drift_core::match_entities(&left, &mut right, config.as_ref());
    // The report lists skipped files and notes; stderr keeps only the warnings.
    print_warnings(&left);
    print_warnings(&right);
    let baseline = match &compare.baseline {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
            Some((Baseline::parse(&path.to_string_lossy(), &bytes)?, path.to_string_lossy().into_owned()))
        }
        None => None,
    };
    let require_guards = compare.require_guards || config.as_ref().is_some_and(Config::require_guards);
    let diff = drift_core::diff(&left, &right);
    let policy = config.map_or_else(Policy::default, Policy::with_config);
    let mut report = drift_core::report(&diff, &policy);
    if !report.guards.enabled && require_guards {
        anyhow::bail!("guards are off: {}", render::safe(&report.guards.reason));
    }
    for rule in report.unused_rules.iter().take(20) {
        eprintln!("warning: {} matched nothing in this run", render::safe(rule));
    }
    if report.unused_rules.len() > 20 {
        eprintln!("warning: {} more drift.toml rules matched nothing", report.unused_rules.len() - 20);
    }
    if let Some((baseline, origin)) = baseline {
        let stale = baseline.apply(&mut report, &origin);
        if !stale.is_empty() {
            eprintln!("note: {} entr(ies) of {} match no drift any more (stale):", stale.len(), render::safe(&origin));
            for entry in stale.iter().take(20) {
                let line = format!("{} {} ({})", entry.entity, entry.path, entry.id);
                eprintln!("  {}", render::safe(&line));
            }
        }
    }
    let patches = if patches { drift_core::patches(&diff) } else { Vec::new() };
    // The process ends soon: freeing millions of small allocations one by one would only delay
    // the exit (about 0.1 s for two 1,000,000-key files).
    std::mem::forget(diff);
    std::mem::forget((left, right));
    Ok((report, patches))
}

/// Loads, compares, renders; whether drift at or above `fail_on` remains.
fn compare_and_render(
    compare: &Compare,
    options: &LoadOptions,
    config: Option<Config>,
    gate: Option<drift_core::Severity>,
) -> anyhow::Result<bool> {
    let wants_patch =
        compare.format == OutputFormat::Patch || compare.output.iter().any(|o| o.format == OutputFormat::Patch);
    let (report, patches) = build_report(compare, options, config, wants_patch)?;
    // A gate that guarded nothing says so where CI logs show it (the report says it too).
    if gate.is_some() && !report.guards.enabled {
        eprintln!("warning: guards are off: {}", render::safe(&report.guards.reason));
    }
    let fail_on = gate.unwrap_or(drift_core::Severity::High);
    let doc = Document { report: &report, patches: &patches, fail_on };
    let color = match compare.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let all = compare.show.contains(&Shown::All);
    let text = TextOptions {
        style: if color { Style::Color } else { Style::Plain },
        expected: all || compare.show.contains(&Shown::Expected),
        ignored: all || compare.show.contains(&Shown::Ignored),
        baselined: all || compare.show.contains(&Shown::Baselined),
        summary_only: compare.summary,
        width: terminal_width(),
        full_values: compare.no_truncate,
        detail: compare.detail,
    };
    // `--output FORMAT=-` writes that format to stdout, instead of `--format`'s.
    let to_stdout: Vec<&args::Output> = compare.output.iter().filter(|o| o.path.as_os_str() == "-").collect();
    if to_stdout.len() > 1 {
        anyhow::bail!("--output: only one format can go to stdout (-)");
    }
    if compare.quiet && !to_stdout.is_empty() {
        anyhow::bail!("--quiet prints nothing, --output FORMAT=- prints to stdout: choose one");
    }
    // Two formats into one file: the second would silently replace the first.
    let mut paths = std::collections::HashSet::new();
    for output in compare.output.iter().filter(|o| o.path.as_os_str() != "-") {
        if !paths.insert(&output.path) {
            anyhow::bail!("--output: {} is named twice", render::safe(&output.path.display().to_string()));
        }
    }
    let stdout_format = to_stdout.first().map_or(compare.format, |o| o.format);
    for output in compare.output.iter().filter(|o| o.path.as_os_str() != "-") {
        let file =
            std::fs::File::create(&output.path).with_context(|| format!("{}: cannot write", output.path.display()))?;
        let mut file = io::BufWriter::new(file);
        let plain = TextOptions { style: Style::Plain, width: None, ..text };
        render::write(&mut file, &doc, output.format, &plain)
            .and_then(|()| file.flush())
            .with_context(|| format!("{}: cannot write", output.path.display()))?;
    }
    if !compare.quiet {
        let mut stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
        let written = render::write(&mut stdout, &doc, stdout_format, &text).and_then(|()| stdout.flush());
        match written {
            // The reader went away (`drift check … | head -1`): the report is cut short, the verdict
            // is not; the exit code still says whether drift was found.
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    }
    let fails = report.fails(fail_on);
    std::mem::forget(patches);
    std::mem::forget(report);
    Ok(fails)
}

/// The terminal's width when stdout is a terminal: `COLUMNS` when set (an override), else the
/// terminal's own (no terminal: no cutting, so output in CI and pipes is deterministic).
fn terminal_width() -> Option<usize> {
    let stdout = io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let width = columns.or_else(|| terminal_size::terminal_size_of(&stdout).map(|(w, _)| usize::from(w.0)));
    width.filter(|&w: &usize| w >= 40)
}

/// Writes text to a file, or to stdout for `-`.
fn write_output(output: &std::path::Path, text: &str) -> anyhow::Result<()> {
    if output.as_os_str() == "-" {
        let mut stdout = io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
    } else {
        std::fs::write(output, text).with_context(|| format!("{}: cannot write", output.display()))?;
    }
    Ok(())
}

/// Warnings about the inputs, on stderr.
fn print_warnings(snapshot: &Snapshot) {
    for warning in snapshot.warnings() {
        eprintln!("warning: {}", render::safe(&warning.to_string()));
    }
}

/// Warnings about the inputs, notes and the files that were skipped, on stderr.
fn print_notes(snapshot: &Snapshot) {
    print_warnings(snapshot);
    for note in snapshot.notes() {
        eprintln!("note: {}", render::safe(note));
    }
    let skipped = snapshot.skipped();
    if !skipped.is_empty() {
        eprintln!("note: skipped {} file(s) that are not configuration:", skipped.len());
        for skip in skipped.iter().take(20) {
            eprintln!("  {} ({})", render::safe(&skip.file), render::safe(&skip.reason));
        }
        if skipped.len() > 20 {
            eprintln!("  … and {} more", skipped.len() - 20);
        }
    }
}
