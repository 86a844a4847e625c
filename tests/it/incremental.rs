//! Rebuilds into a kept output folder: a page whose bytes did not change is not written
//! again (it keeps its modification time), and whatever the sequence of edits, adds,
//! deletes and renames, the output is byte for byte what a clean build makes.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;

use crate::support::*;

/// Every file under `dir` but briefing's own bookkeeping, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), e.path().to_path_buf()))
        .filter(|(rel, _)| !rel.starts_with(".briefing-"))
        .map(|(rel, p)| (rel, std::fs::read(p).unwrap()))
        .collect()
}

/// What a clean build of `site`'s sources (no cache, no output) makes.
fn clean(site: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    copy_sources(site.root(), dir.path());
    assert!(build_into(dir.path(), &dir.path().join("public")));
    tree(&dir.path().join("public"))
}

/// A brief's front matter: its title and one company.
fn front(title: &str, company: &str) -> String {
    format!("title: {title}\ndate: 2025-10-30\ncompanies: [{company}]\nsources: [threads]")
}

fn mtime(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn unchanged_pages_are_not_written_again() {
    let site = SiteTest::new()
        .brief("2025-10-30-a", "title: A\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]", "Alpha.")
        .brief("2025-10-31-b", "title: B\ndate: 2025-10-31\ncompanies: [google]\nsources: [threads]", "Beta.");
    let first = site.build();
    let (a, google) = (first.out.join("briefs/a/index.html"), first.out.join("companies/google/index.html"));
    let (a_time, google_time) = (mtime(&a), mtime(&google));
    site.build();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let site = site.brief("2025-10-30-a", "title: A\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]", "Alpha, edited.");
    let third = site.build();
    assert!(third.read("briefs/a/index.html").contains("Alpha, edited."));
    assert!(mtime(&a) > a_time, "the edited brief's page is written");
    assert_eq!(mtime(&google), google_time, "a page the edit does not touch keeps its time");
}

/// How many pages a build rendered, of how many, from its `--timings` report.
fn rendered_again(run: &Run) -> (usize, usize) {
    run.done_again("pages rendered again")
}

/// A build into a kept output folder renders again only the pages whose inputs changed (a
/// brief's title reaches the lists that show it; a template or the site's settings reach
/// every page), and what it leaves is what a clean build makes.
#[test]
fn pages_are_rendered_again_only_when_what_they_read_changed() {
    let site = SiteTest::new().brief("2025-10-30-a", &front("A", "meta"), "Alpha.").brief("2025-10-29-b", &front("B", "google"), "Beta.");
    site.build();
    site.build();
    let same = site.build_with(&["--timings"]);
    let (n, of) = rendered_again(&same);
    assert_eq!(n, 0, "nothing changed, nothing rendered ({n} of {of})");
    assert!(of > 10);
    assert_eq!(tree(&same.out), clean(&site));

    let site = site.brief("2025-10-29-b", &front("B, renamed", "google"), "Beta.");
    let renamed = site.build_with(&["--timings"]);
    let (n, _) = rendered_again(&renamed);
    assert!(n > 0 && n < of / 2, "the pages that show B: {n} of {of}");
    assert!(renamed.read("index.html").contains("B, renamed"));
    assert!(renamed.read("companies/google/index.html").contains("B, renamed"));
    assert_eq!(tree(&renamed.out), clean(&site));

    let site = site.file("site.toml", &CONFIG.replace("Test Briefing", "The Other Briefing"));
    let retitled = site.build_with(&["--timings"]);
    assert_eq!(rendered_again(&retitled), (of, of), "the site's title is on every page");
    assert!(retitled.read("briefs/a/index.html").contains("The Other Briefing"));
    assert_eq!(tree(&retitled.out), clean(&site));

    let theme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/brief.html")).unwrap();
    let site = site.file("templates/brief.html", &theme.replace("{% block content %}", "{% block content %}<p class=\"edited\">Edited template.</p>"));
    let themed = site.build_with(&["--timings"]);
    assert!(themed.read("briefs/b/index.html").contains("Edited template."));
    assert_eq!(tree(&themed.out), clean(&site));
}

/// The related briefs a build keeps are read by the next build only while every brief names
/// the same companies and tags at the same times: a brief that changes only its tags joins
/// the related briefs of those it now shares a tag with.
#[test]
fn kept_related_briefs_are_used_only_for_the_same_companies_tags_and_times() {
    let brief = |company: &str, tag: &str| format!("title: {company} {tag}\ndate: 2025-10-30\ncompanies: [{company}]\ntags: [{tag}]\nsources: [threads]");
    let related_of = |run: &Run, slug: &str| {
        let page = run.read(&format!("briefs/{slug}/index.html"));
        page.split("class=\"related-list\"").nth(1).map(|s| s.split("</ul>").next().unwrap_or("").to_string()).unwrap_or_default()
    };
    let site = SiteTest::new()
        .brief("2025-10-30-a", &brief("meta", "Chips"), "Alpha.")
        .brief("2025-10-29-b", &brief("google", "Chips"), "Beta.")
        .brief("2025-10-28-c", &brief("alphabet", "Markets"), "Gamma.")
        .brief("2025-10-27-d", &brief("meta", "Markets"), "Delta.");
    let first = site.build_with(&["--timings"]);
    assert!(first.stderr.contains("related briefs computed 4 of 4"), "{}", first.stderr);
    assert!(related_of(&first, "a").contains("/briefs/b/") && !related_of(&first, "a").contains("/briefs/c/"));
    let again = site.build_with(&["--timings"]);
    assert!(again.stderr.contains("related briefs computed 0 of 4"), "kept ones are read: {}", again.stderr);
    assert!(related_of(&again, "a").contains("/briefs/b/"));

    let site = site.brief("2025-10-28-c", &brief("alphabet", "Chips"), "Gamma.");
    let retagged = site.build_with(&["--timings"]);
    assert!(retagged.stderr.contains("related briefs computed 4 of 4"), "{}", retagged.stderr);
    assert!(related_of(&retagged, "a").contains("/briefs/c/"), "C now shares a tag with A: {}", related_of(&retagged, "a"));
    assert_eq!(tree(&retagged.out), clean(&site));
}

/// A build into a new output folder (a fresh clone with `.briefing-cache/` restored, or
/// another `--output`) takes every page whose inputs did not change from the cache's store
/// of pages instead of rendering it; a damaged store is not trusted, `--no-cache` reads
/// nothing; each output is what a clean build makes.
#[test]
fn a_new_output_folder_takes_the_pages_the_cache_keeps() {
    let site = SiteTest::new().brief("2025-10-30-a", &front("A", "meta"), "Alpha.").brief("2025-10-29-b", &front("B", "google"), "Beta.");
    let outs = tempfile::tempdir().unwrap();
    let into = |site: &SiteTest, name: &str, more: &[&str]| {
        let out = outs.path().join(name);
        (rendered_again(&site.build_timed(&out, more)), tree(&out))
    };
    let ((n, of), first) = into(&site, "first", &[]);
    assert_eq!(n, of, "an empty cache: every page rendered");
    let ((n, _), second) = into(&site, "second", &[]);
    assert_eq!(n, 0, "a new folder, nothing changed: every page from the cache");
    assert_eq!(second, first);
    assert_eq!(second, clean(&site));

    let site = site.brief("2025-10-29-b", &front("B, renamed", "google"), "Beta.");
    let ((n, _), renamed) = into(&site, "renamed", &[]);
    assert!(n > 0 && n < of / 2, "only the pages that show B: {n} of {of}");
    assert_eq!(renamed, clean(&site));

    let data = site.root().join(".briefing-cache/pages/data");
    let len = std::fs::metadata(&data).unwrap().len() as usize;
    std::fs::write(&data, vec![b' '; len]).unwrap();
    let ((n, _), damaged) = into(&site, "damaged", &[]);
    assert_eq!(n, of, "nothing taken from a damaged store");
    assert_eq!(damaged, clean(&site));
    let ((n, _), _) = into(&site, "repaired", &[]);
    assert_eq!(n, 0, "the store was made again");
    let index = site.root().join(".briefing-cache/pages/index");
    let bytes = std::fs::read(&index).unwrap();
    std::fs::write(&index, &bytes[..bytes.len() - 1]).unwrap();
    assert_eq!(into(&site, "cut", &[]).0 .0, of, "an index cut short is not read");
    assert_eq!(into(&site, "no-cache", &["--no-cache"]).0 .0, of);
}

/// A build that fails half way through writing leaves the spare folder without its list
/// of files: the next build does not trust it, and still makes what a clean build makes.
#[test]
fn a_build_that_failed_while_writing_is_not_trusted() {
    let front = |title: &str| format!("title: {title}\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]");
    let site = SiteTest::new().brief("2025-10-30-a", &front("A"), "Alpha.").brief("2025-10-29-b", &front("B"), "Beta.");
    site.build();
    site.build();
    let theme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/brief.html")).unwrap();
    let broken = theme.replace("{% block content %}", "{% block content %}{% if brief.slug == \"c\" %}{{ nothing.here }}{% endif %}");
    let site = site.brief("2025-10-28-c", &front("C"), "Gamma.").file("templates/brief.html", &broken);
    let failed = site.build_fails();
    assert!(failed.stderr.contains("brief.html"), "{}", failed.stderr);
    let site = site.remove("content/briefs/2025-10-28-c.md").remove("templates/brief.html").brief("2025-10-30-a", &front("A, again"), "Alpha.");
    let fixed = site.build();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(site.run(&["build", "--output", &out.path().join("public").to_string_lossy()]).code, 0);
    assert_eq!(tree(&fixed.out), tree(&out.path().join("public")));
    assert!(!fixed.out.join("briefs/c").exists());
}

/// The bodies a build keeps in `.briefing-cache/bodies` are used by the next build only
/// while their text and every link they resolved are the same; a build that changed
/// nothing leaves the file as it was; a damaged file is not read (and is written again
/// whole); `check` reads it and writes nothing.
#[test]
fn stored_bodies_are_reused_only_while_what_they_link_is_the_same() {
    let front = "title: A\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]";
    let site = SiteTest::new().brief("2025-10-30-a", front, "About [[meta]], and [[brief:b]].").brief(
        "2025-10-29-b",
        "title: Bee\ndate: 2025-10-29\ncompanies: [google]\nsources: [threads]",
        "Beta.",
    );
    let store = site.root().join(".briefing-cache/bodies");
    assert_eq!(site.run(&["check"]).code, 0);
    assert!(!store.exists(), "check writes nothing");
    site.build();
    assert!(store.exists());
    let count = |run: &Run| run.stderr.lines().find_map(|l| l.split("bodies rendered ").nth(1).map(|c| c.split(',').next().unwrap().to_string())).unwrap();
    let inode = || std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&store).unwrap());
    let first = inode();
    let again = site.build_with(&["--timings"]);
    assert!(count(&again).starts_with("0 of"), "{}", again.stderr);
    assert_eq!(inode(), first, "nothing changed: the file is not written again");
    let checked = site.run(&["check", "--timings"]);
    assert!(count(&checked).starts_with("0 of"), "check reads the stored bodies: {}", checked.stderr);

    // What a link shows changed: the body that links it is rendered again, the other not.
    let site = site.file("content/companies/meta.md", "---\nname: Meta Inc\nticker: META\n---\nAds.\n");
    let renamed = site.build_with(&["--timings"]);
    assert!(renamed.read("briefs/a/index.html").contains(">Meta Inc</a>"), "{}", renamed.read("briefs/a/index.html"));
    let site = site.brief("2025-10-29-b", "title: Bee, renamed\ndate: 2025-10-29\ncompanies: [google]\nsources: [threads]", "Beta.");
    let retitled = site.build_with(&["--timings"]);
    assert!(retitled.read("briefs/a/index.html").contains("Bee, renamed"), "a link to a brief shows its new title");
    assert!(count(&retitled).starts_with("1 of"), "only the body linking it: {}", retitled.stderr);

    // A damaged file is not trusted, and is written again.
    let mut bytes = std::fs::read(&store).unwrap();
    let at = bytes.windows(4).position(|w| w == b"Beta").unwrap();
    bytes[at] = b'Z';
    std::fs::write(&store, &bytes).unwrap();
    let repaired = site.build_with(&["--timings"]);
    assert!(repaired.read("briefs/b/index.html").contains("Beta."));
    assert!(!count(&repaired).starts_with("0 of"), "nothing read from a damaged file");
    assert!(count(&site.build_with(&["--timings"])).starts_with("0 of"), "and it was written again whole");
}

