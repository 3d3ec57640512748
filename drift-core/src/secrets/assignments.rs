//! Secrets assigned to a secret's name inside a larger value: a properties or YAML file in a
//! ConfigMap, a connection string, a JSON document in an annotation, an XML config, a script.
//!
//! - `name=value`, `name: value`, `name := value`, `"name": "value"`, `<name>value</name>`;
//! - `name value` at the start of a line (`requirepass X` in redis.conf, `password X` in a netrc),
//!   after a header directive (`proxy_set_header X-Api-Key X`), and after a flag (`--token X`);
//! - a `{name, value}` pair written out: `{"name": "DB_PASSWORD", "value": "…"}` in either order,
//!   `- name: DB_PASSWORD` / `value: …` in YAML, `<add key="DbPassword" value="…"/>` and
//!   `<entry key="password">…</entry>` in XML.
//!
//! The value runs as its syntax says: to the closing quote (`''` and `\"` escapes kept inside), the
//! closing bracket of an array or braces, the end of a YAML block scalar, the end of the line for a
//! line that is only the assignment, else to a blank, `;`, `&` or a `,` before a blank.

use std::ops::Range;

use super::SecretRules;
use super::names::{self, Context};

/// Names that are secret in an assignment inside a value even though, as a setting's name, they
/// would not be (connection-string keywords, signatures).
const NAMES: &[&str] = &[
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
    "requirepass",
    "masterauth",
    "masterpass",
];

/// Directives whose next word is a header name and the word after it its value.
const HEADER_DIRECTIVES: &[&str] =
    &["proxy_set_header", "add_header", "more_set_headers", "set_header", "requestheader", "header", "grpc_set_header"];

/// Fields that name a `{name, value}` pair's setting.
const PAIR_NAMES: &[&str] = &["name", "key", "attribute", "property", "contextname", "variable"];

fn name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Whether `name` (as written in a value) is a secret's.
pub(crate) fn is_secret_name(name: &str, rules: &SecretRules) -> bool {
    if let Some(configured) = rules.configured(name) {
        return configured;
    }
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit(['.', ':']).next().unwrap_or(&lower);
    NAMES.contains(&last) || names::is_secret(name, Context::Field)
}

