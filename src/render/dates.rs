//! The `date` filter: `{{ brief.date | date(format="%-d %B %Y", with_time="%-d %B %Y, %H:%M %Z") }}`.
//!
//! A date-time is shown in the site's time zone; a plain date as the day it names. Month
//! and weekday names follow the site's `language` (chrono's locales). Each format is parsed
//! once per thread, and each date formatted once per thread and format: a brief's date is
//! shown on its page, its card and in the related lists of a dozen others.

use std::fmt::Write as _;

use chrono::format::Item;
use chrono::{DateTime, Locale, NaiveDate};
use chrono_tz::Tz;
use tera::{Kwargs, State, TeraResult};

/// Beyond this many formatted dates a thread starts over (only `serve` gets there).
const MAX_FORMATTED: usize = 1 << 16;

/// The filter, with the site's time zone and locale.
pub(super) struct DateFilter {
    zone: Tz,
    locale: Locale,
    /// Zone and locale, for telling a thread's memo of another site's (`serve` rebuilds).
    tag: String,
}

impl DateFilter {
    /// The filter for a site in `zone` written in `language` (a BCP 47 tag: `fr`, `de-CH`).
    pub fn new(zone: Tz, language: &str) -> Self {
        let locale = locale_of(language);
        DateFilter { zone, locale, tag: format!("{}\u{1}{locale:?}", zone.name()) }
    }

    fn format(&self, value: &str, items: &[Item<'static>], out: &mut String) -> TeraResult<()> {
        let written = if value.len() == 10 {
            let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad_value(value))?;
            write!(out, "{}", day.format_localized_with_items(items.iter(), self.locale))
        } else {
            let at = DateTime::parse_from_rfc3339(value).map_err(|_| bad_value(value))?.with_timezone(&self.zone);
            write!(out, "{}", at.format_localized_with_items(items.iter(), self.locale))
        };
        written.map_err(|_| tera::Error::message("invalid date format"))
    }
}

/// A date as `format` writes it in the site's zone and language (for share cards).
pub(super) fn formatted(date: &crate::content::model::Date, format: &str, zone: Tz, language: &str) -> String {
    let locale = locale_of(language);
    if date.has_time {
        date.at.with_timezone(&zone).format_localized(format, locale).to_string()
    } else {
        date.at.date_naive().format_localized(format, locale).to_string()
    }
}

fn bad_value(value: &str) -> tera::Error {
    tera::Error::message(format!("the date filter needs YYYY-MM-DD or an RFC 3339 date-time, not \"{value}\""))
}

/// chrono's locale for a language tag: `fr` -> `fr_FR`, `de-CH` -> `de_CH`, else English.
pub(super) fn locale_of(language: &str) -> Locale {
    let tag = language.trim().replace('-', "_");
    let (lang, region) = tag.split_once('_').unwrap_or((&tag, ""));
    let lang = lang.to_ascii_lowercase();
    let candidates = [format!("{lang}_{}", region.to_ascii_uppercase()), format!("{lang}_{}", lang.to_ascii_uppercase()), lang.clone()];
    candidates.iter().find_map(|c| Locale::try_from(c.as_str()).ok()).unwrap_or(Locale::en_US)
}

#[derive(Default)]
struct Memo {
    tag: String,
    formats: rustc_hash::FxHashMap<String, Vec<Item<'static>>>,
    /// `format`, a NUL, `value` -> the formatted date.
    formatted: rustc_hash::FxHashMap<String, String>,
    key: String,
}

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = Default::default();
}

impl<'a> tera::Filter<&'a str, TeraResult<String>> for DateFilter {
    fn call(&self, value: &'a str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
        let mut format: &str = kwargs.get("format")?.unwrap_or("%Y-%m-%d");
        if value.len() > 10 {
            format = kwargs.get("with_time")?.unwrap_or(format);
        }
        MEMO.with_borrow_mut(|memo| {
            if memo.tag != self.tag {
                *memo = Memo { tag: self.tag.clone(), ..Memo::default() };
            }
            let Memo { formats, formatted, key, .. } = memo;
            key.clear();
            key.push_str(format);
            key.push('\0');
            key.push_str(value);
            if let Some(out) = formatted.get(key.as_str()) {
                return Ok(out.clone());
            }
            if !formats.contains_key(format) {
                let items = chrono::format::StrftimeItems::new_with_locale(format, self.locale)
                    .parse_to_owned()
                    .map_err(|_| tera::Error::message(format!("invalid date format \"{format}\"")))?;
                formats.insert(format.to_string(), items);
            }
            let items = formats.get(format).map_or(&[][..], Vec::as_slice);
            let mut out = String::with_capacity(24);
            self.format(value, items, &mut out)?;
            if formatted.len() >= MAX_FORMATTED {
                formatted.clear();
            }
            formatted.insert(key.clone(), out.clone());
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_map_to_locales() {
        assert_eq!(locale_of("fr"), Locale::fr_FR);
        assert_eq!(locale_of("de-CH"), Locale::de_CH);
        assert_eq!(locale_of("en"), Locale::en_US);
        assert_eq!(locale_of("xx"), Locale::en_US);
    }

    #[test]
    fn times_in_the_site_zone_and_days_as_written() {
        let f = DateFilter::new("America/New_York".parse().unwrap(), "fr");
        let items = |s: &str| chrono::format::StrftimeItems::new_with_locale(s, f.locale).parse_to_owned().unwrap();
        let mut out = String::new();
        f.format("2025-10-30T18:00:00Z", &items("%-d %B %Y, %H:%M %Z"), &mut out).unwrap();
        assert_eq!(out, "30 octobre 2025, 14:00 EDT");
        out.clear();
        f.format("2025-10-30", &items("%A %-d %B"), &mut out).unwrap();
        assert_eq!(out, "jeudi 30 octobre");
    }
}