/// A body that shows an image is kept with its picture: the next build neither renders it
/// nor forgets the image (its variants are written, its page shows it the same); an image
/// replaced by one of another size renders the body again.
#[test]
fn stored_bodies_keep_the_images_they_show() {
    let front = "title: A\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]";
    let site = SiteTest::new()
        .brief("2025-10-30-a/index", front, "The chart:\n\n![Revenue by year](chart.png)\n")
        .bytes("content/briefs/2025-10-30-a/chart.png", &crate::media::png(900, 500));
    let count = |run: &Run| run.stderr.lines().find_map(|l| l.split("bodies rendered ").nth(1).map(|c| c.split(',').next().unwrap().to_string())).unwrap();
    let first = site.build_with(&["--timings"]);
    let page = first.read("briefs/a/index.html");
    assert!(page.contains("width=\"900\" height=\"500\""), "{page}");
    let again = site.build_with(&["--timings"]);
    assert!(count(&again).starts_with("0 of"), "the body with an image is kept: {}", again.stderr);
    assert_eq!(again.read("briefs/a/index.html"), page);
    let moved = tempfile::tempdir().unwrap();
    let out = moved.path().join("public");
    assert_eq!(site.run(&["build", "--output", out.to_str().unwrap()]).code, 0);
    assert_eq!(tree(&out), tree(&again.out), "a new folder gets the image and its variants too");
    assert!(tree(&out).keys().any(|k| k.starts_with("briefs/a/chart-") && k.ends_with(".webp")), "{:?}", tree(&out).keys().collect::<Vec<_>>());

    // The site moved with its cache (a fresh clone with the cache restored), its chart
    // redrawn at the same size: the kept body shows it, and its variants are made from the
    // file where it is now, not where it was.
    let elsewhere = tempfile::tempdir().unwrap();
    for e in walkdir::WalkDir::new(site.root()).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let rel = e.path().strip_prefix(site.root()).unwrap();
        if !rel.starts_with("public") {
            std::fs::create_dir_all(elsewhere.path().join(rel).parent().unwrap()).unwrap();
            std::fs::copy(e.path(), elsewhere.path().join(rel)).unwrap();
        }
    }
    let redrawn = image::RgbImage::from_fn(900, 500, |x, y| image::Rgb([(y % 200) as u8, 30, (x % 220) as u8]));
    redrawn.save(elsewhere.path().join("content/briefs/2025-10-30-a/chart.png")).unwrap();
    let out = elsewhere.path().join("public");
    let moved_run = std::process::Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["build", "--timings", "--output"])
        .arg(&out)
        .arg("--root")
        .arg(elsewhere.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&moved_run.stderr);
    assert!(moved_run.status.success(), "{stderr}");
    assert!(stderr.contains("bodies rendered 0 of"), "the body is kept: {stderr}");
    let fresh = tempfile::tempdir().unwrap();
    copy_sources(elsewhere.path(), fresh.path());
    assert!(build_into(fresh.path(), &fresh.path().join("public")));
    assert!(tree(&out) == tree(&fresh.path().join("public")), "the moved site's images are its own");

    let site = site.bytes("content/briefs/2025-10-30-a/chart.png", &crate::media::png(640, 480));
    let resized = site.build_with(&["--timings"]);
    assert!(count(&resized).starts_with("1 of"), "{}", resized.stderr);
    assert!(resized.read("briefs/a/index.html").contains("width=\"640\" height=\"480\""));
    assert_eq!(tree(&resized.out), clean(&site));
}

