//! dpkg ordering: `[epoch:]upstream[-revision]`, compared with dpkg's `verrevcmp`.
//!
//! Implemented here from dpkg's lib/dpkg/version.c rather than taken from the `debversion`
//! crate, which was tried first: the cross-check against `dpkg --compare-versions` found that
//! debversion 0.5.5 orders `1a` before `1a0` and `1.` before `1.0`, where dpkg (whose rule is that
//! an empty digit run counts as 0) says they are equal. The parse errors are dpkg's own.

use std::cmp::Ordering;

use super::VersionError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgVersion {
    pub epoch: u32,
    pub upstream: String,
    /// Empty when the version has no `-revision`; dpkg compares that equal to `0`.
    pub revision: String,
}

impl DpkgVersion {
    /// dpkg's `parseversion`, except that surrounding whitespace is refused rather than
    /// skipped (inventory parsers trim; a stray space inside an advisory is worth reporting).
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let bad = |why: &str| VersionError::new(text, why);
        if text.is_empty() {
            return Err(bad("version string is empty"));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(bad("version string has embedded spaces"));
        }
        let (epoch, rest) = match text.split_once(':') {
            Some(("", _)) => return Err(bad("epoch in version is empty")),
            Some((e, rest)) => {
                if !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("epoch in version is not number"));
                }
                let epoch: u32 = e.parse().map_err(|_| bad("epoch in version is too big"))?;
                if epoch > i32::MAX as u32 {
                    return Err(bad("epoch in version is too big"));
                }
                (epoch, rest)
            }
            None => (0, text),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err(bad("revision number is empty")),
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(bad("version number is empty"));
        }
        if !upstream.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(bad("version number does not start with digit"));
        }
        if upstream
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || ".-+~:".contains(c)))
        {
            return Err(bad("invalid character in version number"));
        }
        if revision
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || ".+~".contains(c)))
        {
            return Err(bad("invalid character in revision number"));
        }
        Ok(DpkgVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        })
    }
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// dpkg's character weight: digits 0 (they are compared as numbers), letters by code, `~` below
/// everything including the end, other characters above all letters.
fn order(c: u8) -> i32 {
    match c {
        b'0'..=b'9' | 0 => 0,
        b'~' => -1,
        c if c.is_ascii_alphabetic() => i32::from(c),
        c => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let (mut i, mut j) = (0, 0);
    while at(a, i) != 0 || at(b, j) != 0 {
        while (at(a, i) != 0 && !at(a, i).is_ascii_digit())
            || (at(b, j) != 0 && !at(b, j).is_ascii_digit())
        {
            let (ac, bc) = (order(at(a, i)), order(at(b, j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(a, i) == b'0' {
            i += 1;
        }
        while at(b, j) == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while at(a, i).is_ascii_digit() && at(b, j).is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = at(a, i).cmp(&at(b, j));
            }
            i += 1;
            j += 1;
        }
        if at(a, i).is_ascii_digit() {
            return Ordering::Greater;
        }
        if at(b, j).is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a)
            .unwrap()
            .cmp(&DpkgVersion::parse(b).unwrap())
    }

    /// Pairs from dpkg's own test suite (t-version.c) and from `dpkg --compare-versions`.
    #[test]
    fn ordering_agrees_with_dpkg() {
        let cases = [
            ("1.0", "1.0-0", Equal),
            ("0:1.0", "1.0", Equal),
            ("1.0", "1.1", Less),
            ("1.0-1", "1.0-2", Less),
            ("1:0.1", "2.0", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~", "1.0", Less),
            ("1.0", "1.0a", Less),
            ("1.0a", "1.0+", Less),
            ("1a", "1a0", Equal),
            ("1.", "1.0", Equal),
            ("1.0-1", "1.0-1.0", Less),
            ("1.0.1e-2+deb7u4", "1.0.1e-2+deb7u5", Less),
            ("1.0.1e-2+deb7u20", "1.0.1e-2+deb7u5", Greater),
            ("2.30-1", "2.4-1", Greater),
            ("009", "9", Equal),
            ("1.0-a-1", "1.0-a-2", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn malformed_versions_get_dpkgs_reasons() {
        let reason = |s: &str| DpkgVersion::parse(s).unwrap_err().reason;
        assert_eq!(reason(":1.0"), "epoch in version is empty");
        assert_eq!(reason("a:1.0"), "epoch in version is not number");
        assert_eq!(reason("1.0-"), "revision number is empty");
        assert_eq!(reason("abc"), "version number does not start with digit");
        assert_eq!(reason("1.0 beta"), "version string has embedded spaces");
        assert_eq!(reason("1.0_1"), "invalid character in version number");
        assert_eq!(reason("1.0-a_b"), "invalid character in revision number");
    }
}
