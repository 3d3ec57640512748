//! Credentials recognised by their value, whatever the setting is called, and masked where they sit.
//!
//! One pass of an Aho-Corasick automaton over the value finds every *anchor* (a token prefix such as
//! `ghp_` or `sk_live_`, `-----BEGIN`, `eyJ`, `://`, `Bearer `, a secret word before `=`…), as
//! gitleaks and trufflehog do (the project's credential notes, §3.5 and §4; docs/secrets.md); only then does a small
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
    /// Alnum, `-`, `_` and `=`.
    Url64Eq,
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
            Charset::Url64Eq => b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'=',
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
    /// `Bearer …`, `Basic …`, `Token …`, `ApiKey …`, `SSWS …`, `Bot …`.
    AuthScheme,
    /// `user:password@host` without a scheme.
    BareCredentials,
    /// A Twilio API key: `SK` and 32 hex digits.
    TwilioKey,
    /// A Vault legacy token after the anchor's first character: `s.` and 24 random letters and digits.
    VaultLegacy,
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
        ("ghp_", p(Word, 8, 255)),
        ("gho_", p(Word, 8, 255)),
        ("ghu_", p(Word, 8, 255)),
        ("ghs_", p(Word, 8, 255)),
        ("ghr_", p(Word, 8, 255)),
        ("github_pat_", p(Word, 8, 255)),
        ("glpat-", p(Dotted, 8, 400)),
        ("gldt-", p(Dotted, 8, 400)),
        ("glrt-", p(Dotted, 8, 400)),
        ("glrtr-", p(Dotted, 8, 400)),
        ("glcbt-", p(Dotted, 8, 400)),
        ("glptt-", p(Dotted, 8, 400)),
        ("glft-", p(Dotted, 8, 400)),
        ("glimt-", p(Dotted, 8, 400)),
        ("glagent-", p(Dotted, 8, 400)),
        ("gloas-", p(Dotted, 8, 400)),
        ("glsoat-", p(Dotted, 8, 400)),
        ("glffct-", p(Dotted, 8, 400)),
        ("glwt-", p(Dotted, 8, 400)),
        ("GR1348941", p(Url64, 20, 64)),
        ("xoxb-", p(Dotted, 8, 400)),
        ("xoxp-", p(Dotted, 8, 400)),
        ("xoxa-", p(Dotted, 8, 400)),
        ("xoxr-", p(Dotted, 8, 400)),
        ("xoxo-", p(Dotted, 8, 400)),
        ("xoxs-", p(Dotted, 8, 400)),
        ("xoxc-", p(Dotted, 8, 400)),
        ("xoxd-", p(Dotted, 8, 400)),
        ("xoxe.", p(Dotted, 8, 400)),
        ("xoxe-", p(Dotted, 8, 400)),
        ("xapp-", p(Dotted, 8, 400)),
        ("sk_live_", p(Alnum, 8, 255)),
        ("rk_live_", p(Alnum, 8, 255)),
        ("sk_test_", p(Alnum, 8, 255)),
        ("rk_test_", p(Alnum, 8, 255)),
        ("sk_prod_", p(Alnum, 10, 255)),
        ("rk_prod_", p(Alnum, 10, 255)),
        ("whsec_", p(Alnum, 8, 255)),
        ("AIza", p(Url64, 30, 64)),
        ("GOCSPX-", p(Url64, 20, 64)),
        ("ya29.", p(Dotted, 20, 4096)),
        ("SG.", SendGrid),
        ("key-", p(Hex, 32, 32)),
        ("npm_", p(Alnum, 8, 64)),
        ("pypi-AgE", p(Url64, 50, 4096)),
        ("dckr_pat_", p(Url64, 8, 64)),
        ("dckr_oat_", p(Url64, 8, 64)),
        ("hvs.", p(Url64, 24, 512)),
        ("hvb.", p(Url64, 24, 512)),
        ("hvr.", p(Url64, 24, 512)),
        (".atlasv1.", Infix { charset: Url64, min: 60 }),
        ("shpat_", p(Hex, 8, 64)),
        ("shpca_", p(Hex, 8, 64)),
        ("shppa_", p(Hex, 8, 64)),
        ("shpss_", p(Hex, 8, 64)),
        ("NRAK-", p(Alnum, 19, 64)),
        ("NRII-", p(Url64, 19, 64)),
        ("NRJS-", p(Alnum, 19, 64)),
        ("NRBR-", p(Alnum, 19, 64)),
        ("FFFFNRAL", NewRelicLicense),
        ("sk-ant-", p(Url64, 8, 255)),
        ("sk-proj-", p(Url64, 40, 255)),
        ("sk-svcacct-", p(Url64, 40, 255)),
        ("sk-admin-", p(Url64, 40, 255)),
        ("sk-", p(Alnum, 32, 255)),
        ("T3BlbkFJ", Infix { charset: Url64, min: 40 }),
        ("hf_", p(Alnum, 30, 64)),
        ("api_org_", p(Alnum, 30, 64)),
        ("ATATT3", p(Url64Eq, 50, 400)),
        ("ATCTT3", p(Url64Eq, 50, 400)),
        ("HRKU-", p(Url64, 40, 80)),
        ("dop_v1_", p(Hex, 64, 64)),
        ("doo_v1_", p(Hex, 64, 64)),
        ("dor_v1_", p(Hex, 64, 64)),
        ("glsa_", p(Word, 8, 64)),
        ("glc_", p(Base64, 32, 2048)),
        ("AGE-SECRET-KEY-1", p(Upper, 50, 80)),
        ("lin_api_", p(Alnum, 8, 64)),
        ("pscale_tkn_", p(Url64, 32, 64)),
        ("pscale_pw_", p(Url64, 32, 64)),
        ("rubygems_", p(Hex, 48, 48)),
        ("Q~", EntraSecret),
        ("-----BEGIN", PrivateKey),
        ("PuTTY-User-Key-File-", PuttyKey),
        ("eyJ", Jwt),
        ("ewog", Jwt),
        ("ewoi", Jwt),
        ("ewoJ", Jwt),
        ("ew0K", Jwt),
        ("sntrys_", p(Url64Eq, 40, 400)),
        // Vault's legacy service tokens (before `hvs.`), after a blank, `=`, `:` or a quote (a
        // bare `s.` anchor would stop at every `kubernetes.io`); a value that is one is checked
        // apart.
        (" s.", VaultLegacy),
        ("=s.", VaultLegacy),
        (":s.", VaultLegacy),
        ("\"s.", VaultLegacy),
        ("'s.", VaultLegacy),
        ("sntryu_", p(Hex, 64, 64)),
        ("ZXlK", Base64Wrapped),
        ("LS0tLS1CRUdJTi", Base64Wrapped),
        ("://", Url),
        ("@", BareCredentials),
        ("jdbc:oracle:", OracleJdbc),
        ("SK", TwilioKey),
        ("bearer ", AuthScheme),
        ("basic ", AuthScheme),
        ("token ", AuthScheme),
        ("apikey ", AuthScheme),
        ("api-key ", AuthScheme),
        ("ssws ", AuthScheme),
        ("bot ", AuthScheme),
        ("digest ", AuthScheme),
        ("pass", Assignment),
        ("pwd", Assignment),
        ("pw", Assignment),
        ("cred", Assignment),
        ("secret", Assignment),
        ("token", Assignment),
        ("key", Assignment),
        ("credential", Assignment),
        ("auth", Assignment),
        ("salt", Assignment),
        ("sig", Assignment),
    ]
};

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
/// `tool`: the value is (part of) a command line (`Some("")` when the command is unknown), where
/// `-pVALUE` is a password too.
pub(crate) fn mask(text: &str, rules: &SecretRules, tool: Option<&str>) -> Option<String> {
    apply(text, find(text, rules, tool))
}

