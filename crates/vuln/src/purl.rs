//! Package URLs and `vers:` version range specifiers (`pkg:deb/debian/openssl@1.0.1e-2%2Bdeb7u5?distro=debian-7`), read only as far
//! as matching needs: the ecosystem, the name and the version.

use crate::cpe::{Cpe, CpeMatch};
use crate::ecosystem::{Ecosystem, Platform};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub platform: Option<Platform>,
    pub name: String,
    pub version: Option<String>,
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Returns `None` for text that is not a purl; `platform` is `None` for purl types hikeshi
    /// has no version rules for.
    pub fn parse(text: &str) -> Option<Purl> {
        let rest = text.strip_prefix("pkg:")?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (path, version) = match path.rsplit_once('@') {
            Some((p, v)) if !p.is_empty() => (p, Some(decode(v))),
            _ => (path, None),
        };
        let mut segs = path.split('/').filter(|s| !s.is_empty());
        let kind = segs.next()?.to_ascii_lowercase();
        let segs: Vec<String> = segs.map(decode).collect();
        let (name, namespace) = segs.split_last()?;
        let namespace = namespace.join("/").to_ascii_lowercase();
        let distro = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("distro="))
            .map(decode)
            .unwrap_or_default();
        let ecosystem = match (kind.as_str(), namespace.as_str()) {
            ("deb", "ubuntu") => Some(Ecosystem::Ubuntu),
            ("deb", _) => Some(Ecosystem::Debian),
            ("rpm", "rocky") => Some(Ecosystem::RockyLinux),
            ("rpm", "almalinux") => Some(Ecosystem::AlmaLinux),
            ("rpm", "opensuse") => Some(Ecosystem::OpenSuse),
            ("rpm", "suse") => Some(Ecosystem::Suse),
            ("rpm", _) => Some(Ecosystem::RedHat),
            ("npm", _) => Some(Ecosystem::Npm),
            ("cargo", _) => Some(Ecosystem::CratesIo),
            ("golang", _) => Some(Ecosystem::Go),
            ("pypi", _) => Some(Ecosystem::PyPI),
            ("generic", _) => Some(Ecosystem::Generic),
            _ => None,
        };
        let name = match kind.as_str() {
            "npm" | "golang" if !namespace.is_empty() => {
                format!("{}/{name}", segs[..segs.len() - 1].join("/"))
            }
            _ => name.clone(),
        };
        let platform = ecosystem.map(|e| {
            let from_distro = Platform::from_os_label(&distro);
            let release = (from_distro.ecosystem == e)
                .then_some(from_distro.release)
                .flatten();
            Platform {
                ecosystem: e,
                release,
            }
        });
        Some(Purl {
            platform,
            name,
            version,
        })
    }
}

/// `vers:generic/>=1.0.1|<1.0.1g` → product-name statements with bounds.
pub(crate) fn vers_to_cpes(base: &Cpe, text: &str) -> Result<Vec<CpeMatch>, String> {
    let (_, constraints) = text
        .strip_prefix("vers:")
        .and_then(|r| r.split_once('/'))
        .ok_or_else(|| format!("{text:?} is not a vers: range"))?;
    let mut out: Vec<CpeMatch> = Vec::new();
    let mut cur = CpeMatch::new(base.clone());
    for c in constraints
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "*")
    {
        let (op, v) = [">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| c.strip_prefix(op).map(|v| (*op, v.to_owned())))
            .unwrap_or(("=", c.to_owned()));
        let lower = matches!(op, ">=" | ">");
        if lower && (cur.end_including.is_some() || cur.end_excluding.is_some()) {
            out.push(std::mem::replace(&mut cur, CpeMatch::new(base.clone())));
        }
        match op {
            ">=" => cur.start_including = Some(v),
            ">" => cur.start_excluding = Some(v),
            "<=" => cur.end_including = Some(v),
            "<" => cur.end_excluding = Some(v),
            "=" => {
                let mut exact = CpeMatch::new(base.clone());
                exact.criteria.version = v;
                out.push(exact);
            }
            _ => return Err(format!("{text:?}: `!=` exclusions are not supported")),
        }
    }
    if cur.has_bounds() {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_give_ecosystem_release_name_and_version() {
        let p = Purl::parse("pkg:deb/debian/openssl@1.0.1e-2%2Bdeb7u5?arch=amd64&distro=debian-7")
            .unwrap();
        let platform = p.platform.unwrap();
        assert_eq!(
            (platform.ecosystem, platform.release.as_deref()),
            (Ecosystem::Debian, Some("7"))
        );
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("openssl", Some("1.0.1e-2+deb7u5"))
        );
        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(p.name, "@babel/core");
        assert!(Purl::parse("pkg:hex/x@1").unwrap().platform.is_none());
        assert!(Purl::parse("openssl").is_none());
    }
}
