//! The sample ShareSet shared by the MISP tests and `examples/misp_samples.rs` (for
//! scripts/external/misp_check.sh): every kind, several roles and TLPs, two incidents and
//! incident-less indicators, Japanese titles and comments with commas and quotes.
#![allow(dead_code)]

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::{Producer, ShareIncident, ShareIndicator, ShareSet};
use hikeshi_ioc::{Indicator, Kind};

pub const PRODUCER: &str = "6f1d3a52-4c1b-4f39-9a59-2f1f8a3c1d01";
pub const INC_A: &str = "0e7c2b1a-3d4e-4f50-8a6b-7c8d9e0f1a2b";
pub const INC_B: &str = "1f8d3c2b-4e5f-4061-9b7c-8d9e0f1a2b3c";
/// 2026-11-26T04:20:33.120Z
pub const T: i64 = 1_795_666_833_120;

fn ind(
    n: u32,
    kind: Kind,
    value: &str,
    role: IndicatorRole,
    tlp: Tlp,
    inc: Option<usize>,
) -> ShareIndicator {
    ShareIndicator {
        uuid: format!("00000000-0000-4000-8000-{n:012}"),
        indicator: Indicator {
            kind,
            value: value.into(),
        },
        role,
        tlp,
        incident: inc,
        comment: String::new(),
        created: T,
        modified: T + i64::from(n) * 1000,
        first_seen: None,
        last_seen: None,
    }
}

fn incident(uuid: &str, number: &str, title: &str, tlp: Tlp) -> ShareIncident {
    ShareIncident {
        uuid: uuid.into(),
        number: number.into(),
        title: title.into(),
        category: "phishing".into(),
        rsit_class: "fraud".into(),
        rsit_type: "phishing".into(),
        tlp,
        created: T,
        modified: T + 500,
        description: String::new(),
    }
}

/// Every kind, several roles and TLPs, two incidents and incident-less indicators.
pub fn sample() -> ShareSet {
    use IndicatorRole::*;
    let mut a = incident(
        INC_A,
        "HK-2026-000042",
        "銀行を装うフィッシング, 第2波",
        Tlp::Amber,
    );
    a.description = "偽の請求メールから誘導。\n二行目".into();
    let b = incident(INC_B, "HK-2026-000043", "Scan from a VPS", Tlp::Green);
    let mut inds = vec![
        ind(
            1,
            Kind::Url,
            "https://evil.example.co.jp/login.php?a=1,2",
            Phishing,
            Tlp::Amber,
            Some(0),
        ),
        ind(
            2,
            Kind::Domain,
            "evil.example.co.jp",
            Phishing,
            Tlp::Red,
            Some(0),
        ),
        ind(3, Kind::Ipv4, "198.51.100.7", C2, Tlp::Amber, Some(0)),
        ind(
            4,
            Kind::Email,
            "billing@evil.example.com",
            Phishing,
            Tlp::Amber,
            Some(0),
        ),
        ind(
            5,
            Kind::Email,
            "victim@example.jp",
            Victim,
            Tlp::AmberStrict,
            Some(0),
        ),
        ind(
            6,
            Kind::Sha256,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            Payload,
            Tlp::Amber,
            Some(0),
        ),
        ind(
            7,
            Kind::Md5,
            "0cc175b9c0f1b6a831c399e269772661",
            Dropper,
            Tlp::Amber,
            Some(0),
        ),
        ind(
            8,
            Kind::Sha1,
            "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8",
            Payload,
            Tlp::Amber,
            Some(0),
        ),
        ind(
            9,
            Kind::Sha512,
            &"a".repeat(128),
            Payload,
            Tlp::Amber,
            Some(0),
        ),
        ind(
            10,
            Kind::Filename,
            "請求書.pdf.exe",
            Payload,
            Tlp::Amber,
            Some(0),
        ),
        ind(11, Kind::Ipv4, "203.0.113.9", Scanner, Tlp::Green, Some(1)),
        ind(12, Kind::Ipv6, "2001:db8::1", Scanner, Tlp::Green, Some(1)),
        ind(
            13,
            Kind::Cidr,
            "203.0.113.0/24",
            Unknown,
            Tlp::Green,
            Some(1),
        ),
        ind(14, Kind::Asn, "AS64496", Unknown, Tlp::Green, Some(1)),
        ind(15, Kind::Cve, "CVE-2024-3400", Unknown, Tlp::Clear, None),
        ind(16, Kind::Ipv4, "192.0.2.10", Victim, Tlp::Green, None),
        ind(
            17,
            Kind::Other,
            "User-Agent: EvilBot/1.0",
            Other,
            Tlp::Green,
            None,
        ),
    ];
    inds[0].comment = "ログイン画面の偽物, \"本物そっくり\"".into();
    inds[0].first_seen = Some(T - 86_400_000);
    inds[0].last_seen = Some(T);
    ShareSet {
        producer: Producer {
            name: "Example CSIRT".into(),
            uuid: PRODUCER.into(),
        },
        incidents: vec![a, b],
        indicators: inds,
    }
}
