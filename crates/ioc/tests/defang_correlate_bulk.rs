//! Defang, weak links and bulk lists as specifications.

use hikeshi_ioc::{
    DefangStyle, Indicator, Kind, Link, WeakKey, defang, network_key, parse_csv, parse_indicator,
    parse_lines, registrable_domain, url_host, weak_keys,
};

fn ind(text: &str) -> Indicator {
    parse_indicator(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn defanged_forms_per_style() {
    let table: &[(&str, DefangStyle, &str)] = &[
        (
            "https://evil.example.com/a.php?x=1",
            DefangStyle::Brackets,
            "hxxps://evil[.]example[.]com/a.php?x=1",
        ),
        (
            "http://192.0.2.1:8080/",
            DefangStyle::Parens,
            "hxxp://192(.)0(.)2(.)1:8080/",
        ),
        (
            "ftp://files.example.net/x",
            DefangStyle::Words,
            "fxp://files[dot]example[dot]net/x",
        ),
        ("evil.co.jp", DefangStyle::Brackets, "evil[.]co[.]jp"),
        ("evil.co.jp", DefangStyle::Words, "evil[dot]co[dot]jp"),
        ("192.0.2.1", DefangStyle::Brackets, "192[.]0[.]2[.]1"),
        ("2001:db8::1", DefangStyle::Brackets, "2001[:]db8[:][:]1"),
        ("10.0.0.0/8", DefangStyle::Parens, "10(.)0(.)0(.)0/8"),
        (
            "user@example.jp",
            DefangStyle::Brackets,
            "user[@]example[.]jp",
        ),
        (
            "user@example.jp",
            DefangStyle::Words,
            "user[at]example[dot]jp",
        ),
        ("CVE-2014-0160", DefangStyle::Brackets, "CVE-2014-0160"),
        ("update.exe", DefangStyle::Brackets, "update.exe"),
    ];
    for (text, style, want) in table {
        assert_eq!(defang(&ind(text), *style), *want, "{text} in {style:?}");
    }
}

#[test]
fn every_defanged_form_parses_back_to_the_same_indicator() {
    let samples = [
        "https://evil.example.com/a.php?x=1",
        "http://[2001:db8::1]:8443/x",
        "evil.co.jp",
        "192.0.2.1",
        "2001:db8::1",
        "10.0.0.0/8",
        "2001:db8::/32",
        "user@example.jp",
        "d41d8cd98f00b204e9800998ecf8427e",
        "CVE-2014-0160",
        "AS64496",
        "update.exe",
    ];
    for text in samples {
        let original = ind(text);
        for style in [
            DefangStyle::Brackets,
            DefangStyle::Parens,
            DefangStyle::Words,
        ] {
            let out = defang(&original, style);
            assert_eq!(
                parse_indicator(&out).as_ref(),
                Ok(&original),
                "{text} → {out}"
            );
        }
    }
}

#[test]
fn weak_links_name_what_is_shared() {
    let key = |link, v: &str| WeakKey {
        link,
        value: v.to_owned(),
    };
    let table: &[(&str, Vec<WeakKey>)] = &[
        (
            "a.b.evil.co.jp",
            vec![key(Link::RegistrableDomain, "evil.co.jp")],
        ),
        (
            "x.github.io",
            vec![key(Link::RegistrableDomain, "x.github.io")],
        ),
        (
            "tanaka@mail.evil.ne.jp",
            vec![key(Link::RegistrableDomain, "evil.ne.jp")],
        ),
        (
            "https://cdn.evil.com:8443/a",
            vec![
                key(Link::UrlHost, "cdn.evil.com"),
                key(Link::RegistrableDomain, "evil.com"),
            ],
        ),
        (
            "http://192.0.2.9/x",
            vec![
                key(Link::UrlHost, "192.0.2.9"),
                key(Link::Network, "192.0.2.0/24"),
            ],
        ),
        (
            "http://[2001:db8:1:2::5]/",
            vec![
                key(Link::UrlHost, "2001:db8:1:2::5"),
                key(Link::Network, "2001:db8:1::/48"),
            ],
        ),
        ("198.51.100.77", vec![key(Link::Network, "198.51.100.0/24")]),
        (
            "2001:db8:aa:bb::1",
            vec![key(Link::Network, "2001:db8:aa::/48")],
        ),
        ("192.0.2.128/25", vec![key(Link::Network, "192.0.2.0/24")]),
        ("10.0.0.0/8", vec![]),
        ("d41d8cd98f00b204e9800998ecf8427e", vec![]),
    ];
    for (text, want) in table {
        assert_eq!(&weak_keys(&ind(text)), want, "{text}");
    }
    assert_eq!(
        registrable_domain("WWW.Example.CO.JP."),
        Some("example.co.jp".into())
    );
    assert_eq!(registrable_domain("192.0.2.1"), None);
    assert_eq!(registrable_domain("co.jp"), None);
    assert_eq!(
        url_host("https://user@evil.com:444/p"),
        Some("evil.com".into())
    );
    assert_eq!(
        network_key("203.0.113.255".parse().unwrap()),
        "203.0.113.0/24"
    );
}

#[test]
fn plain_lists_report_every_rejected_line_with_its_number() {
    let data = "# IOCs from JPCERT advisory\n\nhxxp://evil[.]example[.]com/a\n１９２．０．２．１\nnot an indicator\n\u{feff}AS64496\r\n999.1.1.1\n";
    let r = parse_lines(data.as_bytes());
    let accepted: Vec<(usize, Kind, &str)> = r
        .accepted
        .iter()
        .map(|a| (a.line, a.indicator.kind, a.indicator.value.as_str()))
        .collect();
    assert_eq!(
        accepted,
        [
            (3, Kind::Url, "http://evil.example.com/a"),
            (4, Kind::Ipv4, "192.0.2.1"),
            (6, Kind::Asn, "AS64496")
        ]
    );
    let rejected: Vec<(usize, &str)> = r
        .rejected
        .iter()
        .map(|x| (x.line, x.text.as_str()))
        .collect();
    assert_eq!(rejected, [(5, "not an indicator"), (7, "999.1.1.1")]);
    assert!(r.rejected.iter().all(|x| !x.reason.is_empty()));
}

#[test]
fn csv_lists_with_a_header_use_its_value_and_type_columns() {
    let data = b"comment,type,value\nC2,domain,evil[.]example[.]com\ndrop,md5,D41D8CD98F00B204E9800998ECF8427E\nwrong,domain,192.0.2.1\nmisp,ip-dst,2001:db8::1\nodd,gopher,x\n";
    let r = parse_csv(data);
    let accepted: Vec<(usize, &str)> = r
        .accepted
        .iter()
        .map(|a| (a.line, a.indicator.value.as_str()))
        .collect();
    assert_eq!(
        accepted,
        [
            (2, "evil.example.com"),
            (3, "d41d8cd98f00b204e9800998ecf8427e"),
            (5, "2001:db8::1")
        ]
    );
    let rejected: Vec<usize> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(rejected, [4, 6]);
}

#[test]
fn csv_lists_without_a_header_are_kind_value_or_value_first() {
    let r = parse_csv(b"domain,evil.example.com\nsha1,da39a3ee5e6b4b0d3255bfef95601890afd80709\n");
    assert_eq!(r.accepted.len(), 2);
    assert!(r.rejected.is_empty());
    let r = parse_csv(b"192.0.2.1,seen on 2026-11-01\n\"evil[.]example[.]com\",x\n");
    let values: Vec<&str> = r
        .accepted
        .iter()
        .map(|a| a.indicator.value.as_str())
        .collect();
    assert_eq!(values, ["192.0.2.1", "evil.example.com"]);
}
