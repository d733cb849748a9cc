//! Counts by constituency and coordinated cases (issue 9), and the monthly rollups the
//! statistics page reads (issue 8): golden numbers around the fiscal-year boundary, then the
//! rollups against the direct query on random data.

use super::*;
use hikeshi_domain::period::Period;
use sqlx::Executor;
use std::collections::BTreeMap;

const DAY: i64 = 86_400_000;

pub(super) async fn raw(f: &Fresh) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(&f.url)
        .await
        .unwrap()
}

/// A mail report that came in through the mailbox labelled `label` ("" for the web form).
async fn labelled(s: &Store, subject: &str, label: &str) -> Report {
    let mut r = report(subject, "b");
    r.message_id = Some(format!("{subject}@example.jp"));
    let how = MailIntake {
        mailbox: label,
        ..Default::default()
    };
    s.intake_mail_with(&Actor::System, r, how).await.unwrap().0
}

fn map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The rollups give what the direct query gives, for the period and each of its months.
async fn same_both_ways(s: &Store, p: Period) -> Counts {
    let (total, months) = s.period_counts(p).await.unwrap();
    assert_eq!(
        total,
        s.counts(p.start_ms_jst(), p.end_ms_jst()).await.unwrap(),
        "{p}"
    );
    assert_eq!(months.len(), p.months().count());
    for (m, c) in &months {
        let mp = Period::month(*m);
        assert_eq!(
            *c,
            s.counts(mp.start_ms_jst(), mp.end_ms_jst()).await.unwrap(),
            "{m}"
        );
    }
    total
}

/// Send `incident`'s notification to `to`, recorded as sent at `at`.
async fn coordinate(
    s: &Store,
    db: &mut sqlx::AnyConnection,
    incident: IncidentId,
    to: &str,
    at: i64,
) {
    let actor = Actor::System;
    let mid = format!("{to}.{}@example.org", incident.0);
    let ids = s
        .queue_notifications(
            &actor,
            incident,
            &[super::notify::notice(incident, to, &mid, None)],
        )
        .await
        .unwrap();
    let n = s
        .incident_notifications(Viewer::System, incident)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.id == ids[0])
        .unwrap();
    s.mark_sent(n.outbox_id).await.unwrap();
    db.execute(
        format!(
            "UPDATE outbox SET sent_at = {at} WHERE id = {}",
            n.outbox_id
        )
        .as_str(),
    )
    .await
    .unwrap();
}

