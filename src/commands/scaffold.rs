//! `briefing new` and `briefing init`: files an editor would otherwise type by hand.
//!
//! Front matter is written with serde_yaml, so any title is quoted correctly. Referenced
//! companies and sources must already exist. No file is ever overwritten.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::content::diag::did_you_mean;
use crate::content::model::Slug;

/// What `new` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A brief in content/briefs/, dated today.
    Brief,
    /// A company in content/companies/.
    Company,
    /// A source in content/sources/.
    Source,
    /// A story in content/stories/.
    Story,
    /// A person in content/people/.
    Person,
    /// A product in content/products/ (its maker: the first `--company`).
    Product,
    /// An author (a writer of the briefing) in content/authors/.
    Author,
}

/// Everything `new` may fill in.
#[derive(Debug, Default, Clone)]
pub struct NewOptions {
    /// Title (brief, story) or name (company, source).
    pub title: String,
    /// Company slugs (briefs).
    pub companies: Vec<String>,
    /// Source slugs (briefs).
    pub sources: Vec<String>,
    /// Tags (briefs).
    pub tags: Vec<String>,
    /// Story slug (briefs).
    pub story: Option<String>,
    /// Status (briefs).
    pub status: Option<String>,
    /// Date or date-time (briefs; default: today).
    pub date: Option<String>,
    /// Slug (default: the first words of the title or name).
    pub slug: Option<String>,
    /// Start as a draft (briefs).
    pub draft: bool,
}

#[derive(Serialize)]
struct NewBrief<'a> {
    title: &'a str,
    date: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    companies: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sources: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    story: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
}

#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Titled<'a> {
    title: &'a str,
}

/// Creates the file; returns its path, or a message saying why not.
pub fn new(root: &Path, kind: Kind, opts: &NewOptions, today: chrono::NaiveDate) -> Result<PathBuf, String> {
    let title = opts.title.trim();
    if title.is_empty() {
        return Err("the title must not be empty".into());
    }
    let slug = match &opts.slug {
        Some(s) => Slug::parse(s)?,
        None => short_slug(title),
    };
    let content = root.join("content");
    if !root.join("site.toml").is_file() {
        return Err(format!("{} is not a briefing site (no site.toml); pass --root or run `briefing init`", root.display()));
    }
    let (path, front, body) = match kind {
        Kind::Brief => {
            check_refs(&content.join("companies"), "company", &opts.companies)?;
            check_refs(&content.join("sources"), "source", &opts.sources)?;
            if let Some(s) = &opts.status {
                use crate::content::model::Status;
                Status::parse(s).map_err(|e| Status::suggest(s).map_or_else(|| e.clone(), |k| format!("{e}\n  hint: did you mean \"{k}\"? (--status {k})")))?;
            }
            if let Some(s) = &opts.story {
                Slug::parse(s)?;
            }
            let date = match &opts.date {
                Some(d) => crate::content::model::Date::parse(d).map(|_| d.trim().to_string())?,
                None => today.format("%Y-%m-%d").to_string(),
            };
            let day = date.get(..10).unwrap_or(&date).to_string();
            let front = NewBrief {
                title,
                date,
                companies: &opts.companies,
                sources: &opts.sources,
                tags: &opts.tags,
                status: opts.status.as_deref(),
                story: opts.story.as_deref(),
                draft: opts.draft,
            };
            let path = content.join("briefs").join(format!("{day}-{slug}.md"));
            (path, yaml(&front)?, crate::content::model::PLACEHOLDER)
        }
        Kind::Company => (content.join("companies").join(format!("{slug}.md")), yaml(&Named { name: title })?, "What the company does.\n"),
        Kind::Source => {
            (content.join("sources").join(format!("{slug}.md")), yaml(&Named { name: title })?, "What kind of source this is.\n")
        }
        Kind::Story => (content.join("stories").join(format!("{slug}.md")), yaml(&Titled { title })?, ""),
        Kind::Person => {
            check_refs(&content.join("companies"), "company", &opts.companies)?;
            let roles: String = opts.companies.iter().map(|c| format!("#   - company: {c}\n#     title: ...\n")).collect();
            let roles = if roles.is_empty() { "#   - company: slug\n#     title: ...\n".to_string() } else { roles };
            let front = format!("{}# roles:\n{roles}#     since: YYYY-MM-DD\n", yaml(&Named { name: title })?);
            (content.join("people").join(format!("{slug}.md")), front, "Who they are, in a sentence or two.\n")
        }
        Kind::Product => {
            let [maker, ..] = opts.companies.as_slice() else {
                return Err("a product needs its maker: pass --company SLUG".into());
            };
            check_refs(&content.join("companies"), "company", std::slice::from_ref(maker))?;
            let front = format!("{}company: {maker}\n# kind: model\n# released: YYYY-MM-DD\n", yaml(&Named { name: title })?);
            (content.join("products").join(format!("{slug}.md")), front, "What it is.\n")
        }
        Kind::Author => (content.join("authors").join(format!("{slug}.md")), yaml(&Named { name: title })?, "A line about the writer.\n"),
    };
    write_new(&path, &format!("---\n{front}{}---\n{body}", optional_keys(kind)))?;
    Ok(path)
}

