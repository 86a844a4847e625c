//! Site-relative paths of every kind of page (no leading slash, trailing slash).

use crate::content::kinds::Kind;

/// `briefs/<slug>/`
pub fn brief(slug: &str) -> String {
    concat(&["briefs/", slug, "/"])
}
/// `<kind's plural>/<slug>/`: `companies/meta/`.
pub fn entity(kind: Kind, slug: &str) -> String {
    concat(&[kind.decl().plural, "/", slug, "/"])
}
/// `<kind's plural>/`: `companies/`.
pub fn index(kind: Kind) -> String {
    concat(&[kind.decl().plural, "/"])
}
/// `briefs/<slug>/social.png`: a brief's share card.
pub fn card(slug: &str) -> String {
    concat(&["briefs/", slug, "/social.png"])
}
/// `tags/<slug>/`
pub fn tag(slug: &str) -> String {
    concat(&["tags/", slug, "/"])
}
/// `stories/<slug>/`
pub fn story(slug: &str) -> String {
    concat(&["stories/", slug, "/"])
}
/// `<slug>/`
pub fn page(slug: &str) -> String {
    concat(&[slug, "/"])
}
/// The parts end to end, in one allocation (`format!` costs several times more, and
/// these run for every link of every page).
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| s.push_str(p));
    s
}
/// Page `n` (1-based) of a paginated list at `base`: `base` itself, then `base/page/n/`.
pub fn paginated(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}
