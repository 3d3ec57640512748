//! Writes two large environments for whole-run measurements (README "Performance"):
//! `OUT/staging` and `OUT/production`, with the generators of `benches/gen`.
//!
//! ```sh
//! cargo run --release -p drift-core --example gen -- env   /tmp/drift-env   1000000  # keys
//! cargo run --release -p drift-core --example gen -- k8s   /tmp/drift-k8s   10000    # objects
//! cargo run --release -p drift-core --example gen -- tf    /tmp/drift-tf    45000    # instances, as Terraform writes a state
//! cargo run --release -p drift-core --example gen -- tf-compact /tmp/drift-tfc 80000  # the same, compact (OpenTofu remote state)
//! cargo run --release -p drift-core --example gen -- flags /tmp/drift-flags 50000    # flags
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../../benches/gen/mod.rs"]
mod r#gen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(kind), Some(out), Some(count)) =
        (args.first(), args.get(1).map(PathBuf::from), args.get(2).and_then(|k| k.parse::<usize>().ok()))
    else {
        eprintln!("usage: gen env|k8s|tf|tf-compact|flags OUT COUNT");
        return ExitCode::from(2);
    };
    let written = match kind.as_str() {
        "env" => r#gen::write_env(&out, count),
        "k8s" => r#gen::write_k8s(&out, count),
        "tf" => r#gen::write_tf(&out, count, true),
        "tf-compact" => r#gen::write_tf(&out, count, false),
        "flags" => r#gen::write_flags(&out, count),
        other => {
            eprintln!("unknown kind `{other}`: env, k8s, tf, tf-compact or flags");
            return ExitCode::from(2);
        }
    };
    match written {
        Ok(bytes) => {
            println!("wrote {count} per side ({:.1} MB per side) to {}", bytes as f64 / 1e6, out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
