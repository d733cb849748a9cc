//! STIX import: whole-input errors, limits, TAXII envelopes, object checks and a generated bundle
//! (split from stix_import.rs; same helpers).
#![allow(dead_code, unused_imports)]

#[path = "stix_fixture.rs"]
mod fixture;

use std::collections::BTreeSet;

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::named::Named;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::Imported;
use hikeshi_exchange::stix::markings;
use hikeshi_exchange::stix::{
    ExportOptions, ImportLimits, StixError, check_object, read_bundle, read_envelope, write_bundle,
};
use hikeshi_ioc::Kind;
use serde_json::{Value, json};

#[path = "support/stix_import_helpers.rs"]
mod helpers;
use helpers::{T, bundle, import, ind};

#[test]
fn stix_2_0_is_refused_as_a_whole() {
    let b20 = json!({"type": "bundle", "id": "bundle--2a9a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                     "spec_version": "2.0", "objects": []});
    assert!(matches!(import(&b20), Err(StixError::Stix20(_))));
    // Some producers write "2.1" at the bundle level: not 2.0, accepted.
    let mut b21 = bundle(vec![ind(1, "[ipv4-addr:value = '192.0.2.1']", &[])]);
    b21["spec_version"] = json!("2.1");
    assert_eq!(import(&b21).unwrap().indicators.len(), 1);
    let mut old = ind(1, "[ipv4-addr:value = '192.0.2.1']", &[]);
    old.as_object_mut().unwrap().remove("spec_version");
    let e = import(&bundle(vec![old])).unwrap_err();
    assert!(
        matches!(e, StixError::Stix20(ref m) if m.contains("indicator--")),
        "{e}"
    );
    let mut old = ind(1, "[ipv4-addr:value = '192.0.2.1']", &[]);
    old["spec_version"] = json!("2.0");
    assert!(matches!(
        import(&bundle(vec![old])),
        Err(StixError::Stix20(_))
    ));
}

#[test]
fn input_that_is_not_a_bundle_says_so() {
    let e = read_bundle(
        &b"{\"type\": \"bundle\", \"objects\": [\n{,]}"[..],
        &ImportLimits::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            StixError::Json {
                line: 2,
                column: 2,
                ..
            }
        ),
        "{e}"
    );
    let e = import(&json!({"type": "report", "objects": []})).unwrap_err();
    assert_eq!(e, StixError::NotABundle("type is \"report\"".into()));
    assert!(matches!(
        import(&json!({"objects": []})),
        Err(StixError::NotABundle(_))
    ));
    assert!(matches!(
        import(&json!([1, 2])),
        Err(StixError::NotABundle(_))
    ));
    assert!(matches!(
        import(&json!({"type": "bundle", "objects": 5})),
        Err(StixError::NotABundle(_))
    ));
    let e = read_bundle(
        &b"{\"type\":\"bundle\",\"objects\":[]} x"[..],
        &ImportLimits::default(),
    );
    assert!(matches!(e, Err(StixError::Json { .. })));
    // An empty bundle is fine.
    assert_eq!(import(&bundle(vec![])).unwrap(), Imported::default());
}

#[test]
fn limits_are_clear_errors() {
    let b = bundle(
        (0..10)
            .map(|n| ind(n, "[ipv4-addr:value = '192.0.2.1']", &[]))
            .collect(),
    );
    let limits = ImportLimits {
        max_objects: 9,
        ..ImportLimits::default()
    };
    let e = read_bundle(b.to_string().as_bytes(), &limits).unwrap_err();
    assert_eq!(e, StixError::TooManyObjects { limit: 9 });
    let limits = ImportLimits {
        max_objects: 10,
        ..ImportLimits::default()
    };
    assert!(read_bundle(b.to_string().as_bytes(), &limits).is_ok());

    let mut big = ind(1, "[ipv4-addr:value = '192.0.2.1']", &[]);
    big["description"] = json!("x".repeat(10_000));
    let b = bundle(vec![ind(0, "[ipv4-addr:value = '192.0.2.1']", &[]), big]);
    let limits = ImportLimits {
        max_object_bytes: 4096,
        ..ImportLimits::default()
    };
    let e = read_bundle(b.to_string().as_bytes(), &limits).unwrap_err();
    assert_eq!(
        e,
        StixError::ObjectTooLarge {
            index: 1,
            limit: 4096
        }
    );
}

#[test]
fn taxii_envelopes_use_the_same_rules() {
    let env = json!({"more": true, "next": "abc",
        "objects": [ind(1, "[ipv4-addr:value = '192.0.2.1']", &[markings::TLP2_AMBER])]});
    let got = read_envelope(env.to_string().as_bytes(), &ImportLimits::default()).unwrap();
    assert!(got.more);
    assert_eq!(got.next.as_deref(), Some("abc"));
    assert_eq!(got.imported.indicators[0].tlp, Some(Tlp::Amber));
    let empty = read_envelope(&b"{}"[..], &ImportLimits::default()).unwrap();
    assert!(!empty.more);
    assert!(empty.imported.indicators.is_empty());
}

#[test]
fn check_object_reads_ids_versions_and_markings() {
    let i = ind(
        1,
        "[ipv4-addr:value = '192.0.2.1']",
        &[markings::TLP2_AMBER_STRICT, markings::TLP1_GREEN],
    );
    let info = check_object(&i).unwrap();
    assert_eq!(info.id, format!("indicator--{}", fixture::uuid(1)));
    assert_eq!(info.object_type, "indicator");
    assert_eq!(info.spec_version.as_deref(), Some("2.1"));
    assert_eq!(info.created, Some(1_767_323_045_678));
    assert_eq!(info.modified, info.created);
    assert_eq!(info.tlp, Some(Tlp::AmberStrict));
    assert!(info.other_markings.is_empty());

    let sco = json!({"type": "ipv4-addr", "id": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4", "value": "198.51.100.3"});
    let info = check_object(&sco).unwrap();
    assert_eq!(
        (info.created, info.modified, info.spec_version),
        (None, None, None)
    );

    let cases = [
        (json!([]), "not a JSON object"),
        (json!({"id": "x--1"}), "no \"type\""),
        (
            json!({"type": "Indicator", "id": "x"}),
            "not a valid STIX type",
        ),
        (
            json!({"type": "indicator", "id": "report--0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"}),
            "does not start with",
        ),
        (
            json!({"type": "indicator", "id": "indicator--nope"}),
            "does not end in a UUID",
        ),
        (
            json!({"type": "indicator", "spec_version": "2.1", "id": "indicator--0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3", "created": "yesterday", "modified": T}),
            "not an RFC 3339",
        ),
        (
            json!({"type": "indicator", "spec_version": "2.1", "id": "indicator--0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3", "created": T}),
            "no modified",
        ),
        (
            json!({"type": "indicator", "id": "indicator--0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3", "created": T, "modified": T}),
            "STIX 2.0",
        ),
    ];
    for (v, want) in cases {
        let e = check_object(&v).unwrap_err();
        assert!(e.contains(want), "{v}: {e}");
    }
}

#[test]
fn a_generated_bundle_of_600_indicators_imports_fully() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/stix/gen600.json");
    let file = std::fs::File::open(path).unwrap();
    let got = read_bundle(file, &ImportLimits::default()).unwrap();
    assert!(
        got.rejected.is_empty(),
        "{:?}",
        &got.rejected[..got.rejected.len().min(5)]
    );
    assert_eq!(got.indicators.len(), 600);
    assert!(got.indicators.iter().all(|i| i.tlp == Some(Tlp::Green)));
    assert!(
        got.indicators
            .iter()
            .all(|i| i.source_id.starts_with("indicator--"))
    );
    let kinds: BTreeSet<Kind> = got.indicators.iter().map(|i| i.indicator.kind).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            Kind::Ipv4,
            Kind::Domain,
            Kind::Url,
            Kind::Md5,
            Kind::Sha1,
            Kind::Sha256
        ])
    );
    // The identity is kept; the TLP:GREEN definition is understood.
    assert_eq!(got.kept.len(), 1);
    assert_eq!(got.kept[0]["type"], "identity");
}
