//! Credentials recognised by their value, whatever the setting is called, and masked where they sit.
//!
//! One pass of an Aho-Corasick automaton over the value finds every *anchor* (a token prefix such as
//! `ghp_` or `sk_live_`, `-----BEGIN`, `eyJ`, `://`, `Bearer `, a secret word before `=`…), as
//! gitleaks and trufflehog do (`../shared/CREDENTIALS.md` §3.5, §4); only then does a small
//! validator for that anchor's format look at the text around it. Most values have no anchor and
//! cost one automaton pass. What a validator accepts becomes a span to mask; the rest of the value
//! stays as it is, so `postgres://app:****@db/app` or `Bearer ****` still compares as configuration.
//!
//! Formats, from the scanners' published rule sets (gitleaks, trufflehog, detect-secrets):
//! prefix-anchored tokens (AWS, GitHub, GitLab, Slack, Stripe, Google, SendGrid, Mailgun, npm, PyPI,
//! Docker Hub, Vault, Terraform Cloud, Shopify, New Relic, OpenAI, Anthropic, Hugging Face,
//! Atlassian, Heroku, DigitalOcean, Grafana, age, Azure Entra…), private keys (PEM, OpenSSH, PGP,
//! PuTTY, and PEM wrapped in base64), JWTs (checked by decoding their header), URLs with
//! credentials (password or token in the userinfo, secret query or fragment parameters, webhook
//! paths, JDBC), `Bearer`/`Basic` values, and `name=value` / `name: value` / `"name": "value"` /
//! `--name value` assignments whose name is a secret's (connection strings, properties files,
//! command lines). UUIDs, digests and hostnames match none of these; tokens with no shape of their own
//! are found by their setting's name instead (`names.rs`).

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::SecretRules;
use super::names::{self, Context};

/// What is kept in place of a masked part.
pub(crate) const MASK: &str = "****";

#[derive(Clone, Copy, Debug)]
enum Charset {
    /// `A-Z a-z 0-9`
    Alnum,
    /// Alnum and `_`.
    Word,
    /// Alnum, `-` and `_`.
    Url64,
    /// Alnum, `-`, `_` and `.`.
    Dotted,
    /// Alnum, `+`, `/` and trailing `=`.
    Base64,
    /// `0-9 a-f A-F`.
    Hex,
    /// `A-Z 0-9`.
    Upper,
}

impl Charset {
    fn contains(self, b: u8) -> bool {
        match self {
            Charset::Alnum => b.is_ascii_alphanumeric(),
            Charset::Word => b.is_ascii_alphanumeric() || b == b'_',
            Charset::Url64 => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
            Charset::Dotted => b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.',
            Charset::Base64 => b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=',
            Charset::Hex => b.is_ascii_hexdigit(),
            Charset::Upper => b.is_ascii_uppercase() || b.is_ascii_digit(),
        }
    }
}

/// How an anchor's format is checked.
#[derive(Clone, Copy, Debug)]
enum Check {
    /// A token: the (case-sensitive) prefix, then `min..=max` characters of a charset; the prefix
    /// stays visible (`sk_live_****`), the body is masked.
    Prefix { charset: Charset, min: usize, max: usize },
    /// An AWS access key id: `AKIA` and 16 upper-case letters and digits.
    AwsKeyId,
    /// A marker inside a token (`T3BlbkFJ` in OpenAI keys, `.atlasv1.` in Terraform Cloud tokens):
    /// the whole run of `charset` around it, at least `min` long.
    Infix { charset: Charset, min: usize },
    /// An Azure Entra client secret: `xxxN` before `Q~`, 31 to 34 characters after.
    EntraSecret,
    /// A New Relic license key: 32 hex digits before `FFFFNRAL`.
    NewRelicLicense,
    /// A SendGrid key: `SG.` + 22 + `.` + 43.
    SendGrid,
    /// `-----BEGIN … PRIVATE KEY…-----` to its `-----END …-----`.
    PrivateKey,
    /// A PuTTY key file: to the end of the value.
    PuttyKey,
    /// A JWT (or JWE): base64url parts whose header decodes to a JSON object.
    Jwt,
    /// Base64 that decodes to a JWT or a private key.
    Base64Wrapped,
    /// A URL: userinfo, query and fragment parameters, webhook paths.
    Url,
    /// `jdbc:oracle:thin:user/password@…`.
    OracleJdbc,
    /// `Bearer …`, `Basic …`.
    AuthScheme,
    /// A secret word inside a name that is followed by `=`, `:`, or a space after a `--flag`.
    Assignment,
}

