//! MISP JSON → [`Imported`].
//!
//! Accepted shapes: `{"Event": {...}}` (an event file, `/events/view`), a bare event, a
//! restSearch answer `{"response": [{"Event": ...}, ...]}`, and a JSON list of either. Each event
//! becomes an [`InGroup`]; each attribute whose type is in the mapping table
//! ([`super::mapping::import_type`]) becomes one [`InIndicator`] (two for composite types such as
//! `domain|ip`); attributes inside objects too. What is valid but no indicator (objects whole,
//! galaxies, event reports, tags other than TLP, `text`/`comment`/`other` and unknown types,
//! deleted attributes) goes to `kept`, each wrapped with the event's uuid:
//! `{"event_uuid": "...", "Object": {...}}`. A value that does not parse as its type is
//! rejected with the attribute named: `Attribute[3] <uuid>`.

use hikeshi_domain::tlp::Tlp;
use hikeshi_ioc::{Indicator, Kind, parse_as, parse_indicator};
use serde_json::{Map, Value, json};

use super::MispError;
use super::mapping::{
    ImportType, import_type, is_consumed_tag, role_from_tags, tlp_of_tag, tlp_of_tags,
};
use super::parse::{parse_json, parse_time, typed_event};
use super::types::{Attribute, Event, MispObject, Tag, kind_of};
use crate::share::{Imported, InGroup, InIndicator, InRelation, Rejected};

/// Read MISP JSON (any of the accepted shapes) into indicators, groups and kept objects.
/// Errors only when the whole input is unusable: not JSON, or not an event (a single event
/// whose structure is broken). In a list, a broken event is rejected and the rest imported.
pub fn read_event(bytes: &[u8]) -> Result<Imported, MispError> {
    let v = parse_json(bytes)?;
    let mut out = Importer::default();
    out.value(v, "")?;
    Ok(out.finish())
}

/// Turn events already parsed (for example by the MISP-compatible API) into an [`Imported`].
pub fn import_events(events: &[Event]) -> Imported {
    let mut out = Importer::default();
    let many = events.len() > 1;
    for (i, ev) in events.iter().enumerate() {
        let prefix = if many {
            format!("Event[{i}] ")
        } else {
            String::new()
        };
        out.event(ev, &prefix);
    }
    out.finish()
}

/// One event from JSON, `{"Event": {...}}` or bare, strictly: any attribute or object that does
/// not fit the format is an error naming it. For the MISP-compatible API (`POST /events/add`).
pub fn event_from_value(v: Value) -> Result<Event, MispError> {
    let mut rejected = Vec::new();
    let ev = typed_event(v, "", &mut rejected).map_err(MispError::NotAnEvent)?;
    match rejected.into_iter().next() {
        Some(r) => Err(MispError::NotAnEvent(format!("{}: {}", r.object, r.reason))),
        None => Ok(ev),
    }
}

/// [`event_from_value`] on JSON text (a request body), with the line and column of a syntax
/// error.
pub fn event_from_slice(bytes: &[u8]) -> Result<Event, MispError> {
    event_from_value(parse_json(bytes)?)
}

/// An event as MISP returns it: `{"Event": {...}}`, every field it came with preserved.
pub fn event_to_value(e: &Event) -> Value {
    let inner = serde_json::to_value(e).unwrap_or_else(|_| Value::Object(Map::new()));
    json!({ "Event": inner })
}

#[derive(Default)]
pub(crate) struct Importer {
    pub(crate) out: Imported,
}

impl Importer {
    pub(crate) fn finish(self) -> Imported {
        self.out
    }

    pub(crate) fn reject(&mut self, object: String, reason: String) {
        self.out.rejected.push(Rejected { object, reason });
    }

    /// Any accepted top-level shape.
    pub(crate) fn value(&mut self, v: Value, prefix: &str) -> Result<(), MispError> {
        let list = match v {
            Value::Array(items) => Some(items),
            Value::Object(mut m) if m.contains_key("response") => {
                match m.remove("response").unwrap_or_default() {
                    Value::Array(items) => Some(items),
                    Value::Object(one) => Some(vec![Value::Object(one)]),
                    other => {
                        return Err(MispError::NotAnEvent(format!(
                            "\"response\" is {}, not a list of events",
                            kind_of(&other)
                        )));
                    }
                }
            }
            other => {
                let mut rejected = Vec::new();
                let ev =
                    typed_event(other, prefix, &mut rejected).map_err(MispError::NotAnEvent)?;
                self.out.rejected.extend(rejected);
                self.event(&ev, prefix);
                return Ok(());
            }
        };
        for (i, item) in list.into_iter().flatten().enumerate() {
            let label = format!("{prefix}Event[{i}]");
            let mut rejected = Vec::new();
            match typed_event(item, &format!("{label} "), &mut rejected) {
                Ok(ev) => {
                    self.out.rejected.extend(rejected);
                    self.event(&ev, &format!("{label} "));
                }
                Err(reason) => self.reject(label, reason),
            }
        }
        Ok(())
    }

