//! Weaker links between indicators, for "where else has something like this been seen": the same
//! registrable domain, the same /24 or /48 network, the same URL host. Pure functions over normal
//! forms; the store keeps one key per link and looks them up.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::suffix::SuffixList;
use crate::warn::host_of;
use crate::{Indicator, Kind};

/// What a weak link says the two indicators share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Link {
    /// `a.evil.co.jp` and `b.evil.co.jp` (public suffix list, private section included, so
    /// `x.github.io` and `y.github.io` are not linked).
    RegistrableDomain,
    /// Addresses in the same IPv4 /24 or IPv6 /48: the usual size of one customer's allocation.
    Network,
    /// URLs on the same host.
    UrlHost,
    /// Announced by the same autonomous system (`AS64500`): a fact a handler or an import
    /// records, not derived from the value.
    Asn,
    /// Held by the same network organisation (the RIR's or the hoster's name).
    Organisation,
    /// Registered by the same registrant (an e-mail address in normal form, or a name).
    Registrant,
    /// Served by the same name server.
    NameServer,
    /// Used by the same malware family.
    Malware,
}

impl Link {
    /// Every link kind, derived ones first.
    pub const ALL: [Link; 8] = [
        Link::RegistrableDomain,
        Link::Network,
        Link::UrlHost,
        Link::Asn,
        Link::Organisation,
        Link::Registrant,
        Link::NameServer,
        Link::Malware,
    ];

    /// The name stored and sent (`registrable-domain`, `asn`, `name-server`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Link::RegistrableDomain => "registrable-domain",
            Link::Network => "network",
            Link::UrlHost => "url-host",
            Link::Asn => "asn",
            Link::Organisation => "organisation",
            Link::Registrant => "registrant",
            Link::NameServer => "name-server",
            Link::Malware => "malware",
        }
    }

    /// The link named `s`, as [`Link::as_str`] writes it.
    pub fn parse(s: &str) -> Option<Link> {
        Link::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }

    /// A fact recorded about an indicator (ASN, organisation, registrant, name server, malware)
    /// rather than a key computed from its value.
    pub fn is_fact(self) -> bool {
        !matches!(
            self,
            Link::RegistrableDomain | Link::Network | Link::UrlHost
        )
    }
}

/// One weak-link key of an indicator: indicators with an equal key are linked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WeakKey {
    pub link: Link,
    pub value: String,
}

/// The registrable domain of a host name in normal form (`a.b.evil.co.jp` → `evil.co.jp`), with
/// the built-in public suffix list; `None` for IP addresses and names without a known suffix.
pub fn registrable_domain(host: &str) -> Option<String> {
    registrable_domain_with(host, &SuffixList::Builtin)
}

/// [`registrable_domain`] with a given list.
pub fn registrable_domain_with(host: &str, suffixes: &SuffixList) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<IpAddr>().is_ok() {
        return None;
    }
    if let Some(d) = suffixes.registrable(&host) {
        return Some(d.to_owned());
    }
    // A name that is itself a private-section suffix (`github.io`) is its own registrable name.
    suffixes.is_registrable_name(&host).then_some(host)
}

/// The network key of an address: its IPv4 /24 or IPv6 /48, written as a network.
///
/// ```
/// use hikeshi_ioc::network_key;
/// assert_eq!(network_key("192.0.2.77".parse().unwrap()), "192.0.2.0/24");
/// assert_eq!(network_key("2001:db8:1:2::5".parse().unwrap()), "2001:db8:1::/48");
/// ```
pub fn network_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => format!("{}/24", Ipv4Addr::from(u32::from(a) & 0xFFFF_FF00)),
        IpAddr::V6(a) => format!(
            "{}/48",
            Ipv6Addr::from(u128::from(a) & !((1u128 << 80) - 1))
        ),
    }
}

/// The host of a URL in normal form (a name, an IPv4 address, or an IPv6 address without
/// brackets).
pub fn url_host(url: &str) -> Option<String> {
    host_of(Kind::Url, url)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
}

/// Every weak-link key of an indicator (in normal form). Kinds without a host or address have
/// none; a network has the /24 or /48 key only when it is no larger than that.
pub fn weak_keys(indicator: &Indicator) -> Vec<WeakKey> {
    let v = indicator.value.as_str();
    let key = |link, value: String| WeakKey { link, value };
    let mut keys = Vec::new();
    let host_keys = |host: &str, keys: &mut Vec<WeakKey>| {
        if let Ok(ip) = host.parse::<IpAddr>() {
            keys.push(key(Link::Network, network_key(ip)));
        } else if let Some(d) = registrable_domain(host) {
            keys.push(key(Link::RegistrableDomain, d));
        }
    };
    match indicator.kind {
        Kind::Domain | Kind::Email => {
            if let Some(h) = host_of(indicator.kind, v) {
                host_keys(h, &mut keys);
            }
        }
        Kind::Url => {
            if let Some(h) = url_host(v) {
                keys.push(key(Link::UrlHost, h.clone()));
                host_keys(&h, &mut keys);
            }
        }
        Kind::Ipv4 | Kind::Ipv6 => {
            if let Ok(ip) = v.parse::<IpAddr>() {
                keys.push(key(Link::Network, network_key(ip)));
            }
        }
        Kind::Cidr => {
            if let Some((addr, len)) = v.split_once('/')
                && let (Ok(ip), Ok(len)) = (addr.parse::<IpAddr>(), len.parse::<u8>())
                && len >= if ip.is_ipv4() { 24 } else { 48 }
            {
                keys.push(key(Link::Network, network_key(ip)));
            }
        }
        Kind::Md5
        | Kind::Sha1
        | Kind::Sha256
        | Kind::Sha512
        | Kind::Filename
        | Kind::Asn
        | Kind::Cve
        | Kind::Other => {}
    }
    keys
}