pub async fn counts_by_constituency_and_coordinated_cases_follow_the_fiscal_year(f: &Fresh) {
    let s = &f.store;
    let mut db = raw(f).await;
    let fy26: Period = "FY2026".parse().unwrap();
    let april = fy26.start_ms_jst(); // 2026-04-01 00:00 JST
    let r1 = labelled(s, "r1", "tokyo").await;
    let r2 = labelled(s, "r2", " osaka").await;
    let r3 = s
        .submit_report(&Actor::Public, report("r3", "b"))
        .await
        .unwrap();
    let r4 = labelled(s, "r4", "tokyo").await;
    let mut made = Vec::new();
    for (r, cat, exercise) in [
        (r1.id, Category::Phishing, false),
        (r2.id, Category::Scan, false),
        (r3.id, Category::Phishing, false),
        (r4.id, Category::Dos, true),
    ] {
        let mut ni = new_incident("i", cat, vec![r]);
        ni.is_exercise = exercise;
        made.push(s.create_incident(&Actor::Cli, ni).await.unwrap());
    }
    assert_eq!(made[0].constituency, "tokyo", "from the report's mailbox");
    assert_eq!(made[1].constituency, "osaka", "trimmed");
    assert_eq!(made[2].constituency, "", "the web form has no label");
    let i3 = s
        .update_incident(
            &Actor::Cli,
            made[2].id,
            IncidentPatch {
                constituency: Some("  nagoya ".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(i3.constituency, "nagoya");
    let audit = s.recent_audit(5).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "incident.update" && a.detail.contains(r#""to":"nagoya""#)),
        "the change is audited"
    );
    // Merged: not counted, though opened this fiscal year.
    let merged = s
        .create_incident(&Actor::Cli, new_incident("dup", Category::Scan, vec![]))
        .await
        .unwrap();
    s.merge_incidents(&Actor::Cli, merged.id, made[1].id, "same")
        .await
        .unwrap();

    // r1/i1 on the last millisecond of FY2025, r2/i2 on the first of FY2026.
    let times = [april - 1, april, april + 10 * DAY, april + 20 * DAY];
    for ((r, i), at) in [&r1, &r2, &r3, &r4].iter().zip(&made).zip(times) {
        for sql in [
            format!(
                "UPDATE reports SET received_at = {at} WHERE id = {}",
                r.id.0
            ),
            format!(
                "UPDATE incidents SET reported_at = {at} WHERE id = {}",
                i.id.0
            ),
        ] {
            db.execute(sql.as_str()).await.unwrap();
        }
    }
    // i1 (opened in FY2025) and i2 (twice: counted once) are coordinated in April; the
    // exercise is not counted; i3's notification is never sent.
    coordinate(s, &mut db, made[0].id, "noc@isp.example", april + DAY).await;
    coordinate(
        s,
        &mut db,
        made[1].id,
        "abuse@host.example",
        april + 5 * DAY,
    )
    .await;
    coordinate(
        s,
        &mut db,
        made[1].id,
        "cert@other.example",
        april + 40 * DAY,
    )
    .await;
    coordinate(s, &mut db, made[3].id, "drill@example.jp", april + 21 * DAY).await;
    s.queue_notifications(
        &Actor::System,
        made[2].id,
        &[super::notify::notice(
            made[2].id,
            "x@example.jp",
            "unsent@example.org",
            None,
        )],
    )
    .await
    .unwrap();
    let i1 = s.incident(Viewer::System, made[0].id).await.unwrap();
    assert_eq!(i1.coordinated_at, Some(april + DAY));

    let c = same_both_ways(s, fy26).await;
    assert_eq!(
        (c.reports, c.incidents, c.exercises, c.coordinated),
        (3, 2, 1, 2)
    );
    assert_eq!(
        c.reports_by_constituency,
        map(&[("", 1), ("osaka", 1), ("tokyo", 1)])
    );
    assert_eq!(c.by_constituency, map(&[("nagoya", 1), ("osaka", 1)]));
    assert_eq!(c.by_category, map(&[("phishing", 1), ("scan", 1)]));
    assert_eq!(
        c.coordinated_by_constituency,
        map(&[("osaka", 1), ("tokyo", 1)])
    );
    assert_eq!(
        c.coordinated_by_category,
        map(&[("phishing", 1), ("scan", 1)])
    );
    assert_eq!(c.coordinated_by_priority.values().sum::<i64>(), 2);

    let c = same_both_ways(s, "FY2025".parse().unwrap()).await;
    assert_eq!(
        (c.reports, c.incidents, c.exercises, c.coordinated),
        (1, 1, 0, 0)
    );
    assert_eq!(c.by_constituency, map(&[("tokyo", 1)]));
    let c = same_both_ways(s, "2026".parse().unwrap()).await;
    assert_eq!(
        (c.reports, c.incidents, c.exercises, c.coordinated),
        (4, 3, 1, 2)
    );
    let c = same_both_ways(s, "2026-04".parse().unwrap()).await;
    assert_eq!((c.reports, c.incidents, c.coordinated), (3, 2, 2));
    let c = same_both_ways(s, "2026Q1".parse().unwrap()).await;
    assert_eq!((c.reports, c.incidents, c.coordinated), (1, 1, 0));
    same_both_ways(s, "2026-05".parse().unwrap()).await;
}

/// A small deterministic generator (xorshift), seeded per run; the seed is printed so a
/// failure can be replayed with HIKESHI_TEST_SEED.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new() -> Rng {
        let seed = std::env::var("HIKESHI_TEST_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| hikeshi_domain::time::now_ms() as u64 | 1);
        eprintln!("HIKESHI_TEST_SEED={seed}");
        Rng(seed)
    }
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub async fn rollups_match_the_direct_query_on_random_data(f: &Fresh) {
    let s = &f.store;
    let mut db = raw(f).await;
    let mut rng = Rng::new();
    let from: Period = "FY2025".parse().unwrap();
    let span = Period::fiscal_year(2026).unwrap().end_ms_jst() - from.start_ms_jst();
    let labels = ["", "tokyo", "osaka", "ｆｕｌｌ"];
    let cats = [
        Category::Phishing,
        Category::Scan,
        Category::Dos,
        Category::Defacement,
        Category::Other,
    ];
    let mut ids = Vec::new();
    for n in 0..40 {
        // Days and month ends (the last and first milliseconds of a month) alike.
        let at = if rng.below(3) == 0 {
            let m = Period::containing_ms_jst(
                hikeshi_domain::period::PeriodKind::Month,
                from.start_ms_jst() + rng.below(span as u64) as i64,
            )
            .unwrap();
            m.end_ms_jst() - rng.below(2) as i64
        } else {
            from.start_ms_jst() + rng.below(span as u64) as i64
        };
        let r = labelled(s, &format!("rand{n}"), *rng.pick(&labels)).await;
        db.execute(
            format!(
                "UPDATE reports SET received_at = {at} WHERE id = {}",
                r.id.0
            )
            .as_str(),
        )
        .await
        .unwrap();
        if rng.below(4) == 0 {
            continue; // a report that stays a report
        }
        let mut ni = new_incident("rand", *rng.pick(&cats), vec![r.id]);
        ni.is_exercise = rng.below(6) == 0;
        ni.impact.functional = *rng.pick(&[
            FunctionalImpact::Low,
            FunctionalImpact::Medium,
            FunctionalImpact::High,
        ]);
        let i = s.create_incident(&Actor::Cli, ni).await.unwrap();
        db.execute(
            format!(
                "UPDATE incidents SET reported_at = {at} WHERE id = {}",
                i.id.0
            )
            .as_str(),
        )
        .await
        .unwrap();
        ids.push(i.id);
    }
    for (k, id) in ids.iter().enumerate() {
        match rng.below(6) {
            0 => {
                let patch = IncidentPatch {
                    category: Some(*rng.pick(&cats)),
                    constituency: Some(rng.pick(&labels).to_string()),
                    ..Default::default()
                };
                s.update_incident(&Actor::Cli, *id, patch).await.unwrap();
            }
            1 if k > 0 => {
                s.merge_incidents(&Actor::Cli, *id, ids[0], "same")
                    .await
                    .ok();
            }
            _ => {}
        }
        if rng.below(2) == 0 {
            let at = from.start_ms_jst() + rng.below(span as u64) as i64;
            coordinate(s, &mut db, *id, &format!("n{k}@example.jp"), at).await;
        }
    }
    let mut p = from;
    for _ in 0..2 {
        same_both_ways(s, p).await;
        p = Period::fiscal_year(p.year_number() + 1).unwrap();
    }
    for q in ["2025Q2", "2026Q1", "2025", "2026", "2027Q1"] {
        same_both_ways(s, q.parse().unwrap()).await;
    }
}
