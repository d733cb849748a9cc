//! Distinct identifier types, so an incident id can never be passed where a report id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares nothing by macro on purpose (house style §9): each id is spelled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentId(pub i64);

/// A report's id is also its ticket number, the one the reporter sees as `[hikeshi #N]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DecisionId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub i64);

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The stable, printable number of an incident: `HK-2026-000123` (year of opening, then a
/// per-year sequence). It never changes once given, even when the incident is merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncidentNumber {
    pub year: i32,
    pub seq: i64,
}

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HK-{:04}-{:06}", self.year, self.seq)
    }
}

impl std::str::FromStr for IncidentNumber {
    type Err = crate::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || crate::DomainError::BadIncidentNumber(s.to_owned());
        let rest = s
            .strip_prefix("HK-")
            .or_else(|| s.strip_prefix("hk-"))
            .ok_or_else(bad)?;
        let (year, seq) = rest.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        Ok(IncidentNumber {
            year: year.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for IncidentNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_numbers_print_with_year_and_six_digits_and_parse_back() {
        let n = IncidentNumber {
            year: 2026,
            seq: 123,
        };
        assert_eq!(n.to_string(), "HK-2026-000123");
        assert_eq!("HK-2026-000123".parse::<IncidentNumber>().unwrap(), n);
        assert!("HK-26-1".parse::<IncidentNumber>().is_err());
        assert!("HK-2026-".parse::<IncidentNumber>().is_err());
        assert!("2026-000123".parse::<IncidentNumber>().is_err());
    }
}
