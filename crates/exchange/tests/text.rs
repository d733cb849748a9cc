//! CSV and defanged-text exports against golden outputs: quoting of Japanese text, commas and
//! quotes; defanging in the style handlers paste; the highest TLP in the header; nothing refused.

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::{Producer, ShareIncident, ShareIndicator, ShareSet};
use hikeshi_exchange::text::{write_csv, write_defanged, write_defanged_csv};
use hikeshi_ioc::{Indicator, Kind};

fn set() -> ShareSet {
    let ind = |kind, value: &str, role, tlp, inc, comment: &str| ShareIndicator {
        uuid: String::new(),
        indicator: Indicator {
            kind,
            value: value.into(),
        },
        role,
        tlp,
        incident: inc,
        comment: comment.into(),
        created: 0,
        modified: 0,
        first_seen: None,
        last_seen: None,
    };
    use IndicatorRole::*;
    let mut inds = vec![
        ind(
            Kind::Url,
            "https://evil.example.co.jp/login.php",
            Phishing,
            Tlp::Amber,
            Some(0),
            "偽ログイン, \"本物そっくり\"",
        ),
        ind(
            Kind::Domain,
            "evil.example.co.jp",
            Phishing,
            Tlp::Green,
            Some(0),
            "",
        ),
        ind(
            Kind::Ipv4,
            "198.51.100.7",
            C2,
            Tlp::Green,
            None,
            "C2\n二行目",
        ),
        ind(
            Kind::Email,
            "billing@evil.example.com",
            Phishing,
            Tlp::Green,
            Some(0),
            "",
        ),
        ind(Kind::Ipv6, "2001:db8::1", Scanner, Tlp::Clear, None, ""),
        ind(
            Kind::Sha256,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            Payload,
            Tlp::Green,
            None,
            "",
        ),
        ind(
            Kind::Domain,
            "evil.example.co.jp",
            C2,
            Tlp::Green,
            None,
            "same value twice",
        ),
        ind(Kind::Cve, "CVE-2024-3400", Unknown, Tlp::Clear, None, ""),
    ];
    inds[0].first_seen = Some(1_795_580_433_120);
    inds[0].last_seen = Some(1_795_666_833_120);
    ShareSet {
        producer: Producer {
            name: "Example CSIRT".into(),
            uuid: "6f1d3a52-4c1b-4f39-9a59-2f1f8a3c1d01".into(),
        },
        incidents: vec![ShareIncident {
            uuid: "0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b".into(),
            number: "HK-2026-000042".into(),
            title: "t".into(),
            category: "phishing".into(),
            rsit_class: "fraud".into(),
            rsit_type: "phishing".into(),
            tlp: Tlp::Amber,
            created: 0,
            modified: 0,
            description: String::new(),
        }],
        indicators: inds,
    }
}

#[test]
fn csv_quotes_japanese_commas_quotes_and_line_breaks() {
    let mut out = Vec::new();
    assert_eq!(write_csv(&set(), &mut out).unwrap(), 8);
    let got = String::from_utf8(out).unwrap();
    let want = "\
kind,value,defanged,tlp,role,incident,first_seen,last_seen,comment
url,https://evil.example.co.jp/login.php,hxxps://evil[.]example[.]co[.]jp/login.php,amber,phishing,HK-2026-000042,2026-11-25T04:20:33.120Z,2026-11-26T04:20:33.120Z,\"偽ログイン, \"\"本物そっくり\"\"\"
domain,evil.example.co.jp,evil[.]example[.]co[.]jp,green,phishing,HK-2026-000042,,,
ipv4,198.51.100.7,198[.]51[.]100[.]7,green,c2,,,,\"C2
二行目\"
email,billing@evil.example.com,billing[@]evil[.]example[.]com,green,phishing,HK-2026-000042,,,
ipv6,2001:db8::1,2001[:]db8[:][:]1,clear,scanner,,,,
sha256,9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,green,payload,,,,
domain,evil.example.co.jp,evil[.]example[.]co[.]jp,green,c2,,,,same value twice
cve,CVE-2024-3400,CVE-2024-3400,clear,unknown,,,,
";
    assert_eq!(got, want);
}

