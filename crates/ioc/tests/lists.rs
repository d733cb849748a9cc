//! Warning lists (MISP format) and public suffix lists loaded at run time.

use hikeshi_ioc::{
    Category, Extractor, Kind, SuffixList, WarningList, WarningSet, parse_indicator_with,
};

#[test]
fn misp_lists_of_each_type_match_as_misp_means() {
    let cidr = WarningList::from_misp_json(
        r#"{"name":"relays","type":"cidr","list":["192.0.2.0/28","2001:db8:5::/48"],"matching_attributes":["ip-dst"]}"#,
    )
    .unwrap();
    assert!(cidr.matches(Kind::Ipv4, "192.0.2.15"));
    assert!(!cidr.matches(Kind::Ipv4, "192.0.2.16"));
    assert!(cidr.matches(Kind::Cidr, "192.0.2.0/29"));
    assert!(
        !cidr.matches(Kind::Cidr, "192.0.2.0/24"),
        "a larger network is not inside"
    );
    assert!(cidr.matches(Kind::Ipv6, "2001:db8:5:1::9"));
    assert!(cidr.matches(Kind::Url, "http://192.0.2.3/x"));

    let host = WarningList::from_misp_json(
        r#"{"name":"cdn","type":"hostname","list":["*.Example-CDN.net."]}"#,
    )
    .unwrap();
    assert!(host.matches(Kind::Domain, "a.b.example-cdn.net"));
    assert!(host.matches(Kind::Domain, "example-cdn.net"));
    assert!(!host.matches(Kind::Domain, "notexample-cdn.net"));
    assert!(host.matches(Kind::Url, "https://x.example-cdn.net:8443/p"));
    assert!(host.matches(Kind::Email, "a@mail.example-cdn.net"));

    let exact =
        WarningList::from_misp_json(r#"{"name":"h","list":["D41D8CD98F00B204E9800998ECF8427E"]}"#)
            .unwrap();
    assert!(
        exact.matches(Kind::Md5, "d41d8cd98f00b204e9800998ecf8427e"),
        "type defaults to string"
    );
    assert!(!exact.matches(Kind::Domain, "sub.d41d8cd98f00b204e9800998ecf8427e"));

    let sub = WarningList::from_misp_json(r#"{"name":"s","type":"substring","list":["sinkhole"]}"#)
        .unwrap();
    assert!(sub.matches(Kind::Domain, "ns1.sinkhole.example.net"));
}

#[test]
fn unusable_lists_are_refused_with_a_reason() {
    for (json, needle) in [
        (
            r#"{"name":"r","type":"regex","list":["^a"]}"#,
            "not supported",
        ),
        (
            r#"{"name":"c","type":"cidr","list":["not-an-ip"]}"#,
            "not an address",
        ),
        (r#"{"name":"c","type":"cidr","list":[]}"#, "no entries"),
        (r#"{"list":["a"]}"#, "not a MISP warninglist"),
        ("[1,2", "not a MISP warninglist"),
    ] {
        let err = WarningList::from_misp_json(json).unwrap_err().to_string();
        assert!(err.contains(needle), "{json}: {err}");
    }
}

#[test]
fn an_extractor_uses_the_lists_it_is_given() {
    let mut set = WarningSet::empty();
    set.push(WarningList::custom("our mail relays", "cidr", &["203.0.113.0/24"]).unwrap());
    let ex = Extractor::new().with_warnings(set);
    let found = ex.extract("relay 203.0.113.7 and 8.8.8.8");
    let warned: Vec<(&str, Vec<(String, Category)>)> = found
        .iter()
        .map(|e| {
            (
                e.value.as_str(),
                e.warnings
                    .iter()
                    .map(|w| (w.list.clone(), w.category))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        warned,
        [
            (
                "203.0.113.7",
                vec![("our mail relays".to_owned(), Category::Custom)]
            ),
            ("8.8.8.8", vec![])
        ]
    );
}

#[test]
fn a_suffix_list_loaded_at_run_time_decides_what_a_domain_is() {
    // A list with one made-up suffix: a newer list can add a TLD without a rebuild.
    let list = SuffixList::parse(
        "// ===BEGIN ICANN DOMAINS===\nhikeshitest\n// ===END ICANN DOMAINS===\n",
    )
    .unwrap();
    let ex = Extractor::new().with_suffixes(list.clone());
    let values: Vec<String> = ex
        .extract("c2 evil.hikeshitest and evil.com")
        .into_iter()
        .map(|e| e.value)
        .collect();
    assert_eq!(
        values,
        ["evil.hikeshitest"],
        "only suffixes on the loaded list count"
    );
    assert_eq!(
        parse_indicator_with("evil.hikeshitest", &list)
            .unwrap()
            .kind,
        Kind::Domain
    );
    assert!(SuffixList::parse("").is_err());
    assert!(SuffixList::from_file(std::path::Path::new("/nonexistent/psl.dat")).is_err());
}
