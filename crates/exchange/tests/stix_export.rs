//! STIX 2.1 export: what objects a ShareSet becomes, the TLP ceiling, determinism.

#[path = "stix_fixture.rs"]
mod fixture;

use std::collections::{HashMap, HashSet};

use fixture::{full_set, indicator, producer, uuid};
use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::named::Named;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::ShareSet;
use hikeshi_exchange::stix::markings::{self, tlp2_id};
use hikeshi_exchange::stix::{ExportOptions, ExportSummary, check_object, pattern, write_bundle};
use hikeshi_ioc::Kind;
use serde_json::{Value, json};

fn export(set: &ShareSet, max: Tlp) -> (String, ExportSummary) {
    let mut out = Vec::new();
    let opts = ExportOptions {
        tlp_max: max,
        ..ExportOptions::default()
    };
    let s = write_bundle(set, &mut out, &opts).unwrap();
    (String::from_utf8(out).unwrap(), s)
}

fn objects(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(v["type"], "bundle");
    v["objects"].as_array().unwrap().clone()
}

fn of_type<'a>(objs: &'a [Value], ty: &str) -> Vec<&'a Value> {
    objs.iter().filter(|o| o["type"] == ty).collect()
}

#[test]
fn every_kind_becomes_its_pattern_and_observable() {
    let expect: [(Kind, &str, &str); 14] = [
        (Kind::Ipv4, "[ipv4-addr:value = '192.0.2.10']", "ipv4-addr"),
        (
            Kind::Ipv6,
            "[ipv6-addr:value = '2001:db8::10']",
            "ipv6-addr",
        ),
        (
            Kind::Cidr,
            "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
            "ipv4-addr",
        ),
        (
            Kind::Cidr,
            "[ipv6-addr:value ISSUBSET '2001:db8:1::/48']",
            "ipv6-addr",
        ),
        (
            Kind::Domain,
            "[domain-name:value = 'evil.example.com']",
            "domain-name",
        ),
        (
            Kind::Url,
            "[url:value = 'http://evil.example.com/it\\'s/login.php?q=\\'1\\'']",
            "url",
        ),
        (
            Kind::Email,
            "[email-addr:value = 'phish@example.net']",
            "email-addr",
        ),
        (
            Kind::Md5,
            "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']",
            "file",
        ),
        (
            Kind::Sha1,
            "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
            "file",
        ),
        (
            Kind::Sha256,
            "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
            "file",
        ),
        (Kind::Sha512, "[file:hashes.'SHA-512' = 'cf83e135", "file"),
        (Kind::Filename, "[file:name = '請求書.exe']", "file"),
        (
            Kind::Asn,
            "[autonomous-system:number = 64496]",
            "autonomous-system",
        ),
        (Kind::Cve, "", "vulnerability"),
    ];
    let values = fixture::kind_values();
    for (kind, pattern_start, ty) in expect {
        let (_, value) = values
            .iter()
            .find(|(k, v)| *k == kind && (kind != Kind::Cidr || pattern_start.contains(*v)))
            .unwrap();
        let set = ShareSet {
            producer: producer(),
            incidents: vec![],
            indicators: vec![indicator(
                2,
                kind,
                value,
                IndicatorRole::C2,
                Tlp::Green,
                None,
            )],
        };
        let (text, summary) = export(&set, Tlp::Green);
        let objs = objects(&text);
        if kind == Kind::Cve {
            let v = of_type(&objs, "vulnerability");
            assert_eq!(v.len(), 1);
            assert_eq!(v[0]["name"], "CVE-2024-3094");
            assert_eq!(v[0]["external_references"][0]["source_name"], "cve");
            assert_eq!(
                v[0]["external_references"][0]["external_id"],
                "CVE-2024-3094"
            );
            assert!(of_type(&objs, "indicator").is_empty());
            continue;
        }
        let ind = of_type(&objs, "indicator");
        assert_eq!(ind.len(), 1, "{kind:?}");
        let p = ind[0]["pattern"].as_str().unwrap();
        assert!(p.starts_with(pattern_start), "{kind:?}: {p}");
        assert!(pattern::parse(p).is_ok(), "{p}");
        assert_eq!(ind[0]["pattern_type"], "stix");
        assert_eq!(ind[0]["pattern_version"], "2.1");
        assert_eq!(ind[0]["id"], format!("indicator--{}", uuid(2)));
        let scos = of_type(&objs, ty);
        assert_eq!(scos.len(), 1, "{kind:?}");
        // The SCO is wrapped in an observed-data, which the indicator is based on (a
        // suggested target of based-on; an SCO is not, stix2-validator check 202).
        let od = of_type(&objs, "observed-data");
        assert_eq!(od.len(), 1, "{kind:?}");
        assert_eq!(od[0]["object_refs"], json!([scos[0]["id"]]));
        assert_eq!(od[0]["number_observed"], 1);
        let rel = of_type(&objs, "relationship");
        assert_eq!(rel.len(), 1);
        assert_eq!(rel[0]["relationship_type"], "based-on");
        assert_eq!(rel[0]["source_ref"], ind[0]["id"]);
        assert_eq!(rel[0]["target_ref"], od[0]["id"]);
        assert_eq!(summary.observed_data, 1);
        assert!(summary.skipped.is_empty());
    }
}

