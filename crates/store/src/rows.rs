//! Reading typed values out of rows, with stored garbage reported as corruption rather than a
//! panic.

use crate::{Result, StoreError};
use hikeshi_domain::{Named, Priority, parse_named};
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn named<T: Named>(r: &AnyRow, col: &str) -> Result<T> {
    let s: String = r.try_get(col)?;
    parse_named(&s).map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

pub(crate) fn flag(r: &AnyRow, col: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

/// Page arithmetic shared by every list: 1-based page, clamped page size, and for the lists
/// paged by keyset (incidents, reports) where the page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
    /// Start after or end before a row, instead of counting `page` pages from the top. A
    /// keyset page is one index range read however deep it is; `page` beyond the first walks
    /// every row before it (OFFSET), kept for old links and lists without a keyset.
    pub seek: Option<Seek>,
}

impl Page {
    pub const MAX_PER_PAGE: i64 = 200;

    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Page {
        Page {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
            seek: None,
        }
    }

    /// The same page size, starting where `seek` says.
    pub fn seek(self, seek: Option<Seek>) -> Page {
        Page { seek, ..self }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

impl Default for Page {
    fn default() -> Self {
        Page::new(None, None)
    }
}

/// The sort key of one row of a keyset-paged list, as a link carries it: incidents
/// `p2.1764115200000.42` (priority, last update in ms, id), reports `1764115200000.42` (receipt,
/// id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The leading sort key where the list has one (incidents: priority).
    pub lead: Option<Priority>,
    pub at: i64,
    pub id: i64,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = self.lead {
            write!(f, "{}.", p.as_str())?;
        }
        write!(f, "{}.{}", self.at, self.id)
    }
}

impl std::str::FromStr for Cursor {
    type Err = ();

    fn from_str(s: &str) -> std::result::Result<Cursor, ()> {
        let parts: Vec<&str> = s.split('.').collect();
        let (lead, at, id) = match parts[..] {
            [p, at, id] => (Some(parse_named(p).map_err(|_| ())?), at, id),
            [at, id] => (None, at, id),
            _ => return Err(()),
        };
        Ok(Cursor {
            lead,
            at: at.parse().map_err(|_| ())?,
            id: id.parse().map_err(|_| ())?,
        })
    }
}

impl serde::Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Which side of a cursor a keyset page is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seek {
    /// The rows after this one in the list's order (the next page).
    After(Cursor),
    /// The rows before this one (the previous page), still listed in the list's order.
    Before(Cursor),
}

/// The most rows a list counts for its total: past it the total is a lower bound
/// (`total_exact` false), so a list over 100,000 rows does not count them all on every page.
pub const TOTAL_CAP: i64 = 10_000;

/// One page of results and the total that matched.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    /// False when `total` is [`TOTAL_CAP`] and more rows matched.
    pub total_exact: bool,
    /// Where the next page starts (`Seek::After`), on keyset-paged lists with more rows.
    pub next: Option<Cursor>,
    /// Where the previous page ends (`Seek::Before`), on keyset-paged lists not at the top.
    pub prev: Option<Cursor>,
}

/// `%text%` for a case-insensitive LIKE, with the wildcard characters of the input escaped so a
/// search for `100%` finds "100%" and not everything.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}
