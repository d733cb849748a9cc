//! Deciding whether one installed package is affected by one advisory, and saying why.

use crate::advisory::Advisory;
use crate::ecosystem::{Ecosystem, Scheme};
use crate::prepared::{Installed, PreparedAffected, PreparedCpe};
use crate::version::{Version, VersionError};

/// One installed package on an asset.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    /// The distribution release (`7` for Debian 7); `None` for language ecosystems and upstream.
    pub release: Option<String>,
}

/// How sure a match is. Serialised as `exact`, `product-name-only`, `needs-review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// The advisory names this package in this ecosystem, and the installed version is inside
    /// an affected range or list under the ecosystem's own rules.
    Exact,
    /// Only the product name matched (CPE or CVE/CSAF product), and the upstream part of the
    /// installed version is in range. A distribution may have patched it without changing the
    /// upstream version (Debian's `1.0.1e-2+deb7u5`), so a person has to check.
    ProductNameOnly,
    /// The advisory names this package, but the installed version cannot be read under the
    /// rules, so neither "affected" nor "not affected" would be honest.
    NeedsReview,
}

/// Which rule made the match. Serialised with a `kind` tag (`range`, `listed-version`, `cpe`,
/// `unreadable-version`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Rule {
    /// An OSV range (ECOSYSTEM or SEMVER), by its index in the affected entry.
    Range {
        range_index: usize,
        scheme: Scheme,
        introduced: String,
        fixed: Option<String>,
        last_affected: Option<String>,
    },
    /// The installed version is listed in `versions`.
    ListedVersion { version: String },
    /// A CPE 2.3 applicability statement matched on product name and upstream version.
    Cpe { criteria: String, bounds: String },
    /// The package matched by name but its version is unreadable.
    UnreadableVersion { error: VersionError },
}

/// An affected package, with why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Match {
    pub advisory: String,
    /// Index of the advisory's `affected` entry that matched.
    pub affected_index: usize,
    pub package: String,
    pub installed: String,
    /// The first fixed version of the matching range, if the advisory names one.
    pub fixed: Option<String>,
    pub rule: Rule,
    pub confidence: Confidence,
}

/// Whether the entry names this package: same ecosystem, same release when the entry names one,
/// same normalised name (`name` is the package's, already normalised).
pub(crate) fn names_package(key: &EntryKey, package: &Package, name: &str) -> bool {
    key.ecosystem == package.ecosystem
        && key
            .release
            .as_ref()
            .is_none_or(|r| Some(r) == package.release.as_ref())
        && key.name == name
}

/// An entry's package, normalised once when the advisory is prepared.
#[derive(Debug, Clone)]
pub(crate) struct EntryKey {
    ecosystem: Ecosystem,
    release: Option<String>,
    name: String,
}

/// The upstream part of an installed version, read with the generic scheme: dpkg's without
/// epoch and revision, rpm's without epoch and release.
pub(crate) fn upstream_version(package: &Package) -> Result<Version, VersionError> {
    let v = package.version.as_str();
    let up = match package.ecosystem.scheme() {
        Scheme::Dpkg | Scheme::Rpm => {
            let no_epoch = v.split_once(':').map_or(v, |(_, r)| r);
            no_epoch.rsplit_once('-').map_or(no_epoch, |(u, _)| u)
        }
        _ => v,
    };
    Version::parse(Scheme::Generic, up)
}

pub(crate) fn describe_bounds(c: &crate::cpe::CpeMatch) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &c.start_including {
        parts.push(format!(">={s}"));
    }
    if let Some(s) = &c.start_excluding {
        parts.push(format!(">{s}"));
    }
    if let Some(s) = &c.end_including {
        parts.push(format!("<={s}"));
    }
    if let Some(s) = &c.end_excluding {
        parts.push(format!("<{s}"));
    }
    if parts.is_empty() {
        format!("={}", c.criteria.version)
    } else {
        parts.join(",")
    }
}

/// Whether `package` is affected by `advisory`.
///
/// Entries that name the package in its own ecosystem decide alone when there are any: a
/// distribution's statement about its own build outranks an upstream CPE range, which is how
/// Debian's patched `1.0.1e-2+deb7u5` stays unaffected although upstream 1.0.1e is. Only when no
/// entry names the package are CPE statements tried, and then with
/// [`Confidence::ProductNameOnly`].
pub fn match_package(advisory: &Advisory, package: &Package) -> Option<Match> {
    PreparedAdvisory::new(advisory.clone()).0.evaluate(package)
}

/// An advisory with all its bounds parsed once; what the indexes keep.
#[derive(Debug, Clone)]
pub struct PreparedAdvisory {
    pub advisory: Advisory,
    entries: Vec<Option<(EntryKey, PreparedAffected)>>,
    cpes: Vec<Vec<PreparedCpe>>,
}

