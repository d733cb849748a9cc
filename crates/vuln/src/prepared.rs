//! Advisory entries with every version parsed once, ready to be evaluated many times.
//!
//! Matching a fleet re-reads the same few hundred thousand range bounds millions of times;
//! parsing them once here is what makes the index fast, and it moves "this advisory's bound is
//! unreadable" to import time, where it can be reported once.

use std::cmp::Ordering;

use crate::advisory::{Affected, Event, RangeKind};
use crate::cpe::CpeMatch;
use crate::ecosystem::Scheme;
use crate::matching::{Confidence, Rule};
use crate::version::{Version, VersionError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

#[derive(Debug, Clone)]
struct PEvent {
    kind: Kind,
    raw: String,
    /// `None` for the `"0"` introduced (before every version) and the `"*"` limit (after).
    version: Option<Version>,
}

#[derive(Debug, Clone)]
pub(crate) struct PreparedRange {
    index: usize,
    scheme: Scheme,
    events: Vec<PEvent>,
    limits: Vec<PEvent>,
}

/// A version of the package read under the scheme a range asks for, cached per scheme because a
/// package may be checked against ECOSYSTEM and SEMVER ranges.
pub(crate) struct Installed<'a> {
    pub raw: &'a str,
    own: Scheme,
    parsed: &'a Result<Version, VersionError>,
    others: Vec<(Scheme, Result<Version, VersionError>)>,
}

impl<'a> Installed<'a> {
    pub fn new(raw: &'a str, own: Scheme, parsed: &'a Result<Version, VersionError>) -> Self {
        Installed {
            raw,
            own,
            parsed,
            others: Vec::new(),
        }
    }

    pub fn get(&mut self, scheme: Scheme) -> &Result<Version, VersionError> {
        if scheme == self.own {
            return self.parsed;
        }
        let pos = match self.others.iter().position(|(s, _)| *s == scheme) {
            Some(p) => p,
            None => {
                self.others.push((scheme, Version::parse(scheme, self.raw)));
                self.others.len() - 1
            }
        };
        &self.others[pos].1
    }
}

fn cmp(a: &Version, b: &Version) -> Ordering {
    a.compare(b).unwrap_or(Ordering::Equal)
}

impl PreparedRange {
    pub fn new(
        index: usize,
        kind: RangeKind,
        own: Scheme,
        events: &[Event],
    ) -> Result<Option<Self>, VersionError> {
        let scheme = match kind {
            RangeKind::Git => return Ok(None),
            RangeKind::Semver => Scheme::Semver,
            RangeKind::Ecosystem => own,
        };
        let mut evs = Vec::with_capacity(events.len());
        let mut limits = Vec::new();
        for e in events {
            let raw = e.version().to_owned();
            let kind = match e {
                Event::Introduced(_) => Kind::Introduced,
                Event::Fixed(_) => Kind::Fixed,
                Event::LastAffected(_) => Kind::LastAffected,
                Event::Limit(_) => Kind::Limit,
            };
            let open =
                (kind == Kind::Introduced && raw == "0") || (kind == Kind::Limit && raw == "*");
            let version = if open {
                None
            } else {
                Some(Version::parse(scheme, &raw)?)
            };
            let ev = PEvent { kind, raw, version };
            if kind == Kind::Limit {
                limits.push(ev)
            } else {
                evs.push(ev)
            }
        }
        // Sort by version, "0" first; at equal versions an introduced comes first so that
        // `introduced: X, fixed: X` is the empty range whatever order the file lists them in.
        evs.sort_by(|a, b| match (&a.version, &b.version) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => cmp(x, y)
                .then_with(|| (b.kind == Kind::Introduced).cmp(&(a.kind == Kind::Introduced))),
        });
        Ok(Some(PreparedRange {
            index,
            scheme,
            events: evs,
            limits,
        }))
    }

    /// OSV's evaluation: walk the sorted events; at or past an `introduced` the version is
    /// affected, at or past a `fixed` (or past a `last_affected`) it is not; `limit`s cap it.
    pub fn evaluate(&self, installed: &mut Installed<'_>) -> Option<Result<Rule, VersionError>> {
        let v = match installed.get(self.scheme) {
            Ok(v) => v,
            Err(e) => return Some(Err(e.clone())),
        };
        if !self.limits.is_empty()
            && !self
                .limits
                .iter()
                .any(|l| l.version.as_ref().is_none_or(|lv| cmp(v, lv).is_lt()))
        {
            return None;
        }
        let mut affected_from: Option<usize> = None;
        for (i, e) in self.events.iter().enumerate() {
            let past = match (&e.version, e.kind) {
                (None, _) => true,
                (Some(ev), Kind::LastAffected) => cmp(v, ev).is_gt(),
                (Some(ev), _) => cmp(v, ev).is_ge(),
            };
            if !past {
                break;
            }
            match e.kind {
                Kind::Introduced => affected_from = Some(i),
                Kind::Fixed | Kind::LastAffected => affected_from = None,
                Kind::Limit => {}
            }
        }
        let start = affected_from?;
        let end = self.events[start..]
            .iter()
            .find(|e| matches!(e.kind, Kind::Fixed | Kind::LastAffected));
        Some(Ok(Rule::Range {
            range_index: self.index,
            scheme: self.scheme,
            introduced: self.events[start].raw.clone(),
            fixed: end.filter(|e| e.kind == Kind::Fixed).map(|e| e.raw.clone()),
            last_affected: end
                .filter(|e| e.kind == Kind::LastAffected)
                .map(|e| e.raw.clone()),
        }))
    }
}

