//! Stage 2, resolve: turns the raw [`Corpus`] into the linked, immutable [`Site`].
//!
//! Checks every cross-file reference (companies, sources, parents, stories, wiki and
//! `.md` links, duplicate slugs, alias clashes, parent cycles), renders each Markdown body
//! once (in parallel), and computes every list the pages show: a company's briefs, its
//! co-mentions, a source's track record, a story's timeline, related briefs.

use rayon::prelude::*;
use std::collections::BTreeMap;

use ahash::{AHashMap as HashMap, AHashSet as HashSet};
use std::sync::Arc;

use crate::content::diag::{did_you_mean, line_col, Diagnostic, Diagnostics};
use crate::content::frontmatter::{RawBrief, RawCitation, RawCompany, RawSource};
use crate::content::load::{Corpus, Doc};
use crate::content::markdown::{self, LinkError, LinkResolver, WikiTarget};
use crate::content::model::{Date, HttpUrl, Slug, Status};
use crate::site::*;

/// How many related briefs each brief shows.
const RELATED: usize = 5;
/// How many briefs around each brief, in each of its company and tag lists, are
/// considered for its related briefs.
const RELATED_WINDOW: usize = 300;
/// How many co-mentioned companies a company page shows.
const OFTEN_WITH: usize = 8;

/// Top-level names that free pages may not take.
const RESERVED: [&str; 12] = [
    "briefs",
    "companies",
    "sources",
    "tags",
    "stories",
    "archive",
    "page",
    "atom.xml",
    "feed.json",
    "sitemap.xml",
    "robots.txt",
    "404.html",
];

/// Markdown already rendered in an earlier build (`serve` keeps one): a body is rendered
/// again only when its text changed, or when anything a link can point at changed.
#[derive(Default)]
pub struct ResolveCache {
    markdown: std::sync::Mutex<MarkdownCache>,
}

#[derive(Default)]
struct MarkdownCache {
    /// Fingerprint of every link target (slugs, names, aliases, titles, files).
    targets: u64,
    /// By content path: the text it was rendered from, and the result.
    bodies: HashMap<String, (Arc<str>, markdown::Rendered)>,
}

fn fingerprint<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

impl Links<'_> {
    /// A fingerprint of everything links can resolve to. Entries are combined with a sum,
    /// so the order of the maps does not matter and nothing needs sorting.
    fn fingerprint(&self) -> u64 {
        let mut sum = fingerprint(&(&self.base, self.dropped_drafts));
        for (key, named) in self.names {
            for n in named {
                let (kind, i) = match n {
                    Named::Company(i) => (0u8, *i),
                    Named::Source(i) => (1u8, *i),
                };
                let name = match n {
                    Named::Company(i) => self.companies[*i].name.as_str(),
                    Named::Source(i) => self.sources[*i].name.as_str(),
                };
                sum = sum.wrapping_add(fingerprint(&(key, kind, i, name)));
            }
        }
        for (slug, title) in &self.briefs {
            sum = sum.wrapping_add(fingerprint(&(0u8, slug, title)));
        }
        for (slug, title) in &self.stories {
            sum = sum.wrapping_add(fingerprint(&(1u8, slug, title)));
        }
        for (path, url) in self.files {
            sum = sum.wrapping_add(fingerprint(&(2u8, path, url)));
        }
        sum
    }

    /// Renders a body, or takes it from `cache` when neither it nor the targets changed.
    fn render(&self, body: &str, content_path: &str, cache: Option<&ResolveCache>) -> markdown::Rendered {
        let Some(cache) = cache else { return markdown::render(body, content_path, self) };
        let hit =
            cache.markdown.lock().ok().and_then(|c| c.bodies.get(content_path).filter(|(text, _)| **text == *body).map(|(_, r)| r.clone()));
        if let Some(hit) = hit {
            return hit;
        }
        let r = markdown::render(body, content_path, self);
        if r.problems.is_empty() {
            if let Ok(mut c) = cache.markdown.lock() {
                c.bodies.insert(content_path.to_string(), (Arc::from(body), r.clone()));
            }
        }
        r
    }
}

/// Resolves the corpus. Returns `None` when any error was found.
pub fn resolve(corpus: Corpus, diags: &mut Diagnostics) -> Option<Site> {
    resolve_cached(corpus, None, diags)
}

