//! Which names mark a value secret (`DB_PASSWORD`, `stripeApiKey`, `tls.key`), in every naming style.
//!
//! A name is split into words (`_ - . /` and spaces separate them, and so do camelCase humps:
//! `dbPassword` is `db password`, `APIKey` is `api key`); trailing version words are dropped
//! (`ses_smtp_password_v4`). Then, in order:
//!
//! 1. a word that says the setting is public (`STRIPE_PUBLISHABLE_KEY`, `ssh_public_key`): not secret;
//! 2. a last word that says the setting is *about* a secret (`TOKEN_TTL`, `JWT_SECRET_FILE`,
//!    `secretKeyRef`, `PASSWORD_MIN_LENGTH`, `kms_key_id`): not secret; so is a first word that
//!    counts or refers (`max_tokens`, `existingSecret`);
//! 3. a word holding `password`, `passwd`, `secret`, `token`, `credential`… (`DB_PASSWORD`,
//!    `apitoken`, `GOOGLE_APPLICATION_CREDENTIALS`), or ending the name as `pass`, `pwd`, `salt`,
//!    `auth` (`SMTP_PASS`, `BASIC_AUTH`): secret;
//! 4. `key` as the last word: secret (`API_KEY`, `tls.key`, `ENCRYPTION_KEY`) unless the word before
//!    names a kind of key that is not a credential (`PRIMARY_KEY`, `SORT_KEY`, `partition_key`,
//!    `s3_key`, `routing_key`); a name that is only `key` is secret where it names a setting (a
//!    `.env` line, a ConfigMap key) and not inside structured data (a toleration's `key`).
//!
//! Most names hold none of the trigger fragments; one quick scan rules them out.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::model::Key;

/// A list of words looked up by hash: the long lists are consulted for every new name.
struct WordSet {
    words: &'static [&'static str],
    set: OnceLock<rustc_hash::FxHashSet<&'static str>>,
}

impl WordSet {
    const fn new(words: &'static [&'static str]) -> WordSet {
        WordSet { words, set: OnceLock::new() }
    }

    fn contains(&self, word: &str) -> bool {
        self.set.get_or_init(|| self.words.iter().copied().collect()).contains(word)
    }
}

static ABOUT_LAST_SET: WordSet = WordSet::new(ABOUT_LAST);
static QUALIFIER_SET: WordSet = WordSet::new(QUALIFIERS);
static NOT_SECRET_KEY_SET: WordSet = WordSet::new(NOT_SECRET_KEYS);

/// Whether a (lower-case) word holds a [`STRONG`] fragment: one automaton pass.
fn has_strong_fragment(word: &str) -> bool {
    static STRONG_FRAGMENTS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    match STRONG_FRAGMENTS.get_or_init(|| AhoCorasick::new(STRONG).ok()) {
        Some(automaton) => automaton.is_match(word),
        None => STRONG.iter().any(|s| word.contains(s)),
    }
}

/// Where a name was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// A setting: a `.env` key, a ConfigMap key, a container variable. A bare `KEY` is a secret.
    Setting,
    /// A field of structured data (a manifest, a state, a config file): a bare `key` is an identifier.
    Field,
}

/// Whether a name holds a fragment without which no default rule can call it secret: `pass`, `pw`,
/// `private`, `secret`, `salt`, `token`, `credential`/`creds`, `key`, `auth`, `jwt`, `hmac` (any
/// case). Written
/// out by hand: this runs on every field of every input, and names are short.
pub(crate) fn has_trigger(name: &str) -> bool {
    let bytes = name.as_bytes();
    let at =
        |i: usize, word: &[u8]| bytes.len() >= i + word.len() && bytes[i..i + word.len()].eq_ignore_ascii_case(word);
    // The first two letters of a trigger, as a bit per second letter, by first letter: most bytes
    // of a name are rejected by one lookup.
    let pair = |i: usize| {
        let second = bytes[i + 1] | 0x20;
        TRIGGER_PAIRS[usize::from(bytes[i])] & (1u32 << (second.wrapping_sub(b'a') & 31)) != 0
            && second.is_ascii_lowercase()
    };
    (0..bytes.len().saturating_sub(1)).any(|i| {
        pair(i)
            && match bytes[i].to_ascii_lowercase() {
                b'p' => at(i, b"pass") || at(i, b"pw") || at(i, b"private") || at(i, b"pin"),
                b's' => at(i, b"secret") || at(i, b"salt"),
                b't' => at(i, b"token") || at(i, b"totp"),
                b'o' => at(i, b"otp"),
                b'j' => at(i, b"jaas") || at(i, b"jwt"),
                b'h' => at(i, b"hmac"),
                b'b' => at(i, b"bearer"),
                b'r' => at(i, b"referer"),
                b'c' => at(i, b"cred") || at(i, b"connection"),
                b'k' => at(i, b"key"),
                b'a' => at(i, b"auth"),
                _ => false,
            }
    })
}

