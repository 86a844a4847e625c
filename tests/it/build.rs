//! Builds small fixture sites with the real binary and checks what readers see.

use crate::support::*;

pub fn story_site() -> SiteTest {
    SiteTest::new()
        .brief(
            "2025-03-01-talks",
            "title: Meta held talks with Google\ndate: 2025-03-01T10:00:00Z\ncompanies: [meta, google]\nsources:\n  - source: the-info\n    url: https://example.com/scoop?a=1&b=2\n    title: The scoop\nstatus: reported\nstory: meta-gemini\ntags: [Advertising, Foundation Models]",
            "[[Meta]] talked to [[google]].\n\nSecond paragraph.",
        )
        .brief(
            "2025-03-01-denial",
            "title: Meta denies the talks\ndate: 2025-03-01T18:00:00Z\ncompanies: [meta]\nsources: [threads]\nstatus: denied\nstory: meta-gemini\ntags: [Advertising]",
            "A spokesperson for [[Facebook|the company]] denied [[brief:talks]].",
        )
        .brief(
            "2025-03-02-shares",
            "title: Alphabet shares rise\ndate: 2025-03-02\ncompanies: [alphabet]\nsources: [the-info]\nstatus: confirmed\nstory: meta-gemini",
            "Up a little. See [[story:meta-gemini]] and [the parent](../companies/alphabet.md).",
        )
}

#[test]
fn brief_links_to_its_companies_sources_tags_and_story() {
    let run = story_site().build();
    let page = run.page("briefs/talks/");
    let links = attrs(&page, "a", "href");
    for want in [
        "/companies/meta/",
        "/companies/google/",
        "/sources/the-info/",
        "https://example.com/scoop?a=1&b=2",
        "/tags/advertising/",
        "/tags/foundation-models/",
        "/stories/meta-gemini/",
    ] {
        assert!(links.iter().any(|l| l == want), "brief page lacks a link to {want}: {links:?}");
    }
    assert_eq!(texts(&page, "h1"), ["Meta held talks with Google"]);
    assert!(texts(&page, ".status").contains(&"Reported".to_string()));
}

#[test]
fn company_page_lists_its_briefs_newest_first_and_relations() {
    let run = story_site().build();
    let meta = run.page("companies/meta/");
    let titles = texts(&meta, ".card h2");
    assert_eq!(titles, ["Meta denies the talks", "Meta held talks with Google"]);
    assert!(texts(&meta, "body").join(" ").contains("META"));
    // Often named with: Google appears alongside Meta once.
    assert!(attrs(&meta, "a", "href").contains(&"/companies/google/".to_string()));
    let google = run.page("companies/google/");
    assert!(attrs(&google, "a", "href").contains(&"/companies/alphabet/".to_string()), "google links its parent");
    let alphabet = run.page("companies/alphabet/");
    assert!(attrs(&alphabet, "a", "href").contains(&"/companies/google/".to_string()), "alphabet links its subsidiary");
    assert!(run.exists("companies/meta/atom.xml"));
}

#[test]
fn source_page_shows_track_record() {
    let run = story_site().build();
    let src = run.page("sources/the-info/");
    assert_eq!(texts(&src, ".card h2"), ["Alphabet shares rise", "Meta held talks with Google"]);
    // One claim (the report); the confirmation that also cites it is listed, not counted.
    // The report was followed in the story by a denial, then a confirmation: the latest wins.
    let claims = texts(&src, ".record tbody td a");
    assert_eq!(claims, ["Meta held talks with Google", "Confirmed"]);
    assert_eq!(attrs(&src, ".record tbody a.outcome", "href"), ["/briefs/shares/"], "the outcome links the brief that settled it");
    let outcome = texts(&src, ".outcomes").join(" ");
    assert!(
        outcome.contains("cited for 1 claim (reports and rumors): 1 later confirmed, 0 denied by their subject, 0 still open"),
        "{outcome}"
    );
}