impl PreparedAdvisory {
    /// Prepares `advisory`; bounds that cannot be read are returned, and only those are left out.
    pub fn new(advisory: Advisory) -> (Self, Vec<VersionError>) {
        let mut errors = Vec::new();
        let mut entries = Vec::with_capacity(advisory.affected.len());
        let mut cpes = Vec::with_capacity(advisory.affected.len());
        for a in &advisory.affected {
            let platform = a.package.as_ref().and_then(|p| p.platform.as_ref());
            entries.push(platform.zip(a.package.as_ref()).map(|(pl, p)| {
                let (prepared, errs) = PreparedAffected::new(a, pl.ecosystem.scheme());
                errors.extend(errs);
                let key = EntryKey {
                    ecosystem: pl.ecosystem,
                    release: pl.release.clone(),
                    name: pl.ecosystem.normalise_name(&p.name),
                };
                (key, prepared)
            }));
            let mut list = Vec::new();
            for c in &a.cpes {
                match PreparedCpe::new(c) {
                    Ok(p) => list.push(p),
                    Err(e) => errors.push(e),
                }
            }
            cpes.push(list);
        }
        (
            PreparedAdvisory {
                advisory,
                entries,
                cpes,
            },
            errors,
        )
    }

    /// Normalised (ecosystem, name) keys of the packages this advisory names.
    pub fn package_keys(&self) -> impl Iterator<Item = (Ecosystem, String)> + '_ {
        self.entries
            .iter()
            .flatten()
            .map(|(k, _)| (k.ecosystem, k.name.clone()))
    }

    /// Lower-cased CPE product names this advisory names.
    pub fn products(&self) -> impl Iterator<Item = &str> + '_ {
        self.cpes.iter().flatten().map(|c| c.product.as_str())
    }

    pub fn evaluate(&self, package: &Package) -> Option<Match> {
        let parsed = Version::parse(package.ecosystem.scheme(), &package.version);
        let name = package.ecosystem.normalise_name(&package.name);
        self.evaluate_with(package, &name, &parsed)
    }

    /// As [`evaluate`](Self::evaluate), with the package's normalised name and its version
    /// parsed under its own scheme done once by the caller (the indexes do that per package).
    pub fn evaluate_with(
        &self,
        package: &Package,
        name: &str,
        parsed: &Result<Version, VersionError>,
    ) -> Option<Match> {
        let advisory = &self.advisory;
        let mut installed = Installed::new(&package.version, package.ecosystem.scheme(), parsed);
        let mut named = false;
        let mut review = None;
        for (i, entry) in self.entries.iter().enumerate() {
            let Some((key, prepared)) = entry else {
                continue;
            };
            if !names_package(key, package, name) {
                continue;
            }
            named = true;
            match prepared.evaluate(&mut installed) {
                Some((rule, Confidence::NeedsReview)) => review = review.or(Some((i, rule))),
                Some((rule, confidence)) => {
                    return Some(build(advisory, i, package, rule, confidence));
                }
                None => {}
            }
        }
        if let Some((i, rule)) = review {
            return Some(build(advisory, i, package, rule, Confidence::NeedsReview));
        }
        if named || self.cpes.iter().all(Vec::is_empty) {
            return None;
        }
        let product = package.name.to_ascii_lowercase();
        let mut upstream = None;
        for (i, list) in self.cpes.iter().enumerate() {
            for c in list.iter().filter(|c| c.product == product) {
                let up = upstream.get_or_insert_with(|| upstream_version(package));
                match up {
                    Ok(v) if c.contains(v) => {
                        let rule = cpe_rule(&c.cpe);
                        let mut m = build(advisory, i, package, rule, Confidence::ProductNameOnly);
                        m.fixed = c.cpe.end_excluding.clone();
                        return Some(m);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let rule = Rule::UnreadableVersion { error: e.clone() };
                        return Some(build(advisory, i, package, rule, Confidence::NeedsReview));
                    }
                }
            }
        }
        None
    }
}

pub(crate) fn cpe_rule(c: &crate::cpe::CpeMatch) -> Rule {
    Rule::Cpe {
        criteria: format!(
            "cpe:2.3:{}:{}:{}",
            c.criteria.part, c.criteria.vendor, c.criteria.product
        ),
        bounds: describe_bounds(c),
    }
}

pub(crate) fn build(
    advisory: &Advisory,
    i: usize,
    package: &Package,
    rule: Rule,
    confidence: Confidence,
) -> Match {
    let fixed = match &rule {
        Rule::Range { fixed, .. } => fixed.clone(),
        _ => None,
    };
    Match {
        advisory: advisory.id.clone(),
        affected_index: i,
        package: package.name.clone(),
        installed: package.version.clone(),
        fixed,
        rule,
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_serialises_with_kebab_case_confidence_and_a_tagged_rule() {
        let m = Match {
            advisory: "CVE-2014-0160".into(),
            affected_index: 0,
            package: "openssl".into(),
            installed: "1.0.1f".into(),
            fixed: Some("1.0.1g".into()),
            rule: Rule::ListedVersion {
                version: "1.0.1f".into(),
            },
            confidence: Confidence::ProductNameOnly,
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["confidence"], "product-name-only");
        assert_eq!(json["rule"]["kind"], "listed-version");
        assert_eq!(serde_json::to_value(Ecosystem::RedHat).unwrap(), "Red Hat");
    }
}