/// `text` with `spans` (sorted, merged) replaced by [`MASK`]; `None` when there are none.
pub(crate) fn apply(text: &str, spans: Vec<Range<usize>>) -> Option<String> {
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
pub(crate) fn find(text: &str, rules: &SecretRules, tool: Option<&str>) -> Vec<Range<usize>> {
    find_at_depth(text, rules, tool, 0)
}

/// What one pass over a value says about which checks can find anything in it.
struct Profile {
    /// `=`, a blank, `<`, or a `:` before a blank or a quote: what an assignment, a header or a
    /// flag needs (not the colons of an ARN or a URL).
    separator: bool,
    /// One of `_ : = ~ @ +` or a blank: what a short token or a structure needs.
    special: bool,
    /// Only base64 characters (after trimming): a whole-value credential or wrapped text.
    base64: bool,
    upper: bool,
    lower: bool,
    digit: bool,
    colons: usize,
}

/// What each byte says for [`Profile`], one table lookup per byte.
const UPPER: u8 = 1;
const LOWER: u8 = 2;
const DIGIT: u8 = 4;
/// `_ + = ~ @ :` or a blank.
const SPECIAL: u8 = 8;
/// `=`, `<` or a blank (a `:` is decided by its neighbours).
const SEPARATOR: u8 = 16;
/// Not a base64 character (`+ / - _ =` and blanks are, for this purpose).
const NOT_BASE64: u8 = 32;
const COLON: u8 = 64;

const BYTE_CLASS: [u8; 256] = {
    let mut table = [NOT_BASE64; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'A'..=b'Z' => UPPER,
            b'a'..=b'z' => LOWER,
            b'0'..=b'9' => DIGIT,
            b'/' | b'-' => 0,
            b'_' | b'+' => SPECIAL,
            b'=' => SEPARATOR | SPECIAL,
            b':' => COLON | SPECIAL | NOT_BASE64,
            b'<' => SEPARATOR | NOT_BASE64,
            b'~' | b'@' => SPECIAL | NOT_BASE64,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => SEPARATOR | SPECIAL,
            _ => NOT_BASE64,
        };
        b += 1;
    }
    table
};

