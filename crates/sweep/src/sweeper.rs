//! The sweep: sources read in large blocks cut at line ends, blocks matched on worker threads,
//! results put back in order for the sink.
//!
//! One reader (which also decompresses) feeds `threads - 1` matcher threads through at most
//! `8 × threads` blocks in flight (enough slack that a matcher descheduled on a busy machine does
//! not stall the inflater), so memory depends on `threads × block_size`, never on the log size.
//! When every slot is taken the reader matches the block in hand itself instead of waiting: the
//! reader is the `threads`-th matcher whenever reading is the cheaper half. Inflating and
//! matching then share the cores without a third thread competing for them, which is what lets
//! a single-member `.gz` on two threads approach the inflater's own time.
//! Blocks are reused rather than reallocated, which avoids page-faulting fresh memory for every
//! block. Plain files on several threads go through `segments.rs` instead, multi-member gzip
//! files through `multigz/`.

use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::chunk::{ChunkOut, scan_chunk};
use crate::emit::{Emitter, Event};
use crate::error::Problem;
use crate::fields::FieldMap;
use crate::formats::{Format, Parser};
use crate::hit::{Sink, Stats};
use crate::input::{self, Source};
use crate::matcher::Matcher;
use crate::set::IndicatorSet;

/// How a sweep reads its input.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// `None` detects the format of each file from its first lines.
    pub format: Option<Format>,
    /// Matching threads (at least 1). With 1, everything runs on the calling thread.
    pub threads: usize,
    /// Field meanings for JSON lines, CSV and Zeek beyond the built-in names.
    pub field_map: FieldMap,
    /// Bytes read per block (a block is cut at its last line end). The default, 256 KiB, keeps
    /// a block in the L2 cache between being read and being matched.
    pub block_size: usize,
    /// Longer lines are reported and skipped rather than buffered.
    pub max_line: usize,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            format: None,
            threads: 1,
            field_map: FieldMap::default(),
            block_size: 256 << 10,
            max_line: 64 << 20,
        }
    }
}

/// Sweeps logs for the indicators of one [`IndicatorSet`].
#[derive(Debug, Clone)]
pub struct Sweeper<'s> {
    pub(crate) set: &'s IndicatorSet,
    opts: SweepOptions,
}

/// A block of whole lines handed to a matcher thread.
pub(crate) struct Job {
    seq: u64,
    file: Arc<FileCtx>,
    buf: Vec<u8>,
    len: usize,
    offset: u64,
}

pub(crate) struct FileCtx {
    name: Arc<str>,
    parser: Parser,
}

/// Where blocks go: matched at once, or sent to the threads.
pub(crate) enum Mode<'a> {
    Inline(Box<Matcher<'a>>),
    Threads {
        jobs: SyncSender<Job>,
        done: Receiver<(u64, Event)>,
        in_flight: usize,
        max_in_flight: usize,
        /// The reader's own matcher, for the blocks it matches when every slot is taken.
        own: Box<Matcher<'a>>,
    },
}

impl<'s> Sweeper<'s> {
    pub fn new(set: &'s IndicatorSet, opts: SweepOptions) -> Self {
        Sweeper { set, opts }
    }

    /// Sweeps files, directories (recursively) and `-` (standard input), in the order given.
    pub fn sweep_paths<P: AsRef<Path>>(&self, paths: &[P], sink: &mut dyn Sink) -> Stats {
        let mut errors = Vec::new();
        let sources = input::expand(paths, &mut errors);
        let mut emitter = Emitter::new(sink);
        for e in errors {
            emitter.error_now(e);
        }
        self.run(sources, emitter)
    }

    /// Sweeps one stream (decompressed if its first bytes say so), reported under `name`.
    pub fn sweep_reader<R: Read + Send>(
        &self,
        name: &str,
        reader: R,
        sink: &mut dyn Sink,
    ) -> Stats {
        let source = Source::Reader {
            name: name.to_owned(),
            reader: Box::new(reader),
        };
        self.run(vec![source], Emitter::new(sink))
    }

