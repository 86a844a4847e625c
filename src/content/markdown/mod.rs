//! Markdown to HTML for one document, with every link target resolved on the way.
//!
//! Wiki links (`[[meta]]`, `[[meta|the company]]`, `[[brief:slug]]`, `[[story:slug]]`) and
//! relative links to other `.md` files are looked up through a [`LinkResolver`]; the ones
//! that match nothing or several things become located diagnostics. Headings get ids.
//! Also extracts the first paragraph as plain text, the default summary of a brief.

mod calls;
mod chart;
mod headings;
mod highlight;
mod images;
mod notes;
mod rawhtml;
mod shortcodes;

pub use headings::Heading;
pub use rawhtml::Policy as RawHtml;
pub use shortcodes::Shortcodes;

use images::{Images, OpenImage};

use crate::content::kinds::Kind;
use crate::content::html::{escape_attr, map_urls};
use crate::content::media::Picture;
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Answers "where does this link go?" for the Markdown renderer.
pub trait LinkResolver {
    /// Resolves a wiki-link target; `Ok((url, display name, matched by slug))`.
    fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError>;
    /// Resolves a relative `.md` link from the document at `from` (a path under `content/`).
    fn file(&self, from: &str, target: &str) -> Result<String, LinkError>;
    /// Resolves a link or image to a file (`chart.png`, `/files/report.pdf`) from `from`.
    fn asset(&self, from: &str, target: &str) -> Result<AssetTarget, LinkError>;
    /// The path of the base URL (`/` or `/briefing/`).
    fn base(&self) -> &str;
    /// What happens to raw HTML (`[markdown] raw_html`).
    fn raw_html(&self) -> RawHtml {
        RawHtml::Sanitize
    }
    /// The shortcode templates.
    fn shortcodes(&self) -> &Shortcodes {
        Shortcodes::builtin()
    }
    /// The text of a data file named from the document at `from`: beside it in its bundle,
    /// else in `data/`.
    fn data_file(&self, from: &str, name: &str) -> Result<String, LinkError> {
        let _ = from;
        Err(LinkError::new(format!("no data file \"{name}\""), "put it beside the brief in its bundle, or in data/"))
    }
}

/// Where a link to a file points.
#[derive(Debug, Clone)]
pub struct AssetTarget {
    /// Root-relative URL.
    pub url: String,
    /// The image, when it is a processed one.
    pub picture: Option<Picture>,
}

/// Where a wiki link points.
#[derive(Debug, Clone)]
pub struct WikiTarget {
    /// Root-relative URL.
    pub url: String,
    /// Text to show when the link has no `|label` and was written as a slug or id.
    pub display: Option<String>,
    /// The entity it names (its kind and index), if it names one.
    pub entity: Option<(Kind, u32)>,
}

/// Why a link could not be resolved.
#[derive(Debug, Clone)]
pub struct LinkError {
    /// What went wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl LinkError {
    /// A problem with its hint.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        LinkError { message: message.into(), hint: Some(hint.into()) }
    }
}

/// A link problem at a byte offset of the Markdown body.
#[derive(Debug, Clone)]
pub struct LinkProblem {
    /// Byte offset in the body.
    pub offset: usize,
    /// The problem.
    pub error: LinkError,
    /// Whether the page is still right as it is (a warning, not an error).
    pub warning: bool,
}

impl LinkProblem {
    /// An error at `offset`.
    pub fn error(offset: usize, error: LinkError) -> Self {
        LinkProblem { offset, error, warning: false }
    }

    /// A warning at `offset`.
    pub fn warning(offset: usize, error: LinkError) -> Self {
        LinkProblem { offset, error, warning: true }
    }
}

