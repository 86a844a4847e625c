//! Named entities, the same way for every kind: slugs from file stems, the slug index that
//! briefs refer to, the fields every kind has, references from a brief's front matter,
//! and the [`Entity`] itself once its profile is rendered. A kind's own fields are its
//! own step ([`super::companies`], [`super::sources`]).

use std::sync::Arc;

use ahash::AHashMap as HashMap;

use super::fields::{required, stem_slugs, unknown_ref, url_field};
use crate::content::diag::Diagnostics;
use crate::content::kinds::{Kind, RawEntity};
use crate::content::load::Doc;
use crate::content::markdown::Rendered;
use crate::content::model::{HttpUrl, Slug};
use crate::site::{BriefId, Entity, Lead};

/// One kind's files with what every kind has checked.
pub(super) struct Checked<'a, R> {
    /// The files, in the order of their paths.
    pub docs: &'a [Arc<Doc<R>>],
    /// Each file's slug (none when its stem is not one: an error already reported).
    pub slugs: Vec<Option<Slug>>,
    /// Each file's name (its stem when the name is missing: an error already reported).
    pub names: Vec<String>,
    /// Each file's aliases, trimmed, without empty ones.
    pub aliases: Vec<Vec<String>>,
    /// Each file's website.
    pub websites: Vec<Option<HttpUrl>>,
}

/// Checks the slug, name and website of every file of a kind.
pub(super) fn check<'a, R: RawEntity>(docs: &'a [Arc<Doc<R>>], diags: &mut Diagnostics) -> Checked<'a, R> {
    let slugs = stem_slugs(docs, R::KIND.decl().singular, diags);
    let mut checked = Checked { docs, slugs, names: Vec::new(), aliases: Vec::new(), websites: Vec::new() };
    for doc in docs {
        let raw = doc.raw.common();
        checked.names.push(required(doc, "name", raw.name, diags).unwrap_or_else(|| doc.stem.clone()));
        checked.aliases.push(raw.aliases.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect());
        checked.websites.push(url_field(doc, "website", raw.website, diags));
    }
    checked
}

impl<R: RawEntity> Checked<'_, R> {
    /// Index by slug, for references from briefs and other entities.
    pub fn index(&self) -> HashMap<&str, u32> {
        self.slugs.iter().enumerate().filter_map(|(i, s)| Some((s.as_ref()?.as_str(), i as u32))).collect()
    }

    /// The entities, once their profiles are rendered; `None` for a file without a slug.
    pub fn assemble(self, rendered: Vec<(std::sync::Arc<Rendered>, Option<Lead>)>) -> Vec<Option<Entity>> {
        let Checked { docs, slugs, names, aliases, websites } = self;
        let fields = slugs.into_iter().zip(names).zip(aliases).zip(websites);
        docs.iter()
            .zip(fields)
            .zip(rendered)
            .map(|((doc, (((slug, name), aliases), website)), (r, image))| {
                Some(Entity {
                    slug: slug?,
                    path: doc.path.clone(),
                    name,
                    aliases,
                    website,
                    body_html: r.html.clone(),
                    image,
                    briefs: Vec::new(),
                    extra: doc.raw.common().extra.clone(),
                })
            })
            .collect()
    }
}

/// The entities of `kind` that the list under `key` of a brief's front matter names,
/// each once; an unknown slug is an error with a did-you-mean, a repeat a warning.
pub(super) fn refs<R>(
    doc: &Doc<R>,
    key: &str,
    kind: Kind,
    slugs: &[String],
    index: &HashMap<&str, u32>,
    diags: &mut Diagnostics,
) -> Vec<u32> {
    let mut ids = Vec::with_capacity(slugs.len());
    for s in slugs {
        match index.get(s.as_str()) {
            Some(id) if ids.contains(id) => diags.push(doc.warning_at(key, format!("{} \"{s}\" is listed twice", kind.decl().singular))),
            Some(id) => ids.push(*id),
            None => diags.push(unknown_ref(doc, key, kind, s, index.keys().copied())),
        }
    }
    ids
}

/// For each of `n` entities, the briefs (newest first) that name it, as `names` says.
pub(super) fn back_refs<'b, B: 'b>(n: usize, briefs: &'b [B], names: impl Fn(&'b B) -> Vec<u32>) -> Vec<Vec<BriefId>> {
    let mut lists = vec![Vec::new(); n];
    for (i, b) in briefs.iter().enumerate() {
        for e in names(b) {
            lists[e as usize].push(BriefId(i as u32));
        }
    }
    lists
}
