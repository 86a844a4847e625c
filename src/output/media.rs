//! The media files of the output: every shown image's resized variants and every share
//! card, taken from the cache when it has them and else made (and kept there for the next
//! build).

use crate::content::diag::{Diagnostic, Error};
use crate::content::media::Format;
use crate::output::cache::Cache;
use crate::output::manifest::Prior;
use crate::output::pages::Pages;
use crate::render::cards::{self, CardText};
use crate::render::images;
use crate::site::SiteImage;

/// What one file of the output took: its site-relative path and size.
pub type Made = (String, u64);

/// Makes the variants of `img` and hands each to `put` (site-relative path, bytes).
/// An image that cannot be decoded is a diagnostic at the file that shows it.
pub fn variants(
    img: &SiteImage,
    quality: u8,
    cache: &Cache,
    prior: &Prior,
    mut put: impl FnMut(&str, &[u8]) -> Result<(), Error>,
) -> Result<Result<Vec<Made>, Diagnostic>, Error> {
    let p = &img.picture;
    let wanted = p.variants();
    if wanted.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let source = std::fs::read(&p.disk).map_err(|e| Error::Read(p.disk.clone(), e))?;
    let key = Cache::key(&[&source, &[quality]]);
    let kept: Option<Vec<Made>> = wanted.iter().map(|(path, ..)| Some((path.clone(), prior.unchanged(path, &key)?))).collect();
    if let Some(kept) = kept {
        kept.iter().for_each(|(path, n)| prior.keep(path, &key, *n));
        return Ok(Ok(kept));
    }
    let mut decoded = None;
    let mut made = Vec::with_capacity(wanted.len());
    for (path, width, format) in wanted {
        let name = format!("{width}w.{}", format.ext());
        // The original's own width in its own format is the original (a JPEG is made again:
        // it may need turning as its EXIF orientation says).
        let own = width == p.info.width && format == p.info.format && format != Format::Jpeg;
        let cached = if own { Some(source.clone()) } else { cache.get("images", &key, &name) };
        let bytes = match cached {
            Some(bytes) => bytes,
            None => {
                if decoded.is_none() {
                    match images::decode(&source) {
                        Ok(d) => decoded = Some(d),
                        Err(e) => return Ok(Err(unreadable(img, &e))),
                    }
                }
                let Some(d) = decoded.as_ref() else { continue };
                let bytes = match d.encode(width, p.height_at(width), format, quality) {
                    Ok(b) => b,
                    Err(e) => return Ok(Err(unreadable(img, &e))),
                };
                cache.put("images", &key, &name, &bytes);
                bytes
            }
        };
        put(&path, &bytes)?;
        prior.keep(&path, &key, bytes.len() as u64);
        made.push((path, bytes.len() as u64));
    }
    Ok(Ok(made))
}

/// Draws a share card (or takes it from the store of cards) and hands it to `put`.
pub fn card(
    rel: &str,
    text: &CardText,
    store: &Pages,
    prior: &Prior,
    mut put: impl FnMut(&str, &[u8]) -> Result<(), Error>,
) -> Result<Made, Error> {
    let key = Cache::key(&[format!("{text:?}{:?}", cards::STYLE).as_bytes()]);
    crate::steps::count("share cards drawn", 0, 1);
    if let Some(n) = prior.unchanged(rel, &key) {
        prior.keep(rel, &key, n);
        store.keep(&key);
        return Ok((rel.to_string(), n));
    }
    let mut written = |bytes: &[u8]| {
        put(rel, bytes)?;
        prior.keep(rel, &key, bytes.len() as u64);
        Ok((rel.to_string(), bytes.len() as u64))
    };
    if let Some(made) = store.take(&key, |bytes, _| written(bytes)) {
        return made;
    }
    crate::steps::count("share cards drawn", 1, 0);
    let bytes = cards::draw(text, &cards::STYLE).map_err(|e| Error::Refuse(format!("cannot draw the share card {rel}: {e}")))?;
    store.add(&key, &bytes, xxhash_rust::xxh3::xxh3_128(&bytes));
    written(&bytes)
}

fn unreadable(img: &SiteImage, why: &str) -> Diagnostic {
    Diagnostic::error(&img.from, img.line, img.column, format!("the image {} cannot be decoded: {why}", img.picture.disk.display()))
        .with_hint("the file is damaged or truncated: export it again as PNG, JPEG or WebP")
}
