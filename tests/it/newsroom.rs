//! People, products and authors: their pages, the briefs that name them, bylines, wiki
//! links, JSON-LD and feeds, and every mistake an editor can make with them.

use crate::support::*;

/// The seed story with its people, products and writers.
fn newsroom_site() -> SiteTest {
    SiteTest::new()
        .file("site.toml", &format!("{CONFIG}default_author = \"maya\"\n"))
        .file("content/people/andy-stone.md", "---\nname: Andy Stone\nroles:\n  - company: meta\n    title: Head of communications\n    since: 2014-01-01\n---\nMeta's spokesperson.\n")
        .file(
            "content/people/old-hand.md",
            "---\nname: Old Hand\nroles:\n  - company: meta\n    title: Former chief\n    until: 2020-01-01\n---\n",
        )
        .file("content/products/gemini.md", "---\nname: Gemini\naliases: [Gemini models]\ncompany: google\nkind: model\nreleased: 2023-12-06\n---\nGoogle's models.\n")
        .file("content/authors/maya.md", "---\nname: Maya Lindqvist\n---\nEditor.\n")
        .file("content/authors/tomas.md", "---\nname: Tomás Ferreira\nwebsite: https://example.com/tomas\n---\nMarkets.\n")
        .brief(
            "2025-10-30-report",
            "title: Meta discussed Gemini for ads\ndate: 2025-10-30T12:00:00Z\ncompanies: [meta, google]\nsources: [the-info]\nproducts: [gemini]\nstatus: reported\nstory: ads",
            "Meta talked to Google about [[Gemini]].",
        )
        .brief(
            "2025-10-30-denial",
            "title: Meta denies the talks\ndate: 2025-10-30T17:00:00Z\ncompanies: [meta]\nsources: [threads]\npeople: [andy-stone]\nauthors: [tomas, maya]\nstatus: denied\nstory: ads",
            "[[Andy Stone]] called it benchmarking; see [[person:andy-stone|his post]] and [[product:Gemini models]].",
        )
        .brief(
            "2025-10-31-aside",
            "title: An aside\ndate: 2025-10-31\nsources: [threads]",
            "Only a mention of [[andy-stone]] in passing.",
        )
}

#[test]
fn a_person_page_shows_roles_briefs_and_mentions() {
    let run = newsroom_site().build();
    let page = run.page("people/andy-stone/");
    assert_eq!(texts(&page, "h1"), ["Andy Stone"]);
    let links = attrs(&page, "a", "href");
    assert!(links.contains(&"/companies/meta/".to_string()), "role links its company: {links:?}");
    // Named in `people` by the denial only; linked in the body by the denial and the aside.
    assert_eq!(texts(&page, ".card h2"), ["Meta denies the talks"]);
    let mentioned: Vec<String> = texts(&page, ".related-list a");
    assert_eq!(mentioned, ["An aside", "Meta denies the talks"]);
    assert!(run.exists("people/andy-stone/atom.xml"));
    assert!(texts(&run.page("people/"), ".index a").contains(&"Andy Stone".to_string()));
}

#[test]
fn a_company_page_lists_its_products_and_current_people() {
    let run = newsroom_site().build();
    let meta = run.page("companies/meta/");
    let people = texts(&meta, "section[aria-labelledby=h-people] a");
    assert_eq!(people, ["Andy Stone"], "only current roles are listed");
    let google = run.page("companies/google/");
    assert_eq!(texts(&google, "section[aria-labelledby=h-products] a"), ["Gemini"]);
    let product = run.page("products/gemini/");
    assert!(attrs(&product, "a", "href").contains(&"/companies/google/".to_string()), "a product links its maker");
    assert_eq!(texts(&product, ".card h2"), ["Meta discussed Gemini for ads"]);
}

#[test]
fn bylines_come_from_authors_or_the_default_author() {
    let run = newsroom_site().build();
    let denial = run.page("briefs/denial/");
    assert_eq!(texts(&denial, ".byline a"), ["Tomás Ferreira", "Maya Lindqvist"]);
    let report = run.page("briefs/report/");
    assert_eq!(texts(&report, ".byline a"), ["Maya Lindqvist"], "default_author signs briefs without authors");
    let maya = run.page("authors/maya/");
    assert_eq!(texts(&maya, ".card h2").len(), 3, "the default author wrote every unsigned brief");
    let tomas = run.page("authors/tomas/");
    assert_eq!(texts(&tomas, ".card h2"), ["Meta denies the talks"]);
}

