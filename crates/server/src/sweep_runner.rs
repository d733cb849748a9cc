//! The sweep job runner: a background task (spawned by `hikeshi serve`, like the mail sender)
//! that claims queued sweep jobs, runs the engine on tokio's blocking pool, reports progress to
//! the store about once a second (which renews its lease and brings back cancel requests), and
//! finishes each job by recording its hits as sightings.
//!
//! One job at a time per node: a sweep already uses `threads` cores, and several nodes on one
//! PostgreSQL share the queue. On shutdown the running sweep is stopped and left unfinished, so
//! its lease runs out and the job is claimed again from the start (by another node or after the
//! restart); hits are only recorded when a job finishes, so nothing is recorded twice.

use crate::sweep_jobs::{SweepConfig, SweepFile, indicator_set, resolve, sighting};
use hikeshi_domain::{IncidentId, Indicator, NewSighting};
use hikeshi_store::{Store, StoreError, SweepJob, SweepOutcome, SweepProgress, SweepState, Viewer};
use hikeshi_sweep::{Hit, Sink, Stats, SweepError, SweepOptions, Sweeper};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How long a claim lasts without a progress report.
pub const LEASE_MS: i64 = 60_000;
/// Claims after which a job that never finished is marked failed.
pub const MAX_ATTEMPTS: i64 = 3;
/// At most this many hits of one job are recorded as sightings; the rest are counted.
pub const MAX_KEPT_HITS: usize = 100_000;
/// Problems listed in a job's error text; the rest are counted.
const MAX_PROBLEMS: usize = 20;
const POLL: Duration = Duration::from_secs(1);
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// Counters the sweep thread updates and the reporting task reads.
#[derive(Default)]
struct Live {
    bytes: AtomicU64,
    lines: AtomicU64,
    hits: AtomicU64,
    cancel: AtomicBool,
}

impl Live {
    fn progress(&self, total: u64) -> SweepProgress {
        let n = |a: &AtomicU64| i64::try_from(a.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
        SweepProgress {
            bytes_done: n(&self.bytes),
            bytes_total: i64::try_from(total).unwrap_or(i64::MAX),
            lines: n(&self.lines),
            hits: n(&self.hits),
        }
    }
}

/// Counts the bytes read from a file as stored, so progress is against the files' sizes even
/// when they are compressed.
struct Counting<'a, R> {
    inner: R,
    live: &'a Live,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.live.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// What the sweep thread hands back.
#[derive(Default)]
struct Swept {
    hits: Vec<NewSighting>,
    dropped: u64,
    problems: Vec<String>,
    more_problems: usize,
    files_read: usize,
}

impl Swept {
    fn problem(&mut self, p: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.more_problems += 1;
        }
    }
}

struct JobSink<'a> {
    out: Swept,
    live: &'a Live,
    /// Totals of the files before the current one.
    before: Stats,
}

impl Sink for JobSink<'_> {
    fn hit(&mut self, hit: Hit) {
        if self.out.hits.len() < MAX_KEPT_HITS {
            self.out.hits.push(sighting(hit));
        } else {
            self.out.dropped += 1;
        }
    }
    fn error(&mut self, error: SweepError) {
        self.out.problem(error.to_string());
    }
    fn progress(&mut self, stats: &Stats) {
        self.live
            .lines
            .store(self.before.lines + stats.lines, Ordering::Relaxed);
        self.live
            .hits
            .store(self.before.hits + stats.hits, Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.live.cancel.load(Ordering::Relaxed)
    }
}

/// Sweep the files one after the other, each under its source name.
fn sweep_files(
    indicators: &[Indicator],
    files: &[SweepFile],
    threads: usize,
    live: &Live,
) -> Swept {
    let (set, _) = indicator_set(indicators);
    let opts = SweepOptions {
        threads: threads.max(1),
        ..SweepOptions::default()
    };
    let sweeper = Sweeper::new(&set, opts);
    let mut sink = JobSink {
        out: Swept::default(),
        live,
        before: Stats::default(),
    };
    for f in files {
        if live.cancel.load(Ordering::Relaxed) {
            break;
        }
        let file = match std::fs::File::open(&f.path) {
            Ok(file) => file,
            Err(e) => {
                sink.out.problem(format!("{}: {e}", f.label));
                continue;
            }
        };
        let stats = sweeper.sweep_reader(&f.label, Counting { inner: file, live }, &mut sink);
        sink.before.add(&stats);
        sink.progress(&Stats::default());
        sink.out.files_read += 1;
    }
    sink.out
}