/// Anchors: tokens and structures (matched as written), then words (matched in any case).
const ANCHORS: &[(&str, Check)] = {
    use Charset::*;
    use Check::*;
    const fn p(charset: Charset, min: usize, max: usize) -> Check {
        Prefix { charset, min, max }
    }
    &[
        ("AKIA", AwsKeyId),
        ("ASIA", AwsKeyId),
        ("ABIA", AwsKeyId),
        ("ACCA", AwsKeyId),
        ("ABSK", p(Base64, 100, 400)),
        ("ghp_", p(Word, 30, 255)),
        ("gho_", p(Word, 30, 255)),
        ("ghu_", p(Word, 30, 255)),
        ("ghs_", p(Word, 30, 255)),
        ("ghr_", p(Word, 30, 255)),
        ("github_pat_", p(Word, 30, 255)),
        ("glpat-", p(Dotted, 20, 400)),
        ("gldt-", p(Dotted, 20, 400)),
        ("glrt-", p(Dotted, 20, 400)),
        ("glrtr-", p(Dotted, 20, 400)),
        ("glcbt-", p(Dotted, 20, 400)),
        ("glptt-", p(Dotted, 20, 400)),
        ("glft-", p(Dotted, 20, 400)),
        ("glimt-", p(Dotted, 20, 400)),
        ("glagent-", p(Dotted, 20, 400)),
        ("gloas-", p(Dotted, 20, 400)),
        ("glsoat-", p(Dotted, 20, 400)),
        ("glffct-", p(Dotted, 20, 400)),
        ("glwt-", p(Dotted, 20, 400)),
        ("GR1348941", p(Url64, 20, 64)),
        ("xoxb-", p(Dotted, 20, 400)),
        ("xoxp-", p(Dotted, 20, 400)),
        ("xoxa-", p(Dotted, 20, 400)),
        ("xoxr-", p(Dotted, 20, 400)),
        ("xoxo-", p(Dotted, 20, 400)),
        ("xoxs-", p(Dotted, 20, 400)),
        ("xoxc-", p(Dotted, 20, 400)),
        ("xoxd-", p(Dotted, 20, 400)),
        ("xoxe.", p(Dotted, 20, 400)),
        ("xoxe-", p(Dotted, 20, 400)),
        ("xapp-", p(Dotted, 20, 400)),
        ("sk_live_", p(Alnum, 10, 255)),
        ("rk_live_", p(Alnum, 10, 255)),
        ("sk_test_", p(Alnum, 10, 255)),
        ("rk_test_", p(Alnum, 10, 255)),
        ("sk_prod_", p(Alnum, 10, 255)),
        ("rk_prod_", p(Alnum, 10, 255)),
        ("whsec_", p(Alnum, 20, 255)),
        ("AIza", p(Url64, 35, 35)),
        ("GOCSPX-", p(Url64, 20, 64)),
        ("ya29.", p(Dotted, 20, 4096)),
        ("SG.", SendGrid),
        ("key-", p(Hex, 32, 32)),
        ("npm_", p(Alnum, 36, 36)),
        ("pypi-AgE", p(Url64, 50, 4096)),
        ("dckr_pat_", p(Url64, 20, 64)),
        ("dckr_oat_", p(Url64, 20, 64)),
        ("hvs.", p(Url64, 24, 512)),
        ("hvb.", p(Url64, 24, 512)),
        ("hvr.", p(Url64, 24, 512)),
        (".atlasv1.", Infix { charset: Url64, min: 60 }),
        ("shpat_", p(Hex, 32, 32)),
        ("shpca_", p(Hex, 32, 32)),
        ("shppa_", p(Hex, 32, 32)),
        ("shpss_", p(Hex, 32, 32)),
        ("NRAK-", p(Alnum, 19, 64)),
        ("NRII-", p(Url64, 19, 64)),
        ("NRJS-", p(Alnum, 19, 64)),
        ("NRBR-", p(Alnum, 19, 64)),
        ("FFFFNRAL", NewRelicLicense),
        ("sk-ant-", p(Url64, 40, 255)),
        ("sk-proj-", p(Url64, 40, 255)),
        ("sk-svcacct-", p(Url64, 40, 255)),
        ("sk-admin-", p(Url64, 40, 255)),
        ("sk-", p(Alnum, 32, 255)),
        ("T3BlbkFJ", Infix { charset: Url64, min: 40 }),
        ("hf_", p(Alnum, 30, 64)),
        ("api_org_", p(Alnum, 30, 64)),
        ("ATATT3", p(Url64, 50, 400)),
        ("ATCTT3", p(Url64, 50, 400)),
        ("HRKU-", p(Url64, 40, 80)),
        ("dop_v1_", p(Hex, 64, 64)),
        ("doo_v1_", p(Hex, 64, 64)),
        ("dor_v1_", p(Hex, 64, 64)),
        ("glsa_", p(Word, 32, 64)),
        ("glc_", p(Base64, 32, 2048)),
        ("AGE-SECRET-KEY-1", p(Upper, 50, 80)),
        ("lin_api_", p(Alnum, 32, 64)),
        ("pscale_tkn_", p(Url64, 32, 64)),
        ("pscale_pw_", p(Url64, 32, 64)),
        ("rubygems_", p(Hex, 48, 48)),
        ("Q~", EntraSecret),
        ("-----BEGIN", PrivateKey),
        ("PuTTY-User-Key-File-", PuttyKey),
        ("eyJ", Jwt),
        ("ZXlK", Base64Wrapped),
        ("LS0tLS1CRUdJTi", Base64Wrapped),
        ("://", Url),
        ("jdbc:oracle:", OracleJdbc),
        ("bearer ", AuthScheme),
        ("basic ", AuthScheme),
        ("pass", Assignment),
        ("pwd", Assignment),
        ("secret", Assignment),
        ("token", Assignment),
        ("key", Assignment),
        ("credential", Assignment),
        ("auth", Assignment),
        ("salt", Assignment),
        ("sig", Assignment),
    ]
};

