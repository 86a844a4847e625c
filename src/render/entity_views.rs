//! Views of named entities (companies, sources, people, products, authors): what every
//! kind shows ([`EntityView`]), each kind's own fields beside it, and what an entity's page
//! shows besides its briefs (a source's claims).

use serde::Serialize;

use super::views::{BriefLink, Ref, Views};
use crate::content::kinds::Kind;
use crate::content::model::Status;
use crate::site::*;

/// An entity (a company, a source...) on its page and in its kind's index: what every
/// kind has, and beside it (in the same map) what its kind has of its own.
#[derive(Serialize)]
pub struct EntityView<'a, T> {
    /// Slug.
    pub slug: &'a str,
    /// Name.
    pub name: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// Other names.
    pub aliases: &'a [String],
    /// Home page.
    pub website: Option<&'a str>,
    /// Profile HTML: print with `| safe`.
    pub body: &'a str,
    /// Number of briefs naming it.
    pub brief_count: usize,
    /// Date of its latest brief.
    pub latest: Option<String>,
    /// Root-relative URL of its Atom feed.
    pub feed_url: String,
    /// Root-relative URL of its RSS 2.0 feed.
    pub rss_url: String,
    /// Front-matter `extra`.
    pub extra: &'a Extra,
    /// Its picture (`image`, or a company's `logo`).
    pub image: Option<crate::render::media_views::ImageView<'a>>,
    /// What its page is shared with.
    pub share_image: Option<crate::render::media_views::ShareImage>,
    /// Its kind's own fields.
    #[serde(flatten)]
    pub own: T,
}

/// A company's own fields.
#[derive(Serialize)]
pub struct CompanyOwn<'a> {
    /// Ticker.
    pub ticker: Option<&'a str>,
    /// Exchange.
    pub exchange: Option<&'a str>,
    /// Parent company.
    pub parent: Option<Ref<'a>>,
    /// Subsidiaries.
    pub subsidiaries: Vec<Ref<'a>>,
    /// Companies most often named alongside: `{company, count}`.
    pub often_with: Vec<CountedRef<'a>>,
    /// Products it makes.
    pub products: Vec<Ref<'a>>,
    /// People with a role there now: `{person, title}`.
    pub people: Vec<PersonRole<'a>>,
    /// schema.org `Organization` JSON-LD, safe inside `<script type="application/ld+json">`.
    pub json_ld: String,
}

/// A company on its page and in the index.
pub type CompanyView<'a> = EntityView<'a, CompanyOwn<'a>>;

/// A link with a count.
#[derive(Serialize)]
pub struct CountedRef<'a> {
    /// The linked thing.
    pub company: Ref<'a>,
    /// How many briefs name both.
    pub count: usize,
}

/// One row of a track record.
#[derive(Serialize)]
pub struct StatusCount<'a> {
    /// Status.
    pub status: &'static str,
    /// For display, in the site's language.
    pub label: &'a str,
    /// Briefs with it.
    pub count: usize,
}

/// A source's track record.
#[derive(Serialize)]
pub struct RecordView<'a> {
    /// How many claims it has (citing briefs that are `reported` or `rumor`); the claims
    /// themselves are listed page by page, as `claims`, beside the briefs of each page.
    pub claim_count: usize,
    /// Claims later confirmed or announced.
    pub later_confirmed: usize,
    /// Claims later denied (by their subject).
    pub later_denied: usize,
    /// Claims still open.
    pub open: usize,
    /// Citing briefs by their own status (only non-zero rows): not a measure of accuracy.
    pub by_status: Vec<StatusCount<'a>>,
    /// Citing briefs without a status.
    pub unlabelled: usize,
}

/// A claim on a source's page.
#[derive(Serialize)]
pub struct ClaimView<'a> {
    /// The brief that made it.
    pub brief: BriefLink<'a>,
    /// `confirmed`, `denied` or `open`.
    pub outcome: &'static str,
    /// The brief that confirmed or denied it.
    pub settled_by: Option<BriefLink<'a>>,
}

