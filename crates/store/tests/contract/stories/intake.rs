use super::*;

pub async fn a_report_is_stored_whole_and_gets_a_ticket(f: &Fresh) {
    let s = &f.store;
    let mut new = report(
        "不審なスキャン",
        "192.0.2.1 から 22/tcp へのスキャンを確認しました。",
    );
    new.raw = vec![0xff, 0x00, b'r', b'a', b'w'];
    new.attachments.push(NewAttachment {
        filename: "log.txt".into(),
        content_type: "text/plain".into(),
        data: b"Nov 26 sshd[1]: Failed password from 192.0.2.1".to_vec(),
    });
    let r = s.submit_report(&Actor::Public, new).await.unwrap();
    assert_eq!(r.ticket, format!("[hikeshi #{}]", r.id.0));
    assert_eq!(r.status, ReportStatus::New);
    assert_eq!(r.lang, "ja", "language detected from the text");
    assert_eq!(r.raw_size, 5);
    assert_eq!(r.attachments.len(), 1);
    assert_eq!(r.attachments[0].size, 46);

    let (raw, ct) = s.report_raw(Viewer::System, r.id).await.unwrap();
    assert_eq!(
        raw,
        vec![0xff, 0x00, b'r', b'a', b'w'],
        "raw bytes kept byte for byte"
    );
    assert_eq!(ct, "text/plain; charset=utf-8");
    let (name, _, data) = s
        .report_attachment(Viewer::System, r.id, r.attachments[0].id)
        .await
        .unwrap();
    assert_eq!(name, "log.txt");
    assert!(data.starts_with(b"Nov 26 sshd"));

    let second = s
        .submit_report(&Actor::Public, report("Port scan", "from 192.0.2.1"))
        .await
        .unwrap();
    assert!(second.id.0 > r.id.0, "tickets increase");
    assert_eq!(second.lang, "en");
    assert!(matches!(
        s.report(Viewer::System, ReportId(9999)).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn reports_are_linked_rejected_and_incidents_merged(f: &Fresh) {
    let s = &f.store;
    let a = s
        .submit_report(&Actor::Public, report("first", "one"))
        .await
        .unwrap();
    let b = s
        .submit_report(&Actor::Public, report("second", "two"))
        .await
        .unwrap();
    let c = s
        .submit_report(&Actor::Public, report("spam", "buy now"))
        .await
        .unwrap();
    s.reject_report(&Actor::Cli, c.id, "spam, not an incident")
        .await
        .unwrap();
    let c = s.report(Viewer::System, c.id).await.unwrap();
    assert_eq!(
        (c.status, c.reject_reason.as_deref()),
        (ReportStatus::Rejected, Some("spam, not an incident"))
    );
    assert!(matches!(
        s.reject_report(&Actor::Cli, c.id, "again").await,
        Err(StoreError::Conflict(_))
    ));

    let i1 = s
        .create_incident(&Actor::Cli, new_incident("one", Category::Scan, vec![a.id]))
        .await
        .unwrap();
    let i2 = s
        .create_incident(&Actor::Cli, new_incident("two", Category::Scan, vec![]))
        .await
        .unwrap();
    s.link_report(&Actor::Cli, b.id, i2.id).await.unwrap();
    assert_eq!(
        s.incident(Viewer::System, i2.id).await.unwrap().reported_at,
        b.received_at.min(i2.reported_at)
    );
    let merged = s
        .merge_incidents(&Actor::Cli, i2.id, i1.id, "same scanner")
        .await
        .unwrap();
    assert_eq!(merged.id, i1.id);
    let i2 = s.incident(Viewer::System, i2.id).await.unwrap();
    assert_eq!((i2.phase, i2.merged_into), (Phase::Merged, Some(i1.id)));
    let reports = s
        .list_reports(
            Viewer::System,
            &ReportFilter {
                incident: Some(i1.id),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        reports.total, 2,
        "both reports now on the surviving incident"
    );
    assert!(
        s.merge_incidents(&Actor::Cli, i2.id, i1.id, "again")
            .await
            .is_err()
    );
    assert!(
        s.merge_incidents(&Actor::Cli, i1.id, i1.id, "self")
            .await
            .is_err()
    );
    assert!(
        matches!(
            s.link_report(&Actor::Cli, a.id, i2.id).await,
            Err(StoreError::Conflict(_))
        ),
        "not onto a merged incident"
    );
    assert!(
        s.change_phase(&Actor::Cli, i2.id, Phase::Triage, "")
            .await
            .is_err(),
        "merged is final"
    );
    let tl = s.timeline(Viewer::System, i1.id).await.unwrap();
    assert!(
        tl.iter()
            .any(|e| e.kind == "merged-in" && e.data["reports"] == 1)
    );
}
