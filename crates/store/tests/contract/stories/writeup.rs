use super::*;
use hikeshi_domain::period::Period;
use hikeshi_domain::time_metrics::TimeMetrics;

const H: i64 = 3_600_000;

/// A handler writes the incident's impact, scope and lessons, and records when the owner was
/// reached; each change is a timeline event (the history) and an audit entry, and the owner
/// reached time feeds the time metrics.
pub async fn writeup_and_owner_reached_are_kept_with_their_history(f: &Fresh) {
    let s = &f.store;
    let handler = user(s, "handler", Role::Handler).await;
    let actor = Actor::User(handler.id);
    let r = s
        .submit_report(&Actor::Public, report("フィッシング", "b"))
        .await
        .unwrap();
    let i = s
        .create_incident(
            &Actor::Cli,
            new_incident("phish", Category::Phishing, vec![r.id]),
        )
        .await
        .unwrap();
    assert_eq!(i.writeup, Writeup::default());
    assert_eq!(i.owner_reached_at, None);

    let i2 = s
        .update_writeup(
            &actor,
            i.id,
            WriteupPatch {
                impact: Some("  顧客 120 名のメールアドレスが漏えいした可能性 ".into()),
                accounts: Some("taro@example.jp".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        i2.writeup.impact,
        "顧客 120 名のメールアドレスが漏えいした可能性"
    );
    assert_eq!(i2.writeup.accounts, "taro@example.jp");
    assert_eq!(i2.writeup.data, "");
    // Read back as a viewer sees it, not only as returned.
    let again = s.incident(Viewer::System, i.id).await.unwrap();
    assert_eq!(again.writeup, i2.writeup);

    // Only what changed is recorded; an unchanged patch writes nothing at all.
    s.update_writeup(
        &actor,
        i.id,
        WriteupPatch {
            impact: Some("顧客 120 名のメールアドレスが漏えいした可能性".into()),
            lessons: Some("送信ドメイン認証を導入する".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let audit_before = s.recent_audit(100).await.unwrap().len();
    s.update_writeup(&actor, i.id, WriteupPatch::default())
        .await
        .unwrap();
    assert_eq!(s.recent_audit(100).await.unwrap().len(), audit_before);

    let events = s.timeline(Viewer::System, i.id).await.unwrap();
    let writeups: Vec<&TimelineEvent> = events.iter().filter(|e| e.kind == "writeup").collect();
    assert_eq!(writeups.len(), 2);
    assert_eq!(
        writeups[0].data["fields"]["impact"],
        "顧客 120 名のメールアドレスが漏えいした可能性"
    );
    assert!(writeups[1].data["fields"].get("impact").is_none());
    assert_eq!(
        writeups[1].data["fields"]["lessons"],
        "送信ドメイン認証を導入する"
    );
    assert_eq!(writeups[1].actor, Some(handler.id));

    // Owner reached: a given time, then a correction; the timeline keeps both.
    // In the past (reported_at is now): a time before receipt is kept; metrics count it as zero.
    let first = i.reported_at - 2 * H;
    let inc = s
        .record_owner_reached(&actor, i.id, Some(first), "  電話で担当者に連絡 ")
        .await
        .unwrap();
    assert_eq!(inc.owner_reached_at, Some(first));
    let inc = s
        .record_owner_reached(&actor, i.id, Some(first + H), "")
        .await
        .unwrap();
    assert_eq!(inc.owner_reached_at, Some(first + H));
    let reached: Vec<TimelineEvent> = s
        .timeline(Viewer::System, i.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "owner-reached")
        .collect();
    assert_eq!(reached.len(), 2);
    assert_eq!(reached[0].data["note"], "電話で担当者に連絡");
    assert_eq!(reached[0].data["at"], first);
    assert!(reached[0].data["previous"].is_null());
    assert_eq!(reached[1].data["previous"], first);
    // Now by default; a time far in the future is refused and changes nothing.
    let before = hikeshi_domain::time::now_ms();
    let inc = s
        .record_owner_reached(&actor, i.id, None, "")
        .await
        .unwrap();
    assert!(inc.owner_reached_at.unwrap() >= before);
    let err = s
        .record_owner_reached(&actor, i.id, Some(before + 24 * H), "")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        s.incident(Viewer::System, i.id)
            .await
            .unwrap()
            .owner_reached_at,
        inc.owner_reached_at
    );
    let actions: Vec<String> = s
        .recent_audit(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "incident.owner_reached")
            .count(),
        3
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "incident.writeup").count(),
        2
    );
    assert_eq!(s.verify_audit().await.unwrap(), Ok(actions.len() as i64));

    // A missing incident is NotFound, not a silent no-op.
    let missing = s
        .update_writeup(
            &actor,
            IncidentId(999_999),
            WriteupPatch {
                lessons: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)));
    assert!(matches!(
        s.record_owner_reached(&actor, IncidentId(999_999), None, "")
            .await
            .unwrap_err(),
        StoreError::NotFound(_)
    ));
}

/// The owner reached clock over a period: median, p90 and max of report received → owner
/// reached, counting only incidents where the owner was reached, on both backends.
pub async fn owner_reached_times_feed_the_time_metrics(f: &Fresh) {
    let s = &f.store;
    let mut ids = Vec::new();
    for n in 0..4 {
        let r = s
            .submit_report(&Actor::Public, report(&format!("r{n}"), "b"))
            .await
            .unwrap();
        let i = s
            .create_incident(
                &Actor::Cli,
                new_incident(&format!("i{n}"), Category::Scan, vec![r.id]),
            )
            .await
            .unwrap();
        ids.push(i);
    }
    // Received on 2026-04-02 (set directly, as the time-metrics story does); reached after 1 h,
    // 3 h and 10 h; the fourth owner is not reached yet.
    let fy: Period = "FY2026".parse().unwrap();
    let t0 = fy.start_ms_jst() + 24 * H;
    sqlx::any::install_default_drivers();
    let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&f.url)
        .await
        .unwrap();
    for i in &ids {
        sqlx::Executor::execute(
            &mut raw,
            format!(
                "UPDATE incidents SET reported_at = {t0} WHERE id = {}",
                i.id.0
            )
            .as_str(),
        )
        .await
        .unwrap();
    }
    for (i, hours) in ids.iter().zip([1, 3, 10]) {
        s.record_owner_reached(&Actor::Cli, i.id, Some(t0 + hours * H), "")
            .await
            .unwrap();
    }
    let items = s
        .incident_times(fy.start_ms_jst(), fy.end_ms_jst())
        .await
        .unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(
        items
            .iter()
            .filter(|t| t.owner_reached_at.is_some())
            .count(),
        3
    );
    let m = TimeMetrics::compute(fy, &items, t0 + 1000 * H);
    let o = m.total.durations.owner_reached;
    assert_eq!(
        (o.count, o.median_ms, o.p90_ms, o.max_ms),
        (3, Some(3 * H), Some(10 * H), Some(10 * H))
    );
    assert_eq!(m.trend[0].summary.durations.owner_reached.count, 3);
    assert!(
        m.to_csv()
            .contains(&format!("{fy},owner_reached,median_ms,{}\n", 3 * H))
    );
}
