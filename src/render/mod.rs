//! Stage 3, render: turns the [`Site`] into an [`Output`]: every page's bytes, in memory.
//!
//! Builds the Tera environment (theme templates under site overrides, our filters),
//! prepares each brief's list card once, then renders every page in parallel. Writes
//! nothing: `check` discards the output, `build` hands it to `write`. Owns the jobs (one a
//! file), the template views, JSON-LD, feeds and the search index. Imports `content` and
//! `site` only.

mod dates;
mod entity_views;
mod jobs;
mod media_views;
mod jsonld;
mod keys;
mod pages;
mod rss;
mod sitemaps;
mod templates;
mod text;

pub mod cards;
pub mod feeds;
pub mod images;
pub mod search;
mod search_files;
pub mod views;

pub use entity_views::{CompanyView, EntityView, SourceView};

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use tera::{Tera, Value};

use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::load::StaticSource;
pub use jobs::{FeedOf, Format, Job};

use crate::content::kinds::Kind;
pub use pages::CARD_PARTIAL;
pub use templates::{template_error, REQUIRED_TEMPLATES};

use crate::render::views::Views;
use crate::site::*;
use feeds::newest;
use sitemaps::sitemap_entries;
use templates::environment;

/// One generated file.
#[derive(Debug)]
pub struct OutFile {
    /// Site-relative path with `/` separators (`briefs/x/index.html`).
    pub path: String,
    /// Its content.
    pub bytes: Vec<u8>,
    /// The content file it shows, if one (for messages about the page).
    pub source: Option<PathBuf>,
}

/// A generated file, lent to whoever writes or checks it: a page is read straight from
/// the buffer it was rendered into, with no copy.
#[derive(Debug, Clone, Copy)]
pub struct File<'a> {
    /// Site-relative path with `/` separators (`briefs/x/index.html`).
    pub path: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
    /// The content file it shows, if one (for messages about the page).
    pub source: Option<&'a Path>,
    /// The key of what a page read, when it was asked for ([`Renderer::render_unless`]).
    pub key: Option<&'a str>,
}

impl File<'_> {
    /// The file, owned.
    pub fn to_owned(self) -> OutFile {
        OutFile { path: self.path.to_string(), bytes: self.bytes.to_vec(), source: self.source.map(Path::to_path_buf) }
    }
}

/// Asked with a page's path, the key of what it read and the content file it shows: the
/// answer to give instead of rendering it, when that page made from the same inputs is
/// at hand (in the output folder, or in the cache's store of pages).
pub type Kept<'a, T> = &'a (dyn Fn(&str, &str, Option<&Path>) -> Option<T> + Sync);

/// Everything a build produces.
#[derive(Debug)]
pub struct Output {
    /// Generated files.
    pub files: Vec<OutFile>,
    /// Static files to copy as they are.
    pub statics: Vec<(String, StaticSource)>,
}

/// One chip value per entity, tag and story (`{slug, name, url}`, and `ticker`).
struct Chips {
    /// By kind (`kind as usize`).
    entities: Vec<ChipSet>,
    tags: ChipSet,
    stories: ChipSet,
}

/// The chips of one kind, by index, and the key of each (a card's key is made of the
/// keys of those it names).
struct ChipSet {
    values: Vec<Value>,
    keys: Vec<[u8; 16]>,
}

impl ChipSet {
    fn new(values: Vec<Value>) -> ChipSet {
        ChipSet { keys: values.iter().map(keys::value_key).collect(), values }
    }
}

/// Everything needed to render any page of a site: the site, the templates, and caches
/// filled on first use (each brief's list card, each brief's feed entry). Shared by the
/// threads that render; `serve` keeps one per build and renders pages on request.
pub struct Renderer {
    site: Arc<Site>,
    tera: Tera,
    cards: Vec<OnceLock<Result<Value, Diagnostic>>>,
    /// The key of each card, when a build asks for pages' keys.
    card_keys: Vec<OnceLock<[u8; 16]>>,
    /// The chip of every company, tag and story, shared by the cards that name it.
    chips: Chips,
    entries: feeds::EntryCache,
    items: feeds::EntryCache,
    search: OnceLock<(crate::render::search::Index, std::time::Duration)>,
    /// The key of what the search index is made of, once asked for.
    search_inputs: OnceLock<String>,
    /// The search shards' names, when known without building the index.
    known_shards: OnceLock<Vec<String>>,
    /// The key of what every page shares (templates, globals, settings, the program).
    shared_key: [u8; 16],
}

