//! One multi-member gzip file on several threads: `cat a.gz b.gz`, bgzip's BGZF blocks and log
//! rotators that compress per chunk all write a file of independent members, and each member can
//! be inflated without the ones before it.
//!
//! The compressed file is cut into pieces of `block_size` bytes. Piece `i` holds the members that
//! *start* in `[i × block, (i + 1) × block)`: a thread finds the first plausible member header in
//! that range (a candidate; piece 0 starts at byte 0), inflates members from there until one
//! ends at or after the range's end, and matches the whole lines it produced. Members have no
//! marker that compressed data cannot contain, so a candidate may be false; the in-order step
//! knows where the previous piece's last member really ended and uses a piece only if it
//! started exactly there. A false candidate (or a true start the candidate test did not
//! recognise) is redone sequentially from the right place, so the result never depends on the
//! guess. BGZF headers carry their member's size, which makes false candidates practically
//! impossible for those files.
//!
//! Line numbers and byte offsets of a piece are known only once the pieces before it are
//! counted: pieces carry relative ones, the first partial line (head) and the last (tail) are
//! joined in order, and the emitter makes everything absolute, as for `segments.rs`.
//!
//! A truncated or corrupt member ends the file with an error naming the member's compressed
//! offset, after the hits of everything inflated before it; other files are not affected.
//! Single-member files (no second header near the start) keep the stream pipeline of
//! `sweeper.rs`, which overlaps inflating with matching.

mod cut;
mod member;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

use flate2::Decompress;

use crate::chunk::scan_chunk;
use crate::emit::{Emitter, Event};
use crate::error::Problem;
use crate::formats::Parser;
use crate::matcher::Matcher;
use crate::segments::Plan;
use crate::set::IndicatorSet;
use crate::sweeper::SweepOptions;
use cut::{Ctx, Cutter, Parts};
use member::{Header, Window};

/// How far into the file a second member is looked for before deciding it has one member.
const PROBE: u64 = 32 << 20;

/// A plan for `path`, or `None` when the stream pipeline must take it: not a regular gzip file
/// of at least two blocks, no second member header in the first [`PROBE`] bytes, or a first
/// block that is binary or without a line end (the stream reader reports those).
pub(crate) fn plan(path: &Path, opts: &SweepOptions) -> Option<Plan> {
    let block = opts.block_size.max(4096);
    let (file, size) = crate::segments::open_large(path, block)?;
    let mut win = Window::new(&file, size);
    if !matches!(member::header(win.at(0, 64).ok()?), Header::Valid { .. }) {
        return None;
    }
    let mut pos = block as u64;
    let second = loop {
        if pos >= size.min(PROBE) {
            break false;
        }
        let w = win.at(pos, 0).ok()?;
        let at_eof = pos + w.len() as u64 == size;
        if member::candidate(w, 0, w.len(), at_eof).is_some() {
            break true;
        }
        // Overlap, so that a header across the window's end is seen whole in the next.
        pos += w.len().saturating_sub(64).max(1) as u64;
    };
    if !second {
        return None;
    }
    // The format is detected from the same first block the stream reader would use.
    let mut reader = crate::input::decode(file.try_clone().ok()?).ok()?;
    let mut first = vec![0u8; block];
    let mut len = 0;
    let (eof, err) = crate::sweeper::fill(&mut reader, &mut first, &mut len);
    if err.is_some() || memchr::memchr(0, &first[..len.min(8192)]).is_some() {
        return None;
    }
    let cut = if eof {
        len
    } else {
        memchr::memrchr(b'\n', &first[..len])? + 1
    };
    let parser = Parser::new(opts.format, &first[..cut], &opts.field_map);
    Some(Plan { file, size, parser })
}

/// What one thread made of one piece.
struct Piece {
    start: u64,
    end: u64,
    error: Option<io::Error>,
    parts: Parts,
}

/// A thread's tools for reading pieces.
struct Reader<'f, 's> {
    win: Window<'f>,
    inflater: Decompress,
    matcher: Matcher<'s>,
    buf: Vec<u8>,
}

impl<'f, 's> Reader<'f, 's> {
    fn new(plan: &'f Plan, set: &'s IndicatorSet) -> Self {
        Reader {
            win: Window::new(&plan.file, plan.size),
            inflater: Decompress::new(false),
            matcher: Matcher::new(set),
            buf: Vec::new(),
        }
    }

    /// The members from `start` on that start before `limit`.
    fn piece(&mut self, cx: &Ctx<'_>, start: u64, limit: u64) -> Piece {
        let mut cut = Cutter::new(cx, &mut self.matcher, std::mem::take(&mut self.buf));
        let (end, error) =
            member::inflate(&mut self.win, &mut self.inflater, start, limit, &mut cut);
        let (parts, buf) = cut.finish();
        self.buf = buf;
        Piece {
            start,
            end,
            error,
            parts,
        }
    }

    /// The first candidate member start in `[lo, hi)`.
    fn candidate(&mut self, lo: u64, hi: u64) -> Option<u64> {
        let span = (hi - lo) as usize;
        let size = self.win.size;
        let w = self.win.at(lo, span + 64).ok()?;
        let at_eof = lo + w.len() as u64 == size;
        member::candidate(w, 0, span, at_eof).map(|i| lo + i as u64)
    }
}

