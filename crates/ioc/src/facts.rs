//! Facts about an indicator that its value does not tell: the autonomous system and network
//! organisation behind an address, the registrant and name servers of a domain, the malware
//! family that used it. Handlers record them (or imports bring them); indicators with an equal
//! fact are linked like those sharing a registrable domain, which is how a handler sees that
//! two campaigns share a registrant or a hoster. Each kind of fact has one normal form, so the
//! same fact typed twice is one key; names (registrants, organisations, malware) compare
//! without case and are kept in lower case.

use crate::correlate::Link;
use crate::{Kind, parse_as};

/// The longest fact kept (organisation and malware names), in characters.
pub const FACT_MAX_CHARS: usize = 200;

/// Why a fact was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    #[error("{0} is computed from the indicator's value and cannot be recorded")]
    Derived(&'static str),
    #[error("the {0} is empty")]
    Empty(&'static str),
    #[error("{0:?} is not an AS number (AS64500 or 64500)")]
    Asn(String),
    #[error("{0:?} is not a host name for a name server")]
    NameServer(String),
    #[error("{0} is longer than {FACT_MAX_CHARS} characters")]
    TooLong(&'static str),
}

/// The normal form of a fact of kind `link`, or why it cannot be one.
///
/// ```
/// use hikeshi_ioc::{Link, normalise_fact};
/// assert_eq!(normalise_fact(Link::Asn, "as64500").unwrap(), "AS64500");
/// assert_eq!(normalise_fact(Link::Asn, "64500").unwrap(), "AS64500");
/// assert_eq!(normalise_fact(Link::NameServer, "NS1.Evil-Host[.]co[.]jp.").unwrap(), "ns1.evil-host.co.jp");
/// assert_eq!(normalise_fact(Link::Registrant, " Bad@Evil.Example ").unwrap(), "bad@evil.example");
/// assert_eq!(normalise_fact(Link::Malware, "  Plug  X ").unwrap(), "plug x");
/// assert!(normalise_fact(Link::Network, "192.0.2.0/24").is_err());
/// ```
pub fn normalise_fact(link: Link, raw: &str) -> Result<String, FactError> {
    let name = link.as_str();
    if !link.is_fact() {
        return Err(FactError::Derived(name));
    }
    // Full-width forms (ＡＳ６４５００) and runs of spaces are folded the same way for every kind.
    let text: String = raw
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    let text = text
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        return Err(FactError::Empty(name));
    }
    if text.chars().count() > FACT_MAX_CHARS {
        return Err(FactError::TooLong(name));
    }
    match link {
        Link::Asn => {
            let digits = text
                .strip_prefix("AS")
                .or_else(|| text.strip_prefix("as"))
                .or_else(|| text.strip_prefix("As"))
                .or_else(|| text.strip_prefix("aS"))
                .unwrap_or(&text)
                .trim();
            match digits.parse::<u32>() {
                Ok(n) if digits.chars().all(|c| c.is_ascii_digit()) => Ok(format!("AS{n}")),
                _ => Err(FactError::Asn(raw.to_owned())),
            }
        }
        Link::NameServer => match parse_as(Kind::Domain, &text) {
            Ok(i) if i.kind == Kind::Domain => Ok(i.value),
            _ => Err(FactError::NameServer(raw.to_owned())),
        },
        Link::Registrant => Ok(match parse_as(Kind::Email, &text) {
            Ok(i) if i.kind == Kind::Email => i.value,
            _ => text.to_lowercase(),
        }),
        // Names compare without case: `PlugX` and `PLUGX`, `EXAMPLE-HOSTING` in one registry's
        // data and `Example-Hosting` in another's, are one fact.
        _ => Ok(text.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_one_normal_form_and_bad_input_says_why() {
        assert_eq!(
            normalise_fact(Link::Asn, "ＡＳ６４５００").unwrap(),
            "AS64500"
        );
        assert_eq!(
            normalise_fact(Link::Asn, "AS 4200000000").unwrap(),
            "AS4200000000"
        );
        for bad in ["AS", "ASx1", "-1", "AS4294967296", "AS1.5"] {
            assert!(
                matches!(normalise_fact(Link::Asn, bad), Err(FactError::Asn(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            normalise_fact(Link::NameServer, "not a host"),
            Err(FactError::NameServer(_))
        ));
        assert_eq!(
            normalise_fact(Link::Registrant, "Taro Yamada\u{3000}(Evil Inc.)").unwrap(),
            "taro yamada (evil inc.)"
        );
        assert_eq!(
            normalise_fact(Link::Organisation, "Example\tHosting  B.V.").unwrap(),
            "example hosting b.v."
        );
        assert!(matches!(
            normalise_fact(Link::Malware, " \u{3000} "),
            Err(FactError::Empty("malware"))
        ));
        assert!(matches!(
            normalise_fact(Link::Malware, &"x".repeat(FACT_MAX_CHARS + 1)),
            Err(FactError::TooLong(_))
        ));
        for l in [Link::RegistrableDomain, Link::Network, Link::UrlHost] {
            assert!(matches!(normalise_fact(l, "x"), Err(FactError::Derived(_))));
        }
    }

    #[test]
    fn link_names_round_trip_and_match_serde() {
        for l in Link::ALL {
            assert_eq!(Link::parse(l.as_str()), Some(l));
            assert_eq!(serde_json::to_value(l).unwrap(), l.as_str());
        }
        assert_eq!(Link::parse("nope"), None);
    }
}
