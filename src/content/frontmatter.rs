//! Splitting a content file into YAML front matter and Markdown body, and reading the
//! front matter into the raw, strictly-typed structs that mirror what editors write.
//!
//! This is the only module that knows about serde_yaml: swapping the YAML crate is a
//! change to this file alone. Semantic checks (slugs exist, dates are real) happen later.

use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::content::config::unknown_field;
use crate::content::diag::{did_you_mean, Diagnostic};

/// Front matter larger than this is refused: YAML parsing of deep input is quadratic.
pub const MAX_FRONT_MATTER: usize = 32 * 1024;

/// A content file cut in two.
#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// 1-based line of the first YAML line in the file.
    pub yaml_line: usize,
    /// Byte offset of the YAML in the file.
    pub yaml_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

/// Cuts `text` at its `---` fences, or says (with a located diagnostic) why it cannot.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_no_bom.len();
    if text_no_bom.trim().is_empty() {
        return Err(Diagnostic::error(path, 1, 1, "the file is empty")
            .with_hint("start it with front matter: a line `---`, `title: ...`, `date: ...`, then `---`"));
    }
    let first_line = text_no_bom.split_inclusive('\n').next().unwrap_or("");
    if first_line.trim_end() != "---" {
        return Err(Diagnostic::error(path, 1, 1, "missing front matter: the file must start with a `---` line")
            .with_hint("put `---` on the first line, the YAML keys, then another `---` line before the text")
            .with_source(text_no_bom));
    }
    let mut offset = bom + first_line.len();
    let yaml_start = offset.min(text.len());
    for line in text[yaml_start..].split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim_end() == "---" {
            let yaml = &text[yaml_start..offset];
            let body_offset = offset + line.len();
            if yaml.len() > MAX_FRONT_MATTER {
                return Err(Diagnostic::error(
                    path,
                    2,
                    1,
                    format!("front matter is {} bytes, more than the {} allowed", yaml.len(), MAX_FRONT_MATTER),
                )
                .with_hint("move long text into the body of the brief"));
            }
            return Ok(Split { yaml, yaml_line: 2, yaml_offset: yaml_start, body: &text[body_offset..], body_offset });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(path, 1, 1, "unclosed front matter: no closing `---` line")
        .with_hint("end the front matter with a line holding only `---`")
        .with_source(text))
}

/// Reads the YAML into `T`, turning serde's error into a located diagnostic with a
/// did-you-mean for unknown keys.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str, split: &Split<'_>, known: &[&str]) -> Result<T, Diagnostic> {
    let yaml = if split.yaml.trim().is_empty() { "{}" } else { split.yaml };
    serde_yaml::from_str::<T>(yaml).map_err(|e| {
        let (line, col) = e.location().map_or((split.yaml_line, 1), |l| (l.line() + split.yaml_line - 1, l.column()));
        let raw = e.to_string();
        let untidy = raw.split(" at line ").next().unwrap_or(&raw);
        let message = tidy_message(untidy);
        let hint = unknown_field(untidy).map(|f| match did_you_mean(f, known.iter().copied()) {
            Some(k) => format!("did you mean \"{k}\"?"),
            None => format!("known keys: {}", known.join(", ")),
        });
        if let Some((l, c, message, hint)) = plain_yaml_error(yaml, line + 1 - split.yaml_line, col, untidy) {
            return Diagnostic::error(path, l + split.yaml_line - 1, c, message).with_hint(hint).with_source(text);
        }
        let image = message.contains("a map with `src`").then(|| {
            "write it as a map: `image: {src: chart.png, alt: What the picture shows}`".to_string()
        });
        let hint = hint.or(image).or_else(|| {
            (!message.contains(':') || message.starts_with("did not find") || message.contains("mapping values"))
                .then(|| "check the YAML here: quote text that contains `: ` or `#`, and close every `[` and `{`".to_string())
        });
        Diagnostic::error(path, line, col, message).with_hint_opt(hint).with_source(text)
    })
}

