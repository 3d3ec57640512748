//! Values that differ only by the environment's name: `db.staging.internal` → `db.production.internal`,
//! `app-stg` → `app-prod`, `api.staging.example.com` → `api.example.com`.

use crate::environment::Family;

/// A piece of a value: a run of letters, a run of digits, or a run of anything else.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token<'a> {
    Word(&'a str),
    Other(&'a str),
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut last = 0;
    for (start, word) in crate::environment::words(text) {
        if start > last {
            out.push(Token::Other(&text[last..start]));
        }
        out.push(Token::Word(word));
        last = start + word.len();
    }
    if last < text.len() {
        out.push(Token::Other(&text[last..]));
    }
    out
}

fn names(family: &Family, token: Token<'_>) -> bool {
    matches!(token, Token::Word(w) if family.tokens.iter().any(|t| t.eq_ignore_ascii_case(w)))
}

/// Whether `left` becomes `right` by swapping the left environment's tokens for the right one's
/// (or by dropping one of them with its separator), with at least one such step.
pub(crate) fn only_environment_differs(left: &str, right: &str, from: &Family, to: &Family) -> bool {
    if left == right || from == to {
        return false;
    }
    let (l, r) = (tokens(left), tokens(right));
    let (mut i, mut j) = (0, 0);
    let mut steps = 0;
    while i < l.len() || j < r.len() {
        match (l.get(i), r.get(j)) {
            (Some(a), Some(b)) if a == b => {
                i += 1;
                j += 1;
            }
            (Some(&a), Some(&b)) if names(from, a) && names(to, b) => {
                i += 1;
                j += 1;
                steps += 1;
            }
            // `api.staging.example.com` → `api.example.com`: the token and the separator after it.
            (Some(&a), _) if names(from, a) && matches!(l.get(i + 1), Some(Token::Other(_)) | None) => {
                i += 2;
                steps += 1;
            }
            (_, Some(&b)) if names(to, b) && matches!(r.get(j + 1), Some(Token::Other(_)) | None) => {
                j += 2;
                steps += 1;
            }
            // `orders-staging` → `orders`: a trailing separator and token.
            (Some(Token::Other(_)), _) if l.get(i + 1).is_some_and(|&a| names(from, a)) && l.len() == i + 2 => {
                i += 2;
                steps += 1;
            }
            (_, Some(Token::Other(_))) if r.get(j + 1).is_some_and(|&b| names(to, b)) && r.len() == j + 2 => {
                j += 2;
                steps += 1;
            }
            _ => return false,
        }
    }
    steps > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::family_of;

    fn check(left: &str, right: &str) -> bool {
        let (Some(from), Some(to)) = (family_of("staging"), family_of("production")) else {
            panic!("families");
        };
        only_environment_differs(left, right, from, to)
    }

    #[test]
    fn swaps() {
        assert!(check("db.staging.internal", "db.production.internal"));
        assert!(check("db.staging.internal", "db.prod.internal"));
        assert!(check("https://stg-api.example.com/v1", "https://prod-api.example.com/v1"));
        assert!(check("STAGING", "PRODUCTION"));
        assert!(check("app_stg1", "app_prd1"));
        assert!(check("api.staging.example.com", "api.example.com"));
        assert!(check("orders-staging", "orders"));
        assert!(check("s3://assets-staging/x", "s3://assets-production/x"));
    }

    #[test]
    fn real_differences() {
        assert!(!check("db.staging.internal", "db.staging.internal"));
        assert!(!check("db.staging.internal", "db2.production.internal"));
        assert!(!check("info", "debug"));
        assert!(!check("staging", "qa"));
        assert!(!check("https://stg.example.com/v1", "https://prod.example.com/v2"));
        assert!(!check("db.production.internal", "db.staging.internal"));
    }
}
