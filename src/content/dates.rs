//! Dates and times as editors write them: `2025-10-30`, `2025-10-30 14:00` (read in the
//! site's time zone), or with an offset (`2025-10-30T14:00:00-04:00`, `...Z`). Mistakes are
//! told in plain words (month 13, 30 February, a time the clocks skipped), never in the
//! parser's.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone as _};
use chrono_tz::Tz;

/// A date, or a date and time with its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The instant; a plain date means midnight in the site's time zone.
    pub at: DateTime<FixedOffset>,
    /// False when only `YYYY-MM-DD` was given.
    pub has_time: bool,
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const FORMS: &str =
    "write YYYY-MM-DD, YYYY-MM-DD HH:MM (in the site's time zone) or an RFC 3339 date-time such as 2025-10-30T14:00:00-04:00";

impl Date {
    /// Parses a date or date-time; one without an offset is read in UTC.
    pub fn parse(text: &str) -> Result<Date, String> {
        Date::parse_in(text, Tz::UTC)
    }

    /// Parses a date or date-time; one without an offset is read in `zone`.
    pub fn parse_in(text: &str, zone: Tz) -> Result<Date, String> {
        let text = text.trim();
        let (day, rest) = (text.get(..10).unwrap_or(text), text.get(10..).unwrap_or(""));
        let day = calendar_day(day).map_err(|why| format!("\"{text}\" is not a date: {why}"))?;
        if rest.is_empty() {
            return Ok(Date { at: start_of_day(day, zone), has_time: false });
        }
        let Some(rest) = rest.strip_prefix(['T', 't', ' ']) else {
            return Err(format!("\"{text}\" is not a date: after the day comes `T` or a space, then the time; {FORMS}"));
        };
        let (time, offset) = clock(rest).map_err(|why| format!("\"{text}\" is not a date-time: {why}"))?;
        let naive = day.and_time(time);
        let at = match offset {
            Some(o) => naive.and_local_timezone(o).single().ok_or_else(|| format!("\"{text}\" is out of range"))?,
            None => local(naive, zone, text)?,
        };
        Ok(Date { at, has_time: true })
    }

    /// "Now": the time of the build, or `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) when
    /// that is set, as for reproducible builds.
    pub fn now() -> Date {
        let epoch = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
        let at = epoch.and_then(|s| DateTime::from_timestamp(s, 0)).unwrap_or_else(chrono::Utc::now);
        Date { at: at.fixed_offset(), has_time: true }
    }

    /// `YYYY-MM-DD` for plain dates, RFC 3339 otherwise: what templates receive.
    pub fn iso(&self) -> String {
        if self.has_time {
            self.at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        } else {
            self.at.format("%Y-%m-%d").to_string()
        }
    }

    /// Always a full RFC 3339 date-time, for feeds, sitemaps and `<time datetime>`.
    pub fn rfc3339(&self) -> String {
        self.at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The calendar day, as written (in the date's own offset).
    pub fn day(&self) -> NaiveDate {
        self.at.date_naive()
    }
}

/// The first moment of `day` in `zone`: midnight, or where the clocks skipped midnight
/// (some zones change at 00:00), the first time that exists.
fn start_of_day(day: NaiveDate, zone: Tz) -> DateTime<FixedOffset> {
    let midnight = day.and_time(NaiveTime::MIN);
    (0..=4 * 24)
        .map(|quarter| midnight + chrono::Duration::minutes(15 * quarter))
        .find_map(|t| zone.from_local_datetime(&t).earliest())
        .map_or_else(|| midnight.and_utc().fixed_offset(), |t| t.fixed_offset())
}

/// `naive` read in `zone`; a time the clocks skipped is an error, and a time they repeated
/// is the first of the two.
fn local(naive: NaiveDateTime, zone: Tz, text: &str) -> Result<DateTime<FixedOffset>, String> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.fixed_offset()),
        LocalResult::None => {
            Err(format!("\"{text}\" does not exist in {}: the clocks moved forward over that time that night", zone.name()))
        }
    }
}

