//! Which files of an environment are layers of one configuration, and which of them the
//! environment runs with (DESIGN §10's table):
//!
//! | convention | base | environment layers, lowest first |
//! |---|---|---|
//! | Helm | `values.yaml` | `values-<env>.yaml`, `values.<env>.yaml`, `<env>/values.yaml` |
//! | Spring Boot | `application.{yml,yaml,properties}` | `application-<env>.*` |
//! | .NET | `appsettings.json` | `appsettings.<Env>.json` |
//! | node-config | `config/default.*` | `config/<env>.*`, `config/local.*`, `config/local-<env>.*` |
//! | dotenv | `.env` (under `.env.defaults`) | `.env.local`, `.env.<env>`, `.env.<env>.local` |
//!
//! dotenv follows dotenv-flow, Vite and Symfony (`.env.local` below `.env.<env>`; it is skipped for
//! a test environment); Next.js and Ruby's dotenv put `.env.local` above `.env.<env>`: declare
//! that order in drift.toml (`[[layers]]`) where it matters.
//!
//! An environment layer belongs to the environment its token names (`prod` is production). A tree
//! that holds several environments' layers is one selection per environment (`chart@production`):
//! the other environments' layers are not read. Without a selection, a tree's layers are merged
//! for the environment its path names, or for its only environment; when that cannot be told, its
//! files are compared one by one, as before.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Declared, Merge};
use crate::environment;

/// The environment a tree is loaded as.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Selection<'a> {
    /// Its name (`production`), from `PATH@ENV` or the path.
    pub(crate) environment: &'a str,
    /// Chosen with `PATH@ENV`: other environments' layers are not read.
    pub(crate) explicit: bool,
}

/// One configuration's layers: files (by index), lowest first, each with its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Set {
    pub(crate) merge: Merge,
    /// The entity scope of the effective configuration (the base file's).
    pub(crate) scope: String,
    pub(crate) members: Vec<(usize, String)>,
}

/// What becomes of an environment's files.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) sets: Vec<Set>,
    /// Layers of other environments (for an environment the selection or the path names): not
    /// read.
    pub(crate) excluded: Vec<usize>,
    /// What the report should say about the choice (two files for one environment).
    pub(crate) notes: Vec<String>,
}

/// Whether a token in a file name (`prod`, `Production`, `eu-west`) names the environment: the same
/// text, or two single words of one family (`prod` and `production`).
pub(crate) fn names_environment(token: &str, environment: &str) -> bool {
    if token.eq_ignore_ascii_case(environment) {
        return true;
    }
    match (environment::family_of_word(token), environment::family_of_word(environment)) {
        (Some(a), Some(b)) => a.name == b.name,
        _ => false,
    }
}

/// Layer names that are not an environment's but are never production's either: a developer's
/// machine, CI, mocks (`values-local.yaml`, `application-mock.yml`, `values-ci.yaml`).
const NOT_PRODUCTION: &[&str] = &["local", "ci", "mock", "mocks", "e2e", "integration", "demo", "review", "preview"];

/// What a file is in its layer set.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Defaults,
    Base,
    Local,
    Env(String),
    EnvLocal(String),
}

impl Role {
    fn token(&self) -> Option<&str> {
        match self {
            Role::Env(t) | Role::EnvLocal(t) => Some(t),
            _ => None,
        }
    }

    fn label(&self) -> String {
        match self {
            Role::Defaults => "defaults".to_owned(),
            Role::Base => "base".to_owned(),
            Role::Local => "local".to_owned(),
            Role::Env(t) => t.clone(),
            Role::EnvLocal(t) => format!("{t}.local"),
        }
    }

    /// Where the role sits among its set's layers.
    fn rank(&self, merge: Merge) -> u8 {
        match (self, merge) {
            (Role::Defaults, _) => 0,
            (Role::Base, _) => 1,
            (Role::Local, Merge::Dotenv) => 2,
            (Role::Env(_), _) => 3,
            (Role::Local, _) => 4,
            (Role::EnvLocal(_), _) => 5,
        }
    }
}

