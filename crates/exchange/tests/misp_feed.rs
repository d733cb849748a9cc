//! MISP feeds: the directory written is the layout PyMISP's feed generator writes, and reading
//! it back gives the same import as reading the events directly; a missing or broken event file
//! is rejected by name and the rest imported.

use std::fs;
use std::path::PathBuf;

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::misp::{
    MispError, event_to_value, export_events, parse_manifest, read_event, read_feed, value_hashes,
    write_feed,
};
use hikeshi_exchange::share::{Producer, ShareIncident, ShareIndicator, ShareSet};
use hikeshi_ioc::{Indicator, Kind};
use serde_json::{Value, json};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("hikeshi-misp-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn set() -> ShareSet {
    let ind = |n: u32, kind, value: &str, inc| ShareIndicator {
        uuid: format!("00000000-0000-4000-8000-{n:012}"),
        indicator: Indicator {
            kind,
            value: value.into(),
        },
        role: IndicatorRole::C2,
        tlp: Tlp::Green,
        incident: inc,
        comment: "コメント".into(),
        created: 1_795_666_833_000,
        modified: 1_795_666_833_000,
        first_seen: None,
        last_seen: None,
    };
    ShareSet {
        producer: Producer {
            name: "Example CSIRT".into(),
            uuid: "6f1d3a52-4c1b-4f39-9a59-2f1f8a3c1d01".into(),
        },
        incidents: vec![ShareIncident {
            uuid: "0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b".into(),
            number: "HK-2026-000042".into(),
            title: "マルウエア配布サイト".into(),
            category: "malware-site".into(),
            rsit_class: "malicious-code".into(),
            rsit_type: "malware-distribution".into(),
            tlp: Tlp::Green,
            created: 1_795_666_833_000,
            modified: 1_795_666_833_000,
            description: String::new(),
        }],
        indicators: vec![
            ind(1, Kind::Domain, "evil.example.com", Some(0)),
            ind(2, Kind::Ipv4, "198.51.100.7", Some(0)),
            ind(3, Kind::Sha256, &"b".repeat(64), None),
        ],
    }
}

