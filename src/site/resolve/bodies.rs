//! Bodies kept between builds (`serve`): each with the links it resolved and what each
//! resolved to, so that a change elsewhere (a new brief, a renamed company) renders again
//! only the bodies whose links now lead somewhere else, not every body of the site. A
//! body's shortcodes are kept with it: their templates are part of what every body depends
//! on, and the data files they read are looked at again on every build.

use std::cell::RefCell;
use std::sync::Arc;

use super::links::{wiki_class, Class, Links, Targets};
use crate::content::model::fingerprint;
use crate::content::markdown::{self, AssetTarget, LinkError, LinkResolver, Rendered, Shortcodes, WikiTarget};

/// One link a body resolved: how (wiki, file, asset), what was written, and a fingerprint
/// of where it led.
#[derive(Clone)]
pub struct Lookup {
    how: u8,
    target: String,
    result: u64,
}

impl Lookup {
    /// A lookup read back: how, what was written, where it led.
    pub fn new(how: u8, target: String, result: u64) -> Lookup {
        Lookup { how, target, result }
    }

    /// How, what was written, where it led.
    pub fn parts(&self) -> (u8, &str, u64) {
        (self.how, &self.target, self.result)
    }
}

/// What has a body: a document of any kind.
pub trait Source: Send + Sync {
    /// Its Markdown body.
    fn body(&self) -> &str;
}

impl<R: Send + Sync> Source for crate::content::load::Doc<R> {
    fn body(&self) -> &str {
        crate::content::load::Doc::body(self)
    }
}

/// What a kept body was rendered from.
#[derive(Clone)]
enum Text {
    /// The document itself (held, so that its text stays where it is): `serve`.
    Doc(Arc<dyn Source>),
    /// A hash of its text: bodies kept on disk ([`super::stored`]).
    Hash([u8; 16]),
}

/// A rendered body and the links it used.
#[derive(Clone)]
pub struct Kept {
    /// What it was rendered from.
    source: Text,
    pub rendered: Arc<Rendered>,
    lookups: Arc<[Lookup]>,
    /// The targets' fingerprints under which the lookups were last found unchanged.
    pub checked: Targets,
}

impl Kept {
    /// A body just rendered.
    pub fn new(source: Arc<dyn Source>, rendered: Arc<Rendered>, lookups: Vec<Lookup>, checked: Targets) -> Kept {
        Kept { source: Text::Doc(source), rendered, lookups: lookups.into(), checked }
    }

    /// A body known by the hash of its text.
    pub fn hashed(hash: [u8; 16], rendered: Arc<Rendered>, lookups: Vec<Lookup>, checked: Targets) -> Kept {
        Kept { source: Text::Hash(hash), rendered, lookups: lookups.into(), checked }
    }

    /// The same body, known by `source` (the file it was rendered from) rather than by a
    /// hash: what `serve` keeps of a body read from disk.
    pub fn with_source(self, source: Arc<dyn Source>) -> Kept {
        Kept { source: Text::Doc(source), ..self }
    }

    /// The hash of its text, when it is known by one.
    pub fn hash(&self) -> Option<[u8; 16]> {
        match self.source {
            Text::Hash(h) => Some(h),
            Text::Doc(_) => None,
        }
    }

    /// The links it resolved.
    pub fn lookups(&self) -> &[Lookup] {
        &self.lookups
    }

    /// Whether it was rendered from `text`: at once when `text` is the very body it was
    /// rendered from (a file the load kept as it was), else by comparing them (or their
    /// hashes).
    pub fn text_is(&self, text: &str) -> bool {
        match &self.source {
            Text::Doc(doc) => {
                let kept = doc.body();
                std::ptr::eq(kept, text) || kept == text
            }
            Text::Hash(h) => *h == super::stored::text_hash(text),
        }
    }

    /// Whether every link resolves as it did (looked up again only when its class of
    /// targets changed) and every data file a chart read still holds the same text (read
    /// again each time: data files are not among the targets).
    pub fn still_valid(&self, links: &Links<'_>, from: &str, targets: &Targets) -> bool {
        let same = |l: &Lookup| l.result == resolve(links, from, l.how, &l.target);
        let class = |l: &Lookup| match l.how {
            WIKI => wiki_class(&l.target),
            FILE => Class::Files,
            _ => Class::Assets,
        } as usize;
        let unchanged = |l: &Lookup| {
            let c = class(l);
            self.checked[c] == targets[c]
        };
        let links_same = self.lookups.iter().filter(|l| l.how != DATA).all(|l| unchanged(l) || same(l));
        links_same && self.lookups.iter().filter(|l| l.how == DATA).all(same)
    }
}

/// The kinds of lookup: a wiki link, a link to a content file, an image or attachment,
/// a data file read by a shortcode.
const WIKI: u8 = 0;
const FILE: u8 = 1;
const ASSET: u8 = 2;
const DATA: u8 = 3;

/// Where a link leads, as a fingerprint.
fn resolve(links: &Links<'_>, from: &str, how: u8, target: &str) -> u64 {
    match how {
        WIKI => answer(&links.wiki(target)),
        FILE => answer(&links.file(from, target)),
        DATA => answer(&links.data_file(from, target)),
        _ => answer(&links.asset(from, target)),
    }
}

/// A fingerprint of a resolver's answer (where it leads, or why it leads nowhere).
fn answer<T: std::fmt::Debug>(result: &T) -> u64 {
    fingerprint(&format!("{result:?}"))
}

/// Renders `body` and notes every link it resolved.
pub fn render_recording(links: &Links<'_>, body: &str, from: &str) -> (Rendered, Vec<Lookup>) {
    let recording = Recording { links, log: RefCell::new(Vec::new()) };
    let r = markdown::render(body, from, &recording);
    (r, recording.log.into_inner())
}

/// A resolver that answers as `links` does and notes each question and answer.
struct Recording<'a, 'l> {
    links: &'a Links<'l>,
    log: RefCell<Vec<Lookup>>,
}

impl Recording<'_, '_> {
    fn note<T: std::fmt::Debug>(&self, how: u8, target: &str, result: &T) {
        self.log.borrow_mut().push(Lookup { how, target: target.to_string(), result: answer(result) });
    }
}

impl LinkResolver for Recording<'_, '_> {
    fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError> {
        let r = self.links.wiki(target);
        self.note(WIKI, target, &r);
        r
    }

    fn file(&self, from: &str, target: &str) -> Result<String, LinkError> {
        let r = self.links.file(from, target);
        self.note(FILE, target, &r);
        r
    }

    fn asset(&self, from: &str, target: &str) -> Result<AssetTarget, LinkError> {
        let r = self.links.asset(from, target);
        self.note(ASSET, target, &r);
        r
    }

    fn base(&self) -> &str {
        self.links.base()
    }

    fn raw_html(&self) -> markdown::RawHtml {
        self.links.raw_html()
    }

    fn shortcodes(&self) -> &Shortcodes {
        self.links.shortcodes()
    }

    fn data_file(&self, from: &str, name: &str) -> Result<String, LinkError> {
        let r = self.links.data_file(from, name);
        self.note(DATA, name, &r);
        r
    }
}
