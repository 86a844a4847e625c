//! `briefing serve`: builds the site in memory, serves it over HTTP on loopback, watches
//! the site folder, rebuilds on save and tells open pages to reload (Server-Sent Events).
//!
//! Nothing is written to disk. The reload script is injected into HTML responses here
//! only, never into `build` output. A failed rebuild keeps the last good pages and shows
//! the errors in an overlay until the file is fixed. Only files of the built site can be
//! served: request paths are looked up in memory, never joined to a folder.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use rayon::prelude::*;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt as _;

use crate::content::load::{LoadOptions, StaticSource};

/// Where the live-reload event stream is served, under the site's base path.
pub const EVENTS_PATH: &str = "__briefing/events";

/// What `serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site folder, drafts, base URL override.
    pub load: LoadOptions,
    /// Address to bind (127.0.0.1 unless told otherwise).
    pub bind: IpAddr,
    /// First port to try; the next free ones are tried after it.
    pub port: u16,
    /// Open a browser once serving.
    pub open: bool,
}

/// What is served: the last good build, and the errors of the latest one if it failed.
#[derive(Default)]
struct Snapshot {
    built: Option<Arc<Built>>,
    /// The errors of the latest build, when it failed (the pages are the last good ones).
    error: Option<String>,
}

/// One good build. Pages are rendered when first asked for, then kept.
struct Built {
    renderer: crate::render::Renderer,
    /// Output path -> the job that renders it (all but the search index's data files).
    index: Arc<HashMap<String, crate::render::Job>>,
    /// What the output paths were made from (see [`paths_key`]).
    paths: u64,
    /// The search index's data files, by output path: the index is built when the search
    /// page first asks for them, not on every rebuild.
    search: std::sync::OnceLock<HashMap<String, crate::render::Job>>,
    statics: HashMap<String, StaticSource>,
    /// Image variants and share cards, made when first asked for.
    media: Arc<HashMap<String, Media>>,
    cache: crate::output::cache::Cache,
    cards: Arc<crate::output::pages::Pages>,
    pages: std::sync::Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

/// Where a media file of the site comes from.
enum Media {
    /// A variant of the image at this index of the site's images.
    Image(usize),
    /// The share card of this brief (its text is made when it is asked for).
    Card(crate::site::BriefId),
}

impl Built {
    fn get(&self, key: &str) -> Option<Result<Arc<Vec<u8>>, String>> {
        if let Some(hit) = self.pages.lock().ok().and_then(|p| p.get(key).cloned()) {
            return Some(Ok(hit));
        }
        let search = || {
            self.search.get_or_init(|| {
                self.renderer.search_data_jobs().into_iter().map(|j| (self.renderer.output_path(j), j)).collect()
            })
        };
        let job = self.index.get(key).or_else(|| key.starts_with("search/").then(|| search().get(key)).flatten());
        if let Some(job) = job {
            return Some(match self.renderer.render(*job) {
                Ok(f) => {
                    let bytes = Arc::new(f.bytes);
                    if let Ok(mut p) = self.pages.lock() {
                        p.insert(key.to_string(), bytes.clone());
                    }
                    Ok(bytes)
                }
                Err(d) => Err(d.to_string()),
            });
        }
        match self.statics.get(key) {
            Some(StaticSource::Embedded(b)) => Some(Ok(Arc::new(b.to_vec()))),
            Some(StaticSource::Disk(p)) => Some(std::fs::read(p).map(Arc::new).map_err(|e| format!("cannot read {}: {e}", p.display()))),
            None => self.make_media(key),
        }
    }

    /// Makes a media file (with its siblings: every variant of an image at once) and keeps it.
    fn make_media(&self, key: &str) -> Option<Result<Arc<Vec<u8>>, String>> {
        use crate::output::media;
        let keep = |rel: &str, bytes: &[u8]| {
            if let Ok(mut p) = self.pages.lock() {
                p.insert(rel.to_string(), Arc::new(bytes.to_vec()));
            }
            Ok(())
        };
        let site = self.renderer.site();
        let made = match self.media.get(key)? {
            Media::Image(i) => media::variants(&site.images[*i], site.config.images.quality, &self.cache, &crate::output::manifest::Prior::default(), keep).map(|r| r.map(|_| ())),
            Media::Card(id) => media::card(key, &self.renderer.card_text(*id), &self.cards, &crate::output::manifest::Prior::default(), keep).map(|_| Ok(())),
        };
        match made {
            Ok(Ok(())) => self.pages.lock().ok()?.get(key).cloned().map(Ok),
            Ok(Err(d)) => Some(Err(d.to_string())),
            Err(e) => Some(Err(e.to_string())),
        }
    }

