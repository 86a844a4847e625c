//! `briefing serve` on loopback: pages, live reload, the error overlay, path safety.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::build::story_site;
use crate::support::{free_port, SiteTest};

/// A running server, killed on drop.
struct Server {
    child: Child,
    url: String,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &SiteTest) -> Server {
    start_env(site, &[]).0
}

/// Starts a server with `env` set; also gives every line it prints on stderr.
fn start_env(site: &SiteTest, env: &[(&str, &str)]) -> (Server, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["serve", "--port", &free_port().to_string(), "--root"])
        .arg(site.root())
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split(" at ").nth(1) {
                if line.starts_with("serving") {
                    let _ = tx.send(rest.split(' ').next().unwrap_or("").to_string());
                }
            }
            let _ = lines_tx.send(line);
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(20)).expect("server announced its address");
    let addr = url.trim_start_matches("http://").split('/').next().unwrap().to_string();
    (Server { child, url, addr }, lines)
}

/// Sends a raw request line (no client-side path normalisation) and returns status and body.
fn raw_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

fn get(url: &str) -> (u16, String, String) {
    let r = reqwest::blocking::get(url).unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_string()).unwrap_or_default();
    (status, ct, r.text().unwrap())
}

/// Reads the event stream in the background, forwarding event names (and data).
fn listen(url: &str) -> mpsc::Receiver<(String, String)> {
    let (tx, rx) = mpsc::channel();
    let url = format!("{url}__briefing/events");
    std::thread::spawn(move || {
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let Ok(resp) = client.get(&url).send() else { return };
        let mut event = String::new();
        let mut data = String::new();
        for line in BufReader::new(resp).lines().map_while(Result::ok) {
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
                data.push('\n');
            } else if line.is_empty() && !event.is_empty() && tx.send((std::mem::take(&mut event), std::mem::take(&mut data))).is_err() {
                return;
            }
        }
    });
    rx
}

fn next_event(rx: &mpsc::Receiver<(String, String)>) -> (String, String) {
    rx.recv_timeout(Duration::from_secs(15)).expect("an event within 15 s")
}

/// Waits until the stream is connected (its first event cannot be predicted, so poke
/// the server with a harmless change until one arrives).
fn wait_connected(site: &SiteTest, rx: &mpsc::Receiver<(String, String)>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut n = 0;
    std::fs::create_dir_all(site.root().join("content/pages")).unwrap();
    while Instant::now() < deadline {
        n += 1;
        std::fs::write(site.root().join(format!("content/pages/poke{n}.md")), "---\ntitle: Poke\n---\n").unwrap();
        if rx.recv_timeout(Duration::from_millis(700)).is_ok() {
            while rx.recv_timeout(Duration::from_millis(300)).is_ok() {}
            return;
        }
    }
    panic!("the event stream never delivered an event");
}

/// A server for `site` and its event stream, once the stream is connected.
fn serve_and_listen(site: &SiteTest) -> (Server, mpsc::Receiver<(String, String)>) {
    let server = start(site);
    let events = listen(&server.url);
    wait_connected(site, &events);
    (server, events)
}

/// The body of `page` of the server.
fn body(server: &Server, page: &str) -> String {
    get(&format!("{}{page}", server.url)).2
}

/// Waits for the next event, which must be a reload, then gives the body of `page`.
fn reloaded(server: &Server, events: &mpsc::Receiver<(String, String)>, page: &str) -> String {
    assert_eq!(next_event(events).0, "reload");
    body(server, page)
}

/// Saves `rel` of `site` with `from` replaced by `to`.
fn edit(site: &SiteTest, rel: &str, from: &str, to: &str) {
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap().replace(from, to);
    std::fs::write(&path, text).unwrap();
}

#[test]
fn serves_pages_with_reload_script_and_right_types() {
    let site = story_site();
    let server = start(&site);
    let (status, ct, body) = get(&format!("{}briefs/talks/", server.url));
    assert_eq!(status, 200);
    assert_eq!(ct, "text/html; charset=utf-8");
    assert!(body.contains("Meta held talks with Google"));
    assert!(body.contains("__briefing/events"), "live-reload script injected");
    let (_, ct, _) = get(&format!("{}style.css", server.url));
    assert!(ct.starts_with("text/css"), "{ct}");
    let (_, ct, body) = get(&format!("{}atom.xml", server.url));
    assert!(ct.contains("xml"), "{ct}");
    assert!(!body.contains("__briefing"), "feeds are not touched");
    let (status, _, body) = get(&format!("{}no/such/page/", server.url));
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
    // The build output on disk is not involved, and build output never has the script.
    assert!(!site.root().join("public").exists());
}

