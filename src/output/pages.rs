//! Pages and share cards kept between builds: the bytes of every page a build made, by the
//! key of what the page read ([`crate::render::File::key`]), in `.briefing-cache/pages/`, so
//! that a build into a new output folder (a fresh clone with the cache restored, `--output`
//! elsewhere) writes a page that nothing it reads changed without rendering it again; and
//! every share card, by the key of its text, in `.briefing-cache/cards/`.
//!
//! Kept in two files a store rather than a file an entry: a build after the cache was
//! emptied wrote 10,000 cards, and ext4 took a third of that build's time finding room for
//! their files (it passes over the places of files deleted a moment before).
//!
//! Two files: `data`, the pages' bytes one after another, only ever appended to; and
//! `index`, a format line, then for each page its key, where its bytes are in `data`, how
//! many there are and their XXH3-128 hash (checked on every read; also what the output
//! folder's list records of them), and a hash of the whole index. An index cut
//! short, changed by hand or of another format is not read; bytes whose hash does not match
//! (another build appended at the same time, a disk error) are not trusted: the page is
//! rendered again. When more than half of `data` is pages no build needs any longer, it is
//! written again with only the others.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ahash::AHashMap as HashMap;
use xxhash_rust::xxh3::xxh3_128;

use crate::content::cachefile::{replace, ReadBeside};

/// The index's first bytes: an index of another format is not read.
const FORMAT: &[u8] = b"briefing-pages 3\n";

/// A key as it comes (32 hex digits).
type Key = [u8; 32];

/// Where a page's bytes are in `data`, how many, and their XXH3-128 hash.
#[derive(Clone, Copy)]
struct Loc {
    at: u64,
    len: u64,
    check: u128,
}

const RECORD: usize = 32 + 8 + 8 + 16;

/// The pages of the last build, and those of this one.
pub struct Pages {
    dir: PathBuf,
    /// The last build's index and `data`, read on a thread of their own from the start
    /// of the build.
    reading: ReadBeside<Old>,
    old: OnceLock<Old>,
    /// Where this build appends, and how far it got.
    append: Mutex<Option<(File, u64)>>,
    /// Every page this build made or kept, for the next index.
    now: Mutex<HashMap<Key, Loc>>,
    /// Whether what is made is added (not by `serve`, which never writes the index).
    adds: bool,
}

/// The last build's pages by key, and the file that holds their bytes.
type Old = (HashMap<Key, Loc>, Option<File>);

impl Pages {
    /// The pages kept in the cache of the site at `root` (none read with `fresh`). The
    /// index is read beside whatever the build does until the first page is asked for.
    pub fn open(root: &Path, fresh: bool) -> Pages {
        Pages::at(root.join(crate::content::model::CACHE_DIR).join("pages"), fresh)
    }

    /// The share cards kept in the cache of the site at `root`, as [`Pages::open`] keeps pages.
    pub fn cards(root: &Path, fresh: bool) -> Pages {
        Pages::at(root.join(crate::content::model::CACHE_DIR).join("cards"), fresh)
    }

    fn at(dir: PathBuf, fresh: bool) -> Pages {
        let reading = ReadBeside::start(dir.clone(), fresh, read_old);
        Pages { dir, reading, old: OnceLock::new(), append: Mutex::new(None), now: Mutex::new(HashMap::default()), adds: true }
    }

    /// The store, only read: nothing is added to it (`serve` reads the cards a build kept).
    pub fn read_only(self) -> Pages {
        Pages { adds: false, ..self }
    }

    /// The last build's pages (waiting for them to be read).
    fn old(&self) -> &Old {
        self.old.get_or_init(|| self.reading.wait().unwrap_or_default())
    }

    /// Whether the store holds no page.
    pub fn is_empty(&self) -> bool {
        self.old().0.is_empty()
    }

    /// Lends `f` the bytes of the page made from what `key` keys, with their XXH3-128 hash,
    /// when the store has them whole. They are read into the thread's buffer (a new-folder
    /// build reads 300 MB of pages).
    pub fn take<T>(&self, key: &str, f: impl FnOnce(&[u8], u128) -> T) -> Option<T> {
        let k = as_key(key)?;
        let (old, data) = self.old();
        let loc = *old.get(&k)?;
        let (data, len) = (data.as_ref()?, usize::try_from(loc.len).ok()?);
        crate::content::buffer::read_checked(data, loc.at, len, loc.check, |bytes| {
            self.note(k, loc);
            f(bytes, loc.check)
        })
    }

    /// Notes that this build keeps the page made from what `key` keys as the last build
    /// made it (an output folder holds it): the store keeps it too, when it has it.
    pub fn keep(&self, key: &str) {
        if let Some(k) = as_key(key) {
            if let Some(loc) = self.old().0.get(&k) {
                self.note(k, *loc);
            }
        }
    }

    /// Adds a page this build rendered (best effort: a store that cannot be written only
    /// costs time); `check` is the XXH3-128 hash of `bytes`.
    pub fn add(&self, key: &str, bytes: &[u8], check: u128) {
        let Some(k) = as_key(key).filter(|_| self.adds) else { return };
        let Ok(mut append) = self.append.lock() else { return };
        if append.is_none() {
            *append = self.start().ok();
        }
        let Some((file, end)) = append.as_mut() else { return };
        if file.write_all(bytes).is_err() {
            *append = None;
            return;
        }
        let loc = Loc { at: *end, len: bytes.len() as u64, check };
        *end += loc.len;
        drop(append);
        self.note(k, loc);
    }