/// The front matter a build keeps (`.briefing-cache/front`) is read instead of the YAML
/// while the YAML is the same: an edit is seen, `extra` fields are always read from the
/// YAML, a damaged file is not trusted.
#[test]
fn kept_front_matter_is_used_only_for_the_same_yaml() {
    let front = |title: &str| format!("title: {title}\ndate: 2025-10-30T08:00:00\ncompanies: [meta]\nsources:\n  - {{source: threads, note: via a spokesperson}}");
    let site = SiteTest::new()
        .brief("2025-10-30-a", &front("Alpha"), "Alpha.")
        .brief("2025-10-29-b", "title: Beta\ndate: 2025-10-29\ncompanies: [google]\nsources: [threads]\nextra: {1: one}", "Beta.");
    let parsed = |run: &Run| {
        let line = run.stderr.lines().find_map(|l| l.split("front matter parsed ").nth(1)).unwrap_or_else(|| panic!("{}", run.stderr));
        line.split(" of ").next().unwrap().parse::<usize>().unwrap()
    };
    let first = site.build_with(&["--timings"]);
    let all = parsed(&first);
    assert!(all > 5, "every file's front matter: {all}");
    let again = site.build_with(&["--timings"]);
    assert_eq!(parsed(&again), 1, "only the one with `extra` fields");
    assert_eq!(tree(&again.out), tree(&first.out));
    let checked = site.run(&["check", "--timings"]);
    assert_eq!(parsed(&checked), 1, "check reads it too: {}", checked.stderr);

    let site = site.brief("2025-10-30-a", &front("Alpha, renamed"), "Alpha.");
    let edited = site.build_with(&["--timings"]);
    assert_eq!(parsed(&edited), 2);
    assert!(edited.read("briefs/a/index.html").contains("Alpha, renamed"));
    assert!(edited.read("briefs/a/index.html").contains("via a spokesperson"));

    let file = site.root().join(".briefing-cache/front");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.windows(5).position(|w| w == b"Alpha").unwrap();
    bytes[at] = b'Z';
    std::fs::write(&file, &bytes).unwrap();
    let damaged = site.build_with(&["--timings"]);
    assert_eq!(parsed(&damaged), all, "nothing read from a damaged file");
    assert!(damaged.read("briefs/a/index.html").contains("Alpha, renamed"));
    let site = site.brief("2025-10-30-a", "title: [unclosed\ndate: 2025-10-30", "Alpha.");
    assert!(site.build_fails().stderr.contains("2025-10-30-a.md:"), "a broken edit is an error, as without the cache");
}