    fn run(&self, sources: Vec<Source<'_>>, mut emitter: Emitter<'_>) -> Stats {
        let threads = self.opts.threads.max(1);
        if threads == 1 {
            let mut mode = Mode::Inline(Box::new(Matcher::new(self.set)));
            self.read_all(sources, &mut emitter, &mut mode);
            return emitter.stats;
        }
        if crate::files::worth_it(&sources, threads) {
            self.run_files(sources, &mut emitter, threads);
            return emitter.stats;
        }
        std::thread::scope(|scope| {
            let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads * 4);
            let (done_tx, done_rx) = mpsc::channel();
            let job_rx = Arc::new(Mutex::new(job_rx));
            // The reader matches too when the others are behind (see the module page).
            for _ in 1..threads {
                let job_rx = Arc::clone(&job_rx);
                let done_tx: Sender<(u64, Event)> = done_tx.clone();
                let set = self.set;
                scope.spawn(move || worker(set, &job_rx, &done_tx));
            }
            drop(done_tx);
            let mut mode = Mode::Threads {
                jobs: job_tx,
                done: done_rx,
                in_flight: 0,
                max_in_flight: threads * 8,
                own: Box::new(Matcher::new(self.set)),
            };
            self.read_all(sources, &mut emitter, &mut mode);
            if let Mode::Threads { jobs, done, .. } = mode {
                drop(jobs);
                for (seq, event) in done {
                    emitter.accept(seq, event);
                }
            }
        });
        emitter.stats
    }

    pub(crate) fn read_all(
        &self,
        sources: Vec<Source<'_>>,
        emitter: &mut Emitter<'_>,
        mode: &mut Mode<'_>,
    ) {
        let mut seq = 0u64;
        for source in sources {
            if emitter.sink.cancelled() {
                break;
            }
            let name: Arc<str> = Arc::from(source.name());
            if let (Mode::Threads { .. }, Source::Path(path)) = (&*mode, &source)
                && let Some(plan) = Parallel::plan(path, &self.opts)
            {
                // One plain or multi-member gzip file: every thread reads, inflates and matches
                // its own part of it.
                wait_all(mode, emitter);
                seq += 1;
                emitter.accept(seq - 1, Event::FileStart(Arc::clone(&name)));
                let (set, opts) = (self.set, &self.opts);
                match plan {
                    Parallel::Segments(p) => {
                        crate::segments::sweep(p, set, opts, &name, &mut seq, emitter)
                    }
                    Parallel::Members(p) => {
                        crate::multigz::sweep(p, set, opts, &name, &mut seq, emitter);
                    }
                }
                seq += 1;
                post(mode, emitter, seq - 1, Event::FileEnd);
                continue;
            }
            let reader = match source.open() {
                Ok(r) => r,
                Err(e) => {
                    wait_all(mode, emitter);
                    emitter.error_now(crate::SweepError::Open {
                        file: name.to_string(),
                        source: e,
                    });
                    continue;
                }
            };
            seq += 1;
            emitter.accept(seq - 1, Event::FileStart(Arc::clone(&name)));
            self.read_file(name, reader, &mut seq, emitter, mode);
            let end = seq;
            seq += 1;
            post(mode, emitter, end, Event::FileEnd);
        }
    }

    fn read_file(
        &self,
        name: Arc<str>,
        mut reader: Box<dyn Read + Send + '_>,
        seq: &mut u64,
        emitter: &mut Emitter<'_>,
        mode: &mut Mode<'_>,
    ) {
        let block = self.opts.block_size.max(4096);
        let mut carry: Vec<u8> = Vec::new();
        let mut offset = 0u64;
        let mut file: Option<Arc<FileCtx>> = None;
        let mut skipping = false;
        loop {
            if emitter.sink.cancelled() {
                return;
            }
            let mut buf = emitter.free.pop().unwrap_or_default();
            let want = block.max(carry.len() * 2);
            if buf.len() < want {
                buf.resize(want, 0);
            }
            let mut len = carry.len();
            buf[..len].copy_from_slice(&carry);
            carry.clear();
            let (eof, err) = fill(&mut reader, &mut buf, &mut len);
            let mut data_start = 0;
            if skipping {
                // Drop the rest of an over-long line, up to and including its newline.
                match memchr::memchr(b'\n', &buf[..len]) {
                    Some(i) => {
                        skipping = false;
                        data_start = i + 1;
                    }
                    None => data_start = len,
                }
                offset += data_start as u64;
            }
            if !eof {
                match memchr::memrchr(b'\n', &buf[data_start..len]) {
                    Some(i) => {
                        carry.extend_from_slice(&buf[data_start + i + 1..len]);
                        len = data_start + i + 1;
                    }
                    None if len - data_start >= self.opts.max_line => {
                        offset += (len - data_start) as u64;
                        let problem = Problem::LineTooLong(self.opts.max_line);
                        *seq += 1;
                        post(
                            mode,
                            emitter,
                            *seq - 1,
                            Event::Problem { problem, lines: 1 },
                        );
                        skipping = true;
                        emitter.free.push(buf);
                        continue;
                    }
                    None => {
                        // No line end yet: keep everything and read on into a larger block.
                        carry.extend_from_slice(&buf[data_start..len]);
                        emitter.free.push(buf);
                        continue;
                    }
                }
            }
            if data_start > 0 {
                buf.copy_within(data_start..len, 0);
                len -= data_start;
            }
            let ctx = file.get_or_insert_with(|| {
                Arc::new(FileCtx {
                    name: Arc::clone(&name),
                    parser: Parser::new(self.opts.format, &buf[..len], &self.opts.field_map),
                })
            });
            if offset == 0 && memchr::memchr(0, &buf[..len.min(8192)]).is_some() {
                // A binary file (a pcap, an executable) among the logs: say so and skip it.
                let event = Event::Problem {
                    problem: Problem::Binary,
                    lines: 0,
                };
                *seq += 1;
                post(mode, emitter, *seq - 1, event);
                emitter.free.push(buf);
                return;
            }
            if len > 0 {
                let job = Job {
                    seq: *seq,
                    file: Arc::clone(ctx),
                    buf,
                    len,
                    offset,
                };
                *seq += 1;
                offset += len as u64;
                submit(mode, emitter, job);
            } else {
                emitter.free.push(buf);
            }
            if let Some(e) = err {
                let event = Event::Problem {
                    problem: Problem::Read(e),
                    lines: 0,
                };
                *seq += 1;
                post(mode, emitter, *seq - 1, event);
            }
            if eof {
                return;
            }
        }
    }
}

