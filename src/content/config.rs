//! `site.toml`: read strictly, then validated into [`Config`].
//!
//! Unknown keys are errors with a did-you-mean; every problem carries its line and column.
//! Command-line overrides (`--base-url`) are applied by the caller, not here.

use std::path::Path;

use serde::Deserialize;

use crate::content::diag::{did_you_mean, line_col, Diagnostic, Diagnostics};

/// The raw file, mirrored exactly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_per_page")]
    briefs_per_page: usize,
    default_author: Option<String>,
    timezone: Option<String>,
    #[serde(default)]
    feeds: RawFeeds,
    #[serde(default)]
    publish: Publish,
    #[serde(default)]
    images: Images,
    #[serde(default)]
    markdown: Markdown,
    #[serde(default)]
    extra: toml::Table,
}

/// `[markdown]`: how bodies are rendered.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Markdown {
    /// Raw HTML in bodies: `sanitize` (default), `deny` or `allow`.
    #[serde(default)]
    pub raw_html: crate::content::markdown::RawHtml,
}

/// `[images]`: how images are processed and whether briefs get share cards.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    /// Widths of the resized variants, in pixels (never wider than the original).
    #[serde(default = "default_widths")]
    pub widths: Vec<u32>,
    /// A generated share image for every brief without a lead `image`.
    #[serde(default = "default_true")]
    pub social_cards: bool,
    /// WebP and JPEG quality, 1 to 100.
    #[serde(default = "default_quality")]
    pub quality: u8,
}

impl Default for Images {
    fn default() -> Self {
        Images { widths: default_widths(), social_cards: true, quality: default_quality() }
    }
}

fn default_widths() -> Vec<u32> {
    vec![480, 960, 1600]
}
fn default_true() -> bool {
    true
}
fn default_quality() -> u8 {
    80
}

/// `[publish]`: where `briefing publish` sends the site.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// The target used when `--target` is not given (default: the first).
    pub default: Option<String>,
    /// Named targets.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// One `[[publish.targets]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Name for `--target`.
    pub name: String,
    /// `s3://bucket/prefix`, `gs://...`, `az://...`, `file:///path`, or `git+<repo url>`.
    pub url: String,
    /// Branch for git targets (default `gh-pages`).
    pub branch: Option<String>,
    /// Delete what the site no longer has (default true).
    pub delete: Option<bool>,
    /// `Cache-Control` by file pattern; the first match wins.
    #[serde(default)]
    pub cache_control: Vec<CacheRule>,
    /// Patterns of files stored gzip-compressed with `Content-Encoding: gzip`.
    #[serde(default)]
    pub gzip: Vec<String>,
    /// Writes a `CNAME` file (GitHub Pages custom domain).
    pub cname: Option<String>,
    /// Writes an empty `.nojekyll` file (GitHub Pages).
    #[serde(default)]
    pub nojekyll: bool,
    /// Contents of a `_headers` file (Netlify, Cloudflare Pages).
    pub headers: Option<String>,
    /// Contents of a `_redirects` file (Netlify, Cloudflare Pages).
    pub redirects: Option<String>,
}

/// A `Cache-Control` value for the files matching a glob pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheRule {
    /// Glob over paths relative to the site (`**/*.css`, `*.html`).
    pub pattern: String,
    /// The header value.
    pub value: String,
}

/// `[feeds]`: how many entries each Atom and JSON feed carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeeds {
    #[serde(default = "default_feed_limit")]
    limit: usize,
}

