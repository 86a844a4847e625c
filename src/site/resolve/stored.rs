//! Bodies kept between builds on disk (`.briefing-cache/bodies`): what `serve` keeps in
//! memory ([`super::bodies::Kept`]), written at the end of a build and read by the next
//! `build` or `check`, so that a body whose text is the same and whose every link still
//! leads where it led is not rendered again.
//!
//! One file: a format line, the program that wrote it, the fingerprint of what changes
//! every body (base path, raw HTML policy, shortcode templates), then each body (its path,
//! an XXH3-128 hash of its text, the link targets it was checked against, each link it
//! resolved and where it led, and what rendering gave), and an XXH3-128 hash of all of it.
//! A file written by another program, cut short or changed by hand is not read at all. Only
//! bodies without problems are kept (their messages are found again by rendering); a body's
//! images are kept with it (where each is shown, and what it is), and recorded again as
//! shown when it is reused, like a rendered one's.
//!
//! A body's HTML is not read with the rest: only where it lies in the file (and an XXH3-128
//! hash of it, checked when it is read). It is read when its brief is resolved, as that
//! brief's text is freed: read up front, a 50,000-brief site's bodies (240 MB) were in
//! memory beside the texts of all its files (240 MB more).

use xxhash_rust::xxh3::{xxh3_128, Xxh3};
use std::fs::File;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use ahash::AHashMap as HashMap;

use super::bodies::{Kept, Lookup};
use crate::content::cachefile::{replace, ReadBeside};
use super::links::{Targets, CLASSES};
use crate::content::kinds::Kind;
use crate::content::markdown::{Heading, Rendered};
use crate::content::media::{Format, ImageInfo, Picture};

/// Bump when the file's layout changes.
const FORMAT: &[u8] = b"briefing-bodies 5\n";

/// The file's name in `.briefing-cache/`.
const NAME: &str = "bodies";

/// Bodies read from the last build, and those of this one, to write back.
pub struct Stored {
    path: PathBuf,
    /// Whether this build writes the file back (`build`; `check` only reads it).
    write: bool,
    /// The file being read beside the load (it takes a while on a big site).
    reading: ReadBeside<Bodies>,
    /// What it holds: the fingerprint of what changes every body when it was written, and
    /// the bodies by path.
    read: OnceLock<Bodies>,
    /// This build's targets and global fingerprint, once known.
    now: OnceLock<(Targets, u64)>,
    /// Every body of this build that can be kept, by path.
    this_build: Mutex<Vec<(String, Kept)>>,
    /// How many of them are as read (the file need not be written again when all are).
    as_read: AtomicUsize,
    /// The related briefs, kept in a file of their own.
    pub(super) related: super::RelatedStore,
}

impl Stored {
    /// The bodies kept in the cache of the site at `root` (none with `fresh`); `write` says
    /// whether [`Stored::save`] writes them back.
    pub fn open(root: &Path, fresh: bool, write: bool) -> Stored {
        let path = root.join(crate::content::model::CACHE_DIR).join(NAME);
        let reading = ReadBeside::start(path.clone(), fresh, read);
        let related = super::RelatedStore::open(root, fresh, write);
        let (read, this_build, as_read) = (OnceLock::new(), Mutex::new(Vec::new()), AtomicUsize::new(0));
        Stored { path, write, reading, read, now: OnceLock::new(), this_build, as_read, related }
    }

    /// What the file holds (waiting for it to be read).
    fn kept(&self) -> &Bodies {
        self.read.get_or_init(|| self.reading.wait().unwrap_or_default())
    }

    /// Notes this build's link targets and what changes every body.
    pub(super) fn begin(&self, targets: Targets, global: u64) {
        let _ = self.now.set((targets, global));
    }

    /// The body at `path` as kept, when its text hashes to `hash` ([`text_hash`]) and every
    /// link resolves as before.
    pub(super) fn reuse(&self, links: &super::links::Links<'_>, path: &str, hash: [u8; 16]) -> Option<Kept> {
        let (targets, global) = *self.now.get()?;
        let bodies = self.kept();
        let (kept, html) = bodies.entries.get(path).filter(|_| global == bodies.global)?;
        if !(kept.hash() == Some(hash) && kept.still_valid(links, path, &targets)) {
            return None;
        }
        let html = bodies.html(html)?;
        let mut again = kept.clone();
        again.rendered = Arc::new(Rendered { html, ..(*kept.rendered).clone() });
        if kept.checked == targets {
            self.as_read.fetch_add(1, Ordering::Relaxed);
        }
        again.checked = targets;
        if self.write {
            self.note(path, again.clone());
        }
        Some(again)
    }

