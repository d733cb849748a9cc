//! Correlation latency with a large indicator store (issue 3): with N indicators stored (default
//! 1,000,000) spread over 2,000 incidents, attach one indicator to an incident and fetch its
//! correlations, 5,000 times after 100 unmeasured warm-up rounds; print p50/p99/max. (The p99
//! of 1,000 rounds is their tenth-worst, which one burst of slow disk writes decides.)
//!
//! ```sh
//! cargo bench -p hikeshi-store --bench correlation                       # SQLite in a temp dir
//! HIKESHI_BENCH_DATABASE_URL=postgres://…/db cargo bench -p hikeshi-store --bench correlation
//! HIKESHI_BENCH_INDICATORS=100000 cargo bench -p hikeshi-store --bench correlation
//! HIKESHI_BENCH_WARMUP=0 …   # measure from the first round (default: 100 warm-up rounds)
//! # keep the loaded database between runs (the first run loads it), 3,000 rounds:
//! HIKESHI_BENCH_DATABASE_URL="sqlite:///var/tmp/corr.sqlite3?mode=rwc" HIKESHI_BENCH_REUSE=1 \
//!   HIKESHI_BENCH_ROUNDS=3000 HIKESHI_BENCH_SEED=1 cargo bench -p hikeshi-store --bench correlation
//! ```
//!
//! The bulk load writes rows directly (it is set-up, not what is measured); the measured
//! operations go through the public Store API, audit chain included. On SQLite the same run
//! also times the floor every durable commit stands on: 1,000 times, an 8 KiB write appended to
//! a file beside the database and `fdatasync` (what `synchronous = FULL` costs a WAL commit).

#[path = "support/bulk.rs"]
#[allow(dead_code)] // each benchmark uses part of the loader
mod support;

use hikeshi_domain::*;
use hikeshi_store::{NewIncident, Store, StoreOptions, Viewer};
use sqlx::Executor;
use std::time::Instant;
use support::indicator;

const INCIDENTS: i64 = 2_000;

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::var("HIKESHI_BENCH_INDICATORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("HIKESHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.sqlite3?mode=rwc", dir.path().display()));
    let store = Store::connect(&url, StoreOptions::default()).await?;
    store.migrate().await?;
    let backend = format!("{:?}", store.backend());
    let rounds: u64 = std::env::var("HIKESHI_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let loaded = std::env::var("HIKESHI_BENCH_REUSE").is_ok_and(|v| v == "1")
        && store
            .incident(Viewer::System, IncidentId(INCIDENTS))
            .await
            .is_ok()
        && store.indicator_id(&indicator(n - 1)).await?.is_some();
    if loaded {
        eprintln!("reusing the loaded database");
    }
    for k in 0..if loaded { 0 } else { INCIDENTS } {
        store
            .create_incident(
                &Actor::System,
                NewIncident {
                    title: format!("bench {k}"),
                    summary: String::new(),
                    category: Category::MalwareSite,
                    rsit: None,
                    attacker: None,
                    asset: None,
                    tlp: Tlp::Amber,
                    impact: Impact::default(),
                    owner: None,
                    reports: vec![],
                    is_exercise: false,
                },
            )
            .await?;
    }
    if !loaded {
        support::load(&url, n, INCIDENTS).await?;
    }
    // Set-up, not measured: what a database that has been running for a while has already done
    // after a bulk load. PostgreSQL: statistics, and the vacuum autovacuum would otherwise start
    // in the middle of the measurement. SQLite: the write-ahead log of the load (hundreds of
    // megabytes) copied back, which the background checkpoint would otherwise do while the
    // first rounds run.
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
    if backend == "Postgres" {
        c.execute(if loaded { "ANALYZE" } else { "VACUUM ANALYZE" })
            .await?;
    } else if !loaded {
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    drop(c);
    let mut lat = Vec::new();
    let mut attach_lat = Vec::new();
    let mut corr_lat = Vec::new();
    // A reused database gets other (indicator, incident) pairs with another seed, so each run
    // attaches new links rather than updating the last run's.
    let seed: u64 = std::env::var("HIKESHI_BENCH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // Warm-up rounds, not measured: the first uses of each pooled connection prepare (and on
    // PostgreSQL plan) their statements, once per connection in a server's life.
    let warmup: u64 = std::env::var("HIKESHI_BENCH_WARMUP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    for k in (0..warmup + rounds).map(|k| k + seed * (warmup + rounds)) {
        let measured = k >= seed * (warmup + rounds) + warmup;
        // Existing indicators, so each has correlations to find.
        let d = indicator(k * 997 % n);
        let inc = IncidentId((k as i64 * 13 % INCIDENTS) + 1);
        let t = Instant::now();
        let ids = store
            .attach_indicators(&Actor::System, inc, &[(d, IndicatorContext::default())])
            .await?;
        let t1 = Instant::now();
        let c = store
            .correlations(Viewer::User(UserId(1)), ids[0], Some(inc))
            .await?;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let (total, read) = (ms(t.elapsed()), ms(t1.elapsed()));
        std::hint::black_box(c);
        if measured {
            lat.push(total);
            attach_lat.push(ms(t1 - t));
            corr_lat.push(read);
        }
    }
    let mut sync_lat = Vec::new();
    if backend == "Sqlite" {
        use std::io::Write;
        let mut f = std::fs::File::create(dir.path().join("fsync-probe"))?;
        let page = [0x5au8; 8192];
        for _ in 0..1000 {
            let t = Instant::now();
            f.write_all(&page)?;
            f.sync_data()?;
            sync_lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    for (what, v) in [
        ("attach+correlate", &mut lat),
        ("attach (a durable commit)", &mut attach_lat),
        ("correlate", &mut corr_lat),
        ("baseline: 8 KiB write + fdatasync", &mut sync_lat),
    ] {
        if v.is_empty() {
            continue;
        }
        v.sort_by(f64::total_cmp);
        println!(
            "correlation backend={backend} indicators={n} {what}: p50={:.2} ms p99={:.2} ms max={:.2} ms",
            pct(v, 0.5),
            pct(v, 0.99),
            v[v.len() - 1]
        );
    }
    Ok(())
}
