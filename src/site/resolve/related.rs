//! Related briefs: for each brief, the briefs sharing the most companies and tags with it,
//! among those nearest in time.

use rayon::prelude::*;

use crate::site::{Brief, BriefId, Company, Tag};

/// How many related briefs each brief shows.
const RELATED: usize = 5;
/// How many briefs around each brief, in each of its company and tag lists, are
/// considered for its related briefs.
const RELATED_WINDOW: usize = 300;

/// Per-thread scores for [`related`], by brief index, left all zero after each brief.
struct Scratch {
    score: Vec<u32>,
    touched: Vec<u32>,
}

/// What the related briefs were last computed from (`serve` keeps it between rebuilds).
#[derive(Default)]
pub struct KeptRelated {
    /// A fingerprint of the companies' slugs: while it holds, company ids mean the same.
    companies: u64,
    /// The briefs, in date order (their slugs say which brief an old id was).
    briefs: Vec<std::sync::Arc<crate::site::BriefCore>>,
    /// The tags' slugs, by id.
    tags: Vec<crate::content::model::Slug>,
    /// Each brief's companies and tags.
    lists: Vec<Lists>,
    related: Vec<Vec<BriefId>>,
}

/// A brief's companies and tags, by id.
type Lists = (Vec<u32>, Vec<u32>);

/// Every brief's related briefs. With `cache` (`serve`), after briefs were added, removed
/// or moved to other companies or tags (the others keeping their order), only the briefs
/// within a window's reach of a change in one of its lists are computed again; the others
/// keep theirs, with ids renumbered. Ties are broken by time, not by position, so that a
/// brief added elsewhere changes nothing for them. Without it, with `kept` (a build), the
/// related briefs the last build kept are read when computed from the same inputs.
pub(super) fn cached(site: &crate::site::Site, cache: Option<&super::ResolveCache>, kept: Option<&super::RelatedStore>) -> Vec<Vec<BriefId>> {
    let compute_all = || all(&site.briefs, &site.companies, &site.tags);
    let Some(cache) = cache else {
        let Some(kept) = kept else { return compute_all() };
        let times = times(&site.briefs);
        let key = super::related_store::inputs_key(&site.briefs, &site.companies, &site.tags, &times);
        return kept.get_or(key, site.briefs.len(), compute_all);
    };
    let companies = crate::content::model::fingerprint(&site.companies.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>());
    let lists: Vec<Lists> = site.briefs.iter().map(|b| (b.companies.iter().map(|c| c.0).collect(), b.tags.iter().map(|t| t.0).collect())).collect();
    let kept = cache.related.lock().map(|mut k| std::mem::take(&mut *k)).unwrap_or_default();
    let (related, again) = match (kept.companies == companies).then(|| renumbered(site, kept, &lists)).flatten() {
        Some((mut related, again)) => {
            for (i, r) in again.iter().zip(compute(&site.briefs, &site.companies, &site.tags, &again)) {
                related[*i] = r;
            }
            (related, again.len())
        }
        None => (all(&site.briefs, &site.companies, &site.tags), lists.len()),
    };
    crate::steps::count("related briefs computed", again, lists.len());
    if let Ok(mut k) = cache.related.lock() {
        let briefs = site.briefs.iter().map(|b| b.core.clone()).collect();
        let tags = site.tags.iter().map(|t| t.slug.clone()).collect();
        *k = KeptRelated { companies, briefs, tags, lists, related: related.clone() };
    }
    related
}

