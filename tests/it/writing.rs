//! Writing helpers: shortcodes (built in and the site's own), charts, data files, raw HTML
//! under each policy, footnotes, highlighted code, heading anchors and tables of contents.

use crate::support::*;

fn site() -> SiteTest {
    SiteTest::new().file("content/people/andy-stone.md", "---\nname: Andy Stone\n---\nMeta's spokesperson.\n")
}

const FRONT: &str = "title: Meta denies the report\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]\ntoc: true";

const BODY: &str = r#"Meta said no.[^1]

## What was said

{% quote(by="andy-stone", url="https://www.threads.net/@andystone/post/1", date="2025-10-30T11:30:00-04:00") %}
These reports are **false**, says [[meta]].
{% end %}

{% post(url="https://www.threads.net/@andystone/post/1", by="@andystone", date="2025-10-30") %}
Not true.
{% end %}

## The market

{% chart(title="GOOGL premarket", unit="USD", kind="line") %}
time,GOOGL
8:00,170.5
9:00,172.4
{% end %}

```rust
fn main() {}
```

[^1]: On Threads.
"#;

#[test]
fn built_in_shortcodes_render_linked_and_accessible() {
    let run = site().brief("2025-10-30-denial", FRONT, BODY).build();
    let page = run.page("briefs/denial/");
    assert_eq!(attrs(&page, ".pull-quote figcaption a", "href")[0], "/people/andy-stone/");
    assert_eq!(texts(&page, ".pull-quote blockquote strong"), ["false"]);
    assert_eq!(attrs(&page, ".pull-quote blockquote a", "href"), ["/companies/meta/"], "wiki links work inside a quote");
    assert_eq!(texts(&page, ".post-card .post-where"), ["threads.net"]);
    assert_eq!(texts(&page, ".post-card figcaption strong"), ["@andystone"], "a post's author may be plain text");
    assert_eq!(texts(&page, ".chart svg title"), ["GOOGL premarket"]);
    assert!(texts(&page, ".chart svg desc")[0].contains("8:00: 170.5 USD; 9:00: 172.4 USD"));
    assert_eq!(texts(&page, ".chart table tbody th"), ["8:00", "9:00"]);
    assert_eq!(page.select(&scraper::Selector::parse(".chart polyline").unwrap()).count(), 1);
    // Table of contents, heading anchors, footnotes and highlighted code.
    assert_eq!(attrs(&page, "nav.toc a", "href"), ["#what-was-said", "#the-market"]);
    assert_eq!(attrs(&page, "h2#the-market a.anchor", "href"), ["#the-market"]);
    assert_eq!(attrs(&page, ".footnote-ref a", "href"), ["#denial-fn-1"]);
    assert_eq!(attrs(&page, ".footnotes li", "id"), ["denial-fn-1"]);
    assert_eq!(attrs(&page, ".footnotes .footnote-back", "href"), ["#denial-fnref-1"]);
    assert!(!texts(&page, "pre.highlight code .hl-storage").is_empty());
    // The person quoted lists the brief among those that mention them.
    assert!(texts(&run.page("people/andy-stone/"), ".related-list a").contains(&"Meta denies the report".to_string()));
}

#[test]
fn shortcode_mistakes_are_located_with_hints() {
    let body = "Intro.\n\n{{ figur(src=\"a.png\", alt=\"x\") }}\n\n{% quote(by=\"andy-stoen\") %}\nNo.\n{% end %}\n\n{% chart(title=\"Bad\") %}\na,b\nx,1\ny,up\n{% end %}\n\n{{ toc(depth=2) }}\n";
    let run = site().brief("2025-10-30-bad", FRONT, body).build_fails();
    let e = &run.stderr;
    assert!(e.contains("content/briefs/2025-10-30-bad.md:10:1: error: there is no shortcode named \"figur\""), "{e}");
    assert!(e.contains("did you mean figure(...)?"), "{e}");
    assert!(e.contains("2025-10-30-bad.md:12:1: error: quote(by=...)") && e.contains("andy-stone"), "{e}");
    assert!(e.contains("2025-10-30-bad.md:19:1: error: chart data: \"up\" in column \"b\" is not a number"), "{e}");
    assert!(e.contains("2025-10-30-bad.md:22:1: error: toc(...) has no argument `depth`"), "{e}");
    assert!(!run.out.exists());
}

#[test]
fn site_shortcodes_override_and_add_and_data_files_reach_templates() {
    let run = site()
        .file("templates/shortcodes/callout.html", "<aside class=\"callout {{ tone }}\">{{ body | safe }}</aside>")
        .file("templates/shortcodes/figure.html", "<div class=\"my-figure\">{{ image | safe }}</div>")
        .file("data/prices.csv", "time,GOOGL\n8:00,170.5\n9:00,172.4\n")
        .file("data/desk.yaml", "editor: Ada\n")
        .file("templates/page.html", "{% extends \"base.html\" %}{% block content %}<p id=\"ed\">{{ data.desk.editor }}</p><p id=\"px\">{% for r in data.prices %}{{ r.time }}={{ r.GOOGL }};{% endfor %}</p>{% endblock %}")
        .file("content/pages/about.md", "---\ntitle: About\n---\nUs.\n")
        .bytes("static/chart.png", &crate::media::png(600, 300))
        .brief("2025-10-30-own", FRONT, "{% callout(tone=\"warn\") %}\nCareful: *unconfirmed*.\n{% end %}\n\n{{ figure(src=\"/chart.png\", alt=\"A chart\") }}\n\n{{ chart(title=\"From data\", data=\"prices.csv\") }}\n")
        .build();
    let page = run.page("briefs/own/");
    assert_eq!(texts(&page, "aside.callout.warn em"), ["unconfirmed"]);
    assert_eq!(attrs(&page, ".my-figure img", "alt"), ["A chart"]);
    assert_eq!(texts(&page, ".chart table tbody th"), ["8:00", "9:00"]);
    let about = run.page("about/");
    assert_eq!(texts(&about, "#ed"), ["Ada"]);
    assert_eq!(texts(&about, "#px"), ["8:00=170.5;9:00=172.4;"]);
}

