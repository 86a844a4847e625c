//! Stage 3, render: turns the [`Site`] into an [`Output`]: every page's bytes, in memory.
//!
//! Builds the Tera environment (theme templates under site overrides, our filters),
//! prepares each brief's list card once, then renders every page in parallel. Writes
//! nothing: `check` discards the output, `build` hands it to `write`.

pub mod feeds;
pub mod search;
pub mod views;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use tera::value::Key;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::load::StaticSource;
use crate::render::views::{Paginator, SiteView, Views};
use crate::site::*;

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
}

impl File<'_> {
    /// The file, owned.
    pub fn to_owned(self) -> OutFile {
        OutFile { path: self.path.to_string(), bytes: self.bytes.to_vec(), source: self.source.map(Path::to_path_buf) }
    }
}

/// Everything a build produces.
#[derive(Debug)]
pub struct Output {
    /// Generated files.
    pub files: Vec<OutFile>,
    /// Static files to copy as they are.
    pub statics: Vec<(String, StaticSource)>,
}

/// The templates every theme must provide.
pub const REQUIRED_TEMPLATES: [&str; 14] = [
    "index.html",
    "brief.html",
    "companies.html",
    "company.html",
    "sources.html",
    "source.html",
    "tags.html",
    "tag.html",
    "stories.html",
    "story.html",
    "archive.html",
    "page.html",
    "404.html",
    "search.html",
];

/// One file to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Home page `n`.
    Home(usize),
    /// A brief page.
    Brief(BriefId),
    /// `/companies/`.
    Companies,
    /// Page `n` of a company.
    Company(CompanyId, usize),
    /// `/sources/`.
    Sources,
    /// Page `n` of a source.
    Source(SourceId, usize),
    /// `/tags/`.
    Tags,
    /// Page `n` of a tag.
    Tag(TagId, usize),
    /// `/stories/`.
    Stories,
    /// A story.
    Story(StoryId),
    /// `/archive/`.
    Archive,
    /// A free page.
    Page(usize),
    /// `/404.html`.
    NotFound,
    /// An Atom feed.
    Feed(FeedOf),
    /// `/feed.json`.
    JsonFeed,
    /// `/sitemap.xml`.
    Sitemap,
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

/// Whose Atom feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOf {
    /// The whole site (full content).
    Site,
    /// A company.
    Company(CompanyId),
    /// A source.
    Source(SourceId),
    /// A tag.
    Tag(TagId),
    /// A story.
    Story(StoryId),
}

/// The template each brief's list card is rendered with, once.
pub const CARD_PARTIAL: &str = "partials/card.html";

fn template_origin(site: &Site, name: &str) -> PathBuf {
    site.templates.iter().find(|t| t.name == name).map_or_else(|| PathBuf::from(name), |t| t.origin.clone())
}

/// One chip value per company, tag and story (`{slug, name, url}`, and `ticker`).
struct Chips {
    companies: Vec<Value>,
    tags: Vec<Value>,
    stories: Vec<Value>,
}

/// Everything needed to render any page of a site: the site, the templates, and caches
/// filled on first use (each brief's list card, each brief's feed entry). Shared by the
/// threads that render; `serve` keeps one per build and renders pages on request.
pub struct Renderer {
    site: Arc<Site>,
    tera: Tera,
    cards: Vec<OnceLock<Result<Value, Diagnostic>>>,
    /// The chip of every company, tag and story, shared by the cards that name it.
    chips: Chips,
    entries: feeds::EntryCache,
    search: OnceLock<(crate::render::search::Index, std::time::Duration)>,
}

