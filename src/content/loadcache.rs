//! What `serve` keeps of one load for the next: every parsed file, each folder's list of
//! files and the scan of the media files.
//!
//! Without a watcher, a kept file is reused when its size and modification time are
//! unchanged (one `stat` a file). While a watcher reports every change ([`LoadCache::watching`],
//! then [`LoadCache::saw`] for each batch of changes), the load after the first one
//! trusts it: a file, folder or media scan that no reported path touches is reused
//! without looking at the disk at all, so a save costs the same on a site of ten or ten
//! thousand briefs. When the watcher loses track (an error, an overflow), every file is
//! looked at again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::content::load::Doc;
use crate::content::walk::path_order;
use crate::content::media::Media;

/// Whether `inner` is `outer` or under it, comparing bytes (paths built the same way, from
/// the same root): `Path::starts_with` parses both into components.
fn nested(inner: &Path, outer: &Path) -> bool {
    let (i, o) = (inner.as_os_str().as_encoded_bytes(), outer.as_os_str().as_encoded_bytes());
    i.starts_with(o) && (i.len() == o.len() || i[o.len()] == b'/' || o.ends_with(b"/"))
}

/// Parsed files, folder lists and media kept between loads.
#[derive(Default)]
pub struct LoadCache {
    /// By path, as bytes (hashing a `Path` walks its components, ten thousand times a save).
    docs: Mutex<HashMap<std::ffi::OsString, Cached>>,
    listings: Mutex<HashMap<PathBuf, Arc<Vec<PathBuf>>>>,
    media: Mutex<Option<(u64, Media)>>,
    /// The paths (relative to the site's root) changed since the last complete load, as
    /// the watcher reported them; `None` when not known (no watcher yet, or it lost track).
    changed: RwLock<Option<Vec<PathBuf>>>,
    watched: AtomicBool,
}

struct Cached {
    modified: std::time::SystemTime,
    len: u64,
    doc: Arc<dyn std::any::Any + Send + Sync>,
}

impl LoadCache {
    /// A watcher now reports every change: the load after the next one may trust it.
    pub fn watching(&self) {
        self.watched.store(true, Ordering::Relaxed);
    }

    /// The watcher reports these paths (relative to the site's root) as changed.
    pub fn saw(&self, paths: impl IntoIterator<Item = PathBuf>) {
        if let Ok(mut changed) = self.changed.write() {
            if let Some(c) = changed.as_mut() {
                c.extend(paths);
            }
        }
    }

    /// The watcher may have missed changes: the next load looks at every file.
    pub fn lost_track(&self) {
        if let Ok(mut changed) = self.changed.write() {
            *changed = None;
        }
    }

    /// A load read every file it needed: from now on only reported paths can differ.
    pub(super) fn loaded(&self) {
        if self.watched.load(Ordering::Relaxed) {
            if let Ok(mut changed) = self.changed.write() {
                *changed = Some(Vec::new());
            }
        }
    }

