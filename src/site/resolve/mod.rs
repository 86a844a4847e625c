//! Stage 2, resolve: turns the raw [`Corpus`] into the linked, immutable [`Site`].
//!
//! A short sequence of named steps, each in the file named after it: entities (slugs,
//! names, own fields), briefs' front matter, stories, links (every body rendered once, in
//! parallel, its links checked), then the assembled site's lists: back-references,
//! timelines, co-mentions, track records, related briefs. Every problem is collected;
//! with any error there is no site.

mod assets;
mod bodies;
mod briefs;
mod companies;
mod cores;
mod entities;
mod fields;
mod images;
mod kinds;
mod links;
mod names;
mod people;
mod products;
mod related;
mod related_store;
mod sources;
mod stories;
mod stored;

use std::sync::Arc;

use ahash::AHashMap as HashMap;
use rayon::prelude::*;

pub use links::ResolveCache;
pub use related_store::RelatedStore;
pub use stored::Stored;

use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::frontmatter::{RawBrief, RawPage};
use crate::content::kinds::Kind;
use crate::content::load::{Corpus, Doc, Docs, StaticSource};
use crate::content::markdown::Rendered;
use crate::content::model::{Date, Slug};
use crate::steps;
use crate::site::{free_later, paths, Brief, CompanyId, Correction, Page, Site, TagId};
use briefs::BriefParts;
use kinds::Entities;
use links::Links;

/// Top-level names that free pages may not take, besides each kind's folder.
const RESERVED: [&str; 14] = [
    "briefs",
    "tags",
    "stories",
    "archive",
    "corrections",
    "search",
    "page",
    "atom.xml",
    "rss.xml",
    "feed.json",
    "sitemap.xml",
    "news-sitemap.xml",
    "robots.txt",
    "404.html",
];

/// Resolves the corpus. Returns `None` when any error was found.
pub fn resolve(corpus: Corpus, diags: &mut Diagnostics) -> Option<Site> {
    resolve_cached(corpus, None, None, diags)
}