/// The triggers of [`has_trigger`], by the first two letters (either case).
const TRIGGER_PAIRS: [u32; 256] = {
    const TRIGGERS: &[&[u8]] = &[
        b"pass",
        b"pw",
        b"private",
        b"pin",
        b"secret",
        b"salt",
        b"token",
        b"totp",
        b"otp",
        b"jaas",
        b"jwt",
        b"hmac",
        b"bearer",
        b"referer",
        b"cred",
        b"connection",
        b"key",
        b"auth",
    ];
    let mut table = [0u32; 256];
    let mut t = 0;
    while t < TRIGGERS.len() {
        let (first, second) = (TRIGGERS[t][0], TRIGGERS[t][1]);
        let bit = 1u32 << (second - b'a');
        table[first as usize] |= bit;
        table[first.to_ascii_uppercase() as usize] |= bit;
        t += 1;
    }
    table
};

/// Words (or parts of concatenated words) that make a name secret wherever they stand.
const STRONG: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "secret",
    "token",
    "credential",
    "creds",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "authkey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "jaas",
    "bearer",
];

/// Words that make a name secret only as whole words (`OTP_SEED`, not `CARBON_FOOTPRINT`).
const WHOLE: &[&str] = &["otp", "totp", "hotp"];

/// Words that contain a strong fragment but are about something else.
const STRONG_EXCEPTIONS: &[&str] =
    &["secretary", "secretariat", "tokenizer", "tokenizers", "tokenize", "tokenized", "tokenization", "passthrough"];

/// Last words that make a name secret.
const SECRET_LAST: &[&str] = &["pass", "pwd", "pw", "salt", "auth", "authorization", "pin", "jwt", "hmac"];

/// Last words that say a setting is about a secret, not the secret itself.
const ABOUT_LAST: &[&str] = &[
    "id",
    "ids",
    "arn",
    "arns",
    "url",
    "urls",
    "uri",
    "uris",
    "endpoint",
    "endpoints",
    "host",
    "hosts",
    "hostname",
    "port",
    "path",
    "paths",
    "file",
    "files",
    "filename",
    "dir",
    "directory",
    "ttl",
    "expiry",
    "expires",
    "expire",
    "expiration",
    "timeout",
    "length",
    "len",
    "size",
    "enabled",
    "enable",
    "disabled",
    "required",
    "name",
    "names",
    "header",
    "headers",
    "type",
    "version",
    "count",
    "min",
    "max",
    "limit",
    "seconds",
    "secs",
    "minutes",
    "hours",
    "days",
    "ms",
    "interval",
    "age",
    "lifetime",
    "duration",
    "algorithm",
    "alg",
    "format",
    "mode",
    "ref",
    "refs",
    "env",
    "policy",
    "rotation",
    "location",
    "region",
    "provider",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "prefix",
    "suffix",
    "kind",
    "status",
    "hint",
    "label",
    "labels",
    "description",
    "store",
    "vault",
    "ring",
    "pair",
    "alias",
    "rule",
    "rules",
    "strategy",
    "backend",
    "source",
    "selector",
    "mount",
    "namespace",
    "role",
    "template",
    "class",
    "usage",
    "encoding",
    "generator",
    "user",
    "username",
    "login",
    "email",
    "owner",
    "scheme",
    "unit",
    "units",
    "validity",
    "window",
    "spec",
    "method",
    "methods",
    "flow",
    "flows",
    "option",
    "options",
    "digits",
    "hasher",
    "hashers",
    "complexity",
    "strength",
    "project",
    "capacity",
    "cron",
    "schedule",
];

