//! CSV with a header line (also `;` or tab separated), RFC 4180 quoting.

use super::{Context, Malformed, lossy};
use crate::fields::{FieldMap, Slot};
use crate::matcher::Role;

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    delim: u8,
    header: Vec<u8>,
    columns: Vec<(String, Role, Slot)>,
}

/// The most frequent of `,`, `;` and tab outside quotes.
fn sniff_delimiter(line: &[u8]) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| line.iter().filter(|&&b| b == d).count())
        .unwrap_or(b',')
}

/// Splits one record, calling `f(index, value)`; quoted values with `""` inside are unescaped
/// into a scratch buffer. Unbalanced quotes are `Malformed`.
fn split<F: FnMut(usize, &[u8])>(line: &[u8], delim: u8, f: &mut F) -> Result<usize, Malformed> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut i = 0;
    let mut idx = 0;
    let mut buf = Vec::new();
    loop {
        if line.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            let mut doubled = false;
            loop {
                let k = memchr::memchr(b'"', line.get(j..).ok_or(Malformed)?).ok_or(Malformed)?;
                j += k;
                if line.get(j + 1) == Some(&b'"') {
                    doubled = true;
                    j += 2;
                } else {
                    break;
                }
            }
            if doubled {
                buf.clear();
                let raw = &line[start..j];
                let mut p = 0;
                while p < raw.len() {
                    buf.push(raw[p]);
                    p += if raw[p] == b'"' { 2 } else { 1 };
                }
                f(idx, &buf);
            } else {
                f(idx, &line[start..j]);
            }
            i = j + 1;
            match line.get(i) {
                None => return Ok(idx + 1),
                Some(&d) if d == delim => i += 1,
                Some(_) => return Err(Malformed),
            }
        } else {
            let rest = &line[i..];
            match memchr::memchr(delim, rest) {
                Some(k) => {
                    f(idx, rest[..k].trim_ascii());
                    i += k + 1;
                }
                None => {
                    f(idx, rest.trim_ascii());
                    return Ok(idx + 1);
                }
            }
        }
        idx += 1;
    }
}

/// A header is at least two names that look like column names, and the next line (if any) has
/// as many fields.
pub(super) fn looks_like_header(first: &[u8], second: Option<&[u8]>) -> bool {
    let delim = sniff_delimiter(first);
    let mut names = Vec::new();
    let Ok(n) = split(first, delim, &mut |_, v| names.push(v.to_vec())) else {
        return false;
    };
    let name_like = |v: &Vec<u8>| {
        !v.is_empty()
            && v.len() <= 64
            && v[0].is_ascii_alphabetic()
            && v.iter()
                .all(|&b| b.is_ascii_alphanumeric() || b" _-.()@/".contains(&b))
    };
    n >= 2
        && names.iter().all(name_like)
        && second.is_none_or(|s| split(s, delim, &mut |_, _| {}) == Ok(n))
}

impl Layout {
    pub(crate) fn from_head(head: &[u8], map: &FieldMap) -> Layout {
        let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let first = first.strip_suffix(b"\r").unwrap_or(first);
        let delim = sniff_delimiter(first);
        let mut columns = Vec::new();
        // An unbalanced header still yields the names before the fault.
        let _ = split(first, delim, &mut |_, v| {
            let name = String::from_utf8_lossy(v).into_owned();
            let (role, slot) = map.resolve(&name, Role::Auto);
            columns.push((name, role, slot));
        });
        Layout {
            delim,
            header: first.to_vec(),
            columns,
        }
    }

    pub(crate) fn scan<F: FnMut(&str, Role, &[u8])>(
        &self,
        line: &[u8],
        f: &mut F,
    ) -> Result<(), Malformed> {
        let l = line.strip_suffix(b"\r").unwrap_or(line);
        if l == self.header.as_slice() || l.is_empty() {
            return Ok(());
        }
        split(line, self.delim, &mut |i, v| {
            // Values past the header's columns have no name; they are still matched by shape.
            match self.columns.get(i) {
                Some((name, role, _)) => f(name, *role, v),
                None => f("extra", Role::Auto, v),
            }
        })
        .map(|_| ())
    }

    pub(crate) fn context(&self, line: &[u8]) -> Context {
        let mut cx = Context::default();
        let mut name = None;
        let _ = split(line, self.delim, &mut |i, v| {
            let Some((_, _, slot)) = self.columns.get(i) else {
                return;
            };
            let target = match slot {
                Slot::Time => &mut cx.timestamp,
                Slot::Source => &mut cx.source,
                Slot::Destination => &mut cx.destination,
                Slot::Name => &mut name,
                Slot::None => return,
            };
            if target.is_none() {
                *target = lossy(v);
            }
        });
        if name.is_some() {
            cx.destination = name;
        }
        cx
    }
}
