//! STIX 2.1 import of `observed-data` from other producers: the SCOs it lists become
//! indicators as any SCO does, taking its observation window and the report listing it; the
//! observed-data itself is kept whole. (Our own export's round trip is in stix_import.rs.)

#[path = "stix_fixture.rs"]
mod fixture;

use hikeshi_exchange::share::Imported;
use hikeshi_exchange::stix::{ImportLimits, StixError, read_bundle};
use serde_json::{Value, json};

fn import(v: &Value) -> Result<Imported, StixError> {
    read_bundle(v.to_string().as_bytes(), &ImportLimits::default())
}

fn bundle(objects: Vec<Value>) -> Value {
    json!({"type": "bundle", "id": "bundle--2a9a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b", "objects": objects})
}

const T: &str = "2026-01-02T03:04:05.678Z";

fn ind(n: u32, pattern: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{}", fixture::uuid(n)),
        "created": T, "modified": T, "valid_from": T,
        "name": format!("IOC {n}"), "pattern": pattern, "pattern_type": "stix",
    })
}

#[test]
fn observed_data_gives_its_scos_their_window_and_report() {
    let od = |n: u32, refs: &[&str], first: &str, last: &str| {
        json!({"type": "observed-data", "spec_version": "2.1",
               "id": format!("observed-data--{}", fixture::uuid(n)),
               "created": T, "modified": T, "first_observed": first, "last_observed": last,
               "number_observed": 3, "object_refs": refs})
    };
    let (a, b, c) = (
        "domain-name--1a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3",
        "ipv4-addr--2a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3",
        "url--3a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3",
    );
    let b = bundle(vec![
        od(
            10,
            &[a, b],
            "2025-01-01T00:00:00Z",
            "2025-01-02T00:00:00.500Z",
        ),
        json!({"type": "report", "spec_version": "2.1", "id": format!("report--{}", fixture::uuid(20)),
               "created": T, "modified": T, "published": T, "name": "R",
               "object_refs": [format!("observed-data--{}", fixture::uuid(10))]}),
        json!({"type": "domain-name", "spec_version": "2.1", "id": a, "value": "od.example.com"}),
        json!({"type": "ipv4-addr", "spec_version": "2.1", "id": b, "value": "192.0.2.77"}),
        json!({"type": "url", "spec_version": "2.1", "id": c, "value": "http://alone.example.com/"}),
        // The same value also in an indicator's pattern: the indicator wins, as for any SCO.
        ind(1, "[ipv4-addr:value = '192.0.2.77']"),
    ]);
    let got = import(&b).unwrap();
    assert!(got.rejected.is_empty(), "{:?}", got.rejected);
    let by_value = |v: &str| {
        got.indicators
            .iter()
            .find(|i| i.indicator.value == v)
            .unwrap_or_else(|| panic!("{v} not imported"))
    };
    let d = by_value("od.example.com");
    assert_eq!(d.first_seen, Some(1_735_689_600_000));
    assert_eq!(d.last_seen, Some(1_735_776_000_500));
    assert_eq!(d.group, Some(0), "in the report through its observed-data");
    let alone = by_value("http://alone.example.com/");
    assert_eq!(
        (alone.first_seen, alone.last_seen, alone.group),
        (None, None, None)
    );
    let ip = by_value("192.0.2.77");
    assert_eq!(ip.source_id, format!("indicator--{}", fixture::uuid(1)));
    assert_eq!(got.indicators.len(), 3);
    // The observed-data itself is kept whole.
    assert_eq!(got.kept.len(), 1);
    assert_eq!(got.kept[0]["type"], "observed-data");
    assert_eq!(got.kept[0]["number_observed"], 3);
}
