//! Markdown to HTML for one document, with every link target resolved on the way.
//!
//! Wiki links (`[[meta]]`, `[[meta|the company]]`, `[[brief:slug]]`, `[[story:slug]]`) and
//! relative links to other `.md` files are looked up through a [`LinkResolver`]; the ones
//! that match nothing or several things become located diagnostics. Headings get ids.
//! Also extracts the first paragraph as plain text, the default summary of a brief.

use std::collections::HashMap;

use crate::content::kinds::Kind;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// Answers "where does this link go?" for the Markdown renderer.
pub trait LinkResolver {
    /// Resolves a wiki-link target; `Ok((url, display name, matched by slug))`.
    fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError>;
    /// Resolves a relative `.md` link from the document at `from` (a path under `content/`).
    fn file(&self, from: &str, target: &str) -> Result<String, LinkError>;
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

/// A link problem at a byte offset of the Markdown body.
#[derive(Debug, Clone)]
pub struct LinkProblem {
    /// Byte offset in the body.
    pub offset: usize,
    /// The problem.
    pub error: LinkError,
}

/// The rendered document.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    /// HTML of the body.
    pub html: String,
    /// The first paragraph, as plain text.
    pub first_paragraph: String,
    /// Link targets that did not resolve.
    pub problems: Vec<LinkProblem>,
    /// The entities its wiki links name, each once, in order of first mention.
    pub mentions: Vec<(Kind, u32)>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

/// Renders `body` (from the file at `content_path`) to HTML.
pub fn render(body: &str, content_path: &str, links: &dyn LinkResolver) -> Rendered {
    let mut problems = Vec::new();
    let mut mentions = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::with_capacity(body.len() / 16);
    let mut first_paragraph = String::new();
    let mut para_state = 0u8; // 0: before, 1: inside the first paragraph, 2: done
    let mut link_text = LinkText::Keep;
    let mut heading_start: Option<usize> = None;
    let mut heading_ids: HashMap<String, usize> = HashMap::new();

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { link_type: LinkType::WikiLink { has_pothole }, dest_url, title, id }) => {
                let (url, display) = wiki_target(links, &dest_url, range.start, &mut mentions, &mut problems);
                link_text = match display {
                    Some(d) if !has_pothole => LinkText::Replace(d),
                    _ => LinkText::Keep,
                };
                events.push(Event::Start(Tag::Link { link_type: LinkType::Inline, dest_url: CowStr::from(url), title, id }));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) if is_md_link(&dest_url) => {
                let (path, fragment) = match dest_url.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (&*dest_url, None),
                };
                let url = match links.file(content_path, path) {
                    Ok(url) => match fragment {
                        Some(f) => format!("{url}#{f}"),
                        None => url,
                    },
                    Err(error) => {
                        problems.push(LinkProblem { offset: range.start, error });
                        "#".to_string()
                    }
                };
                events.push(Event::Start(Tag::Link { link_type, dest_url: CowStr::from(url), title, id }));
            }
            Event::Text(_) if !matches!(link_text, LinkText::Keep) => {
                if let LinkText::Replace(display) = std::mem::replace(&mut link_text, LinkText::Replaced) {
                    push_summary(&mut first_paragraph, para_state, &display);
                    events.push(Event::Text(CowStr::from(display)));
                }
            }
            Event::End(TagEnd::Link) => {
                link_text = LinkText::Keep;
                events.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Paragraph) => {
                if para_state == 0 {
                    para_state = 1;
                }
                events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                if para_state == 1 {
                    para_state = 2;
                }
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Start(Tag::Heading { .. }) => {
                heading_start = Some(events.len());
                events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(start) = heading_start.take() {
                    set_heading_id(&mut events, start, level, &mut heading_ids);
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                push_summary(&mut first_paragraph, para_state, t);
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                push_summary(&mut first_paragraph, para_state, " ");
                events.push(event);
            }
            other => events.push(other),
        }
    }
    // Written into a buffer kept by the thread, then copied at its size: every body is
    // kept until the end of the build, so room to spare would be memory held for nothing.
    thread_local! {
        static HTML: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let html = HTML.with_borrow_mut(|buf| {
        buf.clear();
        pulldown_cmark::html::push_html(buf, events.into_iter());
        buf.as_str().to_owned()
    });
    Rendered { html, first_paragraph: first_paragraph.trim().to_string(), problems, mentions }
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
            problems.push(LinkProblem { offset, error });
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

fn set_heading_id(events: &mut [Event<'_>], start: usize, level: HeadingLevel, seen: &mut HashMap<String, usize>) {
    let text: String = events[start + 1..]
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
        let _ = level;
        if id.is_some() {
            return;
        }
        let base = crate::content::model::Slug::from_text(&text).as_str().to_string();
        let n = seen.entry(base.clone()).or_insert(0);
        let unique = if *n == 0 { base.clone() } else { format!("{base}-{n}") };
        *n += 1;
        *id = Some(CowStr::from(unique));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl LinkResolver for Fake {
        fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError> {
            match target.to_lowercase().as_str() {
                "meta" => Ok(WikiTarget { url: "/companies/meta/".into(), display: Some("Meta".into()), entity: None }),
                "facebook" => Ok(WikiTarget { url: "/companies/meta/".into(), display: None, entity: None }),
                _ => Err(LinkError { message: format!("no match for {target}"), hint: None }),
            }
        }
        fn file(&self, _from: &str, target: &str) -> Result<String, LinkError> {
            if target == "../companies/meta.md" {
                Ok("/companies/meta/".into())
            } else {
                Err(LinkError { message: "no file".into(), hint: None })
            }
        }
    }

    #[test]
    fn wiki_links_resolve_with_labels() {
        let r = render("See [[meta]], [[Facebook]] and [[meta|the giant]].", "briefs/a.md", &Fake);
        assert_eq!(
            r.html,
            "<p>See <a href=\"/companies/meta/\">Meta</a>, <a href=\"/companies/meta/\">Facebook</a> and <a href=\"/companies/meta/\">the giant</a>.</p>\n"
        );
        assert!(r.problems.is_empty());
        assert_eq!(r.first_paragraph, "See Meta, Facebook and the giant.");
    }

    #[test]
    fn unresolved_links_are_reported_at_their_offset() {
        let r = render("Intro.\n\nAbout [[metta]] and [x](nope.md).", "briefs/a.md", &Fake);
        assert_eq!(r.problems.len(), 2);
        assert_eq!(r.problems[0].offset, 14);
        assert_eq!(&"Intro.\n\nAbout [[metta]] and [x](nope.md)."[r.problems[1].offset..][..3], "[x]");
    }

    #[test]
    fn md_links_and_fragments() {
        let r = render("[Meta](../companies/meta.md#profile) [web](https://x.org/a.md)", "briefs/a.md", &Fake);
        assert!(r.html.contains("href=\"/companies/meta/#profile\""));
        assert!(r.html.contains("href=\"https://x.org/a.md\""));
    }

    #[test]
    fn headings_get_unique_ids() {
        let r = render("## Why it matters\n\n## Why it matters\n\n## Own {#mine}", "a.md", &Fake);
        assert!(r.html.contains("<h2 id=\"why-it-matters\">"));
        assert!(r.html.contains("<h2 id=\"why-it-matters-1\">"));
        assert!(r.html.contains("<h2 id=\"mine\">"));
    }
}