#[test]
fn editing_a_brief_reloads_and_shows_new_content() {
    let site = story_site();
    let (server, events) = serve_and_listen(&site);
    edit(&site, "content/briefs/2025-03-02-shares.md", "Alphabet shares rise", "Alphabet shares jump");
    let (event, _) = next_event(&events);
    assert_eq!(event, "reload");
    let (_, _, body) = get(&format!("{}briefs/shares/", server.url));
    assert!(body.contains("Alphabet shares jump"));
    // The search index (built when the search page asks, not on each rebuild) has the edit.
    let (status, _, meta) = get(&format!("{}search/meta.json", server.url));
    assert_eq!(status, 200, "{meta}");
    let docs: Vec<String> = (0..4).map(|i| get(&format!("{}search/d/{i}.json", server.url))).filter(|r| r.0 == 200).map(|r| r.2).collect();
    assert!(docs.iter().any(|d| d.contains("Alphabet shares jump")), "{docs:?}");
}

#[test]
fn a_broken_file_shows_the_overlay_until_fixed() {
    let site = story_site();
    let (server, events) = serve_and_listen(&site);
    let path = site.root().join("content/briefs/2025-03-02-shares.md");
    let good = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, good.replace("companies: [alphabet]", "companies: [alphabett]")).unwrap();
    let (event, data) = next_event(&events);
    assert_eq!(event, "error");
    assert!(data.contains("unknown company \"alphabett\""), "{data}");
    // The last good page is still served, with the errors for the overlay.
    let (status, _, body) = get(&format!("{}briefs/shares/", server.url));
    assert_eq!(status, 200);
    assert!(body.contains("Alphabet shares rise"));
    assert!(body.contains("unknown company \\\"alphabett\\\""), "overlay data in page");
    std::fs::write(&path, good).unwrap();
    let (event, _) = next_event(&events);
    assert_eq!(event, "reload");
    let (_, _, body) = get(&format!("{}briefs/shares/", server.url));
    assert!(body.contains("var initial=null"), "overlay cleared");
}

#[test]
fn css_changes_refresh_styles_only() {
    let site = story_site().file("static/custom.css", "body{}");
    let (server, events) = serve_and_listen(&site);
    std::fs::write(site.root().join("static/custom.css"), "body{color:red}").unwrap();
    assert_eq!(next_event(&events).0, "css");
    let (_, _, body) = get(&format!("{}custom.css", server.url));
    assert_eq!(body, "body{color:red}");
}

#[test]
fn traversal_is_refused() {
    let site = story_site().file("secret.txt", "top secret");
    let server = start(&site);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsite.toml",
        "/briefs/..%5c..%5csecret.txt",
        "//etc/passwd",
        "/site.toml",
        "/content/briefs/2025-03-01-talks.md",
    ] {
        let (status, body) = raw_get(&server.addr, path);
        assert!(status == 400 || status == 404, "{path} answered {status}");
        assert!(!body.contains("top secret") && !body.contains("base_url"), "{path} leaked a file");
    }
}

#[test]
fn serves_under_the_sub_path_of_base_url() {
    let site = story_site().file("site.toml", "title = \"T\"\nbase_url = \"https://example.org/briefing/\"\n");
    let server = start(&site);
    assert!(server.url.ends_with("/briefing/"), "{}", server.url);
    let (status, _, body) = get(&format!("{}briefs/talks/", server.url));
    assert_eq!(status, 200);
    assert!(body.contains("href=\"/briefing/companies/meta/\""));
    assert!(body.contains(&format!("http://{}/briefing/briefs/talks/", server.addr)), "canonical uses the server");
}