/// A file that belongs to a layer set.
#[derive(Clone, Debug)]
struct Candidate {
    index: usize,
    dir: String,
    merge: Merge,
    role: Role,
    /// The extension's rank where several load (`.properties` over `.yml`).
    extension: u8,
    /// Spring's location: the folder's own files, then its `config/` folder's.
    location: u8,
}

/// Plans the layer sets among `files` (paths relative to the environment's root).
pub(crate) fn plan(files: &[&Path], selection: Selection<'_>, declared: &[Declared]) -> Plan {
    let mut plan = Plan::default();
    let shown: Vec<String> = files.iter().map(|p| p.to_string_lossy().replace('\\', "/")).collect();
    let mut claimed: BTreeSet<usize> = BTreeSet::new();
    for declaration in declared {
        declared_set(declaration, &shown, selection, &mut claimed, &mut plan);
    }
    let mut groups: BTreeMap<(String, &'static str), Vec<Candidate>> = BTreeMap::new();
    for (index, path) in shown.iter().enumerate() {
        if claimed.contains(&index) {
            continue;
        }
        let (dir, name) = match path.rsplit_once('/') {
            Some((dir, name)) => (dir.to_owned(), name),
            None => (String::new(), path.as_str()),
        };
        if let Some((merge, role, extension)) = classify(&dir, name, selection) {
            // Spring reads `classpath:/` and `classpath:/config/` as one location group.
            let (group, location) = match dir.strip_suffix("config").filter(|_| merge == Merge::Spring) {
                Some(parent) if parent.is_empty() || parent.ends_with('/') => {
                    (parent.trim_end_matches('/').to_owned(), 1)
                }
                _ => (dir.clone(), 0),
            };
            let candidate = Candidate { index, dir: group.clone(), merge, role, extension, location };
            groups.entry((group, merge.as_str())).or_default().push(candidate);
        }
    }
    nest_helm_environment_folders(&mut groups, selection);
    for ((_, _), candidates) in groups {
        group_set(candidates, &shown, selection, &mut plan);
    }
    plan.sets.sort_by_key(|s| s.members.first().map(|m| m.0));
    plan
}

/// A file's convention, role and extension rank, from its folder and name.
fn classify(dir: &str, name: &str, selection: Selection<'_>) -> Option<(Merge, Role, u8)> {
    let is_env = |token: &str| {
        !token.is_empty()
            && (environment::family_of(token).is_some()
                || names_environment(token, selection.environment)
                || NOT_PRODUCTION.iter().any(|w| w.eq_ignore_ascii_case(token)))
    };
    // dotenv: `.env`, `.env.defaults`, `.env.local`, `.env.<env>`, `.env.<env>.local`.
    if let Some(rest) = name.strip_prefix(".env") {
        let role = match rest {
            "" => Role::Base,
            ".defaults" => Role::Defaults,
            ".local" => Role::Local,
            _ => {
                let rest = rest.strip_prefix('.')?;
                match rest.strip_suffix(".local") {
                    Some(token) if is_env(token) => Role::EnvLocal(token.to_owned()),
                    _ if is_env(rest) => Role::Env(rest.to_owned()),
                    _ => return None,
                }
            }
        };
        return Some((Merge::Dotenv, role, 0));
    }
    let (stem, extension) = name.rsplit_once('.')?;
    // Helm: `values.yaml`, `values-<env>.yaml`, `values.<env>.yaml`, `values_<env>.yaml`.
    if matches!(extension, "yaml" | "yml") {
        if stem == "values" {
            return Some((Merge::Helm, Role::Base, 0));
        }
        if let Some(token) = stem.strip_prefix("values").and_then(|r| r.strip_prefix(['-', '.', '_']))
            && is_env(token)
        {
            return Some((Merge::Helm, Role::Env(token.to_owned()), 0));
        }
    }
    // Spring Boot: `.properties` wins over YAML in one location.
    let spring_rank = match extension {
        "yml" => Some(0),
        "yaml" => Some(1),
        "properties" => Some(2),
        _ => None,
    };
    if let Some(rank) = spring_rank {
        if stem == "application" {
            return Some((Merge::Spring, Role::Base, rank));
        }
        if let Some(token) = stem.strip_prefix("application-")
            && is_env(token)
        {
            return Some((Merge::Spring, Role::Env(token.to_owned()), rank));
        }
    }
    // .NET: `appsettings.json`, `appsettings.<Environment>.json`.
    if extension == "json" {
        if stem == "appsettings" {
            return Some((Merge::DotNet, Role::Base, 0));
        }
        if let Some(token) = stem.strip_prefix("appsettings.")
            && is_env(token)
        {
            return Some((Merge::DotNet, Role::Env(token.to_owned()), 0));
        }
    }
    // node-config: files of a `config` folder, every extension of a name loading in turn.
    let node_rank = match extension {
        "json" => Some(0),
        "toml" => Some(1),
        "yaml" => Some(2),
        "yml" => Some(3),
        "properties" => Some(4),
        _ => None,
    };
    let in_config = dir.rsplit('/').next() == Some("config");
    if let Some(rank) = node_rank.filter(|_| in_config) {
        let role = match stem {
            "default" => Role::Base,
            "local" => Role::Local,
            _ => match stem.strip_prefix("local-") {
                Some(token) if is_env(token) => Role::EnvLocal(token.to_owned()),
                _ if is_env(stem) => Role::Env(stem.to_owned()),
                _ => return None,
            },
        };
        return Some((Merge::NodeConfig, role, rank));
    }
    None
}

/// Helm's `<env>/values.yaml` beside the chart's `values.yaml`: an environment layer of the parent
/// folder's set.
fn nest_helm_environment_folders(
    groups: &mut BTreeMap<(String, &'static str), Vec<Candidate>>,
    selection: Selection<'_>,
) {
    let helm = Merge::Helm.as_str();
    let nested: Vec<(String, String)> = groups
        .iter()
        .filter(|((dir, merge), members)| {
            *merge == helm && members.len() == 1 && members[0].role == Role::Base && !dir.is_empty()
        })
        .filter_map(|((dir, _), _)| {
            let (parent, folder) = dir.rsplit_once('/').unwrap_or(("", dir.as_str()));
            let is_env = environment::family_of(folder).is_some() || names_environment(folder, selection.environment);
            let parent_has_base =
                groups.get(&(parent.to_owned(), helm)).is_some_and(|m| m.iter().any(|c| c.role == Role::Base));
            (is_env && parent_has_base).then(|| (dir.clone(), parent.to_owned()))
        })
        .collect();
    for (dir, parent) in nested {
        let Some(mut members) = groups.remove(&(dir.clone(), helm)) else { continue };
        let folder = dir.rsplit('/').next().unwrap_or(&dir).to_owned();
        for member in &mut members {
            member.role = Role::Env(folder.clone());
            member.dir = parent.clone();
        }
        groups.entry((parent, helm)).or_default().extend(members);
    }
}

/// Whether the environment is known well enough to leave other environments' layers out: chosen
/// with `PATH@ENV`, or named by its path (`production/`).
fn decisive(selection: Selection<'_>) -> bool {
    selection.explicit || environment::family_of(selection.environment).is_some()
}

/// The environment tokens of a set's layers that the selection takes.
fn chosen_tokens(tokens: &BTreeSet<String>, selection: Selection<'_>) -> Option<BTreeSet<String>> {
    let matching: BTreeSet<String> =
        tokens.iter().filter(|t| names_environment(t, selection.environment)).cloned().collect();
    if decisive(selection) || !matching.is_empty() {
        return Some(matching);
    }
    // A tree for one environment whose path does not say which: its only environment.
    if tokens.len() == 1 && environment::family_of(selection.environment).is_none() {
        return Some(tokens.clone());
    }
    // Several environments' layers, or another environment's than the path says: compared file by
    // file, as without layers.
    (tokens.is_empty()).then(BTreeSet::new)
}

fn group_set(mut candidates: Vec<Candidate>, shown: &[String], selection: Selection<'_>, plan: &mut Plan) {
    let Some(merge) = candidates.first().map(|c| c.merge) else { return };
    let tokens: BTreeSet<String> =
        candidates.iter().filter_map(|c| c.role.token()).map(str::to_ascii_lowercase).collect();
    let Some(chosen) = chosen_tokens(&tokens, selection) else { return };
    let base = candidates.iter().filter(|c| c.role == Role::Base).min_by_key(|c| (c.location, c.extension));
    let Some(base) = base else {
        // No base: no set, but another environment's layers are still not this one's.
        if decisive(selection) {
            plan.excluded.extend(
                candidates
                    .iter()
                    .filter(|c| c.role.token().is_some_and(|t| !chosen.contains(&t.to_ascii_lowercase())))
                    .map(|c| c.index),
            );
        }
        return;
    };
    let scope_path = shown[base.index].clone();
    if chosen.len() > 1 {
        let files: Vec<&str> = candidates
            .iter()
            .filter(|c| c.role.token().is_some_and(|t| chosen.contains(&t.to_ascii_lowercase())))
            .map(|c| shown[c.index].as_str())
            .collect();
        plan.notes.push(format!(
            "{} all name {}: merged in name order, the last winning (the runtime loads the one it is told to)",
            files.join(", "),
            selection.environment
        ));
    }
    let test = environment::family_of(selection.environment).is_some_and(|f| f.name == "test");
    let mut members = Vec::new();
    for candidate in candidates.drain(..) {
        let take = match &candidate.role {
            Role::Env(t) | Role::EnvLocal(t) => chosen.contains(&t.to_ascii_lowercase()),
            // dotenv-flow, Next.js, Symfony and Ruby's dotenv skip `.env.local` in tests.
            Role::Local if test && merge == Merge::Dotenv => {
                plan.excluded.push(candidate.index);
                false
            }
            Role::Local => true,
            Role::Base | Role::Defaults => true,
        };
        if take {
            members.push(candidate);
        } else if decisive(selection) && candidate.role.token().is_some() {
            plan.excluded.push(candidate.index);
        }
    }
    members.sort_by_key(|c| (c.role.rank(merge), c.location, c.extension, c.index));
    // A Spring file alone still applies its profile documents (merged only if it has some).
    if members.len() >= 2 || merge == Merge::Spring {
        let scope = crate::source::detect::scope(Path::new(&scope_path), false);
        let members = members.into_iter().map(|c| (c.index, c.role.label())).collect();
        plan.sets.push(Set { merge, scope, members });
    }
}

/// A drift.toml `[[layers]]` set: its files in order, `{env}` standing for the environment.
fn declared_set(
    declaration: &Declared,
    shown: &[String],
    selection: Selection<'_>,
    claimed: &mut BTreeSet<usize>,
    plan: &mut Plan,
) {
    let mut members: Vec<(usize, String)> = Vec::new();
    // The fixed files first: `conf/{env}.yaml` must not take `conf/base.yaml` as an environment.
    let fixed: BTreeSet<usize> = declaration
        .files
        .iter()
        .filter(|p| !p.contains("{env}"))
        .filter_map(|p| shown.iter().position(|s| s == p.trim_start_matches("./")))
        .collect();
    for (position, pattern) in declaration.files.iter().enumerate() {
        let pattern = pattern.trim_start_matches("./");
        match pattern.split_once("{env}") {
            None => {
                if let Some(index) = shown.iter().position(|s| s == pattern) {
                    let label = if position == 0 { "base".to_owned() } else { pattern.to_owned() };
                    members.push((index, label));
                }
            }
            Some((prefix, suffix)) => {
                let matches: Vec<(usize, String)> = shown
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| {
                        let token = s.strip_prefix(prefix)?.strip_suffix(suffix)?;
                        let environment =
                            environment::family_of(token).is_some() || names_environment(token, selection.environment);
                        let free = !fixed.contains(&i) && !claimed.contains(&i);
                        (free && environment && !token.contains('/')).then(|| (i, token.to_owned()))
                    })
                    .collect();
                let tokens: BTreeSet<String> = matches.iter().map(|(_, t)| t.to_ascii_lowercase()).collect();
                let chosen = chosen_tokens(&tokens, selection).unwrap_or_default();
                for (index, token) in matches {
                    claimed.insert(index);
                    if chosen.contains(&token.to_ascii_lowercase()) {
                        members.push((index, token));
                    } else if selection.explicit {
                        plan.excluded.push(index);
                    }
                }
            }
        }
    }
    claimed.extend(members.iter().map(|m| m.0));
    if members.len() >= 2 {
        let scope = crate::source::detect::scope(Path::new(&shown[members[0].0]), false);
        plan.sets.push(Set { merge: declaration.merge, scope, members });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(files: &[&str], environment: &str, explicit: bool) -> (Vec<Vec<String>>, Vec<String>) {
        let paths: Vec<&Path> = files.iter().map(Path::new).collect();
        let plan = plan(&paths, Selection { environment, explicit }, &[]);
        let sets = plan
            .sets
            .iter()
            .map(|s| s.members.iter().map(|(i, label)| format!("{}={label}", files[*i])).collect())
            .collect();
        (sets, plan.excluded.iter().map(|&i| files[i].to_owned()).collect())
    }

    #[test]
    fn one_tree_selects_each_environment() {
        let files = ["chart/values.yaml", "chart/values-staging.yaml", "chart/values-prod.yaml", "chart/Chart.yaml"];
        let (sets, excluded) = planned(&files, "production", true);
        assert_eq!(sets, [["chart/values.yaml=base", "chart/values-prod.yaml=prod"]]);
        assert_eq!(excluded, ["chart/values-staging.yaml"]);
        // Without a selection, a tree named for no environment with two is compared file by file.
        assert!(planned(&files, "chart", false).0.is_empty());
    }

    #[test]
    fn every_convention_in_its_order() {
        let files = [
            ".env",
            ".env.production",
            ".env.local",
            ".env.production.local",
            ".env.example",
            "src/main/resources/application.yml",
            "src/main/resources/application-prod.yml",
            "src/main/resources/application-kafka.yml",
            "api/appsettings.json",
            "api/appsettings.Production.json",
            "web/config/default.json",
            "web/config/production.yaml",
            "web/config/local.json",
            "web/config/custom-environment-variables.json",
            "chart/values.yaml",
            "chart/production/values.yaml",
        ];
        let (sets, _) = planned(&files, "production", false);
        assert_eq!(
            sets,
            vec![
                vec![
                    ".env=base",
                    ".env.local=local",
                    ".env.production=production",
                    ".env.production.local=production.local"
                ],
                vec!["src/main/resources/application.yml=base", "src/main/resources/application-prod.yml=prod"],
                vec!["api/appsettings.json=base", "api/appsettings.Production.json=Production"],
                vec![
                    "web/config/default.json=base",
                    "web/config/production.yaml=production",
                    "web/config/local.json=local"
                ],
                vec!["chart/values.yaml=base", "chart/production/values.yaml=production"],
            ]
        );
    }

    #[test]
    fn a_tree_for_one_unnamed_environment_takes_its_only_layers() {
        let (sets, _) = planned(&["values.yaml", "values-production.yaml"], "right", false);
        assert_eq!(sets, [["values.yaml=base", "values-production.yaml=production"]]);
        // A production tree with only staging's layer is not merged for production.
        assert!(planned(&["values.yaml", "values-staging.yaml"], "production", false).0.is_empty());
    }

    #[test]
    fn declared_sets_first() {
        let files = ["conf/base.yaml", "conf/prod.yaml", "conf/staging.yaml"];
        let paths: Vec<&Path> = files.iter().map(Path::new).collect();
        let declared =
            [Declared { files: vec!["conf/base.yaml".into(), "conf/{env}.yaml".into()], merge: Merge::Deep }];
        let plan = plan(&paths, Selection { environment: "production", explicit: true }, &declared);
        assert_eq!(plan.sets.len(), 1);
        assert_eq!(plan.sets[0].members, [(0, "base".to_owned()), (1, "prod".to_owned())]);
        assert_eq!(plan.excluded, [2]);
    }

    #[test]
    fn environment_tokens() {
        assert!(names_environment("prod", "production"));
        assert!(names_environment("Production", "production"));
        assert!(names_environment("eu-west", "EU-WEST"));
        assert!(!names_environment("prod-us", "prod-eu"));
        assert!(!names_environment("staging", "production"));
    }
}