/// Names that are secret in an assignment inside a value even though, as a setting's name, they
/// would not be (connection-string keywords, signatures).
const ASSIGNMENT_NAMES: &[&str] = &[
    "signature",
    "sig",
    "accountkey",
    "sharedaccesskey",
    "sharedaccesssignature",
    "x-amz-signature",
    "x-amz-security-token",
    "x-amz-credential",
    "x-goog-signature",
    "x-goog-credential",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "apikey",
    "api_key",
    "api-key",
    "pwd",
    "pass",
];

/// The anchors' automata: token anchors are matched case-sensitively (a fast search with a
/// prefilter); words (`password`, `Bearer`…) ASCII-case-insensitively, and only in values with a
/// separator or a blank, since an assignment or a header needs one. Each maps its patterns back to
/// [`ANCHORS`].
struct Automata {
    tokens: AhoCorasick,
    token_ids: Vec<usize>,
    words: AhoCorasick,
    word_ids: Vec<usize>,
}

fn is_word_anchor(check: Check) -> bool {
    matches!(check, Check::Assignment | Check::AuthScheme)
}

fn automata() -> Option<&'static Automata> {
    static AUTOMATA: OnceLock<Option<Automata>> = OnceLock::new();
    AUTOMATA
        .get_or_init(|| {
            let build = |words: bool| {
                let ids: Vec<usize> = (0..ANCHORS.len()).filter(|&i| is_word_anchor(ANCHORS[i].1) == words).collect();
                AhoCorasick::builder()
                    .ascii_case_insensitive(words)
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(ids.iter().map(|&i| ANCHORS[i].0))
                    .ok()
                    .map(|automaton| (automaton, ids))
            };
            let (tokens, token_ids) = build(false)?;
            let (words, word_ids) = build(true)?;
            Some(Automata { tokens, token_ids, words, word_ids })
        })
        .as_ref()
}

/// The value with every credential found in it replaced by [`MASK`]; `None` when it holds none.
/// `command_line`: the value is (part of) a command line, where `-pVALUE` is a password too.
pub(crate) fn mask(text: &str, rules: &SecretRules, command_line: bool) -> Option<String> {
    let spans = find(text, rules, command_line);
    if spans.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push_str(MASK);
        at = span.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The spans of `text` that hold credentials, sorted and merged.
pub(crate) fn find(text: &str, rules: &SecretRules, command_line: bool) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    if command_line {
        spans.extend(short_password_flags(text));
    }
    if text.len() < 6 || cannot_hold_credential(text) {
        return spans;
    }
    let Some(automata) = automata() else { return spans };
    let bytes = text.as_bytes();
    let has_separator = bytes.iter().any(|&b| matches!(b, b'=' | b':' | b'<') || b.is_ascii_whitespace());
    let passes: &[(&AhoCorasick, &[usize])] =
        &[(&automata.tokens, &automata.token_ids), (&automata.words, &automata.word_ids)];
    for &(automaton, ids) in &passes[..if has_separator { 2 } else { 1 }] {
        let mut at = 0;
        while let Some(hit) = automaton.find(aho_corasick::Input::new(text).span(at..text.len())) {
            let (start, end) = (hit.start(), hit.end());
            let before = spans.len();
            check_anchor(text, start, end, ids[hit.pattern().as_usize()], rules, &mut spans);
            // Past what was masked; else one byte on, so an anchor inside a failed one is still seen.
            at = if spans.len() > before {
                spans[before..].iter().map(|s| s.end).max().unwrap_or(end).max(start + 1)
            } else {
                start + 1
            };
            if at >= text.len() {
                break;
            }
        }
    }
    merge(spans)
}

/// Runs the validator of anchor `anchor_id` found at `start..end`, adding what it finds to `spans`.
fn check_anchor(
    text: &str,
    start: usize,
    end: usize,
    anchor_id: usize,
    rules: &SecretRules,
    spans: &mut Vec<Range<usize>>,
) {
    let bytes = text.as_bytes();
    {
        let (anchor, check) = ANCHORS[anchor_id];
        let found = match check {
            Check::Prefix { charset, min, max } => prefix(bytes, start, anchor, charset, min, max),
            Check::AwsKeyId => aws_key_id(bytes, start, anchor),
            Check::Infix { charset, min } => infix(bytes, start, end, anchor, charset, min),
            Check::EntraSecret => entra(bytes, start),
            Check::NewRelicLicense => new_relic_license(bytes, start, anchor),
            Check::SendGrid => sendgrid(bytes, start),
            Check::PrivateKey => private_key(text, start),
            Check::PuttyKey => text[start..].starts_with(anchor).then_some(start..text.len()),
            Check::Jwt => jwt(bytes, start),
            Check::Base64Wrapped => base64_wrapped(bytes, start),
            Check::Url => {
                spans.extend(url(text, start, rules).into_iter().flatten().filter(|s| s.start < s.end));
                None
            }
            Check::OracleJdbc => oracle_jdbc(text, end),
            Check::AuthScheme => auth_scheme(bytes, start, end),
            Check::Assignment => assignment(text, start, end, rules),
        };
        spans.extend(found.filter(|span| span.start < span.end));
    }
}

/// Short words, numbers, names and paths (`web-api`, `250m`, `db.internal`, `/data`, `IfNotPresent`):
/// most values of a manifest or a state. Every format above is at least 20 characters long or
/// needs one of `_ : = ~ @ +` or a blank.
fn cannot_hold_credential(text: &str) -> bool {
    text.len() < 20
        && !text.bytes().any(|b| matches!(b, b'_' | b':' | b'=' | b'~' | b'@' | b'+' | b' ' | b'\t' | b'\n' | b'\r'))
}

fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// The end of the run of `charset` that starts at `from`.
fn run_end(bytes: &[u8], from: usize, charset: Charset) -> usize {
    let mut i = from;
    while i < bytes.len() && charset.contains(bytes[i]) {
        i += 1;
    }
    i
}

/// The start of the run of `charset` that ends at `to`.
fn run_start(bytes: &[u8], to: usize, charset: Charset) -> usize {
    let mut i = to;
    while i > 0 && charset.contains(bytes[i - 1]) {
        i -= 1;
    }
    i
}

/// No letter or digit (or `_`) glued to the token's start.
fn boundary_before(bytes: &[u8], start: usize) -> bool {
    start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_')
}

fn prefix(bytes: &[u8], start: usize, anchor: &str, charset: Charset, min: usize, max: usize) -> Option<Range<usize>> {
    let body = start + anchor.len();
    if !bytes[start..].starts_with(anchor.as_bytes()) || !boundary_before(bytes, start) {
        return None;
    }
    if anchor == "sk-" && start > 0 && bytes[start - 1] == b'-' {
        return None;
    }
    let end = run_end(bytes, body, charset);
    let len = end - body;
    // A run of one repeated character is a placeholder (`ghp_xxxx…`), not a token.
    let placeholder = bytes[body..end].windows(2).all(|w| w[0] == w[1]);
    (len >= min && len <= max && !placeholder).then_some(body..end)
}

fn aws_key_id(bytes: &[u8], start: usize, anchor: &str) -> Option<Range<usize>> {
    let body = start + anchor.len();
    let end = body + 16;
    let ok = bytes[start..].starts_with(anchor.as_bytes())
        && boundary_before(bytes, start)
        && end <= bytes.len()
        && bytes[body..end].iter().all(|&b| Charset::Upper.contains(b))
        && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
    ok.then_some(body..end)
}

fn infix(bytes: &[u8], start: usize, end: usize, anchor: &str, charset: Charset, min: usize) -> Option<Range<usize>> {
    if !bytes[start..].starts_with(anchor.as_bytes()) {
        return None;
    }
    let charset_with_dots = |b: u8| charset.contains(b) || b == b'.' || b == b'=';
    let mut from = start;
    while from > 0 && charset_with_dots(bytes[from - 1]) {
        from -= 1;
    }
    let mut to = end;
    while to < bytes.len() && charset_with_dots(bytes[to]) {
        to += 1;
    }
    (to - from >= min && start > from && to > end).then_some(from..to)
}

fn entra(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    if start < 4 || &bytes[start..start + 2] != b"Q~" || !bytes[start - 1].is_ascii_digit() {
        return None;
    }
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || b"_~.".contains(&b);
    if !bytes[start - 4..start - 1].iter().all(|&b| ok_char(b)) || !boundary_before(bytes, start - 4) {
        return None;
    }
    let mut to = start + 2;
    while to < bytes.len() && (ok_char(bytes[to]) || bytes[to] == b'-') {
        to += 1;
    }
    (31..=34).contains(&(to - start - 2)).then_some(start - 4..to)
}

fn new_relic_license(bytes: &[u8], start: usize, anchor: &str) -> Option<Range<usize>> {
    if !bytes[start..].starts_with(anchor.as_bytes()) {
        return None;
    }
    let from = run_start(bytes, start, Charset::Alnum);
    (start - from >= 32).then(|| from..start + anchor.len())
}

fn sendgrid(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    if !bytes[start..].starts_with(b"SG.") || !boundary_before(bytes, start) {
        return None;
    }
    let first = run_end(bytes, start + 3, Charset::Url64);
    if first - (start + 3) < 16 || bytes.get(first) != Some(&b'.') {
        return None;
    }
    let second = run_end(bytes, first + 1, Charset::Url64);
    (second - first > 16).then_some(start + 3..second)
}

/// `-----BEGIN <label>-----` … `-----END <label>-----`, for labels that name a private key.
fn private_key(text: &str, start: usize) -> Option<Range<usize>> {
    let rest = &text[start..];
    if !rest.starts_with("-----BEGIN") {
        return None;
    }
    let label_end = rest[10..].find("-----").map(|i| i + 10)?;
    let label = &rest[10..label_end];
    if !label.contains("PRIVATE KEY") || label.len() > 60 {
        return None;
    }
    let end = match rest[label_end + 5..].find("-----END") {
        Some(i) => {
            let at = label_end + 5 + i + 8;
            match rest[at..].find("-----") {
                Some(j) if j <= 64 => at + j + 5,
                _ => rest.len(),
            }
        }
        None => rest.len(),
    };
    Some(start..start + end)
}

/// A JWT: `eyJ…` parts joined by `.`, three (JWS) or five (JWE), whose header decodes to JSON.
fn jwt(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    if !bytes[start..].starts_with(b"eyJ") || (start > 0 && Charset::Url64.contains(bytes[start - 1])) {
        return None;
    }
    let end = run_end(bytes, start, Charset::Dotted);
    let token = &bytes[start..end];
    let parts: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
    if !(parts.len() == 3 || parts.len() == 5) || parts[0].len() < 10 || parts[1].is_empty() {
        return None;
    }
    let header = decode_base64(parts[0])?;
    (header.first() == Some(&b'{') && (contains(&header, b"\"alg\"") || contains(&header, b"\"enc\"")))
        .then_some(start..end)
}