    fn has(&self, key: &str) -> bool {
        self.index.contains_key(key) || self.statics.contains_key(key) || self.media.contains_key(key)
    }
}

struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    events: broadcast::Sender<Signal>,
    base_path: String,
}

/// What open pages are told.
#[derive(Clone, Debug)]
enum Signal {
    Reload,
    Css,
    Error(String),
}

/// Binds the first free port from `opts.port` on, or fails with the reason.
fn bind(opts: &ServeOptions) -> std::io::Result<TcpListener> {
    let mut last = None;
    for port in opts.port..opts.port.saturating_add(20) {
        match TcpListener::bind(SocketAddr::new(opts.bind, port)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port to try")))
}

/// Runs the server until interrupted. Returns the process exit code.
pub fn serve(mut opts: ServeOptions) -> std::process::ExitCode {
    if std::env::var_os("BRIEFING_TIMINGS").is_some() {
        crate::steps::enable();
    }
    let listener = match bind(&opts) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", opts.bind, opts.port);
            return std::process::ExitCode::from(1);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    if opts.load.base_url.is_none() {
        opts.load.origin = Some(format!("http://{addr}"));
    }
    let caches = Arc::new(crate::Caches::default());
    // The first build takes the bodies the last `briefing build` kept (read, never written).
    let stored = crate::Kept::open(&opts.load.root, false, false);
    let (snapshot, base_path) = build_snapshot(&opts.load, &caches, None, Some(&stored), true);
    drop(stored);
    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared { snapshot: RwLock::new(Arc::new(snapshot)), events, base_path });
    let url = format!("http://{addr}{}", shared.base_path);
    eprintln!("serving {} at {url} (Ctrl+C to stop)", opts.load.root.display());

    let _watcher = match watch(&opts.load, shared.clone(), caches) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("warning: cannot watch for changes ({e}); serving without live reload");
            None
        }
    };
    if opts.open {
        let _ = std::process::Command::new(if cfg!(target_os = "macos") { "open" } else { "xdg-open" }).arg(&url).spawn();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let events_route = format!("{}{EVENTS_PATH}", shared.base_path);
        let app = Router::new().route(&events_route, get(event_stream)).fallback(file).with_state(shared);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}

/// Loads and resolves the site (reusing `caches`, and the bodies in `stored`), and with `validate` checks that every
/// template renders; on failure keeps the `previous` build and records the errors.
fn build_snapshot(opts: &LoadOptions, caches: &crate::Caches, previous: Option<&Snapshot>, stored: Option<&crate::Kept>, validate: bool) -> (Snapshot, String) {
    let keep = || previous.and_then(|p| p.built.clone());
    let ready = match crate::prepare_renderer_from(opts, caches, stored) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("error: {e}");
            eprintln!("{msg}");
            return (Snapshot { built: keep(), error: Some(msg) }, "/".into());
        }
    };
    let base_path = ready.base_path.clone();
    let t = ready.timings.clone();
    let started = Instant::now();
    let mut diags = ready.diags;
    let built = ready.renderer.and_then(|renderer| {
        // The search index's data files are left out: building the index takes a tenth of
        // a second at 10,000 briefs, and only the search page needs it.
        let jobs = renderer.jobs_without_search_data();
        // Render one page of each kind now, so that a template mistake shows at once
        // instead of on the first visit. Only needed when templates or settings changed:
        // pages are rendered on request anyway, and their errors shown then.
        let mut seen = Vec::new();
        let mut errors = Vec::new();
        for job in jobs.iter().filter(|_| validate) {
            let kind = std::mem::discriminant(job);
            if !seen.contains(&kind) {
                seen.push(kind);
                if let Err(d) = renderer.render(*job) {
                    errors.push(d);
                }
            }
        }
        if crate::render::report_render_errors(errors, &mut diags) {
            return None;
        }
        let t_index = Instant::now();
        let paths = paths_key(&renderer, &jobs);
        let (index, media) = match previous.and_then(|p| p.built.as_ref()).filter(|b| b.paths == paths) {
            Some(b) => (b.index.clone(), b.media.clone()),
            None => (Arc::new(jobs.par_iter().map(|j| (renderer.output_path(*j), *j)).collect()), Arc::new(media_index(&renderer))),
        };
        let statics = renderer.statics().iter().cloned().collect();
        if crate::steps::enabled() {
            eprintln!("timings: {} jobs and {} media indexed in {} ms", jobs.len(), media.len(), t_index.elapsed().as_millis());
        }
        let cache = crate::output::cache::Cache::new(&opts.root);
        let cards = match previous.and_then(|p| p.built.as_ref()) {
            Some(b) => b.cards.clone(),
            None => Arc::new(crate::output::pages::Pages::cards(&opts.root, false).read_only()),
        };
        let search = std::sync::OnceLock::new();
        Some(Arc::new(Built { renderer, index, paths, search, statics, media, cache, cards, pages: std::sync::Mutex::new(HashMap::new()) }))
    });
    if crate::steps::enabled() {
        eprintln!(
            "timings: load {} ms, resolve {} ms, renderer {} ms, templates {} ms",
            t.load.as_millis(),
            t.resolve.as_millis(),
            t.render.as_millis(),
            started.elapsed().as_millis()
        );
        eprintln!("  steps: {}", crate::steps::line(&crate::steps::take()));
        eprintln!("  done again: {}", crate::steps::take_counts());
    }
    let failed = diags.has_errors() || built.is_none();
    let report = diags.report();
    if !report.is_empty() {
        eprint!("{report}");
    }
    if failed {
        (Snapshot { built: keep(), error: Some(report) }, base_path)
    } else {
        (Snapshot { built, error: None }, base_path)
    }
}

