//! Squid native `access.log`:
//! `time elapsed client code/status bytes method URL user hierarchy/peer type`, separated by
//! spaces.

use super::{Context, Malformed, lossy, words};
use crate::matcher::Role;
use crate::norm;

pub(super) fn looks_like(line: &[u8]) -> bool {
    let w: Vec<&[u8]> = words(line).take(11).collect();
    w.len() >= 10
        && w[0].first().is_some_and(u8::is_ascii_digit)
        && w[0].iter().all(|&b| b.is_ascii_digit() || b == b'.')
        && w[1].iter().all(u8::is_ascii_digit)
        && w[3].contains(&b'/')
        && w[3].first().is_some_and(u8::is_ascii_uppercase)
}

/// Fields 0..=8 of a line (time … hierarchy), or `Malformed`. Columns are separated by runs of
/// spaces (Squid pads `elapsed`).
fn split(line: &[u8]) -> Result<[&[u8]; 9], Malformed> {
    let mut out: [&[u8]; 9] = [&[]; 9];
    let mut n = 0;
    let mut start = 0;
    norm::each_pos(line, b' ', |p| {
        if p > start {
            out[n] = &line[start..p];
            n += 1;
        }
        start = p + 1;
        n < out.len()
    });
    if n < out.len() && start < line.len() {
        out[n] = &line[start..];
        n += 1;
    }
    // The hierarchy field is optional in some custom logformats derived from native.
    if n < 8 {
        return Err(Malformed);
    }
    check(out)
}

fn check(out: [&[u8]; 9]) -> Result<[&[u8]; 9], Malformed> {
    if !out[0].first().is_some_and(u8::is_ascii_digit) {
        return Err(Malformed);
    }
    Ok(out)
}

pub(super) fn scan<F: FnMut(&str, Role, &[u8])>(line: &[u8], f: &mut F) -> Result<(), Malformed> {
    let w = split(line)?;
    f("client", Role::Host, w[2]);
    // CONNECT carries `host:port`, other methods an absolute URL (a reverse proxy may log a
    // path, which names no host and cannot match).
    if w[5] == b"CONNECT" || norm::find_scheme_sep(w[6]).is_none() {
        if w[6].first() != Some(&b'/') {
            f("url", Role::Host, w[6]);
        }
    } else {
        f("url", Role::Url, w[6]);
    }
    if norm::find_byte(w[7], b'@').is_some() {
        f("user", Role::Email, w[7]);
    }
    if let Some(slash) = norm::find_byte(w[8], b'/') {
        f("peer", Role::Host, &w[8][slash + 1..]);
    }
    Ok(())
}

pub(super) fn context(line: &[u8]) -> Context {
    let Ok(w) = split(line) else {
        return Context::default();
    };
    let dest = match norm::split_url(w[6]) {
        Some(u) => u.host,
        None => norm::strip_port(w[6]),
    };
    Context {
        timestamp: lossy(w[0]),
        source: lossy(w[2]),
        destination: lossy(dest),
    }
}
