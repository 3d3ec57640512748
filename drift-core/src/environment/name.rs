//! An environment's name from the path it was loaded from (when no flag or drift.toml names it):
//! the environment token nearest the leaf, anywhere in the path (README, "Names and roles").
//!
//! - a file whose name holds a token: that token (`.env.production` → `production`,
//!   `values-prod.yaml` → `prod`);
//! - else the folder nearest the file or directory whose name holds a token, as written
//!   (`envs/production/app` → `production`, `clusters/prod-eu/apps` → `prod-eu`), first in the
//!   path as given, then in its absolute form up to the repository root (the folder that holds
//!   `.git`), so that `.` inside `envs/staging/app` is `staging` while a token in the folder
//!   where the repository happens to be checked out (`/builds/live-team/…`) never names it;
//! - else the last folder's name, which says nothing about the role.

use std::path::{Component, Path};

use super::family_of_word;

/// The name of the environment a directory (`is_file` false) or a file holds.
pub(crate) fn from_path(path: &Path, is_file: bool) -> String {
    if is_file && let Some(token) = file_token(path) {
        return token.to_owned();
    }
    let folder = if is_file { path.parent().unwrap_or(Path::new("")) } else { path };
    if let Some(named) = nearest_token(folder.components()) {
        return named;
    }
    let absolute = folder.canonicalize().ok();
    if let Some(absolute) = &absolute {
        let root = repository_root(absolute);
        let below_root = absolute.strip_prefix(root.unwrap_or(Path::new("/"))).unwrap_or(absolute);
        if let Some(named) = nearest_token(below_root.components()) {
            return named;
        }
    }
    last_folder(folder, absolute.as_deref())
}

/// The environment token in a file's name (`.env.production`, `values-prod.yaml`).
fn file_token(file: &Path) -> Option<&str> {
    let name = file.file_name()?.to_str()?;
    name.split(['.', '-', '_']).find(|part| family_of_word(part).is_some())
}

/// The folder nearest the leaf whose name holds an environment token, as written.
fn nearest_token<'a>(components: impl DoubleEndedIterator<Item = Component<'a>>) -> Option<String> {
    components
        .rev()
        .filter_map(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        // `..` and `.` say nothing; the absolute form resolves them.
        .find(|name| super::words(name).any(|(_, w)| family_of_word(w).is_some()))
        .map(str::to_owned)
}

/// The nearest folder at or above `dir` that holds `.git`.
fn repository_root(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|a| a.join(".git").exists())
}

/// The last component of a folder, resolving `.` and `..`.
fn last_folder(folder: &Path, absolute: Option<&Path>) -> String {
    let named = folder.file_name().map(|n| n.to_string_lossy().into_owned());
    named
        .filter(|n| n != "." && n != "..")
        .or_else(|| absolute?.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| folder.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_token_wins() {
        assert_eq!(from_path(Path::new("x/.env.production"), true), "production");
        assert_eq!(from_path(Path::new("x/staging/.env"), true), "staging");
        assert_eq!(from_path(Path::new("chart/values-prod.yaml"), true), "prod");
        assert_eq!(from_path(Path::new("envs/staging/app"), false), "staging");
        assert_eq!(from_path(Path::new("envs/production/app/.env"), true), "production");
        assert_eq!(from_path(Path::new("clusters/prod-eu/apps/web"), false), "prod-eu");
        assert_eq!(from_path(Path::new("stage/overlays/production"), false), "production");
        // No token: the last folder, as before.
        assert_eq!(from_path(Path::new("no/such/place/app"), false), "app");
    }
}
