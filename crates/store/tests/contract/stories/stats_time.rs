use super::*;
use hikeshi_domain::period::Period;
use hikeshi_domain::time_metrics::{IncidentTimes, TimeMetrics, TimeSummary};
use sqlx::{Executor, Row};
use std::collections::HashSet;

const H: i64 = 3_600_000;

/// Five incidents of April 2026 walk their phases (one is reopened, one is an exercise, one is
/// merged, one rejected); their recorded times are then set to known values so the metrics are
/// exact on both backends.
pub async fn time_metrics_come_from_recorded_times_and_phase_history(f: &Fresh) {
    let s = &f.store;
    let mut ids = Vec::new();
    for (n, exercise) in [
        (0, false),
        (1, false),
        (2, false),
        (3, true),
        (4, false),
        (5, false),
    ] {
        let r = s
            .submit_report(&Actor::Public, report(&format!("r{n}"), "b"))
            .await
            .unwrap();
        let mut ni = new_incident(&format!("i{n}"), Category::Scan, vec![r.id]);
        ni.is_exercise = exercise;
        ids.push(s.create_incident(&Actor::Cli, ni).await.unwrap().id);
    }
    // 0: closed; 1: closed then reopened to analysis; 2: still new; 3: exercise, closed;
    // 4: merged into 0; 5: rejected.
    s.change_phase(&Actor::Cli, ids[0], Phase::Closed, "done")
        .await
        .unwrap();
    s.change_phase(&Actor::Cli, ids[1], Phase::Closed, "done")
        .await
        .unwrap();
    s.change_phase(&Actor::Cli, ids[1], Phase::Analysis, "new hosts found")
        .await
        .unwrap();
    s.change_phase(&Actor::Cli, ids[3], Phase::Closed, "drill over")
        .await
        .unwrap();
    s.merge_incidents(&Actor::Cli, ids[4], ids[0], "same")
        .await
        .unwrap();
    s.change_phase(&Actor::Cli, ids[5], Phase::Rejected, "not ours")
        .await
        .unwrap();

    let fy: Period = "FY2026".parse().unwrap();
    let t0 = fy.start_ms_jst() + 24 * H; // 2026-04-02 00:00 JST
    sqlx::any::install_default_drivers();
    let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&f.url)
        .await
        .unwrap();
    let set = |id: IncidentId, reported: i64, times: [Option<i64>; 4]| {
        let v = |t: Option<i64>| t.map_or("NULL".to_string(), |t| t.to_string());
        format!(
            "UPDATE incidents SET reported_at = {reported}, ack_due = {}, first_response_due = {}, \
             containment_due = {}, acknowledged_at = {}, first_response_at = {}, contained_at = {}, \
             closed_at = {} WHERE id = {}",
            reported + H,
            reported + 4 * H,
            reported + 24 * H,
            v(times[0]),
            v(times[1]),
            v(times[2]),
            v(times[3]),
            id.0
        )
    };
    for sql in [
        set(
            ids[0],
            t0,
            [
                Some(t0 + H / 2),
                Some(t0 + 2 * H),
                Some(t0 + 30 * H),
                Some(t0 + 72 * H),
            ],
        ),
        set(
            ids[1],
            t0,
            [Some(t0 + 2 * H), Some(t0 + 3 * H), Some(t0 + 10 * H), None],
        ),
        // Reported in May: a month of its own in the trend, every clock unreached.
        set(ids[2], t0 + 31 * 24 * H, [None, None, None, None]),
        set(ids[3], t0, [Some(t0 + 100 * H), None, None, None]),
        set(ids[4], t0, [Some(t0 + 100 * H), None, None, None]),
        set(ids[5], t0, [Some(t0 + 100 * H), None, None, None]),
    ] {
        raw.execute(sql.as_str()).await.unwrap();
    }

    let items = s
        .incident_times(fy.start_ms_jst(), fy.end_ms_jst())
        .await
        .unwrap();
    assert_eq!(items.len(), 3, "exercise, merged and rejected are left out");
    assert_eq!(items.iter().filter(|i| i.reopened).count(), 1);

    // "Now" is well after every due time: unreached clocks are missed.
    let m = TimeMetrics::compute(fy, &items, t0 + 1000 * H);
    let d = &m.total.durations;
    assert_eq!(m.total.incidents, 3);
    assert_eq!(
        (d.acknowledge.count, d.acknowledge.median_ms),
        (2, Some(H + H / 4))
    );
    assert_eq!(
        (d.acknowledge.p90_ms, d.acknowledge.max_ms),
        (Some(2 * H), Some(2 * H))
    );
    assert_eq!(d.first_response.max_ms, Some(3 * H));
    assert_eq!(
        (d.containment.count, d.containment.median_ms),
        (2, Some(20 * H))
    );
    assert_eq!((d.closure.count, d.closure.max_ms), (1, Some(72 * H)));
    let sla = &m.total.sla;
    assert_eq!(
        (
            sla.acknowledge.met,
            sla.acknowledge.missed,
            sla.acknowledge.open
        ),
        (1, 2, 0)
    );
    assert_eq!((sla.first_response.met, sla.first_response.missed), (2, 1));
    assert_eq!((sla.containment.met, sla.containment.missed), (1, 2));
    assert_eq!((m.total.ever_closed, m.total.reopened), (2, 1));
    assert_eq!(m.total.reopen_rate, Some(0.5));

    // Trend: April holds two incidents, May one, the rest none.
    assert_eq!(m.trend[0].summary.incidents, 2);
    assert_eq!(m.trend[1].summary.incidents, 1);
    assert_eq!(m.trend[1].summary.sla.acknowledge.missed, 1);
    assert_eq!(m.trend.iter().map(|t| t.summary.incidents).sum::<u64>(), 3);

    // Before the May incident's due times, its clocks are still open.
    let early = TimeMetrics::compute(fy, &items, t0 + 31 * 24 * H + H / 2);
    assert_eq!(early.trend[1].summary.sla.acknowledge.open, 1);

    // Notable incidents for a report: by priority, then reported; never TLP:RED, not even for
    // the system viewer; exercises, merged and rejected ones left out.
    raw.execute(
        format!(
            "UPDATE incidents SET tlp = 'red', priority = 'p1' WHERE id = {}",
            ids[1].0
        )
        .as_str(),
    )
    .await
    .unwrap();
    raw.execute(
        format!(
            "UPDATE incidents SET priority = 'p2' WHERE id = {}",
            ids[2].0
        )
        .as_str(),
    )
    .await
    .unwrap();
    let notable = s
        .notable_incidents(Viewer::System, fy.start_ms_jst(), fy.end_ms_jst(), 10)
        .await
        .unwrap();
    let got: Vec<IncidentId> = notable.iter().map(|i| i.id).collect();
    assert_eq!(got, vec![ids[2], ids[0]]);
    let one = s
        .notable_incidents(Viewer::System, fy.start_ms_jst(), fy.end_ms_jst(), 1)
        .await
        .unwrap();
    assert_eq!(one.len(), 1);

    // Another period sees none of them.
    let other: Period = "FY2025".parse().unwrap();
    assert!(
        s.incident_times(other.start_ms_jst(), other.end_ms_jst())
            .await
            .unwrap()
            .is_empty()
    );
}

