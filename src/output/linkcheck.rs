//! The link check of `briefing check`: every internal link and `#anchor` in every page
//! the build would write must resolve to a file of the same build (and an `id` in it).
//!
//! Works on the rendered [`Output`] in memory. Links leaving the site (other hosts) are
//! not fetched. A broken link is reported at the content file that produced the page
//! when there is one (and at the link's text in it when it can be found), else at the page.

use std::borrow::Cow;

use ahash::{AHashMap as HashMap, AHashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::diag::{line_col, Diagnostic, Diagnostics};
use crate::render::{Job, Output, Renderer};

/// A rendered page, as the link check sees it.
struct Page<'a> {
    /// Site-relative path (`briefs/x/index.html`).
    path: &'a str,
    /// The content file it shows, if one.
    source: Option<&'a Path>,
    html: &'a [u8],
}

/// A link to an `#id` of another page: checked once every page is known.
pub struct Deferred {
    page: String,
    source: Option<PathBuf>,
    link: String,
    target: String,
    fragment: String,
}

/// The site's paths and how to read a link.
struct Site<'a> {
    /// Every file the build writes (site-relative), and every folder with an
    /// `index.html` (`briefs/x/`, and `` for the home page), as links name them.
    files: AHashSet<Vec<u8>>,
    /// Whether some file's path holds a `#`, `?`, `%` or `&` (a link naming it must then
    /// be read the slow way, unescaped and cut at its fragment and query).
    odd_names: bool,
    /// Absolute base URL with a trailing slash.
    base_url: &'a str,
    /// Its path part (`/` or `/sub/`).
    base_path: &'a str,
    root: &'a Path,
}

impl<'a> Site<'a> {
    fn new<'p>(paths: impl Iterator<Item = &'p str>, base_url: &'a str, root: &'a Path) -> Self {
        let mut files = AHashSet::new();
        for path in paths {
            if let Some(dir) = path.strip_suffix("index.html").filter(|d| d.is_empty() || d.ends_with('/')) {
                files.insert(dir.as_bytes().to_vec());
            }
            files.insert(path.as_bytes().to_vec());
        }
        let odd_names = files.iter().any(|f| has_specials(f));
        Site { files, odd_names, base_url, base_path: crate::content::config::url_path(base_url), root }
    }

    /// Where `link` points: inside the site (relative to its base, query and fragment
    /// still on), at this host outside the base path, or elsewhere (another host, or a
    /// path relative to the page, which the build never writes).
    fn target<'l>(&self, link: &'l [u8]) -> Target<'l> {
        if let Some(rel) = link.strip_prefix(self.base_url.as_bytes()) {
            Target::Site(rel)
        } else if link.starts_with(b"/") && !link.starts_with(b"//") {
            link.strip_prefix(self.base_path.as_bytes()).map_or(Target::Outside, Target::Site)
        } else if link.starts_with(b"//") || link.starts_with(b"#") || has_scheme(link) {
            Target::Away
        } else {
            Target::Relative
        }
    }

    /// True for a link that is a plain path (no fragment, query or escape) to a file of
    /// the site, or that leaves the site: nothing more to check. A path with a fragment,
    /// query or escape is no file's path (unless some file is oddly named), so the lookup
    /// itself sends those links the slow way.
    fn plainly_fine(&self, link: &[u8]) -> bool {
        match self.target(link) {
            Target::Site(rel) => self.files.contains(rel) && !(self.odd_names && has_specials(rel)),
            Target::Outside | Target::Relative => false,
            Target::Away => !link.starts_with(b"#"),
        }
    }
}

/// Whether `path` holds a byte that a link must have unescaped or cut before it names a file.
fn has_specials(path: &[u8]) -> bool {
    path.iter().any(|b| matches!(b, b'#' | b'?' | b'%' | b'&'))
}

