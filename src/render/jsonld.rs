//! schema.org JSON-LD for brief and company pages (`NewsArticle`, `Organization`), made
//! safe to embed in a `<script>` element.

use serde::Serialize;

use super::views::Views;
use crate::content::kinds::Kind;
use crate::site::*;

/// JSON made safe to embed in a `<script>` element: `<`, `>` and `&` escaped.
pub fn script_json<T: Serialize + ?Sized>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    let mut out = Vec::with_capacity(json.len() + 16);
    let mut rest = &json[..];
    // The three bytes are ASCII, so they never split a character.
    while let Some(at) = memchr::memchr3(b'<', b'>', b'&', rest) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(match rest[at] {
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            _ => b"\\u0026",
        });
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    String::from_utf8(out).unwrap_or_default()
}

/// schema.org `Organization`, as JSON-LD.
#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
    #[serde(rename = "tickerSymbol", skip_serializing_if = "Option::is_none")]
    ticker: Option<&'a str>,
    #[serde(rename = "alternateName", skip_serializing_if = "<[String]>::is_empty")]
    aliases: &'a [String],
    #[serde(rename = "sameAs", skip_serializing_if = "Option::is_none")]
    same_as: Option<&'a str>,
    #[serde(rename = "parentOrganization", skip_serializing_if = "Option::is_none")]
    parent: Option<Box<Organization<'a>>>,
    #[serde(rename = "subOrganization", skip_serializing_if = "Vec::is_empty")]
    subsidiaries: Vec<Organization<'a>>,
}

/// A schema.org `Person` or `Product`: a name and the page about it.
#[derive(Serialize)]
struct Thing<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
}

/// schema.org `CorrectionComment`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CorrectionComment<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: &'a str,
    date_published: String,
}

/// schema.org `NewsArticle`, as JSON-LD.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    headline: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    image: Vec<String>,
    url: &'a str,
    main_entity_of_page: &'a str,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    author: Vec<Thing<'a>>,
    about: Vec<Organization<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mentions: Vec<Thing<'a>>,
    keywords: Vec<&'a str>,
    is_based_on: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    correction: Vec<CorrectionComment<'a>>,
    publisher: Organization<'a>,
}

impl<'a> Views<'a> {
    fn organization(&self, id: CompanyId) -> Organization<'a> {
        let c = self.site.company(id);
        Organization {
            context: None,
            kind: "Organization",
            name: &c.name,
            url: self.site.config.absolute(&paths::entity(Kind::Company, c.slug.as_str())),
            ticker: c.ticker.as_deref(),
            aliases: &c.aliases,
            same_as: c.website.as_ref().map(|w| w.as_str()),
            parent: None,
            subsidiaries: Vec::new(),
        }
    }

    pub(super) fn brief_json_ld(&self, id: BriefId) -> String {
        let b = self.site.brief(id);
        let url = self.site.config.absolute(&paths::brief(b.slug.as_str()));
        let config = &self.site.config;
        script_json(&NewsArticle {
            context: "https://schema.org",
            kind: "NewsArticle",
            headline: &b.title,
            description: &b.summary,
            image: self.site.share_image(b).map(|(path, ..)| config.absolute(&path)).into_iter().collect(),
            url: &url,
            main_entity_of_page: &url,
            date_published: b.date.rfc3339(),
            date_modified: b.modified().rfc3339(),
            author: b.authors.iter().map(|a| self.thing("Person", EntityId { kind: Kind::Author, index: a.0 })).collect(),
            about: b.companies.iter().map(|c| self.organization(*c)).collect(),
            mentions: (b.people.iter().map(|p| self.thing("Person", EntityId { kind: Kind::Person, index: p.0 })))
                .chain(b.products.iter().map(|p| self.thing("Product", EntityId { kind: Kind::Product, index: p.0 })))
                .collect(),
            keywords: b.tags.iter().map(|t| self.site.tag(*t).name.as_str()).collect(),
            is_based_on: b.citations.iter().filter_map(|c| c.url.as_ref().map(|u| u.as_str())).collect(),
            correction: b
                .corrections
                .iter()
                .map(|c| CorrectionComment { kind: "CorrectionComment", text: &c.text, date_published: c.date.rfc3339() })
                .collect(),
            publisher: Organization {
                context: None,
                kind: "Organization",
                name: &config.title,
                url: config.base_url.clone(),
                ticker: None,
                aliases: &[],
                same_as: None,
                parent: None,
                subsidiaries: Vec::new(),
            },
        })
    }

    fn thing(&self, kind: &'static str, id: EntityId) -> Thing<'a> {
        let e = self.site.entity(id);
        Thing { kind, name: &e.name, url: self.site.config.absolute(&paths::entity(id.kind, e.slug.as_str())) }
    }

    /// A company's `Organization`, with its parent and subsidiaries.
    pub(super) fn company_json_ld(&self, id: CompanyId) -> String {
        let c = self.site.company(id);
        script_json(&Organization {
            context: Some("https://schema.org"),
            parent: c.parent.map(|p| Box::new(self.organization(p))),
            subsidiaries: c.subsidiaries.iter().map(|s| self.organization(*s)).collect(),
            ..self.organization(id)
        })
    }
}