/// Like [`resolve`], reusing the Markdown of `cache` where nothing changed.
pub fn resolve_cached(corpus: Corpus, cache: Option<&ResolveCache>, diags: &mut Diagnostics) -> Option<Site> {
    let Corpus { root: _, config, mut briefs, companies, sources, stories, pages, dropped_drafts, templates, statics } = corpus;

    let company_slugs = stem_slugs(&companies, "company", diags);
    let source_slugs = stem_slugs(&sources, "source", diags);
    let story_file_slugs = stem_slugs(&stories, "story", diags);
    let page_slugs = stem_slugs(&pages, "page", diags);
    for (doc, slug) in pages.iter().zip(&page_slugs) {
        if let Some(slug) = slug {
            if RESERVED.contains(&slug.as_str()) {
                diags.push(
                    Diagnostic::error(&doc.path, 1, 1, format!("page \"{slug}\" would replace the site's own /{slug}/"))
                        .with_hint("rename the file"),
                );
            }
        }
    }

    // Companies and sources first: briefs refer to them.
    let company_index: HashMap<&str, CompanyId> =
        company_slugs.iter().enumerate().filter_map(|(i, s)| Some((s.as_ref()?.as_str(), CompanyId(i as u32)))).collect();
    let source_index: HashMap<&str, SourceId> =
        source_slugs.iter().enumerate().filter_map(|(i, s)| Some((s.as_ref()?.as_str(), SourceId(i as u32)))).collect();

    let company_parts: Vec<CompanyParts> = companies.iter().map(|doc| company_parts(doc, &company_index, diags)).collect();
    check_parent_cycles(&companies, &company_parts, diags);
    let source_parts: Vec<SourceParts> = sources.iter().map(|doc| source_parts(doc, diags)).collect();

    // Briefs: front matter first, so that links can point at any brief.
    let mut story_index: HashMap<String, StoryId> = HashMap::new();
    let mut story_titles: Vec<(Slug, Option<usize>)> = Vec::new(); // slug, story file index
    for (i, slug) in story_file_slugs.iter().enumerate() {
        if let Some(slug) = slug {
            story_index.insert(slug.as_str().to_string(), StoryId(story_titles.len() as u32));
            story_titles.push((slug.clone(), Some(i)));
        }
    }
    let mut tags_by_slug: HashMap<Slug, String> = HashMap::new();
    let mut parts: Vec<(usize, BriefParts)> = Vec::with_capacity(briefs.len());
    // Each brief on its own (in parallel), then merged in file order: the first spelling
    // of a tag names it.
    type Checked = (Option<BriefParts>, Vec<(Slug, String)>, Diagnostics);
    let checked: Vec<Checked> = briefs
        .par_iter()
        .map(|doc| {
            let (mut tags, mut found) = (Vec::new(), Diagnostics::new());
            let p = brief_parts(doc, &company_index, &source_index, &mut tags, &mut found);
            (p, tags, found)
        })
        .collect();
    for (i, (p, tags, found)) in checked.into_iter().enumerate() {
        diags.extend(found.into_sorted());
        for (slug, name) in tags {
            tags_by_slug.entry(slug).or_insert(name);
        }
        if let Some(p) = p {
            parts.push((i, p));
        }
    }
    // A story without a file named by one brief only, and close to another story's
    // slug, is almost surely a typo.
    let mut story_uses: HashMap<&str, usize> = HashMap::new();
    for (_, p) in &parts {
        if let Some(s) = &p.story {
            *story_uses.entry(s.as_str()).or_default() += 1;
        }
    }
    for (i, p) in &parts {
        let Some(slug) = &p.story else { continue };
        if story_index.contains_key(slug.as_str()) || story_uses.get(slug.as_str()) != Some(&1) {
            continue;
        }
        let others = story_index.keys().map(String::as_str).chain(story_uses.iter().filter(|(_, n)| **n > 1).map(|(k, _)| *k));
        if let Some(close) = did_you_mean(slug.as_str(), others) {
            diags.push(
                briefs[*i]
                    .error_at("story", Some(slug.as_str()), format!("unknown story \"{slug}\""))
                    .with_hint(format!("did you mean \"{close}\"? (a new story needs no file, but this one is named only here)")),
            );
        }
    }
    // Stories referenced without a file.
    for (_, p) in &parts {
        if let Some(slug) = &p.story {
            if !story_index.contains_key(slug.as_str()) {
                story_index.insert(slug.as_str().to_string(), StoryId(story_titles.len() as u32));
                story_titles.push((slug.clone(), None));
            }
        }
    }
    // Two briefs whose default slugs collide (same title on different days): the oldest
    // keeps the short slug, later ones keep the date of their file name. An explicit
    // `slug:` never moves; colliding with one is an error that names both files.
    // (Briefs come in the order of their paths: among equals, the first file.)
    parts.par_sort_by(|a, b| a.1.date.cmp(&b.1.date).then_with(|| a.0.cmp(&b.0)));
    let explicit: HashSet<String> =
        parts.iter().filter(|(i, _)| briefs[*i].raw.slug.is_some()).map(|(_, p)| p.slug.as_str().to_string()).collect();
    let mut taken: HashSet<String> = HashSet::new();
    for (i, p) in parts.iter_mut() {
        let is_default = briefs[*i].raw.slug.is_none();
        if is_default && taken.contains(p.slug.as_str()) && !explicit.contains(p.slug.as_str()) {
            if let Ok(dated) = Slug::parse(&briefs[*i].stem) {
                if dated != p.slug && !taken.contains(dated.as_str()) && !explicit.contains(dated.as_str()) {
                    p.slug = dated;
                }
            }
        }
        taken.insert(p.slug.as_str().to_string());
    }
    // Newest first; remaining duplicates reported with both files.
    parts.par_sort_by(|a, b| b.1.date.cmp(&a.1.date).then_with(|| a.1.slug.cmp(&b.1.slug)));
    let mut brief_index: HashMap<&str, usize> = HashMap::new();
    for (pos, (i, p)) in parts.iter().enumerate() {
        if let Some(&other) = brief_index.get(p.slug.as_str()) {
            let first = &briefs[parts[other].0];
            diags.push(
                briefs[*i]
                    .error_at("slug", None, format!("two briefs have the slug \"{}\"", p.slug))
                    .with_hint(format!("{} has it too; set `slug:` in one of them", first.path.display())),
            );
        } else {
            brief_index.insert(p.slug.as_str(), pos);
        }
    }
    let mut tag_list: Vec<(Slug, String)> = tags_by_slug.into_iter().collect();
    tag_list.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let tag_index: HashMap<&str, TagId> = tag_list.iter().enumerate().map(|(i, (s, _))| (s.as_str(), TagId(i as u32))).collect();

    // Every document that can be linked, by path under content/.
    let mut files: HashMap<&str, String> = HashMap::new();
    add_files(&mut files, &companies, &company_slugs, paths::company);
    add_files(&mut files, &sources, &source_slugs, paths::source);
    add_files(&mut files, &stories, &story_file_slugs, paths::story);
    add_files(&mut files, &pages, &page_slugs, paths::page);
    // (Copied: the briefs' texts are freed while `links` is in use.)
    let brief_paths: Vec<String> = parts.iter().map(|(i, _)| briefs[*i].content_path.clone()).collect();
    for (path, (_, p)) in brief_paths.iter().zip(&parts) {
        files.insert(path, paths::brief(p.slug.as_str()));
    }
    let names = name_index(&companies, &company_slugs, &sources, &source_slugs, diags);
    let links = Links {
        base: config.base_path().to_string(),
        names: &names,
        companies: &company_parts,
        company_slugs: &company_slugs,
        sources: &source_parts,
        source_slugs: &source_slugs,
        briefs: parts.iter().map(|(_, p)| (p.slug.as_str(), p.title.as_str())).collect(),
        stories: story_titles.iter().map(|(s, f)| (s.as_str(), f.and_then(|f| stories[f].raw.title.as_deref()))).collect(),
        files: &files,
        dropped_drafts: &dropped_drafts,
    };
    if let Some(c) = cache {
        let targets = links.fingerprint();
        if let Ok(mut m) = c.markdown.lock() {
            if m.targets != targets {
                *m = MarkdownCache { targets, bodies: HashMap::new() };
            }
        }
    }

    // Render every body once, in parallel. A brief's text is freed as soon as its links
    // are checked (nothing later reads it), so that its HTML can take that memory. Briefs
    // with front-matter errors are not published, but their links are checked too, so
    // that one run reports every mistake.
    let mut rendered_by_file: Vec<(markdown::Rendered, Vec<Diagnostic>)> = briefs
        .par_iter_mut()
        .map(|doc| {
            let r = links.render(doc.body(), &doc.content_path, cache);
            let problems = link_problems(doc, &r);
            if let Some(doc) = Arc::get_mut(doc) {
                doc.drop_text();
            }
            (r, problems)
        })
        .collect();
    for (_, problems) in &mut rendered_by_file {
        diags.extend(std::mem::take(problems));
    }
    let rendered_briefs: Vec<markdown::Rendered> = parts.iter().map(|(i, _)| std::mem::take(&mut rendered_by_file[*i].0)).collect();
    drop(rendered_by_file);
    let rendered_companies: Vec<markdown::Rendered> =
        companies.par_iter().map(|d| links.render(d.body(), &d.content_path, cache)).collect();
    let rendered_sources: Vec<markdown::Rendered> = sources.par_iter().map(|d| links.render(d.body(), &d.content_path, cache)).collect();
    let rendered_stories: Vec<markdown::Rendered> = stories.par_iter().map(|d| links.render(d.body(), &d.content_path, cache)).collect();
    let rendered_pages: Vec<markdown::Rendered> = pages.par_iter().map(|d| links.render(d.body(), &d.content_path, cache)).collect();
    report_links(companies.iter().map(|d| &**d), &rendered_companies, diags);
    report_links(sources.iter().map(|d| &**d), &rendered_sources, diags);
    report_links(stories.iter().map(|d| &**d), &rendered_stories, diags);
    report_links(pages.iter().map(|d| &**d), &rendered_pages, diags);
    drop(links);

    if diags.has_errors() {
        return None;
    }

    // Assemble.
    let mut site_briefs: Vec<Brief> = parts
        .into_par_iter()
        .zip(rendered_briefs)
        .map(|((i, p), r)| {
            let doc = &briefs[i];
            let has_summary = p.summary.is_some();
            let summary = p.summary.unwrap_or(r.first_paragraph);
            Brief {
                slug: p.slug,
                path: doc.path.clone(),
                title: p.title,
                date: p.date,
                updated: p.updated,
                summary,
                has_summary,
                body_html: r.html,
                companies: p.companies,
                citations: p.citations,
                tags: p.tags.iter().filter_map(|t| tag_index.get(t.as_str()).copied()).collect(),
                status: p.status,
                story: p.story.as_ref().and_then(|s| story_index.get(s.as_str()).copied()),
                tickers: p.tickers,
                draft: doc.raw.draft,
                extra: doc.raw.extra.clone(),
                related: Vec::new(),
                story_prev: None,
                story_next: None,
            }
        })
        .collect();

    let mut site_companies: Vec<Company> = company_parts
        .into_iter()
        .zip(rendered_companies)
        .zip(company_slugs)
        .zip(&companies)
        .filter_map(|(((p, r), slug), doc)| {
            Some(Company {
                slug: slug?,
                path: doc.path.clone(),
                name: p.name,
                aliases: p.aliases,
                ticker: p.ticker,
                exchange: p.exchange,
                website: p.website,
                parent: p.parent,
                subsidiaries: Vec::new(),
                body_html: r.html,
                briefs: Vec::new(),
                often_with: Vec::new(),
                extra: p.extra,
            })
        })
        .collect();
    let mut site_sources: Vec<Source> = source_parts
        .into_iter()
        .zip(rendered_sources)
        .zip(source_slugs)
        .zip(&sources)
        .filter_map(|(((p, r), slug), doc)| {
            Some(Source {
                slug: slug?,
                path: doc.path.clone(),
                name: p.name,
                kind: p.kind,
                website: p.website,
                paywalled: p.paywalled,
                body_html: r.html,
                briefs: Vec::new(),
                record: TrackRecord::default(),
                extra: p.extra,
            })
        })
        .collect();
    let mut site_tags: Vec<Tag> = tag_list.into_iter().map(|(slug, name)| Tag { slug, name, briefs: Vec::new() }).collect();
    let mut site_stories: Vec<Story> = story_titles
        .into_iter()
        .map(|(slug, file)| {
            let path = file.map(|f| stories[f].path.clone());
            let (title, summary, body_html, extra) = match file {
                Some(f) => (
                    stories[f].raw.title.clone().unwrap_or_default(),
                    stories[f].raw.summary.clone(),
                    rendered_stories[f].html.clone(),
                    stories[f].raw.extra.clone(),
                ),
                None => (String::new(), None, String::new(), Extra::new()),
            };
            Story { slug, path, title, summary, body_html, briefs: Vec::new(), extra }
        })
        .collect();
    let site_pages: Vec<Page> = pages
        .iter()
        .zip(rendered_pages)
        .zip(page_slugs)
        .filter_map(|((d, r), slug)| {
            Some(Page {
                slug: slug?,
                path: d.path.clone(),
                title: d.raw.title.clone().unwrap_or_default(),
                body_html: r.html,
                extra: d.raw.extra.clone(),
            })
        })
        .collect();

    // Back-references, in brief order (newest first).
    for (i, b) in site_briefs.iter().enumerate() {
        let id = BriefId(i as u32);
        for c in &b.companies {
            site_companies[c.0 as usize].briefs.push(id);
        }
        let mut cited: Vec<SourceId> = b.citations.iter().map(|c| c.source).collect();
        cited.sort();
        cited.dedup();
        for s in cited {
            site_sources[s.0 as usize].briefs.push(id);
        }
        for t in &b.tags {
            site_tags[t.0 as usize].briefs.push(id);
        }
        if let Some(s) = b.story {
            site_stories[s.0 as usize].briefs.push(id);
        }
    }
    for i in 0..site_companies.len() {
        if let Some(p) = site_companies[i].parent {
            site_companies[p.0 as usize].subsidiaries.push(CompanyId(i as u32));
        }
    }
    site_companies.par_iter_mut().enumerate().for_each(|(i, c)| c.often_with = often_with(&site_briefs, CompanyId(i as u32), c));
    // Stories: oldest first; untitled stories take their earliest brief's title.
    for s in &mut site_stories {
        s.briefs.reverse();
        if s.title.is_empty() {
            s.title = s.briefs.first().map(|b| site_briefs[b.0 as usize].title.clone()).unwrap_or_else(|| s.slug.to_string());
        }
        for (k, b) in s.briefs.iter().enumerate() {
            let prev = k.checked_sub(1).map(|k| s.briefs[k]);
            let next = s.briefs.get(k + 1).copied();
            let brief = &mut site_briefs[b.0 as usize];
            brief.story_prev = prev;
            brief.story_next = next;
        }
    }
    site_sources.par_iter_mut().for_each(|src| src.record = track_record(&site_briefs, &site_stories, &src.briefs));
    let n = site_briefs.len();
    // One scratch per thread: rayon's `map_init` would make one per job, and jobs grow in
    // number with the site, so their zeroed score arrays would grow as its square.
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch { score: Vec::new(), touched: Vec::new() }) };
    }
    let related: Vec<Vec<BriefId>> = (0..n)
        .into_par_iter()
        .map(|i| {
            SCRATCH.with_borrow_mut(|scratch| {
                if scratch.score.len() < n {
                    scratch.score = vec![0; n];
                }
                related(&site_briefs, &site_companies, &site_tags, i, scratch)
            })
        })
        .collect();
    for (b, r) in site_briefs.iter_mut().zip(related) {
        b.related = r;
    }
    // Stories: the most recently active first.
    let order: Vec<usize> = {
        let mut o: Vec<usize> = (0..site_stories.len()).collect();
        let last = |s: &Story| s.briefs.last().map(|b| site_briefs[b.0 as usize].date);
        o.sort_by(|&a, &b| {
            last(&site_stories[b]).cmp(&last(&site_stories[a])).then_with(|| site_stories[a].slug.cmp(&site_stories[b].slug))
        });
        o
    };
    let mut remap = vec![StoryId(0); site_stories.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = StoryId(new as u32);
    }
    let mut slots: Vec<Option<Story>> = site_stories.into_iter().map(Some).collect();
    let site_stories: Vec<Story> = order.iter().filter_map(|&old| slots[old].take()).collect();
    for b in &mut site_briefs {
        b.story = b.story.map(|s| remap[s.0 as usize]);
    }

    // The files' text is no longer needed: free it off the critical path.
    crate::site::free_later((briefs, companies, sources, stories, pages));
    Some(Site {
        config,
        briefs: site_briefs,
        companies: site_companies,
        sources: site_sources,
        tags: site_tags,
        stories: site_stories,
        pages: site_pages,
        templates,
        statics,
    })
}

