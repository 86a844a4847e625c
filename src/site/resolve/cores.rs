//! Assembling the briefs: each brief's own part (its [`BriefCore`]: checked front matter
//! and rendered body) is shared with the previous build of `serve` when both came from
//! its caches unchanged, so that saving one brief neither copies nor frees the other
//! ten thousand; what depends on the rest of the site (tag and story ids, lead image,
//! corrections) is worked out again for every brief.

use std::sync::Arc;

use ahash::AHashMap as HashMap;
use rayon::prelude::*;

use super::briefs::{BriefParts, Numbered};
use super::links::ResolveCache;
use crate::content::frontmatter::RawBrief;
use crate::content::load::Doc;
use crate::content::markdown::Rendered;
use crate::site::{Brief, BriefCore, Correction, EntityId, Lead, StoryId, TagId};

/// The cores of the last build, by the address of the front matter they were made from
/// (kept alive here, so the address is not reused), with the body they were made from.
#[derive(Default)]
pub(crate) struct KeptCores(HashMap<usize, KeptCore>);

/// A core, with the front matter and body it was made from.
type KeptCore = (Arc<BriefParts>, Arc<Rendered>, Arc<BriefCore>);

/// What is assembled with each brief besides its parts and body.
pub(super) struct Around<'a> {
    pub corrections: Vec<Vec<Correction>>,
    pub images: Vec<Option<Lead>>,
    pub tag_index: &'a HashMap<&'a str, TagId>,
    pub story_index: &'a HashMap<String, StoryId>,
}

/// The briefs, in the order of `parts`; related briefs and story neighbours are filled later.
pub(super) fn assemble(docs: &[Arc<Doc<RawBrief>>], parts: Numbered, rendered: Vec<Arc<Rendered>>, around: Around<'_>, cache: Option<&ResolveCache>) -> Vec<Brief> {
    let Around { corrections, images, tag_index, story_index } = around;
    let kept = cache.and_then(|c| c.cores.lock().ok().map(|mut k| std::mem::take(&mut *k))).unwrap_or_default();
    let briefs: Vec<Brief> = parts
        .par_iter()
        .zip(rendered.par_iter())
        .zip(corrections)
        .map(|(((i, p), r), corrections)| {
            let core = match kept.0.get(&key(p)) {
                Some((_, kr, core)) if Arc::ptr_eq(kr, r) => core.clone(),
                _ => Arc::new(core_of(&docs[*i], p, r)),
            };
            Brief {
                core,
                image: images[*i].clone(),
                tags: p.tags.iter().filter_map(|t| tag_index.get(t.as_str()).copied()).collect(),
                story: p.story.as_ref().and_then(|s| story_index.get(s.as_str()).copied()),
                corrections,
                related: Vec::new(),
                story_prev: None,
                story_next: None,
            }
        })
        .collect();
    if let Some(c) = cache {
        let cores = parts.into_iter().zip(rendered).zip(&briefs).map(|(((_, p), r), b)| (key(&p), (p, r, b.core.clone())));
        if let Ok(mut k) = c.cores.lock() {
            *k = KeptCores(cores.collect());
        }
    }
    drop(kept);
    briefs
}

fn key(p: &Arc<BriefParts>) -> usize {
    Arc::as_ptr(p) as usize
}

/// A brief's own part, from its file, its checked front matter and its rendered body.
fn core_of(doc: &Doc<RawBrief>, p: &BriefParts, r: &Rendered) -> BriefCore {
    BriefCore {
        slug: p.slug.clone(),
        path: doc.path.clone(),
        title: p.title.clone(),
        date: p.date,
        updated: p.updated,
        summary: p.summary.clone().unwrap_or_else(|| r.first_paragraph.clone()),
        has_summary: p.summary.is_some(),
        body_html: r.html.clone(),
        toc: if doc.raw.toc { r.headings.clone() } else { Vec::new() },
        companies: p.companies.clone(),
        citations: p.citations.clone(),
        status: p.status,
        tickers: p.tickers.clone(),
        people: p.people.clone(),
        products: p.products.clone(),
        authors: p.authors.clone(),
        links_to: r.mentions.iter().map(|&(kind, index)| EntityId { kind, index }).collect(),
        draft: doc.raw.draft,
        extra: doc.raw.extra.clone(),
    }
}
