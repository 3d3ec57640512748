//! `--format patch`: an RFC 6902 JSON Patch per entity that turns the left entity into the right
//! one (secrets as fingerprints).

use std::io::{self, Write};

use drift_core::EntityPatch;

pub(super) fn write(out: &mut impl Write, patches: &[EntityPatch]) -> io::Result<()> {
    super::json::to_writer(&mut *out, patches)?;
    writeln!(out)
}
