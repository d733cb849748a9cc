//! Reading typed values out of rows, with stored garbage reported as corruption rather than a
//! panic.

use crate::{Result, StoreError};
use hikeshi_domain::{Named, parse_named};
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn named<T: Named>(r: &AnyRow, col: &str) -> Result<T> {
    let s: String = r.try_get(col)?;
    parse_named(&s).map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

pub(crate) fn flag(r: &AnyRow, col: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

/// Page arithmetic shared by every list: 1-based page, clamped page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl Page {
    pub const MAX_PER_PAGE: i64 = 200;

    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Page {
        Page {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
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

/// One page of results and the total that matched.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
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
