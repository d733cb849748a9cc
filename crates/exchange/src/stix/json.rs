//! A tiny streaming JSON object writer: the export writes one STIX object at a time straight to
//! the output, with its members in a fixed, readable order, and never builds a `Value` tree.

use std::io::{self, Write};

use super::ids::StixId;
use super::stamp::Stamp;

/// `s` as a JSON string, exactly as serde_json writes it (non-ASCII as UTF-8, so Japanese stays
/// readable in the file). Nearly every string we write (ids, timestamps, hashes, domains) needs
/// no escape at all and is copied as it is; the others go through serde_json.
pub fn write_str<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    // What serde_json escapes: `"`, `\` and the control characters below U+0020.
    // Every byte is looked at, without stopping early, so the compiler checks many at once.
    let escape = s
        .as_bytes()
        .iter()
        .fold(false, |e, &b| e | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if escape {
        return serde_json::to_writer(w, s).map_err(io::Error::other);
    }
    w.write_all(b"\"")?;
    w.write_all(s.as_bytes())?;
    w.write_all(b"\"")
}

/// One JSON object being written. Keys are our own constant ASCII names; values are escaped as
/// by serde_json ([`write_str`]).
pub struct Obj<'w, W: Write> {
    w: &'w mut W,
    first: bool,
}

impl<'w, W: Write> Obj<'w, W> {
    pub fn begin(w: &'w mut W) -> io::Result<Self> {
        w.write_all(b"{")?;
        Ok(Obj { w, first: true })
    }

    #[inline]
    fn key(&mut self, k: &str) -> io::Result<()> {
        let open: &[u8] = if self.first { b"\"" } else { b",\"" };
        self.first = false;
        self.w.write_all(open)?;
        self.w.write_all(k.as_bytes())?;
        self.w.write_all(b"\":")
    }

    #[inline]
    pub fn str(&mut self, k: &str, v: &str) -> io::Result<&mut Self> {
        self.key(k)?;
        write_str(self.w, v)?;
        Ok(self)
    }

    /// A STIX id: no escape needed.
    #[inline]
    pub fn id(&mut self, k: &str, id: &StixId) -> io::Result<&mut Self> {
        self.plain(k, id.as_bytes())
    }

    /// A timestamp: no escape needed.
    #[inline]
    pub fn stamp(&mut self, k: &str, t: &Stamp) -> io::Result<&mut Self> {
        self.plain(k, t.as_bytes())
    }

    /// A string member whose value is known to need no escape.
    #[inline]
    fn plain(&mut self, k: &str, v: &[u8]) -> io::Result<&mut Self> {
        self.key(k)?;
        self.w.write_all(b"\"")?;
        self.w.write_all(v)?;
        self.w.write_all(b"\"")?;
        Ok(self)
    }

    /// A member whose value is already JSON text.
    pub fn raw(&mut self, k: &str, json: &str) -> io::Result<&mut Self> {
        self.key(k)?;
        self.w.write_all(json.as_bytes())?;
        Ok(self)
    }

    /// Members that `write` writes as `"a":1,"b":2` text.
    pub fn with_members(
        &mut self,
        write: impl FnOnce(&mut W) -> io::Result<()>,
    ) -> io::Result<&mut Self> {
        if !self.first {
            self.w.write_all(b",")?;
        }
        self.first = false;
        write(self.w)?;
        Ok(self)
    }

    pub fn strs<'a>(
        &mut self,
        k: &str,
        vals: impl IntoIterator<Item = &'a str>,
    ) -> io::Result<&mut Self> {
        self.key(k)?;
        self.w.write_all(b"[")?;
        for (i, v) in vals.into_iter().enumerate() {
            if i > 0 {
                self.w.write_all(b",")?;
            }
            write_str(self.w, v)?;
        }
        self.w.write_all(b"]")?;
        Ok(self)
    }

    pub fn end(self) -> io::Result<()> {
        self.w.write_all(b"}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let all_bytes: String = (0u8..0x80).map(char::from).collect();
        for s in [
            "",
            "plain ascii",
            "請求書.exe",
            "a\"b\\c",
            "\u{0}\u{1f}\u{7f}\n\r\t\u{8}\u{c}",
            "\u{2028}\u{2029}",
            "it's",
            &all_bytes,
        ] {
            let mut ours = Vec::new();
            write_str(&mut ours, s).unwrap();
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }
}
