//! Package lists dumped on a host: `dpkg-query -W` and `rpm -qa`.

use super::package;
use crate::ecosystem::Platform;
use crate::error::{Parsed, RecordError};
use crate::matching::Package;

fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, std::borrow::Cow<'_, str>)> {
    bytes.split(|&b| b == b'\n').enumerate().map(|(i, l)| {
        (
            i + 1,
            String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)),
        )
    })
}

/// `dpkg-query -W` (default `${binary:Package}\t${Version}`) or any format whose first two
/// whitespace-separated fields are package and version. A `:arch` qualifier on the name is
/// dropped (advisories name source or binary packages without it). Packages listed with an
/// empty version are known to dpkg but not installed, and are skipped, not reported.
pub fn parse_dpkg(file: &str, bytes: &[u8], platform: &Platform) -> Parsed<Package> {
    let mut out = Parsed::default();
    for (n, line) in lines(bytes) {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split_whitespace();
        let name = fields.next().unwrap_or("");
        let name = name.split_once(':').map_or(name, |(n, _)| n);
        let Some(version) = fields.next() else {
            continue;
        };
        match package(name, version, platform) {
            Ok(p) => out.records.push(p),
            Err(reason) => out
                .errors
                .push(RecordError::new(file, format!("line {n}"), reason)),
        }
    }
    out
}

const ARCHES: [&str; 16] = [
    "x86_64", "noarch", "i386", "i486", "i586", "i686", "aarch64", "ppc64le", "ppc64", "ppc",
    "s390x", "s390", "armv7hl", "armhfp", "src", "riscv64",
];

/// `rpm -qa` output: the default `NAME-VERSION-RELEASE.ARCH`, or a `--queryformat` of
/// whitespace-separated `NAME [EPOCH:]VERSION-RELEASE [ARCH]` (an epoch of `(none)` is dropped).
pub fn parse_rpm(file: &str, bytes: &[u8], platform: &Platform) -> Parsed<Package> {
    let mut out = Parsed::default();
    for (n, line) in lines(bytes) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = if line.contains(char::is_whitespace) {
            let mut f = line.split_whitespace();
            let name = f.next().unwrap_or("");
            let evr = f.next().unwrap_or("");
            let evr = evr.strip_prefix("(none):").unwrap_or(evr);
            package(name, evr, platform)
        } else {
            split_nvra(line).and_then(|(name, vr)| package(name, vr, platform))
        };
        match parsed {
            Ok(p) => out.records.push(p),
            Err(reason) => out
                .errors
                .push(RecordError::new(file, format!("line {n}"), reason)),
        }
    }
    out
}

/// `openssl-1.0.1e-16.el6_5.x86_64` → (`openssl`, `1.0.1e-16.el6_5`). Names may contain dashes
/// (`perl-Digest-SHA`), versions and releases may not, so the last two dashes split.
fn split_nvra(text: &str) -> Result<(&str, &str), String> {
    let nvr = match text.rsplit_once('.') {
        Some((nvr, arch)) if ARCHES.contains(&arch) => nvr,
        _ => text,
    };
    let (nv, _release) = nvr
        .rsplit_once('-')
        .ok_or_else(|| format!("{text:?} is not NAME-VERSION-RELEASE"))?;
    let (name, _version) = nv
        .rsplit_once('-')
        .ok_or_else(|| format!("{text:?} is not NAME-VERSION-RELEASE"))?;
    if name.is_empty() {
        return Err(format!("{text:?} has an empty name"));
    }
    Ok((name, &nvr[name.len() + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ecosystem;

    #[test]
    fn dpkg_query_output_is_read_and_arch_qualifiers_dropped() {
        let text = b"openssl\t1.0.1e-2+deb7u4\nlibssl1.0.0:amd64\t1.0.1e-2+deb7u4\nrc-only\t\nbroken\tnot-a-version\n";
        let parsed = parse_dpkg("www01.dpkg", text, &Platform::from_os_label("debian-7"));
        let names: Vec<_> = parsed.records.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["openssl", "libssl1.0.0"]);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].record, "line 4");
        assert_eq!(parsed.records[0].ecosystem, Ecosystem::Debian);
    }

    #[test]
    fn rpm_qa_output_is_read_with_and_without_queryformat() {
        let platform = Platform::from_os_label("rhel-6");
        let text = b"openssl-1.0.1e-16.el6_5.x86_64\nperl-Digest-SHA-5.47-136.el6.x86_64\ngpg-pubkey-c105b9de-4e0fd3a3\nbash 0:4.1.2-15.el6_5.1 x86_64\nzlib (none):1.2.3-29.el6 x86_64\nnonsense\n";
        let parsed = parse_rpm("mail01.rpm", text, &platform);
        let got: Vec<_> = parsed
            .records
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("openssl", "1.0.1e-16.el6_5"),
                ("perl-Digest-SHA", "5.47-136.el6"),
                ("gpg-pubkey", "c105b9de-4e0fd3a3"),
                ("bash", "0:4.1.2-15.el6_5.1"),
                ("zlib", "1.2.3-29.el6"),
            ]
        );
        assert_eq!(parsed.errors[0].record, "line 6");
    }
}