/// The search index is built only when a shard must be written: not when a build into a
/// kept folder finds every shard made from the same inputs (a template changed), but when a
/// brief's words changed, and not from a damaged list of shards.
#[test]
fn the_search_index_is_built_only_when_what_it_is_made_of_changed() {
    let front = |title: &str| format!("title: {title}\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]");
    let site = SiteTest::new().brief("2025-10-30-a", &front("Alpha"), "Alpha text.").brief("2025-10-29-b", &front("Beta"), "Beta text.");
    let indexed = |run: &Run| run.stderr.contains("search index");
    assert!(indexed(&site.build_with(&["--timings"])));
    assert!(!indexed(&site.build_with(&["--timings"])), "a new spare folder takes the shards from the cache");
    let same = site.build_with(&["--timings"]);
    assert!(!indexed(&same), "{}", same.stderr);
    assert_eq!(tree(&same.out), clean(&site));

    let theme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/brief.html")).unwrap();
    let site = site.file("templates/brief.html", &theme.replace("{% block content %}", "{% block content %}<p>Edited.</p>"));
    let themed = site.build_with(&["--timings"]);
    assert!(!indexed(&themed), "a template is not what the index is made of");
    assert_eq!(tree(&themed.out), clean(&site));

    // In a second paragraph: the summary (the first) stays the same.
    let site = site.brief("2025-10-29-b", &front("Beta"), "Beta text.\n\nA second paragraph with zyzzyva.");
    let worded = site.build_with(&["--timings"]);
    assert!(indexed(&worded), "{}", worded.stderr);
    let shards: String = tree(&worded.out.join("search/t")).into_values().map(|b| String::from_utf8(b).unwrap()).collect();
    assert!(shards.contains("\"zyzzyva\""), "the new word is found");
    assert_eq!(tree(&worded.out), clean(&site));

    // A damaged list of shards is not read: the index is built again.
    let lists: Vec<_> = walkdir::WalkDir::new(site.root().join(".briefing-cache/search")).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()).collect();
    assert!(!lists.is_empty());
    for e in &lists {
        let mut bytes = std::fs::read(e.path()).unwrap();
        bytes[0] ^= 1;
        std::fs::write(e.path(), bytes).unwrap();
    }
    let repaired = site.build_with(&["--timings"]);
    assert!(indexed(&repaired));
    assert_eq!(tree(&repaired.out), clean(&site));
}

