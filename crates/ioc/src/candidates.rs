//! Inside one run: URLs first (they contain everything else), then e-mail addresses, then the
//! remaining words (IPs, networks, hashes, CVEs, ASNs, file names, domains).
//!
//! Every step is bounded so the whole is linear in the run: a URL is only scanned past its
//! authority (at most 300 bytes) once its host is valid, an address looks at most 64 bytes back
//! and 254 forward from its `@`, and words partition what is left.

use crate::Kind;
use crate::context::{
    View, after_version_word, ascii, non_ascii_stem, sentence_cut, trim_url_end, width_cut,
};
use crate::extract::{Extracted, Extractor};
use crate::files::{extension, is_file_extension};
use crate::normalize::{self, authority_end, is_local_char};
use crate::refang::refang_mapped;

/// Longest authority (`user@host:port`) looked at before a URL is given up.
const MAX_AUTHORITY: usize = 300;

/// Scratch state for one extraction: buffers are reused from run to run.
pub(crate) struct RunScanner<'a> {
    ex: &'a Extractor,
    src: &'a [u8],
    buf: Vec<u8>,
    map: Vec<usize>,
    taken: Vec<(usize, usize)>,
    found: Vec<Extracted>,
}

/// Characters of a word: what domains, IPs, hashes and identifiers are made of.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':')
}

/// Characters that may continue a URL after its authority.
fn is_url_char(b: u8) -> bool {
    // A comma ends a URL too: commas in real URLs are rare, a URL followed by one in CSV and
    // prose is not.
    (0x21..0x7f).contains(&b)
        && !matches!(
            b,
            b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'\'' | b','
        )
}

