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
