//! Writes two large Terraform states for whole-run measurements (README "Performance"):
//! `OUT/staging/terraform.tfstate` and `OUT/production/terraform.tfstate` with INSTANCES resource
//! instances each (about 3 KB per instance).
//!
//! ```sh
//! cargo run --release -p drift-core --example gen_tf -- /tmp/drift-tf 33000
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../../benches/gen/mod.rs"]
mod r#gen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(instances)) = (args.first(), args.get(1).and_then(|k| k.parse::<usize>().ok())) else {
        eprintln!("usage: gen_tf OUT INSTANCES");
        return ExitCode::from(2);
    };
    match r#gen::write_tf(&PathBuf::from(out), instances) {
        Ok(bytes) => {
            println!("wrote {instances} instances per side ({:.1} MB per side) to {out}", bytes as f64 / 1e6);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
