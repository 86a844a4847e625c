//! Feeds: Atom and JSON Feed 1.1 (RSS is in `rss.rs`, sitemaps in `sitemaps.rs`).
//!
//! Each brief's Atom `<entry>` is written once and shared by every feed that lists it
//! (site, companies, sources, tags, story). All URLs here are absolute. Text is escaped
//! for XML by [`xml_escape`]; JSON goes through serde_json.

use std::fmt::Write as _;

use serde::Serialize;

use crate::content::kinds::Kind;
use crate::site::{paths, Brief, BriefId, Site};

/// Escapes text for XML element content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    xml_escape_into(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped for XML; copies runs of plain text in one go.
pub fn xml_escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            // Control characters XML 1.0 forbids are dropped.
            0..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// What a feed's entries carry besides the title, link and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// The summary and the whole body (the site's own feed).
    Full,
    /// The summary only (entity, tag and story feeds: one entry shared by all of them).
    Summary,
    /// The brief's corrections, newest first (`/corrections/` feeds).
    Corrections,
}

/// A brief's corrections as one text, newest first: `Correction (2025-10-31): ...`.
pub fn corrections_text(brief: &Brief) -> String {
    let parts: Vec<String> = brief.corrections.iter().rev().map(|c| format!("Correction ({}): {}", c.date.iso(), c.text)).collect();
    parts.join(" ")
}

/// Appends the `<entry>` of one brief to `e`, with what `body` says.
pub fn atom_entry(e: &mut String, site: &Site, brief: &Brief, body: Body) {
    let base = &site.config.base_url;
    let url = site.config.absolute(&paths::brief(brief.slug.as_str()));
    let updated = brief.modified();
    let _ = write!(
        e,
        "<entry><title>{}</title><id>{}</id><link rel=\"alternate\" type=\"text/html\" href=\"{}\"/><published>{}</published><updated>{}</updated>",
        xml_escape(&brief.title),
        xml_escape(&url),
        xml_escape(&url),
        brief.date.rfc3339(),
        updated.rfc3339()
    );
    for a in &brief.authors {
        let a = site.author(*a);
        let uri = site.config.absolute(&paths::entity(Kind::Author, a.slug.as_str()));
        let _ = write!(e, "<author><name>{}</name><uri>{}</uri></author>", xml_escape(&a.name), xml_escape(&uri));
    }
    for c in &brief.companies {
        let c = site.company(*c);
        let _ = write!(e, "<category term=\"{}\" label=\"{}\" scheme=\"{}companies/\"/>", c.slug, xml_escape(&c.name), xml_escape(base));
    }
    for t in &brief.tags {
        let t = site.tag(*t);
        let _ = write!(e, "<category term=\"{}\" label=\"{}\" scheme=\"{}tags/\"/>", t.slug, xml_escape(&t.name), xml_escape(base));
    }
    let summary: std::borrow::Cow<'_, str> =
        if body == Body::Corrections { corrections_text(brief).into() } else { (&brief.summary).into() };
    if !summary.is_empty() {
        let _ = write!(e, "<summary>{}</summary>", xml_escape(&summary));
    }
    if body == Body::Full {
        let _ = write!(e, "<content type=\"html\">{}</content>", xml_escape(&absolute_urls(&brief.body_html, &site.config.base_url)));
    }
    media_content(e, site, brief);
    e.push_str("</entry>");
}

/// The share image of a brief as a Media RSS element (Atom and RSS entries alike).
pub fn media_content(e: &mut String, site: &Site, brief: &Brief) {
    if let Some((path, width, height, mime)) = site.share_image(brief) {
        let url = xml_escape(&site.config.absolute(&path));
        let _ = write!(e, "<media:content url=\"{url}\" medium=\"image\" type=\"{mime}\" width=\"{width}\" height=\"{height}\"/>");
    }
}

/// `html` with every root-relative URL of its `href`, `src` and `srcset` attributes made
/// absolute against `base_url`'s origin: feeds are read away from the site.
pub fn absolute_urls<'h>(html: &'h str, base_url: &str) -> std::borrow::Cow<'h, str> {
    let origin = base_url.trim_end_matches('/').trim_end_matches(crate::content::config::url_path(base_url).trim_end_matches('/'));
    let rooted = |url: &str| (url.starts_with('/') && !url.starts_with("//")).then(|| format!("{origin}{url}"));
    crate::content::html::map_urls(html, rooted).map_or(html.into(), Into::into)
}

/// Each brief's summary-only `<entry>`, made the first time a feed needs it and shared
/// by every other feed that lists the brief.
pub struct EntryCache(Vec<std::sync::OnceLock<String>>);

impl EntryCache {
    /// An empty cache for `n` briefs.
    pub fn new(n: usize) -> Self {
        EntryCache((0..n).map(|_| std::sync::OnceLock::new()).collect())
    }
}

/// What a feed lists, whatever its format.
pub struct Feed<'a> {
    /// Its title.
    pub title: &'a str,
    /// The page it follows (site-relative).
    pub page_path: &'a str,
    /// Where it is written (site-relative).
    pub feed_path: &'a str,
    /// Its briefs, newest first, already limited.
    pub ids: &'a [BriefId],
    /// What each entry carries.
    pub body: Body,
}

