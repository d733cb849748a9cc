use super::*;

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

/// "Assigned to me" (the dashboard): incidents the user owns or holds a task of, open ones only
/// when asked, each once however many tasks, never someone else's, TLP:RED only when named on it.
pub async fn assigned_to_me_is_owned_or_holding_a_task(f: &Fresh) {
    let s = &f.store;
    let me = user(s, "me", Role::Handler).await;
    let other = user(s, "other", Role::Handler).await;
    let make = |title: &'static str, owner: Option<UserId>, tlp: Tlp| {
        let mut n = new_incident(title, Category::Scan, vec![]);
        n.owner = owner;
        n.tlp = tlp;
        s.create_incident(&Actor::Cli, n)
    };
    make("owned", Some(me.id), Tlp::Amber).await.unwrap();
    let tasked = make("tasked", Some(other.id), Tlp::Amber).await.unwrap();
    let closed = make("owned, closed", Some(me.id), Tlp::Amber)
        .await
        .unwrap();
    let theirs = make("theirs", Some(other.id), Tlp::Amber).await.unwrap();
    let red = make("red, tasked", Some(other.id), Tlp::Red).await.unwrap();
    for (i, who) in [
        (tasked.id, me.id),
        (tasked.id, me.id),
        (theirs.id, other.id),
        (red.id, me.id),
    ] {
        s.add_task(&Actor::Cli, i, "look", Some(who), None)
            .await
            .unwrap();
    }
    s.change_phase(&Actor::Cli, closed.id, Phase::Closed, "done")
        .await
        .unwrap();
    let titles = |open_only: bool| {
        let f = IncidentFilter {
            open_only,
            assignee: Some(me.id),
            ..Default::default()
        };
        async move {
            let mut t: Vec<String> = s
                .list_incidents(Viewer::User(me.id), &f, Page::default())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|i| i.title)
                .collect();
            t.sort();
            t
        }
    };
    // A task alone does not name me on the RED incident: it stays hidden.
    assert_eq!(titles(true).await, ["owned", "tasked"]);
    assert_eq!(titles(false).await, ["owned", "owned, closed", "tasked"]);
}
