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

/// Words too common to be worth an entry.
const STOPWORDS: [&str; 27] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that",
    "the", "this", "to", "was", "were", "will", "with",
];

/// [`STOPWORDS`], packed (see [`pack`]).
const PACKED_STOPWORDS: [u128; 27] = {
    let mut out = [0u128; 27];
    let mut i = 0;
    while i < STOPWORDS.len() {
        out[i] = pack_short(STOPWORDS[i].as_bytes());
        i += 1;
    }
    out
};

/// A term: its bytes packed in a `u128` when it has at most 16 (nearly always), which
/// hashes and compares in a few instructions; otherwise its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Term<'a> {
    Short(u128),
    Long(&'a str),
}

/// Up to 16 bytes, little-endian, zero-padded (a term never holds a zero byte).
const fn pack_short(b: &[u8]) -> u128 {
    let mut k = 0u128;
    let mut i = 0;
    while i < b.len() && i < 16 {
        k |= (b[i] as u128) << (8 * i);
        i += 1;
    }
    k
}

/// The term for a lowercase word.
#[cfg(test)]
fn pack(word: &str) -> Term<'_> {
    if word.len() <= 16 {
        Term::Short(pack_short(word.as_bytes()))
    } else {
        Term::Long(word)
    }
}

/// The text of a packed term.
fn unpack(key: u128) -> String {
    let k = key.to_le_bytes();
    let len = k.iter().position(|&b| b == 0).unwrap_or(16);
    String::from_utf8_lossy(&k[..len]).into_owned()
}

/// Lowercase of each ASCII letter or digit; 0 for every other byte.
const WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

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
    for_each_term(text, &mut String::new(), &mut |t| {
        out.push(match t {
            Term::Short(k) => unpack(k),
            Term::Long(w) => w.to_string(),
        })
    });
    out
}

/// Whether `c` is written without spaces between words (Chinese, Japanese) or is Korean:
/// such text is indexed by pairs of characters (bigrams), not by words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x2FA1F)
}

