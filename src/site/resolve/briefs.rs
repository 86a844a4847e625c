//! Briefs' front matter: each brief checked on its own (in parallel), then the whole set:
//! slugs that collide, the newest-first order, tags.

use std::sync::Arc;

use ahash::{AHashMap as HashMap, AHashSet as HashSet};
use rayon::prelude::*;

use super::entities;
use super::links::ResolveCache;
use super::fields::{date_field, required, unknown_ref};
use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::frontmatter::{RawBrief, RawCitation, RawCorrection};
use crate::content::kinds::Kind;
use crate::content::load::Doc;
use crate::content::model::{Date, HttpUrl, Slug, Status};
use crate::site::{AuthorId, Citation, CompanyId, PersonId, ProductId, SourceId};

/// A brief's front matter, checked; references to entities are ids, to stories and tags
/// still slugs.
#[derive(Clone)]
pub(super) struct BriefParts {
    pub slug: Slug,
    pub title: String,
    pub date: Date,
    pub updated: Option<Date>,
    pub summary: Option<String>,
    pub companies: Vec<CompanyId>,
    pub citations: Vec<Citation>,
    pub tags: Vec<Slug>,
    pub status: Option<Status>,
    pub story: Option<Slug>,
    pub tickers: Vec<String>,
    pub people: Vec<PersonId>,
    pub products: Vec<ProductId>,
    pub authors: Vec<AuthorId>,
    /// Corrections, oldest first: their dates and Markdown.
    pub corrections: Vec<(Date, String)>,
}

/// Briefs' parts, each with its index among the files.
pub(super) type Numbered = Vec<(usize, Arc<BriefParts>)>;

/// The slug indexes a brief's front matter refers to.
pub(super) struct Refs<'a> {
    pub companies: &'a HashMap<&'a str, u32>,
    pub sources: &'a HashMap<&'a str, u32>,
    pub people: &'a HashMap<&'a str, u32>,
    pub products: &'a HashMap<&'a str, u32>,
    pub authors: &'a HashMap<&'a str, u32>,
    /// The byline of briefs that name no author (`default_author`, when it exists).
    pub default_author: Option<u32>,
    /// The site's time zone, for dates without an offset.
    pub zone: chrono_tz::Tz,
}

impl<'a> Refs<'a> {
    /// The references of the slug indexes of companies, sources, people, products and
    /// authors (in that order).
    pub fn of(indexes: &'a [HashMap<&'a str, u32>; 5], default_author: Option<u32>, zone: chrono_tz::Tz) -> Refs<'a> {
        let [companies, sources, people, products, authors] = indexes;
        Refs { companies, sources, people, products, authors, default_author, zone }
    }

    /// A fingerprint of everything a brief's front matter is checked against.
    fn fingerprint(&self) -> u64 {
        fn sorted<'m>(m: &HashMap<&'m str, u32>) -> Vec<(&'m str, u32)> {
            let mut v: Vec<(&str, u32)> = m.iter().map(|(k, v)| (*k, *v)).collect();
            v.sort_unstable();
            v
        }
        let maps = [self.companies, self.sources, self.people, self.products, self.authors].map(sorted);
        crate::content::model::fingerprint(&(maps, self.default_author, self.zone.name()))
    }
}

/// The briefs checked in an earlier build (`serve`): a file loaded again unchanged (the
/// same document) against the same entities is not checked again. Only briefs that
/// raised no problem are kept, so that every run reports every problem.
#[derive(Default)]
pub(crate) struct FrontCache {
    refs: u64,
    briefs: HashMap<String, KeptBrief>,
}

/// A brief's document, its checked parts and its tags.
type KeptBrief = (Arc<Doc<RawBrief>>, Arc<BriefParts>, Tags);

/// The tags a brief names, each with its spelling there.
type Tags = Arc<[(Slug, String)]>;

type Checked = (Option<Arc<BriefParts>>, Tags, Diagnostics);

