//! `briefing publish`: puts the built site on static hosting, uploading only what changed.
//!
//! Object stores (`s3://`, `gs://`, `az://`, `file://`) go through the `object_store`
//! crate: the target's listing and a manifest of content hashes (`.briefing-manifest.json`
//! under the prefix) decide what to upload and delete. Uploads come first, deletions last,
//! so an interrupted run leaves a working site and the next run completes it. Git targets
//! (`git+<url>`) commit the site to a branch and push it. Nothing outside the target's
//! prefix is ever touched, and credentials are never printed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use object_store::path::Path as StorePath;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt as _, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

use crate::content::config::Target;

/// The manifest object kept under the target's prefix.
pub const MANIFEST: &str = ".briefing-manifest.json";

/// What `publish` is asked to do.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The built site.
    pub dir: PathBuf,
    /// Where and how.
    pub target: Target,
    /// Print the plan, change nothing.
    pub dry_run: bool,
    /// Override the target's `delete`.
    pub delete: Option<bool>,
}

/// What a publish did (or, with `--dry-run`, would do).
#[derive(Debug, Default)]
pub struct Summary {
    /// Files uploaded.
    pub uploaded: usize,
    /// Bytes uploaded.
    pub bytes: u64,
    /// Files deleted from the target.
    pub deleted: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Files that failed, with why.
    pub failed: Vec<(String, String)>,
}

/// One file to publish.
#[derive(Debug, Clone)]
struct LocalFile {
    rel: String,
    bytes: Arc<Vec<u8>>,
    content_type: String,
    cache_control: String,
    gzip: bool,
}

impl LocalFile {
    /// Everything that makes the stored object what it is: a change re-uploads it.
    fn key(&self) -> String {
        format!("{}|{}|{}|{}", blake3::hash(&self.bytes).to_hex(), self.content_type, self.cache_control, self.gzip)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: BTreeMap<String, String>,
}

/// Publishes `opts.dir` to `opts.target`; prints the plan and progress to stderr.
pub fn publish(opts: &PublishOptions) -> Result<Summary, String> {
    let files = local_files(&opts.dir, &opts.target)?;
    let url = opts.target.url.trim();
    if let Some(repo) = url.strip_prefix("git+") {
        let branch = opts.target.branch.clone().unwrap_or_else(|| "gh-pages".into());
        return publish_git(repo, &branch, &files, opts.dry_run);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(publish_store(url, files, opts))
}

/// The built files plus the host files the target asks for (CNAME, .nojekyll, ...).
fn local_files(dir: &Path, target: &Target) -> Result<Vec<LocalFile>, String> {
    if !dir.is_dir() {
        return Err(format!("{} does not exist: build the site first (or drop --no-build)", dir.display()));
    }
    let rules = CacheRules::new(target)?;
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| e.to_string())?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if rel == crate::output::write::MARKER || rel == crate::output::manifest::MANIFEST {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
        out.push(rules.file(rel, bytes));
    }
    let mut extra = Vec::new();
    if let Some(c) = &target.cname {
        extra.push(("CNAME".to_string(), format!("{}\n", c.trim()).into_bytes()));
    }
    if target.nojekyll {
        extra.push((".nojekyll".to_string(), Vec::new()));
    }
    if let Some(h) = &target.headers {
        extra.push(("_headers".to_string(), h.clone().into_bytes()));
    }
    if let Some(r) = &target.redirects {
        extra.push(("_redirects".to_string(), r.clone().into_bytes()));
    }
    for (rel, bytes) in extra {
        out.retain(|f| f.rel != rel);
        out.push(rules.file(rel, bytes));
    }
    Ok(out)
}

/// Content types, cache rules and compression by pattern.
struct CacheRules {
    cache: Vec<(globset::GlobMatcher, String)>,
    gzip: Vec<globset::GlobMatcher>,
}

impl CacheRules {
    fn new(target: &Target) -> Result<Self, String> {
        let glob = |p: &str| {
            globset::GlobBuilder::new(p)
                .literal_separator(false)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("site.toml: bad pattern \"{p}\" in target \"{}\": {e}", target.name))
        };
        Ok(CacheRules {
            cache: target.cache_control.iter().map(|r| Ok((glob(&r.pattern)?, r.value.clone()))).collect::<Result<_, String>>()?,
            gzip: target.gzip.iter().map(|p| glob(p)).collect::<Result<_, String>>()?,
        })
    }