/// A source's own fields.
#[derive(Serialize)]
pub struct SourceOwn<'a> {
    /// Kind.
    pub kind: Option<&'a str>,
    /// Needs a subscription.
    pub paywalled: bool,
    /// Track record.
    pub record: RecordView<'a>,
}

/// A source on its page and in the index.
pub type SourceView<'a> = EntityView<'a, SourceOwn<'a>>;

/// A person with a role at a company.
#[derive(Serialize)]
pub struct PersonRole<'a> {
    /// The person.
    pub person: Ref<'a>,
    /// The role's title.
    pub title: &'a str,
}

/// A role on a person's page.
#[derive(Serialize)]
pub struct RoleView<'a> {
    /// The company.
    pub company: Ref<'a>,
    /// The position.
    pub title: &'a str,
    /// `YYYY-MM-DD` or RFC 3339, if known.
    pub since: Option<String>,
    /// `YYYY-MM-DD` or RFC 3339, if it ended.
    pub until: Option<String>,
}

/// A person's own fields.
#[derive(Serialize)]
pub struct PersonOwn<'a> {
    /// Roles, as written.
    pub roles: Vec<RoleView<'a>>,
    /// Briefs whose body links to them, newest first: `{title, url, date}`.
    pub linked_from: Vec<BriefLink<'a>>,
}

/// A product's own fields.
#[derive(Serialize)]
pub struct ProductOwn<'a> {
    /// The company that makes it.
    pub maker: Ref<'a>,
    /// model, chip, app, service, device or other.
    pub kind: Option<&'a str>,
    /// Release date, if known.
    pub released: Option<String>,
}

/// An author has nothing of its own beyond what every entity has.
#[derive(Serialize)]
pub struct AuthorOwn {}

impl<'a> Views<'a> {
    /// Any entity, as its own kind's view.
    pub fn entity(&self, id: EntityId) -> tera::Value {
        let i = id.index;
        match id.kind {
            Kind::Company => tera::Value::from_serializable(&self.company(CompanyId(i))),
            Kind::Source => tera::Value::from_serializable(&self.source(SourceId(i))),
            Kind::Person => tera::Value::from_serializable(&self.entity_view(id, self.person_own(PersonId(i)))),
            Kind::Product => tera::Value::from_serializable(&self.entity_view(id, self.product_own(ProductId(i)))),
            Kind::Author => tera::Value::from_serializable(&self.entity_view(id, AuthorOwn {})),
        }
    }

