//! Writes two large `.env` environments for whole-run measurements (README "Performance"):
//! `OUT/staging/.env` and `OUT/production/.env` with KEYS keys each, about 1% of them changed,
//! a few added and removed, and secrets among them.
//!
//! ```sh
//! cargo run --release -p drift-core --example gen_env -- /tmp/drift-env 1000000
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../../benches/gen/mod.rs"]
mod r#gen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(keys)) = (args.first(), args.get(1).and_then(|k| k.parse::<usize>().ok())) else {
        eprintln!("usage: gen_env OUT KEYS");
        return ExitCode::from(2);
    };
    match write(&PathBuf::from(out), keys) {
        Ok(bytes) => {
            println!("wrote {keys} keys per side ({:.1} MB per side) to {out}", bytes as f64 / 1e6);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

fn write(out: &std::path::Path, keys: usize) -> std::io::Result<u64> {
    let mut size = 0;
    for side in ["staging", "production"] {
        std::fs::create_dir_all(out.join(side))?;
        let mut file = BufWriter::new(std::fs::File::create(out.join(side).join(".env"))?);
        for text in r#gen::env_lines(side, keys) {
            size += text.len() as u64;
            file.write_all(text.as_bytes())?;
        }
        file.flush()?;
    }
    Ok(size / 2)
}
