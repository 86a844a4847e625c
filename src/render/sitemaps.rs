//! `sitemap.xml` (every page, with the date of its latest change), `news-sitemap.xml`
//! (Google's news sitemap: the last 48 hours), and `robots.txt`, which names both.

use std::fmt::Write as _;

use super::feeds::{corrected, newest, xml_escape};
use crate::site::{paths, BriefId, Site};

/// `sitemap.xml` over site-relative paths, with optional last-modified dates.
pub fn sitemap(site: &Site, entries: &[(String, Option<String>)]) -> Vec<u8> {
    let mut out = String::with_capacity(entries.len() * 96 + 128);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (path, lastmod) in entries {
        let _ = write!(out, "<url><loc>{}</loc>", xml_escape(&site.config.absolute(path)));
        if let Some(d) = lastmod {
            let _ = write!(out, "<lastmod>{d}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// `robots.txt` that points at the sitemaps.
pub fn robots(site: &Site) -> Vec<u8> {
    let base = &site.config.base_url;
    format!("User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\nSitemap: {base}news-sitemap.xml\n").into_bytes()
}

/// `news-sitemap.xml` (Google's news sitemap): the briefs published in the 48 hours before
/// now, newest first.
pub fn news_sitemap(site: &Site) -> Vec<u8> {
    let since = site.now.at - chrono::Duration::hours(48);
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n");
    let name = xml_escape(&site.config.title);
    let language = xml_escape(site.config.language.split(['-', '_']).next().unwrap_or("en"));
    for b in site.briefs.iter().filter(|b| b.date.at > since && b.date.at <= site.now.at) {
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><news:news><news:publication><news:name>{name}</news:name><news:language>{language}</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            xml_escape(&site.config.absolute(&paths::brief(b.slug.as_str()))),
            b.date.rfc3339(),
            xml_escape(&b.title),
        );
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// Every page the sitemap lists, with the date of its latest change where it has one.
pub fn sitemap_entries(site: &Site) -> Vec<(String, Option<String>)> {
    let latest = |ids: &[BriefId]| ids.first().map(|b| site.brief(*b).date.rfc3339());
    let mut v = vec![(String::new(), latest(&newest(site, 1)))];
    for b in &site.briefs {
        v.push((paths::brief(b.slug.as_str()), Some(b.modified().rfc3339())));
    }
    for kind in site.listed_kinds() {
        v.push((paths::index(kind), None));
        v.extend(site.ids(kind).map(|id| site.entity(id)).map(|e| (paths::entity(kind, e.slug.as_str()), latest(&e.briefs))));
    }
    v.push(("tags/".into(), None));
    v.extend(site.tags.iter().map(|t| (paths::tag(t.slug.as_str()), latest(&t.briefs))));
    v.push(("stories/".into(), None));
    v.extend(site.stories.iter().map(|s| (paths::story(s.slug.as_str()), s.briefs.last().map(|b| site.brief(*b).date.rfc3339()))));
    v.push(("corrections/".into(), corrected(site).first().map(|b| site.brief(*b).modified().rfc3339())));
    v.push(("archive/".into(), None));
    v.extend(site.pages.iter().map(|p| (paths::page(p.slug.as_str()), None)));
    v
}