/// One file swept by every thread at once, each reading its own part of it.
enum Parallel {
    Segments(crate::segments::Plan),
    Members(crate::segments::Plan),
}

impl Parallel {
    fn plan(path: &Path, opts: &SweepOptions) -> Option<Parallel> {
        crate::segments::plan(path, opts)
            .map(Parallel::Segments)
            .or_else(|| crate::multigz::plan(path, opts).map(Parallel::Members))
    }
}

/// Reads until the block is full or the stream ends. A read error ends the stream: for a
/// truncated gzip it is where the data stops.
pub(crate) fn fill(
    reader: &mut dyn Read,
    buf: &mut [u8],
    len: &mut usize,
) -> (bool, Option<io::Error>) {
    while *len < buf.len() {
        match reader.read(&mut buf[*len..]) {
            Ok(0) => return (true, None),
            Ok(n) => *len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (true, Some(e)),
        }
    }
    (false, None)
}

fn match_job(matcher: &mut Matcher<'_>, job: Job) -> (u64, Event) {
    let out: ChunkOut = scan_chunk(
        &job.file.parser,
        matcher,
        &job.file.name,
        &job.buf[..job.len],
        job.offset,
    );
    (job.seq, Event::Chunk { out, buf: job.buf })
}

fn worker(set: &IndicatorSet, jobs: &Mutex<Receiver<Job>>, done: &Sender<(u64, Event)>) {
    let mut matcher = Matcher::new(set);
    loop {
        // The lock is held only to take a job, not while matching it.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        if done.send(match_job(&mut matcher, job)).is_err() {
            return;
        }
    }
}

fn submit(mode: &mut Mode<'_>, emitter: &mut Emitter<'_>, job: Job) {
    match mode {
        Mode::Inline(matcher) => {
            let (seq, event) = match_job(matcher, job);
            emitter.accept(seq, event);
        }
        Mode::Threads {
            jobs,
            done,
            in_flight,
            max_in_flight,
            own,
        } => {
            while let Ok((seq, event)) = done.try_recv() {
                *in_flight -= 1;
                emitter.accept(seq, event);
            }
            let job = if *in_flight >= *max_in_flight {
                job
            } else {
                match jobs.try_send(job) {
                    Ok(()) => {
                        *in_flight += 1;
                        return;
                    }
                    Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => job,
                }
            };
            // The matcher threads are behind: this block is matched here rather than waiting
            // for a slot (the emitter puts results back in order).
            let (seq, event) = match_job(own, job);
            emitter.accept(seq, event);
        }
    }
}

/// An event that needs no matching goes straight into the ordering.
fn post(_mode: &mut Mode<'_>, emitter: &mut Emitter<'_>, seq: u64, event: Event) {
    emitter.accept(seq, event);
}

/// Waits for every block in flight, so an error about the next path is reported after the hits
/// of the previous one.
fn wait_all(mode: &mut Mode<'_>, emitter: &mut Emitter<'_>) {
    if let Mode::Threads {
        done, in_flight, ..
    } = mode
    {
        while *in_flight > 0 {
            match done.recv() {
                Ok((seq, event)) => {
                    *in_flight -= 1;
                    emitter.accept(seq, event);
                }
                Err(_) => break,
            }
        }
    }
}
