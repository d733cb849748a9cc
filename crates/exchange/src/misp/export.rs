//! ShareSet → MISP events.
//!
//! One event per [`ShareIncident`] (uuid = the incident's uuid, `info` = `"HK-… title"`, `date`
//! = the day it was created, UTC), plus one event for the indicators that belong to no incident,
//! whose uuid is UUIDv5 over the producer's uuid with the name
//! [`ORPHAN_EVENT_NAME`], so the same team always updates the same event. The same set always
//! gives the same events, byte for byte: nothing reads the clock.

use hikeshi_domain::time::rfc3339;
use hikeshi_domain::tlp::Tlp;
use serde_json::{Value, json};
use uuid::Uuid;

use super::mapping::{
    INHERIT, category_tag, distribution, export_type, export_value, role_tag, rsit_tag, tlp_tag,
    to_ids,
};
use super::types::{Attribute, Event, MispBool, MispInt, Org, Tag};
use crate::share::{ShareIncident, ShareIndicator, ShareSet};

/// The UUIDv5 name (under the producer's uuid) of the event holding indicators without an
/// incident.
pub const ORPHAN_EVENT_NAME: &str = "hikeshi:indicators-without-incident";

/// `threat_level_id` 4: undefined. hikeshi's priority is the team's own judgement of its own
/// impact, not a threat level for the receiver, so it is not translated.
const THREAT_LEVEL_UNDEFINED: i64 = 4;
/// `analysis` 1: ongoing. hikeshi shares while an incident is being handled.
const ANALYSIS_ONGOING: i64 = 1;

/// Every event of the set, in the set's order, the incident-less event last (only when there
/// are such indicators). The set is expected to be capped ([`ShareSet::cap`]) already.
pub fn export_events(set: &ShareSet) -> Vec<Event> {
    let mut events = Vec::with_capacity(set.incidents.len() + 1);
    for (i, inc) in set.incidents.iter().enumerate() {
        let members: Vec<&ShareIndicator> = set
            .indicators
            .iter()
            .filter(|x| x.incident == Some(i))
            .collect();
        events.push(incident_event(set, inc, &members));
    }
    let orphans: Vec<&ShareIndicator> = set
        .indicators
        .iter()
        .filter(|x| x.incident.is_none_or(|i| i >= set.incidents.len()))
        .collect();
    if !orphans.is_empty() {
        events.push(orphan_event(set, &orphans));
    }
    events
}

/// The uuid of the incident-less event for a producer.
pub fn orphan_event_uuid(producer_uuid: &str) -> String {
    let ns = Uuid::parse_str(producer_uuid)
        .unwrap_or_else(|_| Uuid::new_v5(&Uuid::NAMESPACE_OID, producer_uuid.as_bytes()));
    Uuid::new_v5(&ns, ORPHAN_EVENT_NAME.as_bytes()).to_string()
}

fn incident_event(set: &ShareSet, inc: &ShareIncident, members: &[&ShareIndicator]) -> Event {
    let modified = members
        .iter()
        .map(|m| m.modified)
        .chain([inc.modified])
        .max()
        .unwrap_or(inc.modified);
    let info = if inc.title.is_empty() {
        inc.number.clone()
    } else {
        format!("{} {}", inc.number, inc.title)
    };
    let mut tags = vec![tlp_tag(inc.tlp)];
    if !inc.rsit_class.is_empty() && !inc.rsit_type.is_empty() {
        tags.push(rsit_tag(&inc.rsit_class, &inc.rsit_type));
    }
    if !inc.category.is_empty() {
        tags.push(category_tag(&inc.category));
    }
    let mut ev = base_event(
        set,
        inc.uuid.clone(),
        info,
        inc.created,
        modified,
        inc.tlp,
        tags,
    );
    if !inc.description.is_empty() {
        ev.event_reports = Some(vec![description_report(inc, modified)]);
    }
    ev.attributes = Some(members.iter().map(|m| attribute(m, inc.tlp)).collect());
    ev
}