/// Each brief's parts (with its index among `docs`) when its front matter is valid, and
/// every tag with the first spelling of its name.
pub(super) fn check(docs: &[Arc<Doc<RawBrief>>], refs: &Refs<'_>, cache: Option<&ResolveCache>, diags: &mut Diagnostics) -> (Numbered, Vec<(Slug, String)>) {
    let fingerprint = cache.map(|_| refs.fingerprint()).unwrap_or_default();
    let mut kept = cache.and_then(|c| c.front.lock().ok().map(|mut f| std::mem::take(&mut *f))).unwrap_or_default();
    if kept.refs != fingerprint {
        kept = FrontCache { refs: fingerprint, briefs: HashMap::new() };
    }
    let reused: Vec<(bool, Checked)> = docs
        .par_iter()
        .map(|doc| {
            let same = kept.briefs.get(&doc.content_path).filter(|(d, ..)| Arc::ptr_eq(d, doc));
            if let Some((_, parts, tags)) = same {
                return (true, (Some(parts.clone()), tags.clone(), Diagnostics::new()));
            }
            let (mut tags, mut found) = (Vec::new(), Diagnostics::new());
            let p = brief_parts(doc, refs, &mut tags, &mut found);
            (false, (p.map(Arc::new), tags.into(), found))
        })
        .collect();
    if let Some(c) = cache {
        crate::steps::count("front matters checked", reused.iter().filter(|(r, _)| !r).count(), docs.len());
        keep(c, kept, docs, &reused);
    }
    let checked = reused.into_iter().map(|(_, c)| c);
    // Merged in file order: the first spelling of a tag names it.
    let mut parts = Vec::with_capacity(docs.len());
    let mut tags_by_slug: HashMap<Slug, String> = HashMap::new();
    for (i, (p, tags, found)) in checked.into_iter().enumerate() {
        diags.extend(found.into_sorted());
        for (slug, name) in tags.iter() {
            if !tags_by_slug.contains_key(slug) {
                tags_by_slug.insert(slug.clone(), name.clone());
            }
        }
        if let Some(p) = p {
            parts.push((i, p));
        }
    }
    let mut tags: Vec<(Slug, String)> = tags_by_slug.into_iter().collect();
    tags.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (parts, tags)
}

/// Keeps the briefs just checked without a problem for the next build (those taken from
/// `kept` stay where they are).
fn keep(cache: &ResolveCache, mut kept: FrontCache, docs: &[Arc<Doc<RawBrief>>], checked: &[(bool, Checked)]) {
    for (doc, (reused, (p, tags, found))) in docs.iter().zip(checked) {
        if *reused {
            continue;
        }
        match p.as_ref().filter(|_| found.error_count() + found.warning_count() == 0) {
            Some(p) => kept.briefs.insert(doc.content_path.clone(), (doc.clone(), p.clone(), tags.clone())),
            None => kept.briefs.remove(&doc.content_path),
        };
    }
    if kept.briefs.len() > docs.len() {
        let present: HashSet<&str> = docs.iter().map(|d| d.content_path.as_str()).collect();
        kept.briefs.retain(|path, _| present.contains(path.as_str()));
    }
    if let Ok(mut f) = cache.front.lock() {
        *f = kept;
    }
}

fn brief_parts(doc: &Doc<RawBrief>, refs: &Refs<'_>, tags: &mut Vec<(Slug, String)>, diags: &mut Diagnostics) -> Option<BriefParts> {
    let RawBrief {
        title,
        date,
        updated,
        summary,
        companies,
        sources,
        tags: tag_names,
        status,
        story,
        tickers,
        people,
        products,
        authors,
        corrections,
        slug,
        image: _,
        toc: _,
        draft: _,
        extra: _,
    } = &doc.raw;
    let before = diags.error_count();
    let title = required(doc, "title", title.as_ref(), diags);
    let date = required(doc, "date", date.as_ref(), diags).and_then(|d| date_field(doc, "date", &d, refs.zone, diags));
    let updated = updated.as_deref().and_then(|d| date_field(doc, "updated", d, refs.zone, diags));
    if let (Some(d), Some(u)) = (date, updated) {
        if u < d {
            diags.push(doc.warning_at("updated", "`updated` is earlier than `date`"));
        }
    }
    let slug = brief_slug(doc, slug.as_deref(), diags);
    let companies = entities::refs(doc, "companies", Kind::Company, companies, refs.companies, diags);
    let citations = citations(doc, sources, refs, diags);
    let people = entities::refs(doc, "people", Kind::Person, people, refs.people, diags);
    let products = entities::refs(doc, "products", Kind::Product, products, refs.products, diags);
    let mut authors = entities::refs(doc, "authors", Kind::Author, authors, refs.authors, diags);
    if doc.raw.authors.is_empty() {
        authors.extend(refs.default_author);
    }
    let corrections = check_corrections(doc, corrections, refs.zone, diags);
    placeholder(doc, diags);
    let status = status.as_deref().and_then(|s| match Status::parse(s) {
        Ok(s) => Some(s),
        Err(msg) => {
            let hint = Status::suggest(s).map(|k| format!("did you mean \"{k}\"?"));
            diags.push(doc.error_at("status", Some(s), msg).with_hint_opt(hint));
            None
        }
    });
    let story = story.as_deref().and_then(|s| Slug::parse(s).map_err(|msg| diags.push(doc.error_at("story", Some(s), msg))).ok());
    let tags = tag_slugs(doc, tag_names, tags, diags);
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
        title: crate::content::html::typography(&title?),
        date: date?,
        updated,
        summary: summary.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(crate::content::html::typography),
        companies: companies.into_iter().map(CompanyId).collect(),
        citations,
        tags,
        status,
        story,
        tickers: tickers.clone(),
        people: people.into_iter().map(PersonId).collect(),
        products: products.into_iter().map(ProductId).collect(),
        authors: authors.into_iter().map(AuthorId).collect(),
        corrections,
    })
}

