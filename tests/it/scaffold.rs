//! `briefing new` and `briefing init`: round trips through `check` and `build`.

use std::process::Command;

use crate::build::story_site;
use crate::support::SiteTest;

fn briefing(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_briefing")).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn init_creates_a_site_that_checks_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-site");
    let d = dir.to_str().unwrap();
    let (code, out, err) = briefing(&["init", d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("site.toml"));
    assert!(!dir.join("themes").exists(), "the theme comes from the binary");
    let (code, _, err) = briefing(&["check", "--strict", "--root", d]);
    assert_eq!(code, 0, "check failed:\n{err}");
    let (code, _, err) = briefing(&["build", "--root", d]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("public/briefs/first-brief/index.html").exists());
    assert!(dir.join("public/companies/example-labs/index.html").exists());
    let ignored = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(ignored.lines().any(|l| l == "public/") && ignored.lines().any(|l| l == ".briefing-cache/"), "{ignored}");
    assert!(dir.join(".briefing-cache").is_dir(), "the share card of the first brief is kept");
    // A second init into the same (now non-empty) folder is refused.
    let (code, _, err) = briefing(&["init", d]);
    assert_eq!(code, 1);
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn new_brief_fills_front_matter_and_never_overwrites() {
    let site = story_site();
    let root = site.root().to_str().unwrap().to_string();
    let title = "Meta: \"no talks\" with Google # really";
    let (code, out, err) = briefing(&[
        "new",
        "brief",
        title,
        "--company",
        "meta",
        "--company",
        "google",
        "--source",
        "threads",
        "--tag",
        "Ads",
        "--status",
        "denied",
        "--story",
        "meta-gemini",
        "--root",
        &root,
    ]);
    assert_eq!(code, 0, "{err}");
    let path = std::path::PathBuf::from(out.trim());
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert!(path.ends_with(format!("content/briefs/{today}-meta-no-talks-with-google-really.md")), "{path:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("---\n"));
    assert!(text.contains("# image: {src: chart.png") && text.contains("# toc: true"), "optional keys as comments: {text}");
    // Published as scaffolded, the placeholder would go live: an error at its line.
    let line = text.lines().position(|l| l.starts_with("What happened")).unwrap() + 1;
    let failed = site.build_fails();
    assert!(failed.stderr.contains(&format!("{today}-meta-no-talks-with-google-really.md:{line}:1: error: this brief still holds the placeholder text")), "{}", failed.stderr);
    std::fs::write(&path, text.replace("What happened, in two or three sentences.", "Meta said it is not talking to Google.")).unwrap();
    let run = site.build();
    assert_eq!(crate::support::texts(&run.page("briefs/meta-no-talks-with-google-really/"), "h1"), ["Meta: “no talks” with Google # really"]);
    // Same title again: refused, file unchanged.
    std::fs::write(&path, "edited").unwrap();
    let (code, _, err) = briefing(&["new", "brief", title, "--root", &root]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited");
}

#[test]
fn new_brief_checks_its_references() {
    let site = SiteTest::new();
    let root = site.root().to_str().unwrap().to_string();
    let (code, _, err) = briefing(&["new", "brief", "Anything", "--company", "metta", "--root", &root]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown company \"metta\"") && err.contains("did you mean \"meta\"?"), "{err}");
    assert!(!site.root().join("content/briefs").exists(), "nothing written");
    let (code, _, err) = briefing(&["new", "brief", "Anything", "--status", "maybe", "--root", &root]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = briefing(&["new", "brief", "Anything", "--status", "rumour", "--root", &root]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean \"rumor\"?"), "{err}");
    assert!(!site.root().join("content/briefs").exists(), "nothing written");
}

#[test]
fn new_company_source_and_story() {
    let site = SiteTest::new();
    let root = site.root().to_str().unwrap().to_string();
    for (kind, name, path) in [
        ("company", "Zürich AI", "content/companies/zurich-ai.md"),
        ("source", "Example Wire", "content/sources/example-wire.md"),
        ("story", "The chip export fight", "content/stories/the-chip-export-fight.md"),
    ] {
        let (code, out, err) = briefing(&["new", kind, name, "--root", &root]);
        assert_eq!(code, 0, "{err}");
        assert!(out.trim().ends_with(path), "{out}");
    }
    let run = site.build();
    assert_eq!(crate::support::texts(&run.page("companies/zurich-ai/"), "h1"), ["Zürich AI"]);
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, _) = briefing(&["new", "planet", "x"]);
    assert_eq!(code, 2);
    let (code, _, _) = briefing(&["build", "--no-such-flag"]);
    assert_eq!(code, 2);
}

#[test]
fn new_person_product_and_author_build_into_pages() {
    let site = SiteTest::new();
    let root = site.root().to_str().unwrap().to_string();
    let (code, _, err) = briefing(&["new", "product", "Llama", "--root", &root]);
    assert_eq!(code, 1);
    assert!(err.contains("a product needs its maker: pass --company SLUG"), "{err}");
    for args in [["new", "person", "Andy Stone", "--company", "meta"], ["new", "product", "Llama", "--company", "meta"]] {
        let (code, _, err) = briefing(&[&args[..], &["--root", &root]].concat());
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = briefing(&["new", "author", "Maya Lindqvist", "--root", &root]);
    assert_eq!(code, 0, "{err}");
    let run = site.build();
    assert_eq!(crate::support::texts(&run.page("people/andy-stone/"), "h1"), ["Andy Stone"]);
    let product = run.page("products/llama/");
    assert!(crate::support::attrs(&product, "a", "href").contains(&"/companies/meta/".to_string()), "the maker is linked");
    assert_eq!(crate::support::texts(&run.page("authors/maya-lindqvist/"), "h1"), ["Maya Lindqvist"]);
}

#[test]
fn new_brief_takes_a_date_a_slug_and_draft_and_keeps_slugs_short() {
    let site = SiteTest::new();
    let root = site.root().to_str().unwrap().to_string();
    let title = "Google's Gemini team wins a big new advertising deal with Meta, sources say";
    let (code, out, err) = briefing(&["new", "brief", title, "--date", "2025-10-30 14:00", "--draft", "--root", &root]);
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().ends_with("content/briefs/2025-10-30-googles-gemini-team-wins-a-big.md"), "six words, no apostrophe: {out}");
    let text = std::fs::read_to_string(out.trim()).unwrap();
    assert!(text.contains("date: 2025-10-30 14:00") && text.contains("draft: true"), "{text}");
    let (code, out, _) = briefing(&["new", "brief", title, "--slug", "gemini-ads", "--date", "2025-11-01", "--root", &root]);
    assert_eq!(code, 0);
    assert!(out.trim().ends_with("content/briefs/2025-11-01-gemini-ads.md"), "{out}");
    let written = std::fs::read_to_string(out.trim()).unwrap().replace("What happened, in two or three sentences.", "Gemini ads.");
    std::fs::write(out.trim(), written).unwrap();
    let (code, _, err) = briefing(&["new", "brief", "X", "--date", "2025-02-30", "--root", &root]);
    assert_eq!(code, 1);
    assert!(err.contains("30 February does not exist"), "{err}");
    let run = site.build_with(&["--drafts"]);
    assert!(run.exists("briefs/googles-gemini-team-wins-a-big/index.html"));
    assert!(!site.build().exists("briefs/googles-gemini-team-wins-a-big/index.html"), "a draft stays out");
}

#[test]
fn theme_eject_writes_the_built_in_theme_to_edit_and_never_overwrites() {
    let site = SiteTest::new().brief("2025-10-30-a", "title: A\ndate: 2025-10-30\nsources: [threads]", "Body.");
    let first = site.run(&["theme", "eject"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let brief = site.root().join("themes/default/templates/brief.html");
    assert!(first.stdout.contains("themes/default/templates/brief.html"));
    for rel in ["static/style.css", "i18n/fr.toml", "templates/shortcodes/quote.html", "templates/partials/card.html"] {
        assert!(site.root().join("themes/default").join(rel).is_file(), "{rel}");
    }
    let edited = std::fs::read_to_string(&brief).unwrap().replace("<div class=\"body\">", "<div class=\"body\" data-edited=\"yes\">");
    std::fs::write(&brief, &edited).unwrap();
    let again = site.run(&["theme", "eject"]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("kept") && again.stdout.is_empty(), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&brief).unwrap(), edited);
    let run = site.build();
    assert_eq!(crate::support::attrs(&run.page("briefs/a/"), ".body", "data-edited"), ["yes"]);
    let outside = SiteTest::empty().run(&["theme", "eject"]);
    assert_eq!(outside.code, 1);
    assert!(outside.stderr.contains("has no site.toml"), "{}", outside.stderr);
}
