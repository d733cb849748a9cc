//! Sample MISP events and a feed for the external check (scripts/external/misp_check.sh), and a
//! canonical summary of what hikeshi imports from a file, so PyMISP's view can be compared.
//!
//!     cargo run -p hikeshi-exchange --example misp_samples -- write OUT_DIR
//!     cargo run -p hikeshi-exchange --example misp_samples -- summary FILE.json
//!
//! `write` puts our exported events in `OUT_DIR/events/<uuid>.json`, two hand-written MISP
//! events (composite types, objects, galaxies, unknown fields) beside them, and the feed of our
//! events in `OUT_DIR/feed/`. `summary` prints one JSON document: groups, indicators (source
//! id, kind, value, TLP, role, group, comment, first/last seen), kept objects by kind, and
//! rejections, in import order.

#[path = "../tests/misp_fixture.rs"]
mod fixture;

use std::path::Path;

use hikeshi_domain::named::Named;
use hikeshi_exchange::misp::{event_to_value, export_events, read_event, write_feed};
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, dir] if mode == "write" => write(Path::new(dir)),
        [mode, file] if mode == "summary" => {
            let bytes = std::fs::read(file)?;
            let s = summary(&bytes)?;
            println!("{}", serde_json::to_string_pretty(&s)?);
            Ok(())
        }
        _ => Err("usage: misp_samples write OUT_DIR | misp_samples summary FILE.json".into()),
    }
}

fn write(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let events_dir = dir.join("events");
    std::fs::create_dir_all(&events_dir)?;
    let events = export_events(&fixture::sample());
    for ev in &events {
        let uuid = ev.uuid.as_deref().ok_or("exported event without uuid")?;
        let path = events_dir.join(format!("{uuid}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(&event_to_value(ev))?)?;
        println!("{}", path.display());
    }
    for (name, body) in [
        (
            "native-composite.json",
            &include_bytes!("../tests/data/misp/composite_event.json")[..],
        ),
        (
            "native-full.json",
            &include_bytes!("../tests/data/misp/full_event.json")[..],
        ),
    ] {
        let path = events_dir.join(name);
        std::fs::write(&path, body)?;
        println!("{}", path.display());
    }
    let s = write_feed(&dir.join("feed"), &events)?;
    println!(
        "{}: {} events, {} attributes, {} hashes",
        dir.join("feed").display(),
        s.events,
        s.attributes,
        s.hashes
    );
    Ok(())
}

fn summary(bytes: &[u8]) -> Result<Value, Box<dyn std::error::Error>> {
    let got = read_event(bytes)?;
    let groups: Vec<Value> = got
        .groups
        .iter()
        .map(|g| {
            json!({
                "source_id": g.source_id,
                "title": g.title,
                "tlp": g.tlp.map(|t| t.as_str()),
                "created": g.created,
                "description": g.description,
            })
        })
        .collect();
    let indicators: Vec<Value> = got
        .indicators
        .iter()
        .map(|i| {
            json!({
                "source_id": i.source_id,
                "kind": i.indicator.kind.as_str(),
                "value": i.indicator.value,
                "tlp": i.tlp.map(|t| t.as_str()),
                "role": i.role.as_str(),
                "group": i.group,
                "comment": i.comment,
                "first_seen": i.first_seen,
                "last_seen": i.last_seen,
            })
        })
        .collect();
    let kept: Vec<String> = got
        .kept
        .iter()
        .filter_map(|k| k.as_object())
        .map(|m| {
            let mut keys: Vec<&str> = m
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "event_uuid")
                .collect();
            keys.sort_unstable();
            keys.join("+")
        })
        .collect();
    let rejected: Vec<Value> = got
        .rejected
        .iter()
        .map(|r| json!({"object": r.object, "reason": r.reason}))
        .collect();
    Ok(json!({
        "groups": groups,
        "indicators": indicators,
        "kept": kept,
        "rejected": rejected,
    }))
}
