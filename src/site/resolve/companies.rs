//! What only companies have: a ticker, and a parent (checked for cycles); after assembly,
//! subsidiaries and the companies most often named alongside.

use std::sync::Arc;

use ahash::AHashMap as HashMap;

use super::fields::unknown_ref;
use crate::content::diag::Diagnostics;
use crate::content::frontmatter::RawCompany;
use crate::content::kinds::Kind;
use crate::content::load::Doc;
use crate::site::{Brief, Company, CompanyId, Entity};

/// How many co-mentioned companies a company page shows.
const OFTEN_WITH: usize = 8;

/// A company's own fields, checked.
pub(super) struct Own {
    ticker: Option<String>,
    exchange: Option<String>,
    parent: Option<CompanyId>,
}

/// Each company's own fields; a parent that is unknown or makes a cycle is an error.
pub(super) fn own(docs: &[Arc<Doc<RawCompany>>], index: &HashMap<&str, u32>, diags: &mut Diagnostics) -> Vec<Own> {
    let own: Vec<Own> = docs
        .iter()
        .map(|doc| {
            let RawCompany { name: _, aliases: _, ticker, exchange, website: _, parent, logo: _, extra: _ } = &doc.raw;
            let parent = parent.as_deref().and_then(|p| match index.get(p) {
                Some(id) => Some(CompanyId(*id)),
                None => {
                    diags.push(unknown_ref(doc, "parent", Kind::Company, p, index.keys().copied()));
                    None
                }
            });
            Own { ticker: ticker.clone(), exchange: exchange.clone(), parent }
        })
        .collect();
    check_parent_cycles(docs, &own, diags);
    own
}

fn check_parent_cycles(docs: &[Arc<Doc<RawCompany>>], own: &[Own], diags: &mut Diagnostics) {
    for (start, doc) in docs.iter().enumerate() {
        let mut seen = vec![start];
        let mut at = own[start].parent;
        while let Some(p) = at {
            let p = p.0 as usize;
            if p == start {
                let chain: Vec<&str> = seen.iter().map(|&i| docs[i].stem.as_str()).collect();
                diags.push(
                    doc.error_at("parent", None, format!("parent companies form a cycle: {} -> {}", chain.join(" -> "), doc.stem))
                        .with_hint("a company cannot be its own ancestor; remove one `parent`"),
                );
                break;
            }
            if seen.contains(&p) {
                break; // a cycle that does not include `start`: reported from its members
            }
            seen.push(p);
            at = own[p].parent;
        }
    }
}

/// The companies, each entity with its own fields; lists are filled later.
pub(super) fn assemble(entities: Vec<Option<Entity>>, own: Vec<Own>) -> Vec<Company> {
    entities
        .into_iter()
        .zip(own)
        .filter_map(|(entity, Own { ticker, exchange, parent })| {
            Some(Company {
                entity: entity?,
                ticker,
                exchange,
                parent,
                subsidiaries: Vec::new(),
                often_with: Vec::new(),
                products: Vec::new(),
                people: Vec::new(),
            })
        })
        .collect()
}

/// Each company's subsidiaries: the companies whose parent it is.
pub(super) fn subsidiaries(companies: &[Company]) -> Vec<Vec<CompanyId>> {
    let mut subs = vec![Vec::new(); companies.len()];
    for (i, c) in companies.iter().enumerate() {
        if let Some(p) = c.parent {
            subs[p.0 as usize].push(CompanyId(i as u32));
        }
    }
    subs
}

/// The companies most often named alongside company `me` in its briefs, most first.
pub(super) fn often_with(briefs: &[Brief], me: CompanyId, company: &Company) -> Vec<(CompanyId, usize)> {
    let mut counts: HashMap<CompanyId, usize> = HashMap::new();
    for b in &company.briefs {
        for c in briefs[b.0 as usize].companies.iter().filter(|c| **c != me) {
            *counts.entry(*c).or_default() += 1;
        }
    }
    let mut v: Vec<(CompanyId, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(OFTEN_WITH);
    v
}
