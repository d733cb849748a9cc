//! The neutral sharing model: what leaves hikeshi and what comes in, independent of the format.
//!
//! Export paths (STIX 2.1, MISP JSON, MISP feeds, CSV, defanged text) all take a [`ShareSet`]
//! built by the server or CLI from the store, and every one of them calls [`ShareSet::cap`]
//! first, so the TLP ceiling of the audience is applied in one place: an item whose marking is
//! above the ceiling never reaches a writer. Import paths return an [`Imported`]: the indicators
//! and relations understood, the objects kept as they came (unknown types are never dropped), and
//! the objects rejected, each with its id and reason.

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::tlp::Tlp;
use hikeshi_ioc::Indicator;
use serde::Serialize;

/// Who published the shared data (a STIX `identity`, a MISP `Orgc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Producer {
    /// The team's name, e.g. "Example CSIRT".
    pub name: String,
    /// A stable UUID (RFC 4122 text form) for the team, the same across exports, so STIX
    /// `identity--<uuid>` and MISP `Orgc.uuid` stay the same object at the receiver.
    pub uuid: String,
}

/// One incident being shared (a STIX `report`, a MISP event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareIncident {
    /// A stable UUID for the incident (same on every export of it).
    pub uuid: String,
    /// "HK-2026-00042".
    pub number: String,
    pub title: String,
    /// JPCERT/CC category key (`phishing`, `malware-site`, …).
    pub category: String,
    /// RSIT class/type (`fraud`, `phishing`).
    pub rsit_class: String,
    pub rsit_type: String,
    pub tlp: Tlp,
    /// Milliseconds since the epoch (hikeshi-domain::time).
    pub created: i64,
    pub modified: i64,
    /// A short public description; never the internal notes.
    pub description: String,
}

/// One indicator being shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareIndicator {
    /// A stable UUID for this indicator in this sharing context.
    pub uuid: String,
    pub indicator: Indicator,
    pub role: IndicatorRole,
    pub tlp: Tlp,
    /// Index into [`ShareSet::incidents`] of the incident this indicator belongs to, if any.
    pub incident: Option<usize>,
    /// What the handler wrote for outside readers (may be empty).
    pub comment: String,
    /// ms since the epoch.
    pub created: i64,
    pub modified: i64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

/// What is being exported, before the audience's ceiling is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareSet {
    pub producer: Producer,
    pub incidents: Vec<ShareIncident>,
    pub indicators: Vec<ShareIndicator>,
}

impl ShareSet {
    /// Apply an audience's TLP ceiling: every incident and indicator marked above `max` is
    /// removed, and an indicator whose incident was removed is removed with it (an AMBER
    /// indicator of a RED incident would tell the reader the RED incident exists).
    /// Returns how many items were withheld.
    pub fn cap(&mut self, max: Tlp) -> usize {
        let before = self.incidents.len() + self.indicators.len();
        let keep: Vec<bool> = self.incidents.iter().map(|i| i.tlp <= max).collect();
        let mut new_index = vec![None; self.incidents.len()];
        let mut next = 0;
        for (i, k) in keep.iter().enumerate() {
            if *k {
                new_index[i] = Some(next);
                next += 1;
            }
        }
        self.indicators.retain_mut(|ind| {
            if ind.tlp > max {
                return false;
            }
            match ind.incident {
                None => true,
                Some(i) => match new_index.get(i).copied().flatten() {
                    Some(n) => {
                        ind.incident = Some(n);
                        true
                    }
                    None => false,
                },
            }
        });
        let mut idx = 0;
        self.incidents.retain(|_| {
            let k = keep[idx];
            idx += 1;
            k
        });
        before - (self.incidents.len() + self.indicators.len())
    }

    /// The most restrictive marking left in the set (Clear when empty).
    pub fn max_tlp(&self) -> Tlp {
        self.incidents
            .iter()
            .map(|i| i.tlp)
            .chain(self.indicators.iter().map(|i| i.tlp))
            .max()
            .unwrap_or(Tlp::Clear)
    }
}

/// An indicator that came in from outside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InIndicator {
    /// The id of the object it came from (`indicator--…`, a MISP attribute uuid).
    pub source_id: String,
    pub indicator: Indicator,
    /// The marking it carried; `None` when it carried none (the importer decides the default).
    pub tlp: Option<Tlp>,
    pub role: IndicatorRole,
    /// Name/description/comment text that came with it.
    pub comment: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Index into [`Imported::groups`] of the report/event it came in, if any.
    pub group: Option<usize>,
}

/// A container that came in (a STIX `report`, a MISP event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InGroup {
    pub source_id: String,
    pub title: String,
    pub tlp: Option<Tlp>,
    pub created: Option<i64>,
    pub description: String,
}

/// A relation between two imported objects (a STIX `relationship`), kept by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InRelation {
    pub source_ref: String,
    pub relationship_type: String,
    pub target_ref: String,
}

/// An object that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The object's id when it had one, else its position (`objects[17]`, `Attribute[3]`).
    pub object: String,
    pub reason: String,
}

/// The result of an import: nothing the sender gave is silently lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Imported {
    pub groups: Vec<InGroup>,
    pub indicators: Vec<InIndicator>,
    pub relations: Vec<InRelation>,
    /// Objects understood as valid but not turned into indicators (unknown or unmodelled
    /// types, malware, identities, …), kept whole so they can be stored and passed on.
    pub kept: Vec<serde_json::Value>,
    pub rejected: Vec<Rejected>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikeshi_ioc::Kind;

    fn ind(uuid: &str, tlp: Tlp, incident: Option<usize>) -> ShareIndicator {
        ShareIndicator {
            uuid: uuid.into(),
            indicator: Indicator {
                kind: Kind::Domain,
                value: format!("{uuid}.example"),
            },
            role: IndicatorRole::C2,
            tlp,
            incident,
            comment: String::new(),
            created: 0,
            modified: 0,
            first_seen: None,
            last_seen: None,
        }
    }

    fn inc(uuid: &str, tlp: Tlp) -> ShareIncident {
        ShareIncident {
            uuid: uuid.into(),
            number: uuid.into(),
            title: String::new(),
            category: "other".into(),
            rsit_class: "other".into(),
            rsit_type: "other".into(),
            tlp,
            created: 0,
            modified: 0,
            description: String::new(),
        }
    }

    #[test]
    fn cap_removes_marked_items_and_the_indicators_of_removed_incidents() {
        let mut s = ShareSet {
            producer: Producer {
                name: "t".into(),
                uuid: "u".into(),
            },
            incidents: vec![inc("red", Tlp::Red), inc("green", Tlp::Green)],
            indicators: vec![
                ind("a", Tlp::Clear, Some(0)),
                ind("b", Tlp::Green, Some(1)),
                ind("c", Tlp::AmberStrict, Some(1)),
                ind("d", Tlp::Amber, None),
                ind("e", Tlp::Green, None),
            ],
        };
        assert_eq!(s.cap(Tlp::Amber), 3);
        let left: Vec<_> = s.indicators.iter().map(|i| i.uuid.as_str()).collect();
        assert_eq!(left, ["b", "d", "e"]);
        assert_eq!(s.indicators[0].incident, Some(0));
        assert_eq!(s.incidents[0].uuid, "green");
        assert_eq!(s.max_tlp(), Tlp::Amber);
        assert_eq!(s.cap(Tlp::Clear), 4);
        assert_eq!(s.max_tlp(), Tlp::Clear);
    }
}