/// Sweeps a planned file on `threads` threads; events are numbered from `*seq` on. Returns how
/// many pieces had to be redone because their candidate start was false.
pub(crate) fn sweep(
    plan: Plan,
    set: &IndicatorSet,
    opts: &SweepOptions,
    name: &Arc<str>,
    seq: &mut u64,
    emitter: &mut Emitter<'_>,
) -> u64 {
    let block = opts.block_size.max(4096) as u64;
    let count = plan.size.div_ceil(block);
    let next = AtomicU64::new(0);
    let cancel = AtomicBool::new(false);
    let cx = Ctx {
        parser: &plan.parser,
        name,
        cancel: &cancel,
        block: block as usize,
        max_line: opts.max_line.max(1),
    };
    let (tx, rx) = mpsc::channel::<(u64, Option<Piece>)>();
    let mut redone = 0;
    std::thread::scope(|scope| {
        for _ in 0..opts.threads.max(1) {
            let tx = tx.clone();
            let (next, cx, plan) = (&next, &cx, &plan);
            scope.spawn(move || {
                let mut reader = Reader::new(plan, set);
                while !cx.cancel.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return;
                    }
                    let (lo, hi) = (i * block, (i + 1) * block);
                    let start = if i == 0 {
                        Some(0)
                    } else {
                        reader.candidate(lo, hi.min(plan.size))
                    };
                    let piece = start.map(|s| reader.piece(cx, s, hi));
                    if tx.send((i, piece)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut emit = Out { emitter, seq };
        // The sequential redo and the joined lines run here, with this thread's own tools.
        let mut own = Reader::new(&plan, set);
        let mut join = Joiner::default();
        let mut expected = 0u64;
        let mut done = false;
        let mut waiting = BTreeMap::new();
        let mut i = 0u64;
        for (k, piece) in rx {
            waiting.insert(k, piece);
            while let Some(piece) = waiting.remove(&i) {
                let hi = (i + 1) * block;
                i += 1;
                if done || expected >= plan.size || expected >= hi {
                    // Covered by members that started earlier (a candidate here was false).
                    continue;
                }
                let piece = match piece {
                    Some(p) if p.start == expected => p,
                    _ => {
                        redone += 1;
                        own.piece(&cx, expected, hi)
                    }
                };
                expected = piece.end;
                join.take(&cx, &mut own.matcher, piece.parts, &mut emit);
                if let Some(e) = piece.error {
                    join.finish(&cx, &mut own.matcher, Some(e), &mut emit);
                    done = true;
                }
            }
            if done || emit.emitter.sink.cancelled() {
                cancel.store(true, Ordering::Relaxed);
            }
        }
        if !done && !cancel.load(Ordering::Relaxed) {
            join.finish(&cx, &mut own.matcher, None, &mut emit);
        }
    });
    redone
}

/// Events in file order, numbered on.
struct Out<'a, 'k> {
    emitter: &'a mut Emitter<'k>,
    seq: &'a mut u64,
}

impl Out<'_, '_> {
    fn emit(&mut self, event: Event) {
        self.emitter.accept(*self.seq, event);
        *self.seq += 1;
    }
}

/// Joins each piece's head to the previous piece's tail, in file order.
#[derive(Default)]
struct Joiner {
    /// The partial line carried over, and its offset in the inflated stream.
    carry: Vec<u8>,
    carry_at: u64,
    /// Inside an over-long line that was reported.
    skipping: bool,
    /// Inflated bytes before the next piece.
    pos: u64,
}

impl Joiner {
    fn take(
        &mut self,
        cx: &Ctx<'_>,
        matcher: &mut Matcher<'_>,
        parts: Parts,
        out: &mut Out<'_, '_>,
    ) {
        let pos = self.pos;
        self.pos += parts.len;
        if self.carry.is_empty() {
            self.carry_at = pos;
        }
        let over =
            |carry: &Vec<u8>| parts.head_overlong || carry.len() + parts.head.len() > cx.max_line;
        if !parts.head_done {
            // No line end in the whole piece: the line goes on.
            if !self.skipping {
                if over(&self.carry) {
                    self.overlong(cx, out);
                } else {
                    self.carry.extend_from_slice(&parts.head);
                }
            }
            return;
        }
        if self.skipping {
            self.skipping = false;
        } else if over(&self.carry) {
            self.overlong(cx, out);
            self.skipping = false;
        } else {
            self.carry.extend_from_slice(&parts.head);
            self.line(cx, matcher, out);
        }
        for mut event in parts.events {
            if let Event::Chunk { out, .. } = &mut event {
                for h in &mut out.hits {
                    h.offset += pos;
                }
            }
            out.emit(event);
        }
        self.carry = parts.tail;
        self.carry_at = pos + parts.tail_at;
        self.skipping = parts.tail_skipping;
    }

    /// Matches the carried line.
    fn line(&mut self, cx: &Ctx<'_>, matcher: &mut Matcher<'_>, out: &mut Out<'_, '_>) {
        let chunk = scan_chunk(cx.parser, matcher, cx.name, &self.carry, self.carry_at);
        out.emit(Event::Chunk {
            out: chunk,
            buf: Vec::new(),
        });
        self.carry.clear();
    }

    fn overlong(&mut self, cx: &Ctx<'_>, out: &mut Out<'_, '_>) {
        let problem = Problem::LineTooLong(cx.max_line);
        out.emit(Event::Problem { problem, lines: 1 });
        self.carry.clear();
        self.skipping = true;
    }

    /// The end of the file, or where a member broke: the last line, then the error.
    fn finish(
        &mut self,
        cx: &Ctx<'_>,
        matcher: &mut Matcher<'_>,
        error: Option<io::Error>,
        out: &mut Out<'_, '_>,
    ) {
        if !self.skipping && !self.carry.is_empty() {
            self.line(cx, matcher, out);
        }
        if let Some(e) = error {
            let problem = Problem::Read(e);
            out.emit(Event::Problem { problem, lines: 0 });
        }
    }
}