/// Base64 whose decoded text holds a JWT or a private key.
fn base64_wrapped(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    if start > 0 && Charset::Base64.contains(bytes[start - 1]) {
        return None;
    }
    let end = run_end(bytes, start, Charset::Base64);
    let decoded = decode_base64(&bytes[start..end.min(start + 64 * 1024)])?;
    let secret = contains(&decoded, b"PRIVATE KEY") || (decoded.starts_with(b"eyJ") && decoded.contains(&b'.'));
    secret.then_some(start..end)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Standard or URL-safe base64, padded or not.
pub(crate) fn decode_base64(input: &[u8]) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let trimmed: Vec<u8> = input.iter().copied().filter(|&b| b != b'=' && !b.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in &trimmed {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Query and fragment parameters whose values are credentials (besides secret names).
const URL_PARAMETERS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth",
    "key",
    "apikey",
    "api_key",
    "api-key",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-security-token",
    "x-amz-credential",
    "x-goog-signature",
    "x-goog-credential",
    "code",
    "session",
    "sessionid",
];

/// Characters that end a URL inside a longer text.
fn ends_url(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`' | b',' | b';' | b')' | b']' | b'}')
}

/// Credentials in a URL: a password (or a token) in the userinfo, secret query or fragment
/// parameters, a webhook's secret path.
fn url(text: &str, hit: usize, rules: &SecretRules) -> Option<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    // The scheme: letters, digits, `+ . -`, starting with a letter.
    let scheme_start = run_start(bytes, hit, Charset::Dotted);
    let scheme = &text[scheme_start..hit];
    if scheme.is_empty() || !scheme.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let start = hit + 3;
    // A password may hold `,` `;` `)`…: the URL runs to whitespace or a quote.
    let run = start
        + bytes[start..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b"\"'<>`".contains(&b))
            .unwrap_or(bytes.len() - start);
    let mut spans = Vec::new();
    let authority_end =
        start + bytes[start..run].iter().position(|&b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(run - start);
    let authority = &text[start..authority_end];
    let mut after_authority = authority_end;
    if let Some(at) = authority.rfind('@') {
        let userinfo = &authority[..at];
        match userinfo.find(':') {
            Some(colon) if colon + 1 < userinfo.len() => {
                let password = &userinfo[colon + 1..];
                if !is_placeholder_password(password) {
                    spans.push(start + colon + 1..start + at);
                }
            }
            Some(_) => {}
            None if is_token_user(userinfo) => spans.push(start..start + at),
            None => {}
        }
    } else if let Some(fallback) = password_with_delimiters(text, start, run) {
        // `postgres://app:pa/ss#wd@db:5432/app`: the RFC's authority ends at the `/`, but the `@`
        // followed by a host says where the password ends.
        after_authority = fallback.end
            + 1
            + bytes[fallback.end + 1..run]
                .iter()
                .position(|&b| matches!(b, b'/' | b'?' | b'#'))
                .unwrap_or(run - fallback.end - 1);
        spans.push(fallback);
    }
    let host_end = start + authority.rfind('@').map_or(0, |at| at + 1);
    let host = &text[host_end..authority_end];
    // The path, query and fragment (up to a character that ends the URL in running text).
    let tail_end = after_authority
        + bytes[after_authority..run]
            .iter()
            .position(|&b| ends_url(b) && b != b',' && b != b';')
            .unwrap_or(run - after_authority);
    let tail = &text[after_authority..tail_end];
    spans.extend(webhook_path(host, tail).map(|r| r.start + after_authority..r.end + after_authority));
    for (params_at, _) in tail.match_indices(['?', '#', ';', '&']) {
        let params = &tail[params_at + 1..];
        let pair_end = params.find(['&', '#', ';']).unwrap_or(params.len());
        let pair = &params[..pair_end];
        if let Some((name, value)) = pair.split_once('=')
            && !value.is_empty()
            && is_secret_parameter(name, rules)
        {
            let value_start = after_authority + params_at + 1 + name.len() + 1;
            spans.push(value_start..value_start + value.len());
        }
    }
    Some(spans)
}

/// Where a password that holds `/`, `#` or `?` ends: a `:` after a clean user name, then the last
/// `@` of the run that a host name follows.
fn password_with_delimiters(text: &str, start: usize, run: usize) -> Option<Range<usize>> {
    let region = &text[start..run];
    let colon = region.find(':')?;
    let user = &region[..colon];
    if user.is_empty() && !region.contains('@') || user.contains(['/', '?', '#', '@']) {
        return None;
    }
    // `host:8443/path`: a port, not a password.
    let after = &region[colon + 1..];
    let port_digits = after.bytes().take_while(u8::is_ascii_digit).count();
    if port_digits > 0 && after.as_bytes().get(port_digits).is_none_or(|b| matches!(b, b'/' | b'?' | b'#')) {
        return None;
    }
    let at = region.rfind('@').filter(|&at| at > colon + 1)?;
    let host = &region[at + 1..];
    let host_len = host.bytes().take_while(|b| b.is_ascii_alphanumeric() || b"-._[]".contains(b)).count();
    let host_ok =
        host_len > 0 && host.as_bytes().get(host_len).is_none_or(|b| matches!(b, b':' | b'/' | b'?' | b'#' | b','));
    host_ok.then_some(start + colon + 1..start + at)
}

fn is_placeholder_password(password: &str) -> bool {
    password.bytes().all(|b| b == b'*') || password == "%2A%2A%2A%2A" || password.starts_with("${")
}

/// A URL's user name that is itself a credential: a known token, or a long random-looking string.
fn is_token_user(user: &str) -> bool {
    if user.len() >= 20 && user.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)) {
        let digits = user.bytes().filter(u8::is_ascii_digit).count();
        let letters = user.bytes().filter(u8::is_ascii_alphabetic).count();
        return digits > 0 && letters > 0;
    }
    false
}