/// Like [`resolve`], reusing what `cache` kept in memory (`serve`) or the bodies `stored`
/// on disk (`build`, `check`) where nothing changed.
pub fn resolve_cached(corpus: Corpus, cache: Option<&ResolveCache>, stored: Option<&Stored>, diags: &mut Diagnostics) -> Option<Site> {
    let Corpus { root, now, future, config, docs, dropped_drafts, templates, translations, statics, media, data } = corpus;
    let Docs { mut briefs, companies, sources, people, products, authors, stories, pages } = docs;

    // Entities first: briefs refer to them.
    let t = std::time::Instant::now();
    let ents = Entities::check(&companies, &sources, &people, &products, &authors, config.timezone, diags);
    let default_author = ents.default_author(&config, diags);
    let story_slugs = fields::stem_slugs(&stories, "story", diags);
    let page_slugs = page_slugs(&pages, diags);
    steps::add("resolve: entities", t.elapsed());

    // Briefs: front matter first, so that links can point at any brief.
    let indexes = [ents.companies.index(), ents.sources.index(), ents.people.index(), ents.products.index(), ents.authors.index()];
    let refs = briefs::Refs::of(&indexes, default_author, config.timezone);
    let t = std::time::Instant::now();
    let (parts, tags) = briefs::check(&briefs, &refs, cache, diags);
    let (parts, scheduled) = briefs::hold_back(&briefs, parts, now, future);
    let (story_index, story_list) = stories::named(&briefs, &parts, &story_slugs, diags);
    let parts = briefs::order(&briefs, parts, diags);
    steps::add("front matter", t.elapsed());

    // Bodies: every link resolved, every body rendered once.
    let t = std::time::Instant::now();
    let names = ents.names(diags);
    // (Copied: the briefs' texts are freed while `links` is in use.)
    let brief_paths: Vec<String> = parts.iter().map(|(i, _)| briefs[*i].content_path.clone()).collect();
    let mut files: HashMap<&str, String> = ents.files();
    add_page_files(&mut files, &stories, &story_slugs, paths::story);
    add_page_files(&mut files, &pages, &page_slugs, paths::page);
    files.extend(brief_paths.iter().zip(&parts).map(|(path, (_, p))| (path.as_str(), paths::brief(p.slug.as_str()))));
    let links = Links {
        base: config.base_path().to_string(),
        names: &names,
        entities: ents.targets(),
        briefs: parts.iter().map(|(_, p)| (p.slug.as_str(), p.title.as_str())).collect(),
        stories: story_list.iter().map(|(s, f)| (s.as_str(), f.and_then(|f| stories[f].raw.title.as_deref()))).collect(),
        files: &files,
        dropped_drafts: &dropped_drafts,
        broken: broken_briefs(&root, diags),
        scheduled: scheduled.iter().map(|(slug, date)| (slug.as_str(), *date)).collect(),
        assets: assets::Assets { base: config.base_path(), media: &media, files: &files, widths: &config.images.widths },
        used: Default::default(),
        rendered_again: Default::default(),
        raw_html: config.markdown.raw_html,
        shortcodes: shortcode_templates(&templates, diags)?,
        root: &root,
        stored,
    };
    links.refresh(cache);
    steps::add("bodies: targets", t.elapsed());
    let corrections = steps::time("bodies: corrections", || render_corrections(&links, &briefs, &parts, diags));
    let (published, brief_images, story_images) = lead_images(&links, &briefs, &stories, &parts, diags);
    let rendered_briefs = steps::time("bodies: briefs", || render_briefs(&links, &mut briefs, &parts, &published, cache, diags));
    let profiles = ents.render(&links, cache, diags);
    let rendered_stories = links.render_docs(&stories, cache, diags);
    let rendered_pages = links.render_docs(&pages, cache, diags);
    let site_images = links.take_images();
    let (statics, assets) = steps::time("bodies: static files", || site_statics(statics, links.assets.attachments()));
    links.count_rendered(cache.is_some() || stored.is_some());
    drop(links);
    steps::add("bodies", t.elapsed());
    if diags.has_errors() {
        return None;
    }

    // The site, then its lists.
    let t = std::time::Instant::now();
    let tag_index: HashMap<&str, TagId> = tags.iter().enumerate().map(|(i, (s, _))| (s.as_str(), TagId(i as u32))).collect();
    let around = cores::Around { corrections, images: brief_images, tag_index: &tag_index, story_index: &story_index };
    let site_briefs = cores::assemble(&briefs, parts, rendered_briefs, around, cache);
    drop(tag_index);
    let mut site = Site {
        config,
        briefs: site_briefs,
        companies: Vec::new(),
        sources: Vec::new(),
        people: Vec::new(),
        products: Vec::new(),
        authors: Vec::new(),
        tags: tags.into_iter().map(|(slug, name)| crate::site::Tag { slug, name, briefs: Vec::new() }).collect(),
        stories: stories::assemble(story_list, &stories, &rendered_stories, &story_images),
        pages: assemble_pages(&pages, page_slugs, rendered_pages),
        templates,
        statics,
        assets,
        images: site_images,
        i18n: translations,
        data,
        now,
        scheduled: scheduled.into_iter().map(|(_, date)| date).collect(),
    };
    ents.assemble(profiles, &mut site);
    steps::add("assemble", t.elapsed());
    let site = steps::time("lists", || lists(site, now, cache, stored.map(|s| &s.related)));
    // The files' text is no longer needed: free it off the critical path.
    free_later((briefs, (companies, sources, people, products, authors), stories, pages));
    Some(site)
}

/// Every list the pages show, computed once from the assembled site.
fn lists(mut site: Site, now: Date, cache: Option<&ResolveCache>, kept: Option<&RelatedStore>) -> Site {
    let by_brief = |n: usize, names: &dyn Fn(&Brief) -> Vec<u32>| entities::back_refs(n, &site.briefs, names);
    let company_briefs = by_brief(site.companies.len(), &|b| b.companies.iter().map(|c| c.0).collect());
    let source_briefs = by_brief(site.sources.len(), &sources::cited);
    let person_briefs = by_brief(site.people.len(), &|b| b.people.iter().map(|p| p.0).collect());
    let linked_from = by_brief(site.people.len(), &|b| b.links_to.iter().filter(|e| e.kind == Kind::Person).map(|e| e.index).collect());
    let product_briefs = by_brief(site.products.len(), &|b| b.products.iter().map(|p| p.0).collect());
    let author_briefs = by_brief(site.authors.len(), &|b| b.authors.iter().map(|a| a.0).collect());
    let tag_briefs = by_brief(site.tags.len(), &|b| b.tags.iter().map(|t| t.0).collect());
    let story_briefs = by_brief(site.stories.len(), &|b| b.story.iter().map(|s| s.0).collect());
    set(&mut site.companies, company_briefs, |c, v| c.briefs = v);
    set(&mut site.sources, source_briefs, |s, v| s.briefs = v);
    set(&mut site.people, person_briefs, |p, v| p.briefs = v);
    set(&mut site.people, linked_from, |p, v| p.linked_from = v);
    set(&mut site.products, product_briefs, |p, v| p.briefs = v);
    set(&mut site.authors, author_briefs, |a, v| a.briefs = v);
    set(&mut site.tags, tag_briefs, |t, v| t.briefs = v);
    let subsidiaries = companies::subsidiaries(&site.companies);
    set(&mut site.companies, subsidiaries, |c, v| c.subsidiaries = v);
    let products = products::by_maker(site.companies.len(), &site.products);
    set(&mut site.companies, products, |c, v| c.products = v);
    let people = people::at_companies(site.companies.len(), &site.people, now);
    set(&mut site.companies, people, |c, v| c.people = v);
    let often_with: Vec<_> = steps::time("lists: often with", || {
        site.companies.par_iter().enumerate().map(|(i, c)| companies::often_with(&site.briefs, CompanyId(i as u32), c)).collect()
    });
    set(&mut site.companies, often_with, |c, v| c.often_with = v);
    let mut site = steps::time("lists: timelines", || stories::timelines(site, story_briefs));
    let records: Vec<_> = steps::time("lists: track records", || {
        site.sources.par_iter().map(|s| sources::track_record(&site.briefs, &site.stories, &s.briefs)).collect()
    });
    set(&mut site.sources, records, |s, r| s.record = r);
    let related = steps::time("lists: related", || related::cached(&site, cache, kept));
    set(&mut site.briefs, related, |b, r| b.related = r);
    stories::most_recent_first(site)
}

