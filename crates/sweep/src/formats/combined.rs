//! Apache/nginx combined log format:
//! `client ident user [time] "METHOD target PROTO" status bytes "referer" "user-agent" …`
//! (the common format is the same without the last two fields).

use super::{Context, Malformed, lossy};
use crate::matcher::Role;
use crate::norm;

pub(super) fn looks_like(line: &[u8]) -> bool {
    parse(line).is_ok()
}

struct Parsed<'a> {
    client: &'a [u8],
    user: &'a [u8],
    time: &'a [u8],
    target: &'a [u8],
    connect: bool,
    quoted_after: [&'a [u8]; 4],
}

fn next_word(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let s = s.trim_ascii_start();
    if s.is_empty() {
        return None;
    }
    let end = s.iter().position(|&b| b == b' ').unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

/// A `"…"` field with `\"` escapes, and the rest of the line after it.
fn quoted(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let s = s.trim_ascii_start().strip_prefix(b"\"")?;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some((&s[..i], &s[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

fn parse(line: &[u8]) -> Result<Parsed<'_>, Malformed> {
    let (client, rest) = next_word(line).ok_or(Malformed)?;
    let (_ident, rest) = next_word(rest).ok_or(Malformed)?;
    let (user, rest) = next_word(rest).ok_or(Malformed)?;
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"[")
        .ok_or(Malformed)?;
    let close = memchr::memchr(b']', rest).ok_or(Malformed)?;
    let time = &rest[..close];
    let (request, mut rest) = quoted(&rest[close + 1..]).ok_or(Malformed)?;
    let mut parts = request.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    let mut quoted_after: [&[u8]; 4] = [&[]; 4];
    // status and bytes, then quoted fields (referer, user agent, and nginx extras such as
    // X-Forwarded-For) until the line ends or a field is not quoted.
    for _ in 0..2 {
        match next_word(rest) {
            Some((_, r)) => rest = r,
            None => break,
        }
    }
    for slot in quoted_after.iter_mut() {
        match quoted(rest) {
            Some((q, r)) => {
                *slot = q;
                rest = r;
            }
            None => break,
        }
    }
    Ok(Parsed {
        client,
        user,
        time,
        target,
        connect: method == b"CONNECT",
        quoted_after,
    })
}

pub(super) fn scan<F: FnMut(&str, Role, &[u8])>(line: &[u8], f: &mut F) -> Result<(), Malformed> {
    let p = parse(line)?;
    f("client", Role::Host, p.client);
    if norm::find_byte(p.user, b'@').is_some() {
        f("user", Role::Email, p.user);
    }
    if p.connect {
        f("request", Role::Host, p.target);
    } else if memchr::memmem::find(p.target, b"://").is_some() {
        f("request", Role::Url, p.target);
    }
    f("referer", Role::Url, p.quoted_after[0]);
    // The user agent is free text whose tokens are not hosts the client talked to; extra nginx
    // fields (X-Forwarded-For and the like) are address lists.
    for extra in &p.quoted_after[2..] {
        for item in extra.split(|&b| b == b',') {
            f("forwarded", Role::Auto, item.trim_ascii());
        }
    }
    Ok(())
}

pub(super) fn context(line: &[u8]) -> Context {
    let Ok(p) = parse(line) else {
        return Context::default();
    };
    let dest = if p.connect {
        Some(norm::strip_port(p.target))
    } else {
        norm::split_url(p.target).map(|u| u.host)
    };
    Context {
        timestamp: lossy(p.time),
        source: lossy(p.client),
        destination: dest.and_then(lossy),
    }
}
