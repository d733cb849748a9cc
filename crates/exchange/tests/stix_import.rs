//! STIX 2.1 import: round trip, markings, what is kept and what is rejected, bad input, limits.

#[path = "stix_fixture.rs"]
mod fixture;

use std::collections::BTreeSet;

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::named::Named;
use hikeshi_domain::tlp::Tlp;

use hikeshi_exchange::stix::markings;
use hikeshi_exchange::stix::{ExportOptions, ImportLimits, read_bundle, write_bundle};
use hikeshi_ioc::Kind;
use serde_json::json;

#[path = "support/stix_import_helpers.rs"]
mod helpers;
use helpers::{T, bundle, import, ind};

#[test]
fn round_trip_gives_back_every_indicator_with_its_tlp_role_and_incident() {
    let set = fixture::full_set();
    let mut bytes = Vec::new();
    let opts = ExportOptions {
        tlp_max: Tlp::Red,
        ..ExportOptions::default()
    };
    let summary = write_bundle(&set, &mut bytes, &opts).unwrap();
    let back = read_bundle(&bytes[..], &ImportLimits::default()).unwrap();
    assert!(back.rejected.is_empty(), "{:?}", back.rejected);

    let sent: BTreeSet<(Kind, String, Tlp, String)> = set
        .indicators
        .iter()
        .filter(|i| i.indicator.kind != Kind::Other)
        .map(|i| {
            let role = if i.indicator.kind == Kind::Cve {
                IndicatorRole::Unknown // a vulnerability carries no role
            } else {
                i.role
            };
            (
                i.indicator.kind,
                i.indicator.value.clone(),
                i.tlp,
                role.as_str().to_owned(),
            )
        })
        .collect();
    let got: BTreeSet<(Kind, String, Tlp, String)> = back
        .indicators
        .iter()
        .map(|i| {
            (
                i.indicator.kind,
                i.indicator.value.clone(),
                i.tlp.unwrap(),
                i.role.as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, sent);
    // No duplicates from the SCOs: one indicator per exported indicator.
    let expressible = set
        .indicators
        .iter()
        .filter(|i| i.indicator.kind != Kind::Other)
        .count();
    assert_eq!(back.indicators.len(), expressible);

    // Reports come back as groups, with their TLP and Japanese titles, and every indicator
    // of an incident points at its group.
    assert_eq!(back.groups.len(), set.incidents.len());
    for (g, inc) in back.groups.iter().zip(&set.incidents) {
        assert_eq!(g.title, format!("{} {}", inc.number, inc.title));
        assert_eq!(g.tlp, Some(inc.tlp));
        assert_eq!(g.created, Some(inc.created));
    }
    for i in back
        .indicators
        .iter()
        .filter(|i| i.indicator.value != "standalone.example.org")
    {
        let g = i
            .group
            .expect("every fixture indicator but one is in an incident");
        assert_eq!(back.groups[g].tlp, i.tlp, "{}", i.indicator.value);
    }
    // Comments: written as description, read back (empty stays empty).
    let with_comment = back
        .indicators
        .iter()
        .filter(|i| i.comment.starts_with("観測された"))
        .count();
    assert!(with_comment > 0);
    // Malware, identity, observed-data and relationships are kept, relationships also as
    // relations; nothing else is (indicators, SCOs, vulnerabilities and reports became
    // indicators and groups, the TLP definitions were understood). Exact counts: the export
    // writes one observed-data per indicator with an SCO, and its based-on relationship now
    // targets that observed-data, so kept grew by exactly the observed-data and relations
    // stayed one per relationship.
    assert!(back.kept.iter().any(|o| o["type"] == "malware"));
    assert!(back.kept.iter().any(|o| o["type"] == "identity"));
    let kept = |ty: &str| back.kept.iter().filter(|o| o["type"] == ty).count();
    assert_eq!(kept("observed-data"), summary.observed_data);
    assert_eq!(summary.observed_data, summary.indicators);
    assert_eq!(kept("relationship"), summary.relationships);
    assert_eq!(
        back.kept.len(),
        1 + summary.malware + summary.observed_data + summary.relationships
    );
    assert_eq!(back.relations.len(), summary.relationships);
    let observed: BTreeSet<&str> = back
        .kept
        .iter()
        .filter(|o| o["type"] == "observed-data")
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(
        back.relations
            .iter()
            .filter(|r| r.relationship_type == "based-on")
            .all(|r| observed.contains(r.target_ref.as_str()))
    );
    assert!(
        back.relations
            .iter()
            .any(|r| r.relationship_type == "based-on")
    );
    assert!(
        back.relations
            .iter()
            .any(|r| r.relationship_type == "indicates")
    );
}

#[test]
fn the_standalone_indicator_has_no_group() {
    let set = fixture::full_set();
    let mut bytes = Vec::new();
    let opts = ExportOptions {
        tlp_max: Tlp::Green,
        ..ExportOptions::default()
    };
    write_bundle(&set, &mut bytes, &opts).unwrap();
    let back = read_bundle(&bytes[..], &ImportLimits::default()).unwrap();
    let s = back
        .indicators
        .iter()
        .find(|i| i.indicator.value == "standalone.example.org")
        .unwrap();
    assert_eq!(s.group, None);
}

#[test]
fn tlp_1_0_markings_are_understood_predefined_or_in_the_bundle() {
    let b = bundle(vec![
        json!({"type": "marking-definition", "spec_version": "2.1", "id": markings::TLP1_AMBER,
               "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER",
               "definition": {"tlp": "amber"}}),
        ind(
            1,
            "[ipv4-addr:value = '192.0.2.1']",
            &[markings::TLP1_WHITE],
        ),
        ind(
            2,
            "[ipv4-addr:value = '192.0.2.2']",
            &[markings::TLP1_GREEN],
        ),
        ind(
            3,
            "[ipv4-addr:value = '192.0.2.3']",
            &[markings::TLP1_AMBER],
        ),
        ind(4, "[ipv4-addr:value = '192.0.2.4']", &[markings::TLP1_RED]),
        ind(5, "[ipv4-addr:value = '192.0.2.5']", &[]),
    ]);
    let got = import(&b).unwrap();
    let tlps: Vec<Option<Tlp>> = got.indicators.iter().map(|i| i.tlp).collect();
    assert_eq!(
        tlps,
        [
            Some(Tlp::Clear),
            Some(Tlp::Green),
            Some(Tlp::Amber),
            Some(Tlp::Red),
            None
        ]
    );
    assert!(
        got.kept.is_empty(),
        "TLP definitions are understood, not kept"
    );
}

#[test]
fn markings_defined_in_the_bundle_count_even_after_the_object_and_the_strictest_wins() {
    let custom_tlp = "marking-definition--0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
    let custom_tlp2 = "marking-definition--1c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
    let statement = "marking-definition--2c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
    let b = bundle(vec![
        ind(
            1,
            "[domain-name:value = 'a.example.com']",
            &[custom_tlp, statement],
        ),
        ind(
            2,
            "[domain-name:value = 'b.example.com']",
            &[markings::TLP2_GREEN, custom_tlp2],
        ),
        ind(
            3,
            "[domain-name:value = 'c.example.com']",
            &[markings::TLP2_RED, markings::TLP2_GREEN],
        ),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": custom_tlp,
               "created": T, "definition_type": "tlp", "definition": {"tlp": "amber"}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": custom_tlp2,
               "created": T, "name": "TLP:AMBER+STRICT",
               "extensions": {markings::TLP2_EXTENSION: {"extension_type": "property-extension"}}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": statement,
               "created": T, "definition_type": "statement",
               "definition": {"statement": "Copyright 2026 Example"}}),
    ]);
    let got = import(&b).unwrap();
    assert!(got.rejected.is_empty(), "{:?}", got.rejected);
    let by_value = |v: &str| {
        got.indicators
            .iter()
            .find(|i| i.indicator.value == v)
            .unwrap()
            .tlp
    };
    assert_eq!(by_value("a.example.com"), Some(Tlp::Amber));
    assert_eq!(by_value("b.example.com"), Some(Tlp::AmberStrict));
    assert_eq!(by_value("c.example.com"), Some(Tlp::Red));
    // The statement marking is kept (we pass it on), the TLP ones are not.
    assert_eq!(got.kept.len(), 1);
    assert_eq!(got.kept[0]["id"], statement);
}

