//! The images of front matter: a brief's or story's lead `image`, a company's `logo`, the
//! `image` of a person, product or author. Each is resolved like an image of the body and
//! must have alt text (a logo's defaults to the name).

use std::sync::Arc;

use super::links::Links;
use crate::content::diag::Diagnostics;
use crate::content::frontmatter::RawImage;
use crate::content::load::Doc;
use crate::content::markdown::AssetTarget;
use crate::site::Lead;

/// The image written under `key` of `doc`'s front matter, resolved; `None` (and an error)
/// when it has no alt text or leads nowhere.
pub(super) fn lead<R>(links: &Links<'_>, doc: &Doc<R>, key: &str, raw: &RawImage, default_alt: Option<&str>, diags: &mut Diagnostics) -> Option<Lead> {
    let alt = raw.alt.as_deref().map(str::trim).filter(|a| !a.is_empty()).or(default_alt);
    let Some(alt) = alt else {
        diags.push(
            doc.error_at(key, None, format!("the `{key}` has no alt text"))
                .with_hint(format!("add `alt:` under `{key}:`, describing the picture for readers who cannot see it")),
        );
        return None;
    };
    match links.assets.resolve(&doc.content_path, raw.src.trim()) {
        Ok(AssetTarget { picture: Some(picture), .. }) => {
            let (line, column) = doc.locate(key, Some(raw.src.trim()));
            links.record(&picture, &doc.path, line, column);
            let text = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
            Some(Lead { picture, alt: alt.to_string(), caption: text(&raw.caption), credit: text(&raw.credit) })
        }
        Ok(AssetTarget { .. }) => {
            diags.push(
                doc.error_at(key, Some(raw.src.trim()), format!("`{key}` \"{}\" is not an image", raw.src.trim()))
                    .with_hint("use a PNG, JPEG, WebP, GIF or SVG file"),
            );
            None
        }
        Err(e) => {
            diags.push(doc.error_at(key, Some(raw.src.trim()), e.message).with_hint_opt(e.hint));
            None
        }
    }
}

/// What front matter names as a document's image: the key, the image, its default alt text.
pub(super) type Named<'d> = Option<(&'static str, &'d RawImage, Option<&'d str>)>;

/// The image of each of `docs`, as `named` (one per document) picks it out of its front matter.
pub(super) fn leads<R>(links: &Links<'_>, docs: &[Arc<Doc<R>>], named: Vec<Named<'_>>, diags: &mut Diagnostics) -> Vec<Option<Lead>> {
    docs.iter()
        .zip(named)
        .map(|(doc, named)| {
            let (key, raw, default_alt) = named?;
            lead(links, doc, key, raw, default_alt, diags)
        })
        .collect()
}
