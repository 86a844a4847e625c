//! Typed views handed to templates: what each template variable holds.
//!
//! Views borrow from [`Site`]; nothing here computes lists (that is `resolve`'s job),
//! it only shapes data for templates. Every field is documented in `docs/templates.md`.

use serde::Serialize;

use crate::content::kinds::Kind;
use crate::content::model::{Date, Status};
use crate::site::*;

/// `site`: available in every template.
#[derive(Serialize)]
pub struct SiteView<'a> {
    /// From `site.toml`.
    pub title: &'a str,
    /// From `site.toml`.
    pub description: &'a str,
    /// Absolute base URL with a trailing slash.
    pub base_url: &'a str,
    /// Path part of `base_url` (`/` or `/briefing/`): prefix it to build links.
    pub base_path: &'a str,
    /// Language of the content.
    pub language: &'a str,
    /// `[extra]` from `site.toml`.
    pub extra: &'a toml::Table,
    /// Counts, for navigation.
    pub brief_count: usize,
    /// How many of each kind of entity, by its plural (`site.counts.people`).
    pub counts: std::collections::BTreeMap<&'static str, usize>,
    /// Free pages, for navigation.
    pub pages: Vec<Ref<'a>>,
    /// `briefing` and its version.
    pub generator: &'static str,
}

/// A link to a company, source, tag, story or page.
#[derive(Serialize, Clone)]
pub struct Ref<'a> {
    /// Slug.
    pub slug: &'a str,
    /// Display name or title.
    pub name: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// Ticker (companies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticker: Option<&'a str>,
}

/// A brief as it appears in lists.
#[derive(Serialize)]
pub struct CardView<'a> {
    /// Slug.
    pub slug: &'a str,
    /// Headline.
    pub title: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// Absolute URL.
    pub permalink: String,
    /// `YYYY-MM-DD` or RFC 3339, as written: show it with the `date` filter.
    pub date: String,
    /// The full RFC 3339 date-time, for `<time datetime>` (a plain date is midnight in
    /// the site's time zone).
    pub datetime: String,
    /// Whether the brief has a time of day (else only its date is worth showing).
    pub has_time: bool,
    /// Last update, if any.
    pub updated: Option<String>,
    /// `reported`, `confirmed`, `denied`, `announced`, `rumor`, `analysis` or none.
    pub status: Option<&'static str>,
    /// `Reported`, ... for display.
    pub status_label: Option<&'a str>,
    /// Plain-text summary.
    pub summary: &'a str,
    /// True only in `--drafts` builds.
    pub draft: bool,
    /// Its lead image, as a thumbnail.
    pub image: Option<crate::render::media_views::ImageView<'a>>,
    /// Its companies, tags and story: templates see them as `companies`, `tags` (lists of
    /// [`Ref`]) and `story` (a `Ref` or none), which the renderer adds from one value per
    /// company, tag and story shared by every card (not a copy in each of thousands).
    #[serde(skip)]
    pub companies: &'a [CompanyId],
    /// See `companies`.
    #[serde(skip)]
    pub tags: &'a [TagId],
    /// See `companies`.
    #[serde(skip)]
    pub story: Option<StoryId>,
    /// Its people, as `people` (chips), like `companies`.
    #[serde(skip)]
    pub people: &'a [PersonId],
    /// Its products, as `products` (chips), like `companies`.
    #[serde(skip)]
    pub products: &'a [ProductId],
    /// Its byline, as `authors` (chips), like `companies`.
    #[serde(skip)]
    pub authors: &'a [AuthorId],
}

/// A cited article on a brief page.
#[derive(Serialize)]
pub struct CitationView<'a> {
    /// The outlet.
    pub source: SourceRef<'a>,
    /// The article's own address.
    pub url: Option<&'a str>,
    /// Its headline.
    pub title: Option<&'a str>,
    /// When it appeared.
    pub date: Option<String>,
    /// A remark.
    pub note: Option<&'a str>,
}

