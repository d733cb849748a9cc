//! The stories themselves: plain async functions over a fresh store.

use crate::backends::Fresh;
use hikeshi_domain::*;
use hikeshi_store::*;
use sqlx::Executor;

fn report(subject: &str, body: &str) -> NewReport {
    NewReport {
        channel: Some(Channel::Web),
        reporter_name: "山田 太郎".into(),
        reporter_email: "taro@example.jp".into(),
        reporter_org: "Example ISP".into(),
        subject: subject.into(),
        body: body.into(),
        raw: format!("{subject}\n\n{body}").into_bytes(),
        raw_content_type: "text/plain; charset=utf-8".into(),
        client_addr: "192.0.2.7".into(),
        ..Default::default()
    }
}

fn new_incident(title: &str, category: Category, reports: Vec<ReportId>) -> NewIncident {
    NewIncident {
        title: title.into(),
        summary: String::new(),
        category,
        rsit: None,
        attacker: None,
        asset: None,
        tlp: Tlp::Amber,
        impact: Impact::default(),
        owner: None,
        reports,
        is_exercise: false,
    }
}

async fn user(s: &Store, name: &str, role: Role) -> User {
    s.create_user(
        &Actor::System,
        &NewUser {
            username: name.into(),
            display_name: name.into(),
            email: format!("{name}@example.jp"),
            role,
            lang: String::new(),
            password_hash: "$argon2id$not-a-real-hash".into(),
            must_change_password: false,
        },
    )
    .await
    .unwrap()
}

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

pub async fn a_report_becomes_an_incident_and_walks_to_closed(f: &Fresh) {
    let s = &f.store;
    let handler = user(s, "handler1", Role::Handler).await;
    let me = Actor::User(handler.id);
    let rep = s
        .submit_report(
            &Actor::Public,
            report("Phishing site", "hxxp://evil[.]example/login"),
        )
        .await
        .unwrap();
    let inc = s
        .create_incident(
            &me,
            new_incident(
                "Phishing site imitating our bank",
                Category::Phishing,
                vec![rep.id],
            ),
        )
        .await
        .unwrap();
    assert_eq!(inc.phase, Phase::New);
    assert_eq!(inc.number.seq, 1);
    assert!(inc.number.to_string().starts_with("HK-"));
    assert_eq!(
        inc.reported_at, rep.received_at,
        "SLA clocks start at the first report"
    );
    assert_eq!(inc.priority, Priority::P4);
    assert_eq!(
        inc.sla,
        SlaPolicy::default().due(Priority::P4, rep.received_at)
    );
    let linked = s.report(Viewer::System, rep.id).await.unwrap();
    assert_eq!(
        (linked.status, linked.incident_id),
        (ReportStatus::Linked, Some(inc.id))
    );

    // Raise the impact: priority and due times follow.
    let impact = Impact {
        functional: FunctionalImpact::High,
        information: InformationImpact::Privacy,
        recoverability: Recoverability::Supplemented,
        criticality: Criticality::High,
    };
    let inc = s
        .update_incident(
            &me,
            inc.id,
            IncidentPatch {
                impact: Some(impact),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(inc.priority, Priority::P1);
    assert_eq!(
        inc.sla,
        SlaPolicy::default().due(Priority::P1, rep.received_at)
    );

    for to in [
        Phase::Triage,
        Phase::Analysis,
        Phase::Containment,
        Phase::Eradication,
        Phase::Recovery,
    ] {
        s.change_phase(&me, inc.id, to, &format!("moving to {to}"))
            .await
            .unwrap();
    }
    // New hosts found during recovery: back to analysis, recorded.
    let back = s
        .change_phase(&me, inc.id, Phase::Analysis, "two more hosts found")
        .await
        .unwrap();
    assert_eq!(back.phase, Phase::Analysis);
    let err = s
        .change_phase(&me, inc.id, Phase::Analysis, "again")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Domain(DomainError::InvalidTransition { .. })
        ),
        "{err}"
    );
    assert!(
        s.change_phase(&me, inc.id, Phase::New, "reset")
            .await
            .is_err()
    );

    let task = s
        .add_task(
            &me,
            inc.id,
            "Isolate web01",
            Some(handler.id),
            Some(rep.received_at + 3_600_000),
        )
        .await
        .unwrap();
    assert_eq!(task.assignee_name.as_deref(), Some("handler1"));
    let done = s.set_task_done(&me, task.id, true).await.unwrap();
    assert!(done.done_at.is_some());
    assert!(
        s.add_task(&me, inc.id, "x", Some(UserId(4242)), None)
            .await
            .is_err(),
        "unknown assignee refused"
    );
    let d = s
        .add_decision(
            &me,
            inc.id,
            "stop web01 (192.0.2.10)",
            "approved: isolate until reimaged",
            "CISO 佐藤",
            rep.received_at + 60_000,
            "",
        )
        .await
        .unwrap();
    assert_eq!(d.decided_by, "CISO 佐藤");
    s.add_note(&me, inc.id, "Reimaged web01.").await.unwrap();
    for to in [
        Phase::Containment,
        Phase::Eradication,
        Phase::Recovery,
        Phase::Lessons,
        Phase::Closed,
    ] {
        s.change_phase(&me, inc.id, to, "").await.unwrap();
    }
    let closed = s.incident(Viewer::System, inc.id).await.unwrap();
    assert_eq!(closed.phase, Phase::Closed);
    let ack = closed.acknowledged_at.expect("acknowledged");
    let first = closed.first_response_at.expect("first response");
    let contained = closed.contained_at.expect("contained");
    let closed_at = closed.closed_at.expect("closed");
    assert!(ack <= first && first <= contained && contained <= closed_at);

    let tl = s.timeline(Viewer::System, inc.id).await.unwrap();
    let kinds: Vec<&str> = tl.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds[0], "created");
    assert_eq!(kinds[1], "report-linked");
    for k in [
        "classified",
        "updated",
        "phase",
        "task-added",
        "task-done",
        "decision",
        "note",
    ] {
        if k == "classified" {
            continue; // impact-only change: no reclassification
        }
        assert!(kinds.contains(&k), "timeline has {k}: {kinds:?}");
    }
    assert!(
        tl.windows(2)
            .all(|w| (w[0].at, w[0].id) <= (w[1].at, w[1].id)),
        "timeline in order"
    );
    let phases: Vec<String> = tl
        .iter()
        .filter(|e| e.kind == "phase")
        .map(|e| e.data["to"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        phases,
        [
            "triage",
            "analysis",
            "containment",
            "eradication",
            "recovery",
            "analysis",
            "containment",
            "eradication",
            "recovery",
            "lessons",
            "closed"
        ]
    );
    let back_event = tl
        .iter()
        .find(|e| e.data["reason"] == "two more hosts found")
        .unwrap();
    assert_eq!(back_event.actor_name.as_deref(), Some("handler1"));
    assert_eq!(s.decisions(Viewer::System, inc.id).await.unwrap().len(), 1);
    assert_eq!(s.tasks(Viewer::System, inc.id).await.unwrap().len(), 1);
}

