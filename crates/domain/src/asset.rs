//! Assets of the constituency as the store keeps them: hosts and services with their owner and
//! installed software. Version rules and advisory matching live in hikeshi-vuln; this is the
//! record, so the store needs nothing of that crate.

use serde::Serialize;

/// One piece of installed software.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Software {
    pub name: String,
    pub version: String,
    /// The ecosystem in OSV's spelling (`Debian`, `Red Hat`, `PyPI`, `npm`, …, `Generic`).
    pub ecosystem: String,
    /// The distribution release (`7` for Debian 7), when it matters.
    pub release: Option<String>,
}

/// A host or service; re-importing one with the same name updates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetRecord {
    pub name: String,
    pub addresses: Vec<String>,
    pub owner: String,
    pub department: String,
    pub criticality: String,
    pub location: String,
    pub os: String,
    pub software: Vec<Software>,
}