/// Records where each document (with a valid slug) is published, by its path under content/.
fn add_files<'a, R>(files: &mut HashMap<&'a str, String>, docs: &'a [Arc<Doc<R>>], slugs: &[Option<Slug>], path: fn(&str) -> String) {
    for (doc, s) in docs.iter().zip(slugs) {
        if let Some(s) = s {
            files.insert(&doc.content_path, path(s.as_str()));
        }
    }
}

/// Each document's slug from its file stem; a stem that is not a slug is an error.
fn stem_slugs<R>(docs: &[Arc<Doc<R>>], kind: &str, diags: &mut Diagnostics) -> Vec<Option<Slug>> {
    docs.iter()
        .map(|d| match Slug::parse(&d.stem) {
            Ok(s) => Some(s),
            Err(msg) => {
                diags.push(
                    Diagnostic::error(&d.path, 1, 1, format!("the file name of a {kind} is its slug: {msg}"))
                        .with_hint(format!("rename the file to {}.md", Slug::from_text(&d.stem))),
                );
                None
            }
        })
        .collect()
}

/// A required, non-empty string field.
fn required<R>(doc: &Doc<R>, key: &str, value: &Option<String>, diags: &mut Diagnostics) -> Option<String> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Some(v.to_string()),
        Some(_) => {
            diags.push(doc.error_at(key, None, format!("`{key}` must not be empty")));
            None
        }
        None => {
            diags.push(
                Diagnostic::error(&doc.path, 2, 1, format!("missing required key `{key}`"))
                    .with_hint(format!("add a line `{key}: ...` to the front matter"))
                    .with_source(&doc.text),
            );
            None
        }
    }
}

