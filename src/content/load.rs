//! Stage 1, load: reads the site folder into a [`Corpus`] of raw, parsed documents.
//!
//! This is the only stage that reads the disk. It checks what can be checked one file at
//! a time (UTF-8, fences, YAML, unknown keys, types) and leaves cross-file checks (does
//! that company exist?) to `resolve`. Drafts are dropped here unless asked for.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use crate::content::walk::{self, path_order};

use crate::content::config::Config;
use crate::content::diag::Error;
use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::frontcache::{Front, FrontCache};
use crate::content::stamps::{Stamp, Stamps};
pub use crate::content::doc::Doc;
use crate::content::doc::known_doc;
use crate::content::frontmatter::{self, RawAuthor, RawBrief, RawCompany, RawPage, RawPerson, RawProduct, RawSource, RawStory};
use crate::content::kinds::RawEntity;
use crate::content::theme;

/// What the caller asks of the load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Keep drafts.
    pub drafts: bool,
    /// Keep briefs dated after now (scheduled).
    pub future: bool,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Replaces only the scheme, host and port of `base_url`, keeping its path
    /// (`serve` uses it: `http://127.0.0.1:1111`).
    pub origin: Option<String>,
}

/// A template's text and where it came from.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// Name as templates refer to it (`brief.html`, `partials/card.html`).
    pub name: String,
    /// The template's text.
    pub text: String,
    /// The file it came from, for error messages.
    pub origin: PathBuf,
}

/// Where a static file's bytes come from.
#[derive(Debug, Clone)]
pub enum StaticSource {
    /// A file on disk.
    Disk(PathBuf),
    /// A file of the default theme built into the binary.
    Embedded(&'static [u8]),
}

/// Every content file, by kind; each kind comes in the order of its paths.
#[derive(Debug, Default)]
pub struct Docs {
    /// Briefs.
    pub briefs: Vec<Arc<Doc<RawBrief>>>,
    /// Companies.
    pub companies: Vec<Arc<Doc<RawCompany>>>,
    /// Sources.
    pub sources: Vec<Arc<Doc<RawSource>>>,
    /// People.
    pub people: Vec<Arc<Doc<RawPerson>>>,
    /// Products.
    pub products: Vec<Arc<Doc<RawProduct>>>,
    /// Authors.
    pub authors: Vec<Arc<Doc<RawAuthor>>>,
    /// Stories.
    pub stories: Vec<Arc<Doc<RawStory>>>,
    /// Free pages.
    pub pages: Vec<Arc<Doc<RawPage>>>,
}

impl Docs {
    /// The bundle folders of every document (`briefs/x`).
    pub fn bundles(&self) -> std::collections::HashSet<String> {
        fn of<R>(docs: &[Arc<Doc<R>>]) -> impl Iterator<Item = String> + '_ {
            docs.iter().filter_map(|d| d.bundle().map(str::to_string))
        }
        of(&self.briefs)
            .chain(of(&self.companies))
            .chain(of(&self.sources))
            .chain(of(&self.people))
            .chain(of(&self.products))
            .chain(of(&self.authors))
            .chain(of(&self.stories))
            .chain(of(&self.pages))
            .collect()
    }
}

/// Everything read from the site folder.
#[derive(Debug)]
pub struct Corpus {
    /// The site folder.
    pub root: PathBuf,
    /// `site.toml`, validated.
    pub config: Config,
    /// Every content file, by kind (drafts already dropped unless asked for).
    pub docs: Docs,
    /// "Now", for what depends on it (a brief dated later is scheduled; a role is current
    /// until its `until`).
    pub now: crate::content::model::Date,
    /// Keep scheduled briefs (`--future`).
    pub future: bool,
    /// Slugs of the drafts that were dropped, for hints.
    pub dropped_drafts: Vec<String>,
    /// Templates: the theme's, overridden by the site's `templates/`.
    pub templates: Vec<TemplateSource>,
    /// Interface text in the site's language.
    pub translations: crate::content::i18n::Translations,
    /// Static files: output path (with `/`) and source, site's over theme's.
    pub statics: Vec<(String, StaticSource)>,
    /// The files of bundles, and what every image is.
    pub media: crate::content::media::Media,
    /// `data/`: each file's contents by its stem.
    pub data: serde_json::Map<String, serde_json::Value>,
}

