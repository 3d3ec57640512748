//! Every output format on the fixtures (insta snapshots), checked by its consumers' parsers, with
//! escaping and size limits, and several outputs in one run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod sarif_schema;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drift"))
        .args(args)
        .current_dir(root())
        .env("DRIFT_FINGERPRINT_KEY", "drift-tests-fingerprint-key")
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn fixtures(format: &str) -> String {
    let output = run(&["diff", "fixtures/staging", "fixtures/production", "--format", format]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    stdout(&output)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn markdown() {
    let text = fixtures("markdown");
    assert!(text.starts_with("## drift: staging → production"));
    insta::assert_snapshot!("markdown", text);
}

#[test]
fn junit_parses_as_xml() {
    let text = fixtures("junit");
    let mut reader = quick_xml::Reader::from_str(&text);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => match e.name().as_ref() {
                b"testcase" => cases += 1,
                b"failure" => failures += 1,
                _ => {}
            },
            Ok(_) => {}
            Err(err) => panic!("invalid XML at {}: {err}", reader.buffer_position()),
        }
    }
    assert!(cases >= 20 && failures >= 10, "{cases} cases, {failures} failures");
    // One test case per drift finding, each with at most one failure.
    let report: serde_json::Value = serde_json::from_str(&fixtures("json")).unwrap_or_default();
    assert_eq!(cases as u64, report["summary"]["by_status"]["drift"].as_u64().unwrap_or(0));
    for case in text.split("<testcase ").skip(1) {
        let case = case.split("</testcase>").next().unwrap_or_default();
        assert!(case.matches("<failure ").count() <= 1, "{case}");
    }
    assert_unique_case_names(&text);
    insta::assert_snapshot!("junit", text);
}

/// Test case names are unique within each suite: JUnit consumers (GitLab, Jenkins) key results on
/// class and name, and merge the rest.
fn assert_unique_case_names(junit: &str) {
    for suite in junit.split("<testsuite ").skip(1) {
        let mut names = std::collections::HashSet::new();
        for case in suite.split("<testcase ").skip(1) {
            let name = case.split(" name=\"").nth(1).and_then(|n| n.split('"').next()).unwrap_or_default();
            assert!(names.insert(name.to_owned()), "two test cases named {name:?} in one suite");
        }
    }
}

#[test]
fn junit_names_two_guards_on_one_value_apart() {
    // A test-mode key that also names staging: two guards on one path.
    let dir = scratch("junit-names");
    for (side, key) in [("staging", "pk_test_staging_abc123"), ("production", "pk_test_staging_abc123")] {
        std::fs::create_dir_all(dir.join(side)).unwrap_or_default();
        std::fs::write(dir.join(side).join(".env"), format!("STRIPE_PUBLISHABLE_KEY={key}\n")).unwrap_or_default();
    }
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--format", "junit"]));
    assert!(text.matches("name=\"STRIPE_PUBLISHABLE_KEY guard").count() >= 2, "{text}");
    assert_unique_case_names(&text);
}

#[test]
fn sarif_is_sarif_2_1_0() {
    let text = fixtures("sarif");
    let sarif: serde_sarif::sarif::Sarif =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not SARIF 2.1.0: {e}"));
    let json = serde_json::to_value(&sarif).unwrap_or_default();
    let results = json["runs"][0]["results"].as_array().map_or(0, Vec::len);
    let report: serde_json::Value = serde_json::from_str(&fixtures("json")).unwrap_or_default();
    assert_eq!(results as u64, report["summary"]["by_status"]["drift"].as_u64().unwrap_or(0));
    for result in json["runs"][0]["results"].as_array().into_iter().flatten() {
        assert!(matches!(result["level"].as_str(), Some("error" | "warning" | "note")));
        assert!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string(), "{result}");
    }
    sarif_schema::assert_valid(&json);
    insta::assert_snapshot!("sarif", text);
}

#[test]
fn github_annotations() {
    let text = fixtures("github");
    assert!(
        text.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
    );
    insta::assert_snapshot!("github", text);
}

