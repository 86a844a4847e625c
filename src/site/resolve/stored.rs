//! Bodies kept between builds on disk (`.briefing-cache/bodies`): what `serve` keeps in
//! memory ([`super::bodies::Kept`]), written at the end of a build and read by the next
//! `build` or `check`, so that a body whose text is the same and whose every link still
//! leads where it led is not rendered again.
//!
//! One file: a format line, the program that wrote it, the fingerprint of what changes
//! every body (base path, raw HTML policy, shortcode templates), then each body (its path,
//! a BLAKE3 hash of its text, the link targets it was checked against, each link it
//! resolved and where it led, and what rendering gave), and a BLAKE3 hash of all of it.
//! A file written by another program, cut short or changed by hand is not read at all. Only
//! bodies without problems and without images are kept: messages and images are found
//! again by rendering.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ahash::AHashMap as HashMap;

use super::bodies::{Kept, Lookup};
use super::links::{Targets, CLASSES};
use crate::content::kinds::Kind;
use crate::content::markdown::{Heading, Rendered};

/// Bump when the file's layout changes.
const FORMAT: &[u8] = b"briefing-bodies 1\n";

/// The file's name in `.briefing-cache/`.
const NAME: &str = "bodies";

/// Bodies read from the last build, and those of this one, to write back.
pub struct Stored {
    path: PathBuf,
    /// Whether this build writes the file back (`build`; `check` only reads it).
    write: bool,
    /// The fingerprint of what changes every body, when the file was written.
    global: u64,
    entries: HashMap<String, Kept>,
    /// This build's targets and global fingerprint, once known.
    now: OnceLock<(Targets, u64)>,
    /// Every body of this build that can be kept, by path.
    this_build: Mutex<Vec<(String, Kept)>>,
}

impl Stored {
    /// The bodies kept in the cache of the site at `root` (none with `fresh`); `write` says
    /// whether [`Stored::save`] writes them back.
    pub fn open(root: &Path, fresh: bool, write: bool) -> Stored {
        let path = root.join(".briefing-cache").join(NAME);
        let read = if fresh { None } else { std::fs::read(&path).ok().and_then(|b| decode(&b)) };
        let (global, entries) = read.unwrap_or_default();
        Stored { path, write, global, entries, now: OnceLock::new(), this_build: Mutex::new(Vec::new()) }
    }

    /// Notes this build's link targets and what changes every body.
    pub(super) fn begin(&self, targets: Targets, global: u64) {
        let _ = self.now.set((targets, global));
    }

    /// The body at `path` as kept, when its text is `body` and every link resolves as before.
    pub(super) fn reuse(&self, links: &super::links::Links<'_>, path: &str, body: &str) -> Option<Arc<Rendered>> {
        let (targets, global) = *self.now.get()?;
        let kept = self.entries.get(path).filter(|_| global == self.global)?;
        if !(kept.text_is(body) && kept.still_valid(links, path, &targets)) {
            return None;
        }
        let mut again = kept.clone();
        again.checked = targets;
        self.note(path, again);
        Some(kept.rendered.clone())
    }

    /// Keeps a body just rendered, when it can be kept.
    pub(super) fn keep(&self, path: &str, body: &str, rendered: &Arc<Rendered>, lookups: Vec<Lookup>) {
        let Some((targets, _)) = self.now.get() else { return };
        if rendered.problems.is_empty() && rendered.pictures.is_empty() {
            self.note(path, Kept::hashed(text_hash(body), rendered.clone(), lookups, *targets));
        }
    }

    fn note(&self, path: &str, kept: Kept) {
        if let Ok(mut all) = self.this_build.lock() {
            all.push((path.to_string(), kept));
        }
    }