#[test]
fn many_concurrent_requests_all_succeed() {
    let site = story_site();
    let server = start(&site);
    let url = server.url.clone();
    let started = Instant::now();
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut ok = 0;
                for i in 0..50 {
                    let page = ["", "briefs/talks/", "companies/meta/", "style.css", "atom.xml"][i % 5];
                    if client.get(format!("{url}{page}")).send().map(|r| r.status().is_success()).unwrap_or(false) {
                        ok += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, 800);
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn taken_port_moves_to_the_next_one() {
    let site = story_site();
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(site.root())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("serving") && !line.contains(&format!(":{port}/")), "{line}");
}

#[test]
fn moving_a_brief_to_another_company_updates_both_company_pages() {
    // The rebuild reuses parsed files and rendered Markdown; the lists must still follow.
    let site = story_site();
    let (server, events) = serve_and_listen(&site);
    let (_, _, before) = get(&format!("{}companies/alphabet/", server.url));
    assert!(before.contains("Alphabet shares rise"));
    edit(&site, "content/briefs/2025-03-02-shares.md", "companies: [alphabet]", "companies: [meta]");
    assert_eq!(next_event(&events).0, "reload");
    let (_, _, alphabet) = get(&format!("{}companies/alphabet/", server.url));
    let (_, _, meta) = get(&format!("{}companies/meta/", server.url));
    assert!(!alphabet.contains("Alphabet shares rise"), "old company page still lists the brief");
    assert!(meta.contains("Alphabet shares rise"), "new company page does not list the brief");
}

#[test]
fn serves_image_variants_share_cards_and_bundle_files() {
    let site = SiteTest::new()
        .file("content/briefs/2025-10-30-a/index.md", "---\ntitle: A\ndate: 2025-10-30\n---\n![A chart](chart.png)\n")
        .bytes("content/briefs/2025-10-30-a/chart.png", &crate::media::png(900, 300))
        .brief("2025-10-29-b", "title: B\ndate: 2025-10-29", "Text.");
    let server = start(&site);
    for (path, mime, size) in
        [("briefs/a/chart-480w.webp", "image/webp", (480, 160)), ("briefs/a/chart.png", "image/png", (900, 300)), ("briefs/b/social.png", "image/png", (1200, 630))]
    {
        let r = reqwest::blocking::get(format!("{}{path}", server.url)).unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_string()).unwrap_or_default();
        assert!(ct.starts_with(mime), "{path}: {ct}");
        let img = image::load_from_memory(&r.bytes().unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), size, "{path}");
    }
    let (status, _, _) = get(&format!("{}briefs/a/chart-2000w.webp", server.url));
    assert_eq!(status, 404);
}

#[test]
fn a_retitled_brief_shows_its_new_title_in_the_bodies_that_link_to_it() {
    let site = story_site();
    let (server, events) = serve_and_listen(&site);
    let before = body(&server, "briefs/denial/");
    assert!(before.contains(">Meta held talks with Google</a>"), "{before}");
    edit(&site, "content/briefs/2025-03-01-talks.md", "title: Meta held talks with Google", "title: Meta held early talks with Google");
    let after = reloaded(&server, &events, "briefs/denial/");
    assert!(after.contains(">Meta held early talks with Google</a>"), "the linking body is rendered again: {after}");
    // A new company that takes the alias a body links by makes that link ambiguous: an error.
    let company = site.root().join("content/companies/facebook-ai.md");
    std::fs::write(&company, "---\nname: Facebook AI\naliases: [Facebook]\n---\n").unwrap();
    let (event, data) = next_event(&events);
    assert_eq!(event, "error", "{data}");
    assert!(data.contains("2025-03-01-denial.md"), "{data}");
}

#[test]
fn a_chart_follows_its_data_file_and_a_shortcode_its_template() {
    let site = story_site()
        .file("data/prices.csv", "time,GOOGL\n8:00,170.5\n9:00,172.4\n")
        .file("templates/shortcodes/callout.html", "<aside class=\"callout\">{{ body | safe }}</aside>")
        .brief(
            "2025-03-03-chart",
            "title: Shares tick up\ndate: 2025-03-03T09:00:00Z\ncompanies: [google]\nstatus: analysis",
            "{{ chart(title=\"From data\", data=\"prices.csv\") }}\n\n{% callout() %}\nCareful.\n{% end %}\n",
        );
    let (server, events) = serve_and_listen(&site);
    let before = body(&server, "briefs/chart/");
    assert!(before.contains("<th scope=\"row\">9:00</th>"), "{before}");
    // The brief's own text did not change: its kept body must not hide the new data.
    std::fs::write(site.root().join("data/prices.csv"), "time,GOOGL\n8:00,170.5\n9:00,172.4\n10:00,175.0\n").unwrap();
    let after = reloaded(&server, &events, "briefs/chart/");
    assert!(after.contains("<th scope=\"row\">10:00</th>"), "the chart is drawn again from the new data: {after}");
    edit(&site, "templates/shortcodes/callout.html", "class=\"callout\"", "class=\"callout warn\"");
    let after = reloaded(&server, &events, "briefs/chart/");
    assert!(after.contains("<aside class=\"callout warn\">"), "the shortcode's new template is used: {after}");
}

