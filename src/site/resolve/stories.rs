//! Stories: the threads briefs name (with or without a file of their own), assembled,
//! read as timelines (oldest first, each brief knowing its neighbours), and ordered with
//! the most recently active first.

use std::sync::Arc;

use ahash::AHashMap as HashMap;

use super::briefs::BriefParts;
use crate::content::diag::{did_you_mean, Diagnostics};
use crate::content::frontmatter::{RawBrief, RawStory};
use crate::content::load::Doc;
use crate::content::markdown::Rendered;
use crate::content::model::Slug;
use crate::site::{BriefId, Extra, Site, Story, StoryId};

/// Every story's slug, and the index of its file if it has one.
pub(super) type Named = Vec<(Slug, Option<usize>)>;

/// The site's stories: those with a file (in file order), then those only briefs name (in
/// the order first named). A story named by one brief only and close to another story's
/// slug is almost surely a typo: an error with a did-you-mean.
pub(super) fn named(
    docs: &[Arc<Doc<RawBrief>>],
    parts: &[(usize, Arc<BriefParts>)],
    file_slugs: &[Option<Slug>],
    diags: &mut Diagnostics,
) -> (HashMap<String, StoryId>, Named) {
    let mut index: HashMap<String, StoryId> = HashMap::new();
    let mut stories: Vec<(Slug, Option<usize>)> = Vec::new(); // slug, story file index
    for (i, slug) in file_slugs.iter().enumerate() {
        if let Some(slug) = slug {
            index.insert(slug.as_str().to_string(), StoryId(stories.len() as u32));
            stories.push((slug.clone(), Some(i)));
        }
    }
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for (_, p) in parts {
        if let Some(s) = &p.story {
            *uses.entry(s.as_str()).or_default() += 1;
        }
    }
    for (i, p) in parts {
        let Some(slug) = &p.story else { continue };
        if index.contains_key(slug.as_str()) || uses.get(slug.as_str()) != Some(&1) {
            continue;
        }
        let others = index.keys().map(String::as_str).chain(uses.iter().filter(|(_, n)| **n > 1).map(|(k, _)| *k));
        if let Some(close) = did_you_mean(slug.as_str(), others) {
            diags.push(
                docs[*i]
                    .error_at("story", Some(slug.as_str()), format!("unknown story \"{slug}\""))
                    .with_hint(format!("did you mean \"{close}\"? (a new story needs no file, but this one is named only here)")),
            );
        }
    }
    for (_, p) in parts {
        if let Some(slug) = &p.story {
            if !index.contains_key(slug.as_str()) {
                index.insert(slug.as_str().to_string(), StoryId(stories.len() as u32));
                stories.push((slug.clone(), None));
            }
        }
    }
    (index, stories)
}

/// The stories of `list`, titled by their files; briefs and untitled ones are filled later.
pub(super) fn assemble(
    list: Vec<(Slug, Option<usize>)>,
    docs: &[Arc<Doc<RawStory>>],
    rendered: &[Arc<Rendered>],
    images: &[Option<crate::site::Lead>],
) -> Vec<Story> {
    list.into_iter()
        .map(|(slug, file)| {
            let path = file.map(|f| docs[f].path.clone());
            let (title, summary, body_html, extra) = match file {
                Some(f) => (
                    docs[f].raw.title.as_deref().map(crate::content::html::typography).unwrap_or_default(),
                    docs[f].raw.summary.as_deref().map(crate::content::html::typography),
                    rendered[f].html.clone(),
                    docs[f].raw.extra.clone(),
                ),
                None => (String::new(), None, std::sync::Arc::from(""), Extra::new()),
            };
            let image = file.and_then(|f| images[f].clone());
            Story { slug, path, title, summary, image, body_html, briefs: Vec::new(), extra }
        })
        .collect()
}

/// Each story's briefs as a timeline, oldest first (`briefs` lists them newest first); an
/// untitled story takes its earliest brief's title; each brief learns its neighbours.
pub(super) fn timelines(mut site: Site, briefs: Vec<Vec<BriefId>>) -> Site {
    for (s, mut list) in site.stories.iter_mut().zip(briefs) {
        list.reverse();
        s.briefs = list;
        if s.title.is_empty() {
            s.title = s.briefs.first().map(|b| site.briefs[b.0 as usize].title.clone()).unwrap_or_else(|| s.slug.to_string());
        }
        for (k, b) in s.briefs.iter().enumerate() {
            let brief = &mut site.briefs[b.0 as usize];
            brief.story_prev = k.checked_sub(1).map(|k| s.briefs[k]);
            brief.story_next = s.briefs.get(k + 1).copied();
        }
    }
    site
}

/// The stories with the most recently active first (then by slug), and the briefs'
/// story ids renumbered to match.
pub(super) fn most_recent_first(mut site: Site) -> Site {
    let last = |s: &Story| s.briefs.last().map(|b| site.briefs[b.0 as usize].date);
    let mut order: Vec<usize> = (0..site.stories.len()).collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (&site.stories[a], &site.stories[b]);
        last(sb).cmp(&last(sa)).then_with(|| sa.slug.cmp(&sb.slug))
    });
    let mut remap = vec![StoryId(0); site.stories.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = StoryId(new as u32);
    }
    let mut slots: Vec<Option<Story>> = std::mem::take(&mut site.stories).into_iter().map(Some).collect();
    site.stories = order.iter().filter_map(|&old| slots[old].take()).collect();
    for b in &mut site.briefs {
        b.story = b.story.map(|s| remap[s.0 as usize]);
    }
    site
}
