//! Normal forms: one spelling per indicator, so the same observable written two ways is one row
//! in the store and one pattern in a sweep.
//!
//! Every function here takes already-refanged text. They are shared by [`crate::parse_indicator`]
//! (one value a handler typed) and the extractor (candidates found in free text), so a value
//! extracted from a report and the same value typed by hand always agree.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::Kind;
use crate::suffix::SuffixList;

/// Why a candidate is not a valid indicator of its kind (kept short: it ends up in bulk-import
/// reports line by line).
pub(crate) type Reason = &'static str;

/// A dotted quad with decimal octets. Leading zeros are refused: `010.1.1.1` means 8.1.1.1 to
/// some tools and 10.1.1.1 to others, and guessing is worse than saying no.
pub(crate) fn ipv4(s: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut n = 0;
    for part in s.split(|&b| b == b'.') {
        if n == 4 || part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut v: u16 = 0;
        for &b in part {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u16::from(b - b'0');
        }
        octets[n] = u8::try_from(v).ok()?;
        n += 1;
    }
    (n == 4).then(|| Ipv4Addr::from(octets))
}

/// An IPv6 address in any textual form std accepts; `::` alone is refused (it is an operator in
/// half the languages logs are written in, and never an indicator).
pub(crate) fn ipv6(s: &str) -> Option<Ipv6Addr> {
    if s.len() < 3 || s.len() > 45 {
        return None;
    }
    let ip: Ipv6Addr = s.parse().ok()?;
    (!ip.is_unspecified()).then_some(ip)
}

/// The network of `addr/len` written with its network address (`10.1.2.3/8` → `10.0.0.0/8`).
pub(crate) fn cidr(addr: IpAddr, len: u8) -> Result<String, Reason> {
    match addr {
        IpAddr::V4(a) => {
            if len > 32 {
                return Err("IPv4 prefix length above 32");
            }
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            Ok(format!("{}/{len}", Ipv4Addr::from(u32::from(a) & mask)))
        }
        IpAddr::V6(a) => {
            if len > 128 {
                return Err("IPv6 prefix length above 128");
            }
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            Ok(format!("{}/{len}", Ipv6Addr::from(u128::from(a) & mask)))
        }
    }
}

/// Parse `addr/len` (either family) into its normal form.
pub(crate) fn parse_cidr(s: &str) -> Result<String, Reason> {
    let (addr, len) = s.split_once('/').ok_or("no prefix length")?;
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err("prefix length is not a number");
    }
    let len: u8 = len.parse().map_err(|_| "prefix length is not a number")?;
    // The network address may be all zeros (`::/9`, `0.0.0.0/0`), which `ipv4`/`ipv6` refuse
    // as single addresses.
    let addr = match ipv4(addr.as_bytes()) {
        Some(v4) => IpAddr::V4(v4),
        None => ipv6(addr)
            .map(IpAddr::V6)
            .or_else(|| addr.parse().ok())
            .ok_or("not an IP network")?,
    };
    cidr(addr, len)
}

/// A host name in its normal form: lower case, IDNA (punycode) for international names, no
/// trailing dot, each label valid. With `suffixes`, the name must also be registrable under a
/// public suffix (extraction and `parse_indicator` demand that; URL hosts typed by a handler may
/// be intranet names and do not).
pub(crate) fn domain(s: &str, suffixes: Option<&SuffixList>) -> Result<String, Reason> {
    let s = s.strip_suffix('.').unwrap_or(s);
    let ascii = if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        // UTS 46 maps width and case and encodes to punycode; refusing what it refuses keeps
        // look-alike tricks (disallowed code points) out of the store.
        idna::domain_to_ascii(s).map_err(|_| "not a valid international domain name")?
    };
    check_labels(&ascii)?;
    if let Some(list) = suffixes
        && !list.is_registrable_name(&ascii)
    {
        return Err("no known public suffix, or only a suffix");
    }
    Ok(ascii)
}

