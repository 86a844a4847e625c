//! Stage 4, write: renders every file straight into a spare copy of the output folder and
//! swaps it in only when the whole build succeeded.
//!
//! Two folders take turns: the live output (`public/`) and a hidden spare beside it
//! (`.public.briefing-spare/`, the build before last). Each build overwrites the spare in
//! place (reusing its files, which is much cheaper on ext4 than deleting a tree and writing
//! a fresh one), removes what the site no longer has, then swaps the two with renames. A
//! failed build only ever touched the spare, so the live output stays exactly as it was.
//! Nothing is written outside these two folders, and a non-empty folder that briefing did
//! not create is never replaced unless forced.

use xxhash_rust::xxh3::xxh3_128;
use ahash::AHashSet as HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::content::diag::Error;
use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::load::StaticSource;
use crate::output::cache::Cache;
use crate::output::manifest;
use crate::output::media;
use crate::output::pages::Pages;
use crate::render::Renderer;

/// The file that marks an output folder as briefing's own.
pub const MARKER: &str = ".briefing-output";

/// The cache's stores a build takes pages and share cards from, and keeps them in.
pub struct Stores {
    /// Pages by the key of what they read.
    pub pages: Pages,
    /// Share cards by the key of their text.
    pub cards: Pages,
}

impl Stores {
    /// The stores of the site at `root` (nothing read from them with `fresh`), opened when
    /// the build starts: their indexes are read on threads of their own beside the load.
    pub fn open(root: &Path, fresh: bool) -> Stores {
        Stores { pages: Pages::open(root, fresh), cards: Pages::cards(root, fresh) }
    }
}

/// What was written.
#[derive(Debug, Default)]
pub struct WriteReport {
    /// Number of files.
    pub files: usize,
    /// Total bytes.
    pub bytes: u64,
}

/// Renders every file of the site straight into `out_dir` (memory stays flat). Render
/// errors go to `diags` and return `Ok(None)` with the output untouched. `force` allows
/// replacing a folder briefing did not create; `root` is the site folder, never written;
/// `stores` are its cache's stores of pages and cards (opened early: their indexes are read
/// beside the load).
pub fn write(renderer: &Renderer, out_dir: &Path, root: &Path, opts: WriteOptions, stores: Stores, diags: &mut Diagnostics) -> Result<Option<WriteReport>, Error> {
    let WriteOptions { force, fresh } = opts;
    check_target(out_dir, root, force)?;
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::Write(parent.clone(), e))?;
    let spare = parent.join(format!(".{name}.briefing-spare"));
    let old = parent.join(format!(".{name}.briefing-old"));
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::Write(old.clone(), e))?;
    }
    if spare.exists() && (fresh || !spare.join(MARKER).exists()) {
        fs::remove_dir_all(&spare).map_err(|e| Error::Write(spare.clone(), e))?;
    }
    // A spare created now holds only what this build writes: nothing can be stale.
    let reused = spare.exists();
    fs::create_dir_all(&spare).map_err(|e| Error::Write(spare.clone(), e))?;

    let prior = manifest::Prior::read(&spare, reused);
    // Pages and media side by side: the media are mostly reading and writing files.
    let cache = if fresh { Cache::refill(root) } else { Cache::new(root) };
    let known = known_shards(renderer, &cache);
    let (pages, media) = rayon::join(
        || crate::steps::time("write: pages, feeds, static files", || fill(&spare, renderer, &prior, &stores.pages)),
        || fill_media(&spare, renderer, &cache, &stores.cards, &prior),
    );
    let ((mut written, mut errors), (media, media_errors)) = (pages?, media?);
    written.extend(media);
    errors.extend(media_errors);
    if crate::render::report_render_errors(errors, diags) {
        return Ok(None);
    }
    stores.pages.save();
    stores.cards.save();
    if !known && renderer.search_time().is_some() {
        cache.put("search", renderer.search_inputs(), "shards", renderer.shard_names().join("\n").as_bytes());
    }
    let report = WriteReport { files: written.len(), bytes: written.iter().map(|(_, n)| n).sum() };
    if reused {
        let keep: HashSet<PathBuf> = written.into_iter().map(|(p, _)| p).collect();
        match prior.listed() {
            Some(listed) => remove_listed(&spare, listed, &keep)?,
            None => remove_stale(&spare, &keep)?,
        }
    } else {
        drop(written); // before the manifest is written: the peak of a big build's memory
    }
    prior.write_manifest(&spare.join(manifest::MANIFEST)).map_err(|e| Error::Write(spare.join(manifest::MANIFEST), e))?;
    fs::write(spare.join(MARKER), b"This folder is written by `briefing build`; it is replaced on every build.\n")
        .map_err(|e| Error::Write(spare.join(MARKER), e))?;

    // Swap: live -> old, spare -> live, old -> spare (kept for the next build).
    if out_dir.exists() {
        fs::rename(out_dir, &old).map_err(|e| Error::Write(out_dir.to_path_buf(), e))?;
        if let Err(e) = fs::rename(&spare, out_dir) {
            let _ = fs::rename(&old, out_dir);
            return Err(Error::Write(out_dir.to_path_buf(), e));
        }
        if !old.join(MARKER).exists() {
            // A forced replacement of a folder that was not ours: do not keep it around.
            fs::remove_dir_all(&old).map_err(|e| Error::Write(old.clone(), e))?;
        } else {
            fs::rename(&old, &spare).map_err(|e| Error::Write(spare.clone(), e))?;
        }
    } else {
        fs::rename(&spare, out_dir).map_err(|e| Error::Write(out_dir.to_path_buf(), e))?;
    }
    Ok(Some(report))
}