/// The terms of a run of CJK characters: each pair of neighbours (a lone character is a
/// term of its own), so that a query's pairs find the text whatever its word breaks.
fn cjk_terms(run: &str, f: &mut impl FnMut(Term<'_>)) {
    let chars: Vec<(usize, char)> = run.char_indices().collect();
    if chars.len() == 1 {
        f(Term::Short(pack_short(run.as_bytes())));
        return;
    }
    for w in chars.windows(2) {
        let (start, end) = (w[0].0, w[1].0 + w[1].1.len_utf8());
        let pair = &run[start..end];
        f(if pair.len() <= 16 { Term::Short(pack_short(pair.as_bytes())) } else { Term::Long(pair) });
    }
}

/// Calls `f` with each term of `text` (as [`words`] gives them): runs of letters and
/// digits, lowercased, at least two bytes long, stopwords left out; and the character
/// pairs of Chinese, Japanese and Korean text ([`cjk_terms`]). Runs of ASCII (nearly all
/// words) are packed as they are; only words with other letters are transliterated (`buf`
/// holds the rare words longer than 16 bytes).
fn for_each_term(text: &str, buf: &mut String, f: &mut impl FnMut(Term<'_>)) {
    let bytes = text.as_bytes();
    // The character at byte `i` (not ASCII): whether it belongs to a word (CJK characters
    // do not: they make terms of their own), and its length.
    let other = |i: usize| -> (bool, usize) {
        let c = text[i..].chars().next().unwrap_or(' ');
        (c.is_alphanumeric() && !is_cjk(c), c.len_utf8())
    };
    let cjk_at = |i: usize| text[i..].chars().next().is_some_and(is_cjk);
    // A word of `len` bytes, packed in `key` (`word` is read only when it does not fit).
    fn emit(key: u128, len: usize, word: &str, f: &mut impl FnMut(Term<'_>)) {
        if len > 16 {
            f(Term::Long(word));
        } else if len >= 2 && (len > 4 || !PACKED_STOPWORDS.contains(&key)) {
            f(Term::Short(key));
        }
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if WORD_BYTE[b as usize] == 0 {
            if b < 0x80 {
                i += 1;
                continue;
            }
            if cjk_at(i) {
                let start = i;
                while i < bytes.len() && bytes[i] >= 0x80 && cjk_at(i) {
                    i += text[i..].chars().next().map_or(1, char::len_utf8);
                }
                cjk_terms(&text[start..i], f);
                continue;
            }
            let (inside, len) = other(i);
            if !inside {
                i += len;
                continue;
            }
        }
        let start = i;
        // A run of ASCII letters and digits (nearly every word): lowercasing is setting
        // bit 5 (digits have it already), so its key is its bytes read at once, masked to
        // its length.
        while i < bytes.len() && WORD_BYTE[bytes[i] as usize] != 0 {
            i += 1;
        }
        if i > start && (i == bytes.len() || bytes[i].is_ascii() || !other(i).0) {
            let len = i - start;
            if len <= 16 {
                let mut raw = [0u8; 16];
                match bytes.get(start..start + 16) {
                    Some(sixteen) => raw.copy_from_slice(sixteen),
                    None => raw[..len].copy_from_slice(&bytes[start..i]),
                }
                let mask = if len == 16 { u128::MAX } else { (1u128 << (8 * len)) - 1 };
                let key = (u128::from_le_bytes(raw) | 0x2020_2020_2020_2020_2020_2020_2020_2020) & mask;
                emit(key, len, "", f);
            } else {
                buf.clear();
                buf.push_str(&text[start..i]);
                buf.make_ascii_lowercase();
                emit(0, len, buf, f);
            }
            continue;
        }
        // A word with letters beyond ASCII: to its end, then transliterated.
        while i < bytes.len() {
            let b = bytes[i];
            if WORD_BYTE[b as usize] != 0 {
                i += 1;
            } else if b < 0x80 {
                break;
            } else {
                let (inside, n) = other(i);
                if !inside {
                    break;
                }
                i += n;
            }
        }
        for part in slug::slugify(&text[start..i]).split('-') {
            emit(pack_short(part.as_bytes()), part.len(), part, f);
        }
    }
}

/// The shard a term lives in: its first two characters (its first, for a CJK pair).
pub fn shard_of(term: &str) -> String {
    let n = if term.chars().next().is_some_and(is_cjk) { 1 } else { 2 };
    term.chars().take(n).collect()
}

/// Text of an HTML fragment: tags and character references become spaces (they never
/// hold a searchable word). Works on bytes: `<`, `>`, `&` and `;` never occur inside a
/// multi-byte UTF-8 character, so what is copied is always whole characters.
fn strip_tags(html: &str, out: &mut String) {
    out.clear();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let Some(at) = memchr::memchr2(b'<', b'&', &bytes[i..]) else {
            out.push_str(&html[i..]);
            break;
        };
        out.push_str(&html[i..i + at]);
        out.push(' ');
        i += at;
        if bytes[i] == b'<' {
            i = memchr::memchr(b'>', &bytes[i..]).map_or(bytes.len(), |end| i + end + 1);
        } else {
            // A reference runs over letters, digits and `#` up to `;`; anything else ends it.
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'#') {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b';' {
                i += 1;
            }
        }
    }
}

/// Term -> brief ids, ascending, for a run of consecutive briefs. Terms of up to 16 bytes
/// (nearly all) are keyed by their bytes packed in a `u128`, which hashes and compares in
/// a few instructions; longer ones by their text.
#[derive(Default)]
struct Postings {
    short: rustc_hash::FxHashMap<u128, Vec<u32>>,
    long: ahash::AHashMap<String, Vec<u32>>,
}

/// Appends `id` to a term's list unless this brief already gave the term (ids arrive in order).
fn push_once(ids: &mut Vec<u32>, id: u32) {
    if ids.last() != Some(&id) {
        ids.push(id);
    }
}

impl Postings {
    /// Adds brief `id`'s terms from `text`.
    fn add(&mut self, id: u32, text: &str, buf: &mut String) {
        for_each_term(text, buf, &mut |t| match t {
            Term::Short(k) => push_once(self.short.entry(k).or_default(), id),
            Term::Long(w) => match self.long.get_mut(w) {
                Some(ids) => push_once(ids, id),
                None => {
                    self.long.insert(w.to_string(), vec![id]);
                }
            },
        });
    }

    /// Appends `later`, which holds only briefs after this one's.
    fn append(mut self, later: Postings) -> Postings {
        for (k, ids) in later.short {
            self.short.entry(k).or_default().extend(ids);
        }
        for (t, ids) in later.long {
            self.long.entry(t).or_default().extend(ids);
        }
        self
    }

    /// Every term with its list.
    fn into_terms(self) -> impl Iterator<Item = (String, Vec<u32>)> {
        self.short.into_iter().map(|(k, ids)| (unpack(k), ids)).chain(self.long)
    }
}

/// The words of each entity's names (name, slug, aliases), made once rather than once per
/// brief.
struct Names {
    companies: Vec<String>,
    people: Vec<String>,
    products: Vec<String>,
}

impl Names {
    fn of(site: &Site) -> Names {
        let names = |e: &crate::site::Entity| {
            let mut t = format!("{} {}", e.name, e.slug.as_str());
            e.aliases.iter().for_each(|a| {
                t.push(' ');
                t.push_str(a);
            });
            t
        };
        Names {
            companies: site.companies.iter().map(|c| names(c)).collect(),
            people: site.people.iter().map(|p| names(p)).collect(),
            products: site.products.iter().map(|p| names(p)).collect(),
        }
    }
}

/// What the index reads of brief `b`: its body's HTML, and its other texts (title, summary,
/// the names of what it names, its tags and its sources). The index and [`inputs_key`] both
/// read through here, so the key covers exactly what the index is made of.
fn brief_texts<'a>(site: &'a Site, names: &'a Names, b: &'a crate::site::Brief) -> (&'a str, impl Iterator<Item = &'a str>) {
    let plain = [b.title.as_str(), b.summary.as_str()]
        .into_iter()
        .chain(b.companies.iter().map(|c| names.companies[c.0 as usize].as_str()))
        .chain(b.tags.iter().map(|t| site.tag(*t).name.as_str()))
        .chain(b.people.iter().map(|p| names.people[p.0 as usize].as_str()))
        .chain(b.products.iter().map(|p| names.products[p.0 as usize].as_str()))
        .chain(b.citations.iter().map(|c| site.source(c.source).name.as_str()));
    (&b.body_html, plain)
}

/// The key of everything the index is made of, in brief order, and of the program making
/// it: two builds with the same key make the same shards (so a build can know them without
/// indexing anything).
pub fn inputs_key(site: &Site) -> String {
    let names = Names::of(site);
    let per_brief: Vec<u128> = (site.briefs.par_iter().with_min_len(256))
        .map(|b| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            let (html, plain) = brief_texts(site, &names, b);
            for t in std::iter::once(html).chain(plain) {
                h.update(&(t.len() as u64).to_le_bytes());
                h.update(t.as_bytes());
            }
            h.digest128()
        })
        .collect();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(crate::content::model::program_stamp().as_bytes());
    per_brief.iter().for_each(|k| h.update(&k.to_le_bytes()));
    format!("{:032x}", h.digest128())
}

