//! The Tera environment: the theme's templates under the site's overrides, our filters
//! (`date`, `json_encode`), and template errors as located messages.

use std::path::PathBuf;

use tera::{Kwargs, State, Tera, Value};

use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::kinds::Kind;
use crate::render::views::{SiteView, Views};
use crate::site::*;

/// The templates every theme must provide, besides each kind of entity's page and index
/// ([`Kind::decl`]).
pub const REQUIRED_TEMPLATES: [&str; 10] = [
    "index.html",
    "brief.html",
    "tags.html",
    "tag.html",
    "stories.html",
    "story.html",
    "archive.html",
    "page.html",
    "404.html",
    "search.html",
];

pub(super) fn template_origin(site: &Site, name: &str) -> PathBuf {
    site.templates.iter().find(|t| t.name == name).map_or_else(|| PathBuf::from(name), |t| t.origin.clone())
}

/// Tera with our filters, the theme's templates and the site's overrides, and the key of
/// all that every page shares ([`super::keys::shared`]).
pub(super) fn environment(site: &Site, diags: &mut Diagnostics) -> Option<(Tera, [u8; 16])> {
    let mut tera = Tera::new();
    tera.register_filter("date", super::dates::DateFilter::new(site.config.timezone, &site.config.language));
    tera.register_filter("json_encode", json_encode);
    tera.register_filter("fill", super::text::fill);
    tera.register_filter("plural", super::text::Plural::new(&site.config.language));
    tera.register_filter("asset", super::text::Asset { base: site.config.base_path().to_string(), names: site.assets.clone() });
    tera.global_context().insert("t", &site.i18n.strings);
    tera.global_context().insert("data", &site.data);
    let base_path = site.config.base_path();
    let views = Views::new(site);
    let pages = site
        .pages
        .iter()
        .map(|p| crate::render::views::Ref {
            slug: p.slug.as_str(),
            name: &p.title,
            url: views.url(&paths::page(p.slug.as_str())),
            ticker: None,
        })
        .collect();
    let site_view = SiteView {
        title: &site.config.title,
        description: &site.config.description,
        base_url: &site.config.base_url,
        base_path,
        language: &site.config.language,
        extra: &site.config.extra,
        brief_count: site.briefs.len(),
        counts: Kind::ALL.into_iter().map(|k| (k.decl().plural, site.count(k))).collect(),
        pages,
        generator: concat!("briefing ", env!("CARGO_PKG_VERSION")),
    };
    tera.global_context().insert("site", &site_view);
    let origin = |name: &str| template_origin(site, name);
    let sources: Vec<(&str, &str)> = site.templates.iter().map(|t| (t.name.as_str(), t.text.as_str())).collect();
    if let Err(e) = tera.add_raw_templates(sources.iter().copied()) {
        diags.push(template_error(&e, &origin, None));
        return None;
    }
    let entities = site.listed_kinds().flat_map(|k| [k.decl().index_template, k.decl().template]);
    let missing: Vec<&str> = REQUIRED_TEMPLATES.into_iter().chain(entities).filter(|t| !tera.contains_template(t)).collect();
    if !missing.is_empty() {
        diags.push(
            Diagnostic::error(&PathBuf::from("templates"), 0, 0, format!("the theme lacks {}", missing.join(", ")))
                .with_hint("copy them from the default theme (`briefing init` writes one) or remove `theme` from site.toml"),
        );
        return None;
    }
    let mut assets: Vec<String> = site.assets.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assets.sort_unstable();
    let settings = [site.config.timezone.name(), &site.config.language, base_path, &assets.join("\n")];
    let key = super::keys::shared(&sources, tera.global_context(), &["t", "data", "site"], &settings);
    Some((tera, key))
}

/// A located diagnostic out of a Tera error.
pub fn template_error(e: &tera::Error, origin: &dyn Fn(&str) -> PathBuf, page: Option<&str>) -> Diagnostic {
    let context = page.map(|p| format!(" (while rendering /{p})")).unwrap_or_default();
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let span = r.span();
            Diagnostic::error(&origin(r.filename()), span.start_line, span.start_col + 1, format!("{}{context}", r.message()))
                .with_hint_opt(page.map(|_| "see docs/templates.md for the variables each template receives".to_string()))
        }
        other => {
            // Other errors (a block no parent defines, a missing parent) carry their place
            // in their text: `error: ...\n --> page.html:1:35\n` and a snippet.
            let text = other.to_string();
            let message = text.lines().next().unwrap_or_default().trim_start_matches("error: ").to_string();
            let place = text.lines().find_map(|l| l.trim_start().strip_prefix("--> ")).and_then(|at| {
                let mut parts = at.rsplitn(3, ':');
                let (col, line, name) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?);
                Some((origin(name), line, col))
            });
            let (path, line, col) = place.unwrap_or_else(|| (PathBuf::from("templates"), 0, 0));
            let hint = message.contains("not defined in any parent").then_some(
                "a child template can only fill the blocks its parent has (the default theme's base.html: title, description, feed_title, share, head, content)",
            );
            Diagnostic::error(&path, line, col, format!("{message}{context}")).with_hint_opt(hint.map(str::to_string))
        }
    }
}

/// `{{ value | json_encode }}`: JSON, safe to embed in a `<script>` element.
fn json_encode(value: Value, _: Kwargs, _: &State) -> Value {
    Value::safe_string(&super::jsonld::script_json(&value))
}
