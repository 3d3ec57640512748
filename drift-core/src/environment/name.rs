//! An environment's name from the path it was loaded from (when no flag or drift.toml names it):
//! the environment token nearest the leaf, anywhere in the path (README, "Names and roles").
//!
//! - a file whose name holds a token: that token (`.env.production` → `production`,
//!   `values-prod.yaml` → `prod`);
//! - else the folder nearest the file or directory whose name holds a token, as written
//!   (`envs/production/app` → `production`, `clusters/prod-eu/apps` → `prod-eu`): inside a git
//!   repository only the folders below its root count, however the path was written, so that `.`
//!   inside `envs/staging/app` is `staging` while a token in the folder where the repository
//!   happens to be checked out (`/builds/live-team/…`) never names it; outside one, the path as
//!   written, else its absolute form;
//! - else the last folder's name, which says nothing about the role.

use std::path::{Component, Path};

use super::family_of_word;

/// The name of the environment a directory (`is_file` false) or a file holds.
pub(crate) fn from_path(path: &Path, is_file: bool) -> String {
    if is_file && let Some(token) = file_token(path) {
        return token.to_owned();
    }
    let folder = match path.parent() {
        // A bare file name (`.env`) is in the current folder.
        Some(parent) if is_file && parent.as_os_str().is_empty() => Path::new("."),
        Some(parent) if is_file => parent,
        _ if is_file => Path::new("."),
        _ => path,
    };
    let absolute = folder.canonicalize().ok();
    if let Some(absolute) = &absolute
        && let Some(root) = repository_root(absolute)
    {
        // Inside a repository, only its own folders name an environment, however the path was
        // written (`../../prod/repo/envs/east` is not `prod`).
        let below_root = absolute.strip_prefix(root).unwrap_or(absolute);
        return nearest_token(below_root.components()).unwrap_or_else(|| last_folder(folder, Some(absolute)));
    }
    // No repository: the path as written, then (for `.` and `..`) its absolute form.
    let lexical = !folder.components().any(|c| matches!(c, Component::ParentDir | Component::CurDir));
    if lexical && let Some(named) = nearest_token(folder.components()) {
        return named;
    }
    if let Some(named) = absolute.as_deref().and_then(|a| nearest_token(a.components())) {
        return named;
    }
    last_folder(folder, absolute.as_deref())
}

/// The environment token in a file's name (`.env.production`, `values-prod.yaml`), with the word
/// before it when that qualifies it (`values-pre-prod.yaml` → `pre-prod`).
fn file_token(file: &Path) -> Option<&str> {
    let name = file.file_name()?.to_str()?;
    let mut start_of_previous = None;
    let mut at = 0;
    for part in name.split(['.', '-', '_']) {
        let start = at;
        at += part.len() + 1;
        if let Some(family) = family_of_word(part) {
            let previous = start_of_previous.map(|s: usize| &name[s..start.saturating_sub(1)]);
            if let Some(previous) = previous
                && super::qualified(previous, family).name != family.name
            {
                return name.get(start_of_previous.unwrap_or(start)..start + part.len());
            }
            return name.get(start..start + part.len());
        }
        start_of_previous = Some(start);
    }
    None
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
        assert_eq!(from_path(Path::new("chart/values-pre-prod.yaml"), true), "pre-prod");
        assert_eq!(from_path(Path::new("chart/values.non_prod.yaml"), true), "non_prod");
        assert_eq!(from_path(Path::new("envs/staging/app"), false), "staging");
        assert_eq!(from_path(Path::new("envs/production/app/.env"), true), "production");
        assert_eq!(from_path(Path::new("clusters/prod-eu/apps/web"), false), "prod-eu");
        assert_eq!(from_path(Path::new("stage/overlays/production"), false), "production");
        // No token: the last folder, as before.
        assert_eq!(from_path(Path::new("no/such/place/app"), false), "app");
        // `..` is resolved, not read as written.
        assert_ne!(from_path(Path::new("no/staging/.."), false), "staging");
    }

    #[test]
    fn folders_above_the_repository_never_name_it() {
        let base = std::env::temp_dir().join(format!("drift-name-{}", std::process::id()));
        let repo = base.join("prod/repo");
        for dir in ["envs/east", ".git"] {
            std::fs::create_dir_all(repo.join(dir)).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(from_path(&repo.join("envs/east"), false), "east");
        assert_eq!(from_path(&repo.join("envs/east/.env"), true), "east");
        let _ = std::fs::remove_dir_all(&base);
    }
}
