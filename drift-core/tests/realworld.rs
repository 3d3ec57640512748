//! Real files from the reference dotenv implementations (`fixtures/realworld`, see SOURCE.txt in
//! each folder): drift must read each library's own fixtures as that library's tests say, except
//! where the libraries disagree and drift chose otherwise (listed below with the reason).

use std::path::{Path, PathBuf};

use drift_core::{EntityId, Fingerprinter, Format, LoadOptions, Node};
use serde_json::Value;

fn realworld() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/realworld")
}

fn options() -> LoadOptions {
    LoadOptions::new(fingerprinter())
}

fn fingerprinter() -> Fingerprinter {
    Fingerprinter::with_key(b"test")
}

/// What drift shows for a value it read: the value, or a secret's fingerprint (values whose name
/// or shape says secret are compared with the libraries' expectations through their fingerprint).
fn shown(got: &str, want: &str) -> String {
    if got.starts_with("secret:") {
        format!("secret:{}", fingerprinter().fingerprint(want.as_bytes()))
    } else {
        want.to_owned()
    }
}

/// Asserts that drift read `key` as the library says (`want`), directly or as its fingerprint.
#[track_caller]
fn assert_value(values: &[(String, Option<String>)], key: &str, want: &str, what: &str) {
    let got = get(values, key);
    let expected = Some(got.as_deref().map_or(want.to_owned(), |g| shown(g, want)));
    assert_eq!(got, expected, "{what}");
}

/// The value of each key, as drift reads the file (`None` for a key declared without a value).
fn read(name: &str, bytes: &[u8]) -> Result<Vec<(String, Option<String>)>, String> {
    let options = options();
    let snapshot = drift_core::parse(Format::Env, name, bytes, &options).map_err(|e| e.to_string())?;
    let id: EntityId = "env:.env".parse().map_err(|e: String| e)?;
    let body = snapshot.entity(&id).ok_or("no entity")?.body();
    let map = body.as_map().ok_or("not a map")?;
    Ok(map
        .fields()
        .iter()
        .map(|f| {
            let value = match f.node() {
                Node::String(s) => Some(s.to_string()),
                Node::Secret(s) => Some(format!("secret:{}", s.fingerprint().unwrap_or("?"))),
                _ => None,
            };
            (f.key().to_owned(), value)
        })
        .collect())
}

fn get(values: &[(String, Option<String>)], key: &str) -> Option<String> {
    values.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.clone())
}

#[test]
fn every_library_fixture_parses() {
    let root = realworld();
    let dirs = ["bkeepers-dotenv", "compose-go-dotenv", "dotenvy", "joho-godotenv", "motdotla-dotenv"];
    // Files the libraries themselves reject, or that use a syntax no other library accepts.
    let rejected = [
        "compose-go-dotenv/invalid1.env",  // "INVALID LINE": Compose and Go fail on it too
        "joho-godotenv/invalid1.env",      // same
        "compose-go-dotenv/custom.format", // not a .env file: a custom format test input
    ];
    let mut checked = 0;
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| !matches!(p.file_name().and_then(|n| n.to_str()), Some("LICENSE" | "LICENCE" | "SOURCE.txt")))
            .collect();
        files.sort();
        for file in files {
            let name = format!("{dir}/{}", file.file_name().and_then(|n| n.to_str()).unwrap_or_default());
            let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
            let result = read(&name, &bytes);
            if rejected.contains(&name.as_str()) {
                let err = result.err().unwrap_or_else(|| panic!("{name} must be rejected"));
                assert!(err.starts_with(&format!("{name}:")), "{err} names the file");
            } else {
                let values = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!values.is_empty(), "{name} has assignments");
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} files");
}

