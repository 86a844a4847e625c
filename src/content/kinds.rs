//! The kinds of named entity (companies, sources...), each declared once.
//!
//! A kind's declaration says where its files live, its URL prefix, its front-matter keys,
//! its templates and whether wiki links may name it; load, resolve and render take all of
//! that from here. What is truly a kind's own (a company's parent, a source's track
//! record) is code in the stages; everything else comes from [`Kind::decl`].

use crate::content::frontmatter::{
    RawAuthor, RawCompany, RawImage, RawPerson, RawProduct, RawSource, AUTHOR_KEYS, COMPANY_KEYS, PERSON_KEYS, PRODUCT_KEYS, SOURCE_KEYS,
};

/// A kind of named entity. The order of [`Kind::ALL`] is the order of the site's lists
/// (jobs, the sitemap) and of candidates in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A company briefs are about.
    Company,
    /// An outlet, social network or filing system briefs cite.
    Source,
    /// A person briefs are about (an executive, a spokesperson...).
    Person,
    /// A product briefs are about (a model, a chip...), made by a company.
    Product,
    /// One of the briefing's own writers (bylines).
    Author,
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
    /// Whether its index page is made (and its templates required) even when the site has
    /// none of this kind: true for the kinds every briefing has.
    pub always: bool,
}

const COMPANY: Decl = Decl {
    singular: "company",
    plural: "companies",
    keys: COMPANY_KEYS,
    template: "company.html",
    index_template: "companies.html",
    wiki: true,
    always: true,
};

const SOURCE: Decl = Decl {
    singular: "source",
    plural: "sources",
    keys: SOURCE_KEYS,
    template: "source.html",
    index_template: "sources.html",
    wiki: true,
    always: true,
};

const PERSON: Decl = Decl {
    singular: "person",
    plural: "people",
    keys: PERSON_KEYS,
    template: "person.html",
    index_template: "people.html",
    wiki: true,
    always: false,
};

const PRODUCT: Decl = Decl {
    singular: "product",
    plural: "products",
    keys: PRODUCT_KEYS,
    template: "product.html",
    index_template: "products.html",
    wiki: true,
    always: false,
};

const AUTHOR: Decl = Decl {
    singular: "author",
    plural: "authors",
    keys: AUTHOR_KEYS,
    template: "author.html",
    index_template: "authors.html",
    wiki: false,
    always: false,
};

impl Kind {
    /// Every kind, in the site's order.
    pub const ALL: [Kind; 5] = [Kind::Company, Kind::Source, Kind::Person, Kind::Product, Kind::Author];

    /// The kind's declaration.
    pub fn decl(self) -> &'static Decl {
        match self {
            Kind::Company => &COMPANY,
            Kind::Source => &SOURCE,
            Kind::Person => &PERSON,
            Kind::Product => &PRODUCT,
            Kind::Author => &AUTHOR,
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
    /// `image` (`logo` for a company), and the front-matter key it was written under.
    pub image: Option<(&'static str, &'a RawImage)>,
    /// `extra`.
    pub extra: &'a serde_yaml::Mapping,
}

/// Front matter of a named entity: what every kind has, read the same way.
pub trait RawEntity: crate::content::frontcache::Front + Send + Sync + 'static {
    /// Its kind.
    const KIND: Kind;
    /// The fields every kind has.
    fn common(&self) -> RawCommon<'_>;
}

impl RawEntity for RawCompany {
    const KIND: Kind = Kind::Company;
    fn common(&self) -> RawCommon<'_> {
        RawCommon { name: self.name.as_ref(), aliases: &self.aliases, website: self.website.as_ref(), image: self.logo.as_ref().map(|i| ("logo", i)), extra: &self.extra }
    }
}

impl RawEntity for RawSource {
    const KIND: Kind = Kind::Source;
    fn common(&self) -> RawCommon<'_> {
        RawCommon { name: self.name.as_ref(), aliases: &[], website: self.website.as_ref(), image: None, extra: &self.extra }
    }
}

impl RawEntity for RawPerson {
    const KIND: Kind = Kind::Person;
    fn common(&self) -> RawCommon<'_> {
        RawCommon { name: self.name.as_ref(), aliases: &self.aliases, website: self.website.as_ref(), image: self.image.as_ref().map(|i| ("image", i)), extra: &self.extra }
    }
}

impl RawEntity for RawProduct {
    const KIND: Kind = Kind::Product;
    fn common(&self) -> RawCommon<'_> {
        RawCommon { name: self.name.as_ref(), aliases: &self.aliases, website: self.website.as_ref(), image: self.image.as_ref().map(|i| ("image", i)), extra: &self.extra }
    }
}

impl RawEntity for RawAuthor {
    const KIND: Kind = Kind::Author;
    fn common(&self) -> RawCommon<'_> {
        RawCommon { name: self.name.as_ref(), aliases: &[], website: self.website.as_ref(), image: self.image.as_ref().map(|i| ("image", i)), extra: &self.extra }
    }
}
