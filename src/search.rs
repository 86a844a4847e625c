//! The search index: static JSON files that the browser fetches piece by piece, so that a
//! query downloads a few shards instead of a whole-site index.
//!
//! `search/meta.json` lists the facets (companies, sources, statuses, years) and shards;
//! `search/t/<xy>.json` maps every term starting with `xy` to the briefs that contain it
//! (ids delta-encoded, newest first); a big shard is split by a third letter (`xyz`), and
//! a term lives in the longest shard whose key starts it; `search/d/<n>.json` holds the result lines of
//! briefs `n*CHUNK ..`. Terms come from the title, summary, body, company names and
//! aliases, source names and tags, normalised as `static/search.js` normalises queries.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::site::{paths, Site};

/// Briefs per document chunk.
pub const CHUNK: usize = 50;

/// A two-letter shard bigger than this (roughly, in bytes) is split by a third letter.
const MAX_SHARD: usize = 40_000;

/// Words too common to be worth an entry (a `match`, not a list scan: it runs per word).
fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "by"
            | "for"
            | "from"
            | "has"
            | "have"
            | "in"
            | "is"
            | "it"
            | "its"
            | "of"
            | "on"
            | "or"
            | "that"
            | "the"
            | "this"
            | "to"
            | "was"
            | "were"
            | "will"
            | "with"
    )
}

/// The whole index, built once per build.
pub struct Index {
    /// Shard key -> (term -> brief ids ascending).
    pub shards: BTreeMap<String, BTreeMap<String, Vec<u32>>>,
    /// The shard keys in order, so that shard `i` is found without walking the map.
    pub keys: Vec<String>,
}

/// Lowercase ASCII words of `text`: accents dropped, everything else a separator.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, &mut String::new(), &mut |w| out.push(w.to_string()));
    out
}

/// Calls `f` with each word of `text` (as [`words`] gives them). Runs of ASCII letters and
/// digits (nearly all words) are lowercased in `buf` byte by byte; only words with other
/// letters are transliterated.
fn for_each_word(text: &str, buf: &mut String, f: &mut impl FnMut(&str)) {
    let bytes = text.as_bytes();
    // Whether the character at byte `i` belongs to a word, and its length in bytes.
    let word_char = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 0x80 {
            return (b.is_ascii_alphanumeric(), 1);
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        (c.is_alphanumeric(), c.len_utf8())
    };
    let mut i = 0;
    while i < bytes.len() {
        let (inside, len) = word_char(i);
        if !inside {
            i += len;
            continue;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() {
            let (inside, len) = word_char(i);
            if !inside {
                break;
            }
            ascii &= len == 1;
            i += len;
        }
        let word = &text[start..i];
        if ascii {
            if word.len() >= 2 {
                buf.clear();
                buf.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                if !is_stopword(buf) {
                    f(buf);
                }
            }
        } else {
            for part in slug::slugify(word).split('-') {
                if part.len() >= 2 && !is_stopword(part) {
                    f(part);
                }
            }
        }
    }
}

/// The shard a term lives in: its first two characters.
pub fn shard_of(term: &str) -> String {
    term.chars().take(2).collect()
}

/// Text of an HTML fragment: tags and character references become spaces (they never
/// hold a searchable word).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut skip: Option<char> = None;
    for c in html.chars() {
        match (skip, c) {
            (Some('>'), '>') | (Some(';'), ';') => {
                skip = None;
                out.push(' ');
            }
            (Some(';'), c) if !c.is_alphanumeric() && c != '#' => {
                skip = None;
                out.push(' ');
                out.push(c);
            }
            (Some(_), _) => {}
            (None, '<') => skip = Some('>'),
            (None, '&') => skip = Some(';'),
            (None, c) => out.push(c),
        }
    }
    out
}

impl Index {
    /// Indexes every brief of the site.
    pub fn build(site: &Site) -> Index {
        let per_brief: Vec<ahash::AHashSet<String>> = site
            .briefs
            .par_iter()
            .map(|b| {
                let mut terms = ahash::AHashSet::new();
                let mut buf = String::new();
                let mut add = |text: &str| {
                    for_each_word(text, &mut buf, &mut |w| {
                        if !terms.contains(w) {
                            terms.insert(w.to_string());
                        }
                    })
                };
                add(&b.title);
                add(&b.summary);
                add(&strip_tags(&b.body_html));
                for c in &b.companies {
                    let c = site.company(*c);
                    add(&c.name);
                    add(c.slug.as_str());
                    c.aliases.iter().for_each(|a| add(a));
                }
                for t in &b.tags {
                    add(&site.tag(*t).name);
                }
                for c in &b.citations {
                    add(&site.source(c.source).name);
                }
                terms
            })
            .collect();
        // Merge the terms in two halves at once (by their first byte), brief by brief, so
        // that each term's list comes out in brief order.
        let half = |odd: u8| {
            let mut postings: ahash::AHashMap<&str, Vec<u32>> = ahash::AHashMap::with_capacity(1 << 15);
            for (id, terms) in per_brief.iter().enumerate() {
                for t in terms.iter().filter(|t| t.as_bytes()[0] % 2 == odd) {
                    postings.entry(t.as_str()).or_default().push(id as u32);
                }
            }
            postings
        };
        let (even, odd) = rayon::join(|| half(0), || half(1));
        let mut shards: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
        for (t, ids) in even.into_iter().chain(odd) {
            shards.entry(shard_of(t)).or_default().insert(t.to_string(), ids);
        }
        // Split the big shards by one more character, so that no query fetches much.
        let mut split: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
        for (key, terms) in shards {
            let size: usize = terms.iter().map(|(t, ids)| t.len() + 6 + ids.len() * 3).sum();
            if size <= MAX_SHARD {
                split.insert(key, terms);
                continue;
            }
            for (t, ids) in terms {
                let longer: String = t.chars().take(key.chars().count() + 1).collect();
                split.entry(longer).or_default().insert(t, ids);
            }
        }
        Index { keys: split.keys().cloned().collect(), shards: split }
    }

