//! Inventories: which assets exist, who owns them, and what is installed on each.
//!
//! Every parser takes the bytes of one file and the file's name (for messages) and returns
//! [`Parsed`](crate::Parsed): good records plus each bad line with its reason. Versions are
//! checked against the package's ecosystem rules at import, so an unreadable version is
//! reported where it came from instead of surfacing later as a silent non-match.

mod csv;
mod osquery;
mod pkgs;
mod vuls;

pub use self::csv::parse_csv;
pub use osquery::parse_osquery;
pub use pkgs::{parse_dpkg, parse_rpm};
pub use vuls::parse_vuls;

use crate::ecosystem::Platform;
use crate::matching::Package;
use crate::version::{Version, VersionError};

/// A host or service of the constituency and its installed software.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Asset {
    /// The host name; re-imports update the asset with the same name.
    pub name: String,
    pub addresses: Vec<String>,
    pub owner: String,
    pub department: String,
    pub criticality: String,
    pub location: String,
    /// As the inventory wrote it (`debian-7`, `rhel-6`, `appliance`).
    pub os: String,
    pub packages: Vec<Package>,
}

impl Asset {
    pub fn new(name: &str) -> Asset {
        Asset {
            name: name.to_owned(),
            addresses: Vec::new(),
            owner: String::new(),
            department: String::new(),
            criticality: String::new(),
            location: String::new(),
            os: String::new(),
            packages: Vec::new(),
        }
    }
}

pub(crate) fn package(name: &str, version: &str, platform: &Platform) -> Result<Package, String> {
    let name = name.trim();
    let version = version.trim();
    if name.is_empty() {
        return Err("empty package name".to_owned());
    }
    if version.is_empty() {
        return Err(format!("package {name:?} has no version"));
    }
    Version::parse(platform.ecosystem.scheme(), version).map_err(|e: VersionError| {
        format!("package {name:?}: {e} (read as {})", platform.ecosystem)
    })?;
    Ok(Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: platform.ecosystem,
        release: platform.release.clone(),
    })
}
