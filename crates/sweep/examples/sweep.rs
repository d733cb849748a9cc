//! A small front end for benchmarks and manual checks, without the CLI crate's dependencies.
//!
//! ```sh
//! cargo run --release -p hikeshi-sweep --example sweep -- \
//!     --indicators iocs.txt [--format squid] [--threads 2] [--load-only] [--inflate-only] LOG...
//! ```
//! Prints `hit_lines=… lines=… bytes=… seconds=… MB/s=…` on stderr and hits as JSON lines on
//! stdout unless `--count` is given.

use std::io::{BufReader, Write};
use std::process::ExitCode;
use std::time::Instant;

use hikeshi_sweep::{Hit, Sink, Stats, SweepError, SweepOptions, Sweeper, output, read_indicators};

struct Print {
    count_only: bool,
    out: std::io::BufWriter<std::io::Stdout>,
}

impl Sink for Print {
    fn hit(&mut self, hit: Hit) {
        if !self.count_only {
            let _ = writeln!(self.out, "{}", output::json_line(&hit));
        }
    }
    fn error(&mut self, error: SweepError) {
        eprintln!("sweep: {error}");
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut indicators = None;
    let mut opts = SweepOptions::default();
    let (mut count_only, mut load_only, mut inflate_only) = (false, false, false);
    let mut paths = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--indicators" => indicators = args.next(),
            "--format" => opts.format = args.next().and_then(|f| f.parse().ok()),
            "--threads" => opts.threads = args.next().and_then(|t| t.parse().ok()).unwrap_or(1),
            "--block-size" => {
                opts.block_size = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(256 << 10)
            }
            "--count" => count_only = true,
            "--load-only" => load_only = true,
            "--inflate-only" => inflate_only = true,
            _ => paths.push(a),
        }
    }
    if inflate_only {
        // The inflater alone, for the decompression baseline of the benchmark.
        let t = Instant::now();
        let mut n = 0;
        for p in &paths {
            let Ok(f) = std::fs::File::open(p) else {
                return ExitCode::from(2);
            };
            let Ok(mut r) = hikeshi_sweep::decode(f) else {
                return ExitCode::from(2);
            };
            // Into blocks of the sweep's own size (256 KiB), as the sweep reads a stream; not
            // `io::copy`, whose 8 KiB buffer makes the inflater alone look slower than it is.
            let mut block = vec![0u8; opts.block_size];
            loop {
                match std::io::Read::read(&mut r, &mut block) {
                    Ok(0) => break,
                    Ok(k) => n += k as u64,
                    Err(_) => return ExitCode::from(2),
                }
            }
        }
        report("inflate", n, 0, 0, t);
        return ExitCode::SUCCESS;
    }
    let Some(ind) = indicators else {
        eprintln!("usage: sweep --indicators FILE [--format F] [--threads N] [--count] LOG...");
        return ExitCode::from(2);
    };
    let t = Instant::now();
    let loaded = match std::fs::File::open(&ind).and_then(|f| read_indicators(BufReader::new(f))) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sweep: {ind}: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "loaded {} indicators ({} skipped, {} rejected) in {:.3}s",
        loaded.set.len(),
        loaded.set.skipped(),
        loaded.rejected.len(),
        t.elapsed().as_secs_f64()
    );
    if load_only {
        return ExitCode::SUCCESS;
    }
    let mut sink = Print {
        count_only,
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let t = Instant::now();
    let stats: Stats = Sweeper::new(&loaded.set, opts).sweep_paths(&paths, &mut sink);
    let _ = sink.out.flush();
    report("sweep", stats.bytes, stats.lines, stats.hit_lines, t);
    if count_only {
        println!("{}", stats.hit_lines);
    }
    match (stats.errors, stats.hit_lines) {
        (e, _) if e > 0 => ExitCode::from(2),
        (_, 0) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn report(what: &str, bytes: u64, lines: u64, hit_lines: u64, t: Instant) {
    let s = t.elapsed().as_secs_f64();
    eprintln!(
        "{what}: hit_lines={hit_lines} lines={lines} bytes={bytes} seconds={s:.3} MB/s={:.1}",
        bytes as f64 / s / 1e6
    );
}
