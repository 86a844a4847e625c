//! Interface text in the site's language: `i18n/<language>.toml` tables of the theme (the
//! default theme ships English, French and German), under the site's own `i18n/` files.
//!
//! English is the fallback: a key missing from the site's language is shown in English,
//! with one warning that lists what is missing. A malformed table is a located error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::content::diag::{line_col, Diagnostic, Diagnostics};

/// One translation file, as read.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its language (the file stem: `fr`).
    pub language: String,
    /// Where it came from, for messages.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// The interface strings of a site, in its language, English where a key is missing.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    /// Key -> text.
    pub strings: BTreeMap<String, String>,
}

impl Translations {
    /// The text of `key` (the key itself when even English lacks it).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings.get(key).map_or(key, String::as_str)
    }

    /// Merges `tables` (the theme's, then the site's: later ones win) for `language`.
    pub fn merge(tables: &[Table], language: &str, diags: &mut Diagnostics) -> Translations {
        let language = base_language(language);
        let mut english = BTreeMap::new();
        let mut own = BTreeMap::new();
        let mut own_files: Vec<&Path> = Vec::new();
        for t in tables {
            let Some(strings) = parse(t, diags) else { continue };
            if t.language == "en" {
                english.extend(strings.clone());
            }
            if t.language == language {
                own.extend(strings);
                own_files.push(&t.path);
            }
        }
        if language != "en" {
            let missing: Vec<&str> = english.keys().filter(|k| !own.contains_key(*k)).map(String::as_str).collect();
            let at = own_files.last().map_or_else(|| PathBuf::from("i18n"), |p| p.to_path_buf());
            if own_files.is_empty() {
                diags.push(
                    Diagnostic::warning(&at, 0, 0, format!("no translation for language \"{language}\": the interface stays in English"))
                        .with_hint(format!("add i18n/{language}.toml to the site, with the keys of the theme's i18n/en.toml")),
                );
            } else if !missing.is_empty() {
                diags.push(
                    Diagnostic::warning(
                        &at,
                        1,
                        1,
                        format!("{} key(s) not translated, shown in English: {}", missing.len(), missing.join(", ")),
                    )
                    .with_hint("add them to this file (the theme's i18n/en.toml has every key)"),
                );
            }
        }
        english.extend(own);
        Translations { strings: english }
    }
}

/// `fr` of `fr-CA`.
fn base_language(language: &str) -> String {
    language.split(['-', '_']).next().unwrap_or("en").trim().to_ascii_lowercase()
}

/// A table's `key = "text"` pairs; anything else is a located error.
fn parse(t: &Table, diags: &mut Diagnostics) -> Option<BTreeMap<String, String>> {
    let table: toml::Table = match toml::from_str(&t.text) {
        Ok(table) => table,
        Err(e) => {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(&t.text, s.start));
            diags.push(Diagnostic::error(&t.path, line, col, e.message().to_string()).with_source(&t.text));
            return None;
        }
    };
    let mut out = BTreeMap::new();
    for (key, value) in table {
        match value {
            toml::Value::String(s) => {
                out.insert(key, s);
            }
            other => {
                let at = t.text.lines().position(|l| l.trim_start().starts_with(key.as_str())).map_or(1, |i| i + 1);
                diags.push(
                    Diagnostic::error(&t.path, at, 1, format!("`{key}` must be text, not {}", other.type_str()))
                        .with_hint(format!("write {key} = \"...\""))
                        .with_source(&t.text),
                );
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(language: &str, text: &str) -> Table {
        Table { language: language.into(), path: PathBuf::from(format!("i18n/{language}.toml")), text: text.into() }
    }

    #[test]
    fn the_language_wins_english_fills_in_with_a_warning() {
        let mut diags = Diagnostics::new();
        let tables =
            [table("en", "a = \"Latest\"\nb = \"Stories\"\n"), table("fr", "a = \"Dernières\"\n"), table("de", "a = \"Neueste\"\n")];
        let t = Translations::merge(&tables, "fr-CA", &mut diags);
        assert_eq!((t.get("a"), t.get("b"), t.get("c")), ("Dernières", "Stories", "c"));
        let report = diags.report();
        assert!(report.contains("i18n/fr.toml:1:1: warning: 1 key(s) not translated, shown in English: b"), "{report}");
    }

    #[test]
    fn a_site_table_overrides_the_theme_and_bad_values_are_located() {
        let mut diags = Diagnostics::new();
        let tables = [table("en", "a = \"Latest\"\n"), table("en", "a = \"Newest\"\nn = 3\n")];
        let t = Translations::merge(&tables, "en", &mut diags);
        assert_eq!(t.get("a"), "Newest");
        let report = diags.report();
        assert!(report.contains("i18n/en.toml:2:1: error: `n` must be text, not integer"), "{report}");
    }
}
