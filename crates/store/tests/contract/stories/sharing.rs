//! Sharing groups: ceilings enforced at the write, membership per user or token, TAXII object
//! versions and paging, MISP events readable only by whom they were shared with, feeds.

use super::*;

fn obj(id: &str, version_ms: i64, tlp: Tlp) -> NewSharedObject {
    NewSharedObject {
        stix_id: id.into(),
        stix_type: id.split("--").next().unwrap().into(),
        spec_version: "2.1".into(),
        version: hikeshi_domain::time::rfc3339(version_ms),
        version_ms,
        tlp,
        body: format!(r#"{{"id":"{id}","v":{version_ms}}}"#),
    }
}

pub async fn sharing_groups_enforce_their_ceiling_and_page_objects(f: &Fresh) {
    let s = &f.store;
    let admin = Actor::System;
    let u1 = user(s, "peer", Role::Viewer).await;
    let u2 = user(s, "outsider", Role::Viewer).await;
    let g = s
        .create_sharing_group(&admin, "NCA 共有", "", Tlp::Amber)
        .await
        .unwrap();
    assert_eq!(s.sharing_group(&g.uuid).await.unwrap(), g);
    assert_eq!(s.sharing_group("NCA 共有").await.unwrap().id, g.id);
    assert!(
        s.create_sharing_group(&admin, "NCA 共有", "", Tlp::Red)
            .await
            .is_err()
    );
    let tok = s
        .create_api_token(&admin, u2.id, "bot", "hash-of-bot")
        .await
        .unwrap();
    s.set_sharing_member(
        &admin,
        g.id,
        Principal::User(u1.id),
        Access {
            read: true,
            write: false,
        },
    )
    .await
    .unwrap();
    s.set_sharing_member(
        &admin,
        g.id,
        Principal::Token(tok),
        Access {
            read: true,
            write: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        s.sharing_access(g.id, u1.id, false, None).await.unwrap(),
        Access {
            read: true,
            write: false
        }
    );
    assert_eq!(
        s.sharing_access(g.id, u2.id, false, None).await.unwrap(),
        Access::default(),
        "the user has nothing; only their token does"
    );
    assert_eq!(
        s.sharing_access(g.id, u2.id, false, Some(tok))
            .await
            .unwrap(),
        Access {
            read: true,
            write: true
        }
    );
    assert_eq!(s.sharing_members(g.id).await.unwrap().len(), 2);

    // The ceiling is enforced whoever writes.
    let out = s
        .add_shared_objects(
            &admin,
            g.id,
            "user:1",
            &[
                obj(
                    "indicator--00000000-0000-4000-8000-000000000001",
                    1_000,
                    Tlp::Green,
                ),
                obj(
                    "indicator--00000000-0000-4000-8000-000000000002",
                    1_000,
                    Tlp::Red,
                ),
                obj(
                    "indicator--00000000-0000-4000-8000-000000000003",
                    1_000,
                    Tlp::AmberStrict,
                ),
                obj(
                    "indicator--00000000-0000-4000-8000-000000000001",
                    2_000,
                    Tlp::Amber,
                ),
                obj(
                    "indicator--00000000-0000-4000-8000-000000000001",
                    1_000,
                    Tlp::Green,
                ),
            ],
        )
        .await
        .unwrap();
    assert_eq!(out[0], AddOutcome::Added);
    assert!(matches!(out[1], AddOutcome::Refused(ref m) if m.contains("TLP:RED")));
    assert!(matches!(out[2], AddOutcome::Refused(_)));
    assert_eq!(out[3], AddOutcome::Added);
    assert_eq!(out[4], AddOutcome::Exists);
    s.add_shared_objects(
        &admin,
        g.id,
        "user:1",
        &[obj(
            "malware--00000000-0000-4000-8000-000000000009",
            3_000,
            Tlp::Clear,
        )],
    )
    .await
    .unwrap();

    let all = s
        .shared_objects(
            g.id,
            &ObjectQuery {
                versions: Versions::All,
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.objects.len(), 3);
    assert!(all.objects.iter().all(|o| o.tlp <= Tlp::Amber));
    assert!(
        all.objects
            .windows(2)
            .all(|w| w[0].added_us < w[1].added_us),
        "date_added strictly increases"
    );
    let last = s
        .shared_objects(
            g.id,
            &ObjectQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(last.objects.len(), 2, "latest version of each object");
    assert!(last.objects.iter().any(|o| o.version_ms == 2_000));
    let first = s
        .shared_objects(
            g.id,
            &ObjectQuery {
                versions: Versions::First,
                types: vec!["indicator".into()],
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.objects.len(), 1);
    assert_eq!(first.objects[0].version_ms, 1_000);
    // Paging with the cursor, and added_after.
    let p1 = s
        .shared_objects(
            g.id,
            &ObjectQuery {
                versions: Versions::All,
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(p1.more);
    let p2 = s
        .shared_objects(
            g.id,
            &ObjectQuery {
                versions: Versions::All,
                limit: 2,
                after_seq: Some(p1.objects[1].seq),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!p2.more);
    assert_eq!(p2.objects.len(), 1);
    let after = s
        .shared_objects(
            g.id,
            &ObjectQuery {
                versions: Versions::All,
                limit: 10,
                added_after_us: Some(all.objects[1].added_us),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.objects.len(), 1);

    // Status resources are private to their writer.
    let st = TaxiiStatus {
        id: "2d086da7-4bdc-4f91-900e-d77486753710".into(),
        group_id: g.id,
        request_ms: 5,
        total: 2,
        success_count: 1,
        failure_count: 1,
        successes: serde_json::json!([{"id": "x"}]),
        failures: serde_json::json!([{"id": "y", "message": "no"}]),
        created_by: Some(u1.id.0),
    };
    s.save_taxii_status(&admin, &st).await.unwrap();
    assert_eq!(s.taxii_status(&st.id, Some(u1.id)).await.unwrap(), st);
    assert!(s.taxii_status(&st.id, Some(u2.id)).await.is_err());
}

pub async fn misp_events_are_seen_only_by_their_audience(f: &Fresh) {
    let s = &f.store;
    let admin = Actor::System;
    let writer = user(s, "writer", Role::Handler).await;
    let reader = user(s, "reader", Role::Viewer).await;
    let other = user(s, "other", Role::Viewer).await;
    let g = s
        .create_sharing_group(&admin, "isac", "", Tlp::Green)
        .await
        .unwrap();
    s.set_sharing_member(
        &admin,
        g.id,
        Principal::User(reader.id),
        Access {
            read: true,
            write: false,
        },
    )
    .await
    .unwrap();
    let ev = |uuid: &str, tlp: Tlp, value: &str| NewMispEvent {
        uuid: uuid.into(),
        info: "フィッシング".into(),
        tlp,
        published: false,
        event_ts: 1_700_000_000,
        body: format!(r#"{{"uuid":"{uuid}"}}"#),
        attributes: vec![MispAttr {
            uuid: format!("{uuid}-a"),
            attr_type: "domain".into(),
            category: "Network activity".into(),
            value: value.into(),
        }],
    };
    let (row, new) = s
        .save_misp_event(
            &admin,
            Some(g.id),
            "misp-api",
            Some(writer.id),
            &ev("e1", Tlp::Green, "evil.example"),
        )
        .await
        .unwrap();
    assert!(new);
    let err = s
        .save_misp_event(
            &admin,
            Some(g.id),
            "misp-api",
            Some(writer.id),
            &ev("e2", Tlp::Amber, "x.example"),
        )
        .await;
    assert!(
        matches!(err, Err(StoreError::Conflict(_))),
        "above the ceiling"
    );
    s.save_misp_event(
        &admin,
        None,
        "misp-api",
        Some(writer.id),
        &ev("e3", Tlp::Red, "red.example"),
    )
    .await
    .unwrap();
    let (again, new) = s
        .save_misp_event(
            &admin,
            Some(g.id),
            "misp-api",
            Some(writer.id),
            &ev("e1", Tlp::Clear, "good.example"),
        )
        .await
        .unwrap();
    assert!(!new);
    assert_eq!(again.id, row.id);

    let rd = |u: &User| MispReader {
        user: u.id,
        token: None,
        admin: false,
    };
    assert_eq!(
        s.misp_event(rd(&reader), "e1").await.unwrap().tlp,
        Tlp::Clear
    );
    assert!(
        s.misp_event(rd(&reader), "e3").await.is_err(),
        "not shared with the reader"
    );
    assert!(s.misp_event(rd(&other), &row.id.to_string()).await.is_err());
    assert!(s.misp_event(rd(&writer), "e3").await.is_ok());
    let q = |v: &str| MispQuery {
        values: vec![v.into()],
        ..Default::default()
    };
    assert_eq!(
        s.search_misp_events(rd(&reader), &q("good.example"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.search_misp_events(rd(&reader), &q("evil.example"))
            .await
            .unwrap()
            .len(),
        0,
        "replaced"
    );
    assert_eq!(
        s.search_misp_events(rd(&reader), &q("%.example"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.search_misp_events(rd(&writer), &q("%.example"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.search_misp_events(rd(&other), &MispQuery::default())
            .await
            .unwrap()
            .len(),
        0
    );
    s.delete_misp_event(&admin, row.id).await.unwrap();
    assert!(s.misp_event(rd(&writer), "e1").await.is_err());
}

pub async fn feeds_and_imports_link_indicators_to_their_source(f: &Fresh) {
    let s = &f.store;
    let admin = Actor::System;
    let feed = s
        .add_feed(
            &admin,
            &NewFeed {
                name: "medallion".into(),
                kind: "taxii".into(),
                url: "http://127.0.0.1:1/api1/".into(),
                collection: "c".into(),
                username: "u".into(),
                secret: "s3cret".into(),
                default_tlp: Tlp::Green,
                interval_s: 300,
            },
        )
        .await
        .unwrap();
    assert!(feed.has_secret);
    assert!(!serde_json::to_string(&feed).unwrap().contains("s3cret"));
    assert_eq!(s.feed_with_secret("medallion").await.unwrap().1, "s3cret");
    assert_eq!(s.feeds_due(0).await.unwrap().len(), 1);
    let items = vec![SourcedIndicator {
        indicator: ind(Kind::Domain, "c2.example"),
        source_ref: "indicator--1".into(),
        tlp: Tlp::Green,
        comment: "C2".into(),
    }];
    let kept = vec![KeptObject {
        object_id: "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b".into(),
        object_type: "malware".into(),
        body: r#"{"type":"malware","name":"PlugX"}"#.into(),
    }];
    let poll = Poll {
        cursor: "2026-01-01T00:00:00.000000Z".into(),
        error: String::new(),
        items,
        kept,
    };
    assert_eq!(s.record_feed_poll(&admin, feed.id, &poll).await.unwrap(), 1);
    assert_eq!(
        s.record_feed_poll(&admin, feed.id, &poll).await.unwrap(),
        0,
        "same link again"
    );
    let k = s
        .kept_objects(&format!("feed:{}", feed.id), 10)
        .await
        .unwrap();
    assert_eq!(k.len(), 1, "kept once however often it comes");
    assert_eq!(k[0].object_type, "malware");
    let now = hikeshi_domain::time::now_ms();
    assert!(s.feeds_due(now).await.unwrap().is_empty());
    let fd = &s.feeds().await.unwrap()[0];
    assert_eq!(fd.cursor, poll.cursor);
    assert_eq!(fd.last_count, 1);
    let n = s
        .import_indicators(
            &admin,
            "import:stix",
            &[SourcedIndicator {
                indicator: ind(Kind::Domain, "c2.example"),
                source_ref: "bundle--x".into(),
                tlp: Tlp::Amber,
                comment: String::new(),
            }],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let src = s
        .indicator_sources(&ind(Kind::Domain, "c2.example"))
        .await
        .unwrap();
    assert_eq!(src.len(), 2);
    assert!(src.iter().any(|x| x.source == format!("feed:{}", feed.id)));
    assert!(!s.instance_uuid().await.unwrap().is_empty());
    assert_eq!(
        s.instance_uuid().await.unwrap(),
        s.instance_uuid().await.unwrap()
    );
}
