//! JSON → typed MISP events, one attribute or object at a time: a broken attribute is rejected
//! by name and the rest of its event still read (serde alone would refuse the whole event).
//! Also the time spellings MISP uses.

use serde_json::{Map, Value};

use super::MispError;
use super::types::{Attribute, Event, MispObject, kind_of};
use crate::share::Rejected;

/// JSON text → value, with the line and column of a syntax error.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, MispError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        // serde_json's text ends with the position, which the error shows on its own.
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        MispError::Json {
            line: e.line(),
            column: e.column(),
            message: text.strip_suffix(&suffix).unwrap_or(&text).to_owned(),
        }
    })
}

/// Whether a JSON object looks like an event body (not a wrapper, not something else).
fn looks_like_event(m: &Map<String, Value>) -> bool {
    ["info", "Attribute", "Object", "date", "Orgc"]
        .iter()
        .any(|k| m.contains_key(*k))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let keys: Vec<&str> = m.keys().take(8).map(String::as_str).collect();
            format!(
                "an object with keys [{}], not {{\"Event\": ...}}, {{\"response\": [...]}} or an event (info, Attribute, …)",
                keys.join(", ")
            )
        }
        other => format!("{}, not a MISP event", kind_of(other)),
    }
}

/// A JSON event (wrapped or bare) → [`Event`], rejecting broken attributes and objects one by
/// one so the rest of the event is still read. `Err` only when the event itself is broken.
pub(crate) fn typed_event(
    v: Value,
    prefix: &str,
    rejected: &mut Vec<Rejected>,
) -> Result<Event, String> {
    let mut m = match v {
        Value::Object(mut m) => match m.remove("Event") {
            Some(Value::Object(inner)) => inner,
            Some(other) => return Err(format!("\"Event\" is {}", kind_of(&other))),
            None if looks_like_event(&m) => m,
            None => return Err(describe(&Value::Object(m))),
        },
        other => return Err(describe(&other)),
    };
    let attributes = match m.remove("Attribute") {
        Some(a) => Some(typed_attributes(a, prefix, rejected)?),
        None => None,
    };
    let objects = match m.remove("Object") {
        None => None,
        Some(Value::Array(objs)) => {
            let mut out = Vec::with_capacity(objs.len());
            for (j, o) in objs.into_iter().enumerate() {
                let label = format!("{prefix}Object[{j}]{}", uuid_suffix(&o));
                match typed_object(o, &label, rejected) {
                    Ok(o) => out.push(o),
                    Err(reason) => rejected.push(Rejected {
                        object: label,
                        reason,
                    }),
                }
            }
            Some(out)
        }
        Some(other) => return Err(format!("\"Object\" is {}, not an array", kind_of(&other))),
    };
    let mut ev: Event = serde_json::from_value(Value::Object(m)).map_err(|e| e.to_string())?;
    ev.attributes = attributes;
    ev.objects = objects;
    Ok(ev)
}

fn typed_attributes(
    a: Value,
    prefix: &str,
    rejected: &mut Vec<Rejected>,
) -> Result<Vec<Attribute>, String> {
    let Value::Array(items) = a else {
        return Err(format!("\"Attribute\" is {}, not an array", kind_of(&a)));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let label = format!("{prefix}Attribute[{i}]{}", uuid_suffix(&item));
        let item = match item {
            // restSearch with includeContext can wrap: {"Attribute": {...}}.
            Value::Object(mut m) if m.len() == 1 && m.contains_key("Attribute") => {
                m.remove("Attribute").unwrap_or_default()
            }
            other => other,
        };
        match serde_json::from_value::<Attribute>(item) {
            Ok(a) => out.push(a),
            Err(e) => rejected.push(Rejected {
                object: label,
                reason: e.to_string(),
            }),
        }
    }
    Ok(out)
}

fn typed_object(o: Value, label: &str, rejected: &mut Vec<Rejected>) -> Result<MispObject, String> {
    let Value::Object(mut m) = o else {
        return Err(format!(
            "an object must be a JSON object, found {}",
            kind_of(&o)
        ));
    };
    let attributes = match m.remove("Attribute") {
        Some(a) => Some(typed_attributes(a, &format!("{label} "), rejected)?),
        None => None,
    };
    let mut obj: MispObject =
        serde_json::from_value(Value::Object(m)).map_err(|e| e.to_string())?;
    obj.attributes = attributes;
    Ok(obj)
}

fn uuid_suffix(v: &Value) -> String {
    let inner = v.get("Attribute").unwrap_or(v);
    match inner.get("uuid").and_then(Value::as_str) {
        Some(u) => format!(" {}", u.chars().take(64).collect::<String>()),
        None => String::new(),
    }
}

/// Parse a MISP time: RFC 3339, also MISP's `+0000` offsets, a bare date, or no offset (UTC,
/// MISP's convention).
pub(crate) fn parse_time(s: &str) -> Result<i64, String> {
    use hikeshi_domain::time::parse_rfc3339;
    let t = s.trim();
    let bad = || format!("{s:?} is not an RFC 3339 date-time");
    if let Ok(ms) = parse_rfc3339(t) {
        return Ok(ms);
    }
    // Every spelling below is ASCII; checking first also keeps the byte slicing on char
    // boundaries (the fuzzer found `全部そのまま` as a date).
    if !t.is_ascii() {
        return Err(bad());
    }
    if t.len() == 10 {
        return parse_rfc3339(&format!("{t}T00:00:00Z")).map_err(|_| bad());
    }
    let b = t.as_bytes();
    if b.len() > 5 {
        let tail = &t[t.len() - 5..];
        if (tail.starts_with('+') || tail.starts_with('-'))
            && tail[1..].bytes().all(|c| c.is_ascii_digit())
        {
            let fixed = format!("{}{}:{}", &t[..t.len() - 5], &tail[..3], &tail[3..]);
            return parse_rfc3339(&fixed).map_err(|_| bad());
        }
    }
    if !t.ends_with('Z') && !t[t.len().saturating_sub(6)..].contains(['+', '-']) {
        return parse_rfc3339(&format!("{t}Z")).map_err(|_| bad());
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misp_times_in_their_usual_spellings_parse() {
        let want = 1_764_130_833_000;
        for s in [
            "2025-11-26T04:20:33Z",
            "2025-11-26T04:20:33.000000+00:00",
            "2025-11-26T04:20:33+0000",
            "2025-11-26T13:20:33+09:00",
            "2025-11-26T04:20:33",
        ] {
            assert_eq!(parse_time(s), Ok(want), "{s}");
        }
        assert_eq!(parse_time("2025-11-26"), Ok(1_764_115_200_000));
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("全部そのまま").is_err());
        assert!(parse_time("2025-11-26T04:20:33+０９００").is_err());
        assert!(parse_time("").is_err());
    }
}