/// The rendered document.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    /// HTML of the body.
    pub html: std::sync::Arc<str>,
    /// The first paragraph, as plain text.
    pub first_paragraph: String,
    /// Link targets that did not resolve.
    pub problems: Vec<LinkProblem>,
    /// The entities its wiki links name, each once, in order of first mention.
    pub mentions: Vec<(Kind, u32)>,
    /// The images it shows, each at the byte offset of its first use.
    pub pictures: Vec<(usize, Picture)>,
    /// Its headings, in order.
    pub headings: Vec<Heading>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_TASKLISTS
}

/// Renders `body` (from the file at `content_path`) to HTML.
pub fn render(body: &str, content_path: &str, links: &dyn LinkResolver) -> Rendered {
    let mut found = Vec::new();
    let (text, calls, shifts) = calls::find(body, &mut found);
    let mut r = Walk {
        links,
        from: content_path,
        policy: links.raw_html(),
        events: Vec::with_capacity(body.len() / 16),
        problems: Vec::new(),
        mentions: Vec::new(),
        first_paragraph: String::new(),
        para_state: 0,
        link_text: LinkText::Keep,
        headings: headings::Headings::default(),
        notes: notes::Notes::new(content_path),
        images: Images::default(),
        code: highlight::Code::default(),
        raw: rawhtml::Raw::default(),
        calls,
        toc: None,
    };
    r.problems.append(&mut found);
    let mut brackets = Brackets::default();
    for (event, range) in Parser::new_ext(&text, options()).into_offset_iter() {
        brackets.see(&event, &range);
        r.event(event, shifts.original(range.start));
    }
    r.problems.extend(brackets.unmatched(&text).map(|(at, e)| LinkProblem::warning(shifts.original(at), e)));
    r.place_toc();
    for label in r.notes.unused() {
        let at = body.find(&format!("[^{label}]:")).unwrap_or(0);
        let error = LinkError::new(format!("the footnote [^{label}] is never referenced"), format!("refer to it in the text with [^{label}], or remove it"));
        r.problems.push(LinkProblem::warning(at, error));
    }
    r.notes.finish(&mut r.events);
    // Written into a buffer kept by the thread, then copied at its size: every body is
    // kept until the end of the build, so room to spare would be memory held for nothing.
    thread_local! {
        static HTML: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let html = HTML.with_borrow_mut(|buf| {
        buf.clear();
        pulldown_cmark::html::push_html(buf, r.events.into_iter());
        std::sync::Arc::<str>::from(buf.as_str())
    });
    let first_paragraph = r.first_paragraph.trim().to_string();
    Rendered { html, first_paragraph, problems: r.problems, mentions: r.mentions, pictures: r.images.pictures, headings: r.headings.list }
}

/// Where wiki links and code are, to find the `[[` and `]]` that open or close nothing.
#[derive(Default)]
struct Brackets {
    links: Vec<std::ops::Range<usize>>,
    code: Vec<std::ops::Range<usize>>,
}

impl Brackets {
    fn see(&mut self, event: &Event<'_>, range: &std::ops::Range<usize>) {
        match event {
            Event::Start(Tag::Link { link_type: LinkType::WikiLink { .. }, .. }) => self.links.push(range.clone()),
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) | Event::Html(_) | Event::InlineHtml(_) => self.code.push(range.clone()),
            _ => {}
        }
    }

    /// Each `[[` that starts no link and `]]` that ends none, outside code, as a warning.
    fn unmatched<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, LinkError)> + 't {
        let outside = move |at: usize| !self.code.iter().any(|r| r.contains(&at));
        let opens = text.match_indices("[[").map(|(i, _)| i).filter(move |i| outside(*i) && !self.links.iter().any(|r| r.start == *i));
        let closes = text.match_indices("]]").map(|(i, _)| i).filter(move |i| outside(*i) && !self.links.iter().any(|r| r.end == i + 2));
        let open = opens.map(|i| {
            let word: String = text[i + 2..].chars().take_while(|c| !c.is_whitespace() && *c != ']').take(30).collect();
            (i, LinkError::new(format!("this [[{word} is not closed: it is shown as text, not a link"), format!("close it: [[{word}]]")))
        });
        let close = closes.map(|i| (i, LinkError::new("this ]] closes no link: it is shown as text", "open the link with [[, or remove the brackets")));
        open.chain(close)
    }
}