pub use crate::content::loadcache::LoadCache;

/// Reads the site at `opts.root`. Content mistakes land in `diags`; `Err` is for I/O.
pub fn load(opts: &LoadOptions, diags: &mut Diagnostics) -> Result<Option<Corpus>, Error> {
    load_cached(opts, Reuse::default(), diags)
}

/// What a load may reuse.
#[derive(Clone, Copy, Default)]
pub struct Reuse<'a> {
    /// The files `serve` parsed before ([`LoadCache`]).
    pub docs: Option<&'a LoadCache>,
    /// The front matter a build kept on disk.
    pub front: Option<&'a FrontCache>,
    /// The files a build read, known unchanged by their stamps.
    pub stamps: Option<&'a Stamps>,
}

/// Like [`load`], reusing the files of `reuse.docs` that did not change and the front
/// matter of `reuse.front`.
pub fn load_cached(opts: &LoadOptions, reuse: Reuse<'_>, diags: &mut Diagnostics) -> Result<Option<Corpus>, Error> {
    let cache = reuse.docs;
    let root = &opts.root;
    let shown = |rel: &Path| -> PathBuf {
        if root == Path::new(".") || root.as_os_str().is_empty() {
            rel.to_path_buf()
        } else {
            root.join(rel)
        }
    };
    let config_path = root.join("site.toml");
    let config_text = match std::fs::read_to_string(&config_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(
                Diagnostic::error(&shown(Path::new("site.toml")), 0, 0, "no site.toml: this folder is not a briefing site")
                    .with_hint("run `briefing init DIR` to create a site, or pass --root to point at one"),
            );
            return Ok(None);
        }
        Err(e) => return Err(Error::Read(config_path, e)),
    };
    let mut config = Config::parse(&shown(Path::new("site.toml")), &config_text, diags);
    if let (Some(c), Some(url)) = (config.as_mut(), &opts.base_url) {
        match crate::content::config::normalize_base_url(url) {
            Ok(u) => c.base_url = u,
            Err(msg) => diags.push(Diagnostic::error(Path::new("--base-url"), 0, 0, msg)),
        }
    }
    if let (Some(c), Some(origin)) = (config.as_mut(), &opts.origin) {
        c.base_url = format!("{}{}", origin.trim_end_matches('/'), c.base_path());
    }

    let content = root.join("content");
    let t = std::time::Instant::now();
    let folder = |name: &'static str, recursive: bool, known: &'static [&'static str]| Folder { name, recursive, known };
    let [briefs, companies, sources, people, products, authors, stories, pages] = [
        folder("briefs", true, frontmatter::BRIEF_KEYS),
        entity_folder::<RawCompany>(),
        entity_folder::<RawSource>(),
        entity_folder::<RawPerson>(),
        entity_folder::<RawProduct>(),
        entity_folder::<RawAuthor>(),
        folder("stories", false, frontmatter::STORY_KEYS),
        folder("pages", false, frontmatter::PAGE_KEYS),
    ];
    let mut listing = match cache {
        Some(c) => Listing::Kept(c),
        None => {
            let all = [&briefs, &companies, &sources, &people, &products, &authors, &stories, &pages];
            Listing::Walked(walk::walk(&content, &all.map(|f| walk::Folder { name: f.name, recursive: f.recursive }))?)
        }
    };
    let l = &mut listing;
    let docs = Docs {
        briefs: read_folder::<RawBrief>(root, &content, briefs, l, &shown, reuse, diags)?,
        companies: read_folder::<RawCompany>(root, &content, companies, l, &shown, reuse, diags)?,
        sources: read_folder::<RawSource>(root, &content, sources, l, &shown, reuse, diags)?,
        people: read_folder::<RawPerson>(root, &content, people, l, &shown, reuse, diags)?,
        products: read_folder::<RawProduct>(root, &content, products, l, &shown, reuse, diags)?,
        authors: read_folder::<RawAuthor>(root, &content, authors, l, &shown, reuse, diags)?,
        stories: read_folder::<RawStory>(root, &content, stories, l, &shown, reuse, diags)?,
        pages: read_folder::<RawPage>(root, &content, pages, l, &shown, reuse, diags)?,
    };
    crate::steps::add("load: content", t.elapsed());
    let Some(config) = config else { return Ok(None) };
    let theme = crate::steps::time("load: theme", || theme::read_theme(root, &config.theme, &shown, diags))?;
    let bundles = docs.bundles();
    let media = crate::steps::time("load: media", || match listing {
        Listing::Kept(c) => c.media(media_key(&bundles, &theme.statics), || crate::content::media::scan(&content, &bundles, &theme.statics)),
        Listing::Walked(w) => Ok(crate::content::media::scan_files(&content, w.others, &bundles, &theme.statics)),
    })?;
    let data = crate::steps::time("load: data", || crate::content::data::load(root, &shown, diags));
    let mut corpus = finish(root.clone(), config, docs, theme, opts, diags);
    corpus.media = media;
    corpus.data = data;
    if let Some(c) = cache {
        c.loaded();
    }
    Ok(Some(corpus))
}

