//! The validated value types that the rest of the program uses instead of strings.
//!
//! Each is built only by its `parse` function, so a `Slug` is always safe as a URL and
//! file-path segment, a `Date` is always a real date, an `HttpUrl` is always http(s).

use std::fmt;

use serde::Serialize;

/// A fingerprint of `value` (for the in-memory caches of `serve`, that tell whether what
/// something was made from changed; not stable across programs or machines, never stored).
/// aHash with fixed keys: a good 64-bit hash, several times faster than SipHash on the
/// short strings (slugs, titles, paths) hashed by the ten thousand on every save.
pub fn fingerprint<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    keys().hash_one(value)
}

/// The folder, at a site's root, of what a build keeps for the next one (image variants,
/// share cards, rendered bodies, the search shards' list).
pub const CACHE_DIR: &str = ".briefing-cache";

/// The program that runs: its version, and its executable's size and modification time.
/// What a build keeps for the next one is keyed by it: a rebuilt binary trusts nothing its
/// predecessor kept (fingerprints and rendering may differ).
pub fn program_stamp() -> String {
    static STAMP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAMP
        .get_or_init(|| {
            let exe = std::env::current_exe().and_then(std::fs::metadata);
            let stamp = exe.map(|m| format!("{} {:?}", m.len(), m.modified().ok())).unwrap_or_else(|_| "unknown".into());
            format!("{} {stamp}", env!("CARGO_PKG_VERSION"))
        })
        .clone()
}

/// A hasher that makes [`fingerprint`]s piece by piece.
pub fn fingerprinter() -> ahash::AHasher {
    std::hash::BuildHasher::build_hasher(keys())
}

fn keys() -> &'static ahash::RandomState {
    static KEYS: std::sync::OnceLock<ahash::RandomState> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| ahash::RandomState::with_seeds(0x6272_6965, 0x6669_6e67, 0x7365_7276, 0x6520_6361))
}

/// The body `briefing new brief` writes. A brief that still holds its first line was never
/// written, and must not go live.
pub const PLACEHOLDER: &str = "What happened, in two or three sentences.\n\n## Why it matters\n\n";

/// A URL and path segment: lowercase ASCII letters, digits and single dashes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Accepts a slug exactly as written, or explains why it is not one.
    pub fn parse(text: &str) -> Result<Slug, String> {
        if text.is_empty() {
            return Err("a slug cannot be empty".into());
        }
        if text.len() > 200 {
            return Err("a slug cannot be longer than 200 characters".into());
        }
        let ok = text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.')
            && !text.starts_with(['-', '.'])
            && !text.contains("..");
        if ok {
            Ok(Slug(text.to_string()))
        } else {
            Err(format!("\"{text}\" is not a valid slug: use lowercase letters, digits and dashes (try \"{}\")", Slug::from_text(text)))
        }
    }

    /// Makes a slug out of free text (`Foundation Models` -> `foundation-models`),
    /// transliterating Unicode; text with nothing to transliterate gets a hex fallback.
    pub fn from_text(text: &str) -> Slug {
        let s = slug::slugify(text);
        if s.is_empty() {
            let hex: String = text.bytes().take(16).map(|b| format!("{b:02x}")).collect();
            return Slug(if hex.is_empty() { "untitled".into() } else { format!("u-{hex}") });
        }
        Slug(s)
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub use crate::content::dates::Date;

/// What a brief says about its news: how sure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Reported by a source, not yet confirmed.
    Reported,
    /// Confirmed by the company or by documents.
    Confirmed,
    /// Denied by the company.
    Denied,
    /// Announced by the company itself.
    Announced,
    /// Unsourced or thinly sourced talk.
    Rumor,
    /// Commentary and analysis.
    Analysis,
}

impl Status {
    /// Every status, in the order of the track-record table.
    pub const ALL: [Status; 6] = [Status::Reported, Status::Confirmed, Status::Denied, Status::Announced, Status::Rumor, Status::Analysis];

    /// Parses the front-matter spelling.
    pub fn parse(text: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("unknown status \"{text}\": expected one of reported, confirmed, denied, announced, rumor, analysis"))
    }

    /// The known status closest to a mistyped one (`rumour` -> `rumor`).
    pub fn suggest(text: &str) -> Option<&'static str> {
        crate::content::diag::did_you_mean(text, Status::ALL.map(Status::as_str))
    }

    /// The front-matter spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Confirmed => "confirmed",
            Status::Denied => "denied",
            Status::Announced => "announced",
            Status::Rumor => "rumor",
            Status::Analysis => "analysis",
        }
    }

    /// A capitalised label for readers.
    pub fn label(self) -> &'static str {
        match self {
            Status::Reported => "Reported",
            Status::Confirmed => "Confirmed",
            Status::Denied => "Denied",
            Status::Announced => "Announced",
            Status::Rumor => "Rumor",
            Status::Analysis => "Analysis",
        }
    }
}

/// An absolute http or https URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// Accepts `http://host...` and `https://host...` only.
    pub fn parse(text: &str) -> Result<HttpUrl, String> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
        match rest {
            Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !t.chars().any(char::is_whitespace) => Ok(HttpUrl(t.to_string())),
            _ => Err(format!("\"{text}\" is not an http(s) URL: write a full address such as https://example.com/article")),
        }
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked_and_made() {
        assert!(Slug::parse("meta").is_ok());
        assert!(Slug::parse("open-ai-2").is_ok());
        assert!(Slug::parse("../etc").is_err());
        assert!(Slug::parse("a/b").is_err());
        assert!(Slug::parse("Meta").is_err());
        assert!(Slug::parse("").is_err());
        assert_eq!(Slug::from_text("Foundation Models").as_str(), "foundation-models");
        assert_eq!(Slug::from_text("Zürich AI").as_str(), "zurich-ai");
        assert!(Slug::from_text("!!!").as_str().starts_with("u-"));
    }

    #[test]
    fn dates_accept_plain_and_rfc3339() {
        let d = Date::parse("2025-03-14").unwrap();
        assert!(!d.has_time);
        assert_eq!(d.iso(), "2025-03-14");
        assert_eq!(d.rfc3339(), "2025-03-14T00:00:00Z");
        let t = Date::parse("2025-03-14T09:30:00+02:00").unwrap();
        assert!(t.has_time);
        assert_eq!(t.day().to_string(), "2025-03-14");
        assert!(Date::parse("2025-02-30").is_err());
        assert!(Date::parse("14/03/2025").is_err());
        assert!(Date::parse("2025-3-4").is_err());
    }

    #[test]
    fn statuses_and_urls() {
        assert_eq!(Status::parse("denied"), Ok(Status::Denied));
        assert!(Status::parse("Denied").is_err());
        assert!(HttpUrl::parse("https://example.com/a").is_ok());
        assert!(HttpUrl::parse("javascript:alert(1)").is_err());
        assert!(HttpUrl::parse("ftp://x").is_err());
        assert!(HttpUrl::parse("https://").is_err());
    }
}