/// Hands the renderer the search shards' names that the cache keeps for an index made of
/// the same inputs, if it keeps them: then the index is built only if a shard must be
/// written. Whether it did.
fn known_shards(renderer: &Renderer, cache: &Cache) -> bool {
    let names = cache.get("search", renderer.search_inputs(), "shards").and_then(|b| String::from_utf8(b).ok());
    names.map(|n| renderer.know_shards(n.lines().map(String::from).collect())).is_some()
}

type Filled = (Vec<(PathBuf, u64)>, Vec<Diagnostic>);

/// How to write an output folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Replace a folder briefing did not create.
    pub force: bool,
    /// Reuse nothing (`--no-cache`): every file written, every image and card made again.
    pub fresh: bool,
}

/// Writes `bytes` to `rel` under `dir` unless the file there already holds them (by the
/// manifest of the folder's last build and the file's size): an unchanged page keeps its
/// modification time, and is not written again. `read` is the key of what a page read.
fn put_changed(dir: &Path, rel: &Path, bytes: &[u8], read: Option<&str>, prior: &manifest::Prior) -> Result<(), Error> {
    put_hashed(dir, rel, bytes, xxh3_128(bytes), read, prior)
}

/// [`put_changed`] for bytes whose XXH3-128 hash is known.
fn put_hashed(dir: &Path, rel: &Path, bytes: &[u8], hash: u128, read: Option<&str>, prior: &manifest::Prior) -> Result<(), Error> {
    let key = format!("{hash:032x}");
    let name = rel.to_string_lossy();
    let key = key.as_str();
    if prior.unchanged(&name, key).is_none() {
        put(dir, rel, bytes, prior)?;
    }
    match read {
        Some(read) => prior.keep_page(&name, key, bytes.len() as u64, read),
        None => prior.keep(&name, key, bytes.len() as u64),
    }
    Ok(())
}