fn is_secret_parameter(name: &str, rules: &SecretRules) -> bool {
    if let Some(configured) = rules.configured(name) {
        return configured;
    }
    let lower = name.to_ascii_lowercase();
    URL_PARAMETERS.contains(&lower.as_str()) || names::is_secret(name, Context::Field)
}

/// The secret part of a webhook URL's path (Slack, Discord, Microsoft Teams, and any `/hooks/…`).
fn webhook_path(host: &str, tail: &str) -> Option<Range<usize>> {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let path = &tail[..path_end];
    if host == "hooks.slack.com" || host.ends_with(".webhook.office.com") || host == "hooks.zapier.com" {
        // Everything after the first path segment (`/services/T…/B…/secret`).
        let second = path.get(1..)?.find('/').map(|i| i + 2)?;
        return (second < path.len()).then_some(second..path.len());
    }
    if (host == "discord.com" || host == "discordapp.com" || host.ends_with(".discord.com"))
        && let Some(i) = path.find("/webhooks/")
    {
        let rest = &path[i + 10..];
        let token_at = rest.find('/')? + 1;
        return Some(i + 10 + token_at..path.len());
    }
    // Any other `/hooks/<long token>` or `/webhook(s)/<long token>` segment.
    for marker in ["/hooks/", "/webhooks/", "/webhook/"] {
        if let Some(i) = path.find(marker) {
            let from = i + marker.len();
            let secret = path[from..].split('/').any(|segment| segment.len() >= 20 && is_token_user(segment));
            if secret {
                return Some(from..path.len());
            }
        }
    }
    None
}

/// `jdbc:oracle:thin:user/password@//host:1521/service`.
fn oracle_jdbc(text: &str, anchor_end: usize) -> Option<Range<usize>> {
    let rest = &text[anchor_end..];
    let colon = rest.find(':')?;
    let creds = &rest[colon + 1..];
    let at = creds.find('@')?;
    let slash = creds[..at].find('/')?;
    let start = anchor_end + colon + 1 + slash + 1;
    (slash + 1 < at && !creds[..slash].contains(char::is_whitespace)).then_some(start..anchor_end + colon + 1 + at)
}

/// `Bearer <token>` and `Basic <base64>`.
fn auth_scheme(bytes: &[u8], start: usize, end: usize) -> Option<Range<usize>> {
    if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
        return None;
    }
    let mut from = end;
    while from < bytes.len() && bytes[from] == b' ' {
        from += 1;
    }
    let token68 = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    let mut to = from;
    while to < bytes.len() && token68(bytes[to]) {
        to += 1;
    }
    let token = &bytes[from..to];
    let basic = bytes[start..end].eq_ignore_ascii_case(b"basic ");
    let credential = if basic {
        // `Basic` carries base64 of `user:password`.
        decode_base64(token).is_some_and(|d| d.contains(&b':'))
    } else {
        token.len() >= 20 || token.iter().any(|b| !b.is_ascii_alphabetic())
    };
    (token.len() >= 8 && credential).then_some(from..to)
}

/// `name=value`, `name: value`, `"name": "value"`, `<name>value</name>`, `--name value` and
/// `{"name": "DB_PASSWORD", "value": "…"}`, where the name is a secret's.
fn assignment(text: &str, start: usize, end: usize, rules: &SecretRules) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let name_start = run_start(bytes, start, Charset::Dotted);
    let name_end = run_end(bytes, end, Charset::Dotted);
    let raw_name = &text[name_start..name_end];
    // `https://x-access-token:…@host`: a URL's userinfo, which `url` reads.
    if name_start > 0 && bytes[name_start - 1] == b'/' {
        return None;
    }
    let flag = raw_name.starts_with('-');
    let name = raw_name.trim_start_matches('-');
    if name.is_empty() || !(is_assignment_name(name, rules) || is_name_value_pair(bytes, name_start, name_end)) {
        return None;
    }
    let quoted = name_start > 0 && matches!(bytes[name_start - 1], b'"' | b'\'');
    let mut i = name_end;
    if quoted && bytes.get(i) == Some(&bytes[name_start - 1]) {
        i += 1;
    }
    // `{"name": "DB_PASSWORD", "value": "…"}`: the name is a value, and the next field is the secret.
    if quoted && let Some(value_at) = pair_value(bytes, i) {
        if !is_assignment_name(name, rules) {
            return None;
        }
        return value_span(bytes, value_at);
    }
    if !is_assignment_name(name, rules) {
        return None;
    }
    // `<password>…</password>`
    if name_start > 0 && bytes[name_start - 1] == b'<' && bytes.get(i) == Some(&b'>') {
        let from = i + 1;
        let to = from + text[from..].find('<').unwrap_or(text.len() - from);
        return (to > from).then_some(from..to);
    }
    let blanks = |mut i: usize| {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        i
    };
    let j = blanks(i);
    match bytes.get(j) {
        Some(b'=') | Some(b':') => {
            let mut k = j + 1;
            if bytes.get(j) == Some(&b':') && bytes.get(k) == Some(&b'=') {
                k += 1; // `:=`
            }
            if bytes.get(j) == Some(&b'=') && bytes.get(k) == Some(&b'>') {
                k += 1; // `=>`
            }
            // `key::value` or `http://`: not an assignment.
            if bytes.get(k) == Some(&b':') || bytes.get(k) == Some(&b'/') {
                return None;
            }
            // `host-auth-1:8080`: a host and its port.
            if bytes[j] == b':'
                && k == j + 1
                && bytes.get(k).is_some_and(u8::is_ascii_digit)
                && raw_name.contains(['-', '.'])
            {
                return None;
            }
            value_span(bytes, blanks(k))
        }
        // `--token VALUE`
        Some(_) if flag && j > i && !bytes[j].is_ascii_whitespace() && bytes[j] != b'-' => value_span(bytes, j),
        _ => None,
    }
}

