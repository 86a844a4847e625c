//! Stage 1, what editors write: `site.toml`, front matter, Markdown, the theme's files,
//! read from disk and checked one file at a time.
//!
//! Owns the raw types that mirror the files (`Raw*`, [`config::Config`]), the validated
//! scalar types ([`model`]: slugs, dates, statuses, URLs), located messages ([`diag`]) and
//! the declarations of the kinds of entity ([`kinds`]). Imports nothing from the stages
//! after it.

pub mod buffer;
pub mod cachefile;
pub mod config;
pub mod data;
pub mod dates;
pub mod diag;
pub mod doc;
pub mod frontcache;
pub mod frontmatter;
pub mod html;
pub mod i18n;
pub mod kinds;
pub mod load;
pub mod loadcache;
pub mod markdown;
pub mod media;
pub mod stamps;
pub mod model;
pub mod theme;
pub mod walk;