/// A link to a source, with what a reader needs to weigh it.
#[derive(Serialize)]
pub struct SourceRef<'a> {
    /// Slug.
    pub slug: &'a str,
    /// Name.
    pub name: &'a str,
    /// Root-relative URL of its page.
    pub url: String,
    /// Kind of source.
    pub kind: Option<&'a str>,
    /// Whether it needs a subscription.
    pub paywalled: bool,
}

/// What `brief` holds on a brief page besides every field of its card.
#[derive(Serialize)]
pub struct BriefView<'a> {
    /// Body HTML: print with `| safe`.
    pub body: &'a str,
    /// Its table of contents (`toc: true`): each heading's `level`, `id` and `text`.
    pub toc: &'a [crate::content::markdown::Heading],
    /// True when the summary was written in front matter (false: it is the first paragraph,
    /// so a template need not show it above the body).
    pub has_summary: bool,
    /// Citations, in the order written.
    pub citations: Vec<CitationView<'a>>,
    /// Tickers.
    pub tickers: &'a [String],
    /// Front-matter `extra`.
    pub extra: &'a Extra,
    /// Position in its story (1-based) and the story's length.
    pub story_position: Option<(usize, usize)>,
    /// Corrections, oldest first.
    pub corrections: Vec<CorrectionView<'a>>,
    /// When it last changed (`updated` or its latest correction), full RFC 3339.
    pub modified: String,
    /// schema.org `NewsArticle` JSON-LD, safe inside `<script type="application/ld+json">`.
    pub json_ld: String,
    /// Its lead image at the top of the page.
    pub lead_image: Option<crate::render::media_views::ImageView<'a>>,
    /// What it is shared with: the lead image, else its generated card.
    pub share_image: Option<crate::render::media_views::ShareImage>,
}

/// A correction, on its brief's page and on `/corrections/`.
#[derive(Serialize)]
pub struct CorrectionView<'a> {
    /// `YYYY-MM-DD` or RFC 3339, as written.
    pub date: String,
    /// Full RFC 3339, for `<time datetime>`.
    pub datetime: String,
    /// What it says: HTML, print with `| safe`.
    pub html: &'a str,
    /// The corrected brief (on `/corrections/`).
    pub brief: Option<BriefLink<'a>>,
}

/// A brief as a plain link.
#[derive(Serialize)]
pub struct BriefLink<'a> {
    /// Headline.
    pub title: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// `YYYY-MM-DD` or RFC 3339.
    pub date: String,
}

/// A tag on its page and in the index.
#[derive(Serialize)]
pub struct TagView<'a> {
    /// Slug.
    pub slug: &'a str,
    /// Name as first written.
    pub name: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// Number of briefs.
    pub brief_count: usize,
    /// Root-relative URL of its Atom feed.
    pub feed_url: String,
    /// Root-relative URL of its RSS 2.0 feed.
    pub rss_url: String,
}

/// A story on its page and in the index.
#[derive(Serialize)]
pub struct StoryView<'a> {
    /// Slug.
    pub slug: &'a str,
    /// Title.
    pub title: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// Summary from its file.
    pub summary: Option<&'a str>,
    /// Body HTML of its file: print with `| safe`.
    pub body: &'a str,
    /// Status of its latest brief that has one.
    pub status: Option<&'static str>,
    /// For display.
    pub status_label: Option<&'a str>,
    /// Number of briefs.
    pub brief_count: usize,
    /// Date of the first brief.
    pub first_date: Option<String>,
    /// Date of the latest brief.
    pub last_date: Option<String>,
    /// The path of statuses, without repeats (`reported`, `denied`, `confirmed`).
    pub status_path: Vec<&'static str>,
    /// Root-relative URL of its Atom feed.
    pub feed_url: String,
    /// Root-relative URL of its RSS 2.0 feed.
    pub rss_url: String,
    /// Front-matter `extra`.
    pub extra: &'a Extra,
    /// Its lead image.
    pub image: Option<crate::render::media_views::ImageView<'a>>,
    /// What it is shared with.
    pub share_image: Option<crate::render::media_views::ShareImage>,
}

/// A free page.
#[derive(Serialize)]
pub struct PageView<'a> {
    /// Slug.
    pub slug: &'a str,
    /// Title.
    pub title: &'a str,
    /// Root-relative URL.
    pub url: String,
    /// Body HTML: print with `| safe`.
    pub body: &'a str,
    /// Front-matter `extra`.
    pub extra: &'a Extra,
}

