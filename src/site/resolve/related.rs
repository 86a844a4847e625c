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

/// Every brief's related briefs, from `cache` when no brief's companies, tags or place in
/// time changed since it was filled (`serve` keeps one: a body edit changes none of them).
pub(super) fn cached(site: &crate::site::Site, cache: Option<&super::ResolveCache>) -> Vec<Vec<BriefId>> {
    let Some(cache) = cache else { return all(&site.briefs, &site.companies, &site.tags) };
    let key = {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        for b in &site.briefs {
            (b.companies.iter().map(|c| c.0).collect::<Vec<u32>>(), b.tags.iter().map(|t| t.0).collect::<Vec<u32>>()).hash(&mut h);
        }
        site.tags.len().hash(&mut h);
        h.finish()
    };
    if let Ok(kept) = cache.related.lock() {
        if kept.0 == key && kept.1.len() == site.briefs.len() {
            return kept.1.clone();
        }
    }
    let fresh = all(&site.briefs, &site.companies, &site.tags);
    if let Ok(mut kept) = cache.related.lock() {
        *kept = (key, fresh.clone());
    }
    fresh
}

/// Every brief's related briefs, best first (in parallel).
pub(super) fn all(briefs: &[Brief], companies: &[Company], tags: &[Tag]) -> Vec<Vec<BriefId>> {
    let n = briefs.len();
    // One scratch per thread: rayon's `map_init` would make one per job, and jobs grow in
    // number with the site, so their zeroed score arrays would grow as its square.
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch { score: Vec::new(), touched: Vec::new() }) };
    }
    (0..n)
        .into_par_iter()
        .map(|i| {
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
