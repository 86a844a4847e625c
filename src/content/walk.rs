//! Finding the files of `content/`: the Markdown files of each folder the load reads, and
//! every other file (images and attachments, for the media scan). A build finds them all in
//! one walk of each folder, the folders side by side.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::content::diag::Error;

/// A folder of `content/` the load reads, and whether its Markdown files may lie at any
/// depth (`briefs/2024/x.md`) or only at the top and in bundles (`companies/meta/index.md`).
#[derive(Clone, Copy)]
pub struct Folder {
    /// Its name under `content/`.
    pub name: &'static str,
    /// Markdown files at any depth.
    pub recursive: bool,
}

/// What one walk of `content/` found.
#[derive(Default)]
pub struct Walked {
    /// Each folder's Markdown files, in the order of [`path_order`].
    markdown: HashMap<&'static str, Vec<PathBuf>>,
    /// Every file that is not Markdown nor hidden, anywhere under `content/`.
    pub others: Vec<PathBuf>,
}

impl Walked {
    /// The Markdown files of `folder` (taken: asked once).
    pub fn take(&mut self, folder: &str) -> Vec<PathBuf> {
        self.markdown.remove(folder).unwrap_or_default()
    }
}

/// Walks `content/`: `folders` for their Markdown files and other files, and whatever else
/// it holds for other files only.
pub fn walk(content: &Path, folders: &[Folder]) -> Result<Walked, Error> {
    if !content.is_dir() {
        return Ok(Walked::default());
    }
    let mut roots: Vec<(PathBuf, Option<Folder>)> = Vec::new();
    for entry in std::fs::read_dir(content).map_err(|e| Error::Walk(content.to_path_buf(), e.to_string()))? {
        let entry = entry.map_err(|e| Error::Walk(content.to_path_buf(), e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        roots.push((entry.path(), folders.iter().find(|f| f.name == name).copied()));
    }
    let found: Vec<(Option<&'static str>, Vec<PathBuf>, Vec<PathBuf>)> = roots
        .into_par_iter()
        .map(|(path, folder)| {
            let (mut markdown, others) = walk_one(&path, folder)?;
            markdown.sort_by_cached_key(|p| path_order(p));
            Ok((folder.map(|f| f.name), markdown, others))
        })
        .collect::<Result<_, Error>>()?;
    let mut walked = Walked::default();
    for (name, markdown, others) in found {
        if let Some(name) = name {
            walked.markdown.insert(name, markdown);
        }
        walked.others.extend(others);
    }
    Ok(walked)
}

/// The Markdown files of `folder` at `path`, and its other files (`path` itself when it is
/// a file of `content/`).
fn walk_one(path: &Path, folder: Option<Folder>) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    let (mut markdown, mut others) = (Vec::new(), Vec::new());
    for entry in WalkDir::new(path) {
        let entry = entry.map_err(|e| Error::Walk(path.to_path_buf(), e.to_string()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if !name.ends_with(".md") {
            others.push(entry.into_path());
        } else if folder.is_some_and(|f| is_markdown_of(f.recursive, entry.depth(), &name)) {
            markdown.push(entry.into_path());
        }
    }
    Ok((markdown, others))
}

/// Whether a Markdown file named `name`, `depth` folders down its kind's folder, is one of
/// its documents: anywhere in a recursive folder; else at the top or as a bundle's
/// `index.md`.
fn is_markdown_of(recursive: bool, depth: usize, name: &str) -> bool {
    recursive || depth == 1 || (depth == 2 && name == "index.md")
}

/// The Markdown files of the folder `dir` alone (`serve` lists a folder again when files
/// were added or removed).
pub fn markdown_files(dir: &Path, recursive: bool) -> Result<Vec<PathBuf>, Error> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let walker = WalkDir::new(dir).min_depth(1).max_depth(if recursive { usize::MAX } else { 2 });
    for entry in walker {
        let entry = entry.map_err(|e| Error::Walk(dir.to_path_buf(), e.to_string()))?;
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.ends_with(".md") && !name.starts_with('.') && is_markdown_of(recursive, entry.depth(), &name) {
            out.push(entry.into_path());
        }
    }
    out.sort_by_cached_key(|p| path_order(p));
    Ok(out)
}

/// The order of a corpus's documents: component by component (a folder's files before a
/// sibling `a-b.md`), as a sorted walk gives them, which is by bytes with the separator
/// lowest. Much cheaper than comparing `Path`s, which splits both paths again at every
/// comparison.
pub fn path_order(path: &Path) -> Vec<u8> {
    path.as_os_str().as_encoded_bytes().iter().map(|&b| if std::path::is_separator(b as char) { 0 } else { b }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_in_the_order_of_a_sorted_walk() {
        let dir = std::env::temp_dir().join(format!("briefing-walk-{}", std::process::id()));
        for f in ["a.md", "a-c.md", "a/b.md", "a/z/y.md", "a/b-2.md", "B.md", "skip.txt", ".hidden.md"] {
            let path = dir.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        let found = markdown_files(&dir, true).unwrap();
        let names: Vec<String> = found.iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(names, ["B.md", "a/b-2.md", "a/b.md", "a/z/y.md", "a-c.md", "a.md"]);
    }

    #[test]
    fn one_walk_finds_what_the_folder_walks_and_the_media_scan_found() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path();
        for f in [
            "briefs/b.md",
            "briefs/2024/a.md",
            "briefs/x/index.md",
            "briefs/x/chart.png",
            "briefs/.hidden.md",
            "companies/meta.md",
            "companies/acme/index.md",
            "companies/acme/logo.png",
            "companies/acme/notes.md",
            "companies/a/b/index.md",
            "elsewhere/page.md",
            "elsewhere/photo.jpg",
            "top.png",
        ] {
            let p = content.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let folders = [Folder { name: "briefs", recursive: true }, Folder { name: "companies", recursive: false }];
        let mut walked = walk(content, &folders).unwrap();
        for f in folders {
            assert_eq!(walked.take(f.name), markdown_files(&content.join(f.name), f.recursive).unwrap(), "{}", f.name);
        }
        let rel = |p: &PathBuf| p.strip_prefix(content).unwrap().to_string_lossy().replace('\\', "/");
        let mut others: Vec<String> = walked.others.iter().map(rel).collect();
        others.sort();
        assert_eq!(others, ["briefs/x/chart.png", "companies/acme/logo.png", "elsewhere/photo.jpg", "top.png"]);
        let briefs = markdown_files(&content.join("briefs"), true).unwrap();
        assert_eq!(briefs.iter().map(rel).collect::<Vec<_>>(), ["briefs/2024/a.md", "briefs/b.md", "briefs/x/index.md"]);
        let companies = markdown_files(&content.join("companies"), false).unwrap();
        assert_eq!(companies.iter().map(rel).collect::<Vec<_>>(), ["companies/acme/index.md", "companies/meta.md"]);
    }
}
