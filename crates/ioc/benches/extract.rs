//! Extraction throughput, single thread, on a corpus file (no criterion: one figure, median of
//! a few runs, is what docs/PERFORMANCE.md records).
//!
//! ```sh
//! python3 shared/bench/gen_corpus.py --size 100MB --seed 1 --out /work/scratch/corpus_100mb.txt
//! cargo bench -p hikeshi-ioc --bench extract -- /work/scratch/corpus_100mb.txt
//! ```
//! Prints `MB/s` (10^6 bytes per second, as the Python reference figures are) and the number of
//! indicators per kind, so a change in speed can be told apart from a change in what is found.

use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    // `cargo bench` passes `--bench`; the corpus is the first argument that is not a flag.
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .or_else(|| std::env::var("HIKESHI_CORPUS").ok())
        .unwrap_or_else(|| "/work/scratch/corpus_100mb.txt".into());
    let runs: usize = std::env::var("HIKESHI_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "cannot read corpus {path}: {e} (generate it with shared/bench/gen_corpus.py)"
            );
            std::process::exit(2);
        }
    };
    // HIKESHI_BENCH_NO_WARNINGS=1 measures extraction without the warning-list lookups.
    let bare = hikeshi_ioc::Extractor::new().with_warnings(hikeshi_ioc::WarningSet::empty());
    let ex = if std::env::var_os("HIKESHI_BENCH_NO_WARNINGS").is_some() {
        &bare
    } else {
        hikeshi_ioc::default_extractor()
    };
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut per_kind = BTreeMap::new();
    let mut warned = 0usize;
    for run in 0..runs {
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut w = 0;
        let t = Instant::now();
        let cpu0 = thread_cpu_seconds();
        ex.for_each(&data, |e| {
            *counts.entry(e.kind.as_str()).or_default() += 1;
            w += usize::from(!e.warnings.is_empty());
        });
        times.push(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_seconds()) {
            cpu.push(b - a);
        }
        if run == 0 {
            per_kind = counts;
            warned = w;
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mb = data.len() as f64 / 1e6;
    let total: usize = per_kind.values().sum();
    println!("corpus: {path} ({mb:.1} MB)");
    println!("runs: {runs}, median {median:.3} s, best {:.3} s", times[0]);
    println!(
        "throughput: {:.1} MB/s (median), {:.1} MB/s (best)",
        mb / median,
        mb / times[0]
    );
    if !cpu.is_empty() {
        cpu.sort_by(f64::total_cmp);
        let c = cpu[cpu.len() / 2];
        println!(
            "cpu time: median {c:.3} s, {:.1} MB/s of CPU time (what a busy shared machine can't take away)",
            mb / c
        );
    }
    println!("indicators: {total} ({warned} with warnings)");
    for (k, n) in &per_kind {
        println!("  {k:<9} {n}");
    }
}

/// CPU time of this thread from `/proc/thread-self/schedstat` (Linux), so a figure measured on
/// a shared machine is not just the share of the CPU the scheduler gave us; `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
