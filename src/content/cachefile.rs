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
