//! Raw HTML written in Markdown, under `[markdown] raw_html`: `sanitize` (the default) keeps
//! what a page can safely show and removes scripts, frames, event handlers and `javascript:`
//! URLs, saying what it removed; `deny` refuses any; `allow` keeps it as written.

use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event};
use serde::Deserialize;

use super::{LinkError, LinkProblem};

/// What happens to raw HTML in Markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Kept, less what could run code or load another site's page.
    #[default]
    Sanitize,
    /// An error.
    Deny,
    /// Kept as written: for sites whose every writer is trusted.
    Allow,
}

/// Elements whose content goes with them.
const WITH_CONTENT: [&str; 6] = ["script", "style", "iframe", "object", "noscript", "template"];

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(None)
            .add_tags(["picture", "source", "figure", "figcaption", "time", "mark", "video", "audio", "track", "section", "aside"])
            .add_generic_attributes(["class", "id", "title", "lang", "dir", "role"])
            .add_generic_attribute_prefixes(["aria-", "data-"])
            .add_tag_attributes("img", ["srcset", "sizes", "loading", "decoding", "width", "height"])
            .add_tag_attributes("source", ["src", "srcset", "sizes", "type", "media", "width", "height"])
            .add_tag_attributes("time", ["datetime"])
            .add_tag_attributes("a", ["rel", "target"])
            .add_tag_attributes("video", ["src", "controls", "poster", "width", "height", "muted", "loop", "playsinline", "preload"])
            .add_tag_attributes("audio", ["src", "controls", "preload"])
            .add_tag_attributes("track", ["src", "kind", "srclang", "label", "default"]);
        b
    })
}

/// The raw HTML of one body, as the renderer meets it.
#[derive(Default)]
pub struct Raw {
    /// The HTML block being read: where it starts and its text so far.
    block: Option<(usize, String)>,
    /// An inline element removed with its content: its name, until it closes.
    skipping: Option<String>,
}

impl Raw {
    /// An HTML block starts at byte `offset`.
    pub fn block_start(&mut self, offset: usize) {
        self.block = Some((offset, String::new()));
    }

    /// Whether an HTML block is being read (its lines go to [`Raw::block_line`]).
    pub fn in_block(&self) -> bool {
        self.block.is_some()
    }

    /// A line of the open HTML block.
    pub fn block_line(&mut self, line: &str) {
        if let Some((_, text)) = self.block.as_mut() {
            text.push_str(line);
        }
    }

    /// The HTML block ends: its text under `policy`, and where it started.
    pub fn block_end(&mut self) -> Option<(usize, String)> {
        self.block.take()
    }

    /// Whether inline text is inside an element removed with its content.
    pub fn skipping(&self) -> bool {
        self.skipping.is_some()
    }

    /// One inline tag at `offset`: the event to write instead, if any.
    pub fn inline(&mut self, policy: Policy, tag: &str, offset: usize, problems: &mut Vec<LinkProblem>) -> Option<Event<'static>> {
        let name = tag_name(tag);
        let closing = tag.trim_start().starts_with("</");
        if let Some(open) = &self.skipping {
            if closing && name == *open {
                self.skipping = None;
            }
            return None;
        }
        if closing {
            // An end tag carries nothing that runs; under `deny` its start was reported.
            return (policy != Policy::Deny).then(|| Event::InlineHtml(CowStr::from(tag.to_string())));
        }
        let html = apply(policy, tag, offset, problems)?;
        if policy == Policy::Sanitize && WITH_CONTENT.contains(&name.as_str()) && !tag.ends_with("/>") {
            self.skipping = Some(name.clone());
        }
        // The cleaner closes what it opens; an inline tag's own end tag comes later.
        let html = html.strip_suffix(&format!("</{name}>")).map_or_else(|| html.clone(), str::to_string);
        Some(Event::InlineHtml(CowStr::from(html)))
    }
}

/// Raw HTML at byte `offset` under `policy`: what to write (`None` for nothing), with a
/// problem for what was refused or removed.
pub fn apply(policy: Policy, html: &str, offset: usize, problems: &mut Vec<LinkProblem>) -> Option<String> {
    let comment = html.trim_start().starts_with("<!--");
    match policy {
        Policy::Allow => Some(html.to_string()),
        Policy::Deny if comment => None,
        Policy::Deny => {
            let message = format!("raw HTML is not allowed on this site: {}", shorten(html));
            let hint = "write it in Markdown, use a shortcode, or set `[markdown] raw_html = \"sanitize\"` in site.toml";
            problems.push(LinkProblem::error(offset, LinkError::new(message, hint)));
            None
        }
        Policy::Sanitize => {
            let clean = cleaner().clean(html).to_string();
            let removed = removed(html, &clean);
            if !removed.is_empty() {
                let message = format!("removed from raw HTML: {}", removed.join(", "));
                let hint = "scripts, frames, event handlers and javascript: URLs never reach the page; for an embed, use a shortcode such as {{ post(...) }}";
                problems.push(LinkProblem::warning(offset, LinkError::new(message, hint)));
            }
            Some(clean)
        }
    }
}

/// The lowercase name of the tag that `html` starts with (`"a"` for `<a href=...>`).
fn tag_name(html: &str) -> String {
    let rest = html.trim_start().trim_start_matches('<').trim_start_matches('/');
    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>().to_ascii_lowercase()
}

/// What the cleaner took out of `before`: elements, attributes and `javascript:` URLs.
fn removed(before: &str, after: &str) -> Vec<String> {
    let (tags_before, attrs_before) = inventory(before);
    let (tags_after, attrs_after) = inventory(after);
    let mut out: Vec<String> = tags_before.into_iter().filter(|t| !tags_after.contains(t)).map(|t| format!("<{t}>")).collect();
    out.extend(attrs_before.into_iter().filter(|a| !attrs_after.contains(a)).map(|a| format!("the {a} attribute")));
    if before.to_ascii_lowercase().contains("javascript:") && !after.to_ascii_lowercase().contains("javascript:") {
        out.push("a javascript: URL".into());
    }
    out.dedup();
    out
}

/// The element names and attribute names in `html`, each once.
fn inventory(html: &str) -> (Vec<String>, Vec<String>) {
    let mut tags = Vec::new();
    let mut attrs = Vec::new();
    for part in html.split('<').skip(1) {
        if part.starts_with(['/', '!']) {
            continue;
        }
        let inside = part.split('>').next().unwrap_or("");
        let name = tag_name(inside);
        if name.is_empty() {
            continue;
        }
        if !tags.contains(&name) {
            tags.push(name.clone());
        }
        for word in inside[name.len()..].split(|c: char| c.is_whitespace()) {
            let attr = word.split('=').next().unwrap_or("").trim_matches('/').to_ascii_lowercase();
            if !attr.is_empty() && attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && !attrs.contains(&attr) {
                attrs.push(attr);
            }
        }
    }
    (tags, attrs)
}

/// At most 40 characters of `html`, on one line.
fn shorten(html: &str) -> String {
    let one: String = html.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}