#[test]
fn library_expectations() {
    let root = realworld();
    let file = |path: &str| {
        let bytes = std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        read(path, &bytes).unwrap_or_else(|e| panic!("{e}"))
    };
    // motdotla/dotenv tests/test-parse.js, where the libraries agree.
    let node = file("motdotla-dotenv/dotenv");
    for (key, want) in [
        ("BASIC", "basic"),
        ("AFTER_LINE", "after_line"),
        ("EMPTY", ""),
        ("SINGLE_QUOTES", "single_quotes"),
        ("SINGLE_QUOTES_SPACED", "    single quotes    "),
        ("DOUBLE_QUOTES", "double_quotes"),
        ("DOUBLE_QUOTES_SPACED", "    double quotes    "),
        ("EXPAND_NEWLINES", "expand\nnew\nlines"),
        ("DONT_EXPAND_UNQUOTED", "dontexpand\\nnewlines"),
        ("DONT_EXPAND_SQUOTED", "dontexpand\\nnewlines"),
        ("EQUAL_SIGNS", "equals=="),
        ("RETAIN_INNER_QUOTES", "{\"foo\": \"bar\"}"),
        ("RETAIN_INNER_QUOTES_AS_STRING", "{\"foo\": \"bar\"}"),
        ("TRIM_SPACE_FROM_UNQUOTED", "some spaced out string"),
        ("USERNAME", "therealnerdybeast@example.tld"),
        ("SPACED_KEY", "parsed"),
        ("INLINE_COMMENTS", "inline comments"),
        ("INLINE_COMMENTS_SINGLE_QUOTES", "inline comments outside of #singlequotes"),
        ("INLINE_COMMENTS_DOUBLE_QUOTES", "inline comments outside of #doublequotes"),
    ] {
        assert_value(&node, key, want, &format!("motdotla {key}"));
    }
    // Node ends an unquoted value at any `#`; Python, Compose, Go and Rust need whitespace first,
    // and so does drift.
    assert_value(
        &node,
        "INLINE_COMMENTS_SPACE",
        "inline comments start with a#number sign. no space required.",
        "INLINE_COMMENTS_SPACE",
    );
    // Only Node gives backticks a meaning (quotes), so a file that uses them was written for Node.
    assert_value(&node, "BACKTICKS", "backticks", "BACKTICKS");
    let multiline = file("motdotla-dotenv/dotenv-multiline");
    assert_value(&multiline, "MULTI_BACKTICKED", "THIS\nIS\nA\n\"MULTILINE'S\"\nSTRING", "MULTI_BACKTICKED");

    // godotenv fixtures (godotenv_test.go).
    let comments = file("joho-godotenv/comments.env");
    assert_value(&comments, "foo", "bar", "foo");
    assert_value(&comments, "bar", "foo#baz", "bar");
    assert_value(&comments, "baz", "foo", "baz");
    let quoted = file("joho-godotenv/quoted.env");
    assert_value(&quoted, "OPTION_A", "1", "OPTION_A");
    assert_value(&quoted, "OPTION_B", "2", "OPTION_B");
    assert_value(&quoted, "OPTION_D", "\\n", "OPTION_D");
    assert_value(&quoted, "OPTION_E", "1", "OPTION_E");
    assert_value(&quoted, "OPTION_G", "", "OPTION_G");
    assert_value(&quoted, "OPTION_H", "\n", "OPTION_H");

    // The BOM is skipped everywhere but godotenv.
    for bom in ["motdotla-dotenv/dotenv.bom", "compose-go-dotenv/utf8-bom.env", "bkeepers-dotenv/bom.env"] {
        let values = file(bom);
        assert!(values.iter().all(|(k, _)| !k.starts_with('\u{feff}')), "{bom}: BOM skipped");
    }
}

/// python-dotenv's parser table (`parser_cases.json`): drift agrees with every case except these,
/// where python-dotenv stands alone.
#[test]
fn python_dotenv_parser_cases() {
    let path = realworld().join("python-dotenv/parser_cases.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let deliberate: &[(&str, &str)] = &[
        ("'a'=b", "quoted keys: only python-dotenv accepts them"),
        (" export 'a'=b", "quoted keys: only python-dotenv accepts them"),
        ("a: b", "`:` separator: Node, Compose, Ruby and Go accept it (drift warns); python-dotenv rejects it"),
        ("", "an empty file is an error in drift: a gate must not pass on a truncated or missing file"),
        ("\n\n", "the same: only blank lines"),
    ];
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for case in cases["cases"].as_array().into_iter().flatten() {
        let input = case["input"].as_str().unwrap_or_default();
        let expected: Vec<(String, Option<String>)> = case["bindings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| !b["key"].is_null() && b["error"] == Value::Bool(false))
            .map(|b| (b["key"].as_str().unwrap_or_default().to_owned(), b["value"].as_str().map(str::to_owned)))
            .collect();
        let errors = case["bindings"].as_array().into_iter().flatten().any(|b| b["error"] == Value::Bool(true));
        let got = read("case.env", input.as_bytes());
        compared += 1;
        let agrees = match &got {
            Ok(values) => {
                let expected: Vec<(String, Option<String>)> = sorted(expected.clone())
                    .into_iter()
                    .map(|(k, v)| {
                        let got = get(values, &k);
                        (k, v.map(|v| got.as_deref().map_or(v.clone(), |g| shown(g, &v))))
                    })
                    .collect();
                !errors && *values == expected
            }
            Err(_) => errors,
        };
        if !agrees && !deliberate.iter().any(|(i, _)| *i == input) {
            disagreements.push(format!("{input:?}: python {expected:?} (errors: {errors}), drift {got:?}"));
        }
    }
    assert!(compared >= 40);
    assert!(disagreements.is_empty(), "{} new disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

fn sorted(mut values: Vec<(String, Option<String>)>) -> Vec<(String, Option<String>)> {
    // Last wins, like drift's map; then key order, like drift's map.
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (k, v) in values.drain(..) {
        out.retain(|(ok, _)| *ok != k);
        out.push((k, v));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