    fn file(&self, rel: String, bytes: Vec<u8>) -> LocalFile {
        let mime = mime_guess::from_path(&rel).first_or_octet_stream();
        let text = mime.type_() == "text" || matches!(mime.subtype().as_str(), "xml" | "json" | "javascript" | "atom+xml");
        let content_type = match (rel.ends_with("atom.xml"), text) {
            (true, _) => "application/atom+xml; charset=utf-8".to_string(),
            (false, true) => format!("{}; charset=utf-8", mime.essence_str()),
            (false, false) => mime.essence_str().to_string(),
        };
        let cache_control = self
            .cache
            .iter()
            .find(|(g, _)| g.is_match(&rel))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| default_cache_control(&rel).to_string());
        let gzip = self.gzip.iter().any(|g| g.is_match(&rel));
        LocalFile { rel, bytes: Arc::new(bytes), content_type, cache_control, gzip }
    }
}

/// Pages and feeds change with every edition; assets rarely.
fn default_cache_control(rel: &str) -> &'static str {
    let mut parts = rel.rsplit('.');
    let (ext, hash) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if matches!(ext, "css" | "js") && hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        // A fingerprinted name never holds other bytes: cache it for a year.
        return "public, max-age=31536000, immutable";
    }
    match ext {
        "html" | "xml" | "json" | "txt" => "public, max-age=300",
        _ => "public, max-age=86400",
    }
}

/// A target written as a plain folder (`/srv/site`, `../site`) as a `file://` URL; any other
/// target as written. `file://../x` (a relative path in a file URL) is refused with what to
/// write instead.
fn local_url(target: &str) -> Result<String, String> {
    if let Some(rest) = target.strip_prefix("file://").filter(|r| !r.starts_with('/')) {
        return Err(format!("\"{target}\" is not a local path: a file URL holds an absolute path (file:///srv/site); or give the folder as it is: --to {rest}"));
    }
    if target.contains("://") || target.starts_with("git+") {
        return Ok(target.to_string());
    }
    let path = std::path::absolute(target).map_err(|e| format!("cannot use \"{target}\" as a folder: {e}"))?;
    url::Url::from_directory_path(&path).map(String::from).map_err(|_| format!("cannot use \"{target}\" as a folder"))
}

/// Opens an object store for `url`, reading credentials the standard way.
fn open_store(url: &str) -> Result<(Arc<dyn ObjectStore>, StorePath, bool), String> {
    let local = local_url(url)?;
    let url = local.as_str();
    let parsed = url::Url::parse(url).map_err(|e| format!("target URL \"{url}\" is not a URL: {e}"))?;
    let prefix = StorePath::from_url_path(parsed.path()).map_err(|e| e.to_string())?;
    let store: Arc<dyn ObjectStore> = match parsed.scheme() {
        "s3" | "s3a" => {
            let mut b = object_store::aws::AmazonS3Builder::from_env().with_url(url);
            for (k, v) in aws_profile() {
                if std::env::var_os(k.to_uppercase()).is_none() {
                    if let Ok(key) = k.parse() {
                        b = b.with_config(key, v);
                    }
                }
            }
            let endpoint = std::env::var("AWS_ENDPOINT_URL").or_else(|_| std::env::var("AWS_ENDPOINT")).unwrap_or_default();
            if endpoint.starts_with("http://") {
                b = b.with_allow_http(true);
            }
            Arc::new(b.with_retry(retry()).build().map_err(|e| e.to_string())?)
        }
        "gs" => Arc::new(
            object_store::gcp::GoogleCloudStorageBuilder::from_env()
                .with_url(url)
                .with_retry(retry())
                .build()
                .map_err(|e| e.to_string())?,
        ),
        "az" | "abfs" | "abfss" | "azure" => Arc::new(
            object_store::azure::MicrosoftAzureBuilder::from_env().with_url(url).with_retry(retry()).build().map_err(|e| e.to_string())?,
        ),
        "file" => {
            let dir = parsed.to_file_path().map_err(|_| {
                format!("\"{url}\" is not a local path: a file URL holds an absolute path (file:///srv/site); or give the folder as it is: --to ../site")
            })?;
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let fs = object_store::local::LocalFileSystem::new_with_prefix(&dir).map_err(|e| e.to_string())?;
            return Ok((Arc::new(fs), StorePath::default(), false));
        }
        other => return Err(format!("unsupported target scheme \"{other}://\": use s3://, gs://, az://, file:// or git+<repo url>")),
    };
    Ok((store, prefix, true))
}

