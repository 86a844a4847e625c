//! One fixture per mistake an editor can make: `check` and `build` report each at its
//! file, line and column with a useful message, exit 1, and write nothing.

use crate::support::SiteTest;

const OK_BRIEF: &str = "---\ntitle: Fine\ndate: 2025-01-01\ncompanies: [meta]\nsources: [threads]\n---\nBody.\n";

/// Adds `file` with `text` to a valid site, runs `check`, and expects `want` (a whole
/// `path:line:col: error: message` prefix) and, if given, the hint.
fn expect(file: &str, text: &[u8], want: &str, hint: Option<&str>) {
    let site = SiteTest::new().file("content/briefs/2025-01-01-fine.md", OK_BRIEF).bytes(file, text);
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1, "check should fail for {file}:\n{}", r.stderr);
    let root = site.root().to_string_lossy().into_owned();
    let shown = r.stderr.replace(&format!("{root}/"), "");
    assert!(shown.contains(want), "expected\n  {want}\nin\n{shown}");
    if let Some(h) = hint {
        assert!(shown.contains(&format!("hint: {h}")), "expected hint {h:?} in\n{shown}");
    }
    assert!(!shown.contains("panicked"), "{shown}");
    // build reports the same and writes nothing.
    let b = site.run(&["build"]);
    assert_eq!(b.code, 1);
    assert!(!site.root().join("public").exists(), "a failed build wrote output");
}

fn brief(front: &str, body: &str) -> Vec<u8> {
    format!("---\n{front}\n---\n{body}\n").into_bytes()
}

const B: &str = "content/briefs/2025-02-01-b.md";

#[test]
fn malformed_yaml() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\ntags: [a, b\nstatus: reported", ""),
        "content/briefs/2025-02-01-b.md:4:7: error: this `[` is never closed",
        Some("close the list on the same line: `companies: [meta, google]`"),
    );
}

#[test]
fn missing_front_matter_fence() {
    expect(
        B,
        b"title: A\ndate: 2025-02-01\n",
        "content/briefs/2025-02-01-b.md:1:1: error: missing front matter",
        Some("put `---` on the first line, the YAML keys, then another `---` line before the text"),
    );
}

#[test]
fn unclosed_front_matter() {
    expect(B, b"---\ntitle: A\ndate: 2025-02-01\nBody\n", "content/briefs/2025-02-01-b.md:1:1: error: unclosed front matter", None);
}

#[test]
fn empty_file() {
    expect(B, b"", "content/briefs/2025-02-01-b.md:1:1: error: the file is empty", None);
}

#[test]
fn not_utf8() {
    expect(
        B,
        b"---\ntitle: caf\xe9\ndate: 2025-02-01\n---\n",
        "content/briefs/2025-02-01-b.md:2:11: error: the file is not valid UTF-8",
        None,
    );
}

#[test]
fn missing_required_field() {
    expect(
        B,
        &brief("date: 2025-02-01\nsources: [threads]", ""),
        "content/briefs/2025-02-01-b.md:2:1: error: missing required key `title`",
        None,
    );
}

#[test]
fn unknown_key_with_suggestion() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\ncompnies: [meta]", ""),
        "content/briefs/2025-02-01-b.md:4:1: error: unknown key `compnies`",
        Some("did you mean \"companies\"?"),
    );
}

#[test]
fn wrong_type() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\ncompanies: meta", ""),
        "content/briefs/2025-02-01-b.md:4:12: error: `companies` must be a list, not the text \"meta\"",
        None,
    );
}

#[test]
fn impossible_date() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-30\nsources: [threads]", ""),
        "content/briefs/2025-02-01-b.md:3:7: error: \"2025-02-30\" is not a date: 30 February does not exist (February 2025 has 28 days)",
        None,
    );
}

#[test]
fn malformed_date() {
    expect(
        B,
        &brief("title: A\ndate: 14/03/2025\nsources: [threads]", ""),
        "content/briefs/2025-02-01-b.md:3:7: error: \"14/03/2025\" is not a date: write YYYY-MM-DD",
        None,
    );
}

#[test]
fn status_outside_the_set() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\nstatus: confimed", ""),
        "content/briefs/2025-02-01-b.md:4:9: error: unknown status \"confimed\"",
        Some("did you mean \"confirmed\"?"),
    );
}

#[test]
fn unknown_company() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\ncompanies: [meta, alphabat]", ""),
        "content/briefs/2025-02-01-b.md:4:19: error: unknown company \"alphabat\"",
        Some("did you mean \"alphabet\"?"),
    );
}

