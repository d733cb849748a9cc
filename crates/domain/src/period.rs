//! Reporting periods: months, calendar quarters and years, and Japanese fiscal years (年度, April
//! to March) with their quarters, bounded in Japan Standard Time.
//!
//! Every count is kept per month, so every [`Period`] is a run of whole [`Month`]s. FY2015 is
//! 2015-04 to 2016-03; as instants it runs from 2015-04-01 00:00 JST up to, not including,
//! 2016-04-01 00:00 JST. The team counts in Japan time, so an instant is placed in the month it
//! falls in *in Japan*: 2015-03-31 20:00 UTC is already April 1st in Tokyo and counts in FY2015.
//!
//! ```
//! use hikeshi_domain::period::{Month, Period, PeriodKind};
//!
//! let fy: Period = "FY2015".parse().unwrap();
//! assert_eq!((fy.first_month().to_string(), fy.last_month().to_string()), ("2015-04".into(), "2016-03".into()));
//! assert_eq!(fy.label_ja(), "2015年度");
//! assert_eq!(fy.months().count(), 12);
//! let march = Month::new(2016, 3).unwrap();
//! assert_eq!(Period::containing(PeriodKind::FiscalYear, march).unwrap(), fy);
//! assert_eq!("２０１５年第２四半期".parse::<Period>().unwrap().to_string(), "2015Q2");
//! ```

mod month;
mod parse;
#[cfg(test)]
mod tests;

pub use month::Month;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::named::Named;
use month::index_start_ms;

/// Why a period or month could not be built. Messages are for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "{input:?} is not a period: expected a month (2015-04), a calendar quarter (2015Q2), a \
         calendar year (2015 or CY2015), a fiscal year (FY2015) or a fiscal quarter (FY2015Q1)"
    )]
    Unrecognised { input: String },
    #[error("{input:?} is not a month: expected YYYY-MM, such as 2015-04")]
    NotAMonth { input: String },
    #[error("there is no month {month}: months run from 1 to 12")]
    BadMonth { month: u32 },
    #[error("there is no quarter {quarter}: quarters run from 1 to 4")]
    BadQuarter { quarter: u32 },
    #[error("year {year} is outside the supported years 1 to 9999")]
    YearOutOfRange { year: i64 },
    #[error("the instant {ms} ms after 1970 is outside the supported years 1 to 9999")]
    TimestampOutOfRange { ms: i64 },
}

/// The shapes a period comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodKind {
    Month,
    /// Calendar quarter: January–March is Q1.
    Quarter,
    /// Calendar year.
    Year,
    /// Japanese fiscal year, April to March, named after the year it starts in.
    FiscalYear,
    /// Quarter of a fiscal year: April–June is Q1, January–March Q4.
    FiscalQuarter,
}

impl Named for PeriodKind {
    const WHAT: &'static str = "period kind";
    fn all() -> &'static [Self] {
        &[
            PeriodKind::Month,
            PeriodKind::Quarter,
            PeriodKind::Year,
            PeriodKind::FiscalYear,
            PeriodKind::FiscalQuarter,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::FiscalYear => "fiscal-year",
            PeriodKind::FiscalQuarter => "fiscal-quarter",
        }
    }
}

impl PeriodKind {
    /// How many months a period of this kind spans.
    pub fn len_months(self) -> u8 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter | PeriodKind::FiscalQuarter => 3,
            PeriodKind::Year | PeriodKind::FiscalYear => 12,
        }
    }
}

/// A run of whole months of one [`PeriodKind`]. Built only through the constructors, so the
/// first month is always aligned (a fiscal year always starts in April) and every month of the
/// period is inside the supported years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    kind: PeriodKind,
    first: Month,
}

impl Period {
    pub fn month(month: Month) -> Period {
        Period {
            kind: PeriodKind::Month,
            first: month,
        }
    }

    /// Calendar quarter `quarter` (1–4) of `year`.
    pub fn quarter(year: i32, quarter: u8) -> Result<Period, PeriodError> {
        let q = check_quarter(quarter)?;
        Period::build(PeriodKind::Quarter, i64::from(year) * 12 + (q - 1) * 3)
    }

    pub fn year(year: i32) -> Result<Period, PeriodError> {
        Period::build(PeriodKind::Year, i64::from(year) * 12)
    }

    /// FY`year`: April of `year` to March of the next.
    pub fn fiscal_year(year: i32) -> Result<Period, PeriodError> {
        Period::build(PeriodKind::FiscalYear, i64::from(year) * 12 + 3)
    }

    /// Quarter `quarter` (1–4) of FY`year`; Q4 is January–March of `year + 1`.
    pub fn fiscal_quarter(year: i32, quarter: u8) -> Result<Period, PeriodError> {
        let q = check_quarter(quarter)?;
        Period::build(
            PeriodKind::FiscalQuarter,
            i64::from(year) * 12 + 3 + (q - 1) * 3,
        )
    }

    /// The period of `kind` that contains `month`. Fails only at the edges of the supported
    /// years (the fiscal year of January 0001 would start in the year 0).
    pub fn containing(kind: PeriodKind, month: Month) -> Result<Period, PeriodError> {
        match kind {
            PeriodKind::Month => Ok(Period::month(month)),
            PeriodKind::Quarter => Period::quarter(month.year(), month.quarter()),
            PeriodKind::Year => Period::year(month.year()),
            PeriodKind::FiscalYear => Period::fiscal_year(month.fiscal_year()),
            PeriodKind::FiscalQuarter => {
                Period::fiscal_quarter(month.fiscal_year(), month.fiscal_quarter())
            }
        }
    }

