//! Credentials in URLs and connection addresses: a password or a token in the userinfo (of any
//! scheme, and without one: Go's `user:pass@tcp(db)/app`, a proxy's `user:pass@proxy:3128`,
//! Oracle's `app/pass@//db/svc`), secret query and fragment parameters, webhook paths (Slack,
//! Discord, Teams, Telegram, any `/hooks/<token>`), JDBC's Oracle form.
//!
//! Real configurations break RFC 3986 (a password holding `/`, `#`, `?` or `@`; an Azure user name
//! holding `@`), so the userinfo is not cut at the first `/`: it runs to the last `@` of the address
//! that a host name follows, and the password from the first `:` after the user name.

use std::ops::Range;

use super::SecretRules;
use super::names::{self, Context};

/// Query, path and fragment parameters whose values are credentials (besides names that are).
const PARAMETERS: &[&str] = &[
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
    "hmac",
    "x-amz-signature",
    "x-amz-security-token",
    "x-amz-credential",
    "x-goog-signature",
    "x-goog-credential",
    "code",
    "session",
    "sessionid",
    "sid",
    "jsessionid",
    "phpsessid",
];

/// The end of the address that starts at `start` (after `://`): whitespace, a quote, or a `,` or
/// `;` that starts another URL (`https://a…,https://b…`).
fn address_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() || b"\"'<>`".contains(&b) {
            break;
        }
        if matches!(b, b',' | b';') && starts_url(&text[i + 1..]) {
            break;
        }
        i += 1;
    }
    i
}

/// `scheme://` at the start of `text`.
fn starts_url(text: &str) -> bool {
    let scheme = text.bytes().take_while(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b)).count();
    scheme > 0 && text[scheme..].starts_with("://")
}

/// Credentials in the URL whose `://` is at `hit`.
pub(crate) fn url(text: &str, hit: usize, rules: &SecretRules) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let scheme_start =
        (0..hit).rev().take_while(|&i| bytes[i].is_ascii_alphanumeric() || b"+.-".contains(&bytes[i])).last();
    if scheme_start.is_none_or(|s| !bytes[s].is_ascii_alphabetic()) {
        return Vec::new();
    }
    let start = hit + 3;
    let end = address_end(text, start);
    let mut spans = Vec::new();
    let host_start = userinfo(text, start, end, &mut spans);
    let host_end = host_start + text[host_start..end].find(['/', '?', '#']).unwrap_or(end - host_start);
    let host = &text[host_start..host_end];
    let tail = &text[host_end..end];
    spans.extend(webhook_path(host, tail).map(|r| r.start + host_end..r.end + host_end));
    spans.extend(parameters(tail, host_end, rules));
    spans
}

/// The userinfo of an address that starts at `start`: pushes the password's (and a token user's)
/// span; returns where the host starts.
fn userinfo(text: &str, start: usize, end: usize, spans: &mut Vec<Range<usize>>) -> usize {
    let region = &text[start..end];
    // The last `@` that a host name follows ends the userinfo.
    let Some(at) = region.rmatch_indices('@').map(|(i, _)| i).find(|&i| host_follows(&region[i + 1..])) else {
        // A password with a blank in it (`a://u:pa ss@host`): the `@` is in the next word.
        if let Some(colon) = region.find(':')
            && colon > 0
            && region[..colon].bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.%".contains(&b))
            && !region[colon + 1..].starts_with(|c: char| c.is_ascii_digit())
        {
            let line_end = text[end..].find('\n').map_or(text.len(), |p| end + p);
            let next_word_end = text[end..line_end].trim_start().find(char::is_whitespace).map_or(line_end, |p| {
                let skipped = text[end..line_end].len() - text[end..line_end].trim_start().len();
                end + skipped + p
            });
            if let Some(at) = text[end..next_word_end].find('@').map(|p| end + p)
                && host_follows(&text[at + 1..])
            {
                spans.push(start + colon + 1..at);
            }
        }
        return start;
    };
    let info = &region[..at];
    let (user, password) = match info.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (info, None),
    };
    // A path in the user name, or a port before a path (`https://host:8443/x/@scope`): the `@`
    // belongs to the path.
    let port = password.is_some_and(|p| {
        let digits = p.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && matches!(p.as_bytes().get(digits), Some(b'/' | b'?' | b'#'))
    });
    if user.contains(['/', '?', '#']) || port {
        return start;
    }
    if password.is_some_and(|p| !p.is_empty() && !is_placeholder(p)) {
        spans.push(start + user.len() + 1..start + at);
    }
    // `https://ghp_…@github.com`, `https://TOKEN:x-oauth-basic@…`: the user is the credential.
    if is_token_user(user) {
        spans.push(start..start + user.len());
    }
    start + at + 1
}

/// A host name (or `tcp(`, `[::1]`) at the start of `text`, then the end of the address, a port, a
/// path, a query, a fragment or another host.
fn host_follows(text: &str) -> bool {
    if text.starts_with("tcp(") || text.starts_with("unix(") || text.starts_with("//") {
        return true;
    }
    // A template or a variable as the host (`@{{ .Values.db.host }}`, `@$DB_HOST`, `@${HOST}`,
    // `@%(host)s`, `@#{host}`).
    if ["{{", "${", "$", "%(", "#{"].iter().any(|t| text.starts_with(t)) {
        return true;
    }
    // `%2Fvar%2Frun%2Fpostgresql`: a socket path as the host; an empty host before the path
    // (`postgresql://app:pw@/appdb?host=/cloudsql/…`, `redis://:pw@/0`) is the local socket.
    // An internationalized host name is bytes above ASCII.
    let host =
        text.bytes().take_while(|&b| b.is_ascii_alphanumeric() || b"-._[]%${}".contains(&b) || b >= 0x80).count();
    let after = text.as_bytes().get(host);
    let port = text[host..].strip_prefix(':').is_some_and(|p| p.starts_with(|c: char| c.is_ascii_digit()));
    (host > 0 && after.is_none_or(|b| matches!(b, b':' | b'/' | b'?' | b'#' | b',')))
        || (host == 0 && (after.is_none_or(|b| matches!(b, b'/' | b'?')) || port))
}