#[test]
fn wiki_links_reach_people_and_products_by_name_alias_or_prefix() {
    let run = newsroom_site().build();
    let denial = run.page("briefs/denial/");
    let body = attrs(&denial, ".body a", "href");
    assert_eq!(body, ["/people/andy-stone/", "/people/andy-stone/", "/products/gemini/"]);
    let report = run.page("briefs/report/");
    assert_eq!(attrs(&report, ".body a", "href"), ["/products/gemini/"]);
    // A wiki link written as a slug shows the name.
    assert_eq!(texts(&run.page("briefs/aside/"), ".body a"), ["Andy Stone"]);
}

#[test]
fn json_ld_and_feeds_carry_authors_and_mentions() {
    let run = newsroom_site().build();
    let page = run.read("briefs/denial/index.html");
    let json = page.split("<script type=\"application/ld+json\">").nth(1).and_then(|s| s.split("</script>").next()).unwrap();
    let ld: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(ld["author"][0]["name"], "Tomás Ferreira");
    assert_eq!(ld["author"][0]["url"], "https://example.org/authors/tomas/");
    assert_eq!(ld["mentions"][0]["@type"], "Person");
    assert_eq!(ld["mentions"][0]["url"], "https://example.org/people/andy-stone/");
    assert_eq!(ld["about"][0]["name"], "Meta Platforms");
    let atom = run.read("atom.xml");
    assert!(atom.contains("<author><name>Tomás Ferreira</name><uri>https://example.org/authors/tomas/</uri></author>"), "{atom}");
    let feed: serde_json::Value = serde_json::from_str(&run.read("feed.json")).unwrap();
    let denial = feed["items"].as_array().unwrap().iter().find(|i| i["title"] == "Meta denies the talks").unwrap();
    assert_eq!(denial["authors"][1]["name"], "Maya Lindqvist");
    assert!(run.read("sitemap.xml").contains("https://example.org/products/gemini/"));
}

#[test]
fn a_site_without_people_has_no_people_pages() {
    let run = SiteTest::new().brief("2025-01-01-a", "title: A\ndate: 2025-01-01\nsources: [threads]", "Text.").build();
    assert!(!run.exists("people/index.html") && !run.exists("products/index.html") && !run.exists("authors/index.html"));
    assert!(!attrs(&run.page(""), "nav a", "href").contains(&"/people/".to_string()));
    assert!(run.exists("companies/index.html"), "companies and sources are always listed");
}

#[test]
fn mistakes_with_people_products_and_authors_are_located() {
    let r = newsroom_site()
        .file("site.toml", &format!("{CONFIG}default_author = \"mya\"\n"))
        .file("content/products/llama.md", "---\nname: Llama\nkind: modle\n---\n")
        .file("content/products/gpt.md", "---\nname: GPT\ncompany: opnai\n---\n")
        .file("content/people/x.md", "---\nname: X\nroles:\n  - company: metta\n    title: Chief\n---\n")
        .brief(
            "2025-11-01-bad",
            "title: Bad\ndate: 2025-11-01\nsources: [threads]\npeople: [andy-stne]\nproducts: [gemni]\nauthors: [tomass]",
            "[[person:Andy Stoned]]",
        )
        .build_fails();
    let e = &r.stderr;
    for want in [
        "site.toml:4:19: error: unknown author \"mya\" in `default_author`",
        "did you mean \"maya\"?",
        "llama.md:2:1: error: a product needs its maker: `company` is missing",
        "llama.md:3:7: error: unknown product kind \"modle\"",
        "did you mean \"model\"?",
        "gpt.md:3:10: error: unknown company \"opnai\"",
        "x.md:4:14: error: unknown company \"metta\"",
        "2025-11-01-bad.md:5:10: error: unknown person \"andy-stne\"",
        "did you mean \"andy-stone\"?",
        "2025-11-01-bad.md:6:12: error: unknown product \"gemni\"",
        "did you mean \"gemini\"?",
        "2025-11-01-bad.md:7:11: error: unknown author \"tomass\"",
        "did you mean \"tomas\"?",
        "error: no person named \"Andy Stoned\"",
        "did you mean [[person:andy stone]]?",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    assert!(!r.out.exists(), "nothing is written");
}

#[test]
fn a_name_shared_by_a_person_and_a_product_is_ambiguous() {
    let r = newsroom_site()
        .file("content/people/gemini-person.md", "---\nname: Gemini\n---\n")
        .brief("2025-11-02-x", "title: X\ndate: 2025-11-02\nsources: [threads]", "About [[Gemini]].")
        .build_fails();
    assert!(
        r.stderr.contains("[[Gemini]] matches more than one thing: person \"gemini-person\" (Gemini), product \"gemini\" (Gemini)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("write [[person:Gemini]] or [[product:Gemini]]"), "{}", r.stderr);
}
