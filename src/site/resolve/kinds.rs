//! Every kind of entity's steps side by side: checked (what every kind has, then what
//! each has of its own), named for wiki links, published at their paths, their profiles
//! rendered, and assembled into the site. Adding a kind adds one line to each.

use std::sync::Arc;

use ahash::AHashMap as HashMap;

use super::entities::{self, Checked};
use super::links::{Links, ResolveCache};
use super::names::NameIndex;
use super::{companies, people, products, sources};
use crate::content::config::Config;
use crate::content::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::content::frontmatter::{RawAuthor, RawCompany, RawPerson, RawProduct, RawSource};
use crate::content::kinds::{Kind, RawEntity};
use crate::content::load::Doc;
use crate::content::markdown::Rendered;
use crate::content::model::Slug;
use crate::site::{paths, Author, Lead, Role, Site};

/// Every kind's files, checked, with each kind's own fields.
pub(super) struct Entities<'a> {
    pub companies: Checked<'a, RawCompany>,
    company_own: Vec<companies::Own>,
    pub sources: Checked<'a, RawSource>,
    source_own: Vec<sources::Own>,
    pub people: Checked<'a, RawPerson>,
    roles: Vec<Vec<Role>>,
    pub products: Checked<'a, RawProduct>,
    product_own: Vec<Option<products::Own>>,
    pub authors: Checked<'a, RawAuthor>,
}

/// Every entity's rendered profile and image, by kind.
pub(super) struct Profiles {
    companies: Vec<(Arc<Rendered>, Option<Lead>)>,
    sources: Vec<(Arc<Rendered>, Option<Lead>)>,
    people: Vec<(Arc<Rendered>, Option<Lead>)>,
    products: Vec<(Arc<Rendered>, Option<Lead>)>,
    authors: Vec<(Arc<Rendered>, Option<Lead>)>,
}

impl<'a> Entities<'a> {
    /// Checks every kind's files: slugs, names, websites, own fields, references to companies.
    pub fn check(
        companies: &'a [Arc<Doc<RawCompany>>],
        sources: &'a [Arc<Doc<RawSource>>],
        people: &'a [Arc<Doc<RawPerson>>],
        products: &'a [Arc<Doc<RawProduct>>],
        authors: &'a [Arc<Doc<RawAuthor>>],
        zone: chrono_tz::Tz,
        diags: &mut Diagnostics,
    ) -> Self {
        let company_docs = entities::check(companies, diags);
        let index = company_docs.index();
        let company_own = companies::own(companies, &index, diags);
        let roles = people::own(people, &index, zone, diags);
        let product_own = products::own(products, &index, zone, diags);
        drop(index);
        Entities {
            companies: company_docs,
            company_own,
            sources: entities::check(sources, diags),
            source_own: sources::own(sources, diags),
            people: entities::check(people, diags),
            roles,
            products: entities::check(products, diags),
            product_own,
            authors: entities::check(authors, diags),
        }
    }

    /// The author of briefs that name none: `default_author` of site.toml, which must exist.
    pub fn default_author(&self, config: &Config, diags: &mut Diagnostics) -> Option<u32> {
        let placed = config.default_author.as_ref()?;
        let slug = placed.value.as_str();
        let found = self.authors.slugs.iter().position(|s| s.as_ref().is_some_and(|s| s.as_str() == slug));
        if found.is_none() {
            let known = self.authors.slugs.iter().flatten().map(Slug::as_str);
            let hint = did_you_mean(slug, known)
                .map(|k| format!("did you mean \"{k}\"?"))
                .unwrap_or_else(|| format!("create content/authors/{slug}.md, or remove `default_author`"));
            diags.push(
                Diagnostic::error(&placed.path, placed.line, placed.column, format!("unknown author \"{slug}\" in `default_author`"))
                    .with_hint(hint),
            );
        }
        found.map(|i| i as u32)
    }