impl Renderer {
    /// Loads the templates. Template errors land in `diags` and give `None`.
    pub fn new(site: Arc<Site>, diags: &mut Diagnostics) -> Option<Renderer> {
        let (tera, shared_key) = environment(&site, diags)?;
        let n = site.briefs.len();
        let views = Views::new(&site);
        let chips = Chips {
            entities: Kind::ALL.map(|kind| ChipSet::new(site.ids(kind).map(|id| Value::from_serializable(&views.entity_ref(id))).collect())).into(),
            tags: ChipSet::new((0..site.tags.len()).map(|i| Value::from_serializable(&views.tag_ref(TagId(i as u32)))).collect()),
            stories: ChipSet::new((0..site.stories.len()).map(|i| Value::from_serializable(&views.story_ref(StoryId(i as u32)))).collect()),
        };
        Some(Renderer {
            tera,
            cards: (0..n).map(|_| OnceLock::new()).collect(),
            card_keys: (0..n).map(|_| OnceLock::new()).collect(),
            chips,
            entries: feeds::EntryCache::new(n),
            items: feeds::EntryCache::new(n),
            search: OnceLock::new(),
            search_inputs: OnceLock::new(),
            known_shards: OnceLock::new(),
            shared_key,
            site,
        })
    }

    /// The search index, built the first time it is needed.
    fn search_index(&self) -> &crate::render::search::Index {
        &self
            .search
            .get_or_init(|| {
                let t = std::time::Instant::now();
                (crate::render::search::Index::build(&self.site), t.elapsed())
            })
            .0
    }

    /// How long building the search index took, if it was built.
    pub fn search_time(&self) -> Option<std::time::Duration> {
        self.search.get().map(|(_, d)| *d)
    }

    /// The site being rendered.
    pub fn site(&self) -> &Site {
        &self.site
    }

