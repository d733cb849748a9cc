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

/// One bit (0x80) set in each byte of `chunk` that is a space, exactly (no false positives from
/// borrows, unlike the shorter "has zero byte" trick).
#[inline]
fn space_bits(chunk: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = chunk ^ 0x2020_2020_2020_2020;
    !((((x & LOW7).wrapping_add(LOW7)) | x) | LOW7)
}

/// Fields 0..=8 of a line (time … hierarchy), or `Malformed`. Columns are separated by runs of
/// spaces (Squid pads `elapsed`). Spaces are found eight bytes at a time (SWAR): this split is the
/// hottest loop of a Squid sweep, and both a byte loop and per-field memchr calls were several
/// times slower in profiles.
fn split(line: &[u8]) -> Result<[&[u8]; 9], Malformed> {
    let mut out: [&[u8]; 9] = [&[]; 9];
    let mut n = 0;
    let mut start = 0;
    let mut base = 0;
    while base < line.len() {
        let end = (base + 8).min(line.len());
        let word = match <[u8; 8]>::try_from(&line[base..end]) {
            Ok(full) => full,
            Err(_) => {
                // The last, partial word is padded with bytes that are not spaces.
                let mut bytes = [0u8; 8];
                bytes[..end - base].copy_from_slice(&line[base..end]);
                bytes
            }
        };
        let mut mask = space_bits(u64::from_le_bytes(word));
        while mask != 0 {
            let p = base + (mask.trailing_zeros() / 8) as usize;
            mask &= mask - 1;
            if p > start {
                out[n] = &line[start..p];
                n += 1;
                if n == out.len() {
                    return check(out);
                }
            }
            start = p + 1;
        }
        base = end;
    }
    if start < line.len() {
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
    if w[7].contains(&b'@') {
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
