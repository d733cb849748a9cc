//! Bulk loading for the store's and the server's benchmarks: N indicators (domains sharing
//! registrable names, addresses sharing /24s, URLs, hashes) with their weak-link keys, linked
//! round-robin to incidents 1..=`incidents`, written straight into the tables in batches (set-up,
//! not what is measured).

use hikeshi_domain::{Indicator, Kind};
use sqlx::Executor;
use std::time::Instant;

const BATCH: usize = 400;

pub fn indicator(i: u64) -> Indicator {
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

pub async fn load(url: &str, n: u64, incidents: i64) -> Result<(), Box<dyn std::error::Error>> {
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
            let inc = (j as i64 % incidents) + 1;
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

/// Copy row `template` of `table` `n - 1` times with the columns given as SQL over `k` (1..n-1).
pub async fn copy_rows(
    c: &mut sqlx::AnyConnection,
    table: &str,
    n: u64,
    cols: &[(&str, String)],
) -> Result<(), Box<dyn std::error::Error>> {
    let names: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
    let exprs: Vec<&str> = cols.iter().map(|(_, e)| e.as_str()).collect();
    // In chunks, so neither backend holds one huge statement's state.
    let chunk = 20_000u64;
    let mut from = 1u64;
    while from < n {
        let to = (from + chunk).min(n);
        let sql = format!(
            "WITH RECURSIVE g(k) AS (SELECT CAST({from} AS BIGINT) UNION ALL SELECT k + 1 FROM g WHERE k < {last}) \
             INSERT INTO {table} ({}) SELECT {} FROM g, {table} t WHERE t.id = 1",
            names.join(", "),
            exprs.join(", "),
            last = to - 1
        );
        c.execute(sql.as_str()).await?;
        from = to;
    }
    Ok(())
}

/// Columns for copying incident 1 into `incidents` rows spread over the three years before
/// `now`: most closed, the rest over the open phases; categories, TLP, priority and exercises
/// mixed by `k`.
pub fn incident_cols(incidents: u64, now: i64) -> Vec<(&'static str, String)> {
    let day = 86_400_000i64;
    let span = 3 * 365 * day;
    // Most incidents are closed; the rest spread over the open phases, as in a real team.
    let phase = "CASE WHEN k % 10 < 8 THEN 'closed' WHEN k % 10 = 8 THEN 'analysis' ELSE \
                 (CASE k % 3 WHEN 0 THEN 'triage' WHEN 1 THEN 'containment' ELSE 'recovery' END) END";
    let at = format!("{now} - {span} + (k * {}) ", span / incidents.max(1) as i64);
    vec![
        ("year", "t.year".into()),
        ("seq", "t.seq + k".into()),
        ("title", "'bench incident ' || k".into()),
        ("summary", "t.summary".into()),
        ("phase", phase.into()),
        (
            "category",
            "CASE k % 8 WHEN 0 THEN 'phishing' WHEN 1 THEN 'defacement' WHEN 2 THEN 'malware-site' WHEN 3 THEN 'scan' \
             WHEN 4 THEN 'dos' WHEN 5 THEN 'ics' WHEN 6 THEN 'targeted' ELSE 'other' END"
                .into(),
        ),
        ("rsit_class", "t.rsit_class".into()),
        ("rsit_type", "t.rsit_type".into()),
        ("attacker_class", "t.attacker_class".into()),
        ("asset_class", "t.asset_class".into()),
        ("tlp", "CASE k % 20 WHEN 0 THEN 'red' WHEN 1 THEN 'green' ELSE 'amber' END".into()),
        ("functional_impact", "t.functional_impact".into()),
        ("information_impact", "t.information_impact".into()),
        ("recoverability", "t.recoverability".into()),
        ("criticality", "t.criticality".into()),
        ("priority", "CASE k % 4 WHEN 0 THEN 'p1' WHEN 1 THEN 'p2' WHEN 2 THEN 'p3' ELSE 'p4' END".into()),
        ("ack_due", format!("{at} + 3600000")),
        ("first_response_due", format!("{at} + 14400000")),
        ("containment_due", format!("{at} + 86400000")),
        ("reported_at", at.clone()),
        ("created_at", at.clone()),
        ("updated_at", format!("{at} + 7200000")),
        ("acknowledged_at", format!("{at} + 600000")),
        ("closed_at", format!("CASE WHEN k % 10 < 8 THEN {at} + 5 * {day} ELSE NULL END")),
        ("is_exercise", "CASE WHEN k % 50 = 0 THEN 1 ELSE 0 END".into()),
    ]
}

/// Columns for copying report 1 into `reports` rows spread over the same three years, most
/// linked to an incident, one in twenty still new.
pub fn report_cols(reports: u64, incidents: u64, now: i64) -> Vec<(&'static str, String)> {
    let span = 3 * 365 * 86_400_000i64;
    vec![
        (
            "received_at",
            format!("{now} - {span} + (k * {})", span / reports.max(1) as i64),
        ),
        ("channel", "t.channel".into()),
        ("reporter_name", "t.reporter_name".into()),
        (
            "reporter_email",
            "'reporter' || (k % 5000) || '@example.jp'".into(),
        ),
        ("reporter_org", "t.reporter_org".into()),
        ("subject", "t.subject || ' ' || k".into()),
        ("body", "t.body".into()),
        ("lang", "t.lang".into()),
        (
            "status",
            "CASE WHEN k % 20 = 0 THEN 'new' ELSE 'linked' END".into(),
        ),
        (
            "incident_id",
            format!("CASE WHEN k % 20 = 0 THEN NULL ELSE 1 + (k % {incidents}) END"),
        ),
        ("raw", "t.raw".into()),
        ("raw_content_type", "t.raw_content_type".into()),
    ]
}

/// A benchmark setting from the environment, or its default.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Report 1 and incident 1, made through the Store API: the rows [`copy_rows`] copies.
pub async fn seed(store: &hikeshi_store::Store) -> Result<(), Box<dyn std::error::Error>> {
    use hikeshi_domain::*;
    let r = store
        .submit_report(
            &Actor::System,
            NewReport {
                channel: Some(Channel::Mail),
                reporter_name: "山田 太郎".into(),
                reporter_email: "taro@example.jp".into(),
                subject: "フィッシングサイトの報告 / phishing site".into(),
                body: "hxxps://login-example[.]com/ を確認しました。192.0.2.10".into(),
                raw: b"Subject: report\r\n\r\nbody".to_vec(),
                raw_content_type: "message/rfc822".into(),
                ..Default::default()
            },
        )
        .await?;
    let inc = store
        .create_incident(
            &Actor::System,
            hikeshi_store::NewIncident {
                title: "bench incident".into(),
                summary: "phishing site reported by mail".into(),
                category: Category::Phishing,
                rsit: None,
                attacker: None,
                asset: None,
                tlp: Tlp::Amber,
                impact: Impact::default(),
                owner: None,
                reports: vec![r.id],
                is_exercise: false,
            },
        )
        .await?;
    assert_eq!(
        (inc.id.0, r.id.0),
        (1, 1),
        "the bench needs an empty database"
    );
    Ok(())
}
