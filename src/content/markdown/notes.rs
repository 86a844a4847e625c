//! Footnotes: numbered in the order they are first referenced, gathered at the end of the
//! body with a link back to where each was referenced. Their ids start with the document's
//! name, so that two briefs shown on one page (or in one feed) never share an id.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, TagEnd};

/// The footnotes of one body, as the renderer meets them.
pub struct Notes<'a> {
    /// What every id starts with (`meta-gemini-`).
    prefix: String,
    /// Labels in the order of their first reference, and how often each was referenced.
    order: Vec<(CowStr<'a>, usize)>,
    /// Each definition's events, by label.
    defs: HashMap<CowStr<'a>, Vec<Event<'a>>>,
    /// Where the open definition starts in the events, and its label.
    open: Option<(usize, CowStr<'a>)>,
}

impl<'a> Notes<'a> {
    /// Footnotes for the document at `content_path` (`briefs/2025/meta-gemini.md`).
    pub fn new(content_path: &str) -> Self {
        let path = content_path.trim_end_matches(".md").trim_end_matches("/index");
        let name = path.rsplit('/').next().unwrap_or(path);
        // As the brief's slug: without a leading date.
        let dated = name.len() > 11 && name.as_bytes()[10] == b'-' && name[..10].bytes().all(|b| b.is_ascii_digit() || b == b'-');
        let name = if dated { &name[11..] } else { name };
        let prefix: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        Notes { prefix: format!("{prefix}-"), order: Vec::new(), defs: HashMap::new(), open: None }
    }

    /// `[^label]` in the text: a numbered link to the note.
    pub fn reference(&mut self, label: CowStr<'a>) -> Event<'a> {
        let n = match self.order.iter().position(|(l, _)| *l == label) {
            Some(i) => {
                self.order[i].1 += 1;
                i + 1
            }
            None => {
                self.order.push((label, 1));
                self.order.len()
            }
        };
        let uses = self.order[n - 1].1;
        let p = &self.prefix;
        let id = if uses == 1 { format!("{p}fnref-{n}") } else { format!("{p}fnref-{n}-{uses}") };
        Event::InlineHtml(CowStr::from(format!(
            "<sup class=\"footnote-ref\" id=\"{id}\"><a href=\"#{p}fn-{n}\" role=\"doc-noteref\">{n}</a></sup>"
        )))
    }

    /// A definition starts at `events.len()`.
    pub fn start(&mut self, at: usize, label: CowStr<'a>) {
        self.open = Some((at, label));
    }

    /// A definition ends: its events leave the body, to be written at its end.
    pub fn end(&mut self, events: &mut Vec<Event<'a>>) {
        if let Some((at, label)) = self.open.take() {
            let body: Vec<Event<'a>> = events.drain(at.min(events.len())..).collect();
            self.defs.entry(label).or_insert(body);
        }
    }

    /// The labels defined but never referenced.
    pub fn unused(&self) -> Vec<String> {
        let mut v: Vec<String> = self.defs.keys().filter(|l| !self.order.iter().any(|(o, _)| o == *l)).map(|l| l.to_string()).collect();
        v.sort();
        v
    }

    /// The notes, as events to append to the body.
    pub fn finish(mut self, events: &mut Vec<Event<'a>>) {
        if self.order.is_empty() {
            return;
        }
        let p = self.prefix.clone();
        events.push(Event::Html(CowStr::Borrowed("<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n")));
        for (i, (label, _)) in std::mem::take(&mut self.order).into_iter().enumerate() {
            let n = i + 1;
            events.push(Event::Html(CowStr::from(format!("<li id=\"{p}fn-{n}\">\n"))));
            let mut body = self.defs.remove(&label).unwrap_or_default();
            let back = Event::InlineHtml(CowStr::from(format!(
                " <a href=\"#{p}fnref-{n}\" class=\"footnote-back\" role=\"doc-backlink\" aria-label=\"Back to reference {n}\">↩</a>"
            )));
            match body.iter().rposition(|e| matches!(e, Event::End(TagEnd::Paragraph))) {
                Some(last) if last + 1 == body.len() => body.insert(last, back),
                _ => body.push(back),
            }
            events.extend(body);
            events.push(Event::Html(CowStr::Borrowed("</li>\n")));
        }
        events.push(Event::Html(CowStr::Borrowed("</ol>\n</section>\n")));
    }
}
