//! Matching semantics as tables: which field values match which indicators, per format.

use hikeshi_ioc::Kind;
use hikeshi_sweep::{FieldMap, Format, IndicatorSet, Role, SweepOptions, Sweeper, VecSink};

fn set() -> IndicatorSet {
    let mut b = IndicatorSet::builder();
    for (kind, value) in [
        (Kind::Domain, "evil.com"),
        (Kind::Domain, "Bad.Example.ORG"),
        (Kind::Ipv4, "198.51.100.7"),
        (Kind::Cidr, "203.0.113.0/24"),
        (Kind::Cidr, "203.0.113.128/25"),
        (Kind::Ipv6, "2001:db8::7"),
        (Kind::Cidr, "2001:db8:ff::/48"),
        (Kind::Url, "http://phish.example.net/login.php"),
        (Kind::Url, "https://dl.example.net/x.exe?id=5"),
        (Kind::Md5, "d41d8cd98f00b204e9800998ecf8427e"),
        (Kind::Email, "boss@corp-mail.example"),
    ] {
        assert!(b.insert(kind, value).expect("valid"), "{value}");
    }
    assert!(!b.insert(Kind::Cve, "CVE-2024-0001").expect("cve"));
    b.build()
}

/// The (field, kind, indicator) hits of a one-line log.
fn hits(format: Format, log: &str) -> Vec<(String, Kind, String)> {
    let set = set();
    let opts = SweepOptions {
        format: Some(format),
        ..SweepOptions::default()
    };
    let mut sink = VecSink::default();
    Sweeper::new(&set, opts).sweep_reader("t", log.as_bytes(), &mut sink);
    sink.hits
        .into_iter()
        .map(|h| (h.field, h.kind, h.indicator))
        .collect()
}

fn indicators(format: Format, log: &str) -> Vec<String> {
    hits(format, log).into_iter().map(|(_, _, i)| i).collect()
}

#[test]
fn domains_match_the_host_and_its_subdomains_only() {
    let cases: &[(&str, &[&str])] = &[
        ("evil.com", &["evil.com"]),
        ("a.b.evil.com", &["evil.com"]),
        ("A.B.EVIL.COM.", &["evil.com"]),
        ("evil.com:8443", &["evil.com"]),
        ("x.bad.example.org", &["bad.example.org"]),
        ("notevil.com", &[]),
        ("evil.com.other.net", &[]),
        ("evil.co", &[]),
        ("example.org", &[]),
        ("com", &[]),
    ];
    for (host, want) in cases {
        let line =
            format!("1700000000.000 5 10.0.0.1 TCP_TUNNEL/200 1 CONNECT {host} - HIER_NONE/- -\n");
        assert_eq!(indicators(Format::Squid, &line), *want, "{host}");
    }
}

#[test]
fn addresses_match_exactly_or_inside_a_block_most_specific_first() {
    let cases: &[(&str, &[&str])] = &[
        ("198.51.100.7", &["198.51.100.7"]),
        ("198.51.100.70", &[]),
        ("198.51.100.6", &[]),
        ("203.0.113.0", &["203.0.113.0/24"]),
        ("203.0.113.127", &["203.0.113.0/24"]),
        ("203.0.113.128", &["203.0.113.128/25"]),
        ("203.0.114.0", &[]),
        ("2001:db8::7", &["2001:db8::7"]),
        ("2001:DB8:0:0:0:0:0:7", &["2001:db8::7"]),
        ("2001:db8:ff:1::9", &["2001:db8:ff::/48"]),
        ("2001:db8:fe::1", &[]),
    ];
    for (ip, want) in cases {
        let line = format!("{{\"src_ip\":\"10.0.0.1\",\"dst_ip\":\"{ip}\"}}\n");
        assert_eq!(indicators(Format::Jsonl, &line), *want, "{ip}");
    }
}