    /// Writes this build's bodies (best effort: a cache that cannot be written only costs
    /// time), unless they are the ones read.
    pub fn save(&self) {
        let Some((_, global)) = self.now.get() else { return };
        let mut all = self.this_build.lock().map(|mut a| std::mem::take(&mut *a)).unwrap_or_default();
        if !self.write || (*global == self.global && all.len() == self.entries.len() && all.iter().all(|(p, k)| self.same(p, k))) {
            return;
        }
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let bytes = encode(*global, &all);
        let Some(dir) = self.path.parent() else { return };
        let tmp = dir.join(format!(".{NAME}.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&tmp, &bytes)).and_then(|_| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Whether `kept` is what the file holds for `path` (read, not rendered again, and
    /// checked against the same targets).
    fn same(&self, path: &str, kept: &Kept) -> bool {
        self.entries.get(path).is_some_and(|k| Arc::ptr_eq(&k.rendered, &kept.rendered) && k.checked == kept.checked)
    }
}

/// The hash a kept body's text is known by.
pub(super) fn text_hash(text: &str) -> [u8; 16] {
    let mut h = [0; 16];
    h.copy_from_slice(&blake3::hash(text.as_bytes()).as_bytes()[..16]);
    h
}

fn encode(global: u64, all: &[(String, Kept)]) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(all.len() * 4096));
    w.0.extend_from_slice(FORMAT);
    w.str(&crate::content::model::program_stamp());
    w.u64(global);
    w.u64(all.len() as u64);
    for (path, k) in all {
        w.str(path);
        k.encode(&mut w);
    }
    let hash = blake3::hash(&w.0);
    w.0.extend_from_slice(hash.as_bytes());
    w.0
}

fn decode(bytes: &[u8]) -> Option<(u64, HashMap<String, Kept>)> {
    let split = bytes.len().checked_sub(32)?;
    let (body, hash) = bytes.split_at(split);
    if blake3::hash(body).as_bytes()[..] != *hash {
        return None;
    }
    let mut r = Reader(body.strip_prefix(FORMAT)?);
    if r.str()? != crate::content::model::program_stamp() {
        return None;
    }
    let global = r.u64()?;
    let n = r.u64()?;
    let mut entries = HashMap::with_capacity(n.min(1 << 20) as usize);
    for _ in 0..n {
        let path = r.str()?.to_string();
        entries.insert(path, Kept::decode(&mut r)?);
    }
    r.0.is_empty().then_some((global, entries))
}

impl Kept {
    fn encode(&self, w: &mut Writer) {
        w.0.extend_from_slice(&self.hash().unwrap_or_default());
        self.checked.iter().for_each(|t| w.u64(*t));
        w.u64(self.lookups().len() as u64);
        for l in self.lookups() {
            let (how, target, result) = l.parts();
            w.0.push(how);
            w.str(target);
            w.u64(result);
        }
        let r = &self.rendered;
        w.str(&r.html);
        w.str(&r.first_paragraph);
        w.u64(r.mentions.len() as u64);
        for (kind, i) in &r.mentions {
            w.0.push(*kind as u8);
            w.u64(u64::from(*i));
        }
        w.u64(r.headings.len() as u64);
        for h in &r.headings {
            w.0.push(h.level);
            w.str(&h.id);
            w.str(&h.text);
        }
    }

    fn decode(r: &mut Reader<'_>) -> Option<Kept> {
        let hash: [u8; 16] = r.take(16)?.try_into().ok()?;
        let mut checked = [0; CLASSES];
        for c in &mut checked {
            *c = r.u64()?;
        }
        let lookups = (0..r.u64()?).map(|_| Some(Lookup::new(r.byte()?, r.str()?.to_string(), r.u64()?))).collect::<Option<Vec<_>>>()?;
        let html: Arc<str> = r.str()?.into();
        let first_paragraph = r.str()?.to_string();
        let kind = |b: u8| Kind::ALL.get(usize::from(b)).copied();
        let mentions = (0..r.u64()?).map(|_| Some((kind(r.byte()?)?, u32::try_from(r.u64()?).ok()?))).collect::<Option<Vec<_>>>()?;
        let headings =
            (0..r.u64()?).map(|_| Some(Heading { level: r.byte()?, id: r.str()?.to_string(), text: r.str()?.to_string() })).collect::<Option<Vec<_>>>()?;
        let rendered = Rendered { html, first_paragraph, mentions, headings, ..Rendered::default() };
        Some(Kept::hashed(hash, Arc::new(rendered), lookups, checked))
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.u64()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
}