/// One walk over a body's events, and what it has gathered so far.
struct Walk<'a, 'l> {
    links: &'l dyn LinkResolver,
    from: &'l str,
    policy: rawhtml::Policy,
    events: Vec<Event<'a>>,
    problems: Vec<LinkProblem>,
    mentions: Vec<(Kind, u32)>,
    first_paragraph: String,
    /// 0: before the first paragraph, 1: inside it, 2: after it.
    para_state: u8,
    link_text: LinkText,
    headings: headings::Headings,
    notes: notes::Notes<'a>,
    images: Images,
    code: highlight::Code,
    raw: rawhtml::Raw,
    /// The shortcodes of the body, by number.
    calls: Vec<calls::Call>,
    /// Where `toc()` asked for the table of contents, in the events.
    toc: Option<usize>,
}

impl<'a> Walk<'a, '_> {
    /// Takes in one event that starts at byte `at` of the body.
    fn event(&mut self, event: Event<'a>, at: usize) {
        if self.code.is_open() {
            match event {
                Event::Text(t) => self.code.text(&t),
                Event::End(TagEnd::CodeBlock) => self.events.extend(self.code.end()),
                _ => {}
            }
            return;
        }
        if self.images.open.is_some() {
            self.images.inside(event, self.from, self.links, &mut self.events, &mut self.problems);
            return;
        }
        if self.raw.in_block() || matches!(event, Event::InlineHtml(_) | Event::Html(_) | Event::Start(Tag::HtmlBlock)) {
            return self.html(event, at);
        }
        match event {
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                self.images.open = Some(OpenImage { dest: dest_url.into_string(), title: title.into_string(), offset: at, alt: String::new() });
            }
            Event::Start(Tag::Link { link_type: LinkType::WikiLink { has_pothole }, dest_url, title, id }) => {
                let (url, display) = wiki_target(self.links, &dest_url, at, &mut self.mentions, &mut self.problems);
                self.link_text = match display {
                    Some(d) if !has_pothole => LinkText::Replace(d),
                    _ => LinkText::Keep,
                };
                self.events.push(Event::Start(Tag::Link { link_type: LinkType::Inline, dest_url: CowStr::from(url), title, id }));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) if is_md_link(&dest_url) || is_file_link(&dest_url) => {
                let url = file_url(self.links, self.from, &dest_url).unwrap_or_else(|error| {
                    self.problems.push(LinkProblem::error(at, error));
                    "#".to_string()
                });
                self.events.push(Event::Start(Tag::Link { link_type, dest_url: CowStr::from(url), title, id }));
            }
            Event::Text(_) if !matches!(self.link_text, LinkText::Keep) => {
                if let LinkText::Replace(display) = std::mem::replace(&mut self.link_text, LinkText::Replaced) {
                    push_summary(&mut self.first_paragraph, self.para_state, &display);
                    self.events.push(Event::Text(CowStr::from(display)));
                }
            }
            Event::End(TagEnd::Link) => {
                self.link_text = LinkText::Keep;
                self.events.push(Event::End(TagEnd::Link));
            }
            other => self.plain(other),
        }
    }

    /// Paragraphs, headings, footnotes, code and text.
    fn plain(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::Paragraph) => {
                if self.para_state == 0 {
                    self.para_state = 1;
                }
                self.images.paragraph = self.events.len();
                self.events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                if self.para_state == 1 {
                    self.para_state = 2;
                }
                if !self.images.figure(&mut self.events) {
                    self.events.push(Event::End(TagEnd::Paragraph));
                }
            }
            Event::Start(Tag::Heading { .. }) => {
                self.headings.start(self.events.len());
                self.events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                self.headings.end(&mut self.events);
                self.events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::CodeBlock(kind)) => self.code.start(&kind),
            // A task's box as a character, not a form control: nothing to fill in, and
            // nothing a screen reader announces as an unlabelled field.
            Event::TaskListMarker(done) => {
                let (class, mark) = if done { ("task-box done", "☑") } else { ("task-box", "☐") };
                self.events.push(Event::InlineHtml(CowStr::from(format!("<span class=\"{class}\">{mark}</span> "))));
            }
            Event::FootnoteReference(label) => self.events.push(self.notes.reference(label)),
            Event::Start(Tag::FootnoteDefinition(label)) => self.notes.start(self.events.len(), label),
            Event::End(TagEnd::FootnoteDefinition) => self.notes.end(&mut self.events),
            Event::Text(_) | Event::Code(_) if self.raw.skipping() => {}
            Event::Text(ref t) | Event::Code(ref t) => {
                push_summary(&mut self.first_paragraph, self.para_state, t);
                self.events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                push_summary(&mut self.first_paragraph, self.para_state, " ");
                self.events.push(event);
            }
            other => self.events.push(other),
        }
    }

    /// Raw HTML: its file names resolved, then kept, cleaned or refused by the site's policy.
    fn html(&mut self, event: Event<'a>, at: usize) {
        match event {
            Event::Start(Tag::HtmlBlock) => self.raw.block_start(at),
            Event::Html(line) if self.raw.in_block() => self.raw.block_line(&line),
            Event::End(TagEnd::HtmlBlock) => {
                let Some((start, mut text)) = self.raw.block_end() else { return };
                while let Some((a, b, n)) = calls::marker_at(&text) {
                    self.raw_block(&text[..a], start);
                    self.shortcode(n, true);
                    text.replace_range(..b, "");
                }
                self.raw_block(&text, start);
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                if let Some((_, _, n)) = calls::marker_at(&raw) {
                    return self.shortcode(n, false);
                }
                let text = raw_html_urls(&raw, self.from, self.links, at, &mut self.problems).unwrap_or_else(|| raw.to_string());
                self.events.extend(self.raw.inline(self.policy, &text, at, &mut self.problems));
            }
            other => self.events.push(other),
        }
    }

    /// Raw HTML from a block (starting at `start`), its file names resolved, under the policy.
    fn raw_block(&mut self, text: &str, start: usize) {
        if text.trim().is_empty() {
            return;
        }
        let text = raw_html_urls(text, self.from, self.links, start, &mut self.problems).unwrap_or_else(|| text.to_string());
        if let Some(html) = rawhtml::apply(self.policy, &text, start, &mut self.problems) {
            self.events.push(Event::Html(CowStr::from(html)));
        }
    }

    /// Shortcode `n` at its place: its HTML, or its problem located at the call.
    fn shortcode(&mut self, n: usize, block: bool) {
        let Some(call) = self.calls.get(n).cloned() else { return };
        if call.name == "toc" {
            self.toc = Some(self.events.len());
        }
        let (from, links) = (self.from, self.links);
        let mut inner = Vec::new();
        let mut body = |text: &str, at: usize| {
            let r = render(text, from, links);
            inner.push((at, r.problems, r.mentions, r.pictures));
            r.html.to_string()
        };
        let mut place = shortcodes::Place { from, links, body: &mut body, n, by: None };
        let result = crate::steps::time("bodies: shortcodes (summed over threads)", || shortcodes::run(&call, &mut place));
        if let Some(e) = place.by.filter(|e| !self.mentions.contains(e)) {
            self.mentions.push(e);
        }
        for (at, problems, mentions, pictures) in inner {
            self.problems.extend(problems.into_iter().map(|p| LinkProblem { offset: p.offset + at, ..p }));
            self.mentions.extend(mentions.into_iter().filter(|m| !self.mentions.contains(m)).collect::<Vec<_>>());
            self.images.pictures.extend(pictures.into_iter().map(|(o, p)| (o + at, p)));
        }
        match result {
            Ok(html) if block => self.events.push(Event::Html(CowStr::from(html + "\n"))),
            Ok(html) => self.events.push(Event::InlineHtml(CowStr::from(html))),
            Err(shortcodes::Located(at, error)) => self.problems.push(LinkProblem::error(at.unwrap_or(call.offset), error)),
        }
    }

    /// Fills the place `toc()` kept with the body's headings.
    fn place_toc(&mut self) {
        let Some(at) = self.toc else { return };
        let items: String = self
            .headings
            .list
            .iter()
            .map(|h| format!("<li class=\"toc-{}\"><a href=\"#{}\">{}</a></li>", h.level, escape_attr(&h.id), escape_attr(&h.text)))
            .collect();
        if !items.is_empty() {
            self.events.insert(at.min(self.events.len()), Event::Html(CowStr::from(format!("<nav class=\"toc\"><ol>{items}</ol></nav>\n"))));
        }
    }
}

