//! Checks of single front-matter values that every step shares: required strings, URLs,
//! dates, slugs from file stems, and the message for a slug that names nothing.

use std::sync::Arc;

use crate::content::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::content::kinds::Kind;
use crate::content::load::Doc;
use crate::content::model::{Date, HttpUrl, Slug};
use chrono_tz::Tz;

/// Each document's slug from its file stem; a stem that is not a slug is an error.
pub(super) fn stem_slugs<R>(docs: &[Arc<Doc<R>>], kind: &str, diags: &mut Diagnostics) -> Vec<Option<Slug>> {
    docs.iter()
        .map(|d| match Slug::parse(&d.stem) {
            Ok(s) => Some(s),
            Err(msg) => {
                diags.push(
                    Diagnostic::error(&d.path, 1, 1, format!("the file name of a {kind} is its slug: {msg}"))
                        .with_hint(format!("rename the file to {}.md", Slug::from_text(&d.stem))),
                );
                None
            }
        })
        .collect()
}

/// A required, non-empty string field.
pub(super) fn required<R>(doc: &Doc<R>, key: &str, value: Option<&String>, diags: &mut Diagnostics) -> Option<String> {
    match value.map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Some(v.to_string()),
        Some(_) => {
            diags.push(doc.error_at(key, None, format!("`{key}` must not be empty")));
            None
        }
        None if doc.split().yaml.lines().any(|l| l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))) => {
            diags.push(doc.error_at(key, None, format!("`{key}` is empty")).with_hint(format!("write the {key} after `{key}:`")));
            None
        }
        None => {
            diags.push(
                Diagnostic::error(&doc.path, 2, 1, format!("missing required key `{key}`"))
                    .with_hint(format!("add a line `{key}: ...` to the front matter"))
                    .with_source(doc.text()),
            );
            None
        }
    }
}

/// An optional http(s) URL.
pub(super) fn url_field<R>(doc: &Doc<R>, key: &str, value: Option<&String>, diags: &mut Diagnostics) -> Option<HttpUrl> {
    let v = value?;
    match HttpUrl::parse(v) {
        Ok(u) => Some(u),
        Err(msg) => {
            diags.push(doc.error_at(key, Some(v), msg));
            None
        }
    }
}

/// A date or date-time; one without an offset is read in `zone` (the site's).
pub(super) fn date_field<R>(doc: &Doc<R>, key: &str, value: &str, zone: Tz, diags: &mut Diagnostics) -> Option<Date> {
    match Date::parse_in(value, zone) {
        Ok(d) => Some(d),
        Err(msg) => {
            diags.push(doc.error_at(key, Some(value), msg));
            None
        }
    }
}

/// `value`, under `key`, names no entity of `kind`: a did-you-mean among `known`, or how
/// to create it.
pub(super) fn unknown_ref<'k, R>(doc: &Doc<R>, key: &str, kind: Kind, value: &str, known: impl IntoIterator<Item = &'k str>) -> Diagnostic {
    let decl = kind.decl();
    let hint = did_you_mean(value, known)
        .map(|k| format!("did you mean \"{k}\"?"))
        .unwrap_or_else(|| format!("create content/{}/{value}.md, or check the spelling", decl.plural));
    doc.error_at(key, Some(value), format!("unknown {} \"{value}\"", decl.singular)).with_hint(hint)
}