/// What the media scan depends on besides the files it finds: the bundles and the static
/// files' names and places.
fn media_key(bundles: &std::collections::HashSet<String>, statics: &[(String, StaticSource)]) -> u64 {
    let mut names: Vec<&String> = bundles.iter().collect();
    names.sort_unstable();
    let statics: Vec<(&String, Option<&PathBuf>)> = statics
        .iter()
        .map(|(rel, src)| match src {
            StaticSource::Disk(p) => (rel, Some(p)),
            StaticSource::Embedded(_) => (rel, None),
        })
        .collect();
    crate::content::model::fingerprint(&(names, statics))
}

/// The corpus of `docs`: drafts dropped unless asked for, the theme's files, the
/// translations for the site's language, "now".
fn finish(root: PathBuf, config: Config, mut docs: Docs, theme: theme::ThemeFiles, opts: &LoadOptions, diags: &mut Diagnostics) -> Corpus {
    let dropped_drafts;
    (docs.briefs, dropped_drafts) = drop_drafts(std::mem::take(&mut docs.briefs), opts.drafts);
    let theme::ThemeFiles { templates, statics, i18n } = theme;
    let translations = crate::content::i18n::Translations::merge(&i18n, &config.language, diags);
    let now = crate::content::model::Date::now();
    let media = crate::content::media::Media::default();
    Corpus { root, now, future: opts.future, config, docs, dropped_drafts, templates, translations, statics, media, data: Default::default() }
}

/// Builds a corpus from texts in memory, as `load` would from disk: `files` are paths
/// under the site root (`content/briefs/a.md`). Uses the built-in theme. For tests and
/// fuzzing of everything after the disk.
pub fn load_texts(config: &str, files: &[(&str, &str)], drafts: bool, diags: &mut Diagnostics) -> Option<Corpus> {
    let config = Config::parse(Path::new("site.toml"), config, diags);
    let mut docs = Docs::default();
    let content = Path::new("content");
    let mut files = files.to_vec();
    files.sort_by_cached_key(|(rel, _)| path_order(Path::new(rel)));
    for (rel, text) in files {
        let file = Path::new(rel);
        let bytes = text.as_bytes().to_vec();
        let path = file.to_path_buf();
        let push = |r: Result<(), Diagnostic>, diags: &mut Diagnostics| {
            if let Err(d) = r {
                diags.push(d);
            }
        };
        let r = if rel.starts_with("content/briefs/") {
            parse_doc::<RawBrief>(path, content, file, bytes, frontmatter::BRIEF_KEYS, None).map(|d| docs.briefs.push(Arc::new(d)))
        } else if in_folder::<RawCompany>(rel) {
            parse_into(&mut docs.companies, path, content, file, bytes)
        } else if in_folder::<RawSource>(rel) {
            parse_into(&mut docs.sources, path, content, file, bytes)
        } else if in_folder::<RawPerson>(rel) {
            parse_into(&mut docs.people, path, content, file, bytes)
        } else if in_folder::<RawProduct>(rel) {
            parse_into(&mut docs.products, path, content, file, bytes)
        } else if in_folder::<RawAuthor>(rel) {
            parse_into(&mut docs.authors, path, content, file, bytes)
        } else if rel.starts_with("content/stories/") {
            parse_doc::<RawStory>(path, content, file, bytes, frontmatter::STORY_KEYS, None).map(|d| docs.stories.push(Arc::new(d)))
        } else {
            parse_doc::<RawPage>(path, content, file, bytes, frontmatter::PAGE_KEYS, None).map(|d| docs.pages.push(Arc::new(d)))
        };
        push(r, diags);
    }
    let opts = LoadOptions { drafts, ..LoadOptions::default() };
    Some(finish(PathBuf::from("."), config?, docs, theme::builtin_theme(), &opts, diags))
}

