//! Where the links in bodies point: wiki links (`[[meta]]`, `[[brief:slug]]`,
//! `[[company:x]]`) and relative `.md` links, resolved for the Markdown renderer; and the
//! cache that lets `serve` skip bodies whose text and targets did not change.

use std::sync::Arc;

use ahash::AHashMap as HashMap;

use super::names::NameIndex;
use crate::content::diag::{did_you_mean, line_col, Diagnostic, Diagnostics};
use crate::content::kinds::Kind;
use crate::content::load::Doc;
use crate::content::markdown::{self, AssetTarget, LinkError, LinkResolver, Rendered, WikiTarget};
use crate::content::model::{fingerprint, Date};
use crate::content::media::Picture;
use crate::site::{paths, EntityId, SiteImage};

/// Markdown already rendered in an earlier build (`serve` keeps one): a body is rendered
/// again only when its text changed, or when anything a link can point at changed.
#[derive(Default)]
pub struct ResolveCache {
    markdown: std::sync::RwLock<MarkdownCache>,
    /// Every brief's related briefs, and what they were computed from (each brief's
    /// companies and tags, in date order): a body edit keeps them, a move recomputes a few.
    pub(super) related: std::sync::Mutex<super::related::KeptRelated>,
    /// Every brief's checked front matter, with what it was checked against.
    pub(super) front: std::sync::Mutex<super::briefs::FrontCache>,
    /// Every brief's own part, as last assembled.
    pub(super) cores: std::sync::Mutex<super::cores::KeptCores>,
}

#[derive(Default)]
struct MarkdownCache {
    /// Fingerprint of every class of link targets (slugs, names, aliases, titles, files).
    targets: Targets,
    /// Fingerprint of what changes every body (the base path, the raw HTML policy, the
    /// shortcode templates).
    global: u64,
    /// By content path: the body rendered in an earlier build.
    bodies: HashMap<String, super::bodies::Kept>,
}

/// The classes of link targets a body's lookup can depend on.
#[derive(Clone, Copy)]
pub(super) enum Class {
    /// Names of companies, sources, people, products (`[[Meta]]`, `[[person:x]]`).
    Names,
    /// Briefs' slugs and titles (`[[brief:x]]`).
    Briefs,
    /// Stories (`[[story:x]]`).
    Stories,
    /// Content files (`../companies/meta.md`).
    Files,
    /// Images and attachments.
    Assets,
}

/// How many classes there are.
pub(super) const CLASSES: usize = 5;

/// A fingerprint of each class of targets.
pub(super) type Targets = [u64; CLASSES];

/// The class of a wiki link's target.
pub(super) fn wiki_class(target: &str) -> Class {
    match target.trim().split_once(':').map(|(p, _)| p.trim()) {
        Some("brief") => Class::Briefs,
        Some("story") => Class::Stories,
        _ => Class::Names,
    }
}


/// Everything a link in a body can point at.
pub(super) struct Links<'a> {
    /// `/` or `/briefing/`.
    pub base: String,
    /// Names wiki links may use.
    pub names: &'a NameIndex,
    /// By kind (`kind as usize`), each entity's slug and display name.
    pub entities: Vec<Vec<(&'a str, &'a str)>>,
    /// Brief slug -> title.
    pub briefs: HashMap<&'a str, &'a str>,
    /// Story slug -> title, when its file gives one.
    pub stories: HashMap<&'a str, Option<&'a str>>,
    /// Path under content/ -> site-relative path of its page.
    pub files: &'a HashMap<&'a str, String>,
    /// Slugs of the drafts left out, for hints.
    pub dropped_drafts: &'a [String],
    /// Slugs of the briefs whose own file has errors: links to them are not errors too.
    pub broken: Vec<String>,
    /// Slugs of the briefs held back until their date, and that date.
    pub scheduled: HashMap<&'a str, Date>,
    /// Files that links and images may name.
    pub assets: super::assets::Assets<'a>,
    /// The images shown so far, and where.
    pub used: std::sync::Mutex<Vec<SiteImage>>,
    /// What happens to raw HTML in bodies.
    pub raw_html: markdown::RawHtml,
    /// The shortcode templates.
    pub shortcodes: markdown::Shortcodes,
    /// The site's folder, where `data/` is.
    pub root: &'a std::path::Path,
    /// How many bodies were rendered (not taken from the cache), for `--timings`.
    pub rendered_again: std::sync::atomic::AtomicUsize,
    /// The bodies kept on disk by the last build (`build`, `check`).
    pub stored: Option<&'a super::stored::Stored>,
}