#[test]
fn only_claims_count_in_a_track_record() {
    // The seed story: a report, a denial posted on a social network, and an analysis of
    // the share move that cites a market-data source. Only the report is a claim.
    let run = SiteTest::new()
        .file("content/sources/market-data.md", "---\nname: Market Data\nkind: filing\n---\n")
        .brief("2025-10-30-report", "title: Report\ndate: 2025-10-30T12:00:00Z\nsources: [the-info]\nstatus: reported\nstory: s", "R.")
        .brief("2025-10-30-denial", "title: Denial\ndate: 2025-10-30T15:00:00Z\nsources: [threads]\nstatus: denied\nstory: s", "D.")
        .brief("2025-10-30-shares", "title: Shares\ndate: 2025-10-30T16:00:00Z\nsources: [market-data]\nstatus: analysis\nstory: s", "A.")
        .build();
    let info = run.page("sources/the-info/");
    assert_eq!(texts(&info, ".record tbody a.outcome"), ["Denied by the subject"]);
    assert!(texts(&info, ".outcomes").join(" ").contains("0 later confirmed, 1 denied by their subject, 0 still open"));
    for quiet in ["sources/threads/", "sources/market-data/"] {
        let page = run.page(quiet);
        assert!(texts(&page, ".record tbody tr").is_empty(), "{quiet} made no claim");
        let text = texts(&page, ".record").join(" ");
        assert!(text.contains("No brief cites") && !text.contains("1 denied"), "{quiet}: {text}");
        assert_eq!(texts(&page, ".card h2").len(), 1, "{quiet} still lists the brief citing it");
    }
}

#[test]
fn story_is_a_timeline_with_previous_and_next() {
    let run = story_site().build();
    let story = run.page("stories/meta-gemini/");
    assert_eq!(texts(&story, ".timeline .card h2"), ["Meta held talks with Google", "Meta denies the talks", "Alphabet shares rise"]);
    assert_eq!(texts(&story, ".status-path .status"), ["Reported", "Denied", "Confirmed"]);
    // A story without a file takes its earliest brief's title.
    assert_eq!(texts(&story, "h1"), ["Meta held talks with Google"]);
    let denial = run.page("briefs/denial/");
    assert_eq!(attrs(&denial, "a[rel=prev]", "href"), ["/briefs/talks/"]);
    assert_eq!(attrs(&denial, "a[rel=next]", "href"), ["/briefs/shares/"]);
}

#[test]
fn wiki_and_markdown_links_resolve() {
    let run = story_site().build();
    let talks = run.page("briefs/talks/");
    let body = attrs(&talks, ".body a", "href");
    assert_eq!(body, ["/companies/meta/", "/companies/google/"]);
    assert_eq!(texts(&talks, ".body a"), ["Meta", "Google"], "a slug link shows the company's name");
    let denial = run.page("briefs/denial/");
    assert_eq!(attrs(&denial, ".body a", "href"), ["/companies/meta/", "/briefs/talks/"]);
    assert_eq!(texts(&denial, ".body a"), ["the company", "Meta held talks with Google"]);
    let shares = run.page("briefs/shares/");
    assert_eq!(attrs(&shares, ".body a", "href"), ["/stories/meta-gemini/", "/companies/alphabet/"]);
}

#[test]
fn related_briefs_share_companies_or_tags() {
    let run = story_site().build();
    let talks = run.page("briefs/talks/");
    assert_eq!(texts(&talks, ".related li a"), ["Meta denies the talks"]);
}

