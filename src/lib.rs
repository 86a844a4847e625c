//! `briefing`: a static-site generator for an AI-industry briefing.
//!
//! The pipeline, one folder a stage; a stage imports only the stages before it:
//! 1. [`content`]: load — disk -> [`load::Corpus`] (site.toml, front matter, theme files);
//! 2. [`site`]: resolve — Corpus -> [`site::Site`] (references checked, lists computed);
//! 3. [`render`]: Site -> pages, feeds and search data, in memory, in parallel;
//! 4. [`output`]: write them to the output folder (`build`) or check their links (`check`).
//!
//! Around them, [`commands`]: the command line, `serve`, `publish`, `new` and `init`.

#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod commands;
pub mod content;
pub mod output;
pub mod render;
pub mod site;
pub mod steps;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use content::diag::Diagnostics;
pub use content::diag::Error;
use content::load;
use output::{linkcheck, write};
use site::resolve;

/// What `build` and `check` are asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Load options: root, drafts, base URL.
    pub load: load::LoadOptions,
    /// Output folder (default: `<root>/public`).
    pub output: Option<PathBuf>,
    /// Replace an output folder that briefing did not create.
    pub force: bool,
    /// Treat warnings as errors: nothing is written when there is one.
    pub strict: bool,
    /// Reuse nothing from `.briefing-cache/` or the output folder's last build.
    pub no_cache: bool,
}

/// How long each stage took.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// Reading and parsing files.
    pub load: Duration,
    /// Checking references, rendering Markdown, computing lists.
    pub resolve: Duration,
    /// Rendering templates and feeds (in memory, or with the link check).
    pub render: Duration,
    /// Rendering and writing the output folder (`build`), search index included.
    pub write: Duration,
    /// Of `render` or `write`: building the search index.
    pub search: Option<Duration>,
}

/// The outcome of a build or check.
#[derive(Debug)]
pub struct Outcome {
    /// Problems found (errors make the build fail).
    pub diags: Diagnostics,
    /// The output, when rendering succeeded.
    pub output: Option<render::Output>,
    /// Stage timings.
    pub timings: Timings,
    /// Number of briefs.
    pub briefs: usize,
    /// Dates of the scheduled briefs held back.
    pub scheduled: Vec<content::model::Date>,
    /// The path part of the base URL (`/` when the config could not be read).
    pub base_path: String,
    /// The absolute base URL (empty when the config could not be read).
    pub base_url: String,
}

/// Load and resolve: the site, or the reasons there is none.
struct Prepared {
    diags: Diagnostics,
    timings: Timings,
    site: Option<site::Site>,
    base_path: String,
    base_url: String,
    scheduled: Vec<content::model::Date>,
}

/// What `serve` keeps from one build to the next, so that a rebuild after one saved file
/// reads, parses and renders only what changed.
#[derive(Default)]
pub struct Caches {
    /// Parsed files.
    pub load: load::LoadCache,
    /// Rendered Markdown.
    pub resolve: resolve::ResolveCache,
}

/// What a build keeps in `.briefing-cache/` for the next one to read: front matter and
/// rendered bodies.
pub struct Kept {
    /// Front matter, by its YAML text.
    pub front: content::frontcache::FrontCache,
    /// The content files read, by their stamps.
    pub files: content::stamps::Stamps,
    /// Rendered bodies.
    pub bodies: resolve::Stored,
}

impl Kept {
    /// What the cache of the site at `root` keeps (nothing read with `fresh`); `write`
    /// says whether [`Kept::save`] writes this build's back (`build` only).
    pub fn open(root: &std::path::Path, fresh: bool, write: bool) -> Kept {
        Kept {
            front: content::frontcache::FrontCache::open(root, fresh, write),
            files: content::stamps::Stamps::open(root, fresh, write),
            bodies: resolve::Stored::open(root, fresh, write),
        }
    }

    /// Writes this build's bodies (best effort; the front matter is written as soon as
    /// the load is done).
    pub fn save(self) {
        self.bodies.save();
        // What was read (ten thousand bodies) is freed off the critical path.
        site::free_later(self);
    }
}

/// Loads and resolves, reusing what the last build `kept`.
fn prepare(opts: &load::LoadOptions, kept: &Kept) -> Result<Prepared, Error> {
    prepare_cached(opts, None, Some(kept))
}

fn prepare_cached(opts: &load::LoadOptions, caches: Option<&Caches>, kept: Option<&Kept>) -> Result<Prepared, Error> {
    let mut diags = Diagnostics::new();
    let mut timings = Timings::default();
    let t = Instant::now();
    // `serve` keeps the files it read in memory, and its watcher tells what changed.
    let stamps = kept.filter(|_| caches.is_none()).map(|k| &k.files);
    let reuse = load::Reuse { docs: caches.map(|c| &c.load), front: kept.map(|k| &k.front), stamps };
    let stored = kept.map(|k| &k.bodies);
    let corpus = load::load_cached(opts, reuse, &mut diags);
    if let Some(k) = kept {
        k.front.finish();
        k.files.finish();
    }
    let corpus = corpus?;
    timings.load = t.elapsed();
    let Some(corpus) = corpus else {
        return Ok(Prepared { diags, timings, site: None, base_path: "/".into(), base_url: String::new(), scheduled: Vec::new() });
    };
    let base_path = corpus.config.base_path().to_string();
    let base_url = corpus.config.base_url.clone();
    let t = Instant::now();
    let site = resolve::resolve_cached(corpus, caches.map(|c| &c.resolve), stored, &mut diags);
    timings.resolve = t.elapsed();
    let scheduled = site.as_ref().map(|s| s.scheduled.clone()).unwrap_or_default();
    Ok(Prepared { diags, timings, site, base_path, base_url, scheduled })
}

