//! What a build produces: one [`Job`] per file, the order they run in, and where each
//! one's file goes.

use super::Renderer;
use crate::content::kinds::Kind;
use crate::site::*;

/// One file to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// Home page `n`.
    Home(usize),
    /// A brief page.
    Brief(BriefId),
    /// The index of a kind of entity (`/companies/`).
    Index(Kind),
    /// Page `n` of an entity (`/companies/meta/page/2/`).
    Entity(EntityId, usize),
    /// `/tags/`.
    Tags,
    /// Page `n` of a tag.
    Tag(TagId, usize),
    /// `/stories/`.
    Stories,
    /// A story.
    Story(StoryId),
    /// `/corrections/`.
    Corrections,
    /// `/archive/`.
    Archive,
    /// A free page.
    Page(usize),
    /// `/404.html`.
    NotFound,
    /// A feed: whose, and in which format.
    Feed(FeedOf, Format),
    /// `/feed.json`.
    JsonFeed,
    /// `/sitemap.xml`.
    Sitemap,
    /// `/news-sitemap.xml`.
    NewsSitemap,
    /// `/robots.txt`.
    Robots,
    /// `/search/`.
    Search,
    /// `/search/meta.json`.
    SearchMeta,
    /// `/search/t/<shard>.json`, by position among the shards.
    SearchShard(usize),
    /// `/search/d/<n>.json`.
    SearchDocs(usize),
}

/// A feed's format: every feed is written in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Atom (`atom.xml`).
    Atom,
    /// RSS 2.0 (`rss.xml`), for newsletter tools and aggregators that ask for it.
    Rss,
}

impl Format {
    /// Both formats.
    pub const ALL: [Format; 2] = [Format::Atom, Format::Rss];

    /// The file name of a feed in this format.
    pub fn file(self) -> &'static str {
        match self {
            Format::Atom => "atom.xml",
            Format::Rss => "rss.xml",
        }
    }
}

/// Whose feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedOf {
    /// The whole site (full content).
    Site,
    /// An entity (a company, a source...).
    Entity(EntityId),
    /// A tag.
    Tag(TagId),
    /// A story.
    Story(StoryId),
    /// Every correction.
    Corrections,
}

