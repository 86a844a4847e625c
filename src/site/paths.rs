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
/// Width and height of a share card, in pixels.
pub const CARD_SIZE: (u32, u32) = (1200, 630);

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
/// `dir` joined with the relative `path` (`..` climbs, `.` and empty segments are
/// skipped), without a trailing slash; `None` when it climbs above the root of `dir`.
pub fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_under_the_root() {
        assert_eq!(join("content/briefs/x", "chart.png").as_deref(), Some("content/briefs/x/chart.png"));
        assert_eq!(join("content/briefs", "../../static/./a.png").as_deref(), Some("static/a.png"));
        assert_eq!(join("briefs/a/", "../b/").as_deref(), Some("briefs/b"));
        assert_eq!(join("content", "../../etc/passwd"), None);
    }
}
