//! RSS 2.0 feeds (`rss.xml` beside every `atom.xml`), for the newsletter tools and
//! aggregators that ask for RSS. Same briefs as the Atom feed of the same page; each
//! brief's summary `<item>` is written once and shared, like Atom entries.

use std::fmt::Write as _;

use super::feeds::{absolute_urls, corrections_text, last_change, media_content, xml_escape, Body, EntryCache, Feed};
use crate::content::kinds::Kind;
use crate::site::{paths, Brief, Site};

/// Appends the `<item>` of one brief, its description as `body` says.
fn item(out: &mut String, site: &Site, brief: &Brief, body: Body) {
    let url = xml_escape(&site.config.absolute(&paths::brief(brief.slug.as_str())));
    let _ = write!(
        out,
        "<item><title>{}</title><link>{url}</link><guid isPermaLink=\"true\">{url}</guid><pubDate>{}</pubDate>",
        xml_escape(&brief.title),
        brief.date.at.to_rfc2822(),
    );
    for a in &brief.authors {
        let _ = write!(out, "<dc:creator>{}</dc:creator>", xml_escape(&site.author(*a).name));
    }
    for c in &brief.companies {
        let c = site.company(*c);
        let domain = xml_escape(&site.config.absolute(&paths::index(Kind::Company)));
        let _ = write!(out, "<category domain=\"{domain}\">{}</category>", xml_escape(&c.name));
    }
    for t in &brief.tags {
        let _ = write!(out, "<category>{}</category>", xml_escape(&site.tag(*t).name));
    }
    let description: std::borrow::Cow<'_, str> = match body {
        Body::Full => absolute_urls(&brief.body_html, &site.config.base_url),
        Body::Summary => (&brief.summary).into(),
        Body::Corrections => corrections_text(brief).into(),
    };
    if !description.is_empty() {
        let _ = write!(out, "<description>{}</description>", xml_escape(&description));
    }
    media_content(out, site, brief);
    out.push_str("</item>");
}

/// A whole RSS 2.0 feed; summary items come from `cache`, shared with other feeds.
pub fn rss_feed(site: &Site, feed: &Feed<'_>, cache: &EntryCache) -> String {
    let config = &site.config;
    let per_item = if feed.body == Body::Full { 8192 } else { 1024 };
    let mut out = String::with_capacity(1024 + feed.ids.len() * per_item);
    let description = if config.description.is_empty() { feed.title } else { &config.description };
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>{}</title><link>{}</link><description>{}</description><language>{}</language><atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/><generator>briefing {}</generator>",
        xml_escape(feed.title),
        xml_escape(&config.absolute(feed.page_path)),
        xml_escape(description),
        xml_escape(&config.language),
        xml_escape(&config.absolute(feed.feed_path)),
        env!("CARGO_PKG_VERSION"),
    );
    if let Some(d) = last_change(site, feed.ids) {
        let _ = write!(out, "<lastBuildDate>{}</lastBuildDate>", d.at.to_rfc2822());
    }
    for b in feed.ids {
        if feed.body == Body::Summary {
            out.push_str(cache.get(*b, |e| item(e, site, site.brief(*b), feed.body)));
        } else {
            item(&mut out, site, site.brief(*b), feed.body);
        }
    }
    out.push_str("</channel></rss>\n");
    out
}