#[test]
fn home_is_paginated_newest_first() {
    let mut site = SiteTest::new();
    for i in 1..=7 {
        site = site.brief(&format!("2025-01-0{i}-b{i}"), &format!("title: Brief {i}\ndate: 2025-01-0{i}\nsources: [threads]"), "Text.");
    }
    let run = site.build();
    assert_eq!(texts(&run.page(""), ".card h2"), ["Brief 7", "Brief 6", "Brief 5"]);
    assert_eq!(texts(&run.page("page/2/"), ".card h2"), ["Brief 4", "Brief 3", "Brief 2"]);
    assert_eq!(texts(&run.page("page/3/"), ".card h2"), ["Brief 1"]);
    assert!(!run.exists("page/4/index.html"));
    assert_eq!(attrs(&run.page("page/2/"), "a[rel=prev]", "href"), ["/"]);
    assert_eq!(attrs(&run.page("page/2/"), "a[rel=next]", "href"), ["/page/3/"]);
    let archive = run.page("archive/");
    assert_eq!(texts(&archive, "h2"), ["January 2025"]);
}

#[test]
fn every_url_of_the_contract_is_written() {
    let run = story_site().file("content/pages/about.md", "---\ntitle: About us\n---\nHi.\n").build();
    for f in [
        "index.html",
        "briefs/talks/index.html",
        "companies/index.html",
        "companies/meta/index.html",
        "companies/meta/atom.xml",
        "sources/index.html",
        "sources/the-info/index.html",
        "sources/the-info/atom.xml",
        "tags/index.html",
        "tags/foundation-models/index.html",
        "tags/foundation-models/atom.xml",
        "stories/index.html",
        "stories/meta-gemini/index.html",
        "stories/meta-gemini/atom.xml",
        "archive/index.html",
        "about/index.html",
        "atom.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "style.css",
    ] {
        assert!(run.exists(f), "missing {f}");
    }
}

/// Every href/src in every page points at a file the build wrote.
fn assert_internal_links_resolve(run: &Run, base_path: &str) {
    let files = run.files();
    let mut checked = 0;
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        let page = run.page(f);
        for link in attrs(&page, "a", "href").into_iter().chain(attrs(&page, "link", "href")) {
            if link.starts_with("http") || link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            let path = link.split('#').next().unwrap_or("");
            let rel = path.strip_prefix(base_path).unwrap_or_else(|| panic!("{f}: link {link} is outside {base_path}"));
            let target = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
            assert!(files.contains(&target), "{f}: link {link} points to a missing file {target}");
            checked += 1;
        }
    }
    assert!(checked > 50, "too few links checked: {checked}");
}

#[test]
fn sub_path_base_url_keeps_every_link_working() {
    let run = story_site()
        .file("site.toml", "title = \"T\"\nbase_url = \"https://example.org/briefing\"\nbriefs_per_page = 2\n")
        .file("content/pages/about.md", "---\ntitle: About\n---\nSee [Meta](../companies/meta.md).\n")
        .build();
    assert_internal_links_resolve(&run, "/briefing/");
    let feed = run.read("atom.xml");
    let ids = xml_texts(&feed, "id");
    assert!(ids.iter().all(|i| i.starts_with("https://example.org/briefing/")), "{ids:?}");
    let sitemap = run.read("sitemap.xml");
    let locs = xml_texts(&sitemap, "loc");
    assert!(locs.contains(&"https://example.org/briefing/briefs/talks/".to_string()), "{locs:?}");
    assert!(run.read("robots.txt").contains("Sitemap: https://example.org/briefing/sitemap.xml"));
}

#[test]
fn base_url_flag_overrides_config() {
    let site = story_site();
    let r = site.build_with(&["--base-url", "http://127.0.0.1:8000/preview/"]);
    assert_internal_links_resolve(&r, "/preview/");
}

#[test]
fn root_site_links_all_resolve() {
    let run = story_site().build();
    assert_internal_links_resolve(&run, "/");
}

