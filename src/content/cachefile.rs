//! The files of `.briefing-cache/` ([`crate::content::model::CACHE_DIR`]) that whole
//! builds keep for the next one: each written whole or not at all, and read on a thread of
//! its own beside the work that needs it later.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

/// Writes `path` through `write` into a temporary file beside it, renamed into place when
/// whole: a build that stops half way, or another that reads at the same time, never sees
/// it cut short. The temporary file is removed when writing fails.
pub fn replace(path: &Path, write: impl FnOnce(&Path) -> std::io::Result<()>) -> std::io::Result<()> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(std::io::Error::other(format!("{} is not a file's path", path.display())));
    };
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let written = write(&tmp).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// A file being read on a thread of its own.
pub struct ReadBeside<T>(Mutex<Option<JoinHandle<Option<T>>>>);

impl<T: Send + 'static> ReadBeside<T> {
    /// Starts reading `path` with `read` (nothing at all with `skip`).
    pub fn start(path: PathBuf, skip: bool, read: fn(&Path) -> Option<T>) -> ReadBeside<T> {
        ReadBeside(Mutex::new((!skip).then(|| std::thread::spawn(move || read(&path)))))
    }

    /// What was read, waiting for it: `None` when skipped, unreadable, or already taken.
    pub fn wait(&self) -> Option<T> {
        let reading = self.0.lock().ok().and_then(|mut r| r.take())?;
        reading.join().ok().flatten()
    }
}

/// The first bytes of a cache file that only this program reads back: its format line, then
/// the program that wrote it (its length as four bytes, then its text). [`unseal`] reads it.
pub fn header(format: &[u8]) -> Vec<u8> {
    let stamp = crate::content::model::program_stamp();
    let mut out = Vec::with_capacity(format.len() + 4 + stamp.len());
    out.extend_from_slice(format);
    out.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
    out.extend_from_slice(stamp.as_bytes());
    out
}

/// What follows the [`header`] of a whole cache file's `bytes`: `None` unless they end with
/// the XXH3-128 hash of the rest, start with `format` and were written by this program (a
/// file cut short, changed by hand or written by another version is not read).
pub fn unseal<'a>(format: &[u8], bytes: &'a [u8]) -> Option<Cursor<'a>> {
    let (body, hash) = bytes.split_at_checked(bytes.len().checked_sub(16)?)?;
    if xxhash_rust::xxh3::xxh3_128(body).to_le_bytes() != hash {
        return None;
    }
    let mut c = Cursor(body.strip_prefix(format)?);
    let stamp = c.u32()? as usize;
    (c.take(stamp)? == crate::content::model::program_stamp().as_bytes()).then_some(c)
}

/// Reads a cache file's pieces in order; `None` past its end.
pub struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    /// The next four bytes, as a little-endian number.
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