impl Profile {
    fn of(text: &str) -> Profile {
        let bytes = text.as_bytes();
        let trimmed = text.trim().as_bytes();
        let mut seen = 0u8;
        let mut colons = 0;
        let mut colon_separator = false;
        for (i, &b) in bytes.iter().enumerate() {
            let class = BYTE_CLASS[usize::from(b)];
            seen |= class;
            if class & COLON != 0 {
                colons += 1;
                let quote_before = i > 0 && bytes[i - 1] == b'"';
                let blank_after = bytes.get(i + 1).is_none_or(|n| matches!(n, b' ' | b'\t' | b'"' | b'\''));
                colon_separator |= quote_before || blank_after;
            }
        }
        let mut base64 = !trimmed.is_empty() && seen & NOT_BASE64 == 0;
        if base64 && trimmed.len() != bytes.len() {
            // Blanks only around it: still one value.
            base64 = trimmed.iter().all(|&b| b.is_ascii_alphanumeric() || b"+/=-_".contains(&b));
        }
        Profile {
            separator: seen & SEPARATOR != 0 || colon_separator,
            special: seen & SPECIAL != 0,
            base64,
            upper: seen & UPPER != 0,
            lower: seen & LOWER != 0,
            digit: seen & DIGIT != 0,
            colons,
        }
    }
}