#[test]
fn front_matter_is_escaped_in_every_context() {
    let evil = "<script>alert(1)</script> & \"quotes\"";
    let run = SiteTest::new()
        .brief(
            "2025-01-01-evil",
            &format!("title: '{evil}'\ndate: 2025-01-01\nsummary: '{evil}'\ncompanies: [meta]\nsources: [threads]\ntags: ['{evil}']"),
            "Body.",
        )
        .build();
    for f in ["briefs/evil/index.html", "index.html", "companies/meta/index.html", "archive/index.html", "tags/index.html"] {
        let html = run.read(f);
        assert!(!html.contains("<script>alert"), "{f} carries raw script");
    }
    // Escaped, with the typography of bodies (curly quotes).
    let shown = briefing::content::html::typography(evil);
    assert_eq!(texts(&run.page("briefs/evil/"), "h1"), [shown.as_str()]);
    let feed = run.read("atom.xml");
    assert_eq!(xml_texts(&feed, "title")[1], shown);
    let json: serde_json::Value = serde_json::from_str(&run.read("feed.json")).expect("valid JSON");
    assert_eq!(json["items"][0]["title"], shown.as_str());
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
}

#[test]
fn drafts_never_leak_unless_asked() {
    let site = story_site().brief(
        "2025-04-01-secret",
        "title: Secret draft\ndate: 2025-04-01\ncompanies: [meta]\nsources: [threads]\nstory: meta-gemini\ntags: [Hidden Tag]\ndraft: true",
        "Unpublished.",
    );
    let run = site.build();
    for f in run.files() {
        let text = std::fs::read_to_string(run.out.join(&f)).unwrap_or_default();
        assert!(!text.contains("Secret draft") && !text.contains("secret"), "draft leaked into {f}");
        assert!(!text.contains("hidden-tag"), "draft tag leaked into {f}");
    }
    let run = site.build_with(&["--drafts"]);
    assert!(run.exists("briefs/secret/index.html"));
    assert!(run.read("index.html").contains("Secret draft"));
}