/// `corrections:`: each needs a real date and some text.
fn check_corrections(doc: &Doc<RawBrief>, raw: &[RawCorrection], zone: chrono_tz::Tz, diags: &mut Diagnostics) -> Vec<(Date, String)> {
    let mut out = Vec::with_capacity(raw.len());
    for RawCorrection { date, text } in raw {
        let Some(date) = date_field(doc, "corrections", date, zone, diags) else { continue };
        if text.trim().is_empty() {
            diags.push(doc.error_at("corrections", None, "a correction needs its `text`: what was wrong, and what is right"));
            continue;
        }
        out.push((date, text.trim().to_string()));
    }
    out.sort_by_key(|(d, _)| *d);
    out
}

/// `slug:`, or the file stem without its date.
fn brief_slug(doc: &Doc<RawBrief>, slug: Option<&str>, diags: &mut Diagnostics) -> Option<Slug> {
    match slug {
        Some(s) => Slug::parse(s).map_err(|msg| diags.push(doc.error_at("slug", Some(s), msg))).ok(),
        None => Slug::parse(&crate::content::load::default_slug(&doc.stem))
            .map_err(|msg| {
                diags.push(
                    Diagnostic::error(&doc.path, 1, 1, format!("the file name gives the brief's slug: {msg}"))
                        .with_hint("rename the file, or set `slug:` in the front matter"),
                )
            })
            .ok(),
    }
}

/// `sources:`: every source must exist and every URL be http(s).
fn citations(doc: &Doc<RawBrief>, raw: &[RawCitation], refs: &Refs<'_>, diags: &mut Diagnostics) -> Vec<Citation> {
    let index = refs.sources;
    let mut cites = Vec::new();
    for c in raw {
        let (slug, url, title, date, note) = match c {
            RawCitation::Slug(s) => (s, None, None, None, None),
            RawCitation::Full(m) => (&m.source, m.url.as_ref(), m.title.clone(), m.date.as_deref(), m.note.clone()),
        };
        let Some(&source) = index.get(slug.as_str()) else {
            diags.push(unknown_ref(doc, "sources", Kind::Source, slug, index.keys().copied()));
            continue;
        };
        let url = url.and_then(|u| match HttpUrl::parse(u) {
            Ok(u) => Some(u),
            Err(msg) => {
                diags.push(doc.error_at("sources", Some(u), msg));
                None
            }
        });
        let date = date.and_then(|d| date_field(doc, "sources", d, refs.zone, diags));
        cites.push(Citation { source: SourceId(source), url, title, date, note });
    }
    // An analysis is the briefing's own reading: it may rest on no source.
    if raw.is_empty() && doc.raw.status.as_deref() != Some("analysis") {
        diags.push(doc.warning_at("title", "this brief cites no sources").with_hint("add `sources:` with the articles it rests on"));
    }
    cites
}