/// Watches the site's sources and rebuilds on change.
fn watch(opts: &LoadOptions, shared: Arc<Shared>, caches: Arc<crate::Caches>) -> notify::Result<impl Send> {
    let root = opts.root.canonicalize().unwrap_or_else(|_| opts.root.clone());
    let opts = opts.clone();
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    // Long enough to gather the events of one save (an editor's write, rename and metadata
    // change come within a millisecond or two), short enough not to be felt: a batch goes
    // out 10 ms after its last event, looked at every 5 ms (the debouncer's default tick
    // would be a quarter of the wait: 400 wake-ups a second while idle).
    let mut debouncer = new_debouncer(Duration::from_millis(10), Some(Duration::from_millis(5)), tx)?;
    for sub in ["content", "templates", "themes", "static", "data"] {
        let p = root.join(sub);
        if p.is_dir() {
            debouncer.watch(&p, RecursiveMode::Recursive)?;
        }
    }
    // site.toml is watched through the root (not recursively), which also sees
    // folders created later.
    debouncer.watch(&root, RecursiveMode::NonRecursive)?;
    // From here on every change is reported: loads may trust the reports.
    caches.load.watching();
    let debouncer = Arc::new(std::sync::Mutex::new(debouncer));
    let keep = debouncer.clone();
    std::thread::spawn(move || {
        while let Ok(result) = rx.recv() {
            let Ok(events) = result else {
                caches.load.lost_track();
                continue;
            };
            if events.iter().any(|e| e.event.need_rescan()) {
                caches.load.lost_track();
            }
            // Reading files (as every rebuild does) is not a change.
            let paths: Vec<PathBuf> = events.iter().filter(|e| is_change(&e.event.kind)).flat_map(|e| e.paths.iter().cloned()).collect();
            caches.load.saw(paths.iter().filter_map(|p| p.strip_prefix(&root).ok()).map(Path::to_path_buf));
            let relevant: Vec<&PathBuf> = paths.iter().filter(|p| is_source(&root, p)).collect();
            if relevant.is_empty() {
                continue;
            }
            // A watched folder created after start (say, static/) is watched from now on.
            for p in &relevant {
                if p.parent() == Some(root.as_path()) && p.is_dir() {
                    if let Ok(mut d) = debouncer.lock() {
                        let _ = d.watch(p, RecursiveMode::Recursive);
                    }
                }
            }
            let css_only = relevant.iter().all(|p| p.extension().is_some_and(|e| e == "css"));
            let started = Instant::now();
            let previous = shared.snapshot.read().map(|s| s.clone()).ok();
            let templates_changed = relevant.iter().any(|p| {
                let rel = p.strip_prefix(&root).unwrap_or(p);
                rel.starts_with("templates") || rel.starts_with("themes") || rel.starts_with("data") || rel == Path::new("site.toml")
            });
            let (snap, _) = build_snapshot(&opts, &caches, previous.as_deref(), None, templates_changed);
            let signal = match &snap.error {
                Some(e) => Signal::Error(e.clone()),
                None if css_only => Signal::Css,
                None => Signal::Reload,
            };
            // The previous snapshot is let go after the event is sent: freeing a big
            // site's pages and lists takes a while, and nobody waits for it.
            let old = shared.snapshot.write().map(|mut s| std::mem::replace(&mut *s, Arc::new(snap))).ok();
            let what = relevant.first().map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string()).unwrap_or_default();
            match &signal {
                Signal::Error(_) => eprintln!("rebuild failed after a change to {what}; serving the last good build"),
                _ => eprintln!("rebuilt in {} ms after a change to {what}", started.elapsed().as_millis()),
            }
            let _ = shared.events.send(signal);
            crate::site::free_later((old, previous));
        }
    });
    Ok(keep)
}

