//! The default theme, compiled into the binary so that a site without `themes/` builds.
//!
//! The files live in `themes/default/`; a test checks that every file there is listed here.

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
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("partials/card.html", include_str!("../../themes/default/templates/partials/card.html")),
    ("partials/list.html", include_str!("../../themes/default/templates/partials/list.html")),
    ("partials/pagination.html", include_str!("../../themes/default/templates/partials/pagination.html")),
    ("people.html", include_str!("../../themes/default/templates/people.html")),
    ("person.html", include_str!("../../themes/default/templates/person.html")),
    ("product.html", include_str!("../../themes/default/templates/product.html")),
    ("products.html", include_str!("../../themes/default/templates/products.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("source.html", include_str!("../../themes/default/templates/source.html")),
    ("sources.html", include_str!("../../themes/default/templates/sources.html")),
    ("stories.html", include_str!("../../themes/default/templates/stories.html")),
    ("story.html", include_str!("../../themes/default/templates/story.html")),
    ("tag.html", include_str!("../../themes/default/templates/tag.html")),
    ("tags.html", include_str!("../../themes/default/templates/tags.html")),
];

/// Static files of the default theme: output path and bytes.
pub const STATIC: &[(&str, &[u8])] = &[
    ("search.js", include_bytes!("../../themes/default/static/search.js")),
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
];

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
    }
}