/// Retries with exponential backoff, bounded in time.
fn retry() -> object_store::RetryConfig {
    object_store::RetryConfig {
        backoff: object_store::BackoffConfig { init_backoff: Duration::from_millis(100), max_backoff: Duration::from_secs(5), base: 2.0 },
        max_retries: 4,
        retry_timeout: Duration::from_secs(60),
    }
}

/// `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`, `aws_region` of the
/// profile `AWS_PROFILE` (or `default`) in the standard credentials and config files.
fn aws_profile() -> Vec<(String, String)> {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    let files = [
        (
            std::env::var_os("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from).unwrap_or_else(|| home.join(".aws/credentials")),
            profile.clone(),
        ),
        (
            std::env::var_os("AWS_CONFIG_FILE").map(PathBuf::from).unwrap_or_else(|| home.join(".aws/config")),
            if profile == "default" { profile.clone() } else { format!("profile {profile}") },
        ),
    ];
    let mut out = Vec::new();
    for (file, section) in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let mut inside = false;
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                inside = name.trim() == section;
            } else if let (true, Some((k, v))) = (inside, line.split_once('=')) {
                let k = k.trim().to_lowercase();
                let k = if k == "region" { "aws_region".to_string() } else { k };
                if matches!(k.as_str(), "aws_access_key_id" | "aws_secret_access_key" | "aws_session_token" | "aws_region") {
                    out.push((k, v.trim().to_string()));
                }
            }
        }
    }
    out
}

fn key_of(prefix: &StorePath, rel: &str) -> StorePath {
    let mut p = prefix.clone();
    for part in rel.split('/') {
        p = p.clone().join(part);
    }
    p
}

async fn publish_store(url: &str, files: Vec<LocalFile>, opts: &PublishOptions) -> Result<Summary, String> {
    let (store, prefix, attributes) = open_store(url)?;
    let delete = opts.delete.or(opts.target.delete).unwrap_or(true);

    let (remote, manifest) = read_remote(&*store, &prefix, url).await?;
    let manifest_key = key_of(&prefix, MANIFEST);

    let mut summary = Summary::default();
    let mut uploads = Vec::new();
    for f in &files {
        if manifest.files.get(&f.rel) == Some(&f.key()) && remote.contains(&f.rel) {
            summary.unchanged += 1;
        } else {
            uploads.push(f.clone());
        }
    }
    let local: BTreeSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let deletions: Vec<String> = if delete {
        remote.iter().filter(|r| !local.contains(r.as_str()) && r.as_str() != MANIFEST).cloned().collect()
    } else {
        Vec::new()
    };
    let upload_bytes: u64 = uploads.iter().map(|f| f.bytes.len() as u64).sum();
    eprintln!(
        "plan for {}: upload {} files ({} kB), delete {}, unchanged {}",
        opts.target.name,
        uploads.len(),
        upload_bytes / 1024,
        deletions.len(),
        summary.unchanged
    );
    if opts.dry_run {
        print_plan(&uploads, &deletions);
        summary.uploaded = uploads.len();
        summary.bytes = upload_bytes;
        summary.deleted = deletions.len();
        return Ok(summary);
    }

    let bar = progress(uploads.len() + deletions.len());
    let mut results = futures::stream::iter(uploads.iter().map(|f| {
        let store = store.clone();
        let key = key_of(&prefix, &f.rel);
        async move { (f, upload(&*store, &key, f, attributes).await) }
    }))
    .buffer_unordered(8);
    let mut new_manifest = Manifest { version: 1, files: BTreeMap::new() };
    for f in &files {
        if manifest.files.get(&f.rel) == Some(&f.key()) && remote.contains(&f.rel) {
            new_manifest.files.insert(f.rel.clone(), f.key());
        }
    }
    while let Some((f, r)) = results.next().await {
        bar.inc(1);
        match r {
            Ok(()) => {
                summary.uploaded += 1;
                summary.bytes += f.bytes.len() as u64;
                new_manifest.files.insert(f.rel.clone(), f.key());
            }
            Err(e) => summary.failed.push((f.rel.clone(), e)),
        }
    }
    drop(results);
    // A publish where nothing changed writes nothing, not even the manifest.
    if new_manifest.files != manifest.files || manifest.version != new_manifest.version {
        let body = serde_json::to_vec(&new_manifest).map_err(|e| e.to_string())?;
        let manifest_opts = PutOptions { attributes: if attributes { json_attributes() } else { Attributes::new() }, ..PutOptions::default() };
        if let Err(e) = store.put_opts(&manifest_key, PutPayload::from(body), manifest_opts).await {
            summary.failed.push((MANIFEST.to_string(), e.to_string()));
        }
    }
    // Deletions only once every upload landed: until then the old pages may still be linked.
    if summary.failed.is_empty() {
        for d in &deletions {
            bar.inc(1);
            let key = key_of(&prefix, d);
            match with_retries(|| store.delete(&key)).await {
                Ok(()) => summary.deleted += 1,
                Err(e) => summary.failed.push((d.clone(), e)),
            }
        }
    } else if !deletions.is_empty() {
        eprintln!("skipping {} deletions until every upload has succeeded", deletions.len());
    }
    bar.finish_and_clear();
    Ok(summary)
}

