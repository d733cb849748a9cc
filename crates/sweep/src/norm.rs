//! Byte-level parsing of the values found in log fields: addresses, host names, URLs. Logs are
//! bytes, not guaranteed UTF-8, so nothing here validates UTF-8; the hot path never allocates.

use std::net::Ipv6Addr;

/// Longest host name DNS allows; longer values cannot be a domain indicator, so they are not
/// copied into the lower-casing buffer.
pub(crate) const MAX_HOST: usize = 253;

/// Position of `b` in a short slice. Log fields are a few bytes long, where memchr's SIMD setup
/// and dispatch cost more than a plain loop (profiling put short memchr calls at a quarter of a
/// Squid sweep); memchr stays for line ends and long values.
#[inline]
pub(crate) fn find_byte(h: &[u8], b: u8) -> Option<usize> {
    h.iter().position(|&x| x == b)
}

/// Last position of `b` in a short slice (see [`find_byte`]).
#[inline]
pub(crate) fn rfind_byte(h: &[u8], b: u8) -> Option<usize> {
    h.iter().rposition(|&x| x == b)
}

/// Calls `f` with the position of every `needle` byte in `line`, in order, until `f` returns
/// false. Eight bytes are tested at a time (SWAR): field splitting is the hottest loop of the
/// Squid and Zeek readers, and both a byte loop and per-field memchr calls were several times
/// slower in profiles.
#[inline]
pub(crate) fn each_pos(line: &[u8], needle: u8, mut f: impl FnMut(usize) -> bool) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let spread = u64::from(needle) * 0x0101_0101_0101_0101;
    let words = line.chunks_exact(8);
    let rest = words.remainder();
    for (k, word) in words.enumerate() {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let x = u64::from_le_bytes(word) ^ spread;
        // 0x80 exactly in each byte of x that is zero (no false positives from borrows).
        let mut mask = !((((x & LOW7).wrapping_add(LOW7)) | x) | LOW7);
        while mask != 0 {
            if !f(k * 8 + (mask.trailing_zeros() / 8) as usize) {
                return;
            }
            mask &= mask - 1;
        }
    }
    let base = line.len() - rest.len();
    for (k, &b) in rest.iter().enumerate() {
        if b == needle && !f(base + k) {
            return;
        }
    }
}

/// Position of the first `://` in a value. A plain scan: `memmem::find` builds a searcher per
/// call, which costs more than the search on field-sized values.
#[inline]
pub(crate) fn find_scheme_sep(v: &[u8]) -> Option<usize> {
    // Every `://` starts at a colon, and colons are rare: test only after each one.
    let mut from = 0;
    while let Some(i) = find_byte(&v[from..], b':') {
        let at = from + i;
        if v[at + 1..].starts_with(b"//") {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Strict dotted-quad IPv4: four decimal parts of 1–3 digits, each at most 255.
/// Rejected alternative: `std::net::Ipv4Addr::from_str`, which needs a `&str` (UTF-8 check) and
/// is several times slower on the millions of fields a sweep parses.
pub(crate) fn parse_ipv4(s: &[u8]) -> Option<u32> {
    if s.len() < 7 || s.len() > 15 {
        return None;
    }
    let mut out: u32 = 0;
    let mut part: u32 = 0;
    let mut digits = 0;
    let mut dots = 0;
    for &b in s {
        match b {
            b'0'..=b'9' => {
                part = part * 10 + u32::from(b - b'0');
                digits += 1;
                if digits > 3 || part > 255 {
                    return None;
                }
            }
            b'.' => {
                if digits == 0 || dots == 3 {
                    return None;
                }
                out = (out << 8) | part;
                part = 0;
                digits = 0;
                dots += 1;
            }
            _ => return None,
        }
    }
    if digits == 0 || dots != 3 {
        return None;
    }
    Some((out << 8) | part)
}

/// IPv6 in any textual form std accepts (`::1`, `2001:db8::1`, `::ffff:1.2.3.4`).
pub(crate) fn parse_ipv6(s: &[u8]) -> Option<u128> {
    if s.len() < 2 || s.len() > 45 || find_byte(s, b':').is_none() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    text.parse::<Ipv6Addr>().ok().map(u128::from)
}

/// An address in either family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ip {
    V4(u32),
    V6(u128),
}

pub(crate) fn parse_ip(s: &[u8]) -> Option<Ip> {
    parse_ipv4(s)
        .map(Ip::V4)
        .or_else(|| parse_ipv6(s).map(Ip::V6))
}

/// Strips a `:port` or the brackets of `[v6]:port` from a host field. A value with two or more
/// colons and no brackets is a bare IPv6 address and is returned whole.
pub(crate) fn strip_port(s: &[u8]) -> &[u8] {
    if let Some(rest) = s.strip_prefix(b"[") {
        return match memchr::memchr(b']', rest) {
            Some(end) => &rest[..end],
            None => rest,
        };
    }
    match find_byte(s, b':') {
        Some(i) if find_byte(&s[i + 1..], b':').is_none() => &s[..i],
        _ => s,
    }
}

/// True for the bytes a host name may contain (letters, digits, `-`, `_`, `.`). `_` appears in
/// real DNS names (SRV records, some CDNs) even though it is not a valid host name character.
#[inline]
pub(crate) fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'
}

/// The parts of an absolute URL, as slices of the original bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UrlParts<'a> {
    pub scheme: &'a [u8],
    /// Host without brackets, port or user info.
    pub host: &'a [u8],
    pub port: Option<&'a [u8]>,
    /// Everything after the authority: path, query and fragment. They are only split (see
    /// [`UrlParts::path_query`]) for the few URLs whose host some URL indicator has, which
    /// saves scanning every path in the log.
    pub tail: &'a [u8],
}

