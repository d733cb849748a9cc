use super::*;

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

pub async fn reports_record_their_indicators_as_sightings(f: &Fresh) {
    let s = &f.store;
    let mut one = report(
        "C2",
        "beacon to evil.example.net and again evil.example.net",
    );
    one.extract_indicators(hikeshi_ioc::default_extractor());
    let r1 = s.submit_report(&Actor::Public, one).await.unwrap();
    let mut two = report("again", "evil[.]example[.]net seen from 192.0.2.55");
    two.extract_indicators(hikeshi_ioc::default_extractor());
    let r2 = s.submit_report(&Actor::Public, two).await.unwrap();
    let props = s.report_indicators(Viewer::System, r1.id).await.unwrap();
    let domain: Vec<_> = props
        .iter()
        .filter(|p| p.indicator.value == "evil.example.net")
        .collect();
    assert_eq!(domain.len(), 2, "both occurrences proposed");
    let id = domain[0].id;
    let inc = s
        .create_incident(
            &Actor::Cli,
            new_incident("x", Category::MalwareSite, vec![r1.id]),
        )
        .await
        .unwrap();
    s.accept_report_indicators(
        &Actor::Cli,
        r1.id,
        inc.id,
        &[id],
        &IndicatorContext::default(),
        true,
    )
    .await
    .unwrap();
    let list = s.incident_indicators(Viewer::System, inc.id).await.unwrap();
    assert_eq!(
        (list.len(), list[0].sighting_count),
        (1, 2),
        "one sighting per report that mentions it"
    );
    let c = s
        .correlations(Viewer::System, id, Some(inc.id))
        .await
        .unwrap();
    let reports: Vec<i64> = c.reports.iter().map(|r| r.report.0).collect();
    assert!(
        reports.contains(&r1.id.0) && reports.contains(&r2.id.0),
        "{reports:?}"
    );
    let after = s.report_indicators(Viewer::System, r1.id).await.unwrap();
    assert!(
        after.iter().all(|p| p.status != "proposed"),
        "accepted or dismissed"
    );
}

pub async fn sweep_hits_become_sightings_once_and_find_their_assets(f: &Fresh) {
    let s = &f.store;
    s.upsert_assets(
        &Actor::Cli,
        &[AssetRecord {
            name: "pc-7".into(),
            addresses: vec!["10.0.0.7".into()],
            owner: "Ito".into(),
            department: "Sales".into(),
            criticality: "low".into(),
            location: String::new(),
            os: String::new(),
            software: vec![],
        }],
    )
    .await
    .unwrap();
    let inc = s
        .create_incident(
            &Actor::Cli,
            new_incident("c2", Category::MalwareSite, vec![]),
        )
        .await
        .unwrap();
    let hit = |line: i64, host: &str| NewSighting {
        indicator: ind(Kind::Domain, "evil.example.net"),
        source: "proxy.log".into(),
        line,
        offset: line * 100,
        field: "url".into(),
        host: host.into(),
        destination: "www.evil.example.net".into(),
        seen_at: "1700000001.815".into(),
    };
    let r = s
        .record_sightings(
            &Actor::Cli,
            inc.id,
            &[hit(1, "10.0.0.7"), hit(2, "10.0.0.8"), hit(2, "10.0.0.8")],
        )
        .await
        .unwrap();
    assert_eq!((r.new, r.on_assets), (2, 1));
    let again = s
        .record_sightings(&Actor::Cli, inc.id, &[hit(1, "10.0.0.7"), hit(3, "pc-7")])
        .await
        .unwrap();
    assert_eq!(
        (again.new, again.on_assets),
        (1, 1),
        "line 1 again adds nothing; pc-7 is found by name"
    );
    let list = s.incident_sightings(Viewer::System, inc.id).await.unwrap();
    assert_eq!(list.len(), 3);
    let on_pc7: Vec<i64> = list
        .iter()
        .filter(|x| x.asset.as_deref() == Some("pc-7"))
        .map(|x| x.line)
        .collect();
    assert_eq!(on_pc7.len(), 2);
    let id = s
        .indicator_id(&ind(Kind::Domain, "evil.example.net"))
        .await
        .unwrap()
        .unwrap();
    s.attach_indicators(
        &Actor::Cli,
        inc.id,
        &[(
            ind(Kind::Domain, "evil.example.net"),
            IndicatorContext::default(),
        )],
    )
    .await
    .unwrap();
    let attached = s.incident_indicators(Viewer::System, inc.id).await.unwrap();
    assert_eq!((attached[0].id, attached[0].sighting_count), (id, 3));
    assert!(
        s.timeline(Viewer::System, inc.id)
            .await
            .unwrap()
            .iter()
            .any(|e| e.kind == "sweep" && e.data["new"] == 2)
    );
}