/// `tags:` as slugs, each once; `all` gets each new tag with its name as written.
fn tag_slugs(doc: &Doc<RawBrief>, names: &[String], all: &mut Vec<(Slug, String)>, diags: &mut Diagnostics) -> Vec<Slug> {
    let mut slugs = Vec::new();
    for t in names {
        let name = t.trim();
        if name.is_empty() {
            diags.push(doc.error_at("tags", None, "a tag must not be empty"));
            continue;
        }
        let s = Slug::from_text(name);
        if !slugs.contains(&s) {
            all.push((s.clone(), name.to_string()));
            slugs.push(s);
        }
    }
    slugs
}

/// The briefs to publish, and the slugs and dates of those held back: dated after `now`
/// (scheduled), unless `future`.
pub(super) fn hold_back(
    docs: &[Arc<Doc<RawBrief>>],
    parts: Numbered,
    now: Date,
    future: bool,
) -> (Numbered, Vec<(String, Date)>) {
    if future {
        return (parts, Vec::new());
    }
    let (later, published): (Vec<_>, Vec<_>) = parts.into_iter().partition(|(_, p)| p.date > now);
    let held = later.into_iter().map(|(i, p)| (docs[i].raw.slug.clone().unwrap_or_else(|| p.slug.to_string()), p.date)).collect();
    (published, held)
}

/// The briefs newest first, with unique slugs. Two briefs whose default slugs collide
/// (same title on different days): the oldest keeps the short slug, later ones keep the
/// date of their file name. An explicit `slug:` never moves; colliding with one is an
/// error that names both files. (Briefs come in the order of their paths: among equals,
/// the first file.)
pub(super) fn order(docs: &[Arc<Doc<RawBrief>>], mut parts: Numbered, diags: &mut Diagnostics) -> Numbered {
    parts.par_sort_by(|a, b| a.1.date.cmp(&b.1.date).then_with(|| a.0.cmp(&b.0)));
    let explicit: HashSet<&str> = parts.iter().filter(|(i, _)| docs[*i].raw.slug.is_some()).map(|(_, p)| p.slug.as_str()).collect();
    let mut taken: HashSet<&str> = HashSet::with_capacity(parts.len());
    // Moves are rare: their new slugs are held apart, and applied once the loop is done.
    let (mut moved, mut moved_slugs): (Vec<(usize, Slug)>, HashSet<String>) = Default::default();
    for (k, (i, p)) in parts.iter().enumerate() {
        let slug = p.slug.as_str();
        if docs[*i].raw.slug.is_none() && (taken.contains(slug) || moved_slugs.contains(slug)) && !explicit.contains(slug) {
            if let Ok(dated) = Slug::parse(&docs[*i].stem) {
                let d = dated.as_str();
                if dated != p.slug && !taken.contains(d) && !moved_slugs.contains(d) && !explicit.contains(d) {
                    moved_slugs.insert(d.to_string());
                    moved.push((k, dated));
                    continue;
                }
            }
        }
        taken.insert(slug);
    }
    drop((explicit, taken, moved_slugs));
    for (k, slug) in moved {
        Arc::make_mut(&mut parts[k].1).slug = slug;
    }
    parts.par_sort_by(|a, b| b.1.date.cmp(&a.1.date).then_with(|| a.1.slug.cmp(&b.1.slug)));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, p) in &parts {
        if let Some(&first) = seen.get(p.slug.as_str()) {
            diags.push(
                docs[*i]
                    .error_at("slug", None, format!("two briefs have the slug \"{}\"", p.slug))
                    .with_hint(format!("{} has it too; set `slug:` in one of them", docs[first].path.display())),
            );
        } else {
            seen.insert(p.slug.as_str(), *i);
        }
    }
    parts
}

/// A brief that still holds the text `briefing new` wrote was never written: an error at it.
fn placeholder(doc: &Doc<RawBrief>, diags: &mut Diagnostics) {
    if doc.raw.draft {
        return;
    }
    if let Some(at) = doc.placeholder() {
        let (line, col) = crate::content::diag::line_col(doc.text(), doc.body_offset.saturating_add(at));
        let message = "this brief still holds the placeholder text of `briefing new`";
        let hint = "write what happened in its place, or add `draft: true` until it is ready";
        diags.push(Diagnostic::error(&doc.path, line, col, message).with_hint(hint).with_source(doc.text()));
    }
}