    /// Keeps a body just rendered, when it can be kept.
    pub(super) fn keep(&self, path: &str, hash: [u8; 16], rendered: &Arc<Rendered>, lookups: Vec<Lookup>) {
        let Some((targets, _)) = self.now.get() else { return };
        // Pictures are kept with the file they show, by its path in the site folder (a site
        // moved with its cache finds its images where they are now).
        if rendered.problems.is_empty() && rendered.pictures.iter().all(|(_, p)| in_site(&self.path, &p.disk).is_some()) {
            self.note(path, Kept::hashed(hash, rendered.clone(), lookups, *targets));
        }
    }

    fn note(&self, path: &str, kept: Kept) {
        if let Ok(mut all) = self.this_build.lock() {
            all.push((path.to_string(), kept));
        }
    }

    /// Writes this build's bodies and related briefs (best effort: a cache that cannot be
    /// written only costs time), unless they are the ones read.
    pub fn save(&self) {
        self.related.save();
        let Some((_, global)) = self.now.get() else { return };
        let mut all = self.this_build.lock().map(|mut a| std::mem::take(&mut *a)).unwrap_or_default();
        let bodies = self.kept();
        let as_read = self.as_read.load(Ordering::Relaxed);
        if !self.write || (*global == bodies.global && all.len() == bodies.entries.len() && as_read == all.len()) {
            return;
        }
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let _ = replace(&self.path, |tmp| write(tmp, &self.path, *global, &all));
    }
}

/// The hash a kept body's text is known by.
pub(super) fn text_hash(text: &str) -> [u8; 16] {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes()).to_le_bytes()
}

/// Writes the file (streamed: a big site's bodies are never all in one buffer).
fn write(path: &Path, store: &Path, global: u64, all: &[(String, Kept)]) -> std::io::Result<()> {
    let file = Hashing { inner: std::fs::File::create(path)?, hasher: Xxh3::new() };
    let mut w = Writer { out: std::io::BufWriter::with_capacity(1 << 16, file), failed: None };
    w.bytes(FORMAT);
    w.str(&crate::content::model::program_stamp());
    w.u64(global);
    w.u64(all.len() as u64);
    for (path, k) in all {
        w.str(path);
        k.encode(&mut w, store);
    }
    if let Some(e) = w.failed {
        return Err(e);
    }
    let mut file = w.out.into_inner().map_err(|e| e.into_error())?;
    let hash = file.hasher.digest128();
    file.inner.write_all(&hash.to_le_bytes())?;
    file.inner.sync_data()
}

/// What the file holds: the fingerprint of what changes every body, and the bodies by
/// path, each without its HTML and with where that lies in `file`.
#[derive(Default)]
struct Bodies {
    global: u64,
    entries: HashMap<String, (Kept, Html)>,
    file: Option<File>,
}

/// Where a body's HTML lies in the file, how long it is, and its XXH3-128 hash.
struct Html {
    at: u64,
    len: usize,
    check: u128,
}

impl Bodies {
    /// A body's HTML, read from the file (the one read at the start of the build: a build
    /// that writes the file meanwhile replaces it), when it is whole.
    fn html(&self, html: &Html) -> Option<Arc<str>> {
        let file = self.file.as_ref()?;
        crate::content::buffer::read_checked(file, html.at, html.len, html.check, |b| std::str::from_utf8(b).ok().map(Arc::from))?
    }
}

/// Reads the file (streamed), or nothing when it is not whole and of this program.
fn read(path: &Path) -> Option<Bodies> {
    let root = site_root(path)?;
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len().checked_sub(16)?;
    let hashing = Hashing { inner: (&mut file).take(len), hasher: Xxh3::new() };
    let mut r = Reader { inner: std::io::BufReader::with_capacity(1 << 16, hashing), at: 0 };
    if r.take(FORMAT.len())? != FORMAT || r.str()? != crate::content::model::program_stamp() {
        return None;
    }
    let global = r.u64()?;
    let n = r.u64()?;
    let mut entries = HashMap::with_capacity(n.min(1 << 20) as usize);
    for _ in 0..n {
        let path = r.str()?;
        entries.insert(path, Kept::decode(&mut r, root)?);
    }
    if !r.inner.buffer().is_empty() {
        return None;
    }
    let hashing = r.inner.into_inner();
    if hashing.inner.limit() != 0 {
        return None;
    }
    let computed = hashing.hasher.digest128();
    let mut hash = [0; 16];
    file.read_exact(&mut hash).ok()?;
    (computed.to_le_bytes() == hash).then_some(Bodies { global, entries, file: Some(file) })
}

