//! The one table between hikeshi indicators and MISP attribute types, and the TLP ↔ tag ↔
//! distribution rules. `docs/misp.md` documents the same tables for users; keep them together.
//!
//! Export (kind + role → type, category):
//!
//! | hikeshi kind | role | MISP type | category |
//! |---|---|---|---|
//! | ipv4, ipv6, cidr | scanner, victim | `ip-src` | Network activity |
//! | ipv4, ipv6, cidr | any other | `ip-dst` | Network activity |
//! | domain | any | `domain` | Network activity |
//! | url | any | `url` | Network activity |
//! | email | victim | `email-dst` | Payload delivery |
//! | email | any other | `email-src` | Payload delivery |
//! | md5, sha1, sha256, sha512, filename | any | same name | Payload delivery |
//! | asn | any | `AS` (digits only, as MISP stores it) | Network activity |
//! | cve | any | `vulnerability` | External analysis |
//! | other | any | `text` | Other |
//!
//! Direction: `ip-src` is where traffic came *from* (a scanner hitting us, a victim host of the
//! constituency calling out); everything a victim connects *to* (C2, exfiltration, malware
//! distribution, phishing, and unknown, the conservative reading) is `ip-dst`. The role itself
//! travels in a `hikeshi:role="<role>"` attribute tag, so a round trip keeps it exactly.
//! Every category is one MISP's describeTypes allows for the type (PyMISP silently drops a
//! category that is not).

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::named::Named;
use hikeshi_domain::tlp::Tlp;
use hikeshi_ioc::Kind;

use super::types::Tag;

/// The MISP type and category an indicator is exported as.
pub fn export_type(kind: Kind, role: IndicatorRole) -> (&'static str, &'static str) {
    const NET: &str = "Network activity";
    const PAYLOAD: &str = "Payload delivery";
    let outward_source = matches!(role, IndicatorRole::Scanner | IndicatorRole::Victim);
    match kind {
        Kind::Ipv4 | Kind::Ipv6 | Kind::Cidr if outward_source => ("ip-src", NET),
        Kind::Ipv4 | Kind::Ipv6 | Kind::Cidr => ("ip-dst", NET),
        Kind::Domain => ("domain", NET),
        Kind::Url => ("url", NET),
        Kind::Email if role == IndicatorRole::Victim => ("email-dst", PAYLOAD),
        Kind::Email => ("email-src", PAYLOAD),
        Kind::Md5 => ("md5", PAYLOAD),
        Kind::Sha1 => ("sha1", PAYLOAD),
        Kind::Sha256 => ("sha256", PAYLOAD),
        Kind::Sha512 => ("sha512", PAYLOAD),
        Kind::Filename => ("filename", PAYLOAD),
        Kind::Asn => ("AS", NET),
        Kind::Cve => ("vulnerability", "External analysis"),
        Kind::Other => ("text", "Other"),
    }
}

/// Whether the attribute is meant for detection (`to_ids`): a victim's own address or an
/// `other` text would only raise false alarms in the receiver's IDS.
pub fn to_ids(kind: Kind, role: IndicatorRole) -> bool {
    role != IndicatorRole::Victim && kind != Kind::Other
}

/// The value as written in MISP: ASNs as digits only (MISP strips the `AS` prefix itself).
pub fn export_value(kind: Kind, value: &str) -> String {
    if kind == Kind::Asn {
        let v = value.trim();
        let digits = v
            .strip_prefix("AS")
            .or_else(|| v.strip_prefix("as"))
            .unwrap_or(v);
        return digits.to_owned();
    }
    value.to_owned()
}

/// How an imported MISP attribute type is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportType {
    /// One indicator; the value must parse as one of these kinds.
    Single(&'static [Kind]),
    /// `a|b`: two parts, each its own kind; `None` for a port (kept in the comment).
    Pair(&'static [Kind], Option<&'static [Kind]>),
    /// A relative `uri` that is no full URL is kept, not rejected (`/gate.php` is a valid uri).
    UriOrKept,
    /// Understood, but not an indicator (`text`, `comment`, `other`, and every unknown type):
    /// kept whole.
    Kept,
}

const IP: &[Kind] = &[Kind::Ipv4, Kind::Ipv6, Kind::Cidr];
const HOST: &[Kind] = &[Kind::Domain];
const FILE: &[Kind] = &[Kind::Filename];

/// The import side of the table (also accepts hostname, uri, link, email, email-dst and the
/// composite types a MISP instance writes).
pub fn import_type(misp_type: &str) -> ImportType {
    use ImportType::*;
    match misp_type {
        "ip-dst" | "ip-src" => Single(IP),
        "domain" | "hostname" => Single(HOST),
        "url" | "link" => Single(&[Kind::Url]),
        "uri" => UriOrKept,
        "email" | "email-src" | "email-dst" => Single(&[Kind::Email]),
        "md5" => Single(&[Kind::Md5]),
        "sha1" => Single(&[Kind::Sha1]),
        "sha256" => Single(&[Kind::Sha256]),
        "sha512" => Single(&[Kind::Sha512]),
        "filename" => Single(FILE),
        "AS" => Single(&[Kind::Asn]),
        "vulnerability" => Single(&[Kind::Cve]),
        "domain|ip" => Pair(HOST, Some(IP)),
        "ip-dst|port" | "ip-src|port" => Pair(IP, None),
        "hostname|port" => Pair(HOST, None),
        "filename|md5" => Pair(FILE, Some(&[Kind::Md5])),
        "filename|sha1" => Pair(FILE, Some(&[Kind::Sha1])),
        "filename|sha256" => Pair(FILE, Some(&[Kind::Sha256])),
        "filename|sha512" => Pair(FILE, Some(&[Kind::Sha512])),
        _ => Kept,
    }
}

