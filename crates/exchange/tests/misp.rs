//! MISP export and import as specifications: a ShareSet goes out as events and comes back as
//! the same indicators, TLPs and groups; MISP's own shapes (restSearch, composite types,
//! objects) come in; bad values are rejected with the attribute named; nothing unknown is lost.

use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::misp::{
    self, Event, MispError, event_from_value, event_to_value, export_events, import_events,
    orphan_event_uuid, read_event,
};
use hikeshi_exchange::share::ShareSet;
use hikeshi_ioc::Kind;
use serde_json::{Value, json};

#[path = "misp_fixture.rs"]
mod fixture;
use fixture::{INC_A, INC_B, PRODUCER, T, sample};

fn roundtrip(set: &ShareSet) -> hikeshi_exchange::share::Imported {
    let events = export_events(set);
    let json: Vec<Value> = events.iter().map(event_to_value).collect();
    let bytes = serde_json::to_vec(&json).unwrap();
    read_event(&bytes).unwrap()
}

#[test]
fn one_event_per_incident_and_one_for_indicators_without_an_incident() {
    let events = export_events(&sample());
    let uuids: Vec<&str> = events.iter().map(|e| e.uuid.as_deref().unwrap()).collect();
    assert_eq!(uuids, [INC_A, INC_B, orphan_event_uuid(PRODUCER).as_str()]);
    assert_eq!(
        events[0].info.as_deref(),
        Some("HK-2026-000042 銀行を装うフィッシング, 第2波")
    );
    assert_eq!(events[0].date.as_deref(), Some("2026-11-26"));
    assert_eq!(events[0].attributes().len(), 10);
    assert_eq!(events[1].attributes().len(), 4);
    assert_eq!(events[2].attributes().len(), 3);
    let tags: Vec<&str> = events[0].tags().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        tags,
        [
            "tlp:amber",
            "rsit:fraud=\"phishing\"",
            "hikeshi:category=\"phishing\""
        ]
    );
    // The orphan event carries the least restrictive marking of its members.
    assert_eq!(events[2].tags()[0].name, "tlp:clear");
    // Attribute uuid is the indicator's uuid.
    assert_eq!(
        events[0].attributes()[0].uuid.as_deref(),
        Some("00000000-0000-4000-8000-000000000001")
    );
}

#[test]
fn the_same_set_gives_the_same_bytes() {
    let a = serde_json::to_string(&export_events(&sample())).unwrap();
    let b = serde_json::to_string(&export_events(&sample())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn types_categories_direction_and_to_ids_follow_the_table() {
    let events = export_events(&sample());
    let all: Vec<(String, String, String, bool)> = events
        .iter()
        .flat_map(|e| e.attributes())
        .map(|a| {
            (
                a.kind.clone(),
                a.category.clone().unwrap(),
                a.value.clone(),
                a.to_ids.as_ref().unwrap().value,
            )
        })
        .collect();
    let want = [
        (
            "url",
            "Network activity",
            "https://evil.example.co.jp/login.php?a=1,2",
            true,
        ),
        ("domain", "Network activity", "evil.example.co.jp", true),
        ("ip-dst", "Network activity", "198.51.100.7", true),
        (
            "email-src",
            "Payload delivery",
            "billing@evil.example.com",
            true,
        ),
        ("email-dst", "Payload delivery", "victim@example.jp", false),
        (
            "sha256",
            "Payload delivery",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            true,
        ),
        (
            "md5",
            "Payload delivery",
            "0cc175b9c0f1b6a831c399e269772661",
            true,
        ),
        (
            "sha1",
            "Payload delivery",
            "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8",
            true,
        ),
        ("sha512", "Payload delivery", &"a".repeat(128), true),
        ("filename", "Payload delivery", "請求書.pdf.exe", true),
        ("ip-src", "Network activity", "203.0.113.9", true),
        ("ip-src", "Network activity", "2001:db8::1", true),
        ("ip-dst", "Network activity", "203.0.113.0/24", true),
        ("AS", "Network activity", "64496", true),
        ("vulnerability", "External analysis", "CVE-2024-3400", true),
        ("ip-src", "Network activity", "192.0.2.10", false),
        ("text", "Other", "User-Agent: EvilBot/1.0", false),
    ];
    let got: Vec<(&str, &str, &str, bool)> = all
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), *d))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn tlp_is_tagged_where_it_differs_and_sets_distribution() {
    let events = export_events(&sample());
    let dist = |e: &Event| e.distribution.unwrap().value;
    assert_eq!(
        (dist(&events[0]), dist(&events[1]), dist(&events[2])),
        (1, 2, 3)
    );
    let a = events[0].attributes();
    // Same TLP as the event: inherit (5), no TLP tag, only the role.
    assert_eq!(a[0].distribution.unwrap().value, 5);
    let names = |i: usize| -> Vec<String> { a[i].tags().iter().map(|t| t.name.clone()).collect() };
    assert_eq!(names(0), ["hikeshi:role=\"phishing\""]);
    // Red domain in an amber event: its own tag and distribution 0.
    assert_eq!(names(1), ["hikeshi:role=\"phishing\"", "tlp:red"]);
    assert_eq!(a[1].distribution.unwrap().value, 0);
    assert_eq!(names(4), ["hikeshi:role=\"victim\"", "tlp:amber+strict"]);
}