/// One step of an editor's day on a small site.
#[derive(Debug, Clone)]
enum Step {
    /// Writes brief `n` (adding or replacing it): title, companies, tag, body.
    Write { n: usize, title: usize, companies: Vec<usize>, tag: usize, body: usize },
    Delete(usize),
    Rename(usize, usize),
    /// Rewrites a company's description.
    Company(usize),
}

const TITLES: [&str; 3] = ["Meta talks to Google", "Alphabet shares rise", "Denial on Threads"];
const COMPANIES: [&str; 3] = ["meta", "google", "alphabet"];
const TAGS: [&str; 3] = ["Advertising", "Markets", "Models"];
const BODIES: [&str; 4] =
    ["A report says so.", "About [[meta]] and [[Google]].", "## Why\n\nA note.[^1]\n\n[^1]: Filed.", "After [[brief:brief-1]], see [[story:talks]]."];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..5usize, 0..3usize, proptest::sample::subsequence(vec![0usize, 1, 2], 0..=2), 0..3usize, 0..4usize)
            .prop_map(|(n, title, companies, tag, body)| Step::Write { n, title, companies, tag, body }),
        1 => (0..5usize).prop_map(Step::Delete),
        1 => (0..5usize, 0..5usize).prop_map(|(a, b)| Step::Rename(a, b)),
        1 => (0..3usize).prop_map(Step::Company),
    ]
}