/// The secret values assigned to the name around the word anchor at `start..end`.
pub(crate) fn assignment(text: &str, start: usize, end: usize, rules: &SecretRules) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut name_start = start;
    while name_start > 0 && name_char(bytes[name_start - 1]) {
        name_start -= 1;
    }
    let mut name_end = end;
    while name_end < bytes.len() && name_char(bytes[name_end]) {
        name_end += 1;
    }
    // `https://x-access-token:…@host`: a URL's userinfo, which `urls` reads.
    if name_start > 0 && bytes[name_start - 1] == b'/' {
        return None;
    }
    let raw_name = &text[name_start..name_end];
    let flag = raw_name.starts_with('-');
    let name = raw_name.trim_start_matches('-');
    if name.is_empty() || !is_secret_name(name, rules) {
        return None;
    }
    let quote = (name_start > 0 && matches!(bytes[name_start - 1], b'"' | b'\'')).then(|| bytes[name_start - 1]);
    let mut i = name_end;
    if quote.is_some() && bytes.get(i).copied() == quote {
        i += 1;
    }
    // The name is the value of a pair's name field: the secret is the pair's value.
    if pair_name_before(bytes, name_start - usize::from(quote.is_some())) {
        return pair_value(text, name_start, i);
    }
    // `<password>…</password>`
    if name_start > 0 && bytes[name_start - 1] == b'<' && bytes.get(i) == Some(&b'>') {
        let from = i + 1;
        let to = from + text[from..].find('<').unwrap_or(text.len() - from);
        return (to > from).then_some(from..to);
    }
    let j = blanks(bytes, i);
    match bytes.get(j) {
        Some(b'=' | b':') => {
            let mut k = j + 1;
            if bytes.get(j) == Some(&b':') && bytes.get(k) == Some(&b'=') {
                k += 1; // `:=`
            }
            if bytes.get(j) == Some(&b'=') && bytes.get(k) == Some(&b'>') {
                k += 1; // `=>`
            }
            // `key::value`, `http://`, `name==value`: not an assignment.
            if matches!(bytes.get(k), Some(b':' | b'/' | b'=')) {
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
            let whole_line = starts_line(bytes, name_start - usize::from(quote.is_some()));
            value_span(text, blanks(bytes, k), whole_line, line_indent(bytes, name_start))
        }
        // `--token VALUE`, `requirepass VALUE`, `password VALUE` in a netrc, a header's value.
        Some(&b) if j > i && b != b'-' && b != b'\n' && b != b'\r' => {
            let at_line_start = starts_line(bytes, name_start);
            let netrc = name.eq_ignore_ascii_case("password") && text.contains("login ");
            if flag || at_line_start || netrc || after_header_directive(text, name_start) {
                value_span(text, j, at_line_start && !flag, 0)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn blanks(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    i
}

/// Whether only blanks (or a YAML list dash) stand before `at` on its line.
fn starts_line(bytes: &[u8], at: usize) -> bool {
    let mut i = at;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'-') {
        i -= 1;
    }
    i == 0 || bytes[i - 1] == b'\n'
}

fn line_indent(bytes: &[u8], at: usize) -> usize {
    let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    bytes[line_start..].iter().take_while(|&&b| b == b' ').count()
}

/// `proxy_set_header X-Api-Key …`: the word before the name sets a header.
fn after_header_directive(text: &str, name_start: usize) -> bool {
    let before = text[..name_start].trim_end();
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '"' || c == '\'').next().unwrap_or("");
    HEADER_DIRECTIVES.iter().any(|d| word.eq_ignore_ascii_case(d))
}

/// Whether the text before `at` (a name in quotes or bare) is a pair's name field:
/// `name="`, `"key": "`, `- name: `, `key=`.
fn pair_name_before(bytes: &[u8], at: usize) -> bool {
    let mut i = at;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i == 0 || !matches!(bytes[i - 1], b'=' | b':') {
        return false;
    }
    i -= 1;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'"' | b'\'') {
        i -= 1;
    }
    let end = i;
    while i > 0 && bytes[i - 1].is_ascii_alphabetic() {
        i -= 1;
    }
    let word = String::from_utf8_lossy(&bytes[i..end]).to_ascii_lowercase();
    PAIR_NAMES.contains(&word.as_str())
}

/// The value of the pair whose name ends at `after` (its closing quote passed): a `value` field
/// nearby in the same object or element (after the name, or before it in JSON), or an XML
/// element's text (`<entry key="password">…</entry>`).
fn pair_value(text: &str, name_start: usize, after: usize) -> Option<Range<usize>> {
    const WINDOW: usize = 400;
    // Inside an XML tag (`<add key="DbPassword" value="…"/>`, `<entry key="password">…</entry>`):
    // the tag's `value` attribute, else the element's text.
    let line_start = text[..name_start].rfind('\n').map_or(0, |p| p + 1);
    let before = &text[line_start..name_start];
    if before.rfind('<') > before.rfind('>') {
        let tag_end = text[after..].find('>').map_or(text.len(), |p| after + p);
        if let Some(at) = value_field(&text[after..tag_end]) {
            return value_span(text, after + at, false, 0);
        }
        if tag_end < text.len() && !text[..tag_end].ends_with('/') {
            let from = tag_end + 1;
            let to = from + text[from..].find('<').unwrap_or(text.len() - from);
            return (to > from).then_some(from..to);
        }
        return None;
    }
    // Forward, within the object (or the next lines of a YAML list item).
    let window_end = (after + WINDOW).min(text.len());
    let mut forward = &text[after..window_end];
    if let Some(stop) =
        forward.find(['}', ']']).into_iter().chain(forward.find("\n\n")).chain(forward.find("\n- ")).min()
    {
        forward = &forward[..stop];
    }
    if let Some(at) = value_field(forward) {
        return value_span(text, after + at, false, 0);
    }
    // Backward, within the object (`{"value": "…", "name": "DB_PASSWORD"}`).
    let window_start = name_start.saturating_sub(WINDOW);
    let back = &text[window_start..name_start];
    let open = back.rfind('{').map_or(0, |i| i + 1);
    let back = &back[open..];
    value_field(back).and_then(|at| value_span(text, window_start + open + at, false, 0))
}

/// Where the value of a `value` field starts in `text` (`value="`, `"value": `, `value: `).
fn value_field(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices("value").chain(text.match_indices("Value")) {
        if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut i = at + 5;
        if bytes.get(i).is_some_and(|b| matches!(b, b'"' | b'\'')) {
            i += 1;
        }
        let j = blanks(bytes, i);
        if bytes.get(j).is_some_and(|b| matches!(b, b'=' | b':')) {
            return Some(blanks(bytes, j + 1));
        }
    }
    None
}

/// The value that starts at `i`. `whole_line`: the assignment is the whole line (a properties
/// file, YAML), so a bare value runs to the line's end. `indent`: the name's indentation, for a
/// YAML block scalar.
fn value_span(text: &str, i: usize, whole_line: bool, indent: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let first = *bytes.get(i)?;
    let span = match first {
        b'"' | b'\'' => {
            let mut j = i + 1;
            while j < bytes.len() {
                if bytes[j] == b'\\' && first == b'"' {
                    j += 2;
                    continue;
                }
                if bytes[j] == first {
                    // `''` inside single quotes (YAML) is one quote.
                    if first == b'\'' && bytes.get(j + 1) == Some(&b'\'') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            i + 1..j.min(bytes.len())
        }
        b'[' | b'{' => {
            let close = if first == b'[' { b']' } else { b'}' };
            let j = bytes[i..].iter().position(|&b| b == close).map_or(bytes.len(), |p| i + p);
            i + 1..j
        }
        b'$' if bytes.get(i + 1) == Some(&b'{') => {
            let j = bytes[i..].iter().position(|&b| b == b'}').map_or(bytes.len(), |p| i + p + 1);
            i..j
        }
        // A YAML block scalar: the lines indented under the name.
        b'|' | b'>'
            if text[i + 1..]
                .trim_start_matches(['-', '+', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
                .starts_with(['\n', '\r', ' ', '#']) =>
        {
            let line_end = text[i..].find('\n').map_or(text.len(), |p| i + p + 1);
            let mut j = line_end;
            for line in text[line_end..].split_inclusive('\n') {
                let content = line.trim_start_matches(' ');
                if !content.trim().is_empty() && line.len() - content.len() <= indent {
                    break;
                }
                j += line.len();
            }
            line_end..j.max(line_end)
        }
        _ if whole_line => {
            let j = text[i..].find(['\n', '\r']).map_or(text.len(), |p| i + p);
            // A YAML comment after the value.
            let value = &text[i..j];
            let value = value.find(" #").map_or(value, |c| &value[..c]);
            i..i + value.trim_end().len()
        }
        _ => {
            let mut j = i;
            while j < bytes.len() {
                let b = bytes[j];
                let comma_ends = b == b',' && bytes.get(j + 1).is_none_or(|n| n.is_ascii_whitespace() || *n == b'"');
                if b.is_ascii_whitespace()
                    || comma_ends
                    || matches!(b, b';' | b'&' | b'"' | b'\'' | b')' | b']' | b'}' | b'<')
                {
                    break;
                }
                j += 1;
            }
            i..j
        }
    };
    let value = text.get(span.clone())?;
    (!value.trim().is_empty() && !super::is_reference(value) && !super::is_flag_word(value.trim())).then_some(span)
}

/// `.pgpass` lines: `host:port:database:user:password`.
pub(crate) fn pgpass(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.bytes().filter(|&b| b == b':').count() != 4 {
            offset += line.len();
            continue;
        }
        let fields: Vec<&str> = content.split(':').collect();
        let port = fields
            .get(1)
            .is_some_and(|p| *p == "*" || ((2..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())));
        // A host: a name with a dot, `localhost`, `*` or an address (not `sun` of `sun:03:00-sun:04:00`).
        let host = fields.first().is_some_and(|h| *h == "*" || *h == "localhost" || h.contains('.'));
        if fields.len() == 5 && port && host && !content.contains(char::is_whitespace) && !fields[4].is_empty() {
            out.push(offset + content.len() - fields[4].len()..offset + content.len());
        }
        offset += line.len();
    }
    out
}