#[test]
fn asn_numbers_are_integers_and_sco_ids_follow_the_spec() {
    let set = ShareSet {
        producer: producer(),
        incidents: vec![],
        indicators: vec![
            indicator(
                1,
                Kind::Asn,
                "AS64496",
                IndicatorRole::Scanner,
                Tlp::Clear,
                None,
            ),
            indicator(
                3,
                Kind::Ipv4,
                "198.51.100.3",
                IndicatorRole::C2,
                Tlp::Clear,
                None,
            ),
        ],
    };
    let objs = objects(&export(&set, Tlp::Clear).0);
    let asn = of_type(&objs, "autonomous-system")[0];
    assert_eq!(asn["number"], 64496);
    // uuid.uuid5(UUID('00abedb4-aa42-466c-9c01-fed23315a9b7'), '{"value":"198.51.100.3"}')
    assert_eq!(
        of_type(&objs, "ipv4-addr")[0]["id"],
        "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"
    );
}

#[test]
fn other_is_skipped_with_a_reason_never_silently() {
    let set = ShareSet {
        producer: producer(),
        incidents: vec![],
        indicators: vec![indicator(
            7,
            Kind::Other,
            "mutex X",
            IndicatorRole::Other,
            Tlp::Clear,
            None,
        )],
    };
    let (text, s) = export(&set, Tlp::Red);
    assert_eq!(s.skipped.len(), 1);
    assert_eq!(s.skipped[0].uuid, uuid(7));
    assert!(
        s.skipped[0].reason.contains("other"),
        "{}",
        s.skipped[0].reason
    );
    assert!(!text.contains("mutex X"));
}

#[test]
fn every_object_passes_the_per_object_check_and_references_resolve() {
    let (text, summary) = export(&full_set(), Tlp::Red);
    let objs = objects(&text);
    assert_eq!(objs.len(), summary.objects);
    let ids: HashSet<&str> = objs.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), objs.len(), "ids are unique");
    let identity = of_type(&objs, "identity");
    assert_eq!(identity.len(), 1);
    assert_eq!(identity[0]["identity_class"], "organization");
    for o in &objs {
        check_object(o).unwrap_or_else(|e| panic!("{e}: {o}"));
        let ty = o["type"].as_str().unwrap();
        if !matches!(ty, "identity" | "marking-definition")
            && !hikeshi_exchange::stix::is_sco_type(ty)
        {
            assert_eq!(o["created_by_ref"], identity[0]["id"], "{o}");
            let c = o["created"].as_str().unwrap();
            assert_eq!(c.len(), 24, "milliseconds: {c}");
        }
        for key in ["object_refs", "object_marking_refs"] {
            for r in o[key].as_array().into_iter().flatten() {
                assert!(ids.contains(r.as_str().unwrap()), "{r} in {o}");
            }
        }
        for key in ["source_ref", "target_ref", "created_by_ref"] {
            if let Some(r) = o[key].as_str() {
                assert!(ids.contains(r), "{r}");
            }
        }
    }
    // Five incidents, five reports, each naming every object of its incident.
    let reports = of_type(&objs, "report");
    assert_eq!(reports.len(), 5);
    for r in &reports {
        assert!(r["name"].as_str().unwrap().starts_with("HK-2026-"));
        assert_eq!(r["report_types"][0], "threat-report");
        assert_eq!(r["published"], r["modified"]);
    }
    // The malware roles got their malware objects and `indicates` relationships.
    let malware = of_type(&objs, "malware");
    assert_eq!(malware.len(), summary.malware);
    assert!(!malware.is_empty());
    for m in &malware {
        assert_eq!(m["is_family"], false);
    }
    let indicates = objs
        .iter()
        .filter(|o| o["relationship_type"] == "indicates")
        .count();
    assert_eq!(indicates, malware.len());
}