/// `paginator` on paginated lists.
#[derive(Serialize)]
pub struct Paginator {
    /// Current page, 1-based.
    pub current: usize,
    /// Number of pages.
    pub total: usize,
    /// Root-relative URL of the previous page.
    pub prev_url: Option<String>,
    /// Root-relative URL of the next page.
    pub next_url: Option<String>,
    /// Root-relative URL of page 1.
    pub first_url: String,
    /// Root-relative URL of the last page.
    pub last_url: String,
}

/// Builds views out of the site, prefixing `base_path` to every URL.
pub struct Views<'a> {
    /// The site.
    pub site: &'a Site,
    /// `/` or `/briefing/`.
    pub base_path: &'a str,
}

impl<'a> Views<'a> {
    /// Views of `site`.
    pub fn new(site: &'a Site) -> Self {
        Views { site, base_path: site.config.base_path() }
    }

    /// A status in the site's language (`Reported`, `Démenti`...).
    pub fn status_label(&self, status: Status) -> &'a str {
        let key = match status {
            Status::Reported => "status_reported",
            Status::Confirmed => "status_confirmed",
            Status::Denied => "status_denied",
            Status::Announced => "status_announced",
            Status::Rumor => "status_rumor",
            Status::Analysis => "status_analysis",
        };
        self.site.i18n.strings.get(key).map_or_else(|| status.label(), String::as_str)
    }

    /// Root-relative URL of a site-relative path.
    pub fn url(&self, path: &str) -> String {
        paths::concat(&[self.base_path, path])
    }

    /// A company chip.
    pub fn company_ref(&self, id: CompanyId) -> Ref<'a> {
        let c = self.site.company(id);
        Ref {
            slug: c.slug.as_str(),
            name: &c.name,
            url: self.url(&paths::entity(Kind::Company, c.slug.as_str())),
            ticker: c.ticker.as_deref(),
        }
    }

    /// A tag chip.
    pub fn tag_ref(&self, id: TagId) -> Ref<'a> {
        let t = self.site.tag(id);
        Ref { slug: t.slug.as_str(), name: &t.name, url: self.url(&paths::tag(t.slug.as_str())), ticker: None }
    }

    /// A story link.
    pub fn story_ref(&self, id: StoryId) -> Ref<'a> {
        let s = self.site.story(id);
        Ref { slug: s.slug.as_str(), name: &s.title, url: self.url(&paths::story(s.slug.as_str())), ticker: None }
    }

    /// A source link.
    pub fn source_ref(&self, id: SourceId) -> SourceRef<'a> {
        let s = self.site.source(id);
        SourceRef {
            slug: s.slug.as_str(),
            name: &s.name,
            url: self.url(&paths::entity(Kind::Source, s.slug.as_str())),
            kind: s.kind.as_deref(),
            paywalled: s.paywalled,
        }
    }

    /// A brief as a list item.
    pub fn card(&self, id: BriefId) -> CardView<'a> {
        let b = self.site.brief(id);
        let path = paths::brief(b.slug.as_str());
        CardView {
            slug: b.slug.as_str(),
            title: &b.title,
            permalink: format!("{}{path}", self.site.config.base_url),
            url: self.url(&path),
            date: b.date.iso(),
            datetime: b.date.at.with_timezone(&self.site.config.timezone).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            has_time: b.date.has_time,
            updated: b.updated.map(|d| d.iso()),
            status: b.status.map(Status::as_str),
            status_label: b.status.map(|s| self.status_label(s)),
            summary: &b.summary,
            draft: b.draft,
            image: b.image.as_ref().map(|l| self.image(l, false)),
            companies: &b.companies,
            tags: &b.tags,
            story: b.story,
            people: &b.people,
            products: &b.products,
            authors: &b.authors,
        }
    }

    /// A brief on its own page.
    pub fn brief(&self, id: BriefId) -> BriefView<'a> {
        let b = self.site.brief(id);
        let story_position = b.story.map(|s| {
            let list = &self.site.story(s).briefs;
            (list.iter().position(|x| *x == id).map_or(0, |p| p + 1), list.len())
        });
        BriefView {
            body: &b.body_html,
            toc: &b.toc,
            has_summary: b.has_summary,
            citations: b
                .citations
                .iter()
                .map(|c| CitationView {
                    source: self.source_ref(c.source),
                    url: c.url.as_ref().map(|u| u.as_str()),
                    title: c.title.as_deref(),
                    date: c.date.map(|d| d.iso()),
                    note: c.note.as_deref(),
                })
                .collect(),
            tickers: &b.tickers,
            extra: &b.extra,
            story_position,
            corrections: b.corrections.iter().map(|c| self.correction(c, None)).collect(),
            modified: b.modified().rfc3339(),
            json_ld: self.brief_json_ld(id),
            lead_image: b.image.as_ref().map(|l| self.image(l, true)),
            share_image: self.brief_share(id),
        }
    }

    /// A correction, with the brief it corrects when `of` is given.
    pub fn correction(&self, c: &'a Correction, of: Option<BriefId>) -> CorrectionView<'a> {
        CorrectionView { date: c.date.iso(), datetime: c.date.rfc3339(), html: &c.html, brief: of.map(|b| self.brief_link(b)) }
    }

    /// Every correction of the site, newest first.
    pub fn corrections(&self) -> Vec<CorrectionView<'a>> {
        let mut all: Vec<(Date, BriefId, &'a Correction)> = Vec::new();
        for (i, b) in self.site.briefs.iter().enumerate() {
            all.extend(b.corrections.iter().map(|c| (c.date, BriefId(i as u32), c)));
        }
        all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        all.into_iter().map(|(_, b, c)| self.correction(c, Some(b))).collect()
    }

    /// A brief as a plain link.
    pub fn brief_link(&self, id: BriefId) -> BriefLink<'a> {
        let b = self.site.brief(id);
        BriefLink { title: &b.title, url: self.url(&paths::brief(b.slug.as_str())), date: b.date.iso() }
    }

    /// A tag.
    pub fn tag(&self, id: TagId) -> TagView<'a> {
        let t = self.site.tag(id);
        let path = paths::tag(t.slug.as_str());
        TagView {
            slug: t.slug.as_str(),
            name: &t.name,
            url: self.url(&path),
            brief_count: t.briefs.len(),
            feed_url: self.url(&format!("{path}atom.xml")),
            rss_url: self.url(&format!("{path}rss.xml")),
        }
    }

    /// A story.
    pub fn story(&self, id: StoryId) -> StoryView<'a> {
        let s = self.site.story(id);
        let path = paths::story(s.slug.as_str());
        let statuses: Vec<Status> = s.briefs.iter().filter_map(|b| self.site.brief(*b).status).collect();
        let mut status_path: Vec<&'static str> = Vec::new();
        for st in &statuses {
            if status_path.last() != Some(&st.as_str()) {
                status_path.push(st.as_str());
            }
        }
        StoryView {
            slug: s.slug.as_str(),
            title: &s.title,
            url: self.url(&path),
            summary: s.summary.as_deref(),
            body: &s.body_html,
            status: statuses.last().map(|s| s.as_str()),
            status_label: statuses.last().map(|s| self.status_label(*s)),
            brief_count: s.briefs.len(),
            first_date: s.briefs.first().map(|b| self.site.brief(*b).date.iso()),
            last_date: s.briefs.last().map(|b| self.site.brief(*b).date.iso()),
            status_path,
            feed_url: self.url(&format!("{path}atom.xml")),
            rss_url: self.url(&format!("{path}rss.xml")),
            extra: &s.extra,
            image: s.image.as_ref().map(|l| self.image(l, true)),
            share_image: s.image.as_ref().and_then(|l| self.share_of(l)),
        }
    }

    /// A free page.
    pub fn page(&self, p: &'a Page) -> PageView<'a> {
        PageView {
            slug: p.slug.as_str(),
            title: &p.title,
            url: self.url(&paths::page(p.slug.as_str())),
            body: &p.body_html,
            extra: &p.extra,
        }
    }
}
