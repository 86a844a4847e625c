//! Property tests ("fuzzing") over front matter and body parsing: no input may panic or
//! hang load, resolve, render or the link check. Each run explores new random inputs;
//! `PROPTEST_CASES=200000 cargo test --release fuzz` runs a long session. Hand-picked edge
//! cases, and inputs that a long session found crashing, are kept at the bottom.

use briefing::content::diag::Diagnostics;
use proptest::prelude::*;

const CONFIG: &str = "title = \"Fuzz\"\nbase_url = \"https://example.org/sub/\"\n";
const COMPANY: &str = "---\nname: Meta Platforms\naliases: [Facebook, Meta]\n---\nAbout [[brief:b]].\n";
const SOURCE: &str = "---\nname: Threads\nkind: social\n---\n";

/// Runs everything after the disk on one brief (plus a fixed company and source).
fn pipeline(brief: &str) {
    pipeline_files(&[("content/briefs/2025-01-01-b.md", brief)]);
}

fn pipeline_files(extra: &[(&str, &str)]) {
    let mut files = vec![("content/companies/meta.md", COMPANY), ("content/sources/threads.md", SOURCE)];
    files.extend_from_slice(extra);
    let mut diags = Diagnostics::new();
    let Some(corpus) = briefing::content::load::load_texts(CONFIG, &files, false, &mut diags) else { return };
    let Some(site) = briefing::site::resolve::resolve(corpus, &mut diags) else {
        // Every failure must come with a located message.
        assert!(diags.has_errors());
        let _ = diags.report();
        return;
    };
    let base_url = site.config.base_url.clone();
    if let Some(out) = briefing::render::render(std::sync::Arc::new(site), &mut diags) {
        let _ = briefing::output::linkcheck::check(&out, &base_url, std::path::Path::new("."));
    }
    let _ = diags.report();
}

/// Markdown-ish text with the constructs our renderer rewrites.
fn body() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[[".to_string()),
        Just("]]".to_string()),
        Just("|".to_string()),
        Just("brief:".to_string()),
        Just("story:".to_string()),
        Just("company:".to_string()),
        Just("meta".to_string()),
        Just("Facebook".to_string()),
        Just("threads".to_string()),
        Just("](../companies/meta.md".to_string()),
        Just("](#".to_string()),
        Just(".md)".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("## ".to_string()),
        Just("> ".to_string()),
        Just("* ".to_string()),
        Just("`".to_string()),
        Just("[^1]".to_string()),
        Just("{#id}".to_string()),
        Just("---\n".to_string()),
        Just("<script>".to_string()),
        "[a-zA-Z0-9 é中\u{0}-\u{1f}]{0,8}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// Front-matter values, both sensible and hostile.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("meta".to_string()),
        Just("[meta, Facebook]".to_string()),
        Just("[threads]".to_string()),
        Just("\n  - source: threads\n    url: https://e.org/a".to_string()),
        Just("\n  - source: threads\n    url: javascript:x".to_string()),
        Just("2025-01-01".to_string()),
        Just("2025-02-30".to_string()),
        Just("2025-01-01T10:00:00+02:00".to_string()),
        Just("reported".to_string()),
        Just("true".to_string()),
        Just("~".to_string()),
        Just("&a [*a, *a]".to_string()),
        Just("{a: [b, {c: d}]}".to_string()),
        Just("\"quoted: value\"".to_string()),
        Just("../../etc".to_string()),
        Just("[".to_string()),
        Just("|\n  block".to_string()),
        "[ -~]{0,12}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title"),
        Just("date"),
        Just("updated"),
        Just("summary"),
        Just("companies"),
        Just("sources"),
        Just("tags"),
        Just("status"),
        Just("story"),
        Just("tickers"),
        Just("slug"),
        Just("draft"),
        Just("extra"),
        Just("compnies"),
        Just("  title"),
        Just("- x"),
    ]
    .prop_map(str::to_string)
}

fn front_matter() -> impl Strategy<Value = String> {
    prop::collection::vec((key(), value()), 0..10).prop_map(|kv| kv.into_iter().map(|(k, v)| format!("{k}: {v}\n")).collect::<String>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_at_all(text in "(?s).{0,200}") {
        pipeline(&text);
    }

    #[test]
    fn any_front_matter(fm in front_matter(), b in body()) {
        pipeline(&format!("---\n{fm}---\n{b}"));
    }

    #[test]
    fn valid_front_matter_any_body(b in body()) {
        pipeline(&format!("---\ntitle: T\ndate: 2025-01-01\ncompanies: [meta]\nsources: [threads]\nstory: s\n---\n{b}"));
    }

    #[test]
    fn any_company_and_page(fm in front_matter(), b in body()) {
        pipeline_files(&[
            ("content/companies/other.md", &format!("---\nname: Other\n{fm}---\n{b}")),
            ("content/pages/about.md", &format!("---\ntitle: About\n---\n{b}")),
            ("content/briefs/2025-01-01-b.md", "---\ntitle: T\ndate: 2025-01-01\n---\n[[other]]"),
        ]);
    }
}

// Edge cases kept as fixed tests.

#[test]
fn edge_empty_wiki_link() {
    pipeline("---\ntitle: T\ndate: 2025-01-01\n---\n[[]] [[|]] [[ | x]] [[brief:]]");
}

#[test]
fn edge_nested_yaml_and_aliases() {
    pipeline("---\ntitle: &a [*a]\ndate: 2025-01-01\n---\n");
    pipeline(&format!("---\nextra: {}{}\n---\n", "[".repeat(5000), "]".repeat(5000)));
}

#[test]
fn edge_bom_crlf_and_control_characters() {
    pipeline("\u{feff}---\r\ntitle: \"\u{1}x\"\r\ndate: 2025-01-01\r\n---\r\n\u{0}[[meta]]\r\n");
}

#[test]
fn edge_heading_with_only_symbols() {
    pipeline("---\ntitle: T\ndate: 2025-01-01\n---\n## ???\n## 中文\n## ???");
}
