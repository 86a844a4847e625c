//! Content files known unchanged without reading them (`.briefing-cache/files`): for each
//! file the last build read, its stamp (size, modification and change times, inode) and
//! what reading it gave that the next build needs (the key of its front matter in
//! [`super::frontcache`], the hash of its body, where its parts are). A file whose stamp is
//! the same is not read: its front matter comes from the front-matter cache, its body from
//! the kept bodies, and its text is read only if something asks for it (a message, a body
//! rendered again). Reading 11,000 files was a seventh of a build into a new folder.
//!
//! As git does with its index: a file changed within two seconds before the build started
//! is not recorded (a change in the same tick of the clock would leave its stamp as it
//! was), and the change time, which no program can set back, is part of the stamp.
//!
//! One file: the [`header`] (format, program), then each entry, then an XXH3-128 hash of
//! all of it; a file cut short, changed by hand or of another program is not read.

use std::fs::Metadata;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use ahash::AHashMap as HashMap;

use crate::content::cachefile::{header, replace, unseal, ReadBeside};

/// Bump when the file's layout changes.
const FORMAT: &[u8] = b"briefing-files 2\n";

/// Changes this close before the build started are not trusted to show in a stamp.
const SETTLE_NS: i128 = 2_000_000_000;

/// What identifies a file's contents without reading them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Stamp {
    len: u64,
    modified: i128,
    changed: i128,
    inode: u64,
}

impl Stamp {
    /// The stamp of a file with these metadata.
    pub fn of(meta: &Metadata) -> Stamp {
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Stamp { len: meta.len(), modified: ns(meta.mtime(), meta.mtime_nsec()), changed: ns(meta.ctime(), meta.ctime_nsec()), inode: meta.ino() }
    }
}

/// What reading a file gave that a build needs without its text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Known {
    /// The key of its front matter in the front-matter cache.
    pub front: [u8; 16],
    /// The XXH3-128 hash of its body.
    pub body: [u8; 16],
    /// Where its YAML starts, how long it is, where its body starts, and where in the body
    /// the placeholder of `briefing new` starts (`u64::MAX`: nowhere).
    pub parts: [u64; 4],
}

type Entries = HashMap<String, (Stamp, Known)>;

/// The files the last build read, and those of this one.
pub struct Stamps {
    path: PathBuf,
    write: bool,
    reading: ReadBeside<Entries>,
    old: OnceLock<Entries>,
    now: Mutex<Vec<(String, Stamp, Known)>>,
    /// Whether an entry of this build is not one read.
    added: AtomicBool,
    /// Files changed at or after this time (ns since 1970) are not recorded.
    settled_before: i128,
}

impl Stamps {
    /// The stamps kept in the cache of the site at `root` (none read with `fresh`); `write`
    /// says whether [`Stamps::finish`] writes this build's.
    pub fn open(root: &Path, fresh: bool, write: bool) -> Stamps {
        let path = root.join(crate::content::model::CACHE_DIR).join("files");
        let reading = ReadBeside::start(path.clone(), fresh, read);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
        let (old, added) = (OnceLock::new(), AtomicBool::new(false));
        Stamps { path, write, reading, old, now: Mutex::default(), added, settled_before: now - SETTLE_NS }
    }

    /// What reading the file at `rel` gave, when its stamp is still `stamp`.
    pub fn known(&self, rel: &str, stamp: Stamp) -> Option<Known> {
        let old = self.old.get_or_init(|| self.reading.wait().unwrap_or_default());
        old.get(rel).filter(|(was, _)| *was == stamp).map(|(_, known)| *known)
    }

    /// Notes that this build used what [`Stamps::known`] gave for `rel`.
    pub fn used(&self, rel: &str, stamp: Stamp, known: Known) {
        self.note(rel, stamp, known, false);
    }

    /// Records what reading the file at `rel` gave, unless it changed too recently for its
    /// stamp to show a later change.
    pub fn read(&self, rel: &str, stamp: Stamp, known: Known) {
        if stamp.modified < self.settled_before && stamp.changed < self.settled_before {
            self.note(rel, stamp, known, true);
        }
    }

    fn note(&self, rel: &str, stamp: Stamp, known: Known, added: bool) {
        if !self.write {
            return;
        }
        if added {
            self.added.store(true, Ordering::Relaxed);
        }
        if let Ok(mut now) = self.now.lock() {
            now.push((rel.to_string(), stamp, known));
        }
    }