/// The YAML mistakes editors make most, said plainly and placed where they are: a tab in
/// the indentation, a list written without brackets, a `[` never closed (the parser notices
/// only on a later line). `line` is 1-based within `yaml`.
fn plain_yaml_error(yaml: &str, line: usize, col: usize, message: &str) -> Option<(usize, usize, String, String)> {
    let text_line = yaml.lines().nth(line.saturating_sub(1)).unwrap_or("");
    if message.contains("cannot start any token") && text_line.chars().nth(col.saturating_sub(1)) == Some('\t') {
        return Some((line, col, "a tab in the indentation: YAML indents with spaces only".into(), "replace the tab with two spaces".into()));
    }
    if let Some((key, rest)) = message.split_once(": invalid type: string \"").filter(|_| message.ends_with("expected a sequence")) {
        let value = rest.rsplit_once("\", expected").map_or(rest, |(v, _)| v);
        let items: Vec<&str> = value.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        let hint = format!("write a list in brackets: `{key}: [{}]`", items.join(", "));
        return Some((line, col, format!("`{key}` must be a list, not the text \"{value}\""), hint));
    }
    if message.starts_with("did not find expected ',' or ']'") {
        let lines: Vec<&str> = yaml.lines().take(line).collect();
        let (open_line, open_col) = lines.iter().enumerate().rev().find_map(|(i, l)| {
            let opened = l.matches('[').count() > l.matches(']').count();
            opened.then(|| (i + 1, l.rfind('[').map_or(1, |c| c + 1)))
        })?;
        let hint = "close the list on the same line: `companies: [meta, google]`".to_string();
        return Some((open_line, open_col, "this `[` is never closed".into(), hint));
    }
    None
}

fn tidy_message(message: &str) -> String {
    // serde lists expected fields at length; the hint says it better.
    if let Some(field) = unknown_field(message) {
        let prefix = message.split("unknown field").next().unwrap_or("");
        return format!("{prefix}unknown key `{field}`");
    }
    if message.contains("expected struct RawImage") {
        return message.replace("expected struct RawImage", "expected a map with `src` and `alt` (and optionally `caption`, `credit`)");
    }
    if message.contains("missing field `") {
        return message.replace("missing field", "missing required key");
    }
    message.to_string()
}

/// Finds where `key` (and, after it, `needle`) sits in the front matter, for diagnostics
/// about values serde accepted but the site rejects. Falls back to the key, then line 2.
pub fn locate(text: &str, split: &Split<'_>, key: &str, needle: Option<&str>) -> (usize, usize) {
    let yaml_at = split.yaml_offset;
    let yaml = split.yaml;
    let mut key_at = None;
    let mut pos = 0;
    for line in yaml.split_inclusive('\n') {
        if line.starts_with(key) && line[key.len()..].trim_start().starts_with(':') {
            key_at = Some(pos);
            break;
        }
        pos += line.len();
    }
    let Some(key_at) = key_at else {
        return (split.yaml_line, 1);
    };
    let found = needle.and_then(|n| {
        // search after the key, up to the next top-level key
        let rest = &yaml[key_at..];
        let end = rest
            .split_inclusive('\n')
            .scan(0usize, |acc, l| {
                let here = *acc;
                *acc += l.len();
                Some((here, l))
            })
            .skip(1)
            .find(|(_, l)| !l.starts_with([' ', '\t', '-', '\n', '\r', '#']))
            .map_or(rest.len(), |(i, _)| i);
        rest[..end].find(n).map(|i| key_at + i)
    });
    crate::content::diag::line_col(text, yaml_at + found.unwrap_or(key_at))
}

/// One entry of a brief's `sources`: a bare slug or a full citation.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum RawCitation {
    /// `- reuters`
    Slug(String),
    /// `- {source: reuters, url: ...}`
    Full(RawCitationMap),
}

/// The long form of a citation.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCitationMap {
    /// Slug of a file in `content/sources/`.
    pub source: String,
    /// Address of the cited article (http or https).
    pub url: Option<String>,
    /// Headline of the cited article.
    pub title: Option<String>,
    /// When the cited article appeared.
    pub date: Option<String>,
    /// A short remark about the citation (`paywalled`, `via a spokesperson`...).
    pub note: Option<String>,
}

impl<'de> Deserialize<'de> for RawCitation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCitation;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a source slug or a map {source, url, title, date, note}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCitation, E> {
                Ok(RawCitation::Slug(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawCitation, A::Error> {
                RawCitationMap::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawCitation::Full)
            }
        }
        d.deserialize_any(V)
    }
}

