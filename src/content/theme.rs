//! The default theme, compiled into the binary so that a site without `themes/` builds.
//!
//! The files live in `themes/default/`; a test checks that every file there is listed here.
//! Also reads a theme from disk, with the site's own templates, static files and
//! translations over it.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::content::diag::{Diagnostic, Diagnostics, Error};
use crate::content::i18n::Table;
use crate::content::load::{StaticSource, TemplateSource};

/// Templates of the default theme: name and text.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("archive.html", include_str!("../../themes/default/templates/archive.html")),
    ("author.html", include_str!("../../themes/default/templates/author.html")),
    ("authors.html", include_str!("../../themes/default/templates/authors.html")),
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("brief.html", include_str!("../../themes/default/templates/brief.html")),
    ("companies.html", include_str!("../../themes/default/templates/companies.html")),
    ("company.html", include_str!("../../themes/default/templates/company.html")),
    ("corrections.html", include_str!("../../themes/default/templates/corrections.html")),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("partials/card.html", include_str!("../../themes/default/templates/partials/card.html")),
    ("partials/figure.html", include_str!("../../themes/default/templates/partials/figure.html")),
    ("partials/list.html", include_str!("../../themes/default/templates/partials/list.html")),
    ("partials/pagination.html", include_str!("../../themes/default/templates/partials/pagination.html")),
    ("partials/share.html", include_str!("../../themes/default/templates/partials/share.html")),
    ("partials/toc.html", include_str!("../../themes/default/templates/partials/toc.html")),
    ("people.html", include_str!("../../themes/default/templates/people.html")),
    ("person.html", include_str!("../../themes/default/templates/person.html")),
    ("product.html", include_str!("../../themes/default/templates/product.html")),
    ("products.html", include_str!("../../themes/default/templates/products.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("shortcodes/chart.html", include_str!("../../themes/default/templates/shortcodes/chart.html")),
    ("shortcodes/figure.html", include_str!("../../themes/default/templates/shortcodes/figure.html")),
    ("shortcodes/post.html", include_str!("../../themes/default/templates/shortcodes/post.html")),
    ("shortcodes/quote.html", include_str!("../../themes/default/templates/shortcodes/quote.html")),
    ("source.html", include_str!("../../themes/default/templates/source.html")),
    ("sources.html", include_str!("../../themes/default/templates/sources.html")),
    ("stories.html", include_str!("../../themes/default/templates/stories.html")),
    ("story.html", include_str!("../../themes/default/templates/story.html")),
    ("tag.html", include_str!("../../themes/default/templates/tag.html")),
    ("tags.html", include_str!("../../themes/default/templates/tags.html")),
];

/// Static files of the default theme: output path and bytes.
pub const STATIC: &[(&str, &[u8])] = &[
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
    ("search.js", include_bytes!("../../themes/default/static/search.js")),
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
];

/// Translation tables of the default theme: language and text.
pub const I18N: &[(&str, &str)] = &[
    ("de", include_str!("../../themes/default/i18n/de.toml")),
    ("en", include_str!("../../themes/default/i18n/en.toml")),
    ("fr", include_str!("../../themes/default/i18n/fr.toml")),
];

/// The default theme built into the binary.
pub fn builtin_theme() -> ThemeFiles {
    let templates = TEMPLATES
        .iter()
        .map(|(name, text)| TemplateSource {
            name: (*name).to_string(),
            text: (*text).to_string(),
            origin: PathBuf::from(format!("(built-in theme) templates/{name}")),
        })
        .collect();
    let statics = STATIC.iter().map(|(name, bytes)| ((*name).to_string(), StaticSource::Embedded(bytes))).collect();
    let i18n = I18N
        .iter()
        .map(|(language, text)| Table {
            language: (*language).to_string(),
            path: PathBuf::from(format!("(built-in theme) i18n/{language}.toml")),
            text: (*text).to_string(),
        })
        .collect();
    ThemeFiles { templates, statics, i18n }
}

/// A theme's files, with the site's own over them.
pub struct ThemeFiles {
    /// Templates, by name.
    pub templates: Vec<TemplateSource>,
    /// Static files: output path and source.
    pub statics: Vec<(String, StaticSource)>,
    /// Translation tables: the theme's, then the site's (later ones win).
    pub i18n: Vec<Table>,
}

/// Reads the theme `theme` of the site at `root` (the built-in default theme when it has
/// no `themes/default/`), and the site's own `templates/`, `static/` and `i18n/` over it.
pub fn read_theme(
    root: &Path,
    theme: &str,
    shown: &(dyn Fn(&Path) -> PathBuf + Sync),
    diags: &mut Diagnostics,
) -> Result<ThemeFiles, Error> {
    let theme_dir = root.join("themes").join(theme);
    let mut templates: std::collections::BTreeMap<String, (String, PathBuf)> = std::collections::BTreeMap::new();
    let mut statics: std::collections::BTreeMap<String, StaticSource> = std::collections::BTreeMap::new();
    let mut i18n: Vec<Table> = Vec::new();
    let builtin = !theme_dir.is_dir() && theme == "default";
    if builtin {
        i18n.extend(builtin_theme().i18n);
    }
    // A folder with templates/, static/ and i18n/: the theme's, then the site's over it.
    let mut layer = |dir: &Path, diags: &mut Diagnostics| -> Result<(), Error> {
        read_tree(&dir.join("i18n"), |rel, path| {
            if let Some(language) = rel.strip_suffix(".toml").filter(|l| !l.contains('/')) {
                let text = read_template(path, shown, root, diags)?;
                i18n.push(Table { language: language.to_string(), path: shown(path.strip_prefix(root).unwrap_or(path)), text });
            }
            Ok(())
        })?;
        read_tree(&dir.join("templates"), |rel, path| {
            let text = read_template(path, shown, root, diags)?;
            templates.insert(rel, (text, shown(path.strip_prefix(root).unwrap_or(path))));
            Ok(())
        })?;
        read_tree(&dir.join("static"), |rel, path| {
            statics.insert(rel, StaticSource::Disk(path.to_path_buf()));
            Ok(())
        })
    };
    if theme_dir.is_dir() {
        layer(&theme_dir, diags)?;
    } else if theme != "default" {
        diags.push(
            Diagnostic::error(&shown(Path::new("site.toml")), 0, 0, format!("theme \"{theme}\" not found in themes/"))
                .with_hint("remove the `theme` key to use the built-in default theme"),
        );
    }
    layer(root, diags)?;
    if builtin {
        let ThemeFiles { templates: t, statics: st, i18n: _ } = builtin_theme();
        for t in t {
            templates.entry(t.name).or_insert((t.text, t.origin));
        }
        for (rel, src) in st {
            statics.entry(rel).or_insert(src);
        }
    }
    let templates = templates.into_iter().map(|(name, (text, origin))| TemplateSource { name, text, origin }).collect();
    Ok(ThemeFiles { templates, statics: statics.into_iter().collect(), i18n })
}

fn read_template(path: &Path, shown: &(dyn Fn(&Path) -> PathBuf + Sync), root: &Path, diags: &mut Diagnostics) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read(path.to_path_buf(), e))?;
    Ok(String::from_utf8(bytes).unwrap_or_else(|_| {
        diags.push(Diagnostic::error(&shown(path.strip_prefix(root).unwrap_or(path)), 1, 1, "this file is not valid UTF-8"));
        String::new()
    }))
}

