//! The indicator kinds and their stable names.

use serde::{Deserialize, Serialize};

use crate::IocError;

/// The kinds of indicator hikeshi understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Ipv4,
    Ipv6,
    Cidr,
    Domain,
    Url,
    Email,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    Filename,
    Asn,
    Cve,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Cidr,
        Kind::Domain,
        Kind::Url,
        Kind::Email,
        Kind::Md5,
        Kind::Sha1,
        Kind::Sha256,
        Kind::Sha512,
        Kind::Filename,
        Kind::Asn,
        Kind::Cve,
        Kind::Other,
    ];

    /// The lower-case name used in JSON, the database and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Cidr => "cidr",
            Kind::Domain => "domain",
            Kind::Url => "url",
            Kind::Email => "email",
            Kind::Md5 => "md5",
            Kind::Sha1 => "sha1",
            Kind::Sha256 => "sha256",
            Kind::Sha512 => "sha512",
            Kind::Filename => "filename",
            Kind::Asn => "asn",
            Kind::Cve => "cve",
            Kind::Other => "other",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = IocError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| IocError::UnknownKind(s.to_owned()))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