fn url_field<R>(doc: &Doc<R>, key: &str, value: &Option<String>, diags: &mut Diagnostics) -> Option<HttpUrl> {
    let v = value.as_deref()?;
    match HttpUrl::parse(v) {
        Ok(u) => Some(u),
        Err(msg) => {
            diags.push(doc.error_at(key, Some(v), msg));
            None
        }
    }
}

fn date_field<R>(doc: &Doc<R>, key: &str, value: &str, diags: &mut Diagnostics) -> Option<Date> {
    match Date::parse(value) {
        Ok(d) => Some(d),
        Err(msg) => {
            diags.push(doc.error_at(key, Some(value), msg));
            None
        }
    }
}

fn unknown_ref<R>(doc: &Doc<R>, key: &str, kind: &str, value: &str, known: &[&str]) -> Diagnostic {
    let hint = did_you_mean(value, known.iter().copied())
        .map(|k| format!("did you mean \"{k}\"?"))
        .unwrap_or_else(|| format!("create content/{kind}s/{value}.md, or check the spelling"));
    doc.error_at(key, Some(value), format!("unknown {kind} \"{value}\"")).with_hint(hint)
}

struct CompanyParts {
    name: String,
    aliases: Vec<String>,
    ticker: Option<String>,
    exchange: Option<String>,
    website: Option<HttpUrl>,
    parent: Option<CompanyId>,
    extra: Extra,
}

