//! Rules of one kind, matched against a finding's entity and path in time that does not grow with
//! the number of rules: globs without a wildcard are looked up by hash, the distinct wildcard globs
//! are one regex set, and a rule matches when both its globs do.

use regex::{RegexSet, RegexSetBuilder};
use rustc_hash::FxHashMap;

use crate::model::Domain;
use crate::report::{Category, FindingKind};

/// The memory the wildcard globs of one side may compile to.
const WILD_SIZE: usize = 32 << 20;

/// What a rule is selected by besides its globs.
#[derive(Clone, Debug)]
pub(crate) struct Selector {
    pub(crate) domain: Option<Domain>,
    pub(crate) category: Option<Category>,
    pub(crate) change: Option<FindingKind>,
    /// More literal characters in the globs: a more specific rule.
    pub(crate) specificity: usize,
    /// The entity and path globs as written (none: any), for `drift explain`.
    pub(crate) globs: (Option<String>, Option<String>),
}

/// A compiled glob: a text to equal, or an anchored regex (wildcards).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pattern {
    Exact(String),
    Regex(String),
}

/// One side (entities or paths) of every rule of a set.
#[derive(Clone, Debug)]
struct Matcher {
    /// Rules whose glob is this exact text.
    exact: FxHashMap<String, Vec<usize>>,
    /// The distinct wildcard globs.
    wild: RegexSet,
    /// The rules of each wildcard glob.
    wild_rules: Vec<Vec<usize>>,
    /// Each rule's glob: `Ok(text)` exact, `Err(index)` into `wild`.
    of_rule: Vec<Result<String, usize>>,
}

/// The globs of one side that match a text.
struct Hits<'m> {
    matcher: &'m Matcher,
    exact: &'m [usize],
    wild: Vec<usize>,
    matched: Vec<bool>,
    text: &'m str,
}

impl Hits<'_> {
    /// How many rules matched.
    fn count(&self) -> usize {
        self.exact.len() + self.wild.iter().map(|&w| self.matcher.wild_rules[w].len()).sum::<usize>()
    }

    /// The rules that matched.
    fn rules(&self) -> impl Iterator<Item = usize> + '_ {
        self.exact.iter().copied().chain(self.wild.iter().flat_map(|&w| self.matcher.wild_rules[w].iter().copied()))
    }

    /// Whether rule `i` matched.
    fn has(&self, i: usize) -> bool {
        match &self.matcher.of_rule[i] {
            Ok(text) => text == self.text,
            Err(w) => self.matched[*w],
        }
    }
}

impl Matcher {
    fn new(patterns: Vec<Pattern>) -> Result<Matcher, regex::Error> {
        let mut exact: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut wild_index: FxHashMap<String, usize> = FxHashMap::default();
        let mut wild_rules: Vec<Vec<usize>> = Vec::new();
        let mut wild_texts: Vec<String> = Vec::new();
        let mut of_rule = Vec::with_capacity(patterns.len());
        for (i, pattern) in patterns.into_iter().enumerate() {
            match pattern {
                Pattern::Exact(text) => {
                    exact.entry(text.clone()).or_default().push(i);
                    of_rule.push(Ok(text));
                }
                Pattern::Regex(re) => {
                    let w = *wild_index.entry(re.clone()).or_insert_with(|| {
                        wild_texts.push(re);
                        wild_rules.push(Vec::new());
                        wild_rules.len() - 1
                    });
                    wild_rules[w].push(i);
                    of_rule.push(Err(w));
                }
            }
        }
        // Thousands of wildcard globs compile to one automaton: allow it more than the default
        // 10 MB, within reason.
        let wild = RegexSetBuilder::new(wild_texts).size_limit(WILD_SIZE).dfa_size_limit(WILD_SIZE).build()?;
        Ok(Matcher { exact, wild, wild_rules, of_rule })
    }

    fn hits<'m>(&'m self, text: &'m str) -> Hits<'m> {
        let exact = self.exact.get(text).map_or(&[][..], Vec::as_slice);
        let set = self.wild.matches(text);
        let wild: Vec<usize> = set.iter().collect();
        let mut matched = vec![false; self.wild_rules.len()];
        for &w in &wild {
            matched[w] = true;
        }
        Hits { matcher: self, exact, wild, matched, text }
    }
}

/// Rules of one kind with their globs compiled, so that a finding is matched against all of them
/// at once.
#[derive(Clone, Debug)]
pub(crate) struct RuleSet<T> {
    pub(crate) rules: Vec<(Selector, T)>,
    entities: Matcher,
    paths: Matcher,
}

impl<T> RuleSet<T> {
    pub(crate) fn new(
        rules: Vec<(Selector, T)>,
        entity_globs: Vec<Pattern>,
        path_globs: Vec<Pattern>,
    ) -> Result<Self, regex::Error> {
        Ok(RuleSet { rules, entities: Matcher::new(entity_globs)?, paths: Matcher::new(path_globs)? })
    }

    /// The rules whose globs and fields match, most specific first.
    pub(crate) fn matching(
        &self,
        entity: &str,
        path: &str,
        domain: Domain,
        category: Category,
        change: FindingKind,
    ) -> Vec<&(Selector, T)> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let entities = self.entities.hits(entity);
        if entities.count() == 0 {
            return Vec::new();
        }
        let paths = self.paths.hits(path);
        // Walk the side with fewer hits; ask the other side about each.
        let mut ids: Vec<usize> = if entities.count() <= paths.count() {
            entities.rules().filter(|&i| paths.has(i)).collect()
        } else {
            paths.rules().filter(|&i| entities.has(i)).collect()
        };
        ids.sort_unstable();
        ids.dedup();
        let mut out: Vec<&(Selector, T)> = ids
            .into_iter()
            .map(|i| &self.rules[i])
            .filter(|(s, _)| {
                s.domain.is_none_or(|d| d == domain)
                    && s.category.is_none_or(|c| c == category)
                    && s.change.is_none_or(|c| c == change)
            })
            .collect();
        // Stable: among equally specific rules, the first in the file comes first.
        out.sort_by_key(|r| std::cmp::Reverse(r.0.specificity));
        out
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(specificity: usize) -> Selector {
        Selector { domain: None, category: None, change: None, specificity, globs: (None, None) }
    }

    #[test]
    fn exact_and_wildcard_globs_meet() {
        let any = || Pattern::Regex("^(?s:.*)$".to_owned());
        let set = RuleSet::new(
            vec![(selector(5), "a"), (selector(0), "b"), (selector(3), "c"), (selector(3), "d")],
            vec![Pattern::Exact("env:.env".into()), any(), Pattern::Regex("^(?s:env:[^/]*)$".into()), any()],
            vec![any(), Pattern::Exact("PORT".into()), Pattern::Exact("PORT".into()), Pattern::Exact("HOST".into())],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let names = |path: &str| -> Vec<&str> {
            set.matching("env:.env", path, Domain::Env, Category::Config, FindingKind::Changed)
                .into_iter()
                .map(|r| r.1)
                .collect()
        };
        assert_eq!(names("PORT"), ["a", "c", "b"]);
        assert_eq!(names("HOST"), ["a", "d"]);
        assert!(
            set.matching("k8s:x", "HOST", Domain::K8s, Category::Config, FindingKind::Changed)
                .iter()
                .all(|r| r.1 == "d")
        );
    }
}
