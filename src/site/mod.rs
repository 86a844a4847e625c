//! Stage 2, the resolved site: every document validated and every reference turned into
//! an id. Owns the [`Site`] types, page [`paths`], and [`resolve`], the steps that make it.
//! Imports only `content`.
//!
//! [`Site`] is what `resolve` produces and `render` reads. It is immutable and `Sync`;
//! lists (a company's briefs, a source's track record) are computed once here, never in
//! templates. Paths are site-relative (`briefs/x/`): prefix `base_path` for links and
//! `base_url` for feeds.

pub mod paths;
pub mod resolve;

use std::path::PathBuf;

use crate::content::config::Config;
use crate::content::kinds::Kind;
use crate::content::load::{StaticSource, TemplateSource};
use crate::content::model::{Date, HttpUrl, Slug, Status};

/// Index of a brief in [`Site::briefs`] (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BriefId(pub u32);
/// Index of a company in [`Site::companies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CompanyId(pub u32);
/// Index of a source in [`Site::sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub u32);
/// Index of a person in [`Site::people`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonId(pub u32);
/// Index of a product in [`Site::products`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProductId(pub u32);
/// Index of an author in [`Site::authors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuthorId(pub u32);
/// Index of a tag in [`Site::tags`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagId(pub u32);
/// Index of a story in [`Site::stories`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoryId(pub u32);

/// Front-matter `extra`, passed to templates untouched.
pub type Extra = serde_yaml::Mapping;

/// A cited article.
#[derive(Debug, Clone)]
pub struct Citation {
    /// The outlet.
    pub source: SourceId,
    /// The article's own address.
    pub url: Option<HttpUrl>,
    /// The article's headline.
    pub title: Option<String>,
    /// When the article appeared.
    pub date: Option<Date>,
    /// A remark about the citation.
    pub note: Option<String>,
}

/// One brief, resolved: what comes from its own file (shared between the builds of
/// `serve` while the file, the entities it names and its body's links stay the same),
/// and what the rest of the site decides (its tags' and story's ids, its lead image,
/// corrections, related briefs, story neighbours). Its own fields are read through
/// `Deref` (`brief.title`).
#[derive(Debug)]
pub struct Brief {
    /// What comes from its own file.
    pub core: std::sync::Arc<BriefCore>,
    /// The lead image.
    pub image: Option<Lead>,
    /// Tags, in front-matter order.
    pub tags: Vec<TagId>,
    /// Story thread.
    pub story: Option<StoryId>,
    /// Corrections, oldest first.
    pub corrections: Vec<Correction>,
    /// Most related briefs, best first.
    pub related: Vec<BriefId>,
    /// Previous (older) brief of its story.
    pub story_prev: Option<BriefId>,
    /// Next (newer) brief of its story.
    pub story_next: Option<BriefId>,
}

impl std::ops::Deref for Brief {
    type Target = BriefCore;

    fn deref(&self) -> &BriefCore {
        &self.core
    }
}

/// What a brief's own file makes of it: front matter checked, body rendered.
#[derive(Debug)]
pub struct BriefCore {
    /// URL slug.
    pub slug: Slug,
    /// File it came from.
    pub path: PathBuf,
    /// Headline.
    pub title: String,
    /// Publication date.
    pub date: Date,
    /// Last significant update.
    pub updated: Option<Date>,
    /// Summary: from front matter, or the first paragraph.
    pub summary: String,
    /// Whether the summary came from front matter.
    pub has_summary: bool,
    /// Body HTML, links resolved.
    pub body_html: std::sync::Arc<str>,
    /// Its headings, when it asks for a table of contents (`toc: true`).
    pub toc: Vec<crate::content::markdown::Heading>,
    /// Companies it is about, in front-matter order.
    pub companies: Vec<CompanyId>,
    /// Citations, in front-matter order.
    pub citations: Vec<Citation>,
    /// How sure the news is.
    pub status: Option<Status>,
    /// Tickers.
    pub tickers: Vec<String>,
    /// People it is about, in front-matter order.
    pub people: Vec<PersonId>,
    /// Products it is about, in front-matter order.
    pub products: Vec<ProductId>,
    /// Its writers (its `authors`, or the site's `default_author`).
    pub authors: Vec<AuthorId>,
    /// The entities its body links to with `[[...]]`, each once.
    pub links_to: Vec<EntityId>,
    /// Whether it is a draft (only present with `--drafts`).
    pub draft: bool,
    /// Anything, for templates.
    pub extra: Extra,
}