    /// `search/t/<key>.json`: `{"term": [first id, gap, gap, ...]}`.
    pub fn shard_json(&self, key: &str) -> Vec<u8> {
        let empty = BTreeMap::new();
        let terms = self.shards.get(key).unwrap_or(&empty);
        let encoded: BTreeMap<&str, Vec<u32>> = terms
            .iter()
            .map(|(t, ids)| {
                let mut prev = 0;
                let gaps = ids
                    .iter()
                    .map(|&id| {
                        let g = id - prev;
                        prev = id;
                        g
                    })
                    .collect();
                (t.as_str(), gaps)
            })
            .collect();
        serde_json::to_vec(&encoded).unwrap_or_default()
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    /// Number of briefs.
    n: usize,
    /// Briefs per document chunk.
    chunk: usize,
    /// Shards that exist.
    shards: Vec<&'a str>,
    /// `[slug, name]` of every company, by index.
    companies: Vec<[&'a str; 2]>,
    /// `[slug, name]` of every source, by index.
    sources: Vec<[&'a str; 2]>,
    /// Statuses in use.
    statuses: Vec<&'static str>,
    /// Years with briefs, newest first.
    years: Vec<i32>,
}

/// `search/meta.json`.
pub fn meta_json(site: &Site, index: &Index) -> Vec<u8> {
    use chrono::Datelike;
    let mut years: Vec<i32> = site.briefs.iter().map(|b| b.date.day().year()).collect::<BTreeSet<_>>().into_iter().collect();
    years.reverse();
    let statuses: BTreeSet<&'static str> = site.briefs.iter().filter_map(|b| b.status.map(|s| s.as_str())).collect();
    let meta = Meta {
        n: site.briefs.len(),
        chunk: CHUNK,
        shards: index.keys.iter().map(String::as_str).collect(),
        companies: site.companies.iter().map(|c| [c.slug.as_str(), c.name.as_str()]).collect(),
        sources: site.sources.iter().map(|s| [s.slug.as_str(), s.name.as_str()]).collect(),
        statuses: statuses.into_iter().collect(),
        years,
    };
    serde_json::to_vec(&meta).unwrap_or_default()
}

/// `search/d/<n>.json`: `[[title, url, date, status, summary, [company index], [source index]], ...]`.
pub fn docs_json(site: &Site, chunk: usize) -> Vec<u8> {
    let base = site.config.base_path();
    let start = chunk * CHUNK;
    let end = (start + CHUNK).min(site.briefs.len());
    let company_index: std::collections::HashMap<&str, usize> =
        site.companies.iter().enumerate().map(|(i, c)| (c.slug.as_str(), i)).collect();
    let source_index: std::collections::HashMap<&str, usize> = site.sources.iter().enumerate().map(|(i, s)| (s.slug.as_str(), i)).collect();
    let docs: Vec<serde_json::Value> = site.briefs[start.min(end)..end]
        .iter()
        .map(|b| {
            let summary: String = b.summary.chars().take(180).collect();
            let companies: Vec<usize> =
                b.companies.iter().filter_map(|c| company_index.get(site.company(*c).slug.as_str()).copied()).collect();
            let mut sources: Vec<usize> =
                b.citations.iter().filter_map(|c| source_index.get(site.source(c.source).slug.as_str()).copied()).collect();
            sources.dedup();
            serde_json::json!([
                b.title,
                format!("{base}{}", paths::brief(b.slug.as_str())),
                b.date.day().to_string(),
                b.status.map(|s| s.as_str()).unwrap_or(""),
                summary,
                companies,
                sources
            ])
        })
        .collect();
    serde_json::to_vec(&docs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_accents_and_stopwords() {
        let w: Vec<String> = words("The Zürich-based AI lab's GPT-4 launch");
        assert_eq!(w, ["zurich", "based", "ai", "lab", "gpt", "launch"]);
        assert_eq!(shard_of("zurich"), "zu");
    }

    #[test]
    fn tags_and_references_are_stripped() {
        assert_eq!(strip_tags("<p>A &amp; <a href=\"x\">B</a>&#39;s</p>").split_whitespace().collect::<Vec<_>>(), ["A", "B", "s"]);
    }
}