#[test]
fn a_round_trip_returns_the_same_indicators_tlps_roles_and_groups() {
    let set = sample();
    let got = roundtrip(&set);
    assert!(got.rejected.is_empty(), "{:?}", got.rejected);
    let groups: Vec<(&str, &str, Option<Tlp>)> = got
        .groups
        .iter()
        .map(|g| (g.source_id.as_str(), g.title.as_str(), g.tlp))
        .collect();
    let orphan = orphan_event_uuid(PRODUCER);
    assert_eq!(
        groups,
        [
            (
                INC_A,
                "HK-2026-000042 銀行を装うフィッシング, 第2波",
                Some(Tlp::Amber)
            ),
            (INC_B, "HK-2026-000043 Scan from a VPS", Some(Tlp::Green)),
            (
                orphan.as_str(),
                "Example CSIRT: indicators without an incident",
                Some(Tlp::Clear)
            ),
        ]
    );
    assert_eq!(
        got.groups[0].description,
        "偽の請求メールから誘導。\n二行目"
    );
    assert_eq!(got.groups[0].created, Some(1_795_651_200_000));

    // Every kind but `other` (exported as `text`, which imports as kept, not an indicator).
    let want: Vec<_> = set
        .indicators
        .iter()
        .filter(|i| i.indicator.kind != Kind::Other)
        .map(|i| {
            let group = i.incident.unwrap_or(2);
            // An indicator reads back with its event's TLP when that is more restrictive.
            let tlp = i.tlp.max(got.groups[group].tlp.unwrap());
            (
                i.uuid.clone(),
                i.indicator.clone(),
                Some(tlp),
                i.role,
                Some(group),
            )
        })
        .collect();
    let back: Vec<_> = got
        .indicators
        .iter()
        .map(|i| {
            (
                i.source_id.clone(),
                i.indicator.clone(),
                i.tlp,
                i.role,
                i.group,
            )
        })
        .collect();
    assert_eq!(back, want);
    assert_eq!(
        got.indicators[0].comment,
        "ログイン画面の偽物, \"本物そっくり\""
    );
    assert_eq!(got.indicators[0].first_seen, Some(T - 86_400_000));
    assert_eq!(got.indicators[0].last_seen, Some(T));
    let kinds: std::collections::BTreeSet<Kind> =
        got.indicators.iter().map(|i| i.indicator.kind).collect();
    assert_eq!(kinds.len(), Kind::ALL.len() - 1);

    // The text attribute, the description report and the non-TLP event tags are kept.
    let kept: Vec<&str> = got
        .kept
        .iter()
        .map(|k| {
            k.as_object()
                .unwrap()
                .keys()
                .find(|k| *k != "event_uuid")
                .unwrap()
                .as_str()
        })
        .collect();
    assert_eq!(kept, ["Tag", "EventReport", "Tag", "Attribute"]);
    assert_eq!(got.kept[3]["Attribute"]["value"], "User-Agent: EvilBot/1.0");
}

fn event_with(attributes: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"Event": {
        "uuid": "5f0a0e55-1b1c-4a4e-9d0c-2b3a4c5d6e7f",
        "info": "test",
        "Tag": [{"name": "TLP:GREEN"}],
        "Attribute": attributes,
    }}))
    .unwrap()
}

