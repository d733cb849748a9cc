//! Message template overrides, contacts and notifications (issue 5, "Out 2").

use super::*;

pub async fn template_overrides_are_saved_replaced_reset_and_audited(f: &Fresh) {
    let s = &f.store;
    let admin = user(s, "admin", Role::Admin).await;
    let actor = Actor::User(admin.id);
    assert!(s.template_overrides().await.unwrap().is_empty());
    assert_eq!(
        s.template_override("notification.scan", "ja")
            .await
            .unwrap(),
        None
    );

    let saved = s
        .save_template(
            &actor,
            "notification.scan",
            "ja",
            "件名 {{ ticket_tag }}",
            "本文\n",
        )
        .await
        .unwrap();
    assert_eq!(saved.updated_by, Some(admin.id.0));
    assert!(saved.updated_at > 0);
    // Saving again replaces, per (name, lang).
    s.save_template(&actor, "notification.scan", "ja", "二度目", "本文2\n")
        .await
        .unwrap();
    s.save_template(
        &Actor::System,
        "notification.scan",
        "en",
        "second",
        "body\n",
    )
    .await
    .unwrap();
    let all = s.template_overrides().await.unwrap();
    let keys: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|o| (o.name.as_str(), o.lang.as_str(), o.subject.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("notification.scan", "en", "second"),
            ("notification.scan", "ja", "二度目")
        ]
    );
    assert_eq!(all[0].updated_by, None, "the system has no user id");
    let ja = s
        .template_override("notification.scan", "ja")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ja.body, "本文2\n");

    assert!(
        s.reset_template(&actor, "notification.scan", "ja")
            .await
            .unwrap()
    );
    assert!(
        !s.reset_template(&actor, "notification.scan", "ja")
            .await
            .unwrap()
    );
    assert_eq!(
        s.template_override("notification.scan", "ja")
            .await
            .unwrap(),
        None
    );
    assert!(s.save_template(&actor, " ", "ja", "s", "b").await.is_err());

    let audit = s.recent_audit(100).await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.object_type == "message_template")
        .map(|e| (e.action.as_str(), e.object_id.as_str()))
        .collect();
    assert_eq!(actions.len(), 4, "{actions:?}");
    assert!(actions.contains(&("template.reset", "notification.scan/ja")));
    assert_eq!(s.verify_audit().await.unwrap(), Ok(audit.len() as i64));
}

fn contact(email: &str, kind: &str) -> NewContact {
    NewContact {
        organisation: "Example Hosting".into(),
        name: "Abuse desk".into(),
        email: email.into(),
        lang: "ja".into(),
        kind: kind.into(),
        notes: "24h".into(),
        tlp_max: Tlp::Amber,
    }
}

