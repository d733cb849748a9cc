//! Inside one run: URLs first (they contain everything else), then e-mail addresses, then the
//! remaining words (IPs, networks, hashes, CVEs, ASNs, file names, domains).
//!
//! Every step is bounded so the whole is linear in the run: a URL is only scanned past its
//! authority (at most 300 bytes) once its host is valid, an address looks at most 64 bytes back
//! and 254 forward from its `@`, and words partition what is left.

use crate::Kind;
use crate::context::{View, ascii, sentence_cut, trim_url_end, width_cut};
use crate::extract::{Extracted, Extractor};
use crate::normalize::{self, authority_end, is_local_char};
use crate::refang::refang_mapped;

mod words;

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
}
