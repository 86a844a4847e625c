//! What only people have: roles at companies (each company must exist, dates must be
//! real); after assembly, the briefs that link them in the body, and each company's
//! people with a current role.

use std::sync::Arc;

use ahash::AHashMap as HashMap;

use super::fields::{date_field, unknown_ref};
use crate::content::diag::Diagnostics;
use crate::content::frontmatter::{RawPerson, RawRole};
use crate::content::kinds::Kind;
use crate::content::load::Doc;
use crate::content::model::Date;
use crate::site::{CompanyId, Entity, Person, PersonId, Role};
use chrono_tz::Tz;

/// Each person's roles, checked; a role at an unknown company is an error.
pub(super) fn own(docs: &[Arc<Doc<RawPerson>>], companies: &HashMap<&str, u32>, zone: Tz, diags: &mut Diagnostics) -> Vec<Vec<Role>> {
    docs.iter()
        .map(|doc| {
            let RawPerson { name: _, aliases: _, roles, website: _, image: _, extra: _ } = &doc.raw;
            roles
                .iter()
                .filter_map(|RawRole { company, title, since, until }| {
                    let (since_text, until_text) = (since.as_deref(), until.as_deref());
                    let since = since_text.and_then(|d| date_field(doc, "roles", d, zone, diags));
                    let until = until_text.and_then(|d| date_field(doc, "roles", d, zone, diags));
                    if let (Some(s), Some(u)) = (since, until) {
                        if u < s {
                            diags.push(doc.error_at("roles", until_text, "`until` is earlier than `since`"));
                        }
                    }
                    if title.trim().is_empty() {
                        diags.push(doc.error_at("roles", None, "a role's `title` must not be empty"));
                    }
                    let Some(&company) = companies.get(company.as_str()) else {
                        diags.push(unknown_ref(doc, "roles", Kind::Company, company, companies.keys().copied()));
                        return None;
                    };
                    Some(Role { company: CompanyId(company), title: title.trim().to_string(), since, until })
                })
                .collect()
        })
        .collect()
}

/// The people, each entity with its roles; briefs linking them are filled later.
pub(super) fn assemble(entities: Vec<Option<Entity>>, roles: Vec<Vec<Role>>) -> Vec<Person> {
    entities.into_iter().zip(roles).filter_map(|(entity, roles)| Some(Person { entity: entity?, roles, linked_from: Vec::new() })).collect()
}

/// Whether a role is held at `now`: begun (or undated) and not ended.
pub(super) fn current(role: &Role, now: Date) -> bool {
    role.since.is_none_or(|s| s <= now) && role.until.is_none_or(|u| u > now)
}

/// For each of `n` companies, the people holding a role there at `now`: each person once,
/// with the index of that role, in the order of the people.
pub(super) fn at_companies(n: usize, people: &[Person], now: Date) -> Vec<Vec<(PersonId, usize)>> {
    let mut lists: Vec<Vec<(PersonId, usize)>> = vec![Vec::new(); n];
    for (i, p) in people.iter().enumerate() {
        for (r, role) in p.roles.iter().enumerate() {
            let list = &mut lists[role.company.0 as usize];
            if current(role, now) && !list.iter().any(|(id, _)| id.0 == i as u32) {
                list.push((PersonId(i as u32), r));
            }
        }
    }
    lists
}