/// See [`Site::target`].
enum Target<'l> {
    Site(&'l [u8]),
    Outside,
    Away,
    /// Relative to the page (`chart.png`, `../x/`).
    Relative,
}

/// Whether a link starts with a URL scheme (`https:`, `mailto:`, `data:`).
fn has_scheme(link: &[u8]) -> bool {
    let end = link.iter().position(|b| matches!(b, b':' | b'/' | b'?' | b'#'));
    end.is_some_and(|i| i > 0 && link[i] == b':' && link[..i].iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
}

/// `link`, relative to the page at `page`, as a site-relative path; `None` when it climbs
/// above the site's root.
fn relative_to(page: &str, link: &str) -> Option<String> {
    let (path, rest) = link.find(['?', '#']).map_or((link, ""), |i| link.split_at(i));
    let joined = crate::site::paths::join(page_dir(page), path)?;
    let trailing = if path.ends_with('/') && !joined.is_empty() { "/" } else { "" };
    Some(format!("{joined}{trailing}{rest}"))
}

#[derive(Clone, Copy)]
enum Attr {
    Id,
    Link,
}

/// Every `id`, `href` and `src` attribute of a page with a quoted value, in order. Each `=`
/// is found with a vectorised search, and counts when it stands inside a tag (the last `<`
/// or `>` before it is a `<`) after one of the three names (itself after a space). Values
/// are skipped whole, so neither an `=` nor a `>` inside one is taken for markup.
fn attributes(html: &[u8]) -> impl Iterator<Item = (Attr, &[u8])> + '_ {
    let (mut from, mut in_tag) = (0, false);
    std::iter::from_fn(move || {
        while let Some(at) = memchr::memchr(b'=', &html[from..]).map(|i| from + i) {
            if let Some(i) = memchr::memrchr2(b'<', b'>', &html[from..at]) {
                in_tag = html[from + i] == b'<';
            }
            from = at + 1;
            let Some(&quote) = html.get(at + 1).filter(|q| in_tag && (**q == b'"' || **q == b'\'')) else { continue };
            let start = at + 2;
            let end = memchr::memchr(quote, &html[start..]).map_or(html.len(), |i| start + i);
            from = (end + 1).min(html.len());
            // The attribute's name: what runs back from `=` to a space.
            let before = &html[..at];
            let name = before.rsplit(|b| b.is_ascii_whitespace()).next().unwrap_or_default();
            let attr = match name {
                b"href" | b"src" if name.len() < before.len() => Attr::Link,
                b"id" if name.len() < before.len() => Attr::Id,
                _ => continue,
            };
            return Some((attr, &html[start..end]));
        }
        from = html.len();
        None
    })
}

/// The ids of a page.
fn ids(html: &[u8]) -> AHashSet<&[u8]> {
    attributes(html).filter_map(|(a, v)| matches!(a, Attr::Id).then_some(v)).collect()
}

