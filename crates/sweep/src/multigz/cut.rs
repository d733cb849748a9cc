//! Cutting one piece's inflated output into lines as it comes out of the inflater.
//!
//! A piece does not know whether its first byte starts a line (that depends on the last byte of
//! the member before it, inflated by another thread), so the bytes up to its first line end are
//! kept as the *head*, and those after its last line end as the *tail*; the in-order step joins
//! one piece's tail with the next one's head. Every whole line in between is matched here, on the
//! worker thread, in blocks of `block_size` bytes as the sequential reader does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::chunk::scan_chunk;
use crate::emit::Event;
use crate::error::Problem;
use crate::formats::Parser;
use crate::matcher::Matcher;

/// What is the same for every piece of one file.
pub(crate) struct Ctx<'a> {
    pub parser: &'a Parser,
    pub name: &'a Arc<str>,
    pub cancel: &'a AtomicBool,
    pub block: usize,
    pub max_line: usize,
}

/// The inflated output of one piece, matched except for its first and last partial lines.
#[derive(Default)]
pub(crate) struct Parts {
    /// Bytes up to and including the first line end (all of them if there is none).
    pub head: Vec<u8>,
    /// True when the head ends with a line end.
    pub head_done: bool,
    /// The head's line is at least `max_line` bytes long (its bytes were dropped).
    pub head_overlong: bool,
    /// Matched blocks and skipped over-long lines, in order; offsets relative to the piece.
    pub events: Vec<Event>,
    /// Bytes after the last line end, and where they start in the piece.
    pub tail: Vec<u8>,
    pub tail_at: u64,
    /// The piece ends inside an over-long line being skipped.
    pub tail_skipping: bool,
    /// Inflated bytes in the piece.
    pub len: u64,
}

pub(crate) struct Cutter<'a, 's> {
    cx: &'a Ctx<'a>,
    matcher: &'a mut Matcher<'s>,
    buf: Vec<u8>,
    len: usize,
    /// Offset in the piece of `buf[0]`.
    at: u64,
    skipping: bool,
    parts: Parts,
}

impl<'a, 's> Cutter<'a, 's> {
    /// A cutter writing into `buf` (reused from piece to piece).
    pub(crate) fn new(cx: &'a Ctx<'a>, matcher: &'a mut Matcher<'s>, mut buf: Vec<u8>) -> Self {
        if buf.len() < cx.block {
            buf.resize(cx.block, 0);
        }
        Cutter {
            cx,
            matcher,
            buf,
            len: 0,
            at: 0,
            skipping: false,
            parts: Parts::default(),
        }
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.cx.cancel.load(Ordering::Relaxed)
    }

    /// Free room for the inflater; never empty.
    pub(crate) fn space(&mut self) -> &mut [u8] {
        if self.len == self.buf.len() {
            self.flush(false);
        }
        &mut self.buf[self.len..]
    }

    /// `n` bytes were written into the room [`space`](Self::space) gave.
    pub(crate) fn filled(&mut self, n: usize) {
        self.len += n;
    }

    /// Matches the whole lines in the buffer and keeps the rest at its front.
    fn flush(&mut self, last: bool) {
        let max_line = self.cx.max_line;
        let mut from = 0;
        let p = &mut self.parts;
        if !p.head_done {
            let data = &self.buf[..self.len];
            let (take, done) = match memchr::memchr(b'\n', data) {
                Some(i) => (i + 1, true),
                None => (data.len(), false),
            };
            if !p.head_overlong {
                if p.head.len() + take <= max_line {
                    p.head.extend_from_slice(&data[..take]);
                } else {
                    p.head_overlong = true;
                    p.head = Vec::new();
                }
            }
            p.head_done = done;
            from = take;
        }
        if p.head_done && self.skipping {
            match memchr::memchr(b'\n', &self.buf[from..self.len]) {
                Some(i) => {
                    from += i + 1;
                    self.skipping = false;
                }
                None => from = self.len,
            }
        }
        if p.head_done && !self.skipping {
            let rest = &self.buf[from..self.len];
            match memchr::memrchr(b'\n', rest) {
                Some(i) => {
                    let cx = self.cx;
                    let data = &rest[..=i];
                    let out = scan_chunk(
                        cx.parser,
                        self.matcher,
                        cx.name,
                        data,
                        self.at + from as u64,
                    );
                    p.events.push(Event::Chunk {
                        out,
                        buf: Vec::new(),
                    });
                    from += i + 1;
                }
                None if !last && rest.len() >= max_line => {
                    // Reported and skipped up to its line end, as the sequential reader does.
                    let problem = Problem::LineTooLong(max_line);
                    p.events.push(Event::Problem { problem, lines: 1 });
                    self.skipping = true;
                    from = self.len;
                }
                None => {}
            }
        }
        self.buf.copy_within(from..self.len, 0);
        self.at += from as u64;
        self.len -= from;
        if !last && self.len == self.buf.len() {
            // A partial line as long as the buffer: read on into a larger one.
            self.buf.resize(self.buf.len() * 2, 0);
        }
    }

    /// Ends the piece: what remains is its tail. Gives the buffer back for the next piece.
    pub(crate) fn finish(mut self) -> (Parts, Vec<u8>) {
        self.flush(true);
        let mut parts = self.parts;
        parts.len = self.at + self.len as u64;
        if parts.head_done {
            parts.tail = self.buf[..self.len].to_vec();
            parts.tail_at = self.at;
            parts.tail_skipping = self.skipping;
        }
        (parts, self.buf)
    }
}