fn brief_path(root: &Path, n: usize) -> std::path::PathBuf {
    root.join(format!("content/briefs/2025-10-{:02}-brief-{n}.md", 20 + n))
}

/// Applies `s`; returns the paths it touched (relative to `root`), as a watcher reports them.
fn apply(root: &Path, s: &Step) -> Vec<std::path::PathBuf> {
    let rel = |p: std::path::PathBuf| p.strip_prefix(root).unwrap().to_path_buf();
    match s {
        Step::Write { n, title, companies, tag, body } => {
            let cos: Vec<&str> = companies.iter().map(|c| COMPANIES[*c]).collect();
            let text = format!(
                "---\ntitle: {} {n}\ndate: 2025-10-{:02}\ncompanies: [{}]\ntags: [{}]\nsources: [threads]\n---\n{}\n",
                TITLES[*title],
                20 + n,
                cos.join(", "),
                TAGS[*tag],
                BODIES[*body]
            );
            std::fs::write(brief_path(root, *n), text).unwrap();
            vec![rel(brief_path(root, *n))]
        }
        Step::Delete(n) => {
            let _ = std::fs::remove_file(brief_path(root, *n));
            vec![rel(brief_path(root, *n))]
        }
        Step::Rename(a, b) => {
            if brief_path(root, *a).exists() && !brief_path(root, *b).exists() {
                let text = std::fs::read_to_string(brief_path(root, *a)).unwrap();
                std::fs::remove_file(brief_path(root, *a)).unwrap();
                std::fs::write(brief_path(root, *b), text.replace(&format!("2025-10-{:02}", 20 + a), &format!("2025-10-{:02}", 20 + b))).unwrap();
            }
            vec![rel(brief_path(root, *a)), rel(brief_path(root, *b))]
        }
        Step::Company(c) => {
            let name = COMPANIES[*c];
            std::fs::write(root.join(format!("content/companies/{name}.md")), format!("---\nname: {name} Inc\n---\nEdited {c}.\n")).unwrap();
            vec![format!("content/companies/{name}.md").into()]
        }
    }
}

