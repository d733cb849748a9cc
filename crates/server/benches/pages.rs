//! Page render latency with a large database (issue 8): 100,000 incidents, 1,000,000 indicators
//! (10 per incident), 100,000 reports, then the real server on a loopback port and a load
//! generator of C concurrent clients (default 2, one per core) fetching each main page R times
//! (default 200) with an API token; prints p50/p95/max per page and overall.
//!
//! ```sh
//! cargo bench -p hikeshi-server --bench pages                          # SQLite in a temp dir
//! HIKESHI_BENCH_DATABASE_URL=postgres://…/db cargo bench -p hikeshi-server --bench pages
//! HIKESHI_BENCH_INCIDENTS=10000 HIKESHI_BENCH_ROUNDS=50 cargo bench -p hikeshi-server --bench pages
//! # keep a loaded database and time only some pages (names as printed, comma-separated):
//! HIKESHI_BENCH_DATABASE_URL="sqlite:///var/tmp/pages.sqlite3?mode=rwc" HIKESHI_BENCH_REUSE=1 \
//!   HIKESHI_BENCH_PAGES=dashboard,stats cargo bench -p hikeshi-server --bench pages
//! ```
//!
//! With `HIKESHI_BENCH_REUSE=1` a database that already holds the benchmark's incidents is not
//! loaded again (the first run loads it), so a change can be measured against the same rows.
//!
//! The bulk load writes rows directly (set-up, not what is measured): one incident and one report
//! are made through the Store API and copied with a recursive `INSERT … SELECT`, the indicators
//! come from the store benchmarks' loader. Each request is timed from sending to the last byte of
//! the body, so it includes the network stack and the client.

#[path = "../../store/benches/support/bulk.rs"]
#[allow(dead_code)] // each benchmark uses part of the loader
mod bulk;

