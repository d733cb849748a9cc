//! Gzip members read straight from the file: header parsing, the search for candidate member
//! starts, and inflating the members of one piece (RFC 1952) with their CRC and length checked.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::cut::Cutter;

/// Compressed bytes read per positional read.
const READ: usize = 256 * 1024;
/// A header longer than this (an absurd file name or extra field) is treated as corrupt.
const MAX_HEADER: usize = 1 << 20;

/// What the bytes at a position say about a member header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Header {
    /// A complete header of `len` bytes; `bsize` is BGZF's total member size minus one.
    Valid {
        len: usize,
        bsize: Option<u16>,
    },
    /// The bytes end before the header does.
    Incomplete,
    Invalid(&'static str),
}

/// Parses the member header at the start of `b` (RFC 1952 §2.3), its header CRC included.
pub(crate) fn header(b: &[u8]) -> Header {
    const MAGIC: [u8; 3] = [0x1f, 0x8b, 8];
    if b.len() < 10 {
        return if b.iter().zip(MAGIC).all(|(x, y)| *x == y) {
            Header::Incomplete
        } else {
            Header::Invalid("not a gzip member header")
        };
    }
    if b[..2] != MAGIC[..2] {
        return Header::Invalid("not a gzip member header");
    }
    if b[2] != 8 {
        return Header::Invalid("unknown compression method");
    }
    let flags = b[3];
    if flags & 0xe0 != 0 {
        return Header::Invalid("reserved header flags set");
    }
    let mut p = 10;
    let mut bsize = None;
    if flags & 4 != 0 {
        let Some(x) = b.get(p..p + 2) else {
            return Header::Incomplete;
        };
        let xlen = usize::from(u16::from_le_bytes([x[0], x[1]]));
        let Some(extra) = b.get(p + 2..p + 2 + xlen) else {
            return Header::Incomplete;
        };
        bsize = bgzf_size(extra);
        p += 2 + xlen;
    }
    for flag in [8, 16] {
        // File name, then comment: zero-terminated.
        if flags & flag != 0 {
            match memchr::memchr(0, &b[p..]) {
                Some(i) => p += i + 1,
                None => return Header::Incomplete,
            }
        }
    }
    if flags & 2 != 0 {
        let Some(x) = b.get(p..p + 2) else {
            return Header::Incomplete;
        };
        let mut crc = Crc::new();
        crc.update(&b[..p]);
        if crc.sum() & 0xffff != u32::from(u16::from_le_bytes([x[0], x[1]])) {
            return Header::Invalid("header checksum mismatch");
        }
        p += 2;
    }
    Header::Valid { len: p, bsize }
}

/// BGZF's `BC` subfield: the member's total size minus one.
fn bgzf_size(mut extra: &[u8]) -> Option<u16> {
    while extra.len() >= 4 {
        let len = usize::from(u16::from_le_bytes([extra[2], extra[3]]));
        let data = extra.get(4..4 + len)?;
        if extra[..2] == *b"BC" && len == 2 {
            return Some(u16::from_le_bytes([data[0], data[1]]));
        }
        extra = &extra[4 + len..];
    }
    None
}

/// The first plausible member start in `w[from..to]` (`w` may run on past `to`, so that a
/// header straddling `to` can be read); `at_eof` tells whether `w` ends at the end of the file.
///
/// Stricter than [`header`]: the extra-flags byte must be one gzip writes (0, 2 or 4) and the
/// operating-system byte a defined one, and a BGZF header's size must lead to the next header
/// or to the end of the file. A false candidate can still slip through (compressed data is
/// arbitrary bytes); the caller verifies every candidate against where the previous member
/// really ended.
pub(crate) fn candidate(w: &[u8], from: usize, to: usize, at_eof: bool) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(&[0x1f, 0x8b, 8]);
    let mut at = from;
    // A match must start before `to`; it may end up to two bytes after it.
    let hay_end = to.saturating_add(2).min(w.len());
    while at < hay_end {
        let i = at + finder.find(&w[at..hay_end])?;
        let h = &w[i..];
        let plausible = h.len() >= 10 && matches!(h[8], 0 | 2 | 4) && (h[9] <= 13 || h[9] == 255);
        if plausible && let Header::Valid { bsize, .. } = header(h) {
            let next = bsize.map(|s| i + usize::from(s) + 1);
            let chained = match next {
                None => true,
                Some(n) if n + 3 <= w.len() => w[n..n + 3] == [0x1f, 0x8b, 8],
                Some(n) => n == w.len() && at_eof || n > w.len(),
            };
            if chained {
                return Some(i);
            }
        }
        at = i + 1;
    }
    None
}

/// A sliding window of positional reads over the compressed file.
pub(crate) struct Window<'f> {
    file: &'f File,
    pub size: u64,
    buf: Vec<u8>,
    start: u64,
}