/// Checks the links of one page: missing files and missing ids of the page itself are
/// reported now; links to an id of another page are returned for later.
fn check_page(page: &Page<'_>, site: &Site<'_>) -> (Vec<Diagnostic>, Vec<Deferred>) {
    let (mut problems, mut deferred) = (Vec::new(), Vec::new());
    if !page.path.ends_with(".html") {
        return (problems, deferred);
    }
    // Most links are plain paths to pages that exist: those are looked up as they are
    // read, with no copy. The rest (fragments, queries, escapes, broken links) are
    // checked once the page's own ids are known.
    let mut own_ids: Vec<&[u8]> = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    for (attr, value) in attributes(page.html) {
        match attr {
            Attr::Id => own_ids.push(value),
            Attr::Link if site.plainly_fine(value) => {}
            // Only these are read as text (a value that is not UTF-8 names no file).
            Attr::Link => {
                if let Ok(value) = std::str::from_utf8(value) {
                    if !rest.contains(&value) {
                        rest.push(value);
                    }
                }
            }
        }
    }
    let report = |link: &str, what: String| {
        let needle = link.rsplit_once('#').map_or(link, |(_, f)| f);
        problem(page.path, page.source, site.root, needle, what)
    };
    for raw in rest {
        let link = if raw.contains("&amp;") { Cow::Owned(raw.replace("&amp;", "&")) } else { Cow::Borrowed(raw) };
        let in_site = if link.starts_with('#') {
            Cow::Owned(format!("{}{link}", page_dir(page.path)))
        } else {
            match site.target(link.as_bytes()) {
                Target::Site(rel) => Cow::Borrowed(&link[link.len() - rel.len()..]),
                Target::Outside => {
                    problems.push(report(&link, format!("links to {link}, which is outside the site's path {}", site.base_path)));
                    continue;
                }
                Target::Away => continue,
                Target::Relative => match relative_to(page.path, &link) {
                    Some(rel) => Cow::Owned(rel),
                    None => {
                        problems.push(report(&link, format!("links to {link}, which climbs above the site's root")));
                        continue;
                    }
                },
            }
        };
        let (path, fragment) = in_site.split_once('#').unwrap_or((&in_site, ""));
        let rel = decode(path.split('?').next().unwrap_or(""));
        let target = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.into_owned() };
        if !site.files.contains(target.as_bytes()) {
            problems.push(report(&link, format!("links to {link}, which the build does not write")));
            continue;
        }
        if fragment.is_empty() {
            continue;
        }
        let fragment = decode(fragment).into_owned();
        if target == page.path {
            if !own_ids.contains(&fragment.as_bytes()) {
                problems.push(report(&link, format!("links to {link}, but that page has no element with id \"{fragment}\"")));
            }
        } else {
            let (page, source) = (page.path.to_string(), page.source.map(Path::to_path_buf));
            deferred.push(Deferred { page, source, link: link.into_owned(), target, fragment });
        }
    }
    (problems, deferred)
}

/// Checks links to ids of other pages; `html_of` gives a page's HTML.
fn check_deferred(deferred: Vec<Deferred>, root: &Path, html_of: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<Diagnostic> {
    let mut by_target: HashMap<String, Vec<Deferred>> = HashMap::new();
    for d in deferred {
        by_target.entry(d.target.clone()).or_default().push(d);
    }
    let mut problems = Vec::new();
    for (target, links) in by_target {
        let Some(html) = html_of(&target) else { continue };
        let ids = ids(&html);
        for d in links.into_iter().filter(|d| !ids.contains(d.fragment.as_bytes())) {
            let what = format!("links to {}, but that page has no element with id \"{}\"", d.link, d.fragment);
            problems.push(problem(&d.page, d.source.as_deref(), root, &d.fragment, what));
        }
    }
    problems
}

/// Renders every page with `renderer`, checking each as it is made (no page is kept), then
/// the links to ids of other pages (re-rendering just those pages). Render errors go to
/// `diags`. Only pages are rendered: feeds and other data files count as link targets by
/// their paths (the search index's data files, which pages never link, are left out).
pub fn check_rendered(renderer: &Renderer, base_url: &str, root: &Path, diags: &mut Diagnostics) -> Vec<Diagnostic> {
    let jobs = renderer.jobs_without_search_data();
    let paths: Vec<String> = jobs.par_iter().map(|j| renderer.output_path(*j)).collect();
    let media = renderer.media_paths();
    let statics = renderer.statics().iter().map(|(p, _)| p.as_str());
    let site = Site::new(paths.iter().map(String::as_str).chain(statics).chain(media.iter().map(String::as_str)), base_url, root);
    let pages: Vec<Job> = jobs.iter().copied().filter(|j| Renderer::is_page(*j)).collect();
    // A page the cache's store keeps, made from the same inputs, is checked as kept: not rendered.
    let store = crate::output::pages::Pages::open(root, false);
    let kept = |path: &str, key: &str, source: Option<&Path>| {
        let checked = store.take(key, |html, _| check_page(&Page { path, source, html }, &site))?;
        crate::steps::count("pages rendered again", 0, 1);
        Some(checked)
    };
    let checked = renderer.render_jobs_unless(
        pages,
        (!store.is_empty()).then_some(&kept as _),
        |f| {
            crate::steps::count("pages rendered again", 1, 1);
            check_page(&Page { path: f.path, source: f.source, html: f.bytes }, &site)
        },
        diags,
    );
    let Some(checked) = checked else { return Vec::new() };
    // Which job writes a path: only needed when some link names an id of another page.
    let by_path = std::cell::OnceCell::new();
    let job_of = |target: &str| {
        let by_path: &HashMap<&str, Job> = by_path.get_or_init(|| paths.iter().map(String::as_str).zip(jobs.iter().copied()).collect());
        by_path.get(target).copied()
    };
    finish(checked, root, |target| job_of(target).and_then(|job| renderer.render(job).ok()).map(|f| f.bytes))
}

/// Checks every HTML page of an output in memory. `base_url` is absolute with a trailing slash.
pub fn check(output: &Output, base_url: &str, root: &Path) -> Vec<Diagnostic> {
    let paths = output.files.iter().map(|f| f.path.as_str()).chain(output.statics.iter().map(|(p, _)| p.as_str()));
    let site = Site::new(paths, base_url, root);
    let checked: Vec<(Vec<Diagnostic>, Vec<Deferred>)> =
        output.files.par_iter().map(|f| check_page(&Page { path: &f.path, source: f.source.as_deref(), html: &f.bytes }, &site)).collect();
    let by_path: HashMap<&str, &[u8]> = output.files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())).collect();
    finish(checked, root, |target| by_path.get(target).map(|b| b.to_vec()))
}

