//! Pages: each brief's list card (rendered once, shared by every list), paginated lists,
//! and the template context of every kind of page.

use std::path::PathBuf;

use tera::value::Key;
use tera::{Context, Value};

use super::feeds::newest;
use super::keys::Keyed;
use super::templates::{template_error, template_origin};
use super::views::CardView;
use super::{feeds, ChipSet, FeedOf, File, Format, Job, Renderer};
use crate::content::diag::Diagnostic;
use crate::content::kinds::Kind;
use crate::render::views::Paginator;
use crate::site::*;

/// The template each brief's list card is rendered with, once.
pub const CARD_PARTIAL: &str = "partials/card.html";

impl Renderer {
    /// A brief's list card: its fields, and `html`, rendered once through
    /// `partials/card.html` (when the theme has it) and handed to every list instead of
    /// rendered once per list.
    pub(super) fn card(&self, id: BriefId) -> Result<Value, Diagnostic> {
        self.cards[id.0 as usize]
            .get_or_init(|| {
                let view = self.views().card(id);
                let mut card = Value::from_serializable(&view).into_map().unwrap_or_default();
                for (name, set, ids) in self.named_chips(&view) {
                    let mut chips = ids.iter().map(|i| set.values[*i as usize].clone());
                    let value = if name == "story" { chips.next().unwrap_or_else(Value::none) } else { Value::from(chips.collect::<Vec<_>>()) };
                    card.insert(Key::from(name), value);
                }
                let card = Value::from(card);
                if !self.tera.contains_template(CARD_PARTIAL) {
                    return Ok(card);
                }
                let mut ctx = Context::new();
                ctx.insert_value("card", card.clone());
                let html = self.tera.render(CARD_PARTIAL, &ctx).map_err(|e| {
                    let origin = |name: &str| template_origin(&self.site, name);
                    template_error(&e, &origin, Some(&paths::brief(view.slug)))
                })?;
                drop(ctx);
                let mut card = card.into_map().unwrap_or_default();
                card.insert(Key::from("html"), Value::from(html));
                Ok(Value::from(card))
            })
            .clone()
    }

    pub(super) fn cards(&self, ids: &[BriefId]) -> Result<Value, Diagnostic> {
        Ok(Value::from(ids.iter().map(|b| self.card(*b)).collect::<Result<Vec<Value>, Diagnostic>>()?))
    }