#[test]
fn an_unknown_marking_rejects_the_object_and_only_that_object() {
    let unknown = "marking-definition--9f9f9f9f-4a5b-4c6d-8e7f-8091a2b3c4d5";
    let b = bundle(vec![
        ind(1, "[domain-name:value = 'a.example.com']", &[unknown]),
        ind(
            2,
            "[domain-name:value = 'b.example.com']",
            &[markings::TLP2_CLEAR],
        ),
        json!({"type": "identity", "spec_version": "2.1", "id": "identity--0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3",
               "created": T, "modified": T, "name": "X", "object_marking_refs": [unknown]}),
    ]);
    let got = import(&b).unwrap();
    assert_eq!(got.indicators.len(), 1);
    assert_eq!(got.indicators[0].indicator.value, "b.example.com");
    assert_eq!(got.rejected.len(), 2);
    assert_eq!(
        got.rejected[0].object,
        format!("indicator--{}", fixture::uuid(1))
    );
    assert!(
        got.rejected[0]
            .reason
            .starts_with(&format!("unknown marking-definition {unknown}")),
        "{}",
        got.rejected[0].reason
    );
    assert!(got.kept.is_empty());
}

#[test]
fn granular_tlp_markings_apply_to_the_whole_object() {
    let mut i = ind(
        1,
        "[domain-name:value = 'a.example.com']",
        &[markings::TLP2_GREEN],
    );
    i["granular_markings"] = json!([{"marking_ref": markings::TLP2_RED, "selectors": ["description"]},
                                    {"lang": "ja", "selectors": ["name"]}]);
    let got = import(&bundle(vec![i])).unwrap();
    assert_eq!(got.indicators[0].tlp, Some(Tlp::Red));
}

