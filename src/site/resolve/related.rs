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
    /// A fingerprint of the briefs' slugs in date order, the tags' slugs and the count of
    /// companies: while it holds, ids mean the same briefs, companies and tags.
    order: u64,
    /// Each brief's companies and tags.
    lists: Vec<(Vec<u32>, Vec<u32>)>,
    related: Vec<Vec<BriefId>>,
}

/// Every brief's related briefs. With `cache` (`serve`), when the briefs and their order
/// are the same as last time and only some briefs' companies or tags changed (a brief
/// moved to another company), only the briefs whose lists near the changed ones could
/// see a difference are computed again: those within a window's reach of a changed
/// brief in one of its old or new lists.
pub(super) fn cached(site: &crate::site::Site, cache: Option<&super::ResolveCache>) -> Vec<Vec<BriefId>> {
    let Some(cache) = cache else { return all(&site.briefs, &site.companies, &site.tags) };
    let order = {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        site.briefs.iter().for_each(|b| b.slug.hash(&mut h));
        site.tags.iter().for_each(|t| t.slug.hash(&mut h));
        site.companies.len().hash(&mut h);
        h.finish()
    };
    let lists: Vec<(Vec<u32>, Vec<u32>)> =
        site.briefs.iter().map(|b| (b.companies.iter().map(|c| c.0).collect(), b.tags.iter().map(|t| t.0).collect())).collect();
    let kept = cache.related.lock().map(|mut k| std::mem::take(&mut *k)).unwrap_or_default();
    let mut again_count = lists.len();
    let related = if kept.order == order && kept.lists.len() == lists.len() {
        let changed: Vec<usize> = (0..lists.len()).filter(|&i| kept.lists[i] != lists[i]).collect();
        let mut related = kept.related;
        let again = reach(site, &changed, &kept.lists, &lists);
        again_count = again.len();
        for (i, r) in again.iter().zip(compute(&site.briefs, &site.companies, &site.tags, &again)) {
            related[*i] = r;
        }
        related
    } else {
        all(&site.briefs, &site.companies, &site.tags)
    };
    crate::steps::count("related briefs computed", again_count, lists.len());
    if let Ok(mut k) = cache.related.lock() {
        *k = KeptRelated { order, lists, related: related.clone() };
    }
    related
}

/// The briefs whose related briefs may differ after `changed` briefs changed lists: the
/// changed ones, and every brief within a window's reach of one in its old or new lists.
fn reach(site: &crate::site::Site, changed: &[usize], before: &[(Vec<u32>, Vec<u32>)], after: &[(Vec<u32>, Vec<u32>)]) -> Vec<usize> {
    let mut marked = vec![false; site.briefs.len()];
    for &k in changed {
        marked[k] = true;
        let companies = before[k].0.iter().chain(&after[k].0).map(|c| &site.companies[*c as usize].briefs);
        let tags = before[k].1.iter().chain(&after[k].1).map(|t| &site.tags[*t as usize].briefs);
        for list in companies.chain(tags) {
            let at = list.partition_point(|b| (b.0 as usize) < k);
            let reach = RELATED_WINDOW / 2 + 2;
            for b in &list[at.saturating_sub(reach)..(at + reach).min(list.len())] {
                marked[b.0 as usize] = true;
            }
        }
    }
    (0..marked.len()).filter(|&i| marked[i]).collect()
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
    indices
        .par_iter()
        .map(|&i| {
            SCRATCH.with_borrow_mut(|scratch| {
                if scratch.score.len() < n {
                    scratch.score = vec![0; n];
                }
                related(briefs, companies, tags, i, scratch)
            })
        })
        .collect()
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
