//! One STIX 2.1 object on its own: is it well formed enough to store, and what are its id,
//! versions and TLP. Used by the bundle reader for every object and by a TAXII server before it
//! stores an object as it came.

use hikeshi_domain::time::parse_rfc3339;
use hikeshi_domain::tlp::Tlp;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::markings::known_tlp;
use super::pattern::valid_type_name;

/// The STIX 2.1 cyber-observable types (they have no `created`/`modified`, and `spec_version`
/// is optional on them).
pub const SCO_TYPES: [&str; 18] = [
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// The STIX 2.1 domain, relationship and meta object types.
pub const SDO_TYPES: [&str; 24] = [
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
    "relationship",
    "sighting",
    "marking-definition",
    "language-content",
    "extension-definition",
];

/// What a server needs to know about one object to store it as it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectInfo {
    pub id: String,
    pub object_type: String,
    /// "2.1" (SCOs may omit it; then `None`).
    pub spec_version: Option<String>,
    /// ms since the epoch; `None` for SCOs (which have neither).
    pub created: Option<i64>,
    /// ms since the epoch; marking-definitions have `created` only, and `modified` is `None`.
    pub modified: Option<i64>,
    /// The most restrictive well-known TLP marking on the object (object_marking_refs and
    /// granular_markings, which we apply to the whole object), `None` when it carries none.
    pub tlp: Option<Tlp>,
    /// Marking refs that are not well-known TLP ids: a statement, another scheme or a TLP
    /// marking defined elsewhere in the bundle. The caller resolves them or refuses the object.
    pub other_markings: Vec<String>,
}

/// Whether `t` is an SCO type.
pub fn is_sco_type(t: &str) -> bool {
    SCO_TYPES.contains(&t)
}

/// Check one object and read its identity, versions and markings.
pub fn check_object(v: &Value) -> Result<ObjectInfo, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let ty = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or("no \"type\" string")?;
    if !valid_type_name(ty) {
        return Err(format!("{ty:?} is not a valid STIX type name"));
    }
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .ok_or("no \"id\" string")?;
    let (id_type, id_uuid) = id
        .split_once("--")
        .ok_or_else(|| format!("id {id:?} is not type--uuid"))?;
    if id_type != ty {
        return Err(format!("id {id:?} does not start with its type {ty:?}"));
    }
    if Uuid::parse_str(id_uuid).is_err() || id_uuid.len() != 36 {
        return Err(format!("id {id:?} does not end in a UUID"));
    }
    let sco = is_sco_type(ty);
    let spec_version = match obj.get("spec_version") {
        None if sco => None,
        None if SDO_TYPES.contains(&ty) || obj.contains_key("created") => {
            return Err(format!(
                "{id} has no spec_version: STIX 2.0 object (only STIX 2.1 is accepted)"
            ));
        }
        None => None,
        Some(Value::String(s)) if s == "2.1" => Some(s.clone()),
        Some(other) => {
            return Err(format!(
                "{id} has spec_version {other}: only STIX 2.1 is accepted"
            ));
        }
    };
    let time = |k: &str| -> Result<Option<i64>, String> {
        match obj.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => parse_rfc3339(s)
                .map(Some)
                .map_err(|_| format!("{k} {s:?} is not an RFC 3339 timestamp")),
            Some(other) => Err(format!("{k} is {other}, not a timestamp string")),
        }
    };
    let created = time("created")?;
    let modified = time("modified")?;
    if !sco && ty != "marking-definition" && SDO_TYPES.contains(&ty) {
        if created.is_none() {
            return Err("no created timestamp".into());
        }
        if modified.is_none() {
            return Err("no modified timestamp".into());
        }
    }
    if let (Some(c), Some(m)) = (created, modified)
        && m < c
    {
        return Err("modified is earlier than created".into());
    }
    let mut tlp: Option<Tlp> = None;
    let mut other_markings = Vec::new();
    let mut add = |r: &str| match known_tlp(r) {
        Some(t) => tlp = Some(tlp.map_or(t, |x| x.max(t))),
        None => {
            if !other_markings.iter().any(|o: &String| o == r) {
                other_markings.push(r.to_owned());
            }
        }
    };
    match obj.get("object_marking_refs") {
        None => {}
        Some(Value::Array(refs)) => {
            for r in refs {
                let r = r
                    .as_str()
                    .filter(|s| s.starts_with("marking-definition--"))
                    .ok_or_else(|| format!("object_marking_refs holds {r}, not a marking id"))?;
                add(r);
            }
        }
        Some(_) => return Err("object_marking_refs is not a list".into()),
    }
    match obj.get("granular_markings") {
        None => {}
        Some(Value::Array(gms)) => {
            for gm in gms {
                match gm.get("marking_ref").and_then(Value::as_str) {
                    Some(r) => add(r),
                    // A language-only granular marking says nothing about handling.
                    None if gm.get("lang").is_some() => {}
                    None => {
                        return Err("a granular marking has neither marking_ref nor lang".into());
                    }
                }
            }
        }
        Some(_) => return Err("granular_markings is not a list".into()),
    }
    Ok(ObjectInfo {
        id: id.to_owned(),
        object_type: ty.to_owned(),
        spec_version,
        created,
        modified,
        tlp,
        other_markings,
    })
}