#[test]
fn urls_match_normalised_and_ignore_a_query_the_indicator_does_not_have() {
    let cases: &[(&str, &[&str])] = &[
        (
            "http://phish.example.net/login.php",
            &["http://phish.example.net/login.php"],
        ),
        (
            "HTTP://PHISH.example.net:80/login.php?u=1#top",
            &["http://phish.example.net/login.php"],
        ),
        ("http://phish.example.net/login.php.bak", &[]),
        ("http://phish.example.net/LOGIN.php", &[]),
        (
            "https://dl.example.net/x.exe?id=5",
            &["https://dl.example.net/x.exe?id=5"],
        ),
        ("https://dl.example.net/x.exe?id=6", &[]),
        ("https://dl.example.net/x.exe", &[]),
        ("http://ok.example/search?q=evil.com", &[]),
        ("http://cdn.evil.com/a.js", &["evil.com"]),
    ];
    for (url, want) in cases {
        let line =
            format!("1700000000.000 5 10.0.0.1 TCP_MISS/200 1 GET {url} - HIER_NONE/- text/html\n");
        assert_eq!(indicators(Format::Squid, &line), *want, "{url}");
    }
}

#[test]
fn plain_text_matches_whole_tokens_never_substrings() {
    let cases: &[(&str, &[&str])] = &[
        (
            "Nov 26 04:22:34 fw kernel: DROP SRC=10.0.0.5 DST=198.51.100.7 LEN=60",
            &["198.51.100.7"],
        ),
        ("resolved (a.evil.com) to 1.1.1.1.", &["evil.com"]),
        ("visited notevil.com and evil.com.other.net", &[]),
        (
            "fetch url=http://phish.example.net/login.php?x=1, done",
            &["http://phish.example.net/login.php"],
        ),
        (
            "hash D41D8CD98F00B204E9800998ECF8427E seen",
            &["d41d8cd98f00b204e9800998ecf8427e"],
        ),
        ("hash d41d8cd98f00b204e9800998ecf8427e00 seen", &[]),
        (
            "mail from <Boss@Corp-Mail.example> to x",
            &["boss@corp-mail.example"],
        ),
        ("peer 198.51.100.77 and 2198.51.100.7", &[]),
        ("GET http://ok.example/search?q=evil.com", &[]),
        ("kv log dst=evil.com", &["evil.com"]),
    ];
    for (line, want) in cases {
        assert_eq!(
            indicators(Format::Text, &format!("{line}\n")),
            *want,
            "{line}"
        );
    }
}

#[test]
fn combined_log_fields_are_told_apart() {
    let line = r#"203.0.113.9 - - [26/Nov/2026:04:22:34 +0000] "GET http://cdn.evil.com/x HTTP/1.1" 200 512 "http://phish.example.net/login.php" "Mozilla/5.0 (evil.com)""#;
    let got = hits(Format::Combined, &format!("{line}\n"));
    let want = [
        ("client".to_owned(), Kind::Cidr, "203.0.113.0/24".to_owned()),
        ("request".to_owned(), Kind::Domain, "evil.com".to_owned()),
        (
            "referer".to_owned(),
            Kind::Url,
            "http://phish.example.net/login.php".to_owned(),
        ),
    ];
    assert_eq!(
        got, want,
        "the user agent's evil.com is not a host the client reached"
    );
}

#[test]
fn zeek_columns_take_their_meaning_from_the_header() {
    let log = "#separator \\x09\n#set_separator\t,\n#fields\tts\tuid\tid.orig_h\tid.resp_h\tquery\tanswers\n\
               #types\ttime\tstring\taddr\taddr\tstring\tvector[string]\n\
               1700000000.1\tCx\t10.0.0.5\t10.0.0.53\tevil.com.other.net\t198.51.100.7,1.1.1.1\n\
               1700000000.2\tCy\t10.0.0.6\t10.0.0.53\twww.evil.com\t-\n";
    let set = set();
    let mut sink = VecSink::default();
    Sweeper::new(&set, SweepOptions::default()).sweep_reader("dns.log", log.as_bytes(), &mut sink);
    let got: Vec<_> = sink
        .hits
        .iter()
        .map(|h| {
            (
                h.line,
                h.field.as_str(),
                h.indicator.as_str(),
                h.source.as_deref(),
                h.destination.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                5,
                "answers",
                "198.51.100.7",
                Some("10.0.0.5"),
                Some("evil.com.other.net")
            ),
            (
                6,
                "query",
                "evil.com",
                Some("10.0.0.6"),
                Some("www.evil.com")
            ),
        ]
    );
    assert_eq!(sink.hits[0].timestamp.as_deref(), Some("1700000000.1"));
}