fn is_assignment_name(name: &str, rules: &SecretRules) -> bool {
    if let Some(configured) = rules.configured(name) {
        return configured;
    }
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit(['.', ':']).next().unwrap_or(&lower);
    ASSIGNMENT_NAMES.contains(&last) || names::is_secret(name, Context::Field)
}

/// Whether a quoted name is followed by `, "value":` (a name/value pair written as JSON).
fn is_name_value_pair(bytes: &[u8], name_start: usize, name_end: usize) -> bool {
    name_start > 0
        && matches!(bytes[name_start - 1], b'"' | b'\'')
        && bytes.get(name_end) == Some(&bytes[name_start - 1])
        && pair_value(bytes, name_end + 1).is_some()
}

/// After a quoted name: `, "value": ` → where the value starts.
fn pair_value(bytes: &[u8], mut i: usize) -> Option<usize> {
    let skip = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip(&mut i);
    if bytes.get(i) != Some(&b',') {
        return None;
    }
    i += 1;
    skip(&mut i);
    let rest = &bytes[i..];
    let key_len = ["\"value\"", "\"Value\""].iter().find(|k| rest.starts_with(k.as_bytes()))?.len();
    i += key_len;
    skip(&mut i);
    if bytes.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    skip(&mut i);
    Some(i)
}

