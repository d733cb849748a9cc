//! A ShareSet with every kind, every role and every TLP level, Japanese text included: shared
//! by the STIX tests (`#[path]`-included) and by examples/stix_samples.rs, which writes it out
//! for the external validators. Compiled on its own too, as an (empty) test crate.
#![allow(dead_code)]

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::named::Named;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::{Producer, ShareIncident, ShareIndicator, ShareSet};
use hikeshi_ioc::{Indicator, Kind};

pub const T0: i64 = 1_764_130_000_123;

/// One value of each kind, as hikeshi-ioc normalises it.
pub fn kind_values() -> Vec<(Kind, &'static str)> {
    vec![
        (Kind::Ipv4, "192.0.2.10"),
        (Kind::Ipv6, "2001:db8::10"),
        (Kind::Cidr, "198.51.100.0/24"),
        (Kind::Cidr, "2001:db8:1::/48"),
        (Kind::Domain, "evil.example.com"),
        (Kind::Url, "http://evil.example.com/it's/login.php?q='1'"),
        (Kind::Email, "phish@example.net"),
        (Kind::Md5, "d41d8cd98f00b204e9800998ecf8427e"),
        (Kind::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (
            Kind::Sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            Kind::Sha512,
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        ),
        (Kind::Filename, "請求書.exe"),
        (Kind::Asn, "AS64496"),
        (Kind::Cve, "CVE-2024-3094"),
        (Kind::Other, "mutex Global\\xyz"),
    ]
}

pub fn uuid(n: u32) -> String {
    format!("6f1c2d3e-{:04x}-4a5b-8c6d-{:012x}", n & 0xffff, n)
}

pub fn producer() -> Producer {
    Producer {
        name: "Example CSIRT".into(),
        uuid: "5e0f8c3a-9a43-4c4e-8f0e-1b2d3c4d5e6f".into(),
    }
}

pub fn incident(n: u32, tlp: Tlp) -> ShareIncident {
    ShareIncident {
        uuid: uuid(0x1000 + n),
        number: format!("HK-2026-{n:05}"),
        title: format!("フィッシングサイトの報告 ({})", tlp.label()),
        category: "phishing".into(),
        rsit_class: "fraud".into(),
        rsit_type: "phishing".into(),
        tlp,
        created: T0,
        modified: T0 + 60_000,
        description: "取引先を装ったメールで偽のログインページへ誘導".into(),
    }
}

pub fn indicator(
    n: u32,
    kind: Kind,
    value: &str,
    role: IndicatorRole,
    tlp: Tlp,
    incident: Option<usize>,
) -> ShareIndicator {
    ShareIndicator {
        uuid: uuid(n),
        indicator: Indicator {
            kind,
            value: value.into(),
        },
        role,
        tlp,
        incident,
        comment: if n % 2 == 0 {
            format!("観測された {} ({})", kind.as_str(), role.as_str())
        } else {
            String::new()
        },
        created: T0 + i64::from(n) * 1000,
        modified: T0 + i64::from(n) * 1000 + 5,
        first_seen: (n % 3 == 0).then_some(T0 - 86_400_000),
        last_seen: (n % 4 == 0).then_some(T0 + 86_400_000),
    }
}

/// Incident i has TLP `Tlp::all()[i]`; every kind appears at every TLP level, in an incident
/// of the same level, with roles cycling through every role.
pub fn full_set() -> ShareSet {
    let levels = Tlp::all();
    let roles = IndicatorRole::all();
    let incidents = levels
        .iter()
        .enumerate()
        .map(|(i, t)| incident(i as u32 + 1, *t))
        .collect();
    let mut indicators = Vec::new();
    let mut n = 1;
    for (li, t) in levels.iter().enumerate() {
        for (kind, value) in kind_values() {
            let role = roles[n as usize % roles.len()];
            indicators.push(indicator(n, kind, value, role, *t, Some(li)));
            n += 1;
        }
    }
    // And a few outside any incident.
    indicators.push(indicator(
        900,
        Kind::Domain,
        "standalone.example.org",
        IndicatorRole::C2,
        Tlp::Green,
        None,
    ));
    ShareSet {
        producer: producer(),
        incidents,
        indicators,
    }
}