/// What every output path and media path is made from: the jobs, every slug, which briefs
/// have a share card, each image's file and widths. A rebuild with the same key (a body
/// edited) keeps the previous indexes instead of making 30,000 paths again.
fn paths_key(renderer: &crate::render::Renderer, jobs: &[crate::render::Job]) -> u64 {
    use std::hash::{Hash, Hasher};
    let site = renderer.site();
    let mut h = crate::content::model::fingerprinter();
    jobs.hash(&mut h);
    site.briefs.iter().for_each(|b| (b.slug.as_str(), site.has_card(b)).hash(&mut h));
    for kind in crate::content::kinds::Kind::ALL {
        site.ids(kind).for_each(|id| site.entity(id).slug.hash(&mut h));
    }
    site.tags.iter().for_each(|t| t.slug.hash(&mut h));
    site.stories.iter().for_each(|s| s.slug.hash(&mut h));
    site.pages.iter().for_each(|p| p.slug.hash(&mut h));
    site.images.iter().for_each(|i| (&i.picture.out, &i.picture.widths, i.picture.info.format).hash(&mut h));
    h.finish()
}

/// Where each media file of a build comes from.
fn media_index(renderer: &crate::render::Renderer) -> HashMap<String, Media> {
    let site = renderer.site();
    let mut media: HashMap<String, Media> = HashMap::new();
    for (i, img) in site.images.iter().enumerate() {
        media.extend(img.picture.variants().into_iter().map(|(p, _, _)| (p, Media::Image(i))));
    }
    media.extend(site.cards().map(|(id, path)| (path, Media::Card(id))));
    media
}

fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{EventKind, ModifyKind};
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        _ => false,
    }
}

/// Whether a changed path can affect the site (not editor swap files, not the output).
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    let mut comps = rel.components();
    let first = comps.next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp");
    if temp {
        return false;
    }
    matches!(first.as_str(), "site.toml" | "content" | "templates" | "themes" | "static" | "data")
}