#[test]
fn feeds_parse_and_list_newest_first() {
    let run = story_site().build();
    let atom = run.read("atom.xml");
    let titles = xml_texts(&atom, "title");
    assert_eq!(titles, ["Test Briefing", "Alphabet shares rise", "Meta denies the talks", "Meta held talks with Google"]);
    let meta = run.read("companies/meta/atom.xml");
    assert_eq!(xml_texts(&meta, "title")[1..], ["Meta denies the talks", "Meta held talks with Google"]);
    let story = run.read("stories/meta-gemini/atom.xml");
    assert_eq!(xml_texts(&story, "title").len(), 4);
    let json: serde_json::Value = serde_json::from_str(&run.read("feed.json")).expect("valid JSON");
    assert_eq!(json["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["items"][0]["url"], "https://example.org/briefs/shares/");
    assert!(json["items"][0]["content_html"].as_str().unwrap_or("").contains("href=\"https://example.org/stories/meta-gemini/\""), "feed content links are absolute");
}

#[test]
fn feed_content_links_are_absolute_enough_for_readers() {
    // Feed readers resolve relative links against the entry's link; root-relative links
    // work because the entry link is absolute on the same host.
    let run = story_site().build();
    let atom = run.read("atom.xml");
    assert!(atom.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://example.org/briefs/shares/\"/>"));
}

#[test]
fn site_templates_override_theme_file_by_file() {
    let run = story_site()
        .file(
            "templates/page.html",
            "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">{{ page.title }}</p>{% endblock content %}",
        )
        .file("content/pages/about.md", "---\ntitle: About\n---\n")
        .build();
    assert_eq!(texts(&run.page("about/"), "#custom"), ["About"]);
    // Other templates still come from the theme.
    assert_eq!(texts(&run.page("briefs/talks/"), "h1"), ["Meta held talks with Google"]);
}

#[test]
fn templates_see_extra_keys_in_the_order_written() {
    let run = story_site()
        .file(
            "templates/page.html",
            "{% extends \"base.html\" %}{% block content %}<ul id=\"extra\">{% for key, value in page.extra %}<li>{{ key }}={{ value }}</li>{% endfor %}</ul>{% endblock content %}",
        )
        .file("content/pages/about.md", "---\ntitle: About\nextra:\n  zeta: 1\n  alpha: 2\n  mid: 3\n  beta: 4\n---\n")
        .build();
    assert_eq!(texts(&run.page("about/"), "#extra li"), ["zeta=1", "alpha=2", "mid=3", "beta=4"]);
}

#[test]
fn site_without_themes_folder_uses_the_built_in_theme_and_static_overrides() {
    let run = story_site().file("static/extra.txt", "hello").build();
    assert!(run.exists("style.css"));
    assert_eq!(run.read("extra.txt"), "hello");
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let site = story_site();
    let first = site.build();
    let before: Vec<(String, Vec<u8>)> =
        first.files().into_iter().map(|f| (f.clone(), std::fs::read(first.out.join(&f)).expect("read"))).collect();
    let site = site.brief("2025-05-01-broken", "title: Broken\ndate: 2025-05-01\ncompanies: [metta]", "x");
    let failed = site.build_fails();
    assert!(failed.stderr.contains("unknown company \"metta\""), "{}", failed.stderr);
    let after: Vec<(String, Vec<u8>)> =
        failed.files().into_iter().map(|f| (f.clone(), std::fs::read(failed.out.join(&f)).expect("read"))).collect();
    assert_eq!(before, after, "the previous output changed");
}

#[test]
fn two_builds_are_byte_identical() {
    let site = story_site();
    let a: Vec<(String, Vec<u8>)> = {
        let r = site.build();
        r.files().into_iter().map(|f| (f.clone(), std::fs::read(r.out.join(&f)).expect("read"))).collect()
    };
    let r = site.build();
    let b: Vec<(String, Vec<u8>)> = r.files().into_iter().map(|f| (f.clone(), std::fs::read(r.out.join(&f)).expect("read"))).collect();
    assert_eq!(a, b);
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_create() {
    let site = story_site().file("public/precious.txt", "keep me");
    let r = site.run(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert!(r.stderr.contains("file); choose another --output"), "one sentence, no stray backslash or spaces: {}", r.stderr);
    assert_eq!(std::fs::read_to_string(site.root().join("public/precious.txt")).expect("kept"), "keep me");
    let r = site.run(&["build", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!site.root().join("public/precious.txt").exists());
}

#[test]
fn refuses_to_write_over_the_site_itself() {
    let site = story_site();
    let root = site.root().to_string_lossy().into_owned();
    let r = site.run(&["build", "--output", &root, "--force"]);
    assert_eq!(r.code, 1);
    assert!(site.root().join("site.toml").exists());
    assert!(site.root().join("content/briefs/2025-03-01-talks.md").exists());
}

#[test]
fn output_flag_writes_elsewhere() {
    let site = story_site();
    let out = tempfile::tempdir().expect("tmp");
    let target = out.path().join("site-out");
    let r = site.run(&["build", "--output", &target.to_string_lossy()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(target.join("briefs/talks/index.html").exists());
    assert!(!site.root().join("public").exists());
}

#[test]
fn unknown_company_is_reported_with_place_and_hint() {
    let r = SiteTest::new()
        .brief("2025-01-01-a", "title: A\ndate: 2025-01-01\ncompanies:\n  - meta\n  - metta\nsources: [threads]", "x")
        .build_fails();
    assert!(r.stderr.contains("content/briefs/2025-01-01-a.md:6:5: error: unknown company \"metta\""), "{}", r.stderr);
    assert!(r.stderr.contains("hint: did you mean \"meta\"?"), "{}", r.stderr);
}

#[test]
fn same_title_on_two_days_keeps_both_briefs() {
    let run = SiteTest::new()
        .brief("2025-01-01-regulators-probe-meta", "title: Regulators probe Meta\ndate: 2025-01-01\nsources: [threads]", "First.")
        .brief("2025-06-01-regulators-probe-meta", "title: Regulators probe Meta\ndate: 2025-06-01\nsources: [threads]", "Second.")
        .build();
    // The older brief keeps the short slug; the later one keeps its date.
    assert!(run.read("briefs/regulators-probe-meta/index.html").contains("First."));
    assert!(run.read("briefs/2025-06-01-regulators-probe-meta/index.html").contains("Second."));
}

#[test]
fn every_atom_feed_has_an_rss_twin() {
    let run = story_site().build();
    for page in ["", "companies/meta/", "sources/the-info/", "tags/advertising/", "stories/meta-gemini/"] {
        assert!(run.exists(&format!("{page}atom.xml")), "{page}atom.xml");
        let rss = run.read(&format!("{page}rss.xml"));
        assert!(rss.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\""), "{page}: {rss}");
        assert!(rss.contains(&format!("<atom:link href=\"https://example.org/{page}rss.xml\" rel=\"self\"")), "{page}");
        assert_eq!(xml_texts(&rss, "title").len(), xml_texts(&run.read(&format!("{page}atom.xml")), "title").len(), "{page}: same briefs");
    }
    let site = run.read("rss.xml");
    assert_eq!(
        xml_texts(&site, "pubDate"),
        ["Sun, 2 Mar 2025 00:00:00 +0000", "Sat, 1 Mar 2025 18:00:00 +0000", "Sat, 1 Mar 2025 10:00:00 +0000"]
    );
    assert!(xml_texts(&site, "description").iter().any(|d| d.contains("<p>")), "the site's feed carries whole bodies");
    let home = run.page("");
    let alternates = attrs(&home, "link[rel=alternate]", "href");
    assert_eq!(alternates, ["/atom.xml", "/rss.xml", "/feed.json"], "each feed announced once");
    let meta = run.page("companies/meta/");
    assert!(attrs(&meta, "link[rel=alternate]", "href").contains(&"/companies/meta/rss.xml".to_string()));
}

#[test]
fn a_paywall_is_said_once() {
    let run = SiteTest::new()
        .brief(
            "2025-01-01-a",
            "title: A\ndate: 2025-01-01\nsources:\n  - source: the-info\n    url: https://example.com/a\n    note: paywalled",
            "x",
        )
        .brief("2025-01-02-b", "title: B\ndate: 2025-01-02\nsources:\n  - source: the-info\n    url: https://example.com/b", "x")
        .build();
    assert_eq!(texts(&run.page("briefs/a/"), ".citations .note"), ["paywalled"], "not \"paywall paywalled\"");
    assert_eq!(texts(&run.page("briefs/b/"), ".citations .note"), ["paywall"]);
}

#[test]
fn each_page_of_a_source_shows_the_claims_of_its_own_briefs() {
    // Three briefs a page, newest first: claims (reports, rumors) and analyses mixed, so a
    // page's claims are not a fixed share of the source's.
    let statuses = ["reported", "analysis", "rumor", "reported", "analysis", "reported", "reported"];
    let mut site = SiteTest::new();
    for (i, status) in statuses.iter().enumerate() {
        let day = i + 1;
        let front = format!("title: Brief {day}\ndate: 2025-04-{day:02}T09:00:00Z\nsources: [the-info]\nstatus: {status}");
        site = site.brief(&format!("2025-04-{day:02}-b{day}"), &front, "Text.");
    }
    let run = site.build();
    let claims = |path: &str| texts(&run.page(path), ".record tbody tr td:first-child a");
    assert_eq!(claims("sources/the-info/"), ["Brief 7", "Brief 6"]);
    assert_eq!(claims("sources/the-info/page/2/"), ["Brief 4", "Brief 3"]);
    assert_eq!(claims("sources/the-info/page/3/"), ["Brief 1"]);
    assert_eq!(texts(&run.page("sources/the-info/page/3/"), ".card h2"), ["Brief 1"]);
}