/// What the target holds: its listing (the truth for deletions) and the manifest (content
/// hashes of what we uploaded before; empty when missing or unreadable).
async fn read_remote(store: &dyn ObjectStore, prefix: &StorePath, url: &str) -> Result<(BTreeSet<String>, Manifest), String> {
    let mut remote: BTreeSet<String> = BTreeSet::new();
    let list_prefix = if prefix.as_ref().is_empty() { None } else { Some(prefix) };
    let mut listing = store.list(list_prefix);
    while let Some(item) = listing.next().await {
        let meta = item.map_err(|e| format!("cannot list {url}: {e}"))?;
        let full = meta.location.as_ref();
        let rel =
            if prefix.as_ref().is_empty() { full } else { full.strip_prefix(prefix.as_ref()).unwrap_or(full).trim_start_matches('/') };
        remote.insert(rel.to_string());
    }
    let manifest: Manifest = match store.get(&key_of(prefix, MANIFEST)).await {
        Ok(r) => r.bytes().await.ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default(),
        Err(_) => Manifest::default(),
    };
    Ok((remote, manifest))
}

/// `--dry-run`: each upload and deletion on a line.
fn print_plan(uploads: &[LocalFile], deletions: &[String]) {
    for f in uploads {
        eprintln!("  upload {}  ({}, {})", f.rel, f.content_type, f.cache_control);
    }
    for d in deletions {
        eprintln!("  delete {d}");
    }
}

fn json_attributes() -> Attributes {
    let mut a = Attributes::new();
    a.insert(Attribute::ContentType, "application/json".into());
    a.insert(Attribute::CacheControl, "no-cache".into());
    a
}

async fn upload(store: &dyn ObjectStore, key: &StorePath, f: &LocalFile, attributes: bool) -> Result<(), String> {
    let body: Vec<u8> = if f.gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&f.bytes).map_err(|e| e.to_string())?;
        enc.finish().map_err(|e| e.to_string())?
    } else {
        f.bytes.as_ref().clone()
    };
    let body = PutPayload::from(body);
    with_retries(|| {
        let mut attrs = Attributes::new();
        if attributes {
            attrs.insert(Attribute::ContentType, f.content_type.clone().into());
            attrs.insert(Attribute::CacheControl, f.cache_control.clone().into());
            if f.gzip {
                attrs.insert(Attribute::ContentEncoding, "gzip".into());
            }
        }
        let opts = PutOptions { attributes: attrs, ..PutOptions::default() };
        let payload = body.clone();
        async move { store.put_opts(key, payload, opts).await.map(|_| ()) }
    })
    .await
}