/// Renders every file into `dir` (each written from the buffer it was rendered into, when
/// it changed; a page made from the same inputs as one the folder holds, or one the store
/// of pages keeps, is not even rendered) and copies the static files; returns what the
/// folder holds (path relative to `dir`, bytes) and the render errors.
fn fill(dir: &Path, renderer: &Renderer, prior: &manifest::Prior, store: &Pages) -> Result<Filled, Error> {
    type Written = Result<Result<(PathBuf, u64), Diagnostic>, Error>;
    let statics = renderer.statics();
    let results: Vec<Written> = renderer
        .jobs()
        .into_par_iter()
        // Small pieces: rayon splits a list into a few big ones otherwise, and the last of
        // them went on alone on one core for 50 ms while the other waited.
        .with_max_len(64)
        .map(|job| {
            let page = Renderer::is_page(job);
            let kept = |path: &str, read: &str, _: Option<&Path>| {
                let found = match prior.keep_if_read(path, read) {
                    Some(size) => {
                        store.keep(read);
                        safe_rel(path).map(|rel| (rel, size))
                    }
                    None => store.take(read, |bytes, hash| {
                        safe_rel(path).and_then(|rel| put_hashed(dir, &rel, bytes, hash, Some(read), prior).map(|()| (rel, bytes.len() as u64)))
                    })?,
                };
                if page {
                    crate::steps::count("pages rendered again", 0, 1);
                }
                Some(found)
            };
            let written = renderer.render_unless(job, Some(&kept), |f| {
                let rel = safe_rel(f.path)?;
                if page && f.key.is_some() {
                    crate::steps::count("pages rendered again", 1, 1);
                }
                let hash = xxh3_128(f.bytes);
                if let Some(read) = f.key {
                    store.add(read, f.bytes, hash);
                }
                put_hashed(dir, &rel, f.bytes, hash, f.key, prior)?;
                Ok((rel, f.bytes.len() as u64))
            });
            match written {
                Ok(w) => w.map(Ok),
                Err(d) => Ok(Err(d)),
            }
        })
        .collect();
    let mut written = Vec::with_capacity(results.len() + statics.len());
    let mut errors = Vec::new();
    for r in results {
        match r? {
            Ok(w) => written.push(w),
            Err(d) => errors.push(d),
        }
    }
    let copied: Result<Vec<(PathBuf, u64)>, Error> = statics
        .par_iter()
        .map(|(rel, src)| {
            let rel_path = safe_rel(rel)?;
            let n = match src {
                StaticSource::Embedded(b) => {
                    put_changed(dir, &rel_path, b, None, prior)?;
                    b.len() as u64
                }
                StaticSource::Disk(from) => {
                    let bytes = fs::read(from).map_err(|e| Error::Read(from.clone(), e))?;
                    put_changed(dir, &rel_path, &bytes, None, prior)?;
                    bytes.len() as u64
                }
            };
            Ok((rel_path, n))
        })
        .collect();
    written.extend(copied?);
    Ok((written, errors))
}

/// Makes every image's variants and every share card
/// (from the cache in `root` when it has them): what was written, and the images that
/// could not be decoded.
fn fill_media(dir: &Path, renderer: &Renderer, cache: &Cache, cards: &Pages, prior: &manifest::Prior) -> Result<Filled, Error> {
    let site = renderer.site();
    let put_at = |rel: &str, bytes: &[u8]| -> Result<(), Error> { put(dir, &safe_rel(rel)?, bytes, prior) };
    let quality = site.config.images.quality;
    let images: Vec<Result<Result<Vec<media::Made>, Diagnostic>, Error>> = crate::steps::time("write: images", || {
        site.images.par_iter().map(|img| media::variants(img, quality, cache, prior, put_at)).collect()
    });
    let to_draw = renderer.cards_to_draw();
    let drawn: Result<Vec<media::Made>, Error> = crate::steps::time("write: share cards", || {
        to_draw.par_iter().with_max_len(64).map(|(rel, text)| media::card(rel, text, cards, prior, put_at)).collect()
    });
    let (mut written, mut errors) = (Vec::new(), Vec::new());
    for r in images {
        match r? {
            Ok(made) => written.extend(made),
            Err(d) => errors.push(d),
        }
    }
    written.extend(drawn?);
    Ok((written.into_iter().map(|(p, n)| (PathBuf::from(p), n)).collect(), errors))
}