fn company_parts(doc: &Doc<RawCompany>, index: &HashMap<&str, CompanyId>, diags: &mut Diagnostics) -> CompanyParts {
    let RawCompany { name, aliases, ticker, exchange, website, parent, extra } = &doc.raw;
    let name = required(doc, "name", name, diags).unwrap_or_else(|| doc.stem.clone());
    let website = url_field(doc, "website", website, diags);
    let parent = parent.as_deref().and_then(|p| match index.get(p) {
        Some(id) => Some(*id),
        None => {
            let known: Vec<&str> = index.keys().copied().collect();
            diags.push(unknown_ref(doc, "parent", "company", p, &known));
            None
        }
    });
    CompanyParts {
        name,
        aliases: aliases.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect(),
        ticker: ticker.clone(),
        exchange: exchange.clone(),
        website,
        parent,
        extra: extra.clone(),
    }
}

fn check_parent_cycles(docs: &[Arc<Doc<RawCompany>>], parts: &[CompanyParts], diags: &mut Diagnostics) {
    for (start, doc) in docs.iter().enumerate() {
        let mut seen = vec![start];
        let mut at = parts[start].parent;
        while let Some(p) = at {
            let p = p.0 as usize;
            if p == start {
                let chain: Vec<&str> = seen.iter().map(|&i| docs[i].stem.as_str()).collect();
                diags.push(
                    doc.error_at("parent", None, format!("parent companies form a cycle: {} -> {}", chain.join(" -> "), doc.stem))
                        .with_hint("a company cannot be its own ancestor; remove one `parent`"),
                );
                break;
            }
            if seen.contains(&p) {
                break; // a cycle that does not include `start`: reported from its members
            }
            seen.push(p);
            at = parts[p].parent;
        }
    }
}

struct SourceParts {
    name: String,
    kind: Option<String>,
    website: Option<HttpUrl>,
    paywalled: bool,
    extra: Extra,
}

fn source_parts(doc: &Doc<RawSource>, diags: &mut Diagnostics) -> SourceParts {
    let RawSource { name, kind, website, paywalled, extra } = &doc.raw;
    let name = required(doc, "name", name, diags).unwrap_or_else(|| doc.stem.clone());
    if let Some(k) = kind {
        if !SOURCE_KINDS.contains(&k.as_str()) {
            let hint = did_you_mean(k, SOURCE_KINDS)
                .map_or_else(|| format!("expected one of {}", SOURCE_KINDS.join(", ")), |s| format!("did you mean \"{s}\"?"));
            diags.push(doc.error_at("kind", Some(k), format!("unknown source kind \"{k}\"")).with_hint(hint));
        }
    }
    SourceParts {
        name,
        kind: kind.clone(),
        website: url_field(doc, "website", website, diags),
        paywalled: *paywalled,
        extra: extra.clone(),
    }
}

struct BriefParts {
    slug: Slug,
    title: String,
    date: Date,
    updated: Option<Date>,
    summary: Option<String>,
    companies: Vec<CompanyId>,
    citations: Vec<Citation>,
    tags: Vec<Slug>,
    status: Option<Status>,
    story: Option<Slug>,
    tickers: Vec<String>,
}