#[test]
fn github_escaping() {
    let dir = scratch("escaping");
    std::fs::create_dir_all(dir.join("staging")).unwrap_or_default();
    std::fs::create_dir_all(dir.join("production")).unwrap_or_default();
    std::fs::write(dir.join("staging/.env"), "RATIO=\"50% off, a:b\\nnext\"\nNAME=héllo\n").unwrap_or_default();
    std::fs::write(dir.join("production/.env"), "RATIO=\"60% off\"\nNAME=wörld \u{1F680}\n").unwrap_or_default();
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--format", "github"]));
    assert_eq!(text.lines().count(), 2, "{text}");
    let ratio = text.lines().find(|l| l.contains("RATIO")).unwrap_or_default();
    assert!(ratio.contains("50%25 off"), "{ratio}");
    assert!(text.contains("wörld"), "unicode stays");
    // Properties escape `:` and `,`; the message escapes `%` and line breaks.
    let (props, _) =
        ratio.split_once("::").map(|(_, rest)| rest.split_once("::").unwrap_or_default()).unwrap_or_default();
    assert!(!props.contains(": "), "{props}");
}

#[test]
fn patch_turns_left_into_right() {
    let text = fixtures("patch");
    let patches: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let entities: Vec<&str> = patches.as_array().into_iter().flatten().filter_map(|p| p["entity"].as_str()).collect();
    assert!(entities.contains(&"env:.env") && entities.contains(&"k8s:apps/Deployment/shop/checkout"));
    for p in patches.as_array().into_iter().flatten() {
        let ops = p["patch"].as_array().cloned().unwrap_or_default();
        assert!(!ops.is_empty());
        assert!(
            ops.iter()
                .all(|op| matches!(op["op"].as_str(), Some("add" | "remove" | "replace" | "move" | "copy" | "test")))
        );
    }
    insta::assert_snapshot!("patch", text);
}

#[test]
fn markdown_stays_under_the_comment_limit() {
    let dir = scratch("many");
    std::fs::create_dir_all(dir.join("staging")).unwrap_or_default();
    std::fs::create_dir_all(dir.join("production")).unwrap_or_default();
    for (side, value) in [("staging", "a"), ("production", "b")] {
        let mut text = String::new();
        for i in 0..20 {
            let dir = dir.join(side).join(format!("svc{i:02}"));
            std::fs::create_dir_all(&dir).unwrap_or_default();
            let body: String =
                (0..200).map(|k| format!("SETTING_{k:04}=value-{value}-{k}-with-some-length\n")).collect();
            std::fs::write(dir.join(".env"), body).unwrap_or_default();
            text.push('x');
        }
    }
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--format", "markdown"]));
    assert!(text.chars().count() <= 65_000, "{} characters", text.chars().count());
    assert!(text.contains("more findings not shown"), "truncated with a count");
}

/// A long comment is cut after the worst entities, never before them: the critical finding the
/// first line fails on is in it, however many medium findings sort before it by name; and long
/// names (entities, skipped files) count against the limit too.
#[test]
fn markdown_keeps_what_fails_and_its_limit() {
    let dir = scratch("markdown-cut");
    for (side, value, sandbox) in [("staging", "a", "false"), ("production", "b", "true")] {
        let root = dir.join(side);
        std::fs::create_dir_all(&root).unwrap_or_default();
        let body: String = (0..3000).map(|k| format!("SETTING_{k:04}=value-{value}-{k}\n")).collect();
        std::fs::write(root.join("app.env"), body).unwrap_or_default();
        std::fs::write(root.join("zz.env"), format!("PAYMENT_SANDBOX={sandbox}\n")).unwrap_or_default();
        // Long names: a config file under a deep folder, and skipped files.
        let deep = root.join("d".repeat(200)).join("e".repeat(200));
        std::fs::create_dir_all(&deep).unwrap_or_default();
        std::fs::write(deep.join("settings.json"), format!("{{\"mode\": \"{value}\"}}")).unwrap_or_default();
        for i in 0..25 {
            std::fs::write(deep.join(format!("README-{i:02}-{}.md", "r".repeat(150))), "docs").unwrap_or_default();
        }
    }
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--format", "markdown"]));
    assert!(text.chars().count() <= 65_536, "{} characters", text.chars().count());
    assert!(text.lines().next().is_some_and(|l| l.contains("fail: 1 critical")), "{}", &text[..200]);
    assert!(text.contains("`PAYMENT_SANDBOX`"), "the critical finding is shown");
    assert!(text.contains("more findings not shown"));
    // No section is written without a row.
    for section in text.split("<details").skip(1) {
        assert!(section.contains("\n| ") && section.lines().filter(|l| l.starts_with("| ")).count() > 1, "{section}");
    }
}