/// First words that count or refer to secrets (`max_tokens`, `existingSecret`, `use_token`).
const ABOUT_FIRST: &[&str] = &[
    "max", "min", "num", "number", "count", "total", "existing", "use", "enable", "disable", "is", "has", "skip",
    "checksum", "hash",
];

/// Words before `key` that name a kind of key that is not a credential.
const NOT_SECRET_KEYS: &[&str] = &[
    "primary",
    "sort",
    "partition",
    "hash",
    "range",
    "foreign",
    "composite",
    "natural",
    "surrogate",
    "shard",
    "routing",
    "cache",
    "object",
    "s3",
    "idempotency",
    "dedup",
    "dedupe",
    "deduplication",
    "lookup",
    "map",
    "dict",
    "index",
    "unique",
    "row",
    "column",
    "join",
    "message",
    "event",
    "record",
    "order",
    "tag",
    "label",
    "annotation",
    "field",
    "kms",
    "cmk",
    "topology",
    "grouping",
    "bucket",
    "metric",
    "translation",
    "i18n",
    "sequence",
    "sharding",
    "distribution",
    "affinity",
    "selector",
    "targeting",
    "lock",
    "feature",
];

/// Words that say a setting is public (a Stripe publishable key, an SSH public key).
const PUBLIC: &[&str] = &["public", "publishable", "pub"];

/// Whether the default rules call this name secret.
pub(crate) fn is_secret(name: &str, context: Context) -> bool {
    // The common case: no trigger fragment at all.
    if !has_trigger(name) {
        return false;
    }
    cached(name).holds_in(context)
}

/// [`is_secret`] for a map key, with whether the key itself looks like a credential. Cached per
/// thread by the key's text (a key parsed in another file is another allocation).
pub(crate) fn key_verdict(key: &Key, context: Context) -> Verdict {
    const KEY_SLOTS: usize = 1024;
    thread_local! {
        /// A key, what was decided of it, and whether it looks like a credential itself.
        static KEYS: std::cell::RefCell<Vec<Option<(Key, Decision, bool)>>> = std::cell::RefCell::new(vec![None; KEY_SLOTS]);
    }
    use std::hash::BuildHasher;
    let slot = (rustc_hash::FxBuildHasher.hash_one(key.as_str()) >> 32) as usize & (KEY_SLOTS - 1);
    let (decision, credential) = KEYS.with_borrow_mut(|cache| match &cache[slot] {
        Some((cached, decision, credential)) if cached == key => (*decision, *credential),
        _ => {
            let decision = if has_trigger(key) { cached(key) } else { Decision::No };
            // Most keys are words: a token is long and has digits.
            let could_be_token = key.len() >= 16 && key.bytes().any(|b| b.is_ascii_digit());
            let credential = could_be_token && !is_credential_label(key) && super::looks_like_credential(key);
            cache[slot] = Some((key.clone(), decision, credential));
            (decision, credential)
        }
    });
    Verdict { secret: decision.holds_in(context), credential }
}

/// What a map key says of its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The value is secret (`password`).
    pub(crate) secret: bool,
    /// The key itself looks like a credential (a token pasted as a key).
    pub(crate) credential: bool,
}

/// What the default rules say of a name, in either context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    No,
    Yes,
    /// A bare `KEY`: secret among settings (`.env`), not as a field (`metadata.key`).
    SettingOnly,
}

impl Decision {
    fn holds_in(self, context: Context) -> bool {
        match self {
            Decision::No => false,
            Decision::Yes => true,
            Decision::SettingOnly => context == Context::Setting,
        }
    }
}

impl From<bool> for Decision {
    fn from(secret: bool) -> Decision {
        if secret { Decision::Yes } else { Decision::No }
    }
}

/// Slots of each thread's cache of decisions (a power of two).
const SLOTS: usize = 2048;

/// One slot: a name and what was decided of it.
type Slot = Option<(Box<str>, Decision)>;