fn brief_parts(
    doc: &Doc<RawBrief>,
    companies: &HashMap<&str, CompanyId>,
    sources: &HashMap<&str, SourceId>,
    tags: &mut Vec<(Slug, String)>,
    diags: &mut Diagnostics,
) -> Option<BriefParts> {
    let RawBrief {
        title,
        date,
        updated,
        summary,
        companies: company_refs,
        sources: citations,
        tags: tag_names,
        status,
        story,
        tickers,
        slug,
        draft: _,
        extra: _,
    } = &doc.raw;
    let before = diags.error_count();
    let title = required(doc, "title", title, diags);
    let date = required(doc, "date", date, diags).and_then(|d| date_field(doc, "date", &d, diags));
    let updated = updated.as_deref().and_then(|d| date_field(doc, "updated", d, diags));
    if let (Some(d), Some(u)) = (date, updated) {
        if u < d {
            diags.push(doc.warning_at("updated", "`updated` is earlier than `date`"));
        }
    }
    let slug = match slug {
        Some(s) => Slug::parse(s).map_err(|msg| diags.push(doc.error_at("slug", Some(s), msg))).ok(),
        None => {
            let s = crate::content::load::default_slug(&doc.stem);
            Slug::parse(&s)
                .map_err(|msg| {
                    diags.push(
                        Diagnostic::error(&doc.path, 1, 1, format!("the file name gives the brief's slug: {msg}"))
                            .with_hint("rename the file, or set `slug:` in the front matter"),
                    )
                })
                .ok()
        }
    };
    let known_companies = || companies.keys().copied().collect::<Vec<_>>();
    let mut company_ids = Vec::new();
    for c in company_refs {
        match companies.get(c.as_str()) {
            Some(id) if company_ids.contains(id) => diags.push(doc.warning_at("companies", format!("company \"{c}\" is listed twice"))),
            Some(id) => company_ids.push(*id),
            None => diags.push(unknown_ref(doc, "companies", "company", c, &known_companies())),
        }
    }
    let known_sources = || sources.keys().copied().collect::<Vec<_>>();
    let mut cites = Vec::new();
    for c in citations {
        let (slug, url, title, date, note) = match c {
            RawCitation::Slug(s) => (s, None, None, None, None),
            RawCitation::Full(m) => (&m.source, m.url.as_ref(), m.title.clone(), m.date.as_deref(), m.note.clone()),
        };
        let Some(&source) = sources.get(slug.as_str()) else {
            diags.push(unknown_ref(doc, "sources", "source", slug, &known_sources()));
            continue;
        };
        let url = url.and_then(|u| match HttpUrl::parse(u) {
            Ok(u) => Some(u),
            Err(msg) => {
                diags.push(doc.error_at("sources", Some(u), msg));
                None
            }
        });
        let date = date.and_then(|d| date_field(doc, "sources", d, diags));
        cites.push(Citation { source, url, title, date, note });
    }
    if citations.is_empty() {
        diags.push(doc.warning_at("title", "this brief cites no sources").with_hint("add `sources:` with the articles it rests on"));
    }
    let status = status.as_deref().and_then(|s| match Status::parse(s) {
        Ok(s) => Some(s),
        Err(msg) => {
            let all: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            let hint = did_you_mean(s, all).map(|k| format!("did you mean \"{k}\"?"));
            diags.push(doc.error_at("status", Some(s), msg).with_hint_opt(hint));
            None
        }
    });
    let story = story.as_deref().and_then(|s| Slug::parse(s).map_err(|msg| diags.push(doc.error_at("story", Some(s), msg))).ok());
    let mut tag_slugs = Vec::new();
    for t in tag_names {
        let name = t.trim();
        if name.is_empty() {
            diags.push(doc.error_at("tags", None, "a tag must not be empty"));
            continue;
        }
        let s = Slug::from_text(name);
        if !tag_slugs.contains(&s) {
            tags.push((s.clone(), name.to_string()));
            tag_slugs.push(s);
        }
    }
    for t in tickers {
        if t.trim().is_empty() || t.chars().any(char::is_whitespace) {
            diags.push(doc.error_at("tickers", Some(t), format!("\"{t}\" is not a ticker")));
        }
    }
    if diags.error_count() > before {
        return None;
    }
    Some(BriefParts {
        slug: slug?,
        title: title?,
        date: date?,
        updated,
        summary: summary.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
        companies: company_ids,
        citations: cites,
        tags: tag_slugs,
        status,
        story,
        tickers: tickers.clone(),
    })
}

/// What a wiki link may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Company(usize),
    Source(usize),
}