/// The briefs to publish, and the slugs of the drafts left out (unless `keep` drafts).
fn drop_drafts(briefs: Vec<Arc<Doc<RawBrief>>>, keep: bool) -> (Vec<Arc<Doc<RawBrief>>>, Vec<String>) {
    let (briefs, dropped): (Vec<_>, Vec<_>) = briefs.into_iter().partition(|b| keep || !b.raw.draft);
    let slugs = dropped.iter().map(|b| b.raw.slug.clone().unwrap_or_else(|| default_slug(&b.stem))).collect();
    (briefs, slugs)
}

/// The bundle folder of a content path (`briefs/x` for `briefs/x/index.md`).
pub fn bundle_of(content_path: &str) -> Option<&str> {
    let dir = content_path.strip_suffix("/index.md")?;
    dir.contains('/').then_some(dir)
}

/// The default slug of a brief: its file stem without a leading `YYYY-MM-DD-`.
pub fn default_slug(stem: &str) -> String {
    let b = stem.as_bytes();
    let dated = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && b[10] == b'-';
    if dated {
        stem[11..].to_string()
    } else {
        stem.to_string()
    }
}

/// Parses an entity's file onto `list`.
fn parse_into<R: RawEntity>(
    list: &mut Vec<Arc<Doc<R>>>,
    path: PathBuf,
    content: &Path,
    file: &Path,
    bytes: Vec<u8>,
) -> Result<(), Diagnostic> {
    list.push(Arc::new(parse_doc::<R>(path, content, file, bytes, R::KIND.decl().keys, None)?));
    Ok(())
}

/// Whether `rel` (`content/companies/x.md`) is a file of `R`'s kind.
fn in_folder<R: RawEntity>(rel: &str) -> bool {
    rel.strip_prefix("content/").and_then(|r| r.strip_prefix(R::KIND.decl().plural)).is_some_and(|r| r.starts_with('/'))
}

/// The folder of an entity kind's files.
fn entity_folder<R: RawEntity>() -> Folder {
    let decl = R::KIND.decl();
    Folder { name: decl.plural, recursive: false, known: decl.keys }
}

/// A folder of `content/` and what its files hold.
struct Folder {
    name: &'static str,
    recursive: bool,
    known: &'static [&'static str],
}

/// How the load finds each folder's files: `serve` keeps their lists between rebuilds; a
/// build walks `content/` once for them and the media scan.
enum Listing<'a> {
    Kept(&'a LoadCache),
    Walked(walk::Walked),
}

impl Listing<'_> {
    fn files(&mut self, root: &Path, dir: &Path, kind: &Folder) -> Result<Arc<Vec<PathBuf>>, Error> {
        match self {
            Listing::Kept(c) => c.listing(root, dir, kind.recursive, || walk::markdown_files(dir, kind.recursive)),
            Listing::Walked(w) => Ok(Arc::new(w.take(kind.name))),
        }
    }
}

