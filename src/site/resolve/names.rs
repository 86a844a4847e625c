//! The names wiki links may use: every slug, name and alias of the kinds whose declaration
//! allows wiki links, lowercased, each with the entities it names.

use std::collections::BTreeMap;

use ahash::AHashMap as HashMap;

use super::entities::Checked;
use crate::content::diag::{Diagnostic, Diagnostics};
use crate::content::kinds::RawEntity;
use crate::site::EntityId;

/// Lowercased slug, name or alias -> the entities it names, in kind order, then by index.
#[derive(Default)]
pub(super) struct NameIndex(pub HashMap<String, Vec<EntityId>>);

impl NameIndex {
    fn add(&mut self, key: &str, id: EntityId) {
        let e = self.0.entry(key.trim().to_lowercase()).or_default();
        if !e.contains(&id) {
            e.push(id);
        }
    }

    /// Adds the slugs, names and aliases of one kind (if its wiki links are allowed). A
    /// name or slug always links to its own entity: an alias that is the name of another
    /// of the same kind is ignored, with a warning. An alias two of them claim is reported
    /// once as a warning; linking with it is then an error (ambiguous).
    pub fn add_kind<R: RawEntity>(&mut self, checked: &Checked<'_, R>, diags: &mut Diagnostics) {
        let kind = R::KIND;
        if !kind.decl().wiki {
            return;
        }
        let id = |i: usize| EntityId { kind, index: i as u32 };
        let docs = checked.docs;
        let mut owner: HashMap<String, usize> = HashMap::new();
        for (i, (doc, slug)) in docs.iter().zip(&checked.slugs).enumerate() {
            let Some(slug) = slug else { continue };
            for k in std::iter::once(slug.as_str()).chain(doc.raw.common().name.map(String::as_str)) {
                owner.entry(k.trim().to_lowercase()).or_insert(i);
                self.add(k, id(i));
            }
        }
        let mut alias_users: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, (doc, slug)) in docs.iter().zip(&checked.slugs).enumerate() {
            if slug.is_none() {
                continue;
            }
            for a in doc.raw.common().aliases {
                let key = a.trim().to_lowercase();
                match owner.get(&key) {
                    Some(&j) if j != i => {
                        let (line, col) = doc.locate("aliases", Some(a.as_str()));
                        let other = &docs[j].stem;
                        let singular = kind.decl().singular;
                        diags.push(
                            Diagnostic::warning(&doc.path, line, col, format!("alias \"{a}\" is the name of {singular} \"{other}\""))
                                .with_hint(format!("[[{a}]] links to \"{other}\", not to this {singular}; remove the alias"))
                                .with_source(doc.text()),
                        )
                    }
                    Some(_) => {}
                    None => {
                        let users = alias_users.entry(key).or_default();
                        if !users.contains(&i) {
                            users.push(i);
                        }
                        self.add(a, id(i));
                    }
                }
            }
        }
        for (key, users) in &alias_users {
            let [first, rest @ ..] = users.as_slice() else { continue };
            if rest.is_empty() {
                continue;
            }
            let doc = &docs[*first];
            let aliases = doc.raw.common().aliases;
            let alias = aliases.iter().find(|a| a.trim().to_lowercase() == *key).map_or(key.as_str(), String::as_str);
            let others: Vec<&str> = rest.iter().map(|j| docs[*j].stem.as_str()).collect();
            let (line, col) = doc.locate("aliases", Some(alias));
            diags.push(
                Diagnostic::warning(&doc.path, line, col, format!("alias \"{alias}\" is also an alias of {}", others.join(", ")))
                    .with_hint(format!("[[{alias}]] cannot say which {} it means; give each its own alias", kind.decl().singular))
                    .with_source(doc.text()),
            );
        }
    }

    /// The index, each name's entities in kind order, then by index.
    pub fn finish(mut self) -> Self {
        self.0.values_mut().for_each(|ids| ids.sort_unstable());
        self
    }
}
