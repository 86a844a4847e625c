//! The manifest an output folder keeps of the files a build made (pages, media, static
//! files), each with the key of what it holds and its size, so that the next build into
//! the folder writes again only what changed.

use std::path::Path;

/// The files an output folder already holds, as its manifest (`.briefing-files`)
/// lists them: a file whose key and size still match is left as it is, not written again;
/// a page whose inputs' key ([`crate::render::File::key`]) and size still match is not
/// even rendered again.
#[derive(Default)]
pub struct Prior {
    dir: std::path::PathBuf,
    files: std::collections::HashMap<String, Entry>,
    /// Whether a manifest was read: then the folder holds exactly the files it lists.
    listed: bool,
    /// Every file made or kept in this build, for the next manifest.
    pub kept: std::sync::Mutex<Vec<(String, Entry)>>,
    /// In a folder this build started empty, the folders made in it so far.
    made: Option<std::sync::Mutex<std::collections::HashSet<std::path::PathBuf>>>,
}

/// What the manifest says of a file: the key of its bytes (or of what they were made from,
/// for media), its size, and for a page the key of what it read.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    key: String,
    size: u64,
    read: Option<String>,
}

/// The manifest's name in an output folder: every file a build made (pages, media, static
/// files), each with the key of what it holds and its size.
pub const MANIFEST: &str = ".briefing-files";

/// The manifest's first line: a manifest of another format is not read (every file is
/// made again).
const FORMAT: &str = "briefing-files 3";

impl Prior {
    /// What the output folder `dir` holds (nothing when `reused` is false). The manifest is
    /// removed from the folder as it is read: a build that stops half way leaves none, and
    /// the next one does not trust the folder's list of files.
    pub fn read(dir: &Path, reused: bool) -> Prior {
        let path = dir.join(MANIFEST);
        let text = if reused { std::fs::read_to_string(&path).unwrap_or_default() } else { String::new() };
        let mut lines = text.lines();
        let listed = lines.next() == Some(FORMAT) && std::fs::remove_file(&path).is_ok();
        let files = if listed { lines.filter_map(parse_line).collect() } else { Default::default() };
        let made = (!reused).then(Default::default);
        Prior { dir: dir.to_path_buf(), files, listed, kept: Default::default(), made }
    }

    /// Whether the folder `rel` must be made before a file is written in it: in a folder
    /// this build started empty, the first time it is asked (making it first spares the
    /// kernel a failed attempt to create the file, for each of ten thousand folders); in a
    /// reused one, never (the file is written, and its folder made only if that fails).
    pub fn first_in(&self, rel: &Path) -> bool {
        let Some(made) = &self.made else { return false };
        !rel.as_os_str().is_empty() && made.lock().is_ok_and(|mut m| m.insert(rel.to_path_buf()))
    }

    /// Every file the folder holds, when its manifest says so.
    pub fn listed(&self) -> Option<impl Iterator<Item = &str>> {
        self.listed.then(|| self.files.keys().map(String::as_str))
    }

    /// The size of the file at `path` on disk when the manifest says it has `size`.
    fn on_disk(&self, path: &str, size: u64) -> Option<u64> {
        let on_disk = std::fs::metadata(self.dir.join(path)).ok()?.len();
        (size == on_disk).then_some(on_disk)
    }

    /// The size of the file at `path` when it holds what `key` makes.
    pub fn unchanged(&self, path: &str, key: &str) -> Option<u64> {
        let e = self.files.get(path)?;
        if e.key != key {
            return None;
        }
        self.on_disk(path, e.size)
    }

    /// The size of the page at `path` when it was made from what `read` keys, and records
    /// that it is kept as it is.
    pub fn keep_if_read(&self, path: &str, read: &str) -> Option<u64> {
        let e = self.files.get(path)?;
        if e.read.as_deref() != Some(read) {
            return None;
        }
        let size = self.on_disk(path, e.size)?;
        self.push(path, e.clone());
        Some(size)
    }

    /// Records that `path` holds what `key` makes, for the next build.
    pub fn keep(&self, path: &str, key: &str, size: u64) {
        self.push(path, Entry { key: key.to_string(), size, read: None });
    }

    /// Records that the page at `path` holds bytes of key `key`, made from what `read` keys.
    pub fn keep_page(&self, path: &str, key: &str, size: u64, read: &str) {
        self.push(path, Entry { key: key.to_string(), size, read: Some(read.to_string()) });
    }

    fn push(&self, path: &str, entry: Entry) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.push((path.to_string(), entry));
        }
    }

    /// Writes the manifest of this build to `path`, line by line (at 50,000 briefs it
    /// lists 172,000 files: it is never held whole in memory).
    pub fn write_manifest(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let mut kept = self.kept.lock().map(|mut k| std::mem::take(&mut *k)).unwrap_or_default();
        rayon::slice::ParallelSliceMut::par_sort_unstable(&mut kept[..]);
        let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
        writeln!(w, "{FORMAT}")?;
        for (path, e) in kept {
            w.write_all(e.key.as_bytes())?;
            write!(w, "\t{}\t", e.size)?;
            for part in [e.read.as_deref().unwrap_or("-"), "\t", &path, "\n"] {
                w.write_all(part.as_bytes())?;
            }
        }
        w.flush()
    }
}

/// `key<TAB>size<TAB>read<TAB>path` (`read` is `-` for files other than pages).
fn parse_line(l: &str) -> Option<(String, Entry)> {
    let mut parts = l.splitn(4, '\t');
    let (key, size, read, path) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?, parts.next()?);
    let read = (read != "-").then(|| read.to_string());
    Some((path.to_string(), Entry { key: key.to_string(), size, read }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_what_was_written_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let (hash, read) = (format!("{:032x}", u128::MAX - 0xa5), format!("{:032x}", 42u128));
        std::fs::write(dir.path().join("a.html"), b"abc").unwrap();
        std::fs::write(dir.path().join("b.png"), b"png!").unwrap();
        let prior = Prior::read(dir.path(), false);
        prior.keep_page("a.html", &hash, 3, &read);
        prior.keep("b.png", "not-a-hash", 4);
        prior.write_manifest(&dir.path().join(MANIFEST)).unwrap();
        let written = std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert_eq!(written, format!("{FORMAT}\n{hash}\t3\t{read}\ta.html\nnot-a-hash\t4\t-\tb.png\n"));

        let again = Prior::read(dir.path(), true);
        assert_eq!(again.keep_if_read("a.html", &read), Some(3));
        assert_eq!(again.keep_if_read("a.html", &hash), None, "read from something else");
        assert_eq!(again.unchanged("a.html", &hash), Some(3));
        assert_eq!(again.unchanged("a.html", &hash.to_uppercase()), None);
        assert_eq!(again.unchanged("b.png", "not-a-hash"), Some(4));
        again.write_manifest(&dir.path().join(MANIFEST)).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap(), format!("{FORMAT}\n{hash}\t3\t{read}\ta.html\n"));
    }
}