/// The kept related briefs in this build's ids, and which briefs need theirs computed
/// again; `None` when kept briefs changed order (a date edited), or nothing was kept.
fn renumbered(site: &crate::site::Site, kept: KeptRelated, lists: &[Lists]) -> Option<(Vec<Vec<BriefId>>, Vec<usize>)> {
    if kept.briefs.is_empty() {
        return None;
    }
    let was: ahash::AHashMap<&str, u32> = kept.briefs.iter().enumerate().map(|(i, b)| (b.slug.as_str(), i as u32)).collect();
    let old_of: Vec<Option<u32>> = site.briefs.iter().map(|b| was.get(b.slug.as_str()).copied()).collect();
    if !old_of.iter().flatten().is_sorted_by(|a, b| a < b) {
        return None;
    }
    let mut new_of = vec![None; kept.briefs.len()];
    for (n, o) in old_of.iter().enumerate() {
        if let Some(o) = o {
            new_of[*o as usize] = Some(n as u32);
        }
    }
    let tag_at: ahash::AHashMap<&str, u32> = site.tags.iter().enumerate().map(|(i, t)| (t.slug.as_str(), i as u32)).collect();
    let tag_of: Vec<Option<u32>> = kept.tags.iter().map(|t| tag_at.get(t.as_str()).copied()).collect();
    // A kept brief's lists in this build's tag ids (a tag no brief names any more is left out).
    let then = |o: usize| -> Lists { (kept.lists[o].0.clone(), kept.lists[o].1.iter().filter_map(|t| tag_of[*t as usize]).collect()) };
    let same = |o: usize, n: usize| {
        let (companies, tags) = &kept.lists[o];
        *companies == lists[n].0 && tags.iter().map(|t| tag_of[*t as usize]).eq(lists[n].1.iter().map(|t| Some(*t)))
    };
    // Each change, at its place among this build's briefs, with the lists it left and joined.
    let mut changes: Vec<(usize, Lists, Lists)> = Vec::new();
    for (n, o) in old_of.iter().enumerate() {
        match o {
            None => changes.push((n, Default::default(), lists[n].clone())),
            Some(o) if !same(*o as usize, n) => changes.push((n, then(*o as usize), lists[n].clone())),
            Some(_) => {}
        }
    }
    let mut next = site.briefs.len();
    for o in (0..kept.briefs.len()).rev() {
        match new_of[o] {
            Some(n) => next = n as usize,
            None => changes.push((next, then(o), Default::default())),
        }
    }
    let related = kept
        .related
        .iter()
        .enumerate()
        .filter_map(|(o, r)| new_of[o].map(|n| (n, r)))
        .fold(vec![Vec::new(); site.briefs.len()], |mut all, (n, r)| {
            all[n as usize] = r.iter().filter_map(|b| new_of[b.0 as usize].map(BriefId)).collect();
            all
        });
    Some((related, reach(site, &changes)))
}

/// The briefs whose related briefs may differ after `changes`: the changed ones, and every
/// brief within a window's reach of a change's place in the lists it left or joined.
fn reach(site: &crate::site::Site, changes: &[(usize, Lists, Lists)]) -> Vec<usize> {
    let mut marked = vec![false; site.briefs.len()];
    for (k, before, after) in changes {
        if let Some(m) = marked.get_mut(*k) {
            *m = true;
        }
        let companies = before.0.iter().chain(&after.0).map(|c| &site.companies[*c as usize].briefs);
        let tags = before.1.iter().chain(&after.1).map(|t| &site.tags[*t as usize].briefs);
        for list in companies.chain(tags) {
            let at = list.partition_point(|b| (b.0 as usize) < *k);
            let reach = RELATED_WINDOW / 2 + 2;
            for b in &list[at.saturating_sub(reach)..(at + reach).min(list.len())] {
                marked[b.0 as usize] = true;
            }
        }
    }
    (0..marked.len()).filter(|&i| marked[i]).collect()
}

/// What related briefs are found with: the companies' and tags' lists of briefs, and each
/// brief's time (seconds since 1970).
struct Scope<'a> {
    companies: &'a [Company],
    tags: &'a [Tag],
    times: &'a [i64],
}

/// Every brief's related briefs, best first (in parallel).
pub(super) fn all(briefs: &[Brief], companies: &[Company], tags: &[Tag]) -> Vec<Vec<BriefId>> {
    compute(briefs, companies, tags, &(0..briefs.len()).collect::<Vec<_>>())
}

/// The related briefs of the briefs at `indices`, in parallel.
fn compute(briefs: &[Brief], companies: &[Company], tags: &[Tag], indices: &[usize]) -> Vec<Vec<BriefId>> {
    let n = briefs.len();
    // One scratch per thread: rayon's `map_init` would make one per job, and jobs grow in
    // number with the site, so their zeroed score arrays would grow as its square.
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch { score: Vec::new(), touched: Vec::new() }) };
    }
    let times = times(briefs);
    let scope = Scope { companies, tags, times: &times };
    indices
        .par_iter()
        .map(|&i| {
            SCRATCH.with_borrow_mut(|scratch| {
                if scratch.score.len() < n {
                    scratch.score = vec![0; n];
                }
                related(briefs, &scope, i, scratch)
            })
        })
        .collect()
}

/// Each brief's time, in seconds since 1970.
fn times(briefs: &[Brief]) -> Vec<i64> {
    briefs.iter().map(|b| b.date.at.timestamp()).collect()
}

/// The briefs sharing the most companies (2 points each) and tags (1 point) with brief `i`,
/// among the [`RELATED_WINDOW`] nearest in time in each of its lists; among equals, the
/// nearest in time (then the newest). Keeps only the best as it goes.
fn related(briefs: &[Brief], scope: &Scope<'_>, i: usize, scratch: &mut Scratch) -> Vec<BriefId> {
    let Scope { companies, tags, times } = scope;
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
    let key = |b: u32, score: u32| (std::cmp::Reverse(score), times[b as usize].abs_diff(times[i]), b);
    let mut best: Vec<(std::cmp::Reverse<u32>, u64, u32)> = Vec::with_capacity(RELATED + 1);
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