/// Every file the site renders (pages, feeds, search data), by path; `None` with errors.
fn rendered(root: &Path, caches: &briefing::Caches) -> Option<BTreeMap<String, Vec<u8>>> {
    let opts = briefing::content::load::LoadOptions { root: root.to_path_buf(), ..Default::default() };
    let ready = briefing::prepare_renderer(&opts, caches).unwrap();
    let renderer = ready.renderer.filter(|_| !ready.diags.has_errors())?;
    Some(renderer.jobs().into_iter().map(|j| renderer.render(j).unwrap()).map(|f| (f.path, f.bytes)).collect())
}

/// Copies the site's sources (config, content, templates) from `from` into `to`.
fn copy_sources(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let rel = e.path().strip_prefix(from).unwrap();
        if rel.starts_with("content") || rel.starts_with("templates") || rel == Path::new("site.toml") {
            std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
            std::fs::copy(e.path(), to.join(rel)).unwrap();
        }
    }
}

fn build_into(root: &Path, out: &Path) -> bool {
    let opts = briefing::BuildOptions {
        load: briefing::content::load::LoadOptions { root: root.to_path_buf(), ..Default::default() },
        output: Some(out.to_path_buf()),
        force: false,
        strict: false,
        no_cache: false,
    };
    matches!(briefing::build(&opts), Ok((outcome, Some(_))) if !outcome.diags.has_errors())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, failure_persistence: None, ..ProptestConfig::default() })]

    /// What `serve` keeps between rebuilds (parsed files trusted on the watcher's word,
    /// checked front matter, rendered bodies, related briefs) gives, after any sequence
    /// of edits, exactly the site a fresh load gives.
    #[test]
    fn serve_caches_give_what_a_fresh_load_gives(steps in proptest::collection::vec(step(), 1..6)) {
        let site = SiteTest::new().file("content/stories/talks.md", "---\ntitle: The talks\n---\n");
        std::fs::create_dir_all(site.root().join("content/briefs")).unwrap();
        let caches = briefing::Caches::default();
        rendered(site.root(), &caches);
        caches.load.watching();
        for (i, s) in steps.iter().enumerate() {
            let touched = apply(site.root(), s);
            caches.load.saw(touched);
            let kept = rendered(site.root(), &caches);
            let fresh = rendered(site.root(), &briefing::Caches::default());
            prop_assert!(kept == fresh, "after {:?}, serve's kept caches give another site than a fresh load", &steps[..=i]);
        }
    }

    #[test]
    fn incremental_output_equals_a_clean_build(steps in proptest::collection::vec(step(), 1..5)) {
        let site = SiteTest::new();
        std::fs::create_dir_all(site.root().join("content/briefs")).unwrap();
        let kept = site.root().join("public");
        for (i, s) in steps.iter().enumerate() {
            let _ = apply(site.root(), s);
            let built = build_into(site.root(), &kept);
            // A clean build: a copy of the sources alone, with no cache and no output.
            let clean = tempfile::tempdir().unwrap();
            copy_sources(site.root(), clean.path());
            let fresh = clean.path().join(format!("out{i}"));
            prop_assert_eq!(built, build_into(clean.path(), &fresh));
            // A new folder with the cache kept: pages from the cache's store.
            let moved = clean.path().join(format!("moved{i}"));
            prop_assert_eq!(built, build_into(site.root(), &moved));
            if built {
                prop_assert!(tree(&kept) == tree(&fresh), "after {:?}, the kept output differs from a clean build", &steps[..=i]);
                prop_assert!(tree(&moved) == tree(&fresh), "after {:?}, a new folder built with the cache differs from a clean build", &steps[..=i]);
            }
        }
    }
}