/// Gives each item its value.
fn set<T, V>(items: &mut [T], values: Vec<V>, mut f: impl FnMut(&mut T, V)) {
    for (item, v) in items.iter_mut().zip(values) {
        f(item, v);
    }
}

/// Each page's slug from its file stem; a page may not take a name the site uses.
fn page_slugs(pages: &[Arc<Doc<RawPage>>], diags: &mut Diagnostics) -> Vec<Option<Slug>> {
    let slugs = fields::stem_slugs(pages, "page", diags);
    for (doc, slug) in pages.iter().zip(&slugs) {
        let Some(slug) = slug else { continue };
        if RESERVED.contains(&slug.as_str()) || Kind::ALL.iter().any(|k| k.decl().plural == slug.as_str()) {
            diags.push(
                Diagnostic::error(&doc.path, 1, 1, format!("page \"{slug}\" would replace the site's own /{slug}/"))
                    .with_hint("rename the file"),
            );
        }
    }
    slugs
}

/// Records where each document (with a valid slug) is published, by its path under content/.
fn add_page_files<'a, R>(files: &mut HashMap<&'a str, String>, docs: &'a [Arc<Doc<R>>], slugs: &[Option<Slug>], path: fn(&str) -> String) {
    for (doc, s) in docs.iter().zip(slugs) {
        if let Some(s) = s {
            files.insert(&doc.content_path, path(s.as_str()));
        }
    }
}

/// Renders every brief's body once, in parallel, in the order of `parts`. A brief's text is
/// freed as soon as its links are checked (nothing later reads it), so that its HTML can
/// take that memory. Briefs with front-matter errors are not published, but their links
/// are checked too, so that one run reports every mistake.
fn render_briefs(
    links: &Links<'_>,
    briefs: &mut [Arc<Doc<RawBrief>>],
    parts: &[(usize, Arc<BriefParts>)],
    published: &[bool],
    cache: Option<&ResolveCache>,
    diags: &mut Diagnostics,
) -> Vec<Arc<Rendered>> {
    let mut by_file: Vec<(Arc<Rendered>, Vec<Diagnostic>)> = briefs
        .par_iter_mut()
        .zip(published)
        .map(|(doc, published)| {
            let mut r = links.render(doc, cache);
            if !published && !r.pictures.is_empty() {
                Arc::make_mut(&mut r).pictures.clear();
            }
            let problems = links.located(doc, &r);
            if let Some(doc) = Arc::get_mut(doc) {
                doc.drop_text();
            }
            (r, problems)
        })
        .collect();
    for (_, problems) in &mut by_file {
        diags.extend(std::mem::take(problems));
    }
    parts.iter().map(|(i, _)| std::mem::take(&mut by_file[*i].0)).collect()
}

/// Each brief's corrections (in the order of `parts`), their Markdown rendered and its
/// links checked (a broken one is reported at the brief's `corrections`).
fn render_corrections(
    links: &Links<'_>,
    docs: &[Arc<Doc<RawBrief>>],
    parts: &[(usize, Arc<BriefParts>)],
    diags: &mut Diagnostics,
) -> Vec<Vec<Correction>> {
    let mut out = Vec::with_capacity(parts.len());
    for (i, p) in parts {
        let doc = &docs[*i];
        let list = p
            .corrections
            .iter()
            .map(|(date, text)| {
                let r = crate::content::markdown::render(text, &doc.content_path, links);
                for problem in &r.problems {
                    diags.push(doc.error_at("corrections", None, problem.error.message.clone()).with_hint_opt(problem.error.hint.clone()));
                }
                Correction { date: *date, html: r.html.to_string(), text: r.first_paragraph }
            })
            .collect();
        out.push(list);
    }
    out
}