    fn note(&self, k: Key, loc: Loc) {
        if let Ok(mut now) = self.now.lock() {
            now.insert(k, loc);
        }
    }

    /// The data file opened for appending, and its end.
    fn start(&self) -> std::io::Result<(File, u64)> {
        std::fs::create_dir_all(&self.dir)?;
        // With nothing read, start afresh: what `data` holds is no page of this build.
        let fresh = self.old().1.is_none();
        let file = std::fs::OpenOptions::new().create(true).append(!fresh).write(true).truncate(fresh).open(self.dir.join("data"))?;
        let end = file.metadata()?.len();
        Ok((file, end))
    }

    /// Writes the index of this build's pages, when it differs from the last one, and
    /// compacts `data` when more than half of it is no longer needed (best effort).
    pub fn save(self) {
        let old = self.old.into_inner().or_else(|| self.reading.wait()).unwrap_or_default();
        let Pages { dir, append, now, .. } = self;
        remove_strays(&dir);
        let (old, data) = old;
        let appended = append.into_inner().ok().flatten();
        let now = now.into_inner().unwrap_or_default();
        if appended.is_none() && now.len() == old.len() {
            return; // every page came from the store: the index says it all already
        }
        drop(appended);
        let live: u64 = now.values().map(|l| l.len).sum();
        let size = std::fs::metadata(dir.join("data")).map_or(0, |m| m.len());
        drop(data); // the file as it was when the build began: what was appended is not in it
        let now = if size > 2 * live + (1 << 20) { compact(&dir, now).unwrap_or_default() } else { now };
        let _ = write_index(&dir, &now);
    }
}

/// Removes the folders in `dir`: what an older version kept there a file an entry
/// (`cards/<2 hex digits>/<key>-social.png`), which no build reads any longer.
fn remove_strays(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A key in its 32 hex digits.
fn as_key(key: &str) -> Option<Key> {
    key.as_bytes().try_into().ok()
}

/// The index and data file in `dir`, when the index is whole and of this format.
fn read_old(dir: &Path) -> Option<Old> {
    let data = File::open(dir.join("data")).ok()?;
    let index = std::fs::read(dir.join("index")).ok()?;
    let old = read_index(&index, data.metadata().map_or(0, |m| m.len()))?;
    Some((old, Some(data)))
}

fn read_index(index: &[u8], data_len: u64) -> Option<HashMap<Key, Loc>> {
    let body = index.strip_prefix(FORMAT)?;
    let split = body.len().checked_sub(16)?;
    let (records, hash) = body.split_at(split);
    if xxh3_128(&index[..FORMAT.len() + split]).to_le_bytes() != hash || records.len() % RECORD != 0 {
        return None;
    }
    let mut map = HashMap::with_capacity(records.len() / RECORD);
    for r in records.chunks_exact(RECORD) {
        let u64_at = |i: usize| r[i..i + 8].try_into().map(u64::from_le_bytes).ok();
        let check = u128::from_le_bytes(r[48..64].try_into().ok()?);
        let loc = Loc { at: u64_at(32)?, len: u64_at(40)?, check };
        if loc.at.checked_add(loc.len)? > data_len {
            return None;
        }
        map.insert(r[..32].try_into().ok()?, loc);
    }
    Some(map)
}

fn write_index(dir: &Path, pages: &HashMap<Key, Loc>) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(FORMAT.len() + pages.len() * RECORD + 16);
    out.extend_from_slice(FORMAT);
    for (k, loc) in pages {
        out.extend_from_slice(k);
        out.extend_from_slice(&loc.at.to_le_bytes());
        out.extend_from_slice(&loc.len.to_le_bytes());
        out.extend_from_slice(&loc.check.to_le_bytes());
    }
    let hash = xxh3_128(&out).to_le_bytes();
    out.extend_from_slice(&hash);
    replace(&dir.join("index"), |tmp| std::fs::write(tmp, &out))
}

/// Writes `data` again with only the pages of `pages`; where they are now.
fn compact(dir: &Path, pages: HashMap<Key, Loc>) -> std::io::Result<HashMap<Key, Loc>> {
    let from = File::open(dir.join("data"))?;
    let mut moved = HashMap::with_capacity(pages.len());
    let mut sorted: Vec<(Key, Loc)> = pages.into_iter().collect();
    sorted.sort_unstable_by_key(|(_, l)| l.at);
    replace(&dir.join("data"), |tmp| {
        let mut to = std::io::BufWriter::with_capacity(1 << 20, File::create(tmp)?);
        let (mut at, mut buf) = (0, Vec::new());
        for (k, loc) in sorted {
            buf.resize(usize::try_from(loc.len).map_err(std::io::Error::other)?, 0);
            from.read_exact_at(&mut buf, loc.at)?;
            to.write_all(&buf)?;
            moved.insert(k, Loc { at, ..loc });
            at += loc.len;
        }
        to.flush()
    })?;
    Ok(moved)
}
