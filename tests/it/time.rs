//! Time: the site's time zone, times shown where a brief has one, date mistakes in plain
//! words, and briefs scheduled for later held back until their time.

use crate::support::*;

/// 2025-10-30T16:00:00Z: after the morning report, before the evening denial.
const NOW: (&str, &str) = ("SOURCE_DATE_EPOCH", "1761840000");

fn seed_site() -> SiteTest {
    SiteTest::new()
        .file("site.toml", &format!("{CONFIG}timezone = \"America/New_York\"\n"))
        .brief(
            "2025-10-30-report",
            "title: The report\ndate: 2025-10-30 08:00\ncompanies: [meta]\nsources: [the-info]\nstatus: reported\nstory: ads",
            "Reported.",
        )
        .brief(
            "2025-10-30-shares",
            "title: Shares tick up\ndate: 2025-10-30T08:45\nsources: [the-info]\nstatus: analysis\nstory: ads",
            "Up.",
        )
        .brief("2025-10-29-dated", "title: A date only\ndate: 2025-10-29\nsources: [the-info]", "Day.")
        .brief(
            "2025-10-30-denial",
            "title: The denial\ndate: 2025-10-30 17:30\ncompanies: [meta]\nsources: [threads]\nstatus: denied\nstory: ads",
            "Denied.",
        )
}

#[test]
fn offset_less_times_are_read_and_shown_in_the_site_zone() {
    let run = seed_site().build_with(&["--future"]);
    let page = run.page("briefs/report/");
    assert_eq!(attrs(&page, ".meta time", "datetime")[0], "2025-10-30T08:00:00-04:00");
    assert!(texts(&page, ".meta time")[0].contains("08:00"), "{:?}", texts(&page, ".meta time"));
    // A date-only brief shows no time.
    let day = run.page("briefs/dated/");
    assert!(!texts(&day, ".meta time")[0].contains(':'), "{:?}", texts(&day, ".meta time"));
    // The story reads in the order of the times: report 08:00, shares 08:45, denial 17:30.
    let story = run.page("stories/ads/");
    assert_eq!(texts(&story, ".card h2"), ["The report", "Shares tick up", "The denial"]);
    let times: Vec<String> = texts(&story, ".card .meta time");
    assert!(times[0].contains("08:00") && times[1].contains("08:45") && times[2].contains("17:30"), "{times:?}");
    assert!(run.read("atom.xml").contains("<published>2025-10-30T17:30:00-04:00</published>"));
}

#[test]
fn scheduled_briefs_wait_for_their_time() {
    let site = seed_site();
    let r = site.run_env(&["build"], &[NOW]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("held back 1 scheduled brief; the next is due 2025-10-30T17:30:00-04:00"), "{}", r.stderr);
    assert!(!r.exists("briefs/denial/index.html"));
    assert!(!texts(&r.page(""), ".card h2").contains(&"The denial".to_string()));
    for file in ["atom.xml", "rss.xml", "feed.json", "sitemap.xml", "companies/meta/atom.xml", "stories/ads/index.html"] {
        assert!(!r.read(file).contains("denial"), "{file} shows the scheduled brief");
    }
    assert!(!std::fs::read_dir(r.out.join("search/d"))
        .unwrap()
        .any(|f| std::fs::read_to_string(f.unwrap().path()).unwrap().contains("The denial")));
    // The report is not settled yet: the denial has not been published.
    assert_eq!(texts(&r.page("sources/the-info/"), ".record tbody .outcome"), ["Open"]);
    let later = site.run_env(&["build", "--future"], &[NOW]);
    assert_eq!(later.code, 0, "{}", later.stderr);
    assert!(later.exists("briefs/denial/index.html") && !later.stderr.contains("held back"));
}

#[test]
fn a_link_to_a_scheduled_brief_is_an_error_until_it_is_out() {
    let site = seed_site().brief("2025-10-30-notes", "title: Notes\ndate: 2025-10-30 09:00\nsources: [threads]", "See [[brief:denial]].");
    let r = site.run_env(&["build"], &[NOW]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("brief \"denial\" is scheduled for 2025-10-30T17:30:00-04:00: it is not published yet"), "{}", r.stderr);
    assert!(r.stderr.contains("build with --future"), "{}", r.stderr);
    assert_eq!(site.run_env(&["check", "--future"], &[NOW]).code, 0);
}