impl<'f> Window<'f> {
    pub(crate) fn new(file: &'f File, size: u64) -> Self {
        Window {
            file,
            size,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// The bytes from `pos` on, at least `min` of them unless the file ends first.
    pub(crate) fn at(&mut self, pos: u64, min: usize) -> io::Result<&[u8]> {
        if pos >= self.size {
            return Ok(&[]);
        }
        let end = self.start + self.buf.len() as u64;
        if pos < self.start || pos > end || (pos + min as u64 > end && end < self.size) {
            let n = (self.size - pos).min(READ.max(min) as u64) as usize;
            self.buf.resize(n, 0);
            self.file.read_exact_at(&mut self.buf, pos)?;
            self.start = pos;
        }
        Ok(&self.buf[(pos - self.start) as usize..])
    }
}

/// Why a piece stopped early: the compressed offset of the member and what was wrong.
pub(crate) fn bad_member(member: u64, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("gzip member at compressed byte {member}: {what}"),
    )
}

/// Inflates the members that start in `[start, limit)` (the first at `start`, the following
/// ones where each ends), feeding the output to `cut`. Returns where the last one ended, which
/// is the start of the next member or the end of the file.
pub(crate) fn inflate(
    win: &mut Window<'_>,
    inflater: &mut Decompress,
    start: u64,
    limit: u64,
    cut: &mut Cutter<'_, '_>,
) -> (u64, Option<io::Error>) {
    let mut pos = start;
    while pos < limit && pos < win.size {
        if cut.cancelled() {
            break;
        }
        match member(win, inflater, pos, cut) {
            Ok(end) => pos = end,
            Err(e) => return (pos, Some(e)),
        }
    }
    (pos, None)
}

/// One member at `at`: header, deflate data, trailer. Returns the position after it.
fn member(
    win: &mut Window<'_>,
    inflater: &mut Decompress,
    at: u64,
    cut: &mut Cutter<'_, '_>,
) -> io::Result<u64> {
    let mut need = 4096;
    let len = loop {
        let w = win.at(at, need)?;
        match header(w) {
            Header::Valid { len, .. } => break len,
            Header::Incomplete if w.len() >= need && need < MAX_HEADER => need *= 4,
            Header::Incomplete => return Err(bad_member(at, "truncated header")),
            Header::Invalid(why) => return Err(bad_member(at, why)),
        }
    };
    let mut pos = at + len as u64;
    inflater.reset(false);
    let mut crc = Crc::new();
    loop {
        let input = win.at(pos, 1)?;
        if input.is_empty() {
            return Err(bad_member(
                at,
                "the file ends inside the member (truncated)",
            ));
        }
        let out = cut.space();
        let (in0, out0) = (inflater.total_in(), inflater.total_out());
        let status = inflater
            .decompress(input, out, FlushDecompress::None)
            .map_err(|e| bad_member(at, format_args!("corrupt deflate data ({e})")))?;
        let consumed = inflater.total_in() - in0;
        let produced = (inflater.total_out() - out0) as usize;
        crc.update(&out[..produced]);
        pos += consumed;
        cut.filled(produced);
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError if consumed > 0 || produced > 0 => {}
            Status::Ok | Status::BufError => {
                return Err(bad_member(at, "the inflater made no progress"));
            }
        }
    }
    let t = win.at(pos, 8)?;
    if t.len() < 8 {
        return Err(bad_member(
            at,
            "the file ends inside the member trailer (truncated)",
        ));
    }
    let sum = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
    let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
    if sum != crc.sum() {
        return Err(bad_member(at, "CRC mismatch"));
    }
    if size != crc.amount() {
        return Err(bad_member(at, "length mismatch"));
    }
    Ok(pos + 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_parsed_with_their_optional_fields() {
        let plain = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        assert_eq!(
            header(&plain),
            Header::Valid {
                len: 10,
                bsize: None
            }
        );
        assert_eq!(header(&plain[..5]), Header::Incomplete);
        let mut named = plain.to_vec();
        named[3] = 8;
        named.extend_from_slice(b"a.log");
        assert_eq!(header(&named), Header::Incomplete);
        named.push(0);
        assert_eq!(
            header(&named),
            Header::Valid {
                len: 16,
                bsize: None
            }
        );
        // BGZF: FEXTRA with the BC subfield.
        let mut bgzf = plain.to_vec();
        bgzf[3] = 4;
        bgzf.extend_from_slice(&[6, 0, b'B', b'C', 2, 0, 0x1b, 0]);
        assert_eq!(
            header(&bgzf),
            Header::Valid {
                len: 18,
                bsize: Some(27)
            }
        );
        let mut reserved = plain;
        reserved[3] = 0x20;
        assert!(matches!(header(&reserved), Header::Invalid(_)));
        assert!(matches!(header(b"plain text"), Header::Invalid(_)));
    }

    #[test]
    fn candidates_need_a_plausible_header() {
        let mut w = vec![7u8; 64];
        // XFL 9 is not one gzip writes: not a candidate.
        w[10..20].copy_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 9, 3]);
        w[40..50].copy_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
        assert_eq!(candidate(&w, 0, 64, true), Some(40));
        assert_eq!(candidate(&w, 0, 40, true), None);
        assert_eq!(candidate(&w, 41, 64, true), None);
    }
}
