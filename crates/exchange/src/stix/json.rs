//! A tiny streaming JSON object writer: the export writes one STIX object at a time straight to
//! the output, with its members in a fixed, readable order, and never builds a `Value` tree.

use std::io::{self, Write};

/// One JSON object being written. Keys are our own constant ASCII names; values are escaped by
/// serde_json, which writes non-ASCII as UTF-8 (so Japanese stays readable in the file).
pub struct Obj<'w, W: Write> {
    w: &'w mut W,
    first: bool,
}

impl<'w, W: Write> Obj<'w, W> {
    pub fn begin(w: &'w mut W) -> io::Result<Self> {
        w.write_all(b"{")?;
        Ok(Obj { w, first: true })
    }

    fn key(&mut self, k: &str) -> io::Result<()> {
        if !self.first {
            self.w.write_all(b",")?;
        }
        self.first = false;
        self.w.write_all(b"\"")?;
        self.w.write_all(k.as_bytes())?;
        self.w.write_all(b"\":")
    }

    pub fn str(&mut self, k: &str, v: &str) -> io::Result<&mut Self> {
        self.key(k)?;
        serde_json::to_writer(&mut *self.w, v).map_err(io::Error::other)?;
        Ok(self)
    }

    /// A member whose value is already JSON text.
    pub fn raw(&mut self, k: &str, json: &str) -> io::Result<&mut Self> {
        self.key(k)?;
        self.w.write_all(json.as_bytes())?;
        Ok(self)
    }

    /// Members already written as `"a":1,"b":2` text.
    pub fn members(&mut self, text: &str) -> io::Result<&mut Self> {
        if !self.first {
            self.w.write_all(b",")?;
        }
        self.first = false;
        self.w.write_all(text.as_bytes())?;
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
            serde_json::to_writer(&mut *self.w, v).map_err(io::Error::other)?;
        }
        self.w.write_all(b"]")?;
        Ok(self)
    }

    pub fn end(self) -> io::Result<()> {
        self.w.write_all(b"}")
    }
}
