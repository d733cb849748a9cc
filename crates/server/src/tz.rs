//! Display time zones. Each user may choose an IANA zone (`Asia/Tokyo`, `Europe/Paris`); without
//! a choice, Japanese pages show JST and English pages the server's configured offset (JST unless
//! configured otherwise). Zone rules come from the system's tz database, with jiff's bundled copy
//! when the machine has none, so daylight saving time is right for every date shown.

use crate::i18n::Lang;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, civil};

/// The zone a Japanese page uses when its reader chose none.
pub const JAPAN: &str = "Asia/Tokyo";

/// Zones offered first on the settings page (any other IANA name is accepted too).
pub const COMMON: &[&str] = &[
    "Asia/Tokyo",
    "UTC",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
];

/// Whether `name` is a zone the tz database knows.
pub fn valid(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && TimeZone::get(name).is_ok()
}

/// The zone name a page renders in: the user's own, else JST for Japanese, else empty (the
/// configured offset).
pub fn page_zone(user_zone: Option<&str>, lang: Lang) -> String {
    match user_zone.filter(|z| valid(z)) {
        Some(z) => z.to_owned(),
        None if lang == Lang::Ja => JAPAN.to_owned(),
        None => String::new(),
    }
}

/// A zone by name, or the fixed configured offset when the name is empty or unknown.
pub fn zone(name: &str, fallback_offset_minutes: i32) -> TimeZone {
    if !name.is_empty() {
        if let Ok(tz) = TimeZone::get(name) {
            return tz;
        }
    }
    Offset::from_seconds(fallback_offset_minutes * 60)
        .map(TimeZone::fixed)
        .unwrap_or(TimeZone::UTC)
}

/// `2026-11-26 19:30 JST`: a Unix-millisecond time in the zone, with the zone's abbreviation
/// (or `UTC+05:30` for a fixed offset that has none; the configured +09:00 reads `JST`).
pub fn format_ms(ms: i64, tz: &TimeZone) -> String {
    let Ok(ts) = Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let z = ts.to_zoned_datetime(tz.clone());
    let abbr = if tz.iana_name().is_some() {
        z.strftime("%Z").to_string()
    } else {
        let secs = z.offset().seconds();
        if secs == 9 * 3600 {
            "JST".to_owned()
        } else {
            let (h, m) = (secs / 3600, (secs.abs() % 3600) / 60);
            format!("UTC{h:+03}:{m:02}")
        }
    };
    format!("{} {abbr}", z.strftime("%Y-%m-%d %H:%M"))
}

/// The value of an `<input type="datetime-local">` for a time, in the zone.
pub fn local_input(ms: i64, tz: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|ts| {
            ts.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Read an `<input type="datetime-local">` value (`2026-11-26T19:30`, seconds optional) given
/// in the zone; a time skipped by a DST change moves forward, an ambiguous one takes the earlier.
pub fn parse_local(s: &str, tz: &TimeZone) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let dt: civil::DateTime = s.parse().ok()?;
    let z = dt.to_zoned_datetime(tz.clone()).ok()?;
    Some(z.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_pages_default_to_jst_and_a_choice_wins() {
        assert_eq!(page_zone(None, Lang::Ja), "Asia/Tokyo");
        assert_eq!(page_zone(Some(""), Lang::En), "");
        assert_eq!(page_zone(Some("Europe/Paris"), Lang::Ja), "Europe/Paris");
        assert_eq!(page_zone(Some("Mars/Olympus"), Lang::Ja), "Asia/Tokyo");
        assert!(valid("America/New_York") && !valid("") && !valid("JST+9"));
    }

    #[test]
    fn times_follow_each_zone_and_its_daylight_saving() {
        // 2026-07-01 00:00 UTC and 2026-01-15 00:00 UTC.
        let summer = 1_782_864_000_000;
        let winter = 1_768_435_200_000;
        let paris = zone("Europe/Paris", 540);
        assert_eq!(format_ms(summer, &paris), "2026-07-01 02:00 CEST");
        assert_eq!(format_ms(winter, &paris), "2026-01-15 01:00 CET");
        assert_eq!(
            format_ms(summer, &zone("Asia/Tokyo", 0)),
            "2026-07-01 09:00 JST"
        );
        assert_eq!(format_ms(summer, &zone("", 540)), "2026-07-01 09:00 JST");
        assert_eq!(
            format_ms(summer, &zone("", 330)),
            "2026-07-01 05:30 UTC+05:30"
        );
        assert_eq!(
            format_ms(summer, &zone("", -300)),
            "2026-06-30 19:00 UTC-05:00"
        );
    }

    #[test]
    fn form_times_round_trip_in_the_zone() {
        let ny = zone("America/New_York", 540);
        let ms = parse_local("2026-07-01T09:30", &ny).unwrap();
        assert_eq!(ms, 1_782_912_600_000, "09:30 EDT is 13:30 UTC");
        assert_eq!(local_input(ms, &ny), "2026-07-01T09:30");
        assert_eq!(parse_local("2026-07-01T09:30:00", &ny), Some(ms));
        // 02:30 does not exist on 2026-03-08 in New York: it moves forward to 03:30 EDT.
        let skipped = parse_local("2026-03-08T02:30", &ny).unwrap();
        assert_eq!(local_input(skipped, &ny), "2026-03-08T03:30");
        assert_eq!(parse_local("", &ny), None);
        assert_eq!(parse_local("yesterday", &ny), None);
    }
}