#[test]
fn unknown_source() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\nsources:\n  - source: the-inf\n    url: https://e.org/", ""),
        "content/briefs/2025-02-01-b.md:5:13: error: unknown source \"the-inf\"",
        Some("did you mean \"the-info\"?"),
    );
}

#[test]
fn unknown_parent() {
    expect(
        "content/companies/waymo.md",
        b"---\nname: Waymo\nparent: alphabett\n---\n",
        "content/companies/waymo.md:3:9: error: unknown company \"alphabett\"",
        Some("did you mean \"alphabet\"?"),
    );
}

#[test]
fn unknown_story_close_to_another() {
    let site = SiteTest::new().file("content/stories/meta-gemini.md", "---\ntitle: Meta and Gemini\n---\n").brief(
        "2025-02-01-b",
        "title: B\ndate: 2025-02-01\nsources: [threads]\nstory: meta-gemni",
        "x",
    );
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("2025-02-01-b.md:5:8: error: unknown story \"meta-gemni\""), "{}", r.stderr);
    assert!(r.stderr.contains("did you mean \"meta-gemini\"?"), "{}", r.stderr);
}

#[test]
fn wiki_link_to_nothing() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\nsources: [threads]", "First line.\nThen [[Metta]] spoke."),
        "content/briefs/2025-02-01-b.md:7:6: error: [[Metta]] matches no company, source, person, product, brief or story",
        Some("did you mean [[meta]]?"),
    );
}

#[test]
fn wiki_link_to_a_missing_brief() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\nsources: [threads]", "See [[brief:fien]]."),
        "content/briefs/2025-02-01-b.md:6:5: error: no brief with the slug \"fien\"",
        Some("did you mean \"brief:fine\"?"),
    );
}

#[test]
fn ambiguous_wiki_link_lists_candidates() {
    let site = SiteTest::new().file("content/companies/threads-inc.md", "---\nname: Threads\n---\n").brief(
        "2025-02-01-b",
        "title: B\ndate: 2025-02-01\nsources: [threads]",
        "On [[Threads]] today.",
    );
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("2025-02-01-b.md:6:4: error: [[Threads]] matches more than one thing: company \"threads-inc\" (Threads), source \"threads\" (Threads)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("[[company:Threads]]"), "{}", r.stderr);
}

#[test]
fn md_link_to_nothing() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\nsources: [threads]", "See [Meta](../companies/mta.md)."),
        "content/briefs/2025-02-01-b.md:6:5: error: link \"../companies/mta.md\" points to content/companies/mta.md",
        Some("did you mean content/companies/meta.md?"),
    );
}

#[test]
fn duplicate_brief_slugs_name_both_files() {
    let site = SiteTest::new().brief("2025-01-01-same", "title: A\ndate: 2025-01-01\nsources: [threads]", "x").brief(
        "2025-01-02-other",
        "title: B\ndate: 2025-01-02\nslug: same\nsources: [threads]",
        "x",
    );
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("two briefs have the slug \"same\""), "{}", r.stderr);
    assert!(r.stderr.contains("2025-01-01-same.md") && r.stderr.contains("2025-01-02-other.md"), "{}", r.stderr);
}

#[test]
fn slug_that_would_escape_the_output() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\nslug: ../../etc/passwd", ""),
        "content/briefs/2025-02-01-b.md:4:7: error: \"../../etc/passwd\" is not a valid slug",
        None,
    );
}

#[test]
fn non_http_url() {
    expect(
        B,
        &brief("title: A\ndate: 2025-02-01\nsources:\n  - source: threads\n    url: javascript:alert(1)", ""),
        "content/briefs/2025-02-01-b.md:6:10: error: \"javascript:alert(1)\" is not an http(s) URL",
        None,
    );
    expect(
        "content/sources/ftp.md",
        b"---\nname: FTP\nwebsite: ftp://files.example/\n---\n",
        "content/sources/ftp.md:3:10: error: \"ftp://files.example/\" is not an http(s) URL",
        None,
    );
}

#[test]
fn alias_that_is_another_companys_name() {
    // A warning: the name keeps linking to its own company; --strict fails on it.
    let site = SiteTest::new().file("content/companies/fb.md", "---\nname: FB Inc\naliases: [Alphabet]\n---\n").brief(
        "2025-02-01-b",
        "title: B\ndate: 2025-02-01\nsources: [threads]",
        "[[Alphabet]] moved.",
    );
    let r = site.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("content/companies/fb.md:3:11: warning: alias \"Alphabet\" is the name of company \"alphabet\""),
        "{}",
        r.stderr
    );
    assert_eq!(site.run(&["check", "--strict"]).code, 1);
    let run = site.build();
    assert_eq!(crate::support::attrs(&run.page("briefs/b/"), ".body a", "href"), ["/companies/alphabet/"]);
}

