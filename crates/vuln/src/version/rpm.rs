//! RPM ordering: `[epoch:]version[-release]`, each part compared with `rpmvercmp`.
//!
//! Implemented here from rpm's own `rpmvercmp()` (rpmio/rpmvercmp.c, rpm ≥ 4.15 with `^`) rather
//! than taken from a crate: the crates found (`rpm-version`, `rpmvercmp`) are single-author and
//! unmaintained, and the algorithm is forty lines whose every branch is pinned by the tests below
//! and by the cross-check against `univers` (docs/vuln.md).

use std::cmp::Ordering;

use super::VersionError;

/// An RPM `epoch:version-release`, kept as text because `rpmvercmp` works on the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evr {
    /// A missing epoch is 0, as in `rpmVersionCompare` since rpm 4.x.
    pub epoch: u64,
    pub version: String,
    /// `None` when the text has no `-release`; it then sorts before any release (rpmvercmp treats
    /// the empty string as older than a non-empty one).
    pub release: Option<String>,
}

impl Evr {
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let bad = |why: &str| VersionError::new(text, why);
        if text.is_empty() {
            return Err(bad("empty version"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("whitespace or control character"));
        }
        let (epoch, rest) = match text.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("epoch before ':' is not a number"));
                }
                let epoch = e
                    .parse()
                    .map_err(|_| bad("epoch does not fit in 64 bits"))?;
                (epoch, rest)
            }
            None => (0, text),
        };
        // The release is what follows the *last* dash: RPM forbids '-' in version and release,
        // so splitting at the first would be just as right for valid input, but the last dash is
        // what `rpm -q` output parsers (and univers) use.
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r.to_owned())),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(bad("empty version part"));
        }
        if release.as_deref() == Some("") {
            return Err(bad("empty release after '-'"));
        }
        Ok(Evr {
            epoch,
            version: version.to_owned(),
            release,
        })
    }
}

impl Ord for Evr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| {
                rpmvercmp(
                    self.release.as_deref().unwrap_or(""),
                    other.release.as_deref().unwrap_or(""),
                )
            })
    }
}

impl PartialOrd for Evr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// rpm's `rpmvercmp`: alternating numeric and alphabetic segments, separators ignored, `~` sorts
/// before everything (even the end), `^` after the end but before anything else.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let is_sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while one.first().is_some_and(|&c| is_sep(c)) {
            one = &one[1..];
        }
        while two.first().is_some_and(|&c| is_sep(c)) {
            two = &two[1..];
        }
        if one.is_empty() && two.is_empty() {
            break;
        }
        let (c1, c2) = (one.first().copied(), two.first().copied());
        if c1 == Some(b'~') || c2 == Some(b'~') {
            if c1 != Some(b'~') {
                return Ordering::Greater;
            }
            if c2 != Some(b'~') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if c1 == Some(b'^') || c2 == Some(b'^') {
            if one.is_empty() {
                return Ordering::Less;
            }
            if two.is_empty() {
                return Ordering::Greater;
            }
            if c1 != Some(b'^') {
                return Ordering::Greater;
            }
            if c2 != Some(b'^') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if one.is_empty() || two.is_empty() {
            break;
        }
        let isnum = one[0].is_ascii_digit();
        let seg_len = |s: &[u8]| {
            s.iter()
                .take_while(|c| {
                    if isnum {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count()
        };
        let (n1, n2) = (seg_len(one), seg_len(two));
        let (mut s1, mut s2) = (&one[..n1], &two[..n2]);
        if s2.is_empty() {
            // Segments of different types: numeric is newer than alphabetic.
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        if isnum {
            while s1.first() == Some(&b'0') {
                s1 = &s1[1..];
            }
            while s2.first() == Some(&b'0') {
                s2 = &s2[1..];
            }
            match s1.len().cmp(&s2.len()) {
                Ordering::Equal => {}
                longer => return longer,
            }
        }
        match s1.cmp(s2) {
            Ordering::Equal => {}
            ord => return ord,
        }
        one = &one[n1..];
        two = &two[n2..];
    }
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    /// Cases from rpm's own test suite (tests/rpmvercmp.at).
    #[test]
    fn rpmvercmp_agrees_with_rpms_test_suite() {
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1", "2.0.1", Equal),
            ("2.0", "2.0.1", Less),
            ("2.0.1a", "2.0.1a", Equal),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p2", Less),
            ("5.5p10", "5.5p1", Greater),
            ("10xyz", "10.1xyz", Less),
            ("xyz10", "xyz10.1", Less),
            ("xyz.4", "8", Less),
            ("5.5p2", "5.6p1", Less),
            ("6.0.rc1", "6.0", Greater),
            ("10b2", "10a1", Greater),
            ("1.0aa", "1.0a", Greater),
            ("10.0001", "10.1", Equal),
            ("10.0001", "10.0039", Less),
            ("4.999.9", "5.0", Less),
            ("20101121", "20101122", Less),
            ("2_0", "2_0", Equal),
            ("2.0", "2_0", Equal),
            ("a", "a", Equal),
            ("a+", "a_", Equal),
            ("+", "_", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.0^git2", Less),
            ("1.0^git1", "1.01", Less),
            ("1.0^20160101", "1.0.1", Less),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.0^git1~pre", "1.0^git1", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn the_rhel6_heartbleed_fix_is_newer_than_the_vulnerable_build() {
        let vulnerable = Evr::parse("1.0.1e-16.el6_5").unwrap();
        let fixed = Evr::parse("1.0.1e-16.el6_5.7").unwrap();
        assert!(vulnerable < fixed);
    }

    #[test]
    fn the_epoch_outranks_everything_else() {
        assert!(Evr::parse("1:0.1-1").unwrap() > Evr::parse("9.9-9").unwrap());
        assert_eq!(
            Evr::parse("0:1.0-1")
                .unwrap()
                .cmp(&Evr::parse("1.0-1").unwrap()),
            Equal
        );
    }

    #[test]
    fn malformed_rpm_versions_are_rejected_with_the_reason() {
        for bad in ["", "x:1.0", "1.0-", "-1", "1.0 -1"] {
            assert!(Evr::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
