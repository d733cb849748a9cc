//! Words: what is left of a run after URLs and addresses, split at characters no indicator
//! has. Each word is an address, a network, a hash, a CVE, an ASN, a file name or a domain, or
//! nothing; prose glued to it is cut off first (see [`crate::context`]).

use super::{RunScanner, is_word};
use crate::Kind;
use crate::context::{View, after_version_word, ascii, non_ascii_stem, sentence_cut, width_cut};
use crate::files::{extension, is_file_extension};
use crate::normalize;

impl RunScanner<'_> {
    pub(super) fn words(&mut self, v: &View) {
        let n = v.norm;
        let mut i = 0;
        let mut t = 0; // next taken span
        while i < n.len() {
            if let Some(&(a, b)) = self.taken.get(t) {
                if i >= a {
                    i = i.max(b);
                    t += 1;
                    continue;
                }
            }
            if !is_word(n[i]) {
                i += 1;
                continue;
            }
            let limit = self.taken.get(t).map_or(n.len(), |&(a, _)| a);
            let mut j = i;
            while j < limit && is_word(n[j]) {
                j += 1;
            }
            i = self.word(v, i, j).max(j);
        }
    }

    /// One word `norm[a..b]`; returns where scanning continues (past a `/len` suffix).
    fn word(&mut self, v: &View, a: usize, b: usize) -> usize {
        let w = &v.norm[a..b];
        if memchr::memchr(b':', w).is_some() {
            let mut e = b;
            while e > a && v.norm[e - 1] == b'.' {
                e -= 1;
            }
            // Text glued before the address by a full stop (`です。2001:db8::1`,
            // `credentials.2001:db8::1`) is not part of it: start after the last dot that
            // comes before the first colon.
            let first_colon = v.norm[a..e].iter().position(|&c| c == b':').unwrap_or(0);
            let s = v.norm[a..a + first_colon]
                .iter()
                .rposition(|&c| c == b'.')
                .map_or(a, |d| a + d + 1);
            let t = &v.norm[s..e];
            let colons = t.iter().filter(|&&c| c == b':').count();
            if colons >= 2
                && t.iter()
                    .all(|&c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
            {
                if let Some(ip) = normalize::ipv6(ascii(t)) {
                    if s > a {
                        self.plain(v, a, s);
                    }
                    return self.address(v, s, e, std::net::IpAddr::V6(ip));
                }
            }
            let mut s = a;
            for part in w.split(|&c| c == b':') {
                self.plain(v, s, s + part.len());
                s += part.len() + 1;
            }
            return b;
        }
        self.plain(v, a, b)
    }

    fn plain(&mut self, v: &View, a0: usize, b0: usize) -> usize {
        let n = v.norm;
        let (mut a, mut b) = (a0, b0);
        // A name written only in Japanese before its extension (`請求書.exe`): the run starts at
        // the dot, and the stem is the text just before the run.
        if a == 0 && b > 1 && n[0] == b'.' && v.offset(0) == v.base {
            let ext = ascii(&n[1..b]);
            if is_file_extension(ext) && !ext.contains('.') {
                if let Some(stem_start) = non_ascii_stem(self.src, v.base) {
                    let value = format!(
                        "{}.{ext}",
                        String::from_utf8_lossy(&self.src[stem_start..v.base])
                    );
                    let end = v.offset(b);
                    self.emit_at(stem_start, end, Kind::Filename, value);
                    return b0;
                }
            }
        }
        while a < b && matches!(n[a], b'.' | b'-' | b'_') {
            a += 1;
        }
        while b > a && matches!(n[b - 1], b'.' | b'-' | b'_') {
            b -= 1;
        }
        b = a + sentence_cut(&n[a..b]);
        b = width_cut(self.src, v, a, b);
        if a == b {
            return b0;
        }
        let w = &n[a..b];
        if memchr::memchr(b'.', w).is_none() {
            if let Some(kind) = normalize::hash_kind(w) {
                self.emit(v, a, b, kind, ascii(w).to_ascii_lowercase());
            } else if let Some(value) = normalize::cve(w) {
                self.emit(v, a, b, Kind::Cve, value);
            } else if w.len() > 2 && w.len() <= 13 && w[..2].eq_ignore_ascii_case(b"as") {
                if let Some(value) = normalize::asn(ascii(w)) {
                    self.emit(v, a, b, Kind::Asn, value);
                }
            } else if a == 0 && v.map.is_none() {
                self.spaced_identifier(v, b);
            }
            return b0;
        }
        if w.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
            if let Some(ip) = normalize::ipv4(w) {
                if !after_version_word(self.src, v.offset(a)) {
                    return self.address(v, a, b, std::net::IpAddr::V4(ip));
                }
            }
            return b0;
        }
        let name = ascii(w);
        if let Some(ext) = extension(name) {
            let dots = w.iter().filter(|&&c| c == b'.').count();
            if is_file_extension(ext)
                && (dots == 1 || !self.ex.suffixes.is_tld(&ext.to_ascii_lowercase()))
            {
                self.emit(v, a, b, Kind::Filename, name.to_owned());
                return b0;
            }
        }
        if self.domain(v, a, b) {
            return b0;
        }
        // Prose glued after the indicator (`<hash>.DNSクエリ`, `evil.net.EDR`, `<hash>.2021年`):
        // a hash or CVE before the first dot, or a domain without its last label.
        let first = memchr::memchr(b'.', w).map_or(b, |d| a + d);
        let head = &n[a..first];
        if let Some(kind) = normalize::hash_kind(head) {
            self.emit(v, a, first, kind, ascii(head).to_ascii_lowercase());
        } else if let Some(value) = normalize::cve(head) {
            self.emit(v, a, first, Kind::Cve, value);
        } else if let Some(ip_at) = w
            .iter()
            .rposition(|c| !c.is_ascii_digit() && *c != b'.')
            .map(|p| a + p + 1)
            && ip_at < b
            && n[ip_at] == b'.'
            && !is_version_word(&n[a..ip_at])
            && let Some(ip) = normalize::ipv4(&n[ip_at + 1..b])
        {
            // `task.185.162.73.245`: a sentence ending glued before an address.
            return self
                .address(v, ip_at + 1, b, std::net::IpAddr::V4(ip))
                .max(b0);
        } else if let Some(d) = memchr::memrchr(b'.', w) {
            self.domain(v, a, a + d);
        }
        b0
    }

    /// A domain at `norm[a..b]`, emitted if valid.
    fn domain(&mut self, v: &View, a: usize, b: usize) -> bool {
        let w = &v.norm[a..b];
        if w.len() > 253 || memchr::memchr(b'.', w).is_none() {
            return false;
        }
        let lower = ascii(w).to_ascii_lowercase();
        let ok = normalize::check_labels(&lower).is_ok()
            && !looks_like_a_file(&lower)
            && self.ex.suffixes.is_registrable_name(&lower);
        if ok {
            self.emit(v, a, b, Kind::Domain, lower);
        }
        ok
    }

    /// `AS 64496`, `ASN 64496`, `CVE 2014-0160`: the number is this run (`norm[..b]`), the
    /// label the run before, one space apart. Lower-case `as` is left out: "as 2014" is English.
    fn spaced_identifier(&mut self, v: &View, b: usize) {
        let w = &v.norm[..b];
        let before = &self.src[..v.base];
        let Some(before) = before.strip_suffix(b" ") else {
            return;
        };
        let label_start = |label: &[u8]| -> Option<usize> {
            let start = before.len().checked_sub(label.len())?;
            let boundary = start == 0 || !before[start - 1].is_ascii_alphanumeric();
            (boundary && before[start..].eq_ignore_ascii_case(label)).then_some(start)
        };
        let end = v.offset(b);
        if w.iter().all(u8::is_ascii_digit) {
            let start = label_start(b"ASN")
                .or_else(|| label_start(b"AS").filter(|&s| &before[s..] == b"AS"));
            if let Some(start) = start
                && let Some(value) = normalize::asn(&format!("AS{}", ascii(w)))
            {
                self.emit_at(start, end, Kind::Asn, value);
            }
        } else if let Some(start) = label_start(b"CVE")
            && let Some(value) = normalize::cve(format!("CVE-{}", ascii(w)).as_bytes())
        {
            self.emit_at(start, end, Kind::Cve, value);
        }
    }

    /// An address at `norm[a..b]`, or a network when `/len` follows.
    fn address(&mut self, v: &View, a: usize, b: usize, ip: std::net::IpAddr) -> usize {
        let n = v.norm;
        if n.get(b) == Some(&b'/') {
            let digits = n[b + 1..]
                .iter()
                .take(4)
                .take_while(|c| c.is_ascii_digit())
                .count();
            let after = n.get(b + 1 + digits).copied();
            if (1..=3).contains(&digits)
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'/')
            {
                if let Ok(len) = ascii(&n[b + 1..b + 1 + digits]).parse::<u8>() {
                    if let Ok(value) = normalize::cidr(ip, len) {
                        self.emit(v, a, b + 1 + digits, Kind::Cidr, value);
                        return b + 1 + digits;
                    }
                }
            }
        }
        let (kind, value) = match ip {
            // The dotted quad as refanged is already canonical (leading zeros are refused), so
            // it is copied rather than formatted: this runs for every address in the text.
            std::net::IpAddr::V4(_) => (Kind::Ipv4, ascii(&n[a..b]).to_owned()),
            std::net::IpAddr::V6(ip) => (Kind::Ipv6, ip.to_string()),
        };
        self.emit(v, a, b, kind, value);
        b
    }
}

/// `ver.1.2.3.4`, `v.1.2.3.4`, `build.1.2.3.4`: a version glued to its label, not an address.
fn is_version_word(w: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"v",
        b"ver",
        b"version",
        b"build",
        b"firmware",
        b"fw",
        b"rev",
        b"release",
    ];
    WORDS.iter().any(|x| x.eq_ignore_ascii_case(w))
}

/// Top-level domains that are, far more often, file extensions we do not extract (`README.md`,
/// `lib.rs`, `clip.mov`, `print.ps`): a two-label name ending in one is not taken for a domain.
/// With more labels (`www.example.md`) it is.
fn looks_like_a_file(name: &str) -> bool {
    const FILE_TLDS: &[&str] = &["md", "rs", "mov", "ps", "cs", "pm", "rb", "gs"];
    match name.split_once('.') {
        Some((_, tld)) if !tld.contains('.') => FILE_TLDS.contains(&tld),
        _ => false,
    }
}