    /// The chips a card names, field by field: the set each comes from and the indexes
    /// in it (`story` names one or none, the others a list). The card and its key both
    /// read them from here.
    fn named_chips(&self, view: &CardView<'_>) -> [(&'static str, &ChipSet, Vec<u32>); 6] {
        let of = |kind: Kind| &self.chips.entities[kind as usize];
        [
            ("companies", of(Kind::Company), view.companies.iter().map(|c| c.0).collect()),
            ("tags", &self.chips.tags, view.tags.iter().map(|t| t.0).collect()),
            ("story", &self.chips.stories, view.story.iter().map(|s| s.0).collect()),
            ("people", of(Kind::Person), view.people.iter().map(|p| p.0).collect()),
            ("products", of(Kind::Product), view.products.iter().map(|p| p.0).collect()),
            ("authors", of(Kind::Author), view.authors.iter().map(|a| a.0).collect()),
        ]
    }

    /// The key of a brief's list card (made once), without making it: what its view
    /// serializes to and the keys of the chips it names (its `html` is made from these by
    /// templates every page's key covers).
    fn card_key(&self, id: BriefId) -> [u8; 16] {
        *self.card_keys[id.0 as usize].get_or_init(|| {
            let view = self.views().card(id);
            let chips: Vec<[u8; 16]> =
                self.named_chips(&view).into_iter().flat_map(|(_, set, ids)| ids.into_iter().map(|i| set.keys[i as usize]).chain([[0; 16]])).collect();
            super::keys::serialized_key(&view, &chips)
        })
    }

    /// Puts what `value` makes, made of the cards of `ids` (and of nothing else), in
    /// `ctx` as `name` (made only if the page is rendered, when a key is wanted).
    fn insert_cards<'a>(
        &'a self,
        ctx: &mut Keyed<'a>,
        name: &'static str,
        ids: &[BriefId],
        value: impl FnOnce() -> Result<Value, Diagnostic> + 'a,
    ) -> Result<(), Diagnostic> {
        let parts: Vec<[u8; 16]> = if ctx.keyed() { ids.iter().map(|id| self.card_key(*id)).collect() } else { Vec::new() };
        ctx.insert_made_of(name, &parts, value)
    }

    /// The slice of `ids` on page `n` and its paginator.
    pub(super) fn paginate<'i>(&self, base: &str, ids: &'i [BriefId], n: usize) -> (&'i [BriefId], Paginator) {
        let (range, p) = self.page_range(base, ids.len(), n);
        (&ids[range], p)
    }

    /// Which of `len` briefs page `n` of the list at `base` shows, and its paginator.
    pub(super) fn page_range(&self, base: &str, len: usize, n: usize) -> (std::ops::Range<usize>, Paginator) {
        let per = self.site.config.briefs_per_page;
        let total = len.div_ceil(per).max(1);
        let start = ((n - 1) * per).min(len);
        let end = (start + per).min(len);
        let url = |k: usize| self.views().url(&paths::paginated(base, k));
        let p = Paginator {
            current: n,
            total,
            prev_url: (n > 1).then(|| url(n - 1)),
            next_url: (n < total).then(|| url(n + 1)),
            first_url: url(1),
            last_url: url(total),
        };
        (start..end, p)
    }

    /// The path and text of a feed.
    pub(super) fn feed(&self, of: FeedOf, format: Format) -> (String, String) {
        let site = &*self.site;
        let limit = site.config.feed_limit;
        let head = |ids: &[BriefId]| ids[..ids.len().min(limit)].to_vec();
        let title = self.feed_title(of);
        let (ids, body) = match of {
            FeedOf::Site => (newest(site, limit), feeds::Body::Full),
            FeedOf::Entity(id) => (head(&site.entity(id).briefs), feeds::Body::Summary),
            FeedOf::Tag(id) => (head(&site.tag(id).briefs), feeds::Body::Summary),
            FeedOf::Story(id) => {
                let newest_first: Vec<BriefId> = site.story(id).briefs.iter().rev().copied().collect();
                (head(&newest_first), feeds::Body::Summary)
            }
            FeedOf::Corrections => (head(&feeds::corrected(site)), feeds::Body::Corrections),
        };
        let page = self.feed_page(of);
        let feed_path = self.output_path(Job::Feed(of, format));
        let feed = feeds::Feed { title: &title, page_path: &page, feed_path: &feed_path, ids: &ids, body };
        let xml = match format {
            Format::Atom => feeds::atom_feed(site, &feed, &self.entries),
            Format::Rss => super::rss::rss_feed(site, &feed, &self.items),
        };
        (feed_path, xml)
    }

    /// The title of a feed: the site's, or `<name> — <site>`.
    fn feed_title(&self, of: FeedOf) -> String {
        let site = &*self.site;
        let name = match of {
            FeedOf::Site => return site.config.title.clone(),
            FeedOf::Entity(id) => &site.entity(id).name,
            FeedOf::Tag(id) => &site.tag(id).name,
            FeedOf::Story(id) => &site.story(id).title,
            FeedOf::Corrections => site.i18n.get("corrections"),
        };
        format!("{name} — {}", site.config.title)
    }

    /// Fills `ctx` with what the page of `job` shows; returns its template.
    fn context<'a>(&'a self, job: Job, ctx: &mut Keyed<'a>) -> Result<&'static str, Diagnostic> {
        let site = &*self.site;
        let v = &self.views();
        Ok(match job {
            Job::Home(n) => {
                let (range, p) = self.page_range("", site.briefs.len(), n);
                let ids: Vec<BriefId> = range.map(|i| BriefId(i as u32)).collect();
                let listed = ids.clone();
                self.insert_cards(ctx, "briefs", &ids, move || self.cards(&listed))?;
                ctx.insert("paginator", &p);
                "index.html"
            }
            Job::Brief(id) => {
                let b = site.brief(id);
                let mut view = v.brief(id);
                let parts = if ctx.keyed() { vec![self.card_key(id), brief_key(&mut view)] } else { Vec::new() };
                ctx.insert_made_of("brief", &parts, move || Ok(merge(&self.card(id)?, Value::from_serializable(&view))))?;
                self.insert_cards(ctx, "related", &b.related, move || self.cards(&b.related))?;
                for (name, id) in [("story_prev", b.story_prev), ("story_next", b.story_next)] {
                    self.insert_cards(ctx, name, id.as_slice(), move || id.map_or_else(|| Ok(Value::none()), |p| self.card(p)))?;
                }
                "brief.html"
            }
            Job::Index(kind) => {
                ctx.insert_value(kind.decl().plural, Value::from(site.ids(kind).map(|id| v.entity(id)).collect::<Vec<Value>>()));
                kind.decl().index_template
            }
            Job::Entity(id, n) => {
                let e = site.entity(id);
                let base = paths::entity(id.kind, e.slug.as_str());
                let (ids, p) = self.paginate(&base, &e.briefs, n);
                ctx.insert_value(id.kind.decl().singular, v.entity(id));
                if let Some((name, value)) = v.page_extras(id, ids) {
                    ctx.insert_value(name, value);
                }
                self.insert_cards(ctx, "briefs", ids, move || self.cards(ids))?;
                ctx.insert("paginator", &p);
                id.kind.decl().template
            }
            Job::Tags => {
                let list: Vec<_> = (0..site.tags.len()).map(|i| v.tag(TagId(i as u32))).collect();
                ctx.insert("tags", &list);
                "tags.html"
            }
            Job::Tag(id, n) => {
                let t = site.tag(id);
                let base = paths::tag(t.slug.as_str());
                let (ids, p) = self.paginate(&base, &t.briefs, n);
                ctx.insert("tag", &v.tag(id));
                self.insert_cards(ctx, "briefs", ids, move || self.cards(ids))?;
                ctx.insert("paginator", &p);
                "tag.html"
            }
            Job::Stories => {
                let list: Vec<_> = (0..site.stories.len()).map(|i| v.story(StoryId(i as u32))).collect();
                ctx.insert("stories", &list);
                "stories.html"
            }
            Job::Story(id) => {
                let s = site.story(id);
                ctx.insert("story", &v.story(id));
                self.insert_cards(ctx, "briefs", &s.briefs, move || self.cards(&s.briefs))?;
                "story.html"
            }
            Job::Corrections => {
                ctx.insert("corrections", &v.corrections());
                "corrections.html"
            }
            Job::Archive => {
                // Months are made of the cards of every brief, in the site's order, and
                // their dates (on the cards).
                let all: Vec<BriefId> = (0..site.briefs.len()).map(|i| BriefId(i as u32)).collect();
                self.insert_cards(ctx, "months", &all, move || self.archive())?;
                "archive.html"
            }
            Job::Page(i) => {
                let p = &site.pages[i];
                ctx.insert("page", &v.page(p));
                "page.html"
            }
            Job::NotFound => "404.html",
            Job::Search => "search.html",
            other => {
                return Err(Diagnostic::error(std::path::Path::new("(internal)"), 0, 0, format!("{other:?} is not a page")));
            }
        })
    }

    /// Renders a page and lends it to `f`, unless `kept` answers for its path and key.
    pub(super) fn page<T>(&self, job: Job, kept: Option<super::Kept<'_, T>>, f: impl FnOnce(File<'_>) -> T) -> Result<T, Diagnostic> {
        let site = &*self.site;
        let v = &self.views();
        let mut ctx = Keyed::new(kept.is_some());
        let path = self.page_path(job);
        let template = self.context(job, &mut ctx)?;
        ctx.insert("current_path", &path);
        ctx.insert("current_url", &site.config.absolute(&path));
        let feed = |format: Format| self.feed_of(job).map(|f| v.url(&paths::concat(&[&self.feed_page(f), format.file()])));
        ctx.insert("feed_url", &feed(Format::Atom));
        ctx.insert("rss_url", &feed(Format::Rss));
        ctx.insert("feed_title", &self.feed_of(job).map(|f| self.feed_title(f)));
        let out_path = self.output_path(job);
        let key = ctx.key(&self.shared_key, template);
        let source = match job {
            Job::Brief(id) => Some(&site.brief(id).path),
            Job::Entity(id, _) => Some(&site.entity(id).path),
            Job::Story(id) => site.story(id).path.as_ref(),
            Job::Page(i) => Some(&site.pages[i].path),
            _ => None,
        };
        if let (Some(kept), Some(key)) = (kept, &key) {
            if let Some(answer) = kept(&out_path, key, source.map(PathBuf::as_path)) {
                return Ok(answer);
            }
        }
        let ctx = ctx.into_context()?;
        // Into the thread's buffer (no growing page by page, no second pass to check that
        // the output is UTF-8: it is), lent from there.
        crate::content::buffer::with_buffer(|buf| match self.tera.render_to(template, &ctx, &mut *buf) {
            Ok(()) => Ok(f(File { path: &out_path, bytes: buf, source: source.map(PathBuf::as_path), key: key.as_deref() })),
            Err(e) => {
                let origin = |name: &str| template_origin(site, name);
                Err(template_error(&e, &origin, Some(&path)))
            }
        })
    }

    /// `months`: `[{key: "2025-03", briefs: [...]}]`, newest first.
    pub(super) fn archive(&self) -> Result<Value, Diagnostic> {
        let mut months: Vec<Value> = Vec::new();
        let mut current: Option<(String, Vec<Value>)> = None;
        for (i, b) in self.site.briefs.iter().enumerate() {
            let key = b.date.day().format("%Y-%m").to_string();
            match &mut current {
                Some((k, list)) if *k == key => list.push(self.card(BriefId(i as u32))?),
                _ => {
                    if let Some((k, list)) = current.take() {
                        months.push(month_value(k, list));
                    }
                    current = Some((key, vec![self.card(BriefId(i as u32))?]));
                }
            }
        }
        if let Some((k, list)) = current {
            months.push(month_value(k, list));
        }
        Ok(Value::from(months))
    }
}