/// Lowercased slug, name and aliases of companies and sources; reports aliases that two
/// companies share.
fn name_index(
    companies: &[Arc<Doc<RawCompany>>],
    company_slugs: &[Option<Slug>],
    sources: &[Arc<Doc<RawSource>>],
    source_slugs: &[Option<Slug>],
    diags: &mut Diagnostics,
) -> HashMap<String, Vec<Named>> {
    let mut index: HashMap<String, Vec<Named>> = HashMap::new();
    let mut add = |key: &str, n: Named| {
        let e = index.entry(key.trim().to_lowercase()).or_default();
        if !e.contains(&n) {
            e.push(n);
        }
    };
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, (doc, slug)) in companies.iter().zip(company_slugs).enumerate() {
        let Some(slug) = slug else { continue };
        let mut keys = vec![slug.as_str().to_string()];
        keys.extend(doc.raw.name.iter().cloned());
        for k in &keys {
            owner.entry(k.trim().to_lowercase()).or_insert(i);
            add(k, Named::Company(i));
        }
    }
    // A name or slug always links to its own company: an alias that is another company's
    // name is ignored, with a warning. An alias two companies both claim is reported once
    // as a warning; linking with it is then an error (ambiguous).
    let mut alias_users: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (doc, slug)) in companies.iter().zip(company_slugs).enumerate() {
        if slug.is_none() {
            continue;
        }
        for a in &doc.raw.aliases {
            let key = a.trim().to_lowercase();
            match owner.get(&key) {
                Some(&j) if j != i => {
                    let (line, col) = doc.locate("aliases", Some(a.as_str()));
                    diags.push(
                        Diagnostic::warning(
                            &doc.path,
                            line,
                            col,
                            format!("alias \"{a}\" is the name of company \"{}\"", companies[j].stem),
                        )
                        .with_hint(format!("[[{a}]] links to \"{}\", not to this company; remove the alias", companies[j].stem))
                        .with_source(&doc.text),
                    )
                }
                Some(_) => {}
                None => {
                    let users = alias_users.entry(key).or_default();
                    if !users.contains(&i) {
                        users.push(i);
                    }
                    add(a, Named::Company(i));
                }
            }
        }
    }
    for (key, users) in &alias_users {
        if let [first, rest @ ..] = users.as_slice() {
            if rest.is_empty() {
                continue;
            }
            let doc = &companies[*first];
            let alias = doc.raw.aliases.iter().find(|a| a.trim().to_lowercase() == *key).map_or(key.as_str(), String::as_str);
            let others: Vec<&str> = rest.iter().map(|j| companies[*j].stem.as_str()).collect();
            let (line, col) = doc.locate("aliases", Some(alias));
            diags.push(
                Diagnostic::warning(&doc.path, line, col, format!("alias \"{alias}\" is also an alias of {}", others.join(", ")))
                    .with_hint(format!("[[{alias}]] cannot say which company it means; give each company its own alias"))
                    .with_source(&doc.text),
            );
        }
    }
    for (i, (doc, slug)) in sources.iter().zip(source_slugs).enumerate() {
        let Some(slug) = slug else { continue };
        add(slug.as_str(), Named::Source(i));
        if let Some(n) = &doc.raw.name {
            add(n, Named::Source(i));
        }
    }
    index
}

/// Link resolution for the Markdown renderer.
struct Links<'a> {
    base: String,
    names: &'a HashMap<String, Vec<Named>>,
    companies: &'a [CompanyParts],
    company_slugs: &'a [Option<Slug>],
    sources: &'a [SourceParts],
    source_slugs: &'a [Option<Slug>],
    briefs: HashMap<&'a str, &'a str>,
    stories: HashMap<&'a str, Option<&'a str>>,
    files: &'a HashMap<&'a str, String>,
    dropped_drafts: &'a [String],
}

impl Links<'_> {
    fn named(&self, n: Named) -> (String, &str, &str) {
        match n {
            Named::Company(i) => {
                let slug = self.company_slugs[i].as_ref().map_or("", |s| s.as_str());
                (paths::company(slug), self.companies[i].name.as_str(), slug)
            }
            Named::Source(i) => {
                let slug = self.source_slugs[i].as_ref().map_or("", |s| s.as_str());
                (paths::source(slug), self.sources[i].name.as_str(), slug)
            }
        }
    }

    fn describe(&self, n: Named) -> String {
        let (_, name, slug) = self.named(n);
        match n {
            Named::Company(_) => format!("company \"{slug}\" ({name})"),
            Named::Source(_) => format!("source \"{slug}\" ({name})"),
        }
    }
}

impl LinkResolver for Links<'_> {
    fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError> {
        let target = target.trim();
        let err = |message: String, hint: Option<String>| LinkError { message, hint };
        if let Some((prefix, rest)) = target.split_once(':') {
            let rest = rest.trim();
            match prefix.trim() {
                "brief" => {
                    return match self.briefs.get(rest) {
                        Some(title) => {
                            Ok(WikiTarget { url: format!("{}{}", self.base, paths::brief(rest)), display: Some((*title).to_string()) })
                        }
                        None if self.dropped_drafts.iter().any(|d| d == rest) => Err(err(
                            format!("brief \"{rest}\" is a draft"),
                            Some("publish it (remove `draft: true`) or build with --drafts".into()),
                        )),
                        None => Err(err(
                            format!("no brief with the slug \"{rest}\""),
                            did_you_mean(rest, self.briefs.keys().copied()).map(|k| format!("did you mean \"brief:{k}\"?")),
                        )),
                    };
                }
                "story" => {
                    return match self.stories.get(rest) {
                        Some(title) => Ok(WikiTarget {
                            url: format!("{}{}", self.base, paths::story(rest)),
                            display: Some(title.map_or_else(|| rest.to_string(), str::to_string)),
                        }),
                        None => Err(err(
                            format!("no story with the slug \"{rest}\""),
                            did_you_mean(rest, self.stories.keys().copied()).map(|k| format!("did you mean \"story:{k}\"?")),
                        )),
                    };
                }
                kind @ ("company" | "source") => {
                    let found = self.names.get(&rest.to_lowercase()).and_then(|c| {
                        c.iter().copied().find(|n| matches!((kind, n), ("company", Named::Company(_)) | ("source", Named::Source(_))))
                    });
                    return match found {
                        Some(n) => {
                            let (path, name, _) = self.named(n);
                            Ok(WikiTarget { url: format!("{}{path}", self.base), display: Some(name.to_string()) })
                        }
                        None => Err(err(format!("no {kind} named \"{rest}\""), None)),
                    };
                }
                _ => {}
            }
        }
        match self.names.get(&target.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => {
                let (path, name, slug) = self.named(*one);
                let display = (slug == target).then(|| name.to_string());
                Ok(WikiTarget { url: format!("{}{path}", self.base), display })
            }
            Some(many) if many.len() > 1 => Err(err(
                format!(
                    "[[{target}]] matches more than one thing: {}",
                    many.iter().map(|n| self.describe(*n)).collect::<Vec<_>>().join(", ")
                ),
                Some(format!(
                    "write [[company:{target}]] or [[source:{target}]], or link by slug: {}",
                    many.iter().map(|n| format!("[[{}]]", self.named(*n).2)).collect::<Vec<_>>().join(" or ")
                )),
            )),
            _ => Err(err(
                format!("[[{target}]] matches no company, source, brief or story"),
                did_you_mean(target, self.names.keys().map(String::as_str))
                    .map(|k| format!("did you mean [[{k}]]?"))
                    .or_else(|| Some("link a brief with [[brief:slug]] and a story with [[story:slug]]".into())),
            )),
        }
    }

    fn file(&self, from: &str, target: &str) -> Result<String, LinkError> {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for seg in target.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(LinkError { message: format!("link \"{target}\" points outside content/"), hint: None });
                    }
                }
                s => parts.push(s),
            }
        }
        let joined = parts.join("/");
        match self.files.get(joined.as_str()) {
            Some(p) => Ok(format!("{}{p}", self.base)),
            None => Err(LinkError {
                message: format!("link \"{target}\" points to content/{joined}, which is not a published content file"),
                hint: did_you_mean(&joined, self.files.keys().copied()).map(|k| format!("did you mean content/{k}?")),
            }),
        }
    }
}