fn find_at_depth(text: &str, rules: &SecretRules, tool: Option<&str>, depth: usize) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    if text.len() < 6 && tool.is_none() {
        return spans;
    }
    let profile = Profile::of(text);
    // MySQL's `-pSECRET`, in a command line or a script that runs it.
    let mysql = tool.is_some_and(|t| t.is_empty() || t.starts_with("mysql") || t.starts_with("mariadb"))
        || (profile.separator && (text.contains("mysql") || text.contains("mariadb")));
    if mysql {
        spans.extend(short_password_flags(text));
    }
    // Short words, numbers, names and paths (`web-api`, `250m`, `db.internal`, `IfNotPresent`):
    // every format is at least 20 characters long, needs one of `_ : = ~ @ +` or a blank, or starts
    // with one of a few prefixes (`xoxb-…`, `glpat-…`).
    const SHORT_TOKENS: &[&str] =
        &["xox", "xapp-", "gl", "GR1348941", "sk-", "key-", "hv", "NR", "HRKU-", "SG.", "eyJ", "GOCSPX-", "ya29."];
    let short = text.len() < 20 && !profile.special && !SHORT_TOKENS.iter().any(|p| text.starts_with(p));
    if text.len() < 6 || short {
        return spans;
    }
    if text.starts_with("s.") {
        spans.extend(vault_legacy(text.as_bytes(), 0));
    }
    let Some(automata) = automata() else { return spans };
    let passes: &[(&AhoCorasick, &[usize])] =
        &[(&automata.tokens, &automata.token_ids), (&automata.words, &automata.word_ids)];
    for &(automaton, ids) in &passes[..if profile.separator { 2 } else { 1 }] {
        let mut at = 0;
        while let Some(hit) = automaton.find(aho_corasick::Input::new(text).span(at..text.len())) {
            let (start, end) = (hit.start(), hit.end());
            check_anchor(text, start, end, ids[hit.pattern().as_usize()], rules, &mut spans);
            // One byte on, so an anchor inside a masked part (`Bearer` after `Authorization:`, a
            // token in a URL's userinfo) is still seen.
            at = start + 1;
            if at >= text.len() {
                break;
            }
        }
    }
    if profile.separator {
        if tool.is_some() || text.starts_with('-') || text.contains(" -") {
            spans.extend(super::command::spans(text, rules));
        }
        // `.pgpass` lines: four colons and no blank on a line (not an ARN, which starts `arn:`).
        if profile.colons >= 4 && !text.starts_with("arn:") {
            spans.extend(super::assignments::pgpass(text));
        }
    }
    if spans.is_empty() && profile.base64 && profile.upper && profile.lower {
        spans.extend(whole_value(text, rules, depth, profile.digit));
    }
    merge(spans)
}

/// Credentials recognisable only as a whole value (of base64 characters, with upper and lower case):
/// an AWS secret access key (40 characters with digits, not hex), an Azure storage key (88 ending
/// `==`), and base64 that decodes to text holding a credential (a service-account JSON, a PEM with a
/// preamble).
fn whole_value(text: &str, rules: &SecretRules, depth: usize, digit: bool) -> Option<Range<usize>> {
    let value = text.trim();
    let offset = text.len() - text.trim_start().len();
    let aws_secret = value.len() == 40 && digit && entropy(value) >= 4.25;
    let azure_key = value.len() == 88 && value.ends_with("==") && digit;
    if aws_secret || azure_key {
        return Some(offset..offset + value.len());
    }
    // Base64 of text that holds a credential (decoded and searched once more, not deeper).
    if depth == 0 && value.len() >= 24 && value.len() <= 64 * 1024 {
        let decoded = decode_base64(value.as_bytes())?;
        let decoded = std::str::from_utf8(&decoded).ok()?;
        let printable = decoded.chars().all(|c| !c.is_control() || c.is_whitespace());
        if printable && !find_at_depth(decoded, rules, None, depth + 1).is_empty() {
            return Some(offset..offset + value.len());
        }
    }
    None
}

/// Shannon entropy of a string, in bits per character.
fn entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in text.bytes() {
        counts[usize::from(b)] += 1;
    }
    let len = text.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| c as f64 / len).map(|p| -p * p.log2()).sum()
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
            spans.extend(super::urls::url(text, start, rules).into_iter().filter(|s| s.start < s.end));
            None
        }
        Check::BareCredentials => super::urls::bare(text, start),
        Check::OracleJdbc => super::urls::oracle_jdbc(text, end),
        Check::TwilioKey => twilio(bytes, start),
        Check::VaultLegacy => vault_legacy(bytes, start + 1),
        Check::AuthScheme => auth_scheme(bytes, start, end),
        Check::Assignment => super::assignments::assignment(text, start, end, rules),
    };
    spans.extend(found.filter(|span| span.start < span.end));
}

