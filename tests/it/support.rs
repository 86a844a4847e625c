//! A small builder for fixture sites: write files into a temporary folder, run the real
//! `briefing` binary on it, and look at the output the way a reader or a feed reader would.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

/// A fixture site in a temporary folder.
pub struct SiteTest {
    dir: std::rc::Rc<tempfile::TempDir>,
}

/// The result of running `briefing`.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard error (diagnostics).
    pub stderr: String,
    /// Standard output.
    pub stdout: String,
    /// The output folder.
    pub out: PathBuf,
    /// Keeps the site folder alive as long as the run is looked at.
    _site: std::rc::Rc<tempfile::TempDir>,
}

pub const CONFIG: &str = "title = \"Test Briefing\"\nbase_url = \"https://example.org/\"\nbriefs_per_page = 3\n";

impl SiteTest {
    /// A site with a config, two companies and two sources, and no briefs.
    pub fn new() -> Self {
        let t = SiteTest { dir: std::rc::Rc::new(tempfile::tempdir().expect("temp dir")) };
        t.file("site.toml", CONFIG)
            .file("content/companies/meta.md", "---\nname: Meta Platforms\naliases: [Facebook]\nticker: META\n---\nAds.\n")
            .file("content/companies/alphabet.md", "---\nname: Alphabet\nticker: GOOGL\n---\n")
            .file("content/companies/google.md", "---\nname: Google\nparent: alphabet\n---\n")
            .file("content/sources/the-info.md", "---\nname: The Information\nkind: publication\npaywalled: true\n---\n")
            .file("content/sources/threads.md", "---\nname: Threads\nkind: social\n---\n")
    }

    /// A site folder with nothing in it.
    pub fn empty() -> Self {
        SiteTest { dir: std::rc::Rc::new(tempfile::tempdir().expect("temp dir")) }
    }

    /// Writes a file (creating folders).
    pub fn file(self, rel: &str, text: &str) -> Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    /// Writes raw bytes.
    pub fn bytes(self, rel: &str, bytes: &[u8]) -> Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
        self
    }

    /// Writes a brief with the given front-matter lines and body.
    pub fn brief(self, stem: &str, front: &str, body: &str) -> Self {
        let text = format!("---\n{front}\n---\n{body}\n");
        self.file(&format!("content/briefs/{stem}.md"), &text)
    }

    /// Removes a file.
    pub fn remove(self, rel: &str) -> Self {
        std::fs::remove_file(self.dir.path().join(rel)).expect("remove");
        self
    }

    /// The site folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `briefing ARGS --root ROOT`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs `briefing ARGS --root ROOT` with environment variables set.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = self.root().join("public");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_briefing"));
        cmd.args(args).arg("--root").arg(self.root()).envs(env.iter().copied());
        let o = cmd.output().expect("run briefing");
        Run {
            code: o.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            out,
            _site: self.dir.clone(),
        }
    }

    /// `briefing build`, which must succeed.
    pub fn build(&self) -> Run {
        let r = self.run(&["build"]);
        assert_eq!(r.code, 0, "build failed:\n{}", r.stderr);
        r
    }

    /// `briefing build` with extra arguments, which must succeed.
    pub fn build_with(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        assert_eq!(r.code, 0, "build failed:\n{}", r.stderr);
        r
    }

    /// `briefing build --timings --output OUT` with `more` arguments, which must succeed.
    pub fn build_timed(&self, out: &Path, more: &[&str]) -> Run {
        let mut args = vec!["--timings", "--output", out.to_str().expect("UTF-8 path")];
        args.extend_from_slice(more);
        self.build_with(&args)
    }

    /// `briefing build`, which must fail with exit 1.
    pub fn build_fails(&self) -> Run {
        let r = self.run(&["build"]);
        assert_eq!(r.code, 1, "build should have failed; stderr:\n{}", r.stderr);
        r
    }
}

impl Run {
    /// Text of an output file.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Whether an output file exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.out.join(rel).is_file()
    }

    /// A page (`briefs/a/` or `404.html`), parsed.
    pub fn page(&self, path: &str) -> Html {
        let rel = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
        Html::parse_document(&self.read(&rel))
    }

    /// How many of how many a build did again, by its `--timings` report's count named
    /// `what` ("pages rendered again", "share cards drawn").
    pub fn done_again(&self, what: &str) -> (usize, usize) {
        let prefix = format!("{what} ");
        let line = self.stderr.lines().find_map(|l| l.split(prefix.as_str()).nth(1)).unwrap_or_else(|| panic!("no count of {what} in:\n{}", self.stderr));
        let mut parts = line.split(" of ");
        let n = |p: Option<&str>| p.unwrap().chars().take_while(|c| c.is_ascii_digit() || *c == ',').filter(char::is_ascii_digit).collect::<String>().parse::<usize>().unwrap();
        (n(parts.next()), n(parts.next()))
    }

    /// Every output file, relative, with `/`.
    pub fn files(&self) -> BTreeSet<String> {
        walkdir::WalkDir::new(&self.out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&self.out).expect("prefix").to_string_lossy().replace('\\', "/"))
            .collect()
    }
}

/// A loopback port that was free a moment ago (the probe listener is closed on return,
/// so that a server can bind it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// Attribute values of elements matching `selector`.
pub fn attrs(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(selector).expect("selector");
    html.select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_string)).collect()
}

/// Text of elements matching `selector`, whitespace collapsed.
pub fn texts(html: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).expect("selector");
    html.select(&sel).map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

/// Checks that an XML document is well formed; returns the text of every `name` element.
pub fn xml_texts(xml: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                depth += 1;
                inside = e.name().as_ref() == name.as_bytes();
                if inside {
                    out.push(String::new());
                }
            }
            Ok(quick_xml::events::Event::End(_)) => {
                depth -= 1;
                inside = false;
            }
            Ok(quick_xml::events::Event::Text(t)) if inside => {
                let s = t.unescape().expect("valid escape");
                if let Some(last) = out.last_mut() {
                    last.push_str(&s);
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Err(e) => panic!("malformed XML at {}: {e}\n{xml}", reader.buffer_position()),
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced XML");
    out
}