/// Markdown text without its code spans (a run of backticks to the next run of the same length).
fn outside_code(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let fence = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + fence..];
        let close = "`".repeat(fence);
        match after.find(&close) {
            Some(end) => rest = &after[end + fence..],
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Within one large entity too, the failing finding is kept: rows go worst first.
#[test]
fn markdown_keeps_what_fails_within_an_entity() {
    let dir = scratch("markdown-one-entity");
    for (side, value, sandbox) in [("staging", "a", "false"), ("production", "b", "true")] {
        std::fs::create_dir_all(dir.join(side)).unwrap_or_default();
        let mut body: String = (0..3000).map(|k| format!("A_SETTING_{k:04}=value-{value}-{k}\n")).collect();
        body.push_str(&format!("PAYMENT_SANDBOX={sandbox}\n"));
        std::fs::write(dir.join(side).join("app.env"), body).unwrap_or_default();
    }
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--format", "markdown"]));
    assert!(text.chars().count() <= 65_536);
    // The change first, the guard that follows from it under it (↳).
    assert!(text.contains("| critical | guard | ↳ `PAYMENT_SANDBOX` |"), "{}", &text[..600]);
}

/// Names and values from the inputs are inert in a comment: no @mention, image, link, emphasis or
/// HTML; paths and values are code, shown exactly.
#[test]
fn markdown_is_inert() {
    let dir = scratch("markdown-inert");
    let hostile = "@octocat ![x](https://evil.example/p.png) [click](javascript:alert(1)) **bold** <b>b</b> &lt;b&gt;";
    for (side, n) in [("staging", 1), ("production", 2)] {
        let root = dir.join(side);
        std::fs::create_dir_all(&root).unwrap_or_default();
        std::fs::write(root.join(".env"), format!("NOTE=\"{hostile} {n}\"\nDEBUG=false\n")).unwrap_or_default();
        std::fs::write(
            root.join("app.json"),
            format!("{{\"a<b>c\": {n}, \"tick`name\": {n}, \"back\\\\slash\": {n}}}"),
        )
        .unwrap_or_default();
    }
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--format", "markdown"]));
    // Outside code spans (where Markdown makes nothing of them), nothing of the input is live.
    let prose = outside_code(&text);
    assert!(!prose.contains("@octocat"), "a mention: {prose}");
    assert!(!prose.contains("![x]") && !prose.contains("[click](") && !prose.contains("**bold**"), "{prose}");
    assert!(!prose.contains("<b>b</b>"), "{prose}");
    assert!(text.contains("`NOTE`"), "{text}");
    // Keys in code spans, exactly as they are (a code span decodes no reference and no escape).
    assert!(text.contains("`[\"a<b>c\"]`"), "{text}");
    assert!(text.contains("``[\"tick`name\"]``"), "{text}");
    assert!(text.contains("`[\"back\\\\slash\"]`"), "{text}");
    // A section's heading is HTML, where backslash escapes are not read: none there.
    let dir = scratch("markdown-heading");
    for (side, n) in [("staging", 1), ("production", 2)] {
        std::fs::create_dir_all(dir.join(side)).unwrap_or_default();
        std::fs::write(dir.join(side).join("my_app*v2.env"), format!("X={n}\n")).unwrap_or_default();
    }
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--format", "markdown"]));
    assert!(text.contains("<summary><b>env:my_app*v2.env</b>"), "{text}");
}

#[test]
fn several_outputs_in_one_run() {
    let dir = scratch("outputs");
    let (sarif, junit) = (dir.join("drift.sarif"), dir.join("junit.xml"));
    let output = run(&[
        "check",
        "fixtures/staging",
        "fixtures/production",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("junit={}", junit.display()),
        "--summary",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output).lines().count(), 1, "--summary prints one line: {}", stdout(&output));
    assert!(std::fs::read_to_string(&sarif).unwrap_or_default().contains("\"version\": \"2.1.0\""));
    assert!(std::fs::read_to_string(&junit).unwrap_or_default().starts_with("<?xml"));
    let quiet = run(&["check", "fixtures/staging", "fixtures/production", "--quiet"]);
    assert_eq!((quiet.status.code(), quiet.stdout.len()), (Some(1), 0));
    let bad = run(&["diff", "fixtures/staging", "fixtures/production", "--output", "pdf=x.pdf"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// `--output FORMAT=-` writes that format to stdout; JSON's `by_severity` counts drift only (the
/// gate's view), `all_by_severity` every status (issue 17).
#[test]
fn output_to_stdout_and_drift_only_counts() {
    let output = run(&["diff", "fixtures/staging", "fixtures/production", "--output", "json=-"]);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let count = |severity: &str, drift_only: bool| {
        findings.iter().filter(|f| f["severity"] == severity && (!drift_only || f["status"] == "drift")).count()
    };
    for severity in ["critical", "high", "medium", "low", "info"] {
        assert_eq!(report["summary"]["by_severity"][severity], count(severity, true), "{severity}");
        assert_eq!(report["summary"]["all_by_severity"][severity], count(severity, false), "{severity}");
    }
    assert!(!std::path::Path::new("-").exists() && !root().join("-").exists(), "no file named -");
    let two = run(&["diff", "fixtures/staging", "fixtures/production", "--output", "json=-", "--output", "sarif=-"]);
    assert_eq!(two.status.code(), Some(2));
}

/// `--detail` shows each finding's whole values under it, differing lines marked; `--no-truncate`
/// never cuts a value (issue 17).
#[test]
fn detail_and_no_truncate() {
    let detail = stdout(&run(&["diff", "fixtures/staging", "fixtures/production", "--detail"]));
    let block: Vec<&str> = detail.lines().skip_while(|l| !l.contains("flag:new-checkout")).take(6).collect();
    assert!(block.iter().any(|l| l.trim() == "- true") && block.iter().any(|l| l.trim() == "+ false"), "{block:#?}");
    let cut = stdout(&run(&["diff", "fixtures/staging", "fixtures/production"]));
    let full = stdout(&run(&["diff", "fixtures/staging", "fixtures/production", "--no-truncate"]));
    assert!(cut.contains('…') && !full.lines().any(|l| l.contains("…")), "no value is cut with --no-truncate");
}

/// `--detail` marks the lines that differ by a line diff: a line changed into one the file has
/// elsewhere, and two lines swapped (an order that matters to a firewall), are marked.
#[test]
fn detail_marks_what_a_line_diff_finds() {
    let dir = scratch("detail-diff");
    for (side, server, order) in [
        ("staging", "listen 443;", "allow 10.0.0.0/8\\ndeny all"),
        ("production", "listen 80;", "deny all\\nallow 10.0.0.0/8"),
    ] {
        std::fs::create_dir_all(dir.join(side)).unwrap_or_default();
        let yaml = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app, namespace: shop}}\ndata:\n  \
             nginx.conf: \"server {{\\n  listen 80;\\n}}\\nserver {{\\n  {server}\\n}}\\n\"\n  order.txt: \"{order}\\n\"\n"
        );
        std::fs::write(dir.join(side).join("cm.yaml"), yaml).unwrap_or_default();
    }
    let (l, r) = (dir.join("staging"), dir.join("production"));
    let text = stdout(&run(&["diff", &l.to_string_lossy(), &r.to_string_lossy(), "--detail"]));
    let marked =
        |mark: char| text.lines().filter(|l| l.trim_start().starts_with(mark)).map(str::trim).collect::<Vec<_>>();
    assert!(marked('-').contains(&"-   listen 443;") && marked('+').contains(&"+   listen 80;"), "{text}");
    assert!(marked('+').contains(&"+ deny all") || marked('+').contains(&"+ allow 10.0.0.0/8"), "{text}");
    assert!(marked('-').contains(&"- deny all") || marked('-').contains(&"- allow 10.0.0.0/8"), "{text}");
}

/// `--format html`: one self-contained page (nothing fetched), the verdict first, the worst
/// entities first; where a headless Chromium is installed (`.ci/run` installs it), the page runs:
/// its filters hide what is not drift and a critical finding is above the fold (issue 17).
#[test]
fn html_is_self_contained_and_critical_first() {
    let html = stdout(&run(&["diff", "fixtures/staging", "fixtures/production", "--format", "html"]));
    assert!(html.starts_with("<!doctype html>") && html.trim_end().ends_with("</html>"));
    for external in ["src=", "href=", "<link", "@import", "url("] {
        assert!(!html.contains(external), "the page fetches nothing: {external}");
    }
    assert!(html.contains("fail: ") && html.contains("guards: on for production"));
    insta::assert_snapshot!("html", html);
    let first_row = html.find("<tr class=\"finding").unwrap_or(usize::MAX);
    let first_critical = html.find("<tr class=\"finding critical").unwrap_or(usize::MAX);
    assert_eq!(first_row, first_critical, "the first finding shown is critical");
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()));
    let Some(browser) = browser else {
        eprintln!("no headless browser installed: the page was not run");
        return;
    };
    let dir = scratch("html");
    let file = dir.join("report.html");
    std::fs::write(&file, &html).unwrap_or_else(|e| panic!("{e}"));
    let dom = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,800", "--dump-dom"])
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let dom = String::from_utf8_lossy(&dom.stdout);
    let top: i64 = dom
        .split("data-first-critical=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1);
    assert!((0..800).contains(&top), "a critical finding within the first 800 pixels, at {top}");
    let expected_rows: Vec<&str> = dom.split("<tr ").filter(|r| r.contains("data-status=\"expected\"")).collect();
    let hidden_expected = !expected_rows.is_empty() && expected_rows.iter().all(|r| r.contains(" hide\""));
    assert!(hidden_expected, "expected findings are filtered out until asked for");

    // A screenshot of the first screen shows a critical finding: its red severity badge.
    let shot = |html: &str, name: &str| -> Vec<u8> {
        let page = dir.join(format!("{name}.html"));
        let png = dir.join(format!("{name}.png"));
        std::fs::write(&page, html).unwrap_or_else(|e| panic!("{e}"));
        let output = Command::new(browser)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,800"])
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(png.exists(), "no screenshot: {}", String::from_utf8_lossy(&output.stderr));
        std::fs::read(&png).unwrap_or_default()
    };
    assert!(critical_badge_above_the_fold(&shot(&html, "fixtures")), "no critical badge on the first screen");
    // And the check can fail: a report without critical findings has no such badge.
    let calm = stdout(&run(&["diff", "fixtures/staging", "fixtures/staging", "--format", "html"]));
    assert!(!calm.contains("<tr class=\"finding critical"), "the control page has no critical finding");
    assert!(!critical_badge_above_the_fold(&shot(&calm, "calm")), "a badge where there is no critical finding");
}

