//! OSV JSON (<https://ossf.github.io/osv-schema/>): one record per file, or an array of records.
//!
//! Read through typed serde structs rather than `serde_json::Value` walking, so a field of the
//! wrong type is reported by serde with its path; then checked for what the schema says in prose
//! (one key per event, an `introduced` in every range, readable bounds).

use serde::Deserialize;

use crate::advisory::{Advisory, Affected, Event, PackageRef, Range, RangeKind};
use crate::cvss;
use crate::ecosystem::Platform;
use crate::error::Parsed;
use crate::prepared::PreparedAffected;

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Vec<Sev>,
    #[serde(default)]
    affected: Vec<Aff>,
    #[serde(default)]
    references: Vec<Reference>,
}

#[derive(Deserialize)]
struct Sev {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Reference {
    url: String,
}

#[derive(Deserialize)]
struct Aff {
    package: Option<Pkg>,
    #[serde(default)]
    ranges: Vec<Rng>,
    #[serde(default)]
    versions: Vec<String>,
}

#[derive(Deserialize)]
struct Pkg {
    ecosystem: String,
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct Rng {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Parses an OSV file: a single record or a JSON array of records. Withdrawn records are
/// rejected with that reason, so they are never matched.
pub fn parse_osv(file: &str, bytes: &[u8]) -> Parsed<Advisory> {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Parsed::fail(file, "file", format!("not JSON: {e}")),
    };
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    let mut out = Parsed::default();
    for (i, item) in items.into_iter().enumerate() {
        let id_hint = item.get("id").and_then(|v| v.as_str()).map(str::to_owned);
        let label = match &id_hint {
            Some(id) => format!("record {i} ({id})"),
            None => format!("record {i}"),
        };
        let result = serde_json::from_value::<Record>(item)
            .map_err(|e| e.to_string())
            .and_then(convert);
        match result {
            Ok(adv) => out.records.push(adv),
            Err(reason) => out
                .errors
                .push(crate::error::RecordError::new(file, label, reason)),
        }
    }
    out
}

fn event(map: &serde_json::Map<String, serde_json::Value>) -> Result<Event, String> {
    if map.len() != 1 {
        return Err(format!(
            "an event must have exactly one key, found {}",
            map.len()
        ));
    }
    let Some((key, value)) = map.iter().next() else {
        return Err("empty event".to_owned());
    };
    let v = value
        .as_str()
        .ok_or_else(|| format!("event {key:?} is not a string"))?
        .to_owned();
    if v.is_empty() {
        return Err(format!("event {key:?} has an empty version"));
    }
    Ok(match key.as_str() {
        "introduced" => Event::Introduced(v),
        "fixed" => Event::Fixed(v),
        "last_affected" => Event::LastAffected(v),
        "limit" => Event::Limit(v),
        other => return Err(format!("unknown event {other:?}")),
    })
}

fn convert(r: Record) -> Result<Advisory, String> {
    if r.id.trim().is_empty() {
        return Err("empty id".to_owned());
    }
    if r.withdrawn.is_some() {
        return Err("withdrawn".to_owned());
    }
    let mut severity = Vec::new();
    for s in &r.severity {
        if s.kind.starts_with("CVSS_V3") || s.kind.starts_with("CVSS_V4") {
            severity.push(cvss::parse_vector(&s.score).map_err(|e| e.to_string())?);
        }
    }
    let mut affected = Vec::new();
    for (ai, a) in r.affected.into_iter().enumerate() {
        let package = a.package.map(|p| PackageRef {
            platform: Platform::from_osv(&p.ecosystem),
            ecosystem_raw: p.ecosystem,
            name: p.name,
            purl: p.purl,
        });
        if package.as_ref().is_some_and(|p| p.name.trim().is_empty()) {
            return Err(format!("affected[{ai}]: empty package name"));
        }
        let mut ranges = Vec::new();
        for (ri, rg) in a.ranges.into_iter().enumerate() {
            let at = format!("affected[{ai}].ranges[{ri}]");
            let kind = match rg.kind.as_str() {
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "SEMVER" => RangeKind::Semver,
                "GIT" => RangeKind::Git,
                other => return Err(format!("{at}: unknown range type {other:?}")),
            };
            let events = rg
                .events
                .iter()
                .map(event)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{at}: {e}"))?;
            if !events.iter().any(|e| matches!(e, Event::Introduced(_))) {
                return Err(format!("{at}: no introduced event"));
            }
            ranges.push(Range { kind, events });
        }
        let entry = Affected {
            package,
            ranges,
            versions: a.versions,
            cpes: Vec::new(),
        };
        if let Some(platform) = entry.package.as_ref().and_then(|p| p.platform.as_ref()) {
            let (_, errors) = PreparedAffected::new(&entry, platform.ecosystem.scheme());
            if let Some(e) = errors.first() {
                return Err(format!("affected[{ai}]: {e}"));
            }
        }
        affected.push(entry);
    }
    let summary = r.summary.or(r.details).unwrap_or_default();
    Ok(Advisory {
        id: r.id,
        aliases: r.aliases,
        summary,
        published: r.published,
        modified: r.modified,
        severity,
        affected,
        references: r.references.into_iter().map(|x| x.url).collect(),
        remediations: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bad_record_in_an_array_does_not_stop_the_others() {
        let text = r#"[
          {"id": "A-1", "affected": [{"package": {"ecosystem": "npm", "name": "x"},
             "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]}]},
          {"id": "A-2", "affected": [{"package": {"ecosystem": "npm", "name": "x"},
             "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.2.3"}]}]}]},
          {"id": "A-3", "affected": [{"package": {"ecosystem": "npm", "name": "x"},
             "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "not.a.version"}]}]}]},
          {"summary": "no id"}
        ]"#;
        let parsed = parse_osv("dump.json", text.as_bytes());
        let ids: Vec<_> = parsed.records.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["A-1"]);
        let where_: Vec<_> = parsed.errors.iter().map(|e| e.record.as_str()).collect();
        assert_eq!(where_, ["record 1 (A-2)", "record 2 (A-3)", "record 3"]);
        assert!(
            parsed.errors[0].reason.contains("no introduced"),
            "{}",
            parsed.errors[0]
        );
        assert!(
            parsed.errors[1].reason.contains("not.a.version"),
            "{}",
            parsed.errors[1]
        );
        assert!(parsed.errors.iter().all(|e| e.file == "dump.json"));
    }

    #[test]
    fn severity_vectors_are_scored_and_withdrawn_records_refused() {
        let text = r#"{"id": "B-1", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]}"#;
        let parsed = parse_osv("b.json", text.as_bytes());
        assert_eq!(parsed.records[0].severity[0].base_score, 7.5);
        let parsed = parse_osv(
            "c.json",
            br#"{"id": "C-1", "withdrawn": "2024-01-01T00:00:00Z"}"#,
        );
        assert_eq!(parsed.errors[0].reason, "withdrawn");
    }
}