impl Links<'_> {
    /// A fingerprint of each class of link targets (see [`Class`]), so that a body is
    /// checked again only against the classes that changed: a new brief does not make the
    /// bodies that link only companies look their links up again. Entries are combined
    /// with a sum, so the order of the maps does not matter and nothing needs sorting.
    /// What every class depends on (the base path, drafts, schedule) is in each.
    fn fingerprint(&self) -> Targets {
        let mut all = fingerprint(&(&self.base, self.dropped_drafts, self.raw_html, &self.broken));
        for (slug, date) in &self.scheduled {
            all = all.wrapping_add(fingerprint(&(3u8, slug, date)));
        }
        let mut t = [all; CLASSES];
        t[Class::Assets as usize] = all.wrapping_add(self.assets.fingerprint());
        for (key, named) in &self.names.0 {
            for id in named {
                let name = self.entities[id.kind as usize][id.index as usize].1;
                t[Class::Names as usize] = t[Class::Names as usize].wrapping_add(fingerprint(&(key, id, name)));
            }
        }
        for (slug, title) in &self.briefs {
            t[Class::Briefs as usize] = t[Class::Briefs as usize].wrapping_add(fingerprint(&(slug, title)));
        }
        for (slug, title) in &self.stories {
            t[Class::Stories as usize] = t[Class::Stories as usize].wrapping_add(fingerprint(&(slug, title)));
        }
        for (path, url) in self.files {
            t[Class::Files as usize] = t[Class::Files as usize].wrapping_add(fingerprint(&(path, url)));
        }
        t
    }

    /// Notes the link targets of this build in `cache`; it is emptied only when what
    /// changes every body changed (a body is checked against the targets it used).
    pub fn refresh(&self, cache: Option<&ResolveCache>) {
        if cache.is_none() && self.stored.is_none() {
            return;
        }
        let (targets, global) = (self.fingerprint(), fingerprint(&(&self.base, self.raw_html, self.shortcodes.fingerprint)));
        if let Some(stored) = self.stored {
            stored.begin(targets, global);
        }
        let Some(c) = cache else { return };
        if let Ok(mut m) = c.markdown.write() {
            if m.global != global {
                *m = MarkdownCache { targets, global, bodies: HashMap::new() };
            }
            m.targets = targets;
        }
    }

    /// Renders a body, or takes it from `cache` when its text is the same and every link
    /// it resolved resolves as before.
    pub fn render<R: Send + Sync + 'static>(&self, doc: &Arc<Doc<R>>, cache: Option<&ResolveCache>) -> Arc<Rendered> {
        let Some(cache) = cache else { return self.render_stored(doc) };
        let (body, content_path) = (doc.body(), doc.content_path.as_str());
        // Checked under a shared lock (bodies are rendered on every thread at once); only a
        // body found valid under new targets takes the lock alone, to note it.
        let kept = cache.markdown.read().ok().and_then(|c| {
            let k = c.bodies.get(content_path).filter(|k| k.text_is(body))?;
            k.still_valid(self, content_path, &c.targets).then(|| (k.rendered.clone(), (k.checked != c.targets).then_some(c.targets)))
        });
        if let Some((rendered, newly_checked)) = kept {
            if let (Some(targets), Ok(mut c)) = (newly_checked, cache.markdown.write()) {
                if let Some(k) = c.bodies.get_mut(content_path) {
                    k.checked = targets;
                }
            }
            return rendered;
        }
        // Not kept in memory (serve's first build): the body a build stored, if it still holds.
        if let Some(k) = self.stored.and_then(|s| s.reuse(self, content_path, doc.body_hash())) {
            let rendered = k.rendered.clone();
            if let Ok(mut c) = cache.markdown.write() {
                c.bodies.insert(content_path.to_string(), k.with_source(doc.clone()));
            }
            return rendered;
        }
        self.rendered_again.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (r, lookups) = super::bodies::render_recording(self, body, content_path);
        let r = Arc::new(r);
        if r.problems.is_empty() {
            if let Ok(mut c) = cache.markdown.write() {
                let checked = c.targets;
                c.bodies.insert(content_path.to_string(), super::bodies::Kept::new(doc.clone(), r.clone(), lookups, checked));
            }
        }
        r
    }

    /// Renders a body, or takes it from the bodies stored on disk (when there are) when its
    /// text is the same and every link it resolved resolves as before (the text itself is
    /// then not read, when the load did not need it).
    fn render_stored<R>(&self, doc: &Doc<R>) -> Arc<Rendered> {
        let content_path = doc.content_path.as_str();
        let Some(stored) = self.stored else { return Arc::new(markdown::render(doc.body(), content_path, self)) };
        let hash = doc.body_hash();
        if let Some(k) = stored.reuse(self, content_path, hash) {
            return k.rendered;
        }
        self.rendered_again.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (r, lookups) = super::bodies::render_recording(self, doc.body(), content_path);
        let r = Arc::new(r);
        stored.keep(content_path, hash, &r, lookups);
        r
    }

    /// For `--timings` in `serve` (with a cache): how many bodies were rendered again, of
    /// every file a link can name.
    pub fn count_rendered(&self, cached: bool) {
        if cached {
            crate::steps::count("bodies rendered", self.rendered_again.load(std::sync::atomic::Ordering::Relaxed), self.files.len());
        }
    }

    /// Renders the bodies of `docs` and reports their broken links.
    pub fn render_docs<R: Send + Sync + 'static>(
        &self,
        docs: &[Arc<Doc<R>>],
        cache: Option<&ResolveCache>,
        diags: &mut Diagnostics,
    ) -> Vec<Arc<Rendered>> {
        use rayon::prelude::*;
        let rendered: Vec<Arc<Rendered>> = docs.par_iter().map(|d| self.render(d, cache)).collect();
        for (doc, r) in docs.iter().zip(&rendered) {
            diags.extend(self.located(doc, r));
        }
        rendered
    }

    /// An entity's page, name and slug.
    fn named(&self, id: EntityId) -> (String, &str, &str) {
        let (slug, name) = self.entities[id.kind as usize][id.index as usize];
        (paths::entity(id.kind, slug), name, slug)
    }

    fn describe(&self, id: EntityId) -> String {
        let (_, name, slug) = self.named(id);
        format!("{} \"{slug}\" ({name})", id.kind.decl().singular)
    }

    fn url(&self, path: &str) -> String {
        paths::concat(&[&self.base, path])
    }

    fn brief(&self, slug: &str) -> Result<WikiTarget, LinkError> {
        match self.briefs.get(slug) {
            Some(title) => Ok(WikiTarget { url: self.url(&paths::brief(slug)), display: Some((*title).to_string()), entity: None }),
            None if self.scheduled.contains_key(slug) => Err(LinkError {
                message: format!("brief \"{slug}\" is scheduled for {}: it is not published yet", self.scheduled[slug].rfc3339()),
                hint: Some("link it once it is out, or build with --future".into()),
            }),
            None if self.broken.iter().any(|b| b == slug) => Ok(WikiTarget { url: self.url(&paths::brief(slug)), display: None, entity: None }),
            None if self.dropped_drafts.iter().any(|d| d == slug) => Err(LinkError {
                message: format!("brief \"{slug}\" is a draft"),
                hint: Some("publish it (remove `draft: true`) or build with --drafts".into()),
            }),
            None => Err(LinkError {
                message: format!("no brief with the slug \"{slug}\""),
                hint: did_you_mean(slug, self.briefs.keys().copied()).map(|k| format!("did you mean \"brief:{k}\"?")),
            }),
        }
    }

    fn story(&self, slug: &str) -> Result<WikiTarget, LinkError> {
        match self.stories.get(slug) {
            Some(title) => Ok(WikiTarget {
                url: self.url(&paths::story(slug)),
                display: Some(title.map_or_else(|| slug.to_string(), str::to_string)),
                entity: None,
            }),
            None => Err(LinkError {
                message: format!("no story with the slug \"{slug}\""),
                hint: did_you_mean(slug, self.stories.keys().copied()).map(|k| format!("did you mean \"story:{k}\"?")),
            }),
        }
    }

    /// `[[company:x]]`: only entities of `kind`.
    fn of_kind(&self, kind: Kind, name: &str) -> Result<WikiTarget, LinkError> {
        let found = self.names.0.get(&name.to_lowercase()).and_then(|ids| ids.iter().copied().find(|id| id.kind == kind));
        let singular = kind.decl().singular;
        match found {
            Some(id) => {
                let (path, display, _) = self.named(id);
                Ok(WikiTarget { url: self.url(&path), display: Some(display.to_string()), entity: Some((id.kind, id.index)) })
            }
            None => {
                let known = self.names.0.iter().filter(|(_, ids)| ids.iter().any(|id| id.kind == kind)).map(|(k, _)| k.as_str());
                Err(LinkError {
                    message: format!("no {singular} named \"{name}\""),
                    hint: did_you_mean(name, known).map(|k| format!("did you mean [[{singular}:{k}]]?")),
                })
            }
        }
    }

    /// `[[x]]`: any entity whose slug, name or alias is `target`.
    fn any(&self, target: &str) -> Result<WikiTarget, LinkError> {
        match self.names.0.get(&target.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => {
                let (path, name, slug) = self.named(*one);
                let display = (slug == target).then(|| name.to_string());
                Ok(WikiTarget { url: self.url(&path), display, entity: Some((one.kind, one.index)) })
            }
            Some(many) if many.len() > 1 => {
                let mut kinds: Vec<Kind> = many.iter().map(|id| id.kind).collect();
                kinds.dedup();
                let prefixed: Vec<String> = kinds.iter().map(|k| format!("[[{}:{target}]]", k.decl().singular)).collect();
                let by_slug: Vec<String> = many.iter().map(|id| format!("[[{}]]", self.named(*id).2)).collect();
                let hint = if kinds.len() > 1 {
                    format!("write {}, or link by slug: {}", prefixed.join(" or "), by_slug.join(" or "))
                } else {
                    format!("link by slug: {}", by_slug.join(" or "))
                };
                let all: Vec<String> = many.iter().map(|id| self.describe(*id)).collect();
                Err(LinkError { message: format!("[[{target}]] matches more than one thing: {}", all.join(", ")), hint: Some(hint) })
            }
            _ => {
                let kinds: Vec<&str> = Kind::ALL.iter().filter(|k| k.decl().wiki).map(|k| k.decl().singular).collect();
                Err(LinkError {
                    message: format!("[[{target}]] matches no {}, brief or story", kinds.join(", ")),
                    hint: did_you_mean(target, self.names.0.keys().map(String::as_str))
                        .map(|k| format!("did you mean [[{k}]]?"))
                        .or_else(|| Some("link a brief with [[brief:slug]] and a story with [[story:slug]]".into())),
                })
            }
        }
    }
}