/// What every named entity has (companies, sources...): its file, names, profile and
/// the briefs that name it. A kind's own type holds one and derefs to it.
#[derive(Debug)]
pub struct Entity {
    /// Slug (file stem).
    pub slug: Slug,
    /// File it came from.
    pub path: PathBuf,
    /// Display name.
    pub name: String,
    /// Other names (for wiki links).
    pub aliases: Vec<String>,
    /// Home page.
    pub website: Option<HttpUrl>,
    /// Profile HTML.
    pub body_html: std::sync::Arc<str>,
    /// Its picture: `image` (a portrait, a product shot) or a company's `logo`.
    pub image: Option<Lead>,
    /// Briefs naming it in their front matter, newest first.
    pub briefs: Vec<BriefId>,
    /// Anything, for templates.
    pub extra: Extra,
}

/// An image of front matter (`image`, `logo`), shown at the top of its page and on cards.
#[derive(Debug, Clone)]
pub struct Lead {
    /// The file and its variants.
    pub picture: crate::content::media::Picture,
    /// Its text alternative.
    pub alt: String,
    /// Shown under it.
    pub caption: Option<String>,
    /// Who made it.
    pub credit: Option<String>,
}

impl Lead {
    /// (site-relative path, width, height, media type) of its widest variant, which pages
    /// are shared with; none for SVG, which social networks do not show.
    pub fn share(&self) -> Option<(String, u32, u32, &'static str)> {
        let p = &self.picture;
        if p.info.format == crate::content::media::Format::Svg {
            return None;
        }
        let (path, width, height) = p.largest();
        Some((path, width, height, p.info.format.mime()))
    }
}

/// An image the build publishes with its variants, and where it was first referenced
/// (for the message when its file turns out unreadable).
#[derive(Debug, Clone)]
pub struct SiteImage {
    /// The image.
    pub picture: crate::content::media::Picture,
    /// The content file that references it.
    pub from: PathBuf,
    /// Line of the reference.
    pub line: usize,
    /// Column of the reference.
    pub column: usize,
}

/// A correction to a brief.
#[derive(Debug, Clone)]
pub struct Correction {
    /// When it was made.
    pub date: Date,
    /// What it says, as HTML (one paragraph).
    pub html: String,
    /// What it says, as plain text (for JSON-LD and feeds).
    pub text: String,
}

impl Brief {
    /// When the brief last changed for its readers: `updated` (else its date), or its
    /// latest correction if that is later.
    pub fn modified(&self) -> Date {
        let mut last = self.updated.unwrap_or(self.date);
        if let Some(c) = self.corrections.iter().map(|c| c.date).max() {
            last = last.max(c);
        }
        last
    }
}

/// One company, resolved.
#[derive(Debug)]
pub struct Company {
    /// Slug, name, aliases, profile, briefs naming it in `companies`.
    pub entity: Entity,
    /// Stock ticker.
    pub ticker: Option<String>,
    /// Exchange.
    pub exchange: Option<String>,
    /// Parent company.
    pub parent: Option<CompanyId>,
    /// Companies whose parent this is.
    pub subsidiaries: Vec<CompanyId>,
    /// Companies most often named alongside, with counts, most first.
    pub often_with: Vec<(CompanyId, usize)>,
    /// Products it makes, by slug.
    pub products: Vec<ProductId>,
    /// People who hold a role at it now: each person and the index of that role.
    pub people: Vec<(PersonId, usize)>,
}

/// What a source is.
pub const SOURCE_KINDS: [&str; 6] = ["publication", "social", "filing", "press-release", "company-blog", "research"];

/// What became of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No later brief in its story confirmed or denied it (or it is in no story).
    Open,
    /// A later brief in its story was `confirmed` or `announced`: this one.
    Confirmed(BriefId),
    /// A later brief in its story was `denied` (by the subject): this one.
    Denied(BriefId),
}

/// A claim: a brief citing the source whose status is `reported` or `rumor`.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    /// The brief that made it.
    pub brief: BriefId,
    /// What became of it (the latest confirmation or denial in its story decides).
    pub outcome: Outcome,
}

/// A source's track record: its claims and what became of them, and (not counted as
/// claims) the statuses of every brief citing it.
#[derive(Debug, Default, Clone)]
pub struct TrackRecord {
    /// Its claims, newest first.
    pub claims: Vec<Claim>,
    /// Claims later confirmed (or announced).
    pub later_confirmed: usize,
    /// Claims later denied.
    pub later_denied: usize,
    /// Claims neither confirmed nor denied yet.
    pub open: usize,
    /// Count of citing briefs per status (in [`Status::ALL`] order): the briefs' own
    /// statuses, which say nothing of the source's accuracy.
    pub by_status: [usize; 6],
    /// Citing briefs without a status.
    pub unlabelled: usize,
}

