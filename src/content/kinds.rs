//! The kinds of named entity (companies, sources...), each declared once.
//!
//! A kind's declaration says where its files live, its URL prefix, its front-matter keys,
//! its templates and whether wiki links may name it; load, resolve and render take all of
//! that from here. What is truly a kind's own (a company's parent, a source's track
//! record) is code in the stages; everything else comes from [`Kind::decl`].

use crate::content::frontmatter::{RawCompany, RawSource, COMPANY_KEYS, SOURCE_KEYS};

/// A kind of named entity. The order of [`Kind::ALL`] is the order of the site's lists
/// (jobs, the sitemap) and of candidates in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A company briefs are about.
    Company,
    /// An outlet, social network or filing system briefs cite.
    Source,
}

/// What a kind is, for every stage.
#[derive(Debug)]
pub struct Decl {
    /// The word for one, in messages and wiki-link prefixes (`company`, `[[company:x]]`).
    pub singular: &'static str,
    /// Its folder under `content/`, its URL prefix (`/companies/<slug>/`) and the name of its
    /// index's template variable.
    pub plural: &'static str,
    /// The keys its front matter may hold (for did-you-mean).
    pub keys: &'static [&'static str],
    /// The template of each one's page (which receives it as `<singular>`).
    pub template: &'static str,
    /// The template of the index of all of them (which receives `<plural>`).
    pub index_template: &'static str,
    /// Whether `[[name]]` may link to one by its slug, name or aliases.
    pub wiki: bool,
}

const COMPANY: Decl = Decl {
    singular: "company",
    plural: "companies",
    keys: COMPANY_KEYS,
    template: "company.html",
    index_template: "companies.html",
    wiki: true,
};

const SOURCE: Decl =
    Decl { singular: "source", plural: "sources", keys: SOURCE_KEYS, template: "source.html", index_template: "sources.html", wiki: true };

impl Kind {
    /// Every kind, in the site's order.
    pub const ALL: [Kind; 2] = [Kind::Company, Kind::Source];

    /// The kind's declaration.
    pub fn decl(self) -> &'static Decl {
        match self {
            Kind::Company => &COMPANY,
            Kind::Source => &SOURCE,
        }
    }

    /// The kind whose wiki-link prefix is `prefix` (`company`).
    pub fn by_singular(prefix: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.decl().singular == prefix)
    }
}

/// The front-matter fields every kind of entity has.
#[derive(Debug, Clone, Copy)]
pub struct RawCommon<'a> {
    /// `name` (required; checked in resolve).
    pub name: Option<&'a String>,
    /// `aliases` (none for kinds without the key).
    pub aliases: &'a [String],
    /// `website`.
    pub website: Option<&'a String>,
    /// `extra`.
    pub extra: &'a serde_yaml::Mapping,
}

/// Front matter of a named entity: what every kind has, read the same way.
pub trait RawEntity: serde::de::DeserializeOwned + Send + Sync + 'static {
    /// Its kind.
    const KIND: Kind;
    /// The fields every kind has.
    fn common(&self) -> RawCommon<'_>;
}

impl RawEntity for RawCompany {
    const KIND: Kind = Kind::Company;
    fn common(&self) -> RawCommon<'_> {
        RawCommon { name: self.name.as_ref(), aliases: &self.aliases, website: self.website.as_ref(), extra: &self.extra }
    }
}

impl RawEntity for RawSource {
    const KIND: Kind = Kind::Source;
    fn common(&self) -> RawCommon<'_> {
        RawCommon { name: self.name.as_ref(), aliases: &[], website: self.website.as_ref(), extra: &self.extra }
    }
}