    /// Ends the load: writes this build's stamps (best effort) unless they are the ones read.
    pub fn finish(&self) {
        let mut now = self.now.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default();
        let read = self.old.get().map_or(0, |old| old.len());
        if !self.write || (!self.added.load(Ordering::Relaxed) && now.len() == read) {
            return;
        }
        now.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let _ = replace(&self.path, |tmp| write(tmp, &now));
    }
}

fn write(path: &Path, entries: &[(String, Stamp, Known)]) -> std::io::Result<()> {
    let mut out = header(FORMAT);
    for (rel, s, k) in entries {
        out.extend_from_slice(&(rel.len() as u32).to_le_bytes());
        out.extend_from_slice(rel.as_bytes());
        for n in [s.len, s.inode].into_iter().chain(k.parts) {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(&s.modified.to_le_bytes());
        out.extend_from_slice(&s.changed.to_le_bytes());
        out.extend_from_slice(&k.front);
        out.extend_from_slice(&k.body);
    }
    let hash = xxhash_rust::xxh3::xxh3_128(&out).to_le_bytes();
    let mut file = std::fs::File::create(path)?;
    file.write_all(&out)?;
    file.write_all(&hash)
}

fn read(path: &Path) -> Option<Entries> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.read_to_end(&mut bytes).ok()?;
    let mut c = unseal(FORMAT, &bytes)?;
    let mut entries = HashMap::default();
    while !c.is_empty() {
        let n = c.u32()? as usize;
        let rel = std::str::from_utf8(c.take(n)?).ok()?.to_string();
        let mut u64 = || Some(u64::from_le_bytes(c.take(8)?.try_into().ok()?));
        let [len, inode, a, b, d, e] = [u64()?, u64()?, u64()?, u64()?, u64()?, u64()?];
        let mut i128 = || Some(i128::from_le_bytes(c.take(16)?.try_into().ok()?));
        let (modified, changed) = (i128()?, i128()?);
        let mut hash = || c.take(16)?.try_into().ok();
        let known = Known { front: hash()?, body: hash()?, parts: [a, b, d, e] };
        entries.insert(rel, (Stamp { len, modified, changed, inode }, known));
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_known_while_its_stamp_is_the_same_and_only_when_it_settled() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, "---\ntitle: A\n---\nBody.\n").unwrap();
        let known = Known { front: [1; 16], body: [2; 16], parts: [4, 9, 17, u64::MAX] };
        let stamps = Stamps::open(dir.path(), false, true);
        let now = Stamp::of(&std::fs::metadata(&file).unwrap());
        stamps.read("briefs/now.md", now, known);
        // As if written a minute ago (no program can set a change time back).
        let minute = 60 * 1_000_000_000;
        let stamp = Stamp { modified: now.modified - minute, changed: now.changed - minute, ..now };
        assert_eq!(stamps.known("briefs/a.md", stamp), None, "nothing kept yet");
        stamps.read("briefs/a.md", stamp, known);
        stamps.read("briefs/c.md", stamp, known);
        // Changed a moment ago: a change in the same tick would not show.
        let recent = Stamp { modified: stamps.settled_before + 1, ..stamp };
        stamps.read("briefs/b.md", recent, known);
        stamps.finish();

        let next = Stamps::open(dir.path(), false, true);
        assert_eq!(next.known("briefs/a.md", stamp), Some(known));
        assert_eq!(next.known("briefs/c.md", stamp), Some(known));
        next.used("briefs/c.md", stamp, known);
        next.finish();
        let after = Stamps::open(dir.path(), false, true);
        assert_eq!(after.known("briefs/c.md", stamp), Some(known), "what a build used is kept");
        assert_eq!(after.known("briefs/a.md", stamp), None, "what it did not use (a file deleted) is not");
        assert_eq!(after.known("briefs/b.md", recent), None, "a recent change is not trusted");
        assert_eq!(next.known("briefs/now.md", now), None, "nor a file written as the build started");
        assert_eq!(after.known("briefs/c.md", Stamp { len: 99, ..stamp }), None);
        assert_eq!(after.known("briefs/c.md", Stamp { changed: stamp.changed + 1, ..stamp }), None);
        assert_eq!(after.known("briefs/c.md", Stamp { inode: stamp.inode + 1, ..stamp }), None);
        assert_eq!(Stamps::open(dir.path(), true, true).known("briefs/c.md", stamp), None, "--no-cache reads nothing");

        // A damaged file is not read.
        let path = dir.path().join(".briefing-cache/files");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(Stamps::open(dir.path(), false, true).known("briefs/c.md", stamp), None);
    }
}