/// The value that starts at `i`: quoted (to the closing quote), in ODBC braces, or bare (to a blank,
/// `;`, `,`, `&` or a closing bracket). References (`${DB_PASSWORD}`) and booleans are not secrets.
fn value_span(bytes: &[u8], i: usize) -> Option<Range<usize>> {
    let first = *bytes.get(i)?;
    let span = match first {
        b'"' | b'\'' => {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != first {
                if bytes[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            i + 1..j.min(bytes.len())
        }
        b'{' => {
            let j = bytes[i..].iter().position(|&b| b == b'}').map_or(bytes.len(), |p| i + p);
            i + 1..j
        }
        b'$' if bytes.get(i + 1) == Some(&b'{') => {
            let j = bytes[i..].iter().position(|&b| b == b'}').map_or(bytes.len(), |p| i + p + 1);
            i..j
        }
        _ => {
            let j = bytes[i..]
                .iter()
                .position(|&b| {
                    b.is_ascii_whitespace()
                        || matches!(b, b';' | b',' | b'&' | b'"' | b'\'' | b')' | b']' | b'}' | b'<')
                })
                .map_or(bytes.len(), |p| i + p);
            i..j
        }
    };
    let value = std::str::from_utf8(&bytes[span.clone()]).ok()?;
    (!value.is_empty() && !super::is_reference(value) && !super::is_flag_word(value)).then_some(span)
}

/// `-pSECRET` on a command line (MySQL's password option), not `-p8080` or `-print`.
fn short_password_flags(text: &str) -> Vec<Range<usize>> {
    const NOT_PASSWORDS: &[&str] = &[
        "rint", "rune", "ath", "erm", "ort", "rofile", "reset", "arallel", "retty", "ush", "ull", "atch", "lain",
        "ipe", "id", "ython", "ython3",
    ];
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut end = i;
        while start < end && matches!(bytes[start], b'"' | b'\'') {
            start += 1;
        }
        while end > start && matches!(bytes[end - 1], b'"' | b'\'') {
            end -= 1;
        }
        let token = &text[start..end];
        let Some(value) = token.strip_prefix("-p") else { continue };
        let ordinary = value.is_empty()
            || value.bytes().all(|b| b.is_ascii_digit())
            || NOT_PASSWORDS.contains(&value)
            || value.starts_with(['=', '-']);
        if !ordinary {
            out.push(start + 2..end);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> Option<String> {
        mask(text, &SecretRules::default(), false)
    }

    #[test]
    fn tokens_by_prefix() {
        let fake = "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"; // 36 characters, made up
        for (token, shown) in [
            (format!("ghp_{fake}"), "ghp_****"),
            (format!("github_pat_{fake}_{fake}"), "github_pat_****"),
            (format!("sk_live_{}", &fake[..24]), "sk_live_****"),
            (format!("xoxb-123456789012-1234567890123-{}", &fake[..24]), "xoxb-****"),
            ("AKIAIOSFODNN7EXAMPLE".to_owned(), "AKIA****"),
            (format!("glpat-{}", &fake[..20]), "glpat-****"),
            (format!("AIza{}", &fake[..35].replace('A', "_")), "AIza****"),
            (format!("npm_{fake}"), "npm_****"),
        ] {
            assert_eq!(masked(&token).as_deref(), Some(shown), "{token}");
            assert_eq!(masked(&format!("x {token} y")).as_deref(), Some(format!("x {shown} y").as_str()));
        }
    }

    #[test]
    fn jwts_and_keys() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXItMDAwMCJ9.c2lnbmF0dXJlLWZha2U";
        assert_eq!(masked(jwt).as_deref(), Some(MASK));
        assert_eq!(masked(&format!("Bearer {jwt}")).as_deref(), Some("Bearer ****"));
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEfake\n-----END RSA PRIVATE KEY-----";
        assert_eq!(masked(&format!("a\n{pem}\nb")).as_deref(), Some("a\n****\nb"));
        let escaped = "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEfake\\n-----END PRIVATE KEY-----\\n\"}";
        assert!(!masked(escaped).unwrap_or_default().contains("MIIE"));
        assert_eq!(masked("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), None);
    }

    #[test]
    fn urls() {
        for (url, shown) in [
            ("postgres://app:hunter2@db:5432/app", "postgres://app:****@db:5432/app"),
            ("postgres://app:pa/ss#wd@db.internal:5432/app", "postgres://app:****@db.internal:5432/app"),
            ("redis://:hunter2@cache:6379", "redis://:****@cache:6379"),
            (
                "https://api.example.com/cb#access_token=abc123&state=x",
                "https://api.example.com/cb#access_token=****&state=x",
            ),
            ("jdbc:postgresql://db/app?user=app&password=hunter2", "jdbc:postgresql://db/app?user=app&password=****"),
            (
                "jdbc:sqlserver://db:1433;databaseName=x;user=app;password=hunter2;encrypt=true",
                "jdbc:sqlserver://db:1433;databaseName=x;user=app;password=****;encrypt=true",
            ),
            ("jdbc:oracle:thin:app/hunter2@//db:1521/svc", "jdbc:oracle:thin:app/****@//db:1521/svc"),
            ("https://x-access-token:abc123def@github.com/o/r.git", "https://x-access-token:****@github.com/o/r.git"),
            ("https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/42", "https://****@o1.ingest.sentry.io/42"),
            (
                "https://hooks.slack.com/services/T0000/B0000/XXXXabcdXXXXabcdXXXXabcd",
                "https://hooks.slack.com/services/****",
            ),
            ("a://u:p1@h1, b://u:p2@h2", "a://u:****@h1, b://u:****@h2"),
        ] {
            assert_eq!(masked(url).as_deref(), Some(shown), "{url}");
        }
        for plain in [
            "https://example.com/a?b=c",
            "ssh://git@github.com/o/r",
            "https://host:8443/path/@scope/pkg",
            "https://user@example.com/",
            "git@github.com:org/repo.git",
        ] {
            assert_eq!(masked(plain), None, "{plain}");
        }
    }

    #[test]
    fn assignments() {
        for (text, shown) in [
            ("spring.datasource.password=hunter2\nurl=x", "spring.datasource.password=****\nurl=x"),
            ("Server=db;User Id=app;Password='p;q7';Trust=True", "Server=db;User Id=app;Password='****';Trust=True"),
            ("{\"password\": \"hunter2\", \"user\": \"app\"}", "{\"password\": \"****\", \"user\": \"app\"}"),
            ("{\"name\":\"DB_PASSWORD\",\"value\":\"hunter2\"}", "{\"name\":\"DB_PASSWORD\",\"value\":\"****\"}"),
            ("--db-password=hunter2", "--db-password=****"),
            ("app --token abc123 --verbose", "app --token **** --verbose"),
            (
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc+def==;EndpointSuffix=x",
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=****;EndpointSuffix=x",
            ),
            ("<password>hunter2</password>", "<password>****</password>"),
        ] {
            assert_eq!(masked(text).as_deref(), Some(shown), "{text}");
        }
        for plain in [
            "password_min_length=8",
            "token_ttl: 3600",
            "DB_PASSWORD=${DB_PASSWORD}",
            "primary_key=id",
            "monkey=banana",
            "the token expired",
            "keys: [a, b]",
        ] {
            assert_eq!(masked(plain), None, "{plain}");
        }
        assert_eq!(
            mask("mysql -u root -phunter2 db", &SecretRules::default(), true).as_deref(),
            Some("mysql -u root -p**** db")
        );
        assert_eq!(mask("nc -p8080 host", &SecretRules::default(), true), None);
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        for plain in [
            "550e8400-e29b-41d4-a716-446655440000",
            "9fceb02d0ae598e95dc970b74767f19372d61af8",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "registry.example.com/team/api:1.4.2",
            "db.production.internal",
            "arn:aws:iam::123456789012:role/app",
            "AIDAIOSFODNN7EXAMPLE",
            "pk_live_abcdefghijklmnopqrstuvwx",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "this is a basic setting",
        ] {
            assert_eq!(masked(plain), None, "{plain}");
        }
    }
}