/// A brief moved to another company and a new tag in a long list, one added, one
/// removed: serve computes the related briefs of only the briefs within reach of each
/// change again (renumbering the others), and the site is still what a fresh load makes.
#[test]
fn changes_among_hundreds_of_briefs_keep_related_briefs_right() {
    let mut site = SiteTest::new();
    for n in 0..420 {
        let company = ["meta", "google", "alphabet"][n % 3];
        let tag = ["Advertising", "Markets"][n % 2];
        let front = format!("title: Brief number {n}\ndate: 2025-{:02}-{:02}T{:02}:00:00Z\ncompanies: [{company}]\ntags: [{tag}]\nstatus: analysis", 1 + n / 120, 1 + (n / 4) % 28, n % 4);
        site = site.brief(&format!("2025-{:02}-{:02}-b{n}", 1 + n / 120, 1 + (n / 4) % 28), &front, "Text.");
    }
    let caches = briefing::Caches::default();
    assert!(rendered(site.root(), &caches).is_some());
    caches.load.watching();
    rendered(site.root(), &caches);
    let same_as_fresh = |what: &str, path: &str| {
        caches.load.saw([std::path::PathBuf::from(path)]);
        let kept = rendered(site.root(), &caches).unwrap();
        let fresh = rendered(site.root(), &briefing::Caches::default()).unwrap();
        let differ: Vec<&String> = fresh.keys().filter(|k| kept.get(*k) != fresh.get(*k)).collect();
        assert!(differ.is_empty(), "after {what}, pages that differ from a fresh load: {differ:?}");
    };
    let path = "content/briefs/2025-02-23-b200.md";
    let text = std::fs::read_to_string(site.root().join(path)).unwrap();
    assert!(text.contains("companies: [alphabet]"));
    let moved = text.replace("companies: [alphabet]", "companies: [meta, google]").replace("tags: [Advertising]", "tags: [Advertising, Chips]");
    std::fs::write(site.root().join(path), moved).unwrap();
    same_as_fresh("a move to other companies and a new tag", path);
    let added = "content/briefs/2025-03-10-added.md";
    std::fs::write(site.root().join(added), "---\ntitle: Added\ndate: 2025-03-10T02:30:00Z\ncompanies: [google]\ntags: [Markets]\nstatus: analysis\n---\nText.\n").unwrap();
    same_as_fresh("a brief added in the middle", added);
    let removed = "content/briefs/2025-02-05-b130.md";
    std::fs::remove_file(site.root().join(removed)).unwrap();
    same_as_fresh("a brief removed", removed);
}

/// `build --no-cache` trusts nothing kept: a cache entry that is whole but wrong (as a
/// changed encoder would leave) is used by a plain build and made again with the flag,
/// and every file of the output is written again.
#[test]
fn no_cache_makes_everything_again() {
    let site = SiteTest::new().brief("2025-10-30-a", "title: A\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]", "Alpha.");
    site.build();
    let cards = site.root().join(".briefing-cache/cards");
    let index = std::fs::read(cards.join("index")).unwrap();
    let format = b"briefing-pages 3\n";
    assert!(index.starts_with(format) && index.len() == format.len() + 64 + 16, "the build kept its one share card");
    // The same card's entry, whole but with other bytes.
    let fake = b"not a png".to_vec();
    let mut wrong = index[..format.len() + 32].to_vec();
    wrong.extend_from_slice(&0u64.to_le_bytes());
    wrong.extend_from_slice(&(fake.len() as u64).to_le_bytes());
    wrong.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(&fake).to_le_bytes());
    wrong.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(&wrong).to_le_bytes());
    std::fs::write(cards.join("data"), &fake).unwrap();
    std::fs::write(cards.join("index"), &wrong).unwrap();
    let plain = site.run(&["build", "--output", &site.root().join("plain").to_string_lossy()]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!(std::fs::read(site.root().join("plain/briefs/a/social.png")).unwrap(), fake, "a whole entry is used as it is");
    let page = site.root().join("public/briefs/a/index.html");
    let before = mtime(&page);
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.build_with(&["--no-cache"]);
    let card = std::fs::read(site.root().join("public/briefs/a/social.png")).unwrap();
    assert!(card.starts_with(b"\x89PNG"), "the card is drawn again");
    assert!(mtime(&page) > before, "every page is written again");
    let after = site.run(&["build", "--output", &site.root().join("plain").to_string_lossy()]);
    assert_eq!(after.code, 0);
    assert!(std::fs::read(site.root().join("plain/briefs/a/social.png")).unwrap().starts_with(b"\x89PNG"), "and the cache holds it again");
}