impl Renderer {
    /// Loads the templates. Template errors land in `diags` and give `None`.
    pub fn new(site: Arc<Site>, diags: &mut Diagnostics) -> Option<Renderer> {
        let tera = environment(&site, diags)?;
        let n = site.briefs.len();
        let views = Views::new(&site);
        let chips = Chips {
            companies: (0..site.companies.len()).map(|i| Value::from_serializable(&views.company_ref(CompanyId(i as u32)))).collect(),
            tags: (0..site.tags.len()).map(|i| Value::from_serializable(&views.tag_ref(TagId(i as u32)))).collect(),
            stories: (0..site.stories.len()).map(|i| Value::from_serializable(&views.story_ref(StoryId(i as u32)))).collect(),
        };
        Some(Renderer {
            tera,
            cards: (0..n).map(|_| OnceLock::new()).collect(),
            chips,
            entries: feeds::EntryCache::new(n),
            search: OnceLock::new(),
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

    /// The key of the `i`-th search shard.
    fn shard_key(&self, i: usize) -> &str {
        self.search_index().keys.get(i).map_or("", String::as_str)
    }

    /// The site being rendered.
    pub fn site(&self) -> &Site {
        &self.site
    }

    fn views(&self) -> Views<'_> {
        Views::new(&self.site)
    }

    /// A brief's list card: its fields, and `html`, rendered once through
    /// `partials/card.html` (when the theme has it) and handed to every list instead of
    /// rendered once per list.
    fn card(&self, id: BriefId) -> Result<Value, Diagnostic> {
        self.cards[id.0 as usize]
            .get_or_init(|| {
                let view = self.views().card(id);
                let mut card = Value::from_serializable(&view).into_map().unwrap_or_default();
                let chips = |all: &[Value], ids: &mut dyn Iterator<Item = u32>| {
                    Value::from(ids.map(|i| all[i as usize].clone()).collect::<Vec<_>>())
                };
                card.insert(Key::from("companies"), chips(&self.chips.companies, &mut view.companies.iter().map(|c| c.0)));
                card.insert(Key::from("tags"), chips(&self.chips.tags, &mut view.tags.iter().map(|t| t.0)));
                card.insert(Key::from("story"), view.story.map_or_else(Value::none, |s| self.chips.stories[s.0 as usize].clone()));
                let card = Value::from(card);
                if !self.tera.contains_template(CARD_PARTIAL) {
                    return Ok(card);
                }
                let mut ctx = Context::new();
                ctx.insert_value("card", card.clone());
                let html = self.tera.render(CARD_PARTIAL, &ctx).map_err(|e| {
                    let origin = |name: &str| template_origin(&self.site, name);
                    template_error(&e, &origin, Some(&paths::brief(view.slug)))
                })?;
                drop(ctx);
                let mut card = card.into_map().unwrap_or_default();
                card.insert(Key::from("html"), Value::from(html));
                Ok(Value::from(card))
            })
            .clone()
    }

    /// Every file of the site, in a stable order.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = self.jobs_without_search_data();
        jobs.push(Job::SearchMeta);
        jobs.extend((0..self.search_index().shards.len()).map(Job::SearchShard));
        jobs.extend((0..self.site.briefs.len().div_ceil(crate::render::search::CHUNK)).map(Job::SearchDocs));
        jobs
    }

    /// Whether a job writes an HTML page (the rest are feeds and data files).
    pub fn is_page(job: Job) -> bool {
        !matches!(
            job,
            Job::Feed(_) | Job::JsonFeed | Job::Sitemap | Job::Robots | Job::SearchMeta | Job::SearchShard(_) | Job::SearchDocs(_)
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
        jobs.extend([Job::Archive, Job::Sitemap, Job::Feed(FeedOf::Site), Job::JsonFeed]);
        jobs.extend([Job::Companies, Job::Sources, Job::Tags, Job::Stories]);
        jobs.extend((1..=pages_of(site.briefs.len())).map(Job::Home));
        jobs.extend((0..site.briefs.len()).map(|i| Job::Brief(BriefId(i as u32))));
        for (i, c) in site.companies.iter().enumerate() {
            let id = CompanyId(i as u32);
            jobs.extend((1..=pages_of(c.briefs.len())).map(|p| Job::Company(id, p)));
            jobs.push(Job::Feed(FeedOf::Company(id)));
        }
        for (i, s) in site.sources.iter().enumerate() {
            let id = SourceId(i as u32);
            jobs.extend((1..=pages_of(s.briefs.len())).map(|p| Job::Source(id, p)));
            jobs.push(Job::Feed(FeedOf::Source(id)));
        }
        for (i, t) in site.tags.iter().enumerate() {
            let id = TagId(i as u32);
            jobs.extend((1..=pages_of(t.briefs.len())).map(|p| Job::Tag(id, p)));
            jobs.push(Job::Feed(FeedOf::Tag(id)));
        }
        for i in 0..site.stories.len() {
            jobs.push(Job::Story(StoryId(i as u32)));
            jobs.push(Job::Feed(FeedOf::Story(StoryId(i as u32))));
        }
        jobs.extend((0..site.pages.len()).map(Job::Page));
        jobs.extend([Job::NotFound, Job::Robots, Job::Search]);
        jobs
    }

    /// Static files to copy as they are.
    pub fn statics(&self) -> &[(String, StaticSource)] {
        &self.site.statics
    }

    /// Renders one file.
    pub fn render(&self, job: Job) -> Result<OutFile, Diagnostic> {
        self.render_with(job, |f| f.to_owned())
    }

    /// Renders one file and lends it to `f`.
    pub fn render_with<T>(&self, job: Job, f: impl FnOnce(File<'_>) -> T) -> Result<T, Diagnostic> {
        let site = &*self.site;
        let (path, bytes): (String, Vec<u8>) = match job {
            Job::Feed(of) => {
                let (path, xml) = self.feed(of);
                (path, xml.into_bytes())
            }
            Job::JsonFeed => ("feed.json".into(), feeds::json_feed(site, &newest(site, site.config.feed_limit))),
            Job::Sitemap => ("sitemap.xml".into(), feeds::sitemap(site, &sitemap_entries(site))),
            Job::Robots => ("robots.txt".into(), feeds::robots(site)),
            Job::SearchMeta => ("search/meta.json".into(), crate::render::search::meta_json(site, self.search_index())),
            Job::SearchShard(i) => (self.output_path(job), self.search_index().shard_json(self.shard_key(i))),
            Job::SearchDocs(n) => (self.output_path(job), crate::render::search::docs_json(site, n)),
            page => return self.page(page, f),
        };
        Ok(f(File { path: &path, bytes: &bytes, source: None }))
    }

    /// Renders every file in parallel and hands each to `keep`; render errors go to `diags`
    /// (once per place in a template) and give `None`.
    pub fn render_each<T: Send>(&self, keep: impl Fn(File<'_>) -> T + Sync, diags: &mut Diagnostics) -> Option<Vec<T>> {
        self.render_jobs(self.jobs(), keep, diags)
    }

    /// Renders `jobs` in parallel, like [`Renderer::render_each`].
    pub fn render_jobs<T: Send>(&self, jobs: Vec<Job>, keep: impl Fn(File<'_>) -> T + Sync, diags: &mut Diagnostics) -> Option<Vec<T>> {
        let rendered: Vec<Result<T, Diagnostic>> = jobs.into_par_iter().map(|job| self.render_with(job, &keep)).collect();
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

    /// The path and text of a feed.
    fn feed(&self, of: FeedOf) -> (String, String) {
        let site = &*self.site;
        let limit = site.config.feed_limit;
        let head = |ids: &[BriefId]| ids[..ids.len().min(limit)].to_vec();
        let named = |name: &str| format!("{name} — {}", site.config.title);
        let (title, ids, full) = match of {
            FeedOf::Site => (site.config.title.clone(), newest(site, limit), true),
            FeedOf::Company(id) => (named(&site.company(id).name), head(&site.company(id).briefs), false),
            FeedOf::Source(id) => (named(&site.source(id).name), head(&site.source(id).briefs), false),
            FeedOf::Tag(id) => (named(&site.tag(id).name), head(&site.tag(id).briefs), false),
            FeedOf::Story(id) => {
                let newest_first: Vec<BriefId> = site.story(id).briefs.iter().rev().copied().collect();
                (named(&site.story(id).title), head(&newest_first), false)
            }
        };
        let page = self.feed_page(of);
        let feed_path = self.output_path(Job::Feed(of));
        let xml = feeds::atom_feed(site, &title, &page, &feed_path, &ids, full, &self.entries);
        (feed_path, xml)
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

/// The `n` newest briefs of the site (briefs are kept newest first).
fn newest(site: &Site, n: usize) -> Vec<BriefId> {
    (0..site.briefs.len().min(n)).map(|i| BriefId(i as u32)).collect()
}

fn sitemap_entries(site: &Site) -> Vec<(String, Option<String>)> {
    let latest = |ids: &[BriefId]| ids.first().map(|b| site.brief(*b).date.rfc3339());
    let mut v = vec![(String::new(), latest(&newest(site, 1)))];
    for b in &site.briefs {
        v.push((paths::brief(b.slug.as_str()), Some(b.updated.unwrap_or(b.date).rfc3339())));
    }
    v.push(("companies/".into(), None));
    v.extend(site.companies.iter().map(|c| (paths::company(c.slug.as_str()), latest(&c.briefs))));
    v.push(("sources/".into(), None));
    v.extend(site.sources.iter().map(|s| (paths::source(s.slug.as_str()), latest(&s.briefs))));
    v.push(("tags/".into(), None));
    v.extend(site.tags.iter().map(|t| (paths::tag(t.slug.as_str()), latest(&t.briefs))));
    v.push(("stories/".into(), None));
    v.extend(site.stories.iter().map(|s| (paths::story(s.slug.as_str()), s.briefs.last().map(|b| site.brief(*b).date.rfc3339()))));
    v.push(("archive/".into(), None));
    v.extend(site.pages.iter().map(|p| (paths::page(p.slug.as_str()), None)));
    v
}

/// Tera with our filters, the theme's templates and the site's overrides.
fn environment(site: &Site, diags: &mut Diagnostics) -> Option<Tera> {
    let mut tera = Tera::new();
    tera.register_filter("date", date_filter);
    tera.register_filter("json_encode", json_encode);
    let base_path = site.config.base_path();
    let views = Views::new(site);
    let pages = site
        .pages
        .iter()
        .map(|p| crate::render::views::Ref {
            slug: p.slug.as_str(),
            name: &p.title,
            url: views.url(&paths::page(p.slug.as_str())),
            ticker: None,
        })
        .collect();
    let site_view = SiteView {
        title: &site.config.title,
        description: &site.config.description,
        base_url: &site.config.base_url,
        base_path,
        language: &site.config.language,
        extra: &site.config.extra,
        brief_count: site.briefs.len(),
        pages,
        generator: concat!("briefing ", env!("CARGO_PKG_VERSION")),
    };
    tera.global_context().insert("site", &site_view);
    let origin = |name: &str| template_origin(site, name);
    let sources: Vec<(&str, &str)> = site.templates.iter().map(|t| (t.name.as_str(), t.text.as_str())).collect();
    if let Err(e) = tera.add_raw_templates(sources) {
        diags.push(template_error(&e, &origin, None));
        return None;
    }
    let missing: Vec<&str> = REQUIRED_TEMPLATES.iter().copied().filter(|t| !tera.contains_template(t)).collect();
    if !missing.is_empty() {
        diags.push(
            Diagnostic::error(&PathBuf::from("templates"), 0, 0, format!("the theme lacks {}", missing.join(", ")))
                .with_hint("copy them from the default theme (`briefing init` writes one) or remove `theme` from site.toml"),
        );
        return None;
    }
    Some(tera)
}

/// A located diagnostic out of a Tera error.
fn template_error(e: &tera::Error, origin: &dyn Fn(&str) -> PathBuf, page: Option<&str>) -> Diagnostic {
    let context = page.map(|p| format!(" (while rendering /{p})")).unwrap_or_default();
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let span = r.span();
            Diagnostic::error(&origin(r.filename()), span.start_line, span.start_col + 1, format!("{}{context}", r.message()))
                .with_hint_opt(page.map(|_| "see docs/templates.md for the variables each template receives".to_string()))
        }
        other => Diagnostic::error(&PathBuf::from("templates"), 0, 0, format!("{other}{context}")),
    }
}

/// `{{ date | date(format="%-d %B %Y") }}`: formats a `YYYY-MM-DD` or RFC 3339 string.
/// Each format is parsed once per thread (templates use a handful, on every page), and
/// each date is formatted once per thread and format: a brief's date is shown on its
/// page, its card and in the related lists of a dozen others.
fn date_filter(value: &str, kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    use chrono::format::Item;
    /// Beyond this many formatted dates a thread starts over (only `serve` gets there).
    const MAX_FORMATTED: usize = 1 << 16;
    #[derive(Default)]
    struct Memo {
        formats: rustc_hash::FxHashMap<String, Vec<Item<'static>>>,
        /// `format`, a NUL, `value` -> the formatted date.
        formatted: rustc_hash::FxHashMap<String, String>,
        key: String,
    }
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = Default::default();
    }
    let format: &str = kwargs.get("format")?.unwrap_or("%Y-%m-%d");
    MEMO.with_borrow_mut(|memo| {
        let Memo { formats, formatted, key } = memo;
        key.clear();
        key.push_str(format);
        key.push('\0');
        key.push_str(value);
        if let Some(out) = formatted.get(key.as_str()) {
            return Ok(out.clone());
        }
        let date = crate::content::model::Date::parse(value).map_err(tera::Error::message)?;
        if !formats.contains_key(format) {
            let items = chrono::format::StrftimeItems::new(format)
                .parse_to_owned()
                .map_err(|_| tera::Error::message(format!("invalid date format \"{format}\"")))?;
            formats.insert(format.to_string(), items);
        }
        let items = formats.get(format).map_or(&[][..], Vec::as_slice);
        let mut out = String::with_capacity(24);
        write!(out, "{}", date.at.format_with_items(items.iter()))
            .map_err(|_| tera::Error::message(format!("invalid date format \"{format}\"")))?;
        if formatted.len() >= MAX_FORMATTED {
            formatted.clear();
        }
        formatted.insert(key.clone(), out.clone());
        Ok(out)
    })
}

/// `{{ value | json_encode }}`: JSON, safe to embed in a `<script>` element.
fn json_encode(value: Value, _: Kwargs, _: &State) -> Value {
    Value::safe_string(&crate::render::views::script_json(&value))
}

impl Renderer {
    fn cards(&self, ids: &[BriefId]) -> Result<Value, Diagnostic> {
        Ok(Value::from(ids.iter().map(|b| self.card(*b)).collect::<Result<Vec<Value>, Diagnostic>>()?))
    }

    /// The slice of `ids` on page `n` and its paginator.
    fn paginate<'i>(&self, base: &str, ids: &'i [BriefId], n: usize) -> (&'i [BriefId], Paginator) {
        let (range, p) = self.page_range(base, ids.len(), n);
        (&ids[range], p)
    }

    /// Which of `len` briefs page `n` of the list at `base` shows, and its paginator.
    fn page_range(&self, base: &str, len: usize, n: usize) -> (std::ops::Range<usize>, Paginator) {
        let per = self.site.config.briefs_per_page;
        let total = len.div_ceil(per).max(1);
        let start = ((n - 1) * per).min(len);
        let end = (start + per).min(len);
        let url = |k: usize| self.views().url(&paths::paginated(base, k));
        let p = Paginator {
            current: n,
            total,
            prev_url: (n > 1).then(|| url(n - 1)),
            next_url: (n < total).then(|| url(n + 1)),
            first_url: url(1),
            last_url: url(total),
        };
        (start..end, p)
    }

    /// The site-relative folder of a page (`briefs/x/`; `` for home and 404).
    fn page_path(&self, job: Job) -> String {
        let site = &*self.site;
        match job {
            Job::Home(n) => paths::paginated("", n),
            Job::Brief(id) => paths::brief(site.brief(id).slug.as_str()),
            Job::Companies => "companies/".into(),
            Job::Company(id, n) => paths::paginated(&paths::company(site.company(id).slug.as_str()), n),
            Job::Sources => "sources/".into(),
            Job::Source(id, n) => paths::paginated(&paths::source(site.source(id).slug.as_str()), n),
            Job::Tags => "tags/".into(),
            Job::Tag(id, n) => paths::paginated(&paths::tag(site.tag(id).slug.as_str()), n),
            Job::Stories => "stories/".into(),
            Job::Story(id) => paths::story(site.story(id).slug.as_str()),
            Job::Archive => "archive/".into(),
            Job::Page(i) => paths::page(site.pages[i].slug.as_str()),
            Job::Feed(of) => self.feed_page(of),
            Job::Search => "search/".into(),
            Job::NotFound | Job::JsonFeed | Job::Sitemap | Job::Robots | Job::SearchMeta | Job::SearchShard(_) | Job::SearchDocs(_) => {
                String::new()
            }
        }
    }

    /// The page whose feed `of` is (its folder).
    fn feed_page(&self, of: FeedOf) -> String {
        let site = &*self.site;
        match of {
            FeedOf::Site => String::new(),
            FeedOf::Company(id) => paths::company(site.company(id).slug.as_str()),
            FeedOf::Source(id) => paths::source(site.source(id).slug.as_str()),
            FeedOf::Tag(id) => paths::tag(site.tag(id).slug.as_str()),
            FeedOf::Story(id) => paths::story(site.story(id).slug.as_str()),
        }
    }

    /// The feed a page links as its own, if any.
    fn feed_of(&self, job: Job) -> Option<FeedOf> {
        match job {
            Job::Home(_) => Some(FeedOf::Site),
            Job::Company(id, _) => Some(FeedOf::Company(id)),
            Job::Source(id, _) => Some(FeedOf::Source(id)),
            Job::Tag(id, _) => Some(FeedOf::Tag(id)),
            Job::Story(id) => Some(FeedOf::Story(id)),
            _ => None,
        }
    }

    /// The file a job writes, relative to the output folder.
    pub fn output_path(&self, job: Job) -> String {
        match job {
            Job::NotFound => "404.html".into(),
            Job::Feed(of) => format!("{}atom.xml", self.feed_page(of)),
            Job::JsonFeed => "feed.json".into(),
            Job::Sitemap => "sitemap.xml".into(),
            Job::Robots => "robots.txt".into(),
            Job::SearchMeta => "search/meta.json".into(),
            Job::SearchShard(i) => format!("search/t/{}.json", self.shard_key(i)),
            Job::SearchDocs(n) => format!("search/d/{n}.json"),
            page => format!("{}index.html", self.page_path(page)),
        }
    }

    /// Renders a page and lends it to `f`.
    fn page<T>(&self, job: Job, f: impl FnOnce(File<'_>) -> T) -> Result<T, Diagnostic> {
        let site = &*self.site;
        let v = &self.views();
        let mut ctx = Context::new();
        let path = self.page_path(job);
        let template: &str = match job {
            Job::Home(n) => {
                let (range, p) = self.page_range("", site.briefs.len(), n);
                let ids: Vec<BriefId> = range.map(|i| BriefId(i as u32)).collect();
                ctx.insert_value("briefs", self.cards(&ids)?);
                ctx.insert("paginator", &p);
                "index.html"
            }
            Job::Brief(id) => {
                let b = site.brief(id);
                ctx.insert_value("brief", merge(&self.card(id)?, Value::from_serializable(&v.brief(id))));
                ctx.insert_value("related", self.cards(&b.related)?);
                ctx.insert_value("story_prev", b.story_prev.map_or_else(|| Ok(Value::none()), |p| self.card(p))?);
                ctx.insert_value("story_next", b.story_next.map_or_else(|| Ok(Value::none()), |p| self.card(p))?);
                "brief.html"
            }
            Job::Companies => {
                let list: Vec<_> = (0..site.companies.len()).map(|i| v.company(CompanyId(i as u32))).collect();
                ctx.insert("companies", &list);
                "companies.html"
            }
            Job::Company(id, n) => {
                let c = site.company(id);
                let base = paths::company(c.slug.as_str());
                let (ids, p) = self.paginate(&base, &c.briefs, n);
                ctx.insert("company", &v.company(id));
                ctx.insert_value("briefs", self.cards(ids)?);
                ctx.insert("paginator", &p);
                "company.html"
            }
            Job::Sources => {
                let list: Vec<_> = (0..site.sources.len()).map(|i| v.source(SourceId(i as u32))).collect();
                ctx.insert("sources", &list);
                "sources.html"
            }
            Job::Source(id, n) => {
                let s = site.source(id);
                let base = paths::source(s.slug.as_str());
                let (ids, p) = self.paginate(&base, &s.briefs, n);
                ctx.insert("source", &v.source(id));
                ctx.insert_value("briefs", self.cards(ids)?);
                ctx.insert("paginator", &p);
                "source.html"
            }
            Job::Tags => {
                let list: Vec<_> = (0..site.tags.len()).map(|i| v.tag(TagId(i as u32))).collect();
                ctx.insert("tags", &list);
                "tags.html"
            }
            Job::Tag(id, n) => {
                let t = site.tag(id);
                let base = paths::tag(t.slug.as_str());
                let (ids, p) = self.paginate(&base, &t.briefs, n);
                ctx.insert("tag", &v.tag(id));
                ctx.insert_value("briefs", self.cards(ids)?);
                ctx.insert("paginator", &p);
                "tag.html"
            }
            Job::Stories => {
                let list: Vec<_> = (0..site.stories.len()).map(|i| v.story(StoryId(i as u32))).collect();
                ctx.insert("stories", &list);
                "stories.html"
            }
            Job::Story(id) => {
                let s = site.story(id);
                ctx.insert("story", &v.story(id));
                ctx.insert_value("briefs", self.cards(&s.briefs)?);
                "story.html"
            }
            Job::Archive => {
                ctx.insert_value("months", self.archive()?);
                "archive.html"
            }
            Job::Page(i) => {
                let p = &site.pages[i];
                ctx.insert("page", &v.page(p));
                "page.html"
            }
            Job::NotFound => "404.html",
            Job::Search => "search.html",
            Job::Feed(_) | Job::JsonFeed | Job::Sitemap | Job::Robots | Job::SearchMeta | Job::SearchShard(_) | Job::SearchDocs(_) => {
                return Err(Diagnostic::error(std::path::Path::new("(internal)"), 0, 0, "a feed was sent to the page renderer"))
            }
        };
        ctx.insert("current_path", &path);
        ctx.insert("current_url", &site.config.absolute(&path));
        ctx.insert("feed_url", &self.feed_of(job).map(|f| v.url(&format!("{}atom.xml", self.feed_page(f)))));
        let out_path = self.output_path(job);
        let source = match job {
            Job::Brief(id) => Some(&site.brief(id).path),
            Job::Company(id, _) => Some(&site.company(id).path),
            Job::Source(id, _) => Some(&site.source(id).path),
            Job::Story(id) => site.story(id).path.as_ref(),
            Job::Page(i) => Some(&site.pages[i].path),
            _ => None,
        };
        // Into a buffer kept by the thread (no growing page by page, no second pass to
        // check that the output is UTF-8: it is), lent from there. The buffer is taken
        // out while in use, so a render inside `f` would start a buffer of its own.
        thread_local! {
            static PAGE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
        }
        let mut buf = PAGE.take();
        buf.clear();
        let rendered = self.tera.render_to(template, &ctx, &mut buf);
        let out = match rendered {
            Ok(()) => Ok(f(File { path: &out_path, bytes: &buf, source: source.map(PathBuf::as_path) })),
            Err(e) => {
                let origin = |name: &str| template_origin(site, name);
                Err(template_error(&e, &origin, Some(&path)))
            }
        };
        PAGE.set(buf);
        out
    }

    /// `months`: `[{key: "2025-03", briefs: [...]}]`, newest first.
    fn archive(&self) -> Result<Value, Diagnostic> {
        let mut months: Vec<Value> = Vec::new();
        let mut current: Option<(String, Vec<Value>)> = None;
        for (i, b) in self.site.briefs.iter().enumerate() {
            let key = b.date.day().format("%Y-%m").to_string();
            match &mut current {
                Some((k, list)) if *k == key => list.push(self.card(BriefId(i as u32))?),
                _ => {
                    if let Some((k, list)) = current.take() {
                        months.push(month_value(k, list));
                    }
                    current = Some((key, vec![self.card(BriefId(i as u32))?]));
                }
            }
        }
        if let Some((k, list)) = current {
            months.push(month_value(k, list));
        }
        Ok(Value::from(months))
    }
}

/// The fields of two maps in one (those of `extra` win).
fn merge(base: &Value, extra: Value) -> Value {
    let mut m = extra.into_map().unwrap_or_default();
    if let Some(base) = base.as_map() {
        m.reserve(base.len());
        for (k, v) in base {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Value::from(m)
}

fn month_value(key: String, briefs: Vec<Value>) -> Value {
    let mut m = std::collections::BTreeMap::new();
    m.insert("date", Value::from(format!("{key}-01")));
    m.insert("key", Value::from(key));
    m.insert("briefs", Value::from(briefs));
    Value::from(m)
}