thread_local! {
    /// Names repeat: a manifest's `secretKeyRef` or a state's `kms_key_id` thousands of times.
    static DECISIONS: std::cell::RefCell<Vec<Slot>> = std::cell::RefCell::new(vec![None; SLOTS]);
}

fn cached(name: &str) -> Decision {
    use std::hash::BuildHasher;
    let slot = (rustc_hash::FxBuildHasher.hash_one(name) >> 32) as usize & (SLOTS - 1);
    DECISIONS.with_borrow_mut(|cache| match &cache[slot] {
        Some((cached, decision)) if &**cached == name => *decision,
        _ => {
            let decision = decide(name);
            cache[slot] = Some((name.into(), decision));
            decision
        }
    })
}

/// The label a credential used as a map key is stored under (`secret:` and its fingerprint, see
/// `rename_credential_keys`). It names nothing: read back from a snapshot, it must not make its
/// value a secret, nor be renamed again (found by the fuzzer: a snapshot did not read back as
/// written).
pub(crate) fn is_credential_label(name: &str) -> bool {
    name.strip_prefix("secret:").is_some_and(|fp| fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn decide(name: &str) -> Decision {
    if is_credential_label(name) {
        return Decision::No;
    }
    let lower: String;
    let owned: Vec<String>;
    let words: Vec<&str> = if name.is_ascii() {
        // One lower-case copy and slices of it: this runs for every new name with a trigger.
        lower = name.to_ascii_lowercase();
        ascii_word_ranges(name.as_bytes()).map(|r| &lower[r]).collect()
    } else {
        owned = words(name);
        owned.iter().map(String::as_str).collect()
    };
    // `accounts-auth-896-0`, `db.auth.1.2`: a host or an instance, not a setting.
    let hostlike = name.contains(['-', '.']) && !name.contains('_');
    if REFERENCE_NAMES.iter().any(|r| ends_with_joined(&words, r)) {
        return Decision::No;
    }
    // A Kubernetes annotation that names a Secret object (`nginx.ingress.kubernetes.io/auth-secret`).
    if name.contains('/') && words.last().is_some_and(|w| *w == "secret" || *w == "secrets") {
        return Decision::No;
    }
    // `auth.existingSecret`, `limits.maxTokens`: the last segment counts or refers.
    if let Some(segment) = name.rsplit(['.', '/']).next().filter(|s| s.len() < name.len()) {
        let segment = self::words(segment);
        if segment.len() > 1 && matches!(segment[0].as_str(), "existing" | "max" | "min" | "num" | "count" | "total") {
            return Decision::No;
        }
    }
    decide_words(words, hostlike, name.contains('/'))
}

/// Whether the words, joined, end with `suffix` (without joining them).
fn ends_with_joined(words: &[&str], suffix: &str) -> bool {
    let mut rest = suffix;
    for word in words.iter().rev() {
        if rest.is_empty() {
            return true;
        }
        if word.len() >= rest.len() {
            return word.ends_with(rest);
        }
        match rest.strip_suffix(word) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Names (words joined, lower case) that hold the name of a key or a Secret, not a secret: the Helm
/// charts' conventions (`adminPasswordKey: admin-password`, `passwordSecretKey`, `secretKeys`).
const REFERENCE_NAMES: &[&str] = &["passwordkey", "tokenkey", "passwordsecretkey", "secretkeys", "existingsecretkey"];

/// Words after the secret word that qualify it (`API_KEY_OLD`, `SMTP_PASS_PROD`, `DB_PWD_PRIMARY`).
const QUALIFIERS: &[&str] = &[
    "old",
    "new",
    "live",
    "test",
    "prod",
    "production",
    "staging",
    "stage",
    "stg",
    "dev",
    "development",
    "qa",
    "uat",
    "primary",
    "secondary",
    "backup",
    "current",
    "curr",
    "previous",
    "prev",
    "next",
    "private",
    "main",
    "legacy",
    "rotated",
    "temp",
    "tmp",
    "local",
    "alt",
    "b64",
    "base64",
    "hex",
    "encoded",
    "value",
    "val",
    "raw",
];

/// Words that make a whole name about something else (a checksum of a Secret, the Vault agent's
/// injection annotations).
const ABOUT_ANYWHERE: &[&str] = &["checksum", "digest", "sha256"];

fn decide_words(mut words: Vec<&str>, hostlike: bool, slashed: bool) -> Decision {
    // Versions, counters, dates and qualifiers after the secret word (`password_v4`,
    // `JWT_SECRET_2024_01`, `API_KEY_OLD`); a name that ends in several numbers and reads like a
    // host is one (`accounts-auth-896-0`).
    let mut numbers = 0;
    // `WEBHOOK_SIGNING_KEY_SHA256`: the algorithm after a secret word qualifies it.
    if words.len() > 2
        && words.last().is_some_and(|w| matches!(*w, "sha256" | "sha1" | "sha512" | "hmac256"))
        && words.get(words.len() - 2).is_some_and(|w| matches!(*w, "key" | "secret" | "token"))
    {
        words.pop();
    }
    while words.len() > 1 && words.last().is_some_and(|w| is_version_word(w) || QUALIFIER_SET.contains(w)) {
        numbers += usize::from(words.last().is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit())));
        words.pop();
    }
    if numbers >= 2 && hostlike {
        return Decision::No;
    }
    let Some(&last) = words.last() else { return Decision::No };
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Decision::No;
    }
    // A public key (`ssh_public_key`, `PUBKEY`, `vapid.pub`), not `MQTT_PUB_PASSWORD` (publish).
    let public = words.iter().enumerate().any(|(i, w)| {
        matches!(*w, "public" | "publishable")
            || (*w == "pub" && (i + 1 == words.len() || words.get(i + 1).is_some_and(|n| *n == "key" || *n == "keys")))
            || *w == "pubkey"
    });
    // A checksum of a Secret (`checksum/secret`, `config_sha256`), not a secret used for hashing
    // (`HASH_SALT`, `SHA256_HMAC_SECRET`, `DIGEST_AUTH_PASSWORD`).
    let about_anywhere = ABOUT_ANYWHERE.contains(&last) || (slashed && ABOUT_ANYWHERE.contains(&words[0]));
    if public || about_anywhere {
        return Decision::No;
    }
    if words.len() == 1 && (last == "key" || last == "keys") {
        return Decision::SettingOnly;
    }
    // The Vault agent's injection annotations name paths and templates
    // (`vault.hashicorp.com/agent-inject-secret-db`), not secrets.
    if words.contains(&"inject") && words.iter().any(|w| matches!(*w, "secret" | "template" | "status" | "command")) {
        return Decision::No;
    }
    let before = words.len().checked_sub(2).map(|i| words[i]);
    // Credentials whatever their last word: a Vault AppRole's `secret_id`, a service account's
    // `private_key_id`, kubeconfig's `client-key-data`, an authorization header's value, a
    // connection string, S3's `aws:Referer` used as a shared secret.
    let private_key_id =
        words.len() >= 3 && words[words.len() - 3] == "private" && before == Some("key") && last == "id";
    let exceptions = private_key_id
        || matches!((before, last), (Some("secret" | "private"), "id") | (Some("key"), "data"))
        || words.contains(&"pincode")
        || (before == Some("pin") && last == "code")
        || (last == "header" && words.iter().any(|w| matches!(*w, "auth" | "authorization" | "bearer")))
        || words.windows(2).any(|w| w[0] == "connection" && matches!(w[1], "string" | "strings"))
        || words.iter().any(|w| w.starts_with("connectionstring"))
        || (before == Some("aws") && last == "referer");
    if exceptions {
        return Decision::Yes;
    }
    if ABOUT_LAST_SET.contains(last) {
        return Decision::No;
    }
    let secret_noun = matches!(last, "salt" | "secret" | "pepper" | "password" | "key");
    let first = words[0];
    let counts_or_refers = ABOUT_FIRST.contains(&first)
        && !(secret_noun && matches!(first, "hash" | "checksum" | "use" | "is" | "has" | "skip"));
    if words.len() > 1 && counts_or_refers {
        return Decision::No;
    }
    let strong = words.iter().any(|w| {
        (!STRONG_EXCEPTIONS.contains(w) && (has_strong_fragment(w) || glued_secret_end(w)) && !is_about_compound(w))
            || WHOLE.contains(w)
    });
    // nginx's `proxy_pass`, `fastcgi_pass`…: where to pass requests to.
    let nginx_pass = last == "pass"
        && before.is_some_and(|b| matches!(b, "proxy" | "fastcgi" | "uwsgi" | "grpc" | "scgi" | "memcached"));
    if nginx_pass {
        return Decision::No;
    }
    // `GPIO_PIN`, `LED_PIN`: a pin of a board.
    let board_pin = last == "pin"
        && before.is_some_and(|b| {
            matches!(b, "gpio" | "led" | "io" | "reset" | "data" | "clock" | "power" | "button" | "relay" | "sensor")
        });
    if strong || (SECRET_LAST.contains(&last) && !board_pin) {
        return Decision::Yes;
    }
    if last == "key" || last == "keys" {
        let before = words[words.len() - 2];
        // RabbitMQ's `routing_key` is a topic; PagerDuty's `ROUTING_KEY` after a vendor is a credential.
        let routing_topic = before == "routing" && words.len() == 2;
        // `ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY`, `COSMOS_DB_PRIMARY_KEY`: a vendor's primary and
        // secondary credentials; `PRIMARY_KEY` alone is a table's.
        let vendor_primary = matches!(before, "primary" | "secondary") && words.len() >= 3;
        let plain = NOT_SECRET_KEY_SET.contains(before) && before != "routing" && !vendor_primary;
        // `SERVICE_ROLE_KEY`, `PUSHOVER_USER_KEY`, `VAULT_KEY`: credentials named for what they open.
        let about = ABOUT_LAST_SET.contains(before)
            && !matches!(before, "role" | "user" | "vault" | "source" | "owner" | "login" | "provider" | "store");
        return Decision::from(!(plain || routing_topic || about));
    }
    Decision::No
}

/// Whether a name's last word (qualifiers aside) is a session or a cookie (`SESSION`,
/// `APP_SESSION_ID`, `authCookie`, `JSESSIONID`): secret when the value is a generated token, since
/// the same words also name choices (`SESSION=redis`, `COOKIE=secure`).
pub(crate) fn is_session_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let has = |word: &[u8]| bytes.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word));
    if !(has(b"session") || has(b"cookie")) {
        return false;
    }
    let words = words(name);
    let mut words: Vec<&str> = words.iter().map(String::as_str).collect();
    while words.len() > 1 && words.last().is_some_and(|w| is_version_word(w) || QUALIFIER_SET.contains(w)) {
        words.pop();
    }
    let before = words.len().checked_sub(2).map(|i| words[i]);
    match words.last() {
        Some(&last) => {
            matches!(last, "session" | "sessionid" | "jsessionid" | "cookie" | "cookies")
                || (last == "id" && before.is_some_and(|b| b == "session"))
        }
        None => false,
    }
}