fn orphan_event(set: &ShareSet, members: &[&ShareIndicator]) -> Event {
    // The least restrictive marking of its members: each member more restrictive than that
    // carries its own tag, so every attribute reads back with exactly its own TLP.
    let tlp = members.iter().map(|m| m.tlp).min().unwrap_or(Tlp::Clear);
    let created = members.iter().map(|m| m.created).min().unwrap_or(0);
    let modified = members.iter().map(|m| m.modified).max().unwrap_or(0);
    let info = format!("{}: indicators without an incident", set.producer.name);
    let mut ev = base_event(
        set,
        orphan_event_uuid(&set.producer.uuid),
        info,
        created,
        modified,
        tlp,
        vec![tlp_tag(tlp)],
    );
    ev.attributes = Some(members.iter().map(|m| attribute(m, tlp)).collect());
    ev
}

fn base_event(
    set: &ShareSet,
    uuid: String,
    info: String,
    created: i64,
    modified: i64,
    tlp: Tlp,
    tags: Vec<Tag>,
) -> Event {
    Event {
        uuid: Some(uuid),
        info: Some(info),
        date: Some(date_of(created)),
        threat_level_id: Some(MispInt::quoted(THREAT_LEVEL_UNDEFINED)),
        analysis: Some(MispInt::quoted(ANALYSIS_ONGOING)),
        distribution: Some(MispInt::quoted(distribution(tlp))),
        published: Some(MispBool::new(true)),
        timestamp: Some(MispInt::quoted(seconds(modified))),
        publish_timestamp: Some(MispInt::quoted(seconds(modified))),
        orgc: Some(Org {
            name: Some(set.producer.name.clone()),
            uuid: Some(set.producer.uuid.clone()),
            ..Org::default()
        }),
        tags: Some(tags),
        ..Event::default()
    }
}

fn attribute(ind: &ShareIndicator, event_tlp: Tlp) -> Attribute {
    let kind = ind.indicator.kind;
    let (misp_type, category) = export_type(kind, ind.role);
    let mut tags = vec![role_tag(ind.role)];
    let dist = if ind.tlp == event_tlp {
        INHERIT
    } else {
        tags.push(tlp_tag(ind.tlp));
        distribution(ind.tlp)
    };
    Attribute {
        uuid: Some(ind.uuid.clone()),
        kind: misp_type.to_owned(),
        category: Some(category.to_owned()),
        value: export_value(kind, &ind.indicator.value),
        to_ids: Some(MispBool::new(to_ids(kind, ind.role))),
        comment: Some(ind.comment.clone()),
        timestamp: Some(MispInt::quoted(seconds(ind.modified))),
        distribution: Some(MispInt::quoted(dist)),
        first_seen: ind.first_seen.map(rfc3339),
        last_seen: ind.last_seen.map(rfc3339),
        tags: Some(tags),
        ..Attribute::default()
    }
}

/// The incident's public description as an event report, MISP's place for prose.
fn description_report(inc: &ShareIncident, modified: i64) -> Value {
    let ns = Uuid::parse_str(&inc.uuid)
        .unwrap_or_else(|_| Uuid::new_v5(&Uuid::NAMESPACE_OID, inc.uuid.as_bytes()));
    json!({
        "uuid": Uuid::new_v5(&ns, b"hikeshi:description").to_string(),
        "name": "Description",
        "content": inc.description,
        "timestamp": seconds(modified).to_string(),
        "deleted": false,
    })
}

fn seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// `YYYY-MM-DD` in UTC.
fn date_of(ms: i64) -> String {
    let s = rfc3339(ms);
    s.get(..10).unwrap_or("1970-01-01").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_seconds_are_utc_and_floor() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(1_795_000_000_000), "2026-11-18");
        assert_eq!(seconds(1999), 1);
        assert_eq!(seconds(-1), -1);
    }

    #[test]
    fn the_orphan_event_uuid_is_stable_per_producer() {
        let a = orphan_event_uuid("6f1d3a52-4c1b-4f39-9a59-2f1f8a3c1d01");
        assert_eq!(a, orphan_event_uuid("6f1d3a52-4c1b-4f39-9a59-2f1f8a3c1d01"));
        assert_ne!(a, orphan_event_uuid("6f1d3a52-4c1b-4f39-9a59-2f1f8a3c1d02"));
        assert_eq!(Uuid::parse_str(&a).unwrap().get_version_num(), 5);
    }
}