    /// One typed event.
    pub(crate) fn event(&mut self, ev: &Event, prefix: &str) {
        let group = self.out.groups.len();
        // Without a uuid, the event's position names it (`Event[2]`, or `Event` alone).
        let uuid = ev.uuid.clone().unwrap_or_else(|| match prefix.trim() {
            "" => "Event".to_owned(),
            p => p.to_owned(),
        });
        let event_tlp = tlp_of_tags(ev.tags());
        let description: Vec<&str> = ev
            .event_reports
            .iter()
            .flatten()
            .filter(|r| r.get("deleted").and_then(Value::as_bool) != Some(true))
            .filter_map(|r| r.get("content").and_then(Value::as_str))
            .filter(|c| !c.is_empty())
            .collect();
        self.out.groups.push(InGroup {
            source_id: uuid.clone(),
            title: ev.info.clone().unwrap_or_default(),
            tlp: event_tlp,
            created: ev.date.as_deref().and_then(|d| parse_time(d).ok()),
            description: description.join("\n\n"),
        });

        let other_tags: Vec<&Tag> = ev
            .tags()
            .iter()
            .filter(|t| tlp_of_tag(&t.name).is_none())
            .collect();
        if !other_tags.is_empty() {
            self.keep(&uuid, "Tag", json!(other_tags));
        }
        for g in ev.galaxies.iter().flatten() {
            self.keep(&uuid, "Galaxy", g.clone());
        }
        for r in ev.event_reports.iter().flatten() {
            self.keep(&uuid, "EventReport", r.clone());
        }
        let ctx = Ctx {
            event_uuid: &uuid,
            group,
            event_tlp,
        };
        for (i, a) in ev.attributes().iter().enumerate() {
            let label = format!("{prefix}Attribute[{i}]{}", opt_suffix(&a.uuid));
            self.attribute(a, label, &ctx, false);
        }
        for (j, o) in ev.objects().iter().enumerate() {
            let olabel = format!("{prefix}Object[{j}]{}", opt_suffix(&o.uuid));
            self.keep(&uuid, "Object", serde_json::to_value(o).unwrap_or_default());
            self.object_references(o);
            for (k, a) in o.attributes().iter().enumerate() {
                let label = format!("{olabel} Attribute[{k}]{}", opt_suffix(&a.uuid));
                self.attribute(a, label, &ctx, true);
            }
        }
    }

    fn keep(&mut self, event_uuid: &str, what: &str, v: Value) {
        let mut m = Map::new();
        m.insert("event_uuid".into(), Value::String(event_uuid.to_owned()));
        m.insert(what.into(), v);
        self.out.kept.push(Value::Object(m));
    }

    fn object_references(&mut self, o: &MispObject) {
        let Some(Value::Array(refs)) = o.extra.get("ObjectReference") else {
            return;
        };
        for r in refs {
            let r = r.get("ObjectReference").unwrap_or(r);
            let source = r
                .get("object_uuid")
                .and_then(Value::as_str)
                .or(o.uuid.as_deref());
            let target = r.get("referenced_uuid").and_then(Value::as_str);
            let rel = r.get("relationship_type").and_then(Value::as_str);
            if let (Some(s), Some(t), Some(rel)) = (source, target, rel) {
                self.out.relations.push(InRelation {
                    source_ref: s.to_owned(),
                    relationship_type: rel.to_owned(),
                    target_ref: t.to_owned(),
                });
            }
        }
    }