/// A reader or writer that hashes what goes through it (in the large pieces its buffer
/// hands it, which hash fastest).
struct Hashing<T> {
    inner: T,
    hasher: Xxh3,
}

impl<T: Read> Read for Hashing<T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

impl<T: Write> Write for Hashing<T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Kept {
    fn encode<W: Write>(&self, w: &mut Writer<W>, store: &Path) {
        w.bytes(&self.hash().unwrap_or_default());
        self.checked.iter().for_each(|t| w.u64(*t));
        w.u64(self.lookups().len() as u64);
        for l in self.lookups() {
            let (how, target, result) = l.parts();
            w.bytes(&[how]);
            w.str(target);
            w.u64(result);
        }
        let r = &self.rendered;
        w.str(&r.html);
        w.bytes(&xxh3_128(r.html.as_bytes()).to_le_bytes());
        w.str(&r.first_paragraph);
        w.u64(r.mentions.len() as u64);
        for (kind, i) in &r.mentions {
            w.bytes(&[*kind as u8]);
            w.u64(u64::from(*i));
        }
        w.u64(r.headings.len() as u64);
        for h in &r.headings {
            w.bytes(&[h.level]);
            w.str(&h.id);
            w.str(&h.text);
        }
        w.u64(r.pictures.len() as u64);
        for (at, p) in &r.pictures {
            w.u64(*at as u64);
            w.str(&p.out);
            w.str(in_site(store, &p.disk).unwrap_or_default());
            w.bytes(&[p.info.format as u8]);
            w.u64(u64::from(p.info.width));
            w.u64(u64::from(p.info.height));
            w.u64(p.widths.len() as u64);
            p.widths.iter().for_each(|x| w.u64(u64::from(*x)));
        }
    }

    fn decode<R: BufRead>(r: &mut Reader<R>, root: &Path) -> Option<(Kept, Html)> {
        let hash: [u8; 16] = r.take(16)?.try_into().ok()?;
        let mut checked = [0; CLASSES];
        for c in &mut checked {
            *c = r.u64()?;
        }
        let lookups = (0..r.u64()?).map(|_| Some(Lookup::new(r.byte()?, r.str()?, r.u64()?))).collect::<Option<Vec<_>>>()?;
        let html = r.skipped()?;
        let first_paragraph = r.str()?;
        let kind = |b: u8| Kind::ALL.get(usize::from(b)).copied();
        let mentions = (0..r.u64()?).map(|_| Some((kind(r.byte()?)?, u32::try_from(r.u64()?).ok()?))).collect::<Option<Vec<_>>>()?;
        let headings =
            (0..r.u64()?).map(|_| Some(Heading { level: r.byte()?, id: r.str()?, text: r.str()? })).collect::<Option<Vec<_>>>()?;
        let pictures = (0..r.u64()?).map(|_| Some((usize::try_from(r.u64()?).ok()?, read_picture(r, root)?))).collect::<Option<Vec<_>>>()?;
        let rendered = Rendered { first_paragraph, mentions, headings, pictures, ..Rendered::default() };
        Some((Kept::hashed(hash, Arc::new(rendered), lookups, checked), html))
    }
}

/// The site folder of the file at `store` (`<site>/.briefing-cache/bodies`).
fn site_root(store: &Path) -> Option<&Path> {
    store.parent()?.parent()
}

/// The path of `file` in the site folder of `store`, when it is in it (and is UTF-8).
fn in_site<'p>(store: &Path, file: &'p Path) -> Option<&'p str> {
    file.strip_prefix(site_root(store)?).ok()?.to_str()
}

