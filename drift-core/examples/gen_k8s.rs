//! Writes two large Kubernetes environments for whole-run measurements (README "Performance"):
//! `OUT/staging` and `OUT/production` with OBJECTS objects each (about 4 KB per object).
//!
//! ```sh
//! cargo run --release -p drift-core --example gen_k8s -- /tmp/drift-k8s 10000
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../../benches/gen/mod.rs"]
mod r#gen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(objects)) = (args.first(), args.get(1).and_then(|k| k.parse::<usize>().ok())) else {
        eprintln!("usage: gen_k8s OUT OBJECTS");
        return ExitCode::from(2);
    };
    match r#gen::write_k8s(&PathBuf::from(out), objects) {
        Ok(bytes) => {
            println!("wrote {objects} objects per side ({:.1} MB per side) to {out}", bytes as f64 / 1e6);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