    /// The names wiki links may use.
    pub fn names(&self, diags: &mut Diagnostics) -> NameIndex {
        let mut names = NameIndex::default();
        names.add_kind(&self.companies, diags);
        names.add_kind(&self.sources, diags);
        names.add_kind(&self.people, diags);
        names.add_kind(&self.products, diags);
        names.add_kind(&self.authors, diags);
        names.finish()
    }

    /// Where each entity is published, by its path under content/.
    pub fn files(&self) -> HashMap<&'a str, String> {
        let mut files = HashMap::new();
        add_files(&mut files, &self.companies);
        add_files(&mut files, &self.sources);
        add_files(&mut files, &self.people);
        add_files(&mut files, &self.products);
        add_files(&mut files, &self.authors);
        files
    }

    /// By kind (in [`Kind::ALL`] order), each entity's slug and name, for links.
    pub fn targets(&self) -> Vec<Vec<(&str, &str)>> {
        let mut all = vec![Vec::new(); Kind::ALL.len()];
        all[Kind::Company as usize] = targets(&self.companies);
        all[Kind::Source as usize] = targets(&self.sources);
        all[Kind::Person as usize] = targets(&self.people);
        all[Kind::Product as usize] = targets(&self.products);
        all[Kind::Author as usize] = targets(&self.authors);
        all
    }

    /// Every profile rendered, its links checked.
    pub fn render(&self, links: &Links<'_>, cache: Option<&ResolveCache>, diags: &mut Diagnostics) -> Profiles {
        Profiles {
            companies: profiles(links, &self.companies, cache, diags),
            sources: profiles(links, &self.sources, cache, diags),
            people: profiles(links, &self.people, cache, diags),
            products: profiles(links, &self.products, cache, diags),
            authors: profiles(links, &self.authors, cache, diags),
        }
    }

    /// Puts every entity into `site`; their lists are filled later.
    pub fn assemble(self, profiles: Profiles, site: &mut Site) {
        let Entities { companies, company_own, sources, source_own, people, roles, products, product_own, authors } = self;
        site.companies = companies::assemble(companies.assemble(profiles.companies), company_own);
        site.sources = sources::assemble(sources.assemble(profiles.sources), source_own);
        site.people = people::assemble(people.assemble(profiles.people), roles);
        site.products = products::assemble(products.assemble(profiles.products), product_own);
        site.authors = authors.assemble(profiles.authors).into_iter().flatten().map(|entity| Author { entity }).collect();
    }
}

/// Each entity's profile rendered, and its image (a logo's alt text defaults to the name).
fn profiles<R: RawEntity>(
    links: &Links<'_>,
    checked: &Checked<'_, R>,
    cache: Option<&ResolveCache>,
    diags: &mut Diagnostics,
) -> Vec<(Arc<Rendered>, Option<Lead>)> {
    let named = checked.docs.iter().zip(&checked.names).map(|(d, name)| {
        let (key, raw) = d.raw.common().image?;
        Some((key, raw, (key == "logo").then_some(name.as_str())))
    });
    let images = super::images::leads(links, checked.docs, named.collect(), diags);
    links.render_docs(checked.docs, cache, diags).into_iter().zip(images).collect()
}

/// Each entity's slug and name.
fn targets<'a, R: RawEntity>(checked: &'a Checked<'_, R>) -> Vec<(&'a str, &'a str)> {
    checked.slugs.iter().zip(&checked.names).map(|(s, n)| (s.as_ref().map_or("", Slug::as_str), n.as_str())).collect()
}

/// Records where each entity (with a valid slug) is published, by its path under content/.
fn add_files<'a, R: RawEntity>(files: &mut HashMap<&'a str, String>, checked: &Checked<'a, R>) {
    for (doc, s) in checked.docs.iter().zip(&checked.slugs) {
        if let Some(s) = s {
            files.insert(&doc.content_path, paths::entity(R::KIND, s.as_str()));
        }
    }
}
