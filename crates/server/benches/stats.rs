//! Statistics for a fiscal year over a large database (issue 9): 1,000,000 reports and 200,000
//! incidents over three years, then everything the statistics page and the periodic report show
//! for FY2025 (counts by category, priority, attacker class and RSIT; the twelve monthly counts;
//! the time metrics with reopen detection; the notable incidents), against the same aggregates as
//! plain full-scan queries (indexes defeated with `+ 0`) in the same run. Median of R runs
//! (default 5) each; prints both and the ratio.
//!
//! ```sh
//! cargo bench -p hikeshi-server --bench stats                          # SQLite in a temp dir
//! HIKESHI_BENCH_DATABASE_URL=postgres://…/db cargo bench -p hikeshi-server --bench stats
//! ```

#[path = "../../store/benches/support/bulk.rs"]
#[allow(dead_code)] // each benchmark uses part of the loader
mod bulk;

use hikeshi_domain::period::Period;
use hikeshi_store::{Store, StoreOptions, Viewer};
use sqlx::{Executor, Row};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

async fn load(
    store: &Store,
    url: &str,
    incidents: u64,
    reports: u64,
    now: i64,
) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    bulk::seed(store).await?;
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await?;
    bulk::copy_rows(
        &mut c,
        "incidents",
        incidents,
        &bulk::incident_cols(incidents, now),
    )
    .await?;
    bulk::copy_rows(
        &mut c,
        "reports",
        reports,
        &bulk::report_cols(reports, incidents, now),
    )
    .await?;
    // The phase history the reopen rate reads: every closed incident was closed once, and one in
    // a hundred was reopened afterwards.
    c.execute(
        "INSERT INTO events (incident_id, at, kind, data) SELECT id, closed_at, 'phase', \
         '{\"from\":\"lessons\",\"to\":\"closed\"}' FROM incidents WHERE closed_at IS NOT NULL",
    )
    .await?;
    c.execute(
        "INSERT INTO events (incident_id, at, kind, data) SELECT id, closed_at + 1000, 'phase', \
         '{\"from\":\"closed\",\"to\":\"analysis\"}' FROM incidents WHERE closed_at IS NOT NULL AND id % 100 = 0",
    )
    .await?;
    c.execute("ANALYZE").await?;
    eprintln!(
        "loaded {incidents} incidents, {reports} reports and their phase events in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The same aggregates without the indexes: what a plain query costs.
async fn full_scan(
    c: &mut sqlx::AnyConnection,
    period: Period,
) -> Result<(i64, i64, usize), Box<dyn std::error::Error>> {
    let mut ranges = vec![(period.start_ms_jst(), period.end_ms_jst())];
    ranges.extend(period.months().map(|m| {
        (
            Period::month(m).start_ms_jst(),
            Period::month(m).end_ms_jst(),
        )
    }));
    let (mut reports, mut incidents) = (0i64, 0i64);
    for (s, e) in &ranges {
        let r: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM reports WHERE received_at + 0 >= $1 AND received_at + 0 < $2",
        )
        .bind(s)
        .bind(e)
        .fetch_one(&mut *c)
        .await?
        .try_get("n")?;
        let rows = sqlx::query(
            "SELECT category, priority, attacker_class, rsit_class, rsit_type, is_exercise, COUNT(*) AS n FROM incidents \
             WHERE reported_at + 0 >= $1 AND reported_at + 0 < $2 AND phase <> 'merged' \
             GROUP BY category, priority, attacker_class, rsit_class, rsit_type, is_exercise",
        )
        .bind(s)
        .bind(e)
        .fetch_all(&mut *c)
        .await?;
        reports += r;
        for row in &rows {
            incidents += row.try_get::<i64, _>("n")?;
        }
    }
    let (s, e) = ranges[0];
    let times = sqlx::query(
        "SELECT id, reported_at, acknowledged_at, first_response_at, contained_at, closed_at, \
         owner_reached_at, ack_due, first_response_due, containment_due FROM incidents \
         WHERE reported_at + 0 >= $1 AND reported_at + 0 < $2 AND is_exercise = 0 \
         AND phase NOT IN ('merged', 'rejected') ORDER BY id",
    )
    .bind(s)
    .bind(e)
    .fetch_all(&mut *c)
    .await?;
    let events = sqlx::query(
        "SELECT e.incident_id, e.data FROM events e JOIN incidents i ON i.id = e.incident_id \
         WHERE e.kind = 'phase' AND e.data LIKE '%closed%' \
         AND i.reported_at + 0 >= $1 AND i.reported_at + 0 < $2 AND i.is_exercise = 0",
    )
    .bind(s)
    .bind(e)
    .fetch_all(&mut *c)
    .await?;
    Ok((reports, incidents, times.len() + events.len()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let incidents = bulk::env_or("HIKESHI_BENCH_INCIDENTS", 200_000);
    let reports = bulk::env_or("HIKESHI_BENCH_REPORTS", 1_000_000);
    let rounds = bulk::env_or("HIKESHI_BENCH_ROUNDS", 5) as usize;
    let dir = tempfile::tempdir()?;
    let url = std::env::var("HIKESHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.sqlite3?mode=rwc", dir.path().display()));
    let store = Store::connect(&url, StoreOptions::default()).await?;
    store.migrate().await?;
    let backend = format!("{:?}", store.backend());
    // Fixed, so FY2025 (April 2025 – March 2026) lies wholly inside the three loaded years.
    let now = hikeshi_domain::time::parse_rfc3339("2026-11-26T00:00:00Z")?;
    load(&store, &url, incidents, reports, now).await?;
    let period: Period = "FY2025".parse()?;
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;

    let (mut ours, mut plain) = (Vec::new(), Vec::new());
    let mut shown = None;
    for _ in 0..rounds {
        let t = Instant::now();
        let data = hikeshi_server::stats_view::gather(&store, period, Viewer::System, now).await?;
        ours.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let scanned = full_scan(&mut c, period).await?;
        plain.push(t.elapsed().as_secs_f64());
        shown = Some((
            data.counts.reports,
            data.counts.incidents + data.counts.exercises,
            scanned,
        ));
    }
    let (r, i, scanned) = shown.expect("at least one round");
    // Both sides counted the same rows: the year once and again as its twelve months.
    assert_eq!(
        scanned.0,
        2 * r,
        "full scan and hikeshi disagree on the reports of FY2025"
    );
    let (ours, plain) = (median(ours), median(plain));
    println!(
        "{backend}: {incidents} incidents, {reports} reports; FY2025 holds {r} reports and {i} incidents (full scan counted {} reports over the year and its months)",
        scanned.0
    );
    println!("| what | median s |");
    println!("|---|---|");
    println!("| all FY2025 statistics (hikeshi, indexed) | **{ours:.3}** |");
    println!("| the same aggregates as plain full-scan queries | {plain:.3} |");
    println!("| ratio plain / hikeshi | {:.1}× |", plain / ours);
    Ok(())
}
