//! Secrets on command lines: in `args`/`command` lists and in scripts held as strings (`sh -c
//! "…"`, `user_data`, a ConfigMap's script).
//!
//! - the word after a flag named like a secret: `--token X`, `-password X`, `--api-key X`;
//! - what the common tools take as a password or token: `redis-cli -a X`, `docker login -p X`,
//!   `sshpass -p X`, `curl -u user:X`, `htpasswd -b FILE USER X`, `vault login X`,
//!   `openssl … -passin pass:X`.
//!
//! Assignments inside a word (`--db-password=X`, `-Dspring.datasource.password=X`,
//! `--from-literal=password=X`) and MySQL's `-pX` are found by `shapes.rs`.

use std::ops::Range;

use super::SecretRules;
use super::names::Context;

/// Words that run the next word as the command (`sudo redis-cli …`).
const PREFIXES: &[&str] = &["sudo", "exec", "env", "time", "nohup", "command", "xargs"];

/// The indexes of the words that are secrets, in a command line given as words. `tool` is the
/// command when the words are its arguments only (Kubernetes `args` with the command apart).
pub(crate) fn secret_words(words: &[&str], tool: Option<&str>, rules: &SecretRules) -> Vec<usize> {
    let mut out = Vec::new();
    let mut tool = tool.map(basename);
    let mut subcommand: Option<&str> = None;
    for (i, word) in words.iter().enumerate() {
        let word = word.trim_matches(['"', '\'']);
        let next = words.get(i + 1).map(|w| w.trim_matches(['"', '\'']));
        let takes_value = next.is_some_and(|n| !n.is_empty() && !n.starts_with('-'));
        if tool.is_none() && !word.starts_with('-') && !word.contains('=') && !PREFIXES.contains(&word) {
            tool = Some(basename(word));
            continue;
        }
        if subcommand.is_none() && !word.starts_with('-') {
            subcommand = Some(word);
        }
        // `--token X`, `-password X`, `--token= X`.
        if let Some(name) = word.strip_prefix('-').map(|w| w.trim_start_matches('-'))
            && let Some(name) = name.strip_suffix('=').or(Some(name)).filter(|n| n.len() > 1 && !n.contains('='))
            && rules.is_secret_in(name, Context::Field)
            && takes_value
        {
            out.push(i + 1);
            continue;
        }
        // `--user admin:X`, `-u admin:X` (not `-u 1000:1000`, a user and a group).
        if matches!(word, "--user" | "--proxy-user" | "-u" | "--basic-auth")
            && let Some((_, password)) = next.and_then(|n| n.split_once(':'))
            && !password.is_empty()
            && !password.bytes().all(|b| b.is_ascii_digit())
        {
            out.push(i + 1);
            continue;
        }
        let tool_takes = match (tool.unwrap_or(""), word) {
            // The arguments of an image's own entrypoint (no command given): `-p`/`-a` with a
            // value that reads as a credential, not a port or a word.
            ("", "-p" | "-a" | "-P") => next.is_some_and(|n| {
                n.len() >= 6
                    && !n.bytes().all(|b| b.is_ascii_digit())
                    && (n.bytes().any(|b| b.is_ascii_digit()) || n.bytes().any(|b| b.is_ascii_uppercase()))
            }),
            ("redis-cli", "-a") => true,
            ("sshpass", "-p") => true,
            ("docker" | "podman" | "nerdctl" | "helm" | "oras" | "skopeo" | "buildah" | "crane", "-p") => {
                subcommand == Some("login") || words.contains(&"login")
            }
            _ => false,
        };
        if tool_takes && takes_value {
            out.push(i + 1);
        }
    }
    out
}

/// The secret parts of the words of a command line: `user:X` after `curl -u` (the password only),
/// `pass:X`, the password of `htpasswd -b`, the token of `vault login`.
fn secret_parts(words: &[(Range<usize>, &str)], rules: &SecretRules) -> Vec<Range<usize>> {
    let texts: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
    let mut out: Vec<Range<usize>> = secret_words(&texts, None, rules)
        .into_iter()
        .filter(|&i| {
            !matches!(texts.get(i.wrapping_sub(1)), Some(&("-u" | "--user" | "--proxy-user" | "--basic-auth")))
        })
        .map(|i| words[i].0.clone())
        .collect();
    let tool =
        texts.iter().find(|w| !w.starts_with('-') && !w.contains('=') && !PREFIXES.contains(w)).map(|w| basename(w));
    for (i, (range, word)) in words.iter().enumerate() {
        let next = words.get(i + 1);
        match (tool.unwrap_or(""), *word) {
            (_, "-u" | "--user" | "--proxy-user" | "--basic-auth") => {
                if let Some((next_range, next_word)) = next
                    && let Some(colon) = next_word.find(':')
                    && !next_word[colon + 1..].bytes().all(|b| b.is_ascii_digit())
                {
                    out.push(next_range.start + colon + 1..next_range.end);
                }
            }
            ("htpasswd", flag) if flag.starts_with('-') && flag.contains('b') => {
                // `htpasswd -b FILE USER PASSWORD` (`-nb USER PASSWORD`).
                let password = if flag.contains('n') { i + 2 } else { i + 3 };
                if let Some((range, _)) = words.get(password) {
                    out.push(range.clone());
                }
            }
            ("vault", "login") => {
                if let Some((next_range, next_word)) = next
                    && !next_word.starts_with('-')
                    && !next_word.contains('=')
                {
                    out.push(next_range.clone());
                }
            }
            _ => {}
        }
        if let Some(rest) = word.strip_prefix("pass:").filter(|r| !r.is_empty()) {
            out.push(range.end - rest.len()..range.end);
        }
    }
    out
}