    /// For each of `files` (under `root`), its kept document when a watcher is trusted
    /// and reported no change to it (looked up all at once: one lock, not one a file).
    pub(super) fn trusted<R: Send + Sync + 'static>(&self, root: &Path, files: &[PathBuf]) -> Vec<Option<Arc<Doc<R>>>> {
        let changed = self.changed.read().ok().and_then(|c| c.clone());
        let (Some(changed), Ok(docs)) = (changed, self.docs.lock()) else { return vec![None; files.len()] };
        let changed: Vec<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
        let kept = |file: &PathBuf| {
            if changed.iter().any(|p| nested(p, file) || nested(file, p)) {
                return None;
            }
            docs.get(file.as_os_str())?.doc.clone().downcast::<Doc<R>>().ok()
        };
        files.iter().map(kept).collect()
    }

    /// The kept document of `file` when its size and modification time are unchanged.
    pub(super) fn get<R: Send + Sync + 'static>(&self, file: &Path, meta: &std::fs::Metadata) -> Option<Arc<Doc<R>>> {
        let modified = meta.modified().ok()?;
        let docs = self.docs.lock().ok()?;
        let c = docs.get(file.as_os_str())?;
        if c.modified != modified || c.len != meta.len() {
            return None;
        }
        c.doc.clone().downcast::<Doc<R>>().ok()
    }

    /// Keeps a document just parsed.
    pub(super) fn put<R: Send + Sync + 'static>(&self, file: &Path, meta: &std::fs::Metadata, doc: &Arc<Doc<R>>) {
        if let (Ok(modified), Ok(mut docs)) = (meta.modified(), self.docs.lock()) {
            docs.insert(file.as_os_str().to_owned(), Cached { modified, len: meta.len(), doc: doc.clone() });
        }
    }

    /// The Markdown files of `dir` (under `root`; `recursive`, or files and bundles only):
    /// the kept list with the reported changes applied (a file edited, added or removed),
    /// or, when a whole folder came or went, listed again by `list`.
    pub(super) fn listing<E>(
        &self,
        root: &Path,
        dir: &Path,
        recursive: bool,
        list: impl FnOnce() -> Result<Vec<PathBuf>, E>,
    ) -> Result<Arc<Vec<PathBuf>>, E> {
        let kept = self.listings.lock().ok().and_then(|mut l| l.remove(dir));
        let changed = self.changed.read().ok().and_then(|c| c.clone());
        let files = match (kept, changed) {
            (Some(files), Some(changed)) => match patched(files, root, dir, recursive, &changed) {
                Some(files) => files,
                None => Arc::new(list()?),
            },
            _ => Arc::new(list()?),
        };
        if let Ok(mut l) = self.listings.lock() {
            l.insert(dir.to_path_buf(), files.clone());
        }
        Ok(files)
    }

    /// The media scan: kept when `key` (the bundles and static files) is the same and no
    /// reported change is a file beside the Markdown, a static file or a theme's file.
    pub(super) fn media<E>(&self, key: u64, scan: impl FnOnce() -> Result<Media, E>) -> Result<Media, E> {
        let media_changed = |p: &PathBuf| {
            let beside_markdown = p.starts_with("content") && p.extension().is_none_or(|e| e != "md");
            beside_markdown || p.starts_with("static") || p.starts_with("themes")
        };
        let trusted = self.changed.read().is_ok_and(|c| c.as_ref().is_some_and(|c| !c.iter().any(media_changed)));
        if trusted {
            if let Some((k, m)) = self.media.lock().ok().as_ref().and_then(|m| m.as_ref()) {
                if *k == key {
                    return Ok(m.clone());
                }
            }
        }
        let media = scan()?;
        if let Ok(mut m) = self.media.lock() {
            *m = Some((key, media.clone()));
        }
        Ok(media)
    }
}

/// `files` (sorted as the load sorts them) with the `changed` paths under `dir` applied;
/// `None` when a folder came or went (or `dir` itself changed): then it is listed again.
fn patched(mut files: Arc<Vec<PathBuf>>, root: &Path, dir: &Path, recursive: bool, changed: &[PathBuf]) -> Option<Arc<Vec<PathBuf>>> {
    let rel = dir.strip_prefix(root).unwrap_or(dir);
    for p in changed {
        if rel.starts_with(p) {
            return None;
        }
        if !p.starts_with(rel) {
            continue;
        }
        let file = root.join(p);
        let at = files.binary_search_by_key(&path_order(&file), |f| path_order(f));
        match at {
            Ok(i) if !file.is_file() => {
                Arc::make_mut(&mut files).remove(i);
            }
            Ok(_) => {}
            Err(i) if file.is_file() => {
                if of_folder(dir, &file, recursive) {
                    Arc::make_mut(&mut files).insert(i, file);
                }
            }
            // A folder made or moved here, or one that is gone with files of the list.
            Err(_) if file.is_dir() || files.iter().any(|f| f.starts_with(&file)) => return None,
            Err(_) => {}
        }
    }
    Some(files)
}

/// Whether `file` is one of the Markdown files the load reads in `dir`: any `.md` file
/// under a `recursive` folder, else the folder's own files and its bundles' `index.md`.
fn of_folder(dir: &Path, file: &Path, recursive: bool) -> bool {
    let name = file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let depth = file.strip_prefix(dir).map(|r| r.components().count()).unwrap_or(0);
    name.ends_with(".md") && !name.starts_with('.') && (recursive || depth == 1 || (depth == 2 && name == "index.md"))
}