fn read_folder<R: Front + Send + Sync + 'static>(
    root: &Path,
    content: &Path,
    kind: Folder,
    listing: &mut Listing<'_>,
    shown: &(dyn Fn(&Path) -> PathBuf + Sync),
    reuse: Reuse<'_>,
    diags: &mut Diagnostics,
) -> Result<Vec<Arc<Doc<R>>>, Error> {
    let cache = reuse.docs;
    let files = listing.files(root, &content.join(kind.name), &kind)?;
    type Parsed<R> = Result<Result<Arc<Doc<R>>, Diagnostic>, Error>;
    let kept = cache.map_or_else(|| vec![None; files.len()], |c| c.trusted::<R>(root, &files));
    let read = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Parsed<R>> = files
        .par_iter()
        .zip(kept)
        .map(|(file, kept)| {
            if let Some(doc) = kept {
                return Ok(Ok(doc));
            }
            let meta = match (cache, reuse.stamps) {
                (None, None) => None,
                _ => Some(std::fs::metadata(file).map_err(|e| Error::Read(file.clone(), e))?),
            };
            let path = shown(file.strip_prefix(root).unwrap_or(file));
            if let (Some(c), Some(meta)) = (cache, &meta) {
                if let Some(doc) = c.get::<R>(file, meta) {
                    return Ok(Ok(doc));
                }
            }
            let stamped = reuse.stamps.zip(meta.as_ref().map(Stamp::of));
            if let Some(doc) = stamped.and_then(|(s, stamp)| known_doc::<R>(s, reuse.front?, stamp, &path, content, file)) {
                return Ok(Ok(Arc::new(doc)));
            }
            read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let bytes = std::fs::read(file).map_err(|e| Error::Read(file.clone(), e))?;
            let doc = parse_keyed::<R>(path, content, file, bytes, kind.known, reuse.front).map(|(mut doc, front)| {
                // Known again only through the front-matter cache, which keeps no `extra` fields.
                if let (Some((s, stamp)), Some(front)) = (stamped, front.filter(|_| doc.raw.plain())) {
                    let known = doc.known(front);
                    s.read(&doc.content_path, stamp, known);
                }
                Arc::new(doc)
            });
            if let (Some(c), Some(meta), Ok(doc)) = (cache, &meta, &doc) {
                c.put(file, meta, doc);
            }
            Ok(doc)
        })
        .collect();
    if cache.is_some() || reuse.stamps.is_some() {
        crate::steps::count("files read", read.into_inner(), files.len());
    }
    let mut docs = Vec::with_capacity(results.len());
    for r in results {
        match r? {
            Ok(doc) => docs.push(doc),
            Err(d) => diags.push(d),
        }
    }
    Ok(docs)
}

fn parse_doc<R: Front>(path: PathBuf, content: &Path, file: &Path, bytes: Vec<u8>, known: &[&str], front: Option<&FrontCache>) -> Result<Doc<R>, Diagnostic> {
    parse_keyed(path, content, file, bytes, known, front).map(|(doc, _)| doc)
}

/// Parses a file's bytes; with `front`, also the key its front matter is kept under there.
fn parse_keyed<R: Front>(
    path: PathBuf,
    content: &Path,
    file: &Path,
    bytes: Vec<u8>,
    known: &[&str],
    front: Option<&FrontCache>,
) -> Result<(Doc<R>, Option<crate::content::frontcache::Key>), Diagnostic> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let (line, col) = crate::content::diag::line_col(&prefix, prefix.len());
        Diagnostic::error(&path, line, col, "the file is not valid UTF-8")
            .with_hint("save the file as UTF-8 (most editors offer it under \"Save with encoding\")")
    })?;
    let split = frontmatter::split(&path, &text)?;
    let parse = || frontmatter::parse::<R>(&path, &text, &split, known);
    let key = front.map(|_| crate::content::frontcache::key::<R>(split.yaml));
    let raw = match front.zip(key) {
        Some((f, key)) => f.parse(key, parse)?,
        None => parse()?,
    };
    let (yaml_offset, yaml_len, body_offset) = (split.yaml_offset, split.yaml.len(), split.body_offset);
    Ok((Doc::read(path, content, file, text, [yaml_offset, yaml_len, body_offset], raw), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doc_without_its_text_still_locates_messages() {
        let mut diags = Diagnostics::new();
        let text = "---\ntitle: A\ndate: 2025-01-01\n---\nBody [[x]].\n";
        let config = "title = \"T\"\nbase_url = \"https://example.org/\"\n";
        let corpus = load_texts(config, &[("content/briefs/a.md", text)], false, &mut diags).expect("corpus");
        let mut doc = Arc::try_unwrap(corpus.docs.briefs.into_iter().next().expect("brief")).expect("unique");
        assert_eq!(doc.body(), "Body [[x]].\n");
        doc.drop_text();
        assert_eq!((doc.body(), doc.split().yaml), ("", ""));
        assert_eq!(doc.error_at("title", None, "m").line, 2);
    }

    #[test]
    fn default_slug_drops_date_prefix() {
        assert_eq!(default_slug("2025-03-14-meta-talks"), "meta-talks");
        assert_eq!(default_slug("meta-talks"), "meta-talks");
        assert_eq!(default_slug("2025-03-14"), "2025-03-14");
        assert_eq!(default_slug("2025-3-14-x"), "2025-3-14-x");
    }
}