/// A link to a file that is not Markdown: relative (`chart.png`, `files/a.pdf`) or rooted
/// at the site (`/files/a.pdf`), but not to another host, an anchor or a `.md` file.
fn is_file_link(dest: &str) -> bool {
    let path = dest.split(['#', '?']).next().unwrap_or("");
    let scheme = dest.split_once(':').is_some_and(|(s, _)| !s.contains('/') && !s.is_empty());
    !path.is_empty() && !path.ends_with(".md") && !scheme && !dest.starts_with("//")
}

/// Where a link to a file points: a `.md` file's page (with its `#fragment`), or the file.
fn file_url(links: &dyn LinkResolver, from: &str, dest: &str) -> Result<String, LinkError> {
    if !is_md_link(dest) {
        return links.asset(from, dest).map(|t| t.url);
    }
    let (path, fragment) = dest.split_once('#').map_or((dest, None), |(p, f)| (p, Some(f)));
    let url = links.file(from, path)?;
    Ok(match fragment {
        Some(f) => format!("{url}#{f}"),
        None => url,
    })
}

/// Raw HTML with the files its `src`, `href` and `srcset` attributes name resolved like
/// Markdown links (`None` when it names none); a name that leads nowhere joins `problems`.
fn raw_html_urls(html: &str, from: &str, links: &dyn LinkResolver, offset: usize, problems: &mut Vec<LinkProblem>) -> Option<String> {
    map_urls(html, |value| {
        (is_md_link(value) || is_file_link(value)).then(|| {
            file_url(links, from, value).unwrap_or_else(|error| {
                problems.push(LinkProblem::error(offset, error));
                value.to_string()
            })
        })
    })
}