#[test]
fn the_defanged_csv_has_every_column_but_the_live_value() {
    let mut out = Vec::new();
    assert_eq!(write_defanged_csv(&set(), &mut out).unwrap(), 8);
    let got = String::from_utf8(out).unwrap();
    let mut lines = got.lines();
    assert_eq!(
        lines.next(),
        Some("kind,defanged,tlp,role,incident,first_seen,last_seen,comment")
    );
    assert_eq!(
        lines.next(),
        Some(
            "url,hxxps://evil[.]example[.]co[.]jp/login.php,amber,phishing,HK-2026-000042,2026-11-25T04:20:33.120Z,2026-11-26T04:20:33.120Z,\"偽ログイン, \"\"本物そっくり\"\"\""
        )
    );
    assert!(!got.contains("https://"), "{got}");
    assert!(!got.contains("198.51.100.7"), "{got}");
    assert!(
        got.contains("ipv4,198[.]51[.]100[.]7,green,c2,,,,\"C2\n二行目\""),
        "{got}"
    );
}

#[test]
fn csv_of_an_empty_set_is_the_header_alone() {
    let mut s = set();
    s.indicators.clear();
    let mut out = Vec::new();
    assert_eq!(write_csv(&s, &mut out).unwrap(), 0);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "kind,value,defanged,tlp,role,incident,first_seen,last_seen,comment\n"
    );
}

#[test]
fn defanged_text_in_english_groups_by_kind_under_the_highest_tlp() {
    let mut out = Vec::new();
    assert_eq!(write_defanged(&set(), &mut out, "en").unwrap(), 7);
    let want = "\
TLP:AMBER from Example CSIRT
7 indicators (defanged so they are not links: hxxp, [.])

IPv4 addresses (1)
198[.]51[.]100[.]7

IPv6 addresses (1)
2001[:]db8[:][:]1

Domains (1)
evil[.]example[.]co[.]jp

URLs (1)
hxxps://evil[.]example[.]co[.]jp/login.php

Email addresses (1)
billing[@]evil[.]example[.]com

SHA-256 (1)
9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

CVE (1)
CVE-2024-3400
";
    assert_eq!(String::from_utf8(out).unwrap(), want);
}

#[test]
fn defanged_text_in_japanese() {
    let mut s = set();
    s.indicators.truncate(3);
    let mut out = Vec::new();
    write_defanged(&s, &mut out, "ja").unwrap();
    let want = "\
TLP:AMBER 提供: Example CSIRT
指標 3 件（リンクにならないよう無害化しています: hxxp, [.]）

IPv4 アドレス (1)
198[.]51[.]100[.]7

ドメイン (1)
evil[.]example[.]co[.]jp

URL (1)
hxxps://evil[.]example[.]co[.]jp/login.php
";
    assert_eq!(String::from_utf8(out).unwrap(), want);
}

#[test]
fn defanged_text_of_an_empty_set_says_so_and_is_clear() {
    let mut s = set();
    s.indicators.clear();
    s.incidents.clear();
    let mut out = Vec::new();
    assert_eq!(write_defanged(&s, &mut out, "en").unwrap(), 0);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "TLP:CLEAR from Example CSIRT\n0 indicators (defanged so they are not links: hxxp, [.])\n\nNo indicators.\n"
    );
}

#[test]
fn nothing_is_refused_red_included_when_the_set_holds_it() {
    let mut s = set();
    s.indicators[0].tlp = Tlp::Red;
    let mut out = Vec::new();
    write_defanged(&s, &mut out, "en").unwrap();
    assert!(String::from_utf8(out).unwrap().starts_with("TLP:RED "));
    let mut csv = Vec::new();
    assert_eq!(write_csv(&s, &mut csv).unwrap(), 8);
}