/// One `Affected` entry prepared for packages of one scheme.
#[derive(Debug, Clone)]
pub(crate) struct PreparedAffected {
    pub ranges: Vec<PreparedRange>,
    pub versions: Vec<(String, Option<Version>)>,
    pub scheme: Scheme,
}

impl PreparedAffected {
    /// Prepares an entry; an unreadable bound is returned as an error for the import report,
    /// and the rest of the entry is still used.
    pub fn new(affected: &Affected, scheme: Scheme) -> (Self, Vec<VersionError>) {
        let mut errors = Vec::new();
        let mut ranges = Vec::new();
        for (i, r) in affected.ranges.iter().enumerate() {
            match PreparedRange::new(i, r.kind, scheme, &r.events) {
                Ok(Some(p)) => ranges.push(p),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        let versions = affected
            .versions
            .iter()
            .map(|v| (v.clone(), Version::parse(scheme, v).ok()))
            .collect();
        (
            PreparedAffected {
                ranges,
                versions,
                scheme,
            },
            errors,
        )
    }

    /// The first rule that says the installed version is affected, or why it cannot be told.
    pub fn evaluate(&self, installed: &mut Installed<'_>) -> Option<(Rule, Confidence)> {
        let mut unreadable = None;
        for r in &self.ranges {
            match r.evaluate(installed) {
                Some(Ok(rule)) => return Some((rule, Confidence::Exact)),
                Some(Err(e)) => unreadable = Some(e),
                None => {}
            }
        }
        for (raw, parsed) in &self.versions {
            let same = raw == installed.raw
                || match (parsed, installed.get(self.scheme)) {
                    (Some(p), Ok(v)) => cmp(p, v).is_eq(),
                    _ => false,
                };
            if same {
                return Some((
                    Rule::ListedVersion {
                        version: raw.clone(),
                    },
                    Confidence::Exact,
                ));
            }
        }
        unreadable.map(|error| (Rule::UnreadableVersion { error }, Confidence::NeedsReview))
    }
}

/// A CPE applicability statement with its bounds parsed under the upstream scheme.
#[derive(Debug, Clone)]
pub(crate) struct PreparedCpe {
    pub product: String,
    pub cpe: CpeMatch,
    exact: Option<Version>,
    start: Option<(Version, bool)>,
    end: Option<(Version, bool)>,
}

impl PreparedCpe {
    pub fn new(m: &CpeMatch) -> Result<Self, VersionError> {
        let g = |s: &String| Version::parse(Scheme::Generic, s);
        let ver = &m.criteria.version;
        let exact = if ver == "*" || ver == "-" || m.has_bounds() {
            None
        } else {
            Some(g(ver)?)
        };
        let start = match (&m.start_including, &m.start_excluding) {
            (Some(s), _) => Some((g(s)?, true)),
            (None, Some(s)) => Some((g(s)?, false)),
            _ => None,
        };
        let end = match (&m.end_including, &m.end_excluding) {
            (Some(s), _) => Some((g(s)?, true)),
            (None, Some(s)) => Some((g(s)?, false)),
            _ => None,
        };
        Ok(PreparedCpe {
            product: m.criteria.product.clone(),
            cpe: m.clone(),
            exact,
            start,
            end,
        })
    }

    /// `upstream` is the installed version's upstream part, read with the generic scheme.
    pub fn contains(&self, upstream: &Version) -> bool {
        if !self.cpe.vulnerable {
            return false;
        }
        if let Some(x) = &self.exact {
            return cmp(upstream, x).is_eq();
        }
        let after_start = self.start.as_ref().is_none_or(|(s, incl)| {
            let o = cmp(upstream, s);
            o.is_gt() || (*incl && o.is_eq())
        });
        let before_end = self.end.as_ref().is_none_or(|(e, incl)| {
            let o = cmp(upstream, e);
            o.is_lt() || (*incl && o.is_eq())
        });
        after_start && before_end
    }
}
