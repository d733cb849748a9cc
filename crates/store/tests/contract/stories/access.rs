use super::*;
use sqlx::Executor;

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

/// Two nodes on one database (two `Store`s, as two `hikeshi serve` processes would be): each
/// remembers the audit head it last wrote, and each write of the other makes that memory stale.
/// Writes taking turns and writes at once must both keep one linear, verifiable chain.
pub async fn two_nodes_writing_one_database_keep_one_audit_chain(f: &Fresh) {
    let a = &f.store;
    let b = hikeshi_store::Store::connect(&f.url, hikeshi_store::StoreOptions::default())
        .await
        .unwrap();
    // Turns: every write of one follows a write of the other.
    for i in 0..6 {
        let s = if i % 2 == 0 { a } else { &b };
        s.submit_report(&Actor::Public, report(&format!("turn {i}"), "body"))
            .await
            .unwrap();
        assert_eq!(a.verify_audit().await.unwrap(), Ok(i + 1));
    }
    // At once: both nodes, two writers each.
    let mut handles = Vec::new();
    for (t, s) in [a.clone(), b.clone(), a.clone(), b.clone()]
        .into_iter()
        .enumerate()
    {
        handles.push(tokio::spawn(async move {
            for i in 0..8 {
                s.submit_report(&Actor::Public, report(&format!("n{t} r{i}"), "body"))
                    .await
                    .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(a.verify_audit().await.unwrap(), Ok(6 + 32));
    assert_eq!(b.verify_audit().await.unwrap(), Ok(6 + 32));
    b.close().await;
}