#[test]
fn japanese_text_is_written_as_utf8_and_survives() {
    let (text, _) = export(&full_set(), Tlp::Red);
    assert!(text.contains("フィッシングサイトの報告"));
    assert!(text.contains("請求書.exe"));
    assert!(!text.contains("\\u"), "no escaped non-ASCII");
    let objs = objects(&text);
    let r = of_type(&objs, "report")[0];
    assert_eq!(
        r["description"],
        "取引先を装ったメールで偽のログインページへ誘導"
    );
}

#[test]
fn tlp_2_markings_are_the_published_objects_and_only_those_used() {
    let (text, s) = export(&full_set(), Tlp::Red);
    let objs = objects(&text);
    let defs = of_type(&objs, "marking-definition");
    assert_eq!(defs.len(), 5);
    assert_eq!(s.markings, Tlp::all());
    for d in defs {
        assert_eq!(d["created"], markings::TLP2_CREATED);
        let ext = &d["extensions"][markings::TLP2_EXTENSION];
        assert_eq!(ext["extension_type"], "property-extension");
        let level = Tlp::parse(ext["tlp_2_0"].as_str().unwrap()).unwrap();
        assert_eq!(d["id"], tlp2_id(level));
        assert_eq!(d["name"], level.label());
    }
    let amber_strict = of_type(&objs, "marking-definition")
        .into_iter()
        .find(|d| d["name"] == "TLP:AMBER+STRICT")
        .unwrap();
    assert_eq!(
        amber_strict["id"],
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    );
    let green_only = ShareSet {
        producer: producer(),
        incidents: vec![],
        indicators: vec![indicator(
            1,
            Kind::Domain,
            "a.example.com",
            IndicatorRole::C2,
            Tlp::Green,
            None,
        )],
    };
    let objs = objects(&export(&green_only, Tlp::Red).0);
    let defs = of_type(&objs, "marking-definition");
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0]["id"], markings::TLP2_GREEN);
}

/// Everything above the ceiling is absent from the bytes: no marking id, no level name, no
/// value, no incident title that only exists above it.
#[test]
fn tlp_max_matrix_nothing_above_the_ceiling_appears_anywhere() {
    let set = full_set();
    for max in Tlp::all() {
        let (text, s) = export(&set, *max);
        let objs = objects(&text);
        for above in Tlp::all().iter().filter(|t| *t > max) {
            assert!(!text.contains(tlp2_id(*above)), "{max:?}: {above:?} id");
            assert!(!text.contains(&above.label()), "{max:?}: {above:?} label");
            assert!(
                !text.contains(&format!("\"tlp_2_0\":\"{}\"", above.as_str())),
                "{max:?}: {above:?}"
            );
        }
        // Indicators: only those at or below the ceiling (by their uuid) are present.
        for ind in &set.indicators {
            let present = text.contains(&ind.uuid);
            let expressible = ind.indicator.kind != Kind::Other;
            assert_eq!(
                present,
                ind.tlp <= *max && expressible,
                "{max:?} {} {:?}",
                ind.uuid,
                ind.tlp
            );
        }
        for inc in &set.incidents {
            assert_eq!(
                text.contains(&inc.title),
                inc.tlp <= *max,
                "{max:?} {}",
                inc.title
            );
        }
        for o in &objs {
            for r in o["object_marking_refs"].as_array().into_iter().flatten() {
                let t = markings::known_tlp(r.as_str().unwrap()).unwrap();
                assert!(t <= *max);
            }
        }
        let expected_withheld = set.indicators.iter().filter(|i| i.tlp > *max).count()
            + set.incidents.iter().filter(|i| i.tlp > *max).count();
        assert_eq!(s.withheld, expected_withheld, "{max:?}");
    }
}

