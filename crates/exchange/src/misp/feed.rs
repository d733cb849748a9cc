//! MISP feeds: a directory MISP (Sync Actions → Feeds, "MISP Feed" format) fetches over HTTP.
//!
//! The layout is the one PyMISP's feed generator writes:
//!
//! - `manifest.json`: `{"<event uuid>": {"Orgc", "Tag", "info", "date", "analysis",
//!   "threat_level_id", "timestamp"}, ...}`, what MISP lists before fetching an event;
//! - `<event uuid>.json`: `{"Event": {...}}`, one file per event;
//! - `hashes.csv`: one line `<md5 of a value>,<event uuid>` per attribute value (both halves of
//!   a composite `a|b` value, each hashed on its own), attributes of objects included, no
//!   header. MISP uses it for its feed correlation cache.
//!
//! Event uuids become file names, so they must be UUIDs: anything else (`../x`) is refused on
//! writing and rejected on reading, never opened.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use md5::{Digest, Md5};
use serde_json::Value;
use uuid::Uuid;

use super::MispError;
use super::import::Importer;
use super::parse::{parse_json, typed_event};
use super::types::{Event, ManifestEntry, Org};
use crate::share::Imported;

/// What [`write_feed`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedSummary {
    /// Event files (and manifest entries).
    pub events: usize,
    /// Attributes, those inside objects included.
    pub attributes: usize,
    /// Lines of `hashes.csv`.
    pub hashes: usize,
}

/// Write `events` as a MISP feed into `dir` (created if missing; files of the same name are
/// replaced, others left alone). Every event must have a UUID.
pub fn write_feed(dir: &Path, events: &[Event]) -> io::Result<FeedSummary> {
    fs::create_dir_all(dir)?;
    let mut summary = FeedSummary::default();
    let mut manifest = BTreeMap::new();
    let mut hashes = String::new();
    for ev in events {
        let uuid = feed_uuid(ev.uuid.as_deref()).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "event {:?} has no UUID, which a feed needs as its file name",
                    ev.uuid.as_deref().unwrap_or("")
                ),
            )
        })?;
        manifest.insert(uuid.clone(), manifest_entry(ev));
        let mut body = serde_json::to_vec_pretty(&super::event_to_value(ev))?;
        body.push(b'\n');
        write_atomic(&dir.join(format!("{uuid}.json")), &body)?;
        summary.events += 1;
        let all = ev
            .attributes()
            .iter()
            .chain(ev.objects().iter().flat_map(|o| o.attributes()));
        for a in all {
            summary.attributes += 1;
            for h in value_hashes(&a.kind, &a.value) {
                hashes.push_str(&h);
                hashes.push(',');
                hashes.push_str(&uuid);
                hashes.push('\n');
                summary.hashes += 1;
            }
        }
    }
    write_atomic(&dir.join("manifest.json"), &manifest_to_vec(&manifest))?;
    write_atomic(&dir.join("hashes.csv"), hashes.as_bytes())?;
    Ok(summary)
}

