//! Front matter kept between builds (`.briefing-cache/front`): YAML is the slowest part of
//! reading ten thousand briefs, so each front matter read without a problem is kept, as
//! JSON of what it gave, under a hash of its YAML text; the next build reads the JSON when
//! the text is the same.
//!
//! One file: a format line, the program that wrote it, then each entry (the hash and the
//! JSON), and an XXH3-128 hash of all of it. A file written by another program, cut short or
//! changed by hand is not read. Front matter with `extra` fields is not kept: YAML's values
//! (keys that are numbers, tags) do not all come back the same through JSON.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once, RwLock};

use ahash::AHashMap as HashMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::content::cachefile::{replace, ReadBeside};
use crate::content::diag::Diagnostic;
use crate::content::frontmatter::*;

/// Bump when the file's layout changes.
const FORMAT: &[u8] = b"briefing-front 2\n";

/// A front matter's key: an XXH3-128 hash of its type and YAML text.
pub type Key = [u8; 16];
type Entries = HashMap<Key, Box<[u8]>>;
/// An entry of this build: its JSON when it is not one read.
type Noted = (Key, Option<Box<[u8]>>);

/// Front matter that can be kept: what it gave comes back the same through JSON.
pub trait Front: DeserializeOwned + Serialize {
    /// Whether this one can be kept (it has no `extra` fields).
    fn plain(&self) -> bool;
}

macro_rules! front {
    ($($t:ty),*) => {$(
        impl Front for $t {
            fn plain(&self) -> bool {
                self.extra.is_empty()
            }
        }
    )*};
}
front!(RawBrief, RawCompany, RawSource, RawPerson, RawProduct, RawAuthor, RawStory, RawPage);

/// The front matter kept by the last build, and that of this one.
pub struct FrontCache {
    path: PathBuf,
    /// Whether [`FrontCache::finish`] writes the file (`build`; `check` and `serve` only read).
    write: bool,
    /// The file being read beside the first files of the load.
    reading: ReadBeside<Entries>,
    loaded: Once,
    /// What the file holds, once read, until [`FrontCache::finish`].
    read: RwLock<Option<Entries>>,
    /// Every entry of this build: its JSON when it is not one read.
    now: Mutex<Vec<Noted>>,
    /// Whether this build parsed front matter the file did not have.
    added: AtomicBool,
}

impl FrontCache {
    /// The front matter kept in the cache of the site at `root` (none read with `fresh`);
    /// `write` says whether [`FrontCache::finish`] writes it back.
    pub fn open(root: &Path, fresh: bool, write: bool) -> FrontCache {
        let path = root.join(crate::content::model::CACHE_DIR).join("front");
        let reading = ReadBeside::start(path.clone(), fresh, read);
        let (loaded, read, now, added) = (Once::new(), RwLock::default(), Mutex::default(), AtomicBool::new(false));
        FrontCache { path, write, reading, loaded, read, now, added }
    }

    /// `f` of what the file holds (waiting for it to be read).
    fn with_kept<T>(&self, f: impl FnOnce(&Entries) -> T) -> T {
        self.loaded.call_once(|| {
            if let Ok(mut read) = self.read.write() {
                *read = self.reading.wait();
            }
        });
        let read = self.read.read();
        match read.as_ref().ok().and_then(|r| r.as_ref()) {
            Some(entries) => f(entries),
            None => f(&Entries::default()),
        }
    }

    /// What the YAML keyed `key` ([`key`]) gives as an `R`: as kept when the same text was
    /// read before, else from `parse` (and kept for the next build).
    pub fn parse<R: Front>(&self, key: Key, parse: impl FnOnce() -> Result<R, Diagnostic>) -> Result<R, Diagnostic> {
        if let Some(r) = self.get(key) {
            return Ok(r);
        }
        crate::steps::count("front matter parsed", 1, 1);
        let r = parse()?;
        if self.write && r.plain() {
            if let Ok(json) = serde_json::to_vec(&r) {
                self.added.store(true, Ordering::Relaxed);
                self.note(key, Some(json.into_boxed_slice()));
            }
        }
        Ok(r)
    }

    /// What the YAML keyed `key` gave as an `R`, when it is kept (and kept again).
    pub fn get<R: Front>(&self, key: Key) -> Option<R> {
        let r = self.with_kept(|kept| kept.get(&key).and_then(|json| serde_json::from_slice::<R>(json).ok()))?;
        if self.write {
            self.note(key, None);
        }
        crate::steps::count("front matter parsed", 0, 1);
        Some(r)
    }

    fn note(&self, key: Key, json: Option<Box<[u8]>>) {
        if let Ok(mut now) = self.now.lock() {
            now.push((key, json));
        }
    }

    /// Ends the load: writes this build's front matter (best effort) unless it is what the
    /// file holds, and lets go of all of it (a big site's front matter is tens of MB).
    pub fn finish(&self) {
        self.with_kept(|_| ());
        let mut now = self.now.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default();
        let read = self.read.write().ok().and_then(|mut r| r.take()).unwrap_or_default();
        let added = self.added.swap(false, Ordering::Relaxed);
        if !self.write || (!added && now.len() == read.len()) {
            return;
        }
        now.sort_unstable_by_key(|e| e.0);
        now.dedup_by(|a, b| a.0 == b.0);
        let _ = replace(&self.path, |tmp| write(tmp, &now, &read));
    }
}

/// Writes the file (streamed, with its hash at the end).
fn write(path: &Path, now: &[Noted], read: &Entries) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut put = |b: &[u8]| {
        h.update(b);
        w.write_all(b)
    };
    put(&crate::content::cachefile::header(FORMAT))?;
    for (key, json) in now {
        let json = json.as_deref().or_else(|| read.get(key).map(|j| &j[..])).unwrap_or_default();
        put(key)?;
        put(&(json.len() as u32).to_le_bytes())?;
        put(json)?;
    }
    w.write_all(&h.digest128().to_le_bytes())?;
    w.flush()
}

/// The key of `yaml` read as an `R`.
pub fn key<R>(yaml: &str) -> Key {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(std::any::type_name::<R>().as_bytes());
    h.update(&[0]);
    h.update(yaml.as_bytes());
    h.digest128().to_le_bytes()
}

fn read(path: &Path) -> Option<Entries> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.read_to_end(&mut bytes).ok()?;
    let mut c = crate::content::cachefile::unseal(FORMAT, &bytes)?;
    let mut entries = HashMap::default();
    while let Some(key) = c.take(16) {
        let key: Key = key.try_into().ok()?;
        let n = c.u32()? as usize;
        entries.insert(key, c.take(n)?.into());
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_comes_back_the_same_through_json() {
        let yaml = "title: A\ndate: 2025-10-30T08:00:00\ncompanies: [meta]\nsources:\n  - threads\n  - {source: reuters, url: \"https://e.org\", note: paywalled}\nimage: {src: a.png, alt: A chart}\ncorrections:\n  - {date: 2025-10-31, text: Fixed.}\ntoc: true\n";
        let parsed: RawBrief = serde_yaml::from_str(yaml).unwrap();
        let json = serde_json::to_vec(&parsed).unwrap();
        let back: RawBrief = serde_json::from_slice(&json).unwrap();
        assert_eq!(format!("{parsed:?}"), format!("{back:?}"));
        let extra: RawBrief = serde_yaml::from_str("title: A\nextra: {1: one}\n").unwrap();
        assert!(!extra.plain(), "a number as a key would come back as text");
    }
}
