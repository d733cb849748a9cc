//! Reading a period from what people type: the canonical forms, their common variants and the
//! Japanese and English labels, so every label hikeshi prints can be pasted back in.
//!
//! A hand-written reader rather than a regular expression: the forms are few, and each failure
//! can say precisely what was wrong (month 13, quarter 5) instead of "no pattern matched".

use super::month::MONTH_NAMES;
use super::{Month, Period, PeriodError};

pub(super) fn period(input: &str) -> Result<Period, PeriodError> {
    let norm = normalise(input);
    let s = norm.as_str();
    let unrecognised = || PeriodError::Unrecognised {
        input: input.to_owned(),
    };
    if s.contains('年') {
        return japanese(s, input).unwrap_or_else(|| Err(unrecognised()));
    }
    if let Some(rest) = s.strip_prefix("fy") {
        let rest = rest.trim_start();
        return match year_and_quarter(rest) {
            Some((y, q)) => Period::fiscal_quarter(y, quarter(q, input)?),
            None => Period::fiscal_year(year(rest).ok_or_else(unrecognised)?),
        };
    }
    // `CY` only says "calendar", which is already the default for the forms below.
    let s = s.strip_prefix("cy").map_or(s, str::trim_start);
    if let Some((y, q)) = year_and_quarter(s) {
        return Period::quarter(y, quarter(q, input)?);
    }
    // `Q2 2015`, the English label.
    if let Some((q, y)) = s.strip_prefix('q').and_then(|r| r.split_once(' ')) {
        return Period::quarter(year(y).ok_or_else(unrecognised)?, quarter(q, input)?);
    }
    if let Some(y) = year(s) {
        return Period::year(y);
    }
    if let Some((y, m)) = numeric_month(s) {
        return Month::new(y, month(m, input)?).map(Period::month);
    }
    // `April 2015` or `Apr 2015`, the English label.
    if let Some((name, y)) = s.split_once(' ') {
        let y = year(y).ok_or_else(unrecognised)?;
        let found = MONTH_NAMES.iter().position(|full| {
            let full = full.to_ascii_lowercase();
            name == full || (name.len() == 3 && full.starts_with(name))
        });
        if let Some(i) = found {
            return Month::new(y, i as u8 + 1).map(Period::month);
        }
    }
    Err(unrecognised())
}

/// `2015年4月`, `2015年第2四半期`, `2015年`, `2015年度`, `2015年度第1四半期`; `None` when the
/// shape is none of these.
fn japanese(s: &str, input: &str) -> Option<Result<Period, PeriodError>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(rest) = s.strip_suffix("四半期") {
        let (head, q) = rest.rsplit_once('第')?;
        let q = match q {
            "一" => "1",
            "二" => "2",
            "三" => "3",
            "四" => "4",
            digits => digits,
        };
        let q = match quarter(q, input) {
            Ok(q) => q,
            Err(e) => return Some(Err(e)),
        };
        if let Some(y) = head.strip_suffix("年度") {
            return Some(Period::fiscal_quarter(year(y)?, q));
        }
        return Some(Period::quarter(year(head.strip_suffix('年')?)?, q));
    }
    if let Some(y) = s.strip_suffix("年度") {
        return Some(Period::fiscal_year(year(y)?));
    }
    if let Some(rest) = s.strip_suffix('月') {
        let (y, m) = rest.split_once('年')?;
        let y = year(y)?;
        return Some(
            month(m, input)
                .and_then(|m| Month::new(y, m))
                .map(Period::month),
        );
    }
    Some(Period::year(year(s.strip_suffix('年')?)?))
}

/// Full-width ASCII (what a Japanese input method types) read as ASCII, case folded, runs of
/// spaces made one, so `ＦＹ２０１５` and `fy 2015` parse like `FY2015`.
fn normalise(input: &str) -> String {
    let folded: String = input
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Exactly four ASCII digits: `15` is refused rather than guessed to mean 2015 or 1915.
fn year(s: &str) -> Option<i32> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// `2015q2`, `2015-q2`, `2015 q2` → (2015, "2"); the quarter is checked by [`quarter`].
fn year_and_quarter(s: &str) -> Option<(i32, &str)> {
    let (y, rest) = (year(s.get(..4)?)?, s.get(4..)?);
    let rest = rest.strip_prefix(['-', ' ']).unwrap_or(rest);
    Some((y, rest.strip_prefix('q')?))
}

/// `2015-04`, `2015-4`, `2015/04`, `201504` → (2015, "04"); the month is checked by [`month`].
fn numeric_month(s: &str) -> Option<(i32, &str)> {
    if let Some((y, m)) = s.split_once(['-', '/']) {
        return Some((year(y)?, m));
    }
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some((year(s.get(..4)?)?, s.get(4..)?));
    }
    None
}

fn small_number(s: &str, max_digits: usize) -> Option<u32> {
    if !s.is_empty() && s.len() <= max_digits && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// A quarter number; a number out of range is named in the error, anything else is `input`
/// not being a period at all.
fn quarter(s: &str, input: &str) -> Result<u8, PeriodError> {
    match small_number(s, 1) {
        Some(q @ 1..=4) => Ok(q as u8),
        Some(q) => Err(PeriodError::BadQuarter { quarter: q }),
        None => Err(PeriodError::Unrecognised {
            input: input.to_owned(),
        }),
    }
}

fn month(s: &str, input: &str) -> Result<u8, PeriodError> {
    match small_number(s, 2) {
        Some(m @ 1..=12) => Ok(m as u8),
        Some(m) => Err(PeriodError::BadMonth { month: m }),
        None => Err(PeriodError::Unrecognised {
            input: input.to_owned(),
        }),
    }
}