impl Index {
    /// Indexes every brief of the site. Each thread indexes runs of consecutive briefs into
    /// its own map; the maps are then joined in brief order, so no list needs sorting.
    pub fn build(site: &Site) -> Index {
        let names = Names::of(site);
        let postings = site
            .briefs
            .par_iter()
            .enumerate()
            .with_min_len(256)
            .fold(
                || (Postings::default(), String::new(), String::new()),
                |(mut postings, mut buf, mut text), (id, b)| {
                    let id = id as u32;
                    let (html, plain) = brief_texts(site, &names, b);
                    strip_tags(html, &mut text);
                    postings.add(id, &text, &mut buf);
                    plain.for_each(|t| postings.add(id, t, &mut buf));
                    (postings, buf, text)
                },
            )
            .map(|(postings, _, _)| postings)
            .reduce(Postings::default, Postings::append);
        let mut shards: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
        for (t, ids) in postings.into_terms() {
            shards.entry(shard_of(&t)).or_default().insert(t, ids);
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
    /// `[slug, name]` of every person, by index.
    people: Vec<[&'a str; 2]>,
    /// `[slug, name]` of every product, by index.
    products: Vec<[&'a str; 2]>,
    /// Statuses in use.
    statuses: Vec<&'static str>,
    /// Years with briefs, newest first.
    years: Vec<i32>,
}

/// `search/meta.json`.
pub fn meta_json(site: &Site, shards: &[String]) -> Vec<u8> {
    use chrono::Datelike;
    let mut years: Vec<i32> = site.briefs.iter().map(|b| b.date.day().year()).collect::<BTreeSet<_>>().into_iter().collect();
    years.reverse();
    let statuses: BTreeSet<&'static str> = site.briefs.iter().filter_map(|b| b.status.map(|s| s.as_str())).collect();
    let meta = Meta {
        n: site.briefs.len(),
        chunk: CHUNK,
        shards: shards.iter().map(String::as_str).collect(),
        companies: site.companies.iter().map(|c| [c.slug.as_str(), c.name.as_str()]).collect(),
        sources: site.sources.iter().map(|s| [s.slug.as_str(), s.name.as_str()]).collect(),
        people: site.people.iter().map(|p| [p.slug.as_str(), p.name.as_str()]).collect(),
        products: site.products.iter().map(|p| [p.slug.as_str(), p.name.as_str()]).collect(),
        statuses: statuses.into_iter().collect(),
        years,
    };
    serde_json::to_vec(&meta).unwrap_or_default()
}

/// `search/d/<n>.json`: `[[title, url, date, status, summary, [company index], [source index],
/// [person index], [product index]], ...]` (the last two only when the brief names some).
pub fn docs_json(site: &Site, chunk: usize) -> Vec<u8> {
    let views = crate::render::views::Views::new(site);
    let start = chunk * CHUNK;
    let end = (start + CHUNK).min(site.briefs.len());
    let docs: Vec<serde_json::Value> = site.briefs[start.min(end)..end]
        .iter()
        .map(|b| {
            let summary: String = b.summary.chars().take(180).collect();
            // A company's or source's id is its position in `meta.json`'s lists.
            let companies: Vec<u32> = b.companies.iter().map(|c| c.0).collect();
            let mut sources: Vec<u32> = b.citations.iter().map(|c| c.source.0).collect();
            sources.dedup();
            let mut line = serde_json::json!([
                b.title,
                views.url(&paths::brief(b.slug.as_str())),
                b.date.day().to_string(),
                b.status.map(|s| s.as_str()).unwrap_or(""),
                summary,
                companies,
                sources
            ]);
            // People and products only where a brief names some, so that sites without
            // them pay nothing.
            if let (Some(l), false) = (line.as_array_mut(), b.people.is_empty() && b.products.is_empty()) {
                l.push(b.people.iter().map(|p| p.0).collect::<Vec<u32>>().into());
                l.push(b.products.iter().map(|p| p.0).collect::<Vec<u32>>().into());
            }
            line
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
    fn terms_are_the_lowercase_runs_of_letters_and_digits() {
        // Against the plain definition, on every prefix of a text with every kind of
        // boundary: runs of 1 to 20 bytes, at the end, by punctuation and by non-ASCII letters.
        let reference = |text: &str| -> Vec<String> {
            text.split(|c: char| !c.is_alphanumeric())
                .flat_map(|w| slug::slugify(w).split('-').map(str::to_string).collect::<Vec<_>>())
                .filter(|w| w.len() >= 2 && !STOPWORDS.contains(&w.as_str()))
                .collect()
        };
        let text = "A bB CcC 1234 x9Y0 ABCDEFGHIJKLMNOP abcdefghijklmnopq Seventeen1234567 \
                    end,comma;semi (paren) café naïve-Zürich 42nd MiXeD-case über x the";
        for end in (0..=text.len()).filter(|e| text.is_char_boundary(*e)) {
            assert_eq!(words(&text[..end]), reference(&text[..end]), "{:?}", &text[..end]);
        }
    }

    #[test]
    fn chinese_and_japanese_are_indexed_by_pairs() {
        assert_eq!(words("DeepSeek深度求索 released"), ["deepseek", "深度", "度求", "求索", "released"]);
        assert_eq!(words("「生成AI」の規制"), ["生成", "ai", "の規", "規制"]);
        assert_eq!(words("中 and 国"), ["中", "国"]);
        assert_eq!(shard_of("深度"), "深");
        assert_eq!(shard_of("deepseek"), "de");
    }

    #[test]
    fn terms_pack_and_unpack() {
        for t in ["ai", "zurich", "sixteen-bytes-xx"] {
            assert_eq!(pack(t), Term::Short(pack_short(t.as_bytes())));
            assert_eq!(unpack(pack_short(t.as_bytes())), t);
        }
        assert_eq!(pack("seventeen-bytes-x"), Term::Long("seventeen-bytes-x"));
    }

    #[test]
    fn tags_and_references_are_stripped() {
        let mut out = String::new();
        strip_tags("<p>A &amp; <a href=\"x\">B</a>&#39;s Zürich</p>", &mut out);
        assert_eq!(out.split_whitespace().collect::<Vec<_>>(), ["A", "B", "s", "Zürich"]);
    }
}