/// Front matter of a brief, exactly as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBrief {
    /// Headline. Required.
    pub title: Option<String>,
    /// Publication date: `YYYY-MM-DD` or RFC 3339. Required.
    pub date: Option<String>,
    /// Date of the last significant update.
    pub updated: Option<String>,
    /// One or two sentences; defaults to the first paragraph.
    pub summary: Option<String>,
    /// Slugs of the companies the brief is about.
    #[serde(default)]
    pub companies: Vec<String>,
    /// Citations.
    #[serde(default)]
    pub sources: Vec<RawCitation>,
    /// Free-text tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// reported, confirmed, denied, announced, rumor or analysis.
    pub status: Option<String>,
    /// Slug of the story thread.
    pub story: Option<String>,
    /// Stock tickers the news may move.
    #[serde(default)]
    pub tickers: Vec<String>,
    /// Slugs of the people the brief is about.
    #[serde(default)]
    pub people: Vec<String>,
    /// Slugs of the products (models, chips...) the brief is about.
    #[serde(default)]
    pub products: Vec<String>,
    /// Slugs of its writers; default: `default_author` of site.toml.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Corrections, each with its date.
    #[serde(default)]
    pub corrections: Vec<RawCorrection>,
    /// The lead image.
    pub image: Option<RawImage>,
    /// A table of contents of the body's headings.
    #[serde(default)]
    pub toc: bool,
    /// URL slug; defaults to the file stem without a leading date.
    pub slug: Option<String>,
    /// Left out of the site unless `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of a brief's front matter.
pub const BRIEF_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "summary",
    "companies",
    "sources",
    "tags",
    "status",
    "story",
    "tickers",
    "people",
    "products",
    "authors",
    "corrections",
    "image",
    "toc",
    "slug",
    "draft",
    "extra",
];

/// Front matter of a company.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompany {
    /// Display name. Required.
    pub name: Option<String>,
    /// Other names that `[[...]]` links may use.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Stock ticker.
    pub ticker: Option<String>,
    /// Exchange of the ticker.
    pub exchange: Option<String>,
    /// Home page (http or https).
    pub website: Option<String>,
    /// Slug of the parent company.
    pub parent: Option<String>,
    /// The company's logo (`alt` defaults to its name).
    pub logo: Option<RawImage>,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of a company's front matter.
pub const COMPANY_KEYS: &[&str] = &["name", "aliases", "ticker", "exchange", "website", "parent", "logo", "extra"];

/// Front matter of a source.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// Display name. Required.
    pub name: Option<String>,
    /// publication, social, filing, press-release, company-blog or research.
    pub kind: Option<String>,
    /// Home page (http or https).
    pub website: Option<String>,
    /// Whether readers need a subscription.
    #[serde(default)]
    pub paywalled: bool,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of a source's front matter.
pub const SOURCE_KEYS: &[&str] = &["name", "kind", "website", "paywalled", "extra"];

/// An image named in front matter (`image:` or `logo:`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawImage {
    /// The file: relative to the content file, or `/`-rooted at the site root.
    pub src: String,
    /// Text for readers who cannot see it. Required for `image` (a logo defaults to the name).
    pub alt: Option<String>,
    /// Shown under the image.
    pub caption: Option<String>,
    /// Who made it (photographer, agency, "Chart: the briefing").
    pub credit: Option<String>,
}

/// A correction to a brief, as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrection {
    /// When it was made: a date or date-time. Required.
    pub date: String,
    /// What was wrong and what is right, in one paragraph of Markdown. Required.
    pub text: String,
}

/// Front matter of a person.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerson {
    /// Full name. Required.
    pub name: Option<String>,
    /// Other names that `[[...]]` links may use.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Positions held, at companies of the site.
    #[serde(default)]
    pub roles: Vec<RawRole>,
    /// Home page (http or https).
    pub website: Option<String>,
    /// A picture: lead image of a brief or story, portrait, product shot.
    pub image: Option<RawImage>,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of a person's front matter.
pub const PERSON_KEYS: &[&str] = &["name", "aliases", "roles", "website", "image", "extra"];

/// One position a person holds or held.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    /// Slug of the company.
    pub company: String,
    /// The position (`Chief Communications Officer`).
    pub title: String,
    /// When it began.
    pub since: Option<String>,
    /// When it ended (none: it still holds).
    pub until: Option<String>,
}

