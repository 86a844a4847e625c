//! Front matter kept between builds (`.briefing-cache/front`): YAML is the slowest part of
//! reading ten thousand briefs, so each front matter read without a problem is kept, as
//! JSON of what it gave, under a hash of its YAML text; the next build reads the JSON when
//! the text is the same.
//!
//! One file: a format line, the program that wrote it, then each entry (the hash and the
//! JSON), and a BLAKE3 hash of all of it. A file written by another program, cut short or
//! changed by hand is not read. Front matter with `extra` fields is not kept: YAML's values
//! (keys that are numbers, tags) do not all come back the same through JSON.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use ahash::AHashMap as HashMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::content::diag::Diagnostic;
use crate::content::frontmatter::*;

/// Bump when the file's layout changes.
const FORMAT: &[u8] = b"briefing-front 1\n";

type Key = [u8; 16];
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
    /// Whether [`FrontCache::save`] writes the file (`build`; `check` and `serve` only read).
    write: bool,
    /// The file being read beside the first files of the load.
    reading: Mutex<Option<std::thread::JoinHandle<Option<Entries>>>>,
    read: OnceLock<Entries>,
    /// Every entry of this build: its JSON when it is not one read.
    now: Mutex<Vec<Noted>>,
    /// Whether this build parsed front matter the file did not have.
    added: AtomicBool,
}

impl FrontCache {
    /// The front matter kept in the cache of the site at `root` (none read with `fresh`);
    /// `write` says whether [`FrontCache::save`] writes it back.
    pub fn open(root: &Path, fresh: bool, write: bool) -> FrontCache {
        let path = root.join(crate::content::model::CACHE_DIR).join("front");
        let from = path.clone();
        let reading = (!fresh).then(|| std::thread::spawn(move || read(&from)));
        FrontCache { path, write, reading: Mutex::new(reading), read: OnceLock::new(), now: Mutex::default(), added: AtomicBool::new(false) }
    }

    fn kept(&self) -> &Entries {
        self.read.get_or_init(|| {
            let reading = self.reading.lock().ok().and_then(|mut r| r.take());
            reading.and_then(|r| r.join().ok().flatten()).unwrap_or_default()
        })
    }

    /// What `yaml` gives as an `R`: as kept when the same text was read before, else from
    /// `parse` (and kept for the next build).
    pub fn parse<R: Front>(&self, yaml: &str, parse: impl FnOnce() -> Result<R, Diagnostic>) -> Result<R, Diagnostic> {
        let key = key::<R>(yaml);
        if let Some(json) = self.kept().get(&key) {
            if let Ok(r) = serde_json::from_slice::<R>(json) {
                if self.write {
                    self.note(key, None);
                }
                crate::steps::count("front matter parsed", 0, 1);
                return Ok(r);
            }
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

    fn note(&self, key: Key, json: Option<Box<[u8]>>) {
        if let Ok(mut now) = self.now.lock() {
            now.push((key, json));
        }
    }

    /// Writes this build's front matter (best effort), unless it is what the file holds.
    pub fn save(self) {
        let mut now = self.now.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default();
        let same = !self.added.load(Ordering::Relaxed) && now.len() == self.read.get().map_or(0, |r| r.len());
        if !self.write || same {
            return;
        }
        now.sort_unstable_by_key(|e| e.0);
        now.dedup_by(|a, b| a.0 == b.0);
        let read = self.kept();
        fn json<'a>((key, json): &'a Noted, read: &'a Entries) -> &'a [u8] {
            json.as_deref().or_else(|| read.get(key).map(|j| &j[..])).unwrap_or_default()
        }
        let mut out = Vec::with_capacity(now.iter().map(|e| json(e, read).len() + 20).sum::<usize>() + 128);
        out.extend_from_slice(FORMAT);
        let stamp = crate::content::model::program_stamp();
        out.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
        out.extend_from_slice(stamp.as_bytes());
        for e in &now {
            let json = json(e, read);
            out.extend_from_slice(&e.0);
            out.extend_from_slice(&(json.len() as u32).to_le_bytes());
            out.extend_from_slice(json);
        }
        let hash = *blake3::hash(&out).as_bytes();
        out.extend_from_slice(&hash);
        let Some(dir) = self.path.parent() else { return };
        let tmp = dir.join(format!(".front.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&tmp, &out)).and_then(|_| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The key of `yaml` read as an `R`.
fn key<R>(yaml: &str) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(std::any::type_name::<R>().as_bytes());
    h.update(&[0]);
    h.update(yaml.as_bytes());
    let mut key = [0; 16];
    key.copy_from_slice(&h.finalize().as_bytes()[..16]);
    key
}

fn read(path: &Path) -> Option<Entries> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.read_to_end(&mut bytes).ok()?;
    let split = bytes.len().checked_sub(32)?;
    let (body, hash) = bytes.split_at(split);
    if blake3::hash(body).as_bytes() != hash {
        return None;
    }
    let mut rest = body.strip_prefix(FORMAT)?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = rest.split_at_checked(n)?;
        rest = tail;
        Some(head)
    };
    let len = |b: &[u8]| -> Option<usize> { Some(u32::from_le_bytes(b.try_into().ok()?) as usize) };
    let stamp = take(4).and_then(len)?;
    if take(stamp)? != crate::content::model::program_stamp().as_bytes() {
        return None;
    }
    let mut entries = HashMap::default();
    while let Some(key) = take(16) {
        let key: Key = key.try_into().ok()?;
        let n = take(4).and_then(len)?;
        entries.insert(key, take(n)?.into());
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