impl<'a> UrlParts<'a> {
    /// The path (starting with `/`, or empty) and the query without the `?`, if there was one.
    pub(crate) fn path_query(&self) -> (&'a [u8], Option<&'a [u8]>) {
        let tail = self.tail;
        match tail.iter().position(|&b| b == b'?' || b == b'#') {
            Some(i) if tail[i] == b'?' => {
                let q = &tail[i + 1..];
                (
                    &tail[..i],
                    Some(q.split(|&b| b == b'#').next().unwrap_or(q)),
                )
            }
            Some(i) => (&tail[..i], None),
            None => (tail, None),
        }
    }
}

/// Splits `scheme://[userinfo@]host[:port][/path][?query][#fragment]`. Returns `None` for
/// anything without an authority (`mailto:`, relative paths), which cannot match a URL
/// indicator.
pub(crate) fn split_url(s: &[u8]) -> Option<UrlParts<'_>> {
    let colon = find_byte(s, b':')?;
    let scheme = &s[..colon];
    if scheme.is_empty()
        || !scheme[0].is_ascii_alphabetic()
        || !scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let rest = s[colon + 1..].strip_prefix(b"//")?;
    let auth_end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let mut authority = &rest[..auth_end];
    if let Some(at) = rfind_byte(authority, b'@') {
        authority = &authority[at + 1..];
    }
    let (host, port) = split_authority(authority);
    if host.is_empty() {
        return None;
    }
    Some(UrlParts {
        scheme,
        host,
        port,
        tail: &rest[auth_end..],
    })
}

fn split_authority(a: &[u8]) -> (&[u8], Option<&[u8]>) {
    if let Some(rest) = a.strip_prefix(b"[") {
        let end = memchr::memchr(b']', rest).unwrap_or(rest.len());
        let port = rest
            .get(end + 1..)
            .and_then(|p| p.strip_prefix(b":"))
            .filter(|p| !p.is_empty());
        return (&rest[..end], port);
    }
    match rfind_byte(a, b':') {
        Some(i) => {
            let port = &a[i + 1..];
            (&a[..i], (!port.is_empty()).then_some(port))
        }
        None => (a, None),
    }
}

fn default_port(scheme: &[u8]) -> &'static [u8] {
    if scheme.eq_ignore_ascii_case(b"https") {
        b"443"
    } else if scheme.eq_ignore_ascii_case(b"http") {
        b"80"
    } else if scheme.eq_ignore_ascii_case(b"ftp") {
        b"21"
    } else {
        b""
    }
}