#[test]
fn unknown_and_unmodelled_types_are_kept_whole() {
    let custom = json!({"type": "x-acme-widget", "spec_version": "2.1",
        "id": "x-acme-widget--0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3", "created": T, "modified": T,
        "x_acme": {"nested": [1, 2, 3]}});
    let attack = json!({"type": "attack-pattern", "spec_version": "2.1",
        "id": "attack-pattern--1a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3", "created": T, "modified": T,
        "name": "Spearphishing"});
    let mutex = json!({"type": "mutex", "spec_version": "2.1",
        "id": "mutex--2a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3", "name": "Global\\x"});
    let sigma = json!({"type": "indicator", "spec_version": "2.1",
        "id": "indicator--3a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3", "created": T, "modified": T,
        "valid_from": T, "pattern": "title: x", "pattern_type": "sigma"});
    let unmodelled = ind(4, "[process:name = 'evil.exe']", &[]);
    let only_like = ind(5, "[domain-name:value LIKE '%.example.com']", &[]);
    let b = bundle(vec![
        custom.clone(),
        attack.clone(),
        mutex.clone(),
        sigma.clone(),
        unmodelled.clone(),
        only_like.clone(),
    ]);
    let got = import(&b).unwrap();
    assert!(got.indicators.is_empty());
    assert!(got.rejected.is_empty());
    assert_eq!(
        got.kept,
        [custom, attack, mutex, sigma, unmodelled, only_like]
    );
}

