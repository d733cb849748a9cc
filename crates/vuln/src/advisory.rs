//! The advisory model every format is read into: what is affected, by which ranges, how bad.

use crate::cpe::CpeMatch;
use crate::cvss::Severity;
use crate::ecosystem::Platform;

/// One vulnerability notice (OSV record, CVE record, CSAF document's vulnerability, JVNDB entry).
#[derive(Debug, Clone, PartialEq)]
pub struct Advisory {
    /// The record's own identifier: `CVE-2014-0160`, `GHSA-…`, `JVNDB-2014-001920`, `DSA-2896-1`.
    pub id: String,
    /// Other identifiers of the same vulnerability (OSV `aliases`, CSAF `cve`).
    pub aliases: Vec<String>,
    pub summary: String,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub severity: Vec<Severity>,
    pub affected: Vec<Affected>,
    pub references: Vec<String>,
    /// What the publisher says to do (CSAF `remediations`): `vendor_fix: details <url>`.
    pub remediations: Vec<String>,
}

/// One affected product: a package in an ecosystem, or a product known only by vendor and name.
#[derive(Debug, Clone, PartialEq)]
pub struct Affected {
    pub package: Option<PackageRef>,
    /// OSV `ranges`; GIT ranges are kept but never match (inventories carry no commits).
    pub ranges: Vec<Range>,
    /// Exact affected versions (OSV `versions`, CSAF `known_affected` product versions).
    pub versions: Vec<String>,
    /// CPE 2.3 applicability (NVD configurations, CVE 5 `cpes`, CSAF product identification).
    pub cpes: Vec<CpeMatch>,
}

/// A package named in an ecosystem. `platform` is `None` when the ecosystem is one hikeshi has
/// no version rules for; `ecosystem_raw` keeps the original spelling either way.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageRef {
    pub ecosystem_raw: String,
    pub platform: Option<Platform>,
    pub name: String,
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    /// Versions in the package's ecosystem order.
    Ecosystem,
    /// Semantic Versioning order whatever the ecosystem.
    Semver,
    /// Commit hashes: cannot be evaluated against an installed version.
    Git,
}

/// An OSV range event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `"0"` means "from the beginning".
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub kind: RangeKind,
    pub events: Vec<Event>,
}
