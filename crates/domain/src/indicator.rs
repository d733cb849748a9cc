//! Indicators as an incident sees them: the global indicator (kind and normal form, from
//! hikeshi-ioc) plus this incident's context — its role here, its own TLP and note, when it was
//! first and last seen. The context is per incident on purpose: one incident's TLP:RED note must
//! never show in another incident's view.

use crate::named::Named;
use crate::tlp::Tlp;
use crate::{IncidentId, IncidentNumber, Phase, ReportId};
pub use hikeshi_ioc::{Indicator, Kind};
use serde::{Deserialize, Serialize};

/// What the indicator is in this incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndicatorRole {
    Unknown,
    C2,
    Phishing,
    MalwareDistribution,
    Dropper,
    Payload,
    Exfiltration,
    Scanner,
    Victim,
    Other,
}

impl Named for IndicatorRole {
    const WHAT: &'static str = "indicator-role";
    fn all() -> &'static [Self] {
        &[
            Self::Unknown,
            Self::C2,
            Self::Phishing,
            Self::MalwareDistribution,
            Self::Dropper,
            Self::Payload,
            Self::Exfiltration,
            Self::Scanner,
            Self::Victim,
            Self::Other,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::C2 => "c2",
            Self::Phishing => "phishing",
            Self::MalwareDistribution => "malware-distribution",
            Self::Dropper => "dropper",
            Self::Payload => "payload",
            Self::Exfiltration => "exfiltration",
            Self::Scanner => "scanner",
            Self::Victim => "victim",
            Self::Other => "other",
        }
    }
}

/// The stored identity of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IndicatorId(pub i64);

/// An indicator in one incident, with that incident's context.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentIndicator {
    pub id: IndicatorId,
    pub indicator: Indicator,
    pub role: IndicatorRole,
    pub tlp: Tlp,
    pub note: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub added_at: i64,
    pub sighting_count: i64,
}

/// The context given when attaching an indicator to an incident.
#[derive(Debug, Clone)]
pub struct IndicatorContext {
    pub role: IndicatorRole,
    pub tlp: Tlp,
    pub note: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

impl Default for IndicatorContext {
    fn default() -> Self {
        IndicatorContext {
            role: IndicatorRole::Unknown,
            tlp: Tlp::Amber,
            note: String::new(),
            first_seen: None,
            last_seen: None,
        }
    }
}

/// Another incident holding the same (or a weakly linked) indicator. Only what identifies the
/// other incident is shown, never its context (note, first/last seen).
#[derive(Debug, Clone, Serialize)]
pub struct IncidentLink {
    pub incident: IncidentId,
    pub number: IncidentNumber,
    pub title: String,
    pub phase: Phase,
}

/// A report whose text contained the indicator.
#[derive(Debug, Clone, Serialize)]
pub struct ReportLink {
    pub report: ReportId,
    pub subject: String,
    pub received_at: i64,
}

/// A weaker link: another indicator sharing a key (registrable domain, network, URL host).
#[derive(Debug, Clone, Serialize)]
pub struct WeakLink {
    pub link: hikeshi_ioc::Link,
    pub key: String,
    pub indicator: Indicator,
    pub incidents: Vec<IncidentLink>,
}

/// Where else an indicator has been seen.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Correlations {
    pub incidents: Vec<IncidentLink>,
    pub reports: Vec<ReportLink>,
    pub weak: Vec<WeakLink>,
    /// Outside sources that carried it: feeds, imported STIX/MISP files, peers' MISP events.
    pub sources: Vec<SourceLink>,
}

/// An outside source of an indicator, with the marking it came with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceLink {
    /// `feed:2`, `import:stix:FILE`, `misp:event:UUID`.
    pub source: String,
    /// The object it came in (a STIX id, a MISP attribute uuid).
    pub source_ref: String,
    pub tlp: Tlp,
    pub first_at: i64,
    pub last_at: i64,
}

/// An indicator found in a report's text, as proposed to the handler.
#[derive(Debug, Clone, Serialize)]
pub struct ReportIndicator {
    pub id: IndicatorId,
    pub indicator: Indicator,
    /// `subject`, `body`, or `attachment:N`.
    pub source: String,
    /// As written (defanged, full-width…).
    pub raw: String,
    pub start: i64,
    pub end: i64,
    /// Names of the warning lists it is on, comma-separated.
    pub warnings: String,
    /// `proposed`, `accepted` (attached to an incident) or `dismissed`.
    pub status: String,
}

/// A sweep hit to record as a sighting on an incident.
#[derive(Debug, Clone)]
pub struct NewSighting {
    pub indicator: Indicator,
    /// The log file (as given to the sweep).
    pub source: String,
    pub line: i64,
    pub offset: i64,
    pub field: String,
    /// The internal host (source of the connection), when the log format has one.
    pub host: String,
    pub destination: String,
    /// The log line's own timestamp, as written.
    pub seen_at: String,
}

/// A recorded sighting.
#[derive(Debug, Clone, Serialize)]
pub struct Sighting {
    pub indicator: Indicator,
    pub source: String,
    pub line: i64,
    pub field: String,
    pub host: String,
    pub destination: String,
    pub seen_at: String,
    /// The asset the host was matched to by name or address.
    pub asset: Option<String>,
    pub recorded_at: i64,
}