/// An attach is one transaction however the backend writes it (PostgreSQL folds it into one
/// statement): an incident that does not exist links nothing and leaves no trace; several
/// indicators at once each get their keys, context and timeline event; a transaction with more
/// audit entries than one statement holds keeps the chain whole.
pub async fn attaching_is_all_or_nothing_and_audit_batches_keep_the_chain(f: &Fresh) {
    let s = &f.store;
    let alice = user(s, "alice", Role::Handler).await;
    let a = s
        .create_incident(
            &Actor::User(alice.id),
            new_incident("A", Category::MalwareSite, vec![]),
        )
        .await
        .unwrap();
    let before = s.verify_audit().await.unwrap().unwrap();
    let lost = Indicator {
        kind: Kind::Domain,
        value: "never.example.net".into(),
    };
    let err = s
        .attach_indicators(
            &Actor::User(alice.id),
            IncidentId(a.id.0 + 1000),
            &[(lost.clone(), IndicatorContext::default())],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(s.indicator_id(&lost).await.unwrap(), None);
    assert_eq!(s.verify_audit().await.unwrap(), Ok(before));

    let items: Vec<(Indicator, IndicatorContext)> = [
        (Kind::Domain, "www.shop.example.com"),
        (Kind::Ipv4, "198.51.100.7"),
        (Kind::Url, "http://www.shop.example.com/login"),
        (Kind::Sha256, &"ab".repeat(32)),
    ]
    .into_iter()
    .map(|(kind, value)| {
        (
            Indicator {
                kind,
                value: value.to_owned(),
            },
            IndicatorContext {
                role: IndicatorRole::C2,
                tlp: Tlp::Green,
                note: format!("seen {value}"),
                first_seen: Some(1_700_000_000_000),
                last_seen: None,
            },
        )
    })
    .collect();
    let ids = s
        .attach_indicators(&Actor::User(alice.id), a.id, &items)
        .await
        .unwrap();
    assert_eq!(ids.len(), 4);
    let listed = s.incident_indicators(Viewer::System, a.id).await.unwrap();
    assert_eq!(listed.len(), 4);
    for ((ind, ctx), id) in items.iter().zip(&ids) {
        let l = listed.iter().find(|l| l.id == *id).unwrap();
        assert_eq!(&l.indicator, ind);
        assert_eq!((l.role, l.tlp, &l.note), (ctx.role, ctx.tlp, &ctx.note));
        assert_eq!(l.first_seen, ctx.first_seen);
        assert_eq!(s.indicator_id(ind).await.unwrap(), Some(*id));
    }
    // Attached again with a new note: the context changes, first_seen is kept, no new row.
    let mut again = items[0].clone();
    again.1.note = "second look".into();
    again.1.first_seen = None;
    let id2 = s
        .attach_indicators(&Actor::User(alice.id), a.id, &[again])
        .await
        .unwrap();
    assert_eq!(id2[0], ids[0]);
    let listed = s.incident_indicators(Viewer::System, a.id).await.unwrap();
    assert_eq!(listed.len(), 4);
    let first = listed.iter().find(|l| l.id == ids[0]).unwrap();
    assert_eq!(
        (first.note.as_str(), first.first_seen),
        ("second look", Some(1_700_000_000_000))
    );
    // The weak-link keys were written: another incident's host in the same registrable domain
    // is a weak link of the first.
    let b = s
        .create_incident(
            &Actor::User(alice.id),
            new_incident("B", Category::Phishing, vec![]),
        )
        .await
        .unwrap();
    let other = s
        .attach_indicators(
            &Actor::User(alice.id),
            b.id,
            &[(
                Indicator {
                    kind: Kind::Domain,
                    value: "cdn.shop.example.com".into(),
                },
                IndicatorContext::default(),
            )],
        )
        .await
        .unwrap();
    let c = s
        .correlations(Viewer::User(alice.id), other[0], Some(b.id))
        .await
        .unwrap();
    assert!(
        c.weak
            .iter()
            .any(|w| w.key == "example.com" && w.indicator == items[0].0),
        "{:?}",
        c.weak
    );
    let events = s.timeline(Viewer::System, a.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == "indicator-added")
            .count(),
        5
    );

    // 1,201 audit entries in one transaction: three statements' worth.
    let head = s.verify_audit().await.unwrap().unwrap();
    let mut tx = s.write().await.unwrap();
    for i in 0..1201 {
        tx.audit(
            &Actor::User(alice.id),
            "test.batch",
            "incident",
            a.id.0,
            serde_json::json!({ "i": i }),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(s.verify_audit().await.unwrap(), Ok(head + 1201));
    let recent = s.recent_audit(2).await.unwrap();
    assert_eq!(recent[0].detail, r#"{"i":1200}"#);
}