#[test]
fn an_indicator_of_a_withheld_incident_is_withheld_too() {
    let mut set = full_set();
    // A GREEN indicator inside the RED incident (index 4).
    set.indicators.push(indicator(
        777,
        Kind::Domain,
        "inside-red.example.com",
        IndicatorRole::C2,
        Tlp::Green,
        Some(4),
    ));
    let (text, _) = export(&set, Tlp::Amber);
    assert!(!text.contains("inside-red.example.com"));
}

#[test]
fn the_same_set_gives_the_same_bytes() {
    let a = export(&full_set(), Tlp::Red);
    let b = export(&full_set(), Tlp::Red);
    assert_eq!(a.0, b.0);
    assert_eq!(a.1.bundle_id, b.1.bundle_id);
    let mut changed = full_set();
    changed.indicators[0].modified += 1;
    let c = export(&changed, Tlp::Red);
    assert_ne!(
        a.1.bundle_id, c.1.bundle_id,
        "a new version is a new bundle"
    );
}

#[test]
fn a_value_shared_by_two_indicators_is_one_observable_at_the_lower_marking() {
    let set = ShareSet {
        producer: producer(),
        incidents: vec![],
        indicators: vec![
            indicator(
                1,
                Kind::Domain,
                "same.example.com",
                IndicatorRole::C2,
                Tlp::Amber,
                None,
            ),
            indicator(
                3,
                Kind::Domain,
                "same.example.com",
                IndicatorRole::Phishing,
                Tlp::Green,
                None,
            ),
        ],
    };
    let objs = objects(&export(&set, Tlp::Red).0);
    assert_eq!(of_type(&objs, "indicator").len(), 2);
    let scos = of_type(&objs, "domain-name");
    assert_eq!(scos.len(), 1);
    assert_eq!(scos[0]["object_marking_refs"][0], tlp2_id(Tlp::Green));
    let based_on: HashMap<&str, &str> = of_type(&objs, "relationship")
        .iter()
        .map(|r| {
            (
                r["source_ref"].as_str().unwrap(),
                r["target_ref"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(based_on.len(), 2);
    // One observed-data per indicator, each at its indicator's marking, both wrapping the one
    // SCO.
    let od: HashMap<&str, &Value> = of_type(&objs, "observed-data")
        .into_iter()
        .map(|o| (o["id"].as_str().unwrap(), o))
        .collect();
    assert_eq!(od.len(), 2);
    for ind in of_type(&objs, "indicator") {
        let o = od[based_on[ind["id"].as_str().unwrap()]];
        assert_eq!(o["object_refs"], json!([scos[0]["id"]]));
        assert_eq!(o["object_marking_refs"], ind["object_marking_refs"]);
    }

    // In one incident, the shared observable is listed once in the report.
    let mut set = set;
    set.incidents.push(fixture::incident(1, Tlp::Amber));
    for i in &mut set.indicators {
        i.incident = Some(0);
    }
    let objs = objects(&export(&set, Tlp::Red).0);
    let refs = of_type(&objs, "report")[0]["object_refs"]
        .as_array()
        .unwrap()
        .clone();
    let unique: HashSet<&str> = refs.iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(unique.len(), refs.len());
    assert_eq!(
        refs.len(),
        7,
        "2 indicators, 1 observable, 2 observed-data, 2 relationships"
    );
}

#[test]
fn roles_map_to_indicator_types_and_labels() {
    let table = [
        (IndicatorRole::Unknown, "unknown"),
        (IndicatorRole::C2, "malicious-activity"),
        (IndicatorRole::Phishing, "malicious-activity"),
        (IndicatorRole::MalwareDistribution, "malicious-activity"),
        (IndicatorRole::Dropper, "malicious-activity"),
        (IndicatorRole::Payload, "malicious-activity"),
        (IndicatorRole::Exfiltration, "malicious-activity"),
        (IndicatorRole::Scanner, "anomalous-activity"),
        (IndicatorRole::Victim, "compromised"),
        (IndicatorRole::Other, "unknown"),
    ];
    for (role, ty) in table {
        let set = ShareSet {
            producer: producer(),
            incidents: vec![],
            indicators: vec![indicator(
                1,
                Kind::Ipv4,
                "192.0.2.1",
                role,
                Tlp::Clear,
                None,
            )],
        };
        let objs = objects(&export(&set, Tlp::Clear).0);
        let i = of_type(&objs, "indicator")[0];
        assert_eq!(i["indicator_types"][0], ty, "{role:?}");
        assert_eq!(i["labels"][0], role.as_str());
        let malware = of_type(&objs, "malware");
        let expect_malware = matches!(
            role,
            IndicatorRole::Payload | IndicatorRole::Dropper | IndicatorRole::MalwareDistribution
        );
        assert_eq!(malware.len(), usize::from(expect_malware), "{role:?}");
        if role == IndicatorRole::Dropper {
            assert_eq!(malware[0]["malware_types"][0], "dropper");
        }
    }
}

#[test]
fn an_incident_with_nothing_shareable_still_gives_a_valid_report() {
    let set = ShareSet {
        producer: producer(),
        incidents: vec![fixture::incident(1, Tlp::Green)],
        indicators: vec![],
    };
    let objs = objects(&export(&set, Tlp::Green).0);
    let r = of_type(&objs, "report")[0];
    assert_eq!(r["object_refs"][0], of_type(&objs, "identity")[0]["id"]);
}

#[test]
fn observed_data_spans_first_to_last_seen_else_created() {
    const DAY: i64 = 86_400_000;
    let mk = |n: u32, first: Option<i64>, last: Option<i64>| {
        let mut i = indicator(
            n,
            Kind::Ipv4,
            &format!("192.0.2.{n}"),
            IndicatorRole::C2,
            Tlp::Amber,
            None,
        );
        i.created = 10 * DAY;
        i.modified = 11 * DAY;
        (i.first_seen, i.last_seen) = (first, last);
        i
    };
    let set = ShareSet {
        producer: producer(),
        incidents: vec![],
        indicators: vec![
            mk(1, Some(DAY), Some(3 * DAY)),
            mk(2, None, None),
            mk(3, Some(DAY), None),
            mk(4, Some(20 * DAY), None), // created is before first_seen: never before the first
            mk(5, None, Some(12 * DAY)),
        ],
    };
    let (text, summary) = export(&set, Tlp::Amber);
    let objs = objects(&text);
    let od = of_type(&objs, "observed-data");
    assert_eq!(od.len(), 5);
    assert_eq!(summary.observed_data, 5);
    let day = |d: u32| format!("1970-01-{:02}T00:00:00.000Z", d + 1);
    let want = [(1, 3), (10, 10), (1, 10), (20, 20), (10, 12)];
    for (o, (first, last)) in od.iter().zip(want) {
        assert_eq!(o["first_observed"], day(first), "{o}");
        assert_eq!(o["last_observed"], day(last), "{o}");
        assert_eq!(o["number_observed"], 1);
        assert_eq!(o["created"], day(10));
        assert_eq!(o["modified"], day(11));
        assert_eq!(o["object_marking_refs"], json!([tlp2_id(Tlp::Amber)]));
        let id = o["id"].as_str().unwrap();
        let u = uuid::Uuid::parse_str(id.strip_prefix("observed-data--").unwrap()).unwrap();
        assert_eq!(u.get_version_num(), 4, "{id}");
    }
    // Deterministic: the same set gives the same ids.
    assert_eq!(export(&set, Tlp::Amber).0, text);
}