/// One source, resolved.
#[derive(Debug)]
pub struct Source {
    /// Slug, name, profile, briefs citing it.
    pub entity: Entity,
    /// One of [`SOURCE_KINDS`].
    pub kind: Option<String>,
    /// Whether readers need a subscription.
    pub paywalled: bool,
    /// What became of its reports.
    pub record: TrackRecord,
}

/// A position a person holds or held.
#[derive(Debug, Clone)]
pub struct Role {
    /// Where.
    pub company: CompanyId,
    /// What (`Chief Communications Officer`).
    pub title: String,
    /// Since when.
    pub since: Option<Date>,
    /// Until when (none: still).
    pub until: Option<Date>,
}

/// One person, resolved.
#[derive(Debug)]
pub struct Person {
    /// Slug, name, aliases, bio, briefs naming them in `people`.
    pub entity: Entity,
    /// Positions, as written.
    pub roles: Vec<Role>,
    /// Briefs whose body links to them (with `[[...]]`), newest first.
    pub linked_from: Vec<BriefId>,
}

/// What a product is.
pub const PRODUCT_KINDS: [&str; 6] = ["model", "chip", "app", "service", "device", "other"];

/// One product, resolved.
#[derive(Debug)]
pub struct Product {
    /// Slug, name, aliases, profile, briefs naming it in `products`.
    pub entity: Entity,
    /// The company that makes it.
    pub maker: CompanyId,
    /// One of [`PRODUCT_KINDS`].
    pub kind: Option<String>,
    /// When it was released.
    pub released: Option<Date>,
}

/// One of the briefing's writers.
#[derive(Debug)]
pub struct Author {
    /// Slug, name, bio, briefs they wrote.
    pub entity: Entity,
}

macro_rules! entity_deref {
    ($($t:ty),*) => {$(
        impl std::ops::Deref for $t {
            type Target = Entity;
            fn deref(&self) -> &Entity {
                &self.entity
            }
        }
        impl std::ops::DerefMut for $t {
            fn deref_mut(&mut self) -> &mut Entity {
                &mut self.entity
            }
        }
    )*};
}
entity_deref!(Company, Source, Person, Product, Author);

/// Any named entity: its kind and its index among that kind's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId {
    /// Which kind.
    pub kind: Kind,
    /// Index in that kind's list of [`Site`].
    pub index: u32,
}

/// One tag.
#[derive(Debug)]
pub struct Tag {
    /// URL slug.
    pub slug: Slug,
    /// Name as first written.
    pub name: String,
    /// Briefs carrying it, newest first.
    pub briefs: Vec<BriefId>,
}

/// One story thread.
#[derive(Debug)]
pub struct Story {
    /// Slug.
    pub slug: Slug,
    /// Its file, if it has one.
    pub path: Option<PathBuf>,
    /// Title: from its file, or its earliest brief's.
    pub title: String,
    /// What it is about.
    pub summary: Option<String>,
    /// Its lead image.
    pub image: Option<Lead>,
    /// Body HTML of its file.
    pub body_html: std::sync::Arc<str>,
    /// Briefs, oldest first: the timeline.
    pub briefs: Vec<BriefId>,
    /// Anything, for templates.
    pub extra: Extra,
}

/// One free page.
#[derive(Debug)]
pub struct Page {
    /// Slug (file stem): the page lives at `/<slug>/`.
    pub slug: Slug,
    /// File it came from.
    pub path: PathBuf,
    /// Title.
    pub title: String,
    /// Body HTML.
    pub body_html: std::sync::Arc<str>,
    /// Anything, for templates.
    pub extra: Extra,
}