impl LinkResolver for Links<'_> {
    fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError> {
        let target = target.trim();
        if let Some((prefix, rest)) = target.split_once(':') {
            let rest = rest.trim();
            match prefix.trim() {
                "brief" => return self.brief(rest),
                "story" => return self.story(rest),
                p => {
                    if let Some(kind) = Kind::by_singular(p).filter(|k| k.decl().wiki) {
                        return self.of_kind(kind, rest);
                    }
                }
            }
        }
        self.any(target)
    }

    fn asset(&self, from: &str, target: &str) -> Result<AssetTarget, LinkError> {
        self.assets.resolve(from, target)
    }

    fn base(&self) -> &str {
        &self.base
    }

    fn raw_html(&self) -> markdown::RawHtml {
        self.raw_html
    }

    fn shortcodes(&self) -> &markdown::Shortcodes {
        &self.shortcodes
    }

    fn data_file(&self, from: &str, name: &str) -> Result<String, LinkError> {
        let hint = "put it beside the brief in its bundle (a folder with index.md), or in data/ at the site's root";
        if name.split('/').any(|p| p == ".." || p.is_empty()) || name.starts_with('/') {
            return Err(LinkError::new(format!("data file \"{name}\" must be a plain name such as prices.csv"), hint));
        }
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let beside = self.root.join("content").join(dir).join(name);
        let candidates = if from.ends_with("/index.md") { vec![beside, self.root.join("data").join(name)] } else { vec![self.root.join("data").join(name)] };
        for path in &candidates {
            if let Ok(text) = std::fs::read_to_string(path) {
                return Ok(text);
            }
        }
        Err(LinkError::new(format!("there is no data file \"{name}\" (looked in {})", candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" and ")), hint))
    }

    fn file(&self, from: &str, target: &str) -> Result<String, LinkError> {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let Some(joined) = paths::join(dir, target) else {
            return Err(LinkError { message: format!("link \"{target}\" points outside content/"), hint: None });
        };
        match self.files.get(joined.as_str()) {
            Some(p) => Ok(self.url(p)),
            None => Err(LinkError {
                message: format!("link \"{target}\" points to content/{joined}, which is not a published content file"),
                hint: did_you_mean(&joined, self.files.keys().copied()).map(|k| format!("did you mean content/{k}?")),
            }),
        }
    }
}