/// Front matter of a product (a model, a chip, an app...).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProduct {
    /// Name. Required.
    pub name: Option<String>,
    /// Slug of the company that makes it. Required.
    pub company: Option<String>,
    /// Other names that `[[...]]` links may use.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// model, chip, app, service, device or other.
    pub kind: Option<String>,
    /// When it was released.
    pub released: Option<String>,
    /// Home page (http or https).
    pub website: Option<String>,
    /// A picture: lead image of a brief or story, portrait, product shot.
    pub image: Option<RawImage>,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of a product's front matter.
pub const PRODUCT_KEYS: &[&str] = &["name", "company", "aliases", "kind", "released", "website", "image", "extra"];

/// Front matter of an author (one of the briefing's own writers); the body is the bio.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthor {
    /// Name, as in bylines. Required.
    pub name: Option<String>,
    /// Home page (http or https).
    pub website: Option<String>,
    /// A picture: lead image of a brief or story, portrait, product shot.
    pub image: Option<RawImage>,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of an author's front matter.
pub const AUTHOR_KEYS: &[&str] = &["name", "website", "image", "extra"];

/// Front matter of a story.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStory {
    /// Title of the thread. Required.
    pub title: Option<String>,
    /// What the story is about.
    pub summary: Option<String>,
    /// A picture: lead image of a brief or story, portrait, product shot.
    pub image: Option<RawImage>,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of a story's front matter.
pub const STORY_KEYS: &[&str] = &["title", "summary", "image", "extra"];

/// Front matter of a free page.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    /// Title. Required.
    pub title: Option<String>,
    /// Anything, for templates.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// Keys of a page's front matter.
pub const PAGE_KEYS: &[&str] = &["title", "extra"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_fences() {
        let text = "---\ntitle: A\n---\nBody\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(&text[s.body_offset..], "Body\n");
    }

    #[test]
    fn splits_crlf_and_empty_front_matter() {
        let s = split(Path::new("a.md"), "---\r\ntitle: A\r\n---\r\nBody").unwrap();
        assert_eq!(s.body, "Body");
        let s = split(Path::new("a.md"), "---\n---\n").unwrap();
        assert_eq!(s.yaml, "");
    }

    #[test]
    fn split_errors() {
        assert!(split(Path::new("a.md"), "").unwrap_err().message.contains("empty"));
        assert!(split(Path::new("a.md"), "title: A\n").unwrap_err().message.contains("missing front matter"));
        assert!(split(Path::new("a.md"), "---\ntitle: A\nbody").unwrap_err().message.contains("unclosed"));
    }

    #[test]
    fn an_image_written_as_a_path_says_how_to_write_it() {
        let text = "---\ntitle: A\nimage: chart.png\n---\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let e = parse::<RawBrief>(Path::new("a.md"), text, &s, BRIEF_KEYS).unwrap_err();
        assert!(e.message.contains("expected a map with `src` and `alt`"), "{}", e.message);
        assert!(e.hint.as_deref().unwrap_or("").contains("{src: chart.png, alt:"));
    }

    #[test]
    fn unknown_key_is_located_with_hint() {
        let text = "---\ntitle: A\ncompnies: [meta]\n---\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let e = parse::<RawBrief>(Path::new("a.md"), text, &s, BRIEF_KEYS).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.message, "unknown key `compnies`");
        assert_eq!(e.hint.as_deref(), Some("did you mean \"companies\"?"));
    }

    #[test]
    fn citations_take_both_forms() {
        let text = "---\nsources:\n  - reuters\n  - source: x\n    url: https://e.org\n---\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let b = parse::<RawBrief>(Path::new("a.md"), text, &s, BRIEF_KEYS).unwrap();
        assert!(matches!(b.sources[0], RawCitation::Slug(_)));
        assert!(matches!(b.sources[1], RawCitation::Full(_)));
        let text = "---\nsources:\n  - source: x\n    ur: https://e.org\n---\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let e = parse::<RawBrief>(Path::new("a.md"), text, &s, BRIEF_KEYS).unwrap_err();
        assert_eq!(e.line, 4);
    }

    #[test]
    fn locate_finds_values() {
        let text = "---\ntitle: A\ncompanies:\n  - meta\n  - metta\ntags: [x]\n---\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(locate(text, &s, "companies", Some("metta")), (5, 5));
        assert_eq!(locate(text, &s, "tags", Some("x")), (6, 8));
        assert_eq!(locate(text, &s, "story", None), (2, 1));
    }
}
