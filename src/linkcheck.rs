//! The link check of `briefing check`: every internal link and `#anchor` in every page
//! the build would write must resolve to a file of the same build (and an `id` in it).
//!
//! Works on the rendered [`Output`] in memory. Links leaving the site (other hosts) are
//! not fetched. A broken link is reported at the content file that produced the page
//! when there is one (and at the link's text in it when it can be found), else at the page.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{line_col, Diagnostic, Diagnostics};
use crate::render::{Job, OutFile, Output, Renderer};

/// What the link check keeps of one page: where it is, what it links to, its ids.
pub struct PageScan {
    path: String,
    source: Option<PathBuf>,
    ids: HashSet<String>,
    links: Vec<String>,
}

/// Scans one rendered file (non-HTML files only count as link targets). Keeps only the
/// links that stay inside the site, each once.
pub fn scan(file: &OutFile, base_url: &str) -> PageScan {
    let mut ids = HashSet::new();
    let mut links = Vec::new();
    if file.path.ends_with(".html") {
        let mut seen = HashSet::new();
        for (attr, value) in attributes(&file.bytes) {
            let Ok(value) = std::str::from_utf8(value) else { continue };
            match attr {
                Attr::Id => {
                    ids.insert(value.to_string());
                }
                Attr::Link => {
                    let internal = value.starts_with('/') || value.starts_with('#') || value.starts_with(base_url);
                    if internal && !value.starts_with("//") && seen.insert(value) {
                        links.push(value.to_string());
                    }
                }
            }
        }
    }
    PageScan { path: file.path.clone(), source: file.source.clone(), ids, links }
}

enum Attr {
    Id,
    Link,
}

/// Every `id="..."`, `href="..."` and `src="..."` of a page, in one pass.
fn attributes(html: &[u8]) -> impl Iterator<Item = (Attr, &[u8])> + '_ {
    memchr::memmem::find_iter(html, b"=\"").filter_map(move |at| {
        let before = &html[..at];
        let attr = if before.ends_with(b" href") || before.ends_with(b" src") {
            Attr::Link
        } else if before.ends_with(b" id") {
            Attr::Id
        } else {
            return None;
        };
        let start = at + 2;
        let end = memchr::memchr(b'"', &html[start..])? + start;
        Some((attr, &html[start..end]))
    })
}

/// Renders every page with `renderer`, scanning each as it is made, then checks the links.
/// Render errors go to `diags`.
/// Only pages are rendered: feeds and other data files count as link targets by their
/// paths (the search index's data files, which pages never link, are left out).
pub fn check_rendered(renderer: &Renderer, base_url: &str, root: &Path, diags: &mut Diagnostics) -> Vec<Diagnostic> {
    let (pages, data): (Vec<Job>, Vec<Job>) = renderer.jobs_without_search_data().into_iter().partition(|j| Renderer::is_page(*j));
    let Some(scans) = renderer.render_jobs(pages, |f| scan(&f, base_url), diags) else { return Vec::new() };
    let data_paths: Vec<String> = data.into_iter().map(|j| renderer.output_path(j)).collect();
    let mut targets: Vec<&str> = renderer.statics().iter().map(|(p, _)| p.as_str()).collect();
    targets.extend(data_paths.iter().map(String::as_str));
    verify(&scans, &targets, base_url, root)
}

/// Checks every HTML page of an output in memory. `base_url` is absolute with a trailing slash.
pub fn check(output: &Output, base_url: &str, root: &Path) -> Vec<Diagnostic> {
    let scans: Vec<PageScan> = output.files.par_iter().map(|f| scan(f, base_url)).collect();
    let statics: Vec<&str> = output.statics.iter().map(|(p, _)| p.as_str()).collect();
    verify(&scans, &statics, base_url, root)
}

fn verify(scans: &[PageScan], statics: &[&str], base_url: &str, root: &Path) -> Vec<Diagnostic> {
    let base_path = {
        let after = base_url.find("://").map_or(0, |i| i + 3);
        base_url[after..].find('/').map_or("/", |i| &base_url[after + i..])
    };
    let mut files: HashSet<&str> = scans.iter().map(|f| f.path.as_str()).collect();
    files.extend(statics.iter().copied());
    let ids: HashMap<&str, &HashSet<String>> = scans.iter().map(|f| (f.path.as_str(), &f.ids)).collect();
    scans
        .par_iter()
        .flat_map_iter(|page| {
            let mut problems = Vec::new();
            for link in &page.links {
                let link = link.replace("&amp;", "&");
                let internal = if let Some(rest) = link.strip_prefix(base_url) {
                    Some(format!("{base_path}{rest}"))
                } else if link.starts_with('/') && !link.starts_with("//") {
                    Some(link.clone())
                } else if link.starts_with('#') {
                    Some(format!("{base_path}{}{link}", page_dir(&page.path)))
                } else {
                    None
                };
                let Some(internal) = internal else { continue };
                let (path, fragment) = match internal.split_once('#') {
                    Some((p, f)) => (p.to_string(), Some(f.to_string())),
                    None => (internal.clone(), None),
                };
                let path = path.split('?').next().unwrap_or("").to_string();
                let Some(rel) = path.strip_prefix(base_path) else {
                    problems.push(problem(page, root, &link, format!("links to {link}, which is outside the site's path {base_path}")));
                    continue;
                };
                let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy().into_owned();
                let target = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.clone() };
                if !files.contains(target.as_str()) {
                    problems.push(problem(page, root, &link, format!("links to {link}, which the build does not write")));
                    continue;
                }
                if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                    let f = percent_encoding::percent_decode_str(&f).decode_utf8_lossy().into_owned();
                    if ids.get(target.as_str()).is_some_and(|set| !set.contains(&f)) {
                        problems.push(problem(page, root, &link, format!("links to {link}, but that page has no element with id \"{f}\"")));
                    }
                }
            }
            problems
        })
        .collect()
}

/// `briefs/x/` for `briefs/x/index.html`.
fn page_dir(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

fn problem(page: &PageScan, root: &Path, link: &str, what: String) -> Diagnostic {
    let message = format!("page /{} {what}", page_dir(&page.path));
    match &page.source {
        Some(src) => {
            let text = std::fs::read_to_string(resolve(root, src)).unwrap_or_default();
            // Point at the link in the source when it is written there.
            let needle = link.rsplit_once('#').map_or(link, |(_, f)| f);
            let (line, col) = text.find(needle).map_or((0, 0), |i| line_col(&text, i));
            Diagnostic::error(src, line, col, message)
                .with_source(&text)
                .with_hint("fix the link in this file, or the template that makes it")
        }
        None => Diagnostic::error(Path::new(&format!("(page) /{}", page.path)), 0, 0, message)
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