/// Whether the first 800 pixels of a screenshot hold a critical severity badge: a run of at least
/// 40 pixels of its red (#b00020), which text (the verdict's red letters) never makes.
fn critical_badge_above_the_fold(png: &[u8]) -> bool {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("not a PNG: {e}"));
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected colour type {other:?}"),
    };
    (0..info.height.min(800) as usize).any(|y| {
        let row = &buf[y * info.line_size..(y + 1) * info.line_size];
        let mut run = 0;
        row.chunks(channels).any(|p| {
            run = if p[..3] == [0xb0, 0x00, 0x20] { run + 1 } else { 0 };
            run >= 40
        })
    })
}

#[test]
fn root_causes_in_json_markdown_and_html() {
    // The security-group rule added in production, and under it the guard that it is open to the
    // internet: the guard follows from the rule in every format that groups.
    let json: serde_json::Value = serde_json::from_str(&fixtures("json")).unwrap_or_default();
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    let by_id = |id: &str| findings.iter().find(|f| f["id"] == id);
    let mut followers = 0;
    for f in findings.iter().filter(|f| f.get("follows").is_some()) {
        let root = by_id(f["follows"].as_str().unwrap_or_default()).unwrap_or_else(|| panic!("no root for {f}"));
        assert_eq!(root["entity"], f["entity"], "{f}");
        let (root_path, path) = (root["path"].as_str().unwrap_or_default(), f["path"].as_str().unwrap_or_default());
        assert!(path.starts_with(root_path) && !root_path.is_empty(), "{path} under {root_path}");
        followers += 1;
    }
    assert!(followers >= 3, "{followers}");
    let guard = findings
        .iter()
        .find(|f| f["change"] == "guard" && f["path"].as_str().is_some_and(|p| p.starts_with("ingress[=tcp/22")))
        .unwrap_or_else(|| panic!("no guard on the SSH rule"));
    let root = by_id(guard["follows"].as_str().unwrap_or_default()).unwrap_or_else(|| panic!("{guard}"));
    assert_eq!((root["change"].as_str(), root["path"].as_str()), (Some("added"), guard["path"].as_str()));

    let markdown = fixtures("markdown");
    let row = markdown.lines().find(|l| l.contains("| guard | ") && l.contains("ingress[=tcp/22")).unwrap_or_default();
    assert!(row.contains("| ↳ `ingress[=tcp/22 from 0.0.0.0/0"), "{row}");

    // HTML orders an entity's findings worst first, each root cause's followers right under it.
    let html = fixtures("html");
    let rows: Vec<&str> = html.lines().filter(|l| l.contains("ingress[=tcp/22 from 0.0.0.0/0")).collect();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows[0].contains("<td>added</td>") && !rows[0].contains("↳"), "{}", rows[0]);
    assert!(rows[1].contains("<td>guard</td>") && rows[1].contains("↳ ingress"), "{}", rows[1]);
}