pub async fn classification_defaults_follow_the_category_and_history_is_kept(f: &Fresh) {
    let s = &f.store;
    let inc = s
        .create_incident(&Actor::Cli, new_incident("Scan", Category::Scan, vec![]))
        .await
        .unwrap();
    assert_eq!(
        (inc.classification.rsit.class, inc.classification.rsit.kind),
        ("information-gathering", "scanner")
    );
    let inc = s
        .update_incident(
            &Actor::Cli,
            inc.id,
            IncidentPatch {
                category: Some(Category::Targeted),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        inc.classification.rsit,
        Rsit::new("intrusions", "system-compromise").unwrap()
    );
    assert_eq!(inc.classification.attacker, AttackerClass::Targeted);
    // Override the RSIT type: the handler's choice wins over the default.
    let inc = s
        .update_incident(
            &Actor::Cli,
            inc.id,
            IncidentPatch {
                rsit: Some(Rsit::new("malicious-code", "infected-system").unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(inc.classification.category, Category::Targeted);
    assert_eq!(inc.classification.rsit.kind, "infected-system");
    let history: Vec<(String, String)> = s
        .timeline(Viewer::System, inc.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "classified")
        .map(|e| {
            (
                e.data["from"]["rsit"]["type"].as_str().unwrap().into(),
                e.data["to"]["rsit"]["type"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("scanner".into(), "system-compromise".into()),
            ("system-compromise".into(), "infected-system".into())
        ]
    );
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

pub async fn lists_filter_and_paginate(f: &Fresh) {
    let s = &f.store;
    let u = user(s, "owner", Role::Handler).await;
    for i in 0..7 {
        let mut n = new_incident(
            &format!("Defacement {i}"),
            if i % 2 == 0 {
                Category::Defacement
            } else {
                Category::Dos
            },
            vec![],
        );
        if i == 3 {
            n.owner = Some(u.id);
            n.title = "DDoS 100% of bandwidth".into();
        }
        s.create_incident(&Actor::Cli, n).await.unwrap();
    }
    let all = s
        .list_incidents(
            Viewer::System,
            &IncidentFilter::default(),
            Page::new(Some(2), Some(3)),
        )
        .await
        .unwrap();
    assert_eq!((all.total, all.items.len(), all.page), (7, 3, 2));
    let last = s
        .list_incidents(
            Viewer::System,
            &IncidentFilter::default(),
            Page::new(Some(3), Some(3)),
        )
        .await
        .unwrap();
    assert_eq!(last.items.len(), 1);
    let dos = IncidentFilter {
        category: Some(Category::Dos),
        ..Default::default()
    };
    assert_eq!(
        s.list_incidents(Viewer::System, &dos, Page::default())
            .await
            .unwrap()
            .total,
        3
    );
    let mine = IncidentFilter {
        assignee: Some(u.id),
        ..Default::default()
    };
    assert_eq!(
        s.list_incidents(Viewer::System, &mine, Page::default())
            .await
            .unwrap()
            .total,
        1
    );
    let text = IncidentFilter {
        text: Some("100%".into()),
        ..Default::default()
    };
    let found = s
        .list_incidents(Viewer::System, &text, Page::default())
        .await
        .unwrap();
    assert_eq!(found.total, 1, "% is searched literally");
    let number = found.items[0].number.to_string();
    let by_number = IncidentFilter {
        text: Some(number.clone()),
        ..Default::default()
    };
    assert_eq!(
        s.list_incidents(Viewer::System, &by_number, Page::default())
            .await
            .unwrap()
            .items[0]
            .number
            .to_string(),
        number
    );
    let triage = IncidentFilter {
        phase: Some(Phase::Triage),
        ..Default::default()
    };
    assert_eq!(
        s.list_incidents(Viewer::System, &triage, Page::default())
            .await
            .unwrap()
            .total,
        0
    );
    let p1 = IncidentFilter {
        priority: Some(Priority::P4),
        open_only: true,
        ..Default::default()
    };
    assert_eq!(
        s.list_incidents(Viewer::System, &p1, Page::default())
            .await
            .unwrap()
            .total,
        7
    );

    for i in 0..4 {
        s.submit_report(
            &Actor::Public,
            report(
                &format!("report {i}"),
                if i == 2 {
                    "needle in a haystack"
                } else {
                    "hay"
                },
            ),
        )
        .await
        .unwrap();
    }
    let hay = ReportFilter {
        text: Some("NEEDLE".into()),
        ..Default::default()
    };
    assert_eq!(
        s.list_reports(Viewer::System, &hay, Page::default())
            .await
            .unwrap()
            .total,
        1
    );
    let new = ReportFilter {
        status: Some(ReportStatus::New),
        ..Default::default()
    };
    let page = s
        .list_reports(Viewer::System, &new, Page::new(Some(1), Some(2)))
        .await
        .unwrap();
    assert_eq!((page.total, page.items.len()), (4, 2));
    assert_eq!(page.items[0].subject, "report 3", "newest first");
}

pub async fn tlp_red_incidents_are_seen_only_by_the_people_named_on_them(f: &Fresh) {
    let s = &f.store;
    let owner = user(s, "owner", Role::Handler).await;
    let member = user(s, "member", Role::Viewer).await;
    let other = user(s, "other", Role::Handler).await;
    let admin = user(s, "admin", Role::Admin).await;
    let rep = s
        .submit_report(&Actor::Public, report("secret", "red"))
        .await
        .unwrap();
    let mut n = new_incident("Red incident", Category::Targeted, vec![rep.id]);
    n.tlp = Tlp::Red;
    n.owner = Some(owner.id);
    let red = s.create_incident(&Actor::Cli, n).await.unwrap();
    let green = s
        .create_incident(
            &Actor::Cli,
            new_incident("Green incident", Category::Scan, vec![]),
        )
        .await
        .unwrap();
    s.add_member(&Actor::User(owner.id), red.id, member.id)
        .await
        .unwrap();

    for (who, sees) in [
        (owner.id, true),
        (member.id, true),
        (other.id, false),
        (admin.id, false),
    ] {
        let v = Viewer::User(who);
        assert_eq!(
            s.incident(v, red.id).await.is_ok(),
            sees,
            "user {} sees red incident",
            who.0
        );
        assert_eq!(s.timeline(v, red.id).await.is_ok(), sees);
        assert_eq!(
            s.report(v, rep.id).await.is_ok(),
            sees,
            "its report follows its TLP"
        );
        let listed = s
            .list_incidents(v, &IncidentFilter::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(listed.total, if sees { 2 } else { 1 });
        assert!(s.incident(v, green.id).await.is_ok());
        let reports = s
            .list_reports(v, &ReportFilter::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(reports.total, i64::from(sees));
    }
}

pub async fn users_sessions_and_tokens(f: &Fresh) {
    let s = &f.store;
    assert_eq!(s.user_count().await.unwrap(), 0);
    let u = user(s, "alice", Role::Handler).await;
    assert!(matches!(
        s.create_user(
            &Actor::System,
            &NewUser {
                username: "alice".into(),
                display_name: String::new(),
                email: String::new(),
                role: Role::Viewer,
                lang: String::new(),
                password_hash: "x".into(),
                must_change_password: false
            }
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        s.create_user(
            &Actor::System,
            &NewUser {
                username: "bad name!".into(),
                display_name: String::new(),
                email: String::new(),
                role: Role::Viewer,
                lang: String::new(),
                password_hash: "x".into(),
                must_change_password: false
            }
        )
        .await
        .is_err()
    );
    let (found, hash) = s.user_for_login("alice").await.unwrap().unwrap();
    assert_eq!(
        (found.id, hash.as_str()),
        (u.id, "$argon2id$not-a-real-hash")
    );
    assert!(s.user_for_login("nobody").await.unwrap().is_none());

    let now = time::now_ms();
    s.create_session(u.id, "sess-hash", "csrf-1", now + 60_000)
        .await
        .unwrap();
    let (su, csrf) = s.session_user("sess-hash", now).await.unwrap().unwrap();
    assert_eq!((su.id, csrf.as_str()), (u.id, "csrf-1"));
    assert!(
        s.session_user("sess-hash", now + 120_000)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    s.set_password(&Actor::User(u.id), u.id, "$argon2id$new", true)
        .await
        .unwrap();
    assert!(
        s.session_user("sess-hash", now).await.unwrap().is_none(),
        "password change ends sessions"
    );
    assert!(s.user(u.id).await.unwrap().must_change_password);

    let tid = s
        .create_api_token(&Actor::User(u.id), u.id, "ci", "tok-hash")
        .await
        .unwrap();
    assert_eq!(s.token_user("tok-hash").await.unwrap().unwrap().1, tid);
    s.revoke_api_token(&Actor::User(u.id), u.id, tid)
        .await
        .unwrap();
    assert!(s.token_user("tok-hash").await.unwrap().is_none());
    assert_eq!(s.list_users().await.unwrap().len(), 1);
}

pub async fn the_audit_chain_records_every_write_and_detects_tampering(f: &Fresh) {
    let s = &f.store;
    let r = s
        .submit_report(&Actor::Public, report("a", "b"))
        .await
        .unwrap();
    let i = s
        .create_incident(&Actor::Cli, new_incident("x", Category::Other, vec![r.id]))
        .await
        .unwrap();
    s.change_phase(&Actor::Cli, i.id, Phase::Triage, "look")
        .await
        .unwrap();
    s.add_note(&Actor::Cli, i.id, "note").await.unwrap();
    assert_eq!(s.verify_audit().await.unwrap(), Ok(5));
    let actions: Vec<String> = s
        .recent_audit(10)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "report.create",
            "incident.create",
            "report.link",
            "incident.phase",
            "incident.note"
        ]
    );

    sqlx::any::install_default_drivers();
    let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&f.url)
        .await
        .unwrap();
    raw.execute("UPDATE audit_log SET detail = '{\"reason\":\"forged\"}' WHERE seq = 4")
        .await
        .unwrap();
    assert_eq!(
        s.verify_audit().await.unwrap(),
        Err(audit::ChainError::Changed { seq: 4 })
    );
    let e = s.verify_audit().await.unwrap().unwrap_err().to_string();
    assert!(e.contains("entry 4"), "names the entry: {e}");
    raw.execute("DELETE FROM audit_log WHERE seq = 4")
        .await
        .unwrap();
    assert_eq!(
        s.verify_audit().await.unwrap(),
        Err(audit::ChainError::Removed {
            expected: 4,
            previous: 3,
            found: 5
        })
    );
}

pub async fn concurrent_writers_keep_the_audit_chain_linear(f: &Fresh) {
    let s = &f.store;
    let mut handles = Vec::new();
    for t in 0..4 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            let mut tickets = Vec::new();
            for i in 0..10 {
                let r = s
                    .submit_report(&Actor::Public, report(&format!("t{t} r{i}"), "body"))
                    .await
                    .unwrap();
                tickets.push(r.id.0);
            }
            tickets
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 40, "every submission got its own ticket");
    assert_eq!(s.verify_audit().await.unwrap(), Ok(40));
}

fn ind(kind: Kind, value: &str) -> Indicator {
    Indicator {
        kind,
        value: value.into(),
    }
}

pub async fn indicators_correlate_across_incidents_without_leaking_context(f: &Fresh) {
    let s = &f.store;
    let alice = user(s, "alice", Role::Handler).await;
    let bob = user(s, "bob", Role::Handler).await;
    let a = s
        .create_incident(
            &Actor::User(alice.id),
            new_incident("A", Category::MalwareSite, vec![]),
        )
        .await
        .unwrap();
    let b = s
        .create_incident(
            &Actor::User(bob.id),
            new_incident("B", Category::Phishing, vec![]),
        )
        .await
        .unwrap();
    let c = s
        .create_incident(
            &Actor::User(bob.id),
            new_incident("C", Category::Scan, vec![]),
        )
        .await
        .unwrap();
    let c2 = IndicatorContext {
        role: IndicatorRole::C2,
        tlp: Tlp::Amber,
        note: "beacon every 60 s".into(),
        ..Default::default()
    };
    let red = IndicatorContext {
        role: IndicatorRole::Payload,
        tlp: Tlp::Red,
        note: "secret source".into(),
        ..Default::default()
    };
    let ids = s
        .attach_indicators(
            &Actor::User(alice.id),
            a.id,
            &[
                (ind(Kind::Domain, "evil.example.com"), c2.clone()),
                (ind(Kind::Ipv4, "192.0.2.10"), c2.clone()),
            ],
        )
        .await
        .unwrap();
    // The same domain in B (amber) and in C with a TLP:RED context.
    s.attach_indicators(
        &Actor::User(bob.id),
        b.id,
        &[(
            ind(Kind::Domain, "evil.example.com"),
            IndicatorContext::default(),
        )],
    )
    .await
    .unwrap();
    s.attach_indicators(
        &Actor::User(bob.id),
        c.id,
        &[(ind(Kind::Domain, "evil.example.com"), red)],
    )
    .await
    .unwrap();
    // Weakly linked: same registrable domain, same /24.
    s.attach_indicators(
        &Actor::User(bob.id),
        b.id,
        &[
            (
                ind(Kind::Domain, "cdn.example.com"),
                IndicatorContext::default(),
            ),
            (ind(Kind::Ipv4, "192.0.2.99"), IndicatorContext::default()),
        ],
    )
    .await
    .unwrap();
    // Attaching again updates the context instead of duplicating.
    s.attach_indicators(
        &Actor::User(alice.id),
        a.id,
        &[(ind(Kind::Domain, "evil.example.com"), c2.clone())],
    )
    .await
    .unwrap();
    let list = s
        .incident_indicators(Viewer::User(alice.id), a.id)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0].role, list[0].note.as_str()),
        (IndicatorRole::C2, "beacon every 60 s")
    );

    let domain = ids[0];
    let seen_by_alice = s
        .correlations(Viewer::User(alice.id), domain, Some(a.id))
        .await
        .unwrap();
    let numbers: Vec<String> = seen_by_alice
        .incidents
        .iter()
        .map(|l| l.title.clone())
        .collect();
    assert_eq!(
        numbers,
        ["B"],
        "C's TLP:RED link is not shown to someone not named on C"
    );
    let seen_by_bob = s
        .correlations(Viewer::User(bob.id), domain, None)
        .await
        .unwrap();
    let mut titles: Vec<String> = seen_by_bob
        .incidents
        .iter()
        .map(|l| l.title.clone())
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        ["A", "B", "C"],
        "bob created C, so he sees its red link"
    );
    let weak: Vec<(String, Vec<String>)> = seen_by_alice
        .weak
        .iter()
        .map(|w| {
            (
                w.indicator.value.clone(),
                w.incidents.iter().map(|i| i.title.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(weak, [("cdn.example.com".to_owned(), vec!["B".to_owned()])]);
    let ip = s
        .correlations(Viewer::User(alice.id), ids[1], Some(a.id))
        .await
        .unwrap();
    assert_eq!(ip.weak.len(), 1);
    assert_eq!(ip.weak[0].key, "192.0.2.0/24");

    s.detach_indicator(&Actor::User(bob.id), b.id, domain)
        .await
        .unwrap();
    let after = s
        .correlations(Viewer::User(alice.id), domain, Some(a.id))
        .await
        .unwrap();
    assert!(after.incidents.is_empty());
    assert!(
        s.detach_indicator(&Actor::User(bob.id), b.id, domain)
            .await
            .is_err()
    );
    let tl = s.timeline(Viewer::System, a.id).await.unwrap();
    assert!(
        tl.iter()
            .any(|e| e.kind == "indicator-added" && e.data["value"] == "evil.example.com")
    );
    assert!(s.verify_audit().await.unwrap().is_ok());
}
