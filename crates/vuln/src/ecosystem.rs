//! Ecosystems: where a package comes from, which decides its version rules and how its name is
//! normalised.

use std::fmt;

/// The ordering rules a version string is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// dpkg: `epoch:upstream-revision`, `~` before everything.
    Dpkg,
    /// rpm: `epoch:version-release`, rpmvercmp segments, `~` and `^`.
    Rpm,
    /// Semantic Versioning 2.0 precedence.
    Semver,
    /// PEP 440.
    Pep440,
    /// Upstream tarball versions with letter suffixes (OpenSSL, OpenSSH).
    Generic,
}

/// A package ecosystem, named as OSV names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Ecosystem {
    Debian,
    Ubuntu,
    /// Red Hat Enterprise Linux and its rebuilds' OSV names are kept apart because their fixed
    /// releases differ (`.el8_4` vs `.el8_4.alma`).
    #[serde(rename = "Red Hat")]
    RedHat,
    #[serde(rename = "Rocky Linux")]
    RockyLinux,
    AlmaLinux,
    #[serde(rename = "openSUSE")]
    OpenSuse,
    #[serde(rename = "SUSE")]
    Suse,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "crates.io")]
    CratesIo,
    Go,
    PyPI,
    /// Not an OSV ecosystem: hikeshi's name for software installed from upstream (appliances,
    /// hand-built servers, CPE and CVE records), matched with [`Scheme::Generic`]. Its purl type
    /// is `generic`.
    Generic,
}

const NAMES: [(Ecosystem, &str); 12] = [
    (Ecosystem::Debian, "Debian"),
    (Ecosystem::Ubuntu, "Ubuntu"),
    (Ecosystem::RedHat, "Red Hat"),
    (Ecosystem::RockyLinux, "Rocky Linux"),
    (Ecosystem::AlmaLinux, "AlmaLinux"),
    (Ecosystem::OpenSuse, "openSUSE"),
    (Ecosystem::Suse, "SUSE"),
    (Ecosystem::Npm, "npm"),
    (Ecosystem::CratesIo, "crates.io"),
    (Ecosystem::Go, "Go"),
    (Ecosystem::PyPI, "PyPI"),
    (Ecosystem::Generic, "Generic"),
];

impl Ecosystem {
    pub fn scheme(self) -> Scheme {
        match self {
            Ecosystem::Debian | Ecosystem::Ubuntu => Scheme::Dpkg,
            Ecosystem::RedHat
            | Ecosystem::RockyLinux
            | Ecosystem::AlmaLinux
            | Ecosystem::OpenSuse
            | Ecosystem::Suse => Scheme::Rpm,
            Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go => Scheme::Semver,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Generic => Scheme::Generic,
        }
    }

    /// The OSV spelling, e.g. `Red Hat`.
    pub fn osv_name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(e, _)| *e == self)
            .map_or("Generic", |(_, n)| n)
    }

    /// Reads an OSV ecosystem name (case-insensitive).
    pub fn from_osv_name(name: &str) -> Option<Ecosystem> {
        NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(e, _)| *e)
    }

    /// The package name as the index keys it: PyPI by PEP 503 (`Foo_Bar.baz` → `foo-bar-baz`);
    /// Go module paths and npm names verbatim (both are case-sensitive); the rest lower-cased.
    pub fn normalise_name(self, name: &str) -> String {
        let name = name.trim();
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_sep = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_sep {
                            out.push('-');
                        }
                        in_sep = true;
                    } else {
                        out.extend(c.to_lowercase());
                        in_sep = false;
                    }
                }
                out
            }
            Ecosystem::Go | Ecosystem::Npm => name.to_owned(),
            _ => name.to_lowercase(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// An ecosystem with its optional release, as in OSV's `Debian:7` or `Ubuntu:22.04:LTS`.
/// Advisories for `Debian:7` apply only to Debian 7 packages; an advisory naming no release
/// applies to every release.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub ecosystem: Ecosystem,
    pub release: Option<String>,
}