/// The optional front-matter keys of `kind`, as comments to uncomment.
fn optional_keys(kind: Kind) -> &'static str {
    match kind {
        Kind::Brief => concat!(
            "# Optional (remove the # to use one):\n",
            "# summary: One or two sentences for cards and feeds (default: the first paragraph).\n",
            "# people: [person-slug]\n# products: [product-slug]\n# authors: [author-slug]\n# tickers: [GOOGL]\n",
            "# updated: 2025-10-30T12:00:00-04:00\n",
            "# image: {src: chart.png, alt: What the image shows, caption: ..., credit: ...}\n",
            "# toc: true\n",
            "# corrections:\n#   - date: 2025-10-31\n#     text: What was wrong, and what is right.\n",
        ),
        Kind::Company => "# aliases: [Other name]\n# ticker: GOOGL\n# exchange: NASDAQ\n# website: https://example.com/\n# parent: company-slug\n# logo: {src: /logos/x.svg}\n",
        Kind::Source => "# kind: publication  # social, filing, press-release, company-blog, research\n# website: https://example.com/\n# paywalled: true\n",
        Kind::Story => "# summary: What the story is about, in a sentence.\n# image: {src: lead.png, alt: What the image shows}\n",
        Kind::Person => "# aliases: [Other name]\n# website: https://example.com/\n# image: {src: portrait.jpg, alt: Name, in 2024}\n",
        Kind::Product => "# aliases: [Other name]\n# website: https://example.com/\n# image: {src: product.png, alt: What the image shows}\n",
        Kind::Author => "# website: https://example.com/\n# image: {src: portrait.jpg, alt: Name}\n",
    }
}

/// A slug of at most six words of `title`, apostrophes dropped ("Google's" is `googles`).
fn short_slug(title: &str) -> Slug {
    let plain: String = title.chars().filter(|c| !matches!(c, '\'' | '’' | 'ʼ')).collect();
    let full = Slug::from_text(&plain);
    let words: Vec<&str> = full.as_str().split('-').take(6).collect();
    Slug::parse(&words.join("-")).unwrap_or(full)
}

fn yaml<T: Serialize>(v: &T) -> Result<String, String> {
    serde_yaml::to_string(v).map_err(|e| e.to_string())
}

fn check_refs(dir: &Path, kind: &str, slugs: &[String]) -> Result<(), String> {
    let known: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".md")).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for s in slugs {
        if !known.contains(s) {
            let hint = did_you_mean(s, known.iter().map(String::as_str))
                .map_or_else(|| format!("create it with `briefing new {kind} NAME`"), |k| format!("did you mean \"{k}\"?"));
            return Err(format!("unknown {kind} \"{s}\"\n  hint: {hint}"));
        }
    }
    Ok(())
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!("{} already exists; nothing was written", path.display())
        } else {
            format!("cannot create {}: {e}", path.display())
        }
    })?;
    f.write_all(text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates a new site in `dir` that builds at once with the built-in theme.
pub fn init(dir: &Path, today: chrono::NaiveDate) -> Result<Vec<PathBuf>, String> {
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(format!("{} exists and is not empty; choose a new folder", dir.display()));
    }
    let date = today.format("%Y-%m-%d");
    let files: Vec<(String, String)> = vec![
        (
            "site.toml".into(),
            "title = \"My AI Briefing\"\nbase_url = \"https://example.org/\"\ndescription = \"Short, sourced briefs on the business of AI.\"\nlanguage = \"en\"\nbriefs_per_page = 20\n\n[extra]\n".into(),
        ),
        (
            "content/companies/example-labs.md".into(),
            "---\nname: Example Labs\naliases: [ExLabs]\nwebsite: https://example.com/\n---\nA placeholder company: rename this file and write what the company does.\n".into(),
        ),
        (
            "content/sources/example-wire.md".into(),
            "---\nname: Example Wire\nkind: publication\nwebsite: https://example.com/news/\n---\nA placeholder news outlet.\n".into(),
        ),
        (
            format!("content/briefs/{date}-first-brief.md"),
            format!(
                "---\ntitle: Example Labs opens its first office\ndate: {date}\ncompanies: [example-labs]\nsources:\n  - source: example-wire\n    url: https://example.com/news/first-office\nstatus: announced\ntags: [Expansion]\n---\n[[Example Labs]] opened its first office. Replace this brief with your own; run\n`briefing new brief \"Title\" --company example-labs` to start another.\n"
            ),
        ),
        ("content/pages/about.md".into(), "---\ntitle: About\n---\nWhat this briefing covers, and how it works.\n".into()),
        (".gitignore".into(), "# Written by `briefing build`: the site, and the processed images and cards it keeps.\npublic/\n.briefing-cache/\n".into()),
    ];
    let mut written = Vec::new();
    for (rel, text) in files {
        let p = dir.join(rel);
        write_new(&p, &text)?;
        written.push(p);
    }
    Ok(written)
}

/// Writes the built-in theme into `root/themes/default/`: the files written, and those
/// kept because they exist.
pub fn eject(root: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
    use crate::content::theme::{I18N, STATIC, TEMPLATES};
    if !root.join("site.toml").is_file() {
        return Err(format!("{} has no site.toml: run this in a site (or pass --root)", root.display()));
    }
    let dir = root.join("themes").join("default");
    let files = TEMPLATES
        .iter()
        .map(|(name, text)| (format!("templates/{name}"), text.as_bytes()))
        .chain(STATIC.iter().map(|(name, bytes)| (format!("static/{name}"), *bytes)))
        .chain(I18N.iter().map(|(lang, text)| (format!("i18n/{lang}.toml"), text.as_bytes())));
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if path.exists() {
            kept.push(path);
            continue;
        }
        write_new(&path, &String::from_utf8_lossy(bytes))?;
        written.push(path);
    }
    Ok((written, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_quoted_as_yaml_needs() {
        let y = yaml(&Titled { title: "Meta: \"no\" # comment" }).unwrap();
        let back: serde_yaml::Value = serde_yaml::from_str(&y).unwrap();
        assert_eq!(back["title"].as_str(), Some("Meta: \"no\" # comment"));
    }
}
