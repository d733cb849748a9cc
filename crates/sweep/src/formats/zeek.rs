//! Zeek TSV logs. The `#fields` and `#types` header lines give each column its meaning, so any
//! Zeek log (conn, dns, http, ssl, files, smtp, …) is read without per-log code.

use super::{Context, Malformed, lossy};
use crate::fields::{FieldMap, Slot};
use crate::matcher::Role;

#[derive(Debug, Clone)]
struct Column {
    name: String,
    role: Role,
    slot: Slot,
    /// `set[…]`/`vector[…]`: several values joined by the set separator.
    set: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    sep: u8,
    set_sep: u8,
    columns: Vec<Column>,
    /// Columns `host` and `uri` of http.log, joined into a URL for URL indicators.
    http: Option<(usize, usize)>,
}

/// Decodes the `\x09` escapes Zeek writes in its `#separator` line.
fn unescape_sep(v: &[u8]) -> Option<u8> {
    match v {
        [b] => Some(*b),
        [b'\\', b'x', h, l] => u8::from_str_radix(std::str::from_utf8(&[*h, *l]).ok()?, 16).ok(),
        _ => None,
    }
}

impl Layout {
    pub(crate) fn from_head(head: &[u8], map: &FieldMap) -> Layout {
        let mut sep = b'\t';
        let mut set_sep = b',';
        let mut names: Vec<String> = Vec::new();
        let mut types: Vec<String> = Vec::new();
        for line in head
            .split(|&b| b == b'\n')
            .take_while(|l| l.starts_with(b"#"))
        {
            if let Some(v) = line.strip_prefix(b"#separator ") {
                sep = unescape_sep(v.trim_ascii()).unwrap_or(b'\t');
                continue;
            }
            let mut parts = line.split(|&b| b == sep);
            let key = parts.next().unwrap_or_default();
            let values = || parts.map(|p| String::from_utf8_lossy(p).into_owned());
            match key {
                b"#set_separator" => {
                    if let Some(v) = values().next().and_then(|v| unescape_sep(v.as_bytes())) {
                        set_sep = v;
                    }
                }
                b"#fields" => names = values().collect(),
                b"#types" => types = values().collect(),
                _ => {}
            }
        }
        let columns: Vec<Column> = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let ty = types.get(i).map_or("string", String::as_str);
                let set = ty.starts_with("set[") || ty.starts_with("vector[");
                let base = ty
                    .trim_start_matches("set[")
                    .trim_start_matches("vector[")
                    .trim_end_matches(']');
                // Columns Zeek types as addresses are addresses whatever their name; strings of
                // unknown meaning are classified by whole value; numbers, times, ports and flags
                // never hold an indicator.
                let unknown = match base {
                    "addr" | "subnet" => Role::Ip,
                    "string" => Role::Auto,
                    _ => Role::Ignore,
                };
                let (role, slot) = map.resolve(&name, unknown);
                let role = if base == "addr" && role == Role::Auto {
                    Role::Ip
                } else {
                    role
                };
                Column {
                    name,
                    role,
                    slot,
                    set,
                }
            })
            .collect();
        let pos = |n: &str| columns.iter().position(|c| c.name == n);
        let http = pos("host").zip(pos("uri"));
        Layout {
            sep,
            set_sep,
            columns,
            http,
        }
    }

    pub(crate) fn scan<F: FnMut(&str, Role, &[u8])>(
        &self,
        line: &[u8],
        f: &mut F,
    ) -> Result<(), Malformed> {
        if line.first() == Some(&b'#') || line.is_empty() {
            return Ok(());
        }
        if self.columns.is_empty() {
            return Err(Malformed);
        }
        let mut n = 0;
        let mut start = 0;
        let mut visit = |end: usize| {
            let Some(col) = self.columns.get(n) else {
                return false;
            };
            n += 1;
            let value = &line[start..end];
            start = end + 1;
            if col.role == Role::Ignore || value == b"-" || value == b"(empty)" {
                return true;
            }
            if col.set {
                for v in value.split(|&b| b == self.set_sep) {
                    f(&col.name, col.role, v);
                }
            } else {
                f(&col.name, col.role, value);
            }
            true
        };
        let mut more = true;
        crate::norm::each_pos(line, self.sep, |p| {
            more = visit(p);
            more
        });
        if more {
            visit(line.len());
        }
        if n < self.columns.len() {
            return Err(Malformed);
        }
        if let Some((h, u)) = self.http {
            let mut it = line.split(|&b| b == self.sep);
            let host = it.clone().nth(h).unwrap_or_default();
            let uri = it.nth(u).unwrap_or_default();
            if host != b"-" && uri.first() == Some(&b'/') {
                let url = [&b"http://"[..], host, uri].concat();
                f("host+uri", Role::Url, &url);
            }
        }
        Ok(())
    }

    pub(crate) fn context(&self, line: &[u8]) -> Context {
        let mut cx = Context::default();
        let mut name = None;
        for (col, value) in self.columns.iter().zip(line.split(|&b| b == self.sep)) {
            let target = match col.slot {
                Slot::Time => &mut cx.timestamp,
                Slot::Source => &mut cx.source,
                Slot::Destination => &mut cx.destination,
                Slot::Name => &mut name,
                Slot::None => continue,
            };
            if target.is_none() {
                *target = lossy(value).filter(|v| v != "(empty)");
            }
        }
        if name.is_some() {
            cx.destination = name;
        }
        cx
    }
}
