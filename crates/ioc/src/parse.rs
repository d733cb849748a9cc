//! One indicator as a handler types it: refang, recognise the kind, normalise.

use std::net::IpAddr;

use crate::files::{extension, is_file_extension};
use crate::normalize::{self, Reason};
use crate::refang::refang;
use crate::suffix::SuffixList;
use crate::{Indicator, IocError, Kind};

/// Parse one indicator as a handler writes it (possibly defanged or full-width) into its
/// kind and normal form, with the built-in public suffix list.
///
/// ```
/// use hikeshi_ioc::{parse_indicator, Kind};
/// let i = parse_indicator("hxxp://evil[.]example[.]com/a").unwrap();
/// assert_eq!((i.kind, i.value.as_str()), (Kind::Url, "http://evil.example.com/a"));
/// let i = parse_indicator("１９２．０．２．１").unwrap();
/// assert_eq!((i.kind, i.value.as_str()), (Kind::Ipv4, "192.0.2.1"));
/// assert!(parse_indicator("hello").is_err());
/// ```
pub fn parse_indicator(text: &str) -> Result<Indicator, IocError> {
    parse_indicator_with(text, &SuffixList::Builtin)
}

/// [`parse_indicator`] with a given public suffix list (for example one loaded from a file).
pub fn parse_indicator_with(text: &str, suffixes: &SuffixList) -> Result<Indicator, IocError> {
    let refanged = refang(text.trim());
    let s = unwrap_pair(refanged.trim());
    if s.is_empty() {
        return Err(IocError::NotAnIndicator(text.to_owned()));
    }
    let invalid = |kind: Kind, reason: Reason| IocError::Invalid {
        kind,
        text: text.to_owned(),
        reason,
    };
    let ok = |kind: Kind, value: String| Ok(Indicator { kind, value });

    if s.contains("://") {
        return normalize::url(s, None)
            .map_or_else(|r| Err(invalid(Kind::Url, r)), |v| ok(Kind::Url, v));
    }
    if let Some(ip) = normalize::ipv4(s.as_bytes()) {
        return ok(Kind::Ipv4, ip.to_string());
    }
    let bare_v6 = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    if let Some(ip) = normalize::ipv6(bare_v6) {
        return ok(Kind::Ipv6, ip.to_string());
    }
    // A network's address may be all zeros (`::/9` is what `9::/9` normalises to, `0.0.0.0/0`
    // what `1.2.3.4/0` does), which the single-address rules refuse: any address parses here.
    if let Some((addr, _)) = s.split_once('/')
        && (normalize::ipv4(addr.as_bytes()).is_some()
            || normalize::ipv6(addr).is_some()
            || addr.parse::<IpAddr>().is_ok())
    {
        return normalize::parse_cidr(s)
            .map_or_else(|r| Err(invalid(Kind::Cidr, r)), |v| ok(Kind::Cidr, v));
    }
    if s.contains('@') && !s.contains(' ') {
        return normalize::email(s, Some(suffixes))
            .map_or_else(|r| Err(invalid(Kind::Email, r)), |v| ok(Kind::Email, v));
    }
    if let Some(kind) = normalize::hash_kind(s.as_bytes()) {
        return ok(kind, s.to_ascii_lowercase());
    }
    if let Some(v) = normalize::cve(s.as_bytes()) {
        return ok(Kind::Cve, v);
    }
    if let Some(v) = normalize::asn(s) {
        return ok(Kind::Asn, v);
    }
    if let Some(name) = filename(s, suffixes) {
        return ok(Kind::Filename, name);
    }
    if s.contains('.') && !s.contains(' ') && !s.contains('/') {
        return normalize::domain(s, Some(suffixes))
            .map_or_else(|r| Err(invalid(Kind::Domain, r)), |v| ok(Kind::Domain, v));
    }
    Err(IocError::NotAnIndicator(text.to_owned()))
}

/// Parse `text` as an indicator of a kind the handler chose. `Other` keeps the trimmed text as
/// it is; every other kind must be what the text is recognised as.
pub fn parse_as(kind: Kind, text: &str) -> Result<Indicator, IocError> {
    if kind == Kind::Other {
        let value = text.trim();
        if value.is_empty() {
            return Err(IocError::NotAnIndicator(text.to_owned()));
        }
        return Ok(Indicator {
            kind,
            value: value.to_owned(),
        });
    }
    let found = parse_indicator(text)?;
    // A typed IP with a /32 is what a handler means by "this network": accept either spelling.
    if kind == Kind::Cidr && matches!(found.kind, Kind::Ipv4 | Kind::Ipv6) {
        let addr: IpAddr = found
            .value
            .parse()
            .map_err(|_| IocError::NotAnIndicator(text.to_owned()))?;
        let len = if addr.is_ipv4() { 32 } else { 128 };
        let value = normalize::cidr(addr, len).map_err(|reason| IocError::Invalid {
            kind,
            text: text.to_owned(),
            reason,
        })?;
        return Ok(Indicator { kind, value });
    }
    if found.kind != kind {
        return Err(IocError::KindMismatch {
            expected: kind,
            found: found.kind,
            text: text.to_owned(),
        });
    }
    Ok(found)
}

/// One layer of quotes or angle brackets around a pasted value (`<evil.com>`, `"1.2.3.4"`).
fn unwrap_pair(s: &str) -> &str {
    for (open, close) in [
        ('<', '>'),
        ('"', '"'),
        ('\'', '\''),
        ('`', '`'),
        ('「', '」'),
    ] {
        if let Some(inner) = s.strip_prefix(open).and_then(|x| x.strip_suffix(close)) {
            return inner.trim();
        }
    }
    s
}

/// A file name: the base name of a path whose extension is one we keep. A name that is also a
/// registrable domain of three or more labels (`www.example.zip`) is left to the domain rule.
fn filename(s: &str, suffixes: &SuffixList) -> Option<String> {
    let base = s.rsplit(['/', '\\']).next().unwrap_or(s).trim();
    let ext = extension(base)?;
    if !is_file_extension(ext) || base.chars().any(char::is_control) {
        return None;
    }
    let separators = s.len() != base.len();
    if !separators && base.matches('.').count() >= 2 && suffixes.is_tld(&ext.to_ascii_lowercase()) {
        return None;
    }
    Some(base.to_owned())
}
