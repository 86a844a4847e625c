//! The manifest an output folder keeps of the files a build made (pages, media, static
//! files), each with the key of what it holds and its size, so that the next build into
//! the folder writes again only what changed.

use std::path::Path;

/// The files an output folder already holds, as its manifest (`.briefing-files`)
/// lists them: a file whose key and size still match is left as it is, not written again.
#[derive(Default)]
pub struct Prior {
    dir: std::path::PathBuf,
    files: std::collections::HashMap<String, (String, u64)>,
    /// Key of every file made or kept in this build, for the next manifest.
    pub kept: std::sync::Mutex<Vec<(String, String, u64)>>,
}

/// The manifest's name in an output folder: every file a build made (pages, media, static
/// files), each with the key of what it holds and its size.
pub const MANIFEST: &str = ".briefing-files";

impl Prior {
    /// What the output folder `dir` holds (nothing when `reused` is false).
    pub fn read(dir: &Path, reused: bool) -> Prior {
        let text = if reused { std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default() } else { String::new() };
        let files = text
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, '\t');
                let (key, size, path) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?);
                Some((path.to_string(), (key.to_string(), size)))
            })
            .collect();
        Prior { dir: dir.to_path_buf(), files, kept: Default::default() }
    }

    /// The size of the file at `path` when it holds what `key` makes.
    pub fn unchanged(&self, path: &str, key: &str) -> Option<u64> {
        let (k, size) = self.files.get(path)?;
        let on_disk = std::fs::metadata(self.dir.join(path)).ok()?.len();
        (k == key && *size == on_disk).then_some(on_disk)
    }

    /// Records that `path` holds what `key` makes, for the next build.
    pub fn keep(&self, path: &str, key: &str, size: u64) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.push((path.to_string(), key.to_string(), size));
        }
    }

    /// The manifest of this build.
    pub fn manifest(&self) -> String {
        let mut kept = self.kept.lock().map(|k| k.clone()).unwrap_or_default();
        kept.sort();
        kept.iter().map(|(path, key, size)| format!("{key}\t{size}\t{path}\n")).collect()
    }
}