#[test]
fn alias_shared_by_two_companies() {
    // Reported as a warning on the first file, naming the other; --strict fails on it, and
    // a link with the shared alias is an error because it is ambiguous.
    let site = SiteTest::new()
        .file("content/briefs/2025-01-01-fine.md", OK_BRIEF)
        .file("content/companies/fb.md", "---\nname: FB Inc\naliases: [Facebook]\n---\n");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("content/companies/fb.md:3:11: warning: alias \"Facebook\" is also an alias of meta"), "{}", r.stderr);
    assert_eq!(site.run(&["check", "--strict"]).code, 1);
    let site = site.brief("2025-02-01-b", "title: B\ndate: 2025-02-01\nsources: [threads]", "[[Facebook]] said no.");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("2025-02-01-b.md:6:1: error: [[Facebook]] matches more than one thing: company \"fb\" (FB Inc), company \"meta\" (Meta Platforms)"), "{}", r.stderr);
}

#[test]
fn parent_cycle() {
    let site = SiteTest::new()
        .file("content/companies/a.md", "---\nname: A\nparent: b\n---\n")
        .file("content/companies/b.md", "---\nname: B\nparent: a\n---\n");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("content/companies/a.md:3:1: error: parent companies form a cycle: a -> b -> a"), "{}", r.stderr);
}

#[test]
fn unknown_config_key() {
    let site = SiteTest::new().file("site.toml", "title = \"T\"\nbase_url = \"https://e.org/\"\nbrief_per_page = 3\n");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("site.toml:3:1: error: unknown field `brief_per_page`"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: did you mean \"briefs_per_page\"?"), "{}", r.stderr);
}

#[test]
fn page_that_would_replace_a_site_page() {
    expect(
        "content/pages/archive.md",
        b"---\ntitle: Old archive\n---\n",
        "content/pages/archive.md:1:1: error: page \"archive\" would replace the site's own /archive/",
        None,
    );
}

#[test]
fn pages_cannot_take_the_search_or_corrections_pages() {
    for name in ["search", "corrections", "people"] {
        expect(
            &format!("content/pages/{name}.md"),
            b"---\ntitle: Mine\n---\n",
            &format!("content/pages/{name}.md:1:1: error: page \"{name}\" would replace the site's own /{name}/"),
            None,
        );
    }
}

/// Checks a site with one brief (`front` and `body`) and expects exactly one error: `expected`.
fn check_finds_only(front: &str, body: &str, expected: &str) {
    let r = SiteTest::new().brief("2025-02-01-b", front, body).run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(expected), "{}", r.stderr);
    assert!(r.stderr.contains("1 error"), "the anchor that exists is fine: {}", r.stderr);
}

#[test]
fn broken_anchor_found_by_check() {
    check_finds_only(
        "title: A\ndate: 2025-02-01\nsources: [threads]",
        "Jump [below](#nowhere) or [up](#h-sources).",
        "2025-02-01-b.md:6:15: error: page /briefs/b/ links to #nowhere, but that page has no element with id \"nowhere\"",
    );
}

#[test]
fn broken_anchor_on_another_page_found_by_check() {
    check_finds_only(
        "title: A\ndate: 2025-02-01\ncompanies: [meta]\nsources: [threads]",
        "See [the briefs](/companies/meta/#h-briefs) and [the rest](/companies/meta/#h-nothing).",
        "2025-02-01-b.md:7:77: error: page /briefs/b/ links to /companies/meta/#h-nothing, but that page has no element with id \"h-nothing\"",
    );
}

#[test]
fn template_error_names_template_and_page() {
    let site = SiteTest::new()
        .file("content/briefs/2025-01-01-fine.md", OK_BRIEF)
        .file("templates/brief.html", "{% extends \"base.html\" %}{% block content %}{{ brief.titel }}{% endblock content %}");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("templates/brief.html:1:"), "{}", r.stderr);
    assert!(r.stderr.contains("while rendering /briefs/fine/"), "{}", r.stderr);
}

