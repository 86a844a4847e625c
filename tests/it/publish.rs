//! `briefing publish` against a real S3-compatible server (moto, on 127.0.0.1), a local
//! folder (`file://`) and a local bare git repository.

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use object_store::{ObjectStore, ObjectStoreExt as _};

use crate::build::story_site;
use crate::support::{free_port, SiteTest};

const BUCKET: &str = "briefing-test";

/// A moto S3 server on a free loopback port, stopped on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
    moto_on(free_port())
}

fn moto_on(port: u16) -> Moto {
    let bin = std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin} ({e}): run `bash tests/run.sh` (as .ci/run does), which installs moto"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let endpoint = format!("http://127.0.0.1:{port}");
    let created = reqwest::blocking::Client::new().put(format!("{endpoint}/{BUCKET}")).send().unwrap();
    assert!(created.status().is_success(), "cannot create the bucket");
    Moto { child, endpoint }
}

fn aws_env(cmd: &mut Command, endpoint: &str) {
    cmd.env("AWS_ACCESS_KEY_ID", "testing-key")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret-do-not-print")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env_remove("AWS_PROFILE");
}

fn publish(site: &SiteTest, endpoint: &str, args: &[&str]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_briefing"));
    cmd.arg("publish").args(args).arg("--root").arg(site.root());
    aws_env(&mut cmd, endpoint);
    let o = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("testing-secret-do-not-print"), "a credential was printed:\n{err}");
    (o.status.code().unwrap_or(-1), err)
}

/// The test bucket, seen directly (not through briefing).
fn bucket(endpoint: &str) -> object_store::aws::AmazonS3 {
    object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(BUCKET)
        .with_endpoint(endpoint)
        .with_allow_http(true)
        .with_access_key_id("k")
        .with_secret_access_key("s")
        .with_region("us-east-1")
        .build()
        .unwrap()
}

/// Every object of the bucket: key -> (content type, cache control, body).
fn objects(endpoint: &str) -> BTreeMap<String, (String, String, Vec<u8>)> {
    let store = bucket(endpoint);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use futures::StreamExt as _;
        let mut out = BTreeMap::new();
        let mut list = store.list(None);
        while let Some(meta) = list.next().await {
            let meta = meta.unwrap();
            let got = store.get(&meta.location).await.unwrap();
            let attr = |a: object_store::Attribute| got.attributes.get(&a).map(|v| v.to_string()).unwrap_or_default();
            let (ct, cc) = (attr(object_store::Attribute::ContentType), attr(object_store::Attribute::CacheControl));
            out.insert(meta.location.to_string(), (ct, cc, got.bytes().await.unwrap().to_vec()));
        }
        out
    })
}

fn put_raw(endpoint: &str, key: &str, body: &str) {
    let store = bucket(endpoint);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(store.put(&key.into(), body.to_string().into_bytes().into())).unwrap();
}

fn uploaded(out: &str) -> usize {
    let line = out.lines().rev().find(|l| l.contains(" uploaded ")).unwrap_or_else(|| panic!("no summary in:\n{out}"));
    line.split(" uploaded ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap()
}

fn site_with_target() -> SiteTest {
    story_site().file(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\n\n[[publish.targets]]\nname = \"production\"\nurl = \"s3://briefing-test/www\"\ngzip = [\"*.xml\"]\ncache_control = [{ pattern = \"**/*.css\", value = \"public, max-age=31536000, immutable\" }]\n",
    )
}

#[test]
fn s3_first_publish_uploads_everything_with_types_and_cache_headers() {
    let server = moto();
    let site = site_with_target();
    put_raw(&server.endpoint, "other/keep.txt", "not ours");
    put_raw(&server.endpoint, "www-old/keep.txt", "not ours either");
    let (code, out) = publish(&site, &server.endpoint, &[]);
    assert_eq!(code, 0, "{out}");
    let objs = objects(&server.endpoint);
    let page = &objs["www/briefs/talks/index.html"];
    assert_eq!(page.0, "text/html; charset=utf-8");
    assert_eq!(page.1, "public, max-age=300");
    assert!(String::from_utf8_lossy(&page.2).contains("Meta held talks with Google"));
    assert_eq!(objs["www/style.css"].1, "public, max-age=31536000, immutable");
    // The fingerprinted script the pages load is cached for a year without any pattern; its
    // plain name, which pages no longer use, for a day.
    let script = objs.keys().find(|k| k.starts_with("www/search.") && k.len() == "www/search.0123456789.js".len()).expect("fingerprinted search.js");
    assert_eq!(objs[script].1, "public, max-age=31536000, immutable");
    assert_eq!(objs["www/search.js"].1, "public, max-age=86400");
    assert!(String::from_utf8_lossy(&objs["www/search/index.html"].2).contains(&format!("src=\"/{}\"", &script[4..])));
    assert_eq!(objs["www/atom.xml"].0, "application/atom+xml; charset=utf-8");
    // Patterns in `gzip` are stored compressed.
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&objs["www/atom.xml"].2[..]), &mut xml).unwrap();
    assert!(xml.contains("<feed"), "atom.xml is not gzip");
    let local = site.build().files().into_iter().filter(|f| !f.starts_with(".briefing-")).count();
    assert_eq!(uploaded(&out), local);
    assert_eq!(objs.keys().filter(|k| k.starts_with("www/") && !k.ends_with(".briefing-manifest.json")).count(), local);

    // Publishing the same build again uploads nothing.
    let (code, out) = publish(&site, &server.endpoint, &["--no-build"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(uploaded(&out), 0, "{out}");

    // Editing one brief uploads its page, the feeds that carry its text and the search
    // shards of the words it gained, not the rest of the site.
    let path = site.root().join("content/briefs/2025-03-02-shares.md");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + "\nA new second paragraph.\n").unwrap();
    let (code, out) = publish(&site, &server.endpoint, &[]);
    assert_eq!(code, 0, "{out}");
    let n = uploaded(&out);
    assert!((1..=10).contains(&n) && n * 5 < local, "uploaded {n} of {local} files after one edit:\n{out}");
    assert!(String::from_utf8_lossy(&objects(&server.endpoint)["www/briefs/shares/index.html"].2).contains("A new second paragraph."));

    // Deleting a brief deletes its page; nothing outside the prefix is touched.
    std::fs::remove_file(site.root().join("content/briefs/2025-03-02-shares.md")).unwrap();
    let (code, out) = publish(&site, &server.endpoint, &[]);
    assert_eq!(code, 0, "{out}");
    let objs = objects(&server.endpoint);
    assert!(!objs.contains_key("www/briefs/shares/index.html"), "deleted brief still published");
    assert!(objs.contains_key("www/briefs/talks/index.html"));
    assert!(objs.contains_key("other/keep.txt") && objs.contains_key("www-old/keep.txt"), "touched objects outside the prefix");
}

