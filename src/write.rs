//! Stage 4, write: commits an [`Output`] to the output folder, all or nothing.
//!
//! The new site is written into a staging folder beside the output and swapped in with
//! two renames only when every file was written, so a failed build leaves the previous
//! output as it was. Nothing is written outside the output folder and its two siblings,
//! and a non-empty folder that briefing did not create is never replaced unless forced.

use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::load::StaticSource;
use crate::render::Output;
use crate::Error;

/// The file that marks an output folder as briefing's own.
pub const MARKER: &str = ".briefing-output";

/// What was written.
#[derive(Debug, Default)]
pub struct WriteReport {
    /// Number of files.
    pub files: usize,
    /// Total bytes.
    pub bytes: u64,
}

/// Writes `output` to `out_dir`, replacing what was there. `force` allows replacing a
/// folder briefing did not create. `root` is the site folder, which is never replaced.
pub fn write(output: &Output, out_dir: &Path, root: &Path, force: bool) -> Result<WriteReport, Error> {
    check_target(out_dir, root, force)?;
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::Write(parent.clone(), e))?;
    let staging = parent.join(format!(".{name}.briefing-new"));
    let old = parent.join(format!(".{name}.briefing-old"));
    for leftover in [&staging, &old] {
        if leftover.exists() {
            fs::remove_dir_all(leftover).map_err(|e| Error::Write(leftover.clone(), e))?;
        }
    }
    let result = fill(output, &staging);
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if out_dir.exists() {
        fs::rename(out_dir, &old).map_err(|e| Error::Write(out_dir.to_path_buf(), e))?;
        if let Err(e) = fs::rename(&staging, out_dir) {
            let _ = fs::rename(&old, out_dir);
            return Err(Error::Write(out_dir.to_path_buf(), e));
        }
        fs::remove_dir_all(&old).map_err(|e| Error::Write(old.clone(), e))?;
    } else {
        fs::rename(&staging, out_dir).map_err(|e| Error::Write(out_dir.to_path_buf(), e))?;
    }
    Ok(report)
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
        return Err(Error::Refuse(format!(
            "refusing to write the site into {}: it contains the site's own files",
            out_dir.display()
        )));
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

/// Joins a site-relative path under `dir`, refusing anything that could escape it.
pub fn safe_join(dir: &Path, rel: &str) -> Result<PathBuf, Error> {
    let p = Path::new(rel);
    if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Error::Refuse(format!("refusing to write \"{rel}\": the path would leave the output folder")));
    }
    Ok(dir.join(p))
}

fn fill(output: &Output, staging: &Path) -> Result<WriteReport, Error> {
    fs::create_dir_all(staging).map_err(|e| Error::Write(staging.to_path_buf(), e))?;
    // Folders first (sorted, deduplicated), then files in parallel.
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut targets: Vec<(PathBuf, FileBytes<'_>)> = Vec::with_capacity(output.files.len() + output.statics.len());
    for f in &output.files {
        targets.push((safe_join(staging, &f.path)?, FileBytes::Mem(&f.bytes)));
    }
    for (rel, src) in &output.statics {
        targets.push((safe_join(staging, rel)?, FileBytes::Static(src)));
    }
    for (path, _) in &targets {
        if let Some(d) = path.parent() {
            dirs.push(d.to_path_buf());
        }
    }
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| Error::Write(d.clone(), e))?;
    }
    let sizes: Result<Vec<u64>, Error> = targets
        .par_iter()
        .map(|(path, bytes)| match bytes {
            FileBytes::Mem(b) => {
                let mut f = fs::File::create(path).map_err(|e| Error::Write(path.clone(), e))?;
                f.write_all(b).map_err(|e| Error::Write(path.clone(), e))?;
                Ok(b.len() as u64)
            }
            FileBytes::Static(StaticSource::Embedded(b)) => {
                fs::write(path, b).map_err(|e| Error::Write(path.clone(), e))?;
                Ok(b.len() as u64)
            }
            FileBytes::Static(StaticSource::Disk(src)) => fs::copy(src, path).map_err(|e| Error::Write(path.clone(), e)),
        })
        .collect();
    let sizes = sizes?;
    fs::write(staging.join(MARKER), b"This folder is written by `briefing build`; it is replaced on every build.\n")
        .map_err(|e| Error::Write(staging.join(MARKER), e))?;
    Ok(WriteReport { files: sizes.len(), bytes: sizes.iter().sum() })
}

enum FileBytes<'a> {
    Mem(&'a [u8]),
    Static(&'a StaticSource),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_escapes() {
        let d = Path::new("/tmp/out");
        assert!(safe_join(d, "briefs/a/index.html").is_ok());
        assert!(safe_join(d, "../x").is_err());
        assert!(safe_join(d, "/etc/passwd").is_err());
        assert!(safe_join(d, "a/../../x").is_err());
        assert!(safe_join(d, "").is_err());
    }
}
