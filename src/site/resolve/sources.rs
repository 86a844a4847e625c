//! What only sources have: a kind and a paywall; after assembly, a track record of what
//! became of the reports that cite them.

use std::sync::Arc;

use crate::content::diag::{did_you_mean, Diagnostics};
use crate::content::frontmatter::RawSource;
use crate::content::load::Doc;
use crate::content::model::Status;
use crate::site::{Brief, BriefId, Claim, Entity, Outcome, Source, Story, TrackRecord, SOURCE_KINDS};

/// A source's own fields, checked.
pub(super) struct Own {
    kind: Option<String>,
    paywalled: bool,
}

/// Each source's own fields; an unknown kind is an error with a did-you-mean.
pub(super) fn own(docs: &[Arc<Doc<RawSource>>], diags: &mut Diagnostics) -> Vec<Own> {
    docs.iter()
        .map(|doc| {
            let RawSource { name: _, kind, website: _, paywalled, extra: _ } = &doc.raw;
            if let Some(k) = kind {
                if !SOURCE_KINDS.contains(&k.as_str()) {
                    let hint = did_you_mean(k, SOURCE_KINDS)
                        .map_or_else(|| format!("expected one of {}", SOURCE_KINDS.join(", ")), |s| format!("did you mean \"{s}\"?"));
                    diags.push(doc.error_at("kind", Some(k), format!("unknown source kind \"{k}\"")).with_hint(hint));
                }
            }
            Own { kind: kind.clone(), paywalled: *paywalled }
        })
        .collect()
}

/// The sources, each entity with its own fields; the track record is filled later.
pub(super) fn assemble(entities: Vec<Option<Entity>>, own: Vec<Own>) -> Vec<Source> {
    entities
        .into_iter()
        .zip(own)
        .filter_map(|(entity, Own { kind, paywalled })| Some(Source { entity: entity?, kind, paywalled, record: TrackRecord::default() }))
        .collect()
}

/// The sources a brief cites, each once, in id order.
pub(super) fn cited(brief: &Brief) -> Vec<u32> {
    let mut cited: Vec<u32> = brief.citations.iter().map(|c| c.source.0).collect();
    cited.sort_unstable();
    cited.dedup();
    cited
}

/// A source's track record from the briefs citing it (newest first): its claims are those
/// whose status is `reported` or `rumor`; a claim is confirmed when a later brief in the
/// same story is `confirmed` or `announced`, denied when it is `denied`, the latest such
/// brief deciding; open otherwise. Other citing briefs are tallied by status, not counted.
pub(super) fn track_record(briefs: &[Brief], stories: &[Story], cited: &[BriefId]) -> TrackRecord {
    let mut r = TrackRecord::default();
    for id in cited {
        let b = &briefs[id.0 as usize];
        match b.status.and_then(|s| Status::ALL.iter().position(|x| *x == s)) {
            Some(k) => r.by_status[k] += 1,
            None => r.unlabelled += 1,
        }
        if !matches!(b.status, Some(Status::Reported | Status::Rumor)) {
            continue;
        }
        let settled = b.story.and_then(|s| {
            stories[s.0 as usize]
                .briefs
                .iter()
                .filter(|x| *x != id && briefs[x.0 as usize].date >= b.date)
                .rfind(|x| matches!(briefs[x.0 as usize].status, Some(Status::Confirmed | Status::Announced | Status::Denied)))
        });
        let outcome = match settled {
            Some(x) if briefs[x.0 as usize].status == Some(Status::Denied) => {
                r.later_denied += 1;
                Outcome::Denied(*x)
            }
            Some(x) => {
                r.later_confirmed += 1;
                Outcome::Confirmed(*x)
            }
            None => {
                r.open += 1;
                Outcome::Open
            }
        };
        r.claims.push(Claim { brief: *id, outcome });
    }
    r
}
