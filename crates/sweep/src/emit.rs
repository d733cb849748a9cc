//! Putting chunk results back in file and line order before they reach the sink.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::chunk::ChunkOut;
use crate::error::{Problem, SweepError};
use crate::hit::{Sink, Stats};

/// Malformed lines reported one by one per file, after which they are only counted.
const MALFORMED_REPORTS_PER_FILE: u64 = 5;

/// Something that happened in a file, numbered in reading order.
pub(crate) enum Event {
    FileStart(Arc<str>),
    Chunk {
        out: ChunkOut,
        buf: Vec<u8>,
    },
    /// A problem after the lines emitted so far; `lines` is how many lines it consumed (1 for a
    /// skipped over-long line, 0 otherwise).
    Problem {
        problem: Problem,
        lines: u64,
    },
    FileEnd,
    /// A numbered slot with nothing in it (a segment that holds no line start).
    Nothing,
}

pub(crate) struct Emitter<'k> {
    pub sink: &'k mut dyn Sink,
    pub stats: Stats,
    next: u64,
    waiting: BTreeMap<u64, Event>,
    file: Arc<str>,
    line_base: u64,
    malformed_in_file: u64,
    malformed_reported: u64,
    /// Buffers of emitted chunks, for the reader to reuse.
    pub free: Vec<Vec<u8>>,
}

impl<'k> Emitter<'k> {
    pub(crate) fn new(sink: &'k mut dyn Sink) -> Self {
        Emitter {
            sink,
            stats: Stats::default(),
            next: 0,
            waiting: BTreeMap::new(),
            file: Arc::from(""),
            line_base: 0,
            malformed_in_file: 0,
            malformed_reported: 0,
            free: Vec::new(),
        }
    }

    /// Accepts event number `seq` and passes on everything that is now in order.
    pub(crate) fn accept(&mut self, seq: u64, event: Event) {
        self.waiting.insert(seq, event);
        while let Some(event) = self.waiting.remove(&self.next) {
            self.next += 1;
            self.emit(event);
        }
    }

    /// Reports a problem that belongs to no file's line sequence (an unreadable path).
    pub(crate) fn error_now(&mut self, e: SweepError) {
        self.stats.errors += 1;
        self.sink.error(e);
    }

    fn emit(&mut self, event: Event) {
        match event {
            Event::FileStart(name) => {
                self.file = name;
                self.line_base = 0;
                self.malformed_in_file = 0;
                self.malformed_reported = 0;
                self.stats.files += 1;
            }
            Event::Chunk { out, buf } => {
                self.free.push(buf);
                for (rel, problem) in out.problems {
                    self.problem(problem, self.line_base + rel + 1);
                }
                self.malformed_in_file += out.malformed;
                self.stats.bytes += out.bytes;
                self.stats.lines += out.lines;
                self.stats.hit_lines += out.hit_lines;
                self.stats.malformed_lines += out.malformed;
                self.stats.hits += out.hits.len() as u64;
                for mut hit in out.hits {
                    hit.line += self.line_base + 1;
                    self.sink.hit(hit);
                }
                self.line_base += out.lines;
                self.sink.progress(&self.stats);
            }
            Event::Problem { problem, lines } => {
                self.problem(problem, self.line_base + 1);
                self.line_base += lines;
                self.stats.lines += lines;
            }
            Event::Nothing => {}
            Event::FileEnd => {
                let unreported = self.malformed_in_file - self.malformed_reported;
                if unreported > 0 {
                    self.sink.error(SweepError::MoreMalformed {
                        file: self.file.to_string(),
                        count: unreported,
                    });
                }
            }
        }
    }

    fn problem(&mut self, problem: Problem, line: u64) {
        if matches!(problem, Problem::Malformed(_)) {
            if self.malformed_reported >= MALFORMED_REPORTS_PER_FILE {
                return;
            }
            self.malformed_reported += 1;
        } else {
            self.stats.errors += 1;
        }
        self.sink.error(problem.into_error(&self.file, line));
    }
}