/// Labels of a lower-case ASCII name: 1–63 bytes, letters, digits, hyphen (not first or last)
/// and underscore (service labels such as `_dmarc`; never in the top-level label), at most 253
/// bytes in all, at least two labels, and a top-level label that is not all digits.
pub(crate) fn check_labels(name: &str) -> Result<(), Reason> {
    if name.len() > 253 {
        return Err("name longer than 253 bytes");
    }
    let mut labels = 0;
    for label in name.split('.') {
        let b = label.as_bytes();
        if b.is_empty() || b.len() > 63 {
            return Err("empty or over-long label");
        }
        if b[0] == b'-' || b[b.len() - 1] == b'-' {
            return Err("label starts or ends with a hyphen");
        }
        if !b
            .iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
        {
            return Err("character not allowed in a host name");
        }
        labels += 1;
    }
    let tld = name.rsplit('.').next().unwrap_or("");
    if labels < 2 {
        return Err("a single label is not a domain");
    }
    if tld.bytes().all(|c| c.is_ascii_digit()) || tld.contains('_') {
        return Err("top-level label is numeric or has an underscore");
    }
    Ok(())
}

/// URL schemes worth keeping, with their defanged spellings mapped back.
pub(crate) fn scheme(s: &str) -> Option<&'static str> {
    let lower = s.to_ascii_lowercase();
    Some(match lower.as_str() {
        "http" | "hxxp" | "hxtp" | "htxp" | "h__p" | "hxxpx" => "http",
        "https" | "hxxps" | "hxtps" | "htxps" | "h__ps" => "https",
        "ftp" | "fxp" | "fxxp" => "ftp",
        "ftps" | "fxps" => "ftps",
        "sftp" => "sftp",
        "ws" => "ws",
        "wss" => "wss",
        _ => return None,
    })
}

fn default_port(scheme: &str) -> &'static str {
    match scheme {
        "http" | "ws" => "80",
        "https" | "wss" => "443",
        "ftp" => "21",
        "sftp" => "22",
        "ftps" => "990",
        _ => "",
    }
}

/// Where the authority of a URL ends (first `/`, `?` or `#` after `scheme://`).
pub(crate) fn authority_end(rest: &[u8]) -> usize {
    memchr::memchr3(b'/', b'?', b'#', rest).unwrap_or(rest.len())
}

/// The normal form of a host inside a URL: an IPv4 address, a bracketed IPv6 address, or a name.
pub(crate) fn url_host(host: &str, suffixes: Option<&SuffixList>) -> Result<String, Reason> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return ipv6(inner)
            .map(|ip| format!("[{ip}]"))
            .ok_or("bad IPv6 host");
    }
    if let Some(ip) = ipv4(host.as_bytes()) {
        return Ok(ip.to_string());
    }
    match suffixes {
        Some(list) => domain(host, Some(list)),
        None => {
            // A handler may name an intranet host (`http://intranet/`): syntax only.
            let h = host.strip_suffix('.').unwrap_or(host);
            let ascii = if h.is_ascii() {
                h.to_ascii_lowercase()
            } else {
                idna::domain_to_ascii(h).map_err(|_| "not a valid international domain name")?
            };
            let ok = !ascii.is_empty()
                && ascii.len() <= 253
                && ascii.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes()
                            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
                });
            if ok { Ok(ascii) } else { Err("bad host name") }
        }
    }
}

/// A URL's normal form: scheme and host lower case (defanged schemes mapped back), default port
/// dropped, an empty path written `/`, path, query and fragment kept byte for byte (they are
/// case-sensitive on most servers, and the sweep compares them with what logs recorded).
pub(crate) fn url(s: &str, suffixes: Option<&SuffixList>) -> Result<String, Reason> {
    url_with_host(s, |h| url_host(h, suffixes))
}