#[test]
fn every_mistake_in_every_file_is_reported_at_once_sorted() {
    let site = SiteTest::new()
        .brief("2025-01-01-a", "title: A\ndate: 2025-01-01\ncompanies: [metta]", "x")
        .brief("2025-01-02-b", "title: B\ndate: 2025-13-01", "x")
        .brief("2025-01-03-c", "title: C\ndate: 2025-01-03\nstatus: sure", "[[nobody]]")
        .file("content/companies/z.md", "---\nname: Z\nwebsite: nope\n---\n");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    let root = site.root().to_string_lossy().into_owned();
    let errors: Vec<String> = r
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(|l| l.replace(&format!("{root}/"), "").split(": error: ").next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        errors,
        [
            "content/briefs/2025-01-01-a.md:4:13",
            "content/briefs/2025-01-02-b.md:3:7",
            "content/briefs/2025-01-03-c.md:4:9",
            "content/briefs/2025-01-03-c.md:6:1",
            "content/companies/z.md:3:10"
        ]
    );
    assert!(r.stderr.contains("5 errors"), "{}", r.stderr);
}

#[test]
fn warnings_pass_unless_strict() {
    let site = SiteTest::new().brief("2025-01-01-a", "title: A\ndate: 2025-01-01", "No sources.");
    let r = site.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning: this brief cites no sources"), "{}", r.stderr);
    let r = site.run(&["check", "--strict"]);
    assert_eq!(r.code, 1);
    let r = site.run(&["build", "--strict"]);
    assert_eq!(r.code, 1);
    // An analysis needs no source: --strict is usable with one in the site.
    let analysis = SiteTest::new().brief("2025-01-01-a", "title: A\ndate: 2025-01-01\nstatus: analysis", "Our reading.");
    let r = analysis.run(&["build", "--strict"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("built 1 brief: "), "one brief, not \"1 briefs\": {}", r.stderr);
    assert!(analysis.run(&["check"]).stderr.contains("checked 1 brief: no errors"));
    assert!(!site.root().join("public").exists());
}

#[test]
fn missing_site_toml_is_explained() {
    let site = SiteTest::empty();
    let r = site.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no site.toml"), "{}", r.stderr);
}

#[test]
fn commands_find_the_site_from_a_folder_inside_it() {
    let site = SiteTest::new().brief("2025-01-01-a", "title: A\ndate: 2025-01-01\nsources: [threadz]", "x");
    let inside = site.root().join("content/briefs");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_briefing")).arg("check").current_dir(&inside).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("../../content/briefs/2025-01-01-a.md:4:"), "found the site two folders up, paths shown from here: {err}");
    assert!(!err.contains("site.toml:0:0"), "{err}");
}

/// `check` takes the pages a build kept (`.briefing-cache/pages`) instead of rendering them
/// again, and still checks every link on them against the site as it is now.
#[test]
fn check_reads_the_pages_a_build_kept_and_still_finds_their_broken_links() {
    let theme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/brief.html")).unwrap();
    let linked = theme.replace("{% block content %}", "{% block content %}<a href=\"/files/terms.txt\">Terms</a>");
    let site = SiteTest::new()
        .file("static/files/terms.txt", "Terms.\n")
        .file("templates/brief.html", &linked)
        .brief("2025-02-01-b", "title: A\ndate: 2025-02-01\nsources: [threads]", "Text.");
    let rendered = |run: &crate::support::Run| -> (usize, usize) {
        let line = run.stderr.lines().find_map(|l| l.split("pages rendered again ").nth(1)).unwrap_or_else(|| panic!("{}", run.stderr));
        let mut n = line.split(" of ").map(|p| p.trim_end_matches(|c: char| !c.is_ascii_digit()).parse::<usize>().unwrap());
        (n.next().unwrap(), n.next().unwrap())
    };
    let before = site.run(&["check", "--timings"]);
    assert_eq!(before.code, 0, "{}", before.stderr);
    let (n, of) = rendered(&before);
    assert_eq!(n, of, "nothing kept yet");
    site.build();
    let kept = site.run(&["check", "--timings"]);
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    assert_eq!(rendered(&kept), (0, of), "every page as the build kept it");

    let site = site.remove("static/files/terms.txt");
    let broken = site.run(&["check", "--timings"]);
    assert_eq!(broken.code, 1);
    assert!(broken.stderr.contains("2025-02-01-b.md") && broken.stderr.contains("page /briefs/b/ links to /files/terms.txt"), "{}", broken.stderr);
    assert_eq!(rendered(&broken), (0, of), "the brief's page is the kept one");
}