#[test]
fn patterns_give_every_equality_on_a_known_path() {
    let b = bundle(vec![
        ind(
            1,
            "([ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = '192.0.2.2'] AND \
             [file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']) \
             FOLLOWEDBY [url:value = 'http://a.example.com/x'] WITHIN 600 SECONDS",
            &[],
        ),
        ind(
            2,
            "[ipv4-addr:value ISSUBSET '198.51.100.0/24' AND file:name != 'x.exe']",
            &[],
        ),
        ind(
            3,
            "[domain-name:value IN ('a.example.com', 'b.example.com')]",
            &[],
        ),
        ind(6, "[autonomous-system:number = 64496]", &[]),
        ind(7, "[email-message:from_ref.value = 'x@example.com']", &[]),
    ]);
    let got = import(&b).unwrap();
    let found: Vec<(Kind, &str)> = got
        .indicators
        .iter()
        .map(|i| (i.indicator.kind, i.indicator.value.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (Kind::Ipv4, "192.0.2.1"),
            (Kind::Ipv4, "192.0.2.2"),
            (
                Kind::Sha256,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ),
            (Kind::Url, "http://a.example.com/x"),
            (Kind::Cidr, "198.51.100.0/24"),
            (Kind::Domain, "a.example.com"),
            (Kind::Domain, "b.example.com"),
            (Kind::Asn, "AS64496"),
            (Kind::Email, "x@example.com"),
        ]
    );
    assert!(got.indicators.iter().all(|i| i.comment.starts_with("IOC ")));
}

#[test]
fn bad_patterns_and_bad_values_are_rejected_with_id_and_reason() {
    let b = bundle(vec![
        ind(1, "[ipv4-addr:value = '192.0.2.1'", &[]),
        ind(
            2,
            "[ipv4-addr:value = '999.0.2.1' OR domain-name:value = 'ok.example.com']",
            &[],
        ),
        json!({"type": "indicator", "spec_version": "2.1", "created": T, "modified": T,
               "pattern": "[x:y = 1]", "pattern_type": "stix"}),
        json!({"type": "indicator", "spec_version": "2.1", "id": "indicator--4a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3",
               "created": T, "modified": T, "pattern_type": "stix"}),
    ]);
    let got = import(&b).unwrap();
    let r = &got.rejected;
    assert_eq!(r.len(), 4, "{r:?}");
    assert_eq!(r[0].object, format!("indicator--{}", fixture::uuid(1)));
    assert!(r[0].reason.contains("at byte 30"), "{}", r[0].reason);
    assert_eq!(r[1].object, format!("indicator--{}", fixture::uuid(2)));
    assert!(
        r[1].reason.starts_with("ipv4-addr:value"),
        "{}",
        r[1].reason
    );
    assert_eq!(r[2].object, "objects[2]");
    assert!(r[2].reason.contains("id"), "{}", r[2].reason);
    assert!(r[3].reason.contains("without a pattern"));
    // The good half of object 2 still came in.
    assert_eq!(got.indicators.len(), 1);
    assert_eq!(got.indicators[0].indicator.value, "ok.example.com");
}

#[test]
fn observables_become_indicators_once() {
    let b = bundle(vec![
        ind(1, "[domain-name:value = 'a.example.com']", &[]),
        json!({"type": "domain-name", "spec_version": "2.1", "id": "domain-name--1a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3", "value": "a.example.com"}),
        json!({"type": "domain-name", "id": "domain-name--2a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3", "value": "b.example.com"}),
        json!({"type": "domain-name", "id": "domain-name--3a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3", "value": "b.example.com"}),
        json!({"type": "file", "id": "file--4a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3",
               "hashes": {"MD5": "d41d8cd98f00b204e9800998ecf8427e", "SHA-1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
               "name": "a.pdf"}),
        json!({"type": "ipv4-addr", "id": "ipv4-addr--5a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3", "value": "not an ip"}),
    ]);
    let got = import(&b).unwrap();
    let found: Vec<(Kind, &str, &str)> = got
        .indicators
        .iter()
        .map(|i| {
            (
                i.indicator.kind,
                i.indicator.value.as_str(),
                i.source_id.as_str(),
            )
        })
        .collect();
    assert_eq!(found.len(), 5, "{found:?}");
    assert_eq!(found[0].2, format!("indicator--{}", fixture::uuid(1)));
    assert_eq!(found[1].1, "b.example.com");
    assert_eq!(
        found[2..].iter().map(|f| f.0).collect::<Vec<_>>(),
        [Kind::Md5, Kind::Sha1, Kind::Filename]
    );
    assert_eq!(got.rejected.len(), 1);
    assert_eq!(
        got.rejected[0].object,
        "ipv4-addr--5a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3"
    );
}