/// The free pages.
fn assemble_pages(docs: &[Arc<Doc<RawPage>>], slugs: Vec<Option<Slug>>, rendered: Vec<Arc<Rendered>>) -> Vec<Page> {
    docs.iter()
        .zip(rendered)
        .zip(slugs)
        .filter_map(|((d, r), slug)| {
            Some(Page {
                slug: slug?,
                path: d.path.clone(),
                title: d.raw.title.clone().unwrap_or_default(),
                body_html: r.html.clone(),
                extra: d.raw.extra.clone(),
            })
        })
        .collect()
}

/// The shortcode templates of the site and its theme over the built-in ones.
fn shortcode_templates(templates: &[crate::content::load::TemplateSource], diags: &mut Diagnostics) -> Option<crate::content::markdown::Shortcodes> {
    let sources = templates.iter().map(|t| (t.name.as_str(), t.text.as_str()));
    crate::content::markdown::Shortcodes::new(sources)
        .map_err(|e| diags.push(crate::render::template_error(&e, &|name: &str| templates.iter().find(|t| t.name == name).map_or_else(|| name.into(), |t| t.origin.clone()), None)))
        .ok()
}

/// The slugs of the briefs whose files have errors (by their file names: their front matter
/// may not have been read).
fn broken_briefs(root: &std::path::Path, diags: &Diagnostics) -> Vec<String> {
    let briefs = root.join("content").join("briefs");
    diags
        .error_files()
        .filter(|p| p.starts_with(&briefs) || p.starts_with("content/briefs"))
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?;
            let name = if stem == "index" { p.parent()?.file_name()?.to_str()? } else { stem };
            Some(crate::content::load::default_slug(name))
        })
        .collect()
}

/// Which briefs are published (by index), and the lead images of briefs and stories. A
/// scheduled brief's image stays unpublished with it.
fn lead_images(
    links: &Links<'_>,
    briefs: &[Arc<Doc<RawBrief>>],
    stories: &[Arc<Doc<crate::content::frontmatter::RawStory>>],
    parts: &[(usize, Arc<briefs::BriefParts>)],
    diags: &mut Diagnostics,
) -> (Vec<bool>, Vec<Option<crate::site::Lead>>, Vec<Option<crate::site::Lead>>) {
    let mut published = vec![false; briefs.len()];
    for (i, _) in parts {
        published[*i] = true;
    }
    let named = briefs.iter().zip(&published).map(|(d, p)| d.raw.image.as_ref().filter(|_| *p).map(|img| ("image", img, None)));
    let brief_images = images::leads(links, briefs, named.collect(), diags);
    let named = stories.iter().map(|d| d.raw.image.as_ref().map(|img| ("image", img, None)));
    let story_images = images::leads(links, stories, named.collect(), diags);
    (published, brief_images, story_images)
}

/// The static files of the site: the theme's and the site's, then every bundle's files
/// (which win over one at the same path); with the fingerprinted names of its stylesheets
/// and scripts.
fn site_statics(
    mut statics: Vec<(String, StaticSource)>,
    bundled: Vec<(String, std::path::PathBuf)>,
) -> (Vec<(String, StaticSource)>, std::collections::HashMap<String, String>) {
    statics.retain(|(path, _)| !bundled.iter().any(|(b, _)| b == path));
    statics.extend(bundled.into_iter().map(|(p, d)| (p, StaticSource::Disk(d))));
    let assets = fingerprint_assets(&mut statics);
    (statics, assets)
}

/// A copy of every stylesheet and script under a name that holds a hash of its bytes
/// (`style.css` also as `style.3f2a9c1b0d.css`), so that hosts may cache it for a year:
/// a change makes a new name. Returns the plain name -> fingerprinted name.
fn fingerprint_assets(statics: &mut Vec<(String, StaticSource)>) -> std::collections::HashMap<String, String> {
    let mut names = std::collections::HashMap::new();
    let mut copies = Vec::new();
    for (path, src) in statics.iter() {
        let Some((stem, ext)) = path.rsplit_once('.').filter(|(_, e)| matches!(*e, "css" | "js")) else { continue };
        let hash = match src {
            StaticSource::Embedded(b) => blake3::hash(b),
            StaticSource::Disk(p) => match std::fs::read(p) {
                Ok(b) => blake3::hash(&b),
                Err(_) => continue,
            },
        };
        let named = format!("{stem}.{}.{ext}", &hash.to_hex()[..10]);
        copies.push((named.clone(), src.clone()));
        names.insert(path.clone(), named);
    }
    statics.extend(copies);
    names
}
