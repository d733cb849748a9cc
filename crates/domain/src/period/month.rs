//! [`Month`], the unit every count is kept in, and the calendar arithmetic under all periods.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{PeriodError, PeriodKind, parse};

const MS_PER_DAY: i64 = 86_400_000;
/// Japan has had no daylight saving time since 1951, so one fixed offset is exact for every
/// period the statistics cover; a time zone database would add a dependency for nothing.
const JST_OFFSET_MS: i64 = 9 * 3_600_000;
/// Four-digit years only, so the canonical forms (`2015`, `FY2015`) always parse back.
const MIN_YEAR: i64 = 1;
const MAX_YEAR: i64 = 9999;

/// A calendar month. Field order makes the derived ordering chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u8,
}

impl Month {
    pub fn new(year: i32, month: u8) -> Result<Month, PeriodError> {
        if !(1..=12).contains(&month) {
            return Err(PeriodError::BadMonth {
                month: month.into(),
            });
        }
        if !(MIN_YEAR..=MAX_YEAR).contains(&i64::from(year)) {
            return Err(PeriodError::YearOutOfRange { year: year.into() });
        }
        Ok(Month { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 (January) to 12 (December).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The calendar quarter, 1 (January–March) to 4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }

    /// The Japanese fiscal year: January to March belong to the year that began the April before.
    pub fn fiscal_year(self) -> i32 {
        if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        }
    }

    /// The fiscal quarter, 1 (April–June) to 4 (January–March).
    pub fn fiscal_quarter(self) -> u8 {
        (self.month + 8) % 12 / 3 + 1
    }

    /// Days in the month, with the Gregorian leap-year rule (2000 leap, 1900 and 2100 not).
    pub fn days(self) -> u8 {
        match self.month {
            2 if is_leap(self.year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    pub fn next(self) -> Option<Month> {
        Month::from_index(self.index() + 1).ok()
    }

    pub fn prev(self) -> Option<Month> {
        Month::from_index(self.index() - 1).ok()
    }

    /// 00:00 JST on the first day, in Unix milliseconds.
    pub fn start_ms_jst(self) -> i64 {
        index_start_ms(self.index())
    }

    /// 00:00 JST on the first day of the next month: the bound is exclusive, so consecutive
    /// months share it and no instant falls between them or in both.
    pub fn end_ms_jst(self) -> i64 {
        index_start_ms(self.index() + 1)
    }

    /// The month an instant falls in, in Japan time.
    pub fn from_ms_jst(ms: i64) -> Result<Month, PeriodError> {
        let out = || PeriodError::TimestampOutOfRange { ms };
        let local = ms.checked_add(JST_OFFSET_MS).ok_or_else(out)?;
        let (year, month) = civil_from_days(local.div_euclid(MS_PER_DAY));
        let year = i32::try_from(year).map_err(|_| out())?;
        Month::new(year, month).map_err(|_| out())
    }

    /// `2015年4月`
    pub fn label_ja(self) -> String {
        format!("{:04}年{}月", self.year, self.month)
    }

    /// `April 2015`
    pub fn label_en(self) -> String {
        format!(
            "{} {:04}",
            MONTH_NAMES[usize::from(self.month - 1)],
            self.year
        )
    }

    /// Months since year 0, the one number that makes month arithmetic a subtraction.
    pub(super) fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub(super) fn from_index(index: i64) -> Result<Month, PeriodError> {
        let year = index.div_euclid(12);
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(PeriodError::YearOutOfRange { year });
        }
        // In range by the check above and the euclidean remainder.
        Ok(Month {
            year: year as i32,
            month: index.rem_euclid(12) as u8 + 1,
        })
    }
}

/// English month names, for labels and for parsing `April 2015`.
pub(super) const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl fmt::Display for Month {
    /// `2015-04`: ISO 8601, sorts as text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = PeriodError;
    /// Any month form [`Period`] accepts (`2015-04`, `201504`, `2015年4月`, `April 2015`).
    fn from_str(s: &str) -> Result<Month, PeriodError> {
        match parse::period(s) {
            Ok(p) if p.kind() == PeriodKind::Month => Ok(p.first_month()),
            Ok(_) | Err(PeriodError::Unrecognised { .. }) => Err(PeriodError::NotAMonth {
                input: s.to_owned(),
            }),
            Err(e) => Err(e),
        }
    }
}

impl TryFrom<String> for Month {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Month, PeriodError> {
        s.parse()
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// 00:00 JST on the first day of the month with this index. Not range-checked, because the
/// exclusive end of December 9999 is the start of a month that is itself out of range.
pub(super) fn index_start_ms(index: i64) -> i64 {
    let days = days_from_civil(index.div_euclid(12), index.rem_euclid(12) + 1);
    days * MS_PER_DAY - JST_OFFSET_MS
}

/// Days from 1970-01-01 to the first of a month, proleptic Gregorian: Howard Hinnant's
/// `days_from_civil`, exact over all i64 inputs used here. Chosen over building a `time::Date`
/// because that is fallible and its range ends at 9999, where our exclusive end bound does not.
fn days_from_civil(year: i64, month: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12; // March is 0, so the leap day ends the year
    let doy = (153 * mp + 2) / 5; // day 1 of the month
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`], keeping only the year and month.
fn civil_from_days(days: i64) -> (i64, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u8)
}