/// Calls `f(relative path with '/', path)` for every regular file under `dir`, skipping
/// hidden files and symbolic links (which could point outside the site).
fn read_tree(dir: &Path, mut f: impl FnMut(String, &Path) -> Result<(), Error>) -> Result<(), Error> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Walk(dir.to_path_buf(), e.to_string()))?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        f(rel, entry.path())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &str) -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default").join(dir);
        let mut v: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn every_theme_file_is_built_in() {
        assert_eq!(files("templates"), TEMPLATES.iter().map(|t| t.0.to_string()).collect::<Vec<_>>());
        assert_eq!(files("static"), STATIC.iter().map(|t| t.0.to_string()).collect::<Vec<_>>());
        assert_eq!(files("i18n"), I18N.iter().map(|t| format!("{}.toml", t.0)).collect::<Vec<_>>());
    }

    #[test]
    fn every_built_in_translation_is_complete() {
        let tables = builtin_theme().i18n;
        for language in ["fr", "de"] {
            let mut diags = Diagnostics::new();
            let t = crate::content::i18n::Translations::merge(&tables, language, &mut diags);
            assert_eq!(diags.warning_count() + diags.error_count(), 0, "{language}: {}", diags.clone().report());
            assert_ne!(t.get("nav_latest"), "Latest", "{language} has its own words");
        }
    }
}