/// Runs `op` up to three times, waiting 200 ms, then 400 ms, between attempts (on top of
/// the store's own retries of transient HTTP errors).
async fn with_retries<F, Fut>(mut op: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = object_store::Result<()>>,
{
    let mut wait = Duration::from_millis(200);
    let mut last = String::new();
    for attempt in 0..3 {
        match op().await {
            Ok(()) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
        if attempt < 2 {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    Err(last)
}

fn progress(n: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
        bar.set_style(style);
    }
    if n < 50 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// Commits the files to `branch` of the git repository `repo` and pushes it.
fn publish_git(repo: &str, branch: &str, files: &[LocalFile], dry_run: bool) -> Result<Summary, String> {
    let work =
        tempfile::Builder::new().prefix("briefing-publish-").tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let dir = work.path();
    let git = |args: &[&str]| -> Result<std::process::Output, String> {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=briefing", "-c", "user.email=briefing@localhost", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))
    };
    let cloned = Command::new("git")
        .args(["clone", "--quiet", "--depth", "1", "--branch", branch, repo])
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !cloned.status.success() {
        // A new branch: start it with no history.
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        for args in [&["init", "--quiet"][..], &["checkout", "--quiet", "--orphan", branch], &["remote", "add", "origin", repo]] {
            let o = git(args)?;
            if !o.status.success() {
                return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&o.stderr).trim()));
            }
        }
    }
    // Replace the tree with the site.
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_name() == ".git" {
            continue;
        }
        let p = entry.path();
        if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) }.map_err(|e| e.to_string())?;
    }
    for f in files {
        let target = dir.join(&f.rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&target, f.bytes.as_ref()).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    let o = git(&["add", "--all"])?;
    if !o.status.success() {
        return Err(format!("git add: {}", String::from_utf8_lossy(&o.stderr).trim()));
    }
    let status = git(&["status", "--porcelain"])?;
    let changes: Vec<String> = String::from_utf8_lossy(&status.stdout).lines().map(str::to_string).collect();
    let mut summary = Summary {
        uploaded: changes.iter().filter(|l| !l.starts_with("D ")).count(),
        deleted: changes.iter().filter(|l| l.starts_with("D ")).count(),
        unchanged: files.len().saturating_sub(changes.len()),
        ..Summary::default()
    };
    eprintln!("plan for branch {branch}: {} added or changed, {} deleted", summary.uploaded, summary.deleted);
    if dry_run || changes.is_empty() {
        if dry_run {
            for c in &changes {
                eprintln!("  {c}");
            }
        }
        return Ok(summary);
    }
    let o = git(&["commit", "--quiet", "-m", "Publish the site with briefing"])?;
    if !o.status.success() {
        return Err(format!("git commit: {}", String::from_utf8_lossy(&o.stderr).trim()));
    }
    let o = git(&["push", "--quiet", "origin", &format!("HEAD:refs/heads/{branch}")])?;
    if !o.status.success() {
        summary.failed.push((branch.to_string(), String::from_utf8_lossy(&o.stderr).trim().to_string()));
    }
    summary.bytes = files.iter().map(|f| f.bytes.len() as u64).sum();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_rules_first_match_and_defaults() {
        let target = Target {
            name: "t".into(),
            url: "file:///tmp/x".into(),
            cache_control: vec![crate::content::config::CacheRule { pattern: "**/*.css".into(), value: "immutable".into() }],
            gzip: vec!["*.html".into()],
            ..Target::default()
        };
        let rules = CacheRules::new(&target).unwrap();
        let css = rules.file("a/b/style.css".into(), vec![]);
        assert_eq!(css.cache_control, "immutable");
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        let html = rules.file("briefs/x/index.html".into(), vec![]);
        assert_eq!(html.cache_control, "public, max-age=300");
        assert!(html.gzip, "*.html matches in sub-folders too");
        assert_eq!(rules.file("atom.xml".into(), vec![]).content_type, "application/atom+xml; charset=utf-8");
    }
}