/// The role an imported attribute had: the `hikeshi:role` tag when present, else unknown.
/// The type alone (`ip-src`) does not say whether it was a scanner or a victim, and we do not
/// guess.
pub fn role_from_tags(tags: &[Tag]) -> IndicatorRole {
    tags.iter()
        .find_map(|t| {
            let v = machine_tag_value(&t.name, "hikeshi:role")?;
            IndicatorRole::all()
                .iter()
                .copied()
                .find(|r| r.as_str() == v)
        })
        .unwrap_or(IndicatorRole::Unknown)
}

/// The `hikeshi:role="c2"` tag.
pub fn role_tag(role: IndicatorRole) -> Tag {
    Tag::named(format!("hikeshi:role=\"{}\"", role.as_str()))
}

/// `ns:pred="value"` → `value` when the tag is `ns:pred`.
fn machine_tag_value<'a>(tag: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = tag.strip_prefix(prefix)?.strip_prefix('=')?;
    Some(rest.trim_matches('"'))
}

/// The TLP level of a tag, TLP 1.0 or 2.0 spelling, any case (`tlp:white` is clear). Other
/// `tlp:` values of the taxonomy (`tlp:ex:chr`, `tlp:unclear`) are no level and give `None`.
pub fn tlp_of_tag(name: &str) -> Option<Tlp> {
    let lower = name.trim().to_ascii_lowercase();
    let level = lower.strip_prefix("tlp:")?.trim_matches('"');
    Tlp::parse(level).ok()
}

/// The most restrictive TLP among the tags, if any.
pub fn tlp_of_tags(tags: &[Tag]) -> Option<Tlp> {
    tags.iter().filter_map(|t| tlp_of_tag(&t.name)).max()
}

/// The TLP 2.0 tag, with the colour of MISP's tlp taxonomy. `tlp:clear` rather than
/// `tlp:white`: the taxonomy has carried `clear` since its TLP 2.0 revision, it is exclusive,
/// so one tag only, and every importer we know (ours included) reads both.
pub fn tlp_tag(tlp: Tlp) -> Tag {
    let colour = match tlp {
        Tlp::Red => "#FF2B2B",
        Tlp::AmberStrict | Tlp::Amber => "#FFC000",
        Tlp::Green => "#33FF00",
        Tlp::Clear => "#ffffff",
    };
    Tag {
        name: format!("tlp:{}", tlp.as_str()),
        colour: Some(colour.to_owned()),
        ..Tag::default()
    }
}

/// MISP `distribution` for a TLP: red and amber+strict 0 (your organisation only), amber 1
/// (this community only), green 2 (connected communities), clear 3 (all communities).
/// Red has no narrower level than 0 without a sharing group, which only the receiving instance
/// can define.
pub fn distribution(tlp: Tlp) -> i64 {
    match tlp {
        Tlp::Red | Tlp::AmberStrict => 0,
        Tlp::Amber => 1,
        Tlp::Green => 2,
        Tlp::Clear => 3,
    }
}

/// MISP's distribution value for "inherit the event's".
pub const INHERIT: i64 = 5;

/// Whether a tag is one of ours or TLP, i.e. consumed by the importer rather than kept.
pub fn is_consumed_tag(name: &str) -> bool {
    tlp_of_tag(name).is_some() || name.starts_with("hikeshi:role=")
}

/// The RSIT machine tag of MISP's rsit taxonomy: `rsit:fraud="phishing"`.
pub fn rsit_tag(class: &str, kind: &str) -> Tag {
    Tag::named(format!("rsit:{class}=\"{kind}\""))
}

/// The JPCERT/CC category tag: `hikeshi:category="phishing"`.
pub fn category_tag(category: &str) -> Tag {
    Tag::named(format!("hikeshi:category=\"{category}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_tags_read_both_versions_and_ignore_non_levels() {
        assert_eq!(tlp_of_tag("TLP:WHITE"), Some(Tlp::Clear));
        assert_eq!(tlp_of_tag("tlp:Amber+Strict"), Some(Tlp::AmberStrict));
        assert_eq!(tlp_of_tag("tlp:ex:chr"), None);
        assert_eq!(tlp_of_tag("tlp:unclear"), None);
        assert_eq!(tlp_of_tag("rsit:fraud=\"phishing\""), None);
        for t in [
            Tlp::Clear,
            Tlp::Green,
            Tlp::Amber,
            Tlp::AmberStrict,
            Tlp::Red,
        ] {
            assert_eq!(tlp_of_tag(&tlp_tag(t).name), Some(t));
        }
    }

    #[test]
    fn every_exported_type_is_read_back_as_its_kind() {
        for kind in Kind::ALL {
            for role in IndicatorRole::all() {
                let (t, _) = export_type(kind, *role);
                let back = import_type(t);
                match (kind, back) {
                    (Kind::Other, ImportType::Kept) => {}
                    (_, ImportType::Single(kinds)) => assert!(kinds.contains(&kind), "{t}"),
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn roles_come_back_from_their_tag() {
        for role in IndicatorRole::all() {
            assert_eq!(role_from_tags(&[role_tag(*role)]), *role);
        }
        assert_eq!(role_from_tags(&[]), IndicatorRole::Unknown);
    }
}