impl Platform {
    /// Reads an OSV ecosystem string: `Debian:7`, `Ubuntu:22.04:LTS`,
    /// `Red Hat:enterprise_linux:6::server`, `npm`. Returns `None` for ecosystems hikeshi has no
    /// version rules for (the caller reports them instead of guessing).
    pub fn from_osv(text: &str) -> Option<Platform> {
        let (name, rest) = match text.split_once(':') {
            Some((n, r)) => (n, Some(r)),
            None => (text, None),
        };
        let ecosystem = Ecosystem::from_osv_name(name.trim())?;
        // The release is the first component that starts with a digit, cut to its major number,
        // so `enterprise_linux:6::server`, `rhel_eus:6.5` and `6` all mean release 6 (RHEL
        // minor releases share one package stream). Debian and Ubuntu keep their whole release
        // (`22.04`), because Ubuntu 22.04 and 22.10 are different distributions.
        let release = rest.and_then(|r| {
            let comp = r
                .split(':')
                .find(|c| c.starts_with(|ch: char| ch.is_ascii_digit()))?;
            Some(match ecosystem.scheme() {
                Scheme::Rpm => comp.split('.').next().unwrap_or(comp).to_owned(),
                _ => comp.to_owned(),
            })
        });
        Some(Platform { ecosystem, release })
    }

    /// Reads an operating-system label from an inventory (`debian-7`, `rhel-6`, `ubuntu-22.04`,
    /// `appliance`). Anything unknown is the upstream [`Ecosystem::Generic`].
    pub fn from_os_label(label: &str) -> Platform {
        let lower = label.trim().to_ascii_lowercase();
        let (name, release) = match lower.split_once(['-', ' ', ':']) {
            Some((n, r)) => (
                n.to_owned(),
                Some(r.trim().to_owned()).filter(|r| !r.is_empty()),
            ),
            None => (lower.clone(), None),
        };
        let ecosystem = match name.as_str() {
            "debian" => Ecosystem::Debian,
            "ubuntu" => Ecosystem::Ubuntu,
            "rhel" | "redhat" | "centos" => Ecosystem::RedHat,
            "rocky" => Ecosystem::RockyLinux,
            "alma" | "almalinux" => Ecosystem::AlmaLinux,
            "opensuse" => Ecosystem::OpenSuse,
            "sles" | "suse" => Ecosystem::Suse,
            _ => {
                return Platform {
                    ecosystem: Ecosystem::Generic,
                    release: None,
                };
            }
        };
        let release = release.map(|r| match ecosystem.scheme() {
            Scheme::Rpm => r.split('.').next().unwrap_or(&r).to_owned(),
            _ => r,
        });
        Platform { ecosystem, release }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_ecosystem_strings_carry_their_release() {
        let p = Platform::from_osv("Debian:7").unwrap();
        assert_eq!(
            (p.ecosystem, p.release.as_deref()),
            (Ecosystem::Debian, Some("7"))
        );
        let p = Platform::from_osv("Red Hat:enterprise_linux:6::server").unwrap();
        assert_eq!(
            (p.ecosystem, p.release.as_deref()),
            (Ecosystem::RedHat, Some("6"))
        );
        let p = Platform::from_osv("Ubuntu:22.04:LTS").unwrap();
        assert_eq!(p.release.as_deref(), Some("22.04"));
        assert_eq!(Platform::from_osv("PyPI").unwrap().release, None);
        assert!(Platform::from_osv("Hackage").is_none());
    }

    #[test]
    fn inventory_os_labels_map_to_platforms() {
        let p = Platform::from_os_label("rhel-6.5");
        assert_eq!(
            (p.ecosystem, p.release.as_deref()),
            (Ecosystem::RedHat, Some("6"))
        );
        assert_eq!(
            Platform::from_os_label("appliance").ecosystem,
            Ecosystem::Generic
        );
        assert_eq!(
            Platform::from_os_label("Debian-7").release.as_deref(),
            Some("7")
        );
    }

    #[test]
    fn pypi_names_are_normalised_by_pep_503() {
        assert_eq!(
            Ecosystem::PyPI.normalise_name("Foo__Bar.baz"),
            "foo-bar-baz"
        );
        assert_eq!(Ecosystem::Debian.normalise_name("OpenSSL"), "openssl");
        assert_eq!(
            Ecosystem::Go.normalise_name("github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
    }
}