/// A word glued to a secret ending: `dbpass`, `smtppwd`, `adminpw` (not `bypass`, `compass`).
fn glued_secret_end(word: &str) -> bool {
    const NOT: &[&str] = &["bypass", "compass", "overpass", "underpass", "trespass", "surpass", "encompass", "subpass"];
    (word.len() > 4 && word.ends_with("pass") && !NOT.contains(&word))
        || (word.len() > 3 && word.ends_with("pwd"))
        || (word.len() > 3 && word.ends_with("pw") && !word.ends_with("ppw"))
}

/// Whether a map under this (secret) name holds secrets: `secrets: {stripe: …}`, `credentials: {…}`,
/// `password: {value: …}` — not a section of settings such as `auth: {enabled: …}`.
pub(crate) fn holds_secrets(name: &str) -> bool {
    let words = words(name);
    words.last().is_some_and(|last| {
        matches!(
            last.as_str(),
            "secret"
                | "secrets"
                | "credential"
                | "credentials"
                | "creds"
                | "token"
                | "tokens"
                | "password"
                | "passwords"
                | "passwd"
                | "passphrase"
                | "keys"
                | "apikeys"
                | "pass"
                | "key"
                | "apikey"
                | "salt"
                | "jwt"
                | "hmac"
                | "pwd"
                | "privatekey"
                | "secretkey"
                | "accesskey"
                | "signingkey"
                | "encryptionkey"
                | "masterkey"
        )
    })
}