/// [`url`] with the host normalised by `host_fn` (the extractor has already checked the host
/// once to decide whether to read the path at all, and passes that answer on).
pub(crate) fn url_with_host(
    s: &str,
    host_fn: impl FnOnce(&str) -> Result<String, Reason>,
) -> Result<String, Reason> {
    let (sch, rest) = s.split_once("://").ok_or("no scheme")?;
    let sch = scheme(sch).ok_or("unknown scheme")?;
    let auth_end = authority_end(rest.as_bytes());
    let (authority, tail) = rest.split_at(auth_end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    // The port is what follows the last colon, unless that colon is inside an IPv6 literal.
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') && (!h.contains('[') || h.ends_with(']')) => (h, Some(p)),
        _ => (hostport, None),
    };
    if host.is_empty() {
        return Err("no host");
    }
    let host = host_fn(host)?;
    let mut out = String::with_capacity(s.len() + 1);
    out.push_str(sch);
    out.push_str("://");
    if let Some(u) = userinfo {
        out.push_str(u);
        out.push('@');
    }
    out.push_str(&host);
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err("bad port");
        }
        let p = p.trim_start_matches('0');
        if p.parse::<u32>().map_or(true, |n| n > 65535) {
            return Err("bad port");
        }
        if p != default_port(sch) {
            out.push(':');
            out.push_str(p);
        }
    }
    if !tail.starts_with('/') {
        out.push('/');
    }
    out.push_str(tail);
    Ok(out)
}

/// Characters allowed in the local part of an address we extract (RFC 5322 dot-atom, less the
/// rare symbols that in prose are punctuation rather than part of an address).
pub(crate) fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'=' | b'\'')
}

/// An e-mail address, lower case. Local parts are case-sensitive in theory and case-insensitive
/// at every provider in practice; one spelling is what correlation needs.
pub(crate) fn email(s: &str, suffixes: Option<&SuffixList>) -> Result<String, Reason> {
    let (local, host) = s.rsplit_once('@').ok_or("no @")?;
    if local.is_empty() || local.len() > 64 {
        return Err("empty or over-long local part");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("misplaced dot in local part");
    }
    if !local.bytes().all(is_local_char) {
        return Err("character not allowed in the local part");
    }
    let host = domain(host, suffixes)?;
    if host.contains('_') {
        // Mail domains are host names (RFC 5321): letters, digits and hyphens only.
        return Err("underscore in a mail domain");
    }
    Ok(format!("{}@{host}", local.to_ascii_lowercase()))
}

/// The hash kind of a hex string by its length.
pub(crate) fn hash_kind(s: &[u8]) -> Option<Kind> {
    let kind = match s.len() {
        32 => Kind::Md5,
        40 => Kind::Sha1,
        64 => Kind::Sha256,
        128 => Kind::Sha512,
        _ => return None,
    };
    s.iter().all(u8::is_ascii_hexdigit).then_some(kind)
}

/// `CVE-YYYY-NNNN…` in upper case; the sequence number has four to seven digits.
pub(crate) fn cve(s: &[u8]) -> Option<String> {
    let rest = s
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case(b"cve-"))
        .map(|_| &s[4..])?;
    let (year, seq) = (rest.get(..4)?, rest.get(5..)?);
    let ok = rest.get(4) == Some(&b'-')
        && year.iter().all(u8::is_ascii_digit)
        && year >= &b"1999"[..]
        && (4..=7).contains(&seq.len())
        && seq.iter().all(u8::is_ascii_digit);
    ok.then(|| format!("CVE-{}-{}", ascii(year), ascii(seq)))
}

fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

/// `AS64496` / `ASN64496` (any case, optional space for a typed value) as `AS64496`; AS0 and
/// numbers above 32 bits are refused.
pub(crate) fn asn(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits = if b.len() > 3 && b[..3].eq_ignore_ascii_case(b"asn") {
        &s[3..]
    } else if b.len() > 2 && b[..2].eq_ignore_ascii_case(b"as") {
        &s[2..]
    } else {
        return None;
    };
    let digits = digits.strip_prefix(' ').unwrap_or(digits);
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (n > 0 && n <= u64::from(u32::MAX)).then(|| format!("AS{n}"))
}