impl Links<'_> {
    /// The links of `doc` that did not resolve, located in its text; its images are
    /// recorded with where they are shown.
    pub fn located<R>(&self, doc: &Doc<R>, rendered: &Rendered) -> Vec<Diagnostic> {
        for (offset, picture) in &rendered.pictures {
            let (line, column) = line_col(doc.text(), doc.body_offset.saturating_add(*offset));
            self.record(picture, &doc.path, line, column);
        }
        let at = |p: &markdown::LinkProblem| {
            let (line, col) = line_col(doc.text(), doc.body_offset.saturating_add(p.offset));
            let message = p.error.message.clone();
            let d = if p.warning { Diagnostic::warning(&doc.path, line, col, message) } else { Diagnostic::error(&doc.path, line, col, message) };
            d.with_hint_opt(p.error.hint.clone()).with_source(doc.text())
        };
        rendered.problems.iter().map(at).collect()
    }

    /// Records that `picture` is shown, referenced at `from:line:column`.
    pub fn record(&self, picture: &Picture, from: &std::path::Path, line: usize, column: usize) {
        if let Ok(mut used) = self.used.lock() {
            used.push(SiteImage { picture: picture.clone(), from: from.to_path_buf(), line, column });
        }
    }

    /// Every image shown, each once, with its first reference (by file and line).
    pub fn take_images(&self) -> Vec<SiteImage> {
        let mut used = self.used.lock().map(|mut u| std::mem::take(&mut *u)).unwrap_or_default();
        used.sort_by(|a, b| (&a.picture.out, &a.from, a.line).cmp(&(&b.picture.out, &b.from, b.line)));
        used.dedup_by(|a, b| a.picture.out == b.picture.out);
        used
    }
}