fn is_placeholder(password: &str) -> bool {
    password.bytes().all(|b| b == b'*' || b == b'x') || password == "%2A%2A%2A%2A" || super::is_reference(password)
}

/// A URL's user name that is itself a credential: a known token, or a long random-looking string.
pub(crate) fn is_token_user(user: &str) -> bool {
    let ok = user.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b));
    let (upper, lower, digits) = (
        user.bytes().any(|b| b.is_ascii_uppercase()),
        user.bytes().any(|b| b.is_ascii_lowercase()),
        user.bytes().any(|b| b.is_ascii_digit()),
    );
    // A Sentry DSN's key, a hex API key: 16 or more hex digits with letters and digits.
    let hex = user.len() >= 16 && digits && (upper || lower) && user.bytes().all(|b| b.is_ascii_hexdigit());
    ok && ((user.len() >= 20 && digits && (upper || lower)) || (user.len() >= 12 && upper && lower && digits) || hex)
        || super::looks_like_credential(user) && user.len() >= 8
}

/// Secret parameters in a URL's path (`;jsessionid=`), query and fragment. `offset`: where `tail`
/// starts in the text.
fn parameters(tail: &str, offset: usize, rules: &SecretRules) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for (at, _) in tail.match_indices(['?', '#', ';', '&']) {
        let params = &tail[at + 1..];
        let pair_end = params.find(['&', '#', ';']).unwrap_or(params.len());
        if let Some((name, value)) = params[..pair_end].split_once('=')
            && !value.is_empty()
            && is_secret_parameter(name, rules)
        {
            let value_start = offset + at + 1 + name.len() + 1;
            spans.push(value_start..value_start + value.len());
        }
    }
    spans
}

fn is_secret_parameter(name: &str, rules: &SecretRules) -> bool {
    // `api%5Fkey`: the name as the server reads it.
    let decoded;
    let name = if name.contains('%') {
        decoded = percent_decoded(name);
        decoded.as_str()
    } else {
        name
    };
    if let Some(configured) = rules.configured(name) {
        return configured;
    }
    let lower = name.to_ascii_lowercase();
    PARAMETERS.contains(&lower.as_str()) || names::is_secret(name, Context::Field)
}

/// `%XX` escapes decoded (invalid ones kept as written).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'%'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The secret part of a webhook URL's path (Slack, Discord, Microsoft Teams, Telegram, and any
/// `/hooks/…`): offsets into `tail`.
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
    // Telegram's bot API: `/bot<id>:<token>/method`.
    if host == "api.telegram.org"
        && let Some(i) = path.find("/bot")
    {
        let from = i + 4;
        let to = from + path[from..].find('/').unwrap_or(path.len() - from);
        return (to > from).then_some(from..to);
    }
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

/// `user:password@host` without a scheme (Go's MySQL DSN `app:pw@tcp(db:3306)/app`, a proxy
/// `user:pw@proxy:3128`, `//admin:pw@host`) and Oracle's `app/pw@//db:1521/svc`, around the `@`
/// at `at`.
pub(crate) fn bare(text: &str, at: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    if !host_follows(&text[at + 1..]) {
        return None;
    }
    // After the `@`: an image digest (`app:1.2@sha256:…`) is no host.
    if text[at + 1..].starts_with("sha256:") || text[at + 1..].starts_with("sha512:") {
        return None;
    }
    let mut start = at;
    while start > 0 && !bytes[start - 1].is_ascii_whitespace() && !b"\"'<>`=,;(".contains(&bytes[start - 1]) {
        start -= 1;
    }
    let info = &text[start..at];
    // A URL's userinfo (`url` reads it), a JDBC address (`urls::oracle_jdbc`).
    if info.contains("://") || info.starts_with("jdbc:") {
        return None;
    }
    let info_start = start + info.find("//").map_or(0, |i| i + 2);
    let info = &text[info_start..at];
    if let Some(colon) = info.find(':') {
        let user = &info[..colon];
        let plain_user = !user.is_empty()
            && user.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.%".contains(&b))
            && !matches!(user, "mailto" | "tel" | "sip" | "urn" | "xmpp" | "data" | "http" | "https");
        let password = &info[colon + 1..];
        return (plain_user && !password.is_empty() && !is_placeholder(password)).then_some(info_start + colon + 1..at);
    }
    // Oracle EZConnect: `user/password@//host`.
    if text[at + 1..].starts_with("//")
        && let Some(slash) = info.find('/')
    {
        return (slash + 1 < info.len()).then_some(info_start + slash + 1..at);
    }
    None
}

/// `jdbc:oracle:thin:user/password@…`, from the end of the `jdbc:oracle:` anchor.
pub(crate) fn oracle_jdbc(text: &str, anchor_end: usize) -> Option<Range<usize>> {
    let rest = &text[anchor_end..];
    let colon = rest.find(':')?;
    let creds = &rest[colon + 1..];
    let at = creds.find('@')?;
    let slash = creds[..at].find('/')?;
    let start = anchor_end + colon + 1 + slash + 1;
    (slash + 1 < at && !creds[..slash].contains(char::is_whitespace)).then_some(start..anchor_end + colon + 1 + at)
}
