//! Where references to files point: images and links in bodies, and the images of front
//! matter. A relative reference is read from its content file's folder, and must name a file
//! of a bundle (published beside its page) or of `static/`; a reference starting with `/`
//! names a file of the site from its root, and is written under the base path.

use ahash::AHashMap as HashMap;

use crate::content::diag::did_you_mean;
use crate::content::markdown::{AssetTarget, LinkError};
use crate::content::media::{Media, MediaFile, Picture};
use crate::site::paths;

/// What file references can point at.
pub(super) struct Assets<'a> {
    /// `/` or `/briefing/`.
    pub base: &'a str,
    /// The files beside the Markdown.
    pub media: &'a Media,
    /// Path under content/ -> site-relative path of its page.
    pub files: &'a HashMap<&'a str, String>,
    /// `[images] widths`.
    pub widths: &'a [u32],
}

impl Assets<'_> {
    /// A fingerprint of what references can resolve to, for the Markdown cache.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = crate::content::model::fingerprinter();
        (self.base, self.widths).hash(&mut h);
        for (path, f) in &self.media.bundled {
            (path, f.image.as_ref().map(|i| i.as_ref().ok())).hash(&mut h);
        }
        let mut statics: Vec<(&String, Option<_>)> =
            self.media.statics.iter().map(|(p, f)| (p, f.image.as_ref().map(|i| i.as_ref().ok()))).collect();
        statics.sort_unstable_by_key(|(p, _)| *p);
        statics.hash(&mut h);
        let mut others: Vec<&String> = self.media.static_paths.iter().chain(&self.media.stray).collect();
        others.sort_unstable();
        others.hash(&mut h);
        h.finish()
    }

    /// Where `target`, written in the file at `from` (a path under content/), points.
    pub fn resolve(&self, from: &str, target: &str) -> Result<AssetTarget, LinkError> {
        let cut = target.find(['#', '?']).unwrap_or(target.len());
        let (path, suffix) = target.split_at(cut);
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        if path.trim().is_empty() {
            return Err(LinkError { message: "the link names no file".into(), hint: Some("write the file's name between the parentheses: ![A chart](chart.png)".into()) });
        }
        if let Some(rooted) = path.strip_prefix('/') {
            return self.rooted(rooted, suffix);
        }
        let last = path.rsplit('/').next().unwrap_or("");
        if matches!(last, "" | "." | "..") {
            return Err(LinkError {
                message: format!("\"{target}\" names a folder, not a file"),
                hint: Some("link a page by its .md file, such as [Meta](../companies/meta.md), or with [[meta]]".into()),
            });
        }
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let joined = paths::join(&format!("content/{dir}"), &path).ok_or_else(|| LinkError {
            message: format!("\"{target}\" points outside the site's folder"),
            hint: Some("reference files of content/ relative to this file, and files of static/ from the site root: /images/x.png".into()),
        })?;
        if let Some(rel) = joined.strip_prefix("static/") {
            return self.rooted(rel, suffix);
        }
        let Some(in_content) = joined.strip_prefix("content/") else {
            return Err(LinkError {
                message: format!("\"{target}\" points to {joined}, outside content/ and static/"),
                hint: Some("put the file beside this one in a bundle, or in static/".into()),
            });
        };
        if let Some(file) = self.media.bundled.get(in_content) {
            if let Some(out) = self.bundle_out(in_content) {
                return self.target(out, file, &format!("content/{in_content}"), suffix);
            }
        }
        Err(self.missing(from, target, in_content))
    }

    /// A file named from the site root (`images/x.png`): one of `static/` or a bundle's.
    fn rooted(&self, rel: &str, suffix: &str) -> Result<AssetTarget, LinkError> {
        if let Some(file) = self.media.statics.get(rel) {
            return self.target(rel.to_string(), file, &format!("static/{rel}"), suffix);
        }
        let last = rel.rsplit('/').next().unwrap_or("");
        let is_page = last.is_empty() || last.ends_with(".html") || !last.contains('.');
        if self.media.static_paths.contains(rel) || is_page || self.bundled_at(rel) {
            // Pages are checked by `briefing check`, with every other link of the output.
            return Ok(AssetTarget { url: format!("{}{rel}{suffix}", self.base), picture: None });
        }
        Err(LinkError {
            message: format!("\"/{rel}\" is no file of static/ and no bundle's"),
            hint: did_you_mean(rel, self.media.static_paths.iter().map(String::as_str))
                .map(|k| format!("did you mean \"/{k}\"?"))
                .or_else(|| Some(format!("put the file at static/{rel}, or beside this file in its bundle"))),
        })
    }

    /// Whether some bundle publishes a file at `rel`.
    fn bundled_at(&self, rel: &str) -> bool {
        self.media.bundled.keys().any(|k| self.bundle_out(k).as_deref() == Some(rel))
    }

    /// A found file: its URL, and its picture when it is an image (or why it cannot be shown).
    fn target(&self, out: String, file: &MediaFile, shown: &str, suffix: &str) -> Result<AssetTarget, LinkError> {
        let url = format!("{}{out}{suffix}", self.base);
        match &file.image {
            None => Ok(AssetTarget { url, picture: None }),
            Some(Ok(info)) => Ok(AssetTarget { url, picture: Some(Picture::new(out, file.disk.clone(), *info, self.widths)) }),
            Some(Err(why)) => Err(LinkError {
                message: format!("the image {shown} {why}"),
                hint: Some("replace the file with a PNG, JPEG, WebP, GIF or SVG image of at most 50 MB and 40 megapixels".into()),
            }),
        }
    }

    /// Every file of a published bundle: where it is published, and its source.
    pub fn attachments(&self) -> Vec<(String, std::path::PathBuf)> {
        self.media.bundled.iter().filter_map(|(k, f)| Some((self.bundle_out(k)?, f.disk.clone()))).collect()
    }

    /// Where a bundle's file is published: beside its page (`briefs/x/chart.png`).
    fn bundle_out(&self, in_content: &str) -> Option<String> {
        let mut dir = in_content;
        while let Some((d, _)) = dir.rsplit_once('/') {
            if let Some(page) = self.files.get(format!("{d}/index.md").as_str()) {
                return Some(format!("{page}{}", &in_content[d.len() + 1..]));
            }
            dir = d;
        }
        None
    }

    /// Why `target` leads nowhere, and what to do.
    fn missing(&self, from: &str, target: &str, in_content: &str) -> LinkError {
        if self.media.stray.contains(in_content) || self.media.bundled.contains_key(in_content) {
            let stem = from.rsplit('/').next().unwrap_or(from).trim_end_matches(".md");
            let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
            let hint = if from.ends_with("/index.md") {
                "publish the page of this bundle, or move the file to static/".to_string()
            } else {
                format!("make this file a bundle: move it to content/{dir}/{stem}/index.md and put the file beside it")
            };
            return LinkError {
                message: format!("\"{target}\" points to content/{in_content}, which is not published: only a bundle's own files are"),
                hint: Some(hint),
            };
        }
        let dir = in_content.rsplit_once('/').map_or("", |(d, _)| d);
        let near = self.media.bundled.keys().filter(|k| k.starts_with(dir)).map(String::as_str);
        LinkError {
            message: format!("\"{target}\" points to content/{in_content}, which does not exist"),
            hint: did_you_mean(in_content, near).map(|k| format!("did you mean content/{k}?")),
        }
    }
}