impl Default for RawFeeds {
    fn default() -> Self {
        RawFeeds { limit: default_feed_limit() }
    }
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_per_page() -> usize {
    20
}
fn default_feed_limit() -> usize {
    30
}

const KNOWN_KEYS: [&str; 13] = [
    "title",
    "base_url",
    "description",
    "language",
    "theme",
    "briefs_per_page",
    "default_author",
    "timezone",
    "feeds",
    "publish",
    "images",
    "markdown",
    "extra",
];

/// A value of `site.toml` and where it was written, for messages about it in later stages.
#[derive(Debug, Clone)]
pub struct Placed<T> {
    /// The value.
    pub value: T,
    /// `site.toml`, as shown in messages.
    pub path: std::path::PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The site's configuration, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site's name, shown in every page header and feed.
    pub title: String,
    /// Absolute base URL, always ending with `/` (may carry a sub-path).
    pub base_url: String,
    /// A sentence about the site, for feeds and meta descriptions.
    pub description: String,
    /// BCP 47 language tag of the content.
    pub language: String,
    /// A folder name under `themes/`.
    pub theme: String,
    /// Briefs per page on the home page and on lists.
    pub briefs_per_page: usize,
    /// Entries per Atom or JSON feed.
    pub feed_limit: usize,
    /// Slug of the author of briefs that name none.
    pub default_author: Option<Placed<String>>,
    /// The zone offset-less times are read in and every time is shown in (default UTC).
    pub timezone: chrono_tz::Tz,
    /// Publishing targets.
    pub publish: Publish,
    /// `[images]`, widths sorted and without repeats.
    pub images: Images,
    /// `[markdown]`.
    pub markdown: Markdown,
    /// `[extra]`, handed to templates untouched.
    pub extra: toml::Table,
}

impl Config {
    /// The path part of `base_url`: `/` or `/briefing/`.
    pub fn base_path(&self) -> &str {
        url_path(&self.base_url)
    }

    /// The absolute URL of a site-relative path (`briefs/x/`).
    pub fn absolute(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.base_url.len() + path.len());
        url.push_str(&self.base_url);
        url.push_str(path);
        url
    }

    /// Parses `site.toml`'s text; `path` only labels the diagnostics.
    pub fn parse(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<Config> {
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
                let message = e.message().to_string();
                let hint = unknown_field(&message)
                    .and_then(|f| did_you_mean(f, KNOWN_KEYS.iter().copied()))
                    .map(|k| format!("did you mean \"{k}\"?"));
                diags.push(Diagnostic::error(path, line, col, message).with_hint_opt(hint).with_source(text));
                return None;
            }
        };
        let RawConfig { title, base_url, description, language, theme, briefs_per_page, default_author, timezone, feeds, publish, images, markdown, extra } =
            raw;
        let RawFeeds { limit: feed_limit } = feeds;
        let locate = |key: &str| text.lines().position(|l| l.trim_start().starts_with(key)).map_or((1, 1), |i| (i + 1, 1));
        let mut ok = true;
        if title.trim().is_empty() {
            let (l, c) = locate("title");
            diags.push(Diagnostic::error(path, l, c, "`title` must not be empty").with_source(text));
            ok = false;
        }
        let base_url = match normalize_base_url(&base_url) {
            Ok(u) => u,
            Err(msg) => {
                let (l, c) = locate("base_url");
                diags.push(Diagnostic::error(path, l, c, msg).with_source(text));
                ok = false;
                String::new()
            }
        };
        if briefs_per_page == 0 {
            let (l, c) = locate("briefs_per_page");
            diags.push(Diagnostic::error(path, l, c, "`briefs_per_page` must be at least 1").with_source(text));
            ok = false;
        }
        if crate::content::model::Slug::parse(&theme).is_err() {
            let (l, c) = locate("theme");
            diags.push(Diagnostic::error(path, l, c, format!("theme \"{theme}\" is not a folder name under themes/")).with_source(text));
            ok = false;
        }
        let timezone = match timezone.as_deref().map(str::trim) {
            None => chrono_tz::Tz::UTC,
            Some(name) => name.parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
                let (l, c) = locate("timezone");
                let known = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
                let hint = did_you_mean(name, known).map_or_else(
                    || "use an IANA name such as \"America/New_York\", \"Europe/Paris\" or \"UTC\"".to_string(),
                    |k| format!("did you mean \"{k}\"?"),
                );
                diags.push(Diagnostic::error(path, l, c, format!("unknown time zone \"{name}\"")).with_hint(hint).with_source(text));
                ok = false;
                chrono_tz::Tz::UTC
            }),
        };
        let images = match check_images(images) {
            Ok(images) => images,
            Err((key, msg)) => {
                let (l, c) = locate(key);
                diags.push(Diagnostic::error(path, l, c, msg).with_source(text));
                ok = false;
                Images::default()
            }
        };
        let default_author = default_author.map(|value| {
            let line = text.lines().position(|l| l.trim_start().starts_with("default_author")).map_or(1, |i| i + 1);
            let column = text.lines().nth(line - 1).and_then(|l| l.find(value.as_str())).map_or(1, |c| c + 1);
            Placed { value, path: path.to_path_buf(), line, column }
        });
        ok.then_some(Config {
            title,
            base_url,
            description,
            language,
            theme,
            briefs_per_page,
            feed_limit: feed_limit.max(1),
            default_author,
            timezone,
            publish,
            images,
            markdown,
            extra,
        })
    }
}

