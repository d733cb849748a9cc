//! Small helpers shared by the API and the UI.

use crate::error::{AppError, AppResult};
use hikeshi_domain::{IncidentId, IncidentNumber};

/// Constant-time string comparison for secrets.
pub fn ct_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An incident named in a path: its numeric id or its number `HK-2026-000123`.
pub enum IncidentRef {
    Id(IncidentId),
    Number(IncidentNumber),
}

pub fn incident_ref(s: &str) -> AppResult<IncidentRef> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(IncidentRef::Id(IncidentId(n)));
    }
    s.parse::<IncidentNumber>()
        .map(IncidentRef::Number)
        .map_err(|_| {
            AppError::bad_request(format!(
                "{s:?} is neither an incident id nor a number like HK-2026-000123"
            ))
        })
}

/// A request's `Content-Type`, or `""` when it has none (or one that is not text).
pub fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// `s` with anything but ASCII letters, digits, `.`, `-` and `_` replaced by `_`: a file name
/// that is safe in a header and on disk.
pub fn safe_file_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
