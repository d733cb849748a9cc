//! Version ordering, one scheme per ecosystem.

mod dpkg;
mod generic;
mod rpm;

use std::cmp::Ordering;

pub use dpkg::{DpkgVersion, verrevcmp};
pub use generic::GenericVersion;
pub use rpm::{Evr, rpmvercmp};

use crate::ecosystem::{Ecosystem, Scheme};

/// A version string that its ecosystem's rules cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("version {version:?} is not valid: {reason}")]
pub struct VersionError {
    pub version: String,
    pub reason: String,
}

impl VersionError {
    pub(crate) fn new(version: &str, reason: &str) -> Self {
        VersionError {
            version: version.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// A version parsed once under one scheme, so that matching compares parsed values instead of
/// re-reading strings in the inner loop.
#[derive(Debug, Clone)]
pub enum Version {
    Dpkg(DpkgVersion),
    Rpm(Evr),
    Semver(semver::Version),
    Pep440(pep440_rs::Version),
    Generic(GenericVersion),
}

impl Version {
    /// Reads `text` with the rules of `scheme`.
    pub fn parse(scheme: Scheme, text: &str) -> Result<Version, VersionError> {
        if text.trim() != text || text.is_empty() {
            return Err(VersionError::new(text, "empty or surrounded by whitespace"));
        }
        match scheme {
            Scheme::Dpkg => DpkgVersion::parse(text).map(Version::Dpkg),
            Scheme::Rpm => Evr::parse(text).map(Version::Rpm),
            Scheme::Semver => {
                // Go module versions carry a `v`; OSV writes them without it.
                let bare = text.strip_prefix('v').unwrap_or(text);
                semver::Version::parse(bare)
                    .map(Version::Semver)
                    .map_err(|e| VersionError::new(text, &e.to_string()))
            }
            Scheme::Pep440 => text
                .parse::<pep440_rs::Version>()
                .map(Version::Pep440)
                .map_err(|e| VersionError::new(text, &e.to_string())),
            Scheme::Generic => GenericVersion::parse(text).map(Version::Generic),
        }
    }

    /// Orders two versions of the same scheme; `None` when the schemes differ, which the
    /// matcher never asks for because it parses both sides with the package's scheme.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Dpkg(a), Version::Dpkg(b)) => a.cmp(b),
            (Version::Rpm(a), Version::Rpm(b)) => a.cmp(b),
            // Precedence, not `Ord`: semver's `Ord` also orders build metadata, which the spec
            // says has no bearing on precedence (`1.0.0+a` == `1.0.0+b`).
            (Version::Semver(a), Version::Semver(b)) => a.cmp_precedence(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Generic(a), Version::Generic(b)) => a.cmp(b),
            _ => return None,
        })
    }
}

/// Orders two version strings with the rules of `ecosystem`.
///
/// ```
/// use hikeshi_vuln::{compare, Ecosystem};
/// use std::cmp::Ordering;
/// assert_eq!(compare(Ecosystem::Debian, "1.0~rc1", "1.0").unwrap(), Ordering::Less);
/// assert!(compare(Ecosystem::Debian, "", "1.0").is_err());
/// ```
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    let scheme = ecosystem.scheme();
    let va = Version::parse(scheme, a)?;
    let vb = Version::parse(scheme, b)?;
    va.compare(&vb)
        .ok_or_else(|| VersionError::new(b, "parsed under a different scheme"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn each_ecosystem_orders_by_its_own_rules() {
        let cases = [
            (
                Ecosystem::Debian,
                "1.0.1e-2+deb7u4",
                "1.0.1e-2+deb7u5",
                Less,
            ),
            (Ecosystem::Debian, "1:0.9", "2.0", Greater),
            (Ecosystem::Debian, "1.0~rc1-1", "1.0-1", Less),
            (
                Ecosystem::Ubuntu,
                "1.0.1-4ubuntu5.12",
                "1.0.1-4ubuntu5.2",
                Greater,
            ),
            (
                Ecosystem::RedHat,
                "1.0.1e-16.el6_5",
                "1.0.1e-16.el6_5.7",
                Less,
            ),
            (Ecosystem::Npm, "1.0.0-alpha", "1.0.0", Less),
            (Ecosystem::Npm, "1.0.0+build1", "1.0.0+build2", Equal),
            (Ecosystem::Go, "v1.2.10", "1.2.9", Greater),
            (Ecosystem::PyPI, "1.0rc1", "1.0", Less),
            (Ecosystem::PyPI, "1.0.post1", "1.0", Greater),
            (Ecosystem::PyPI, "1.0.dev1", "1.0a1", Less),
            (Ecosystem::Generic, "1.0.1f", "1.0.1g", Less),
        ];
        for (eco, a, b, want) in cases {
            assert_eq!(compare(eco, a, b).unwrap(), want, "{eco:?}: {a} vs {b}");
        }
    }

    #[test]
    fn errors_name_the_version_and_why() {
        let err = compare(Ecosystem::Npm, "1.0", "1.0.0").unwrap_err();
        assert_eq!(err.version, "1.0");
        assert!(!err.reason.is_empty());
        let err = compare(Ecosystem::Debian, ":1.0", "1.0").unwrap_err();
        assert!(err.reason.contains("epoch"), "{}", err.reason);
        let err = compare(Ecosystem::Debian, "1.0", "abc").unwrap_err();
        assert_eq!(err.version, "abc");
        assert_eq!(err.reason, "version number does not start with digit");
    }
}