pub async fn contacts_are_kept_checked_and_audited(f: &Fresh) {
    let s = &f.store;
    let a = Actor::System;
    let c = s
        .create_contact(&a, &contact(" Abuse@Hosting.Example ", "hosting"))
        .await
        .unwrap();
    assert_eq!(c.email, "abuse@hosting.example", "trimmed and lower-cased");
    assert_eq!(
        (c.lang.as_str(), c.kind.as_str(), c.tlp_max),
        ("ja", "hosting", Tlp::Amber)
    );
    assert_eq!(
        NewContact::default().tlp_max,
        Tlp::Green,
        "the default clearance"
    );
    // One contact per address.
    let dup = s
        .create_contact(&a, &contact("abuse@HOSTING.example", "isp"))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    // Bad values are refused with what is wrong.
    for (bad, word) in [
        (
            NewContact {
                email: "no-at-sign".into(),
                ..contact("", "isp")
            },
            "mail address",
        ),
        (
            NewContact {
                lang: "fr".into(),
                ..contact("x@isp.example", "isp")
            },
            "language",
        ),
        (
            NewContact {
                kind: "friend".into(),
                ..contact("x@isp.example", "isp")
            },
            "kind",
        ),
        (
            NewContact {
                tlp_max: Tlp::Red,
                ..contact("x@isp.example", "isp")
            },
            "RED",
        ),
    ] {
        match s.create_contact(&a, &bad).await {
            Err(StoreError::Domain(m)) => assert!(m.to_string().contains(word), "{m}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    let cert = s
        .create_contact(
            &a,
            &NewContact {
                lang: "en".into(),
                ..contact("cert@cert.example", "cert")
            },
        )
        .await
        .unwrap();
    let all = s.contacts().await.unwrap();
    assert_eq!(all.len(), 2);
    let moved = s
        .update_contact(
            &a,
            cert.id,
            &NewContact {
                name: "Incident desk".into(),
                ..contact("desk@cert.example", "cert")
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (moved.name.as_str(), moved.email.as_str()),
        ("Incident desk", "desk@cert.example")
    );
    assert!(moved.updated_at >= cert.updated_at);
    let taken = s
        .update_contact(&a, cert.id, &contact("abuse@hosting.example", "cert"))
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert_eq!(
        s.contact_by_email("DESK@cert.example")
            .await
            .unwrap()
            .unwrap()
            .id,
        cert.id
    );
    s.delete_contact(&a, cert.id).await.unwrap();
    assert!(matches!(
        s.contact(cert.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.delete_contact(&a, cert.id).await,
        Err(StoreError::NotFound(_))
    ));
    let actions: Vec<String> = s
        .recent_audit(20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for want in ["contact.create", "contact.update", "contact.delete"] {
        assert!(actions.iter().any(|x| x == want), "{want} in {actions:?}");
    }
}

pub(super) fn notice(
    incident: IncidentId,
    to: &str,
    mid: &str,
    contact: Option<i64>,
) -> NewNotification {
    NewNotification {
        outgoing: NewOutgoing {
            kind: OutKind::Notification,
            report_id: None,
            incident_id: Some(incident),
            sender: "csirt@example.org".into(),
            recipients: vec![to.into()],
            subject: "[hikeshi #1] TLP:AMBER フィッシングサイト".into(),
            lang: "ja".into(),
            message_id: mid.into(),
            raw: b"Subject: x\r\n\r\nbody\r\n".to_vec(),
        },
        contact_id: contact,
        recipient: to.into(),
        recipient_name: "Abuse desk".into(),
        routes: vec!["contact:1".into(), "asset:web01".into()],
        template: "notification.phishing".into(),
        lang: "ja".into(),
        tlp: Tlp::Amber,
        indicators: 3,
    }
}

pub async fn notifications_are_queued_with_their_incident_and_answered_by_a_reply(f: &Fresh) {
    let s = &f.store;
    let handler = user(s, "handler", Role::Handler).await;
    let actor = Actor::User(handler.id);
    let c = s
        .create_contact(&actor, &contact("abuse@hosting.example", "hosting"))
        .await
        .unwrap();
    let r = s
        .submit_report(
            &actor,
            report("フィッシング", "https://login.example-bank.test/"),
        )
        .await
        .unwrap();
    let inc = s
        .create_incident(
            &actor,
            new_incident("フィッシングサイト", Category::Phishing, vec![r.id]),
        )
        .await
        .unwrap();
    assert_eq!(
        s.incident_ticket(Viewer::System, inc.id).await.unwrap(),
        Some(r.id)
    );
    let bare = s
        .create_incident(&actor, new_incident("no report", Category::Scan, vec![]))
        .await
        .unwrap();
    assert_eq!(
        s.incident_ticket(Viewer::System, bare.id).await.unwrap(),
        None
    );

    // A RED message, or one that is not a notification of this incident, queues nothing.
    let mut red = notice(
        inc.id,
        "abuse@hosting.example",
        "n.red@example.org",
        Some(c.id),
    );
    red.tlp = Tlp::Red;
    let mut other = notice(
        bare.id,
        "abuse@hosting.example",
        "n.other@example.org",
        None,
    );
    other.outgoing.incident_id = Some(inc.id);
    for bad in [vec![red], vec![other], vec![]] {
        assert!(matches!(
            s.queue_notifications(&actor, bare.id, &bad).await,
            Err(StoreError::Conflict(_))
        ));
    }
    assert!(
        s.incident_outgoing(Viewer::System, bare.id)
            .await
            .unwrap()
            .is_empty()
    );

    let ids = s
        .queue_notifications(
            &actor,
            inc.id,
            &[
                notice(
                    inc.id,
                    "abuse@hosting.example",
                    "n.1@example.org",
                    Some(c.id),
                ),
                notice(inc.id, "Owner@Example.JP", "n.2@example.org", None),
            ],
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    let list = s
        .incident_notifications(Viewer::System, inc.id)
        .await
        .unwrap();
    assert_eq!(list.iter().map(|n| n.id).collect::<Vec<_>>(), ids);
    let n = &list[0];
    assert_eq!(
        (n.status.as_str(), n.contact_id, n.tlp),
        ("queued", Some(c.id), Tlp::Amber)
    );
    assert_eq!(n.routes, ["contact:1", "asset:web01"]);
    assert_eq!(n.created_by, Some(handler.id.0));
    assert_eq!(list[1].recipient, "owner@example.jp");
    let outbox = s.incident_outgoing(Viewer::System, inc.id).await.unwrap();
    assert_eq!(outbox.len(), 2);
    assert!(
        outbox
            .iter()
            .all(|o| o.kind == "notification" && o.incident_id == Some(inc.id.0))
    );

    // Sending fails, then succeeds: the notification shows the reason, then sent.
    let claimed = s.claim_outgoing("t", 10, 60_000).await.unwrap();
    assert_eq!(claimed.len(), 2);
    s.mark_failed(n.outbox_id, "451 try again later")
        .await
        .unwrap();
    let failed = &s
        .incident_notifications(Viewer::System, inc.id)
        .await
        .unwrap()[0];
    assert_eq!(
        (
            failed.status.as_str(),
            failed.last_error.as_str(),
            failed.attempts
        ),
        ("failed", "451 try again later", 1)
    );
    s.mark_sent(list[1].outbox_id).await.unwrap();
    assert_eq!(
        s.incident_notifications(Viewer::System, inc.id)
            .await
            .unwrap()[1]
            .status,
        "sent"
    );

    // The owner answers (In-Reply-To names our Message-ID): answered, the reply joins the
    // incident, and the timeline says so.
    let mut reply = report("Re: フィッシングサイト", "削除しました。");
    reply.channel = Some(Channel::Mail);
    reply.message_id = Some("answer.1@example.jp".into());
    let (rep, action) = s
        .intake_mail(&Actor::System, reply, None, &["n.2@example.org".to_owned()])
        .await
        .unwrap();
    assert_eq!(action, MailAction::Joined);
    let answered = &s
        .incident_notifications(Viewer::System, inc.id)
        .await
        .unwrap()[1];
    assert_eq!(answered.status, "answered");
    assert_eq!(answered.answered_by, Some(rep.id.0));
    assert!(answered.answered_at.is_some());
    assert_eq!(
        rep.incident_id,
        Some(inc.id),
        "the reply joins the incident"
    );
    let kinds: Vec<String> = s
        .timeline(Viewer::System, inc.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "notification").count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"notification-answered".to_owned()),
        "{kinds:?}"
    );

    // An incident without reports: a reply to its notification still joins it, and is not a
    // new thread (so it is not acknowledged).
    s.queue_notifications(
        &actor,
        bare.id,
        &[notice(bare.id, "noc@isp.example", "n.3@example.org", None)],
    )
    .await
    .unwrap();
    let mut reply = report("Re: scan", "確認します");
    reply.channel = Some(Channel::Mail);
    reply.message_id = Some("answer.3@isp.example".into());
    let (rep3, action) = s
        .intake_mail(&Actor::System, reply, None, &["n.3@example.org".to_owned()])
        .await
        .unwrap();
    assert_eq!(action, MailAction::Joined);
    assert_eq!(rep3.incident_id, Some(bare.id));
    assert_eq!(
        s.incident_notifications(Viewer::System, bare.id)
            .await
            .unwrap()[0]
            .status,
        "answered"
    );

    // Deleting the contact keeps the history, without the link.
    s.delete_contact(&actor, c.id).await.unwrap();
    let kept = &s
        .incident_notifications(Viewer::System, inc.id)
        .await
        .unwrap()[0];
    assert_eq!(
        (kept.contact_id, kept.recipient.as_str()),
        (None, "abuse@hosting.example")
    );
    let audited = s
        .recent_audit(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "notification.queue")
        .count();
    assert_eq!(audited, 3);
    assert!(s.verify_audit().await.unwrap().is_ok());
}