/// `Bearer <token>`, `Basic <base64 of user:password>`, `Token …`, `ApiKey …`, `SSWS …`, `Bot …`.
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
    // `Digest username="u", response="…"`: the whole challenge response.
    if bytes[start..end].eq_ignore_ascii_case(b"digest ") {
        let line_end = bytes[from..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |p| from + p);
        let value = &bytes[from..line_end];
        return (value.windows(9).any(|w| w.eq_ignore_ascii_case(b"response="))
            || value.windows(8).any(|w| w.eq_ignore_ascii_case(b"username")))
        .then_some(from..line_end);
    }
    let token = &bytes[from..to];
    let basic = bytes[start..end].eq_ignore_ascii_case(b"basic ");
    let credential = if basic {
        // `Basic` carries base64 of `user:password`.
        decode_base64(token).is_some_and(|d| d.contains(&b':'))
    } else {
        (token.len() >= 20 && token.iter().any(u8::is_ascii_digit))
            || token.iter().filter(|b| !b.is_ascii_alphabetic()).count() >= 2
    };
    (token.len() >= 8 && credential).then_some(from..to)
}

/// A Twilio API key: `SK` and 32 hex digits, on its own.
fn twilio(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    let end = start + 34;
    let ok = bytes[start..].starts_with(b"SK")
        && boundary_before(bytes, start)
        && end <= bytes.len()
        && bytes[start + 2..end].iter().all(u8::is_ascii_hexdigit)
        && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
    ok.then_some(start + 2..end)
}

/// A Vault legacy token at `start`: `s.` and exactly 24 letters and digits of both cases with a
/// digit (gitleaks' allowlist: a letters-only run is code, `s.makeConfig`).
fn vault_legacy(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    let body = start + 2;
    let end = body + 24;
    let token = bytes.get(body..end)?;
    let ok = bytes[start..].starts_with(b"s.")
        && token.iter().all(u8::is_ascii_alphanumeric)
        && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
        && token.iter().any(u8::is_ascii_digit)
        && token.iter().any(u8::is_ascii_uppercase)
        && token.iter().any(u8::is_ascii_lowercase);
    ok.then_some(body..end)
}

pub(crate) fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
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
    if !bytes[start - 4..start - 1].iter().all(|&b| ok_char(b)) {
        return None;
    }
    let mut to = start + 2;
    while to < bytes.len() && (ok_char(bytes[to]) || bytes[to] == b'-') {
        to += 1;
    }
    // The run of the secret's characters before it, so nothing of the secret stays visible.
    let mut from = start - 4;
    while from > 0 && (ok_char(bytes[from - 1]) || bytes[from - 1] == b'-') {
        from -= 1;
    }
    (31..=34).contains(&(to - start - 2)).then_some(from..to)
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
    // `eyJ` is `{"`; a pretty-printed header starts `{` and a line break (`ewo…`, `ew0K…`).
    let head = [&b"eyJ"[..], b"ewo", b"ew0K"].iter().any(|h| bytes[start..].starts_with(h));
    if !head || (start > 0 && Charset::Url64.contains(bytes[start - 1])) {
        return None;
    }
    let end = run_end(bytes, start, Charset::Dotted);
    let token = &bytes[start..end];
    let parts: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
    // A JWS has a payload; a JWE's encrypted key is empty with direct encryption (`alg: dir`).
    let shaped = match parts.len() {
        3 => !parts[1].is_empty(),
        5 => parts[2..].iter().all(|p| !p.is_empty()),
        _ => false,
    };
    if !shaped || parts[0].len() < 10 {
        return None;
    }
    let header = decode_base64(parts[0])?;
    let header = header.trim_ascii_start();
    (header.first() == Some(&b'{') && (contains(header, b"\"alg\"") || contains(header, b"\"enc\"")))
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
        mask(text, &SecretRules::default(), None)
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
            (
                "postgresql+psycopg2://app:Pw9x@/appdb?host=/cloudsql/p:r:i",
                "postgresql+psycopg2://app:****@/appdb?host=/cloudsql/p:r:i",
            ),
            ("redis://:Pw9x@/0", "redis://:****@/0"),
            ("postgres://u:Pw9x@%2Fvar%2Frun%2Fpostgresql/app", "postgres://u:****@%2Fvar%2Frun%2Fpostgresql/app"),
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
            mask("mysql -u root -phunter2 db", &SecretRules::default(), Some("")).as_deref(),
            Some("mysql -u root -p**** db")
        );
        assert_eq!(mask("nc -p8080 host", &SecretRules::default(), Some("")), None);
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