/// Whether a name says its value is *about* a secret (or a person), not the secret: `secretName`,
/// `username`, `tokenTtl`, `kms_key_id`. Under a secret-named map, such fields stay plain.
pub(crate) fn is_about(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else { return false };
    REFERENCE_NAMES.iter().any(|r| words.concat().ends_with(r))
        || ABOUT_LAST_SET.contains(last)
        || (words.len() > 1 && ABOUT_FIRST.contains(&words[0].as_str()))
        || words.iter().any(|w| PUBLIC.contains(&w.as_str()))
}

/// The byte ranges of an ASCII name's words (the same splitting as [`words`]).
fn ascii_word_ranges(bytes: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            let (prev, here) = (bytes[i - 1], bytes[i]);
            let next_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            let hump = (prev.is_ascii_lowercase() && here.is_ascii_uppercase())
                || (prev.is_ascii_uppercase() && here.is_ascii_uppercase() && next_lower)
                || (prev.is_ascii_digit() && here.is_ascii_uppercase() && next_lower);
            if hump {
                break;
            }
            i += 1;
        }
        Some(start..i)
    })
}

/// A concatenated word that holds a strong fragment but ends in an about-word (`secretname`,
/// `tokenurl`, `passwordfile`).
fn is_about_compound(word: &str) -> bool {
    ABOUT_LAST.iter().any(|about| about.len() >= 3 && word.len() > about.len() && word.ends_with(about))
}