/// A picture a body shows, as [`Kept::encode`] wrote it (its file in the site folder `root`).
fn read_picture<R: BufRead>(r: &mut Reader<R>, root: &Path) -> Option<Picture> {
    let (out, disk) = (r.str()?, root.join(r.str()?));
    let format = *Format::ALL.get(usize::from(r.byte()?))?;
    let mut size = || u32::try_from(r.u64()?).ok();
    let info = ImageInfo { format, width: size()?, height: size()? };
    let widths = (0..r.u64()?).map(|_| u32::try_from(r.u64()?).ok()).collect::<Option<Vec<_>>>()?;
    Some(Picture { out, disk, info, widths })
}

/// Writes pieces, remembering the first failure.
struct Writer<W: Write> {
    out: W,
    failed: Option<std::io::Error>,
}

impl<W: Write> Writer<W> {
    fn bytes(&mut self, b: &[u8]) {
        if self.failed.is_none() {
            self.failed = self.out.write_all(b).err();
        }
    }

    fn u64(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
}

/// Reads pieces, knowing where it is in the file; `None` at the end of the file or on
/// anything malformed.
struct Reader<R: BufRead> {
    inner: R,
    at: u64,
}

impl<R: BufRead> Reader<R> {
    fn take(&mut self, n: usize) -> Option<Vec<u8>> {
        // A length is checked against what can still be read before anything is allocated.
        let mut buf = Vec::new();
        (&mut self.inner).take(n as u64).read_to_end(&mut buf).ok()?;
        self.at += buf.len() as u64;
        (buf.len() == n).then_some(buf)
    }

    fn byte(&mut self) -> Option<u8> {
        let mut b = [0];
        self.inner.read_exact(&mut b).ok()?;
        self.at += 1;
        Some(b[0])
    }

    fn u64(&mut self) -> Option<u64> {
        let mut b = [0; 8];
        self.inner.read_exact(&mut b).ok()?;
        self.at += 8;
        Some(u64::from_le_bytes(b))
    }

    fn str(&mut self) -> Option<String> {
        let n = usize::try_from(self.u64()?).ok()?;
        String::from_utf8(self.take(n)?).ok()
    }

    /// A text passed over (read, and so hashed, but not kept), followed by its XXH3-128
    /// hash: where it lies in the file.
    fn skipped(&mut self) -> Option<Html> {
        let n = self.u64()?;
        let at = self.at;
        let passed = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink()).ok()?;
        self.at += passed;
        let len = usize::try_from(n).ok().filter(|_| passed == n)?;
        let check = u128::from_le_bytes(self.take(16)?.try_into().ok()?);
        Some(Html { at, len, check })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(html: &str) -> Kept {
        let rendered = Rendered { html: html.into(), first_paragraph: "First.".into(), ..Rendered::default() };
        Kept::hashed(text_hash("Body."), Arc::new(rendered), Vec::new(), [7; CLASSES])
    }

    /// A store with two bodies, read back.
    fn written(dir: &Path) -> (PathBuf, Bodies) {
        let path = dir.join(".briefing-cache/bodies");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let all = vec![("briefs/a.md".to_string(), kept("<p>Alpha</p>")), ("briefs/b.md".to_string(), kept("<p>Beta</p>"))];
        write(&path, &path, 42, &all).unwrap();
        let bodies = read(&path).expect("a whole file is read");
        (path, bodies)
    }

    #[test]
    fn a_bodys_html_is_read_when_asked_for_and_only_while_it_is_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let (path, bodies) = written(dir.path());
        assert_eq!(bodies.global, 42);
        let (a, html) = &bodies.entries["briefs/a.md"];
        assert!(a.rendered.html.is_empty(), "not read with the rest");
        assert_eq!(a.rendered.first_paragraph, "First.");
        assert_eq!(bodies.html(html).as_deref(), Some("<p>Alpha</p>"));
        assert_eq!(bodies.html(&bodies.entries["briefs/b.md"].1).as_deref(), Some("<p>Beta</p>"));

        // Changed in place after it was read (not by a build, which replaces the file).
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.windows(5).position(|w| w == b"Alpha").unwrap();
        bytes[at] = b'Z';
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().write_all(&bytes).unwrap();
        assert_eq!(bodies.html(html), None, "a changed HTML is not trusted");
        assert_eq!(bodies.html(&bodies.entries["briefs/b.md"].1).as_deref(), Some("<p>Beta</p>"));
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(20).unwrap();
        assert_eq!(bodies.html(html), None, "nor one cut short");
    }
}