/// Writes `rel` in `dir`, creating its folder when needed (in a reused folder it usually
/// exists already; in a new one it is made before its first file).
fn put(dir: &Path, rel: &Path, bytes: &[u8], prior: &manifest::Prior) -> Result<(), Error> {
    if let Some(parent) = rel.parent().filter(|p| prior.first_in(p)) {
        let d = dir.join(parent);
        fs::create_dir_all(&d).map_err(|e| Error::Write(d, e))?;
    }
    let path = &dir.join(rel);
    match fs::write(path, bytes) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(d) = path.parent() {
                fs::create_dir_all(d).map_err(|e| Error::Write(d.to_path_buf(), e))?;
            }
            fs::write(path, bytes).map_err(|e| Error::Write(path.to_path_buf(), e))
        }
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            // The previous build had a folder where this build has a file.
            fs::remove_dir_all(path).map_err(|e| Error::Write(path.to_path_buf(), e))?;
            fs::write(path, bytes).map_err(|e| Error::Write(path.to_path_buf(), e))
        }
        Err(e) => Err(Error::Write(path.to_path_buf(), e)),
    }
}

/// Removes the files of `listed` (all that `dir` holds) that this build did not write, and
/// the folders they leave empty.
fn remove_listed<'a>(dir: &Path, listed: impl Iterator<Item = &'a str>, keep: &HashSet<PathBuf>) -> Result<(), Error> {
    for rel in listed {
        let Ok(rel) = safe_rel(rel) else { continue };
        if keep.contains(&rel) {
            continue;
        }
        let path = dir.join(&rel);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Write(path, e)),
        }
        // Folders left empty, innermost first (stops at the first that is not).
        for parent in rel.ancestors().skip(1).filter(|p| !p.as_os_str().is_empty()) {
            if fs::remove_dir(dir.join(parent)).is_err() {
                break;
            }
        }
    }
    Ok(())
}

/// Removes files (and then empty folders) under `dir` that this build did not write: for
/// a folder without a manifest to say what it holds.
fn remove_stale(dir: &Path, keep: &HashSet<PathBuf>) -> Result<(), Error> {
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).contents_first(true) {
        let entry = entry.map_err(|e| Error::Walk(dir.to_path_buf(), e.to_string()))?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        if entry.file_type().is_dir() {
            dirs.push(entry.path().to_path_buf());
        } else if !keep.contains(rel) && rel != Path::new(MARKER) && rel != Path::new(manifest::MANIFEST) {
            fs::remove_file(entry.path()).map_err(|e| Error::Write(entry.path().to_path_buf(), e))?;
        }
    }
    for d in dirs {
        // Fails (and is left) when not empty.
        let _ = fs::remove_dir(&d);
    }
    Ok(())
}

/// Refuses output folders that would destroy something: the site itself, one of its
/// parents, or a non-empty folder without our marker.
fn check_target(out_dir: &Path, root: &Path, force: bool) -> Result<(), Error> {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
        normalize(&p)
    };
    let (out_abs, root_abs) = (abs(out_dir), abs(root));
    if root_abs.starts_with(&out_abs) {
        return Err(Error::Refuse(format!("refusing to write the site into {}: it contains the site's own files", out_dir.display())));
    }
    if out_abs.parent().is_none() {
        return Err(Error::Refuse("refusing to write the site into the file-system root".into()));
    }
    if out_dir.exists() {
        if !out_dir.is_dir() {
            return Err(Error::Refuse(format!("{} exists and is not a folder", out_dir.display())));
        }
        let empty = fs::read_dir(out_dir).map_err(|e| Error::Read(out_dir.to_path_buf(), e))?.next().is_none();
        if !empty && !out_dir.join(MARKER).exists() && !force {
            return Err(Error::Refuse(format!(
                "refusing to replace {}: it is not empty and was not created by briefing (no {MARKER} file); \
                 choose another --output, empty it, or pass --force to replace it",
                out_dir.display()
            )));
        }
    }
    Ok(())
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// A site-relative path, refusing anything that could leave the output folder.
pub fn safe_rel(rel: &str) -> Result<PathBuf, Error> {
    let p = Path::new(rel);
    if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Error::Refuse(format!("refusing to write \"{rel}\": the path would leave the output folder")));
    }
    Ok(p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_rel_refuses_escapes() {
        assert!(safe_rel("briefs/a/index.html").is_ok());
        assert!(safe_rel("../x").is_err());
        assert!(safe_rel("/etc/passwd").is_err());
        assert!(safe_rel("a/../../x").is_err());
        assert!(safe_rel("").is_err());
    }
}