/// Writes the normal form of a URL into `out`: lower-case scheme and host, no default port, no
/// user info, no fragment, `/` for an empty path, and the query only when `with_query`. The same
/// function normalises indicators and log values, so both sides agree by construction.
pub(crate) fn normalise_url(parts: &UrlParts<'_>, with_query: bool, out: &mut Vec<u8>) {
    out.clear();
    out.extend(parts.scheme.iter().map(u8::to_ascii_lowercase));
    out.extend_from_slice(b"://");
    let v6 = memchr::memchr(b':', parts.host).is_some();
    if v6 {
        out.push(b'[');
    }
    out.extend(parts.host.iter().map(u8::to_ascii_lowercase));
    if out.last() == Some(&b'.') {
        out.pop();
    }
    if v6 {
        out.push(b']');
    }
    if let Some(port) = parts.port
        && port != default_port(parts.scheme)
    {
        out.push(b':');
        out.extend_from_slice(port);
    }
    let (path, query) = parts.path_query();
    if path.is_empty() {
        out.push(b'/');
    } else {
        out.extend_from_slice(path);
    }
    if with_query && let Some(q) = query {
        out.push(b'?');
        out.extend_from_slice(q);
    }
}

/// True when `s` is a hex string of a hash length (MD5, SHA-1, SHA-256, SHA-512).
pub(crate) fn is_hash(s: &[u8]) -> bool {
    matches!(s.len(), 32 | 40 | 64 | 128) && s.iter().all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_parsed_strictly() {
        assert_eq!(parse_ipv4(b"1.2.3.4"), Some(0x01020304));
        assert_eq!(parse_ipv4(b"255.255.255.255"), Some(u32::MAX));
        for bad in [
            &b"1.2.3"[..],
            b"1.2.3.4.5",
            b"256.1.1.1",
            b"1..2.3",
            b"1.2.3.4 ",
            b"1.2.3.1234",
        ] {
            assert_eq!(parse_ipv4(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn every_needle_position_is_found_in_order() {
        let line = b"a b  c d e f g h i j k l m n o p q r s t u v w x y z  ";
        for len in 0..line.len() {
            let mut got = Vec::new();
            each_pos(&line[..len], b' ', |p| {
                got.push(p);
                true
            });
            let want: Vec<usize> = (0..len).filter(|&i| line[i] == b' ').collect();
            assert_eq!(got, want, "{len}");
        }
        let mut first = Vec::new();
        each_pos(line, b' ', |p| {
            first.push(p);
            first.len() < 3
        });
        assert_eq!(first, [1, 3, 4]);
    }

    #[test]
    fn scheme_separator_is_the_first_colon_slash_slash() {
        for v in [
            &b"http://a/"[..],
            b"a:b://c",
            b"host:443",
            b"::",
            b"x:/",
            b":",
            b"",
            b"a://b://c",
            b"://",
        ] {
            assert_eq!(
                find_scheme_sep(v),
                v.windows(3).position(|w| w == b"://"),
                "{:?}",
                String::from_utf8_lossy(v)
            );
        }
    }

    #[test]
    fn ports_and_brackets_are_stripped_but_bare_ipv6_is_kept() {
        assert_eq!(strip_port(b"evil.com:443"), b"evil.com");
        assert_eq!(strip_port(b"[2001:db8::1]:443"), b"2001:db8::1");
        assert_eq!(strip_port(b"2001:db8::1"), b"2001:db8::1");
    }

    #[test]
    fn urls_normalise_case_default_port_fragment_and_query() {
        let mut out = Vec::new();
        let p = split_url(b"HTTP://User@Evil.COM:80/A/b.php?x=1#frag").expect("url");
        normalise_url(&p, false, &mut out);
        assert_eq!(out, b"http://evil.com/A/b.php");
        normalise_url(&p, true, &mut out);
        assert_eq!(out, b"http://evil.com/A/b.php?x=1");
        let p = split_url(b"https://evil.com:8443").expect("url");
        normalise_url(&p, true, &mut out);
        assert_eq!(out, b"https://evil.com:8443/");
        assert!(split_url(b"/just/a/path").is_none());
        assert!(split_url(b"mailto:a@b.c").is_none());
    }
}