/// The key of a brief's page view. Its body and its JSON-LD, most of its bytes, are hashed
/// as they are rather than escaped into the view's JSON first.
fn brief_key(view: &mut super::views::BriefView<'_>) -> [u8; 16] {
    let body = std::mem::take(&mut view.body);
    let json_ld = std::mem::take(&mut view.json_ld);
    let raw = [xxhash_rust::xxh3::xxh3_128(body.as_bytes()).to_le_bytes(), xxhash_rust::xxh3::xxh3_128(json_ld.as_bytes()).to_le_bytes()];
    let key = super::keys::serialized_key(&*view, &raw);
    (view.body, view.json_ld) = (body, json_ld);
    key
}

/// The fields of two maps in one (those of `extra` win).
fn merge(base: &Value, extra: Value) -> Value {
    let mut m = extra.into_map().unwrap_or_default();
    if let Some(base) = base.as_map() {
        m.reserve(base.len());
        for (k, v) in base {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Value::from(m)
}

fn month_value(key: String, briefs: Vec<Value>) -> Value {
    let mut m = std::collections::BTreeMap::new();
    m.insert("date", Value::from(format!("{key}-01")));
    m.insert("key", Value::from(key));
    m.insert("briefs", Value::from(briefs));
    Value::from(m)
}