/// Random phase walks (reopenings among them) and random recorded times, some outside the
/// period, some before the receipt, some unreached: the `reopened` flag migration 0019's trigger
/// keeps equals the phase history read directly, and [`Store::time_summary`] (aggregated in the
/// database) equals [`TimeSummary::of`] over the incidents read one by one, at several "now"s.
pub async fn time_summary_and_reopened_flag_match_the_direct_computation_on_random_data(f: &Fresh) {
    use super::stats_counts::{Rng, raw};
    let s = &f.store;
    let mut db = raw(f).await;
    let mut rng = Rng::new();
    let fy: Period = "FY2026".parse().unwrap();
    let (start, end) = (fy.start_ms_jst(), fy.end_ms_jst());
    let phases = [
        Phase::Triage,
        Phase::Analysis,
        Phase::Containment,
        Phase::Recovery,
        Phase::Closed,
        Phase::Closed,
        Phase::Rejected,
    ];
    let mut ids = Vec::new();
    for n in 0..30 {
        let r = s
            .submit_report(&Actor::Public, report(&format!("t{n}"), "b"))
            .await
            .unwrap();
        let mut ni = new_incident(&format!("t{n}"), Category::Scan, vec![r.id]);
        ni.is_exercise = rng.below(8) == 0;
        let id = s.create_incident(&Actor::Cli, ni).await.unwrap().id;
        if n % 4 == 0 {
            // Some surely reopened, and left open.
            for p in [Phase::Closed, Phase::Analysis] {
                s.change_phase(&Actor::Cli, id, p, "reopen").await.unwrap();
            }
        }
        for _ in 0..rng.below(6) {
            // Refused moves (to the phase it is in) are part of the walk.
            let _ = s
                .change_phase(&Actor::Cli, id, *rng.pick(&phases), "walk")
                .await;
        }
        // A month either side of the period, so some fall outside it.
        let reported = start - 30 * 24 * H + rng.below((end - start + 60 * 24 * H) as u64) as i64;
        let mut t = |unset: u64| {
            if rng.below(unset) == 0 {
                "NULL".to_string()
            } else {
                (reported - 2 * H + rng.below(100 * H as u64) as i64).to_string()
            }
        };
        let sql = format!(
            "UPDATE incidents SET reported_at = {reported}, ack_due = {}, first_response_due = {}, \
             containment_due = {}, acknowledged_at = {}, first_response_at = {}, \
             owner_reached_at = {}, contained_at = {}, closed_at = {} WHERE id = {}",
            reported + H,
            reported + 4 * H,
            reported + 24 * H,
            t(3),
            t(3),
            t(2),
            t(3),
            t(2),
            id.0
        );
        db.execute(sql.as_str()).await.unwrap();
        ids.push(id);
    }
    // One merged away, as the statistics leave such incidents out.
    s.merge_incidents(&Actor::Cli, ids[1], ids[0], "same")
        .await
        .unwrap();

    // The flag against the phase history, read directly.
    let mut reopened_direct = HashSet::new();
    for e in sqlx::query("SELECT incident_id, data FROM events WHERE kind = 'phase'")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let data: String = e.get("data");
        let v: serde_json::Value = serde_json::from_str(&data).unwrap();
        if v["from"] == "closed" {
            reopened_direct.insert(e.get::<i64, _>("incident_id"));
        }
    }
    let flagged: HashSet<i64> = sqlx::query("SELECT id FROM incidents WHERE reopened <> 0")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>("id"))
        .collect();
    assert!(!reopened_direct.is_empty());
    assert_eq!(flagged, reopened_direct);

    // Every incident of the period with the history read directly.
    let mut direct = Vec::new();
    for r in sqlx::query(
        "SELECT id, reported_at, acknowledged_at, first_response_at, contained_at, closed_at, \
         owner_reached_at, ack_due, first_response_due, containment_due FROM incidents \
         WHERE is_exercise = 0 AND phase NOT IN ('merged', 'rejected')",
    )
    .fetch_all(&mut db)
    .await
    .unwrap()
    {
        let reported_at: i64 = r.get("reported_at");
        if !(start..end).contains(&reported_at) {
            continue;
        }
        direct.push(IncidentTimes {
            reported_at,
            acknowledged_at: r.get("acknowledged_at"),
            first_response_at: r.get("first_response_at"),
            contained_at: r.get("contained_at"),
            closed_at: r.get("closed_at"),
            owner_reached_at: r.get("owner_reached_at"),
            ack_due: r.get("ack_due"),
            first_response_due: r.get("first_response_due"),
            containment_due: r.get("containment_due"),
            reopened: reopened_direct.contains(&r.get::<i64, _>("id")),
        });
    }
    let items = s.incident_times(start, end).await.unwrap();
    assert_eq!(items.len(), direct.len());
    for now in [start, start + 200 * 24 * H, end + 100 * H] {
        let want = TimeSummary::of(&direct, now);
        assert_eq!(TimeSummary::of(&items, now), want, "now = {now}");
        assert_eq!(
            s.time_summary(start, end, now).await.unwrap(),
            want,
            "now = {now}"
        );
    }
    // An empty period: nothing counted, no duration.
    let none = s
        .time_summary(end + 400 * 24 * H, end + 500 * 24 * H, end)
        .await
        .unwrap();
    assert_eq!(none, TimeSummary::of(&[], end));
}