#[test]
fn malformed_data_files_are_located() {
    let run = site().file("data/bad.json", "{\n  \"a\": 1,\n  oops\n}\n").file("data/rows.csv", "a,b\n1,2\n3\n").build_fails();
    assert!(run.stderr.contains("data/bad.json:3:3: error"), "{}", run.stderr);
    assert!(run.stderr.contains("data/rows.csv:3:1: error"), "{}", run.stderr);
}

const UNSAFE: &str = "<div class=\"box\" onclick=\"steal()\">Hi <a href=\"javascript:alert(1)\">x</a><script>alert(2)</script></div>\n\nText <iframe src=\"https://e.org\"></iframe> end.\n";

#[test]
fn raw_html_is_sanitized_by_default_in_pages_and_feeds() {
    let run = site().brief("2025-10-30-raw", FRONT, UNSAFE).build();
    let html = run.read("briefs/raw/index.html");
    let feed = run.read("atom.xml");
    for text in [&html, &feed] {
        assert!(!text.contains("onclick") && !text.contains("javascript:") && !text.contains("alert(") && !text.contains("iframe"));
    }
    assert_eq!(texts(&run.page("briefs/raw/"), ".body div.box a"), ["x"]);
    assert!(run.stderr.contains("2025-10-30-raw.md:8:1: warning: removed from raw HTML: <script>, the onclick attribute, the href attribute, a javascript: URL"), "{}", run.stderr);
    assert!(run.stderr.contains("2025-10-30-raw.md:10:6: warning: removed from raw HTML: <iframe>"), "{}", run.stderr);
}

#[test]
fn raw_html_policies_deny_and_allow() {
    let deny = site().file("site.toml", &format!("{CONFIG}[markdown]\nraw_html = \"deny\"\n")).brief("2025-10-30-raw", FRONT, UNSAFE).build_fails();
    assert!(deny.stderr.contains("2025-10-30-raw.md:8:1: error: raw HTML is not allowed on this site"), "{}", deny.stderr);
    let allow = site().file("site.toml", &format!("{CONFIG}[markdown]\nraw_html = \"allow\"\n")).brief("2025-10-30-raw", FRONT, UNSAFE).build();
    assert!(allow.read("briefs/raw/index.html").contains("onclick=\"steal()\""));
    let typo = site().file("site.toml", &format!("{CONFIG}[markdown]\nraw_html = \"sanitise\"\n")).build_fails();
    assert!(typo.stderr.contains("site.toml:5:12: error: unknown variant `sanitise`"), "{}", typo.stderr);
}

#[test]
fn footnote_ids_differ_between_briefs_in_one_feed() {
    let run = site()
        .brief("2025-10-30-a", "title: A\ndate: 2025-10-30\nsources: [threads]", "A.[^1]\n\n[^1]: Note A.")
        .brief("2025-10-31-b", "title: B\ndate: 2025-10-31\nsources: [threads]", "B.[^1]\n\n[^1]: Note B.")
        .build();
    let feed = run.read("atom.xml");
    assert!(feed.contains("a-fn-1") && feed.contains("b-fn-1"));
    assert!(!feed.contains("id=\"1\"") && !feed.contains("id=&quot;1&quot;"));
}

#[test]
fn common_front_matter_mistakes_are_said_plainly_where_they_are() {
    let cases = [
        ("companies: meta, google", "zz.md:4:12: error: `companies` must be a list, not the text \"meta, google\"", "`companies: [meta, google]`"),
        ("companies: [meta, google\ntags: [x]", "zz.md:4:12: error: this `[` is never closed", "close the list"),
        ("tags:\n\t- x", "zz.md:5:1: error: a tab in the indentation", "replace the tab with two spaces"),
    ];
    for (line, message, hint) in cases {
        let run = site().brief("zz", &format!("title: A\ndate: 2025-10-30\n{line}\nsources: [threads]"), "Body.").build_fails();
        assert!(run.stderr.contains(message) && run.stderr.contains(hint), "{line}:\n{}", run.stderr);
    }
    let run = site().brief("zz", "title:\ndate: 2025-10-30\nsources: [threads]", "Body.").build_fails();
    assert!(run.stderr.contains("zz.md:2:1: error: `title` is empty"), "{}", run.stderr);
}

#[test]
fn a_brief_with_a_front_matter_error_is_still_known_by_its_slug() {
    let run = site()
        .brief("2025-10-30-broken", "title: A\ndate: 2025-13-30\nsources: [threads]", "Body.")
        .brief("2025-10-31-linker", "title: B\ndate: 2025-10-31\nsources: [threads]", "See [[brief:broken]].")
        .build_fails();
    assert!(run.stderr.contains("2025-10-30-broken.md:3:7: error"), "{}", run.stderr);
    assert!(!run.stderr.contains("linker.md"), "one error, in the broken file only:\n{}", run.stderr);
}

#[test]
fn a_block_the_parent_lacks_is_located_in_the_template() {
    let run = site().file("templates/page.html", "{% extends \"base.html\" %}{% block main %}x{% endblock %}\n").build_fails();
    assert!(run.stderr.contains("templates/page.html:1:35: error: Block `main` is not defined in any parent template"), "{}", run.stderr);
    assert!(run.stderr.contains("title, description, feed_title, share, head, content"), "{}", run.stderr);
}
