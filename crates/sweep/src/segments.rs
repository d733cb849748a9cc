//! One plain file on several threads: the file is cut into segments of `block_size` bytes, each
//! moved to the next line start, and every thread reads its own segments with positional reads
//! (`pread`), so reading, copying and matching all run in parallel and no thread feeds another.
//!
//! Segment `i` covers the lines that *start* in `[i × block − 1 … (i + 1) × block − 1)` after a
//! line end: any thread can find where a segment begins by reading one block from
//! `i × block − 1` and looking for the first newline, and where it ends by reading on to the
//! first newline at or after `(i + 1) × block − 1`. A line straddling a boundary therefore
//! belongs to exactly one segment. Segments are taken from a shared counter, so a thread that
//! gets less CPU (a busy machine) simply takes fewer; results carry the segment number and the
//! emitter puts them back in file order, where relative line numbers become absolute.
//!
//! Only regular, uncompressed files of at least two blocks go this way; compressed streams and
//! standard input use the reader-and-workers pipeline of `sweeper.rs`.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use crate::chunk::{ChunkOut, scan_chunk};
use crate::emit::{Emitter, Event};
use crate::error::Problem;
use crate::formats::Parser;
use crate::matcher::Matcher;
use crate::set::IndicatorSet;
use crate::sweeper::SweepOptions;

/// Read-ahead used to find the end of a segment's last line: small first (most lines are
/// short, and the next segment reads those bytes again), doubling up to the largest step.
const TAIL_FIRST: usize = 1024;
const TAIL_MAX: usize = 64 * 1024;

/// A file that can be swept in parts on several threads (here, or in `multigz/`), with the
/// reader set up from its first block.
pub(crate) struct Plan {
    pub(crate) file: File,
    pub(crate) size: u64,
    pub(crate) parser: Parser,
}

/// A regular file of at least two blocks, and its size: the least worth sweeping in parts.
pub(crate) fn open_large(path: &Path, block: usize) -> Option<(File, u64)> {
    let file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let size = meta.len();
    (meta.is_file() && size >= 2 * block as u64).then_some((file, size))
}

/// A plan for `path`, or `None` when the stream path must take it: not a regular file, too
/// small to be worth it, compressed, binary, or a first block without a line end (the stream
/// reader handles over-long first lines).
pub(crate) fn plan(path: &Path, opts: &SweepOptions) -> Option<Plan> {
    let block = opts.block_size.max(4096);
    let (mut file, size) = open_large(path, block)?;
    let mut head = vec![0u8; block];
    file.read_exact(&mut head).ok()?;
    if crate::input::Compression::from_magic(&head) != crate::input::Compression::None
        || memchr::memchr(0, &head[..head.len().min(8192)]).is_some()
    {
        return None;
    }
    let last = memchr::memrchr(b'\n', &head)?;
    let parser = Parser::new(opts.format, &head[..=last], &opts.field_map);
    Some(Plan { file, size, parser })
}

/// Sweeps a planned file on `threads` threads; events are numbered from `*seq` on.
pub(crate) fn sweep(
    plan: Plan,
    set: &IndicatorSet,
    opts: &SweepOptions,
    name: &Arc<str>,
    seq: &mut u64,
    emitter: &mut Emitter<'_>,
) {
    let block = opts.block_size.max(4096) as u64;
    let count = plan.size.div_ceil(block);
    let base = *seq;
    // Two events per segment: its chunk, then a skipped over-long last line or a read error.
    *seq += 2 * count;
    let next = AtomicU64::new(0);
    let cancel = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(u64, Event)>();
    let geometry = Geometry {
        file: &plan.file,
        size: plan.size,
        block,
        max_line: opts.max_line.max(1) as u64,
    };
    std::thread::scope(|scope| {
        for _ in 0..opts.threads.max(1) {
            let tx = tx.clone();
            let (next, cancel, parser, geometry) = (&next, &cancel, &plan.parser, &geometry);
            scope.spawn(move || {
                let mut matcher = Matcher::new(set);
                let mut buf = Vec::new();
                while !cancel.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return;
                    }
                    let (chunk, tail) = geometry.segment(i, &mut buf, |data, offset| {
                        scan_chunk(parser, &mut matcher, name, data, offset)
                    });
                    if tx.send((2 * i, chunk)).is_err() || tx.send((2 * i + 1, tail)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        for (k, event) in rx {
            emitter.accept(base + k, event);
            if emitter.sink.cancelled() {
                cancel.store(true, Ordering::Relaxed);
            }
        }
    });
}

struct Geometry<'f> {
    file: &'f File,
    size: u64,
    block: u64,
    max_line: u64,
}

impl Geometry<'_> {
    /// Reads and scans segment `i`: its chunk event and its tail event.
    fn segment(
        &self,
        i: u64,
        buf: &mut Vec<u8>,
        scan: impl FnOnce(&[u8], u64) -> ChunkOut,
    ) -> (Event, Event) {
        let from = (i * self.block).saturating_sub(1);
        let hi = ((i + 1) * self.block).min(self.size);
        let read_error = |e: io::Error| {
            let problem = Problem::Read(e);
            (Event::Nothing, Event::Problem { problem, lines: 0 })
        };
        buf.clear();
        buf.resize((hi - from) as usize, 0);
        if let Err(e) = self.file.read_exact_at(buf, from) {
            return read_error(e);
        }
        let start = if i == 0 {
            0
        } else {
            match memchr::memchr(b'\n', buf) {
                Some(p) => p + 1,
                // Inside a line that began in an earlier segment.
                None => return (Event::Nothing, Event::Nothing),
            }
        };
        let mut end = buf.len();
        let mut tail = Event::Nothing;
        if hi < self.size && buf.last() != Some(&b'\n') && start < buf.len() {
            // The last line runs past the segment: read on to its end.
            let last_start = memchr::memrchr(b'\n', &buf[start..]).map_or(start, |p| start + p + 1);
            let mut step = TAIL_FIRST;
            loop {
                let pos = from + buf.len() as u64;
                if pos >= self.size {
                    end = buf.len();
                    break;
                }
                if (buf.len() - last_start) as u64 >= self.max_line {
                    // Reported and skipped, as the stream reader does; the segment holding
                    // its end starts after it.
                    end = last_start;
                    let problem = Problem::LineTooLong(self.max_line as usize);
                    tail = Event::Problem { problem, lines: 1 };
                    break;
                }
                let old = buf.len();
                let n = step.min((self.size - pos) as usize);
                step = (step * 2).min(TAIL_MAX);
                buf.resize(old + n, 0);
                if let Err(e) = self.file.read_exact_at(&mut buf[old..], pos) {
                    end = last_start;
                    tail = read_error(e).1;
                    break;
                }
                if let Some(p) = memchr::memchr(b'\n', &buf[old..]) {
                    end = old + p + 1;
                    break;
                }
            }
        }
        if start >= end {
            return (Event::Nothing, tail);
        }
        let out = scan(&buf[start..end], from + start as u64);
        (
            Event::Chunk {
                out,
                buf: Vec::new(),
            },
            tail,
        )
    }
}