    /// The period of `kind` that contains an instant, placed in Japan time.
    pub fn containing_ms_jst(kind: PeriodKind, ms: i64) -> Result<Period, PeriodError> {
        Period::containing(kind, Month::from_ms_jst(ms)?)
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// The year in the period's name: the fiscal year for `FY…`, else the calendar year.
    pub fn year_number(self) -> i32 {
        match self.kind {
            PeriodKind::FiscalYear | PeriodKind::FiscalQuarter => self.first.fiscal_year(),
            _ => self.first.year(),
        }
    }

    /// The quarter in the period's name, for the two quarter kinds.
    pub fn quarter_number(self) -> Option<u8> {
        match self.kind {
            PeriodKind::Quarter => Some(self.first.quarter()),
            PeriodKind::FiscalQuarter => Some(self.first.fiscal_quarter()),
            _ => None,
        }
    }

    /// The first month, inclusive.
    pub fn first_month(self) -> Month {
        self.first
    }

    /// The last month, inclusive.
    pub fn last_month(self) -> Month {
        // Every month of the period was checked when it was built.
        Month::from_index(self.last_index()).unwrap_or(self.first)
    }

    /// 00:00 JST on the first day, in Unix milliseconds (inclusive).
    pub fn start_ms_jst(self) -> i64 {
        self.first.start_ms_jst()
    }

    /// 00:00 JST on the day after the last day, in Unix milliseconds (exclusive): a half-open
    /// range, so `start <= t && t < end` never double-counts the instant at midnight.
    pub fn end_ms_jst(self) -> i64 {
        index_start_ms(self.last_index() + 1)
    }

    pub fn contains(self, month: Month) -> bool {
        (self.first.index()..=self.last_index()).contains(&month.index())
    }

    pub fn contains_ms(self, ms: i64) -> bool {
        (self.start_ms_jst()..self.end_ms_jst()).contains(&ms)
    }

    /// The months of the period in order.
    pub fn months(self) -> Months {
        Months {
            next: self.first.index(),
            end: self.last_index() + 1,
        }
    }

    /// `2015年4月`, `2015年第2四半期`, `2015年`, `2015年度`, `2015年度第1四半期`.
    pub fn label_ja(self) -> String {
        let (y, q) = (self.year_number(), self.quarter_number().unwrap_or(0));
        match self.kind {
            PeriodKind::Month => self.first.label_ja(),
            PeriodKind::Quarter => format!("{y:04}年第{q}四半期"),
            PeriodKind::Year => format!("{y:04}年"),
            PeriodKind::FiscalYear => format!("{y:04}年度"),
            PeriodKind::FiscalQuarter => format!("{y:04}年度第{q}四半期"),
        }
    }

    /// `April 2015`, `Q2 2015`, `2015`, `FY2015`, `FY2015 Q1`.
    pub fn label_en(self) -> String {
        let (y, q) = (self.year_number(), self.quarter_number().unwrap_or(0));
        match self.kind {
            PeriodKind::Month => self.first.label_en(),
            PeriodKind::Quarter => format!("Q{q} {y:04}"),
            PeriodKind::Year => format!("{y:04}"),
            PeriodKind::FiscalYear => format!("FY{y:04}"),
            PeriodKind::FiscalQuarter => format!("FY{y:04} Q{q}"),
        }
    }

    /// The dates covered, as JPCERT/CC titles its reports: `2015年4月1日～2016年3月31日`.
    pub fn span_ja(self) -> String {
        let (a, b) = (self.first, self.last_month());
        format!(
            "{:04}年{}月1日～{:04}年{}月{}日",
            a.year(),
            a.month(),
            b.year(),
            b.month(),
            b.days()
        )
    }

    /// `1 April 2015 – 31 March 2016`
    pub fn span_en(self) -> String {
        let (a, b) = (self.first, self.last_month());
        format!("1 {} – {} {}", a.label_en(), b.days(), b.label_en())
    }

    fn last_index(self) -> i64 {
        self.first.index() + i64::from(self.kind.len_months()) - 1
    }

    fn build(kind: PeriodKind, first_index: i64) -> Result<Period, PeriodError> {
        let first = Month::from_index(first_index)?;
        Month::from_index(first_index + i64::from(kind.len_months()) - 1)?;
        Ok(Period { kind, first })
    }
}

impl fmt::Display for Period {
    /// The canonical machine form: `2015-04`, `2015Q2`, `2015`, `FY2015`, `FY2015Q1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, q) = (self.year_number(), self.quarter_number().unwrap_or(0));
        match self.kind {
            PeriodKind::Month => write!(f, "{}", self.first),
            PeriodKind::Quarter => write!(f, "{y:04}Q{q}"),
            PeriodKind::Year => write!(f, "{y:04}"),
            PeriodKind::FiscalYear => write!(f, "FY{y:04}"),
            PeriodKind::FiscalQuarter => write!(f, "FY{y:04}Q{q}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    /// Case-insensitive; full-width digits and letters are read as ASCII. Accepts the canonical
    /// forms, `CY2015`, `2015-Q2`, `FY2015-Q1`, `201504`, and the Japanese and English labels.
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        parse::period(s)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Period, PeriodError> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// The months of a [`Period`], oldest first.
#[derive(Debug, Clone)]
pub struct Months {
    next: i64,
    end: i64,
}

impl Iterator for Months {
    type Item = Month;
    fn next(&mut self) -> Option<Month> {
        if self.next >= self.end {
            return None;
        }
        let m = Month::from_index(self.next).ok()?;
        self.next += 1;
        Some(m)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.end - self.next).unwrap_or(0);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Months {}

fn check_quarter(quarter: u8) -> Result<i64, PeriodError> {
    if (1..=4).contains(&quarter) {
        Ok(quarter.into())
    } else {
        Err(PeriodError::BadQuarter {
            quarter: quarter.into(),
        })
    }
}