/// `YYYY-MM-DD`, checked part by part.
fn calendar_day(text: &str) -> Result<NaiveDate, String> {
    let b = text.as_bytes();
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(FORMS.into());
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(0..4) as i32, num(5..7), num(8..10));
    if !(1..=12).contains(&month) {
        return Err(format!("there is no month {month} (months go from 01 to 12)"));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let days = (28..=31).rev().find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some()).unwrap_or(28);
        format!("{day} {} does not exist ({} {year} has {days} days)", MONTHS[month as usize - 1], MONTHS[month as usize - 1])
    })
}

/// `HH:MM`, `HH:MM:SS` or with a fraction, then nothing, `Z` or an offset `±HH:MM`.
fn clock(text: &str) -> Result<(NaiveTime, Option<FixedOffset>), String> {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| text.get(r).filter(|s| s.bytes().all(|c| c.is_ascii_digit())).and_then(|s| s.parse::<u32>().ok());
    let (Some(hour), Some(minute), true) = (digits(0..2), digits(3..5), b.get(2) == Some(&b':')) else {
        return Err(format!("write the time as HH:MM, from 00:00 to 23:59; {FORMS}"));
    };
    let (mut at, mut second, mut nanos) = (5, 0, 0);
    if b.get(5) == Some(&b':') {
        second = digits(6..8).ok_or("write the seconds as two digits (HH:MM:SS)")?;
        at = 8;
        if b.get(8) == Some(&b'.') {
            let fraction: String = text[9..].chars().take_while(char::is_ascii_digit).collect();
            at = 9 + fraction.len();
            nanos = format!("{fraction:0<9}").get(..9).and_then(|f| f.parse::<u32>().ok()).unwrap_or(0);
        }
    }
    if hour > 23 {
        return Err(format!("there is no hour {hour} (hours go from 00 to 23)"));
    }
    if minute > 59 || second > 59 {
        return Err(format!("there is no minute or second {} (they go from 00 to 59)", minute.max(second)));
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or("not a time of day")?;
    Ok((time, offset(&text[at..])?))
}

/// Nothing (the site's zone), `Z`, or `±HH:MM`.
fn offset(text: &str) -> Result<Option<FixedOffset>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if text.eq_ignore_ascii_case("z") {
        return Ok(FixedOffset::east_opt(0));
    }
    let bad = || format!("\"{text}\" is not an offset: write one such as -04:00 or +01:00, Z for UTC, or nothing for the site's time zone");
    let sign = match text.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(bad()),
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m) = (digits[..2].parse::<i32>().unwrap_or(99), digits[2..].parse::<i32>().unwrap_or(99));
    if h > 23 || m > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).map(Some).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> Tz {
        "America/New_York".parse().unwrap()
    }

    #[test]
    fn forms_editors_write() {
        let d = Date::parse_in("2025-10-30", ny()).unwrap();
        assert_eq!((d.has_time, d.rfc3339().as_str()), (false, "2025-10-30T00:00:00-04:00"));
        assert_eq!(Date::parse_in("2025-10-30 14:00", ny()).unwrap().rfc3339(), "2025-10-30T14:00:00-04:00");
        assert_eq!(Date::parse_in("2025-10-30T14:00:30", ny()).unwrap().rfc3339(), "2025-10-30T14:00:30-04:00");
        assert_eq!(Date::parse_in("2025-12-01T14:00", ny()).unwrap().rfc3339(), "2025-12-01T14:00:00-05:00");
        assert_eq!(Date::parse_in("2025-10-30T14:00:00Z", ny()).unwrap().rfc3339(), "2025-10-30T14:00:00Z");
        assert_eq!(Date::parse_in("2025-10-30T14:00:00.250+02:00", ny()).unwrap().iso(), "2025-10-30T14:00:00.250+02:00");
        assert_eq!(Date::parse("2025-03-14").unwrap().rfc3339(), "2025-03-14T00:00:00Z");
    }

    #[test]
    fn mistakes_in_plain_words() {
        let err = |t: &str| Date::parse_in(t, ny()).unwrap_err();
        assert!(err("2025-13-01").contains("there is no month 13"), "{}", err("2025-13-01"));
        assert!(err("2025-02-30").contains("30 February does not exist (February 2025 has 28 days)"));
        assert!(err("2024-02-30").contains("(February 2024 has 29 days)"));
        assert!(err("2025-04-31").contains("31 April does not exist"));
        assert!(err("2025-10-30 25:00").contains("there is no hour 25"));
        assert!(err("2025-10-30T14:00+4").contains("\"+4\" is not an offset"));
        assert!(err("14/03/2025").contains("write YYYY-MM-DD"));
        assert!(err("2025-03-09 02:30").contains("does not exist in America/New_York: the clocks moved forward"));
        for e in [err("2025-10-30T"), err("2025-10-30T1"), err("2025"), err("")] {
            assert!(!e.contains("premature") && !e.contains("input"), "{e}");
        }
    }

    /// Zones with every kind of rule: none, DST at 02:00, DST at midnight (Santiago,
    /// Havana), half-hour offsets and half-hour DST (Lord Howe), 45-minute offsets (Chatham).
    const ZONES: [&str; 9] = [
        "UTC",
        "America/New_York",
        "Europe/Paris",
        "America/Santiago",
        "America/Havana",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Asia/Tokyo",
    ];

    proptest::proptest! {
        #[test]
        fn local_times_round_trip_or_are_explained(zone in 0..ZONES.len(), secs in 0i64..4_102_444_800, minute in 0u32..96) {
            let tz: Tz = ZONES[zone].parse().unwrap();
            let day = DateTime::from_timestamp(secs, 0).unwrap().date_naive();
            let naive = day.and_hms_opt(minute / 4, (minute % 4) * 15, 0).unwrap();
            let text = naive.format("%Y-%m-%d %H:%M").to_string();
            match (Date::parse_in(&text, tz), tz.from_local_datetime(&naive)) {
                (Ok(d), LocalResult::Single(t)) => proptest::prop_assert_eq!(d.at, t.fixed_offset()),
                (Ok(d), LocalResult::Ambiguous(first, _)) => proptest::prop_assert_eq!(d.at, first.fixed_offset()),
                (Err(e), LocalResult::None) => proptest::prop_assert!(e.contains("clocks moved forward"), "{}", e),
                (got, want) => proptest::prop_assert!(false, "{text} in {}: {got:?} but chrono says {want:?}", ZONES[zone]),
            }
        }

        #[test]
        fn every_day_has_a_first_moment_and_offsets_round_trip(zone in 0..ZONES.len(), secs in 0i64..4_102_444_800) {
            let tz: Tz = ZONES[zone].parse().unwrap();
            let instant = DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&tz);
            let day = Date::parse_in(&instant.format("%Y-%m-%d").to_string(), tz).unwrap();
            proptest::prop_assert_eq!(day.day(), instant.date_naive(), "a plain date is that day in the zone");
            proptest::prop_assert!(day.at <= instant.fixed_offset());
            let written = instant.to_rfc3339_opts(SecondsFormat::Secs, true);
            let read = Date::parse_in(&written, Tz::UTC).unwrap();
            proptest::prop_assert_eq!(read.at, instant.fixed_offset());
            proptest::prop_assert_eq!(read.rfc3339(), written);
        }
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_one() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2023-09-03.
        let d = Date::parse_in("2023-09-03", "America/Santiago".parse().unwrap()).unwrap();
        assert_eq!(d.rfc3339(), "2023-09-03T01:00:00-03:00");
    }

    #[test]
    fn a_repeated_hour_is_the_first() {
        // 1 November 2026, 01:30 happens twice in New York: first in daylight time.
        assert_eq!(Date::parse_in("2026-11-01 01:30", ny()).unwrap().rfc3339(), "2026-11-01T01:30:00-04:00");
    }
}
