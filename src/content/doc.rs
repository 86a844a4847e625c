//! One content file as the load gives it: where it is, its front matter, and its text,
//! which the load may not have read (a file known unchanged by [`super::stamps`]) and a
//! build may free once rendered: then read from disk when something asks for it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::content::diag::Diagnostic;
use crate::content::frontcache::{Front, FrontCache};
use crate::content::frontmatter::{self, Split};
use crate::content::load::bundle_of;
use crate::content::stamps::{Known, Stamp, Stamps};

/// One content file: its text and its parsed front matter.
#[derive(Debug)]
pub struct Doc<R> {
    /// Path for messages: relative to the current folder when the root is.
    pub path: PathBuf,
    /// Path relative to `content/`, with `/` separators (for `.md` links).
    pub content_path: String,
    /// File name without `.md`.
    pub stem: String,
    /// The file on disk.
    disk: PathBuf,
    /// Whole file: as read, or read from `disk` when first asked for (a file known
    /// unchanged is not read by the load; a text freed is read again for a message).
    text: OnceLock<String>,
    /// Where the YAML starts and ends, and where the body starts.
    pub yaml_offset: usize,
    yaml_len: usize,
    /// Byte offset of the Markdown body in `text`.
    pub body_offset: usize,
    /// The XXH3-128 hash of the body, when the load knows it.
    body_hash: Option<[u8; 16]>,
    /// Where in the body the placeholder text of `briefing new` starts, when it holds it
    /// (looked for once, when the file is read; the record keeps it for a file not read).
    placeholder: Option<usize>,
    /// The front matter.
    pub raw: R,
}

impl<R> Doc<R> {
    /// The document of `file` (under `content`), read as `text`, with its parts' offsets
    /// (YAML start and length, body start) and front matter.
    pub(crate) fn read(path: PathBuf, content: &Path, file: &Path, text: String, parts: [usize; 3], raw: R) -> Doc<R> {
        let (content_path, stem) = names(content, file);
        let [yaml_offset, yaml_len, body_offset] = parts;
        let first = crate::content::model::PLACEHOLDER.lines().next().unwrap_or_default();
        let placeholder = text.get(body_offset..).and_then(|body| body.find(first));
        let (disk, text) = (file.to_path_buf(), OnceLock::from(text));
        Doc { path, content_path, stem, disk, text, yaml_offset, yaml_len, body_offset, body_hash: None, placeholder, raw }
    }

    /// What the next build needs of this document, whose front matter `front` keys, to
    /// know it without reading it; the body's hash is kept for this build too.
    pub(crate) fn known(&mut self, front: crate::content::frontcache::Key) -> Known {
        let body = self.body_hash();
        self.body_hash = Some(body);
        let parts = [self.yaml_offset, self.yaml_len, self.body_offset, self.placeholder.unwrap_or(usize::MAX)].map(|p| p as u64);
        Known { front, body, parts }
    }

    /// Whole file (read again from disk if it was not read or was freed; empty if it
    /// cannot be).
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| std::fs::read_to_string(&self.disk).unwrap_or_default())
    }

    /// The Markdown body.
    pub fn body(&self) -> &str {
        self.text().get(self.body_offset..).unwrap_or_default()
    }

    /// The XXH3-128 hash of the body (what kept bodies are known by).
    pub fn body_hash(&self) -> [u8; 16] {
        self.body_hash.unwrap_or_else(|| xxhash_rust::xxh3::xxh3_128(self.body().as_bytes()).to_le_bytes())
    }

    /// Where in the body the first line of [`crate::content::model::PLACEHOLDER`] starts,
    /// when the body holds it.
    pub fn placeholder(&self) -> Option<usize> {
        self.placeholder
    }

    /// Frees the file's text once nothing but a message will read it again.
    pub fn drop_text(&mut self) {
        self.text = OnceLock::new();
    }

    /// The folder of its bundle under `content/` (`briefs/x` for `briefs/x/index.md`), when
    /// it is one: the files beside it are its own.
    pub fn bundle(&self) -> Option<&str> {
        bundle_of(&self.content_path)
    }

    /// The front-matter split, for locating values.
    pub fn split(&self) -> Split<'_> {
        Split {
            yaml: self.text().get(self.yaml_offset..self.yaml_offset.saturating_add(self.yaml_len)).unwrap_or_default(),
            yaml_line: 2,
            yaml_offset: self.yaml_offset,
            body: self.body(),
            body_offset: self.body_offset,
        }
    }

    /// Line and column of `key` (and `needle` after it) in the front matter.
    pub fn locate(&self, key: &str, needle: Option<&str>) -> (usize, usize) {
        frontmatter::locate(self.text(), &self.split(), key, needle)
    }

    /// An error about the value of `key`, located and showing its line.
    pub fn error_at(&self, key: &str, needle: Option<&str>, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.locate(key, needle);
        Diagnostic::error(&self.path, line, col, message).with_source(self.text())
    }

    /// A warning about `key`.
    pub fn warning_at(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.locate(key, None);
        Diagnostic::warning(&self.path, line, col, message).with_source(self.text())
    }
}


/// A file's path under `content/` (with `/`) and the name it gives its document.
pub(crate) fn names(content: &Path, file: &Path) -> (String, String) {
    let content_path =
        file.strip_prefix(content).unwrap_or(file).components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    // A bundle is named by its folder.
    let named = if bundle_of(&content_path).is_some() { file.parent().unwrap_or(file) } else { file };
    let stem = named.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    (content_path, stem)
}

/// The document of `file` without reading it, when its stamp is the one the last build
/// read it with and its front matter is kept.
pub(crate) fn known_doc<R: Front>(stamps: &Stamps, front: &FrontCache, stamp: Stamp, path: &Path, content: &Path, file: &Path) -> Option<Doc<R>> {
    let (content_path, stem) = names(content, file);
    let known = stamps.known(&content_path, stamp)?;
    let raw = front.get::<R>(known.front)?;
    stamps.used(&content_path, stamp, known);
    let [yaml_offset, yaml_len, body_offset, at] = known.parts.map(|p| usize::try_from(p).unwrap_or(usize::MAX));
    let placeholder = (at != usize::MAX).then_some(at);
    let (path, disk, text, body_hash) = (path.to_path_buf(), file.to_path_buf(), OnceLock::new(), Some(known.body));
    Some(Doc { path, content_path, stem, disk, text, yaml_offset, yaml_len, body_offset, body_hash, placeholder, raw })
}