/// Read a feed directory: `manifest.json`, then each event file it names. A manifest that is
/// missing or not a manifest is an error; a missing or broken event file is rejected with its
/// file name and the others are imported.
pub fn read_feed(dir: &Path) -> Result<Imported, MispError> {
    let path = dir.join("manifest.json");
    let bytes = fs::read(&path).map_err(|e| MispError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let manifest = parse_manifest(&bytes)?;
    let mut out = Importer::default();
    for key in manifest.keys() {
        let plain = key.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        let Some(uuid) = feed_uuid(Some(key)).filter(|_| plain) else {
            out.reject(
                format!("manifest.json {key:?}"),
                "not a UUID, so no event file is read for it".into(),
            );
            continue;
        };
        let name = format!("{key}.json");
        let bytes = match fs::read(dir.join(&name)) {
            Ok(b) => b,
            Err(e) => {
                out.reject(name, e.to_string());
                continue;
            }
        };
        let v = match parse_json(&bytes) {
            Ok(v) => v,
            Err(e) => {
                out.reject(name, e.to_string());
                continue;
            }
        };
        let prefix = format!("{name} ");
        let mut rejected = Vec::new();
        match typed_event(v, &prefix, &mut rejected) {
            Ok(ev) if ev.uuid.as_deref().and_then(|u| feed_uuid(Some(u))) != Some(uuid.clone()) => {
                out.reject(
                    name,
                    format!(
                        "holds event {:?}, but the manifest names it {uuid}",
                        ev.uuid.as_deref().unwrap_or("")
                    ),
                );
            }
            Ok(ev) => {
                out.out.rejected.extend(rejected);
                out.event(&ev, &prefix);
            }
            Err(reason) => out.reject(name, reason),
        }
    }
    Ok(out.finish())
}

/// Parse `manifest.json`: an object from event uuid to its summary. Entries are read leniently
/// (every field optional, unknown fields kept); an entry that is not a JSON object is an error
/// naming it.
pub fn parse_manifest(bytes: &[u8]) -> Result<BTreeMap<String, ManifestEntry>, MispError> {
    let v = parse_json(bytes)?;
    let Value::Object(m) = v else {
        return Err(MispError::Manifest(format!(
            "expected an object of event uuids, found {}",
            super::types::kind_of(&v)
        )));
    };
    let mut out = BTreeMap::new();
    for (k, v) in m {
        let entry: ManifestEntry = serde_json::from_value(v)
            .map_err(|e| MispError::Manifest(format!("entry {k:?}: {e}")))?;
        out.insert(k, entry);
    }
    Ok(out)
}

/// `manifest.json` as [`write_feed`] writes it (pretty, keys in uuid order, final newline).
pub fn manifest_to_vec(manifest: &BTreeMap<String, ManifestEntry>) -> Vec<u8> {
    let mut body = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    body.push(b'\n');
    body
}

/// The manifest entry of an event: its summary fields, as PyMISP's `MISPEvent.manifest`.
pub fn manifest_entry(ev: &Event) -> ManifestEntry {
    ManifestEntry {
        orgc: Some(ev.orgc.clone().map_or_else(Org::default, |o| Org {
            name: o.name,
            uuid: o.uuid,
            ..Org::default()
        })),
        tags: Some(ev.tags().to_vec()),
        info: ev.info.clone(),
        date: ev.date.clone(),
        analysis: ev.analysis,
        threat_level_id: ev.threat_level_id,
        timestamp: ev.timestamp,
        ..ManifestEntry::default()
    }
}

/// The md5 hex digests of an attribute value as MISP's feed cache wants them: each half of a
/// composite value (and of a `malware-sample`'s `name|md5`) on its own.
pub fn value_hashes(misp_type: &str, value: &str) -> Vec<String> {
    let hex = |s: &str| {
        let d = Md5::digest(s.as_bytes());
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    if misp_type.contains('|') || misp_type == "malware-sample" {
        value.split('|').map(hex).collect()
    } else {
        vec![hex(value)]
    }
}

/// The canonical lower-case form of a UUID, or `None` when the text is none.
fn feed_uuid(s: Option<&str>) -> Option<String> {
    Uuid::parse_str(s?.trim()).ok().map(|u| u.to_string())
}

/// Write to a temporary name in the same directory, then rename: a MISP instance fetching the
/// feed while it is rewritten sees the old file or the new one, never half of one.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp~");
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_values_hash_each_half() {
        // md5("a") and md5("b").
        assert_eq!(
            value_hashes("domain|ip", "a|b"),
            [
                "0cc175b9c0f1b6a831c399e269772661",
                "92eb5ffee6ae2fec3ad71c777531578f"
            ]
        );
        assert_eq!(value_hashes("domain", "a|b").len(), 1);
    }

    #[test]
    fn only_uuids_become_file_names() {
        assert_eq!(feed_uuid(Some("../../etc/passwd")), None);
        assert_eq!(
            feed_uuid(Some("5F0A0E55-1B1C-4A4E-9D0C-2B3A4C5D6E7F")).as_deref(),
            Some("5f0a0e55-1b1c-4a4e-9d0c-2b3a4c5d6e7f")
        );
    }
}