#[test]
fn s3_dry_run_changes_nothing() {
    let server = moto();
    let site = site_with_target();
    let (code, out) = publish(&site, &server.endpoint, &["--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("upload briefs/talks/index.html"), "{out}");
    assert!(out.contains("would delete 0 files, 0 unchanged (dry run: nothing changed)"), "a dry run says what it would do: {out}");
    assert!(objects(&server.endpoint).is_empty());
}

#[test]
fn s3_interrupted_publish_completes_on_rerun() {
    let server = moto();
    let mut site = site_with_target();
    for i in 0..150 {
        site = site.brief(
            &format!("2024-01-{:02}-filler-{i}", i % 28 + 1),
            &format!("title: Filler {i}\ndate: 2024-01-{:02}\nsources: [threads]\ntags: [T{}]", i % 28 + 1, i % 9),
            &"Words. ".repeat(200),
        );
    }
    // Kill the publisher part-way through its uploads.
    site.build();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_briefing"));
    cmd.args(["publish", "--no-build", "--root"]).arg(site.root()).stderr(Stdio::null());
    aws_env(&mut cmd, &server.endpoint);
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let _ = child.kill();
    let _ = child.wait();
    let partial = objects(&server.endpoint).len();
    // The rerun completes it, and a third run has nothing left to do.
    let (code, out) = publish(&site, &server.endpoint, &["--no-build"]);
    assert_eq!(code, 0, "{out}");
    let local: Vec<String> = site.build().files().into_iter().filter(|f| !f.starts_with(".briefing-")).collect();
    let objs = objects(&server.endpoint);
    for f in &local {
        assert!(objs.contains_key(&format!("www/{f}")), "{f} missing after the rerun (partial run had {partial} objects)");
    }
    let (_, out) = publish(&site, &server.endpoint, &["--no-build"]);
    assert_eq!(uploaded(&out), 0, "{out}");
}

#[test]
fn s3_server_killed_mid_publish_then_restarted_completes_on_rerun() {
    let server = moto();
    let port: u16 = server.endpoint.rsplit(':').next().unwrap().parse().unwrap();
    let mut site = site_with_target();
    for i in 0..150 {
        site = site.brief(
            &format!("2024-02-{:02}-more-{i}", i % 28 + 1),
            &format!("title: More {i}\ndate: 2024-02-{:02}\nsources: [threads]", i % 28 + 1),
            &"Text. ".repeat(300),
        );
    }
    site.build();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_briefing"));
    cmd.args(["publish", "--no-build", "--root"]).arg(site.root()).stderr(Stdio::piped());
    aws_env(&mut cmd, &server.endpoint);
    let child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    drop(server); // the server dies part-way through
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() || err.contains("uploaded"), "{err}");
    // A new server on the same address (moto keeps nothing: the bucket starts empty).
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let server = moto_on(port);
    let (code, out) = publish(&site, &server.endpoint, &["--no-build"]);
    assert_eq!(code, 0, "{out}");
    let objs = objects(&server.endpoint);
    for f in site.build().files().into_iter().filter(|f| !f.starts_with(".briefing-")) {
        assert!(objs.contains_key(&format!("www/{f}")), "{f} missing after the rerun");
    }
}

#[test]
fn s3_unreachable_server_fails_quickly_with_a_message() {
    let site = site_with_target();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let (code, out) = publish(&site, &dead, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("error:"), "{out}");
    assert!(started.elapsed() < Duration::from_secs(90), "took {:?}", started.elapsed());
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn file_target_mirrors_the_site_incrementally() {
    let site = story_site();
    let dest = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dest.path().join("www").display());
    std::fs::create_dir_all(dest.path().join("other")).unwrap();
    std::fs::write(dest.path().join("other/keep.txt"), "not ours").unwrap();
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--to", &url]);
    assert_eq!(code, 0, "{out}");
    let published = tree(&dest.path().join("www"));
    assert!(String::from_utf8_lossy(&published["briefs/talks/index.html"]).contains("Meta held talks"));
    let manifest = dest.path().join("www/.briefing-manifest.json");
    let manifest_time = std::fs::metadata(&manifest).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (_, out) = publish(&site, "http://127.0.0.1:9", &["--to", &url, "--no-build"]);
    assert_eq!(uploaded(&out), 0, "{out}");
    assert_eq!(std::fs::metadata(&manifest).unwrap().modified().unwrap(), manifest_time, "a publish where nothing changed writes nothing");
    let path = site.root().join("content/briefs/2025-03-01-talks.md");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + "\nLater paragraph.\n").unwrap();
    let (_, out) = publish(&site, "http://127.0.0.1:9", &["--to", &url]);
    assert!((1..=10).contains(&uploaded(&out)), "{out}");
    assert!(String::from_utf8_lossy(&tree(&dest.path().join("www"))["briefs/talks/index.html"]).contains("Later paragraph."));
    std::fs::remove_file(site.root().join("content/briefs/2025-03-02-shares.md")).unwrap();
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--to", &url]);
    assert_eq!(code, 0, "{out}");
    let published = tree(&dest.path().join("www"));
    assert!(!published.contains_key("briefs/shares/index.html"));
    assert!(dest.path().join("other/keep.txt").exists());
    let (_, out) = publish(&site, "http://127.0.0.1:9", &["--to", &url, "--no-build", "--delete=false"]);
    assert_eq!(uploaded(&out), 0, "{out}");
    // The same folder given as a plain path is the same target; a relative file URL is refused.
    let plain = dest.path().join("www").display().to_string();
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--to", &plain, "--no-build"]);
    assert_eq!((code, uploaded(&out)), (0, 0), "{out}");
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--to", "file://../www", "--no-build"]);
    assert_eq!(code, 1);
    assert!(out.contains("file:///srv/site") && out.contains("--to ../www"), "{out}");
}