/// A site ready to render page by page (what `serve` holds between requests).
pub struct Ready {
    /// Problems found; with errors there is no renderer.
    pub diags: Diagnostics,
    /// Renders any page on request.
    pub renderer: Option<render::Renderer>,
    /// Stage timings.
    pub timings: Timings,
    /// The path part of the base URL.
    pub base_path: String,
}

/// Loads and resolves with `caches`, and prepares a renderer without rendering anything.
pub fn prepare_renderer(opts: &load::LoadOptions, caches: &Caches) -> Result<Ready, Error> {
    prepare_renderer_from(opts, caches, None)
}

/// Like [`prepare_renderer`], taking a body from `stored` (the bodies a build kept) when
/// `caches` has not got it: `serve`'s first build renders only what changed since.
pub fn prepare_renderer_from(opts: &load::LoadOptions, caches: &Caches, kept: Option<&Kept>) -> Result<Ready, Error> {
    let mut p = prepare_cached(opts, Some(caches), kept)?;
    let t = Instant::now();
    let renderer = match p.site.take() {
        Some(site) if !p.diags.has_errors() => render::Renderer::new(std::sync::Arc::new(site), &mut p.diags),
        _ => None,
    };
    p.timings.render = t.elapsed();
    Ok(Ready { diags: p.diags, renderer, timings: p.timings, base_path: p.base_path })
}

impl Prepared {
    fn finish(self, output: Option<render::Output>, briefs: usize) -> Outcome {
        let Prepared { diags, timings, site: _, base_path, base_url, scheduled } = self;
        Outcome { diags, output, timings, briefs, scheduled, base_path, base_url }
    }
}

/// Runs load, resolve and render, keeping every file in memory (what `serve` shows).
pub fn generate(opts: &load::LoadOptions) -> Result<Outcome, Error> {
    let mut p = prepare_cached(opts, None, None)?;
    let Some(site) = p.site.take() else { return Ok(p.finish(None, 0)) };
    let t = Instant::now();
    let briefs = site.briefs.len();
    let output = render::render(std::sync::Arc::new(site), &mut p.diags);
    p.timings.render = t.elapsed();
    Ok(p.finish(output, briefs))
}

/// Runs load, resolve and render, and checks every internal link and anchor of every
/// page. Writes nothing and keeps no page in memory.
pub fn check(opts: &load::LoadOptions) -> Result<Outcome, Error> {
    // Reads the bodies the last build kept; writes nothing.
    let mut p = prepare(opts, &Kept::open(&opts.root, false, false))?;
    let Some(site) = p.site.take() else { return Ok(p.finish(None, 0)) };
    let t = Instant::now();
    let base_url = site.config.base_url.clone();
    let briefs = site.briefs.len();
    if let Some(renderer) = render::Renderer::new(std::sync::Arc::new(site), &mut p.diags) {
        let problems = linkcheck::check_rendered(&renderer, &base_url, &opts.root, &mut p.diags);
        p.diags.extend(problems);
        site::free_later(renderer);
    }
    p.timings.render = t.elapsed();
    Ok(p.finish(None, briefs))
}

/// Loads, resolves and, when there was no error, renders straight into the output folder.
pub fn build(opts: &BuildOptions) -> Result<(Outcome, Option<write::WriteReport>), Error> {
    let kept = Kept::open(&opts.load.root, opts.no_cache, true);
    // The stores of pages and cards are opened now: their indexes are read beside the load.
    let stores = write::Stores::open(&opts.load.root, opts.no_cache);
    let mut p = prepare(&opts.load, &kept)?;
    if !p.diags.has_errors() {
        kept.save();
    }
    let Some(site) = p.site.take() else { return Ok((p.finish(None, 0), None)) };
    let briefs = site.briefs.len();
    if p.diags.has_errors() || (opts.strict && p.diags.warning_count() > 0) {
        return Ok((p.finish(None, briefs), None));
    }
    let out_dir = opts.output.clone().unwrap_or_else(|| opts.load.root.join("public"));
    let t = Instant::now();
    let report = match render::Renderer::new(std::sync::Arc::new(site), &mut p.diags) {
        Some(renderer) => {
            let wopts = write::WriteOptions { force: opts.force, fresh: opts.no_cache };
            let report = write::write(&renderer, &out_dir, &opts.load.root, wopts, stores, &mut p.diags)?;
            p.timings.search = renderer.search_time();
            site::free_later(renderer);
            report
        }
        None => None,
    };
    p.timings.write = t.elapsed();
    Ok((p.finish(None, briefs), report))
}
