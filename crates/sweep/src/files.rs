//! Parallelism across files: with many files (a directory of rotated, compressed logs), each
//! thread sweeps whole files, so decompression runs in parallel too; with few or uneven files
//! the block pipeline of one file at a time is used instead (see `Sweeper::run`).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use crate::emit::Emitter;
use crate::error::SweepError;
use crate::hit::{Hit, Sink, Stats};
use crate::input::Source;
use crate::matcher::Matcher;
use crate::sweeper::{Mode, Sweeper};

/// Everything one file produced, held until the files before it are reported. Hits are rare in
/// a sweep, so holding a file's hits costs little; a file with millions of hits is held whole.
#[derive(Default)]
struct Held<'c> {
    hits: Vec<Hit>,
    errors: Vec<SweepError>,
    cancel: Option<&'c AtomicBool>,
}

impl Sink for Held<'_> {
    fn hit(&mut self, hit: Hit) {
        self.hits.push(hit);
    }
    fn error(&mut self, error: SweepError) {
        self.errors.push(error);
    }
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// True when sweeping whole files on each thread keeps every thread busy: at least two files per
/// thread, all of them files on disk, none more than half of the total size.
pub(crate) fn worth_it(sources: &[Source<'_>], threads: usize) -> bool {
    if threads < 2 || sources.len() < threads * 2 {
        return false;
    }
    let mut sizes = Vec::with_capacity(sources.len());
    for s in sources {
        match s {
            Source::Path(p) => sizes.push(std::fs::metadata(p).map_or(0, |m| m.len())),
            _ => return false,
        }
    }
    let total: u64 = sizes.iter().sum();
    sizes.iter().all(|&s| s <= total / 2)
}

impl Sweeper<'_> {
    pub(crate) fn run_files(
        &self,
        sources: Vec<Source<'_>>,
        emitter: &mut Emitter<'_>,
        threads: usize,
    ) {
        let cancel = AtomicBool::new(false);
        let queue = Mutex::new(sources.into_iter().enumerate());
        let (tx, rx) = mpsc::channel::<(usize, Stats, Held<'_>)>();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let tx = tx.clone();
                let (queue, cancel) = (&queue, &cancel);
                scope.spawn(move || {
                    let mut mode = Mode::Inline(Box::new(Matcher::new(self.set)));
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.next());
                        let Some((i, source)) = next else { return };
                        let mut held = Held {
                            cancel: Some(cancel),
                            ..Held::default()
                        };
                        let mut em = Emitter::new(&mut held);
                        self.read_all(vec![source], &mut em, &mut mode);
                        let stats = em.stats;
                        if tx.send((i, stats, held)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            let mut next = 0;
            let mut waiting = BTreeMap::new();
            for (i, stats, held) in rx {
                waiting.insert(i, (stats, held));
                while let Some((stats, held)) = waiting.remove(&next) {
                    next += 1;
                    for h in held.hits {
                        emitter.sink.hit(h);
                    }
                    for e in held.errors {
                        emitter.sink.error(e);
                    }
                    emitter.stats.add(&stats);
                    emitter.sink.progress(&emitter.stats);
                }
                if emitter.sink.cancelled() {
                    cancel.store(true, Ordering::Relaxed);
                }
            }
        });
    }
}
