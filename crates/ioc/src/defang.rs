//! Defanging on the way out: indicators in mail, reports and copy buttons are written so that no
//! mail client or chat turns them into a link somebody clicks. One style per call; the refanger
//! reads all of them back ([`crate::refang`]), which the tests check for every kind.

use serde::{Deserialize, Serialize};

use crate::{Indicator, Kind};

/// How dots, `@` and colons are written when defanged. Schemes are always `hxxp`, `hxxps`,
/// `fxp`, the spelling every CSIRT reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefangStyle {
    /// `evil[.]example[.]com`, `user[@]example[.]com`, `2001[:]db8[:][:]1`: the most common
    /// form in CERT advisories (JPCERT/CC, US-CERT) and what MISP and iocextract emit.
    #[default]
    Brackets,
    /// `evil(.)example(.)com`, `user(@)example(.)com`, `2001(:)db8(:)(:)1`.
    Parens,
    /// `evil[dot]example[dot]com`, `user[at]example[dot]com`, `2001[:]db8[:][:]1`: reads
    /// aloud, survives systems that strip brackets' contents of punctuation.
    Words,
}

impl DefangStyle {
    fn dot(self) -> &'static str {
        match self {
            DefangStyle::Brackets => "[.]",
            DefangStyle::Parens => "(.)",
            DefangStyle::Words => "[dot]",
        }
    }
    fn at(self) -> &'static str {
        match self {
            DefangStyle::Brackets => "[@]",
            DefangStyle::Parens => "(@)",
            DefangStyle::Words => "[at]",
        }
    }
    fn colon(self) -> &'static str {
        match self {
            DefangStyle::Parens => "(:)",
            DefangStyle::Brackets | DefangStyle::Words => "[:]",
        }
    }
}

/// The defanged spelling of an indicator. Hashes, CVEs, ASNs, file names and `other` values are
/// not links and come back unchanged.
///
/// ```
/// use hikeshi_ioc::{defang, parse_indicator, DefangStyle};
/// let url = parse_indicator("https://evil.example.com/a.php").unwrap();
/// assert_eq!(defang(&url, DefangStyle::Brackets), "hxxps://evil[.]example[.]com/a.php");
/// let mail = parse_indicator("user@example.jp").unwrap();
/// assert_eq!(defang(&mail, DefangStyle::Words), "user[at]example[dot]jp");
/// ```
pub fn defang(indicator: &Indicator, style: DefangStyle) -> String {
    let v = indicator.value.as_str();
    match indicator.kind {
        Kind::Domain | Kind::Ipv4 => v.replace('.', style.dot()),
        Kind::Ipv6 => v.replace(':', style.colon()),
        Kind::Cidr => {
            if v.contains(':') {
                v.replace(':', style.colon())
            } else {
                v.replace('.', style.dot())
            }
        }
        Kind::Email => match v.rsplit_once('@') {
            Some((local, host)) => {
                format!("{local}{}{}", style.at(), host.replace('.', style.dot()))
            }
            None => v.to_owned(),
        },
        Kind::Url => defang_url(v, style),
        Kind::Md5
        | Kind::Sha1
        | Kind::Sha256
        | Kind::Sha512
        | Kind::Filename
        | Kind::Asn
        | Kind::Cve
        | Kind::Other => v.to_owned(),
    }
}

/// Scheme to its defanged spelling, host dots defanged; path and query left alone (a link
/// needs a working host, so that is enough, and the path stays readable).
fn defang_url(v: &str, style: DefangStyle) -> String {
    let Some((scheme, rest)) = v.split_once("://") else {
        return v.to_owned();
    };
    let scheme = match scheme {
        "http" => "hxxp",
        "https" => "hxxps",
        "ftp" => "fxp",
        "ftps" => "fxps",
        other => other,
    };
    let auth_end = crate::normalize::authority_end(rest.as_bytes());
    let (authority, tail) = rest.split_at(auth_end);
    let authority = if authority.contains('[') {
        // An IPv6 literal: its colons are not clickable text on their own; keep it readable.
        authority.to_owned()
    } else {
        authority.replace('.', style.dot())
    };
    format!("{scheme}://{authority}{tail}")
}
