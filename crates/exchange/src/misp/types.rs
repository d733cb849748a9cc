//! The MISP core format as serde types: events, attributes, objects, tags, organisations.
//!
//! Shapes follow the MISP core format (draft-dulaunoy-misp-core-format) and what PyMISP's
//! `MISPEvent` reads and writes. Two properties matter more than completeness:
//!
//! - **Nothing is lost on a round trip.** Every struct carries `extra` (`#[serde(flatten)]`), so
//!   fields we do not model (`id`, `event_id`, `sharing_group_id`, `ShadowAttribute`, …) come
//!   back out exactly as they came in, and galaxies and event reports are kept as raw JSON.
//!   Optional fields are `Option`s so an absent field stays absent. The only normalisation: a
//!   known field given as `null` is written back absent (PyMISP does the same).
//! - **Numbers come as strings or numbers.** MISP itself writes `"timestamp": "1617875568"`,
//!   PyMISP and hand-written events often `1617875568`. [`MispInt`] and [`MispBool`] accept both
//!   and write back the form they were read in.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An integer field that MISP writes as a JSON string and others as a number. Written back in
/// the form it was read in; [`MispInt::quoted`] builds MISP's own (string) form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MispInt {
    pub value: i64,
    /// Whether it is written as a JSON string (`"4"`) rather than a number (`4`).
    pub quoted: bool,
}

impl MispInt {
    /// The string form MISP writes: `"1617875568"`.
    pub fn quoted(value: i64) -> MispInt {
        MispInt {
            value,
            quoted: true,
        }
    }
}

impl Serialize for MispInt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            s.serialize_str(&self.value.to_string())
        } else {
            s.serialize_i64(self.value)
        }
    }
}

impl<'de> Deserialize<'de> for MispInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => {
                let value = n
                    .as_i64()
                    .or_else(|| {
                        // PyMISP can write a float timestamp; the seconds are what MISP keeps.
                        n.as_f64()
                            .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                            .map(|f| f.trunc() as i64)
                    })
                    .ok_or_else(|| de::Error::custom(format!("{n} is not an integer")))?;
                Ok(MispInt {
                    value,
                    quoted: false,
                })
            }
            Value::String(s) => {
                let value = s
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| de::Error::custom(format!("{s:?} is not an integer")))?;
                Ok(MispInt {
                    value,
                    quoted: true,
                })
            }
            other => Err(de::Error::custom(format!(
                "expected an integer or a string of digits, found {}",
                kind_of(&other)
            ))),
        }
    }
}

/// A boolean MISP may write as `true`, `1`, `"1"` or `"true"`. Written back as it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MispBool {
    pub value: bool,
    original: Option<Value>,
}

impl MispBool {
    pub fn new(value: bool) -> MispBool {
        MispBool {
            value,
            original: None,
        }
    }
}

impl From<bool> for MispBool {
    fn from(value: bool) -> Self {
        MispBool::new(value)
    }
}

impl Serialize for MispBool {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The original spelling only while it still says the same (a caller may have changed
        // `value` since).
        match &self.original {
            Some(v) if decode_bool(v) == Some(self.value) => v.serialize(s),
            _ => s.serialize_bool(self.value),
        }
    }
}

impl<'de> Deserialize<'de> for MispBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let value = decode_bool(&v);
        let value = value.ok_or_else(|| {
            de::Error::custom(format!("expected a boolean (true, false, 0, 1), found {v}"))
        })?;
        Ok(MispBool {
            value,
            original: Some(v),
        })
    }
}

fn decode_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// An organisation (`Orgc`, the creator; `Org`, the owner on a MISP instance).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Org {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A tag: a free label or a machine tag (`tlp:amber`, `rsit:fraud="phishing"`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tag {
    pub fn named(name: impl Into<String>) -> Tag {
        Tag {
            name: name.into(),
            ..Tag::default()
        }
    }
}

/// One attribute: a typed value in a category.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Attribute {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The MISP attribute type (`ip-dst`, `domain|ip`, …); `type` in JSON.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(deserialize_with = "string_or_number")]
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_ids: Option<MispBool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<MispInt>,
    /// 0 organisation, 1 community, 2 connected communities, 3 all, 4 sharing group, 5 inherit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<MispInt>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// The attribute's role inside its object (`ip`, `url`, `sha256`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_relation: Option<String>,
    #[serde(rename = "Tag", default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Attribute {
    pub fn tags(&self) -> &[Tag] {
        self.tags.as_deref().unwrap_or_default()
    }
    /// Whether MISP marked it deleted (soft delete; restSearch can return these).
    pub fn deleted(&self) -> bool {
        match self.extra.get("deleted") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "1" || s.eq_ignore_ascii_case("true"),
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }
}

/// A MISP object: a template instance (`file`, `domain-ip`, `url`…) grouping attributes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MispObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        rename = "meta-category",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub meta_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(rename = "Attribute", default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<Attribute>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MispObject {
    pub fn attributes(&self) -> &[Attribute] {
        self.attributes.as_deref().unwrap_or_default()
    }
}

/// A MISP event (the body of `{"Event": {...}}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// 1 high, 2 medium, 3 low, 4 undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat_level_id: Option<MispInt>,
    /// 0 initial, 1 ongoing, 2 completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<MispInt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<MispInt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<MispBool>,
    /// Seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<MispInt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_timestamp: Option<MispInt>,
    #[serde(rename = "Orgc", default, skip_serializing_if = "Option::is_none")]
    pub orgc: Option<Org>,
    #[serde(rename = "Org", default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Org>,
    #[serde(rename = "Tag", default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(rename = "Attribute", default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<Attribute>>,
    #[serde(rename = "Object", default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<MispObject>>,
    /// Galaxy clusters (threat actors, malware families…), kept as they came.
    #[serde(rename = "Galaxy", default, skip_serializing_if = "Option::is_none")]
    pub galaxies: Option<Vec<Value>>,
    /// Event reports (markdown write-ups), kept as they came.
    #[serde(
        rename = "EventReport",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub event_reports: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Event {
    pub fn tags(&self) -> &[Tag] {
        self.tags.as_deref().unwrap_or_default()
    }
    pub fn attributes(&self) -> &[Attribute] {
        self.attributes.as_deref().unwrap_or_default()
    }
    pub fn objects(&self) -> &[MispObject] {
        self.objects.as_deref().unwrap_or_default()
    }
}

/// One entry of a feed's `manifest.json` (keyed by event uuid): what MISP shows before it
/// fetches the event file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ManifestEntry {
    #[serde(rename = "Orgc", default, skip_serializing_if = "Option::is_none")]
    pub orgc: Option<Org>,
    #[serde(rename = "Tag", default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<MispInt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat_level_id: Option<MispInt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<MispInt>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A value MISP writes as a string, tolerated as a number (`"value": 443` for a `port`).
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(de::Error::custom(format!(
            "value must be a string, found {}",
            kind_of(&other)
        ))),
    }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_boolean_is_written_as_its_new_value() {
        let mut b: MispBool = serde_json::from_str("\"1\"").unwrap();
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"1\"");
        b.value = false;
        assert_eq!(serde_json::to_string(&b).unwrap(), "false");
    }
}
