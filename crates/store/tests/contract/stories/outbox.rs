use super::*;

fn ack_for(report: ReportId, to: &str) -> NewOutgoing {
    NewOutgoing {
        kind: OutKind::Ack,
        report_id: Some(report),
        incident_id: None,
        sender: "csirt@example.org".into(),
        recipients: vec![to.into()],
        subject: format!("Re: [hikeshi #{}] 不審なメール", report.0),
        lang: "ja".into(),
        message_id: format!("ack.{}@example.org", report.0),
        raw: format!("Subject: ack {}\r\n\r\nbody\r\n", report.0).into_bytes(),
    }
}

fn mail(mid: &str, from: &str) -> NewReport {
    let mut r = report("不審なメール", "添付ファイル付きのメールを受信しました。");
    r.channel = Some(Channel::Mail);
    r.reporter_email = from.into();
    r.message_id = Some(mid.into());
    r
}

pub async fn outgoing_mail_is_queued_claimed_once_retried_and_answered(f: &Fresh) {
    let s = &f.store;
    // A new report by mail queues its acknowledgement in the same transaction.
    let build = |id: ReportId| Ok(ack_for(id, "Taro@Example.JP"));
    let limit = SendLimit {
        max: 2,
        window_ms: 3_600_000,
    };
    let how = MailIntake {
        mailbox: "abuse",
        ack: Some(&build),
        ack_limit: Some(limit),
        ..MailIntake::default()
    };
    let (r1, action, ack) = s
        .intake_mail_with(
            &Actor::System,
            mail("m1@example.jp", "taro@example.jp"),
            how,
        )
        .await
        .unwrap();
    assert_eq!(action, MailAction::New);
    assert_eq!(
        r1.mailbox, "abuse",
        "the mailbox label is kept on the report"
    );
    let AckOutcome::Queued(q1) = ack else {
        panic!("{ack:?}")
    };
    let listed = s.report_outgoing(Viewer::System, r1.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, q1);
    assert_eq!(listed[0].status, "queued");
    assert_eq!(listed[0].recipients, vec!["taro@example.jp"], "lower-cased");
    assert_eq!(listed[0].kind, "ack");

    // The same message again is a duplicate and queues nothing.
    let (_, action, ack) = s
        .intake_mail_with(
            &Actor::System,
            mail("m1@example.jp", "taro@example.jp"),
            how,
        )
        .await
        .unwrap();
    assert_eq!((action, ack), (MailAction::Duplicate, AckOutcome::NotAsked));

    // The per-sender limit is counted in the database: a third report within the hour from
    // the same address gets no acknowledgement; another sender still does.
    let (_, _, second) = s
        .intake_mail_with(
            &Actor::System,
            mail("m2@example.jp", "taro@example.jp"),
            how,
        )
        .await
        .unwrap();
    assert!(matches!(second, AckOutcome::Queued(_)), "{second:?}");
    let (r3, _, third) = s
        .intake_mail_with(
            &Actor::System,
            mail("m3@example.jp", "taro@example.jp"),
            how,
        )
        .await
        .unwrap();
    assert_eq!(third, AckOutcome::Skipped("rate limit".into()));
    assert!(
        s.report_outgoing(Viewer::System, r3.id)
            .await
            .unwrap()
            .is_empty()
    );
    let other = |id: ReportId| Ok(ack_for(id, "hanako@example.jp"));
    let (_, _, fourth) = s
        .intake_mail_with(
            &Actor::System,
            mail("m4@example.jp", "hanako@example.jp"),
            MailIntake {
                ack: Some(&other),
                ..how
            },
        )
        .await
        .unwrap();
    assert!(matches!(fourth, AckOutcome::Queued(_)), "{fourth:?}");
    // A builder that refuses (loop prevention) records why and queues nothing.
    let refuse = |_: ReportId| Err("Auto-Submitted: auto-replied".to_owned());
    let (_, _, refused) = s
        .intake_mail_with(
            &Actor::System,
            mail("m5@example.jp", "bot@example.jp"),
            MailIntake {
                ack: Some(&refuse),
                ..how
            },
        )
        .await
        .unwrap();
    assert_eq!(
        refused,
        AckOutcome::Skipped("Auto-Submitted: auto-replied".into())
    );

    // Two senders claim at once: each message goes to exactly one of them.
    let (a, b) = tokio::join!(
        s.claim_outgoing("sender-a", 10, 60_000),
        s.claim_outgoing("sender-b", 10, 60_000)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|c| c.id).collect();
    ids.sort_unstable();
    assert_eq!(
        ids.len(),
        3,
        "three acknowledgements queued, each claimed once"
    );
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let first = a.iter().chain(&b).find(|c| c.id == q1).unwrap();
    assert_eq!(first.attempts, 1);
    assert_eq!(first.sender, "csirt@example.org");
    assert!(first.raw.starts_with(b"Subject: ack "));
    // Leased messages are not claimed again.
    assert!(
        s.claim_outgoing("sender-c", 10, 60_000)
            .await
            .unwrap()
            .is_empty()
    );

    // A failure keeps the reason and waits a minute; nothing is dropped.
    let before = hikeshi_domain::time::now_ms();
    let next = s.mark_failed(q1, "421 try again later").await.unwrap();
    assert!(next >= before + FIRST_BACKOFF && next <= before + FIRST_BACKOFF + 60_000);
    let row = &s.report_outgoing(Viewer::System, r1.id).await.unwrap()[0];
    assert_eq!(
        (row.status.as_str(), row.last_error.as_str(), row.attempts),
        ("failed", "421 try again later", 1)
    );
    assert!(
        s.claim_outgoing("sender-c", 10, 60_000)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    // The others are sent.
    for c in a.iter().chain(&b).filter(|c| c.id != q1) {
        s.mark_sent(c.id).await.unwrap();
    }
    assert!(s.mark_sent(ids[1]).await.is_err(), "sent twice is refused");

    // A lease that ran out (the sender died) makes the message claimable again.
    f_expire_lease(f, q1).await;
    let again = s.claim_outgoing("sender-d", 10, 60_000).await.unwrap();
    assert_eq!(again.iter().map(|c| c.id).collect::<Vec<_>>(), vec![q1]);
    assert_eq!(again[0].attempts, 2);
    s.mark_sent(q1).await.unwrap();

    // The reporter answers the acknowledgement without the ticket tag: the reply threads onto
    // the report through our Message-ID and the acknowledgement is marked answered.
    let reply = mail("reply1@example.jp", "taro@example.jp");
    let thread = vec![format!("ack.{}@example.org", r1.id.0)];
    let (joined, action, ack) = s
        .intake_mail_with(
            &Actor::System,
            reply,
            MailIntake {
                thread_ids: &thread,
                ..how
            },
        )
        .await
        .unwrap();
    assert_eq!(action, MailAction::Joined);
    assert_eq!(ack, AckOutcome::NotAsked, "replies are not acknowledged");
    let row = &s.report_outgoing(Viewer::System, r1.id).await.unwrap()[0];
    assert_eq!(row.status, "sent");
    assert!(row.sent_at.is_some());
    assert_eq!(row.answered_by, Some(joined.id.0));
    assert!(row.answered_at.is_some());

    // Linked to an incident, the report's messages are listed with the incident.
    let inc = s
        .create_incident(
            &Actor::System,
            new_incident("不審なメール", Category::Other, vec![r1.id]),
        )
        .await
        .unwrap();
    let listed = s.incident_outgoing(Viewer::System, inc.id).await.unwrap();
    assert_eq!(listed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![q1]);

    // Every step is in the audit chain.
    let actions: Vec<String> = s
        .recent_audit(60)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in [
        "mail.queue",
        "mail.claim",
        "mail.failed",
        "mail.sent",
        "mail.answered",
        "mail.no_ack",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

/// The lease of `id` ran out a second ago, and it is due (as after a crash mid-send).
async fn f_expire_lease(f: &Fresh, id: i64) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&f.url)
        .await
        .unwrap();
    let past = hikeshi_domain::time::now_ms() - 1_000;
    c.execute(
        format!(
            "UPDATE outbox SET status = 'sending', lease_owner = 'dead', lease_until = {past}, next_attempt_at = {past} WHERE id = {id}"
        )
        .as_str(),
    )
    .await
    .unwrap();
}

const FIRST_BACKOFF: i64 = 60_000;

/// The administrator's view of the queue: totals of everything, the unsent rows they may see
/// (a TLP:RED incident's notification only to the people named on it), and "retry now".
pub async fn the_outbox_overview_counts_everything_and_lists_only_what_the_viewer_may_see(
    f: &Fresh,
) {
    let s = &f.store;
    let owner = user(s, "owner", Role::Handler).await;
    let admin = user(s, "admin", Role::Admin).await;
    let mut n = new_incident("Red incident", Category::Targeted, vec![]);
    n.tlp = Tlp::Red;
    n.owner = Some(owner.id);
    let red = s.create_incident(&Actor::Cli, n).await.unwrap();
    let rep = s
        .submit_report(&Actor::Public, report("plain", "body"))
        .await
        .unwrap();
    let mut to_red = ack_for(rep.id, "site@example.net");
    to_red.kind = OutKind::Notification;
    to_red.report_id = None;
    to_red.incident_id = Some(red.id);
    to_red.message_id = "n1@example.org".into();
    let Enqueued::Queued(q_red) = s
        .enqueue_outgoing(&Actor::System, &to_red, None)
        .await
        .unwrap()
    else {
        panic!()
    };
    let Enqueued::Queued(q_ack) = s
        .enqueue_outgoing(&Actor::System, &ack_for(rep.id, "taro@example.jp"), None)
        .await
        .unwrap()
    else {
        panic!()
    };
    let claimed = s.claim_outgoing("node-1", 10, 60_000).await.unwrap();
    assert_eq!(claimed.len(), 2);
    s.mark_failed(q_red, "550 no such user").await.unwrap();
    s.mark_sent(q_ack).await.unwrap();
    let now = hikeshi_domain::time::now_ms();

    let o = s
        .outbox_overview(Viewer::User(admin.id), now)
        .await
        .unwrap();
    assert_eq!((o.queued, o.sending, o.failed, o.sent_24h), (0, 0, 1, 1));
    assert!(o.oldest_unsent_at.is_some());
    assert!(
        o.unsent.is_empty(),
        "the red notification is not listed: {:?}",
        o.unsent
    );
    let o = s
        .outbox_overview(Viewer::User(owner.id), now)
        .await
        .unwrap();
    assert_eq!(o.unsent.len(), 1);
    assert_eq!(
        (o.unsent[0].id, o.unsent[0].last_error.as_str()),
        (q_red, "550 no such user")
    );
    assert!(o.unsent[0].next_attempt_at > now, "waiting out its backoff");

    s.retry_outgoing_now(&Actor::User(owner.id), q_red)
        .await
        .unwrap();
    let o = s.outbox_overview(Viewer::System, now).await.unwrap();
    assert!(o.unsent[0].next_attempt_at <= hikeshi_domain::time::now_ms());
    assert_eq!(
        s.claim_outgoing("node-1", 10, 60_000).await.unwrap().len(),
        1,
        "due again"
    );
    assert!(
        matches!(
            s.retry_outgoing_now(&Actor::System, q_ack).await,
            Err(StoreError::NotFound(_))
        ),
        "a sent message is not retried"
    );
    assert_eq!(
        s.recent_audit(5)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "mail.retry")
            .count(),
        1
    );
    assert!(s.verify_audit().await.unwrap().is_ok());
}
