//! Content files a build read are not read again while their stamps (size, times, inode)
//! are the same: the site comes out the same, messages at such files point where they did,
//! and a file changed in any way is read again.

use std::time::Duration;

use crate::incremental::tree;
use crate::support::*;

/// Files changed within two seconds before a build are not trusted to show a later change
/// in their stamps: the tests' files are made older than that.
fn settle() {
    std::thread::sleep(Duration::from_millis(2100));
}

fn site() -> SiteTest {
    SiteTest::new()
        .file("content/companies/meta-ai.md", "---\nname: Meta AI\naliases: [Facebook]\n---\nA lab.\n")
        .brief("2025-10-30-a", "title: A\ndate: 2025-10-30\ncompanies: [meta]\nsources: [threads]", "About [[meta]], and [[brief:b]].")
        .brief("2025-10-29-b", "title: Bee\ndate: 2025-10-29\ncompanies: [google]\nsources: [threads]", "Beta.")
}

#[test]
fn files_known_unchanged_are_not_read_again_and_the_site_is_the_same() {
    let site = site();
    settle();
    let first = site.build_with(&["--timings"]);
    let (read, all) = first.done_again("files read");
    assert_eq!(read, all, "the first build reads every file");
    let again = site.build_with(&["--timings"]);
    assert_eq!(again.done_again("files read"), (0, all), "{}", again.stderr);

    // What a build that read every file makes.
    let elsewhere = tempfile::tempdir().unwrap();
    let clean = site.build_timed(elsewhere.path(), &["--no-cache"]);
    assert_eq!(clean.done_again("files read"), (all, all));
    assert_eq!(tree(&again.out), tree(elsewhere.path()), "the same site");

    // A message at a file not read points where it did, showing the same line.
    let warning = |stderr: &str| stderr.lines().skip_while(|l| !l.contains("meta-ai.md")).take(4).collect::<Vec<_>>().join("\n");
    assert!(warning(&first.stderr).contains(":3:") && warning(&first.stderr).contains("aliases: [Facebook]"), "{}", first.stderr);
    assert_eq!(warning(&again.stderr), warning(&first.stderr));

    // Changed in place, the same size, its modification time set back: its change time shows it.
    let path = site.root().join("content/briefs/2025-10-29-b.md");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap().replace("Beta.", "Bzta.");
    std::fs::write(&path, text).unwrap();
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
    let edited = site.build_with(&["--timings"]);
    assert_eq!(edited.done_again("files read"), (1, all));
    assert!(edited.read("briefs/b/index.html").contains("Bzta."));
}

/// Where a brief holds the placeholder `briefing new` writes is found when it is read and
/// kept in the record: the brief is refused on every build, read or not.
#[test]
fn a_brief_holding_the_placeholder_is_refused_on_every_build() {
    let body = "What happened, in two or three sentences.\n\n## Why it matters\n";
    let site = site().brief("2025-10-31-c", "title: Sea\ndate: 2025-10-31\ncompanies: [meta]\nsources: [threads]", body);
    settle();
    for _ in 0..2 {
        let failed = site.build_fails();
        assert!(failed.stderr.contains("2025-10-31-c.md:7:1: error: this brief still holds the placeholder text"), "{}", failed.stderr);
    }
}

/// Front matter with `extra` fields is not kept by the front-matter cache, so its file is
/// read on every build; the record of the other files is not written again for it.
#[test]
fn a_file_with_extra_fields_is_read_every_time_and_the_record_stays_as_it_was() {
    let front = "title: Ex\ndate: 2025-10-31\ncompanies: [meta]\nsources: [threads]\nextra: {desk: chips}";
    let site = site().brief("2025-10-31-x", front, "Ex.");
    settle();
    site.build();
    let record = site.root().join(".briefing-cache/files");
    let inode = || std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&record).unwrap());
    let before = inode();
    let again = site.build_with(&["--timings"]);
    assert_eq!(again.done_again("files read").0, 1, "{}", again.stderr);
    assert_eq!(inode(), before, "nothing changed: the record is not written again");
}