/// Waits (up to ten seconds) until `page` of the server answers with `status` and a body
/// holding `text`; the answer last seen otherwise.
fn until(server: &Server, page: &str, status: u16, text: &str) -> (u16, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, _, body) = get(&format!("{}{page}", server.url));
        if (s == status && body.contains(text)) || Instant::now() > deadline {
            return (s, body);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn new_renamed_and_removed_files_and_bundles_are_seen_while_serving() {
    let site = story_site();
    let (server, events) = serve_and_listen(&site);
    let briefs = site.root().join("content/briefs");
    // Each step is a rebuild that trusts the watcher's report of what changed.
    edit(&site, "content/briefs/2025-03-02-shares.md", "Alphabet shares rise", "Alphabet shares jump");
    assert_eq!(until(&server, "briefs/shares/", 200, "Alphabet shares jump").0, 200);
    let front = "---\ntitle: A new brief\ndate: 2025-03-04\ncompanies: [meta]\nstatus: analysis\n---\nNew text.\n";
    std::fs::write(briefs.join("2025-03-04-new.md"), front).unwrap();
    assert_eq!(until(&server, "briefs/new/", 200, "New text.").0, 200);
    assert_eq!(until(&server, "", 200, "A new brief").0, 200, "the home page lists the new brief");
    std::fs::rename(briefs.join("2025-03-04-new.md"), briefs.join("2025-03-04-renamed.md")).unwrap();
    assert_eq!(until(&server, "briefs/renamed/", 200, "New text.").0, 200);
    assert_eq!(until(&server, "briefs/new/", 404, "").0, 404, "the old name is gone");
    std::fs::remove_file(briefs.join("2025-03-04-renamed.md")).unwrap();
    assert_eq!(until(&server, "briefs/renamed/", 404, "").0, 404);
    // A bundle: its image first, then its text.
    std::fs::create_dir(briefs.join("2025-03-05-bundle")).unwrap();
    std::fs::write(briefs.join("2025-03-05-bundle/chart.png"), crate::media::png(400, 200)).unwrap();
    std::fs::write(briefs.join("2025-03-05-bundle/index.md"), front.replace("New text.", "![A chart](chart.png)")).unwrap();
    let (status, body) = until(&server, "briefs/bundle/", 200, "A chart");
    assert_eq!(status, 200, "{body}");
    assert_eq!(until(&server, "briefs/bundle/chart.png", 200, "").0, 200);
    // An image replaced in place (same name, other size) is measured again.
    std::fs::write(briefs.join("2025-03-05-bundle/chart.png"), crate::media::png(300, 120)).unwrap();
    let (_, body) = until(&server, "briefs/bundle/", 200, "height=\"120\"");
    assert!(body.contains("height=\"120\""), "{body}");
    drop(events);
}

/// The first build of `serve` takes the bodies the last `briefing build` kept: it renders
/// none of them again, shows them as a build does, and still sees the next edit.
#[test]
fn the_first_build_takes_the_bodies_a_build_kept() {
    let site = story_site();
    let built = site.build();
    let (server, lines) = start_env(&site, &[("BRIEFING_TIMINGS", "1")]);
    let report = lines.iter().find(|l| l.contains("bodies rendered")).expect("a report of what was done again");
    assert!(report.contains("bodies rendered 0 of"), "{report}");
    let served = body(&server, "briefs/denial/");
    let linked = ">Meta held talks with Google</a>";
    assert!(served.contains(linked) && built.read("briefs/denial/index.html").contains(linked), "{served}");
    let events = listen(&server.url);
    wait_connected(&site, &events);
    edit(&site, "content/briefs/2025-03-01-talks.md", "[[Meta]] talked", "[[Meta]] quietly talked");
    assert!(reloaded(&server, &events, "briefs/talks/").contains("quietly talked"));
}