impl EntryCache {
    /// The summary entry of brief `b`, made with `make` the first time it is asked for.
    /// Kept for the whole build: made in a scratch buffer, stored at its size.
    pub fn get(&self, b: BriefId, make: impl FnOnce(&mut String)) -> &str {
        self.0[b.0 as usize].get_or_init(|| {
            let mut e = String::with_capacity(2048);
            make(&mut e);
            e.as_str().into()
        })
    }
}

/// The briefs with corrections, the most recently corrected first.
pub fn corrected(site: &Site) -> Vec<BriefId> {
    let mut ids: Vec<BriefId> = (0..site.briefs.len() as u32).map(BriefId).filter(|b| !site.brief(*b).corrections.is_empty()).collect();
    ids.sort_by_key(|b| std::cmp::Reverse(site.brief(*b).modified()));
    ids
}

/// The latest date any of `ids` was published or updated, for a feed's own date.
pub fn last_change(site: &Site, ids: &[BriefId]) -> Option<crate::content::model::Date> {
    ids.iter()
        .map(|b| {
            let b = site.brief(*b);
            b.modified()
        })
        .max()
}

/// A whole Atom feed; summary entries come from `cache`, shared with other feeds.
pub fn atom_feed(site: &Site, feed: &Feed<'_>, cache: &EntryCache) -> String {
    let Feed { title, page_path, feed_path, ids, body } = *feed;
    let updated = last_change(site, ids).map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
    let per_entry = if body == Body::Full { 8192 } else { 1024 };
    let mut out = String::with_capacity(1024 + ids.len() * per_entry);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\" xml:lang=\"{}\"><title>{}</title>",
        xml_escape(&site.config.language),
        xml_escape(title)
    );
    if !site.config.description.is_empty() {
        let _ = write!(out, "<subtitle>{}</subtitle>", xml_escape(&site.config.description));
    }
    let _ = write!(
        out,
        "<id>{0}</id><link rel=\"self\" type=\"application/atom+xml\" href=\"{1}\"/><link rel=\"alternate\" type=\"text/html\" href=\"{0}\"/><updated>{2}</updated><author><name>{3}</name></author><generator version=\"{4}\">briefing</generator>",
        xml_escape(&site.config.absolute(page_path)),
        xml_escape(&site.config.absolute(feed_path)),
        updated,
        xml_escape(&site.config.title),
        env!("CARGO_PKG_VERSION"),
    );
    for b in ids {
        if body == Body::Summary {
            out.push_str(cache.get(*b, |e| atom_entry(e, site, site.brief(*b), body)));
        } else {
            atom_entry(&mut out, site, site.brief(*b), body);
        }
    }
    out.push_str("</feed>\n");
    out
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: String,
    url: String,
    title: &'a str,
    content_html: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    _briefing: Option<JsonExt<'a>>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct JsonExt<'a> {
    status: Option<&'static str>,
    companies: Vec<&'a str>,
    story: Option<&'a str>,
}

/// `feed.json`: JSON Feed 1.1 of the latest briefs.
pub fn json_feed(site: &Site, ids: &[BriefId]) -> Vec<u8> {
    let base = &site.config.base_url;
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &site.config.title,
        home_page_url: base,
        feed_url: site.config.absolute("feed.json"),
        description: &site.config.description,
        language: &site.config.language,
        items: ids
            .iter()
            .map(|id| {
                let b = site.brief(*id);
                let url = site.config.absolute(&paths::brief(b.slug.as_str()));
                JsonItem {
                    id: url.clone(),
                    url,
                    title: &b.title,
                    content_html: absolute_urls(&b.body_html, base).into_owned(),
                    summary: &b.summary,
                    image: site.share_image(b).map(|(path, ..)| site.config.absolute(&path)),
                    date_published: b.date.rfc3339(),
                    date_modified: (b.updated.is_some() || !b.corrections.is_empty()).then(|| b.modified().rfc3339()),
                    tags: b.tags.iter().map(|t| site.tag(*t).name.as_str()).collect(),
                    authors: b
                        .authors
                        .iter()
                        .map(|a| site.author(*a))
                        .map(|a| JsonAuthor { name: &a.name, url: site.config.absolute(&paths::entity(Kind::Author, a.slug.as_str())) })
                        .collect(),
                    _briefing: Some(JsonExt {
                        status: b.status.map(|s| s.as_str()),
                        companies: b.companies.iter().map(|c| site.company(*c).slug.as_str()).collect(),
                        story: b.story.map(|s| site.story(s).slug.as_str()),
                    }),
                }
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&feed).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The `n` newest briefs of the site (briefs are kept newest first).
pub fn newest(site: &Site, n: usize) -> Vec<BriefId> {
    (0..site.briefs.len().min(n)).map(|i| BriefId(i as u32)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_feed_content_are_absolute() {
        let html = r#"<a href="/sub/companies/meta/">M</a> <a href="https://e.org/x">x</a> <img src="/sub/b/c-960w.png" srcset="/sub/b/c-480w.png 480w, /sub/b/c-960w.png 960w" alt="a=&quot;/x">"#;
        let out = absolute_urls(html, "https://e.org/sub/");
        assert_eq!(
            out,
            r#"<a href="https://e.org/sub/companies/meta/">M</a> <a href="https://e.org/x">x</a> <img src="https://e.org/sub/b/c-960w.png" srcset="https://e.org/sub/b/c-480w.png 480w, https://e.org/sub/b/c-960w.png 960w" alt="a=&quot;/x">"#
        );
        assert_eq!(absolute_urls("<p>a=\"/b\"</p>", "https://e.org/"), "<p>a=\"/b\"</p>");
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(xml_escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