    /// One attribute. Inside an object (`in_object`) nothing is kept separately: the object
    /// is kept whole.
    fn attribute(&mut self, a: &Attribute, label: String, ctx: &Ctx<'_>, in_object: bool) {
        let keep_alone = |me: &mut Self| {
            if !in_object {
                me.keep(
                    ctx.event_uuid,
                    "Attribute",
                    serde_json::to_value(a).unwrap_or_default(),
                );
            }
        };
        if a.deleted() {
            keep_alone(self);
            return;
        }
        let parsed = match import_type(&a.kind) {
            ImportType::Kept => {
                keep_alone(self);
                return;
            }
            ImportType::UriOrKept => match parse_value(&[Kind::Url], &a.value) {
                Ok(i) => vec![i],
                Err(_) => {
                    keep_alone(self);
                    return;
                }
            },
            ImportType::Single(kinds) => match parse_value(kinds, &a.value) {
                Ok(i) => vec![i],
                Err(reason) => return self.reject(label, format!("{}: {reason}", a.kind)),
            },
            ImportType::Pair(first, second) => match parse_pair(first, second, &a.value) {
                Ok(parts) => parts,
                Err(reason) => return self.reject(label, format!("{}: {reason}", a.kind)),
            },
        };
        let (indicators, port) = parsed_parts(parsed);
        let seen = |s: &Option<String>, what: &str| match s.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => parse_time(t).map(Some).map_err(|e| format!("{what}: {e}")),
        };
        let (first_seen, last_seen) = match (
            seen(&a.first_seen, "first_seen"),
            seen(&a.last_seen, "last_seen"),
        ) {
            (Ok(f), Ok(l)) => (f, l),
            (Err(e), _) | (_, Err(e)) => return self.reject(label, e),
        };
        let tlp = ctx.event_tlp.max(tlp_of_tags(a.tags()));
        let role = role_from_tags(a.tags());
        let mut comment = a.comment.clone().unwrap_or_default();
        if let Some(p) = port {
            comment = if comment.is_empty() {
                format!("port {p}")
            } else {
                format!("{comment} (port {p})")
            };
        }
        if !in_object {
            let other_tags: Vec<&Tag> = a
                .tags()
                .iter()
                .filter(|t| !is_consumed_tag(&t.name))
                .collect();
            if !other_tags.is_empty() {
                let mut m = Map::new();
                m.insert("event_uuid".into(), json!(ctx.event_uuid));
                m.insert("attribute_uuid".into(), json!(a.uuid));
                m.insert("Tag".into(), json!(other_tags));
                self.out.kept.push(Value::Object(m));
            }
        }
        let source_id = a.uuid.clone().unwrap_or_else(|| label.clone());
        for indicator in indicators {
            self.out.indicators.push(InIndicator {
                source_id: source_id.clone(),
                indicator,
                tlp,
                role,
                comment: comment.clone(),
                first_seen,
                last_seen,
                group: Some(ctx.group),
            });
        }
    }
}

struct Ctx<'a> {
    event_uuid: &'a str,
    group: usize,
    event_tlp: Option<Tlp>,
}

enum Part {
    Indicator(Indicator),
    Port(String),
}

fn parsed_parts(parts: Vec<Part>) -> (Vec<Indicator>, Option<String>) {
    let mut inds = Vec::new();
    let mut port = None;
    for p in parts {
        match p {
            Part::Indicator(i) => inds.push(i),
            Part::Port(p) => port = Some(p),
        }
    }
    (inds, port)
}

impl From<Indicator> for Part {
    fn from(i: Indicator) -> Self {
        Part::Indicator(i)
    }
}

fn opt_suffix(uuid: &Option<String>) -> String {
    match uuid {
        Some(u) => format!(" {}", u.chars().take(64).collect::<String>()),
        None => String::new(),
    }
}

/// A value that must be one of `kinds`, normalised by hikeshi-ioc.
fn parse_value(kinds: &[Kind], text: &str) -> Result<Part, String> {
    let text = text.trim();
    if let [Kind::Asn] = kinds
        && !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
    {
        // MISP stores AS numbers as digits only.
        return parse_as(Kind::Asn, &format!("AS{text}"))
            .map(Part::from)
            .map_err(|e| e.to_string());
    }
    if let [kind] = kinds {
        return parse_as(*kind, text)
            .map(Part::from)
            .map_err(|e| e.to_string());
    }
    let found = parse_indicator(text).map_err(|e| e.to_string())?;
    if kinds.contains(&found.kind) {
        Ok(Part::Indicator(found))
    } else {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        Err(format!(
            "{text:?} is a {}, expected {}",
            found.kind,
            names.join(" or ")
        ))
    }
}

/// `a|b` composite values: split at the last `|` (a file name may not contain one on Windows,
/// but the right-hand hash, address or port never does).
fn parse_pair(first: &[Kind], second: Option<&[Kind]>, text: &str) -> Result<Vec<Part>, String> {
    let Some((a, b)) = text.rsplit_once('|') else {
        return Err(format!("{text:?} is not two values separated by |"));
    };
    let a = parse_value(first, a)?;
    let b = match second {
        Some(kinds) => parse_value(kinds, b)?,
        None => {
            let p = b.trim();
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|c| c.is_ascii_digit()) {
                return Err(format!("{p:?} is not a port number"));
            }
            Part::Port(p.to_owned())
        }
    };
    Ok(vec![a, b])
}
