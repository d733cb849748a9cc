//! JSON lines: one object per line; nested objects give dotted names (`source.ip`), array
//! elements take their array's name.
//!
//! A hand-written scanner rather than serde_json: it visits values in place without building a
//! tree or allocating (strings are only copied when they contain escapes), which keeps JSON-lines
//! throughput close to the text formats'. It is fuzzed (`fuzz/fuzz_targets/sweep_jsonl.rs`).

use rustc_hash::FxHashMap;

use super::{Context, Malformed};
use crate::fields::{self, FieldMap, Slot};
use crate::matcher::Role;

/// Deeper nesting than this is not a log record; the limit keeps recursion bounded.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    names: FxHashMap<Box<[u8]>, (Role, Slot)>,
}

enum Value<'a> {
    /// String contents between the quotes, and whether they contain escapes.
    Str(&'a [u8], bool),
    /// Number, `true`, `false` or `null`, as written.
    Bare(&'a [u8]),
}

struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn string(&mut self) -> Result<(&'a [u8], bool), Malformed> {
        // At the opening quote.
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        loop {
            let rest = self.s.get(self.i..).ok_or(Malformed)?;
            // A plain loop: JSON log strings are short, where memchr2's setup costs more.
            let j = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .ok_or(Malformed)?;
            self.i += j;
            if self.s[self.i] == b'"' {
                let v = &self.s[start..self.i];
                self.i += 1;
                return Ok((v, escaped));
            }
            escaped = true;
            self.i += 2;
        }
    }

    fn value<F>(&mut self, path: &mut Vec<u8>, depth: usize, f: &mut F) -> Result<(), Malformed>
    where
        F: FnMut(&[u8], Value<'a>),
    {
        if depth > MAX_DEPTH {
            return Err(Malformed);
        }
        self.ws();
        match self.s.get(self.i).ok_or(Malformed)? {
            b'{' => {
                self.i += 1;
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(Malformed);
                    }
                    let (key, _) = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(Malformed);
                    }
                    self.i += 1;
                    let len = path.len();
                    if len > 0 {
                        path.push(b'.');
                    }
                    path.extend_from_slice(key);
                    self.value(path, depth + 1, f)?;
                    path.truncate(len);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(Malformed),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.value(path, depth + 1, f)?;
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(Malformed),
                    }
                }
            }
            b'"' => {
                let (v, esc) = self.string()?;
                f(path, Value::Str(v, esc));
                Ok(())
            }
            _ => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|&b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                if self.i == start {
                    return Err(Malformed);
                }
                f(path, Value::Bare(&self.s[start..self.i]));
                Ok(())
            }
        }
    }
}

/// Walks the top-level object of a line.
fn walk<'a, F: FnMut(&[u8], Value<'a>)>(line: &'a [u8], f: &mut F) -> Result<(), Malformed> {
    let mut sc = Scanner { s: line, i: 0 };
    sc.ws();
    if sc.s.get(sc.i) != Some(&b'{') {
        return Err(Malformed);
    }
    let mut path = Vec::with_capacity(64);
    sc.value(&mut path, 0, f)
}

/// Decodes JSON string escapes; bad escapes become U+FFFD rather than failing the line.
fn unescape(v: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < v.len() {
        if v[i] != b'\\' {
            out.push(v[i]);
            i += 1;
            continue;
        }
        let c = v.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let simple = match c {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'u' => None,
            other => Some(other),
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        let hex = |at: usize| -> Option<u32> {
            let h = v.get(at..at + 4)?;
            u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
        };
        let mut ch = hex(i);
        i += 4;
        if let Some(hi @ 0xD800..=0xDBFF) = ch {
            if v.get(i..i + 2) == Some(b"\\u")
                && let Some(lo @ 0xDC00..=0xDFFF) = hex(i + 2)
            {
                ch = Some(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
                i += 6;
            } else {
                ch = None;
            }
        }
        let ch = ch.and_then(char::from_u32).unwrap_or('\u{FFFD}');
        let mut buf = [0; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
}

impl Layout {
    pub(crate) fn new(map: &FieldMap) -> Layout {
        Layout {
            names: fields::table(map),
        }
    }

    fn lookup(&self, name: &[u8]) -> (Role, Slot) {
        if let Some(&r) = self.names.get(name) {
            return r;
        }
        if name.iter().any(u8::is_ascii_uppercase)
            && let Some(&r) = self.names.get(name.to_ascii_lowercase().as_slice())
        {
            return r;
        }
        (Role::Auto, Slot::None)
    }

    pub(crate) fn scan<F: FnMut(&str, Role, &[u8])>(
        &self,
        line: &[u8],
        f: &mut F,
    ) -> Result<(), Malformed> {
        if line.trim_ascii().is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        walk(line, &mut |path, value| {
            let Value::Str(v, escaped) = value else {
                return;
            };
            let (role, _) = self.lookup(path);
            if role == Role::Ignore || v.is_empty() {
                return;
            }
            let name = String::from_utf8_lossy(path);
            if escaped {
                unescape(v, &mut buf);
                f(&name, role, &buf);
            } else {
                f(&name, role, v);
            }
        })
    }

    pub(crate) fn context(&self, line: &[u8]) -> Context {
        let mut cx = Context::default();
        let mut name = None;
        let mut buf = Vec::new();
        let _ = walk(line, &mut |path, value| {
            let target = match self.lookup(path).1 {
                Slot::Time => &mut cx.timestamp,
                Slot::Source => &mut cx.source,
                Slot::Destination => &mut cx.destination,
                Slot::Name => &mut name,
                Slot::None => return,
            };
            if target.is_some() {
                return;
            }
            let text = match value {
                Value::Str(v, true) => {
                    unescape(v, &mut buf);
                    String::from_utf8_lossy(&buf).into_owned()
                }
                Value::Str(v, false) | Value::Bare(v) => String::from_utf8_lossy(v).into_owned(),
            };
            *target = Some(text).filter(|t| !t.is_empty() && t != "null");
        });
        if name.is_some() {
            cx.destination = name;
        }
        cx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Result<Vec<(String, Role, String)>, Malformed> {
        let layout = Layout::new(&FieldMap::default());
        let mut out = Vec::new();
        layout.scan(line.as_bytes(), &mut |n, r, v| {
            out.push((n.to_owned(), r, String::from_utf8_lossy(v).into_owned()));
        })?;
        Ok(out)
    }

    #[test]
    fn nested_objects_give_dotted_names_and_escapes_are_decoded() {
        let got = fields(
            r#"{"source":{"ip":"10.0.0.1"},"url":"http:\/\/e.com\/a","n":5,"tags":["x.com"]}"#,
        )
        .expect("valid");
        assert_eq!(
            got,
            [
                ("source.ip".into(), Role::Host, "10.0.0.1".into()),
                ("url".into(), Role::Url, "http://e.com/a".into()),
                ("tags".into(), Role::Auto, "x.com".into()),
            ]
        );
    }

    #[test]
    fn broken_json_is_malformed() {
        for bad in [
            r#"{"a":"b""#,
            r#"{"a" "b"}"#,
            "[1,2]",
            r#"{"a":}"#,
            r#"{"a":"\"}"#,
        ] {
            assert_eq!(fields(bad), Err(Malformed), "{bad}");
        }
    }
}