/// The spans of a script's secrets: each command of it (split at `;`, `&&`, `||`, `|` and line
/// ends) is read as a command line.
pub(crate) fn spans(text: &str, rules: &SecretRules) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut words: Vec<(Range<usize>, &str)> = Vec::new();
    // The word `echo` printed into a pipe, for `echo X | docker login --password-stdin`.
    let mut echoed: Option<Range<usize>> = None;
    let mut i = 0;
    loop {
        // Every ASCII space but the newline, which ends a command (the word loop below stops at
        // each of them: a form feed skipped by neither looped forever, found by the fuzzer).
        while i < bytes.len() && bytes[i] != b'\n' && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let end_of_command = i >= bytes.len() || matches!(bytes[i], b'\n' | b';' | b'|' | b'&' | b'(' | b')' | b'`');
        if end_of_command {
            out.extend(secret_parts(&words, rules));
            if let Some(range) = echoed.take()
                && words.iter().any(|(_, w)| w.ends_with("-stdin") && (w.contains("pass") || w.contains("token")))
            {
                out.push(range);
            }
            let pipe = i < bytes.len() && bytes[i] == b'|' && bytes.get(i + 1) != Some(&b'|');
            if pipe && matches!(words.first().map(|(_, w)| *w), Some("echo" | "printf")) {
                echoed = words.last().map(|(r, _)| r.clone());
            }
            words.clear();
            if i >= bytes.len() {
                break;
            }
            i += 1;
            continue;
        }
        let start = i;
        let quote = matches!(bytes[i], b'"' | b'\'').then_some(bytes[i]);
        if let Some(q) = quote {
            i += 1;
            while i < bytes.len() && bytes[i] != q {
                i += 1;
            }
            let inner = start + 1..i.min(bytes.len());
            if let Some(word) = text.get(inner.clone()) {
                words.push((inner, word));
            }
            i = (i + 1).min(bytes.len());
        } else {
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && !matches!(bytes[i], b';' | b'|' | b'&' | b')' | b'`')
            {
                i += 1;
            }
            if i == start {
                // Not a word's first byte (cannot happen after the loops above): step over it, so
                // that every turn of the outer loop moves forward.
                i += 1;
                continue;
            }
            if let Some(word) = text.get(start..i) {
                words.push((start..i, word));
            }
        }
    }
    out
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mut out = text.to_owned();
        let mut spans = spans(text, &SecretRules::default());
        spans.sort_by_key(|s| std::cmp::Reverse(s.start));
        for span in spans {
            out.replace_range(span, "****");
        }
        out
    }

    #[test]
    fn scripts() {
        for (text, shown) in [
            ("redis-cli -a hunter2 ping", "redis-cli -a **** ping"),
            ("curl -u admin:hunter2 https://x", "curl -u admin:**** https://x"),
            ("echo $X | docker login -p hunter2 registry", "echo $X | docker login -p **** registry"),
            ("sshpass -p 'hunter2' ssh host", "sshpass -p '****' ssh host"),
            ("htpasswd -b /etc/htpasswd admin hunter2", "htpasswd -b /etc/htpasswd admin ****"),
            ("vault login s.hunter2token", "vault login ****"),
            ("app --api-key hunter2 --verbose", "app --api-key **** --verbose"),
            ("openssl pkcs12 -passin pass:hunter2 -in x", "openssl pkcs12 -passin pass:**** -in x"),
            ("echo hunter2 | docker login --password-stdin -u me", "echo **** | docker login --password-stdin -u me"),
            ("app --user admin:hunter2", "app --user admin:****"),
            ("docker run -u 1000:1000 img", "docker run -u 1000:1000 img"),
            ("sudo redis-cli -a hunter2", "sudo redis-cli -a ****"),
            // Every ASCII space separates words (a form feed looped forever, found by the fuzzer).
            ("redis-cli\x0c-a\x0chunter2", "redis-cli\x0c-a\x0c****"),
            ("check -h\x0c\x0c\x0cx\x0b y", "check -h\x0c\x0c\x0cx\x0b y"),
        ] {
            assert_eq!(masked(text), shown, "{text}");
        }
        for plain in ["ls -a /tmp", "psql -p 5432 -h db", "nc -p 8080 host", "tar -a -cf x.tgz ."] {
            assert_eq!(masked(plain), plain);
        }
    }

    #[test]
    fn argument_lists() {
        let rules = SecretRules::default();
        assert_eq!(secret_words(&["-a", "hunter2"], Some("redis-cli"), &rules), [1]);
        assert_eq!(secret_words(&["--token", "hunter2", "--x"], None, &rules), [1]);
        assert_eq!(secret_words(&["-a", "all"], Some("ls"), &rules), Vec::<usize>::new());
    }
}