/// `v4`, `2`, `v1beta1`: a version or counter, not a word about the value.
fn is_version_word(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
        || (word.len() > 1 && word.starts_with('v') && word[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// The lowercase words of a name: separators split, and so do camelCase humps (`dbPassword`,
/// `APIKey` → `api`, `key`). Letters and digits stay together (`s3`, `v4`, `oauth2`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, here) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            let hump = (prev.is_lowercase() && here.is_uppercase())
                || (prev.is_uppercase() && here.is_uppercase() && next_lower)
                || (prev.is_ascii_digit() && here.is_uppercase() && next_lower);
            if hump {
                out.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        if start < chars.len() {
            out.push(chars[start..].iter().collect::<String>().to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_found_in_any_case_and_place() {
        const TRIGGERS: &[&str] = &[
            "pass",
            "pw",
            "private",
            "pin",
            "secret",
            "salt",
            "token",
            "totp",
            "otp",
            "jaas",
            "jwt",
            "hmac",
            "bearer",
            "referer",
            "cred",
            "connection",
            "key",
            "auth",
        ];
        let naive = |name: &str| {
            let lower = name.to_ascii_lowercase();
            TRIGGERS.iter().any(|t| lower.contains(t))
        };
        let mut names = vec![String::new(), "p".into(), "x".into(), "REPLICAS".into(), "timeout".into(), "pa".into()];
        for t in TRIGGERS {
            for (before, after) in [("", ""), ("DB_", ""), ("", "_FILE"), ("x", "y"), ("_", "s")] {
                names.push(format!("{before}{t}{after}"));
                names.push(format!("{before}{}{after}", t.to_ascii_uppercase()));
                // One letter short: no trigger unless another is left.
                names.push(format!("{before}{}{after}", &t[..t.len() - 1]));
            }
        }
        for name in ["session", "config", "retry", "topology", "replicas", "service_port", "pathPrefix", "ke", "Au"] {
            names.push(name.into());
        }
        for name in &names {
            assert_eq!(has_trigger(name), naive(name), "{name}");
        }
    }

    #[test]
    fn splits_every_style() {
        for name in ["dbPassword", "APIKey", "s3Key", "--db-password", "HTTPServer2Token", "a.b_c-d"] {
            let ascii: Vec<String> = ascii_word_ranges(name.as_bytes()).map(|r| name[r].to_ascii_lowercase()).collect();
            assert_eq!(ascii, words(name), "{name}");
        }
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("STRIPE_API_KEY"), ["stripe", "api", "key"]);
        assert_eq!(words("spring.datasource.password"), ["spring", "datasource", "password"]);
        assert_eq!(words("--db-password"), ["db", "password"]);
        assert_eq!(
            words("vault.hashicorp.com/agent-inject-token"),
            ["vault", "hashicorp", "com", "agent", "inject", "token"]
        );
        assert_eq!(words("s3Key"), ["s3", "key"]);
    }

    #[test]
    fn sessions_and_cookies_by_last_word() {
        for name in ["SESSION", "APP_SESSION", "session_id", "JSESSIONID", "authCookie", "COOKIE_PROD", "sessionId"] {
            assert!(is_session_name(name), "{name}");
        }
        for name in ["SESSION_TIMEOUT", "SESSION_COOKIE_NAME", "session_store", "cookie_domain", "MONKEY", "PORT"] {
            assert!(!is_session_name(name), "{name}");
        }
    }

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "JWT_SECRET",
            "JWT",
            "app.jwt",
            "SERVICE_JWT",
            "WEBHOOK_HMAC",
            "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY",
            "COSMOS_DB_PRIMARY_KEY",
            "HASH_SALT",
            "HASH_SECRET",
            "CHECKSUM_SECRET",
            "hashSalt",
            "DIGEST_AUTH_PASSWORD",
            "SHA256_HMAC_SECRET",
            "WEBHOOK_SIGNING_KEY_SHA256",
            "MQTT_PUB_PASSWORD",
            "SUPABASE_SERVICE_ROLE_KEY",
            "PUSHOVER_USER_KEY",
            "VAULT_KEY",
            "OTP_SEED",
            "PIN_CODE",
            "GITHUB_TOKEN",
            "STRIPE_API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "ENCRYPTION_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "dbPassword",
            "apiKey",
            "tls.key",
            "SMTP_PASS",
            "ses_smtp_password_v4",
            "master_password",
            "auth_token",
            "client_secret",
            "clientSecret",
            "BASIC_AUTH",
            "admin_password",
            "db-password",
            "spring.datasource.password",
            "ConnectionStrings:Password",
            "x-api-key",
            "apitoken",
            "slackWebhookToken",
            "PASSWORD",
            "secret",
            "private_key",
            "privateKey",
            "license_key",
            "APP_KEY",
            "ssh_key",
            "SECRET_KEY_BASE",
            "DJANGO_SECRET_KEY",
        ] {
            assert!(is_secret(name, Context::Field), "{name} is secret");
        }
        assert!(is_secret("KEY", Context::Setting));
    }

    #[test]
    fn names_about_secrets_are_not_secret() {
        for name in [
            "DB_HOST",
            "CARBON_FOOTPRINT",
            "PIN_VERSION",
            "GPIO_PIN",
            "LED_PIN",
            "OTP_DIGITS",
            "PASSWORD_HASHERS",
            "PASSWORD_COMPLEXITY",
            "SECRET_MANAGER_PROJECT",
            "TOKEN_BUCKET_CAPACITY",
            "ROTATE_SECRETS_CRON",
            "LOCK_KEY",
            "FEATURE_KEY",
            "auth.existingSecret",
            "checksum/secret",
            "ssh_public_key",
            "PUBKEY",
            "TOKEN_TTL",
            "JWT_SECRET_FILE",
            "JWT_ISSUER",
            "JWT_TTL",
            "HMAC_ALGORITHM",
            "STRIPE_PUBLISHABLE_KEY",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_MIN_LENGTH",
            "LOG_LEVEL",
            "KEYCLOAK_URL",
            "MONKEY",
            "OAUTH_TOKEN_URL",
            "PRIMARY_KEY",
            "SORT_KEY",
            "partition_key",
            "s3_key",
            "kms_key_id",
            "kms_key",
            "secretKeyRef",
            "secretName",
            "secretRef",
            "existingSecret",
            "max_tokens",
            "tokenizer",
            "SECRETARY_EMAIL",
            "ssh_public_key",
            "key_name",
            "secret_arn",
            "password_policy",
            "tokenExpirationSeconds",
            "key",
            "keyboard",
            "author",
            "routing_key",
            "idempotency_key",
            "PASSWORD_RESET_URL",
        ] {
            assert!(!is_secret(name, Context::Field), "{name} is not secret");
        }
    }
}