/// The whole resolved site.
#[derive(Debug)]
pub struct Site {
    /// Configuration.
    pub config: Config,
    /// Briefs, newest first (date descending, then slug).
    pub briefs: Vec<Brief>,
    /// Companies, by slug.
    pub companies: Vec<Company>,
    /// Sources, by slug.
    pub sources: Vec<Source>,
    /// People, by slug.
    pub people: Vec<Person>,
    /// Products, by slug.
    pub products: Vec<Product>,
    /// Authors, by slug.
    pub authors: Vec<Author>,
    /// Tags, by slug.
    pub tags: Vec<Tag>,
    /// Stories, most recently updated first.
    pub stories: Vec<Story>,
    /// Free pages, by slug.
    pub pages: Vec<Page>,
    /// Templates to render with.
    pub templates: Vec<TemplateSource>,
    /// Files to copy as they are: the theme's and the site's `static/`, and the files of
    /// bundles (beside their pages).
    pub statics: Vec<(String, StaticSource)>,
    /// Stylesheets and scripts by name, each with its fingerprinted name (`style.css` ->
    /// `style.3f2a9c1b0d.css`), for the `asset` filter.
    pub assets: std::collections::HashMap<String, String>,
    /// Every image shown, each once: its variants are made when the site is written.
    pub images: Vec<SiteImage>,
    /// Interface text in the site's language.
    pub i18n: crate::content::i18n::Translations,
    /// `data/`: each file's contents by its stem, for templates as `data.<stem>`.
    pub data: serde_json::Map<String, serde_json::Value>,
    /// "Now": the build's time, or `SOURCE_DATE_EPOCH`.
    pub now: Date,
    /// The dates of the briefs held back until then (scheduled), in no order.
    pub scheduled: Vec<Date>,
}

impl Site {
    /// Whether a brief gets a generated share card: it has no lead image and the site
    /// makes cards.
    pub fn has_card(&self, b: &Brief) -> bool {
        self.config.images.social_cards && b.image.is_none()
    }

    /// The briefs that get a share card, with the card's site-relative path.
    pub fn cards(&self) -> impl Iterator<Item = (BriefId, String)> + '_ {
        let ids = (0..self.briefs.len() as u32).map(BriefId);
        ids.filter(|id| self.has_card(self.brief(*id))).map(|id| (id, paths::card(self.brief(id).slug.as_str())))
    }

    /// What a brief is shared with: (site-relative path, width, height, media type) of its
    /// lead image's widest variant (not an SVG), else of its card when it has one.
    pub fn share_image(&self, b: &Brief) -> Option<(String, u32, u32, &'static str)> {
        match &b.image {
            Some(lead) => lead.share(),
            None => self.has_card(b).then(|| (paths::card(b.slug.as_str()), paths::CARD_SIZE.0, paths::CARD_SIZE.1, "image/png")),
        }
    }

    /// A brief by id.
    pub fn brief(&self, id: BriefId) -> &Brief {
        &self.briefs[id.0 as usize]
    }
    /// A company by id.
    pub fn company(&self, id: CompanyId) -> &Company {
        &self.companies[id.0 as usize]
    }
    /// A source by id.
    pub fn source(&self, id: SourceId) -> &Source {
        &self.sources[id.0 as usize]
    }
    /// A person by id.
    pub fn person(&self, id: PersonId) -> &Person {
        &self.people[id.0 as usize]
    }
    /// A product by id.
    pub fn product(&self, id: ProductId) -> &Product {
        &self.products[id.0 as usize]
    }
    /// An author by id.
    pub fn author(&self, id: AuthorId) -> &Author {
        &self.authors[id.0 as usize]
    }
    /// A tag by id.
    pub fn tag(&self, id: TagId) -> &Tag {
        &self.tags[id.0 as usize]
    }
    /// A story by id.
    pub fn story(&self, id: StoryId) -> &Story {
        &self.stories[id.0 as usize]
    }
    /// Any entity, by kind and index.
    pub fn entity(&self, id: EntityId) -> &Entity {
        let i = id.index as usize;
        match id.kind {
            Kind::Company => &self.companies[i],
            Kind::Source => &self.sources[i],
            Kind::Person => &self.people[i],
            Kind::Product => &self.products[i],
            Kind::Author => &self.authors[i],
        }
    }
    /// How many entities of `kind` the site has.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Company => self.companies.len(),
            Kind::Source => self.sources.len(),
            Kind::Person => self.people.len(),
            Kind::Product => self.products.len(),
            Kind::Author => self.authors.len(),
        }
    }
    /// Whether the site has pages for `kind` (its index, its templates): always for the
    /// kinds every briefing has, else when it has at least one.
    fn lists(&self, kind: Kind) -> bool {
        kind.decl().always || self.count(kind) > 0
    }
    /// The kinds the site has pages for (always companies and sources; the others when it
    /// has some), in order.
    pub fn listed_kinds(&self) -> impl Iterator<Item = Kind> + '_ {
        Kind::ALL.into_iter().filter(|k| self.lists(*k))
    }
    /// Every entity of `kind`, by id.
    pub fn ids(&self, kind: Kind) -> impl Iterator<Item = EntityId> {
        (0..self.count(kind) as u32).map(move |index| EntityId { kind, index })
    }
}

/// Frees `value` on a thread of its own: a whole site's worth of small allocations takes a
/// twentieth of a build to free, and a one-shot command can exit without waiting for it.
pub fn free_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}