#[test]
fn a_feed_holds_a_manifest_one_file_per_event_and_the_value_hashes() {
    let dir = TempDir::new("layout");
    let events = export_events(&set());
    let summary = write_feed(&dir.0, &events).unwrap();
    assert_eq!(
        (summary.events, summary.attributes, summary.hashes),
        (2, 3, 3)
    );

    let mut names: Vec<String> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let orphan = events[1].uuid.clone().unwrap();
    let mut want = vec![
        "0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b.json".to_owned(),
        format!("{orphan}.json"),
        "hashes.csv".into(),
        "manifest.json".into(),
    ];
    want.sort();
    assert_eq!(names, want);

    let manifest: Value =
        serde_json::from_slice(&fs::read(dir.0.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b"],
        json!({
            "Orgc": {"name": "Example CSIRT", "uuid": "6f1d3a52-4c1b-4f39-9a59-2f1f8a3c1d01"},
            "Tag": [
                {"name": "tlp:green", "colour": "#33FF00"},
                {"name": "rsit:malicious-code=\"malware-distribution\""},
                {"name": "hikeshi:category=\"malware-site\""}
            ],
            "info": "HK-2026-000042 マルウエア配布サイト",
            "date": "2026-11-26",
            "analysis": "1",
            "threat_level_id": "4",
            "timestamp": "1795666833"
        })
    );

    let hashes = fs::read_to_string(dir.0.join("hashes.csv")).unwrap();
    let inc = "0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b";
    let want = format!(
        "{},{inc}\n{},{inc}\n{},{orphan}\n",
        value_hashes("domain", "evil.example.com")[0],
        value_hashes("ip-dst", "198.51.100.7")[0],
        value_hashes("sha256", &"b".repeat(64))[0],
    );
    assert_eq!(hashes, want);
    // md5("evil.example.com"), computed outside: printf %s evil.example.com | md5sum
    assert_eq!(
        value_hashes("domain", "evil.example.com"),
        ["9d42b2c741d5950da44fff2f96953162"]
    );

    // Each event file is {"Event": ...}, the same JSON as event_to_value.
    let file: Value =
        serde_json::from_slice(&fs::read(dir.0.join(format!("{inc}.json"))).unwrap()).unwrap();
    assert_eq!(file, event_to_value(&events[0]));
}

#[test]
fn reading_a_feed_gives_what_reading_its_events_gives() {
    let dir = TempDir::new("roundtrip");
    let events = export_events(&set());
    write_feed(&dir.0, &events).unwrap();
    let from_feed = read_feed(&dir.0).unwrap();
    assert!(from_feed.rejected.is_empty(), "{:?}", from_feed.rejected);
    // The manifest is read in uuid order; the events here are already in it.
    let direct: Vec<Value> = events.iter().map(event_to_value).collect();
    let direct = read_event(&serde_json::to_vec(&direct).unwrap()).unwrap();
    assert_eq!(from_feed.indicators, direct.indicators);
    assert_eq!(from_feed.groups, direct.groups);
    assert_eq!(from_feed.kept, direct.kept);
    assert_eq!(from_feed.indicators[0].comment, "コメント");
}

#[test]
fn a_missing_or_broken_event_file_is_rejected_by_name_and_the_rest_imported() {
    let dir = TempDir::new("broken");
    let events = export_events(&set());
    write_feed(&dir.0, &events).unwrap();
    let inc = "0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b";
    fs::write(dir.0.join(format!("{inc}.json")), b"{\"Event\": {").unwrap();
    let got = read_feed(&dir.0).unwrap();
    assert_eq!(got.groups.len(), 1);
    assert_eq!(got.rejected.len(), 1);
    assert_eq!(got.rejected[0].object, format!("{inc}.json"));
    assert!(
        got.rejected[0].reason.starts_with("not JSON"),
        "{}",
        got.rejected[0].reason
    );

    fs::remove_file(dir.0.join(format!("{inc}.json"))).unwrap();
    let got = read_feed(&dir.0).unwrap();
    assert_eq!(got.rejected[0].object, format!("{inc}.json"));
    assert_eq!(got.indicators.len(), 1);
}

#[test]
fn manifest_keys_that_are_not_uuids_are_never_opened() {
    let dir = TempDir::new("traversal");
    fs::create_dir_all(&dir.0).unwrap();
    fs::write(
        dir.0.join("manifest.json"),
        br#"{"../../etc/passwd": {"info": "x"}, "{5f0a0e55-1b1c-4a4e-9d0c-2b3a4c5d6e7f}": {}}"#,
    )
    .unwrap();
    let got = read_feed(&dir.0).unwrap();
    let named: Vec<&str> = got.rejected.iter().map(|r| r.object.as_str()).collect();
    assert_eq!(
        named,
        [
            "manifest.json \"../../etc/passwd\"",
            "manifest.json \"{5f0a0e55-1b1c-4a4e-9d0c-2b3a4c5d6e7f}\""
        ]
    );
}

#[test]
fn a_file_that_holds_another_event_than_the_manifest_says_is_rejected() {
    let dir = TempDir::new("mismatch");
    let events = export_events(&set());
    write_feed(&dir.0, &events).unwrap();
    let inc = "0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b";
    let other = events[1].uuid.clone().unwrap();
    fs::copy(
        dir.0.join(format!("{other}.json")),
        dir.0.join(format!("{inc}.json")),
    )
    .unwrap();
    let got = read_feed(&dir.0).unwrap();
    assert_eq!(got.groups.len(), 1);
    assert!(got.rejected[0].reason.contains("manifest names it"));
}

#[test]
fn a_missing_or_bad_manifest_is_an_error() {
    let dir = TempDir::new("nomanifest");
    fs::create_dir_all(&dir.0).unwrap();
    assert!(matches!(read_feed(&dir.0), Err(MispError::Io { .. })));
    assert!(matches!(parse_manifest(b"[]"), Err(MispError::Manifest(_))));
    assert!(matches!(
        parse_manifest(br#"{"u": 5}"#),
        Err(MispError::Manifest(m)) if m.contains("\"u\"")
    ));
    assert!(matches!(parse_manifest(b"{"), Err(MispError::Json { .. })));
    let m =
        parse_manifest(br#"{"u": {"info": "i", "timestamp": 1617875568, "extra": 1}}"#).unwrap();
    assert_eq!(m["u"].timestamp.unwrap().value, 1_617_875_568);
}

#[test]
fn an_event_without_a_uuid_cannot_go_into_a_feed() {
    let dir = TempDir::new("nouuid");
    let mut events = export_events(&set());
    events[0].uuid = Some("../escape".into());
    let err = write_feed(&dir.0, &events).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(!dir.0.join("../escape.json").exists());
}