/// The problems of every page, then those of their links to ids of other pages.
fn finish(checked: Vec<(Vec<Diagnostic>, Vec<Deferred>)>, root: &Path, html_of: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<Diagnostic> {
    let (mut problems, mut deferred) = (Vec::new(), Vec::new());
    for (p, d) in checked {
        problems.extend(p);
        deferred.extend(d);
    }
    problems.extend(check_deferred(deferred, root, html_of));
    problems
}

/// A URL path with its `%xx` escapes decoded (most have none: no copy then).
fn decode(path: &str) -> Cow<'_, str> {
    if path.contains('%') {
        percent_encoding::percent_decode_str(path).decode_utf8_lossy()
    } else {
        Cow::Borrowed(path)
    }
}

/// `briefs/x/` for `briefs/x/index.html`.
fn page_dir(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

/// A broken link of `page`: at its content file when it has one (at `needle`, the link's
/// text, when it is written there), else at the page.
fn problem(page: &str, source: Option<&Path>, root: &Path, needle: &str, what: String) -> Diagnostic {
    let message = format!("page /{} {what}", page_dir(page));
    match source {
        Some(src) => {
            let text = std::fs::read_to_string(resolve(root, src)).unwrap_or_default();
            let (line, col) = text.find(needle).map_or((0, 0), |i| line_col(&text, i));
            Diagnostic::error(src, line, col, message)
                .with_source(&text)
                .with_hint("fix the link in this file, or the template that makes it")
        }
        None => Diagnostic::error(Path::new(&format!("(page) /{page}")), 0, 0, message)
            .with_hint("the link comes from a template; check the theme and templates/"),
    }
}

fn resolve(root: &Path, shown: &Path) -> PathBuf {
    if shown.is_absolute() || shown.exists() {
        shown.to_path_buf()
    } else {
        root.join(shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::OutFile;

    fn out(files: &[(&str, &str)]) -> Output {
        Output {
            files: files.iter().map(|(p, t)| OutFile { path: p.to_string(), bytes: t.as_bytes().to_vec(), source: None }).collect(),
            statics: Vec::new(),
        }
    }

    #[test]
    fn finds_missing_pages_and_anchors() {
        let o = out(&[
            (
                "index.html",
                r##"<a href="/b/a/">ok</a><a href="/b/none/">x</a><a href="/b/a/#here">ok</a><a href="/b/a/#gone">x</a><a href="#top">x</a><a href="https://other.org/">ok</a>"##,
            ),
            ("b/a/index.html", r#"<h2 id="here">H</h2>"#),
        ]);
        let d = check(&o, "https://e.org/", Path::new("."));
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(d.len(), 3, "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("/b/none/")));
        assert!(msgs.iter().any(|m| m.contains("no element with id \"gone\"")));
        assert!(msgs.iter().any(|m| m.contains("no element with id \"top\"")));
    }

    #[test]
    fn plain_links_name_pages_by_their_folder() {
        let o = out(&[
            (
                "index.html",
                r#"<a href="/">ok</a><a href="/b/a/">ok</a><a href="https://e.org/b/a/index.html">ok</a><a href="/b/a">x</a><a href="/b/">x</a>"#,
            ),
            ("b/a/index.html", ""),
        ]);
        let d = check(&o, "https://e.org/", Path::new("."));
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs, ["page / links to /b/a, which the build does not write", "page / links to /b/, which the build does not write"]);
    }

    #[test]
    fn escaped_links_are_read_unescaped_even_when_a_file_has_the_escaped_name() {
        // `x%20y.html` names the file `x y.html`, which is not written, though a file whose
        // name is literally `x%20y.html` is; `/a%20b/` names the folder `a b/`, which is.
        let o = out(&[
            ("index.html", r#"<a href="/x%20y.html">x</a><a href="/a%20b/">ok</a><a href="/x%2520y.html">ok</a>"#),
            ("x%20y.html", ""),
            ("a b/index.html", ""),
        ]);
        let d = check(&o, "https://e.org/", Path::new("."));
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs, ["page / links to /x%20y.html, which the build does not write"]);
    }

    #[test]
    fn reads_attributes_inside_tags_only() {
        let html = r#"id="no" <p class=x id='a' data-href="/no">href="/no" a=b <a  href="/b/?q=1&amp;r" title="x>y" src=/bare>z</a><img src="/i.png"/><a title="p>q" href="/after">"#;
        let found: Vec<(bool, &[u8])> = attributes(html.as_bytes()).map(|(a, v)| (matches!(a, Attr::Link), v)).collect();
        assert_eq!(found, [(false, &b"a"[..]), (true, b"/b/?q=1&amp;r"), (true, b"/i.png"), (true, b"/after")]);
    }

    #[test]
    fn links_relative_to_the_page_are_checked() {
        let o = out(&[
            ("briefs/a/index.html", r#"<img src="chart.png"><a href="gone.pdf">x</a><a href="../b/">ok</a><a href="../../../x">x</a><a href="mailto:a@b.c">ok</a><a href="data:,x">ok</a>"#),
            ("briefs/a/chart.png", ""),
            ("briefs/b/index.html", ""),
        ]);
        let d = check(&o, "https://e.org/", Path::new("."));
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            ["page /briefs/a/ links to gone.pdf, which the build does not write", "page /briefs/a/ links to ../../../x, which climbs above the site's root"]
        );
        assert_eq!(relative_to("index.html", "a/b.png").as_deref(), Some("a/b.png"));
        assert_eq!(relative_to("briefs/a/index.html", "./c.png#x").as_deref(), Some("briefs/a/c.png#x"));
    }

    #[test]
    fn respects_sub_paths_and_absolute_self_links() {
        let o = out(&[
            ("index.html", r#"<a href="https://e.org/sub/">ok</a><link href="/sub/style.css"><a href="/elsewhere/">x</a>"#),
            ("style.css", ""),
        ]);
        let d = check(&o, "https://e.org/sub/", Path::new("."));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("outside the site's path"));
    }
}
