//! Images in a body: `![alt](src "caption")` becomes a `<picture>` (or `<img>`), alone in
//! its paragraph a `<figure>` with its caption; an image without alt text is an error.

use pulldown_cmark::{CowStr, Event, TagEnd};

use super::{AssetTarget, LinkError, LinkProblem, LinkResolver};
use crate::content::html::escape_attr;
use crate::content::media::Picture;

/// The images of a body, as the renderer meets them.
#[derive(Default)]
pub struct Images {
    /// The image being read (its alt text comes as the events inside it).
    pub open: Option<OpenImage>,
    /// Where the current paragraph starts in the events.
    pub paragraph: usize,
    /// The last image's place in the events and its caption (its Markdown title).
    last: Option<(usize, String)>,
    pub pictures: Vec<(usize, Picture)>,
}

/// An image being read.
pub struct OpenImage {
    pub dest: String,
    pub title: String,
    pub offset: usize,
    pub alt: String,
}

impl Images {
    /// An event inside `![alt](src)`: text joins the alt text; the end writes the image.
    pub fn inside(
        &mut self,
        event: Event<'_>,
        from: &str,
        links: &dyn LinkResolver,
        events: &mut Vec<Event<'_>>,
        problems: &mut Vec<LinkProblem>,
    ) {
        let Some(open) = self.open.as_mut() else { return };
        match event {
            Event::Text(t) | Event::Code(t) => open.alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => open.alt.push(' '),
            Event::End(TagEnd::Image) => {
                let Some(img) = self.open.take() else { return };
                let alt = img.alt.trim();
                if alt.is_empty() {
                    let message = format!("the image \"{}\" has no alt text", img.dest);
                    let hint = "describe it between the brackets, for readers who cannot see it: ![Alphabet shares, 8 to 9 a.m.](chart.png)";
                    problems.push(LinkProblem::error(img.offset, LinkError::new(message, hint)));
                }
                let html = match links.asset(from, &img.dest) {
                    Ok(AssetTarget { picture: Some(p), .. }) => {
                        let html = p.html(links.base(), alt, false);
                        if !self.pictures.iter().any(|(_, q)| q.out == p.out) {
                            self.pictures.push((img.offset, p));
                        }
                        html
                    }
                    Ok(AssetTarget { url, picture: None }) => {
                        format!(r#"<img src="{}" alt="{}" loading="lazy" decoding="async">"#, escape_attr(&url), escape_attr(alt))
                    }
                    Err(error) => {
                        problems.push(LinkProblem::error(img.offset, error));
                        String::new()
                    }
                };
                self.last = Some((events.len(), img.title));
                events.push(Event::InlineHtml(CowStr::from(html)));
            }
            _ => {}
        }
    }

    /// At the end of a paragraph: when it holds nothing but an image with a title, makes
    /// it a `<figure>` with that title as its caption, and says so.
    pub fn figure(&mut self, events: &mut Vec<Event<'_>>) -> bool {
        let Some((at, caption)) = self.last.take() else { return false };
        if caption.trim().is_empty() || at != self.paragraph + 1 || events.len() != at + 1 {
            return false;
        }
        let Some(Event::InlineHtml(img)) = events.pop() else { return false };
        events.pop();
        let html = format!("<figure>{img}<figcaption>{}</figcaption></figure>\n", escape_attr(caption.trim()));
        events.push(Event::Html(CowStr::from(html)));
        true
    }
}