#[test]
fn date_mistakes_are_told_in_plain_words() {
    let r = SiteTest::new()
        .file("site.toml", &format!("{CONFIG}timezone = \"America/New_Yrok\"\n"))
        .brief("a", "title: A\ndate: 2025-13-01\nsources: [threads]", "x")
        .brief("b", "title: B\ndate: 2025-02-30\nsources: [threads]", "x")
        .brief("c", "title: C\ndate: 2025-10-30T14:00\nupdated: 2025-10-30T25:00\nsources: [threads]", "x")
        .build_fails();
    for want in ["site.toml:4:1: error: unknown time zone \"America/New_Yrok\"", "did you mean \"America/New_York\"?"] {
        assert!(r.stderr.contains(want), "missing {want:?}:\n{}", r.stderr);
    }
    let r = SiteTest::new()
        .brief("a", "title: A\ndate: 2025-13-01\nsources: [threads]", "x")
        .brief("b", "title: B\ndate: 2025-02-30\nsources: [threads]", "x")
        .brief("c", "title: C\ndate: 2025-10-30T14:00\nupdated: 2025-10-30T25:00\nsources: [threads]", "x")
        .file("content/people/p.md", "---\nname: P\nroles:\n  - company: meta\n    title: Chief\n    since: 2025-3-1\n---\n")
        .build_fails();
    for want in [
        "a.md:3:7: error: \"2025-13-01\" is not a date: there is no month 13",
        "b.md:3:7: error: \"2025-02-30\" is not a date: 30 February does not exist (February 2025 has 28 days)",
        "c.md:4:10: error: \"2025-10-30T25:00\" is not a date-time: there is no hour 25",
        "p.md:6:12: error: \"2025-3-1\" is not a date",
    ] {
        assert!(r.stderr.contains(want), "missing {want:?}:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("premature"), "{}", r.stderr);
}

fn corrected_site() -> SiteTest {
    seed_site().brief(
        "2025-10-28-old",
        "title: An older brief\ndate: 2025-10-28\nsources: [threads]\ncorrections:\n  - date: 2025-10-31 09:00\n    text: It said *Tuesday*; it was [[meta]] on Monday.\n  - date: 2025-10-29\n    text: A first fix.",
        "Text.",
    )
}

#[test]
fn corrections_show_on_the_brief_on_their_page_and_in_feeds() {
    let run = corrected_site().build_with(&["--future"]);
    let brief = run.page("briefs/old/");
    assert_eq!(texts(&brief, ".corrections .correction p.meta").len(), 2);
    assert_eq!(attrs(&brief, ".corrections a", "href"), ["/companies/meta/"], "wiki links work in corrections");
    let html = run.read("briefs/old/index.html");
    let json = html.split("<script type=\"application/ld+json\">").nth(1).and_then(|s| s.split("</script>").next()).unwrap();
    let ld: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(ld["dateModified"], "2025-10-31T09:00:00-04:00");
    assert_eq!(ld["correction"][1]["@type"], "CorrectionComment");
    let page = run.page("corrections/");
    assert_eq!(texts(&page, ".corrections-list .meta a"), ["An older brief", "An older brief"]);
    let first = texts(&page, ".corrections-list .correction").join(" ");
    assert!(first.contains("Tuesday"), "newest first: {first}");
    let atom = run.read("corrections/atom.xml");
    assert!(
        atom.contains("<updated>2025-10-31T09:00:00-04:00</updated>") && atom.contains("Correction (2025-10-31T09:00:00-04:00)"),
        "{atom}"
    );
    assert!(run.read("atom.xml").contains("<updated>2025-10-31T09:00:00-04:00</updated>"), "the brief's own entry moves too");
    assert!(run.exists("corrections/rss.xml"));
    assert!(run.read("sitemap.xml").contains("<loc>https://example.org/corrections/</loc>"));
}

#[test]
fn a_correction_needs_a_date_and_text() {
    let r = seed_site()
        .brief("2025-10-28-a", "title: A\ndate: 2025-10-28\nsources: [threads]\ncorrections:\n  - text: No date.", "x")
        .brief(
            "2025-10-28-b",
            "title: B\ndate: 2025-10-28\nsources: [threads]\ncorrections:\n  - date: 2025-10-32\n    text: Bad day.",
            "x",
        )
        .brief("2025-10-28-c", "title: C\ndate: 2025-10-28\nsources: [threads]\ncorrections:\n  - date: 2025-10-30\n    text: \"\"", "x")
        .build_fails();
    for want in [
        "2025-10-28-a.md:6:5: error: corrections[0]: missing required key `date`",
        "2025-10-28-b.md:",
        "32 October does not exist (October 2025 has 31 days)",
        "2025-10-28-c.md:5:1: error: a correction needs its `text`",
    ] {
        assert!(r.stderr.contains(want), "missing {want:?}:\n{}", r.stderr);
    }
}

#[test]
fn the_news_sitemap_lists_the_last_48_hours() {
    // Now: 2025-11-01T11:53Z. The seed story (30 October, New York) is within 48 hours;
    // the date-only brief of 29 October (midnight in New York) is not.
    let r = seed_site().run_env(&["build"], &[("SOURCE_DATE_EPOCH", "1761998000")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let news = r.read("news-sitemap.xml");
    assert!(news.contains("xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\""));
    let titles = xml_texts(&news, "news:title");
    assert_eq!(titles, ["The denial", "Shares tick up", "The report"]);
    assert_eq!(xml_texts(&news, "news:publication_date")[0], "2025-10-30T17:30:00-04:00");
    assert_eq!(xml_texts(&news, "news:language"), ["en", "en", "en"]);
    assert!(r.read("robots.txt").contains("Sitemap: https://example.org/news-sitemap.xml\n"));
    let later = seed_site().run_env(&["build"], &[("SOURCE_DATE_EPOCH", "1762300000")]);
    assert!(xml_texts(&later.read("news-sitemap.xml"), "news:title").is_empty(), "nothing is news after 48 hours");
}