fn report_links<'a, R: 'a>(docs: impl Iterator<Item = &'a Doc<R>>, rendered: &[markdown::Rendered], diags: &mut Diagnostics) {
    for (doc, r) in docs.zip(rendered) {
        diags.extend(link_problems(doc, r));
    }
}

/// The links of `doc` that did not resolve, located in its text.
fn link_problems<R>(doc: &Doc<R>, rendered: &markdown::Rendered) -> Vec<Diagnostic> {
    let at = |p: &markdown::LinkProblem| {
        let (line, col) = line_col(&doc.text, doc.body_offset + p.offset);
        Diagnostic::error(&doc.path, line, col, p.error.message.clone()).with_hint_opt(p.error.hint.clone()).with_source(&doc.text)
    };
    rendered.problems.iter().map(at).collect()
}

fn often_with(briefs: &[Brief], me: CompanyId, company: &Company) -> Vec<(CompanyId, usize)> {
    let mut counts: HashMap<CompanyId, usize> = HashMap::new();
    for b in &company.briefs {
        for c in briefs[b.0 as usize].companies.iter().filter(|c| **c != me) {
            *counts.entry(*c).or_default() += 1;
        }
    }
    let mut v: Vec<(CompanyId, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(OFTEN_WITH);
    v
}

fn track_record(briefs: &[Brief], stories: &[Story], cited: &[BriefId]) -> TrackRecord {
    let mut r = TrackRecord::default();
    for id in cited {
        let b = &briefs[id.0 as usize];
        match b.status {
            Some(s) => {
                if let Some(k) = Status::ALL.iter().position(|x| *x == s) {
                    r.by_status[k] += 1;
                }
            }
            None => r.unlabelled += 1,
        }
        if matches!(b.status, Some(Status::Reported | Status::Rumor)) {
            let outcome = b.story.and_then(|s| {
                stories[s.0 as usize]
                    .briefs
                    .iter()
                    .map(|x| &briefs[x.0 as usize])
                    .filter(|later| later.date >= b.date && !std::ptr::eq(*later, b))
                    .filter_map(|later| later.status)
                    .rfind(|s| matches!(s, Status::Confirmed | Status::Announced | Status::Denied))
            });
            match outcome {
                Some(Status::Denied) => r.later_denied += 1,
                Some(_) => r.later_confirmed += 1,
                None => r.open += 1,
            }
        }
    }
    r
}

/// Per-thread scores for [`related`], by brief index, left all zero after each brief.
struct Scratch {
    score: Vec<u32>,
    touched: Vec<u32>,
}

/// The briefs sharing the most companies (2 points each) and tags (1 point) with brief `i`,
/// among the [`RELATED_WINDOW`] nearest in time in each of its lists; among equals, the
/// nearest in time. Keeps only the best as it goes.
fn related(briefs: &[Brief], companies: &[Company], tags: &[Tag], i: usize, scratch: &mut Scratch) -> Vec<BriefId> {
    let me = &briefs[i];
    let lists =
        me.companies.iter().map(|c| (&companies[c.0 as usize].briefs, 2)).chain(me.tags.iter().map(|t| (&tags[t.0 as usize].briefs, 1)));
    for (list, points) in lists {
        // Lists are in date order; look only at the briefs nearest in time to this one,
        // so that a company named in thousands of briefs costs no more than a small one.
        let at = list.partition_point(|b| (b.0 as usize) < i);
        let window = &list[at.saturating_sub(RELATED_WINDOW / 2)..(at + RELATED_WINDOW / 2).min(list.len())];
        for b in window {
            let s = &mut scratch.score[b.0 as usize];
            if *s == 0 {
                scratch.touched.push(b.0);
            }
            *s += points;
        }
    }
    let key = |b: u32, score: u32| (std::cmp::Reverse(score), b.abs_diff(i as u32), b);
    let mut best: Vec<(std::cmp::Reverse<u32>, u32, u32)> = Vec::with_capacity(RELATED + 1);
    for &b in &scratch.touched {
        let score = std::mem::take(&mut scratch.score[b as usize]);
        if b as usize == i {
            continue;
        }
        let k = key(b, score);
        if best.len() < RELATED || k < best[best.len() - 1] {
            let at = best.partition_point(|x| *x < k);
            best.insert(at, k);
            best.truncate(RELATED);
        }
    }
    scratch.touched.clear();
    best.into_iter().map(|(_, _, b)| BriefId(b)).collect()
}
