//! drift's renderers, as a library so that they can be benchmarked (`benches/render.rs`); the
//! `drift` binary (`main.rs`) is their only user. Each renderer presents a `drift_core::Report`
//! and decides nothing: all semantics live in drift-core.

pub mod render;
