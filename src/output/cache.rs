//! `.briefing-cache/`: image variants (and the search index's shard names) kept between
//! builds, so that a build in which no image changed encodes nothing. Share cards, far more
//! numerous, are kept in one store ([`crate::output::pages::Pages::cards`]), not here.
//!
//! An entry is named by a key (an XXH3-128 hash of everything it was made from: the source
//! bytes, the settings, the format version) and holds its bytes followed
//! by their XXH3-128 checksum. An entry whose checksum does not match (a torn write, a disk error, an
//! edit by hand) is never trusted: it is made again. Writes go to a temporary
//! file renamed into place; a cache that cannot be written only costs time.

use std::path::{Path, PathBuf};

/// Bump when the bytes made for the same inputs change (encoder settings, card layout).
const VERSION: &[u8] = b"briefing-media-5";

/// The cache folder of a site.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    /// Whether entries are read (`build --no-cache` only writes them).
    read: bool,
}

impl Cache {
    /// The cache of the site at `root`.
    pub fn new(root: &Path) -> Cache {
        Cache { dir: root.join(crate::content::model::CACHE_DIR), read: true }
    }

    /// The cache of the site at `root`, filled again from scratch: nothing is read from
    /// it, everything made is written to it.
    pub fn refill(root: &Path) -> Cache {
        Cache { read: false, ..Cache::new(root) }
    }

    /// The key of an entry made from `parts`.
    pub fn key(parts: &[&[u8]]) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(VERSION);
        for p in parts {
            h.update(&(p.len() as u64).to_le_bytes());
            h.update(p);
        }
        format!("{:032x}", h.digest128())
    }

    fn path(&self, kind: &str, key: &str, name: &str) -> PathBuf {
        self.dir.join(kind).join(&key[..2]).join(format!("{key}-{name}"))
    }

    /// The bytes of an entry, when it is there and whole.
    pub fn get(&self, kind: &str, key: &str, name: &str) -> Option<Vec<u8>> {
        if !self.read {
            return None;
        }
        let mut bytes = std::fs::read(self.path(kind, key, name)).ok()?;
        let n = bytes.len().checked_sub(16)?;
        if xxhash_rust::xxh3::xxh3_128(&bytes[..n]).to_le_bytes()[..] != bytes[n..] {
            return None;
        }
        bytes.truncate(n);
        Some(bytes)
    }

    /// Stores an entry (best effort).
    pub fn put(&self, kind: &str, key: &str, name: &str, bytes: &[u8]) {
        let path = self.path(kind, key, name);
        let mut data = Vec::with_capacity(bytes.len() + 16);
        data.extend_from_slice(bytes);
        data.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(bytes).to_le_bytes());
        let _ = crate::content::cachefile::replace(&path, |tmp| std::fs::write(tmp, &data));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_entry_is_not_trusted() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::new(root.path());
        let key = Cache::key(&[b"source", b"80"]);
        assert_ne!(key, Cache::key(&[b"source8", b"0"]));
        assert_eq!(cache.get("images", &key, "480w.webp"), None);
        cache.put("images", &key, "480w.webp", b"RIFF....WEBP");
        assert_eq!(cache.get("images", &key, "480w.webp").as_deref(), Some(&b"RIFF....WEBP"[..]));
        let path = cache.path("images", &key, "480w.webp");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[2] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.get("images", &key, "480w.webp"), None);
        std::fs::write(&path, b"short").unwrap();
        assert_eq!(cache.get("images", &key, "480w.webp"), None);
        let refill = Cache::refill(root.path());
        refill.put("images", &key, "480w.webp", b"RIFF....WEBP");
        assert_eq!(refill.get("images", &key, "480w.webp"), None, "--no-cache reads nothing");
        assert!(cache.get("images", &key, "480w.webp").is_some(), "but fills the cache");
    }
}
