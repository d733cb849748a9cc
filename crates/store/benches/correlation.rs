//! Correlation latency with a large indicator store (issue 3): with N indicators stored (default
//! 1,000,000) spread over 2,000 incidents, attach one indicator to an incident and fetch its
//! correlations, 1,000 times; print p50/p99/max.
//!
//! ```sh
//! cargo bench -p hikeshi-store --bench correlation                       # SQLite in a temp dir
//! HIKESHI_BENCH_DATABASE_URL=postgres://…/db cargo bench -p hikeshi-store --bench correlation
//! HIKESHI_BENCH_INDICATORS=100000 cargo bench -p hikeshi-store --bench correlation
//! ```
//!
//! The bulk load writes rows directly (it is set-up, not what is measured); the measured
//! operations go through the public Store API, audit chain included.

use hikeshi_domain::*;
use hikeshi_store::{NewIncident, Store, StoreOptions, Viewer};
use sqlx::Executor;
use std::time::Instant;

const INCIDENTS: i64 = 2_000;
const BATCH: usize = 400;

fn indicator(i: u64) -> Indicator {
    // Deterministic mix: domains sharing registrable names (20 per name), addresses sharing /24s,
    // URLs, hashes.
    match i % 4 {
        0 => Indicator {
            kind: Kind::Domain,
            value: format!("h{i}.evil{}.com", i / 80),
        },
        1 => {
            let a = 0x2D00_0000u32.wrapping_add((i as u32).wrapping_mul(7));
            Indicator {
                kind: Kind::Ipv4,
                value: std::net::Ipv4Addr::from(a).to_string(),
            }
        }
        2 => Indicator {
            kind: Kind::Url,
            value: format!("http://cdn{}.bad{}.net/p/{i}", i % 7, i / 400),
        },
        _ => Indicator {
            kind: Kind::Sha256,
            value: format!("{:064x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        },
    }
}

fn link_name(l: hikeshi_ioc::Link) -> String {
    serde_json::to_value(l)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn load(url: &str, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await?;
    let t = Instant::now();
    let mut i = 0u64;
    while i < n {
        let end = (i + BATCH as u64).min(n);
        let mut tx = sqlx::Connection::begin(&mut c).await?;
        let mut ind = String::from("INSERT INTO indicators (id, kind, value, created_at) VALUES ");
        let mut keys = String::from("INSERT INTO indicator_keys (indicator_id, link, key) VALUES ");
        let mut links = String::from(
            "INSERT INTO incident_indicators (incident_id, indicator_id, role, tlp, note, added_at) VALUES ",
        );
        let mut nkeys = 0;
        for j in i..end {
            let d = indicator(j);
            let id = j + 1_000_000_000; // clear of ids the API hands out
            ind.push_str(&format!(
                "{}({id}, '{}', '{}', 0)",
                if j == i { "" } else { ", " },
                d.kind.as_str(),
                d.value
            ));
            for k in hikeshi_ioc::weak_keys(&d) {
                keys.push_str(&format!(
                    "{}({id}, '{}', '{}')",
                    if nkeys == 0 { "" } else { ", " },
                    link_name(k.link),
                    k.value
                ));
                nkeys += 1;
            }
            let inc = (j as i64 % INCIDENTS) + 1;
            links.push_str(&format!(
                "{}({inc}, {id}, 'unknown', 'amber', '', 0)",
                if j == i { "" } else { ", " }
            ));
        }
        tx.execute(ind.as_str()).await?;
        if nkeys > 0 {
            tx.execute(keys.as_str()).await?;
        }
        tx.execute(links.as_str()).await?;
        tx.commit().await?;
        i = end;
    }
    eprintln!(
        "loaded {n} indicators in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

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
    for k in 0..INCIDENTS {
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
    load(&url, n).await?;
    if backend == "Postgres" {
        sqlx::any::install_default_drivers();
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
        c.execute("ANALYZE").await?;
    }
    let mut lat = Vec::with_capacity(1000);
    let mut attach_lat = Vec::with_capacity(1000);
    let mut corr_lat = Vec::with_capacity(1000);
    for k in 0..1000u64 {
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
        lat.push(ms(t.elapsed()));
        attach_lat.push(ms(t1 - t));
        corr_lat.push(ms(t1.elapsed()));
        std::hint::black_box(c);
    }
    for (what, v) in [
        ("attach+correlate", &mut lat),
        ("attach (a durable commit)", &mut attach_lat),
        ("correlate", &mut corr_lat),
    ] {
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