/// Where a wiki link at byte `offset` points and what it shows; the entity it names joins
/// `mentions`, and a target that resolves nowhere joins `problems` (the link points at `#`).
fn wiki_target(
    links: &dyn LinkResolver,
    target: &str,
    offset: usize,
    mentions: &mut Vec<(Kind, u32)>,
    problems: &mut Vec<LinkProblem>,
) -> (String, Option<String>) {
    match links.wiki(target) {
        Ok(t) => {
            if let Some(e) = t.entity.filter(|e| !mentions.contains(e)) {
                mentions.push(e);
            }
            (t.url, t.display)
        }
        Err(error) => {
            problems.push(LinkProblem::error(offset, error));
            ("#".to_string(), None)
        }
    }
}

/// What happens to the text inside the current link.
enum LinkText {
    /// Shown as written.
    Keep,
    /// Replaced by the target's name (a wiki link written as a slug).
    Replace(String),
    /// Already replaced: further pieces are dropped.
    Replaced,
}

fn push_summary(summary: &mut String, para_state: u8, text: &str) {
    if para_state == 1 {
        summary.push_str(text);
    }
}

fn is_md_link(dest: &str) -> bool {
    let path = dest.split('#').next().unwrap_or("");
    path.ends_with(".md") && !dest.contains("://") && !dest.starts_with('/') && !dest.starts_with("mailto:")
}

#[cfg(test)]
mod tests;
