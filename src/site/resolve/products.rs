//! What only products have: a maker (required, a company of the site), a kind and a
//! release date; after assembly, each company's products.

use std::sync::Arc;

use ahash::AHashMap as HashMap;

use super::fields::{date_field, unknown_ref};
use crate::content::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::content::frontmatter::RawProduct;
use crate::content::kinds::Kind;
use crate::content::load::Doc;
use crate::content::model::Date;
use crate::site::{CompanyId, Entity, Product, ProductId, PRODUCT_KINDS};
use chrono_tz::Tz;

/// A product's own fields, checked (none when its maker is missing or unknown: an error).
pub(super) struct Own {
    maker: CompanyId,
    kind: Option<String>,
    released: Option<Date>,
}

/// Each product's own fields: the maker must be a company of the site.
pub(super) fn own(docs: &[Arc<Doc<RawProduct>>], companies: &HashMap<&str, u32>, zone: Tz, diags: &mut Diagnostics) -> Vec<Option<Own>> {
    docs.iter()
        .map(|doc| {
            let RawProduct { name: _, company, aliases: _, kind, released, website: _, image: _, extra: _ } = &doc.raw;
            if let Some(k) = kind {
                if !PRODUCT_KINDS.contains(&k.as_str()) {
                    let hint = did_you_mean(k, PRODUCT_KINDS)
                        .map_or_else(|| format!("expected one of {}", PRODUCT_KINDS.join(", ")), |s| format!("did you mean \"{s}\"?"));
                    diags.push(doc.error_at("kind", Some(k), format!("unknown product kind \"{k}\"")).with_hint(hint));
                }
            }
            let released = released.as_deref().and_then(|d| date_field(doc, "released", d, zone, diags));
            let maker = match company.as_deref().map(str::trim) {
                None | Some("") => {
                    diags.push(
                        Diagnostic::error(&doc.path, 2, 1, "a product needs its maker: `company` is missing")
                            .with_hint("add a line `company: <slug of the company that makes it>`")
                            .with_source(doc.text()),
                    );
                    return None;
                }
                Some(c) => match companies.get(c) {
                    Some(&id) => CompanyId(id),
                    None => {
                        diags.push(unknown_ref(doc, "company", Kind::Company, c, companies.keys().copied()));
                        return None;
                    }
                },
            };
            Some(Own { maker, kind: kind.clone(), released })
        })
        .collect()
}

/// The products, each entity with its own fields.
pub(super) fn assemble(entities: Vec<Option<Entity>>, own: Vec<Option<Own>>) -> Vec<Product> {
    entities
        .into_iter()
        .zip(own)
        .filter_map(|(entity, own)| {
            let Own { maker, kind, released } = own?;
            Some(Product { entity: entity?, maker, kind, released })
        })
        .collect()
}

/// For each of `n` companies, the products it makes (by slug: in product order).
pub(super) fn by_maker(n: usize, products: &[Product]) -> Vec<Vec<ProductId>> {
    let mut lists = vec![Vec::new(); n];
    for (i, p) in products.iter().enumerate() {
        lists[p.maker.0 as usize].push(ProductId(i as u32));
    }
    lists
}
