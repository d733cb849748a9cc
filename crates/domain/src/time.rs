//! Time as hikeshi stores it: Unix milliseconds (UTC) everywhere, formatted at the edges.
//!
//! Integers rather than a date type in the store keep one portable representation across SQLite
//! and PostgreSQL and make "time to acknowledge" a subtraction.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    let now = OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// RFC 3339 in UTC, always with three fractional digits (`2026-11-26T04:20:33.120Z`), so the
/// strings sort in time order.
pub fn rfc3339(ms: i64) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_default()
}

/// Parse RFC 3339 (any offset) into Unix milliseconds.
pub fn parse_rfc3339(s: &str) -> Result<i64, crate::DomainError> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|e| crate::DomainError::Invalid {
        field: "time",
        why: format!("{s:?} is not an RFC 3339 date-time ({e})"),
    })?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The calendar year of a moment in Japan Standard Time (UTC+9), used for incident numbers:
/// an incident opened at 2027-01-01 08:00 JST is a 2027 incident even though it is still 2026
/// in UTC.
pub fn year_jst(ms: i64) -> i32 {
    let offset = time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.to_offset(offset).year())
        .unwrap_or(1970)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_rfc3339() {
        let ms = 1_790_000_000_123;
        assert_eq!(parse_rfc3339(&rfc3339(ms)).unwrap(), ms);
        assert_eq!(rfc3339(1_790_000_000_000), "2026-09-21T14:13:20.000Z");
        assert_eq!(
            parse_rfc3339("2026-11-26T13:00:00+09:00").unwrap(),
            parse_rfc3339("2026-11-26T04:00:00Z").unwrap()
        );
        assert!(parse_rfc3339("yesterday").is_err());
    }

    #[test]
    fn incident_year_follows_japan_time() {
        let new_year_jst = parse_rfc3339("2026-12-31T23:30:00Z").unwrap();
        assert_eq!(year_jst(new_year_jst), 2027);
    }
}