#[test]
fn composite_types_become_their_parts() {
    let got = read_event(&event_with(json!([
        {"uuid": "a1", "type": "domain|ip", "value": "Evil.Example.COM|198.51.100.7"},
        {"uuid": "a2", "type": "ip-dst|port", "value": "198.51.100.8|8443", "comment": "C2"},
        {"uuid": "a3", "type": "ip-src|port", "value": "2001:db8::2|22"},
        {"uuid": "a4", "type": "hostname|port", "value": "c2.evil.example.com|443"},
        {"uuid": "a5", "type": "filename|md5", "value": "dropper.exe|0CC175B9C0F1B6A831C399E269772661"},
        {"uuid": "a6", "type": "filename|sha1", "value": "a.dll|86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"},
        {"uuid": "a7", "type": "filename|sha256", "value": "b.js|9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
    ])))
    .unwrap();
    assert!(got.rejected.is_empty(), "{:?}", got.rejected);
    let parts: Vec<(&str, Kind, &str, &str)> = got
        .indicators
        .iter()
        .map(|i| {
            (
                i.source_id.as_str(),
                i.indicator.kind,
                i.indicator.value.as_str(),
                i.comment.as_str(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("a1", Kind::Domain, "evil.example.com", ""),
            ("a1", Kind::Ipv4, "198.51.100.7", ""),
            ("a2", Kind::Ipv4, "198.51.100.8", "C2 (port 8443)"),
            ("a3", Kind::Ipv6, "2001:db8::2", "port 22"),
            ("a4", Kind::Domain, "c2.evil.example.com", "port 443"),
            ("a5", Kind::Filename, "dropper.exe", ""),
            ("a5", Kind::Md5, "0cc175b9c0f1b6a831c399e269772661", ""),
            ("a6", Kind::Filename, "a.dll", ""),
            (
                "a6",
                Kind::Sha1,
                "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8",
                ""
            ),
            ("a7", Kind::Filename, "b.js", ""),
            (
                "a7",
                Kind::Sha256,
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                ""
            ),
        ]
    );
    assert!(got.indicators.iter().all(|i| i.tlp == Some(Tlp::Green)));
}

#[test]
fn import_also_reads_hostname_uri_link_and_the_email_types() {
    let got = read_event(&event_with(json!([
        {"type": "hostname", "value": "www.evil.example.com"},
        {"type": "uri", "value": "http://evil.example.com/a"},
        {"type": "uri", "value": "/gate.php"},
        {"type": "link", "value": "https://blog.example.com/report"},
        {"type": "email", "value": "a@evil.example.com"},
        {"type": "email-dst", "value": "b@example.jp"},
        {"type": "AS", "value": "64496"},
        {"type": "vulnerability", "value": "cve-2021-44228"},
        {"type": "comment", "value": "free text"},
        {"type": "regkey", "value": "HKLM\\Software\\Evil"},
    ])))
    .unwrap();
    let values: Vec<&str> = got
        .indicators
        .iter()
        .map(|i| i.indicator.value.as_str())
        .collect();
    assert_eq!(
        values,
        [
            "www.evil.example.com",
            "http://evil.example.com/a",
            "https://blog.example.com/report",
            "a@evil.example.com",
            "b@example.jp",
            "AS64496",
            "CVE-2021-44228",
        ]
    );
    // The relative uri, the comment and the unknown type are kept, not rejected.
    let kept: Vec<&Value> = got.kept.iter().map(|k| &k["Attribute"]["value"]).collect();
    assert_eq!(
        kept,
        [
            &json!("/gate.php"),
            &json!("free text"),
            &json!("HKLM\\Software\\Evil")
        ]
    );
    assert!(got.rejected.is_empty());
}

#[test]
fn the_most_restrictive_of_event_and_attribute_tlp_wins() {
    let got = read_event(&event_with(json!([
        {"type": "domain", "value": "a.example.com", "Tag": [{"name": "tlp:red"}]},
        {"type": "domain", "value": "b.example.com", "Tag": [{"name": "tlp:white"}]},
        {"type": "domain", "value": "c.example.com", "Tag": [{"name": "Tlp:Amber+Strict"}, {"name": "tlp:amber"}]},
        {"type": "domain", "value": "d.example.com"},
    ])))
    .unwrap();
    let tlps: Vec<Option<Tlp>> = got.indicators.iter().map(|i| i.tlp).collect();
    assert_eq!(
        tlps,
        [
            Some(Tlp::Red),
            Some(Tlp::Green),
            Some(Tlp::AmberStrict),
            Some(Tlp::Green)
        ]
    );
    // No marking anywhere: none, the importer decides.
    let bare = read_event(
        br#"{"info": "x", "Attribute": [{"type": "domain", "value": "e.example.com"}]}"#,
    )
    .unwrap();
    assert_eq!(bare.indicators[0].tlp, None);
    assert_eq!(bare.groups[0].tlp, None);
}

#[test]
fn bad_values_are_rejected_with_the_attribute_named_and_the_rest_imported() {
    let got = read_event(&event_with(json!([
        {"uuid": "u0", "type": "domain", "value": "good.example.com"},
        {"uuid": "u1", "type": "ip-dst", "value": "999.1.1.1"},
        {"uuid": "u2", "type": "md5", "value": "not-a-hash"},
        {"uuid": "u3", "type": "ip-src", "value": "evil.example.com"},
        {"uuid": "u4", "type": "domain|ip", "value": "no-pipe.example.com"},
        {"uuid": "u5", "type": "ip-dst|port", "value": "198.51.100.1|http"},
        {"uuid": "u6", "type": "domain", "value": "ok.example.com", "first_seen": "last tuesday"},
        {"uuid": "u7", "type": "domain"},
        {"uuid": "u8", "type": "domain", "value": {"nested": true}},
        "not even an object",
    ])))
    .unwrap();
    assert_eq!(got.indicators.len(), 1);
    let named: Vec<&str> = got.rejected.iter().map(|r| r.object.as_str()).collect();
    assert_eq!(
        named,
        [
            // Structural problems are found while reading the event, value problems after.
            "Attribute[7] u7",
            "Attribute[8] u8",
            "Attribute[9]",
            "Attribute[1] u1",
            "Attribute[2] u2",
            "Attribute[3] u3",
            "Attribute[4] u4",
            "Attribute[5] u5",
            "Attribute[6] u6",
        ]
    );
    let reason = |o: &str| &got.rejected.iter().find(|r| r.object == o).unwrap().reason;
    assert!(reason("Attribute[3] u3").contains("is a domain, expected ipv4 or ipv6 or cidr"));
    assert!(reason("Attribute[6] u6").contains("first_seen"));
    assert!(reason("Attribute[7] u7").contains("value"));
}

#[test]
fn attributes_inside_objects_are_imported_and_the_object_kept_whole() {
    let got = read_event(&serde_json::to_vec(&json!({"Event": {
        "uuid": "5f0a0e55-1b1c-4a4e-9d0c-2b3a4c5d6e7f",
        "info": "objects",
        "Object": [{
            "name": "file", "meta-category": "file", "uuid": "o1",
            "ObjectReference": [{"object_uuid": "o1", "referenced_uuid": "o2", "relationship_type": "drops"}],
            "Attribute": [
                {"uuid": "oa1", "type": "sha256", "object_relation": "sha256",
                 "value": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
                {"uuid": "oa2", "type": "text", "object_relation": "state", "value": "Malicious"},
                {"uuid": "oa3", "type": "md5", "object_relation": "md5", "value": "zz"},
            ]
        }],
        "Galaxy": [{"name": "Threat Actor", "GalaxyCluster": [{"value": "APT-X"}]}],
    }}))
    .unwrap())
    .unwrap();
    assert_eq!(got.indicators.len(), 1);
    assert_eq!(got.indicators[0].source_id, "oa1");
    assert_eq!(got.rejected[0].object, "Object[0] o1 Attribute[2] oa3");
    assert_eq!(got.relations[0].relationship_type, "drops");
    assert_eq!(got.kept.len(), 2);
    assert_eq!(got.kept[0]["Galaxy"]["name"], "Threat Actor");
    assert_eq!(got.kept[1]["Object"]["Attribute"][1]["value"], "Malicious");
    assert!(
        got.kept
            .iter()
            .all(|k| k["event_uuid"] == "5f0a0e55-1b1c-4a4e-9d0c-2b3a4c5d6e7f")
    );
}

#[test]
fn rest_search_answers_lists_and_bare_events_are_all_accepted() {
    let ev = |u: &str| json!({"uuid": u, "info": u, "Attribute": [{"type": "domain", "value": format!("{u}.example.com")}]});
    let shapes = [
        json!({"response": [{"Event": ev("a")}, {"Event": ev("b")}]}),
        json!([{"Event": ev("a")}, ev("b")]),
    ];
    for shape in shapes {
        let got = read_event(&serde_json::to_vec(&shape).unwrap()).unwrap();
        let titles: Vec<&str> = got.groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(titles, ["a", "b"]);
        assert_eq!(got.indicators[1].group, Some(1));
    }
    let got = read_event(&serde_json::to_vec(&ev("c")).unwrap()).unwrap();
    assert_eq!(got.indicators[0].indicator.value, "c.example.com");
    // An empty answer is no error.
    assert_eq!(read_event(br#"{"response": []}"#).unwrap().groups.len(), 0);
    // A broken event in a list is rejected by position; the others come in.
    let got = read_event(br#"{"response": [{"Event": 5}, {"Event": {"info": "ok"}}]}"#).unwrap();
    assert_eq!(got.rejected[0].object, "Event[0]");
    assert_eq!(got.groups.len(), 1);
}

#[test]
fn numbers_as_strings_or_numbers_and_booleans_in_every_spelling() {
    let a = json!({"Event": {"info": "x", "threat_level_id": 2, "analysis": "1", "timestamp": 1617875568.7,
        "published": "0", "Attribute": [{"type": "domain", "value": "a.example.com", "to_ids": "1", "distribution": 5}]}});
    let e = event_from_value(a).unwrap();
    assert_eq!(e.threat_level_id.unwrap().value, 2);
    assert_eq!(e.analysis.unwrap().value, 1);
    assert_eq!(e.timestamp.unwrap().value, 1_617_875_568);
    assert!(!e.published.as_ref().unwrap().value);
    assert!(e.attributes()[0].to_ids.as_ref().unwrap().value);
    let bad = json!({"Event": {"info": "x", "threat_level_id": "high"}});
    let err = event_from_value(bad).unwrap_err().to_string();
    assert!(err.contains("\"high\" is not an integer"), "{err}");
}

#[test]
fn unknown_fields_survive_event_from_value_and_event_to_value() {
    // A MISP 2.4/2.5 event as /events/view returns it, with fields hikeshi does not model.
    let v: Value = serde_json::from_str(include_str!("data/misp/full_event.json")).unwrap();
    let e = event_from_value(v.clone()).unwrap();
    assert_eq!(e.info.as_deref(), Some("全部そのまま"));
    assert_eq!(
        e.attributes()[0].first_seen.as_deref(),
        Some("2026-11-25T04:20:33.120000+00:00")
    );
    let mut want = v;
    // The one normalisation: known fields given as null are written absent (as PyMISP does).
    want["Event"]["Attribute"][0]
        .as_object_mut()
        .unwrap()
        .remove("object_relation");
    want["Event"]["Attribute"][0]
        .as_object_mut()
        .unwrap()
        .remove("last_seen");
    assert_eq!(event_to_value(&e), want);
}

#[test]
fn errors_name_what_was_wrong() {
    match read_event(b"{\"Event\": {\n  \"info\": \"x\",\n  oops\n}}") {
        Err(e @ MispError::Json { line, column, .. }) => {
            assert_eq!((line, column), (3, 3));
            assert_eq!(
                e.to_string(),
                "not JSON: key must be a string (line 3, column 3)"
            );
        }
        other => panic!("{other:?}"),
    }
    let err = read_event(br#"{"type": "bundle", "objects": []}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a MISP event: an object with keys [objects, type], not {\"Event\": ...}, {\"response\": [...]} or an event (info, Attribute, …)"
    );
    assert!(
        read_event(b"42")
            .unwrap_err()
            .to_string()
            .contains("a number")
    );
    let err =
        read_event(br#"{"Event": {"info": "x", "Attribute": {"type": "domain"}}}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"Attribute\" is an object, not an array"),
        "{err}"
    );
    let err = event_from_value(json!({"Event": {"info": "x", "Attribute": [{"type": "domain"}]}}))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Attribute[0]: missing field `value`"),
        "{err}"
    );
}

#[test]
fn import_events_takes_parsed_events_as_the_api_receives_them() {
    let e = event_from_value(json!({"Event": {"uuid": "u", "info": "api", "Attribute": [
        {"type": "url", "value": "hxxp://evil[.]example[.]com/x"}]}}))
    .unwrap();
    let got = import_events(std::slice::from_ref(&e));
    assert_eq!(
        got.indicators[0].indicator.value,
        "http://evil.example.com/x"
    );
    assert_eq!(got.groups[0].source_id, "u");
    let _ = misp::mapping::distribution(Tlp::Red);
}

#[test]
fn an_attribute_search_answer_reads_as_one_unnamed_group() {
    // restSearch on /attributes answers {"response": {"Attribute": [...]}}.
    let got = read_event(
        br#"{"response": {"Attribute": [
            {"event_id": "12", "type": "ip-dst", "value": "198.51.100.7", "uuid": "x1",
             "Event": {"id": "12", "info": "other event", "uuid": "e1"}}]}}"#,
    )
    .unwrap();
    assert_eq!(got.groups.len(), 1);
    assert_eq!(got.groups[0].source_id, "Event[0]");
    assert_eq!(got.indicators[0].indicator.value, "198.51.100.7");
    assert_eq!(got.indicators[0].source_id, "x1");
    // A bare event without uuid is named by what it is.
    let got = read_event(br#"{"info": "x", "Attribute": []}"#).unwrap();
    assert_eq!(got.groups[0].source_id, "Event");
}