/// Run sweep jobs until `stop` changes.
pub async fn run(
    store: Store,
    cfg: Arc<SweepConfig>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let owner = format!(
        "sweeper-{}-{}",
        std::process::id(),
        hex::encode(crate::auth::random_bytes(4))
    );
    tracing::info!(roots = ?cfg.roots.keys().collect::<Vec<_>>(), "running sweep jobs");
    loop {
        match store.claim_sweep_job(&owner, LEASE_MS, MAX_ATTEMPTS).await {
            Ok(Some(job)) => {
                if run_job(&store, &cfg, &owner, job, &mut stop).await {
                    return;
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming a sweep job failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Run one claimed job; true when the server is stopping (the job is left to its lease).
async fn run_job(
    store: &Store,
    cfg: &SweepConfig,
    owner: &str,
    job: SweepJob,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    tracing::info!(
        job = job.id,
        incident = job.incident_id,
        attempt = job.attempts,
        "sweep job started"
    );
    let indicators: Vec<Indicator> = match store
        .incident_indicators(Viewer::System, IncidentId(job.incident_id))
        .await
    {
        Ok(list) => list.into_iter().map(|i| i.indicator).collect(),
        Err(e) => {
            tracing::warn!(job = job.id, error = %e, "reading the incident's indicators failed");
            return false;
        }
    };
    let (files, problems) = resolve(cfg, &job.upload_key, &job.sources);
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let live = Arc::new(Live::default());
    let (set, _) = indicator_set(&indicators);
    if set.is_empty() || files.is_empty() {
        let mut why = problems;
        if set.is_empty() {
            why.insert(0, "the incident has no indicator that can be swept for (domains, addresses, networks, URLs, hashes, e-mail addresses)".into());
        }
        if files.is_empty() && why.is_empty() {
            why.push("no file to sweep".into());
        }
        finish(
            store,
            cfg,
            owner,
            &job,
            SweepState::Failed,
            live.progress(total),
            why.join("\n"),
            &[],
        )
        .await;
        return false;
    }
    let threads = cfg.threads;
    let sweeping = live.clone();
    let mut handle =
        tokio::task::spawn_blocking(move || sweep_files(&indicators, &files, threads, &sweeping));
    let mut tick = tokio::time::interval(REPORT_EVERY);
    let (mut stopping, mut lost, mut cancel) = (false, false, false);
    let joined = loop {
        tokio::select! {
            r = &mut handle => break r,
            _ = tick.tick() => {
                match store.sweep_job_progress(job.id, owner, &live.progress(total), LEASE_MS).await {
                    Ok(c) => cancel |= c,
                    Err(StoreError::Conflict(_)) => lost = true,
                    // The lease is renewed at the next report, or another node takes over.
                    Err(e) => tracing::warn!(job = job.id, error = %e, "reporting sweep progress failed"),
                }
                if cancel || lost {
                    live.cancel.store(true, Ordering::Relaxed);
                }
            }
            _ = stop.changed(), if !stopping => {
                stopping = true;
                live.cancel.store(true, Ordering::Relaxed);
            }
        }
    };
    if stopping || lost {
        tracing::info!(job = job.id, stopping, lost, "sweep job left unfinished");
        return stopping;
    }
    let mut swept = match joined {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(job = job.id, error = %e, "the sweep thread failed");
            Swept {
                problems: vec!["the sweep stopped unexpectedly; the cause has been logged".into()],
                ..Swept::default()
            }
        }
    };
    let mut text = problems;
    text.append(&mut swept.problems);
    if swept.more_problems > 0 {
        text.push(format!("… and {} more problems", swept.more_problems));
    }
    if swept.dropped > 0 {
        text.push(format!(
            "only the first {MAX_KEPT_HITS} hits were recorded as sightings; {} more were found",
            swept.dropped
        ));
    }
    let state = if cancel {
        SweepState::Cancelled
    } else if swept.files_read == 0 {
        SweepState::Failed
    } else {
        SweepState::Done
    };
    let p = live.progress(total);
    finish(
        store,
        cfg,
        owner,
        &job,
        state,
        p,
        text.join("\n"),
        &swept.hits,
    )
    .await;
    false
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    store: &Store,
    cfg: &SweepConfig,
    owner: &str,
    job: &SweepJob,
    state: SweepState,
    progress: SweepProgress,
    error: String,
    hits: &[NewSighting],
) {
    let outcome = SweepOutcome {
        state,
        progress,
        error,
    };
    match store.finish_sweep_job(job.id, owner, &outcome, hits).await {
        Ok(r) => {
            tracing::info!(
                job = job.id,
                state = state.as_str(),
                hits = hits.len(),
                new = r.new,
                "sweep job ended"
            );
            remove_uploads(cfg, &job.upload_key);
        }
        Err(e) => tracing::warn!(job = job.id, error = %e, "finishing a sweep job failed"),
    }
}

/// Delete a finished job's uploaded files unless the configuration keeps them.
pub fn remove_uploads(cfg: &SweepConfig, key: &str) {
    if cfg.keep_uploads || key.is_empty() || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return;
    }
    let dir = cfg.upload_dir.join(key);
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(dir = %dir.display(), error = %e, "removing uploaded logs failed");
        }
    }
}
