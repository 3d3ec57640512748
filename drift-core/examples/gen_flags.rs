//! Writes two large flagd flag files for whole-run measurements (README "Performance"):
//! `OUT/staging/flags.json` and `OUT/production/flags.json` with FLAGS flags each.
//!
//! ```sh
//! cargo run --release -p drift-core --example gen_flags -- /tmp/drift-flags 50000
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../../benches/gen/mod.rs"]
mod r#gen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(flags)) = (args.first(), args.get(1).and_then(|k| k.parse::<usize>().ok())) else {
        eprintln!("usage: gen_flags OUT FLAGS");
        return ExitCode::from(2);
    };
    match r#gen::write_flags(&PathBuf::from(out), flags) {
        Ok(bytes) => {
            println!("wrote {flags} flags per side ({:.1} MB per side) to {out}", bytes as f64 / 1e6);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