#[test]
fn csv_and_json_columns_follow_names_and_the_field_map() {
    let csv = "time,client,server,note\n2026-11-26T04:00:00Z,10.0.0.9,198.51.100.7,evil.com\n";
    assert_eq!(indicators(Format::Csv, csv), ["198.51.100.7", "evil.com"]);

    let json =
        "{\"when\":\"t\",\"peer\":{\"addr\":\"198.51.100.7\"},\"blob\":\"see evil.com now\"}\n";
    assert_eq!(
        indicators(Format::Jsonl, json),
        ["198.51.100.7"],
        "a sentence is not a host"
    );
    let set = set();
    let mut map = FieldMap::new();
    map.set("blob", Role::Text).set("peer.addr", Role::Ignore);
    let opts = SweepOptions {
        format: Some(Format::Jsonl),
        field_map: map,
        ..SweepOptions::default()
    };
    let mut sink = VecSink::default();
    Sweeper::new(&set, opts).sweep_reader("j", json.as_bytes(), &mut sink);
    let got: Vec<_> = sink
        .hits
        .iter()
        .map(|h| (h.field.as_str(), h.indicator.as_str()))
        .collect();
    assert_eq!(got, [("blob", "evil.com")]);
}

#[test]
fn formats_are_detected_from_the_first_line() {
    let cases = [
        (
            "1700000000.000      5 10.0.0.1 TCP_MISS/200 1 GET http://a.b/ - HIER_NONE/- -\n",
            Format::Squid,
        ),
        (
            "1.2.3.4 - - [26/Nov/2026:04:22:34 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"\n",
            Format::Combined,
        ),
        ("#separator \\x09\n#fields\tts\n", Format::Zeek),
        ("{\"a\":1}\n", Format::Jsonl),
        ("ts,src,dst\n1,2,3\n", Format::Csv),
        ("Nov 26 04:22:34 host sshd[1]: Accepted\n", Format::Text),
        ("", Format::Text),
    ];
    for (head, want) in cases {
        assert_eq!(hikeshi_sweep::detect(head.as_bytes()), want, "{head}");
    }
}

#[test]
fn invalid_indicators_are_refused_with_their_kind() {
    let mut b = IndicatorSet::builder();
    for (kind, value) in [
        (Kind::Ipv4, "1.2.3.256"),
        (Kind::Cidr, "10.0.0.0/33"),
        (Kind::Domain, "exa mple.com"),
        (Kind::Md5, "xyz"),
        (Kind::Email, "@nohost"),
    ] {
        assert!(b.insert(kind, value).is_err(), "{kind} {value}");
    }
}

#[test]
fn identifier_version_and_enumeration_fields_are_not_searched() {
    // A version string shaped like an address, a DNS type name and a Zeek connection id that
    // happen to equal indicators: none of them is an observation of one. The query beside them
    // still is.
    let zeek = "#separator \\x09\n#fields\tts\tuid\tversion\tquery\tqtype_name\n\
                #types\ttime\tstring\tstring\tstring\tstring\n\
                1700000000.0\tevil.com\t198.51.100.7\tx.evil.com\tevil.com\n";
    assert_eq!(
        hits(Format::Zeek, zeek),
        [("query".to_owned(), Kind::Domain, "evil.com".to_owned())]
    );
    let json =
        r#"{"version":"198.51.100.7","action":"evil.com","proto":"evil.com","dst":"198.51.100.7"}"#;
    assert_eq!(indicators(Format::Jsonl, json), ["198.51.100.7"]);
    assert_eq!(hits(Format::Jsonl, json)[0].0, "dst");
}