async fn event_stream(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let stream = BroadcastStream::new(shared.events.subscribe()).filter_map(|s| {
        let event = match s.ok()? {
            Signal::Reload => Event::default().event("reload").data("reload"),
            Signal::Css => Event::default().event("css").data("css"),
            Signal::Error(text) => Event::default().event("error").data(text),
        };
        Some(Ok::<Event, Infallible>(event))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Serves one file of the current snapshot.
async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let snap = match shared.snapshot.read() {
        Ok(s) => s.clone(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let raw = uri.path();
    let Some(path) = clean_path(raw) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    let base = shared.base_path.as_str();
    if path == base.trim_end_matches('/') && base != "/" {
        return redirect(base);
    }
    let Some(rel) = path.strip_prefix(base) else {
        return if path == "/" { redirect(base) } else { not_found(&snap, base).await };
    };
    let key = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
    let Some(built) = snap.built.clone() else {
        // No good build yet: show the errors.
        let page = "<!DOCTYPE html><html><head><title>briefing: build failed</title></head><body></body></html>".to_string();
        return respond(StatusCode::SERVICE_UNAVAILABLE, "error.html", &Arc::new(page.into_bytes()), &snap, base);
    };
    match tokio::task::spawn_blocking(move || built.get(&key).map(|r| (key, r))).await {
        Ok(Some((key, Ok(bytes)))) => respond(StatusCode::OK, &key, &bytes, &snap, base),
        Ok(Some((_, Err(message)))) => (StatusCode::INTERNAL_SERVER_ERROR, message).into_response(),
        Ok(None) => {
            let dir_index = format!("{}/index.html", rel.trim_end_matches('/'));
            if !rel.is_empty() && snap.built.as_ref().is_some_and(|b| b.has(&dir_index)) {
                return redirect(&format!("{path}/"));
            }
            not_found(&snap, base).await
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Decodes a request path and rejects anything that could climb out of the site.
pub fn clean_path(raw: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8().ok()?;
    if !decoded.starts_with('/') || decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    if decoded.split('/').any(|seg| seg == ".." || seg == ".") {
        return None;
    }
    if decoded.contains("//") {
        return None;
    }
    Some(decoded.into_owned())
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

async fn not_found(snap: &Arc<Snapshot>, base: &str) -> Response {
    let page = match snap.built.clone() {
        Some(b) => tokio::task::spawn_blocking(move || b.get("404.html")).await.ok().flatten().and_then(Result::ok),
        None => None,
    };
    match page {
        Some(bytes) => respond(StatusCode::NOT_FOUND, "404.html", &bytes, snap, base),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn respond(status: StatusCode, key: &str, bytes: &Arc<Vec<u8>>, snap: &Snapshot, base: &str) -> Response {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let content_type =
        if mime.type_() == "text" || mime.essence_str() == "application/javascript" || key.ends_with(".xml") || key.ends_with(".json") {
            format!("{}; charset=utf-8", mime.essence_str())
        } else {
            mime.essence_str().to_string()
        };
    let body = if is_html { Body::from(inject(bytes, snap.error.as_deref(), base)) } else { Body::from(bytes.as_ref().clone()) };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Adds the live-reload script (and the error overlay, if the last build failed).
fn inject(html: &[u8], error: Option<&str>, base: &str) -> Vec<u8> {
    let error_js = error.map(|e| serde_json::to_string(e).unwrap_or_default().replace("</", "<\\/")).unwrap_or_else(|| "null".into());
    let script = format!(
        r#"<script id="__briefing_live">(function(){{
var es=new EventSource("{base}{EVENTS_PATH}");
function show(t){{var d=document.getElementById("__briefing_overlay");if(!d){{d=document.createElement("pre");d.id="__briefing_overlay";d.setAttribute("role","alert");d.style.cssText="position:fixed;inset:0;margin:0;z-index:2147483647;background:rgba(30,0,0,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";document.body.appendChild(d)}}d.textContent="briefing: the last rebuild failed; showing the last good page.\n\n"+t}}
es.addEventListener("reload",function(){{location.reload()}});
es.addEventListener("css",function(){{document.querySelectorAll('link[rel=stylesheet]').forEach(function(l){{var u=new URL(l.href);u.searchParams.set("v",Date.now());l.href=u.href}});var d=document.getElementById("__briefing_overlay");if(d)d.remove()}});
es.addEventListener("error",function(e){{show(e.data)}});
var initial={error_js};if(initial)document.addEventListener("DOMContentLoaded",function(){{show(initial)}});
}})();</script>"#
    );
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{script}").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_path_refuses_traversal() {
        assert_eq!(clean_path("/briefs/a/").as_deref(), Some("/briefs/a/"));
        assert_eq!(clean_path("/a%20b/").as_deref(), Some("/a b/"));
        assert!(clean_path("/../etc/passwd").is_none());
        assert!(clean_path("/%2e%2e/etc/passwd").is_none());
        assert!(clean_path("/%2E%2E%2Fetc").is_none());
        assert!(clean_path("/a/..%5c..%5cwin.ini").is_none());
        assert!(clean_path("//etc/passwd").is_none());
        assert!(clean_path("/a%00").is_none());
    }

    #[test]
    fn injects_before_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>", None, "/")).unwrap();
        assert!(out.contains("<p>x</p><script id=\"__briefing_live\">"));
        assert!(out.ends_with("</script></body></html>"));
        let out = String::from_utf8(inject(b"<body></body>", Some("a.md:1:1: error: </script>"), "/")).unwrap();
        assert!(!out.contains("error: </script>"), "error text must not close the script");
    }
}