use hikeshi_domain::*;
use hikeshi_server::auth::{hash_token, random_token};
use hikeshi_server::{AppState, ServerConfig};
use hikeshi_store::{NewUser, Page, Store, StoreOptions};
use sqlx::Executor;
use std::sync::Arc;
use std::time::Instant;

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn load(
    store: &Store,
    url: &str,
    incidents: u64,
    reports: u64,
    indicators: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let now = time::now_ms();
    bulk::seed(store).await?;
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await?;
    let cols = bulk::incident_cols(incidents, now);
    bulk::copy_rows(&mut c, "incidents", incidents, &cols).await?;
    c.execute(
        format!(
            "UPDATE incident_counters SET last = last + {}",
            incidents - 1
        )
        .as_str(),
    )
    .await?;
    let rcols = bulk::report_cols(reports, incidents, now);
    bulk::copy_rows(&mut c, "reports", reports, &rcols).await?;
    eprintln!(
        "loaded {incidents} incidents and {reports} reports in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    bulk::load(url, indicators, incidents as i64).await?;
    // PostgreSQL: what autovacuum would have done by the time anyone reads these rows (the
    // visibility map lets index-only scans skip the table).
    let analyze = match store.backend() {
        hikeshi_store::Backend::Postgres => "VACUUM ANALYZE",
        hikeshi_store::Backend::Sqlite => "ANALYZE",
    };
    c.execute(analyze).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let incidents = bulk::env_or("HIKESHI_BENCH_INCIDENTS", 100_000);
    let indicators = bulk::env_or("HIKESHI_BENCH_INDICATORS", incidents * 10);
    let reports = bulk::env_or("HIKESHI_BENCH_REPORTS", incidents);
    let rounds = bulk::env_or("HIKESHI_BENCH_ROUNDS", 200) as usize;
    let clients = bulk::env_or("HIKESHI_BENCH_CLIENTS", 2) as usize;
    let dir = tempfile::tempdir()?;
    let url = std::env::var("HIKESHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.sqlite3?mode=rwc", dir.path().display()));
    let store = Store::connect(&url, StoreOptions::default()).await?;
    store.migrate().await?;
    let backend = format!("{:?}", store.backend());
    let reuse = std::env::var("HIKESHI_BENCH_REUSE").is_ok_and(|v| v == "1")
        && store
            .list_incidents(
                hikeshi_store::Viewer::System,
                &Default::default(),
                Page::new(None, Some(1)),
            )
            .await?
            .total
            >= incidents.min(10_000) as i64;
    if reuse {
        eprintln!("reusing the loaded database");
    } else {
        load(&store, &url, incidents, reports, indicators).await?;
    }
    let bench_user = format!("bench{}", time::now_ms());

    let handler = store
        .create_user(
            &Actor::System,
            &NewUser {
                username: bench_user.clone(),
                display_name: "Bench".into(),
                email: format!("{bench_user}@example.jp"),
                role: Role::Handler,
                lang: "ja".into(),
                password_hash: "$argon2id$unused".into(),
                must_change_password: false,
            },
        )
        .await?;
    let token = random_token();
    store
        .create_api_token(&Actor::System, handler.id, "bench", &hash_token(&token))
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(store.clone(), ServerConfig::default());
    tokio::spawn(hikeshi_server::serve_on(
        state,
        listener,
        std::future::pending(),
    ));

    // The pages a handler opens all day; ids spread over the whole table.
    let mid = incidents / 2;
    let year = {
        let row = store
            .incident(hikeshi_store::Viewer::System, IncidentId(mid as i64))
            .await?;
        row.number.to_string()
    };
    let some_indicator = 1_000_000_000 + indicators / 3;
    // Deep pages as the UI reaches them: the `next` cursor of the page before (found once here
    // with an OFFSET read, which is what an old `?page=` link still costs).
    // (Smaller runs: the deepest page there is.)
    let deep = |n: i64| Page::new(Some(n.min(incidents as i64 / 50) - 1), Some(50));
    let v = hikeshi_store::Viewer::System;
    let cursor = |c: Option<hikeshi_store::Cursor>| c.map(|c| c.to_string()).unwrap_or_default();
    let reports_100 = cursor(
        store
            .list_reports(v, &Default::default(), deep(100))
            .await?
            .next,
    );
    let incidents_1000 = cursor(
        store
            .list_incidents(v, &Default::default(), deep(1000))
            .await?
            .next,
    );
    let pages: Vec<(&str, String)> = vec![
        ("dashboard", "/".into()),
        ("reports", "/reports".into()),
        ("reports page 100", format!("/reports?after={reports_100}")),
        (
            "reports search",
            "/reports?q=reporter42%40example.jp".into(),
        ),
        ("report", format!("/reports/{}", reports / 3)),
        ("incidents", "/incidents".into()),
        (
            "incidents page 1000",
            format!("/incidents?after={incidents_1000}"),
        ),
        ("incidents open", "/incidents?phase=containment".into()),
        (
            "incidents search",
            "/incidents?q=bench%20incident%2077777".into(),
        ),
        ("incident", format!("/incidents/{year}")),
        ("graph incident", format!("/graph?node=i:{mid}")),
        ("graph indicator", format!("/graph?node=d:{some_indicator}")),
        ("search indicator", "/search?q=h776.evil9.com".into()),
        ("search text", "/search?q=bench%20incident%2077777".into()),
        ("assets", "/assets".into()),
        ("stats", "/stats".into()),
        ("settings", "/settings".into()),
    ];
    let only: Option<Vec<String>> = std::env::var("HIKESHI_BENCH_PAGES")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());
    let pages: Vec<(&str, String)> = pages
        .into_iter()
        .filter(|(n, _)| only.as_ref().is_none_or(|o| o.iter().any(|x| x == n)))
        .collect();
    // Warm up once each (and check every page answers 200).
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for (name, path) in &pages {
        let res = agent
            .get(&format!("{base}{path}"))
            .header("Authorization", &format!("Bearer {token}"))
            .call()?;
        let status = res.status().as_u16();
        if status != 200 {
            return Err(format!("{name} {path}: HTTP {status}").into());
        }
    }
    let names: Vec<String> = pages.iter().map(|(n, _)| (*n).to_owned()).collect();
    let pages = Arc::new(pages);
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); pages.len()];
    let results = tokio::task::spawn_blocking(move || {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let pages = pages.clone();
                let base = base.clone();
                let token = token.clone();
                std::thread::spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let mut times = vec![Vec::new(); pages.len()];
                    for r in 0..rounds / clients.max(1) {
                        for j in 0..pages.len() {
                            // Clients start at different pages so they do not march in step.
                            let i = (j + c + r) % pages.len();
                            let path = &pages[i].1;
                            let t = Instant::now();
                            let mut res = agent
                                .get(&format!("{base}{path}"))
                                .header("Authorization", &format!("Bearer {token}"))
                                .call()
                                .expect("request");
                            let body = res.body_mut().read_to_vec().expect("body");
                            assert!(!body.is_empty());
                            times[i].push(t.elapsed().as_secs_f64() * 1e3);
                        }
                    }
                    times
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .collect::<Vec<_>>()
    })
    .await?;
    for client in results {
        for (i, t) in client.into_iter().enumerate() {
            all[i].extend(t);
        }
    }
    println!(
        "{backend}: {incidents} incidents, {indicators} indicators, {reports} reports; {clients} clients, {rounds} requests per page"
    );
    println!("| page | p50 ms | p95 ms | max ms |");
    println!("|---|---|---|---|");
    let mut every = Vec::new();
    for (i, t) in all.iter_mut().enumerate() {
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        every.extend_from_slice(t);
        println!(
            "| {} | {:.1} | {:.1} | {:.1} |",
            names[i],
            pct(t, 0.50),
            pct(t, 0.95),
            t[t.len() - 1]
        );
    }
    every.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "| **all pages** | {:.1} | **{:.1}** | {:.1} |",
        pct(&every, 0.50),
        pct(&every, 0.95),
        every[every.len() - 1]
    );
    Ok(())
}