    /// A chip of any entity: `{slug, name, url}` (and `ticker` for companies).
    pub fn entity_ref(&self, id: EntityId) -> Ref<'a> {
        let e = self.site.entity(id);
        let ticker = match id.kind {
            Kind::Company => self.site.company(CompanyId(id.index)).ticker.as_deref(),
            _ => None,
        };
        Ref { slug: e.slug.as_str(), name: &e.name, url: self.url(&paths::entity(id.kind, e.slug.as_str())), ticker }
    }

    fn person_own(&self, id: PersonId) -> PersonOwn<'a> {
        let p = self.site.person(id);
        let roles = p
            .roles
            .iter()
            .map(|r| RoleView {
                company: self.company_ref(r.company),
                title: &r.title,
                since: r.since.map(|d| d.iso()),
                until: r.until.map(|d| d.iso()),
            })
            .collect();
        let linked_from = p.linked_from.iter().map(|b| self.brief_link(*b)).collect();
        PersonOwn { roles, linked_from }
    }

    fn product_own(&self, id: ProductId) -> ProductOwn<'a> {
        let p = self.site.product(id);
        ProductOwn { maker: self.company_ref(p.maker), kind: p.kind.as_deref(), released: p.released.map(|d| d.iso()) }
    }

    /// What every entity's view has, with its kind's `own` fields.
    pub fn entity_view<T>(&self, id: EntityId, own: T) -> EntityView<'a, T> {
        let e = self.site.entity(id);
        let path = paths::entity(id.kind, e.slug.as_str());
        EntityView {
            slug: e.slug.as_str(),
            name: &e.name,
            url: self.url(&path),
            aliases: &e.aliases,
            website: e.website.as_ref().map(|u| u.as_str()),
            body: &e.body_html,
            brief_count: e.briefs.len(),
            latest: e.briefs.first().map(|b| self.site.brief(*b).date.iso()),
            feed_url: self.url(&paths::concat(&[&path, "atom.xml"])),
            rss_url: self.url(&paths::concat(&[&path, "rss.xml"])),
            extra: &e.extra,
            image: e.image.as_ref().map(|l| self.image(l, false)),
            share_image: e.image.as_ref().and_then(|l| self.share_of(l)),
            own,
        }
    }

    /// A company.
    pub fn company(&self, id: CompanyId) -> CompanyView<'a> {
        let c = self.site.company(id);
        let own = CompanyOwn {
            ticker: c.ticker.as_deref(),
            exchange: c.exchange.as_deref(),
            parent: c.parent.map(|p| self.company_ref(p)),
            subsidiaries: c.subsidiaries.iter().map(|s| self.company_ref(*s)).collect(),
            often_with: c.often_with.iter().map(|(o, n)| CountedRef { company: self.company_ref(*o), count: *n }).collect(),
            products: c.products.iter().map(|p| self.entity_ref(EntityId { kind: Kind::Product, index: p.0 })).collect(),
            people: c
                .people
                .iter()
                .map(|(p, r)| PersonRole {
                    person: self.entity_ref(EntityId { kind: Kind::Person, index: p.0 }),
                    title: &self.site.person(*p).roles[*r].title,
                })
                .collect(),
            json_ld: self.company_json_ld(id),
        };
        self.entity_view(EntityId { kind: Kind::Company, index: id.0 }, own)
    }

    /// What an entity's page `n` shows besides its briefs, as a template variable: a
    /// source's claims among the briefs of that page (`claims`).
    pub fn page_extras(&self, id: EntityId, page: &[BriefId]) -> Option<(&'static str, tera::Value)> {
        let Kind::Source = id.kind else { return None };
        let all = &self.site.source(SourceId(id.index)).record.claims;
        // Claims are in the order of the source's briefs, as pages are: this page's claims
        // lie between its first and last brief (found without reading every claim).
        let (first, last) = (page.first().copied(), page.last().copied());
        let from = all.partition_point(|c| Some(c.brief) < first);
        let to = all.partition_point(|c| Some(c.brief) <= last);
        let claims: Vec<ClaimView<'a>> = (all[from..to.max(from)].iter())
            .filter(|c| page.binary_search(&c.brief).is_ok())
            .map(|c| {
                let (outcome, by) = match c.outcome {
                    Outcome::Open => ("open", None),
                    Outcome::Confirmed(b) => ("confirmed", Some(b)),
                    Outcome::Denied(b) => ("denied", Some(b)),
                };
                ClaimView { brief: self.brief_link(c.brief), outcome, settled_by: by.map(|b| self.brief_link(b)) }
            })
            .collect();
        Some(("claims", tera::Value::from_serializable(&claims)))
    }

    /// A source.
    pub fn source(&self, id: SourceId) -> SourceView<'a> {
        let s = self.site.source(id);
        let r = &s.record;
        let record = RecordView {
            claim_count: r.claims.len(),
            by_status: Status::ALL
                .iter()
                .zip(r.by_status)
                .filter(|(_, n)| *n > 0)
                .map(|(st, count)| StatusCount { status: st.as_str(), label: self.status_label(*st), count })
                .collect(),
            unlabelled: r.unlabelled,
            later_confirmed: r.later_confirmed,
            later_denied: r.later_denied,
            open: r.open,
        };
        self.entity_view(
            EntityId { kind: Kind::Source, index: id.0 },
            SourceOwn { kind: s.kind.as_deref(), paywalled: s.paywalled, record },
        )
    }
}
