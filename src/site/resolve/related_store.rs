//! Related briefs kept between builds on disk (`.briefing-cache/related`): a build whose
//! briefs name the same companies and tags, in the same order and at the same times, reads
//! every brief's related briefs instead of computing them again.
//!
//! One file: a format line, the program that wrote it, the key of what the related briefs
//! were computed from ([`inputs_key`]), each brief's related briefs (a count, then their
//! indexes), and an XXH3-128 hash of all of it. A file written by another program, cut
//! short or changed by hand is not read.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use xxhash_rust::xxh3::{xxh3_128, Xxh3};

use crate::content::cachefile::{header, replace, unseal, ReadBeside};
use crate::site::{Brief, BriefId, Company, Tag};

/// Bump when the file's layout changes.
const FORMAT: &[u8] = b"briefing-related 2\n";

/// The file's name in `.briefing-cache/`.
const NAME: &str = "related";

/// The key of the related briefs' inputs, and each brief's related briefs.
type Lists = (u128, Vec<Vec<u32>>);

/// The related briefs the last build kept, and those of this one, to write back.
pub struct RelatedStore {
    path: PathBuf,
    write: bool,
    reading: ReadBeside<Lists>,
    read: OnceLock<Option<Lists>>,
    /// This build's, when they differ from those read.
    this_build: Mutex<Option<Lists>>,
}

impl RelatedStore {
    /// The related briefs kept in the cache of the site at `root` (none with `fresh`);
    /// `write` says whether [`RelatedStore::save`] writes this build's back.
    pub fn open(root: &Path, fresh: bool, write: bool) -> RelatedStore {
        let path = root.join(crate::content::model::CACHE_DIR).join(NAME);
        let reading = ReadBeside::start(path.clone(), fresh, read);
        RelatedStore { path, write, reading, read: OnceLock::new(), this_build: Mutex::new(None) }
    }

    /// Every brief's related briefs: those kept when they were computed from the same
    /// inputs (`key`), else what `compute` gives, kept for the next build.
    pub(super) fn get_or(&self, key: u128, briefs: usize, compute: impl FnOnce() -> Vec<Vec<BriefId>>) -> Vec<Vec<BriefId>> {
        let kept = self.read.get_or_init(|| self.reading.wait());
        if let Some((_, lists)) = kept.as_ref().filter(|(k, lists)| *k == key && lists.len() == briefs) {
            if lists.iter().flatten().all(|b| (*b as usize) < briefs) {
                crate::steps::count("related briefs computed", 0, briefs);
                return lists.iter().map(|l| l.iter().map(|b| BriefId(*b)).collect()).collect();
            }
        }
        let related = compute();
        crate::steps::count("related briefs computed", briefs, briefs);
        if self.write {
            let lists = related.iter().map(|l| l.iter().map(|b| b.0).collect()).collect();
            if let Ok(mut now) = self.this_build.lock() {
                *now = Some((key, lists));
            }
        }
        related
    }

    /// Writes this build's related briefs when they were computed (best effort).
    pub fn save(&self) {
        let now = self.this_build.lock().ok().and_then(|mut n| n.take());
        if let Some(lists) = now {
            let _ = replace(&self.path, |tmp| std::fs::write(tmp, encode(&lists)));
        }
    }
}

/// The key of everything [`super::related`] reads: each brief's time, companies and tags,
/// and each company's and tag's briefs, in order (each list preceded by its length).
pub(super) fn inputs_key(briefs: &[Brief], companies: &[Company], tags: &[Tag], times: &[i64]) -> u128 {
    fn list(h: &mut Xxh3, ids: impl ExactSizeIterator<Item = u32>) {
        h.update(&(ids.len() as u64).to_le_bytes());
        ids.for_each(|i| h.update(&i.to_le_bytes()));
    }
    let mut h = Xxh3::new();
    h.update(&(times.len() as u64).to_le_bytes());
    times.iter().for_each(|t| h.update(&t.to_le_bytes()));
    for b in briefs {
        list(&mut h, b.companies.iter().map(|c| c.0));
        list(&mut h, b.tags.iter().map(|t| t.0));
    }
    h.update(&(companies.len() as u64).to_le_bytes());
    h.update(&(tags.len() as u64).to_le_bytes());
    for l in companies.iter().map(|c| &c.briefs).chain(tags.iter().map(|t| &t.briefs)) {
        list(&mut h, l.iter().map(|b| b.0));
    }
    h.digest128()
}

fn encode((key, lists): &Lists) -> Vec<u8> {
    let mut out = header(FORMAT);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(lists.len() as u32).to_le_bytes());
    for l in lists {
        out.extend_from_slice(&(l.len() as u32).to_le_bytes());
        l.iter().for_each(|b| out.extend_from_slice(&b.to_le_bytes()));
    }
    let hash = xxh3_128(&out).to_le_bytes();
    out.extend_from_slice(&hash);
    out
}

/// Reads the file, or nothing when it is not whole and of this program.
fn read(path: &Path) -> Option<Lists> {
    decode(&std::fs::read(path).ok()?)
}

fn decode(bytes: &[u8]) -> Option<Lists> {
    let mut c = unseal(FORMAT, bytes)?;
    let key = u128::from_le_bytes(c.take(16)?.try_into().ok()?);
    let n = c.u32()?;
    let mut lists = Vec::with_capacity(n.min(1 << 24) as usize);
    for _ in 0..n {
        let len = c.u32()? as usize;
        let ids = c.take(len.checked_mul(4)?)?;
        lists.push(ids.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect());
    }
    c.is_empty().then_some((key, lists))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_nothing_else_does() {
        let lists: Lists = (7, vec![vec![1, 2], vec![], vec![0]]);
        let bytes = encode(&lists);
        assert_eq!(decode(&bytes), Some(lists));
        for cut in [0, 1, FORMAT.len(), bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut changed = bytes.clone();
        changed[bytes.len() - 20] ^= 1;
        assert_eq!(decode(&changed), None, "a changed byte");
    }
}