#[test]
fn git_target_commits_to_a_branch_with_host_files() {
    let repo = tempfile::tempdir().unwrap();
    let bare = repo.path().join("site.git");
    assert!(Command::new("git").args(["init", "--quiet", "--bare"]).arg(&bare).status().unwrap().success());
    let site = story_site().file(
        "site.toml",
        &format!(
            "title = \"T\"\nbase_url = \"https://news.example.org/\"\n\n[[publish.targets]]\nname = \"pages\"\nurl = \"git+file://{}\"\nbranch = \"gh-pages\"\ncname = \"news.example.org\"\nnojekyll = true\nredirects = \"/old /briefs/talks/ 301\\n\"\n",
            bare.display()
        ),
    );
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--target", "pages"]);
    assert_eq!(code, 0, "{out}");
    let git = |args: &[&str]| {
        let o = Command::new("git").arg("--git-dir").arg(&bare).args(args).output().unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let files = git(&["ls-tree", "-r", "--name-only", "gh-pages"]);
    for f in ["index.html", "briefs/talks/index.html", "CNAME", ".nojekyll", "_redirects"] {
        assert!(files.lines().any(|l| l == f), "{f} not in the branch:\n{files}");
    }
    assert_eq!(git(&["show", "gh-pages:CNAME"]), "news.example.org\n");
    // Nothing changed: no new commit.
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--target", "pages"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(git(&["rev-list", "--count", "gh-pages"]).trim(), "1");
    // A change: one more commit, on top of the first.
    std::fs::remove_file(site.root().join("content/briefs/2025-03-02-shares.md")).unwrap();
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--target", "pages"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(git(&["rev-list", "--count", "gh-pages"]).trim(), "2");
    assert!(!git(&["ls-tree", "-r", "--name-only", "gh-pages"]).contains("briefs/shares/"));
}

#[test]
fn unknown_target_is_explained() {
    let site = site_with_target();
    let (code, out) = publish(&site, "http://127.0.0.1:9", &["--target", "staging", "--no-build"]);
    assert_eq!(code, 1);
    assert!(out.contains("no publish target named \"staging\"") && out.contains("production"), "{out}");
}