impl<'a> RunScanner<'a> {
    pub(crate) fn new(ex: &'a Extractor, src: &'a [u8]) -> Self {
        RunScanner {
            ex,
            src,
            buf: Vec::new(),
            map: Vec::new(),
            taken: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Scan the run `src[start..end]`; refang it first when it has bracketed or folded forms.
    pub(crate) fn run(
        &mut self,
        start: usize,
        end: usize,
        refang: bool,
        sink: &mut impl FnMut(Extracted),
    ) {
        let mut buf = std::mem::take(&mut self.buf);
        let mut map = std::mem::take(&mut self.map);
        buf.clear();
        map.clear();
        let norm: &[u8] = if refang {
            refang_mapped(&self.src[start..end], start, false, &mut buf, &mut map);
            &buf
        } else {
            &self.src[start..end]
        };
        let view = View {
            norm,
            map: if refang { Some(&map) } else { None },
            base: start,
        };
        self.taken.clear();
        self.urls(&view);
        self.emails(&view);
        self.taken.sort_unstable();
        self.words(&view);
        self.found.sort_by_key(|e| e.start);
        for e in self.found.drain(..) {
            sink(e);
        }
        self.buf = buf;
        self.map = map;
    }

    /// Whether `norm[i]` was written as a full-width or ideographic character.
    fn wide(&self, v: &View, i: usize) -> bool {
        self.src.get(v.offset(i)).is_some_and(|&c| c >= 0x80)
    }

    fn emit(&mut self, view: &View, a: usize, b: usize, kind: Kind, value: String) {
        let (start, end) = (view.offset(a), view.offset(b));
        self.emit_at(start, end, kind, value);
    }

    fn emit_at(&mut self, start: usize, end: usize, kind: Kind, value: String) {
        let raw = String::from_utf8_lossy(&self.src[start..end]).into_owned();
        let warnings = self.ex.warnings.check(kind, &value);
        self.found.push(Extracted {
            kind,
            value,
            raw,
            start,
            end,
            warnings,
        });
    }

    fn urls(&mut self, v: &View) {
        let n = v.norm;
        let mut from = 0;
        // `:` then `//`: a plain memchr, as most runs are short and have no URL at all.
        while let Some(rel) = memchr::memchr(b':', &n[from..]) {
            let h = from + rel;
            from = h + 1;
            if n.get(h + 1..h + 3) != Some(&b"//"[..]) {
                continue;
            }
            from = h + 3;
            let mut s = h;
            while s > 0 && h - s < 8 && n[s - 1].is_ascii_alphabetic() {
                s -= 1;
            }
            if s == h || normalize::scheme(ascii(&n[s..h])).is_none() {
                continue;
            }
            let rest = &n[h + 3..];
            let window = &rest[..rest.len().min(MAX_AUTHORITY)];
            let auth_len = window
                .iter()
                .position(|&b| !is_url_char(b))
                .unwrap_or(window.len());
            let auth_len = authority_end(&window[..auth_len]);
            let authority = ascii(&window[..auth_len]);
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let host = match host.rsplit_once(':') {
                Some((h, p)) if !p.contains(']') && (!h.contains('[') || h.ends_with(']')) => h,
                _ => host,
            };
            let host = if host.starts_with('[') {
                host
            } else {
                host.trim_end_matches(['.', ',', ';', ')', ']'])
            };
            let Ok(host_norm) = normalize::url_host(host, Some(&self.ex.suffixes)) else {
                continue;
            };
            let host_raw = host;
            let mut e = h
                + 3
                + rest
                    .iter()
                    .position(|&b| !is_url_char(b))
                    .unwrap_or(rest.len());
            // A URL typed in ASCII ends where full-width text begins: `…/gate.php（１９８…）`
            // is a URL and a parenthesised address in Japanese punctuation, not one path.
            if v.map.is_some() && !self.wide(v, s) {
                e = (h + 3..e).find(|&i| self.wide(v, i)).unwrap_or(e);
            }
            e = trim_url_end(n, h + 3, e);
            e = h + 3 + sentence_cut(&n[h + 3..e]);
            e = trim_url_end(n, h + 3, e);
            from = from.max(e);
            let suffixes = &self.ex.suffixes;
            let known = |h: &str| {
                if h == host_raw {
                    Ok(host_norm)
                } else {
                    normalize::url_host(h, Some(suffixes))
                }
            };
            if let Ok(value) = normalize::url_with_host(ascii(&n[s..e]), known) {
                self.taken.push((s, e));
                self.emit(v, s, e, Kind::Url, value);
            }
        }
    }

    fn emails(&mut self, v: &View) {
        let n = v.norm;
        for at in memchr::memchr_iter(b'@', n) {
            if self.taken.iter().any(|&(a, b)| a <= at && at < b) {
                continue;
            }
            let mut l = at;
            while l > 0 && at - l < 64 && is_local_char(n[l - 1]) {
                l -= 1;
            }
            while l < at && matches!(n[l], b'.' | b'\'' | b'=' | b'-') {
                l += 1;
            }
            let mut r = at + 1;
            while r < n.len()
                && r - at <= 254
                && (n[r].is_ascii_alphanumeric() || matches!(n[r], b'.' | b'-' | b'_'))
            {
                r += 1;
            }
            while r > at + 1 && matches!(n[r - 1], b'.' | b'-' | b'_') {
                r -= 1;
            }
            r = at + 1 + sentence_cut(&n[at + 1..r]);
            r = width_cut(self.src, v, at + 1, r);
            if l == at || r == at + 1 {
                continue;
            }
            // Prose glued after the address (`…@evil.net.DNSクエリ`): one label fewer.
            let shorter = memchr::memrchr(b'.', &n[at + 1..r]).map(|d| at + 1 + d);
            for r in std::iter::once(r).chain(shorter) {
                if let Ok(value) = normalize::email(ascii(&n[l..r]), Some(&self.ex.suffixes)) {
                    self.taken.push((l, r));
                    self.emit(v, l, r, Kind::Email, value);
                    break;
                }
            }
        }
    }

    fn words(&mut self, v: &View) {
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
        let ok =
            normalize::check_labels(&lower).is_ok() && self.ex.suffixes.is_registrable_name(&lower);
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
