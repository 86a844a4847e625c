//! Headings: a unique id for each (from its text unless written as `{#id}`), the heading
//! text wrapped in a link to itself, and the list of headings for a table of contents.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag};
use serde::Serialize;

use crate::content::html::escape_attr;
use crate::content::model::Slug;

/// One heading of a body, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 for `#`, 2 for `##`...
    pub level: u8,
    /// Its id, the fragment that links to it.
    pub id: String,
    /// Its text, without markup.
    pub text: String,
}

/// The headings of one body, as the renderer meets them.
#[derive(Default)]
pub struct Headings {
    /// Where the open heading starts in the events.
    open: Option<usize>,
    seen: HashMap<String, usize>,
    /// Every heading so far, in order.
    pub list: Vec<Heading>,
}

impl Headings {
    /// At a heading's start, at `events.len()`.
    pub fn start(&mut self, at: usize) {
        self.open = Some(at);
    }

    /// At a heading's end: gives it an id and wraps its content in a link to it (unless the
    /// heading holds a link already: links cannot nest).
    pub fn end(&mut self, events: &mut Vec<Event<'_>>) {
        let Some(start) = self.open.take() else { return };
        let text: String = events[start + 1..]
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let has_link = events[start + 1..].iter().any(|e| matches!(e, Event::Start(Tag::Link { .. })) || is_anchor(e));
        let Event::Start(Tag::Heading { id, level, .. }) = &mut events[start] else { return };
        let id = id.get_or_insert_with(|| CowStr::from(unique(&mut self.seen, &text))).to_string();
        self.list.push(Heading { level: *level as u8, id: id.clone(), text: text.trim().to_string() });
        if !has_link && start + 1 < events.len() {
            events.insert(start + 1, Event::InlineHtml(CowStr::from(format!("<a class=\"anchor\" href=\"#{}\">", escape_attr(&id)))));
            events.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
        }
    }
}

/// Raw HTML that opens a link (a shortcode's or the author's own).
fn is_anchor(e: &Event<'_>) -> bool {
    matches!(e, Event::InlineHtml(h) | Event::Html(h) if h.contains("<a "))
}

/// An id from a heading's text, numbered when an earlier heading had the same.
fn unique(seen: &mut HashMap<String, usize>, text: &str) -> String {
    let mut base = Slug::from_text(text).as_str().to_string();
    if base.is_empty() {
        base = "section".into();
    }
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{}", *n - 1)
    }
}