    fn views(&self) -> Views<'_> {
        Views::new(&self.site)
    }

    /// Static files to copy as they are.
    pub fn statics(&self) -> &[(String, StaticSource)] {
        &self.site.statics
    }

    /// The share cards to draw: each one's site-relative path and text.
    pub fn cards_to_draw(&self) -> Vec<(String, cards::CardText)> {
        self.site.cards().map(|(id, path)| (path, self.card_text(id))).collect()
    }

    /// What the share card of brief `id` says.
    pub fn card_text(&self, id: BriefId) -> cards::CardText {
        let site = &*self.site;
        let b = site.brief(id);
        cards::CardText {
            site: site.config.title.clone(),
            headline: b.title.clone(),
            date: dates::formatted(&b.date, site.i18n.get("date_long"), site.config.timezone, &site.config.language),
            status: b.status.map(|s| self.views().status_label(s).to_string()).unwrap_or_default(),
            companies: b.companies.iter().map(|c| site.company(*c).name.clone()).collect(),
        }
    }

    /// Every image variant and card the build writes besides pages and static files.
    pub fn media_paths(&self) -> Vec<String> {
        let site = &*self.site;
        let mut out: Vec<String> = site.images.iter().flat_map(|i| i.picture.variants().into_iter().map(|(p, _, _)| p)).collect();
        out.extend(site.cards().map(|(_, path)| path));
        out
    }

    /// Renders one file.
    pub fn render(&self, job: Job) -> Result<OutFile, Diagnostic> {
        self.render_with(job, |f| f.to_owned())
    }

    /// Renders one file and lends it to `f`.
    pub fn render_with<T>(&self, job: Job, f: impl FnOnce(File<'_>) -> T) -> Result<T, Diagnostic> {
        self.render_unless(job, None, f)
    }

    /// Renders one file and lends it to `f`, unless it is a page and `kept` answers for its
    /// path and key (the output already holds a page made from what this one reads):
    /// then that answer, and nothing rendered.
    pub fn render_unless<T>(&self, job: Job, kept: Option<Kept<'_, T>>, f: impl FnOnce(File<'_>) -> T) -> Result<T, Diagnostic> {
        let site = &*self.site;
        let (path, bytes): (String, Vec<u8>) = match job {
            Job::Feed(of, format) => {
                let (path, xml) = self.feed(of, format);
                (path, xml.into_bytes())
            }
            Job::JsonFeed => ("feed.json".into(), feeds::json_feed(site, &newest(site, site.config.feed_limit))),
            Job::Sitemap => ("sitemap.xml".into(), sitemaps::sitemap(site, &sitemap_entries(site))),
            Job::NewsSitemap => ("news-sitemap.xml".into(), sitemaps::news_sitemap(site)),
            Job::Robots => ("robots.txt".into(), sitemaps::robots(site)),
            Job::SearchMeta => ("search/meta.json".into(), crate::render::search::meta_json(site, self.shard_names())),
            Job::SearchShard(i) => return Ok(self.shard(i, kept, f)),
            Job::SearchDocs(n) => (self.output_path(job), crate::render::search::docs_json(site, n)),
            page => return self.page(page, kept, f),
        };
        Ok(f(File { path: &path, bytes: &bytes, source: None, key: None }))
    }

    /// Renders every file in parallel and hands each to `keep`; render errors go to `diags`
    /// (once per place in a template) and give `None`.
    pub fn render_each<T: Send>(&self, keep: impl Fn(File<'_>) -> T + Sync, diags: &mut Diagnostics) -> Option<Vec<T>> {
        self.render_jobs(self.jobs(), keep, diags)
    }

    /// Renders `jobs` in parallel, like [`Renderer::render_each`].
    pub fn render_jobs<T: Send>(&self, jobs: Vec<Job>, keep: impl Fn(File<'_>) -> T + Sync, diags: &mut Diagnostics) -> Option<Vec<T>> {
        self.render_jobs_unless(jobs, None, keep, diags)
    }

    /// Like [`Renderer::render_jobs`], asking `kept` first for each page.
    pub fn render_jobs_unless<T: Send>(
        &self,
        jobs: Vec<Job>,
        kept: Option<Kept<'_, T>>,
        keep: impl Fn(File<'_>) -> T + Sync,
        diags: &mut Diagnostics,
    ) -> Option<Vec<T>> {
        let rendered: Vec<Result<T, Diagnostic>> = jobs
            .into_par_iter()
            .map(|job| self.render_unless(job, kept, &keep))
            .collect();
        let mut kept = Vec::with_capacity(rendered.len());
        let mut errors = Vec::new();
        for r in rendered {
            match r {
                Ok(t) => kept.push(t),
                Err(d) => errors.push(d),
            }
        }
        (!report_render_errors(errors, diags)).then_some(kept)
    }

    /// Renders every file into memory (for `serve` and tests; `build` streams instead).
    pub fn render_all(&self, diags: &mut Diagnostics) -> Option<Output> {
        let files = self.render_each(|f| f.to_owned(), diags)?;
        Some(Output { files, statics: self.site.statics.clone() })
    }
}

/// Renders the whole site into memory.
pub fn render(site: Arc<Site>, diags: &mut Diagnostics) -> Option<Output> {
    Renderer::new(site, diags)?.render_all(diags)
}

/// Reports render errors once per place in a template (not once per page); true if any.
pub fn report_render_errors(errors: Vec<Diagnostic>, diags: &mut Diagnostics) -> bool {
    let mut seen = std::collections::HashSet::new();
    let any = !errors.is_empty();
    for d in errors {
        if seen.insert((d.path.clone(), d.line, d.column)) {
            diags.push(d);
        }
    }
    any
}