/// `[images]` with its widths sorted and deduplicated, or why it cannot be used.
fn check_images(mut images: Images) -> Result<Images, (&'static str, String)> {
    if images.widths.is_empty() {
        return Err(("widths", "`[images] widths` must list at least one width, such as [480, 960, 1600]".into()));
    }
    if let Some(w) = images.widths.iter().find(|w| !(16..=8192).contains(*w)) {
        return Err(("widths", format!("image width {w} is out of range: widths must be between 16 and 8192 pixels")));
    }
    if !(1..=100).contains(&images.quality) {
        return Err(("quality", format!("`[images] quality` is {}: it must be between 1 and 100", images.quality)));
    }
    images.widths.sort_unstable();
    images.widths.dedup();
    Ok(images)
}

/// Checks that a base URL is absolute http(s) and gives it a trailing slash.
pub fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    crate::content::model::HttpUrl::parse(url)
        .map_err(|_| format!("base_url \"{url}\" must be an absolute http(s) URL such as https://example.org/"))?;
    if url.contains(['?', '#']) {
        return Err(format!("base_url \"{url}\" must not carry a query or fragment"));
    }
    let after = &url[url.find("://").map_or(0, |i| i + 3)..];
    Ok(if after.contains('/') {
        if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        }
    } else {
        format!("{url}/")
    })
}

/// Pulls the field name out of serde's "unknown field `x`, expected ..." message.
pub fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.split("unknown field `").nth(1)?;
    rest.split('`').next()
}

/// The path part of an absolute URL (`/` or `/briefing/`).
pub fn url_path(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or("/", |i| &url[after_scheme + i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
        let mut d = Diagnostics::new();
        let c = Config::parse(Path::new("site.toml"), text, &mut d);
        (c, d.into_sorted())
    }

    #[test]
    fn sub_path_base_url() {
        let (c, _) = parse("title = \"T\"\nbase_url = \"https://example.org/briefing\"\n");
        let c = c.unwrap();
        assert_eq!(c.base_url, "https://example.org/briefing/");
        assert_eq!(c.base_path(), "/briefing/");
        let (c, _) = parse("title = \"T\"\nbase_url = \"https://example.org\"\n");
        assert_eq!(c.unwrap().base_path(), "/");
    }

    #[test]
    fn unknown_key_suggests() {
        let (c, d) = parse("title = \"T\"\nbase_url = \"https://e.org/\"\nbriefs_per_pag = 3\n");
        assert!(c.is_none());
        assert_eq!(d[0].line, 3);
        assert_eq!(d[0].hint.as_deref(), Some("did you mean \"briefs_per_page\"?"));
    }

    #[test]
    fn bad_base_url() {
        let (c, d) = parse("title = \"T\"\nbase_url = \"ftp://e.org/\"\n");
        assert!(c.is_none());
        assert_eq!((d[0].line, d[0].column), (2, 1));
    }
}