impl Renderer {
    /// Every file of the site, in a stable order.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = self.jobs_without_search_data();
        jobs.extend(self.search_data_jobs());
        jobs
    }

    /// The search index's data files (building the index unless the shards' names are known).
    pub fn search_data_jobs(&self) -> Vec<Job> {
        let mut jobs = vec![Job::SearchMeta];
        jobs.extend((0..self.shard_names().len()).map(Job::SearchShard));
        jobs.extend((0..self.site.briefs.len().div_ceil(crate::render::search::CHUNK)).map(Job::SearchDocs));
        jobs
    }

    /// Whether a job writes an HTML page (the rest are feeds and data files).
    pub fn is_page(job: Job) -> bool {
        !matches!(
            job,
            Job::Feed(..)
                | Job::JsonFeed
                | Job::Sitemap
                | Job::NewsSitemap
                | Job::Robots
                | Job::SearchMeta
                | Job::SearchShard(_)
                | Job::SearchDocs(_)
        )
    }

    /// Every file except the search index's data files (which need the index built).
    pub fn jobs_without_search_data(&self) -> Vec<Job> {
        let site = &*self.site;
        let per_page = site.config.briefs_per_page;
        let pages_of = |n: usize| n.div_ceil(per_page).max(1);
        let mut jobs: Vec<Job> = Vec::with_capacity(site.briefs.len() * 2 + 64);
        // The files that list the whole site first: each is one long job, and run last it
        // would keep one thread busy while the others have nothing left to do.
        jobs.extend([
            Job::Archive,
            Job::Sitemap,
            Job::NewsSitemap,
            Job::Feed(FeedOf::Site, Format::Atom),
            Job::Feed(FeedOf::Site, Format::Rss),
            Job::JsonFeed,
        ]);
        jobs.extend(site.listed_kinds().map(Job::Index));
        jobs.extend([Job::Tags, Job::Stories]);
        jobs.extend((1..=pages_of(site.briefs.len())).map(Job::Home));
        jobs.extend((0..site.briefs.len()).map(|i| Job::Brief(BriefId(i as u32))));
        for id in Kind::ALL.into_iter().flat_map(|kind| site.ids(kind)) {
            jobs.extend((1..=pages_of(site.entity(id).briefs.len())).map(|p| Job::Entity(id, p)));
            jobs.extend(Format::ALL.map(|f| Job::Feed(FeedOf::Entity(id), f)));
        }
        for (i, t) in site.tags.iter().enumerate() {
            let id = TagId(i as u32);
            jobs.extend((1..=pages_of(t.briefs.len())).map(|p| Job::Tag(id, p)));
            jobs.extend(Format::ALL.map(|f| Job::Feed(FeedOf::Tag(id), f)));
        }
        for i in 0..site.stories.len() {
            jobs.push(Job::Story(StoryId(i as u32)));
            jobs.extend(Format::ALL.map(|f| Job::Feed(FeedOf::Story(StoryId(i as u32)), f)));
        }
        jobs.extend((0..site.pages.len()).map(Job::Page));
        jobs.push(Job::Corrections);
        jobs.extend(Format::ALL.map(|f| Job::Feed(FeedOf::Corrections, f)));
        jobs.extend([Job::NotFound, Job::Robots, Job::Search]);
        jobs
    }

    /// The site-relative folder of a page (`briefs/x/`; `` for home and 404).
    pub(super) fn page_path(&self, job: Job) -> String {
        let site = &*self.site;
        match job {
            Job::Home(n) => paths::paginated("", n),
            Job::Brief(id) => paths::brief(site.brief(id).slug.as_str()),
            Job::Index(kind) => paths::index(kind),
            Job::Entity(id, n) => paths::paginated(&paths::entity(id.kind, site.entity(id).slug.as_str()), n),
            Job::Tags => "tags/".into(),
            Job::Tag(id, n) => paths::paginated(&paths::tag(site.tag(id).slug.as_str()), n),
            Job::Stories => "stories/".into(),
            Job::Story(id) => paths::story(site.story(id).slug.as_str()),
            Job::Archive => "archive/".into(),
            Job::Corrections => "corrections/".into(),
            Job::Page(i) => paths::page(site.pages[i].slug.as_str()),
            Job::Feed(of, _) => self.feed_page(of),
            Job::Search => "search/".into(),
            // 404.html and the data files (`is_page` lists them) live at the root.
            _ => String::new(),
        }
    }

    /// The page whose feed `of` is (its folder).
    pub(super) fn feed_page(&self, of: FeedOf) -> String {
        let site = &*self.site;
        match of {
            FeedOf::Site => String::new(),
            FeedOf::Entity(id) => paths::entity(id.kind, site.entity(id).slug.as_str()),
            FeedOf::Tag(id) => paths::tag(site.tag(id).slug.as_str()),
            FeedOf::Story(id) => paths::story(site.story(id).slug.as_str()),
            FeedOf::Corrections => "corrections/".into(),
        }
    }

    /// The feed a page links as its own, if any.
    pub(super) fn feed_of(&self, job: Job) -> Option<FeedOf> {
        match job {
            Job::Home(_) => Some(FeedOf::Site),
            Job::Entity(id, _) => Some(FeedOf::Entity(id)),
            Job::Tag(id, _) => Some(FeedOf::Tag(id)),
            Job::Story(id) => Some(FeedOf::Story(id)),
            Job::Corrections => Some(FeedOf::Corrections),
            _ => None,
        }
    }

    /// The file a job writes, relative to the output folder.
    pub fn output_path(&self, job: Job) -> String {
        match job {
            Job::NotFound => "404.html".into(),
            Job::Feed(of, format) => paths::concat(&[&self.feed_page(of), format.file()]),
            Job::JsonFeed => "feed.json".into(),
            Job::Sitemap => "sitemap.xml".into(),
            Job::NewsSitemap => "news-sitemap.xml".into(),
            Job::Robots => "robots.txt".into(),
            Job::SearchMeta => "search/meta.json".into(),
            Job::SearchShard(i) => format!("search/t/{}.json", self.shard_name(i)),
            Job::SearchDocs(n) => format!("search/d/{n}.json"),
            page => format!("{}index.html", self.page_path(page)),
        }
    }
}