#[test]
fn outputs_that_would_lose_a_report_are_refused() {
    let dir = scratch("outputs-refused");
    let file = dir.join("report").to_string_lossy().into_owned();
    let (json, sarif) = (format!("json={file}"), format!("sarif={file}"));
    let twice = run(&["diff", "fixtures/staging", "fixtures/production", "--output", &json, "--output", &sarif]);
    assert_eq!(twice.status.code(), Some(2), "one file named twice");
    assert!(String::from_utf8_lossy(&twice.stderr).contains("named twice"));
    let quiet = run(&["diff", "fixtures/staging", "fixtures/production", "--output", "json=-", "--quiet"]);
    assert_eq!(quiet.status.code(), Some(2), "--quiet and stdout output");
}

/// drift.toml's rules apply to a reused secret like any finding: expected with its reason, and the
/// rule is not reported unused.
#[test]
fn rules_apply_to_reused_secrets() {
    let dir = scratch("reuse-rule");
    let config = dir.join("drift.toml");
    std::fs::write(
        &config,
        "[[expect]]\nentity = \"env:.env\"\npath = \"JWT_SECRET\"\nchange = \"reuse\"\nreason = \"one signing key on purpose\"\n",
    )
    .unwrap_or_default();
    let output = run(&[
        "diff",
        "fixtures/staging",
        "fixtures/production",
        "--format",
        "json",
        "--config",
        &config.to_string_lossy(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let reuse = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["change"] == "reuse" && f["path"] == "JWT_SECRET")
        .unwrap_or_else(|| panic!("no reuse finding"));
    assert_eq!(reuse["status"], "expected", "{reuse}");
    assert!(report.get("unused_rules").is_none(), "{}", report["unused_rules"]);
}
